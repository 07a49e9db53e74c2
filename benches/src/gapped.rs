//! The gapped full-match input shared by the imputation bench
//! (`benches/impute.rs`), `make_gapped` and `impute_timing`: a
//! [`SyntheticMatch`] with seeded random gaps punched into every agent.
//!
//! Included with `#[path]` by each of them, so it is not part of the
//! library's API.

use touchline_core::{SplitMix64, TrackingData};
use touchline_io::synthetic::SyntheticMatch;

/// Uniform integer in `lo..=hi`.
fn between(rng: &mut SplitMix64, lo: usize, hi: usize) -> usize {
    lo + rng.below(hi - lo + 1)
}

/// A synthetic match of `seconds` at 25 Hz (seed 7) with about `fraction`
/// of every agent's entries unobserved, in gaps of 0.2 to 5 s (uniform)
/// separated by observed runs of uniform length; gap seed `gap_seed`.
pub fn gapped_match(seconds: f64, fraction: f64, gap_seed: u64) -> TrackingData {
    let hz = 25.0;
    let truth = SyntheticMatch { seed: 7, seconds, frame_rate: hz, ..SyntheticMatch::default() }
        .generate()
        .expect("synthetic match parameters are valid");
    let (nf, na) = (truth.n_frames(), truth.n_agents());
    let mut pos = truth.positions().clone();
    let mut obs = truth.observed().clone();
    let (gmin, gmax) = ((0.2 * hz) as usize, (5.0 * hz) as usize);
    let mean_gap = (gmin + gmax) as f64 / 2.0;
    let mean_run = mean_gap * (1.0 - fraction) / fraction;
    let run_max = (2.0 * mean_run).round() as usize - 1;
    let mut rng = SplitMix64::new(gap_seed);
    for a in 0..na {
        let mut f = between(&mut rng, 1, run_max);
        while f < nf {
            let len = between(&mut rng, gmin, gmax);
            for g in f..(f + len).min(nf) {
                obs[[g, a]] = false;
                pos[[g, a, 0]] = f64::NAN;
                pos[[g, a, 1]] = f64::NAN;
            }
            f += len + between(&mut rng, 1, run_max);
        }
    }
    let t = truth.timestamps_slice().to_vec();
    let mut data = TrackingData::new(pos, obs, t, truth.agents().to_vec())
        .and_then(|d| d.with_frame_rate(hz))
        .expect("same shape as the synthetic match");
    if let Some(p) = truth.pitch() {
        data = data.with_pitch(p).expect("valid pitch");
    }
    data
}

/// The method names of `touchline impute --method` with their interpolants.
pub const METHODS: [(&str, touchline_impute::interp::Kind); 7] = {
    use touchline_impute::interp::Kind;
    [
        ("linear", Kind::Linear),
        ("cubic-spline", Kind::NotAKnotSpline),
        ("natural-spline", Kind::NaturalSpline),
        ("steffen", Kind::Steffen),
        ("pchip", Kind::Pchip),
        ("akima", Kind::Akima),
        ("makima", Kind::Makima),
    ]
};
