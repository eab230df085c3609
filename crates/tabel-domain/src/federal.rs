//! A school's calendar for an academic year, after the single federal calendar the
//! Ministry has published since 2023: lessons from 1 September to 26 May; autumn holidays from
//! the last Saturday of October for nine days (through 4 November), winter holidays
//! 31 December–11 January, spring holidays from the last Saturday of March for nine days, an
//! extra February week for grade 1; quarters for grades 1–9, half-years for 10–11; public
//! holidays, the Labour Code's transfer of a holiday that falls on a weekend, and one worked
//! Saturday as the government's transfer orders make them.

use crate::calendar::SchoolYear;
use crate::school::DayOffKind;
use crate::timetable::{BellSlot, Minutes};
use time::{Date, Duration, Month, Weekday};

/// A holiday range, a non-working day or a worked day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayOff {
    /// What it is.
    pub kind: DayOffKind,
    /// Its name, e.g. "Осенние каникулы".
    pub name: String,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// Only for one grade.
    pub only_grade: Option<u8>,
}

/// The calendar of one academic year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarPlan {
    /// The year.
    pub year: SchoolYear,
    /// First day of lessons.
    pub starts_on: Date,
    /// Last day of lessons.
    pub ends_on: Date,
    /// Quarters (grades 1–9): first and last day.
    pub quarters: [(Date, Date); 4],
    /// Half-years (grades 10–11): first and last day.
    pub half_years: [(Date, Date); 2],
    /// Holidays, public holidays and transfers, by date.
    pub days_off: Vec<DayOff>,
}

/// A date of the calendar does not exist (a year outside what [`SchoolYear`] allows).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the federal calendar has no such date: {0}")]
pub struct CalendarError(String);

fn ymd(year: i32, month: Month, day: u8) -> Result<Date, CalendarError> {
    Date::from_calendar_date(year, month, day).map_err(|e| CalendarError(e.to_string()))
}

/// `28.11.2026`, as names of days off are written.
fn dmy(d: Date) -> String {
    format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

fn on_or_before(mut d: Date, w: Weekday) -> Date {
    while d.weekday() != w {
        d -= days(1);
    }
    d
}

fn on_or_after(mut d: Date, w: Weekday) -> Date {
    while d.weekday() != w {
        d += days(1);
    }
    d
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn range(kind: DayOffKind, name: &str, starts_on: Date, ends_on: Date) -> DayOff {
    DayOff {
        kind,
        name: name.to_owned(),
        starts_on,
        ends_on,
        only_grade: None,
    }
}

/// The calendar of a year.
pub fn plan(year: SchoolYear) -> Result<CalendarPlan, CalendarError> {
    use Month::*;
    let y = year.start_year();
    let mut starts_on = ymd(y, September, 1)?;
    if starts_on.weekday() == Weekday::Sunday {
        starts_on += days(1);
    }
    let mut ends_on = ymd(y + 1, May, 26)?;
    while is_weekend(ends_on) {
        ends_on -= days(1);
    }

    let autumn_start = on_or_before(ymd(y, October, 31)?, Weekday::Saturday);
    let autumn_end = (autumn_start + days(8)).max(ymd(y, November, 4)?);
    let winter_start = ymd(y, December, 31)?;
    let mut q3_start = ymd(y + 1, January, 12)?;
    if q3_start.weekday() == Weekday::Sunday {
        q3_start += days(1);
    }
    let winter_end = q3_start - days(1);
    let spring_start = on_or_before(ymd(y + 1, March, 31)?, Weekday::Saturday);
    let spring_end = spring_start + days(8);
    let february = on_or_after(ymd(y + 1, February, 7)?, Weekday::Saturday);

    let quarters = [
        (starts_on, autumn_start - days(1)),
        (autumn_end + days(1), winter_start - days(1)),
        (q3_start, spring_start - days(1)),
        (spring_end + days(1), ends_on),
    ];
    let half_years = [(starts_on, winter_start - days(1)), (q3_start, ends_on)];

    let holidays = [
        (autumn_start, autumn_end),
        (winter_start, winter_end),
        (spring_start, spring_end),
    ];
    let in_holidays = |d: Date| holidays.iter().any(|(a, b)| *a <= d && d <= *b);

    let mut days_off = vec![
        range(
            DayOffKind::Holiday,
            "Осенние каникулы",
            autumn_start,
            autumn_end,
        ),
        range(
            DayOffKind::Holiday,
            "Зимние каникулы",
            winter_start,
            winter_end,
        ),
        range(
            DayOffKind::Holiday,
            "Весенние каникулы",
            spring_start,
            spring_end,
        ),
        DayOff {
            only_grade: Some(1),
            ..range(
                DayOffKind::Holiday,
                "Дополнительные каникулы для первоклассников",
                february,
                february + days(8),
            )
        },
        range(
            DayOffKind::Holiday,
            "Летние каникулы",
            ends_on + days(1),
            ymd(y + 1, August, 31)?,
        ),
    ];

    let public = [
        (ymd(y, November, 4)?, "День народного единства"),
        (ymd(y + 1, February, 23)?, "День защитника Отечества"),
        (ymd(y + 1, March, 8)?, "Международный женский день"),
        (ymd(y + 1, May, 1)?, "Праздник Весны и Труда"),
        (ymd(y + 1, May, 9)?, "День Победы"),
    ];
    let mut bridged = false;
    for (d, name) in public {
        days_off.push(range(DayOffKind::NonWorking, name, d, d));
        if is_weekend(d) {
            // Labour Code art. 112: a holiday on a day off moves to the next working day.
            let monday = on_or_after(d, Weekday::Monday);
            days_off.push(range(
                DayOffKind::NonWorking,
                &format!("Перенос выходного дня с {}", dmy(d)),
                monday,
                monday,
            ));
        } else if !bridged && !in_holidays(d) {
            // A holiday on a Tuesday or Thursday: the government's transfer order makes the day
            // between it and the weekend a day off and works the Saturday before instead.
            let bridge = match d.weekday() {
                Weekday::Tuesday => Some(d - days(1)),
                Weekday::Thursday => Some(d + days(1)),
                _ => None,
            };
            if let Some(bridge) = bridge {
                let saturday = on_or_before(d, Weekday::Saturday);
                days_off.push(range(
                    DayOffKind::WorkingDay,
                    &format!("Рабочий день (перенос выходного на {})", dmy(bridge)),
                    saturday,
                    saturday,
                ));
                days_off.push(range(
                    DayOffKind::NonWorking,
                    &format!("Перенос выходного дня с {}", dmy(saturday)),
                    bridge,
                    bridge,
                ));
                bridged = true;
            }
        }
    }
    days_off.sort_by(|a, b| (a.starts_on, &a.name).cmp(&(b.starts_on, &b.name)));

    Ok(CalendarPlan {
        year,
        starts_on,
        ends_on,
        quarters,
        half_years,
        days_off,
    })
}

impl CalendarPlan {
    /// The first day of lessons on or after `d` that is not in holidays (Monday–Friday).
    pub fn next_school_day(&self, mut d: Date) -> Date {
        while is_weekend(d)
            || self.days_off.iter().any(|h| {
                h.only_grade.is_none()
                    && h.kind != DayOffKind::WorkingDay
                    && h.starts_on <= d
                    && d <= h.ends_on
            })
        {
            d += days(1);
        }
        d
    }
}

/// A bell schedule of `length`-minute lessons from 08:30 with the given breaks after lessons
/// 1–7, eight lessons a day.
fn bell_slots(length: Minutes, breaks: [Minutes; 7]) -> Vec<BellSlot> {
    let mut out = Vec::new();
    let mut starts: Minutes = 8 * 60 + 30;
    for number in 1..=8u8 {
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

/// The usual regular day (СанПиН): 45-minute lessons from 08:30, 20-minute breaks after
/// lessons 2 and 3. A school's own bells replace it.
pub fn regular_bells() -> Vec<BellSlot> {
    bell_slots(45, [10, 20, 20, 10, 10, 10, 10])
}

/// The usual shortened day: 30-minute lessons, 15-minute breaks after lessons 2 and 3.
pub fn short_bells() -> Vec<BellSlot> {
    bell_slots(30, [10, 15, 15, 10, 10, 10, 10])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    #[test]
    fn the_2026_year_follows_the_federal_calendar() {
        let p = plan(SchoolYear::starting(2026).unwrap()).unwrap();
        assert_eq!(p.starts_on, date!(2026 - 09 - 01));
        assert_eq!(p.ends_on, date!(2027 - 05 - 26));
        assert_eq!(
            p.quarters[0],
            (date!(2026 - 09 - 01), date!(2026 - 10 - 30))
        );
        assert_eq!(p.quarters[1].0, date!(2026 - 11 - 09));
        assert_eq!(
            p.quarters[2],
            (date!(2027 - 01 - 12), date!(2027 - 03 - 26))
        );
        assert_eq!(p.quarters[3].0, date!(2027 - 04 - 05));
        assert_eq!(p.half_years[0].1, date!(2026 - 12 - 30));
        let grade1 = p.days_off.iter().find(|d| d.only_grade == Some(1)).unwrap();
        assert_eq!(grade1.starts_on, date!(2027 - 02 - 13));
        // 23 February 2027 is a Tuesday: Monday off, the Saturday before worked.
        let worked = p
            .days_off
            .iter()
            .find(|d| d.kind == DayOffKind::WorkingDay)
            .unwrap();
        assert_eq!(worked.starts_on, date!(2027 - 02 - 20));
        // 8 March 2027 is a Monday, 1 May a Saturday, 9 May a Sunday.
        let transfers: Vec<Date> = p
            .days_off
            .iter()
            .filter(|d| d.name.starts_with("Перенос"))
            .map(|d| d.starts_on)
            .collect();
        assert_eq!(
            transfers,
            vec![
                date!(2027 - 02 - 22),
                date!(2027 - 05 - 03),
                date!(2027 - 05 - 10)
            ]
        );
    }

    #[test]
    fn periods_are_ordered_and_inside_the_year_for_many_years() {
        for y in 2020..2060 {
            let p = plan(SchoolYear::starting(y).unwrap()).unwrap();
            let mut last = p.starts_on - days(1);
            for (a, b) in p.quarters {
                assert!(last < a && a <= b, "{y}: {a} {b}");
                last = b;
            }
            assert_eq!(p.quarters[3].1, p.ends_on);
            assert_eq!(p.half_years[1].1, p.ends_on);
            assert!(p.quarters.iter().all(|(a, b)| (*b - *a).whole_days() > 40));
        }
    }
}
