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

mod attendance;
mod marks;
mod plan;
mod records;

use crate::model::{DemoJournal, DemoSchool};
use crate::rng::SplitMix64;
use crate::{Ctx, DemoError};
use attendance::DraftAbsence;
use marks::DraftMark;
use plan::Plan;
use std::collections::HashMap;
use tabel_domain::journal::{Attendance, GradingPolicy, Mark};
use tabel_domain::timetable::LessonStatus;
use tabel_store::Conn;
use tabel_store::journal::{
    self as repo, AttendanceWrite, LessonRecord, LessonSlot, NewAttendance, NewMark,
};

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
    .filter(|l| l.status != LessonStatus::Cancelled.code())
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

/// What the plan wrote.
#[derive(Debug, Default)]
struct Written<'p> {
    marks: Vec<DraftMark<'p>>,
    absences: Vec<DraftAbsence>,
    records: Vec<(i64, LessonRecord)>,
    illnesses: u64,
}
