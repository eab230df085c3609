//! The JSON API under `/api/v1`. The router is also the inventory of the OpenAPI document
//! (`/api/v1/openapi.json`, browsable at `/api/docs`). Ids are opaque strings, dates ISO 8601,
//! instants RFC 3339 UTC, errors problem+json.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::Path;
use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::atomic::Ordering;
use tabel_app::AppError;
use tabel_app::auth::SessionKind;
use tabel_domain::access::Principal;
use tabel_domain::school::{ConsentState, GroupKind};
use tabel_domain::{GroupId, PersonId, SchoolId};
use tabel_present::rfc3339;
use time::Date;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Tabel API", description = "Electronic class journal and diary. Errors are RFC 9457 problem+json."),
    modifiers(&BearerAuth),
    components(schemas(Problem))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

pub(crate) fn router(state: &AppState) -> Router<AppState> {
    let router = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(change_my_password))
        .routes(routes!(forgot_password))
        .routes(routes!(reset_password))
        .routes(routes!(me))
        .routes(routes!(schools))
        .routes(routes!(classes))
        .routes(routes!(class))
        .routes(routes!(class_students))
        .routes(routes!(student))
        .routes(routes!(subjects))
        .routes(routes!(staff))
        .routes(routes!(users, create_user));
    let router = crate::consent::api::routes(router);
    let router = crate::privacy::routes(router);
    let router = crate::exams::api::routes(router);
    let router = crate::finals::api::routes(router);
    let router = crate::extracts::api::routes(router);
    let router = crate::debts::api::routes(router);
    let router = crate::certificate::api::routes(router);
    let router = crate::setup::api::routes(router);
    let router = crate::people::api::routes(router);
    let router = crate::record::api_routes(router);
    let router = crate::personal_file::api_routes(router);
    let router = crate::contact::api::routes(router);
    let router = crate::notify::api::routes(router);
    let router = crate::diary::api::routes(router);
    let router = crate::absence_notes::api::routes(router);
    let router = crate::stats::api::routes(router);
    let router = crate::teaching::api::routes(router);
    let router = crate::structure::api::routes(router);
    let router = crate::closing::api::routes(router);
    let router = crate::promotion::api::routes(router);
    let router = crate::thematic::api::routes(crate::journal::api::routes(
        crate::assessment::api::routes(crate::timetable::api::routes(router)),
    ));
    let (router, api) =
        crate::homework_files::api::routes(router, state.app.homework_file_max_bytes())
            .split_for_parts();
    router.merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", api))
}

/// `?date=` (default: today), refused with 422 when not an ISO date.
fn date_param(state: &AppState, raw: Option<&str>) -> Result<Date, ApiError> {
    match raw {
        None | Some("") => Ok(state.app.today()),
        Some(s) => tabel_domain::calendar::parse_iso_date(s).map_err(|_| {
            ApiError::field(
                "date",
                format!("not a date: {s:?}; use YYYY-MM-DD, e.g. 2026-11-28"),
            )
        }),
    }
}

/// `?school_id=` (default: the user's first school).
fn school_param(state: &AppState, p: &Principal, raw: Option<&str>) -> Result<SchoolId, ApiError> {
    match raw {
        None | Some("") => state
            .app
            .home_school(p)
            .ok_or_else(|| AppError::NotFound.into()),
        Some(s) => s.parse().map_err(|_| AppError::NotFound.into()),
    }
}

/// Credentials.
#[derive(Deserialize, ToSchema)]
struct LoginRequest {
    login: String,
    password: String,
}

/// A bearer token.
#[derive(Serialize, ToSchema)]
struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    /// When it expires if unused (each use extends it).
    expires_at: String,
    /// Signed in with a one-time password from a login letter: every other call answers 403
    /// until `POST /api/v1/me/password` sets the user's own.
    must_change_password: bool,
}

/// Logs in and returns a bearer token. Too many attempts from the client's address answer 429
/// `urn:tabel:problem:too-many-attempts`; too many failures with the login answer 429
/// `urn:tabel:problem:account-locked` (for any login typed, whether or not an account has it),
/// both with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = Problem), (status = 403, body = Problem, description = "account locked by an administrator"), (status = 429, body = Problem, description = "too many attempts from this address (too-many-attempts) or failures with this login (account-locked); see Retry-After")))]
async fn login(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    if body.login.chars().count() > 64 || body.password.chars().count() > 1024 {
        state.metrics.logins_failed.fetch_add(1, Ordering::Relaxed);
        return Err(ApiError::field("login", "too long"));
    }
    match state
        .app
        .login(&body.login, &body.password, SessionKind::Api, &client)
        .await
    {
        Ok(done) => {
            state.metrics.logins_ok.fetch_add(1, Ordering::Relaxed);
            Ok(Json(LoginResponse {
                token: done.token,
                expires_at: rfc3339(done.expires_at),
                must_change_password: done.must_change_password,
            }))
        }
        Err(e) => {
            state.metrics.logins_failed.fetch_add(1, Ordering::Relaxed);
            Err(e.into())
        }
    }
}

/// Revokes the token (or cookie session) used for this request.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
async fn logout(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
) -> Result<StatusCode, ApiError> {
    state.app.logout(&who).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new password for the signed-in user.
#[derive(Deserialize, ToSchema)]
struct PasswordRequest {
    /// The password used to sign in (the one-time password of a login letter).
    current_password: String,
    /// 8–128 characters.
    new_password: String,
}

/// Sets the signed-in user's password; the user's other sessions end. The one call (with
/// logout) open to an account signed in with a one-time password.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", security(("bearer" = [])),
    request_body = PasswordRequest,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn change_my_password(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(body): ApiJson<PasswordRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .change_password(&who, &body.current_password, &body.new_password, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A login whose password is forgotten.
#[derive(Deserialize, ToSchema)]
struct ForgotRequest {
    login: String,
}

/// Sends a code for a new password to the account's confirmed contact (a parent's confirmed
/// e-mail or phone). The answer is 202 whether or not the login exists or has such a contact;
/// at most three codes an hour per account, and the login limiter per address (429).
#[utoipa::path(post, path = "/api/v1/auth/forgot", tag = "auth", request_body = ForgotRequest,
    responses((status = 202), (status = 429, body = Problem)))]
async fn forgot_password(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(body): ApiJson<ForgotRequest>,
) -> Result<StatusCode, ApiError> {
    state.app.throttle_address(&client.address).await?;
    state
        .app
        .request_password_reset(&body.login, &client)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

/// A new password with the code that was sent.
#[derive(Deserialize, ToSchema)]
struct ResetRequest {
    login: String,
    code: String,
    /// 8–128 characters.
    new_password: String,
}

/// Sets a new password with a code from `POST /api/v1/auth/forgot`; every session of the
/// account ends. A wrong, expired or tried-out code (five tries) is 422 on `code`.
#[utoipa::path(post, path = "/api/v1/auth/reset", tag = "auth", request_body = ResetRequest,
    responses((status = 204), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn reset_password(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(body): ApiJson<ResetRequest>,
) -> Result<StatusCode, ApiError> {
    state.app.throttle_address(&client.address).await?;
    state
        .app
        .reset_forgotten_password(&body.login, &body.code, &body.new_password, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A role in a school.
#[derive(Serialize, ToSchema)]
struct RoleDto {
    /// `admin`, `deputy`, `teacher`, `class_teacher`, `parent`, `student`.
    role: String,
    school_id: String,
}

/// Consent states of a parent for a child (`given`, `refused`, `withdrawn`, or null when none).
#[derive(Serialize, ToSchema)]
struct ConsentDto {
    diary: Option<String>,
    electronic_delivery: Option<String>,
}

/// A linked child.
#[derive(Serialize, ToSchema)]
struct ChildDto {
    id: String,
    /// Full name, shown only while the diary consent is in force.
    name: Option<String>,
    school_id: String,
    relation: String,
    consent: ConsentDto,
    /// Whether the parent may see the child's data now.
    visible: bool,
}

/// The current user.
#[derive(Serialize, ToSchema)]
struct MeDto {
    id: String,
    login: String,
    display_name: String,
    locale: String,
    person_id: Option<String>,
    roles: Vec<RoleDto>,
    children: Vec<ChildDto>,
}

fn state_code(s: Option<ConsentState>) -> Option<String> {
    s.map(|s| s.code().to_owned())
}

/// The user, roles with scopes, and (for parents) the linked children.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeDto), (status = 401, body = Problem)))]
async fn me(State(state): State<AppState>, ApiUser(who): ApiUser) -> Result<Json<MeDto>, ApiError> {
    let p = &who.principal;
    let children = if p.children.is_empty() {
        Vec::new()
    } else {
        state
            .app
            .my_children(p)
            .await?
            .into_iter()
            .map(|c| {
                let visible = c.diary_consent == Some(ConsentState::Given);
                ChildDto {
                    id: c.student.id.to_string(),
                    name: visible.then(|| c.student.full_name()),
                    school_id: c.school.to_string(),
                    relation: c.relation.code().to_owned(),
                    consent: ConsentDto {
                        diary: state_code(c.diary_consent),
                        electronic_delivery: state_code(c.delivery_consent),
                    },
                    visible,
                }
            })
            .collect()
    };
    Ok(Json(MeDto {
        id: p.user.to_string(),
        login: who.login.clone(),
        display_name: who.display_name.clone(),
        locale: who.locale.clone(),
        person_id: p.person.map(|x| x.to_string()),
        roles: p
            .roles()
            .into_iter()
            .map(|(r, s)| RoleDto {
                role: r.code().to_owned(),
                school_id: s.to_string(),
            })
            .collect(),
        children,
    }))
}

/// A school.
#[derive(Serialize, ToSchema)]
struct SchoolDto {
    id: String,
    name: String,
    short_name: String,
    time_zone: String,
    municipality: String,
    region: String,
}

/// The schools where the user holds a role.
#[utoipa::path(get, path = "/api/v1/schools", tag = "structure", security(("bearer" = [])),
    responses((status = 200, body = [SchoolDto]), (status = 401, body = Problem)))]
async fn schools(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
) -> Result<Json<Vec<SchoolDto>>, ApiError> {
    Ok(Json(
        state
            .app
            .schools(&who.principal)
            .await?
            .into_iter()
            .map(|s| SchoolDto {
                id: s.id.to_string(),
                name: s.name,
                short_name: s.short_name,
                time_zone: s.time_zone,
                municipality: s.municipality,
                region: s.region,
            })
            .collect(),
    ))
}

/// A class or other study group.
#[derive(Serialize, ToSchema)]
struct ClassDto {
    id: String,
    school_id: String,
    /// `class`, `subgroup`, `stream`, `individual`.
    kind: String,
    name: String,
    grade: u8,
    /// The class a subgroup belongs to.
    parent_id: Option<String>,
    subject: Option<String>,
    /// Members on the date asked for.
    members: i64,
    class_teacher: Option<String>,
}

impl From<tabel_domain::school::Group> for ClassDto {
    fn from(g: tabel_domain::school::Group) -> Self {
        ClassDto {
            id: g.id.to_string(),
            school_id: g.school.to_string(),
            kind: g.kind.code().to_owned(),
            name: g.name,
            grade: g.grade,
            parent_id: g.parent.map(|p| p.to_string()),
            subject: g.subject,
            members: g.members,
            class_teacher: g.class_teacher,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
struct ClassesQuery {
    /// The date (default today), YYYY-MM-DD.
    date: Option<String>,
    /// `class` (default), `subgroup`, `stream`, `individual` or `all`.
    kind: Option<String>,
}

/// Classes (and groups) visible to the user on a date.
#[utoipa::path(get, path = "/api/v1/classes", tag = "structure", security(("bearer" = [])), params(ClassesQuery),
    responses((status = 200, body = [ClassDto]), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn classes(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<ClassesQuery>,
) -> Result<Json<Vec<ClassDto>>, ApiError> {
    let on = date_param(&state, q.date.as_deref())?;
    let kind = match q.kind.as_deref() {
        None | Some("") | Some("class") => Some(GroupKind::Class),
        Some("all") => None,
        Some(k) => Some(GroupKind::from_code(k).map_err(|_| {
            ApiError::field("kind", "use class, subgroup, stream, individual or all")
        })?),
    };
    Ok(Json(
        state
            .app
            .classes(&who.principal, on, kind)
            .await?
            .into_iter()
            .map(ClassDto::from)
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct DateQuery {
    /// The date (default today), YYYY-MM-DD.
    date: Option<String>,
}

/// One class or group.
#[utoipa::path(get, path = "/api/v1/classes/{id}", tag = "structure", security(("bearer" = [])), params(("id" = String, Path), DateQuery),
    responses((status = 200, body = ClassDto), (status = 404, body = Problem)))]
async fn class(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<GroupId>,
    Query(q): Query<DateQuery>,
) -> Result<Json<ClassDto>, ApiError> {
    let on = date_param(&state, q.date.as_deref())?;
    Ok(Json(state.app.class(&who.principal, id, on).await?.into()))
}

/// A person in a list.
#[derive(Serialize, ToSchema)]
struct PersonDto {
    id: String,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    /// `m` or `f`.
    sex: String,
    birth_date: Option<String>,
}

impl From<tabel_domain::school::PersonSummary> for PersonDto {
    fn from(p: tabel_domain::school::PersonSummary) -> Self {
        PersonDto {
            id: p.id.to_string(),
            last_name: p.last_name,
            first_name: p.first_name,
            middle_name: p.middle_name,
            sex: p.sex.code().to_owned(),
            birth_date: p.birth_date.map(|d| d.to_string()),
        }
    }
}

/// The students of a class or group on a date (staff only).
#[utoipa::path(get, path = "/api/v1/classes/{id}/students", tag = "structure", security(("bearer" = [])), params(("id" = String, Path), DateQuery),
    responses((status = 200, body = [PersonDto]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn class_students(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<GroupId>,
    Query(q): Query<DateQuery>,
) -> Result<Json<Vec<PersonDto>>, ApiError> {
    let on = date_param(&state, q.date.as_deref())?;
    let (_, members) = state.app.class_students(&who.principal, id, on).await?;
    Ok(Json(members.into_iter().map(PersonDto::from).collect()))
}

/// A student's card.
#[derive(Serialize, ToSchema)]
struct StudentDto {
    #[serde(flatten)]
    person: PersonDto,
    school_id: String,
    enrolled_on: String,
    left_on: Option<String>,
    /// Class, subgroups, stream, individual curriculum on the date.
    groups: Vec<ClassDto>,
}

/// A student (staff of the school, the student, a parent with consent).
#[utoipa::path(get, path = "/api/v1/students/{id}", tag = "structure", security(("bearer" = [])), params(("id" = String, Path), DateQuery),
    responses((status = 200, body = StudentDto), (status = 404, body = Problem)))]
async fn student(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<PersonId>,
    Query(q): Query<DateQuery>,
) -> Result<Json<StudentDto>, ApiError> {
    let on = date_param(&state, q.date.as_deref())?;
    let v = state.app.student(&who.principal, id, on).await?;
    Ok(Json(StudentDto {
        school_id: v.card.school.to_string(),
        enrolled_on: v.card.enrolled_on.to_string(),
        left_on: v.card.left_on.map(|d| d.to_string()),
        person: v.card.person.into(),
        groups: v.groups.into_iter().map(ClassDto::from).collect(),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct SchoolQuery {
    /// The school (default: the user's first school).
    school_id: Option<String>,
}

/// A subject.
#[derive(Serialize, ToSchema)]
struct SubjectDto {
    id: String,
    name: String,
}

/// The school's subjects.
#[utoipa::path(get, path = "/api/v1/subjects", tag = "structure", security(("bearer" = [])), params(SchoolQuery),
    responses((status = 200, body = [SubjectDto]), (status = 404, body = Problem)))]
async fn subjects(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<SchoolQuery>,
) -> Result<Json<Vec<SubjectDto>>, ApiError> {
    let school = school_param(&state, &who.principal, q.school_id.as_deref())?;
    Ok(Json(
        state
            .app
            .subjects(&who.principal, school)
            .await?
            .into_iter()
            .map(|s| SubjectDto {
                id: s.id.to_string(),
                name: s.name,
            })
            .collect(),
    ))
}

/// A staff member.
#[derive(Serialize, ToSchema)]
struct StaffDto {
    #[serde(flatten)]
    person: PersonDto,
    position: String,
    subjects: Vec<String>,
    class_teacher_of: Vec<String>,
}

/// The school's staff (staff only).
#[utoipa::path(get, path = "/api/v1/staff", tag = "structure", security(("bearer" = [])), params(SchoolQuery),
    responses((status = 200, body = [StaffDto]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn staff(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<SchoolQuery>,
) -> Result<Json<Vec<StaffDto>>, ApiError> {
    let school = school_param(&state, &who.principal, q.school_id.as_deref())?;
    Ok(Json(
        state
            .app
            .staff(&who.principal, school, state.app.today())
            .await?
            .into_iter()
            .map(|s| StaffDto {
                person: s.person.into(),
                position: s.position,
                subjects: s.subjects,
                class_teacher_of: s.class_teacher_of,
            })
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct UsersQuery {
    /// The school (default: the user's first school).
    school_id: Option<String>,
    /// Part of a login or name.
    q: Option<String>,
    /// Page size, 1–500 (default 100).
    limit: Option<i64>,
    /// Rows to skip.
    offset: Option<i64>,
}

/// An account.
#[derive(Serialize, ToSchema)]
struct UserDto {
    id: String,
    login: String,
    display_name: String,
    person_id: Option<String>,
    roles: Vec<String>,
    disabled: bool,
    locked_until: Option<String>,
    created_at: String,
}

/// The school's accounts (administrators only).
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", security(("bearer" = [])), params(UsersQuery),
    responses((status = 200, body = [UserDto]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn users(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<UsersQuery>,
) -> Result<Json<Vec<UserDto>>, ApiError> {
    let school = school_param(&state, &who.principal, q.school_id.as_deref())?;
    let list = state
        .app
        .users(
            &who.principal,
            school,
            q.q.as_deref(),
            q.limit.unwrap_or(100),
            q.offset.unwrap_or(0),
        )
        .await?;
    Ok(Json(
        list.into_iter()
            .map(|u| UserDto {
                id: u.id.to_string(),
                login: u.login,
                display_name: u.display_name,
                person_id: u.person.map(|p| p.to_string()),
                roles: u.roles.iter().map(|r| r.code().to_owned()).collect(),
                disabled: u.disabled,
                locked_until: u.locked_until.map(rfc3339),
                created_at: rfc3339(u.created_at),
            })
            .collect(),
    ))
}

/// A new account.
#[derive(Deserialize, ToSchema)]
struct CreateUserRequest {
    /// The school (default: the administrator's first school).
    school_id: Option<String>,
    login: String,
    display_name: String,
    password: String,
    /// `admin`, `deputy`, `teacher`.
    #[serde(default)]
    roles: Vec<String>,
    person_id: Option<String>,
}

/// The id of what was created.
#[derive(Serialize, ToSchema)]
pub(crate) struct Created {
    pub(crate) id: String,
}

/// Creates an account (administrators only).
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", security(("bearer" = [])), request_body = CreateUserRequest,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_user(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(body): ApiJson<CreateUserRequest>,
) -> Result<Response, ApiError> {
    let school = school_param(&state, &who.principal, body.school_id.as_deref())?;
    let account = tabel_app::admin::NewAccount {
        login: body.login,
        display_name: body.display_name,
        password: body.password,
        roles: body.roles,
        person_id: body.person_id,
    };
    let id = state
        .app
        .create_user(&who.principal, school, &account, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })).into_response())
}

#[cfg(test)]
mod tests {
    /// Every type the API document describes has a name of its own: the document keys its
    /// schemas by name, so two types of one name (in two modules) would show one's fields for
    /// the other's. A type named like another takes `#[schema(as = …)]`.
    #[test]
    fn the_documents_schemas_have_distinct_names() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let mut seen: std::collections::HashMap<String, String> = Default::default();
        let mut clashes = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let mut lines = text.lines().peekable();
            while let Some(line) = lines.next() {
                if !(line.trim_start().starts_with("#[derive(") && line.contains("ToSchema")) {
                    continue;
                }
                // The attributes up to the item: a rename, then the item's own name.
                let mut renamed = None;
                for next in lines.by_ref() {
                    let next = next.trim();
                    if let Some(rest) = next.strip_prefix("#[schema(as = ") {
                        renamed = rest.split(')').next().map(str::to_owned);
                    }
                    let item = next
                        .trim_start_matches("pub(crate) ")
                        .trim_start_matches("pub ");
                    if let Some(rest) = item
                        .strip_prefix("struct ")
                        .or_else(|| item.strip_prefix("enum "))
                    {
                        let own: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        let name = renamed.take().unwrap_or(own);
                        let at = file.display().to_string();
                        if let Some(first) = seen.insert(name.clone(), at.clone()) {
                            clashes.push(format!("{name}: {first} and {at}"));
                        }
                        break;
                    }
                }
            }
        }
        assert!(seen.len() > 100, "{} schema types found", seen.len());
        assert!(clashes.is_empty(), "{}", clashes.join("\n"));
    }
}
