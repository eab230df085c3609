//! Attendance: setting a pupil's code on a lesson, checked against the school's policy.

use super::*;
use tabel_domain::absence::{AbsenceNote, NoteReason};

/// The command to record, change (with `version`) or clear (an empty code) attendance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAttendance {
    /// The lesson.
    pub lesson: LessonId,
    /// The pupil.
    pub student: PersonId,
    /// `ill`, `excused`, `unexcused`, `late` — or a letter (н, б, уп, оп); empty to clear.
    pub code: String,
    /// Minutes late (for `late`).
    pub minutes_late: Option<u16>,
    /// Reason text.
    pub reason: Option<String>,
    /// The version read when changing an existing record; absent to create.
    pub version: Option<i64>,
    /// Why (closed periods).
    pub correction: Option<String>,
}

impl SetAttendance {
    /// A new record of a code with nothing else.
    pub fn new(lesson: LessonId, student: PersonId, code: impl Into<String>) -> SetAttendance {
        SetAttendance {
            lesson,
            student,
            code: code.into(),
            minutes_late: None,
            reason: None,
            version: None,
            correction: None,
        }
    }
}

fn attendance_json(a: &AttendanceEntry) -> serde_json::Value {
    serde_json::json!({
        "id": a.id.to_string(), "lesson_id": a.lesson.to_string(), "student_id": a.student.to_string(),
        "code": a.code, "minutes_late": a.minutes_late, "reason": a.reason, "version": a.version,
    })
}

/// The attendance code a teacher typed: a stored code or a letter of the policy.
fn attendance_code(policy: &GradingPolicy, raw: &str) -> Result<Attendance, AppError> {
    if let Ok(a) = Attendance::from_code(raw.trim()) {
        return Ok(a);
    }
    match policy.parse_cell(raw, 0) {
        Ok(tabel_domain::journal::Cell::Attendance(a)) => Ok(a),
        _ => Err(AppError::invalid(
            "code",
            "use ill, excused, unexcused or late (or the letters Б, УП, Н, ОП)",
        )),
    }
}

/// The reason an absence excused by a note carries: «Объяснительная № 12 (болезнь)».
fn note_reason(n: &AbsenceNote) -> String {
    let why = match n.reason {
        NoteReason::Illness => "болезнь",
        NoteReason::Family => "семейные обстоятельства",
        NoteReason::Other => "иная причина",
    };
    format!("Объяснительная № {} ({why})", n.id)
}

/// Excuses a pupil's absences without a reason (Н) within an accepted note's dates: each gets
/// the note's code (Б for an illness, УП otherwise) and the note as its reason (a reason the
/// teacher wrote stays), through the journal's versioned write with its audit record and
/// event, in the caller's transaction. Absences in a closed period are left as they are (an
/// administrator corrects those with a reason). Returns how many were excused and how many
/// were left in closed periods.
pub(crate) async fn excuse_absences_in(
    c: &mut Conn<'_>,
    p: &Principal,
    note: &AbsenceNote,
    client: &Client,
    now: OffsetDateTime,
) -> Result<(i64, i64), AppError> {
    let code = note.reason.attendance();
    let note_text = note_reason(note);
    let (mut excused, mut closed) = (0, 0);
    for e in repo::unexcused_of_student(c, note.student, (note.from, note.to)).await? {
        let Some(lesson) = tt::get_lesson(c, e.lesson).await? else {
            continue;
        };
        let period = repo::period_on(c, lesson.year, lesson.grade, lesson.on, lesson.group).await?;
        if period.is_some_and(|(_, locked)| locked) {
            closed += 1;
            continue;
        }
        let reason = if e.reason.trim().is_empty() {
            note_text.clone()
        } else {
            e.reason.clone()
        };
        let write = AttendanceWrite {
            code: code.code(),
            minutes_late: None,
            reason: &reason,
            by: Some(p.user),
            now,
        };
        repo::update_attendance(c, e.id, e.version, &write)
            .await
            .map_err(|err| match err {
                StoreError::Stale => stale("the attendance", None),
                err => err.into(),
            })?;
        let stored = repo::get_attendance(c, e.id)
            .await?
            .ok_or(AppError::NotFound)?;
        let after = attendance_json(&stored);
        write_audit(
            c,
            Audit {
                school: lesson.school,
                actor: p.user.get(),
                action: "attendance.set",
                entity: "attendance",
                key: cell_key(lesson.id.get(), note.student),
                before: Some(attendance_json(&e)),
                after: Some(after.clone()),
                reason: Some(&note_text),
            },
            client,
            now,
        )
        .await?;
        outbox::emit(c, Some(lesson.school), "attendance.set", &after, now).await?;
        excused += 1;
    }
    Ok((excused, closed))
}

impl App {
    /// Records, changes (with `version`) or — with an empty code — clears a pupil's attendance
    /// on a lesson. Returns the record, or `None` when cleared.
    pub async fn set_attendance(
        &self,
        p: &Principal,
        input: &SetAttendance,
        client: &Client,
    ) -> Result<Option<AttendanceEntry>, AppError> {
        let mut tx = self.db.begin().await?;
        let out = self
            .set_attendance_in(&mut tx.conn(), p, input, client)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    pub(super) async fn set_attendance_in(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        input: &SetAttendance,
        client: &Client,
    ) -> Result<Option<AttendanceEntry>, AppError> {
        let (lesson_id, student) = (input.lesson, input.student);
        let lesson = tt::get_lesson(c, lesson_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let w = writer_of(c, p, &lesson, input.correction.as_deref()).await?;
        if lesson.status == LessonStatus::Cancelled {
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
        let existing = repo::attendance_in_cell(c, lesson.id, student).await?;
        let now = self.now();
        let key = cell_key(lesson.id.get(), student);
        let clear = input.code.trim().is_empty();
        match (&existing, input.version) {
            (Some(e), Some(v)) if e.version != v => {
                return Err(stale("the attendance", Some(attendance_json(e))));
            }
            (Some(e), None) => return Err(stale("the attendance", Some(attendance_json(e)))),
            (None, Some(_)) if !clear => return Err(stale("the attendance", None)),
            (None, _) if clear => return Ok(None),
            _ => {}
        }
        if clear {
            let Some(e) = existing else { return Ok(None) };
            if repo::delete_attendance(c, e.id, e.version).await.is_err() {
                return Err(stale(
                    "the attendance",
                    repo::get_attendance(c, e.id)
                        .await?
                        .as_ref()
                        .map(attendance_json),
                ));
            }
            write_audit(
                c,
                Audit {
                    school: lesson.school,
                    actor: p.user.get(),
                    action: "attendance.clear",
                    entity: "attendance",
                    key,
                    before: Some(attendance_json(&e)),
                    after: None,
                    reason: input.correction.as_deref(),
                },
                client,
                now,
            )
            .await?;
            return Ok(None);
        }
        let policy = self.policy_of(c, lesson.school).await?;
        let code = attendance_code(&policy.policy, &input.code)?;
        // An absence recorded without a reason on a day an accepted absence note covers is
        // excused by the note as it is recorded: the family already said why.
        let note = match code {
            Attendance::Unexcused => {
                tabel_store::absence_notes::accepted_covering(c, student, lesson.on).await?
            }
            _ => None,
        };
        let code = note.as_ref().map_or(code, |n| n.reason.attendance());
        let minutes_late = match (code, input.minutes_late) {
            (Attendance::Late, Some(m)) if (1..=90).contains(&m) => Some(m),
            (Attendance::Late, Some(_)) => {
                return Err(AppError::invalid("minutes_late", "1–90 minutes"));
            }
            (Attendance::Late, None) => None,
            (_, _) => None,
        };
        let mut errors = FieldErrors::new();
        let mut reason = text("reason", input.reason.as_deref().unwrap_or(""), &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        if let Some(n) = note.as_ref().filter(|_| reason.is_empty()) {
            reason = note_reason(n);
        }
        let write = AttendanceWrite {
            code: code.code(),
            minutes_late,
            reason: &reason,
            by: Some(p.user),
            now,
        };
        let id = match &existing {
            Some(e) => {
                repo::update_attendance(c, e.id, e.version, &write)
                    .await
                    .map_err(|err| match err {
                        StoreError::Stale => stale("the attendance", None),
                        err => err.into(),
                    })?;
                e.id
            }
            None => repo::insert_attendance(c, lesson.school, (lesson.id.get(), student), &write)
                .await
                .map_err(|err| match err {
                    StoreError::Duplicate(_) => stale("the attendance", None),
                    err => err.into(),
                })?,
        };
        tt::mark_journal_data(c, lesson.id).await?;
        let stored = repo::get_attendance(c, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let after = attendance_json(&stored);
        write_audit(
            c,
            Audit {
                school: lesson.school,
                actor: p.user.get(),
                action: "attendance.set",
                entity: "attendance",
                key,
                before: existing.as_ref().map(attendance_json),
                after: Some(after.clone()),
                reason: input.correction.as_deref(),
            },
            client,
            now,
        )
        .await?;
        outbox::emit(c, Some(lesson.school), "attendance.set", &after, now).await?;
        if let Some(n) = &note
            && existing.as_ref().is_none_or(|e| e.code != stored.code)
        {
            tabel_store::absence_notes::add_excused(c, n.id, 1).await?;
        }
        Ok(Some(stored))
    }

    /// The cell (lesson, pupil) of an attendance record, to change it by id; permission is
    /// checked by [`App::set_attendance`].
    pub async fn attendance_cell(
        &self,
        id: tabel_domain::AttendanceId,
    ) -> Result<(LessonId, PersonId), AppError> {
        let mut c = self.db.acquire().await?;
        let a = repo::get_attendance(&mut c.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok((a.lesson, a.student))
    }
}
