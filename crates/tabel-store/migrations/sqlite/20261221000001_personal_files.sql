-- Personal files (личное дело) of pupils who move to another school.
--
-- `personal_files`: each file this deployment issued, as JSON or as PDF, with the verification
-- code printed in it (`GET /verify/{code}` confirms it as it confirms extracts), the SHA-256 of
-- its canonical content and, for a PDF, of the PDF. Rows are never deleted.
--
-- `received_personal_files`: files another deployment issued, imported for a pupil of this one.
-- The document is kept as received (checked, canonical JSON); the record shows the years of the
-- latest issued one, the others stay listed. One pupil does not get the same file twice.
-- Keep in step with ../postgres/20261221000001_personal_files.sql: same tables, same columns.
CREATE TABLE personal_files (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    code TEXT NOT NULL UNIQUE,
    student_id INTEGER NOT NULL REFERENCES students(person_id),
    kind TEXT NOT NULL CHECK (kind IN ('json', 'pdf')),
    first_year INTEGER,
    last_year INTEGER,
    content_sha256 TEXT NOT NULL,
    pdf_sha256 TEXT NOT NULL DEFAULT '',
    issued_by INTEGER REFERENCES users(id),
    issued_at TEXT NOT NULL
);
CREATE INDEX personal_files_student ON personal_files (student_id, id);

CREATE TABLE received_personal_files (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    student_id INTEGER NOT NULL REFERENCES students(person_id),
    code TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    source_school TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    document TEXT NOT NULL,
    imported_by INTEGER REFERENCES users(id),
    imported_at TEXT NOT NULL,
    UNIQUE (student_id, sha256)
);
CREATE INDEX received_personal_files_student ON received_personal_files (student_id, issued_at);
