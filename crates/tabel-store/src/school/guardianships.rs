//! Parent↔child links (guardianships) and the consents parents give for a child.

use super::PairRow;
use super::people::PersonRow;
use crate::{Conn, Result};
use tabel_domain::school::PersonSummary;
use tabel_domain::school::{ConsentPurpose, ConsentState, Relation};
use tabel_domain::*;
use time::{Date, OffsetDateTime};

/// A new parent↔child link.
#[derive(Debug, Clone)]
pub struct NewGuardianship {
    /// The school.
    pub school: SchoolId,
    /// The legal representative.
    pub parent: PersonId,
    /// The child.
    pub student: PersonId,
    /// How related.
    pub relation: Relation,
    /// When the school confirmed it.
    pub confirmed_at: OffsetDateTime,
    /// Who confirmed it (a user), if not the system.
    pub confirmed_by: Option<UserId>,
}

const INSERT_GUARDIANSHIP: &str = "INSERT INTO guardianships (school_id, parent_id, student_id, relation, confirmed_at, confirmed_by, ended_at) \
     VALUES ($1, $2, $3, $4, $5, $6, NULL) RETURNING id";
/// Links a legal representative to a child.
pub async fn insert_guardianship(
    conn: &mut Conn<'_>,
    g: &NewGuardianship,
) -> Result<GuardianshipId> {
    Ok(GuardianshipId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_GUARDIANSHIP,
        g.school.get(),
        g.parent.get(),
        g.student.get(),
        g.relation.code(),
        g.confirmed_at,
        g.confirmed_by.map(UserId::get)
    )?))
}

const SELECT_ACTIVE_LINK: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM guardianships \
     WHERE parent_id = $1 AND student_id = $2 AND ended_at IS NULL";
/// Whether a parent is already linked to a child.
pub async fn is_linked(conn: &mut Conn<'_>, parent: PersonId, student: PersonId) -> Result<bool> {
    Ok(fetch_scalar!(conn, i64, SELECT_ACTIVE_LINK, parent.get(), student.get())? > 0)
}

pub use tabel_domain::school::ChildLink;

#[derive(sqlx::FromRow)]
struct ChildRow {
    id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    sex: String,
    birth_date: Option<Date>,
    school_id: i64,
    relation: String,
    diary: Option<String>,
    delivery: Option<String>,
}

// The latest consent per purpose: the row with the greatest id (consents are append-only).
const SELECT_CHILDREN: &str = "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.sex, p.birth_date, g.school_id, g.relation, \
     (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'diary' ORDER BY c.id DESC LIMIT 1) AS diary, \
     (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'electronic_delivery' ORDER BY c.id DESC LIMIT 1) AS delivery \
     FROM guardianships g JOIN persons p ON p.id = g.student_id \
     WHERE g.parent_id = $1 AND g.ended_at IS NULL ORDER BY p.birth_date, p.id";
/// The children a person is the legal representative of, with consent states.
pub async fn children_of(conn: &mut Conn<'_>, parent: PersonId) -> Result<Vec<ChildLink>> {
    fetch_all!(conn, ChildRow, SELECT_CHILDREN, parent.get())?
        .into_iter()
        .map(|r| {
            Ok(ChildLink {
                school: SchoolId::new(r.school_id),
                relation: Relation::from_code(&r.relation)?,
                diary_consent: r
                    .diary
                    .as_deref()
                    .map(ConsentState::from_code)
                    .transpose()?,
                delivery_consent: r
                    .delivery
                    .as_deref()
                    .map(ConsentState::from_code)
                    .transpose()?,
                student: PersonSummary::try_from(PersonRow {
                    id: r.id,
                    last_name: r.last_name,
                    first_name: r.first_name,
                    middle_name: r.middle_name,
                    sex: r.sex,
                    birth_date: r.birth_date,
                })?,
            })
        })
        .collect()
}

const SELECT_FAMILY_CONSENT: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM guardianships g \
     WHERE g.student_id = $1 AND g.ended_at IS NULL AND \
     (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'diary' ORDER BY c.id DESC LIMIT 1) = 'given'";
/// Whether at least one current legal representative of the child has the diary consent in
/// force (their latest diary record is `given`): the condition of the pupil's own account.
pub async fn family_consents(conn: &mut Conn<'_>, student: PersonId) -> Result<bool> {
    Ok(fetch_scalar!(conn, i64, SELECT_FAMILY_CONSENT, student.get())? > 0)
}

const SELECT_PARENTS: &str = "SELECT p.id AS person_id, g.relation AS label FROM guardianships g \
     JOIN persons p ON p.id = g.parent_id WHERE g.student_id = $1 AND g.ended_at IS NULL ORDER BY p.id";
/// The legal representatives of a child: (person, relation).
pub async fn parents_of(
    conn: &mut Conn<'_>,
    student: PersonId,
) -> Result<Vec<(PersonId, Relation)>> {
    fetch_all!(conn, PairRow, SELECT_PARENTS, student.get())?
        .into_iter()
        .map(|r| Ok((PersonId::new(r.person_id), Relation::from_code(&r.label)?)))
        .collect()
}

/// A new consent record (append-only).
#[derive(Debug, Clone)]
pub struct NewConsent<'a> {
    /// The school.
    pub school: SchoolId,
    /// The legal representative.
    pub parent: PersonId,
    /// The child.
    pub student: PersonId,
    /// What for.
    pub purpose: ConsentPurpose,
    /// Given, refused or withdrawn.
    pub state: ConsentState,
    /// Which version of the consent text.
    pub text_version: &'a str,
    /// The basis: "заявление № 12 от 01.09.2026", an electronic document id.
    pub basis: &'a str,
    /// Who recorded it.
    pub recorded_by: Option<UserId>,
    /// When.
    pub recorded_at: OffsetDateTime,
}

const INSERT_CONSENT: &str = "INSERT INTO consents (school_id, parent_id, student_id, purpose, state, text_version, basis, recorded_by, recorded_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
/// Appends a consent record.
pub async fn insert_consent(conn: &mut Conn<'_>, c: &NewConsent<'_>) -> Result<i64> {
    Ok(fetch_scalar!(
        conn,
        i64,
        INSERT_CONSENT,
        c.school.get(),
        c.parent.get(),
        c.student.get(),
        c.purpose.code(),
        c.state.code(),
        c.text_version,
        c.basis,
        c.recorded_by.map(UserId::get),
        c.recorded_at
    )?)
}
