//! `/api/v1/schools/{id}/structure/…`: teaching assignments, groups and their pupils, the
//! curriculum, staff with roles. GET lists, POST creates, PUT/PATCH changes, DELETE removes
//! what nothing depends on, `POST …/end` ends a dated thing. A refusal because something
//! depends on it is 409 naming what, with counts; a rule broken is 422 with `errors`.

use super::*;
use crate::AppState;
use crate::api::Created;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::{Path, field_id};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tabel_app::teaching::{
    NewAssignment, NewPlanLine, NewStaffMember, NewStudyGroup, PlanFor, StaffEdit,
};
use tabel_domain::school::{GroupKind, Sex};
use tabel_domain::teaching::{AssignmentLine, MembershipLine, PlanLine, StaffLine};
use tabel_domain::{
    AcademicYearId, AssignmentId, CurriculumItemId, GroupId, MembershipId, PersonId, SchoolId,
};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_assignments, create_assignment))
        .routes(routes!(change_assignment, delete_assignment))
        .routes(routes!(end_assignment))
        .routes(routes!(list_groups, create_group))
        .routes(routes!(rename_group, delete_group))
        .routes(routes!(list_pupils, add_pupils))
        .routes(routes!(end_membership))
        .routes(routes!(delete_membership))
        .routes(routes!(list_curriculum, add_curriculum))
        .routes(routes!(change_curriculum, delete_curriculum))
        .routes(routes!(list_staff, add_staff))
        .routes(routes!(change_staff))
        .routes(routes!(end_staff))
}

/// `?year=` (default: the year today falls in).
#[derive(Deserialize, IntoParams)]
struct YearQuery {
    /// One of the school's academic years.
    year: Option<String>,
}

fn year_param(raw: Option<&str>) -> Result<Option<AcademicYearId>, ApiError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => Ok(Some(crate::paths::id(s)?)),
    }
}

fn iso(d: Option<time::Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// The year a list is of.
#[derive(Serialize, ToSchema)]
struct YearDto {
    id: String,
    label: String,
    starts_on: String,
    ends_on: String,
}

fn year_dto(y: &tabel_domain::school::AcademicYear) -> YearDto {
    YearDto {
        id: y.id.to_string(),
        label: y.label.clone(),
        starts_on: y.starts_on.to_string(),
        ends_on: y.ends_on.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Assignments.

#[derive(Serialize, ToSchema)]
struct AssignmentDto {
    id: String,
    teacher_id: String,
    teacher: String,
    group_id: String,
    group: String,
    /// `class`, `subgroup`, `stream`, `individual`.
    group_kind: String,
    subject_id: String,
    subject: String,
    hours_per_week_tenths: Option<u16>,
    starts_on: String,
    /// The last day, when ended.
    ends_on: Option<String>,
}

fn assignment_dto(a: &AssignmentLine) -> AssignmentDto {
    AssignmentDto {
        id: a.id.to_string(),
        teacher_id: a.teacher.to_string(),
        teacher: a.teacher_name.clone(),
        group_id: a.group.to_string(),
        group: a.group_name.clone(),
        group_kind: a.group_kind.code().to_owned(),
        subject_id: a.subject.to_string(),
        subject: a.subject_name.clone(),
        hours_per_week_tenths: a.hours.map(|h| h.tenths()),
        starts_on: a.starts_on.to_string(),
        ends_on: iso(a.ends_on),
    }
}

#[derive(Serialize, ToSchema)]
struct LoadDto {
    teacher_id: String,
    teacher: String,
    hours_per_week_tenths: u16,
    running: usize,
}

#[derive(Serialize, ToSchema)]
struct AssignmentsDto {
    year: YearDto,
    /// The day the loads are counted on.
    on: String,
    assignments: Vec<AssignmentDto>,
    loads: Vec<LoadDto>,
}

/// The load table of a year: every assignment, and each teacher's hours a week today
/// (administrators and deputy heads).
#[utoipa::path(get, path = "/api/v1/schools/{id}/structure/assignments", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), YearQuery),
    responses((status = 200, body = AssignmentsDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_assignments(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<YearQuery>,
) -> Result<Json<AssignmentsDto>, ApiError> {
    let v = state
        .app
        .assignments(&who.principal, school, year_param(q.year.as_deref())?)
        .await?;
    Ok(Json(AssignmentsDto {
        year: year_dto(&v.year),
        on: v.on.to_string(),
        assignments: v.lines.iter().map(assignment_dto).collect(),
        loads: v
            .loads
            .iter()
            .map(|l| LoadDto {
                teacher_id: l.teacher.to_string(),
                teacher: l.name.clone(),
                hours_per_week_tenths: l.hours.tenths(),
                running: l.running,
            })
            .collect(),
    }))
}

/// A new assignment.
#[derive(Deserialize, ToSchema)]
struct AssignmentRequest {
    teacher_id: String,
    group_id: String,
    subject_id: String,
    /// Hours a week in tenths (35 = 3,5 h).
    hours_per_week_tenths: Option<i64>,
    /// The first day (default: today).
    starts_on: Option<String>,
}

/// Gives a teacher a group (class, subgroup, stream, individual curriculum) and a subject from
/// a day. 409 when the same teacher, group and subject already share a day.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/assignments", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")), request_body = AssignmentRequest,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_assignment(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<SchoolId>,
    ApiJson(b): ApiJson<AssignmentRequest>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let cmd = NewAssignment {
        teacher: field_id("teacher_id", &b.teacher_id)?,
        group: field_id("group_id", &b.group_id)?,
        subject: field_id("subject_id", &b.subject_id)?,
        hours: b
            .hours_per_week_tenths
            .map(|t| tenths_field("hours_per_week_tenths", t))
            .transpose()?,
        starts_on: optional_date("starts_on", b.starts_on.as_deref())?,
    };
    let id = state
        .app
        .create_assignment(&who.principal, school, &cmd, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// The hours of an assignment.
#[derive(Deserialize, ToSchema)]
struct HoursRequest {
    /// Hours a week in tenths; null: not said.
    hours_per_week_tenths: Option<i64>,
}

/// Changes an assignment's hours a week.
#[utoipa::path(patch, path = "/api/v1/schools/{id}/structure/assignments/{assignment}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("assignment" = String, Path)), request_body = HoursRequest,
    responses((status = 200, body = AssignmentDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn change_assignment(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, id)): Path<(SchoolId, AssignmentId)>,
    ApiJson(b): ApiJson<HoursRequest>,
) -> Result<Json<AssignmentDto>, ApiError> {
    let hours = b
        .hours_per_week_tenths
        .map(|t| tenths_field("hours_per_week_tenths", t))
        .transpose()?;
    state
        .app
        .set_assignment_hours(&who.principal, school, id, hours, &client)
        .await?;
    let a = state.app.assignment(&who.principal, school, id).await?;
    Ok(Json(assignment_dto(&a)))
}

/// Deletes an assignment nothing was written under; 409 naming what was written otherwise
/// (end it instead).
#[utoipa::path(delete, path = "/api/v1/schools/{id}/structure/assignments/{assignment}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("assignment" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_assignment(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, id)): Path<(SchoolId, AssignmentId)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_assignment(&who.principal, school, id, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The last day of something dated.
#[derive(Deserialize, ToSchema)]
#[schema(as = TeachingEndRequest)]
struct EndRequest {
    /// The last day (inclusive), ISO.
    ends_on: String,
}

/// Ends an assignment on its last day: from the next day the teacher no longer writes the
/// group's lessons of the subject. 409 when they already wrote after it.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/assignments/{assignment}/end", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("assignment" = String, Path)), request_body = EndRequest,
    responses((status = 200, body = AssignmentDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn end_assignment(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, id)): Path<(SchoolId, AssignmentId)>,
    ApiJson(b): ApiJson<EndRequest>,
) -> Result<Json<AssignmentDto>, ApiError> {
    let last = date_field("ends_on", &b.ends_on)?;
    state
        .app
        .end_assignment(&who.principal, school, id, last, &client)
        .await?;
    let a = state.app.assignment(&who.principal, school, id).await?;
    Ok(Json(assignment_dto(&a)))
}

// ---------------------------------------------------------------------------------------------
// Groups and their pupils.

#[derive(Serialize, ToSchema)]
struct GroupDto {
    id: String,
    /// `class`, `subgroup`, `stream`, `individual`.
    kind: String,
    name: String,
    grade: u8,
    parent_id: Option<String>,
    parent: Option<String>,
    subject: Option<String>,
    /// A stream's classes.
    classes: Vec<String>,
    /// Members today.
    members: i64,
}

#[derive(Serialize, ToSchema)]
struct GroupsDto {
    year: YearDto,
    groups: Vec<GroupDto>,
}

/// The groups of a year: classes, subgroups, streams, individual curricula.
#[utoipa::path(get, path = "/api/v1/schools/{id}/structure/groups", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), YearQuery),
    responses((status = 200, body = GroupsDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_groups(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<YearQuery>,
) -> Result<Json<GroupsDto>, ApiError> {
    let v = state
        .app
        .study_groups(&who.principal, school, year_param(q.year.as_deref())?)
        .await?;
    Ok(Json(GroupsDto {
        year: year_dto(&v.year),
        groups: v
            .groups
            .iter()
            .map(|l| GroupDto {
                id: l.group.id.to_string(),
                kind: l.group.kind.code().to_owned(),
                name: l.group.name.clone(),
                grade: l.group.grade,
                parent_id: l.group.parent.map(|p| p.to_string()),
                parent: l.parent_name.clone(),
                subject: l.group.subject.clone(),
                classes: l.classes.clone(),
                members: l.group.members,
            })
            .collect(),
    }))
}

/// A new subgroup, stream or individual curriculum.
#[derive(Deserialize, ToSchema)]
struct GroupRequest {
    /// `subgroup`, `stream` or `individual`.
    kind: String,
    name: String,
    /// The year (default: the current one).
    year_id: Option<String>,
    /// A subgroup's class.
    parent_id: Option<String>,
    /// A subgroup's (required) or stream's subject.
    subject_id: Option<String>,
    /// A stream's classes (one parallel).
    #[serde(default)]
    class_ids: Vec<String>,
    /// An individual curriculum's pupil…
    pupil_id: Option<String>,
    /// …from this day (default: today).
    starts_on: Option<String>,
}

/// Creates a subgroup of a class, a stream across a parallel's classes, or an individual
/// curriculum of one pupil (who joins it from `starts_on`).
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/groups", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")), request_body = GroupRequest,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_group(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<SchoolId>,
    ApiJson(b): ApiJson<GroupRequest>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    if b.class_ids.len() > 40 {
        return Err(ApiError::field("class_ids", "at most 40 classes"));
    }
    let opt = |field: &str, raw: &Option<String>| -> Result<Option<GroupId>, AppError> {
        match raw.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => field_id(field, s).map(Some),
        }
    };
    let cmd = NewStudyGroup {
        year: match b.year_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(field_id("year_id", s)?),
        },
        kind: GroupKind::from_code(b.kind.trim())
            .map_err(|_| ApiError::field("kind", "subgroup, stream or individual"))?,
        name: capped("name", &b.name, 1000)?,
        parent: opt("parent_id", &b.parent_id)?,
        subject: match b.subject_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(field_id("subject_id", s)?),
        },
        classes: b
            .class_ids
            .iter()
            .map(|c| field_id("class_ids", c))
            .collect::<Result<_, _>>()?,
        pupil: match b.pupil_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(field_id("pupil_id", s)?),
        },
        starts_on: optional_date("starts_on", b.starts_on.as_deref())?,
    };
    let id = state
        .app
        .create_study_group(&who.principal, school, &cmd, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// A group's new name.
#[derive(Deserialize, ToSchema)]
struct RenameRequest {
    name: String,
}

/// Renames a group.
#[utoipa::path(patch, path = "/api/v1/schools/{id}/structure/groups/{group}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("group" = String, Path)), request_body = RenameRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn rename_group(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, id)): Path<(SchoolId, GroupId)>,
    ApiJson(b): ApiJson<RenameRequest>,
) -> Result<StatusCode, ApiError> {
    let name = capped("name", &b.name, 1000)?;
    state
        .app
        .rename_study_group(&who.principal, school, id, &name, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a subgroup, stream or individual curriculum nothing refers to (its memberships go
/// with it); 409 naming what refers to it otherwise.
#[utoipa::path(delete, path = "/api/v1/schools/{id}/structure/groups/{group}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("group" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_group(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, id)): Path<(SchoolId, GroupId)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_study_group(&who.principal, school, id, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
#[schema(as = TeachingMembershipDto)]
struct MembershipDto {
    id: String,
    student_id: String,
    name: String,
    starts_on: String,
    /// The last day in the group, when they left it.
    ends_on: Option<String>,
}

fn membership_dto(m: &MembershipLine) -> MembershipDto {
    MembershipDto {
        id: m.id.to_string(),
        student_id: m.student.to_string(),
        name: m.name.clone(),
        starts_on: m.starts_on.to_string(),
        ends_on: iso(m.ends_on),
    }
}

#[derive(Serialize, ToSchema)]
struct PupilsDto {
    group_id: String,
    group: String,
    memberships: Vec<MembershipDto>,
}

/// A group's pupils, past and present, with their dates.
#[utoipa::path(get, path = "/api/v1/schools/{id}/structure/groups/{group}/pupils", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("group" = String, Path)),
    responses((status = 200, body = PupilsDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_pupils(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path((school, id)): Path<(SchoolId, GroupId)>,
) -> Result<Json<PupilsDto>, ApiError> {
    let v = state.app.group_pupils(&who.principal, school, id).await?;
    Ok(Json(PupilsDto {
        group_id: v.group.id.to_string(),
        group: v.group.name.clone(),
        memberships: v.memberships.iter().map(membership_dto).collect(),
    }))
}

/// Pupils to add from a day.
#[derive(Deserialize, ToSchema)]
struct PupilsRequest {
    student_ids: Vec<String>,
    /// The first day in the group, ISO.
    starts_on: String,
}

/// The memberships made.
#[derive(Serialize, ToSchema)]
struct MadeDto {
    ids: Vec<String>,
}

/// Adds pupils to a subgroup (from its class), a stream (from its classes) or an individual
/// curriculum from a day, all or none; 422 naming the pupil who does not belong there.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/groups/{group}/pupils", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("group" = String, Path)), request_body = PupilsRequest,
    responses((status = 201, body = MadeDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_pupils(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, id)): Path<(SchoolId, GroupId)>,
    ApiJson(b): ApiJson<PupilsRequest>,
) -> Result<(StatusCode, Json<MadeDto>), ApiError> {
    if b.student_ids.len() > 200 {
        return Err(ApiError::field("student_ids", "at most 200 pupils at once"));
    }
    let pupils: Vec<PersonId> = b
        .student_ids
        .iter()
        .map(|s| field_id("student_ids", s))
        .collect::<Result<_, _>>()?;
    let from = date_field("starts_on", &b.starts_on)?;
    let made = state
        .app
        .add_group_pupils(&who.principal, school, id, &pupils, from, &client)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(MadeDto {
            ids: made.iter().map(ToString::to_string).collect(),
        }),
    ))
}

/// Takes a pupil out of a group after their last day (`ends_on`); the day before the
/// membership starts deletes it. 409 naming marks or attendance written for them later.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/groups/{group}/pupils/{membership}/end", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("group" = String, Path), ("membership" = String, Path)),
    request_body = EndRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn end_membership(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, group, id)): Path<(SchoolId, GroupId, MembershipId)>,
    ApiJson(b): ApiJson<EndRequest>,
) -> Result<StatusCode, ApiError> {
    let last = date_field("ends_on", &b.ends_on)?;
    state
        .app
        .end_group_membership(&who.principal, school, group, id, last, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a membership nothing was written for (a pupil added by mistake); 409 otherwise.
#[utoipa::path(delete, path = "/api/v1/schools/{id}/structure/groups/{group}/pupils/{membership}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("group" = String, Path), ("membership" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_membership(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, group, id)): Path<(SchoolId, GroupId, MembershipId)>,
) -> Result<StatusCode, ApiError> {
    let v = state
        .app
        .group_pupils(&who.principal, school, group)
        .await?;
    let m = v
        .memberships
        .iter()
        .find(|m| m.id == id)
        .ok_or(AppError::NotFound)?;
    let before = m
        .starts_on
        .previous_day()
        .ok_or_else(|| ApiError::field("membership", "no day before its start"))?;
    state
        .app
        .end_group_membership(&who.principal, school, group, id, before, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// The curriculum.

#[derive(Serialize, ToSchema)]
#[schema(as = CurriculumPlanDto)]
struct PlanDto {
    id: String,
    /// A parallel's line…
    grade: Option<u8>,
    /// …or a class's or group's.
    group_id: Option<String>,
    group: Option<String>,
    subject_id: String,
    subject: String,
    hours_per_week_tenths: u16,
    hours_per_year: i64,
    /// `compulsory` or `chosen`.
    part: String,
}

fn plan_dto(l: &PlanLine) -> PlanDto {
    PlanDto {
        id: l.id.to_string(),
        grade: l.grade,
        group_id: l.group.map(|g| g.to_string()),
        group: l.group_name.clone(),
        subject_id: l.subject.to_string(),
        subject: l.subject_name.clone(),
        hours_per_week_tenths: l.weekly.tenths(),
        hours_per_year: l.yearly,
        part: l.part.code().to_owned(),
    }
}

#[derive(Serialize, ToSchema)]
struct TotalDto {
    grade: u8,
    compulsory_tenths: u16,
    chosen_tenths: u16,
}

#[derive(Serialize, ToSchema)]
struct CurriculumDto {
    year: YearDto,
    lines: Vec<PlanDto>,
    totals: Vec<TotalDto>,
}

/// The curriculum of a year, with each parallel's hours a week per part.
#[utoipa::path(get, path = "/api/v1/schools/{id}/structure/curriculum", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), YearQuery),
    responses((status = 200, body = CurriculumDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_curriculum(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<YearQuery>,
) -> Result<Json<CurriculumDto>, ApiError> {
    let v = state
        .app
        .curriculum(&who.principal, school, year_param(q.year.as_deref())?)
        .await?;
    Ok(Json(CurriculumDto {
        year: year_dto(&v.year),
        lines: v.lines.iter().map(plan_dto).collect(),
        totals: v
            .totals
            .iter()
            .map(|(g, c, ch)| TotalDto {
                grade: *g,
                compulsory_tenths: c.tenths(),
                chosen_tenths: ch.tenths(),
            })
            .collect(),
    }))
}

/// A new curriculum line: for a parallel (`grade`) or a class or group (`group_id`).
#[derive(Deserialize, ToSchema)]
#[schema(as = CurriculumLineRequest)]
struct PlanRequest {
    year_id: Option<String>,
    grade: Option<u8>,
    group_id: Option<String>,
    subject_id: String,
    hours_per_week_tenths: i64,
    /// `compulsory` (default) or `chosen`.
    part: Option<String>,
}

/// Adds a curriculum line; hours a year are derived (34 weeks, 33 in grade 1). 409 when the
/// subject already has a line for that parallel or group.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/curriculum", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")), request_body = PlanRequest,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_curriculum(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<SchoolId>,
    ApiJson(b): ApiJson<PlanRequest>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let target = match (b.grade, b.group_id.as_deref().map(str::trim)) {
        (Some(g), None | Some("")) => PlanFor::Grade(g),
        (None, Some(s)) if !s.is_empty() => PlanFor::Group(field_id("group_id", s)?),
        _ => return Err(ApiError::field("grade", "give either grade or group_id")),
    };
    let cmd = NewPlanLine {
        year: match b.year_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(field_id("year_id", s)?),
        },
        target,
        subject: field_id("subject_id", &b.subject_id)?,
        weekly: tenths_field("hours_per_week_tenths", b.hours_per_week_tenths)?,
        part: part_field(b.part.as_deref().unwrap_or("compulsory"))?,
    };
    let id = state
        .app
        .add_plan_line(&who.principal, school, &cmd, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// A line's hours and part.
#[derive(Deserialize, ToSchema)]
struct PlanChange {
    hours_per_week_tenths: i64,
    part: String,
}

/// Changes a line's hours a week (hours a year follow) and part.
#[utoipa::path(put, path = "/api/v1/schools/{id}/structure/curriculum/{line}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("line" = String, Path)), request_body = PlanChange,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn change_curriculum(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, id)): Path<(SchoolId, CurriculumItemId)>,
    ApiJson(b): ApiJson<PlanChange>,
) -> Result<StatusCode, ApiError> {
    let weekly = tenths_field("hours_per_week_tenths", b.hours_per_week_tenths)?;
    let part = part_field(&b.part)?;
    state
        .app
        .update_plan_line(&who.principal, school, id, weekly, part, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a curriculum line.
#[utoipa::path(delete, path = "/api/v1/schools/{id}/structure/curriculum/{line}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("line" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn delete_curriculum(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, id)): Path<(SchoolId, CurriculumItemId)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_plan_line(&who.principal, school, id, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Staff.

#[derive(Serialize, ToSchema)]
#[schema(as = TeachingStaffDto)]
struct StaffDto {
    id: String,
    name: String,
    position: String,
    /// `admin`, `deputy`, `teacher`.
    roles: Vec<String>,
    /// The last day at the school, when they have left.
    left_on: Option<String>,
    /// The account's login, if one is handed out.
    login: Option<String>,
    /// Assignments running today.
    assignments: i64,
    class_teacher_of: Vec<String>,
}

fn staff_dto(s: &StaffLine) -> StaffDto {
    StaffDto {
        id: s.person.to_string(),
        name: s.name.clone(),
        position: s.position.clone(),
        roles: s.roles.iter().map(|r| r.code().to_owned()).collect(),
        left_on: iso(s.left_on),
        login: s.login.clone(),
        assignments: s.assignments,
        class_teacher_of: s.class_teacher_of.clone(),
    }
}

/// The school's staff with positions, roles, accounts, running assignments and classes led
/// (administrators).
#[utoipa::path(get, path = "/api/v1/schools/{id}/structure/staff", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")),
    responses((status = 200, body = [StaffDto]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_staff(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<SchoolId>,
) -> Result<Json<Vec<StaffDto>>, ApiError> {
    let v = state.app.staff_lines(&who.principal, school).await?;
    Ok(Json(v.lines.iter().map(staff_dto).collect()))
}

/// A new staff member.
#[derive(Deserialize, ToSchema)]
struct StaffRequest {
    /// «Иванова Мария Петровна».
    name: String,
    /// `m` or `f` (by the patronymic when absent).
    sex: Option<String>,
    birth_date: Option<String>,
    position: String,
    /// Default: teacher.
    #[serde(default)]
    roles: Vec<String>,
}

/// Adds a staff member (administrators); an account is handed out later with the letters.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/staff", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")), request_body = StaffRequest,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_staff(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<SchoolId>,
    ApiJson(b): ApiJson<StaffRequest>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let name = values::full_name(&capped("name", &b.name, 300)?)
        .map_err(|m| ApiError::field("name", m))?;
    let sex = match b.sex.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(
            Sex::from_code(s)
                .ok()
                .or_else(|| values::sex(s).ok())
                .ok_or_else(|| ApiError::field("sex", "m or f"))?,
        ),
    };
    let mut roles = roles_field(&b.roles)?;
    if roles.is_empty() {
        roles.push(tabel_domain::school::Role::Teacher);
    }
    let cmd = NewStaffMember {
        name,
        sex,
        birth_date: optional_date("birth_date", b.birth_date.as_deref())?,
        position: capped("position", &b.position, 1000)?,
        roles,
    };
    let id = state
        .app
        .add_staff(&who.principal, school, &cmd, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// What changes on a staff member.
#[derive(Deserialize, ToSchema)]
struct StaffChange {
    position: Option<String>,
    /// `admin`, `deputy`, `teacher`: the staff row's and the account's roles in the school.
    roles: Option<Vec<String>>,
}

/// Changes a staff member's position and roles; their account's roles in the school change
/// with them (administrators).
#[utoipa::path(patch, path = "/api/v1/schools/{id}/structure/staff/{person}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("person" = String, Path)), request_body = StaffChange,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn change_staff(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, person)): Path<(SchoolId, PersonId)>,
    ApiJson(b): ApiJson<StaffChange>,
) -> Result<StatusCode, ApiError> {
    let edit = StaffEdit {
        position: b
            .position
            .as_deref()
            .map(|p| capped("position", p, 1000))
            .transpose()?,
        roles: b.roles.as_deref().map(roles_field).transpose()?,
    };
    state
        .app
        .update_staff(&who.principal, school, person, &edit, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records that a staff member left after their last day (`ends_on`); their account is locked
/// at once. 409 naming assignments or classes they still hold after it.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/staff/{person}/end", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("person" = String, Path)), request_body = EndRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn end_staff(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, person)): Path<(SchoolId, PersonId)>,
    ApiJson(b): ApiJson<EndRequest>,
) -> Result<StatusCode, ApiError> {
    let last = date_field("ends_on", &b.ends_on)?;
    state
        .app
        .staff_left(&who.principal, school, person, last, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
