//! Operations: `/healthz` and `/metrics` (Prometheus text format, behind a bearer token), and the
//! middleware that counts requests and their durations and adds the headers every answer carries.

use crate::AppState;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// Request counters and a latency histogram, lock-free.
#[derive(Debug, Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
    /// Successful logins.
    pub logins_ok: AtomicU64,
    /// Failed logins (wrong password, lockout, rate limit).
    pub logins_failed: AtomicU64,
}

impl Metrics {
    fn observe(&self, status: StatusCode, seconds: f64) {
        let class = usize::from(status.as_u16() / 100).clamp(1, 5) - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    fn render(&self) -> String {
        let mut out = String::with_capacity(2048);
        let _ = writeln!(
            out,
            "# HELP tabel_http_requests_total HTTP requests by status class."
        );
        let _ = writeln!(out, "# TYPE tabel_http_requests_total counter");
        for (i, c) in self.by_class.iter().enumerate() {
            let _ = writeln!(
                out,
                "tabel_http_requests_total{{class=\"{}xx\"}} {}",
                i + 1,
                c.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP tabel_http_request_duration_seconds Time to answer HTTP requests."
        );
        let _ = writeln!(out, "# TYPE tabel_http_request_duration_seconds histogram");
        for (i, le) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "tabel_http_request_duration_seconds_bucket{{le=\"{le}\"}} {}",
                self.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "tabel_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "tabel_http_request_duration_seconds_sum {}",
            self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "tabel_http_request_duration_seconds_count {count}");
        let _ = writeln!(out, "# HELP tabel_logins_total Login attempts by outcome.");
        let _ = writeln!(out, "# TYPE tabel_logins_total counter");
        let _ = writeln!(
            out,
            "tabel_logins_total{{outcome=\"ok\"}} {}",
            self.logins_ok.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "tabel_logins_total{{outcome=\"failed\"}} {}",
            self.logins_failed.load(Ordering::Relaxed)
        );
        out
    }
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.app.db().ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// The secret a Prometheus scraper sends as `Authorization: Bearer …` for `/metrics` (kept out
/// of `Debug`).
#[derive(Clone)]
pub struct MetricsToken(String);

impl MetricsToken {
    /// A token; an empty one is none.
    pub fn new(token: &str) -> Option<MetricsToken> {
        let token = token.trim();
        (!token.is_empty()).then(|| MetricsToken(token.to_owned()))
    }

    /// Whether the request's `Authorization` carries this token (compared in constant time).
    fn admits(&self, headers: &axum::http::HeaderMap) -> bool {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("")
            .trim()
            .as_bytes();
        let want = self.0.as_bytes();
        given.len() == want.len()
            && given
                .iter()
                .zip(want)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(***)")
    }
}

/// The counters, for a scraper holding the metrics token: without a token configured there is
/// nothing here (404); a missing or wrong token is 401.
async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let Some(token) = &state.web.metrics_token else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    if !token.admits(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
            "send the metrics token: Authorization: Bearer <token>",
        )
            .into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// A request that ends in a server error sets no cookie: whatever it began (a session, a
/// language) is not handed to the browser from a failed answer.
fn no_cookie_on_error(res: &mut Response) {
    if res.status().is_server_error() {
        res.headers_mut().remove(header::SET_COOKIE);
    }
}

/// The content security policy of every answer that brings none of its own: this site's files
/// only, no framing, forms posting only here, no `<base>` to re-aim relative links.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                   frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// Counts every request and adds the security headers every answer should carry. Nothing but
/// the versioned static files may be kept by a browser or a proxy cache: pages, API answers and
/// files carry pupils' data, so everything else is `no-store`. Over TLS the browser is told to
/// come back only over TLS (HSTS).
pub(crate) async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let asset = req.uri().path().starts_with("/assets/");
    let mut res = next.run(req).await;
    state
        .metrics
        .observe(res.status(), started.elapsed().as_secs_f64());
    no_cookie_on_error(&mut res);
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    let kept_from_stores = h
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|d| d.trim().eq_ignore_ascii_case("no-store"))
        });
    if !asset && !kept_from_stores {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.web.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    res
}

#[cfg(test)]
mod cookie_tests {
    use super::*;
    use axum::response::IntoResponse;

    #[test]
    fn a_server_error_sets_no_cookie_and_a_success_keeps_its_own() {
        let cookie = [(header::SET_COOKIE, "s=1")];
        let mut failed = (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            cookie.clone(),
        )
            .into_response();
        no_cookie_on_error(&mut failed);
        assert!(failed.headers().get(header::SET_COOKIE).is_none());
        let mut ok = (cookie, "ok").into_response();
        no_cookie_on_error(&mut ok);
        assert_eq!(ok.headers()[header::SET_COOKIE], "s=1");
    }
}
