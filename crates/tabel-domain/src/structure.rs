//! Rules of the school's structure as its administrators edit it: reporting periods of one kind
//! follow each other inside the year (numbered 1..n, no overlaps, gaps only where nobody
//! studies), and the periods a new year proposes for each kind.

use crate::federal::CalendarPlan;
use crate::school::PeriodKind;
use time::{Date, Duration, Weekday};

/// Why a set of periods was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodsError {
    /// A period ends before it starts.
    #[error("period {0} ends before it starts")]
    Reversed(u8),
    /// A period lies (partly) outside the academic year.
    #[error("period {0} lies outside the academic year")]
    OutsideYear(u8),
    /// Periods are not numbered 1..n.
    #[error("the periods must be numbered 1 to {0}")]
    Numbering(u8),
    /// Two periods share days.
    #[error("periods {0} and {1} overlap")]
    Overlap(u8, u8),
    /// School days fall between two periods.
    #[error("between periods {0} and {1} there are school days ({2}) that belong to no period")]
    Gap(u8, u8, Date),
}

/// Checks the periods of one kind of a year: each inside `[first, last]`, numbered 1..n in
/// date order, no overlaps, and every day between two periods is a weekend or `is_off` (a
/// holiday or a day off). `periods` are `(number, starts_on, ends_on)`.
pub fn check_periods(
    first: Date,
    last: Date,
    periods: &[(u8, Date, Date)],
    is_off: impl Fn(Date) -> bool,
) -> Result<(), PeriodsError> {
    let mut sorted = periods.to_vec();
    sorted.sort_by_key(|p| p.0);
    let n = u8::try_from(sorted.len()).unwrap_or(u8::MAX);
    for (i, (number, from, to)) in sorted.iter().enumerate() {
        if usize::from(*number) != i + 1 {
            return Err(PeriodsError::Numbering(n));
        }
        if to < from {
            return Err(PeriodsError::Reversed(*number));
        }
        if *from < first || *to > last {
            return Err(PeriodsError::OutsideYear(*number));
        }
    }
    for pair in sorted.windows(2) {
        let (a, _, a_end) = pair[0];
        let (b, b_start, _) = pair[1];
        if b_start <= a_end {
            return Err(PeriodsError::Overlap(a, b));
        }
        let mut d = a_end + Duration::days(1);
        while d < b_start {
            let weekend = matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
            if !weekend && !is_off(d) {
                return Err(PeriodsError::Gap(a, b, d));
            }
            d += Duration::days(1);
        }
    }
    Ok(())
}

/// The periods a new year proposes for a kind: quarters and half-years as the federal calendar
/// has them, trimesters as three nearly equal thirds; the first starts on `first` and the last
/// ends on `last` when the school's year differs from the federal one.
pub fn proposed_periods(
    kind: PeriodKind,
    plan: &CalendarPlan,
    first: Date,
    last: Date,
) -> Vec<(Date, Date)> {
    let mut v: Vec<(Date, Date)> = match kind {
        PeriodKind::Quarter => plan.quarters.to_vec(),
        PeriodKind::HalfYear => plan.half_years.to_vec(),
        PeriodKind::Trimester => {
            let days = (last - first).whole_days() + 1;
            let third = days / 3;
            let a_end = first + Duration::days(third - 1);
            let b_end = a_end + Duration::days(third);
            vec![
                (first, a_end),
                (a_end + Duration::days(1), b_end),
                (b_end + Duration::days(1), last),
            ]
        }
    };
    if let Some(p) = v.first_mut() {
        p.0 = first;
    }
    if let Some(p) = v.last_mut() {
        p.1 = last;
    }
    // A school year shorter than the federal one: keep every period inside it.
    for p in &mut v {
        p.0 = p.0.clamp(first, last);
        p.1 = p.1.clamp(p.0, last);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::SchoolYear;
    use time::macros::date;

    fn plan() -> CalendarPlan {
        crate::federal::plan(SchoolYear::starting(2026).unwrap()).unwrap()
    }

    #[test]
    fn federal_quarters_pass_because_their_gaps_are_holidays() {
        let p = plan();
        let quarters: Vec<_> = p
            .quarters
            .iter()
            .enumerate()
            .map(|(i, (a, b))| (i as u8 + 1, *a, *b))
            .collect();
        let off = |d: Date| {
            p.days_off
                .iter()
                .any(|o| o.starts_on <= d && d <= o.ends_on)
        };
        assert_eq!(
            check_periods(p.starts_on, p.ends_on, &quarters, off),
            Ok(())
        );
        // Without the holidays the autumn break is a gap of school days.
        assert!(matches!(
            check_periods(p.starts_on, p.ends_on, &quarters, |_| false),
            Err(PeriodsError::Gap(1, 2, _))
        ));
    }

    #[test]
    fn overlaps_reversals_numbering_and_the_year_bounds_are_refused() {
        let (first, last) = (date!(2026 - 09 - 01), date!(2027 - 05 - 26));
        let ok = |_| true;
        let a = (1, date!(2026 - 09 - 01), date!(2026 - 12 - 30));
        assert_eq!(
            check_periods(
                first,
                last,
                &[a, (2, date!(2026 - 12 - 30), date!(2027 - 05 - 26))],
                ok
            ),
            Err(PeriodsError::Overlap(1, 2))
        );
        assert_eq!(
            check_periods(
                first,
                last,
                &[(1, date!(2026 - 10 - 01), date!(2026 - 09 - 30))],
                ok
            ),
            Err(PeriodsError::Reversed(1))
        );
        assert_eq!(
            check_periods(
                first,
                last,
                &[a, (3, date!(2027 - 01 - 12), date!(2027 - 05 - 26))],
                ok
            ),
            Err(PeriodsError::Numbering(2))
        );
        assert_eq!(
            check_periods(
                first,
                last,
                &[a, (2, date!(2027 - 01 - 12), date!(2027 - 05 - 31))],
                ok
            ),
            Err(PeriodsError::OutsideYear(2))
        );
    }

    #[test]
    fn trimesters_cover_the_year_without_gaps() {
        let p = plan();
        let t = proposed_periods(PeriodKind::Trimester, &p, p.starts_on, p.ends_on);
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].0, p.starts_on);
        assert_eq!(t[2].1, p.ends_on);
        for w in t.windows(2) {
            assert_eq!(w[0].1 + Duration::days(1), w[1].0);
        }
        let numbered: Vec<_> = t
            .iter()
            .enumerate()
            .map(|(i, (a, b))| (i as u8 + 1, *a, *b))
            .collect();
        assert_eq!(
            check_periods(p.starts_on, p.ends_on, &numbered, |_| false),
            Ok(())
        );
    }

    #[test]
    fn a_shorter_school_year_moves_the_first_and_last_period() {
        let p = plan();
        let last = date!(2027 - 05 - 21);
        let q = proposed_periods(PeriodKind::Quarter, &p, date!(2026 - 09 - 02), last);
        assert_eq!(q[0].0, date!(2026 - 09 - 02));
        assert_eq!(q[3].1, last);
        assert_eq!(q[1], p.quarters[1]);
    }
}
