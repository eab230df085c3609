//! The schedule of assessment procedures (график оценочных процедур), letters СК-228/03 and
//! 01-169/08-01 of 06.08.2021: the rules a new procedure is checked against. Each violation names
//! its rule (a stable id for the API) and carries the numbers for the message.

use serde::Serialize;
use time::Date;

pub use crate::school::Level;
use crate::{AcademicYearId, AssessmentId, GroupId, SchoolId, SubjectId};

/// A planned procedure, as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    /// Its id (0 for the new one).
    pub id: i64,
    /// The class.
    pub class: i64,
    /// The subject.
    pub subject: i64,
    /// The date.
    pub on: Date,
    /// The lesson number.
    pub number: u8,
}

/// What the rules need to know about the new procedure's class, subject and day.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    /// The class's grade.
    pub grade: u8,
    /// The other procedures of the year of this class (any subject).
    pub class_schedule: &'a [Planned],
    /// The subject's hours a year in this class's curriculum.
    pub yearly_hours: u32,
    /// The subject's lessons a week in this class, in tenths (35 = 3.5).
    pub weekly_tenths: u32,
    /// The first and last lesson numbers of the class on that date.
    pub day_bounds: Option<(u8, u8)>,
    /// The last day of the first half-year.
    pub first_half_ends: Date,
    /// Duration in minutes.
    pub minutes: u16,
}

/// A broken rule with its numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
pub enum Violation {
    /// A procedure lasts at least 30 minutes; a shorter work is not one.
    Duration {
        /// Minutes given.
        minutes: u16,
    },
    /// At most one procedure per class per day.
    OnePerDay {
        /// The other procedure that day.
        other: i64,
    },
    /// Per subject not more often than once in 2.5 weeks (18 days apart at least).
    Frequency {
        /// The nearest other procedure of the subject.
        other_date: Date,
        /// Days between.
        days: i64,
    },
    /// At most 10 % of the subject's yearly hours.
    Quota {
        /// Procedures of the subject including this one.
        count: u32,
        /// How many are allowed.
        allowed: u32,
        /// Yearly hours.
        yearly_hours: u32,
    },
    /// Not on the first or last lesson of the day, unless the subject has at most one lesson a week.
    FirstOrLast {
        /// The lesson number.
        number: u8,
    },
    /// None in grade 1 in the first half-year.
    FirstGradeFirstHalf,
}

impl Violation {
    /// The rule's stable id.
    pub fn rule(&self) -> &'static str {
        match self {
            Violation::Duration { .. } => "duration",
            Violation::OnePerDay { .. } => "one-per-day",
            Violation::Frequency { .. } => "frequency",
            Violation::Quota { .. } => "quota",
            Violation::FirstOrLast { .. } => "first-last",
            Violation::FirstGradeFirstHalf => "grade-1",
        }
    }
}

/// Minimum days between two procedures of one subject in one class: 2.5 weeks rounded up.
pub const MIN_DAYS_APART: i64 = 18;

/// Procedures allowed a year: 10 % of the yearly hours, rounded down.
pub fn allowed_per_year(yearly_hours: u32) -> u32 {
    yearly_hours / 10
}

/// Checks a new (or moved) procedure against the rules; empty means it may be planned.
pub fn check(new: &Planned, ctx: &Context<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    if ctx.minutes < 30 {
        out.push(Violation::Duration {
            minutes: ctx.minutes,
        });
    }
    let others = ctx
        .class_schedule
        .iter()
        .filter(|p| p.id != new.id || new.id == 0);
    let mut same_subject = 0u32;
    let mut nearest: Option<(Date, i64)> = None;
    for p in others {
        if p.on == new.on && !out.iter().any(|v| matches!(v, Violation::OnePerDay { .. })) {
            out.push(Violation::OnePerDay { other: p.id });
        }
        if p.subject == new.subject {
            same_subject += 1;
            let days = (p.on - new.on).whole_days().abs();
            if days < MIN_DAYS_APART && nearest.is_none_or(|(_, d)| days < d) {
                nearest = Some((p.on, days));
            }
        }
    }
    if let Some((other_date, days)) = nearest {
        out.push(Violation::Frequency { other_date, days });
    }
    let allowed = allowed_per_year(ctx.yearly_hours);
    if same_subject + 1 > allowed {
        out.push(Violation::Quota {
            count: same_subject + 1,
            allowed,
            yearly_hours: ctx.yearly_hours,
        });
    }
    if ctx.weekly_tenths > 10
        && let Some((first, last)) = ctx.day_bounds
        && (new.number == first || new.number == last)
    {
        out.push(Violation::FirstOrLast { number: new.number });
    }
    if ctx.grade == 1 && new.on <= ctx.first_half_ends {
        out.push(Violation::FirstGradeFirstHalf);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn planned(id: i64, subject: i64, on: Date, number: u8) -> Planned {
        Planned {
            id,
            class: 1,
            subject,
            on,
            number,
        }
    }

    fn ctx(schedule: &[Planned]) -> Context<'_> {
        Context {
            grade: 8,
            class_schedule: schedule,
            yearly_hours: 102,
            weekly_tenths: 30,
            day_bounds: Some((1, 6)),
            first_half_ends: date!(2026 - 12 - 31),
            minutes: 40,
        }
    }

    fn rules(v: &[Violation]) -> Vec<&'static str> {
        v.iter().map(Violation::rule).collect()
    }

    #[test]
    fn a_clean_procedure_passes() {
        assert!(check(&planned(0, 1, date!(2026 - 10 - 14), 3), &ctx(&[])).is_empty());
    }

    #[test]
    fn one_per_class_per_day() {
        let s = [planned(7, 2, date!(2026 - 10 - 14), 2)];
        assert_eq!(
            check(&planned(0, 1, date!(2026 - 10 - 14), 3), &ctx(&s)),
            [Violation::OnePerDay { other: 7 }]
        );
        assert!(check(&planned(0, 1, date!(2026 - 10 - 15), 3), &ctx(&s)).is_empty());
    }

    #[test]
    fn once_in_two_and_a_half_weeks_per_subject() {
        let s = [planned(7, 1, date!(2026 - 10 - 01), 3)];
        // 18 days apart: allowed; 17: refused; another subject: allowed.
        assert!(check(&planned(0, 1, date!(2026 - 10 - 19), 3), &ctx(&s)).is_empty());
        assert_eq!(
            check(&planned(0, 1, date!(2026 - 10 - 18), 3), &ctx(&s)),
            [Violation::Frequency {
                other_date: date!(2026 - 10 - 01),
                days: 17
            }]
        );
        assert!(check(&planned(0, 2, date!(2026 - 10 - 02), 3), &ctx(&s)).is_empty());
        // Moving a procedure does not collide with itself.
        assert!(check(&planned(7, 1, date!(2026 - 10 - 05), 3), &ctx(&s)).is_empty());
    }

    #[test]
    fn at_most_ten_percent_of_the_yearly_hours() {
        // 68 h a year (2 a week): 6 allowed.
        let s: Vec<Planned> = (0..5)
            .map(|i| {
                planned(
                    i + 1,
                    1,
                    date!(2026 - 09 - 01) + time::Duration::days(20 * i),
                    3,
                )
            })
            .collect();
        let mut c = ctx(&s);
        c.yearly_hours = 68;
        c.weekly_tenths = 20;
        assert!(
            check(&planned(0, 1, date!(2027 - 03 - 01), 3), &c).is_empty(),
            "the 6th of 6"
        );
        let s6: Vec<Planned> = (0..6)
            .map(|i| {
                planned(
                    i + 1,
                    1,
                    date!(2026 - 09 - 01) + time::Duration::days(20 * i),
                    3,
                )
            })
            .collect();
        let mut c = ctx(&s6);
        c.yearly_hours = 68;
        assert_eq!(
            check(&planned(0, 1, date!(2027 - 03 - 01), 3), &c),
            [Violation::Quota {
                count: 7,
                allowed: 6,
                yearly_hours: 68
            }]
        );
    }

    #[test]
    fn not_first_or_last_unless_one_lesson_a_week() {
        assert_eq!(
            rules(&check(&planned(0, 1, date!(2026 - 10 - 14), 1), &ctx(&[]))),
            ["first-last"]
        );
        assert_eq!(
            rules(&check(&planned(0, 1, date!(2026 - 10 - 14), 6), &ctx(&[]))),
            ["first-last"]
        );
        assert!(check(&planned(0, 1, date!(2026 - 10 - 14), 5), &ctx(&[])).is_empty());
        let mut one = ctx(&[]);
        one.weekly_tenths = 10;
        one.yearly_hours = 34;
        assert!(check(&planned(0, 1, date!(2026 - 10 - 14), 1), &one).is_empty());
    }

    #[test]
    fn none_in_grade_one_in_the_first_half_year_and_at_least_thirty_minutes() {
        let mut c = ctx(&[]);
        c.grade = 1;
        assert_eq!(
            rules(&check(&planned(0, 1, date!(2026 - 12 - 31), 3), &c)),
            ["grade-1"]
        );
        assert!(check(&planned(0, 1, date!(2027 - 01 - 12), 3), &c).is_empty());
        let mut short = ctx(&[]);
        short.minutes = 29;
        assert_eq!(
            rules(&check(&planned(0, 1, date!(2026 - 10 - 14), 3), &short)),
            ["duration"]
        );
        short.minutes = 30;
        assert!(check(&planned(0, 1, date!(2026 - 10 - 14), 3), &short).is_empty());
    }

    proptest! {
        #[test]
        fn a_schedule_built_by_the_rules_keeps_every_rule(days in prop::collection::vec(0i64..270, 1..60), hours in 17u32..204) {
            let mut schedule: Vec<Planned> = Vec::new();
            for (i, d) in days.iter().enumerate() {
                let p = planned(i as i64 + 1, 1, date!(2026 - 09 - 01) + time::Duration::days(*d), 3);
                let mut c = ctx(&schedule);
                c.yearly_hours = hours;
                if check(&p, &c).is_empty() {
                    schedule.push(p);
                }
            }
            prop_assert!(schedule.len() as u32 <= allowed_per_year(hours));
            for a in &schedule {
                for b in &schedule {
                    if a.id != b.id {
                        prop_assert!((a.on - b.on).whole_days().abs() >= MIN_DAYS_APART);
                    }
                }
            }
        }
    }
}

/// A stored procedure with names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// Id.
    pub id: AssessmentId,
    /// School.
    pub school: SchoolId,
    /// Year.
    pub year: AcademicYearId,
    /// Class.
    pub class: GroupId,
    /// Class name.
    pub class_name: String,
    /// Grade.
    pub grade: u8,
    /// Subject.
    pub subject: SubjectId,
    /// Subject name.
    pub subject_name: String,
    /// Date.
    pub on: Date,
    /// Lesson number.
    pub number: u8,
    /// Level.
    pub level: Level,
    /// Minutes.
    pub minutes: u16,
    /// Title.
    pub title: String,
    /// Override reason.
    pub override_reason: Option<String>,
}
