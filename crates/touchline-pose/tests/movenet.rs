//! MoveNet on real photos from `../shared/images`: the skier (000000000785.jpg,
//! 640x425, facing the camera) and the baseball batter (000000006471.jpg,
//! 500x333, facing the camera, hands on the bat at about (294, 100), bat tip
//! at about (360, 31)). Person boxes read off the images by eye.
#![cfg(feature = "movenet")]

use touchline_core::{BBox, CocoJoint as J, Frame, Keypoints, PoseEstimator};
use touchline_onnx::{OnnxError, SessionConfig};
use touchline_pose::PoseError;
use touchline_pose::biomech::{BallObservation, Flag, KickConfig, Side, analyze_kick, interior_angle};
use touchline_pose::movenet::{MoveNetMulti, MoveNetSingle, Square, crop_to_input};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/");

fn asset(rel: &str) -> String {
    let p = format!("{SHARED}{rel}");
    assert!(std::path::Path::new(&p).exists(), "missing test asset {p:?}");
    p
}

fn frame(name: &str) -> Frame {
    let img = image::open(asset(&format!("images/{name}"))).expect("decodable jpeg").to_rgb8();
    Frame::new(0, 0.0, img)
}

fn cfg() -> SessionConfig {
    SessionConfig::default().intra_threads(2)
}

fn skier() -> (Frame, BBox) {
    (frame("000000000785.jpg"), BBox::new(270.0, 40.0, 500.0, 395.0).unwrap())
}

fn batter() -> (Frame, BBox) {
    (frame("000000006471.jpg"), BBox::new(255.0, 65.0, 360.0, 300.0).unwrap())
}

fn xy(k: &Keypoints, j: J) -> [f64; 2] {
    let p = k.get(j);
    [f64::from(p.x), f64::from(p.y)]
}

fn knee_flexion(k: &Keypoints, side: Side) -> f64 {
    let (h, kn, a) = side.leg();
    180.0 - interior_angle(xy(k, h), xy(k, kn), xy(k, a))
}

fn trunk_lean_abs(k: &Keypoints) -> f64 {
    let sh = [
        (xy(k, J::LeftShoulder)[0] + xy(k, J::RightShoulder)[0]) / 2.0,
        (xy(k, J::LeftShoulder)[1] + xy(k, J::RightShoulder)[1]) / 2.0,
    ];
    let hip = [
        (xy(k, J::LeftHip)[0] + xy(k, J::RightHip)[0]) / 2.0,
        (xy(k, J::LeftHip)[1] + xy(k, J::RightHip)[1]) / 2.0,
    ];
    (sh[0] - hip[0]).atan2(hip[1] - sh[1]).to_degrees().abs()
}

/// Standing-person anatomy in image coordinates (y down), for someone facing
/// the camera: ankles below knees below hips below shoulders, the nose above the shoulder line,
/// the person's left on the image right, all inside the (slightly grown) box.
fn assert_upright_anatomy(k: &Keypoints, b: &BBox, what: &str) {
    let y = |j| k.get(j).y;
    let x = |j| k.get(j).x;
    for (hip, knee, ankle) in [Side::Left.leg(), Side::Right.leg()] {
        assert!(y(ankle) > y(knee) && y(knee) > y(hip), "{what}: {:?} leg not stacked: {k:?}", hip);
    }
    for (s, h) in [(J::LeftShoulder, J::LeftHip), (J::RightShoulder, J::RightHip)] {
        assert!(y(s) < y(h) - 30.0, "{what}: shoulder not above hip");
    }
    // Nose above the shoulder line's middle (the batter's raised right shoulder reaches nose height).
    assert!(y(J::Nose) < (y(J::LeftShoulder) + y(J::RightShoulder)) / 2.0, "{what}: nose");
    assert!(x(J::LeftHip) > x(J::RightHip) && x(J::LeftShoulder) > x(J::RightShoulder), "{what}: facing");
    for j in J::ALL {
        let p = k.get(j);
        assert!((0.0..=1.0).contains(&p.score), "{what}: {} score {}", j.name(), p.score);
        assert!(
            p.x > b.x1 - 15.0 && p.x < b.x2 + 15.0 && p.y > b.y1 - 15.0 && p.y < b.y2 + 15.0,
            "{what}: {} at ({}, {}) outside {b:?}",
            j.name(),
            p.x,
            p.y
        );
    }
    for j in [J::LeftHip, J::RightHip, J::LeftKnee, J::RightKnee, J::LeftAnkle, J::RightAnkle] {
        assert!(k.get(j).score > 0.3, "{what}: {} score {}", j.name(), k.get(j).score);
    }
}

#[test]
fn crop_sampling_is_exact_on_an_aligned_square_and_zero_outside() {
    let mut img = image::RgbImage::new(4, 4);
    for (x, y, p) in img.enumerate_pixels_mut() {
        *p = image::Rgb([(x * 60) as u8, (y * 60) as u8, 7]);
    }
    let f = Frame::new(3, 0.1, img);
    let same = crop_to_input(&f, &Square { x0: 0.0, y0: 0.0, side: 4.0 }, 4);
    assert_eq!(&same[..6], &[0, 0, 7, 60, 0, 7]);
    assert_eq!(&same[(3 * 4 + 3) * 3..], &[180, 180, 7]);
    // A square twice the frame: the right and bottom halves are outside the frame.
    let big = crop_to_input(&f, &Square { x0: 0.0, y0: 0.0, side: 8.0 }, 4);
    assert_eq!(&big[(3 * 4 + 3) * 3..], &[0, 0, 0]);
    let sq = Square::around(&BBox::new(10.0, 20.0, 30.0, 100.0).unwrap());
    assert_eq!((sq.side, sq.x0, sq.y0), (100.0, -30.0, 10.0));
    assert_eq!(sq.to_frame(0.5, 0.5), [20.0, 60.0]);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

    /// A bright blob sampled into the model input and mapped back with
    /// `Square::to_frame` lands where it was: crop and back-mapping agree to
    /// within one input pixel (no half-pixel or scale slip).
    #[test]
    fn crop_and_back_mapping_agree(px in 5u32..195, py in 5u32..145,
                                   x1 in -50.0f32..150.0, y1 in -50.0f32..100.0,
                                   w in 20.0f32..200.0, h in 20.0f32..200.0, size in 64usize..200) {
        let mut img = image::RgbImage::new(200, 150);
        for dy in 0..3 { for dx in 0..3 { img.put_pixel(px - 1 + dx, py - 1 + dy, image::Rgb([255, 255, 255])); } }
        let f = Frame::new(0, 0.0, img);
        let sq = Square::around(&BBox::new(x1, y1, x1 + w, y1 + h).unwrap());
        let inside = |v: f32, lo: f32| v > lo + 2.0 && v < lo + sq.side - 2.0;
        proptest::prop_assume!(inside(px as f32 + 0.5, sq.x0) && inside(py as f32 + 0.5, sq.y0));
        let input = crop_to_input(&f, &sq, size);
        // Intensity-weighted centroid of the sampled blob, in input pixels.
        let (mut sw, mut sx, mut sy) = (0.0f64, 0.0f64, 0.0f64);
        for i in 0..size {
            for j in 0..size {
                let v = f64::from(input[(i * size + j) * 3]);
                sw += v;
                sx += v * (j as f64 + 0.5);
                sy += v * (i as f64 + 0.5);
            }
        }
        proptest::prop_assert!(sw > 0.0);
        let [x, y] = sq.to_frame((sx / sw / size as f64) as f32, (sy / sw / size as f64) as f32);
        let tol = 0.5 * sq.side / size as f32 + 0.3;
        proptest::prop_assert!((x - (px as f32 + 0.5)).abs() <= tol, "x {} vs {}", x, px);
        proptest::prop_assert!((y - (py as f32 + 0.5)).abs() <= tol, "y {} vs {}", y, py);
    }
}

#[test]
fn thunder_and_lightning_find_the_joints() {
    let mut thunder =
        MoveNetSingle::load(asset("models/movenet_single/movenet_thunder.onnx"), &cfg()).unwrap();
    assert_eq!(thunder.input_size(), 256);
    let (ski, ski_box) = skier();
    let (bat, bat_box) = batter();

    let k = thunder.estimate(&ski, &ski_box).unwrap();
    assert_upright_anatomy(&k, &ski_box, "skier/thunder");
    // Skiing stance: both knees bent, trunk leaning forward a little.
    for s in [Side::Left, Side::Right] {
        let f = knee_flexion(&k, s);
        assert!((15.0..80.0).contains(&f), "skier {s:?} knee flexion {f}");
    }
    let lean = trunk_lean_abs(&k);
    assert!((5.0..35.0).contains(&lean), "skier trunk lean {lean}");
    // Her left ankle (image right, the front boot) is at about (470, 360).
    let la = xy(&k, J::LeftAnkle);
    assert!((la[0] - 470.0).abs() < 25.0 && (la[1] - 360.0).abs() < 25.0, "left ankle {la:?}");

    let kb = thunder.estimate(&bat, &bat_box).unwrap();
    assert_upright_anatomy(&kb, &bat_box, "batter/thunder");
    // Batting stance: legs nearly straight, trunk upright.
    for s in [Side::Left, Side::Right] {
        let f = knee_flexion(&kb, s);
        assert!((0.0..35.0).contains(&f), "batter {s:?} knee flexion {f}");
    }
    assert!(trunk_lean_abs(&kb) < 15.0);
    // Both wrists are at the hands on the bat handle.
    for w in [J::LeftWrist, J::RightWrist] {
        let p = xy(&kb, w);
        let d = (p[0] - 294.0).hypot(p[1] - 100.0);
        assert!(d < 30.0, "batter {} at {p:?}, {d:.1} px from the hands", w.name());
    }
    // The bat rises from the hands; the left elbow hangs below them.
    assert!(xy(&kb, J::LeftElbow)[1] > 100.0);

    // Lightning agrees with Thunder on the big joints of the skier.
    let mut lightning =
        MoveNetSingle::load(asset("models/movenet_single/movenet_lightning.onnx"), &cfg()).unwrap();
    assert_eq!(lightning.input_size(), 192);
    let kl = lightning.estimate(&ski, &ski_box).unwrap();
    assert_upright_anatomy(&kl, &ski_box, "skier/lightning");
    for j in [J::LeftHip, J::RightHip, J::LeftKnee, J::RightKnee, J::LeftAnkle, J::RightAnkle] {
        let (a, b) = (xy(&k, j), xy(&kl, j));
        assert!((a[0] - b[0]).hypot(a[1] - b[1]) < 20.0, "{}: {a:?} vs {b:?}", j.name());
    }

    // Real keypoints through the biomechanics: a ball at the skier's left boot
    // makes the left the "shooting" foot; the knee angle is the one measured above
    // and the confidence is the lowest of the three leg scores.
    let ball = BallObservation::new(la[0] + 10.0, la[1] + 10.0, Some(20.0));
    let a = analyze_kick(&k, &ball, &KickConfig::default()).unwrap();
    assert_eq!(a.shooting_foot.foot, Some(Side::Left));
    assert!((a.knee_flexion.value.unwrap() - knee_flexion(&k, Side::Left)).abs() < 1e-3);
    let leg_min =
        [J::LeftHip, J::LeftKnee, J::LeftAnkle].map(|j| k.get(j).score).into_iter().fold(1.0, f32::min);
    assert_eq!(a.knee_flexion.confidence, leg_min);
    assert_ne!(a.trunk_lean.flag, Flag::Unreliable);
}

#[test]
fn multipose_finds_the_batter_and_the_others() {
    let path = asset("models/movenet_multipose/movenet_multipose_lightning_256.onnx");
    let mut multi = MoveNetMulti::load(path, 256, &cfg()).unwrap();
    let (bat, bat_box) = batter();
    let all = multi.estimate_all(&bat).unwrap();
    // Umpire, catcher and batter at least; best first.
    assert!(all.len() >= 3, "{} people", all.len());
    assert!(all.windows(2).all(|w| w[0].score >= w[1].score));
    let best = all.iter().map(|p| p.bbox.iou(&bat_box)).fold(0.0f32, f32::max);
    assert!(best > 0.6, "batter box IoU {best}");
    // Through the trait: the crop around the batter's box.
    let k = multi.estimate(&bat, &bat_box).unwrap();
    assert_upright_anatomy(&k, &bat_box, "batter/multipose");
    // A box on empty grass has nobody in it.
    let grass = BBox::new(420.0, 180.0, 460.0, 230.0).unwrap();
    match multi.estimate(&bat, &grass) {
        Err(PoseError::NoPerson { bbox, .. }) => assert_eq!(bbox, grass),
        Ok(k) => panic!("found someone on the grass: {k:?}"),
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[test]
fn missing_or_wrong_models_and_bad_boxes_are_typed_errors() {
    let e = MoveNetSingle::load("/nonexistent/movenet.onnx", &cfg()).unwrap_err();
    assert!(matches!(e, PoseError::Onnx(OnnxError::ModelMissing { .. })), "{e}");
    assert!(e.to_string().contains("/nonexistent/movenet.onnx"));
    // Not an ONNX file at all.
    let notes = asset("models/movenet_single/NOTES.md");
    let e = MoveNetSingle::load(&notes, &cfg()).unwrap_err();
    assert!(matches!(e, PoseError::Onnx(OnnxError::ModelInvalid { .. })), "{e}");
    // The multipose model is not a single-pose model.
    let multi = asset("models/movenet_multipose/movenet_multipose_lightning_256.onnx");
    let e = MoveNetSingle::load(&multi, &cfg()).unwrap_err();
    assert!(matches!(e, PoseError::Onnx(OnnxError::ContractMismatch { .. })), "{e}");
    let e = MoveNetMulti::load(&multi, 250, &cfg()).unwrap_err();
    assert!(matches!(e, PoseError::InvalidInput { .. }), "{e}");

    let mut m = MoveNetSingle::load(asset("models/movenet_single/movenet_lightning.onnx"), &cfg()).unwrap();
    let (ski, _) = skier();
    let outside = BBox::new(700.0, 10.0, 800.0, 100.0).unwrap();
    let e = m.estimate(&ski, &outside).unwrap_err();
    assert!(matches!(e, PoseError::InvalidInput { what: "person box", .. }), "{e}");
    let nan = BBox { x1: f32::NAN, y1: 0.0, x2: 10.0, y2: 10.0 };
    assert!(m.estimate(&ski, &nan).is_err());
    let empty = Frame::new(9, 0.0, image::RgbImage::new(0, 0));
    let e = m.estimate(&empty, &BBox::new(0.0, 0.0, 1.0, 1.0).unwrap()).unwrap_err();
    assert!(e.to_string().contains("frame 9"), "{e}");
}

/// Per-crop latency of each model (the runtime is a prebuilt library, so the
/// test profile does not slow inference). Measurement only.
#[test]
#[ignore = "timing only: cargo test -p touchline-pose --release --test movenet -- --ignored --nocapture"]
fn timing() {
    let (ski, b) = skier();
    for (name, file) in [("thunder", "movenet_thunder.onnx"), ("lightning", "movenet_lightning.onnx")] {
        let mut m = MoveNetSingle::load(asset(&format!("models/movenet_single/{file}")), &cfg()).unwrap();
        m.estimate(&ski, &b).unwrap();
        let mut t: Vec<f64> = (0..20)
            .map(|_| {
                let s = std::time::Instant::now();
                m.estimate(&ski, &b).unwrap();
                s.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        t.sort_by(f64::total_cmp);
        println!("{name}: median {:.1} ms per crop (min {:.1})", t[10], t[0]);
    }
    let mut m = MoveNetMulti::load(
        asset("models/movenet_multipose/movenet_multipose_lightning_256.onnx"),
        256,
        &cfg(),
    )
    .unwrap();
    m.estimate_all(&ski).unwrap();
    let mut t: Vec<f64> = (0..20)
        .map(|_| {
            let s = std::time::Instant::now();
            m.estimate_all(&ski).unwrap();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    println!("multipose 256: median {:.1} ms per frame (min {:.1})", t[10], t[0]);
}
