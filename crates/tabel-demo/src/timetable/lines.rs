//! What to place: rooms for classes and teachers, and the weekly lines of every class, subgroup,
//! stream and individual curriculum as blocks of lessons.

use crate::curriculum::SubjectCode;
use crate::model::*;
use tabel_domain::school::GroupKind;

/// Rounds weekly hours (tenths) half up: 3.5 h a week gives 4 lessons.
pub(super) fn lessons_a_week(tenths: u16) -> u8 {
    u8::try_from(tenths.saturating_add(5) / 10).unwrap_or(u8::MAX)
}

/// The rooms: a home room for every primary class, one for every subject teacher.
#[derive(Debug, Default)]
pub(super) struct Rooms {
    names: Vec<String>,
    pub(super) home: Vec<Option<usize>>,
    pub(super) teacher: Vec<Option<usize>>,
}

impl Rooms {
    pub(super) fn name(&self, room: usize) -> &str {
        self.names.get(room).map_or("", String::as_str)
    }

    pub(super) fn names_of(&self, rooms: &[Option<usize>]) -> Vec<Option<String>> {
        rooms
            .iter()
            .map(|r| r.map(|r| self.name(r).to_owned()))
            .collect()
    }
}

pub(super) fn rooms(school: &DemoSchool) -> Rooms {
    use crate::teaching::Specialty;
    let mut r = Rooms {
        names: Vec::new(),
        home: vec![None; school.classes.len()],
        teacher: vec![None; school.staff.len()],
    };
    // Numbered rooms, fifteen a floor: primary classes on the first floor, then the subject
    // rooms; the gyms and workshops have names.
    let mut numbered = 0usize;
    let mut next_numbered = |names: &mut Vec<String>| {
        let name = format!("{}{:02}", 1 + numbered / 15, 1 + numbered % 15);
        numbered += 1;
        names.push(name);
        names.len() - 1
    };
    for (ci, class) in school.classes.iter().enumerate() {
        if class.grade <= 4 {
            let room = next_numbered(&mut r.names);
            if let Some(slot) = r.home.get_mut(ci) {
                *slot = Some(room);
            }
        }
    }
    let (mut gyms, mut workshops) = (0, 0);
    for (t, staff) in school.staff.iter().enumerate() {
        let StaffKind::Teacher(specialty) = staff.kind else {
            continue;
        };
        let room = match specialty {
            // A primary teacher teaches in the home room of their class.
            Specialty::Primary => school.assignments.iter().find_map(|a| match a.group {
                GroupRef::Class(ci) if a.teacher == t => r.home.get(ci).copied().flatten(),
                _ => None,
            }),
            Specialty::PhysicalEducation => {
                gyms += 1;
                r.names.push(if gyms == 1 {
                    "Спортзал".to_owned()
                } else {
                    format!("Спортзал {gyms}")
                });
                Some(r.names.len() - 1)
            }
            Specialty::Labour => {
                workshops += 1;
                r.names.push(format!("Мастерская {workshops}"));
                Some(r.names.len() - 1)
            }
            _ => Some(next_numbered(&mut r.names)),
        };
        if let Some(slot) = r.teacher.get_mut(t) {
            *slot = room;
        }
    }
    r
}

/// One group's part of a block: the group, its teacher and room.
#[derive(Debug, Clone, Copy)]
pub(super) struct Part {
    pub(super) group: GroupRef,
    pub(super) teacher: usize,
    pub(super) room: usize,
}

/// A weekly lesson to place: a slot that one group — or both subgroups of a class at once —
/// takes, `per_week` times.
#[derive(Debug, Clone)]
pub(super) struct Block {
    pub(super) kind: GroupKind,
    pub(super) subject: SubjectCode,
    pub(super) parts: Vec<Part>,
    /// The classes the slot takes (one; all of a stream's).
    pub(super) classes: Vec<usize>,
    /// School days a week of the grade.
    pub(super) days: u8,
    pub(super) per_week: u8,
    /// At most this many a day.
    pub(super) cap: u8,
}

/// What to place.
#[derive(Debug)]
pub(super) struct Problem {
    pub(super) blocks: Vec<Block>,
    /// The class and split blocks of each class.
    pub(super) class_blocks: Vec<Vec<usize>>,
    pub(super) class_days: Vec<u8>,
    pub(super) class_grade: Vec<u8>,
    /// Class-occupying lessons a week: own, subgroups' and streams'.
    pub(super) class_total: Vec<u8>,
    pub(super) teachers: usize,
    /// School days a week of each teacher (six if they teach a six-day grade).
    pub(super) teacher_days: Vec<u8>,
    pub(super) rooms: usize,
    /// Lines without a teacher (or a teacher without a room).
    pub(super) unassigned: Vec<DemoSkipped>,
}

fn week_days(school: &DemoSchool, grade: u8) -> u8 {
    school
        .parallels
        .iter()
        .find(|p| p.grade == grade)
        .map_or(5, |p| p.week.days())
        .min(6)
}

fn teacher_of(school: &DemoSchool, group: GroupRef, subject: SubjectCode) -> Option<usize> {
    school
        .assignments
        .iter()
        .find(|a| a.group == group && a.subject == subject)
        .map(|a| a.teacher)
}

pub(super) fn problem(school: &DemoSchool, rooms: &Rooms) -> Problem {
    let mut blocks: Vec<Block> = Vec::new();
    let mut unassigned = Vec::new();
    let part = |group: GroupRef, subject: SubjectCode| {
        teacher_of(school, group, subject).and_then(|teacher| {
            rooms
                .teacher
                .get(teacher)
                .copied()
                .flatten()
                .map(|room| Part {
                    group,
                    teacher,
                    room,
                })
        })
    };
    let mut push = |kind: GroupKind,
                    subject: SubjectCode,
                    parts: Vec<Part>,
                    classes: Vec<usize>,
                    days: u8,
                    per_week: u8| {
        if parts.is_empty() || days == 0 {
            return;
        }
        blocks.push(Block {
            kind,
            subject,
            parts,
            classes,
            days,
            per_week,
            cap: per_week.div_ceil(days).max(1),
        });
    };
    for (ci, class) in school.classes.iter().enumerate() {
        let days = week_days(school, class.grade);
        for line in school
            .curriculum
            .iter()
            .filter(|l| l.grade == Some(class.grade))
        {
            let per_week = lessons_a_week(line.weekly.tenths());
            if per_week == 0 {
                continue;
            }
            let subgroups: &[usize] = match line.subject {
                SubjectCode::English => &class.english,
                SubjectCode::Informatics => &class.informatics,
                _ => &[],
            };
            let targets: Vec<GroupRef> = if subgroups.is_empty() {
                vec![GroupRef::Class(ci)]
            } else {
                subgroups.iter().map(|g| GroupRef::Group(*g)).collect()
            };
            let mut parts = Vec::new();
            for group in targets {
                match part(group, line.subject) {
                    Some(p) => parts.push(p),
                    None => unassigned.push(DemoSkipped {
                        group,
                        subject: line.subject,
                        lessons: per_week,
                    }),
                }
            }
            let kind = if subgroups.is_empty() {
                GroupKind::Class
            } else {
                GroupKind::Subgroup
            };
            let mut teachers: Vec<usize> = parts.iter().map(|p| p.teacher).collect();
            teachers.sort_unstable();
            teachers.dedup();
            if teachers.len() == parts.len() {
                push(kind, line.subject, parts, vec![ci], days, per_week);
            } else {
                // One teacher for both halves: they take turns, each with the class's slot.
                for p in parts {
                    push(kind, line.subject, vec![p], vec![ci], days, per_week);
                }
            }
        }
    }
    for (gi, group) in school.groups.iter().enumerate() {
        let classes: Vec<usize> = match group.kind {
            GroupKind::Stream => group.classes.clone(),
            GroupKind::Individual => group.class.into_iter().collect(),
            _ => continue,
        };
        let days = week_days(school, group.grade);
        for line in school
            .curriculum
            .iter()
            .filter(|l| l.group == Some(GroupRef::Group(gi)))
        {
            let per_week = lessons_a_week(line.weekly.tenths());
            if per_week == 0 {
                continue;
            }
            let g = GroupRef::Group(gi);
            match part(g, line.subject) {
                Some(p) => push(
                    group.kind,
                    line.subject,
                    vec![p],
                    classes.clone(),
                    days,
                    per_week,
                ),
                None => unassigned.push(DemoSkipped {
                    group: g,
                    subject: line.subject,
                    lessons: per_week,
                }),
            }
        }
    }
    let n = school.classes.len();
    let mut class_blocks = vec![Vec::new(); n];
    let mut class_total = vec![0u8; n];
    for (bi, b) in blocks.iter().enumerate() {
        match b.kind {
            GroupKind::Class | GroupKind::Subgroup => {
                for c in &b.classes {
                    if let Some(list) = class_blocks.get_mut(*c) {
                        list.push(bi);
                    }
                }
            }
            _ => {}
        }
        if b.kind != GroupKind::Individual {
            for c in &b.classes {
                if let Some(t) = class_total.get_mut(*c) {
                    *t = t.saturating_add(b.per_week);
                }
            }
        }
    }
    let teacher_days = (0..school.staff.len())
        .map(|t| {
            blocks
                .iter()
                .filter(|b| b.parts.iter().any(|p| p.teacher == t))
                .map(|b| b.days)
                .max()
                .unwrap_or(5)
        })
        .collect();
    Problem {
        blocks,
        class_blocks,
        class_days: school
            .classes
            .iter()
            .map(|c| week_days(school, c.grade))
            .collect(),
        class_grade: school.classes.iter().map(|c| c.grade).collect(),
        class_total,
        teachers: school.staff.len(),
        teacher_days,
        rooms: rooms.names.len(),
        unassigned,
    }
}
