-- The school's structure edited by its administrators (issue 16).
-- Keep in step with ../postgres/20261209000001_structure.sql: same tables, same columns.

-- A retired subject stays in history (journal, diary, finals) but is no longer offered for new
-- curriculum lines, teaching assignments or timetable lines. NULL: in use.
ALTER TABLE subjects ADD COLUMN retired_on TEXT;
