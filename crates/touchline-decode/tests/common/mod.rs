//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A clip of `../shared/videos`, asserted to exist.
pub fn clip(name: &str) -> PathBuf {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/videos")).join(name);
    assert!(p.exists(), "missing test asset {p:?}");
    p
}

/// The four clips with their facts from shared/README.md: name, frames, width, height, fps.
pub const CLIPS: [(&str, usize, u32, u32, f64); 4] = [
    ("soccer_penalty_lampard_goal.mp4", 105, 1280, 720, 30.0),
    ("soccer_dfl_wideangle_08fd33_4.mp4", 169, 848, 478, 25.0),
    ("basketball_nba_broadcast_17590_q4.mp4", 300, 1280, 720, 30.0),
    ("basketball_jumpshots_3make_2miss.mp4", 374, 960, 540, 30.0),
];

/// A fresh empty directory under cargo's per-target temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("touchline-decode-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `ffmpeg`, or a failure that says how to install it.
pub fn ffmpeg() -> Command {
    let ok = Command::new("ffmpeg").arg("-version").output().map(|o| o.status.success()).unwrap_or(false);
    assert!(
        ok,
        "ffmpeg not found on PATH: this test compares against it; run scripts/setup.sh (APT_PACKAGES has ffmpeg)"
    );
    let mut c = Command::new("ffmpeg");
    c.args(["-v", "error", "-nostdin", "-y"]);
    c
}

/// Display-order frame `n` of `clip` decoded by ffmpeg, as packed RGB24 (BT.601 like ours).
pub fn ffmpeg_frame(clip: &Path, n: usize, w: u32, h: u32) -> Vec<u8> {
    let out = ffmpeg()
        .arg("-i")
        .arg(clip)
        .args(["-vf", &format!("select=eq(n\\,{n})"), "-vsync", "0", "-frames:v", "1"])
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .expect("run ffmpeg");
    assert!(out.status.success(), "ffmpeg failed: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout.len(), (w * h * 3) as usize, "ffmpeg frame {n} of {clip:?} has the wrong size");
    out.stdout
}

/// Peak signal-to-noise ratio of two 8-bit buffers in dB (infinite when equal).
pub fn psnr(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let se: f64 = a.iter().zip(b).map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2)).sum();
    let mse = se / a.len() as f64;
    if mse == 0.0 { f64::INFINITY } else { 10.0 * (255.0f64 * 255.0 / mse).log10() }
}
