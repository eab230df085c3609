//! The register: illness episodes, excused days, unexcused absences and lateness.

use super::plan::Plan;
use crate::rng::SplitMix64;
use tabel_domain::journal::Attendance;
use tabel_domain::{PersonId, UserId};
use time::{Date, OffsetDateTime};

/// Per mille of pupil-days on which a pupil who is well falls ill.
const FALL_ILL: u64 = 8;
/// Per mille of pupil-days a pupil misses for a valid reason.
const EXCUSED_DAY: u64 = 1;
/// Per mille of pupil-lessons missed without a reason, by grades 2–7 and 8–11.
pub(super) const UNEXCUSED: [u64; 2] = [2, 6];
/// Per mille of pupil-lessons a pupil is late for: the first lesson of the day, the others.
pub(super) const LATE: [u64; 2] = [14, 3];

pub(super) const EXCUSE_REASONS: [&str; 4] = [
    "Заявление родителей",
    "Участие в олимпиаде",
    "Спортивные соревнования",
    "Семейные обстоятельства",
];

/// An attendance record before it is stored.
#[derive(Debug, Clone, Copy)]
pub(super) struct DraftAbsence {
    pub(super) lesson: i64,
    pub(super) student: PersonId,
    pub(super) code: Attendance,
    pub(super) minutes_late: Option<u16>,
    pub(super) reason: &'static str,
    pub(super) by: Option<UserId>,
    pub(super) at: OffsetDateTime,
}

/// A pupil's day as the register sees it before the lessons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Day {
    /// At school (or with no lessons).
    Present,
    /// Ill all day.
    Ill,
    /// Away for a valid reason all day.
    Excused(usize),
}

impl<'a, 'p> Plan<'a, 'p> {
    /// The register's day of every pupil on every date with lessons: illness episodes and
    /// excused days. Indexed by `date × pupils + pupil`.
    pub(super) fn days(&self, dates: &[Date], rng: &mut SplitMix64) -> (Vec<Day>, u64) {
        let n = self.school.students.len();
        let mut days = vec![Day::Present; dates.len() * n];
        let mut ill_left = vec![0u8; n];
        let mut illnesses = 0;
        for (di, on) in dates.iter().enumerate() {
            for (si, spans) in self.classes_of.iter().enumerate() {
                let at_school = spans
                    .iter()
                    .find(|(_, m)| m.covers(*on))
                    .is_some_and(|(ci, _)| self.class_days.contains(&(*ci, *on)));
                if !at_school {
                    continue;
                }
                let day = if ill_left.get(si).copied().unwrap_or(0) > 0 {
                    if let Some(left) = ill_left.get_mut(si) {
                        *left -= 1;
                    }
                    Day::Ill
                } else if rng.below(1000) < FALL_ILL {
                    illnesses += 1;
                    if let Some(left) = ill_left.get_mut(si) {
                        *left = u8::try_from(rng.between(2, 6)).unwrap_or(2);
                    }
                    Day::Ill
                } else if rng.below(1000) < EXCUSED_DAY {
                    Day::Excused(rng.index(EXCUSE_REASONS.len()))
                } else {
                    Day::Present
                };
                if let Some(d) = days.get_mut(di * n + si) {
                    *d = day;
                }
            }
        }
        (days, illnesses)
    }
}
