//! «Мои данные»: the right of access (152-ФЗ, art. 14). A page in the user's cabinet with the
//! downloads, and the same export on the API: everything held about the user and, for a legal
//! representative, about their linked children — JSON (complete, machine-readable) and a PDF
//! summary. Available without the diary consent; every export is audited (tabel-app).

use crate::AppState;
use crate::error::{ApiError, PageError, Problem, render};
use crate::extract::{ApiUser, ClientInfo, Nav, PageUser};
use crate::extracts::pages::pdf_response;
use crate::i18n::Tr;
use crate::paths::field_id;
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::Value;
use tabel_domain::PersonId;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/account/my-data", get(page))
        .route("/account/my-data/export.json", get(page_json))
        .route("/account/my-data/export.pdf", get(page_pdf))
}

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(export_json)).routes(routes!(export_pdf))
}

/// Whose data.
#[derive(Deserialize, IntoParams, Default)]
struct ExportQuery {
    /// Only this linked child (with the user's own data); all of them when absent.
    student: Option<String>,
}

impl ExportQuery {
    fn only(&self) -> Result<Option<PersonId>, tabel_app::AppError> {
        self.student
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| field_id("student", s))
            .transpose()
    }
}

/// The JSON document as a download.
fn json_download(document: &Value) -> Response {
    let mut res = Json(document).into_response();
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"tabel-my-data.json\""),
    );
    res
}

/// Everything held about the user and their linked children (the right of access): the account,
/// the person, contacts with provenance, consents and their history, each child's marks,
/// attendance, final marks, homework and recommendations, notifications with their delivery
/// state, sessions and audit records. Works without the diary consent. Audited.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "auth", security(("bearer" = [])), params(ExportQuery),
    responses((status = 200, description = "The export", body = Object),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn export_json(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let e = state
        .app
        .export_my_data(&who.principal, q.only()?, "json", &client)
        .await?;
    Ok(json_download(&e.document))
}

/// The same export as a human-readable PDF summary (Russian).
#[utoipa::path(get, path = "/api/v1/me/export.pdf", tag = "auth", security(("bearer" = [])), params(ExportQuery),
    responses((status = 200, description = "The summary", content_type = "application/pdf"),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn export_pdf(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let bytes = state
        .app
        .export_my_data_pdf(&who.principal, q.only()?, &client)
        .await?;
    Ok(pdf_response(bytes, "tabel-my-data.pdf", false))
}

#[derive(Template)]
#[template(path = "account/my_data.html")]
struct MyDataPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    parent: bool,
}

async fn page(State(state): State<AppState>, user: PageUser) -> Result<Html<String>, PageError> {
    render(MyDataPage {
        parent: !user.who.principal.children.is_empty(),
        t: user.tr(&state),
        nav: user.nav.clone(),
    })
}

async fn page_json(
    State(state): State<AppState>,
    user: PageUser,
    ClientInfo(client): ClientInfo,
    Query(q): Query<ExportQuery>,
) -> Result<Response, PageError> {
    let e = state
        .app
        .export_my_data(&user.who.principal, q.only()?, "json", &client)
        .await?;
    Ok(json_download(&e.document))
}

async fn page_pdf(
    State(state): State<AppState>,
    user: PageUser,
    ClientInfo(client): ClientInfo,
    Query(q): Query<ExportQuery>,
) -> Result<Response, PageError> {
    let bytes = state
        .app
        .export_my_data_pdf(&user.who.principal, q.only()?, &client)
        .await?;
    Ok(pdf_response(bytes, "tabel-my-data.pdf", false))
}
