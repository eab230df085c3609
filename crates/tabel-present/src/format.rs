//! Dates, instants and decimals as people read them. Dates are written the Russian way in both
//! languages (the school's papers and pages agree); the decimal separator follows the language.

use crate::Lang;
use tabel_domain::journal::Average;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

/// "05.11.2026".
pub fn date(d: Date) -> String {
    format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
}

/// "05.11": a day of the school year, where the year goes without saying.
pub fn day_month(d: Date) -> String {
    format!("{:02}.{:02}", d.day(), u8::from(d.month()))
}

/// "05.11.2026 14:30": the wall clock at the instant's own offset, to the minute (callers pass
/// the school's local time, `TimeZoneName::local`).
pub fn date_time(t: OffsetDateTime) -> String {
    format!("{} {:02}:{:02}", date(t.date()), t.hour(), t.minute())
}

/// "05.11.2026 11:30 UTC": an instant where no school's zone applies.
pub fn date_time_utc(t: OffsetDateTime) -> String {
    format!("{} UTC", date_time(t.to_offset(UtcOffset::UTC)))
}

/// "2026-11-05T11:30:00Z": an instant in the API (RFC 3339); "" for a year it cannot write
/// (outside 0000–9999, which no stored instant reaches).
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn separator(lang: Lang) -> char {
    match lang {
        Lang::Ru => ',',
        Lang::En => '.',
    }
}

/// Hundredths with two decimals: 467 → "4,67" (Russian), "4.67" (English).
pub fn hundredths(lang: Lang, h: u64) -> String {
    format!("{}{}{:02}", h / 100, separator(lang), h % 100)
}

/// Tenths with one decimal, none when whole: 15 → "1,5", 20 → "2".
pub fn tenths(lang: Lang, t: u64) -> String {
    if t.is_multiple_of(10) {
        (t / 10).to_string()
    } else {
        format!("{}{}{}", t / 10, separator(lang), t % 10)
    }
}

/// A weighted average as the journal shows it: "4,67", or "—" without marks.
pub fn average(lang: Lang, a: &Average) -> String {
    a.hundredths()
        .map_or_else(|| "—".to_owned(), |h| hundredths(lang, h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    #[test]
    fn dates_have_two_digit_days_and_months() {
        assert_eq!(date(date!(2026 - 11 - 05)), "05.11.2026");
        assert_eq!(day_month(date!(2027 - 01 - 09)), "09.01");
        assert_eq!(
            date_time(datetime!(2026-11-05 09:07:59 +3)),
            "05.11.2026 09:07"
        );
        assert_eq!(
            date_time_utc(datetime!(2026-11-05 09:07:59 +3)),
            "05.11.2026 06:07 UTC"
        );
        assert_eq!(
            rfc3339(datetime!(2026-11-28 13:16:20 UTC)),
            "2026-11-28T13:16:20Z"
        );
    }

    #[test]
    fn decimals_take_the_separator_of_the_language() {
        assert_eq!(hundredths(Lang::Ru, 467), "4,67");
        assert_eq!(hundredths(Lang::En, 467), "4.67");
        assert_eq!(hundredths(Lang::Ru, 5), "0,05");
        assert_eq!(hundredths(Lang::Ru, 8333), "83,33");
        assert_eq!(tenths(Lang::Ru, 15), "1,5");
        assert_eq!(tenths(Lang::En, 15), "1.5");
        assert_eq!(tenths(Lang::Ru, 20), "2");
        assert_eq!(tenths(Lang::Ru, 0), "0");
    }

    #[test]
    fn an_average_without_marks_is_a_dash() {
        assert_eq!(average(Lang::Ru, &Average::default()), "—");
        // 5, 4 and 5, each of weight 1.
        let a = Average {
            sum: 14,
            weights: 3,
            count: 3,
        };
        assert_eq!(average(Lang::Ru, &a), "4,67");
        assert_eq!(average(Lang::En, &a), "4.67");
        assert_eq!(a.to_string(), "4.67");
    }

    /// Reads a shown decimal back: whole part, separator, digits.
    fn read_back(shown: &str, sep: char, digits: u32) -> Option<u64> {
        let (whole, frac) = shown.split_once(sep).unwrap_or((shown, ""));
        let frac_digits = u32::try_from(frac.len()).ok()?;
        let scale = 10u64.pow(digits);
        let frac_value: u64 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        Some(whole.parse::<u64>().ok()? * scale + frac_value * 10u64.pow(digits - frac_digits))
    }

    proptest! {
        #[test]
        fn hundredths_round_trip(h in 0u64..10_000_000_000) {
            for (lang, sep) in [(Lang::Ru, ','), (Lang::En, '.')] {
                let shown = hundredths(lang, h);
                prop_assert_eq!(shown.matches(sep).count(), 1);
                prop_assert_eq!(read_back(&shown, sep, 2), Some(h));
            }
        }

        #[test]
        fn tenths_round_trip(t in 0u64..10_000_000_000) {
            for (lang, sep) in [(Lang::Ru, ','), (Lang::En, '.')] {
                let shown = tenths(lang, t);
                let zero_tenths = format!("{sep}0");
                prop_assert!(!shown.ends_with(&zero_tenths));
                prop_assert_eq!(read_back(&shown, sep, 1), Some(t));
            }
        }

        #[test]
        fn dates_read_back(days in 0i32..80_000) {
            let d = date!(1900 - 01 - 01) + time::Duration::days(i64::from(days));
            let shown = date(d);
            let format = time::macros::format_description!("[day].[month].[year]");
            prop_assert_eq!(Date::parse(&shown, &format).ok(), Some(d));
        }
    }
}
