//! What the diary's pages share: the sections and tabs, the child's header and picker, lesson cards, marks as chips, periods as tabs, and the consent gate.

use crate::AppState;
use crate::error::{PageError, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::href;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tabel_app::diary::{
    DiaryChild, DiaryDay, DiaryLessonView, DiaryMark, FamilyChild, HomeworkItem,
};
use tabel_domain::PersonId;
use tabel_domain::assessment::Assessment;
use tabel_domain::journal::Attendance;
use tabel_domain::school::ConsentState;
use tabel_domain::school::Period;
use tabel_domain::timetable::hhmm;
use tabel_present::date;
use time::Date;

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
    /// Absence notes sent by the family.
    Notes,
}

impl Section {
    const ALL: [Section; 11] = [
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
        Section::Notes,
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
            Section::Notes => "/absence-notes",
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
            Section::Notes => "absence-notes",
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

fn child_label(t: &Tr<'_>, f: &FamilyChild) -> String {
    if f.link.student.is_withheld() {
        withheld_name(t, f.link.student.id)
    } else {
        f.link.student.first_name.clone()
    }
}

/// A linked child's full name on the family's pages, or «Ребёнок № …» when the name is withheld
/// for want of the diary consent (the API's `name` is null then; the id is all both show).
pub(crate) fn child_name(t: &Tr<'_>, s: &tabel_domain::school::PersonSummary) -> String {
    if s.is_withheld() {
        withheld_name(t, s.id)
    } else {
        s.full_name()
    }
}

fn withheld_name(t: &Tr<'_>, id: PersonId) -> String {
    t.with("child-withheld", "id", id.to_string())
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
            label: child_label(t, f),
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

pub(super) fn chip(m: &DiaryMark) -> MarkChip {
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
    let kind = a.code;
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

pub(super) fn lesson_card(t: &Tr<'_>, v: &DiaryLessonView, class: Option<&str>) -> LessonCard {
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
pub(super) fn day_title(t: &Tr<'_>, d: Date) -> String {
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

pub(super) fn day_view(t: &Tr<'_>, d: &DiaryDay, class: Option<&str>, today: Date) -> DayView {
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

pub(super) fn homework_days(t: &Tr<'_>, items: &[HomeworkItem]) -> Vec<HomeworkDay> {
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

pub(super) fn assessment_rows(t: &Tr<'_>, list: &[Assessment]) -> Vec<AssessmentRow> {
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

pub(super) fn period_name(t: &Tr<'_>, p: &Period) -> String {
    tabel_present::period_name(t.lang, p.kind, p.number)
}

pub(super) fn period_tabs(
    t: &Tr<'_>,
    base: &str,
    periods: &[Period],
    shown: &Period,
) -> Vec<PeriodTab> {
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
pub(super) fn span(a: Date, b: Date) -> String {
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

#[derive(Template)]
#[template(path = "diary/no_consent_pupil.html")]
struct PupilNoConsentPage<'a> {
    t: Tr<'a>,
    nav: Nav,
}

async fn no_consent(
    state: &AppState,
    user: &PageUser,
    student: PersonId,
    section: Section,
) -> Result<Response, PageError> {
    let t = user.tr(state);
    if user.who.principal.person == Some(student) {
        // The pupil's own diary without a representative's consent in force: an explanation,
        // nothing of the pupil (not even the name).
        return render_status(
            StatusCode::FORBIDDEN,
            PupilNoConsentPage {
                t,
                nav: user.nav.clone(),
            },
        );
    }
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
            name: child_name(&t, &child.link.student),
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
pub(super) fn consent_words(
    t: &Tr<'_>,
    state: Option<ConsentState>,
) -> (String, &'static str, String) {
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
