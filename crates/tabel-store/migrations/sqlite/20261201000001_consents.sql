-- The consent registry (regulation point 1): each record is a parent × child × purpose state on
-- a basis. Records are appended, never changed; the latest one (greatest id) is in force. The
-- basis is a written application (its number and date) or an electronic document (its
-- identifier and signature); a scan of the paper may be kept beside the record.

ALTER TABLE consents ADD COLUMN basis_kind TEXT NOT NULL DEFAULT 'written_application';
ALTER TABLE consents ADD COLUMN document_number TEXT;
ALTER TABLE consents ADD COLUMN document_date TEXT;
ALTER TABLE consents ADD COLUMN document_id TEXT;
ALTER TABLE consents ADD COLUMN signature TEXT;
ALTER TABLE consents ADD COLUMN note TEXT NOT NULL DEFAULT '';

CREATE TABLE consent_scans (
    consent_id INTEGER PRIMARY KEY REFERENCES consents(id),
    school_id INTEGER NOT NULL REFERENCES schools(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by INTEGER REFERENCES users(id),
    uploaded_at TEXT NOT NULL
);
