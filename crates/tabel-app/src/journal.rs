//! The class journal: the grading policy, lesson records (topic, type, homework), marks,
//! attendance, recommendations, the teacher's grid, cell history and closing periods.
//!
//! Who may write: the teacher of the lesson (the substitute, for a substituted lesson), its
//! original teacher, and the teacher assigned to the group × subject; administrators only as a
//! correction with a reason. Deputies and class teachers read. A closed period takes writes only
//! from an administrator with a reason. Every cell carries a version: a stale write gets
//! [`AppError::Stale`] with the current value and changes nothing.

use crate::{App, AppError, Client, FieldErrors, check};
use serde::Serialize;
use std::collections::HashMap;
use tabel_domain::access::Principal;
use tabel_domain::journal::{Attendance, Average, GradingPolicy, Mark, homework_limit_minutes};
use tabel_domain::school::Role;
use tabel_domain::timetable::LessonStatus;
use tabel_domain::{GroupId, LessonId, MarkId, PeriodId, PersonId, SchoolId, SubjectId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::journal::{
    self as repo, AttendanceEntry, AttendanceWrite, LessonRecord, MarkChange, MarkEntry, NewMark,
    RosterEntry, VersionedRecord,
};
use tabel_store::school::{self as school_repo, Group, Period};
use tabel_store::timetable::{self as tt, Lesson};
use tabel_store::{Conn, StoreError, outbox};
use time::{Date, OffsetDateTime};

/// Longest homework, topic and comment texts.
const MAX_TEXT: usize = 4000;

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

/// A school's policy with its version (0 = the built-in default, never saved).
#[derive(Debug, Clone, Serialize)]
pub struct PolicyView {
    /// Version.
    pub version: i64,
    /// The policy.
    pub policy: GradingPolicy,
}

impl App {
    /// The school's current policy: parsed once per version and kept.
    pub(crate) async fn policy_of(
        &self,
        c: &mut Conn<'_>,
        school: SchoolId,
    ) -> Result<std::sync::Arc<PolicyView>, AppError> {
        let version = repo::policy_version(c, school).await?;
        let cached = self
            .policies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&school)
            .filter(|p| p.version == version)
            .cloned();
        if let Some(p) = cached {
            return Ok(p);
        }
        let loaded = std::sync::Arc::new(load_policy(c, school).await?);
        self.policies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(school, loaded.clone());
        Ok(loaded)
    }
}

/// Loads a school's current policy.
pub async fn load_policy(conn: &mut Conn<'_>, school: SchoolId) -> Result<PolicyView, AppError> {
    match repo::current_policy(conn, school).await? {
        Some(p) => Ok(PolicyView {
            version: p.version,
            policy: serde_json::from_str(&p.body)
                .map_err(|e| AppError::Internal(format!("stored grading policy: {e}")))?,
        }),
        None => Ok(PolicyView {
            version: 0,
            policy: GradingPolicy::default(),
        }),
    }
}

/// What a writer is to a lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writer {
    /// Its teacher, substitute, original teacher, or the assigned teacher.
    Teacher,
    /// An administrator: only corrections with a reason.
    Admin,
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

/// A pupil's row of the grid.
#[derive(Debug, Clone, Serialize)]
pub struct JournalStudent {
    /// Who, with membership dates.
    #[serde(flatten)]
    pub entry: RosterEntry,
    /// The weighted average in the period ("4.43" or "—").
    pub average: String,
    /// Marks counted in it.
    pub marks: u32,
    /// Absences in the period.
    pub absences: u32,
}

/// A column of the grid.
#[derive(Debug, Clone, Serialize)]
pub struct JournalLesson {
    /// The lesson.
    pub lesson: Lesson,
    /// Its record.
    pub record: VersionedRecord,
}

/// The teacher's grid of one journal (group × subject) for one period.
#[derive(Debug, Clone, Serialize)]
pub struct JournalView {
    /// The group.
    pub group: Group,
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// The period shown.
    pub period: Period,
    /// The periods of the group's parallel, to switch.
    pub periods: Vec<Period>,
    /// The policy in force.
    pub policy: PolicyView,
    /// Pupils.
    pub students: Vec<JournalStudent>,
    /// Lessons.
    pub lessons: Vec<JournalLesson>,
    /// Marks.
    pub marks: Vec<MarkEntry>,
    /// Attendance.
    pub attendance: Vec<AttendanceEntry>,
    /// Whether the viewer may write here (as a teacher).
    pub may_write: bool,
    /// Whether the viewer may close or reopen the period (administrators, deputy heads).
    pub may_close: bool,
    /// Whether the viewer may correct the period with a reason: it is closed and they administer
    /// the school.
    pub may_correct: bool,
}

impl JournalView {
    /// Whether a lesson takes marks and attendance on `today`: not cancelled, not in the future.
    pub fn lesson_open(l: &Lesson, today: Date) -> bool {
        l.status != LessonStatus::Cancelled && l.on <= today
    }

    /// Who may write a pupil's cell of a lesson: `(writable, correction)`. Its teacher writes
    /// while the period is open; an administrator corrects a closed one with a reason; nobody
    /// writes a cancelled or future lesson, or for a pupil who was not in the group that day.
    pub fn cell_access(&self, l: &Lesson, today: Date, member: bool) -> (bool, bool) {
        let open = member && Self::lesson_open(l, today);
        let correction = open && self.may_correct;
        ((self.may_write && open) || correction, correction)
    }
}

/// A change in a cell's history.
#[derive(Debug, Clone, Serialize)]
pub struct CellChange {
    /// When.
    pub at: OffsetDateTime,
    /// Who (user id).
    pub actor: Option<i64>,
    /// What (`mark.record`, `attendance.delete`…).
    pub action: String,
    /// Before.
    pub before: Option<serde_json::Value>,
    /// After.
    pub after: Option<serde_json::Value>,
    /// Why.
    pub reason: Option<String>,
    /// From where.
    pub origin: Option<String>,
}

/// A journal a teacher keeps.
#[derive(Debug, Clone, Serialize)]
pub struct JournalRef {
    /// Group.
    pub group: GroupId,
    /// Group name.
    pub group_name: String,
    /// Subject.
    pub subject: SubjectId,
    /// Subject name.
    pub subject_name: String,
}

fn cell_key(lesson: i64, student: PersonId) -> String {
    format!("{lesson}:{student}")
}

fn text(field: &str, raw: &str, errors: &mut FieldErrors) -> String {
    let t = raw.trim();
    if t.chars().count() > MAX_TEXT {
        errors.insert(field.into(), format!("at most {MAX_TEXT} characters"));
    }
    t.to_owned()
}

fn stale(what: &str, current: Option<serde_json::Value>) -> AppError {
    AppError::Stale {
        detail: format!("{what} was changed by someone else; here is the current value"),
        current,
    }
}

/// The period of a parallel containing a date.
pub(crate) async fn period_of(
    conn: &mut Conn<'_>,
    g: &Group,
    on: Date,
) -> Result<(Option<Period>, Vec<Period>), AppError> {
    let kind = school_repo::list_parallels(conn, g.year)
        .await?
        .into_iter()
        .find(|p| p.grade == g.grade)
        .map(|p| p.period_kind);
    let periods: Vec<Period> = school_repo::list_periods(conn, g.year)
        .await?
        .into_iter()
        .filter(|p| Some(p.kind) == kind)
        .collect();
    let current = periods
        .iter()
        .find(|p| p.starts_on <= on && on <= p.ends_on)
        .cloned();
    Ok((current, periods))
}

/// What a writer may do on a lesson: how they write, the lesson's group, and the reporting
/// period the lesson falls in (checked again inside the write transaction).
pub(crate) struct WriteRight {
    /// The lesson group's grade.
    grade: u8,
    /// Its name, for messages.
    name: String,
    period: Option<PeriodId>,
}

/// Checks that `p` may write on a lesson (its teacher, substitute, original or assigned
/// teacher; or an administrator with a reason) and that its period is open (or that an
/// administrator corrects it).
pub(crate) async fn writer_of(
    conn: &mut Conn<'_>,
    p: &Principal,
    lesson: &Lesson,
    reason: Option<&str>,
) -> Result<WriteRight, AppError> {
    let me = p.person;
    let teacher = p.has_role(Role::Teacher, lesson.school)
        && match me {
            Some(me) => {
                lesson.teacher == me
                    || lesson.original_teacher == Some(me)
                    || repo::is_assigned(conn, me, lesson.group, lesson.subject).await?
            }
            None => false,
        };
    let writer = if teacher {
        Writer::Teacher
    } else if p.is_admin_of(lesson.school) {
        Writer::Admin
    } else if p.is_staff_of(lesson.school) || p.schools().contains(&lesson.school) {
        return Err(AppError::Forbidden);
    } else {
        return Err(AppError::NotFound);
    };
    let period = repo::period_on(conn, lesson.year, lesson.grade, lesson.on).await?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > crate::MAX_REASON_CHARS) {
        return Err(AppError::invalid(
            "reason",
            format!("at most {} characters", crate::MAX_REASON_CHARS),
        ));
    }
    if writer == Writer::Admin && reason.is_none() {
        return Err(AppError::invalid(
            "reason",
            "an administrator corrects the journal with a written reason",
        ));
    }
    if period.is_some_and(|(_, locked)| locked) && writer != Writer::Admin {
        return Err(closed());
    }
    Ok(WriteRight {
        grade: lesson.grade,
        name: lesson.group_name.clone(),
        period: period.map(|(id, _)| id),
    })
}

fn closed() -> AppError {
    AppError::Conflict("the period is closed; an administrator can correct it with a reason".into())
}

fn no_grade_one(grade: u8, what: &str) -> Result<(), AppError> {
    if grade == 1 {
        return Err(AppError::invalid(
            what,
            "grade 1 has no marks and no homework (first-grade rules)",
        ));
    }
    Ok(())
}

struct Audit<'a> {
    school: SchoolId,
    actor: i64,
    action: &'a str,
    entity: &'a str,
    key: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    reason: Option<&'a str>,
}

async fn write_audit(
    conn: &mut Conn<'_>,
    a: Audit<'_>,
    client: &Client,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    audit::append(
        conn,
        &AuditEntry {
            chain: a.school.get(),
            at,
            actor: Some(a.actor),
            action: a.action,
            entity: a.entity,
            entity_id: a.key,
            before: a.before,
            after: a.after,
            reason: a.reason.map(str::trim).filter(|r| !r.is_empty()),
            origin: Some(&client.address),
        },
    )
    .await?;
    Ok(())
}

fn mark_json(m: &MarkEntry) -> serde_json::Value {
    serde_json::json!({
        "id": m.id.to_string(), "student_id": m.student.to_string(), "lesson_id": m.lesson.map(|l| l.to_string()),
        "date": m.on.to_string(), "value": m.value, "work_type": m.work_type, "weight": m.weight,
        "comment": m.comment, "debt_until": m.debt_until.map(|d| d.to_string()), "version": m.version,
    })
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

impl App {
    /// The grading policy of a school (its staff, and families reading the diary).
    pub async fn grading_policy(
        &self,
        p: &Principal,
        school: SchoolId,
    ) -> Result<PolicyView, AppError> {
        check(p.may_view_school(school))?;
        let mut c = self.db.acquire().await?;
        self.policy_of(&mut c.conn(), school)
            .await
            .map(|p| (*p).clone())
    }

    /// Saves a new version of the school's grading policy (administrators).
    pub async fn set_grading_policy(
        &self,
        p: &Principal,
        school: SchoolId,
        policy: &GradingPolicy,
        client: &Client,
    ) -> Result<i64, AppError> {
        check(p.may_administer(school))?;
        policy
            .validate()
            .map_err(|e| AppError::invalid(e.field, e.message))?;
        let body = serde_json::to_string(policy).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let current = self.policy_of(c, school).await?;
        let version = current.version + 1;
        let now = self.now();
        repo::insert_policy(c, school, version, &body, (Some(p.user), now)).await?;
        write_audit(
            c,
            Audit {
                school,
                actor: p.user.get(),
                action: "policy.set",
                entity: "policy",
                key: school.to_string(),
                before: serde_json::to_value(&current.policy).ok(),
                after: serde_json::to_value(policy).ok(),
                reason: None,
            },
            client,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// The journals the user keeps this year (a teacher's assignments).
    pub async fn my_journals(&self, p: &Principal) -> Result<Vec<JournalRef>, AppError> {
        let Some(me) = p.person else {
            return Ok(Vec::new());
        };
        let mut c = self.db.acquire().await?;
        let mut out = Vec::new();
        for school in p.schools() {
            if !p.has_role(Role::Teacher, school) {
                continue;
            }
            let Some(year) =
                school_repo::academic_year_on(&mut c.conn(), school, self.today()).await?
            else {
                continue;
            };
            for (group, group_name, subject, subject_name) in
                repo::journals_of_teacher(&mut c.conn(), me, year.id).await?
            {
                out.push(JournalRef {
                    group,
                    group_name,
                    subject,
                    subject_name,
                });
            }
        }
        Ok(out)
    }

    /// The grid of a journal for a period (the current one when `period` is `None`): teachers
    /// of the journal, the class teacher, deputies and administrators.
    pub async fn journal(
        &self,
        p: &Principal,
        group: GroupId,
        subject: SubjectId,
        period: Option<PeriodId>,
    ) -> Result<JournalView, AppError> {
        self.journal_as(p, group, subject, period, false).await
    }

    /// The grid; `substitute` = the viewer teaches a lesson of it without being assigned (a
    /// substitution), which lets them read and write for that lesson's page.
    async fn journal_as(
        &self,
        p: &Principal,
        group: GroupId,
        subject: SubjectId,
        period: Option<PeriodId>,
        substitute: bool,
    ) -> Result<JournalView, AppError> {
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let g = school_repo::get_group(c, group, today)
            .await?
            .ok_or(AppError::NotFound)?;
        let assigned = substitute
            || match p.person {
                Some(me) => {
                    p.has_role(Role::Teacher, g.school)
                        && repo::is_assigned(c, me, group, subject).await?
                }
                None => false,
            };
        let class = g.parent.unwrap_or(g.id);
        let reader = assigned
            || p.is_admin_of(g.school)
            || p.has_role(Role::Deputy, g.school)
            || p.class_teacher_of
                .iter()
                .any(|(s, k)| *s == g.school && *k == class);
        if !reader {
            return Err(
                if p.is_staff_of(g.school) || p.schools().contains(&g.school) {
                    AppError::Forbidden
                } else {
                    AppError::NotFound
                },
            );
        }
        let (current, periods) = period_of(c, &g, today).await?;
        let period = match period {
            Some(id) => periods
                .iter()
                .find(|x| x.id == id)
                .cloned()
                .ok_or_else(|| AppError::invalid("period", "no such period for this class"))?,
            None => current
                .or_else(|| periods.iter().rev().find(|x| x.starts_on <= today).cloned())
                .or_else(|| periods.first().cloned())
                .ok_or_else(|| {
                    AppError::Conflict("the class's year has no reporting periods".into())
                })?,
        };
        let range = (period.starts_on, period.ends_on);
        let lessons = tt::lessons_of_journal(c, group, subject, range.0, range.1).await?;
        // Lessons of a teacher who substitutes (not assigned) are visible to them through the
        // lesson itself; the grid needs the assignment or a reading role.
        let records: HashMap<LessonId, VersionedRecord> =
            repo::records_of_group(c, group, subject, range)
                .await?
                .into_iter()
                .map(|r| (r.lesson, r))
                .collect();
        let subject_name = match lessons.first() {
            Some(l) => l.subject_name.clone(),
            None => school_repo::list_subjects(c, g.school)
                .await?
                .into_iter()
                .find(|s| s.id == subject)
                .map(|s| s.name)
                .ok_or(AppError::NotFound)?,
        };
        let roster = repo::roster(c, group, range).await?;
        let marks = repo::marks_of_group(c, group, subject, range).await?;
        let attendance = repo::attendance_of_group(c, group, subject, range).await?;
        let policy = (*self.policy_of(c, g.school).await?).clone();
        let mut averages: HashMap<PersonId, Average> = HashMap::new();
        for m in &marks {
            if let Ok(mark) = policy.policy.parse_mark(&m.value, subject.get()) {
                averages.entry(m.student).or_default().add(mark, m.weight);
            }
        }
        let mut absences: HashMap<PersonId, u32> = HashMap::new();
        for a in &attendance {
            if Attendance::from_code(&a.code)
                .ok()
                .is_some_and(Attendance::is_absence)
            {
                *absences.entry(a.student).or_default() += 1;
            }
        }
        let students = roster
            .into_iter()
            .map(|entry| {
                let avg = averages.get(&entry.student).copied().unwrap_or_default();
                JournalStudent {
                    average: avg.display(),
                    marks: avg.count,
                    absences: absences.get(&entry.student).copied().unwrap_or(0),
                    entry,
                }
            })
            .collect();
        let lessons = lessons
            .into_iter()
            .map(|l| {
                let record = records.get(&l.id).cloned().unwrap_or(VersionedRecord {
                    lesson: l.id,
                    record: LessonRecord::default(),
                    version: 0,
                });
                JournalLesson { lesson: l, record }
            })
            .collect();
        Ok(JournalView {
            subject,
            subject_name,
            may_write: assigned && period.locked_at.is_none(),
            may_correct: period.locked_at.is_some() && p.is_admin_of(g.school),
            may_close: crate::timetable::may_plan(p, g.school).allowed(),
            period,
            periods,
            policy,
            students,
            lessons,
            marks,
            attendance,
            group: g,
        })
    }

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

    async fn record_mark_in(
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
                tt::get_lesson(c, id.get())
                    .await?
                    .ok_or(AppError::NotFound)?,
                false,
            ),
            MarkTarget::Standalone { group, subject, on } => {
                (self.standalone_lesson(c, group, subject, on).await?, true)
            }
        };
        let w = writer_of(c, p, &lesson, input.reason.as_deref()).await?;
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
                && repo::period_locked(c, period).await?
            {
                return Err(closed());
            }
            let existing = match new.lesson {
                Some(l) => repo::mark_in_cell(c, l, m.student, &m.work.code).await?,
                None => None,
            };
            return Err(stale("the mark", existing.as_ref().map(mark_json)));
        };
        if !m.standalone && !lesson.has_journal_data {
            tt::mark_journal_data(c, lesson.id.get()).await?;
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
    /// that date, for the same permission and period checks.
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
        // Borrow the journal's nearest lesson for its teacher; its date is replaced.
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
        let id = id.get();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let before = repo::get_mark(c, id).await?.ok_or(AppError::NotFound)?;
        let lesson = self.lesson_of_mark(c, &before).await?;
        let w = writer_of(c, p, &lesson, input.reason.as_deref()).await?;
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
        let id = id.get();
        // The checks read outside the write transaction; the delete itself names the version and
        // the period that must still be open.
        let (before, guard) = {
            let mut pc = self.db.acquire().await?;
            let c = &mut pc.conn();
            let before = repo::get_mark(c, id).await?.ok_or(AppError::NotFound)?;
            let lesson = self.lesson_of_mark(c, &before).await?;
            let w = writer_of(c, p, &lesson, reason).await?;
            if before.version != version {
                return Err(stale("the mark", Some(mark_json(&before))));
            }
            (before, w.period.filter(|_| !p.is_admin_of(lesson.school)))
        };
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        if !repo::delete_mark_if_open(c, id, version, guard).await? {
            if let Some(period) = guard
                && repo::period_locked(c, period).await?
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
            Some(l) => tt::get_lesson(c, l.get()).await?.ok_or(AppError::NotFound),
            None => self.standalone_lesson(c, m.group, m.subject, m.on).await,
        }
    }

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

    async fn set_attendance_in(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        input: &SetAttendance,
        client: &Client,
    ) -> Result<Option<AttendanceEntry>, AppError> {
        let (lesson_id, student) = (input.lesson, input.student);
        let lesson = tt::get_lesson(c, lesson_id.get())
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
        let existing = repo::attendance_in_cell(c, lesson.id.get(), student).await?;
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
            if repo::delete_attendance(c, e.id.get(), e.version)
                .await
                .is_err()
            {
                return Err(stale(
                    "the attendance",
                    repo::get_attendance(c, e.id.get())
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
        let minutes_late = match (code, input.minutes_late) {
            (Attendance::Late, Some(m)) if (1..=90).contains(&m) => Some(m),
            (Attendance::Late, Some(_)) => {
                return Err(AppError::invalid("minutes_late", "1–90 minutes"));
            }
            (Attendance::Late, None) => None,
            (_, _) => None,
        };
        let mut errors = FieldErrors::new();
        let reason = text("reason", input.reason.as_deref().unwrap_or(""), &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
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
                repo::update_attendance(c, e.id.get(), e.version, &write)
                    .await
                    .map_err(|err| match err {
                        StoreError::Stale => stale("the attendance", None),
                        err => err.into(),
                    })?;
                e.id.get()
            }
            None => repo::insert_attendance(c, lesson.school, (lesson.id.get(), student), &write)
                .await
                .map_err(|err| match err {
                    StoreError::Duplicate(_) => stale("the attendance", None),
                    err => err.into(),
                })?,
        };
        tt::mark_journal_data(c, lesson.id.get()).await?;
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
        Ok(Some(stored))
    }

    /// The cell (lesson, pupil) of an attendance record, to change it by id; permission is
    /// checked by [`App::set_attendance`].
    pub async fn attendance_cell(
        &self,
        id: tabel_domain::AttendanceId,
    ) -> Result<(LessonId, PersonId), AppError> {
        let id = id.get();
        let mut c = self.db.acquire().await?;
        let a = repo::get_attendance(&mut c.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok((a.lesson, a.student))
    }

    /// Writes a lesson's record: topic, type, held, homework, comment.
    pub async fn record_lesson(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
        input: &RecordInput,
        client: &Client,
    ) -> Result<VersionedRecord, AppError> {
        let lesson = lesson.get();
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
            lesson: LessonId::new(lesson),
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
    /// bad row and nothing is written (the error names the row).
    pub async fn write_column(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
        rows: &[BatchRow],
        client: &Client,
    ) -> Result<usize, AppError> {
        if rows.is_empty() || rows.len() > 200 {
            return Err(AppError::invalid("rows", "1–200 rows"));
        }
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let l = tt::get_lesson(c, lesson.get())
            .await?
            .ok_or(AppError::NotFound)?;
        let policy = self.policy_of(c, l.school).await?;
        for (i, row) in rows.iter().enumerate() {
            let cell = policy.policy.parse_cell(&row.value, l.subject.get());
            let result = match cell {
                Ok(tabel_domain::journal::Cell::Attendance(a)) => self
                    .set_attendance_in(
                        c,
                        p,
                        &SetAttendance::new(lesson, row.student, a.code()),
                        client,
                    )
                    .await
                    .map(|_| ()),
                Ok(tabel_domain::journal::Cell::Mark(_)) => self
                    .record_mark_in(
                        c,
                        p,
                        &RecordMark::on_lesson(row.student, lesson, row.value.clone()),
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

    /// The history of a cell (pupil × lesson): marks and attendance, newest first (whoever may
    /// read the journal).
    pub async fn cell_history(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
        student: PersonId,
    ) -> Result<Vec<CellChange>, AppError> {
        let lesson = lesson.get();
        let l = {
            let mut c = self.db.acquire().await?;
            tt::get_lesson(&mut c.conn(), lesson)
                .await?
                .ok_or(AppError::NotFound)?
        };
        // Reading the journal is the permission to read its history.
        self.journal_reader(p, &l).await?;
        let mut c = self.db.acquire().await?;
        let key = cell_key(lesson, student);
        let mut out = Vec::new();
        for entity in ["mark", "attendance"] {
            for r in audit::history_of(&mut c.conn(), entity, &key, 200).await? {
                out.push(CellChange {
                    at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(r.at_micros) * 1000)
                        .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                    actor: r.actor_user_id,
                    action: r.action,
                    before: r.before_json.and_then(|b| serde_json::from_str(&b).ok()),
                    after: r.after_json.and_then(|a| serde_json::from_str(&a).ok()),
                    reason: r.reason,
                    origin: r.origin,
                });
            }
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.at));
        Ok(out)
    }

    pub(crate) async fn journal_reader(&self, p: &Principal, l: &Lesson) -> Result<(), AppError> {
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let g = school_repo::get_group(c, l.group, l.on)
            .await?
            .ok_or(AppError::NotFound)?;
        let class = g.parent.unwrap_or(g.id);
        let mine = match p.person {
            Some(me) => {
                l.teacher == me
                    || l.original_teacher == Some(me)
                    || repo::is_assigned(c, me, l.group, l.subject).await?
            }
            None => false,
        };
        if mine
            || p.is_admin_of(l.school)
            || p.has_role(Role::Deputy, l.school)
            || p.class_teacher_of
                .iter()
                .any(|(s, k)| *s == l.school && *k == class)
        {
            Ok(())
        } else if p.schools().contains(&l.school) {
            Err(AppError::Forbidden)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Closes (`close = true`) or reopens a reporting period (administrators and deputy heads).
    pub async fn close_period(
        &self,
        p: &Principal,
        period: PeriodId,
        close: bool,
        client: &Client,
    ) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let school = period_school(c, period).await?.ok_or(AppError::NotFound)?;
        check(crate::timetable::may_plan(p, school))?;
        let now = self.now();
        repo::set_period_lock(c, period, close.then_some(now)).await?;
        write_audit(
            c,
            Audit {
                school,
                actor: p.user.get(),
                action: if close {
                    "period.close"
                } else {
                    "period.reopen"
                },
                entity: "period",
                key: period.to_string(),
                before: None,
                after: Some(serde_json::json!({"closed": close})),
                reason: None,
            },
            client,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

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

    /// Writes a recommendation for a pupil (a teacher of the pupil or the class teacher).
    pub async fn add_recommendation(
        &self,
        p: &Principal,
        student: PersonId,
        subject: Option<SubjectId>,
        body: &str,
        client: &Client,
    ) -> Result<i64, AppError> {
        let body = body.trim();
        if body.is_empty() || body.chars().count() > MAX_TEXT {
            return Err(AppError::invalid(
                "body",
                format!("1–{MAX_TEXT} characters"),
            ));
        }
        let Some(me) = p.person else {
            return Err(AppError::Forbidden);
        };
        let today = self.today();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        let groups = school_repo::groups_of_student(c, student, today).await?;
        let mut allowed = false;
        for g in &groups {
            if p.class_teacher_of
                .iter()
                .any(|(s, k)| *s == card.school && *k == g.id)
            {
                allowed = true;
            }
            if let Some(s) = subject
                && repo::is_assigned(c, me, g.id, s).await?
            {
                allowed = true;
            }
        }
        if !allowed {
            return Err(if p.is_staff_of(card.school) {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }
        let now = self.now();
        let rec = repo::Recommendation {
            id: 0,
            school: card.school,
            student,
            subject,
            teacher: me,
            body: body.to_owned(),
            version: 1,
            created_at: now,
        };
        let id = repo::insert_recommendation(c, &rec, Some(p.user)).await?;
        let after = serde_json::json!({"id": id.to_string(), "student_id": student.to_string(),
            "subject_id": subject.map(|s| s.to_string()), "body": body});
        write_audit(
            c,
            Audit {
                school: card.school,
                actor: p.user.get(),
                action: "recommendation.add",
                entity: "recommendation",
                key: id.to_string(),
                before: None,
                after: Some(after.clone()),
                reason: None,
            },
            client,
            now,
        )
        .await?;
        outbox::emit(c, Some(card.school), "recommendation.added", &after, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A pupil's recommendations (whoever may see the pupil: families with consent too).
    pub async fn recommendations(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<Vec<repo::Recommendation>, AppError> {
        self.student(p, student, self.today()).await?;
        let mut c = self.db.acquire().await?;
        Ok(repo::recommendations_of_student(&mut c.conn(), student).await?)
    }
}

impl App {
    /// The journals of a class for its page: all of them for whoever reads the class's
    /// journals (administrators, deputy heads, the class teacher), a teacher's own otherwise.
    pub async fn class_journals(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<Vec<repo::ClassJournal>, AppError> {
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let g = school_repo::get_group(c, class, self.today())
            .await?
            .ok_or(AppError::NotFound)?;
        let all = repo::journals_of_class(c, class).await?;
        let reads_all = p.is_admin_of(g.school)
            || p.has_role(Role::Deputy, g.school)
            || p.class_teacher_of
                .iter()
                .any(|(s, k)| *s == g.school && *k == class);
        if reads_all {
            return Ok(all);
        }
        let mine = |j: &repo::ClassJournal| {
            p.has_role(Role::Teacher, g.school) && p.person == Some(j.teacher)
        };
        Ok(all.into_iter().filter(mine).collect())
    }
}

async fn period_school(c: &mut Conn<'_>, period: PeriodId) -> Result<Option<SchoolId>, AppError> {
    Ok(school_repo::period_school(c, period).await?)
}

/// One lesson of a journal: the lesson and the grid of the period it falls in.
#[derive(Debug, Clone, Serialize)]
pub struct LessonSheet {
    /// The lesson.
    pub lesson: Lesson,
    /// The grid of its period (the lesson is one of its columns).
    pub journal: JournalView,
    /// The viewer reaches this lesson only as its teacher (a substitute): the lesson is
    /// theirs to write, the rest of the journal is not theirs to open.
    pub substitute: bool,
}

impl App {
    /// The journal of one lesson, for the lesson page: whoever may read the journal.
    pub async fn lesson_sheet(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
    ) -> Result<LessonSheet, AppError> {
        let lesson = lesson.get();
        let (l, period) = {
            let mut c = self.db.acquire().await?;
            let c = &mut c.conn();
            let l = tt::get_lesson(c, lesson).await?.ok_or(AppError::NotFound)?;
            let period = repo::period_on(c, l.year, l.grade, l.on)
                .await?
                .map(|(id, _)| id);
            (l, period)
        };
        // The teacher on the lesson (a substitute) or the one it was taken from writes it even
        // without being assigned to the journal; everyone else reads as the journal allows.
        let teaches = p.has_role(Role::Teacher, l.school)
            && p.person
                .is_some_and(|me| l.teacher == me || l.original_teacher == Some(me));
        let (journal, substitute) = match self.journal(p, l.group, l.subject, period).await {
            Err(AppError::Forbidden) if teaches => (
                self.journal_as(p, l.group, l.subject, period, true).await?,
                true,
            ),
            // A reader of the journal (its class teacher, say) substituting on this lesson.
            Ok(j) if teaches && !j.may_write && j.period.locked_at.is_none() => (
                JournalView {
                    may_write: true,
                    may_correct: false,
                    ..j
                },
                false,
            ),
            other => (other?, false),
        };
        Ok(LessonSheet {
            lesson: l,
            journal,
            substitute,
        })
    }
}

impl App {
    /// The school's grading policy for editing (administrators only).
    pub async fn grading_policy_to_edit(
        &self,
        p: &Principal,
        school: SchoolId,
    ) -> Result<PolicyView, AppError> {
        check(p.may_administer(school))?;
        self.grading_policy(p, school).await
    }
}
