//! The school's people as its administrators keep them: finding a pupil, parent or staff member
//! by any part of the name, the person's card and its edits, a pupil's dated arrival, leaving
//! and move to another class, merging a person typed twice; and the regional administrator's
//! schools. Every change is checked (the school's administrators), audited with what was and
//! what is, and written in one transaction: a refused request changes nothing.

mod card;
mod merge;
mod movement;
pub mod region;
mod search;

pub use card::{CardEdit, LinkView, MembershipView, PersonCard, PupilRecord};
pub use merge::{MergeParty, MergePlan};
pub use movement::{Arrival, Leaving, NewPupil, Transfer};
pub use search::{FoundPerson, PAGE_SIZE, PeopleFound, PeopleQuery};

use crate::{AppError, Client};
use tabel_domain::{PersonId, SchoolId, UserId};
use tabel_store::Tx;
use tabel_store::audit::{self, AuditEntry};
use tabel_store::people::PersonFacts;
use time::OffsetDateTime;

/// The longest free text on a card (where a pupil came from or went to, a position).
pub const MAX_TEXT_CHARS: usize = 200;
/// The longest school number or order number.
pub const MAX_NUMBER_CHARS: usize = 32;

/// What a person is to the school; one person may be several (a teacher whose child studies
/// here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PersonKind {
    /// A pupil, current or former.
    Pupil,
    /// A legal representative named for a child.
    Parent,
    /// A staff member.
    Staff,
}

impl PersonKind {
    /// All kinds, in the order lists show them.
    pub const ALL: [PersonKind; 3] = [PersonKind::Pupil, PersonKind::Parent, PersonKind::Staff];

    /// `pupil`, `parent`, `staff`.
    pub fn code(self) -> &'static str {
        match self {
            PersonKind::Pupil => "pupil",
            PersonKind::Parent => "parent",
            PersonKind::Staff => "staff",
        }
    }

    /// The kind of a code; `None` for anything else.
    pub fn from_code(code: &str) -> Option<PersonKind> {
        PersonKind::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
    }
}

/// Free text typed into a card: trimmed, inner white space collapsed, at most `max` characters,
/// no control characters; empty is `None`.
pub(crate) fn free_text(field: &str, raw: &str, max: usize) -> Result<Option<String>, AppError> {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(AppError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(Some(text))
}

/// A date typed as `дд.мм.гггг` or ISO, or the field's error (422).
pub fn parse_date(field: &str, raw: &str) -> Result<time::Date, AppError> {
    tabel_domain::setup::values::date(raw).map_err(|e| AppError::invalid(field, e))
}

/// The person of the school, or `NotFound` (a person of another school does not exist here).
pub(crate) async fn person_of(
    tx: &mut tabel_store::Conn<'_>,
    school: SchoolId,
    person: PersonId,
) -> Result<PersonFacts, AppError> {
    match tabel_store::people::person(tx, person).await? {
        Some(f) if f.school == school => Ok(f),
        _ => Err(AppError::NotFound),
    }
}

/// A person's record as the audit log keeps it.
pub(crate) fn snapshot(f: &PersonFacts) -> serde_json::Value {
    let p = &f.person;
    let mut v = serde_json::json!({
        "id": p.id.to_string(),
        "last_name": p.last_name,
        "first_name": p.first_name,
        "middle_name": p.middle_name,
        "sex": p.sex.code(),
        "birth_date": p.birth_date.map(|d| d.to_string()),
        "snils": f.snils,
    });
    if let Some(s) = &f.pupil {
        v["pupil"] = serde_json::json!({
            "school_number": s.school_number,
            "enrolled_on": s.enrolled_on.to_string(),
            "arrived_from": s.arrived_from,
            "left_on": s.left_on.map(|d| d.to_string()),
            "left_to": s.left_to,
            "leaving_order_number": s.leaving_order_number,
            "leaving_order_date": s.leaving_order_date.map(|d| d.to_string()),
        });
    }
    if let Some((position, _)) = &f.staff {
        v["staff"] = serde_json::json!({ "position": position });
    }
    v
}

/// One audit record of a change to a person, in the change's transaction.
pub(crate) struct Record<'a> {
    pub school: SchoolId,
    pub at: OffsetDateTime,
    pub actor: UserId,
    pub action: &'a str,
    pub person: PersonId,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

pub(crate) async fn audit_in(tx: &mut Tx, r: Record<'_>, client: &Client) -> Result<(), AppError> {
    audit::append(
        &mut tx.conn(),
        &AuditEntry {
            chain: r.school.get(),
            at: r.at,
            actor: Some(r.actor.get()),
            action: r.action,
            entity: "person",
            entity_id: r.person.to_string(),
            before: Some(r.before),
            after: Some(r.after),
            reason: None,
            origin: Some(&client.address),
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn kinds_read_back_from_their_codes() {
        for k in PersonKind::ALL {
            assert_eq!(PersonKind::from_code(k.code()), Some(k));
        }
        assert_eq!(PersonKind::from_code("teacher"), None);
    }

    #[test]
    fn free_text_is_trimmed_bounded_and_printable() {
        assert_eq!(free_text("f", "  ", 5).unwrap(), None);
        assert_eq!(
            free_text("f", " СОШ  № 7 ", 20).unwrap().as_deref(),
            Some("СОШ № 7")
        );
        assert!(matches!(
            free_text("f", "abcdef", 5),
            Err(AppError::Invalid(e)) if e.contains_key("f")
        ));
        assert!(free_text("f", "a\u{7}b", 5).is_err());
    }
}
