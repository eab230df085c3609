//! The pages under `/admin/{school}/structure/…`: the load table, groups and their pupils, the
//! curriculum, staff with roles. Forms post and come back with 303 on success; a refusal shows
//! the page again with what was refused (409 or 422) and nothing changed.

use super::*;
use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::home::role_label;
use crate::i18n::Tr;
use crate::paths::{Path, field_id};
use crate::redirect::see_other;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::teaching::{
    NewAssignment, NewPlanLine, NewStaffMember, NewStudyGroup, PlanFor, StaffEdit,
};
use tabel_domain::school::{AcademicYear, GroupKind};
use tabel_domain::{
    AcademicYearId, AssignmentId, CurriculumItemId, GroupId, MembershipId, PersonId, SchoolId,
};
use tabel_present::date as shown;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/{school}/structure/assignments",
            get(assignments).post(create_assignment),
        )
        .route(
            "/admin/{school}/structure/assignments/{id}/hours",
            post(assignment_hours),
        )
        .route(
            "/admin/{school}/structure/assignments/{id}/end",
            post(end_assignment),
        )
        .route(
            "/admin/{school}/structure/assignments/{id}/delete",
            post(delete_assignment),
        )
        .route(
            "/admin/{school}/structure/groups",
            get(groups).post(create_group),
        )
        .route(
            "/admin/{school}/structure/groups/{id}/rename",
            post(rename_group),
        )
        .route(
            "/admin/{school}/structure/groups/{id}/delete",
            post(delete_group),
        )
        .route(
            "/admin/{school}/structure/groups/{id}/pupils",
            get(pupils).post(add_pupils),
        )
        .route(
            "/admin/{school}/structure/groups/{id}/pupils/{membership}/end",
            post(end_membership),
        )
        .route(
            "/admin/{school}/structure/curriculum",
            get(curriculum).post(add_line),
        )
        .route(
            "/admin/{school}/structure/curriculum/{id}",
            post(change_line),
        )
        .route(
            "/admin/{school}/structure/curriculum/{id}/delete",
            post(delete_line),
        )
        .route(
            "/admin/{school}/structure/staff",
            get(staff).post(add_staff),
        )
        .route("/admin/{school}/structure/staff/{id}", post(change_staff))
        .route("/admin/{school}/structure/staff/{id}/leave", post(leave))
}

/// `?year=&done=`
#[derive(Deserialize, Default)]
struct PageQuery {
    year: Option<String>,
    done: Option<String>,
}

fn year_of_query(raw: Option<&str>) -> Result<Option<AcademicYearId>, PageError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| PageError::not_found()),
    }
}

/// A year picker's options: id, label, whether chosen.
fn year_options(years: &[AcademicYear], chosen: &AcademicYear) -> Vec<(String, String, bool)> {
    years
        .iter()
        .map(|y| (y.id.to_string(), y.label.clone(), y.id == chosen.id))
        .collect()
}

/// What a failed form shows: 409 or 422 with the reason; anything else is the error page.
fn refusal(t: &Tr<'_>, e: tabel_app::AppError) -> Result<(StatusCode, String), PageError> {
    use tabel_app::AppError;
    match e {
        AppError::Invalid(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "{} {}",
                t.get("teaching-refused"),
                errors
                    .into_iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )),
        AppError::Conflict(why) => Ok((
            StatusCode::CONFLICT,
            format!("{} {why}", t.get("teaching-refused")),
        )),
        other => Err(PageError::from(other)),
    }
}

fn done(t: &Tr<'_>, q: &PageQuery) -> Option<String> {
    q.done.as_ref().map(|_| t.get("teaching-done"))
}

fn back(school: SchoolId, page: &str, year: Option<&str>) -> Response {
    let year = year.filter(|y| !y.trim().is_empty());
    see_other(&crate::paths::href(
        &format!("/admin/{school}/structure/{page}"),
        &(("year", year), ("done", "1")),
    ))
    .into_response()
}

fn hours_shown(h: Option<tabel_domain::calendar::WeeklyHours>) -> String {
    h.map_or_else(String::new, |h| h.to_string())
}

// ---------------------------------------------------------------------------------------------
// Assignments.

struct AssignmentRow {
    id: String,
    teacher: String,
    group: String,
    subject: String,
    hours: String,
    from: String,
    until: String,
    running: bool,
}

struct LoadRow {
    teacher: String,
    hours: String,
    running: usize,
}

#[derive(Template)]
#[template(path = "teaching/assignments.html")]
struct AssignmentsPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    year_id: String,
    years: Vec<(String, String, bool)>,
    on: String,
    rows: Vec<AssignmentRow>,
    loads: Vec<LoadRow>,
    teachers: Vec<(String, String)>,
    groups: Vec<(String, String)>,
    subjects: Vec<(String, String)>,
    notice: Option<String>,
    refused: Option<String>,
}

async fn assignments_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    year: Option<AcademicYearId>,
    notice: Option<String>,
    refused: Option<String>,
) -> Result<AssignmentsPage<'s>, PageError> {
    let v = state
        .app
        .assignments(&user.who.principal, school, year)
        .await?;
    let t = user.tr(state);
    Ok(AssignmentsPage {
        school_id: school.to_string(),
        year_id: v.year.id.to_string(),
        years: year_options(&v.years, &v.year),
        on: shown(v.on),
        rows: v
            .lines
            .iter()
            .map(|a| AssignmentRow {
                id: a.id.to_string(),
                teacher: a.teacher_name.clone(),
                group: a.group_name.clone(),
                subject: a.subject_name.clone(),
                hours: hours_shown(a.hours),
                from: shown(a.starts_on),
                until: a.ends_on.map(shown).unwrap_or_default(),
                running: a.ends_on.is_none_or(|e| e >= v.on),
            })
            .collect(),
        loads: v
            .loads
            .iter()
            .map(|l| LoadRow {
                teacher: l.name.clone(),
                hours: l.hours.to_string(),
                running: l.running,
            })
            .collect(),
        teachers: v
            .teachers
            .iter()
            .map(|(id, n)| (id.to_string(), n.clone()))
            .collect(),
        groups: v
            .groups
            .iter()
            .map(|g| {
                let kind = t.get(&format!("teaching-kind-{}", g.kind.code()));
                (g.id.to_string(), format!("{} ({kind})", g.name))
            })
            .collect(),
        subjects: v
            .subjects
            .iter()
            .map(|s| (s.id.to_string(), s.name.clone()))
            .collect(),
        notice,
        refused,
        nav: user.nav.clone(),
        t,
    })
}

async fn assignments(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, PageError> {
    let t = user.tr(&state);
    let year = year_of_query(q.year.as_deref())?;
    render(assignments_page(&state, &user, school, year, done(&t, &q), None).await?)
}

/// Shows the load page again with a refusal.
async fn assignments_refused(
    state: &AppState,
    user: &PageUser,
    school: SchoolId,
    year: Option<&str>,
    e: tabel_app::AppError,
) -> Result<Response, PageError> {
    let (status, why) = refusal(&user.tr(state), e)?;
    let year = year_of_query(year).unwrap_or(None);
    render_status(
        status,
        assignments_page(state, user, school, year, None, Some(why)).await?,
    )
}

#[derive(Deserialize)]
struct AssignmentForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    teacher: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    starts_on: String,
}

async fn create_assignment(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(f): Form<AssignmentForm>,
) -> Result<Response, PageError> {
    let result = async {
        let cmd = NewAssignment {
            teacher: field_id("teacher", &f.teacher)?,
            group: field_id("group", &f.group)?,
            subject: field_id("subject", &f.subject)?,
            hours: match f.hours.trim() {
                "" => None,
                h => Some(hours_field("hours", h)?),
            },
            starts_on: optional_date("starts_on", Some(&f.starts_on))?,
        };
        state
            .app
            .create_assignment(&user.who.principal, school, &cmd, &user.client)
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(back(school, "assignments", Some(&f.year))),
        Err(e) => assignments_refused(&state, &user, school, Some(&f.year), e).await,
    }
}

#[derive(Deserialize)]
struct HoursForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    hours: String,
}

async fn assignment_hours(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, id)): Path<(SchoolId, AssignmentId)>,
    Form(f): Form<HoursForm>,
) -> Result<Response, PageError> {
    let result = async {
        let hours = match f.hours.trim() {
            "" => None,
            h => Some(hours_field("hours", h)?),
        };
        state
            .app
            .set_assignment_hours(&user.who.principal, school, id, hours, &user.client)
            .await
    }
    .await;
    match result {
        Ok(()) => Ok(back(school, "assignments", Some(&f.year))),
        Err(e) => assignments_refused(&state, &user, school, Some(&f.year), e).await,
    }
}

#[derive(Deserialize)]
struct EndForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    ends_on: String,
}

async fn end_assignment(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, id)): Path<(SchoolId, AssignmentId)>,
    Form(f): Form<EndForm>,
) -> Result<Response, PageError> {
    let result = async {
        let last = date_field("ends_on", &f.ends_on)?;
        state
            .app
            .end_assignment(&user.who.principal, school, id, last, &user.client)
            .await
    }
    .await;
    match result {
        Ok(()) => Ok(back(school, "assignments", Some(&f.year))),
        Err(e) => assignments_refused(&state, &user, school, Some(&f.year), e).await,
    }
}

#[derive(Deserialize)]
struct YearForm {
    #[serde(default)]
    year: String,
}

async fn delete_assignment(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, id)): Path<(SchoolId, AssignmentId)>,
    Form(f): Form<YearForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .delete_assignment(&user.who.principal, school, id, &user.client)
        .await
    {
        Ok(()) => Ok(back(school, "assignments", Some(&f.year))),
        Err(e) => assignments_refused(&state, &user, school, Some(&f.year), e).await,
    }
}

// ---------------------------------------------------------------------------------------------
// Groups.

struct GroupRow {
    id: String,
    name: String,
    kind: String,
    takes_pupils: bool,
    of: String,
    subject: String,
    members: i64,
}

#[derive(Template)]
#[template(path = "teaching/groups.html")]
struct GroupsPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    year_id: String,
    years: Vec<(String, String, bool)>,
    rows: Vec<GroupRow>,
    classes: Vec<(String, String)>,
    subjects: Vec<(String, String)>,
    pupils: Vec<(String, String)>,
    notice: Option<String>,
    refused: Option<String>,
}

async fn groups_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    year: Option<AcademicYearId>,
    notice: Option<String>,
    refused: Option<String>,
) -> Result<GroupsPage<'s>, PageError> {
    let v = state
        .app
        .study_groups(&user.who.principal, school, year)
        .await?;
    let t = user.tr(state);
    Ok(GroupsPage {
        school_id: school.to_string(),
        year_id: v.year.id.to_string(),
        years: year_options(&v.years, &v.year),
        rows: v
            .groups
            .iter()
            .map(|l| GroupRow {
                id: l.group.id.to_string(),
                name: l.group.name.clone(),
                kind: t.get(&format!("teaching-kind-{}", l.group.kind.code())),
                takes_pupils: tabel_domain::teaching::takes_pupils_here(l.group.kind),
                of: match (&l.parent_name, l.classes.is_empty()) {
                    (Some(p), _) => p.clone(),
                    (None, false) => l.classes.join(", "),
                    (None, true) => String::new(),
                },
                subject: l.group.subject.clone().unwrap_or_default(),
                members: l.group.members,
            })
            .collect(),
        classes: v
            .groups
            .iter()
            .filter(|l| l.group.kind == GroupKind::Class)
            .map(|l| (l.group.id.to_string(), l.group.name.clone()))
            .collect(),
        subjects: v
            .subjects
            .iter()
            .map(|s| (s.id.to_string(), s.name.clone()))
            .collect(),
        pupils: v
            .pupils
            .iter()
            .map(|(id, n)| (id.to_string(), n.clone()))
            .collect(),
        notice,
        refused,
        nav: user.nav.clone(),
        t,
    })
}

async fn groups(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, PageError> {
    let t = user.tr(&state);
    let year = year_of_query(q.year.as_deref())?;
    render(groups_page(&state, &user, school, year, done(&t, &q), None).await?)
}

async fn groups_refused(
    state: &AppState,
    user: &PageUser,
    school: SchoolId,
    year: Option<&str>,
    e: tabel_app::AppError,
) -> Result<Response, PageError> {
    let (status, why) = refusal(&user.tr(state), e)?;
    let year = year_of_query(year).unwrap_or(None);
    render_status(
        status,
        groups_page(state, user, school, year, None, Some(why)).await?,
    )
}

/// The group form: `classes` repeats (one per ticked class), which a struct cannot take, so
/// the form is read as pairs.
async fn create_group(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let one = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let year = one("year");
    let result = async {
        if pairs.len() > 100 {
            return Err(tabel_app::AppError::invalid("classes", "too many fields"));
        }
        let optional = |name: &str| -> Result<Option<GroupId>, tabel_app::AppError> {
            match one(name).as_str() {
                "" => Ok(None),
                s => field_id(name, s).map(Some),
            }
        };
        let cmd = NewStudyGroup {
            year: match year.as_str() {
                "" => None,
                s => Some(field_id("year", s)?),
            },
            kind: GroupKind::from_code(&one("kind"))
                .map_err(|_| tabel_app::AppError::invalid("kind", "choose the kind"))?,
            name: capped("name", &one("name"), 1000)?,
            parent: optional("parent")?,
            subject: match one("subject").as_str() {
                "" => None,
                s => Some(field_id("subject", s)?),
            },
            classes: pairs
                .iter()
                .filter(|(k, _)| k == "classes")
                .map(|(_, v)| field_id("classes", v))
                .collect::<Result<_, _>>()?,
            pupil: match one("pupil").as_str() {
                "" => None,
                s => Some(field_id("pupil", s)?),
            },
            starts_on: optional_date("starts_on", Some(&one("starts_on")))?,
        };
        state
            .app
            .create_study_group(&user.who.principal, school, &cmd, &user.client)
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(back(school, "groups", Some(&year))),
        Err(e) => groups_refused(&state, &user, school, Some(&year), e).await,
    }
}

#[derive(Deserialize)]
struct RenameForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    name: String,
}

async fn rename_group(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, id)): Path<(SchoolId, GroupId)>,
    Form(f): Form<RenameForm>,
) -> Result<Response, PageError> {
    let result = async {
        let name = capped("name", &f.name, 1000)?;
        state
            .app
            .rename_study_group(&user.who.principal, school, id, &name, &user.client)
            .await
    }
    .await;
    match result {
        Ok(()) => Ok(back(school, "groups", Some(&f.year))),
        Err(e) => groups_refused(&state, &user, school, Some(&f.year), e).await,
    }
}

async fn delete_group(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, id)): Path<(SchoolId, GroupId)>,
    Form(f): Form<YearForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .delete_study_group(&user.who.principal, school, id, &user.client)
        .await
    {
        Ok(()) => Ok(back(school, "groups", Some(&f.year))),
        Err(e) => groups_refused(&state, &user, school, Some(&f.year), e).await,
    }
}

struct MembershipRow {
    id: String,
    name: String,
    from: String,
    until: String,
    open: bool,
}

#[derive(Template)]
#[template(path = "teaching/pupils.html")]
struct PupilsPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    group_id: String,
    group: String,
    year_id: String,
    today: String,
    rows: Vec<MembershipRow>,
    candidates: Vec<(String, String)>,
    notice: Option<String>,
    refused: Option<String>,
}

async fn pupils_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    group: GroupId,
    notice: Option<String>,
    refused: Option<String>,
) -> Result<PupilsPage<'s>, PageError> {
    let v = state
        .app
        .group_pupils(&user.who.principal, school, group)
        .await?;
    Ok(PupilsPage {
        t: user.tr(state),
        nav: user.nav.clone(),
        school_id: school.to_string(),
        group_id: group.to_string(),
        group: v.group.name.clone(),
        year_id: v.year.id.to_string(),
        today: shown(v.today),
        rows: v
            .memberships
            .iter()
            .map(|m| MembershipRow {
                id: m.id.to_string(),
                name: m.name.clone(),
                from: shown(m.starts_on),
                until: m.ends_on.map(shown).unwrap_or_default(),
                open: m.ends_on.is_none_or(|e| e >= v.today),
            })
            .collect(),
        candidates: v
            .candidates
            .iter()
            .map(|(id, n)| (id.to_string(), n.clone()))
            .collect(),
        notice,
        refused,
    })
}

async fn pupils(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, group)): Path<(SchoolId, GroupId)>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, PageError> {
    let t = user.tr(&state);
    render(pupils_page(&state, &user, school, group, done(&t, &q), None).await?)
}

async fn pupils_after(
    state: &AppState,
    user: &PageUser,
    school: SchoolId,
    group: GroupId,
    result: Result<(), tabel_app::AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/admin/{school}/structure/groups/{group}/pupils?done=1"
        ))
        .into_response()),
        Err(e) => {
            let (status, why) = refusal(&user.tr(state), e)?;
            render_status(
                status,
                pupils_page(state, user, school, group, None, Some(why)).await?,
            )
        }
    }
}

async fn add_pupils(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, group)): Path<(SchoolId, GroupId)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let result = async {
        if pairs.len() > 250 {
            return Err(tabel_app::AppError::invalid(
                "pupils",
                "too many pupils at once",
            ));
        }
        let chosen: Vec<PersonId> = pairs
            .iter()
            .filter(|(k, _)| k == "pupils")
            .map(|(_, v)| field_id("pupils", v))
            .collect::<Result<_, _>>()?;
        let from_raw = pairs
            .iter()
            .find(|(k, _)| k == "starts_on")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        let from = date_field("starts_on", from_raw)?;
        state
            .app
            .add_group_pupils(
                &user.who.principal,
                school,
                group,
                &chosen,
                from,
                &user.client,
            )
            .await
            .map(|_| ())
    }
    .await;
    pupils_after(&state, &user, school, group, result).await
}

async fn end_membership(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, group, id)): Path<(SchoolId, GroupId, MembershipId)>,
    Form(f): Form<EndForm>,
) -> Result<Response, PageError> {
    let result = async {
        let last = date_field("ends_on", &f.ends_on)?;
        state
            .app
            .end_group_membership(&user.who.principal, school, group, id, last, &user.client)
            .await
    }
    .await;
    pupils_after(&state, &user, school, group, result).await
}

// ---------------------------------------------------------------------------------------------
// The curriculum.

struct PlanRow {
    id: String,
    target: String,
    subject: String,
    hours: String,
    chosen: bool,
    part: String,
    yearly: i64,
}

struct TotalRow {
    grade: u8,
    compulsory: String,
    chosen: String,
}

#[derive(Template)]
#[template(path = "teaching/curriculum.html")]
struct CurriculumPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    year_id: String,
    years: Vec<(String, String, bool)>,
    rows: Vec<PlanRow>,
    totals: Vec<TotalRow>,
    targets: Vec<(String, String)>,
    subjects: Vec<(String, String)>,
    notice: Option<String>,
    refused: Option<String>,
}

async fn curriculum_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    year: Option<AcademicYearId>,
    notice: Option<String>,
    refused: Option<String>,
) -> Result<CurriculumPage<'s>, PageError> {
    let v = state
        .app
        .curriculum(&user.who.principal, school, year)
        .await?;
    let t = user.tr(state);
    let grade_label = |g: u8| t.with("teaching-grade-n", "grade", i64::from(g));
    let mut targets: Vec<(String, String)> = v
        .grades
        .iter()
        .map(|g| (format!("grade:{g}"), grade_label(*g)))
        .collect();
    targets.extend(
        v.groups
            .iter()
            .map(|g| (format!("group:{}", g.id), g.name.clone())),
    );
    Ok(CurriculumPage {
        school_id: school.to_string(),
        year_id: v.year.id.to_string(),
        years: year_options(&v.years, &v.year),
        rows: v
            .lines
            .iter()
            .map(|l| PlanRow {
                id: l.id.to_string(),
                target: match (&l.grade, &l.group_name) {
                    (Some(g), _) => grade_label(*g),
                    (None, Some(n)) => n.clone(),
                    (None, None) => String::new(),
                },
                subject: l.subject_name.clone(),
                hours: l.weekly.to_string(),
                chosen: l.part == CurriculumPart::Chosen,
                part: t.get(&format!("teaching-part-{}", l.part.code())),
                yearly: l.yearly,
            })
            .collect(),
        totals: v
            .totals
            .iter()
            .map(|(g, c, ch)| TotalRow {
                grade: *g,
                compulsory: c.to_string(),
                chosen: ch.to_string(),
            })
            .collect(),
        targets,
        subjects: v
            .subjects
            .iter()
            .map(|s| (s.id.to_string(), s.name.clone()))
            .collect(),
        notice,
        refused,
        nav: user.nav.clone(),
        t,
    })
}

async fn curriculum(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, PageError> {
    let t = user.tr(&state);
    let year = year_of_query(q.year.as_deref())?;
    render(curriculum_page(&state, &user, school, year, done(&t, &q), None).await?)
}

async fn curriculum_after(
    state: &AppState,
    user: &PageUser,
    school: SchoolId,
    year: &str,
    result: Result<(), tabel_app::AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(back(school, "curriculum", Some(year))),
        Err(e) => {
            let (status, why) = refusal(&user.tr(state), e)?;
            let year = year_of_query(Some(year)).unwrap_or(None);
            render_status(
                status,
                curriculum_page(state, user, school, year, None, Some(why)).await?,
            )
        }
    }
}

#[derive(Deserialize)]
struct LineForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    part: String,
}

async fn add_line(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(f): Form<LineForm>,
) -> Result<Response, PageError> {
    let result = async {
        let target = match f.target.trim().split_once(':') {
            Some(("grade", g)) => PlanFor::Grade(
                g.parse()
                    .map_err(|_| tabel_app::AppError::invalid("target", "choose a parallel"))?,
            ),
            Some(("group", g)) => PlanFor::Group(field_id("target", g)?),
            _ => {
                return Err(tabel_app::AppError::invalid(
                    "target",
                    "choose a parallel or a group",
                ));
            }
        };
        let cmd = NewPlanLine {
            year: match f.year.trim() {
                "" => None,
                s => Some(field_id("year", s)?),
            },
            target,
            subject: field_id("subject", &f.subject)?,
            weekly: hours_field("hours", &f.hours)?,
            part: part_field(&f.part)?,
        };
        state
            .app
            .add_plan_line(&user.who.principal, school, &cmd, &user.client)
            .await
            .map(|_| ())
    }
    .await;
    curriculum_after(&state, &user, school, &f.year, result).await
}

async fn change_line(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, id)): Path<(SchoolId, CurriculumItemId)>,
    Form(f): Form<LineForm>,
) -> Result<Response, PageError> {
    let result = async {
        let weekly = hours_field("hours", &f.hours)?;
        let part = part_field(&f.part)?;
        state
            .app
            .update_plan_line(&user.who.principal, school, id, weekly, part, &user.client)
            .await
    }
    .await;
    curriculum_after(&state, &user, school, &f.year, result).await
}

async fn delete_line(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, id)): Path<(SchoolId, CurriculumItemId)>,
    Form(f): Form<YearForm>,
) -> Result<Response, PageError> {
    let result = state
        .app
        .delete_plan_line(&user.who.principal, school, id, &user.client)
        .await;
    curriculum_after(&state, &user, school, &f.year, result).await
}

// ---------------------------------------------------------------------------------------------
// Staff.

struct StaffRow {
    id: String,
    name: String,
    position: String,
    roles: String,
    role_codes: Vec<&'static str>,
    login: String,
    assignments: i64,
    classes: String,
    left_on: String,
}

#[derive(Template)]
#[template(path = "teaching/staff.html")]
struct StaffPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    rows: Vec<StaffRow>,
    grantable: Vec<(&'static str, String)>,
    notice: Option<String>,
    refused: Option<String>,
}

async fn staff_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    notice: Option<String>,
    refused: Option<String>,
) -> Result<StaffPage<'s>, PageError> {
    let v = state.app.staff_lines(&user.who.principal, school).await?;
    let t = user.tr(state);
    Ok(StaffPage {
        school_id: school.to_string(),
        rows: v
            .lines
            .iter()
            .map(|s| StaffRow {
                id: s.person.to_string(),
                name: s.name.clone(),
                position: s.position.clone(),
                roles: s
                    .roles
                    .iter()
                    .map(|r| role_label(&t, *r))
                    .collect::<Vec<_>>()
                    .join(", "),
                role_codes: s.roles.iter().map(|r| r.code()).collect(),
                login: s.login.clone().unwrap_or_default(),
                assignments: s.assignments,
                classes: s.class_teacher_of.join(", "),
                left_on: s.left_on.map(shown).unwrap_or_default(),
            })
            .collect(),
        grantable: tabel_domain::school::Role::GRANTABLE
            .iter()
            .map(|r| (r.code(), role_label(&t, *r)))
            .collect(),
        notice,
        refused,
        nav: user.nav.clone(),
        t,
    })
}

async fn staff(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, PageError> {
    let t = user.tr(&state);
    render(staff_page(&state, &user, school, done(&t, &q), None).await?)
}

async fn staff_after(
    state: &AppState,
    user: &PageUser,
    school: SchoolId,
    result: Result<(), tabel_app::AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(back(school, "staff", None)),
        Err(e) => {
            let (status, why) = refusal(&user.tr(state), e)?;
            render_status(
                status,
                staff_page(state, user, school, None, Some(why)).await?,
            )
        }
    }
}

/// The roles ticked in a staff form (`role_admin`, `role_deputy`, `role_teacher`).
fn ticked_roles(pairs: &[(String, String)]) -> Result<Vec<String>, tabel_app::AppError> {
    Ok(pairs
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("role_"))
        .map(str::to_owned)
        .collect())
}

fn field<'p>(pairs: &'p [(String, String)], name: &str) -> &'p str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

async fn add_staff(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let result = async {
        let name = values::full_name(&capped("name", field(&pairs, "name"), 300)?)
            .map_err(|m| tabel_app::AppError::invalid("name", m))?;
        let sex = match field(&pairs, "sex").trim() {
            "" => None,
            s => Some(values::sex(s).map_err(|m| tabel_app::AppError::invalid("sex", m))?),
        };
        let mut roles = roles_field(&ticked_roles(&pairs)?)?;
        if roles.is_empty() {
            roles.push(tabel_domain::school::Role::Teacher);
        }
        let cmd = NewStaffMember {
            name,
            sex,
            birth_date: optional_date("birth_date", Some(field(&pairs, "birth_date")))?,
            position: capped("position", field(&pairs, "position"), 1000)?,
            roles,
        };
        state
            .app
            .add_staff(&user.who.principal, school, &cmd, &user.client)
            .await
            .map(|_| ())
    }
    .await;
    staff_after(&state, &user, school, result).await
}

async fn change_staff(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, id)): Path<(SchoolId, PersonId)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let result = async {
        let edit = StaffEdit {
            position: Some(capped("position", field(&pairs, "position"), 1000)?),
            roles: Some(roles_field(&ticked_roles(&pairs)?)?),
        };
        state
            .app
            .update_staff(&user.who.principal, school, id, &edit, &user.client)
            .await
    }
    .await;
    staff_after(&state, &user, school, result).await
}

async fn leave(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, id)): Path<(SchoolId, PersonId)>,
    Form(f): Form<EndForm>,
) -> Result<Response, PageError> {
    let result = async {
        let last = date_field("ends_on", &f.ends_on)?;
        state
            .app
            .staff_left(&user.who.principal, school, id, last, &user.client)
            .await
    }
    .await;
    staff_after(&state, &user, school, result).await
}
