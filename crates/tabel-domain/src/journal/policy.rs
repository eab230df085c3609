//! The class journal's values and arithmetic: mark scales and marks (parse, don't validate),
//! attendance codes, the school's grading policy, and the one weighted-average function every
//! page, report and forecast calls.
//!
//! Averages are exact: a sum of `points × weight` over a sum of weights, both integers, so that
//! comparing with a rounding threshold ("4.50 gives a 5") never suffers from binary fractions.

use crate::code::coded_enum;
use crate::{
    AttendanceId, GroupId, HomeworkFileId, LessonId, MarkId, PersonId, SchoolId, SubjectId, UserId,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use time::{Date, OffsetDateTime};

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
        match self.hundredths() {
            Some(h) => format!("{}.{:02}", h / 100, h % 100),
            None => "—".to_owned(),
        }
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

coded_enum!(
    /// What an attendance record says.
    Attendance {
        /// Absent for illness (Б).
        Ill = "ill",
        /// Absent for a valid reason (УП).
        Excused = "excused",
        /// Absent without a reason (Н).
        Unexcused = "unexcused",
        /// Late (ОП), with minutes.
        Late = "late",
    }
);

impl Attendance {
    /// Whether the pupil missed the lesson (late counts only past half of it; see
    /// [`Attendance::missed_lesson`]).
    pub fn is_absence(self) -> bool {
        self != Attendance::Late
    }

    /// A missed lesson: absent, or late for more than half of it.
    pub fn missed_lesson(self, minutes_late: u16, lesson_minutes: u16) -> bool {
        self.is_absence() || u32::from(minutes_late) * 2 > u32::from(lesson_minutes)
    }
}

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

/// The homework limit of a school day for a grade, in minutes (СанПиН 1.2.3685-21): grade 1 has
/// none at all.
pub fn homework_limit_minutes(grade: u8) -> u16 {
    match grade {
        0 | 1 => 0,
        2 | 3 => 90,
        4 | 5 => 120,
        6..=8 => 150,
        _ => 210,
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

    #[test]
    fn homework_limits_follow_the_sanitary_rules() {
        assert_eq!(homework_limit_minutes(1), 0);
        assert_eq!(homework_limit_minutes(3), 90);
        assert_eq!(homework_limit_minutes(5), 120);
        assert_eq!(homework_limit_minutes(8), 150);
        assert_eq!(homework_limit_minutes(11), 210);
    }

    #[test]
    fn lateness_over_half_a_lesson_is_a_missed_lesson() {
        assert!(Attendance::Ill.missed_lesson(0, 45));
        assert!(!Attendance::Late.missed_lesson(22, 45));
        assert!(Attendance::Late.missed_lesson(23, 45));
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

/// A stored mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarkEntry {
    /// Id.
    pub id: MarkId,
    /// School.
    pub school: SchoolId,
    /// Pupil.
    pub student: PersonId,
    /// Journal group.
    pub group: GroupId,
    /// Subject.
    pub subject: SubjectId,
    /// Lesson.
    pub lesson: Option<LessonId>,
    /// Date.
    pub on: Date,
    /// Value as written.
    pub value: String,
    /// Work type code.
    pub work_type: String,
    /// Weight.
    pub weight: u8,
    /// Comment.
    pub comment: String,
    /// Debt to correct by.
    pub debt_until: Option<Date>,
    /// Version.
    pub version: i64,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

/// A stored attendance record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceEntry {
    /// Id.
    pub id: AttendanceId,
    /// School.
    pub school: SchoolId,
    /// Lesson.
    pub lesson: LessonId,
    /// Pupil.
    pub student: PersonId,
    /// Code (`ill`, `excused`, `unexcused`, `late`).
    pub code: String,
    /// Minutes late.
    pub minutes_late: Option<u16>,
    /// Reason.
    pub reason: String,
    /// Version.
    pub version: i64,
}

/// A lesson's record with its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionedRecord {
    /// The lesson.
    pub lesson: LessonId,
    /// The record.
    #[serde(flatten)]
    pub record: LessonRecord,
    /// Its version (0 before the first write).
    pub version: i64,
}

/// A stored file's metadata (without the bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HomeworkFile {
    /// Id.
    pub id: HomeworkFileId,
    /// School.
    pub school: SchoolId,
    /// The lesson it belongs to.
    pub lesson: LessonId,
    /// Name as uploaded (sanitised).
    pub file_name: String,
    /// Content type as served.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// The uploading account.
    pub uploaded_by: Option<UserId>,
    /// Its person (the teacher).
    pub uploaded_by_person: Option<PersonId>,
    /// When it was uploaded.
    pub uploaded_at: OffsetDateTime,
}

/// What a teacher records on a lesson.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct LessonRecord {
    /// The topic.
    pub topic: String,
    /// The lesson type code (policy).
    pub lesson_type: Option<String>,
    /// Held (true) or not held (false); unknown until the teacher says.
    pub held: Option<bool>,
    /// Homework text (links included).
    pub homework: String,
    /// Estimated minutes of the homework.
    pub homework_minutes: Option<u16>,
    /// The date it is due (the next lesson of the subject, usually).
    pub homework_due_on: Option<Date>,
    /// The teacher's comment.
    pub teacher_comment: String,
}

/// A pupil on a journal's roster with the dates of the membership that overlaps the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterEntry {
    /// The pupil.
    pub student: PersonId,
    /// Surname.
    pub last_name: String,
    /// Given name.
    pub first_name: String,
    /// From.
    pub from: Date,
    /// To (inclusive), if the pupil left.
    pub to: Option<Date>,
    /// Spells within `from`..`to` when the pupil was not in the group (left and came back),
    /// both days inclusive.
    pub away: Vec<(Date, Date)>,
}

impl RosterEntry {
    /// Whether the pupil was in the group on a day.
    pub fn was_in(&self, on: Date) -> bool {
        self.from <= on
            && self.to.is_none_or(|to| on <= to)
            && !self.away.iter().any(|&(a, b)| a <= on && on <= b)
    }
}

/// A teacher's recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// Id.
    pub id: i64,
    /// School.
    pub school: SchoolId,
    /// Pupil.
    pub student: PersonId,
    /// Subject, if about one.
    pub subject: Option<SubjectId>,
    /// The teacher.
    pub teacher: PersonId,
    /// The text.
    pub body: String,
    /// Version.
    pub version: i64,
    /// When written.
    pub created_at: OffsetDateTime,
}

/// A journal of a class: a subject taught in the class, one of its subgroups or a stream it
/// belongs to, with who teaches it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClassJournal {
    /// The journal's group (the class, a subgroup, a stream).
    pub group: GroupId,
    /// Its name.
    pub group_name: String,
    /// Subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// The teacher.
    pub teacher: PersonId,
    /// "Иванова Мария Петровна".
    pub teacher_name: String,
}

/// A teacher's recommendation with the names a family reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedRecommendation {
    /// Id.
    pub id: i64,
    /// Subject, if about one.
    pub subject: Option<SubjectId>,
    /// Its name.
    pub subject_name: Option<String>,
    /// The teacher.
    pub teacher: PersonId,
    /// "Смирнова Е. В.".
    pub teacher_name: String,
    /// The text.
    pub body: String,
    /// When written.
    pub created_at: OffsetDateTime,
}
