//! Final marks (regulation points 3–6): the proposal from the journal under the school's policy,
//! the teacher's confirmation or another value with a reason, the lock of a closed period
//! (administrators correct it with a reason), publication to the family at once (the diary reads
//! the stored marks; an outbox event per mark), the forecast of the current period and the
//! summary sheet of a class. (A pupil's record across the years is [`crate::record`].)

use crate::journal::{JournalView, period_of};
use crate::{App, AppError, Client, check};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tabel_domain::access::{Principal, StudentFacts};
use tabel_domain::finals::{self as rules, FinalValue, Forecast, PeriodFacts, Proposal};
use tabel_domain::journal::{Attendance, Average, GradingPolicy, Mark, Scale};
use tabel_domain::school::{GroupKind, Role};
use tabel_domain::timetable::LessonStatus;
use tabel_domain::{AcademicYearId, GroupId, LessonId, PeriodId, PersonId, SchoolId, SubjectId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::debts::{self as debts_repo, Deferral};
use tabel_store::finals::{self as repo, FinalRecord, NewFinal, Slot};
use tabel_store::journal::{self as journal_repo, RosterEntry};
use tabel_store::school::{self as school_repo, Group, Period};
use tabel_store::{Conn, outbox};
use time::Date;

mod certificate;
mod exemptions;
mod forecast;
mod proposals;
mod set;
mod sheet;
mod summary;

pub use certificate::*;
pub use exemptions::*;
pub use forecast::*;
pub use proposals::*;
pub use set::*;
pub use sheet::*;
pub use summary::*;

/// Minutes of a lesson, for "late by more than half of it counts as missed".
const LESSON_MINUTES: u16 = 45;

fn value_of(code: &str) -> String {
    FinalValue::from_code(code).map_or_else(|| code.to_owned(), |v| v.to_string())
}

/// The facts of a pupil in a journal's period, from the grid's data.
fn facts_of(v: &JournalView, entry: &RosterEntry, until: Date) -> PeriodFacts {
    let policy = &v.policy.policy;
    let subject = v.subject.get();
    let mut f = PeriodFacts::default();
    for m in v.marks.iter().filter(|m| m.student == entry.student) {
        match policy.parse_mark(&m.value, subject) {
            Ok(Mark::Pass) => f.passes += 1,
            Ok(Mark::Fail) => f.fails += 1,
            Ok(mark) => {
                f.has_two |= mark.has_two();
                f.average.add(mark, m.weight);
            }
            Err(_) => {}
        }
    }
    let member = |on: Date| entry.was_in(on);
    let held: Vec<LessonId> = v
        .lessons
        .iter()
        .filter(|l| {
            l.lesson.status != LessonStatus::Cancelled
                && l.lesson.on <= until
                && member(l.lesson.on)
        })
        .map(|l| l.lesson.id)
        .collect();
    f.lessons_held = u32::try_from(held.len()).unwrap_or(u32::MAX);
    f.lessons_missed = u32::try_from(
        v.attendance
            .iter()
            .filter(|a| a.student == entry.student && held.contains(&a.lesson))
            .filter(|a| {
                a.code
                    .missed_lesson(a.minutes_late.unwrap_or(0), LESSON_MINUTES)
            })
            .count(),
    )
    .unwrap_or(u32::MAX);
    f
}

fn scale_of(policy: &GradingPolicy, subject: SubjectId) -> Scale {
    policy.scale_of(subject.get())
}

/// The gate of a pupil's data: the pupil's school when the viewer may see the pupil.
pub(crate) async fn gate(
    c: &mut Conn<'_>,
    p: &Principal,
    student: PersonId,
) -> Result<SchoolId, AppError> {
    let card = school_repo::get_student(c, student)
        .await?
        .ok_or(AppError::NotFound)?;
    check(p.may_view_student(&StudentFacts {
        student,
        school: card.school,
    }))?;
    Ok(card.school)
}

pub(crate) fn final_json(f: &FinalRecord) -> serde_json::Value {
    serde_json::json!({
        "id": f.id.to_string(), "student_id": f.student.to_string(), "subject_id": f.subject.to_string(),
        "slot": f.slot.code(), "period_id": f.slot.period().map(|p: PeriodId| p.to_string()),
        "value": f.value, "proposal": f.proposal, "reason": f.reason, "version": f.version,
    })
}
