-- The next year built from the previous one, and the promotion order (переводной приказ) (SQLite).
-- Keep in step with ../postgres/20261220000001_promotion.sql.

-- A year built from the previous one is a draft until the deputy head confirms it: until then
-- no pupil is placed into its classes, so families see nothing of it.
ALTER TABLE academic_years ADD COLUMN built_from INTEGER REFERENCES academic_years(id);
ALTER TABLE academic_years ADD COLUMN draft INTEGER NOT NULL DEFAULT 0 CHECK (draft IN (0, 1));
ALTER TABLE academic_years ADD COLUMN confirmed_at TEXT;
ALTER TABLE academic_years ADD COLUMN confirmed_by INTEGER REFERENCES users(id);

-- The class a class was carried up from (5А of 2026/2027 → 6А of 2027/2028).
ALTER TABLE study_groups ADD COLUMN carried_from INTEGER REFERENCES study_groups(id);

-- A promotion order for a class or a parallel of a year: a draft the deputy head edits, then
-- issued (immutable); a correction is a new order that amends an issued one.
CREATE TABLE promotion_orders (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 11),
    -- NULL for the whole parallel.
    class_id INTEGER REFERENCES study_groups(id),
    number TEXT NOT NULL DEFAULT '',
    order_date TEXT,
    state TEXT NOT NULL CHECK (state IN ('draft', 'issued')),
    amends INTEGER REFERENCES promotion_orders(id),
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    issued_by INTEGER REFERENCES users(id),
    issued_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX promotion_orders_school ON promotion_orders (school_id, academic_year_id, grade);

-- A pupil's line: the outcome proposed from the year's finals and debts, the one the order
-- says, and where it places the pupil. `placed` is 1 once the membership in the next year's
-- class exists (a draft year gets it when confirmed).
CREATE TABLE promotion_lines (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES promotion_orders(id),
    school_id INTEGER NOT NULL REFERENCES schools(id),
    student_id INTEGER NOT NULL REFERENCES students(person_id),
    from_class_id INTEGER NOT NULL REFERENCES study_groups(id),
    proposed TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN
        ('promoted', 'conditional', 'repeat', 'graduated', 'continues', 'left')),
    left_on TEXT,
    basis TEXT NOT NULL DEFAULT '',
    -- The open debts when the line was written: a JSON array of {subject, deadline}.
    debts TEXT NOT NULL DEFAULT '[]',
    to_class_id INTEGER REFERENCES study_groups(id),
    placed INTEGER NOT NULL DEFAULT 0 CHECK (placed IN (0, 1)),
    UNIQUE (order_id, student_id)
);
CREATE INDEX promotion_lines_student ON promotion_lines (student_id);
