//! The lesson page: its topic, homework and type, the overload warning, and marks and attendance typed for the whole class.

use super::pages::*;
use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::{Path, href};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;
use tabel_app::AppError;
use tabel_app::journal::{BatchRow, JournalView, RecordInput};
use tabel_domain::journal::Attendance;
use tabel_domain::{GroupId, LessonId, PersonId, SubjectId};
use time::Date;

/// The lesson form as a browser without JavaScript posts it.
#[derive(Deserialize)]
pub(super) struct LessonForm {
    version: i64,
    #[serde(default)]
    period: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    lesson_type: String,
    #[serde(default)]
    held: String,
    #[serde(default)]
    homework: String,
    #[serde(default)]
    homework_minutes: String,
    #[serde(default)]
    homework_due_on: String,
    #[serde(default)]
    teacher_comment: String,
}

impl LessonForm {
    fn input(&self) -> Result<RecordInput, AppError> {
        let minutes = match self.homework_minutes.trim() {
            "" => None,
            m => Some(
                m.parse()
                    .map_err(|_| AppError::invalid("homework_minutes", "1–240 minutes"))?,
            ),
        };
        let due = match self.homework_due_on.trim() {
            "" => None,
            d => Some(
                tabel_domain::calendar::parse_iso_date(d)
                    .map_err(|_| AppError::invalid("homework_due_on", "use YYYY-MM-DD"))?,
            ),
        };
        Ok(RecordInput {
            version: self.version,
            topic: self.topic.clone(),
            lesson_type: Some(self.lesson_type.trim().to_owned()).filter(|t| !t.is_empty()),
            held: match self.held.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            homework: self.homework.clone(),
            homework_minutes: minutes,
            homework_due_on: due,
            teacher_comment: self.teacher_comment.clone(),
            reason: None,
        })
    }
}

/// Saves a lesson's record from the form (without JavaScript; the script uses the API) and
/// returns to the lesson in the grid.
#[tracing::instrument(skip_all, fields(lesson = %lesson))]
pub(super) async fn save_lesson(
    State(state): State<AppState>,
    user: PageUser,
    Path((group, subject, lesson)): Path<(GroupId, SubjectId, LessonId)>,
    Form(f): Form<LessonForm>,
) -> Result<Response, PageError> {
    let period = parse_period(Some(&f.period))?;
    let input = f.input()?;
    state
        .app
        .record_lesson(&user.who.principal, lesson, &input, &user.client)
        .await?;
    let query = crate::paths::query(&[("period", period)]);
    Ok(crate::redirect::see_other(&format!(
        "/journal/{group}/{subject}{query}#lesson-{lesson}"
    ))
    .into_response())
}

/// The warning for a day whose homework exceeds the grade's limit ("" when within it).
pub(crate) fn overload_text(
    t: &Tr<'_>,
    on: Date,
    (minutes, limit): (u32, u16),
    grade: u8,
) -> String {
    if minutes <= u32::from(limit) || minutes == 0 {
        return String::new();
    }
    t.args(
        "journal-homework-overload",
        &[
            ("date", tabel_present::day_month(on).into()),
            ("minutes", i64::from(minutes).into()),
            ("limit", i64::from(limit).into()),
            ("grade", i64::from(grade).into()),
        ],
    )
}

/// Marks the lessons whose homework makes its due day exceed the limit. Only days from today
/// on: the load of a day already past changes nothing. The warning is advice, so a failure to
/// read the load leaves the lesson without it rather than failing the grid.
pub(super) async fn warn_overload(
    state: &AppState,
    user: &PageUser,
    (class, grade): (GroupId, u8),
    v: &JournalView,
    cols: &mut [Column],
) {
    let today = state.app.today();
    let t = user.tr(state);
    let mut loads: HashMap<Date, String> = HashMap::new();
    for (l, col) in v.lessons.iter().zip(cols.iter_mut()) {
        let Some(due) = l.record.record.homework_due_on.filter(|d| *d >= today) else {
            continue;
        };
        col.overload = match loads.get(&due) {
            Some(text) => text.clone(),
            None => {
                let text = match state
                    .app
                    .homework_load(&user.who.principal, class, due)
                    .await
                {
                    Ok(load) => overload_text(&t, due, load, grade),
                    Err(_) => String::new(),
                };
                loads.insert(due, text.clone());
                text
            }
        };
    }
}

/// A pupil's row of the lesson page.
pub struct PupilRow {
    /// Person id.
    pub id: String,
    /// "Петров Иван".
    pub name: String,
    /// Marks already in the cell.
    pub marks: String,
    /// The attendance letter already recorded ("" when none).
    pub letter: String,
    /// In the group that day and the lesson is writable.
    pub editable: bool,
    /// What was typed (kept on a refused form).
    pub typed_mark: String,
    /// The letter chosen (kept on a refused form).
    pub typed_letter: String,
    /// Why the row was refused ("" when fine).
    pub error: String,
}

#[derive(Template)]
#[template(path = "journal/lesson.html")]
pub(crate) struct LessonPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    group_id: String,
    subject_id: String,
    period_id: String,
    heading: String,
    column: Column,
    pupils: Vec<PupilRow>,
    letters: Vec<String>,
    lesson_types: Vec<(String, String)>,
    grid_href: String,
    errors: Vec<String>,
    /// The viewer writes in this journal: each pupil gets a link to write a recommendation.
    may_recommend: bool,
    /// The files of the lesson's homework.
    pub(crate) files: crate::homework_files::pages::LessonFiles,
}

/// What the marks form posted: `m_<pupil>` (mark) and `a_<pupil>` (attendance letter).
type Typed = HashMap<String, String>;

pub(crate) async fn lesson_view<'s>(
    state: &'s AppState,
    user: &PageUser,
    lesson: LessonId,
    typed: &Typed,
) -> Result<LessonPage<'s>, AppError> {
    let t = user.tr(state);
    let sheet = state.app.lesson_sheet(&user.who.principal, lesson).await?;
    let v = &sheet.journal;
    let today = state.app.today();
    let cols = columns(&t, v, today);
    let grid = rows(&t, v, &cols);
    let index = v
        .lessons
        .iter()
        .position(|l| l.lesson.id == lesson)
        .ok_or(AppError::NotFound)?;
    let mut column = cols.into_iter().nth(index).ok_or(AppError::NotFound)?;
    if v.may_write {
        let class = v.group.parent.unwrap_or(v.group.id);
        let mut one = [column];
        let view = JournalView {
            lessons: v.lessons.get(index..=index).unwrap_or_default().to_vec(),
            ..v.clone()
        };
        warn_overload(state, user, (class, v.group.grade), &view, &mut one).await;
        let [c] = one;
        column = c;
    }
    let pupils = grid
        .into_iter()
        .filter_map(|r| {
            let cell = r.cells.into_iter().nth(index)?;
            let get = |k: &str| typed.get(&format!("{k}_{}", r.id)).cloned();
            Some(PupilRow {
                editable: !cell.class.contains("ro"),
                marks: cell.marks,
                letter: cell.letter,
                typed_mark: get("m").unwrap_or_default(),
                typed_letter: get("a").unwrap_or_default(),
                error: String::new(),
                id: r.id,
                name: r.name,
            })
        })
        .collect();
    let writer = (column.form, v.group.grade);
    let files =
        crate::homework_files::pages::LessonFiles::load(state, user, lesson, writer).await?;
    let group = v.group.id;
    Ok(LessonPage {
        group_id: group.to_string(),
        subject_id: v.subject.to_string(),
        period_id: v.period.id.to_string(),
        heading: format!("{} · {}", v.group.name, v.subject_name),
        pupils,
        letters: Attendance::ALL
            .iter()
            .map(|&a| v.policy.policy.letter(a).to_owned())
            .collect(),
        lesson_types: v
            .policy
            .policy
            .lesson_types
            .iter()
            .map(|l| (l.code.clone(), l.name.clone()))
            .collect(),
        grid_href: if sheet.substitute {
            String::new()
        } else {
            let grid = format!("/journal/{group}/{}", v.subject);
            format!(
                "{}#lesson-{lesson}",
                href(&grid, &[("period", v.period.id)])
            )
        },
        column,
        errors: Vec::new(),
        may_recommend: v.may_write,
        files,
        nav: user.nav.clone(),
        t,
    })
}

/// One lesson on a page: its record and a row per pupil, for a phone and without JavaScript.
#[tracing::instrument(skip_all, fields(lesson = %lesson))]
pub(super) async fn lesson_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(lesson): Path<LessonId>,
) -> Result<Html<String>, PageError> {
    render(lesson_view(&state, &user, lesson, &Typed::new()).await?)
}

/// The rows to write, in the order of `pupils`: a mark and a letter each, where given.
pub(super) fn batch(pupils: &[PersonId], typed: &Typed) -> Vec<BatchRow> {
    let mut out = Vec::new();
    for pupil in pupils {
        for k in ["m", "a"] {
            if let Some(value) = typed
                .get(&format!("{k}_{pupil}"))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
            {
                out.push(BatchRow {
                    student: *pupil,
                    value: value.to_owned(),
                });
            }
        }
    }
    out
}

/// The row index an error key (`rows[3].value`) names.
fn row_of(key: &str) -> Option<usize> {
    key.strip_prefix("rows[")?.split_once(']')?.0.parse().ok()
}

/// Writes the column from the lesson page, all or nothing; a refused row is named on the page.
#[tracing::instrument(skip_all, fields(lesson = %lesson))]
pub(super) async fn save_marks(
    State(state): State<AppState>,
    user: PageUser,
    Path(lesson): Path<LessonId>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let typed: Typed = form.into_iter().collect();
    // The pupils in the page's order, from the field names (`m_<id>`).
    let mut pupils: Vec<PersonId> = typed
        .keys()
        .filter_map(|k| k.strip_prefix("m_").or_else(|| k.strip_prefix("a_")))
        .filter_map(|id| id.parse().ok())
        .collect();
    pupils.sort();
    pupils.dedup();
    let rows = batch(&pupils, &typed);
    let result = if rows.is_empty() {
        // Nothing to write: back to the page, for whoever may read it; anyone else is refused
        // as the page refuses them.
        lesson_view(&state, &user, lesson, &typed).await?;
        Ok(0)
    } else {
        state
            .app
            .write_column(&user.who.principal, lesson, (&rows, None), &user.client)
            .await
    };
    match result {
        Ok(_) => {
            Ok(crate::redirect::see_other(&format!("/journal/lesson/{lesson}")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let page = lesson_view(&state, &user, lesson, &typed).await;
            let page = page.map(|mut page| {
                for (key, message) in errors {
                    let pupil = row_of(&key)
                        .and_then(|i| rows.get(i))
                        .map(|r| r.student.to_string());
                    match pupil.and_then(|p| page.pupils.iter_mut().find(|r| r.id == p)) {
                        Some(row) => {
                            let head =
                                page.t
                                    .with("journal-lesson-row-error", "name", row.name.clone());
                            page.errors.push(format!("{head}: {message}"));
                            row.error = message;
                        }
                        None => page.errors.push(format!("{key}: {message}")),
                    }
                }
                page
            });
            render_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, page?)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// Where to return after writing a recommendation: a journal page of this site (by the one rule
/// for local paths, [`crate::redirect::local_path`]), else the list of journals (the address
/// comes from the query, so it must not lead elsewhere).
pub(super) fn local_back(raw: &str) -> String {
    crate::redirect::local_path(raw)
        .filter(|p| p.starts_with("/journal/"))
        .unwrap_or("/journal")
        .to_owned()
}
