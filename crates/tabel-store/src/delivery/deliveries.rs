//! Notifying families and services: the notifier's claim on outbox events, parents' settings,
//! webhook subscriptions, deliveries (one per event, recipient and channel, by a unique
//! idempotency key) with their retries and dead letters, and the lines waiting for a daily
//! digest.
//!
//! Two queries differ by backend, and only in a suffix: on PostgreSQL several workers may run
//! at once, so claims take `FOR UPDATE SKIP LOCKED` (each worker gets other rows and nobody
//! waits); SQLite has one writer at a time (`BEGIN IMMEDIATE`), which is claim enough.
//! Instants the worker compares in SQL are integer microseconds (see the migration).

use crate::{Conn, Result, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;
use tabel_domain::WebhookId;
use tabel_domain::notify::{
    Channel, ChannelChoice, DeliveryState, EventKind, EventSetting, Mode, QuietHours,
};
use tabel_domain::school::ConsentState;
use tabel_domain::{ContactId, PersonId, SchoolId, UserId};
use time::OffsetDateTime;

/// Microseconds since the epoch, as the scheduling columns keep instants.
pub fn micros(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

/// The instant of a microsecond count.
pub fn from_micros(us: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn is_postgres(conn: &Conn<'_>) -> bool {
    matches!(conn, Conn::Postgres(_))
}

// ---------------------------------------------------------------------------------------------
// The outbox, as the notifier reads it.

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

// ---------------------------------------------------------------------------------------------
// Who hears about a pupil.

/// A legal representative of a pupil with the consents in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guardian {
    /// The parent.
    pub parent: PersonId,
    /// The school of the link.
    pub school: SchoolId,
    /// The diary consent (processing of the child's data).
    pub diary: Option<ConsentState>,
    /// The electronic delivery consent.
    pub delivery: Option<ConsentState>,
}

impl Guardian {
    /// Both consents given and in force: the family may be told about the child electronically.
    pub fn consents(&self) -> bool {
        self.diary == Some(ConsentState::Given) && self.delivery == Some(ConsentState::Given)
    }
}

#[derive(sqlx::FromRow)]
struct GuardianRow {
    parent_id: i64,
    school_id: i64,
    diary: Option<String>,
    delivery: Option<String>,
}

fn state(raw: Option<String>) -> Result<Option<ConsentState>> {
    Ok(raw.as_deref().map(ConsentState::from_code).transpose()?)
}

/// A pupil's current legal representatives with the consents in force (the latest record of
/// each purpose).
pub async fn guardians_of(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<Guardian>> {
    const SQL: &str = "SELECT g.parent_id, g.school_id, \
         (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'diary' ORDER BY c.id DESC LIMIT 1) AS diary, \
         (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'electronic_delivery' ORDER BY c.id DESC LIMIT 1) AS delivery \
         FROM guardianships g WHERE g.student_id = $1 AND g.ended_at IS NULL ORDER BY g.parent_id";
    fetch_all!(conn, GuardianRow, SQL, student.get())?
        .into_iter()
        .map(|r| {
            Ok(Guardian {
                parent: PersonId::new(r.parent_id),
                school: SchoolId::new(r.school_id),
                diary: state(r.diary)?,
                delivery: state(r.delivery)?,
            })
        })
        .collect()
}

/// A pupil × representative pair of a school (for the weekly forecasts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    /// The pupil.
    pub student: PersonId,
    /// The representative.
    pub parent: PersonId,
}

/// The school's pupils (enrolled, not left) with each current representative whose consents
/// to the diary and to electronic delivery are both in force.
pub async fn consenting_pairs(conn: &mut Conn<'_>, school: SchoolId) -> Result<Vec<Pair>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        student_id: i64,
        parent_id: i64,
        diary: Option<String>,
        delivery: Option<String>,
    }
    const SQL: &str = "SELECT g.student_id, g.parent_id, \
         (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'diary' ORDER BY c.id DESC LIMIT 1) AS diary, \
         (SELECT c.state FROM consents c WHERE c.parent_id = g.parent_id AND c.student_id = g.student_id AND c.purpose = 'electronic_delivery' ORDER BY c.id DESC LIMIT 1) AS delivery \
         FROM guardianships g JOIN students s ON s.person_id = g.student_id \
         WHERE s.school_id = $1 AND s.left_on IS NULL AND g.ended_at IS NULL \
         ORDER BY g.student_id, g.parent_id";
    let given = Some(ConsentState::Given.code());
    Ok(fetch_all!(conn, Row, SQL, school.get())?
        .into_iter()
        .filter(|r| r.diary.as_deref() == given && r.delivery.as_deref() == given)
        .map(|r| Pair {
            student: PersonId::new(r.student_id),
            parent: PersonId::new(r.parent_id),
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Parents' settings.

pub use tabel_domain::notify::Settings;

/// A parent's settings (defaults when never saved).
pub async fn settings_of(conn: &mut Conn<'_>, parent: PersonId) -> Result<Settings> {
    #[derive(sqlx::FromRow)]
    struct Head {
        quiet_from: Option<i64>,
        quiet_to: Option<i64>,
        updated_at: OffsetDateTime,
    }
    #[derive(sqlx::FromRow)]
    struct Line {
        event: String,
        channel: String,
        mode: String,
    }
    const HEAD: &str =
        "SELECT quiet_from, quiet_to, updated_at FROM notify_settings WHERE parent_id = $1";
    const LINES: &str =
        "SELECT event, channel, mode FROM notify_event_settings WHERE parent_id = $1";
    let mut s = Settings::default();
    if let Some(h) = fetch_optional!(conn, Head, HEAD, parent.get())? {
        s.updated_at = Some(h.updated_at);
        if let (Some(f), Some(t)) = (h.quiet_from, h.quiet_to) {
            let f = u16::try_from(f).map_err(|_| StoreError::Corrupt("quiet_from".into()))?;
            let t = u16::try_from(t).map_err(|_| StoreError::Corrupt("quiet_to".into()))?;
            s.quiet = QuietHours::from_minutes(f, t).ok();
        }
    }
    for l in fetch_all!(conn, Line, LINES, parent.get())? {
        s.events.insert(
            EventKind::from_code(&l.event)?,
            EventSetting {
                channel: ChannelChoice::from_code(&l.channel)?,
                mode: Mode::from_code(&l.mode)?,
            },
        );
    }
    Ok(s)
}

/// Replaces a parent's settings.
pub async fn save_settings(
    conn: &mut Conn<'_>,
    (school, parent): (SchoolId, PersonId),
    s: &Settings,
    (by, at): (Option<UserId>, OffsetDateTime),
) -> Result<()> {
    const HEAD: &str = "INSERT INTO notify_settings (parent_id, school_id, quiet_from, quiet_to, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (parent_id) DO UPDATE SET school_id = $2, \
         quiet_from = $3, quiet_to = $4, updated_by = $5, updated_at = $6";
    const CLEAR: &str = "DELETE FROM notify_event_settings WHERE parent_id = $1";
    const LINE: &str = "INSERT INTO notify_event_settings (parent_id, school_id, event, channel, mode) \
         VALUES ($1, $2, $3, $4, $5)";
    execute!(
        conn,
        HEAD,
        parent.get(),
        school.get(),
        s.quiet.map(|q| i64::from(q.from())),
        s.quiet.map(|q| i64::from(q.to())),
        by.map(UserId::get),
        at
    )?;
    execute!(conn, CLEAR, parent.get())?;
    for (kind, e) in &s.events {
        execute!(
            conn,
            LINE,
            parent.get(),
            school.get(),
            kind.code(),
            e.channel.code(),
            e.mode.code()
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Webhook subscriptions.

pub use tabel_domain::notify::Webhook;

#[derive(sqlx::FromRow)]
struct WebhookRow {
    id: i64,
    school_id: i64,
    url: String,
    secret: String,
    topics: String,
    description: String,
    created_at: OffsetDateTime,
    removed_at: Option<OffsetDateTime>,
}

impl From<WebhookRow> for Webhook {
    fn from(r: WebhookRow) -> Webhook {
        Webhook {
            id: WebhookId::new(r.id),
            school: SchoolId::new(r.school_id),
            url: r.url,
            secret: r.secret,
            topics: r.topics,
            description: r.description,
            created_at: r.created_at,
            removed_at: r.removed_at,
        }
    }
}

macro_rules! webhook_sql {
    ($tail:literal) => {
        concat!(
            "SELECT id, school_id, url, secret, topics, description, created_at, removed_at FROM webhooks ",
            $tail
        )
    };
}

/// A subscription to store.
#[derive(Debug, Clone, Copy)]
pub struct NewWebhook<'a> {
    /// The school.
    pub school: SchoolId,
    /// Checked URL.
    pub url: &'a str,
    /// The HMAC key.
    pub secret: &'a str,
    /// Topics as stored.
    pub topics: &'a str,
    /// What for.
    pub description: &'a str,
    /// Who.
    pub by: Option<UserId>,
    /// When.
    pub at: OffsetDateTime,
}

/// Stores a subscription; its id.
pub async fn insert_webhook(conn: &mut Conn<'_>, w: &NewWebhook<'_>) -> Result<i64> {
    const SQL: &str = "INSERT INTO webhooks (school_id, url, secret, topics, description, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        w.school.get(),
        w.url,
        w.secret,
        w.topics,
        w.description,
        w.by.map(UserId::get),
        w.at
    )?)
}

/// One subscription, live or removed.
pub async fn get_webhook(conn: &mut Conn<'_>, id: i64) -> Result<Option<Webhook>> {
    const SQL: &str = webhook_sql!("WHERE id = $1");
    Ok(fetch_optional!(conn, WebhookRow, SQL, id)?.map(Webhook::from))
}

/// A school's subscriptions, the removed ones too, newest first.
pub async fn webhooks_of_school(conn: &mut Conn<'_>, school: SchoolId) -> Result<Vec<Webhook>> {
    const SQL: &str = webhook_sql!("WHERE school_id = $1 ORDER BY id DESC");
    Ok(fetch_all!(conn, WebhookRow, SQL, school.get())?
        .into_iter()
        .map(Webhook::from)
        .collect())
}

/// Every live subscription (the worker matches events against them).
pub async fn live_webhooks(conn: &mut Conn<'_>) -> Result<Vec<Webhook>> {
    const SQL: &str = webhook_sql!("WHERE removed_at IS NULL ORDER BY id");
    Ok(fetch_all!(conn, WebhookRow, SQL)?
        .into_iter()
        .map(Webhook::from)
        .collect())
}

/// Removes a live subscription; `false` when it was not live.
pub async fn remove_webhook(conn: &mut Conn<'_>, id: i64, at: OffsetDateTime) -> Result<bool> {
    const SQL: &str = "UPDATE webhooks SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL";
    Ok(execute!(conn, SQL, id, at)? > 0)
}

// ---------------------------------------------------------------------------------------------
// Deliveries.

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

// ---------------------------------------------------------------------------------------------
// Daily digests.

/// A line for a parent's next digest to a contact.
#[derive(Debug, Clone, Copy)]
pub struct NewDigestItem<'a> {
    /// School.
    pub school: SchoolId,
    /// Parent.
    pub parent: PersonId,
    /// The pupil the line is about.
    pub student: PersonId,
    /// The contact the digest goes to.
    pub contact: ContactId,
    /// The event.
    pub event: i64,
    /// The line.
    pub line: &'a str,
    /// Now.
    pub at: OffsetDateTime,
}

/// Adds a line unless the event is in the contact's digest already; whether it was added.
pub async fn add_digest_item(conn: &mut Conn<'_>, i: &NewDigestItem<'_>) -> Result<bool> {
    const SQL: &str = "INSERT INTO digest_items (school_id, parent_id, contact_id, event_id, line, created_at, student_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id, contact_id) DO NOTHING";
    Ok(execute!(
        conn,
        SQL,
        i.school.get(),
        i.parent.get(),
        i.contact.get(),
        i.event,
        i.line,
        i.at,
        i.student.get()
    )? > 0)
}

/// A contact with lines waiting for a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenDigest {
    /// School.
    pub school: SchoolId,
    /// Parent.
    pub parent: PersonId,
    /// Contact.
    pub contact: ContactId,
}

/// Contacts with lines waiting, after `after` (paging by contact id).
pub async fn open_digests(conn: &mut Conn<'_>, after: i64, limit: i64) -> Result<Vec<OpenDigest>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        school_id: i64,
        parent_id: i64,
        contact_id: i64,
    }
    const SQL: &str = "SELECT DISTINCT school_id, parent_id, contact_id FROM digest_items \
         WHERE delivery_id IS NULL AND contact_id > $1 ORDER BY contact_id LIMIT $2";
    Ok(fetch_all!(conn, Row, SQL, after, limit)?
        .into_iter()
        .map(|r| OpenDigest {
            school: SchoolId::new(r.school_id),
            parent: PersonId::new(r.parent_id),
            contact: ContactId::new(r.contact_id),
        })
        .collect())
}

/// A line waiting for a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem {
    /// Id.
    pub id: i64,
    /// The pupil it is about.
    pub student: PersonId,
    /// The line.
    pub line: String,
}

/// The waiting lines of a contact, oldest first.
pub async fn open_items(conn: &mut Conn<'_>, contact: ContactId) -> Result<Vec<OpenItem>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        student_id: i64,
        line: String,
    }
    const SQL: &str = "SELECT id, student_id, line FROM digest_items WHERE delivery_id IS NULL AND contact_id = $1 ORDER BY id";
    Ok(fetch_all!(conn, Row, SQL, contact.get())?
        .into_iter()
        .map(|r| OpenItem {
            id: r.id,
            student: PersonId::new(r.student_id),
            line: r.line,
        })
        .collect())
}

/// Drops waiting lines that may no longer be sent (the consent was withdrawn, the contact
/// removed).
pub async fn drop_items(conn: &mut Conn<'_>, ids: &[i64]) -> Result<()> {
    const SQL: &str = "DELETE FROM digest_items WHERE id = $1 AND delivery_id IS NULL";
    for id in ids {
        execute!(conn, SQL, *id)?;
    }
    Ok(())
}

/// Ties waiting lines to the digest delivery that carries them.
pub async fn attach_items(conn: &mut Conn<'_>, ids: &[i64], delivery: i64) -> Result<()> {
    const SQL: &str =
        "UPDATE digest_items SET delivery_id = $2 WHERE id = $1 AND delivery_id IS NULL";
    for id in ids {
        execute!(conn, SQL, *id, delivery)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Runs done once per period.

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

// ---------------------------------------------------------------------------------------------
// Facts for the messages.

/// A pupil's school, names and the school's short name and time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PupilBrief {
    /// School.
    pub school: SchoolId,
    /// "Петров Иван".
    pub name: String,
    /// "Школа № 1".
    pub school_name: String,
    /// The school's IANA zone.
    pub time_zone: String,
}

/// A pupil's names and school.
pub async fn pupil_brief(conn: &mut Conn<'_>, student: PersonId) -> Result<Option<PupilBrief>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        school_id: i64,
        last_name: String,
        first_name: String,
        short_name: String,
        time_zone: String,
    }
    const SQL: &str = "SELECT s.school_id, p.last_name, p.first_name, sc.short_name, sc.time_zone \
         FROM students s JOIN persons p ON p.id = s.person_id JOIN schools sc ON sc.id = s.school_id \
         WHERE s.person_id = $1";
    Ok(
        fetch_optional!(conn, Row, SQL, student.get())?.map(|r| PupilBrief {
            school: SchoolId::new(r.school_id),
            name: format!("{} {}", r.last_name, r.first_name),
            school_name: r.short_name,
            time_zone: r.time_zone,
        }),
    )
}

/// A school's short name and time zone.
pub async fn school_brief(
    conn: &mut Conn<'_>,
    school: SchoolId,
) -> Result<Option<(String, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        short_name: String,
        time_zone: String,
    }
    const SQL: &str = "SELECT short_name, time_zone FROM schools WHERE id = $1";
    Ok(fetch_optional!(conn, Row, SQL, school.get())?.map(|r| (r.short_name, r.time_zone)))
}

/// A subject's name.
pub async fn subject_name(conn: &mut Conn<'_>, subject: i64) -> Result<Option<String>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        name: String,
    }
    const SQL: &str = "SELECT name FROM subjects WHERE id = $1";
    Ok(fetch_optional!(conn, Row, SQL, subject)?.map(|r| r.name))
}

/// A reporting period's kind code and number.
pub async fn period_brief(conn: &mut Conn<'_>, period: i64) -> Result<Option<(String, i64)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        kind: String,
        number: i64,
    }
    const SQL: &str = "SELECT kind, number FROM reporting_periods WHERE id = $1";
    Ok(fetch_optional!(conn, Row, SQL, period)?.map(|r| (r.kind, r.number)))
}

/// A lesson's subject name.
pub async fn lesson_subject(conn: &mut Conn<'_>, lesson: i64) -> Result<Option<String>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        name: String,
    }
    const SQL: &str =
        "SELECT s.name FROM lessons l JOIN subjects s ON s.id = l.subject_id WHERE l.id = $1";
    Ok(fetch_optional!(conn, Row, SQL, lesson)?.map(|r| r.name))
}
