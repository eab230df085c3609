-- The class journal: grading policy, lesson records, marks, attendance, recommendations (SQLite).

-- A school's grading policy, versioned: a new version per change, never an update in place.
CREATE TABLE grading_policies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    UNIQUE (school_id, version)
);

-- What the teacher records on a lesson; its own version, apart from timetable changes.
ALTER TABLE lessons ADD COLUMN topic TEXT NOT NULL DEFAULT '';
ALTER TABLE lessons ADD COLUMN lesson_type TEXT;
ALTER TABLE lessons ADD COLUMN held INTEGER;
ALTER TABLE lessons ADD COLUMN homework TEXT NOT NULL DEFAULT '';
ALTER TABLE lessons ADD COLUMN homework_minutes INTEGER;
ALTER TABLE lessons ADD COLUMN homework_due_on TEXT;
ALTER TABLE lessons ADD COLUMN teacher_comment TEXT NOT NULL DEFAULT '';
ALTER TABLE lessons ADD COLUMN record_version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE marks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    student_id INTEGER NOT NULL REFERENCES persons(id),
    group_id INTEGER NOT NULL REFERENCES study_groups(id),
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    lesson_id INTEGER REFERENCES lessons(id),
    on_date TEXT NOT NULL,
    value TEXT NOT NULL,
    work_type TEXT NOT NULL,
    weight INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    debt_until TEXT,
    policy_version INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL
);
CREATE INDEX marks_group_subject_date ON marks (group_id, subject_id, on_date);
CREATE INDEX marks_student_date ON marks (student_id, on_date);
CREATE UNIQUE INDEX marks_cell ON marks (lesson_id, student_id, work_type) WHERE lesson_id IS NOT NULL;

CREATE TABLE attendance (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    lesson_id INTEGER NOT NULL REFERENCES lessons(id),
    student_id INTEGER NOT NULL REFERENCES persons(id),
    code TEXT NOT NULL,
    minutes_late INTEGER,
    reason TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    UNIQUE (lesson_id, student_id)
);
CREATE INDEX attendance_student ON attendance (student_id, lesson_id);

-- A teacher's note for a pupil and the family (рекомендации педагогов).
CREATE TABLE recommendations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    student_id INTEGER NOT NULL REFERENCES persons(id),
    subject_id INTEGER REFERENCES subjects(id),
    teacher_id INTEGER NOT NULL REFERENCES persons(id),
    body TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX recommendations_student ON recommendations (student_id, created_at);
