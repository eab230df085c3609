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
    /// The subgroup or stream that writes it (`None`: the whole class).
    pub group: Option<i64>,
    /// The work it belongs to: the id of the work's first procedure (its own id for a work of its
    /// own; 0 for a new procedure of a new work). Classes of a parallel, or of a stream, writing
    /// the same work count once.
    pub work: i64,
}

impl Planned {
    /// Whether two procedures are one work written by different classes or groups.
    pub fn same_work(&self, other: &Planned) -> bool {
        self.work != 0 && self.work == other.work
    }

    /// Whether two procedures may fall on the same pupils: not when they are written by two
    /// different groups of one subject (English group 1 and group 2, two profile streams).
    pub fn may_share_pupils(&self, other: &Planned) -> bool {
        match (self.group, other.group) {
            (Some(a), Some(b)) => a == b || self.subject != other.subject,
            _ => true,
        }
    }
}

/// What the rules need to know about the new procedure's class, subject and day.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    /// The class's grade.
    pub grade: u8,
    /// The other procedures of the year of this class (any subject).
    pub class_schedule: &'a [Planned],
    /// The procedures of the year of the other classes of the parallel (any subject): the
    /// frequency rule holds per subject and parallel.
    pub parallel_schedule: &'a [Planned],
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
    /// Per subject and parallel not more often than once in 2.5 weeks (18 days apart at least);
    /// one work written by several classes of the parallel counts once.
    Frequency {
        /// The nearest other procedure of the subject.
        other_date: Date,
        /// Days between.
        days: i64,
        /// The class of that procedure (this class's or another of the parallel).
        other_class: i64,
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
///
/// Per class: one procedure a day (one work's sittings, and different groups of one subject,
/// excepted), at most 10 % of the subject's yearly hours (a work counts once), not on the day's
/// first or last lesson unless the subject has at most one lesson a week, none in grade 1 in the
/// first half-year. Per subject and parallel: 18 days apart at least, the class's own procedures
/// and the other classes' alike, except the sittings of the same work.
pub fn check(new: &Planned, ctx: &Context<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    if ctx.minutes < 30 {
        out.push(Violation::Duration {
            minutes: ctx.minutes,
        });
    }
    let not_itself = |p: &&Planned| new.id == 0 || p.id != new.id;
    let related = |p: &&Planned| !new.same_work(p) && new.may_share_pupils(p);
    if let Some(p) = ctx
        .class_schedule
        .iter()
        .filter(not_itself)
        .filter(related)
        .find(|p| p.on == new.on)
    {
        out.push(Violation::OnePerDay { other: p.id });
    }
    let mut works: Vec<i64> = Vec::new();
    let mut same_subject = 0u32;
    for p in ctx
        .class_schedule
        .iter()
        .filter(not_itself)
        .filter(related)
        .filter(|p| p.subject == new.subject)
    {
        // A work written by several groups of the class counts once.
        if p.work == 0 || !works.contains(&p.work) {
            works.push(p.work);
            same_subject += 1;
        }
    }
    let nearest = ctx
        .class_schedule
        .iter()
        .chain(ctx.parallel_schedule)
        .filter(not_itself)
        .filter(related)
        .filter(|p| p.subject == new.subject)
        .map(|p| (p, (p.on - new.on).whole_days().abs()))
        .filter(|(_, days)| *days < MIN_DAYS_APART)
        .min_by_key(|(p, days)| (*days, p.on));
    if let Some((p, days)) = nearest {
        out.push(Violation::Frequency {
            other_date: p.on,
            days,
            other_class: p.class,
        });
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
            group: None,
            work: id,
        }
    }

    fn ctx(schedule: &[Planned]) -> Context<'_> {
        Context {
            grade: 8,
            class_schedule: schedule,
            parallel_schedule: &[],
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
                days: 17,
                other_class: 1
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

    #[test]
    fn the_frequency_rule_holds_per_parallel_and_one_work_counts_once() {
        // 5Б (class 2) wrote mathematics on 1 October.
        let other_class = [Planned {
            class: 2,
            ..planned(7, 1, date!(2026 - 10 - 01), 3)
        }];
        let mut c = ctx(&[]);
        c.parallel_schedule = &other_class;
        // Another work ten days later in 5А: the parallel writes too often.
        assert_eq!(
            check(&planned(0, 1, date!(2026 - 10 - 11), 3), &c),
            [Violation::Frequency {
                other_date: date!(2026 - 10 - 01),
                days: 10,
                other_class: 2
            }]
        );
        // The same work, written by 5А ten days later: one work of the parallel.
        let same = Planned {
            work: 7,
            ..planned(0, 1, date!(2026 - 10 - 11), 3)
        };
        assert!(check(&same, &c).is_empty());
        // Another subject of the parallel does not count; 18 days apart is allowed.
        assert!(check(&planned(0, 2, date!(2026 - 10 - 02), 3), &c).is_empty());
        assert!(check(&planned(0, 1, date!(2026 - 10 - 19), 3), &c).is_empty());
    }

    #[test]
    fn two_groups_of_one_subject_write_apart_but_not_on_one_pupil() {
        let group = |id, g: i64, subject, on| Planned {
            group: Some(g),
            ..planned(id, subject, on, 3)
        };
        // English group 1 (group 11) writes on 14 October.
        let s = [group(7, 11, 1, date!(2026 - 10 - 14))];
        // Group 2 the same day, or a week later: other pupils.
        assert!(check(&group(0, 12, 1, date!(2026 - 10 - 14)), &ctx(&s)).is_empty());
        assert!(check(&group(0, 12, 1, date!(2026 - 10 - 21)), &ctx(&s)).is_empty());
        // Group 1 again a week later: too often; the whole class the same day: two a day.
        assert_eq!(
            rules(&check(&group(0, 11, 1, date!(2026 - 10 - 21)), &ctx(&s))),
            ["frequency"]
        );
        assert_eq!(
            rules(&check(&planned(0, 2, date!(2026 - 10 - 14), 3), &ctx(&s))),
            ["one-per-day"]
        );
        // Another subject's group the same day may share pupils.
        assert_eq!(
            rules(&check(&group(0, 13, 2, date!(2026 - 10 - 14)), &ctx(&s))),
            ["one-per-day"]
        );
    }

    #[test]
    fn a_work_written_by_two_groups_counts_once_in_the_quota() {
        // 34 h a year: 3 allowed. Two works, the second written by both groups.
        let s = [
            planned(1, 1, date!(2026 - 09 - 20), 3),
            Planned {
                group: Some(11),
                ..planned(2, 1, date!(2026 - 11 - 20), 3)
            },
            Planned {
                group: Some(12),
                work: 2,
                ..planned(3, 1, date!(2026 - 11 - 21), 3)
            },
        ];
        let mut c = ctx(&s);
        c.yearly_hours = 34;
        c.weekly_tenths = 10;
        assert!(check(&planned(0, 1, date!(2027 - 02 - 01), 3), &c).is_empty());
        c.yearly_hours = 20;
        assert_eq!(
            rules(&check(&planned(0, 1, date!(2027 - 02 - 01), 3), &c)),
            ["quota"]
        );
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
    /// The subgroup or stream that writes it (`None`: the whole class).
    pub group: Option<GroupId>,
    /// The subgroup's or stream's name.
    pub group_name: Option<String>,
    /// The work it belongs to: its own id, or the first procedure of the same work written by
    /// another class of the parallel or of the stream.
    pub work: AssessmentId,
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

impl Assessment {
    /// The procedure as the rules see it.
    pub fn planned(&self) -> Planned {
        Planned {
            id: self.id.get(),
            class: self.class.get(),
            subject: self.subject.get(),
            on: self.on,
            number: self.number,
            group: self.group.map(GroupId::get),
            work: self.work.get(),
        }
    }
}

/// An approved version of a school's schedule of procedures for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleVersion {
    /// Row id.
    pub id: i64,
    /// The version's number, from 1.
    pub version: i64,
    /// The date of the approval (as the deputy head signed it).
    pub approved_on: Date,
    /// Who approved it.
    pub approved_by: String,
    /// When it was recorded.
    pub approved_at: time::OffsetDateTime,
    /// The basis, e.g. the order's number and date.
    pub basis: String,
    /// For a correction, what changed.
    pub note: String,
    /// When it was published to families.
    pub published_at: Option<time::OffsetDateTime>,
    /// Who published it.
    pub published_by: Option<String>,
    /// How many procedures it holds.
    pub items: i64,
}
