//! Parents' contacts and their verification codes. A contact is never deleted: removing one sets
//! `removed_at`, and lists skip it unless asked for the history. A code row keeps only the hash
//! of the code; the latest code of a contact is the one in force.

use crate::{Conn, Result, StoreError};
use tabel_domain::contact::{
    ChildPlace, CodePurpose, ContactKind, ContactValue, Network, Provenance,
};
use tabel_domain::text::short_name;
use tabel_domain::{ContactId, GroupId, PersonId, SchoolId, UserId};
use time::{Date, OffsetDateTime};

/// A contact to store.
#[derive(Debug, Clone, Copy)]
pub struct NewContact<'a> {
    /// The parent's school.
    pub school: SchoolId,
    /// The legal representative.
    pub parent: PersonId,
    /// The parsed value.
    pub value: &'a ContactValue,
    /// Where it came from.
    pub provenance: Provenance,
    /// The document (empty for the cabinet).
    pub basis: &'a str,
    /// One of the parent's preferred channels.
    pub preferred: bool,
    /// The account that entered it (none for imports and the demo).
    pub entered_by: Option<UserId>,
    /// The person who entered it.
    pub entered_by_person: Option<PersonId>,
    /// When.
    pub entered_at: OffsetDateTime,
    /// Confirmed already (imports and the demo), if so.
    pub verified_at: Option<OffsetDateTime>,
}

pub use tabel_domain::contact::CodeState;

pub use tabel_domain::contact::Contact;

#[derive(sqlx::FromRow)]
struct ContactRow {
    id: i64,
    school_id: i64,
    parent_id: i64,
    kind: String,
    network: Option<String>,
    value: String,
    provenance: String,
    basis: String,
    preferred: i64,
    entered_by: Option<i64>,
    ep_last: Option<String>,
    ep_first: Option<String>,
    ep_middle: Option<String>,
    eu_name: Option<String>,
    entered_at: OffsetDateTime,
    verified_at: Option<OffsetDateTime>,
    removed_at: Option<OffsetDateTime>,
    removed_by: Option<i64>,
    code_purpose: Option<String>,
    code_expires_at: Option<OffsetDateTime>,
    code_attempts: Option<i64>,
    code_used_at: Option<OffsetDateTime>,
}

impl TryFrom<ContactRow> for Contact {
    type Error = StoreError;
    fn try_from(r: ContactRow) -> Result<Self> {
        let entered_by_name = match (&r.ep_last, &r.ep_first) {
            (Some(last), Some(first)) => Some(short_name(last, first, r.ep_middle.as_deref())),
            _ => r.eu_name.clone(),
        };
        let code = match (r.code_purpose.as_deref(), r.code_expires_at) {
            (Some(purpose), Some(expires_at)) => Some(CodeState {
                purpose: CodePurpose::from_code(purpose)?,
                expires_at,
                attempts: r.code_attempts.unwrap_or(0),
                used_at: r.code_used_at,
            }),
            _ => None,
        };
        Ok(Contact {
            id: ContactId::new(r.id),
            school: SchoolId::new(r.school_id),
            parent: PersonId::new(r.parent_id),
            kind: ContactKind::from_code(&r.kind)?,
            network: r.network.as_deref().map(Network::from_code).transpose()?,
            value: r.value,
            provenance: Provenance::from_code(&r.provenance)?,
            basis: r.basis,
            preferred: r.preferred != 0,
            entered_by: r.entered_by.map(UserId::new),
            entered_by_name,
            entered_at: r.entered_at,
            verified_at: r.verified_at,
            removed_at: r.removed_at,
            removed_by: r.removed_by.map(UserId::new),
            code,
        })
    }
}

/// The contact columns with who entered them and the latest code, in [`ContactRow`]'s order.
macro_rules! contact_sql {
    ($tail:literal) => {
        concat!(
            "SELECT c.id, c.school_id, c.parent_id, c.kind, c.network, c.value, c.provenance, c.basis, ",
            "c.preferred, c.entered_by, ep.last_name AS ep_last, ep.first_name AS ep_first, ",
            "ep.middle_name AS ep_middle, eu.display_name AS eu_name, c.entered_at, c.verified_at, ",
            "c.removed_at, c.removed_by, k.purpose AS code_purpose, k.expires_at AS code_expires_at, ",
            "k.attempts AS code_attempts, k.used_at AS code_used_at ",
            "FROM contacts c ",
            "LEFT JOIN persons ep ON ep.id = c.entered_by_person ",
            "LEFT JOIN users eu ON eu.id = c.entered_by ",
            "LEFT JOIN contact_codes k ON k.id = ",
            "(SELECT MAX(k2.id) FROM contact_codes k2 WHERE k2.contact_id = c.id) ",
            $tail
        )
    };
}

fn contacts(rows: Vec<ContactRow>) -> Result<Vec<Contact>> {
    rows.into_iter().map(Contact::try_from).collect()
}

/// Stores a contact; returns its id. A live duplicate (same parent, kind, network and value)
/// is [`StoreError::Duplicate`].
pub async fn insert_contact(conn: &mut Conn<'_>, c: &NewContact<'_>) -> Result<ContactId> {
    const SQL: &str = "INSERT INTO contacts (school_id, parent_id, kind, network, value, provenance, basis, \
         preferred, entered_by, entered_by_person, entered_at, verified_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
    Ok(ContactId::new(fetch_scalar!(
        conn,
        i64,
        SQL,
        c.school.get(),
        c.parent.get(),
        c.value.kind().code(),
        c.value.network().map(Network::code),
        c.value.as_str(),
        c.provenance.code(),
        c.basis,
        i64::from(c.preferred),
        c.entered_by.map(UserId::get),
        c.entered_by_person.map(PersonId::get),
        c.entered_at,
        c.verified_at
    )?))
}

/// One contact, live or removed.
pub async fn get_contact(conn: &mut Conn<'_>, id: ContactId) -> Result<Option<Contact>> {
    const SQL: &str = contact_sql!("WHERE c.id = $1");
    fetch_optional!(conn, ContactRow, SQL, id.get())?
        .map(Contact::try_from)
        .transpose()
}

/// A parent's contacts in the order entered: the live ones, or with `history` the removed ones
/// too.
pub async fn contacts_of_parent(
    conn: &mut Conn<'_>,
    parent: PersonId,
    history: bool,
) -> Result<Vec<Contact>> {
    const SQL: &str =
        contact_sql!("WHERE c.parent_id = $1 AND ($2 = 1 OR c.removed_at IS NULL) ORDER BY c.id");
    contacts(fetch_all!(
        conn,
        ContactRow,
        SQL,
        parent.get(),
        i64::from(history)
    )?)
}

/// The live contact of a parent with this kind, network and value, if any.
pub async fn live_duplicate(
    conn: &mut Conn<'_>,
    parent: PersonId,
    value: &ContactValue,
) -> Result<Option<ContactId>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
    }
    const SQL: &str = "SELECT id FROM contacts WHERE parent_id = $1 AND kind = $2 \
         AND COALESCE(network, '') = $3 AND value = $4 AND removed_at IS NULL";
    Ok(fetch_optional!(
        conn,
        Row,
        SQL,
        parent.get(),
        value.kind().code(),
        value.network().map_or("", Network::code),
        value.as_str()
    )?
    .map(|r| ContactId::new(r.id)))
}

/// How many live contacts a parent has.
pub async fn count_live(conn: &mut Conn<'_>, parent: PersonId) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM contacts \
         WHERE parent_id = $1 AND removed_at IS NULL";
    Ok(fetch_scalar!(conn, i64, SQL, parent.get())?)
}

/// Marks a live contact removed; `false` when it was not live.
pub async fn remove_contact(
    conn: &mut Conn<'_>,
    id: ContactId,
    by: Option<UserId>,
    now: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str = "UPDATE contacts SET removed_at = $2, removed_by = $3, preferred = 0 \
         WHERE id = $1 AND removed_at IS NULL";
    Ok(execute!(conn, SQL, id.get(), now, by.map(UserId::get))? > 0)
}

/// Sets whether a live contact is a preferred channel; `false` when it was not live.
pub async fn set_preferred(conn: &mut Conn<'_>, id: ContactId, preferred: bool) -> Result<bool> {
    const SQL: &str = "UPDATE contacts SET preferred = $2 WHERE id = $1 AND removed_at IS NULL";
    Ok(execute!(conn, SQL, id.get(), i64::from(preferred))? > 0)
}

/// Marks a live, unconfirmed contact confirmed; `false` when it was not (removed meanwhile, or
/// confirmed already).
pub async fn set_verified(conn: &mut Conn<'_>, id: ContactId, at: OffsetDateTime) -> Result<bool> {
    const SQL: &str = "UPDATE contacts SET verified_at = $2 \
         WHERE id = $1 AND removed_at IS NULL AND verified_at IS NULL";
    Ok(execute!(conn, SQL, id.get(), at)? > 0)
}

/// A verification code to store (its hash only).
#[derive(Debug, Clone, Copy)]
pub struct NewCode<'a> {
    /// The contact's school.
    pub school: SchoolId,
    /// The contact.
    pub contact: ContactId,
    /// Link or SMS code.
    pub purpose: CodePurpose,
    /// SHA-256 of the code, hex.
    pub code_hash: &'a str,
    /// Who asked for it.
    pub requested_by: Option<UserId>,
    /// When.
    pub created_at: OffsetDateTime,
    /// Until when it may be used.
    pub expires_at: OffsetDateTime,
}

/// A stored code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    /// Id.
    pub id: i64,
    /// The contact's school.
    pub school: SchoolId,
    /// The contact.
    pub contact: ContactId,
    /// Link or SMS code.
    pub purpose: CodePurpose,
    /// SHA-256 of the code, hex.
    pub code_hash: String,
    /// When made.
    pub created_at: OffsetDateTime,
    /// Until when it may be used.
    pub expires_at: OffsetDateTime,
    /// Tries so far.
    pub attempts: i64,
    /// When used.
    pub used_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    id: i64,
    school_id: i64,
    contact_id: i64,
    purpose: String,
    code_hash: String,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    attempts: i64,
    used_at: Option<OffsetDateTime>,
}

impl TryFrom<CodeRow> for StoredCode {
    type Error = StoreError;
    fn try_from(r: CodeRow) -> Result<Self> {
        Ok(StoredCode {
            id: r.id,
            school: SchoolId::new(r.school_id),
            contact: ContactId::new(r.contact_id),
            purpose: CodePurpose::from_code(&r.purpose)?,
            code_hash: r.code_hash,
            created_at: r.created_at,
            expires_at: r.expires_at,
            attempts: r.attempts,
            used_at: r.used_at,
        })
    }
}

macro_rules! code_sql {
    ($tail:literal) => {
        concat!(
            "SELECT id, school_id, contact_id, purpose, code_hash, created_at, expires_at, attempts, used_at ",
            "FROM contact_codes ",
            $tail
        )
    };
}

/// Stores a code; returns its id.
pub async fn insert_code(conn: &mut Conn<'_>, c: &NewCode<'_>) -> Result<i64> {
    const SQL: &str = "INSERT INTO contact_codes (school_id, contact_id, purpose, code_hash, requested_by, \
         created_at, expires_at, attempts) VALUES ($1, $2, $3, $4, $5, $6, $7, 0) RETURNING id";
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        c.school.get(),
        c.contact.get(),
        c.purpose.code(),
        c.code_hash,
        c.requested_by.map(UserId::get),
        c.created_at,
        c.expires_at
    )?)
}

/// The latest code of a contact: the one in force (earlier ones are superseded).
pub async fn latest_code(conn: &mut Conn<'_>, contact: ContactId) -> Result<Option<StoredCode>> {
    const SQL: &str = code_sql!("WHERE contact_id = $1 ORDER BY id DESC LIMIT 1");
    fetch_optional!(conn, CodeRow, SQL, contact.get())?
        .map(StoredCode::try_from)
        .transpose()
}

/// The code with this purpose and hash (an e-mail link's token), if any.
pub async fn code_by_hash(
    conn: &mut Conn<'_>,
    purpose: CodePurpose,
    hash: &str,
) -> Result<Option<StoredCode>> {
    const SQL: &str = code_sql!("WHERE code_hash = $1 AND purpose = $2 ORDER BY id DESC LIMIT 1");
    fetch_optional!(conn, CodeRow, SQL, hash, purpose.code())?
        .map(StoredCode::try_from)
        .transpose()
}

/// When the latest `limit` codes of a contact were made, newest first (the caller counts those
/// inside its window: instants are compared in Rust, never in SQL).
pub async fn recent_code_times(
    conn: &mut Conn<'_>,
    contact: ContactId,
    limit: i64,
) -> Result<Vec<OffsetDateTime>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        created_at: OffsetDateTime,
    }
    const SQL: &str =
        "SELECT created_at FROM contact_codes WHERE contact_id = $1 ORDER BY id DESC LIMIT $2";
    Ok(fetch_all!(conn, Row, SQL, contact.get(), limit)?
        .into_iter()
        .map(|r| r.created_at)
        .collect())
}

/// Takes one attempt of an unused code with fewer than `max` attempts: the count goes up in the
/// same statement that checks it, so concurrent tries cannot exceed `max`. Returns the new
/// count, or `None` when the code is used or out of attempts.
pub async fn take_attempt(conn: &mut Conn<'_>, code: i64, max: i64) -> Result<Option<i64>> {
    const SQL: &str = "UPDATE contact_codes SET attempts = attempts + 1 \
         WHERE id = $1 AND used_at IS NULL AND attempts < $2 RETURNING attempts";
    #[derive(sqlx::FromRow)]
    struct Row {
        attempts: i64,
    }
    Ok(fetch_optional!(conn, Row, SQL, code, max)?.map(|r| r.attempts))
}

/// Marks a code used; `false` when it was used already.
pub async fn use_code(conn: &mut Conn<'_>, code: i64, now: OffsetDateTime) -> Result<bool> {
    const SQL: &str = "UPDATE contact_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL";
    Ok(execute!(conn, SQL, code, now)? > 0)
}

/// The children a person is linked to now, each with their school and class on `on`: what
/// access to the person's contacts depends on.
pub async fn children_places(
    conn: &mut Conn<'_>,
    parent: PersonId,
    on: Date,
) -> Result<Vec<ChildPlace>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        student_id: i64,
        school_id: i64,
        class_id: Option<i64>,
    }
    const SQL: &str = "SELECT g.student_id, s.school_id, \
         (SELECT m.group_id FROM memberships m JOIN study_groups sg ON sg.id = m.group_id \
          WHERE m.student_id = g.student_id AND sg.kind = 'class' AND m.starts_on <= $2 \
          AND (m.ends_on IS NULL OR m.ends_on >= $2) ORDER BY m.starts_on DESC, m.id DESC LIMIT 1) AS class_id \
         FROM guardianships g JOIN students s ON s.person_id = g.student_id \
         WHERE g.parent_id = $1 AND g.ended_at IS NULL ORDER BY g.student_id";
    Ok(fetch_all!(conn, Row, SQL, parent.get(), on)?
        .into_iter()
        .map(|r| ChildPlace {
            student: PersonId::new(r.student_id),
            school: SchoolId::new(r.school_id),
            class: r.class_id.map(GroupId::new),
        })
        .collect())
}

/// A student's school and class on `on`, as access to their parents' contacts sees it.
pub async fn student_place(
    conn: &mut Conn<'_>,
    student: PersonId,
    on: Date,
) -> Result<Option<ChildPlace>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        school_id: i64,
        class_id: Option<i64>,
    }
    const SQL: &str = "SELECT s.school_id, \
         (SELECT m.group_id FROM memberships m JOIN study_groups sg ON sg.id = m.group_id \
          WHERE m.student_id = s.person_id AND sg.kind = 'class' AND m.starts_on <= $2 \
          AND (m.ends_on IS NULL OR m.ends_on >= $2) ORDER BY m.starts_on DESC, m.id DESC LIMIT 1) AS class_id \
         FROM students s WHERE s.person_id = $1";
    Ok(
        fetch_optional!(conn, Row, SQL, student.get(), on)?.map(|r| ChildPlace {
            student,
            school: SchoolId::new(r.school_id),
            class: r.class_id.map(GroupId::new),
        }),
    )
}
