//! The outbox as the notifier reads it: events not yet handled, claimed and marked.

use super::is_postgres;
use crate::{Conn, Result};
use time::OffsetDateTime;

/// An outbox event the notifier has not handled yet.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Event {
    /// Row id.
    pub id: i64,
    /// The school it concerns.
    pub school_id: Option<i64>,
    /// E.g. `final.published`.
    pub topic: String,
    /// JSON.
    pub payload: String,
    /// When written.
    pub created_at: OffsetDateTime,
}

/// The oldest events the notifier has not handled, claimed for this transaction (on PostgreSQL
/// rows another worker holds are skipped, not waited for).
pub async fn unnotified(conn: &mut Conn<'_>, limit: i64) -> Result<Vec<Event>> {
    const SQL: &str = "SELECT id, school_id, topic, payload, created_at FROM outbox \
         WHERE notified_at IS NULL ORDER BY id LIMIT $1";
    const PG: &str = "SELECT id, school_id, topic, payload, created_at FROM outbox \
         WHERE notified_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED";
    let sql = if is_postgres(conn) { PG } else { SQL };
    Ok(fetch_all!(conn, Event, sql, limit)?)
}

/// Marks an event handled by the notifier (other readers keep their own `processed_at`).
pub async fn mark_notified(conn: &mut Conn<'_>, id: i64, now: OffsetDateTime) -> Result<()> {
    const SQL: &str = "UPDATE outbox SET notified_at = $2 WHERE id = $1";
    execute!(conn, SQL, id, now)?;
    Ok(())
}

/// How many events the notifier has not handled yet.
pub async fn count_unnotified(conn: &mut Conn<'_>) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM outbox WHERE notified_at IS NULL";
    Ok(fetch_scalar!(conn, i64, SQL)?)
}
