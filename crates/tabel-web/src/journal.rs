//! The teacher's journal pages: the list of journals a teacher keeps and the grid of one journal
//! (pupils × lessons) for a reporting period, with a form per lesson for its topic and homework.
//!
//! The grid reads without JavaScript; `assets/journal.js` makes it a keyboard-first editor that
//! writes every cell through the JSON API (`/api/v1/marks`, `/api/v1/attendance`) with the cell's
//! version, so a stale write comes back as a conflict instead of overwriting someone's change.
//! The lesson forms post here too, for browsers without JavaScript.

use crate::AppState;
use crate::error::PageError;
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::school::{date, id, respond};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use std::collections::HashMap;
use tabel_app::AppError;
use tabel_app::journal::{JournalView, RecordInput};
use tabel_domain::journal::{Attendance, GradingPolicy};
use tabel_domain::{GroupId, PeriodId, PersonId, SubjectId};
use tabel_store::journal::{StoredAttendance, StoredMark};
use tabel_store::timetable::status;
use time::Date;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/journal", get(list))
        .route("/journal/{group}/{subject}", get(grid))
        .route(
            "/journal/{group}/{subject}/lessons/{lesson}",
            post(save_lesson),
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

async fn list(State(state): State<AppState>, user: PageUser) -> Response {
    let built = async {
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
        Ok(ListPage {
            t: user.tr(&state),
            nav: user.nav.clone(),
            journals,
        })
    }
    .await;
    respond(&state, &user, built)
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

fn period_label(t: &Tr<'_>, p: &tabel_store::school::Period) -> String {
    format!(
        "{} {}",
        p.number,
        t.get(&format!("period-{}", p.kind.code()))
    )
}

fn status_label(t: &Tr<'_>, code: &str) -> String {
    match code {
        status::SUBSTITUTED => t.get("lesson-substituted"),
        status::CANCELLED => t.get("lesson-cancelled"),
        status::TRANSFERRED => t.get("lesson-transferred"),
        status::EXTRA => t.get("lesson-extra"),
        _ => String::new(),
    }
}

fn letter_of(policy: &GradingPolicy, code: &str) -> String {
    Attendance::from_code(code)
        .map(|a| policy.letter(a).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

fn columns(t: &Tr<'_>, v: &JournalView, today: Date) -> Vec<Column> {
    v.lessons
        .iter()
        .map(|l| {
            let lesson = &l.lesson;
            let r = &l.record.record;
            let cancelled = lesson.status == status::CANCELLED;
            Column {
                id: lesson.id.to_string(),
                day: format!("{:02}.{:02}", lesson.on.day(), u8::from(lesson.on.month())),
                full_date: date(lesson.on),
                number: lesson.number,
                short_topic: shorten(&r.topic, 14),
                topic: r.topic.clone(),
                status: status_label(t, &lesson.status),
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
            }
        })
        .collect()
}

/// The cells of the grid, from the marks and attendance looked up by (lesson, pupil).
fn rows(v: &JournalView, cols: &[Column]) -> Vec<Row> {
    let mut marks: HashMap<(i64, PersonId), Vec<&StoredMark>> = HashMap::new();
    for m in &v.marks {
        if let Some(lesson) = m.lesson {
            marks.entry((lesson, m.student)).or_default().push(m);
        }
    }
    for list in marks.values_mut() {
        list.sort_by_key(|m| m.id);
    }
    let attendance: HashMap<(i64, PersonId), &StoredAttendance> = v
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
                    let member = e.from <= l.lesson.on && e.to.is_none_or(|to| l.lesson.on <= to);
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
                            let name = policy
                                .work_type(&m.work_type)
                                .map_or(m.work_type.as_str(), |w| w.name.as_str());
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
                average: s.average.replace('.', ","),
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
    let cols = columns(&t, &v, today);
    let rows = rows(&v, &cols);
    let base = format!("/journal/{group}/{subject}");
    let class = v.group.parent.unwrap_or(v.group.id);
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
        periods: v
            .periods
            .iter()
            .map(|p| PeriodLink {
                href: format!("{base}?period={}", p.id),
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
            .into_iter()
            .map(|a| (a.code(), v.policy.policy.letter(a).to_owned()))
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

#[tracing::instrument(skip_all, fields(group = %group, subject = %subject))]
async fn grid(
    State(state): State<AppState>,
    user: PageUser,
    Path((group, subject)): Path<(String, String)>,
    Query(q): Query<GridQuery>,
) -> Response {
    let built = async {
        let ids = (id(&group)?, id(&subject)?);
        let period = parse_period(q.period.as_deref())?;
        grid_page(&state, &user, ids, period).await
    }
    .await;
    respond(&state, &user, built)
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
                Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
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
    Path((group, subject, lesson)): Path<(String, String, String)>,
    Form(f): Form<LessonForm>,
) -> Response {
    let result = async {
        let (group, subject): (GroupId, SubjectId) = (id(&group)?, id(&subject)?);
        let lesson_id: i64 = id(&lesson)?;
        let period = parse_period(Some(&f.period))?;
        let input = f.input()?;
        state
            .app
            .record_lesson(&user.who.principal, lesson_id, &input, &user.client)
            .await?;
        let query = period.map(|p| format!("?period={p}")).unwrap_or_default();
        Ok::<_, AppError>(format!(
            "/journal/{group}/{subject}{query}#lesson-{lesson_id}"
        ))
    }
    .await;
    match result {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) => user.fail(&state, PageError::from_app(e, user.lang)),
    }
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn long_topics_are_cut_with_an_ellipsis() {
        assert_eq!(shorten("Дроби", 14), "Дроби");
        assert_eq!(shorten("Сложение и вычитание дробей", 10), "Сложение …");
        assert_eq!(shorten("  ", 5), "");
    }
}
