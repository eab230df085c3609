//! Changing the timetable from the pages (planners): one lesson's page with a transfer, a room
//! change, a substitution and a cancellation; from a class's week an extra lesson, a shortened
//! day, and the move to the other shift with its clashes listed before it is applied. After a
//! change the class's week lists the assessment procedures the change broke.

use super::pages::class_week_page;
use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::{Path, href};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::timetable::{Change, ExtraLesson, ShiftConflict, may_plan};
use tabel_domain::timetable::{CancelCause, LessonStatus};
use tabel_domain::{GroupId, LessonId};
use tabel_present::date;

#[derive(Template)]
#[template(path = "timetable/lesson.html")]
struct LessonPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    id: String,
    version: i64,
    class_id: String,
    iso: String,
    heading: String,
    status: String,
    detail: String,
    number: u8,
    room: String,
    teacher: String,
    candidates: Vec<(String, String, bool)>,
    open: bool,
    errors: Vec<(String, String)>,
}

/// The class whose week a lesson belongs to: a subgroup's class, else its own group.
async fn class_of_lesson(
    state: &AppState,
    user: &PageUser,
    l: &tabel_domain::timetable::Lesson,
) -> Result<GroupId, AppError> {
    let g = state.app.class(&user.who.principal, l.group, l.on).await?;
    Ok(g.parent.unwrap_or(g.id))
}

async fn lesson_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    id: LessonId,
    errors: Vec<(String, String)>,
) -> Result<LessonPage<'s>, AppError> {
    let p = &user.who.principal;
    let l = state.app.lesson(p, id).await?;
    tabel_app::check(may_plan(p, l.school))?;
    let t = user.tr(state);
    let class = class_of_lesson(state, user, &l).await?;
    let open = l.status != LessonStatus::Cancelled;
    let candidates = if open {
        state
            .app
            .free_teachers(p, l.id)
            .await?
            .into_iter()
            .filter(|c| c.teacher != l.teacher)
            .map(|c| (c.teacher.to_string(), c.name, c.qualified))
            .collect()
    } else {
        Vec::new()
    };
    let view = tabel_app::timetable::LessonView {
        lesson: l,
        starts: None,
        ends: None,
    };
    let c = super::pages::cell(&t, &view, None, false);
    let l = view.lesson;
    Ok(LessonPage {
        id: l.id.to_string(),
        version: l.version,
        class_id: class.to_string(),
        iso: l.on.to_string(),
        heading: format!(
            "{} · {} · {}, {} {}",
            l.group_name,
            l.subject_name,
            date(l.on),
            l.number,
            t.get("lesson-number-suffix")
        ),
        status: c.status,
        detail: c.detail,
        number: l.number,
        room: l.room,
        teacher: l.teacher_name,
        candidates,
        open,
        errors,
        nav: user.nav.clone(),
        t,
    })
}

/// `GET /timetable/lessons/{id}`: a lesson's changes (planners; others 403, another school's
/// lesson 404).
pub(super) async fn lesson(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<LessonId>,
) -> Result<Html<String>, PageError> {
    render(lesson_page(&state, &user, id, Vec::new()).await?)
}

/// The form of every change on the lesson's page.
#[derive(Deserialize)]
pub(super) struct LessonChangeForm {
    version: i64,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    number: Option<u8>,
    #[serde(default)]
    room: Option<String>,
    #[serde(default)]
    teacher_id: String,
    #[serde(default)]
    cause: String,
}

/// Applies a change from the lesson's page; back to the class's week of the lesson's new date,
/// or the page again with the refusal.
async fn apply(
    state: &AppState,
    user: &PageUser,
    id: LessonId,
    f: &LessonChangeForm,
    what: &str,
) -> Result<Response, PageError> {
    let change = match what {
        "transfer" => tabel_domain::calendar::parse_iso_date(f.date.trim())
            .map_err(|_| AppError::invalid("date", "use YYYY-MM-DD"))
            .and_then(|on| {
                f.number
                    .map(|number| Change::Transfer { on, number })
                    .ok_or_else(|| AppError::invalid("number", "the lesson's number"))
            }),
        "room" => Ok(Change::Room {
            room: f.room.clone().unwrap_or_default(),
        }),
        "substitute" => f
            .teacher_id
            .trim()
            .parse()
            .map(|teacher| Change::Substitute { teacher })
            .map_err(|_| AppError::invalid("teacher_id", "choose a teacher")),
        _ => match f.cause.trim() {
            "" => Ok(Change::Cancel { cause: None }),
            code => CancelCause::from_code(code)
                .map(|c| Change::Cancel { cause: Some(c) })
                .map_err(|_| {
                    AppError::invalid("cause", "one of teacher_absent, class_absent, other")
                }),
        },
    };
    let result = match change {
        Ok(c) => {
            state
                .app
                .change_lesson(
                    &user.who.principal,
                    id,
                    f.version,
                    c,
                    &f.reason,
                    &user.client,
                )
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(l) => {
            let class = class_of_lesson(state, user, &l).await?;
            Ok(crate::redirect::see_other(&href(
                &format!("/timetable/classes/{class}"),
                &(("week", l.on.to_string()), ("done", "changed")),
            ))
            .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let built = lesson_page(state, user, id, errors.into_iter().collect()).await;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, built?)
        }
        Err(AppError::Conflict(message)) => {
            let built = lesson_page(state, user, id, vec![(what.to_owned(), message)]).await;
            render_status(StatusCode::CONFLICT, built?)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /timetable/lessons/{id}/transfer`.
pub(super) async fn transfer(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<LessonId>,
    Form(f): Form<LessonChangeForm>,
) -> Result<Response, PageError> {
    apply(&state, &user, id, &f, "transfer").await
}

/// `POST /timetable/lessons/{id}/room`.
pub(super) async fn room(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<LessonId>,
    Form(f): Form<LessonChangeForm>,
) -> Result<Response, PageError> {
    apply(&state, &user, id, &f, "room").await
}

/// `POST /timetable/lessons/{id}/change`: a substitution or cancellation from the lesson's
/// page (`kind` = `substitute` | `cancel`); the desk keeps its own forms.
pub(super) async fn change(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<LessonId>,
    Query(q): Query<KindQuery>,
    Form(f): Form<LessonChangeForm>,
) -> Result<Response, PageError> {
    let kind = if q.kind == "substitute" {
        "substitute"
    } else {
        "cancel"
    };
    apply(&state, &user, id, &f, kind).await
}

/// `?kind=substitute|cancel`.
#[derive(Deserialize)]
pub(super) struct KindQuery {
    #[serde(default)]
    kind: String,
}

/// The extra lesson's form on a class's week.
#[derive(Deserialize)]
pub(super) struct ExtraForm {
    group_id: String,
    date: String,
    number: u8,
    subject_id: String,
    teacher_id: String,
    #[serde(default)]
    room: String,
    #[serde(default)]
    reason: String,
}

async fn back_to_week(
    state: &AppState,
    user: &PageUser,
    class: GroupId,
    on: Option<time::Date>,
    result: Result<(), AppError>,
    done: &str,
) -> Result<Response, PageError> {
    let week = on.unwrap_or_else(|| state.app.today());
    match result {
        Ok(()) => Ok(crate::redirect::see_other(&href(
            &format!("/timetable/classes/{class}"),
            &(("week", week.to_string()), ("done", done)),
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let built =
                class_week_page(state, user, class, week, errors.into_iter().collect(), None).await;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, built?)
        }
        Err(AppError::Conflict(message)) => {
            let built = class_week_page(
                state,
                user,
                class,
                week,
                vec![(done.to_owned(), message)],
                None,
            )
            .await;
            render_status(StatusCode::CONFLICT, built?)
        }
        Err(e) => Err(e.into()),
    }
}

/// An id chosen in a form's select.
fn chosen<T: std::str::FromStr>(field: &str, raw: &str) -> Result<T, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::invalid(field, "choose one"))
}

/// `POST /timetable/classes/{id}/extra`: an extra lesson for the class or a subgroup.
pub(super) async fn extra(
    State(state): State<AppState>,
    user: PageUser,
    Path(class): Path<GroupId>,
    Form(f): Form<ExtraForm>,
) -> Result<Response, PageError> {
    let on = tabel_domain::calendar::parse_iso_date(f.date.trim()).ok();
    let result = async {
        let on = on.ok_or_else(|| AppError::invalid("date", "use YYYY-MM-DD"))?;
        let x = ExtraLesson {
            group: chosen("group_id", &f.group_id)?,
            on,
            number: f.number,
            subject: chosen("subject_id", &f.subject_id)?,
            teacher: chosen("teacher_id", &f.teacher_id)?,
            room: f.room.clone(),
        };
        // The group must be the class's (or one of its subgroups): this page's class.
        let g = state.app.class(&user.who.principal, x.group, on).await?;
        if g.id != class && g.parent != Some(class) {
            return Err(AppError::invalid("group_id", "a group of this class"));
        }
        state
            .app
            .add_extra_lesson(&user.who.principal, &x, &f.reason, &user.client)
            .await
            .map(|_| ())
    }
    .await;
    back_to_week(&state, &user, class, on, result, "extra").await
}

/// The shortened day's form: a date and the bells it keeps (`short` or `regular`).
#[derive(Deserialize)]
pub(super) struct BellDayForm {
    date: String,
    variant: String,
}

/// `POST /timetable/classes/{id}/bell-day`: the school's bells for a day (a shortened day, or
/// back to the regular bells); from a class's week, back to it.
pub(super) async fn bell_day(
    State(state): State<AppState>,
    user: PageUser,
    Path(class): Path<GroupId>,
    Form(f): Form<BellDayForm>,
) -> Result<Response, PageError> {
    let on = tabel_domain::calendar::parse_iso_date(f.date.trim()).ok();
    let result = async {
        let on = on.ok_or_else(|| AppError::invalid("date", "use YYYY-MM-DD"))?;
        let g = state.app.class(&user.who.principal, class, on).await?;
        state
            .app
            .set_bell_day(
                &user.who.principal,
                g.school,
                on,
                f.variant.trim(),
                &user.client,
            )
            .await
    }
    .await;
    back_to_week(&state, &user, class, on, result, "bells").await
}

#[derive(Template)]
#[template(path = "timetable/shift.html")]
struct ShiftPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    class_id: String,
    name: String,
    current: u8,
    to: u8,
    /// "1-я смена → 2-я смена".
    shifts: String,
    /// "После перевода 2 конфликта:".
    clashes: String,
    conflicts: Vec<ConflictRow>,
}

/// A clash on the shift page.
pub struct ConflictRow {
    /// "Понедельник, 2".
    pub when: String,
    /// The class's line.
    pub line: String,
    /// «учитель Иванова М. П.» or «кабинет 12».
    pub what: String,
    /// The other line: «5Б, Математика (1 смена, 2 урок)».
    pub other: String,
}

fn conflict_row(t: &Tr<'_>, c: &ShiftConflict) -> ConflictRow {
    ConflictRow {
        when: format!("{}, {}", t.get(&format!("weekday-{}", c.weekday)), c.number),
        line: format!("{}, {}", c.group, c.subject),
        what: format!("{} {}", t.get(&format!("shift-clash-{}", c.kind)), c.who),
        other: format!(
            "{}, {} ({}, {})",
            c.other_group,
            c.other_subject,
            t.count("bells-shift", i64::from(c.other_shift)),
            c.other_number
        ),
    }
}

/// `?to=2`.
#[derive(Deserialize)]
pub(super) struct ShiftQuery {
    to: Option<u8>,
}

/// `GET /timetable/classes/{id}/shift?to=N`: what moving the class to shift N would clash
/// with, before it is applied (planners).
pub(super) async fn shift_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(class): Path<GroupId>,
    Query(q): Query<ShiftQuery>,
) -> Result<Html<String>, PageError> {
    let p = &user.who.principal;
    let g = state.app.class(p, class, state.app.today()).await?;
    let current = state.app.class_shift(p, class).await?;
    let to = q.to.unwrap_or(if current == 1 { 2 } else { 1 });
    let (_, found) = state.app.class_shift_conflicts(p, class, to).await?;
    let t = user.tr(&state);
    render(ShiftPage {
        class_id: class.to_string(),
        name: g.name,
        current,
        to,
        shifts: format!(
            "{} → {}",
            t.count("bells-shift", i64::from(current)),
            t.count("bells-shift", i64::from(to))
        ),
        clashes: t.count(
            "shift-clashes",
            i64::try_from(found.len()).unwrap_or(i64::MAX),
        ),
        conflicts: found.iter().map(|c| conflict_row(&t, c)).collect(),
        nav: user.nav.clone(),
        t,
    })
}

/// The move's form: the shift, and whether the listed clashes are accepted.
#[derive(Deserialize)]
pub(super) struct ShiftForm {
    shift: u8,
    #[serde(default)]
    accept: String,
}

/// `POST /timetable/classes/{id}/shift`: moves the class; with clashes only when the planner
/// accepted them on the shift page.
pub(super) async fn move_shift(
    State(state): State<AppState>,
    user: PageUser,
    Path(class): Path<GroupId>,
    Form(f): Form<ShiftForm>,
) -> Result<Response, PageError> {
    let result = state
        .app
        .set_class_shift(
            &user.who.principal,
            class,
            f.shift,
            !f.accept.trim().is_empty(),
            &user.client,
        )
        .await
        .map(|_| ());
    back_to_week(&state, &user, class, None, result, "shift").await
}

/// The notice after a change on a class's week, by what was done.
pub(super) fn notice(t: &Tr<'_>, done: &str) -> String {
    match done {
        "changed" | "extra" | "bells" | "shift" => t.get(&format!("timetable-done-{done}")),
        _ => t.get("timetable-line-added"),
    }
}
