//! Statistics read models: the counts the statistics reports are built from.

use crate::school::DayOffKind;
use crate::timetable::{CancelCause, GradeCalendar, weekday_number};
use crate::{GroupId, SubjectId};
use time::Date;
/// A weekly timetable line of a journal (how many lessons it gives on its weekday).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyLessons {
    /// The group.
    pub group: GroupId,
    /// The subject.
    pub subject: SubjectId,
    /// 1 = Monday.
    pub weekday: u8,
    /// First date.
    pub valid_from: Date,
    /// Last date, if it ends.
    pub valid_to: Option<Date>,
    /// Lessons a day.
    pub n: u32,
}

/// A study group of the year as the statistics need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsGroup {
    /// Id.
    pub id: GroupId,
    /// Name ("5А", "5А англ. 1").
    pub name: String,
    /// Kind code (`class`, `subgroup`, `stream`, `individual`).
    pub kind: String,
    /// Grade.
    pub grade: u8,
    /// The class of a subgroup (or of an individual group).
    pub parent: Option<GroupId>,
    /// The classes a stream draws from.
    pub stream_classes: Vec<GroupId>,
    /// Sort key of the name.
    pub sort_key: String,
}

/// How many lessons of a journal share a status, a record and where their dates lie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonCount {
    /// The group.
    pub group: GroupId,
    /// The subject.
    pub subject: SubjectId,
    /// Status code (`planned`, `substituted`, `cancelled`, `transferred`, `extra`).
    pub status: String,
    /// `false` only when the teacher recorded the lesson as not held.
    pub held: bool,
    /// Why it was cancelled, as a code (cancelled lessons only, when given).
    pub cause: Option<String>,
    /// Why it was cancelled, in words (cancelled lessons without a cause only).
    pub reason: Option<String>,
    /// The lesson type code recorded.
    pub lesson_type: Option<String>,
    /// Where its date lies.
    pub at: Bucket,
    /// Where its date lay before a transfer.
    pub was: Option<Bucket>,
    /// How many.
    pub n: u32,
}

/// Where a date lies against a period `from ..= cut ..= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bucket {
    /// Before the period.
    Before,
    /// In the period, up to and including the cut ("to date").
    ToDate,
    /// In the period, after the cut.
    Later,
    /// After the period.
    After,
}

impl Bucket {
    /// From the number the statistics query computes (0 before … 3 after).
    pub fn from_code(v: i64) -> Bucket {
        match v {
            0 => Bucket::Before,
            1 => Bucket::ToDate,
            2 => Bucket::Later,
            _ => Bucket::After,
        }
    }

    /// Within the period (to date or later).
    pub fn in_period(self) -> bool {
        matches!(self, Bucket::ToDate | Bucket::Later)
    }
}

/// Whether a cancellation was for the teacher's absence: its cause when recorded, else the
/// words of its reason (lessons cancelled before causes were kept, or through the API without
/// one).
pub fn teacher_absent(cause: Option<&str>, reason: Option<&str>) -> bool {
    if let Some(cause) = cause.and_then(|c| CancelCause::from_code(c).ok()) {
        return cause == CancelCause::TeacherAbsent;
    }
    let Some(r) = reason else {
        return false;
    };
    let r = r.to_lowercase();
    // Words, not substrings: «экскурсия» is not «курсы».
    r.contains("больничн")
        || r.split(|c: char| !c.is_alphanumeric()).any(|w| {
            [
                "учител",
                "педагог",
                "преподавател",
                "курс",
                "командировк",
                "teacher",
            ]
            .iter()
            .any(|k| w.starts_with(k))
        })
}

/// `hours × part / whole`, rounded half up.
pub fn prorate(hours: u32, part: u32, whole: u32) -> u32 {
    if whole == 0 {
        return 0;
    }
    let q = (u64::from(hours) * u64::from(part) * 2 + u64::from(whole)) / (2 * u64::from(whole));
    u32::try_from(q).unwrap_or(u32::MAX)
}

/// Lessons a journal's weekly timetable would have given on public non-working days in
/// `from ..= to`, less those it gave on worked days.
pub fn holiday_shift(cal: &GradeCalendar, lines: &[&WeeklyLessons], from: Date, to: Date) -> i64 {
    let mut net = 0i64;
    for o in &cal.days_off {
        if o.only_grade.is_some_and(|g| g != cal.grade) {
            continue;
        }
        let mut d = o.starts_on.max(from).max(cal.first_day);
        let end = o.ends_on.min(to).min(cal.last_day);
        while d <= end {
            let in_holiday = cal.in_holiday(d);
            let weekday = match o.kind {
                DayOffKind::NonWorking if !in_holiday && weekday_number(d) <= cal.week_days => {
                    Some((weekday_number(d), 1))
                }
                DayOffKind::WorkingDay => Some((o.as_weekday.unwrap_or(1), -1)),
                _ => None,
            };
            if let Some((w, sign)) = weekday {
                let n: u32 = lines
                    .iter()
                    .filter(|l| {
                        l.weekday == w && l.valid_from <= d && l.valid_to.is_none_or(|t| d <= t)
                    })
                    .map(|l| l.n)
                    .sum();
                net += sign * i64::from(n);
            }
            match d.next_day() {
                Some(next) => d = next,
                None => break,
            }
        }
    }
    net
}

/// Whether a counted lesson was held by the cut: in the period to date, not cancelled, held.
pub fn is_held(c: &LessonCount) -> bool {
    c.at == Bucket::ToDate && c.status != "cancelled" && c.held
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timetable::DayOff;
    use time::macros::date;

    fn cal() -> GradeCalendar {
        GradeCalendar {
            grade: 5,
            first_day: date!(2026 - 09 - 01),
            last_day: date!(2027 - 05 - 31),
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
                    kind: DayOffKind::WorkingDay,
                    starts_on: date!(2026 - 11 - 07),
                    ends_on: date!(2026 - 11 - 07),
                    only_grade: None,
                    as_weekday: Some(5),
                },
            ],
        }
    }

    #[test]
    fn study_days_skip_weekends_and_holidays_but_not_public_holidays() {
        let c = cal();
        // 2–6 November: Monday and Tuesday are holidays, Wednesday the 4th is a public holiday
        // (a study day whose lessons are lost), Thursday and Friday are ordinary.
        assert_eq!(
            c.study_days(date!(2026 - 11 - 02), date!(2026 - 11 - 08)),
            3
        );
        assert_eq!(
            c.study_days(date!(2026 - 09 - 01), date!(2026 - 09 - 06)),
            4
        );
        assert_eq!(prorate(102, 17, 170), 10);
        assert_eq!(prorate(102, 25, 170), 15);
        assert_eq!(prorate(3, 1, 2), 2, "half up");
        assert_eq!(prorate(5, 0, 0), 0);
    }

    #[test]
    fn public_holidays_cost_their_weekdays_lessons_and_worked_days_give_them_back() {
        let c = cal();
        let line = |weekday| WeeklyLessons {
            group: GroupId::new(1),
            subject: SubjectId::new(1),
            weekday,
            valid_from: date!(2026 - 09 - 01),
            valid_to: None,
            n: 1,
        };
        let wed = line(3);
        let fri = line(5);
        // The 4th (Wednesday) loses Wednesday's lesson; the worked Saturday the 7th follows
        // Friday.
        assert_eq!(
            holiday_shift(&c, &[&wed], date!(2026 - 11 - 01), date!(2026 - 11 - 30)),
            1
        );
        assert_eq!(
            holiday_shift(
                &c,
                &[&wed, &fri],
                date!(2026 - 11 - 01),
                date!(2026 - 11 - 30)
            ),
            0
        );
        assert_eq!(
            holiday_shift(&c, &[&fri], date!(2026 - 11 - 01), date!(2026 - 11 - 06)),
            0,
            "the worked day is later"
        );
    }

    #[test]
    fn cancellations_for_the_teachers_absence_are_told_apart() {
        assert!(teacher_absent(
            None,
            Some("болезнь учителя, замена не найдена")
        ));
        assert!(teacher_absent(
            None,
            Some("Курсы повышения квалификации, урок снят")
        ));
        assert!(teacher_absent(None, Some("больничный")));
        assert!(!teacher_absent(None, Some("экскурсия класса")));
        assert!(!teacher_absent(None, Some("карантин по ОРВИ")));
        assert!(!teacher_absent(None, None));
        // A recorded cause decides, whatever the words.
        assert!(teacher_absent(Some("teacher_absent"), Some("урок снят")));
        assert!(!teacher_absent(
            Some("class_absent"),
            Some("учитель на курсах")
        ));
        assert!(!teacher_absent(Some("other"), None));
    }

    proptest::proptest! {
        #[test]
        fn prorating_keeps_the_whole_and_grows_with_the_part(
            hours in 0u32..400,
            whole in 1u32..250,
            a in 0u32..250,
            b in 0u32..250,
        ) {
            let (lo, hi) = (a.min(b).min(whole), a.max(b).min(whole));
            proptest::prop_assert_eq!(prorate(hours, whole, whole), hours);
            proptest::prop_assert!(prorate(hours, lo, whole) <= prorate(hours, hi, whole));
            proptest::prop_assert!(prorate(hours, hi, whole) <= hours);
            // Half up: never more than half a lesson from the exact share.
            let exact = f64::from(hours) * f64::from(lo) / f64::from(whole);
            proptest::prop_assert!((f64::from(prorate(hours, lo, whole)) - exact).abs() <= 0.5);
        }
    }
}
