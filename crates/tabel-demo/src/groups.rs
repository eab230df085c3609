//! Dated memberships: classes (with one pupil moved to the parallel class during the year),
//! English and informatics subgroups, the profile streams of grades 10–11, and two pupils on an
//! individual curriculum (ИУП) with their own curriculum lines and teachers.

use crate::curriculum::SubjectCode;
use crate::model::*;
use crate::rng::SplitMix64;
use crate::structure::{add_curriculum, add_group};
use crate::teaching::add_assignment;
use crate::{Ctx, DemoError};
use tabel_domain::school::GroupKind;
use tabel_store::Conn;
use tabel_store::school as repo;
use time::{Date, Duration};

async fn add_member(
    c: &mut Conn<'_>,
    school: &mut DemoSchool,
    group: GroupRef,
    student: usize,
    from: Date,
    to: Option<Date>,
) -> Result<(), DemoError> {
    let (Some(group_id), Some(person)) = (
        school.group_id(group),
        school.students.get(student).map(|s| s.person.id),
    ) else {
        return Err(DemoError::Invalid("a membership refers to nothing".into()));
    };
    repo::insert_membership(c, school.id, group_id, person, from, to).await?;
    let member = DemoMember { student, from, to };
    match group {
        GroupRef::Class(i) => school.classes.get_mut(i).map(|c| c.members.push(member)),
        GroupRef::Group(i) => school.groups.get_mut(i).map(|g| g.members.push(member)),
    };
    Ok(())
}

fn sort_by_name(school: &DemoSchool, students: &mut [usize]) {
    students.sort_by_cached_key(|s| {
        (
            school.students.get(*s).map(|s| s.person.name.sort_key()),
            *s,
        )
    });
}

fn ordinary_only_child(school: &DemoSchool, student: usize) -> bool {
    school
        .students
        .get(student)
        .and_then(|s| school.families.get(s.family))
        .is_some_and(|f| f.role == FamilyRole::Ordinary && f.children.len() == 1)
}

/// Puts every pupil into their class and groups.
pub(crate) async fn memberships(
    c: &mut Conn<'_>,
    ctx: &Ctx<'_>,
    school: &mut DemoSchool,
    rng: &mut SplitMix64,
) -> Result<(), DemoError> {
    let start = school.year.starts_on;
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); school.classes.len()];
    for (si, s) in school.students.iter().enumerate() {
        if let Some(list) = by_class.get_mut(s.class) {
            list.push(si);
        }
    }
    for list in &mut by_class {
        sort_by_name(school, list);
    }

    // One pupil of 7А moves to 7Б at the start of the second quarter (or, early in the year, on
    // the next school day: a transfer already ordered).
    let seventh: Vec<usize> = (0..school.classes.len())
        .filter(|i| school.classes.get(*i).is_some_and(|c| c.grade == 7))
        .collect();
    let second_quarter = ctx.calendar.quarters[1].0;
    let move_on = if second_quarter <= ctx.today {
        second_quarter
    } else {
        ctx.calendar.next_school_day(ctx.today + Duration::days(1))
    };
    let mover = match (seventh.first(), seventh.get(1)) {
        (Some(from), Some(to)) => {
            let candidates: Vec<usize> = by_class
                .get(*from)
                .map(|l| {
                    l.iter()
                        .copied()
                        .filter(|s| ordinary_only_child(school, *s))
                        .collect()
                })
                .unwrap_or_default();
            (!candidates.is_empty()).then(|| DemoMove {
                student: *rng.pick(&candidates),
                from_class: *from,
                to_class: *to,
                on: move_on,
            })
        }
        _ => None,
    };
    let until = |s: usize| {
        mover
            .filter(|m| m.student == s)
            .map(|m| m.on - Duration::days(1))
    };

    for (ci, list) in by_class.iter().enumerate() {
        for s in list {
            add_member(c, school, GroupRef::Class(ci), *s, start, until(*s)).await?;
        }
    }
    if let Some(m) = mover {
        add_member(
            c,
            school,
            GroupRef::Class(m.to_class),
            m.student,
            m.on,
            None,
        )
        .await?;
        school.moves.push(m);
    }

    for (ci, list) in by_class.iter().enumerate() {
        let (english, informatics) = match school.classes.get(ci) {
            Some(class) => (class.english.clone(), class.informatics.clone()),
            None => continue,
        };
        // English: alphabetical halves, as the journal lists them.
        if let [g1, g2] = english[..] {
            let half = list.len().div_ceil(2);
            for (k, s) in list.iter().enumerate() {
                let g = if k < half { g1 } else { g2 };
                add_member(c, school, GroupRef::Group(g), *s, start, until(*s)).await?;
            }
        }
        // Informatics: split by the teacher, not by the alphabet.
        if let [g1, g2] = informatics[..] {
            let mut shuffled = list.clone();
            rng.shuffle(&mut shuffled);
            let half = shuffled.len().div_ceil(2);
            let (mut a, mut b) = (shuffled[..half].to_vec(), shuffled[half..].to_vec());
            sort_by_name(school, &mut a);
            sort_by_name(school, &mut b);
            for (g, members) in [(g1, a), (g2, b)] {
                for s in members {
                    add_member(c, school, GroupRef::Group(g), s, start, until(s)).await?;
                }
            }
        }
    }
    if let Some(m) = mover {
        let (english, informatics) = match school.classes.get(m.to_class) {
            Some(class) => (class.english.clone(), class.informatics.clone()),
            None => (Vec::new(), Vec::new()),
        };
        for g in english.last().into_iter().chain(informatics.last()) {
            add_member(c, school, GroupRef::Group(*g), m.student, m.on, None).await?;
        }
    }

    // Profile streams: about 45 % of the parallel chose advanced mathematics.
    for gi in 0..school.groups.len() {
        let sources = match school.groups.get(gi) {
            Some(g) if g.kind == GroupKind::Stream => g.classes.clone(),
            _ => continue,
        };
        let mut pool: Vec<usize> = sources
            .iter()
            .filter_map(|ci| by_class.get(*ci))
            .flatten()
            .copied()
            .collect();
        rng.shuffle(&mut pool);
        pool.truncate((pool.len() * 45).div_ceil(100));
        sort_by_name(school, &mut pool);
        for s in pool {
            add_member(c, school, GroupRef::Group(gi), s, start, None).await?;
        }
    }
    Ok(())
}

/// Individual curricula: weekly hours (tenths) of a pupil taught at home for health reasons.
const HOME_TUITION_8: [(SubjectCode, u16); 11] = [
    (SubjectCode::Russian, 20),
    (SubjectCode::Literature, 10),
    (SubjectCode::English, 10),
    (SubjectCode::Algebra, 20),
    (SubjectCode::Geometry, 10),
    (SubjectCode::Physics, 10),
    (SubjectCode::Chemistry, 10),
    (SubjectCode::Biology, 10),
    (SubjectCode::History, 10),
    (SubjectCode::Geography, 5),
    (SubjectCode::SocialStudies, 5),
];
const HOME_TUITION_3: [(SubjectCode, u16); 5] = [
    (SubjectCode::Russian, 30),
    (SubjectCode::LiteraryReading, 20),
    (SubjectCode::Mathematics, 30),
    (SubjectCode::WorldAround, 10),
    (SubjectCode::English, 5),
];

/// Two pupils (grades 8 and 3) on an individual curriculum: a group of one with its own lines,
/// taught by the teachers of their class. They stay on their class's roll.
pub(crate) async fn individual_plans(
    c: &mut Conn<'_>,
    _ctx: &Ctx<'_>,
    school: &mut DemoSchool,
    rng: &mut SplitMix64,
) -> Result<(), DemoError> {
    let start = school.year.starts_on;
    for (grade, lines) in [(8u8, &HOME_TUITION_8[..]), (3, &HOME_TUITION_3[..])] {
        let in_grade: Vec<usize> = (0..school.classes.len())
            .filter(|i| school.classes.get(*i).is_some_and(|c| c.grade == grade))
            .collect();
        let Some(ci) = (if grade == 8 {
            in_grade.first()
        } else {
            in_grade.last()
        })
        .copied() else {
            continue;
        };
        let candidates: Vec<usize> = school
            .classes
            .get(ci)
            .map(|class| {
                class
                    .members_on(start)
                    .filter(|s| ordinary_only_child(school, *s))
                    .filter(|s| school.moves.iter().all(|m| m.student != *s))
                    .collect()
            })
            .unwrap_or_default();
        if candidates.is_empty() {
            continue;
        }
        let pupil = *rng.pick(&candidates);
        let short = school
            .students
            .get(pupil)
            .map(|s| s.person.name.short())
            .unwrap_or_default();
        let g = add_group(
            c,
            school,
            GroupKind::Individual,
            format!("ИУП: {short}"),
            grade,
            Some(ci),
            None,
        )
        .await?;
        add_member(c, school, GroupRef::Group(g), pupil, start, None).await?;
        for (code, tenths) in lines {
            add_curriculum(c, school, None, Some(GroupRef::Group(g)), *code, *tenths).await?;
            if let Some(teacher) = school.teacher_of(ci, *code) {
                add_assignment(c, school, teacher, *code, GroupRef::Group(g), *tenths).await?;
            }
        }
    }
    Ok(())
}
