//! The bell schedule, weekly timetable entries and dated lessons.

use crate::{Conn, Result, StoreError};
use tabel_domain::school::DayOffKind;
use tabel_domain::timetable::{BellSlot, CancelCause, DayOff, LessonStatus};
use tabel_domain::{
    AcademicYearId, GroupId, LessonId, PersonId, SchoolId, SubjectId, TimetableLineId, text,
};
use time::{Date, OffsetDateTime};

fn small(v: i64) -> Result<u8> {
    u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("value {v} out of range")))
}

/// A bell schedule's variant: the regular day or a shortened one.
pub const REGULAR: &str = "regular";
/// The shortened-day variant.
pub const SHORT: &str = "short";

#[derive(sqlx::FromRow)]
struct BellRow {
    number: i64,
    starts_min: i64,
    ends_min: i64,
}

/// The slots of a bell schedule (shift, variant), by number.
pub async fn bell_slots(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    shift: u8,
    variant: &str,
) -> Result<Vec<BellSlot>> {
    const SQL: &str = "SELECT number, starts_min, ends_min FROM bell_slots \
         WHERE academic_year_id = $1 AND shift = $2 AND variant = $3 ORDER BY number";
    fetch_all!(conn, BellRow, SQL, year.get(), i64::from(shift), variant)?
        .into_iter()
        .map(|r| {
            Ok(BellSlot {
                number: small(r.number)?,
                starts: u16::try_from(r.starts_min)
                    .map_err(|_| StoreError::Corrupt("bell".into()))?,
                ends: u16::try_from(r.ends_min).map_err(|_| StoreError::Corrupt("bell".into()))?,
            })
        })
        .collect()
}

/// Replaces a bell schedule (shift, variant) with new slots.
pub async fn replace_bell_slots(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    shift: u8,
    variant: &str,
    slots: &[BellSlot],
) -> Result<()> {
    const DELETE: &str =
        "DELETE FROM bell_slots WHERE academic_year_id = $1 AND shift = $2 AND variant = $3";
    const INSERT: &str = "INSERT INTO bell_slots (school_id, academic_year_id, shift, variant, number, starts_min, ends_min) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)";
    execute!(conn, DELETE, year.get(), i64::from(shift), variant)?;
    for s in slots {
        execute!(
            conn,
            INSERT,
            school.get(),
            year.get(),
            i64::from(shift),
            variant,
            i64::from(s.number),
            i64::from(s.starts),
            i64::from(s.ends)
        )?;
    }
    Ok(())
}

/// Marks a date as following a bell-schedule variant (e.g. a shortened day).
pub async fn set_bell_day(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    on: Date,
    variant: &str,
) -> Result<()> {
    const DELETE: &str = "DELETE FROM bell_days WHERE academic_year_id = $1 AND on_date = $2";
    const INSERT: &str = "INSERT INTO bell_days (school_id, academic_year_id, on_date, variant) VALUES ($1, $2, $3, $4)";
    execute!(conn, DELETE, year.get(), on)?;
    execute!(conn, INSERT, school.get(), year.get(), on, variant)?;
    Ok(())
}

/// The dates of a year with a non-regular bell variant.
pub async fn bell_days(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<(Date, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        on_date: Date,
        variant: String,
    }
    const SQL: &str =
        "SELECT on_date, variant FROM bell_days WHERE academic_year_id = $1 ORDER BY on_date";
    Ok(fetch_all!(conn, Row, SQL, year.get())?
        .into_iter()
        .map(|r| (r.on_date, r.variant))
        .collect())
}

/// The year's days off with the worked-day weekday, for the lesson rules.
pub async fn days_off(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<DayOff>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        kind: String,
        starts_on: Date,
        ends_on: Date,
        only_grade: Option<i64>,
        as_weekday: Option<i64>,
    }
    const SQL: &str = "SELECT kind, starts_on, ends_on, only_grade, as_weekday FROM holidays \
         WHERE academic_year_id = $1 ORDER BY starts_on";
    fetch_all!(conn, Row, SQL, year.get())?
        .into_iter()
        .map(|r| {
            Ok(DayOff {
                kind: DayOffKind::from_code(&r.kind)?,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
                only_grade: r.only_grade.map(small).transpose()?,
                as_weekday: r.as_weekday.map(small).transpose()?,
            })
        })
        .collect()
}

/// A weekly timetable line to store.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    /// The school.
    pub school: SchoolId,
    /// The year.
    pub year: AcademicYearId,
    /// Class, subgroup, stream or ИУП group.
    pub group: GroupId,
    /// 1 = Monday … 6 = Saturday.
    pub weekday: u8,
    /// Lesson number.
    pub number: u8,
    /// Subject.
    pub subject: SubjectId,
    /// Teacher.
    pub teacher: PersonId,
    /// Room.
    pub room: &'a str,
    /// First date.
    pub valid_from: Date,
    /// Last date, if it ends.
    pub valid_to: Option<Date>,
    /// When recorded.
    pub now: OffsetDateTime,
}

/// Stores a timetable line.
pub async fn insert_entry(conn: &mut Conn<'_>, e: &NewEntry<'_>) -> Result<i64> {
    const SQL: &str = "INSERT INTO timetable_entries (school_id, academic_year_id, group_id, weekday, number, subject_id, \
         teacher_id, room, valid_from, valid_to, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        e.school.get(),
        e.year.get(),
        e.group.get(),
        i64::from(e.weekday),
        i64::from(e.number),
        e.subject.get(),
        e.teacher.get(),
        e.room,
        e.valid_from,
        e.valid_to,
        e.now
    )?)
}

/// Ends a timetable line on a date (the last day it applies).
pub async fn end_entry(conn: &mut Conn<'_>, entry: TimetableLineId, last_day: Date) -> Result<u64> {
    const SQL: &str = "UPDATE timetable_entries SET valid_to = $2 WHERE id = $1";
    Ok(execute!(conn, SQL, entry.get(), last_day)?)
}

pub use tabel_domain::timetable::TimetableLine;

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    group_id: i64,
    group_name: String,
    weekday: i64,
    number: i64,
    subject_id: i64,
    subject_name: String,
    teacher_id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    room: String,
    valid_from: Date,
    valid_to: Option<Date>,
    shift: i64,
}

impl TryFrom<EntryRow> for TimetableLine {
    type Error = StoreError;
    fn try_from(r: EntryRow) -> Result<TimetableLine> {
        Ok(TimetableLine {
            id: TimetableLineId::new(r.id),
            group: GroupId::new(r.group_id),
            group_name: r.group_name,
            weekday: small(r.weekday)?,
            number: small(r.number)?,
            subject: SubjectId::new(r.subject_id),
            subject_name: r.subject_name,
            teacher: PersonId::new(r.teacher_id),
            teacher_name: text::short_name(&r.last_name, &r.first_name, r.middle_name.as_deref()),
            room: r.room,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            shift: small(r.shift)?,
        })
    }
}

macro_rules! entry_sql {
    ($tail:literal) => {
        concat!(
            "SELECT e.id, e.group_id, g.name AS group_name, e.weekday, e.number, e.subject_id, s.name AS subject_name, ",
            "e.teacher_id, p.last_name, p.first_name, p.middle_name, e.room, e.valid_from, e.valid_to, ",
            "COALESCE(pg.shift, g.shift) AS shift ",
            "FROM timetable_entries e JOIN study_groups g ON g.id = e.group_id ",
            "LEFT JOIN study_groups pg ON pg.id = g.parent_group_id JOIN subjects s ON s.id = e.subject_id ",
            "JOIN persons p ON p.id = e.teacher_id ",
            $tail
        )
    };
}

/// Every timetable line of a year (for lesson generation and conflict checks).
pub async fn entries_of_year(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
) -> Result<Vec<TimetableLine>> {
    const SQL: &str =
        entry_sql!("WHERE e.academic_year_id = $1 ORDER BY e.group_id, e.weekday, e.number, e.id");
    fetch_all!(conn, EntryRow, SQL, year.get())?
        .into_iter()
        .map(TimetableLine::try_from)
        .collect()
}

/// The timetable lines of some groups (a class with its subgroups and streams).
pub async fn entries_of_group(conn: &mut Conn<'_>, group: GroupId) -> Result<Vec<TimetableLine>> {
    const SQL: &str =
        entry_sql!("WHERE e.group_id = $1 ORDER BY e.weekday, e.number, e.valid_from");
    fetch_all!(conn, EntryRow, SQL, group.get())?
        .into_iter()
        .map(TimetableLine::try_from)
        .collect()
}

/// Lines of the year in one weekday slot (for conflicts).
pub async fn entries_in_slot(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    weekday: u8,
    number: u8,
) -> Result<Vec<TimetableLine>> {
    const SQL: &str = entry_sql!(
        "WHERE e.academic_year_id = $1 AND e.weekday = $2 AND e.number = $3 ORDER BY e.id"
    );
    fetch_all!(
        conn,
        EntryRow,
        SQL,
        year.get(),
        i64::from(weekday),
        i64::from(number)
    )?
    .into_iter()
    .map(TimetableLine::try_from)
    .collect()
}

/// A dated lesson to store.
#[derive(Debug, Clone, Copy)]
pub struct NewLesson<'a> {
    /// School.
    pub school: SchoolId,
    /// Year.
    pub year: AcademicYearId,
    /// Group.
    pub group: GroupId,
    /// Date.
    pub on: Date,
    /// Number.
    pub number: u8,
    /// Subject.
    pub subject: SubjectId,
    /// Teacher.
    pub teacher: PersonId,
    /// Room.
    pub room: &'a str,
    /// Status.
    pub status: LessonStatus,
    /// The timetable line it came from.
    pub entry: Option<i64>,
}

/// Stores many lessons, in multi-row statements (a school year is tens of thousands).
pub async fn insert_lessons(conn: &mut Conn<'_>, lessons: &[NewLesson<'_>]) -> Result<u64> {
    const HEAD: &str = "INSERT INTO lessons (school_id, academic_year_id, group_id, on_date, number, subject_id, teacher_id, room, status, entry_id) ";
    let mut n = 0;
    for chunk in lessons.chunks(500) {
        macro_rules! run {
            ($db:ty, $c:expr) => {{
                let mut qb = sqlx::QueryBuilder::<$db>::new(HEAD);
                qb.push_values(chunk, |mut b, l| {
                    b.push_bind(l.school.get())
                        .push_bind(l.year.get())
                        .push_bind(l.group.get())
                        .push_bind(l.on)
                        .push_bind(i64::from(l.number))
                        .push_bind(l.subject.get())
                        .push_bind(l.teacher.get())
                        .push_bind(l.room.to_owned())
                        .push_bind(l.status.code())
                        .push_bind(l.entry);
                });
                qb.build().execute(&mut **$c).await?.rows_affected()
            }};
        }
        n += match conn {
            Conn::Sqlite(c) => run!(sqlx::Sqlite, c),
            Conn::Postgres(c) => run!(sqlx::Postgres, c),
        };
    }
    Ok(n)
}

/// Deletes the year's planned lessons from a date on that carry no journal data and no change
/// (the ones a timetable edit may regenerate); returns how many.
pub async fn delete_regenerable(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    from: Date,
) -> Result<u64> {
    const SQL: &str = "DELETE FROM lessons WHERE academic_year_id = $1 AND on_date >= $2 AND status = 'planned' \
         AND has_journal_data = 0 AND entry_id IS NOT NULL";
    Ok(execute!(conn, SQL, year.get(), from)?)
}

/// The (group, date, number) slots of the year from a date that hold a lesson.
pub async fn occupied_slots(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    from: Date,
) -> Result<Vec<(i64, Date, u8)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        group_id: i64,
        on_date: Date,
        number: i64,
    }
    // A transferred lesson still owns the slot it left: regenerating must not put the timetable's
    // lesson back there (it would then exist twice).
    const SQL: &str = "SELECT group_id, on_date, number FROM lessons WHERE academic_year_id = $1 AND on_date >= $2 \
         UNION SELECT group_id, original_date AS on_date, original_number AS number FROM lessons \
         WHERE academic_year_id = $1 AND original_date IS NOT NULL AND original_date >= $2";
    fetch_all!(conn, Row, SQL, year.get(), from)?
        .into_iter()
        .map(|r| Ok((r.group_id, r.on_date, small(r.number)?)))
        .collect()
}

/// Marks a lesson as carrying journal data (marks, attendance, topic): regeneration keeps it.
pub async fn mark_journal_data(conn: &mut Conn<'_>, lesson: LessonId) -> Result<()> {
    const SQL: &str =
        "UPDATE lessons SET has_journal_data = 1 WHERE id = $1 AND has_journal_data = 0";
    execute!(conn, SQL, lesson.get())?;
    Ok(())
}

pub use tabel_domain::timetable::Lesson;

/// A lesson as the `lessons` queries select it (also the head of the diary's rows).
#[derive(sqlx::FromRow)]
pub(crate) struct LessonRow {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    group_id: i64,
    group_name: String,
    grade: i64,
    on_date: Date,
    number: i64,
    subject_id: i64,
    subject_name: String,
    teacher_id: i64,
    t_last: String,
    t_first: String,
    t_middle: Option<String>,
    room: String,
    status: String,
    original_teacher_id: Option<i64>,
    o_last: Option<String>,
    o_first: Option<String>,
    o_middle: Option<String>,
    original_date: Option<Date>,
    original_number: Option<i64>,
    reason: Option<String>,
    cause: Option<String>,
    has_journal_data: i64,
    version: i64,
    shift: i64,
    lesson_type: Option<String>,
}

impl TryFrom<LessonRow> for Lesson {
    type Error = StoreError;
    fn try_from(r: LessonRow) -> Result<Lesson> {
        Ok(Lesson {
            id: LessonId::new(r.id),
            school: SchoolId::new(r.school_id),
            year: AcademicYearId::new(r.academic_year_id),
            group: GroupId::new(r.group_id),
            group_name: r.group_name,
            grade: small(r.grade)?,
            on: r.on_date,
            number: small(r.number)?,
            subject: SubjectId::new(r.subject_id),
            subject_name: r.subject_name,
            teacher: PersonId::new(r.teacher_id),
            teacher_name: text::short_name(&r.t_last, &r.t_first, r.t_middle.as_deref()),
            room: r.room,
            status: LessonStatus::from_code(&r.status)?,
            original_teacher: r.original_teacher_id.map(PersonId::new),
            original_teacher_name: match (r.o_last, r.o_first) {
                (Some(l), Some(f)) => Some(text::short_name(&l, &f, r.o_middle.as_deref())),
                _ => None,
            },
            original_date: r.original_date,
            original_number: r.original_number.map(small).transpose()?,
            reason: r.reason,
            cause: r.cause.as_deref().map(CancelCause::from_code).transpose()?,
            has_journal_data: r.has_journal_data != 0,
            version: r.version,
            shift: small(r.shift)?,
            lesson_type: r.lesson_type,
        })
    }
}

macro_rules! lesson_sql {
    ($tail:literal) => {
        concat!(
            "SELECT l.id, l.school_id, l.academic_year_id, l.group_id, g.name AS group_name, g.grade, l.on_date, l.number, ",
            "l.subject_id, s.name AS subject_name, l.teacher_id, t.last_name AS t_last, t.first_name AS t_first, ",
            "t.middle_name AS t_middle, l.room, l.status, l.original_teacher_id, o.last_name AS o_last, ",
            "o.first_name AS o_first, o.middle_name AS o_middle, l.original_date, l.original_number, l.reason, l.cause, ",
            "l.has_journal_data, l.version, COALESCE(pg.shift, g.shift) AS shift, l.lesson_type ",
            "FROM lessons l JOIN study_groups g ON g.id = l.group_id LEFT JOIN study_groups pg ON pg.id = g.parent_group_id ",
            "JOIN subjects s ON s.id = l.subject_id ",
            "JOIN persons t ON t.id = l.teacher_id LEFT JOIN persons o ON o.id = l.original_teacher_id ",
            $tail
        )
    };
}

fn lessons(rows: Vec<LessonRow>) -> Result<Vec<Lesson>> {
    rows.into_iter().map(Lesson::try_from).collect()
}

/// One lesson.
pub async fn get_lesson(conn: &mut Conn<'_>, id: LessonId) -> Result<Option<Lesson>> {
    const SQL: &str = lesson_sql!("WHERE l.id = $1");
    fetch_optional!(conn, LessonRow, SQL, id.get())?
        .map(Lesson::try_from)
        .transpose()
}

/// The lessons of a group and of the groups tied to it (a class's subgroups, the streams it
/// feeds, or the class of a subgroup) in a date range, by date and number.
pub async fn lessons_of_class(
    conn: &mut Conn<'_>,
    group: GroupId,
    from: Date,
    to: Date,
) -> Result<Vec<Lesson>> {
    const SQL: &str = lesson_sql!(
        // One IN over the tied groups lets both databases walk the (group, date) index per
        // group instead of every lesson of the school in the range.
        "WHERE l.group_id IN (SELECT CAST($1 AS BIGINT) UNION SELECT id FROM study_groups WHERE parent_group_id = $1 \
         UNION SELECT stream_id FROM stream_classes WHERE class_id = $1) \
         AND l.on_date >= $2 AND l.on_date <= $3 \
         ORDER BY l.on_date, l.number, g.sort_key, l.id"
    );
    lessons(fetch_all!(conn, LessonRow, SQL, group.get(), from, to)?)
}

/// A teacher's lessons in a range, including those taken from them by a substitution.
pub async fn lessons_of_teacher(
    conn: &mut Conn<'_>,
    teacher: PersonId,
    from: Date,
    to: Date,
) -> Result<Vec<Lesson>> {
    const SQL: &str = lesson_sql!(
        "WHERE l.on_date >= $2 AND l.on_date <= $3 AND (l.teacher_id = $1 OR l.original_teacher_id = $1) \
         ORDER BY l.on_date, l.number, l.id"
    );
    lessons(fetch_all!(conn, LessonRow, SQL, teacher.get(), from, to)?)
}

/// A journal's lessons: one group's lessons of one subject in a range, cancelled ones included
/// (the grid shows them struck out).
pub async fn lessons_of_journal(
    conn: &mut Conn<'_>,
    group: GroupId,
    subject: SubjectId,
    from: Date,
    to: Date,
) -> Result<Vec<Lesson>> {
    const SQL: &str = lesson_sql!(
        "WHERE l.group_id = $1 AND l.subject_id = $2 AND l.on_date >= $3 AND l.on_date <= $4 \
         ORDER BY l.on_date, l.number, l.id"
    );
    lessons(fetch_all!(
        conn,
        LessonRow,
        SQL,
        group.get(),
        subject.get(),
        from,
        to
    )?)
}

/// A student's lessons in a range: the groups they are in on each lesson's date.
pub async fn lessons_of_student(
    conn: &mut Conn<'_>,
    student: PersonId,
    from: Date,
    to: Date,
) -> Result<Vec<Lesson>> {
    const SQL: &str = lesson_sql!(
        "WHERE l.on_date >= $2 AND l.on_date <= $3 AND EXISTS (SELECT 1 FROM memberships m \
         WHERE m.group_id = l.group_id AND m.student_id = $1 AND m.starts_on <= l.on_date \
         AND (m.ends_on IS NULL OR m.ends_on >= l.on_date)) ORDER BY l.on_date, l.number, l.id"
    );
    lessons(fetch_all!(conn, LessonRow, SQL, student.get(), from, to)?)
}

/// A school's lessons on a date (the day's changes, the substitution desk).
pub async fn lessons_of_day(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    on: Date,
) -> Result<Vec<Lesson>> {
    const SQL: &str = lesson_sql!(
        "WHERE l.academic_year_id = $1 AND l.on_date = $2 ORDER BY l.number, g.sort_key, l.id"
    );
    lessons(fetch_all!(conn, LessonRow, SQL, year.get(), on)?)
}

/// Lessons held (not cancelled) in one slot of a date: the candidates for a conflict.
pub async fn lessons_in_slot(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    on: Date,
    number: u8,
) -> Result<Vec<Lesson>> {
    const SQL: &str = lesson_sql!(
        "WHERE l.academic_year_id = $1 AND l.on_date = $2 AND l.number = $3 AND l.status <> 'cancelled' ORDER BY l.id"
    );
    lessons(fetch_all!(
        conn,
        LessonRow,
        SQL,
        year.get(),
        on,
        i64::from(number)
    )?)
}

/// A change to a lesson, applied only if its version is still `version`.
#[derive(Debug, Clone)]
pub struct LessonChange<'a> {
    /// The lesson.
    pub id: LessonId,
    /// Expected version.
    pub version: i64,
    /// New status.
    pub status: LessonStatus,
    /// Teacher now.
    pub teacher: PersonId,
    /// Teacher before a substitution.
    pub original_teacher: Option<PersonId>,
    /// Date now.
    pub on: Date,
    /// Number now.
    pub number: u8,
    /// Room now.
    pub room: &'a str,
    /// Where it was before a transfer.
    pub original_date: Option<Date>,
    /// Its number there.
    pub original_number: Option<u8>,
    /// Why.
    pub reason: Option<&'a str>,
    /// Why cancelled.
    pub cause: Option<CancelCause>,
}

/// Applies a change; `StoreError::Stale` if someone changed the lesson first.
pub async fn update_lesson(conn: &mut Conn<'_>, c: &LessonChange<'_>) -> Result<()> {
    const SQL: &str = "UPDATE lessons SET status = $3, teacher_id = $4, original_teacher_id = $5, on_date = $6, \
         number = $7, room = $8, original_date = $9, original_number = $10, reason = $11, cause = $12, version = version + 1 \
         WHERE id = $1 AND version = $2";
    let n = execute!(
        conn,
        SQL,
        c.id.get(),
        c.version,
        c.status.code(),
        c.teacher.get(),
        c.original_teacher.map(PersonId::get),
        c.on,
        i64::from(c.number),
        c.room,
        c.original_date,
        c.original_number.map(i64::from),
        c.reason,
        c.cause.map(CancelCause::code)
    )?;
    if n == 0 {
        Err(StoreError::Stale)
    } else {
        Ok(())
    }
}

/// The classes a group is tied to, for "a class in two places": the group itself, its class (for
/// a subgroup), and the classes a stream draws from.
pub async fn classes_of_group(conn: &mut Conn<'_>, group: GroupId) -> Result<Vec<i64>> {
    const SQL: &str = "SELECT id AS v FROM study_groups WHERE id = $1 AND kind = 'class' \
         UNION SELECT parent_group_id AS v FROM study_groups WHERE id = $1 AND parent_group_id IS NOT NULL \
         UNION SELECT class_id AS v FROM stream_classes WHERE stream_id = $1";
    #[derive(sqlx::FromRow)]
    struct Row {
        v: i64,
    }
    Ok(fetch_all!(conn, Row, SQL, group.get())?
        .into_iter()
        .map(|r| r.v)
        .collect())
}

/// The lessons held in a room in a range (a room's week).
pub async fn lessons_of_room(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    room: &str,
    from: Date,
    to: Date,
) -> Result<Vec<Lesson>> {
    const SQL: &str = lesson_sql!(
        "WHERE l.academic_year_id = $1 AND l.room = $2 AND l.on_date >= $3 AND l.on_date <= $4 ORDER BY l.on_date, l.number, l.id"
    );
    lessons(fetch_all!(
        conn,
        LessonRow,
        SQL,
        year.get(),
        room,
        from,
        to
    )?)
}

/// A timetable line's school, group and first date.
pub async fn entry_scope(
    conn: &mut Conn<'_>,
    entry: TimetableLineId,
) -> Result<Option<(SchoolId, GroupId, Date, Option<Date>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        school_id: i64,
        group_id: i64,
        valid_from: Date,
        valid_to: Option<Date>,
    }
    const SQL: &str =
        "SELECT school_id, group_id, valid_from, valid_to FROM timetable_entries WHERE id = $1";
    Ok(fetch_optional!(conn, Row, SQL, entry.get())?.map(|r| {
        (
            SchoolId::new(r.school_id),
            GroupId::new(r.group_id),
            r.valid_from,
            r.valid_to,
        )
    }))
}

/// The shift a group studies in: a subgroup's is its class's.
pub async fn group_shift(conn: &mut Conn<'_>, group: GroupId) -> Result<u8> {
    const SQL: &str = "SELECT COALESCE((SELECT p.shift FROM study_groups p WHERE p.id = g.parent_group_id), g.shift) \
         FROM study_groups g WHERE g.id = $1";
    let v: Option<i64> = fetch_optional!(conn, (i64,), SQL, group.get())?.map(|r| r.0);
    small(v.unwrap_or(1))
}

/// Moves a group (a class) to a shift.
pub async fn set_group_shift(conn: &mut Conn<'_>, group: GroupId, shift: u8) -> Result<u64> {
    const SQL: &str = "UPDATE study_groups SET shift = $2 WHERE id = $1";
    Ok(execute!(conn, SQL, group.get(), i64::from(shift))?)
}
