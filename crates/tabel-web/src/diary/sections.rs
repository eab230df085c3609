//! The diary's other sections: control works, homework, recommendations, teachers, the calendar and the parent's own page.

use crate::AppState;
use crate::error::{PageError, render};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::{Path, href};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;
use tabel_app::AppError;
use tabel_domain::PersonId;
use tabel_domain::timetable::hhmm;
use tabel_present::date;
use time::{Date, Duration};

use super::pages::*;
use super::views::*;

#[derive(Template)]
#[template(path = "diary/assessments.html")]
struct AssessmentsPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    head: Head,
    period: String,
    periods: Vec<PeriodTab>,
    assessments: Vec<AssessmentRow>,
}

pub(super) async fn assessments_page(
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
        .diary_assessments(&user.who.principal, student, period)
        .await?;
    let base = format!("/diary/{student}/assessments");
    render(AssessmentsPage {
        head: head(
            &t,
            &family,
            &v.child,
            Section::Assessments,
            is_parent(&user),
        ),
        period: format!(
            "{} · {}",
            period_name(&t, &v.period),
            span(v.period.starts_on, v.period.ends_on)
        ),
        periods: period_tabs(&t, &base, &v.periods, &v.period),
        assessments: assessment_rows(&t, &v.assessments),
        nav: user.nav.clone(),
        t,
    })
}

// ---------------------------------------------------------------- homework

#[derive(Template)]
#[template(path = "diary/homework.html")]
struct HomeworkPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    head: Head,
    range: String,
    from: String,
    to: String,
    prev: String,
    next: String,
    days: Vec<HomeworkDay>,
}

#[derive(Deserialize, Default)]
pub(super) struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
}

/// `YYYY-MM-DD`, or the default when absent; a malformed date is a field error.
fn date_param(field: &str, raw: Option<&str>, default: Date) -> Result<Date, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => tabel_domain::calendar::parse_iso_date(s)
            .map_err(|_| AppError::invalid(field, "use YYYY-MM-DD, e.g. 2026-11-28")),
    }
}

/// The default homework range: from today, two weeks ahead.
pub(crate) fn homework_range(
    today: Date,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Date, Date), AppError> {
    let from = date_param("from", from, today)?;
    let to = date_param("to", to, from + Duration::days(13))?;
    Ok((from, to))
}

pub(super) async fn homework_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    Query(q): Query<RangeQuery>,
) -> Result<Html<String>, PageError> {
    let family = state.app.family(&user.who.principal).await?;
    let t = user.tr(&state);
    let (from, to) = homework_range(state.app.today(), q.from.as_deref(), q.to.as_deref())?;
    let v = state
        .app
        .diary_homework(&user.who.principal, student, (from, to))
        .await?;
    let base = format!("/diary/{student}/homework");
    let len = (to - from).whole_days() + 1;
    let shift = |d: Date, by: i64| (d + Duration::days(by)).to_string();
    render(HomeworkPage {
        head: head(&t, &family, &v.child, Section::Homework, is_parent(&user)),
        range: span(from, to),
        from: from.to_string(),
        to: to.to_string(),
        prev: href(
            &base,
            &[("from", shift(from, -len)), ("to", shift(to, -len))],
        ),
        next: href(&base, &[("from", shift(from, len)), ("to", shift(to, len))]),
        days: homework_days(&t, &v.items),
        nav: user.nav.clone(),
        t,
    })
}

// ---------------------------------------------------------------- recommendations

/// A recommendation.
pub struct RecommendationRow {
    /// "28.11.2026".
    pub date: String,
    /// Teacher.
    pub teacher: String,
    /// Subject ("" when general).
    pub subject: String,
    /// Text.
    pub body: String,
}

pub(super) fn recommendation_rows(
    state: &AppState,
    list: &[tabel_app::diary::NamedRecommendation],
) -> Vec<RecommendationRow> {
    let zone = &state.app.config().time_zone;
    list.iter()
        .map(|r| RecommendationRow {
            date: date(zone.local_date(r.created_at)),
            teacher: r.teacher_name.clone(),
            subject: r.subject_name.clone().unwrap_or_default(),
            body: r.body.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "diary/recommendations.html")]
struct RecommendationsPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    head: Head,
    items: Vec<RecommendationRow>,
}

pub(super) async fn recommendations_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
) -> Result<Html<String>, PageError> {
    let family = state.app.family(&user.who.principal).await?;
    let t = user.tr(&state);
    let v = state
        .app
        .diary_recommendations(&user.who.principal, student)
        .await?;
    render(RecommendationsPage {
        head: head(
            &t,
            &family,
            &v.child,
            Section::Recommendations,
            is_parent(&user),
        ),
        items: recommendation_rows(&state, &v.items),
        nav: user.nav.clone(),
        t,
    })
}

// ---------------------------------------------------------------- teachers

/// A subject with who teaches it to the pupil.
pub struct SubjectTeachers {
    /// Subject.
    pub subject: String,
    /// "Смирнова Елена Викторовна", with the group when it is not the class ("5А англ. 1,
    /// подгруппа").
    pub teachers: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "diary/teachers.html")]
struct TeachersPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    head: Head,
    class_teacher: String,
    subjects: Vec<SubjectTeachers>,
}

pub(super) async fn teachers_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
) -> Result<Html<String>, PageError> {
    let family = state.app.family(&user.who.principal).await?;
    let t = user.tr(&state);
    let v = state
        .app
        .diary_teachers(&user.who.principal, student)
        .await?;
    let mut subjects: Vec<SubjectTeachers> = Vec::new();
    for x in &v.teachers {
        let group = if x.group_kind == "class" {
            String::new()
        } else {
            format!(
                "{}, {}",
                x.group_name,
                t.get(&format!("group-kind-{}", x.group_kind))
                    .to_lowercase()
            )
        };
        let entry = (x.name.clone(), group);
        match subjects.iter_mut().find(|s| s.subject == x.subject) {
            Some(s) => {
                if !s.teachers.contains(&entry) {
                    s.teachers.push(entry);
                }
            }
            None => subjects.push(SubjectTeachers {
                subject: x.subject.clone(),
                teachers: vec![entry],
            }),
        }
    }
    render(TeachersPage {
        head: head(&t, &family, &v.child, Section::Teachers, is_parent(&user)),
        class_teacher: v.class_teacher.clone().unwrap_or_default(),
        subjects,
        nav: user.nav.clone(),
        t,
    })
}

// ---------------------------------------------------------------- calendar

#[derive(Template)]
#[template(path = "diary/calendar.html")]
struct CalendarPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    head: Head,
    has_calendar: bool,
    year: String,
    week_days: String,
    periods: Vec<(String, String, bool)>,
    days_off: Vec<(String, String, String)>,
    bells: Vec<(String, String)>,
}

pub(super) async fn calendar_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
) -> Result<Html<String>, PageError> {
    let family = state.app.family(&user.who.principal).await?;
    let t = user.tr(&state);
    let today = state.app.today();
    let v = state
        .app
        .diary_calendar(&user.who.principal, student)
        .await?;
    let head = head(&t, &family, &v.child, Section::Calendar, is_parent(&user));
    let Some(c) = v.calendar else {
        return render(CalendarPage {
            head,
            has_calendar: false,
            year: String::new(),
            week_days: String::new(),
            periods: Vec::new(),
            days_off: Vec::new(),
            bells: Vec::new(),
            nav: user.nav.clone(),
            t,
        });
    };
    render(CalendarPage {
        head,
        has_calendar: true,
        year: format!(
            "{} · {}",
            c.year.label,
            span(c.year.starts_on, c.year.ends_on)
        ),
        week_days: t.count("diary-week-days", i64::from(c.week_days)),
        periods: c
            .periods
            .iter()
            .map(|p| {
                (
                    period_name(&t, p),
                    span(p.starts_on, p.ends_on),
                    p.starts_on <= today && today <= p.ends_on,
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
                    if h.starts_on == h.ends_on {
                        date(h.starts_on)
                    } else {
                        span(h.starts_on, h.ends_on)
                    },
                )
            })
            .collect(),
        bells: c
            .bells
            .iter()
            .map(|b| {
                (
                    t.with("diary-lesson-number", "n", i64::from(b.number)),
                    format!("{}–{}", hhmm(b.starts), hhmm(b.ends)),
                )
            })
            .collect(),
        nav: user.nav.clone(),
        t,
    })
}

// ---------------------------------------------------------------- the parent's page

/// A child on the parent's page.
pub struct FamilyRow {
    /// Element id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// The diary.
    pub href: String,
    /// The diary consent: label, style, what it means.
    pub diary: (String, &'static str, String),
    /// Electronic delivery: label, style.
    pub delivery: (String, &'static str),
    /// The child's consent page (history, withdrawal).
    pub consent_href: String,
}

#[derive(Template)]
#[template(path = "diary/me.html")]
struct MePage<'a> {
    t: Tr<'a>,
    nav: Nav,
    children: Vec<FamilyRow>,
}

pub(super) async fn me_page(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Html<String>, PageError> {
    let t = user.tr(&state);
    let family = state.app.family(&user.who.principal).await?;
    render(MePage {
        children: family
            .iter()
            .map(|f| {
                let id = f.link.student.id;
                let (label, style, _) = consent_words(&t, f.link.delivery_consent);
                FamilyRow {
                    id: format!("family-{id}"),
                    name: child_name(&t, &f.link.student),
                    href: format!("/diary/{id}"),
                    diary: consent_words(&t, f.link.diary_consent),
                    delivery: (label, style),
                    consent_href: format!("/consents/students/{id}"),
                }
            })
            .collect(),
        nav: user.nav.clone(),
        t,
    })
}
