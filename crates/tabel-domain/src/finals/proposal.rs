//! The proposal of a final mark: a period's from its marks under the grading policy, the
//! year's from the periods'.

use super::FinalValue;
use crate::journal::{Average, GradingPolicy, Scale};
use serde::Serialize;

/// What a period's journal says about a pupil in a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PeriodFacts {
    /// The weighted average of the period's marks.
    pub average: Average,
    /// Whether a "2" is among them.
    pub has_two: bool,
    /// зач. marks (pass/fail subjects).
    pub passes: u32,
    /// незач. marks.
    pub fails: u32,
    /// Lessons held in the period while the pupil was in the group.
    pub lessons_held: u32,
    /// Of them, missed (absent; late by more than half the lesson counts as missed).
    pub lessons_missed: u32,
}

/// Why the proposal is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The weighted average through the rounding thresholds.
    Average,
    /// The average rounded to a 5 was held at 4 by a "2" in the period (policy).
    CappedByTwo,
    /// Fewer marks than the policy's minimum.
    TooFewMarks,
    /// More than half of the lessons missed.
    MostlyAbsent,
    /// The majority of зач./незач.
    PassFail,
    /// The year from the periods' marks.
    Periods,
    /// A period of the year is н/а.
    PeriodNotAttested,
}

impl Basis {
    /// The code, as the API and the stored proposals name it.
    pub const fn code(self) -> &'static str {
        match self {
            Basis::Average => "average",
            Basis::CappedByTwo => "capped_by_two",
            Basis::TooFewMarks => "too_few_marks",
            Basis::MostlyAbsent => "mostly_absent",
            Basis::PassFail => "pass_fail",
            Basis::Periods => "periods",
            Basis::PeriodNotAttested => "period_not_attested",
        }
    }
}

/// A proposal for a final mark: the value and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Proposal {
    /// The proposed value.
    pub value: FinalValue,
    /// Why.
    pub basis: Basis,
}

/// The proposal for a period's final mark (the teacher confirms it or sets another value with a
/// reason). In order: more than half the lessons missed → н/а; fewer marks than the policy's
/// minimum → н/а; a pass/fail subject → зач. when зач. are at least half; otherwise the
/// weighted average through the thresholds (5-point) or rounded half up (10- and 100-point), a
/// "2" keeping a 5 at 4 where the policy says so. `None` when there is nothing at all (no marks
/// and no lessons).
pub fn propose(policy: &GradingPolicy, scale: Scale, f: &PeriodFacts) -> Option<Proposal> {
    let na = |basis| {
        Some(Proposal {
            value: FinalValue::NotAttested,
            basis,
        })
    };
    if f.lessons_held > 0 && u64::from(f.lessons_missed) * 2 > u64::from(f.lessons_held) {
        return na(Basis::MostlyAbsent);
    }
    if scale == Scale::PassFail {
        let n = f.passes + f.fails;
        if n == 0 {
            return (f.lessons_held > 0).then_some(Proposal {
                value: FinalValue::NotAttested,
                basis: Basis::TooFewMarks,
            });
        }
        if n < u32::from(policy.min_marks) {
            return na(Basis::TooFewMarks);
        }
        let value = if f.passes >= f.fails {
            FinalValue::Pass
        } else {
            FinalValue::Fail
        };
        return Some(Proposal {
            value,
            basis: Basis::PassFail,
        });
    }
    if f.average.count == 0 && f.lessons_held == 0 {
        return None;
    }
    if f.average.count < u32::from(policy.min_marks) {
        return na(Basis::TooFewMarks);
    }
    let (value, basis) = match scale {
        Scale::Five => {
            let mark = f.average.rounded(policy.thresholds)?;
            if mark == 5 && policy.two_caps && f.has_two {
                (4, Basis::CappedByTwo)
            } else {
                (mark, Basis::Average)
            }
        }
        Scale::Ten | Scale::Hundred | Scale::PassFail => {
            let h = f.average.hundredths()?;
            (
                u8::try_from((h + 50) / 100).unwrap_or(u8::MAX),
                Basis::Average,
            )
        }
    };
    Some(Proposal {
        value: FinalValue::Points(value),
        basis,
    })
}

/// The proposal for the year from the periods' final marks: н/а when a period is н/а (an open
/// debt), the arithmetic mean of the periods' points through the thresholds otherwise (exempt
/// periods and pass/fail codes aside; зач. for a pass/fail subject when no period failed).
pub fn propose_year(
    policy: &GradingPolicy,
    scale: Scale,
    periods: &[FinalValue],
) -> Option<Proposal> {
    if periods.contains(&FinalValue::NotAttested) {
        return Some(Proposal {
            value: FinalValue::NotAttested,
            basis: Basis::PeriodNotAttested,
        });
    }
    if scale == Scale::PassFail {
        let counted: Vec<_> = periods
            .iter()
            .filter(|v| **v != FinalValue::Exempt)
            .collect();
        if counted.is_empty() {
            return None;
        }
        let value = if counted.contains(&&FinalValue::Fail) {
            FinalValue::Fail
        } else {
            FinalValue::Pass
        };
        return Some(Proposal {
            value,
            basis: Basis::Periods,
        });
    }
    let mut avg = Average::default();
    for v in periods {
        if let FinalValue::Points(p) = v {
            avg.add(crate::journal::Mark::Points(*p), 1);
        }
    }
    if avg.count == 0 {
        return periods.contains(&FinalValue::Exempt).then_some(Proposal {
            value: FinalValue::Exempt,
            basis: Basis::Periods,
        });
    }
    let value = match scale {
        Scale::Five => avg.rounded(policy.thresholds)?,
        _ => u8::try_from((avg.hundredths()? + 50) / 100).unwrap_or(u8::MAX),
    };
    Some(Proposal {
        value: FinalValue::Points(value),
        basis: Basis::Periods,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finals::facts;

    #[test]
    fn the_proposal_follows_the_policy() {
        let policy = GradingPolicy::default();
        let prop = |f: &PeriodFacts| propose(&policy, Scale::Five, f).map(|p| (p.value, p.basis));
        // 5, 5, 4 with weights 2, 2, 5 → (10+10+20)/9 = 4.44 → 4.
        assert_eq!(
            prop(&facts(&[(5, 2), (5, 2), (4, 5)])),
            Some((FinalValue::Points(4), Basis::Average))
        );
        // Exactly on the threshold counts: 4.5 → 5.
        assert_eq!(
            prop(&facts(&[(5, 1), (4, 1), (5, 1), (4, 1)])),
            Some((FinalValue::Points(5), Basis::Average))
        );
        // Too few marks → н/а.
        assert_eq!(
            prop(&facts(&[(5, 2), (5, 2)])),
            Some((FinalValue::NotAttested, Basis::TooFewMarks))
        );
        // More than half of the lessons missed → н/а, whatever the marks.
        let mut f = facts(&[(5, 2), (5, 2), (5, 2)]);
        f.lessons_missed = 11;
        assert_eq!(
            prop(&f),
            Some((FinalValue::NotAttested, Basis::MostlyAbsent))
        );
        f.lessons_missed = 10;
        assert_eq!(prop(&f), Some((FinalValue::Points(5), Basis::Average)));
        // A "2" caps a 5 where the policy says so.
        let capped = GradingPolicy {
            two_caps: true,
            ..GradingPolicy::default()
        };
        let f = facts(&[(5, 5), (5, 5), (5, 5), (2, 1)]);
        assert_eq!(
            propose(&capped, Scale::Five, &f).map(|p| (p.value, p.basis)),
            Some((FinalValue::Points(4), Basis::CappedByTwo))
        );
        assert_eq!(prop(&f).map(|p| p.0), Some(FinalValue::Points(5)));
        // Nothing at all: no proposal.
        let empty = PeriodFacts::default();
        assert_eq!(prop(&empty), None);
        // Pass/fail: the majority, ties to зач.
        let pf = PeriodFacts {
            passes: 2,
            fails: 2,
            lessons_held: 10,
            ..PeriodFacts::default()
        };
        assert_eq!(
            propose(&policy, Scale::PassFail, &pf).map(|p| p.value),
            Some(FinalValue::Pass)
        );
    }

    #[test]
    fn the_year_comes_from_the_periods() {
        let policy = GradingPolicy::default();
        let year = |v: &[FinalValue]| propose_year(&policy, Scale::Five, v).map(|p| p.value);
        use FinalValue::*;
        assert_eq!(
            year(&[Points(4), Points(5), Points(4), Points(5)]),
            Some(Points(5))
        );
        assert_eq!(
            year(&[Points(4), Points(4), Points(5), Points(3)]),
            Some(Points(4))
        );
        assert_eq!(year(&[Points(4), NotAttested]), Some(NotAttested));
        assert_eq!(year(&[Exempt, Exempt]), Some(Exempt));
        assert_eq!(year(&[]), None);
    }
}
