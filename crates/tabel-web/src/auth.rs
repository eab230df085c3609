//! Login and logout pages and the session cookie (the throttles are tabel-app's).

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
use std::sync::atomic::Ordering;
use tabel_app::AppError;
use tabel_app::auth::SessionKind;

/// Where to go after logging in (or switching the language): `next` when it is a path of this
/// site by [`crate::redirect::local_path`], else home.
pub fn safe_next(next: Option<&str>) -> String {
    next.and_then(crate::redirect::local_path)
        .unwrap_or("/")
        .to_owned()
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
            let (status, key, until) = match e {
                AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "login-wrong", None),
                AppError::AccountLocked { until } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "login-locked-out",
                    Some(until),
                ),
                AppError::TooManyAttempts { until } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "login-rate-limited",
                    Some(until),
                ),
                AppError::Disabled => (StatusCode::FORBIDDEN, "login-disabled", None),
                other => return Err(other.into()),
            };
            let mut res = render_login(&state, &v, next, login, Some(t.get(key)), status)?;
            if let Some(until) = until {
                let wait = (until - state.app.now()).whole_seconds().max(1);
                if let Ok(h) = HeaderValue::from_str(&wait.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, h);
                }
            }
            Ok(res)
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
        assert_eq!(safe_next(Some(&encode_next("/дз#1"))), encode_next("/дз#1"));
        // Encoded or not, a line break is no place to go.
        assert_eq!(safe_next(Some(&encode_next("/дз\r\n"))), "/");
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
}
