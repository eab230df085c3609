//! Which exam ([`ExamKind`]) and its result ([`ExamMark`]): codes, names and marks as people
//! write them.

use crate::text::sort_key;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which exam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExamKind {
    /// ОГЭ, the state exam after grade 9.
    Oge,
    /// ЕГЭ, the unified state exam after grade 11 (a test score 0–100).
    Ege,
    /// ГВЭ, the state final exam in the other form (marks 2–5), after grade 9 or 11.
    Gve,
    /// ВПР, the all-Russian check works.
    Vpr,
    /// The итоговое собеседование по русскому языку in grade 9 (зачёт/незачёт).
    Interview,
    /// The school's own exam (переводной экзамен and the like).
    School,
}

impl ExamKind {
    /// Every kind.
    pub const ALL: [ExamKind; 6] = [
        ExamKind::Oge,
        ExamKind::Ege,
        ExamKind::Gve,
        ExamKind::Vpr,
        ExamKind::Interview,
        ExamKind::School,
    ];

    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            ExamKind::Oge => "oge",
            ExamKind::Ege => "ege",
            ExamKind::Gve => "gve",
            ExamKind::Vpr => "vpr",
            ExamKind::Interview => "interview",
            ExamKind::School => "school",
        }
    }

    /// The Russian abbreviation or name, for files, logs and the CLI.
    pub const fn russian(self) -> &'static str {
        match self {
            ExamKind::Oge => "ОГЭ",
            ExamKind::Ege => "ЕГЭ",
            ExamKind::Gve => "ГВЭ",
            ExamKind::Vpr => "ВПР",
            ExamKind::Interview => "итоговое собеседование",
            ExamKind::School => "школьный экзамен",
        }
    }

    /// Parses a code or a Russian name (`oge`, `ОГЭ`, `собеседование`, …).
    pub fn parse(raw: &str) -> Option<ExamKind> {
        let k = sort_key(raw.trim());
        let k = k.as_str();
        ExamKind::ALL
            .into_iter()
            .find(|e| e.code() == k || sort_key(e.russian()) == k)
            .or(match k {
                "собеседование" | "итоговое собеседование по русскому языку" | "ис" => {
                    Some(ExamKind::Interview)
                }
                "школьный" | "школа" | "экзамен" => Some(ExamKind::School),
                _ => None,
            })
    }

    /// The highest primary score a row may carry.
    pub const fn max_score(self) -> u16 {
        match self {
            ExamKind::Interview => 20,
            _ => 100,
        }
    }

    /// The subject a file of this kind may leave out (the собеседование is in Russian).
    pub const fn default_subject(self) -> Option<&'static str> {
        match self {
            ExamKind::Interview => Some("Русский язык"),
            _ => None,
        }
    }

    /// What the result column holds, for messages.
    pub(super) fn result_hint(self) -> &'static str {
        match self {
            ExamKind::Ege => "a test score from 0 to 100",
            ExamKind::Interview => "зачёт or незачёт",
            _ => "a mark from 2 to 5",
        }
    }

    /// Reads a result as a file writes it: `5`, `5,0`, `отлично`; `зачёт`; a test score.
    pub fn parse_mark(self, raw: &str) -> Result<ExamMark, String> {
        let t = raw.trim();
        let key = sort_key(t).replace(['«', '»', '"', '.'], "");
        let bad = || format!("«{t}» is not {}", self.result_hint());
        match self {
            ExamKind::Interview => match key.as_str() {
                "зачет" | "зач" | "pass" | "passed" | "+" => Ok(ExamMark::Pass),
                "незачет" | "не зачет" | "незач" | "fail" | "failed" | "-" => {
                    Ok(ExamMark::Fail)
                }
                _ => Err(bad()),
            },
            ExamKind::Ege => match whole(t) {
                Some(n) if n <= 100 => u8::try_from(n).map(ExamMark::Score).map_err(|_| bad()),
                _ => Err(bad()),
            },
            ExamKind::Oge | ExamKind::Gve | ExamKind::Vpr | ExamKind::School => {
                let named = match key.as_str() {
                    "отлично" | "отл" => Some(5),
                    "хорошо" | "хор" => Some(4),
                    "удовлетворительно" | "удовл" | "уд" => Some(3),
                    "неудовлетворительно" | "неуд" => Some(2),
                    _ => None,
                };
                match named.or_else(|| whole(t)) {
                    Some(n @ 2..=5) => u8::try_from(n).map(ExamMark::Mark).map_err(|_| bad()),
                    _ => Err(bad()),
                }
            }
        }
    }
}

impl fmt::Display for ExamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A result as the exam gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ExamMark {
    /// A mark 2–5 (ОГЭ, ВПР, school exams).
    Mark(u8),
    /// Зачёт (the собеседование).
    Pass,
    /// Незачёт.
    Fail,
    /// A ЕГЭ test score, 0–100.
    Score(u8),
}

impl ExamMark {
    /// The stored code: `5`, `pass`, `fail`, or the test score's number.
    pub fn code(self) -> String {
        match self {
            ExamMark::Mark(n) | ExamMark::Score(n) => n.to_string(),
            ExamMark::Pass => "pass".into(),
            ExamMark::Fail => "fail".into(),
        }
    }

    /// Reads a stored code back (the kind says what a number is).
    pub fn from_code(kind: ExamKind, code: &str) -> Option<ExamMark> {
        match (kind, code) {
            (_, "pass") => Some(ExamMark::Pass),
            (_, "fail") => Some(ExamMark::Fail),
            (ExamKind::Ege, n) => n.parse().ok().filter(|n| *n <= 100).map(ExamMark::Score),
            (_, n) => n
                .parse()
                .ok()
                .filter(|n| (2..=5).contains(n))
                .map(ExamMark::Mark),
        }
    }

    /// The final mark an exam of `kind` gives its subject's exam column: the marks of ОГЭ, ГВЭ
    /// and the school's exams, and зачёт/незачёт of a school exam. ЕГЭ test scores, ВПР and the
    /// собеседование are no subject's exam mark (the ЕГЭ does not enter the аттестат's marks).
    pub fn exam_final(self, kind: ExamKind) -> Option<crate::finals::FinalValue> {
        use crate::finals::FinalValue;
        match (kind, self) {
            (ExamKind::Oge | ExamKind::Gve | ExamKind::School, ExamMark::Mark(n)) => {
                Some(FinalValue::Points(n))
            }
            (ExamKind::School, ExamMark::Pass) => Some(FinalValue::Pass),
            (ExamKind::School, ExamMark::Fail) => Some(FinalValue::Fail),
            _ => None,
        }
    }

    /// A failing result (a 2, a незачёт); a test score has no pass line of its own here.
    pub fn failing(self) -> bool {
        matches!(self, ExamMark::Mark(2) | ExamMark::Fail)
    }
}

/// A whole number as a cell writes it: `12`, ` 12 `, `12.0`, `12,00`.
pub(super) fn whole(raw: &str) -> Option<u32> {
    let t = raw.trim();
    let w = match t.split_once(['.', ',']) {
        Some((w, frac)) if !frac.is_empty() && frac.chars().all(|c| c == '0') => w,
        _ => t,
    };
    if w.is_empty() || w.len() > 6 || !w.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    w.parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn marks_read_as_people_write_them_and_round_trip_their_codes() {
        let oge = ExamKind::Oge;
        assert_eq!(oge.parse_mark("5,0"), Ok(ExamMark::Mark(5)));
        assert_eq!(oge.parse_mark("«отлично»"), Ok(ExamMark::Mark(5)));
        assert_eq!(oge.parse_mark("неуд."), Ok(ExamMark::Mark(2)));
        assert!(oge.parse_mark("1").is_err() && oge.parse_mark("4.5").is_err());
        assert!(ExamKind::Ege.parse_mark("101").is_err());
        assert!(ExamKind::Interview.parse_mark("5").is_err());
        for (kind, m) in [
            (ExamKind::Vpr, ExamMark::Mark(3)),
            (ExamKind::Ege, ExamMark::Score(5)),
            (ExamKind::Interview, ExamMark::Pass),
            (ExamKind::Interview, ExamMark::Fail),
        ] {
            assert_eq!(ExamMark::from_code(kind, &m.code()), Some(m));
        }
        assert_eq!(ExamMark::from_code(ExamKind::Oge, "7"), None);
        for k in ExamKind::ALL {
            assert_eq!(ExamKind::parse(k.code()), Some(k));
            assert_eq!(ExamKind::parse(k.russian()), Some(k));
        }
        assert_eq!(ExamKind::parse("огэ"), Some(ExamKind::Oge));
        assert_eq!(ExamKind::parse("ГИА"), None);
    }
}
