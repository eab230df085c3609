//! The family's cabinet — the electronic diary — for parents (switching between children) and
//! pupils: the day, the week, marks by subject, final marks, control works, homework, teachers'
//! recommendations, teachers and the calendar, and the parent's own page. Phone first (lists,
//! not tables), readable without JavaScript; every section is one tap from any other.
//!
//! The child is in the address (`/diary/{student}/…`); every page goes through the diary's gate
//! in tabel-app. A parent's own child without the diary consent gets a page (403) that says what
//! the consent's state is and what to do — never the child's data.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::{Path, href};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::diary::{
    DiaryChild, DiaryDay, DiaryLessonView, DiaryMark, FamilyChild, HomeworkItem, iso_week,
    monday_of, parse_iso_week,
};
use tabel_domain::assessment::Assessment;
use tabel_domain::journal::Attendance;
use tabel_domain::school::ConsentState;
use tabel_domain::school::Period;
use tabel_domain::timetable::hhmm;
use tabel_domain::{PeriodId, PersonId};
use tabel_present::date;
use time::{Date, Duration};

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

/// A section of the cabinet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The day.
    Today,
    /// The week diary.
    Week,
    /// Marks by subject.
    Marks,
    /// Final marks and the forecast.
    Finals,
    /// The record across the years and levels (личное дело: успеваемость по годам).
    Record,
    /// Control works of the period.
    Assessments,
    /// Homework by due date.
    Homework,
    /// Teachers' recommendations.
    Recommendations,
    /// Who teaches the child.
    Teachers,
    /// Periods, holidays, bells.
    Calendar,
}

impl Section {
    const ALL: [Section; 10] = [
        Section::Today,
        Section::Week,
        Section::Marks,
        Section::Finals,
        Section::Record,
        Section::Assessments,
        Section::Homework,
        Section::Recommendations,
        Section::Teachers,
        Section::Calendar,
    ];

    /// The path after `/diary/{student}`.
    fn suffix(self) -> &'static str {
        match self {
            Section::Today => "",
            Section::Week => "/week",
            Section::Marks => "/marks",
            Section::Finals => "/finals",
            Section::Record => "/record",
            Section::Assessments => "/assessments",
            Section::Homework => "/homework",
            Section::Recommendations => "/recommendations",
            Section::Teachers => "/teachers",
            Section::Calendar => "/calendar",
        }
    }

    /// A stable name (element ids, message keys).
    fn key(self) -> &'static str {
        match self {
            Section::Today => "today",
            Section::Week => "week",
            Section::Marks => "marks",
            Section::Finals => "finals",
            Section::Record => "record",
            Section::Assessments => "assessments",
            Section::Homework => "homework",
            Section::Recommendations => "recommendations",
            Section::Teachers => "teachers",
            Section::Calendar => "calendar",
        }
    }
}

/// A link of the child picker or the cabinet's navigation.
pub struct Tab {
    /// Where.
    pub href: String,
    /// Text.
    pub label: String,
    /// The page shown now.
    pub current: bool,
    /// A note beside the label ("нет согласия").
    pub note: String,
    /// Element id.
    pub id: String,
}

/// The top of every cabinet page: whose diary, the child picker, the sections.
pub struct Head {
    /// The pupil's id.
    pub student: String,
    /// Full name.
    pub name: String,
    /// Class, "5А" ("" when none).
    pub class: String,
    /// The section's title.
    pub title: String,
    /// The parent's children (shown with two or more).
    pub children: Vec<Tab>,
    /// The sections.
    pub sections: Vec<Tab>,
}

fn child_label(f: &FamilyChild) -> String {
    f.link.student.first_name.clone()
}

pub(crate) fn head(
    t: &Tr<'_>,
    family: &[FamilyChild],
    child: &DiaryChild,
    section: Section,
    parent: bool,
) -> Head {
    let student = child.card.person.id;
    let mut sections: Vec<Tab> = Section::ALL
        .iter()
        .map(|s| Tab {
            href: format!("/diary/{student}{}", s.suffix()),
            label: t.get(&format!("diary-nav-{}", s.key())),
            current: *s == section,
            note: String::new(),
            id: format!("nav-{}", s.key()),
        })
        .collect();
    if parent {
        sections.push(Tab {
            href: "/diary/me".into(),
            label: t.get("diary-nav-me"),
            current: false,
            note: String::new(),
            id: "nav-me".into(),
        });
    }
    Head {
        student: student.to_string(),
        name: child.card.person.full_name(),
        class: child
            .class
            .as_ref()
            .map(|g| g.name.clone())
            .unwrap_or_default(),
        title: t.get(&format!("diary-nav-{}", section.key())),
        children: picker(t, family, student, section),
        sections,
    }
}

fn picker(t: &Tr<'_>, family: &[FamilyChild], current: PersonId, section: Section) -> Vec<Tab> {
    family
        .iter()
        .map(|f| Tab {
            href: format!("/diary/{}{}", f.link.student.id, section.suffix()),
            label: child_label(f),
            current: f.link.student.id == current,
            note: if f.visible {
                String::new()
            } else {
                t.get("diary-no-consent-short")
            },
            id: format!("child-{}", f.link.student.id),
        })
        .collect()
}

/// A file of a lesson's homework.
pub struct FileLink {
    /// Download address.
    pub href: String,
    /// Name.
    pub name: String,
    /// "120 КБ".
    pub size: String,
}

/// A mark as a chip.
pub struct MarkChip {
    /// "5", "3/5".
    pub value: String,
    /// "контрольная работа ×5".
    pub work: String,
    /// Comment.
    pub comment: String,
    /// Date, "23.11.2026".
    pub date: String,
    /// Subject (where the context does not say it).
    pub subject: String,
}

/// A lesson as a card.
pub struct LessonCard {
    /// Number.
    pub number: u8,
    /// "08:30–09:15".
    pub time: String,
    /// Subject.
    pub subject: String,
    /// Teacher.
    pub teacher: String,
    /// Room.
    pub room: String,
    /// The subgroup or stream, when the lesson is not the whole class's.
    pub group: String,
    /// Change label ("замена", "отменён", "перенесён", "дополнительный"), "" for none.
    pub status: String,
    /// Badge style of the change.
    pub style: &'static str,
    /// What changed: "вместо: …", "перенесён с …", the reason.
    pub detail: String,
    /// Topic.
    pub topic: String,
    /// Homework set on it.
    pub homework: String,
    /// "к 30.11.2026 · 20 минут".
    pub homework_note: String,
    /// Its files.
    pub files: Vec<FileLink>,
    /// The pupil's marks on it.
    pub marks: Vec<MarkChip>,
    /// Attendance letter ("Н", "Б", "ОП"), "" when present or not recorded.
    pub attendance: String,
    /// Its meaning.
    pub attendance_label: String,
}

fn size_label(t: &Tr<'_>, bytes: i64) -> String {
    if bytes < 1024 {
        t.with("diary-size-bytes", "n", bytes)
    } else if bytes < 1024 * 1024 {
        t.with("diary-size-kb", "n", (bytes + 1023) / 1024)
    } else {
        t.with(
            "diary-size-mb",
            "n",
            (bytes + 1024 * 1024 - 1) / (1024 * 1024),
        )
    }
}

fn files(t: &Tr<'_>, list: &[tabel_domain::journal::HomeworkFile]) -> Vec<FileLink> {
    list.iter()
        .map(|f| FileLink {
            href: format!("/api/v1/files/{}", f.id),
            name: f.file_name.clone(),
            size: size_label(t, f.size_bytes),
        })
        .collect()
}

fn chip(m: &DiaryMark) -> MarkChip {
    MarkChip {
        value: m.mark.value.clone(),
        work: format!("{} ×{}", m.work_name, m.mark.weight),
        comment: m.mark.comment.clone(),
        date: date(m.mark.on),
        subject: m.subject_name.clone(),
    }
}

/// "20 минут · к 30.11.2026".
fn homework_note(t: &Tr<'_>, due: Option<Date>, minutes: Option<u16>) -> String {
    let mut parts = Vec::new();
    if let Some(d) = due {
        parts.push(t.with("diary-due", "date", date(d)));
    }
    if let Some(m) = minutes {
        parts.push(t.count("diary-minutes", i64::from(m)));
    }
    parts.join(" · ")
}

fn attendance_of(
    t: &Tr<'_>,
    a: Option<&tabel_domain::journal::AttendanceEntry>,
) -> (String, String) {
    let Some(a) = a else {
        return (String::new(), String::new());
    };
    let Some(kind) = Attendance::from_code(&a.code).ok() else {
        return (a.code.clone(), String::new());
    };
    let letter = match kind {
        Attendance::Ill => "Б",
        Attendance::Excused => "УП",
        Attendance::Unexcused => "Н",
        Attendance::Late => "ОП",
    };
    let mut label = t.get(&format!("cell-att-{}", kind.code()));
    if let Some(m) = a.minutes_late {
        label.push_str(&format!(", {}", t.count("diary-minutes", i64::from(m))));
    }
    (letter.to_owned(), label)
}

fn lesson_card(t: &Tr<'_>, v: &DiaryLessonView, class: Option<&str>) -> LessonCard {
    let l = &v.lesson;
    let (status, style) = crate::school::lesson_status(t, l.status);
    let mut detail = Vec::new();
    if let Some(o) = &l.original_teacher_name {
        detail.push(format!("{}: {o}", t.get("lesson-instead-of")));
    }
    if let (Some(d), Some(n)) = (l.original_date, l.original_number) {
        detail.push(format!(
            "{}: {}, {}",
            t.get("lesson-moved-from"),
            date(d),
            t.with("diary-lesson-number", "n", i64::from(n))
        ));
    }
    if let Some(r) = l.reason.as_deref().filter(|r| !r.is_empty()) {
        detail.push(r.to_owned());
    }
    let (attendance, attendance_label) = attendance_of(t, v.attendance.as_ref());
    LessonCard {
        number: l.number,
        time: match (v.starts, v.ends) {
            (Some(a), Some(b)) => format!("{}–{}", hhmm(a), hhmm(b)),
            _ => String::new(),
        },
        subject: l.subject_name.clone(),
        teacher: l.teacher_name.clone(),
        room: l.room.clone(),
        group: if Some(l.group_name.as_str()) == class {
            String::new()
        } else {
            l.group_name.clone()
        },
        status,
        style,
        detail: detail.join(" · "),
        topic: v.record.topic.clone(),
        homework: v.record.homework.clone(),
        homework_note: if v.record.homework.is_empty() {
            String::new()
        } else {
            homework_note(t, v.record.homework_due_on, v.record.homework_minutes)
        },
        files: files(t, &v.files),
        marks: v.marks.iter().map(chip).collect(),
        attendance,
        attendance_label,
    }
}

/// "Пн, 23.11.2026".
fn day_title(t: &Tr<'_>, d: Date) -> String {
    format!(
        "{}, {}",
        t.get(&format!("weekday-{}", d.weekday().number_from_monday())),
        date(d)
    )
}

/// A day of lessons.
pub struct DayView {
    /// Element id, "day-2026-11-23".
    pub id: String,
    /// "Пн, 23.11.2026".
    pub title: String,
    /// The holiday covering it.
    pub day_off: String,
    /// Lessons.
    pub lessons: Vec<LessonCard>,
    /// Today.
    pub today: bool,
}

fn day_view(t: &Tr<'_>, d: &DiaryDay, class: Option<&str>, today: Date) -> DayView {
    DayView {
        id: format!("day-{}", d.on),
        title: day_title(t, d.on),
        day_off: d
            .day_off
            .as_ref()
            .map(|h| h.name.clone())
            .unwrap_or_default(),
        lessons: d.lessons.iter().map(|l| lesson_card(t, l, class)).collect(),
        today: d.on == today,
    }
}

/// A homework item.
pub struct HomeworkRow {
    /// Subject.
    pub subject: String,
    /// The text.
    pub text: String,
    /// "задано 27.11.2026 · 20 минут".
    pub note: String,
    /// Files.
    pub files: Vec<FileLink>,
}

/// Homework due on one date.
pub struct HomeworkDay {
    /// "к пн, 30.11.2026".
    pub title: String,
    /// Items.
    pub items: Vec<HomeworkRow>,
}

fn homework_days(t: &Tr<'_>, items: &[HomeworkItem]) -> Vec<HomeworkDay> {
    let mut out: Vec<(Date, HomeworkDay)> = Vec::new();
    for h in items {
        let mut note = vec![t.with("diary-assigned", "date", date(h.lesson.on))];
        if let Some(m) = h.record.homework_minutes {
            note.push(t.count("diary-minutes", i64::from(m)));
        }
        let row = HomeworkRow {
            subject: h.lesson.subject_name.clone(),
            text: h.record.homework.clone(),
            note: note.join(" · "),
            files: files(t, &h.files),
        };
        match out.last_mut() {
            Some((d, day)) if *d == h.due => day.items.push(row),
            _ => out.push((
                h.due,
                HomeworkDay {
                    title: t.with("diary-due", "date", day_title(t, h.due)),
                    items: vec![row],
                },
            )),
        }
    }
    out.into_iter().map(|(_, d)| d).collect()
}

/// A control work.
pub struct AssessmentRow {
    /// "чт, 03.12.2026, 3 урок".
    pub when: String,
    /// Subject.
    pub subject: String,
    /// Title.
    pub title: String,
    /// Level label.
    pub level: String,
}

fn assessment_rows(t: &Tr<'_>, list: &[Assessment]) -> Vec<AssessmentRow> {
    list.iter()
        .map(|a| AssessmentRow {
            when: format!(
                "{}, {}",
                day_title(t, a.on),
                t.with("diary-lesson-number", "n", i64::from(a.number))
            ),
            subject: a.subject_name.clone(),
            title: a.title.clone(),
            level: t.get(&format!("level-{}", a.level.code())),
        })
        .collect()
}

/// A period as a switch link.
pub struct PeriodTab {
    /// Where.
    pub href: String,
    /// "2 четверть".
    pub label: String,
    /// Shown now.
    pub current: bool,
}

fn period_name(t: &Tr<'_>, p: &Period) -> String {
    tabel_present::period_name(t.lang, p.kind, p.number)
}

fn period_tabs(t: &Tr<'_>, base: &str, periods: &[Period], shown: &Period) -> Vec<PeriodTab> {
    periods
        .iter()
        .map(|p| PeriodTab {
            href: href(base, &[("period", p.id)]),
            label: period_name(t, p),
            current: p.id == shown.id,
        })
        .collect()
}

/// "05.11.2026 – 28.12.2026".
fn span(a: Date, b: Date) -> String {
    format!("{} – {}", date(a), date(b))
}

// ---------------------------------------------------------------- rendering and the gate

/// A parent's own child without consent: in place of a cabinet page, the page that explains why
/// nothing is shown (403), in the same place of the cabinet. Runs only when a `/diary/…` page
/// failed for want of consent, so the user is looked up again only then.
pub(crate) async fn consent_gate(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Some(section) = diary_section(req.uri().path()) else {
        return next.run(req).await;
    };
    let (mut parts, body) = req.into_parts();
    let asked = axum::http::Request::from_parts(parts.clone(), body);
    let res = next.run(asked).await;
    if !crate::error::is_no_consent(&res) {
        return res;
    }
    let page = async {
        let user = <PageUser as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut parts, &state,
        )
        .await?;
        no_consent(&state, &user, section.0, section.1).await
    };
    page.await.into_response()
}

/// The pupil and the section of a cabinet path (`/diary/49/week`).
fn diary_section(path: &str) -> Option<(PersonId, Section)> {
    let rest = path.strip_prefix("/diary/")?;
    let (id, suffix) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    let student = id.parse().ok()?;
    let section = Section::ALL.into_iter().find(|s| s.suffix() == suffix)?;
    Some((student, section))
}

#[derive(Template)]
#[template(path = "diary/no_consent.html")]
struct NoConsentPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    name: String,
    state: String,
    style: &'static str,
    explanation: String,
    children: Vec<Tab>,
    consent_href: String,
}

async fn no_consent(
    state: &AppState,
    user: &PageUser,
    student: PersonId,
    section: Section,
) -> Result<Response, PageError> {
    let t = user.tr(state);
    let family = state.app.family(&user.who.principal).await?;
    // Only a parent's own child comes here (the gate said NoConsent): the link is in the list.
    let child = family
        .iter()
        .find(|f| f.link.student.id == student)
        .ok_or_else(PageError::not_found)?;
    let (label, style, explanation) = consent_words(&t, child.link.diary_consent);
    render_status(
        StatusCode::FORBIDDEN,
        NoConsentPage {
            name: child.link.student.full_name(),
            state: label,
            style,
            explanation,
            children: picker(&t, &family, student, section),
            consent_href: format!("/consents/students/{student}"),
            t,
            nav: user.nav.clone(),
        },
    )
}

/// The consent state's label, badge style and what it means for the diary.
fn consent_words(t: &Tr<'_>, state: Option<ConsentState>) -> (String, &'static str, String) {
    match state {
        Some(ConsentState::Given) => (t.get("consent-given"), "ok", t.get("diary-consent-given")),
        Some(ConsentState::Refused) => (
            t.get("consent-refused"),
            "bad",
            t.get("diary-consent-refused"),
        ),
        Some(ConsentState::Withdrawn) => (
            t.get("consent-withdrawn"),
            "bad",
            t.get("diary-consent-withdrawn"),
        ),
        None => (
            t.get("consent-missing"),
            "warn",
            t.get("diary-consent-missing"),
        ),
    }
}

pub(crate) fn is_parent(user: &PageUser) -> bool {
    !user.who.principal.children.is_empty()
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
struct PeriodQuery {
    period: Option<String>,
}

fn period_param(raw: Option<&str>) -> Result<Option<PeriodId>, AppError> {
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
    exams: Vec<crate::exams::DiaryExam>,
    /// Open deferrals of final marks: (subject, slot, "until 15.12.2026 (basis)", overdue).
    deferrals: Vec<(String, String, String, bool)>,
    /// Debts not yet cleared (and those cleared lately): (subject, slot, arisen, deadline,
    /// retakes, state).
    debts: Vec<(String, String, String, String, String, String)>,
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
        tabel_present::decimal_shown(t.lang, &f.average),
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
        exams: crate::exams::diary_exams(&state, &user, student).await?,
        deferrals: debts
            .deferrals
            .iter()
            .filter(|l| l.stage.is_some())
            .map(|l| {
                let r = crate::debts::deferral_row(&t, l, &debts.periods, "");
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
                let r = crate::debts::debt_row(&t, l, &debts.periods, "");
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

async fn assessments_page(
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
struct RangeQuery {
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

async fn homework_page(
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

fn recommendation_rows(
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

async fn recommendations_page(
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

async fn teachers_page(
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

async fn calendar_page(
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

async fn me_page(State(state): State<AppState>, user: PageUser) -> Result<Html<String>, PageError> {
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
                    name: f.link.student.full_name(),
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
