-- The school model, accounts, sessions, audit log and outbox (SQLite).
-- Keep in step with ../postgres/20261128000001_foundation.sql: same tables, same columns.

CREATE TABLE regions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE municipalities (
    id INTEGER PRIMARY KEY,
    region_id INTEGER NOT NULL REFERENCES regions(id),
    name TEXT NOT NULL,
    UNIQUE (region_id, name)
);

CREATE TABLE schools (
    id INTEGER PRIMARY KEY,
    municipality_id INTEGER NOT NULL REFERENCES municipalities(id),
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX schools_municipality ON schools (municipality_id);

CREATE TABLE academic_years (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    start_year INTEGER NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    UNIQUE (school_id, start_year)
);

CREATE TABLE parallels (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 11),
    week_days INTEGER NOT NULL CHECK (week_days IN (5, 6)),
    period_kind TEXT NOT NULL,
    UNIQUE (academic_year_id, grade)
);

CREATE TABLE reporting_periods (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    kind TEXT NOT NULL,
    number INTEGER NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    locked_at TEXT,
    UNIQUE (academic_year_id, kind, number)
);

CREATE TABLE holidays (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    only_grade INTEGER
);
CREATE INDEX holidays_year ON holidays (academic_year_id, starts_on);

CREATE TABLE subjects (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    sort_order INTEGER NOT NULL,
    UNIQUE (school_id, name)
);

CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    middle_name TEXT,
    sex TEXT NOT NULL,
    birth_date TEXT,
    sort_key TEXT NOT NULL
);
CREATE INDEX persons_school_sort ON persons (school_id, sort_key);

CREATE TABLE students (
    person_id INTEGER PRIMARY KEY REFERENCES persons(id),
    school_id INTEGER NOT NULL REFERENCES schools(id),
    enrolled_on TEXT NOT NULL,
    left_on TEXT
);
CREATE INDEX students_school ON students (school_id);

CREATE TABLE staff (
    person_id INTEGER PRIMARY KEY REFERENCES persons(id),
    school_id INTEGER NOT NULL REFERENCES schools(id),
    position TEXT NOT NULL
);
CREATE INDEX staff_school ON staff (school_id);

CREATE TABLE study_groups (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    grade INTEGER NOT NULL,
    parent_group_id INTEGER REFERENCES study_groups(id),
    subject_id INTEGER REFERENCES subjects(id),
    sort_key TEXT NOT NULL
);
CREATE INDEX study_groups_year ON study_groups (school_id, academic_year_id, kind, sort_key);
CREATE INDEX study_groups_parent ON study_groups (parent_group_id);

-- Streams span classes: which classes a stream draws from.
CREATE TABLE stream_classes (
    stream_id INTEGER NOT NULL REFERENCES study_groups(id),
    class_id INTEGER NOT NULL REFERENCES study_groups(id),
    PRIMARY KEY (stream_id, class_id)
);

CREATE TABLE memberships (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    group_id INTEGER NOT NULL REFERENCES study_groups(id),
    student_id INTEGER NOT NULL REFERENCES students(person_id),
    starts_on TEXT NOT NULL,
    ends_on TEXT
);
CREATE INDEX memberships_group ON memberships (group_id, starts_on);
CREATE INDEX memberships_student ON memberships (student_id, starts_on);

CREATE TABLE guardianships (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    parent_id INTEGER NOT NULL REFERENCES persons(id),
    student_id INTEGER NOT NULL REFERENCES students(person_id),
    relation TEXT NOT NULL,
    confirmed_at TEXT NOT NULL,
    confirmed_by INTEGER,
    ended_at TEXT
);
CREATE INDEX guardianships_parent ON guardianships (parent_id);
CREATE INDEX guardianships_student ON guardianships (student_id);

CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    parent_id INTEGER NOT NULL REFERENCES persons(id),
    student_id INTEGER NOT NULL REFERENCES students(person_id),
    purpose TEXT NOT NULL,
    state TEXT NOT NULL,
    text_version TEXT NOT NULL,
    basis TEXT NOT NULL,
    recorded_by INTEGER,
    recorded_at TEXT NOT NULL
);
CREATE INDEX consents_pair ON consents (parent_id, student_id, purpose, id);

CREATE TABLE curriculum_items (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    grade INTEGER,
    group_id INTEGER REFERENCES study_groups(id),
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    hours_per_week_tenths INTEGER NOT NULL,
    hours_per_year INTEGER NOT NULL,
    CHECK ((grade IS NULL) <> (group_id IS NULL))
);
CREATE INDEX curriculum_year ON curriculum_items (academic_year_id, grade);

CREATE TABLE teaching_assignments (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    teacher_id INTEGER NOT NULL REFERENCES staff(person_id),
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    group_id INTEGER NOT NULL REFERENCES study_groups(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT
);
CREATE INDEX assignments_teacher ON teaching_assignments (teacher_id);
CREATE INDEX assignments_group ON teaching_assignments (group_id);

CREATE TABLE class_teachers (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    class_id INTEGER NOT NULL REFERENCES study_groups(id),
    teacher_id INTEGER NOT NULL REFERENCES staff(person_id),
    starts_on TEXT NOT NULL,
    ends_on TEXT
);
CREATE INDEX class_teachers_teacher ON class_teachers (teacher_id);
CREATE INDEX class_teachers_class ON class_teachers (class_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    person_id INTEGER REFERENCES persons(id),
    display_name TEXT NOT NULL,
    school_id INTEGER REFERENCES schools(id),
    locale TEXT NOT NULL,
    failed_logins INTEGER NOT NULL,
    locked_until TEXT,
    disabled_at TEXT,
    password_changed_at TEXT,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX users_person ON users (person_id);
CREATE INDEX users_school ON users (school_id, login);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    PRIMARY KEY (user_id, role, school_id)
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    origin TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_heads (
    chain_id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    chain_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    at_micros INTEGER NOT NULL,
    actor_user_id INTEGER,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    reason TEXT,
    origin TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (chain_id, seq)
);
CREATE INDEX audit_entity ON audit_log (entity, entity_id);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    school_id INTEGER,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    processed_at TEXT
);
CREATE INDEX outbox_pending ON outbox (processed_at, id);
