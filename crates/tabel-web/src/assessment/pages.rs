//! The schedule of assessment procedures: a class's (families too) and the school's (staff),
//! with the planning form for deputy heads and administrators.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::assessment::AssessmentInput;
use tabel_app::timetable::may_plan;
use tabel_domain::GroupId;
use tabel_domain::school::Role;
use tabel_present::date;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/assessments", get(page).post(plan))
        .route("/assessments/{id}/move", axum::routing::post(move_one))
}

/// A row of the schedule.
pub struct Row {
    /// Id.
    pub id: String,
    /// The date as `YYYY-MM-DD` (the move form's default).
    pub iso: String,
    /// The rules it breaks where it stands now (planners, from today on): the timetable changed
    /// under it. Empty: it holds.
    pub broken: Vec<String>,
    /// Class.
    pub class: String,
    /// Date.
    pub date: String,
    /// Lesson.
    pub number: u8,
    /// Subject.
    pub subject: String,
    /// Level label.
    pub level: String,
    /// Title.
    pub title: String,
    /// Override note.
    pub overridden: String,
}

#[derive(Template)]
#[template(path = "assessment/schedule.html")]
struct SchedulePage<'a> {
    t: Tr<'a>,
    nav: Nav,
    heading: String,
    class_id: String,
    rows: Vec<Row>,
    planner: bool,
    deputy: bool,
    subjects: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    export: bool,
}

#[derive(Deserialize, Default)]
struct ScheduleQuery {
    class: Option<String>,
    done: Option<String>,
}

async fn build<'s>(
    state: &'s AppState,
    user: &PageUser,
    class: Option<GroupId>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<SchedulePage<'s>, AppError> {
    let t = user.tr(state);
    let p = &user.who.principal;
    let today = state.app.today();
    let (heading, list, school) = match class {
        Some(c) => {
            let g = state.app.class(p, c, today).await?;
            (
                format!("{} · {}", t.get("assessments-title"), g.name),
                state.app.assessments_of_class(p, c).await?,
                g.school,
            )
        }
        None => {
            let school = p
                .schools()
                .into_iter()
                .find(|s| p.is_staff_of(*s))
                .ok_or(AppError::Forbidden)?;
            (
                t.get("assessments-title"),
                state.app.assessments_of_school(p, school, today).await?,
                school,
            )
        }
    };
    let planner = class.is_some() && may_plan(p, school).allowed();
    let subjects = if planner {
        state
            .app
            .subjects(p, school)
            .await?
            .into_iter()
            .map(|s| (s.id.to_string(), s.name))
            .collect()
    } else {
        Vec::new()
    };
    let mut broken: std::collections::HashMap<_, Vec<String>> = match class {
        Some(c) if planner => state
            .app
            .assessments_to_move(p, c)
            .await?
            .into_iter()
            .map(|(a, b)| (a.id, b))
            .collect(),
        _ => Default::default(),
    };
    let rows = list
        .into_iter()
        .map(|a| Row {
            id: a.id.to_string(),
            iso: a.on.to_string(),
            broken: broken.remove(&a.id).unwrap_or_default(),
            class: a.class_name,
            date: date(a.on),
            number: a.number,
            subject: a.subject_name,
            level: t.get(&format!("level-{}", a.level.code())),
            title: a.title,
            overridden: a.override_reason.unwrap_or_default(),
        })
        .collect();
    Ok(SchedulePage {
        heading,
        class_id: class.map(|c| c.to_string()).unwrap_or_default(),
        rows,
        planner,
        deputy: p.has_role(Role::Deputy, school),
        subjects,
        errors,
        notice,
        export: p.is_staff_of(school),
        nav: user.nav.clone(),
        t,
    })
}

async fn page(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<ScheduleQuery>,
) -> Result<Html<String>, PageError> {
    let class = match q.class.as_deref() {
        Some(c) => Some(c.parse::<GroupId>().map_err(|_| AppError::NotFound)?),
        None => None,
    };
    let notice = q.done.as_deref().map(|d| {
        user.tr(&state).get(if d == "moved" {
            "assessments-moved"
        } else {
            "assessments-planned"
        })
    });
    render(build(&state, &user, class, Vec::new(), notice).await?)
}

#[derive(Deserialize)]
struct PlanForm {
    class_id: String,
    subject_id: String,
    date: String,
    number: u8,
    level: String,
    minutes: u16,
    title: String,
    #[serde(default)]
    override_reason: String,
}

async fn plan(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<PlanForm>,
) -> Result<Response, PageError> {
    let class: Option<GroupId> = f.class_id.parse().ok();
    let result = async {
        let class = class.ok_or(AppError::NotFound)?;
        let g = state
            .app
            .class(&user.who.principal, class, state.app.today())
            .await?;
        let on = tabel_domain::calendar::parse_iso_date(f.date.trim())
            .map_err(|_| AppError::invalid("date", "use YYYY-MM-DD"))?;
        let input = AssessmentInput {
            class: f.class_id.trim().parse().ok(),
            subject: f.subject_id.trim().parse().ok(),
            date: on,
            number: f.number,
            level: f.level.clone(),
            minutes: f.minutes,
            title: f.title.clone(),
            override_reason: Some(f.override_reason.clone()),
        };
        state
            .app
            .plan_assessment(&user.who.principal, g.school, &input, &user.client)
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(crate::redirect::see_other(&crate::paths::href(
            "/assessments",
            &(("class", f.class_id.trim()), ("done", 1)),
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let built = build(&state, &user, class, errors.into_iter().collect(), None).await;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, built?)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Deserialize)]
struct MoveForm {
    class_id: String,
    date: String,
    number: u8,
    #[serde(default)]
    override_reason: String,
}

/// Moves a procedure the timetable no longer allows where it stands (planners); the rules'
/// refusals come back on the schedule page.
async fn move_one(
    State(state): State<AppState>,
    user: PageUser,
    crate::paths::Path(id): crate::paths::Path<tabel_domain::AssessmentId>,
    Form(f): Form<MoveForm>,
) -> Result<Response, PageError> {
    let class: Option<GroupId> = f.class_id.trim().parse().ok();
    let result = match tabel_domain::calendar::parse_iso_date(f.date.trim()) {
        Ok(on) => {
            state
                .app
                .move_assessment(
                    &user.who.principal,
                    id,
                    (on, f.number),
                    Some(&f.override_reason),
                    &user.client,
                )
                .await
        }
        Err(_) => Err(AppError::invalid("date", "use YYYY-MM-DD")),
    };
    match result {
        Ok(a) => Ok(crate::redirect::see_other(&crate::paths::href(
            "/assessments",
            &(("class", a.class.to_string()), ("done", "moved")),
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let built = build(&state, &user, class, errors.into_iter().collect(), None).await;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, built?)
        }
        Err(e) => Err(PageError::from(e)),
    }
}
