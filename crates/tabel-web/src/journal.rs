//! The teacher's journal pages: the list of journals a teacher keeps and the grid of one journal
//! (pupils × lessons) for a reporting period, with a form per lesson for its topic and homework.
//!
//! The grid reads without JavaScript; `assets/journal.js` makes it a keyboard-first editor that
//! writes every cell through the JSON API (`/api/v1/marks`, `/api/v1/attendance`) with the cell's
//! version, so a stale write comes back as a conflict instead of overwriting someone's change.
//! The lesson forms post here too, for browsers without JavaScript.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::{Path, href, id};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use std::collections::HashMap;
use tabel_app::AppError;
use tabel_app::journal::{BatchRow, JournalView, RecordInput};
use tabel_domain::calendar::TimeZoneName;
use tabel_domain::journal::{Attendance, GradingPolicy};
use tabel_domain::journal::{AttendanceEntry, MarkEntry};
use tabel_domain::timetable::LessonStatus;
use tabel_domain::{GroupId, LessonId, PeriodId, PersonId, SubjectId};
use tabel_present::date;
use time::Date;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/journal", get(list))
        .route("/journal/{group}/{subject}", get(grid))
        .route(
            "/journal/{group}/{subject}/lessons/{lesson}",
            post(save_lesson),
        )
        .route("/journal/history", get(history))
        .route(
            "/journal/recommend",
            get(recommend_page).post(save_recommendation),
        )
        .route(
            "/journal/lesson/{lesson}",
            get(lesson_page).post(save_marks),
        )
        .route(
            "/journal/{group}/{subject}/periods/{period}/{action}",
            post(lock_period),
        )
}

/// A journal in the teacher's list.
pub struct JournalLink {
    /// The grid.
    pub href: String,
    /// Class or group, e.g. "5А".
    pub group: String,
    /// Subject.
    pub subject: String,
}

#[derive(Template)]
#[template(path = "journal/list.html")]
struct ListPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    journals: Vec<JournalLink>,
}

async fn list(State(state): State<AppState>, user: PageUser) -> Result<Html<String>, PageError> {
    let journals = state
        .app
        .my_journals(&user.who.principal)
        .await?
        .into_iter()
        .map(|j| JournalLink {
            href: format!("/journal/{}/{}", j.group, j.subject),
            group: j.group_name,
            subject: j.subject_name,
        })
        .collect();
    render(ListPage {
        t: user.tr(&state),
        nav: user.nav.clone(),
        journals,
    })
}

/// A lesson column of the grid.
pub struct Column {
    /// Lesson id.
    pub id: String,
    /// "28.11".
    pub day: String,
    /// "28.11.2026".
    pub full_date: String,
    /// Its number in the day.
    pub number: u8,
    /// The topic as recorded.
    pub topic: String,
    /// The topic cut for the header.
    pub short_topic: String,
    /// Status label for a changed lesson ("" for planned).
    pub status: String,
    /// Cancelled: greyed, struck through, nothing to write.
    pub cancelled: bool,
    /// Marks and attendance may be written (a past or today's lesson, a writer, an open period).
    pub editable: bool,
    /// The lesson record may be written (a writer, an open period, not cancelled).
    pub form: bool,
    /// The record's version (0 before the first write).
    pub version: i64,
    /// Lesson type code ("" when unset).
    pub lesson_type: String,
    /// Held flag as the form carries it: "", "true" or "false".
    pub held: &'static str,
    /// Homework.
    pub homework: String,
    /// Minutes ("" when unset).
    pub minutes: String,
    /// Due date, `YYYY-MM-DD` ("" when unset).
    pub due_on: String,
    /// Due date as shown, "01.12.2026".
    pub due_label: String,
    /// Teacher's comment.
    pub comment: String,
    /// The homework due that day exceeds the grade's limit: the warning ("" otherwise).
    pub overload: String,
}

/// One cell: a pupil in a lesson.
pub struct GridCell {
    /// Lesson id.
    pub lesson: String,
    /// CSS classes: `c`, plus `ro` (read-only), `off` (not in the group that day), `x` (cancelled).
    pub class: String,
    /// The mark edited from the grid (the latest): id and version.
    pub mark: Option<(String, i64)>,
    /// Values of the cell's other marks (another work type), space-separated.
    pub other_marks: String,
    /// Every mark value, space-separated.
    pub marks: String,
    /// Attendance: id and version.
    pub att: Option<(String, i64)>,
    /// The attendance letter.
    pub letter: String,
    /// Tooltip: work types and weights of the marks.
    pub title: String,
}

/// A pupil's row.
pub struct Row {
    /// 1-based number in the journal.
    pub number: usize,
    /// Person id.
    pub id: String,
    /// "Петров Иван".
    pub name: String,
    /// Left or joined within the period: the dates.
    pub note: String,
    /// Weighted average with a decimal comma, or "—".
    pub average: String,
    /// Marks counted in it.
    pub marks: u32,
    /// Absences in the period.
    pub absences: u32,
    /// One cell per column.
    pub cells: Vec<GridCell>,
}

/// A link of the period switcher.
pub struct PeriodLink {
    /// `?period=…`.
    pub href: String,
    /// "2 четверть".
    pub label: String,
    /// The one shown.
    pub current: bool,
}

#[derive(Template)]
#[template(path = "journal/grid.html")]
struct GridPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    group_id: String,
    subject_id: String,
    period_id: String,
    heading: String,
    period_label: String,
    closed: bool,
    may_write: bool,
    may_close: bool,
    periods: Vec<PeriodLink>,
    columns: Vec<Column>,
    rows: Vec<Row>,
    lesson_types: Vec<(String, String)>,
    /// Attendance letters for the script: (code, letter).
    letters: Vec<(&'static str, String)>,
    class_href: String,
}

#[derive(Deserialize, Default)]
struct GridQuery {
    period: Option<String>,
}

/// Up to `n` characters of a text, with an ellipsis when cut.
fn shorten(text: &str, n: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= n {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(n.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

pub(crate) fn period_label(t: &Tr<'_>, p: &tabel_domain::school::Period) -> String {
    tabel_present::period_name(t.lang, p.kind, p.number)
}

fn letter_of(policy: &GradingPolicy, code: &str) -> String {
    Attendance::from_code(code)
        .ok()
        .map(|a| policy.letter(a).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

fn columns(t: &Tr<'_>, v: &JournalView, today: Date) -> Vec<Column> {
    v.lessons
        .iter()
        .map(|l| {
            let lesson = &l.lesson;
            let r = &l.record.record;
            let cancelled = lesson.status == LessonStatus::Cancelled;
            Column {
                id: lesson.id.to_string(),
                day: tabel_present::day_month(lesson.on),
                full_date: date(lesson.on),
                number: lesson.number,
                short_topic: shorten(&r.topic, 14),
                topic: r.topic.clone(),
                status: crate::school::lesson_status(t, lesson.status).0,
                cancelled,
                editable: v.may_write && !cancelled && lesson.on <= today,
                form: v.may_write && !cancelled,
                version: l.record.version,
                lesson_type: r.lesson_type.clone().unwrap_or_default(),
                held: match r.held {
                    Some(true) => "true",
                    Some(false) => "false",
                    None => "",
                },
                homework: r.homework.clone(),
                minutes: r
                    .homework_minutes
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                due_on: r.homework_due_on.map(|d| d.to_string()).unwrap_or_default(),
                due_label: r.homework_due_on.map(date).unwrap_or_default(),
                comment: r.teacher_comment.clone(),
                overload: String::new(),
            }
        })
        .collect()
}

/// The cells of the grid, from the marks and attendance looked up by (lesson, pupil).
fn rows(t: &Tr<'_>, v: &JournalView, cols: &[Column]) -> Vec<Row> {
    let mut marks: HashMap<(LessonId, PersonId), Vec<&MarkEntry>> = HashMap::new();
    for m in &v.marks {
        if let Some(lesson) = m.lesson {
            marks.entry((lesson, m.student)).or_default().push(m);
        }
    }
    for list in marks.values_mut() {
        list.sort_by_key(|m| m.id);
    }
    let attendance: HashMap<(LessonId, PersonId), &AttendanceEntry> = v
        .attendance
        .iter()
        .map(|a| ((a.lesson, a.student), a))
        .collect();
    let policy = &v.policy.policy;
    v.students
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let e = &s.entry;
            let cells = v
                .lessons
                .iter()
                .zip(cols)
                .map(|(l, col)| {
                    let key = (l.lesson.id, e.student);
                    let member = e.was_in(l.lesson.on);
                    let mut class = String::from("c");
                    if col.cancelled {
                        class.push_str(" x");
                    }
                    if !member {
                        class.push_str(" off");
                    }
                    if !member || !col.editable {
                        class.push_str(" ro");
                    }
                    let list = marks.get(&key).map(Vec::as_slice).unwrap_or_default();
                    let values: Vec<&str> = list.iter().map(|m| m.value.as_str()).collect();
                    let title = list
                        .iter()
                        .map(|m| {
                            let name = tabel_present::work_name(policy, &m.work_type);
                            format!("{}: {name} ×{}", m.value, m.weight)
                        })
                        .collect::<Vec<_>>()
                        .join("; ");
                    let att = attendance.get(&key);
                    GridCell {
                        lesson: col.id.clone(),
                        class,
                        mark: list.last().map(|m| (m.id.to_string(), m.version)),
                        other_marks: values
                            .get(..values.len().saturating_sub(1))
                            .unwrap_or_default()
                            .join(" "),
                        marks: values.join(" "),
                        att: att.map(|a| (a.id.to_string(), a.version)),
                        letter: att.map(|a| letter_of(policy, &a.code)).unwrap_or_default(),
                        title,
                    }
                })
                .collect();
            let note = match e.to {
                Some(to) => format!("{} – {}", date(e.from), date(to)),
                None if e.from > v.period.starts_on => format!("{} –", date(e.from)),
                None => String::new(),
            };
            Row {
                number: i + 1,
                id: e.student.to_string(),
                name: format!("{} {}", e.last_name, e.first_name),
                note,
                average: tabel_present::decimal_shown(t.lang, &s.average),
                marks: s.marks,
                absences: s.absences,
                cells,
            }
        })
        .collect()
}

async fn grid_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    (group, subject): (GroupId, SubjectId),
    period: Option<PeriodId>,
) -> Result<GridPage<'s>, AppError> {
    let t = user.tr(state);
    let today = state.app.today();
    let v = state
        .app
        .journal(&user.who.principal, group, subject, period)
        .await?;
    let mut cols = columns(&t, &v, today);
    let rows = rows(&t, &v, &cols);
    let base = format!("/journal/{group}/{subject}");
    let class = v.group.parent.unwrap_or(v.group.id);
    if v.may_write {
        warn_overload(state, user, (class, v.group.grade), &v, &mut cols).await;
    }
    Ok(GridPage {
        group_id: group.to_string(),
        subject_id: subject.to_string(),
        period_id: v.period.id.to_string(),
        heading: format!("{} · {}", v.group.name, v.subject_name),
        period_label: format!(
            "{} ({} – {})",
            period_label(&t, &v.period),
            date(v.period.starts_on),
            date(v.period.ends_on)
        ),
        closed: v.period.locked_at.is_some(),
        may_write: v.may_write,
        may_close: v.may_close,
        periods: v
            .periods
            .iter()
            .map(|p| PeriodLink {
                href: href(&base, &[("period", p.id)]),
                label: period_label(&t, p),
                current: p.id == v.period.id,
            })
            .collect(),
        lesson_types: v
            .policy
            .policy
            .lesson_types
            .iter()
            .map(|l| (l.code.clone(), l.name.clone()))
            .collect(),
        letters: Attendance::ALL
            .iter()
            .map(|&a| (a.code(), v.policy.policy.letter(a).to_owned()))
            .collect(),
        class_href: format!("/school/classes/{class}"),
        columns: cols,
        rows,
        nav: user.nav.clone(),
        t,
    })
}

fn parse_period(raw: Option<&str>) -> Result<Option<PeriodId>, AppError> {
    match raw.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) => p
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid("period", "no such period for this class")),
    }
}

#[tracing::instrument(skip_all, fields(group = %ids.0, subject = %ids.1))]
async fn grid(
    State(state): State<AppState>,
    user: PageUser,
    Path(ids): Path<(GroupId, SubjectId)>,
    Query(q): Query<GridQuery>,
) -> Result<Html<String>, PageError> {
    let period = parse_period(q.period.as_deref())?;
    render(grid_page(&state, &user, ids, period).await?)
}

/// The lesson form as a browser without JavaScript posts it.
#[derive(Deserialize)]
struct LessonForm {
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
async fn save_lesson(
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
async fn warn_overload(
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

/// A change in a cell's history as shown.
pub struct HistoryRow {
    /// "28.11.2026 10:15" (the schools' local time).
    pub at: String,
    /// What was done.
    pub action: String,
    /// Value before ("" when none).
    pub before: String,
    /// Value after ("" when none).
    pub after: String,
    /// Why ("" when not given).
    pub reason: String,
}

#[derive(Template)]
#[template(path = "journal/history.html")]
struct HistoryPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    rows: Vec<HistoryRow>,
}

#[derive(Deserialize, Default)]
struct CellQuery {
    #[serde(default)]
    lesson: String,
    #[serde(default)]
    student: String,
}

/// A mark's value or an attendance code from an audit record.
fn cell_value(v: Option<&serde_json::Value>) -> String {
    v.and_then(|v| v.get("value").or_else(|| v.get("code")))
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn history_rows(
    t: &Tr<'_>,
    zone: TimeZoneName,
    changes: Vec<tabel_app::journal::CellChange>,
) -> Vec<HistoryRow> {
    changes
        .into_iter()
        .map(|c| {
            let at = zone.local(c.at);
            let key = format!("journal-action-{}", c.action.replace('.', "-"));
            let label = t.get(&key);
            HistoryRow {
                at: tabel_present::date_time(at),
                action: if label == key { c.action } else { label },
                before: cell_value(c.before.as_ref()),
                after: cell_value(c.after.as_ref()),
                reason: c.reason.unwrap_or_default(),
            }
        })
        .collect()
}

/// The history of one cell (pupil × lesson) without JavaScript.
#[tracing::instrument(skip_all)]
async fn history(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<CellQuery>,
) -> Result<Html<String>, PageError> {
    let lesson: LessonId = id(&q.lesson)?;
    let student: PersonId = id(&q.student)?;
    let changes = state
        .app
        .cell_history(&user.who.principal, lesson, student)
        .await?;
    let t = user.tr(&state);
    render(HistoryPage {
        rows: history_rows(&t, state.app.config().time_zone.clone(), changes),
        nav: user.nav.clone(),
        t,
    })
}

/// Closes or reopens the period from the grid (administrators, deputy heads), then shows it.
#[tracing::instrument(skip_all, fields(period = %period, action = ?action))]
async fn lock_period(
    State(state): State<AppState>,
    user: PageUser,
    Path((group, subject, period, action)): Path<(GroupId, SubjectId, PeriodId, PeriodAction)>,
) -> Result<Response, PageError> {
    let close = action == PeriodAction::Close;
    state
        .app
        .close_period(&user.who.principal, period, close, &user.client)
        .await?;
    let to = href(
        &format!("/journal/{group}/{subject}"),
        &[("period", period)],
    );
    Ok(crate::redirect::see_other(&to).into_response())
}

/// What the grid's period buttons ask (`…/periods/{period}/close`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum PeriodAction {
    Close,
    Reopen,
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
    pub(crate) files: crate::homework_files::LessonFiles,
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
    let files = crate::homework_files::LessonFiles::load(state, user, lesson, writer).await?;
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
async fn lesson_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(lesson): Path<LessonId>,
) -> Result<Html<String>, PageError> {
    render(lesson_view(&state, &user, lesson, &Typed::new()).await?)
}

/// The rows to write, in the order of `pupils`: a mark and a letter each, where given.
fn batch(pupils: &[PersonId], typed: &Typed) -> Vec<BatchRow> {
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
async fn save_marks(
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
        Ok(0)
    } else {
        state
            .app
            .write_column(&user.who.principal, lesson, &rows, &user.client)
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

/// Where to return after writing a recommendation: a journal page of this site, else the list
/// of journals (the address comes from the query, so it must not lead elsewhere).
fn local_back(raw: &str) -> String {
    let ok = raw.starts_with("/journal/")
        && !raw.contains("//")
        && raw.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if ok {
        raw.to_owned()
    } else {
        "/journal".to_owned()
    }
}

#[derive(Template)]
#[template(path = "journal/recommend.html")]
struct RecommendPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    student: String,
    subject: String,
    back: String,
    body: String,
    error: String,
    /// The pupil's earlier recommendations, newest first: (date, text).
    earlier: Vec<(String, String)>,
}

/// `?student=…&subject=…&back=…`, and the form's fields.
#[derive(Deserialize, Default)]
struct RecommendForm {
    #[serde(default)]
    student: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    back: String,
    #[serde(default)]
    body: String,
}

impl RecommendForm {
    fn ids(&self) -> Result<(PersonId, Option<SubjectId>), AppError> {
        let subject = match self.subject.trim() {
            "" => None,
            s => Some(id(s)?),
        };
        Ok((id(self.student.trim())?, subject))
    }

    fn page<'a>(&self, t: Tr<'a>, user: &PageUser, error: String) -> RecommendPage<'a> {
        RecommendPage {
            t,
            nav: user.nav.clone(),
            student: self.student.trim().to_owned(),
            subject: self.subject.trim().to_owned(),
            back: local_back(&self.back),
            body: self.body.clone(),
            error,
            earlier: Vec::new(),
        }
    }
}

/// What teachers have recommended to the pupil before (none shown when the viewer may not see
/// the pupil; whether they may write is decided when the form is posted).
async fn earlier_recommendations(
    state: &AppState,
    user: &PageUser,
    student: PersonId,
) -> Vec<(String, String)> {
    let zone = state.app.config().time_zone.clone();
    let mut list = state
        .app
        .recommendations(&user.who.principal, student)
        .await
        .unwrap_or_default();
    list.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    list.into_iter()
        .map(|r| (date(zone.local_date(r.created_at)), r.body))
        .collect()
}

/// The form for a recommendation to a pupil (and the family), reached from the lesson page.
/// Whether the viewer may write it is decided when it is posted.
#[tracing::instrument(skip_all)]
async fn recommend_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<RecommendForm>,
) -> Result<Response, PageError> {
    let (student, _) = q.ids()?;
    let mut page = q.page(user.tr(&state), &user, String::new());
    page.earlier = earlier_recommendations(&state, &user, student).await;
    Ok(render(page)?.into_response())
}

/// Writes the recommendation and returns to the page it was asked from; an empty text comes
/// back as 422 with the form.
#[tracing::instrument(skip_all)]
async fn save_recommendation(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<RecommendForm>,
) -> Result<Response, PageError> {
    let result = match f.ids() {
        Ok((student, subject)) => {
            state
                .app
                .add_recommendation(&user.who.principal, student, subject, &f.body, &user.client)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(crate::redirect::see_other(&local_back(&f.back)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let message = errors.into_values().collect::<Vec<_>>().join("; ");
            let t = user.tr(&state);
            let error = format!("{}: {message}", t.get("recommend-empty"));
            render_status(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                f.page(t, &user, error),
            )
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::{local_back, shorten};

    #[test]
    fn a_recommendation_returns_only_to_a_journal_page_of_this_site() {
        assert_eq!(local_back("/journal/lesson/7"), "/journal/lesson/7");
        assert_eq!(local_back("https://evil.example/"), "/journal");
        assert_eq!(local_back("//evil.example/journal/"), "/journal");
        assert_eq!(local_back("/journal//evil.example"), "/journal");
        assert_eq!(local_back("/journal/\\evil"), "/journal");
        assert_eq!(local_back("/journal/x\r\nSet-Cookie: a=b"), "/journal");
        assert_eq!(local_back("/admin"), "/journal");
    }

    #[test]
    fn long_topics_are_cut_with_an_ellipsis() {
        assert_eq!(shorten("Дроби", 14), "Дроби");
        assert_eq!(shorten("Сложение и вычитание дробей", 10), "Сложение …");
        assert_eq!(shorten("  ", 5), "");
    }
}
