//! Encodes the frames of a clip (decoded into memory first) to MP4 with touchline-render and
//! prints the encoding rate as JSON, for each encoder layout asked for. Median of `--repeat`
//! runs (default 3).
//!
//! `cargo run --release -p touchline-benches --bin encode_timing -- [--clip PATH] [--repeat N]
//! [--encoders 1,2]` (encoders side by side on alternate key-frame intervals, see
//! `touchline_render::Mp4Options::encoders`).

use std::path::PathBuf;
use std::time::Instant;

use touchline_core::FrameSource;
use touchline_render::{Mp4Options, Mp4Writer};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let clip = arg(&args, "--clip").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/videos/soccer_penalty_lampard_goal.mp4"
            ))
        },
        PathBuf::from,
    );
    let repeat = arg(&args, "--repeat").and_then(|v| v.parse::<usize>().ok()).unwrap_or(3).max(1);
    let layouts = arg(&args, "--encoders").unwrap_or_else(|| "1,2".into());
    let mut src = touchline_decode::open(&clip)?;
    let fps = src.frame_rate().unwrap_or(25.0);
    let mut frames = Vec::new();
    while let Some(f) = src.next_frame()? {
        frames.push(f.image);
    }
    let (w, h) = frames.first().map(|f| f.dimensions()).ok_or("no frames")?;
    let out = std::env::temp_dir().join(format!("touchline_encode_timing_{}.mp4", std::process::id()));
    for t in layouts.split(',') {
        let encoders: usize = t.trim().parse()?;
        let opts = Mp4Options { encoders, threads: 1, ..Mp4Options::default() };
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..repeat {
            let t0 = Instant::now();
            let mut wr = Mp4Writer::with_options(&out, w, h, fps, opts)?;
            for f in &frames {
                wr.write_frame(f)?;
            }
            bytes = wr.finish()?.bytes;
            times.push(t0.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let s = times[times.len() / 2];
        println!(
            "{}",
            serde_json::json!({
                "clip": clip.file_name().map(|n| n.to_string_lossy().to_string()),
                "frames": frames.len(), "encoders": encoders,
                "seconds": s, "fps": frames.len() as f64 / s, "bytes": bytes,
            })
        );
    }
    let _ = std::fs::remove_file(&out);
    Ok(())
}
