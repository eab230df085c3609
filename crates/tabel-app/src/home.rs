//! The home page's use case: what a user may open from home, decided once here from their
//! roles, so the page only words and links it.

use crate::debts::DeferralLine;
use crate::{App, AppError};
use tabel_domain::PersonId;
use tabel_domain::access::Principal;
use tabel_domain::school::{
    Assignment, ConsentState, Group, GroupKind, PersonSummary, Role, School,
};

/// A section of the staff's work a user may open from home.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The teacher's own week (teachers with a person).
    MyWeek,
    /// The assessment schedule (staff).
    Assessments,
    /// State exam results (administrators, deputy heads).
    Exams,
    /// Bells, the timetable desk, changes, deferrals and statistics (those who plan).
    Bells,
    /// The timetable desk.
    Desk,
    /// The timetable's changes.
    Changes,
    /// Deferred final marks.
    Deferrals,
    /// Statistics.
    Stats,
}

/// A school the user works in, with what they may open there.
#[derive(Debug, Clone)]
pub struct SchoolEntry {
    /// The school.
    pub school: School,
    /// Its structure (staff).
    pub structure: bool,
    /// Its accounts (administrators).
    pub accounts: bool,
}

/// A linked child as home shows them.
#[derive(Debug, Clone)]
pub struct ChildEntry {
    /// The child.
    pub student: PersonSummary,
    /// The diary consent's state, if any was recorded.
    pub diary_consent: Option<ConsentState>,
    /// Whether the parent gets paper extracts (no consent to electronic delivery).
    pub paper: bool,
    /// The child's class on the day, when the diary consent lets the parent see it.
    pub class: Option<Group>,
}

impl ChildEntry {
    /// The parent may open the child's card and diary (consent given).
    pub fn visible(&self) -> bool {
        self.diary_consent == Some(ConsentState::Given)
    }
}

/// What the home page offers a user.
#[derive(Debug, Clone, Default)]
pub struct Home {
    /// The user's roles, without repeats, in the order held.
    pub roles: Vec<Role>,
    /// Sections of work they may open.
    pub sections: Vec<Section>,
    /// Their schools' structure and accounts pages.
    pub schools: Vec<SchoolEntry>,
    /// Classes they lead as class teacher, with members on the day.
    pub led_classes: Vec<Group>,
    /// What they teach: (group, subject) pairs in timetable order.
    pub teaching: Vec<Assignment>,
    /// Their linked children (parents).
    pub children: Vec<ChildEntry>,
    /// Their own groups on the day (pupils).
    pub own_groups: Vec<Group>,
    /// Their own diary (pupils).
    pub my_diary: Option<PersonId>,
    /// Deferred final marks whose deferral ended: the mark is due (teachers).
    pub deferrals_due: Vec<DeferralLine>,
}

/// The sections a principal may open, by their roles (pure: the rule of the home page).
pub fn sections(p: &Principal) -> Vec<Section> {
    let mut out = Vec::new();
    if p.person.is_some() && p.grants.iter().any(|(r, _)| *r == Role::Teacher) {
        out.push(Section::MyWeek);
    }
    let schools = p.schools();
    if schools.iter().any(|s| p.is_staff_of(*s)) {
        out.push(Section::Assessments);
    }
    if schools.iter().any(|s| crate::exams::manages(p, *s)) {
        out.push(Section::Exams);
    }
    if schools
        .iter()
        .any(|s| crate::timetable::may_plan(p, *s).allowed())
    {
        out.extend([
            Section::Bells,
            Section::Desk,
            Section::Changes,
            Section::Deferrals,
            Section::Stats,
        ]);
    }
    out
}

impl App {
    /// What the home page offers the user today.
    pub async fn home(&self, p: &Principal) -> Result<Home, AppError> {
        let today = self.today();
        let mut roles: Vec<Role> = p.roles().into_iter().map(|(r, _)| r).collect();
        roles.dedup();
        let schools = self
            .schools(p)
            .await?
            .into_iter()
            .map(|school| SchoolEntry {
                structure: p.is_staff_of(school.id),
                accounts: p.is_admin_of(school.id),
                school,
            })
            .filter(|e| e.structure || e.accounts)
            .collect();
        let mut led_classes = Vec::new();
        for (_, class) in &p.class_teacher_of {
            led_classes.push(self.class(p, *class, today).await?);
        }
        let mut children = Vec::new();
        for c in self.my_children(p).await? {
            let mut child = ChildEntry {
                paper: c.delivery_consent != Some(ConsentState::Given),
                diary_consent: c.diary_consent,
                student: c.student,
                class: None,
            };
            if child.visible() {
                child.class = self
                    .student(p, child.student.id, today)
                    .await?
                    .groups
                    .into_iter()
                    .find(|g| g.kind == GroupKind::Class);
            }
            children.push(child);
        }
        let (own_groups, my_diary) = match (p.person, p.student_in) {
            (Some(me), Some(_)) if p.student_consent => {
                (self.student(p, me, today).await?.groups, Some(me))
            }
            // The pupil's diary then explains why it is closed; the groups are not read.
            (Some(me), Some(_)) => (Vec::new(), Some(me)),
            _ => (Vec::new(), None),
        };
        let deferrals_due = self
            .my_deferrals(p)
            .await?
            .into_iter()
            .filter(|l| l.overdue() && l.deferral.group.is_some())
            .collect();
        Ok(Home {
            roles,
            sections: sections(p),
            schools,
            led_classes,
            teaching: self.my_teaching(p, today).await?,
            children,
            own_groups,
            my_diary,
            deferrals_due,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tabel_domain::{SchoolId, UserId};

    fn principal(grants: &[(Role, i64)], person: bool) -> Principal {
        Principal {
            user: UserId::new(3),
            person: person.then(|| PersonId::new(7)),
            grants: grants
                .iter()
                .map(|(r, s)| (*r, SchoolId::new(*s)))
                .collect(),
            class_teacher_of: Vec::new(),
            children: Vec::new(),
            student_in: None,
            pupils: Vec::new(),
            student_consent: false,
        }
    }

    #[test]
    fn a_teacher_sees_their_week_and_the_schedule_but_not_the_desk() {
        let s = sections(&principal(&[(Role::Teacher, 1)], true));
        assert_eq!(s, [Section::MyWeek, Section::Assessments]);
    }

    #[test]
    fn a_deputy_plans_and_manages_exams() {
        let s = sections(&principal(&[(Role::Deputy, 1)], true));
        assert!(s.contains(&Section::Exams));
        assert!(s.contains(&Section::Desk));
        assert!(s.contains(&Section::Stats));
        assert!(!s.contains(&Section::MyWeek));
    }

    #[test]
    fn a_parent_sees_no_staff_section() {
        assert!(sections(&principal(&[], true)).is_empty());
    }

    #[test]
    fn a_teacher_account_without_a_person_has_no_week() {
        let s = sections(&principal(&[(Role::Teacher, 1)], false));
        assert!(!s.contains(&Section::MyWeek));
    }
}
