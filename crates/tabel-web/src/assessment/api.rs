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
use tabel_app::assessment::schedule::{ApproveInput, Change};
use tabel_domain::assessment::Assessment;
use tabel_domain::assessment::ScheduleVersion;
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
        .routes(routes!(published))
        .routes(routes!(document))
        .routes(routes!(version))
        .routes(routes!(approve))
        .routes(routes!(publish))
}

/// A planned procedure.
#[derive(Serialize, ToSchema)]
pub(crate) struct AssessmentDto {
    id: String,
    class_id: String,
    class: String,
    /// The subgroup or stream that writes it (`null`: the whole class).
    group_id: Option<String>,
    group: Option<String>,
    /// The work it belongs to: the id of the work's first procedure (the same for every class
    /// of the parallel or stream writing it).
    work_id: String,
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
            group_id: a.group.map(|g| g.to_string()),
            group: a.group_name,
            work_id: a.work.to_string(),
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
    /// The class (may be left out when `group_id` names a subgroup or stream).
    #[serde(default)]
    class_id: Option<String>,
    /// A subgroup of the class, or a stream (planned for each of its classes as one work).
    #[serde(default)]
    group_id: Option<String>,
    /// The same work as this procedure of another class of the parallel.
    #[serde(default)]
    same_work_as: Option<String>,
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
        class: match b.class_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => Some(
                c.parse()
                    .map_err(|_| ApiError::field("class_id", "unknown"))?,
            ),
        },
        group: match b.group_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(g) => Some(
                g.parse()
                    .map_err(|_| ApiError::field("group_id", "unknown"))?,
            ),
        },
        same_work_as: match b.same_work_as.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(w) => Some(
                w.parse()
                    .map_err(|_| ApiError::field("same_work_as", "no such procedure"))?,
            ),
        },
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

/// A change of a procedure between two versions of the schedule.
#[derive(Serialize, ToSchema)]
struct ChangeDto {
    /// `added`, `removed`, `moved`, `changed`.
    kind: String,
    /// As it was (`null`: added).
    before: Option<AssessmentDto>,
    /// As it is (`null`: removed).
    after: Option<AssessmentDto>,
}

impl From<Change> for ChangeDto {
    fn from(c: Change) -> Self {
        ChangeDto {
            kind: c.kind.code().to_owned(),
            before: c.before.map(Into::into),
            after: c.after.map(Into::into),
        }
    }
}

/// What families of a class see: the latest published version of the schedule.
#[derive(Serialize, ToSchema)]
struct PublishedDto {
    /// The version's number (`null`: nothing published yet).
    version: Option<i64>,
    /// The date of its approval.
    approved_on: Option<String>,
    /// The basis (the order).
    basis: Option<String>,
    /// When it was published (RFC 3339): when the schedule last changed for families.
    published_at: Option<String>,
    /// For a correction: what changed, as the deputy head wrote it.
    note: Option<String>,
    /// The class's procedures changed against the previous published version.
    changed: Vec<ChangeDto>,
    /// The class's procedures in this version.
    procedures: Vec<AssessmentDto>,
}

/// The published schedule of a class, as its families see it: the version, its dates, what
/// changed for the class since the previous one, and the procedures (whoever may see the class;
/// staff too).
#[utoipa::path(get, path = "/api/v1/assessments/published", tag = "assessments", security(("bearer" = [])), params(ClassQuery),
    responses((status = 200, body = PublishedDto), (status = 404, body = Problem)))]
async fn published(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<ClassQuery>,
) -> Result<Json<PublishedDto>, ApiError> {
    let p = &who.principal;
    let class: GroupId = q
        .class
        .trim()
        .parse()
        .map_err(|_| ApiError::from(AppError::NotFound))?;
    let Some(doc) = state.app.published_assessment_schedule(p, class).await? else {
        return Ok(Json(PublishedDto {
            version: None,
            approved_on: None,
            basis: None,
            published_at: None,
            note: None,
            changed: Vec::new(),
            procedures: Vec::new(),
        }));
    };
    let procedures = state.app.published_assessments_of_class(p, class).await?;
    Ok(Json(PublishedDto {
        version: Some(doc.version),
        approved_on: Some(doc.approved_on.to_string()),
        basis: Some(doc.basis),
        published_at: Some(tabel_present::rfc3339(doc.published_at)),
        note: Some(doc.note),
        changed: doc.changed.into_iter().map(Into::into).collect(),
        procedures: procedures.into_iter().map(Into::into).collect(),
    }))
}

/// A version of the school's schedule.
#[derive(Serialize, ToSchema)]
struct VersionDto {
    version: i64,
    approved_on: String,
    /// Who approved it.
    approved_by: String,
    approved_at: String,
    basis: String,
    note: String,
    /// `null`: not published.
    published_at: Option<String>,
    published_by: Option<String>,
    /// How many procedures it holds.
    procedures: i64,
}

impl From<ScheduleVersion> for VersionDto {
    fn from(v: ScheduleVersion) -> Self {
        VersionDto {
            version: v.version,
            approved_on: v.approved_on.to_string(),
            approved_by: v.approved_by,
            approved_at: tabel_present::rfc3339(v.approved_at),
            basis: v.basis,
            note: v.note,
            published_at: v.published_at.map(tabel_present::rfc3339),
            published_by: v.published_by,
            procedures: v.items,
        }
    }
}

/// The school's schedule as a document.
#[derive(Serialize, ToSchema)]
struct DocumentDto {
    /// `draft` (changed since the latest version, or never approved), `approved` (the latest
    /// version holds it, unpublished), `published`.
    state: String,
    /// The academic year's id.
    year_id: String,
    /// The latest first.
    versions: Vec<VersionDto>,
    /// What the working schedule changes against the latest version.
    pending: Vec<ChangeDto>,
}

/// The school's schedule as a document: its state, versions and the changes awaiting approval
/// (staff).
#[utoipa::path(get, path = "/api/v1/assessment-schedule", tag = "assessments", security(("bearer" = [])), params(ExportQuery),
    responses((status = 200, body = DocumentDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn document(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<ExportQuery>,
) -> Result<Json<DocumentDto>, ApiError> {
    let p = &who.principal;
    let school = school_of(&state, p, q.school_id.as_deref())?;
    let doc = state
        .app
        .assessment_schedule(p, school, state.app.today())
        .await?;
    Ok(Json(DocumentDto {
        state: doc.state.code().to_owned(),
        year_id: doc.year.id.to_string(),
        versions: doc.versions.into_iter().map(Into::into).collect(),
        pending: doc.pending.into_iter().map(Into::into).collect(),
    }))
}

/// A version with its procedures.
#[derive(Serialize, ToSchema)]
struct VersionItemsDto {
    #[serde(flatten)]
    version: VersionDto,
    items: Vec<AssessmentDto>,
}

/// One version of the school's schedule with its procedures (staff).
#[utoipa::path(get, path = "/api/v1/assessment-schedule/versions/{version}", tag = "assessments", security(("bearer" = [])),
    params(("version" = i64, Path), ExportQuery),
    responses((status = 200, body = VersionItemsDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn version(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(version): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> Result<Json<VersionItemsDto>, ApiError> {
    let p = &who.principal;
    let school = school_of(&state, p, q.school_id.as_deref())?;
    let (v, items) = state
        .app
        .assessment_schedule_version(p, school, version)
        .await?;
    Ok(Json(VersionItemsDto {
        version: v.into(),
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// An approval of the schedule.
#[derive(Deserialize, ToSchema)]
#[schema(as = AssessmentScheduleApproveRequest)]
struct ApproveRequest {
    school_id: Option<String>,
    /// The date of the approval, `YYYY-MM-DD` (default today; not in the future).
    #[serde(default)]
    approved_on: Option<String>,
    /// The basis, e.g. the order's number and date.
    #[serde(default)]
    basis: String,
    /// What a correction changes (required once a version was published; families read it).
    #[serde(default)]
    note: String,
}

/// The number of a version.
#[derive(Serialize, ToSchema)]
struct VersionNumber {
    version: i64,
}

/// Approves the working schedule as the next version (deputy heads): 409 when nothing changed
/// since the latest version, 422 when a procedure breaks a rule without an override reason
/// (`errors.schedule` lists them) or a correction has no `note`.
#[utoipa::path(post, path = "/api/v1/assessment-schedule/approve", tag = "assessments", security(("bearer" = [])),
    request_body = ApproveRequest,
    responses((status = 201, body = VersionNumber), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn approve(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(b): ApiJson<ApproveRequest>,
) -> Result<(StatusCode, Json<VersionNumber>), ApiError> {
    let school = school_of(&state, &who.principal, b.school_id.as_deref())?;
    let approved_on = match b.approved_on.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => Some(
            tabel_domain::calendar::parse_iso_date(d)
                .map_err(|_| ApiError::field("approved_on", "use YYYY-MM-DD"))?,
        ),
    };
    let input = ApproveInput {
        approved_on,
        basis: b.basis,
        note: b.note,
    };
    let version = state
        .app
        .approve_assessment_schedule(&who.principal, school, &input, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(VersionNumber { version })))
}

/// Which school's schedule.
#[derive(Deserialize, ToSchema)]
#[schema(as = AssessmentSchedulePublishRequest)]
struct PublishRequest {
    #[serde(default)]
    school_id: Option<String>,
}

/// Publishes the latest approved version to families (deputy heads, administrators): 409 when
/// it is published already or none is approved. Families are notified of the change.
#[utoipa::path(post, path = "/api/v1/assessment-schedule/publish", tag = "assessments", security(("bearer" = [])),
    request_body = PublishRequest,
    responses((status = 200, body = VersionNumber), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn publish(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(b): ApiJson<PublishRequest>,
) -> Result<Json<VersionNumber>, ApiError> {
    let school = school_of(&state, &who.principal, b.school_id.as_deref())?;
    let version = state
        .app
        .publish_assessment_schedule(&who.principal, school, &client)
        .await?;
    Ok(Json(VersionNumber { version }))
}
