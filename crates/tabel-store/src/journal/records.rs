//! Lesson records (topic, type, homework, comment), versioned, and the homework load of a day.

use crate::{Conn, Result, StoreError};
use tabel_domain::LessonId;
use tabel_domain::{GroupId, SubjectId};
use time::Date;

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
pub async fn lesson_record(
    conn: &mut Conn<'_>,
    lesson: LessonId,
) -> Result<Option<VersionedRecord>> {
    const SQL: &str = "SELECT id, topic, lesson_type, held, homework, homework_minutes, homework_due_on, \
         teacher_comment, record_version FROM lessons WHERE id = $1";
    fetch_optional!(conn, RecordRow, SQL, lesson.get())?
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
    lesson: LessonId,
    version: i64,
    r: &LessonRecord,
) -> Result<i64> {
    const SQL: &str = "UPDATE lessons SET topic = $3, lesson_type = $4, held = $5, homework = $6, homework_minutes = $7, \
         homework_due_on = $8, teacher_comment = $9, record_version = record_version + 1, has_journal_data = 1 \
         WHERE id = $1 AND record_version = $2";
    let n = execute!(
        conn,
        SQL,
        lesson.get(),
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
