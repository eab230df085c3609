//! The school's teaching structure edited by its administrators (issue 16, part 2): teaching
//! assignments (нагрузка), groups and their pupils, the curriculum (учебный план), staff with
//! roles.
//!
//! Every change is one transaction with its audit record (`<entity>.<verb>`). An edit that
//! would leave data without what it refers to is refused, naming what depends on it with
//! counts; a refused request changes nothing. Dates are kept the way the journal, the diary,
//! the statistics and the finals read them: a range's end is its last day.
//!
//! Who: the school's administrators and deputy heads plan teaching (assignments, groups,
//! curriculum — as they plan the timetable, [`crate::timetable::may_plan`]); staff and their
//! roles are the administrators' alone ([`Principal::may_administer`]), since roles grant
//! access.

mod assignments;
mod curriculum;
mod groups;
mod staff;

pub use assignments::*;
pub use curriculum::*;
pub use groups::*;
pub use staff::*;

use crate::{AppError, Client, Principal};
use tabel_domain::school::AcademicYear;
use tabel_domain::{AcademicYearId, SchoolId};
use tabel_store::Conn;
use tabel_store::audit::{self, AuditEntry};
use tabel_store::school as repo;
use tabel_store::teaching as store;
use time::{Date, OffsetDateTime};

/// The most characters a name or a position typed by an administrator may have.
pub const MAX_NAME_CHARS: usize = 100;

/// May plan teaching in the school (assignments, groups, curriculum).
fn may_plan(p: &Principal, school: SchoolId) -> Result<(), AppError> {
    crate::check(crate::timetable::may_plan(p, school))
}

/// The year asked for (one of the school's), or the one `today` falls in; with all the
/// school's years for a picker.
async fn year_of(
    conn: &mut Conn<'_>,
    school: SchoolId,
    asked: Option<AcademicYearId>,
    today: Date,
) -> Result<(AcademicYear, Vec<AcademicYear>), AppError> {
    let years = store::years_of_school(conn, school).await?;
    let year = match asked {
        Some(id) => years.iter().find(|y| y.id == id).cloned(),
        None => match repo::academic_year_on(conn, school, today).await? {
            Some(y) => Some(y),
            None => years.first().cloned(),
        },
    }
    .ok_or(AppError::NotFound)?;
    Ok((year, years))
}

/// A trimmed text of 1 to `max` characters, or the field's error.
fn text_field(field: &str, raw: &str, max: usize) -> Result<String, AppError> {
    let t = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        return Err(AppError::invalid(field, "required"));
    }
    if t.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    Ok(t)
}

/// One audit record of a change.
struct Audit<'a> {
    school: SchoolId,
    at: OffsetDateTime,
    actor: &'a Principal,
    action: &'a str,
    entity_id: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    client: &'a Client,
}

async fn audit(conn: &mut Conn<'_>, a: Audit<'_>) -> Result<(), AppError> {
    audit::append(
        conn,
        &AuditEntry {
            chain: a.school.get(),
            at: a.at,
            actor: Some(a.actor.user.get()),
            action: a.action,
            entity: a.action.split('.').next().unwrap_or(a.action),
            entity_id: a.entity_id,
            before: a.before,
            after: a.after,
            reason: None,
            origin: Some(&a.client.address),
        },
    )
    .await?;
    Ok(())
}

/// A refusal naming what depends on a thing.
fn depends(what: &str, d: &tabel_domain::teaching::Dependants, instead: &str) -> AppError {
    AppError::Conflict(format!("{what}: {}; {instead}", d.describe()))
}
