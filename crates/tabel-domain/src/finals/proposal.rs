//! Final marks (итоговые отметки) and what leads to them: the proposal from a period's marks
//! under the school's grading policy, the year's proposal from the periods', the forecast of the
//! current period with "what it takes", and the statistics schools compute from final marks
//! (DOMAIN.md: % успеваемости, % качества, СОУ, average mark).
//!
//! Everything here is exact: averages are compared with thresholds in integers (see
//! [`Average`]), percentages are kept in hundredths of a percent and rounded half up once, at the
//! end.

use crate::journal::{Average, GradingPolicy, Scale};
use crate::{AcademicYearId, GroupId, PeriodId, PersonId, SchoolId, SubjectId};
use serde::{Deserialize, Serialize};
use std::fmt;
use time::OffsetDateTime;

/// A final mark: points on the subject's scale, or one of the codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalValue {
    /// Points ("5").
    Points(u8),
    /// зач.: excluded from averages, counts as passing.
    Pass,
    /// незач.: excluded from averages, counts as failing.
    Fail,
    /// н/а (не аттестован): counts as failing; an academic debt unless a deferral covers it.
    NotAttested,
    /// осв. (освобождён): excluded from the statistics altogether.
    Exempt,
}

/// Why a typed final mark was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("«{0}»: write a mark of the subject's scale, or н/а, осв., зач., незач.")]
pub struct FinalValueError(pub String);

impl FinalValue {
    /// Parses what a teacher types: `5`, `н/а` (also `na`, `н\а`), `осв`, `зач`, `незач`.
    pub fn parse(raw: &str, scale: Scale, allow_one: bool) -> Result<FinalValue, FinalValueError> {
        let t = raw.trim().to_lowercase().replace(['.', ' '], "");
        let bad = || FinalValueError(raw.trim().to_owned());
        match t.as_str() {
            "н/а" | "на" | "н\\а" | "na" | "n/a" => return Ok(FinalValue::NotAttested),
            "осв" | "освоб" | "exempt" => return Ok(FinalValue::Exempt),
            "зач" | "зачёт" | "зачет" | "pass" if scale == Scale::PassFail => {
                return Ok(FinalValue::Pass);
            }
            "незач" | "незачёт" | "незачет" | "fail" if scale == Scale::PassFail =>
            {
                return Ok(FinalValue::Fail);
            }
            _ => {}
        }
        let n: u8 = t.parse().map_err(|_| bad())?;
        let ok = match scale {
            Scale::Five => (2..=5).contains(&n) || (allow_one && n == 1),
            Scale::Ten => (1..=10).contains(&n),
            Scale::Hundred => n <= 100,
            Scale::PassFail => false,
        };
        if ok {
            Ok(FinalValue::Points(n))
        } else {
            Err(bad())
        }
    }

    /// Whether the pupil passed with it (for % успеваемости): a positive mark or зач.
    /// [`FinalValue::Exempt`] is neither passing nor failing: it is not counted.
    pub fn passing(self, scale: Scale) -> bool {
        match self {
            FinalValue::Points(p) => p >= passing_points(scale),
            FinalValue::Pass => true,
            FinalValue::Fail | FinalValue::NotAttested | FinalValue::Exempt => false,
        }
    }

    /// Whether the mark is an academic debt (a failing mark or н/а).
    pub fn is_debt(self, scale: Scale) -> bool {
        !matches!(self, FinalValue::Exempt) && !self.passing(scale)
    }

    /// The stored code: "5", "na", "exempt", "pass", "fail".
    pub fn code(self) -> String {
        match self {
            FinalValue::Points(p) => p.to_string(),
            FinalValue::Pass => "pass".into(),
            FinalValue::Fail => "fail".into(),
            FinalValue::NotAttested => "na".into(),
            FinalValue::Exempt => "exempt".into(),
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<FinalValue> {
        match code {
            "pass" => Some(FinalValue::Pass),
            "fail" => Some(FinalValue::Fail),
            "na" => Some(FinalValue::NotAttested),
            "exempt" => Some(FinalValue::Exempt),
            n => n.parse().ok().map(FinalValue::Points),
        }
    }
}

impl fmt::Display for FinalValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FinalValue::Points(p) => write!(f, "{p}"),
            FinalValue::Pass => f.write_str("зач."),
            FinalValue::Fail => f.write_str("незач."),
            FinalValue::NotAttested => f.write_str("н/а"),
            FinalValue::Exempt => f.write_str("осв."),
        }
    }
}

/// The lowest passing points on a scale (3 of 5, 4 of 10, 50 of 100).
pub const fn passing_points(scale: Scale) -> u8 {
    match scale {
        Scale::Five | Scale::PassFail => 3,
        Scale::Ten => 4,
        Scale::Hundred => 50,
    }
}

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
    use crate::journal::Mark;
    use proptest::prelude::*;

    fn facts(marks: &[(u8, u8)]) -> PeriodFacts {
        PeriodFacts {
            average: Average::of(marks.iter().map(|(m, w)| (Mark::Points(*m), *w))),
            has_two: marks.iter().any(|(m, _)| *m == 2),
            lessons_held: 20,
            ..PeriodFacts::default()
        }
    }

    #[test]
    fn values_parse_as_teachers_type_them() {
        let p = |s| FinalValue::parse(s, Scale::Five, false);
        assert_eq!(p("5"), Ok(FinalValue::Points(5)));
        assert_eq!(p(" н/а "), Ok(FinalValue::NotAttested));
        assert_eq!(p("Н/А"), Ok(FinalValue::NotAttested));
        assert_eq!(p("осв."), Ok(FinalValue::Exempt));
        assert!(p("1").is_err() && p("6").is_err() && p("зач").is_err() && p("").is_err());
        assert_eq!(
            FinalValue::parse("1", Scale::Five, true),
            Ok(FinalValue::Points(1))
        );
        assert_eq!(
            FinalValue::parse("зачёт", Scale::PassFail, false),
            Ok(FinalValue::Pass)
        );
        assert_eq!(
            FinalValue::parse("незач.", Scale::PassFail, false),
            Ok(FinalValue::Fail)
        );
        assert_eq!(
            FinalValue::parse("87", Scale::Hundred, false),
            Ok(FinalValue::Points(87))
        );
        for v in [
            FinalValue::Points(4),
            FinalValue::Pass,
            FinalValue::Fail,
            FinalValue::NotAttested,
            FinalValue::Exempt,
        ] {
            assert_eq!(FinalValue::from_code(&v.code()), Some(v));
        }
        assert_eq!(FinalValue::NotAttested.to_string(), "н/а");
    }

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

/// The slot of a year a final mark fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Slot {
    /// A reporting period (quarter, trimester, half-year).
    Period(PeriodId),
    /// The year.
    Year,
    /// The exam (school or state).
    Exam,
    /// The итоговая (final for the level of education).
    Final,
}

impl Slot {
    /// The stored code: `p12`, `year`, `exam`, `final`.
    pub fn code(self) -> String {
        match self {
            Slot::Period(p) => format!("p{p}"),
            Slot::Year => "year".into(),
            Slot::Exam => "exam".into(),
            Slot::Final => "final".into(),
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Slot> {
        match code {
            "year" => Some(Slot::Year),
            "exam" => Some(Slot::Exam),
            "final" => Some(Slot::Final),
            p => p.strip_prefix('p')?.parse().ok().map(Slot::Period),
        }
    }

    /// The period, for a period's slot.
    pub fn period(self) -> Option<PeriodId> {
        match self {
            Slot::Period(p) => Some(p),
            _ => None,
        }
    }
}

/// A stored final mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FinalRecord {
    /// Id.
    pub id: i64,
    /// School.
    pub school: SchoolId,
    /// Year.
    pub year: AcademicYearId,
    /// Pupil.
    pub student: PersonId,
    /// Subject.
    pub subject: SubjectId,
    /// The journal it was proposed from.
    pub group: Option<GroupId>,
    /// The slot.
    pub slot: Slot,
    /// The value's code (`5`, `na`, `exempt`, `pass`, `fail`).
    pub value: String,
    /// What the journal proposed.
    pub proposal: Option<String>,
    /// Why it proposed that.
    pub proposal_basis: Option<String>,
    /// Why the value differs, or why a closed period was corrected.
    pub reason: String,
    /// Version.
    pub version: i64,
    /// Who set it (user id).
    pub set_by: Option<i64>,
    /// When.
    pub set_at: OffsetDateTime,
    /// When the family could first see it.
    pub published_at: Option<OffsetDateTime>,
}
