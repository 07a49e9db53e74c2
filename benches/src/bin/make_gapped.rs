//! Writes the gapped full-match input of the imputation benchmarks as
//! Touchline long CSV, for `benches/python/impute_timing.py` and
//! `touchline impute`.
//!
//! `cargo run --release -p touchline-benches --bin make_gapped -- --seconds 5400 --out /tmp/gapped.csv`

#[path = "../gapped.rs"]
#[allow(dead_code)]
mod gapped;

use std::io::Write;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds = arg(&args, "--seconds").and_then(|v| v.parse::<f64>().ok()).unwrap_or(5400.0);
    let fraction = arg(&args, "--fraction").and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.1);
    let seed = arg(&args, "--seed").and_then(|v| v.parse::<u64>().ok()).unwrap_or(42);
    let Some(out) = arg(&args, "--out") else {
        eprintln!("usage: make_gapped --out FILE.csv [--seconds 5400] [--fraction 0.1] [--seed 42]");
        std::process::exit(2);
    };
    let data = gapped::gapped_match(seconds, fraction, seed);
    let file = std::fs::File::create(&out).unwrap_or_else(|e| panic!("cannot create {out}: {e}"));
    let mut w = std::io::BufWriter::new(file);
    touchline_io::long::write_csv(&data, &mut w).expect("write CSV");
    w.flush().expect("flush CSV");
    eprintln!(
        "wrote {} frames x {} agents, {:.2}% unobserved, to {out}",
        data.n_frames(),
        data.n_agents(),
        100.0 * data.missing_fraction()
    );
}
