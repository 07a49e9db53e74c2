//! Per-frame latency of `OnnxDetector` (YOLOX-nano) split into preprocess / model /
//! postprocess, on PNG frames in a folder; prints JSON like `benches/python/detect_reference.py`
//! and can write the detections (Touchline JSON) for the agreement check.
//!
//! ```sh
//! mkdir -p /tmp/detect_frames
//! ffmpeg -v error -i ../shared/videos/soccer_penalty_lampard_goal.mp4 \
//!     -vf "select=not(mod(n\,12))" -vsync 0 /tmp/detect_frames/f%03d.png
//! cargo run --release -p touchline-benches --bin detect_timing -- \
//!     --frames /tmp/detect_frames --repeat 5 --threads 1 --dets /tmp/rust_dets.json
//! ```

use std::path::PathBuf;
use std::time::Duration;

use touchline_core::{Detector, Frame};
use touchline_detect::{DetectorConfig, OnnxDetector, StageTimes, Tiling, write_touchline_json};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn ms(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1000.0 / n.max(1) as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(dir) = arg(&args, "--frames") else {
        eprintln!(
            "usage: detect_timing --frames DIR [--repeat 5] [--threads 1] [--model yolox.onnx] [--dets out.json]"
        );
        std::process::exit(2);
    };
    let repeat = arg(&args, "--repeat").and_then(|v| v.parse::<usize>().ok()).unwrap_or(5).max(1);
    let threads = arg(&args, "--threads").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1);
    let model = arg(&args, "--model").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/models/yolox_nano/yolox_nano.onnx"))
    });
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no PNG frames in {dir}");
    let frames: Vec<Frame> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Frame::new(i, i as f64, image::open(p).unwrap_or_else(|e| panic!("{p:?}: {e}")).to_rgb8())
        })
        .collect();
    let mut out = serde_json::Map::new();
    out.insert("frames".into(), frames.len().into());
    out.insert("threads".into(), threads.into());
    for (name, tiled) in [("full_frame", false), ("tiled_ball", true)] {
        let mut config = DetectorConfig::yolox();
        config.intra_threads = threads;
        // Every ball tile on every frame (the Python reference tiles every frame too).
        config.tiling = tiled.then(Tiling::exhaustive);
        let mut det = OnnxDetector::new(&model, config).unwrap_or_else(|e| panic!("{e}"));
        // Warm-up run.
        let first = det.detect_batch(&frames).unwrap_or_else(|e| panic!("{e}"));
        let (mut pre, mut run, mut post, mut total) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut regions = 0;
        for _ in 0..repeat {
            det.reset_stage_times();
            for f in &frames {
                det.detect(f).unwrap_or_else(|e| panic!("{e}"));
            }
            let StageTimes { preprocess, model, postprocess, regions: r, .. } = det.stage_times();
            let n = frames.len();
            pre.push(ms(preprocess, n));
            run.push(ms(model, n));
            post.push(ms(postprocess, n));
            total.push(ms(preprocess + model + postprocess, n));
            regions = r;
        }
        let (p, m, q) = (median(pre), median(run), median(post));
        out.insert(
            name.into(),
            serde_json::json!({
                "regions_per_frame": regions as f64 / frames.len() as f64,
                "preprocess_ms": p, "model_ms": m, "postprocess_ms": q, "total_ms": median(total),
                "pre_post_over_model": (p + q) / m,
            }),
        );
        if !tiled && let Some(path) = arg(&args, "--dets") {
            let file = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            write_touchline_json(first.iter().enumerate(), std::io::BufWriter::new(file))
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    println!("{}", serde_json::to_string_pretty(&serde_json::Value::Object(out)).unwrap_or_default());
}
