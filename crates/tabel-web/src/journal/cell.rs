//! One cell of the journal — a pupil on a lesson — on its own page: every mark with its work
//! type, comment and debt date, and the attendance with minutes late and a reason. The grid's
//! one-keystroke editing writes the common case (a mark of the lesson's default work type, an
//! absence letter); this page writes the rest, and works on a phone and without JavaScript.
//!
//! Every form carries the version it was read at, so a stale save is refused with the current
//! value shown, as in the grid.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::{Path, field_id, href, id};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::journal::{MarkUpdate, RecordMark, SetAttendance};
use tabel_domain::journal::Attendance;
use tabel_domain::{LessonId, MarkId, PersonId};
use tabel_present::date;
use time::Date;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/journal/cell", get(cell_page))
        .route("/journal/cell/marks", post(add_mark))
        .route("/journal/cell/marks/{id}", post(save_mark))
        .route("/journal/cell/marks/{id}/delete", post(remove_mark))
        .route("/journal/cell/attendance", post(save_attendance))
}

/// A mark of the cell as its form shows it.
pub struct MarkRow {
    /// Id.
    pub id: String,
    /// Version read.
    pub version: i64,
    /// "5", "3/5".
    pub value: String,
    /// Work type code.
    pub work_type: String,
    /// "контрольная работа ×3" (the weight it was given).
    pub label: String,
    /// Comment.
    pub comment: String,
    /// Debt date as YYYY-MM-DD ("" when none).
    pub debt_until: String,
}

/// What the add form holds (kept when it is refused).
#[derive(Default)]
pub struct NewMark {
    /// Value typed.
    pub value: String,
    /// Work type chosen ("" = the lesson type's default).
    pub work_type: String,
    /// Comment.
    pub comment: String,
    /// Debt date.
    pub debt_until: String,
}

#[derive(Template)]
#[template(path = "journal/cell.html")]
struct CellPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    lesson: String,
    student: String,
    /// "Петров Иван".
    pupil: String,
    /// "5А · Математика · 28.11.2026, урок 2".
    context: String,
    topic: String,
    marks: Vec<MarkRow>,
    work_types: Vec<(String, String)>,
    /// The work type a new mark gets unless another is chosen.
    default_work: String,
    new_mark: NewMark,
    /// Attendance: code ("" = present), minutes late, reason, version (0 = none yet).
    att_code: String,
    att_minutes: String,
    att_reason: String,
    att_version: i64,
    codes: Vec<(String, String)>,
    /// The viewer may write this cell (as its teacher, or an administrator's correction).
    writable: bool,
    /// Writing here is an administrator's correction: a reason is required.
    correction: bool,
    closed: bool,
    lesson_href: String,
    history_href: String,
    error: String,
    saved: bool,
}

#[derive(Deserialize, Default)]
struct CellQuery {
    #[serde(default)]
    lesson: String,
    #[serde(default)]
    student: String,
    #[serde(default)]
    saved: Option<String>,
}

fn attendance_name(t: &Tr<'_>, a: Attendance) -> String {
    t.get(&format!("cell-att-{}", a.code()))
}

async fn cell_view<'s>(
    state: &'s AppState,
    user: &PageUser,
    (lesson, student): (LessonId, PersonId),
    new_mark: NewMark,
    error: String,
) -> Result<CellPage<'s>, AppError> {
    let t = user.tr(state);
    let sheet = state.app.lesson_sheet(&user.who.principal, lesson).await?;
    let v = &sheet.journal;
    let l = &sheet.lesson;
    let entry = v
        .students
        .iter()
        .map(|s| &s.entry)
        .find(|e| e.student == student)
        .ok_or(AppError::NotFound)?;
    let member = entry.was_in(l.on);
    let record = v
        .lessons
        .iter()
        .find(|x| x.lesson.id == lesson)
        .map(|x| x.record.record.clone())
        .unwrap_or_default();
    let policy = &v.policy.policy;
    let mut marks: Vec<_> = v
        .marks
        .iter()
        .filter(|m| m.lesson == Some(lesson) && m.student == student)
        .collect();
    marks.sort_by_key(|m| m.id);
    let att = v
        .attendance
        .iter()
        .find(|a| a.lesson == lesson && a.student == student);
    let closed = v.period.locked_at.is_some();
    let (writable, correction) = v.cell_access(l, state.app.today(), member);
    let work_name = |code: &str| tabel_present::work_name(policy, code).to_owned();
    let default_work = record
        .lesson_type
        .as_deref()
        .and_then(|code| policy.lesson_type(code))
        .map(|lt| work_name(&lt.default_work))
        .unwrap_or_default();
    let lesson_type = record
        .lesson_type
        .as_deref()
        .and_then(|code| policy.lesson_type(code))
        .map(|lt| format!(" · {}", lt.name))
        .unwrap_or_default();
    Ok(CellPage {
        lesson: lesson.to_string(),
        student: student.to_string(),
        pupil: format!("{} {}", entry.last_name, entry.first_name),
        context: format!(
            "{} · {} · {}, {}{lesson_type}",
            v.group.name,
            v.subject_name,
            date(l.on),
            t.with("cell-lesson-number", "n", i64::from(l.number)),
        ),
        topic: record.topic.clone(),
        marks: marks
            .iter()
            .map(|m| MarkRow {
                id: m.id.to_string(),
                version: m.version,
                value: m.value.clone(),
                work_type: m.work_type.clone(),
                label: format!("{} ×{}", work_name(&m.work_type), m.weight),
                comment: m.comment.clone(),
                debt_until: m.debt_until.map(|d| d.to_string()).unwrap_or_default(),
            })
            .collect(),
        work_types: policy
            .work_types
            .iter()
            .map(|w| (w.code.clone(), format!("{} ×{}", w.name, w.weight)))
            .collect(),
        default_work,
        new_mark,
        att_code: att.map(|a| a.code.code().to_owned()).unwrap_or_default(),
        att_minutes: att
            .and_then(|a| a.minutes_late)
            .map(|m| m.to_string())
            .unwrap_or_default(),
        att_reason: att.map(|a| a.reason.clone()).unwrap_or_default(),
        att_version: att.map_or(0, |a| a.version),
        codes: Attendance::ALL
            .iter()
            .map(|&a| {
                (
                    a.code().to_owned(),
                    format!("{} — {}", policy.letter(a), attendance_name(&t, a)),
                )
            })
            .collect(),
        writable,
        correction,
        closed,
        lesson_href: format!("/journal/lesson/{lesson}"),
        history_href: href(
            "/journal/history",
            &(("lesson", lesson), ("student", student)),
        ),
        error,
        saved: false,
        nav: user.nav.clone(),
        t,
    })
}

/// The cell's page.
#[tracing::instrument(skip_all)]
async fn cell_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<CellQuery>,
) -> Result<Html<String>, PageError> {
    let cell = (id(&q.lesson)?, id(&q.student)?);
    let mut page = cell_view(&state, &user, cell, NewMark::default(), String::new()).await?;
    page.saved = q.saved.is_some();
    render(page)
}

/// The cell a form names, and an administrator's reason.
#[derive(Deserialize, Default)]
struct CellForm {
    #[serde(default)]
    lesson: String,
    #[serde(default)]
    student: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    value: String,
    #[serde(default)]
    work_type: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    debt_until: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    minutes_late: String,
    #[serde(default)]
    reason: String,
    /// An administrator's reason for correcting a closed period.
    #[serde(default)]
    correction: String,
}

fn some(raw: &str) -> Option<String> {
    Some(raw.trim().to_owned()).filter(|s| !s.is_empty())
}

impl CellForm {
    fn cell(&self) -> Result<(LessonId, PersonId), AppError> {
        Ok((id(self.lesson.trim())?, id(self.student.trim())?))
    }

    fn debt(&self) -> Result<Option<Date>, AppError> {
        match self.debt_until.trim() {
            "" => Ok(None),
            d => tabel_domain::calendar::parse_iso_date(d)
                .map(Some)
                .map_err(|_| AppError::invalid("debt_until", "use YYYY-MM-DD")),
        }
    }

    fn new_mark(&self) -> NewMark {
        NewMark {
            value: self.value.clone(),
            work_type: self.work_type.clone(),
            comment: self.comment.clone(),
            debt_until: self.debt_until.clone(),
        }
    }
}

/// After a write: back to the cell; a refused write shows the page again with the reason.
async fn answer(
    state: &AppState,
    user: &PageUser,
    form: &CellForm,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    let Ok((lesson, student)) = form.cell() else {
        return Err(PageError::from(AppError::NotFound));
    };
    let error = match result {
        Ok(()) => {
            return Ok(crate::redirect::see_other(&href(
                "/journal/cell",
                &(("lesson", lesson), ("student", student), ("saved", 1)),
            ))
            .into_response());
        }
        Err(AppError::Invalid(errors)) => errors
            .into_iter()
            .map(|(k, m)| format!("{k}: {m}"))
            .collect::<Vec<_>>()
            .join("; "),
        Err(AppError::Stale { .. }) => user.tr(state).get("cell-stale"),
        Err(AppError::Conflict(m)) => m,
        Err(e) => return Err(PageError::from(e)),
    };
    let page = cell_view(state, user, (lesson, student), form.new_mark(), error).await;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, page?)
}

/// Adds a mark to the cell (another one when the cell has marks already).
#[tracing::instrument(skip_all)]
async fn add_mark(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<CellForm>,
) -> Result<Response, PageError> {
    let result = async {
        let debt_until = f.debt()?;
        let input = RecordMark {
            work_type: some(&f.work_type),
            comment: some(&f.comment),
            debt_until,
            reason: some(&f.correction),
            ..RecordMark::on_lesson(
                field_id("student_id", &f.student)?,
                field_id("lesson_id", &f.lesson)?,
                f.value.trim(),
            )
        };
        state
            .app
            .record_mark(&user.who.principal, &input, &user.client)
            .await?;
        Ok(())
    }
    .await;
    answer(&state, &user, &f, result).await
}

/// Changes one mark of the cell: value, work type, comment, debt date.
#[tracing::instrument(skip_all, fields(mark = %mark))]
async fn save_mark(
    State(state): State<AppState>,
    user: PageUser,
    Path(mark): Path<MarkId>,
    Form(f): Form<CellForm>,
) -> Result<Response, PageError> {
    let result = async {
        let input = MarkUpdate {
            version: f.version,
            value: f.value.trim().to_owned(),
            work_type: some(&f.work_type),
            comment: Some(f.comment.trim().to_owned()),
            debt_until: f.debt()?,
            reason: some(&f.correction),
        };
        state
            .app
            .change_mark(&user.who.principal, mark, &input, &user.client)
            .await?;
        Ok(())
    }
    .await;
    answer(&state, &user, &f, result).await
}

/// Deletes one mark of the cell.
#[tracing::instrument(skip_all, fields(mark = %mark))]
async fn remove_mark(
    State(state): State<AppState>,
    user: PageUser,
    Path(mark): Path<MarkId>,
    Form(f): Form<CellForm>,
) -> Result<Response, PageError> {
    let result = async {
        state
            .app
            .delete_mark(
                &user.who.principal,
                mark,
                f.version,
                some(&f.correction).as_deref(),
                &user.client,
            )
            .await
    }
    .await;
    answer(&state, &user, &f, result).await
}

/// Sets the cell's attendance (an empty code clears it: the pupil was there).
#[tracing::instrument(skip_all)]
async fn save_attendance(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<CellForm>,
) -> Result<Response, PageError> {
    let result = async {
        let minutes_late = match f.minutes_late.trim() {
            "" => None,
            m => Some(
                m.parse()
                    .map_err(|_| AppError::invalid("minutes_late", "a number of minutes"))?,
            ),
        };
        let input = SetAttendance {
            lesson: field_id("lesson_id", &f.lesson)?,
            student: field_id("student_id", &f.student)?,
            code: f.code.trim().to_owned(),
            minutes_late,
            reason: some(&f.reason),
            version: (f.version > 0).then_some(f.version),
            correction: some(&f.correction),
        };
        state
            .app
            .set_attendance(&user.who.principal, &input, &user.client)
            .await?;
        Ok(())
    }
    .await;
    answer(&state, &user, &f, result).await
}
