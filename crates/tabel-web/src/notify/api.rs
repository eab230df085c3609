//! Notifications over the JSON API: a parent's own settings (`/api/v1/me/notification-settings`),
//! the school administrator's deliveries and dead letters with re-send, and webhook
//! subscriptions for service integrations (signed with HMAC-SHA256; the secret is returned once).

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::Path;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tabel_app::notify::{
    CreatedWebhook, DeadLetter, NotificationSettings, SettingsInput, WebhookInput,
};
use tabel_domain::notify::Webhook;
use tabel_domain::notify::{DeliveryState, clock};
use tabel_domain::{DeliveryId, SchoolId, WebhookId};
use tabel_present::rfc3339;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(my_settings, save_my_settings))
        .routes(routes!(deliveries))
        .routes(routes!(resend))
        .routes(routes!(webhooks, add_webhook))
        .routes(routes!(remove_webhook))
}

/// The setting for one kind of event.
#[derive(Serialize, Deserialize, ToSchema)]
struct EventSettingDto {
    /// `final`, `exam`, `mark`, `homework`, `forecast`.
    event: String,
    /// `preferred` (the contacts marked preferred), `email`, `sms`.
    channel: String,
    /// `immediate`, `daily` (one digest a day), `weekly` (the forecast), `off`.
    mode: String,
}

/// A parent's notification settings.
#[derive(Serialize, ToSchema)]
struct SettingsDto {
    /// Quiet hours start (`22:00`, school-local), or null.
    quiet_from: Option<String>,
    /// Quiet hours end (`07:00`), or null.
    quiet_to: Option<String>,
    /// Every kind of event with the setting in force (the parent's or the default).
    events: Vec<EventSettingDto>,
    /// Whether the parent saved settings (false: all defaults).
    saved: bool,
}

impl From<NotificationSettings> for SettingsDto {
    fn from(s: NotificationSettings) -> SettingsDto {
        SettingsDto {
            quiet_from: s.quiet.map(|q| clock(q.from())),
            quiet_to: s.quiet.map(|q| clock(q.to())),
            events: s
                .events
                .iter()
                .map(|(k, e)| EventSettingDto {
                    event: k.code().into(),
                    channel: e.channel.code().into(),
                    mode: e.mode.code().into(),
                })
                .collect(),
            saved: s.saved,
        }
    }
}

/// Settings to save whole: kinds left out return to their defaults. Final and exam results
/// are never held by quiet hours.
#[derive(Deserialize, ToSchema)]
struct SettingsRequest {
    /// `HH:MM` or null (no quiet hours).
    #[serde(default)]
    quiet_from: Option<String>,
    /// `HH:MM` or null.
    #[serde(default)]
    quiet_to: Option<String>,
    #[serde(default)]
    events: Vec<EventSettingDto>,
}

/// The caller's own notification settings (a legal representative; anyone else 404).
#[utoipa::path(get, path = "/api/v1/me/notification-settings", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = SettingsDto), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn my_settings(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
) -> Result<Json<SettingsDto>, ApiError> {
    Ok(Json(
        state
            .app
            .my_notification_settings(&who.principal)
            .await?
            .into(),
    ))
}

/// Saves the caller's notification settings: per kind of event the channel and when, and quiet
/// hours. 422 names the field (`quiet_to`, `final.mode`, …).
#[utoipa::path(put, path = "/api/v1/me/notification-settings", tag = "notifications", security(("bearer" = [])),
    request_body = SettingsRequest,
    responses((status = 200, body = SettingsDto), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn save_my_settings(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(body): ApiJson<SettingsRequest>,
) -> Result<Json<SettingsDto>, ApiError> {
    let input = SettingsInput {
        quiet_from: body.quiet_from.unwrap_or_default(),
        quiet_to: body.quiet_to.unwrap_or_default(),
        events: body
            .events
            .into_iter()
            .map(|e| (e.event, e.channel, e.mode))
            .collect(),
    };
    Ok(Json(
        state
            .app
            .save_my_notification_settings(&who.principal, &input, &client)
            .await?
            .into(),
    ))
}

/// A failed try.
#[derive(Serialize, ToSchema)]
struct AttemptDto {
    attempt: i64,
    at: String,
    error: String,
}

/// A delivery: one message to one recipient through one channel.
#[derive(Serialize, ToSchema)]
struct DeliveryDto {
    id: String,
    /// Unique per event (or digest), recipient and channel.
    idempotency_key: String,
    /// `final`, `exam`, `mark`, `homework`, `digest`, `forecast`, or the webhook's topic.
    kind: String,
    /// `email`, `sms`, `webhook`.
    channel: String,
    /// The e-mail address, phone or URL.
    address: String,
    subject: String,
    /// `pending`, `sending`, `sent`, `dead`, `cancelled`.
    state: String,
    /// Failed tries so far.
    attempts: i64,
    /// When it is (or was) due.
    due_at: String,
    last_error: Option<String>,
    created_at: String,
    sent_at: Option<String>,
    dead_at: Option<String>,
    resent_at: Option<String>,
    /// Every failed try with its error.
    history: Vec<AttemptDto>,
}

impl From<DeadLetter> for DeliveryDto {
    fn from(l: DeadLetter) -> DeliveryDto {
        let d = l.delivery;
        DeliveryDto {
            id: d.id.to_string(),
            idempotency_key: d.key,
            kind: d.kind,
            channel: d.channel.code().into(),
            address: d.address,
            subject: d.subject,
            state: d.state.code().into(),
            attempts: d.attempts,
            due_at: rfc3339(d.due_at),
            last_error: d.last_error,
            created_at: rfc3339(d.created_at),
            sent_at: d.sent_at.map(rfc3339),
            dead_at: d.dead_at.map(rfc3339),
            resent_at: d.resent_at.map(rfc3339),
            history: l
                .attempts
                .into_iter()
                .map(|a| AttemptDto {
                    attempt: a.attempt,
                    at: rfc3339(a.at),
                    error: a.error,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
struct DeliveriesQuery {
    /// `dead` (the dead-letter list, default), `pending`, `sending`, `sent`, `cancelled`.
    state: Option<String>,
    /// At most this many, newest first (default 100, at most 1000).
    limit: Option<i64>,
}

/// A school's deliveries in a state, newest first; `state=dead` (the default) is the
/// dead-letter list with each delivery's errors. The school's administrator only.
#[utoipa::path(get, path = "/api/v1/schools/{school}/deliveries", tag = "notifications", security(("bearer" = [])),
    params(("school" = String, Path), DeliveriesQuery),
    responses((status = 200, body = [DeliveryDto]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn deliveries(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Json<Vec<DeliveryDto>>, ApiError> {
    let which = match q.state.as_deref() {
        None | Some("") => DeliveryState::Dead,
        Some(s) => DeliveryState::from_code(s).map_err(|_| {
            ApiError::field("state", "use dead, pending, sending, sent or cancelled")
        })?,
    };
    let list = state
        .app
        .deliveries(&who.principal, school, which, q.limit.unwrap_or(100))
        .await?;
    Ok(Json(list.into_iter().map(DeliveryDto::from).collect()))
}

/// Sends a dead letter again: back in the queue, due now, attempts counted afresh (the
/// school's administrator). A delivery that is not dead is 409.
#[utoipa::path(post, path = "/api/v1/deliveries/{id}/resend", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DeliveryDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn resend(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(raw): Path<DeliveryId>,
) -> Result<Json<DeliveryDto>, ApiError> {
    let d = state
        .app
        .resend_delivery(&who.principal, raw, &client)
        .await?;
    Ok(Json(DeliveryDto::from(DeadLetter {
        delivery: d,
        attempts: Vec::new(),
    })))
}

/// A webhook subscription (its secret is never shown again after creation).
#[derive(Serialize, ToSchema)]
struct WebhookDto {
    id: String,
    school_id: String,
    url: String,
    /// Outbox topics separated by spaces, or `*`.
    topics: String,
    description: String,
    created_at: String,
    removed_at: Option<String>,
}

impl From<Webhook> for WebhookDto {
    fn from(w: Webhook) -> WebhookDto {
        WebhookDto {
            id: w.id.to_string(),
            school_id: w.school.to_string(),
            url: w.url,
            topics: w.topics,
            description: w.description,
            created_at: rfc3339(w.created_at),
            removed_at: w.removed_at.map(rfc3339),
        }
    }
}

/// A new subscription.
#[derive(Deserialize, ToSchema)]
struct WebhookRequest {
    /// `https://…` (or `http://` inside a trusted network).
    url: String,
    /// Topics such as `final.published exam.result_published`, or `*`.
    topics: String,
    #[serde(default)]
    description: String,
}

/// A created subscription with its secret. Verify each request: the header
/// `X-Tabel-Signature: t=<unix>,v1=<hex>` where hex = HMAC-SHA256(secret, "<unix>.<body>");
/// refuse old timestamps. `X-Tabel-Delivery` is the idempotency key: a receiver drops repeats.
#[derive(Serialize, ToSchema)]
struct CreatedWebhookDto {
    webhook: WebhookDto,
    /// Shown once.
    secret: String,
}

/// A school's webhook subscriptions, the removed ones too (the administrator).
#[utoipa::path(get, path = "/api/v1/schools/{school}/webhooks", tag = "notifications", security(("bearer" = [])),
    params(("school" = String, Path)),
    responses((status = 200, body = [WebhookDto]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn webhooks(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<SchoolId>,
) -> Result<Json<Vec<WebhookDto>>, ApiError> {
    let list = state.app.webhooks(&who.principal, school).await?;
    Ok(Json(list.into_iter().map(WebhookDto::from).collect()))
}

/// Subscribes a service to the school's outbox events (the administrator). The answer carries
/// the signing secret, once.
#[utoipa::path(post, path = "/api/v1/schools/{school}/webhooks", tag = "notifications", security(("bearer" = [])),
    params(("school" = String, Path)), request_body = WebhookRequest,
    responses((status = 201, body = CreatedWebhookDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_webhook(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<SchoolId>,
    ApiJson(body): ApiJson<WebhookRequest>,
) -> Result<(StatusCode, Json<CreatedWebhookDto>), ApiError> {
    let input = WebhookInput {
        url: body.url,
        topics: body.topics,
        description: body.description,
    };
    let CreatedWebhook { webhook, secret } = state
        .app
        .add_webhook(&who.principal, school, &input, &client)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedWebhookDto {
            webhook: webhook.into(),
            secret,
        }),
    ))
}

/// Ends a subscription (the administrator of its school).
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn remove_webhook(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(raw): Path<WebhookId>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .remove_webhook(&who.principal, raw, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
