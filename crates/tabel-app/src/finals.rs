//! Final marks (regulation points 3–6): the proposal from the journal under the school's policy,
//! the teacher's confirmation or another value with a reason, the lock of a closed period
//! (administrators correct it with a reason), publication to the family at once (the diary reads
//! the stored marks; an outbox event per mark), the forecast of the current period and the
//! summary sheet of a class. (A pupil's record across the years is [`crate::record`].)

use crate::journal::{JournalView, period_of};
use crate::{App, AppError, Client, check};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tabel_domain::access::{Principal, StudentFacts};
use tabel_domain::finals::{self as rules, FinalValue, Forecast, PeriodFacts, Proposal};
use tabel_domain::journal::{Attendance, Average, GradingPolicy, Mark, Scale};
use tabel_domain::school::{GroupKind, Role};
use tabel_domain::timetable::LessonStatus;
use tabel_domain::{AcademicYearId, GroupId, LessonId, PeriodId, PersonId, SchoolId, SubjectId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::debts::{self as debts_repo, Deferral};
use tabel_store::finals::{self as repo, FinalRecord, NewFinal, Slot};
use tabel_store::journal::{self as journal_repo, RosterEntry};
use tabel_store::school::{self as school_repo, Group, Period};
use tabel_store::{Conn, outbox};
use time::Date;

/// Minutes of a lesson, for "late by more than half of it counts as missed".
const LESSON_MINUTES: u16 = 45;

/// A pupil's row of a journal's final marks.
#[derive(Debug, Clone, Serialize)]
pub struct FinalRow {
    /// The pupil with membership dates.
    pub entry: RosterEntry,
    /// The weighted average of the period ("4.43" or "—"); for the year, the periods' marks.
    pub average: String,
    /// Marks counted.
    pub marks: u32,
    /// Lessons held while the pupil was in the group.
    pub lessons_held: u32,
    /// Of them, missed.
    pub lessons_missed: u32,
    /// What the journal proposes.
    pub proposal: Option<Proposal>,
    /// The final mark set, if any.
    pub current: Option<FinalRecord>,
    /// An open deferral of the cell: the teacher sets the mark even after the period closed.
    pub deferral: Option<Deferral>,
}

/// A journal's final marks for a slot.
#[derive(Debug, Clone, Serialize)]
pub struct FinalsSheet {
    /// The journal (group, subject, the period, the policy, the roster).
    pub journal: JournalView,
    /// The slot.
    pub slot: Slot,
    /// The subject's scale.
    pub scale: Scale,
    /// A row per pupil.
    pub rows: Vec<FinalRow>,
    /// The viewer may set them (the journal's teacher in an open period).
    pub may_set: bool,
    /// The viewer may correct them with a reason (an administrator; the period is closed).
    pub may_correct: bool,
    /// The viewer keeps this journal (set them while the period is open).
    pub teaches: bool,
    /// The slot is locked: its period is closed (for the year: the year's last period).
    pub closed: bool,
}

impl FinalsSheet {
    /// Whether a row's mark is a correction: the viewer may not set marks here now, and the row
    /// is not a deferred cell of the viewer's journal.
    pub fn is_correction(&self, row: &FinalRow) -> bool {
        !(self.may_set || row.deferral.is_some() && self.teaches)
    }

    /// Whether the viewer may write the row at all (set, set a deferred cell, or correct).
    pub fn may_write_row(&self, row: &FinalRow) -> bool {
        !self.is_correction(row) || self.may_correct
    }

    /// Whether the viewer plans the school's work (administrators, deputy heads): opens
    /// deferrals and the timetable desk. First grades get no final marks, so nothing to plan.
    pub fn may_plan(&self) -> bool {
        self.journal.may_close && self.journal.group.grade > 1
    }

    /// Refuses (403) a viewer who does not plan the school's work.
    pub fn require_planner(&self) -> Result<(), AppError> {
        if self.journal.may_close {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Whether the viewer may defer a row's mark: they plan, and the row has neither a mark nor
    /// a deferral yet.
    pub fn may_defer(&self, row: &FinalRow) -> bool {
        self.may_plan() && row.current.is_none() && row.deferral.is_none()
    }
}

/// One pupil's final mark to set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetFinal {
    /// The pupil.
    pub student: PersonId,
    /// "5", "н/а", "осв.", "зач.", "незач." (parsed on the subject's scale).
    pub value: String,
    /// Required when the value differs from the proposal, or in a closed period.
    pub reason: String,
    /// The version read (0 when none was set).
    pub version: i64,
}

/// A subject's line of the forecast.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectForecast {
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// The weighted average so far ("4.43" or "—").
    pub average: String,
    /// Marks so far.
    pub marks: u32,
    /// The forecast.
    pub forecast: Forecast,
}

/// A pupil's forecast for the current period.
#[derive(Debug, Clone, Serialize)]
pub struct StudentForecast {
    /// The period.
    pub period: Option<Period>,
    /// One line per subject with lessons in the period.
    pub subjects: Vec<SubjectForecast>,
}

/// The summary sheet (сводная ведомость) of a class for a year: final marks only.
#[derive(Debug, Clone, Serialize)]
pub struct SummarySheet {
    /// The class.
    pub class: Group,
    /// The year's periods of the class's grade.
    pub periods: Vec<Period>,
    /// Subjects, in the school's order.
    pub subjects: Vec<(SubjectId, String)>,
    /// Pupils of the class in the year (those who left included), with membership dates.
    pub students: Vec<RosterEntry>,
    /// Cells: (pupil, subject, slot code) → value as shown ("5", "н/а").
    pub cells: HashMap<(PersonId, SubjectId, String), String>,
}

fn value_of(code: &str) -> String {
    FinalValue::from_code(code).map_or_else(|| code.to_owned(), |v| v.to_string())
}

/// The facts of a pupil in a journal's period, from the grid's data.
fn facts_of(v: &JournalView, entry: &RosterEntry, until: Date) -> PeriodFacts {
    let policy = &v.policy.policy;
    let subject = v.subject.get();
    let mut f = PeriodFacts::default();
    for m in v.marks.iter().filter(|m| m.student == entry.student) {
        match policy.parse_mark(&m.value, subject) {
            Ok(Mark::Pass) => f.passes += 1,
            Ok(Mark::Fail) => f.fails += 1,
            Ok(mark) => {
                f.has_two |= mark.has_two();
                f.average.add(mark, m.weight);
            }
            Err(_) => {}
        }
    }
    let member = |on: Date| entry.was_in(on);
    let held: Vec<LessonId> = v
        .lessons
        .iter()
        .filter(|l| {
            l.lesson.status != LessonStatus::Cancelled
                && l.lesson.on <= until
                && member(l.lesson.on)
        })
        .map(|l| l.lesson.id)
        .collect();
    f.lessons_held = u32::try_from(held.len()).unwrap_or(u32::MAX);
    f.lessons_missed = u32::try_from(
        v.attendance
            .iter()
            .filter(|a| a.student == entry.student && held.contains(&a.lesson))
            .filter(|a| {
                Attendance::from_code(&a.code)
                    .ok()
                    .is_some_and(|c| c.missed_lesson(a.minutes_late.unwrap_or(0), LESSON_MINUTES))
            })
            .count(),
    )
    .unwrap_or(u32::MAX);
    f
}

fn scale_of(policy: &GradingPolicy, subject: SubjectId) -> Scale {
    policy.scale_of(subject.get())
}

impl App {
    /// A journal's final marks for a period (or the year): each pupil's facts, the proposal and
    /// the mark set. Whoever may read the journal.
    pub async fn finals_sheet(
        &self,
        p: &Principal,
        group: GroupId,
        subject: SubjectId,
        slot: Option<Slot>,
    ) -> Result<FinalsSheet, AppError> {
        let period = slot.and_then(Slot::period);
        let v = self.journal(p, group, subject, period).await?;
        let slot = match slot {
            Some(Slot::Year) => Slot::Year,
            _ => Slot::Period(v.period.id),
        };
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let year = v.group.year;
        let current: HashMap<PersonId, FinalRecord> = repo::of_subject(c, year, subject, slot)
            .await?
            .into_iter()
            .map(|f| (f.student, f))
            .collect();
        let deferred: HashMap<PersonId, Deferral> =
            debts_repo::open_deferrals_of_subject(c, year, subject, slot)
                .await?
                .into_iter()
                .map(|d| (d.student, d))
                .collect();
        let policy = v.policy.policy.clone();
        let scale = scale_of(&policy, subject);
        let today = self.today();
        let rows = match slot {
            Slot::Year => {
                // The year's proposal from the periods' finals of the subject.
                let mut by_student: HashMap<PersonId, Vec<FinalValue>> = HashMap::new();
                for period in &v.periods {
                    for f in repo::of_subject(c, year, subject, Slot::Period(period.id)).await? {
                        if let Some(value) = FinalValue::from_code(&f.value) {
                            by_student.entry(f.student).or_default().push(value);
                        }
                    }
                }
                v.students
                    .iter()
                    .map(|s| {
                        let periods = by_student
                            .get(&s.entry.student)
                            .cloned()
                            .unwrap_or_default();
                        let mut avg = Average::default();
                        for value in &periods {
                            if let FinalValue::Points(p) = value {
                                avg.add(Mark::Points(*p), 1);
                            }
                        }
                        FinalRow {
                            average: avg.display(),
                            marks: avg.count,
                            lessons_held: 0,
                            lessons_missed: 0,
                            proposal: rules::propose_year(&policy, scale, &periods),
                            current: current.get(&s.entry.student).cloned(),
                            deferral: deferred.get(&s.entry.student).cloned(),
                            entry: s.entry.clone(),
                        }
                    })
                    .collect()
            }
            _ => {
                let until = today.min(v.period.ends_on);
                v.students
                    .iter()
                    .map(|s| {
                        let f = facts_of(&v, &s.entry, until);
                        FinalRow {
                            average: f.average.display(),
                            marks: f.average.count + f.passes + f.fails,
                            lessons_held: f.lessons_held,
                            lessons_missed: f.lessons_missed,
                            // Grade 1: no marks, no final marks.
                            proposal: (v.group.grade > 1)
                                .then(|| rules::propose(&policy, scale, &f))
                                .flatten(),
                            current: current.get(&s.entry.student).cloned(),
                            deferral: deferred.get(&s.entry.student).cloned(),
                            entry: s.entry.clone(),
                        }
                    })
                    .collect()
            }
        };
        let closed = match slot {
            Slot::Year => v.periods.last().is_some_and(|x| x.locked_at.is_some()),
            _ => v.period.locked_at.is_some(),
        };
        let may_correct = p.is_admin_of(v.group.school);
        let teaches = v.may_write
            || match p.person {
                Some(me) => {
                    p.has_role(Role::Teacher, v.group.school)
                        && journal_repo::is_assigned(c, me, group, subject).await?
                }
                None => false,
            };
        Ok(FinalsSheet {
            closed,
            teaches,
            may_set: teaches && !closed,
            may_correct,
            slot,
            scale,
            rows,
            journal: v,
        })
    }

    /// Sets final marks of a journal, all or nothing: each value on the subject's scale (or a
    /// code), a reason where it differs from the proposal, the version read; in a closed period
    /// only an administrator, with a reason for each. Every mark is audited, visible to the
    /// family at once and announced in the outbox (`final.published`).
    pub async fn set_finals(
        &self,
        p: &Principal,
        (group, subject, slot): (GroupId, SubjectId, Option<Slot>),
        rows: &[SetFinal],
        client: &Client,
    ) -> Result<Vec<FinalRecord>, AppError> {
        if rows.is_empty() {
            return Err(AppError::invalid("rows", "no final marks to set"));
        }
        let sheet = self.finals_sheet(p, group, subject, slot).await?;
        if sheet.journal.group.grade == 1 {
            return Err(AppError::invalid(
                "rows",
                "grade 1 has no marks and no final marks (first-grade rules)",
            ));
        }
        let closed = sheet.closed;
        let policy = &sheet.journal.policy.policy;
        // One row a pupil at most: a pupil named twice would be written, audited and announced
        // twice in one request.
        if rows.len() > sheet.rows.len() {
            return Err(AppError::invalid(
                "rows",
                format!("the journal has {} pupils", sheet.rows.len()),
            ));
        }
        let mut errors = BTreeMap::new();
        let mut writes = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, r) in rows.iter().enumerate() {
            let row = sheet.rows.iter().find(|x| x.entry.student == r.student);
            let Some(row) = row else {
                errors.insert(
                    format!("rows[{i}].student_id"),
                    "not a pupil of this journal".to_owned(),
                );
                continue;
            };
            if !seen.insert(row.entry.student) {
                errors.insert(
                    format!("rows[{i}].student_id"),
                    "this pupil has a row already".to_owned(),
                );
                continue;
            }
            let value = match FinalValue::parse(&r.value, sheet.scale, policy.allow_one) {
                Ok(v) => v,
                Err(e) => {
                    errors.insert(format!("rows[{i}].value"), e.to_string());
                    continue;
                }
            };
            let reason = r.reason.trim();
            if reason.chars().count() > crate::MAX_REASON_CHARS {
                errors.insert(
                    format!("rows[{i}].reason"),
                    format!("at most {} characters", crate::MAX_REASON_CHARS),
                );
                continue;
            }
            let correction = sheet.is_correction(row);
            if correction && !sheet.may_correct {
                return Err(if closed && sheet.teaches {
                    AppError::Conflict(
                        "the period is closed; an administrator can correct it with a reason"
                            .into(),
                    )
                } else {
                    AppError::Forbidden
                });
            }
            let proposed = row.proposal.map(|x| x.value);
            if proposed != Some(value) && reason.is_empty() {
                errors.insert(
                    format!("rows[{i}].reason"),
                    match proposed {
                        Some(x) => format!("the journal proposes {x}: say why {value} instead"),
                        None => format!("the journal proposes nothing: say why {value}"),
                    },
                );
                continue;
            }
            if correction && reason.is_empty() {
                errors.insert(
                    format!("rows[{i}].reason"),
                    "an administrator corrects a closed period with a reason".into(),
                );
                continue;
            }
            writes.push((row, value, reason, r.version, correction));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let v = &sheet.journal;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let mut out = Vec::new();
        let today = self.today();
        for (i, (row, value, reason, version, correction)) in writes.into_iter().enumerate() {
            let code = value.code();
            let proposal = row.proposal.map(|x| x.value.code());
            let basis = row.proposal.map(|x| x.basis.code().to_owned());
            let new = NewFinal {
                school: v.group.school,
                year: v.group.year,
                student: row.entry.student,
                subject,
                group: Some(group),
                slot: sheet.slot,
                value: &code,
                proposal: proposal.as_deref(),
                proposal_basis: basis.as_deref(),
                reason,
                set_by: Some(p.user),
                at: now,
            };
            let Some(stored) = repo::write(c, &new, version).await? else {
                let current =
                    repo::of_cell(c, row.entry.student, subject, v.group.year, sheet.slot).await?;
                return Err(AppError::Stale {
                    detail: format!(
                        "row {i}: the final mark was changed by someone else; here is the current value"
                    ),
                    current: current.map(|f| final_json(&f)),
                });
            };
            let after = final_json(&stored);
            audit::append(
                c,
                &AuditEntry {
                    chain: v.group.school.get(),
                    at: now,
                    actor: Some(p.user.get()),
                    action: if correction {
                        "final.correct"
                    } else {
                        "final.set"
                    },
                    entity: "final",
                    entity_id: format!("{}:{}:{}", stored.student, subject, sheet.slot.code()),
                    before: row.current.as_ref().map(final_json),
                    after: Some(after.clone()),
                    reason: Some(reason).filter(|r| !r.is_empty()),
                    origin: Some(&client.address),
                },
            )
            .await?;
            outbox::emit(c, Some(v.group.school), "final.published", &after, now).await?;
            crate::debts::resolve_deferral(c, &stored, (now, p, client)).await?;
            crate::debts::sync_debt(
                c,
                &stored,
                sheet.scale,
                (today, now, Some(p.user.get()), client),
            )
            .await?;
            out.push(stored);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// A pupil's published final marks of the current year (the diary) — whoever may see the
    /// pupil (a parent only with consent).
    pub async fn student_finals(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<Vec<FinalRecord>, AppError> {
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        gate(c, p, student).await?;
        Ok(repo::of_student(c, student).await?)
    }

    /// The forecast of a pupil's final marks for the current period, per subject: the proposal
    /// the marks so far give, how sure it is, risks, and what it takes. Whoever may see the
    /// pupil.
    pub async fn student_forecast(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<StudentForecast, AppError> {
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let school = gate(c, p, student).await?;
        let class = school_repo::groups_of_student(c, student, today)
            .await?
            .into_iter()
            .find(|g| g.kind == GroupKind::Class);
        let Some(class) = class else {
            return Ok(StudentForecast {
                period: None,
                subjects: Vec::new(),
            });
        };
        let (current, _) = period_of(c, &class, today).await?;
        let Some(period) = current else {
            return Ok(StudentForecast {
                period: None,
                subjects: Vec::new(),
            });
        };
        let range = (period.starts_on, period.ends_on);
        let policy = self.policy_of(c, school).await?;
        let policy = &policy.policy;
        let lessons = tabel_store::diary::lessons_of_student(c, student, range).await?;
        let marks = journal_repo::marks_of_student(c, student, range).await?;
        let attendance = tabel_store::diary::attendance_of_student(c, student, range).await?;
        let names: HashMap<SubjectId, String> = school_repo::list_subjects(c, school)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let mut by_subject: BTreeMap<SubjectId, (PeriodFacts, u32)> = BTreeMap::new();
        let mut held: HashMap<LessonId, SubjectId> = HashMap::new();
        for l in &lessons {
            let e = by_subject.entry(l.lesson.subject).or_default();
            if l.lesson.status == LessonStatus::Cancelled {
                continue;
            }
            if l.lesson.on <= today {
                e.0.lessons_held += 1;
                held.insert(l.lesson.id, l.lesson.subject);
            } else {
                e.1 += 1;
            }
        }
        for m in &marks {
            let e = by_subject.entry(m.subject).or_default();
            match policy.parse_mark(&m.value, m.subject.get()) {
                Ok(Mark::Pass) => e.0.passes += 1,
                Ok(Mark::Fail) => e.0.fails += 1,
                Ok(mark) => {
                    e.0.has_two |= mark.has_two();
                    e.0.average.add(mark, m.weight);
                }
                Err(_) => {}
            }
        }
        for a in &attendance {
            let Some(subject) = held.get(&a.attendance.lesson) else {
                continue;
            };
            let missed = Attendance::from_code(&a.attendance.code)
                .ok()
                .is_some_and(|c| {
                    c.missed_lesson(a.attendance.minutes_late.unwrap_or(0), LESSON_MINUTES)
                });
            if missed && let Some(e) = by_subject.get_mut(subject) {
                e.0.lessons_missed += 1;
            }
        }
        let mut subjects: Vec<SubjectForecast> = by_subject
            .into_iter()
            .map(|(subject, (facts, left))| SubjectForecast {
                subject,
                subject_name: names.get(&subject).cloned().unwrap_or_default(),
                average: facts.average.display(),
                marks: facts.average.count + facts.passes + facts.fails,
                forecast: rules::forecast(policy, scale_of(policy, subject), &facts, left),
            })
            .collect();
        subjects.sort_by(|a, b| a.subject_name.cmp(&b.subject_name));
        Ok(StudentForecast {
            period: Some(period),
            subjects,
        })
    }

    /// The summary sheet of a class for its year, from final marks only (administrators,
    /// deputy heads, the class teacher).
    pub async fn summary_sheet(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<SummarySheet, AppError> {
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let g = school_repo::get_group(c, class, today)
            .await?
            .ok_or(AppError::NotFound)?;
        if g.kind != GroupKind::Class {
            return Err(AppError::NotFound);
        }
        let reads = p.is_admin_of(g.school)
            || p.has_role(Role::Deputy, g.school)
            || p.class_teacher_of.contains(&(g.school, g.id));
        if !reads {
            return Err(if p.is_staff_of(g.school) {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }
        let (_, first, last) = repo::year(c, g.year).await?.ok_or(AppError::NotFound)?;
        let (_, periods) = period_of(c, &g, today).await?;
        let students = journal_repo::roster(c, class, (first, last)).await?;
        let finals = repo::of_class(c, class, g.year).await?;
        // The school's subjects come in its order.
        let mut order: HashMap<SubjectId, (i64, String)> = school_repo::list_subjects(c, g.school)
            .await?
            .into_iter()
            .enumerate()
            .map(|(i, s)| (s.id, (i64::try_from(i).unwrap_or(i64::MAX), s.name)))
            .collect();
        let mut cells = HashMap::new();
        let mut present: Vec<SubjectId> = Vec::new();
        for f in finals {
            if !present.contains(&f.subject) {
                present.push(f.subject);
            }
            cells.insert((f.student, f.subject, f.slot.code()), value_of(&f.value));
        }
        // Subjects of the class's journals too, so an empty column says "not set yet".
        for j in journal_repo::journals_of_class(c, class).await? {
            if !present.contains(&j.subject) {
                present.push(j.subject);
            }
        }
        let mut subjects: Vec<(i64, SubjectId, String)> = present
            .into_iter()
            .map(|s| {
                let (order, name) = order.remove(&s).unwrap_or((i64::MAX, String::new()));
                (order, s, name)
            })
            .collect();
        subjects.sort();
        Ok(SummarySheet {
            class: g,
            periods,
            subjects: subjects.into_iter().map(|(_, s, n)| (s, n)).collect(),
            students,
            cells,
        })
    }
}

/// The gate of a pupil's data: the pupil's school when the viewer may see the pupil.
pub(crate) async fn gate(
    c: &mut Conn<'_>,
    p: &Principal,
    student: PersonId,
) -> Result<SchoolId, AppError> {
    let card = school_repo::get_student(c, student)
        .await?
        .ok_or(AppError::NotFound)?;
    check(p.may_view_student(&StudentFacts {
        student,
        school: card.school,
    }))?;
    Ok(card.school)
}

pub(crate) fn final_json(f: &FinalRecord) -> serde_json::Value {
    serde_json::json!({
        "id": f.id.to_string(), "student_id": f.student.to_string(), "subject_id": f.subject.to_string(),
        "slot": f.slot.code(), "period_id": f.slot.period().map(|p: PeriodId| p.to_string()),
        "value": f.value, "proposal": f.proposal, "reason": f.reason, "version": f.version,
    })
}

/// A pupil × subject proposal of a school-wide run.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalLine {
    /// The class.
    pub class: String,
    /// The pupil.
    pub student: PersonId,
    /// "Петров Иван".
    pub name: String,
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// The weighted average ("4.43", "—").
    pub average: String,
    /// Lessons held while the pupil was in the group.
    pub lessons_held: u32,
    /// Of them, missed.
    pub lessons_missed: u32,
    /// The proposal, if any.
    pub proposal: Option<Proposal>,
}

impl App {
    /// The journal's proposals for a reporting period across the school (or one class): every
    /// pupil × subject with lessons or marks in the period, from a handful of aggregate reads —
    /// the period's marks of the school added up, the lessons held, the absences and the
    /// classes' members — and no per-pupil query. The plain marks are added up on one pooled
    /// connection while the rest is read on another (the two take about as long each). Administrators
    /// and deputy heads (a class teacher for their class).
    pub async fn school_proposals(
        &self,
        p: &Principal,
        school: SchoolId,
        period: PeriodId,
        only: Option<GroupId>,
    ) -> Result<Vec<ProposalLine>, AppError> {
        let today = self.today();
        let mut first = self.db.acquire().await?;
        let c = &mut first.conn();
        let all = p.is_admin_of(school) || p.has_role(Role::Deputy, school);
        let mine = only.is_some_and(|k| p.class_teacher_of.contains(&(school, k)));
        if !all && !mine {
            return Err(if p.is_staff_of(school) {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }
        let year = school_repo::academic_year_on(c, school, today)
            .await?
            .ok_or(AppError::NotFound)?;
        let policy = self.policy_of(c, school).await?;
        let frame = ProposalFrame::read(c, (school, year.id), period, today).await?;
        let mut second = self.db.acquire().await?;
        let d = &mut second.conn();
        let (sums, reads) = tokio::join!(frame.mark_sums(c), Reads::read(d, &frame));
        Ok(frame.assemble(&policy.policy, only, sums?, reads?))
    }
}

/// The proposals of a school's period (see [`App::school_proposals`]) on one connection, for
/// callers inside a transaction (the demo generator).
pub async fn proposals_in(
    c: &mut Conn<'_>,
    policy: &GradingPolicy,
    (school, year): (SchoolId, AcademicYearId),
    period: PeriodId,
    only: Option<GroupId>,
    today: Date,
) -> Result<Vec<ProposalLine>, AppError> {
    let frame = ProposalFrame::read(c, (school, year), period, today).await?;
    let sums = frame.mark_sums(c).await?;
    let reads = Reads::read(c, &frame).await?;
    Ok(frame.assemble(policy, only, sums, reads))
}

/// What a school-wide proposal run is about: the school, its year, the period, the grades
/// that report by the period's kind and the subjects' names.
struct ProposalFrame {
    school: SchoolId,
    year: AcademicYearId,
    period: Period,
    /// The last day counted: today within the period, else its end.
    until: Date,
    grades: Vec<u8>,
    names: HashMap<SubjectId, String>,
}

/// The rest of what the proposals read besides the plain marks' sums (which take about as
/// long as all of this): the period's other marks one by one, the lessons held, the absences,
/// the year's memberships and the classes.
struct Reads {
    others: Vec<repo::OtherMark>,
    members: Vec<repo::Member>,
    lessons: Vec<repo::GroupLessons>,
    part_members: Vec<repo::PupilLessons>,
    absences: Vec<repo::AbsenceCount>,
    classes: Vec<Group>,
    rosters: Vec<repo::ClassMember>,
}

impl ProposalFrame {
    async fn read(
        c: &mut Conn<'_>,
        (school, year): (SchoolId, AcademicYearId),
        period: PeriodId,
        today: Date,
    ) -> Result<Self, AppError> {
        let period = school_repo::list_periods(c, year)
            .await?
            .into_iter()
            .find(|x| x.id == period)
            .ok_or_else(|| AppError::invalid("period", "no such period in this school's year"))?;
        let grades = school_repo::list_parallels(c, year)
            .await?
            .into_iter()
            .filter(|x| x.period_kind == period.kind)
            .map(|x| x.grade)
            .collect();
        let names = school_repo::list_subjects(c, school)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        Ok(Self {
            school,
            year,
            until: today.min(period.ends_on),
            period,
            grades,
            names,
        })
    }

    /// The whole period: the marks' range.
    fn whole(&self) -> (Date, Date) {
        (self.period.starts_on, self.period.ends_on)
    }

    /// The period up to `until`: the range of lessons held and of memberships.
    fn to_date(&self) -> (Date, Date) {
        (self.period.starts_on, self.until)
    }

    /// The period's plain point marks of the school, added up per pupil × subject.
    async fn mark_sums(&self, c: &mut Conn<'_>) -> Result<Vec<repo::MarkSums>, AppError> {
        Ok(repo::mark_sums_of_school(c, self.school, self.whole()).await?)
    }

    /// The proposals from what was read, in memory.
    fn assemble(
        &self,
        policy: &GradingPolicy,
        only: Option<GroupId>,
        sums: Vec<repo::MarkSums>,
        reads: Reads,
    ) -> Vec<ProposalLine> {
        let mut facts: BTreeMap<(i64, i64), PeriodFacts> = BTreeMap::new();
        // Plain point marks arrive added up; a scale that does not take points (зачёт)
        // ignores them, as reading them one by one would.
        for m in sums {
            if scale_of(policy, SubjectId::new(m.subject_id)) == Scale::PassFail {
                continue;
            }
            let f = facts.entry((m.student_id, m.subject_id)).or_default();
            f.has_two |= m.lowest <= 2;
            f.average.sum += u64::try_from(m.sum).unwrap_or(0);
            f.average.weights += u64::try_from(m.weights).unwrap_or(0);
            f.average.count += u32::try_from(m.count).unwrap_or(0);
        }
        for m in reads.others {
            let f = facts.entry((m.student_id, m.subject_id)).or_default();
            match policy.parse_mark(&m.value, m.subject_id) {
                Ok(Mark::Pass) => f.passes += 1,
                Ok(Mark::Fail) => f.fails += 1,
                Ok(mark) => {
                    f.has_two |= mark.has_two();
                    f.average.add(mark, u8::try_from(m.weight).unwrap_or(1));
                }
                Err(_) => {}
            }
        }
        // Lessons held per pupil × subject: a group's count for each pupil there throughout,
        // the database's count within the dates for one who came or left in the middle.
        let mut held: HashMap<i64, Vec<(i64, u32)>> = HashMap::new();
        for l in reads.lessons {
            let count = u32::try_from(l.count).unwrap_or(0);
            held.entry(l.group_id)
                .or_default()
                .push((l.subject_id, count));
        }
        for m in reads.members {
            for &(subject, count) in held.get(&m.group_id).map(Vec::as_slice).unwrap_or_default() {
                facts
                    .entry((m.student_id, subject))
                    .or_default()
                    .lessons_held += count;
            }
        }
        for m in reads.part_members {
            facts
                .entry((m.student_id, m.subject_id))
                .or_default()
                .lessons_held += u32::try_from(m.count).unwrap_or(0);
        }
        for a in reads.absences {
            let missed = Attendance::from_code(&a.code).ok().is_some_and(|code| {
                code.missed_lesson(
                    u16::try_from(a.minutes_late.unwrap_or(0)).unwrap_or(u16::MAX),
                    LESSON_MINUTES,
                )
            });
            if missed && let Some(f) = facts.get_mut(&(a.student_id, a.subject_id)) {
                f.lessons_missed += u32::try_from(a.count).unwrap_or(0);
            }
        }
        let mut rosters: HashMap<i64, Vec<repo::ClassMember>> = HashMap::new();
        for m in reads.rosters {
            rosters.entry(m.group_id).or_default().push(m);
        }
        let mut out = Vec::new();
        // Grade 1 has no marks and so no final marks (first-grade rules).
        for class in reads.classes.into_iter().filter(|g| {
            g.grade > 1 && self.grades.contains(&g.grade) && only.is_none_or(|k| k == g.id)
        }) {
            let roster = rosters
                .get(&class.id.get())
                .map(Vec::as_slice)
                .unwrap_or_default();
            let of = |s: &repo::ClassMember| {
                facts.range((s.student_id, i64::MIN)..=(s.student_id, i64::MAX))
            };
            // A subject nobody of the class has a mark in is not graded there (a course
            // without marks): no proposals for it.
            let graded: std::collections::HashSet<i64> = roster
                .iter()
                .flat_map(|s| of(s).filter(|(_, f)| f.average.count + f.passes + f.fails > 0))
                .map(|(&(_, subject), _)| subject)
                .collect();
            for s in roster {
                for (&(_, subject), f) in of(s).filter(|(k, _)| graded.contains(&k.1)) {
                    let subject = SubjectId::new(subject);
                    out.push(ProposalLine {
                        class: class.name.clone(),
                        student: PersonId::new(s.student_id),
                        name: format!("{} {}", s.last_name, s.first_name),
                        subject_name: self.names.get(&subject).cloned().unwrap_or_default(),
                        average: f.average.display(),
                        lessons_held: f.lessons_held,
                        lessons_missed: f.lessons_missed,
                        proposal: rules::propose(policy, scale_of(policy, subject), f),
                        subject,
                    });
                }
            }
        }
        out
    }
}

impl Reads {
    async fn read(c: &mut Conn<'_>, frame: &ProposalFrame) -> Result<Self, AppError> {
        let range = frame.to_date();
        Ok(Self {
            others: repo::other_marks_of_school(c, frame.school, frame.whole()).await?,
            members: repo::members_throughout(c, frame.year, range).await?,
            lessons: repo::lessons_held(c, frame.year, range).await?,
            part_members: repo::lessons_of_part_members(c, frame.year, range).await?,
            absences: repo::absences_of_year(c, frame.year, range).await?,
            classes: school_repo::list_groups(c, frame.year, frame.until, Some(GroupKind::Class))
                .await?,
            rosters: repo::class_members(c, frame.year, range).await?,
        })
    }
}

/// A pupil of a class at risk in a subject.
#[derive(Debug, Clone, Serialize)]
pub struct AtRisk {
    /// The pupil.
    pub student: PersonId,
    /// "Петров Иван".
    pub name: String,
    /// The subject's forecast, with at least one risk.
    pub subject: SubjectForecast,
    /// The school's name of the work type "what it takes" names.
    pub work: String,
}

impl App {
    /// The pupils of a class at risk in the current period — too few marks, many absences, a
    /// projected 2 or н/а — with what it takes (the class teacher, deputy heads,
    /// administrators).
    pub async fn class_risks(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<Vec<AtRisk>, AppError> {
        let today = self.today();
        let (members, policy) = {
            let mut c = self.db.acquire().await?;
            let c = &mut c.conn();
            let g = school_repo::get_group(c, class, today)
                .await?
                .ok_or(AppError::NotFound)?;
            let reads = p.is_admin_of(g.school)
                || p.has_role(Role::Deputy, g.school)
                || p.class_teacher_of.contains(&(g.school, g.id));
            if g.kind != GroupKind::Class || !reads {
                return Err(if p.is_staff_of(g.school) && g.kind == GroupKind::Class {
                    AppError::Forbidden
                } else {
                    AppError::NotFound
                });
            }
            (
                school_repo::group_members(c, class, today).await?,
                self.policy_of(c, g.school).await?,
            )
        };
        let mut out = Vec::new();
        for m in members {
            let f = self.student_forecast(p, m.id).await?;
            for s in f
                .subjects
                .into_iter()
                .filter(|s| !s.forecast.risks.is_empty())
            {
                let need = s
                    .forecast
                    .avoid_two
                    .as_ref()
                    .or(s.forecast.next_up.as_ref());
                out.push(AtRisk {
                    work: need
                        .map(|n| tabel_present::work_name(&policy.policy, &n.work_type).to_owned())
                        .unwrap_or_default(),
                    student: m.id,
                    name: format!("{} {}", m.last_name, m.first_name),
                    subject: s,
                });
            }
        }
        Ok(out)
    }
}
