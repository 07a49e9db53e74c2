//! KnnRegression: the observed contract, idempotence, determinism, exactness
//! with k = 1, bad input, and PE against Linear on synthetic and TRACAB data.

mod common;
use common::{cumulative, max_permuted_diff, permute_agents, random_data, synthetic, tracab};

use ndarray::{Array2, Array3};
use proptest::prelude::*;
use touchline_core::{Agent, Imputer, Team, TrackingData, verify_observed_unchanged};
use touchline_impute::masks::hide_gaps;
use touchline_impute::{
    Edges, GapPolicy, ImputeError, KnnFeatures, KnnParams, KnnRegression, KnnTarget, Linear, LongGaps,
    PlausibilityCap, Pool, Weighting,
};

/// Mean Euclidean error over the hidden entries filled by both; (PE a, PE b, count).
fn pe2(
    truth: &TrackingData,
    a: &TrackingData,
    b: &TrackingData,
    hidden: &[(usize, usize)],
) -> (f64, f64, usize) {
    let (p, pa, pb) = (truth.positions(), a.positions(), b.positions());
    let (mut ea, mut eb, mut n) = (0.0, 0.0, 0);
    for &(f, g) in hidden {
        let (ax, ay, bx, by) = (pa[[f, g, 0]], pa[[f, g, 1]], pb[[f, g, 0]], pb[[f, g, 1]]);
        if ax.is_finite() && ay.is_finite() && bx.is_finite() && by.is_finite() {
            let (tx, ty) = (p[[f, g, 0]], p[[f, g, 1]]);
            ea += (ax - tx).hypot(ay - ty);
            eb += (bx - tx).hypot(by - ty);
            n += 1;
        }
    }
    (ea / n as f64, eb / n as f64, n)
}

#[test]
fn synthetic_beats_nothing_filled_and_is_finite() {
    let truth = synthetic(60.0);
    let (data, hidden) = hide_gaps(&truth, 11, 50, 0.1);
    assert!(hidden.len() > 1000);
    let knn = KnnRegression::new(KnnParams::default()).unwrap();
    let (filled, rep) = knn.impute_with_report(&data).unwrap();
    verify_observed_unchanged(&data, &filled).unwrap();
    // every hidden entry is an interior gap: all filled by the method, finite
    assert_eq!(rep.totals().filled_method, hidden.len());
    for &(f, a) in &hidden {
        assert!(filled.positions()[[f, a, 0]].is_finite() && filled.positions()[[f, a, 1]].is_finite());
    }
    // better than the agent's mean observed position (the best "nothing learned" constant)
    let mut naive = data.clone();
    for a in 0..data.n_agents() {
        let s = data.agent_series(a);
        let o = data.agent_observed(a);
        let n = o.iter().filter(|&&b| b).count() as f64;
        let mx = (0..data.n_frames()).filter(|&f| o[f]).map(|f| s[[f, 0]]).sum::<f64>() / n;
        let my = (0..data.n_frames()).filter(|&f| o[f]).map(|f| s[[f, 1]]).sum::<f64>() / n;
        let col = Array2::from_shape_fn((data.n_frames(), 2), |(_, k)| if k == 0 { mx } else { my });
        naive.fill_unobserved(a, col.view()).unwrap();
    }
    let (e_knn, e_naive, n) = pe2(&truth, &filled, &naive, &hidden);
    assert_eq!(n, hidden.len());
    assert!(e_knn < e_naive / 3.0, "knn {e_knn} vs agent mean {e_naive}");
    let lin = Linear::default().impute(&data).unwrap();
    let (e_knn, e_lin, _) = pe2(&truth, &filled, &lin, &hidden);
    assert!(e_knn < e_lin, "knn {e_knn} not better than linear {e_lin} on synthetic");
}

#[test]
fn twice_equals_once_and_deterministic() {
    let truth = synthetic(30.0);
    let (data, _) = hide_gaps(&truth, 3, 30, 0.1);
    for pool in [Pool::Agent, Pool::TeamRole] {
        for weighting in [Weighting::Uniform, Weighting::InverseDistance] {
            let knn = KnnRegression::new(KnnParams { pool, weighting, ..Default::default() }).unwrap();
            let once = knn.impute(&data).unwrap();
            let twice = knn.impute(&once).unwrap();
            assert_eq!(once, twice);
            assert_eq!(knn.impute(&data).unwrap(), once);
            let again = KnnRegression::new(*knn.params()).unwrap().impute_with_report(&data).unwrap();
            assert_eq!(again.0, once);
        }
    }
}

/// Two agents of one team and role with the same trajectory; the second is
/// fully observed, the first misses `l` frames after frame `f0`, with
/// `f0 = -1 mod l` so the training rows of the second at the same frames have
/// exactly the gap's offsets and edges: k = 1 reproduces the truth.
#[test]
fn k1_reproduces_an_exact_situation_in_training() {
    let (nf, l, f0) = (120usize, 7usize, 6 * 7 - 1);
    let t: Vec<f64> = (0..nf).map(|i| i as f64 * 0.04).collect();
    let path = |ti: f64| (10.0 * (0.9 * ti).sin() + ti, 5.0 * (1.3 * ti).cos());
    let mut pos = Array3::from_elem((nf, 2, 2), f64::NAN);
    let mut seen = Array2::from_elem((nf, 2), true);
    for (f, &ti) in t.iter().enumerate() {
        for a in 0..2 {
            let (x, y) = path(ti);
            pos[[f, a, 0]] = x;
            pos[[f, a, 1]] = y;
        }
    }
    for f in f0 + 1..=f0 + l {
        seen[[f, 0]] = false;
        pos[[f, 0, 0]] = f64::NAN;
        pos[[f, 0, 1]] = f64::NAN;
    }
    let agents =
        vec![Agent::new("a", Team::Home).with_role("CB"), Agent::new("b", Team::Home).with_role("CB")];
    let data = TrackingData::new(pos, seen, t.clone(), agents).unwrap();
    // only features that do not involve the team-mate (who is the twin)
    let features = KnnFeatures { centroid: 0.0, mates: 0.0, ball: 0.0, time: 1.0, ..Default::default() };
    for target in [KnnTarget::Residual, KnnTarget::Absolute] {
        for weighting in [Weighting::Uniform, Weighting::InverseDistance] {
            let p =
                KnnParams { k: 1, pool: Pool::TeamRole, features, target, weighting, ..Default::default() };
            let (filled, rep) = KnnRegression::new(p).unwrap().impute_with_report(&data).unwrap();
            assert_eq!(rep.agents[0].filled_method, l);
            for (f, &tf) in t.iter().enumerate().take(f0 + l + 1).skip(f0 + 1) {
                let (x, y) = path(tf);
                assert!((filled.positions()[[f, 0, 0]] - x).abs() < 1e-9, "{target:?} frame {f}");
                assert!((filled.positions()[[f, 0, 1]] - y).abs() < 1e-9, "{target:?} frame {f}");
            }
        }
    }
}

#[test]
fn zero_one_two_observation_agents() {
    let nf = 30;
    let t: Vec<f64> = (0..nf).map(|i| i as f64 * 0.1).collect();
    let mut pos = Array3::from_elem((nf, 4, 2), f64::NAN);
    let mut seen = Array2::from_elem((nf, 4), false);
    let mut put = |f: usize, a: usize, x: f64| {
        seen[[f, a]] = true;
        pos[[f, a, 0]] = x;
        pos[[f, a, 1]] = -x;
    };
    // agent 0: never; agent 1: once; agent 2: twice; agent 3: the ball, always
    put(10, 1, 3.0);
    put(5, 2, 1.0);
    put(20, 2, 4.0);
    for f in 0..nf {
        put(f, 3, f as f64);
    }
    let agents = vec![
        Agent::new("p0", Team::Home),
        Agent::new("p1", Team::Home),
        Agent::new("p2", Team::Home),
        Agent::ball(),
    ];
    let data = TrackingData::new(pos, seen, t, agents).unwrap();
    for edges in [Edges::Hold, Edges::Leave] {
        let policy = GapPolicy { edges, ..GapPolicy::default() };
        let knn = KnnRegression::new(KnnParams { policy, ..Default::default() }).unwrap();
        let (filled, rep) = knn.impute_with_report(&data).unwrap();
        verify_observed_unchanged(&data, &filled).unwrap();
        let lin =
            Linear::new(touchline_impute::InterpParams { policy, cap: None }).unwrap().impute(&data).unwrap();
        // the fallback is linear, exactly
        assert_eq!(filled, lin);
        assert_eq!(rep.agents[0].left_too_few_knots, nf);
        assert_eq!(rep.agents[2].filled_method, 0);
        assert_eq!(rep.agents[2].filled_fallback, 14);
        assert_eq!(rep.agents[2].fallback_no_training, 14);
        for r in &rep.agents {
            assert_eq!(r.observed + r.filled() + r.left(), nf);
        }
        assert_eq!(rep.method, "knn_regression");
    }
    // all missing
    let none = TrackingData::new(
        Array3::from_elem((5, 2, 2), f64::NAN),
        Array2::from_elem((5, 2), false),
        (0..5).map(|i| i as f64).collect(),
        vec![Agent::new("p", Team::Away), Agent::ball()],
    )
    .unwrap();
    let (filled, rep) = KnnRegression::default().impute_with_report(&none).unwrap();
    assert_eq!(filled, none);
    assert_eq!(rep.totals().left_too_few_knots, 10);
}

#[test]
fn invalid_params_rejected() {
    let bad = |p: KnnParams| matches!(KnnRegression::new(p), Err(ImputeError::InvalidParameter { .. }));
    let d = KnnParams::default();
    assert!(bad(KnnParams { k: 0, ..d }));
    assert!(bad(KnnParams { k: touchline_impute::knn::MAX_K + 1, ..d }));
    assert!(bad(KnnParams { train_lengths: 0, ..d }));
    for w in [f64::NAN, -1.0, f64::INFINITY] {
        assert!(bad(KnnParams { features: KnnFeatures { edges: w, ..d.features }, ..d }));
        assert!(bad(KnnParams { features: KnnFeatures { mates: w, ..d.features }, ..d }));
    }
    assert!(bad(KnnParams { features: KnnFeatures { n_mates: 4, ..d.features }, ..d }));
    let zero = KnnFeatures {
        time: 0.0,
        edges: 0.0,
        gap: 0.0,
        centroid: 0.0,
        ball: 0.0,
        mates: 0.0,
        motion: 0.0,
        n_mates: 2,
    };
    assert!(bad(KnnParams { features: zero, ..d }));
    assert!(bad(KnnParams { policy: GapPolicy { max_gap: f64::NAN, ..d.policy }, ..d }));
    let json = serde_json::to_string(&d).unwrap();
    assert_eq!(serde_json::from_str::<KnnParams>(&json).unwrap(), d);
}

#[test]
fn policy_max_gap_is_respected() {
    let truth = synthetic(20.0);
    let (data, hidden) = hide_gaps(&truth, 5, 40, 0.1);
    let policy = GapPolicy { max_gap: 1.0, long_gaps: LongGaps::Leave, ..GapPolicy::default() };
    let (filled, rep) = KnnRegression::new(KnnParams { policy, ..Default::default() })
        .unwrap()
        .impute_with_report(&data)
        .unwrap();
    // 40 missing frames = 1.64 s between edges > 1 s: left
    for &(f, a) in &hidden {
        assert!(filled.positions()[[f, a, 0]].is_nan());
    }
    assert_eq!(rep.totals().left_gap_too_long, hidden.len());
}

fn data_strategy() -> impl Strategy<Value = TrackingData> {
    (2usize..40, 1usize..5).prop_flat_map(|(nf, na)| {
        (
            prop::collection::vec(0.02f64..0.3, nf),
            prop::collection::vec(prop::bool::weighted(0.6), nf * na),
            prop::collection::vec(-50.0f64..50.0, nf * na * 2),
            prop::collection::vec(0usize..3, na),
        )
            .prop_map(move |(steps, m, v, roles)| {
                let agents = (0..na)
                    .map(|i| {
                        if i == 0 {
                            Agent::ball()
                        } else {
                            Agent::new(format!("p{i}"), Team::Home).with_role(format!("r{}", roles[i]))
                        }
                    })
                    .collect();
                random_data(cumulative(0.0, &steps), m, v, agents)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn observed_unchanged_and_idempotent(
        d in data_strategy(),
        k in 1usize..6,
        inv in any::<bool>(),
        residual in any::<bool>(),
        team in any::<bool>(),
        max_gap in prop_oneof![Just(f64::INFINITY), 0.1f64..2.0],
    ) {
        let p = KnnParams {
            k,
            weighting: if inv { Weighting::InverseDistance } else { Weighting::Uniform },
            target: if residual { KnnTarget::Residual } else { KnnTarget::Absolute },
            pool: if team { Pool::TeamRole } else { Pool::Agent },
            policy: GapPolicy { max_gap, ..GapPolicy::default() },
            train_lengths: 2,
            ..Default::default()
        };
        let knn = KnnRegression::new(p).unwrap();
        let (once, rep) = knn.impute_with_report(&d).unwrap();
        verify_observed_unchanged(&d, &once).unwrap();
        for r in &rep.agents {
            prop_assert_eq!(r.observed + r.filled() + r.left(), d.n_frames());
        }
        prop_assert_eq!(knn.impute(&once).unwrap(), once);
    }
}

/// PE (mean Euclidean error, metres, over hidden entries) of Linear and the
/// KNN variants with random 2 s gaps covering ~10 % of each player's frames.
fn pe_table(name: &str, truth: &TrackingData, seed: u64) -> Vec<(String, f64)> {
    let gap = (2.0 * truth.frame_rate()).round() as usize;
    let (data, hidden) = hide_gaps(truth, seed, gap, 0.1);
    let lin = Linear::default().impute(&data).unwrap();
    let mut out = Vec::new();
    let d = KnnParams::default();
    let ctx = KnnFeatures { centroid: 1.0, ball: 1.0, mates: 1.0, ..d.features };
    let variants: Vec<(&str, KnnParams)> = vec![
        ("knn default (residual, motion+gap, inv-dist, k=20, agent)", d),
        ("knn absolute target", KnnParams { target: KnnTarget::Absolute, ..d }),
        ("knn team-role pool", KnnParams { pool: Pool::TeamRole, ..d }),
        ("knn + centroid, ball, 2 mates", KnnParams { features: ctx, ..d }),
    ];
    for (label, p) in variants {
        let t0 = std::time::Instant::now();
        let knn = KnnRegression::new(p).unwrap().impute(&data).unwrap();
        let secs = t0.elapsed().as_secs_f64();
        let (e_lin, e_knn, n) = pe2(truth, &lin, &knn, &hidden);
        println!(
            "{name} seed={seed} gap={gap}fr n={n}: linear PE {e_lin:.3} m, {label} PE {e_knn:.3} m ({secs:.2} s)"
        );
        if out.is_empty() {
            out.push(("linear".to_string(), e_lin));
        }
        out.push((label.to_string(), e_knn));
    }
    out
}

#[test]
fn pe_vs_linear_synthetic() {
    let truth = synthetic(300.0);
    let t = pe_table("synthetic 300 s", &truth, 42);
    let (lin, knn) = (t[0].1, t[1].1);
    assert!(knn < lin, "synthetic: knn {knn} vs linear {lin}");
}

#[test]
fn pe_vs_linear_tracab() {
    let truth = tracab();
    let t = pe_table("tracab", &truth, 42);
    let (lin, knn) = (t[0].1, t[1].1);
    assert!(knn < lin, "tracab: knn {knn} vs linear {lin}");
}

/// Permuting the agents permutes the output. With `Pool::Agent` each agent
/// trains on its own rows: equal up to rounding (team centroids are sums
/// taken in agent order). With `Pool::TeamRole` the pooled rows are stacked
/// in agent order, and rows at exactly equal feature distance (gap lengths
/// and offsets are whole frames, so ties happen) are picked in that order:
/// the output may move by millimetres, not more.
#[test]
fn permuting_agents_permutes_the_output() {
    let truth = synthetic(20.0);
    let (data, _) = hide_gaps(&truth, 4, 20, 0.1);
    let perm: Vec<usize> = (0..data.n_agents()).rev().collect();
    let permuted = permute_agents(&data, &perm);
    for (pool, tol) in [(Pool::Agent, 1e-6), (Pool::TeamRole, 0.05)] {
        let knn = KnnRegression::new(KnnParams { pool, ..KnnParams::default() }).unwrap();
        let (a, b) = (knn.impute(&data).unwrap(), knn.impute(&permuted).unwrap());
        let worst = max_permuted_diff(&a, &b, &perm);
        assert!(worst < tol, "{pool:?}: permuted output differs by {worst} m");
    }
}

/// A cap in the params acts on the output and is reported.
#[test]
fn cap_in_params_is_applied_and_reported() {
    let truth = synthetic(20.0);
    let (data, _) = hide_gaps(&truth, 6, 25, 0.1);
    let tight = PlausibilityCap { max_speed_player: 1.0, ..PlausibilityCap::default() };
    let knn = KnnRegression::new(KnnParams { cap: Some(tight), ..KnnParams::default() }).unwrap();
    let (out, rep) = knn.impute_with_report(&data).unwrap();
    verify_observed_unchanged(&data, &out).unwrap();
    assert_eq!(rep.cap, Some(tight));
    assert!(rep.totals().capped > 0);
    let (_, plain) = KnnRegression::new(KnnParams::default()).unwrap().impute_with_report(&data).unwrap();
    assert_eq!((plain.cap, plain.totals().capped), (None, 0));
    let bad = PlausibilityCap { max_speed_ball: f64::INFINITY, ..PlausibilityCap::default() };
    assert!(KnnRegression::new(KnnParams { cap: Some(bad), ..KnnParams::default() }).is_err());
}

/// `max_train_rows`: a cap at or above the row count changes nothing, a small
/// one keeps the same subset on every run (deterministic output), still fills
/// every gap finitely and stays better than linear on the synthetic match;
/// `Some(0)` is rejected.
#[test]
fn max_train_rows_caps_deterministically() {
    let truth = synthetic(120.0);
    let (data, hidden) = hide_gaps(&truth, 5, 50, 0.1);
    let run = |cap: Option<usize>| {
        KnnRegression::new(KnnParams { max_train_rows: cap, ..KnnParams::default() })
            .unwrap()
            .impute_with_report(&data)
            .unwrap()
    };
    let (all, rep_all) = run(None);
    // 120 s at 25 Hz: at most 3000 frames x 4 lengths rows per agent
    let (big, _) = run(Some(12_001));
    assert!(all.positions().iter().zip(big.positions()).all(|(a, b)| a.to_bits() == b.to_bits()));
    let (small, rep_small) = run(Some(500));
    let (again, _) = run(Some(500));
    assert!(small.positions().iter().zip(again.positions()).all(|(a, b)| a.to_bits() == b.to_bits()));
    assert!(
        small.positions().iter().zip(all.positions()).any(|(a, b)| a.to_bits() != b.to_bits()),
        "a 500-row cap changed nothing"
    );
    assert_eq!(rep_small.totals().filled_method, rep_all.totals().filled_method);
    verify_observed_unchanged(&data, &small).unwrap();
    for &(f, a) in &hidden {
        assert!(small.positions()[[f, a, 0]].is_finite() && small.positions()[[f, a, 1]].is_finite());
    }
    let lin = Linear::default().impute(&data).unwrap();
    let (e_small, e_lin, _) = pe2(&truth, &small, &lin, &hidden);
    assert!(e_small < e_lin, "capped knn {e_small} vs linear {e_lin}");
    assert!(KnnRegression::new(KnnParams { max_train_rows: Some(0), ..KnnParams::default() }).is_err());
}
