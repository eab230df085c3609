//! The account page: sessions (devices), ending them, changing the password.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::Path;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_domain::SessionId;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(page))
        .route("/account/password", post(change_password))
        .route("/account/logout-elsewhere", post(logout_elsewhere))
        .route("/account/sessions/{id}/end", post(end_session))
}

/// A session row.
pub struct SessionRow {
    /// Id for the "end" button.
    pub id: String,
    /// This one.
    pub current: bool,
    /// Browser.
    pub agent: String,
    /// Address.
    pub origin: String,
    /// Last used.
    pub last_seen: String,
}

#[derive(Template)]
#[template(path = "account/index.html")]
struct AccountPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    login: String,
    sessions: Vec<SessionRow>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
struct Notice {
    done: Option<String>,
}

async fn build<'s>(
    state: &'s AppState,
    user: &PageUser,
    notice: Option<String>,
    errors: Vec<(String, String)>,
) -> Result<AccountPage<'s>, AppError> {
    let sessions = state
        .app
        .my_sessions(&user.who)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            id: s.id.to_string(),
            current: s.id == user.who.session,
            agent: if s.user_agent.is_empty() {
                s.kind.clone()
            } else {
                s.user_agent.clone()
            },
            origin: s.origin.clone(),
            last_seen: tabel_present::date_time_utc(s.last_seen_at),
        })
        .collect();
    Ok(AccountPage {
        t: user.tr(state),
        nav: user.nav.clone(),
        login: user.who.login.clone(),
        sessions,
        notice,
        errors,
    })
}

async fn page(
    State(state): State<AppState>,
    user: PageUser,
    Query(n): Query<Notice>,
) -> Result<Html<String>, PageError> {
    let t = user.tr(&state);
    let notice = match n.done.as_deref() {
        Some("password") => Some(t.get("account-password-changed")),
        Some("elsewhere") => Some(t.get("account-logged-out-elsewhere")),
        Some("ended") => Some(t.get("account-session-ended")),
        _ if user.who.must_change_password => Some(t.get("account-first-login")),
        _ => None,
    };
    render(build(&state, &user, notice, Vec::new()).await?)
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    repeat_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let t = user.tr(&state);
    let result = if f.new_password != f.repeat_password {
        Err(AppError::invalid(
            "repeat_password",
            t.get("account-passwords-differ"),
        ))
    } else {
        state
            .app
            .change_password(
                &user.who,
                &f.current_password,
                &f.new_password,
                &user.client,
            )
            .await
    };
    match result {
        Ok(()) => Ok(crate::redirect::see_other("/account?done=password").into_response()),
        Err(AppError::Invalid(errors)) => {
            let errors = errors.into_iter().collect();
            let built = build(&state, &user, None, errors).await;
            render_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, built?)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

async fn logout_elsewhere(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    state.app.logout_elsewhere(&user.who).await?;
    Ok(crate::redirect::see_other("/account?done=elsewhere").into_response())
}

async fn end_session(
    State(state): State<AppState>,
    user: PageUser,
    Path(session): Path<SessionId>,
) -> Result<Response, PageError> {
    state.app.end_session(&user.who, session).await?;
    Ok(crate::redirect::see_other("/account?done=ended").into_response())
}
