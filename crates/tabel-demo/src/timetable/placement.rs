//! Placement: the greedy slot-by-slot fill with repairs, tried a few times, the best kept.

use super::lines::Problem;
use super::state::{State, bit, holes, last_number};
use super::{NUMBERS, day_limit};
use crate::rng::SplitMix64;
use tabel_domain::school::GroupKind;

/// Placement tries; the best is kept.
const ATTEMPTS: usize = 12;
/// The busiest an individual-curriculum pupil's extra lessons make a day.
const INDIVIDUAL_PER_DAY: u8 = 3;
/// How much a teacher's even spread over the week counts against a class's (percent).
const TEACHER_WEIGHT: i64 = 60;

/// A weekday (1–6) and a lesson number (1–8).
type Slot = (u8, u8);
/// How good a slot is for a leftover lesson, smaller first: new free lessons in the classes'
/// days, the day's length, lessons of the subject that day.
type SpotKey = (u32, u8, u8);
/// How good a slot is for an individual lesson, smaller first: distance from the end of the
/// class's day, the pupil's individual lessons that day, lessons of the subject that day.
type IndividualKey = (u8, u8, u8);

/// Lessons a day for a class: the week's total spread evenly, the longer days on random
/// weekdays (never Saturday in a six-day week), capped by the grade's limit.
fn day_targets(total: u8, days: u8, limit: u8, rng: &mut SplitMix64) -> [u8; 7] {
    let mut t = [0u8; 7];
    if days == 0 {
        return t;
    }
    let base = total / days;
    let extra = usize::from(total % days);
    let mut order: Vec<u8> = (1..=days.min(5)).collect();
    rng.shuffle(&mut order);
    if days == 6 {
        order.push(6);
    }
    for d in 1..=days {
        if let Some(x) = t.get_mut(usize::from(d)) {
            *x = base.min(limit);
        }
    }
    for d in order.into_iter().take(extra) {
        if let Some(x) = t.get_mut(usize::from(d)) {
            *x = (base + 1).min(limit);
        }
    }
    t
}

/// The most pressing block a class can take in a slot: the one with the most lessons left per
/// remaining school day, whose teachers are behind their even share of the day (`start` holds
/// each teacher's lessons left when the day began), a little randomised.
fn best(
    p: &Problem,
    st: &State,
    c: usize,
    day: u8,
    m: u64,
    start: &[u32],
    rng: &mut SplitMix64,
) -> Option<usize> {
    let days = p.class_days.get(c).copied().unwrap_or(5);
    let remaining = i64::from(days.saturating_sub(day) + 1);
    let blocks = p.class_blocks.get(c)?;
    let mut best: Option<(i64, usize)> = None;
    for &bi in blocks {
        let Some(b) = p.blocks.get(bi) else {
            continue;
        };
        let left = st.left(bi);
        if left == 0 || st.on_day(bi, day) >= b.cap || !st.free(b, m) {
            continue;
        }
        let behind: i64 = b
            .parts
            .iter()
            .map(|x| {
                let t = x.teacher;
                let days = p.teacher_days.get(t).copied().unwrap_or(5);
                let rest = i64::from(days.saturating_sub(day) + 1);
                let share = i64::from(start.get(t).copied().unwrap_or(0)) * 1000 / rest;
                let today = st
                    .teacher_day
                    .get(t)
                    .and_then(|x| x.get(usize::from(day)))
                    .copied()
                    .unwrap_or(0);
                share - i64::from(today) * 1000
            })
            .sum::<i64>()
            / i64::try_from(b.parts.len()).unwrap_or(1).max(1);
        let jitter = i64::try_from(rng.below(300)).unwrap_or(0);
        let score = i64::from(left) * 1000 / remaining + behind * TEACHER_WEIGHT / 100 + jitter;
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, bi));
        }
    }
    best.map(|(_, bi)| bi)
}

/// A class found nothing: take the slot of another class placed in this slot whose block
/// blocks ours, if that class can take something else.
#[allow(clippy::too_many_arguments)]
fn augment(
    p: &Problem,
    st: &mut State,
    c: usize,
    day: u8,
    number: u8,
    here: &mut Vec<(usize, usize)>,
    start: &[u32],
    rng: &mut SplitMix64,
) -> bool {
    let m = bit(day, number);
    let Some(blocks) = p.class_blocks.get(c) else {
        return false;
    };
    for &bi in blocks {
        let Some(b) = p.blocks.get(bi) else {
            continue;
        };
        if st.left(bi) == 0 || st.on_day(bi, day) >= b.cap {
            continue;
        }
        for k in 0..here.len() {
            let Some(&(c2, b2)) = here.get(k) else {
                continue;
            };
            st.unplace(p, b2, day, number);
            if st.free(b, m) {
                st.place(p, bi, day, number);
                if let Some(b3) = best(p, st, c2, day, m, start, rng) {
                    st.place(p, b3, day, number);
                    if let Some(h) = here.get_mut(k) {
                        *h = (c2, b3);
                    }
                    here.push((c, bi));
                    return true;
                }
                st.unplace(p, bi, day, number);
            }
            st.place(p, b2, day, number);
        }
    }
    false
}

/// The best free slot for a leftover block: no new free lesson in the classes' days first,
/// then the shortest day; `None` when nothing fits the day limits.
fn find_spot(p: &Problem, st: &State, bi: usize) -> Option<(u8, u8)> {
    let b = p.blocks.get(bi)?;
    let mut best: Option<(SpotKey, Slot)> = None;
    for day in 1..=b.days {
        if st.on_day(bi, day) > b.cap {
            continue;
        }
        let full = b.classes.iter().any(|c| {
            let limit = day_limit(p.class_grade.get(*c).copied().unwrap_or(5));
            st.class_on_day(*c, day) >= limit
        });
        if full {
            continue;
        }
        for number in 1..=NUMBERS {
            let m = bit(day, number);
            if !st.free(b, m) {
                continue;
            }
            let new_holes: u32 = b
                .classes
                .iter()
                .map(|c| {
                    let before = st.class_mask(*c);
                    holes(before | m, day).saturating_sub(holes(before, day))
                        + u32::from(number > last_number(before, day) + 1)
                })
                .sum();
            let length = b
                .classes
                .iter()
                .map(|c| st.class_on_day(*c, day))
                .max()
                .unwrap_or(0);
            let key = (new_holes, length, st.on_day(bi, day));
            if best.is_none_or(|(k, _)| key < k) {
                best = Some((key, (day, number)));
            }
        }
    }
    best.map(|(_, s)| s)
}

/// Makes room for a leftover block of one class: moves one of the class's lessons to a free
/// slot and takes its place.
fn swap_in(p: &Problem, st: &mut State, bi: usize) -> bool {
    let Some(b) = p.blocks.get(bi) else {
        return false;
    };
    let [c] = b.classes[..] else {
        return false;
    };
    let Some(others) = p.class_blocks.get(c) else {
        return false;
    };
    for &b2 in others {
        if b2 == bi {
            continue;
        }
        let slots = st.at.get(b2).cloned().unwrap_or_default();
        for (day, number) in slots {
            if st.on_day(bi, day) > b.cap {
                continue;
            }
            st.unplace(p, b2, day, number);
            if st.free(b, bit(day, number)) {
                st.place(p, bi, day, number);
                if let Some((d3, n3)) = find_spot(p, st, b2) {
                    st.place(p, b2, d3, n3);
                    return true;
                }
                st.unplace(p, bi, day, number);
            }
            st.place(p, b2, day, number);
        }
    }
    false
}

/// One more lesson of an individual curriculum: one of a subject a day, right after the
/// class's lessons where possible. False when it finds no place.
fn place_individual(p: &Problem, st: &mut State, bi: usize) -> bool {
    let Some(b) = p.blocks.get(bi) else {
        return false;
    };
    let group = b.parts.first().map(|x| x.group);
    {
        let mut best: Option<(IndividualKey, Slot)> = None;
        for day in 1..=b.days {
            if st.on_day(bi, day) >= b.cap {
                continue;
            }
            let of_group: u8 = p
                .blocks
                .iter()
                .enumerate()
                .filter(|(_, x)| x.parts.first().map(|x| x.group) == group)
                .map(|(k, _)| st.on_day(k, day))
                .sum();
            if of_group >= INDIVIDUAL_PER_DAY {
                continue;
            }
            for number in 1..=NUMBERS {
                let m = bit(day, number);
                if !st.free(b, m) {
                    continue;
                }
                let after = b
                    .classes
                    .iter()
                    .map(|c| last_number(st.class_mask(*c), day))
                    .max()
                    .unwrap_or(0);
                let distance = number.abs_diff(after + 1);
                let key = (distance, of_group, st.on_day(bi, day));
                if best.is_none_or(|(k, _)| key < k) {
                    best = Some((key, (day, number)));
                }
            }
        }
        match best {
            Some((_, (day, number))) => {
                st.place(p, bi, day, number);
                true
            }
            None => false,
        }
    }
}

/// One try at the whole week.
fn attempt(p: &Problem, rng: &mut SplitMix64) -> State {
    let mut st = State::new(p);
    let targets: Vec<[u8; 7]> = (0..p.class_days.len())
        .map(|c| {
            day_targets(
                p.class_total.get(c).copied().unwrap_or(0),
                p.class_days.get(c).copied().unwrap_or(5),
                day_limit(p.class_grade.get(c).copied().unwrap_or(5)),
                rng,
            )
        })
        .collect();
    let target = |c: usize, day: u8| {
        targets
            .get(c)
            .and_then(|t| t.get(usize::from(day)))
            .copied()
            .unwrap_or(0)
    };

    // Streams first, in the middle of the day, on different days.
    for (bi, b) in p.blocks.iter().enumerate() {
        if b.kind != GroupKind::Stream {
            continue;
        }
        let mut days: Vec<u8> = (1..=b.days).collect();
        rng.shuffle(&mut days);
        for day in days {
            if st.left(bi) == 0 {
                break;
            }
            let shortest = b.classes.iter().map(|c| target(*c, day)).min().unwrap_or(0);
            let mut numbers: Vec<u8> = (2..=shortest.min(5)).collect();
            rng.shuffle(&mut numbers);
            if let Some(n) = numbers.into_iter().find(|n| st.free(b, bit(day, *n))) {
                st.place(p, bi, day, n);
            }
        }
    }

    // Slot by slot, the most constrained class first.
    let classes = p.class_days.len();
    for day in 1..=6u8 {
        let start = st.teacher_left.clone();
        for number in 1..=NUMBERS {
            let m = bit(day, number);
            let mut want: Vec<usize> = (0..classes)
                .filter(|c| {
                    p.class_days.get(*c).copied().unwrap_or(0) >= day
                        && st.class_mask(*c) & m == 0
                        && st.class_on_day(*c, day) < target(*c, day)
                })
                .collect();
            rng.shuffle(&mut want);
            want.sort_by_cached_key(|c| {
                p.class_blocks.get(*c).map_or(0, |bs| {
                    bs.iter()
                        .filter(|bi| {
                            p.blocks.get(**bi).is_some_and(|b| {
                                st.left(**bi) > 0 && st.on_day(**bi, day) < b.cap && st.free(b, m)
                            })
                        })
                        .count()
                })
            });
            let mut here: Vec<(usize, usize)> = Vec::new();
            for c in want {
                match best(p, &st, c, day, m, &start, rng) {
                    Some(bi) => {
                        st.place(p, bi, day, number);
                        here.push((c, bi));
                    }
                    None => {
                        augment(p, &mut st, c, day, number, &mut here, &start, rng);
                    }
                }
            }
        }
    }

    // What is left: where it fits, else in place of a lesson that can move.
    for bi in 0..p.blocks.len() {
        if p.blocks
            .get(bi)
            .is_none_or(|b| b.kind == GroupKind::Individual)
        {
            continue;
        }
        while st.left(bi) > 0 {
            if let Some((day, number)) = find_spot(p, &st, bi) {
                st.place(p, bi, day, number);
            } else if !swap_in(p, &mut st, bi) {
                break;
            }
        }
    }
    st
}

/// The placed week, the best of a few tries.
#[derive(Debug)]
pub(super) struct Plan {
    pub(super) state: State,
    pub(super) gaps: u32,
}

pub(super) fn plan(p: &Problem, rng: &mut SplitMix64) -> Plan {
    let mut best: Option<(u32, Plan)> = None;
    for _ in 0..ATTEMPTS {
        let mut st = attempt(p, rng);
        let gaps = st.gaps(p);
        // Round by round, so that where the week is too full every subject still gets a
        // lesson before any gets its second.
        let individual: Vec<usize> = (0..p.blocks.len())
            .filter(|bi| {
                p.blocks
                    .get(*bi)
                    .is_some_and(|b| b.kind == GroupKind::Individual)
            })
            .collect();
        let mut open = individual;
        while !open.is_empty() {
            open.retain(|bi| st.left(*bi) > 0 && place_individual(p, &mut st, *bi));
        }
        let cost = st.unplaced() * 1000 + gaps;
        if best.as_ref().is_none_or(|(c, _)| cost < *c) {
            best = Some((cost, Plan { state: st, gaps }));
        }
        if cost == 0 {
            break;
        }
    }
    match best {
        Some((_, plan)) => plan,
        None => Plan {
            state: State::new(p),
            gaps: 0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_targets_spread_the_week() {
        let mut rng = SplitMix64::new(3);
        let t = day_targets(28, 6, 7, &mut rng);
        assert_eq!(t.iter().map(|x| u32::from(*x)).sum::<u32>(), 28);
        assert_eq!(t[6], 4, "Saturday is short");
        let t = day_targets(20, 5, 4, &mut rng);
        assert_eq!(&t[1..=5], &[4, 4, 4, 4, 4]);
    }
}
