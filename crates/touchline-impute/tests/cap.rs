//! The plausibility cap: impossible fills are capped, observed entries are
//! untouched, no cap changes nothing, counts on a hand-made case.

mod common;
use common::cumulative;

use ndarray::{Array2, Array3};
use proptest::prelude::*;
use touchline_core::{Agent, Imputer, Team, TrackingData, verify_observed_unchanged};
use touchline_impute::interp::Kind;
use touchline_impute::{GapPolicy, ImputeError, InterpImputer, InterpParams, PlausibilityCap};

fn data(t: &[f64], xs: &[f64], mask: &[bool], team: Team) -> TrackingData {
    let n = t.len();
    let mut p = Array3::<f64>::zeros((n, 1, 2));
    for f in 0..n {
        p[[f, 0, 0]] = if mask[f] || xs[f].is_finite() { xs[f] } else { f64::NAN };
        p[[f, 0, 1]] = if xs[f].is_finite() { 0.0 } else { f64::NAN };
    }
    let m = Array2::from_shape_vec((n, 1), mask.to_vec()).unwrap();
    let agent = if team == Team::Ball { Agent::ball() } else { Agent::new("p", team) };
    TrackingData::new(p, m, t.to_vec(), vec![agent]).unwrap()
}

fn speeds(d: &TrackingData) -> Vec<f64> {
    let (p, t) = (d.positions(), d.timestamps_slice());
    (1..d.n_frames())
        .map(|f| {
            let (dx, dy) = (p[[f, 0, 0]] - p[[f - 1, 0, 0]], p[[f, 0, 1]] - p[[f - 1, 0, 1]]);
            dx.hypot(dy) / (t[f] - t[f - 1])
        })
        .collect()
}

#[test]
fn an_impossible_jump_is_capped() {
    // Observed at x = 0 (frames 0..3) and x = 1 (frames 13..16); frame 8 "filled" 50 m away.
    let t: Vec<f64> = (0..16).map(|i| i as f64 * 0.04).collect();
    let mask: Vec<bool> = (0..16).map(|f| !(3..13).contains(&f)).collect();
    let mut xs: Vec<f64> = (0..16)
        .map(|f| {
            if f < 3 {
                0.0
            } else if f >= 13 {
                1.0
            } else {
                0.1 * (f as f64 - 2.0)
            }
        })
        .collect();
    xs[8] = 50.0;
    let mut d = data(&t, &xs, &mask, Team::Home);
    let before = d.clone();
    let cap = PlausibilityCap::default();
    let n = cap.apply(&mut d).unwrap();
    verify_observed_unchanged(&before, &d).unwrap();
    assert!(n[0] >= 1);
    let x8 = d.positions()[[8, 0, 0]];
    assert!(x8 < 1.5, "spike left at {x8}");
    // both passes agree away from the spike, so the speed limit holds everywhere
    for (f, s) in speeds(&d).iter().enumerate() {
        assert!(*s <= 12.0 + 1e-9, "step {f}: {s} m/s");
    }
    // the ball's limit is higher: 50 m in 0.04 s is still too fast for it
    let mut b = data(&t, &xs, &mask, Team::Ball);
    assert!(cap.apply(&mut b).unwrap()[0] >= 1);
    assert!(b.positions()[[8, 0, 0]] < 5.0);
}

#[test]
fn counts_on_a_hand_made_case() {
    // Anchor x = 0 at frame 0, trailing edge filled 0, 0, 10, 10 at 1 s steps:
    // forward pass only; speed 12 m/s allows the 10 m step, acceleration 8 m/s²
    // (no reference velocity for the first step out of the anchor) allows
    // velocity 0 -> 8 at frame 3 (x = 8), then 8 -> 10 at frame 4 (x = 18 would overshoot:
    // target 10 means v = 2, a change of 6 <= 8, so x = 10).
    let t = [0.0, 1.0, 2.0, 3.0, 4.0];
    let xs = [0.0, 0.0, 0.0, 10.0, 10.0];
    let mask = [true, false, false, false, false];
    let mut d = data(&t, &xs, &mask, Team::Home);
    let n = PlausibilityCap::default().apply(&mut d).unwrap();
    let got: Vec<f64> = (0..5).map(|f| d.positions()[[f, 0, 0]]).collect();
    assert_eq!(got, vec![0.0, 0.0, 0.0, 8.0, 10.0]);
    assert_eq!(n, vec![1]);
    // without an acceleration limit nothing is too fast
    let mut d = data(&t, &xs, &mask, Team::Home);
    let free = PlausibilityCap { max_accel_player: None, ..PlausibilityCap::default() };
    assert_eq!(free.apply(&mut d).unwrap(), vec![0]);
    // a leading edge is walked backwards from the first observation
    let xs = [10.0, 10.0, 0.0, 0.0, 0.0];
    let mask = [false, false, false, false, true];
    let mut d = data(&t, &xs, &mask, Team::Home);
    assert_eq!(PlausibilityCap::default().apply(&mut d).unwrap(), vec![1]);
    assert_eq!(d.positions()[[1, 0, 0]], 8.0);
}

#[test]
fn interp_report_counts_capped_entries() {
    // A not-a-knot spline through a sharp turn overshoots in a long gap.
    let t: Vec<f64> = (0..60).map(|i| i as f64 * 0.04).collect();
    let mask: Vec<bool> = (0..60).map(|f| !(10..50).contains(&f)).collect();
    let xs: Vec<f64> = t.iter().map(|&t| if t < 1.0 { 40.0 * t } else { 80.0 - 40.0 * t }).collect();
    let d = data(&t, &xs, &mask, Team::Home);
    let policy = GapPolicy::default();
    let plain = InterpImputer::new(Kind::NotAKnotSpline, InterpParams { policy, cap: None }).unwrap();
    let capped = InterpImputer::new(
        Kind::NotAKnotSpline,
        InterpParams { policy, cap: Some(PlausibilityCap::default()) },
    )
    .unwrap();
    let (a, ra) = plain.impute_with_report(&d).unwrap();
    let (b, rb) = capped.impute_with_report(&d).unwrap();
    verify_observed_unchanged(&d, &b).unwrap();
    assert_eq!(ra.agents[0].capped, 0);
    let changed =
        (0..60).filter(|&f| a.positions()[[f, 0, 0]].to_bits() != b.positions()[[f, 0, 0]].to_bits()).count();
    assert!(changed > 0);
    assert_eq!(rb.agents[0].capped, changed);
    // an old report without the field still reads
    let mut v = serde_json::to_value(&rb).unwrap();
    v["agents"][0].as_object_mut().unwrap().remove("capped");
    let back: touchline_impute::ImputeReport = serde_json::from_value(v).unwrap();
    assert_eq!(back.agents[0].capped, 0);
}

#[test]
fn invalid_caps_are_rejected() {
    let ok = PlausibilityCap::default();
    for bad in [
        PlausibilityCap { max_speed_player: 0.0, ..ok },
        PlausibilityCap { max_speed_ball: f64::NAN, ..ok },
        PlausibilityCap { max_accel_player: Some(-1.0), ..ok },
        PlausibilityCap { max_accel_ball: Some(f64::INFINITY), ..ok },
    ] {
        assert!(matches!(bad.validate(), Err(ImputeError::InvalidParameter { .. })));
        let p = InterpParams { policy: GapPolicy::default(), cap: Some(bad) };
        assert!(InterpImputer::new(Kind::Linear, p).is_err());
    }
}

fn random_data() -> impl Strategy<Value = TrackingData> {
    (2usize..60, 1usize..4).prop_flat_map(|(nf, na)| {
        (
            prop::collection::vec(0.01f64..0.3, nf),
            prop::collection::vec(prop::bool::weighted(0.5), nf * na),
            prop::collection::vec(-60.0f64..60.0, nf * na * 2),
        )
            .prop_map(move |(steps, m, v)| {
                let agents = (0..na)
                    .map(|i| if i == 0 { Agent::ball() } else { Agent::new(format!("p{i}"), Team::Away) })
                    .collect();
                common::random_data(cumulative(0.0, &steps), m, v, agents)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn cap_keeps_observed_and_none_changes_nothing(d in random_data(), k in 0usize..7) {
        let kind = Kind::ALL[k];
        let policy = GapPolicy::default();
        let none = InterpImputer::new(kind, InterpParams { policy, cap: None }).unwrap();
        let (plain, rp) = none.impute_with_report(&d).unwrap();
        // cap None: same as the plain interpolant (the pre-cap code path)
        prop_assert!(rp.agents.iter().all(|a| a.capped == 0));
        let capped = InterpImputer::new(kind, InterpParams { policy, cap: Some(PlausibilityCap::default()) }).unwrap();
        let (out, rc) = capped.impute_with_report(&d).unwrap();
        prop_assert!(verify_observed_unchanged(&d, &out).is_ok());
        // same entries filled, counts = entries that differ from the plain fill
        for (a, ar) in rc.agents.iter().enumerate() {
            prop_assert_eq!(ar.filled(), rp.agents[a].filled());
            let diff = (0..d.n_frames())
                .filter(|&f| {
                    let (p, o) = (plain.positions(), out.positions());
                    p[[f, a, 0]].to_bits() != o[[f, a, 0]].to_bits() || p[[f, a, 1]].to_bits() != o[[f, a, 1]].to_bits()
                })
                .count();
            prop_assert_eq!(diff, ar.capped);
        }
        // the public apply() on the plain output gives the same result
        let mut again = plain.clone();
        let n = PlausibilityCap::default().apply(&mut again).unwrap();
        prop_assert!(again == out);
        prop_assert_eq!(n, rc.agents.iter().map(|a| a.capped).collect::<Vec<_>>());
        let _ = capped.name();
    }
}
