-- Exemptions (освобождение) of a pupil from a subject: the dates and the document they rest on
-- (a medical certificate, an order…). Recorded and ended by the school's administration; the
-- period and year finals falling inside one read «осв.» (written into final_marks by the app,
-- with the basis 'exemption', so every report reads them as it reads any final mark).
CREATE TABLE exemptions (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    student_id INTEGER NOT NULL REFERENCES students(person_id),
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    -- 'medical', 'order', 'other'.
    document_kind TEXT NOT NULL CHECK (document_kind IN ('medical', 'order', 'other')),
    document_number TEXT NOT NULL,
    document_date TEXT NOT NULL,
    document_note TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    ended_by INTEGER REFERENCES users(id),
    ended_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (starts_on <= ends_on)
);
CREATE INDEX exemptions_student ON exemptions (student_id, subject_id, starts_on);
CREATE INDEX exemptions_school ON exemptions (school_id, ends_on);
