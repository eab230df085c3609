//! `POST /api/v1/schools/{id}/import`: the school's lists as the raw request body (an XLSX
//! workbook with a sheet per list, or one list as CSV named by `?list=pupils` or `?name=`),
//! previewed or (with `?apply=true`) applied all or nothing. A file with problems is 422 with
//! `errors` keyed by sheet, row and column, and the report beside them; nothing is written.
//! `GET /api/v1/schools/{id}/import/template` is the template workbook.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiUser, ClientInfo};
use crate::paths::id;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::BTreeMap;
use tabel_app::setup::{ImportReport, MAX_UPLOAD_BYTES, Upload, may_set_up};
use tabel_domain::SchoolId;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(import)).routes(routes!(template))
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
    tabel_app::check(may_set_up(&who.principal, school))?;
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
    tabel_app::check(may_set_up(&who.principal, school))?;
    let bytes = tabel_app::setup::template()?;
    Ok((
        [
            (header::CONTENT_TYPE, XLSX),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"tabel-school.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
