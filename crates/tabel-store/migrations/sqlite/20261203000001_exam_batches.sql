-- Exam results arrive as files (regulation point 6): each import is a batch — which exam, the
-- file it came from (with its hash, so the same file is not imported twice), when the school
-- received it (the day to publish counts from then), who imported it. The batch's rows are the
-- exam_results that point at it; rows without a batch were written some other way.
CREATE TABLE exam_batches (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    -- 'oge', 'ege', 'vpr', 'interview', 'school'.
    exam TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    received_at TEXT NOT NULL,
    imported_by INTEGER REFERENCES users(id),
    imported_at TEXT NOT NULL,
    row_count INTEGER NOT NULL
);
CREATE INDEX exam_batches_school ON exam_batches (school_id, id);
CREATE INDEX exam_batches_file ON exam_batches (school_id, sha256);

ALTER TABLE exam_results ADD COLUMN batch_id INTEGER REFERENCES exam_batches(id);
CREATE INDEX exam_results_batch ON exam_results (batch_id);
-- The dashboard of overdue publications reads the unpublished rows of a school.
CREATE INDEX exam_results_unpublished ON exam_results (school_id, published_at);
