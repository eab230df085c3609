//! Files of a lesson's homework through the JSON API: upload (`multipart/form-data`, field
//! `file`), list, download and delete. An upload is authorised before a byte of its body is
//! read (a lesson the caller does not see is 404, one they may not write 403), then the file is
//! streamed into a temporary file, hashed on the way and cut off at the deployment's
//! `homework_file_max_bytes`; a larger file is 413, an empty one 422, the uploader's daily
//! limit 429, all problem+json, and nothing is stored. Downloads are always attachments, never rendered by the browser as pages
//! of this site (`nosniff`, `Content-Security-Policy: sandbox`).

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiUser, ClientInfo};
use crate::paths::Path;
use axum::Json;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::homework_files::{FileContent, FileUpload, refusal};
use tabel_app::upload::{Spool, SpoolError, Spooled};
use tabel_domain::journal::HomeworkFile;
use tabel_domain::{HomeworkFileId, LessonId};
use tabel_present::rfc3339;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Room for the multipart framing (boundaries, part headers, a `reason` field) around a file of
/// the largest accepted size.
pub(crate) const FRAMING_BYTES: usize = 16 * 1024;

/// The upload routes carry their own body limit: the configured file size, not the site-wide
/// limit for forms.
pub(crate) fn routes(r: OpenApiRouter<AppState>, max_bytes: usize) -> OpenApiRouter<AppState> {
    let upload = OpenApiRouter::new()
        .routes(routes!(attach_file, list_files))
        .layer(DefaultBodyLimit::max(
            max_bytes.saturating_add(FRAMING_BYTES),
        ));
    r.merge(upload).routes(routes!(download_file, delete_file))
}

/// The upload form as the OpenAPI document describes it.
#[derive(ToSchema)]
#[allow(dead_code)]
struct UploadForm {
    /// The file (its part's `filename` and `Content-Type` are kept, the type only when it is
    /// one of PDF, PNG, JPEG, GIF, WebP, plain text, DOCX, XLSX, PPTX, ODT, ODS, ODP, ZIP).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Required from administrators (a correction, or a closed period).
    reason: Option<String>,
}

/// A file of a lesson's homework.
#[derive(Serialize, ToSchema)]
pub(crate) struct FileDto {
    id: String,
    lesson_id: String,
    /// As uploaded, made safe (no path, no control characters, at most 120 characters).
    file_name: String,
    /// As served: the declared type when allowed, else `application/octet-stream`.
    content_type: String,
    size_bytes: i64,
    /// SHA-256 of the bytes, lowercase hex.
    sha256: String,
    uploaded_by_user_id: Option<String>,
    uploaded_at: String,
    /// Where to download it.
    href: String,
}

impl From<HomeworkFile> for FileDto {
    fn from(f: HomeworkFile) -> Self {
        FileDto {
            href: format!("/api/v1/files/{}", f.id),
            id: f.id.to_string(),
            lesson_id: f.lesson.to_string(),
            file_name: f.file_name,
            content_type: f.content_type,
            size_bytes: f.size_bytes,
            sha256: f.sha256,
            uploaded_by_user_id: f.uploaded_by.map(|u| u.to_string()),
            uploaded_at: rfc3339(f.uploaded_at),
        }
    }
}

/// Why an upload form could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum UploadError {
    /// Larger than the limit.
    TooLarge,
    /// Not a readable `multipart/form-data` body.
    Malformed,
    /// The temporary file could not be written (the server's fault).
    Spool(String),
}

impl From<MultipartError> for UploadError {
    fn from(e: MultipartError) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            UploadError::TooLarge
        } else {
            UploadError::Malformed
        }
    }
}

impl From<SpoolError> for UploadError {
    fn from(e: SpoolError) -> Self {
        match e {
            SpoolError::TooLarge => UploadError::TooLarge,
            SpoolError::Io(e) => UploadError::Spool(e.to_string()),
        }
    }
}

/// Longest `reason` field read, in bytes (the rule allows 500 characters).
const MAX_REASON_BYTES: usize = 4 * 1024;

/// Reads the `file` field (name, declared type, bytes streamed into a temporary file, at most
/// `max_bytes`) and the optional `reason` field of an upload form; a form without a file gives
/// an empty upload (refused as empty later). Call it only once the caller may upload there.
pub(crate) async fn read_upload(
    mut form: Multipart,
    max_bytes: usize,
) -> Result<FileUpload, UploadError> {
    let mut upload = FileUpload {
        file_name: String::new(),
        content_type: String::new(),
        content: Spooled::nothing(),
        reason: None,
    };
    let mut have_file = false;
    while let Some(mut field) = form.next_field().await? {
        match field.name() {
            Some("file") if !have_file => {
                have_file = true;
                upload.file_name = field.file_name().unwrap_or_default().to_owned();
                upload.content_type = field.content_type().unwrap_or_default().to_owned();
                let mut spool = Spool::new(max_bytes)?;
                while let Some(chunk) = field.chunk().await? {
                    spool.write(&chunk).await?;
                }
                upload.content = spool.finish().await?;
            }
            Some("reason") => {
                let mut text = Vec::new();
                while let Some(chunk) = field.chunk().await? {
                    if text.len() + chunk.len() > MAX_REASON_BYTES {
                        return Err(UploadError::Malformed);
                    }
                    text.extend_from_slice(&chunk);
                }
                let text = String::from_utf8(text).map_err(|_| UploadError::Malformed)?;
                upload.reason = Some(text).filter(|r| !r.trim().is_empty());
            }
            _ => {}
        }
    }
    Ok(upload)
}

/// "10 MB", "1.5 MB", "98 KB", "512 bytes".
fn human(bytes: usize) -> String {
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    if bytes < 1024 * 1024 {
        return format!("{} KB", bytes.div_ceil(1024));
    }
    let tenths = u64::try_from(bytes.saturating_mul(10) / (1024 * 1024)).unwrap_or(u64::MAX);
    format!(
        "{} MB",
        tabel_present::tenths(tabel_present::Lang::En, tenths)
    )
}

fn too_large(max_bytes: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the file is larger than {} ({max_bytes} bytes)",
            human(max_bytes)
        ),
    )
}

fn daily_limit(per_day: u64) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!(
            "the daily upload limit ({} a day for each user) is reached; try again tomorrow",
            human(usize::try_from(per_day).unwrap_or(usize::MAX))
        ),
    )
}

/// The problem for a refused upload: the size and the daily limit have statuses of their own.
fn upload_refusal(state: &AppState, e: AppError) -> ApiError {
    match e {
        AppError::Invalid(errors) => match errors.get("file").map(String::as_str) {
            Some(refusal::TOO_LARGE) => too_large(state.app.homework_file_max_bytes()),
            Some(refusal::DAILY_LIMIT) => daily_limit(state.app.upload_bytes_per_day()),
            _ => AppError::Invalid(errors).into(),
        },
        e => e.into(),
    }
}

/// Attaches a file to a lesson's homework, as `multipart/form-data` with the file in the field
/// `file`. Whoever may write the lesson's record (its teacher, the substitute, the assigned
/// teacher; an administrator with a `reason`); not in grade 1, not on a cancelled lesson, not in
/// a closed period (409) except as an administrator's correction. At most the configured size
/// (413; 10 MB unless the deployment says otherwise), at most 10 files per lesson; an empty
/// file is 422; past the uploader's daily limit (200 MB unless the deployment says otherwise)
/// 429. Who may upload is decided before the body is read.
#[utoipa::path(post, path = "/api/v1/lessons/{id}/files", tag = "journal", security(("bearer" = [])), params(("id" = String, Path)),
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 201, body = FileDto), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
async fn attach_file(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(lesson): Path<LessonId>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<FileDto>), ApiError> {
    // Before a byte of the body is read: a caller who may not upload here never makes the
    // server receive the file.
    state
        .app
        .may_attach_homework_file(&who.principal, lesson)
        .await
        .map_err(|e| upload_refusal(&state, e))?;
    let max = state.app.homework_file_max_bytes();
    let form = form.map_err(|_| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the file as multipart/form-data in the field `file`",
        )
    })?;
    let upload = match read_upload(form, max).await {
        Ok(u) => u,
        Err(UploadError::TooLarge) => return Err(too_large(max)),
        Err(UploadError::Malformed) => {
            return Err(ApiError::malformed("unreadable multipart/form-data body"));
        }
        Err(UploadError::Spool(e)) => return Err(AppError::Internal(e).into()),
    };
    let stored = state
        .app
        .attach_homework_file(&who.principal, lesson, upload, &client)
        .await
        .map_err(|e| upload_refusal(&state, e))?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// The files of a lesson's homework, oldest first, without their bytes (whoever may read the
/// lesson's journal).
#[utoipa::path(get, path = "/api/v1/lessons/{id}/files", tag = "journal", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<FileDto>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_files(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(lesson): Path<LessonId>,
) -> Result<Json<Vec<FileDto>>, ApiError> {
    let files = state.app.homework_files(&who.principal, lesson).await?;
    Ok(Json(files.into_iter().map(FileDto::from).collect()))
}

/// The bytes of a file, always as an attachment (whoever may read the lesson's journal).
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "journal", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "The file, as an attachment", content_type = "application/octet-stream"),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn download_file(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(file): Path<HomeworkFileId>,
) -> Result<Response, ApiError> {
    let content = state.app.homework_file(&who.principal, file).await?;
    Ok(download(content))
}

/// `?reason=…`
#[derive(Deserialize, IntoParams)]
struct DeleteQuery {
    /// Required from administrators (a correction, or a closed period).
    reason: Option<String>,
}

/// Deletes a file (whoever may write the lesson's record; in a closed period only an
/// administrator, with a reason). The deletion is audited with the file's metadata.
#[utoipa::path(delete, path = "/api/v1/files/{id}", tag = "journal", security(("bearer" = [])), params(("id" = String, Path), DeleteQuery),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn delete_file(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(file): Path<HomeworkFileId>,
    Query(q): Query<DeleteQuery>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_homework_file(&who.principal, file, q.reason.as_deref(), &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A file as a download: an attachment under its name (RFC 6266 with an RFC 5987 UTF-8 name and
/// an ASCII fallback), never sniffed or run as a page of this site, kept only in the user's
/// own cache and checked again before reuse.
pub(crate) fn download(content: FileContent) -> Response {
    let FileContent { file, bytes } = content;
    attachment(&file.file_name, &file.content_type, bytes)
}

/// Any stored file as such a download (homework files, scans of consent applications).
pub(crate) fn attachment(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let kind = HeaderValue::from_str(content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&content_disposition(name))
        .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `attachment; filename="ASCII fallback"; filename*=UTF-8''percent-encoded`.
fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = utf8_percent_encode(name, ATTR_CHAR);
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// RFC 5987 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" /
/// "`" / "|" / "~"; everything else is percent-encoded.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_are_named_in_utf8_with_an_ascii_fallback() {
        assert_eq!(
            content_disposition("Задание 1.pdf"),
            "attachment; filename=\"_______ 1.pdf\"; filename*=UTF-8''%D0%97%D0%B0%D0%B4%D0%B0%D0%BD%D0%B8%D0%B5%201.pdf"
        );
        assert_eq!(
            content_disposition("a\"b\\c;d.txt"),
            "attachment; filename=\"a_b_c;d.txt\"; filename*=UTF-8''a%22b%5Cc%3Bd.txt"
        );
        assert_eq!(
            content_disposition("a!#$&+-.^_`|~(b)"),
            "attachment; filename=\"a!#$&+-.^_`|~(b)\"; filename*=UTF-8''a!#$&+-.^_`|~%28b%29"
        );
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human(10 * 1024 * 1024), "10 MB");
        assert_eq!(human(1536 * 1024), "1.5 MB");
        assert_eq!(human(100_000), "98 KB");
        assert_eq!(human(100), "100 bytes");
    }
}
