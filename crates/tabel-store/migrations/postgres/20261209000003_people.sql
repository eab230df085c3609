-- The school's people (issue 16): a pupil's leaving with its order, and regional
-- administrators. Keep in step with ../sqlite/20261209000003_people.sql: same tables, same
-- columns.

-- Where a pupil went, and the order (приказ) that records the leaving.
ALTER TABLE students ADD COLUMN left_to TEXT;
ALTER TABLE students ADD COLUMN leaving_order_number TEXT;
ALTER TABLE students ADD COLUMN leaving_order_date DATE;

-- A regional administrator creates the region's schools with their first administrators and
-- reads their list; the role carries no school and no pupil's data.
CREATE TABLE region_admins (
    user_id BIGINT NOT NULL REFERENCES users(id),
    region_id BIGINT NOT NULL REFERENCES regions(id),
    PRIMARY KEY (user_id, region_id)
);
CREATE INDEX region_admins_region ON region_admins (region_id);
