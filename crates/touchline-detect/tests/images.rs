//! Detectors on the shared COCO photos, model loading errors, and replaying a live run.

mod common;

use common::{asset, image_frame, temp_dir, yolox, yolox_path};
use touchline_core::{Detection, Detector, Label};
use touchline_detect::{
    DetectError, DetectorConfig, OnnxDetector, OnnxError, ReplayDetector, write_touchline_json,
};

fn count(d: &[Detection], l: Label, min: f32) -> usize {
    d.iter().filter(|d| d.label == l && d.score > min).count()
}

#[test]
fn tennis_ball_and_baseball_players() {
    let mut det = yolox(true);
    let tennis = image_frame("images/000000000885.jpg");
    let d = det.detect(&tennis).unwrap();
    let ball = d.iter().filter(|d| d.label == Label::Ball).max_by(|a, b| a.score.total_cmp(&b.score));
    let ball = ball.unwrap_or_else(|| panic!("no ball in 885: {d:?}"));
    assert!(ball.score > 0.5, "{ball:?}");
    // The (motion-blurred) ball is left of the server's racket arm, around (264, 222).
    let [cx, cy] = ball.bbox.center();
    assert!((cx - 264.0).abs() < 15.0 && (cy - 222.0).abs() < 15.0, "{ball:?}");
    assert!(ball.bbox.width() < 60.0 && ball.bbox.height() < 60.0, "{ball:?}");
    assert!(count(&d, Label::Player, 0.5) >= 1);
    // Baseball: batter, catcher, umpire (plus spectators in the stand).
    let baseball = image_frame("images/000000006471.jpg");
    let d = det.detect(&baseball).unwrap();
    let tall: Vec<&Detection> =
        d.iter().filter(|d| d.label == Label::Player && d.bbox.height() > 100.0).collect();
    assert!(tall.len() >= 3, "batter, catcher and umpire expected: {d:?}");
    assert!(count(&d, Label::Player, 0.3) >= 3);
    // Dropped COCO classes never appear; `keep_others` brings them back as Other.
    assert!(d.iter().all(|d| matches!(d.label, Label::Player | Label::Ball)));
    let mut c = DetectorConfig::yolox().without_tiling();
    c.intra_threads = 1;
    c.classes = c.classes.keep_others();
    let mut all = OnnxDetector::new(yolox_path(), c).unwrap();
    let d = all.detect(&baseball).unwrap();
    assert!(
        d.iter().any(|d| matches!(&d.label, Label::Other(n) if n == "baseball glove" || n == "baseball bat")),
        "{d:?}"
    );
}

#[test]
fn rtmdet_finds_people_and_batches_like_single_runs() {
    let mut c = DetectorConfig::rtmdet();
    c.intra_threads = 1;
    let mut det = OnnxDetector::new(asset("models/rtmdet_nano/rtmdet_nano.onnx"), c).unwrap();
    assert!(det.batches());
    let frames = vec![image_frame("images/000000006471.jpg"), image_frame("images/000000001000.jpg")];
    let batch = det.detect_batch(&frames).unwrap();
    assert_eq!(det.stage_times().runs, 1, "two frames in one run");
    let single: Vec<Vec<Detection>> = frames.iter().map(|f| det.detect(f).unwrap()).collect();
    assert!(count(&batch[0], Label::Player, 0.5) >= 3, "{:?}", batch[0]);
    assert!(count(&batch[1], Label::Player, 0.5) >= 6, "children photo: {:?}", batch[1]);
    for (b, s) in batch.iter().zip(&single) {
        assert_eq!(b.len(), s.len());
        for (x, y) in b.iter().zip(s) {
            assert!((x.score - y.score).abs() < 1e-3 && x.bbox.iou(&y.bbox) > 0.99, "{x:?} vs {y:?}");
        }
    }
}

#[test]
fn bad_models_and_frames_give_typed_errors() {
    let c = || {
        let mut c = DetectorConfig::yolox();
        c.intra_threads = 1;
        c
    };
    let e = OnnxDetector::new("/no/such/yolox.onnx", c()).unwrap_err();
    assert!(matches!(e, DetectError::Onnx(OnnxError::ModelMissing { .. })), "{e}");
    let dir = temp_dir("badmodel");
    let junk = dir.join("junk.onnx");
    std::fs::write(&junk, b"\x08\x07garbage").unwrap();
    let e = OnnxDetector::new(&junk, c()).unwrap_err();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(matches!(e, DetectError::Onnx(OnnxError::ModelInvalid { .. })), "{e}");
    // RTMDet loaded as YOLOX, YOLOX with the wrong input size, a pose model as RTMDet.
    let e = OnnxDetector::new(asset("models/rtmdet_nano/rtmdet_nano.onnx"), c()).unwrap_err();
    assert!(matches!(e, DetectError::Onnx(OnnxError::ContractMismatch { .. })), "{e}");
    let e = OnnxDetector::new(yolox_path(), DetectorConfig { input_size: 320, ..c() }).unwrap_err();
    assert!(e.to_string().contains("416"), "{e}");
    let e =
        OnnxDetector::new(asset("models/movenet_single/movenet_lightning.onnx"), DetectorConfig::rtmdet())
            .unwrap_err();
    assert!(matches!(e, DetectError::Onnx(OnnxError::ContractMismatch { .. })), "{e}");
    // An empty frame.
    let mut det = yolox(false);
    let e = det.detect(&touchline_core::Frame::new(7, 0.0, image::RgbImage::new(0, 0))).unwrap_err();
    assert!(matches!(e, DetectError::EmptyFrame { frame: 7 }), "{e}");
}

#[test]
fn live_detections_replay_identically() {
    let mut det = yolox(false);
    let frames = vec![image_frame("images/000000000885.jpg"), image_frame("images/000000006471.jpg")];
    let frames: Vec<_> = frames
        .into_iter()
        .enumerate()
        .map(|(i, mut f)| {
            f.index = 10 + i;
            f
        })
        .collect();
    let live = det.detect_batch(&frames).unwrap();
    let dir = temp_dir("replay");
    let path = dir.join("dets.json");
    let mut file = std::fs::File::create(&path).unwrap();
    write_touchline_json(frames.iter().map(|f| f.index).zip(&live), &mut file).unwrap();
    drop(file);
    let mut replay = ReplayDetector::open(&path).unwrap().strict(true);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(replay.detect_batch(&frames).unwrap(), live);
    let e = replay.detect(&touchline_core::Frame::new(3, 0.0, image::RgbImage::new(1, 1))).unwrap_err();
    assert!(e.to_string().contains("dets.json") && e.to_string().contains("frame 3"), "{e}");
    let e = ReplayDetector::open(dir.join("gone.json")).unwrap_err();
    assert!(matches!(e, DetectError::Io { .. }), "{e}");
}
