//! Endpoints that change held lessons: substitution, cancellation, transfer, extra lessons, room changes and a day's bells.

use super::api::*;
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::Path;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::timetable::{Change, LessonsOf};
use tabel_domain::timetable::CancelCause;
use tabel_domain::{LessonId, PersonId};
use utoipa::ToSchema;

/// A substitution.
#[derive(Deserialize, ToSchema)]
pub(super) struct SubstitutionRequest {
    teacher_id: String,
    reason: String,
    version: i64,
}

/// A cancellation.
#[derive(Deserialize, ToSchema)]
pub(super) struct CancellationRequest {
    reason: String,
    /// Why, as the curriculum statistics count it: `teacher_absent`, `class_absent` or
    /// `other`. Without it the statistics read the reason's words.
    #[serde(default)]
    cause: Option<String>,
    version: i64,
}

/// A transfer.
#[derive(Deserialize, ToSchema)]
pub(super) struct TransferRequest {
    /// New date, YYYY-MM-DD.
    date: String,
    /// New lesson number.
    number: u8,
    reason: String,
    version: i64,
}

async fn change(
    state: &AppState,
    who: &tabel_app::auth::Authenticated,
    id: LessonId,
    version: i64,
    c: Change,
    reason: &str,
    client: &tabel_app::Client,
) -> Result<Json<LessonDto>, ApiError> {
    let l = state
        .app
        .change_lesson(&who.principal, id, version, c, reason, client)
        .await?;
    let view = state
        .app
        .lessons(&who.principal, &LessonsOf::Group(l.group), l.on, l.on)
        .await?
        .into_iter()
        .find(|v| v.lesson.id == l.id)
        .ok_or_else(|| ApiError::from(AppError::NotFound))?;
    Ok(Json(view.into()))
}

/// Another teacher takes the lesson (administrators, deputy heads).
#[utoipa::path(post, path = "/api/v1/lessons/{id}/substitution", tag = "timetable", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = SubstitutionRequest,
    responses((status = 200, body = LessonDto), (status = 409, body = Problem, description = "conflict or stale version"), (status = 422, body = Problem)))]
pub(super) async fn substitution(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(id): Path<LessonId>,
    ApiJson(b): ApiJson<SubstitutionRequest>,
) -> Result<Json<LessonDto>, ApiError> {
    let teacher: PersonId = parse_id("teacher_id", &b.teacher_id)?;
    change(
        &state,
        &who,
        id,
        b.version,
        Change::Substitute { teacher },
        &b.reason,
        &client,
    )
    .await
}

/// The lesson is not held (administrators, deputy heads).
#[utoipa::path(post, path = "/api/v1/lessons/{id}/cancellation", tag = "timetable", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = CancellationRequest,
    responses((status = 200, body = LessonDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn cancellation(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(id): Path<LessonId>,
    ApiJson(b): ApiJson<CancellationRequest>,
) -> Result<Json<LessonDto>, ApiError> {
    let cause = match b.cause.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(code) => Some(CancelCause::from_code(code).ok().ok_or_else(|| {
            ApiError::from(AppError::invalid(
                "cause",
                "one of teacher_absent, class_absent, other",
            ))
        })?),
    };
    change(
        &state,
        &who,
        id,
        b.version,
        Change::Cancel { cause },
        &b.reason,
        &client,
    )
    .await
}

/// The lesson moves to another date and/or slot (administrators, deputy heads).
#[utoipa::path(post, path = "/api/v1/lessons/{id}/transfer", tag = "timetable", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = TransferRequest,
    responses((status = 200, body = LessonDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn transfer(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(id): Path<LessonId>,
    ApiJson(b): ApiJson<TransferRequest>,
) -> Result<Json<LessonDto>, ApiError> {
    let on = parse_date("date", &b.date)?;
    change(
        &state,
        &who,
        id,
        b.version,
        Change::Transfer {
            on,
            number: b.number,
        },
        &b.reason,
        &client,
    )
    .await
}

/// An extra lesson.
#[derive(Deserialize, ToSchema)]
pub(super) struct ExtraRequest {
    group_id: String,
    /// YYYY-MM-DD.
    date: String,
    number: u8,
    subject_id: String,
    teacher_id: String,
    #[serde(default)]
    room: String,
    reason: String,
}

/// Adds a lesson outside the timetable (administrators, deputy heads).
#[utoipa::path(post, path = "/api/v1/lessons", tag = "timetable", security(("bearer" = [])), request_body = ExtraRequest,
    responses((status = 201, body = LessonDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn extra(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(b): ApiJson<ExtraRequest>,
) -> Result<(StatusCode, Json<LessonDto>), ApiError> {
    let x = tabel_app::timetable::ExtraLesson {
        group: parse_id("group_id", &b.group_id)?,
        on: parse_date("date", &b.date)?,
        number: b.number,
        subject: parse_id("subject_id", &b.subject_id)?,
        teacher: parse_id("teacher_id", &b.teacher_id)?,
        room: b.room,
    };
    let l = state
        .app
        .add_extra_lesson(&who.principal, &x, &b.reason, &client)
        .await?;
    let view = state
        .app
        .lessons(&who.principal, &LessonsOf::Group(l.group), l.on, l.on)
        .await?
        .into_iter()
        .find(|v| v.lesson.id == l.id)
        .ok_or_else(|| ApiError::from(AppError::NotFound))?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// A room change.
#[derive(Deserialize, ToSchema)]
pub(super) struct RoomRequest {
    room: String,
    #[serde(default)]
    reason: String,
    version: i64,
}

/// Moves the lesson to another room (administrators, deputy heads).
#[utoipa::path(post, path = "/api/v1/lessons/{id}/room", tag = "timetable", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = RoomRequest,
    responses((status = 200, body = LessonDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn room_change(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(id): Path<LessonId>,
    ApiJson(b): ApiJson<RoomRequest>,
) -> Result<Json<LessonDto>, ApiError> {
    change(
        &state,
        &who,
        id,
        b.version,
        Change::Room { room: b.room },
        &b.reason,
        &client,
    )
    .await
}

/// A day on another bell variant.
#[derive(Deserialize, ToSchema)]
pub(super) struct BellDayRequest {
    school_id: Option<String>,
    /// YYYY-MM-DD.
    date: String,
    /// `short` or `regular`.
    variant: String,
}

/// Puts a date on the shortened (or back on the regular) bell schedule (administrators, deputy heads).
#[utoipa::path(post, path = "/api/v1/bells/days", tag = "timetable", security(("bearer" = [])), request_body = BellDayRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn bell_day(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(b): ApiJson<BellDayRequest>,
) -> Result<StatusCode, ApiError> {
    let school = school_of(&state, &who.principal, b.school_id.as_deref())?;
    let on = parse_date("date", &b.date)?;
    state
        .app
        .set_bell_day(&who.principal, school, on, &b.variant, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
