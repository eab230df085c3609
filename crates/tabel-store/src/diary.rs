//! Reads of the family's diary (электронный дневник): a pupil's lessons with what the teacher
//! recorded, attendance, teachers, recommendations and bells. Each function is one query over
//! the pupil's groups, whatever the number of lessons: a week page or a diary API call costs a
//! fixed handful of queries, never one per lesson.
//!
//! A pupil's lessons are those of the groups (class, subgroups, streams, ИУП) the pupil belongs
//! to on each lesson's date. The queries first take the pupil's groups of the range (the
//! `memberships_student` index), then walk the `(group, date)` index of lessons for each, and
//! keep a lesson only when a membership covers its date: a pupil who changed class sees the old
//! class's lessons before the move and the new one's after.

use crate::journal::{AttendanceEntry, LessonRecord, VersionedRecord};
use crate::timetable::{Lesson, LessonRow};
use crate::{Conn, Result, StoreError};
use serde::Serialize;
use tabel_domain::timetable::BellSlot;
use tabel_domain::{AcademicYearId, GroupId, PersonId, SubjectId, text};
use time::{Date, OffsetDateTime};

fn small(v: i64) -> Result<u8> {
    u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("value {v} out of range")))
}

fn minutes(v: i64) -> Result<u16> {
    u16::try_from(v).map_err(|_| StoreError::Corrupt(format!("minutes {v} out of range")))
}

/// A lesson of a pupil with the teacher's record of it (topic, homework).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiaryLesson {
    /// The lesson with names and its change (substitution, transfer, cancellation).
    pub lesson: Lesson,
    /// What the teacher recorded.
    pub record: VersionedRecord,
}

#[derive(sqlx::FromRow)]
struct DiaryLessonRow {
    #[sqlx(flatten)]
    lesson: LessonRow,
    topic: String,
    held: Option<i64>,
    homework: String,
    homework_minutes: Option<i64>,
    homework_due_on: Option<Date>,
    teacher_comment: String,
    record_version: i64,
}

impl TryFrom<DiaryLessonRow> for DiaryLesson {
    type Error = StoreError;
    fn try_from(r: DiaryLessonRow) -> Result<DiaryLesson> {
        let lesson = Lesson::try_from(r.lesson)?;
        let record = VersionedRecord {
            lesson: lesson.id,
            record: LessonRecord {
                topic: r.topic,
                lesson_type: lesson.lesson_type.clone(),
                held: r.held.map(|h| h != 0),
                homework: r.homework,
                homework_minutes: r.homework_minutes.map(minutes).transpose()?,
                homework_due_on: r.homework_due_on,
                teacher_comment: r.teacher_comment,
            },
            version: r.record_version,
        };
        Ok(DiaryLesson { lesson, record })
    }
}

/// The columns of [`DiaryLessonRow`], the joins for names, and the pupil's groups of the range
/// `[$2, $3]`; `$tail` adds conditions and the order.
macro_rules! diary_lesson_sql {
    ($tail:literal) => {
        concat!(
            "SELECT l.id, l.school_id, l.academic_year_id, l.group_id, g.name AS group_name, g.grade, l.on_date, l.number, ",
            "l.subject_id, s.name AS subject_name, l.teacher_id, t.last_name AS t_last, t.first_name AS t_first, ",
            "t.middle_name AS t_middle, l.room, l.status, l.original_teacher_id, o.last_name AS o_last, ",
            "o.first_name AS o_first, o.middle_name AS o_middle, l.original_date, l.original_number, l.reason, l.cause, ",
            "l.has_journal_data, l.version, COALESCE(pg.shift, g.shift) AS shift, l.lesson_type, ",
            "l.topic, l.held, l.homework, l.homework_minutes, l.homework_due_on, l.teacher_comment, l.record_version ",
            "FROM lessons l JOIN study_groups g ON g.id = l.group_id LEFT JOIN study_groups pg ON pg.id = g.parent_group_id ",
            "JOIN subjects s ON s.id = l.subject_id ",
            "JOIN persons t ON t.id = l.teacher_id LEFT JOIN persons o ON o.id = l.original_teacher_id ",
            "WHERE l.group_id IN (SELECT m.group_id FROM memberships m WHERE m.student_id = $1 ",
            "AND m.starts_on <= $3 AND (m.ends_on IS NULL OR m.ends_on >= $2)) ",
            "AND EXISTS (SELECT 1 FROM memberships m2 WHERE m2.group_id = l.group_id AND m2.student_id = $1 ",
            "AND m2.starts_on <= l.on_date AND (m2.ends_on IS NULL OR m2.ends_on >= l.on_date)) ",
            $tail
        )
    };
}

/// A pupil's lessons in a date range (cancelled ones included: the diary shows them struck
/// out), with the teacher's records, by date and number: one query.
pub async fn lessons_of_student(
    conn: &mut Conn<'_>,
    student: PersonId,
    (from, to): (Date, Date),
) -> Result<Vec<DiaryLesson>> {
    const SQL: &str = diary_lesson_sql!(
        "AND l.on_date >= $2 AND l.on_date <= $3 ORDER BY l.on_date, l.number, g.sort_key, l.id"
    );
    fetch_all!(conn, DiaryLessonRow, SQL, student.get(), from, to)?
        .into_iter()
        .map(DiaryLesson::try_from)
        .collect()
}

/// How far back homework may have been set for a due date (a project set a month ahead).
pub const HOMEWORK_LOOKBACK_DAYS: i64 = 31;

/// A pupil's homework due in a date range (or, without a due date, set in it), from lessons not
/// cancelled, by due date: one query. Lessons are looked up from
/// [`HOMEWORK_LOOKBACK_DAYS`] before `from`.
pub async fn homework_of_student(
    conn: &mut Conn<'_>,
    student: PersonId,
    (from, to): (Date, Date),
) -> Result<Vec<DiaryLesson>> {
    // $2 is the earliest lesson date (the look-back), $3 the last, $4 the first due date.
    const SQL: &str = diary_lesson_sql!(
        "AND l.on_date >= $2 AND l.on_date <= $3 AND l.homework <> '' AND l.status <> 'cancelled' \
         AND COALESCE(l.homework_due_on, l.on_date) >= $4 AND COALESCE(l.homework_due_on, l.on_date) <= $3 \
         ORDER BY COALESCE(l.homework_due_on, l.on_date), l.on_date, l.number, l.id"
    );
    let earliest = from - time::Duration::days(HOMEWORK_LOOKBACK_DAYS);
    fetch_all!(conn, DiaryLessonRow, SQL, student.get(), earliest, to, from)?
        .into_iter()
        .map(DiaryLesson::try_from)
        .collect()
}

/// A pupil's attendance record with its lesson's subject and date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatedAttendance {
    /// The record.
    pub attendance: AttendanceEntry,
    /// The lesson's subject.
    pub subject: SubjectId,
    /// The lesson's date.
    pub on: Date,
    /// The lesson's number.
    pub number: u8,
}

#[derive(sqlx::FromRow)]
struct AttendanceRow {
    #[sqlx(flatten)]
    entry: crate::journal::AttendanceRow,
    subject_id: i64,
    on_date: Date,
    number: i64,
}

/// A pupil's attendance records on lessons of a date range, by date and number: one query.
pub async fn attendance_of_student(
    conn: &mut Conn<'_>,
    student: PersonId,
    (from, to): (Date, Date),
) -> Result<Vec<DatedAttendance>> {
    const SQL: &str = "SELECT a.id, a.school_id, a.lesson_id, a.student_id, a.code, a.minutes_late, a.reason, \
         a.version, l.subject_id, l.on_date, l.number FROM attendance a JOIN lessons l ON l.id = a.lesson_id \
         WHERE a.student_id = $1 AND l.on_date >= $2 AND l.on_date <= $3 ORDER BY l.on_date, l.number, a.id";
    fetch_all!(conn, AttendanceRow, SQL, student.get(), from, to)?
        .into_iter()
        .map(|r| {
            Ok(DatedAttendance {
                attendance: AttendanceEntry::try_from(r.entry)?,
                subject: SubjectId::new(r.subject_id),
                on: r.on_date,
                number: small(r.number)?,
            })
        })
        .collect()
}

/// How many of a pupil's lessons of a range were held or planned (not cancelled), by subject:
/// one query (for "missed 3 of 24").
pub async fn lesson_counts_of_student(
    conn: &mut Conn<'_>,
    student: PersonId,
    (from, to): (Date, Date),
) -> Result<Vec<(SubjectId, u32)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        subject_id: i64,
        n: i64,
    }
    const SQL: &str = "SELECT l.subject_id, COUNT(*) AS n FROM lessons l \
         WHERE l.group_id IN (SELECT m.group_id FROM memberships m WHERE m.student_id = $1 \
         AND m.starts_on <= $3 AND (m.ends_on IS NULL OR m.ends_on >= $2)) \
         AND EXISTS (SELECT 1 FROM memberships m2 WHERE m2.group_id = l.group_id AND m2.student_id = $1 \
         AND m2.starts_on <= l.on_date AND (m2.ends_on IS NULL OR m2.ends_on >= l.on_date)) \
         AND l.on_date >= $2 AND l.on_date <= $3 AND l.status <> 'cancelled' GROUP BY l.subject_id";
    Ok(fetch_all!(conn, Row, SQL, student.get(), from, to)?
        .into_iter()
        .map(|r| {
            (
                SubjectId::new(r.subject_id),
                u32::try_from(r.n).unwrap_or(u32::MAX),
            )
        })
        .collect())
}

pub use tabel_domain::school::GroupTeacher;

/// Who teaches a pupil on a date: the teaching assignments and the weekly timetable lines in
/// force of every group the pupil is in (class, subgroups, streams, ИУП), by subject order:
/// one query.
pub async fn teachers_of_student(
    conn: &mut Conn<'_>,
    student: PersonId,
    on: Date,
) -> Result<Vec<GroupTeacher>> {
    // `sort_order` is selected for the ORDER BY of the UNION only.
    #[derive(sqlx::FromRow)]
    struct Row {
        teacher_id: i64,
        last_name: String,
        first_name: String,
        middle_name: Option<String>,
        subject_name: String,
        group_id: i64,
        group_name: String,
        group_kind: String,
    }
    const SQL: &str = "SELECT ta.teacher_id, p.last_name, p.first_name, p.middle_name, s.name AS subject_name, \
         s.sort_order, g.id AS group_id, g.name AS group_name, g.kind AS group_kind \
         FROM teaching_assignments ta JOIN persons p ON p.id = ta.teacher_id JOIN subjects s ON s.id = ta.subject_id \
         JOIN study_groups g ON g.id = ta.group_id \
         WHERE ta.group_id IN (SELECT m.group_id FROM memberships m WHERE m.student_id = $1 \
         AND m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on >= $2)) \
         AND ta.starts_on <= $2 AND (ta.ends_on IS NULL OR ta.ends_on >= $2) \
         UNION \
         SELECT e.teacher_id, p.last_name, p.first_name, p.middle_name, s.name AS subject_name, \
         s.sort_order, g.id AS group_id, g.name AS group_name, g.kind AS group_kind \
         FROM timetable_entries e JOIN persons p ON p.id = e.teacher_id JOIN subjects s ON s.id = e.subject_id \
         JOIN study_groups g ON g.id = e.group_id \
         WHERE e.group_id IN (SELECT m.group_id FROM memberships m WHERE m.student_id = $1 \
         AND m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on >= $2)) \
         AND e.valid_from <= $2 AND (e.valid_to IS NULL OR e.valid_to >= $2) \
         ORDER BY sort_order, subject_name, group_name, last_name, first_name, teacher_id";
    Ok(fetch_all!(conn, Row, SQL, student.get(), on)?
        .into_iter()
        .map(|r| GroupTeacher {
            teacher: PersonId::new(r.teacher_id),
            name: match r.middle_name {
                Some(m) if !m.is_empty() => format!("{} {} {m}", r.last_name, r.first_name),
                _ => format!("{} {}", r.last_name, r.first_name),
            },
            subject: r.subject_name,
            group: GroupId::new(r.group_id),
            group_name: r.group_name,
            group_kind: r.group_kind,
        })
        .collect())
}

pub use tabel_domain::journal::NamedRecommendation;

/// A pupil's recommendations with subject and teacher names, newest first, at most `limit`:
/// one query.
pub async fn recommendations_of_student(
    conn: &mut Conn<'_>,
    student: PersonId,
    limit: i64,
) -> Result<Vec<NamedRecommendation>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        subject_id: Option<i64>,
        subject_name: Option<String>,
        teacher_id: i64,
        last_name: String,
        first_name: String,
        middle_name: Option<String>,
        body: String,
        created_at: OffsetDateTime,
    }
    const SQL: &str = "SELECT r.id, r.subject_id, s.name AS subject_name, r.teacher_id, p.last_name, p.first_name, \
         p.middle_name, r.body, r.created_at FROM recommendations r LEFT JOIN subjects s ON s.id = r.subject_id \
         JOIN persons p ON p.id = r.teacher_id WHERE r.student_id = $1 \
         ORDER BY r.created_at DESC, r.id DESC LIMIT $2";
    Ok(fetch_all!(conn, Row, SQL, student.get(), limit)?
        .into_iter()
        .map(|r| NamedRecommendation {
            id: r.id,
            subject: r.subject_id.map(SubjectId::new),
            subject_name: r.subject_name,
            teacher: PersonId::new(r.teacher_id),
            teacher_name: text::short_name(&r.last_name, &r.first_name, r.middle_name.as_deref()),
            body: r.body,
            created_at: r.created_at,
        })
        .collect())
}

/// A bell slot of a year's schedules: shift, variant (`regular`, `short`) and the slot.
pub type YearBell = (u8, String, BellSlot);

/// Every bell slot of a year (both shifts, every variant): one query.
pub async fn bells_of_year(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<YearBell>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        shift: i64,
        variant: String,
        number: i64,
        starts_min: i64,
        ends_min: i64,
    }
    const SQL: &str = "SELECT shift, variant, number, starts_min, ends_min FROM bell_slots \
         WHERE academic_year_id = $1 ORDER BY shift, variant, number";
    fetch_all!(conn, Row, SQL, year.get())?
        .into_iter()
        .map(|r| {
            Ok((
                small(r.shift)?,
                r.variant,
                BellSlot {
                    number: small(r.number)?,
                    starts: minutes(r.starts_min)?,
                    ends: minutes(r.ends_min)?,
                },
            ))
        })
        .collect()
}

/// The dates of a range that follow a non-regular bell variant (a shortened day): one query.
pub async fn bell_days_between(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    (from, to): (Date, Date),
) -> Result<Vec<(Date, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        on_date: Date,
        variant: String,
    }
    const SQL: &str = "SELECT on_date, variant FROM bell_days WHERE academic_year_id = $1 \
         AND on_date >= $2 AND on_date <= $3 ORDER BY on_date";
    Ok(fetch_all!(conn, Row, SQL, year.get(), from, to)?
        .into_iter()
        .map(|r| (r.on_date, r.variant))
        .collect())
}
