//! The school year's end and the next year (issue 18, point 5; 273-ФЗ ст. 58).
//!
//! - **The next year from the previous one** ([`App::build_next_year`]): the federal calendar
//!   of the following year with the same parallels' settings and their periods, the bells, the
//!   classes carried up a grade (5А → 6А; the 11th graduates), the parallels' curriculum (the
//!   new 6th parallel gets the old 6th's lines), the carried classes' teaching assignments and
//!   class teachers. The year is a **draft**: the deputy head reviews it, edits it on the
//!   teaching pages and confirms it ([`App::confirm_year`]). No pupil is placed into a draft
//!   year's classes, and families reach everything through their child's classes, so nothing
//!   of it shows to them until it is confirmed.
//! - **The promotion order** (переводной приказ, [`orders`]): for a class or a parallel, each
//!   pupil's outcome proposed from the open academic debts, edited by the deputy head, then
//!   issued with its number and date. Issuing ends the pupils' memberships at the year's end,
//!   records the leavings and graduations and places those who stay into the next year's
//!   classes (at once, or when a draft year is confirmed). An issued order is immutable; a
//!   correction is a new order that amends it. Open debts stay open: they are the pupil's, and
//!   the debts page, the diary and the record show them in the new year with their deadlines.
//!
//! Administrators and deputy heads of the school; everyone else is refused (another school's
//! staff is told nothing). Every step is audited; these writes are not the journal's and are
//! not stopped by a closed year.

mod next_year;
mod orders;

pub use next_year::*;
pub use orders::*;
pub use tabel_store::promotion::{DraftAssignment, Line, LineDebt, Order};

use crate::structure::may_edit_structure;
use crate::{AppError, Client, check};
use tabel_domain::SchoolId;
use tabel_domain::access::Principal;
use tabel_store::Conn;
use tabel_store::audit::{self, AuditEntry};
use time::OffsetDateTime;

fn may_promote(p: &Principal, school: SchoolId) -> Result<(), AppError> {
    check(may_edit_structure(p, school))
}

async fn audit_promotion(
    c: &mut Conn<'_>,
    school: SchoolId,
    (at, p, client): (OffsetDateTime, &Principal, &Client),
    (action, entity_id): (&str, String),
    (before, after): (Option<serde_json::Value>, serde_json::Value),
) -> Result<(), AppError> {
    audit::append(
        c,
        &AuditEntry {
            chain: school.get(),
            at,
            actor: Some(p.user.get()),
            action,
            entity: action.split('.').next().unwrap_or(action),
            entity_id,
            before,
            after: Some(after),
            reason: None,
            origin: Some(&client.address),
        },
    )
    .await?;
    Ok(())
}
