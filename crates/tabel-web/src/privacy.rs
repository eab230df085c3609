//! «Мои данные»: the right of access (152-ФЗ, art. 14). A page in the user's cabinet with the
//! downloads, and the same export on the API: everything held about the user and, for a legal
//! representative, about their linked children — JSON (complete, machine-readable) and a PDF
//! summary. Available without the diary consent; every export is audited (tabel-app).

use crate::AppState;
use crate::error::{ApiError, PageError, Problem, render};
use crate::extract::ApiJson;
use crate::extract::{ApiUser, ClientInfo, Nav, PageUser};
use crate::extracts::pages::pdf_response;
use crate::i18n::Tr;
use crate::paths::{Path, field_id};
use askama::Template;
use axum::Form;
use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::Serialize;
use serde_json::Value;
use tabel_app::privacy::ErasureRequest;
use tabel_domain::PersonId;
use tabel_domain::SchoolId;
use utoipa::IntoParams;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/account/my-data", get(page))
        .route("/account/my-data/export.json", get(page_json))
        .route("/account/my-data/export.pdf", get(page_pdf))
        .route("/account/my-data/erasure", post(request_page))
        .route("/admin/{school}/erasure-requests", get(admin_page))
        .route(
            "/admin/{school}/erasure-requests/{id}/carry-out",
            post(carry_out_page),
        )
        .route(
            "/admin/{school}/erasure-requests/{id}/refuse",
            post(refuse_page),
        )
}

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(export_json))
        .routes(routes!(export_pdf))
        .routes(routes!(my_requests, create_request))
        .routes(routes!(school_requests))
        .routes(routes!(carry_out))
        .routes(routes!(refuse))
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
    requests: Vec<RequestRow>,
    pending: bool,
}

/// An erasure request as the pages list it.
pub struct RequestRow {
    /// Id.
    pub id: String,
    /// The requester («Представитель №123» once carried out).
    pub parent: String,
    /// The requester's comment.
    pub comment: String,
    /// «28.11.2026 14:05».
    pub requested_at: String,
    /// The state in words.
    pub state: String,
    /// Waiting for a decision.
    pub pending: bool,
    /// Who decided and when, and why refused.
    pub decision: String,
}

fn request_rows(state: &AppState, t: &Tr<'_>, list: &[ErasureRequest]) -> Vec<RequestRow> {
    let zone = &state.app.config().time_zone;
    list.iter()
        .map(|r| RequestRow {
            id: r.id.to_string(),
            parent: r.parent_name.clone(),
            comment: r.comment.clone(),
            requested_at: tabel_present::date_time(zone.local(r.requested_at)),
            state: t.get(&format!("erasure-state-{}", r.state.code())),
            pending: r.state == tabel_app::privacy::ErasureState::Pending,
            decision: match (&r.decided_by, r.decided_at) {
                (Some(by), Some(at)) => {
                    let mut d = format!("{by}, {}", tabel_present::date_time(zone.local(at)));
                    if !r.reason.is_empty() {
                        d = format!("{d}: {}", r.reason);
                    }
                    d
                }
                _ => String::new(),
            },
        })
        .collect()
}

async fn page(State(state): State<AppState>, user: PageUser) -> Result<Html<String>, PageError> {
    let list = state.app.my_erasure_requests(&user.who.principal).await?;
    let t = user.tr(&state);
    render(MyDataPage {
        parent: !user.who.principal.children.is_empty(),
        requests: request_rows(&state, &t, &list),
        pending: list
            .iter()
            .any(|r| r.state == tabel_app::privacy::ErasureState::Pending),
        t,
        nav: user.nav.clone(),
    })
}

#[derive(Deserialize, Default)]
struct RequestForm {
    #[serde(default)]
    comment: String,
}

async fn request_page(
    State(state): State<AppState>,
    user: PageUser,
    ClientInfo(client): ClientInfo,
    Form(f): Form<RequestForm>,
) -> Result<Response, PageError> {
    state
        .app
        .request_erasure(&user.who.principal, &f.comment, &client)
        .await?;
    Ok(crate::redirect::see_other("/account/my-data").into_response())
}

#[derive(Template)]
#[template(path = "admin/erasure_requests.html")]
struct AdminPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    requests: Vec<RequestRow>,
    pending: usize,
}

async fn admin_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
) -> Result<Html<String>, PageError> {
    let list = state
        .app
        .erasure_requests(&user.who.principal, school)
        .await?;
    let t = user.tr(&state);
    render(AdminPage {
        school_id: school.to_string(),
        requests: request_rows(&state, &t, &list),
        pending: list
            .iter()
            .filter(|r| r.state == tabel_app::privacy::ErasureState::Pending)
            .count(),
        t,
        nav: user.nav.clone(),
    })
}

async fn carry_out_page(
    State(state): State<AppState>,
    user: PageUser,
    ClientInfo(client): ClientInfo,
    Path((school, id)): Path<(SchoolId, i64)>,
) -> Result<Response, PageError> {
    state
        .app
        .carry_out_erasure(&user.who.principal, id, &client)
        .await?;
    Ok(crate::redirect::see_other(&format!("/admin/{school}/erasure-requests")).into_response())
}

#[derive(Deserialize, Default)]
struct RefuseForm {
    #[serde(default)]
    reason: String,
}

async fn refuse_page(
    State(state): State<AppState>,
    user: PageUser,
    ClientInfo(client): ClientInfo,
    Path((school, id)): Path<(SchoolId, i64)>,
    Form(f): Form<RefuseForm>,
) -> Result<Response, PageError> {
    state
        .app
        .refuse_erasure(&user.who.principal, id, &f.reason, &client)
        .await?;
    Ok(crate::redirect::see_other(&format!("/admin/{school}/erasure-requests")).into_response())
}

/// An erasure request.
#[derive(Serialize, ToSchema)]
struct RequestDto {
    id: String,
    parent_id: String,
    /// The requester's name now («Представитель №123» once carried out).
    parent_name: String,
    comment: String,
    /// `pending`, `carried_out` or `refused`.
    state: &'static str,
    /// RFC 3339.
    requested_at: String,
    /// The login of who decided.
    decided_by: Option<String>,
    decided_at: Option<String>,
    /// Why refused.
    reason: String,
}

impl From<ErasureRequest> for RequestDto {
    fn from(r: ErasureRequest) -> Self {
        RequestDto {
            id: r.id.to_string(),
            parent_id: r.parent.to_string(),
            parent_name: r.parent_name,
            comment: r.comment,
            state: r.state.code(),
            requested_at: tabel_present::rfc3339(r.requested_at),
            decided_by: r.decided_by,
            decided_at: r.decided_at.map(tabel_present::rfc3339),
            reason: r.reason,
        }
    }
}

/// A new request.
#[derive(Deserialize, ToSchema, Default)]
struct NewRequest {
    #[serde(default)]
    comment: String,
}

/// A refusal.
#[derive(Deserialize, ToSchema)]
struct Refusal {
    #[serde(default)]
    reason: String,
}

/// The user's erasure requests, newest first.
#[utoipa::path(get, path = "/api/v1/me/erasure-requests", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = [RequestDto]), (status = 401, body = Problem)))]
async fn my_requests(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
) -> Result<Json<Vec<RequestDto>>, ApiError> {
    let list = state.app.my_erasure_requests(&who.principal).await?;
    Ok(Json(list.into_iter().map(RequestDto::from).collect()))
}

/// A legal representative asks the school to erase their personal data (one request waits at a
/// time; the school's administrator carries it out or refuses it with a reason).
#[utoipa::path(post, path = "/api/v1/me/erasure-requests", tag = "auth", security(("bearer" = [])), request_body = NewRequest,
    responses((status = 201, body = RequestDto), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_request(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(b): ApiJson<NewRequest>,
) -> Result<(StatusCode, Json<RequestDto>), ApiError> {
    let id = state
        .app
        .request_erasure(&who.principal, &b.comment, &client)
        .await?;
    let r = state
        .app
        .my_erasure_requests(&who.principal)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(tabel_app::AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(RequestDto::from(r))))
}

/// A school's erasure requests, pending first: its administrators.
#[utoipa::path(get, path = "/api/v1/schools/{id}/erasure-requests", tag = "auth", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = [RequestDto]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn school_requests(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<SchoolId>,
) -> Result<Json<Vec<RequestDto>>, ApiError> {
    let list = state.app.erasure_requests(&who.principal, school).await?;
    Ok(Json(list.into_iter().map(RequestDto::from).collect()))
}

/// Carries out an erasure request (the school's administrator): see docs/PRIVACY.md for what is
/// erased, pseudonymised and kept.
#[utoipa::path(post, path = "/api/v1/erasure-requests/{id}/carry-out", tag = "auth", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn carry_out(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .carry_out_erasure(&who.principal, id, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Refuses an erasure request with a reason (the school's administrator).
#[utoipa::path(post, path = "/api/v1/erasure-requests/{id}/refuse", tag = "auth", security(("bearer" = [])), params(("id" = String, Path)), request_body = Refusal,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn refuse(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<Refusal>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .refuse_erasure(&who.principal, id, &b.reason, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
