//! Attendance codes and what counts as a missed lesson.

use crate::code::coded_enum;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lateness_over_half_a_lesson_is_a_missed_lesson() {
        assert!(Attendance::Ill.missed_lesson(0, 45));
        assert!(!Attendance::Late.missed_lesson(22, 45));
        assert!(Attendance::Late.missed_lesson(23, 45));
    }
}
