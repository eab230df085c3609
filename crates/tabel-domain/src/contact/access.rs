//! Who may manage a parent's contacts: the parent, or staff of one of their children's school
//! with a school-wide role or the child's class.

use crate::access::{Decision, Principal};
use crate::school::Role;
use crate::{GroupId, PersonId, SchoolId};

/// Where a parent's child is, as access to the parent's contacts sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildPlace {
    /// The child.
    pub student: PersonId,
    /// The child's school.
    pub school: SchoolId,
    /// The child's class on the day, if in one.
    pub class: Option<GroupId>,
}

/// Facts about a parent that access to their contacts depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentFacts {
    /// The legal representative.
    pub parent: PersonId,
    /// The children they are linked to now (live guardianships).
    pub children: Vec<ChildPlace>,
}

/// Who is managing a parent's contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactAccess {
    /// The parent themself (contacts they add are entered in the cabinet).
    Own,
    /// A school administrator, a deputy head, or the class teacher of the parent's child: they
    /// register contacts from written applications and electronic documents.
    Staff,
}

/// Whether a staff member may manage the contacts of a child's parents: the school's
/// administrator or deputy head, or the class teacher of the child's class. Other teachers of
/// the school are refused (they know the family exists), everyone else does not see it.
pub fn staff_access_for_child(p: &Principal, child: &ChildPlace) -> Decision {
    let school_wide = p.grants.contains(&(Role::Admin, child.school))
        || p.grants.contains(&(Role::Deputy, child.school));
    let class_teacher = child
        .class
        .is_some_and(|g| p.class_teacher_of.contains(&(child.school, g)));
    if school_wide || class_teacher {
        Decision::Allow
    } else if p.is_staff_of(child.school) {
        Decision::Forbidden
    } else {
        Decision::Hidden
    }
}

/// Who may manage a parent's contacts: the parent themself, or staff as in
/// [`staff_access_for_child`] for one of the parent's children. Default deny: a person with no
/// live link to a child is nobody's parent here, and their contacts are nobody's to manage.
pub fn contact_access(p: &Principal, f: &ParentFacts) -> Result<ContactAccess, Decision> {
    if f.children.is_empty() {
        return Err(Decision::Hidden);
    }
    if p.person == Some(f.parent) {
        return Ok(ContactAccess::Own);
    }
    let mut best = Decision::Hidden;
    for child in &f.children {
        match staff_access_for_child(p, child) {
            Decision::Allow => return Ok(ContactAccess::Staff),
            Decision::Forbidden => best = Decision::Forbidden,
            _ => {}
        }
    }
    Err(best)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::UserId;
    use crate::access::LinkedChild;

    const S1: SchoolId = SchoolId::new(1);
    const S2: SchoolId = SchoolId::new(2);

    fn someone(person: i64) -> Principal {
        Principal {
            user: UserId::new(person),
            person: Some(PersonId::new(person)),
            grants: vec![],
            class_teacher_of: vec![],
            children: vec![],
            student_in: None,
            pupils: Vec::new(),
            student_consent: false,
        }
    }

    fn mother() -> ParentFacts {
        ParentFacts {
            parent: PersonId::new(10),
            children: vec![ChildPlace {
                student: PersonId::new(20),
                school: S1,
                class: Some(GroupId::new(5)),
            }],
        }
    }

    #[test]
    fn the_parent_manages_their_own_contacts_and_no_one_elses() {
        let mut me = someone(10);
        me.children.push(LinkedChild {
            student: PersonId::new(20),
            school: S1,
            consent: true,
        });
        assert_eq!(contact_access(&me, &mother()), Ok(ContactAccess::Own));
        let other = ParentFacts {
            parent: PersonId::new(11),
            ..mother()
        };
        assert_eq!(contact_access(&me, &other), Err(Decision::Hidden));
        let unlinked = ParentFacts {
            children: vec![],
            ..mother()
        };
        assert_eq!(contact_access(&me, &unlinked), Err(Decision::Hidden));
    }

    #[test]
    fn staff_need_a_school_wide_role_or_the_childs_class() {
        let f = mother();
        let mut admin = someone(1);
        admin.grants.push((Role::Admin, S1));
        assert_eq!(contact_access(&admin, &f), Ok(ContactAccess::Staff));
        let mut deputy = someone(2);
        deputy.grants.push((Role::Deputy, S1));
        assert_eq!(contact_access(&deputy, &f), Ok(ContactAccess::Staff));
        let mut class_teacher = someone(3);
        class_teacher.grants.push((Role::Teacher, S1));
        class_teacher.class_teacher_of.push((S1, GroupId::new(5)));
        assert_eq!(contact_access(&class_teacher, &f), Ok(ContactAccess::Staff));
        let mut other_class = someone(4);
        other_class.grants.push((Role::Teacher, S1));
        other_class.class_teacher_of.push((S1, GroupId::new(6)));
        assert_eq!(contact_access(&other_class, &f), Err(Decision::Forbidden));
        let mut other_school = someone(5);
        other_school.grants.push((Role::Admin, S2));
        assert_eq!(contact_access(&other_school, &f), Err(Decision::Hidden));
        assert_eq!(contact_access(&someone(6), &f), Err(Decision::Hidden));
    }
}
