//! Reporting periods as the journal sees them: the period of a date, and its lock.

use crate::{Conn, Result};
use time::{Date, OffsetDateTime};

/// The reporting period of a grade's parallel containing a date, and whether it is closed for
/// the lesson group `group` (for the whole school, for the group's class or a class of its
/// stream) or its year is frozen.
pub async fn period_on(
    conn: &mut Conn<'_>,
    year: tabel_domain::AcademicYearId,
    grade: u8,
    on: Date,
    group: tabel_domain::GroupId,
) -> Result<Option<(tabel_domain::PeriodId, bool)>> {
    const SQL: &str = "SELECT rp.id FROM reporting_periods rp \
         JOIN parallels pa ON pa.academic_year_id = rp.academic_year_id AND pa.period_kind = rp.kind \
         WHERE rp.academic_year_id = $1 AND pa.grade = $2 AND rp.starts_on <= $3 AND rp.ends_on >= $3 LIMIT 1";
    let Some((id,)) = fetch_optional!(conn, (i64,), SQL, year.get(), i64::from(grade), on)? else {
        return Ok(None);
    };
    let period = tabel_domain::PeriodId::new(id);
    let closed = crate::closing::closed_for_group(conn, period, group).await?;
    Ok(Some((period, closed)))
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
