//! Drawing on synthetic images: colours where they belong, nothing where they don't, no panics.

use image::{Rgb, RgbImage};
use proptest::prelude::*;
use touchline_core::{BBox, CocoJoint, Detection, Joint, Keypoints, Label, Team, Track, TrackPoint};
use touchline_render::{Annotator, AnnotatorConfig, BallTrail, RenderError};

const GRASS: Rgb<u8> = Rgb([40, 120, 40]);

fn grass(w: u32, h: u32) -> RgbImage {
    RgbImage::from_pixel(w, h, GRASS)
}

fn bbox(x1: f32, y1: f32, x2: f32, y2: f32) -> BBox {
    BBox { x1, y1, x2, y2 }
}

#[test]
fn box_border_has_team_colour_and_interior_is_untouched() {
    let a = Annotator::new(AnnotatorConfig { line_width: 3, ..Default::default() }).unwrap();
    let mut img = grass(200, 150);
    let away = a.config().palette.color(Team::Away);
    a.draw_box(&mut img, &bbox(50.0, 60.0, 120.0, 140.0), away, Some("#12"));
    for y in [60, 100, 139] {
        for x in [50, 52, 117, 119] {
            assert_eq!(*img.get_pixel(x, y), away, "({x},{y})");
        }
    }
    for x in [50, 85, 119] {
        assert_eq!(*img.get_pixel(x, 62), away);
        assert_eq!(*img.get_pixel(x, 137), away);
    }
    assert_eq!(*img.get_pixel(53, 100), GRASS, "border is 3 px, not more");
    assert_eq!(*img.get_pixel(85, 100), GRASS);
    assert_eq!(*img.get_pixel(49, 100), GRASS);
    assert_eq!(*img.get_pixel(120, 100), GRASS);
    // The label sits above the box in the team colour, with white text on the blue.
    let above: Vec<_> = (50..80).map(|x| *img.get_pixel(x, 50)).collect();
    assert!(above.contains(&Rgb([255, 255, 255])), "label text above the box");
}

#[test]
fn boxes_outside_the_image_clip_or_draw_nothing() {
    let a = Annotator::default();
    let red = a.config().palette.home;
    let mut img = grass(64, 48);
    for b in [bbox(-500.0, -500.0, -10.0, -10.0), bbox(100.0, 0.0, 200.0, 40.0), bbox(0.0, 60.0, 10.0, 90.0)]
    {
        a.draw_box(&mut img, &b, red, Some("#1"));
    }
    assert!(img.pixels().all(|p| *p == GRASS), "a box wholly outside drew something");
    a.draw_box(&mut img, &bbox(-30.0, 10.0, 20.0, 80.0), red, Some("#2"));
    assert_eq!(*img.get_pixel(19, 30), red, "right edge of a partly visible box");
    assert_eq!(*img.get_pixel(10, 47), GRASS, "bottom edge is outside");
}

#[test]
fn detections_and_tracks_use_ids_team_colours_and_ball_rings() {
    let a = Annotator::default();
    let mut img = grass(160, 120);
    let mut det = Detection::new(Label::Player, 0.9, bbox(10.0, 30.0, 40.0, 100.0));
    det.track_id = Some(4);
    a.draw_detection(&mut img, &det, Team::Home);
    assert_eq!(*img.get_pixel(10, 60), a.config().palette.home);
    let ball = Detection::new(Label::Ball, 0.8, bbox(100.0, 60.0, 110.0, 70.0));
    a.draw_detection(&mut img, &ball, Team::Unknown);
    assert_eq!(*img.get_pixel(105, 65), GRASS, "ball ring is hollow");
    let ring = (0..160).filter(|&x| *img.get_pixel(x, 65) == a.config().palette.ball).count();
    assert!(ring >= 2, "ring crosses the ball's row");

    let track = Track {
        id: 9,
        label: Label::Player,
        team: Team::Away,
        points: [2usize, 3, 5]
            .iter()
            .map(|&f| TrackPoint {
                frame: f,
                timestamp: f as f64 / 25.0,
                bbox: bbox(60.0, 20.0, 90.0, 80.0),
                score: 0.9,
            })
            .collect(),
    };
    let mut img = grass(160, 120);
    assert!(!a.draw_track(&mut img, &track, 4));
    assert!(img.pixels().all(|p| *p == GRASS));
    assert_eq!(a.draw_tracks(&mut img, std::slice::from_ref(&track), 5), 1);
    assert_eq!(*img.get_pixel(60, 50), a.config().palette.away);
}

#[test]
fn trail_fades_and_skips_gaps() {
    let a = Annotator::new(AnnotatorConfig { line_width: 3, trail_length: 6, ..Default::default() }).unwrap();
    let ball = a.config().palette.ball;
    let mut trail = a.new_trail();
    for p in [[10.0, 50.0], [30.0, 50.0], [50.0, 50.0]] {
        trail.push(Some(p));
    }
    trail.push(None);
    trail.push(None);
    trail.push(Some([150.0, 50.0]));
    trail.push(Some([170.0, 50.0])); // pushes the oldest out (capacity 6)
    assert_eq!(trail.points().len(), 6);
    assert_eq!(trail.points().next(), Some(Some([30.0, 50.0])));
    let mut img = grass(200, 100);
    a.draw_trail(&mut img, &trail);
    assert_eq!(*img.get_pixel(170, 50), ball, "newest point fully opaque");
    let old = *img.get_pixel(30, 50);
    assert!(old != ball && old != GRASS, "oldest point blended: {old:?}");
    assert!(*img.get_pixel(40, 50) != GRASS, "segment between consecutive sightings");
    assert_eq!(*img.get_pixel(100, 50), GRASS, "no line across frames without the ball");
    assert_eq!(*img.get_pixel(10, 50), GRASS, "dropped point not drawn");
}

#[test]
fn trail_from_track_aligns_frames() {
    let pt = |f: usize, x: f32| TrackPoint {
        frame: f,
        timestamp: 0.0,
        bbox: bbox(x - 2.0, 8.0, x + 2.0, 12.0),
        score: 1.0,
    };
    let track = Track {
        id: 0,
        label: Label::Ball,
        team: Team::Ball,
        points: vec![pt(1, 10.0), pt(3, 30.0), pt(4, 40.0), pt(9, 90.0)],
    };
    let t = BallTrail::from_track(&track, 4, 3);
    assert_eq!(t.points().collect::<Vec<_>>(), vec![None, Some([30.0, 10.0]), Some([40.0, 10.0])]);
    let t = BallTrail::from_track(&track, 1, 5);
    assert_eq!(t.points().collect::<Vec<_>>(), vec![None, Some([10.0, 10.0])]);
    assert_eq!(BallTrail::from_track(&track, 4, 0).points().len(), 0);
}

fn standing(score_left_ankle: f32) -> Keypoints {
    let mut k = Keypoints::default();
    let pts = [
        (CocoJoint::LeftShoulder, 80.0, 40.0),
        (CocoJoint::RightShoulder, 120.0, 40.0),
        (CocoJoint::LeftHip, 85.0, 100.0),
        (CocoJoint::RightHip, 115.0, 100.0),
        (CocoJoint::LeftKnee, 85.0, 140.0),
        (CocoJoint::RightKnee, 115.0, 140.0),
        (CocoJoint::LeftAnkle, 85.0, 180.0),
        (CocoJoint::RightAnkle, 115.0, 180.0),
    ];
    for (j, x, y) in pts {
        k.set(j, Joint { x, y, score: 0.9 });
    }
    k.set(CocoJoint::LeftAnkle, Joint { x: 85.0, y: 180.0, score: score_left_ankle });
    k
}

#[test]
fn skeleton_bones_only_between_confident_joints() {
    let a = Annotator::default();
    let cfg = *a.config();
    let mut img = grass(200, 200);
    a.draw_skeleton(&mut img, &standing(0.1));
    assert_eq!(*img.get_pixel(100, 40), cfg.skeleton, "shoulder line");
    assert_eq!(*img.get_pixel(115, 160), cfg.skeleton, "right shin");
    assert_eq!(*img.get_pixel(85, 160), GRASS, "no bone to the low-confidence left ankle");
    assert_eq!(*img.get_pixel(85, 180), GRASS, "low-confidence joint is hollow");
    let ring = (70..100).filter(|&x| *img.get_pixel(x, 180) == cfg.low_confidence).count();
    assert!(ring >= 2, "grey ring around the low-confidence joint");
    // Joints missing entirely (score 0 at the origin) draw a grey ring there, never a bone.
    assert_ne!(*img.get_pixel(20, 20), cfg.skeleton);
}

#[test]
fn joint_angle_label_next_to_the_joint() {
    let a = Annotator::default();
    let cfg = *a.config();
    let kp = standing(0.9);
    let mut img = grass(200, 200);
    assert!(a.draw_joint_angle(&mut img, &kp, CocoJoint::RightKnee, "knee", 35.0));
    let bg = (120..200)
        .flat_map(|x| (125..155).map(move |y| (x, y)))
        .filter(|&(x, y)| *img.get_pixel(x, y) != GRASS);
    assert!(bg.count() > 200, "label drawn to the right of the knee");
    let mut nan = kp;
    nan.set(CocoJoint::RightKnee, Joint { x: f32::NAN, y: 1.0, score: 1.0 });
    let mut img = grass(200, 200);
    assert!(!a.draw_joint_angle(&mut img, &nan, CocoJoint::RightKnee, "knee", 35.0));
    assert!(img.pixels().all(|p| *p == GRASS));
    // A low-confidence joint gets the grey background.
    let mut img = grass(200, 200);
    assert!(a.draw_joint_angle(&mut img, &standing(0.1), CocoJoint::LeftAnkle, "ankle", 90.0));
    let grey = img.pixels().filter(|p| **p == cfg.low_confidence).count();
    assert!(grey > 100, "grey label for the low-confidence ankle: {grey} px");
}

#[test]
fn possession_and_goal_banners() {
    let a = Annotator::default();
    let mut img = grass(320, 180);
    a.draw_possession(&mut img, Team::Away, Some(10));
    let away = a.config().palette.away;
    let near = |p: &Rgb<u8>, q: Rgb<u8>| p.0.iter().zip(q.0).all(|(a, b)| a.abs_diff(b) <= 20);
    assert!(near(img.get_pixel(10, 9), away), "{:?}", img.get_pixel(10, 9));
    a.draw_goal_banner(&mut img, Some("12.4 S"));
    let gold = (0..320).filter(|&x| near(img.get_pixel(x, 20), Rgb([255, 200, 0]))).count();
    assert!(gold > 100, "banner across the top: {gold}");
    a.draw_caption(&mut img, "FRAME 12");
    assert!((0..100).any(|x| *img.get_pixel(x, 170) != GRASS));
}

#[test]
fn config_is_validated() {
    for cfg in [
        AnnotatorConfig { line_width: 0, ..Default::default() },
        AnnotatorConfig { font_scale: 9, ..Default::default() },
        AnnotatorConfig { min_joint_score: f32::NAN, ..Default::default() },
        AnnotatorConfig { min_joint_score: 1.5, ..Default::default() },
    ] {
        assert!(matches!(Annotator::new(cfg), Err(RenderError::InvalidParameter { .. })));
    }
}

fn any_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        -300.0f32..300.0,
        Just(f32::NAN),
        Just(f32::INFINITY),
        Just(f32::NEG_INFINITY),
        Just(f32::MAX),
        Just(f32::MIN),
        Just(-0.0f32),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn drawing_never_panics(
        w in 1u32..40, h in 1u32..40,
        boxes in proptest::collection::vec((any_f32(), any_f32(), any_f32(), any_f32()), 0..6),
        joints in proptest::collection::vec((any_f32(), any_f32(), any_f32()), 17),
        trail in proptest::collection::vec(proptest::option::of((any_f32(), any_f32())), 0..12),
        lw in 1u32..8, scale in 1u32..4, score in any_f32(), deg in any_f32(),
    ) {
        let a = Annotator::new(AnnotatorConfig { line_width: lw, font_scale: scale, ..Default::default() }).unwrap();
        let mut img = grass(w, h);
        for (i, &(x1, y1, x2, y2)) in boxes.iter().enumerate() {
            let b = bbox(x1, y1, x2, y2);
            a.draw_box(&mut img, &b, Rgb([255, 0, 0]), Some("#99 ÄÖ?"));
            let mut d = Detection::new(if i % 2 == 0 { Label::Ball } else { Label::Other("x".repeat(40)) }, score, b);
            d.track_id = (i % 3 == 0).then_some(u64::MAX);
            a.draw_detection(&mut img, &d, Team::Officials);
        }
        let mut kp = Keypoints::default();
        for (j, &(x, y, s)) in CocoJoint::ALL.iter().zip(&joints) {
            kp.set(*j, Joint { x, y, score: s });
        }
        a.draw_skeleton(&mut img, &kp);
        a.draw_joint_angle(&mut img, &kp, CocoJoint::LeftKnee, "knee", deg);
        let pts: Vec<Option<[f32; 2]>> = trail.iter().map(|p| p.map(|(x, y)| [x, y])).collect();
        a.draw_trail_points(&mut img, &pts);
        a.draw_possession(&mut img, Team::Home, Some(7));
        a.draw_goal_banner(&mut img, Some("a long detail that does not fit"));
        a.draw_caption(&mut img, "");
        a.draw_label(&mut img, score, deg, "x", Rgb([0, 0, 0]));
        prop_assert_eq!(img.dimensions(), (w, h));
    }
}
