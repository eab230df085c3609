//! Webhook subscriptions of a school.

use crate::{Conn, Result};
use tabel_domain::WebhookId;
use tabel_domain::{SchoolId, UserId};
use time::OffsetDateTime;

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
pub async fn insert_webhook(conn: &mut Conn<'_>, w: &NewWebhook<'_>) -> Result<WebhookId> {
    const SQL: &str = "INSERT INTO webhooks (school_id, url, secret, topics, description, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    Ok(WebhookId::new(fetch_scalar!(
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
    )?))
}

/// One subscription, live or removed.
pub async fn get_webhook(conn: &mut Conn<'_>, id: WebhookId) -> Result<Option<Webhook>> {
    const SQL: &str = webhook_sql!("WHERE id = $1");
    Ok(fetch_optional!(conn, WebhookRow, SQL, id.get())?.map(Webhook::from))
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
pub async fn remove_webhook(
    conn: &mut Conn<'_>,
    id: WebhookId,
    at: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str = "UPDATE webhooks SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL";
    Ok(execute!(conn, SQL, id.get(), at)? > 0)
}
