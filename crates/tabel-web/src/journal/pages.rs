//! The teacher's journal pages: the list of journals a teacher keeps and the grid of one journal
//! (pupils × lessons) for a reporting period, with a form per lesson for its topic and homework.
//!
//! The grid reads without JavaScript; `assets/journal.js` makes it a keyboard-first editor that
//! writes every cell through the JSON API (`/api/v1/marks`, `/api/v1/attendance`) with the cell's
//! version, so a stale write comes back as a conflict instead of overwriting someone's change.
//! The lesson forms post here too, for browsers without JavaScript.

use crate::AppState;
use crate::error::{PageError, render};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::{Path, href, id};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use tabel_app::AppError;
use tabel_app::journal::JournalView;
use tabel_domain::calendar::TimeZoneName;
use tabel_domain::journal::Attendance;
use tabel_domain::journal::{AttendanceEntry, MarkEntry};
use tabel_domain::timetable::LessonStatus;
use tabel_domain::{GroupId, LessonId, PeriodId, PersonId, SubjectId};
use tabel_present::date;
use time::Date;

use super::lesson::*;
use super::recommend::*;

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

pub(super) fn columns(t: &Tr<'_>, v: &JournalView, today: Date) -> Vec<Column> {
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
pub(super) fn rows(t: &Tr<'_>, v: &JournalView, cols: &[Column]) -> Vec<Row> {
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
                        letter: att
                            .map(|a| policy.letter(a.code).to_owned())
                            .unwrap_or_default(),
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
                average: tabel_present::average(t.lang, &s.average),
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

pub(super) fn parse_period(raw: Option<&str>) -> Result<Option<PeriodId>, AppError> {
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
            // Details redacted (retention, a request) say so instead of showing nothing.
            let redacted = c
                .details_redacted
                .map(|r| t.get(&format!("audit-redacted-{}", super::api::redaction_code(r))));
            HistoryRow {
                at: tabel_present::date_time(at),
                action: if label == key { c.action } else { label },
                before: redacted
                    .clone()
                    .unwrap_or_else(|| cell_value(c.before.as_ref())),
                after: redacted.unwrap_or_else(|| cell_value(c.after.as_ref())),
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
        assert_eq!(local_back("/journal/\t/evil.example"), "/journal");
        assert_eq!(local_back("/journal/%2F%2Fevil.example"), "/journal");
    }

    #[test]
    fn long_topics_are_cut_with_an_ellipsis() {
        assert_eq!(shorten("Дроби", 14), "Дроби");
        assert_eq!(shorten("Сложение и вычитание дробей", 10), "Сложение …");
        assert_eq!(shorten("  ", 5), "");
    }
}
