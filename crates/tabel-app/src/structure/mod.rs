//! The school's structure edited by its administrators: the card, subjects (retired, never lost),
//! classes with their class teachers, academic years with parallels and reporting periods, and
//! the calendar. Each change is checked, audited (`<entity>.<verb>`) and written in one
//! transaction; an edit that would orphan data is refused, naming what depends on it.

mod calendar;
mod card;
mod classes;
mod subjects;
mod years;

pub use calendar::*;
pub use card::*;
pub use classes::*;
pub use subjects::*;
pub use years::*;

use crate::{AppError, Client};
use tabel_domain::SchoolId;
use tabel_domain::access::{Decision, Principal};
use tabel_store::Conn;
use tabel_store::audit::{self, AuditEntry};
use time::OffsetDateTime;

/// May edit the school's structure: its administrators and deputy heads (завуч), the same
/// people who plan its timetable.
pub fn may_edit_structure(p: &Principal, school: SchoolId) -> Decision {
    crate::timetable::may_plan(p, school)
}

/// One audit record of a structure change; the entity is the action's first word.
pub(crate) struct Change<'a> {
    pub school: SchoolId,
    pub at: OffsetDateTime,
    pub actor: i64,
    pub action: &'a str,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub(crate) async fn audit_change(
    conn: &mut Conn<'_>,
    c: Change<'_>,
    client: &Client,
) -> Result<(), AppError> {
    audit::append(
        conn,
        &AuditEntry {
            chain: c.school.get(),
            at: c.at,
            actor: Some(c.actor),
            action: c.action,
            entity: c.action.split('.').next().unwrap_or(c.action),
            entity_id: c.entity_id,
            before: c.before,
            after: c.after,
            reason: None,
            origin: Some(&client.address),
        },
    )
    .await?;
    Ok(())
}

/// `1240` as `1 240`: how counts read in a refusal.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// What the kinds of dependants are called in an API refusal: singular and plural.
fn kind_words(kind: &str) -> (&str, &str) {
    match kind {
        "marks" => ("mark", "marks"),
        "lessons" => ("lesson", "lessons"),
        "final_marks" => ("final mark", "final marks"),
        "timetable_lines" => ("timetable line", "timetable lines"),
        "curriculum_lines" => ("curriculum line", "curriculum lines"),
        "assignments" => ("teaching assignment", "teaching assignments"),
        "assessments" => ("assessment procedure", "assessment procedures"),
        "approved_assessments" => (
            "procedure of an approved assessment schedule",
            "procedures of approved assessment schedules",
        ),
        "groups" => ("group", "groups"),
        "subgroups" => ("subgroup", "subgroups"),
        "streams" => ("stream", "streams"),
        "memberships" => ("pupil membership", "pupil memberships"),
        "thematic_plans" => ("thematic plan", "thematic plans"),
        "recommendations" => ("recommendation", "recommendations"),
        "deferrals" => ("deferral", "deferrals"),
        "debts" => ("academic debt", "academic debts"),
        "exam_results" => ("exam result", "exam results"),
        "extracts" => ("paper extract", "paper extracts"),
        "promotion_lines" => ("pupil of a promotion order", "pupils of promotion orders"),
        "promotion_orders" => ("promotion order", "promotion orders"),
        "carried_classes" => (
            "class carried into the next year",
            "classes carried into the next year",
        ),
        other => (other, other),
    }
}

/// "1 240 marks and 96 lessons", "a lesson, 2 marks and 3 final marks".
pub fn describe_dependants(deps: &[(String, i64)]) -> String {
    let parts: Vec<String> = deps
        .iter()
        .map(|(kind, n)| {
            let (one, many) = kind_words(kind);
            if *n == 1 {
                format!("1 {one}")
            } else {
                format!("{} {many}", grouped(*n))
            }
        })
        .collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The refusal of a deletion: 422 naming what depends on the row, under `dependants`.
pub(crate) fn in_use(deps: &[(String, i64)], advice: &str) -> AppError {
    AppError::invalid(
        "dependants",
        format!("used by {}; {advice}", describe_dependants(deps)),
    )
}

/// Text fields: trimmed, bounded, inner white space collapsed; `None` when empty.
pub(crate) fn optional_title(
    field: &str,
    raw: Option<&str>,
    errors: &mut crate::FieldErrors,
) -> Option<String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match tabel_domain::text::Title::parse(s) {
            Ok(t) => Some(t.as_str().to_owned()),
            Err(e) => {
                errors.insert(field.into(), e.to_string());
                None
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependants_read_as_a_sentence_with_grouped_counts() {
        let deps = vec![("marks".to_owned(), 1240), ("lessons".to_owned(), 96)];
        assert_eq!(describe_dependants(&deps), "1 240 marks and 96 lessons");
        let deps = vec![
            ("lessons".to_owned(), 1),
            ("marks".to_owned(), 2),
            ("final_marks".to_owned(), 1_000_000),
        ];
        assert_eq!(
            describe_dependants(&deps),
            "1 lesson, 2 marks and 1 000 000 final marks"
        );
        assert_eq!(
            in_use(&[("marks".into(), 3)], "retire it instead").to_string(),
            "invalid input"
        );
    }
}
