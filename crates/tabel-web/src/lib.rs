//! Tabel's web face: the HTML interface (askama, with Pico CSS vendored), the JSON API under
//! `/api/v1` with its OpenAPI document, authentication, CSRF and login limits, health and
//! metrics. Handlers parse input, call one tabel-app use case and render; no SQL and no
//! permission logic here.
#![forbid(unsafe_code)]

mod absence_notes;
mod account;
mod admin;
mod api;
mod assessment;
mod assets;
mod auth;
mod certificate;
mod closing;
mod consent;
mod contact;
mod debts;
mod diary;
mod error;
mod exams;
mod extract;
mod extracts;
mod finals;
mod grading;
mod home;
mod homework_files;
mod i18n;
mod inventory;
mod journal;
mod notify;
mod ops;
mod paths;
mod people;
mod personal_file;
mod privacy;
mod promotion;
mod proxy;
mod record;
mod recovery;
mod redirect;
mod school;
mod scope;
mod setup;
mod stats;
mod structure;
mod teaching;
mod thematic;
mod timetable;

pub use i18n::I18n;
pub use inventory::{RouteEntry, inventory, routes};
pub use ops::{Metrics, MetricsToken};
pub use proxy::TrustedProxy;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::sync::Arc;
use std::time::Duration;
use tabel_app::App;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

/// Settings of the web layer.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Served over TLS (directly or behind a proxy): cookies get `Secure` and the `__Host-` prefix,
    /// and every answer carries `Strict-Transport-Security`.
    pub secure_cookies: bool,
    /// Proxies whose `Forwarded` / `X-Forwarded-For` headers name the client (see `proxy.rs`);
    /// from anyone else those headers are ignored.
    pub trusted_proxies: Vec<TrustedProxy>,
    /// The bearer token `/metrics` asks for; without one `/metrics` is not served (404).
    pub metrics_token: Option<MetricsToken>,
}

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The use cases.
    pub app: App,
    /// Web settings.
    pub web: Arc<WebConfig>,
    /// Translations.
    pub i18n: Arc<I18n>,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Set-up uploads between their preview and their apply.
    pub drafts: Arc<setup::Drafts>,
}

impl AppState {
    /// State for an application.
    pub fn new(app: App, web: WebConfig) -> AppState {
        AppState {
            app,
            web: Arc::new(web),
            i18n: Arc::new(I18n::new()),
            metrics: Arc::new(Metrics::default()),
            drafts: Arc::new(setup::Drafts::default()),
        }
    }
}

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .merge(auth::router())
        .merge(recovery::router())
        .merge(home::router())
        .merge(account::router())
        .merge(privacy::router())
        .merge(school::router())
        .merge(admin::router())
        .merge(setup::pages::router())
        .merge(people::router())
        .merge(grading::router())
        .merge(timetable::pages::router())
        .merge(assessment::pages::router())
        .merge(journal::pages::router())
        .merge(journal::cell::router())
        .merge(consent::pages::router())
        .merge(extracts::pages::router())
        .merge(exams::pages::router())
        .merge(finals::pages::router())
        .merge(debts::pages::router())
        .merge(certificate::pages::router())
        .merge(contact::pages::router())
        .merge(notify::pages::router())
        .merge(diary::pages::router())
        .merge(absence_notes::pages::router())
        .merge(record::router())
        .merge(personal_file::router())
        .merge(thematic::pages::router())
        .merge(stats::pages::router())
        .merge(teaching::pages::router())
        .merge(structure::pages::router())
        .merge(closing::pages::router())
        .merge(promotion::pages::router())
        .merge(homework_files::pages::router(
            state.app.homework_file_max_bytes(),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            diary::views::consent_gate,
        ))
        // The administration's pages: only the school's administration, before any body is read.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            scope::admin_gate,
        ));
    Router::new()
        .merge(pages)
        .merge(api::router(&state))
        .merge(assets::router())
        .merge(ops::router())
        .fallback(error::not_found_page)
        // A page's failure is drawn here, in the language of the request and its user.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::render_page_errors,
        ))
        // CSRF: every state-changing request carrying the session cookie must come from here.
        .layer(axum::middleware::from_fn(extract::check_origin))
        // Forms and JSON bodies here are small; anything larger is refused with 413.
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::record,
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .with_state(state)
}
