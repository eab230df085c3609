//! The planner's desk: the day's lessons and their changes (substitution, cancellation), the log of changes, ending a line, the bells.

use super::pages::*;
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
use tabel_app::timetable::{Change, LessonView, may_plan};
use tabel_domain::timetable::LessonStatus;
use tabel_domain::timetable::{CancelCause, hhmm};
use tabel_domain::{GroupId, LessonId, PersonId, SchoolId, TimetableLineId};
use tabel_present::date;

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
pub(super) struct DeskQuery {
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

pub(super) async fn desk(
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
pub(super) struct ChangeForm {
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

pub(super) async fn substitute(
    State(state): State<AppState>,
    user: PageUser,
    Path(lesson): Path<LessonId>,
    Form(f): Form<ChangeForm>,
) -> Result<Response, PageError> {
    apply(state, user, lesson, f, false).await
}

pub(super) async fn cancel(
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

pub(super) async fn changes(
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

#[derive(Deserialize)]
pub(super) struct EndForm {
    last_day: String,
}

pub(super) async fn end_line(
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
pub(super) struct BellsQuery {
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

pub(super) async fn bells_page(
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

pub(super) async fn save_bells(
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
