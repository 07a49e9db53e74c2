//! Times every interpolation imputer on a long CSV (the `make_gapped`
//! output), single thread, median of `--repeat` runs, reading excluded;
//! prints JSON like `benches/python/impute_timing.py` does.
//!
//! `cargo run --release -p touchline-benches --bin impute_timing -- --in /tmp/gapped.csv --repeat 5`

#[path = "../gapped.rs"]
#[allow(dead_code)]
mod gapped;

use std::hint::black_box;
use std::time::Instant;

use touchline_impute::{Edges, GapPolicy, InterpImputer, InterpParams};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let repeat = arg(&args, "--repeat").and_then(|v| v.parse::<usize>().ok()).unwrap_or(5).max(1);
    let Some(path) = arg(&args, "--in") else {
        eprintln!("usage: impute_timing --in FILE.csv [--repeat 5]");
        std::process::exit(2);
    };
    let data = touchline_io::open(path.as_ref(), None).unwrap_or_else(|e| panic!("{e}"));
    // Interior gaps only, like the Python side (pandas limit_area="inside").
    let policy = GapPolicy { edges: Edges::Leave, ..GapPolicy::default() };
    let mut out = serde_json::Map::new();
    // Baseline: the copy of the data every imputer returns.
    let mut times = Vec::with_capacity(repeat);
    for _ in 0..repeat {
        let t0 = Instant::now();
        black_box(black_box(&data).clone());
        times.push(t0.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    out.insert(
        "clone_only".to_string(),
        serde_json::json!({ "median_s": times[times.len() / 2], "min_s": times[0], "runs": repeat }),
    );
    for (name, kind) in gapped::METHODS {
        let imp = InterpImputer::new(kind, InterpParams { policy, ..InterpParams::default() })
            .expect("valid policy");
        let mut times = Vec::with_capacity(repeat);
        let mut filled = 0;
        for _ in 0..repeat {
            let t0 = Instant::now();
            let (d, rep) = imp.impute_with_report(black_box(&data)).expect("imputes");
            times.push(t0.elapsed().as_secs_f64());
            black_box(d);
            filled = rep.totals().filled();
        }
        times.sort_by(f64::total_cmp);
        out.insert(
            name.to_string(),
            serde_json::json!({ "median_s": times[times.len() / 2], "min_s": times[0], "runs": repeat, "filled": filled }),
        );
    }
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
}
