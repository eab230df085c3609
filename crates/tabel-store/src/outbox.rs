//! The outbox: events written in the same transaction as the change they announce, read later by
//! the notifier and the change feed. A row is never lost with a rolled-back change, and never
//! announces a change that did not commit.

use crate::{Conn, Result};
use tabel_domain::SchoolId;
use time::OffsetDateTime;

/// A pending event.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxEvent {
    /// Row id, increasing.
    pub id: i64,
    /// The school it concerns.
    pub school_id: Option<i64>,
    /// E.g. `user.created`.
    pub topic: String,
    /// JSON.
    pub payload: String,
    /// When written.
    pub created_at: OffsetDateTime,
}

/// Writes an event (inside the change's transaction). Its topic is one of
/// [`tabel_domain::notify::TOPICS`], which webhooks subscribe to (checked in debug builds, so
/// that every test of a change keeps the list whole).
pub async fn emit(
    conn: &mut Conn<'_>,
    school: Option<SchoolId>,
    topic: &str,
    payload: &serde_json::Value,
    now: OffsetDateTime,
) -> Result<i64> {
    debug_assert!(
        tabel_domain::notify::TOPICS.contains(&topic),
        "outbox topic {topic:?} is missing from tabel_domain::notify::TOPICS"
    );
    const SQL: &str = "INSERT INTO outbox (school_id, topic, payload, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
    let id = fetch_scalar!(
        conn,
        i64,
        SQL,
        school.map(|s| s.get()),
        topic,
        payload.to_string(),
        now
    )?;
    Ok(id)
}

/// The oldest unprocessed events.
pub async fn pending(conn: &mut Conn<'_>, limit: i64) -> Result<Vec<OutboxEvent>> {
    const SQL: &str = concat!(
        "SELECT id, school_id, topic, payload, created_at FROM outbox ",
        "WHERE processed_at IS NULL ORDER BY id LIMIT $1"
    );
    fetch_all!(conn, OutboxEvent, SQL, limit).map_err(Into::into)
}

/// Marks an event processed.
pub async fn mark_processed(conn: &mut Conn<'_>, id: i64, now: OffsetDateTime) -> Result<()> {
    const SQL: &str = "UPDATE outbox SET processed_at = $2 WHERE id = $1";
    execute!(conn, SQL, id, now)?;
    Ok(())
}
