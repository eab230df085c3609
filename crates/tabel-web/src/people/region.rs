//! `/region`: the regional administrator's page — the region's schools, and a form to create a
//! school with its first administrator (the same use case as `tabel school add`). Anyone who
//! administers no region gets 404.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
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
use tabel_app::people::region::{NewRegionSchool, RegionView};
use tabel_domain::RegionId;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/region", get(page))
        .route("/region/{region}/schools", post(create))
}

/// A school as the region's list shows it.
struct SchoolRow {
    id: String,
    name: String,
    short_name: String,
    municipality: String,
    time_zone: String,
}

/// A region with its schools.
struct RegionBlock {
    id: String,
    name: String,
    schools: Vec<SchoolRow>,
}

#[derive(Template)]
#[template(path = "people/region.html")]
struct RegionPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    regions: Vec<RegionBlock>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    form: CreateForm,
}

#[derive(Deserialize, Default, Clone)]
struct CreateForm {
    name: String,
    short_name: String,
    municipality: String,
    time_zone: String,
    admin_login: String,
    admin_name: String,
    #[serde(default)]
    admin_password: String,
}

fn blocks(regions: Vec<RegionView>) -> Vec<RegionBlock> {
    regions
        .into_iter()
        .map(|r| RegionBlock {
            id: r.id.to_string(),
            name: r.name,
            schools: r
                .schools
                .into_iter()
                .map(|s| SchoolRow {
                    id: s.id.to_string(),
                    name: s.name,
                    short_name: s.short_name,
                    municipality: s.municipality,
                    time_zone: s.time_zone,
                })
                .collect(),
        })
        .collect()
}

#[derive(Deserialize, Default)]
struct PageQuery {
    done: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, PageError> {
    let regions = state.app.region_overview(&user.who.principal).await?;
    let t = user.tr(&state);
    let notice = q
        .done
        .as_deref()
        .filter(|d| *d == "created")
        .map(|_| t.get("region-done-created"));
    render(RegionPage {
        regions: blocks(regions),
        notice,
        errors: Vec::new(),
        form: CreateForm {
            time_zone: "Europe/Moscow".into(),
            ..CreateForm::default()
        },
        nav: user.nav.clone(),
        t,
    })
}

async fn create(
    State(state): State<AppState>,
    user: PageUser,
    Path(region): Path<RegionId>,
    Form(f): Form<CreateForm>,
) -> Result<Response, PageError> {
    let school = NewRegionSchool {
        name: f.name.clone(),
        short_name: f.short_name.clone(),
        municipality: f.municipality.clone(),
        time_zone: f.time_zone.clone(),
    };
    let admin = NewAccount {
        login: f.admin_login.clone(),
        display_name: f.admin_name.clone(),
        password: f.admin_password.clone(),
        roles: vec!["admin".into()],
        person_id: None,
    };
    match state
        .app
        .region_create_school(&user.who.principal, region, &school, &admin, &user.client)
        .await
    {
        Ok(_) => Ok(crate::redirect::see_other("/region?done=created").into_response()),
        Err(AppError::Invalid(errors)) => {
            let regions = state.app.region_overview(&user.who.principal).await?;
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                RegionPage {
                    regions: blocks(regions),
                    notice: None,
                    errors: errors.into_iter().collect(),
                    form: CreateForm {
                        admin_password: String::new(),
                        ..f
                    },
                    nav: user.nav.clone(),
                    t: user.tr(&state),
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}
