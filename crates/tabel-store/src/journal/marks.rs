//! Marks: one per work type in a lesson cell, versioned; by cell, by group, by pupil.

use super::small;
use crate::{Conn, Result, StoreError};
use tabel_domain::{GroupId, PersonId, SchoolId, SubjectId, UserId};
use tabel_domain::{LessonId, MarkId};
use time::{Date, OffsetDateTime};

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
/// (if any) is closed for the mark's group (or its year is frozen): the new id, or `None` when
/// nothing was stored. One statement, so that the write transaction stays short.
pub async fn insert_mark_if_free(
    conn: &mut Conn<'_>,
    m: &NewMark<'_>,
    guard: Option<tabel_domain::PeriodId>,
) -> Result<Option<i64>> {
    const SQL: &str = "INSERT INTO marks (school_id, student_id, group_id, subject_id, lesson_id, on_date, value, work_type, \
         weight, comment, debt_until, policy_version, version, created_by, created_at, updated_by, updated_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14, $13, $14 \
         WHERE NOT EXISTS (SELECT 1 FROM reporting_periods rp JOIN academic_years y ON y.id = rp.academic_year_id \
            WHERE rp.id = $15 AND (rp.locked_at IS NOT NULL OR y.frozen_at IS NOT NULL \
            OR EXISTS (SELECT 1 FROM period_locks pl WHERE pl.period_id = rp.id AND (pl.class_id = $3 \
               OR pl.class_id IN (SELECT parent_group_id FROM study_groups WHERE id = $3) \
               OR pl.class_id IN (SELECT class_id FROM stream_classes WHERE stream_id = $3))))) \
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
pub async fn get_mark(conn: &mut Conn<'_>, id: MarkId) -> Result<Option<MarkEntry>> {
    const SQL: &str = mark_sql!("WHERE id = $1");
    fetch_optional!(conn, MarkRow, SQL, id.get())?
        .map(MarkEntry::try_from)
        .transpose()
}

/// The mark of one work type in a lesson cell.
pub async fn mark_in_cell(
    conn: &mut Conn<'_>,
    lesson: LessonId,
    student: PersonId,
    work_type: &str,
) -> Result<Option<MarkEntry>> {
    const SQL: &str = mark_sql!("WHERE lesson_id = $1 AND student_id = $2 AND work_type = $3");
    fetch_optional!(conn, MarkRow, SQL, lesson.get(), student.get(), work_type)?
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
    id: MarkId,
    version: i64,
    c: &MarkChange<'_>,
) -> Result<i64> {
    const SQL: &str = "UPDATE marks SET value = $3, work_type = $4, weight = $5, comment = $6, debt_until = $7, \
         policy_version = $8, updated_by = $9, updated_at = $10, version = version + 1 WHERE id = $1 AND version = $2";
    let n = execute!(
        conn,
        SQL,
        id.get(),
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
    id: MarkId,
    version: i64,
    guard: Option<tabel_domain::PeriodId>,
) -> Result<bool> {
    const SQL: &str = "DELETE FROM marks WHERE id = $1 AND version = $2 \
         AND NOT EXISTS (SELECT 1 FROM reporting_periods rp JOIN academic_years y ON y.id = rp.academic_year_id \
            WHERE rp.id = $3 AND (rp.locked_at IS NOT NULL OR y.frozen_at IS NOT NULL \
            OR EXISTS (SELECT 1 FROM period_locks pl WHERE pl.period_id = rp.id AND (pl.class_id = marks.group_id \
               OR pl.class_id IN (SELECT parent_group_id FROM study_groups WHERE id = marks.group_id) \
               OR pl.class_id IN (SELECT class_id FROM stream_classes WHERE stream_id = marks.group_id)))))";
    Ok(execute!(conn, SQL, id.get(), version, guard.map(|g| g.get()))? > 0)
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
