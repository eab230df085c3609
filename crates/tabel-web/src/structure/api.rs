//! The school's structure through the JSON API, under `/api/v1/schools/{id}/structure`: the
//! card, subjects (retire, scale, delete), classes, years with parallels and periods, and the
//! calendar. Administrators and deputy heads of the school; a refusal of a deletion is 422
//! with `errors.dependants` naming what depends on the row.

use crate::AppState;
use crate::api::Created;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::Path;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tabel_app::structure as s;
use tabel_domain::journal::Scale;
use tabel_domain::{AcademicYearId, GroupId, HolidayId, ParallelId, PeriodId, SchoolId, SubjectId};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(get_card, put_card))
        .routes(routes!(list_subjects, create_subject))
        .routes(routes!(update_subject, delete_subject))
        .routes(routes!(retire_subject))
        .routes(routes!(unretire_subject))
        .routes(routes!(set_scale))
        .routes(routes!(list_classes, create_class))
        .routes(routes!(update_class, delete_class))
        .routes(routes!(list_years, create_year))
        .routes(routes!(update_period))
        .routes(routes!(update_parallel))
        .routes(routes!(list_days, add_day))
        .routes(routes!(remove_day))
        .routes(routes!(add_short_day))
        .routes(routes!(remove_short_day))
}

fn iso(d: time::Date) -> String {
    d.to_string()
}

// --------------------------------------------------------------------------------------- card

/// The school's card.
#[derive(Serialize, Deserialize, ToSchema)]
struct StructureCard {
    /// Full name.
    name: String,
    /// Short name.
    short_name: String,
    /// The school's code, if any.
    #[serde(default)]
    code: Option<String>,
    /// Postal address.
    #[serde(default)]
    address: Option<String>,
    /// The director's name.
    #[serde(default)]
    director: Option<String>,
    /// IANA time zone (a Russian one), e.g. "Asia/Yekaterinburg".
    time_zone: String,
}

impl From<s::CardInput> for StructureCard {
    fn from(c: s::CardInput) -> StructureCard {
        StructureCard {
            name: c.name,
            short_name: c.short_name,
            code: c.code,
            address: c.address,
            director: c.director,
            time_zone: c.time_zone,
        }
    }
}

/// The school's card (administrators and deputy heads).
#[utoipa::path(get, path = "/api/v1/schools/{id}/structure/card", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")),
    responses((status = 200, body = StructureCard), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_card(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<SchoolId>,
) -> Result<Json<StructureCard>, ApiError> {
    let v = state.app.school_card(&who.principal, school).await?;
    Ok(Json(v.card.into()))
}

/// Rewrites the school's card; audited as `school.update`.
#[utoipa::path(put, path = "/api/v1/schools/{id}/structure/card", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")), request_body = StructureCard,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn put_card(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<SchoolId>,
    ApiJson(b): ApiJson<StructureCard>,
) -> Result<StatusCode, ApiError> {
    let input = s::CardInput {
        name: b.name,
        short_name: b.short_name,
        code: b.code,
        address: b.address,
        director: b.director,
        time_zone: b.time_zone,
    };
    state
        .app
        .update_school_card(&who.principal, school, &input, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ----------------------------------------------------------------------------------- subjects

/// A subject.
#[derive(Serialize, ToSchema)]
struct StructureSubject {
    id: String,
    name: String,
    short_name: String,
    sort_order: i64,
    /// `five`, `pass_fail`, `ten` or `hundred`.
    scale: String,
    /// Whether the scale is the subject's own (else the school's).
    own_scale: bool,
    /// Retired from this date (ISO): kept in history, no longer offered.
    retired_on: Option<String>,
}

/// A new subject or its new name and place.
#[derive(Deserialize, ToSchema)]
struct StructureSubjectBody {
    /// Name (up to 200 characters).
    name: String,
    /// Short name (up to 40; default: the name).
    #[serde(default)]
    short_name: Option<String>,
    /// Place in the curriculum order.
    #[serde(default)]
    sort_order: Option<i64>,
}

impl StructureSubjectBody {
    fn input(self) -> s::SubjectInput {
        s::SubjectInput {
            name: self.name,
            short_name: self.short_name,
            sort_order: self.sort_order,
        }
    }
}

/// The school's subjects, retired ones too.
#[utoipa::path(get, path = "/api/v1/schools/{id}/structure/subjects", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")),
    responses((status = 200, body = [StructureSubject]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_subjects(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<SchoolId>,
) -> Result<Json<Vec<StructureSubject>>, ApiError> {
    Ok(Json(
        state
            .app
            .subject_list(&who.principal, school)
            .await?
            .into_iter()
            .map(|v| StructureSubject {
                id: v.id.to_string(),
                name: v.name,
                short_name: v.short_name,
                sort_order: v.sort_order,
                scale: v.scale.code().to_owned(),
                own_scale: v.own_scale,
                retired_on: v.retired_on.map(iso),
            })
            .collect(),
    ))
}

/// Adds a subject; audited as `subject.create`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/subjects", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")), request_body = StructureSubjectBody,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_subject(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<SchoolId>,
    ApiJson(b): ApiJson<StructureSubjectBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = state
        .app
        .create_subject(&who.principal, school, &b.input(), &client)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// Renames a subject or moves it in the order; audited as `subject.update`.
#[utoipa::path(patch, path = "/api/v1/schools/{id}/structure/subjects/{subject}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("subject" = String, Path)), request_body = StructureSubjectBody,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_subject(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, subject)): Path<(SchoolId, SubjectId)>,
    ApiJson(b): ApiJson<StructureSubjectBody>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .update_subject(&who.principal, school, subject, &b.input(), &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a subject nothing refers to; otherwise 422 with `errors.dependants` ("used by
/// 1 240 marks and 96 lessons; retire it instead"). Audited as `subject.delete`.
#[utoipa::path(delete, path = "/api/v1/schools/{id}/structure/subjects/{subject}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("subject" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn delete_subject(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, subject)): Path<(SchoolId, SubjectId)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_subject(&who.principal, school, subject, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Retires a subject from today: its marks, lessons and finals stay; it is no longer offered
/// for new curriculum, assignment or timetable lines. Audited as `subject.retire`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/subjects/{subject}/retire", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("subject" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn retire_subject(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, subject)): Path<(SchoolId, SubjectId)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .set_subject_retired(&who.principal, school, subject, true, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Brings a retired subject back; audited as `subject.unretire`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/subjects/{subject}/unretire", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("subject" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn unretire_subject(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, subject)): Path<(SchoolId, SubjectId)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .set_subject_retired(&who.principal, school, subject, false, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A subject's scale.
#[derive(Deserialize, ToSchema)]
struct StructureScaleBody {
    /// `five`, `pass_fail`, `ten`, `hundred`, or null for the school's scale.
    #[schema(value_type = Option<String>)]
    scale: Option<Scale>,
}

/// The new grading-policy version.
#[derive(Serialize, ToSchema)]
struct StructurePolicyVersion {
    policy_version: i64,
}

/// Sets a subject's mark scale, writing a new version of the grading policy; audited as
/// `subject.scale`.
#[utoipa::path(put, path = "/api/v1/schools/{id}/structure/subjects/{subject}/scale", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("subject" = String, Path)), request_body = StructureScaleBody,
    responses((status = 200, body = StructurePolicyVersion), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn set_scale(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, subject)): Path<(SchoolId, SubjectId)>,
    ApiJson(b): ApiJson<StructureScaleBody>,
) -> Result<Json<StructurePolicyVersion>, ApiError> {
    let v = state
        .app
        .set_subject_scale(&who.principal, school, subject, b.scale, &client)
        .await?;
    Ok(Json(StructurePolicyVersion { policy_version: v }))
}

// ------------------------------------------------------------------------------------ classes

/// `?year_id=` (default: the current year).
#[derive(Deserialize, IntoParams)]
struct StructureYearQuery {
    /// The academic year.
    year_id: Option<String>,
}

impl StructureYearQuery {
    fn year(&self) -> Result<Option<AcademicYearId>, ApiError> {
        match self.year_id.as_deref().filter(|y| !y.trim().is_empty()) {
            None => Ok(None),
            Some(y) => Ok(Some(crate::paths::id(y)?)),
        }
    }
}

/// A class teacher's term.
#[derive(Serialize, ToSchema)]
struct StructureClassTeacher {
    id: String,
    name: String,
    /// Since (ISO).
    since: String,
}

/// A class.
#[derive(Serialize, ToSchema)]
struct StructureClass {
    id: String,
    name: String,
    grade: u8,
    shift: u8,
    class_teacher: Option<StructureClassTeacher>,
}

/// A year's classes.
#[derive(Serialize, ToSchema)]
struct StructureClasses {
    year_id: String,
    year: String,
    classes: Vec<StructureClass>,
}

/// A new class.
#[derive(Deserialize, ToSchema)]
struct StructureClassBody {
    /// Grade 1–11.
    grade: u8,
    /// One Cyrillic letter.
    letter: String,
    /// 1 or 2 (default 1).
    #[serde(default)]
    shift: Option<u8>,
    /// For a grade with no parallel yet this year: 5 or 6 (default 5).
    #[serde(default)]
    week_days: Option<u8>,
    /// For a grade with no parallel yet: `quarter`, `trimester`, `half_year`.
    #[serde(default)]
    period_kind: Option<String>,
    /// A staff member's id.
    #[serde(default)]
    class_teacher_id: Option<String>,
    /// From (ISO; default today).
    #[serde(default)]
    teacher_from: Option<String>,
}

/// A change to a class; what is absent stays.
#[derive(Deserialize, ToSchema)]
struct StructureClassPatch {
    /// A new letter.
    #[serde(default)]
    letter: Option<String>,
    /// 1 or 2 (the timetable's bells follow the shift).
    #[serde(default)]
    shift: Option<u8>,
    /// A new class teacher (a staff member's id), or "" for none from `teacher_from`; the
    /// previous term ends the day before.
    #[serde(default)]
    class_teacher_id: Option<String>,
    /// From (ISO; default today).
    #[serde(default)]
    teacher_from: Option<String>,
}

/// The classes of a year.
#[utoipa::path(get, path = "/api/v1/schools/{id}/structure/classes", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), StructureYearQuery),
    responses((status = 200, body = StructureClasses), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_classes(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<StructureYearQuery>,
) -> Result<Json<StructureClasses>, ApiError> {
    let v = state
        .app
        .class_list(&who.principal, school, q.year()?)
        .await?;
    Ok(Json(StructureClasses {
        year_id: v.year.id.to_string(),
        year: v.year.label,
        classes: v
            .classes
            .into_iter()
            .map(|c| StructureClass {
                id: c.id.to_string(),
                name: c.name,
                grade: c.grade,
                shift: c.shift,
                class_teacher: c.class_teacher.map(|t| StructureClassTeacher {
                    id: t.id.to_string(),
                    name: t.name,
                    since: iso(t.since),
                }),
            })
            .collect(),
    }))
}

/// Adds a class (and its parallel, if the grade has none this year); audited as
/// `class.create`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/classes", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), StructureYearQuery), request_body = StructureClassBody,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_class(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<SchoolId>,
    Query(q): Query<StructureYearQuery>,
    ApiJson(b): ApiJson<StructureClassBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = s::ClassInput {
        grade: b.grade,
        letter: b.letter,
        shift: b.shift,
        week_days: b.week_days,
        period_kind: b.period_kind,
        class_teacher_id: b.class_teacher_id,
        teacher_from: b.teacher_from,
    };
    let id = state
        .app
        .create_class(&who.principal, school, q.year()?, &input, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// Renames a class, moves it to a shift or appoints its class teacher; audited as
/// `class.update`.
#[utoipa::path(patch, path = "/api/v1/schools/{id}/structure/classes/{class}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("class" = String, Path)), request_body = StructureClassPatch,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_class(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, class)): Path<(SchoolId, GroupId)>,
    ApiJson(b): ApiJson<StructureClassPatch>,
) -> Result<StatusCode, ApiError> {
    let input = s::ClassUpdate {
        letter: b.letter,
        shift: b.shift,
        class_teacher_id: b.class_teacher_id,
        teacher_from: b.teacher_from,
    };
    state
        .app
        .update_class(&who.principal, school, class, &input, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a class nothing depends on; otherwise 422 with `errors.dependants`. Audited as
/// `class.delete`.
#[utoipa::path(delete, path = "/api/v1/schools/{id}/structure/classes/{class}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("class" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn delete_class(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, class)): Path<(SchoolId, GroupId)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_class(&who.principal, school, class, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// -------------------------------------------------------------------------------------- years

/// A parallel.
#[derive(Serialize, Deserialize, ToSchema)]
struct StructureParallel {
    /// Id (in answers).
    #[serde(default)]
    id: Option<String>,
    grade: u8,
    /// 5 or 6.
    week_days: u8,
    /// `quarter`, `trimester` or `half_year`.
    period_kind: String,
}

/// A reporting period.
#[derive(Serialize, ToSchema)]
struct StructurePeriod {
    id: String,
    kind: String,
    number: u8,
    starts_on: String,
    ends_on: String,
    locked: bool,
}

/// An academic year.
#[derive(Serialize, ToSchema)]
struct StructureYear {
    id: String,
    label: String,
    starts_on: String,
    ends_on: String,
    parallels: Vec<StructureParallel>,
    periods: Vec<StructurePeriod>,
}

/// A new academic year.
#[derive(Deserialize, ToSchema)]
struct StructureYearBody {
    /// E.g. 2027 for 2027/2028.
    start_year: i32,
    /// ISO (default: the federal calendar's).
    #[serde(default)]
    starts_on: Option<String>,
    /// ISO (default: the federal calendar's).
    #[serde(default)]
    ends_on: Option<String>,
    /// Default: grades 1–11, five days, quarters for 1–9 and half-years for 10–11.
    #[serde(default)]
    parallels: Vec<StructureParallel>,
    /// Add the federal calendar's holidays (default true).
    #[serde(default)]
    federal_holidays: Option<bool>,
}

/// The school's years, newest first, with parallels and periods.
#[utoipa::path(get, path = "/api/v1/schools/{id}/structure/years", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")),
    responses((status = 200, body = [StructureYear]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_years(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<SchoolId>,
) -> Result<Json<Vec<StructureYear>>, ApiError> {
    let (years, _) = state.app.year_list(&who.principal, school).await?;
    Ok(Json(
        years
            .into_iter()
            .map(|y| StructureYear {
                id: y.year.id.to_string(),
                label: y.year.label,
                starts_on: iso(y.year.starts_on),
                ends_on: iso(y.year.ends_on),
                parallels: y
                    .parallels
                    .iter()
                    .map(|p| StructureParallel {
                        id: Some(p.id.to_string()),
                        grade: p.grade,
                        week_days: p.week_days,
                        period_kind: p.period_kind.code().to_owned(),
                    })
                    .collect(),
                periods: y
                    .periods
                    .iter()
                    .map(|p| StructurePeriod {
                        id: p.id.to_string(),
                        kind: p.kind.code().to_owned(),
                        number: p.number,
                        starts_on: iso(p.starts_on),
                        ends_on: iso(p.ends_on),
                        locked: p.locked_at.is_some(),
                    })
                    .collect(),
            })
            .collect(),
    ))
}

/// Adds an academic year with its parallels, periods and the federal holidays; audited as
/// `year.create`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/years", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")), request_body = StructureYearBody,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_year(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<SchoolId>,
    ApiJson(b): ApiJson<StructureYearBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = s::YearInput {
        start_year: b.start_year,
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        parallels: b
            .parallels
            .into_iter()
            .map(|p| s::ParallelInput {
                grade: p.grade,
                week_days: p.week_days,
                period_kind: p.period_kind,
            })
            .collect(),
        federal_holidays: b.federal_holidays,
    };
    let id = state
        .app
        .create_year(&who.principal, school, &input, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// A period's new dates.
#[derive(Deserialize, ToSchema)]
struct StructurePeriodBody {
    /// ISO.
    starts_on: String,
    /// ISO.
    ends_on: String,
}

/// Moves a period (not a locked one: 409); the periods of its kind stay inside the year,
/// numbered 1..n, without overlaps or school days between them (422). Audited as
/// `period.update`.
#[utoipa::path(put, path = "/api/v1/schools/{id}/structure/periods/{period}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("period" = String, Path)), request_body = StructurePeriodBody,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_period(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, period)): Path<(SchoolId, PeriodId)>,
    ApiJson(b): ApiJson<StructurePeriodBody>,
) -> Result<StatusCode, ApiError> {
    let input = s::PeriodInput {
        starts_on: b.starts_on,
        ends_on: b.ends_on,
    };
    state
        .app
        .update_period(&who.principal, school, period, &input, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A parallel's change; what is absent stays.
#[derive(Deserialize, ToSchema)]
struct StructureParallelPatch {
    /// `quarter`, `trimester` or `half_year` (refused once final marks exist for the old
    /// kind's periods).
    #[serde(default)]
    period_kind: Option<String>,
    /// 5 or 6.
    #[serde(default)]
    week_days: Option<u8>,
}

/// Changes a parallel's kind of periods or week length; audited as `parallel.update`.
#[utoipa::path(patch, path = "/api/v1/schools/{id}/structure/parallels/{parallel}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("parallel" = String, Path)), request_body = StructureParallelPatch,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_parallel(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, parallel)): Path<(SchoolId, ParallelId)>,
    ApiJson(b): ApiJson<StructureParallelPatch>,
) -> Result<StatusCode, ApiError> {
    let input = s::ParallelUpdate {
        period_kind: b.period_kind,
        week_days: b.week_days,
    };
    state
        .app
        .update_parallel(&who.principal, school, parallel, &input, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ----------------------------------------------------------------------------------- calendar

/// A row of the calendar.
#[derive(Serialize, Deserialize, ToSchema)]
struct StructureDay {
    /// Id (in answers).
    #[serde(default)]
    id: Option<String>,
    /// `holiday`, `non_working` or `working_day`.
    kind: String,
    name: String,
    /// ISO.
    starts_on: String,
    /// ISO (default: the first day).
    #[serde(default)]
    ends_on: Option<String>,
    /// Only for one grade.
    #[serde(default)]
    only_grade: Option<u8>,
    /// For a worked day: the weekday (1 = Monday) whose timetable it follows.
    #[serde(default)]
    as_weekday: Option<u8>,
}

/// A year's calendar.
#[derive(Serialize, ToSchema)]
struct StructureCalendar {
    year_id: String,
    year: String,
    days: Vec<StructureDay>,
    /// Shortened days (ISO): the short bell schedule.
    short_days: Vec<String>,
}

/// A year's holidays, days off and worked days.
#[utoipa::path(get, path = "/api/v1/schools/{id}/structure/calendar", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), StructureYearQuery),
    responses((status = 200, body = StructureCalendar), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_days(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<StructureYearQuery>,
) -> Result<Json<StructureCalendar>, ApiError> {
    let v = state
        .app
        .calendar_year(&who.principal, school, q.year()?)
        .await?;
    Ok(Json(StructureCalendar {
        year_id: v.year.id.to_string(),
        year: v.year.label,
        days: v
            .days
            .into_iter()
            .map(|d| StructureDay {
                id: Some(d.id.to_string()),
                kind: d.kind.code().to_owned(),
                name: d.name,
                starts_on: iso(d.starts_on),
                ends_on: Some(iso(d.ends_on)),
                only_grade: d.only_grade,
                as_weekday: d.as_weekday,
            })
            .collect(),
        short_days: v.short_days.into_iter().map(iso).collect(),
    }))
}

/// Adds a holiday, day off or worked day and regenerates the year's lessons from its first
/// date; a day off where lessons already carry journal data is refused (422, naming how many
/// and which classes). Audited as `holiday.create`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/calendar", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), StructureYearQuery), request_body = StructureDay,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_day(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<SchoolId>,
    Query(q): Query<StructureYearQuery>,
    ApiJson(b): ApiJson<StructureDay>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = s::DayInput {
        kind: b.kind,
        name: b.name,
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        only_grade: b.only_grade,
        as_weekday: b.as_weekday,
    };
    let id = state
        .app
        .add_calendar_day(&who.principal, school, q.year()?, &input, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// Removes a row of the calendar and regenerates the year's lessons from its first date;
/// audited as `holiday.delete`.
#[utoipa::path(delete, path = "/api/v1/schools/{id}/structure/calendar/{day}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("day" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn remove_day(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, day)): Path<(SchoolId, HolidayId)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .remove_calendar_day(&who.principal, school, day, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A shortened day.
#[derive(Deserialize, ToSchema)]
struct StructureShortDay {
    /// ISO.
    on: String,
}

/// Makes a date a shortened day (the short bell schedule, which must be set first); audited
/// as `shortday.create`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/calendar/short-days", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), StructureYearQuery), request_body = StructureShortDay,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_short_day(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<SchoolId>,
    Query(q): Query<StructureYearQuery>,
    ApiJson(b): ApiJson<StructureShortDay>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .add_short_day(&who.principal, school, q.year()?, &b.on, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Returns a shortened day to the regular bells; audited as `shortday.delete`.
#[utoipa::path(delete, path = "/api/v1/schools/{id}/structure/calendar/short-days/{date}", tag = "structure", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("date" = String, Path, description = "ISO date")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn remove_short_day(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, on)): Path<(SchoolId, String)>,
) -> Result<StatusCode, ApiError> {
    let on = tabel_domain::calendar::parse_iso_date(&on)
        .map_err(|_| ApiError::from(tabel_app::AppError::NotFound))?;
    state
        .app
        .remove_short_day(&who.principal, school, None, on, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
