//! Exact frame counts, sizes, rates and display-order timestamps of the four shared clips.
//! Each clip is decoded fully (pictures counted without RGB conversion).

mod common;
use common::{CLIPS, clip};
use touchline_core::FrameSource;
use touchline_decode::{Backend, Mp4Source};

fn check(k: usize) {
    let (name, frames, w, h, fps) = CLIPS[k];
    let path = clip(name);
    let info = touchline_decode::probe(&path).unwrap();
    assert_eq!(info.backend, Backend::Mp4);
    assert!(info.codec.starts_with("avc1."), "{}", info.codec);
    assert_eq!((info.width, info.height), (w, h), "{name}");
    assert_eq!(info.frame_count, Some(frames), "{name}");
    assert!((info.fps.unwrap() - fps).abs() < 1e-9, "{name}: fps {:?}", info.fps);
    let dur = info.duration_s.unwrap();
    assert!((dur - frames as f64 / fps).abs() < 0.05, "{name}: duration {dur}");

    let mut src = Mp4Source::open(&path).unwrap();
    assert_eq!(src.frame_count_hint(), Some(frames));
    let ts = src.timestamps().to_vec();
    assert_eq!(ts.len(), frames);
    assert_eq!(ts[0], 0.0);
    assert!(ts.windows(2).all(|p| p[1] > p[0]), "{name}: timestamps not strictly increasing");
    // Nominal spacing: every step within 10% of 1/fps for these constant-rate clips.
    assert!(ts.windows(2).all(|p| ((p[1] - p[0]) * fps - 1.0).abs() < 0.1), "{name}");

    // The first frame through the FrameSource path, then the rest counted by the decoder.
    let first = src.next_frame().unwrap().unwrap();
    assert_eq!((first.index, first.timestamp, first.size()), (0, 0.0, (w, h)));
    let rest = src.count_remaining().unwrap();
    assert_eq!(1 + rest, frames, "{name}: decoder returned {} pictures", 1 + rest);
    assert!(src.next_frame().unwrap().is_none());
}

#[test]
fn penalty_105_frames() {
    check(0);
}

#[test]
fn dfl_wide_169_frames() {
    check(1);
}

#[test]
fn nba_broadcast_300_frames_with_b_frames() {
    check(2);
}

#[test]
fn jumpshots_374_frames_with_b_frames() {
    check(3);
}

#[test]
fn frame_source_indices_and_times_follow_display_order() {
    // The B-frame clip through next_frame: indices count up, timestamps are the container's.
    let path = clip(CLIPS[3].0);
    let mut src = Mp4Source::open(&path).unwrap();
    let ts = src.timestamps().to_vec();
    for (i, &t) in ts.iter().enumerate().take(12) {
        let f = src.next_frame().unwrap().unwrap();
        assert_eq!(f.index, i);
        assert_eq!(f.timestamp, t);
        assert!((f.timestamp - i as f64 / 30.0).abs() < 1e-9);
    }
}
