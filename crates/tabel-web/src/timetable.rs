//! Timetable pages: a class week (with its weekly lines and, for planners, a form to add one),
//! a teacher's own week, the substitution desk and the day's changes.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::{Path, href, query};
use crate::timetable_api::monday_of;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::timetable::{Change, EntryInput, LessonView, LessonsOf, may_plan};
use tabel_domain::timetable::LessonStatus;
use tabel_domain::timetable::{CancelCause, hhmm};
use tabel_domain::{GroupId, LessonId, PersonId, SchoolId, TimetableLineId};
use tabel_present::date;
use time::{Date, Duration};

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
}

fn parse_day(raw: Option<&str>, default: Date) -> Date {
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

fn cell(t: &Tr<'_>, v: &LessonView, own_group: Option<GroupId>, teacher_view: bool) -> Cell {
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
    teacher_view: bool,
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
                            .map(|l| cell(t, l, own_group, teacher_view))
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
struct ClassWeekPage<'a> {
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
}

#[derive(Deserialize, Default)]
struct WeekQuery {
    week: Option<String>,
    done: Option<String>,
}

async fn class_week_page<'s>(
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
            .subjects(p, g.school)
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
    Ok(ClassWeekPage {
        class_id: class.to_string(),
        name: g.name,
        week_label: format!("{} – {}", date(monday), date(monday + Duration::days(6))),
        prev: (monday - Duration::days(7)).to_string(),
        next: (monday + Duration::days(7)).to_string(),
        days: day_headers(&t, monday, days),
        rows: grid(&t, &lessons, monday, days, Some(class), false),
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
        .map(|_| user.tr(&state).get("timetable-line-added"));
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

async fn form_error(
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
        rows: grid(&t, &lessons, monday, days, None, true),
        nav: user.nav.clone(),
        t,
    })
}

/// A lesson on the desk with its candidates.
pub struct DeskLesson {
    /// Id.
    pub id: String,
    /// Version.
    pub version: i64,
    /// Number.
    pub number: u8,
    /// Class/group.
    pub group: String,
    /// Subject.
    pub subject: String,
    /// Status label.
    pub status: String,
    /// Current teacher, when not the absent one.
    pub teacher: String,
    /// Free teachers: (id, name, qualified).
    pub candidates: Vec<(String, String, bool)>,
    /// Not cancelled yet: it may still be (also when nobody is free to substitute).
    pub cancellable: bool,
}

#[derive(Template)]
#[template(path = "timetable/desk.html")]
struct DeskPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    day: String,
    teacher_id: String,
    teachers: Vec<(String, String)>,
    lessons: Vec<DeskLesson>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct DeskQuery {
    date: Option<String>,
    teacher: Option<String>,
    done: Option<String>,
}

fn planner_school(state: &AppState, user: &PageUser) -> Result<SchoolId, AppError> {
    let p = &user.who.principal;
    p.schools()
        .into_iter()
        .find(|s| may_plan(p, *s).allowed())
        .ok_or_else(|| {
            if state.app.home_school(p).is_some() {
                AppError::Forbidden
            } else {
                AppError::NotFound
            }
        })
}

async fn desk(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<DeskQuery>,
) -> Result<Html<String>, PageError> {
    let school = planner_school(&state, &user)?;
    let p = &user.who.principal;
    let t = user.tr(&state);
    let day = parse_day(q.date.as_deref(), state.app.today());
    let teachers: Vec<(String, String)> = state
        .app
        .staff(p, school, day)
        .await?
        .into_iter()
        .filter(|s| !s.subjects.is_empty())
        .map(|s| (s.person.id.to_string(), s.person.full_name()))
        .collect();
    let absent: Option<PersonId> = q.teacher.as_deref().and_then(|x| x.parse().ok());
    let mut lessons = Vec::new();
    if let Some(absent) = absent {
        for l in state.app.day_lessons(p, school, day).await? {
            let affected = l.teacher == absent || l.original_teacher == Some(absent);
            if !affected {
                continue;
            }
            let candidates = if l.status == LessonStatus::Cancelled {
                Vec::new()
            } else {
                state
                    .app
                    .free_teachers(p, l.id)
                    .await?
                    .into_iter()
                    .filter(|c| c.teacher != absent)
                    .map(|c| (c.teacher.to_string(), c.name, c.qualified))
                    .collect()
            };
            let (status, _) = crate::school::lesson_status(&t, l.status);
            let cancellable = l.status != LessonStatus::Cancelled;
            lessons.push(DeskLesson {
                cancellable,
                id: l.id.to_string(),
                version: l.version,
                number: l.number,
                group: l.group_name,
                subject: l.subject_name,
                status,
                teacher: if l.teacher == absent {
                    String::new()
                } else {
                    l.teacher_name
                },
                candidates,
            });
        }
    }
    render(DeskPage {
        day: day.to_string(),
        teacher_id: absent.map(|a| a.to_string()).unwrap_or_default(),
        teachers,
        lessons,
        notice: q.done.as_deref().map(|d| t.get(&format!("desk-done-{d}"))),
        nav: user.nav.clone(),
        t,
    })
}

#[derive(Deserialize)]
struct ChangeForm {
    #[serde(default)]
    teacher_id: String,
    reason: String,
    version: i64,
    #[serde(default)]
    absent: String,
}

async fn apply(
    state: AppState,
    user: PageUser,
    lesson: LessonId,
    f: ChangeForm,
    cancel: bool,
) -> Result<Response, PageError> {
    let change = if cancel {
        // The desk is an absent teacher's day: a lesson cancelled there is cancelled for
        // that absence (the curriculum statistics count it so).
        Change::Cancel {
            cause: (!f.absent.trim().is_empty()).then_some(CancelCause::TeacherAbsent),
        }
    } else {
        Change::Substitute {
            teacher: f
                .teacher_id
                .parse()
                .map_err(|_| AppError::invalid("teacher_id", "choose a teacher"))?,
        }
    };
    let l = state
        .app
        .change_lesson(
            &user.who.principal,
            lesson,
            f.version,
            change,
            &f.reason,
            &user.client,
        )
        .await?;
    let done = if cancel { "cancelled" } else { "substituted" };
    Ok(crate::redirect::see_other(&href(
        "/timetable/desk",
        &(
            ("date", l.on.to_string()),
            ("teacher", f.absent.trim()),
            ("done", done),
        ),
    ))
    .into_response())
}

async fn substitute(
    State(state): State<AppState>,
    user: PageUser,
    Path(lesson): Path<LessonId>,
    Form(f): Form<ChangeForm>,
) -> Result<Response, PageError> {
    apply(state, user, lesson, f, false).await
}

async fn cancel(
    State(state): State<AppState>,
    user: PageUser,
    Path(lesson): Path<LessonId>,
    Form(f): Form<ChangeForm>,
) -> Result<Response, PageError> {
    apply(state, user, lesson, f, true).await
}

/// A row of the day's changes.
pub struct ChangeRow {
    /// Number.
    pub number: u8,
    /// Group.
    pub group: String,
    /// Subject.
    pub subject: String,
    /// What changed.
    pub status: String,
    /// Teacher now.
    pub teacher: String,
    /// Details.
    pub detail: String,
    /// Room.
    pub room: String,
}

#[derive(Template)]
#[template(path = "timetable/changes.html")]
struct ChangesPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    day: String,
    day_label: String,
    rows: Vec<ChangeRow>,
}

async fn changes(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<DeskQuery>,
) -> Result<Html<String>, PageError> {
    let p = &user.who.principal;
    let school = p
        .schools()
        .into_iter()
        .find(|s| p.is_staff_of(*s))
        .ok_or(AppError::Forbidden)?;
    let t = user.tr(&state);
    let day = parse_day(q.date.as_deref(), state.app.today());
    let rows = state
        .app
        .day_lessons(p, school, day)
        .await?
        .into_iter()
        .filter(|l| l.status != LessonStatus::Planned)
        .map(|l| {
            let view = LessonView {
                lesson: l,
                starts: None,
                ends: None,
            };
            let c = cell(&t, &view, None, false);
            ChangeRow {
                number: view.lesson.number,
                group: view.lesson.group_name.clone(),
                subject: c.subject,
                status: c.status,
                teacher: c.teacher,
                detail: c.detail,
                room: c.room,
            }
        })
        .collect();
    render(ChangesPage {
        day: day.to_string(),
        day_label: date(day),
        rows,
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
        rows: grid(&t, &lessons, monday, days, None, false),
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

#[derive(Deserialize)]
struct EndForm {
    last_day: String,
}

async fn end_line(
    State(state): State<AppState>,
    user: PageUser,
    Path((class, line)): Path<(GroupId, TimetableLineId)>,
    Form(f): Form<EndForm>,
) -> Result<Response, PageError> {
    let ended = match tabel_domain::calendar::parse_iso_date(f.last_day.trim()) {
        Ok(last_day) => {
            state
                .app
                .end_timetable_entry(&user.who.principal, line, last_day, &user.client)
                .await
        }
        Err(_) => Err(AppError::invalid("last_day", "use YYYY-MM-DD")),
    };
    match ended {
        Ok(_) => Ok(
            crate::redirect::see_other(&format!("/timetable/classes/{class}?done=line"))
                .into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            form_error(&state, &user, class, errors.into_iter().collect()).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "timetable/bells.html")]
struct BellsPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    rows: Vec<(u8, String, String)>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    shift: u8,
    shifts: Vec<(u8, String)>,
}

/// `/timetable/bells?shift=2&done=1`.
#[derive(Deserialize)]
struct BellsQuery {
    shift: Option<u8>,
    done: Option<String>,
}

async fn bells_build<'s>(
    state: &'s AppState,
    user: &PageUser,
    (shift, errors): (u8, Vec<(String, String)>),
    notice: Option<String>,
) -> Result<BellsPage<'s>, AppError> {
    let school = planner_school(state, user)?;
    if !(1..=2).contains(&shift) {
        return Err(AppError::invalid("shift", "use 1 or 2"));
    }
    let slots = state.app.bells(&user.who.principal, school, shift).await?;
    let mut rows: Vec<(u8, String, String)> = slots
        .iter()
        .map(|b| (b.number, hhmm(b.starts), hhmm(b.ends)))
        .collect();
    let next = rows.last().map_or(1, |r| r.0 + 1);
    for n in next..next.max(9) {
        rows.push((n, String::new(), String::new()));
    }
    let t = user.tr(state);
    let shifts = (1..=2u8)
        .map(|n| (n, t.count("bells-shift", i64::from(n))))
        .collect();
    Ok(BellsPage {
        t,
        nav: user.nav.clone(),
        rows,
        errors,
        notice,
        shift,
        shifts,
    })
}

async fn bells_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<BellsQuery>,
) -> Result<Html<String>, PageError> {
    let notice = q
        .done
        .as_deref()
        .map(|_| user.tr(&state).get("bells-saved"));
    let shift = q.shift.unwrap_or(1);
    render(bells_build(&state, &user, (shift, Vec::new()), notice).await?)
}

async fn save_bells(
    State(state): State<AppState>,
    user: PageUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    // Fields come as start_N / end_N; empty rows are dropped.
    let shift: u8 = form
        .iter()
        .find(|(k, _)| k == "shift")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1);
    let result = async {
        let school = planner_school(&state, &user)?;
        let mut slots = Vec::new();
        for (key, start) in form.iter().filter(|(k, _)| k.starts_with("start_")) {
            let n: u8 = key
                .trim_start_matches("start_")
                .parse()
                .map_err(|_| AppError::invalid(key, "?"))?;
            let end = form
                .iter()
                .find(|(k, _)| *k == format!("end_{n}"))
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            if start.trim().is_empty() && end.trim().is_empty() {
                continue;
            }
            let starts = tabel_domain::timetable::parse_hhmm(start)
                .ok_or_else(|| AppError::invalid(&format!("start_{n}"), "use HH:MM"))?;
            let ends = tabel_domain::timetable::parse_hhmm(end)
                .ok_or_else(|| AppError::invalid(&format!("end_{n}"), "use HH:MM"))?;
            slots.push(tabel_domain::timetable::BellSlot {
                number: n,
                starts,
                ends,
            });
        }
        state
            .app
            .set_bell_schedule(
                &user.who.principal,
                school,
                (shift, "regular"),
                slots,
                &user.client,
            )
            .await
    }
    .await;
    match result {
        Ok(()) => Ok(crate::redirect::see_other(&href(
            "/timetable/bells",
            &[("shift", shift), ("done", 1)],
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let built =
                bells_build(&state, &user, (shift, errors.into_iter().collect()), None).await;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, built?)
        }
        Err(e) => Err(PageError::from(e)),
    }
}
