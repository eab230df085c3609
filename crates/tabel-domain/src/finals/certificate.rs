//! The итоговая mark (for the аттестат, or after a school's transfer exam) derived from the year
//! mark and the exam mark by the rule the school's grading policy names.
//!
//! DOMAIN.md ("Final (итоговые) marks for the аттестат"): in grade 9, for the subjects taken at
//! ГИА, the arithmetic mean of the year mark and the exam mark, for the others the year mark;
//! whole numbers by mathematical rounding (x.5 up). Some schools round the mean by their
//! policy's thresholds instead (a 4.5 is a 4 under a 4.6 threshold), and some let the year mark
//! stand: both are rules a policy may name.

use super::FinalValue;
use crate::journal::Scale;
use serde::{Deserialize, Serialize};

/// How the итоговая mark follows from the year and exam marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalRule {
    /// The mean of the year and exam marks, x.5 up (the order on аттестаты); the year mark
    /// where there is no exam.
    #[default]
    MeanHalfUp,
    /// The mean of the year and exam marks through the policy's rounding thresholds; the year
    /// mark where there is no exam.
    MeanByThresholds,
    /// The year mark; the exam does not change it.
    YearMark,
}

impl FinalRule {
    /// Every rule.
    pub const ALL: [FinalRule; 3] = [
        FinalRule::MeanHalfUp,
        FinalRule::MeanByThresholds,
        FinalRule::YearMark,
    ];

    /// The stored code, also the derivation's basis on the mark.
    pub const fn code(self) -> &'static str {
        match self {
            FinalRule::MeanHalfUp => "mean_half_up",
            FinalRule::MeanByThresholds => "mean_by_thresholds",
            FinalRule::YearMark => "year_mark",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<FinalRule> {
        FinalRule::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The итоговая mark from the year mark and the exam mark (if the pupil took one).
    ///
    /// Nothing without a year mark. A year mark that is a code (осв., н/а, зач., незач.) stands
    /// as it is. A failing exam code (незач., н/а) gives the итоговая that code: the subject is
    /// not passed until the debt is retaken. A passed exam without points (зач.) leaves the
    /// year mark. Two marks in points give their mean, rounded by the rule: half up, or, on the
    /// 5-point scale with [`FinalRule::MeanByThresholds`], through `thresholds` (hundredths from
    /// which 3, 4 and 5 are given; other scales round half up).
    pub fn derive(
        self,
        scale: Scale,
        thresholds: [u16; 3],
        year: Option<FinalValue>,
        exam: Option<FinalValue>,
    ) -> Option<FinalValue> {
        let year = year?;
        let FinalValue::Points(y) = year else {
            return Some(year);
        };
        let exam = match (self, exam) {
            (FinalRule::YearMark, _) | (_, None | Some(FinalValue::Exempt | FinalValue::Pass)) => {
                return Some(year);
            }
            (_, Some(FinalValue::Points(e))) => e,
            (_, Some(code)) => return Some(code),
        };
        let sum = u16::from(y) + u16::from(exam);
        let half_up = u8::try_from(sum.div_ceil(2)).unwrap_or(u8::MAX);
        Some(FinalValue::Points(match (self, scale) {
            (FinalRule::MeanByThresholds, Scale::Five) => {
                // The mean in hundredths: sum / 2 · 100.
                let mean = sum * 50;
                let [three, four, five] = thresholds;
                if mean >= five {
                    5
                } else if mean >= four {
                    4
                } else if mean >= three {
                    3
                } else {
                    y.min(exam).min(2)
                }
            }
            _ => half_up,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const T: [u16; 3] = [250, 350, 450];

    fn p(n: u8) -> Option<FinalValue> {
        Some(FinalValue::Points(n))
    }

    #[test]
    fn grade_nine_takes_the_mean_of_year_and_exam_half_up() {
        let r = FinalRule::MeanHalfUp;
        assert_eq!(r.derive(Scale::Five, T, p(4), p(5)), p(5));
        assert_eq!(r.derive(Scale::Five, T, p(4), p(3)), p(4));
        assert_eq!(r.derive(Scale::Five, T, p(3), p(2)), p(3));
        assert_eq!(r.derive(Scale::Five, T, p(5), None), p(5));
        assert_eq!(r.derive(Scale::Five, T, None, p(5)), None);
        assert_eq!(
            r.derive(Scale::Five, T, Some(FinalValue::Exempt), p(5)),
            Some(FinalValue::Exempt)
        );
        assert_eq!(
            r.derive(Scale::Five, T, p(4), Some(FinalValue::Fail)),
            Some(FinalValue::Fail)
        );
        assert_eq!(r.derive(Scale::Five, T, p(4), Some(FinalValue::Pass)), p(4));
    }

    #[test]
    fn thresholds_can_round_a_half_down() {
        let r = FinalRule::MeanByThresholds;
        assert_eq!(r.derive(Scale::Five, T, p(4), p(5)), p(5));
        assert_eq!(r.derive(Scale::Five, [260, 360, 460], p(4), p(5)), p(4));
        assert_eq!(r.derive(Scale::Five, [260, 360, 460], p(2), p(3)), p(2));
        assert_eq!(FinalRule::YearMark.derive(Scale::Five, T, p(4), p(2)), p(4));
        for rule in FinalRule::ALL {
            assert_eq!(FinalRule::parse(rule.code()), Some(rule));
        }
    }

    proptest! {
        #[test]
        fn the_mean_lies_between_the_two_marks_and_is_the_rounded_half(
            y in 2u8..=5, e in 2u8..=5,
            a in 201u16..=300, b in 301u16..=400, c in 401u16..=500,
        ) {
            for rule in [FinalRule::MeanHalfUp, FinalRule::MeanByThresholds] {
                let thresholds = if rule == FinalRule::MeanHalfUp { T } else { [a, b, c] };
                let Some(FinalValue::Points(f)) = rule.derive(Scale::Five, thresholds, p(y), p(e))
                else {
                    return Err(TestCaseError::fail("no mark"));
                };
                prop_assert!(y.min(e) <= f && f <= y.max(e));
                // Within half a mark of the exact mean: 2·f differs from y + e by at most 1.
                prop_assert!((i16::from(f) * 2 - i16::from(y) - i16::from(e)).abs() <= 1);
                if (y + e) % 2 == 0 {
                    prop_assert_eq!(f, (y + e) / 2);
                }
            }
            let half_up = FinalRule::MeanHalfUp.derive(Scale::Five, T, p(y), p(e));
            prop_assert_eq!(half_up, p((y + e).div_ceil(2)));
            // The default thresholds 2.5 / 3.5 / 4.5 round the same way as half up.
            prop_assert_eq!(FinalRule::MeanByThresholds.derive(Scale::Five, T, p(y), p(e)), half_up);
        }

        #[test]
        fn the_hundred_point_scale_rounds_half_up(y in 0u8..=100, e in 0u8..=100) {
            let f = FinalRule::MeanByThresholds.derive(Scale::Hundred, T, p(y), p(e));
            prop_assert_eq!(f, p(u8::try_from((u16::from(y) + u16::from(e)).div_ceil(2)).unwrap_or(0)));
        }
    }
}
