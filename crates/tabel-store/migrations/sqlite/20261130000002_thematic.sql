-- The thematic plan (КТП, тематическое планирование): per group × subject × year, ordered topics
-- with planned hours and lesson types (SQLite).

CREATE TABLE thematic_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    teacher_id INTEGER REFERENCES persons(id),
    group_id INTEGER NOT NULL REFERENCES study_groups(id),
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    source_name TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (group_id, subject_id, academic_year_id)
);
CREATE INDEX thematic_plans_teacher ON thematic_plans (teacher_id, academic_year_id);

-- A plan's topics in order; replaced as a whole with the plan.
CREATE TABLE plan_topics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    plan_id INTEGER NOT NULL REFERENCES thematic_plans(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    hours INTEGER NOT NULL CHECK (hours >= 1),
    lesson_type TEXT,
    UNIQUE (plan_id, position)
);
