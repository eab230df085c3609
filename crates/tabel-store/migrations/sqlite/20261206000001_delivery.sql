-- Notifying families and services (SQLite): the notifier's claim on the outbox, per-parent
-- settings, webhook subscriptions, deliveries with their idempotency keys, retries and dead
-- letters, digest lines waiting for their evening message.
-- Keep in step with ../postgres/20261206000001_delivery.sql: same tables, same columns.
--
-- Instants the worker compares (when a delivery is due, until when a worker holds it) are kept
-- as integer microseconds since the epoch: compared in SQL, they must sort as numbers.

-- The notifier's own claim on each event, beside `processed_at` (which other readers use).
ALTER TABLE outbox ADD COLUMN notified_at TEXT;
-- Events written before the notifier existed are history: nobody is told about them now.
UPDATE outbox SET notified_at = created_at;
CREATE INDEX outbox_unnotified ON outbox (notified_at, id);

-- A parent's quiet hours (school-local minutes after midnight; none when both are NULL).
CREATE TABLE notify_settings (
    parent_id INTEGER PRIMARY KEY REFERENCES persons(id),
    school_id INTEGER NOT NULL REFERENCES schools(id),
    quiet_from INTEGER CHECK (quiet_from BETWEEN 0 AND 1439),
    quiet_to INTEGER CHECK (quiet_to BETWEEN 0 AND 1439),
    updated_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    CHECK ((quiet_from IS NULL) = (quiet_to IS NULL))
);

-- A parent's choice per kind of event; a kind without a row has its default.
CREATE TABLE notify_event_settings (
    parent_id INTEGER NOT NULL REFERENCES persons(id),
    school_id INTEGER NOT NULL REFERENCES schools(id),
    event TEXT NOT NULL CHECK (event IN ('final', 'exam', 'mark', 'homework', 'forecast')),
    channel TEXT NOT NULL CHECK (channel IN ('preferred', 'email', 'sms')),
    mode TEXT NOT NULL CHECK (mode IN ('immediate', 'daily', 'weekly', 'off')),
    PRIMARY KEY (parent_id, event)
);

-- Service integrations: outbox events of the listed topics, POSTed as JSON signed with the
-- secret (HMAC-SHA256). The secret must be kept to sign; it is shown once, when created.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    topics TEXT NOT NULL,
    description TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE INDEX webhooks_school ON webhooks (school_id, id);

-- One message to one recipient through one channel. The idempotency key (event, channel,
-- recipient; or digest/forecast, date, recipient) is unique: a worker that restarts after a
-- crash finds the row it made and never makes a second.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    school_id INTEGER REFERENCES schools(id),
    idempotency_key TEXT NOT NULL UNIQUE,
    event_id INTEGER REFERENCES outbox(id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
    parent_id INTEGER REFERENCES persons(id),
    student_id INTEGER REFERENCES persons(id),
    contact_id INTEGER REFERENCES contacts(id),
    webhook_id INTEGER REFERENCES webhooks(id),
    address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    urgent INTEGER NOT NULL CHECK (urgent IN (0, 1)),
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'dead', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    due_micros INTEGER NOT NULL,
    lease_micros INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    dead_at TEXT,
    resent_by INTEGER REFERENCES users(id),
    resent_at TEXT
);
-- What is due: pending by due time, and claims whose lease ran out.
CREATE INDEX deliveries_due ON deliveries (state, due_micros);
-- The dead-letter list of a school.
CREATE INDEX deliveries_school_state ON deliveries (school_id, state, id);

-- Every failed try, with its error (the dead-letter list shows the last; this the history).
CREATE TABLE delivery_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    attempt INTEGER NOT NULL,
    at TEXT NOT NULL,
    error TEXT NOT NULL
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);

-- Lines waiting for a parent's daily digest to one contact; `delivery_id` is set when the
-- digest that carries them is made. One line per event and contact.
CREATE TABLE digest_items (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    parent_id INTEGER NOT NULL REFERENCES persons(id),
    student_id INTEGER NOT NULL REFERENCES persons(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    event_id INTEGER NOT NULL REFERENCES outbox(id),
    line TEXT NOT NULL,
    created_at TEXT NOT NULL,
    delivery_id INTEGER REFERENCES deliveries(id),
    UNIQUE (event_id, contact_id)
);
CREATE INDEX digest_items_open ON digest_items (delivery_id, contact_id, id);

-- Runs done once per period (a school's weekly forecasts for a week): name → when.
CREATE TABLE notify_runs (
    name TEXT PRIMARY KEY,
    done_at TEXT NOT NULL
);
