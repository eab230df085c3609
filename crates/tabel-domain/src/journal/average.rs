//! The one weighted average every page, report and forecast calls: exact, in integers.

use super::Mark;
use std::fmt;

/// An exact weighted average: `sum / weights` where `sum` is Σ points × weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Average {
    /// Σ points × weight.
    pub sum: u64,
    /// Σ weight.
    pub weights: u64,
    /// Marks counted (a double mark counts twice; зач./незач. not at all).
    pub count: u32,
}

impl Average {
    /// The average of marks with their weights: Σ(mark·weight)/Σweight.
    pub fn of<I: IntoIterator<Item = (Mark, u8)>>(marks: I) -> Average {
        let mut a = Average::default();
        for (mark, weight) in marks {
            a.add(mark, weight);
        }
        a
    }

    /// Adds one mark.
    pub fn add(&mut self, mark: Mark, weight: u8) {
        for p in mark.points() {
            self.sum += u64::from(p) * u64::from(weight);
            self.weights += u64::from(weight);
            self.count += 1;
        }
    }

    /// The average in hundredths, rounded half up (4.666… → 467); `None` without marks.
    pub fn hundredths(&self) -> Option<u64> {
        (self.weights > 0).then(|| (self.sum * 200 + self.weights) / (2 * self.weights))
    }

    /// "4.67", or "—" without marks.
    pub fn display(&self) -> String {
        self.to_string()
    }

    /// Whether the exact average is at least `threshold` hundredths (no rounding on the way).
    pub fn at_least(&self, threshold: u16) -> bool {
        self.weights > 0 && self.sum * 100 >= u64::from(threshold) * self.weights
    }

    /// The 5-point mark the average rounds to through the thresholds (hundredths, ascending:
    /// the averages from which 3, 4 and 5 are given, e.g. `[250, 350, 450]`).
    pub fn rounded(&self, thresholds: [u16; 3]) -> Option<u8> {
        if self.weights == 0 {
            return None;
        }
        let mut mark = 2;
        for (i, t) in thresholds.iter().enumerate() {
            if self.at_least(*t) {
                mark = 3 + u8::try_from(i).unwrap_or(0);
            }
        }
        Some(mark)
    }
}

/// "4.67" with a point, or "—": the form the API and the CSV exports carry.
impl fmt::Display for Average {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.hundredths() {
            Some(h) => write!(f, "{}.{:02}", h / 100, h % 100),
            None => f.write_str("—"),
        }
    }
}

/// Serialised as its text ("4.67" or "—"), as the read models always carried it.
impl serde::Serialize for Average {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn averages_are_weighted_and_doubles_count_twice() {
        // 5 (control, 5) and 3 (answer, 2): (25 + 6) / 7 = 4.428…
        let a = Average::of([(Mark::Points(5), 5), (Mark::Points(3), 2)]);
        assert_eq!(a.hundredths(), Some(443));
        assert_eq!(a.display(), "4.43");
        assert_eq!(a.rounded([250, 350, 450]), Some(4));
        let d = Average::of([(Mark::Double(3, 5), 1)]);
        assert_eq!((d.count, d.hundredths()), (2, Some(400)));
        let p = Average::of([(Mark::Pass, 1)]);
        assert_eq!(
            (p.count, p.hundredths(), p.display()),
            (0, None, "—".to_owned())
        );
        // Exactly on the threshold: 4.5 gives a 5; 4.49… does not.
        let on = Average::of([(Mark::Points(5), 1), (Mark::Points(4), 1)]);
        assert_eq!(on.rounded([250, 350, 450]), Some(5));
        assert_eq!(on.rounded([260, 360, 460]), Some(4));
        let below = Average::of([
            (Mark::Points(5), 1),
            (Mark::Points(4), 1),
            (Mark::Points(4), 1),
        ]);
        assert_eq!(below.rounded([250, 350, 450]), Some(4));
    }

    fn mark() -> impl Strategy<Value = (Mark, u8)> {
        (
            prop_oneof![
                (2u8..=5).prop_map(Mark::Points),
                (2u8..=5, 2u8..=5).prop_map(|(a, b)| Mark::Double(a, b)),
                Just(Mark::Pass),
            ],
            1u8..=10,
        )
    }

    proptest! {

        #[test]
        fn the_average_lies_between_the_lowest_and_highest_mark(marks in proptest::collection::vec(mark(), 0..60)) {
            let a = Average::of(marks.iter().copied());
            let points: Vec<u8> = marks.iter().flat_map(|(m, _)| m.points()).collect();
            match a.hundredths() {
                None => prop_assert!(points.is_empty()),
                Some(h) => {
                    let lo = u64::from(*points.iter().min().unwrap()) * 100;
                    let hi = u64::from(*points.iter().max().unwrap()) * 100;
                    prop_assert!(lo <= h && h <= hi, "{h} not in {lo}..={hi}");
                    prop_assert_eq!(u64::from(a.count), points.len() as u64);
                }
            }
        }

        #[test]
        fn rounding_agrees_with_exact_rational_comparison(marks in proptest::collection::vec(mark(), 1..40), t in 201u16..=300) {
            let a = Average::of(marks.iter().copied());
            prop_assume!(a.weights > 0);
            let thresholds = [t, t + 100, t + 199];
            let r = a.rounded(thresholds).unwrap();
            // Compare as fractions with integers only: sum/weights >= t/100.
            let ge = |x: u16| a.sum * 100 >= u64::from(x) * a.weights;
            let expected = if ge(thresholds[2]) { 5 } else if ge(thresholds[1]) { 4 } else if ge(thresholds[0]) { 3 } else { 2 };
            prop_assert_eq!(r, expected);
            // Weights scale: the same marks with every weight doubled round the same way.
            let doubled = Average::of(marks.iter().map(|(m, w)| (*m, w.saturating_mul(2))));
            prop_assert_eq!(doubled.rounded(thresholds), Some(r));
        }

    }
}
