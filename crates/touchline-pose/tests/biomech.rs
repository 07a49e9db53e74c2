//! Kick biomechanics on hand-made keypoint sets with known angles.

use approx::assert_abs_diff_eq;
use proptest::prelude::*;
use touchline_core::{CocoJoint as J, Joint, Keypoints};
use touchline_pose::biomech::{
    BALL_DIAMETER_M, BallObservation, Flag, KickConfig, Side, Unit, analyze_kick, interior_angle,
};
use touchline_pose::{PoseError, blazepose};

fn kp(points: &[(J, f32, f32)], score: f32) -> Keypoints {
    let mut k = Keypoints::default();
    for &(j, x, y) in points {
        k.set(j, Joint { x, y, score });
    }
    k
}

/// A side-on right-footed strike, ball to the right (+x). Trunk vertical,
/// right thigh `thigh_deg` forward of vertical, right shank `shank_deg`
/// forward of vertical (segments 100 px), plant (left) ankle at (130, 400).
fn strike(thigh_deg: f32, shank_deg: f32) -> Keypoints {
    let (t, s) = (thigh_deg.to_radians(), shank_deg.to_radians());
    let knee = (100.0 + 100.0 * t.sin(), 200.0 + 100.0 * t.cos());
    let ankle = (knee.0 + 100.0 * s.sin(), knee.1 + 100.0 * s.cos());
    kp(
        &[
            (J::LeftShoulder, 90.0, 100.0),
            (J::RightShoulder, 110.0, 100.0),
            (J::LeftHip, 90.0, 200.0),
            (J::RightHip, 110.0, 200.0),
            (J::LeftKnee, 120.0, 300.0),
            (J::LeftAnkle, 130.0, 400.0),
            (J::RightKnee, knee.0 + 10.0, knee.1),
            (J::RightAnkle, ankle.0 + 10.0, ankle.1),
        ],
        0.9,
    )
}

#[test]
fn interior_angle_known_values() {
    assert_abs_diff_eq!(interior_angle([1.0, 0.0], [0.0, 0.0], [0.0, 1.0]), 90.0, epsilon = 1e-12);
    assert_abs_diff_eq!(interior_angle([1.0, 0.0], [0.0, 0.0], [-1.0, 0.0]), 180.0, epsilon = 1e-12);
    assert_abs_diff_eq!(interior_angle([1.0, 0.0], [0.0, 0.0], [2.0, 0.0]), 0.0, epsilon = 1e-12);
    assert_abs_diff_eq!(interior_angle([1.0, 0.0], [0.0, 0.0], [1.0, 3f64.sqrt()]), 60.0, epsilon = 1e-9);
    assert!(interior_angle([0.0, 0.0], [0.0, 0.0], [1.0, 0.0]).is_nan());
}

#[test]
fn right_angle_knee_and_forward_thigh() {
    // Thigh 45° forward, shank 45° back: the interior knee angle is 90°.
    let k = strike(45.0, -45.0);
    let ankle = k.get(J::RightAnkle);
    let ball = BallObservation::new(f64::from(ankle.x) + 8.0, f64::from(ankle.y), Some(20.0));
    let a = analyze_kick(&k, &ball, &KickConfig::default()).unwrap();
    assert_eq!(a.shooting_foot.foot, Some(Side::Right));
    assert_eq!(a.shooting_foot.flag, Flag::Ok);
    assert_abs_diff_eq!(a.knee_interior_angle.unwrap(), 90.0, epsilon = 1e-3);
    assert_abs_diff_eq!(a.knee_flexion.value.unwrap(), 90.0, epsilon = 1e-3);
    assert_eq!(a.knee_flexion.unit, Unit::Degrees);
    assert_eq!(a.knee_flexion.flag, Flag::High); // default good range is 10..50
    assert_abs_diff_eq!(a.hip_drive.value.unwrap(), 45.0, epsilon = 1e-3);
    assert_eq!(a.hip_drive.flag, Flag::Ok);
    assert_abs_diff_eq!(a.trunk_lean.value.unwrap(), 0.0, epsilon = 1e-9);
    assert_eq!(a.trunk_lean.flag, Flag::Ok);
    assert_abs_diff_eq!(a.knee_flexion.confidence, 0.9);
    let used: Vec<J> = a.knee_flexion.joints.iter().map(|u| u.joint).collect();
    assert_eq!(used, vec![J::RightHip, J::RightKnee, J::RightAnkle]);
}

#[test]
fn straight_leg_is_low_and_thigh_behind_is_negative_drive() {
    // Thigh 20° behind the trunk, shank in line with it: no knee flexion.
    let k = strike(-20.0, -20.0);
    let ankle = k.get(J::RightAnkle);
    let ball = BallObservation::new(f64::from(ankle.x) - 5.0, f64::from(ankle.y) + 5.0, Some(20.0));
    let a = analyze_kick(&k, &ball, &KickConfig { shooting_foot: Some(Side::Right), ..Default::default() })
        .unwrap();
    assert_abs_diff_eq!(a.knee_flexion.value.unwrap(), 0.0, epsilon = 1e-2);
    assert_eq!(a.knee_flexion.flag, Flag::Low);
    // Ball is left of the hips here, so "forward" is -x: the thigh (pointing -x) is ahead.
    assert!(ball.x < 100.0);
    assert_abs_diff_eq!(a.hip_drive.value.unwrap(), 20.0, epsilon = 1e-3);
    let ball_right = BallObservation::new(200.0, 400.0, Some(20.0));
    let b =
        analyze_kick(&k, &ball_right, &KickConfig { shooting_foot: Some(Side::Right), ..Default::default() })
            .unwrap();
    assert_abs_diff_eq!(b.hip_drive.value.unwrap(), -20.0, epsilon = 1e-3);
    assert_eq!(b.hip_drive.flag, Flag::Low);
}

#[test]
fn trunk_lean_sign_follows_the_ball() {
    // Shoulders displaced 100 px right of the hips over 100 px height: 45°.
    let mut k = strike(30.0, 0.0);
    k.set(J::LeftShoulder, Joint { x: 190.0, y: 100.0, score: 0.7 });
    k.set(J::RightShoulder, Joint { x: 210.0, y: 100.0, score: 0.8 });
    let cfg = KickConfig { shooting_foot: Some(Side::Right), ..Default::default() };
    let right = analyze_kick(&k, &BallObservation::new(400.0, 400.0, None), &cfg).unwrap();
    assert_abs_diff_eq!(right.trunk_lean.value.unwrap(), 45.0, epsilon = 1e-9);
    assert_eq!(right.trunk_lean.flag, Flag::High);
    assert_abs_diff_eq!(right.trunk_lean.confidence, 0.7);
    let left = analyze_kick(&k, &BallObservation::new(0.0, 400.0, None), &cfg).unwrap();
    assert_abs_diff_eq!(left.trunk_lean.value.unwrap(), -45.0, epsilon = 1e-9);
    assert_eq!(left.trunk_lean.flag, Flag::Low);
}

#[test]
fn plant_foot_distance_in_ball_diameters_and_metres() {
    let k = strike(30.0, 0.0);
    // Plant (left) ankle at (130, 400); ball 40 px right of it, 20 px across: 2 diameters.
    let ball = BallObservation::new(170.0, 400.0, Some(20.0));
    let a = analyze_kick(&k, &ball, &KickConfig::default()).unwrap();
    assert_eq!(a.shooting_foot.foot, Some(Side::Right));
    assert_abs_diff_eq!(a.plant_foot_distance.value.unwrap(), 2.0, epsilon = 1e-9);
    assert_eq!(a.plant_foot_distance.unit, Unit::BallDiameters);
    assert_eq!(a.plant_foot_distance.flag, Flag::High);
    assert_abs_diff_eq!(a.plant_foot_distance_m.unwrap(), 2.0 * BALL_DIAMETER_M, epsilon = 1e-12);
    // From a metric scale alone: 40 px at 0.005 m/px = 0.2 m = 0.909 ball diameters.
    let ball = BallObservation::new(170.0, 400.0, None);
    let cfg =
        KickConfig { metres_per_pixel: Some(0.005), shooting_foot: Some(Side::Right), ..Default::default() };
    let b = analyze_kick(&k, &ball, &cfg).unwrap();
    assert_abs_diff_eq!(b.plant_foot_distance_m.unwrap(), 0.2, epsilon = 1e-12);
    assert_abs_diff_eq!(b.plant_foot_distance.value.unwrap(), 0.2 / BALL_DIAMETER_M, epsilon = 1e-12);
    assert_eq!(b.plant_foot_distance.flag, Flag::Ok);
    // No scale at all: unreliable, not guessed.
    let c = analyze_kick(&k, &ball, &KickConfig { shooting_foot: Some(Side::Right), ..Default::default() })
        .unwrap();
    assert_eq!(c.plant_foot_distance.flag, Flag::Unreliable);
    assert_eq!(c.plant_foot_distance.value, None);
    assert!(c.plant_foot_distance.note.unwrap().contains("no scale"));
}

#[test]
fn low_confidence_joint_is_reported_not_guessed() {
    let mut k = strike(30.0, 0.0);
    let mut knee = k.get(J::RightKnee);
    knee.score = 0.2;
    k.set(J::RightKnee, knee);
    let ball = BallObservation::new(150.0, 390.0, Some(20.0));
    let a = analyze_kick(&k, &ball, &KickConfig::default()).unwrap();
    assert_eq!(a.shooting_foot.foot, Some(Side::Right)); // ankles are fine
    for m in [&a.knee_flexion, &a.hip_drive] {
        assert_eq!(m.flag, Flag::Unreliable);
        assert_eq!(m.value, None);
        assert!(m.note.as_deref().unwrap().contains("right_knee score 0.20"), "{:?}", m.note);
        assert_abs_diff_eq!(m.confidence, 0.2);
    }
    assert_eq!(a.knee_interior_angle, None);
    assert!(a.trunk_lean.value.is_some());
    assert!(a.plant_foot_distance.value.is_some());
    // With a stricter threshold everything goes.
    let strict = KickConfig { min_score: 0.95, ..Default::default() };
    let b = analyze_kick(&k, &ball, &strict).unwrap();
    assert_eq!(b.shooting_foot.foot, None);
    assert_eq!(b.shooting_foot.flag, Flag::Unreliable);
    for m in [&b.knee_flexion, &b.trunk_lean, &b.hip_drive, &b.plant_foot_distance] {
        assert_eq!((m.flag, m.value), (Flag::Unreliable, None));
    }
}

#[test]
fn ambiguous_foot_is_not_called() {
    let k = strike(0.0, 0.0);
    // Ankles at (130, 400) and (110, 400): a ball midway between is ambiguous.
    let a =
        analyze_kick(&k, &BallObservation::new(120.0, 420.0, Some(20.0)), &KickConfig::default()).unwrap();
    assert_eq!(a.shooting_foot.foot, None);
    assert!(a.shooting_foot.note.unwrap().starts_with("ambiguous"));
    assert_eq!(a.knee_flexion.flag, Flag::Unreliable);
    assert_abs_diff_eq!(a.shooting_foot.left_ankle_to_ball_px.unwrap(), 500f64.sqrt(), epsilon = 1e-9);
}

#[test]
fn non_finite_keypoints_are_unreliable_and_bad_inputs_are_errors() {
    let mut k = strike(30.0, 0.0);
    k.set(J::LeftHip, Joint { x: f32::NAN, y: 200.0, score: 0.99 });
    let ball = BallObservation::new(150.0, 390.0, Some(20.0));
    let a = analyze_kick(&k, &ball, &KickConfig::default()).unwrap();
    assert_eq!(a.trunk_lean.flag, Flag::Unreliable);
    assert!(a.trunk_lean.note.unwrap().contains("left_hip has a non-finite position"));

    let bad = |b: BallObservation, c: KickConfig| analyze_kick(&k, &b, &c).unwrap_err();
    assert!(matches!(
        bad(BallObservation::new(f64::NAN, 0.0, None), KickConfig::default()),
        PoseError::InvalidInput { what: "ball", .. }
    ));
    assert!(matches!(
        bad(BallObservation::new(0.0, 0.0, Some(0.0)), KickConfig::default()),
        PoseError::InvalidInput { what: "ball", .. }
    ));
    assert!(matches!(
        bad(ball, KickConfig { min_score: f32::NAN, ..Default::default() }),
        PoseError::InvalidInput { what: "min_score", .. }
    ));
    assert!(matches!(
        bad(ball, KickConfig { metres_per_pixel: Some(-1.0), ..Default::default() }),
        PoseError::InvalidInput { what: "metres_per_pixel", .. }
    ));
    let mut c = KickConfig::default();
    c.knee_flexion.min = 90.0;
    assert!(matches!(bad(ball, c), PoseError::InvalidInput { what: "knee_flexion range", .. }));
}

#[test]
fn analysis_round_trips_through_json() {
    let k = strike(30.0, -10.0);
    let a =
        analyze_kick(&k, &BallObservation::new(150.0, 395.0, Some(20.0)), &KickConfig::default()).unwrap();
    let json = serde_json::to_string_pretty(&a).unwrap();
    assert!(json.contains("\"shooting_foot\""));
    assert!(json.contains("\"unit\": \"degrees\""));
    assert!(json.contains("right_knee") || json.contains("RightKnee"));
    let back: touchline_pose::KickAnalysis = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a); // exact with serde_json's float_roundtrip

    // Every default range names its source, and the unsourced ones say so.
    let c = KickConfig::default();
    for r in [&c.knee_flexion, &c.trunk_lean, &c.hip_drive, &c.plant_foot_distance] {
        assert!(r.source.len() > 20 && r.min < r.max);
    }
    assert!(c.trunk_lean.source.starts_with("heuristic"));
}

#[test]
fn blazepose_mapping_matches_mediapipe_names() {
    // MediaPipe Pose landmark names, in index order.
    const NAMES: [&str; 33] = [
        "nose",
        "left_eye_inner",
        "left_eye",
        "left_eye_outer",
        "right_eye_inner",
        "right_eye",
        "right_eye_outer",
        "left_ear",
        "right_ear",
        "mouth_left",
        "mouth_right",
        "left_shoulder",
        "right_shoulder",
        "left_elbow",
        "right_elbow",
        "left_wrist",
        "right_wrist",
        "left_pinky",
        "right_pinky",
        "left_index",
        "right_index",
        "left_thumb",
        "right_thumb",
        "left_hip",
        "right_hip",
        "left_knee",
        "right_knee",
        "left_ankle",
        "right_ankle",
        "left_heel",
        "right_heel",
        "left_foot_index",
        "right_foot_index",
    ];
    for (j, &b) in J::ALL.iter().zip(blazepose::BLAZEPOSE33_FOR_COCO17.iter()) {
        assert_eq!(NAMES[b], j.name());
    }
    let pts: Vec<Joint> = (0..33).map(|i| Joint { x: i as f32, y: 2.0 * i as f32, score: 0.5 }).collect();
    let k = blazepose::from_blazepose33(&pts).unwrap();
    assert_eq!(k.get(J::RightHip).x, 24.0);
    assert!(matches!(blazepose::from_blazepose33(&pts[..32]), Err(PoseError::InvalidInput { .. })));
}

fn arb_kp() -> impl Strategy<Value = Keypoints> {
    let v = prop_oneof![8 => -1000.0f32..1000.0, 1 => Just(f32::NAN), 1 => Just(f32::INFINITY)];
    prop::collection::vec((v.clone(), v, 0.0f32..1.0), 17).prop_map(|js| {
        let mut k = Keypoints::default();
        for (j, (x, y, s)) in J::ALL.into_iter().zip(js) {
            k.set(j, Joint { x, y, score: s });
        }
        k
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary keypoints never panic; every value is finite or absent, and
    /// an absent value is always flagged unreliable.
    #[test]
    fn never_panics(k in arb_kp(), bx in -1000.0f64..1000.0, by in -1000.0f64..1000.0) {
        let a = analyze_kick(&k, &BallObservation::new(bx, by, Some(22.0)), &KickConfig::default()).unwrap();
        for m in [&a.knee_flexion, &a.trunk_lean, &a.hip_drive, &a.plant_foot_distance] {
            match m.value {
                Some(v) => prop_assert!(v.is_finite() && m.flag != Flag::Unreliable),
                None => prop_assert_eq!(m.flag, Flag::Unreliable),
            }
        }
        if let Some(v) = a.knee_flexion.value { prop_assert!((0.0..=180.0).contains(&v)); }
    }

    /// Angles do not change under rotation-free similarity (shift and uniform
    /// scale); the ball-diameter distance does not either.
    #[test]
    fn invariant_under_shift_and_scale(thigh in -60.0f32..80.0, shank in -80.0f32..60.0,
                                       dx in -500.0f32..500.0, dy in -500.0f32..500.0, s in 0.2f32..5.0) {
        let k = strike(thigh, shank);
        let ball = BallObservation::new(170.0, 410.0, Some(20.0));
        let cfg = KickConfig { shooting_foot: Some(Side::Right), ..Default::default() };
        let a = analyze_kick(&k, &ball, &cfg).unwrap();
        let mut k2 = k;
        for j in k2.joints.iter_mut() { j.x = j.x * s + dx; j.y = j.y * s + dy; }
        let (s, dx, dy) = (f64::from(s), f64::from(dx), f64::from(dy));
        let ball2 = BallObservation::new(170.0 * s + dx, 410.0 * s + dy, Some(20.0 * s));
        let b = analyze_kick(&k2, &ball2, &cfg).unwrap();
        for (m, n) in [(&a.knee_flexion, &b.knee_flexion), (&a.trunk_lean, &b.trunk_lean),
                       (&a.hip_drive, &b.hip_drive), (&a.plant_foot_distance, &b.plant_foot_distance)] {
            let (p, q) = (m.value.unwrap(), n.value.unwrap());
            prop_assert!((p - q).abs() < 1e-2, "{} vs {}", p, q);
        }
        prop_assert!((a.knee_flexion.value.unwrap() - f64::from((thigh - shank).abs())).abs() < 1e-2);
    }

    /// Mirroring the image (x -> -x) keeps every value: the signs are relative to the ball.
    #[test]
    fn mirror_symmetric(thigh in -60.0f32..80.0, shank in -80.0f32..60.0, lean in -40.0f32..40.0) {
        let mut k = strike(thigh, shank);
        let off = 100.0 * lean.to_radians().tan();
        for j in [J::LeftShoulder, J::RightShoulder] {
            let mut p = k.get(j); p.x += off; k.set(j, p);
        }
        let ball = BallObservation::new(170.0, 410.0, Some(20.0));
        let cfg = KickConfig { shooting_foot: Some(Side::Right), ..Default::default() };
        let a = analyze_kick(&k, &ball, &cfg).unwrap();
        let mut m = k;
        for j in m.joints.iter_mut() { j.x = -j.x; }
        let b = analyze_kick(&m, &BallObservation::new(-170.0, 410.0, Some(20.0)), &cfg).unwrap();
        prop_assert!((a.trunk_lean.value.unwrap() - f64::from(lean)).abs() < 1e-3);
        for (p, q) in [(&a.knee_flexion, &b.knee_flexion), (&a.trunk_lean, &b.trunk_lean),
                       (&a.hip_drive, &b.hip_drive), (&a.plant_foot_distance, &b.plant_foot_distance)] {
            prop_assert!((p.value.unwrap() - q.value.unwrap()).abs() < 1e-6);
        }
    }
}
