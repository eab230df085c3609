//! The home page: who you are and what you can reach, by role.

use crate::AppState;
use crate::error::{PageError, render};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use tabel_app::home::Section;
use tabel_domain::school::{ConsentState, GroupKind};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

/// A link with a label.
pub struct Link {
    /// Where.
    pub href: String,
    /// Text.
    pub label: String,
    /// A note beside it.
    pub note: String,
}

/// A child as the parent's home shows them.
pub struct ChildCard {
    /// Name.
    pub name: String,
    /// Class, e.g. "5А".
    pub class: String,
    /// Link to the card (only with consent).
    pub href: Option<String>,
    /// Consent state label.
    pub consent: String,
    /// Badge style.
    pub consent_style: &'static str,
    /// Electronic delivery refused: paper extracts.
    pub paper: bool,
    /// The class timetable (with consent).
    pub timetable: Option<String>,
    /// The child's diary (without consent, it explains why it is closed).
    pub diary: String,
}

#[derive(Template)]
#[template(path = "home/index.html")]
struct HomePage<'a> {
    t: Tr<'a>,
    nav: Nav,
    roles: Vec<String>,
    staff_links: Vec<Link>,
    led_classes: Vec<Link>,
    teaching: Vec<Link>,
    children: Vec<ChildCard>,
    own_groups: Vec<Link>,
    /// A pupil's own diary.
    my_diary: Option<String>,
    /// The teacher's deferred final marks whose deferral ended: set the mark (reminders).
    deferrals_due: Vec<Link>,
    /// For a class teacher, administrator or deputy head: absence notes waiting for them.
    notes_waiting: Option<i64>,
}

/// The translated name of a role.
pub fn role_label(t: &Tr<'_>, role: tabel_domain::school::Role) -> String {
    t.get(&format!("role-{}", role.code().replace('_', "-")))
}

async fn home(State(state): State<AppState>, user: PageUser) -> Result<Html<String>, PageError> {
    render(build(&state, &user).await?)
}

fn link(href: impl Into<String>, label: String, note: String) -> Link {
    Link {
        href: href.into(),
        label,
        note,
    }
}

/// A section's link: where it is and its name.
fn section_link(t: &Tr<'_>, s: Section) -> Link {
    let (href, label, note) = match s {
        Section::MyWeek => ("/timetable/my", "timetable-my-week", None),
        Section::Assessments => ("/assessments", "assessments-title", None),
        Section::Exams => ("/exams", "exams-title", Some("exams-home-note")),
        Section::Bells => ("/timetable/bells", "calendar-bells", None),
        Section::Desk => ("/timetable/desk", "desk-title", None),
        Section::Changes => ("/timetable/changes", "changes-title", None),
        Section::Deferrals => ("/school/deferrals", "deferrals-title", None),
        Section::Stats => ("/stats", "stats-title", Some("stats-home-note")),
    };
    link(
        href,
        t.get(label),
        note.map(|n| t.get(n)).unwrap_or_default(),
    )
}

async fn build<'s>(
    state: &'s AppState,
    user: &PageUser,
) -> Result<HomePage<'s>, tabel_app::AppError> {
    let t = user.tr(state);
    let home = state.app.home(&user.who.principal).await?;
    let roles = home.roles.iter().map(|r| role_label(&t, *r)).collect();
    let mut staff_links: Vec<Link> = home.sections.iter().map(|s| section_link(&t, *s)).collect();
    for e in &home.schools {
        let id = e.school.id;
        if e.structure {
            staff_links.push(link(
                format!("/school/{id}"),
                e.school.short_name.clone(),
                t.get("home-structure"),
            ));
        }
        if e.accounts {
            staff_links.push(link(
                format!("/admin/{id}/users"),
                e.school.short_name.clone(),
                t.get("home-accounts"),
            ));
        }
    }
    // A regional administrator's schools.
    if state.app.administers_region(&user.who.principal).await? {
        staff_links.push(link("/region", t.get("region-title"), String::new()));
    }
    let led_classes = home
        .led_classes
        .iter()
        .map(|g| {
            link(
                format!("/school/classes/{}", g.id),
                g.name.clone(),
                t.count("students-count", g.members),
            )
        })
        .collect();
    // Subjects taught, grouped by class or group: "5А — Математика, Информатика".
    let mut teaching: Vec<Link> = Vec::new();
    for a in home.teaching {
        match teaching.last_mut() {
            Some(last) if last.label == a.group_name => {
                last.note.push_str(", ");
                last.note.push_str(&a.subject);
            }
            // Teachers are staff of their school: the class page is theirs to open.
            _ => teaching.push(link(
                format!("/school/classes/{}", a.group),
                a.group_name,
                a.subject,
            )),
        }
    }
    let children = home
        .children
        .iter()
        .map(|c| {
            let (consent, consent_style) = match c.diary_consent {
                Some(ConsentState::Given) => (t.get("consent-given"), "ok"),
                Some(ConsentState::Refused) => (t.get("consent-refused"), "bad"),
                Some(ConsentState::Withdrawn) => (t.get("consent-withdrawn"), "bad"),
                None => (t.get("consent-missing"), "warn"),
            };
            ChildCard {
                name: crate::diary::views::child_name(&t, &c.student),
                class: c.class.as_ref().map(|g| g.name.clone()).unwrap_or_default(),
                href: c.visible().then(|| format!("/students/{}", c.student.id)),
                consent,
                consent_style,
                paper: c.paper,
                timetable: c
                    .class
                    .as_ref()
                    .map(|g| format!("/timetable/classes/{}", g.id)),
                diary: format!("/diary/{}", c.student.id),
            }
        })
        .collect();
    let own_groups = home
        .own_groups
        .into_iter()
        .map(|g| {
            link(
                if g.kind == GroupKind::Class {
                    format!("/timetable/classes/{}", g.id)
                } else {
                    String::new()
                },
                g.name,
                t.get(&format!("group-kind-{}", g.kind.code())),
            )
        })
        .collect();
    let deferrals_due = home
        .deferrals_due
        .iter()
        .filter_map(|l| {
            let d = &l.deferral;
            Some(link(
                crate::paths::href(
                    &format!("/journal/{}/{}/finals", d.group?, d.subject),
                    &[("period", crate::finals::pages::slot_query(d.slot))],
                ),
                format!("{} · {}", d.student_name, d.subject_name),
                t.args(
                    "deferral-until",
                    &[
                        ("date", tabel_present::date(d.ends_on).into()),
                        ("basis", d.basis.clone().into()),
                    ],
                ),
            ))
        })
        .collect();
    let notes_waiting = state.app.absence_notes_waiting(&user.who.principal).await?;
    Ok(HomePage {
        notes_waiting,
        deferrals_due,
        my_diary: home.my_diary.map(|me| format!("/diary/{me}")),
        t,
        nav: user.nav.clone(),
        roles,
        staff_links,
        led_classes,
        teaching,
        children,
        own_groups,
    })
}
