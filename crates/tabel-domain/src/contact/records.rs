//! Stored contacts and their latest verification code, as the pages read them.

use super::{CodePurpose, ContactKind, Network, Provenance};
use crate::{ContactId, PersonId, SchoolId, UserId};
use serde::Serialize;
use time::OffsetDateTime;

/// How many live contacts a parent may have.
pub const MAX_CONTACTS_PER_PARENT: usize = 10;

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// Id.
    pub id: ContactId,
    /// The parent's school.
    pub school: SchoolId,
    /// The legal representative.
    pub parent: PersonId,
    /// E-mail, phone or messenger.
    pub kind: ContactKind,
    /// The messenger's network.
    pub network: Option<Network>,
    /// The normalised value.
    pub value: String,
    /// Where it came from.
    pub provenance: Provenance,
    /// The document (empty for the cabinet).
    pub basis: String,
    /// One of the parent's preferred channels.
    pub preferred: bool,
    /// The account that entered it.
    pub entered_by: Option<UserId>,
    /// Who entered it, as lists show them ("Смирнова Е. В."; the account's name when the
    /// account has no person).
    pub entered_by_name: Option<String>,
    /// When.
    pub entered_at: OffsetDateTime,
    /// When the parent confirmed it.
    pub verified_at: Option<OffsetDateTime>,
    /// When it was removed (kept for the history).
    pub removed_at: Option<OffsetDateTime>,
    /// Who removed it.
    pub removed_by: Option<UserId>,
    /// The latest verification code, if one was ever requested.
    pub code: Option<CodeState>,
}

/// The latest verification code of a contact, without its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeState {
    /// Link or SMS code.
    pub purpose: CodePurpose,
    /// Until when it may be used.
    pub expires_at: OffsetDateTime,
    /// Tries so far.
    pub attempts: i64,
    /// When it was used, if it was.
    pub used_at: Option<OffsetDateTime>,
}
