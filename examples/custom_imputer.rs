//! Benchmark your own imputer against Touchline's on real data.
//!
//! `VelocityBridge` below is a user-written imputer: for each gap it joins
//! the two observed ends with a cubic whose end velocities are the
//! agent's velocity just before and just after the gap (one-sided
//! differences). It implements `touchline_core::Imputer`, so the
//! benchmark harness runs it next to ours on the same seeded masks.
//!
//! ```sh
//! cargo run --release -p touchline-examples --example custom_imputer -- [camera|uniform|playerwise]
//! ```

use touchline_core::{Imputer, TrackingData};
use touchline_impute::ImputeError;
use touchline_impute::eval::{
    self, BenchConfig, BroadcastCamera, Candidate, MaskKind, MaskParams, MaskSet, WindowSpec,
};

/// Cubic Hermite bridge with one-sided end velocities.
struct VelocityBridge;

impl Imputer for VelocityBridge {
    type Error = ImputeError;

    fn name(&self) -> &str {
        "velocity-bridge (user)"
    }

    fn impute(&self, data: &TrackingData) -> Result<TrackingData, ImputeError> {
        let mut out = data.clone();
        let t = data.timestamps_slice();
        for a in 0..data.n_agents() {
            let seen = data.agent_observed(a);
            let p = data.agent_series(a);
            let (mut xs, mut ys) = (vec![f64::NAN; t.len()], vec![f64::NAN; t.len()]);
            let mut f = 0;
            while f < t.len() {
                if seen[f] {
                    f += 1;
                    continue;
                }
                let start = f;
                while f < t.len() && !seen[f] {
                    f += 1;
                }
                // gap start..f; knots i = start - 1 and j = f when both exist
                let (Some(i), j) = (start.checked_sub(1), f) else { continue };
                if j >= t.len() {
                    for g in start..j {
                        xs[g] = p[[i, 0]];
                        ys[g] = p[[i, 1]];
                    }
                    continue;
                }
                let h = t[j] - t[i];
                let vel = |k0: usize, k1: usize, axis: usize| {
                    if seen[k0] && seen[k1] {
                        (p[[k1, axis]] - p[[k0, axis]]) / (t[k1] - t[k0])
                    } else {
                        (p[[j, axis]] - p[[i, axis]]) / h
                    }
                };
                for (axis, dst) in [(0, &mut xs), (1, &mut ys)] {
                    let v0 = if i >= 1 { vel(i - 1, i, axis) } else { (p[[j, axis]] - p[[i, axis]]) / h };
                    let v1 =
                        if j + 1 < t.len() { vel(j, j + 1, axis) } else { (p[[j, axis]] - p[[i, axis]]) / h };
                    let (y0, y1) = (p[[i, axis]], p[[j, axis]]);
                    for g in start..j {
                        let u = (t[g] - t[i]) / h;
                        let (h00, h10) = (2.0 * u.powi(3) - 3.0 * u * u + 1.0, u.powi(3) - 2.0 * u * u + u);
                        let (h01, h11) = (-2.0 * u.powi(3) + 3.0 * u * u, u.powi(3) - u * u);
                        dst[g] = h00 * y0 + h10 * h * v0 + h01 * y1 + h11 * h * v1;
                    }
                }
            }
            out.fill_unobserved_xy(a, &xs, &ys)?;
        }
        Ok(out)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let kind = std::env::args().nth(1).unwrap_or_else(|| "camera".into());
    let kind = MaskKind::parse(&kind).ok_or(format!("unknown mask {kind}"))?;
    let path = touchline_examples::shared_asset("data/tracab_databallpy/tracking_wide.csv")?;
    let data = touchline_io::open(&path, None)?;

    // MIDAS protocol: 10 Hz, windows of 200 frames; 3 seeds of masks at rate 0.5
    let spec = WindowSpec::default();
    let width = data.pitch().map(|p| p.width).unwrap_or(68.0);
    let windows = eval::make_windows(&[("tracab".into(), data)], &spec)?;
    // the broadcast camera stands 20 m behind this pitch's near touchline
    let params = MaskParams { camera: BroadcastCamera::football(width), ..MaskParams::new(kind, 0.5) };
    let masks = MaskSet::generate(&windows, &spec, &params, &[0, 1, 2])?;

    let mut methods = vec![Candidate::new(VelocityBridge)];
    for name in ["ffill", "linear", "cubic-spline", "steffen", "kalman", "dase"] {
        methods.push(eval::builtin(name)?);
    }
    let results = eval::run(&windows, &masks, &methods, &BenchConfig::default(), &mut |_| {})?;
    print!("{}", results.to_markdown());
    Ok(())
}
