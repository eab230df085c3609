-- Final marks (regulation points 3–6): a pupil's mark in a subject for a slot of the year — a
-- reporting period (`p<id>`), the year, the exam, the итоговая — with the proposal it was set
-- against and why it differs; deferrals for illness; academic debts with their retakes; exam
-- results as received, with when they became visible to the family.

CREATE TABLE final_marks (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    student_id INTEGER NOT NULL REFERENCES students(person_id),
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    -- The journal it was proposed from (the class, a subgroup, a stream).
    group_id INTEGER REFERENCES study_groups(id),
    -- 'p<period id>', 'year', 'exam', 'final'.
    slot TEXT NOT NULL,
    period_id INTEGER REFERENCES reporting_periods(id),
    -- '5', 'na', 'exempt', 'pass', 'fail'.
    value TEXT NOT NULL,
    -- What the journal proposed when it was set, and on which basis.
    proposal TEXT,
    proposal_basis TEXT,
    -- Why the value differs from the proposal, or why a closed period was corrected.
    reason TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    set_by INTEGER REFERENCES users(id),
    set_at TEXT NOT NULL,
    -- When the family could first see it (the diary shows a final mark as soon as it is set).
    published_at TEXT,
    UNIQUE (student_id, subject_id, academic_year_id, slot)
);
CREATE INDEX final_marks_year ON final_marks (academic_year_id, slot, subject_id);
CREATE INDEX final_marks_group ON final_marks (group_id, subject_id, slot);

-- A deferral (отсрочка) of a final mark for illness: from, to, on which basis (an order, a
-- medical document). When it ends the mark is set, or the pupil is н/а: an academic debt.
CREATE TABLE final_deferrals (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    student_id INTEGER NOT NULL REFERENCES students(person_id),
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    slot TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    basis TEXT NOT NULL,
    -- 'open', 'resolved' (a mark was set), 'lapsed' (ended without one: н/а and a debt).
    state TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    resolved_at TEXT
);
CREATE INDEX final_deferrals_student ON final_deferrals (student_id, subject_id, slot);
CREATE INDEX final_deferrals_open ON final_deferrals (school_id, state, ends_on);

-- An academic debt: a failing final mark or н/а, retaken at most twice within a year of its
-- arising (time ill not counted), until closed with a passing mark or the term runs out.
CREATE TABLE academic_debts (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    student_id INTEGER NOT NULL REFERENCES students(person_id),
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    slot TEXT NOT NULL,
    arisen_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    -- Days of illness after it arose, which move the deadline.
    illness_days INTEGER NOT NULL DEFAULT 0,
    -- 'open', 'closed' (passed), 'expired' (the term ran out).
    state TEXT NOT NULL,
    result TEXT,
    closed_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (student_id, subject_id, academic_year_id, slot)
);
CREATE INDEX academic_debts_school ON academic_debts (school_id, state, deadline);

CREATE TABLE debt_retakes (
    id INTEGER PRIMARY KEY,
    debt_id INTEGER NOT NULL REFERENCES academic_debts(id),
    attempt INTEGER NOT NULL,
    on_date TEXT NOT NULL,
    value TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    UNIQUE (debt_id, attempt)
);

-- Exam results as received (ОГЭ, ЕГЭ, ВПР, итоговое собеседование, school exams): when the
-- school received them and when the family could first see them; overdue when that takes more
-- than a day.
CREATE TABLE exam_results (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    academic_year_id INTEGER NOT NULL REFERENCES academic_years(id),
    student_id INTEGER NOT NULL REFERENCES students(person_id),
    -- 'oge', 'ege', 'vpr', 'interview', 'school'.
    exam TEXT NOT NULL,
    subject_id INTEGER REFERENCES subjects(id),
    subject_name TEXT NOT NULL,
    taken_on TEXT,
    -- Primary score, the mark (or зачёт), as the source gives them.
    score INTEGER,
    mark TEXT NOT NULL,
    source TEXT NOT NULL,
    received_at TEXT NOT NULL,
    imported_by INTEGER REFERENCES users(id),
    published_at TEXT
);
CREATE INDEX exam_results_student ON exam_results (student_id, exam);
CREATE INDEX exam_results_school ON exam_results (school_id, received_at);

-- Proposals for a whole school read a period's marks of the school at once: a covering index,
-- so the read never visits the table.
CREATE INDEX marks_school_date ON marks (school_id, on_date, student_id, subject_id, value, weight);
