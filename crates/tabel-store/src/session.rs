//! Server-side sessions. Only the SHA-256 of a token is stored: a copy of the database does not
//! let anyone log in. Expiry and revocation are compared in Rust (see the crate docs).

use crate::{Conn, Result};
use tabel_domain::{SessionId, UserId};
use time::OffsetDateTime;

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Id (shown on the account page so that one device can be named).
    pub id: SessionId,
    /// Whose.
    pub user: UserId,
    /// `web` (cookie) or `api` (bearer token).
    pub kind: String,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Expires (slides forward while used).
    pub expires_at: OffsetDateTime,
    /// Last used.
    pub last_seen_at: OffsetDateTime,
    /// The browser or client that logged in.
    pub user_agent: String,
    /// The address it logged in from.
    pub origin: String,
    /// Revoked by logout.
    pub revoked_at: Option<OffsetDateTime>,
}

impl Session {
    /// Whether the session may be used at `now`.
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    user_id: i64,
    kind: String,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
    user_agent: String,
    origin: String,
    revoked_at: Option<OffsetDateTime>,
}

impl From<SessionRow> for Session {
    fn from(r: SessionRow) -> Self {
        Session {
            id: SessionId::new(r.id),
            user: UserId::new(r.user_id),
            kind: r.kind,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_seen_at: r.last_seen_at,
            user_agent: r.user_agent,
            origin: r.origin,
            revoked_at: r.revoked_at,
        }
    }
}

/// A session to create.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    /// Hex SHA-256 of the token.
    pub token_hash: &'a str,
    /// Whose.
    pub user: UserId,
    /// `web` or `api`.
    pub kind: &'a str,
    /// Now.
    pub now: OffsetDateTime,
    /// Expiry.
    pub expires_at: OffsetDateTime,
    /// Client's user agent (truncated by the caller).
    pub user_agent: &'a str,
    /// Client's address.
    pub origin: &'a str,
}

/// Stores a new session.
pub async fn insert_session(conn: &mut Conn<'_>, s: &NewSession<'_>) -> Result<SessionId> {
    const SQL: &str = concat!(
        "INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at, last_seen_at, ",
        "user_agent, origin) VALUES ($1, $2, $3, $4, $5, $4, $6, $7) RETURNING id"
    );
    let id = fetch_scalar!(
        conn,
        i64,
        SQL,
        s.token_hash,
        s.user.get(),
        s.kind,
        s.now,
        s.expires_at,
        s.user_agent,
        s.origin
    )?;
    Ok(SessionId::new(id))
}

/// The session with this token hash, live or not.
pub async fn session_by_hash(conn: &mut Conn<'_>, token_hash: &str) -> Result<Option<Session>> {
    const SQL: &str = concat!(
        "SELECT id, user_id, kind, created_at, expires_at, last_seen_at, user_agent, origin, ",
        "revoked_at FROM sessions WHERE token_hash = $1"
    );
    Ok(fetch_optional!(conn, SessionRow, SQL, token_hash)?.map(Session::from))
}

/// Slides a session's expiry and records its use.
pub async fn touch_session(
    conn: &mut Conn<'_>,
    id: SessionId,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<()> {
    const SQL: &str = "UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1 AND revoked_at IS NULL";
    execute!(conn, SQL, id.get(), now, expires_at)?;
    Ok(())
}

/// Revokes one session of a user (logout, or "end this device" on the account page).
pub async fn revoke_session(
    conn: &mut Conn<'_>,
    user: UserId,
    id: SessionId,
    now: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str =
        "UPDATE sessions SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL";
    Ok(execute!(conn, SQL, id.get(), user.get(), now)? > 0)
}

/// Revokes every session of a user except `keep` (log out of all other devices; password change).
pub async fn revoke_sessions_of(
    conn: &mut Conn<'_>,
    user: UserId,
    keep: Option<SessionId>,
    now: OffsetDateTime,
) -> Result<u64> {
    const SQL: &str = "UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND id <> $3";
    execute!(conn, SQL, user.get(), now, keep.map_or(0, |k| k.get())).map_err(Into::into)
}

/// Every session a user ever had, revoked and expired ones too, oldest first (the family's
/// export: times and addresses).
pub async fn all_sessions_of(conn: &mut Conn<'_>, user: UserId) -> Result<Vec<Session>> {
    const SQL: &str = concat!(
        "SELECT id, user_id, kind, created_at, expires_at, last_seen_at, user_agent, origin, ",
        "revoked_at FROM sessions WHERE user_id = $1 ORDER BY id"
    );
    Ok(fetch_all!(conn, SessionRow, SQL, user.get())?
        .into_iter()
        .map(Session::from)
        .collect())
}

/// A user's sessions that are not revoked, newest first; the caller drops the expired ones.
pub async fn sessions_of(conn: &mut Conn<'_>, user: UserId) -> Result<Vec<Session>> {
    const SQL: &str = concat!(
        "SELECT id, user_id, kind, created_at, expires_at, last_seen_at, user_agent, origin, ",
        "revoked_at FROM sessions WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC"
    );
    Ok(fetch_all!(conn, SessionRow, SQL, user.get())?
        .into_iter()
        .map(Session::from)
        .collect())
}
