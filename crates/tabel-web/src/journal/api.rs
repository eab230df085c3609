//! Journal endpoints of the JSON API: the grid of a journal, marks (single and a whole column),
//! attendance, lesson records (topic, type, homework), cell history, recommendations, the grading
//! policy and closing periods. Every write names the version it read; a stale one gets 409 with
//! the current value in `current`.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::{Path, id};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::journal::JournalView;
use tabel_domain::journal::GradingPolicy;
use tabel_domain::journal::{AttendanceEntry, MarkEntry, VersionedRecord};
use tabel_domain::{GroupId, LessonId, PeriodId, PersonId, SchoolId, SubjectId};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::write_api::*;

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
pub(super) fn opt_date(field: &str, raw: Option<&str>) -> Result<Option<Date>, ApiError> {
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
            code: a.code.code().to_owned(),
            minutes_late: a.minutes_late,
            reason: a.reason,
            version: a.version,
        }
    }
}

/// What a teacher recorded on a lesson.
#[derive(Serialize, ToSchema)]
#[schema(as = JournalRecordDto)]
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
#[schema(as = JournalPeriodDto)]
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
                    average: s.average.to_string(),
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
    /// Why `origin` is missing, when the address was redacted: `retention` (kept no longer) or
    /// `request` (erased on request).
    origin_redacted: Option<String>,
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
                origin_redacted: c.origin_redacted.map(|r| redaction_code(r).to_owned()),
            })
            .collect(),
    ))
}

/// The API's code of a redaction.
pub(crate) fn redaction_code(r: tabel_domain::audit::Redaction) -> &'static str {
    match r {
        tabel_domain::audit::Redaction::Retention => "retention",
        tabel_domain::audit::Redaction::Request => "request",
    }
}

/// Closes a reporting period for the whole school, a parallel (`?scope=grade:5`) or a class
/// (`?scope=class:<id>`): their journals are locked; only administrators correct them, with a
/// reason (administrators, deputy heads). What was still missing (see `GET …/closing`) goes
/// into the audit entry. 409 in a closed year.
#[utoipa::path(post, path = "/api/v1/periods/{id}/close", tag = "journal", security(("bearer" = [])),
    params(("id" = String, Path), crate::closing::api::ScopeQuery),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn close_period(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(raw): Path<PeriodId>,
    Query(q): Query<crate::closing::api::ScopeQuery>,
) -> Result<StatusCode, ApiError> {
    let scope = q.parse()?;
    state
        .app
        .close_period_for(&who.principal, raw, scope, true, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reopens a reporting period for the whole school, a parallel or a class (`?scope=` as for
/// closing; administrators, deputy heads). 409 in a closed year.
#[utoipa::path(post, path = "/api/v1/periods/{id}/reopen", tag = "journal", security(("bearer" = [])),
    params(("id" = String, Path), crate::closing::api::ScopeQuery),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reopen_period(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(raw): Path<PeriodId>,
    Query(q): Query<crate::closing::api::ScopeQuery>,
) -> Result<StatusCode, ApiError> {
    let scope = q.parse()?;
    state
        .app
        .close_period_for(&who.principal, raw, scope, false, &client)
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
#[schema(as = JournalCreated)]
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
