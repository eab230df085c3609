//! Dates and instants as files and operators write them, the receipt read in the school's zone.

use crate::calendar::TimeZoneName;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// A date as files write it: `28.11.2026`, `2026-11-28`, `28/11/2026`, with a time after it
/// ignored (`28.11.2026 0:00:00`).
pub fn parse_date(raw: &str) -> Option<Date> {
    let t = raw.split_whitespace().next()?;
    let t = t.split_once('T').map_or(t, |(d, _)| d);
    let parts: Vec<&str> = t.split(['.', '-', '/']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let num = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (y, m, d) = if a.len() == 4 {
        (num(a)?, num(b)?, num(c)?)
    } else if c.len() == 4 {
        (num(c)?, num(b)?, num(a)?)
    } else {
        return None;
    };
    let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
    let year = i32::try_from(y)
        .ok()
        .filter(|y| (1900..=2200).contains(y))?;
    Date::from_calendar_date(year, month, u8::try_from(d).ok()?).ok()
}

/// An instant as an operator writes when the school received a file: RFC 3339
/// (`2026-11-27T10:00:00+03:00`, `…Z`), or the school's local time `2026-11-27 10:00`,
/// `2026-11-27T10:00` (what a browser's date-time field sends) or `27.11.2026 10:00`.
pub fn parse_received_at(raw: &str, zone: &TimeZoneName) -> Option<OffsetDateTime> {
    let t = raw.trim();
    if let Ok(at) = OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339) {
        return at
            .checked_to_offset(UtcOffset::UTC)
            .filter(|u| crate::calendar::is_plausible(&u.date()));
    }
    let (day, clock) = t.split_once(['T', ' ']).map(|(d, c)| (d, c.trim()))?;
    let date = parse_date(day)?;
    let mut hms = clock.split(':');
    let mut part = |max: u8| -> Option<u8> {
        match hms.next() {
            None => Some(0),
            Some(s) if !s.is_empty() && s.len() <= 2 && s.chars().all(|c| c.is_ascii_digit()) => {
                s.parse().ok().filter(|n| *n <= max)
            }
            Some(_) => None,
        }
    };
    let (h, m, s) = (part(23)?, part(59)?, part(59)?);
    if hms.next().is_some() {
        return None;
    }
    let offset = UtcOffset::from_hms(zone.utc_offset_hours(), 0, 0).ok()?;
    let local = PrimitiveDateTime::new(date, Time::from_hms(h, m, s).ok()?);
    Some(local.assume_offset(offset).to_offset(UtcOffset::UTC))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    #[test]
    fn dates_and_receipt_instants_read_in_the_schools_zone() {
        assert_eq!(
            parse_date("03.06.2027 0:00:00"),
            Some(date!(2027 - 06 - 03))
        );
        assert_eq!(parse_date("2027/06/03"), Some(date!(2027 - 06 - 03)));
        assert_eq!(parse_date("31.02.2027"), None);
        assert_eq!(parse_date("03.06.27"), None);
        let msk = TimeZoneName::MOSCOW;
        let utc = datetime!(2026-11-27 07:00 UTC);
        assert_eq!(parse_received_at("2026-11-27T10:00", &msk), Some(utc));
        assert_eq!(parse_received_at("27.11.2026 10:00", &msk), Some(utc));
        assert_eq!(
            parse_received_at("2026-11-27T10:00:00+03:00", &msk),
            Some(utc)
        );
        assert_eq!(parse_received_at("2026-11-27T07:00:00Z", &msk), Some(utc));
        assert_eq!(parse_received_at("2026-11-27", &msk), None);
        assert_eq!(parse_received_at("2026-11-27 25:00", &msk), None);
        assert_eq!(parse_received_at("2026-11-27 10:00:00:00", &msk), None);
    }

    proptest! {

        #[test]
        fn receipt_instants_never_panic(raw in "\\PC{0,40}") {
            let _ = parse_received_at(&raw, &TimeZoneName::MOSCOW);
            let _ = parse_date(&raw);
        }

    }
}
