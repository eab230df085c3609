//! Deferrals of final marks and academic debts (регламент, п. 5; 273-ФЗ ст. 58).
//!
//! The deputy head (or an administrator) opens a **deferral** of a pupil's final-mark cell for
//! illness, with its dates and basis; the family sees it in the diary at once. While it is open
//! the period may close: the journal's teacher sets the mark later, which resolves it. When it
//! ends without a mark, a reminder goes out (the outbox, `final.deferral_ended`; the teacher's
//! home page and the deputy's desk list it), and the deputy records the lapse: the pupil is н/а in
//! that cell and owes an **academic debt**.
//!
//! A debt also arises when a failing year or exam mark is set. It is retaken at most twice
//! within a year; documented illness moves the deadline by its days. A passing retake closes
//! it and becomes the cell's final mark (an audited correction, even of a closed period); two
//! failed retakes exhaust it. Every step is audited and announced in the outbox.

use crate::finals::{final_json, gate};
use crate::timetable::may_plan;
use crate::{App, AppError, Client, check};
use serde::Serialize;
use tabel_domain::access::Principal;
use tabel_domain::debts::{
    self as rules, DebtFacts, DebtStage, DebtState, DeferralError, DeferralStage, DeferralState,
    Illness, RetakeError,
};
use tabel_domain::finals::FinalValue;
use tabel_domain::journal::Scale;
use tabel_domain::school::Role;
use tabel_domain::{AcademicYearId, GroupId, PersonId, SchoolId, SubjectId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::debts::{self as repo, Debt, Deferral, NewDebt, NewDeferral, Retake};
use tabel_store::finals::{self as finals_repo, FinalRecord, NewFinal, Slot};
use tabel_store::journal as journal_repo;
use tabel_store::school::{self as school_repo, Period};
use tabel_store::{Conn, outbox};
use time::{Date, Duration, OffsetDateTime};

/// Closed deferrals and debts stay on the desk this long.
const RECENTLY_CLOSED: Duration = Duration::days(60);

/// A deferral to open.
#[derive(Debug, Clone)]
pub struct DeferralInput {
    /// The pupil.
    pub student: PersonId,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// The order or medical document.
    pub basis: String,
}

/// A deferral with where it stands today.
#[derive(Debug, Clone, Serialize)]
pub struct DeferralLine {
    /// The deferral.
    pub deferral: Deferral,
    /// `open`, `resolved`, `lapsed`.
    pub state: &'static str,
    /// For an open one: pending, running or overdue.
    pub stage: Option<&'static str>,
}

impl DeferralLine {
    fn of(deferral: Deferral, today: Date) -> DeferralLine {
        let stage = (deferral.state == DeferralState::Open).then(|| {
            match rules::deferral_stage(deferral.starts_on, deferral.ends_on, today) {
                DeferralStage::Pending => "pending",
                DeferralStage::Running => "running",
                DeferralStage::Overdue => "overdue",
            }
        });
        DeferralLine {
            state: deferral.state.code(),
            stage,
            deferral,
        }
    }

    /// Its end has passed with no mark.
    pub fn overdue(&self) -> bool {
        self.stage == Some("overdue")
    }
}

/// A debt with where it stands today and its retakes.
#[derive(Debug, Clone, Serialize)]
pub struct DebtLine {
    /// The debt.
    pub debt: Debt,
    /// `open`, `expired`, `closed`, `exhausted`.
    pub stage: &'static str,
    /// Retakes so far.
    pub retakes: Vec<Retake>,
    /// Retakes left.
    pub attempts_left: u8,
}

impl DebtLine {
    fn of(debt: Debt, retakes: Vec<Retake>, today: Date) -> DebtLine {
        let used = u8::try_from(retakes.len()).unwrap_or(u8::MAX);
        let stage = rules::debt_stage(debt.state, debt.deadline, today);
        DebtLine {
            stage: stage.code(),
            attempts_left: if matches!(stage, DebtStage::Open) {
                rules::MAX_RETAKES.saturating_sub(used)
            } else {
                0
            },
            retakes,
            debt,
        }
    }
}

/// A school's deferrals and debts (the deputy head's desk).
#[derive(Debug, Clone, Serialize)]
pub struct DebtsDesk {
    /// The school.
    pub school: SchoolId,
    /// As of.
    pub today: Date,
    /// Open deferrals (overdue first) and those closed lately.
    pub deferrals: Vec<DeferralLine>,
    /// Open, expired and exhausted debts, and those closed lately.
    pub debts: Vec<DebtLine>,
    /// The reporting periods of the years they concern (to name the slots).
    pub periods: Vec<Period>,
}

/// A pupil's deferrals and debts, every year.
#[derive(Debug, Clone, Serialize)]
pub struct StudentDebts {
    /// Deferrals.
    pub deferrals: Vec<DeferralLine>,
    /// Debts with retakes.
    pub debts: Vec<DebtLine>,
    /// The reporting periods of the years they concern (to name the slots).
    pub periods: Vec<Period>,
}

/// A retake to record.
#[derive(Debug, Clone)]
pub struct RetakeInput {
    /// When it took place.
    pub on: Date,
    /// The mark as typed ("4", "зач.").
    pub value: String,
    /// The commission, the work.
    pub note: String,
    /// The debt's version read.
    pub version: i64,
}

/// An illness to record on a debt.
#[derive(Debug, Clone)]
pub struct IllnessInput {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// The medical document.
    pub basis: String,
    /// The debt's version read.
    pub version: i64,
}

fn deferral_errors(e: &DeferralError) -> AppError {
    let field = match e {
        DeferralError::EndsBeforeStarts { .. } | DeferralError::TooLong => "ends_on",
        DeferralError::NoBasis | DeferralError::BasisTooLong => "basis",
    };
    AppError::invalid(field, e.to_string())
}

fn retake_error(e: &RetakeError) -> AppError {
    let field = match e {
        RetakeError::NoAttemptsLeft | RetakeError::Closed => "debt",
        _ => "on_date",
    };
    AppError::invalid(field, e.to_string())
}

fn deferral_json(d: &Deferral) -> serde_json::Value {
    serde_json::json!({
        "id": d.id.to_string(), "student_id": d.student.to_string(), "subject_id": d.subject.to_string(),
        "slot": d.slot.code(), "starts_on": d.starts_on.to_string(), "ends_on": d.ends_on.to_string(),
        "basis": d.basis, "state": d.state.code(),
    })
}

fn debt_json(d: &Debt) -> serde_json::Value {
    serde_json::json!({
        "id": d.id.to_string(), "student_id": d.student.to_string(), "subject_id": d.subject.to_string(),
        "slot": d.slot.code(), "arisen_on": d.arisen_on.to_string(), "deadline": d.deadline.to_string(),
        "illness_days": d.illness_days, "state": d.state.code(), "result": d.result, "version": d.version,
    })
}

/// Audits a change of a debt and announces it, inside the change's transaction.
async fn debt_changed(
    c: &mut Conn<'_>,
    (before, after): (Option<&Debt>, &Debt),
    (action, topic, reason): (&str, &str, Option<&str>),
    (now, actor, client): (OffsetDateTime, Option<i64>, &Client),
) -> Result<(), AppError> {
    let json = debt_json(after);
    audit::append(
        c,
        &AuditEntry {
            chain: after.school.get(),
            at: now,
            actor,
            action,
            entity: "debt",
            entity_id: format!("{}:{}:{}", after.student, after.subject, after.slot.code()),
            before: before.map(debt_json),
            after: Some(json.clone()),
            reason: reason.filter(|r| !r.is_empty()),
            origin: Some(&client.address),
        },
    )
    .await?;
    outbox::emit(c, Some(after.school), topic, &json, now).await?;
    Ok(())
}

/// Whether a cell's failing mark is an academic debt: the year's and the exam's marks (the
/// intermediate attestation); a period's failing mark is not, unless a deferral lapsed.
fn debt_slot(slot: Slot) -> bool {
    matches!(slot, Slot::Year | Slot::Exam)
}

/// Keeps a cell's debt in step with a final mark just written (inside the write's
/// transaction): a failing year or exam mark opens (or reopens) the debt; a passing one closes an
/// open debt. Audited and announced.
pub(crate) async fn sync_debt(
    c: &mut Conn<'_>,
    f: &FinalRecord,
    scale: Scale,
    (today, now, actor, client): (Date, OffsetDateTime, Option<i64>, &Client),
) -> Result<(), AppError> {
    let Some(value) = FinalValue::from_code(&f.value) else {
        return Ok(());
    };
    let existing = repo::debt_of_cell(c, f.student, f.subject, f.year, f.slot).await?;
    let failing = value.is_debt(scale);
    let (action, topic, before) = match (&existing, failing) {
        (None, true) if debt_slot(f.slot) => ("debt.arise", "debt.arisen", None),
        (Some(d), true) if d.state == DebtState::Closed && debt_slot(f.slot) => {
            ("debt.reopen", "debt.arisen", Some(d))
        }
        (Some(d), false) if d.state != DebtState::Closed => {
            if !repo::set_debt_state(
                c,
                d.id,
                d.version,
                DebtState::Closed,
                Some(&f.value),
                Some(now),
            )
            .await?
            {
                return Err(AppError::Stale {
                    detail: "the debt was changed by someone else".into(),
                    current: Some(debt_json(d)),
                });
            }
            ("debt.close", "debt.closed", Some(d))
        }
        _ => return Ok(()),
    };
    if action != "debt.close" {
        repo::upsert_debt(
            c,
            &NewDebt {
                school: f.school,
                year: f.year,
                student: f.student,
                subject: f.subject,
                group: f.group,
                slot: f.slot,
                origin: "final",
                arisen_value: &f.value,
                arisen_on: today,
                deadline: rules::a_year_after(today),
                at: now,
            },
        )
        .await?;
    }
    let after = repo::debt_of_cell(c, f.student, f.subject, f.year, f.slot)
        .await?
        .ok_or(AppError::NotFound)?;
    debt_changed(
        c,
        (before, &after),
        (action, topic, Some(f.reason.as_str())),
        (now, actor, client),
    )
    .await
}

/// Resolves the open deferral of a cell whose mark was just set (inside the write's
/// transaction). Audited.
pub(crate) async fn resolve_deferral(
    c: &mut Conn<'_>,
    f: &FinalRecord,
    (now, p, client): (OffsetDateTime, &Principal, &Client),
) -> Result<(), AppError> {
    let Some(d) = repo::open_deferral_of_cell(c, f.student, f.subject, f.year, f.slot).await?
    else {
        return Ok(());
    };
    repo::close_deferral(c, d.id.get(), DeferralState::Resolved, p.user, now).await?;
    let mut after = deferral_json(&d);
    after["state"] = DeferralState::Resolved.code().into();
    audit::append(
        c,
        &AuditEntry {
            chain: f.school.get(),
            at: now,
            actor: Some(p.user.get()),
            action: "deferral.resolve",
            entity: "deferral",
            entity_id: d.id.to_string(),
            before: Some(deferral_json(&d)),
            after: Some(after),
            reason: None,
            origin: Some(&client.address),
        },
    )
    .await?;
    Ok(())
}

impl App {
    /// Opens a deferral of a pupil's final mark in a journal's slot (a period, or the year):
    /// administrators and deputy heads; the pupil in the journal, no mark set, no deferral open,
    /// the dates in order with a basis.
    pub async fn open_deferral(
        &self,
        p: &Principal,
        (group, subject, slot): (GroupId, SubjectId, Option<Slot>),
        input: &DeferralInput,
        client: &Client,
    ) -> Result<Deferral, AppError> {
        let sheet = self.finals_sheet(p, group, subject, slot).await?;
        let v = &sheet.journal;
        check(may_plan(p, v.group.school))?;
        if v.group.grade == 1 {
            return Err(AppError::invalid(
                "student_id",
                "grade 1 has no final marks to defer",
            ));
        }
        let Some(row) = sheet.rows.iter().find(|r| r.entry.student == input.student) else {
            return Err(AppError::invalid(
                "student_id",
                "not a pupil of this journal",
            ));
        };
        rules::check_deferral(input.starts_on, input.ends_on, &input.basis)
            .map_err(|e| deferral_errors(&e))?;
        if row.current.is_some() {
            return Err(AppError::Conflict(
                "the pupil has a final mark in this cell: correct it instead of deferring".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        if repo::open_deferral_of_cell(c, input.student, subject, v.group.year, sheet.slot)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict(
                "a deferral of this final mark is open already".into(),
            ));
        }
        if finals_repo::of_cell(c, input.student, subject, v.group.year, sheet.slot)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict(
                "the pupil has a final mark in this cell: correct it instead of deferring".into(),
            ));
        }
        let id = repo::insert_deferral(
            c,
            &NewDeferral {
                school: v.group.school,
                year: v.group.year,
                student: input.student,
                subject,
                group: Some(group),
                slot: sheet.slot,
                starts_on: input.starts_on,
                ends_on: input.ends_on,
                basis: input.basis.trim(),
                by: p.user,
                at: now,
            },
        )
        .await?;
        let d = repo::deferral(c, id).await?.ok_or(AppError::NotFound)?;
        let after = deferral_json(&d);
        audit::append(
            c,
            &AuditEntry {
                chain: v.group.school.get(),
                at: now,
                actor: Some(p.user.get()),
                action: "deferral.open",
                entity: "deferral",
                entity_id: id.to_string(),
                before: None,
                after: Some(after.clone()),
                reason: Some(d.basis.as_str()),
                origin: Some(&client.address),
            },
        )
        .await?;
        outbox::emit(c, Some(v.group.school), "final.deferred", &after, now).await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Records that a deferral ended without a mark: the pupil is н/а in the cell and owes an
    /// academic debt. Administrators and deputy heads, after the deferral's end.
    pub async fn lapse_deferral(
        &self,
        p: &Principal,
        id: tabel_domain::DeferralId,
        client: &Client,
    ) -> Result<DebtLine, AppError> {
        let id = id.get();
        let today = self.today();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let d = repo::deferral(c, id).await?.ok_or(AppError::NotFound)?;
        check(may_plan(p, d.school))?;
        if d.state != DeferralState::Open {
            return Err(AppError::Conflict(format!(
                "the deferral is {} already",
                d.state.code()
            )));
        }
        if today <= d.ends_on {
            return Err(AppError::invalid(
                "deferral",
                format!(
                    "the deferral runs until {}: its lapse is recorded after that day",
                    d.ends_on
                ),
            ));
        }
        if !repo::close_deferral(c, d.id.get(), DeferralState::Lapsed, p.user, now).await? {
            return Err(AppError::Conflict(
                "the deferral was closed meanwhile".into(),
            ));
        }
        let reason = format!(
            "Отсрочка до {} истекла без отметки ({})",
            tabel_present::date(d.ends_on),
            d.basis
        );
        let na = FinalValue::NotAttested.code();
        let Some(f) = finals_repo::write(
            c,
            &NewFinal {
                school: d.school,
                year: d.year,
                student: d.student,
                subject: d.subject,
                group: d.group,
                slot: d.slot,
                value: &na,
                proposal: None,
                proposal_basis: None,
                reason: &reason,
                set_by: Some(p.user),
                at: now,
            },
            0,
        )
        .await?
        else {
            return Err(AppError::Conflict(
                "a final mark was set in this cell meanwhile".into(),
            ));
        };
        let mut after = deferral_json(&d);
        after["state"] = DeferralState::Lapsed.code().into();
        let actor = Some(p.user.get());
        for (action, entity, entity_id, before, after, reason) in [
            (
                "deferral.lapse",
                "deferral",
                d.id.to_string(),
                Some(deferral_json(&d)),
                after,
                None,
            ),
            (
                "final.set",
                "final",
                format!("{}:{}:{}", f.student, f.subject, f.slot.code()),
                None,
                final_json(&f),
                Some(reason.as_str()),
            ),
        ] {
            audit::append(
                c,
                &AuditEntry {
                    chain: d.school.get(),
                    at: now,
                    actor,
                    action,
                    entity,
                    entity_id,
                    before,
                    after: Some(after),
                    reason,
                    origin: Some(&client.address),
                },
            )
            .await?;
        }
        outbox::emit(c, Some(d.school), "final.published", &final_json(&f), now).await?;
        let debt_id = repo::upsert_debt(
            c,
            &NewDebt {
                school: d.school,
                year: d.year,
                student: d.student,
                subject: d.subject,
                group: d.group,
                slot: d.slot,
                origin: "deferral",
                arisen_value: &na,
                arisen_on: today,
                deadline: rules::a_year_after(today),
                at: now,
            },
        )
        .await?;
        let debt = repo::debt(c, debt_id).await?.ok_or(AppError::NotFound)?;
        debt_changed(
            c,
            (None, &debt),
            ("debt.arise", "debt.arisen", Some(&reason)),
            (now, actor, client),
        )
        .await?;
        let retakes = repo::retakes_of_debt(c, debt_id).await?;
        tx.commit().await?;
        Ok(DebtLine::of(debt, retakes, today))
    }

    /// Records a retake of a debt: administrators and deputy heads; at most two, within the
    /// debt's year (illness counted), not in the future. A passing one closes the debt and
    /// becomes the cell's final mark; the second failing one exhausts it.
    pub async fn record_retake(
        &self,
        p: &Principal,
        id: tabel_domain::DebtId,
        input: &RetakeInput,
        client: &Client,
    ) -> Result<DebtLine, AppError> {
        let id = id.get();
        let today = self.today();
        let now = self.now();
        let mut c0 = self.db.acquire().await?;
        let debt = repo::debt(&mut c0.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, debt.school))?;
        let policy = self.policy_of(&mut c0.conn(), debt.school).await?;
        drop(c0);
        let scale = policy.policy.scale_of(debt.subject.get());
        let value = FinalValue::parse(&input.value, scale, policy.policy.allow_one)
            .map_err(|e| AppError::invalid("value", e.to_string()))?;
        if matches!(value, FinalValue::Exempt | FinalValue::NotAttested) {
            return Err(AppError::invalid(
                "value",
                "a retake gives a mark (or зачёт/незачёт)",
            ));
        }
        let note = input.note.trim();
        if note.chars().count() > 500 {
            return Err(AppError::invalid("note", "at most 500 characters"));
        }
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let debt = repo::debt(c, id).await?.ok_or(AppError::NotFound)?;
        if debt.version != input.version {
            return Err(AppError::Stale {
                detail: "the debt was changed by someone else; here is the current state".into(),
                current: Some(debt_json(&debt)),
            });
        }
        let done = repo::retakes_of_debt(c, id).await?;
        let facts = DebtFacts {
            state: debt.state,
            arisen_on: debt.arisen_on,
            deadline: debt.deadline,
            attempts: u8::try_from(done.len()).unwrap_or(u8::MAX),
            last_retake: done.last().map(|r| r.on_date),
        };
        let attempt = rules::check_retake(&facts, input.on, today).map_err(|e| retake_error(&e))?;
        let code = value.code();
        if !repo::insert_retake(c, id, attempt, input.on, &code, note, p.user, now).await? {
            return Err(AppError::Stale {
                detail: "this retake was recorded by someone else meanwhile".into(),
                current: Some(debt_json(&debt)),
            });
        }
        let passed = value.passing(scale);
        let state = rules::after_retake(attempt, passed);
        let closed_at = (state != DebtState::Open).then_some(now);
        if !repo::set_debt_state(
            c,
            id,
            debt.version,
            state,
            passed.then_some(code.as_str()),
            closed_at,
        )
        .await?
        {
            return Err(AppError::Stale {
                detail: "the debt was changed by someone else".into(),
                current: Some(debt_json(&debt)),
            });
        }
        let reason = format!(
            "Пересдача №{attempt} от {}: {value}{}",
            tabel_present::date(input.on),
            if note.is_empty() {
                String::new()
            } else {
                format!(" ({note})")
            }
        );
        let after = repo::debt(c, id).await?.ok_or(AppError::NotFound)?;
        let topic = if passed {
            "debt.closed"
        } else {
            "debt.retaken"
        };
        debt_changed(
            c,
            (Some(&debt), &after),
            ("debt.retake", topic, Some(&reason)),
            (now, Some(p.user.get()), client),
        )
        .await?;
        if passed {
            // The passing retake is the cell's final mark now: an audited correction.
            let current =
                finals_repo::of_cell(c, debt.student, debt.subject, debt.year, debt.slot).await?;
            let closing = format!("Ликвидация академической задолженности. {reason}");
            let Some(f) = finals_repo::write(
                c,
                &NewFinal {
                    school: debt.school,
                    year: debt.year,
                    student: debt.student,
                    subject: debt.subject,
                    group: debt.group,
                    slot: debt.slot,
                    value: &code,
                    proposal: None,
                    proposal_basis: None,
                    reason: &closing,
                    set_by: Some(p.user),
                    at: now,
                },
                current.as_ref().map_or(0, |f| f.version),
            )
            .await?
            else {
                return Err(AppError::Stale {
                    detail: "the final mark was changed by someone else meanwhile".into(),
                    current: None,
                });
            };
            audit::append(
                c,
                &AuditEntry {
                    chain: debt.school.get(),
                    at: now,
                    actor: Some(p.user.get()),
                    action: "final.correct",
                    entity: "final",
                    entity_id: format!("{}:{}:{}", f.student, f.subject, f.slot.code()),
                    before: current.as_ref().map(final_json),
                    after: Some(final_json(&f)),
                    reason: Some(&closing),
                    origin: Some(&client.address),
                },
            )
            .await?;
            outbox::emit(
                c,
                Some(debt.school),
                "final.published",
                &final_json(&f),
                now,
            )
            .await?;
        }
        let retakes = repo::retakes_of_debt(c, id).await?;
        tx.commit().await?;
        Ok(DebtLine::of(after, retakes, today))
    }

    /// Records a documented illness of a pupil with a debt: the deadline moves by its days
    /// (each day once). Administrators and deputy heads.
    pub async fn record_debt_illness(
        &self,
        p: &Principal,
        id: tabel_domain::DebtId,
        input: &IllnessInput,
        client: &Client,
    ) -> Result<DebtLine, AppError> {
        let id = id.get();
        let today = self.today();
        let now = self.now();
        if input.to < input.from {
            return Err(AppError::invalid(
                "to",
                format!(
                    "the illness ends ({}) before it starts ({})",
                    input.to, input.from
                ),
            ));
        }
        rules::check_deferral(input.from, input.to, &input.basis).map_err(|e| match e {
            DeferralError::NoBasis | DeferralError::BasisTooLong => {
                AppError::invalid("basis", e.to_string())
            }
            _ => AppError::invalid("to", "an illness is recorded at most a year at a time"),
        })?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let debt = repo::debt(c, id).await?.ok_or(AppError::NotFound)?;
        check(may_plan(p, debt.school))?;
        if debt.version != input.version {
            return Err(AppError::Stale {
                detail: "the debt was changed by someone else; here is the current state".into(),
                current: Some(debt_json(&debt)),
            });
        }
        if debt.state != DebtState::Open {
            return Err(AppError::Conflict(
                "the debt is no longer open: its deadline does not matter".into(),
            ));
        }
        repo::insert_illness(
            c,
            id,
            (input.from, input.to),
            input.basis.trim(),
            p.user,
            now,
        )
        .await?;
        let ills: Vec<Illness> = repo::illnesses_of(c, id)
            .await?
            .into_iter()
            .map(|i| Illness {
                from: i.from_on,
                to: i.to_on,
            })
            .collect();
        let (deadline, days) = rules::debt_deadline(debt.arisen_on, &ills);
        if !repo::set_deadline(c, id, debt.version, deadline, days).await? {
            return Err(AppError::Stale {
                detail: "the debt was changed by someone else".into(),
                current: Some(debt_json(&debt)),
            });
        }
        let after = repo::debt(c, id).await?.ok_or(AppError::NotFound)?;
        debt_changed(
            c,
            (Some(&debt), &after),
            ("debt.illness", "debt.changed", Some(input.basis.trim())),
            (now, Some(p.user.get()), client),
        )
        .await?;
        let retakes = repo::retakes_of_debt(c, id).await?;
        tx.commit().await?;
        Ok(DebtLine::of(after, retakes, today))
    }

    /// A school's deferrals and debts: administrators and deputy heads. Overdue deferrals and
    /// expired debts first.
    pub async fn debts_desk(
        &self,
        p: &Principal,
        school: Option<SchoolId>,
    ) -> Result<DebtsDesk, AppError> {
        let school = match school {
            Some(s) => s,
            None => {
                let mine: Vec<SchoolId> = p
                    .schools()
                    .into_iter()
                    .filter(|s| may_plan(p, *s).allowed())
                    .collect();
                match mine.as_slice() {
                    [one] => *one,
                    [] => return Err(AppError::Forbidden),
                    _ => {
                        return Err(AppError::invalid(
                            "school_id",
                            "you manage several schools: choose one",
                        ));
                    }
                }
            }
        };
        check(may_plan(p, school))?;
        let today = self.today();
        let since = self.now() - RECENTLY_CLOSED;
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let mut deferrals: Vec<DeferralLine> = repo::deferrals_of_school(c, school, since)
            .await?
            .into_iter()
            .map(|d| DeferralLine::of(d, today))
            .collect();
        deferrals.sort_by_key(|l| (!l.overdue(), l.stage.is_none(), l.deferral.ends_on));
        let debts = debt_lines(
            repo::debts_of_school(c, school, since).await?,
            repo::retakes_of(c, school, None).await?,
            today,
        );
        let periods = periods_of(
            c,
            deferrals
                .iter()
                .map(|d| d.deferral.year)
                .chain(debts.iter().map(|d| d.debt.year)),
        )
        .await?;
        Ok(DebtsDesk {
            school,
            today,
            deferrals,
            debts,
            periods,
        })
    }

    /// The open deferrals of the journals a teacher keeps (their reminders): those ended are
    /// marked overdue.
    pub async fn my_deferrals(&self, p: &Principal) -> Result<Vec<DeferralLine>, AppError> {
        let Some(me) = p.person else {
            return Ok(Vec::new());
        };
        let today = self.today();
        let since = self.now();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let mut out = Vec::new();
        let mut mine = None;
        for school in p.schools() {
            if !p.has_role(Role::Teacher, school) {
                continue;
            }
            for d in repo::deferrals_of_school(c, school, since).await? {
                let Some(group) = d.group else { continue };
                if d.state != DeferralState::Open {
                    continue;
                }
                let journals = match &mut mine {
                    Some(j) => j,
                    None => mine.insert(journal_repo::assigned_journals(c, me).await?),
                };
                if journals.contains(&(group, d.subject)) {
                    out.push(DeferralLine::of(d, today));
                }
            }
        }
        out.sort_by_key(|l| (!l.overdue(), l.deferral.ends_on));
        Ok(out)
    }

    /// A pupil's deferrals and debts: whoever may see the pupil (a parent only with consent).
    pub async fn student_debts(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<StudentDebts, AppError> {
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let school = gate(c, p, student).await?;
        let deferrals: Vec<DeferralLine> = repo::deferrals_of_student(c, student)
            .await?
            .into_iter()
            .map(|d| DeferralLine::of(d, today))
            .collect();
        let debts = debt_lines(
            repo::debts_of_student(c, student).await?,
            repo::retakes_of(c, school, Some(student)).await?,
            today,
        );
        let periods = periods_of(
            c,
            deferrals
                .iter()
                .map(|d| d.deferral.year)
                .chain(debts.iter().map(|d| d.debt.year)),
        )
        .await?;
        Ok(StudentDebts {
            deferrals,
            debts,
            periods,
        })
    }

    /// Sends the reminders of deferrals that ended without a mark (once each): an outbox event
    /// `final.deferral_ended` for the notifier and the change feed. The number sent. Run by the
    /// server's clock.
    pub async fn remind_deferrals(&self) -> Result<usize, AppError> {
        let today = self.today();
        // Most ticks find nothing: look first without taking the write lock.
        {
            let mut pooled = self.db.acquire().await?;
            if repo::reminders_due(&mut pooled.conn(), today)
                .await?
                .is_empty()
            {
                return Ok(0);
            }
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let due = repo::reminders_due(c, today).await?;
        let mut sent = 0;
        for d in &due {
            if repo::mark_reminded(c, d.id.get(), now).await? {
                let mut event = deferral_json(d);
                event["group_id"] = d.group.map(|g| g.to_string()).into();
                event["student"] = d.student_name.clone().into();
                event["subject"] = d.subject_name.clone().into();
                outbox::emit(c, Some(d.school), "final.deferral_ended", &event, now).await?;
                sent += 1;
            }
        }
        tx.commit().await?;
        Ok(sent)
    }
}

/// The periods of these years (each year once).
async fn periods_of(
    c: &mut Conn<'_>,
    years: impl Iterator<Item = AcademicYearId>,
) -> Result<Vec<Period>, AppError> {
    let mut years: Vec<AcademicYearId> = years.collect();
    years.sort();
    years.dedup();
    let mut out = Vec::new();
    for y in years {
        out.extend(school_repo::list_periods(c, y).await?);
    }
    Ok(out)
}

fn debt_lines(debts: Vec<Debt>, retakes: Vec<Retake>, today: Date) -> Vec<DebtLine> {
    let mut by_debt: std::collections::HashMap<i64, Vec<Retake>> = std::collections::HashMap::new();
    for r in retakes {
        by_debt.entry(r.debt_id).or_default().push(r);
    }
    let mut lines: Vec<DebtLine> = debts
        .into_iter()
        .map(|d| {
            let r = by_debt.remove(&d.id).unwrap_or_default();
            DebtLine::of(d, r, today)
        })
        .collect();
    let rank = |s: &str| match s {
        "expired" => 0,
        "exhausted" => 1,
        "open" => 2,
        _ => 3,
    };
    lines.sort_by_key(|l| (rank(l.stage), l.debt.deadline));
    lines
}
