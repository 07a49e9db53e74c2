//! A small seeded pseudo-random generator shared by the synthetic match, the
//! DASE fit, the benchmarks and the tests, so that every seeded mask or
//! simulation is reproducible on every machine without an extra dependency.
//!
//! ```
//! use touchline_core::SplitMix64;
//!
//! let mut a = SplitMix64::new(7);
//! let mut b = SplitMix64::new(7);
//! assert_eq!(a.next_u64(), 0x63CB_E1E4_5932_0DD7);
//! assert_eq!(b.next_u64(), 0x63CB_E1E4_5932_0DD7);
//! let u = a.uniform();
//! assert!((0.0..1.0).contains(&u));
//! assert!(a.below(10) < 10);
//! assert!(a.normal().is_finite());
//! ```

use std::f64::consts::PI;

/// SplitMix64 (Steele, Lea and Flood, 2014): a 64-bit state advanced by a
/// fixed odd constant and scrambled on output. Small, fast, not
/// cryptographic; the same seed always gives the same sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator whose state starts at `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform draw in `[0, 1)` from the top 53 bits of [`next_u64`](Self::next_u64).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal draw by Box-Muller (cosine branch) from two
    /// [`uniform`](Self::uniform) draws, the first floored at `1e-300`.
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-300);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * PI * u2).cos()
    }

    /// An integer in `0..n` as `next_u64() % n` (slightly biased for huge
    /// `n`); `0` when `n` is `0`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// An integer in `0..n` by scaling a [`uniform`](Self::uniform) draw,
    /// as `touchline_io::synthetic::SyntheticMatch` does; `0` when `n` is
    /// `0`. Consumes one draw like [`below`](Self::below) but gives a
    /// different sequence.
    pub fn below_scaled(&mut self, n: usize) -> usize {
        (self.uniform() * n as f64) as usize % n.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::SplitMix64;

    #[test]
    fn first_outputs_are_pinned() {
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(r.next_u64(), 0x06C4_5D18_8009_454F);
        let mut r = SplitMix64::new(7);
        assert_eq!(r.next_u64(), 0x63CB_E1E4_5932_0DD7);
        assert_eq!(r.next_u64(), 0x044C_3CD7_F43C_661C);
        assert_eq!(r.next_u64(), 0xE698_4080_BAB1_2A02);
        assert_eq!(SplitMix64::new(7).uniform(), 0.3898297483912715);
    }

    #[test]
    fn derived_draws_follow_the_raw_sequence() {
        let (mut a, mut b) = (SplitMix64::new(7), SplitMix64::new(7));
        for n in [1usize, 2, 3, 11, 1000] {
            assert_eq!(a.below(n), (b.next_u64() % n as u64) as usize);
            let u = (b.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            assert_eq!(a.below_scaled(n), (u * n as f64) as usize % n);
        }
        assert_eq!(a.below(0), 0);
        assert_eq!(a.below_scaled(0), 0);
        let (mut a, mut b) = (SplitMix64::new(0), SplitMix64::new(0));
        let (u1, u2) = (b.uniform().max(1e-300), b.uniform());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        assert_eq!(a.normal().to_bits(), z.to_bits());
        for _ in 0..1000 {
            let u = a.uniform();
            assert!((0.0..1.0).contains(&u));
            assert!(a.below(7) < 7 && a.below_scaled(7) < 7);
        }
    }
}
