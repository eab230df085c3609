//! Mark scales and marks as written in the journal (parse, don't validate).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A mark scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// 5-point: 5, 4, 3, 2 (and 1 where the policy allows it).
    Five,
    /// зачёт / незачёт: no points, outside averages.
    PassFail,
    /// 10-point: 1–10.
    Ten,
    /// 100-point: 0–100.
    Hundred,
}

impl Scale {
    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            Scale::Five => "five",
            Scale::PassFail => "pass_fail",
            Scale::Ten => "ten",
            Scale::Hundred => "hundred",
        }
    }
}

/// A mark as written in the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mark {
    /// Points on a numeric scale.
    Points(u8),
    /// A double mark ("3/5"): two marks of one work, each counted.
    Double(u8, u8),
    /// зач.
    Pass,
    /// незач.
    Fail,
}

/// Why a mark was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkError {
    /// Nothing usable was typed.
    #[error("write a mark such as 5, 4, 3/5 or зач")]
    Empty,
    /// Not a mark at all.
    #[error("«{0}» is not a mark")]
    NotAMark(String),
    /// A mark outside the subject's scale.
    #[error("{value} is outside the {scale} scale ({range})")]
    OutOfScale {
        /// What was typed.
        value: String,
        /// The scale's name.
        scale: &'static str,
        /// What it allows.
        range: &'static str,
    },
}

impl Mark {
    /// Parses a typed mark against a scale: "5", "3/5" (double), "зач"/"незач" (also "з"/"нз",
    /// "pass"/"fail"). `allow_one` lets a 5-point scale take 1.
    pub fn parse(raw: &str, scale: Scale, allow_one: bool) -> Result<Mark, MarkError> {
        let s = raw.trim().to_lowercase();
        let s = s.trim_end_matches('.');
        if s.is_empty() {
            return Err(MarkError::Empty);
        }
        let (name, range) = match scale {
            Scale::Five if allow_one => ("5-point", "1–5"),
            Scale::Five => ("5-point", "2–5"),
            Scale::PassFail => ("зачёт/незачёт", "зач, незач"),
            Scale::Ten => ("10-point", "1–10"),
            Scale::Hundred => ("100-point", "0–100"),
        };
        let out = || MarkError::OutOfScale {
            value: raw.trim().to_owned(),
            scale: name,
            range,
        };
        match s {
            "зач" | "зачёт" | "зачет" | "з" | "pass" => {
                return if scale == Scale::PassFail {
                    Ok(Mark::Pass)
                } else {
                    Err(out())
                };
            }
            "незач" | "незачёт" | "незачет" | "нз" | "fail" => {
                return if scale == Scale::PassFail {
                    Ok(Mark::Fail)
                } else {
                    Err(out())
                };
            }
            _ => {}
        }
        let points = |p: &str| -> Result<u8, MarkError> {
            let p = p.trim();
            if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(MarkError::NotAMark(raw.trim().to_owned()));
            }
            let n: u16 = p
                .parse()
                .map_err(|_| MarkError::NotAMark(raw.trim().to_owned()))?;
            let ok = match scale {
                Scale::Five => (if allow_one { 1 } else { 2 }..=5).contains(&n),
                Scale::PassFail => false,
                Scale::Ten => (1..=10).contains(&n),
                Scale::Hundred => n <= 100,
            };
            if ok {
                u8::try_from(n).map_err(|_| out())
            } else {
                Err(out())
            }
        };
        match s.split_once('/') {
            Some((a, b)) => Ok(Mark::Double(points(a)?, points(b)?)),
            None => Ok(Mark::Points(points(s)?)),
        }
    }

    /// The points this mark adds to an average: none for зач./незач., two for a double mark.
    pub fn points(self) -> impl Iterator<Item = u8> {
        let (a, b) = match self {
            Mark::Points(p) => (Some(p), None),
            Mark::Double(p, q) => (Some(p), Some(q)),
            Mark::Pass | Mark::Fail => (None, None),
        };
        a.into_iter().chain(b)
    }

    /// How many marks it counts as (a double mark is two).
    pub fn count(self) -> u32 {
        match self {
            Mark::Double(..) => 2,
            _ => 1,
        }
    }

    /// Whether this is a "2" (or lower) on the 5-point scale, in any part.
    pub fn has_two(self) -> bool {
        self.points().any(|p| p <= 2)
    }
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mark::Points(p) => write!(f, "{p}"),
            Mark::Double(p, q) => write!(f, "{p}/{q}"),
            Mark::Pass => f.write_str("зач"),
            Mark::Fail => f.write_str("незач"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn marks_parse_on_their_scale() {
        assert_eq!(Mark::parse("5", Scale::Five, false), Ok(Mark::Points(5)));
        assert_eq!(
            Mark::parse(" 3/5 ", Scale::Five, false),
            Ok(Mark::Double(3, 5))
        );
        assert!(matches!(
            Mark::parse("1", Scale::Five, false),
            Err(MarkError::OutOfScale { .. })
        ));
        assert_eq!(Mark::parse("1", Scale::Five, true), Ok(Mark::Points(1)));
        assert!(matches!(
            Mark::parse("6", Scale::Five, true),
            Err(MarkError::OutOfScale { .. })
        ));
        assert_eq!(Mark::parse("Зач.", Scale::PassFail, false), Ok(Mark::Pass));
        assert_eq!(Mark::parse("незач", Scale::PassFail, false), Ok(Mark::Fail));
        assert!(Mark::parse("5", Scale::PassFail, false).is_err());
        assert!(Mark::parse("зач", Scale::Five, false).is_err());
        assert_eq!(Mark::parse("10", Scale::Ten, false), Ok(Mark::Points(10)));
        assert_eq!(Mark::parse("0", Scale::Hundred, false), Ok(Mark::Points(0)));
        assert!(Mark::parse("101", Scale::Hundred, false).is_err());
        assert_eq!(Mark::parse("", Scale::Five, false), Err(MarkError::Empty));
        assert!(matches!(
            Mark::parse("5+", Scale::Five, false),
            Err(MarkError::NotAMark(_))
        ));
        assert!(matches!(
            Mark::parse("/", Scale::Five, false),
            Err(MarkError::NotAMark(_))
        ));
        assert_eq!(
            Mark::parse("7", Scale::Five, false)
                .unwrap_err()
                .to_string(),
            "7 is outside the 5-point scale (2–5)"
        );
    }

    proptest! {

        #[test]
        fn parsing_never_panics_and_round_trips(s in "\\PC{0,8}") {
            for scale in [Scale::Five, Scale::PassFail, Scale::Ten, Scale::Hundred] {
                if let Ok(m) = Mark::parse(&s, scale, true) {
                    prop_assert_eq!(Mark::parse(&m.to_string(), scale, true), Ok(m));
                }
            }
        }

    }
}
