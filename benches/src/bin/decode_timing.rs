//! Decodes each shared clip fully with touchline-decode and prints frames per
//! second as JSON: `yuv` counts pictures without RGB conversion (what
//! `ffmpeg -f null` does), `rgb` is the full `FrameSource` path (RGB frames).
//! Median of `--repeat` runs (default 3). `scripts/bench_decode.sh` puts it beside ffmpeg.
//!
//! `cargo run --release -p touchline-benches --bin decode_timing -- --repeat 3`

use std::path::PathBuf;
use std::time::Instant;

use touchline_core::FrameSource;
use touchline_decode::Mp4Source;

const CLIPS: [&str; 4] = [
    "soccer_penalty_lampard_goal.mp4",
    "soccer_dfl_wideangle_08fd33_4.mp4",
    "basketball_nba_broadcast_17590_q4.mp4",
    "basketball_jumpshots_3make_2miss.mp4",
];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn run(path: &PathBuf, repeat: usize) -> Result<serde_json::Value, touchline_decode::DecodeError> {
    let (mut yuv, mut rgb, mut frames) = (Vec::new(), Vec::new(), 0);
    for _ in 0..repeat {
        let t0 = Instant::now();
        frames = Mp4Source::open(path)?.count_remaining()?;
        yuv.push(t0.elapsed().as_secs_f64());
        let t0 = Instant::now();
        let mut src = Mp4Source::open(path)?;
        let mut n = 0usize;
        while let Some(f) = src.next_frame()? {
            n += usize::from(f.image.width() > 0);
        }
        rgb.push(t0.elapsed().as_secs_f64());
        assert_eq!(n, frames, "{path:?}: RGB path returned {n} frames, count path {frames}");
    }
    let (yuv, rgb) = (median(yuv), median(rgb));
    Ok(serde_json::json!({
        "frames": frames, "yuv_s": yuv, "rgb_s": rgb,
        "yuv_fps": frames as f64 / yuv, "rgb_fps": frames as f64 / rgb, "runs": repeat,
    }))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let repeat = args
        .iter()
        .position(|a| a == "--repeat")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(3)
        .max(1);
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/videos"));
    let mut out = serde_json::Map::new();
    for name in CLIPS {
        let path = dir.join(name);
        let v = run(&path, repeat).unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }));
        out.insert(name.to_string(), v);
    }
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
}
