//! Helpers shared by the imputer test binaries (each binary uses a subset).
#![allow(dead_code)]

use ndarray::{Array2, Array3};
use touchline_core::{Agent, Period, Team, TrackingData};
use touchline_impute::masks::blank_unobserved;

/// `n` agents: home players `p0..`, and the ball last (when `n > 1`).
pub fn agents(n: usize) -> Vec<Agent> {
    (0..n)
        .map(|i| if i + 1 == n && n > 1 { Agent::ball() } else { Agent::new(format!("p{i}"), Team::Home) })
        .collect()
}

/// Data from a true trajectory `f(agent, t) -> (x, y)` and a mask; unobserved entries NaN.
pub fn make(t: &[f64], mask: &Array2<bool>, f: impl Fn(usize, f64) -> (f64, f64)) -> TrackingData {
    let (nf, na) = mask.dim();
    let mut p = Array3::from_elem((nf, na, 2), f64::NAN);
    for fr in 0..nf {
        for a in 0..na {
            if mask[[fr, a]] {
                let (x, y) = f(a, t[fr]);
                p[[fr, a, 0]] = x;
                p[[fr, a, 1]] = y;
            }
        }
    }
    TrackingData::new(p, mask.clone(), t.to_vec(), agents(na)).unwrap()
}

/// Strictly increasing times `start + s0, start + s0 + s1, ...` from positive steps.
pub fn cumulative(start: f64, steps: &[f64]) -> Vec<f64> {
    let mut acc = start;
    steps
        .iter()
        .map(|s| {
            acc += s;
            acc
        })
        .collect()
}

/// Random data from a proptest draw: row-major `mask` (`[frames, agents]`) and
/// `values` (`[frames, agents, 2]`), unobserved entries blanked to NaN.
pub fn random_data(t: Vec<f64>, mask: Vec<bool>, values: Vec<f64>, agents: Vec<Agent>) -> TrackingData {
    let (nf, na) = (t.len(), agents.len());
    let mask = Array2::from_shape_vec((nf, na), mask).unwrap();
    let mut p = Array3::from_shape_vec((nf, na, 2), values).unwrap();
    blank_unobserved(&mut p, &mask);
    TrackingData::new(p, mask, t, agents).unwrap()
}

/// Two periods with one frame outside both between them, when `split` allows.
pub fn split_periods(d: TrackingData, split: usize) -> TrackingData {
    let nf = d.n_frames();
    if split > 0 && split + 1 < nf {
        d.with_periods(vec![Period::new(1, 0..split), Period::new(2, split + 1..nf)]).unwrap()
    } else {
        d
    }
}

/// The real 9000-frame TRACAB stretch in ../shared.
pub const TRACAB: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/tracab_databallpy/tracking_wide.csv");

/// A synthetic match of `seconds` (seed 7, 25 Hz).
pub fn synthetic(seconds: f64) -> TrackingData {
    touchline_io::synthetic::SyntheticMatch { seconds, ..Default::default() }.generate().unwrap()
}

/// The TRACAB stretch; fails naming the path when ../shared is missing.
pub fn tracab() -> TrackingData {
    let p = std::path::Path::new(TRACAB);
    assert!(p.exists(), "missing test data file {TRACAB}");
    touchline_io::open(p, None).unwrap_or_else(|e| panic!("cannot load {TRACAB}: {e}"))
}

/// `d` with its agents reordered: agent `new` of the result is agent
/// `perm[new]` of `d` (positions, mask and agent records).
#[allow(dead_code)]
pub fn permute_agents(d: &TrackingData, perm: &[usize]) -> TrackingData {
    let (nf, na) = (d.n_frames(), perm.len());
    let mut p = Array3::<f64>::from_elem((nf, na, 2), f64::NAN);
    let mut o = Array2::from_elem((nf, na), false);
    for (new, &old) in perm.iter().enumerate() {
        for f in 0..nf {
            p[[f, new, 0]] = d.positions()[[f, old, 0]];
            p[[f, new, 1]] = d.positions()[[f, old, 1]];
            o[[f, new]] = d.observed()[[f, old]];
        }
    }
    let agents: Vec<Agent> = perm.iter().map(|&a| d.agents()[a].clone()).collect();
    TrackingData::new(p, o, d.timestamps().to_vec(), agents).expect("a permutation of valid data is valid")
}

/// Largest |a - b| between agent `perm[new]` of `a` and agent `new` of `b`;
/// panics naming the entry when one is `NaN` and the other is not.
#[allow(dead_code)]
pub fn max_permuted_diff(a: &TrackingData, b: &TrackingData, perm: &[usize]) -> f64 {
    let mut worst = 0.0f64;
    for (new, &old) in perm.iter().enumerate() {
        for f in 0..a.n_frames() {
            for c in 0..2 {
                let (x, y) = (a.positions()[[f, old, c]], b.positions()[[f, new, c]]);
                assert_eq!(x.is_nan(), y.is_nan(), "frame {f} agent {old} coord {c}: {x} vs {y}");
                if x.is_finite() {
                    worst = worst.max((x - y).abs());
                }
            }
        }
    }
    worst
}
