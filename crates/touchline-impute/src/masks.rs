//! Masks laid over complete (or partly observed) tracking data, to score
//! imputers against the truth they did not see: seeded interior gaps
//! ([`hide_gaps`]) and blanking of unobserved positions
//! ([`blank_unobserved`]).
//!
//! ```
//! use touchline_impute::masks::hide_gaps;
//! use touchline_io::synthetic::SyntheticMatch;
//!
//! let truth = SyntheticMatch { seconds: 20.0, ..Default::default() }.generate()?;
//! let (masked, hidden) = hide_gaps(&truth, 42, 25, 0.1);
//! assert!(!hidden.is_empty());
//! for &(f, a) in &hidden {
//!     assert!(truth.observed()[[f, a]] && !masked.observed()[[f, a]]);
//!     assert!(masked.positions()[[f, a, 0]].is_nan());
//! }
//! # Ok::<(), touchline_io::IoError>(())
//! ```

use ndarray::{Array2, Array3};
use touchline_core::{SplitMix64, Team, TrackingData};

/// Hides non-overlapping gaps of `gap_frames` frames in every non-ball
/// agent, about `frac` of its frames, only where the gap, both its edges
/// and one more frame each side were observed (so every hidden gap is an
/// interior gap between observed runs).
///
/// Gap starts are drawn from [`SplitMix64`] seeded with `seed` (at most 20
/// draws per wanted gap), so the same arguments always hide the same
/// entries. Agents with fewer than `gap_frames + 4` frames, the ball, and a
/// `gap_frames` of 0 hide nothing. Hidden positions become NaN and
/// unobserved; the result keeps the truth's timestamps, agents, periods and
/// (when finite and positive) frame rate.
///
/// Returns the masked data and the hidden `(frame, agent)` entries, agent
/// by agent in the order they were hidden.
pub fn hide_gaps(
    truth: &TrackingData,
    seed: u64,
    gap_frames: usize,
    frac: f64,
) -> (TrackingData, Vec<(usize, usize)>) {
    let gap = gap_frames;
    let (nf, na) = (truth.n_frames(), truth.n_agents());
    let mut pos = truth.positions().clone();
    let mut seen = truth.observed().clone();
    let mut rng = SplitMix64::new(seed);
    let mut hidden = Vec::new();
    for a in 0..na {
        if gap == 0 || truth.agents()[a].team == Team::Ball || nf < gap + 4 {
            continue;
        }
        let want = ((nf as f64 * frac) / gap as f64).round() as usize;
        let mut placed = 0;
        for _ in 0..want.saturating_mul(20) {
            if placed == want {
                break;
            }
            let s = 1 + rng.below(nf - gap - 2);
            // gap s..s+gap, edges s-1 and s+gap must stay observed, one spare frame each side
            if (s - 1..=s + gap).any(|f| !seen[[f, a]]) {
                continue;
            }
            if s >= 2 && !seen[[s - 2, a]] || s + gap + 1 < nf && !seen[[s + gap + 1, a]] {
                continue;
            }
            for f in s..s + gap {
                seen[[f, a]] = false;
                pos[[f, a, 0]] = f64::NAN;
                pos[[f, a, 1]] = f64::NAN;
                hidden.push((f, a));
            }
            placed += 1;
        }
    }
    let mut d = TrackingData::new(pos, seen, truth.timestamps().to_vec(), truth.agents().to_vec())
        .and_then(|d| d.with_periods(truth.periods().to_vec()))
        .expect("the truth's shape, times, agents and periods are valid");
    let hz = truth.frame_rate();
    if hz.is_finite() && hz > 0.0 {
        d = d.with_frame_rate(hz).expect("finite positive frame rate");
    }
    (d, hidden)
}

/// Sets both coordinates of every entry that `observed` marks unobserved to
/// NaN, as [`TrackingData::new`] expects of missing entries.
///
/// # Panics
///
/// If `positions` is not `[frames, agents, 2]` for `observed`'s
/// `[frames, agents]`.
pub fn blank_unobserved(positions: &mut Array3<f64>, observed: &Array2<bool>) {
    let (nf, na) = observed.dim();
    assert_eq!(positions.dim(), (nf, na, 2), "positions must be [frames, agents, 2] for the mask");
    for ((f, a), &o) in observed.indexed_iter() {
        if !o {
            positions[[f, a, 0]] = f64::NAN;
            positions[[f, a, 1]] = f64::NAN;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use touchline_core::Agent;

    /// 200 frames at 25 Hz, three players and the ball on lines; player 1
    /// misses frames 50..60.
    fn truth() -> TrackingData {
        let (nf, na) = (200, 4);
        let t: Vec<f64> = (0..nf).map(|i| i as f64 / 25.0).collect();
        let mut p = Array3::<f64>::zeros((nf, na, 2));
        for f in 0..nf {
            for a in 0..na {
                p[[f, a, 0]] = a as f64 + 0.1 * f as f64;
                p[[f, a, 1]] = -(a as f64) * 0.05 * f as f64;
            }
        }
        let mut obs = Array2::from_elem((nf, na), true);
        for f in 50..60 {
            obs[[f, 1]] = false;
        }
        blank_unobserved(&mut p, &obs);
        let agents = vec![
            Agent::new("h1", Team::Home),
            Agent::new("h2", Team::Home),
            Agent::new("a1", Team::Away),
            Agent::ball(),
        ];
        TrackingData::new(p, obs, t, agents).unwrap().with_frame_rate(25.0).unwrap()
    }

    #[test]
    fn deterministic_per_seed() {
        let d = truth();
        let (m1, h1) = hide_gaps(&d, 5, 10, 0.2);
        let (m2, h2) = hide_gaps(&d, 5, 10, 0.2);
        assert_eq!(h1, h2);
        assert_eq!(m1, m2);
        let (_, h3) = hide_gaps(&d, 6, 10, 0.2);
        assert_ne!(h1, h3);
    }

    #[test]
    fn hides_only_observed_interior_entries_and_skips_the_ball() {
        let d = truth();
        for seed in 0..20 {
            let (m, hidden) = hide_gaps(&d, seed, 10, 0.2);
            assert!(!hidden.is_empty());
            assert_eq!(m.frame_rate(), 25.0);
            assert_eq!(m.periods(), d.periods());
            let mut unique = hidden.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), hidden.len(), "an entry hidden twice");
            for &(f, a) in &hidden {
                assert!(d.observed()[[f, a]], "seed {seed}: ({f}, {a}) was already missing");
                assert_ne!(d.agents()[a].team, Team::Ball);
                assert!(!m.observed()[[f, a]]);
                assert!(m.positions()[[f, a, 0]].is_nan() && m.positions()[[f, a, 1]].is_nan());
                assert!(f >= 1 && f + 1 < d.n_frames());
            }
            // everything else is unchanged, and every hidden run has observed edges
            for ((f, a), &o) in m.observed().indexed_iter() {
                if !hidden.contains(&(f, a)) {
                    assert_eq!(o, d.observed()[[f, a]]);
                    if o {
                        assert_eq!(m.positions()[[f, a, 0]], d.positions()[[f, a, 0]]);
                        assert_eq!(m.positions()[[f, a, 1]], d.positions()[[f, a, 1]]);
                    }
                }
            }
            for &(f, a) in &hidden {
                let before = (0..f).rev().find(|&g| !hidden.contains(&(g, a))).unwrap();
                let after = (f + 1..d.n_frames()).find(|&g| !hidden.contains(&(g, a))).unwrap();
                assert!(m.observed()[[before, a]] && m.observed()[[after, a]]);
            }
        }
    }

    #[test]
    fn degenerate_arguments_hide_nothing() {
        let d = truth();
        for (gap, frac) in [(0, 0.2), (10, 0.0), (197, 0.2)] {
            let (m, hidden) = hide_gaps(&d, 1, gap, frac);
            assert!(hidden.is_empty(), "gap {gap}, frac {frac}");
            assert_eq!(m.observed(), d.observed());
        }
    }

    #[test]
    fn blank_unobserved_sets_nan_exactly_where_unobserved() {
        let mut p = Array3::<f64>::ones((3, 2, 2));
        let obs = Array2::from_shape_vec((3, 2), vec![true, false, false, true, true, true]).unwrap();
        blank_unobserved(&mut p, &obs);
        for ((f, a), &o) in obs.indexed_iter() {
            for k in 0..2 {
                assert_eq!(p[[f, a, k]].is_nan(), !o);
            }
        }
    }
}
