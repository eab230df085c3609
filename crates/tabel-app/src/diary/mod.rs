//! The family's cabinet — the electronic diary (регламент, п. 2): a pupil's day, week, marks by
//! subject with the weighted average, the schedule of control works, teachers, calendar,
//! homework and teachers' recommendations, for the pupil and the pupil's legal representatives.
//!
//! Every use case here starts with the same gate: the pupil's card is read and
//! [`Principal::may_view_student`] decides — staff of the school, the pupil, a parent whose consent
//! to the processing for the diary is in force. A parent's own child without that consent gets
//! [`AppError::NoConsent`] (nothing of the child is read past the card); anyone else gets
//! [`AppError::NotFound`], whether the pupil exists or not.
//!
//! Each view is read in a fixed handful of queries (see `tabel_store::diary`): one per list,
//! never one per lesson.

use crate::{App, AppError, check};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError};
use std::time::Instant;
use tabel_domain::access::{Principal, StudentFacts};
use tabel_domain::journal::{Attendance, Average};
use tabel_domain::school::{ConsentState, DayOffKind, GroupKind};
use tabel_domain::{LessonId, PeriodId, PersonId, SchoolId, SubjectId};
use tabel_store::assessment::Assessment;
use tabel_store::diary::{self as repo, DatedAttendance, DiaryLesson, GroupTeacher, YearBell};
use tabel_store::finals::Slot;
use tabel_store::homework_files::{self as files_repo, HomeworkFile};
use tabel_store::journal::{self as journal_repo, AttendanceEntry, LessonRecord, MarkEntry};
use tabel_store::school::{self as school_repo, ChildLink, Group, Holiday, Period, StudentCard};
use tabel_store::timetable::{Lesson, REGULAR};
use tabel_store::{Conn, audit};
use time::{Date, Duration, Weekday};

pub use tabel_store::diary::NamedRecommendation;

mod class;
mod marks;
mod today;
mod week;

pub use class::*;
pub use marks::*;
pub use today::*;
pub use week::*;

/// How many days back "new marks" reach on the day page (today included).
pub const NEW_MARKS_DAYS: i64 = 3;
/// How many days ahead the day page lists control works.
pub const ASSESSMENTS_AHEAD_DAYS: i64 = 14;
/// How many recommendations the day page shows.
pub const LATEST_RECOMMENDATIONS: usize = 3;
/// The longest homework range asked for at once.
pub const MAX_HOMEWORK_DAYS: i64 = 62;

/// `2026-W48`: the ISO week of a date.
pub fn iso_week(d: Date) -> String {
    let (year, week, _) = d.to_iso_week_date();
    format!("{year}-W{week:02}")
}

/// The Monday of an ISO week written `2026-W48` (or `2026-w48`); `None` when malformed or when
/// the year has no such week.
pub fn parse_iso_week(raw: &str) -> Option<Date> {
    let (year, week) = raw.trim().split_once(['W', 'w'])?;
    let year: i32 = year.strip_suffix('-')?.parse().ok()?;
    if week.len() != 2 || !tabel_domain::calendar::PLAUSIBLE_YEARS.contains(&year) {
        return None;
    }
    let week: u8 = week.parse().ok()?;
    Date::from_iso_week_date(year, week, Weekday::Monday).ok()
}

/// Monday of the week containing `d`.
pub fn monday_of(d: Date) -> Date {
    d - Duration::days(i64::from(d.weekday().number_days_from_monday()))
}

/// The pupil whose diary is read, as every view carries it (the page header).
#[derive(Debug, Clone, Serialize)]
pub struct DiaryChild {
    /// The pupil's card.
    pub card: StudentCard,
    /// The pupil's class today, if any.
    pub class: Option<Group>,
    /// Every group the pupil is in today (class, subgroups, streams, ИУП).
    pub groups: Vec<Group>,
}

/// A linked child on the parent's own page.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyChild {
    /// The link with the consent states.
    pub link: ChildLink,
    /// Whether the diary of the child is open to the parent now.
    pub visible: bool,
}

impl App {
    /// The gate of every diary use case: the pupil exists and `p` may see them (staff, the
    /// pupil, a parent with consent); `NoConsent` for a parent's own child without consent,
    /// `NotFound` otherwise.
    async fn diary_gate(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        student: PersonId,
    ) -> Result<StudentCard, AppError> {
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        check(p.may_view_student(&StudentFacts {
            student,
            school: card.school,
        }))?;
        Ok(card)
    }

    /// The gate, then the pupil with today's groups.
    pub(crate) async fn diary_child(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        student: PersonId,
    ) -> Result<DiaryChild, AppError> {
        let card = self.diary_gate(c, p, student).await?;
        let groups = school_repo::groups_of_student(c, student, self.today()).await?;
        let class = groups.iter().find(|g| g.kind == GroupKind::Class).cloned();
        Ok(DiaryChild {
            card,
            class,
            groups,
        })
    }

    /// The family of the user: a parent's linked children with consent states (for the child
    /// picker and the parent's own page); empty for anyone else.
    pub async fn family(&self, p: &Principal) -> Result<Vec<FamilyChild>, AppError> {
        if p.children.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .my_children(p)
            .await?
            .into_iter()
            .map(|link| FamilyChild {
                visible: link.diary_consent == Some(ConsentState::Given)
                    && p.may_view_student(&StudentFacts {
                        student: link.student.id,
                        school: link.school,
                    })
                    .allowed(),
                link,
            })
            .collect())
    }
}

impl App {
    /// The requested period of the pupil's grade, or the current one (else the last started,
    /// else the first), with every period of the grade.
    async fn period_of_child(
        &self,
        c: &mut Conn<'_>,
        child: &DiaryChild,
        wanted: Option<PeriodId>,
    ) -> Result<(Period, Vec<Period>), AppError> {
        let class = child.class.as_ref().ok_or_else(|| {
            AppError::Conflict("the pupil is not in a class this school year".into())
        })?;
        let periods = grade_periods(c, class).await?;
        let today = self.today();
        let period = match wanted {
            Some(id) => periods
                .iter()
                .find(|x| x.id == id)
                .cloned()
                .ok_or_else(|| AppError::invalid("period", "no such period for this pupil"))?,
            None => periods
                .iter()
                .find(|x| x.starts_on <= today && today <= x.ends_on)
                .or_else(|| periods.iter().rev().find(|x| x.starts_on <= today))
                .or_else(|| periods.first())
                .cloned()
                .ok_or_else(|| {
                    AppError::Conflict("the class's year has no reporting periods".into())
                })?,
        };
        Ok((period, periods))
    }

    /// Homework due in a range with its files: two queries.
    async fn homework_items(
        &self,
        c: &mut Conn<'_>,
        student: PersonId,
        range: (Date, Date),
    ) -> Result<Vec<HomeworkItem>, AppError> {
        let lessons = repo::homework_of_student(c, student, range).await?;
        let ids: Vec<i64> = lessons.iter().map(|l| l.lesson.id.get()).collect();
        let mut files = files_by_lesson(files_repo::files_of_lessons(c, &ids).await?);
        Ok(lessons
            .into_iter()
            .map(|DiaryLesson { lesson, record }| HomeworkItem {
                due: record.record.homework_due_on.unwrap_or(lesson.on),
                files: files.remove(&lesson.id).unwrap_or_default(),
                record: record.record,
                lesson,
            })
            .collect())
    }

    /// Lessons with bells, files, marks and attendance put on them; marks not on any of the
    /// lessons are returned apart. Four queries (files, bells, bell days, policy) and the
    /// subjects' names when a mark needs one.
    async fn diary_parts(
        &self,
        c: &mut Conn<'_>,
        child: &DiaryChild,
        lessons: Vec<DiaryLesson>,
        range: (Date, Date),
        marks: Vec<MarkEntry>,
        attendance: Vec<DatedAttendance>,
    ) -> Result<Parts, AppError> {
        let ids: Vec<i64> = lessons.iter().map(|l| l.lesson.id.get()).collect();
        let mut files = files_by_lesson(files_repo::files_of_lessons(c, &ids).await?);
        let year = lessons
            .first()
            .map(|l| l.lesson.year)
            .or(child.class.as_ref().map(|g| g.year));
        let (bells, variants): (Vec<YearBell>, HashMap<Date, String>) = match year {
            Some(y) if !lessons.is_empty() => (
                repo::bells_of_year(c, y).await?,
                repo::bell_days_between(c, y, range)
                    .await?
                    .into_iter()
                    .collect(),
            ),
            _ => (Vec::new(), HashMap::new()),
        };
        let policy = self.policy_of(c, child.card.school).await?;
        let lesson_subjects: HashMap<LessonId, String> = lessons
            .iter()
            .map(|l| (l.lesson.id, l.lesson.subject_name.clone()))
            .collect();
        let needs_names = marks
            .iter()
            .any(|m| m.lesson.is_none_or(|id| !lesson_subjects.contains_key(&id)));
        let names = if needs_names {
            subject_names(c, child.card.school).await?
        } else {
            lessons
                .iter()
                .map(|l| (l.lesson.subject, l.lesson.subject_name.clone()))
                .collect()
        };
        let mut marks_by_lesson: HashMap<LessonId, Vec<DiaryMark>> = HashMap::new();
        let mut other_marks = Vec::new();
        for m in marks {
            let lesson = m.lesson.filter(|id| lesson_subjects.contains_key(id));
            let dm = diary_mark(&policy.policy, &names, m);
            match lesson {
                Some(id) => marks_by_lesson.entry(id).or_default().push(dm),
                None => other_marks.push(dm),
            }
        }
        let mut attendance_by_lesson: HashMap<LessonId, AttendanceEntry> = attendance
            .into_iter()
            .map(|a| (a.attendance.lesson, a.attendance))
            .collect();
        let views = lessons
            .into_iter()
            .map(|DiaryLesson { lesson, record }| {
                let slot = bell_of(&bells, &variants, &lesson);
                DiaryLessonView {
                    starts: slot.map(|s| s.0),
                    ends: slot.map(|s| s.1),
                    files: files.remove(&lesson.id).unwrap_or_default(),
                    marks: marks_by_lesson.remove(&lesson.id).unwrap_or_default(),
                    attendance: attendance_by_lesson.remove(&lesson.id),
                    record: record.record,
                    lesson,
                }
            })
            .collect();
        Ok(Parts {
            lessons: views,
            other_marks,
        })
    }

    /// Whether `p` may download the homework files of a lesson as family: a pupil of the
    /// lesson's group on its date, or a parent of one with the diary consent in force (through
    /// the same gate as the diary). A parent of a pupil of the group without consent gets
    /// [`AppError::NoConsent`]; anyone else gets `denied` (the journal's answer).
    pub(crate) async fn lesson_family_reader(
        &self,
        p: &Principal,
        l: &Lesson,
        denied: AppError,
    ) -> Result<(), AppError> {
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let mut candidates: Vec<PersonId> = Vec::new();
        if let Some(me) = p.person.filter(|_| p.student_in == Some(l.school)) {
            candidates.push(me);
        }
        candidates.extend(
            p.children
                .iter()
                .filter(|x| x.school == l.school)
                .map(|x| x.student),
        );
        let mut no_consent = false;
        for pupil in candidates {
            if !journal_repo::was_member(c, l.group, pupil, l.on).await? {
                continue;
            }
            match check(p.may_view_student(&StudentFacts {
                student: pupil,
                school: l.school,
            })) {
                Ok(()) => return Ok(()),
                Err(AppError::NoConsent) => no_consent = true,
                Err(_) => {}
            }
        }
        Err(if no_consent {
            AppError::NoConsent
        } else {
            denied
        })
    }
}

/// What [`App::diary_parts`] puts together.
struct Parts {
    lessons: Vec<DiaryLessonView>,
    other_marks: Vec<DiaryMark>,
}

/// The reporting periods of a class's grade (the kind its parallel uses), by number.
async fn grade_periods(c: &mut Conn<'_>, class: &Group) -> Result<Vec<Period>, AppError> {
    let kind = school_repo::list_parallels(c, class.year)
        .await?
        .into_iter()
        .find(|x| x.grade == class.grade)
        .map(|x| x.period_kind);
    Ok(school_repo::list_periods(c, class.year)
        .await?
        .into_iter()
        .filter(|x| Some(x.kind) == kind)
        .collect())
}

async fn subject_names(
    c: &mut Conn<'_>,
    school: tabel_domain::SchoolId,
) -> Result<HashMap<SubjectId, String>, AppError> {
    Ok(school_repo::list_subjects(c, school)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

fn diary_mark(
    policy: &tabel_domain::journal::GradingPolicy,
    names: &HashMap<SubjectId, String>,
    m: MarkEntry,
) -> DiaryMark {
    DiaryMark {
        subject_name: names.get(&m.subject).cloned().unwrap_or_default(),
        work_name: tabel_present::work_name(policy, &m.work_type).to_owned(),
        mark: m,
    }
}

fn files_by_lesson(files: Vec<HomeworkFile>) -> HashMap<LessonId, Vec<HomeworkFile>> {
    let mut out: HashMap<LessonId, Vec<HomeworkFile>> = HashMap::new();
    for f in files {
        out.entry(f.lesson).or_default().push(f);
    }
    out
}

/// The bell times of a lesson: its shift's slot in the day's variant, else the regular one.
fn bell_of(bells: &[YearBell], variants: &HashMap<Date, String>, l: &Lesson) -> Option<(u16, u16)> {
    let variant = variants.get(&l.on).map_or(REGULAR, String::as_str);
    let find = |v: &str| {
        bells
            .iter()
            .find(|(shift, var, slot)| *shift == l.shift && var == v && slot.number == l.number)
            .map(|(_, _, s)| (s.starts, s.ends))
    };
    find(variant).or_else(|| find(REGULAR))
}

/// The holiday or non-working day covering a date (a worked day is a school day).
fn day_off(holidays: &[Holiday], on: Date) -> Option<Holiday> {
    holidays
        .iter()
        .find(|h| h.kind != DayOffKind::WorkingDay && h.starts_on <= on && on <= h.ends_on)
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn iso_weeks_round_trip_and_bad_ones_are_refused() {
        assert_eq!(iso_week(date!(2026 - 11 - 28)), "2026-W48");
        assert_eq!(parse_iso_week("2026-W48"), Some(date!(2026 - 11 - 23)));
        assert_eq!(parse_iso_week("2026-w48"), Some(date!(2026 - 11 - 23)));
        // 1 January 2027 is a Friday: it belongs to the last week of 2026.
        assert_eq!(iso_week(date!(2027 - 01 - 01)), "2026-W53");
        assert_eq!(parse_iso_week("2026-W53"), Some(date!(2026 - 12 - 28)));
        for bad in [
            "",
            "2026",
            "2026-48",
            "2026-W",
            "2026-W4",
            "2026-W480",
            "2025-W53",
            "2026-W00",
            "x-W10",
            "2026W48",
        ] {
            assert_eq!(parse_iso_week(bad), None, "{bad:?}");
        }
        for d in [
            date!(2026 - 09 - 01),
            date!(2027 - 05 - 31),
            date!(2026 - 12 - 31),
        ] {
            let monday = parse_iso_week(&iso_week(d)).unwrap();
            assert_eq!(monday, monday_of(d));
        }
    }

    #[test]
    fn the_shortened_day_takes_its_bells_and_falls_back_to_the_regular_ones() {
        let slot = |n, s, e| tabel_domain::timetable::BellSlot {
            number: n,
            starts: s,
            ends: e,
        };
        let bells: Vec<YearBell> = vec![
            (1, REGULAR.into(), slot(1, 510, 555)),
            (1, REGULAR.into(), slot(2, 565, 610)),
            (1, "short".into(), slot(1, 510, 540)),
            (2, REGULAR.into(), slot(1, 810, 855)),
        ];
        let mut l = Lesson {
            id: LessonId::new(1),
            school: tabel_domain::SchoolId::new(1),
            year: tabel_domain::AcademicYearId::new(1),
            group: tabel_domain::GroupId::new(1),
            group_name: "5А".into(),
            grade: 5,
            on: date!(2026 - 11 - 23),
            number: 1,
            subject: SubjectId::new(1),
            subject_name: "Математика".into(),
            teacher: PersonId::new(1),
            teacher_name: "Смирнова Е. В.".into(),
            room: String::new(),
            status: tabel_domain::timetable::LessonStatus::Planned,
            original_teacher: None,
            original_teacher_name: None,
            original_date: None,
            original_number: None,
            reason: None,
            cause: None,
            has_journal_data: false,
            version: 1,
            shift: 1,
            lesson_type: None,
        };
        let mut days = HashMap::new();
        assert_eq!(bell_of(&bells, &days, &l), Some((510, 555)));
        days.insert(l.on, "short".to_owned());
        assert_eq!(bell_of(&bells, &days, &l), Some((510, 540)));
        l.number = 2;
        assert_eq!(bell_of(&bells, &days, &l), Some((565, 610)));
        l.shift = 2;
        l.number = 1;
        assert_eq!(bell_of(&bells, &days, &l), Some((810, 855)));
        l.number = 7;
        assert_eq!(bell_of(&bells, &days, &l), None);
    }
}
