//! The school's structure for its staff: overview with classes and groups, a class with its
//! roster, the staff list; and a student's card (staff, the student, their parents).

use crate::AppState;
use crate::error::{PageError, render};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::Path;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use tabel_domain::timetable::LessonStatus;
use tabel_domain::{GroupId, PersonId, SchoolId};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/school/{school}", get(overview))
        .route("/school/{school}/staff", get(staff))
        .route("/school/classes/{id}", get(class))
        .route("/students/{id}", get(student))
}

// documents.rs still names it here, until it moves into tabel-app.
pub use tabel_present::date;

/// The change marker of a lesson: label and badge style ("" for a planned lesson).
pub(crate) fn lesson_status(t: &Tr<'_>, status: LessonStatus) -> (String, &'static str) {
    match status {
        LessonStatus::Substituted => (t.get("lesson-substituted"), "warn"),
        LessonStatus::Cancelled => (t.get("lesson-cancelled"), "bad"),
        LessonStatus::Transferred => (t.get("lesson-transferred"), "warn"),
        LessonStatus::Extra => (t.get("lesson-extra"), "ok"),
        LessonStatus::Planned => (String::new(), ""),
    }
}

/// A row of the groups table.
pub struct GroupRow {
    /// Link.
    pub href: String,
    /// Name.
    pub name: String,
    /// Kind label.
    pub kind: String,
    /// Subject of a subgroup/stream.
    pub subject: String,
    /// Members on the date.
    pub members: i64,
    /// Class teacher.
    pub teacher: String,
}

#[derive(Template)]
#[template(path = "school/overview.html")]
struct OverviewPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    name: String,
    place: String,
    year: String,
    counts: Vec<(String, i64)>,
    classes: Vec<GroupRow>,
    groups: Vec<GroupRow>,
    subjects: Vec<String>,
}

fn group_rows(t: &Tr<'_>, groups: Vec<tabel_domain::school::Group>) -> Vec<GroupRow> {
    groups
        .into_iter()
        .map(|g| GroupRow {
            href: format!("/school/classes/{}", g.id),
            kind: t.get(&format!("group-kind-{}", g.kind.code())),
            subject: g.subject.unwrap_or_default(),
            teacher: g.class_teacher.unwrap_or_default(),
            members: g.members,
            name: g.name,
        })
        .collect()
}

async fn overview(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
) -> Result<Html<String>, PageError> {
    let p = &user.who.principal;
    let today = state.app.today();
    let o = state.app.overview(p, school, today).await?;
    let t = user.tr(&state);
    let all: Vec<_> = state
        .app
        .classes(p, today, None)
        .await?
        .into_iter()
        .filter(|g| g.school == school)
        .collect();
    let (classes, groups): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|g| g.kind == tabel_domain::school::GroupKind::Class);
    let subjects = state
        .app
        .subjects(p, school)
        .await?
        .into_iter()
        .map(|s| s.name)
        .collect();
    let c = &o.counts;
    render(OverviewPage {
        school_id: school.to_string(),
        place: format!("{}, {}", o.school.municipality, o.school.region),
        name: o.school.name,
        year: o
            .year
            .map(|y| format!("{} ({} – {})", y.label, date(y.starts_on), date(y.ends_on)))
            .unwrap_or_default(),
        counts: vec![
            (t.get("count-students"), c.students),
            (t.get("count-staff"), c.staff),
            (t.get("count-classes"), c.classes),
            (t.get("count-groups"), c.other_groups),
            (t.get("count-parents"), c.parents),
        ],
        classes: group_rows(&t, classes),
        groups: group_rows(&t, groups),
        subjects,
        nav: user.nav.clone(),
        t,
    })
}

/// A staff row.
pub struct StaffRow {
    /// Name.
    pub name: String,
    /// Position.
    pub position: String,
    /// Subjects.
    pub subjects: String,
    /// Classes led.
    pub classes: String,
}

#[derive(Template)]
#[template(path = "school/staff.html")]
struct StaffPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    rows: Vec<StaffRow>,
}

async fn staff(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
) -> Result<Html<String>, PageError> {
    let rows = state
        .app
        .staff(&user.who.principal, school, state.app.today())
        .await?
        .into_iter()
        .map(|s| StaffRow {
            name: s.person.full_name(),
            position: s.position,
            subjects: s.subjects.join(", "),
            classes: s.class_teacher_of.join(", "),
        })
        .collect();
    render(StaffPage {
        t: user.tr(&state),
        nav: user.nav.clone(),
        school_id: school.to_string(),
        rows,
    })
}

/// A person row.
pub struct PersonRow {
    /// Number in the list.
    pub n: usize,
    /// Link to the card.
    pub href: String,
    /// Name.
    pub name: String,
    /// Birth date.
    pub born: String,
    /// The pupil's record across the years, for those who keep it ("" otherwise).
    pub record: String,
}

#[derive(Template)]
#[template(path = "school/class.html")]
struct ClassPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    name: String,
    kind: String,
    teacher: String,
    subject: String,
    school_id: String,
    students_label: String,
    students: Vec<PersonRow>,
    journals: Vec<ClassJournalRow>,
    /// The class's consent registry (for those who keep it; "" otherwise).
    consents_href: String,
    /// The class's id.
    class_id: String,
}

/// A journal of the class, linked to its grid.
pub struct ClassJournalRow {
    /// The grid.
    pub href: String,
    /// Subject.
    pub subject: String,
    /// The group when it is not the class itself ("5А-1", a stream).
    pub group: String,
    /// The teacher.
    pub teacher: String,
}

async fn class(
    State(state): State<AppState>,
    user: PageUser,
    Path(gid): Path<GroupId>,
) -> Result<Html<String>, PageError> {
    let (g, members) = state
        .app
        .class_students(&user.who.principal, gid, state.app.today())
        .await?;
    let consents_href = if tabel_app::consent::keeps(&user.who.principal, g.school, Some(gid))
        && g.kind == tabel_domain::school::GroupKind::Class
    {
        format!("/consents/classes/{gid}")
    } else {
        String::new()
    };
    let keeps_records = !consents_href.is_empty();
    let journals = state
        .app
        .class_journals(&user.who.principal, gid)
        .await?
        .into_iter()
        .map(|j| ClassJournalRow {
            href: format!("/journal/{}/{}", j.group, j.subject),
            subject: j.subject_name,
            group: if j.group == gid {
                String::new()
            } else {
                j.group_name
            },
            teacher: j.teacher_name,
        })
        .collect();
    let t = user.tr(&state);
    render(ClassPage {
        journals,
        consents_href,
        class_id: gid.to_string(),
        kind: t.get(&format!("group-kind-{}", g.kind.code())),
        name: g.name,
        teacher: g.class_teacher.unwrap_or_default(),
        subject: g.subject.unwrap_or_default(),
        school_id: g.school.to_string(),
        students_label: t.count("students-count", i64::try_from(members.len()).unwrap_or(0)),
        students: members
            .into_iter()
            .enumerate()
            .map(|(i, m)| PersonRow {
                n: i + 1,
                href: format!("/students/{}", m.id),
                record: if keeps_records {
                    format!("/school/students/{}/record", m.id)
                } else {
                    String::new()
                },
                born: m.birth_date.map(date).unwrap_or_default(),
                name: m.full_name(),
            })
            .collect(),
        nav: user.nav.clone(),
        t,
    })
}

#[derive(Template)]
#[template(path = "school/student.html")]
struct StudentPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    name: String,
    born: String,
    enrolled: String,
    groups: Vec<GroupRow>,
    /// The child's consents (for those who keep the registry; "" otherwise).
    consents_href: String,
    /// The parents' contacts (for those who may manage them; "" otherwise).
    contacts_href: String,
    /// The record across the years (for those who keep the class's papers; "" otherwise).
    record_href: String,
}

async fn student(
    State(state): State<AppState>,
    user: PageUser,
    Path(pid): Path<PersonId>,
) -> Result<Html<String>, PageError> {
    let p = &user.who.principal;
    let v = state.app.student(p, pid, state.app.today()).await?;
    let t = user.tr(&state);
    let mut groups = group_rows(&t, v.groups.clone());
    // Links to group pages only for those who may open them (staff).
    for (row, g) in groups.iter_mut().zip(&v.groups) {
        if !p.is_staff_of(g.school) {
            row.href.clear();
        }
    }
    let class = v
        .groups
        .iter()
        .find(|g| g.kind == tabel_domain::school::GroupKind::Class)
        .map(|g| g.id);
    let consents_href = if tabel_app::consent::keeps(p, v.card.school, class) {
        format!("/consents/students/{pid}")
    } else {
        String::new()
    };
    let record_href = if consents_href.is_empty() {
        String::new()
    } else {
        format!("/school/students/{pid}/record")
    };
    render(StudentPage {
        record_href,
        contacts_href: crate::contact::pages::contacts_href(p, pid, v.card.school, class),
        consents_href,
        name: v.card.person.full_name(),
        born: v.card.person.birth_date.map(date).unwrap_or_default(),
        enrolled: date(v.card.enrolled_on),
        groups,
        nav: user.nav.clone(),
        t,
    })
}
