-- A real school's set-up (issue 16): what its lists carry, the teaching load's hours, accounts
-- handed out with one-time passwords, and parents' invitation codes.
-- Keep in step with ../postgres/20261208000001_setup.sql: same tables, same columns.

-- The school's card.
ALTER TABLE schools ADD COLUMN code TEXT;
ALTER TABLE schools ADD COLUMN address TEXT;
ALTER TABLE schools ADD COLUMN director TEXT;

-- СНИЛС as 11 digits; the school's own number of a pupil (личное дело). Each identifies one
-- person of the school, so an import matches by them.
ALTER TABLE persons ADD COLUMN snils TEXT;
CREATE UNIQUE INDEX persons_snils ON persons (school_id, snils) WHERE snils IS NOT NULL;
ALTER TABLE students ADD COLUMN school_number TEXT;
CREATE UNIQUE INDEX students_number ON students (school_id, school_number)
    WHERE school_number IS NOT NULL;
-- Where a pupil came from (arrival) and went to (leaving, with the order).
ALTER TABLE students ADD COLUMN arrived_from TEXT;

-- The roles a staff member's account is given when it is handed out (codes, comma-separated).
ALTER TABLE staff ADD COLUMN roles TEXT NOT NULL DEFAULT 'teacher';

-- The teaching load (нагрузка): hours a week, in tenths; NULL where nobody said.
ALTER TABLE teaching_assignments ADD COLUMN hours_per_week_tenths INTEGER;

-- The curriculum's two parts: compulsory, and the part chosen by the participants.
ALTER TABLE curriculum_items ADD COLUMN part TEXT NOT NULL DEFAULT 'compulsory'
    CHECK (part IN ('compulsory', 'chosen'));

-- An account handed out with a one-time password must set its own at the first login.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
    CHECK (must_change_password IN (0, 1));

-- A parent named in the school's lists as a child's legal representative. The link
-- (guardianship) is made only when the parent's account redeems the invitation code printed in
-- the login letter: the paper reaching the parent is what confirms the account is theirs.
-- code_hash is NULL until a letter is printed; a new letter replaces the code.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    parent_id INTEGER NOT NULL REFERENCES persons(id),
    student_id INTEGER NOT NULL REFERENCES students(person_id),
    relation TEXT NOT NULL,
    code_hash TEXT UNIQUE,
    expires_at TEXT,
    created_at TEXT NOT NULL,
    used_at TEXT,
    used_by INTEGER REFERENCES users(id),
    UNIQUE (parent_id, student_id)
);
CREATE INDEX invitations_student ON invitations (student_id);

-- Failed attempts to redeem an invitation code, per account: a few an hour, then a pause. Kept
-- in the database so that a restart or a second server process does not reset the count.
CREATE TABLE invitation_attempts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    at TEXT NOT NULL
);
CREATE INDEX invitation_attempts_user ON invitation_attempts (user_id, at);

-- A forgotten password: a code sent to the account holder's confirmed contact. Only its hash is
-- kept; it expires, is tried at most five times, and a new one replaces it.
CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used_at TEXT
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
