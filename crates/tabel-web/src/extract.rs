//! Extractors: who is asking (cookie session or bearer token), in which language, from where;
//! JSON bodies that fail as problem+json; and the origin check that stands in for CSRF tokens.

use crate::AppState;
use crate::error::{ApiError, PageError, PageLang};
use crate::i18n::{Lang, Tr};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use tabel_app::Client;
use tabel_app::auth::Authenticated;

/// The session cookie's name: with the `__Host-` prefix over TLS (the browser then refuses it
/// unless Secure, host-only and Path=/), plain otherwise (browsers drop `__Host-` over http).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-tabel_session"
    } else {
        "tabel_session"
    }
}

/// The value of a cookie of the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(name)
        .map(|c| c.value().to_owned())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// The session token of a request: the bearer token, else the session cookie. (A request with
/// a bearer token reaches the handlers without its session cookie: see [`check_origin`].)
pub fn token(headers: &HeaderMap, state: &AppState) -> Option<String> {
    bearer(headers)
        .map(str::to_owned)
        .or_else(|| cookie(headers, cookie_name(state.web.secure_cookies)))
}

/// Where the request came from: the peer's address, or behind a trusted proxy the address it
/// forwarded for ([`crate::proxy`]). Sessions, audit records and the throttles all take this one.
pub fn client(parts: &Parts, state: &AppState) -> Client {
    let address = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| {
            crate::proxy::client_address(c.0.ip(), &parts.headers, &state.web.trusted_proxies)
                .to_string()
        })
        .unwrap_or_else(|| "unknown".into());
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect();
    Client {
        address,
        user_agent,
    }
}

/// An API caller: bearer token or session cookie; 401 problem+json otherwise.
pub struct ApiUser(pub Authenticated);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = token(&parts.headers, state)
            .ok_or_else(|| ApiError::from(tabel_app::AppError::Unauthenticated))?;
        let who = state.app.authenticate(&token, state.app.today()).await?;
        // A one-time password opens only the door to replacing it.
        if who.must_change_password
            && !matches!(
                parts.uri.path(),
                "/api/v1/me/password" | "/api/v1/auth/logout"
            )
        {
            return Err(ApiError::password_change_required());
        }
        Ok(ApiUser(who))
    }
}

/// The navigation bar's view of the user.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    /// Logged in.
    pub logged_in: bool,
    /// Name to show.
    pub name: String,
    /// May see the structure pages.
    pub staff: bool,
    /// May see the account administration.
    pub admin: bool,
}

impl Nav {
    /// For pages without a user.
    pub fn anonymous() -> Nav {
        Nav::default()
    }

    fn of(who: &Authenticated) -> Nav {
        let p = &who.principal;
        Nav {
            logged_in: true,
            name: who.display_name.clone(),
            staff: p.schools().iter().any(|s| p.is_staff_of(*s)),
            admin: p.schools().iter().any(|s| p.is_admin_of(*s)),
        }
    }
}

/// The language of a request: the `tabel_lang` cookie, else the user's setting, else
/// Accept-Language, else Russian.
pub fn lang_of(headers: &HeaderMap, user_locale: Option<&str>) -> Lang {
    crate::i18n::lang_from_headers(headers, user_locale)
}

/// A page visitor who must be logged in; otherwise they are sent to the login page.
pub struct PageUser {
    /// The user.
    pub who: Authenticated,
    /// Language.
    pub lang: Lang,
    /// Navigation.
    pub nav: Nav,
    /// Origin of the request.
    pub client: Client,
}

impl PageUser {
    /// Translations.
    pub fn tr<'s>(&self, state: &'s AppState) -> Tr<'s> {
        state.i18n.tr(self.lang)
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        let token = cookie(&parts.headers, cookie_name(state.web.secure_cookies))
            .ok_or_else(|| PageError::Login(here.clone()))?;
        let who = match state.app.authenticate(&token, state.app.today()).await {
            Ok(who) => who,
            Err(tabel_app::AppError::Unauthenticated) => return Err(PageError::Login(here)),
            Err(e) => return Err(e.into()),
        };
        if who.must_change_password
            && !matches!(
                parts.uri.path(),
                "/account" | "/account/password" | "/logout"
            )
        {
            return Err(PageError::Redirect("/account?first=1".into()));
        }
        let lang = lang_of(&parts.headers, Some(&who.locale));
        if let Some(page) = parts.extensions.get::<PageLang>() {
            page.set(lang);
        }
        Ok(PageUser {
            nav: Nav::of(&who),
            lang,
            client: client(parts, state),
            who,
        })
    }
}

/// Anyone, with their language and origin (login page).
pub struct Visitor {
    /// Language.
    pub lang: Lang,
    /// Origin.
    pub client: Client,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Visitor {
            lang: lang_of(&parts.headers, None),
            client: client(parts, state),
        })
    }
}

/// The API caller's address and agent.
pub struct ClientInfo(pub Client);

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientInfo(client(parts, state)))
    }
}

/// A JSON body whose failures are problem+json: unreadable → 400, wrong shape → 422,
/// wrong content type → 415, too large → 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::malformed(format!(
                "malformed JSON: {}",
                e.body_text()
            ))),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                e.body_text(),
            )),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as application/json",
            )),
            Err(e) => Err(ApiError::new(e.status(), e.body_text())),
        }
    }
}

/// CSRF defence for the HTML forms: a state-changing request must come from this site. Browsers
/// send `Origin` on every cross-site POST; when present it must name our host. A request with a
/// bearer token is exempt (a browser never adds one by itself), and it authenticates by that
/// token only: its session cookies are taken away here, so no handler can fall back on them.
pub async fn check_origin(mut req: Request, next: Next) -> Response {
    if bearer(req.headers()).is_some() {
        drop_session_cookies(req.headers_mut());
        return next.run(req).await;
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe {
        return next.run(req).await;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let source = req
        .headers()
        .get(header::ORIGIN)
        .or_else(|| req.headers().get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    let ok = match source {
        Some(url) => url
            .split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
            .is_some_and(|authority| authority.eq_ignore_ascii_case(host)),
        // Neither header: not a browser form post (browsers send Origin); such a client
        // has no ambient cookie to abuse unless it sends one itself.
        None => !req.headers().contains_key(header::COOKIE),
    };
    if ok {
        next.run(req).await
    } else if req.uri().path().starts_with("/api/") {
        ApiError::new(StatusCode::FORBIDDEN, "cross-site request refused").into_response()
    } else {
        (StatusCode::FORBIDDEN, "cross-site request refused").into_response()
    }
}

/// Removes the session cookie (under either name) from the request's `Cookie` headers, keeping
/// the others (the language).
fn drop_session_cookies(headers: &mut HeaderMap) {
    let session = |pair: &str| {
        let name = pair.split('=').next().unwrap_or("").trim();
        name == cookie_name(true) || name == cookie_name(false)
    };
    let kept: Vec<String> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|pair| !pair.is_empty() && !session(pair))
        .map(str::to_owned)
        .collect();
    headers.remove(header::COOKIE);
    if let Ok(v) = axum::http::HeaderValue::from_str(&kept.join("; "))
        && !kept.is_empty()
    {
        headers.insert(header::COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bearer_request_keeps_no_session_cookie() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            "tabel_lang=en; tabel_session=abc".parse().unwrap(),
        );
        h.append(header::COOKIE, "__Host-tabel_session=def".parse().unwrap());
        drop_session_cookies(&mut h);
        assert_eq!(h.get_all(header::COOKIE).iter().count(), 1);
        assert_eq!(h[header::COOKIE], "tabel_lang=en");
        let mut only = HeaderMap::new();
        only.insert(header::COOKIE, "tabel_session=abc".parse().unwrap());
        drop_session_cookies(&mut only);
        assert!(only.get(header::COOKIE).is_none());
    }
}
