//! One error type per face: [`ApiError`] answers problem+json (RFC 9457), [`PageError`] an HTML
//! page. Both come from [`AppError`]; a 5xx logs its cause and shows only a request reference.

use crate::AppState;
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use tabel_app::AppError;
use time::OffsetDateTime;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What happened here.
    pub detail: String,
    /// Field → message, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, String>>,
    /// For a version conflict: what the row holds now (null if it is gone).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
}

/// An API failure.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    detail: String,
    errors: Option<BTreeMap<String, String>>,
    retry_after: Option<i64>,
    /// Boxed: the error travels in every `Result` of the API.
    current: Option<Box<serde_json::Value>>,
}

impl ApiError {
    /// A problem with a status and a detail.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind: "about:blank",
            detail: detail.into(),
            errors: None,
            retry_after: None,
            current: None,
        }
    }

    /// 400: the request could not be read.
    pub fn malformed(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 422 with field errors.
    pub fn validation(errors: BTreeMap<String, String>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            kind: "urn:tabel:problem:validation",
            detail: "some fields are invalid".into(),
            errors: Some(errors),
            retry_after: None,
            current: None,
        }
    }

    /// 403: signed in with a one-time password, which must be replaced first.
    pub fn password_change_required() -> ApiError {
        ApiError {
            status: StatusCode::FORBIDDEN,
            kind: "urn:tabel:problem:password-change-required",
            detail: "set your own password first: POST /api/v1/me/password".into(),
            errors: None,
            retry_after: None,
            current: None,
        }
    }

    /// 422 for one field.
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        let mut e = BTreeMap::new();
        e.insert(field.to_owned(), message.into());
        ApiError::validation(e)
    }
}

fn seconds_until(until: OffsetDateTime) -> i64 {
    (until - OffsetDateTime::now_utc()).whole_seconds().max(1)
}

/// Whether a refusal is the uploader's daily limit (429, not 422).
fn is_daily_limit(errors: &tabel_app::FieldErrors) -> bool {
    errors.get("file").map(String::as_str) == Some(tabel_app::homework_files::refusal::DAILY_LIMIT)
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::BadCredentials => {
                ApiError::new(StatusCode::UNAUTHORIZED, "wrong login or password")
            }
            AppError::Unauthenticated => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "log in first: no valid session or token",
            ),
            AppError::LockedOut { until } => ApiError {
                kind: "urn:tabel:problem:locked-out",
                retry_after: Some(seconds_until(until)),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too many failed attempts; try again later",
                )
            },
            AppError::AccountLocked { until } => ApiError {
                kind: "urn:tabel:problem:account-locked",
                retry_after: Some(seconds_until(until)),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too many failed logins with this login; try again later",
                )
            },
            AppError::TooManyAttempts { until } => ApiError {
                kind: "urn:tabel:problem:too-many-attempts",
                retry_after: Some(seconds_until(until)),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too many attempts from this address; try again later",
                )
            },
            AppError::Disabled => ApiError::new(
                StatusCode::FORBIDDEN,
                "this account is locked by the school administrator",
            ),
            AppError::Forbidden => {
                ApiError::new(StatusCode::FORBIDDEN, "you are not allowed to do this")
            }
            AppError::NoConsent => ApiError {
                kind: "urn:tabel:problem:consent-required",
                ..ApiError::new(
                    StatusCode::FORBIDDEN,
                    "the school has no consent of yours in force to the processing of this \
                     child's personal data for the electronic diary: submit one to the school \
                     (a written application or an electronic document) to see the child's data",
                )
            },
            AppError::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "no such thing, or it is not visible to you",
            ),
            // The uploader's bytes for the day are used up: not a fault of this request's input.
            AppError::Invalid(errors) if is_daily_limit(&errors) => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "the daily upload limit is reached; try again tomorrow",
            ),
            AppError::Invalid(errors) => ApiError::validation(errors),
            AppError::Conflict(why) => ApiError::new(StatusCode::CONFLICT, why),
            AppError::Stale { detail, current } => ApiError {
                kind: "urn:tabel:problem:version-conflict",
                current: Some(Box::new(current.unwrap_or(serde_json::Value::Null))),
                ..ApiError::new(StatusCode::CONFLICT, detail)
            },
            AppError::Store(e) => internal(&e),
            AppError::Internal(e) => internal(&e),
        }
    }
}

fn internal(cause: &dyn std::fmt::Display) -> ApiError {
    let reference = reference();
    tracing::error!(%reference, error = %cause, "request failed");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("internal error, reference {reference}"),
    )
}

/// A short reference for a failure, to find it in the logs.
fn reference() -> String {
    let now = OffsetDateTime::now_utc().unix_timestamp_nanos();
    format!("{:x}", (now as u64) & 0xffff_ffff_ffff)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: self.kind.into(),
            title: self.status.canonical_reason().unwrap_or("Error").into(),
            status: self.status.as_u16(),
            detail: self.detail,
            errors: self.errors,
            current: self.current.map(|c| *c),
        };
        let mut res = (self.status, Json(body)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

/// A page failure. As a response it carries only its status; [`render_page_errors`], which knows
/// the request's language, draws the error page around it. Handlers return it with `?`.
#[derive(Debug, Clone)]
pub enum PageError {
    /// Not logged in: go to the login page, then back to this path.
    Login(String),
    /// A status with a message key and a detail.
    Status(StatusCode, &'static str, String),
    /// Somewhere else first (a one-time password to replace).
    Redirect(String),
}

impl PageError {
    /// 404: no such thing, or not visible to the user.
    pub fn not_found() -> PageError {
        PageError::Status(StatusCode::NOT_FOUND, "error-not-found", String::new())
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> PageError {
        match e {
            AppError::Unauthenticated | AppError::BadCredentials => PageError::Login("/".into()),
            AppError::Forbidden | AppError::Disabled => {
                PageError::Status(StatusCode::FORBIDDEN, "error-forbidden", String::new())
            }
            AppError::NoConsent => {
                PageError::Status(StatusCode::FORBIDDEN, "error-no-consent", String::new())
            }
            AppError::NotFound => PageError::not_found(),
            AppError::Conflict(why) | AppError::Stale { detail: why, .. } => {
                PageError::Status(StatusCode::CONFLICT, "error-conflict", why)
            }
            AppError::Invalid(errors) => PageError::Status(
                if is_daily_limit(&errors) {
                    StatusCode::TOO_MANY_REQUESTS
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                },
                "error-invalid",
                errors
                    .into_iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            AppError::LockedOut { .. } | AppError::AccountLocked { .. } => PageError::Status(
                StatusCode::TOO_MANY_REQUESTS,
                "login-locked-out",
                String::new(),
            ),
            AppError::TooManyAttempts { .. } => PageError::Status(
                StatusCode::TOO_MANY_REQUESTS,
                "error-too-many-requests",
                String::new(),
            ),
            AppError::Store(e) => PageError::internal(&e, "page failed"),
            AppError::Internal(e) => PageError::internal(&e, "page failed"),
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> PageError {
        PageError::internal(&e, "template failed")
    }
}

impl PageError {
    fn internal(cause: &dyn std::fmt::Display, what: &str) -> PageError {
        let r = reference();
        tracing::error!(reference = %r, error = %cause, "{what}");
        PageError::Status(StatusCode::INTERNAL_SERVER_ERROR, "error-internal", r)
    }
}

/// Renders a page's template; a failure is a 500 with a reference in the log.
pub fn render<T: Template>(page: T) -> Result<Html<String>, PageError> {
    Ok(Html(page.render()?))
}

/// What a [`PageError`] leaves in its response for [`render_page_errors`].
#[derive(Debug, Clone)]
struct Unrendered(&'static str, String);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Login(next) => {
                let target = format!("/login?next={}", crate::auth::encode_next(&next));
                crate::redirect::see_other(&target).into_response()
            }
            PageError::Redirect(target) => crate::redirect::see_other(&target).into_response(),
            PageError::Status(status, key, detail) => {
                let mut res = status.into_response();
                res.extensions_mut().insert(Unrendered(key, detail));
                res
            }
        }
    }
}

/// Whether a page failed because the school has no consent of the parent's in force.
pub fn is_no_consent(res: &Response) -> bool {
    res.extensions()
        .get::<Unrendered>()
        .is_some_and(|u| u.0 == "error-no-consent")
}

/// The language of the page being answered: the headers' choice, replaced by the user's own
/// setting once [`crate::extract::PageUser`] knows who is asking.
#[derive(Debug, Clone, Default)]
pub struct PageLang(Arc<OnceLock<Lang>>);

impl PageLang {
    /// Records the user's language (the first call wins).
    pub fn set(&self, lang: Lang) {
        let _ = self.0.set(lang);
    }
}

/// Draws the error page of a [`PageError`] in the request's language.
pub async fn render_page_errors(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    // The API answers problem+json and the probes never fail as pages: nothing to do there.
    let path = req.uri().path();
    if path.starts_with("/api/") || path == "/healthz" || path == "/metrics" {
        return next.run(req).await;
    }
    let slot = PageLang::default();
    // What the language is read from, kept (cheap clones) and read only if the page fails.
    let mut asked = axum::http::HeaderMap::new();
    for name in [header::COOKIE, header::ACCEPT_LANGUAGE] {
        for value in req.headers().get_all(&name) {
            asked.append(name.clone(), value.clone());
        }
    }
    req.extensions_mut().insert(slot.clone());
    let mut res = next.run(req).await;
    match res.extensions_mut().remove::<Unrendered>() {
        Some(Unrendered(key, detail)) => {
            let lang = slot
                .0
                .get()
                .copied()
                .unwrap_or_else(|| crate::i18n::lang_from_headers(&asked, None));
            error_page(state.i18n.tr(lang), res.status(), key, &detail)
        }
        None => res,
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr<'a>,
    nav: crate::extract::Nav,
    status: u16,
    message: String,
    detail: String,
}

/// Renders an error page.
pub fn error_page(tr: Tr<'_>, status: StatusCode, key: &str, detail: &str) -> Response {
    let page = ErrorPage {
        message: tr.get(key),
        t: tr,
        nav: crate::extract::Nav::anonymous(),
        status: status.as_u16(),
        detail: detail.to_owned(),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (
            status,
            status.canonical_reason().unwrap_or("Error").to_owned(),
        )
            .into_response(),
    }
}

/// The 404 page for unknown paths (problem+json under `/api`).
pub async fn not_found_page(req: axum::extract::Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        return ApiError::new(StatusCode::NOT_FOUND, "no such endpoint").into_response();
    }
    PageError::not_found().into_response()
}

/// What a panicking handler answers (the panic is logged; the server goes on).
pub fn panic_response(_err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let r = reference();
    tracing::error!(reference = %r, "handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("internal error, reference {r}"),
    )
        .into_response()
}

/// Renders a page's template with another status than 200 (a form sent back with its errors
/// is 422).
pub fn render_status<T: Template>(status: StatusCode, page: T) -> Result<Response, PageError> {
    Ok((status, render(page)?).into_response())
}
