//! The school's grading policy: scales, work types with weights, lesson types, rounding
//! thresholds and attendance letters; validated, and used to read a grid cell's text.

use super::{Attendance, Mark, MarkError, Scale};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A kind of work with its weight in averages (вид работы).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkType {
    /// A stable code (`control`, `answer`…).
    pub code: String,
    /// The name teachers see.
    pub name: String,
    /// Its weight, 1–10.
    pub weight: u8,
}

/// A lesson type (урок, контрольная…), with the work type its marks default to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonType {
    /// A stable code.
    pub code: String,
    /// The name teachers see.
    pub name: String,
    /// The work type a mark on such a lesson gets unless the teacher picks another.
    pub default_work: String,
}

/// The school's grading policy (versioned; every mark records the weight it was given with).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradingPolicy {
    /// The scale of every subject unless [`GradingPolicy::subject_scales`] says otherwise.
    pub scale: Scale,
    /// Whether a 5-point scale takes 1.
    pub allow_one: bool,
    /// Scales of particular subjects (by subject id), e.g. a pass/fail elective.
    #[serde(default)]
    pub subject_scales: BTreeMap<String, Scale>,
    /// Work types with weights; the first is the default.
    pub work_types: Vec<WorkType>,
    /// Lesson types; the first is the default.
    pub lesson_types: Vec<LessonType>,
    /// Display letters of the attendance codes.
    pub attendance_letters: BTreeMap<Attendance, String>,
    /// The averages (hundredths) from which 3, 4 and 5 are proposed.
    pub thresholds: [u16; 3],
    /// The fewest marks in a period for a final mark.
    pub min_marks: u8,
    /// Whether a "2" in the period keeps the proposal below 5.
    pub two_caps: bool,
    /// How the итоговая mark follows from the year and exam marks.
    #[serde(default)]
    pub final_rule: crate::finals::FinalRule,
}

/// Why a policy was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct PolicyError {
    /// The field.
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

fn policy_error(field: &'static str, message: impl Into<String>) -> PolicyError {
    PolicyError {
        field,
        message: message.into(),
    }
}

impl Default for GradingPolicy {
    /// The policy most schools start from: 5-point marks, weights 1–5 by work type, thresholds
    /// 2.5 / 3.5 / 4.5, three marks a period.
    fn default() -> GradingPolicy {
        let work = |code: &str, name: &str, weight| WorkType {
            code: code.to_owned(),
            name: name.to_owned(),
            weight,
        };
        let lesson = |code: &str, name: &str, default_work: &str| LessonType {
            code: code.to_owned(),
            name: name.to_owned(),
            default_work: default_work.to_owned(),
        };
        GradingPolicy {
            scale: Scale::Five,
            allow_one: false,
            subject_scales: BTreeMap::new(),
            work_types: vec![
                work("answer", "Ответ на уроке", 2),
                work("control", "Контрольная работа", 5),
                work("test", "Проверочная работа", 4),
                work("independent", "Самостоятельная работа", 3),
                work("practical", "Практическая работа", 3),
                work("laboratory", "Лабораторная работа", 3),
                work("dictation", "Диктант", 4),
                work("essay", "Сочинение", 4),
                work("homework", "Домашняя работа", 1),
            ],
            lesson_types: vec![
                lesson("lesson", "Урок", "answer"),
                lesson("control", "Контрольная работа", "control"),
                lesson("practical", "Практическая работа", "practical"),
                lesson("laboratory", "Лабораторная работа", "laboratory"),
                lesson("test", "Проверочная работа", "test"),
            ],
            attendance_letters: [
                (Attendance::Ill, "Б"),
                (Attendance::Excused, "УП"),
                (Attendance::Unexcused, "Н"),
                (Attendance::Late, "ОП"),
            ]
            .into_iter()
            .map(|(a, l)| (a, l.to_owned()))
            .collect(),
            thresholds: [250, 350, 450],
            min_marks: 3,
            two_caps: false,
            final_rule: crate::finals::FinalRule::default(),
        }
    }
}

/// Work types, and lesson types, a grading policy may list.
pub const MAX_POLICY_ENTRIES: usize = 64;

impl GradingPolicy {
    /// Checks a policy as an administrator wrote it.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.work_types.is_empty() {
            return Err(policy_error("work_types", "at least one work type"));
        }
        // Every mark and every imported plan looks through these lists: a school has a dozen.
        if self.work_types.len() > MAX_POLICY_ENTRIES {
            return Err(policy_error(
                "work_types",
                format!("at most {MAX_POLICY_ENTRIES} work types"),
            ));
        }
        if self.lesson_types.len() > MAX_POLICY_ENTRIES {
            return Err(policy_error(
                "lesson_types",
                format!("at most {MAX_POLICY_ENTRIES} lesson types"),
            ));
        }
        let mut codes = std::collections::BTreeSet::new();
        for w in &self.work_types {
            if !valid_code(&w.code) {
                return Err(policy_error(
                    "work_types",
                    format!("«{}»: a code is 1–32 latin letters, digits or _", w.code),
                ));
            }
            if !codes.insert(w.code.as_str()) {
                return Err(policy_error("work_types", format!("«{}» twice", w.code)));
            }
            if !(1..=10).contains(&w.weight) {
                return Err(policy_error(
                    "work_types",
                    format!("the weight of «{}» must be 1–10", w.name),
                ));
            }
            if w.name.trim().is_empty() || w.name.chars().count() > 80 {
                return Err(policy_error("work_types", "a name is 1–80 characters"));
            }
        }
        if self.lesson_types.is_empty() {
            return Err(policy_error("lesson_types", "at least one lesson type"));
        }
        let mut lesson_codes = std::collections::BTreeSet::new();
        for l in &self.lesson_types {
            if !valid_code(&l.code) || !lesson_codes.insert(l.code.as_str()) {
                return Err(policy_error(
                    "lesson_types",
                    format!(
                        "«{}»: codes are unique, 1–32 latin letters, digits or _",
                        l.code
                    ),
                ));
            }
            if self.work_type(&l.default_work).is_none() {
                return Err(policy_error(
                    "lesson_types",
                    format!(
                        "«{}» refers to an unknown work type «{}»",
                        l.name, l.default_work
                    ),
                ));
            }
        }
        for &a in Attendance::ALL {
            let letter = self
                .attendance_letters
                .get(&a)
                .map(String::as_str)
                .unwrap_or("");
            if letter.trim().is_empty() || letter.chars().count() > 3 {
                return Err(policy_error(
                    "attendance_letters",
                    format!("{}: 1–3 characters", a.code()),
                ));
            }
        }
        let [a, b, c] = self.thresholds;
        if !(200 < a && a < b && b < c && c <= 500) {
            return Err(policy_error(
                "thresholds",
                "three ascending averages between 2.00 and 5.00 (e.g. 2.50, 3.50, 4.50)",
            ));
        }
        if self.min_marks > 20 {
            return Err(policy_error("min_marks", "at most 20"));
        }
        Ok(())
    }

    /// A work type by code.
    pub fn work_type(&self, code: &str) -> Option<&WorkType> {
        self.work_types.iter().find(|w| w.code == code)
    }

    /// A lesson type by code.
    pub fn lesson_type(&self, code: &str) -> Option<&LessonType> {
        self.lesson_types.iter().find(|l| l.code == code)
    }

    /// The work type a mark on a lesson of this type gets by default.
    pub fn default_work(&self, lesson_type: Option<&str>) -> Option<&WorkType> {
        lesson_type
            .and_then(|t| self.lesson_type(t))
            .and_then(|t| self.work_type(&t.default_work))
            .or_else(|| self.work_types.first())
    }

    /// The scale of a subject.
    pub fn scale_of(&self, subject: i64) -> Scale {
        self.subject_scales
            .get(&subject.to_string())
            .copied()
            .unwrap_or(self.scale)
    }

    /// Parses a mark for a subject.
    pub fn parse_mark(&self, raw: &str, subject: i64) -> Result<Mark, MarkError> {
        Mark::parse(raw, self.scale_of(subject), self.allow_one)
    }

    /// The display letter of an attendance code.
    pub fn letter(&self, a: Attendance) -> &str {
        self.attendance_letters
            .get(&a)
            .map(String::as_str)
            .unwrap_or(match a {
                Attendance::Ill => "Б",
                Attendance::Excused => "УП",
                Attendance::Unexcused => "Н",
                Attendance::Late => "ОП",
            })
    }

    /// Reads what a teacher typed into a grid cell: an attendance letter (by this policy's
    /// letters, any case, or н/б/уп/оп) or a mark.
    pub fn parse_cell(&self, raw: &str, subject: i64) -> Result<Cell, MarkError> {
        let t = raw.trim().to_lowercase();
        for &a in Attendance::ALL {
            if self.letter(a).to_lowercase() == t {
                return Ok(Cell::Attendance(a));
            }
        }
        match t.as_str() {
            "н" | "n" => return Ok(Cell::Attendance(Attendance::Unexcused)),
            "б" => return Ok(Cell::Attendance(Attendance::Ill)),
            "уп" => return Ok(Cell::Attendance(Attendance::Excused)),
            "оп" => return Ok(Cell::Attendance(Attendance::Late)),
            _ => {}
        }
        self.parse_mark(raw, subject).map(Cell::Mark)
    }
}

/// What a grid cell's typed text means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// A mark.
    Mark(Mark),
    /// An attendance record.
    Attendance(Attendance),
}

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 32
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_attendance_letters_and_marks() {
        let p = GradingPolicy::default();
        assert_eq!(
            p.parse_cell("н", 1),
            Ok(Cell::Attendance(Attendance::Unexcused))
        );
        assert_eq!(p.parse_cell("Б", 1), Ok(Cell::Attendance(Attendance::Ill)));
        assert_eq!(
            p.parse_cell("оп", 1),
            Ok(Cell::Attendance(Attendance::Late))
        );
        assert_eq!(
            p.parse_cell("уп", 1),
            Ok(Cell::Attendance(Attendance::Excused))
        );
        assert_eq!(p.parse_cell("4", 1), Ok(Cell::Mark(Mark::Points(4))));
        assert!(p.parse_cell("x", 1).is_err());
        let mut pf = p.clone();
        pf.subject_scales.insert("7".into(), Scale::PassFail);
        assert_eq!(pf.parse_cell("зач", 7), Ok(Cell::Mark(Mark::Pass)));
        assert!(pf.parse_cell("5", 7).is_err());
    }

    #[test]
    fn the_default_policy_is_valid_and_bad_ones_are_named() {
        let p = GradingPolicy::default();
        assert_eq!(p.validate(), Ok(()));
        assert_eq!(p.default_work(Some("control")).map(|w| w.weight), Some(5));
        assert_eq!(
            p.default_work(None).map(|w| w.code.as_str()),
            Some("answer")
        );
        let mut bad = p.clone();
        bad.thresholds = [350, 250, 450];
        assert_eq!(bad.validate().unwrap_err().field, "thresholds");
        let mut bad = p.clone();
        bad.work_types[0].weight = 0;
        assert_eq!(bad.validate().unwrap_err().field, "work_types");
        let mut bad = p.clone();
        bad.lesson_types[0].default_work = "nope".into();
        assert_eq!(bad.validate().unwrap_err().field, "lesson_types");
        let mut bad = p;
        bad.attendance_letters.remove(&Attendance::Late);
        assert_eq!(bad.validate().unwrap_err().field, "attendance_letters");
    }
}
