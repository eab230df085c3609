//! Personal files (личное дело): those this deployment issued (with their verification codes),
//! those received from another deployment (kept as received), and the attendance totals of a
//! pupil's years that the file carries.

use crate::{Conn, Result};
use tabel_domain::{PersonId, SchoolId, UserId};
use time::OffsetDateTime;

/// An issued personal file to record.
#[derive(Debug, Clone)]
pub struct NewIssued<'a> {
    /// The issuing school.
    pub school: SchoolId,
    /// The verification code printed in it.
    pub code: &'a str,
    /// The pupil.
    pub student: PersonId,
    /// `json` or `pdf`.
    pub kind: &'a str,
    /// The first and last school year it covers (start years), when it has any.
    pub years: Option<(i32, i32)>,
    /// SHA-256 (hex) of its canonical content.
    pub content_sha256: &'a str,
    /// SHA-256 (hex) of the PDF ("" for JSON).
    pub pdf_sha256: &'a str,
    /// Who issued it.
    pub issued_by: Option<UserId>,
    /// When.
    pub issued_at: OffsetDateTime,
}

/// Records an issued file. A code already taken is
/// [`StoreError::Duplicate`](crate::StoreError::Duplicate).
pub async fn insert_issued(conn: &mut Conn<'_>, f: &NewIssued<'_>) -> Result<i64> {
    const SQL: &str = "INSERT INTO personal_files (school_id, code, student_id, kind, first_year, last_year, \
         content_sha256, pdf_sha256, issued_by, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        f.school.get(),
        f.code,
        f.student.get(),
        f.kind,
        f.years.map(|(a, _)| i64::from(a)),
        f.years.map(|(_, b)| i64::from(b)),
        f.content_sha256,
        f.pdf_sha256,
        f.issued_by.map(UserId::get),
        f.issued_at
    )?)
}

/// An issued personal file as the verification page shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IssuedFile {
    /// The code.
    pub code: String,
    /// The school's full name.
    pub school_name: String,
    /// Surname.
    pub last_name: String,
    /// Name.
    pub first_name: String,
    /// Patronymic.
    pub middle_name: Option<String>,
    /// `json` or `pdf`.
    pub kind: String,
    /// The first school year covered (its start year).
    pub first_year: Option<i64>,
    /// The last.
    pub last_year: Option<i64>,
    /// SHA-256 of the canonical content.
    pub content_sha256: String,
    /// SHA-256 of the PDF ("" for JSON).
    pub pdf_sha256: String,
    /// When.
    pub issued_at: OffsetDateTime,
}

/// The issued file with a verification code.
pub async fn issued_by_code(conn: &mut Conn<'_>, code: &str) -> Result<Option<IssuedFile>> {
    const SQL: &str = "SELECT f.code, sc.name AS school_name, p.last_name, p.first_name, p.middle_name, f.kind, \
         f.first_year, f.last_year, f.content_sha256, f.pdf_sha256, f.issued_at \
         FROM personal_files f JOIN schools sc ON sc.id = f.school_id JOIN persons p ON p.id = f.student_id \
         WHERE f.code = $1";
    Ok(fetch_optional!(conn, IssuedFile, SQL, code)?)
}

/// A year's attendance of a pupil, counted from the journal: `(start year, code, count)` per
/// attendance code.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttendanceCount {
    /// The school year's start year.
    pub start_year: i64,
    /// `ill`, `excused`, `unexcused`, `late`.
    pub code: String,
    /// How many lessons.
    pub lessons: i64,
}

/// The pupil's attendance marks counted by school year and code, every school of the
/// deployment.
#[tracing::instrument(skip_all, fields(student = %student))]
pub async fn attendance_of(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<AttendanceCount>> {
    const SQL: &str = "SELECT y.start_year, a.code, COUNT(*) AS lessons FROM attendance a \
         JOIN lessons l ON l.id = a.lesson_id JOIN academic_years y ON y.id = l.academic_year_id \
         WHERE a.student_id = $1 GROUP BY y.start_year, a.code ORDER BY y.start_year, a.code";
    Ok(fetch_all!(conn, AttendanceCount, SQL, student.get())?)
}

/// A received file to keep.
#[derive(Debug, Clone)]
pub struct NewReceived<'a> {
    /// The receiving school.
    pub school: SchoolId,
    /// The pupil here.
    pub student: PersonId,
    /// The file's verification code (of the sending deployment).
    pub code: &'a str,
    /// Its checksum.
    pub sha256: &'a str,
    /// The sending school's name.
    pub source_school: &'a str,
    /// When the sender issued it.
    pub issued_at: OffsetDateTime,
    /// The document (canonical JSON).
    pub document: &'a str,
    /// Who imported it.
    pub imported_by: Option<UserId>,
    /// When.
    pub imported_at: OffsetDateTime,
}

/// Keeps a received file; `None` when the pupil already has this file (same checksum): the
/// import is then a no-op.
pub async fn insert_received(conn: &mut Conn<'_>, f: &NewReceived<'_>) -> Result<Option<i64>> {
    const SQL: &str = "INSERT INTO received_personal_files (school_id, student_id, code, sha256, source_school, \
         issued_at, document, imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (student_id, sha256) DO NOTHING RETURNING id";
    Ok(fetch_optional!(
        conn,
        (i64,),
        SQL,
        f.school.get(),
        f.student.get(),
        f.code,
        f.sha256,
        f.source_school,
        f.issued_at,
        f.document,
        f.imported_by.map(UserId::get),
        f.imported_at
    )?
    .map(|(id,)| id))
}

/// A received file as kept.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReceivedFile {
    /// Its row.
    pub id: i64,
    /// The file's verification code.
    pub code: String,
    /// Its checksum.
    pub sha256: String,
    /// The sending school.
    pub source_school: String,
    /// When the sender issued it.
    pub issued_at: OffsetDateTime,
    /// The document.
    pub document: String,
    /// Who imported it (display name).
    pub imported_by: Option<String>,
    /// When.
    pub imported_at: OffsetDateTime,
}

/// The files received for a pupil, the latest issued first.
pub async fn received_of(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<ReceivedFile>> {
    const SQL: &str = "SELECT f.id, f.code, f.sha256, f.source_school, f.issued_at, f.document, \
         u.display_name AS imported_by, f.imported_at FROM received_personal_files f \
         LEFT JOIN users u ON u.id = f.imported_by WHERE f.student_id = $1 ORDER BY f.issued_at DESC, f.id DESC";
    Ok(fetch_all!(conn, ReceivedFile, SQL, student.get())?)
}

/// How many files a pupil has received (the import's cap).
pub async fn count_received(conn: &mut Conn<'_>, student: PersonId) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM received_personal_files WHERE student_id = $1";
    Ok(fetch_scalar!(conn, i64, SQL, student.get())?)
}
