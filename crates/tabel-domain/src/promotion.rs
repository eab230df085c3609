//! The year's end for a pupil (273-ФЗ ст. 58): the outcomes of a promotion order (переводной
//! приказ), the outcome proposed from the year's debts, and how a class is carried up into the
//! next year (5А → 6А).

use crate::code::coded_enum;
use crate::text::ClassName;

coded_enum!(
    /// What a promotion order says of a pupil.
    Outcome {
        /// Promoted to the next grade.
        Promoted = "promoted",
        /// Promoted conditionally (условно): the open academic debts travel into the next year.
        Conditional = "conditional",
        /// Kept for a second year in the same grade (оставлен на повторное обучение).
        Repeat = "repeat",
        /// Finished the 9th or 11th grade and leaves the school.
        Graduated = "graduated",
        /// Finished the 9th grade and continues in the 10th.
        Continues = "continues",
        /// Left the school (a transfer, family education), dated, with its basis.
        Left = "left",
    }
);

/// Why an outcome does not fit a pupil.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutcomeError {
    /// Only the 9th and 11th grades graduate.
    #[error("only the 9th and 11th grades graduate; grade {0} is promoted or kept")]
    NotAGraduatingGrade(u8),
    /// Only the 9th grade continues into the 10th.
    #[error("only a 9th-grade graduate continues into the 10th grade")]
    NotNinth,
    /// The 9th and 11th grades end with the state exams, not a promotion.
    #[error("grade {0} ends with the state exams: graduated (or continues), kept or left")]
    Graduating(u8),
    /// A conditional promotion needs an open debt to carry.
    #[error("a conditional promotion carries an open academic debt; this pupil has none")]
    NoDebt,
    /// A leaving needs its date and basis.
    #[error("a leaving needs its last day and its basis")]
    LeavingUndated,
}

impl Outcome {
    /// Whether the pupil studies in the school next year (and so is placed into a class).
    pub fn stays(self) -> bool {
        matches!(
            self,
            Outcome::Promoted | Outcome::Conditional | Outcome::Repeat | Outcome::Continues
        )
    }

    /// The grade the pupil studies in next year, when they stay.
    pub fn next_grade(self, grade: u8) -> Option<u8> {
        match self {
            Outcome::Promoted | Outcome::Conditional | Outcome::Continues => Some(grade + 1),
            Outcome::Repeat => Some(grade),
            Outcome::Graduated | Outcome::Left => None,
        }
    }

    /// Whether the outcome fits a pupil of the grade with this many open debts; a leaving is
    /// checked for its date and basis elsewhere.
    pub fn check(self, grade: u8, open_debts: usize) -> Result<(), OutcomeError> {
        let graduating = grade == 9 || grade == 11;
        match self {
            Outcome::Graduated if !graduating => Err(OutcomeError::NotAGraduatingGrade(grade)),
            Outcome::Continues if grade != 9 => Err(OutcomeError::NotNinth),
            Outcome::Promoted | Outcome::Conditional if graduating => {
                Err(OutcomeError::Graduating(grade))
            }
            Outcome::Conditional if open_debts == 0 => Err(OutcomeError::NoDebt),
            _ => Ok(()),
        }
    }
}

/// The outcome proposed for a pupil: the 9th and 11th grades graduate when they owe nothing
/// (a debt bars them from the state exams: kept); the others are promoted, conditionally when
/// they owe a debt.
pub fn propose(grade: u8, open_debts: usize) -> Outcome {
    match (grade, open_debts) {
        (9 | 11, 0) => Outcome::Graduated,
        (9 | 11, _) => Outcome::Repeat,
        (_, 0) => Outcome::Promoted,
        _ => Outcome::Conditional,
    }
}

/// The name a class carries into the next year (5А → 6А), if it is carried: grades 1–10 are,
/// the 11th graduates. A name that is not a grade and a letter is not carried.
pub fn carried_name(name: &str) -> Option<ClassName> {
    let class = ClassName::parse(name).ok()?;
    if class.grade() >= 11 {
        return None;
    }
    ClassName::new(class.grade() + 1, class.letter()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_carried_up_a_grade_with_their_letter_but_the_eleventh_is_not() {
        assert_eq!(carried_name("5А").map(|c| c.to_string()), Some("6А".into()));
        assert_eq!(
            carried_name("9 б").map(|c| c.to_string()),
            Some("10Б".into())
        );
        assert_eq!(
            carried_name("10В").map(|c| c.to_string()),
            Some("11В".into())
        );
        assert_eq!(carried_name("11А"), None);
        assert_eq!(carried_name("Кружок"), None);
    }

    #[test]
    fn proposals_follow_the_debts_and_the_graduating_grades() {
        assert_eq!(propose(5, 0), Outcome::Promoted);
        assert_eq!(propose(5, 2), Outcome::Conditional);
        assert_eq!(propose(9, 0), Outcome::Graduated);
        assert_eq!(propose(11, 1), Outcome::Repeat);
        assert_eq!(propose(10, 0), Outcome::Promoted);
    }

    #[test]
    fn outcomes_are_checked_against_the_grade_and_the_debts() {
        assert_eq!(Outcome::Conditional.check(5, 1), Ok(()));
        assert_eq!(Outcome::Conditional.check(5, 0), Err(OutcomeError::NoDebt));
        assert_eq!(
            Outcome::Graduated.check(5, 0),
            Err(OutcomeError::NotAGraduatingGrade(5))
        );
        assert_eq!(Outcome::Continues.check(11, 0), Err(OutcomeError::NotNinth));
        assert_eq!(Outcome::Continues.check(9, 0), Ok(()));
        assert_eq!(
            Outcome::Promoted.check(9, 0),
            Err(OutcomeError::Graduating(9))
        );
        assert_eq!(Outcome::Repeat.check(9, 0), Ok(()));
        assert_eq!(Outcome::Left.check(7, 3), Ok(()));
        assert_eq!(Outcome::Repeat.next_grade(5), Some(5));
        assert_eq!(Outcome::Continues.next_grade(9), Some(10));
        assert_eq!(Outcome::Graduated.next_grade(11), None);
        assert!(!Outcome::Left.stays());
    }
}
