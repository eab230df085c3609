//! Deliveries: one per event, recipient and channel (a unique idempotency key), claimed by
//! the worker, retried, dead-lettered or requeued; their attempts.

use super::{from_micros, is_postgres, micros};
use crate::{Conn, Result, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;
use tabel_domain::notify::{Channel, DeliveryState};
use tabel_domain::{ContactId, PersonId, SchoolId, UserId};
use time::OffsetDateTime;

/// A delivery to make.
#[derive(Debug, Clone)]
pub struct NewDelivery<'a> {
    /// The school (none for events without one).
    pub school: Option<SchoolId>,
    /// Unique per event (or digest, forecast), recipient and channel.
    pub key: &'a str,
    /// The outbox event, if one.
    pub event: Option<i64>,
    /// `final`, `exam`, `mark`, `homework`, `digest`, `forecast`, or the topic for a webhook.
    pub kind: &'a str,
    /// How it leaves.
    pub channel: Channel,
    /// The parent it is for.
    pub parent: Option<PersonId>,
    /// The pupil it is about (the consent of the pair is checked again before sending).
    pub student: Option<PersonId>,
    /// The parent's contact.
    pub contact: Option<ContactId>,
    /// The subscription.
    pub webhook: Option<i64>,
    /// E-mail address, phone or URL.
    pub address: &'a str,
    /// Subject (e-mail) or topic (webhook).
    pub subject: &'a str,
    /// The text, or the webhook's JSON.
    pub body: &'a str,
    /// Not held by quiet hours.
    pub urgent: bool,
    /// When it may first be sent.
    pub due: OffsetDateTime,
    /// Now.
    pub at: OffsetDateTime,
}

/// Makes a delivery unless one with its key exists: its id, or `None` for a key made before
/// (by this worker before a restart, or by another worker).
pub async fn insert_delivery(conn: &mut Conn<'_>, d: &NewDelivery<'_>) -> Result<Option<i64>> {
    const SQL: &str = "INSERT INTO deliveries (school_id, idempotency_key, event_id, kind, channel, parent_id, \
         contact_id, webhook_id, address, subject, body, urgent, state, attempts, due_micros, created_at, student_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', 0, $13, $14, $15) \
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id";
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
    }
    Ok(fetch_optional!(
        conn,
        Row,
        SQL,
        d.school.map(SchoolId::get),
        d.key,
        d.event,
        d.kind,
        d.channel.code(),
        d.parent.map(PersonId::get),
        d.contact.map(ContactId::get),
        d.webhook,
        d.address,
        d.subject,
        d.body,
        i64::from(d.urgent),
        micros(d.due),
        d.at,
        d.student.map(PersonId::get)
    )?
    .map(|r| r.id))
}

pub use tabel_domain::notify::Delivery;

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    school_id: Option<i64>,
    idempotency_key: String,
    event_id: Option<i64>,
    kind: String,
    channel: String,
    parent_id: Option<i64>,
    student_id: Option<i64>,
    contact_id: Option<i64>,
    webhook_id: Option<i64>,
    address: String,
    subject: String,
    body: String,
    urgent: i64,
    state: String,
    attempts: i64,
    due_micros: i64,
    last_error: Option<String>,
    created_at: OffsetDateTime,
    sent_at: Option<OffsetDateTime>,
    dead_at: Option<OffsetDateTime>,
    resent_at: Option<OffsetDateTime>,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = StoreError;
    fn try_from(r: DeliveryRow) -> Result<Delivery> {
        Ok(Delivery {
            id: r.id,
            school: r.school_id.map(SchoolId::new),
            key: r.idempotency_key,
            event: r.event_id,
            kind: r.kind,
            channel: Channel::from_code(&r.channel)?,
            parent: r.parent_id.map(PersonId::new),
            student: r.student_id.map(PersonId::new),
            contact: r.contact_id.map(ContactId::new),
            webhook: r.webhook_id,
            address: r.address,
            subject: r.subject,
            body: r.body,
            urgent: r.urgent != 0,
            state: DeliveryState::from_code(&r.state)?,
            attempts: r.attempts,
            due_at: from_micros(r.due_micros),
            last_error: r.last_error,
            created_at: r.created_at,
            sent_at: r.sent_at,
            dead_at: r.dead_at,
            resent_at: r.resent_at,
        })
    }
}

macro_rules! delivery_sql {
    ($head:literal, $tail:literal) => {
        concat!(
            $head,
            "id, school_id, idempotency_key, event_id, kind, channel, parent_id, student_id, contact_id, ",
            "webhook_id, address, subject, body, urgent, state, attempts, due_micros, last_error, created_at, sent_at, ",
            "dead_at, resent_at",
            $tail
        )
    };
}

fn deliveries(rows: Vec<DeliveryRow>) -> Result<Vec<Delivery>> {
    rows.into_iter().map(Delivery::try_from).collect()
}

/// Claims up to `limit` deliveries that are due at `now` — pending ones whose time has come,
/// and claims of other workers whose lease ran out (a worker that died) — until `lease_until`.
/// Oldest due first.
pub async fn claim_due(
    conn: &mut Conn<'_>,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
    limit: i64,
) -> Result<Vec<Delivery>> {
    const SQL: &str = delivery_sql!(
        "UPDATE deliveries SET state = 'sending', lease_micros = $2 WHERE id IN (\
         SELECT id FROM deliveries WHERE (state = 'pending' AND due_micros <= $1) \
         OR (state = 'sending' AND lease_micros <= $1) ORDER BY due_micros, id LIMIT $3) RETURNING ",
        ""
    );
    const PG: &str = delivery_sql!(
        "UPDATE deliveries SET state = 'sending', lease_micros = $2 WHERE id IN (\
         SELECT id FROM deliveries WHERE (state = 'pending' AND due_micros <= $1) \
         OR (state = 'sending' AND lease_micros <= $1) ORDER BY due_micros, id LIMIT $3 \
         FOR UPDATE SKIP LOCKED) RETURNING ",
        ""
    );
    let sql = if is_postgres(conn) { PG } else { SQL };
    let mut out = deliveries(fetch_all!(
        conn,
        DeliveryRow,
        sql,
        micros(now),
        micros(lease_until),
        limit
    )?)?;
    out.sort_by_key(|d| (d.due_at, d.id));
    Ok(out)
}

/// Marks a claimed delivery accepted; `false` when it was not claimed (re-sent or handled by
/// another worker after this one's lease ran out).
pub async fn mark_sent(conn: &mut Conn<'_>, id: i64, at: OffsetDateTime) -> Result<bool> {
    const SQL: &str = "UPDATE deliveries SET state = 'sent', sent_at = $2, lease_micros = NULL, last_error = NULL \
         WHERE id = $1 AND state = 'sending'";
    Ok(execute!(conn, SQL, id, at)? > 0)
}

/// What became of a failed try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Try again at this instant.
    At(OffsetDateTime),
    /// Out of attempts: the dead-letter list.
    Dead,
}

/// Records a failed try of a claimed delivery (the attempt with its error) and either puts it
/// back for a retry or on the dead-letter list.
pub async fn mark_failed(
    conn: &mut Conn<'_>,
    (id, attempts): (i64, i64),
    error: &str,
    retry: Retry,
    at: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str = "UPDATE deliveries SET state = $2, attempts = $3, due_micros = $4, last_error = $5, \
         lease_micros = NULL, dead_at = $6 WHERE id = $1 AND state = 'sending'";
    const ATTEMPT: &str =
        "INSERT INTO delivery_attempts (delivery_id, attempt, at, error) VALUES ($1, $2, $3, $4)";
    let (state, due, dead_at) = match retry {
        Retry::At(when) => (DeliveryState::Pending, micros(when), None),
        Retry::Dead => (DeliveryState::Dead, micros(at), Some(at)),
    };
    let changed = execute!(conn, SQL, id, state.code(), attempts, due, error, dead_at)? > 0;
    if changed {
        execute!(conn, ATTEMPT, id, attempts, at, error)?;
    }
    Ok(changed)
}

/// Cancels a claimed delivery that may no longer be sent (the consent was withdrawn, the
/// contact removed, the subscription ended), with the reason.
pub async fn mark_cancelled(
    conn: &mut Conn<'_>,
    id: i64,
    why: &str,
    at: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str = "UPDATE deliveries SET state = 'cancelled', last_error = $2, lease_micros = NULL, dead_at = $3 \
         WHERE id = $1 AND state = 'sending'";
    Ok(execute!(conn, SQL, id, why, at)? > 0)
}

/// Puts a dead delivery back in the queue, due now, with its attempts counted afresh (an
/// administrator's re-send); `false` when it was not dead.
pub async fn requeue(
    conn: &mut Conn<'_>,
    id: i64,
    by: Option<UserId>,
    at: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str = "UPDATE deliveries SET state = 'pending', attempts = 0, due_micros = $2, dead_at = NULL, \
         resent_by = $3, resent_at = $4 WHERE id = $1 AND state = 'dead'";
    Ok(execute!(conn, SQL, id, micros(at), by.map(UserId::get), at)? > 0)
}

/// One delivery.
pub async fn get_delivery(conn: &mut Conn<'_>, id: i64) -> Result<Option<Delivery>> {
    const SQL: &str = delivery_sql!("SELECT ", " FROM deliveries WHERE id = $1");
    fetch_optional!(conn, DeliveryRow, SQL, id)?
        .map(Delivery::try_from)
        .transpose()
}

/// The delivery with an idempotency key.
pub async fn delivery_by_key(conn: &mut Conn<'_>, key: &str) -> Result<Option<Delivery>> {
    const SQL: &str = delivery_sql!("SELECT ", " FROM deliveries WHERE idempotency_key = $1");
    fetch_optional!(conn, DeliveryRow, SQL, key)?
        .map(Delivery::try_from)
        .transpose()
}

/// A school's deliveries in a state, newest first (the dead-letter list is `Dead`).
pub async fn deliveries_of_school(
    conn: &mut Conn<'_>,
    school: SchoolId,
    state: DeliveryState,
    limit: i64,
) -> Result<Vec<Delivery>> {
    const SQL: &str = delivery_sql!(
        "SELECT ",
        " FROM deliveries WHERE school_id = $1 AND state = $2 ORDER BY id DESC LIMIT $3"
    );
    deliveries(fetch_all!(
        conn,
        DeliveryRow,
        SQL,
        school.get(),
        state.code(),
        limit
    )?)
}

/// Every delivery made for a parent (messages about their children, digests, forecasts, codes),
/// oldest first: what the family's export lists as "notifications sent to you".
pub async fn deliveries_to_parent(conn: &mut Conn<'_>, parent: PersonId) -> Result<Vec<Delivery>> {
    const SQL: &str = delivery_sql!(
        "SELECT ",
        " FROM deliveries WHERE parent_id = $1 ORDER BY id"
    );
    deliveries(fetch_all!(conn, DeliveryRow, SQL, parent.get())?)
}

/// Every delivery made for an outbox event.
pub async fn deliveries_of_event(conn: &mut Conn<'_>, event: i64) -> Result<Vec<Delivery>> {
    const SQL: &str = delivery_sql!(
        "SELECT ",
        " FROM deliveries WHERE event_id = $1 ORDER BY id"
    );
    deliveries(fetch_all!(conn, DeliveryRow, SQL, event)?)
}

/// How many deliveries are in each state (for `/metrics` and the CLI).
pub async fn count_by_state(conn: &mut Conn<'_>) -> Result<BTreeMap<DeliveryState, i64>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        state: String,
        n: i64,
    }
    const SQL: &str =
        "SELECT state, CAST(COUNT(*) AS BIGINT) AS n FROM deliveries GROUP BY state ORDER BY state";
    let mut out = BTreeMap::new();
    for r in fetch_all!(conn, Row, SQL)? {
        out.insert(DeliveryState::from_code(&r.state)?, r.n);
    }
    Ok(out)
}

/// A failed try.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// 1, 2, …
    pub attempt: i64,
    /// When.
    pub at: OffsetDateTime,
    /// What went wrong.
    pub error: String,
}

/// The failed tries of a delivery, in order.
pub async fn attempts_of(conn: &mut Conn<'_>, delivery: i64) -> Result<Vec<Attempt>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        attempt: i64,
        at: OffsetDateTime,
        error: String,
    }
    const SQL: &str =
        "SELECT attempt, at, error FROM delivery_attempts WHERE delivery_id = $1 ORDER BY id";
    Ok(fetch_all!(conn, Row, SQL, delivery)?
        .into_iter()
        .map(|r| Attempt {
            attempt: r.attempt,
            at: r.at,
            error: r.error,
        })
        .collect())
}
