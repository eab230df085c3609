-- Absence notes from families (объяснительная, справка): a legal representative says why the
-- pupil was away and for which dates, with an optional scan; the class teacher of the pupil's
-- class (kept as it was when the note was sent) accepts or rejects it with a comment. An
-- accepted note excuses the pupil's unexcused absences within its dates, and those recorded
-- later within them. The scan's bytes stay in the row, read only for a download.
CREATE TABLE absence_notes (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    student_id INTEGER NOT NULL REFERENCES persons(id),
    class_id INTEGER NOT NULL REFERENCES study_groups(id),
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL CHECK (to_date >= from_date),
    reason TEXT NOT NULL CHECK (reason IN ('illness', 'family', 'other')),
    text TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    comment TEXT NOT NULL,
    sent_by INTEGER NOT NULL REFERENCES persons(id),
    sent_by_user INTEGER REFERENCES users(id),
    sent_at TEXT NOT NULL,
    decided_by INTEGER REFERENCES persons(id),
    decided_by_user INTEGER REFERENCES users(id),
    decided_at TEXT,
    excused INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    scan_name TEXT,
    scan_type TEXT,
    scan_size INTEGER,
    scan_sha256 TEXT,
    scan_content BLOB
);
CREATE INDEX absence_notes_student ON absence_notes (student_id, from_date);
CREATE INDEX absence_notes_class ON absence_notes (school_id, state, class_id, id);
-- The daily upload cap counts the scans too.
CREATE INDEX absence_notes_uploader ON absence_notes (sent_by_user, sent_at);
