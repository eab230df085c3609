//! The school's structure as its administrators edit it: the card, subjects (with retirement),
//! classes, years with their periods and parallels, and the calendar's days. What other
//! repositories already offer (inserting a year, a parallel, a period, a holiday, a group, a
//! class-teacher appointment) is used from there; this file holds the rest, and the counts of
//! what depends on a row that is to be deleted.

use crate::{Conn, Result, StoreError};
use tabel_domain::*;
use time::Date;

fn small(v: i64) -> Result<u8> {
    u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("{v} out of range")))
}

/// The school's card.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SchoolCard {
    pub name: String,
    pub short_name: String,
    pub code: Option<String>,
    pub address: Option<String>,
    pub director: Option<String>,
    pub time_zone: String,
}

const SELECT_CARD: &str =
    "SELECT name, short_name, code, address, director, time_zone FROM schools WHERE id = $1";
/// A school's card.
pub async fn school_card(conn: &mut Conn<'_>, school: SchoolId) -> Result<Option<SchoolCard>> {
    Ok(fetch_optional!(
        conn,
        SchoolCard,
        SELECT_CARD,
        school.get()
    )?)
}

const UPDATE_CARD: &str = "UPDATE schools SET name = $2, short_name = $3, code = $4, address = $5, \
     director = $6, time_zone = $7 WHERE id = $1";
/// Rewrites a school's card.
pub async fn update_school_card(
    conn: &mut Conn<'_>,
    school: SchoolId,
    c: &SchoolCard,
) -> Result<()> {
    execute!(
        conn,
        UPDATE_CARD,
        school.get(),
        c.name.as_str(),
        c.short_name.as_str(),
        c.code.as_deref(),
        c.address.as_deref(),
        c.director.as_deref(),
        c.time_zone.as_str()
    )?;
    Ok(())
}

/// A subject with everything its administration page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectCard {
    pub id: SubjectId,
    pub school: SchoolId,
    pub name: String,
    pub short_name: String,
    pub sort_order: i64,
    pub retired_on: Option<Date>,
}

#[derive(sqlx::FromRow)]
struct SubjectCardRow {
    id: i64,
    school_id: i64,
    name: String,
    short_name: String,
    sort_order: i64,
    retired_on: Option<Date>,
}

impl From<SubjectCardRow> for SubjectCard {
    fn from(r: SubjectCardRow) -> SubjectCard {
        SubjectCard {
            id: SubjectId::new(r.id),
            school: SchoolId::new(r.school_id),
            name: r.name,
            short_name: r.short_name,
            sort_order: r.sort_order,
            retired_on: r.retired_on,
        }
    }
}

const SELECT_SUBJECT_CARDS: &str = "SELECT id, school_id, name, short_name, sort_order, retired_on \
     FROM subjects WHERE school_id = $1 ORDER BY sort_order, id";
/// The school's subjects, retired ones included, in curriculum order.
pub async fn subject_cards(conn: &mut Conn<'_>, school: SchoolId) -> Result<Vec<SubjectCard>> {
    Ok(
        fetch_all!(conn, SubjectCardRow, SELECT_SUBJECT_CARDS, school.get())?
            .into_iter()
            .map(SubjectCard::from)
            .collect(),
    )
}

const SELECT_SUBJECT_CARD: &str = "SELECT id, school_id, name, short_name, sort_order, retired_on \
     FROM subjects WHERE id = $1";
/// One subject.
pub async fn subject_card(conn: &mut Conn<'_>, id: SubjectId) -> Result<Option<SubjectCard>> {
    Ok(
        fetch_optional!(conn, SubjectCardRow, SELECT_SUBJECT_CARD, id.get())?
            .map(SubjectCard::from),
    )
}

const UPDATE_SUBJECT: &str =
    "UPDATE subjects SET name = $2, short_name = $3, sort_order = $4 WHERE id = $1";
/// Renames a subject and sets its place in the order; a name taken in the school is
/// [`StoreError::Duplicate`].
pub async fn update_subject(
    conn: &mut Conn<'_>,
    id: SubjectId,
    name: &str,
    short_name: &str,
    sort_order: i64,
) -> Result<()> {
    execute!(conn, UPDATE_SUBJECT, id.get(), name, short_name, sort_order)?;
    Ok(())
}

const SET_RETIRED: &str = "UPDATE subjects SET retired_on = $2 WHERE id = $1";
/// Retires a subject from a date, or (`None`) brings it back.
pub async fn set_subject_retired(
    conn: &mut Conn<'_>,
    id: SubjectId,
    on: Option<Date>,
) -> Result<()> {
    execute!(conn, SET_RETIRED, id.get(), on)?;
    Ok(())
}

const SELECT_RETIRED: &str =
    "SELECT id FROM subjects WHERE school_id = $1 AND retired_on IS NOT NULL ORDER BY id";
/// The school's retired subjects.
pub async fn retired_subjects(conn: &mut Conn<'_>, school: SchoolId) -> Result<Vec<SubjectId>> {
    Ok(fetch_all!(conn, (i64,), SELECT_RETIRED, school.get())?
        .into_iter()
        .map(|r| SubjectId::new(r.0))
        .collect())
}

const DELETE_SUBJECT: &str = "DELETE FROM subjects WHERE id = $1";
/// Deletes a subject nothing refers to (the caller counted [`subject_dependants`]).
pub async fn delete_subject(conn: &mut Conn<'_>, id: SubjectId) -> Result<()> {
    execute!(conn, DELETE_SUBJECT, id.get())?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CountRow {
    what: String,
    n: i64,
}

fn nonzero(rows: Vec<CountRow>) -> Vec<(String, i64)> {
    rows.into_iter()
        .filter(|r| r.n > 0)
        .map(|r| (r.what, r.n))
        .collect()
}

/// Every table that names a subject, in the order a refusal lists them.
const SUBJECT_DEPENDANTS: &str = "\
SELECT 'marks' AS what, CAST(COUNT(*) AS BIGINT) AS n FROM marks WHERE subject_id = $1 \
UNION ALL SELECT 'lessons', CAST(COUNT(*) AS BIGINT) FROM lessons WHERE subject_id = $1 \
UNION ALL SELECT 'final_marks', CAST(COUNT(*) AS BIGINT) FROM final_marks WHERE subject_id = $1 \
UNION ALL SELECT 'timetable_lines', CAST(COUNT(*) AS BIGINT) FROM timetable_entries WHERE subject_id = $1 \
UNION ALL SELECT 'curriculum_lines', CAST(COUNT(*) AS BIGINT) FROM curriculum_items WHERE subject_id = $1 \
UNION ALL SELECT 'assignments', CAST(COUNT(*) AS BIGINT) FROM teaching_assignments WHERE subject_id = $1 \
UNION ALL SELECT 'assessments', CAST(COUNT(*) AS BIGINT) FROM assessments WHERE subject_id = $1 \
UNION ALL SELECT 'approved_assessments', CAST(COUNT(*) AS BIGINT) FROM assessment_schedule_items WHERE subject_id = $1 \
UNION ALL SELECT 'groups', CAST(COUNT(*) AS BIGINT) FROM study_groups WHERE subject_id = $1 \
UNION ALL SELECT 'thematic_plans', CAST(COUNT(*) AS BIGINT) FROM thematic_plans WHERE subject_id = $1 \
UNION ALL SELECT 'recommendations', CAST(COUNT(*) AS BIGINT) FROM recommendations WHERE subject_id = $1 \
UNION ALL SELECT 'deferrals', CAST(COUNT(*) AS BIGINT) FROM final_deferrals WHERE subject_id = $1 \
UNION ALL SELECT 'debts', CAST(COUNT(*) AS BIGINT) FROM academic_debts WHERE subject_id = $1 \
UNION ALL SELECT 'exam_results', CAST(COUNT(*) AS BIGINT) FROM exam_results WHERE subject_id = $1";
/// What refers to a subject, by kind (only kinds with rows), e.g. `[("marks", 1240)]`.
pub async fn subject_dependants(conn: &mut Conn<'_>, id: SubjectId) -> Result<Vec<(String, i64)>> {
    Ok(nonzero(fetch_all!(
        conn,
        CountRow,
        SUBJECT_DEPENDANTS,
        id.get()
    )?))
}

/// Every table that names a study group, in the order a refusal lists them. Class-teacher
/// appointments are not here: they go with the class.
const GROUP_DEPENDANTS: &str = "\
SELECT 'memberships' AS what, CAST(COUNT(*) AS BIGINT) AS n FROM memberships WHERE group_id = $1 \
UNION ALL SELECT 'marks', CAST(COUNT(*) AS BIGINT) FROM marks WHERE group_id = $1 \
UNION ALL SELECT 'lessons', CAST(COUNT(*) AS BIGINT) FROM lessons WHERE group_id = $1 \
UNION ALL SELECT 'timetable_lines', CAST(COUNT(*) AS BIGINT) FROM timetable_entries WHERE group_id = $1 \
UNION ALL SELECT 'assignments', CAST(COUNT(*) AS BIGINT) FROM teaching_assignments WHERE group_id = $1 \
UNION ALL SELECT 'subgroups', CAST(COUNT(*) AS BIGINT) FROM study_groups WHERE parent_group_id = $1 \
UNION ALL SELECT 'streams', CAST(COUNT(*) AS BIGINT) FROM stream_classes WHERE class_id = $1 OR stream_id = $1 \
UNION ALL SELECT 'curriculum_lines', CAST(COUNT(*) AS BIGINT) FROM curriculum_items WHERE group_id = $1 \
UNION ALL SELECT 'thematic_plans', CAST(COUNT(*) AS BIGINT) FROM thematic_plans WHERE group_id = $1 \
UNION ALL SELECT 'final_marks', CAST(COUNT(*) AS BIGINT) FROM final_marks WHERE group_id = $1 \
UNION ALL SELECT 'deferrals', CAST(COUNT(*) AS BIGINT) FROM final_deferrals WHERE group_id = $1 \
UNION ALL SELECT 'debts', CAST(COUNT(*) AS BIGINT) FROM academic_debts WHERE group_id = $1 \
UNION ALL SELECT 'assessments', CAST(COUNT(*) AS BIGINT) FROM assessments WHERE class_id = $1 OR group_id = $1 \
UNION ALL SELECT 'approved_assessments', CAST(COUNT(*) AS BIGINT) FROM assessment_schedule_items WHERE class_id = $1 OR group_id = $1 \
UNION ALL SELECT 'extracts', CAST(COUNT(*) AS BIGINT) FROM extracts WHERE class_id = $1 \
UNION ALL SELECT 'promotion_lines', CAST(COUNT(*) AS BIGINT) FROM promotion_lines WHERE from_class_id = $1 OR to_class_id = $1 \
UNION ALL SELECT 'promotion_orders', CAST(COUNT(*) AS BIGINT) FROM promotion_orders WHERE class_id = $1 \
UNION ALL SELECT 'carried_classes', CAST(COUNT(*) AS BIGINT) FROM study_groups WHERE carried_from = $1";
/// What refers to a study group, by kind (only kinds with rows).
pub async fn group_dependants(conn: &mut Conn<'_>, id: GroupId) -> Result<Vec<(String, i64)>> {
    Ok(nonzero(fetch_all!(
        conn,
        CountRow,
        GROUP_DEPENDANTS,
        id.get()
    )?))
}

/// A class of a year with its parallel's settings and its class teacher on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassCard {
    pub id: GroupId,
    pub school: SchoolId,
    pub year: AcademicYearId,
    pub name: String,
    pub grade: u8,
    pub shift: u8,
    /// The current appointment (row id), the teacher and from when.
    pub class_teacher: Option<(i64, PersonId, Date)>,
}

#[derive(sqlx::FromRow)]
struct ClassCardRow {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    name: String,
    grade: i64,
    shift: i64,
    ct_id: Option<i64>,
    ct_teacher: Option<i64>,
    ct_from: Option<Date>,
}

impl TryFrom<ClassCardRow> for ClassCard {
    type Error = StoreError;
    fn try_from(r: ClassCardRow) -> Result<ClassCard> {
        Ok(ClassCard {
            id: GroupId::new(r.id),
            school: SchoolId::new(r.school_id),
            year: AcademicYearId::new(r.academic_year_id),
            name: r.name,
            grade: small(r.grade)?,
            shift: small(r.shift)?,
            class_teacher: match (r.ct_id, r.ct_teacher, r.ct_from) {
                (Some(row), Some(t), Some(from)) => Some((row, PersonId::new(t), from)),
                _ => None,
            },
        })
    }
}

macro_rules! class_select {
    () => {
        "SELECT g.id, g.school_id, g.academic_year_id, g.name, g.grade, g.shift, \
     ct.id AS ct_id, ct.teacher_id AS ct_teacher, ct.starts_on AS ct_from FROM study_groups g \
     LEFT JOIN class_teachers ct ON ct.id = (SELECT MAX(c2.id) FROM class_teachers c2 \
         WHERE c2.class_id = g.id AND c2.starts_on <= $2 AND (c2.ends_on IS NULL OR c2.ends_on >= $2)) "
    };
}
const SELECT_CLASS_CARDS: &str = concat!(
    class_select!(),
    "WHERE g.academic_year_id = $1 AND g.kind = 'class' ORDER BY g.sort_key"
);
const SELECT_CLASS_CARD: &str = concat!(class_select!(), "WHERE g.id = $1 AND g.kind = 'class'");

/// The classes of a year, with class teachers on `on`, in grade and name order.
pub async fn class_cards(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    on: Date,
) -> Result<Vec<ClassCard>> {
    fetch_all!(conn, ClassCardRow, SELECT_CLASS_CARDS, year.get(), on)?
        .into_iter()
        .map(ClassCard::try_from)
        .collect()
}

/// One class (a group of kind `class`), with its class teacher on `on`.
pub async fn class_card(conn: &mut Conn<'_>, id: GroupId, on: Date) -> Result<Option<ClassCard>> {
    fetch_optional!(conn, ClassCardRow, SELECT_CLASS_CARD, id.get(), on)?
        .map(ClassCard::try_from)
        .transpose()
}

const RENAME_GROUP: &str = "UPDATE study_groups SET name = $2, sort_key = $3 WHERE id = $1";
/// Renames a study group (its sort key follows the name as [`insert_group`](crate::school::insert_group)
/// makes it).
pub async fn rename_group(conn: &mut Conn<'_>, id: GroupId, grade: u8, name: &str) -> Result<()> {
    let sort_key = format!("{grade:02} {}", text::sort_key(name));
    execute!(conn, RENAME_GROUP, id.get(), name, sort_key)?;
    Ok(())
}

const GROUP_NAMED: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM study_groups \
     WHERE academic_year_id = $1 AND kind = 'class' AND name = $2 AND id <> $3";
/// Whether another class of the year has the name.
pub async fn class_name_taken(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    name: &str,
    except: Option<GroupId>,
) -> Result<bool> {
    let n = fetch_scalar!(
        conn,
        i64,
        GROUP_NAMED,
        year.get(),
        name,
        except.map_or(0, GroupId::get)
    )?;
    Ok(n > 0)
}

const DELETE_CLASS_TEACHERS: &str = "DELETE FROM class_teachers WHERE class_id = $1";
const DELETE_GROUP: &str = "DELETE FROM study_groups WHERE id = $1";
/// Deletes a class nothing else refers to, with its class-teacher appointments.
pub async fn delete_class(conn: &mut Conn<'_>, id: GroupId) -> Result<()> {
    execute!(conn, DELETE_CLASS_TEACHERS, id.get())?;
    execute!(conn, DELETE_GROUP, id.get())?;
    Ok(())
}

/// The school's academic years, newest first.
pub async fn academic_years(
    conn: &mut Conn<'_>,
    school: SchoolId,
) -> Result<Vec<tabel_domain::school::AcademicYear>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        start_year: i64,
        starts_on: Date,
        ends_on: Date,
    }
    const SQL: &str = "SELECT id, start_year, starts_on, ends_on FROM academic_years \
         WHERE school_id = $1 ORDER BY start_year DESC";
    Ok(fetch_all!(conn, Row, SQL, school.get())?
        .into_iter()
        .map(|r| tabel_domain::school::AcademicYear {
            id: AcademicYearId::new(r.id),
            school,
            label: format!("{}/{}", r.start_year, r.start_year + 1),
            starts_on: r.starts_on,
            ends_on: r.ends_on,
        })
        .collect())
}

/// One academic year.
pub async fn academic_year(
    conn: &mut Conn<'_>,
    id: AcademicYearId,
) -> Result<Option<tabel_domain::school::AcademicYear>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        school_id: i64,
        start_year: i64,
        starts_on: Date,
        ends_on: Date,
    }
    const SQL: &str =
        "SELECT school_id, start_year, starts_on, ends_on FROM academic_years WHERE id = $1";
    Ok(
        fetch_optional!(conn, Row, SQL, id.get())?.map(|r| tabel_domain::school::AcademicYear {
            id,
            school: SchoolId::new(r.school_id),
            label: format!("{}/{}", r.start_year, r.start_year + 1),
            starts_on: r.starts_on,
            ends_on: r.ends_on,
        }),
    )
}

/// A reporting period with its year and school.
pub async fn period_year(
    conn: &mut Conn<'_>,
    id: PeriodId,
) -> Result<Option<(SchoolId, AcademicYearId)>> {
    const SQL: &str = "SELECT school_id, academic_year_id FROM reporting_periods WHERE id = $1";
    Ok(fetch_optional!(conn, (i64, i64), SQL, id.get())?
        .map(|(s, y)| (SchoolId::new(s), AcademicYearId::new(y))))
}

const UPDATE_PERIOD: &str =
    "UPDATE reporting_periods SET starts_on = $2, ends_on = $3 WHERE id = $1";
/// Moves a reporting period's dates.
pub async fn set_period_dates(
    conn: &mut Conn<'_>,
    id: PeriodId,
    starts_on: Date,
    ends_on: Date,
) -> Result<()> {
    execute!(conn, UPDATE_PERIOD, id.get(), starts_on, ends_on)?;
    Ok(())
}

const SET_PARALLEL: &str = "UPDATE parallels SET period_kind = $2, week_days = $3 WHERE id = $1";
/// Sets a parallel's kind of periods and week length.
pub async fn set_parallel(
    conn: &mut Conn<'_>,
    id: ParallelId,
    kind: &str,
    week_days: u8,
) -> Result<()> {
    execute!(conn, SET_PARALLEL, id.get(), kind, i64::from(week_days))?;
    Ok(())
}

const FINALS_OF_KIND: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM final_marks f \
     JOIN reporting_periods rp ON rp.id = f.period_id \
     JOIN study_groups g ON g.id = f.group_id \
     WHERE rp.academic_year_id = $1 AND rp.kind = $2 AND g.grade = $3";
/// How many final marks of a grade were given for a year's periods of a kind.
pub async fn finals_of_period_kind(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    kind: &str,
    grade: u8,
) -> Result<i64> {
    Ok(fetch_scalar!(
        conn,
        i64,
        FINALS_OF_KIND,
        year.get(),
        kind,
        i64::from(grade)
    )?)
}

/// A day of the calendar as its page and API show it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CalendarDay {
    pub id: i64,
    pub school_id: i64,
    pub academic_year_id: i64,
    pub kind: String,
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub only_grade: Option<i64>,
    pub as_weekday: Option<i64>,
}

const SELECT_DAYS: &str = "SELECT id, school_id, academic_year_id, kind, name, starts_on, ends_on, only_grade, as_weekday \
     FROM holidays WHERE academic_year_id = $1 ORDER BY starts_on, id";
/// A year's holidays, days off and worked days, by date.
pub async fn calendar_days(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<CalendarDay>> {
    Ok(fetch_all!(conn, CalendarDay, SELECT_DAYS, year.get())?)
}

const SELECT_DAY: &str = "SELECT id, school_id, academic_year_id, kind, name, starts_on, ends_on, only_grade, as_weekday \
     FROM holidays WHERE id = $1";
/// One row of the calendar.
pub async fn calendar_day(conn: &mut Conn<'_>, id: HolidayId) -> Result<Option<CalendarDay>> {
    Ok(fetch_optional!(conn, CalendarDay, SELECT_DAY, id.get())?)
}

const INSERT_DAY: &str = "INSERT INTO holidays (school_id, academic_year_id, kind, name, starts_on, ends_on, only_grade, as_weekday) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
/// Adds a holiday range, a day off or a worked day (with the weekday it follows).
pub async fn insert_calendar_day(conn: &mut Conn<'_>, d: &CalendarDay) -> Result<HolidayId> {
    Ok(HolidayId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_DAY,
        d.school_id,
        d.academic_year_id,
        d.kind.as_str(),
        d.name.as_str(),
        d.starts_on,
        d.ends_on,
        d.only_grade,
        d.as_weekday
    )?))
}

const DELETE_DAY: &str = "DELETE FROM holidays WHERE id = $1";
/// Removes a row of the calendar.
pub async fn delete_calendar_day(conn: &mut Conn<'_>, id: HolidayId) -> Result<()> {
    execute!(conn, DELETE_DAY, id.get())?;
    Ok(())
}

const LESSONS_WITH_DATA: &str = "SELECT g.name AS what, CAST(COUNT(*) AS BIGINT) AS n FROM lessons l \
     JOIN study_groups g ON g.id = l.group_id \
     WHERE l.academic_year_id = $1 AND l.on_date >= $2 AND l.on_date <= $3 AND l.has_journal_data = 1 \
       AND ($4 = 0 OR g.grade = $4) \
     GROUP BY g.name, g.sort_key ORDER BY g.sort_key";
/// Lessons between two dates (of one grade, or all with 0) that carry journal data, by class.
pub async fn lessons_with_data(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    from: Date,
    to: Date,
    grade: u8,
) -> Result<Vec<(String, i64)>> {
    Ok(nonzero(fetch_all!(
        conn,
        CountRow,
        LESSONS_WITH_DATA,
        year.get(),
        from,
        to,
        i64::from(grade)
    )?))
}

const DELETE_BELL_DAY: &str = "DELETE FROM bell_days WHERE academic_year_id = $1 AND on_date = $2";
/// Returns a date of the year to the regular bells; how many rows went (0: it had none).
pub async fn delete_bell_day(conn: &mut Conn<'_>, year: AcademicYearId, on: Date) -> Result<u64> {
    Ok(execute!(conn, DELETE_BELL_DAY, year.get(), on)?)
}
