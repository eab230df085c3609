//! Login and logout pages, the session cookie, and the per-address login limiter.

use crate::AppState;
use crate::error::{PageError, render_status};
use crate::extract::{PageUser, Visitor, cookie_name};
use crate::i18n::Tr;
use crate::paths::Path;
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tabel_app::AppError;
use tabel_app::auth::SessionKind;

/// A fixed-window limit of login attempts per client address. In memory: a deployment runs one
/// server process per database; the per-account lockout in the database covers the rest.
/// IPv6 clients count by their /64 (one subscriber's network, which hands out addresses freely),
/// expired windows are swept at most once a second, and past [`LoginLimiter::MAX_CLIENTS`]
/// windows every further new client shares one: a flood of fresh addresses costs neither memory
/// nor a sweep per attempt, and is limited as one client.
#[derive(Debug)]
pub struct LoginLimiter {
    per_minute: u32,
    windows: Mutex<Windows>,
}

#[derive(Debug)]
struct Windows {
    by_client: HashMap<String, (Instant, u32)>,
    swept: Instant,
}

impl LoginLimiter {
    /// Clients tracked one by one at most.
    pub const MAX_CLIENTS: usize = 100_000;

    /// Allows `per_minute` attempts per address per minute.
    pub fn new(per_minute: u32) -> LoginLimiter {
        LoginLimiter {
            per_minute: per_minute.max(1),
            windows: Mutex::new(Windows {
                by_client: HashMap::new(),
                swept: Instant::now(),
            }),
        }
    }

    /// Counts an attempt; `Err(seconds)` to wait when over the limit.
    pub fn attempt(&self, address: &str) -> Result<(), u64> {
        let now = Instant::now();
        let minute = Duration::from_secs(60);
        let mut guard = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let w = &mut *guard;
        if w.by_client.len() > 10_000 && now.duration_since(w.swept) >= Duration::from_secs(1) {
            w.by_client
                .retain(|_, (start, _)| now.duration_since(*start) < minute);
            w.swept = now;
        }
        let mut key = client_key(address);
        if w.by_client.len() >= Self::MAX_CLIENTS && !w.by_client.contains_key(&key) {
            key = "overflow".to_owned();
        }
        let entry = w.by_client.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= minute {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > self.per_minute {
            let wait = 60u64
                .saturating_sub(now.duration_since(entry.0).as_secs())
                .max(1);
            Err(wait)
        } else {
            Ok(())
        }
    }
}

/// The key a client's attempts count under: an IPv6 address by its /64, anything else as it is.
fn client_key(address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => address.to_owned(),
    }
}

/// `next` parameters may only point inside this site, as a path of visible ASCII (which
/// [`encode_next`] makes): anything else (a CR/LF that would break the `Location` header, a tab
/// a browser would drop to make `//`, another host) goes home.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.len() <= 2048
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// What a `next` parameter keeps as it is: RFC 3986's unreserved characters and `/`, so that
/// the path stays readable in the address bar.
const NEXT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'/')
    .remove(b'~');

/// Percent-encodes a path for a query parameter.
pub fn encode_next(path: &str) -> String {
    utf8_percent_encode(path, NEXT).to_string()
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(set_lang))
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage<'a> {
    t: Tr<'a>,
    nav: crate::extract::Nav,
    next: String,
    login: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    render_login(
        &state,
        &v,
        safe_next(q.next.as_deref()),
        String::new(),
        None,
        StatusCode::OK,
    )
}

fn render_login(
    state: &AppState,
    v: &Visitor,
    next: String,
    login: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    render_status(
        status,
        LoginPage {
            t: state.i18n.tr(v.lang),
            nav: crate::extract::Nav::anonymous(),
            next,
            login,
            error,
        },
    )
}

#[derive(Deserialize)]
struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

/// The session cookie: HttpOnly, SameSite=Lax, for the whole site, Secure over TLS; without a
/// `max_age` it lasts as long as the browser keeps it (the session's own expiry is in the
/// database).
pub fn session_cookie(
    secure: bool,
    token: String,
    max_age: Option<time::Duration>,
) -> Cookie<'static> {
    let mut cookie = Cookie::build((cookie_name(secure), token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure);
    if let Some(age) = max_age {
        cookie = cookie.max_age(age);
    }
    cookie.build()
}

async fn login(
    State(state): State<AppState>,
    v: Visitor,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    let next = safe_next(f.next.as_deref());
    let t = state.i18n.tr(v.lang);
    let login: String = f.login.chars().take(64).collect();
    if let Err(wait) = state.limiter.attempt(&v.client.address) {
        state.metrics.logins_failed.fetch_add(1, Ordering::Relaxed);
        let mut res = render_login(
            &state,
            &v,
            next,
            login,
            Some(t.get("login-rate-limited")),
            StatusCode::TOO_MANY_REQUESTS,
        )?;
        if let Ok(h) = HeaderValue::from_str(&wait.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, h);
        }
        return Ok(res);
    }
    match state
        .app
        .login(&f.login, &f.password, SessionKind::Web, &v.client)
        .await
    {
        Ok(done) => {
            state.metrics.logins_ok.fetch_add(1, Ordering::Relaxed);
            let cookie = session_cookie(state.web.secure_cookies, done.token, None);
            Ok((
                CookieJar::new().add(cookie),
                crate::redirect::see_other(&next),
            )
                .into_response())
        }
        Err(e) => {
            state.metrics.logins_failed.fetch_add(1, Ordering::Relaxed);
            let (status, key) = match e {
                AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "login-wrong"),
                AppError::LockedOut { .. } => (StatusCode::TOO_MANY_REQUESTS, "login-locked-out"),
                AppError::Disabled => (StatusCode::FORBIDDEN, "login-disabled"),
                other => return Err(other.into()),
            };
            render_login(&state, &v, next, login, Some(t.get(key)), status)
        }
    }
}

async fn logout(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    state.app.logout(&user.who).await?;
    let cookie = session_cookie(
        state.web.secure_cookies,
        String::new(),
        Some(time::Duration::ZERO),
    );
    Ok((
        CookieJar::new().add(cookie),
        crate::redirect::see_other("/login"),
    )
        .into_response())
}

async fn set_lang(Path(lang): Path<crate::i18n::Lang>, headers: HeaderMap) -> Response {
    // Back to the page the switch was clicked on, if it was ours.
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()));
    let cookie = Cookie::build(("tabel_lang", lang.code()))
        .path("/")
        .max_age(time::Duration::days(365))
        .same_site(SameSite::Lax);
    (
        CookieJar::new().add(cookie),
        crate::redirect::see_other(&safe_next(back.as_deref())),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_by_their_network_and_a_flood_shares_one_window() {
        assert_eq!(client_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(client_key("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
        assert_eq!(client_key("192.0.2.7"), "192.0.2.7");
        let limiter = LoginLimiter::new(2);
        assert!(limiter.attempt("2001:db8:1:2::1").is_ok());
        assert!(limiter.attempt("2001:db8:1:2::2").is_ok());
        assert!(limiter.attempt("2001:db8:1:2::3").is_err());
        {
            let mut w = limiter.windows.lock().unwrap();
            for i in 0..LoginLimiter::MAX_CLIENTS {
                w.by_client.insert(format!("10.{i}"), (Instant::now(), 1));
            }
        }
        assert!(limiter.attempt("192.0.2.1").is_ok());
        assert!(limiter.attempt("192.0.2.2").is_ok());
        assert!(
            limiter.attempt("192.0.2.3").is_err(),
            "new clients share one window"
        );
        assert!(
            limiter.attempt("10.5").is_ok(),
            "a known client keeps its own"
        );
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/admin/users")), "/admin/users");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/diary\r\nSet-Cookie: x=1")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example/")), "/");
        assert_eq!(safe_next(Some("/дневник")), "/");
        assert_eq!(
            safe_next(Some("/diary?week=2026-W48")),
            "/diary?week=2026-W48"
        );
    }

    #[test]
    fn next_keeps_the_path_readable_and_encodes_the_rest() {
        assert_eq!(encode_next("/journal/5/7"), "/journal/5/7");
        assert_eq!(
            encode_next("/diary?week=2026-W48&a=b c~_."),
            "/diary%3Fweek%3D2026-W48%26a%3Db%20c~_."
        );
        assert_eq!(encode_next("/дз#1"), "/%D0%B4%D0%B7%231");
        assert_eq!(
            safe_next(Some(&encode_next("/дз\r\n"))),
            encode_next("/дз\r\n")
        );
    }

    #[test]
    fn the_session_cookie_is_httponly_lax_and_secure_with_the_host_prefix_over_tls() {
        let plain = session_cookie(false, "ab12".into(), None).to_string();
        assert_eq!(plain, "tabel_session=ab12; HttpOnly; SameSite=Lax; Path=/");
        let ended = session_cookie(true, String::new(), Some(time::Duration::ZERO)).to_string();
        assert_eq!(
            ended,
            "__Host-tabel_session=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0"
        );
    }

    #[test]
    fn the_limiter_refuses_after_the_allowance() {
        let l = LoginLimiter::new(3);
        for _ in 0..3 {
            assert!(l.attempt("10.0.0.1").is_ok());
        }
        assert!(l.attempt("10.0.0.1").is_err());
        assert!(l.attempt("10.0.0.2").is_ok());
    }
}
