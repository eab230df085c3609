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
use tabel_domain::{AcademicYearId, DebtId, GroupId, PersonId, SchoolId, SubjectId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::debts::{self as repo, Debt, Deferral, NewDebt, NewDeferral, Retake};
use tabel_store::finals::{self as finals_repo, FinalRecord, NewFinal, Slot};
use tabel_store::journal as journal_repo;
use tabel_store::school::{self as school_repo, Period};
use tabel_store::{Conn, outbox};
use time::{Date, Duration, OffsetDateTime};

mod deferrals;
mod retakes;

pub use deferrals::*;
pub use retakes::*;

/// Closed deferrals and debts stay on the desk this long.
const RECENTLY_CLOSED: Duration = Duration::days(60);

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
                DebtId::new(d.id),
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
    repo::close_deferral(c, d.id, DeferralState::Resolved, p.user, now).await?;
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
