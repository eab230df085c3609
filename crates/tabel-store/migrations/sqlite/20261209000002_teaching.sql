-- The school's teaching structure edited by its administrators (issue 16): a staff member who
-- has left the school, from the day after their last day.
-- Keep in step with ../postgres/20261209000002_teaching.sql: same tables, same columns.

-- The staff member's last day at the school; NULL while they work there.
ALTER TABLE staff ADD COLUMN left_on TEXT;
