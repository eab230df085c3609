//! Runs done once per period (a school's weekly forecasts), recorded by name so none runs twice.

use crate::{Conn, Result};
use time::OffsetDateTime;

/// Whether a named run was done.
pub async fn run_done(conn: &mut Conn<'_>, name: &str) -> Result<bool> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM notify_runs WHERE name = $1";
    Ok(fetch_scalar!(conn, i64, SQL, name)? > 0)
}

/// Records a named run as done (again: nothing changes).
pub async fn mark_run(conn: &mut Conn<'_>, name: &str, at: OffsetDateTime) -> Result<()> {
    const SQL: &str =
        "INSERT INTO notify_runs (name, done_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";
    execute!(conn, SQL, name, at)?;
    Ok(())
}
