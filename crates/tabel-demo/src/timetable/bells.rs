//! The bell schedules: regular and shortened lessons, and the days that take the short one.

use crate::model::*;
use time::{Date, Duration, Weekday};

pub use tabel_domain::federal::{regular_bells, short_bells};

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
