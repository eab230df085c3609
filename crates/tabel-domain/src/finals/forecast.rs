//! The forecast of the current period: risks, and "what it takes" to reach a mark.

use super::{FinalValue, PeriodFacts, Proposal, propose};
use crate::journal::{Average, GradingPolicy, Scale};
use serde::Serialize;

/// A risk the forecast flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Fewer marks than the policy's minimum so far.
    TooFewMarks,
    /// More than half of the lessons so far missed.
    ManyAbsences,
    /// The projected mark is a 2.
    ProjectedTwo,
    /// The projection is н/а.
    ProjectedNotAttested,
}

/// How sure a forecast is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// One more mark may change it, or there are too few marks to say.
    Low,
    /// Two or three marks may change it.
    Medium,
    /// It would take more than three marks of the commonest weight to change it.
    High,
}

/// A way to reach a target mark: `count` marks of `value` in work of `work_type` (weight
/// `weight`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Need {
    /// The mark aimed at.
    pub target: u8,
    /// How many marks.
    pub count: u32,
    /// Of which value.
    pub value: u8,
    /// In which work type (code).
    pub work_type: String,
    /// Its weight.
    pub weight: u8,
}

/// The forecast of a period's final mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Forecast {
    /// The projection (the proposal the marks so far would give).
    pub projected: Option<Proposal>,
    /// How sure it is.
    pub confidence: Confidence,
    /// Risk flags.
    pub risks: Vec<Risk>,
    /// The fewest marks for the next mark up (5-point subjects), if reachable.
    pub next_up: Option<Need>,
    /// The fewest marks to avoid a 2 when a 2 is projected.
    pub avoid_two: Option<Need>,
    /// Lessons left in the period.
    pub lessons_left: u32,
}

/// At most this many marks are proposed as "what it takes": beyond it the target is out of
/// reach in a period.
pub const MAX_NEEDED: u32 = 12;

/// The fewest marks of one work type and value that lift `avg` to `threshold` hundredths, or
/// `None` when [`MAX_NEEDED`] are not enough.
pub fn marks_needed(avg: &Average, threshold: u16, value: u8, weight: u8) -> Option<u32> {
    let t = u64::from(threshold);
    let (v, w) = (u64::from(value), u64::from(weight));
    if w == 0 {
        return None;
    }
    (0..=MAX_NEEDED).find(|n| {
        let n = u64::from(*n);
        let sum = avg.sum + n * v * w;
        let weights = avg.weights + n * w;
        weights > 0 && sum * 100 >= t * weights
    })
}

/// The cheapest way to reach `target` (5-point): over every work type and every value from
/// the target up to 5, the fewest marks; ties go to the lower value, then the lighter work.
fn cheapest(policy: &GradingPolicy, avg: &Average, target: u8) -> Option<Need> {
    let threshold = *policy.thresholds.get(usize::from(target.checked_sub(3)?))?;
    let mut best: Option<Need> = None;
    for w in &policy.work_types {
        for value in target..=5 {
            let Some(count) = marks_needed(avg, threshold, value, w.weight) else {
                continue;
            };
            let better = match &best {
                None => true,
                Some(b) => (count, value, w.weight) < (b.count, b.value, b.weight),
            };
            if better && count > 0 {
                best = Some(Need {
                    target,
                    count,
                    value,
                    work_type: w.code.clone(),
                    weight: w.weight,
                });
            }
        }
    }
    best
}

/// The forecast for the current period: the proposal the marks so far would give, with risk
/// flags and what it takes to do better. Confidence counts how many marks of the most common
/// weight (the policy's default work type) — all 5s, or all 2s — would move the projection
/// across a threshold: one → low, two or three → medium, more → high; too few marks is low.
pub fn forecast(
    policy: &GradingPolicy,
    scale: Scale,
    f: &PeriodFacts,
    lessons_left: u32,
) -> Forecast {
    let projected = propose(policy, scale, f);
    let mut risks = Vec::new();
    if f.average.count < u32::from(policy.min_marks) && scale != Scale::PassFail {
        risks.push(Risk::TooFewMarks);
    }
    if f.lessons_held > 0 && u64::from(f.lessons_missed) * 2 > u64::from(f.lessons_held) {
        risks.push(Risk::ManyAbsences);
    }
    match projected.map(|p| p.value) {
        Some(FinalValue::Points(2)) if scale == Scale::Five => risks.push(Risk::ProjectedTwo),
        Some(FinalValue::NotAttested) => risks.push(Risk::ProjectedNotAttested),
        _ => {}
    }
    let mut next_up = None;
    let mut avoid_two = None;
    let mut confidence = Confidence::Low;
    if scale == Scale::Five && f.average.count > 0 {
        let current = f.average.rounded(policy.thresholds).unwrap_or(2);
        if current < 5 {
            next_up = cheapest(policy, &f.average, current + 1);
        }
        if current == 2 {
            avoid_two = cheapest(policy, &f.average, 3);
        }
        let weight = policy.work_types.first().map_or(1, |w| w.weight);
        // Marks of the common weight that would move it: up (all 5s) and down (all 2s).
        let up = if current < 5 {
            policy
                .thresholds
                .get(usize::from(current - 2))
                .and_then(|t| marks_needed(&f.average, *t, 5, weight))
                .unwrap_or(MAX_NEEDED + 1)
        } else {
            MAX_NEEDED + 1
        };
        let down = if current > 2 {
            let t = policy
                .thresholds
                .get(usize::from(current - 3))
                .copied()
                .unwrap_or(0);
            (1..=MAX_NEEDED + 1)
                .find(|n| {
                    let n = u64::from(*n);
                    let sum = f.average.sum + n * 2 * u64::from(weight);
                    let weights = f.average.weights + n * u64::from(weight);
                    sum * 100 < u64::from(t) * weights
                })
                .unwrap_or(MAX_NEEDED + 1)
        } else {
            MAX_NEEDED + 1
        };
        let swing = up.min(down);
        confidence = if risks.contains(&Risk::TooFewMarks) || swing <= 1 {
            Confidence::Low
        } else if swing <= 3 {
            Confidence::Medium
        } else {
            Confidence::High
        };
    } else if f.passes + f.fails >= u32::from(policy.min_marks) {
        confidence = Confidence::Medium;
    }
    Forecast {
        projected,
        confidence,
        risks,
        next_up,
        avoid_two,
        lessons_left,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finals::facts;
    use crate::journal::Mark;
    use proptest::prelude::*;

    #[test]
    fn what_it_takes_is_the_fewest_marks() {
        let policy = GradingPolicy::default();
        // 4, 4, 4 (weight 2): the average is 4; a 5 needs 4.5.
        let f = facts(&[(4, 2), (4, 2), (4, 2)]);
        let fc = forecast(&policy, Scale::Five, &f, 10);
        assert_eq!(fc.projected.map(|p| p.value), Some(FinalValue::Points(4)));
        let need = fc.next_up.unwrap();
        assert_eq!(need.target, 5);
        // One 5 of weight 2 gives (24+10)/8 = 4.25, of weight 5 (24+25)/11 = 4.45: not enough;
        // the answer must really reach 4.5 and no work type may do it with fewer marks.
        let threshold = policy.thresholds[2];
        assert_eq!(
            marks_needed(&f.average, threshold, need.value, need.weight),
            Some(need.count)
        );
        for w in &policy.work_types {
            if let Some(n) = marks_needed(&f.average, threshold, 5, w.weight) {
                assert!(n >= need.count, "{} needs {n}", w.code);
            }
        }
        // A pupil at 2 is told how to avoid it.
        let weak = facts(&[(2, 2), (2, 2), (3, 2)]);
        let fc = forecast(&policy, Scale::Five, &weak, 10);
        assert!(fc.risks.contains(&Risk::ProjectedTwo));
        assert_eq!(fc.avoid_two.as_ref().map(|n| n.target), Some(3));
        // Too few marks: flagged and not sure.
        let few = facts(&[(5, 2)]);
        let fc = forecast(&policy, Scale::Five, &few, 10);
        assert!(fc.risks.contains(&Risk::TooFewMarks));
        assert_eq!(fc.confidence, Confidence::Low);
        // Twelve 5s: three 2s would bring it under 4.5 — medium; thirty 5s: seven — sure.
        let twelve = facts(&[(5, 2); 12]);
        assert_eq!(
            forecast(&policy, Scale::Five, &twelve, 5).confidence,
            Confidence::Medium
        );
        let strong = facts(&[(5, 2); 30]);
        assert_eq!(
            forecast(&policy, Scale::Five, &strong, 5).confidence,
            Confidence::High
        );
    }

    proptest! {

        #[test]
        fn the_needed_marks_reach_the_target_and_one_fewer_does_not(
            marks in proptest::collection::vec((2u8..=5, 1u8..=5), 1..30),
            value in 3u8..=5,
            weight in 1u8..=5,
            target in 3u8..=5,
        ) {
            let avg = Average::of(marks.iter().map(|(m, w)| (Mark::Points(*m), *w)));
            let policy = GradingPolicy::default();
            let t = policy.thresholds[usize::from(target - 3)];
            if let Some(n) = marks_needed(&avg, t, value, weight) {
                let mut with = avg;
                for _ in 0..n { with.add(Mark::Points(value), weight); }
                prop_assert!(with.at_least(t));
                if n > 0 {
                    let mut fewer = avg;
                    for _ in 0..n - 1 { fewer.add(Mark::Points(value), weight); }
                    prop_assert!(!fewer.at_least(t));
                }
            } else {
                let mut with = avg;
                for _ in 0..MAX_NEEDED { with.add(Mark::Points(value), weight); }
                prop_assert!(!with.at_least(t));
            }
        }

    }
}
