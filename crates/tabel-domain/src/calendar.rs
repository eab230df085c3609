//! The academic calendar's arithmetic: which academic year a date falls in, how years are
//! named, which time zones a Russian school may be in.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Month};

/// The years a date from outside (a form, a query, a file) may fall in. Anything else is a typo
/// or a probe, never a lesson: and arithmetic on dates near the ends of `time`'s range (a week
/// after 9999-12-31) panics.
pub const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// A date from outside that is not `YYYY-MM-DD` within [`PLAUSIBLE_YEARS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a date from 1900 to 2199 written YYYY-MM-DD")]
pub struct InvalidDate;

/// `YYYY-MM-DD` within [`PLAUSIBLE_YEARS`]: how every date from a request is read.
pub fn parse_iso_date(raw: &str) -> Result<Date, InvalidDate> {
    Date::parse(
        raw.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
    .filter(is_plausible)
    .ok_or(InvalidDate)
}

/// Whether a date lies within [`PLAUSIBLE_YEARS`].
pub fn is_plausible(d: &Date) -> bool {
    PLAUSIBLE_YEARS.contains(&d.year())
}

/// An academic year, named by the calendar year it starts in: `2026/2027` starts on 1 September
/// 2026. The year nominally runs to 31 August; lessons end earlier (the calendar says when).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SchoolYear(i32);

/// A school year label that is not `YYYY/YYYY+1`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an academic year is written as 2026/2027")]
pub struct InvalidSchoolYear;

impl SchoolYear {
    /// The academic year that starts in September of `start_year`.
    pub fn starting(start_year: i32) -> Result<Self, InvalidSchoolYear> {
        if (2000..=2200).contains(&start_year) {
            Ok(Self(start_year))
        } else {
            Err(InvalidSchoolYear)
        }
    }

    /// The academic year a date belongs to: September–August.
    pub fn containing(date: Date) -> Self {
        let y = date.year();
        Self(if date.month() >= Month::September {
            y
        } else {
            y - 1
        })
    }

    /// Parses `2026/2027` (also `2026-2027`, `2026/27`).
    pub fn parse(raw: &str) -> Result<Self, InvalidSchoolYear> {
        let raw = raw.trim();
        let (a, b) = raw.split_once(['/', '-']).ok_or(InvalidSchoolYear)?;
        let start: i32 = a.parse().map_err(|_| InvalidSchoolYear)?;
        let end: i32 = b.parse().map_err(|_| InvalidSchoolYear)?;
        let end_ok = end == start + 1 || (b.len() == 2 && end == (start + 1) % 100);
        if a.len() != 4 || !end_ok {
            return Err(InvalidSchoolYear);
        }
        Self::starting(start)
    }

    /// The calendar year of September.
    pub fn start_year(self) -> i32 {
        self.0
    }

    /// 1 September of the year.
    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.0, Month::September, 1).unwrap_or(Date::MIN)
    }

    /// 31 August of the next year.
    pub fn last_day(self) -> Date {
        Date::from_calendar_date(self.0 + 1, Month::August, 31).unwrap_or(Date::MAX)
    }
}

impl fmt::Display for SchoolYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.0, self.0 + 1)
    }
}

impl TryFrom<String> for SchoolYear {
    type Error = InvalidSchoolYear;
    fn try_from(raw: String) -> Result<Self, InvalidSchoolYear> {
        Self::parse(&raw)
    }
}

impl From<SchoolYear> for String {
    fn from(v: SchoolYear) -> String {
        v.to_string()
    }
}

/// The IANA time zones of the Russian Federation's regions. A school's "today" is computed in
/// its zone; a zone outside this list is refused so that a typo cannot shift every date.
pub const RUSSIAN_TIME_ZONES: &[&str] = &[
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Simferopol",
    "Europe/Kirov",
    "Europe/Volgograd",
    "Europe/Astrakhan",
    "Europe/Saratov",
    "Europe/Ulyanovsk",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Barnaul",
    "Asia/Tomsk",
    "Asia/Novokuznetsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Chita",
    "Asia/Yakutsk",
    "Asia/Khandyga",
    "Asia/Vladivostok",
    "Asia/Ust-Nera",
    "Asia/Magadan",
    "Asia/Sakhalin",
    "Asia/Srednekolymsk",
    "Asia/Kamchatka",
    "Asia/Anadyr",
];

/// A school's IANA time zone, one of [`RUSSIAN_TIME_ZONES`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(&'static str);

/// A time zone name outside [`RUSSIAN_TIME_ZONES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone {0:?}: use an IANA name such as Europe/Moscow")]
pub struct UnknownTimeZone(pub String);

impl TimeZoneName {
    /// Moscow time, where most of the country's schools are.
    pub const MOSCOW: TimeZoneName = TimeZoneName("Europe/Moscow");

    /// Parses an IANA name.
    pub fn parse(raw: &str) -> Result<Self, UnknownTimeZone> {
        RUSSIAN_TIME_ZONES
            .iter()
            .find(|z| **z == raw.trim())
            .map(|z| Self(z))
            .ok_or_else(|| UnknownTimeZone(raw.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// The zone's offset from UTC in hours. Russia has kept fixed offsets without daylight
    /// saving since 2014 (the last regional change was Volgograd's, in 2020), so a table is
    /// exact and spares the binary a time-zone database.
    pub fn utc_offset_hours(&self) -> i8 {
        match self.0 {
            "Europe/Kaliningrad" => 2,
            "Europe/Moscow" | "Europe/Simferopol" | "Europe/Kirov" | "Europe/Volgograd" => 3,
            "Europe/Astrakhan" | "Europe/Saratov" | "Europe/Ulyanovsk" | "Europe/Samara" => 4,
            "Asia/Yekaterinburg" => 5,
            "Asia/Omsk" => 6,
            "Asia/Novosibirsk" | "Asia/Barnaul" | "Asia/Tomsk" | "Asia/Novokuznetsk"
            | "Asia/Krasnoyarsk" => 7,
            "Asia/Irkutsk" => 8,
            "Asia/Chita" | "Asia/Yakutsk" | "Asia/Khandyga" => 9,
            "Asia/Vladivostok" | "Asia/Ust-Nera" => 10,
            "Asia/Magadan" | "Asia/Sakhalin" | "Asia/Srednekolymsk" => 11,
            _ => 12,
        }
    }

    /// The local date in this zone at an instant: the school's "today".
    pub fn local_date(&self, at: time::OffsetDateTime) -> time::Date {
        self.local(at).date()
    }

    /// An instant in this zone's local time (what a clock on the school's wall showed).
    pub fn local(&self, at: time::OffsetDateTime) -> time::OffsetDateTime {
        let offset = time::UtcOffset::from_hms(self.utc_offset_hours(), 0, 0)
            .unwrap_or(time::UtcOffset::UTC);
        at.to_offset(offset)
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = UnknownTimeZone;
    fn try_from(raw: String) -> Result<Self, UnknownTimeZone> {
        Self::parse(&raw)
    }
}

impl From<TimeZoneName> for String {
    fn from(v: TimeZoneName) -> String {
        v.0.to_owned()
    }
}

/// Days in a school week for a parallel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct WeekLength(u8);

/// A week length other than 5 or 6 days.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a school week has 5 or 6 days")]
pub struct InvalidWeekLength;

impl WeekLength {
    /// Five days, Monday to Friday.
    pub const FIVE: Self = Self(5);
    /// Six days, Monday to Saturday.
    pub const SIX: Self = Self(6);

    /// Days in the week.
    pub fn days(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for WeekLength {
    type Error = InvalidWeekLength;
    fn try_from(n: u8) -> Result<Self, InvalidWeekLength> {
        match n {
            5 | 6 => Ok(Self(n)),
            _ => Err(InvalidWeekLength),
        }
    }
}

impl From<WeekLength> for u8 {
    fn from(v: WeekLength) -> u8 {
        v.0
    }
}

/// Weekly hours of a curriculum line, in tenths of an hour (0.5 h a week is common).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WeeklyHours(u16);

impl WeeklyHours {
    /// From tenths of an hour: 35 is 3.5 h a week.
    pub const fn from_tenths(tenths: u16) -> Self {
        Self(tenths)
    }
    /// Tenths of an hour.
    pub const fn tenths(self) -> u16 {
        self.0
    }
}

impl fmt::Display for WeeklyHours {
    /// Russian decimal comma: "3,5", "2".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(10) {
            write!(f, "{}", self.0 / 10)
        } else {
            write!(f, "{},{}", self.0 / 10, self.0 % 10)
        }
    }
}

#[cfg(test)]
mod tz_tests {
    use super::*;

    #[test]
    fn every_zone_has_an_offset_and_local_dates_follow_it() {
        for z in RUSSIAN_TIME_ZONES {
            let tz = TimeZoneName::parse(z).unwrap();
            assert!((2..=12).contains(&tz.utc_offset_hours()), "{z}");
        }
        let late_evening_utc = time::macros::datetime!(2026-11-28 22:30 UTC);
        let msk = TimeZoneName::parse("Europe/Moscow").unwrap();
        let kgd = TimeZoneName::parse("Europe/Kaliningrad").unwrap();
        assert_eq!(
            msk.local_date(late_evening_utc),
            time::macros::date!(2026 - 11 - 29)
        );
        assert_eq!(
            kgd.local_date(late_evening_utc),
            time::macros::date!(2026 - 11 - 29)
        );
        let early = time::macros::datetime!(2026-11-28 20:30 UTC);
        assert_eq!(kgd.local_date(early), time::macros::date!(2026 - 11 - 28));
        assert_eq!(
            TimeZoneName::parse("Asia/Anadyr")
                .unwrap()
                .local_date(early),
            time::macros::date!(2026 - 11 - 29)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_outside_are_iso_and_plausible() {
        assert_eq!(
            parse_iso_date(" 2026-11-28 "),
            Ok(time::macros::date!(2026 - 11 - 28))
        );
        for bad in [
            "9999-12-31",
            "-9999-01-01",
            "0000-01-01",
            "1899-12-31",
            "2200-01-01",
        ] {
            assert_eq!(parse_iso_date(bad), Err(InvalidDate), "{bad}");
        }
        assert_eq!(parse_iso_date("28.11.2026"), Err(InvalidDate));
    }
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn year_of_a_date() {
        assert_eq!(
            SchoolYear::containing(date!(2026 - 11 - 28)).to_string(),
            "2026/2027"
        );
        assert_eq!(
            SchoolYear::containing(date!(2027 - 05 - 20)).to_string(),
            "2026/2027"
        );
        assert_eq!(
            SchoolYear::containing(date!(2027 - 09 - 01)).to_string(),
            "2027/2028"
        );
    }

    #[test]
    fn year_labels_parse() {
        assert_eq!(SchoolYear::parse("2026/2027").unwrap().start_year(), 2026);
        assert_eq!(SchoolYear::parse("2026-27").unwrap().start_year(), 2026);
        for bad in ["2026", "2026/2028", "26/27", "abcd/efgh", ""] {
            assert!(SchoolYear::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weekly_hours_use_a_decimal_comma() {
        assert_eq!(WeeklyHours::from_tenths(35).to_string(), "3,5");
        assert_eq!(WeeklyHours::from_tenths(20).to_string(), "2");
    }

    #[test]
    fn time_zones_are_checked() {
        assert!(TimeZoneName::parse("Europe/Moscow").is_ok());
        assert!(TimeZoneName::parse("Europe/Moskow").is_err());
    }

    proptest! {
        #[test]
        fn every_date_is_inside_its_year(days in 0i32..40_000) {
            let d = date!(2000 - 01 - 01) + time::Duration::days(days.into());
            let y = SchoolYear::containing(d);
            prop_assert!(y.first_day() <= d && d <= y.last_day());
        }
    }
}
