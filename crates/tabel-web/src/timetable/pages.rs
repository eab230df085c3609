//! Timetable pages: a class week (with its weekly lines and, for planners, a form to add one),
//! a teacher's own week, the substitution desk and the day's changes.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::{Path, query};
use crate::timetable::api::monday_of;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::timetable::{EntryInput, LessonView, LessonsOf, may_plan};
use tabel_domain::GroupId;
use tabel_domain::timetable::LessonStatus;
use tabel_domain::timetable::hhmm;
use tabel_present::date;
use time::{Date, Duration};

use super::desk::*;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/timetable/classes/{id}", get(class_week))
        .route("/timetable/classes/{id}/lines", post(add_line))
        .route("/timetable/classes/{id}/calendar", get(calendar))
        .route("/timetable/classes/{id}/lines/{line}/end", post(end_line))
        .route("/timetable/my", get(my_week))
        .route("/timetable/rooms", get(room_week))
        .route("/timetable/desk", get(desk))
        .route("/timetable/bells", get(bells_page).post(save_bells))
        .route("/timetable/lessons/{id}/substitute", post(substitute))
        .route("/timetable/lessons/{id}/cancel", post(cancel))
        .route("/timetable/changes", get(changes))
        .route("/timetable/lessons/{id}", get(super::changes_pages::lesson))
        .route(
            "/timetable/lessons/{id}/transfer",
            post(super::changes_pages::transfer),
        )
        .route(
            "/timetable/lessons/{id}/room",
            post(super::changes_pages::room),
        )
        .route(
            "/timetable/lessons/{id}/change",
            post(super::changes_pages::change),
        )
        .route(
            "/timetable/classes/{id}/extra",
            post(super::changes_pages::extra),
        )
        .route(
            "/timetable/classes/{id}/bell-day",
            post(super::changes_pages::bell_day),
        )
        .route(
            "/timetable/classes/{id}/shift",
            get(super::changes_pages::shift_page).post(super::changes_pages::move_shift),
        )
}

pub(super) fn parse_day(raw: Option<&str>, default: Date) -> Date {
    raw.and_then(|r| tabel_domain::calendar::parse_iso_date(r).ok())
        .unwrap_or(default)
}

/// One lesson in a grid cell.
pub struct Cell {
    /// Subject.
    pub subject: String,
    /// Teacher.
    pub teacher: String,
    /// Room.
    pub room: String,
    /// Group, when not the class itself.
    pub group: String,
    /// Status label ("" for planned).
    pub status: String,
    /// Badge style.
    pub style: &'static str,
    /// Detail of the change.
    pub detail: String,
    /// The lesson's page in the journal (a teacher's own week; "" elsewhere).
    pub href: String,
}

/// A row of the week grid.
pub struct GridRow {
    /// Lesson number.
    pub number: u8,
    /// Times.
    pub time: String,
    /// One list of lessons per day.
    pub cells: Vec<Vec<Cell>>,
}

pub(super) fn cell(
    t: &Tr<'_>,
    v: &LessonView,
    own_group: Option<GroupId>,
    teacher_view: bool,
) -> Cell {
    let l = &v.lesson;
    let (status, style) = crate::school::lesson_status(t, l.status);
    let mut detail = String::new();
    if let Some(o) = &l.original_teacher_name {
        detail = format!("{}: {o}", t.get("lesson-instead-of"));
    }
    if let (Some(d), Some(n)) = (l.original_date, l.original_number) {
        detail = format!("{}: {} ({})", t.get("lesson-moved-from"), date(d), n);
    }
    if let Some(r) = &l.reason {
        if !detail.is_empty() {
            detail.push_str(" · ");
        }
        detail.push_str(r);
    }
    Cell {
        subject: l.subject_name.clone(),
        teacher: if teacher_view {
            String::new()
        } else {
            l.teacher_name.clone()
        },
        room: l.room.clone(),
        group: if teacher_view || Some(l.group) != own_group {
            l.group_name.clone()
        } else {
            String::new()
        },
        status,
        style,
        detail,
        href: if teacher_view && l.status != LessonStatus::Cancelled {
            format!("/journal/lesson/{}", l.id)
        } else {
            String::new()
        },
    }
}

fn grid(
    t: &Tr<'_>,
    lessons: &[LessonView],
    monday: Date,
    days: u8,
    own_group: Option<GroupId>,
    (teacher_view, planner): (bool, bool),
) -> Vec<GridRow> {
    let mut numbers: Vec<u8> = lessons.iter().map(|l| l.lesson.number).collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
        .into_iter()
        .map(|n| {
            let first = lessons.iter().find(|l| l.lesson.number == n);
            GridRow {
                number: n,
                time: match first.and_then(|l| l.starts.zip(l.ends)) {
                    Some((a, b)) => format!("{}–{}", hhmm(a), hhmm(b)),
                    None => String::new(),
                },
                cells: (0..days)
                    .map(|d| {
                        let day = monday + Duration::days(i64::from(d));
                        lessons
                            .iter()
                            .filter(|l| l.lesson.on == day && l.lesson.number == n)
                            .map(|l| {
                                let mut c = cell(t, l, own_group, teacher_view);
                                if planner {
                                    c.href = format!("/timetable/lessons/{}", l.lesson.id);
                                }
                                c
                            })
                            .collect()
                    })
                    .collect(),
            }
        })
        .collect()
}

fn day_headers(t: &Tr<'_>, monday: Date, days: u8) -> Vec<String> {
    (0..days)
        .map(|d| {
            let day = monday + Duration::days(i64::from(d));
            format!("{} {}", t.get(&format!("weekday-{}", d + 1)), date(day))
        })
        .collect()
}

/// A weekly line row.
pub struct LineRow {
    /// Id (for ending it).
    pub id: String,
    /// Day name.
    pub day: String,
    /// Number.
    pub number: u8,
    /// Subject.
    pub subject: String,
    /// Teacher.
    pub teacher: String,
    /// Room.
    pub room: String,
    /// Group.
    pub group: String,
    /// Validity.
    pub valid: String,
}

#[derive(Template)]
#[template(path = "timetable/class_week.html")]
pub(super) struct ClassWeekPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    class_id: String,
    name: String,
    week_label: String,
    prev: String,
    next: String,
    days: Vec<String>,
    rows: Vec<GridRow>,
    lines: Vec<LineRow>,
    class_teachers: Vec<(String, String)>,
    planner: bool,
    subjects: Vec<(String, String)>,
    teachers: Vec<(String, String)>,
    groups: Vec<(String, String)>,
    weekdays: Vec<(u8, String)>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    /// "1-я смена": the class's shift (planners move it from here).
    shift_label: String,
    /// The day the forms propose (the week's Monday, or today within the week).
    day: String,
    /// Procedures from today on that the timetable no longer allows: (label, the rules broken).
    to_move: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
struct WeekQuery {
    week: Option<String>,
    done: Option<String>,
}

pub(super) async fn class_week_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    class: GroupId,
    week: Date,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> Result<ClassWeekPage<'s>, AppError> {
    let t = user.tr(state);
    let p = &user.who.principal;
    let g = state.app.class(p, class, week).await?;
    let monday = monday_of(week);
    let cal = state.app.calendar_of(p, class).await?;
    let days = cal.week_days.max(5);
    let lessons = state
        .app
        .lessons(
            p,
            &LessonsOf::Group(class),
            monday,
            monday + Duration::days(6),
        )
        .await?;
    let lines = state
        .app
        .timetable_of(p, class)
        .await?
        .into_iter()
        .map(|e| LineRow {
            id: e.id.to_string(),
            day: t.get(&format!("weekday-{}", e.weekday)),
            number: e.number,
            subject: e.subject_name,
            teacher: e.teacher_name,
            room: e.room,
            group: e.group_name,
            valid: format!(
                "{} – {}",
                date(e.valid_from),
                e.valid_to.map(date).unwrap_or_default()
            ),
        })
        .collect();
    let teachers_of_class = state
        .app
        .teachers_of(p, class)
        .await?
        .into_iter()
        .map(|(_, name, subjects)| (name, subjects.join(", ")))
        .collect();
    let planner = may_plan(p, g.school).allowed();
    let (mut subjects, mut teachers, mut groups) = (Vec::new(), Vec::new(), Vec::new());
    if planner {
        subjects = state
            .app
            .offered_subjects(p, g.school)
            .await?
            .into_iter()
            .map(|s| (s.id.to_string(), s.name))
            .collect();
        teachers = state
            .app
            .staff(p, g.school, week)
            .await?
            .into_iter()
            .filter(|s| !s.subjects.is_empty())
            .map(|s| (s.person.id.to_string(), s.person.full_name()))
            .collect();
        groups = state
            .app
            .classes(p, week, None)
            .await?
            .into_iter()
            .filter(|x| x.id == class || x.parent == Some(class))
            .map(|x| (x.id.to_string(), x.name))
            .collect();
    }
    let (shift, to_move) = if planner {
        let shift = state.app.class_shift(p, class).await?;
        let to_move = state
            .app
            .assessments_to_move(p, class)
            .await?
            .into_iter()
            .map(|(a, broken)| {
                (
                    format!(
                        "{}, {} ({}), {}",
                        date(a.on),
                        a.number,
                        a.subject_name,
                        a.title
                    ),
                    broken.join("; "),
                )
            })
            .collect();
        (shift, to_move)
    } else {
        (1, Vec::new())
    };
    let today = state.app.today();
    let day = if monday <= today && today < monday + Duration::days(7) {
        today
    } else {
        monday
    };
    Ok(ClassWeekPage {
        shift_label: t.count("bells-shift", i64::from(shift)),
        day: day.to_string(),
        to_move,
        class_id: class.to_string(),
        name: g.name,
        week_label: format!("{} – {}", date(monday), date(monday + Duration::days(6))),
        prev: (monday - Duration::days(7)).to_string(),
        next: (monday + Duration::days(7)).to_string(),
        days: day_headers(&t, monday, days),
        rows: grid(&t, &lessons, monday, days, Some(class), (false, planner)),
        lines,
        class_teachers: teachers_of_class,
        planner,
        subjects,
        teachers,
        groups,
        weekdays: (1..=days)
            .map(|d| (d, t.get(&format!("weekday-{d}"))))
            .collect(),
        errors,
        notice,
        nav: user.nav.clone(),
        t,
    })
}

async fn class_week(
    State(state): State<AppState>,
    user: PageUser,
    Path(class): Path<GroupId>,
    Query(q): Query<WeekQuery>,
) -> Result<Html<String>, PageError> {
    let week = parse_day(q.week.as_deref(), state.app.today());
    let notice = q
        .done
        .as_deref()
        .map(|d| super::changes_pages::notice(&user.tr(&state), d));
    render(class_week_page(&state, &user, class, week, Vec::new(), notice).await?)
}

#[derive(Deserialize)]
struct LineForm {
    group_id: String,
    weekday: u8,
    number: u8,
    subject_id: String,
    teacher_id: String,
    #[serde(default)]
    room: String,
    #[serde(default)]
    valid_from: String,
}

async fn add_line(
    State(state): State<AppState>,
    user: PageUser,
    Path(class): Path<GroupId>,
    Form(f): Form<LineForm>,
) -> Result<Response, PageError> {
    let result = async {
        let g = state
            .app
            .class(&user.who.principal, class, state.app.today())
            .await?;
        let valid_from = match f.valid_from.trim() {
            "" => None,
            d => Some(
                tabel_domain::calendar::parse_iso_date(d)
                    .map_err(|_| AppError::invalid("valid_from", "use YYYY-MM-DD"))?,
            ),
        };
        let input = EntryInput {
            group: f.group_id.trim().parse().ok(),
            weekday: f.weekday,
            number: f.number,
            subject: f.subject_id.trim().parse().ok(),
            teacher: f.teacher_id.trim().parse().ok(),
            room: f.room.clone(),
            valid_from,
            valid_to: None,
        };
        state
            .app
            .add_timetable_entry(&user.who.principal, g.school, &input, &user.client)
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(
            crate::redirect::see_other(&format!("/timetable/classes/{class}?done=line"))
                .into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            form_error(&state, &user, class, errors.into_iter().collect()).await
        }
        Err(AppError::Conflict(why)) => {
            form_error(&state, &user, class, vec![("conflict".into(), why)]).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

pub(super) async fn form_error(
    state: &AppState,
    user: &PageUser,
    class: GroupId,
    errors: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let built = class_week_page(state, user, class, state.app.today(), errors, None).await;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, built?)
}

#[derive(Template)]
#[template(path = "timetable/my_week.html")]
struct MyWeekPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    heading: String,
    week_label: String,
    prev: String,
    next: String,
    days: Vec<String>,
    rows: Vec<GridRow>,
}

async fn my_week(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<WeekQuery>,
) -> Result<Html<String>, PageError> {
    let me = user.who.principal.person.ok_or(AppError::NotFound)?;
    let week = parse_day(q.week.as_deref(), state.app.today());
    let monday = monday_of(week);
    let t = user.tr(&state);
    let lessons = state
        .app
        .lessons(
            &user.who.principal,
            &LessonsOf::Teacher(me),
            monday,
            monday + Duration::days(6),
        )
        .await?;
    // A substituted-away lesson shows in the teacher's week as "taken by".
    let days = if lessons
        .iter()
        .any(|l| l.lesson.on.weekday() == time::Weekday::Saturday)
    {
        6
    } else {
        5
    };
    render(MyWeekPage {
        heading: t.get("timetable-my-week"),
        week_label: format!("{} – {}", date(monday), date(monday + Duration::days(6))),
        prev: query(&[("week", (monday - Duration::days(7)).to_string())]),
        next: query(&[("week", (monday + Duration::days(7)).to_string())]),
        days: day_headers(&t, monday, days),
        rows: grid(&t, &lessons, monday, days, None, (true, false)),
        nav: user.nav.clone(),
        t,
    })
}

#[derive(Deserialize, Default)]
struct RoomQuery {
    room: Option<String>,
    week: Option<String>,
}

async fn room_week(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<RoomQuery>,
) -> Result<Html<String>, PageError> {
    let p = &user.who.principal;
    let school = p
        .schools()
        .into_iter()
        .find(|s| p.is_staff_of(*s))
        .ok_or(AppError::Forbidden)?;
    let room = q.room.unwrap_or_default();
    let week = parse_day(q.week.as_deref(), state.app.today());
    let monday = monday_of(week);
    let t = user.tr(&state);
    let lessons = if room.trim().is_empty() {
        Vec::new()
    } else {
        state
            .app
            .lessons(
                p,
                &LessonsOf::Room(school, room.clone()),
                monday,
                monday + Duration::days(6),
            )
            .await?
    };
    let days = if lessons
        .iter()
        .any(|l| l.lesson.on.weekday() == time::Weekday::Saturday)
    {
        6
    } else {
        5
    };
    render(MyWeekPage {
        heading: format!("{} {}", t.get("lesson-room"), room),
        week_label: format!("{} – {}", date(monday), date(monday + Duration::days(6))),
        prev: query(&[
            ("room", room.clone()),
            ("week", (monday - Duration::days(7)).to_string()),
        ]),
        next: query(&[
            ("room", room.clone()),
            ("week", (monday + Duration::days(7)).to_string()),
        ]),
        days: day_headers(&t, monday, days),
        rows: grid(&t, &lessons, monday, days, None, (false, false)),
        nav: user.nav.clone(),
        t,
    })
}

#[derive(Template)]
#[template(path = "timetable/calendar.html")]
struct CalendarPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    class_id: String,
    name: String,
    year: String,
    week_days: u8,
    periods: Vec<(String, String)>,
    days_off: Vec<(String, String, String)>,
    bells: Vec<(u8, String)>,
}

async fn calendar(
    State(state): State<AppState>,
    user: PageUser,
    Path(class): Path<GroupId>,
) -> Result<Html<String>, PageError> {
    let p = &user.who.principal;
    let g = state.app.class(p, class, state.app.today()).await?;
    let c = state.app.calendar_of(p, class).await?;
    let t = user.tr(&state);
    let span = |a: Date, b: Date| {
        if a == b {
            date(a)
        } else {
            format!("{} – {}", date(a), date(b))
        }
    };
    render(CalendarPage {
        class_id: class.to_string(),
        name: g.name,
        year: format!(
            "{} ({})",
            c.year.label,
            span(c.year.starts_on, c.year.ends_on)
        ),
        week_days: c.week_days,
        periods: c
            .periods
            .iter()
            .map(|x| {
                (
                    tabel_present::period_name(t.lang, x.kind, x.number),
                    span(x.starts_on, x.ends_on),
                )
            })
            .collect(),
        days_off: c
            .days_off
            .iter()
            .map(|h| {
                (
                    h.name.clone(),
                    t.get(&format!("dayoff-{}", h.kind.code())),
                    span(h.starts_on, h.ends_on),
                )
            })
            .collect(),
        bells: c
            .bells
            .iter()
            .map(|b| (b.number, format!("{}–{}", hhmm(b.starts), hhmm(b.ends))))
            .collect(),
        nav: user.nav.clone(),
        t,
    })
}
