-- Deferrals and academic debts in use: the journal a deferral was opened for (the teacher's
-- finals sheet), who resolved it and when the reminder at its end went out; how a debt arose
-- (a failing final mark, or a deferral that lapsed); documented illnesses that move a debt's
-- deadline; at most one open deferral per final-mark cell.

ALTER TABLE final_deferrals ADD COLUMN group_id INTEGER REFERENCES study_groups(id);
ALTER TABLE final_deferrals ADD COLUMN resolved_by INTEGER REFERENCES users(id);
ALTER TABLE final_deferrals ADD COLUMN reminded_at TEXT;
CREATE UNIQUE INDEX final_deferrals_one_open
    ON final_deferrals (student_id, subject_id, academic_year_id, slot) WHERE state = 'open';

-- 'final' (a failing final mark was set) or 'deferral' (a deferral lapsed).
ALTER TABLE academic_debts ADD COLUMN origin TEXT NOT NULL DEFAULT 'final';
ALTER TABLE academic_debts ADD COLUMN group_id INTEGER REFERENCES study_groups(id);
-- The failing value it arose with (the final mark's code).
ALTER TABLE academic_debts ADD COLUMN arisen_value TEXT NOT NULL DEFAULT 'na';
ALTER TABLE academic_debts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE INDEX academic_debts_student ON academic_debts (student_id, state);

CREATE TABLE debt_illnesses (
    id INTEGER PRIMARY KEY,
    debt_id INTEGER NOT NULL REFERENCES academic_debts(id),
    from_on TEXT NOT NULL,
    to_on TEXT NOT NULL,
    basis TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX debt_illnesses_debt ON debt_illnesses (debt_id);
