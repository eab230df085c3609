//! Attendance: one record per pupil and lesson (absent, late, …), versioned.

use crate::{Conn, Result, StoreError};
use tabel_domain::{AttendanceId, LessonId};
use tabel_domain::{GroupId, PersonId, SchoolId, SubjectId, UserId};
use time::{Date, OffsetDateTime};

use tabel_domain::journal::Attendance;
pub use tabel_domain::journal::AttendanceEntry;

/// An attendance row as the queries select it (also the head of the diary's dated rows).
#[derive(sqlx::FromRow)]
pub(crate) struct AttendanceRow {
    id: i64,
    school_id: i64,
    lesson_id: i64,
    student_id: i64,
    code: String,
    minutes_late: Option<i64>,
    reason: String,
    version: i64,
}

impl TryFrom<AttendanceRow> for AttendanceEntry {
    type Error = StoreError;
    fn try_from(r: AttendanceRow) -> Result<AttendanceEntry> {
        Ok(AttendanceEntry {
            id: AttendanceId::new(r.id),
            school: SchoolId::new(r.school_id),
            lesson: LessonId::new(r.lesson_id),
            student: PersonId::new(r.student_id),
            code: Attendance::from_code(&r.code)
                .map_err(|_| StoreError::Corrupt(format!("attendance code {}", r.code)))?,
            minutes_late: r
                .minutes_late
                .map(|m| u16::try_from(m).map_err(|_| StoreError::Corrupt(format!("minutes {m}"))))
                .transpose()?,
            reason: r.reason,
            version: r.version,
        })
    }
}

macro_rules! attendance_sql {
    ($tail:literal) => {
        concat!(
            "SELECT a.id, a.school_id, a.lesson_id, a.student_id, a.code, a.minutes_late, a.reason, a.version FROM attendance a ",
            $tail
        )
    };
}

/// An attendance record to write.
#[derive(Debug, Clone)]
pub struct AttendanceWrite<'a> {
    /// Code.
    pub code: &'a str,
    /// Minutes late.
    pub minutes_late: Option<u16>,
    /// Reason.
    pub reason: &'a str,
    /// Who.
    pub by: Option<UserId>,
    /// When.
    pub now: OffsetDateTime,
}

/// Stores a pupil's attendance on a lesson; a second record of the cell is a
/// [`StoreError::Duplicate`].
pub async fn insert_attendance(
    conn: &mut Conn<'_>,
    school: SchoolId,
    (lesson, student): (i64, PersonId),
    a: &AttendanceWrite<'_>,
) -> Result<AttendanceId> {
    const SQL: &str = "INSERT INTO attendance (school_id, lesson_id, student_id, code, minutes_late, reason, version, \
         created_by, created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $7, $8) RETURNING id";
    Ok(AttendanceId::new(fetch_scalar!(
        conn,
        i64,
        SQL,
        school.get(),
        lesson,
        student.get(),
        a.code,
        a.minutes_late.map(i64::from),
        a.reason,
        a.by.map(UserId::get),
        a.now
    )?))
}

/// Changes an attendance record if its version is still `version`.
pub async fn update_attendance(
    conn: &mut Conn<'_>,
    id: AttendanceId,
    version: i64,
    a: &AttendanceWrite<'_>,
) -> Result<i64> {
    const SQL: &str = "UPDATE attendance SET code = $3, minutes_late = $4, reason = $5, updated_by = $6, updated_at = $7, \
         version = version + 1 WHERE id = $1 AND version = $2";
    let n = execute!(
        conn,
        SQL,
        id.get(),
        version,
        a.code,
        a.minutes_late.map(i64::from),
        a.reason,
        a.by.map(UserId::get),
        a.now
    )?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(version + 1)
}

/// Deletes an attendance record (the pupil was present after all) if its version is `version`.
pub async fn delete_attendance(conn: &mut Conn<'_>, id: AttendanceId, version: i64) -> Result<()> {
    const SQL: &str = "DELETE FROM attendance WHERE id = $1 AND version = $2";
    if execute!(conn, SQL, id.get(), version)? == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// An attendance record by id.
pub async fn get_attendance(
    conn: &mut Conn<'_>,
    id: AttendanceId,
) -> Result<Option<AttendanceEntry>> {
    const SQL: &str = attendance_sql!("WHERE a.id = $1");
    fetch_optional!(conn, AttendanceRow, SQL, id.get())?
        .map(AttendanceEntry::try_from)
        .transpose()
}

/// The attendance record of a cell.
pub async fn attendance_in_cell(
    conn: &mut Conn<'_>,
    lesson: LessonId,
    student: PersonId,
) -> Result<Option<AttendanceEntry>> {
    const SQL: &str = attendance_sql!("WHERE a.lesson_id = $1 AND a.student_id = $2");
    fetch_optional!(conn, AttendanceRow, SQL, lesson.get(), student.get())?
        .map(AttendanceEntry::try_from)
        .transpose()
}

/// Attendance on a journal's lessons of a subject in a date range.
pub async fn attendance_of_group(
    conn: &mut Conn<'_>,
    group: GroupId,
    subject: SubjectId,
    (from, to): (Date, Date),
) -> Result<Vec<AttendanceEntry>> {
    const SQL: &str = attendance_sql!(
        "JOIN lessons l ON l.id = a.lesson_id \
         WHERE l.group_id = $1 AND l.subject_id = $2 AND l.on_date >= $3 AND l.on_date <= $4 ORDER BY a.lesson_id, a.id"
    );
    fetch_all!(
        conn,
        AttendanceRow,
        SQL,
        group.get(),
        subject.get(),
        from,
        to
    )?
    .into_iter()
    .map(AttendanceEntry::try_from)
    .collect()
}

/// A pupil's absences without a reason (Н) on lessons within a date range, by date.
pub async fn unexcused_of_student(
    conn: &mut Conn<'_>,
    student: PersonId,
    (from, to): (Date, Date),
) -> Result<Vec<AttendanceEntry>> {
    const SQL: &str = attendance_sql!(
        "JOIN lessons l ON l.id = a.lesson_id \
         WHERE a.student_id = $1 AND a.code = 'unexcused' AND l.on_date >= $2 AND l.on_date <= $3 \
         ORDER BY l.on_date, l.id"
    );
    fetch_all!(conn, AttendanceRow, SQL, student.get(), from, to)?
        .into_iter()
        .map(AttendanceEntry::try_from)
        .collect()
}
