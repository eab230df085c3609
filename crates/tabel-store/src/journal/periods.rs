//! Reporting periods as the journal sees them: the period of a date, and its lock.

use crate::{Conn, Result};
use time::{Date, OffsetDateTime};

/// The reporting period of a grade's parallel containing a date, and whether it is closed.
pub async fn period_on(
    conn: &mut Conn<'_>,
    year: tabel_domain::AcademicYearId,
    grade: u8,
    on: Date,
) -> Result<Option<(tabel_domain::PeriodId, bool)>> {
    const SQL: &str = "SELECT rp.id, CAST(CASE WHEN rp.locked_at IS NULL THEN 0 ELSE 1 END AS BIGINT) FROM reporting_periods rp \
         JOIN parallels pa ON pa.academic_year_id = rp.academic_year_id AND pa.period_kind = rp.kind \
         WHERE rp.academic_year_id = $1 AND pa.grade = $2 AND rp.starts_on <= $3 AND rp.ends_on >= $3 LIMIT 1";
    Ok(
        fetch_optional!(conn, (i64, i64), SQL, year.get(), i64::from(grade), on)?
            .map(|(id, locked)| (tabel_domain::PeriodId::new(id), locked != 0)),
    )
}

/// Whether a reporting period is closed.
pub async fn period_locked(conn: &mut Conn<'_>, period: tabel_domain::PeriodId) -> Result<bool> {
    const SQL: &str =
        "SELECT COUNT(*) FROM reporting_periods WHERE id = $1 AND locked_at IS NOT NULL";
    Ok(fetch_scalar!(conn, i64, SQL, period.get())? > 0)
}

/// Locks (`Some(now)`) or reopens (`None`) a reporting period.
pub async fn set_period_lock(
    conn: &mut Conn<'_>,
    period: tabel_domain::PeriodId,
    at: Option<OffsetDateTime>,
) -> Result<u64> {
    const SQL: &str = "UPDATE reporting_periods SET locked_at = $2 WHERE id = $1";
    Ok(execute!(conn, SQL, period.get(), at)?)
}
