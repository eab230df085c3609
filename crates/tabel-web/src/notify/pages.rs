//! Notification pages, usable without JavaScript:
//! - `/account/notifications`: a parent's settings — per kind of event the channel and when
//!   (at once, in the evening digest, weekly for the forecast, or never) and quiet hours;
//! - `/admin/{school}/deliveries`: the administrator's dead-letter list with each error and
//!   "send again";
//! - `/admin/{school}/webhooks`: webhook subscriptions for service integrations (the secret
//!   is shown once, on the page that created it).

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::Path;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::notify::{NotificationSettings, SettingsInput, WebhookInput};
use tabel_domain::notify::{ChannelChoice, DeliveryState, EventKind, clock};
use tabel_domain::{DeliveryId, SchoolId, WebhookId};
use tabel_present::date;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/account/notifications",
            get(settings_page).post(save_settings),
        )
        .route("/admin/{school}/deliveries", get(deliveries_page))
        .route("/admin/{school}/deliveries/{id}/resend", post(resend))
        .route(
            "/admin/{school}/webhooks",
            get(webhooks_page).post(add_webhook),
        )
        .route("/admin/{school}/webhooks/{id}/remove", post(remove_webhook))
}

/// A kind of event on the settings form.
pub struct EventRow {
    /// `final`.
    pub code: String,
    /// "Итоговые отметки".
    pub label: String,
    /// Hint under it.
    pub hint: String,
    /// Selected channel code.
    pub channel: String,
    /// Selected mode code.
    pub mode: String,
    /// (code, label) of the modes allowed.
    pub modes: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "notify/settings.html")]
struct SettingsPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    rows: Vec<EventRow>,
    channels: Vec<(String, String)>,
    quiet_from: String,
    quiet_to: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
}

fn settings_page_of<'a>(
    t: Tr<'a>,
    nav: Nav,
    s: &NotificationSettings,
    notice: Option<String>,
    errors: Vec<(String, String)>,
) -> SettingsPage<'a> {
    let rows = s
        .events
        .iter()
        .map(|(k, e)| EventRow {
            code: k.code().into(),
            label: t.get(&format!("notify-event-{}", k.code())),
            hint: t.get(&format!("notify-hint-{}", k.code())),
            channel: e.channel.code().into(),
            mode: e.mode.code().into(),
            modes: k
                .modes()
                .iter()
                .map(|m| (m.code().into(), t.get(&format!("notify-mode-{}", m.code()))))
                .collect(),
        })
        .collect();
    let channels = ChannelChoice::ALL
        .iter()
        .map(|c| {
            (
                c.code().into(),
                t.get(&format!("notify-channel-{}", c.code())),
            )
        })
        .collect();
    SettingsPage {
        rows,
        channels,
        quiet_from: s.quiet.map(|q| clock(q.from())).unwrap_or_default(),
        quiet_to: s.quiet.map(|q| clock(q.to())).unwrap_or_default(),
        notice,
        errors,
        t,
        nav,
    }
}

#[derive(Deserialize, Default)]
struct Done {
    done: Option<String>,
}

async fn settings_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<Done>,
) -> Result<Html<String>, PageError> {
    let t = user.tr(&state);
    let notice = (q.done.as_deref() == Some("saved")).then(|| t.get("notify-saved"));
    render(
        state
            .app
            .my_notification_settings(&user.who.principal)
            .await
            .map(|s| settings_page_of(t, user.nav.clone(), &s, notice, Vec::new()))?,
    )
}

async fn save_settings(
    State(state): State<AppState>,
    user: PageUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let value = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = SettingsInput {
        quiet_from: value("quiet_from"),
        quiet_to: value("quiet_to"),
        // A kind the form leaves out keeps its default.
        events: EventKind::ALL
            .iter()
            .map(|k| {
                (
                    k.code().to_owned(),
                    value(&format!("{}_channel", k.code())),
                    value(&format!("{}_mode", k.code())),
                )
            })
            .filter(|(_, channel, mode)| !(channel.is_empty() && mode.is_empty()))
            .collect(),
    };
    let p = &user.who.principal;
    match state
        .app
        .save_my_notification_settings(p, &input, &user.client)
        .await
    {
        Ok(_) => {
            Ok(crate::redirect::see_other("/account/notifications?done=saved").into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let built = state.app.my_notification_settings(p).await.map(|s| {
                settings_page_of(
                    user.tr(&state),
                    user.nav.clone(),
                    &s,
                    None,
                    errors.into_iter().collect(),
                )
            });
            render_status(StatusCode::UNPROCESSABLE_ENTITY, built?)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// A dead letter on the administrator's list.
pub struct DeadRow {
    /// Id for "send again".
    pub id: String,
    /// "e-mail", "SMS", "webhook".
    pub channel: String,
    /// Where to.
    pub address: String,
    /// What about.
    pub subject: String,
    /// The last error.
    pub error: String,
    /// Tries.
    pub attempts: i64,
    /// Every try: "28.11.2026 10:00 UTC — error".
    pub history: Vec<String>,
    /// When given up.
    pub dead_at: String,
}

#[derive(Template)]
#[template(path = "notify/deliveries.html")]
struct DeliveriesPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    rows: Vec<DeadRow>,
    notice: Option<String>,
}

async fn deliveries_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<Done>,
) -> Result<Html<String>, PageError> {
    let t = user.tr(&state);
    let list = state
        .app
        .deliveries(&user.who.principal, school, DeliveryState::Dead, 200)
        .await?;
    let rows = list
        .into_iter()
        .map(|l| DeadRow {
            id: l.delivery.id.to_string(),
            channel: t.get(&format!("notify-via-{}", l.delivery.channel.code())),
            address: l.delivery.address.clone(),
            subject: l.delivery.subject.clone(),
            error: l.delivery.last_error.clone().unwrap_or_default(),
            attempts: l.delivery.attempts,
            history: l
                .attempts
                .iter()
                .map(|a| format!("{} — {}", tabel_present::date_time_utc(a.at), a.error))
                .collect(),
            dead_at: l
                .delivery
                .dead_at
                .map(tabel_present::date_time_utc)
                .unwrap_or_default(),
        })
        .collect();
    let notice = (q.done.as_deref() == Some("resent")).then(|| t.get("notify-resent"));
    render(DeliveriesPage {
        t,
        nav: user.nav.clone(),
        school_id: school.to_string(),
        rows,
        notice,
    })
}

async fn resend(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, delivery)): Path<(SchoolId, DeliveryId)>,
) -> Result<Response, PageError> {
    state
        .app
        .resend_delivery(&user.who.principal, delivery, &user.client)
        .await?;
    Ok(
        crate::redirect::see_other(&format!("/admin/{school}/deliveries?done=resent"))
            .into_response(),
    )
}

/// A subscription on the page.
pub struct WebhookRow {
    /// Id.
    pub id: String,
    /// URL.
    pub url: String,
    /// Topics.
    pub topics: String,
    /// What for.
    pub description: String,
    /// "28.11.2026".
    pub created: String,
    /// Removed on, if so.
    pub removed: String,
}

#[derive(Template)]
#[template(path = "notify/webhooks.html")]
struct WebhooksPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    rows: Vec<WebhookRow>,
    secret: Option<(String, String)>,
    errors: Vec<(String, String)>,
    form: WebhookForm,
    notice: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
struct WebhookForm {
    #[serde(default)]
    url: String,
    #[serde(default)]
    topics: String,
    #[serde(default)]
    description: String,
}

/// What the webhooks page shows besides the list.
#[derive(Default)]
struct Shown {
    /// A new subscription's URL and secret, shown once.
    secret: Option<(String, String)>,
    errors: Vec<(String, String)>,
    form: WebhookForm,
    notice: Option<String>,
}

async fn webhooks_view<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    shown: Shown,
) -> Result<WebhooksPage<'s>, AppError> {
    let list = state.app.webhooks(&user.who.principal, school).await?;
    let rows = list
        .into_iter()
        .map(|w| WebhookRow {
            id: w.id.to_string(),
            url: w.url,
            topics: w.topics,
            description: w.description,
            created: date(w.created_at.date()),
            removed: w.removed_at.map(|r| date(r.date())).unwrap_or_default(),
        })
        .collect();
    let Shown {
        secret,
        errors,
        form,
        notice,
    } = shown;
    Ok(WebhooksPage {
        t: user.tr(state),
        nav: user.nav.clone(),
        school_id: school.to_string(),
        rows,
        secret,
        errors,
        form,
        notice,
    })
}

async fn webhooks_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<Done>,
) -> Result<Html<String>, PageError> {
    let notice = (q.done.as_deref() == Some("removed"))
        .then(|| user.tr(&state).get("notify-webhook-removed"));
    let form = WebhookForm {
        topics: "final.published exam.result_published".into(),
        ..WebhookForm::default()
    };
    render(
        webhooks_view(
            &state,
            &user,
            school,
            Shown {
                form,
                notice,
                ..Shown::default()
            },
        )
        .await?,
    )
}

async fn add_webhook(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(form): Form<WebhookForm>,
) -> Result<Response, PageError> {
    let input = WebhookInput {
        url: form.url.clone(),
        topics: form.topics.clone(),
        description: form.description.clone(),
    };
    match state
        .app
        .add_webhook(&user.who.principal, school, &input, &user.client)
        .await
    {
        // The secret is shown on this answer only: no redirect, so it is never in a URL.
        Ok(created) => {
            let built = webhooks_view(
                &state,
                &user,
                school,
                Shown {
                    secret: Some((created.webhook.url.clone(), created.secret)),
                    ..Shown::default()
                },
            )
            .await;
            render_status(StatusCode::CREATED, built?)
        }
        Err(AppError::Invalid(errors)) => {
            let built = webhooks_view(
                &state,
                &user,
                school,
                Shown {
                    errors: errors.into_iter().collect(),
                    form,
                    ..Shown::default()
                },
            )
            .await;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, built?)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

async fn remove_webhook(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, webhook)): Path<(SchoolId, WebhookId)>,
) -> Result<Response, PageError> {
    state
        .app
        .remove_webhook(&user.who.principal, webhook, &user.client)
        .await?;
    Ok(
        crate::redirect::see_other(&format!("/admin/{school}/webhooks?done=removed"))
            .into_response(),
    )
}
