//! Academic years, parallels (a grade's settings in a year), reporting periods and holidays.

use super::small;
use crate::{Conn, Result};
use serde::Serialize;
use tabel_domain::calendar;
use tabel_domain::school::{DayOffKind, PeriodKind};
use tabel_domain::*;
use time::{Date, OffsetDateTime};

pub use tabel_domain::school::AcademicYear;

#[derive(sqlx::FromRow)]
struct YearRow {
    id: i64,
    school_id: i64,
    start_year: i64,
    starts_on: Date,
    ends_on: Date,
}

const INSERT_YEAR: &str = "INSERT INTO academic_years (school_id, start_year, starts_on, ends_on) \
     VALUES ($1, $2, $3, $4) RETURNING id";
/// Adds an academic year.
pub async fn insert_academic_year(
    conn: &mut Conn<'_>,
    school: SchoolId,
    start_year: i32,
    starts_on: Date,
    ends_on: Date,
) -> Result<AcademicYearId> {
    Ok(AcademicYearId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_YEAR,
        school.get(),
        i64::from(start_year),
        starts_on,
        ends_on
    )?))
}

const SELECT_YEAR_ON: &str = "SELECT id, school_id, start_year, starts_on, ends_on FROM academic_years \
     WHERE school_id = $1 AND start_year <= $2 ORDER BY start_year DESC LIMIT 1";
/// The academic year a date falls in (the latest one started by then).
pub async fn academic_year_on(
    conn: &mut Conn<'_>,
    school: SchoolId,
    date: Date,
) -> Result<Option<AcademicYear>> {
    let start = i64::from(calendar::SchoolYear::containing(date).start_year());
    let row = fetch_optional!(conn, YearRow, SELECT_YEAR_ON, school.get(), start)?;
    Ok(row.map(|r| AcademicYear {
        id: AcademicYearId::new(r.id),
        school: SchoolId::new(r.school_id),
        label: format!("{}/{}", r.start_year, r.start_year + 1),
        starts_on: r.starts_on,
        ends_on: r.ends_on,
    }))
}

const INSERT_PARALLEL: &str = "INSERT INTO parallels (school_id, academic_year_id, grade, week_days, period_kind) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id";
/// Adds a parallel (a grade in a year) with its week length and kind of periods.
pub async fn insert_parallel(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    grade: u8,
    week: calendar::WeekLength,
    periods: PeriodKind,
) -> Result<ParallelId> {
    Ok(ParallelId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_PARALLEL,
        school.get(),
        year.get(),
        i64::from(grade),
        i64::from(week.days()),
        periods.code()
    )?))
}

/// A parallel: a grade of a year with its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parallel {
    /// Id.
    pub id: ParallelId,
    /// Grade 1–11.
    pub grade: u8,
    /// Days in the school week.
    pub week_days: u8,
    /// Kind of reporting periods.
    pub period_kind: PeriodKind,
}

#[derive(sqlx::FromRow)]
struct ParallelRow {
    id: i64,
    grade: i64,
    week_days: i64,
    period_kind: String,
}

const SELECT_PARALLELS: &str = "SELECT id, grade, week_days, period_kind FROM parallels \
     WHERE academic_year_id = $1 ORDER BY grade";
/// The parallels of a year, by grade.
pub async fn list_parallels(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<Parallel>> {
    fetch_all!(conn, ParallelRow, SELECT_PARALLELS, year.get())?
        .into_iter()
        .map(|r| {
            Ok(Parallel {
                id: ParallelId::new(r.id),
                grade: small(r.grade)?,
                week_days: small(r.week_days)?,
                period_kind: PeriodKind::from_code(&r.period_kind)?,
            })
        })
        .collect()
}

pub use tabel_domain::school::Period;

#[derive(sqlx::FromRow)]
struct PeriodRow {
    id: i64,
    kind: String,
    number: i64,
    starts_on: Date,
    ends_on: Date,
    locked_at: Option<OffsetDateTime>,
}

const INSERT_PERIOD: &str = "INSERT INTO reporting_periods (school_id, academic_year_id, kind, number, starts_on, ends_on, locked_at) \
     VALUES ($1, $2, $3, $4, $5, $6, NULL) RETURNING id";
/// Adds a reporting period.
pub async fn insert_period(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    kind: PeriodKind,
    number: u8,
    starts_on: Date,
    ends_on: Date,
) -> Result<PeriodId> {
    Ok(PeriodId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_PERIOD,
        school.get(),
        year.get(),
        kind.code(),
        i64::from(number),
        starts_on,
        ends_on
    )?))
}

const SELECT_PERIODS: &str = "SELECT id, kind, number, starts_on, ends_on, locked_at FROM reporting_periods \
     WHERE academic_year_id = $1 ORDER BY kind, number";
/// The reporting periods of a year.
pub async fn list_periods(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<Period>> {
    fetch_all!(conn, PeriodRow, SELECT_PERIODS, year.get())?
        .into_iter()
        .map(|r| {
            Ok(Period {
                id: PeriodId::new(r.id),
                kind: PeriodKind::from_code(&r.kind)?,
                number: small(r.number)?,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
                locked_at: r.locked_at,
            })
        })
        .collect()
}

/// The school a reporting period belongs to.
pub async fn period_school(conn: &mut Conn<'_>, period: PeriodId) -> Result<Option<SchoolId>> {
    const SQL: &str = "SELECT school_id FROM reporting_periods WHERE id = $1";
    Ok(fetch_optional!(conn, (i64,), SQL, period.get())?.map(|r| SchoolId::new(r.0)))
}

pub use tabel_domain::school::Holiday;

#[derive(sqlx::FromRow)]
struct HolidayRow {
    id: i64,
    kind: String,
    name: String,
    starts_on: Date,
    ends_on: Date,
    only_grade: Option<i64>,
}

const INSERT_HOLIDAY: &str = "INSERT INTO holidays (school_id, academic_year_id, kind, name, starts_on, ends_on, only_grade) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
/// Adds a holiday range or a special day.
pub async fn insert_holiday(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    h: &Holiday,
) -> Result<HolidayId> {
    Ok(HolidayId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_HOLIDAY,
        school.get(),
        year.get(),
        h.kind.code(),
        h.name.as_str(),
        h.starts_on,
        h.ends_on,
        h.only_grade.map(i64::from)
    )?))
}

const SELECT_HOLIDAYS: &str = "SELECT id, kind, name, starts_on, ends_on, only_grade FROM holidays \
     WHERE academic_year_id = $1 ORDER BY starts_on, id";
/// Holidays and special days of a year, by date.
pub async fn list_holidays(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<Holiday>> {
    fetch_all!(conn, HolidayRow, SELECT_HOLIDAYS, year.get())?
        .into_iter()
        .map(|r| {
            Ok(Holiday {
                id: HolidayId::new(r.id),
                kind: DayOffKind::from_code(&r.kind)?,
                name: r.name,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
                only_grade: r.only_grade.map(small).transpose()?,
            })
        })
        .collect()
}
