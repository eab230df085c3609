//! The class journal's storage: grading policies (versioned), lesson records, marks, attendance
//! and recommendations. Every row a teacher writes carries a version; an update or delete names
//! the version it expects and changes nothing when the row has moved on (the caller answers 409).

use crate::{Conn, Result, StoreError};
use tabel_domain::{AttendanceId, LessonId, MarkId};
use tabel_domain::{GroupId, PersonId, SchoolId, SubjectId, UserId};
use time::{Date, OffsetDateTime};

fn small(v: i64) -> Result<u8> {
    u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("value {v} out of range")))
}

// ---------------------------------------------------------------- grading policy

/// A stored policy version: its number and JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPolicy {
    /// Version, from 1.
    pub version: i64,
    /// The policy as JSON.
    pub body: String,
    /// When it was saved.
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct PolicyRow {
    version: i64,
    body: String,
    created_at: OffsetDateTime,
}

/// The school's newest policy, if it ever saved one.
pub async fn current_policy(conn: &mut Conn<'_>, school: SchoolId) -> Result<Option<StoredPolicy>> {
    const SQL: &str = "SELECT version, body, created_at FROM grading_policies WHERE school_id = $1 \
         ORDER BY version DESC LIMIT 1";
    Ok(
        fetch_optional!(conn, PolicyRow, SQL, school.get())?.map(|r| StoredPolicy {
            version: r.version,
            body: r.body,
            created_at: r.created_at,
        }),
    )
}

/// Saves a new policy version (the next number); a concurrent save of the same number fails
/// with [`StoreError::Duplicate`].
pub async fn insert_policy(
    conn: &mut Conn<'_>,
    school: SchoolId,
    version: i64,
    body: &str,
    (by, now): (Option<UserId>, OffsetDateTime),
) -> Result<()> {
    const SQL: &str = "INSERT INTO grading_policies (school_id, version, body, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5)";
    execute!(
        conn,
        SQL,
        school.get(),
        version,
        body,
        now,
        by.map(UserId::get)
    )?;
    Ok(())
}

/// The version of the school's current policy (0 = none saved).
pub async fn policy_version(conn: &mut Conn<'_>, school: SchoolId) -> Result<i64> {
    const SQL: &str = "SELECT COALESCE(MAX(version), 0) FROM grading_policies WHERE school_id = $1";
    Ok(fetch_scalar!(conn, i64, SQL, school.get())?)
}

/// The reporting period of a grade's parallel containing a date, and whether it is closed.
pub async fn period_on(
    conn: &mut Conn<'_>,
    year: tabel_domain::AcademicYearId,
    grade: u8,
    on: Date,
) -> Result<Option<(tabel_domain::PeriodId, bool)>> {
    const SQL: &str = "SELECT rp.id, CAST(CASE WHEN rp.locked_at IS NULL THEN 0 ELSE 1 END AS BIGINT) FROM reporting_periods rp \
         JOIN parallels pa ON pa.academic_year_id = rp.academic_year_id AND pa.period_kind = rp.kind \
         WHERE rp.academic_year_id = $1 AND pa.grade = $2 AND rp.starts_on <= $3 AND rp.ends_on >= $3 LIMIT 1";
    Ok(
        fetch_optional!(conn, (i64, i64), SQL, year.get(), i64::from(grade), on)?
            .map(|(id, locked)| (tabel_domain::PeriodId::new(id), locked != 0)),
    )
}

/// Whether a reporting period is closed.
pub async fn period_locked(conn: &mut Conn<'_>, period: tabel_domain::PeriodId) -> Result<bool> {
    const SQL: &str =
        "SELECT COUNT(*) FROM reporting_periods WHERE id = $1 AND locked_at IS NOT NULL";
    Ok(fetch_scalar!(conn, i64, SQL, period.get())? > 0)
}

// ---------------------------------------------------------------- lesson records

pub use tabel_domain::journal::LessonRecord;

pub use tabel_domain::journal::VersionedRecord;

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: i64,
    topic: String,
    lesson_type: Option<String>,
    held: Option<i64>,
    homework: String,
    homework_minutes: Option<i64>,
    homework_due_on: Option<Date>,
    teacher_comment: String,
    record_version: i64,
}

impl TryFrom<RecordRow> for VersionedRecord {
    type Error = StoreError;
    fn try_from(r: RecordRow) -> Result<VersionedRecord> {
        Ok(VersionedRecord {
            lesson: LessonId::new(r.id),
            record: LessonRecord {
                topic: r.topic,
                lesson_type: r.lesson_type,
                held: r.held.map(|h| h != 0),
                homework: r.homework,
                homework_minutes: r
                    .homework_minutes
                    .map(|m| {
                        u16::try_from(m).map_err(|_| StoreError::Corrupt(format!("minutes {m}")))
                    })
                    .transpose()?,
                homework_due_on: r.homework_due_on,
                teacher_comment: r.teacher_comment,
            },
            version: r.record_version,
        })
    }
}

/// A lesson's record.
pub async fn lesson_record(conn: &mut Conn<'_>, lesson: i64) -> Result<Option<VersionedRecord>> {
    const SQL: &str = "SELECT id, topic, lesson_type, held, homework, homework_minutes, homework_due_on, \
         teacher_comment, record_version FROM lessons WHERE id = $1";
    fetch_optional!(conn, RecordRow, SQL, lesson)?
        .map(VersionedRecord::try_from)
        .transpose()
}

/// The records of a group's lessons of a subject in a date range (the grid's columns).
pub async fn records_of_group(
    conn: &mut Conn<'_>,
    group: GroupId,
    subject: SubjectId,
    (from, to): (Date, Date),
) -> Result<Vec<VersionedRecord>> {
    const SQL: &str = "SELECT id, topic, lesson_type, held, homework, homework_minutes, homework_due_on, \
         teacher_comment, record_version FROM lessons \
         WHERE group_id = $1 AND subject_id = $2 AND on_date >= $3 AND on_date <= $4 ORDER BY on_date, number, id";
    fetch_all!(conn, RecordRow, SQL, group.get(), subject.get(), from, to)?
        .into_iter()
        .map(VersionedRecord::try_from)
        .collect()
}

/// Writes a lesson's record if its version is still `version`; marks the lesson as carrying
/// journal data. Returns the new version, or [`StoreError::Stale`].
pub async fn update_lesson_record(
    conn: &mut Conn<'_>,
    lesson: i64,
    version: i64,
    r: &LessonRecord,
) -> Result<i64> {
    const SQL: &str = "UPDATE lessons SET topic = $3, lesson_type = $4, held = $5, homework = $6, homework_minutes = $7, \
         homework_due_on = $8, teacher_comment = $9, record_version = record_version + 1, has_journal_data = 1 \
         WHERE id = $1 AND record_version = $2";
    let n = execute!(
        conn,
        SQL,
        lesson,
        version,
        r.topic.as_str(),
        r.lesson_type.as_deref(),
        r.held.map(i64::from),
        r.homework.as_str(),
        r.homework_minutes.map(i64::from),
        r.homework_due_on,
        r.teacher_comment.as_str()
    )?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(version + 1)
}

// ---------------------------------------------------------------- marks

/// A mark to store.
#[derive(Debug, Clone)]
pub struct NewMark<'a> {
    /// School.
    pub school: SchoolId,
    /// The pupil.
    pub student: PersonId,
    /// The journal (class, subgroup, stream or ИУП group).
    pub group: GroupId,
    /// Subject.
    pub subject: SubjectId,
    /// The lesson, or none for a standalone work on a date.
    pub lesson: Option<i64>,
    /// Date.
    pub on: Date,
    /// The mark as written ("5", "3/5", "зач").
    pub value: &'a str,
    /// Work type code.
    pub work_type: &'a str,
    /// Its weight when written.
    pub weight: u8,
    /// Comment.
    pub comment: &'a str,
    /// A debt to correct by this date.
    pub debt_until: Option<Date>,
    /// The policy version it was written under.
    pub policy_version: i64,
    /// Who.
    pub by: Option<UserId>,
    /// When.
    pub now: OffsetDateTime,
}

pub use tabel_domain::journal::MarkEntry;

#[derive(sqlx::FromRow)]
struct MarkRow {
    id: i64,
    school_id: i64,
    student_id: i64,
    group_id: i64,
    subject_id: i64,
    lesson_id: Option<i64>,
    on_date: Date,
    value: String,
    work_type: String,
    weight: i64,
    comment: String,
    debt_until: Option<Date>,
    version: i64,
    updated_at: OffsetDateTime,
}

impl TryFrom<MarkRow> for MarkEntry {
    type Error = StoreError;
    fn try_from(r: MarkRow) -> Result<MarkEntry> {
        Ok(MarkEntry {
            id: MarkId::new(r.id),
            school: SchoolId::new(r.school_id),
            student: PersonId::new(r.student_id),
            group: GroupId::new(r.group_id),
            subject: SubjectId::new(r.subject_id),
            lesson: r.lesson_id.map(LessonId::new),
            on: r.on_date,
            value: r.value,
            work_type: r.work_type,
            weight: small(r.weight)?,
            comment: r.comment,
            debt_until: r.debt_until,
            version: r.version,
            updated_at: r.updated_at,
        })
    }
}

macro_rules! mark_sql {
    ($tail:literal) => {
        concat!(
            "SELECT id, school_id, student_id, group_id, subject_id, lesson_id, on_date, value, work_type, weight, ",
            "comment, debt_until, version, updated_at FROM marks ",
            $tail
        )
    };
}

fn marks(rows: Vec<MarkRow>) -> Result<Vec<MarkEntry>> {
    rows.into_iter().map(MarkEntry::try_from).collect()
}

/// Stores a mark; a second mark of the same work type in one lesson cell is a
/// [`StoreError::Duplicate`].
pub async fn insert_mark(conn: &mut Conn<'_>, m: &NewMark<'_>) -> Result<i64> {
    const SQL: &str = "INSERT INTO marks (school_id, student_id, group_id, subject_id, lesson_id, on_date, value, work_type, \
         weight, comment, debt_until, policy_version, version, created_by, created_at, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14, $13, $14) RETURNING id";
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        m.school.get(),
        m.student.get(),
        m.group.get(),
        m.subject.get(),
        m.lesson,
        m.on,
        m.value,
        m.work_type,
        i64::from(m.weight),
        m.comment,
        m.debt_until,
        m.policy_version,
        m.by.map(UserId::get),
        m.now
    )?)
}

/// Stores a mark unless the cell already holds one of its work type, or the period `guard`
/// (if any) is closed: the new id, or `None` when nothing was stored. One statement, so that the
/// write transaction stays short.
pub async fn insert_mark_if_free(
    conn: &mut Conn<'_>,
    m: &NewMark<'_>,
    guard: Option<tabel_domain::PeriodId>,
) -> Result<Option<i64>> {
    const SQL: &str = "INSERT INTO marks (school_id, student_id, group_id, subject_id, lesson_id, on_date, value, work_type, \
         weight, comment, debt_until, policy_version, version, created_by, created_at, updated_by, updated_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14, $13, $14 \
         WHERE NOT EXISTS (SELECT 1 FROM reporting_periods WHERE id = $15 AND locked_at IS NOT NULL) \
         ON CONFLICT DO NOTHING RETURNING id";
    Ok(fetch_optional!(
        conn,
        (i64,),
        SQL,
        m.school.get(),
        m.student.get(),
        m.group.get(),
        m.subject.get(),
        m.lesson,
        m.on,
        m.value,
        m.work_type,
        i64::from(m.weight),
        m.comment,
        m.debt_until,
        m.policy_version,
        m.by.map(UserId::get),
        m.now,
        guard.map(|g| g.get())
    )?
    .map(|r| r.0))
}

/// A mark by id.
pub async fn get_mark(conn: &mut Conn<'_>, id: i64) -> Result<Option<MarkEntry>> {
    const SQL: &str = mark_sql!("WHERE id = $1");
    fetch_optional!(conn, MarkRow, SQL, id)?
        .map(MarkEntry::try_from)
        .transpose()
}

/// The mark of one work type in a lesson cell.
pub async fn mark_in_cell(
    conn: &mut Conn<'_>,
    lesson: i64,
    student: PersonId,
    work_type: &str,
) -> Result<Option<MarkEntry>> {
    const SQL: &str = mark_sql!("WHERE lesson_id = $1 AND student_id = $2 AND work_type = $3");
    fetch_optional!(conn, MarkRow, SQL, lesson, student.get(), work_type)?
        .map(MarkEntry::try_from)
        .transpose()
}

/// A change to a mark.
#[derive(Debug, Clone)]
pub struct MarkChange<'a> {
    /// Value.
    pub value: &'a str,
    /// Work type.
    pub work_type: &'a str,
    /// Weight.
    pub weight: u8,
    /// Comment.
    pub comment: &'a str,
    /// Debt date.
    pub debt_until: Option<Date>,
    /// Policy version.
    pub policy_version: i64,
    /// Who.
    pub by: Option<UserId>,
    /// When.
    pub now: OffsetDateTime,
}

/// Changes a mark if its version is still `version`: the new version, or [`StoreError::Stale`].
pub async fn update_mark(
    conn: &mut Conn<'_>,
    id: i64,
    version: i64,
    c: &MarkChange<'_>,
) -> Result<i64> {
    const SQL: &str = "UPDATE marks SET value = $3, work_type = $4, weight = $5, comment = $6, debt_until = $7, \
         policy_version = $8, updated_by = $9, updated_at = $10, version = version + 1 WHERE id = $1 AND version = $2";
    let n = execute!(
        conn,
        SQL,
        id,
        version,
        c.value,
        c.work_type,
        i64::from(c.weight),
        c.comment,
        c.debt_until,
        c.policy_version,
        c.by.map(UserId::get),
        c.now
    )?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(version + 1)
}

/// Deletes a mark if it is still at `version` and the period `guard` (if any) is open; whether
/// it was deleted.
pub async fn delete_mark_if_open(
    conn: &mut Conn<'_>,
    id: i64,
    version: i64,
    guard: Option<tabel_domain::PeriodId>,
) -> Result<bool> {
    const SQL: &str = "DELETE FROM marks WHERE id = $1 AND version = $2 \
         AND NOT EXISTS (SELECT 1 FROM reporting_periods WHERE id = $3 AND locked_at IS NOT NULL)";
    Ok(execute!(conn, SQL, id, version, guard.map(|g| g.get()))? > 0)
}

/// A journal's marks of a subject in a date range.
pub async fn marks_of_group(
    conn: &mut Conn<'_>,
    group: GroupId,
    subject: SubjectId,
    (from, to): (Date, Date),
) -> Result<Vec<MarkEntry>> {
    const SQL: &str = mark_sql!(
        "WHERE group_id = $1 AND subject_id = $2 AND on_date >= $3 AND on_date <= $4 ORDER BY on_date, id"
    );
    marks(fetch_all!(
        conn,
        MarkRow,
        SQL,
        group.get(),
        subject.get(),
        from,
        to
    )?)
}

/// A pupil's marks in a date range, every subject.
pub async fn marks_of_student(
    conn: &mut Conn<'_>,
    student: PersonId,
    (from, to): (Date, Date),
) -> Result<Vec<MarkEntry>> {
    const SQL: &str =
        mark_sql!("WHERE student_id = $1 AND on_date >= $2 AND on_date <= $3 ORDER BY on_date, id");
    marks(fetch_all!(conn, MarkRow, SQL, student.get(), from, to)?)
}

// ---------------------------------------------------------------- attendance

pub use tabel_domain::journal::AttendanceEntry;

#[derive(sqlx::FromRow)]
struct AttendanceRow {
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
            code: r.code,
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
) -> Result<i64> {
    const SQL: &str = "INSERT INTO attendance (school_id, lesson_id, student_id, code, minutes_late, reason, version, \
         created_by, created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $7, $8) RETURNING id";
    Ok(fetch_scalar!(
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
    )?)
}

/// Changes an attendance record if its version is still `version`.
pub async fn update_attendance(
    conn: &mut Conn<'_>,
    id: i64,
    version: i64,
    a: &AttendanceWrite<'_>,
) -> Result<i64> {
    const SQL: &str = "UPDATE attendance SET code = $3, minutes_late = $4, reason = $5, updated_by = $6, updated_at = $7, \
         version = version + 1 WHERE id = $1 AND version = $2";
    let n = execute!(
        conn,
        SQL,
        id,
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
pub async fn delete_attendance(conn: &mut Conn<'_>, id: i64, version: i64) -> Result<()> {
    const SQL: &str = "DELETE FROM attendance WHERE id = $1 AND version = $2";
    if execute!(conn, SQL, id, version)? == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// An attendance record by id.
pub async fn get_attendance(conn: &mut Conn<'_>, id: i64) -> Result<Option<AttendanceEntry>> {
    const SQL: &str = attendance_sql!("WHERE a.id = $1");
    fetch_optional!(conn, AttendanceRow, SQL, id)?
        .map(AttendanceEntry::try_from)
        .transpose()
}

/// The attendance record of a cell.
pub async fn attendance_in_cell(
    conn: &mut Conn<'_>,
    lesson: i64,
    student: PersonId,
) -> Result<Option<AttendanceEntry>> {
    const SQL: &str = attendance_sql!("WHERE a.lesson_id = $1 AND a.student_id = $2");
    fetch_optional!(conn, AttendanceRow, SQL, lesson, student.get())?
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

// ---------------------------------------------------------------- recommendations

pub use tabel_domain::journal::Recommendation;

#[derive(sqlx::FromRow)]
struct RecommendationRow {
    id: i64,
    school_id: i64,
    student_id: i64,
    subject_id: Option<i64>,
    teacher_id: i64,
    body: String,
    version: i64,
    created_at: OffsetDateTime,
}

impl From<RecommendationRow> for Recommendation {
    fn from(r: RecommendationRow) -> Recommendation {
        Recommendation {
            id: r.id,
            school: SchoolId::new(r.school_id),
            student: PersonId::new(r.student_id),
            subject: r.subject_id.map(SubjectId::new),
            teacher: PersonId::new(r.teacher_id),
            body: r.body,
            version: r.version,
            created_at: r.created_at,
        }
    }
}

/// Stores a recommendation.
pub async fn insert_recommendation(
    conn: &mut Conn<'_>,
    r: &Recommendation,
    by: Option<UserId>,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO recommendations (school_id, student_id, subject_id, teacher_id, body, version, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7) RETURNING id";
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        r.school.get(),
        r.student.get(),
        r.subject.map(SubjectId::get),
        r.teacher.get(),
        r.body.as_str(),
        by.map(UserId::get),
        r.created_at
    )?)
}

/// A pupil's recommendations, newest first.
pub async fn recommendations_of_student(
    conn: &mut Conn<'_>,
    student: PersonId,
) -> Result<Vec<Recommendation>> {
    const SQL: &str = "SELECT id, school_id, student_id, subject_id, teacher_id, body, version, created_at \
         FROM recommendations WHERE student_id = $1 ORDER BY created_at DESC, id DESC";
    Ok(fetch_all!(conn, RecommendationRow, SQL, student.get())?
        .into_iter()
        .map(Recommendation::from)
        .collect())
}

// ---------------------------------------------------------------- roster

pub use tabel_domain::journal::RosterEntry;

#[derive(sqlx::FromRow)]
struct RosterRow {
    id: i64,
    last_name: String,
    first_name: String,
    starts_on: Date,
    ends_on: Option<Date>,
}

/// Everyone who was in a group at some point of a date range (a pupil who moved keeps their
/// history in the old journal), in journal order.
pub async fn roster(
    conn: &mut Conn<'_>,
    group: GroupId,
    (from, to): (Date, Date),
) -> Result<Vec<RosterEntry>> {
    const SQL: &str = "SELECT p.id, p.last_name, p.first_name, m.starts_on, m.ends_on \
         FROM memberships m JOIN persons p ON p.id = m.student_id \
         WHERE m.group_id = $1 AND m.starts_on <= $3 AND (m.ends_on IS NULL OR m.ends_on >= $2) \
         ORDER BY p.sort_key, p.id, m.starts_on";
    let mut out: Vec<RosterEntry> = Vec::new();
    for r in fetch_all!(conn, RosterRow, SQL, group.get(), from, to)? {
        // Two memberships of one pupil in the range (left and came back): one row, widest
        // dates, the days between them away.
        if let Some(last) = out.last_mut().filter(|e| e.student.get() == r.id) {
            if let Some(left) = last.to
                && let (Some(first), Some(back)) = (left.next_day(), r.starts_on.previous_day())
                && first <= back
            {
                last.away.push((first, back));
            }
            last.to = match (last.to, r.ends_on) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
            continue;
        }
        out.push(RosterEntry {
            student: PersonId::new(r.id),
            last_name: r.last_name,
            first_name: r.first_name,
            from: r.starts_on,
            to: r.ends_on,
            away: Vec::new(),
        });
    }
    Ok(out)
}

/// Whether a pupil was in a group on a date.
pub async fn was_member(
    conn: &mut Conn<'_>,
    group: GroupId,
    student: PersonId,
    on: Date,
) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM memberships WHERE group_id = $1 AND student_id = $2 \
         AND starts_on <= $3 AND (ends_on IS NULL OR ends_on >= $3)";
    Ok(fetch_scalar!(conn, i64, SQL, group.get(), student.get(), on)? > 0)
}

/// Whether a teacher is assigned to teach a subject in a group this year.
pub async fn is_assigned(
    conn: &mut Conn<'_>,
    teacher: PersonId,
    group: GroupId,
    subject: SubjectId,
) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM teaching_assignments WHERE teacher_id = $1 AND group_id = $2 AND subject_id = $3";
    Ok(fetch_scalar!(conn, i64, SQL, teacher.get(), group.get(), subject.get())? > 0)
}

/// Every journal (group × subject) a teacher is assigned to, of any year: one query where a
/// list would otherwise ask [`is_assigned`] once per row.
pub async fn assigned_journals(
    conn: &mut Conn<'_>,
    teacher: PersonId,
) -> Result<std::collections::HashSet<(GroupId, SubjectId)>> {
    const SQL: &str = "SELECT group_id, subject_id FROM teaching_assignments WHERE teacher_id = $1";
    Ok(fetch_all!(conn, (i64, i64), SQL, teacher.get())?
        .into_iter()
        .map(|(g, s)| (GroupId::new(g), SubjectId::new(s)))
        .collect())
}

/// The journals (group × subject) a teacher keeps in a year: assignments, by group order.
pub async fn journals_of_teacher(
    conn: &mut Conn<'_>,
    teacher: PersonId,
    year: tabel_domain::AcademicYearId,
) -> Result<Vec<(GroupId, String, SubjectId, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        group_id: i64,
        group_name: String,
        subject_id: i64,
        subject_name: String,
    }
    const SQL: &str = "SELECT ta.group_id, g.name AS group_name, ta.subject_id, s.name AS subject_name \
         FROM teaching_assignments ta JOIN study_groups g ON g.id = ta.group_id JOIN subjects s ON s.id = ta.subject_id \
         WHERE ta.teacher_id = $1 AND ta.academic_year_id = $2 ORDER BY g.sort_key, s.sort_order";
    Ok(fetch_all!(conn, Row, SQL, teacher.get(), year.get())?
        .into_iter()
        .map(|r| {
            (
                GroupId::new(r.group_id),
                r.group_name,
                SubjectId::new(r.subject_id),
                r.subject_name,
            )
        })
        .collect())
}

/// The minutes of homework due on a day for a class (its own lessons, its subgroups' and
/// streams'), from lessons held since `since`: one query over the (group, date) index.
pub async fn homework_minutes_due(
    conn: &mut Conn<'_>,
    class: GroupId,
    on: Date,
    since: Date,
) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COALESCE(SUM(l.homework_minutes), 0) AS BIGINT) FROM lessons l \
         WHERE l.group_id IN (SELECT CAST($1 AS BIGINT) UNION SELECT id FROM study_groups WHERE parent_group_id = $1 \
         UNION SELECT stream_id FROM stream_classes WHERE class_id = $1) \
         AND l.on_date >= $3 AND l.on_date <= $2 AND l.homework_due_on = $2 AND l.status <> 'cancelled'";
    fetch_scalar!(conn, i64, SQL, class.get(), on, since).map_err(Into::into)
}

pub use tabel_domain::journal::ClassJournal;

/// The journals of a class (its own, its subgroups', its streams'), by subject order: one
/// query.
pub async fn journals_of_class(conn: &mut Conn<'_>, class: GroupId) -> Result<Vec<ClassJournal>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        group_id: i64,
        group_name: String,
        subject_id: i64,
        subject_name: String,
        teacher_id: i64,
        last_name: String,
        first_name: String,
        middle_name: Option<String>,
    }
    const SQL: &str = "SELECT DISTINCT ta.group_id, g.name AS group_name, ta.subject_id, s.name AS subject_name, \
         ta.teacher_id, p.last_name, p.first_name, p.middle_name, s.sort_order, g.sort_key \
         FROM teaching_assignments ta JOIN study_groups g ON g.id = ta.group_id \
         JOIN subjects s ON s.id = ta.subject_id JOIN persons p ON p.id = ta.teacher_id \
         WHERE g.id = $1 OR g.parent_group_id = $1 \
            OR g.id IN (SELECT stream_id FROM stream_classes WHERE class_id = $1) \
         ORDER BY s.sort_order, g.sort_key, ta.teacher_id";
    Ok(fetch_all!(conn, Row, SQL, class.get())?
        .into_iter()
        .map(|r| ClassJournal {
            group: GroupId::new(r.group_id),
            group_name: r.group_name,
            subject: SubjectId::new(r.subject_id),
            subject_name: r.subject_name,
            teacher: PersonId::new(r.teacher_id),
            teacher_name: match r.middle_name {
                Some(m) if !m.is_empty() => format!("{} {} {m}", r.last_name, r.first_name),
                _ => format!("{} {}", r.last_name, r.first_name),
            },
        })
        .collect())
}

/// Locks (`Some(now)`) or reopens (`None`) a reporting period.
pub async fn set_period_lock(
    conn: &mut Conn<'_>,
    period: tabel_domain::PeriodId,
    at: Option<OffsetDateTime>,
) -> Result<u64> {
    const SQL: &str = "UPDATE reporting_periods SET locked_at = $2 WHERE id = $1";
    Ok(execute!(conn, SQL, period.get(), at)?)
}

// ---------------------------------------------------------------- bulk writes

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
/// many. Like [`insert_mark`], a second mark of one work type in a lesson cell is a
/// [`StoreError::Duplicate`], and the whole call fails with it.
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
/// of a cell is a [`StoreError::Duplicate`] and fails the call.
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
