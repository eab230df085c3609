//! The demo school's class journal from the first day of the year up to "today" (inclusive):
//! for every lesson that was held, its record (topic, type, homework due at the subject's next
//! lesson), the pupils' absences and lateness, and marks.
//!
//! Pupils have an ability (most between 3.5 and 4.6, a tenth strong, a tenth struggling) with a
//! per-subject offset, and marks are drawn around it. Every present pupil writes an assessment
//! procedure of the schedule (a `control` mark on the lesson that carries it); ordinary lessons
//! bring oral answers, independent and check works, homework checks. Illness keeps a pupil away
//! for 3–7 school days; sporadic unexcused absences, lateness and a few excused days complete the
//! register; absent pupils get no mark. Grade 1 keeps only topics and attendance: no marks and no
//! homework (first-grade rules). A class's homework per day stays within the grade's limit.
//!
//! Everything is read in one query and written in bulk: under a hundred multi-row statements for
//! a school (about 9,000 lesson records, 10,000 attendance records and 100,000 marks).

use crate::curriculum::SubjectCode;
use crate::model::{DemoJournal, DemoMember, DemoSchool, GroupRef};
use crate::rng::SplitMix64;
use crate::{Ctx, DemoError};
use std::collections::{HashMap, HashSet};
use tabel_domain::journal::{Attendance, GradingPolicy, Mark, homework_limit_minutes};
use tabel_domain::school::{GroupKind, Role};
use tabel_domain::{GroupId, PersonId, SubjectId, UserId};
use tabel_store::Conn;
use tabel_store::journal::{
    self as repo, AttendanceWrite, LessonRecord, LessonSlot, NewAttendance, NewMark,
};
use tabel_store::timetable::status;
use time::{Date, Duration, OffsetDateTime};

/// The revision lesson that closes every cycle of a subject's topics (and the topic of subjects
/// without a table).
const REVISION: &str = "Повторение и обобщение";

/// Per mille of pupil-days on which a pupil who is well falls ill.
const FALL_ILL: u64 = 8;
/// Per mille of pupil-days a pupil misses for a valid reason.
const EXCUSED_DAY: u64 = 1;
/// Per mille of pupil-lessons missed without a reason, by grades 2–7 and 8–11.
const UNEXCUSED: [u64; 2] = [2, 6];
/// Per mille of pupil-lessons a pupil is late for: the first lesson of the day, the others.
const LATE: [u64; 2] = [14, 3];
/// Percent of present pupils who answer and get a mark on an ordinary lesson.
const ANSWER: u64 = 42;
/// Percent of present pupils marked on a lesson of physical education, art, music or labour.
const ACTIVITY: u64 = 40;
/// Percent of lessons of a main subject with an independent work, and with a check work.
const INDEPENDENT: u64 = 20;
const TEST: u64 = 8;
/// Percent of a main subject's ordinary lessons where homework is checked, and of the present
/// pupils marked for it then.
const HOMEWORK_CHECK: u64 = 30;
const HOMEWORK_MARKED: u64 = 25;
/// Percent of pupils who write every work the whole class writes (the rest were called away,
/// forgot the notebook, will write it later).
const WRITES: u64 = 94;
/// Percent of lessons that set homework: main subjects, and the arts and labour.
const HOMEWORK_MAIN: u64 = 86;
const HOMEWORK_ARTS: u64 = 15;
/// Percent of Russian-language works marked twice ("4/3": literacy and content).
const DOUBLE_RUSSIAN: u64 = 30;

const EXCUSE_REASONS: [&str; 4] = [
    "Заявление родителей",
    "Участие в олимпиаде",
    "Спортивные соревнования",
    "Семейные обстоятельства",
];

/// How a subject is taught, for marks and homework.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Written works, oral answers, homework.
    Main,
    /// Marks for the activity itself; homework rare (art, labour, music).
    Arts,
    /// Physical education: marks for the activity, no homework.
    Sport,
    /// ОРКСЭ: taught without marks.
    Unmarked,
}

fn kind(code: SubjectCode) -> Kind {
    match code {
        SubjectCode::PhysicalEducation => Kind::Sport,
        SubjectCode::Art | SubjectCode::Music | SubjectCode::Labour => Kind::Arts,
        SubjectCode::Orkse => Kind::Unmarked,
        _ => Kind::Main,
    }
}

/// Builds the journal of the school: from the first day of the year up to today.
pub(crate) async fn journal(
    c: &mut Conn<'_>,
    ctx: &Ctx<'_>,
    school: &mut DemoSchool,
    rng: &mut SplitMix64,
) -> Result<(), DemoError> {
    let started = std::time::Instant::now();
    let lessons: Vec<LessonSlot> = repo::lesson_slots_of_year(
        c,
        school.year.id,
        (school.year.starts_on, school.year.ends_on),
    )
    .await?
    .into_iter()
    .filter(|l| l.status != status::CANCELLED)
    .collect();
    let policy = GradingPolicy::default();
    let plan = Plan::new(ctx, school, &lessons, &policy)?;
    let written = plan.write(rng);

    // The marks' values are stored as the domain writes them ("5", "3/4").
    let texts: HashMap<Mark, String> = written
        .marks
        .iter()
        .map(|m| (m.mark, m.mark.to_string()))
        .collect();
    let mut marks = Vec::with_capacity(written.marks.len());
    for m in &written.marks {
        let value = texts.get(&m.mark).map(String::as_str).unwrap_or_default();
        marks.push(NewMark {
            school: school.id,
            student: m.student,
            group: m.group,
            subject: m.subject,
            lesson: Some(m.lesson),
            on: m.on,
            value,
            work_type: m.work.code,
            weight: m.work.weight,
            comment: "",
            debt_until: None,
            policy_version: 0,
            by: m.by,
            now: m.at,
        });
    }
    let attendance: Vec<NewAttendance<'_>> = written
        .absences
        .iter()
        .map(|a| NewAttendance {
            school: school.id,
            lesson: a.lesson,
            student: a.student,
            write: AttendanceWrite {
                code: a.code.code(),
                minutes_late: a.minutes_late,
                reason: a.reason,
                by: a.by,
                now: a.at,
            },
        })
        .collect();

    // Where the time goes (the debug log): drawing, the records' updates, the inserts.
    let drawn = started.elapsed();
    let records = repo::set_lesson_records(c, &written.records).await?;
    let recorded = started.elapsed();
    let attendance_rows = repo::insert_attendance_rows(c, &attendance).await?;
    let mark_rows = repo::insert_marks(c, &marks).await?;
    school.journal = DemoJournal {
        records,
        homework: written
            .records
            .iter()
            .filter(|(_, r)| !r.homework.is_empty())
            .count() as u64,
        marks: mark_rows,
        control_marks: written
            .marks
            .iter()
            .filter(|m| m.work.code == "control")
            .count() as u64,
        attendance: attendance_rows,
        ill: written
            .absences
            .iter()
            .filter(|a| a.code == Attendance::Ill)
            .count() as u64,
        illnesses: written.illnesses,
        elapsed: started.elapsed(),
    };
    tracing::debug!(
        school = %school.short_name,
        records,
        marks = mark_rows,
        attendance = attendance_rows,
        drawn = ?drawn,
        recorded = ?recorded,
        elapsed = ?school.journal.elapsed,
        "demo journal written"
    );
    Ok(())
}

/// A work type as the policy weighs it.
#[derive(Debug, Clone, Copy)]
struct Work<'p> {
    code: &'p str,
    weight: u8,
}

/// The work types the demo uses, looked up once in the policy.
#[derive(Debug, Clone, Copy)]
struct Works<'p> {
    answer: Work<'p>,
    control: Work<'p>,
    test: Work<'p>,
    independent: Work<'p>,
    practical: Work<'p>,
    homework: Work<'p>,
}

impl<'p> Works<'p> {
    fn of(policy: &'p GradingPolicy) -> Result<Works<'p>, DemoError> {
        let work = |code: &str| {
            policy
                .work_type(code)
                .map(|w| Work {
                    code: w.code.as_str(),
                    weight: w.weight,
                })
                .ok_or_else(|| {
                    DemoError::Invalid(format!("the default policy has no work type «{code}»"))
                })
        };
        Ok(Works {
            answer: work("answer")?,
            control: work("control")?,
            test: work("test")?,
            independent: work("independent")?,
            practical: work("practical")?,
            homework: work("homework")?,
        })
    }
}

/// A mark before it is stored.
#[derive(Debug, Clone, Copy)]
struct DraftMark<'p> {
    student: PersonId,
    group: GroupId,
    subject: SubjectId,
    lesson: i64,
    on: Date,
    mark: Mark,
    work: Work<'p>,
    by: Option<UserId>,
    at: OffsetDateTime,
}

/// An attendance record before it is stored.
#[derive(Debug, Clone, Copy)]
struct DraftAbsence {
    lesson: i64,
    student: PersonId,
    code: Attendance,
    minutes_late: Option<u16>,
    reason: &'static str,
    by: Option<UserId>,
    at: OffsetDateTime,
}

/// What the plan wrote.
#[derive(Debug, Default)]
struct Written<'p> {
    marks: Vec<DraftMark<'p>>,
    absences: Vec<DraftAbsence>,
    records: Vec<(i64, LessonRecord)>,
    illnesses: u64,
}

/// A pupil's day as the register sees it before the lessons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Day {
    /// At school (or with no lessons).
    Present,
    /// Ill all day.
    Ill,
    /// Away for a valid reason all day.
    Excused(usize),
}

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
struct Plan<'a, 'p> {
    school: &'a DemoSchool,
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
    classes_of: Vec<Vec<(usize, DemoMember)>>,
    /// The days each class has lessons (up to today).
    class_days: HashSet<(usize, Date)>,
    /// Lesson times (start, end) by number, minutes after midnight in UTC.
    times: HashMap<u8, (i64, i64)>,
}

impl<'a, 'p> Plan<'a, 'p> {
    fn new(
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

    /// The register's day of every pupil on every date with lessons: illness episodes and
    /// excused days. Indexed by `date × pupils + pupil`.
    fn days(&self, dates: &[Date], rng: &mut SplitMix64) -> (Vec<Day>, u64) {
        let n = self.school.students.len();
        let mut days = vec![Day::Present; dates.len() * n];
        let mut ill_left = vec![0u8; n];
        let mut illnesses = 0;
        for (di, on) in dates.iter().enumerate() {
            for (si, spans) in self.classes_of.iter().enumerate() {
                let at_school = spans
                    .iter()
                    .find(|(_, m)| m.covers(*on))
                    .is_some_and(|(ci, _)| self.class_days.contains(&(*ci, *on)));
                if !at_school {
                    continue;
                }
                let day = if ill_left.get(si).copied().unwrap_or(0) > 0 {
                    if let Some(left) = ill_left.get_mut(si) {
                        *left -= 1;
                    }
                    Day::Ill
                } else if rng.below(1000) < FALL_ILL {
                    illnesses += 1;
                    if let Some(left) = ill_left.get_mut(si) {
                        *left = u8::try_from(rng.between(2, 6)).unwrap_or(2);
                    }
                    Day::Ill
                } else if rng.below(1000) < EXCUSED_DAY {
                    Day::Excused(rng.index(EXCUSE_REASONS.len()))
                } else {
                    Day::Present
                };
                if let Some(d) = days.get_mut(di * n + si) {
                    *d = day;
                }
            }
        }
        (days, illnesses)
    }

    /// Draws the journal: records, attendance and marks, lesson by lesson.
    fn write(&self, rng: &mut SplitMix64) -> Written<'p> {
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

/// How a work type moves a pupil's usual mark, in hundredths: written works come out a little
/// lower than answers, homework a little higher.
fn adjustment(work: &str) -> i64 {
    match work {
        "control" => -20,
        "test" => -10,
        "independent" => -5,
        "homework" => 15,
        _ => 0,
    }
}

/// A 5-point mark around `center` (hundredths): the sum of three uniform draws, sd ≈ 0.55.
fn draw(center: i64, rng: &mut SplitMix64) -> u8 {
    let noise: i64 = (0..3).map(|_| rng.between(-55, 55)).sum();
    let x = (center + noise + 50).div_euclid(100);
    u8::try_from(x.clamp(2, 5)).unwrap_or(4)
}

/// The minutes a task of the grade takes (СанПиН: more for older pupils).
fn minutes_range(grade: u8) -> (i64, i64) {
    match grade {
        0..=3 => (10, 20),
        4 | 5 => (10, 25),
        6..=8 => (15, 30),
        _ => (15, 40),
    }
}

/// The `step`-th topic of a subject's course: the table in order from a place that depends on
/// the grade, a revision lesson closing each cycle.
fn topic(code: SubjectCode, grade: u8, step: usize) -> &'static str {
    let table = topics(code, grade);
    if table.is_empty() {
        return REVISION;
    }
    let at = (usize::from(grade) * 3 + step) % (table.len() + 1);
    table.get(at).copied().unwrap_or(REVISION)
}

/// A homework task for the `step`-th lesson of a subject.
fn homework(code: SubjectCode, grade: u8, step: usize, rng: &mut SplitMix64) -> String {
    let step = i64::try_from(step).unwrap_or(0);
    let paragraph = step / 2 + 1;
    // A textbook part runs to about 140 pages; the second part starts over.
    let page = 4 + (step * 3) % 140 + rng.between(0, 2);
    match code {
        SubjectCode::Russian if grade <= 4 => format!("Учебник с. {page}, упр. {}", 3 + step * 2),
        SubjectCode::Russian => {
            let ex = 10 + step * 4 + rng.between(0, 3);
            format!("§ {paragraph}, упр. {ex}–{}", ex + 2)
        }
        SubjectCode::Mathematics
        | SubjectCode::Algebra
        | SubjectCode::Geometry
        | SubjectCode::Probability => {
            let no = 20 + step * 7 + rng.between(0, 4);
            if grade <= 4 {
                return format!("Учебник с. {page}, № {}, {}", 1 + no % 9, 2 + no % 9);
            }
            match rng.below(3) {
                0 => format!("№ {no}, {}", no + 2),
                1 => format!("№ {no}, {}, {}", no + 2, no + 5),
                _ => format!("§ {paragraph}, № {no}–{}", no + 3),
            }
        }
        SubjectCode::LiteraryReading | SubjectCode::Literature => match rng.below(4) {
            0 => "Выучить стихотворение наизусть".to_owned(),
            1 => format!("С. {page}–{}, ответить на вопросы", page + 8),
            _ => format!("Прочитать с. {page}–{}", page + 12),
        },
        SubjectCode::English => format!(
            "SB p. {page}, ex. {}; WB p. {}",
            1 + rng.between(0, 6),
            page / 2 + 3
        ),
        SubjectCode::Art | SubjectCode::Music | SubjectCode::Labour => {
            "Подготовить материалы к следующему уроку".to_owned()
        }
        _ => match rng.below(3) {
            0 => format!("§ {paragraph}, вопросы 1–{}", 3 + rng.between(0, 3)),
            1 => format!("§ {paragraph}, пересказ"),
            _ => format!("§ {paragraph}, задание {} в тетради", 1 + rng.between(0, 4)),
        },
    }
}

/// A small table of realistic topics per subject (primary grades have their own for the
/// subjects taught from grade 1).
fn topics(code: SubjectCode, grade: u8) -> &'static [&'static str] {
    let primary = grade <= 4;
    let senior = grade >= 10;
    match code {
        SubjectCode::Russian if primary => &[
            "Звуки и буквы",
            "Гласные и согласные звуки",
            "Слог. Ударение",
            "Перенос слов",
            "Правописание жи–ши, ча–ща, чу–щу",
            "Звонкие и глухие согласные",
            "Мягкий знак",
            "Состав слова: корень",
            "Однокоренные слова",
            "Безударные гласные в корне",
            "Имя существительное",
            "Имя прилагательное",
            "Глагол",
            "Предложение и текст",
        ],
        SubjectCode::Russian if senior => &[
            "Язык как система",
            "Лексика и фразеология",
            "Орфоэпические нормы",
            "Морфологические нормы",
            "Синтаксические нормы",
            "Правописание Н и НН",
            "Пунктуация в сложном предложении",
            "Текст и его признаки",
            "Функциональные стили речи",
            "Сочинение-рассуждение по тексту",
        ],
        SubjectCode::Russian => &[
            "Повторение изученного",
            "Фонетика и орфоэпия",
            "Морфемика и словообразование",
            "Правописание приставок",
            "Правописание корней с чередованием",
            "Имя существительное как часть речи",
            "Склонение имён существительных",
            "Имя прилагательное",
            "Глагол: вид и время",
            "Причастие и причастный оборот",
            "Деепричастие и деепричастный оборот",
            "Словосочетание",
            "Простое предложение",
            "Однородные члены предложения",
            "Обособленные члены предложения",
            "Сложноподчинённое предложение",
        ],
        SubjectCode::LiteraryReading => &[
            "Устное народное творчество",
            "Русские народные сказки",
            "Загадки, пословицы, поговорки",
            "А. С. Пушкин. Сказки",
            "Л. Н. Толстой. Рассказы для детей",
            "Басни И. А. Крылова",
            "Стихи о природе",
            "Рассказы о детях",
            "Н. Н. Носов. Рассказы",
            "Произведения о животных",
        ],
        SubjectCode::Literature if senior => &[
            "Литература второй половины XIX века",
            "А. Н. Островский. «Гроза»",
            "И. А. Гончаров. «Обломов»",
            "И. С. Тургенев. «Отцы и дети»",
            "Лирика Ф. И. Тютчева и А. А. Фета",
            "Ф. М. Достоевский. «Преступление и наказание»",
            "Л. Н. Толстой. «Война и мир»",
            "А. П. Чехов. «Вишнёвый сад»",
            "Поэзия Серебряного века",
            "М. А. Булгаков. «Мастер и Маргарита»",
            "Сочинение по роману",
        ],
        SubjectCode::Literature => &[
            "Мифы Древней Греции",
            "Былины",
            "Басни И. А. Крылова",
            "А. С. Пушкин. Лирика",
            "М. Ю. Лермонтов. «Бородино»",
            "Н. В. Гоголь. «Вечера на хуторе близ Диканьки»",
            "И. С. Тургенев. «Муму»",
            "Н. А. Некрасов. Стихотворения",
            "Л. Н. Толстой. «Кавказский пленник»",
            "А. П. Чехов. Рассказы",
            "Поэзия XX века о Родине",
            "М. А. Шолохов. «Судьба человека»",
            "Сочинение по прочитанному произведению",
        ],
        SubjectCode::English => &[
            "Знакомство и приветствие (Greetings)",
            "Моя семья (My family)",
            "Мой школьный день (My school day)",
            "Хобби и свободное время (Hobbies)",
            "Present Simple",
            "Present Continuous",
            "Еда и напитки (Food and drinks)",
            "Past Simple",
            "Путешествия (Travelling)",
            "Погода и времена года (Weather and seasons)",
            "Способы выражения будущего времени",
            "Чтение: рассказ (Reading a story)",
        ],
        SubjectCode::Mathematics if primary => &[
            "Числа от 1 до 100. Нумерация",
            "Сложение и вычитание двузначных чисел",
            "Таблица умножения на 2 и 3",
            "Таблица умножения на 4 и 5",
            "Деление",
            "Решение задач в два действия",
            "Единицы длины",
            "Периметр многоугольника",
            "Площадь прямоугольника",
            "Порядок действий в выражениях",
            "Письменное умножение",
            "Доли и дроби",
        ],
        SubjectCode::Mathematics => &[
            "Натуральные числа и шкалы",
            "Сложение и вычитание натуральных чисел",
            "Умножение и деление натуральных чисел",
            "Упрощение выражений",
            "Уравнения",
            "Площади и объёмы",
            "Обыкновенные дроби",
            "Сравнение дробей",
            "Сложение и вычитание дробей",
            "Десятичные дроби",
            "Проценты",
            "Решение текстовых задач",
        ],
        SubjectCode::Algebra if senior => &[
            "Действительные числа",
            "Степень с рациональным показателем",
            "Тригонометрические функции",
            "Тригонометрические уравнения",
            "Показательная функция",
            "Логарифмы и их свойства",
            "Производная",
            "Применение производной к исследованию функций",
            "Первообразная и интеграл",
        ],
        SubjectCode::Algebra => &[
            "Выражения и их преобразования",
            "Линейное уравнение с одной переменной",
            "Функции и их графики",
            "Линейная функция",
            "Степень с натуральным показателем",
            "Одночлены",
            "Многочлены",
            "Формулы сокращённого умножения",
            "Системы линейных уравнений",
            "Квадратные корни",
            "Квадратные уравнения",
            "Неравенства",
            "Арифметическая прогрессия",
        ],
        SubjectCode::Geometry if senior => &[
            "Аксиомы стереометрии",
            "Параллельность прямых и плоскостей",
            "Перпендикулярность прямых и плоскостей",
            "Многогранники",
            "Призма и пирамида",
            "Векторы в пространстве",
            "Тела вращения",
            "Объёмы тел",
        ],
        SubjectCode::Geometry => &[
            "Начальные геометрические сведения",
            "Треугольники",
            "Признаки равенства треугольников",
            "Параллельные прямые",
            "Сумма углов треугольника",
            "Четырёхугольники",
            "Площадь многоугольника",
            "Теорема Пифагора",
            "Подобные треугольники",
            "Окружность",
            "Векторы",
        ],
        SubjectCode::Probability => &[
            "Представление данных",
            "Описательная статистика",
            "Случайная изменчивость",
            "Случайные события",
            "Вероятность события",
            "Графы",
            "Элементы комбинаторики",
        ],
        SubjectCode::Informatics => &[
            "Информация и информационные процессы",
            "Компьютер и его устройство",
            "Файлы и файловая система",
            "Системы счисления",
            "Алгоритмы и исполнители",
            "Линейные алгоритмы",
            "Ветвления",
            "Циклы",
            "Электронные таблицы",
            "Компьютерные сети",
        ],
        SubjectCode::WorldAround => &[
            "Природа и её явления",
            "Времена года",
            "Растения родного края",
            "Животные родного края",
            "Человек и его здоровье",
            "Правила безопасного поведения",
            "Наша Родина — Россия",
            "Москва — столица России",
            "Города России",
            "Вода и воздух",
            "Природные зоны России",
        ],
        SubjectCode::Orkse => &[
            "Россия — наша Родина",
            "Культура и мораль",
            "Добро и зло",
            "Дружба и взаимопомощь",
            "Семейные ценности",
            "Праздники народов России",
        ],
        SubjectCode::History if senior => &[
            "Россия и мир накануне Первой мировой войны",
            "Российская революция 1917 года",
            "Гражданская война",
            "СССР в 1920–1930-е годы",
            "Великая Отечественная война 1941–1945 годов",
            "СССР в 1945–1953 годах",
            "Оттепель",
            "Распад СССР",
            "Российская Федерация в 1990-е годы",
            "Россия в XXI веке",
        ],
        SubjectCode::History => &[
            "Древний Египет",
            "Древняя Греция",
            "Древний Рим",
            "Русь в IX — начале XII века",
            "Крещение Руси",
            "Русские земли в XII–XIII веках",
            "Образование единого Русского государства",
            "Россия при Иване IV",
            "Смутное время",
            "Петровские преобразования",
            "Россия в XIX веке",
            "Великая Отечественная война 1941–1945 годов",
        ],
        SubjectCode::SocialStudies => &[
            "Человек и общество",
            "Семья и семейные отношения",
            "Образование и самообразование",
            "Экономика и её роль в жизни общества",
            "Политика и власть",
            "Конституция Российской Федерации",
            "Права и обязанности граждан",
            "Социальная сфера",
            "Культура и духовная жизнь",
        ],
        SubjectCode::Geography => &[
            "Географическая карта",
            "План местности",
            "Литосфера",
            "Гидросфера",
            "Атмосфера",
            "Биосфера",
            "Материки и океаны",
            "Население Земли",
            "Природа России",
            "Хозяйство России",
        ],
        SubjectCode::Biology => &[
            "Биология — наука о живой природе",
            "Клетка — основа строения организма",
            "Ткани",
            "Строение растений",
            "Многообразие растений",
            "Царство грибов",
            "Одноклеточные организмы",
            "Беспозвоночные животные",
            "Позвоночные животные",
            "Организм человека",
            "Экосистемы",
        ],
        SubjectCode::Physics => &[
            "Физические величины и их измерение",
            "Строение вещества",
            "Механическое движение",
            "Скорость",
            "Плотность вещества",
            "Сила. Сила тяжести",
            "Давление",
            "Архимедова сила",
            "Работа и мощность",
            "Тепловые явления",
            "Электрический ток",
            "Законы Ньютона",
        ],
        SubjectCode::Chemistry => &[
            "Предмет химии. Вещества",
            "Атомы и молекулы",
            "Химические элементы",
            "Валентность",
            "Химические реакции",
            "Кислород",
            "Водород",
            "Растворы",
            "Основные классы неорганических соединений",
            "Периодический закон Д. И. Менделеева",
        ],
        SubjectCode::PhysicalEducation => &[
            "Лёгкая атлетика: бег на короткие дистанции",
            "Прыжки в длину с места",
            "Метание мяча",
            "Подвижные игры",
            "Баскетбол: ведение мяча",
            "Волейбол: передача мяча",
            "Гимнастика: строевые упражнения",
            "Акробатика",
            "Общая физическая подготовка",
        ],
        SubjectCode::Art => &[
            "Рисунок с натуры",
            "Цветоведение",
            "Пейзаж",
            "Натюрморт",
            "Портрет",
            "Народные промыслы",
            "Декоративно-прикладное искусство",
            "Композиция",
        ],
        SubjectCode::Music => &[
            "Музыка и её жанры",
            "Народная музыка",
            "Музыка русских композиторов",
            "Песня, танец, марш",
            "Музыкальные инструменты",
            "Опера и балет",
            "Хоровое пение",
        ],
        SubjectCode::Labour => &[
            "Технологии обработки бумаги",
            "Работа с природными материалами",
            "Технологии обработки ткани",
            "Основы черчения",
            "Технологии обработки древесины",
            "Кулинария",
            "Проектная работа",
            "Робототехника",
        ],
        SubjectCode::Obzr => &[
            "Безопасность в повседневной жизни",
            "Пожарная безопасность",
            "Безопасность на дорогах",
            "Первая помощь",
            "Чрезвычайные ситуации",
            "Основы обороны государства",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_drawn_around_the_ability_within_the_scale() {
        let mut rng = SplitMix64::new(3);
        for center in [250, 300, 400, 480, 520] {
            let marks: Vec<u8> = (0..10_000).map(|_| draw(center, &mut rng)).collect();
            assert!(marks.iter().all(|m| (2..=5).contains(m)));
            let mean = marks.iter().map(|m| i64::from(*m)).sum::<i64>() * 100 / 10_000;
            assert!((mean - center.min(470)).abs() < 45, "{center}: {mean}");
        }
    }

    #[test]
    fn every_subject_has_topics_and_cycles_through_a_revision() {
        for code in SubjectCode::ALL {
            for grade in 1..=11 {
                let table = topics(code, grade);
                assert!(!table.is_empty(), "{code:?}");
                let cycle: Vec<&str> = (0..=table.len()).map(|s| topic(code, grade, s)).collect();
                assert!(cycle.contains(&REVISION), "{code:?}");
                assert_eq!(topic(code, grade, 0), topic(code, grade, table.len() + 1));
            }
        }
    }

    #[test]
    fn stored_values_are_the_domain_marks() {
        for m in [Mark::Points(5), Mark::Double(3, 4)] {
            let text = m.to_string();
            assert_eq!(
                Mark::parse(&text, tabel_domain::journal::Scale::Five, false),
                Ok(m)
            );
        }
        assert_eq!(Mark::Double(3, 4).to_string(), "3/4");
    }
}
