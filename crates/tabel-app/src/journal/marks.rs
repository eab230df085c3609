//! Marks: recording, correcting and deleting a mark, on a lesson or standalone, with the audit trail.

use super::*;

/// Everything a new mark needs, read and checked before the write transaction.
struct PreparedMark {
    student: PersonId,
    lesson: Lesson,
    standalone: bool,
    period: Option<PeriodId>,
    value: String,
    work: tabel_domain::journal::WorkType,
    comment: String,
    debt_until: Option<Date>,
    policy_version: i64,
    reason: Option<String>,
}

/// Where a new mark goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkTarget {
    /// A lesson.
    Lesson(LessonId),
    /// A standalone work of a journal on a date (no lesson).
    Standalone {
        /// The journal's group.
        group: GroupId,
        /// Its subject.
        subject: SubjectId,
        /// The date.
        on: Date,
    },
}

/// The command to record a mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMark {
    /// The pupil.
    pub student: PersonId,
    /// The lesson or the standalone work.
    pub target: MarkTarget,
    /// The mark as typed: "5", "3/5", "зач" (the policy parses it).
    pub value: String,
    /// Work type code; the lesson type's default when absent.
    pub work_type: Option<String>,
    /// Comment.
    pub comment: Option<String>,
    /// A debt to correct by this date.
    pub debt_until: Option<Date>,
    /// Why (corrections of a closed period; administrators).
    pub reason: Option<String>,
}

impl RecordMark {
    /// A mark of a lesson with nothing but its value.
    pub fn on_lesson(student: PersonId, lesson: LessonId, value: impl Into<String>) -> RecordMark {
        RecordMark {
            student,
            target: MarkTarget::Lesson(lesson),
            value: value.into(),
            work_type: None,
            comment: None,
            debt_until: None,
            reason: None,
        }
    }
}

/// A change to a mark.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct MarkUpdate {
    /// The version read.
    pub version: i64,
    /// New value.
    pub value: String,
    /// Work type (unchanged when absent).
    #[serde(default)]
    pub work_type: Option<String>,
    /// Comment (unchanged when absent).
    #[serde(default)]
    pub comment: Option<String>,
    /// Debt date (cleared when absent).
    #[serde(default)]
    pub debt_until: Option<Date>,
    /// Why (closed periods).
    #[serde(default)]
    pub reason: Option<String>,
}

fn mark_json(m: &MarkEntry) -> serde_json::Value {
    serde_json::json!({
        "id": m.id.to_string(), "student_id": m.student.to_string(), "lesson_id": m.lesson.map(|l| l.to_string()),
        "date": m.on.to_string(), "value": m.value, "work_type": m.work_type, "weight": m.weight,
        "comment": m.comment, "debt_until": m.debt_until.map(|d| d.to_string()), "version": m.version,
    })
}

impl App {
    /// Records a mark (on a lesson, or a standalone work on a date). The checks read on a
    /// pooled connection; only the writes hold the write transaction (the period lock and the
    /// cell are checked again inside it).
    pub async fn record_mark(
        &self,
        p: &Principal,
        input: &RecordMark,
        client: &Client,
    ) -> Result<MarkEntry, AppError> {
        let prepared = {
            let mut c = self.db.acquire().await?;
            self.prepare_mark(&mut c.conn(), p, input).await?
        };
        let mut tx = self.db.begin().await?;
        let m = self
            .store_mark(&mut tx.conn(), p, &prepared, client)
            .await?;
        tx.commit().await?;
        Ok(m)
    }

    pub(super) async fn record_mark_in(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        input: &RecordMark,
        client: &Client,
    ) -> Result<MarkEntry, AppError> {
        let prepared = self.prepare_mark(c, p, input).await?;
        self.store_mark(c, p, &prepared, client).await
    }

    /// Everything a new mark needs, read and checked.
    async fn prepare_mark(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        input: &RecordMark,
    ) -> Result<PreparedMark, AppError> {
        let student = input.student;
        let (lesson, standalone) = match input.target {
            MarkTarget::Lesson(id) => (
                tt::get_lesson(c, id).await?.ok_or(AppError::NotFound)?,
                false,
            ),
            MarkTarget::Standalone { group, subject, on } => {
                (self.standalone_lesson(c, group, subject, on).await?, true)
            }
        };
        let w = write_right(c, p, &lesson, standalone, input.reason.as_deref()).await?;
        no_grade_one(w.grade, "value")?;
        if !standalone && lesson.status == LessonStatus::Cancelled {
            return Err(AppError::invalid("lesson_id", "the lesson was cancelled"));
        }
        if lesson.on > self.today() {
            return Err(AppError::invalid(
                "lesson_id",
                "the lesson has not happened yet",
            ));
        }
        if !repo::was_member(c, lesson.group, student, lesson.on).await? {
            return Err(AppError::invalid(
                "student_id",
                format!("not in {} on {}", w.name, lesson.on),
            ));
        }
        let policy = self.policy_of(c, lesson.school).await?;
        let mark = policy
            .policy
            .parse_mark(&input.value, lesson.subject.get())
            .map_err(|e| AppError::invalid("value", e.to_string()))?;
        let lesson_type = if standalone {
            None
        } else {
            lesson.lesson_type.clone()
        };
        let work = match input
            .work_type
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            Some(code) => policy.policy.work_type(code).ok_or_else(|| {
                AppError::invalid("work_type", format!("no work type «{code}» in the policy"))
            })?,
            None => policy
                .policy
                .default_work(lesson_type.as_deref())
                .ok_or_else(|| AppError::invalid("work_type", "the policy has no work types"))?,
        }
        .clone();
        let mut errors = FieldErrors::new();
        let comment = text(
            "comment",
            input.comment.as_deref().unwrap_or(""),
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok(PreparedMark {
            student,
            lesson,
            standalone,
            period: w.period,
            value: mark.to_string(),
            work,
            comment,
            debt_until: input.debt_until,
            policy_version: policy.version,
            reason: input.reason.clone(),
        })
    }

    /// Writes a prepared mark: the cell must still be free and the period still open.
    async fn store_mark(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        m: &PreparedMark,
        client: &Client,
    ) -> Result<MarkEntry, AppError> {
        let lesson = &m.lesson;
        let now = self.now();
        let new = NewMark {
            school: lesson.school,
            student: m.student,
            group: lesson.group,
            subject: lesson.subject,
            lesson: (!m.standalone).then_some(lesson.id.get()),
            on: lesson.on,
            value: &m.value,
            work_type: &m.work.code,
            weight: m.work.weight,
            comment: &m.comment,
            debt_until: m.debt_until,
            policy_version: m.policy_version,
            by: Some(p.user),
            now,
        };
        // One statement: stored only if the period is still open (administrators correct a
        // closed one) and the cell has no mark of this work type yet.
        let guard = m.period.filter(|_| !p.is_admin_of(lesson.school));
        let Some(id) = repo::insert_mark_if_free(c, &new, guard).await? else {
            if let Some(period) = guard
                && tabel_store::closing::closed_for_group(c, period, lesson.group).await?
            {
                return Err(closed());
            }
            let existing = match new.lesson {
                Some(l) => repo::mark_in_cell(c, LessonId::new(l), m.student, &m.work.code).await?,
                None => None,
            };
            return Err(stale("the mark", existing.as_ref().map(mark_json)));
        };
        if !m.standalone && !lesson.has_journal_data {
            tt::mark_journal_data(c, lesson.id).await?;
        }
        let stored = MarkEntry {
            id: MarkId::new(id),
            school: lesson.school,
            student: m.student,
            group: lesson.group,
            subject: lesson.subject,
            lesson: new.lesson.map(LessonId::new),
            on: lesson.on,
            value: m.value.clone(),
            work_type: m.work.code.clone(),
            weight: m.work.weight,
            comment: m.comment.clone(),
            debt_until: m.debt_until,
            version: 1,
            updated_at: now,
        };
        let after = mark_json(&stored);
        write_audit(
            c,
            Audit {
                school: lesson.school,
                actor: p.user.get(),
                action: "mark.record",
                entity: "mark",
                key: if m.standalone {
                    format!("m{id}")
                } else {
                    cell_key(lesson.id.get(), m.student)
                },
                before: None,
                after: Some(after.clone()),
                reason: m.reason.as_deref(),
            },
            client,
            now,
        )
        .await?;
        outbox::emit(c, Some(lesson.school), "mark.recorded", &after, now).await?;
        Ok(stored)
    }

    /// A standalone work has no lesson: it hangs on a synthetic view of the group's journal on
    /// that date, for the same period checks. Who may write it is decided by the assignment
    /// ([`write_right`] with `standalone`), not by the teacher of the lesson borrowed here.
    async fn standalone_lesson(
        &self,
        c: &mut Conn<'_>,
        group: GroupId,
        subject: SubjectId,
        on: Date,
    ) -> Result<Lesson, AppError> {
        let g = school_repo::get_group(c, group, on)
            .await?
            .ok_or(AppError::NotFound)?;
        // Borrow the journal's nearest lesson for its school, year and names; its date is
        // replaced, and its teacher authorises nothing (see `write_right`).
        let lessons = tt::lessons_of_journal(
            c,
            group,
            subject,
            on - time::Duration::days(31),
            on + time::Duration::days(31),
        )
        .await?;
        let mut l = lessons
            .into_iter()
            .min_by_key(|l| (l.on - on).whole_days().abs())
            .ok_or_else(|| {
                AppError::invalid(
                    "subject_id",
                    format!("{} has no lessons of this subject near {on}", g.name),
                )
            })?;
        // Only its date changes: the mark is flagged standalone and never names this lesson.
        l.on = on;
        Ok(l)
    }

    /// Changes a mark, if it is still at `version`.
    pub async fn change_mark(
        &self,
        p: &Principal,
        id: tabel_domain::MarkId,
        input: &MarkUpdate,
        client: &Client,
    ) -> Result<MarkEntry, AppError> {
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let before = repo::get_mark(c, id).await?.ok_or(AppError::NotFound)?;
        let lesson = self.lesson_of_mark(c, &before).await?;
        let w = write_right(
            c,
            p,
            &lesson,
            before.lesson.is_none(),
            input.reason.as_deref(),
        )
        .await?;
        no_grade_one(w.grade, "value")?;
        if before.version != input.version {
            return Err(stale("the mark", Some(mark_json(&before))));
        }
        let policy = self.policy_of(c, before.school).await?;
        let mark: Mark = policy
            .policy
            .parse_mark(&input.value, before.subject.get())
            .map_err(|e| AppError::invalid("value", e.to_string()))?;
        let work_code = input
            .work_type
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .unwrap_or(&before.work_type);
        let work = policy.policy.work_type(work_code).ok_or_else(|| {
            AppError::invalid(
                "work_type",
                format!("no work type «{work_code}» in the policy"),
            )
        })?;
        let mut errors = FieldErrors::new();
        let comment = match &input.comment {
            Some(cm) => text("comment", cm, &mut errors),
            None => before.comment.clone(),
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.now();
        let value = mark.to_string();
        match repo::update_mark(
            c,
            id,
            input.version,
            &MarkChange {
                value: &value,
                work_type: &work.code,
                weight: work.weight,
                comment: &comment,
                debt_until: input.debt_until,
                policy_version: policy.version,
                by: Some(p.user),
                now,
            },
        )
        .await
        {
            Ok(_) => {}
            Err(StoreError::Stale) => {
                let current = repo::get_mark(c, id).await?;
                return Err(stale("the mark", current.as_ref().map(mark_json)));
            }
            Err(StoreError::Duplicate(_)) => {
                return Err(AppError::Conflict(
                    "the pupil already has a mark of this work type in this lesson".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        let stored = repo::get_mark(c, id).await?.ok_or(AppError::NotFound)?;
        let after = mark_json(&stored);
        write_audit(
            c,
            Audit {
                school: before.school,
                actor: p.user.get(),
                action: "mark.change",
                entity: "mark",
                key: before
                    .lesson
                    .map_or_else(|| format!("m{id}"), |l| cell_key(l.get(), before.student)),
                before: Some(mark_json(&before)),
                after: Some(after.clone()),
                reason: input.reason.as_deref(),
            },
            client,
            now,
        )
        .await?;
        outbox::emit(c, Some(before.school), "mark.changed", &after, now).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Deletes a mark, if it is still at `version`.
    pub async fn delete_mark(
        &self,
        p: &Principal,
        id: tabel_domain::MarkId,
        version: i64,
        reason: Option<&str>,
        client: &Client,
    ) -> Result<(), AppError> {
        // The checks read outside the write transaction; the delete itself names the version and
        // the period that must still be open.
        let (before, guard) = {
            let mut pc = self.db.acquire().await?;
            let c = &mut pc.conn();
            let before = repo::get_mark(c, id).await?.ok_or(AppError::NotFound)?;
            let lesson = self.lesson_of_mark(c, &before).await?;
            let w = write_right(c, p, &lesson, before.lesson.is_none(), reason).await?;
            if before.version != version {
                return Err(stale("the mark", Some(mark_json(&before))));
            }
            (before, w.period.filter(|_| !p.is_admin_of(lesson.school)))
        };
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        if !repo::delete_mark_if_open(c, id, version, guard).await? {
            if let Some(period) = guard
                && tabel_store::closing::closed_for_group(c, period, before.group).await?
            {
                return Err(closed());
            }
            return Err(stale(
                "the mark",
                repo::get_mark(c, id).await?.as_ref().map(mark_json),
            ));
        }
        let now = self.now();
        write_audit(
            c,
            Audit {
                school: before.school,
                actor: p.user.get(),
                action: "mark.delete",
                entity: "mark",
                key: before
                    .lesson
                    .map_or_else(|| format!("m{id}"), |l| cell_key(l.get(), before.student)),
                before: Some(mark_json(&before)),
                after: None,
                reason,
            },
            client,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn lesson_of_mark(&self, c: &mut Conn<'_>, m: &MarkEntry) -> Result<Lesson, AppError> {
        match m.lesson {
            Some(l) => tt::get_lesson(c, l).await?.ok_or(AppError::NotFound),
            None => self.standalone_lesson(c, m.group, m.subject, m.on).await,
        }
    }
}
