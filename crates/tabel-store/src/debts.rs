//! Deferrals of final marks and academic debts with their retakes and the illnesses that move a
//! debt's deadline. Rows carry the pupil's and the subject's names for the lists that show them.

use crate::finals::Slot;
use crate::{Conn, Result};
use serde::Serialize;
use tabel_domain::DebtId;
use tabel_domain::DeferralId;
use tabel_domain::debts::{DebtState, DeferralState};
use tabel_domain::{AcademicYearId, GroupId, PersonId, SchoolId, SubjectId, UserId};
use time::{Date, OffsetDateTime};

pub use tabel_domain::debts::Deferral;

#[derive(sqlx::FromRow)]
struct DeferralRow {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    student_id: i64,
    last_name: String,
    first_name: String,
    subject_id: i64,
    subject_name: String,
    group_id: Option<i64>,
    slot: String,
    starts_on: Date,
    ends_on: Date,
    basis: String,
    state: String,
    created_by: Option<i64>,
    created_at: OffsetDateTime,
    resolved_at: Option<OffsetDateTime>,
    resolved_by: Option<i64>,
    reminded_at: Option<OffsetDateTime>,
}

impl From<DeferralRow> for Deferral {
    fn from(r: DeferralRow) -> Self {
        Deferral {
            id: DeferralId::new(r.id),
            school: SchoolId::new(r.school_id),
            year: AcademicYearId::new(r.academic_year_id),
            student: PersonId::new(r.student_id),
            student_name: format!("{} {}", r.last_name, r.first_name),
            subject: SubjectId::new(r.subject_id),
            subject_name: r.subject_name,
            group: r.group_id.map(GroupId::new),
            slot: Slot::parse(&r.slot).unwrap_or(Slot::Year),
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            basis: r.basis,
            state: DeferralState::from_code(&r.state).unwrap_or(DeferralState::Open),
            created_by: r.created_by,
            created_at: r.created_at,
            resolved_at: r.resolved_at,
            resolved_by: r.resolved_by,
            reminded_at: r.reminded_at,
        }
    }
}

macro_rules! deferral_sql {
    ($tail:literal) => {
        concat!(
            "SELECT d.id, d.school_id, d.academic_year_id, d.student_id, p.last_name, p.first_name, ",
            "d.subject_id, s.name AS subject_name, d.group_id, d.slot, d.starts_on, d.ends_on, d.basis, ",
            "d.state, d.created_by, d.created_at, d.resolved_at, d.resolved_by, d.reminded_at ",
            "FROM final_deferrals d JOIN persons p ON p.id = d.student_id ",
            "JOIN subjects s ON s.id = d.subject_id ",
            $tail
        )
    };
}

/// A deferral to open.
#[derive(Debug, Clone)]
pub struct NewDeferral<'a> {
    /// School.
    pub school: SchoolId,
    /// Year.
    pub year: AcademicYearId,
    /// Pupil.
    pub student: PersonId,
    /// Subject.
    pub subject: SubjectId,
    /// Journal.
    pub group: Option<GroupId>,
    /// Slot.
    pub slot: Slot,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// Basis.
    pub basis: &'a str,
    /// Who.
    pub by: UserId,
    /// When.
    pub at: OffsetDateTime,
}

/// Opens a deferral; its id.
pub async fn insert_deferral(conn: &mut Conn<'_>, d: &NewDeferral<'_>) -> Result<DeferralId> {
    const SQL: &str = concat!(
        "INSERT INTO final_deferrals (school_id, academic_year_id, student_id, subject_id, group_id, slot, ",
        "starts_on, ends_on, basis, state, created_by, created_at) ",
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11) RETURNING id"
    );
    let id = fetch_scalar!(
        conn,
        i64,
        SQL,
        d.school.get(),
        d.year.get(),
        d.student.get(),
        d.subject.get(),
        d.group.map(GroupId::get),
        d.slot.code(),
        d.starts_on,
        d.ends_on,
        d.basis,
        d.by.get(),
        d.at
    )?;
    Ok(DeferralId::new(id))
}

/// A deferral by id.
pub async fn deferral(conn: &mut Conn<'_>, id: DeferralId) -> Result<Option<Deferral>> {
    const SQL: &str = deferral_sql!("WHERE d.id = $1");
    Ok(fetch_optional!(conn, DeferralRow, SQL, id.get())?.map(Into::into))
}

/// The open deferral of a cell.
pub async fn open_deferral_of_cell(
    conn: &mut Conn<'_>,
    student: PersonId,
    subject: SubjectId,
    year: AcademicYearId,
    slot: Slot,
) -> Result<Option<Deferral>> {
    const SQL: &str = deferral_sql!(
        "WHERE d.student_id = $1 AND d.subject_id = $2 AND d.academic_year_id = $3 AND d.slot = $4 AND d.state = 'open'"
    );
    Ok(fetch_optional!(
        conn,
        DeferralRow,
        SQL,
        student.get(),
        subject.get(),
        year.get(),
        slot.code()
    )?
    .map(Into::into))
}

/// Open deferrals of a subject's slot in a year (a finals sheet).
pub async fn open_deferrals_of_subject(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    subject: SubjectId,
    slot: Slot,
) -> Result<Vec<Deferral>> {
    const SQL: &str = deferral_sql!(
        "WHERE d.academic_year_id = $1 AND d.subject_id = $2 AND d.slot = $3 AND d.state = 'open'"
    );
    Ok(fetch_all!(
        conn,
        DeferralRow,
        SQL,
        year.get(),
        subject.get(),
        slot.code()
    )?
    .into_iter()
    .map(Into::into)
    .collect())
}

/// A school's deferrals: the open ones, and those closed since `since`, by end date.
pub async fn deferrals_of_school(
    conn: &mut Conn<'_>,
    school: SchoolId,
    since: OffsetDateTime,
) -> Result<Vec<Deferral>> {
    const SQL: &str = deferral_sql!(
        "WHERE d.school_id = $1 AND (d.state = 'open' OR d.resolved_at >= $2) ORDER BY d.ends_on, p.sort_key, d.id"
    );
    Ok(fetch_all!(conn, DeferralRow, SQL, school.get(), since)?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// A pupil's deferrals, every state.
pub async fn deferrals_of_student(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<Deferral>> {
    const SQL: &str = deferral_sql!("WHERE d.student_id = $1 ORDER BY d.starts_on, d.id");
    Ok(fetch_all!(conn, DeferralRow, SQL, student.get())?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Open deferrals whose end has passed (`ends_on < today`) and whose reminder has not gone out.
pub async fn reminders_due(conn: &mut Conn<'_>, today: Date) -> Result<Vec<Deferral>> {
    const SQL: &str = deferral_sql!(
        "WHERE d.state = 'open' AND d.ends_on < $1 AND d.reminded_at IS NULL ORDER BY d.id"
    );
    Ok(fetch_all!(conn, DeferralRow, SQL, today)?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Records that a deferral's reminder went out (only once: false when it had).
pub async fn mark_reminded(
    conn: &mut Conn<'_>,
    id: DeferralId,
    at: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str =
        "UPDATE final_deferrals SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL";
    Ok(execute!(conn, SQL, id.get(), at)? == 1)
}

/// Closes an open deferral as resolved or lapsed; false when it was not open any more.
pub async fn close_deferral(
    conn: &mut Conn<'_>,
    id: DeferralId,
    state: DeferralState,
    by: UserId,
    at: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str = concat!(
        "UPDATE final_deferrals SET state = $2, resolved_by = $3, resolved_at = $4 ",
        "WHERE id = $1 AND state = 'open'"
    );
    Ok(execute!(conn, SQL, id.get(), state.code(), by.get(), at)? == 1)
}

pub use tabel_domain::debts::Debt;

#[derive(sqlx::FromRow)]
struct DebtRow {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    student_id: i64,
    last_name: String,
    first_name: String,
    subject_id: i64,
    subject_name: String,
    group_id: Option<i64>,
    slot: String,
    origin: String,
    arisen_value: String,
    arisen_on: Date,
    deadline: Date,
    illness_days: i64,
    state: String,
    result: Option<String>,
    closed_at: Option<OffsetDateTime>,
    version: i64,
    created_at: OffsetDateTime,
}

impl From<DebtRow> for Debt {
    fn from(r: DebtRow) -> Self {
        Debt {
            id: r.id,
            school: SchoolId::new(r.school_id),
            year: AcademicYearId::new(r.academic_year_id),
            student: PersonId::new(r.student_id),
            student_name: format!("{} {}", r.last_name, r.first_name),
            subject: SubjectId::new(r.subject_id),
            subject_name: r.subject_name,
            group: r.group_id.map(GroupId::new),
            slot: Slot::parse(&r.slot).unwrap_or(Slot::Year),
            origin: r.origin,
            arisen_value: r.arisen_value,
            arisen_on: r.arisen_on,
            deadline: r.deadline,
            illness_days: r.illness_days,
            state: DebtState::from_code(&r.state).unwrap_or(DebtState::Open),
            result: r.result,
            closed_at: r.closed_at,
            version: r.version,
            created_at: r.created_at,
        }
    }
}

macro_rules! debt_sql {
    ($tail:literal) => {
        concat!(
            "SELECT d.id, d.school_id, d.academic_year_id, d.student_id, p.last_name, p.first_name, ",
            "d.subject_id, s.name AS subject_name, d.group_id, d.slot, d.origin, d.arisen_value, d.arisen_on, ",
            "d.deadline, d.illness_days, d.state, d.result, d.closed_at, d.version, d.created_at ",
            "FROM academic_debts d JOIN persons p ON p.id = d.student_id ",
            "JOIN subjects s ON s.id = d.subject_id ",
            $tail
        )
    };
}

/// A debt to record.
#[derive(Debug, Clone)]
pub struct NewDebt<'a> {
    /// School.
    pub school: SchoolId,
    /// Year.
    pub year: AcademicYearId,
    /// Pupil.
    pub student: PersonId,
    /// Subject.
    pub subject: SubjectId,
    /// Journal.
    pub group: Option<GroupId>,
    /// Slot.
    pub slot: Slot,
    /// `final` or `deferral`.
    pub origin: &'a str,
    /// The failing value's code.
    pub arisen_value: &'a str,
    /// When it arose.
    pub arisen_on: Date,
    /// Its deadline.
    pub deadline: Date,
    /// When recorded.
    pub at: OffsetDateTime,
}

/// Records a debt of a cell, or opens again the cell's earlier debt (a mark corrected back to a
/// failing one): its id.
pub async fn upsert_debt(conn: &mut Conn<'_>, d: &NewDebt<'_>) -> Result<DebtId> {
    const SQL: &str = concat!(
        "INSERT INTO academic_debts (school_id, academic_year_id, student_id, subject_id, group_id, slot, ",
        "origin, arisen_value, arisen_on, deadline, illness_days, state, created_at) ",
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, 'open', $11) ",
        "ON CONFLICT (student_id, subject_id, academic_year_id, slot) DO UPDATE SET ",
        "state = 'open', result = NULL, closed_at = NULL, arisen_value = excluded.arisen_value, ",
        "version = academic_debts.version + 1 RETURNING id"
    );
    let id = fetch_scalar!(
        conn,
        i64,
        SQL,
        d.school.get(),
        d.year.get(),
        d.student.get(),
        d.subject.get(),
        d.group.map(GroupId::get),
        d.slot.code(),
        d.origin,
        d.arisen_value,
        d.arisen_on,
        d.deadline,
        d.at
    )?;
    Ok(DebtId::new(id))
}

/// A debt by id.
pub async fn debt(conn: &mut Conn<'_>, id: DebtId) -> Result<Option<Debt>> {
    const SQL: &str = debt_sql!("WHERE d.id = $1");
    Ok(fetch_optional!(conn, DebtRow, SQL, id.get())?.map(Into::into))
}

/// The debt of a cell, any state.
pub async fn debt_of_cell(
    conn: &mut Conn<'_>,
    student: PersonId,
    subject: SubjectId,
    year: AcademicYearId,
    slot: Slot,
) -> Result<Option<Debt>> {
    const SQL: &str = debt_sql!(
        "WHERE d.student_id = $1 AND d.subject_id = $2 AND d.academic_year_id = $3 AND d.slot = $4"
    );
    Ok(fetch_optional!(
        conn,
        DebtRow,
        SQL,
        student.get(),
        subject.get(),
        year.get(),
        slot.code()
    )?
    .map(Into::into))
}

/// A school's debts: the open and exhausted ones, and those closed since `since`.
pub async fn debts_of_school(
    conn: &mut Conn<'_>,
    school: SchoolId,
    since: OffsetDateTime,
) -> Result<Vec<Debt>> {
    const SQL: &str = debt_sql!(
        "WHERE d.school_id = $1 AND (d.state <> 'closed' OR d.closed_at >= $2) ORDER BY d.deadline, p.sort_key, d.id"
    );
    Ok(fetch_all!(conn, DebtRow, SQL, school.get(), since)?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// A pupil's debts, every state.
pub async fn debts_of_student(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<Debt>> {
    const SQL: &str = debt_sql!("WHERE d.student_id = $1 ORDER BY d.arisen_on, d.id");
    Ok(fetch_all!(conn, DebtRow, SQL, student.get())?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Changes a debt's state with the version read; false when stale.
pub async fn set_debt_state(
    conn: &mut Conn<'_>,
    id: DebtId,
    version: i64,
    state: DebtState,
    result: Option<&str>,
    at: Option<OffsetDateTime>,
) -> Result<bool> {
    const SQL: &str = concat!(
        "UPDATE academic_debts SET state = $3, result = $4, closed_at = $5, version = version + 1 ",
        "WHERE id = $1 AND version = $2"
    );
    Ok(execute!(conn, SQL, id.get(), version, state.code(), result, at)? == 1)
}

/// Moves a debt's deadline (an illness recorded) with the version read; false when stale.
pub async fn set_deadline(
    conn: &mut Conn<'_>,
    id: DebtId,
    version: i64,
    deadline: Date,
    illness_days: i64,
) -> Result<bool> {
    const SQL: &str = concat!(
        "UPDATE academic_debts SET deadline = $3, illness_days = $4, version = version + 1 ",
        "WHERE id = $1 AND version = $2"
    );
    Ok(execute!(conn, SQL, id.get(), version, deadline, illness_days)? == 1)
}

pub use tabel_domain::debts::Retake;

#[derive(sqlx::FromRow)]
struct RetakeRow {
    id: i64,
    debt_id: i64,
    attempt: i64,
    on_date: Date,
    value: String,
    note: String,
    recorded_by: Option<i64>,
    recorded_at: OffsetDateTime,
}

impl From<RetakeRow> for Retake {
    fn from(r: RetakeRow) -> Retake {
        Retake {
            id: r.id,
            debt_id: r.debt_id,
            attempt: r.attempt,
            on_date: r.on_date,
            value: r.value,
            note: r.note,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
        }
    }
}

/// Records a retake; false when that attempt was recorded already (a concurrent write).
#[allow(clippy::too_many_arguments)]
pub async fn insert_retake(
    conn: &mut Conn<'_>,
    debt: DebtId,
    attempt: u8,
    on: Date,
    value: &str,
    note: &str,
    by: UserId,
    at: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str = concat!(
        "INSERT INTO debt_retakes (debt_id, attempt, on_date, value, note, recorded_by, recorded_at) ",
        "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (debt_id, attempt) DO NOTHING"
    );
    Ok(execute!(
        conn,
        SQL,
        debt.get(),
        i64::from(attempt),
        on,
        value,
        note,
        by.get(),
        at
    )? == 1)
}

/// The retakes of a school's debts (or one pupil's), by debt and attempt.
pub async fn retakes_of(
    conn: &mut Conn<'_>,
    school: SchoolId,
    student: Option<PersonId>,
) -> Result<Vec<Retake>> {
    const SQL: &str = concat!(
        "SELECT r.id, r.debt_id, r.attempt, r.on_date, r.value, r.note, r.recorded_by, r.recorded_at ",
        "FROM debt_retakes r JOIN academic_debts d ON d.id = r.debt_id ",
        "WHERE d.school_id = $1 AND ($2 IS NULL OR d.student_id = $2) ORDER BY r.debt_id, r.attempt"
    );
    Ok(fetch_all!(
        conn,
        RetakeRow,
        SQL,
        school.get(),
        student.map(PersonId::get)
    )?
    .into_iter()
    .map(Retake::from)
    .collect())
}

/// The retakes of one debt.
pub async fn retakes_of_debt(conn: &mut Conn<'_>, debt: DebtId) -> Result<Vec<Retake>> {
    const SQL: &str = concat!(
        "SELECT id, debt_id, attempt, on_date, value, note, recorded_by, recorded_at ",
        "FROM debt_retakes WHERE debt_id = $1 ORDER BY attempt"
    );
    Ok(fetch_all!(conn, RetakeRow, SQL, debt.get())?
        .into_iter()
        .map(Retake::from)
        .collect())
}

/// A documented illness of a pupil with a debt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct IllnessRow {
    /// Id.
    pub id: i64,
    /// The debt.
    pub debt_id: i64,
    /// First day.
    pub from_on: Date,
    /// Last day.
    pub to_on: Date,
    /// The medical document.
    pub basis: String,
    /// Who recorded it.
    pub recorded_by: Option<i64>,
    /// When.
    pub recorded_at: OffsetDateTime,
}

/// Records an illness of a debt.
pub async fn insert_illness(
    conn: &mut Conn<'_>,
    debt: DebtId,
    (from, to): (Date, Date),
    basis: &str,
    by: UserId,
    at: OffsetDateTime,
) -> Result<i64> {
    const SQL: &str = concat!(
        "INSERT INTO debt_illnesses (debt_id, from_on, to_on, basis, recorded_by, recorded_at) ",
        "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    );
    let id = fetch_scalar!(conn, i64, SQL, debt.get(), from, to, basis, by.get(), at)?;
    Ok(id)
}

/// The illnesses of a debt, by date.
pub async fn illnesses_of(conn: &mut Conn<'_>, debt: DebtId) -> Result<Vec<IllnessRow>> {
    const SQL: &str = concat!(
        "SELECT id, debt_id, from_on, to_on, basis, recorded_by, recorded_at FROM debt_illnesses ",
        "WHERE debt_id = $1 ORDER BY from_on, id"
    );
    fetch_all!(conn, IllnessRow, SQL, debt.get()).map_err(Into::into)
}
