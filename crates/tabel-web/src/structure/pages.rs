//! The structure pages: the hub and its sections (card, subjects, classes, years, calendar).
//! Forms post and redirect (303) with a notice; a refused form comes back (422) with the
//! reasons, what depends on a row named in the page's language.

use super::dependants_text;
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
use tabel_app::structure::{
    CardInput, ClassInput, ClassUpdate, DayInput, ParallelInput, ParallelUpdate, PeriodInput,
    SubjectInput, YearInput,
};
use tabel_app::{AppError, FieldErrors};
use tabel_domain::journal::Scale;
use tabel_domain::school::{DayOffKind, PeriodKind};
use tabel_domain::{AcademicYearId, GroupId, HolidayId, ParallelId, PeriodId, SchoolId, SubjectId};
use tabel_present::date;

pub(crate) fn router() -> Router<AppState> {
    let base = "/admin/{school}/structure";
    Router::new()
        .route(base, get(hub))
        .route(&format!("{base}/card"), get(card).post(save_card))
        .route(
            &format!("{base}/subjects"),
            get(subjects).post(create_subject),
        )
        .route(
            &format!("{base}/subjects/{{subject}}"),
            post(update_subject),
        )
        .route(
            &format!("{base}/subjects/{{subject}}/scale"),
            post(set_scale),
        )
        .route(&format!("{base}/subjects/{{subject}}/retire"), post(retire))
        .route(
            &format!("{base}/subjects/{{subject}}/unretire"),
            post(unretire),
        )
        .route(
            &format!("{base}/subjects/{{subject}}/delete"),
            post(delete_subject),
        )
        .route(&format!("{base}/classes"), get(classes).post(create_class))
        .route(&format!("{base}/classes/{{class}}"), post(update_class))
        .route(
            &format!("{base}/classes/{{class}}/delete"),
            post(delete_class),
        )
        .route(&format!("{base}/years"), get(years).post(create_year))
        .route(&format!("{base}/periods/{{period}}"), post(update_period))
        .route(
            &format!("{base}/parallels/{{parallel}}"),
            post(update_parallel),
        )
        .route(&format!("{base}/calendar"), get(calendar).post(add_day))
        .route(&format!("{base}/calendar/{{day}}/delete"), post(remove_day))
        .route(&format!("{base}/calendar/short-days"), post(add_short_day))
        .route(
            &format!("{base}/calendar/short-days/{{date}}/delete"),
            post(remove_short_day),
        )
}

/// `?done=created&year=12`
#[derive(Deserialize, Default)]
struct Done {
    done: Option<String>,
    year: Option<String>,
}

impl Done {
    fn notice(&self, t: &Tr<'_>) -> Option<String> {
        self.done
            .as_deref()
            .filter(|d| d.chars().all(|c| c.is_ascii_lowercase() || c == '-') && d.len() < 32)
            .map(|d| t.get(&format!("structure-done-{d}")))
    }

    /// A year named by the query; one that does not parse names nothing (404).
    fn year(&self) -> Result<Option<AcademicYearId>, PageError> {
        match self.year.as_deref().filter(|y| !y.is_empty()) {
            None => Ok(None),
            Some(y) => y.parse().map(Some).map_err(|_| PageError::not_found()),
        }
    }
}

fn see_other(school: SchoolId, section: &str, done: &str, year: Option<&str>) -> Response {
    let path = format!("/admin/{school}/structure/{section}");
    let to = match year {
        Some(y) => crate::paths::href(&path, &[("done", done), ("year", y)]),
        None => crate::paths::href(&path, &[("done", done)]),
    };
    crate::redirect::see_other(&to).into_response()
}

/// A date typed on a page: `28.11.2026` or ISO (what `<input type=date>` sends), as ISO for
/// the use case (which refuses anything else).
fn page_date(raw: &str) -> String {
    let s = raw.trim();
    let parts: Vec<&str> = s.split('.').collect();
    match parts.as_slice() {
        [d, m, y] if y.len() == 4 => format!("{y}-{m:0>2}-{d:0>2}"),
        _ => s.to_owned(),
    }
}

fn optional(raw: &str) -> Option<String> {
    Some(raw.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A number typed into a field, or that field's error.
fn number<T: std::str::FromStr>(field: &str, raw: &str, errors: &mut FieldErrors) -> Option<T> {
    raw.trim()
        .parse()
        .map_err(|_| errors.insert(field.into(), "?".into()))
        .ok()
}

fn errors_of(e: FieldErrors) -> Vec<(String, String)> {
    e.into_iter().collect()
}

// ---------------------------------------------------------------------------------------- hub

#[derive(Template)]
#[template(path = "structure/hub.html")]
struct HubPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    name: String,
    short_name: String,
    code: String,
    address: String,
    director: String,
    time_zone: String,
    year: String,
    classes: usize,
    subjects: usize,
    retired: usize,
}

async fn hub(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
) -> Result<Html<String>, PageError> {
    let s = state
        .app
        .structure_summary(&user.who.principal, school)
        .await?;
    let t = user.tr(&state);
    render(HubPage {
        nav: user.nav.clone(),
        school_id: school.to_string(),
        name: s.card.name,
        short_name: s.card.short_name,
        code: s.card.code.unwrap_or_default(),
        address: s.card.address.unwrap_or_default(),
        director: s.card.director.unwrap_or_default(),
        time_zone: s.card.time_zone,
        year: s.year.unwrap_or_else(|| t.get("structure-no-year")),
        classes: s.classes,
        subjects: s.subjects,
        retired: s.retired_subjects,
        t,
    })
}

// --------------------------------------------------------------------------------------- card

#[derive(Template)]
#[template(path = "structure/card.html")]
struct CardPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    card: CardInput,
    time_zones: Vec<&'static str>,
}

async fn card_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    typed: Option<CardInput>,
) -> Result<CardPage<'s>, AppError> {
    let v = state.app.school_card(&user.who.principal, school).await?;
    Ok(CardPage {
        t: user.tr(state),
        nav: user.nav.clone(),
        school_id: school.to_string(),
        notice,
        errors,
        card: typed.unwrap_or(v.card),
        time_zones: v.time_zones.to_vec(),
    })
}

async fn card(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<Done>,
) -> Result<Html<String>, PageError> {
    let notice = q.notice(&user.tr(&state));
    render(card_page(&state, &user, school, notice, Vec::new(), None).await?)
}

#[derive(Deserialize)]
struct CardForm {
    name: String,
    short_name: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    director: String,
    time_zone: String,
}

async fn save_card(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(f): Form<CardForm>,
) -> Result<Response, PageError> {
    let input = CardInput {
        name: f.name,
        short_name: f.short_name,
        code: optional(&f.code),
        address: optional(&f.address),
        director: optional(&f.director),
        time_zone: f.time_zone,
    };
    match state
        .app
        .update_school_card(&user.who.principal, school, &input, &user.client)
        .await
    {
        Ok(()) => Ok(see_other(school, "card", "saved", None)),
        Err(AppError::Invalid(e)) => {
            let page = card_page(&state, &user, school, None, errors_of(e), Some(input)).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => Err(e.into()),
    }
}

// ----------------------------------------------------------------------------------- subjects

/// A subject's row.
struct SubjectRow {
    id: String,
    name: String,
    short_name: String,
    sort_order: i64,
    scale: String,
    own_scale: bool,
    retired: Option<String>,
}

#[derive(Template)]
#[template(path = "structure/subjects.html")]
struct SubjectsPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    rows: Vec<SubjectRow>,
    scales: Vec<(&'static str, String)>,
    form: SubjectInput,
}

const SCALES: [Scale; 4] = [Scale::Five, Scale::PassFail, Scale::Ten, Scale::Hundred];

async fn subjects_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    form: SubjectInput,
) -> Result<SubjectsPage<'s>, AppError> {
    let t = user.tr(state);
    let rows = state
        .app
        .subject_list(&user.who.principal, school)
        .await?
        .into_iter()
        .map(|s| SubjectRow {
            id: s.id.to_string(),
            name: s.name,
            short_name: s.short_name,
            sort_order: s.sort_order,
            scale: s.scale.code().to_owned(),
            own_scale: s.own_scale,
            retired: s.retired_on.map(date),
        })
        .collect();
    Ok(SubjectsPage {
        nav: user.nav.clone(),
        school_id: school.to_string(),
        notice,
        errors,
        rows,
        scales: SCALES
            .iter()
            .map(|s| (s.code(), t.get(&format!("policy-scale-{}", s.code()))))
            .collect(),
        form,
        t,
    })
}

async fn subjects(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<Done>,
) -> Result<Html<String>, PageError> {
    let notice = q.notice(&user.tr(&state));
    render(
        subjects_page(
            &state,
            &user,
            school,
            notice,
            Vec::new(),
            SubjectInput::default(),
        )
        .await?,
    )
}

#[derive(Deserialize)]
struct SubjectForm {
    name: String,
    #[serde(default)]
    short_name: String,
    #[serde(default)]
    sort_order: String,
}

impl SubjectForm {
    fn input(&self, errors: &mut FieldErrors) -> SubjectInput {
        SubjectInput {
            name: self.name.clone(),
            short_name: optional(&self.short_name),
            sort_order: optional(&self.sort_order).and_then(|o| number("sort_order", &o, errors)),
        }
    }
}

/// The subjects page again with the refusal: 422.
async fn subjects_refused(
    state: &AppState,
    user: &PageUser,
    school: SchoolId,
    errors: Vec<(String, String)>,
    form: SubjectInput,
) -> Result<Response, PageError> {
    let page = subjects_page(state, user, school, None, errors, form).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
}

async fn create_subject(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(f): Form<SubjectForm>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::new();
    let input = f.input(&mut errors);
    if !errors.is_empty() {
        return subjects_refused(&state, &user, school, errors_of(errors), input).await;
    }
    match state
        .app
        .create_subject(&user.who.principal, school, &input, &user.client)
        .await
    {
        Ok(_) => Ok(see_other(school, "subjects", "created", None)),
        Err(AppError::Invalid(e)) => {
            subjects_refused(&state, &user, school, errors_of(e), input).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn update_subject(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, subject)): Path<(SchoolId, SubjectId)>,
    Form(f): Form<SubjectForm>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::new();
    let input = f.input(&mut errors);
    let result = if errors.is_empty() {
        state
            .app
            .update_subject(&user.who.principal, school, subject, &input, &user.client)
            .await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(()) => Ok(see_other(school, "subjects", "saved", None)),
        Err(AppError::Invalid(e)) => {
            subjects_refused(&state, &user, school, errors_of(e), SubjectInput::default()).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ScaleForm {
    #[serde(default)]
    scale: String,
}

async fn set_scale(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, subject)): Path<(SchoolId, SubjectId)>,
    Form(f): Form<ScaleForm>,
) -> Result<Response, PageError> {
    let scale = match f.scale.trim() {
        "" => None,
        code => match SCALES.iter().find(|s| s.code() == code) {
            Some(s) => Some(*s),
            None => {
                let mut e = FieldErrors::new();
                e.insert("scale".into(), "?".into());
                return subjects_refused(
                    &state,
                    &user,
                    school,
                    errors_of(e),
                    SubjectInput::default(),
                )
                .await;
            }
        },
    };
    state
        .app
        .set_subject_scale(&user.who.principal, school, subject, scale, &user.client)
        .await?;
    Ok(see_other(school, "subjects", "scale", None))
}

async fn set_retired(
    state: AppState,
    user: PageUser,
    (school, subject): (SchoolId, SubjectId),
    retire: bool,
) -> Result<Response, PageError> {
    state
        .app
        .set_subject_retired(&user.who.principal, school, subject, retire, &user.client)
        .await?;
    let done = if retire { "retired" } else { "unretired" };
    Ok(see_other(school, "subjects", done, None))
}

async fn retire(
    State(state): State<AppState>,
    user: PageUser,
    Path(ids): Path<(SchoolId, SubjectId)>,
) -> Result<Response, PageError> {
    set_retired(state, user, ids, true).await
}

async fn unretire(
    State(state): State<AppState>,
    user: PageUser,
    Path(ids): Path<(SchoolId, SubjectId)>,
) -> Result<Response, PageError> {
    set_retired(state, user, ids, false).await
}

async fn delete_subject(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, subject)): Path<(SchoolId, SubjectId)>,
) -> Result<Response, PageError> {
    let p = &user.who.principal;
    match state
        .app
        .delete_subject(p, school, subject, &user.client)
        .await
    {
        Ok(()) => Ok(see_other(school, "subjects", "deleted", None)),
        Err(AppError::Invalid(_)) => {
            let deps = state.app.subject_dependants(p, school, subject).await?;
            let t = user.tr(&state);
            let why = t.with(
                "structure-subject-in-use",
                "what",
                dependants_text(&t, &deps),
            );
            subjects_refused(
                &state,
                &user,
                school,
                vec![("dependants".into(), why)],
                SubjectInput::default(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------------------------ classes

struct ClassRow {
    id: String,
    name: String,
    letter: String,
    shift: u8,
    teacher_id: String,
    teacher: String,
    since: String,
}

#[derive(Template)]
#[template(path = "structure/classes.html")]
struct ClassesPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    year_id: String,
    year: String,
    years: Vec<(String, String)>,
    rows: Vec<ClassRow>,
    staff: Vec<(String, String)>,
    kinds: Vec<(&'static str, String)>,
    today: String,
}

fn kinds(t: &Tr<'_>) -> Vec<(&'static str, String)> {
    [
        PeriodKind::Quarter,
        PeriodKind::Trimester,
        PeriodKind::HalfYear,
    ]
    .iter()
    .map(|k| (k.code(), t.get(&format!("structure-kind-{}", k.code()))))
    .collect()
}

async fn classes_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    year: Option<AcademicYearId>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
) -> Result<ClassesPage<'s>, AppError> {
    let t = user.tr(state);
    let v = state
        .app
        .class_list(&user.who.principal, school, year)
        .await?;
    Ok(ClassesPage {
        nav: user.nav.clone(),
        school_id: school.to_string(),
        notice,
        errors,
        year_id: v.year.id.to_string(),
        year: v.year.label.clone(),
        years: v
            .years
            .iter()
            .map(|y| (y.id.to_string(), y.label.clone()))
            .collect(),
        rows: v
            .classes
            .into_iter()
            .map(|c| ClassRow {
                id: c.id.to_string(),
                letter: c.name.chars().last().map(String::from).unwrap_or_default(),
                name: c.name,
                shift: c.shift,
                teacher_id: c
                    .class_teacher
                    .as_ref()
                    .map(|x| x.id.to_string())
                    .unwrap_or_default(),
                since: c
                    .class_teacher
                    .as_ref()
                    .map(|x| date(x.since))
                    .unwrap_or_default(),
                teacher: c.class_teacher.map(|x| x.name).unwrap_or_default(),
            })
            .collect(),
        staff: v
            .staff
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect(),
        kinds: kinds(&t),
        today: date(state.app.today()),
        t,
    })
}

async fn classes(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<Done>,
) -> Result<Html<String>, PageError> {
    let notice = q.notice(&user.tr(&state));
    render(classes_page(&state, &user, school, q.year()?, notice, Vec::new()).await?)
}

#[derive(Deserialize)]
struct ClassForm {
    #[serde(default)]
    year: String,
    grade: String,
    letter: String,
    #[serde(default)]
    shift: String,
    #[serde(default)]
    week_days: String,
    #[serde(default)]
    period_kind: String,
    #[serde(default)]
    class_teacher_id: String,
    #[serde(default)]
    teacher_from: String,
}

fn year_field(raw: &str) -> Result<Option<AcademicYearId>, PageError> {
    Done {
        done: None,
        year: Some(raw.to_owned()),
    }
    .year()
}

async fn classes_refused(
    state: &AppState,
    user: &PageUser,
    school: SchoolId,
    year: Option<AcademicYearId>,
    errors: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let page = classes_page(state, user, school, year, None, errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
}

async fn create_class(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(f): Form<ClassForm>,
) -> Result<Response, PageError> {
    let year = year_field(&f.year)?;
    let mut errors = FieldErrors::new();
    let grade = number("grade", &f.grade, &mut errors);
    let shift = optional(&f.shift).and_then(|s| number("shift", &s, &mut errors));
    let week_days = optional(&f.week_days).and_then(|s| number("week_days", &s, &mut errors));
    let result = match grade {
        Some(grade) if errors.is_empty() => {
            let input = ClassInput {
                grade,
                letter: f.letter,
                shift,
                week_days,
                period_kind: optional(&f.period_kind),
                class_teacher_id: optional(&f.class_teacher_id),
                teacher_from: optional(&f.teacher_from).map(|d| page_date(&d)),
            };
            state
                .app
                .create_class(&user.who.principal, school, year, &input, &user.client)
                .await
        }
        _ => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(_) => Ok(see_other(school, "classes", "created", Some(&f.year))),
        Err(AppError::Invalid(e)) => {
            classes_refused(&state, &user, school, year, errors_of(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ClassUpdateForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    letter: String,
    #[serde(default)]
    shift: String,
    /// Absent: leave the class teacher; `-`: none from the date.
    #[serde(default)]
    class_teacher_id: Option<String>,
    #[serde(default)]
    teacher_from: String,
}

async fn update_class(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, class)): Path<(SchoolId, GroupId)>,
    Form(f): Form<ClassUpdateForm>,
) -> Result<Response, PageError> {
    let year = year_field(&f.year)?;
    let mut errors = FieldErrors::new();
    let shift = optional(&f.shift).and_then(|s| number("shift", &s, &mut errors));
    let input = ClassUpdate {
        letter: optional(&f.letter),
        shift,
        class_teacher_id: f.class_teacher_id.as_deref().map(|t| {
            if t.trim() == "-" {
                String::new()
            } else {
                t.trim().to_owned()
            }
        }),
        teacher_from: optional(&f.teacher_from).map(|d| page_date(&d)),
    };
    let result = if errors.is_empty() {
        state
            .app
            .update_class(&user.who.principal, school, class, &input, &user.client)
            .await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(()) => Ok(see_other(school, "classes", "saved", Some(&f.year))),
        Err(AppError::Invalid(e)) => {
            classes_refused(&state, &user, school, year, errors_of(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct YearOnly {
    #[serde(default)]
    year: String,
}

async fn delete_class(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, class)): Path<(SchoolId, GroupId)>,
    Form(f): Form<YearOnly>,
) -> Result<Response, PageError> {
    let year = year_field(&f.year)?;
    let p = &user.who.principal;
    match state.app.delete_class(p, school, class, &user.client).await {
        Ok(()) => Ok(see_other(school, "classes", "deleted", Some(&f.year))),
        Err(AppError::Invalid(_)) => {
            let deps = state.app.class_dependants(p, school, class).await?;
            let t = user.tr(&state);
            let why = t.with("structure-class-in-use", "what", dependants_text(&t, &deps));
            classes_refused(
                &state,
                &user,
                school,
                year,
                vec![("dependants".into(), why)],
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// -------------------------------------------------------------------------------------- years

struct PeriodRow {
    id: String,
    kind: String,
    number: u8,
    starts_on: String,
    ends_on: String,
    locked: bool,
}

struct ParallelRow {
    id: String,
    grade: u8,
    week_days: u8,
    kind: &'static str,
}

struct YearBlock {
    label: String,
    starts_on: String,
    ends_on: String,
    parallels: Vec<ParallelRow>,
    periods: Vec<PeriodRow>,
}

#[derive(Template)]
#[template(path = "structure/years.html")]
struct YearsPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    years: Vec<YearBlock>,
    next_year: String,
    next_starts: String,
    next_ends: String,
    kinds: Vec<(&'static str, String)>,
    grades: Vec<(u8, &'static str)>,
}

async fn years_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    notice: Option<String>,
    errors: Vec<(String, String)>,
) -> Result<YearsPage<'s>, AppError> {
    let t = user.tr(state);
    let (years, proposal) = state.app.year_list(&user.who.principal, school).await?;
    let kind_name = |k: PeriodKind| t.get(&format!("structure-kind-{}", k.code()));
    let years = years
        .into_iter()
        .map(|y| YearBlock {
            label: y.year.label.clone(),
            starts_on: date(y.year.starts_on),
            ends_on: date(y.year.ends_on),
            parallels: y
                .parallels
                .iter()
                .map(|p| ParallelRow {
                    id: p.id.to_string(),
                    grade: p.grade,
                    week_days: p.week_days,
                    kind: p.period_kind.code(),
                })
                .collect(),
            periods: y
                .periods
                .iter()
                .map(|p| PeriodRow {
                    id: p.id.to_string(),
                    kind: kind_name(p.kind),
                    number: p.number,
                    starts_on: date(p.starts_on),
                    ends_on: date(p.ends_on),
                    locked: p.locked_at.is_some(),
                })
                .collect(),
        })
        .collect();
    Ok(YearsPage {
        nav: user.nav.clone(),
        school_id: school.to_string(),
        notice,
        errors,
        years,
        next_year: proposal
            .as_ref()
            .map(|p| p.start_year.to_string())
            .unwrap_or_default(),
        next_starts: proposal
            .as_ref()
            .map(|p| date(p.starts_on))
            .unwrap_or_default(),
        next_ends: proposal
            .as_ref()
            .map(|p| date(p.ends_on))
            .unwrap_or_default(),
        kinds: kinds(&t),
        grades: (1..=11)
            .map(|g| {
                (
                    g,
                    if g >= 10 {
                        PeriodKind::HalfYear.code()
                    } else {
                        PeriodKind::Quarter.code()
                    },
                )
            })
            .collect(),
        t,
    })
}

async fn years(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<Done>,
) -> Result<Html<String>, PageError> {
    let notice = q.notice(&user.tr(&state));
    render(years_page(&state, &user, school, notice, Vec::new()).await?)
}

async fn years_refused(
    state: &AppState,
    user: &PageUser,
    school: SchoolId,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let page = years_page(state, user, school, None, errors_of(errors)).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
}

async fn create_year(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f: std::collections::HashMap<String, String> = form.into_iter().collect();
    let field = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let mut errors = FieldErrors::new();
    let start_year: Option<i32> = number("start_year", field("start_year"), &mut errors);
    let mut parallels = Vec::new();
    for g in 1..=11u8 {
        if field(&format!("p{g}_on")).is_empty() {
            continue;
        }
        parallels.push(ParallelInput {
            grade: g,
            week_days: number(
                &format!("p{g}_week"),
                field(&format!("p{g}_week")),
                &mut errors,
            )
            .unwrap_or(0),
            period_kind: field(&format!("p{g}_kind")).to_owned(),
        });
    }
    if parallels.is_empty() {
        errors.insert("parallels".into(), "?".into());
    }
    let result = match start_year {
        Some(start_year) if errors.is_empty() => {
            let input = YearInput {
                start_year,
                starts_on: optional(field("starts_on")).map(|d| page_date(&d)),
                ends_on: optional(field("ends_on")).map(|d| page_date(&d)),
                parallels,
                federal_holidays: Some(!field("federal_holidays").is_empty()),
            };
            state
                .app
                .create_year(&user.who.principal, school, &input, &user.client)
                .await
                .map(|_| ())
        }
        _ => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(see_other(school, "years", "created", None)),
        Err(AppError::Invalid(e)) => years_refused(&state, &user, school, e).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct PeriodForm {
    starts_on: String,
    ends_on: String,
}

async fn update_period(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, period)): Path<(SchoolId, PeriodId)>,
    Form(f): Form<PeriodForm>,
) -> Result<Response, PageError> {
    let input = PeriodInput {
        starts_on: page_date(&f.starts_on),
        ends_on: page_date(&f.ends_on),
    };
    match state
        .app
        .update_period(&user.who.principal, school, period, &input, &user.client)
        .await
    {
        Ok(()) => Ok(see_other(school, "years", "saved", None)),
        Err(AppError::Invalid(e)) => years_refused(&state, &user, school, e).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ParallelForm {
    #[serde(default)]
    period_kind: String,
    #[serde(default)]
    week_days: String,
}

async fn update_parallel(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, parallel)): Path<(SchoolId, ParallelId)>,
    Form(f): Form<ParallelForm>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::new();
    let input = ParallelUpdate {
        period_kind: optional(&f.period_kind),
        week_days: optional(&f.week_days).and_then(|w| number("week_days", &w, &mut errors)),
    };
    let result = if errors.is_empty() {
        state
            .app
            .update_parallel(&user.who.principal, school, parallel, &input, &user.client)
            .await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(()) => Ok(see_other(school, "years", "saved", None)),
        Err(AppError::Invalid(e)) => years_refused(&state, &user, school, e).await,
        Err(e) => Err(e.into()),
    }
}

// ----------------------------------------------------------------------------------- calendar

struct DayRow {
    id: String,
    kind: String,
    name: String,
    dates: String,
    grade: String,
    weekday: String,
}

#[derive(Template)]
#[template(path = "structure/calendar.html")]
struct CalendarPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    year_id: String,
    year: String,
    years: Vec<(String, String)>,
    rows: Vec<DayRow>,
    day_kinds: Vec<(&'static str, String)>,
    /// Shortened days: ISO (for the form) and as shown.
    short_days: Vec<(String, String)>,
}

async fn calendar_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    year: Option<AcademicYearId>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
) -> Result<CalendarPage<'s>, AppError> {
    let t = user.tr(state);
    let v = state
        .app
        .calendar_year(&user.who.principal, school, year)
        .await?;
    let kind_name = |k: DayOffKind| t.get(&format!("structure-day-{}", k.code()));
    Ok(CalendarPage {
        nav: user.nav.clone(),
        school_id: school.to_string(),
        notice,
        errors,
        year_id: v.year.id.to_string(),
        year: v.year.label.clone(),
        years: v
            .years
            .iter()
            .map(|y| (y.id.to_string(), y.label.clone()))
            .collect(),
        rows: v
            .days
            .iter()
            .map(|d| DayRow {
                id: d.id.to_string(),
                kind: kind_name(d.kind),
                name: d.name.clone(),
                dates: if d.starts_on == d.ends_on {
                    date(d.starts_on)
                } else {
                    format!("{} – {}", date(d.starts_on), date(d.ends_on))
                },
                grade: d.only_grade.map(|g| g.to_string()).unwrap_or_default(),
                weekday: d
                    .as_weekday
                    .map(|w| t.get(&format!("structure-weekday-{w}")))
                    .unwrap_or_default(),
            })
            .collect(),
        day_kinds: [
            DayOffKind::Holiday,
            DayOffKind::NonWorking,
            DayOffKind::WorkingDay,
        ]
        .iter()
        .map(|k| (k.code(), kind_name(*k)))
        .collect(),
        short_days: v
            .short_days
            .iter()
            .map(|d| (d.to_string(), date(*d)))
            .collect(),
        t,
    })
}

async fn calendar(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<Done>,
) -> Result<Html<String>, PageError> {
    let notice = q.notice(&user.tr(&state));
    render(calendar_page(&state, &user, school, q.year()?, notice, Vec::new()).await?)
}

#[derive(Deserialize)]
struct DayForm {
    #[serde(default)]
    year: String,
    kind: String,
    name: String,
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    only_grade: String,
    #[serde(default)]
    as_weekday: String,
}

async fn calendar_refused(
    state: &AppState,
    user: &PageUser,
    school: SchoolId,
    year: Option<AcademicYearId>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let page = calendar_page(state, user, school, year, None, errors_of(errors)).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
}

async fn add_day(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(f): Form<DayForm>,
) -> Result<Response, PageError> {
    let year = year_field(&f.year)?;
    let mut errors = FieldErrors::new();
    let input = DayInput {
        kind: f.kind,
        name: f.name,
        starts_on: page_date(&f.starts_on),
        ends_on: optional(&f.ends_on).map(|d| page_date(&d)),
        only_grade: optional(&f.only_grade).and_then(|g| number("only_grade", &g, &mut errors)),
        as_weekday: optional(&f.as_weekday).and_then(|w| number("as_weekday", &w, &mut errors)),
    };
    let result = if errors.is_empty() {
        state
            .app
            .add_calendar_day(&user.who.principal, school, year, &input, &user.client)
            .await
            .map(|_| ())
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(()) => Ok(see_other(school, "calendar", "created", Some(&f.year))),
        Err(AppError::Invalid(e)) => calendar_refused(&state, &user, school, year, e).await,
        Err(e) => Err(e.into()),
    }
}

async fn remove_day(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, day)): Path<(SchoolId, HolidayId)>,
    Form(f): Form<YearOnly>,
) -> Result<Response, PageError> {
    let year = year_field(&f.year)?;
    match state
        .app
        .remove_calendar_day(&user.who.principal, school, day, &user.client)
        .await
    {
        Ok(()) => Ok(see_other(school, "calendar", "deleted", Some(&f.year))),
        Err(AppError::Invalid(e)) => calendar_refused(&state, &user, school, year, e).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ShortDayForm {
    #[serde(default)]
    year: String,
    on: String,
}

async fn add_short_day(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(f): Form<ShortDayForm>,
) -> Result<Response, PageError> {
    let year = year_field(&f.year)?;
    match state
        .app
        .add_short_day(
            &user.who.principal,
            school,
            year,
            &page_date(&f.on),
            &user.client,
        )
        .await
    {
        Ok(()) => Ok(see_other(school, "calendar", "created", Some(&f.year))),
        Err(AppError::Invalid(e)) => calendar_refused(&state, &user, school, year, e).await,
        Err(e) => Err(e.into()),
    }
}

async fn remove_short_day(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, on)): Path<(SchoolId, String)>,
    Form(f): Form<YearOnly>,
) -> Result<Response, PageError> {
    let year = year_field(&f.year)?;
    let on = tabel_domain::calendar::parse_iso_date(&on).map_err(|_| PageError::not_found())?;
    state
        .app
        .remove_short_day(&user.who.principal, school, year, on, &user.client)
        .await?;
    Ok(see_other(school, "calendar", "deleted", Some(&f.year)))
}

#[cfg(test)]
mod tests {
    use super::page_date;

    #[test]
    fn page_dates_read_russian_and_iso() {
        assert_eq!(page_date("28.11.2026"), "2026-11-28");
        assert_eq!(page_date("1.9.2027"), "2027-09-01");
        assert_eq!(page_date(" 2026-11-28 "), "2026-11-28");
        assert_eq!(page_date("28.11.26"), "28.11.26");
    }
}
