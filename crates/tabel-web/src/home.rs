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
use tabel_domain::school::ConsentState;

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
}

/// The translated name of a role.
pub fn role_label(t: &Tr<'_>, role: tabel_domain::school::Role) -> String {
    t.get(&format!("role-{}", role.code().replace('_', "-")))
}

async fn home(State(state): State<AppState>, user: PageUser) -> Result<Html<String>, PageError> {
    render(build(&state, &user).await?)
}

async fn build<'s>(
    state: &'s AppState,
    user: &PageUser,
) -> Result<HomePage<'s>, tabel_app::AppError> {
    let t = user.tr(state);
    let p = &user.who.principal;
    let today = state.app.today();
    let mut roles: Vec<String> = p
        .roles()
        .into_iter()
        .map(|(r, _)| role_label(&t, r))
        .collect();
    roles.dedup();

    let mut staff_links = Vec::new();
    if p.person.is_some()
        && p.grants
            .iter()
            .any(|(r, _)| *r == tabel_domain::school::Role::Teacher)
    {
        staff_links.push(Link {
            href: "/timetable/my".into(),
            label: t.get("timetable-my-week"),
            note: String::new(),
        });
    }
    if p.schools().into_iter().any(|s| p.is_staff_of(s)) {
        staff_links.push(Link {
            href: "/assessments".into(),
            label: t.get("assessments-title"),
            note: String::new(),
        });
    }
    if p.schools()
        .into_iter()
        .any(|s| tabel_app::exams::manages(p, s))
    {
        staff_links.push(Link {
            href: "/exams".into(),
            label: t.get("exams-title"),
            note: t.get("exams-home-note"),
        });
    }
    if p.schools()
        .into_iter()
        .any(|s| tabel_app::timetable::may_plan(p, s).allowed())
    {
        staff_links.push(Link {
            href: "/timetable/bells".into(),
            label: t.get("calendar-bells"),
            note: String::new(),
        });
        staff_links.push(Link {
            href: "/timetable/desk".into(),
            label: t.get("desk-title"),
            note: String::new(),
        });
        staff_links.push(Link {
            href: "/timetable/changes".into(),
            label: t.get("changes-title"),
            note: String::new(),
        });
        staff_links.push(Link {
            href: "/school/deferrals".into(),
            label: t.get("deferrals-title"),
            note: String::new(),
        });
        staff_links.push(Link {
            href: "/stats".into(),
            label: t.get("stats-title"),
            note: t.get("stats-home-note"),
        });
    }
    for school in state.app.schools(p).await? {
        if p.is_staff_of(school.id) {
            staff_links.push(Link {
                href: format!("/school/{}", school.id),
                label: school.short_name.clone(),
                note: t.get("home-structure"),
            });
        }
        if p.is_admin_of(school.id) {
            staff_links.push(Link {
                href: format!("/admin/{}/users", school.id),
                label: school.short_name.clone(),
                note: t.get("home-accounts"),
            });
        }
    }

    let mut led_classes = Vec::new();
    for (_, class) in &p.class_teacher_of {
        let g = state.app.class(p, *class, today).await?;
        led_classes.push(Link {
            href: format!("/school/classes/{}", g.id),
            label: g.name.clone(),
            note: t.count("students-count", g.members),
        });
    }

    // Subjects taught, grouped by class or group: "5А — Математика, Информатика".
    let mut teaching: Vec<Link> = Vec::new();
    for a in state.app.my_teaching(p, today).await? {
        match teaching.last_mut() {
            Some(last) if last.label == a.group_name => {
                last.note.push_str(", ");
                last.note.push_str(&a.subject);
            }
            _ => teaching.push(Link {
                // Teachers are staff of their school: the class page is theirs to open.
                href: format!("/school/classes/{}", a.group),
                label: a.group_name,
                note: a.subject,
            }),
        }
    }

    let mut children = Vec::new();
    for c in state.app.my_children(p).await? {
        let visible = c.diary_consent == Some(ConsentState::Given);
        let class_group = if visible {
            state
                .app
                .student(p, c.student.id, today)
                .await?
                .groups
                .into_iter()
                .find(|g| g.kind == tabel_domain::school::GroupKind::Class)
        } else {
            None
        };
        let timetable = class_group
            .as_ref()
            .map(|g| format!("/timetable/classes/{}", g.id));
        let class = class_group.map(|g| g.name).unwrap_or_default();
        let (consent, consent_style) = match c.diary_consent {
            Some(ConsentState::Given) => (t.get("consent-given"), "ok"),
            Some(ConsentState::Refused) => (t.get("consent-refused"), "bad"),
            Some(ConsentState::Withdrawn) => (t.get("consent-withdrawn"), "bad"),
            None => (t.get("consent-missing"), "warn"),
        };
        children.push(ChildCard {
            name: c.student.full_name(),
            class,
            href: visible.then(|| format!("/students/{}", c.student.id)),
            consent,
            consent_style,
            paper: c.delivery_consent != Some(ConsentState::Given),
            timetable,
            diary: format!("/diary/{}", c.student.id),
        });
    }

    let mut own_groups = Vec::new();
    if let (Some(me), Some(_)) = (p.person, p.student_in) {
        for g in state.app.student(p, me, today).await?.groups {
            own_groups.push(Link {
                href: if g.kind == tabel_domain::school::GroupKind::Class {
                    format!("/timetable/classes/{}", g.id)
                } else {
                    String::new()
                },
                label: g.name,
                note: t.get(&format!("group-kind-{}", g.kind.code())),
            });
        }
    }

    let my_diary = match (p.person, p.student_in) {
        (Some(me), Some(_)) => Some(format!("/diary/{me}")),
        _ => None,
    };

    let mut deferrals_due = Vec::new();
    for l in state.app.my_deferrals(p).await? {
        if !l.overdue() {
            continue;
        }
        let d = &l.deferral;
        if let Some(g) = d.group {
            deferrals_due.push(Link {
                href: crate::paths::href(
                    &format!("/journal/{g}/{}/finals", d.subject),
                    &[("period", crate::finals::slot_query(d.slot))],
                ),
                label: format!("{} · {}", d.student_name, d.subject_name),
                note: t.args(
                    "deferral-until",
                    &[
                        ("date", crate::school::date(d.ends_on).into()),
                        ("basis", d.basis.clone().into()),
                    ],
                ),
            });
        }
    }

    Ok(HomePage {
        deferrals_due,
        my_diary,
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
