//! Where the time of the interpolation imputers goes on a long CSV (the
//! `make_gapped` output): the parts every imputer pays (clone of the input,
//! writing the filled values back) and the 1-D spline solve alone, single
//! thread, median of `--repeat` runs.
//!
//! `cargo run --release -p touchline-benches --bin impute_breakdown -- --in /tmp/gapped.csv --repeat 5`

use std::hint::black_box;
use std::time::Instant;

use touchline_impute::interp::{Interp1d, Kind};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn median(repeat: usize, mut f: impl FnMut()) -> f64 {
    let mut v: Vec<f64> = (0..repeat)
        .map(|_| {
            let t0 = Instant::now();
            f();
            t0.elapsed().as_secs_f64()
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let repeat = arg(&args, "--repeat").and_then(|v| v.parse::<usize>().ok()).unwrap_or(5).max(1);
    let Some(path) = arg(&args, "--in") else {
        eprintln!("usage: impute_breakdown --in FILE.csv [--repeat 5]");
        std::process::exit(2);
    };
    let data = touchline_io::open(path.as_ref(), None).unwrap_or_else(|e| panic!("{e}"));
    let (nf, na) = (data.n_frames(), data.n_agents());
    let t = data.timestamps_slice();
    let mut out = serde_json::Map::new();
    let mut put = |k: &str, v: f64| {
        eprintln!("{k}: {:.4} s", v);
        out.insert(k.to_string(), serde_json::json!(v));
    };
    put("clone", median(repeat, || drop(black_box(black_box(&data).clone()))));
    let xs: Vec<Vec<f64>> = (0..na).map(|a| data.agent_series(a).column(0).to_vec()).collect();
    let ys: Vec<Vec<f64>> = (0..na).map(|a| data.agent_series(a).column(1).to_vec()).collect();
    let mut c = data.clone();
    put(
        "fill_unobserved_xy_all_agents",
        median(repeat, || {
            for a in 0..na {
                black_box(c.fill_unobserved_xy(a, &xs[a], &ys[a]).ok());
            }
        }),
    );
    // knots per agent
    let knots: Vec<(Vec<f64>, Vec<f64>, Vec<f64>)> = (0..na)
        .map(|a| {
            let o = data.agent_observed(a);
            let mut k = (Vec::new(), Vec::new(), Vec::new());
            for f in 0..nf {
                if o[f] {
                    k.0.push(t[f]);
                    k.1.push(xs[a][f]);
                    k.2.push(ys[a][f]);
                }
            }
            k
        })
        .collect();
    put("knots_total", knots.iter().map(|k| k.0.len()).sum::<usize>() as f64);
    for kind in [Kind::NotAKnotSpline, Kind::NaturalSpline, Kind::Pchip] {
        put(
            &format!("interp1d_new_x_and_y_{}", kind.name()),
            median(repeat, || {
                for k in &knots {
                    black_box(Interp1d::new(kind, &k.0, &k.1).ok());
                    black_box(Interp1d::new(kind, &k.0, &k.2).ok());
                }
            }),
        );
    }
    println!("{}", serde_json::Value::Object(out));
}
