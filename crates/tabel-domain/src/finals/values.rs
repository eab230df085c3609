//! A final mark's value (points on the subject's scale or a code) and the passing points of
//! a scale.

use crate::journal::Scale;
use serde::{Deserialize, Serialize};
use std::fmt;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
