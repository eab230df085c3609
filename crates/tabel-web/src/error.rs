//! One error type per face: [`ApiError`] answers problem+json (RFC 9457), [`PageError`] an HTML
//! page. Both come from [`AppError`]; a 5xx logs its cause and shows only a request reference.

use crate::AppState;
use crate::i18n::Tr;
use askama::Template;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;
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

/// A page failure: rendered as an HTML error page in the user's language.
#[derive(Debug)]
pub enum PageError {
    /// Not logged in: go to the login page.
    Login(String),
    /// A status with a message key.
    Status(StatusCode, &'static str, String),
}

impl PageError {
    /// From a use-case error.
    pub fn from_app(e: AppError, lang: crate::i18n::Lang) -> PageError {
        let _ = lang;
        match e {
            AppError::Unauthenticated | AppError::BadCredentials => PageError::Login("/".into()),
            AppError::Forbidden | AppError::Disabled => {
                PageError::Status(StatusCode::FORBIDDEN, "error-forbidden", String::new())
            }
            AppError::NoConsent => {
                PageError::Status(StatusCode::FORBIDDEN, "error-no-consent", String::new())
            }
            AppError::NotFound => {
                PageError::Status(StatusCode::NOT_FOUND, "error-not-found", String::new())
            }
            AppError::Conflict(why) | AppError::Stale { detail: why, .. } => {
                PageError::Status(StatusCode::CONFLICT, "error-conflict", why)
            }
            AppError::Invalid(errors) => PageError::Status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-invalid",
                errors
                    .into_iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            AppError::LockedOut { .. } => PageError::Status(
                StatusCode::TOO_MANY_REQUESTS,
                "login-locked-out",
                String::new(),
            ),
            AppError::Store(e) => {
                let r = reference();
                tracing::error!(reference = %r, error = %e, "page failed");
                PageError::Status(StatusCode::INTERNAL_SERVER_ERROR, "error-internal", r)
            }
            AppError::Internal(e) => {
                let r = reference();
                tracing::error!(reference = %r, error = %e, "page failed");
                PageError::Status(StatusCode::INTERNAL_SERVER_ERROR, "error-internal", r)
            }
        }
    }

    /// Template rendering failed.
    pub fn render(e: askama::Error) -> PageError {
        let r = reference();
        tracing::error!(reference = %r, error = %e, "template failed");
        PageError::Status(StatusCode::INTERNAL_SERVER_ERROR, "error-internal", r)
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

impl PageError {
    /// Renders in a language.
    pub fn into_response_in(self, tr: Tr<'_>) -> Response {
        match self {
            PageError::Login(next) => {
                let target = format!("/login?next={}", crate::auth::encode_next(&next));
                crate::redirect::see_other(&target).into_response()
            }
            PageError::Status(status, key, detail) => error_page(tr, status, key, &detail),
        }
    }
}

/// The 404 page for unknown paths (problem+json under `/api`).
pub async fn not_found_page(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
) -> Response {
    if req.uri().path().starts_with("/api/") {
        return ApiError::new(StatusCode::NOT_FOUND, "no such endpoint").into_response();
    }
    let lang = crate::i18n::Lang::from_headers(req.headers(), None);
    error_page(
        state.i18n.tr(lang),
        StatusCode::NOT_FOUND,
        "error-not-found",
        "",
    )
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
