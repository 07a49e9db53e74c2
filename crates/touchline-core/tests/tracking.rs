//! Validation, views and transforms of `TrackingData`.

use approx::assert_abs_diff_eq;
use ndarray::{Array2, Array3};
use proptest::prelude::*;
use touchline_core::{
    Agent, AxisTransform, CoreError, Direction, Period, Pitch, Team, TrackingData, Unit,
    verify_observed_unchanged,
};

fn line_data(n: usize, hz: f64) -> TrackingData {
    // agent 0 (home) runs x = -10 + 2t, agent 1 (away) stands at (5, 1), ball at x = t.
    let t: Vec<f64> = (0..n).map(|i| i as f64 / hz).collect();
    let mut p = Array3::<f64>::zeros((n, 3, 2));
    for i in 0..n {
        p[[i, 0, 0]] = -10.0 + 2.0 * t[i];
        p[[i, 1, 0]] = 5.0;
        p[[i, 1, 1]] = 1.0;
        p[[i, 2, 0]] = t[i];
    }
    TrackingData::new(
        p,
        Array2::from_elem((n, 3), true),
        t,
        vec![Agent::new("h1", Team::Home), Agent::new("a1", Team::Away), Agent::ball()],
    )
    .unwrap()
}

#[test]
fn rejects_shape_mismatches() {
    let agents = vec![Agent::ball()];
    let e = TrackingData::new(
        Array3::zeros((2, 1, 3)),
        Array2::from_elem((2, 1), true),
        vec![0.0, 1.0],
        agents.clone(),
    );
    assert!(matches!(e, Err(CoreError::ShapeMismatch { what: "positions", .. })));
    let e = TrackingData::new(
        Array3::zeros((2, 1, 2)),
        Array2::from_elem((3, 1), true),
        vec![0.0, 1.0],
        agents.clone(),
    );
    assert!(matches!(e, Err(CoreError::ShapeMismatch { what: "observed mask", .. })));
    let e = TrackingData::new(
        Array3::zeros((2, 1, 2)),
        Array2::from_elem((2, 1), true),
        vec![0.0],
        agents.clone(),
    );
    assert!(matches!(e, Err(CoreError::ShapeMismatch { what: "timestamps", .. })));
    let e =
        TrackingData::new(Array3::zeros((2, 1, 2)), Array2::from_elem((2, 1), true), vec![0.0, 1.0], vec![]);
    assert!(matches!(e, Err(CoreError::ShapeMismatch { what: "agent table", .. })));
    let e = TrackingData::new(Array3::zeros((0, 1, 2)), Array2::from_elem((0, 1), true), vec![], agents);
    assert!(matches!(e, Err(CoreError::Empty { .. })));
}

#[test]
fn rejects_bad_time_and_non_finite_observations() {
    let a = vec![Agent::ball()];
    let e = TrackingData::new(
        Array3::zeros((3, 1, 2)),
        Array2::from_elem((3, 1), true),
        vec![0.0, 0.1, 0.1],
        a.clone(),
    );
    assert_eq!(e.unwrap_err(), CoreError::NonIncreasingTime { frame: 2, previous: 0.1, current: 0.1 });
    let e = TrackingData::new(
        Array3::zeros((2, 1, 2)),
        Array2::from_elem((2, 1), true),
        vec![0.0, f64::NAN],
        a.clone(),
    );
    assert!(matches!(e, Err(CoreError::NonFiniteTime { frame: 1, .. })));
    let mut p = Array3::<f64>::zeros((2, 1, 2));
    p[[1, 0, 1]] = f64::INFINITY;
    let e = TrackingData::new(p.clone(), Array2::from_elem((2, 1), true), vec![0.0, 1.0], a.clone());
    assert!(matches!(e, Err(CoreError::NonFiniteObserved { frame: 1, agent: 0, what: "y", .. })));
    // the same value is fine when the entry is not observed
    let mut o = Array2::from_elem((2, 1), true);
    o[[1, 0]] = false;
    assert!(TrackingData::new(p, o, vec![0.0, 1.0], a).is_ok());
    let dup = vec![Agent::ball(), Agent::ball()];
    let e = TrackingData::new(Array3::zeros((1, 2, 2)), Array2::from_elem((1, 2), true), vec![0.0], dup);
    assert!(matches!(e, Err(CoreError::DuplicateAgent { first: 0, second: 1, .. })));
}

#[test]
fn setters_validate() {
    let d = line_data(10, 10.0);
    assert!(d.clone().with_frame_rate(0.0).is_err());
    assert!(d.clone().with_frame_rate(f64::NAN).is_err());
    assert!(d.clone().with_pitch(Pitch { length: -1.0, width: 68.0 }).is_err());
    assert!(d.clone().with_periods(vec![Period::new(1, 0..5), Period::new(2, 4..10)]).is_err());
    assert!(d.clone().with_periods(vec![Period::new(1, 0..11)]).is_err());
    assert!(d.clone().with_periods(vec![]).is_err());
    assert!(d.clone().with_frame_ids(vec![1, 2]).is_err());
    assert!(d.clone().with_ball_z(vec![0.0; 9]).is_err());
    assert!(d.clone().with_provider_estimate(Array3::zeros((10, 2, 2))).is_err());
    let d = d.with_periods(vec![Period::new(1, 0..5), Period::new(2, 6..10)]).unwrap();
    assert_eq!(d.periods().len(), 2);
}

#[test]
fn estimates_never_overlap_observations() {
    let mut d = line_data(4, 10.0);
    let mut p = d.positions().clone();
    let mut o = d.observed().clone();
    p[[2, 0, 0]] = f64::NAN;
    p[[2, 0, 1]] = f64::NAN;
    o[[2, 0]] = false;
    d = TrackingData::new(p, o, d.timestamps().to_vec(), d.agents().to_vec()).unwrap();
    let d = d.with_provider_estimate(Array3::from_elem((4, 3, 2), 7.0)).unwrap();
    let e = d.provider_estimate().unwrap();
    assert_eq!(e[[2, 0, 0]], 7.0);
    assert!(e[[1, 0, 0]].is_nan() && e[[2, 1, 0]].is_nan());
}

#[test]
fn views_and_fractions() {
    let d = line_data(5, 5.0);
    assert_eq!(d.n_frames(), 5);
    assert_eq!(d.n_agents(), 3);
    assert_eq!(d.ball_index(), Some(2));
    assert_eq!(d.team_indices(Team::Home), vec![0]);
    assert_eq!(d.agent_index("a1"), Some(1));
    assert_abs_diff_eq!(d.frame_rate(), 5.0, epsilon = 1e-9);
    assert_abs_diff_eq!(d.duration(), 1.0, epsilon = 1e-9);
    assert_eq!(d.agent_series(1)[[3, 1]], 1.0);
    assert_eq!(d.missing_fraction(), 0.0);
    assert_eq!(d.missing_fraction_per_agent(), vec![0.0; 3]);
}

#[test]
fn fill_unobserved_cannot_touch_observations() {
    let d = line_data(4, 10.0);
    let mut p = d.positions().clone();
    let mut o = d.observed().clone();
    o[[1, 0]] = false;
    p[[1, 0, 0]] = f64::NAN;
    p[[1, 0, 1]] = f64::NAN;
    let d = TrackingData::new(p, o, d.timestamps().to_vec(), d.agents().to_vec()).unwrap();
    let mut filled = d.clone();
    let n = filled.fill_unobserved(0, Array2::from_elem((4, 2), 99.0).view()).unwrap();
    assert_eq!(n, 1);
    assert_eq!(filled.positions()[[1, 0, 0]], 99.0);
    assert_eq!(filled.positions()[[0, 0, 0]], -10.0);
    verify_observed_unchanged(&d, &filled).unwrap();
    assert!(filled.fill_unobserved(7, Array2::zeros((4, 2)).view()).is_err());
    assert!(filled.fill_unobserved(0, Array2::zeros((3, 2)).view()).is_err());
}

#[test]
fn verify_detects_altered_observation() {
    let d = line_data(3, 10.0);
    let mut p = d.positions().clone();
    p[[2, 1, 0]] += 1e-12;
    let changed =
        TrackingData::new(p, d.observed().clone(), d.timestamps().to_vec(), d.agents().to_vec()).unwrap();
    assert!(matches!(
        verify_observed_unchanged(&d, &changed),
        Err(CoreError::ObservedAltered { frame: 2, agent: 1, .. })
    ));
}

#[test]
fn resample_25_to_10_hz_interpolates_linearly() {
    let d = line_data(251, 25.0); // 10 s
    let r = d.resample(10.0).unwrap();
    assert_eq!(r.n_frames(), 101);
    assert_abs_diff_eq!(r.frame_rate(), 10.0);
    for i in 0..r.n_frames() {
        let t = r.timestamps()[i];
        assert_abs_diff_eq!(t, i as f64 / 10.0, epsilon = 1e-9);
        assert_abs_diff_eq!(r.positions()[[i, 0, 0]], -10.0 + 2.0 * t, epsilon = 1e-9);
        assert_abs_diff_eq!(r.positions()[[i, 2, 0]], t, epsilon = 1e-9);
    }
    assert!(r.observed().iter().all(|&o| o));
}

#[test]
fn resample_never_turns_a_gap_into_an_observation() {
    let d = line_data(26, 25.0);
    let mut p = d.positions().clone();
    let mut o = d.observed().clone();
    for f in 5..=7 {
        o[[f, 0]] = false;
        p[[f, 0, 0]] = f64::NAN;
        p[[f, 0, 1]] = f64::NAN;
    }
    let d = TrackingData::new(p, o, d.timestamps().to_vec(), d.agents().to_vec()).unwrap();
    let r = d.resample(10.0).unwrap();
    // new frame 2 is t = 0.2 s = source frame 5 (missing); frame 3 = 0.3 s between 7 and 8
    assert!(!r.observed()[[2, 0]] && r.positions()[[2, 0, 0]].is_nan());
    assert!(!r.observed()[[3, 0]]);
    assert!(r.observed()[[1, 0]] && r.observed()[[4, 0]]);
    assert!(r.observed()[[2, 1]]);
}

#[test]
fn resample_respects_periods_and_rejects_bad_rates() {
    let d = line_data(50, 25.0).with_periods(vec![Period::new(1, 0..25), Period::new(2, 25..50)]).unwrap();
    let r = d.resample(5.0).unwrap();
    assert_eq!(r.periods().len(), 2);
    assert_eq!(r.periods()[0].frames(), 0..5);
    assert_eq!(r.periods()[1].frames(), 5..10);
    assert_abs_diff_eq!(r.timestamps()[5], 1.0, epsilon = 1e-9);
    assert!(d.resample(0.0).is_err());
    assert!(d.resample(f64::INFINITY).is_err());
}

#[test]
fn windows_stay_inside_periods() {
    let d = line_data(50, 25.0).with_periods(vec![Period::new(1, 0..23), Period::new(2, 23..50)]).unwrap();
    let w = d.windows(10, 10).unwrap();
    // period 1: 0..10, 10..20; period 2: 23..33, 33..43
    assert_eq!(w.len(), 4);
    assert_eq!(w[2].frame_ids()[0], 23);
    assert!(w.iter().all(|x| x.n_frames() == 10 && x.periods().len() == 1));
    assert!(d.windows(0, 1).is_err());
    assert!(d.slice_frames(5..5).is_err());
    assert!(d.slice_frames(40..60).is_err());
}

#[test]
fn transforms_and_orientation() {
    let mut d = line_data(3, 1.0);
    d.transform(&AxisTransform::from_unit(Unit::Centimetres)).unwrap();
    assert_abs_diff_eq!(d.positions()[[0, 0, 0]], -0.1);
    assert!(d.transform(&AxisTransform { sx: 0.0, ..AxisTransform::IDENTITY }).is_err());
    let t = AxisTransform::corner_origin(Unit::Metres, 105.0, 68.0, true);
    assert_eq!(t.apply([0.0, 0.0]), [-52.5, 34.0]);
    assert_eq!(t.apply([105.0, 68.0]), [52.5, -34.0]);
    let t = AxisTransform::normalized_bottom_left(100.0, 50.0);
    assert_eq!(t.apply([0.5, 1.0]), [0.0, 25.0]);

    // home stands on the right half in period 2: it is rotated
    let d = line_data(40, 10.0);
    let mut p = d.positions().clone();
    for f in 20..40 {
        p[[f, 0, 0]] = 20.0;
        p[[f, 0, 1]] = 3.0;
    }
    let mut d = TrackingData::new(p, d.observed().clone(), d.timestamps().to_vec(), d.agents().to_vec())
        .unwrap()
        .with_periods(vec![Period::new(1, 0..20), Period::new(2, 20..40)])
        .unwrap();
    assert_eq!(d.infer_home_direction(&d.periods()[1].clone()).unwrap(), Direction::RightToLeft);
    assert_eq!(d.orient_home_left_to_right().unwrap(), vec![2]);
    assert_eq!(d.positions()[[25, 0, 0]], -20.0);
    assert_eq!(d.positions()[[25, 0, 1]], -3.0);
    assert_eq!(d.positions()[[5, 1, 0]], 5.0);
    assert!(d.periods().iter().all(|p| p.home_direction == Some(Direction::LeftToRight)));
    // no home agent: typed error
    let mut ball_only = TrackingData::new(
        Array3::zeros((2, 1, 2)),
        Array2::from_elem((2, 1), true),
        vec![0.0, 1.0],
        vec![Agent::ball()],
    )
    .unwrap();
    assert!(matches!(ball_only.orient_home_left_to_right(), Err(CoreError::DirectionUnknown { .. })));
}

fn arb_data() -> impl Strategy<Value = TrackingData> {
    (2usize..40, 1usize..5, 1u32..30).prop_flat_map(|(nf, na, hz)| {
        (
            proptest::collection::vec(-60.0f64..60.0, nf * na * 2),
            proptest::collection::vec(proptest::bool::weighted(0.7), nf * na),
            Just((nf, na, hz)),
        )
            .prop_map(|(vals, mask, (nf, na, hz))| {
                let mut p = Array3::from_shape_vec((nf, na, 2), vals).unwrap();
                let o = Array2::from_shape_vec((nf, na), mask).unwrap();
                for ((f, a), &obs) in o.indexed_iter() {
                    if !obs {
                        p[[f, a, 0]] = f64::NAN;
                        p[[f, a, 1]] = f64::NAN;
                    }
                }
                let t = (0..nf).map(|i| i as f64 / hz as f64).collect();
                let agents = (0..na).map(|i| Agent::new(format!("p{i}"), Team::Home)).collect();
                TrackingData::new(p, o, t, agents).unwrap()
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Resampling never invents observations: every observed output entry
    /// lies between two observed source entries (or on one).
    #[test]
    fn resample_observed_entries_are_bracketed(d in arb_data(), hz in 1.0f64..40.0) {
        let r = d.resample(hz).unwrap();
        let t = d.timestamps();
        for n in 0..r.n_frames() {
            let tn = r.timestamps()[n];
            for a in 0..r.n_agents() {
                if r.observed()[[n, a]] {
                    let i = (0..d.n_frames()).rev().find(|&i| t[i] <= tn + 1e-9).unwrap();
                    prop_assert!(d.observed()[[i, a]]);
                    if (t[i] - tn).abs() > 1e-9 {
                        prop_assert!(d.observed()[[i + 1, a]]);
                    }
                    prop_assert!(r.positions()[[n, a, 0]].is_finite());
                }
            }
        }
    }

    /// Rotating twice is the identity; the mask never changes.
    #[test]
    fn double_flip_is_identity(d in arb_data()) {
        let t = AxisTransform { sx: -1.0, tx: 0.0, sy: -1.0, ty: 0.0 };
        let mut e = d.clone();
        e.transform(&t).unwrap();
        e.transform(&t).unwrap();
        prop_assert_eq!(e.observed(), d.observed());
        verify_observed_unchanged(&d, &e).unwrap();
    }

    /// Windows partition each period's frames into equal slices in order.
    #[test]
    fn windows_cover_in_order(d in arb_data(), len in 1usize..10) {
        let w = d.windows(len, len).unwrap();
        prop_assert_eq!(w.len(), d.n_frames() / len);
        for (k, x) in w.iter().enumerate() {
            prop_assert_eq!(x.frame_ids()[0], (k * len) as i64);
            prop_assert_eq!(x.positions().shape(), &[len, d.n_agents(), 2]);
        }
    }
}

#[test]
fn equality_treats_missing_as_equal() {
    let d = line_data(4, 10.0);
    let mut p = d.positions().clone();
    let mut o = d.observed().clone();
    p[[1, 0, 0]] = f64::NAN;
    p[[1, 0, 1]] = f64::NAN;
    o[[1, 0]] = false;
    let a = TrackingData::new(p.clone(), o.clone(), d.timestamps().to_vec(), d.agents().to_vec()).unwrap();
    assert_eq!(a, a.clone());
    p[[2, 0, 0]] += 1.0;
    let b = TrackingData::new(p, o, d.timestamps().to_vec(), d.agents().to_vec()).unwrap();
    assert_ne!(a, b);
    assert_ne!(a, a.clone().with_ball_z(vec![0.0; 4]).unwrap());
    assert_ne!(a, a.clone().with_frame_rate(9.0).unwrap());
}

#[test]
fn fill_unobserved_xy_and_time_slice() {
    let d = line_data(3, 10.0);
    let mut o = d.observed().clone();
    let mut p = d.positions().clone();
    o[[1, 2]] = false;
    p[[1, 2, 0]] = f64::NAN;
    p[[1, 2, 1]] = f64::NAN;
    let d = TrackingData::new(p, o, d.timestamps().to_vec(), d.agents().to_vec()).unwrap();
    assert_eq!(d.timestamps_slice(), &[0.0, 0.1, 0.2]);
    let mut f = d.clone();
    assert_eq!(f.fill_unobserved_xy(2, &[9.0, 9.0, 9.0], &[8.0, 8.0, 8.0]).unwrap(), 1);
    assert_eq!(f.positions()[[1, 2, 1]], 8.0);
    assert_eq!(f.positions()[[0, 2, 0]], 0.0);
    verify_observed_unchanged(&d, &f).unwrap();
    assert!(f.fill_unobserved_xy(2, &[1.0], &[1.0, 2.0, 3.0]).is_err());
    assert!(f.fill_unobserved_xy(3, &[1.0; 3], &[1.0; 3]).is_err());
}
