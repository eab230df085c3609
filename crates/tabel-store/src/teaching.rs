//! The teaching structure as administrators edit it: the load table, groups and their pupils'
//! dated memberships, curriculum lines, staff with roles — and what depends on each, counted
//! in one query, so that a refusal can name it. Inserts and simple updates the other
//! repositories already offer ([`crate::school`], [`crate::setup`]) are not repeated here.

use crate::{Conn, Result, StoreError};
use tabel_domain::calendar::WeeklyHours;
use tabel_domain::school::{AcademicYear, GroupKind, Role};
use tabel_domain::setup::values::CurriculumPart;
use tabel_domain::teaching::{
    AssignmentLine, Dependants, MembershipLine, PlanLine, Span, roles_of_text,
};
use tabel_domain::*;
use time::Date;

/// The end of an open range in a comparison: a date both databases order after every real one
/// (`Date::MAX` has a sign and six digits, which SQLite would compare as text).
const FAR: Date = time::macros::date!(9999 - 12 - 31);

fn tenths(v: i64) -> Result<WeeklyHours> {
    u16::try_from(v)
        .map(WeeklyHours::from_tenths)
        .map_err(|_| StoreError::Corrupt(format!("hours {v} out of range")))
}

fn small(v: i64) -> Result<u8> {
    u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("{v} out of range")))
}

#[derive(sqlx::FromRow)]
struct YearRow {
    id: i64,
    school_id: i64,
    start_year: i64,
    starts_on: Date,
    ends_on: Date,
}

/// The school's academic years, latest first.
pub async fn years_of_school(conn: &mut Conn<'_>, school: SchoolId) -> Result<Vec<AcademicYear>> {
    const SQL: &str = "SELECT id, school_id, start_year, starts_on, ends_on FROM academic_years \
         WHERE school_id = $1 ORDER BY start_year DESC";
    Ok(fetch_all!(conn, YearRow, SQL, school.get())?
        .into_iter()
        .map(|r| AcademicYear {
            id: AcademicYearId::new(r.id),
            school: SchoolId::new(r.school_id),
            label: format!("{}/{}", r.start_year, r.start_year + 1),
            starts_on: r.starts_on,
            ends_on: r.ends_on,
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Teaching assignments.

#[derive(sqlx::FromRow)]
struct AssignmentRow {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    teacher_id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    group_id: i64,
    group_name: String,
    group_kind: String,
    subject_id: i64,
    subject_name: String,
    hours_per_week_tenths: Option<i64>,
    starts_on: Date,
    ends_on: Option<Date>,
}

impl TryFrom<AssignmentRow> for AssignmentLine {
    type Error = StoreError;
    fn try_from(r: AssignmentRow) -> Result<Self> {
        Ok(AssignmentLine {
            id: AssignmentId::new(r.id),
            school: SchoolId::new(r.school_id),
            year: AcademicYearId::new(r.academic_year_id),
            teacher: PersonId::new(r.teacher_id),
            teacher_name: text::short_name(&r.last_name, &r.first_name, r.middle_name.as_deref()),
            group: GroupId::new(r.group_id),
            group_name: r.group_name,
            group_kind: GroupKind::from_code(&r.group_kind)?,
            subject: SubjectId::new(r.subject_id),
            subject_name: r.subject_name,
            hours: r.hours_per_week_tenths.map(tenths).transpose()?,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
        })
    }
}

macro_rules! assignment_lines {
    ($tail:literal) => {
        concat!(
            "SELECT ta.id, ta.school_id, ta.academic_year_id, ta.teacher_id, p.last_name, p.first_name, \
             p.middle_name, ta.group_id, g.name AS group_name, g.kind AS group_kind, ta.subject_id, \
             s.name AS subject_name, ta.hours_per_week_tenths, ta.starts_on, ta.ends_on \
             FROM teaching_assignments ta JOIN persons p ON p.id = ta.teacher_id \
             JOIN study_groups g ON g.id = ta.group_id JOIN subjects s ON s.id = ta.subject_id ",
            $tail
        )
    };
}

/// The load table of a year: by teacher, group, subject, start.
pub async fn assignment_lines(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
) -> Result<Vec<AssignmentLine>> {
    const SQL: &str = assignment_lines!(
        "WHERE ta.academic_year_id = $1 ORDER BY p.sort_key, p.id, g.sort_key, s.sort_order, ta.starts_on, ta.id"
    );
    fetch_all!(conn, AssignmentRow, SQL, year.get())?
        .into_iter()
        .map(AssignmentLine::try_from)
        .collect()
}

/// One assignment.
pub async fn assignment_line(
    conn: &mut Conn<'_>,
    id: AssignmentId,
) -> Result<Option<AssignmentLine>> {
    const SQL: &str = assignment_lines!("WHERE ta.id = $1");
    fetch_optional!(conn, AssignmentRow, SQL, id.get())?
        .map(AssignmentLine::try_from)
        .transpose()
}

/// How many other assignments of the teacher to the group and subject share a day with `span`.
pub async fn overlapping_assignments(
    conn: &mut Conn<'_>,
    teacher: PersonId,
    group: GroupId,
    subject: SubjectId,
    span: Span,
    except: Option<AssignmentId>,
) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM teaching_assignments \
         WHERE teacher_id = $1 AND group_id = $2 AND subject_id = $3 AND id <> $4 \
         AND (ends_on IS NULL OR ends_on >= $5) AND starts_on <= $6";
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        teacher.get(),
        group.get(),
        subject.get(),
        except.map_or(0, AssignmentId::get),
        span.0,
        span.1.unwrap_or(FAR)
    )?)
}

/// Ends an assignment on its last day (`None`: it runs on again).
pub async fn set_assignment_end(
    conn: &mut Conn<'_>,
    id: AssignmentId,
    last_day: Option<Date>,
) -> Result<()> {
    const SQL: &str = "UPDATE teaching_assignments SET ends_on = $2 WHERE id = $1";
    execute!(conn, SQL, id.get(), last_day)?;
    Ok(())
}

/// Deletes an assignment (the caller checked that nothing was written under it).
pub async fn delete_assignment(conn: &mut Conn<'_>, id: AssignmentId) -> Result<()> {
    const SQL: &str = "DELETE FROM teaching_assignments WHERE id = $1";
    execute!(conn, SQL, id.get())?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct AssignmentUseRow {
    lessons: i64,
    marks: i64,
    attendance: i64,
    plans: i64,
}

/// What the teacher wrote for the group and subject on the days `from`..=`to` (`None`: on):
/// lessons with journal data (a record, marks or attendance), marks, attendance; and their
/// thematic plan for it.
pub async fn assignment_dependants(
    conn: &mut Conn<'_>,
    a: &AssignmentLine,
    from: Date,
    to: Option<Date>,
) -> Result<Dependants> {
    const SQL: &str = "SELECT \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM lessons l WHERE l.group_id = $2 AND l.subject_id = $3 \
            AND (l.teacher_id = $1 OR l.original_teacher_id = $1) AND l.on_date >= $4 AND l.on_date <= $5 \
            AND (l.has_journal_data = 1 OR EXISTS (SELECT 1 FROM marks m WHERE m.lesson_id = l.id) \
                 OR EXISTS (SELECT 1 FROM attendance at WHERE at.lesson_id = l.id))) AS lessons, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM marks m JOIN lessons l ON l.id = m.lesson_id \
            WHERE l.group_id = $2 AND l.subject_id = $3 AND (l.teacher_id = $1 OR l.original_teacher_id = $1) \
            AND l.on_date >= $4 AND l.on_date <= $5) AS marks, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM attendance at JOIN lessons l ON l.id = at.lesson_id \
            WHERE l.group_id = $2 AND l.subject_id = $3 AND (l.teacher_id = $1 OR l.original_teacher_id = $1) \
            AND l.on_date >= $4 AND l.on_date <= $5) AS attendance, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM thematic_plans tp WHERE tp.teacher_id = $1 \
            AND tp.group_id = $2 AND tp.subject_id = $3 AND $6 = 1) AS plans";
    let r = fetch_one!(
        conn,
        AssignmentUseRow,
        SQL,
        a.teacher.get(),
        a.group.get(),
        a.subject.get(),
        from,
        to.unwrap_or(FAR),
        // A plan belongs to the whole assignment: it counts only when the whole is asked about.
        i64::from(from <= a.starts_on && to.is_none_or(|t| a.ends_on.is_some_and(|e| t >= e)))
    )?;
    let mut d = Dependants::default();
    d.add("lessons with journal data", r.lessons);
    d.add("marks", r.marks);
    d.add("attendance records", r.attendance);
    d.add("thematic plans", r.plans);
    Ok(d)
}

// ---------------------------------------------------------------------------------------------
// Groups and memberships.

/// The classes each stream of a year draws from: (stream, class, class name).
pub async fn stream_classes(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
) -> Result<Vec<(GroupId, GroupId, String)>> {
    const SQL: &str = "SELECT sc.stream_id, sc.class_id, c.name FROM stream_classes sc \
         JOIN study_groups s ON s.id = sc.stream_id JOIN study_groups c ON c.id = sc.class_id \
         WHERE s.academic_year_id = $1 ORDER BY sc.stream_id, c.sort_key";
    Ok(fetch_all!(conn, (i64, i64, String), SQL, year.get())?
        .into_iter()
        .map(|(s, c, n)| (GroupId::new(s), GroupId::new(c), n))
        .collect())
}

/// Renames a group (its sort key follows).
pub async fn rename_group(conn: &mut Conn<'_>, id: GroupId, grade: u8, name: &str) -> Result<()> {
    const SQL: &str = "UPDATE study_groups SET name = $2, sort_key = $3 WHERE id = $1";
    // As insert_group sorts: the grade zero-padded, then the name.
    let key = format!("{grade:02} {}", text::sort_key(name));
    execute!(conn, SQL, id.get(), name, key)?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct GroupUseRow {
    lessons: i64,
    timetable: i64,
    assignments: i64,
    marks: i64,
    finals: i64,
    curriculum: i64,
    plans: i64,
    subgroups: i64,
    streams: i64,
    assessments: i64,
    class_teachers: i64,
    deferrals: i64,
    debts: i64,
    extracts: i64,
}

/// Everything that refers to a group, apart from its memberships and the classes a stream draws
/// from (which go with it).
pub async fn group_dependants(conn: &mut Conn<'_>, group: GroupId) -> Result<Dependants> {
    const SQL: &str = "SELECT \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM lessons WHERE group_id = $1) AS lessons, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM timetable_entries WHERE group_id = $1) AS timetable, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM teaching_assignments WHERE group_id = $1) AS assignments, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM marks WHERE group_id = $1) AS marks, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM final_marks WHERE group_id = $1) AS finals, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM curriculum_items WHERE group_id = $1) AS curriculum, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM thematic_plans WHERE group_id = $1) AS plans, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM study_groups WHERE parent_group_id = $1) AS subgroups, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM stream_classes WHERE class_id = $1) AS streams, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM assessments WHERE class_id = $1) AS assessments, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM class_teachers WHERE class_id = $1) AS class_teachers, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM final_deferrals WHERE group_id = $1) AS deferrals, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM academic_debts WHERE group_id = $1) AS debts, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM extracts WHERE class_id = $1) AS extracts";
    let r = fetch_one!(conn, GroupUseRow, SQL, group.get())?;
    let mut d = Dependants::default();
    d.add("lessons", r.lessons);
    d.add("timetable entries", r.timetable);
    d.add("teaching assignments", r.assignments);
    d.add("marks", r.marks);
    d.add("final marks", r.finals);
    d.add("curriculum lines", r.curriculum);
    d.add("thematic plans", r.plans);
    d.add("subgroups", r.subgroups);
    d.add("streams", r.streams);
    d.add("assessment procedures", r.assessments);
    d.add("class-teacher appointments", r.class_teachers);
    d.add("deferrals", r.deferrals);
    d.add("academic debts", r.debts);
    d.add("paper extracts", r.extracts);
    Ok(d)
}

/// Deletes a group with its memberships and the classes it draws from (the caller checked
/// [`group_dependants`]).
pub async fn delete_group(conn: &mut Conn<'_>, group: GroupId) -> Result<()> {
    execute!(
        conn,
        "DELETE FROM memberships WHERE group_id = $1",
        group.get()
    )?;
    execute!(
        conn,
        "DELETE FROM stream_classes WHERE stream_id = $1",
        group.get()
    )?;
    execute!(conn, "DELETE FROM study_groups WHERE id = $1", group.get())?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct MembershipRow {
    id: i64,
    group_id: i64,
    student_id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    starts_on: Date,
    ends_on: Option<Date>,
}

impl From<MembershipRow> for MembershipLine {
    fn from(r: MembershipRow) -> Self {
        let name = match r.middle_name {
            Some(m) => format!("{} {} {m}", r.last_name, r.first_name),
            None => format!("{} {}", r.last_name, r.first_name),
        };
        MembershipLine {
            id: MembershipId::new(r.id),
            group: GroupId::new(r.group_id),
            student: PersonId::new(r.student_id),
            name,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
        }
    }
}

macro_rules! membership_lines {
    ($tail:literal) => {
        concat!(
            "SELECT m.id, m.group_id, m.student_id, p.last_name, p.first_name, p.middle_name, \
             m.starts_on, m.ends_on FROM memberships m JOIN persons p ON p.id = m.student_id ",
            $tail
        )
    };
}

/// Every membership of a group, past and present, in journal order.
pub async fn memberships_of_group(
    conn: &mut Conn<'_>,
    group: GroupId,
) -> Result<Vec<MembershipLine>> {
    const SQL: &str =
        membership_lines!("WHERE m.group_id = $1 ORDER BY p.sort_key, p.id, m.starts_on");
    Ok(fetch_all!(conn, MembershipRow, SQL, group.get())?
        .into_iter()
        .map(MembershipLine::from)
        .collect())
}

/// One membership.
pub async fn membership_line(
    conn: &mut Conn<'_>,
    id: MembershipId,
) -> Result<Option<MembershipLine>> {
    const SQL: &str = membership_lines!("WHERE m.id = $1");
    Ok(fetch_optional!(conn, MembershipRow, SQL, id.get())?.map(MembershipLine::from))
}

/// A pupil's memberships of the groups a group's pupils must come from: a subgroup's class, a
/// stream's classes.
pub async fn outer_spans(
    conn: &mut Conn<'_>,
    student: PersonId,
    group: GroupId,
) -> Result<Vec<Span>> {
    const SQL: &str = "SELECT starts_on, ends_on FROM memberships WHERE student_id = $1 \
         AND (group_id IN (SELECT parent_group_id FROM study_groups WHERE id = $2) \
              OR group_id IN (SELECT class_id FROM stream_classes WHERE stream_id = $2)) \
         ORDER BY starts_on";
    Ok(fetch_all!(
        conn,
        (Date, Option<Date>),
        SQL,
        student.get(),
        group.get()
    )?)
}

/// A pupil's memberships of one group.
pub async fn spans_in_group(
    conn: &mut Conn<'_>,
    student: PersonId,
    group: GroupId,
) -> Result<Vec<(MembershipId, Span)>> {
    const SQL: &str = "SELECT id, starts_on, ends_on FROM memberships \
         WHERE student_id = $1 AND group_id = $2 ORDER BY starts_on";
    Ok(fetch_all!(
        conn,
        (i64, Date, Option<Date>),
        SQL,
        student.get(),
        group.get()
    )?
    .into_iter()
    .map(|(id, s, e)| (MembershipId::new(id), (s, e)))
    .collect())
}

/// Other pupils a group has had (an individual curriculum's group has one).
pub async fn other_pupils(conn: &mut Conn<'_>, group: GroupId, student: PersonId) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COUNT(DISTINCT student_id) AS BIGINT) FROM memberships \
         WHERE group_id = $1 AND student_id <> $2";
    Ok(fetch_scalar!(conn, i64, SQL, group.get(), student.get())?)
}

#[derive(sqlx::FromRow)]
struct WrittenRow {
    marks: i64,
    attendance: i64,
    finals: i64,
}

/// What was written for a pupil in a group from a day on: marks, attendance, and (when the
/// whole membership is asked about) final marks proposed from the group's journal.
pub async fn written_for_pupil(
    conn: &mut Conn<'_>,
    group: GroupId,
    student: PersonId,
    from: Date,
    whole: bool,
) -> Result<Dependants> {
    const SQL: &str = "SELECT \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM marks WHERE group_id = $1 AND student_id = $2 AND on_date >= $3) AS marks, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM attendance a JOIN lessons l ON l.id = a.lesson_id \
            WHERE l.group_id = $1 AND a.student_id = $2 AND l.on_date >= $3) AS attendance, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM final_marks WHERE group_id = $1 AND student_id = $2 AND $4 = 1) AS finals";
    let r = fetch_one!(
        conn,
        WrittenRow,
        SQL,
        group.get(),
        student.get(),
        from,
        i64::from(whole)
    )?;
    let mut d = Dependants::default();
    d.add("marks", r.marks);
    d.add("attendance records", r.attendance);
    d.add("final marks", r.finals);
    Ok(d)
}

// ---------------------------------------------------------------------------------------------
// The curriculum.

#[derive(sqlx::FromRow)]
struct PlanRow {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    grade: Option<i64>,
    group_id: Option<i64>,
    group_name: Option<String>,
    for_grade: i64,
    subject_id: i64,
    subject_name: String,
    hours_per_week_tenths: i64,
    hours_per_year: i64,
    part: String,
}

impl TryFrom<PlanRow> for (PlanLine, SchoolId, AcademicYearId) {
    type Error = StoreError;
    fn try_from(r: PlanRow) -> Result<Self> {
        Ok((
            PlanLine {
                id: CurriculumItemId::new(r.id),
                grade: r.grade.map(small).transpose()?,
                group: r.group_id.map(GroupId::new),
                group_name: r.group_name,
                for_grade: small(r.for_grade)?,
                subject: SubjectId::new(r.subject_id),
                subject_name: r.subject_name,
                weekly: tenths(r.hours_per_week_tenths)?,
                yearly: r.hours_per_year,
                part: CurriculumPart::from_code(&r.part)?,
            },
            SchoolId::new(r.school_id),
            AcademicYearId::new(r.academic_year_id),
        ))
    }
}

macro_rules! plan_lines {
    ($tail:literal) => {
        concat!(
            "SELECT c.id, c.school_id, c.academic_year_id, c.grade, c.group_id, g.name AS group_name, \
             COALESCE(c.grade, g.grade) AS for_grade, c.subject_id, s.name AS subject_name, \
             c.hours_per_week_tenths, c.hours_per_year, c.part \
             FROM curriculum_items c JOIN subjects s ON s.id = c.subject_id \
             LEFT JOIN study_groups g ON g.id = c.group_id ",
            $tail
        )
    };
}

/// The curriculum of a year: by grade, the parallel's lines first, then by group and subject.
pub async fn plan_lines(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<PlanLine>> {
    const SQL: &str = plan_lines!(
        "WHERE c.academic_year_id = $1 ORDER BY COALESCE(c.grade, g.grade), \
         CASE WHEN c.group_id IS NULL THEN 0 ELSE 1 END, g.sort_key, s.sort_order, c.id"
    );
    fetch_all!(conn, PlanRow, SQL, year.get())?
        .into_iter()
        .map(|r| <(PlanLine, SchoolId, AcademicYearId)>::try_from(r).map(|t| t.0))
        .collect()
}

/// One curriculum line with its school and year.
pub async fn plan_line(
    conn: &mut Conn<'_>,
    id: CurriculumItemId,
) -> Result<Option<(PlanLine, SchoolId, AcademicYearId)>> {
    const SQL: &str = plan_lines!("WHERE c.id = $1");
    fetch_optional!(conn, PlanRow, SQL, id.get())?
        .map(TryInto::try_into)
        .transpose()
}

/// Whether the year's curriculum already has a line of the subject for the parallel or group.
pub async fn plan_line_exists(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    grade: Option<u8>,
    group: Option<GroupId>,
    subject: SubjectId,
) -> Result<bool> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM curriculum_items WHERE academic_year_id = $1 \
         AND subject_id = $2 AND (grade = $3 OR group_id = $4)";
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        year.get(),
        subject.get(),
        grade.map_or(-1, i64::from),
        group.map_or(-1, GroupId::get)
    )? > 0)
}

/// Removes a curriculum line.
pub async fn delete_plan_line(conn: &mut Conn<'_>, id: CurriculumItemId) -> Result<()> {
    execute!(conn, "DELETE FROM curriculum_items WHERE id = $1", id.get())?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Staff.

/// A staff member's row as the staff editor reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    pub person: PersonId,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub position: String,
    /// The account's roles in the school, or (without an account) the staff row's.
    pub roles: Vec<Role>,
    pub left_on: Option<Date>,
    pub user: Option<UserId>,
    pub login: Option<String>,
    /// Assignments running on the day asked about.
    pub assignments: i64,
}

#[derive(sqlx::FromRow)]
struct StaffRow {
    id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    position: String,
    roles: String,
    left_on: Option<Date>,
    user_id: Option<i64>,
    login: Option<String>,
    assignments: i64,
}

macro_rules! staff_records {
    ($tail:literal) => {
        concat!(
            "SELECT p.id, p.last_name, p.first_name, p.middle_name, st.position, st.roles, st.left_on, \
             (SELECT MIN(u.id) FROM users u WHERE u.person_id = p.id) AS user_id, \
             (SELECT u.login FROM users u WHERE u.person_id = p.id ORDER BY u.id LIMIT 1) AS login, \
             (SELECT CAST(COUNT(*) AS BIGINT) FROM teaching_assignments ta WHERE ta.teacher_id = p.id \
                AND ta.starts_on <= $2 AND (ta.ends_on IS NULL OR ta.ends_on >= $2)) AS assignments \
             FROM staff st JOIN persons p ON p.id = st.person_id ",
            $tail
        )
    };
}

impl From<StaffRow> for StaffRecord {
    fn from(r: StaffRow) -> Self {
        StaffRecord {
            person: PersonId::new(r.id),
            last_name: r.last_name,
            first_name: r.first_name,
            middle_name: r.middle_name,
            position: r.position,
            roles: roles_of_text(&r.roles),
            left_on: r.left_on,
            user: r.user_id.map(UserId::new),
            login: r.login,
            assignments: r.assignments,
        }
    }
}

/// The roles accounts hold in a school, by account.
async fn granted_in_school(
    conn: &mut Conn<'_>,
    school: SchoolId,
) -> Result<std::collections::HashMap<i64, Vec<Role>>> {
    const SQL: &str =
        "SELECT user_id, role FROM user_roles WHERE school_id = $1 ORDER BY user_id, role";
    let mut out: std::collections::HashMap<i64, Vec<Role>> = std::collections::HashMap::new();
    for (user, role) in fetch_all!(conn, (i64, String), SQL, school.get())? {
        let role = Role::from_code(&role)?;
        if Role::GRANTABLE.contains(&role) {
            out.entry(user).or_default().push(role);
        }
    }
    Ok(out)
}

/// A staff member's roles: their account's in the school when they have one (what their access
/// is), else what the staff row lists for the account to come.
fn with_account_roles(
    mut r: StaffRecord,
    granted: &std::collections::HashMap<i64, Vec<Role>>,
) -> StaffRecord {
    if let Some(user) = r.user {
        r.roles = granted.get(&user.get()).cloned().unwrap_or_default();
    }
    r
}

/// The school's staff with their accounts and running assignments on `on`.
pub async fn staff_records(
    conn: &mut Conn<'_>,
    school: SchoolId,
    on: Date,
) -> Result<Vec<StaffRecord>> {
    const SQL: &str = staff_records!("WHERE st.school_id = $1 ORDER BY p.sort_key, p.id");
    let rows = fetch_all!(conn, StaffRow, SQL, school.get(), on)?;
    let granted = granted_in_school(conn, school).await?;
    Ok(rows
        .into_iter()
        .map(|r| with_account_roles(StaffRecord::from(r), &granted))
        .collect())
}

/// One staff member of the school.
pub async fn staff_record(
    conn: &mut Conn<'_>,
    school: SchoolId,
    person: PersonId,
    on: Date,
) -> Result<Option<StaffRecord>> {
    const SQL: &str = staff_records!("WHERE st.school_id = $1 AND st.person_id = $3");
    let Some(row) = fetch_optional!(conn, StaffRow, SQL, school.get(), on, person.get())? else {
        return Ok(None);
    };
    let granted = granted_in_school(conn, school).await?;
    Ok(Some(with_account_roles(StaffRecord::from(row), &granted)))
}

/// Sets (or clears) a staff member's last day at the school.
pub async fn set_staff_left(
    conn: &mut Conn<'_>,
    person: PersonId,
    left_on: Option<Date>,
) -> Result<()> {
    const SQL: &str = "UPDATE staff SET left_on = $2 WHERE person_id = $1";
    execute!(conn, SQL, person.get(), left_on)?;
    Ok(())
}

/// What a staff member still holds after a day: assignments («Математика, 5А») and
/// class-teacher appointments («5А») running past it.
pub async fn held_after(
    conn: &mut Conn<'_>,
    person: PersonId,
    day: Date,
) -> Result<(Vec<String>, Vec<String>)> {
    const ASSIGNMENTS: &str = "SELECT s.name, g.name FROM teaching_assignments ta \
         JOIN subjects s ON s.id = ta.subject_id JOIN study_groups g ON g.id = ta.group_id \
         WHERE ta.teacher_id = $1 AND (ta.ends_on IS NULL OR ta.ends_on > $2) \
         ORDER BY g.sort_key, s.sort_order";
    const CLASSES: &str = "SELECT g.name FROM class_teachers ct JOIN study_groups g ON g.id = ct.class_id \
         WHERE ct.teacher_id = $1 AND (ct.ends_on IS NULL OR ct.ends_on > $2) ORDER BY g.sort_key";
    let assignments = fetch_all!(conn, (String, String), ASSIGNMENTS, person.get(), day)?
        .into_iter()
        .map(|(s, g)| format!("{s}, {g}"))
        .collect();
    let classes = fetch_all!(conn, (String,), CLASSES, person.get(), day)?
        .into_iter()
        .map(|(g,)| g)
        .collect();
    Ok((assignments, classes))
}

/// Replaces the roles granted to an account in a school by `roles` (the grantable ones).
pub async fn replace_granted_roles(
    conn: &mut Conn<'_>,
    user: UserId,
    school: SchoolId,
    roles: &[Role],
) -> Result<()> {
    const DELETE: &str = "DELETE FROM user_roles WHERE user_id = $1 AND school_id = $2 \
         AND role IN ('admin', 'deputy', 'teacher')";
    execute!(conn, DELETE, user.get(), school.get())?;
    for r in roles.iter().filter(|r| Role::GRANTABLE.contains(r)) {
        crate::user::grant_role(conn, user, *r, school).await?;
    }
    Ok(())
}

/// A teacher's assignments to a group and subject as the journal's write access reads them:
/// whether there is any at all, and whether one runs on `on`.
pub async fn assignment_cover(
    conn: &mut Conn<'_>,
    teacher: PersonId,
    group: GroupId,
    subject: SubjectId,
    on: Date,
) -> Result<(bool, bool)> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN starts_on <= $4 \
         AND (ends_on IS NULL OR ends_on >= $4) THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM teaching_assignments WHERE teacher_id = $1 AND group_id = $2 AND subject_id = $3";
    let (any, running) = fetch_one!(
        conn,
        (i64, i64),
        SQL,
        teacher.get(),
        group.get(),
        subject.get(),
        on
    )?;
    Ok((any > 0, running > 0))
}

/// Whether an assignment of the teacher to the group and subject runs on some day of
/// `from`..=`to`.
pub async fn assigned_within(
    conn: &mut Conn<'_>,
    teacher: PersonId,
    group: GroupId,
    subject: SubjectId,
    (from, to): (Date, Date),
) -> Result<bool> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM teaching_assignments \
         WHERE teacher_id = $1 AND group_id = $2 AND subject_id = $3 AND starts_on <= $5 \
         AND (ends_on IS NULL OR ends_on >= $4)";
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        teacher.get(),
        group.get(),
        subject.get(),
        from,
        to
    )? > 0)
}
