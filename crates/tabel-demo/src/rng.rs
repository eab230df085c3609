//! A small deterministic pseudo-random generator (SplitMix64). The demo must give the same
//! school for the same seed on every machine and every build, so it carries its own generator
//! instead of depending on a crate whose algorithm may change between versions.

/// SplitMix64: 64 bits of state, passes BigCrush, and is trivially reproducible.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

impl SplitMix64 {
    /// A generator started from a seed.
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The independent stream of one phase of one school. Each phase draws from its own stream,
    /// so adding a phase (or drawing more in one) does not change what the others produce.
    pub fn stream(seed: u64, school: u32, phase: u64) -> Self {
        let a = Self::new(seed).next_u64();
        let b = Self::new(a ^ u64::from(school).wrapping_add(1).wrapping_mul(GOLDEN)).next_u64();
        let c = Self::new(b ^ phase.wrapping_add(1).wrapping_mul(0xD1B5_4A32_D192_ED03)).next_u64();
        Self::new(c)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0). Multiply-shift: the bias is below 2⁻⁴⁰ for the
    /// small ranges used here.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// An index into a slice of `len` items (0 when `len` is 0).
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// A number in `lo..=hi` (`lo` when the range is empty).
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            lo + self.below(hi.abs_diff(lo) + 1) as i64
        }
    }

    /// True with a probability of `percent` in a hundred.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of the items; `items` must not be empty (the generator's tables never are).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// A copy of one of the items; `items` must not be empty.
    pub fn pick_copy<T: Copy>(&mut self, items: &[T]) -> T {
        *self.pick(items)
    }

    /// Shuffles in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_is_the_reference_splitmix64() {
        // Reference values for seed 1234567 (from the algorithm's published C code).
        let mut r = SplitMix64::new(1_234_567);
        assert_eq!(r.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(r.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn streams_differ_by_school_and_phase_and_repeat_by_seed() {
        let a = SplitMix64::stream(7, 0, 1).next_u64();
        assert_eq!(a, SplitMix64::stream(7, 0, 1).next_u64());
        assert_ne!(a, SplitMix64::stream(7, 1, 1).next_u64());
        assert_ne!(a, SplitMix64::stream(7, 0, 2).next_u64());
        assert_ne!(a, SplitMix64::stream(8, 0, 1).next_u64());
    }

    #[test]
    fn ranges_hold() {
        let mut r = SplitMix64::new(1);
        for _ in 0..10_000 {
            let v = r.between(22, 28);
            assert!((22..=28).contains(&v));
            assert!(r.below(3) < 3);
        }
        assert_eq!(r.between(5, 5), 5);
        assert_eq!(r.below(0), 0);
    }
}
