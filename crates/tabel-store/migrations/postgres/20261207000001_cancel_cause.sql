-- Why a lesson was cancelled, as a code the statistics can count: the teacher was away, the
-- class was (quarantine, an excursion), or something else. The free-text reason stays beside
-- it. Lessons cancelled before this column existed keep NULL (statistics read their reason).
-- Keep in step with ../sqlite/20261207000001_cancel_cause.sql.
ALTER TABLE lessons ADD COLUMN cause TEXT
    CHECK (cause IS NULL OR cause IN ('teacher_absent', 'class_absent', 'other'));
