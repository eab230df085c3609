//! Throttles of logins and public lookups: one row per key, shared by every server process on
//! the database and kept across restarts. Instants are Unix seconds (see the migration).

use crate::{Conn, Result};

/// A throttle's state; what the numbers mean is the caller's (tabel-app's throttle rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct ThrottleState {
    /// Start of the counting window, or the last failure.
    pub window_start: i64,
    /// Attempts or failures counted.
    pub hits: i64,
    /// Locks in a row.
    pub lockouts: i64,
    /// Refused until then (0: not refused).
    pub blocked_until: i64,
    /// Meaningless after then (may be swept).
    pub expires_at: i64,
}

/// The state of a key, if it has a row (read without a lock, for the cheap refusal).
pub async fn get(conn: &mut Conn<'_>, key: &str) -> Result<Option<ThrottleState>> {
    const SQL: &str = "SELECT window_start, hits, lockouts, blocked_until, expires_at \
         FROM login_throttle WHERE throttle_key = $1";
    Ok(fetch_optional!(conn, ThrottleState, SQL, key)?)
}

/// The state of a key inside a write transaction, locked until the transaction ends: a row of
/// zeros is created when there is none. On PostgreSQL the upsert takes the row's lock and returns
/// the latest committed state, so concurrent attempts are counted one after the other (SQLite's
/// write transactions are serial anyway).
pub async fn claim(conn: &mut Conn<'_>, key: &str) -> Result<ThrottleState> {
    const SQL: &str = "INSERT INTO login_throttle \
         (throttle_key, window_start, hits, lockouts, blocked_until, expires_at) \
         VALUES ($1, 0, 0, 0, 0, 0) \
         ON CONFLICT (throttle_key) DO UPDATE SET hits = login_throttle.hits \
         RETURNING window_start, hits, lockouts, blocked_until, expires_at";
    Ok(fetch_one!(conn, ThrottleState, SQL, key)?)
}

/// Writes a claimed key's new state.
pub async fn put(conn: &mut Conn<'_>, key: &str, s: &ThrottleState) -> Result<()> {
    const SQL: &str = "UPDATE login_throttle SET window_start = $2, hits = $3, lockouts = $4, \
         blocked_until = $5, expires_at = $6 WHERE throttle_key = $1";
    execute!(
        conn,
        SQL,
        key,
        s.window_start,
        s.hits,
        s.lockouts,
        s.blocked_until,
        s.expires_at
    )?;
    Ok(())
}

/// Forgets a key (a successful login, an administrator's unlock).
pub async fn clear(conn: &mut Conn<'_>, key: &str) -> Result<()> {
    const SQL: &str = "DELETE FROM login_throttle WHERE throttle_key = $1";
    execute!(conn, SQL, key)?;
    Ok(())
}

/// Deletes the rows that say nothing any more at `now` (Unix seconds); how many.
pub async fn sweep(conn: &mut Conn<'_>, now: i64) -> Result<u64> {
    const SQL: &str = "DELETE FROM login_throttle WHERE expires_at < $1";
    Ok(execute!(conn, SQL, now)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::both_backends! {
        async fn claims_puts_and_sweeps(db: &Db) {
            let mut tx = db.begin().await.unwrap();
            let fresh = claim(&mut tx.conn(), "address:192.0.2.1").await.unwrap();
            assert_eq!(fresh, ThrottleState::default());
            let s = ThrottleState {
                window_start: 100,
                hits: 3,
                lockouts: 1,
                blocked_until: 160,
                expires_at: 200,
            };
            put(&mut tx.conn(), "address:192.0.2.1", &s).await.unwrap();
            assert_eq!(claim(&mut tx.conn(), "address:192.0.2.1").await.unwrap(), s);
            claim(&mut tx.conn(), "address:192.0.2.2").await.unwrap();
            let later = ThrottleState { expires_at: 300, ..s };
            put(&mut tx.conn(), "address:192.0.2.2", &later).await.unwrap();
            tx.commit().await.unwrap();
            let mut c = db.acquire().await.unwrap();
            assert_eq!(get(&mut c.conn(), "address:192.0.2.1").await.unwrap(), Some(s));
            assert_eq!(sweep(&mut c.conn(), 250).await.unwrap(), 1);
            assert_eq!(get(&mut c.conn(), "address:192.0.2.1").await.unwrap(), None);
            clear(&mut c.conn(), "address:192.0.2.2").await.unwrap();
            assert_eq!(get(&mut c.conn(), "address:192.0.2.2").await.unwrap(), None);
        }
    }
}
