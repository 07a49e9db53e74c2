//! Times the model-based imputers (Kalman smoother, KNN regression, DASE fit
//! and inference) on the gapped full match of `benches/impute.rs` (90 min at
//! 25 Hz x 23 agents, ~10 % of the entries in 0.2-5 s gaps), single thread,
//! and prints JSON: median and min of `--repeat` runs per method, entries
//! filled, and peak-free memory figures (input and output sizes).
//!
//! `cargo run --release -p touchline-benches --bin impute_models_timing -- [--seconds 5400] [--repeat 3] [--skip-knn | --only-knn] [--knn-max-rows N|none]`

#[path = "../gapped.rs"]
#[allow(dead_code)]
mod gapped;

use std::hint::black_box;
use std::time::Instant;

use touchline_core::TrackingData;
use touchline_impute::{
    Dase, DaseParams, ImputeReport, KalmanParams, KalmanSmoother, KnnParams, KnnRegression, MotionModel,
    Predictor,
};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

/// Median and min seconds of `repeat` runs of `f`, and the entries the last run filled.
fn time(repeat: usize, mut f: impl FnMut() -> (TrackingData, ImputeReport)) -> serde_json::Value {
    let mut times = Vec::with_capacity(repeat);
    let mut filled = 0;
    for _ in 0..repeat {
        let t0 = Instant::now();
        let (d, rep) = f();
        times.push(t0.elapsed().as_secs_f64());
        black_box(d);
        filled = rep.totals().filled();
    }
    times.sort_by(f64::total_cmp);
    serde_json::json!({ "median_s": times[times.len() / 2], "min_s": times[0], "runs": repeat, "filled": filled })
}

/// Records `v` under `name` and prints it at once (a slow method later on
/// does not hide the figures already measured).
fn put(out: &mut serde_json::Map<String, serde_json::Value>, name: &str, v: serde_json::Value) {
    eprintln!("{name}: {v}");
    out.insert(name.to_string(), v);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let repeat = arg(&args, "--repeat").and_then(|v| v.parse::<usize>().ok()).unwrap_or(3).max(1);
    let seconds = arg(&args, "--seconds").and_then(|v| v.parse::<f64>().ok()).unwrap_or(5400.0);
    let skip_knn = args.iter().any(|a| a == "--skip-knn");
    let only_knn = args.iter().any(|a| a == "--only-knn");
    let knn_max_rows = match arg(&args, "--knn-max-rows").as_deref() {
        None => KnnParams::default().max_train_rows,
        Some("none") => None,
        Some(v) => Some(v.parse::<usize>().unwrap_or_else(|e| panic!("--knn-max-rows {v}: {e}"))),
    };
    let data = gapped::gapped_match(seconds, 0.1, 42);
    let mut out = serde_json::Map::new();
    out.insert(
        "input".into(),
        serde_json::json!({ "frames": data.n_frames(), "agents": data.n_agents(),
            "entries": data.n_frames() * data.n_agents(),
            "missing_fraction": data.missing_fraction() }),
    );
    let models: &[(&str, MotionModel)] = if only_knn {
        &[]
    } else {
        &[("kalman_cv", MotionModel::ConstantVelocity), ("kalman_ca", MotionModel::ConstantAcceleration)]
    };
    for &(name, model) in models {
        let k = KalmanSmoother::new(KalmanParams { model, ..KalmanParams::default() }).expect("valid");
        let v = time(repeat, || k.impute_with_report(black_box(&data)).expect("imputes"));
        put(&mut out, name, v);
    }
    let predictors = if only_knn {
        Vec::new()
    } else {
        vec![
            ("dase_spline", Predictor::default()),
            ("dase_kalman", Predictor::Kalman { params: KalmanParams::default() }),
        ]
    };
    for (name, predictor) in predictors {
        let p = DaseParams { predictor, ..DaseParams::default() };
        let t0 = Instant::now();
        let w = Dase::fit(&data, &p).expect("fits");
        let fit_s = t0.elapsed().as_secs_f64();
        let dase = Dase::with_weights(w, p).expect("valid");
        let mut v = time(repeat, || {
            let (d, r) = dase.impute_with_report(black_box(&data)).expect("imputes");
            (d, r.report)
        });
        v["fit_s"] = serde_json::json!(fit_s);
        put(&mut out, &format!("{name}_inference"), v);
    }
    if !skip_knn {
        let knn = KnnRegression::new(KnnParams { max_train_rows: knn_max_rows, ..KnnParams::default() })
            .expect("valid");
        let v = time(1, || knn.impute_with_report(black_box(&data)).expect("imputes"));
        put(&mut out, "knn", v);
    }
    println!("{}", serde_json::Value::Object(out));
}
