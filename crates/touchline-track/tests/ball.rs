//! BallTracker: gating, teleports, candidate choice, gap filling through a
//! caller's imputer.

use touchline_core::{BBox, CoreError, Detection, Imputer, Label, Tracker, TrackingData};
use touchline_track::{BallConfig, BallStatus, BallTracker, SpeedLimit, TrackError};

fn ball(cx: f64, cy: f64, score: f32) -> Detection {
    let (cx, cy) = (cx as f32, cy as f32);
    Detection::new(Label::Ball, score, BBox::new(cx - 4.0, cy - 4.0, cx + 4.0, cy + 4.0).unwrap())
}

fn cfg(px_per_s: f64) -> BallConfig {
    BallConfig {
        max_speed: SpeedLimit::PixelsPerSecond(px_per_s),
        gate_margin_px: 5.0,
        ..BallConfig::default()
    }
}

const DT: f64 = 0.04;

#[test]
fn rejects_a_teleport_and_keeps_following_the_real_ball() {
    let mut bt = BallTracker::new(cfg(600.0)).unwrap();
    // 8 px per frame = 200 px/s to the right.
    for f in 0..10 {
        bt.update(f, f as f64 * DT, &[ball(100.0 + 8.0 * f as f64, 200.0, 0.8)]).unwrap();
    }
    // A lone detection 300 px away (a head, a penalty spot): rejected.
    let out = bt.update(10, 0.40, &[ball(500.0, 100.0, 0.95)]).unwrap();
    assert_eq!(out[0].track_id, None);
    assert_eq!(bt.frames()[10].status, BallStatus::Rejected);
    // The true ball after the miss is accepted: 2 frames later, 16 px on.
    bt.update(11, 0.44, &[ball(188.0, 200.0, 0.6)]).unwrap();
    assert_eq!(bt.frames()[11].status, BallStatus::Detected);
    let tr = bt.track();
    assert_eq!(tr.points.len(), 11);
    assert!(tr.points.iter().all(|p| p.bbox.x1 < 200.0));
}

#[test]
fn the_gate_grows_with_time_and_speed_limit() {
    let mut bt = BallTracker::new(cfg(500.0)).unwrap();
    bt.update(0, 0.0, &[ball(100.0, 100.0, 0.9)]).unwrap();
    // One frame later the gate is 500 * 0.04 + 5 = 25 px around (100, 100).
    assert!((bt.gate_radius(DT).unwrap() - 25.0).abs() < 1e-9);
    let region = bt.search_region(DT).unwrap();
    assert!((region.x1 - 75.0).abs() < 1e-4 && (region.x2 - 125.0).abs() < 1e-4);
    bt.update(1, DT, &[ball(126.0, 100.0, 0.9)]).unwrap();
    assert_eq!(bt.frames()[1].status, BallStatus::Rejected, "26 px > 25 px gate");
    // Two frames after the last accepted detection the gate is 45 px.
    bt.update(2, 2.0 * DT, &[ball(144.0, 100.0, 0.9)]).unwrap();
    assert_eq!(bt.frames()[2].status, BallStatus::Detected);

    // The same in metres: 25 m/s at 20 px/m = 500 px/s.
    let m = BallConfig {
        max_speed: SpeedLimit::MetresPerSecond { speed: 25.0, pixels_per_metre: 20.0 },
        gate_margin_px: 5.0,
        ..BallConfig::default()
    };
    let mut bt = BallTracker::new(m).unwrap();
    bt.update(0, 0.0, &[ball(100.0, 100.0, 0.9)]).unwrap();
    assert!((bt.gate_radius(DT).unwrap() - 25.0).abs() < 1e-9);
}

#[test]
fn picks_the_candidate_near_the_prediction_over_a_slightly_better_score() {
    let mut bt = BallTracker::new(cfg(1000.0)).unwrap();
    for f in 0..5 {
        bt.update(f, f as f64 * DT, &[ball(100.0 + 10.0 * f as f64, 300.0, 0.7)]).unwrap();
    }
    // Prediction at frame 5: (150, 300). Candidates: on it (0.6) and 30 px off (0.7).
    let out = bt.update(5, 5.0 * DT, &[ball(180.0, 300.0, 0.7), ball(151.0, 301.0, 0.6)]).unwrap();
    assert_eq!(out[0].track_id, None);
    assert_eq!(out[1].track_id, Some(0));
    let [px, _] = bt.predict(6.0 * DT).unwrap();
    assert!((px - 161.0).abs() < 2.0, "{px}");
    // Non-ball labels and low scores are never candidates.
    let out = bt
        .update(
            6,
            6.0 * DT,
            &[Detection { label: Label::Player, ..ball(160.0, 300.0, 0.9) }, ball(160.0, 300.0, 0.05)],
        )
        .unwrap();
    assert!(out.iter().all(|d| d.track_id.is_none()));
    assert_eq!(bt.frames()[6].status, BallStatus::Missing);
}

#[test]
fn reacquires_after_max_missed_frames() {
    let c = BallConfig { max_missed: 3, ..cfg(300.0) };
    let mut bt = BallTracker::new(c).unwrap();
    bt.update(0, 0.0, &[ball(100.0, 100.0, 0.9)]).unwrap();
    bt.update(1, DT, &[ball(600.0, 400.0, 0.9)]).unwrap();
    assert_eq!(bt.frames()[1].status, BallStatus::Rejected);
    bt.update(2, 2.0 * DT, &[]).unwrap();
    bt.update(3, 3.0 * DT, &[]).unwrap();
    // Three misses: the hypothesis is dropped and the far ball taken.
    bt.update(4, 4.0 * DT, &[ball(600.0, 400.0, 0.9)]).unwrap();
    assert_eq!(bt.frames()[4].status, BallStatus::Detected);
}

/// A linear interpolator written for this test: the tracker must work with
/// any caller's `Imputer`.
struct Linear;

impl Imputer for Linear {
    type Error = CoreError;
    fn name(&self) -> &str {
        "test-linear"
    }
    fn impute(&self, d: &TrackingData) -> Result<TrackingData, CoreError> {
        let mut out = d.clone();
        let t = d.timestamps_slice();
        for a in 0..d.n_agents() {
            let obs = d.agent_observed(a);
            let s = d.agent_series(a);
            let seen: Vec<usize> = (0..d.n_frames()).filter(|&f| obs[f]).collect();
            let mut xs = vec![f64::NAN; d.n_frames()];
            let mut ys = vec![f64::NAN; d.n_frames()];
            for w in seen.windows(2) {
                for f in w[0] + 1..w[1] {
                    let u = (t[f] - t[w[0]]) / (t[w[1]] - t[w[0]]);
                    xs[f] = s[[w[0], 0]] * (1.0 - u) + s[[w[1], 0]] * u;
                    ys[f] = s[[w[0], 1]] * (1.0 - u) + s[[w[1], 1]] * u;
                }
            }
            out.fill_unobserved_xy(a, &xs, &ys)?;
        }
        Ok(out)
    }
}

struct Failing;

impl Imputer for Failing {
    type Error = CoreError;
    fn name(&self) -> &str {
        "failing"
    }
    fn impute(&self, _: &TrackingData) -> Result<TrackingData, CoreError> {
        Err(CoreError::Empty { what: "nothing" })
    }
}

#[test]
fn fills_short_misses_through_the_callers_imputer() {
    let mut bt = BallTracker::new(cfg(800.0)).unwrap();
    let x = |f: usize| 100.0 + 6.0 * f as f64;
    let missing = [4usize, 5, 6, 12, 13, 14, 15, 16, 17, 18];
    for f in 0..25 {
        let d = if missing.contains(&f) { vec![] } else { vec![ball(x(f), 240.0, 0.8)] };
        bt.update(f, f as f64 * DT, &d).unwrap();
    }
    assert_eq!(bt.track().points.len(), 15);
    let filled = bt.fill_gaps(&Linear, 3).unwrap();
    // The 3-frame gap is filled on the line, the 7-frame gap is not.
    assert_eq!(filled.points.len(), 18);
    for p in filled.points.iter().filter(|p| p.score == 0.0) {
        assert!((4..=6).contains(&p.frame));
        let [cx, cy] = p.bbox.center();
        assert!((f64::from(cx) - x(p.frame)).abs() < 1e-3 && (f64::from(cy) - 240.0).abs() < 1e-3);
        assert!((p.bbox.width() - 8.0).abs() < 1e-4);
    }
    assert!(filled.points.windows(2).all(|w| w[0].frame < w[1].frame));
    // Through a trait object as well, and with a larger max gap.
    let dynamic: &dyn Imputer<Error = CoreError> = &Linear;
    assert_eq!(bt.fill_gaps(dynamic, 10).unwrap().points.len(), 25);
    // The imputer's error is passed on with its name.
    let err = bt.fill_gaps(&Failing, 3).unwrap_err();
    assert!(matches!(&err, TrackError::Imputer { name, .. } if name == "failing"), "{err}");
}

#[test]
fn bad_config_and_input_are_errors() {
    assert!(BallTracker::new(cfg(0.0)).is_err());
    assert!(BallTracker::new(cfg(f64::INFINITY)).is_err());
    let bad = BallConfig {
        max_speed: SpeedLimit::MetresPerSecond { speed: 30.0, pixels_per_metre: -1.0 },
        ..BallConfig::default()
    };
    assert!(BallTracker::new(bad).is_err());
    assert!(BallTracker::new(BallConfig { velocity_smoothing: 0.0, ..BallConfig::default() }).is_err());
    let mut bt = BallTracker::new(BallConfig::default()).unwrap();
    let mut d = ball(1.0, 1.0, 0.9);
    d.bbox.y1 = f32::INFINITY;
    assert!(matches!(bt.update(0, 0.0, &[d]), Err(TrackError::InvalidDetection { frame: 0, index: 0, .. })));
    bt.update(0, 0.0, &[]).unwrap();
    assert!(bt.update(1, 0.0, &[]).is_err());
    assert!(bt.predict(1.0).is_none());
}
