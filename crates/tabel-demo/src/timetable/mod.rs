//! The timetable: the bell schedule (regular and shortened), weekly lines for every class,
//! subgroup, stream and individual curriculum placed without conflicts, the year's dated lessons
//! made from them by the application's own generator, and three weeks of changes around
//! "today" — substitutions, cancellations and transfers, each audited and announced as the
//! application records them.
//!
//! Placement is a greedy slot-by-slot fill with repairs: streams first (they take every class
//! of their parallel at once), then, lesson by lesson, each class takes the most pressing of its
//! weekly lessons whose teachers and rooms are free, the most constrained class first; a class
//! that finds nothing may take a lesson from a class placed in the same slot if that class has
//! another choice. What is left after the week is placed where it fits, or swapped in for a
//! lesson that can move; lessons of an individual curriculum go after the class's day. The
//! whole placement is tried a few times and the best try is kept.

use crate::curriculum::SubjectCode;
use crate::model::*;
use crate::rng::SplitMix64;
use crate::{Ctx, DemoError};
use std::collections::{BTreeMap, HashMap};
use tabel_app::AppError;
use tabel_domain::school::GroupKind;
use tabel_domain::timetable::{BellSchedule, BellSlot, CancelCause, Minutes};
use tabel_domain::{GroupId, PersonId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::school as repo;
use tabel_store::timetable::{self as tt, Lesson, LessonChange, NewEntry, status};
use tabel_store::{Conn, outbox};
use time::{Date, Duration, Weekday};

/// Lessons in the bell schedule.
const NUMBERS: u8 = 8;
/// Placement tries; the best is kept.
const ATTEMPTS: usize = 12;
/// The busiest an individual-curriculum pupil's extra lessons make a day.
const INDIVIDUAL_PER_DAY: u8 = 3;
/// How much a teacher's even spread over the week counts against a class's (percent).
const TEACHER_WEIGHT: i64 = 60;
/// At most this many substitutions are recorded.
const MAX_SUBSTITUTIONS: usize = 18;
/// At least this many substitutions are sought.
const MIN_SUBSTITUTIONS: usize = 10;

/// Lessons a day may hold in a grade: 4 in grade 1, 5 in 2–4, 7 from grade 5 (СанПиН allows
/// one more in some grades; the demo stays below).
const fn day_limit(grade: u8) -> u8 {
    match grade {
        0 | 1 => 4,
        2..=4 => 5,
        _ => 7,
    }
}

/// Rounds weekly hours (tenths) half up: 3.5 h a week gives 4 lessons.
fn lessons_a_week(tenths: u16) -> u8 {
    u8::try_from(tenths.saturating_add(5) / 10).unwrap_or(u8::MAX)
}

/// A bell schedule of `length`-minute lessons from 08:30 with the given breaks after lessons
/// 1–7.
fn bell_slots(length: Minutes, breaks: [Minutes; 7]) -> Vec<BellSlot> {
    let mut out = Vec::new();
    let mut starts: Minutes = 8 * 60 + 30;
    for number in 1..=NUMBERS {
        let ends = starts + length;
        out.push(BellSlot {
            number,
            starts,
            ends,
        });
        starts = ends + breaks.get(usize::from(number - 1)).copied().unwrap_or(10);
    }
    out
}

/// The regular day: 45-minute lessons from 08:30, 20-minute breaks after lessons 2 and 3.
pub fn regular_bells() -> Vec<BellSlot> {
    bell_slots(45, [10, 20, 20, 10, 10, 10, 10])
}

/// The shortened day: 30-minute lessons, 15-minute breaks after lessons 2 and 3.
pub fn short_bells() -> Vec<BellSlot> {
    bell_slots(30, [10, 15, 15, 10, 10, 10, 10])
}

fn weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The shortened days: the last school day before the winter holidays and the year's last day.
fn short_days(school: &DemoSchool) -> Vec<Date> {
    let mut before_winter = school.calendar.half_years[0].1;
    while weekend(before_winter) {
        before_winter -= Duration::days(1);
    }
    let mut days = vec![before_winter, school.year.ends_on];
    days.dedup();
    days
}

fn invalid(e: impl std::fmt::Display) -> DemoError {
    DemoError::Invalid(e.to_string())
}

fn app_error(e: AppError) -> DemoError {
    match e {
        AppError::Store(e) => DemoError::Store(e),
        other => DemoError::Invalid(other.to_string()),
    }
}

/// The rooms: a home room for every primary class, one for every subject teacher.
#[derive(Debug, Default)]
struct Rooms {
    names: Vec<String>,
    home: Vec<Option<usize>>,
    teacher: Vec<Option<usize>>,
}

impl Rooms {
    fn name(&self, room: usize) -> &str {
        self.names.get(room).map_or("", String::as_str)
    }

    fn names_of(&self, rooms: &[Option<usize>]) -> Vec<Option<String>> {
        rooms
            .iter()
            .map(|r| r.map(|r| self.name(r).to_owned()))
            .collect()
    }
}

fn rooms(school: &DemoSchool) -> Rooms {
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
struct Part {
    group: GroupRef,
    teacher: usize,
    room: usize,
}

/// A weekly lesson to place: a slot that one group — or both subgroups of a class at once —
/// takes, `per_week` times.
#[derive(Debug, Clone)]
struct Block {
    kind: GroupKind,
    subject: SubjectCode,
    parts: Vec<Part>,
    /// The classes the slot takes (one; all of a stream's).
    classes: Vec<usize>,
    /// School days a week of the grade.
    days: u8,
    per_week: u8,
    /// At most this many a day.
    cap: u8,
}

/// What to place.
#[derive(Debug)]
struct Problem {
    blocks: Vec<Block>,
    /// The class and split blocks of each class.
    class_blocks: Vec<Vec<usize>>,
    class_days: Vec<u8>,
    class_grade: Vec<u8>,
    /// Class-occupying lessons a week: own, subgroups' and streams'.
    class_total: Vec<u8>,
    teachers: usize,
    /// School days a week of each teacher (six if they teach a six-day grade).
    teacher_days: Vec<u8>,
    rooms: usize,
    /// Lines without a teacher (or a teacher without a room).
    unassigned: Vec<DemoSkipped>,
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

fn problem(school: &DemoSchool, rooms: &Rooms) -> Problem {
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

/// A weekday (1–6) and a lesson number (1–8).
type Slot = (u8, u8);
/// How good a slot is for a leftover lesson, smaller first: new free lessons in the classes'
/// days, the day's length, lessons of the subject that day.
type SpotKey = (u32, u8, u8);
/// How good a slot is for an individual lesson, smaller first: distance from the end of the
/// class's day, the pupil's individual lessons that day, lessons of the subject that day.
type IndividualKey = (u8, u8, u8);

/// The bit of a (weekday 1–6, number 1–8) slot in a week's mask.
fn bit(day: u8, number: u8) -> u64 {
    1u64 << (u32::from(day.saturating_sub(1)) * 8 + u32::from(number.saturating_sub(1)))
}

/// The slots of one day as 8 bits (bit 0 = lesson 1).
fn day_bits(mask: u64, day: u8) -> u64 {
    (mask >> (u32::from(day.saturating_sub(1)) * 8)) & 0xFF
}

/// The last lesson number held on a day (0 for none).
fn last_number(mask: u64, day: u8) -> u8 {
    let bits = day_bits(mask, day);
    u8::try_from(64 - bits.leading_zeros()).unwrap_or(0)
}

/// Free lessons before the last lesson of a day.
fn holes(mask: u64, day: u8) -> u32 {
    u32::from(last_number(mask, day)) - day_bits(mask, day).count_ones()
}

/// Who is busy when, and what is left to place.
#[derive(Debug, Clone)]
struct State {
    class_busy: Vec<u64>,
    teacher_busy: Vec<u64>,
    room_busy: Vec<u64>,
    left: Vec<u8>,
    /// Block → weekday (1–6) → lessons placed.
    per_day: Vec<[u8; 7]>,
    /// Class → weekday → class lessons (not counting individual curricula).
    class_day: Vec<[u8; 7]>,
    /// Block → its slots.
    at: Vec<Vec<(u8, u8)>>,
    /// Teacher → lessons left to place (not counting individual curricula).
    teacher_left: Vec<u32>,
    /// Teacher → weekday → lessons placed.
    teacher_day: Vec<[u8; 7]>,
}

impl State {
    fn new(p: &Problem) -> State {
        State {
            class_busy: vec![0; p.class_days.len()],
            teacher_busy: vec![0; p.teachers],
            room_busy: vec![0; p.rooms],
            left: p.blocks.iter().map(|b| b.per_week).collect(),
            per_day: vec![[0; 7]; p.blocks.len()],
            class_day: vec![[0; 7]; p.class_days.len()],
            at: vec![Vec::new(); p.blocks.len()],
            teacher_left: (0..p.teachers)
                .map(|t| {
                    p.blocks
                        .iter()
                        .filter(|b| b.kind != GroupKind::Individual)
                        .flat_map(|b| b.parts.iter().map(move |x| (x.teacher, b.per_week)))
                        .filter(|(x, _)| *x == t)
                        .map(|(_, n)| u32::from(n))
                        .sum()
                })
                .collect(),
            teacher_day: vec![[0; 7]; p.teachers],
        }
    }

    fn count_teachers(&mut self, b: &Block, day: u8, placed: bool) {
        for part in &b.parts {
            if b.kind != GroupKind::Individual
                && let Some(x) = self.teacher_left.get_mut(part.teacher)
            {
                *x = if placed {
                    x.saturating_sub(1)
                } else {
                    x.saturating_add(1)
                };
            }
            if let Some(x) = self
                .teacher_day
                .get_mut(part.teacher)
                .and_then(|x| x.get_mut(usize::from(day)))
            {
                *x = if placed {
                    x.saturating_add(1)
                } else {
                    x.saturating_sub(1)
                };
            }
        }
    }

    fn free(&self, b: &Block, m: u64) -> bool {
        b.classes
            .iter()
            .all(|c| self.class_busy.get(*c).is_some_and(|x| x & m == 0))
            && b.parts.iter().all(|p| {
                self.teacher_busy.get(p.teacher).is_some_and(|x| x & m == 0)
                    && self.room_busy.get(p.room).is_some_and(|x| x & m == 0)
            })
    }

    fn toggle(&mut self, b: &Block, m: u64) {
        for c in &b.classes {
            if let Some(x) = self.class_busy.get_mut(*c) {
                *x ^= m;
            }
        }
        for p in &b.parts {
            if let Some(x) = self.teacher_busy.get_mut(p.teacher) {
                *x ^= m;
            }
            if let Some(x) = self.room_busy.get_mut(p.room) {
                *x ^= m;
            }
        }
    }

    fn place(&mut self, p: &Problem, bi: usize, day: u8, number: u8) {
        let Some(b) = p.blocks.get(bi) else {
            return;
        };
        self.toggle(b, bit(day, number));
        let d = usize::from(day);
        if let Some(l) = self.left.get_mut(bi) {
            *l = l.saturating_sub(1);
        }
        if let Some(x) = self.per_day.get_mut(bi).and_then(|x| x.get_mut(d)) {
            *x += 1;
        }
        if b.kind != GroupKind::Individual {
            for c in &b.classes {
                if let Some(x) = self.class_day.get_mut(*c).and_then(|x| x.get_mut(d)) {
                    *x += 1;
                }
            }
        }
        if let Some(at) = self.at.get_mut(bi) {
            at.push((day, number));
        }
        self.count_teachers(b, day, true);
    }

    fn unplace(&mut self, p: &Problem, bi: usize, day: u8, number: u8) {
        let Some(b) = p.blocks.get(bi) else {
            return;
        };
        let Some(at) = self.at.get_mut(bi) else {
            return;
        };
        let Some(k) = at.iter().position(|s| *s == (day, number)) else {
            return;
        };
        at.swap_remove(k);
        self.toggle(b, bit(day, number));
        self.count_teachers(b, day, false);
        let d = usize::from(day);
        if let Some(l) = self.left.get_mut(bi) {
            *l += 1;
        }
        if let Some(x) = self.per_day.get_mut(bi).and_then(|x| x.get_mut(d)) {
            *x = x.saturating_sub(1);
        }
        if b.kind != GroupKind::Individual {
            for c in &b.classes {
                if let Some(x) = self.class_day.get_mut(*c).and_then(|x| x.get_mut(d)) {
                    *x = x.saturating_sub(1);
                }
            }
        }
    }

    fn left(&self, bi: usize) -> u8 {
        self.left.get(bi).copied().unwrap_or(0)
    }

    fn on_day(&self, bi: usize, day: u8) -> u8 {
        self.per_day
            .get(bi)
            .and_then(|x| x.get(usize::from(day)))
            .copied()
            .unwrap_or(0)
    }

    fn class_on_day(&self, c: usize, day: u8) -> u8 {
        self.class_day
            .get(c)
            .and_then(|x| x.get(usize::from(day)))
            .copied()
            .unwrap_or(0)
    }

    fn class_mask(&self, c: usize) -> u64 {
        self.class_busy.get(c).copied().unwrap_or(0)
    }

    /// Class-level free lessons inside the days (before individual lessons are added).
    fn gaps(&self, p: &Problem) -> u32 {
        (0..p.class_days.len())
            .map(|c| {
                (1..=p.class_days.get(c).copied().unwrap_or(0))
                    .map(|d| holes(self.class_mask(c), d))
                    .sum::<u32>()
            })
            .sum()
    }

    fn unplaced(&self) -> u32 {
        self.left.iter().map(|l| u32::from(*l)).sum()
    }
}

/// Lessons a day for a class: the week's total spread evenly, the longer days on random
/// weekdays (never Saturday in a six-day week), capped by the grade's limit.
fn day_targets(total: u8, days: u8, limit: u8, rng: &mut SplitMix64) -> [u8; 7] {
    let mut t = [0u8; 7];
    if days == 0 {
        return t;
    }
    let base = total / days;
    let extra = usize::from(total % days);
    let mut order: Vec<u8> = (1..=days.min(5)).collect();
    rng.shuffle(&mut order);
    if days == 6 {
        order.push(6);
    }
    for d in 1..=days {
        if let Some(x) = t.get_mut(usize::from(d)) {
            *x = base.min(limit);
        }
    }
    for d in order.into_iter().take(extra) {
        if let Some(x) = t.get_mut(usize::from(d)) {
            *x = (base + 1).min(limit);
        }
    }
    t
}

/// The most pressing block a class can take in a slot: the one with the most lessons left per
/// remaining school day, whose teachers are behind their even share of the day (`start` holds
/// each teacher's lessons left when the day began), a little randomised.
fn best(
    p: &Problem,
    st: &State,
    c: usize,
    day: u8,
    m: u64,
    start: &[u32],
    rng: &mut SplitMix64,
) -> Option<usize> {
    let days = p.class_days.get(c).copied().unwrap_or(5);
    let remaining = i64::from(days.saturating_sub(day) + 1);
    let blocks = p.class_blocks.get(c)?;
    let mut best: Option<(i64, usize)> = None;
    for &bi in blocks {
        let Some(b) = p.blocks.get(bi) else {
            continue;
        };
        let left = st.left(bi);
        if left == 0 || st.on_day(bi, day) >= b.cap || !st.free(b, m) {
            continue;
        }
        let behind: i64 = b
            .parts
            .iter()
            .map(|x| {
                let t = x.teacher;
                let days = p.teacher_days.get(t).copied().unwrap_or(5);
                let rest = i64::from(days.saturating_sub(day) + 1);
                let share = i64::from(start.get(t).copied().unwrap_or(0)) * 1000 / rest;
                let today = st
                    .teacher_day
                    .get(t)
                    .and_then(|x| x.get(usize::from(day)))
                    .copied()
                    .unwrap_or(0);
                share - i64::from(today) * 1000
            })
            .sum::<i64>()
            / i64::try_from(b.parts.len()).unwrap_or(1).max(1);
        let jitter = i64::try_from(rng.below(300)).unwrap_or(0);
        let score = i64::from(left) * 1000 / remaining + behind * TEACHER_WEIGHT / 100 + jitter;
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, bi));
        }
    }
    best.map(|(_, bi)| bi)
}

/// A class found nothing: take the slot of another class placed in this slot whose block
/// blocks ours, if that class can take something else.
#[allow(clippy::too_many_arguments)]
fn augment(
    p: &Problem,
    st: &mut State,
    c: usize,
    day: u8,
    number: u8,
    here: &mut Vec<(usize, usize)>,
    start: &[u32],
    rng: &mut SplitMix64,
) -> bool {
    let m = bit(day, number);
    let Some(blocks) = p.class_blocks.get(c) else {
        return false;
    };
    for &bi in blocks {
        let Some(b) = p.blocks.get(bi) else {
            continue;
        };
        if st.left(bi) == 0 || st.on_day(bi, day) >= b.cap {
            continue;
        }
        for k in 0..here.len() {
            let Some(&(c2, b2)) = here.get(k) else {
                continue;
            };
            st.unplace(p, b2, day, number);
            if st.free(b, m) {
                st.place(p, bi, day, number);
                if let Some(b3) = best(p, st, c2, day, m, start, rng) {
                    st.place(p, b3, day, number);
                    if let Some(h) = here.get_mut(k) {
                        *h = (c2, b3);
                    }
                    here.push((c, bi));
                    return true;
                }
                st.unplace(p, bi, day, number);
            }
            st.place(p, b2, day, number);
        }
    }
    false
}

/// The best free slot for a leftover block: no new free lesson in the classes' days first,
/// then the shortest day; `None` when nothing fits the day limits.
fn find_spot(p: &Problem, st: &State, bi: usize) -> Option<(u8, u8)> {
    let b = p.blocks.get(bi)?;
    let mut best: Option<(SpotKey, Slot)> = None;
    for day in 1..=b.days {
        if st.on_day(bi, day) > b.cap {
            continue;
        }
        let full = b.classes.iter().any(|c| {
            let limit = day_limit(p.class_grade.get(*c).copied().unwrap_or(5));
            st.class_on_day(*c, day) >= limit
        });
        if full {
            continue;
        }
        for number in 1..=NUMBERS {
            let m = bit(day, number);
            if !st.free(b, m) {
                continue;
            }
            let new_holes: u32 = b
                .classes
                .iter()
                .map(|c| {
                    let before = st.class_mask(*c);
                    holes(before | m, day).saturating_sub(holes(before, day))
                        + u32::from(number > last_number(before, day) + 1)
                })
                .sum();
            let length = b
                .classes
                .iter()
                .map(|c| st.class_on_day(*c, day))
                .max()
                .unwrap_or(0);
            let key = (new_holes, length, st.on_day(bi, day));
            if best.is_none_or(|(k, _)| key < k) {
                best = Some((key, (day, number)));
            }
        }
    }
    best.map(|(_, s)| s)
}

/// Makes room for a leftover block of one class: moves one of the class's lessons to a free
/// slot and takes its place.
fn swap_in(p: &Problem, st: &mut State, bi: usize) -> bool {
    let Some(b) = p.blocks.get(bi) else {
        return false;
    };
    let [c] = b.classes[..] else {
        return false;
    };
    let Some(others) = p.class_blocks.get(c) else {
        return false;
    };
    for &b2 in others {
        if b2 == bi {
            continue;
        }
        let slots = st.at.get(b2).cloned().unwrap_or_default();
        for (day, number) in slots {
            if st.on_day(bi, day) > b.cap {
                continue;
            }
            st.unplace(p, b2, day, number);
            if st.free(b, bit(day, number)) {
                st.place(p, bi, day, number);
                if let Some((d3, n3)) = find_spot(p, st, b2) {
                    st.place(p, b2, d3, n3);
                    return true;
                }
                st.unplace(p, bi, day, number);
            }
            st.place(p, b2, day, number);
        }
    }
    false
}

/// One more lesson of an individual curriculum: one of a subject a day, right after the
/// class's lessons where possible. False when it finds no place.
fn place_individual(p: &Problem, st: &mut State, bi: usize) -> bool {
    let Some(b) = p.blocks.get(bi) else {
        return false;
    };
    let group = b.parts.first().map(|x| x.group);
    {
        let mut best: Option<(IndividualKey, Slot)> = None;
        for day in 1..=b.days {
            if st.on_day(bi, day) >= b.cap {
                continue;
            }
            let of_group: u8 = p
                .blocks
                .iter()
                .enumerate()
                .filter(|(_, x)| x.parts.first().map(|x| x.group) == group)
                .map(|(k, _)| st.on_day(k, day))
                .sum();
            if of_group >= INDIVIDUAL_PER_DAY {
                continue;
            }
            for number in 1..=NUMBERS {
                let m = bit(day, number);
                if !st.free(b, m) {
                    continue;
                }
                let after = b
                    .classes
                    .iter()
                    .map(|c| last_number(st.class_mask(*c), day))
                    .max()
                    .unwrap_or(0);
                let distance = number.abs_diff(after + 1);
                let key = (distance, of_group, st.on_day(bi, day));
                if best.is_none_or(|(k, _)| key < k) {
                    best = Some((key, (day, number)));
                }
            }
        }
        match best {
            Some((_, (day, number))) => {
                st.place(p, bi, day, number);
                true
            }
            None => false,
        }
    }
}

/// One try at the whole week.
fn attempt(p: &Problem, rng: &mut SplitMix64) -> State {
    let mut st = State::new(p);
    let targets: Vec<[u8; 7]> = (0..p.class_days.len())
        .map(|c| {
            day_targets(
                p.class_total.get(c).copied().unwrap_or(0),
                p.class_days.get(c).copied().unwrap_or(5),
                day_limit(p.class_grade.get(c).copied().unwrap_or(5)),
                rng,
            )
        })
        .collect();
    let target = |c: usize, day: u8| {
        targets
            .get(c)
            .and_then(|t| t.get(usize::from(day)))
            .copied()
            .unwrap_or(0)
    };

    // Streams first, in the middle of the day, on different days.
    for (bi, b) in p.blocks.iter().enumerate() {
        if b.kind != GroupKind::Stream {
            continue;
        }
        let mut days: Vec<u8> = (1..=b.days).collect();
        rng.shuffle(&mut days);
        for day in days {
            if st.left(bi) == 0 {
                break;
            }
            let shortest = b.classes.iter().map(|c| target(*c, day)).min().unwrap_or(0);
            let mut numbers: Vec<u8> = (2..=shortest.min(5)).collect();
            rng.shuffle(&mut numbers);
            if let Some(n) = numbers.into_iter().find(|n| st.free(b, bit(day, *n))) {
                st.place(p, bi, day, n);
            }
        }
    }

    // Slot by slot, the most constrained class first.
    let classes = p.class_days.len();
    for day in 1..=6u8 {
        let start = st.teacher_left.clone();
        for number in 1..=NUMBERS {
            let m = bit(day, number);
            let mut want: Vec<usize> = (0..classes)
                .filter(|c| {
                    p.class_days.get(*c).copied().unwrap_or(0) >= day
                        && st.class_mask(*c) & m == 0
                        && st.class_on_day(*c, day) < target(*c, day)
                })
                .collect();
            rng.shuffle(&mut want);
            want.sort_by_cached_key(|c| {
                p.class_blocks.get(*c).map_or(0, |bs| {
                    bs.iter()
                        .filter(|bi| {
                            p.blocks.get(**bi).is_some_and(|b| {
                                st.left(**bi) > 0 && st.on_day(**bi, day) < b.cap && st.free(b, m)
                            })
                        })
                        .count()
                })
            });
            let mut here: Vec<(usize, usize)> = Vec::new();
            for c in want {
                match best(p, &st, c, day, m, &start, rng) {
                    Some(bi) => {
                        st.place(p, bi, day, number);
                        here.push((c, bi));
                    }
                    None => {
                        augment(p, &mut st, c, day, number, &mut here, &start, rng);
                    }
                }
            }
        }
    }

    // What is left: where it fits, else in place of a lesson that can move.
    for bi in 0..p.blocks.len() {
        if p.blocks
            .get(bi)
            .is_none_or(|b| b.kind == GroupKind::Individual)
        {
            continue;
        }
        while st.left(bi) > 0 {
            if let Some((day, number)) = find_spot(p, &st, bi) {
                st.place(p, bi, day, number);
            } else if !swap_in(p, &mut st, bi) {
                break;
            }
        }
    }
    st
}

/// The placed week, the best of a few tries.
#[derive(Debug)]
struct Plan {
    state: State,
    gaps: u32,
}

fn plan(p: &Problem, rng: &mut SplitMix64) -> Plan {
    let mut best: Option<(u32, Plan)> = None;
    for _ in 0..ATTEMPTS {
        let mut st = attempt(p, rng);
        let gaps = st.gaps(p);
        // Round by round, so that where the week is too full every subject still gets a
        // lesson before any gets its second.
        let individual: Vec<usize> = (0..p.blocks.len())
            .filter(|bi| {
                p.blocks
                    .get(*bi)
                    .is_some_and(|b| b.kind == GroupKind::Individual)
            })
            .collect();
        let mut open = individual;
        while !open.is_empty() {
            open.retain(|bi| st.left(*bi) > 0 && place_individual(p, &mut st, *bi));
        }
        let cost = st.unplaced() * 1000 + gaps;
        if best.as_ref().is_none_or(|(c, _)| cost < *c) {
            best = Some((cost, Plan { state: st, gaps }));
        }
        if cost == 0 {
            break;
        }
    }
    match best {
        Some((_, plan)) => plan,
        None => Plan {
            state: State::new(p),
            gaps: 0,
        },
    }
}

/// Writes the bell schedules, places and stores the weekly timetable, generates the year's
/// lessons and records changes around "today".
pub(crate) async fn timetable(
    c: &mut Conn<'_>,
    ctx: &Ctx<'_>,
    school: &mut DemoSchool,
    rng: &mut SplitMix64,
    changes_rng: &mut SplitMix64,
) -> Result<(), DemoError> {
    let started = std::time::Instant::now();
    let regular = BellSchedule::new(regular_bells()).map_err(invalid)?;
    let short = BellSchedule::new(short_bells()).map_err(invalid)?;
    tt::replace_bell_slots(
        c,
        school.id,
        school.year.id,
        1,
        tt::REGULAR,
        regular.slots(),
    )
    .await?;
    tt::replace_bell_slots(c, school.id, school.year.id, 1, tt::SHORT, short.slots()).await?;
    let short_days = short_days(school);
    for d in &short_days {
        tt::set_bell_day(c, school.id, school.year.id, *d, tt::SHORT).await?;
    }

    let rooms = rooms(school);
    let problem = problem(school, &rooms);
    let plan = plan(&problem, rng);

    let mut entries = Vec::new();
    for (bi, b) in problem.blocks.iter().enumerate() {
        let mut slots = plan.state.at.get(bi).cloned().unwrap_or_default();
        slots.sort_unstable();
        for (weekday, number) in slots {
            for part in &b.parts {
                let (Some(group), Some(subject), Some(teacher)) = (
                    school.group_id(part.group),
                    school.subject_id(b.subject),
                    school.staff.get(part.teacher).map(|s| s.person.id),
                ) else {
                    return Err(invalid("a timetable line refers to nothing"));
                };
                let room = rooms.name(part.room);
                let id = tt::insert_entry(
                    c,
                    &NewEntry {
                        school: school.id,
                        year: school.year.id,
                        group,
                        weekday,
                        number,
                        subject,
                        teacher,
                        room,
                        valid_from: school.year.starts_on,
                        valid_to: None,
                        now: ctx.now,
                    },
                )
                .await?;
                entries.push(DemoEntry {
                    id,
                    group: part.group,
                    subject: b.subject,
                    teacher: part.teacher,
                    weekday,
                    number,
                    room: room.to_owned(),
                });
            }
        }
    }
    let mut skipped = problem.unassigned.clone();
    for (bi, b) in problem.blocks.iter().enumerate() {
        let left = plan.state.left(bi);
        if left > 0 {
            for part in &b.parts {
                skipped.push(DemoSkipped {
                    group: part.group,
                    subject: b.subject,
                    lessons: left,
                });
            }
        }
    }

    let year = repo::AcademicYear {
        id: school.year.id,
        school: school.id,
        label: format!("{}/{}", school.year.start_year, school.year.start_year + 1),
        starts_on: school.year.starts_on,
        ends_on: school.year.ends_on,
    };
    let lessons = tabel_app::timetable::regenerate(c, school.id, &year, year.starts_on)
        .await
        .map_err(app_error)?;

    school.timetable = DemoTimetable {
        bells: regular.slots().to_vec(),
        short_bells: short.slots().to_vec(),
        short_days,
        home_rooms: rooms.names_of(&rooms.home),
        teacher_rooms: rooms.names_of(&rooms.teacher),
        entries,
        skipped,
        gaps: plan.gaps,
        lessons,
        changes: Vec::new(),
        elapsed: std::time::Duration::ZERO,
    };
    let changes = Changes::new(ctx, school).record(c, changes_rng).await?;
    school.timetable.changes = changes;
    school.timetable.elapsed = started.elapsed();
    tracing::debug!(
        school = %school.short_name,
        entries = school.timetable.entries.len(),
        lessons,
        skipped = school.timetable.skipped_lessons(),
        gaps = plan.gaps,
        changes = school.timetable.changes.len(),
        elapsed = ?school.timetable.elapsed,
        "demo timetable written"
    );
    Ok(())
}

/// What a group is, for "a class in two places".
#[derive(Debug, Clone)]
struct Relation {
    group: GroupRef,
    kind: GroupKind,
    classes: Vec<usize>,
}

/// A change to make.
#[derive(Debug, Clone, Copy)]
enum Planned {
    Substitute(PersonId),
    Cancel(CancelCause),
    Transfer(Date, u8),
}

/// The change-recording part of the phase: the school's groups, staff and subjects by id.
#[derive(Debug)]
struct Changes<'s> {
    ctx_now: time::OffsetDateTime,
    school: &'s DemoSchool,
    relations: HashMap<GroupId, Relation>,
    staff: HashMap<PersonId, usize>,
    /// The window: first day, "today" (or its stand-in), last day.
    from: Date,
    pivot: Date,
    to: Date,
    done: Vec<DemoLessonChange>,
}

impl<'s> Changes<'s> {
    fn new(ctx: &Ctx<'_>, school: &'s DemoSchool) -> Changes<'s> {
        let mut relations = HashMap::new();
        for (ci, class) in school.classes.iter().enumerate() {
            relations.insert(
                class.id,
                Relation {
                    group: GroupRef::Class(ci),
                    kind: GroupKind::Class,
                    classes: vec![ci],
                },
            );
        }
        for (gi, g) in school.groups.iter().enumerate() {
            let classes = match g.kind {
                GroupKind::Stream => g.classes.clone(),
                _ => g.class.into_iter().collect(),
            };
            relations.insert(
                g.id,
                Relation {
                    group: GroupRef::Group(gi),
                    kind: g.kind,
                    classes,
                },
            );
        }
        let staff = school
            .staff
            .iter()
            .enumerate()
            .map(|(i, s)| (s.person.id, i))
            .collect();
        let y = &school.year;
        let pivot = if y.starts_on <= ctx.today && ctx.today <= y.ends_on {
            ctx.today
        } else {
            y.starts_on + Duration::days(14)
        };
        Changes {
            ctx_now: ctx.now,
            school,
            relations,
            staff,
            from: (pivot - Duration::days(14)).max(y.starts_on),
            pivot,
            to: (pivot + Duration::days(7)).min(y.ends_on),
            done: Vec::new(),
        }
    }

    /// Whether two groups' lessons in one slot would put a class in two places: the same
    /// group, or groups of one class — except two subgroups, which split the class.
    fn clash(&self, a: GroupId, b: GroupId) -> bool {
        if a == b {
            return true;
        }
        match (self.relations.get(&a), self.relations.get(&b)) {
            (Some(x), Some(y)) => {
                x.classes.iter().any(|c| y.classes.contains(c))
                    && !(x.kind == GroupKind::Subgroup && y.kind == GroupKind::Subgroup)
            }
            _ => true,
        }
    }

    fn changed(&self, lesson: i64) -> bool {
        self.done.iter().any(|d| d.lesson == lesson)
    }

    fn substitutions(&self) -> usize {
        self.done
            .iter()
            .filter(|d| d.kind == ChangeKind::Substitution)
            .count()
    }

    fn subject_code(&self, l: &Lesson) -> Option<SubjectCode> {
        self.school
            .subjects
            .iter()
            .find(|s| s.id == l.subject)
            .map(|s| s.code)
    }

    fn grade_of(&self, group: GroupId) -> u8 {
        match self.relations.get(&group).map(|r| r.group) {
            Some(GroupRef::Class(c)) => self.school.classes.get(c).map_or(0, |c| c.grade),
            Some(GroupRef::Group(g)) => self.school.groups.get(g).map_or(0, |g| g.grade),
            None => 0,
        }
    }

    /// Teachers (staff indices) of a subject this year, then every other teacher.
    fn candidates(&self, subject: Option<SubjectCode>, rng: &mut SplitMix64) -> Vec<usize> {
        let mut qualified: Vec<usize> = self
            .school
            .assignments
            .iter()
            .filter(|a| Some(a.subject) == subject)
            .map(|a| a.teacher)
            .collect();
        qualified.sort_unstable();
        qualified.dedup();
        let mut others: Vec<usize> = (0..self.school.staff.len())
            .filter(|t| {
                !qualified.contains(t)
                    && self
                        .school
                        .staff
                        .get(*t)
                        .is_some_and(|s| matches!(s.kind, StaffKind::Teacher(_)))
            })
            .collect();
        rng.shuffle(&mut qualified);
        rng.shuffle(&mut others);
        qualified.extend(others);
        qualified
    }

    /// Applies a change if the lesson is still planned and nobody ends up in two places;
    /// audits and announces it. `None` when refused.
    async fn apply(
        &mut self,
        c: &mut Conn<'_>,
        lesson: i64,
        change: Planned,
        reason: &str,
    ) -> Result<Option<ChangeKind>, DemoError> {
        let Some(l) = tt::get_lesson(c, lesson).await? else {
            return Ok(None);
        };
        if l.status != status::PLANNED || self.changed(l.id) {
            return Ok(None);
        }
        let mut next = LessonChange {
            id: l.id,
            version: l.version,
            status: &l.status,
            teacher: l.teacher,
            original_teacher: l.original_teacher,
            on: l.on,
            number: l.number,
            room: &l.room,
            original_date: l.original_date,
            original_number: l.original_number,
            reason: Some(reason),
            cause: None,
        };
        let (kind, action) = match change {
            Planned::Substitute(teacher) => {
                if teacher == l.teacher {
                    return Ok(None);
                }
                next.teacher = teacher;
                next.original_teacher = Some(l.original_teacher.unwrap_or(l.teacher));
                next.status = status::SUBSTITUTED;
                (ChangeKind::Substitution, "lesson.substitute")
            }
            Planned::Cancel(cause) => {
                next.status = status::CANCELLED;
                next.cause = Some(cause.code());
                (ChangeKind::Cancellation, "lesson.cancel")
            }
            Planned::Transfer(on, number) => {
                if (on, number) == (l.on, l.number) {
                    return Ok(None);
                }
                next.original_date = Some(l.original_date.unwrap_or(l.on));
                next.original_number = Some(l.original_number.unwrap_or(l.number));
                next.on = on;
                next.number = number;
                next.status = status::TRANSFERRED;
                (ChangeKind::Transfer, "lesson.transfer")
            }
        };
        if next.status != status::CANCELLED {
            for other in tt::lessons_in_slot(c, l.year, next.on, next.number).await? {
                if other.id == l.id {
                    continue;
                }
                if other.teacher == next.teacher
                    || (!next.room.is_empty() && other.room == next.room)
                    || self.clash(l.group, other.group)
                {
                    return Ok(None);
                }
            }
        }
        let state = |status: &str, teacher: PersonId, on: Date, number: u8, room: &str| {
            serde_json::json!({
                "status": status,
                "teacher_id": teacher.to_string(),
                "date": on.to_string(),
                "number": number,
                "room": room,
            })
        };
        let before = state(&l.status, l.teacher, l.on, l.number, &l.room);
        let after = state(next.status, next.teacher, next.on, next.number, next.room);
        tt::update_lesson(c, &next).await?;
        audit::append(
            c,
            &AuditEntry {
                chain: self.school.id.get(),
                at: self.ctx_now,
                actor: None,
                action,
                entity: "lesson",
                entity_id: l.id.to_string(),
                before: Some(before),
                after: Some(after.clone()),
                reason: Some(reason),
                origin: Some("tabel demo"),
            },
        )
        .await?;
        let event = serde_json::json!({
            "lesson_id": l.id.to_string(),
            "group_id": l.group.to_string(),
            "change": action,
            "after": after,
            "reason": reason,
        });
        outbox::emit(
            c,
            Some(self.school.id),
            "lesson.changed",
            &event,
            self.ctx_now,
        )
        .await?;

        let (Some(rel), Some(subject), Some(teacher)) = (
            self.relations.get(&l.group),
            self.subject_code(&l),
            self.staff.get(&next.teacher).copied(),
        ) else {
            return Err(invalid("a changed lesson refers to nothing"));
        };
        let original_teacher = match kind {
            ChangeKind::Substitution => self.staff.get(&l.teacher).copied(),
            _ => None,
        };
        self.done.push(DemoLessonChange {
            lesson: l.id,
            kind,
            group: rel.group,
            subject,
            on: next.on,
            number: next.number,
            teacher,
            original_teacher,
            original: match kind {
                ChangeKind::Transfer => Some((l.on, l.number)),
                _ => None,
            },
            reason: reason.to_owned(),
        });
        Ok(Some(kind))
    }

    /// The held lessons of the window's school days, by date.
    async fn load(&self, c: &mut Conn<'_>) -> Result<BTreeMap<Date, Vec<Lesson>>, DemoError> {
        let mut days = BTreeMap::new();
        let mut d = self.from;
        while d <= self.to {
            let list: Vec<Lesson> = tt::lessons_of_day(c, self.school.year.id, d)
                .await?
                .into_iter()
                .filter(|l| l.status == status::PLANNED)
                .collect();
            if !list.is_empty() {
                days.insert(d, list);
            }
            d += Duration::days(1);
        }
        Ok(days)
    }

    /// A teacher away for some days: each of their lessons goes to a free teacher of the
    /// subject, else to any free teacher; the last lesson of a class's day, or one nobody can
    /// take, is cancelled.
    async fn teacher_away(
        &mut self,
        c: &mut Conn<'_>,
        days: &BTreeMap<Date, Vec<Lesson>>,
        dates: &[Date],
        teacher: PersonId,
        reason: &str,
        rng: &mut SplitMix64,
    ) -> Result<(), DemoError> {
        for date in dates {
            let Some(list) = days.get(date) else {
                continue;
            };
            for l in list.iter().filter(|l| l.teacher == teacher) {
                if self.substitutions() >= MAX_SUBSTITUTIONS {
                    return Ok(());
                }
                let last_of_class = list
                    .iter()
                    .filter(|o| self.clash(l.group, o.group))
                    .all(|o| o.number <= l.number);
                let cancelled = self
                    .done
                    .iter()
                    .filter(|d| d.kind == ChangeKind::Cancellation)
                    .count();
                if last_of_class && cancelled < 2 && l.number > 4 {
                    self.apply(
                        c,
                        l.id,
                        Planned::Cancel(CancelCause::TeacherAbsent),
                        &format!("{reason}, урок снят"),
                    )
                    .await?;
                    continue;
                }
                let busy: Vec<PersonId> = tt::lessons_in_slot(c, l.year, l.on, l.number)
                    .await?
                    .into_iter()
                    .map(|o| o.teacher)
                    .collect();
                let substitute = self
                    .candidates(self.subject_code(l), rng)
                    .into_iter()
                    .filter_map(|t| self.school.staff.get(t).map(|s| s.person.id))
                    .find(|t| *t != teacher && !busy.contains(t));
                let done = match substitute {
                    Some(t) => self.apply(c, l.id, Planned::Substitute(t), reason).await?,
                    None => None,
                };
                if done.is_none() {
                    self.apply(
                        c,
                        l.id,
                        Planned::Cancel(CancelCause::TeacherAbsent),
                        &format!("{reason}, замена не найдена"),
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// A teacher with many lessons on the given dates, not yet away.
    fn busy_teacher(
        &self,
        days: &BTreeMap<Date, Vec<Lesson>>,
        dates: &[Date],
        away: &[PersonId],
        rng: &mut SplitMix64,
    ) -> Option<PersonId> {
        let mut count: BTreeMap<PersonId, u32> = BTreeMap::new();
        for d in dates {
            for l in days.get(d).into_iter().flatten() {
                *count.entry(l.teacher).or_default() += 1;
            }
        }
        let subject_teachers: Vec<PersonId> = count
            .iter()
            .filter(|(t, n)| {
                **n >= 3 * u32::try_from(dates.len()).unwrap_or(1)
                    && !away.contains(t)
                    && self.staff.get(t).and_then(|i| self.school.staff.get(*i)).is_some_and(
                        |s| {
                            matches!(s.kind, StaffKind::Teacher(sp) if sp != crate::teaching::Specialty::Primary)
                        },
                    )
            })
            .map(|(t, _)| *t)
            .collect();
        (!subject_teachers.is_empty()).then(|| rng.pick_copy(&subject_teachers))
    }

    /// Records the changes of the window.
    async fn record(
        mut self,
        c: &mut Conn<'_>,
        rng: &mut SplitMix64,
    ) -> Result<Vec<DemoLessonChange>, DemoError> {
        let days = self.load(c).await?;
        let past: Vec<Date> = days.keys().copied().filter(|d| *d < self.pivot).collect();
        let future: Vec<Date> = days.keys().copied().filter(|d| *d > self.pivot).collect();
        let mut away: Vec<PersonId> = Vec::new();

        // One on a training course for a day next week.
        let course_days = if future.is_empty() { &past } else { &future };
        if !course_days.is_empty() {
            let date = rng.pick_copy(course_days);
            if let Some(teacher) = self.busy_teacher(&days, &[date], &away, rng) {
                away.push(teacher);
                self.teacher_away(
                    c,
                    &days,
                    &[date],
                    teacher,
                    "курсы повышения квалификации",
                    rng,
                )
                .await?;
            }
        }

        // A subject teacher ill for three school days last week or the week before (a second
        // one if that made too few substitutions).
        for _ in 0..4 {
            if self.substitutions() >= MIN_SUBSTITUTIONS || past.is_empty() {
                break;
            }
            let run = 3.min(past.len());
            let start = rng.index(past.len() - run + 1);
            let dates: Vec<Date> = past.iter().skip(start).take(run).copied().collect();
            let Some(teacher) = self.busy_teacher(&days, &dates, &away, rng) else {
                continue;
            };
            away.push(teacher);
            self.teacher_away(c, &days, &dates, teacher, "болезнь учителя", rng)
                .await?;
        }

        // A primary class in quarantine for a day: its lessons are cancelled.
        let primary: Vec<usize> = (0..self.school.classes.len())
            .filter(|ci| self.school.classes.get(*ci).is_some_and(|c| c.grade <= 4))
            .collect();
        if !primary.is_empty() && !past.is_empty() {
            let ci = rng.pick_copy(&primary);
            let date = rng.pick_copy(&past);
            let lessons: Vec<i64> = days
                .get(&date)
                .into_iter()
                .flatten()
                .filter(|l| {
                    self.relations
                        .get(&l.group)
                        .is_some_and(|r| r.classes == [ci] && r.kind != GroupKind::Stream)
                })
                .map(|l| l.id)
                .collect();
            for id in lessons {
                self.apply(
                    c,
                    id,
                    Planned::Cancel(CancelCause::ClassAbsent),
                    "карантин по ОРВИ",
                )
                .await?;
            }
        }

        // Two or three lessons moved to the end of another day of the window.
        let reasons = [
            "участие учителя в муниципальной олимпиаде",
            "экскурсия класса",
            "производственная необходимость",
        ];
        let wanted = 2 + usize::from(rng.percent(50));
        let mut pool: Vec<&Lesson> = days
            .values()
            .flatten()
            .filter(|l| {
                self.relations
                    .get(&l.group)
                    .is_some_and(|r| r.kind == GroupKind::Class)
                    && self.grade_of(l.group) >= 5
            })
            .collect();
        rng.shuffle(&mut pool);
        let dates: Vec<Date> = days.keys().copied().collect();
        let mut moved = 0;
        for l in pool.into_iter().take(60) {
            if moved >= wanted {
                break;
            }
            if self.changed(l.id) {
                continue;
            }
            let mut targets: Vec<Date> = dates.iter().copied().filter(|d| *d != l.on).collect();
            rng.shuffle(&mut targets);
            let limit = day_limit(self.grade_of(l.group));
            for date in targets.into_iter().take(6) {
                let held: Vec<Lesson> = tt::lessons_of_class(c, l.group, date, date)
                    .await?
                    .into_iter()
                    .filter(|o| o.status != status::CANCELLED)
                    .collect();
                if held.is_empty() {
                    continue;
                }
                let count = u8::try_from(
                    held.iter()
                        .map(|o| (o.on, o.number))
                        .collect::<std::collections::BTreeSet<_>>()
                        .len(),
                )
                .unwrap_or(u8::MAX);
                let number = held.iter().map(|o| o.number).max().unwrap_or(0) + 1;
                if number > NUMBERS || count >= limit {
                    continue;
                }
                let reason = reasons
                    .get(moved % reasons.len())
                    .copied()
                    .unwrap_or("перенос");
                if self
                    .apply(c, l.id, Planned::Transfer(date, number), reason)
                    .await?
                    .is_some()
                {
                    moved += 1;
                    break;
                }
            }
        }
        Ok(self.done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bell_schedules_are_valid_and_as_documented() {
        let regular = BellSchedule::new(regular_bells()).unwrap();
        let short = BellSchedule::new(short_bells()).unwrap();
        assert_eq!(regular.bounds(), (1, 8));
        let s = regular.slots();
        assert_eq!((s[0].starts, s[0].ends), (510, 555));
        assert_eq!(s[2].starts - s[1].ends, 20);
        assert_eq!(s[3].starts - s[2].ends, 20);
        assert_eq!(s[7].ends, 16 * 60);
        assert!(short.slots().iter().all(|x| x.ends - x.starts == 30));
    }

    #[test]
    fn hours_round_half_up_and_masks_count_free_lessons() {
        assert_eq!(lessons_a_week(35), 4);
        assert_eq!(lessons_a_week(5), 1);
        assert_eq!(lessons_a_week(20), 2);
        let m = bit(2, 1) | bit(2, 2) | bit(2, 4);
        assert_eq!(last_number(m, 2), 4);
        assert_eq!(holes(m, 2), 1);
        assert_eq!(holes(m, 1), 0);
        assert_eq!(last_number(bit(6, 8), 6), 8);
    }

    #[test]
    fn day_targets_spread_the_week() {
        let mut rng = SplitMix64::new(3);
        let t = day_targets(28, 6, 7, &mut rng);
        assert_eq!(t.iter().map(|x| u32::from(*x)).sum::<u32>(), 28);
        assert_eq!(t[6], 4, "Saturday is short");
        let t = day_targets(20, 5, 4, &mut rng);
        assert_eq!(&t[1..=5], &[4, 4, 4, 4, 4]);
    }
}
