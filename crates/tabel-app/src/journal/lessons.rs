//! Lessons: the topic, homework and type of a lesson, a column written at once, and the homework load.

use super::*;

/// A lesson record as written.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RecordInput {
    /// The version read.
    pub version: i64,
    /// Topic.
    #[serde(default)]
    pub topic: String,
    /// Lesson type code.
    #[serde(default)]
    pub lesson_type: Option<String>,
    /// Held or not.
    #[serde(default)]
    pub held: Option<bool>,
    /// Homework.
    #[serde(default)]
    pub homework: String,
    /// Estimated minutes.
    #[serde(default)]
    pub homework_minutes: Option<u16>,
    /// Due date.
    #[serde(default)]
    pub homework_due_on: Option<Date>,
    /// Comment.
    #[serde(default)]
    pub teacher_comment: String,
    /// Why (closed periods).
    #[serde(default)]
    pub reason: Option<String>,
}

/// One row of a batch: a pupil and what to write in the lesson's column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRow {
    /// The pupil.
    pub student: PersonId,
    /// A mark ("5") or an attendance letter ("н").
    pub value: String,
}

impl App {
    /// Writes a lesson's record: topic, type, held, homework, comment.
    pub async fn record_lesson(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
        input: &RecordInput,
        client: &Client,
    ) -> Result<VersionedRecord, AppError> {
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let l = tt::get_lesson(c, lesson).await?.ok_or(AppError::NotFound)?;
        let w = writer_of(c, p, &l, input.reason.as_deref()).await?;
        let before = repo::lesson_record(c, lesson)
            .await?
            .ok_or(AppError::NotFound)?;
        if before.version != input.version {
            return Err(stale(
                "the lesson record",
                serde_json::to_value(&before).ok(),
            ));
        }
        let mut errors = FieldErrors::new();
        let topic = text("topic", &input.topic, &mut errors);
        let homework = text("homework", &input.homework, &mut errors);
        let comment = text("teacher_comment", &input.teacher_comment, &mut errors);
        if topic.chars().count() > 500 {
            errors.insert("topic".into(), "at most 500 characters".into());
        }
        let policy = self.policy_of(c, l.school).await?;
        let lesson_type = input
            .lesson_type
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if let Some(t) = lesson_type
            && policy.policy.lesson_type(t).is_none()
        {
            errors.insert(
                "lesson_type".into(),
                format!("no lesson type «{t}» in the policy"),
            );
        }
        if w.grade == 1 && (!homework.is_empty() || input.homework_minutes.is_some()) {
            errors.insert(
                "homework".into(),
                "grade 1 has no homework (first-grade rules)".into(),
            );
        }
        if input.homework_minutes.is_some_and(|m| m == 0 || m > 240) {
            errors.insert("homework_minutes".into(), "1–240 minutes".into());
        }
        if input.homework_due_on.is_some_and(|d| d <= l.on) {
            errors.insert("homework_due_on".into(), "after the lesson's date".into());
        }
        if homework.is_empty()
            && (input.homework_minutes.is_some() || input.homework_due_on.is_some())
        {
            errors.insert("homework".into(), "write the homework itself".into());
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let record = LessonRecord {
            topic,
            lesson_type: lesson_type.map(str::to_owned),
            held: input.held,
            homework,
            homework_minutes: input.homework_minutes,
            homework_due_on: input.homework_due_on,
            teacher_comment: comment,
        };
        let version = match repo::update_lesson_record(c, lesson, input.version, &record).await {
            Ok(v) => v,
            Err(StoreError::Stale) => {
                let current = repo::lesson_record(c, lesson).await?;
                return Err(stale(
                    "the lesson record",
                    current.and_then(|r| serde_json::to_value(r).ok()),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let stored = VersionedRecord {
            lesson,
            record,
            version,
        };
        let now = self.now();
        let after = serde_json::to_value(&stored).unwrap_or_default();
        write_audit(
            c,
            Audit {
                school: l.school,
                actor: p.user.get(),
                action: "lesson.record",
                entity: "lesson",
                key: lesson.to_string(),
                before: serde_json::to_value(&before).ok(),
                after: Some(after.clone()),
                reason: input.reason.as_deref(),
            },
            client,
            now,
        )
        .await?;
        if stored.record.homework != before.record.homework && !stored.record.homework.is_empty() {
            let event = serde_json::json!({"lesson_id": lesson.to_string(), "group_id": l.group.to_string(),
                "subject": l.subject_name, "date": l.on.to_string(), "homework": stored.record.homework,
                "due_on": stored.record.homework_due_on.map(|d| d.to_string())});
            outbox::emit(c, Some(l.school), "homework.published", &event, now).await?;
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// Writes a whole column of a lesson — marks and attendance letters — all or nothing: one
    /// bad row and nothing is written (the error names the row). `reason`: an administrator's
    /// correction of a closed period (or of another's lesson), given once for every row.
    pub async fn write_column(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
        (rows, reason): (&[BatchRow], Option<&str>),
        client: &Client,
    ) -> Result<usize, AppError> {
        if rows.is_empty() || rows.len() > 200 {
            return Err(AppError::invalid("rows", "1–200 rows"));
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let l = tt::get_lesson(c, lesson).await?.ok_or(AppError::NotFound)?;
        let policy = self.policy_of(c, l.school).await?;
        for (i, row) in rows.iter().enumerate() {
            let cell = policy.policy.parse_cell(&row.value, l.subject.get());
            let result = match cell {
                Ok(tabel_domain::journal::Cell::Attendance(a)) => self
                    .set_attendance_in(
                        c,
                        p,
                        &SetAttendance {
                            correction: reason.map(str::to_owned),
                            ..SetAttendance::new(lesson, row.student, a.code())
                        },
                        client,
                    )
                    .await
                    .map(|_| ()),
                Ok(tabel_domain::journal::Cell::Mark(_)) => self
                    .record_mark_in(
                        c,
                        p,
                        &RecordMark {
                            reason: reason.map(str::to_owned),
                            ..RecordMark::on_lesson(row.student, lesson, row.value.clone())
                        },
                        client,
                    )
                    .await
                    .map(|_| ()),
                Err(e) => Err(AppError::invalid("value", e.to_string())),
            };
            if let Err(e) = result {
                return Err(match e {
                    AppError::Invalid(errors) => AppError::Invalid(
                        errors
                            .into_iter()
                            .map(|(k, v)| (format!("rows[{i}].{k}"), v))
                            .collect(),
                    ),
                    AppError::Stale { detail, current } => AppError::Stale {
                        detail: format!("row {i}: {detail}"),
                        current,
                    },
                    e => e,
                });
            }
        }
        tx.commit().await?;
        Ok(rows.len())
    }
}

impl App {
    /// The homework of a class's day against the limit for its grade: (minutes set, limit).
    pub async fn homework_load(
        &self,
        p: &Principal,
        class: GroupId,
        on: Date,
    ) -> Result<(u32, u16), AppError> {
        let g = self.class(p, class, on).await?;
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let minutes =
            repo::homework_minutes_due(c, class, on, on - time::Duration::days(14)).await?;
        Ok((
            u32::try_from(minutes).unwrap_or(u32::MAX),
            homework_limit_minutes(g.grade),
        ))
    }
}
