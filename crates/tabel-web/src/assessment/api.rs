//! The schedule of assessment procedures in the JSON API, and its XLSX export.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::Path;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::assessment::AssessmentInput;
use tabel_domain::assessment::Assessment;
use tabel_domain::{AssessmentId, GroupId};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list, plan))
        .routes(routes!(remove))
        .routes(routes!(export))
        .routes(routes!(move_one))
        .routes(routes!(to_move))
}

/// A planned procedure.
#[derive(Serialize, ToSchema)]
pub(crate) struct AssessmentDto {
    id: String,
    class_id: String,
    class: String,
    subject_id: String,
    subject: String,
    date: String,
    number: u8,
    /// `school`, `regional`, `federal`.
    level: String,
    minutes: u16,
    title: String,
    /// Set when a deputy head planned it despite a rule.
    override_reason: Option<String>,
}

impl From<Assessment> for AssessmentDto {
    fn from(a: Assessment) -> Self {
        AssessmentDto {
            id: a.id.to_string(),
            class_id: a.class.to_string(),
            class: a.class_name,
            subject_id: a.subject.to_string(),
            subject: a.subject_name,
            date: a.on.to_string(),
            number: a.number,
            level: a.level.code().to_owned(),
            minutes: a.minutes,
            title: a.title,
            override_reason: a.override_reason,
        }
    }
}

#[derive(Deserialize, IntoParams)]
struct ListQuery {
    /// A class: its schedule (families see their children's classes).
    class: Option<String>,
    /// A school: the whole schedule (staff; default the user's first school).
    school_id: Option<String>,
}

fn school_of(
    state: &AppState,
    p: &tabel_domain::access::Principal,
    raw: Option<&str>,
) -> Result<tabel_domain::SchoolId, ApiError> {
    match raw {
        None | Some("") => state
            .app
            .home_school(p)
            .ok_or_else(|| AppError::NotFound.into()),
        Some(s) => s.parse().map_err(|_| AppError::NotFound.into()),
    }
}

/// The schedule of a class, or of a whole school.
#[utoipa::path(get, path = "/api/v1/assessments", tag = "assessments", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = [AssessmentDto]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<AssessmentDto>>, ApiError> {
    let p = &who.principal;
    let list = match q.class.as_deref() {
        Some(c) => {
            let class: GroupId = c.parse().map_err(|_| ApiError::from(AppError::NotFound))?;
            state.app.assessments_of_class(p, class).await?
        }
        None => {
            let school = school_of(&state, p, q.school_id.as_deref())?;
            state
                .app
                .assessments_of_school(p, school, state.app.today())
                .await?
        }
    };
    Ok(Json(list.into_iter().map(AssessmentDto::from).collect()))
}

/// A procedure to plan.
#[derive(Deserialize, ToSchema)]
#[schema(as = AssessmentPlanRequest)]
struct PlanRequest {
    school_id: Option<String>,
    class_id: String,
    subject_id: String,
    /// YYYY-MM-DD.
    date: String,
    number: u8,
    /// `school` (default), `regional`, `federal`.
    level: Option<String>,
    /// At least 30 (default 40).
    minutes: Option<u16>,
    title: String,
    /// Deputy heads only: plan despite the rules, saying why.
    override_reason: Option<String>,
}

/// Plans a procedure. A broken rule gives 422 with `errors` keyed by rule id (`one-per-day`,
/// `frequency`, `quota`, `first-last`, `grade-1`, `duration`) and the numbers in the message.
#[utoipa::path(post, path = "/api/v1/assessments", tag = "assessments", security(("bearer" = [])), request_body = PlanRequest,
    responses((status = 201, body = crate::api::Created), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn plan(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(b): ApiJson<PlanRequest>,
) -> Result<(StatusCode, Json<crate::api::Created>), ApiError> {
    let school = school_of(&state, &who.principal, b.school_id.as_deref())?;
    let date = tabel_domain::calendar::parse_iso_date(b.date.trim())
        .map_err(|_| ApiError::field("date", "use YYYY-MM-DD"))?;
    let input = AssessmentInput {
        class: b.class_id.trim().parse().ok(),
        subject: b.subject_id.trim().parse().ok(),
        date,
        number: b.number,
        level: b.level.unwrap_or_else(|| "school".into()),
        minutes: b.minutes.unwrap_or(40),
        title: b.title,
        override_reason: b.override_reason,
    };
    let id = state
        .app
        .plan_assessment(&who.principal, school, &input, &client)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(crate::api::Created { id: id.to_string() }),
    ))
}

#[derive(Deserialize, IntoParams)]
struct ReasonQuery {
    /// Why it is removed.
    reason: String,
}

/// Removes a procedure (a correction of the schedule).
#[utoipa::path(delete, path = "/api/v1/assessments/{id}", tag = "assessments", security(("bearer" = [])), params(("id" = String, Path), ReasonQuery),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn remove(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(id): Path<AssessmentId>,
    Query(q): Query<ReasonQuery>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .remove_assessment(&who.principal, id, &q.reason, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
struct ExportQuery {
    /// The school (default: the user's first school).
    school_id: Option<String>,
}

/// The school's schedule as XLSX, one sheet per parallel: class, date, lesson, subject, level,
/// form, minutes.
#[utoipa::path(get, path = "/api/v1/assessments.xlsx", tag = "assessments", security(("bearer" = [])), params(ExportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = Problem)))]
async fn export(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let p = &who.principal;
    let school = school_of(&state, p, q.school_id.as_deref())?;
    let list = state
        .app
        .assessments_of_school(p, school, state.app.today())
        .await?;
    let name = state
        .app
        .schools(p)
        .await?
        .into_iter()
        .find(|s| s.id == school)
        .map(|s| s.name)
        .unwrap_or_default();
    let bytes = state.app.assessments_xlsx(&name, &list)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"assessments.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Where to move a procedure.
#[derive(Deserialize, ToSchema)]
#[schema(as = AssessmentMoveRequest)]
struct MoveRequest {
    /// The new day, `YYYY-MM-DD`.
    date: String,
    /// The lesson.
    number: u8,
    /// A deputy head's reason to place it despite a rule.
    #[serde(default)]
    override_reason: Option<String>,
}

/// Moves a procedure to another day or lesson (administrators, deputy heads): the same rules as
/// planning it (422 with each broken rule), unless a deputy head gives an override reason.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/move", tag = "assessments", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = MoveRequest,
    responses((status = 200, body = AssessmentDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn move_one(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(id): Path<AssessmentId>,
    ApiJson(b): ApiJson<MoveRequest>,
) -> Result<Json<AssessmentDto>, ApiError> {
    let on = tabel_domain::calendar::parse_iso_date(b.date.trim())
        .map_err(|_| ApiError::field("date", "not a date; use YYYY-MM-DD"))?;
    let a = state
        .app
        .move_assessment(
            &who.principal,
            id,
            (on, b.number),
            b.override_reason.as_deref(),
            &client,
        )
        .await?;
    Ok(Json(a.into()))
}

#[derive(Deserialize, IntoParams)]
struct ClassQuery {
    /// The class.
    class: String,
}

/// A procedure the rules no longer allow where it stands.
#[derive(Serialize, ToSchema)]
struct ToMoveDto {
    assessment: AssessmentDto,
    /// The rules it now breaks, each with its numbers.
    broken: Vec<String>,
}

/// A class's procedures from today on that the timetable's changes (a transfer, a cancelled or
/// extra lesson, a shortened day, another shift) left breaking the rules, with the rules they
/// break (administrators, deputy heads). Procedures placed over the rules with a deputy head's
/// reason are not listed.
#[utoipa::path(get, path = "/api/v1/assessments/to-move", tag = "assessments", security(("bearer" = [])), params(ClassQuery),
    responses((status = 200, body = [ToMoveDto]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn to_move(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<ClassQuery>,
) -> Result<Json<Vec<ToMoveDto>>, ApiError> {
    let class: GroupId = q
        .class
        .trim()
        .parse()
        .map_err(|_| ApiError::from(tabel_app::AppError::NotFound))?;
    Ok(Json(
        state
            .app
            .assessments_to_move(&who.principal, class)
            .await?
            .into_iter()
            .map(|(a, broken)| ToMoveDto {
                assessment: a.into(),
                broken,
            })
            .collect(),
    ))
}
