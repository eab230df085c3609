//! The school model: regions, schools, academic years, periods, holidays, subjects, people,
//! study groups, dated memberships, parent↔child links, consents, curriculum, teaching
//! assignments and class-teacher appointments.

use crate::{Conn, Result, StoreError};
use serde::Serialize;
use tabel_domain::school::{
    ConsentPurpose, ConsentState, DayOffKind, GroupKind, PeriodKind, Relation, Sex,
};
use tabel_domain::*;
use time::{Date, OffsetDateTime};

pub use tabel_domain::school::School;

#[derive(sqlx::FromRow)]
struct SchoolRow {
    id: i64,
    name: String,
    short_name: String,
    time_zone: String,
    municipality: String,
    region: String,
}

impl From<SchoolRow> for School {
    fn from(r: SchoolRow) -> Self {
        School {
            id: SchoolId::new(r.id),
            name: r.name,
            short_name: r.short_name,
            time_zone: r.time_zone,
            municipality: r.municipality,
            region: r.region,
        }
    }
}

const SELECT_SCHOOLS: &str = "SELECT s.id, s.name, s.short_name, s.time_zone, m.name AS municipality, r.name AS region \
     FROM schools s JOIN municipalities m ON m.id = s.municipality_id JOIN regions r ON r.id = m.region_id \
     ORDER BY s.id";

/// Every school of the deployment.
pub async fn list_schools(conn: &mut Conn<'_>) -> Result<Vec<School>> {
    let rows = fetch_all!(conn, SchoolRow, SELECT_SCHOOLS)?;
    Ok(rows.into_iter().map(School::from).collect())
}

/// Whether the deployment holds any school (the demo refuses a non-empty database).
pub async fn count_schools(conn: &mut Conn<'_>) -> Result<i64> {
    Ok(fetch_scalar!(conn, i64, "SELECT COUNT(*) FROM schools")?)
}

const INSERT_REGION: &str = "INSERT INTO regions (name) VALUES ($1) RETURNING id";
/// Adds a region.
pub async fn insert_region(conn: &mut Conn<'_>, name: &str) -> Result<RegionId> {
    Ok(RegionId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_REGION,
        name
    )?))
}

const INSERT_MUNICIPALITY: &str =
    "INSERT INTO municipalities (region_id, name) VALUES ($1, $2) RETURNING id";
/// Adds a municipality.
pub async fn insert_municipality(
    conn: &mut Conn<'_>,
    region: RegionId,
    name: &str,
) -> Result<MunicipalityId> {
    Ok(MunicipalityId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_MUNICIPALITY,
        region.get(),
        name
    )?))
}

/// A new school.
#[derive(Debug, Clone)]
pub struct NewSchool<'a> {
    /// Where.
    pub municipality: MunicipalityId,
    /// Full name.
    pub name: &'a str,
    /// Short name.
    pub short_name: &'a str,
    /// IANA time zone.
    pub time_zone: &'a str,
    /// When created.
    pub created_at: OffsetDateTime,
}

const INSERT_SCHOOL: &str = "INSERT INTO schools (municipality_id, name, short_name, time_zone, created_at) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id";
/// Adds a school.
pub async fn insert_school(conn: &mut Conn<'_>, s: &NewSchool<'_>) -> Result<SchoolId> {
    Ok(SchoolId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_SCHOOL,
        s.municipality.get(),
        s.name,
        s.short_name,
        s.time_zone,
        s.created_at
    )?))
}

pub use tabel_domain::school::AcademicYear;

#[derive(sqlx::FromRow)]
struct YearRow {
    id: i64,
    school_id: i64,
    start_year: i64,
    starts_on: Date,
    ends_on: Date,
}

const INSERT_YEAR: &str = "INSERT INTO academic_years (school_id, start_year, starts_on, ends_on) \
     VALUES ($1, $2, $3, $4) RETURNING id";
/// Adds an academic year.
pub async fn insert_academic_year(
    conn: &mut Conn<'_>,
    school: SchoolId,
    start_year: i32,
    starts_on: Date,
    ends_on: Date,
) -> Result<AcademicYearId> {
    Ok(AcademicYearId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_YEAR,
        school.get(),
        i64::from(start_year),
        starts_on,
        ends_on
    )?))
}

const SELECT_YEAR_ON: &str = "SELECT id, school_id, start_year, starts_on, ends_on FROM academic_years \
     WHERE school_id = $1 AND start_year <= $2 ORDER BY start_year DESC LIMIT 1";
/// The academic year a date falls in (the latest one started by then).
pub async fn academic_year_on(
    conn: &mut Conn<'_>,
    school: SchoolId,
    date: Date,
) -> Result<Option<AcademicYear>> {
    let start = i64::from(calendar::SchoolYear::containing(date).start_year());
    let row = fetch_optional!(conn, YearRow, SELECT_YEAR_ON, school.get(), start)?;
    Ok(row.map(|r| AcademicYear {
        id: AcademicYearId::new(r.id),
        school: SchoolId::new(r.school_id),
        label: format!("{}/{}", r.start_year, r.start_year + 1),
        starts_on: r.starts_on,
        ends_on: r.ends_on,
    }))
}

use tabel_domain::calendar;

const INSERT_PARALLEL: &str = "INSERT INTO parallels (school_id, academic_year_id, grade, week_days, period_kind) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id";
/// Adds a parallel (a grade in a year) with its week length and kind of periods.
pub async fn insert_parallel(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    grade: u8,
    week: calendar::WeekLength,
    periods: PeriodKind,
) -> Result<ParallelId> {
    Ok(ParallelId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_PARALLEL,
        school.get(),
        year.get(),
        i64::from(grade),
        i64::from(week.days()),
        periods.code()
    )?))
}

/// A parallel: a grade of a year with its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parallel {
    /// Id.
    pub id: ParallelId,
    /// Grade 1–11.
    pub grade: u8,
    /// Days in the school week.
    pub week_days: u8,
    /// Kind of reporting periods.
    pub period_kind: PeriodKind,
}

#[derive(sqlx::FromRow)]
struct ParallelRow {
    id: i64,
    grade: i64,
    week_days: i64,
    period_kind: String,
}

const SELECT_PARALLELS: &str = "SELECT id, grade, week_days, period_kind FROM parallels \
     WHERE academic_year_id = $1 ORDER BY grade";
/// The parallels of a year, by grade.
pub async fn list_parallels(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<Parallel>> {
    fetch_all!(conn, ParallelRow, SELECT_PARALLELS, year.get())?
        .into_iter()
        .map(|r| {
            Ok(Parallel {
                id: ParallelId::new(r.id),
                grade: small(r.grade)?,
                week_days: small(r.week_days)?,
                period_kind: PeriodKind::from_code(&r.period_kind)?,
            })
        })
        .collect()
}

fn small(v: i64) -> Result<u8> {
    u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("{v} out of range")))
}

pub use tabel_domain::school::Period;

#[derive(sqlx::FromRow)]
struct PeriodRow {
    id: i64,
    kind: String,
    number: i64,
    starts_on: Date,
    ends_on: Date,
    locked_at: Option<OffsetDateTime>,
}

const INSERT_PERIOD: &str = "INSERT INTO reporting_periods (school_id, academic_year_id, kind, number, starts_on, ends_on, locked_at) \
     VALUES ($1, $2, $3, $4, $5, $6, NULL) RETURNING id";
/// Adds a reporting period.
pub async fn insert_period(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    kind: PeriodKind,
    number: u8,
    starts_on: Date,
    ends_on: Date,
) -> Result<PeriodId> {
    Ok(PeriodId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_PERIOD,
        school.get(),
        year.get(),
        kind.code(),
        i64::from(number),
        starts_on,
        ends_on
    )?))
}

const SELECT_PERIODS: &str = "SELECT id, kind, number, starts_on, ends_on, locked_at FROM reporting_periods \
     WHERE academic_year_id = $1 ORDER BY kind, number";
/// The reporting periods of a year.
pub async fn list_periods(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<Period>> {
    fetch_all!(conn, PeriodRow, SELECT_PERIODS, year.get())?
        .into_iter()
        .map(|r| {
            Ok(Period {
                id: PeriodId::new(r.id),
                kind: PeriodKind::from_code(&r.kind)?,
                number: small(r.number)?,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
                locked_at: r.locked_at,
            })
        })
        .collect()
}

/// The school a reporting period belongs to.
pub async fn period_school(conn: &mut Conn<'_>, period: PeriodId) -> Result<Option<SchoolId>> {
    const SQL: &str = "SELECT school_id FROM reporting_periods WHERE id = $1";
    Ok(fetch_optional!(conn, (i64,), SQL, period.get())?.map(|r| SchoolId::new(r.0)))
}

pub use tabel_domain::school::Holiday;

#[derive(sqlx::FromRow)]
struct HolidayRow {
    id: i64,
    kind: String,
    name: String,
    starts_on: Date,
    ends_on: Date,
    only_grade: Option<i64>,
}

const INSERT_HOLIDAY: &str = "INSERT INTO holidays (school_id, academic_year_id, kind, name, starts_on, ends_on, only_grade) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
/// Adds a holiday range or a special day.
pub async fn insert_holiday(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    h: &Holiday,
) -> Result<HolidayId> {
    Ok(HolidayId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_HOLIDAY,
        school.get(),
        year.get(),
        h.kind.code(),
        h.name.as_str(),
        h.starts_on,
        h.ends_on,
        h.only_grade.map(i64::from)
    )?))
}

const SELECT_HOLIDAYS: &str = "SELECT id, kind, name, starts_on, ends_on, only_grade FROM holidays \
     WHERE academic_year_id = $1 ORDER BY starts_on, id";
/// Holidays and special days of a year, by date.
pub async fn list_holidays(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<Holiday>> {
    fetch_all!(conn, HolidayRow, SELECT_HOLIDAYS, year.get())?
        .into_iter()
        .map(|r| {
            Ok(Holiday {
                id: HolidayId::new(r.id),
                kind: DayOffKind::from_code(&r.kind)?,
                name: r.name,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
                only_grade: r.only_grade.map(small).transpose()?,
            })
        })
        .collect()
}

pub use tabel_domain::school::Subject;

#[derive(sqlx::FromRow)]
struct SubjectRow {
    id: i64,
    name: String,
    short_name: String,
}

const INSERT_SUBJECT: &str = "INSERT INTO subjects (school_id, name, short_name, sort_order) \
     VALUES ($1, $2, $3, $4) RETURNING id";
/// Adds a subject.
pub async fn insert_subject(
    conn: &mut Conn<'_>,
    school: SchoolId,
    name: &str,
    short_name: &str,
    sort_order: i64,
) -> Result<SubjectId> {
    Ok(SubjectId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_SUBJECT,
        school.get(),
        name,
        short_name,
        sort_order
    )?))
}

const SELECT_SUBJECTS: &str =
    "SELECT id, name, short_name FROM subjects WHERE school_id = $1 ORDER BY sort_order, id";
/// The subjects of a school in curriculum order.
pub async fn list_subjects(conn: &mut Conn<'_>, school: SchoolId) -> Result<Vec<Subject>> {
    Ok(fetch_all!(conn, SubjectRow, SELECT_SUBJECTS, school.get())?
        .into_iter()
        .map(|r| Subject {
            id: SubjectId::new(r.id),
            name: r.name,
            short_name: r.short_name,
        })
        .collect())
}

/// A new person.
#[derive(Debug, Clone)]
pub struct NewPerson<'a> {
    /// The school.
    pub school: SchoolId,
    /// Name.
    pub name: &'a text::PersonName,
    /// Sex.
    pub sex: Sex,
    /// Birth date, if known.
    pub birth_date: Option<Date>,
}

const INSERT_PERSON: &str = "INSERT INTO persons (school_id, last_name, first_name, middle_name, sex, birth_date, sort_key) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
/// Adds a person.
pub async fn insert_person(conn: &mut Conn<'_>, p: &NewPerson<'_>) -> Result<PersonId> {
    Ok(PersonId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_PERSON,
        p.school.get(),
        p.name.last.as_str(),
        p.name.first.as_str(),
        p.name.middle.as_ref().map(text::NamePart::as_str),
        p.sex.code(),
        p.birth_date,
        p.name.sort_key()
    )?))
}

const INSERT_STUDENT: &str =
    "INSERT INTO students (person_id, school_id, enrolled_on, left_on) VALUES ($1, $2, $3, NULL)";
/// Makes a person a student of the school.
pub async fn insert_student(
    conn: &mut Conn<'_>,
    person: PersonId,
    school: SchoolId,
    enrolled_on: Date,
) -> Result<()> {
    execute!(
        conn,
        INSERT_STUDENT,
        person.get(),
        school.get(),
        enrolled_on
    )?;
    Ok(())
}

const INSERT_STAFF: &str = "INSERT INTO staff (person_id, school_id, position) VALUES ($1, $2, $3)";
/// Makes a person a staff member.
pub async fn insert_staff(
    conn: &mut Conn<'_>,
    person: PersonId,
    school: SchoolId,
    position: &str,
) -> Result<()> {
    execute!(conn, INSERT_STAFF, person.get(), school.get(), position)?;
    Ok(())
}

/// A new study group.
#[derive(Debug, Clone)]
pub struct NewGroup<'a> {
    /// The school.
    pub school: SchoolId,
    /// The year.
    pub year: AcademicYearId,
    /// Class, subgroup, stream or individual curriculum.
    pub kind: GroupKind,
    /// Name: "5А", "5А, английский, гр. 1", "10 физ-мат", "ИУП: Петров П.".
    pub name: &'a str,
    /// Grade.
    pub grade: u8,
    /// The class a subgroup belongs to.
    pub parent: Option<GroupId>,
    /// The subject of a subgroup or stream.
    pub subject: Option<SubjectId>,
}

const INSERT_GROUP: &str = "INSERT INTO study_groups (school_id, academic_year_id, kind, name, grade, parent_group_id, subject_id, sort_key) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
/// Adds a study group.
pub async fn insert_group(conn: &mut Conn<'_>, g: &NewGroup<'_>) -> Result<GroupId> {
    // Sort "5А" before "10А": the grade zero-padded, then the name.
    let sort_key = format!("{:02} {}", g.grade, text::sort_key(g.name));
    Ok(GroupId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_GROUP,
        g.school.get(),
        g.year.get(),
        g.kind.code(),
        g.name,
        i64::from(g.grade),
        g.parent.map(GroupId::get),
        g.subject.map(SubjectId::get),
        sort_key
    )?))
}

const INSERT_STREAM_CLASS: &str =
    "INSERT INTO stream_classes (stream_id, class_id) VALUES ($1, $2)";
/// Records that a stream draws from a class.
pub async fn insert_stream_class(
    conn: &mut Conn<'_>,
    stream: GroupId,
    class: GroupId,
) -> Result<()> {
    execute!(conn, INSERT_STREAM_CLASS, stream.get(), class.get())?;
    Ok(())
}

pub use tabel_domain::school::Group;

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    kind: String,
    name: String,
    grade: i64,
    parent_group_id: Option<i64>,
    subject: Option<String>,
    members: i64,
    ct_last: Option<String>,
    ct_first: Option<String>,
    ct_middle: Option<String>,
}

impl TryFrom<GroupRow> for Group {
    type Error = StoreError;
    fn try_from(r: GroupRow) -> Result<Self> {
        Ok(Group {
            id: GroupId::new(r.id),
            school: SchoolId::new(r.school_id),
            year: AcademicYearId::new(r.academic_year_id),
            kind: GroupKind::from_code(&r.kind)?,
            name: r.name,
            grade: small(r.grade)?,
            parent: r.parent_group_id.map(GroupId::new),
            subject: r.subject,
            members: r.members,
            class_teacher: match (r.ct_last, r.ct_first) {
                (Some(l), Some(f)) => Some(text::short_name(&l, &f, r.ct_middle.as_deref())),
                _ => None,
            },
        })
    }
}

// Members and class teacher are counted "on $2": dated rows whose range covers the date. Dates
// are ISO text on SQLite, where text order is date order, so date comparisons are safe in SQL.

/// The groups of a school's year, classes first, then by grade and name; members counted on
/// `on`.
pub async fn list_groups(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    on: Date,
    kind: Option<GroupKind>,
) -> Result<Vec<Group>> {
    const SQL: &str = const_format_groups::LIST;
    fetch_all!(
        conn,
        GroupRow,
        SQL,
        year.get(),
        on,
        kind.map(GroupKind::code)
    )?
    .into_iter()
    .map(Group::try_from)
    .collect()
}

/// One group, with members counted on `on`.
pub async fn get_group(conn: &mut Conn<'_>, id: GroupId, on: Date) -> Result<Option<Group>> {
    const SQL: &str = const_format_groups::ONE;
    fetch_optional!(conn, GroupRow, SQL, id.get(), on)?
        .map(Group::try_from)
        .transpose()
}

/// Groups that contain a student on a date (class, subgroups, stream, ИУП).
pub async fn groups_of_student(
    conn: &mut Conn<'_>,
    student: PersonId,
    on: Date,
) -> Result<Vec<Group>> {
    const SQL: &str = const_format_groups::OF_STUDENT;
    fetch_all!(conn, GroupRow, SQL, student.get(), on)?
        .into_iter()
        .map(Group::try_from)
        .collect()
}

mod const_format_groups {
    // String literals concatenated at compile time: one column list, several filters.
    macro_rules! group_sql {
        ($tail:literal) => {
            concat!(
                "SELECT g.id, g.school_id, g.academic_year_id, g.kind, g.name, g.grade, g.parent_group_id, \
                 sub.name AS subject, \
                 (SELECT COUNT(*) FROM memberships m WHERE m.group_id = g.id AND m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on >= $2)) AS members, \
                 p.last_name AS ct_last, p.first_name AS ct_first, p.middle_name AS ct_middle \
                 FROM study_groups g \
                 LEFT JOIN subjects sub ON sub.id = g.subject_id \
                 LEFT JOIN class_teachers ct ON ct.class_id = g.id AND ct.starts_on <= $2 AND (ct.ends_on IS NULL OR ct.ends_on >= $2) \
                 LEFT JOIN persons p ON p.id = ct.teacher_id ",
                $tail
            )
        };
    }
    pub(super) const LIST: &str = group_sql!(
        "WHERE g.academic_year_id = $1 AND ($3 IS NULL OR g.kind = $3) \
         ORDER BY CASE g.kind WHEN 'class' THEN 0 WHEN 'subgroup' THEN 1 WHEN 'stream' THEN 2 ELSE 3 END, g.sort_key, g.id"
    );
    pub(super) const ONE: &str = group_sql!("WHERE g.id = $1");
    pub(super) const OF_STUDENT: &str = group_sql!(
        "WHERE g.id IN (SELECT m2.group_id FROM memberships m2 WHERE m2.student_id = $1 \
         AND m2.starts_on <= $2 AND (m2.ends_on IS NULL OR m2.ends_on >= $2)) \
         ORDER BY CASE g.kind WHEN 'class' THEN 0 WHEN 'subgroup' THEN 1 WHEN 'stream' THEN 2 ELSE 3 END, g.sort_key"
    );
}

const INSERT_MEMBERSHIP: &str = "INSERT INTO memberships (school_id, group_id, student_id, starts_on, ends_on) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id";
/// Adds a student to a group from a date (to a date, if known).
pub async fn insert_membership(
    conn: &mut Conn<'_>,
    school: SchoolId,
    group: GroupId,
    student: PersonId,
    starts_on: Date,
    ends_on: Option<Date>,
) -> Result<MembershipId> {
    Ok(MembershipId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_MEMBERSHIP,
        school.get(),
        group.get(),
        student.get(),
        starts_on,
        ends_on
    )?))
}

const END_MEMBERSHIP: &str = "UPDATE memberships SET ends_on = $3 \
     WHERE group_id = $1 AND student_id = $2 AND ends_on IS NULL";
/// Ends a student's open membership in a group on a date (the last day in the group). History
/// stays: the row is kept with its end date.
pub async fn end_membership(
    conn: &mut Conn<'_>,
    group: GroupId,
    student: PersonId,
    last_day: Date,
) -> Result<u64> {
    Ok(execute!(
        conn,
        END_MEMBERSHIP,
        group.get(),
        student.get(),
        last_day
    )?)
}

pub use tabel_domain::school::PersonSummary;

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    sex: String,
    birth_date: Option<Date>,
}

impl TryFrom<PersonRow> for PersonSummary {
    type Error = StoreError;
    fn try_from(r: PersonRow) -> Result<Self> {
        Ok(PersonSummary {
            id: PersonId::new(r.id),
            last_name: r.last_name,
            first_name: r.first_name,
            middle_name: r.middle_name,
            sex: Sex::from_code(&r.sex)?,
            birth_date: r.birth_date,
        })
    }
}

fn persons(rows: Vec<PersonRow>) -> Result<Vec<PersonSummary>> {
    rows.into_iter().map(PersonSummary::try_from).collect()
}

const SELECT_MEMBERS: &str = "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date \
     FROM memberships m JOIN persons p ON p.id = m.student_id \
     WHERE m.group_id = $1 AND m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on >= $2) \
     ORDER BY p.sort_key, p.id";
/// The students of a group on a date, in journal order.
pub async fn group_members(
    conn: &mut Conn<'_>,
    group: GroupId,
    on: Date,
) -> Result<Vec<PersonSummary>> {
    persons(fetch_all!(
        conn,
        PersonRow,
        SELECT_MEMBERS,
        group.get(),
        on
    )?)
}

pub use tabel_domain::school::StudentCard;

#[derive(sqlx::FromRow)]
struct StudentRow {
    id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    sex: String,
    birth_date: Option<Date>,
    school_id: i64,
    enrolled_on: Date,
    left_on: Option<Date>,
}

const SELECT_STUDENT: &str = "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date, \
     s.school_id, s.enrolled_on, s.left_on \
     FROM students s JOIN persons p ON p.id = s.person_id WHERE s.person_id = $1";
/// A student by id.
pub async fn get_student(conn: &mut Conn<'_>, id: PersonId) -> Result<Option<StudentCard>> {
    fetch_optional!(conn, StudentRow, SELECT_STUDENT, id.get())?
        .map(|r| {
            Ok(StudentCard {
                school: SchoolId::new(r.school_id),
                enrolled_on: r.enrolled_on,
                left_on: r.left_on,
                person: PersonSummary::try_from(PersonRow {
                    id: r.id,
                    last_name: r.last_name,
                    first_name: r.first_name,
                    middle_name: r.middle_name,
                    sex: r.sex,
                    birth_date: r.birth_date,
                })?,
            })
        })
        .transpose()
}

pub use tabel_domain::school::StaffMember;

#[derive(sqlx::FromRow)]
struct StaffRow {
    id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    sex: String,
    birth_date: Option<Date>,
    position: String,
}

#[derive(sqlx::FromRow)]
struct PairRow {
    person_id: i64,
    label: String,
}

const SELECT_STAFF: &str = "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date, st.position \
     FROM staff st JOIN persons p ON p.id = st.person_id WHERE st.school_id = $1 ORDER BY p.sort_key, p.id";
const SELECT_STAFF_SUBJECTS: &str = "SELECT DISTINCT ta.teacher_id AS person_id, s.name AS label, s.sort_order \
     FROM teaching_assignments ta JOIN subjects s ON s.id = ta.subject_id \
     WHERE ta.school_id = $1 AND ta.academic_year_id = $2 ORDER BY s.sort_order";
const SELECT_STAFF_CLASSES: &str = "SELECT ct.teacher_id AS person_id, g.name AS label \
     FROM class_teachers ct JOIN study_groups g ON g.id = ct.class_id \
     WHERE ct.school_id = $1 AND g.academic_year_id = $2 AND ct.starts_on <= $3 AND (ct.ends_on IS NULL OR ct.ends_on >= $3) \
     ORDER BY g.sort_key";

/// The staff of a school with the subjects they teach and the classes they lead in a year:
/// three queries for the whole list, not one per person.
pub async fn list_staff(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    on: Date,
) -> Result<Vec<StaffMember>> {
    let rows = fetch_all!(conn, StaffRow, SELECT_STAFF, school.get())?;
    let subjects = fetch_all!(
        conn,
        PairRow,
        SELECT_STAFF_SUBJECTS,
        school.get(),
        year.get()
    )?;
    let classes = fetch_all!(
        conn,
        PairRow,
        SELECT_STAFF_CLASSES,
        school.get(),
        year.get(),
        on
    )?;
    let mut by_person: std::collections::HashMap<i64, (Vec<String>, Vec<String>)> =
        std::collections::HashMap::new();
    for s in subjects {
        by_person.entry(s.person_id).or_default().0.push(s.label);
    }
    for c in classes {
        by_person.entry(c.person_id).or_default().1.push(c.label);
    }
    rows.into_iter()
        .map(|r| {
            let (subjects, class_teacher_of) = by_person.remove(&r.id).unwrap_or_default();
            Ok(StaffMember {
                position: r.position,
                subjects,
                class_teacher_of,
                person: PersonSummary::try_from(PersonRow {
                    id: r.id,
                    last_name: r.last_name,
                    first_name: r.first_name,
                    middle_name: r.middle_name,
                    sex: r.sex,
                    birth_date: r.birth_date,
                })?,
            })
        })
        .collect()
}

const SELECT_STAFF_PERSON: &str =
    "SELECT CAST(COUNT(*) AS BIGINT) FROM staff WHERE person_id = $1 AND school_id = $2";
/// Whether a person is on a school's staff.
pub async fn is_staff(conn: &mut Conn<'_>, person: PersonId, school: SchoolId) -> Result<bool> {
    Ok(fetch_scalar!(conn, i64, SELECT_STAFF_PERSON, person.get(), school.get())? > 0)
}

/// A person in a school, of any kind (for account creation pick-lists).
pub async fn get_person(
    conn: &mut Conn<'_>,
    id: PersonId,
) -> Result<Option<(SchoolId, PersonSummary)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        school_id: i64,
        id: i64,
        last_name: String,
        first_name: String,
        middle_name: Option<String>,
        sex: String,
        birth_date: Option<Date>,
    }
    const SQL: &str = "SELECT school_id, id, last_name, first_name, middle_name, sex, birth_date FROM persons WHERE id = $1";
    fetch_optional!(conn, Row, SQL, id.get())?
        .map(|r| {
            Ok((
                SchoolId::new(r.school_id),
                PersonSummary::try_from(PersonRow {
                    id: r.id,
                    last_name: r.last_name,
                    first_name: r.first_name,
                    middle_name: r.middle_name,
                    sex: r.sex,
                    birth_date: r.birth_date,
                })?,
            ))
        })
        .transpose()
}

/// A new parent↔child link.
#[derive(Debug, Clone)]
pub struct NewGuardianship {
    /// The school.
    pub school: SchoolId,
    /// The legal representative.
    pub parent: PersonId,
    /// The child.
    pub student: PersonId,
    /// How related.
    pub relation: Relation,
    /// When the school confirmed it.
    pub confirmed_at: OffsetDateTime,
    /// Who confirmed it (a user), if not the system.
    pub confirmed_by: Option<UserId>,
}

const INSERT_GUARDIANSHIP: &str = "INSERT INTO guardianships (school_id, parent_id, student_id, relation, confirmed_at, confirmed_by, ended_at) \
     VALUES ($1, $2, $3, $4, $5, $6, NULL) RETURNING id";
/// Links a legal representative to a child.
pub async fn insert_guardianship(
    conn: &mut Conn<'_>,
    g: &NewGuardianship,
) -> Result<GuardianshipId> {
    Ok(GuardianshipId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_GUARDIANSHIP,
        g.school.get(),
        g.parent.get(),
        g.student.get(),
        g.relation.code(),
        g.confirmed_at,
        g.confirmed_by.map(UserId::get)
    )?))
}

const SELECT_ACTIVE_LINK: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM guardianships \
     WHERE parent_id = $1 AND student_id = $2 AND ended_at IS NULL";
/// Whether a parent is already linked to a child.
pub async fn is_linked(conn: &mut Conn<'_>, parent: PersonId, student: PersonId) -> Result<bool> {
    Ok(fetch_scalar!(conn, i64, SELECT_ACTIVE_LINK, parent.get(), student.get())? > 0)
}

pub use tabel_domain::school::ChildLink;

#[derive(sqlx::FromRow)]
struct ChildRow {
    id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    sex: String,
    birth_date: Option<Date>,
    school_id: i64,
    relation: String,
    diary: Option<String>,
    delivery: Option<String>,
}

// The latest consent per purpose: the row with the greatest id (consents are append-only).
const SELECT_CHILDREN: &str = "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date, g.school_id, g.relation, \
     (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'diary' ORDER BY c.id DESC LIMIT 1) AS diary, \
     (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'electronic_delivery' ORDER BY c.id DESC LIMIT 1) AS delivery \
     FROM guardianships g JOIN persons p ON p.id = g.student_id \
     WHERE g.parent_id = $1 AND g.ended_at IS NULL ORDER BY p.birth_date, p.id";
/// The children a person is the legal representative of, with consent states.
pub async fn children_of(conn: &mut Conn<'_>, parent: PersonId) -> Result<Vec<ChildLink>> {
    fetch_all!(conn, ChildRow, SELECT_CHILDREN, parent.get())?
        .into_iter()
        .map(|r| {
            Ok(ChildLink {
                school: SchoolId::new(r.school_id),
                relation: Relation::from_code(&r.relation)?,
                diary_consent: r
                    .diary
                    .as_deref()
                    .map(ConsentState::from_code)
                    .transpose()?,
                delivery_consent: r
                    .delivery
                    .as_deref()
                    .map(ConsentState::from_code)
                    .transpose()?,
                student: PersonSummary::try_from(PersonRow {
                    id: r.id,
                    last_name: r.last_name,
                    first_name: r.first_name,
                    middle_name: r.middle_name,
                    sex: r.sex,
                    birth_date: r.birth_date,
                })?,
            })
        })
        .collect()
}

const SELECT_PARENTS: &str = "SELECT p.id AS person_id, g.relation AS label FROM guardianships g \
     JOIN persons p ON p.id = g.parent_id WHERE g.student_id = $1 AND g.ended_at IS NULL ORDER BY p.id";
/// The legal representatives of a child: (person, relation).
pub async fn parents_of(
    conn: &mut Conn<'_>,
    student: PersonId,
) -> Result<Vec<(PersonId, Relation)>> {
    fetch_all!(conn, PairRow, SELECT_PARENTS, student.get())?
        .into_iter()
        .map(|r| Ok((PersonId::new(r.person_id), Relation::from_code(&r.label)?)))
        .collect()
}

/// A new consent record (append-only).
#[derive(Debug, Clone)]
pub struct NewConsent<'a> {
    /// The school.
    pub school: SchoolId,
    /// The legal representative.
    pub parent: PersonId,
    /// The child.
    pub student: PersonId,
    /// What for.
    pub purpose: ConsentPurpose,
    /// Given, refused or withdrawn.
    pub state: ConsentState,
    /// Which version of the consent text.
    pub text_version: &'a str,
    /// The basis: "заявление № 12 от 01.09.2026", an electronic document id.
    pub basis: &'a str,
    /// Who recorded it.
    pub recorded_by: Option<UserId>,
    /// When.
    pub recorded_at: OffsetDateTime,
}

const INSERT_CONSENT: &str = "INSERT INTO consents (school_id, parent_id, student_id, purpose, state, text_version, basis, recorded_by, recorded_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
/// Appends a consent record.
pub async fn insert_consent(conn: &mut Conn<'_>, c: &NewConsent<'_>) -> Result<i64> {
    Ok(fetch_scalar!(
        conn,
        i64,
        INSERT_CONSENT,
        c.school.get(),
        c.parent.get(),
        c.student.get(),
        c.purpose.code(),
        c.state.code(),
        c.text_version,
        c.basis,
        c.recorded_by.map(UserId::get),
        c.recorded_at
    )?)
}

/// A new curriculum line: for a whole parallel (grade) or one group.
#[derive(Debug, Clone)]
pub struct NewCurriculumItem {
    /// The school.
    pub school: SchoolId,
    /// The year.
    pub year: AcademicYearId,
    /// For a parallel…
    pub grade: Option<u8>,
    /// …or a group (class, subgroup, stream, ИУП).
    pub group: Option<GroupId>,
    /// The subject.
    pub subject: SubjectId,
    /// Hours a week.
    pub weekly: calendar::WeeklyHours,
    /// Hours a year.
    pub yearly: u16,
}

const INSERT_CURRICULUM: &str = "INSERT INTO curriculum_items (school_id, academic_year_id, grade, group_id, subject_id, hours_per_week_tenths, hours_per_year) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
/// Adds a curriculum line.
pub async fn insert_curriculum_item(
    conn: &mut Conn<'_>,
    c: &NewCurriculumItem,
) -> Result<CurriculumItemId> {
    Ok(CurriculumItemId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_CURRICULUM,
        c.school.get(),
        c.year.get(),
        c.grade.map(i64::from),
        c.group.map(GroupId::get),
        c.subject.get(),
        i64::from(c.weekly.tenths()),
        i64::from(c.yearly)
    )?))
}

pub use tabel_domain::school::CurriculumLine;

#[derive(sqlx::FromRow)]
struct CurriculumRow {
    grade: Option<i64>,
    group_name: Option<String>,
    subject: String,
    tenths: i64,
    yearly: i64,
}

const SELECT_CURRICULUM: &str = "SELECT c.grade, g.name AS group_name, s.name AS subject, c.hours_per_week_tenths AS tenths, c.hours_per_year AS yearly \
     FROM curriculum_items c JOIN subjects s ON s.id = c.subject_id LEFT JOIN study_groups g ON g.id = c.group_id \
     WHERE c.academic_year_id = $1 ORDER BY COALESCE(c.grade, g.grade), g.sort_key, s.sort_order";
/// The curriculum of a year.
pub async fn list_curriculum(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
) -> Result<Vec<CurriculumLine>> {
    fetch_all!(conn, CurriculumRow, SELECT_CURRICULUM, year.get())?
        .into_iter()
        .map(|r| {
            Ok(CurriculumLine {
                grade: r.grade.map(small).transpose()?,
                group: r.group_name,
                subject: r.subject,
                weekly: calendar::WeeklyHours::from_tenths(
                    u16::try_from(r.tenths).map_err(|_| StoreError::Corrupt("hours".into()))?,
                ),
                yearly: r.yearly,
            })
        })
        .collect()
}

const INSERT_ASSIGNMENT: &str = "INSERT INTO teaching_assignments (school_id, academic_year_id, teacher_id, subject_id, group_id, starts_on, ends_on) \
     VALUES ($1, $2, $3, $4, $5, $6, NULL) RETURNING id";
/// Assigns a teacher to teach a subject to a group from a date.
pub async fn insert_assignment(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    teacher: PersonId,
    subject: SubjectId,
    group: GroupId,
    starts_on: Date,
) -> Result<AssignmentId> {
    Ok(AssignmentId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_ASSIGNMENT,
        school.get(),
        year.get(),
        teacher.get(),
        subject.get(),
        group.get(),
        starts_on
    )?))
}

pub use tabel_domain::school::Assignment;

#[derive(sqlx::FromRow)]
struct AssignmentRow {
    id: i64,
    teacher_id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    subject: String,
    group_id: i64,
    group_name: String,
}

impl From<AssignmentRow> for Assignment {
    fn from(r: AssignmentRow) -> Self {
        Assignment {
            id: AssignmentId::new(r.id),
            teacher: PersonId::new(r.teacher_id),
            teacher_name: text::short_name(&r.last_name, &r.first_name, r.middle_name.as_deref()),
            subject: r.subject,
            group: GroupId::new(r.group_id),
            group_name: r.group_name,
        }
    }
}

macro_rules! assignment_sql {
    ($tail:literal) => {
        concat!(
            "SELECT ta.id, ta.teacher_id, p.last_name, p.first_name, p.middle_name, s.name AS subject, ta.group_id, g.name AS group_name \
             FROM teaching_assignments ta JOIN persons p ON p.id = ta.teacher_id JOIN subjects s ON s.id = ta.subject_id \
             JOIN study_groups g ON g.id = ta.group_id ",
            $tail
        )
    };
}

/// What a teacher teaches in a year.
pub async fn assignments_of_teacher(
    conn: &mut Conn<'_>,
    teacher: PersonId,
    year: AcademicYearId,
) -> Result<Vec<Assignment>> {
    const SQL: &str = assignment_sql!(
        "WHERE ta.teacher_id = $1 AND ta.academic_year_id = $2 ORDER BY g.sort_key, s.sort_order"
    );
    Ok(
        fetch_all!(conn, AssignmentRow, SQL, teacher.get(), year.get())?
            .into_iter()
            .map(Assignment::from)
            .collect(),
    )
}

/// Who teaches what in a group, and in the subgroups of a class.
pub async fn assignments_of_group(conn: &mut Conn<'_>, group: GroupId) -> Result<Vec<Assignment>> {
    const SQL: &str = assignment_sql!(
        "WHERE ta.group_id = $1 OR g.parent_group_id = $1 ORDER BY s.sort_order, g.sort_key"
    );
    Ok(fetch_all!(conn, AssignmentRow, SQL, group.get())?
        .into_iter()
        .map(Assignment::from)
        .collect())
}

const INSERT_CLASS_TEACHER: &str = "INSERT INTO class_teachers (school_id, class_id, teacher_id, starts_on, ends_on) \
     VALUES ($1, $2, $3, $4, NULL) RETURNING id";
/// Appoints a class teacher from a date.
pub async fn insert_class_teacher(
    conn: &mut Conn<'_>,
    school: SchoolId,
    class: GroupId,
    teacher: PersonId,
    starts_on: Date,
) -> Result<i64> {
    Ok(fetch_scalar!(
        conn,
        i64,
        INSERT_CLASS_TEACHER,
        school.get(),
        class.get(),
        teacher.get(),
        starts_on
    )?)
}

#[derive(sqlx::FromRow)]
struct IdPair {
    a: i64,
    b: i64,
}

const SELECT_CLASSES_LED: &str = "SELECT ct.school_id AS a, ct.class_id AS b FROM class_teachers ct \
     WHERE ct.teacher_id = $1 AND ct.starts_on <= $2 AND (ct.ends_on IS NULL OR ct.ends_on >= $2) ORDER BY ct.class_id";
/// The classes a person leads as class teacher on a date: (school, class).
pub async fn classes_led_by(
    conn: &mut Conn<'_>,
    teacher: PersonId,
    on: Date,
) -> Result<Vec<(SchoolId, GroupId)>> {
    Ok(
        fetch_all!(conn, IdPair, SELECT_CLASSES_LED, teacher.get(), on)?
            .into_iter()
            .map(|r| (SchoolId::new(r.a), GroupId::new(r.b)))
            .collect(),
    )
}

const SELECT_MEMBER_OF: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM memberships \
     WHERE group_id = $1 AND student_id = $2 AND starts_on <= $3 AND (ends_on IS NULL OR ends_on >= $3)";
/// Whether a student is a member of a group on a date.
pub async fn is_member(
    conn: &mut Conn<'_>,
    group: GroupId,
    student: PersonId,
    on: Date,
) -> Result<bool> {
    Ok(fetch_scalar!(conn, i64, SELECT_MEMBER_OF, group.get(), student.get(), on)? > 0)
}

const SELECT_STUDENT_SCHOOL: &str = "SELECT school_id FROM students WHERE person_id = $1";
/// The school a person studies in, if they are a student.
pub async fn student_school(conn: &mut Conn<'_>, person: PersonId) -> Result<Option<SchoolId>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        school_id: i64,
    }
    Ok(
        fetch_optional!(conn, Row, SELECT_STUDENT_SCHOOL, person.get())?
            .map(|r| SchoolId::new(r.school_id)),
    )
}

pub use tabel_domain::school::SchoolCounts;

const SELECT_COUNTS: &str = "SELECT \
     (SELECT COUNT(*) FROM students WHERE school_id = $1 AND left_on IS NULL) AS students, \
     (SELECT COUNT(*) FROM staff WHERE school_id = $1) AS staff, \
     (SELECT COUNT(*) FROM study_groups WHERE academic_year_id = $2 AND kind = 'class') AS classes, \
     (SELECT COUNT(*) FROM study_groups WHERE academic_year_id = $2 AND kind <> 'class') AS other_groups, \
     (SELECT COUNT(DISTINCT parent_id) FROM guardianships WHERE school_id = $1 AND ended_at IS NULL) AS parents";
/// Counts for the overview page.
pub async fn school_counts(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
) -> Result<SchoolCounts> {
    let (students, staff, classes, other_groups, parents) = fetch_one!(
        conn,
        (i64, i64, i64, i64, i64),
        SELECT_COUNTS,
        school.get(),
        year.get()
    )?;
    Ok(SchoolCounts {
        students,
        staff,
        classes,
        other_groups,
        parents,
    })
}

/// Searches a school's people by name prefix (case-folded, ё = е), for pick-lists.
pub async fn search_people(
    conn: &mut Conn<'_>,
    school: SchoolId,
    query: &str,
    limit: i64,
) -> Result<Vec<PersonSummary>> {
    const SQL: &str = "SELECT id, last_name, first_name, middle_name, sex, birth_date FROM persons \
         WHERE school_id = $1 AND sort_key LIKE $2 ORDER BY sort_key, id LIMIT $3";
    let pattern = format!(
        "{}%",
        text::sort_key(query)
            .replace('\\', "")
            .replace(['%', '_'], "")
    );
    persons(fetch_all!(
        conn,
        PersonRow,
        SQL,
        school.get(),
        pattern,
        limit
    )?)
}
