-- Files attached to a lesson's homework (SQLite). The bytes live in the row: a school's files are
-- a few megabytes each and few per lesson, and one database keeps backups and transactions simple.
-- A deleted file keeps its row (and bytes) with `deleted_at` set: the journal loses no history;
-- lists and downloads skip it.

CREATE TABLE homework_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    lesson_id INTEGER NOT NULL REFERENCES lessons(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by INTEGER REFERENCES users(id),
    uploaded_by_person INTEGER REFERENCES persons(id),
    uploaded_at TEXT NOT NULL,
    deleted_at TEXT,
    deleted_by INTEGER REFERENCES users(id)
);
CREATE INDEX homework_files_lesson ON homework_files (lesson_id);
