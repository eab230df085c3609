//! The school calendar as days of lessons, the bell schedule, and dated lessons made from the
//! weekly timetable. Pure rules: which dates are school days for a grade, which weekday's
//! timetable a date follows, which lessons a timetable yields, and when two lessons collide.

use crate::code::coded_enum;
use crate::school::DayOffKind;
use crate::{AcademicYearId, GroupId, LessonId, PersonId, SchoolId, SubjectId, TimetableLineId};
use serde::Serialize;
use time::{Date, Weekday};

/// A day off or a worked day of the calendar, as the lesson rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayOff {
    /// Holiday (каникулы), non-working public holiday, or a worked day (transfer).
    pub kind: DayOffKind,
    /// First day.
    pub starts_on: Date,
    /// Last day (inclusive).
    pub ends_on: Date,
    /// Applies to one grade only (grade 1's extra February week), or to all.
    pub only_grade: Option<u8>,
    /// For a worked day: the weekday (1 = Monday) whose timetable it follows; Monday if unset.
    pub as_weekday: Option<u8>,
}

impl DayOff {
    fn covers(&self, date: Date, grade: u8) -> bool {
        self.starts_on <= date && date <= self.ends_on && self.only_grade.is_none_or(|g| g == grade)
    }
}

/// The calendar of one parallel: the year's bounds, its week length and the days off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeCalendar {
    /// The grade.
    pub grade: u8,
    /// First day of lessons.
    pub first_day: Date,
    /// Last day of lessons.
    pub last_day: Date,
    /// 5 or 6 school days a week.
    pub week_days: u8,
    /// Holidays, non-working days and worked days of the year.
    pub days_off: Vec<DayOff>,
}

/// 1 = Monday … 7 = Sunday.
pub fn weekday_number(d: Date) -> u8 {
    d.weekday().number_from_monday()
}

impl GradeCalendar {
    /// Which weekday's timetable `date` follows (1 = Monday), or `None` when there are no
    /// lessons: outside the year, a weekend, a holiday or a non-working day. A worked day
    /// (transfer) has lessons even on a weekend.
    pub fn timetable_day(&self, date: Date) -> Option<u8> {
        if date < self.first_day || date > self.last_day {
            return None;
        }
        let mut worked = None;
        for d in self.days_off.iter().filter(|d| d.covers(date, self.grade)) {
            match d.kind {
                DayOffKind::Holiday | DayOffKind::NonWorking => return None,
                DayOffKind::WorkingDay => worked = Some(d.as_weekday.unwrap_or(1)),
            }
        }
        if worked.is_some() {
            return worked;
        }
        let n = weekday_number(date);
        (n <= self.week_days).then_some(n)
    }

    /// Whether `date` falls in a holiday (каникулы) of this grade.
    pub fn in_holiday(&self, date: Date) -> bool {
        self.days_off
            .iter()
            .any(|o| o.kind == DayOffKind::Holiday && o.covers(date, self.grade))
    }

    /// Study days in `from ..= to` for planning hours: the week's school days within the year
    /// outside holidays; public non-working days count (their lessons are lost, not unplanned).
    pub fn study_days(&self, from: Date, to: Date) -> u32 {
        let mut n = 0;
        let mut day = Some(from.max(self.first_day));
        let to = to.min(self.last_day);
        while let Some(d) = day.filter(|d| *d <= to) {
            if weekday_number(d) <= self.week_days && !self.in_holiday(d) {
                n += 1;
            }
            day = d.next_day();
        }
        n
    }

    /// Every school day of the range with the weekday it follows.
    pub fn school_days(&self, from: Date, to: Date) -> impl Iterator<Item = (Date, u8)> + '_ {
        let from = from.max(self.first_day);
        let to = to.min(self.last_day);
        let mut day = Some(from);
        std::iter::from_fn(move || {
            while let Some(d) = day {
                if d > to {
                    return None;
                }
                day = d.next_day();
                if let Some(w) = self.timetable_day(d) {
                    return Some((d, w));
                }
            }
            None
        })
    }
}

/// Minutes after midnight, for bell times.
pub type Minutes = u16;

/// Formats minutes as `08:30`.
pub fn hhmm(m: Minutes) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Parses `8:30` or `08:30`.
pub fn parse_hhmm(raw: &str) -> Option<Minutes> {
    let (h, m) = raw.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// One lesson slot of the bell schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BellSlot {
    /// Lesson number, from 1 (0 for an early "zero" lesson).
    pub number: u8,
    /// Start.
    pub starts: Minutes,
    /// End.
    pub ends: Minutes,
}

/// Why a bell schedule is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BellError {
    /// A slot ends before it starts.
    #[error("lesson {0} ends before it starts")]
    EndBeforeStart(u8),
    /// Two slots overlap or are out of order.
    #[error("lesson {0} starts before lesson {1} ends")]
    Overlap(u8, u8),
    /// The same number twice.
    #[error("lesson {0} appears twice")]
    Duplicate(u8),
    /// Nothing given.
    #[error("the bell schedule has no lessons")]
    Empty,
}

/// A validated bell schedule: numbers unique, each slot starts before it ends, slots in order
/// without overlaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BellSchedule(Vec<BellSlot>);

impl BellSchedule {
    /// Validates slots (in any order).
    pub fn new(mut slots: Vec<BellSlot>) -> Result<BellSchedule, BellError> {
        if slots.is_empty() {
            return Err(BellError::Empty);
        }
        slots.sort_by_key(|s| s.number);
        for s in &slots {
            if s.ends <= s.starts {
                return Err(BellError::EndBeforeStart(s.number));
            }
        }
        for w in slots.windows(2) {
            if w[0].number == w[1].number {
                return Err(BellError::Duplicate(w[0].number));
            }
            if w[1].starts < w[0].ends {
                return Err(BellError::Overlap(w[1].number, w[0].number));
            }
        }
        Ok(BellSchedule(slots))
    }

    /// The slots in order.
    pub fn slots(&self) -> &[BellSlot] {
        &self.0
    }

    /// The slot of a lesson number.
    pub fn slot(&self, number: u8) -> Option<BellSlot> {
        self.0.iter().copied().find(|s| s.number == number)
    }

    /// The first and last lesson numbers.
    pub fn bounds(&self) -> (u8, u8) {
        (self.0[0].number, self.0[self.0.len() - 1].number)
    }
}

/// A weekly timetable line as lesson generation needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklyLine {
    /// Its id (opaque to the rule).
    pub entry: i64,
    /// 1 = Monday … 6 = Saturday.
    pub weekday: u8,
    /// Lesson number.
    pub number: u8,
    /// First date it applies.
    pub valid_from: Date,
    /// Last date it applies, if it ends.
    pub valid_to: Option<Date>,
}

impl WeeklyLine {
    /// Whether the line applies on a date.
    pub fn valid_on(&self, d: Date) -> bool {
        self.valid_from <= d && self.valid_to.is_none_or(|t| d <= t)
    }

    /// Whether two lines' validity ranges share a day.
    pub fn overlaps(&self, other: &WeeklyLine) -> bool {
        let end_a = self.valid_to.unwrap_or(Date::MAX);
        let end_b = other.valid_to.unwrap_or(Date::MAX);
        self.valid_from <= end_b && other.valid_from <= end_a
    }
}

/// The dated lessons a group's timetable yields in `[from, to]`: one per line and school day on
/// which the line is valid and its weekday is the one the day follows. Sorted by date and number.
pub fn lessons_for(
    cal: &GradeCalendar,
    lines: &[WeeklyLine],
    from: Date,
    to: Date,
) -> Vec<(Date, WeeklyLine)> {
    let mut out = Vec::new();
    for (date, weekday) in cal.school_days(from, to) {
        for l in lines
            .iter()
            .filter(|l| l.weekday == weekday && l.valid_on(date))
        {
            out.push((date, *l));
        }
    }
    out.sort_by_key(|(d, l)| (*d, l.number));
    out
}

/// Maps a `time::Weekday` to 1 = Monday … 7 = Sunday.
pub fn weekday_of(w: Weekday) -> u8 {
    w.number_from_monday()
}

coded_enum!(
    /// A dated lesson's status.
    LessonStatus {
        /// As the timetable says.
        Planned = "planned",
        /// Another teacher.
        Substituted = "substituted",
        /// Not held.
        Cancelled = "cancelled",
        /// Moved to another date or slot.
        Transferred = "transferred",
        /// Added outside the timetable.
        Extra = "extra",
    }
);

coded_enum!(
    /// Why a lesson was cancelled, as the curriculum statistics count it (the lag's reasons).
    CancelCause {
        /// The teacher was away (illness, courses, a trip) and nobody substituted.
        TeacherAbsent = "teacher_absent",
        /// The class was away (quarantine, an excursion, an event).
        ClassAbsent = "class_absent",
        /// Anything else.
        Other = "other",
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cancel_causes_read_back_from_their_codes() {
        for c in CancelCause::ALL {
            assert_eq!(CancelCause::from_code(c.code()).ok(), Some(*c));
        }
        assert!(CancelCause::from_code("illness").is_err());
    }
    use time::macros::date;

    fn calendar() -> GradeCalendar {
        GradeCalendar {
            grade: 1,
            first_day: date!(2026 - 09 - 01),
            last_day: date!(2027 - 05 - 26),
            week_days: 5,
            days_off: vec![
                DayOff {
                    kind: DayOffKind::Holiday,
                    starts_on: date!(2026 - 10 - 26),
                    ends_on: date!(2026 - 11 - 03),
                    only_grade: None,
                    as_weekday: None,
                },
                DayOff {
                    kind: DayOffKind::NonWorking,
                    starts_on: date!(2026 - 11 - 04),
                    ends_on: date!(2026 - 11 - 04),
                    only_grade: None,
                    as_weekday: None,
                },
                DayOff {
                    kind: DayOffKind::Holiday,
                    starts_on: date!(2027 - 02 - 15),
                    ends_on: date!(2027 - 02 - 21),
                    only_grade: Some(1),
                    as_weekday: None,
                },
                DayOff {
                    kind: DayOffKind::WorkingDay,
                    starts_on: date!(2026 - 11 - 07),
                    ends_on: date!(2026 - 11 - 07),
                    only_grade: None,
                    as_weekday: Some(3),
                },
            ],
        }
    }

    #[test]
    fn holidays_weekends_and_transfers() {
        let c = calendar();
        assert_eq!(c.timetable_day(date!(2026 - 09 - 01)), Some(2), "a Tuesday");
        assert_eq!(
            c.timetable_day(date!(2026 - 09 - 05)),
            None,
            "Saturday in a 5-day week"
        );
        assert_eq!(
            c.timetable_day(date!(2026 - 10 - 28)),
            None,
            "autumn holidays"
        );
        assert_eq!(
            c.timetable_day(date!(2026 - 11 - 04)),
            None,
            "public holiday"
        );
        assert_eq!(
            c.timetable_day(date!(2026 - 11 - 07)),
            Some(3),
            "worked Saturday follows Wednesday"
        );
        assert_eq!(
            c.timetable_day(date!(2027 - 02 - 16)),
            None,
            "grade 1's February week"
        );
        let mut second = c.clone();
        second.grade = 2;
        assert_eq!(
            second.timetable_day(date!(2027 - 02 - 16)),
            Some(2),
            "not for grade 2"
        );
        assert_eq!(
            c.timetable_day(date!(2026 - 08 - 31)),
            None,
            "before the year"
        );
        let mut six = c;
        six.week_days = 6;
        assert_eq!(six.timetable_day(date!(2026 - 09 - 05)), Some(6));
    }

    #[test]
    fn bell_schedules_are_validated() {
        let s = |n, a, b| BellSlot {
            number: n,
            starts: a,
            ends: b,
        };
        assert!(BellSchedule::new(vec![s(2, 555, 600), s(1, 500, 545)]).is_ok());
        assert_eq!(
            BellSchedule::new(vec![s(1, 500, 500)]),
            Err(BellError::EndBeforeStart(1))
        );
        assert_eq!(
            BellSchedule::new(vec![s(1, 500, 545), s(2, 540, 600)]),
            Err(BellError::Overlap(2, 1))
        );
        assert_eq!(
            BellSchedule::new(vec![s(1, 500, 545), s(1, 550, 600)]),
            Err(BellError::Duplicate(1))
        );
        assert_eq!(BellSchedule::new(vec![]), Err(BellError::Empty));
        assert_eq!(parse_hhmm("8:30"), Some(510));
        assert_eq!(parse_hhmm("24:00"), None);
        assert_eq!(hhmm(510), "08:30");
    }

    proptest! {
        #[test]
        fn no_lesson_falls_on_a_day_off_or_outside_its_validity(
            lines in prop::collection::vec((1u8..=6, 1u8..=8, 0i64..270, prop::option::of(0i64..270)), 0..12),
            from in 0i64..270, len in 0i64..120,
        ) {
            let c = calendar();
            let start = date!(2026 - 09 - 01);
            let lines: Vec<WeeklyLine> = lines.iter().enumerate().map(|(i, (w, n, a, b))| {
                let valid_from = start + time::Duration::days(*a);
                WeeklyLine {
                    entry: i as i64,
                    weekday: *w,
                    number: *n,
                    valid_from,
                    valid_to: b.map(|b| valid_from + time::Duration::days(b)),
                }
            }).collect();
            let from = start + time::Duration::days(from);
            let to = from + time::Duration::days(len);
            let lessons = lessons_for(&c, &lines, from, to);
            for (d, l) in &lessons {
                prop_assert!(c.timetable_day(*d).is_some());
                prop_assert!(l.valid_on(*d));
                prop_assert!(*d >= from && *d <= to);
                prop_assert!(c.days_off.iter().all(|o| o.kind == DayOffKind::WorkingDay || !o.covers(*d, 1)));
            }
            // Exactly one lesson per (line, school day whose weekday matches).
            let expected: usize = c.school_days(from, to)
                .map(|(d, w)| lines.iter().filter(|l| l.weekday == w && l.valid_on(d)).count())
                .sum();
            prop_assert_eq!(lessons.len(), expected);
        }
    }
}

/// A lesson as views show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lesson {
    /// Id.
    pub id: LessonId,
    /// School.
    pub school: SchoolId,
    /// Year.
    pub year: AcademicYearId,
    /// Group.
    pub group: GroupId,
    /// Group name.
    pub group_name: String,
    /// Grade of the group.
    pub grade: u8,
    /// Date.
    pub on: Date,
    /// Number.
    pub number: u8,
    /// Subject.
    pub subject: SubjectId,
    /// Subject name.
    pub subject_name: String,
    /// Teacher.
    pub teacher: PersonId,
    /// Teacher's short name.
    pub teacher_name: String,
    /// Room.
    pub room: String,
    /// Status.
    pub status: LessonStatus,
    /// The teacher replaced by a substitution.
    pub original_teacher: Option<PersonId>,
    /// Their short name.
    pub original_teacher_name: Option<String>,
    /// Where a transferred lesson was.
    pub original_date: Option<Date>,
    /// Its number there.
    pub original_number: Option<u8>,
    /// Why changed.
    pub reason: Option<String>,
    /// Why cancelled, as a code (`teacher_absent`, `class_absent`, `other`), when given.
    pub cause: Option<CancelCause>,
    /// Carries journal data.
    pub has_journal_data: bool,
    /// Row version for optimistic updates.
    pub version: i64,
    /// The shift of the lesson's group (its class's, for a subgroup).
    pub shift: u8,
    /// The lesson type the teacher recorded (journal).
    pub lesson_type: Option<String>,
}

/// A stored timetable line with names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimetableLine {
    /// Id.
    pub id: TimetableLineId,
    /// Group.
    pub group: GroupId,
    /// Group name.
    pub group_name: String,
    /// Weekday 1–6.
    pub weekday: u8,
    /// Lesson number.
    pub number: u8,
    /// Subject.
    pub subject: SubjectId,
    /// Subject name.
    pub subject_name: String,
    /// Teacher.
    pub teacher: PersonId,
    /// Teacher's short name.
    pub teacher_name: String,
    /// Room.
    pub room: String,
    /// First date.
    pub valid_from: Date,
    /// Last date.
    pub valid_to: Option<Date>,
    /// The shift of the line's group (its class's, for a subgroup).
    pub shift: u8,
}
