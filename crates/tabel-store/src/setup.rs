//! What a school's set-up import compares a file with, read in one query per list (never one
//! per row), and the writes it makes that the other repositories do not offer.

use crate::{Conn, Result};
use tabel_domain::*;
use time::{Date, OffsetDateTime};

/// A person as the import compares them: the name parts as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonFacts {
    pub id: i64,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub sex: String,
    pub birth_date: Option<Date>,
}

/// A staff member of the school.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StaffFacts {
    #[sqlx(flatten)]
    pub person: PersonFacts,
    pub position: String,
    pub roles: String,
}

const SELECT_STAFF: &str = "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date, st.position, st.roles \
     FROM staff st JOIN persons p ON p.id = st.person_id WHERE st.school_id = $1 ORDER BY p.id";
/// The school's staff.
pub async fn staff(conn: &mut Conn<'_>, school: SchoolId) -> Result<Vec<StaffFacts>> {
    Ok(fetch_all!(conn, StaffFacts, SELECT_STAFF, school.get())?)
}

/// A pupil of the school, with the class they are in on a date.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PupilFacts {
    #[sqlx(flatten)]
    pub person: PersonFacts,
    pub snils: Option<String>,
    pub school_number: Option<String>,
    pub arrived_from: Option<String>,
    pub enrolled_on: Date,
    pub left_on: Option<Date>,
    /// The membership in a class of the year on the date, and the class.
    pub membership_id: Option<i64>,
    pub class_id: Option<i64>,
}

const SELECT_PUPILS: &str = "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date, p.snils, \
     s.school_number, s.arrived_from, s.enrolled_on, s.left_on, m.id AS membership_id, m.group_id AS class_id \
     FROM students s JOIN persons p ON p.id = s.person_id \
     LEFT JOIN memberships m ON m.student_id = s.person_id AND m.starts_on <= $3 \
         AND (m.ends_on IS NULL OR m.ends_on >= $3) \
         AND m.group_id IN (SELECT id FROM study_groups WHERE academic_year_id = $2 AND kind = 'class') \
     WHERE s.school_id = $1 ORDER BY p.id";
/// The school's pupils, each with their class of `year` on `on`.
pub async fn pupils(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    on: Date,
) -> Result<Vec<PupilFacts>> {
    Ok(fetch_all!(
        conn,
        PupilFacts,
        SELECT_PUPILS,
        school.get(),
        year.get(),
        on
    )?)
}

/// A parent named for a child: linked (guardianship) or invited.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ParentFacts {
    #[sqlx(flatten)]
    pub person: PersonFacts,
    pub student_id: i64,
    pub relation: String,
}

const SELECT_PARENTS: &str = "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date, \
     g.student_id, g.relation FROM guardianships g JOIN persons p ON p.id = g.parent_id \
     WHERE g.school_id = $1 AND g.ended_at IS NULL \
     UNION ALL \
     SELECT p.id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date, \
     i.student_id, i.relation FROM invitations i JOIN persons p ON p.id = i.parent_id \
     WHERE i.school_id = $1 AND i.used_at IS NULL \
     ORDER BY 1, 7";
/// Each parent × child pair of the school, linked or invited.
pub async fn parents(conn: &mut Conn<'_>, school: SchoolId) -> Result<Vec<ParentFacts>> {
    Ok(fetch_all!(conn, ParentFacts, SELECT_PARENTS, school.get())?)
}

/// A class of the year with its shift and current class teacher.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClassFacts {
    pub id: i64,
    pub name: String,
    pub grade: i64,
    pub shift: i64,
    pub class_teacher_row: Option<i64>,
    pub class_teacher: Option<i64>,
}

const SELECT_CLASSES: &str = "SELECT g.id, g.name, g.grade, g.shift, ct.id AS class_teacher_row, ct.teacher_id AS class_teacher \
     FROM study_groups g LEFT JOIN class_teachers ct ON ct.class_id = g.id AND ct.starts_on <= $2 \
         AND (ct.ends_on IS NULL OR ct.ends_on >= $2) \
     WHERE g.academic_year_id = $1 AND g.kind = 'class' ORDER BY g.sort_key";
/// The classes of a year, with class teachers on `on`.
pub async fn classes(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    on: Date,
) -> Result<Vec<ClassFacts>> {
    Ok(fetch_all!(
        conn,
        ClassFacts,
        SELECT_CLASSES,
        year.get(),
        on
    )?)
}

/// A subject of the school.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SubjectFacts {
    pub id: i64,
    pub name: String,
    pub short_name: String,
    pub sort_order: i64,
}

const SELECT_SUBJECTS: &str =
    "SELECT id, name, short_name, sort_order FROM subjects WHERE school_id = $1 ORDER BY id";
/// The school's subjects.
pub async fn subjects(conn: &mut Conn<'_>, school: SchoolId) -> Result<Vec<SubjectFacts>> {
    Ok(fetch_all!(
        conn,
        SubjectFacts,
        SELECT_SUBJECTS,
        school.get()
    )?)
}

/// A curriculum line of the year.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PlanFacts {
    pub id: i64,
    pub grade: Option<i64>,
    pub group_id: Option<i64>,
    pub subject_id: i64,
    pub hours_per_week_tenths: i64,
    pub part: String,
}

const SELECT_PLAN: &str = "SELECT id, grade, group_id, subject_id, hours_per_week_tenths, part \
     FROM curriculum_items WHERE academic_year_id = $1 ORDER BY id";
/// The year's curriculum lines.
pub async fn plan(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<PlanFacts>> {
    Ok(fetch_all!(conn, PlanFacts, SELECT_PLAN, year.get())?)
}

const UPDATE_PLAN: &str = "UPDATE curriculum_items SET hours_per_week_tenths = $2, hours_per_year = $3, part = $4 WHERE id = $1";
/// Sets a curriculum line's hours and part.
pub async fn update_plan(
    conn: &mut Conn<'_>,
    id: CurriculumItemId,
    weekly: calendar::WeeklyHours,
    yearly: u16,
    part: &str,
) -> Result<()> {
    execute!(
        conn,
        UPDATE_PLAN,
        id.get(),
        i64::from(weekly.tenths()),
        i64::from(yearly),
        part
    )?;
    Ok(())
}

const SET_PLAN_PART: &str = "UPDATE curriculum_items SET part = $2 WHERE id = $1";
/// Sets the part of a line just inserted.
pub async fn set_plan_part(conn: &mut Conn<'_>, id: CurriculumItemId, part: &str) -> Result<()> {
    execute!(conn, SET_PLAN_PART, id.get(), part)?;
    Ok(())
}

/// A teaching assignment of the year, current on a date.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AssignmentFacts {
    pub id: i64,
    pub teacher_id: i64,
    pub subject_id: i64,
    pub group_id: i64,
    pub hours_per_week_tenths: Option<i64>,
}

const SELECT_ASSIGNMENTS: &str = "SELECT id, teacher_id, subject_id, group_id, hours_per_week_tenths \
     FROM teaching_assignments WHERE academic_year_id = $1 AND starts_on <= $2 \
     AND (ends_on IS NULL OR ends_on >= $2) ORDER BY id";
/// The year's assignments current on `on`.
pub async fn assignments(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    on: Date,
) -> Result<Vec<AssignmentFacts>> {
    Ok(fetch_all!(
        conn,
        AssignmentFacts,
        SELECT_ASSIGNMENTS,
        year.get(),
        on
    )?)
}

const SET_ASSIGNMENT_HOURS: &str =
    "UPDATE teaching_assignments SET hours_per_week_tenths = $2 WHERE id = $1";
/// Sets an assignment's weekly hours.
pub async fn set_assignment_hours(
    conn: &mut Conn<'_>,
    id: AssignmentId,
    hours: Option<calendar::WeeklyHours>,
) -> Result<()> {
    execute!(
        conn,
        SET_ASSIGNMENT_HOURS,
        id.get(),
        hours.map(|h| i64::from(h.tenths()))
    )?;
    Ok(())
}

/// A line of the weekly timetable valid on a date.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SlotFacts {
    pub id: i64,
    pub group_id: i64,
    pub weekday: i64,
    pub number: i64,
    pub subject_id: i64,
    pub teacher_id: i64,
    pub room: String,
    pub valid_from: Date,
}

const SELECT_SLOTS: &str = "SELECT id, group_id, weekday, number, subject_id, teacher_id, room, valid_from \
     FROM timetable_entries WHERE academic_year_id = $1 AND (valid_to IS NULL OR valid_to >= $2) \
     AND valid_from <= $3 ORDER BY id";
/// The year's weekly lines valid on any day from `from` on, that start no later than `until`.
pub async fn slots(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    from: Date,
    until: Date,
) -> Result<Vec<SlotFacts>> {
    Ok(fetch_all!(
        conn,
        SlotFacts,
        SELECT_SLOTS,
        year.get(),
        from,
        until
    )?)
}

const DELETE_SLOT: &str = "DELETE FROM timetable_entries WHERE id = $1 \
     AND NOT EXISTS (SELECT 1 FROM lessons WHERE entry_id = $1)";
/// Removes a weekly line no lesson refers to; returns whether it was removed.
pub async fn delete_unused_slot(conn: &mut Conn<'_>, id: TimetableLineId) -> Result<bool> {
    Ok(execute!(conn, DELETE_SLOT, id.get())? > 0)
}

const UPDATE_PERSON: &str = "UPDATE persons SET last_name = $2, first_name = $3, middle_name = $4, sex = $5, \
     birth_date = $6, sort_key = $7 WHERE id = $1";
/// Rewrites a person's name, sex and birth date.
pub async fn update_person(
    conn: &mut Conn<'_>,
    id: PersonId,
    name: &text::PersonName,
    sex: school::Sex,
    birth_date: Option<Date>,
) -> Result<()> {
    execute!(
        conn,
        UPDATE_PERSON,
        id.get(),
        name.last.as_str(),
        name.first.as_str(),
        name.middle.as_ref().map(text::NamePart::as_str),
        sex.code(),
        birth_date,
        name.sort_key()
    )?;
    Ok(())
}

const SET_SNILS: &str = "UPDATE persons SET snils = $2 WHERE id = $1";
/// Sets a person's СНИЛС (11 digits).
pub async fn set_snils(conn: &mut Conn<'_>, id: PersonId, snils: Option<&str>) -> Result<()> {
    execute!(conn, SET_SNILS, id.get(), snils)?;
    Ok(())
}

const SET_PUPIL_FACTS: &str =
    "UPDATE students SET school_number = $2, arrived_from = $3 WHERE person_id = $1";
/// Sets a pupil's school number and where they came from.
pub async fn set_pupil_facts(
    conn: &mut Conn<'_>,
    id: PersonId,
    number: Option<&str>,
    arrived_from: Option<&str>,
) -> Result<()> {
    execute!(conn, SET_PUPIL_FACTS, id.get(), number, arrived_from)?;
    Ok(())
}

const SET_STAFF_FACTS: &str = "UPDATE staff SET position = $2, roles = $3 WHERE person_id = $1";
/// Sets a staff member's position and the roles their account gets.
pub async fn set_staff_facts(
    conn: &mut Conn<'_>,
    id: PersonId,
    position: &str,
    roles: &str,
) -> Result<()> {
    execute!(conn, SET_STAFF_FACTS, id.get(), position, roles)?;
    Ok(())
}

const UPDATE_SUBJECT: &str = "UPDATE subjects SET short_name = $2 WHERE id = $1";
/// Sets a subject's short name.
pub async fn set_subject_short_name(
    conn: &mut Conn<'_>,
    id: SubjectId,
    short_name: &str,
) -> Result<()> {
    execute!(conn, UPDATE_SUBJECT, id.get(), short_name)?;
    Ok(())
}

const END_CLASS_TEACHER: &str = "UPDATE class_teachers SET ends_on = $2 WHERE id = $1";
/// Ends a class-teacher appointment on its last day.
pub async fn end_class_teacher(conn: &mut Conn<'_>, row: i64, last_day: Date) -> Result<()> {
    execute!(conn, END_CLASS_TEACHER, row, last_day)?;
    Ok(())
}

const DELETE_CLASS_TEACHER: &str = "DELETE FROM class_teachers WHERE id = $1";
/// Removes an appointment that had not started yet.
pub async fn delete_class_teacher(conn: &mut Conn<'_>, row: i64) -> Result<()> {
    execute!(conn, DELETE_CLASS_TEACHER, row)?;
    Ok(())
}

const INSERT_INVITATION: &str = "INSERT INTO invitations (school_id, parent_id, student_id, relation, created_at) \
     VALUES ($1, $2, $3, $4, $5)";
/// Records that a parent is named for a child; the link waits for the invitation code.
pub async fn insert_invitation(
    conn: &mut Conn<'_>,
    school: SchoolId,
    parent: PersonId,
    student: PersonId,
    relation: school::Relation,
    at: OffsetDateTime,
) -> Result<()> {
    execute!(
        conn,
        INSERT_INVITATION,
        school.get(),
        parent.get(),
        student.get(),
        relation.code(),
        at
    )?;
    Ok(())
}

const SET_RELATION: &str = "UPDATE invitations SET relation = $3 WHERE parent_id = $1 AND student_id = $2 AND used_at IS NULL";
/// Changes the relation of a pending invitation.
pub async fn set_invitation_relation(
    conn: &mut Conn<'_>,
    parent: PersonId,
    student: PersonId,
    relation: school::Relation,
) -> Result<()> {
    execute!(
        conn,
        SET_RELATION,
        parent.get(),
        student.get(),
        relation.code()
    )?;
    Ok(())
}

const SET_GUARDIAN_RELATION: &str = "UPDATE guardianships SET relation = $3 WHERE parent_id = $1 AND student_id = $2 AND ended_at IS NULL";
/// Changes the relation of a link.
pub async fn set_guardianship_relation(
    conn: &mut Conn<'_>,
    parent: PersonId,
    student: PersonId,
    relation: school::Relation,
) -> Result<()> {
    execute!(
        conn,
        SET_GUARDIAN_RELATION,
        parent.get(),
        student.get(),
        relation.code()
    )?;
    Ok(())
}

const DELETE_MEMBERSHIP: &str = "DELETE FROM memberships WHERE id = $1";
/// Removes a membership that had not started before the change (its class was corrected).
pub async fn delete_membership(conn: &mut Conn<'_>, id: MembershipId) -> Result<()> {
    execute!(conn, DELETE_MEMBERSHIP, id.get())?;
    Ok(())
}

const END_MEMBERSHIP_ROW: &str = "UPDATE memberships SET ends_on = $2 WHERE id = $1";
/// Ends one membership on its last day.
pub async fn end_membership_row(
    conn: &mut Conn<'_>,
    id: MembershipId,
    last_day: Date,
) -> Result<()> {
    execute!(conn, END_MEMBERSHIP_ROW, id.get(), last_day)?;
    Ok(())
}

/// Memberships' first days, by id (to tell a correction from a move).
pub async fn membership_start(conn: &mut Conn<'_>, id: MembershipId) -> Result<Option<Date>> {
    const SQL: &str = "SELECT starts_on FROM memberships WHERE id = $1";
    Ok(fetch_optional!(conn, (Date,), SQL, id.get())?.map(|r| r.0))
}

/// A group of the year other than a class: a subgroup, a stream or an individual curriculum.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GroupFacts {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub grade: i64,
    pub shift: i64,
    /// The class of a subgroup or individual curriculum.
    pub parent_group_id: Option<i64>,
    pub subject_id: Option<i64>,
}

const SELECT_GROUPS: &str = "SELECT id, kind, name, grade, shift, parent_group_id, subject_id \
     FROM study_groups WHERE academic_year_id = $1 AND kind <> 'class' ORDER BY sort_key, id";
/// The year's groups other than classes.
pub async fn groups(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<GroupFacts>> {
    Ok(fetch_all!(conn, GroupFacts, SELECT_GROUPS, year.get())?)
}

const SELECT_STREAM_CLASSES: &str = "SELECT sc.stream_id, sc.class_id FROM stream_classes sc \
     JOIN study_groups g ON g.id = sc.stream_id WHERE g.academic_year_id = $1 \
     ORDER BY sc.stream_id, sc.class_id";
/// Which classes each stream of the year draws from: (stream, class).
pub async fn stream_classes(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<(i64, i64)>> {
    Ok(fetch_all!(
        conn,
        (i64, i64),
        SELECT_STREAM_CLASSES,
        year.get()
    )?)
}

/// A pupil's membership in a group other than a class, current on a date.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GroupMemberFacts {
    pub id: i64,
    pub group_id: i64,
    pub student_id: i64,
    pub starts_on: Date,
}

const SELECT_GROUP_MEMBERS: &str = "SELECT m.id, m.group_id, m.student_id, m.starts_on \
     FROM memberships m JOIN study_groups g ON g.id = m.group_id \
     WHERE g.academic_year_id = $1 AND g.kind <> 'class' AND m.starts_on <= $2 \
         AND (m.ends_on IS NULL OR m.ends_on >= $2) ORDER BY m.student_id, m.group_id";
/// Who is in which group (other than a class) of the year on `on`.
pub async fn group_members(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    on: Date,
) -> Result<Vec<GroupMemberFacts>> {
    Ok(fetch_all!(
        conn,
        GroupMemberFacts,
        SELECT_GROUP_MEMBERS,
        year.get(),
        on
    )?)
}

const SET_GROUP_FACTS: &str =
    "UPDATE study_groups SET parent_group_id = $2, subject_id = $3, shift = $4 WHERE id = $1";
/// A group's class, subject and shift, as its line in the lists says.
pub async fn set_group_facts(
    conn: &mut Conn<'_>,
    id: GroupId,
    class: Option<GroupId>,
    subject: Option<SubjectId>,
    shift: u8,
) -> Result<()> {
    execute!(
        conn,
        SET_GROUP_FACTS,
        id.get(),
        class.map(GroupId::get),
        subject.map(SubjectId::get),
        i64::from(shift)
    )?;
    Ok(())
}

const DELETE_STREAM_CLASSES: &str = "DELETE FROM stream_classes WHERE stream_id = $1";
const INSERT_STREAM_CLASS: &str =
    "INSERT INTO stream_classes (stream_id, class_id) VALUES ($1, $2)";
/// Replaces the classes a stream draws from.
pub async fn set_stream_classes(
    conn: &mut Conn<'_>,
    stream: GroupId,
    classes: &[GroupId],
) -> Result<()> {
    execute!(conn, DELETE_STREAM_CLASSES, stream.get())?;
    for c in classes {
        execute!(conn, INSERT_STREAM_CLASS, stream.get(), c.get())?;
    }
    Ok(())
}

/// A parent's live contact, as the import and the export compare them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ContactFacts {
    pub id: i64,
    pub parent_id: i64,
    pub kind: String,
    pub network: Option<String>,
    pub value: String,
    pub provenance: String,
    pub basis: String,
}

const SELECT_CONTACTS: &str = "SELECT id, parent_id, kind, network, value, provenance, basis \
     FROM contacts WHERE school_id = $1 AND removed_at IS NULL ORDER BY parent_id, id";
/// The live contacts of the school's parents.
pub async fn contacts(conn: &mut Conn<'_>, school: SchoolId) -> Result<Vec<ContactFacts>> {
    Ok(fetch_all!(
        conn,
        ContactFacts,
        SELECT_CONTACTS,
        school.get()
    )?)
}
