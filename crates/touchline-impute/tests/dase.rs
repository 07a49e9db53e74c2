//! Dase: the observed contract, idempotence with fixed weights, fit
//! determinism, JSON round trip, exactness on uniform motion, degenerate
//! agents, bad params, and (ignored) the PE table against the other methods.

#![allow(clippy::needless_range_loop)]

mod common;
use common::{cumulative, max_permuted_diff, permute_agents, random_data, synthetic, tracab};

use ndarray::{Array2, Array3};
use proptest::prelude::*;
use touchline_core::{Agent, Imputer, Team, TrackingData, verify_observed_unchanged};
use touchline_impute::interp::Kind;
use touchline_impute::masks::hide_gaps;
use touchline_impute::{
    Accumulation, CubicSpline, Dase, DaseParams, DaseWeights, Edges, FitParams, GapPolicy, ImputeError,
    KalmanParams, KalmanPva, KalmanSmoother, KnnParams, KnnRegression, Linear, MotionModel, Pchip,
    PlausibilityCap, Predictor, PvaPredictor, SplinePva,
};

fn quick() -> DaseParams {
    DaseParams { fit: FitParams { steps: 60, ..FitParams::default() }, ..DaseParams::default() }
}

#[test]
fn fills_hidden_entries_and_reports() {
    let truth = synthetic(30.0);
    let (data, hidden) = hide_gaps(&truth, 1, 25, 0.1);
    let dase = Dase::new(quick()).unwrap();
    let (out, rep) = dase.impute_with_report(&data).unwrap();
    verify_observed_unchanged(&data, &out).unwrap();
    for &(f, a) in &hidden {
        assert!(out.positions()[[f, a, 0]].is_finite());
    }
    assert_eq!(rep.report.method, "dase");
    assert_eq!(rep.report.interpolant, "spline:not_a_knot_spline");
    assert!(rep.weights.samples > 0 && rep.weights.gaps > 0);
    assert!(rep.weights.mse_fitted <= rep.weights.mse_equal);
    assert!((rep.mean_blend.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    for r in &rep.report.agents {
        assert_eq!(r.observed + r.filled() + r.left(), data.n_frames());
    }
}

#[test]
fn twice_equals_once_with_fixed_weights_and_fit_is_deterministic() {
    let truth = synthetic(20.0);
    let (data, _) = hide_gaps(&truth, 2, 20, 0.1);
    for predictor in
        [Predictor::default(), Predictor::Context { knn: KnnParams::default(), derivatives: None }]
    {
        let p = DaseParams { predictor, ..quick() };
        let w1 = Dase::fit(&data, &p).unwrap();
        let w2 = Dase::fit(&data, &p).unwrap();
        assert_eq!(w1, w2);
        let other = Dase::fit(&data, &DaseParams { fit: FitParams { seed: 99, ..p.fit }, ..p }).unwrap();
        assert_ne!(w1.coef, other.coef);
        let dase = Dase::with_weights(w1, p).unwrap();
        let once = dase.impute(&data).unwrap();
        assert_eq!(dase.impute(&once).unwrap(), once);
    }
}

/// With the same weights, permuting the agents permutes the output. (The
/// fit itself draws its simulated gaps agent by agent, so weights fitted on
/// a permuted dataset may differ slightly: that is why the weights are fixed.)
#[test]
fn permuting_agents_permutes_the_output_with_fixed_weights() {
    let truth = synthetic(20.0);
    let (data, _) = hide_gaps(&truth, 5, 20, 0.1);
    let perm: Vec<usize> = (0..data.n_agents()).rev().collect();
    let permuted = permute_agents(&data, &perm);
    for predictor in [
        Predictor::default(),
        Predictor::Kalman { params: KalmanParams::default() },
        Predictor::Context { knn: KnnParams::default(), derivatives: Some(Kind::NotAKnotSpline) },
    ] {
        let p = DaseParams { predictor, ..quick() };
        let dase = Dase::with_weights(Dase::fit(&data, &p).unwrap(), p).unwrap();
        let (a, b) = (dase.impute(&data).unwrap(), dase.impute(&permuted).unwrap());
        let worst = max_permuted_diff(&a, &b, &perm);
        assert!(worst < 1e-9, "{predictor:?}: permuted output differs by {worst} m");
    }
}

/// The Kalman predictor: its positions are the smoother's, its velocity is
/// the speed of uniform motion, and DASE on it fills every hidden entry.
#[test]
fn kalman_predictor() {
    let n = 60;
    let t = cumulative(0.0, &vec![0.04; n]);
    let mut pos = Array3::<f64>::from_elem((n, 1, 2), f64::NAN);
    let mut seen = Array2::from_elem((n, 1), false);
    for i in (0..20).chain(40..n) {
        pos[[i, 0, 0]] = 3.0 * t[i] - 10.0;
        pos[[i, 0, 1]] = -2.0 * t[i];
        seen[[i, 0]] = true;
    }
    let d = TrackingData::new(pos, seen, t.clone(), vec![Agent::new("p", Team::Home)]).unwrap();
    for model in [MotionModel::ConstantVelocity, MotionModel::ConstantAcceleration] {
        let kp = KalmanParams { model, ..KalmanParams::default() };
        let pva = KalmanPva { params: kp }.predict(&d).unwrap();
        assert_eq!(KalmanPva { params: kp }.name(), format!("kalman:{}", model.name()));
        let smoothed = KalmanSmoother::new(kp).unwrap().impute(&d).unwrap();
        for f in 0..n {
            let p = pva.pos[f];
            if !(20..40).contains(&f) {
                assert_eq!(p, [d.positions()[[f, 0, 0]], d.positions()[[f, 0, 1]]], "observed frame {f}");
            } else {
                assert_eq!(
                    p,
                    [smoothed.positions()[[f, 0, 0]], smoothed.positions()[[f, 0, 1]]],
                    "frame {f}"
                );
            }
            assert!(
                (pva.vel[f][0] - 3.0).abs() < 1e-3 && (pva.vel[f][1] + 2.0).abs() < 1e-3,
                "{model:?} f{f}"
            );
            assert!(pva.acc[f][0].abs() < 1e-3 && pva.acc[f][1].abs() < 1e-3, "{model:?} f{f}");
        }
    }
    // on a match: every hidden entry filled, observed ones untouched
    let truth = synthetic(20.0);
    let (data, hidden) = hide_gaps(&truth, 8, 20, 0.1);
    let p = DaseParams { predictor: Predictor::Kalman { params: KalmanParams::default() }, ..quick() };
    let (out, rep) = Dase::new(p).unwrap().impute_with_report(&data).unwrap();
    verify_observed_unchanged(&data, &out).unwrap();
    assert_eq!(rep.report.interpolant, "kalman:constant_velocity");
    for &(f, a) in &hidden {
        assert!(out.positions()[[f, a, 0]].is_finite(), "hidden ({f}, {a}) not filled");
    }
}

/// A cap in the params acts on the output, is counted, and is reported; a
/// tight cap changes something, the default one changes nothing on a
/// plausible synthetic match.
#[test]
fn cap_in_params_is_applied_and_reported() {
    let truth = synthetic(20.0);
    let (data, _) = hide_gaps(&truth, 3, 25, 0.1);
    let w = Dase::fit(&data, &quick()).unwrap();
    let tight = PlausibilityCap { max_speed_player: 1.0, ..PlausibilityCap::default() };
    let capped = Dase::with_weights(w.clone(), DaseParams { cap: Some(tight), ..quick() }).unwrap();
    let (out, rep) = capped.impute_with_report(&data).unwrap();
    verify_observed_unchanged(&data, &out).unwrap();
    assert_eq!(rep.report.cap, Some(tight));
    assert!(rep.report.totals().capped > 0);
    let plain = Dase::with_weights(w, quick()).unwrap().impute_with_report(&data).unwrap().1;
    assert_eq!(plain.report.cap, None);
    assert_eq!(plain.report.totals().capped, 0);
    let bad = PlausibilityCap { max_speed_player: -1.0, ..PlausibilityCap::default() };
    assert!(DaseParams { cap: Some(bad), ..quick() }.validate().is_err());
    let bad_kalman = KalmanParams { q: f64::NAN, ..KalmanParams::default() };
    assert!(
        DaseParams { predictor: Predictor::Kalman { params: bad_kalman }, ..quick() }.validate().is_err()
    );
}

#[test]
fn weights_json_round_trip() {
    let truth = synthetic(20.0);
    let (data, _) = hide_gaps(&truth, 3, 20, 0.1);
    let w = Dase::fit(&data, &quick()).unwrap();
    let json = serde_json::to_string_pretty(&w).unwrap();
    let back: DaseWeights = serde_json::from_str(&json).unwrap();
    assert_eq!(back.coef, w.coef);
    assert_eq!(back.len_ref, w.len_ref);
    assert_eq!(back.predictor, w.predictor);
    let a = Dase::with_weights(w, quick()).unwrap().impute(&data).unwrap();
    let b = Dase::with_weights(back, quick()).unwrap().impute(&data).unwrap();
    assert_eq!(a, b);
}

/// Uniform motion on non-uniform timestamps: every predictor and both DAPs
/// are exact, so any blend is.
#[test]
fn uniform_motion_is_exact() {
    let n = 60;
    let mut t = Vec::with_capacity(n);
    let mut acc = 0.0;
    for i in 0..n {
        acc += 0.03 + 0.02 * ((i * 7 % 5) as f64) / 4.0;
        t.push(acc);
    }
    let line = |a: usize, ti: f64| [1.0 + a as f64 + 3.5 * ti, -2.0 + 0.5 * a as f64 - 1.25 * ti];
    let na = 3;
    let mut pos = Array3::from_elem((n, na, 2), f64::NAN);
    let mut seen = Array2::from_elem((n, na), true);
    for a in 0..na {
        for f in 0..n {
            let p = line(a, t[f]);
            pos[[f, a, 0]] = p[0];
            pos[[f, a, 1]] = p[1];
        }
        // interior gaps, a trailing edge for all, a leading edge for agent 1
        for f in (10 + a..18 + a).chain(30..41).chain(n - 4..n).chain(0..if a == 1 { 3 } else { 0 }) {
            seen[[f, a]] = false;
            pos[[f, a, 0]] = f64::NAN;
            pos[[f, a, 1]] = f64::NAN;
        }
    }
    let agents = (0..na).map(|a| Agent::new(format!("p{a}"), Team::Home)).collect();
    let data = TrackingData::new(pos, seen, t.clone(), agents).unwrap();
    let policy = GapPolicy { edges: Edges::Extrapolate, ..GapPolicy::default() };
    let weird = DaseWeights {
        coef: [[0.3, -1.0, 2.0, 0.5], [1.0, 0.2, 0.0, -0.7], [-0.4, 1.5, 0.1, 0.0]],
        ..DaseWeights::equal(Accumulation::Physics, "test".into())
    };
    for predictor in [
        Predictor::Spline { kind: Kind::Pchip },
        Predictor::Spline { kind: Kind::NotAKnotSpline },
        Predictor::Spline { kind: Kind::Linear },
        Predictor::Context { knn: KnnParams::default(), derivatives: None },
        Predictor::Context { knn: KnnParams::default(), derivatives: Some(Kind::Pchip) },
    ] {
        for accumulation in [Accumulation::Physics, Accumulation::Midas] {
            let p = DaseParams { policy, predictor, accumulation, ..quick() };
            for dase in [Dase::new(p).unwrap(), Dase::with_weights(weird.clone(), p).unwrap()] {
                let (out, rep) = dase.impute_with_report(&data).unwrap();
                assert_eq!(rep.report.agents[1].filled_edge, 7);
                let json = serde_json::to_string(&rep).unwrap();
                assert!(json.contains("\"mean_blend\""));
                for a in 0..na {
                    for f in 0..n {
                        let want = line(a, t[f]);
                        for c in 0..2 {
                            let got = out.positions()[[f, a, c]];
                            assert!(
                                (got - want[c]).abs() < 1e-9,
                                "{predictor:?} {accumulation:?} frame {f} agent {a}: {got} vs {}",
                                want[c]
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn spline_pva_derivatives_of_a_cubic() {
    // not-a-knot reproduces a cubic: velocity and acceleration exact too
    let n = 30;
    let t: Vec<f64> = (0..n).map(|i| i as f64 * 0.1 + 0.01 * ((i % 3) as f64)).collect();
    let g = |x: f64| 0.5 * x * x * x - x * x + 2.0 * x;
    let mut pos = Array3::from_elem((n, 1, 2), 0.0);
    let mut seen = Array2::from_elem((n, 1), true);
    for f in 0..n {
        pos[[f, 0, 0]] = g(t[f]);
    }
    for f in 10..20 {
        seen[[f, 0]] = false;
        pos[[f, 0, 0]] = f64::NAN;
        pos[[f, 0, 1]] = f64::NAN;
    }
    let data = TrackingData::new(pos, seen, t.clone(), vec![Agent::new("p", Team::Home)]).unwrap();
    let pva = SplinePva { kind: Kind::NotAKnotSpline }.predict(&data).unwrap();
    for f in 0..n {
        let x = t[f];
        assert!((pva.pos[f][0] - g(x)).abs() < 1e-9);
        assert!((pva.vel[f][0] - (1.5 * x * x - 2.0 * x + 2.0)).abs() < 1e-8);
        assert!((pva.acc[f][0] - (3.0 * x - 2.0)).abs() < 1e-7, "frame {f}: {}", pva.acc[f][0]);
        assert_eq!(pva.vel[f][1], 0.0);
    }
}

#[test]
fn degenerate_agents_fall_back() {
    // agent 0: never observed; 1: once; 2: twice (PCHIP needs 3: linear fallback); 3: full-ish
    let n = 20;
    let t: Vec<f64> = (0..n).map(|i| i as f64 * 0.04).collect();
    let mut pos = Array3::from_elem((n, 4, 2), f64::NAN);
    let mut seen = Array2::from_elem((n, 4), false);
    let mut set = |f: usize, a: usize, x: f64| {
        pos[[f, a, 0]] = x;
        pos[[f, a, 1]] = -x;
        seen[[f, a]] = true;
    };
    set(5, 1, 1.0);
    set(2, 2, 0.0);
    set(12, 2, 10.0);
    for f in (0..n).filter(|f| !(6..11).contains(f)) {
        set(f, 3, f as f64 * 0.2);
    }
    let agents = (0..4).map(|a| Agent::new(format!("p{a}"), Team::Away)).collect();
    let data = TrackingData::new(pos, seen, t, agents).unwrap();
    let p = DaseParams { policy: GapPolicy { edges: Edges::Leave, ..GapPolicy::default() }, ..quick() };
    let (out, rep) = Dase::new(p).unwrap().impute_with_report(&data).unwrap();
    verify_observed_unchanged(&data, &out).unwrap();
    let r = &rep.report.agents;
    assert_eq!(r[0].left_too_few_knots, n);
    assert_eq!(r[1].filled(), 0);
    assert_eq!(r[2].filled_fallback, 9);
    assert!((out.positions()[[7, 2, 0]] - 5.0).abs() < 1e-12);
    assert_eq!(r[3].filled_method, 5);
    // all-missing data: nothing filled, no panic
    let empty = TrackingData::new(
        Array3::from_elem((5, 2, 2), f64::NAN),
        Array2::from_elem((5, 2), false),
        (0..5).map(|i| i as f64).collect(),
        vec![Agent::new("a", Team::Home), Agent::ball()],
    )
    .unwrap();
    let (o, rep) = Dase::new(quick()).unwrap().impute_with_report(&empty).unwrap();
    assert_eq!(rep.weights.samples, 0);
    assert!(o.positions().iter().all(|v| v.is_nan()));
}

#[test]
fn invalid_params_rejected() {
    let d = DaseParams::default();
    let bad = [
        DaseParams { policy: GapPolicy { max_gap: 0.0, ..GapPolicy::default() }, ..d },
        DaseParams { fit: FitParams { steps: 0, ..d.fit }, ..d },
        DaseParams { fit: FitParams { learning_rate: f64::NAN, ..d.fit }, ..d },
        DaseParams { fit: FitParams { hide_fraction: 0.0, ..d.fit }, ..d },
        DaseParams { fit: FitParams { max_samples: 0, ..d.fit }, ..d },
        DaseParams { fit: FitParams { default_gap_seconds: -1.0, ..d.fit }, ..d },
        DaseParams {
            predictor: Predictor::Context {
                knn: KnnParams { k: 0, ..KnnParams::default() },
                derivatives: None,
            },
            ..d
        },
    ];
    for p in bad {
        assert!(matches!(Dase::new(p), Err(ImputeError::InvalidParameter { .. })), "{p:?}");
    }
    let mut w = DaseWeights::equal(Accumulation::Physics, "x".into());
    w.coef[1][2] = f64::INFINITY;
    assert!(Dase::with_weights(w.clone(), d).is_err());
    w.coef[1][2] = 0.0;
    w.len_ref = 0.0;
    assert!(Dase::with_weights(w, d).is_err());
}

fn data_strategy() -> impl Strategy<Value = TrackingData> {
    (2usize..40, 1usize..4).prop_flat_map(|(nf, na)| {
        (
            prop::collection::vec(0.02f64..0.3, nf),
            prop::collection::vec(prop::bool::weighted(0.6), nf * na),
            prop::collection::vec(-50.0f64..50.0, nf * na * 2),
        )
            .prop_map(move |(steps, m, v)| {
                let agents = (0..na)
                    .map(|i| if i == 0 { Agent::ball() } else { Agent::new(format!("p{i}"), Team::Home) })
                    .collect();
                random_data(cumulative(0.0, &steps), m, v, agents)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn observed_unchanged_and_counts_add_up(
        d in data_strategy(),
        context in any::<bool>(),
        midas in any::<bool>(),
        edges in prop_oneof![Just(Edges::Hold), Just(Edges::Extrapolate), Just(Edges::Leave)],
        max_gap in prop_oneof![Just(f64::INFINITY), 0.1f64..2.0],
    ) {
        let predictor = if context {
            Predictor::Context {
                knn: KnnParams { train_lengths: 2, ..KnnParams::default() },
                derivatives: if midas { Some(Kind::Pchip) } else { None },
            }
        } else {
            Predictor::default()
        };
        let p = DaseParams {
            policy: GapPolicy { max_gap, edges, ..GapPolicy::default() },
            predictor,
            accumulation: if midas { Accumulation::Midas } else { Accumulation::Physics },
            fit: FitParams { steps: 20, ..FitParams::default() },
            cap: None,
        };
        let w = Dase::fit(&d, &p).unwrap();
        let dase = Dase::with_weights(w, p).unwrap();
        let (once, rep) = dase.impute_with_report(&d).unwrap();
        verify_observed_unchanged(&d, &once).unwrap();
        for r in &rep.report.agents {
            prop_assert_eq!(r.observed + r.filled() + r.left(), d.n_frames());
        }
        prop_assert_eq!(dase.impute(&once).unwrap(), once);
    }
}

/// Mean Euclidean error over the hidden entries (all methods must fill them).
fn pe(truth: &TrackingData, out: &TrackingData, hidden: &[(usize, usize)], off: usize) -> (f64, usize) {
    let (p, q) = (truth.positions(), out.positions());
    let (mut e, mut n) = (0.0, 0);
    for &(f, a) in hidden {
        let (x, y) = (q[[f - off, a, 0]], q[[f - off, a, 1]]);
        assert!(x.is_finite() && y.is_finite(), "hidden entry ({f}, {a}) not filled");
        e += (x - p[[f, a, 0]]).hypot(y - p[[f, a, 1]]);
        n += 1;
    }
    (e / n as f64, n)
}

/// Random 2 s gaps (~10 % of each player's entries, seed 42); DASE fitted on
/// the first 70 % of the frames, every method scored on the rest.
fn pe_table(name: &str, truth: &TrackingData) {
    let gap = (2.0 * truth.frame_rate()).round() as usize;
    let (data, hidden) = hide_gaps(truth, 42, gap, 0.1);
    let cut = data.n_frames() * 7 / 10;
    let train = data.slice_frames(0..cut).unwrap();
    let test = data.slice_frames(cut..data.n_frames()).unwrap();
    let hidden: Vec<_> = hidden.into_iter().filter(|&(f, _)| f >= cut).collect();
    let row = |label: &str, out: &TrackingData, secs: f64| {
        let (e, n) = pe(truth, out, &hidden, cut);
        println!("{name}: {label:<48} PE {e:.3} m  (n={n}, {secs:.2} s)");
    };
    let time = |f: &dyn Fn() -> TrackingData| {
        let t0 = std::time::Instant::now();
        let o = f();
        (o, t0.elapsed().as_secs_f64())
    };
    let (o, s) = time(&|| Linear::default().impute(&test).unwrap());
    row("linear", &o, s);
    let (o, s) = time(&|| Pchip::default().impute(&test).unwrap());
    row("pchip", &o, s);
    let (o, s) = time(&|| CubicSpline::default().impute(&test).unwrap());
    row("cubic spline (not-a-knot)", &o, s);
    let (o, s) = time(&|| KalmanSmoother::new(KalmanParams::default()).unwrap().impute(&test).unwrap());
    row("kalman (default)", &o, s);
    let (o, s) = time(&|| KnnRegression::new(KnnParams::default()).unwrap().impute(&test).unwrap());
    row("knn (default)", &o, s);
    for (pname, predictor) in [
        ("spline:pchip", Predictor::Spline { kind: Kind::Pchip }),
        ("spline:not_a_knot", Predictor::Spline { kind: Kind::NotAKnotSpline }),
        ("kalman:cv", Predictor::Kalman { params: KalmanParams::default() }),
        (
            "kalman:ca",
            Predictor::Kalman {
                params: KalmanParams {
                    model: MotionModel::ConstantAcceleration,
                    q: 50.0,
                    ..KalmanParams::default()
                },
            },
        ),
        ("context:knn", Predictor::Context { knn: KnnParams::default(), derivatives: None }),
        (
            "context:knn+d:not_a_knot",
            Predictor::Context { knn: KnnParams::default(), derivatives: Some(Kind::NotAKnotSpline) },
        ),
    ] {
        for (cname, accumulation) in [("c=1/2", Accumulation::Physics), ("c=1", Accumulation::Midas)] {
            let p = DaseParams { predictor, accumulation, ..DaseParams::default() };
            let t0 = std::time::Instant::now();
            let w = Dase::fit(&train, &p).unwrap();
            let fit_s = t0.elapsed().as_secs_f64();
            let dase = Dase::with_weights(w.clone(), p).unwrap();
            let (o, s) = time(&|| dase.impute(&test).unwrap());
            let (_, rep) = dase.impute_with_report(&test).unwrap();
            row(&format!("dase {pname} {cname} (fit {fit_s:.1} s)"), &o, s);
            println!(
                "    train mse: pred {:.3} dapF {:.3} dapB {:.3} equal {:.3} fitted {:.3}; mean blend {:.2?}",
                w.mse_single[0], w.mse_single[1], w.mse_single[2], w.mse_equal, w.mse_fitted, rep.mean_blend
            );
        }
    }
}

#[test]
#[ignore = "measurement: cargo test -p touchline-impute --test dase -- --ignored --nocapture"]
fn pe_synthetic() {
    pe_table("synthetic 300 s", &synthetic(300.0));
}

#[test]
#[ignore = "measurement: cargo test -p touchline-impute --test dase -- --ignored --nocapture"]
fn pe_tracab() {
    pe_table("tracab", &tracab());
}
