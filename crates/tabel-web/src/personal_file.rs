//! The personal file (личное дело) of a pupil who moves to another school: issued as JSON
//! (`GET /api/v1/students/{id}/personal-file`) or PDF (`…/personal-file.pdf`) by the school's
//! administrators and deputy heads, imported in the receiving deployment by its administrators
//! (`POST /api/v1/students/{id}/personal-file`); the school's record page has a button for each
//! and a form for the import.

use crate::AppState;
use crate::error::{ApiError, PageError, Problem};
use crate::extract::{ApiUser, ClientInfo, PageUser};
use crate::paths::Path;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use tabel_app::personal_file::{Imported, IssuedFile};
use tabel_domain::PersonId;
use tabel_domain::personal_file::MAX_BYTES;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Room for the multipart framing around the largest file.
const FRAMING_BYTES: usize = 16 * 1024;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/school/students/{id}/personal-file", post(issue_page))
        .route(
            "/school/students/{id}/personal-file/import",
            post(import_page)
                // A file may be far larger than the site-wide form limit.
                .layer(DefaultBodyLimit::max(MAX_BYTES + FRAMING_BYTES)),
        )
}

pub(crate) fn api_routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    // The site-wide body limit would refuse a file before its handler sees it: the import's
    // route takes up to the file's cap and says itself when a file is over it.
    let import = OpenApiRouter::new()
        .routes(routes!(personal_file_json, import_json))
        .layer(DefaultBodyLimit::max(MAX_BYTES + FRAMING_BYTES));
    r.merge(import).routes(routes!(personal_file_pdf))
}

fn download(bytes: Vec<u8>, content_type: &'static str, name: &str, code: &str) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut res = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        bytes,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(code) {
        res.headers_mut().insert("x-personal-file-code", v);
    }
    res
}

fn json_file(f: &IssuedFile) -> Response {
    download(
        f.file.to_json(),
        "application/json",
        &format!("{}.json", f.name),
        &f.file.code,
    )
}

fn pdf_file(f: IssuedFile) -> Response {
    let code = f.file.code.clone();
    let mut res = download(
        f.pdf.unwrap_or_default(),
        "application/pdf",
        &format!("{}.pdf", f.name),
        &code,
    );
    if let Ok(v) = HeaderValue::from_str(&f.file.sha256) {
        res.headers_mut().insert("x-content-sha256", v);
    }
    res
}

/// A pupil's personal file as the machine-readable document another Tabel deployment imports
/// (format `tabel.personal-file`, version 1): every year of the record with the classes and
/// their school, every final mark, exam results, deferrals, academic debts with retakes and the
/// year's attendance totals; the pupil's surname, name, patronymic and birth date; the issuing
/// school; a verification code (header `x-personal-file-code`, `/verify/{code}`) and the
/// SHA-256 of the canonical content. No local ids. The school's administrators and deputy heads
/// (others who know the pupil: 403; anyone else: 404). Audited.
#[utoipa::path(get, path = "/api/v1/students/{id}/personal-file", tag = "finals", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "The personal file", content_type = "application/json", body = Object),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn personal_file_json(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(student): Path<PersonId>,
) -> Result<Response, ApiError> {
    let f = state
        .app
        .issue_personal_file(&who.principal, student, false, &client)
        .await?;
    Ok(json_file(&f))
}

/// The personal file as a PDF (Russian), with its verification code (header
/// `x-personal-file-code`) and the checksum of its content (`x-content-sha256`) printed and
/// registered. Who: as for the JSON document. Audited.
#[utoipa::path(get, path = "/api/v1/students/{id}/personal-file.pdf", tag = "finals", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "The personal file", content_type = "application/pdf"),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn personal_file_pdf(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(student): Path<PersonId>,
) -> Result<Response, ApiError> {
    let f = state
        .app
        .issue_personal_file(&who.principal, student, true, &client)
        .await?;
    Ok(pdf_file(f))
}

/// What an import did.
#[derive(Serialize, ToSchema)]
struct ImportedDto {
    /// The file's verification code (of the sending deployment).
    code: String,
    /// Its checksum.
    sha256: String,
    /// The sending school.
    school: String,
    /// How many years it carries.
    years: usize,
    /// False when the pupil had this very file already: nothing was written.
    created: bool,
}

impl From<Imported> for ImportedDto {
    fn from(i: Imported) -> Self {
        ImportedDto {
            code: i.code,
            sha256: i.sha256,
            school: i.school,
            years: i.years,
            created: i.created,
        }
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("a personal file is at most {MAX_BYTES} bytes"),
    )
}

/// Imports a personal file issued by another Tabel deployment for a pupil of the
/// administrator's school (the body is the JSON document as issued). Checked strictly: the
/// format and version, the checksum against the content, every count and text against its cap,
/// every code and date, and that it is about this pupil (surname, name, birth date); what is
/// wrong is named in `errors` (422; 413 over 2 MB) and nothing is stored. 201 when kept, 200
/// when the pupil had this file already. The record then shows the years of the latest issued
/// file received. The school's administrators only (deputy heads and teachers: 403; a pupil of
/// another school: 404). Audited.
#[utoipa::path(post, path = "/api/v1/students/{id}/personal-file", tag = "finals", security(("bearer" = [])), params(("id" = String, Path)),
    request_body(content = Object, content_type = "application/json", description = "The personal file as issued"),
    responses((status = 201, body = ImportedDto), (status = 200, body = ImportedDto), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn import_json(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(student): Path<PersonId>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ImportedDto>), ApiError> {
    // Who asks is judged before what they sent.
    state
        .app
        .may_import_personal_file(&who.principal, student)
        .await?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::malformed("the body could not be read")
        }
    })?;
    if body.len() > MAX_BYTES {
        return Err(too_large());
    }
    let done = state
        .app
        .import_personal_file(&who.principal, student, &body, &client)
        .await?;
    let status = if done.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(done.into())))
}

/// Which document the record page's button asks for.
#[derive(Deserialize, Default)]
struct IssueForm {
    /// `json` or `pdf`.
    #[serde(default)]
    format: String,
}

/// The record page's buttons: the personal file as a download.
async fn issue_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    axum::Form(f): axum::Form<IssueForm>,
) -> Result<Response, PageError> {
    let pdf = f.format == "pdf";
    let issued = state
        .app
        .issue_personal_file(&user.who.principal, student, pdf, &user.client)
        .await?;
    Ok(if pdf {
        pdf_file(issued)
    } else {
        json_file(&issued)
    })
}

/// The record page's import form: the file in the field `file`; back to the record.
async fn import_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let p = &user.who.principal;
    state.app.may_import_personal_file(p, student).await?;
    let too_large = || {
        PageError::Status(
            StatusCode::PAYLOAD_TOO_LARGE,
            "personal-file-too-large",
            String::new(),
        )
    };
    let malformed = || {
        PageError::Status(
            StatusCode::BAD_REQUEST,
            "personal-file-malformed",
            String::new(),
        )
    };
    let mut form = form.map_err(|_| malformed())?;
    let mut bytes: Option<Bytes> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(malformed()),
        };
        if field.name() == Some("file") {
            let b = field.bytes().await.map_err(|_| too_large())?;
            if b.len() > MAX_BYTES {
                return Err(too_large());
            }
            bytes = Some(b);
        }
    }
    let bytes = bytes.unwrap_or_default();
    let done = state
        .app
        .import_personal_file(p, student, &bytes, &user.client)
        .await?;
    Ok(crate::redirect::see_other(&format!(
        "/school/students/{student}/record?imported={}",
        done.code
    ))
    .into_response())
}
