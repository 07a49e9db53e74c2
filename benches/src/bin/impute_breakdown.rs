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
        eprintln!("{k}: {v:.4}");
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
    // Interior gaps (runs of unobserved frames between two knots) and the
    // knots the windowed spline solve keeps around them (64 on each side,
    // overlapping windows merged; touchline-impute's `SPLINE_WINDOW`).
    const WINDOW: usize = 64;
    let (mut gaps, mut window_knots) = (0usize, 0usize);
    for a in 0..na {
        let o = data.agent_observed(a);
        let kf: Vec<usize> = (0..nf).filter(|&f| o[f]).collect();
        let last = kf.len().saturating_sub(1);
        let mut cur: Option<(usize, usize)> = None;
        for j in (0..last).filter(|&j| kf[j + 1] - kf[j] > 1) {
            gaps += 1;
            let (lo, hi) = (j.saturating_sub(WINDOW), (j + 1 + WINDOW).min(last));
            cur = match cur {
                Some((l, h)) if lo <= h + 1 => Some((l, h.max(hi))),
                Some((l, h)) => {
                    window_knots += h - l + 1;
                    Some((lo, hi))
                }
                None => Some((lo, hi)),
            };
        }
        window_knots += cur.map_or(0, |(l, h)| h - l + 1);
    }
    put("interior_gaps_total", gaps as f64);
    put("spline_window_knots_total", window_knots as f64);
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
