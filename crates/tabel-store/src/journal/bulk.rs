//! Bulk writes for loaders (the demo, imports): marks, attendance and lesson records in
//! multi-row statements, and a year's lessons read in one query.

use super::small;
use super::{AttendanceWrite, LessonRecord, NewMark};
use crate::{Conn, Result};
use tabel_domain::{GroupId, PersonId, SchoolId, SubjectId, UserId};
use time::Date;

/// How many rows one multi-row statement carries: at most 16 parameters a row stays under both
/// backends' limits on bound parameters (SQLite 32,766, PostgreSQL 65,535). Measured on the
/// demo's 100,000 marks, 1,500 rows beat 500 by a tenth; the cost is then the rows themselves.
const BULK_ROWS: usize = 1500;

/// A lesson as a bulk loader sees it: no joins, no names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonSlot {
    /// Id.
    pub id: i64,
    /// The group whose lesson it is.
    pub group: GroupId,
    /// Date.
    pub on: Date,
    /// Number.
    pub number: u8,
    /// Subject.
    pub subject: SubjectId,
    /// Teacher.
    pub teacher: PersonId,
    /// Status (a [`tabel_domain::timetable::LessonStatus`] code).
    pub status: String,
}

#[derive(sqlx::FromRow)]
struct SlotRow {
    id: i64,
    group_id: i64,
    on_date: Date,
    number: i64,
    subject_id: i64,
    teacher_id: i64,
    status: String,
}

/// A year's lessons in a date range, cancelled ones included, by date, number and id: one query
/// for what would otherwise be a query per class (a school year holds tens of thousands).
pub async fn lesson_slots_of_year(
    conn: &mut Conn<'_>,
    year: tabel_domain::AcademicYearId,
    (from, to): (Date, Date),
) -> Result<Vec<LessonSlot>> {
    const SQL: &str = "SELECT id, group_id, on_date, number, subject_id, teacher_id, status FROM lessons \
         WHERE academic_year_id = $1 AND on_date >= $2 AND on_date <= $3 ORDER BY on_date, number, id";
    fetch_all!(conn, SlotRow, SQL, year.get(), from, to)?
        .into_iter()
        .map(|r| {
            Ok(LessonSlot {
                id: r.id,
                group: GroupId::new(r.group_id),
                on: r.on_date,
                number: small(r.number)?,
                subject: SubjectId::new(r.subject_id),
                teacher: PersonId::new(r.teacher_id),
                status: r.status,
            })
        })
        .collect()
}

/// Stores many marks in multi-row statements (a loader's path: the demo, imports); returns how
/// many. Like [`insert_mark`](super::insert_mark), a second mark of one work type in a lesson
/// cell is a [`StoreError::Duplicate`](crate::StoreError::Duplicate), and the whole call fails
/// with it.
pub async fn insert_marks(conn: &mut Conn<'_>, marks: &[NewMark<'_>]) -> Result<u64> {
    const HEAD: &str = "INSERT INTO marks (school_id, student_id, group_id, subject_id, lesson_id, on_date, value, \
         work_type, weight, comment, debt_until, policy_version, version, created_by, created_at, updated_by, updated_at) ";
    let mut n = 0;
    for chunk in marks.chunks(BULK_ROWS) {
        macro_rules! run {
            ($db:ty, $c:expr) => {{
                let mut qb = sqlx::QueryBuilder::<$db>::new(HEAD);
                qb.push_values(chunk, |mut b, m| {
                    b.push_bind(m.school.get())
                        .push_bind(m.student.get())
                        .push_bind(m.group.get())
                        .push_bind(m.subject.get())
                        .push_bind(m.lesson)
                        .push_bind(m.on)
                        .push_bind(m.value.to_owned())
                        .push_bind(m.work_type.to_owned())
                        .push_bind(i64::from(m.weight))
                        .push_bind(m.comment.to_owned())
                        .push_bind(m.debt_until)
                        .push_bind(m.policy_version)
                        .push("1")
                        .push_bind(m.by.map(UserId::get))
                        .push_bind(m.now)
                        .push_bind(m.by.map(UserId::get))
                        .push_bind(m.now);
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

/// An attendance record to store in bulk.
#[derive(Debug, Clone)]
pub struct NewAttendance<'a> {
    /// School.
    pub school: SchoolId,
    /// Lesson.
    pub lesson: i64,
    /// Pupil.
    pub student: PersonId,
    /// The record.
    pub write: AttendanceWrite<'a>,
}

/// Stores many attendance records in multi-row statements; returns how many. A second record
/// of a cell is a [`StoreError::Duplicate`](crate::StoreError::Duplicate) and fails the call.
pub async fn insert_attendance_rows(
    conn: &mut Conn<'_>,
    rows: &[NewAttendance<'_>],
) -> Result<u64> {
    const HEAD: &str = "INSERT INTO attendance (school_id, lesson_id, student_id, code, minutes_late, reason, version, \
         created_by, created_at, updated_by, updated_at) ";
    let mut n = 0;
    for chunk in rows.chunks(BULK_ROWS) {
        macro_rules! run {
            ($db:ty, $c:expr) => {{
                let mut qb = sqlx::QueryBuilder::<$db>::new(HEAD);
                qb.push_values(chunk, |mut b, r| {
                    let a = &r.write;
                    b.push_bind(r.school.get())
                        .push_bind(r.lesson)
                        .push_bind(r.student.get())
                        .push_bind(a.code.to_owned())
                        .push_bind(a.minutes_late.map(i64::from))
                        .push_bind(a.reason.to_owned())
                        .push("1")
                        .push_bind(a.by.map(UserId::get))
                        .push_bind(a.now)
                        .push_bind(a.by.map(UserId::get))
                        .push_bind(a.now);
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

/// Writes many lessons' records without a version check (a loader's path: the demo, imports),
/// in multi-row `UPDATE … FROM (VALUES …)` statements: each record's version goes up by one and
/// its lesson is marked as carrying journal data. Returns how many lessons were updated.
pub async fn set_lesson_records(
    conn: &mut Conn<'_>,
    records: &[(i64, LessonRecord)],
) -> Result<u64> {
    // A VALUES list's columns are column1, column2… on both databases.
    const HEAD: &str = "UPDATE lessons SET topic = v.column2, lesson_type = v.column3, held = v.column4, \
         homework = v.column5, homework_minutes = v.column6, homework_due_on = v.column7, teacher_comment = v.column8, \
         record_version = record_version + 1, has_journal_data = 1 FROM (";
    const TAIL: &str = ") AS v WHERE lessons.id = v.column1";
    let mut n = 0;
    for chunk in records.chunks(BULK_ROWS) {
        macro_rules! run {
            ($db:ty, $c:expr) => {{
                let mut qb = sqlx::QueryBuilder::<$db>::new(HEAD);
                qb.push_values(chunk, |mut b, (lesson, r)| {
                    b.push_bind(*lesson)
                        .push_bind(r.topic.clone())
                        .push_bind(r.lesson_type.clone())
                        .push_bind(r.held.map(i64::from))
                        .push_bind(r.homework.clone())
                        .push_bind(r.homework_minutes.map(i64::from))
                        .push_bind(r.homework_due_on)
                        .push_bind(r.teacher_comment.clone());
                });
                qb.push(TAIL);
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
