//! The plan: everything the phase looks up once, and the journal drawn lesson by lesson.

use super::Written;
use super::attendance::{Day, DraftAbsence, EXCUSE_REASONS, LATE, UNEXCUSED};
use super::marks::{
    ACTIVITY, ANSWER, DOUBLE_RUSSIAN, DraftMark, HOMEWORK_CHECK, HOMEWORK_MARKED, INDEPENDENT,
    Kind, TEST, WRITES, Work, Works, adjustment, draw, kind,
};
use super::records::{HOMEWORK_ARTS, HOMEWORK_MAIN, homework, minutes_range, topic};
use crate::curriculum::SubjectCode;
use crate::model::{DemoMember, DemoSchool, GroupRef};
use crate::rng::SplitMix64;
use crate::{Ctx, DemoError};
use std::collections::{HashMap, HashSet};
use tabel_domain::journal::{Attendance, GradingPolicy, Mark, homework_limit_minutes};
use tabel_domain::school::{GroupKind, Role};
use tabel_domain::{GroupId, PersonId, SubjectId, UserId};
use tabel_store::journal::{LessonRecord, LessonSlot};
use time::{Date, Duration};

/// A held lesson with what the plan knows of it.
#[derive(Debug, Clone, Copy)]
struct Held<'l> {
    lesson: &'l LessonSlot,
    group: GroupRef,
    grade: u8,
    code: SubjectCode,
    /// The date of the next held lesson of the group and subject.
    next: Option<Date>,
}

/// Everything the phase looks up, built once.
#[derive(Debug)]
pub(super) struct Plan<'a, 'p> {
    pub(super) school: &'a DemoSchool,
    works: Works<'p>,
    /// Held lessons up to today, by date, number and id.
    held: Vec<Held<'a>>,
    /// (class, subject, date, number) of every assessment procedure.
    assessments: HashSet<(usize, SubjectId, Date, u8)>,
    /// The demo teachers' accounts, by person.
    users: HashMap<PersonId, UserId>,
    /// Pupils on an individual curriculum: they keep only their own group's journal.
    home: Vec<bool>,
    /// Each pupil's class memberships.
    pub(super) classes_of: Vec<Vec<(usize, DemoMember)>>,
    /// The days each class has lessons (up to today).
    pub(super) class_days: HashSet<(usize, Date)>,
    /// Lesson times (start, end) by number, minutes after midnight in UTC.
    times: HashMap<u8, (i64, i64)>,
}

impl<'a, 'p> Plan<'a, 'p> {
    pub(super) fn new(
        ctx: &Ctx<'_>,
        school: &'a DemoSchool,
        lessons: &'a [LessonSlot],
        policy: &'p GradingPolicy,
    ) -> Result<Plan<'a, 'p>, DemoError> {
        let mut refs: HashMap<GroupId, GroupRef> = HashMap::new();
        for (i, c) in school.classes.iter().enumerate() {
            refs.insert(c.id, GroupRef::Class(i));
        }
        for (i, g) in school.groups.iter().enumerate() {
            refs.insert(g.id, GroupRef::Group(i));
        }
        let codes: HashMap<SubjectId, SubjectCode> =
            school.subjects.iter().map(|s| (s.id, s.code)).collect();

        // The next held lesson of each group and subject: lessons come by date, so walk back.
        let mut next: Vec<Option<Date>> = vec![None; lessons.len()];
        let mut seen: HashMap<(GroupId, SubjectId), Date> = HashMap::new();
        let mut pending: HashMap<(GroupId, SubjectId), Date> = HashMap::new();
        for (i, l) in lessons.iter().enumerate().rev() {
            let key = (l.group, l.subject);
            // A double lesson's first half is due at the next day's lesson, not at its twin.
            if let Some(d) = seen.get(&key).copied()
                && d > l.on
            {
                pending.insert(key, d);
            }
            next[i] = pending.get(&key).copied();
            seen.insert(key, l.on);
        }

        let mut held = Vec::new();
        let mut class_days = HashSet::new();
        for (i, l) in lessons.iter().enumerate() {
            if l.on > ctx.today {
                break;
            }
            let (Some(group), Some(code)) = (refs.get(&l.group), codes.get(&l.subject)) else {
                return Err(DemoError::Invalid(format!(
                    "lesson {} belongs to no group or subject of the demo",
                    l.id
                )));
            };
            let grade = match *group {
                GroupRef::Class(c) => school.classes.get(c).map(|c| c.grade),
                GroupRef::Group(g) => school.groups.get(g).map(|g| g.grade),
            }
            .unwrap_or(0);
            for class in classes_of(school, *group) {
                class_days.insert((class, l.on));
            }
            held.push(Held {
                lesson: l,
                group: *group,
                grade,
                code: *code,
                next: next.get(i).copied().flatten(),
            });
        }

        let assessments = school
            .assessments
            .iter()
            .map(|a| (a.class, a.subject, a.on, a.number))
            .collect();
        let users = school
            .accounts
            .iter()
            .filter(|a| a.roles.contains(&Role::Teacher))
            .map(|a| (a.person, a.user))
            .collect();
        let mut home = vec![false; school.students.len()];
        for g in school
            .groups
            .iter()
            .filter(|g| g.kind == GroupKind::Individual)
        {
            for m in &g.members {
                if let Some(h) = home.get_mut(m.student) {
                    *h = true;
                }
            }
        }
        let mut classes_of = vec![Vec::new(); school.students.len()];
        for (ci, class) in school.classes.iter().enumerate() {
            for m in &class.members {
                if let Some(list) = classes_of.get_mut(m.student) {
                    list.push((ci, *m));
                }
            }
        }
        let offset = i64::from(school.time_zone.utc_offset_hours()) * 60;
        let times = school
            .timetable
            .bells
            .iter()
            .map(|b| {
                (
                    b.number,
                    (i64::from(b.starts) - offset, i64::from(b.ends) - offset),
                )
            })
            .collect();
        Ok(Plan {
            school,
            works: Works::of(policy)?,
            held,
            assessments,
            users,
            home,
            classes_of,
            class_days,
            times,
        })
    }

    /// Draws the journal: records, attendance and marks, lesson by lesson.
    pub(super) fn write(&self, rng: &mut SplitMix64) -> Written<'p> {
        let school = self.school;
        let n = school.students.len();
        // Abilities in hundredths of a mark, with an offset per subject.
        let mut ability = Vec::with_capacity(n);
        for _ in 0..n {
            let base = match rng.below(100) {
                0..10 => rng.between(465, 495),
                10..20 => rng.between(270, 310),
                _ => rng.between(350, 460),
            };
            let offsets: Vec<i64> = SubjectCode::ALL
                .iter()
                .map(|_| rng.between(-30, 30))
                .collect();
            ability.push((base, offsets));
        }
        let mut dates: Vec<Date> = self.held.iter().map(|h| h.lesson.on).collect();
        dates.dedup();
        let (days, illnesses) = self.days(&dates, rng);
        let date_index: HashMap<Date, usize> =
            dates.iter().enumerate().map(|(i, d)| (*d, i)).collect();

        let mut out = Written {
            illnesses,
            ..Written::default()
        };
        let mut topic_of: HashMap<(GroupRef, SubjectCode), usize> = HashMap::new();
        let mut load: HashMap<(usize, Date), u16> = HashMap::new();
        let mut roster: Vec<(usize, PersonId)> = Vec::new();
        for h in &self.held {
            let l = h.lesson;
            let by = self.users.get(&l.teacher).copied();
            let (starts, ends) = self.times.get(&l.number).copied().unwrap_or((360, 405));
            let midnight = l.on.midnight().assume_utc();
            let (start_at, end_at) = (
                midnight + Duration::minutes(starts + 5),
                midnight + Duration::minutes(ends),
            );
            let classes = classes_of(school, h.group);
            let control = classes
                .iter()
                .any(|c| self.assessments.contains(&(*c, l.subject, l.on, l.number)));

            // The roster of the day, in journal order.
            roster.clear();
            let individual = matches!(h.group, GroupRef::Group(g)
                if school.groups.get(g).is_some_and(|g| g.kind == GroupKind::Individual));
            for m in members(school, h.group).iter().filter(|m| m.covers(l.on)) {
                if self.home.get(m.student).copied().unwrap_or(false) && !individual {
                    continue;
                }
                if let Some(s) = school.students.get(m.student) {
                    roster.push((m.student, s.person.id));
                }
            }

            // Attendance: the day's absences, then this lesson's own.
            let di = date_index.get(&l.on).copied().unwrap_or(0);
            let mut present: Vec<(usize, PersonId)> = Vec::with_capacity(roster.len());
            for (si, person) in roster.iter().copied() {
                let day = days.get(di * n + si).copied().unwrap_or(Day::Present);
                let absence = match day {
                    Day::Ill => Some((Attendance::Ill, None, "")),
                    Day::Excused(r) => Some((
                        Attendance::Excused,
                        None,
                        EXCUSE_REASONS.get(r).copied().unwrap_or_default(),
                    )),
                    Day::Present => {
                        let r = rng.below(1000);
                        let unexcused = UNEXCUSED[usize::from(h.grade >= 8)];
                        let late = LATE[usize::from(l.number > 1)];
                        if r < unexcused {
                            Some((Attendance::Unexcused, None, ""))
                        } else if r < unexcused + late {
                            let minutes = u16::try_from(rng.between(5, 20)).unwrap_or(5);
                            Some((Attendance::Late, Some(minutes), ""))
                        } else {
                            None
                        }
                    }
                };
                if let Some((code, minutes_late, reason)) = absence {
                    out.absences.push(DraftAbsence {
                        lesson: l.id,
                        student: person,
                        code,
                        minutes_late,
                        reason,
                        by,
                        at: start_at,
                    });
                }
                if absence.is_none_or(|(code, ..)| !code.is_absence()) {
                    present.push((si, person));
                }
            }

            // Marks.
            let kind = kind(h.code);
            if h.grade >= 2 && kind != Kind::Unmarked {
                let w = &self.works;
                let (work, share) = if control {
                    (w.control, WRITES)
                } else {
                    match kind {
                        Kind::Main => match rng.below(100) {
                            r if r < INDEPENDENT => (w.independent, WRITES),
                            r if r < INDEPENDENT + TEST => (w.test, WRITES),
                            _ => (w.answer, ANSWER),
                        },
                        Kind::Arts if h.code != SubjectCode::Music => (w.practical, ACTIVITY),
                        _ => (w.answer, ACTIVITY),
                    }
                };
                let check = kind == Kind::Main && !control && rng.percent(HOMEWORK_CHECK);
                let written = work.code != w.answer.code;
                for (si, person) in present.iter().copied() {
                    let (base, offsets) = match ability.get(si) {
                        Some((b, o)) => (*b, o.get(h.code.index()).copied().unwrap_or(0)),
                        None => (400, 0),
                    };
                    let mut draft = |work: Work<'p>, rng: &mut SplitMix64| {
                        let center = base + offsets + adjustment(work.code);
                        let mark = if written
                            && work.code != w.homework.code
                            && h.code == SubjectCode::Russian
                            && rng.percent(DOUBLE_RUSSIAN)
                        {
                            Mark::Double(draw(center, rng), draw(center - 20, rng))
                        } else {
                            Mark::Points(draw(center, rng))
                        };
                        out.marks.push(DraftMark {
                            student: person,
                            group: l.group,
                            subject: l.subject,
                            lesson: l.id,
                            on: l.on,
                            mark,
                            work,
                            by,
                            at: end_at,
                        });
                    };
                    if control || rng.percent(share) {
                        draft(work, rng);
                    }
                    if check && rng.percent(HOMEWORK_MARKED) {
                        draft(w.homework, rng);
                    }
                }
            }

            // The lesson's record.
            let counter = topic_of.entry((h.group, h.code)).or_insert(0);
            let topic = topic(h.code, h.grade, *counter);
            let topic = if control {
                format!("Контрольная работа по теме «{topic}»")
            } else {
                topic.to_owned()
            };
            let step = *counter;
            *counter += 1;
            let mut record = LessonRecord {
                topic,
                lesson_type: Some(if control { "control" } else { "lesson" }.to_owned()),
                held: Some(true),
                ..LessonRecord::default()
            };
            let wanted = match kind {
                Kind::Main | Kind::Unmarked => HOMEWORK_MAIN,
                Kind::Arts => HOMEWORK_ARTS,
                Kind::Sport => 0,
            };
            if h.grade >= 2
                && let Some(due) = h.next
                && rng.percent(wanted)
            {
                let (lo, hi) = minutes_range(h.grade);
                let minutes = u16::try_from(rng.between(lo, hi) / 5 * 5).unwrap_or(10);
                // Keep every class's day under the limit: shorten the task, or set none.
                let limit = homework_limit_minutes(h.grade);
                let room = classes
                    .iter()
                    .map(|c| limit.saturating_sub(load.get(&(*c, due)).copied().unwrap_or(0)))
                    .min()
                    .unwrap_or(limit);
                let minutes = minutes.min(room);
                if minutes >= 10 {
                    for c in &classes {
                        *load.entry((*c, due)).or_insert(0) += minutes;
                    }
                    record.homework = homework(h.code, h.grade, step, rng);
                    record.homework_minutes = Some(minutes);
                    record.homework_due_on = Some(due);
                }
            }
            out.records.push((l.id, record));
        }
        out
    }
}

/// The classes a group belongs to: itself, a subgroup's or ИУП's class, a stream's classes.
fn classes_of(school: &DemoSchool, g: GroupRef) -> Vec<usize> {
    match g {
        GroupRef::Class(c) => vec![c],
        GroupRef::Group(g) => match school.groups.get(g) {
            Some(group) if group.kind == GroupKind::Stream => group.classes.clone(),
            Some(group) => group.class.into_iter().collect(),
            None => Vec::new(),
        },
    }
}

/// A group's memberships over the year.
fn members(school: &DemoSchool, g: GroupRef) -> &[DemoMember] {
    match g {
        GroupRef::Class(c) => school.classes.get(c).map(|c| &c.members[..]),
        GroupRef::Group(g) => school.groups.get(g).map(|g| &g.members[..]),
    }
    .unwrap_or_default()
}
