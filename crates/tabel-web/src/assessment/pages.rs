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
        .route("/assessments/approve", axum::routing::post(approve))
        .route("/assessments/publish", axum::routing::post(publish))
}

/// The schedule as a document, on the school's page (staff).
pub struct DocumentView {
    /// `draft`, `approved`, `published`.
    pub state: &'static str,
    /// The state's label.
    pub state_label: String,
    /// Versions, the latest first: number, approved on, by, basis, note, published (or "").
    pub versions: Vec<[String; 6]>,
    /// The changes awaiting approval, as lines.
    pub pending: Vec<String>,
    /// A deputy head may approve.
    pub can_approve: bool,
    /// A planner may publish the approved version.
    pub can_publish: bool,
    /// Today, `YYYY-MM-DD` (the approval's default date).
    pub today: String,
    /// A version was published before: a correction needs a note.
    pub correction: bool,
}

/// What families see: the published version, its dates and what changed for the class.
pub struct PublishedView {
    /// The version's number.
    pub version: i64,
    /// Approved on.
    pub approved_on: String,
    /// The basis.
    pub basis: String,
    /// Published at.
    pub published: String,
    /// The deputy head's note of the correction.
    pub note: String,
    /// The class's changes, as lines.
    pub changed: Vec<String>,
}

/// A change as a line: "5А · Математика · Контрольная работа: 14.10.2026, урок 3 → 21.10.2026, урок 2".
fn change_line(t: &Tr<'_>, c: &tabel_app::assessment::schedule::Change) -> String {
    use tabel_app::assessment::schedule::ChangeKind;
    let place = |a: &tabel_domain::assessment::Assessment| {
        format!(
            "{}, {} {}",
            date(a.on),
            t.get("assessments-lesson"),
            a.number
        )
    };
    let Some(a) = c.after.as_ref().or(c.before.as_ref()) else {
        return String::new();
    };
    let head = format!("{} · {} · {}", a.class_name, a.subject_name, a.title);
    let what = t.get(&format!("assessments-change-{}", c.kind.code()));
    match (c.kind, &c.before, &c.after) {
        (ChangeKind::Moved, Some(b), Some(a)) => {
            format!("{head} — {what}: {} → {}", place(b), place(a))
        }
        _ => format!("{head} — {what}: {}", place(a)),
    }
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
    /// The groups that may write instead of the whole class (planners).
    groups: Vec<(String, String)>,
    /// The works of the parallel's other classes to join (planners).
    works: Vec<(String, String)>,
    /// The document panel (the school's page, staff).
    document: Option<DocumentView>,
    /// The published version (a class's page, families).
    published: Option<PublishedView>,
    /// The class's page shows the published version (not staff).
    family: bool,
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
    let (groups, works) = match class {
        Some(c) if planner => {
            let (groups, works) = state.app.assessment_form_choices(p, c).await?;
            (
                groups
                    .into_iter()
                    .map(|(id, n)| (id.to_string(), n))
                    .collect(),
                works
                    .into_iter()
                    .map(|a| {
                        (
                            a.id.to_string(),
                            format!(
                                "{} · {} · {} · {}",
                                a.class_name,
                                date(a.on),
                                a.subject_name,
                                a.title
                            ),
                        )
                    })
                    .collect(),
            )
        }
        _ => (Vec::new(), Vec::new()),
    };
    let family = class.is_some() && !p.is_staff_of(school);
    let published = match class {
        Some(c) if family => state
            .app
            .published_assessment_schedule(p, c)
            .await?
            .map(|v| PublishedView {
                version: v.version,
                approved_on: date(v.approved_on),
                basis: v.basis,
                published: tabel_present::date_time(v.published_at),
                note: v.note,
                changed: v.changed.iter().map(|c| change_line(&t, c)).collect(),
            }),
        _ => None,
    };
    let document = match class {
        None => {
            let doc = state.app.assessment_schedule(p, school, today).await?;
            let code = doc.state.code();
            Some(DocumentView {
                state: code,
                state_label: t.get(&format!("assessments-state-{code}")),
                correction: doc.versions.iter().any(|v| v.published_at.is_some()),
                versions: doc
                    .versions
                    .iter()
                    .map(|v| {
                        [
                            v.version.to_string(),
                            date(v.approved_on),
                            v.approved_by.clone(),
                            v.basis.clone(),
                            v.note.clone(),
                            v.published_at
                                .map(tabel_present::date_time)
                                .unwrap_or_default(),
                        ]
                    })
                    .collect(),
                pending: doc.pending.iter().map(|c| change_line(&t, c)).collect(),
                can_approve: p.has_role(Role::Deputy, school),
                can_publish: may_plan(p, school).allowed()
                    && doc.state == tabel_app::assessment::schedule::ScheduleState::Approved,
                today: today.to_string(),
            })
        }
        Some(_) => None,
    };
    let rows = list
        .into_iter()
        .map(|a| Row {
            id: a.id.to_string(),
            iso: a.on.to_string(),
            broken: broken.remove(&a.id).unwrap_or_default(),
            class: match a.group_name {
                Some(g) => format!("{} ({g})", a.class_name),
                None => a.class_name,
            },
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
        groups,
        works,
        document,
        published,
        family,
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
        user.tr(&state).get(match d {
            "moved" => "assessments-moved",
            "approved" => "assessments-approved",
            "published" => "assessments-published",
            _ => "assessments-planned",
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
    group_id: String,
    #[serde(default)]
    same_work_as: String,
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
            group: match f.group_id.trim() {
                "" => None,
                g => Some(
                    g.parse()
                        .map_err(|_| AppError::invalid("group_id", "unknown"))?,
                ),
            },
            same_work_as: match f.same_work_as.trim() {
                "" => None,
                w => Some(
                    w.parse()
                        .map_err(|_| AppError::invalid("same_work_as", "no such procedure"))?,
                ),
            },
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

#[derive(Deserialize)]
struct ApproveForm {
    #[serde(default)]
    approved_on: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    note: String,
}

/// The school's staff's schedule page again, with the refusal.
async fn refused(state: &AppState, user: &PageUser, e: AppError) -> Result<Response, PageError> {
    let (status, errors) = match e {
        AppError::Invalid(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors.into_iter().collect(),
        ),
        AppError::Conflict(m) => (StatusCode::CONFLICT, vec![("schedule".to_owned(), m)]),
        e => return Err(PageError::from(e)),
    };
    let built = build(state, user, None, errors, None).await;
    render_status(status, built?)
}

/// `POST /assessments/approve`: the deputy head approves the working schedule as the next
/// version.
async fn approve(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<ApproveForm>,
) -> Result<Response, PageError> {
    let p = &user.who.principal;
    let school = state.app.home_school(p).ok_or(AppError::NotFound)?;
    let result = async {
        let approved_on = match f.approved_on.trim() {
            "" => None,
            d => Some(
                tabel_domain::calendar::parse_iso_date(d)
                    .map_err(|_| AppError::invalid("approved_on", "use YYYY-MM-DD"))?,
            ),
        };
        let input = tabel_app::assessment::schedule::ApproveInput {
            approved_on,
            basis: f.basis.clone(),
            note: f.note.clone(),
        };
        state
            .app
            .approve_assessment_schedule(p, school, &input, &user.client)
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(crate::redirect::see_other("/assessments?done=approved").into_response()),
        Err(e) => refused(&state, &user, e).await,
    }
}

/// `POST /assessments/publish`: the approved version goes to families.
async fn publish(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let p = &user.who.principal;
    let school = state.app.home_school(p).ok_or(AppError::NotFound)?;
    match state
        .app
        .publish_assessment_schedule(p, school, &user.client)
        .await
    {
        Ok(_) => Ok(crate::redirect::see_other("/assessments?done=published").into_response()),
        Err(e) => refused(&state, &user, e).await,
    }
}
