-- Paper extracts (выписки, regulation point 2) issued from the journal: what, for whom, for which
-- period or dates, when, by whom, how, and to whom the paper was handed. Each extract carries a
-- short verification code printed on it (`GET /verify/{code}` shows that it was issued, when,
-- by which school, and the SHA-256 of the PDF it was printed from). Extracts printed together
-- (a class in one PDF) share a batch and the PDF's hash; `content_sha256` is the hash of the
-- pupil's own data as printed. Rows are never deleted; only "handed to" is edited (audited).
-- Keep in step with ../postgres/20261205000001_extracts.sql: same tables, same columns.
CREATE TABLE extracts (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    code TEXT NOT NULL UNIQUE,
    batch TEXT NOT NULL,
    student_id INTEGER NOT NULL REFERENCES students(person_id),
    class_id INTEGER REFERENCES study_groups(id),
    period_id INTEGER REFERENCES reporting_periods(id),
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL,
    with_homework INTEGER NOT NULL DEFAULT 0 CHECK (with_homework IN (0, 1)),
    -- 'paper': printed by the school for the family; 'download': the representative took it
    -- from the cabinet.
    channel TEXT NOT NULL CHECK (channel IN ('paper', 'download')),
    pdf_sha256 TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    signer TEXT NOT NULL,
    issued_by INTEGER REFERENCES users(id),
    issued_at TEXT NOT NULL,
    handed_to TEXT NOT NULL DEFAULT '',
    handed_by INTEGER REFERENCES users(id),
    handed_at TEXT,
    CHECK (from_date <= to_date)
);
CREATE INDEX extracts_student ON extracts (student_id, id);
CREATE INDEX extracts_class ON extracts (class_id, id);
CREATE INDEX extracts_school ON extracts (school_id, id);
