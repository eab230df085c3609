//! The consent registry: append-only records of a legal representative's consent, refusal or
//! withdrawal for a child and a purpose, with their basis; scans of the paper beside them; the
//! registry of a class (every pupil × representative with the state in force).

use crate::{Conn, Result, StoreError};
use tabel_domain::ConsentId;
use tabel_domain::consent::{Basis, BasisKind};
use tabel_domain::school::{ConsentPurpose, ConsentState, Relation};
use tabel_domain::{GroupId, PersonId, SchoolId, UserId};
use time::{Date, OffsetDateTime};

/// A record to append.
#[derive(Debug, Clone)]
pub struct NewRecord<'a> {
    /// The school.
    pub school: SchoolId,
    /// The legal representative.
    pub parent: PersonId,
    /// The child.
    pub student: PersonId,
    /// What for.
    pub purpose: ConsentPurpose,
    /// Given, refused, withdrawn.
    pub state: ConsentState,
    /// The consent text's version.
    pub text_version: &'a str,
    /// The basis.
    pub basis: &'a Basis,
    /// A note.
    pub note: &'a str,
    /// Who recorded it.
    pub recorded_by: Option<UserId>,
    /// When.
    pub recorded_at: OffsetDateTime,
}

pub use tabel_domain::consent::ConsentRecord;

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: i64,
    school_id: i64,
    parent_id: i64,
    student_id: i64,
    purpose: String,
    state: String,
    text_version: String,
    basis: String,
    basis_kind: String,
    document_number: Option<String>,
    document_date: Option<Date>,
    document_id: Option<String>,
    signature: Option<String>,
    note: String,
    login: Option<String>,
    recorded_at: OffsetDateTime,
    scans: i64,
}

impl TryFrom<RecordRow> for ConsentRecord {
    type Error = StoreError;
    fn try_from(r: RecordRow) -> Result<ConsentRecord> {
        Ok(ConsentRecord {
            id: ConsentId::new(r.id),
            school: SchoolId::new(r.school_id),
            parent: PersonId::new(r.parent_id),
            student: PersonId::new(r.student_id),
            purpose: ConsentPurpose::from_code(&r.purpose)?,
            state: ConsentState::from_code(&r.state)?,
            text_version: r.text_version,
            basis_text: r.basis,
            basis: Basis {
                kind: BasisKind::from_code(&r.basis_kind).unwrap_or(BasisKind::WrittenApplication),
                number: r.document_number,
                date: r.document_date,
                document_id: r.document_id,
                signature: r.signature,
            },
            note: r.note,
            recorded_by: r.login,
            recorded_at: r.recorded_at,
            has_scan: r.scans > 0,
        })
    }
}

macro_rules! record_sql {
    ($where:literal) => {
        concat!(
            "SELECT c.id, c.school_id, c.parent_id, c.student_id, c.purpose, c.state, c.text_version, c.basis, ",
            "c.basis_kind, c.document_number, c.document_date, c.document_id, c.signature, c.note, u.login, c.recorded_at, ",
            "CAST((SELECT COUNT(*) FROM consent_scans s WHERE s.consent_id = c.id) AS BIGINT) AS scans ",
            "FROM consents c LEFT JOIN users u ON u.id = c.recorded_by ",
            $where
        )
    };
}

/// Appends a record.
pub async fn insert(conn: &mut Conn<'_>, r: &NewRecord<'_>) -> Result<i64> {
    const SQL: &str = "INSERT INTO consents (school_id, parent_id, student_id, purpose, state, text_version, basis, \
         basis_kind, document_number, document_date, document_id, signature, note, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        r.school.get(),
        r.parent.get(),
        r.student.get(),
        r.purpose.code(),
        r.state.code(),
        r.text_version,
        r.basis.summary(),
        r.basis.kind.code(),
        r.basis.number.as_deref(),
        r.basis.date,
        r.basis.document_id.as_deref(),
        r.basis.signature.as_deref(),
        r.note,
        r.recorded_by.map(UserId::get),
        r.recorded_at
    )?)
}

/// The state in force for a pair and purpose (the latest record's), if any.
pub async fn latest(
    conn: &mut Conn<'_>,
    parent: PersonId,
    student: PersonId,
    purpose: ConsentPurpose,
) -> Result<Option<ConsentState>> {
    const SQL: &str = "SELECT state FROM consents WHERE parent_id = $1 AND student_id = $2 AND purpose = $3 \
         ORDER BY id DESC LIMIT 1";
    #[derive(sqlx::FromRow)]
    struct Row {
        state: String,
    }
    let row = fetch_optional!(conn, Row, SQL, parent.get(), student.get(), purpose.code())?;
    Ok(row.map(|r| ConsentState::from_code(&r.state)).transpose()?)
}

/// Every record about a child (all representatives, both purposes), newest first.
pub async fn history_of_student(
    conn: &mut Conn<'_>,
    student: PersonId,
) -> Result<Vec<ConsentRecord>> {
    const SQL: &str = record_sql!("WHERE c.student_id = $1 ORDER BY c.id DESC");
    fetch_all!(conn, RecordRow, SQL, student.get())?
        .into_iter()
        .map(ConsentRecord::try_from)
        .collect()
}

/// One record.
pub async fn get(conn: &mut Conn<'_>, id: ConsentId) -> Result<Option<ConsentRecord>> {
    const SQL: &str = record_sql!("WHERE c.id = $1");
    fetch_optional!(conn, RecordRow, SQL, id.get())?
        .map(ConsentRecord::try_from)
        .transpose()
}

pub use tabel_domain::consent::RegistryLine;

#[derive(sqlx::FromRow)]
struct LineRow {
    student_id: i64,
    s_last: String,
    s_first: String,
    parent_id: Option<i64>,
    p_last: Option<String>,
    p_first: Option<String>,
    p_middle: Option<String>,
    relation: Option<String>,
    diary: Option<String>,
    delivery: Option<String>,
    updated_at: Option<OffsetDateTime>,
}

/// The registry of a class on a date: its pupils, each with every current representative and
/// the states in force, in journal order. One query: the latest record of each pair comes from
/// the (parent, student, purpose, id) index.
pub async fn registry_of_class(
    conn: &mut Conn<'_>,
    class: GroupId,
    on: Date,
) -> Result<Vec<RegistryLine>> {
    const SQL: &str = "SELECT s.id AS student_id, s.last_name AS s_last, s.first_name AS s_first, \
         par.id AS parent_id, par.last_name AS p_last, par.first_name AS p_first, par.middle_name AS p_middle, g.relation, \
         (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'diary' ORDER BY c.id DESC LIMIT 1) AS diary, \
         (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'electronic_delivery' ORDER BY c.id DESC LIMIT 1) AS delivery, \
         (SELECT MAX(c.recorded_at) FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id) AS updated_at \
         FROM memberships m JOIN persons s ON s.id = m.student_id \
         LEFT JOIN guardianships g ON g.student_id = m.student_id AND g.ended_at IS NULL \
         LEFT JOIN persons par ON par.id = g.parent_id \
         WHERE m.group_id = $1 AND m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on >= $2) \
         ORDER BY s.sort_key, s.id, par.sort_key, par.id";
    fetch_all!(conn, LineRow, SQL, class.get(), on)?
        .into_iter()
        .map(|r| {
            let state = |s: Option<String>| {
                s.as_deref()
                    .map(ConsentState::from_code)
                    .transpose()
                    .map_err(StoreError::from)
            };
            Ok(RegistryLine {
                student: PersonId::new(r.student_id),
                student_name: format!("{} {}", r.s_last, r.s_first),
                parent: r.parent_id.map(PersonId::new),
                parent_name: match (r.p_last, r.p_first) {
                    (Some(l), Some(f)) => match r.p_middle.filter(|m| !m.is_empty()) {
                        Some(m) => format!("{l} {f} {m}"),
                        None => format!("{l} {f}"),
                    },
                    _ => String::new(),
                },
                relation: r.relation.as_deref().map(Relation::from_code).transpose()?,
                diary: state(r.diary)?,
                delivery: state(r.delivery)?,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

pub use tabel_domain::consent::Scan;

/// Keeps the scan of a record (one per record; a second replaces nothing: refused by the key).
pub async fn insert_scan(
    conn: &mut Conn<'_>,
    s: &Scan,
    by: Option<UserId>,
    at: OffsetDateTime,
) -> Result<()> {
    const SQL: &str = "INSERT INTO consent_scans (consent_id, school_id, file_name, content_type, size_bytes, sha256, content, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    execute!(
        conn,
        SQL,
        s.consent,
        s.school.get(),
        s.file_name.as_str(),
        s.content_type.as_str(),
        i64::try_from(s.content.len()).unwrap_or(i64::MAX),
        s.sha256.as_str(),
        s.content.as_slice(),
        by.map(UserId::get),
        at
    )?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ScanRow {
    consent_id: i64,
    school_id: i64,
    file_name: String,
    content_type: String,
    sha256: String,
    content: Vec<u8>,
}

/// The scan of a record, with its bytes.
pub async fn scan(conn: &mut Conn<'_>, consent: ConsentId) -> Result<Option<Scan>> {
    const SQL: &str = "SELECT consent_id, school_id, file_name, content_type, sha256, content FROM consent_scans WHERE consent_id = $1";
    Ok(
        fetch_optional!(conn, ScanRow, SQL, consent.get())?.map(|r| Scan {
            consent: r.consent_id,
            school: SchoolId::new(r.school_id),
            file_name: r.file_name,
            content_type: r.content_type,
            sha256: r.sha256,
            content: r.content,
        }),
    )
}
