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

mod bells;
mod changes;
mod lines;
mod placement;
mod state;

use crate::model::*;
use crate::rng::SplitMix64;
use crate::{Ctx, DemoError};
use bells::{regular_bells, short_bells, short_days};
use changes::Changes;
use lines::{problem, rooms};
use placement::plan;
use tabel_app::AppError;
use tabel_domain::timetable::BellSchedule;
use tabel_store::Conn;
use tabel_store::school as repo;
use tabel_store::timetable::{self as tt, NewEntry};

/// Lessons in the bell schedule.
const NUMBERS: u8 = 8;

/// Lessons a day may hold in a grade: 4 in grade 1, 5 in 2–4, 7 from grade 5 (СанПиН allows
/// one more in some grades; the demo stays below).
const fn day_limit(grade: u8) -> u8 {
    match grade {
        0 | 1 => 4,
        2..=4 => 5,
        _ => 7,
    }
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
