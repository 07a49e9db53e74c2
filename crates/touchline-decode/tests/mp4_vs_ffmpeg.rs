//! One display-order frame per clip against ffmpeg's decode of the same frame.
//! Frame 6 of the B-frame clips is a B-frame after a B-frame run (`I B B B P B B B ...`).

mod common;
use common::{CLIPS, clip, ffmpeg_frame, psnr};
use touchline_core::FrameSource;
use touchline_decode::{FrameSourceExt, Mp4Source, Sampling};

fn compare(k: usize, n: usize) {
    let (name, _, w, h, fps) = CLIPS[k];
    let path = clip(name);
    let mut src =
        Mp4Source::open(&path).unwrap().sample(Sampling::new().start_frame(n).end_frame(n + 1)).unwrap();
    let f = src.next_frame().unwrap().expect("frame n");
    assert!(src.next_frame().unwrap().is_none());
    assert_eq!(f.index, n);
    assert!((f.timestamp - n as f64 / fps).abs() < 1e-9, "{name}: t = {}", f.timestamp);
    let ours = f.image.as_raw();
    let same = psnr(ours, &ffmpeg_frame(&path, n, w, h));
    let before = psnr(ours, &ffmpeg_frame(&path, n - 1, w, h));
    let after = psnr(ours, &ffmpeg_frame(&path, n + 1, w, h));
    println!("{name} frame {n}: {same:.1} dB (neighbours {before:.1}, {after:.1})");
    assert!(same > 35.0, "{name} frame {n}: PSNR {same:.1} dB against ffmpeg");
    // It is ffmpeg's frame n, not a neighbour: display order matches.
    assert!(same > before + 1.0 && same > after + 1.0, "{name}: {same:.1} vs {before:.1} / {after:.1}");
}

#[test]
fn penalty_frame_matches_ffmpeg() {
    compare(0, 20);
}

#[test]
fn dfl_frame_matches_ffmpeg() {
    compare(1, 20);
}

#[test]
fn nba_b_frame_matches_ffmpeg() {
    compare(2, 6);
}

#[test]
fn jumpshots_b_frame_matches_ffmpeg() {
    compare(3, 6);
}
