//! Journal endpoints of the JSON API: the grid of a journal, marks (single and a whole column),
//! attendance, lesson records (topic, type, homework), cell history, recommendations, the grading
//! policy and closing periods. Every write names the version it read; a stale one gets 409 with
//! the current value in `current`.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::{Path, field_id, id};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::journal::{
    BatchRow, JournalView, MarkTarget, MarkUpdate, RecordInput, RecordMark, SetAttendance,
};
use tabel_domain::journal::GradingPolicy;
use tabel_domain::journal::{AttendanceEntry, MarkEntry, VersionedRecord};
use tabel_domain::{
    AttendanceId, GroupId, LessonId, MarkId, PeriodId, PersonId, SchoolId, SubjectId,
};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(journal))
        .routes(routes!(journals))
        .routes(routes!(record_mark))
        .routes(routes!(change_mark, delete_mark))
        .routes(routes!(batch))
        .routes(routes!(set_attendance))
        .routes(routes!(change_attendance, delete_attendance))
        .routes(routes!(record_lesson))
        .routes(routes!(cell_history))
        .routes(routes!(close_period))
        .routes(routes!(reopen_period))
        .routes(routes!(policy, set_policy))
        .routes(routes!(add_recommendation))
        .routes(routes!(recommendations))
}

/// A `YYYY-MM-DD` date of a request body (time's own serde format is not ISO 8601).
fn opt_date(field: &str, raw: Option<&str>) -> Result<Option<Date>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => tabel_domain::calendar::parse_iso_date(s)
            .map(Some)
            .map_err(|_| ApiError::field(field, "use YYYY-MM-DD")),
    }
}

/// A mark.
#[derive(Serialize, ToSchema)]
pub(crate) struct MarkDto {
    id: String,
    student_id: String,
    /// Absent for a standalone work.
    lesson_id: Option<String>,
    group_id: String,
    subject_id: String,
    date: String,
    /// As written: `5`, `3/5`, `зач`.
    value: String,
    work_type: String,
    weight: u8,
    comment: String,
    debt_until: Option<String>,
    /// Send back with a change or delete.
    version: i64,
}

impl From<MarkEntry> for MarkDto {
    fn from(m: MarkEntry) -> Self {
        MarkDto {
            id: m.id.to_string(),
            student_id: m.student.to_string(),
            lesson_id: m.lesson.map(|l| l.to_string()),
            group_id: m.group.to_string(),
            subject_id: m.subject.to_string(),
            date: m.on.to_string(),
            value: m.value,
            work_type: m.work_type,
            weight: m.weight,
            comment: m.comment,
            debt_until: m.debt_until.map(|d| d.to_string()),
            version: m.version,
        }
    }
}

/// An attendance record.
#[derive(Serialize, ToSchema)]
pub(crate) struct AttendanceDto {
    id: String,
    lesson_id: String,
    student_id: String,
    /// `ill`, `excused`, `unexcused`, `late`.
    code: String,
    minutes_late: Option<u16>,
    reason: String,
    version: i64,
}

impl From<AttendanceEntry> for AttendanceDto {
    fn from(a: AttendanceEntry) -> Self {
        AttendanceDto {
            id: a.id.to_string(),
            lesson_id: a.lesson.to_string(),
            student_id: a.student.to_string(),
            code: a.code,
            minutes_late: a.minutes_late,
            reason: a.reason,
            version: a.version,
        }
    }
}

/// What a teacher recorded on a lesson.
#[derive(Serialize, ToSchema)]
pub(crate) struct RecordDto {
    lesson_id: String,
    topic: String,
    lesson_type: Option<String>,
    held: Option<bool>,
    homework: String,
    homework_minutes: Option<u16>,
    homework_due_on: Option<String>,
    teacher_comment: String,
    /// Send back with a change (0 before the first).
    version: i64,
}

impl From<VersionedRecord> for RecordDto {
    fn from(r: VersionedRecord) -> Self {
        RecordDto {
            lesson_id: r.lesson.to_string(),
            topic: r.record.topic,
            lesson_type: r.record.lesson_type,
            held: r.record.held,
            homework: r.record.homework,
            homework_minutes: r.record.homework_minutes,
            homework_due_on: r.record.homework_due_on.map(|d| d.to_string()),
            teacher_comment: r.record.teacher_comment,
            version: r.version,
        }
    }
}

/// A pupil's row.
#[derive(Serialize, ToSchema)]
struct StudentRowDto {
    id: String,
    name: String,
    /// In the group from.
    from: String,
    /// In the group until (inclusive), if the pupil left.
    to: Option<String>,
    /// Weighted average in the period, `4.43` or `—`.
    average: String,
    /// Marks counted in it.
    marks: u32,
    absences: u32,
}

/// A lesson column.
#[derive(Serialize, ToSchema)]
struct LessonColumnDto {
    id: String,
    date: String,
    number: u8,
    /// `planned`, `substituted`, `cancelled`, `transferred`, `extra`.
    status: String,
    teacher: String,
    record: RecordDto,
}

/// A reporting period.
#[derive(Serialize, ToSchema)]
struct PeriodDto {
    id: String,
    /// `quarter`, `trimester`, `half_year`.
    kind: String,
    number: u8,
    starts_on: String,
    ends_on: String,
    closed: bool,
}

/// A journal's grid for a period.
#[derive(Serialize, ToSchema)]
struct JournalDto {
    group_id: String,
    group: String,
    grade: u8,
    subject_id: String,
    subject: String,
    period: PeriodDto,
    periods: Vec<PeriodDto>,
    policy_version: i64,
    students: Vec<StudentRowDto>,
    lessons: Vec<LessonColumnDto>,
    marks: Vec<MarkDto>,
    attendance: Vec<AttendanceDto>,
    /// Whether the caller may write here.
    may_write: bool,
}

fn period_dto(p: &tabel_domain::school::Period) -> PeriodDto {
    PeriodDto {
        id: p.id.to_string(),
        kind: p.kind.code().to_owned(),
        number: p.number,
        starts_on: p.starts_on.to_string(),
        ends_on: p.ends_on.to_string(),
        closed: p.locked_at.is_some(),
    }
}

impl From<JournalView> for JournalDto {
    fn from(v: JournalView) -> Self {
        JournalDto {
            group_id: v.group.id.to_string(),
            group: v.group.name.clone(),
            grade: v.group.grade,
            subject_id: v.subject.to_string(),
            subject: v.subject_name,
            period: period_dto(&v.period),
            periods: v.periods.iter().map(period_dto).collect(),
            policy_version: v.policy.version,
            students: v
                .students
                .into_iter()
                .map(|s| StudentRowDto {
                    id: s.entry.student.to_string(),
                    name: format!("{} {}", s.entry.last_name, s.entry.first_name),
                    from: s.entry.from.to_string(),
                    to: s.entry.to.map(|d| d.to_string()),
                    average: s.average,
                    marks: s.marks,
                    absences: s.absences,
                })
                .collect(),
            lessons: v
                .lessons
                .into_iter()
                .map(|l| LessonColumnDto {
                    id: l.lesson.id.to_string(),
                    date: l.lesson.on.to_string(),
                    number: l.lesson.number,
                    status: l.lesson.status.code().to_owned(),
                    teacher: l.lesson.teacher_name,
                    record: l.record.into(),
                })
                .collect(),
            marks: v.marks.into_iter().map(MarkDto::from).collect(),
            attendance: v.attendance.into_iter().map(AttendanceDto::from).collect(),
            may_write: v.may_write,
        }
    }
}

/// A journal the caller keeps.
#[derive(Serialize, ToSchema)]
struct JournalRefDto {
    group_id: String,
    group: String,
    subject_id: String,
    subject: String,
}

/// The journals (group × subject) the caller keeps this year, from their teaching assignments.
#[utoipa::path(get, path = "/api/v1/journals", tag = "journal", security(("bearer" = [])),
    responses((status = 200, body = Vec<JournalRefDto>), (status = 401, body = Problem)))]
async fn journals(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
) -> Result<Json<Vec<JournalRefDto>>, ApiError> {
    let list = state.app.my_journals(&who.principal).await?;
    Ok(Json(
        list.into_iter()
            .map(|j| JournalRefDto {
                group_id: j.group.to_string(),
                group: j.group_name,
                subject_id: j.subject.to_string(),
                subject: j.subject_name,
            })
            .collect(),
    ))
}

/// `?group=…&subject=…&period=…`
#[derive(Deserialize, IntoParams)]
struct JournalQuery {
    /// The journal's group (class, subgroup, stream, ИУП).
    group: String,
    /// The subject.
    subject: String,
    /// A reporting period (default: the current one).
    period: Option<String>,
}

/// The grid of one journal for a period: pupils with averages, lessons with their records, marks
/// and attendance with versions (the journal's teachers, the class teacher, deputies, admins).
#[utoipa::path(get, path = "/api/v1/journal", tag = "journal", security(("bearer" = [])), params(JournalQuery),
    responses((status = 200, body = JournalDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn journal(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<JournalQuery>,
) -> Result<Json<JournalDto>, ApiError> {
    let group: GroupId = id(&q.group)?;
    let subject: SubjectId = id(&q.subject)?;
    let period: Option<PeriodId> = match q.period.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Some(
            p.parse()
                .map_err(|_| ApiError::field("period", "unknown"))?,
        ),
        None => None,
    };
    let v = state
        .app
        .journal(&who.principal, group, subject, period)
        .await?;
    Ok(Json(v.into()))
}

/// A new mark.
#[derive(Deserialize, ToSchema)]
struct MarkRequest {
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
async fn record_mark(
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
struct MarkUpdateRequest {
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
async fn change_mark(
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
struct DeleteQuery {
    /// The version read.
    version: i64,
    /// Required from administrators.
    reason: Option<String>,
}

/// Deletes a mark; 409 with `current` if it changed since `version`.
#[utoipa::path(delete, path = "/api/v1/marks/{id}", tag = "journal", security(("bearer" = [])), params(("id" = String, Path), DeleteQuery),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_mark(
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
struct BatchRequest {
    lesson_id: String,
    /// Each pupil's mark (`5`) or attendance letter (`н`, `б`, `уп`, `оп`).
    rows: Vec<BatchRowDto>,
}

/// One row of a column.
#[derive(Deserialize, ToSchema)]
struct BatchRowDto {
    student_id: String,
    value: String,
}

/// Written rows.
#[derive(Serialize, ToSchema)]
struct BatchResult {
    written: usize,
}

/// Writes a whole lesson column, all or nothing: one bad row (`rows[3].value`) and nothing is
/// written.
#[utoipa::path(post, path = "/api/v1/marks:batch", tag = "journal", security(("bearer" = [])), request_body = BatchRequest,
    responses((status = 200, body = BatchResult), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn batch(
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
        .write_column(&who.principal, lesson, &rows, &client)
        .await?;
    Ok(Json(BatchResult { written }))
}

/// Attendance in a cell.
#[derive(Deserialize, ToSchema)]
struct AttendanceRequest {
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
async fn set_attendance(
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
struct AttendanceChange {
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
async fn change_attendance(
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
struct AttendanceDeleteQuery {
    version: i64,
    correction: Option<String>,
}

/// Clears an attendance record (the pupil was there after all).
#[utoipa::path(delete, path = "/api/v1/attendance/{id}", tag = "journal", security(("bearer" = [])), params(("id" = String, Path), AttendanceDeleteQuery),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_attendance(
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
struct RecordRequest {
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
async fn record_lesson(
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

/// `?lesson=…&student=…`
#[derive(Deserialize, IntoParams)]
struct CellQuery {
    lesson: String,
    student: String,
}

/// A change in a cell.
#[derive(Serialize, ToSchema)]
struct CellChangeDto {
    /// RFC 3339.
    at: String,
    actor_user_id: Option<String>,
    action: String,
    #[schema(value_type = Option<Object>)]
    before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    after: Option<serde_json::Value>,
    reason: Option<String>,
    origin: Option<String>,
}

/// The history of a cell (pupil × lesson), newest first: every mark and attendance change with
/// who, when, from where, before and after.
#[utoipa::path(get, path = "/api/v1/cells/history", tag = "journal", security(("bearer" = [])), params(CellQuery),
    responses((status = 200, body = Vec<CellChangeDto>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn cell_history(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<CellQuery>,
) -> Result<Json<Vec<CellChangeDto>>, ApiError> {
    let lesson: LessonId = id(&q.lesson)?;
    let student: PersonId = id(&q.student)?;
    let changes = state
        .app
        .cell_history(&who.principal, lesson, student)
        .await?;
    Ok(Json(
        changes
            .into_iter()
            .map(|c| CellChangeDto {
                at: tabel_present::rfc3339(c.at),
                actor_user_id: c.actor.map(|a| a.to_string()),
                action: c.action,
                before: c.before,
                after: c.after,
                reason: c.reason,
                origin: c.origin,
            })
            .collect(),
    ))
}

/// Closes a reporting period: its journal is locked; only administrators correct it, with a
/// reason (administrators, deputy heads).
#[utoipa::path(post, path = "/api/v1/periods/{id}/close", tag = "journal", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn close_period(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(raw): Path<PeriodId>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .close_period(&who.principal, raw, true, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reopens a reporting period (administrators, deputy heads).
#[utoipa::path(post, path = "/api/v1/periods/{id}/reopen", tag = "journal", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn reopen_period(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(raw): Path<PeriodId>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .close_period(&who.principal, raw, false, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?school_id=…`
#[derive(Deserialize, IntoParams)]
struct PolicyQuery {
    /// Default: the caller's first school.
    school_id: Option<String>,
}

/// A grading policy with its version.
#[derive(Serialize, ToSchema)]
struct PolicyDto {
    /// 0 = the built-in default, never saved.
    version: i64,
    #[schema(value_type = Object)]
    policy: GradingPolicy,
}

fn school_of(
    who: &tabel_app::auth::Authenticated,
    raw: Option<&str>,
) -> Result<SchoolId, ApiError> {
    match raw.filter(|s| !s.is_empty()) {
        Some(s) => Ok(id(s)?),
        None => who
            .principal
            .schools()
            .first()
            .copied()
            .ok_or_else(|| AppError::NotFound.into()),
    }
}

/// The school's grading policy: scales, work types and weights, lesson types, attendance
/// letters, rounding thresholds, minimum marks.
#[utoipa::path(get, path = "/api/v1/grading-policy", tag = "journal", security(("bearer" = [])), params(PolicyQuery),
    responses((status = 200, body = PolicyDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn policy(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<PolicyQuery>,
) -> Result<Json<PolicyDto>, ApiError> {
    let school = school_of(&who, q.school_id.as_deref())?;
    let v = state.app.grading_policy(&who.principal, school).await?;
    Ok(Json(PolicyDto {
        version: v.version,
        policy: v.policy,
    }))
}

/// A new grading policy.
#[derive(Deserialize, ToSchema)]
struct PolicyRequest {
    school_id: Option<String>,
    #[schema(value_type = Object)]
    policy: GradingPolicy,
}

/// The new version.
#[derive(Serialize, ToSchema)]
struct PolicyVersion {
    version: i64,
}

/// Saves a new version of the grading policy (administrators); marks keep the weight they were
/// written with.
#[utoipa::path(put, path = "/api/v1/grading-policy", tag = "journal", security(("bearer" = [])), request_body = PolicyRequest,
    responses((status = 200, body = PolicyVersion), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn set_policy(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(b): ApiJson<PolicyRequest>,
) -> Result<Json<PolicyVersion>, ApiError> {
    let school = school_of(&who, b.school_id.as_deref())?;
    let version = state
        .app
        .set_grading_policy(&who.principal, school, &b.policy, &client)
        .await?;
    Ok(Json(PolicyVersion { version }))
}

/// A recommendation.
#[derive(Deserialize, ToSchema)]
struct RecommendationRequest {
    student_id: String,
    subject_id: Option<String>,
    body: String,
}

/// The new recommendation's id.
#[derive(Serialize, ToSchema)]
struct Created {
    id: String,
}

/// Writes a teacher's recommendation for a pupil and the family (a teacher of the pupil in that
/// subject, or the class teacher).
#[utoipa::path(post, path = "/api/v1/recommendations", tag = "journal", security(("bearer" = [])), request_body = RecommendationRequest,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_recommendation(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(b): ApiJson<RecommendationRequest>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let student: PersonId = b
        .student_id
        .trim()
        .parse()
        .map_err(|_| ApiError::field("student_id", "unknown"))?;
    let subject: Option<SubjectId> = match b.subject_id.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            s.parse()
                .map_err(|_| ApiError::field("subject_id", "unknown"))?,
        ),
        None => None,
    };
    let id = state
        .app
        .add_recommendation(&who.principal, student, subject, &b.body, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// A recommendation as families see it.
#[derive(Serialize, ToSchema)]
struct RecommendationDto {
    id: String,
    subject_id: Option<String>,
    teacher_id: String,
    body: String,
    /// RFC 3339.
    created_at: String,
}

/// A pupil's recommendations, newest first (whoever may see the pupil).
#[utoipa::path(get, path = "/api/v1/students/{id}/recommendations", tag = "journal", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<RecommendationDto>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn recommendations(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(student): Path<PersonId>,
) -> Result<Json<Vec<RecommendationDto>>, ApiError> {
    let list = state.app.recommendations(&who.principal, student).await?;
    Ok(Json(
        list.into_iter()
            .map(|r| RecommendationDto {
                id: r.id.to_string(),
                subject_id: r.subject.map(|s| s.to_string()),
                teacher_id: r.teacher.to_string(),
                body: r.body,
                created_at: tabel_present::rfc3339(r.created_at),
            })
            .collect(),
    ))
}
