-- Parents' contacts (regulation point 7) and their verification codes (SQLite).
-- Keep in step with ../postgres/20261201000002_contacts.sql: same tables, same columns.
--
-- A contact is never deleted: removing one sets `removed_at` (history is kept); only live
-- contacts are unique per parent. Values are stored normalised by tabel-domain (e-mail in lower
-- case, phones as +7XXXXXXXXXX, messenger handles per network). Booleans are 0/1 integers, as
-- elsewhere, so that one SQL text runs on both backends.

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    parent_id INTEGER NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'messenger')),
    -- The messenger network (telegram, max, vk) for kind = 'messenger'; NULL otherwise.
    network TEXT CHECK (network IN ('telegram', 'max', 'vk')),
    value TEXT NOT NULL,
    provenance TEXT NOT NULL CHECK (provenance IN ('written_application', 'electronic_document', 'cabinet')),
    -- The application's number and date or the electronic document's identifier; empty for a
    -- contact the parent entered in the cabinet.
    basis TEXT NOT NULL,
    preferred INTEGER NOT NULL DEFAULT 0 CHECK (preferred IN (0, 1)),
    entered_by INTEGER REFERENCES users(id),
    entered_by_person INTEGER REFERENCES persons(id),
    entered_at TEXT NOT NULL,
    verified_at TEXT,
    removed_at TEXT,
    removed_by INTEGER REFERENCES users(id),
    CHECK ((kind = 'messenger') = (network IS NOT NULL)),
    CHECK (provenance = 'cabinet' OR basis <> '')
);
-- A parent's contacts, live and removed, in the order entered.
CREATE INDEX contacts_parent ON contacts (parent_id, id);
-- No live duplicates: one parent, one kind (and network), one value.
CREATE UNIQUE INDEX contacts_live_value ON contacts (parent_id, kind, COALESCE(network, ''), value)
    WHERE removed_at IS NULL;

CREATE TABLE contact_codes (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    purpose TEXT NOT NULL CHECK (purpose IN ('email_link', 'phone_code')),
    -- SHA-256 (hex) of the token or code, never the code itself.
    code_hash TEXT NOT NULL,
    requested_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used_at TEXT
);
-- The latest code of a contact; an e-mail link's token by its hash.
CREATE INDEX contact_codes_contact ON contact_codes (contact_id, id);
CREATE INDEX contact_codes_hash ON contact_codes (code_hash);
