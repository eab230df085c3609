//! Exam results as received (ОГЭ, ЕГЭ, ВПР, the собеседование, school exams) in import batches,
//! with when the family could first see each; the pupils an import matches against; and who of
//! a pupil's family can be told electronically (for the dashboard of overdue publications).
//!
//! Instants are never compared here (see the crate's rules): the dashboard reads a school's
//! unpublished rows and its year's published ones, and the use case decides what is overdue.

use crate::{Conn, Result, StoreError};
use serde::Serialize;
use tabel_domain::ExamBatchId;
use tabel_domain::ExamResultId;
use tabel_domain::exams::{Candidate, ExamKind, ExamMark};
use tabel_domain::school::{ConsentState, Relation};
use tabel_domain::{AcademicYearId, PersonId, SchoolId, SubjectId, UserId};
use time::{Date, OffsetDateTime};

/// An import batch to write.
#[derive(Debug, Clone)]
pub struct NewBatch<'a> {
    /// School.
    pub school: SchoolId,
    /// The academic year the results belong to.
    pub year: AcademicYearId,
    /// Which exam.
    pub exam: ExamKind,
    /// The file's name as uploaded.
    pub file_name: &'a str,
    /// The file's SHA-256, hex.
    pub sha256: &'a str,
    /// When the school received the results.
    pub received_at: OffsetDateTime,
    /// Who imported it (`None`: the command line).
    pub imported_by: Option<UserId>,
    /// When.
    pub imported_at: OffsetDateTime,
    /// Result rows.
    pub rows: usize,
}

/// Writes a batch; its id.
pub async fn insert_batch(conn: &mut Conn<'_>, b: &NewBatch<'_>) -> Result<ExamBatchId> {
    const SQL: &str = "INSERT INTO exam_batches (school_id, academic_year_id, exam, file_name, sha256, received_at, \
         imported_by, imported_at, row_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    Ok(ExamBatchId::new(fetch_scalar!(
        conn,
        i64,
        SQL,
        b.school.get(),
        b.year.get(),
        b.exam.code(),
        b.file_name,
        b.sha256,
        b.received_at,
        b.imported_by.map(UserId::get),
        b.imported_at,
        i64::try_from(b.rows).unwrap_or(i64::MAX)
    )?))
}

pub use tabel_domain::exams::ExamBatch;

#[derive(sqlx::FromRow)]
struct BatchRow {
    id: i64,
    school_id: i64,
    exam: String,
    file_name: String,
    received_at: OffsetDateTime,
    login: Option<String>,
    imported_at: OffsetDateTime,
    row_count: i64,
    published: i64,
}

macro_rules! batch_sql {
    ($tail:literal) => {
        concat!(
            "SELECT b.id, b.school_id, b.exam, b.file_name, b.received_at, u.login, b.imported_at, b.row_count, ",
            "CAST((SELECT COUNT(*) FROM exam_results r WHERE r.batch_id = b.id AND r.published_at IS NOT NULL) AS BIGINT) AS published ",
            "FROM exam_batches b LEFT JOIN users u ON u.id = b.imported_by ",
            $tail
        )
    };
}

async fn batches(conn: &mut Conn<'_>, rows: Vec<BatchRow>) -> Result<Vec<ExamBatch>> {
    const SUBJECTS: &str =
        "SELECT DISTINCT subject_name FROM exam_results WHERE batch_id = $1 ORDER BY subject_name";
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let subjects: Vec<String> = fetch_all!(conn, (String,), SUBJECTS, r.id)?
            .into_iter()
            .map(|(s,)| s)
            .collect();
        out.push(ExamBatch {
            id: ExamBatchId::new(r.id),
            school: SchoolId::new(r.school_id),
            exam: exam_kind(&r.exam)?,
            file_name: r.file_name,
            received_at: r.received_at,
            imported_by: r.login,
            imported_at: r.imported_at,
            rows: r.row_count,
            published: r.published,
            subjects: subjects.join(", "),
        });
    }
    Ok(out)
}

fn exam_kind(code: &str) -> Result<ExamKind> {
    ExamKind::ALL
        .into_iter()
        .find(|k| k.code() == code)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown exam {code:?}")))
}

/// A school's latest batches, newest first.
pub async fn list_batches(
    conn: &mut Conn<'_>,
    school: SchoolId,
    limit: i64,
) -> Result<Vec<ExamBatch>> {
    const SQL: &str = batch_sql!("WHERE b.school_id = $1 ORDER BY b.id DESC LIMIT $2");
    let rows = fetch_all!(conn, BatchRow, SQL, school.get(), limit)?;
    batches(conn, rows).await
}

/// One batch.
pub async fn get_batch(conn: &mut Conn<'_>, id: ExamBatchId) -> Result<Option<ExamBatch>> {
    const SQL: &str = batch_sql!("WHERE b.id = $1");
    let rows = fetch_all!(conn, BatchRow, SQL, id.get())?;
    Ok(batches(conn, rows).await?.into_iter().next())
}

/// The batch of a school that came from a file with this hash, if one did.
pub async fn batch_of_file(
    conn: &mut Conn<'_>,
    school: SchoolId,
    sha256: &str,
) -> Result<Option<ExamBatch>> {
    const SQL: &str = batch_sql!("WHERE b.school_id = $1 AND b.sha256 = $2 ORDER BY b.id LIMIT 1");
    let rows = fetch_all!(conn, BatchRow, SQL, school.get(), sha256)?;
    Ok(batches(conn, rows).await?.into_iter().next())
}

/// A result to write.
#[derive(Debug, Clone)]
pub struct NewResult<'a> {
    /// School.
    pub school: SchoolId,
    /// Year.
    pub year: AcademicYearId,
    /// The batch it came in.
    pub batch: Option<i64>,
    /// Pupil.
    pub student: PersonId,
    /// Which exam.
    pub exam: ExamKind,
    /// The school's subject, when the name is one.
    pub subject: Option<SubjectId>,
    /// The subject as the source names it.
    pub subject_name: &'a str,
    /// When taken.
    pub taken_on: Option<Date>,
    /// Primary score.
    pub score: Option<u16>,
    /// The result.
    pub mark: ExamMark,
    /// Where it came from (the file's name).
    pub source: &'a str,
    /// When the school received it.
    pub received_at: OffsetDateTime,
    /// Who imported it.
    pub imported_by: Option<UserId>,
    /// When the family could first see it (`None`: held back).
    pub published_at: Option<OffsetDateTime>,
}

/// Writes a result; its id.
pub async fn insert_result(conn: &mut Conn<'_>, r: &NewResult<'_>) -> Result<ExamResultId> {
    const SQL: &str = "INSERT INTO exam_results (school_id, academic_year_id, batch_id, student_id, exam, subject_id, \
         subject_name, taken_on, score, mark, source, received_at, imported_by, published_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id";
    Ok(ExamResultId::new(fetch_scalar!(
        conn,
        i64,
        SQL,
        r.school.get(),
        r.year.get(),
        r.batch,
        r.student.get(),
        r.exam.code(),
        r.subject.map(SubjectId::get),
        r.subject_name,
        r.taken_on,
        r.score.map(i64::from),
        r.mark.code(),
        r.source,
        r.received_at,
        r.imported_by.map(UserId::get),
        r.published_at
    )?))
}

pub use tabel_domain::exams::ExamResult;

#[derive(sqlx::FromRow)]
struct ResultRow {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    batch_id: Option<i64>,
    student_id: i64,
    last_name: String,
    first_name: String,
    class_name: Option<String>,
    exam: String,
    subject_id: Option<i64>,
    subject_name: String,
    taken_on: Option<Date>,
    score: Option<i64>,
    mark: String,
    source: String,
    received_at: OffsetDateTime,
    published_at: Option<OffsetDateTime>,
}

impl TryFrom<ResultRow> for ExamResult {
    type Error = StoreError;
    fn try_from(r: ResultRow) -> Result<ExamResult> {
        let exam = exam_kind(&r.exam)?;
        Ok(ExamResult {
            id: ExamResultId::new(r.id),
            school: SchoolId::new(r.school_id),
            year: AcademicYearId::new(r.academic_year_id),
            batch: r.batch_id.map(ExamBatchId::new),
            student: PersonId::new(r.student_id),
            student_name: format!("{} {}", r.last_name, r.first_name),
            class_name: r.class_name,
            exam,
            subject: r.subject_id.map(SubjectId::new),
            mark: ExamMark::from_code(exam, &r.mark)
                .ok_or_else(|| StoreError::Corrupt(format!("exam result mark {:?}", r.mark)))?,
            subject_name: r.subject_name,
            taken_on: r.taken_on,
            score: r.score,
            source: r.source,
            received_at: r.received_at,
            published_at: r.published_at,
        })
    }
}

macro_rules! result_sql {
    ($tail:literal) => {
        concat!(
            "SELECT r.id, r.school_id, r.academic_year_id, r.batch_id, r.student_id, p.last_name, p.first_name, ",
            "(SELECT g.name FROM memberships m JOIN study_groups g ON g.id = m.group_id WHERE m.student_id = r.student_id ",
            "AND g.kind = 'class' AND g.academic_year_id = r.academic_year_id ORDER BY m.starts_on DESC, m.id DESC LIMIT 1) AS class_name, ",
            "r.exam, r.subject_id, r.subject_name, r.taken_on, r.score, r.mark, r.source, r.received_at, r.published_at ",
            "FROM exam_results r JOIN persons p ON p.id = r.student_id ",
            $tail
        )
    };
}

fn results(rows: Vec<ResultRow>) -> Result<Vec<ExamResult>> {
    rows.into_iter().map(ExamResult::try_from).collect()
}

/// One result.
pub async fn get_result(conn: &mut Conn<'_>, id: ExamResultId) -> Result<Option<ExamResult>> {
    const SQL: &str = result_sql!("WHERE r.id = $1");
    fetch_optional!(conn, ResultRow, SQL, id.get())?
        .map(ExamResult::try_from)
        .transpose()
}

/// Every result of a pupil, newest import first.
pub async fn results_of_student(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<ExamResult>> {
    const SQL: &str = result_sql!("WHERE r.student_id = $1 ORDER BY r.id DESC");
    results(fetch_all!(conn, ResultRow, SQL, student.get())?)
}

/// What the dashboard of overdue publications weighs: a school's unpublished results (of any
/// year) and the published ones of `year` (some may have been published late), by pupil.
pub async fn dashboard_results(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
) -> Result<Vec<ExamResult>> {
    const SQL: &str = result_sql!(
        "WHERE r.school_id = $1 AND (r.published_at IS NULL OR r.academic_year_id = $2) ORDER BY p.sort_key, r.student_id, r.id"
    );
    results(fetch_all!(conn, ResultRow, SQL, school.get(), year.get())?)
}

/// What is already stored of an exam at a school in a year, to refuse the same result twice:
/// (pupil, subject as received, date taken).
pub async fn existing_keys(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    exam: ExamKind,
) -> Result<Vec<(PersonId, String, Option<Date>)>> {
    const SQL: &str = "SELECT student_id, subject_name, taken_on FROM exam_results \
         WHERE school_id = $1 AND academic_year_id = $2 AND exam = $3";
    Ok(fetch_all!(
        conn,
        (i64, String, Option<Date>),
        SQL,
        school.get(),
        year.get(),
        exam.code()
    )?
    .into_iter()
    .map(|(s, n, d)| (PersonId::new(s), n, d))
    .collect())
}

/// Marks a result visible to the family from `at`, unless it already is; whether it changed.
pub async fn publish(
    conn: &mut Conn<'_>,
    id: ExamResultId,
    school: SchoolId,
    at: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str = "UPDATE exam_results SET published_at = $3 WHERE id = $1 AND school_id = $2 AND published_at IS NULL";
    Ok(execute!(conn, SQL, id.get(), school.get(), at)? == 1)
}

/// The unpublished rows of a batch.
pub async fn unpublished_of_batch(
    conn: &mut Conn<'_>,
    batch: ExamBatchId,
) -> Result<Vec<ExamResultId>> {
    const SQL: &str =
        "SELECT id FROM exam_results WHERE batch_id = $1 AND published_at IS NULL ORDER BY id";
    Ok(fetch_all!(conn, (i64,), SQL, batch.get())?
        .into_iter()
        .map(|(id,)| ExamResultId::new(id))
        .collect())
}

/// The pupils of a school an import matches against: enrolled, or left on or after `left_since`
/// (results of the summer exams come after the leavers have gone), each with their class on
/// `on` (the latest started by then).
pub async fn candidates(
    conn: &mut Conn<'_>,
    school: SchoolId,
    on: Date,
    left_since: Date,
) -> Result<Vec<Candidate>> {
    const SQL: &str = "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.birth_date, \
         (SELECT g.name FROM memberships m JOIN study_groups g ON g.id = m.group_id WHERE m.student_id = s.person_id \
          AND g.kind = 'class' AND m.starts_on <= $2 ORDER BY m.starts_on DESC, m.id DESC LIMIT 1) AS class_name \
         FROM students s JOIN persons p ON p.id = s.person_id \
         WHERE s.school_id = $1 AND (s.left_on IS NULL OR s.left_on >= $3) ORDER BY p.id";
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        last_name: String,
        first_name: String,
        middle_name: Option<String>,
        birth_date: Option<Date>,
        class_name: Option<String>,
    }
    Ok(fetch_all!(conn, Row, SQL, school.get(), on, left_since)?
        .into_iter()
        .map(|r| Candidate {
            id: PersonId::new(r.id),
            last: r.last_name,
            first: r.first_name,
            middle: r.middle_name,
            birth_date: r.birth_date,
            class: r.class_name,
        })
        .collect())
}

/// A legal representative of a pupil with a result on the dashboard, and whether they can be
/// told electronically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Representative {
    /// The pupil.
    pub student: PersonId,
    /// The representative.
    pub parent: PersonId,
    /// "Петрова Мария Андреевна".
    pub name: String,
    /// How related.
    pub relation: Relation,
    /// The diary consent in force, if any record exists.
    pub diary: Option<ConsentState>,
    /// Whether they have an account that is not locked.
    pub has_account: bool,
}

/// The current legal representatives of every pupil [`dashboard_results`] returns, by pupil.
pub async fn dashboard_representatives(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
) -> Result<Vec<Representative>> {
    const SQL: &str = "SELECT g.student_id, p.id AS parent_id, p.last_name, p.first_name, p.middle_name, g.relation, \
         (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'diary' ORDER BY c.id DESC LIMIT 1) AS diary, \
         CAST((SELECT COUNT(*) FROM users u WHERE u.person_id = g.parent_id AND u.disabled_at IS NULL) AS BIGINT) AS accounts \
         FROM guardianships g JOIN persons p ON p.id = g.parent_id \
         WHERE g.ended_at IS NULL AND g.student_id IN (SELECT r.student_id FROM exam_results r \
           WHERE r.school_id = $1 AND (r.published_at IS NULL OR r.academic_year_id = $2)) \
         ORDER BY g.student_id, p.sort_key, p.id";
    #[derive(sqlx::FromRow)]
    struct Row {
        student_id: i64,
        parent_id: i64,
        last_name: String,
        first_name: String,
        middle_name: Option<String>,
        relation: String,
        diary: Option<String>,
        accounts: i64,
    }
    fetch_all!(conn, Row, SQL, school.get(), year.get())?
        .into_iter()
        .map(|r| {
            Ok(Representative {
                student: PersonId::new(r.student_id),
                parent: PersonId::new(r.parent_id),
                name: match r.middle_name.filter(|m| !m.is_empty()) {
                    Some(m) => format!("{} {} {m}", r.last_name, r.first_name),
                    None => format!("{} {}", r.last_name, r.first_name),
                },
                relation: Relation::from_code(&r.relation)?,
                diary: r
                    .diary
                    .as_deref()
                    .map(ConsentState::from_code)
                    .transpose()?,
                has_account: r.accounts > 0,
            })
        })
        .collect()
}

/// The pupils with a result on the dashboard who have an account that is not locked (they see
/// their own diary).
pub async fn dashboard_pupils_with_accounts(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
) -> Result<Vec<PersonId>> {
    const SQL: &str = "SELECT DISTINCT u.person_id FROM users u WHERE u.disabled_at IS NULL AND u.person_id IN \
         (SELECT r.student_id FROM exam_results r WHERE r.school_id = $1 AND (r.published_at IS NULL OR r.academic_year_id = $2)) \
         ORDER BY u.person_id";
    Ok(fetch_all!(conn, (i64,), SQL, school.get(), year.get())?
        .into_iter()
        .map(|(id,)| PersonId::new(id))
        .collect())
}
