//! Times `touchline_io::open` on the provider samples the Python reference
//! script times, with the same repeat count; prints JSON like it does.
//!
//! `cargo run --release -p touchline-benches --bin io_timing -- --repeat 5`

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let repeat = args
        .iter()
        .position(|a| a == "--repeat")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(5)
        .max(1);
    let mut out = serde_json::Map::new();
    for (name, path) in touchline_benches::io_cases() {
        let mut times = Vec::with_capacity(repeat);
        let mut result = None;
        for _ in 0..repeat {
            let t0 = Instant::now();
            let r = touchline_io::open(&path, None);
            times.push(t0.elapsed().as_secs_f64());
            result = Some(r);
        }
        times.sort_by(f64::total_cmp);
        let v = match result {
            Some(Ok(d)) => serde_json::json!({
                "median_s": times[times.len() / 2], "runs": repeat, "frames": d.n_frames(),
            }),
            Some(Err(e)) => serde_json::json!({ "error": e.to_string() }),
            None => serde_json::json!({ "error": "not run" }),
        };
        out.insert(name.to_string(), v);
    }
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
}
