-- Closing periods for a part of the school, and closing the year.
--
-- A period is closed for classes: a row per (period, class). Closing it for a parallel or the
-- whole school writes the rows of those classes; `reporting_periods.locked_at` is set while every
-- class of the period's parallels has its row (the period is closed for the whole school), so
-- readers of the period alone still see a closed period as closed. A lesson of a subgroup follows
-- its class; a stream's lesson is closed as soon as one of its classes is.
CREATE TABLE period_locks (
    period_id INTEGER NOT NULL REFERENCES reporting_periods(id),
    class_id INTEGER NOT NULL REFERENCES study_groups(id),
    school_id INTEGER NOT NULL REFERENCES schools(id),
    locked_at TEXT NOT NULL,
    locked_by INTEGER REFERENCES users(id),
    PRIMARY KEY (period_id, class_id)
);
CREATE INDEX period_locks_class ON period_locks (class_id);

-- A closed (frozen) year: its journal takes only an administrator's corrections with a reason.
ALTER TABLE academic_years ADD COLUMN frozen_at TEXT;
ALTER TABLE academic_years ADD COLUMN frozen_by INTEGER REFERENCES users(id);

-- The year's archive, built once when the year is closed: the PDFs of each class's journals,
-- summary sheet and statistics, and the machine-readable export, with their SHA-256 (the
-- manifest). The bytes live in the row, so the backup of the database carries them.
CREATE TABLE year_archive_files (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    -- The class the file is of; NULL for the school's files (the export, the manifest).
    class_id INTEGER REFERENCES study_groups(id),
    -- 'journal', 'summary', 'statistics', 'export' (the year's journals and finals as JSON),
    -- 'manifest' (every other file's name, size and SHA-256, as JSON).
    kind TEXT NOT NULL CHECK (kind IN ('journal', 'summary', 'statistics', 'export', 'manifest')),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (academic_year_id, file_name)
);
CREATE INDEX year_archive_files_year ON year_archive_files (academic_year_id, class_id);
