-- Timetable: bell schedule, weekly timetable entries with validity ranges, dated lessons (SQLite).

-- Which shift a class studies in (1 or 2); subgroups follow their class.
ALTER TABLE study_groups ADD COLUMN shift INTEGER NOT NULL DEFAULT 1;

-- A worked day (transfer) follows the timetable of this weekday (1 = Monday); NULL = Monday.
ALTER TABLE holidays ADD COLUMN as_weekday INTEGER;

CREATE TABLE bell_slots (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    shift INTEGER NOT NULL,
    variant TEXT NOT NULL,
    number INTEGER NOT NULL,
    starts_min INTEGER NOT NULL,
    ends_min INTEGER NOT NULL,
    UNIQUE (academic_year_id, shift, variant, number)
);

CREATE TABLE bell_days (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    on_date TEXT NOT NULL,
    variant TEXT NOT NULL,
    UNIQUE (academic_year_id, on_date)
);

CREATE TABLE timetable_entries (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    group_id INTEGER NOT NULL REFERENCES study_groups(id),
    weekday INTEGER NOT NULL,
    number INTEGER NOT NULL,
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    teacher_id INTEGER NOT NULL REFERENCES persons(id),
    room TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX timetable_group ON timetable_entries (group_id, weekday, number);
CREATE INDEX timetable_year ON timetable_entries (academic_year_id, weekday, number);

-- AUTOINCREMENT: a regenerated lesson must never take the id of a deleted one (clients keep ids).
CREATE TABLE lessons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    group_id INTEGER NOT NULL REFERENCES study_groups(id),
    on_date TEXT NOT NULL,
    number INTEGER NOT NULL,
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    teacher_id INTEGER NOT NULL REFERENCES persons(id),
    room TEXT NOT NULL,
    status TEXT NOT NULL,
    entry_id INTEGER REFERENCES timetable_entries(id),
    original_teacher_id INTEGER REFERENCES persons(id),
    original_date TEXT,
    original_number INTEGER,
    reason TEXT,
    has_journal_data INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX lessons_group_date ON lessons (group_id, on_date, number);
CREATE INDEX lessons_teacher_date ON lessons (teacher_id, on_date, number);
CREATE INDEX lessons_year_date ON lessons (academic_year_id, on_date, number);

-- The schedule of assessment procedures (график оценочных процедур).
CREATE TABLE assessments (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    class_id INTEGER NOT NULL REFERENCES study_groups(id),
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    on_date TEXT NOT NULL,
    number INTEGER NOT NULL,
    level TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    title TEXT NOT NULL,
    override_reason TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX assessments_class ON assessments (class_id, on_date);
CREATE INDEX assessments_year ON assessments (academic_year_id, on_date);

-- A class's week includes the streams it feeds: look streams up by class.
CREATE INDEX stream_classes_class ON stream_classes (class_id);
