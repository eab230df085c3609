//! Exemptions (освобождение) of pupils from subjects, with the document each rests on.

use crate::{Conn, Result, StoreError};
use tabel_domain::finals::{DocumentKind, Exemption, ExemptionDocument};
use tabel_domain::{ExemptionId, PersonId, SchoolId, SubjectId, UserId};
use time::{Date, OffsetDateTime};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    school_id: i64,
    student_id: i64,
    subject_id: i64,
    subject_name: String,
    starts_on: Date,
    ends_on: Date,
    document_kind: String,
    document_number: String,
    document_date: Date,
    document_note: String,
    created_by: Option<i64>,
    created_at: OffsetDateTime,
    ended_at: Option<OffsetDateTime>,
    version: i64,
}

impl TryFrom<Row> for Exemption {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<Exemption> {
        let kind = DocumentKind::parse(&r.document_kind).ok_or_else(|| {
            StoreError::Corrupt(format!("exemption document kind {:?}", r.document_kind))
        })?;
        Ok(Exemption {
            id: ExemptionId::new(r.id),
            school: SchoolId::new(r.school_id),
            student: PersonId::new(r.student_id),
            subject: SubjectId::new(r.subject_id),
            subject_name: r.subject_name,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            document: ExemptionDocument {
                kind,
                number: r.document_number,
                issued_on: r.document_date,
                note: r.document_note,
            },
            created_by: r.created_by,
            created_at: r.created_at,
            ended_at: r.ended_at,
            version: r.version,
        })
    }
}

macro_rules! exemption_sql {
    ($tail:literal) => {
        concat!(
            "SELECT e.id, e.school_id, e.student_id, e.subject_id, s.name AS subject_name, e.starts_on, e.ends_on, ",
            "e.document_kind, e.document_number, e.document_date, e.document_note, e.created_by, e.created_at, ",
            "e.ended_at, e.version FROM exemptions e JOIN subjects s ON s.id = e.subject_id ",
            $tail
        )
    };
}

/// An exemption to record.
#[derive(Debug, Clone)]
pub struct NewExemption<'a> {
    /// School.
    pub school: SchoolId,
    /// Pupil.
    pub student: PersonId,
    /// Subject.
    pub subject: SubjectId,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// The document.
    pub document: &'a ExemptionDocument,
    /// Who.
    pub by: UserId,
    /// When.
    pub at: OffsetDateTime,
}

/// Records an exemption; its id.
pub async fn insert(conn: &mut Conn<'_>, e: &NewExemption<'_>) -> Result<ExemptionId> {
    const SQL: &str = "INSERT INTO exemptions (school_id, student_id, subject_id, starts_on, ends_on, document_kind, \
         document_number, document_date, document_note, created_by, created_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1) RETURNING id";
    Ok(ExemptionId::new(fetch_scalar!(
        conn,
        i64,
        SQL,
        e.school.get(),
        e.student.get(),
        e.subject.get(),
        e.starts_on,
        e.ends_on,
        e.document.kind.code(),
        e.document.number.as_str(),
        e.document.issued_on,
        e.document.note.as_str(),
        e.by.get(),
        e.at
    )?))
}

/// One exemption.
pub async fn get(conn: &mut Conn<'_>, id: ExemptionId) -> Result<Option<Exemption>> {
    const SQL: &str = exemption_sql!("WHERE e.id = $1");
    fetch_optional!(conn, Row, SQL, id.get())?
        .map(Exemption::try_from)
        .transpose()
}

/// A pupil's exemptions, every year, the latest first.
pub async fn of_student(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<Exemption>> {
    const SQL: &str =
        exemption_sql!("WHERE e.student_id = $1 ORDER BY e.starts_on DESC, e.id DESC");
    fetch_all!(conn, Row, SQL, student.get())?
        .into_iter()
        .map(Exemption::try_from)
        .collect()
}

/// Ends an exemption early: its last day becomes `ends_on`, while it still has `version`.
/// Whether it changed (`false`: stale).
pub async fn end(
    conn: &mut Conn<'_>,
    id: ExemptionId,
    ends_on: Date,
    (by, at): (UserId, OffsetDateTime),
    version: i64,
) -> Result<bool> {
    const SQL: &str = "UPDATE exemptions SET ends_on = $2, ended_by = $3, ended_at = $4, version = version + 1 \
         WHERE id = $1 AND version = $5";
    Ok(execute!(conn, SQL, id.get(), ends_on, by.get(), at, version)? == 1)
}
