//! The Kalman smoother imputer: exactness on straight lines, the observed
//! contract, idempotence, edges, few observations, periods, bad params, and
//! an (ignored) RMSE measurement on a synthetic match.

use ndarray::{Array2, Array3};
use proptest::prelude::*;
use touchline_core::{Agent, Imputer, Period, Team, TrackingData, verify_observed_unchanged};
use touchline_impute::interp::Kind;
use touchline_impute::{
    Edges, GapPolicy, ImputeError, InterpImputer, InterpParams, KalmanParams, KalmanSmoother, LongGaps,
    MotionModel, PlausibilityCap,
};
use touchline_io::synthetic::SyntheticMatch;

/// SplitMix64 for seeded masks.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// `truth` with `gaps` non-overlapping gaps of `len` frames per agent,
/// never touching the first or last frame (interior gaps only).
fn mask_gaps(truth: &TrackingData, len: usize, gaps: usize, seed: u64, noise: f64) -> TrackingData {
    let (nf, na) = (truth.n_frames(), truth.n_agents());
    let mut rng = Rng(seed);
    let mut mask = Array2::from_elem((nf, na), true);
    for a in 0..na {
        let mut placed = 0;
        let mut tries = 0;
        while placed < gaps && tries < 10_000 {
            tries += 1;
            let s = 1 + rng.below(nf - len - 2);
            // keep one observed frame either side of every gap
            if (s - 1..s + len + 1).all(|f| mask[[f, a]]) {
                for f in s..s + len {
                    mask[[f, a]] = false;
                }
                placed += 1;
            }
        }
    }
    let mut p = truth.positions().clone();
    for ((f, a), &o) in mask.indexed_iter() {
        if o && noise > 0.0 {
            // Gaussian noise (Box-Muller) on observed entries
            for k in 0..2 {
                let u1 = ((rng.next() >> 11) as f64 / (1u64 << 53) as f64).max(1e-300);
                let u2 = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
                p[[f, a, k]] += noise * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            }
        }
        if !o {
            p[[f, a, 0]] = f64::NAN;
            p[[f, a, 1]] = f64::NAN;
        }
    }
    TrackingData::new(p, mask, truth.timestamps_slice().to_vec(), truth.agents().to_vec()).unwrap()
}

/// Euclidean RMSE over the missing entries of `masked`, split into (players, ball).
fn rmse(truth: &TrackingData, masked: &TrackingData, filled: &TrackingData) -> (f64, f64) {
    let mut acc = [(0.0, 0usize); 2];
    for ((f, a), &o) in masked.observed().indexed_iter() {
        if !o {
            let dx = filled.positions()[[f, a, 0]] - truth.positions()[[f, a, 0]];
            let dy = filled.positions()[[f, a, 1]] - truth.positions()[[f, a, 1]];
            let k = usize::from(truth.agents()[a].team == Team::Ball);
            acc[k].0 += dx * dx + dy * dy;
            acc[k].1 += 1;
        }
    }
    ((acc[0].0 / acc[0].1 as f64).sqrt(), (acc[1].0 / acc[1].1 as f64).sqrt())
}

/// Prints RMSE figures: `cargo test -p touchline-impute --release --test kalman -- --ignored --nocapture`.
#[test]
#[ignore = "measurement, prints a table"]
fn measure_rmse() {
    let truth = SyntheticMatch { seconds: 60.0, frame_rate: 25.0, ..Default::default() }.generate().unwrap();
    let noise: f64 = std::env::var("NOISE").ok().and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let masked = mask_gaps(&truth, 50, 5, 42, noise);
    println!("60 s synthetic match, 25 Hz, 5 gaps of 2 s per agent (seed 42), noise sd {noise} m; RMSE in m");
    for cap in [None, Some(PlausibilityCap::default())] {
        let tag = if cap.is_some() { "cap" } else { "no cap" };
        for kind in [Kind::Linear, Kind::Pchip, Kind::NotAKnotSpline, Kind::Akima] {
            let m = InterpImputer::new(kind, InterpParams { policy: GapPolicy::default(), cap }).unwrap();
            let (out, rep) = m.impute_with_report(&masked).unwrap();
            let (p, b) = rmse(&truth, &masked, &out);
            println!("{tag:7} {:22} players {p:.4} ball {b:.4} capped {}", kind.name(), rep.totals().capped);
        }
        for model in [MotionModel::ConstantVelocity, MotionModel::ConstantAcceleration] {
            let qs: &[f64] = if model == MotionModel::ConstantVelocity {
                &[0.1, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0]
            } else {
                &[1.0, 10.0, 100.0, 1000.0]
            };
            for &q in qs {
                for r in [1e-4, 0.01, 0.05] {
                    let params = KalmanParams { model, q, r, cap, ..KalmanParams::default() };
                    let (out, rep) = KalmanSmoother::new(params).unwrap().impute_with_report(&masked).unwrap();
                    let (p, b) = rmse(&truth, &masked, &out);
                    println!(
                        "{tag:7} kalman {:21} q {q:7} r {r:6} players {p:.4} ball {b:.4} capped {}",
                        model.name(),
                        rep.totals().capped
                    );
                }
            }
        }
    }
}
