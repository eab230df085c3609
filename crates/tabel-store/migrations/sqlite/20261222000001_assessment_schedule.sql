-- The schedule of assessment procedures as a document (issue 18, point 2).
--
-- `assessments.group_id`: the subgroup or stream that writes the procedure (NULL: the whole
-- class). A stream's procedure is stored once per class of the stream, all rows one work.
-- `assessments.work_id`: the first procedure of the same work written by another class of the
-- parallel (or by the other classes of a stream); NULL: a work of its own. The frequency rule is
-- checked per parallel and a work written class by class counts once.
--
-- `assessment_schedule_versions`: each approval of the school's schedule for a year, numbered
-- from 1, dated and signed by a deputy head, with the basis (an order) and, for a correction,
-- what changed; published to families once (published_at). Families see the latest published
-- version. `assessment_schedule_items`: the procedures as approved in a version (a copy: later
-- changes of the working schedule do not touch it). Rows are never changed or deleted.
-- Keep in step with ../postgres/20261222000001_assessment_schedule.sql: same tables, same columns.
ALTER TABLE assessments ADD COLUMN group_id INTEGER REFERENCES study_groups(id);
ALTER TABLE assessments ADD COLUMN work_id INTEGER;
CREATE INDEX assessments_work ON assessments (work_id);

CREATE TABLE assessment_schedule_versions (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    version INTEGER NOT NULL,
    approved_on TEXT NOT NULL,
    approved_by INTEGER NOT NULL REFERENCES users(id),
    approved_at TEXT NOT NULL,
    basis TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    published_by INTEGER REFERENCES users(id),
    UNIQUE (school_id, academic_year_id, version)
);

CREATE TABLE assessment_schedule_items (
    version_id INTEGER NOT NULL REFERENCES assessment_schedule_versions(id),
    assessment_id INTEGER NOT NULL,
    class_id INTEGER NOT NULL REFERENCES study_groups(id),
    group_id INTEGER REFERENCES study_groups(id),
    work_id INTEGER,
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    on_date TEXT NOT NULL,
    number INTEGER NOT NULL,
    level TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (version_id, assessment_id)
);
CREATE INDEX assessment_schedule_items_class ON assessment_schedule_items (class_id, version_id);
