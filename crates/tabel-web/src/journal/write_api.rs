//! The journal's write endpoints: marks, attendance, a column at once and a lesson's record.

use super::api::*;
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::{Path, field_id};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::journal::{
    BatchRow, MarkTarget, MarkUpdate, RecordInput, RecordMark, SetAttendance,
};
use tabel_domain::{AttendanceId, LessonId, MarkId};
use utoipa::{IntoParams, ToSchema};

/// A new mark.
#[derive(Deserialize, ToSchema)]
pub(super) struct MarkRequest {
    student_id: String,
    /// The lesson; or `group_id`, `subject_id` and `date` for a standalone work.
    lesson_id: Option<String>,
    group_id: Option<String>,
    subject_id: Option<String>,
    date: Option<String>,
    /// `5`, `4`, `3/5` (double), `зач`, `незач` — on the subject's scale.
    value: String,
    /// Work type code (default: by the lesson's type).
    work_type: Option<String>,
    comment: Option<String>,
    /// A debt to correct by this date.
    debt_until: Option<String>,
    /// Required from administrators (corrections).
    reason: Option<String>,
}

/// A lesson, else the journal and the date of a standalone work.
fn mark_target(b: &MarkRequest) -> Result<MarkTarget, ApiError> {
    match b
        .lesson_id
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        Some(lesson) => Ok(MarkTarget::Lesson(field_id("lesson_id", lesson)?)),
        None => Ok(MarkTarget::Standalone {
            group: field_id("group_id", b.group_id.as_deref().unwrap_or(""))?,
            subject: field_id("subject_id", b.subject_id.as_deref().unwrap_or(""))?,
            on: opt_date("date", b.date.as_deref())?.ok_or_else(|| {
                ApiError::field("date", "a standalone work needs a date (or give lesson_id)")
            })?,
        }),
    }
}

/// Records a mark. 409 with `current` if the pupil already has a mark of that work type in the
/// lesson; 422 for a value outside the scale, a grade-1 class, a pupil not in the group that day.
#[utoipa::path(post, path = "/api/v1/marks", tag = "journal", security(("bearer" = [])), request_body = MarkRequest,
    responses((status = 201, body = MarkDto), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn record_mark(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(b): ApiJson<MarkRequest>,
) -> Result<(StatusCode, Json<MarkDto>), ApiError> {
    let input = RecordMark {
        student: field_id("student_id", &b.student_id)?,
        target: mark_target(&b)?,
        value: b.value,
        work_type: b.work_type,
        comment: b.comment,
        debt_until: opt_date("debt_until", b.debt_until.as_deref())?,
        reason: b.reason,
    };
    let m = state
        .app
        .record_mark(&who.principal, &input, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

/// A change to a mark.
#[derive(Deserialize, ToSchema)]
pub(super) struct MarkUpdateRequest {
    /// The version read.
    version: i64,
    value: String,
    work_type: Option<String>,
    comment: Option<String>,
    debt_until: Option<String>,
    reason: Option<String>,
}

/// Changes a mark; 409 with `current` if it changed since `version`.
#[utoipa::path(put, path = "/api/v1/marks/{id}", tag = "journal", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = MarkUpdateRequest,
    responses((status = 200, body = MarkDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn change_mark(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(mark): Path<MarkId>,
    ApiJson(b): ApiJson<MarkUpdateRequest>,
) -> Result<Json<MarkDto>, ApiError> {
    let input = MarkUpdate {
        version: b.version,
        value: b.value,
        work_type: b.work_type,
        comment: b.comment,
        debt_until: opt_date("debt_until", b.debt_until.as_deref())?,
        reason: b.reason,
    };
    let m = state
        .app
        .change_mark(&who.principal, mark, &input, &client)
        .await?;
    Ok(Json(m.into()))
}

/// `?version=…&reason=…`
#[derive(Deserialize, IntoParams)]
pub(super) struct DeleteQuery {
    /// The version read.
    version: i64,
    /// Required from administrators.
    reason: Option<String>,
}

/// Deletes a mark; 409 with `current` if it changed since `version`.
#[utoipa::path(delete, path = "/api/v1/marks/{id}", tag = "journal", security(("bearer" = [])), params(("id" = String, Path), DeleteQuery),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn delete_mark(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(mark): Path<MarkId>,
    Query(q): Query<DeleteQuery>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_mark(
            &who.principal,
            mark,
            q.version,
            q.reason.as_deref(),
            &client,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A lesson's column at once.
#[derive(Deserialize, ToSchema)]
pub(super) struct BatchRequest {
    lesson_id: String,
    /// Each pupil's mark (`5`) or attendance letter (`н`, `б`, `уп`, `оп`).
    rows: Vec<BatchRowDto>,
    /// An administrator's reason, for a correction of a closed period or of another teacher's
    /// lesson (kept in the audit log for every row).
    #[serde(default)]
    reason: Option<String>,
}

/// One row of a column.
#[derive(Deserialize, ToSchema)]
struct BatchRowDto {
    student_id: String,
    value: String,
}

/// Written rows.
#[derive(Serialize, ToSchema)]
pub(super) struct BatchResult {
    written: usize,
}

/// Writes a whole lesson column, all or nothing: one bad row (`rows[3].value`) and nothing is
/// written.
#[utoipa::path(post, path = "/api/v1/marks:batch", tag = "journal", security(("bearer" = [])), request_body = BatchRequest,
    responses((status = 200, body = BatchResult), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn batch(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(b): ApiJson<BatchRequest>,
) -> Result<Json<BatchResult>, ApiError> {
    let lesson: LessonId = b
        .lesson_id
        .trim()
        .parse()
        .map_err(|_| ApiError::field("lesson_id", "unknown"))?;
    let rows = b
        .rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            Ok(BatchRow {
                student: field_id(&format!("rows[{i}].student_id"), &r.student_id)?,
                value: r.value,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let written = state
        .app
        .write_column(
            &who.principal,
            lesson,
            (&rows, b.reason.as_deref()),
            &client,
        )
        .await?;
    Ok(Json(BatchResult { written }))
}

/// Attendance in a cell.
#[derive(Deserialize, ToSchema)]
pub(super) struct AttendanceRequest {
    lesson_id: String,
    student_id: String,
    /// `ill`, `excused`, `unexcused`, `late` or a letter (`н`, `б`, `уп`, `оп`); empty clears.
    code: String,
    minutes_late: Option<u16>,
    reason: Option<String>,
    /// The version read, when the cell already has a record.
    version: Option<i64>,
    /// Required from administrators.
    correction: Option<String>,
}

/// Records attendance in a cell (or changes it with `version`, or clears it with an empty
/// code: 204). 409 with `current` when the cell holds another version.
#[utoipa::path(post, path = "/api/v1/attendance", tag = "journal", security(("bearer" = [])), request_body = AttendanceRequest,
    responses((status = 200, body = AttendanceDto), (status = 204), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn set_attendance(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(b): ApiJson<AttendanceRequest>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let input = SetAttendance {
        lesson: field_id("lesson_id", &b.lesson_id)?,
        student: field_id("student_id", &b.student_id)?,
        code: b.code,
        minutes_late: b.minutes_late,
        reason: b.reason,
        version: b.version,
        correction: b.correction,
    };
    Ok(
        match state
            .app
            .set_attendance(&who.principal, &input, &client)
            .await?
        {
            Some(a) => Json(AttendanceDto::from(a)).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

/// A change of an attendance record.
#[derive(Deserialize, ToSchema)]
pub(super) struct AttendanceChange {
    version: i64,
    code: String,
    minutes_late: Option<u16>,
    reason: Option<String>,
    correction: Option<String>,
}

/// Changes an attendance record.
#[utoipa::path(put, path = "/api/v1/attendance/{id}", tag = "journal", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = AttendanceChange,
    responses((status = 200, body = AttendanceDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn change_attendance(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(raw): Path<AttendanceId>,
    ApiJson(b): ApiJson<AttendanceChange>,
) -> Result<Json<AttendanceDto>, ApiError> {
    if b.code.trim().is_empty() {
        return Err(ApiError::field("code", "use DELETE to clear"));
    }
    let (lesson, student) = state.app.attendance_cell(raw).await?;
    let input = SetAttendance {
        lesson,
        student,
        code: b.code,
        minutes_late: b.minutes_late,
        reason: b.reason,
        version: Some(b.version),
        correction: b.correction,
    };
    match state
        .app
        .set_attendance(&who.principal, &input, &client)
        .await?
    {
        Some(a) => Ok(Json(a.into())),
        None => Err(AppError::NotFound.into()),
    }
}

/// `?version=…&correction=…`
#[derive(Deserialize, IntoParams)]
pub(super) struct AttendanceDeleteQuery {
    version: i64,
    correction: Option<String>,
}

/// Clears an attendance record (the pupil was there after all).
#[utoipa::path(delete, path = "/api/v1/attendance/{id}", tag = "journal", security(("bearer" = [])), params(("id" = String, Path), AttendanceDeleteQuery),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn delete_attendance(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(raw): Path<AttendanceId>,
    Query(q): Query<AttendanceDeleteQuery>,
) -> Result<StatusCode, ApiError> {
    let (lesson, student) = state.app.attendance_cell(raw).await?;
    let input = SetAttendance {
        version: Some(q.version),
        correction: q.correction,
        ..SetAttendance::new(lesson, student, "")
    };
    state
        .app
        .set_attendance(&who.principal, &input, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A lesson's record.
#[derive(Deserialize, ToSchema)]
pub(super) struct RecordRequest {
    /// The version read (0 before the first record).
    version: i64,
    #[serde(default)]
    topic: String,
    /// A lesson type code of the policy.
    lesson_type: Option<String>,
    held: Option<bool>,
    #[serde(default)]
    homework: String,
    homework_minutes: Option<u16>,
    homework_due_on: Option<String>,
    #[serde(default)]
    teacher_comment: String,
    reason: Option<String>,
}

/// Writes a lesson's topic, type, held flag, homework and comment; 409 with `current` if it
/// changed since `version`. Grade 1 takes no homework.
#[utoipa::path(put, path = "/api/v1/lessons/{id}", tag = "journal", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = RecordRequest,
    responses((status = 200, body = RecordDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn record_lesson(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(lesson): Path<LessonId>,
    ApiJson(b): ApiJson<RecordRequest>,
) -> Result<Json<RecordDto>, ApiError> {
    let input = RecordInput {
        version: b.version,
        topic: b.topic,
        lesson_type: b.lesson_type,
        held: b.held,
        homework: b.homework,
        homework_minutes: b.homework_minutes,
        homework_due_on: opt_date("homework_due_on", b.homework_due_on.as_deref())?,
        teacher_comment: b.teacher_comment,
        reason: b.reason,
    };
    let r = state
        .app
        .record_lesson(&who.principal, lesson, &input, &client)
        .await?;
    Ok(Json(r.into()))
}
