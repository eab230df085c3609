//! The statistics schools compute from final marks: % успеваемости, % качества, СОУ, the
//! average mark; in hundredths of a percent, rounded half up once.

use super::FinalValue;
use serde::Serialize;

/// Final marks of a group counted for the statistics (5-point scale): how many of each, and N.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ResultCounts {
    /// «5».
    pub n5: u32,
    /// «4».
    pub n4: u32,
    /// «3».
    pub n3: u32,
    /// «2» (and «1»).
    pub n2: u32,
    /// н/а.
    pub na: u32,
    /// зач.
    pub pass: u32,
    /// незач.
    pub fail: u32,
}

impl ResultCounts {
    /// Counts one pupil's final mark (осв. is not counted: the pupil is outside N).
    pub fn add(&mut self, v: FinalValue) {
        match v {
            FinalValue::Points(5) => self.n5 += 1,
            FinalValue::Points(4) => self.n4 += 1,
            FinalValue::Points(3) => self.n3 += 1,
            FinalValue::Points(_) => self.n2 += 1,
            FinalValue::NotAttested => self.na += 1,
            FinalValue::Pass => self.pass += 1,
            FinalValue::Fail => self.fail += 1,
            FinalValue::Exempt => {}
        }
    }

    /// N: the pupils counted (exempt ones and pupils without a final mark are not; н/а is).
    pub fn n(&self) -> u32 {
        self.n5 + self.n4 + self.n3 + self.n2 + self.na + self.pass + self.fail
    }

    /// % успеваемости in hundredths of a percent: (n5 + n4 + n3 + зач.) / N.
    pub fn progress(&self) -> Option<u32> {
        ratio(self.n5 + self.n4 + self.n3 + self.pass, self.n())
    }

    /// % качества in hundredths of a percent: (n5 + n4) / N (of the pupils with points).
    pub fn quality(&self) -> Option<u32> {
        ratio(self.n5 + self.n4, self.n() - self.pass - self.fail)
    }

    /// СОУ (степень обученности) in hundredths of a percent: (100·n5 + 64·n4 + 36·n3 + 16·n2 +
    /// 7·n_н/а) / N.
    pub fn sou(&self) -> Option<u32> {
        let n = self.n() - self.pass - self.fail;
        let weighted = 100 * self.n5 + 64 * self.n4 + 36 * self.n3 + 16 * self.n2 + 7 * self.na;
        (n > 0).then(|| {
            let q = (u64::from(weighted) * 200 + u64::from(n)) / (2 * u64::from(n));
            u32::try_from(q).unwrap_or(u32::MAX)
        })
    }

    /// The average mark in hundredths: Σ k·n_k / Σ n_k over the points (н/а and codes aside).
    pub fn average(&self) -> Option<u32> {
        let n = self.n5 + self.n4 + self.n3 + self.n2;
        let sum = 5 * self.n5 + 4 * self.n4 + 3 * self.n3 + 2 * self.n2;
        (n > 0).then(|| {
            let q = (u64::from(sum) * 200 + u64::from(n)) / (2 * u64::from(n));
            u32::try_from(q).unwrap_or(u32::MAX)
        })
    }
}

/// `part / whole` in hundredths of a percent, rounded half up; `None` for an empty whole.
fn ratio(part: u32, whole: u32) -> Option<u32> {
    (whole > 0).then(|| {
        let q = (u64::from(part) * 20_000 + u64::from(whole)) / (2 * u64::from(whole));
        u32::try_from(q).unwrap_or(u32::MAX)
    })
}

/// Hundredths as a percent or a mark with a comma: 8333 → "83,33".
pub fn hundredths_text(h: u32) -> String {
    format!("{},{:02}", h / 100, h % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;

    #[test]
    fn the_statistics_follow_the_formulas() {
        let mut c = ResultCounts::default();
        for v in [5, 5, 4, 4, 4, 3, 2] {
            c.add(FinalValue::Points(v));
        }
        c.add(FinalValue::NotAttested);
        c.add(FinalValue::Exempt);
        assert_eq!(c.n(), 8);
        assert_eq!(c.progress(), Some(7500)); // 6 / 8
        assert_eq!(c.quality(), Some(6250)); // 5 / 8
        // (200 + 192 + 36 + 16 + 7) / 8 = 56.375 → 56.38
        assert_eq!(c.sou(), Some(5638));
        // (10 + 12 + 3 + 2) / 7 = 3.857 → 3.86
        assert_eq!(c.average(), Some(386));
        assert_eq!(hundredths_text(5638), "56,38");
        assert_eq!(ResultCounts::default().progress(), None);
    }

    proptest! {

        #[test]
        fn percentages_stay_within_bounds(
            values in proptest::collection::vec(prop_oneof![
                (2u8..=5).prop_map(FinalValue::Points),
                Just(FinalValue::NotAttested),
                Just(FinalValue::Exempt),
            ], 0..60),
        ) {
            let mut c = ResultCounts::default();
            for v in &values { c.add(*v); }
            for p in [c.progress(), c.quality(), c.sou()].into_iter().flatten() {
                prop_assert!(p <= 10_000);
            }
            if let (Some(q), Some(pr)) = (c.quality(), c.progress()) {
                prop_assert!(q <= pr);
            }
            if let Some(a) = c.average() { prop_assert!((200..=500).contains(&a)); }
        }

    }
}
