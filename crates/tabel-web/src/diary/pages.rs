//! The family's cabinet — the electronic diary — for parents (switching between children) and
//! pupils: the day, the week, marks by subject, final marks, control works, homework, teachers'
//! recommendations, teachers and the calendar, and the parent's own page. Phone first (lists,
//! not tables), readable without JavaScript; every section is one tap from any other.
//!
//! The child is in the address (`/diary/{student}/…`); every page goes through the diary's gate
//! in tabel-app. A parent's own child without the diary consent gets a page (403) that says what
//! the consent's state is and what to do — never the child's data.

use crate::AppState;
use crate::error::{PageError, render};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::{Path, href};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::diary::{iso_week, monday_of, parse_iso_week};
use tabel_domain::{PeriodId, PersonId};
use time::Duration;

use super::sections::*;
use super::views::*;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/diary", get(start))
        .route("/diary/me", get(me_page))
        .route("/diary/{student}", get(today_page))
        .route("/diary/{student}/week", get(week_page))
        .route("/diary/{student}/marks", get(marks_page))
        .route("/diary/{student}/finals", get(finals_page))
        .route("/diary/{student}/assessments", get(assessments_page))
        .route("/diary/{student}/homework", get(homework_page))
        .route(
            "/diary/{student}/recommendations",
            get(recommendations_page),
        )
        .route("/diary/{student}/teachers", get(teachers_page))
        .route("/diary/{student}/calendar", get(calendar_page))
}

/// `/diary`: the pupil's own diary, a parent's first child with consent (else the parent's
/// page), anyone else home.
async fn start(user: PageUser) -> Response {
    let p = &user.who.principal;
    if let (Some(me), Some(_)) = (p.person, p.student_in) {
        return crate::redirect::see_other(&format!("/diary/{me}")).into_response();
    }
    if let Some(first) = p.children.iter().find(|c| c.consent) {
        return crate::redirect::see_other(&format!("/diary/{}", first.student)).into_response();
    }
    if !p.children.is_empty() {
        return crate::redirect::see_other("/diary/me").into_response();
    }
    crate::redirect::see_other("/").into_response()
}

// ---------------------------------------------------------------- the day

#[derive(Template)]
#[template(path = "diary/today.html")]
struct TodayPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    head: Head,
    title: String,
    day_off: String,
    lessons: Vec<LessonCard>,
    next_title: String,
    next_lessons: Vec<LessonCard>,
    /// New marks.
    marks: Vec<MarkChip>,
    /// Homework due today and on the next day with lessons.
    days: Vec<HomeworkDay>,
    assessments: Vec<AssessmentRow>,
    /// The latest recommendations.
    items: Vec<RecommendationRow>,
}

async fn today_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
) -> Result<Html<String>, PageError> {
    let family = state.app.family(&user.who.principal).await?;
    let t = user.tr(&state);
    let v = state.app.diary_today(&user.who.principal, student).await?;
    let class = v.child.class.as_ref().map(|g| g.name.clone());
    let class = class.as_deref();
    render(TodayPage {
        head: head(&t, &family, &v.child, Section::Today, is_parent(&user)),
        title: day_title(&t, v.today),
        day_off: v
            .day
            .day_off
            .as_ref()
            .map(|h| h.name.clone())
            .unwrap_or_default(),
        lessons: v
            .day
            .lessons
            .iter()
            .map(|l| lesson_card(&t, l, class))
            .collect(),
        next_title: v
            .next
            .as_ref()
            .map(|d| day_title(&t, d.on))
            .unwrap_or_default(),
        next_lessons: v
            .next
            .as_ref()
            .map(|d| {
                d.lessons
                    .iter()
                    .map(|l| lesson_card(&t, l, class))
                    .collect()
            })
            .unwrap_or_default(),
        marks: v.new_marks.iter().map(chip).collect(),
        days: homework_days(&t, &v.homework),
        assessments: assessment_rows(&t, &v.assessments),
        items: recommendation_rows(&state, &v.recommendations),
        nav: user.nav.clone(),
        t,
    })
}

// ---------------------------------------------------------------- the week

#[derive(Template)]
#[template(path = "diary/week.html")]
struct WeekPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    head: Head,
    range: String,
    prev: String,
    next: String,
    this_week: String,
    is_this_week: bool,
    days: Vec<DayView>,
    /// Marks not given on a lesson.
    marks: Vec<MarkChip>,
}

#[derive(Deserialize, Default)]
struct WeekQuery {
    week: Option<String>,
}

async fn week_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    Query(q): Query<WeekQuery>,
) -> Result<Html<String>, PageError> {
    let family = state.app.family(&user.who.principal).await?;
    let t = user.tr(&state);
    let today = state.app.today();
    let monday = match q.week.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        None => monday_of(today),
        Some(w) => parse_iso_week(w)
            .ok_or_else(|| AppError::invalid("week", "use YYYY-Www, e.g. 2026-W48"))?,
    };
    let v = state
        .app
        .diary_week(&user.who.principal, student, monday)
        .await?;
    let class = v.child.class.as_ref().map(|g| g.name.clone());
    let base = format!("/diary/{student}/week");
    render(WeekPage {
        head: head(&t, &family, &v.child, Section::Week, is_parent(&user)),
        range: span(v.monday, v.monday + Duration::days(6)),
        prev: href(&base, &[("week", iso_week(v.monday - Duration::days(7)))]),
        next: href(&base, &[("week", iso_week(v.monday + Duration::days(7)))]),
        this_week: base,
        is_this_week: v.monday == monday_of(today),
        days: v
            .days
            .iter()
            .map(|d| day_view(&t, d, class.as_deref(), today))
            .collect(),
        marks: v.other_marks.iter().map(chip).collect(),
        nav: user.nav.clone(),
        t,
    })
}

// ---------------------------------------------------------------- marks

/// A subject's marks for the period.
pub struct SubjectView {
    /// Element id.
    pub id: String,
    /// Name.
    pub name: String,
    /// "4,33" or "—".
    pub average: String,
    /// "6 отметок".
    pub count: String,
    /// "пропущено 1 из 24 уроков", "" when none missed.
    pub missed: String,
    /// "2 опоздания", "".
    pub lates: String,
    /// The marks.
    pub marks: Vec<MarkChip>,
}

#[derive(Template)]
#[template(path = "diary/marks.html")]
struct MarksPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    head: Head,
    period: String,
    periods: Vec<PeriodTab>,
    subjects: Vec<SubjectView>,
    attendance: Vec<(String, u32)>,
    missed: String,
    finals_href: String,
}

#[derive(Deserialize, Default)]
pub(super) struct PeriodQuery {
    pub(super) period: Option<String>,
}

pub(super) fn period_param(raw: Option<&str>) -> Result<Option<PeriodId>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid("period", "no such period for this pupil")),
    }
}

async fn marks_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    Query(q): Query<PeriodQuery>,
) -> Result<Html<String>, PageError> {
    let family = state.app.family(&user.who.principal).await?;
    let t = user.tr(&state);
    let period = period_param(q.period.as_deref())?;
    let v = state
        .app
        .diary_marks(&user.who.principal, student, period)
        .await?;
    let base = format!("/diary/{student}/marks");
    let a = v.attendance;
    render(MarksPage {
        head: head(&t, &family, &v.child, Section::Marks, is_parent(&user)),
        period: format!(
            "{} · {}",
            period_name(&t, &v.period),
            span(v.period.starts_on, v.period.ends_on)
        ),
        periods: period_tabs(&t, &base, &v.periods, &v.period),
        subjects: v
            .subjects
            .iter()
            .map(|s| SubjectView {
                id: format!("subject-{}", s.subject),
                name: s.name.clone(),
                average: tabel_present::average(t.lang, &s.average),
                count: t.count("diary-marks-count", i64::from(s.average.count)),
                missed: if s.absences > 0 {
                    missed(&t, s.absences, s.lessons)
                } else {
                    String::new()
                },
                lates: if s.lates > 0 {
                    t.count("diary-lates", i64::from(s.lates))
                } else {
                    String::new()
                },
                marks: s.marks.iter().map(chip).collect(),
            })
            .collect(),
        attendance: vec![
            (t.get("cell-att-ill"), a.ill),
            (t.get("cell-att-excused"), a.excused),
            (t.get("cell-att-unexcused"), a.unexcused),
            (t.get("cell-att-late"), a.late),
        ],
        missed: missed(&t, a.missed(), a.lessons),
        finals_href: format!("/diary/{student}/finals"),
        nav: user.nav.clone(),
        t,
    })
}

fn missed(t: &Tr<'_>, missed: u32, lessons: u32) -> String {
    t.args(
        "diary-missed",
        &[
            ("missed", i64::from(missed).into()),
            ("lessons", i64::from(lessons).into()),
        ],
    )
}

// ---------------------------------------------------------------- final marks

/// A period with its state.
pub struct PeriodState {
    /// "2 четверть".
    pub name: String,
    /// Dates.
    pub dates: String,
    /// "идёт", "закрыт", "впереди".
    pub state: String,
}

#[derive(Template)]
#[template(path = "diary/finals.html")]
struct FinalsPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    head: Head,
    periods: Vec<PeriodState>,
    marks: Vec<(String, String, String)>,
    /// (subject, projected mark, average, how sure, risks and what it takes).
    forecast: Vec<(String, String, String, String, String)>,
    /// Exam results (`diary/_exams.html`, from the exams module).
    exams: Vec<crate::exams::pages::DiaryExam>,
    /// Open deferrals of final marks: (subject, slot, "until 15.12.2026 (basis)", overdue).
    deferrals: Vec<(String, String, String, bool)>,
    /// Debts not yet cleared (and those cleared lately): (subject, slot, arisen, deadline,
    /// retakes, state).
    debts: Vec<(String, String, String, String, String, String)>,
    /// Exemptions (освобождение): (subject, "01.09.2026 – 28.12.2026", the document).
    exemptions: Vec<(String, String, String)>,
}

fn code_of<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A subject's forecast in words: the projection, how sure, the risks and what it takes.
fn forecast_line(
    t: &Tr<'_>,
    f: &tabel_app::diary::ForecastView,
) -> (String, String, String, String, String) {
    let fc = &f.forecast;
    let mut notes: Vec<String> = fc
        .risks
        .iter()
        .map(|r| t.get(&format!("diary-risk-{}", code_of(r))))
        .collect();
    let need = |n: &tabel_domain::finals::Need, work: &str, key: &str| {
        t.args(
            key,
            &[
                ("target", i64::from(n.target).into()),
                ("count", i64::from(n.count).into()),
                ("value", i64::from(n.value).into()),
                ("work", work.to_owned().into()),
            ],
        )
    };
    if let Some(n) = &fc.avoid_two {
        notes.push(need(n, &f.avoid_two_work, "diary-forecast-avoid-two"));
    } else if let Some(n) = &fc.next_up {
        notes.push(need(n, &f.next_up_work, "diary-forecast-next-up"));
    }
    (
        f.subject_name.clone(),
        fc.projected
            .map(|p| p.value.to_string())
            .unwrap_or_else(|| "—".into()),
        tabel_present::average(t.lang, &f.average),
        t.get(&format!("diary-confidence-{}", code_of(&fc.confidence))),
        notes.join(" · "),
    )
}

async fn finals_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
) -> Result<Html<String>, PageError> {
    let family = state.app.family(&user.who.principal).await?;
    let t = user.tr(&state);
    let today = state.app.today();
    let v = state.app.diary_finals(&user.who.principal, student).await?;
    let debts = state
        .app
        .student_debts(&user.who.principal, student)
        .await?;
    let names: std::collections::HashMap<PeriodId, String> = v
        .periods
        .iter()
        .map(|p| (p.id, period_name(&t, p)))
        .collect();
    render(FinalsPage {
        head: head(&t, &family, &v.child, Section::Finals, is_parent(&user)),
        periods: v
            .periods
            .iter()
            .map(|p| PeriodState {
                name: period_name(&t, p),
                dates: span(p.starts_on, p.ends_on),
                state: if p.locked_at.is_some() {
                    t.get("diary-period-closed")
                } else if p.starts_on > today {
                    t.get("diary-period-future")
                } else if p.ends_on < today {
                    t.get("diary-period-ended")
                } else {
                    t.get("diary-period-open")
                },
            })
            .collect(),
        marks: v
            .marks
            .iter()
            .map(|m| {
                (
                    m.subject_name.clone(),
                    m.period
                        .and_then(|p| names.get(&p).cloned())
                        .unwrap_or_else(|| t.get("diary-year-mark")),
                    m.value.clone(),
                )
            })
            .collect(),
        forecast: v.forecast.iter().map(|f| forecast_line(&t, f)).collect(),
        exams: crate::exams::pages::diary_exams(&state, &user, student).await?,
        exemptions: state
            .app
            .student_exemptions(&user.who.principal, student)
            .await?
            .iter()
            .map(|e| {
                (
                    e.subject_name.clone(),
                    format!(
                        "{} – {}",
                        tabel_present::date(e.starts_on),
                        tabel_present::date(e.ends_on)
                    ),
                    format!(
                        "{} № {} от {}",
                        e.document.kind.russian(),
                        e.document.number,
                        tabel_present::date(e.document.issued_on)
                    ),
                )
            })
            .collect(),
        deferrals: debts
            .deferrals
            .iter()
            .filter(|l| l.stage.is_some())
            .map(|l| {
                let r = crate::debts::pages::deferral_row(&t, l, &debts.periods, "");
                (
                    r.subject,
                    r.slot,
                    t.args(
                        "deferral-until",
                        &[
                            ("date", tabel_present::date(l.deferral.ends_on).into()),
                            ("basis", l.deferral.basis.clone().into()),
                        ],
                    ),
                    r.overdue,
                )
            })
            .collect(),
        debts: debts
            .debts
            .iter()
            .filter(|l| {
                l.stage != "closed"
                    || v.child
                        .class
                        .as_ref()
                        .is_some_and(|c| c.year == l.debt.year)
            })
            .map(|l| {
                let r = crate::debts::pages::debt_row(&t, l, &debts.periods, "");
                (
                    r.subject,
                    r.slot,
                    r.arisen,
                    r.deadline,
                    r.retakes.join("; "),
                    r.state,
                )
            })
            .collect(),
        nav: user.nav.clone(),
        t,
    })
}

// ---------------------------------------------------------------- control works
