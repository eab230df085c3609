//! Parents' contacts (regulation point 7): e-mail addresses, phone numbers and messenger
//! handles with their provenance, who entered them, their verification and the parent's
//! preferred channels.
//!
//! Who may do what (default deny, see [`tabel_domain::contact::contact_access`]):
//! - the parent themself reads their contacts, adds their own (entered in the cabinet), removes
//!   them, chooses the preferred channels, asks for a code and confirms it;
//! - the school's administrator, its deputy head and the class teacher of the parent's child
//!   read them and register contacts from a written application or an electronic document (the
//!   basis is required), remove them, set preferences and ask for a code (the parent confirms);
//! - nobody else: another parent or a teacher without the class gets 404/403.
//!
//! Verification: [`App::start_verification`] makes a code — a long random token for an e-mail
//! link (`/contacts/verify/{token}`, valid a day), six digits for a phone (valid 15 minutes) —
//! stores only its SHA-256, writes the outbox event `contact.verification_requested` (without the
//! code), hands the code to the notifier's courier once committed (see
//! [`crate::notify::CodeCourier`]) and returns it to its caller too (tests and tools).
//! A code is tried at most [`MAX_ATTEMPTS`] times, compared in constant time; a new code
//! supersedes the old one; a contact gets at most [`MAX_CODES_PER_WINDOW`] codes a day.
//!
//! Every change appends an audit record (never with a code) and an outbox event in the same
//! transaction. A removed contact is kept, marked removed.

use crate::{App, AppError, Client, FieldErrors, check};
use std::fmt;
use tabel_domain::access::Principal;
use tabel_domain::contact::{
    CODE_WINDOW, CodePurpose, ContactAccess, ContactKind, ContactValue, MAX_ATTEMPTS,
    MAX_CODES_PER_WINDOW, MAX_CONTACTS_PER_PARENT, ParentFacts, Provenance, code_hash,
    contact_access, hashes_match, parse_basis, six_digits, staff_access_for_child, typed_code,
};
use tabel_domain::school::Relation;
use tabel_domain::{ContactId, PersonId, SchoolId, UserId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::contact::{self as repo, Contact, NewCode, NewContact};
use tabel_store::school::{self as school_repo, PersonSummary, StudentCard};
use tabel_store::{Conn, StoreError, outbox};
use time::{Date, OffsetDateTime};

mod verify;

pub use verify::*;

/// Why a contact or a code was refused: the messages of [`AppError::Invalid`] and
/// [`AppError::Conflict`], stable so that the pages can show them in the user's language.
pub mod refusal {
    /// The code does not match.
    pub const WRONG_CODE: &str = "the code is wrong";
    /// The code's time is up.
    pub const EXPIRED: &str = "the code has expired; ask for a new one";
    /// Five tries spent.
    pub const TOO_MANY_ATTEMPTS: &str = "the code was tried too many times; ask for a new one";
    /// No code in force (never asked for, used, or superseded by a newer one).
    pub const NO_CODE: &str = "no code is in force for this contact; ask for a new one";
    /// A phone code sent for an e-mail address (confirmed by its link).
    pub const BY_LINK: &str = "an e-mail address is confirmed by the link sent to it";
    /// Messengers have no channel to send a code through yet.
    pub const NOT_VERIFIABLE: &str = "messenger handles cannot be confirmed yet";
    /// Confirmed already.
    pub const ALREADY_VERIFIED: &str = "this contact is confirmed already";
    /// A live duplicate.
    pub const DUPLICATE: &str = "this contact is registered for this parent already";
    /// The parent has the most contacts allowed.
    pub const TOO_MANY_CONTACTS: &str = "a parent has at most 10 contacts; remove one first";
    /// A parent naming a document as the provenance of their own entry.
    pub const CABINET_ONLY: &str = "contacts a parent enters themselves are entered in the cabinet";
    /// Staff registering without a document.
    pub const DOCUMENT_REQUIRED: &str =
        "register a contact from a written application or an electronic document";
    /// A preferred channel that is not one of the parent's live contacts.
    pub const NOT_THEIRS: &str = "not a contact of this parent";
}

/// A contact as a form or request gives it.
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    /// `email`, `phone` or `messenger`.
    pub kind: String,
    /// `telegram`, `max` or `vk` for a messenger (ignored otherwise).
    pub network: Option<String>,
    /// The value as typed.
    pub value: String,
    /// Staff: `written_application` or `electronic_document`; a parent: none or `cabinet`.
    pub provenance: Option<String>,
    /// Staff: the application's number and date, or the document's identifier.
    pub basis: Option<String>,
    /// One of the parent's preferred channels.
    pub preferred: bool,
}

/// A child's legal representative with their contacts, for the staff page.
#[derive(Debug, Clone)]
pub struct ParentContacts {
    /// The parent.
    pub parent: PersonSummary,
    /// How related to the child.
    pub relation: Relation,
    /// Their contacts, the removed ones too (marked).
    pub contacts: Vec<Contact>,
}

/// A student with the contacts of their legal representatives.
#[derive(Debug, Clone)]
pub struct StudentContacts {
    /// The student.
    pub student: StudentCard,
    /// The parents, each with contacts.
    pub parents: Vec<ParentContacts>,
}

/// The audit record's view of a contact (the value is the parent's personal data, kept in the
/// school's own history like every other record; codes never appear).
fn contact_json(c: &Contact) -> serde_json::Value {
    serde_json::json!({
        "id": c.id.to_string(), "parent_id": c.parent.to_string(), "kind": c.kind.code(),
        "network": c.network.map(|n| n.code()), "value": c.value, "provenance": c.provenance.code(),
        "basis": c.basis, "preferred": c.preferred,
        "verified_at": c.verified_at.map(|t| t.unix_timestamp()),
        "removed_at": c.removed_at.map(|t| t.unix_timestamp()),
    })
}

/// The outbox's view: what changed for whom, without the value.
fn event_json(c: &Contact) -> serde_json::Value {
    serde_json::json!({
        "contact_id": c.id.to_string(), "parent_id": c.parent.to_string(), "kind": c.kind.code(),
        "network": c.network.map(|n| n.code()), "provenance": c.provenance.code(),
        "preferred": c.preferred, "verified": c.verified_at.is_some(),
    })
}

/// One audited change of a contact.
struct Change<'a> {
    action: &'a str,
    school: SchoolId,
    contact: ContactId,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

async fn write_audit(
    c: &mut Conn<'_>,
    actor: Option<UserId>,
    change: Change<'_>,
    (client, at): (&Client, OffsetDateTime),
) -> Result<(), AppError> {
    audit::append(
        c,
        &AuditEntry {
            chain: change.school.get(),
            at,
            actor: actor.map(UserId::get),
            action: change.action,
            entity: "contact",
            entity_id: change.contact.to_string(),
            before: change.before,
            after: change.after,
            reason: None,
            origin: Some(&client.address),
        },
    )
    .await?;
    Ok(())
}

/// Who `p` is to the parent's contacts; 404/403 otherwise.
async fn access(
    c: &mut Conn<'_>,
    p: &Principal,
    parent: PersonId,
    today: Date,
) -> Result<ContactAccess, AppError> {
    let facts = ParentFacts {
        parent,
        children: repo::children_places(c, parent, today).await?,
    };
    contact_access(p, &facts).map_err(|d| match check(d) {
        Err(e) => e,
        Ok(()) => AppError::NotFound,
    })
}

/// A live contact, or 404.
async fn live_contact(c: &mut Conn<'_>, id: ContactId) -> Result<Contact, AppError> {
    match repo::get_contact(c, id).await? {
        Some(contact) if contact.removed_at.is_none() => Ok(contact),
        _ => Err(AppError::NotFound),
    }
}

async fn reload(c: &mut Conn<'_>, id: ContactId) -> Result<Contact, AppError> {
    repo::get_contact(c, id).await?.ok_or(AppError::NotFound)
}

/// Which provenance an entry gets: the cabinet for the parent's own; a named document for staff.
fn provenance_of(access: ContactAccess, raw: Option<&str>, errors: &mut FieldErrors) -> Provenance {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty());
    match (access, raw) {
        (ContactAccess::Own, None) => Provenance::Cabinet,
        (ContactAccess::Own, Some(code)) => {
            if Provenance::from_code(code) != Ok(Provenance::Cabinet) {
                errors.insert("provenance".into(), refusal::CABINET_ONLY.into());
            }
            Provenance::Cabinet
        }
        (ContactAccess::Staff, Some(code)) => match Provenance::from_code(code) {
            Ok(p) if p.is_documented() => p,
            _ => {
                errors.insert("provenance".into(), refusal::DOCUMENT_REQUIRED.into());
                Provenance::WrittenApplication
            }
        },
        (ContactAccess::Staff, None) => {
            errors.insert("provenance".into(), refusal::DOCUMENT_REQUIRED.into());
            Provenance::WrittenApplication
        }
    }
}

impl App {
    /// A parent's contacts in the order entered (with `history`, the removed ones too): the
    /// parent themself, or staff who may manage them.
    pub async fn parent_contacts(
        &self,
        p: &Principal,
        parent: PersonId,
        history: bool,
    ) -> Result<Vec<Contact>, AppError> {
        let mut c = self.db.acquire().await?;
        access(&mut c.conn(), p, parent, self.today()).await?;
        Ok(repo::contacts_of_parent(&mut c.conn(), parent, history).await?)
    }

    /// The user's own live contacts (a legal representative); 404 for anyone who is not one.
    pub async fn my_contacts(&self, p: &Principal) -> Result<Vec<Contact>, AppError> {
        let me = p.person.ok_or(AppError::NotFound)?;
        self.parent_contacts(p, me, false).await
    }

    /// A student's legal representatives with their contacts (removed ones too), for the
    /// school's staff who may manage them: the administrator, the deputy head, the class
    /// teacher of the student's class.
    pub async fn student_contacts(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<StudentContacts, AppError> {
        let mut conn = self.db.acquire().await?;
        let c = &mut conn.conn();
        let place = repo::student_place(c, student, self.today())
            .await?
            .ok_or(AppError::NotFound)?;
        check(staff_access_for_child(p, &place))?;
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut parents = Vec::new();
        for (parent, relation) in school_repo::parents_of(c, student).await? {
            let Some((_, person)) = school_repo::get_person(c, parent).await? else {
                continue;
            };
            parents.push(ParentContacts {
                parent: person,
                relation,
                contacts: repo::contacts_of_parent(c, parent, true).await?,
            });
        }
        Ok(StudentContacts {
            student: card,
            parents,
        })
    }

    /// Adds a contact for a parent: the parent's own entry (provenance cabinet), or staff's
    /// registration from a written application or an electronic document (basis required).
    /// A live duplicate is 409; a bad value is 422 naming the field.
    #[tracing::instrument(skip_all, fields(parent = %parent))]
    pub async fn add_contact(
        &self,
        p: &Principal,
        parent: PersonId,
        input: &ContactInput,
        client: &Client,
    ) -> Result<Contact, AppError> {
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let who = access(c, p, parent, self.today()).await?;
        let mut errors = FieldErrors::new();
        let value = ContactValue::parse(
            &input.kind,
            input.network.as_deref().unwrap_or(""),
            &input.value,
        )
        .map_err(|e| errors.insert(e.field().into(), e.to_string()))
        .ok();
        let provenance = provenance_of(who, input.provenance.as_deref(), &mut errors);
        let basis = parse_basis(provenance, input.basis.as_deref().unwrap_or(""))
            .map_err(|e| errors.insert(e.field().into(), e.to_string()))
            .ok();
        let (Some(value), Some(basis)) = (value, basis) else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        if repo::live_duplicate(c, parent, &value).await?.is_some() {
            return Err(AppError::Conflict(refusal::DUPLICATE.into()));
        }
        let live = repo::count_live(c, parent).await?;
        if usize::try_from(live).unwrap_or(usize::MAX) >= MAX_CONTACTS_PER_PARENT {
            return Err(AppError::invalid("value", refusal::TOO_MANY_CONTACTS));
        }
        let school = school_repo::get_person(c, parent)
            .await?
            .map(|(s, _)| s)
            .ok_or(AppError::NotFound)?;
        let now = self.now();
        let id = repo::insert_contact(
            c,
            &NewContact {
                school,
                parent,
                value: &value,
                provenance,
                basis: &basis,
                preferred: input.preferred,
                entered_by: Some(p.user),
                entered_by_person: p.person,
                entered_at: now,
                verified_at: None,
            },
        )
        .await
        .map_err(|e| match e {
            // Raced with the same entry: the unique index keeps one.
            StoreError::Duplicate(_) => AppError::Conflict(refusal::DUPLICATE.into()),
            e => e.into(),
        })?;
        let stored = reload(c, id).await?;
        let action = match who {
            ContactAccess::Own => "contact.add",
            ContactAccess::Staff => "contact.register",
        };
        write_audit(
            c,
            Some(p.user),
            Change {
                action,
                school,
                contact: id,
                before: None,
                after: Some(contact_json(&stored)),
            },
            (client, now),
        )
        .await?;
        outbox::emit(c, Some(school), "contact.added", &event_json(&stored), now).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Removes a contact (the parent, or staff who may manage the parent's contacts). The row
    /// stays, marked removed; its codes die with it.
    #[tracing::instrument(skip_all, fields(contact = %id))]
    pub async fn remove_contact(
        &self,
        p: &Principal,
        id: ContactId,
        client: &Client,
    ) -> Result<Contact, AppError> {
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let before = live_contact(c, id).await?;
        access(c, p, before.parent, self.today()).await?;
        let now = self.now();
        if !repo::remove_contact(c, id, Some(p.user), now).await? {
            return Err(AppError::NotFound);
        }
        let after = reload(c, id).await?;
        write_audit(
            c,
            Some(p.user),
            Change {
                action: "contact.remove",
                school: before.school,
                contact: id,
                before: Some(contact_json(&before)),
                after: Some(contact_json(&after)),
            },
            (client, now),
        )
        .await?;
        outbox::emit(
            c,
            Some(before.school),
            "contact.removed",
            &event_json(&after),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Makes a contact one of the parent's preferred channels, or not (the parent, or staff
    /// recording the parent's wish). Setting what is already set changes nothing.
    #[tracing::instrument(skip_all, fields(contact = %id, preferred))]
    pub async fn set_contact_preferred(
        &self,
        p: &Principal,
        id: ContactId,
        preferred: bool,
        client: &Client,
    ) -> Result<Contact, AppError> {
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let before = live_contact(c, id).await?;
        access(c, p, before.parent, self.today()).await?;
        if before.preferred == preferred {
            return Ok(before);
        }
        let now = self.now();
        self.write_preferred(c, p, &before, preferred, (client, now))
            .await?;
        let after = reload(c, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets the parent's preferred channels at once: the listed contacts become preferred, the
    /// parent's other live contacts not. Each change is audited; nothing changes when one of
    /// the ids is not a live contact of the parent.
    #[tracing::instrument(skip_all, fields(parent = %parent, n = preferred.len()))]
    pub async fn set_preferred_channels(
        &self,
        p: &Principal,
        parent: PersonId,
        preferred: &[ContactId],
        client: &Client,
    ) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        access(c, p, parent, self.today()).await?;
        let live = repo::contacts_of_parent(c, parent, false).await?;
        if preferred.iter().any(|id| !live.iter().any(|l| l.id == *id)) {
            return Err(AppError::invalid("preferred", refusal::NOT_THEIRS));
        }
        let now = self.now();
        for contact in &live {
            let wanted = preferred.contains(&contact.id);
            if wanted != contact.preferred {
                self.write_preferred(c, p, contact, wanted, (client, now))
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn write_preferred(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        before: &Contact,
        preferred: bool,
        (client, now): (&Client, OffsetDateTime),
    ) -> Result<(), AppError> {
        if !repo::set_preferred(c, before.id, preferred).await? {
            return Err(AppError::NotFound);
        }
        let after = Contact {
            preferred,
            ..before.clone()
        };
        write_audit(
            c,
            Some(p.user),
            Change {
                action: "contact.preferred",
                school: before.school,
                contact: before.id,
                before: Some(serde_json::json!({ "preferred": before.preferred })),
                after: Some(serde_json::json!({ "preferred": preferred })),
            },
            (client, now),
        )
        .await?;
        outbox::emit(
            c,
            Some(before.school),
            "contact.preferences_changed",
            &event_json(&after),
            now,
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn codes_have_their_shapes_and_never_show_in_debug() {
        let link = new_secret(CodePurpose::EmailLink).unwrap();
        assert_eq!(link.len(), 64);
        assert!(link.chars().all(|c| c.is_ascii_hexdigit()));
        for _ in 0..100 {
            let code = new_secret(CodePurpose::PhoneCode).unwrap();
            assert_eq!(code.len(), 6);
            assert!(code.chars().all(|c| c.is_ascii_digit()));
        }
        let v = VerificationCode {
            contact: ContactId::new(7),
            purpose: CodePurpose::EmailLink,
            secret: link.clone(),
            expires_at: OffsetDateTime::UNIX_EPOCH,
        };
        assert!(!format!("{v:?}").contains(&link));
        assert_eq!(v.link_path().unwrap(), format!("/contacts/verify/{link}"));
    }

    #[test]
    fn a_parent_enters_in_the_cabinet_and_staff_from_a_document() {
        let mut e = FieldErrors::new();
        assert_eq!(
            provenance_of(ContactAccess::Own, None, &mut e),
            Provenance::Cabinet
        );
        assert_eq!(
            provenance_of(ContactAccess::Own, Some("cabinet"), &mut e),
            Provenance::Cabinet
        );
        assert!(e.is_empty());
        provenance_of(ContactAccess::Own, Some("written_application"), &mut e);
        assert_eq!(e["provenance"], refusal::CABINET_ONLY);
        let mut e = FieldErrors::new();
        assert_eq!(
            provenance_of(ContactAccess::Staff, Some("electronic_document"), &mut e),
            Provenance::ElectronicDocument
        );
        assert!(e.is_empty());
        for bad in [None, Some("cabinet"), Some("fax")] {
            let mut e = FieldErrors::new();
            provenance_of(ContactAccess::Staff, bad, &mut e);
            assert_eq!(e["provenance"], refusal::DOCUMENT_REQUIRED, "{bad:?}");
        }
    }
}
