//! Account administration for a school's administrators: the list of accounts, creating one,
//! resetting a password, locking and unlocking, linking a parent to a child.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::home::role_label;
use crate::i18n::Tr;
use crate::paths::Path;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::admin::NewAccount;
use tabel_domain::school::{Relation, Role};
use tabel_domain::{PersonId, SchoolId, UserId};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(index))
        .route("/admin/{school}/users", get(users).post(create_user))
        .route(
            "/admin/{school}/users/{user}/password",
            post(reset_password),
        )
        .route("/admin/{school}/users/{user}/lock", post(lock))
        .route("/admin/{school}/users/{user}/unlock", post(unlock))
        .route("/admin/{school}/links", get(links).post(link))
}

async fn index(user: PageUser) -> Result<Response, PageError> {
    let p = &user.who.principal;
    match p.schools().into_iter().find(|s| p.is_admin_of(*s)) {
        Some(s) => Ok(crate::redirect::see_other(&format!("/admin/{s}/users")).into_response()),
        None => Err(PageError::from(AppError::Forbidden)),
    }
}

/// An account row.
pub struct UserRow {
    /// Id.
    pub id: String,
    /// Login.
    pub login: String,
    /// Name.
    pub name: String,
    /// Roles.
    pub roles: String,
    /// State label.
    pub state: String,
    /// Locked by an admin.
    pub disabled: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    q: String,
    rows: Vec<UserRow>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    form_login: String,
    form_name: String,
    form_person: String,
    grantable: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
struct UsersQuery {
    q: Option<String>,
    done: Option<String>,
}

async fn users_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    q: Option<String>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    form: Option<&NewAccount>,
) -> Result<UsersPage<'s>, AppError> {
    let t = user.tr(state);
    let now = state.app.now();
    let rows = state
        .app
        .users(&user.who.principal, school, q.as_deref(), 200, 0)
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id.to_string(),
            roles: u
                .roles
                .iter()
                .map(|r| role_label(&t, *r))
                .collect::<Vec<_>>()
                .join(", "),
            state: if u.disabled {
                t.get("user-state-disabled")
            } else if u.locked_until.is_some_and(|l| l > now) {
                t.get("user-state-locked-out")
            } else {
                t.get("user-state-active")
            },
            disabled: u.disabled,
            login: u.login,
            name: u.display_name,
        })
        .collect();
    Ok(UsersPage {
        school_id: school.to_string(),
        q: q.unwrap_or_default(),
        rows,
        notice,
        errors,
        form_login: form.map(|f| f.login.clone()).unwrap_or_default(),
        form_name: form.map(|f| f.display_name.clone()).unwrap_or_default(),
        form_person: form.and_then(|f| f.person_id.clone()).unwrap_or_default(),
        grantable: Role::GRANTABLE
            .iter()
            .map(|r| (r.code().to_owned(), role_label(&t, *r)))
            .collect(),
        nav: user.nav.clone(),
        t,
    })
}

async fn users(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<UsersQuery>,
) -> Result<Html<String>, PageError> {
    let t = user.tr(&state);
    let notice = q.done.as_deref().map(|d| t.get(&format!("admin-done-{d}")));
    render(users_page(&state, &user, school, q.q.clone(), notice, Vec::new(), None).await?)
}

#[derive(Deserialize)]
struct CreateForm {
    login: String,
    display_name: String,
    password: String,
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    role_admin: Option<String>,
    #[serde(default)]
    role_deputy: Option<String>,
    #[serde(default)]
    role_teacher: Option<String>,
}

async fn create_user(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(f): Form<CreateForm>,
) -> Result<Response, PageError> {
    let mut roles = Vec::new();
    for (flag, role) in [
        (&f.role_admin, "admin"),
        (&f.role_deputy, "deputy"),
        (&f.role_teacher, "teacher"),
    ] {
        if flag.is_some() {
            roles.push(role.to_owned());
        }
    }
    let account = NewAccount {
        login: f.login,
        display_name: f.display_name,
        password: f.password,
        roles,
        person_id: Some(f.person_id).filter(|p| !p.trim().is_empty()),
    };
    match state
        .app
        .create_user(&user.who.principal, school, &account, &user.client)
        .await
    {
        Ok(_) => Ok(
            crate::redirect::see_other(&format!("/admin/{school}/users?done=created"))
                .into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            let built = users_page(
                &state,
                &user,
                school,
                None,
                None,
                errors.into_iter().collect(),
                Some(&account),
            )
            .await;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, built?)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, target)): Path<(SchoolId, UserId)>,
    Form(f): Form<PasswordForm>,
) -> Result<Response, PageError> {
    state
        .app
        .reset_password(&user.who.principal, target, &f.password, &user.client)
        .await?;
    Ok(crate::redirect::see_other(&format!("/admin/{school}/users?done=reset")).into_response())
}

async fn set_locked(
    state: AppState,
    user: PageUser,
    (school, target): (SchoolId, UserId),
    locked: bool,
) -> Result<Response, PageError> {
    state
        .app
        .set_locked(&user.who.principal, target, locked, &user.client)
        .await?;
    let done = if locked { "locked" } else { "unlocked" };
    let to = crate::paths::href(&format!("/admin/{school}/users"), &[("done", done)]);
    Ok(crate::redirect::see_other(&to).into_response())
}

async fn lock(
    State(state): State<AppState>,
    user: PageUser,
    Path(target): Path<(SchoolId, UserId)>,
) -> Result<Response, PageError> {
    set_locked(state, user, target, true).await
}

async fn unlock(
    State(state): State<AppState>,
    user: PageUser,
    Path(target): Path<(SchoolId, UserId)>,
) -> Result<Response, PageError> {
    set_locked(state, user, target, false).await
}

/// A person found by the search on the links page.
pub struct Found {
    /// Id to type into the form.
    pub id: String,
    /// Name.
    pub name: String,
    /// Birth date.
    pub born: String,
}

#[derive(Template)]
#[template(path = "admin/links.html")]
struct LinksPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    q: String,
    found: Vec<Found>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    relations: Vec<(String, String)>,
}

async fn links_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    q: Option<String>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
) -> Result<LinksPage<'s>, AppError> {
    let t = user.tr(state);
    // An empty query finds nobody, but still checks the right to be here.
    let found = state
        .app
        .search_people(&user.who.principal, school, q.as_deref().unwrap_or(""))
        .await?
        .into_iter()
        .map(|p| Found {
            id: p.id.to_string(),
            born: p.birth_date.map(tabel_present::date).unwrap_or_default(),
            name: p.full_name(),
        })
        .collect();
    Ok(LinksPage {
        school_id: school.to_string(),
        q: q.unwrap_or_default(),
        found,
        notice,
        errors,
        relations: Relation::ALL
            .iter()
            .map(|r| {
                (
                    r.code().to_owned(),
                    t.get(&format!("relation-{}", r.code())),
                )
            })
            .collect(),
        nav: user.nav.clone(),
        t,
    })
}

async fn links(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<UsersQuery>,
) -> Result<Html<String>, PageError> {
    let notice = q
        .done
        .as_deref()
        .map(|d| user.tr(&state).get(&format!("admin-done-{d}")));
    render(links_page(&state, &user, school, q.q.clone(), notice, Vec::new()).await?)
}

#[derive(Deserialize)]
struct LinkForm {
    parent_id: String,
    student_id: String,
    relation: String,
}

async fn link(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(f): Form<LinkForm>,
) -> Result<Response, PageError> {
    let result = async {
        let mut errors = tabel_app::FieldErrors::new();
        let parent = f
            .parent_id
            .trim()
            .parse::<PersonId>()
            .map_err(|_| errors.insert("parent_id".into(), "?".into()))
            .ok();
        let student = f
            .student_id
            .trim()
            .parse::<PersonId>()
            .map_err(|_| errors.insert("student_id".into(), "?".into()))
            .ok();
        let relation = Relation::from_code(&f.relation)
            .map_err(|_| errors.insert("relation".into(), "?".into()))
            .ok();
        match (parent, student, relation) {
            (Some(p), Some(s), Some(r)) => {
                state
                    .app
                    .link_parent(&user.who.principal, school, p, s, r, &user.client)
                    .await
            }
            _ => Err(AppError::Invalid(errors)),
        }
    }
    .await;
    match result {
        Ok(()) => Ok(
            crate::redirect::see_other(&format!("/admin/{school}/links?done=linked"))
                .into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            let built = links_page(
                &state,
                &user,
                school,
                None,
                None,
                errors.into_iter().collect(),
            )
            .await;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, built?)
        }
        Err(e) => Err(PageError::from(e)),
    }
}
