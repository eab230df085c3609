//! `POST /api/v1/schools/{id}/import`: the school's lists as the raw request body (an XLSX
//! workbook with a sheet per list, or one list as CSV named by `?list=pupils` or `?name=`),
//! previewed or (with `?apply=true`) applied all or nothing. A file with problems is 422 with
//! `errors` keyed by sheet, row and column, and the report beside them; nothing is written.
//! `GET /api/v1/schools/{id}/import/template` is the template workbook.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;
use crate::extract::{ApiUser, ClientInfo};
use crate::paths::id;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::BTreeMap;
use tabel_app::setup::accounts::IssueAccounts;
use tabel_app::setup::{ImportReport, MAX_UPLOAD_BYTES, Upload};
use tabel_domain::SchoolId;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(import))
        .routes(routes!(template))
        .routes(routes!(export))
        .routes(routes!(issue_accounts))
        .routes(routes!(redeem))
}

/// `?apply=true&list=pupils`
#[derive(Deserialize, IntoParams)]
struct ImportQuery {
    /// Write the changes (all or nothing); without it the answer is a preview.
    #[serde(default)]
    apply: bool,
    /// For a CSV body: which list it is (`pupils`, `Ученики` …).
    list: Option<String>,
    /// The file's name (names the list of a CSV body when `list` is absent).
    name: Option<String>,
}

/// Previews or applies the import of a school's lists (administrators of the school). The body
/// is an XLSX workbook (a sheet per list: Предметы, Сотрудники, Классы, Ученики, Родители,
/// Учебный план, Нагрузка, Расписание — or their English names) or one list as CSV (UTF-8 with
/// or without BOM, or Windows-1251). The answer lists per list what is created, updated and
/// unchanged, and each change. Problems: 422 with `errors` keyed by sheet, row and column;
/// nothing is written. At most 16 MB (413).
#[utoipa::path(post, path = "/api/v1/schools/{id}/import", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ImportQuery),
    request_body(description = "The workbook or CSV list", content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("text/csv"))),
    responses((status = 200, description = "The report (see `applied`)"), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem)))]
async fn import(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<String>,
    Query(q): Query<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let school: SchoolId = id(&school)?;
    tabel_app::check(who.principal.may_administer(school))?;
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let csv = matches!(kind.as_str(), "text/csv" | "text/plain" | "application/csv");
    if !csv && !matches!(kind.as_str(), XLSX | "application/octet-stream") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("send the lists as {XLSX} or one list as text/csv"),
        ));
    }
    let bytes = axum::body::to_bytes(body, MAX_UPLOAD_BYTES)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the file is larger than {} MB", MAX_UPLOAD_BYTES >> 20),
            )
        })?;
    let name = match (&q.list, &q.name) {
        (Some(l), _) => format!("{l}.csv"),
        (None, Some(n)) => n.clone(),
        (None, None) if csv => {
            return Err(ApiError::field(
                "list",
                "name the list of a CSV body: ?list=pupils (or classes, staff, parents …)",
            ));
        }
        (None, None) => "workbook.xlsx".to_owned(),
    };
    let report = state
        .app
        .import_school(
            &who.principal,
            school,
            vec![Upload {
                name,
                bytes: bytes.to_vec(),
            }],
            q.apply,
            &client,
        )
        .await?;
    if report.errors.is_empty() {
        return Ok(Json(report).into_response());
    }
    Ok(refused(report))
}

/// 422 problem+json: each problem keyed by where it is, and the report as `report`.
fn refused(report: ImportReport) -> Response {
    let mut errors = BTreeMap::new();
    for e in &report.errors {
        let mut place = format!("«{}»", e.sheet);
        if e.row > 0 {
            place.push_str(&format!(", row {}", e.row));
        }
        if let Some(c) = &e.column {
            place.push_str(&format!(", column «{c}»"));
        }
        errors
            .entry(place)
            .and_modify(|m: &mut String| {
                m.push_str("; ");
                m.push_str(&e.message);
            })
            .or_insert_with(|| e.message.clone());
    }
    let n = report.errors.len() + report.more_errors;
    let body = serde_json::json!({
        "type": "urn:tabel:problem:import",
        "title": "The file has problems",
        "status": 422,
        "detail": format!("{n} problem(s); nothing was written"),
        "errors": errors,
        "report": report,
    });
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

/// The template workbook: a sheet per list with its headings and an example row.
#[utoipa::path(get, path = "/api/v1/schools/{id}/import/template", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")),
    responses((status = 200, description = "The XLSX template"), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn template(ApiUser(who): ApiUser, Path(school): Path<String>) -> Result<Response, ApiError> {
    let school: SchoolId = id(&school)?;
    tabel_app::check(who.principal.may_administer(school))?;
    let bytes = tabel_app::setup::template()?;
    Ok(xlsx_download(bytes, "tabel-school.xlsx"))
}

/// The school's lists as they stand today, in the set-up workbook's format (administrators):
/// edit and import again.
#[utoipa::path(get, path = "/api/v1/schools/{id}/export", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")),
    responses((status = 200, description = "The XLSX workbook"), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn export(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<String>,
) -> Result<Response, ApiError> {
    let school: SchoolId = id(&school)?;
    let bytes = state.app.export_school(&who.principal, school).await?;
    Ok(xlsx_download(bytes, "tabel-school-lists.xlsx"))
}

/// An XLSX workbook as a download.
pub(crate) fn xlsx_download(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, XLSX.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `?format=pdf` or `?format=csv`
#[derive(Deserialize, IntoParams)]
struct LettersQuery {
    /// `json` (default), `pdf` (login letters, a sheet per person) or `csv` (for a mail merge).
    format: Option<String>,
}

/// Hands out accounts (administrators): every pupil, parent and staff member of the class (or
/// the school) without an account gets a login and a one-time password, and every parent a
/// fresh invitation code per child not yet linked. The answer is shown once — JSON, login
/// letters as PDF, or CSV — and the passwords and codes are never stored, only their hashes.
/// Body: `{"class": "12", "pupils": true, "parents": true, "staff": false}` (all optional).
#[utoipa::path(post, path = "/api/v1/schools/{id}/accounts", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), LettersQuery),
    responses((status = 200, description = "The letters (JSON, PDF or CSV)"), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn issue_accounts(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<String>,
    Query(q): Query<LettersQuery>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AccountsRequest>,
) -> Result<Response, ApiError> {
    let school: SchoolId = id(&school)?;
    let class = body.class.as_deref().map(id).transpose()?;
    let input = IssueAccounts {
        class,
        pupils: body.pupils.unwrap_or(true),
        parents: body.parents.unwrap_or(true),
        staff: body.staff.unwrap_or(class.is_none()),
    };
    let issued = state
        .app
        .issue_accounts(&who.principal, school, &input, &client)
        .await?;
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(issued).into_response()),
        format @ ("pdf" | "csv") => {
            Ok(super::letters_download(&state, &issued, format == "csv", &headers).await?)
        }
        other => Err(ApiError::field(
            "format",
            format!("{other:?}: use json, pdf or csv"),
        )),
    }
}

/// Whom to hand accounts out to.
#[derive(Deserialize, utoipa::ToSchema)]
struct AccountsRequest {
    /// One class: its pupils and their parents. None: the whole school.
    class: Option<String>,
    pupils: Option<bool>,
    parents: Option<bool>,
    /// Default: yes for the whole school, no for one class.
    staff: Option<bool>,
}

/// An invitation code from a login letter.
#[derive(Deserialize, utoipa::ToSchema)]
struct RedeemRequest {
    code: String,
}

/// Links the signed-in parent to the child the invitation code names: the code is single-use,
/// expires, belongs to the parent it was printed for, and five wrong codes an hour pause the
/// account's attempts (429).
#[utoipa::path(post, path = "/api/v1/invitations/redeem", tag = "auth", security(("bearer" = [])),
    request_body = RedeemRequest,
    responses((status = 200, description = "`{\"student_id\": …}`"), (status = 401, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn redeem(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(body): ApiJson<RedeemRequest>,
) -> Result<Response, ApiError> {
    let student = state
        .app
        .redeem_invitation(&who.principal, &body.code, &client)
        .await?;
    Ok(Json(serde_json::json!({ "student_id": student.to_string() })).into_response())
}
