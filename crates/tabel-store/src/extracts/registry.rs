//! The registry of issued extracts: recorded with a verification code, found by it, by class
//! or by pupil, and marked as handed over.

use crate::{Conn, Result};
use tabel_domain::{GroupId, PeriodId, PersonId, SchoolId, UserId};
use time::{Date, OffsetDateTime};

/// An issued extract to record.
#[derive(Debug, Clone)]
pub struct NewExtract<'a> {
    /// The school.
    pub school: SchoolId,
    /// The verification code printed on it ("7K3M-Q9XD").
    pub code: &'a str,
    /// The print run it came in (extracts of one PDF share it).
    pub batch: &'a str,
    /// The pupil.
    pub student: PersonId,
    /// The pupil's class.
    pub class: Option<GroupId>,
    /// The reporting period, when the extract is for one.
    pub period: Option<PeriodId>,
    /// First day covered.
    pub from: Date,
    /// Last day covered.
    pub to: Date,
    /// Homework was included.
    pub with_homework: bool,
    /// `paper` or `download`.
    pub channel: &'a str,
    /// SHA-256 (hex) of the PDF file it was printed from.
    pub pdf_sha256: &'a str,
    /// SHA-256 (hex) of the pupil's data as printed.
    pub content_sha256: &'a str,
    /// The signer's name printed on it.
    pub signer: &'a str,
    /// Who issued it (`None`: the command line).
    pub issued_by: Option<UserId>,
    /// When.
    pub issued_at: OffsetDateTime,
    /// To whom it was handed, if known at once (a parent's own download).
    pub handed_to: &'a str,
}

/// Records an issued extract; its id. A code already taken is
/// [`StoreError::Duplicate`](crate::StoreError::Duplicate).
pub async fn insert(conn: &mut Conn<'_>, e: &NewExtract<'_>) -> Result<i64> {
    const SQL: &str = "INSERT INTO extracts (school_id, code, batch, student_id, class_id, period_id, from_date, to_date, \
         with_homework, channel, pdf_sha256, content_sha256, signer, issued_by, issued_at, handed_to, handed_by, handed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id";
    let handed = !e.handed_to.is_empty();
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        e.school.get(),
        e.code,
        e.batch,
        e.student.get(),
        e.class.map(GroupId::get),
        e.period.map(PeriodId::get),
        e.from,
        e.to,
        i64::from(e.with_homework),
        e.channel,
        e.pdf_sha256,
        e.content_sha256,
        e.signer,
        e.issued_by.map(UserId::get),
        e.issued_at,
        e.handed_to,
        e.issued_by.filter(|_| handed).map(UserId::get),
        handed.then_some(e.issued_at)
    )?)
}

pub use tabel_domain::extract::IssuedExtract;

#[derive(sqlx::FromRow)]
struct IssuedRow {
    id: i64,
    school_id: i64,
    school_name: String,
    code: String,
    batch: String,
    student_id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    class_id: Option<i64>,
    class_name: Option<String>,
    period_id: Option<i64>,
    from_date: Date,
    to_date: Date,
    with_homework: i64,
    channel: String,
    pdf_sha256: String,
    content_sha256: String,
    signer: String,
    issued_by: Option<String>,
    issued_at: OffsetDateTime,
    handed_to: String,
    handed_at: Option<OffsetDateTime>,
}

impl From<IssuedRow> for IssuedExtract {
    fn from(r: IssuedRow) -> Self {
        let initial = |s: &str| {
            s.chars()
                .next()
                .map(|c| format!("{c}."))
                .unwrap_or_default()
        };
        let mut initials = format!("{} {}", initial(&r.last_name), initial(&r.first_name));
        if let Some(m) = r.middle_name.as_deref().filter(|m| !m.is_empty()) {
            initials.push(' ');
            initials.push_str(&initial(m));
        }
        IssuedExtract {
            id: r.id,
            school: SchoolId::new(r.school_id),
            school_name: r.school_name,
            code: r.code,
            batch: r.batch,
            student: PersonId::new(r.student_id),
            student_name: format!("{} {}", r.last_name, r.first_name),
            student_initials: initials,
            class: r.class_id.map(GroupId::new),
            class_name: r.class_name,
            period: r.period_id.map(PeriodId::new),
            from: r.from_date,
            to: r.to_date,
            with_homework: r.with_homework != 0,
            channel: r.channel,
            pdf_sha256: r.pdf_sha256,
            content_sha256: r.content_sha256,
            signer: r.signer,
            issued_by: r.issued_by,
            issued_at: r.issued_at,
            handed_to: r.handed_to,
            handed_at: r.handed_at,
        }
    }
}

macro_rules! issued_sql {
    ($tail:literal) => {
        concat!(
            "SELECT e.id, e.school_id, sc.name AS school_name, e.code, e.batch, e.student_id, p.last_name, p.first_name, ",
            "p.middle_name, e.class_id, g.name AS class_name, e.period_id, e.from_date, e.to_date, e.with_homework, e.channel, ",
            "e.pdf_sha256, e.content_sha256, e.signer, u.display_name AS issued_by, e.issued_at, e.handed_to, e.handed_at ",
            "FROM extracts e JOIN schools sc ON sc.id = e.school_id JOIN persons p ON p.id = e.student_id ",
            "LEFT JOIN study_groups g ON g.id = e.class_id LEFT JOIN users u ON u.id = e.issued_by ",
            $tail
        )
    };
}

/// The extract with a verification code.
pub async fn by_code(conn: &mut Conn<'_>, code: &str) -> Result<Option<IssuedExtract>> {
    const SQL: &str = issued_sql!("WHERE e.code = $1");
    Ok(fetch_optional!(conn, IssuedRow, SQL, code)?.map(IssuedExtract::from))
}

/// The extracts issued for the pupils of a class, newest first, at most `limit`.
pub async fn of_class(
    conn: &mut Conn<'_>,
    class: GroupId,
    limit: i64,
) -> Result<Vec<IssuedExtract>> {
    const SQL: &str = issued_sql!("WHERE e.class_id = $1 ORDER BY e.id DESC LIMIT $2");
    Ok(fetch_all!(conn, IssuedRow, SQL, class.get(), limit)?
        .into_iter()
        .map(IssuedExtract::from)
        .collect())
}

/// The extracts issued for a pupil, newest first.
pub async fn of_student(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<IssuedExtract>> {
    const SQL: &str = issued_sql!("WHERE e.student_id = $1 ORDER BY e.id DESC");
    Ok(fetch_all!(conn, IssuedRow, SQL, student.get())?
        .into_iter()
        .map(IssuedExtract::from)
        .collect())
}

/// Records to whom the paper was handed; false when no such extract.
pub async fn set_handed_to(
    conn: &mut Conn<'_>,
    id: i64,
    handed_to: &str,
    by: Option<UserId>,
    at: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str =
        "UPDATE extracts SET handed_to = $2, handed_by = $3, handed_at = $4 WHERE id = $1";
    Ok(execute!(conn, SQL, id, handed_to, by.map(UserId::get), at)? > 0)
}
