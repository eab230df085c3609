//! Requests to erase a legal representative's personal data, and the erasure itself: what goes,
//! what is pseudonymised, what stays (docs/PRIVACY.md says why for each).

use crate::{Conn, Result, StoreError};
use serde::Serialize;
use tabel_domain::{PersonId, SchoolId, UserId};
use time::OffsetDateTime;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ErasureState {
    /// Waiting for the school's administrator.
    Pending,
    /// Done.
    CarriedOut,
    /// Refused, with a reason.
    Refused,
}

impl ErasureState {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            ErasureState::Pending => "pending",
            ErasureState::CarriedOut => "carried_out",
            ErasureState::Refused => "refused",
        }
    }

    fn from_code(code: &str) -> Result<ErasureState> {
        Ok(match code {
            "pending" => ErasureState::Pending,
            "carried_out" => ErasureState::CarriedOut,
            "refused" => ErasureState::Refused,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "erasure request state {other:?}"
                )));
            }
        })
    }
}

/// A stored request, with the requester as the person row now names them (the pseudonym once
/// carried out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErasureRequest {
    /// Id.
    pub id: i64,
    /// The school that decides.
    pub school: SchoolId,
    /// The legal representative.
    pub parent: PersonId,
    /// «Петрова Мария Андреевна», or «Представитель №123» after erasure.
    pub parent_name: String,
    /// The requester's words.
    pub comment: String,
    /// Where it stands.
    pub state: ErasureState,
    /// When asked.
    pub requested_at: OffsetDateTime,
    /// Who decided (a login).
    pub decided_by: Option<String>,
    /// When decided.
    pub decided_at: Option<OffsetDateTime>,
    /// Why refused.
    pub reason: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    school_id: i64,
    parent_id: i64,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    comment: String,
    state: String,
    requested_at: OffsetDateTime,
    decided_by: Option<String>,
    decided_at: Option<OffsetDateTime>,
    reason: String,
}

impl TryFrom<Row> for ErasureRequest {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<ErasureRequest> {
        let mut name = format!("{} {}", r.last_name, r.first_name);
        if let Some(m) = r.middle_name.filter(|m| !m.is_empty()) {
            name = format!("{name} {m}");
        }
        Ok(ErasureRequest {
            id: r.id,
            school: SchoolId::new(r.school_id),
            parent: PersonId::new(r.parent_id),
            parent_name: name,
            comment: r.comment,
            state: ErasureState::from_code(&r.state)?,
            requested_at: r.requested_at,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            reason: r.reason,
        })
    }
}

macro_rules! request_sql {
    ($tail:literal) => {
        concat!(
            "SELECT r.id, r.school_id, r.parent_id, p.last_name, p.first_name, p.middle_name, r.comment, ",
            "r.state, r.requested_at, u.login AS decided_by, r.decided_at, r.reason FROM erasure_requests r ",
            "JOIN persons p ON p.id = r.parent_id LEFT JOIN users u ON u.id = r.decided_by ",
            $tail
        )
    };
}

/// Records a pending request.
pub async fn insert_request(
    conn: &mut Conn<'_>,
    school: SchoolId,
    parent: PersonId,
    comment: &str,
    at: OffsetDateTime,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO erasure_requests (school_id, parent_id, comment, state, requested_at, reason) \
         VALUES ($1, $2, $3, 'pending', $4, '') RETURNING id";
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        school.get(),
        parent.get(),
        comment,
        at
    )?)
}

/// One request.
pub async fn get_request(conn: &mut Conn<'_>, id: i64) -> Result<Option<ErasureRequest>> {
    const SQL: &str = request_sql!("WHERE r.id = $1");
    fetch_optional!(conn, Row, SQL, id)?
        .map(ErasureRequest::try_from)
        .transpose()
}

/// A parent's requests, newest first.
pub async fn requests_of_parent(
    conn: &mut Conn<'_>,
    parent: PersonId,
) -> Result<Vec<ErasureRequest>> {
    const SQL: &str = request_sql!("WHERE r.parent_id = $1 ORDER BY r.id DESC");
    fetch_all!(conn, Row, SQL, parent.get())?
        .into_iter()
        .map(ErasureRequest::try_from)
        .collect()
}

/// A school's requests: the pending ones first (oldest first), then the decided (newest first).
pub async fn requests_of_school(
    conn: &mut Conn<'_>,
    school: SchoolId,
) -> Result<Vec<ErasureRequest>> {
    const SQL: &str = request_sql!(
        "WHERE r.school_id = $1 ORDER BY CASE WHEN r.state = 'pending' THEN 0 ELSE 1 END, \
         CASE WHEN r.state = 'pending' THEN r.id ELSE -r.id END"
    );
    fetch_all!(conn, Row, SQL, school.get())?
        .into_iter()
        .map(ErasureRequest::try_from)
        .collect()
}

/// How many requests of a school wait for a decision.
pub async fn count_pending(conn: &mut Conn<'_>, school: SchoolId) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM erasure_requests WHERE school_id = $1 AND state = 'pending'";
    Ok(fetch_scalar!(conn, i64, SQL, school.get())?)
}

/// Decides a pending request; `false` when it was no longer pending.
pub async fn decide(
    conn: &mut Conn<'_>,
    id: i64,
    state: ErasureState,
    by: UserId,
    at: OffsetDateTime,
    reason: &str,
) -> Result<bool> {
    const SQL: &str = "UPDATE erasure_requests SET state = $2, decided_by = $3, decided_at = $4, reason = $5 \
         WHERE id = $1 AND state = 'pending'";
    Ok(execute!(conn, SQL, id, state.code(), by.get(), at, reason)? > 0)
}

/// What an erasure removed, by kind (for the audit record).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Erased {
    /// Contacts (with their verification codes).
    pub contacts: u64,
    /// Notifications sent or waiting (with their attempts and digest lines).
    pub notifications: u64,
    /// Sessions.
    pub sessions: u64,
    /// Links to children ended.
    pub links_ended: u64,
}

/// Erases a legal representative: deletes their contacts (and verification codes), notification
/// history and settings, digest lines, sessions, password-reset codes and invitation attempts;
/// closes the account (no password, login `erased-<id>`, disabled); ends their links to
/// children; and replaces the person's name with `pseudonym` (`last`, `first`) and clears the
/// birth date. The journal, consent records and the audit log are not touched here.
pub async fn erase_parent(
    conn: &mut Conn<'_>,
    parent: PersonId,
    pseudonym: (&str, &str),
    sort_key: &str,
    now: OffsetDateTime,
) -> Result<Erased> {
    let p = parent.get();
    let mut erased = Erased::default();
    execute!(conn, "DELETE FROM digest_items WHERE parent_id = $1", p)?;
    execute!(
        conn,
        "DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE parent_id = $1)",
        p
    )?;
    erased.notifications = execute!(conn, "DELETE FROM deliveries WHERE parent_id = $1", p)?;
    execute!(
        conn,
        "DELETE FROM contact_codes WHERE contact_id IN (SELECT id FROM contacts WHERE parent_id = $1)",
        p
    )?;
    erased.contacts = execute!(conn, "DELETE FROM contacts WHERE parent_id = $1", p)?;
    execute!(
        conn,
        "DELETE FROM notify_event_settings WHERE parent_id = $1",
        p
    )?;
    execute!(conn, "DELETE FROM notify_settings WHERE parent_id = $1", p)?;
    erased.sessions = execute!(
        conn,
        "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE person_id = $1)",
        p
    )?;
    execute!(
        conn,
        "DELETE FROM password_resets WHERE user_id IN (SELECT id FROM users WHERE person_id = $1)",
        p
    )?;
    execute!(
        conn,
        "DELETE FROM invitation_attempts WHERE user_id IN (SELECT id FROM users WHERE person_id = $1)",
        p
    )?;
    const ACCOUNT: &str = "UPDATE users SET login = 'erased-' || CAST(id AS TEXT), password_hash = NULL, \
         display_name = $2, disabled_at = $3, version = version + 1 WHERE person_id = $1";
    let display = format!("{} {}", pseudonym.0, pseudonym.1);
    execute!(conn, ACCOUNT, p, display, now)?;
    erased.links_ended = execute!(
        conn,
        "UPDATE guardianships SET ended_at = $2 WHERE parent_id = $1 AND ended_at IS NULL",
        p,
        now
    )?;
    const PERSON: &str = "UPDATE persons SET last_name = $2, first_name = $3, middle_name = NULL, \
         birth_date = NULL, sort_key = $4 WHERE id = $1";
    execute!(conn, PERSON, p, pseudonym.0, pseudonym.1, sort_key)?;
    Ok(erased)
}
