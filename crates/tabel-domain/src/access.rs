//! Who may see and do what. Default deny: every check names the grant that allows it, and
//! anything not listed is refused. The application layer loads the facts (which school a class
//! belongs to, whose child a student is) and asks here.

use crate::school::Role;
use crate::{GroupId, PersonId, SchoolId, UserId};
use serde::Serialize;

/// A child linked to a parent, as the parent's access sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkedChild {
    /// The child.
    pub student: PersonId,
    /// The child's school.
    pub school: SchoolId,
    /// Whether the parent's consent to processing for the diary is in force. Without it the
    /// parent sees nothing of the child (152-ФЗ, regulation point 1).
    pub consent: bool,
}

/// The acting user with everything access decisions need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The account.
    pub user: UserId,
    /// The person behind the account, if any (a service admin may have none).
    pub person: Option<PersonId>,
    /// Directly granted roles: admin, deputy, teacher, per school.
    pub grants: Vec<(Role, SchoolId)>,
    /// Classes this user is the class teacher of.
    pub class_teacher_of: Vec<(SchoolId, GroupId)>,
    /// Children this user is a legal representative of.
    pub children: Vec<LinkedChild>,
    /// The school this user studies in, if a student.
    pub student_in: Option<SchoolId>,
    /// The pupils this user teaches or is the class teacher of today, sorted: a member of a
    /// group with a teaching assignment of theirs running today, or of a class they lead. What a
    /// teacher reads of pupils (diary, marks, finals, debts, exams, record) is limited to these.
    pub pupils: Vec<PersonId>,
    /// For a pupil: whether at least one linked legal representative's consent to the
    /// processing for the diary is in force. The pupil's own account is part of the same
    /// electronic diary service, so without it the pupil reads nothing of their own
    /// ([`Decision::NoConsent`], as a parent without consent).
    pub student_consent: bool,
}

/// The answer to "may I?". `Hidden` means the thing must look as if it did not exist (404), so
/// that its existence is not disclosed; `Forbidden` (403) is for things the user knows about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// Known to the user, but not allowed.
    Forbidden,
    /// Not visible to the user at all.
    Hidden,
    /// A legal representative's own child, but without a consent to the processing of personal
    /// data for the diary in force (given, never withdrawn): nothing of the child is shown, and
    /// the answer says why (regulation point 1).
    NoConsent,
}

impl Decision {
    /// Whether the decision allows.
    pub fn allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// Facts about a student that access depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StudentFacts {
    /// The student.
    pub student: PersonId,
    /// The student's school.
    pub school: SchoolId,
}

/// Facts about a class or other group that access depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupFacts {
    /// The group.
    pub group: GroupId,
    /// The group's school.
    pub school: SchoolId,
    /// Whether one of the principal's children (with consent) is a current member.
    pub has_own_child: bool,
    /// Whether the principal (a student) is a current member.
    pub has_self: bool,
}

impl Principal {
    /// Every role the user holds, with the school, derived and granted alike; for display and
    /// for `GET /api/v1/me`.
    pub fn roles(&self) -> Vec<(Role, SchoolId)> {
        let mut roles = self.grants.clone();
        roles.extend(
            self.class_teacher_of
                .iter()
                .map(|(s, _)| (Role::ClassTeacher, *s)),
        );
        roles.extend(self.children.iter().map(|c| (Role::Parent, c.school)));
        roles.extend(self.student_in.map(|s| (Role::Student, s)));
        roles.sort();
        roles.dedup();
        roles
    }

    /// Whether the user holds `role` in `school`, granted or derived.
    pub fn has_role(&self, role: Role, school: SchoolId) -> bool {
        self.roles().contains(&(role, school))
    }

    /// Administrator of the school.
    pub fn is_admin_of(&self, school: SchoolId) -> bool {
        self.grants.contains(&(Role::Admin, school))
    }

    /// Admin, deputy head or teacher of the school: reads the school's structure and rosters.
    pub fn is_staff_of(&self, school: SchoolId) -> bool {
        self.grants.iter().any(|(_, s)| *s == school)
    }

    /// Schools where the user holds any role.
    pub fn schools(&self) -> Vec<SchoolId> {
        let mut v: Vec<SchoolId> = self.roles().into_iter().map(|(_, s)| s).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Children the user may see now: linked and with consent in force.
    pub fn visible_children(&self) -> impl Iterator<Item = PersonId> + '_ {
        self.children
            .iter()
            .filter(|c| c.consent)
            .map(|c| c.student)
    }

    /// Manage accounts, links and structure of a school.
    pub fn may_administer(&self, school: SchoolId) -> Decision {
        if self.is_admin_of(school) {
            Decision::Allow
        } else if self.schools().contains(&school) {
            // Staff and families of the school know it exists; they are simply not allowed.
            Decision::Forbidden
        } else {
            Decision::Hidden
        }
    }

    /// See a school's name and calendar: anyone with a role there.
    pub fn may_view_school(&self, school: SchoolId) -> Decision {
        if self.schools().contains(&school) {
            Decision::Allow
        } else {
            Decision::Hidden
        }
    }

    /// See the staff list and the full list of classes of a school.
    pub fn may_view_structure(&self, school: SchoolId) -> Decision {
        if self.is_staff_of(school) {
            Decision::Allow
        } else if self.schools().contains(&school) {
            Decision::Forbidden
        } else {
            Decision::Hidden
        }
    }

    /// See a class (its name, grade, class teacher).
    pub fn may_view_group(&self, g: &GroupFacts) -> Decision {
        if self.is_staff_of(g.school) || g.has_own_child || g.has_self {
            Decision::Allow
        } else {
            Decision::Hidden
        }
    }

    /// See the list of a class's students: staff only. Families know their class exists but do
    /// not get the roster (other children's personal data).
    pub fn may_view_roster(&self, g: &GroupFacts) -> Decision {
        if self.is_staff_of(g.school) {
            Decision::Allow
        } else if g.has_own_child || g.has_self {
            Decision::Forbidden
        } else {
            Decision::Hidden
        }
    }

    /// See a student's card and what the diary, finals, debts, exams and record show of them:
    /// the school's administrators and deputy heads; a teacher or class teacher only of the
    /// pupils they teach or lead ([`Principal::pupils`]); the pupil while a representative's
    /// diary consent is in force ([`Principal::student_consent`]); a legal representative with
    /// the diary consent in force ([`Decision::NoConsent`] without it, for both). Other staff of the school
    /// are refused (they know the pupil from the rosters); anyone else is told nothing.
    pub fn may_view_student(&self, s: &StudentFacts) -> Decision {
        let own = self.person == Some(s.student);
        if self.reads_as_staff(s)
            || (own && self.student_consent)
            || self.visible_children().any(|c| c == s.student)
        {
            Decision::Allow
        } else if own || self.children.iter().any(|c| c.student == s.student) {
            Decision::NoConsent
        } else if self.is_staff_of(s.school)
            || self.class_teacher_of.iter().any(|(sc, _)| *sc == s.school)
        {
            Decision::Forbidden
        } else {
            Decision::Hidden
        }
    }

    /// Whether the user reads the pupil as the school does (everything, unpublished results
    /// included): an administrator or deputy head of the pupil's school, or a teacher or class
    /// teacher of the pupil there.
    pub fn reads_as_staff(&self, s: &StudentFacts) -> bool {
        let school = s.school;
        if self.is_admin_of(school) || self.grants.contains(&(Role::Deputy, school)) {
            return true;
        }
        let teaches_there = self.grants.contains(&(Role::Teacher, school))
            || self.class_teacher_of.iter().any(|(sc, _)| *sc == school);
        teaches_there && self.pupils.binary_search(&s.student).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nobody() -> Principal {
        Principal {
            user: UserId::new(1),
            person: Some(PersonId::new(100)),
            grants: vec![],
            class_teacher_of: vec![],
            children: vec![],
            student_in: None,
            pupils: vec![],
            student_consent: false,
        }
    }

    const S1: SchoolId = SchoolId::new(1);
    const S2: SchoolId = SchoolId::new(2);

    #[test]
    fn nothing_is_allowed_without_a_role() {
        let p = nobody();
        assert_eq!(p.may_view_school(S1), Decision::Hidden);
        assert_eq!(p.may_administer(S1), Decision::Hidden);
        let s = StudentFacts {
            student: PersonId::new(5),
            school: S1,
        };
        assert_eq!(p.may_view_student(&s), Decision::Hidden);
    }

    #[test]
    fn a_teacher_reads_the_school_but_does_not_administer_it() {
        let mut p = nobody();
        p.grants.push((Role::Teacher, S1));
        assert!(p.may_view_structure(S1).allowed());
        assert_eq!(p.may_administer(S1), Decision::Forbidden);
        assert_eq!(p.may_view_structure(S2), Decision::Hidden);
    }

    #[test]
    fn a_parent_sees_a_child_only_with_consent() {
        let mut p = nobody();
        p.children.push(LinkedChild {
            student: PersonId::new(5),
            school: S1,
            consent: false,
        });
        let child = StudentFacts {
            student: PersonId::new(5),
            school: S1,
        };
        // Her own child without consent: refused with the reason (she knows the child).
        assert_eq!(p.may_view_student(&child), Decision::NoConsent);
        p.children[0].consent = true;
        assert!(p.may_view_student(&child).allowed());
        let other = StudentFacts {
            student: PersonId::new(6),
            school: S1,
        };
        assert_eq!(p.may_view_student(&other), Decision::Hidden);
    }

    #[test]
    fn a_pupil_reads_their_own_data_only_while_a_representative_consents() {
        let mut p = nobody();
        p.student_in = Some(S1);
        let me = StudentFacts {
            student: PersonId::new(100),
            school: S1,
        };
        assert_eq!(p.may_view_student(&me), Decision::NoConsent);
        p.student_consent = true;
        assert!(p.may_view_student(&me).allowed());
        let classmate = StudentFacts {
            student: PersonId::new(6),
            school: S1,
        };
        assert_eq!(p.may_view_student(&classmate), Decision::Hidden);
    }

    #[test]
    fn a_parent_is_told_no_for_the_roster_of_the_childs_class_and_nothing_of_others() {
        let mut p = nobody();
        p.children.push(LinkedChild {
            student: PersonId::new(5),
            school: S1,
            consent: true,
        });
        let own = GroupFacts {
            group: GroupId::new(1),
            school: S1,
            has_own_child: true,
            has_self: false,
        };
        let other = GroupFacts {
            has_own_child: false,
            ..own
        };
        assert!(p.may_view_group(&own).allowed());
        assert_eq!(p.may_view_roster(&own), Decision::Forbidden);
        assert_eq!(p.may_view_group(&other), Decision::Hidden);
        assert_eq!(p.may_view_roster(&other), Decision::Hidden);
        assert_eq!(p.may_view_structure(S1), Decision::Forbidden);
    }

    #[test]
    fn a_teacher_reads_only_the_pupils_they_teach_and_an_administrator_the_school() {
        let taught = StudentFacts {
            student: PersonId::new(5),
            school: S1,
        };
        let other = StudentFacts {
            student: PersonId::new(6),
            school: S1,
        };
        let mut teacher = nobody();
        teacher.grants.push((Role::Teacher, S1));
        teacher.pupils = vec![PersonId::new(5)];
        assert!(teacher.may_view_student(&taught).allowed());
        // A pupil of the school the teacher does not teach: known from the rosters, refused.
        assert_eq!(teacher.may_view_student(&other), Decision::Forbidden);
        // The same pupil id in a school where the teacher has no role: nothing.
        let elsewhere = StudentFacts {
            school: S2,
            ..taught
        };
        assert_eq!(teacher.may_view_student(&elsewhere), Decision::Hidden);
        let mut class_teacher = nobody();
        class_teacher.class_teacher_of.push((S1, GroupId::new(3)));
        class_teacher.pupils = vec![PersonId::new(6)];
        assert!(class_teacher.may_view_student(&other).allowed());
        assert_eq!(class_teacher.may_view_student(&taught), Decision::Forbidden);
        for role in [Role::Admin, Role::Deputy] {
            let mut head = nobody();
            head.grants.push((role, S1));
            assert!(head.may_view_student(&other).allowed());
            assert!(head.reads_as_staff(&other));
            assert_eq!(head.may_view_student(&elsewhere), Decision::Hidden);
        }
    }

    #[test]
    fn class_teacher_role_is_derived() {
        let mut p = nobody();
        p.grants.push((Role::Teacher, S1));
        p.class_teacher_of.push((S1, GroupId::new(3)));
        assert!(p.has_role(Role::ClassTeacher, S1));
        assert!(!p.has_role(Role::Admin, S1));
    }
}

/// A regional administrator's scope: the regions whose schools the account lists and creates
/// (with their first administrators). It grants nothing inside a school — no pupil's data, no
/// journal: those come only from a school role in [`Principal::grants`]. Kept beside the
/// principal, loaded when a regional page asks for it, so that every principal built elsewhere
/// stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionScope {
    /// The regions administered.
    pub regions: Vec<crate::RegionId>,
}

impl RegionScope {
    /// Whether the account administers any region (else the regional pages do not exist for it).
    pub fn may_enter(&self) -> Decision {
        if self.regions.is_empty() {
            Decision::Hidden
        } else {
            Decision::Allow
        }
    }

    /// List and create the schools of a region.
    pub fn may_administer_region(&self, region: crate::RegionId) -> Decision {
        if self.regions.contains(&region) {
            Decision::Allow
        } else {
            Decision::Hidden
        }
    }
}

#[cfg(test)]
mod region_tests {
    use super::*;
    use crate::RegionId;

    #[test]
    fn a_regional_administrator_reaches_only_their_regions_and_no_school() {
        let none = RegionScope::default();
        assert_eq!(none.may_enter(), Decision::Hidden);
        assert_eq!(
            none.may_administer_region(RegionId::new(1)),
            Decision::Hidden
        );
        let scope = RegionScope {
            regions: vec![RegionId::new(1)],
        };
        assert!(scope.may_enter().allowed());
        assert!(scope.may_administer_region(RegionId::new(1)).allowed());
        assert_eq!(
            scope.may_administer_region(RegionId::new(2)),
            Decision::Hidden
        );
    }
}
