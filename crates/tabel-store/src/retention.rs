//! What the server forgets on schedule (issue 17): sessions long expired, the client addresses
//! kept with sessions, and the delivery log of notifications. Each kind has a count (for a dry
//! run) and the statement that removes it, over the same condition. The audit log's addresses
//! are redacted by [`crate::audit::redact_addresses_before`], never deleted.

use crate::{Conn, Result};
use time::OffsetDateTime;

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Sessions that expired, or were revoked, before `cutoff`: counted, or deleted.
pub async fn expired_sessions(
    conn: &mut Conn<'_>,
    cutoff: OffsetDateTime,
    delete: bool,
) -> Result<u64> {
    const COUNT: &str = "SELECT COUNT(*) FROM sessions WHERE expires_at < $1 OR revoked_at < $1";
    const DELETE: &str = "DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1";
    if delete {
        Ok(execute!(conn, DELETE, cutoff)?)
    } else {
        Ok(count(fetch_scalar!(conn, i64, COUNT, cutoff)?))
    }
}

/// Sessions last seen before `cutoff` that still keep the client's address: counted, or the
/// address (and the browser's name, which narrows it down) cleared.
pub async fn session_addresses(
    conn: &mut Conn<'_>,
    cutoff: OffsetDateTime,
    clear: bool,
) -> Result<u64> {
    const COUNT: &str = "SELECT COUNT(*) FROM sessions WHERE last_seen_at < $1 AND origin <> ''";
    const CLEAR: &str = "UPDATE sessions SET origin = '', user_agent = '' \
         WHERE last_seen_at < $1 AND origin <> ''";
    if clear {
        Ok(execute!(conn, CLEAR, cutoff)?)
    } else {
        Ok(count(fetch_scalar!(conn, i64, COUNT, cutoff)?))
    }
}

/// Login throttles that say nothing any more at `now` (their key names the client's address):
/// counted, or deleted.
pub async fn stale_throttles(
    conn: &mut Conn<'_>,
    now: OffsetDateTime,
    delete: bool,
) -> Result<u64> {
    const COUNT: &str = "SELECT COUNT(*) FROM login_throttle WHERE expires_at < $1";
    let now = now.unix_timestamp();
    if delete {
        crate::throttle::sweep(conn, now).await
    } else {
        Ok(count(fetch_scalar!(conn, i64, COUNT, now)?))
    }
}

/// Notifications made before `cutoff` and done with (sent, dead or cancelled), with their
/// failed attempts and the digest lines they carried: counted, or deleted. What is still to be
/// sent stays whatever its age.
pub async fn old_deliveries(
    conn: &mut Conn<'_>,
    cutoff: OffsetDateTime,
    delete: bool,
) -> Result<u64> {
    const COUNT: &str = "SELECT COUNT(*) FROM deliveries \
         WHERE created_at < $1 AND state IN ('sent', 'dead', 'cancelled')";
    const ATTEMPTS: &str = "DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM \
         deliveries WHERE created_at < $1 AND state IN ('sent', 'dead', 'cancelled'))";
    const DIGEST_LINES: &str = "DELETE FROM digest_items WHERE delivery_id IN (SELECT id FROM \
         deliveries WHERE created_at < $1 AND state IN ('sent', 'dead', 'cancelled'))";
    const DELETE: &str = "DELETE FROM deliveries \
         WHERE created_at < $1 AND state IN ('sent', 'dead', 'cancelled')";
    if !delete {
        return Ok(count(fetch_scalar!(conn, i64, COUNT, cutoff)?));
    }
    execute!(conn, ATTEMPTS, cutoff)?;
    execute!(conn, DIGEST_LINES, cutoff)?;
    Ok(execute!(conn, DELETE, cutoff)?)
}
