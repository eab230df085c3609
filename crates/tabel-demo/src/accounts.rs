//! The seven demo accounts of the first school, all with the password [`crate::DEMO_PASSWORD`].
//! Only these people get logins; parent and student roles follow from the school model, so
//! those accounts are granted nothing.

use crate::model::*;
use crate::teaching::Specialty;
use crate::{Ctx, DemoError};
use tabel_domain::school::Role;
use tabel_store::Conn;
use tabel_store::user::{self as repo, NewUser};

fn missing(what: &str) -> DemoError {
    DemoError::Invalid(format!("the demo school has no {what}"))
}

/// Creates the demo accounts.
pub(crate) async fn create(
    c: &mut Conn<'_>,
    ctx: &Ctx<'_>,
    school: &mut DemoSchool,
) -> Result<(), DemoError> {
    let staff_of = |kind: StaffKind| school.staff.iter().position(|s| s.kind == kind);
    let director = staff_of(StaffKind::Director).ok_or_else(|| missing("director"))?;
    let deputy = staff_of(StaffKind::Deputy).ok_or_else(|| missing("deputy head"))?;
    let (class_5a, _) = school.class_named("5А").ok_or_else(|| missing("5А"))?;
    let class_teacher = school
        .classes
        .get(class_5a)
        .and_then(|c| c.class_teacher)
        .ok_or_else(|| missing("class teacher of 5А"))?;
    // A mathematics teacher of several classes who is not 5А's class teacher.
    let teacher = (0..school.staff.len())
        .filter(|t| {
            *t != class_teacher
                && school
                    .staff
                    .get(*t)
                    .is_some_and(|s| s.kind == StaffKind::Teacher(Specialty::Mathematics))
        })
        .find(|t| {
            let mut classes: Vec<GroupRef> = school
                .assignments
                .iter()
                .filter(|a| a.teacher == *t && matches!(a.group, GroupRef::Class(_)))
                .map(|a| a.group)
                .collect();
            classes.sort();
            classes.dedup();
            classes.len() >= 2
        })
        .ok_or_else(|| missing("mathematics teacher"))?;
    let family_of = |role: FamilyRole| school.families.iter().find(|f| f.role == role);
    let demo_family = family_of(FamilyRole::DemoParent).ok_or_else(|| missing("demo family"))?;
    let parent = *demo_family
        .parents
        .first()
        .ok_or_else(|| missing("demo parent"))?;
    let student = *demo_family
        .children
        .iter()
        .find(|s| {
            school
                .students
                .get(**s)
                .is_some_and(|s| s.class == class_5a)
        })
        .ok_or_else(|| missing("demo student"))?;
    let refuser = *family_of(FamilyRole::Refuser)
        .and_then(|f| f.parents.first())
        .ok_or_else(|| missing("refusing parent"))?;

    let staff_person = |i: usize| school.staff.get(i).map(|s| &s.person);
    let plan = [
        ("admin", staff_person(director), vec![Role::Admin]),
        ("zavuch", staff_person(deputy), vec![Role::Deputy]),
        ("teacher", staff_person(teacher), vec![Role::Teacher]),
        (
            "classteacher",
            staff_person(class_teacher),
            vec![Role::Teacher],
        ),
        (
            "parent",
            school.parents.get(parent).map(|p| &p.person),
            vec![],
        ),
        (
            "student",
            school.students.get(student).map(|s| &s.person),
            vec![],
        ),
        (
            "refuser",
            school.parents.get(refuser).map(|p| &p.person),
            vec![],
        ),
    ];
    let mut accounts = Vec::new();
    for (login, person, roles) in plan {
        let person = person.ok_or_else(|| missing(login))?;
        let display = person.name.short();
        let user = repo::insert_user(
            c,
            &NewUser {
                login,
                password_hash: Some(ctx.password_hash),
                person: Some(person.id),
                display_name: &display,
                school: Some(school.id),
                locale: "ru",
                created_at: ctx.now,
            },
        )
        .await?;
        for role in &roles {
            repo::grant_role(c, user, *role, school.id).await?;
        }
        accounts.push(DemoAccount {
            login,
            user,
            person: person.id,
            roles,
        });
    }
    school.accounts = accounts;
    Ok(())
}
