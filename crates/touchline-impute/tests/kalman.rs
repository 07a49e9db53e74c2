//! The Kalman smoother imputer: exactness on straight lines, the observed
//! contract, idempotence, edges, few observations, periods, bad params, and
//! an (ignored) RMSE measurement on a synthetic match.

mod common;
use common::{agents, cumulative, make, random_data, split_periods};

use ndarray::{Array2, Array3};
use proptest::prelude::*;
use touchline_core::{Agent, Imputer, Period, SplitMix64, Team, TrackingData, verify_observed_unchanged};
use touchline_impute::interp::Kind;
use touchline_impute::{
    Edges, GapPolicy, ImputeError, InterpImputer, InterpParams, KalmanParams, KalmanSmoother, LongGaps,
    MotionModel, PlausibilityCap,
};
use touchline_io::synthetic::SyntheticMatch;

/// `truth` with `gaps` non-overlapping gaps of `len` frames per agent,
/// never touching the first or last frame (interior gaps only).
fn mask_gaps(truth: &TrackingData, len: usize, gaps: usize, seed: u64, noise: f64) -> TrackingData {
    let (nf, na) = (truth.n_frames(), truth.n_agents());
    let mut rng = SplitMix64::new(seed);
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
                let u1 = rng.uniform().max(1e-300);
                let u2 = rng.uniform();
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
                    let (out, rep) =
                        KalmanSmoother::new(params).unwrap().impute_with_report(&masked).unwrap();
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

fn ks(model: MotionModel, q: f64, r: f64, policy: GapPolicy) -> KalmanSmoother {
    KalmanSmoother::new(KalmanParams { model, q, r, policy, cap: None }).unwrap()
}

#[test]
fn straight_line_is_reproduced_in_gaps() {
    // Uneven times, 3 m/s along x and -1.5 m/s along y; gaps of several lengths.
    // Statement: with r = 1e-10 m², CV and CA reproduce uniform motion in gaps to 1e-6 m.
    let t: Vec<f64> = (0..120).map(|i| i as f64 * 0.04 + 0.01 * ((i * 7) % 3) as f64).collect();
    let mut mask = Array2::from_elem((120, 1), true);
    for f in (10..30).chain(50..53).chain(70..71).chain(90..110) {
        mask[[f, 0]] = false;
    }
    let line = |_: usize, t: f64| (12.0 + 3.0 * t, -4.0 - 1.5 * t);
    let d = make(&t, &mask, line);
    for model in [MotionModel::ConstantVelocity, MotionModel::ConstantAcceleration] {
        for q in [0.1, 1.0, 5.0] {
            let out = ks(model, q, 1e-10, GapPolicy::default()).impute(&d).unwrap();
            for (f, &tf) in t.iter().enumerate() {
                let (x, y) = line(0, tf);
                assert!((out.positions()[[f, 0, 0]] - x).abs() < 1e-6, "{model:?} q {q} frame {f}");
                assert!((out.positions()[[f, 0, 1]] - y).abs() < 1e-6, "{model:?} q {q} frame {f}");
            }
        }
    }
}

#[test]
fn extrapolate_edges_follow_the_smoothed_velocity() {
    let t: Vec<f64> = (0..60).map(|i| i as f64 * 0.04).collect();
    let mut mask = Array2::from_elem((60, 1), false);
    for f in 10..50 {
        mask[[f, 0]] = true;
    }
    let line = |_: usize, t: f64| (2.0 * t, 1.0 - t);
    let d = make(&t, &mask, line);
    let policy = GapPolicy { edges: Edges::Extrapolate, ..GapPolicy::default() };
    let (out, rep) = ks(MotionModel::ConstantVelocity, 1.0, 1e-10, policy).impute_with_report(&d).unwrap();
    for f in (0..10).chain(50..60) {
        let (x, y) = line(0, t[f]);
        assert!((out.positions()[[f, 0, 0]] - x).abs() < 1e-6);
        assert!((out.positions()[[f, 0, 1]] - y).abs() < 1e-6);
    }
    assert_eq!(rep.agents[0].filled_edge, 20);
    // Hold repeats the observed end; Leave leaves; max_gap shorter than the edge leaves it too
    let hold = ks(MotionModel::ConstantVelocity, 1.0, 0.01, GapPolicy::default()).impute(&d).unwrap();
    assert_eq!(hold.positions()[[0, 0, 0]], d.positions()[[10, 0, 0]]);
    assert_eq!(hold.positions()[[59, 0, 1]], d.positions()[[49, 0, 1]]);
    let leave = GapPolicy { edges: Edges::Leave, ..GapPolicy::default() };
    let (out, rep) = ks(MotionModel::ConstantVelocity, 1.0, 0.01, leave).impute_with_report(&d).unwrap();
    assert!(out.positions()[[0, 0, 0]].is_nan());
    assert_eq!(rep.agents[0].left_edge, 20);
    let short = GapPolicy { max_gap: 0.2, ..policy };
    let (_, rep) = ks(MotionModel::ConstantVelocity, 1.0, 0.01, short).impute_with_report(&d).unwrap();
    assert_eq!(rep.agents[0].left_gap_too_long, 20);
}

#[test]
fn long_gaps_are_left_or_handed_to_the_fallback() {
    let t: Vec<f64> = (0..100).map(|i| i as f64 * 0.04).collect();
    let mut mask = Array2::from_elem((100, 1), true);
    for f in (10..20).chain(40..90) {
        mask[[f, 0]] = false;
    }
    let d = make(&t, &mask, |_, t| (t.sin(), t.cos()));
    let leave = GapPolicy { max_gap: 1.0, ..GapPolicy::default() };
    let (out, rep) = ks(MotionModel::ConstantVelocity, 5.0, 0.01, leave).impute_with_report(&d).unwrap();
    assert_eq!((rep.agents[0].filled_method, rep.agents[0].left_gap_too_long), (10, 50));
    assert!(out.positions()[[60, 0, 0]].is_nan());
    let fb = GapPolicy { long_gaps: LongGaps::Fallback, ..leave };
    let (out, rep) = ks(MotionModel::ConstantVelocity, 5.0, 0.01, fb).impute_with_report(&d).unwrap();
    assert_eq!((rep.agents[0].filled_method, rep.agents[0].filled_fallback), (10, 50));
    let lin =
        InterpImputer::new(Kind::Linear, InterpParams { policy: fb, cap: None }).unwrap().impute(&d).unwrap();
    assert_eq!(out.positions()[[60, 0, 0]], lin.positions()[[60, 0, 0]]);
}

#[test]
fn few_observations_and_empty_agents() {
    // agent 0: none, agent 1: one, agent 2: two, agent 3 (ball): all observed
    let t: Vec<f64> = (0..20).map(|i| i as f64 * 0.04).collect();
    let mut mask = Array2::from_elem((20, 4), false);
    mask[[5, 1]] = true;
    mask[[3, 2]] = true;
    mask[[13, 2]] = true;
    for f in 0..20 {
        mask[[f, 3]] = true;
    }
    let d = make(&t, &mask, |a, t| (a as f64 + 2.0 * t, 1.0));
    for model in [MotionModel::ConstantVelocity, MotionModel::ConstantAcceleration] {
        for edges in [Edges::Hold, Edges::Extrapolate, Edges::Leave] {
            let policy = GapPolicy { edges, ..GapPolicy::default() };
            let m = ks(model, 1.0, 1e-8, policy);
            let (out, rep) = m.impute_with_report(&d).unwrap();
            verify_observed_unchanged(&d, &out).unwrap();
            assert_eq!(rep.agents[0].left_too_few_knots, 20);
            assert!(out.positions()[[0, 0, 0]].is_nan());
            if edges != Edges::Leave {
                // one observation: held either way
                assert_eq!(out.positions()[[19, 1, 0]], d.positions()[[5, 1, 0]]);
                assert_eq!(rep.agents[1].filled_edge, 19);
            }
            // two observations: the line between them
            let err = (out.positions()[[8, 2, 0]] - (2.0 + 2.0 * t[8])).abs();
            assert!(err < 1e-6, "{model:?} {err}");
            assert_eq!(rep.agents[2].filled_method, 9);
            for a in &rep.agents {
                assert_eq!(a.observed + a.filled() + a.left(), 20);
            }
        }
    }
    // all missing
    let none = make(&t, &Array2::from_elem((20, 2), false), |_, _| (0.0, 0.0));
    let (out, rep) = KalmanSmoother::default().impute_with_report(&none).unwrap();
    assert_eq!(out, none);
    assert_eq!(rep.totals().left_too_few_knots, 40);
}

#[test]
fn periods_are_independent() {
    // Two periods with different motions; a gap at the end of period 1 and the start of period 2.
    let t: Vec<f64> = (0..80).map(|i| i as f64 * 0.04).collect();
    let mut mask = Array2::from_elem((80, 1), true);
    for f in (20..30).chain(50..60) {
        mask[[f, 0]] = false;
    }
    let f1 = |t: f64| if t < 1.6 { 5.0 * t } else { 100.0 - 3.0 * t };
    let d = make(&t, &mask, |_, t| (f1(t), 0.0))
        .with_periods(vec![Period::new(1, 0..40), Period::new(2, 40..80)])
        .unwrap();
    let m = ks(MotionModel::ConstantVelocity, 2.0, 1e-10, GapPolicy::default());
    let out = m.impute(&d).unwrap();
    for f in (20..30).chain(50..60) {
        assert!((out.positions()[[f, 0, 0]] - f1(t[f])).abs() < 1e-6, "frame {f}");
    }
    // same as imputing each period alone
    let p2 = d.slice_frames(40..80).unwrap();
    let out2 = m.impute(&p2).unwrap();
    for f in 40..80 {
        assert_eq!(out.positions()[[f, 0, 0]], out2.positions()[[f - 40, 0, 0]]);
    }
}

#[test]
fn invalid_params_are_rejected() {
    for (q, r) in
        [(0.0, 0.01), (-1.0, 0.01), (f64::NAN, 0.01), (f64::INFINITY, 0.01), (1.0, 0.0), (1.0, f64::NAN)]
    {
        let p = KalmanParams { q, r, ..KalmanParams::default() };
        assert!(matches!(KalmanSmoother::new(p), Err(ImputeError::InvalidParameter { .. })), "q {q} r {r}");
    }
    let p = KalmanParams {
        policy: GapPolicy { max_gap: 0.0, ..GapPolicy::default() },
        ..KalmanParams::default()
    };
    assert!(KalmanSmoother::new(p).is_err());
    let cap = PlausibilityCap { max_speed_player: -1.0, ..PlausibilityCap::default() };
    assert!(KalmanSmoother::new(KalmanParams { cap: Some(cap), ..KalmanParams::default() }).is_err());
}

#[test]
fn params_round_trip_through_json() {
    let p = KalmanParams { cap: Some(PlausibilityCap::default()), ..KalmanParams::default() };
    let s = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<KalmanParams>(&s).unwrap(), p);
}

/// Random uneven times, mask, values, and an optional split into two periods.
fn data_strategy() -> impl Strategy<Value = TrackingData> {
    (1usize..60, 1usize..4).prop_flat_map(|(nf, na)| {
        (
            prop::collection::vec(0.01f64..0.3, nf),
            prop::collection::vec(prop::bool::weighted(0.6), nf * na),
            prop::collection::vec(-60.0f64..60.0, nf * na * 2),
            0..nf,
        )
            .prop_map(move |(steps, m, v, split)| {
                split_periods(random_data(cumulative(0.0, &steps), m, v, agents(na)), split)
            })
    })
}

fn params_strategy() -> impl Strategy<Value = KalmanParams> {
    (
        prop_oneof![Just(MotionModel::ConstantVelocity), Just(MotionModel::ConstantAcceleration)],
        0.01f64..100.0,
        1e-6f64..1.0,
        prop_oneof![Just(f64::INFINITY), 0.05f64..2.0],
        prop_oneof![Just(LongGaps::Leave), Just(LongGaps::Fallback)],
        prop_oneof![Just(Edges::Hold), Just(Edges::Extrapolate), Just(Edges::Leave)],
        prop_oneof![Just(None), Just(Some(PlausibilityCap::default()))],
    )
        .prop_map(|(model, q, r, max_gap, long_gaps, edges, cap)| KalmanParams {
            model,
            q,
            r,
            policy: GapPolicy { max_gap, long_gaps, edges, ..GapPolicy::default() },
            cap,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn observed_unchanged_report_consistent_and_idempotent(d in data_strategy(), p in params_strategy()) {
        let m = KalmanSmoother::new(p).unwrap();
        let (out, rep) = m.impute_with_report(&d).unwrap();
        prop_assert!(verify_observed_unchanged(&d, &out).is_ok());
        prop_assert_eq!(rep.agents.len(), d.n_agents());
        for (a, ar) in rep.agents.iter().enumerate() {
            prop_assert_eq!(ar.observed + ar.filled() + ar.left(), d.n_frames());
            prop_assert!(ar.capped <= ar.filled());
            let finite = (0..d.n_frames())
                .filter(|&f| !d.observed()[[f, a]] && out.positions()[[f, a, 0]].is_finite())
                .count();
            prop_assert_eq!(finite, ar.filled());
        }
        let twice = m.impute(&out).unwrap();
        prop_assert!(twice == out);
    }
}

/// Permuting the agents permutes the output, bit for bit (each agent is
/// smoothed on its own track).
#[test]
fn permuting_agents_permutes_the_output() {
    let truth = SyntheticMatch { seconds: 20.0, ..Default::default() }.generate().unwrap();
    let masked = mask_gaps(&truth, 25, 3, 11, 0.0);
    let na = masked.n_agents();
    let perm: Vec<usize> = (0..na).rev().collect();
    let mut p = Array3::<f64>::zeros((masked.n_frames(), na, 2));
    let mut o = Array2::from_elem((masked.n_frames(), na), false);
    for (new, &old) in perm.iter().enumerate() {
        for f in 0..masked.n_frames() {
            p[[f, new, 0]] = masked.positions()[[f, old, 0]];
            p[[f, new, 1]] = masked.positions()[[f, old, 1]];
            o[[f, new]] = masked.observed()[[f, old]];
        }
    }
    let agents: Vec<Agent> = perm.iter().map(|&a| masked.agents()[a].clone()).collect();
    let permuted = TrackingData::new(p, o, masked.timestamps().to_vec(), agents).unwrap();
    for model in [MotionModel::ConstantVelocity, MotionModel::ConstantAcceleration] {
        let k = ks(model, 5.0, 0.01, GapPolicy::default());
        let a = k.impute(&masked).unwrap();
        let b = k.impute(&permuted).unwrap();
        for (new, &old) in perm.iter().enumerate() {
            for f in 0..a.n_frames() {
                for c in 0..2 {
                    let (x, y) = (a.positions()[[f, old, c]], b.positions()[[f, new, c]]);
                    assert!(
                        x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
                        "{model:?} f{f} a{old}"
                    );
                }
            }
        }
    }
}
