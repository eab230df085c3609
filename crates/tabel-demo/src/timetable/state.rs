//! The week being placed: who is busy in which slot (bit masks) and what is left to place.

use super::lines::{Block, Problem};
use tabel_domain::school::GroupKind;

/// The bit of a (weekday 1–6, number 1–8) slot in a week's mask.
pub(super) fn bit(day: u8, number: u8) -> u64 {
    1u64 << (u32::from(day.saturating_sub(1)) * 8 + u32::from(number.saturating_sub(1)))
}

/// The slots of one day as 8 bits (bit 0 = lesson 1).
fn day_bits(mask: u64, day: u8) -> u64 {
    (mask >> (u32::from(day.saturating_sub(1)) * 8)) & 0xFF
}

/// The last lesson number held on a day (0 for none).
pub(super) fn last_number(mask: u64, day: u8) -> u8 {
    let bits = day_bits(mask, day);
    u8::try_from(64 - bits.leading_zeros()).unwrap_or(0)
}

/// Free lessons before the last lesson of a day.
pub(super) fn holes(mask: u64, day: u8) -> u32 {
    u32::from(last_number(mask, day)) - day_bits(mask, day).count_ones()
}

/// Who is busy when, and what is left to place.
#[derive(Debug, Clone)]
pub(super) struct State {
    class_busy: Vec<u64>,
    teacher_busy: Vec<u64>,
    room_busy: Vec<u64>,
    left: Vec<u8>,
    /// Block → weekday (1–6) → lessons placed.
    per_day: Vec<[u8; 7]>,
    /// Class → weekday → class lessons (not counting individual curricula).
    class_day: Vec<[u8; 7]>,
    /// Block → its slots.
    pub(super) at: Vec<Vec<(u8, u8)>>,
    /// Teacher → lessons left to place (not counting individual curricula).
    pub(super) teacher_left: Vec<u32>,
    /// Teacher → weekday → lessons placed.
    pub(super) teacher_day: Vec<[u8; 7]>,
}

impl State {
    pub(super) fn new(p: &Problem) -> State {
        State {
            class_busy: vec![0; p.class_days.len()],
            teacher_busy: vec![0; p.teachers],
            room_busy: vec![0; p.rooms],
            left: p.blocks.iter().map(|b| b.per_week).collect(),
            per_day: vec![[0; 7]; p.blocks.len()],
            class_day: vec![[0; 7]; p.class_days.len()],
            at: vec![Vec::new(); p.blocks.len()],
            teacher_left: (0..p.teachers)
                .map(|t| {
                    p.blocks
                        .iter()
                        .filter(|b| b.kind != GroupKind::Individual)
                        .flat_map(|b| b.parts.iter().map(move |x| (x.teacher, b.per_week)))
                        .filter(|(x, _)| *x == t)
                        .map(|(_, n)| u32::from(n))
                        .sum()
                })
                .collect(),
            teacher_day: vec![[0; 7]; p.teachers],
        }
    }

    fn count_teachers(&mut self, b: &Block, day: u8, placed: bool) {
        for part in &b.parts {
            if b.kind != GroupKind::Individual
                && let Some(x) = self.teacher_left.get_mut(part.teacher)
            {
                *x = if placed {
                    x.saturating_sub(1)
                } else {
                    x.saturating_add(1)
                };
            }
            if let Some(x) = self
                .teacher_day
                .get_mut(part.teacher)
                .and_then(|x| x.get_mut(usize::from(day)))
            {
                *x = if placed {
                    x.saturating_add(1)
                } else {
                    x.saturating_sub(1)
                };
            }
        }
    }

    pub(super) fn free(&self, b: &Block, m: u64) -> bool {
        b.classes
            .iter()
            .all(|c| self.class_busy.get(*c).is_some_and(|x| x & m == 0))
            && b.parts.iter().all(|p| {
                self.teacher_busy.get(p.teacher).is_some_and(|x| x & m == 0)
                    && self.room_busy.get(p.room).is_some_and(|x| x & m == 0)
            })
    }

    fn toggle(&mut self, b: &Block, m: u64) {
        for c in &b.classes {
            if let Some(x) = self.class_busy.get_mut(*c) {
                *x ^= m;
            }
        }
        for p in &b.parts {
            if let Some(x) = self.teacher_busy.get_mut(p.teacher) {
                *x ^= m;
            }
            if let Some(x) = self.room_busy.get_mut(p.room) {
                *x ^= m;
            }
        }
    }

    pub(super) fn place(&mut self, p: &Problem, bi: usize, day: u8, number: u8) {
        let Some(b) = p.blocks.get(bi) else {
            return;
        };
        self.toggle(b, bit(day, number));
        let d = usize::from(day);
        if let Some(l) = self.left.get_mut(bi) {
            *l = l.saturating_sub(1);
        }
        if let Some(x) = self.per_day.get_mut(bi).and_then(|x| x.get_mut(d)) {
            *x += 1;
        }
        if b.kind != GroupKind::Individual {
            for c in &b.classes {
                if let Some(x) = self.class_day.get_mut(*c).and_then(|x| x.get_mut(d)) {
                    *x += 1;
                }
            }
        }
        if let Some(at) = self.at.get_mut(bi) {
            at.push((day, number));
        }
        self.count_teachers(b, day, true);
    }

    pub(super) fn unplace(&mut self, p: &Problem, bi: usize, day: u8, number: u8) {
        let Some(b) = p.blocks.get(bi) else {
            return;
        };
        let Some(at) = self.at.get_mut(bi) else {
            return;
        };
        let Some(k) = at.iter().position(|s| *s == (day, number)) else {
            return;
        };
        at.swap_remove(k);
        self.toggle(b, bit(day, number));
        self.count_teachers(b, day, false);
        let d = usize::from(day);
        if let Some(l) = self.left.get_mut(bi) {
            *l += 1;
        }
        if let Some(x) = self.per_day.get_mut(bi).and_then(|x| x.get_mut(d)) {
            *x = x.saturating_sub(1);
        }
        if b.kind != GroupKind::Individual {
            for c in &b.classes {
                if let Some(x) = self.class_day.get_mut(*c).and_then(|x| x.get_mut(d)) {
                    *x = x.saturating_sub(1);
                }
            }
        }
    }

    pub(super) fn left(&self, bi: usize) -> u8 {
        self.left.get(bi).copied().unwrap_or(0)
    }

    pub(super) fn on_day(&self, bi: usize, day: u8) -> u8 {
        self.per_day
            .get(bi)
            .and_then(|x| x.get(usize::from(day)))
            .copied()
            .unwrap_or(0)
    }

    pub(super) fn class_on_day(&self, c: usize, day: u8) -> u8 {
        self.class_day
            .get(c)
            .and_then(|x| x.get(usize::from(day)))
            .copied()
            .unwrap_or(0)
    }

    pub(super) fn class_mask(&self, c: usize) -> u64 {
        self.class_busy.get(c).copied().unwrap_or(0)
    }

    /// Class-level free lessons inside the days (before individual lessons are added).
    pub(super) fn gaps(&self, p: &Problem) -> u32 {
        (0..p.class_days.len())
            .map(|c| {
                (1..=p.class_days.get(c).copied().unwrap_or(0))
                    .map(|d| holes(self.class_mask(c), d))
                    .sum::<u32>()
            })
            .sum()
    }

    pub(super) fn unplaced(&self) -> u32 {
        self.left.iter().map(|l| u32::from(*l)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timetable::lines::lessons_a_week;

    #[test]
    fn hours_round_half_up_and_masks_count_free_lessons() {
        assert_eq!(lessons_a_week(35), 4);
        assert_eq!(lessons_a_week(5), 1);
        assert_eq!(lessons_a_week(20), 2);
        let m = bit(2, 1) | bit(2, 2) | bit(2, 4);
        assert_eq!(last_number(m, 2), 4);
        assert_eq!(holes(m, 2), 1);
        assert_eq!(holes(m, 1), 0);
        assert_eq!(last_number(bit(6, 8), 6), 8);
    }
}
