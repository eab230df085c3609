//! A pupil's record across the years (регламент, п. 3): every final mark with its year,
//! subject and period named, the class of every year, exam results, deferrals and academic
//! debts with their retakes — each read in one query for the whole record, never per line.
//!
//! The record follows the person: nothing here filters by school. A mark set by another school
//! of the deployment comes with that school's subject (its name and order).

use crate::finals::Slot;
use crate::{Conn, Result, StoreError};
use tabel_domain::exams::{ExamKind, ExamMark};
use tabel_domain::school::PeriodKind;
use tabel_domain::{AcademicYearId, GroupId, PersonId, SchoolId, SubjectId};
use tabel_domain::{DebtId, DeferralId, ExamResultId};
use time::{Date, OffsetDateTime};

fn small(n: i64, what: &str) -> Result<u8> {
    u8::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what} {n}")))
}

fn year_of(start_year: i64) -> Result<i32> {
    i32::try_from(start_year).map_err(|_| StoreError::Corrupt(format!("year {start_year}")))
}

pub use tabel_domain::record::RecordFinal;

#[derive(sqlx::FromRow)]
struct FinalRow {
    school_id: i64,
    academic_year_id: i64,
    start_year: i64,
    subject_id: i64,
    subject_name: String,
    sort_order: i64,
    slot: String,
    period_kind: Option<String>,
    period_number: Option<i64>,
    group_grade: Option<i64>,
    value: String,
    set_at: OffsetDateTime,
    published_at: Option<OffsetDateTime>,
}

const FINALS: &str = "SELECT f.school_id, f.academic_year_id, y.start_year, f.subject_id, s.name AS subject_name, \
     s.sort_order, f.slot, rp.kind AS period_kind, rp.number AS period_number, g.grade AS group_grade, \
     f.value, f.set_at, f.published_at \
     FROM final_marks f JOIN academic_years y ON y.id = f.academic_year_id \
     JOIN subjects s ON s.id = f.subject_id \
     LEFT JOIN reporting_periods rp ON rp.id = f.period_id \
     LEFT JOIN study_groups g ON g.id = f.group_id \
     WHERE f.student_id = $1 ORDER BY y.start_year, f.academic_year_id, s.sort_order, f.subject_id, f.id";

/// Every final mark of a pupil, all years and schools, by year and subject.
#[tracing::instrument(skip_all, fields(student = %student))]
pub async fn finals_of(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<RecordFinal>> {
    fetch_all!(conn, FinalRow, FINALS, student.get())?
        .into_iter()
        .map(|r| {
            let slot = Slot::parse(&r.slot)
                .ok_or_else(|| StoreError::Corrupt(format!("final mark slot {:?}", r.slot)))?;
            let period = match (r.period_kind, r.period_number) {
                (Some(kind), Some(n)) => {
                    Some((PeriodKind::from_code(&kind)?, small(n, "period number")?))
                }
                _ => None,
            };
            Ok(RecordFinal {
                school: SchoolId::new(r.school_id),
                year: AcademicYearId::new(r.academic_year_id),
                start_year: year_of(r.start_year)?,
                subject: SubjectId::new(r.subject_id),
                subject_name: r.subject_name,
                subject_order: r.sort_order,
                slot,
                period,
                grade: r.group_grade.map(|g| small(g, "grade")).transpose()?,
                value: r.value,
                set_at: r.set_at,
                published_at: r.published_at,
            })
        })
        .collect()
}

pub use tabel_domain::record::RecordClass;

#[derive(sqlx::FromRow)]
struct ClassRow {
    school_id: i64,
    short_name: String,
    academic_year_id: i64,
    start_year: i64,
    group_id: i64,
    name: String,
    grade: i64,
    starts_on: Date,
    ends_on: Option<Date>,
}

const CLASSES: &str = "SELECT g.school_id, sc.short_name, g.academic_year_id, y.start_year, g.id AS group_id, \
     g.name, g.grade, m.starts_on, m.ends_on \
     FROM memberships m JOIN study_groups g ON g.id = m.group_id \
     JOIN academic_years y ON y.id = g.academic_year_id JOIN schools sc ON sc.id = g.school_id \
     WHERE m.student_id = $1 AND g.kind = 'class' ORDER BY y.start_year, m.starts_on, m.id";

/// Every class a pupil was in, all years and schools, in order.
#[tracing::instrument(skip_all, fields(student = %student))]
pub async fn classes_of(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<RecordClass>> {
    fetch_all!(conn, ClassRow, CLASSES, student.get())?
        .into_iter()
        .map(|r| {
            Ok(RecordClass {
                school: SchoolId::new(r.school_id),
                school_name: r.short_name,
                year: AcademicYearId::new(r.academic_year_id),
                start_year: year_of(r.start_year)?,
                class: GroupId::new(r.group_id),
                name: r.name,
                grade: small(r.grade, "grade")?,
                from: r.starts_on,
                to: r.ends_on,
            })
        })
        .collect()
}

pub use tabel_domain::record::RecordExam;

#[derive(sqlx::FromRow)]
struct ExamRow {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    start_year: i64,
    exam: String,
    subject_id: Option<i64>,
    subject_name: String,
    taken_on: Option<Date>,
    score: Option<i64>,
    mark: String,
    received_at: OffsetDateTime,
    published_at: Option<OffsetDateTime>,
}

const EXAMS: &str = "SELECT r.id, r.school_id, r.academic_year_id, y.start_year, r.exam, r.subject_id, r.subject_name, \
     r.taken_on, r.score, r.mark, r.received_at, r.published_at \
     FROM exam_results r JOIN academic_years y ON y.id = r.academic_year_id \
     WHERE r.student_id = $1 ORDER BY y.start_year, r.taken_on, r.id";

/// Every exam result of a pupil (published or not: the caller decides), by year and date.
#[tracing::instrument(skip_all, fields(student = %student))]
pub async fn exams_of(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<RecordExam>> {
    fetch_all!(conn, ExamRow, EXAMS, student.get())?
        .into_iter()
        .map(|r| {
            let exam = ExamKind::ALL
                .into_iter()
                .find(|k| k.code() == r.exam)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown exam {:?}", r.exam)))?;
            let mark = ExamMark::from_code(exam, &r.mark)
                .ok_or_else(|| StoreError::Corrupt(format!("exam result mark {:?}", r.mark)))?;
            Ok(RecordExam {
                id: ExamResultId::new(r.id),
                school: SchoolId::new(r.school_id),
                year: AcademicYearId::new(r.academic_year_id),
                start_year: year_of(r.start_year)?,
                exam,
                subject: r.subject_id.map(SubjectId::new),
                subject_name: r.subject_name,
                taken_on: r.taken_on,
                score: r.score,
                mark,
                received_at: r.received_at,
                published_at: r.published_at,
            })
        })
        .collect()
}

pub use tabel_domain::record::RecordDeferral;

#[derive(sqlx::FromRow)]
struct DeferralRow {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    start_year: i64,
    subject_id: i64,
    subject_name: String,
    slot: String,
    period_kind: Option<String>,
    period_number: Option<i64>,
    starts_on: Date,
    ends_on: Date,
    basis: String,
    state: String,
}

// The period is found by the slot's code: `p<id>` names the period row.
const DEFERRALS: &str = "SELECT d.id, d.school_id, d.academic_year_id, y.start_year, d.subject_id, s.name AS subject_name, \
     d.slot, rp.kind AS period_kind, rp.number AS period_number, d.starts_on, d.ends_on, d.basis, d.state \
     FROM final_deferrals d JOIN academic_years y ON y.id = d.academic_year_id \
     JOIN subjects s ON s.id = d.subject_id \
     LEFT JOIN reporting_periods rp ON rp.academic_year_id = d.academic_year_id AND d.slot = ('p' || CAST(rp.id AS TEXT)) \
     WHERE d.student_id = $1 ORDER BY y.start_year, d.starts_on, d.id";

fn period_of(kind: Option<String>, number: Option<i64>) -> Result<Option<(PeriodKind, u8)>> {
    match (kind, number) {
        (Some(kind), Some(n)) => Ok(Some((
            PeriodKind::from_code(&kind)?,
            small(n, "period number")?,
        ))),
        _ => Ok(None),
    }
}

/// Every deferral of a pupil's final marks, by year and start.
#[tracing::instrument(skip_all, fields(student = %student))]
pub async fn deferrals_of(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<RecordDeferral>> {
    fetch_all!(conn, DeferralRow, DEFERRALS, student.get())?
        .into_iter()
        .map(|r| {
            Ok(RecordDeferral {
                id: DeferralId::new(r.id),
                school: SchoolId::new(r.school_id),
                year: AcademicYearId::new(r.academic_year_id),
                start_year: year_of(r.start_year)?,
                subject: SubjectId::new(r.subject_id),
                subject_name: r.subject_name,
                period: period_of(r.period_kind, r.period_number)?,
                slot: r.slot,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
                basis: r.basis,
                state: r.state,
            })
        })
        .collect()
}

pub use tabel_domain::record::RecordRetake;

pub use tabel_domain::record::RecordDebt;

#[derive(sqlx::FromRow)]
struct DebtRow {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    start_year: i64,
    subject_id: i64,
    subject_name: String,
    slot: String,
    period_kind: Option<String>,
    period_number: Option<i64>,
    arisen_on: Date,
    deadline: Date,
    state: String,
    result: Option<String>,
}

#[derive(sqlx::FromRow)]
struct RetakeRow {
    debt_id: i64,
    attempt: i64,
    on_date: Date,
    value: String,
}

const DEBTS: &str = "SELECT d.id, d.school_id, d.academic_year_id, y.start_year, d.subject_id, s.name AS subject_name, \
     d.slot, rp.kind AS period_kind, rp.number AS period_number, d.arisen_on, d.deadline, d.state, d.result \
     FROM academic_debts d JOIN academic_years y ON y.id = d.academic_year_id \
     JOIN subjects s ON s.id = d.subject_id \
     LEFT JOIN reporting_periods rp ON rp.academic_year_id = d.academic_year_id AND d.slot = ('p' || CAST(rp.id AS TEXT)) \
     WHERE d.student_id = $1 ORDER BY y.start_year, d.arisen_on, d.id";
const RETAKES: &str = "SELECT t.debt_id, t.attempt, t.on_date, t.value FROM debt_retakes t \
     JOIN academic_debts d ON d.id = t.debt_id WHERE d.student_id = $1 ORDER BY t.debt_id, t.attempt";

/// Every academic debt of a pupil with its retakes (two queries), by year and date.
#[tracing::instrument(skip_all, fields(student = %student))]
pub async fn debts_of(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<RecordDebt>> {
    let rows = fetch_all!(conn, DebtRow, DEBTS, student.get())?;
    let mut retakes = fetch_all!(conn, RetakeRow, RETAKES, student.get())?;
    rows.into_iter()
        .map(|r| {
            let (mine, rest): (Vec<RetakeRow>, Vec<RetakeRow>) = std::mem::take(&mut retakes)
                .into_iter()
                .partition(|t| t.debt_id == r.id);
            retakes = rest;
            Ok(RecordDebt {
                id: DebtId::new(r.id),
                school: SchoolId::new(r.school_id),
                year: AcademicYearId::new(r.academic_year_id),
                start_year: year_of(r.start_year)?,
                subject: SubjectId::new(r.subject_id),
                subject_name: r.subject_name,
                period: period_of(r.period_kind, r.period_number)?,
                slot: r.slot,
                arisen_on: r.arisen_on,
                deadline: r.deadline,
                state: r.state,
                result: r.result,
                retakes: mine
                    .into_iter()
                    .map(|t| RecordRetake {
                        attempt: t.attempt,
                        on: t.on_date,
                        value: t.value,
                    })
                    .collect(),
            })
        })
        .collect()
}

/// Whether a teacher teaches one of a pupil's groups on a date (an assignment in force on a
/// group the pupil is a member of then).
#[tracing::instrument(skip_all, fields(teacher = %teacher, student = %student))]
pub async fn teaches(
    conn: &mut Conn<'_>,
    teacher: PersonId,
    student: PersonId,
    on: Date,
) -> Result<bool> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM teaching_assignments ta \
         JOIN memberships m ON m.group_id = ta.group_id \
         WHERE ta.teacher_id = $1 AND m.student_id = $2 \
         AND ta.starts_on <= $3 AND (ta.ends_on IS NULL OR ta.ends_on >= $3) \
         AND m.starts_on <= $3 AND (m.ends_on IS NULL OR m.ends_on >= $3)";
    Ok(fetch_scalar!(conn, i64, SQL, teacher.get(), student.get(), on)? > 0)
}

// ---------------------------------------------------------------- loading earlier years

/// How many rows one multi-row statement carries (15 parameters a row at most: under both
/// backends' limits on bound parameters, as in the journal's bulk writes).
const BULK_ROWS: usize = 1500;

/// A membership to load: a pupil's class of an earlier year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMembership {
    /// The school.
    pub school: SchoolId,
    /// The class.
    pub group: GroupId,
    /// The pupil.
    pub student: PersonId,
    /// From.
    pub starts_on: Date,
    /// To (inclusive).
    pub ends_on: Option<Date>,
}

/// Stores many memberships in multi-row statements (a loader's path: the demo's earlier years,
/// an archive import); returns how many.
pub async fn insert_memberships(conn: &mut Conn<'_>, rows: &[NewMembership]) -> Result<u64> {
    const HEAD: &str =
        "INSERT INTO memberships (school_id, group_id, student_id, starts_on, ends_on) ";
    let mut n = 0;
    for chunk in rows.chunks(BULK_ROWS) {
        macro_rules! run {
            ($db:ty, $c:expr) => {{
                let mut qb = sqlx::QueryBuilder::<$db>::new(HEAD);
                qb.push_values(chunk, |mut b, m| {
                    b.push_bind(m.school.get())
                        .push_bind(m.group.get())
                        .push_bind(m.student.get())
                        .push_bind(m.starts_on)
                        .push_bind(m.ends_on);
                });
                qb.build().execute(&mut **$c).await?.rows_affected()
            }};
        }
        n += match conn {
            Conn::Sqlite(c) => run!(sqlx::Sqlite, c),
            Conn::Postgres(c) => run!(sqlx::Postgres, c),
        };
    }
    Ok(n)
}

/// Stores many final marks in multi-row statements, each published when set (a loader's path:
/// the demo's earlier years, an archive import; no audit, no events); returns how many. A
/// second mark of one cell is a [`StoreError::Duplicate`] and fails the call.
pub async fn insert_finals(
    conn: &mut Conn<'_>,
    rows: &[crate::finals::NewFinal<'_>],
) -> Result<u64> {
    const HEAD: &str = "INSERT INTO final_marks (school_id, academic_year_id, student_id, subject_id, group_id, slot, \
         period_id, value, proposal, proposal_basis, reason, version, set_by, set_at, published_at) ";
    let mut n = 0;
    for chunk in rows.chunks(BULK_ROWS) {
        macro_rules! run {
            ($db:ty, $c:expr) => {{
                let mut qb = sqlx::QueryBuilder::<$db>::new(HEAD);
                qb.push_values(chunk, |mut b, f| {
                    b.push_bind(f.school.get())
                        .push_bind(f.year.get())
                        .push_bind(f.student.get())
                        .push_bind(f.subject.get())
                        .push_bind(f.group.map(GroupId::get))
                        .push_bind(f.slot.code())
                        .push_bind(f.slot.period().map(tabel_domain::PeriodId::get))
                        .push_bind(f.value.to_owned())
                        .push_bind(f.proposal.map(str::to_owned))
                        .push_bind(f.proposal_basis.map(str::to_owned))
                        .push_bind(f.reason.to_owned())
                        .push("1")
                        .push_bind(f.set_by.map(tabel_domain::UserId::get))
                        .push_bind(f.at)
                        .push_bind(f.at);
                });
                qb.build().execute(&mut **$c).await?.rows_affected()
            }};
        }
        n += match conn {
            Conn::Sqlite(c) => run!(sqlx::Sqlite, c),
            Conn::Postgres(c) => run!(sqlx::Postgres, c),
        };
    }
    Ok(n)
}
