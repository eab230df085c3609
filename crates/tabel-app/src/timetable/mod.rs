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

mod calendar;
mod lessons;
mod plan;

pub use calendar::*;
pub use lessons::*;
pub use plan::*;

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
