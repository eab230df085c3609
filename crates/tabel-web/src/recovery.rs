//! «Забыли пароль?»: ask for a code (sent to the account's confirmed contact), then set a new
//! password with it. The pages answer the same whether or not the login exists.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, Visitor};
use crate::i18n::Tr;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/password/forgot", get(forgot_page).post(forgot))
        .route("/password/reset", get(reset_page).post(reset))
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage<'a> {
    t: Tr<'a>,
    nav: Nav,
}

async fn forgot_page(State(state): State<AppState>, v: Visitor) -> Result<Html<String>, PageError> {
    render(ForgotPage {
        t: state.i18n.tr(v.lang),
        nav: Nav::default(),
    })
}

#[derive(Deserialize)]
struct ForgotForm {
    login: String,
}

async fn forgot(
    State(state): State<AppState>,
    v: Visitor,
    Form(f): Form<ForgotForm>,
) -> Result<Response, PageError> {
    state.app.throttle_address(&v.client.address).await?;
    state
        .app
        .request_password_reset(&f.login, &v.client)
        .await?;
    Ok(crate::redirect::see_other(&format!(
        "/password/reset?login={}",
        crate::auth::encode_next(f.login.trim())
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    login: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct LoginQuery {
    login: Option<String>,
}

async fn reset_page(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<LoginQuery>,
) -> Result<Html<String>, PageError> {
    render(ResetPage {
        t: state.i18n.tr(v.lang),
        nav: Nav::default(),
        login: q.login.unwrap_or_default(),
        error: None,
    })
}

#[derive(Deserialize)]
struct ResetForm {
    login: String,
    code: String,
    new_password: String,
}

async fn reset(
    State(state): State<AppState>,
    v: Visitor,
    Form(f): Form<ResetForm>,
) -> Result<Response, PageError> {
    let t = state.i18n.tr(v.lang);
    state.app.throttle_address(&v.client.address).await?;
    match state
        .app
        .reset_forgotten_password(&f.login, &f.code, &f.new_password, &v.client)
        .await
    {
        Ok(()) => Ok(crate::redirect::see_other("/login?reset=1").into_response()),
        Err(AppError::Invalid(errors)) => {
            let error = errors.into_iter().next().map(|(field, message)| {
                if field == "code" {
                    t.get("recovery-code-wrong")
                } else {
                    message
                }
            });
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                ResetPage {
                    t,
                    nav: Nav::default(),
                    login: f.login,
                    error,
                },
            )
        }
        Err(e) => Err(PageError::from(e)),
    }
}
