//! Shared test helpers: asset paths, frames extracted from the shared clips with ffmpeg.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use touchline_core::Frame;
use touchline_detect::{DetectorConfig, OnnxDetector, Tiling};

pub fn asset(rel: &str) -> PathBuf {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/")).join(rel);
    assert!(p.exists(), "missing test asset {p:?}");
    p
}

pub fn yolox_path() -> PathBuf {
    asset("models/yolox_nano/yolox_nano.onnx")
}

/// YOLOX-nano on one thread, full frame only or with every ball tile on every frame
/// ([`Tiling::exhaustive`]).
pub fn yolox(tiled: bool) -> OnnxDetector {
    let mut c = DetectorConfig::yolox();
    c.intra_threads = 1;
    c.tiling = tiled.then(Tiling::exhaustive);
    OnnxDetector::new(yolox_path(), c).expect("yolox loads")
}

pub fn image_frame(rel: &str) -> Frame {
    let img = image::open(asset(rel)).unwrap_or_else(|e| panic!("{rel}: {e}")).to_rgb8();
    Frame::new(0, 0.0, img)
}

/// A fresh temporary directory (unique per call: tests run in parallel).
pub fn temp_dir(tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("touchline-detect-{tag}-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Frames `indices` of a shared clip, decoded by ffmpeg into PNGs in a temp dir.
pub fn clip_frames(clip: &str, indices: &[usize]) -> Vec<Frame> {
    let src = asset(&format!("videos/{clip}"));
    let ffmpeg = Path::new("/usr/bin/ffmpeg");
    assert!(ffmpeg.exists(), "ffmpeg not found at {ffmpeg:?}");
    let dir = temp_dir(&format!("frames-{}", clip.replace('.', "_")));
    let mut out = Vec::new();
    for &k in indices {
        let png = dir.join(format!("f{k:04}.png"));
        let status = Command::new(ffmpeg)
            .args(["-v", "error", "-y", "-i"])
            .arg(&src)
            .args(["-vf", &format!("select=eq(n\\,{k})"), "-vsync", "0", "-frames:v", "1"])
            .arg(&png)
            .status()
            .expect("ffmpeg runs");
        assert!(status.success() && png.exists(), "ffmpeg could not extract frame {k} of {src:?}");
        let img = image::open(&png).unwrap_or_else(|e| panic!("{png:?}: {e}")).to_rgb8();
        out.push(Frame::new(k, k as f64 / 30.0, img));
    }
    let _ = std::fs::remove_dir_all(&dir);
    out
}
