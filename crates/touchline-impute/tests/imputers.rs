//! The imputers on TrackingData: the observed contract, exactness, the gap
//! policy and the report.

mod common;
use common::{agents, cumulative, make, random_data, split_periods};

use ndarray::Array2;
use proptest::prelude::*;
use touchline_core::{Agent, Imputer, Period, TrackingData, verify_observed_unchanged};
use touchline_impute::interp::Kind;
use touchline_impute::{
    Akima, CubicSpline, Edges, GapPolicy, ImputeError, ImputeReport, InterpImputer, InterpParams, Linear,
    LongGaps, Makima, Pchip, SplineBoundary, Steffen,
};

fn all_methods(params: InterpParams) -> Vec<InterpImputer> {
    Kind::ALL.iter().map(|&k| InterpImputer::new(k, params).unwrap()).collect()
}

fn policy_strategy() -> impl Strategy<Value = GapPolicy> {
    (
        prop_oneof![Just(f64::INFINITY), 0.05f64..2.0],
        prop_oneof![Just(LongGaps::Leave), Just(LongGaps::Fallback)],
        prop_oneof![Just(Edges::Hold), Just(Edges::Extrapolate), Just(Edges::Leave)],
        prop_oneof![Just(None), Just(Some(Kind::Linear)), Just(Some(Kind::Pchip))],
    )
        .prop_map(|(max_gap, long_gaps, edges, fallback)| GapPolicy {
            max_gap,
            long_gaps,
            edges,
            fallback,
        })
}

/// Random uneven times, mask, values, and an optional split into two periods.
fn data_strategy() -> impl Strategy<Value = TrackingData> {
    (1usize..50, 1usize..5).prop_flat_map(|(nf, na)| {
        (
            prop::collection::vec(0.02f64..0.3, nf),
            prop::collection::vec(prop::bool::weighted(0.6), nf * na),
            prop::collection::vec(-50.0f64..50.0, nf * na * 2),
            0..nf,
        )
            .prop_map(move |(steps, m, v, split)| {
                // a frame outside any period between the two periods, when `split` allows
                split_periods(random_data(cumulative(0.0, &steps), m, v, agents(na)), split)
            })
    })
}

fn check_report(d: &TrackingData, out: &TrackingData, r: &ImputeReport) -> Result<(), TestCaseError> {
    prop_assert_eq!(r.agents.len(), d.n_agents());
    for (a, ar) in r.agents.iter().enumerate() {
        prop_assert_eq!(ar.observed + ar.filled() + ar.left(), d.n_frames());
        let finite_unobs = (0..d.n_frames())
            .filter(|&f| !d.observed()[[f, a]] && out.positions()[[f, a, 0]].is_finite())
            .count();
        prop_assert_eq!(finite_unobs, ar.filled());
        for f in 0..d.n_frames() {
            let (x, y) = (out.positions()[[f, a, 0]], out.positions()[[f, a, 1]]);
            prop_assert!(x.is_finite() == y.is_finite());
            prop_assert!(!x.is_infinite() && !y.is_infinite());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn contract_holds_for_every_method(d in data_strategy(), policy in policy_strategy()) {
        for m in all_methods(InterpParams { policy, cap: None }) {
            let (out, report) = m.impute_with_report(&d).unwrap();
            verify_observed_unchanged(&d, &out).unwrap();
            check_report(&d, &out, &report)?;
            // idempotent
            let (again, report2) = m.impute_with_report(&out).unwrap();
            prop_assert_eq!(&again, &out);
            prop_assert_eq!(&report2, &report);
            // the Imputer trait gives the same data
            prop_assert_eq!(&m.impute(&d).unwrap(), &out);
        }
    }

    #[test]
    fn permuting_agents_permutes_the_output(d in data_strategy(), policy in policy_strategy()) {
        let na = d.n_agents();
        let perm: Vec<usize> = (0..na).rev().collect();
        let (p, o, t) = d.arrays();
        let mut pp = p.clone();
        let mut po = o.clone();
        for (new, &old) in perm.iter().enumerate() {
            pp.slice_mut(ndarray::s![.., new, ..]).assign(&p.slice(ndarray::s![.., old, ..]));
            po.column_mut(new).assign(&o.column(old));
        }
        let ag: Vec<Agent> = perm.iter().map(|&i| d.agents()[i].clone()).collect();
        let dp = TrackingData::new(pp, po, t.to_vec(), ag).unwrap().with_periods(d.periods().to_vec()).unwrap();
        for m in all_methods(InterpParams { policy, cap: None }) {
            let (a, ra) = m.impute_with_report(&d).unwrap();
            let (b, rb) = m.impute_with_report(&dp).unwrap();
            for (new, &old) in perm.iter().enumerate() {
                for f in 0..d.n_frames() {
                    for k in 0..2 {
                        prop_assert_eq!(a.positions()[[f, old, k]].to_bits(), b.positions()[[f, new, k]].to_bits());
                    }
                }
                prop_assert_eq!(&ra.agents[old], &rb.agents[new]);
            }
        }
    }

    #[test]
    fn linear_reproduces_uniform_motion(
        steps in prop::collection::vec(0.01f64..0.5, 3..60),
        keep in prop::collection::vec(prop::bool::weighted(0.4), 60),
        x0 in -50.0f64..50.0, vx in -12.0f64..12.0, y0 in -30.0f64..30.0, vy in -12.0f64..12.0,
    ) {
        let nf = steps.len();
        let t = cumulative(0.0, &steps);
        let mut mask = Array2::from_elem((nf, 1), false);
        for f in 0..nf { mask[[f, 0]] = keep[f]; }
        mask[[0, 0]] = true;
        mask[[nf / 2, 0]] = true;
        let truth = |_: usize, t: f64| (x0 + vx * t, y0 + vy * t);
        let d = make(&t, &mask, truth);
        let policy = GapPolicy { edges: Edges::Extrapolate, ..GapPolicy::default() };
        // every method reproduces a line; linear is the one the issue requires
        for m in all_methods(InterpParams { policy, cap: None }) {
            let out = m.impute(&d).unwrap();
            for (f, &tf) in t.iter().enumerate() {
                let (x, y) = truth(0, tf);
                prop_assert!((out.positions()[[f, 0, 0]] - x).abs() <= 1e-9, "{} frame {f}", m.kind());
                prop_assert!((out.positions()[[f, 0, 1]] - y).abs() <= 1e-9, "{} frame {f}", m.kind());
            }
        }
    }

    #[test]
    fn not_a_knot_spline_reproduces_cubic_motion(
        steps in prop::collection::vec(0.02f64..0.3, 8..50),
        keep in prop::collection::vec(prop::bool::weighted(0.5), 50),
        c in prop::array::uniform4(-2.0f64..2.0),
    ) {
        let nf = steps.len();
        let t = cumulative(0.0, &steps);
        let mut mask = Array2::from_elem((nf, 1), false);
        for f in 0..nf { mask[[f, 0]] = keep[f]; }
        for f in [0, 1, nf / 2, nf - 2, nf - 1] { mask[[f, 0]] = true; }
        let p = |t: f64| c[0] + t * (c[1] + t * (c[2] + t * c[3]));
        let d = make(&t, &mask, |_, t| (p(t), -p(t)));
        let out = CubicSpline::new(SplineBoundary::NotAKnot, InterpParams::default()).unwrap().impute(&d).unwrap();
        for (f, &tf) in t.iter().enumerate() {
            prop_assert!((out.positions()[[f, 0, 0]] - p(tf)).abs() <= 1e-9);
            prop_assert!((out.positions()[[f, 0, 1]] + p(tf)).abs() <= 1e-9);
        }
    }
}

fn one_agent(t: &[f64], seen: &[bool]) -> TrackingData {
    let mut mask = Array2::from_elem((t.len(), 1), false);
    for (f, &s) in seen.iter().enumerate() {
        mask[[f, 0]] = s;
    }
    make(t, &mask, |_, t| (3.0 * t + t * t, 1.0 - t))
}

#[test]
fn names_and_constructors() {
    let p = InterpParams::default();
    assert_eq!(Linear::new(p).unwrap().name(), "linear");
    assert_eq!(CubicSpline::new(SplineBoundary::Natural, p).unwrap().name(), "cubic_spline");
    assert_eq!(CubicSpline::default().boundary(), SplineBoundary::NotAKnot);
    assert_eq!(Steffen::default().name(), "steffen");
    assert_eq!(Pchip::default().name(), "pchip");
    assert_eq!(Akima::default().name(), "akima");
    assert_eq!(Makima::default().name(), "makima");
    for bad in [0.0, -1.0, f64::NAN, f64::NEG_INFINITY] {
        let params = InterpParams { policy: GapPolicy { max_gap: bad, ..GapPolicy::default() }, cap: None };
        assert!(matches!(Steffen::new(params), Err(ImputeError::InvalidParameter { name: "max_gap", .. })));
        assert!(params.validate().is_err());
    }
}

#[test]
fn too_few_knots_fall_back_or_are_left() {
    let t: Vec<f64> = (0..8).map(|i| i as f64 * 0.1).collect();
    // two knots: Steffen falls back to linear for the interior gap
    let seen = [false, true, false, false, false, true, false, false];
    let d = one_agent(&t, &seen);
    let (out, r) = Steffen::default().impute_with_report(&d).unwrap();
    let a = &r.agents[0];
    assert_eq!((a.filled_method, a.filled_fallback, a.filled_edge), (0, 3, 3));
    assert_eq!(r.fallback.as_deref(), Some("linear"));
    let lin = Linear::default().impute(&d).unwrap();
    assert_eq!(out, lin);
    // no fallback: interior left, edges still held
    let policy = GapPolicy { fallback: None, ..GapPolicy::default() };
    let (out, r) = Steffen::new(InterpParams { policy, cap: None }).unwrap().impute_with_report(&d).unwrap();
    assert_eq!((r.agents[0].left_too_few_knots, r.agents[0].filled_edge), (3, 3));
    assert!(out.positions()[[3, 0, 0]].is_nan());
    assert_eq!(out.positions()[[0, 0, 0]], d.positions()[[1, 0, 0]]);
    // a fallback that itself needs more knots than there are
    let policy = GapPolicy { fallback: Some(Kind::Pchip), ..GapPolicy::default() };
    let (_, r) = Akima::new(InterpParams { policy, cap: None }).unwrap().impute_with_report(&d).unwrap();
    assert_eq!(r.agents[0].left_too_few_knots, 3);
}

#[test]
fn zero_and_one_observation() {
    let t: Vec<f64> = (0..6).map(|i| i as f64 * 0.1).collect();
    for m in all_methods(InterpParams::default()) {
        let (out, r) = m.impute_with_report(&one_agent(&t, &[false; 6])).unwrap();
        assert_eq!(r.agents[0].left_too_few_knots, 6);
        assert!(out.positions().iter().all(|v| v.is_nan()));
        // one observation: held at both edges (extrapolation holds too)
        for edges in [Edges::Hold, Edges::Extrapolate] {
            let policy = GapPolicy { edges, ..GapPolicy::default() };
            let m = InterpImputer::new(m.kind(), InterpParams { policy, cap: None }).unwrap();
            let d = one_agent(&t, &[false, false, true, false, false, false]);
            let (out, r) = m.impute_with_report(&d).unwrap();
            assert_eq!(r.agents[0].filled_edge, 5);
            assert!(out.positions().iter().all(|v| v.is_finite()));
            assert!((0..6).all(|f| out.positions()[[f, 0, 0]] == d.positions()[[2, 0, 0]]));
        }
    }
}

#[test]
fn edges_policy() {
    let t: Vec<f64> = (0..10).map(|i| i as f64 * 0.2).collect();
    let seen = [false, false, true, true, false, true, true, false, false, false];
    let d = one_agent(&t, &seen);
    let run = |edges, max_gap| {
        let policy = GapPolicy { edges, max_gap, ..GapPolicy::default() };
        Pchip::new(InterpParams { policy, cap: None }).unwrap().impute_with_report(&d).unwrap()
    };
    let (out, r) = run(Edges::Leave, f64::INFINITY);
    assert_eq!((r.agents[0].left_edge, r.agents[0].filled_method), (5, 1));
    assert!(out.positions()[[0, 0, 0]].is_nan() && out.positions()[[9, 0, 1]].is_nan());
    let (out, _) = run(Edges::Hold, f64::INFINITY);
    assert_eq!(out.positions()[[9, 0, 0]], d.positions()[[6, 0, 0]]);
    let (out, _) = run(Edges::Extrapolate, f64::INFINITY);
    let slope = (d.positions()[[6, 0, 0]] - d.positions()[[5, 0, 0]]) / 0.2;
    assert!((out.positions()[[9, 0, 0]] - (d.positions()[[6, 0, 0]] + slope * 0.6)).abs() < 1e-12);
    // an edge run of 0.4 s is filled under max_gap 0.5, the trailing 0.6 s one is not
    let (out, r) = run(Edges::Hold, 0.5);
    assert_eq!((r.agents[0].filled_edge, r.agents[0].left_gap_too_long), (2, 3));
    assert!(out.positions()[[0, 0, 0]].is_finite() && out.positions()[[7, 0, 0]].is_nan());
}

#[test]
fn long_gaps_left_or_handed_to_the_fallback() {
    let t: Vec<f64> = (0..12).map(|i| i as f64 * 0.1).collect();
    let seen = [true, true, false, true, true, false, false, false, false, true, true, true];
    let d = one_agent(&t, &seen);
    let run = |long_gaps| {
        let policy = GapPolicy { max_gap: 0.3, long_gaps, ..GapPolicy::default() };
        Steffen::new(InterpParams { policy, cap: None }).unwrap().impute_with_report(&d).unwrap()
    };
    let (out, r) = run(LongGaps::Leave);
    let a = &r.agents[0];
    assert_eq!((a.filled_method, a.left_gap_too_long, a.filled_fallback), (1, 4, 0));
    assert!(out.positions()[[6, 0, 0]].is_nan());
    let (out, r) = run(LongGaps::Fallback);
    let a = &r.agents[0];
    assert_eq!((a.filled_method, a.left_gap_too_long, a.filled_fallback), (1, 0, 4));
    let (x4, x9) = (d.positions()[[4, 0, 0]], d.positions()[[9, 0, 0]]);
    assert!((out.positions()[[6, 0, 0]] - (x4 + (x9 - x4) * 0.4)).abs() < 1e-12);
}

#[test]
fn never_interpolates_across_periods() {
    let t: Vec<f64> = (0..10).map(|i| i as f64 * 0.1).collect();
    let seen = [true, true, true, false, false, false, false, true, true, true];
    let d = one_agent(&t, &seen).with_periods(vec![Period::new(1, 0..5), Period::new(2, 5..10)]).unwrap();
    let policy = GapPolicy { edges: Edges::Leave, ..GapPolicy::default() };
    let (out, r) = Linear::new(InterpParams { policy, cap: None }).unwrap().impute_with_report(&d).unwrap();
    assert!((3..7).all(|f| out.positions()[[f, 0, 0]].is_nan()));
    assert_eq!((r.agents[0].left_edge, r.agents[0].filled()), (4, 0));
    // frames outside every period are left
    let d = one_agent(&t, &seen).with_periods(vec![Period::new(1, 0..3), Period::new(2, 7..10)]).unwrap();
    let (out, r) = Linear::default().impute_with_report(&d).unwrap();
    assert_eq!(r.agents[0].left_outside_period, 4);
    assert!((3..7).all(|f| out.positions()[[f, 0, 0]].is_nan()));
}

#[test]
fn frames_where_everyone_is_missing() {
    let t: Vec<f64> = (0..9).map(|i| i as f64 * 0.04).collect();
    let mut mask = Array2::from_elem((9, 3), true);
    for f in 3..6 {
        for a in 0..3 {
            mask[[f, a]] = false;
        }
    }
    let d = make(&t, &mask, |a, t| (a as f64 + 2.0 * t, -t));
    for m in all_methods(InterpParams::default()) {
        let (out, r) = m.impute_with_report(&d).unwrap();
        verify_observed_unchanged(&d, &out).unwrap();
        assert_eq!(r.totals().filled_method, 9, "{}", m.kind());
        for (f, &tf) in t.iter().enumerate().take(6).skip(3) {
            for a in 0..3 {
                assert!((out.positions()[[f, a, 0]] - (a as f64 + 2.0 * tf)).abs() < 1e-9);
            }
        }
    }
}

#[test]
fn synthetic_match_with_holes() {
    let truth =
        touchline_io::synthetic::SyntheticMatch { seconds: 20.0, ..Default::default() }.generate().unwrap();
    let (p, o, t) = truth.arrays();
    let mut p = p.clone();
    let mut o = o.clone();
    // deterministic holes: 0.2-1.2 s every few seconds, offset per agent
    let (nf, na) = o.dim();
    for a in 0..na {
        let mut f = 10 + 7 * a;
        while f + 30 < nf {
            let len = 5 + (a * 3 + f) % 25;
            for g in f..f + len {
                o[[g, a]] = false;
                p[[g, a, 0]] = f64::NAN;
                p[[g, a, 1]] = f64::NAN;
            }
            f += len + 60;
        }
    }
    let holed = TrackingData::new(p, o.clone(), t.to_vec(), truth.agents().to_vec()).unwrap();
    let truth_pos = truth.positions();
    for m in all_methods(InterpParams::default()) {
        let (out, report) = m.impute_with_report(&holed).unwrap();
        verify_observed_unchanged(&holed, &out).unwrap();
        assert_eq!(out.missing_fraction(), holed.missing_fraction(), "mask unchanged");
        assert!(out.positions().iter().all(|v| v.is_finite()));
        let tot = report.totals();
        assert_eq!(tot.left(), 0);
        assert_eq!(tot.filled_method, o.iter().filter(|&&x| !x).count());
        let (mut se, mut n) = (0.0, 0);
        for ((f, a), &seen) in o.indexed_iter() {
            if !seen && a + 1 < na {
                for k in 0..2 {
                    se += (out.positions()[[f, a, k]] - truth_pos[[f, a, k]]).powi(2);
                    n += 1;
                }
            }
        }
        let rmse = (se / n as f64).sqrt();
        assert!(rmse < 1.0, "{}: player RMSE {rmse} m", m.kind());
        // the report serialises and reads back
        let json = serde_json::to_string(&report).unwrap();
        let back: ImputeReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, report);
        assert!(json.contains("\"max_gap\":null"));
    }
}
