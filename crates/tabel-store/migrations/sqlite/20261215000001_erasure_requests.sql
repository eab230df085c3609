-- A legal representative's request to erase their personal data (152-ФЗ, art. 14 and 21): made
-- in the cabinet with an optional comment, decided by the school's administrator (carried out
-- or refused with a reason). The request stays as the record of what was asked and done; the
-- requester is then shown by the pseudonym their person row carries.
CREATE TABLE erasure_requests (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    parent_id INTEGER NOT NULL REFERENCES persons(id),
    comment TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'carried_out', 'refused')),
    requested_at TEXT NOT NULL,
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    reason TEXT NOT NULL
);
CREATE INDEX erasure_requests_school ON erasure_requests (school_id, state, id);
CREATE INDEX erasure_requests_parent ON erasure_requests (parent_id, id);
