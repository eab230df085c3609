//! Absence notes over the JSON API: a pupil's notes (`GET`) and sending one (`POST`, as JSON,
//! or as `multipart/form-data` with a scan in the field `file`), the notes waiting for the
//! caller's decision, one note, its scan, and the decision. A scan is authorised before a byte
//! of the body is read; a larger one is 413, a wrong kind 422, the daily limit 429.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::homework_files::api::{UploadError, attachment};
use crate::paths::Path;
use axum::Json;
use axum::extract::multipart::Multipart;
use axum::extract::{DefaultBodyLimit, FromRequest, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::absence_notes::{DecideNote, NoteView};
use tabel_app::homework_files::refusal;
use tabel_domain::absence::{MAX_SCAN_BYTES, NoteState};
use tabel_domain::{AbsenceNoteId, PersonId};
use tabel_present::rfc3339;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{FRAMING_BYTES, no_empty_scan, parse_note, read_note_form};

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    let send = OpenApiRouter::new()
        .routes(routes!(student_notes, send_note))
        .layer(DefaultBodyLimit::max(MAX_SCAN_BYTES + FRAMING_BYTES));
    r.merge(send)
        .routes(routes!(notes_to_decide))
        .routes(routes!(one_note))
        .routes(routes!(note_scan))
        .routes(routes!(decide_note))
}

/// A note's scan, without its bytes.
#[derive(Serialize, ToSchema)]
pub(crate) struct ScanDto {
    file_name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    content_type: String,
    size_bytes: i64,
    /// Where to download it (the deciders and the sender only), `null` for others.
    href: Option<String>,
}

/// An absence note.
#[derive(Serialize, ToSchema)]
pub(crate) struct NoteDto {
    id: String,
    student_id: String,
    /// "Петров Иван".
    student: String,
    /// The pupil's class when the note was sent: its class teacher decides.
    class_id: String,
    class: String,
    /// First day away, YYYY-MM-DD.
    from: String,
    /// Last day away.
    to: String,
    /// `illness`, `family` or `other`.
    reason: String,
    text: String,
    /// `pending`, `accepted` or `rejected`.
    state: String,
    /// The decider's comment (why a note was rejected).
    comment: String,
    sent_by_id: String,
    sent_by: String,
    sent_at: String,
    decided_by: Option<String>,
    decided_at: Option<String>,
    /// Absences the note excused (Н → Б for an illness, УП otherwise).
    excused: i64,
    scan: Option<ScanDto>,
    /// Give it back with a decision.
    version: i64,
    /// The caller may accept or reject it now.
    may_decide: bool,
}

impl From<NoteView> for NoteDto {
    fn from(v: NoteView) -> Self {
        let n = v.note;
        let href = v
            .may_download_scan
            .then(|| format!("/api/v1/absence-notes/{}/scan", n.id));
        NoteDto {
            id: n.id.to_string(),
            student_id: n.student.to_string(),
            student: n.student_name,
            class_id: n.class.to_string(),
            class: n.class_name,
            from: n.from.to_string(),
            to: n.to.to_string(),
            reason: n.reason.code().to_owned(),
            text: n.text,
            state: n.state.code().to_owned(),
            comment: n.comment,
            sent_by_id: n.sent_by.to_string(),
            sent_by: n.sent_by_name,
            sent_at: rfc3339(n.sent_at),
            decided_by: n.decided_by_name,
            decided_at: n.decided_at.map(rfc3339),
            excused: n.excused,
            scan: n.scan.map(|s| ScanDto {
                file_name: s.file_name,
                content_type: s.content_type,
                size_bytes: s.size_bytes,
                href,
            }),
            version: n.version,
            may_decide: v.may_decide,
        }
    }
}

/// A pupil's notes.
#[derive(Serialize, ToSchema)]
pub(crate) struct StudentNotesDto {
    student_id: String,
    /// The caller may send a note for the pupil (a consenting legal representative).
    may_send: bool,
    /// Newest first.
    notes: Vec<NoteDto>,
}

/// A pupil's absence notes, newest first: the pupil's family (with the diary consent), the
/// class teacher, administrators and deputy heads; other staff 403, anyone else 404.
#[utoipa::path(get, path = "/api/v1/students/{id}/absence-notes", tag = "absence notes", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = StudentNotesDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn student_notes(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(student): Path<PersonId>,
) -> Result<Json<StudentNotesDto>, ApiError> {
    let v = state
        .app
        .absence_notes_of_student(&who.principal, student)
        .await?;
    Ok(Json(StudentNotesDto {
        student_id: student.to_string(),
        may_send: v.may_send,
        notes: v.notes.into_iter().map(NoteDto::from).collect(),
    }))
}

/// A note as sent.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NoteRequest {
    /// First day away, YYYY-MM-DD: at most 30 days ago.
    from: String,
    /// Last day away: not before `from`, at most 30 days ahead.
    to: String,
    /// `illness` (the absences become Б), `family` or `other` (УП).
    reason: String,
    /// Up to 1000 characters; required for `other`.
    #[serde(default)]
    text: String,
}

/// The problem for a refused scan: its size has a status of its own.
fn scan_refusal(state: &AppState, e: AppError) -> ApiError {
    match e {
        AppError::Invalid(errors)
            if errors.get("file").map(String::as_str) == Some(refusal::TOO_LARGE) =>
        {
            too_large()
        }
        AppError::Invalid(errors)
            if errors.get("file").map(String::as_str) == Some(refusal::DAILY_LIMIT) =>
        {
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "the daily upload limit ({} bytes a day for each user) is reached; try again tomorrow",
                    state.app.upload_bytes_per_day()
                ),
            )
        }
        e => e.into(),
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("a scan is at most 5 MB ({MAX_SCAN_BYTES} bytes)"),
    )
}

/// Sends an absence note for a pupil: a legal representative with the diary consent in force
/// (the pupil's own account reads notes but does not send them: 403). The body is JSON, or
/// `multipart/form-data` with the same fields and a scan (PDF, JPEG or PNG up to 5 MB) in the
/// field `file`. Dates out of range, an unknown reason or a text too long are 422 naming the
/// field.
#[utoipa::path(post, path = "/api/v1/students/{id}/absence-notes", tag = "absence notes", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NoteRequest,
    responses((status = 201, body = NoteDto), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn send_note(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(student): Path<PersonId>,
    req: Request,
) -> Result<(StatusCode, Json<NoteDto>), ApiError> {
    let p = &who.principal;
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("multipart/form-data"));
    let (input, scan) = if multipart {
        // Before a byte of the body is read.
        state
            .app
            .may_send_absence_note(p, student)
            .await
            .map_err(|e| scan_refusal(&state, e))?;
        let form = Multipart::from_request(req, &state)
            .await
            .map_err(|_| ApiError::malformed("send the note as multipart/form-data"))?;
        let form = match read_note_form(form, MAX_SCAN_BYTES).await {
            Ok(form) => form,
            Err(UploadError::TooLarge) => return Err(too_large()),
            Err(UploadError::Malformed) => {
                return Err(ApiError::malformed("the form could not be read"));
            }
            Err(UploadError::Spool(e)) => return Err(AppError::Internal(e).into()),
        };
        (
            parse_note(&form.from, &form.to, &form.reason, form.text)?,
            no_empty_scan(form.scan),
        )
    } else {
        // Before the body is judged: a stranger learns nothing from its validation.
        state.app.absence_note_sender(p, student).await?;
        let ApiJson(b) = ApiJson::<NoteRequest>::from_request(req, &state).await?;
        (parse_note(&b.from, &b.to, &b.reason, b.text)?, None)
    };
    let v = state
        .app
        .send_absence_note(p, student, &input, scan, &client)
        .await
        .map_err(|e| scan_refusal(&state, e))?;
    Ok((StatusCode::CREATED, Json(NoteDto::from(v))))
}

/// Which notes.
#[derive(Deserialize, IntoParams)]
pub(crate) struct ListQuery {
    /// `pending` (the default), `accepted`, `rejected` or `all`.
    state: Option<String>,
}

/// Parses `?state=`: pending by default, `all` for every state.
pub(crate) fn state_param(raw: Option<&str>) -> Result<Option<NoteState>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Some(NoteState::Pending)),
        Some("all") => Ok(None),
        Some(s) => NoteState::from_code(s)
            .map(Some)
            .map_err(|_| AppError::invalid("state", "use pending, accepted, rejected or all")),
    }
}

/// The notes the caller decides — of the classes they lead, or of the whole school for
/// administrators and deputy heads — pending ones first. Anyone who decides none gets 403.
#[utoipa::path(get, path = "/api/v1/absence-notes", tag = "absence notes", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = Vec<NoteDto>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn notes_to_decide(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<NoteDto>>, ApiError> {
    let wanted = state_param(q.state.as_deref())?;
    let list = state
        .app
        .absence_notes_to_decide(&who.principal, wanted)
        .await?;
    Ok(Json(list.into_iter().map(NoteDto::from).collect()))
}

/// One note: its deciders and the pupil's family.
#[utoipa::path(get, path = "/api/v1/absence-notes/{id}", tag = "absence notes", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = NoteDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn one_note(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<AbsenceNoteId>,
) -> Result<Json<NoteDto>, ApiError> {
    let v = state.app.absence_note(&who.principal, id).await?;
    Ok(Json(NoteDto::from(v)))
}

/// A note's scan, as an attachment: its deciders and the representative who sent it.
#[utoipa::path(get, path = "/api/v1/absence-notes/{id}/scan", tag = "absence notes", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn note_scan(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<AbsenceNoteId>,
) -> Result<Response, ApiError> {
    let (name, kind, bytes) = state.app.absence_note_scan(&who.principal, id).await?;
    Ok(attachment(&name, &kind, bytes))
}

/// A decision.
#[derive(Deserialize, ToSchema)]
pub(crate) struct DecisionRequest {
    /// `accept` or `reject`.
    decision: String,
    /// Why; required to reject (the family reads it), up to 500 characters.
    #[serde(default)]
    comment: String,
    /// The note's version read (a note changed meanwhile is 409).
    version: Option<i64>,
}

/// Accepts or rejects a pending note: the class teacher of its class, an administrator or a
/// deputy head (other staff 403). Accepting excuses the pupil's absences without a reason (Н)
/// within its dates — Б for an illness, УП otherwise — in the journal, each with its audit
/// record; absences recorded later within them are excused as they are recorded. A decided note
/// is 409.
#[utoipa::path(post, path = "/api/v1/absence-notes/{id}/decision", tag = "absence notes", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = DecisionRequest,
    responses((status = 200, body = NoteDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide_note(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(id): Path<AbsenceNoteId>,
    ApiJson(b): ApiJson<DecisionRequest>,
) -> Result<Json<NoteDto>, ApiError> {
    let accept = match b.decision.trim() {
        "accept" => true,
        "reject" => false,
        _ => return Err(AppError::invalid("decision", "use accept or reject").into()),
    };
    let v = state
        .app
        .decide_absence_note(
            &who.principal,
            id,
            &DecideNote {
                accept,
                comment: b.comment,
                version: b.version,
            },
            &client,
        )
        .await?;
    Ok(Json(NoteDto::from(v)))
}
