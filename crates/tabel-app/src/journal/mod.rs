//! The class journal: the grading policy, lesson records (topic, type, homework), marks,
//! attendance, recommendations, the teacher's grid, cell history and closing periods.
//!
//! Who may write: the teacher of the lesson (the substitute, for a substituted lesson), its
//! original teacher, and the teacher assigned to the group × subject; administrators only as a
//! correction with a reason. Deputies and class teachers read. A closed period (closed for the
//! whole school, or for the lesson's class) and a closed (frozen) year take writes only from an
//! administrator with a reason. Every cell carries a version: a stale write gets
//! [`AppError::Stale`] with the current value and changes nothing.

use crate::{App, AppError, Client, FieldErrors, check};
use serde::Serialize;
use std::collections::HashMap;
use tabel_domain::access::Principal;
use tabel_domain::journal::{Attendance, Average, GradingPolicy, Mark, homework_limit_minutes};
use tabel_domain::school::Role;
use tabel_domain::timetable::LessonStatus;
use tabel_domain::{GroupId, LessonId, MarkId, PeriodId, PersonId, SchoolId, SubjectId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::journal::{
    self as repo, AttendanceEntry, AttendanceWrite, LessonRecord, MarkChange, MarkEntry, NewMark,
    RosterEntry, VersionedRecord,
};
use tabel_store::school::{self as school_repo, Group, Period};
use tabel_store::timetable::{self as tt, Lesson};
use tabel_store::{Conn, StoreError, outbox};
use time::{Date, OffsetDateTime};

mod attendance;
mod grid;
mod lessons;
mod marks;
mod policy;
mod recommendations;

pub use attendance::*;
pub use grid::*;
pub use lessons::*;
pub use marks::*;
pub use policy::*;

/// Longest homework, topic and comment texts.
const MAX_TEXT: usize = 4000;

/// What a writer is to a lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writer {
    /// Its teacher, substitute, original teacher, or the assigned teacher.
    Teacher,
    /// An administrator: only corrections with a reason.
    Admin,
}

fn cell_key(lesson: i64, student: PersonId) -> String {
    format!("{lesson}:{student}")
}

fn text(field: &str, raw: &str, errors: &mut FieldErrors) -> String {
    let t = raw.trim();
    if t.chars().count() > MAX_TEXT {
        errors.insert(field.into(), format!("at most {MAX_TEXT} characters"));
    }
    t.to_owned()
}

fn stale(what: &str, current: Option<serde_json::Value>) -> AppError {
    AppError::Stale {
        detail: format!("{what} was changed by someone else; here is the current value"),
        current,
    }
}

/// The period of a parallel containing a date, and the parallel's periods, each `locked_at`
/// as the group sees it: closed for the whole school, for the group's class (or a class of its
/// stream), or the year's closing when the year is frozen.
pub(crate) async fn period_of(
    conn: &mut Conn<'_>,
    g: &Group,
    on: Date,
) -> Result<(Option<Period>, Vec<Period>), AppError> {
    let kind = school_repo::list_parallels(conn, g.year)
        .await?
        .into_iter()
        .find(|p| p.grade == g.grade)
        .map(|p| p.period_kind);
    let mut periods: Vec<Period> = school_repo::list_periods(conn, g.year)
        .await?
        .into_iter()
        .filter(|p| Some(p.kind) == kind)
        .collect();
    let frozen = tabel_store::closing::year_frozen(conn, g.year).await?;
    for p in &mut periods {
        if p.locked_at.is_none() {
            p.locked_at = match frozen {
                Some(at) => Some(at),
                None => tabel_store::closing::locked_for_group(conn, p.id, g.id).await?,
            };
        }
    }
    let current = periods
        .iter()
        .find(|p| p.starts_on <= on && on <= p.ends_on)
        .cloned();
    Ok((current, periods))
}

/// What a writer may do on a lesson: how they write, the lesson's group, and the reporting
/// period the lesson falls in (checked again inside the write transaction).
pub(crate) struct WriteRight {
    /// The lesson group's grade.
    grade: u8,
    /// Its name, for messages.
    name: String,
    period: Option<PeriodId>,
}

/// Checks that `p` may write on a lesson (its teacher, substitute, original or assigned
/// teacher; or an administrator with a reason) and that its period is open (or that an
/// administrator corrects it).
pub(crate) async fn writer_of(
    conn: &mut Conn<'_>,
    p: &Principal,
    lesson: &Lesson,
    reason: Option<&str>,
) -> Result<WriteRight, AppError> {
    write_right(conn, p, lesson, false, reason).await
}

/// [`writer_of`] for a lesson, or for a standalone work (`standalone`: the group's journal on a
/// date, with no lesson): a standalone work is written only by a teacher whose assignment to the
/// subject in the group runs on that date (or an administrator), never by whoever the timetable
/// names on a lesson nearby.
pub(crate) async fn write_right(
    conn: &mut Conn<'_>,
    p: &Principal,
    lesson: &Lesson,
    standalone: bool,
    reason: Option<&str>,
) -> Result<WriteRight, AppError> {
    let me = p.person;
    let teacher = p.has_role(Role::Teacher, lesson.school)
        && match me {
            Some(me) => {
                // The journal's teacher writes on the days an assignment of theirs runs: once
                // it is ended (or before it starts) the lessons of other days are not theirs,
                // even where the timetable still names them. A substitute writes the lesson
                // they took; a timetable's teacher nobody assigned writes their own lessons.
                let (any, running) = tabel_store::teaching::assignment_cover(
                    conn,
                    me,
                    lesson.group,
                    lesson.subject,
                    lesson.on,
                )
                .await?;
                let substitute =
                    lesson.teacher == me && lesson.original_teacher.is_some_and(|o| o != me);
                let on_lesson = lesson.teacher == me || lesson.original_teacher == Some(me);
                running || (!standalone && (substitute || (on_lesson && !any)))
            }
            None => false,
        };
    let writer = if teacher {
        Writer::Teacher
    } else if p.is_admin_of(lesson.school) {
        Writer::Admin
    } else if p.is_staff_of(lesson.school) || p.schools().contains(&lesson.school) {
        return Err(AppError::Forbidden);
    } else {
        return Err(AppError::NotFound);
    };
    let period = repo::period_on(conn, lesson.year, lesson.grade, lesson.on, lesson.group).await?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > crate::MAX_REASON_CHARS) {
        return Err(AppError::invalid(
            "reason",
            format!("at most {} characters", crate::MAX_REASON_CHARS),
        ));
    }
    if writer == Writer::Admin && reason.is_none() {
        return Err(AppError::invalid(
            "reason",
            "an administrator corrects the journal with a written reason",
        ));
    }
    if writer != Writer::Admin {
        if tabel_store::closing::year_frozen(conn, lesson.year)
            .await?
            .is_some()
        {
            return Err(frozen());
        }
        if period.is_some_and(|(_, locked)| locked) {
            return Err(closed());
        }
    }
    Ok(WriteRight {
        grade: lesson.grade,
        name: lesson.group_name.clone(),
        period: period.map(|(id, _)| id),
    })
}

fn closed() -> AppError {
    AppError::Conflict("the period is closed; an administrator can correct it with a reason".into())
}

/// The refusal of a plain write into a closed (frozen) school year.
pub(crate) fn frozen() -> AppError {
    AppError::Conflict(
        "the school year is closed; an administrator can correct it with a reason".into(),
    )
}

fn no_grade_one(grade: u8, what: &str) -> Result<(), AppError> {
    if grade == 1 {
        return Err(AppError::invalid(
            what,
            "grade 1 has no marks and no homework (first-grade rules)",
        ));
    }
    Ok(())
}

struct Audit<'a> {
    school: SchoolId,
    actor: i64,
    action: &'a str,
    entity: &'a str,
    key: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    reason: Option<&'a str>,
}

async fn write_audit(
    conn: &mut Conn<'_>,
    a: Audit<'_>,
    client: &Client,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    audit::append(
        conn,
        &AuditEntry {
            chain: a.school.get(),
            at,
            actor: Some(a.actor),
            action: a.action,
            entity: a.entity,
            entity_id: a.key,
            before: a.before,
            after: a.after,
            reason: a.reason.map(str::trim).filter(|r| !r.is_empty()),
            origin: Some(&client.address),
        },
    )
    .await?;
    Ok(())
}

impl App {
    /// Whether `p` reads the journal of a lesson: its teacher (or the one substituted), a
    /// teacher assigned to it, the class teacher, the school's administrators and deputy heads.
    /// Other staff of the school are refused (403), and so are the pupils of the lesson's group
    /// and their parents (they see the lesson in the diary); anyone else is told nothing (404,
    /// as for a lesson that does not exist).
    pub(crate) async fn journal_reader(&self, p: &Principal, l: &Lesson) -> Result<(), AppError> {
        let (class, mine) = {
            let mut c = self.db.acquire().await?;
            let c = &mut c.conn();
            let g = school_repo::get_group(c, l.group, l.on)
                .await?
                .ok_or(AppError::NotFound)?;
            let mine = match p.person {
                Some(me) => {
                    l.teacher == me
                        || l.original_teacher == Some(me)
                        || repo::is_assigned(c, me, l.group, l.subject).await?
                }
                None => false,
            };
            (g.parent.unwrap_or(g.id), mine)
        };
        if mine
            || p.is_admin_of(l.school)
            || p.has_role(Role::Deputy, l.school)
            || p.class_teacher_of
                .iter()
                .any(|(s, k)| *s == l.school && *k == class)
        {
            Ok(())
        } else if p.is_staff_of(l.school) {
            Err(AppError::Forbidden)
        } else if p.schools().contains(&l.school) {
            match self.lesson_family_reader(p, l, AppError::NotFound).await {
                Ok(()) | Err(AppError::NoConsent) => Err(AppError::Forbidden),
                Err(e) => Err(e),
            }
        } else {
            Err(AppError::NotFound)
        }
    }
}
