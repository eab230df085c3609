//! The demo's final marks: every reporting period that has ended by `--today` gets its final
//! marks, as the teachers would have confirmed the journal's proposals a few days after its end,
//! and is closed. (Deferrals and debts: `deferrals`; earlier years' marks: `past_years`.)

use crate::model::DemoSchool;
use crate::{Ctx, DemoError};
use std::collections::HashSet;
use tabel_app::finals::proposals_in;
use tabel_domain::journal::GradingPolicy;
use tabel_domain::{PeriodId, PersonId, SubjectId};
use tabel_store::Conn;
use tabel_store::finals::{self as repo, NewFinal, Slot};
use tabel_store::journal::set_period_lock;
use tabel_store::school as school_repo;
use time::{Duration, OffsetDateTime, Time};

/// Writes the final marks of the periods ended before today and closes them, leaving the
/// `skipped` (pupil, subject, period) cells empty (deferred); returns how many.
pub(crate) async fn finals(
    c: &mut Conn<'_>,
    ctx: &Ctx<'_>,
    school: &DemoSchool,
    skipped: &HashSet<(PersonId, SubjectId, PeriodId)>,
) -> Result<u64, DemoError> {
    let policy = GradingPolicy::default();
    let mut written = 0;
    for period in school_repo::list_periods(c, school.year.id).await? {
        if period.ends_on >= ctx.today {
            continue;
        }
        let lines = proposals_in(
            c,
            &policy,
            (school.id, school.year.id),
            period.id,
            None,
            ctx.today,
        )
        .await
        .map_err(|e| DemoError::Invalid(e.to_string()))?;
        // Set on the Monday-ish after the period's end, at noon (UTC+3 schools: 09:00 UTC).
        let on = period.ends_on + Duration::days(3);
        let at = OffsetDateTime::new_utc(on, Time::from_hms(9, 0, 0).unwrap_or(Time::MIDNIGHT));
        for l in lines {
            let Some(p) = l.proposal else { continue };
            if skipped.contains(&(l.student, l.subject, period.id)) {
                continue;
            }
            let code = p.value.code();
            let basis = p.basis.code();
            let new = NewFinal {
                school: school.id,
                year: school.year.id,
                student: l.student,
                subject: l.subject,
                group: None,
                slot: Slot::Period(period.id),
                value: &code,
                proposal: Some(&code),
                proposal_basis: Some(basis),
                reason: "",
                set_by: None,
                at,
            };
            if repo::write(c, &new, 0).await?.is_some() {
                written += 1;
            }
        }
        set_period_lock(c, period.id, Some(at + Duration::days(1))).await?;
    }
    Ok(written)
}
