//! Three weeks of changes around "today": substitutions, cancellations and transfers, each
//! audited and announced as the application records them.

use super::{NUMBERS, day_limit, invalid};
use crate::curriculum::SubjectCode;
use crate::model::*;
use crate::rng::SplitMix64;
use crate::{Ctx, DemoError};
use std::collections::{BTreeMap, HashMap};
use tabel_domain::LessonId;
use tabel_domain::school::GroupKind;
use tabel_domain::timetable::CancelCause;
use tabel_domain::timetable::LessonStatus;
use tabel_domain::{GroupId, PersonId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::timetable::{self as tt, Lesson, LessonChange};
use tabel_store::{Conn, outbox};
use time::{Date, Duration};

/// At most this many substitutions are recorded.
const MAX_SUBSTITUTIONS: usize = 18;
/// At least this many substitutions are sought.
const MIN_SUBSTITUTIONS: usize = 10;

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
pub(super) struct Changes<'s> {
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
    pub(super) fn new(ctx: &Ctx<'_>, school: &'s DemoSchool) -> Changes<'s> {
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
        let Some(l) = tt::get_lesson(c, LessonId::new(lesson)).await? else {
            return Ok(None);
        };
        if l.status != LessonStatus::Planned || self.changed(l.id.get()) {
            return Ok(None);
        }
        let mut next = LessonChange {
            id: l.id,
            version: l.version,
            status: l.status,
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
                next.status = LessonStatus::Substituted;
                (ChangeKind::Substitution, "lesson.substitute")
            }
            Planned::Cancel(cause) => {
                next.status = LessonStatus::Cancelled;
                next.cause = Some(cause);
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
                next.status = LessonStatus::Transferred;
                (ChangeKind::Transfer, "lesson.transfer")
            }
        };
        if next.status != LessonStatus::Cancelled {
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
        let before = state(l.status.code(), l.teacher, l.on, l.number, &l.room);
        let after = state(
            next.status.code(),
            next.teacher,
            next.on,
            next.number,
            next.room,
        );
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
            lesson: l.id.get(),
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
                .filter(|l| l.status == LessonStatus::Planned)
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
                        l.id.get(),
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
                    Some(t) => {
                        self.apply(c, l.id.get(), Planned::Substitute(t), reason)
                            .await?
                    }
                    None => None,
                };
                if done.is_none() {
                    self.apply(
                        c,
                        l.id.get(),
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
    pub(super) async fn record(
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
                .map(|l| l.id.get())
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
            if self.changed(l.id.get()) {
                continue;
            }
            let mut targets: Vec<Date> = dates.iter().copied().filter(|d| *d != l.on).collect();
            rng.shuffle(&mut targets);
            let limit = day_limit(self.grade_of(l.group));
            for date in targets.into_iter().take(6) {
                let held: Vec<Lesson> = tt::lessons_of_class(c, l.group, date, date)
                    .await?
                    .into_iter()
                    .filter(|o| o.status != LessonStatus::Cancelled)
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
                    .apply(c, l.id.get(), Planned::Transfer(date, number), reason)
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
