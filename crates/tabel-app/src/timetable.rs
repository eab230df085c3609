//! The timetable: bell schedule, weekly lines, dated lessons and their changes (substitution,
//! cancellation, transfer), with conflict checks, audit and outbox in one transaction.

use crate::{App, AppError, Client, FieldErrors, check};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use tabel_domain::access::{Principal, StudentFacts};
use tabel_domain::school::Role;
use tabel_domain::timetable::LessonStatus;
use tabel_domain::timetable::{
    BellSchedule, BellSlot, CancelCause, GradeCalendar, WeeklyLine, lessons_for,
};
use tabel_domain::{AcademicYearId, GroupId, PersonId, SchoolId, SubjectId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::school as repo;
use tabel_store::timetable::{self as tt, Lesson, LessonChange, NewEntry, NewLesson};
use tabel_store::{Conn, StoreError, outbox};
use time::{Date, Duration, OffsetDateTime};

/// May plan the timetable and record changes: the school's administrators and deputy heads.
pub fn may_plan(p: &Principal, school: SchoolId) -> tabel_domain::access::Decision {
    use tabel_domain::access::Decision;
    if p.is_admin_of(school) || p.has_role(Role::Deputy, school) {
        Decision::Allow
    } else if p.schools().contains(&school) {
        Decision::Forbidden
    } else {
        Decision::Hidden
    }
}

/// The calendars of every grade of a year.
pub async fn grade_calendars(
    conn: &mut Conn<'_>,
    year: &repo::AcademicYear,
) -> Result<HashMap<u8, GradeCalendar>, AppError> {
    let days_off = tt::days_off(conn, year.id).await?;
    Ok(repo::list_parallels(conn, year.id)
        .await?
        .into_iter()
        .map(|p| {
            (
                p.grade,
                GradeCalendar {
                    grade: p.grade,
                    first_day: year.starts_on,
                    last_day: year.ends_on,
                    week_days: p.week_days,
                    days_off: days_off.clone(),
                },
            )
        })
        .collect())
}

/// Regenerates the year's lessons from a date: planned lessons without journal data or changes
/// are replaced by what the timetable now says; lessons with journal data, changed lessons and
/// extra lessons stay, and no new lesson is put in a slot one of them holds. Returns how many
/// lessons were created. No permission check: callers check (or are the system).
pub async fn regenerate(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: &repo::AcademicYear,
    from: Date,
) -> Result<u64, AppError> {
    let from = from.max(year.starts_on);
    tt::delete_regenerable(conn, year.id, from).await?;
    let occupied: HashSet<(i64, Date, u8)> = tt::occupied_slots(conn, year.id, from)
        .await?
        .into_iter()
        .collect();
    let calendars = grade_calendars(conn, year).await?;
    let entries = tt::entries_of_year(conn, year.id).await?;
    let groups: HashMap<GroupId, u8> = repo::list_groups(conn, year.id, from, None)
        .await?
        .into_iter()
        .map(|g| (g.id, g.grade))
        .collect();
    let mut by_group: HashMap<GroupId, Vec<&tt::TimetableLine>> = HashMap::new();
    for e in &entries {
        by_group.entry(e.group).or_default().push(e);
    }
    let mut new = Vec::new();
    let mut keys: Vec<&GroupId> = by_group.keys().collect();
    keys.sort();
    for group in keys {
        let lines = &by_group[group];
        let Some(cal) = groups.get(group).and_then(|g| calendars.get(g)) else {
            continue;
        };
        let weekly: Vec<WeeklyLine> = lines
            .iter()
            .map(|e| WeeklyLine {
                entry: e.id.get(),
                weekday: e.weekday,
                number: e.number,
                valid_from: e.valid_from,
                valid_to: e.valid_to,
            })
            .collect();
        let by_id: HashMap<tabel_domain::TimetableLineId, &tt::TimetableLine> =
            lines.iter().map(|e| (e.id, *e)).collect();
        for (date, line) in lessons_for(cal, &weekly, from, year.ends_on) {
            if occupied.contains(&(group.get(), date, line.number)) {
                continue;
            }
            let e = by_id[&tabel_domain::TimetableLineId::new(line.entry)];
            new.push(NewLesson {
                school,
                year: year.id,
                group: *group,
                on: date,
                number: line.number,
                subject: e.subject,
                teacher: e.teacher,
                room: &e.room,
                status: LessonStatus::Planned,
                entry: Some(e.id.get()),
            });
        }
    }
    Ok(tt::insert_lessons(conn, &new).await?)
}

/// A weekly timetable line to add. An id the form or body did not name (absent or not an id)
/// is `None`, reported with the other fields' errors.
#[derive(Debug, Clone)]
pub struct EntryInput {
    /// Class, subgroup, stream or ИУП group.
    pub group: Option<GroupId>,
    /// 1 = Monday … 6 = Saturday.
    pub weekday: u8,
    /// Lesson number in the bell schedule.
    pub number: u8,
    /// Subject.
    pub subject: Option<SubjectId>,
    /// Teacher.
    pub teacher: Option<PersonId>,
    /// Room (may be empty).
    pub room: String,
    /// First date (default: the first day of the year).
    pub valid_from: Option<Date>,
    /// Last date (default: to the end of the year).
    pub valid_to: Option<Date>,
}

/// A lesson with its bell times, as views and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct LessonView {
    /// The lesson.
    #[serde(flatten)]
    pub lesson: Lesson,
    /// Start, minutes after midnight (None when the number is outside the bell schedule).
    pub starts: Option<u16>,
    /// End.
    pub ends: Option<u16>,
}

/// Whose lessons.
#[derive(Debug, Clone)]
pub enum LessonsOf {
    /// A class (with its subgroups and streams) or another group.
    Group(GroupId),
    /// A teacher (including lessons taken from them by substitution).
    Teacher(PersonId),
    /// A student.
    Student(PersonId),
    /// A room of a school (staff).
    Room(SchoolId, String),
}

/// A change to record on a lesson.
#[derive(Debug, Clone)]
pub enum Change {
    /// Another teacher takes the lesson.
    Substitute {
        /// The substitute.
        teacher: PersonId,
    },
    /// The lesson is not held.
    Cancel {
        /// Why, as the statistics count it (none: only the free-text reason says).
        cause: Option<CancelCause>,
    },
    /// The lesson moves to another date and/or number.
    Transfer {
        /// New date.
        on: Date,
        /// New number.
        number: u8,
    },
    /// Another room.
    Room {
        /// The room.
        room: String,
    },
}

/// The calendar of a class for its parents and teachers.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarView {
    /// The year.
    pub year: repo::AcademicYear,
    /// Grade.
    pub grade: u8,
    /// School days a week.
    pub week_days: u8,
    /// Reporting periods.
    pub periods: Vec<repo::Period>,
    /// Holidays, non-working and worked days that apply to the grade.
    pub days_off: Vec<repo::Holiday>,
    /// The bell schedule (regular variant, first shift).
    pub bells: Vec<BellSlot>,
}

/// An id the input named, or an "unknown" error for its field.
fn named<T: Copy>(field: &str, id: Option<T>, errors: &mut FieldErrors) -> Option<T> {
    if id.is_none() {
        errors.insert(field.to_owned(), "unknown".to_owned());
    }
    id
}

fn day_name(weekday: u8) -> &'static str {
    [
        "",
        "понедельник",
        "вторник",
        "среда",
        "четверг",
        "пятница",
        "суббота",
        "воскресенье",
    ]
    .get(usize::from(weekday))
    .copied()
    .unwrap_or("?")
}

async fn year_of(
    conn: &mut Conn<'_>,
    school: SchoolId,
    on: Date,
) -> Result<repo::AcademicYear, AppError> {
    repo::academic_year_on(conn, school, on)
        .await?
        .ok_or_else(|| AppError::Conflict("the school has no academic year for this date".into()))
}

/// Lessons of other groups that would make a class be in two places at once: a class and its
/// subgroups or streams. Two subgroups of one class may share a slot (the class is split).
async fn clash_with_classes(
    conn: &mut Conn<'_>,
    (a, b): (GroupId, GroupId),
    on: Date,
) -> Result<bool, StoreError> {
    if a == b {
        return Ok(true);
    }
    let ca: HashSet<i64> = tt::classes_of_group(conn, a).await?.into_iter().collect();
    let cb: HashSet<i64> = tt::classes_of_group(conn, b).await?.into_iter().collect();
    if ca.is_disjoint(&cb) {
        return Ok(false);
    }
    // Both are halves of the same class (subgroups, e.g. English 1 and 2): allowed. An ИУП group
    // or a stream is never "the other half": its pupils are on the class's roll.
    let half = |g: Option<repo::Group>| {
        g.is_some_and(|g| g.kind == tabel_domain::school::GroupKind::Subgroup && g.parent.is_some())
    };
    let sub_a = half(repo::get_group(conn, a, on).await?);
    let sub_b = half(repo::get_group(conn, b, on).await?);
    Ok(!(sub_a && sub_b))
}

/// The slots `(shift, number)` whose regular bell times overlap lesson `number` of `shift`, that
/// slot included: a teacher or a room busy in any of them is busy then. A teacher may work both
/// shifts, so lesson 2 of the second shift is no clash with lesson 2 of the first; lesson 6 of the
/// first may well be. Without bells for a shift, only the same number counts.
async fn overlapping_slots(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    shift: u8,
    number: u8,
) -> Result<Vec<(u8, u8)>, StoreError> {
    let mut out = vec![(shift, number)];
    let other = if shift == 1 { 2 } else { 1 };
    let mine = tt::bell_slots(conn, year, shift, tt::REGULAR).await?;
    let theirs = tt::bell_slots(conn, year, other, tt::REGULAR).await?;
    match mine.iter().find(|b| b.number == number) {
        Some(me) if !theirs.is_empty() => out.extend(
            theirs
                .iter()
                .filter(|b| b.starts < me.ends && me.starts < b.ends)
                .map(|b| (other, b.number)),
        ),
        _ => out.push((other, number)),
    }
    Ok(out)
}

/// Lessons held on a date at the time of lesson `number` of `shift`, in either shift.
async fn lessons_overlapping(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    on: Date,
    (shift, number): (u8, u8),
) -> Result<Vec<tt::Lesson>, StoreError> {
    let mut out = Vec::new();
    for (s, n) in overlapping_slots(conn, year, shift, number).await? {
        out.extend(
            tt::lessons_in_slot(conn, year, on, n)
                .await?
                .into_iter()
                .filter(|l| l.shift == s),
        );
    }
    Ok(out)
}

/// Timetable lines of a weekday at the time of lesson `number` of `shift`, in either shift.
async fn entries_overlapping(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    weekday: u8,
    (shift, number): (u8, u8),
) -> Result<Vec<tt::TimetableLine>, StoreError> {
    let mut out = Vec::new();
    for (s, n) in overlapping_slots(conn, year, shift, number).await? {
        out.extend(
            tt::entries_in_slot(conn, year, weekday, n)
                .await?
                .into_iter()
                .filter(|e| e.shift == s),
        );
    }
    Ok(out)
}

/// What an audit record of a timetable change says.
struct Record<'a> {
    school: SchoolId,
    at: OffsetDateTime,
    actor: Option<i64>,
    action: &'a str,
    entity_id: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    reason: Option<&'a str>,
}

async fn audit_change(conn: &mut Conn<'_>, r: Record<'_>, client: &Client) -> Result<(), AppError> {
    audit::append(
        conn,
        &AuditEntry {
            chain: r.school.get(),
            at: r.at,
            actor: r.actor,
            action: r.action,
            entity: r.action.split('.').next().unwrap_or(r.action),
            entity_id: r.entity_id,
            before: r.before,
            after: r.after,
            reason: r.reason,
            origin: Some(&client.address),
        },
    )
    .await?;
    Ok(())
}

impl App {
    /// Sets a bell schedule (administrators and deputy heads).
    pub async fn set_bell_schedule(
        &self,
        p: &Principal,
        school: SchoolId,
        (shift, variant): (u8, &str),
        slots: Vec<BellSlot>,
        client: &Client,
    ) -> Result<(), AppError> {
        check(may_plan(p, school))?;
        if variant != tt::REGULAR && variant != tt::SHORT {
            return Err(AppError::invalid("variant", "use regular or short"));
        }
        if !(1..=2).contains(&shift) {
            return Err(AppError::invalid("shift", "use 1 or 2"));
        }
        let schedule =
            BellSchedule::new(slots).map_err(|e| AppError::invalid("slots", e.to_string()))?;
        let mut tx = self.db.begin().await?;
        let year = year_of(&mut tx.conn(), school, self.today()).await?;
        tt::replace_bell_slots(
            &mut tx.conn(),
            school,
            year.id,
            shift,
            variant,
            schedule.slots(),
        )
        .await?;
        let after = serde_json::to_value(schedule.slots()).unwrap_or_default();
        audit_change(
            &mut tx.conn(),
            Record {
                school,
                at: self.now(),
                actor: Some(p.user.get()),
                action: "bells.set",
                entity_id: format!("{}:{shift}:{variant}", year.id),
                before: None,
                after: Some(after),
                reason: None,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The regular bell schedule of a shift of a school's current year.
    pub async fn bells(
        &self,
        p: &Principal,
        school: SchoolId,
        shift: u8,
    ) -> Result<Vec<BellSlot>, AppError> {
        check(p.may_view_school(school))?;
        let mut c = self.db.acquire().await?;
        let year = year_of(&mut c.conn(), school, self.today()).await?;
        Ok(tt::bell_slots(&mut c.conn(), year.id, shift, tt::REGULAR).await?)
    }

    /// Moves a class (with its subgroups) to a shift (planners).
    pub async fn set_class_shift(
        &self,
        p: &Principal,
        class: GroupId,
        shift: u8,
        client: &Client,
    ) -> Result<(), AppError> {
        if !(1..=2).contains(&shift) {
            return Err(AppError::invalid("shift", "use 1 or 2"));
        }
        let mut tx = self.db.begin().await?;
        let g = repo::get_group(&mut tx.conn(), class, self.today())
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, g.school))?;
        let before = tt::group_shift(&mut tx.conn(), class).await?;
        tt::set_group_shift(&mut tx.conn(), class, shift).await?;
        audit_change(
            &mut tx.conn(),
            Record {
                school: g.school,
                at: self.now(),
                actor: Some(p.user.get()),
                action: "group.shift",
                entity_id: class.to_string(),
                before: Some(serde_json::json!({"shift": before})),
                after: Some(serde_json::json!({"shift": shift})),
                reason: None,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a weekly line and regenerates the year's lessons from its first date (lessons with
    /// journal data stay). Refused when the slot is outside the bell schedule or the week, the
    /// dates are reversed or outside the year, or a teacher, room or class would be in two places.
    pub async fn add_timetable_entry(
        &self,
        p: &Principal,
        school: SchoolId,
        input: &EntryInput,
        client: &Client,
    ) -> Result<i64, AppError> {
        check(may_plan(p, school))?;
        let mut errors = FieldErrors::new();
        let group = named("group_id", input.group, &mut errors);
        let subject = named("subject_id", input.subject, &mut errors);
        let teacher = named("teacher_id", input.teacher, &mut errors);
        let room = input.room.trim();
        if room.chars().count() > 20 {
            errors.insert("room".into(), "at most 20 characters".into());
        }
        let (Some(group), Some(subject), Some(teacher)) = (group, subject, teacher) else {
            return Err(AppError::Invalid(errors));
        };
        let mut tx = self.db.begin().await?;
        let year = year_of(&mut tx.conn(), school, self.today()).await?;
        let valid_from = input.valid_from.unwrap_or(year.starts_on);
        let valid_to = input.valid_to;
        match repo::get_group(&mut tx.conn(), group, valid_from).await? {
            Some(g) if g.school == school && g.year == year.id => {
                let week = repo::list_parallels(&mut tx.conn(), year.id)
                    .await?
                    .into_iter()
                    .find(|p| p.grade == g.grade)
                    .map_or(5, |p| p.week_days);
                if input.weekday == 0 || input.weekday > week {
                    errors.insert(
                        "weekday".into(),
                        format!(
                            "the {}-day week of grade {} has days 1–{week}",
                            week, g.grade
                        ),
                    );
                }
            }
            _ => {
                errors.insert(
                    "group_id".into(),
                    "no such group in this school's year".into(),
                );
            }
        }
        if !repo::list_subjects(&mut tx.conn(), school)
            .await?
            .iter()
            .any(|s| s.id == subject)
        {
            errors.insert("subject_id".into(), "no such subject in this school".into());
        }
        if !repo::is_staff(&mut tx.conn(), teacher, school).await? {
            errors.insert("teacher_id".into(), "no such teacher in this school".into());
        }
        let shift = tt::group_shift(&mut tx.conn(), group).await?;
        let bells = tt::bell_slots(&mut tx.conn(), year.id, shift, tt::REGULAR).await?;
        if !bells.iter().any(|b| b.number == input.number) {
            let range = match (bells.first(), bells.last()) {
                (Some(a), Some(b)) => format!("{}–{}", a.number, b.number),
                _ => "none yet: set the bell schedule first".into(),
            };
            errors.insert(
                "number".into(),
                format!(
                    "lesson {} is not in the bell schedule ({range})",
                    input.number
                ),
            );
        }
        if valid_to.is_some_and(|t| t < valid_from) {
            errors.insert("valid_to".into(), "the end is before the start".into());
        }
        if valid_from < year.starts_on
            || valid_from > year.ends_on
            || valid_to.is_some_and(|t| t > year.ends_on)
        {
            errors.insert(
                "valid_from".into(),
                format!("the dates must lie within the year {}", year.label),
            );
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let line = WeeklyLine {
            entry: 0,
            weekday: input.weekday,
            number: input.number,
            valid_from,
            valid_to,
        };
        for other in entries_overlapping(
            &mut tx.conn(),
            year.id,
            input.weekday,
            (shift, input.number),
        )
        .await?
        {
            let o = WeeklyLine {
                entry: other.id.get(),
                weekday: other.weekday,
                number: other.number,
                valid_from: other.valid_from,
                valid_to: other.valid_to,
            };
            if !line.overlaps(&o) {
                continue;
            }
            let when = format!("{}, урок {}", day_name(input.weekday), input.number);
            if other.teacher == teacher {
                return Err(AppError::Conflict(format!(
                    "{} already teaches {} in {} ({when})",
                    other.teacher_name, other.subject_name, other.group_name
                )));
            }
            if !room.is_empty() && other.room == room {
                return Err(AppError::Conflict(format!(
                    "room {room} is taken by {} ({when})",
                    other.group_name
                )));
            }
            if clash_with_classes(&mut tx.conn(), (group, other.group), valid_from).await? {
                return Err(AppError::Conflict(format!(
                    "{} already has {} at this time ({when})",
                    other.group_name, other.subject_name
                )));
            }
        }
        let now = self.now();
        let entry = tt::insert_entry(
            &mut tx.conn(),
            &NewEntry {
                school,
                year: year.id,
                group,
                weekday: input.weekday,
                number: input.number,
                subject,
                teacher,
                room,
                valid_from,
                valid_to,
                now,
            },
        )
        .await?;
        let created = regenerate(&mut tx.conn(), school, &year, valid_from).await?;
        let after = serde_json::json!({
            "group_id": group.to_string(), "weekday": input.weekday, "number": input.number,
            "subject_id": subject.to_string(), "teacher_id": teacher.to_string(), "room": room,
            "valid_from": valid_from.to_string(), "valid_to": valid_to.map(|d| d.to_string()), "lessons_created": created,
        });
        audit_change(
            &mut tx.conn(),
            Record {
                school,
                at: self.now(),
                actor: Some(p.user.get()),
                action: "timetable.add",
                entity_id: entry.to_string(),
                before: None,
                after: Some(after.clone()),
                reason: None,
            },
            client,
        )
        .await?;
        outbox::emit(
            &mut tx.conn(),
            Some(school),
            "timetable.changed",
            &after,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// The weekly lines of a group (who may see the group).
    pub async fn timetable_of(
        &self,
        p: &Principal,
        group: GroupId,
    ) -> Result<Vec<tt::TimetableLine>, AppError> {
        self.class(p, group, self.today()).await?;
        let mut c = self.db.acquire().await?;
        Ok(tt::entries_of_group(&mut c.conn(), group).await?)
    }

    /// Lessons in a date range, with bell times. Classes: whoever may see the class; teachers:
    /// themselves and the school's staff; students: whoever may see the student.
    pub async fn lessons(
        &self,
        p: &Principal,
        of: &LessonsOf,
        from: Date,
        to: Date,
    ) -> Result<Vec<LessonView>, AppError> {
        if to < from {
            return Err(AppError::invalid("to", "the end is before the start"));
        }
        if to - from > Duration::days(62) {
            return Err(AppError::invalid("to", "at most two months at a time"));
        }
        let mut c = self.db.acquire().await?;
        let lessons = match of {
            &LessonsOf::Group(g) => {
                drop(c);
                let group = self.class(p, g, from).await?;
                c = self.db.acquire().await?;
                let _ = group;
                tt::lessons_of_class(&mut c.conn(), g, from, to).await?
            }
            &LessonsOf::Teacher(t) => {
                let visible =
                    p.person == Some(t) || p.schools().into_iter().any(|s| p.is_staff_of(s));
                if !visible {
                    return Err(AppError::NotFound);
                }
                let list = tt::lessons_of_teacher(&mut c.conn(), t, from, to).await?;
                if p.person != Some(t) && list.iter().any(|l| !p.is_staff_of(l.school)) {
                    return Err(AppError::NotFound);
                }
                list
            }
            LessonsOf::Room(school, room) => {
                check(p.may_view_structure(*school))?;
                let year = year_of(&mut c.conn(), *school, from).await?;
                tt::lessons_of_room(&mut c.conn(), year.id, room.trim(), from, to).await?
            }
            &LessonsOf::Student(s) => {
                let card = repo::get_student(&mut c.conn(), s)
                    .await?
                    .ok_or(AppError::NotFound)?;
                check(p.may_view_student(&StudentFacts {
                    student: s,
                    school: card.school,
                }))?;
                tt::lessons_of_student(&mut c.conn(), s, from, to).await?
            }
        };
        let mut bells: HashMap<(AcademicYearId, u8, String), Vec<BellSlot>> = HashMap::new();
        let mut variants: HashMap<AcademicYearId, HashMap<Date, String>> = HashMap::new();
        let mut out = Vec::with_capacity(lessons.len());
        for l in lessons {
            if let std::collections::hash_map::Entry::Vacant(v) = variants.entry(l.year) {
                v.insert(
                    tt::bell_days(&mut c.conn(), l.year)
                        .await?
                        .into_iter()
                        .collect(),
                );
            }
            let variant = variants
                .get(&l.year)
                .and_then(|v| v.get(&l.on))
                .cloned()
                .unwrap_or_else(|| tt::REGULAR.to_owned());
            let key = (l.year, l.shift, variant);
            if let std::collections::hash_map::Entry::Vacant(v) = bells.entry(key.clone()) {
                v.insert(tt::bell_slots(&mut c.conn(), key.0, key.1, &key.2).await?);
            }
            let slot = bells
                .get(&key)
                .and_then(|s| s.iter().find(|b| b.number == l.number).copied());
            out.push(LessonView {
                starts: slot.map(|s| s.starts),
                ends: slot.map(|s| s.ends),
                lesson: l,
            });
        }
        Ok(out)
    }

    /// One lesson, if the user may see it.
    pub async fn lesson(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
    ) -> Result<Lesson, AppError> {
        let lesson = lesson.get();
        let mut c = self.db.acquire().await?;
        let l = tt::get_lesson(&mut c.conn(), lesson)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(c);
        if p.is_staff_of(l.school) {
            return Ok(l);
        }
        self.class(p, l.group, l.on).await?;
        Ok(l)
    }

    /// Records a change to a lesson (administrators and deputy heads): checks the version, the
    /// reason, and that nobody ends up in two places; audits and announces it.
    pub async fn change_lesson(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
        version: i64,
        change: Change,
        reason: &str,
        client: &Client,
    ) -> Result<Lesson, AppError> {
        let lesson = lesson.get();
        let reason = reason.trim();
        let mut tx = self.db.begin().await?;
        let l = tt::get_lesson(&mut tx.conn(), lesson)
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, l.school))?;
        if reason.is_empty() && !matches!(change, Change::Room { .. }) {
            return Err(AppError::invalid(
                "reason",
                "say why (e.g. болезнь учителя)",
            ));
        }
        if reason.chars().count() > 500 {
            return Err(AppError::invalid("reason", "at most 500 characters"));
        }
        if l.status == LessonStatus::Cancelled {
            return Err(AppError::Conflict("the lesson is cancelled".into()));
        }
        if l.version != version {
            return Err(AppError::Conflict(format!(
                "the lesson was changed meanwhile (version {} now)",
                l.version
            )));
        }
        let mut next = LessonChange {
            id: l.id,
            version,
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
        let room_holder;
        let action = match &change {
            Change::Substitute { teacher } => {
                if *teacher == l.teacher {
                    return Err(AppError::invalid(
                        "teacher_id",
                        "this teacher already gives the lesson",
                    ));
                }
                if !repo::is_staff(&mut tx.conn(), *teacher, l.school).await? {
                    return Err(AppError::invalid(
                        "teacher_id",
                        "no such teacher in this school",
                    ));
                }
                next.teacher = *teacher;
                next.original_teacher = Some(l.original_teacher.unwrap_or(l.teacher));
                next.status = LessonStatus::Substituted;
                "lesson.substitute"
            }
            Change::Cancel { cause } => {
                next.status = LessonStatus::Cancelled;
                next.cause = *cause;
                "lesson.cancel"
            }
            Change::Transfer { on, number } => {
                let year = year_of(&mut tx.conn(), l.school, l.on).await?;
                let cal = grade_calendars(&mut tx.conn(), &year).await?;
                if cal
                    .get(&l.grade)
                    .and_then(|c| c.timetable_day(*on))
                    .is_none()
                {
                    return Err(AppError::invalid(
                        "date",
                        format!("{on} is not a school day for grade {}", l.grade),
                    ));
                }
                let bells = tt::bell_slots(&mut tx.conn(), year.id, l.shift, tt::REGULAR).await?;
                if !bells.iter().any(|b| b.number == *number) {
                    return Err(AppError::invalid(
                        "number",
                        format!("lesson {number} is not in the bell schedule"),
                    ));
                }
                if (*on, *number) == (l.on, l.number) {
                    return Err(AppError::invalid(
                        "date",
                        "that is where the lesson already is",
                    ));
                }
                next.original_date = Some(l.original_date.unwrap_or(l.on));
                next.original_number = Some(l.original_number.unwrap_or(l.number));
                next.on = *on;
                next.number = *number;
                next.status = LessonStatus::Transferred;
                "lesson.transfer"
            }
            Change::Room { room } => {
                if room.chars().count() > 20 {
                    return Err(AppError::invalid("room", "at most 20 characters"));
                }
                room_holder = room.trim().to_owned();
                next.room = &room_holder;
                next.reason = if reason.is_empty() {
                    l.reason.as_deref()
                } else {
                    Some(reason)
                };
                "lesson.room"
            }
        };
        if next.status != LessonStatus::Cancelled {
            for other in
                lessons_overlapping(&mut tx.conn(), l.year, next.on, (l.shift, next.number)).await?
            {
                if other.id == l.id {
                    continue;
                }
                let when = format!("{} урок {}", next.on, next.number);
                if other.teacher == next.teacher {
                    return Err(AppError::Conflict(format!(
                        "{} already teaches {} in {} ({when})",
                        other.teacher_name, other.subject_name, other.group_name
                    )));
                }
                if !next.room.is_empty() && other.room == next.room {
                    return Err(AppError::Conflict(format!(
                        "room {} is taken by {} ({when})",
                        next.room, other.group_name
                    )));
                }
                if clash_with_classes(&mut tx.conn(), (l.group, other.group), next.on).await? {
                    return Err(AppError::Conflict(format!(
                        "{} already has {} ({when})",
                        other.group_name, other.subject_name
                    )));
                }
            }
        }
        let before = serde_json::json!({"status": l.status, "teacher_id": l.teacher.to_string(), "date": l.on.to_string(), "number": l.number, "room": l.room});
        let mut after = serde_json::json!({"status": next.status, "teacher_id": next.teacher.to_string(), "date": next.on.to_string(), "number": next.number, "room": next.room});
        if let Some(cause) = next.cause {
            after["cause"] = cause.code().into();
        }
        match tt::update_lesson(&mut tx.conn(), &next).await {
            Err(StoreError::Stale) => {
                return Err(AppError::Conflict(
                    "the lesson was changed meanwhile".into(),
                ));
            }
            other => other?,
        }
        audit_change(
            &mut tx.conn(),
            Record {
                school: l.school,
                at: self.now(),
                actor: Some(p.user.get()),
                action,
                entity_id: l.id.to_string(),
                before: Some(before),
                after: Some(after.clone()),
                reason: Some(reason),
            },
            client,
        )
        .await?;
        let event = serde_json::json!({"lesson_id": l.id.to_string(), "group_id": l.group.to_string(), "change": action, "after": after, "reason": reason});
        outbox::emit(
            &mut tx.conn(),
            Some(l.school),
            "lesson.changed",
            &event,
            self.now(),
        )
        .await?;
        let changed = tt::get_lesson(&mut tx.conn(), l.id.get())
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(changed)
    }

    /// The calendar of a class: year, periods, days off for its grade, week length, bells.
    pub async fn calendar_of(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<CalendarView, AppError> {
        let g = self.class(p, class, self.today()).await?;
        let mut c = self.db.acquire().await?;
        let year = year_of(&mut c.conn(), g.school, self.today()).await?;
        let week_days = repo::list_parallels(&mut c.conn(), year.id)
            .await?
            .into_iter()
            .find(|x| x.grade == g.grade)
            .map_or(5, |x| x.week_days);
        let periods = repo::list_periods(&mut c.conn(), year.id).await?;
        let kind = repo::list_parallels(&mut c.conn(), year.id)
            .await?
            .into_iter()
            .find(|x| x.grade == g.grade)
            .map(|x| x.period_kind);
        let periods = periods
            .into_iter()
            .filter(|x| Some(x.kind) == kind)
            .collect();
        let days_off = repo::list_holidays(&mut c.conn(), year.id)
            .await?
            .into_iter()
            .filter(|h| h.only_grade.is_none_or(|gr| gr == g.grade))
            .collect();
        let shift = tt::group_shift(&mut c.conn(), class).await?;
        let bells = tt::bell_slots(&mut c.conn(), year.id, shift, tt::REGULAR).await?;
        Ok(CalendarView {
            year,
            grade: g.grade,
            week_days,
            periods,
            days_off,
            bells,
        })
    }

    /// Who teaches a class, subgroup, stream or ИУП group: teacher and subjects, from the teaching
    /// assignments of the group and the groups tied to it, and from the timetable.
    pub async fn teachers_of(
        &self,
        p: &Principal,
        group: GroupId,
    ) -> Result<Vec<(String, String, Vec<String>)>, AppError> {
        let g = self.class(p, group, self.today()).await?;
        let mut c = self.db.acquire().await?;
        let mut groups = vec![group];
        if g.kind == tabel_domain::school::GroupKind::Class {
            let year = year_of(&mut c.conn(), g.school, self.today()).await?;
            for other in repo::list_groups(&mut c.conn(), year.id, self.today(), None).await? {
                if other.parent == Some(group)
                    || tt::classes_of_group(&mut c.conn(), other.id)
                        .await?
                        .contains(&group.get())
                        && other.id != group
                {
                    groups.push(other.id);
                }
            }
        }
        let mut by_teacher: Vec<(String, String, Vec<String>)> = Vec::new();
        let mut add = |id: String, name: String, subject: String| match by_teacher
            .iter_mut()
            .find(|t| t.0 == id)
        {
            Some(t) => {
                if !t.2.contains(&subject) {
                    t.2.push(subject);
                }
            }
            None => by_teacher.push((id, name, vec![subject])),
        };
        for gid in &groups {
            for a in repo::assignments_of_group(&mut c.conn(), *gid).await? {
                add(a.teacher.to_string(), a.teacher_name, a.subject);
            }
            for e in tt::entries_of_group(&mut c.conn(), *gid).await? {
                add(e.teacher.to_string(), e.teacher_name, e.subject_name);
            }
        }
        by_teacher.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(by_teacher)
    }

    /// Regenerates a school's lessons from a date (administrators and deputy heads).
    pub async fn regenerate_lessons(
        &self,
        p: &Principal,
        school: SchoolId,
        from: Date,
        client: &Client,
    ) -> Result<u64, AppError> {
        check(may_plan(p, school))?;
        let mut tx = self.db.begin().await?;
        let year = year_of(&mut tx.conn(), school, from).await?;
        let n = regenerate(&mut tx.conn(), school, &year, from).await?;
        audit_change(
            &mut tx.conn(),
            Record {
                school,
                at: self.now(),
                actor: Some(p.user.get()),
                action: "lessons.regenerate",
                entity_id: year.id.to_string(),
                before: None,
                after: Some(serde_json::json!({"from": from.to_string(), "created": n})),
                reason: None,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }
}

/// A teacher who could take a lesson.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// The teacher.
    pub teacher: PersonId,
    /// Full name.
    pub name: String,
    /// Teaches the lesson's subject this year.
    pub qualified: bool,
}

impl App {
    /// Teachers free in a lesson's slot, those teaching its subject first (the substitution desk).
    pub async fn free_teachers(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
    ) -> Result<Vec<Candidate>, AppError> {
        let lesson = lesson.get();
        let mut c = self.db.acquire().await?;
        let l = tt::get_lesson(&mut c.conn(), lesson)
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, l.school))?;
        let busy: HashSet<PersonId> =
            lessons_overlapping(&mut c.conn(), l.year, l.on, (l.shift, l.number))
                .await?
                .into_iter()
                .map(|x| x.teacher)
                .collect();
        let mut out: Vec<Candidate> = repo::list_staff(&mut c.conn(), l.school, l.year, l.on)
            .await?
            .into_iter()
            .filter(|s| !busy.contains(&s.person.id) && !s.subjects.is_empty())
            .map(|s| Candidate {
                teacher: s.person.id,
                name: s.person.full_name(),
                qualified: s.subjects.contains(&l.subject_name),
            })
            .collect();
        out.sort_by_key(|c| !c.qualified);
        Ok(out)
    }

    /// The school's lessons of a day (the desk and the day's changes; staff only).
    pub async fn day_lessons(
        &self,
        p: &Principal,
        school: SchoolId,
        on: Date,
    ) -> Result<Vec<Lesson>, AppError> {
        check(p.may_view_structure(school))?;
        let mut c = self.db.acquire().await?;
        let Some(year) = repo::academic_year_on(&mut c.conn(), school, on).await? else {
            return Ok(Vec::new());
        };
        Ok(tt::lessons_of_day(&mut c.conn(), year.id, on).await?)
    }
}

/// An extra lesson to add outside the timetable.
#[derive(Debug, Clone)]
pub struct ExtraLesson {
    /// The group.
    pub group: GroupId,
    /// Date.
    pub on: Date,
    /// Number.
    pub number: u8,
    /// Subject.
    pub subject: SubjectId,
    /// Teacher.
    pub teacher: PersonId,
    /// Room.
    pub room: String,
}

impl App {
    /// Adds an extra lesson (administrators, deputy heads): on a school day of the group, in
    /// the bell schedule, with nobody in two places; audited and announced.
    pub async fn add_extra_lesson(
        &self,
        p: &Principal,
        x: &ExtraLesson,
        reason: &str,
        client: &Client,
    ) -> Result<Lesson, AppError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(AppError::invalid(
                "reason",
                "say why, in at most 500 characters",
            ));
        }
        if x.room.chars().count() > 20 {
            return Err(AppError::invalid("room", "at most 20 characters"));
        }
        let mut tx = self.db.begin().await?;
        let g = repo::get_group(&mut tx.conn(), x.group, x.on)
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, g.school))?;
        let year = year_of(&mut tx.conn(), g.school, x.on).await?;
        let cal = grade_calendars(&mut tx.conn(), &year).await?;
        if cal
            .get(&g.grade)
            .and_then(|c| c.timetable_day(x.on))
            .is_none()
        {
            return Err(AppError::invalid(
                "date",
                format!("{} is not a school day for grade {}", x.on, g.grade),
            ));
        }
        let shift = tt::group_shift(&mut tx.conn(), x.group).await?;
        if !tt::bell_slots(&mut tx.conn(), year.id, shift, tt::REGULAR)
            .await?
            .iter()
            .any(|b| b.number == x.number)
        {
            return Err(AppError::invalid(
                "number",
                format!("lesson {} is not in the bell schedule", x.number),
            ));
        }
        if !repo::is_staff(&mut tx.conn(), x.teacher, g.school).await? {
            return Err(AppError::invalid(
                "teacher_id",
                "no such teacher in this school",
            ));
        }
        if !repo::list_subjects(&mut tx.conn(), g.school)
            .await?
            .iter()
            .any(|s| s.id == x.subject)
        {
            return Err(AppError::invalid(
                "subject_id",
                "no such subject in this school",
            ));
        }
        let room = x.room.trim();
        for other in lessons_overlapping(&mut tx.conn(), year.id, x.on, (shift, x.number)).await? {
            let when = format!("{} урок {}", x.on, x.number);
            if other.teacher == x.teacher {
                return Err(AppError::Conflict(format!(
                    "{} already teaches {} in {} ({when})",
                    other.teacher_name, other.subject_name, other.group_name
                )));
            }
            if !room.is_empty() && other.room == room {
                return Err(AppError::Conflict(format!(
                    "room {room} is taken by {} ({when})",
                    other.group_name
                )));
            }
            if clash_with_classes(&mut tx.conn(), (x.group, other.group), x.on).await? {
                return Err(AppError::Conflict(format!(
                    "{} already has {} ({when})",
                    other.group_name, other.subject_name
                )));
            }
        }
        tt::insert_lessons(
            &mut tx.conn(),
            &[NewLesson {
                school: g.school,
                year: year.id,
                group: x.group,
                on: x.on,
                number: x.number,
                subject: x.subject,
                teacher: x.teacher,
                room,
                status: LessonStatus::Extra,
                entry: None,
            }],
        )
        .await?;
        let added = tt::lessons_in_slot(&mut tx.conn(), year.id, x.on, x.number)
            .await?
            .into_iter()
            .filter(|l| l.group == x.group && l.status == LessonStatus::Extra)
            .max_by_key(|l| l.id)
            .ok_or(AppError::NotFound)?;
        let after = serde_json::json!({"group_id": x.group.to_string(), "date": x.on.to_string(), "number": x.number,
            "subject_id": x.subject.to_string(), "teacher_id": x.teacher.to_string(), "room": room});
        audit_change(
            &mut tx.conn(),
            Record {
                school: g.school,
                at: self.now(),
                actor: Some(p.user.get()),
                action: "lesson.extra",
                entity_id: added.id.to_string(),
                before: None,
                after: Some(after.clone()),
                reason: Some(reason),
            },
            client,
        )
        .await?;
        outbox::emit(
            &mut tx.conn(),
            Some(g.school),
            "lesson.changed",
            &after,
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Marks a date as following a bell-schedule variant, e.g. a shortened day (planners).
    pub async fn set_bell_day(
        &self,
        p: &Principal,
        school: SchoolId,
        on: Date,
        variant: &str,
        client: &Client,
    ) -> Result<(), AppError> {
        check(may_plan(p, school))?;
        if variant != tt::REGULAR && variant != tt::SHORT {
            return Err(AppError::invalid("variant", "use regular or short"));
        }
        let mut tx = self.db.begin().await?;
        let year = year_of(&mut tx.conn(), school, on).await?;
        if on < year.starts_on || on > year.ends_on {
            return Err(AppError::invalid("date", "outside the school year"));
        }
        if variant == tt::SHORT
            && tt::bell_slots(&mut tx.conn(), year.id, 1, tt::SHORT)
                .await?
                .is_empty()
        {
            return Err(AppError::invalid(
                "variant",
                "set the short bell schedule first",
            ));
        }
        tt::set_bell_day(&mut tx.conn(), school, year.id, on, variant).await?;
        audit_change(
            &mut tx.conn(),
            Record {
                school,
                at: self.now(),
                actor: Some(p.user.get()),
                action: "bells.day",
                entity_id: on.to_string(),
                before: None,
                after: Some(serde_json::json!({"variant": variant})),
                reason: None,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl App {
    /// Ends a weekly line after `last_day` (the timetable changes mid-year) and regenerates the
    /// lessons from the next day; lessons with journal data or changes stay (planners).
    pub async fn end_timetable_entry(
        &self,
        p: &Principal,
        entry: tabel_domain::TimetableLineId,
        last_day: Date,
        client: &Client,
    ) -> Result<u64, AppError> {
        let entry = entry.get();
        let mut tx = self.db.begin().await?;
        let (school, group, valid_from, valid_to) = tt::entry_scope(&mut tx.conn(), entry)
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, school))?;
        let year = year_of(&mut tx.conn(), school, valid_from).await?;
        let earliest = valid_from - Duration::days(1);
        if last_day < earliest || last_day > year.ends_on {
            return Err(AppError::invalid(
                "last_day",
                format!("between {earliest} (removes the line) and {}", year.ends_on),
            ));
        }
        if valid_to.is_some_and(|t| last_day > t) {
            return Err(AppError::invalid(
                "last_day",
                "the line already ends earlier",
            ));
        }
        tt::end_entry(&mut tx.conn(), entry, last_day).await?;
        let created =
            regenerate(&mut tx.conn(), school, &year, last_day + Duration::days(1)).await?;
        audit_change(
            &mut tx.conn(),
            Record {
                school,
                at: self.now(),
                actor: Some(p.user.get()),
                action: "timetable.end",
                entity_id: entry.to_string(),
                before: Some(serde_json::json!({"valid_to": valid_to.map(|d| d.to_string())})),
                after: Some(serde_json::json!({"valid_to": last_day.to_string(), "group_id": group.to_string(), "lessons_created": created})),
                reason: None,
            },
            client,
        )
        .await?;
        outbox::emit(
            &mut tx.conn(),
            Some(school),
            "timetable.changed",
            &serde_json::json!({"entry_id": entry.to_string(), "valid_to": last_day.to_string()}),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }
}
