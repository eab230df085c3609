//! The bell schedules: regular and shortened lessons, and the days that take the short one.

use super::NUMBERS;
use crate::model::*;
use tabel_domain::timetable::{BellSlot, Minutes};
use time::{Date, Duration, Weekday};

/// A bell schedule of `length`-minute lessons from 08:30 with the given breaks after lessons
/// 1–7.
fn bell_slots(length: Minutes, breaks: [Minutes; 7]) -> Vec<BellSlot> {
    let mut out = Vec::new();
    let mut starts: Minutes = 8 * 60 + 30;
    for number in 1..=NUMBERS {
        let ends = starts + length;
        out.push(BellSlot {
            number,
            starts,
            ends,
        });
        starts = ends + breaks.get(usize::from(number - 1)).copied().unwrap_or(10);
    }
    out
}

/// The regular day: 45-minute lessons from 08:30, 20-minute breaks after lessons 2 and 3.
pub fn regular_bells() -> Vec<BellSlot> {
    bell_slots(45, [10, 20, 20, 10, 10, 10, 10])
}

/// The shortened day: 30-minute lessons, 15-minute breaks after lessons 2 and 3.
pub fn short_bells() -> Vec<BellSlot> {
    bell_slots(30, [10, 15, 15, 10, 10, 10, 10])
}

fn weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The shortened days: the last school day before the winter holidays and the year's last day.
pub(super) fn short_days(school: &DemoSchool) -> Vec<Date> {
    let mut before_winter = school.calendar.half_years[0].1;
    while weekend(before_winter) {
        before_winter -= Duration::days(1);
    }
    let mut days = vec![before_winter, school.year.ends_on];
    days.dedup();
    days
}

#[cfg(test)]
mod tests {
    use super::*;
    use tabel_domain::timetable::BellSchedule;

    #[test]
    fn bell_schedules_are_valid_and_as_documented() {
        let regular = BellSchedule::new(regular_bells()).unwrap();
        let short = BellSchedule::new(short_bells()).unwrap();
        assert_eq!(regular.bounds(), (1, 8));
        let s = regular.slots();
        assert_eq!((s[0].starts, s[0].ends), (510, 555));
        assert_eq!(s[2].starts - s[1].ends, 20);
        assert_eq!(s[3].starts - s[2].ends, 20);
        assert_eq!(s[7].ends, 16 * 60);
        assert!(short.slots().iter().all(|x| x.ends - x.starts == 30));
    }
}
