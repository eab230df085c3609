//! Throttles against guessing: a window of attempts per client address (logins and password
//! resets; verification-code lookups apart), and a back-off per login after repeated failures.
//!
//! The state lives in the database (`tabel_store::throttle`), so a restart or a second server on
//! the same database does not reset it; only these rare requests write to it. A login's
//! back-off is keyed by the login as typed (its SHA-256: a password typed into the login field is
//! not kept), whether or not an account has it, so an unknown login gets the same answers as a
//! known one. The rules are pure functions of the stored state and "now", tested below.

use crate::{App, AppError};
use sha2::{Digest, Sha256};
use tabel_store::throttle::{self as repo, ThrottleState};
use time::OffsetDateTime;

/// How long a login's failures and locks are remembered after the last of them.
const QUIET_SECS: i64 = 24 * 60 * 60;
/// The longest lock is the first one doubled this many times.
const MAX_DOUBLINGS: u32 = 4;
/// Minimum seconds between two sweeps of expired rows by one process.
const SWEEP_EVERY_SECS: i64 = 600;

/// The throttle key of a client address for `scope` (`address`, `verify`): an IPv6 address
/// counts by its /64 (one subscriber's network, which hands out addresses freely), anything else
/// as it is.
pub fn address_key(scope: &str, address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{scope}:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => format!("{scope}:{}", v6.to_canonical()),
        _ => format!("{scope}:{}", address.chars().take(64).collect::<String>()),
    }
}

/// The throttle key of a login as typed: trimmed, lower-cased (as [`tabel_domain::text::Login`]
/// does), hashed.
pub fn account_key(login: &str) -> String {
    let typed: String = login.trim().to_lowercase().chars().take(64).collect();
    format!("account:{}", hex::encode(Sha256::digest(typed.as_bytes())))
}

/// Counts an attempt in a fixed window of `window` seconds allowing `limit` attempts: the new
/// state, or the seconds to wait when over the limit (then nothing needs writing).
pub fn window_hit(
    s: ThrottleState,
    now: i64,
    limit: u32,
    window: i64,
) -> Result<ThrottleState, i64> {
    let mut s = if now >= s.window_start + window {
        ThrottleState {
            window_start: now,
            hits: 0,
            lockouts: 0,
            blocked_until: 0,
            expires_at: now + window,
        }
    } else {
        s
    };
    if s.hits >= i64::from(limit.max(1)) {
        return Err((s.window_start + window - now).max(1));
    }
    s.hits += 1;
    Ok(s)
}

/// Whether a login is refused at `now`: until when.
pub fn blocked(s: &ThrottleState, now: i64) -> Option<i64> {
    (s.blocked_until > now).then_some(s.blocked_until)
}

/// Counts a failed login: the new state, and the end of the lock it brings (if it does).
/// `threshold` failures lock for `base` seconds, each further lock in a row for twice as long
/// (at most 2^[`MAX_DOUBLINGS`] times); when a lock has ended the count starts again from zero,
/// and a quiet day forgets everything.
pub fn failure(
    s: ThrottleState,
    now: i64,
    threshold: i64,
    base: i64,
) -> (ThrottleState, Option<i64>) {
    if let Some(until) = blocked(&s, now) {
        return (s, Some(until));
    }
    let mut s = if now >= s.expires_at {
        ThrottleState::default()
    } else {
        s
    };
    if s.blocked_until != 0 {
        // The lock ended: a new run of failures begins.
        s.hits = 0;
        s.blocked_until = 0;
    }
    s.hits += 1;
    s.window_start = now;
    let mut locked = None;
    if s.hits >= threshold.max(1) {
        s.lockouts += 1;
        let doublings = u32::try_from(s.lockouts - 1)
            .unwrap_or(MAX_DOUBLINGS)
            .min(MAX_DOUBLINGS);
        s.blocked_until = now + base.max(1) * (1i64 << doublings);
        s.hits = 0;
        locked = Some(s.blocked_until);
    }
    s.expires_at = s.blocked_until.max(now) + QUIET_SECS;
    (s, locked)
}

fn instant(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl App {
    /// Counts a login or password-reset attempt from a client address:
    /// [`AppError::TooManyAttempts`] past `login_attempts_per_minute`.
    pub async fn throttle_address(&self, address: &str) -> Result<(), AppError> {
        self.window(
            &address_key("address", address),
            self.config.login_attempts_per_minute,
        )
        .await
    }

    /// Counts a lookup of an extract's verification code from a client address (its own window,
    /// of the same size as the logins').
    pub async fn throttle_verification(&self, address: &str) -> Result<(), AppError> {
        self.window(
            &address_key("verify", address),
            self.config.login_attempts_per_minute,
        )
        .await
    }

    async fn window(&self, key: &str, limit: u32) -> Result<(), AppError> {
        let now = self.now().unix_timestamp();
        // Past the limit nothing changes: answer from a plain read, without writing.
        let current = {
            let mut c = self.db.acquire().await?;
            repo::get(&mut c.conn(), key).await?
        };
        if let Some(s) = current
            && let Err(wait) = window_hit(s, now, limit, 60)
        {
            return Err(AppError::TooManyAttempts {
                until: instant(now + wait),
            });
        }
        let mut tx = self.db.begin().await?;
        let s = repo::claim(&mut tx.conn(), key).await?;
        let outcome = window_hit(s, now, limit, 60);
        if let Ok(next) = &outcome {
            repo::put(&mut tx.conn(), key, next).await?;
        }
        tx.commit().await?;
        self.sweep_throttles(now).await;
        outcome
            .map(|_| ())
            .map_err(|wait| AppError::TooManyAttempts {
                until: instant(now + wait),
            })
    }

    /// Until when the login is refused, if it is (a read, no write).
    pub(crate) async fn account_blocked(
        &self,
        key: &str,
    ) -> Result<Option<OffsetDateTime>, AppError> {
        let now = self.now().unix_timestamp();
        let mut c = self.db.acquire().await?;
        Ok(repo::get(&mut c.conn(), key)
            .await?
            .and_then(|s| blocked(&s, now))
            .map(instant))
    }

    /// Counts a failed login inside the caller's transaction: the end of the lock it brings.
    pub(crate) async fn account_failed(
        &self,
        conn: &mut tabel_store::Conn<'_>,
        key: &str,
    ) -> Result<Option<OffsetDateTime>, AppError> {
        let now = self.now().unix_timestamp();
        let s = repo::claim(conn, key).await?;
        let (next, locked) = failure(
            s,
            now,
            self.config.lockout_threshold,
            self.config.lockout_duration.whole_seconds(),
        );
        repo::put(conn, key, &next).await?;
        Ok(locked.map(instant))
    }

    /// Deletes expired throttle rows, at most every ten minutes per process; a failure only
    /// leaves them for the next time.
    async fn sweep_throttles(&self, now: i64) {
        use std::sync::atomic::Ordering;
        let last = self.throttles_swept.load(Ordering::Relaxed);
        if now - last < SWEEP_EVERY_SECS
            || self
                .throttles_swept
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let swept = async {
            let mut c = self.db.acquire().await?;
            repo::sweep(&mut c.conn(), now).await?;
            Ok::<_, AppError>(())
        };
        if let Err(e) = swept.await {
            tracing::warn!(error = %e, "sweeping the login throttles failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_by_their_network() {
        assert_eq!(
            address_key("address", "2001:db8:1:2:aaaa::1"),
            "address:2001:db8:1:2::/64"
        );
        assert_eq!(
            address_key("address", "2001:db8:1:2:bbbb::9"),
            "address:2001:db8:1:2::/64"
        );
        assert_eq!(address_key("verify", "192.0.2.7"), "verify:192.0.2.7");
        assert_eq!(
            address_key("address", "::ffff:192.0.2.7"),
            "address:192.0.2.7"
        );
    }

    #[test]
    fn a_login_is_keyed_as_typed_without_keeping_it() {
        assert_eq!(account_key(" Teacher "), account_key("teacher"));
        assert_ne!(account_key("teacher"), account_key("parent"));
        assert!(!account_key("my secret").contains("secret"));
    }

    #[test]
    fn the_window_refuses_past_its_allowance_and_opens_again() {
        let mut s = ThrottleState::default();
        for _ in 0..3 {
            s = window_hit(s, 1000, 3, 60).unwrap();
        }
        assert_eq!(window_hit(s, 1010, 3, 60), Err(50));
        let next = window_hit(s, 1060, 3, 60).unwrap();
        assert_eq!((next.window_start, next.hits), (1060, 1));
    }

    #[test]
    fn failures_lock_a_login_then_back_off_and_an_ended_lock_needs_a_new_run() {
        let mut s = ThrottleState::default();
        for i in 0..4 {
            let (n, locked) = failure(s, 1000 + i, 5, 900);
            assert_eq!(locked, None);
            s = n;
        }
        let (s, locked) = failure(s, 1004, 5, 900);
        assert_eq!(locked, Some(1904));
        assert_eq!(blocked(&s, 1500), Some(1904));
        assert_eq!(blocked(&s, 1904), None);
        // After the lock one failure does not lock again…
        let (s, locked) = failure(s, 2000, 5, 900);
        assert_eq!(locked, None);
        assert_eq!(s.hits, 1);
        // …five do, for twice as long.
        let mut s = s;
        for i in 1..4 {
            s = failure(s, 2000 + i, 5, 900).0;
        }
        assert_eq!(failure(s, 2004, 5, 900).1, Some(2004 + 1800));
        // Locks grow to sixteen times the first at most.
        let mut s = ThrottleState {
            lockouts: 10,
            expires_at: i64::MAX,
            ..ThrottleState::default()
        };
        for i in 0..4 {
            s = failure(s, 5000 + i, 5, 900).0;
        }
        assert_eq!(failure(s, 5004, 5, 900).1, Some(5004 + 16 * 900));
    }

    #[test]
    fn a_quiet_day_forgets_failures_and_locks() {
        let mut s = ThrottleState::default();
        for i in 0..4 {
            s = failure(s, 1000 + i, 5, 900).0;
        }
        let (s, locked) = failure(s, 1003 + QUIET_SECS + 1, 5, 900);
        assert_eq!(locked, None);
        assert_eq!((s.hits, s.lockouts), (1, 0));
    }
}
