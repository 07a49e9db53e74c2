//! Accuracy and plausibility metrics over the hidden entries.
//!
//! Notation: a window has frames `t = 0..T` with times `τ_t`, scored agents
//! `p`, truth `x[t, p]`, the imputer's output merged with the truth
//! (observed entries are the truth) `x̂[t, p]`, and the hidden set `M`
//! (`N_miss = |M|`). Steps are `Δ_t = τ_t - τ_{t-1}`. Sums run over every
//! window of the run; entries an imputer left non-finite are counted in
//! [`Metrics::n_unfilled`] and left out (with every step and every agent
//! they touch).
//!
//! The first four follow MIDAS (Choi et al. 2025; code `gkswns95/MIDAS`,
//! `models/utils.py` and `model_eval.ipynb`), including its normalisation:
//!
//! - `PE = Σ_M ‖x̂ − x‖ / N_miss` (m).
//! - `SE = Σ_{t≥1,p} | ‖x̂_t − x̂_{t−1}‖ − ‖x_t − x_{t−1}‖ | / Δ_t / N_miss`
//!   (m/s): speed error on every step (zero on observed-to-observed steps),
//!   divided by the number of hidden entries.
//! - `SCE = 1000 · Σ_{window,p} | sd_t(‖x̂_t − x̂_{t−1}‖) − sd_t(‖x_t − x_{t−1}‖) | / Σ_window T·N`:
//!   difference of the standard deviation (n − 1) of step lengths per agent
//!   and window, per (frame, agent) entry, times 1000 (MIDAS's scale).
//! - `PLE = Σ_{window,p} | Σ_t ‖x̂_t − x̂_{t−1}‖ − Σ_t ‖x_t − x_{t−1}‖ | / Σ_window T·N`:
//!   path length error per (frame, agent) entry (m).
//!
//! And:
//!
//! - `RMSE = sqrt(Σ_M ‖x̂ − x‖² / N_miss)` (m).
//! - `MAPE = 100 · Σ_M (|x̂ − x| / L + |ŷ − y| / W) / (2 N_miss)` (%): the
//!   absolute error per axis as a share of the pitch length `L` (x) and
//!   width `W` (y). Coordinates are centred on the pitch, so the usual
//!   `|x|` denominator would explode near the centre lines; the pitch size
//!   (105 x 68 m when the data has none) is the stated denominator.
//! - `r`: Pearson correlation of imputed and true coordinates over the
//!   hidden entries, `x` and `y` values pooled as one sample.
//! - `d`: Cohen's d of imputed vs true speeds at hidden entries (speed of
//!   the step ending at the entry, `‖x̂_t − x̂_{t−1}‖ / Δ_t`, `t ≥ 1`):
//!   `(mean_imp − mean_true) / s_pooled`, `s_pooled² = ((n−1) s_imp² + (n−1) s_true²) / (2n − 2)`.
//! - `fast_speed`: hidden entries whose imputed speed exceeds 12 m/s;
//!   `high_accel`: hidden entries with `1 ≤ t ≤ T − 2` whose imputed
//!   acceleration `‖(x̂_{t+1} − x̂_t)/Δ_{t+1} − (x̂_t − x̂_{t−1})/Δ_t‖ / ((Δ_t + Δ_{t+1}) / 2)`
//!   exceeds 8 m/s² (player thresholds; `true_*` count the same in the truth).

use serde::{Deserialize, Serialize};
use touchline_core::TrackingData;

/// Speed above which a player's step counts as implausible (m/s).
pub const FAST_SPEED: f64 = 12.0;
/// Acceleration above which a player's frame counts as implausible (m/s²).
pub const HIGH_ACCEL: f64 = 8.0;

/// Running mean and variance (Welford), mergeable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Count.
    pub n: f64,
    /// Mean.
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
}

impl Moments {
    /// Adds one value.
    pub fn push(&mut self, v: f64) {
        self.n += 1.0;
        let d = v - self.mean;
        self.mean += d / self.n;
        self.m2 += d * (v - self.mean);
    }

    /// Sample variance (n − 1); `NaN` below two values.
    pub fn var(&self) -> f64 {
        if self.n < 2.0 { f64::NAN } else { self.m2 / (self.n - 1.0) }
    }
}

/// Running co-moments of pairs `(a, b)`, for Pearson's r.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CoMoments {
    n: f64,
    ma: f64,
    mb: f64,
    caa: f64,
    cbb: f64,
    cab: f64,
}

impl CoMoments {
    /// Adds one pair.
    pub fn push(&mut self, a: f64, b: f64) {
        self.n += 1.0;
        let da = a - self.ma;
        self.ma += da / self.n;
        let db = b - self.mb;
        self.mb += db / self.n;
        self.caa += da * (a - self.ma);
        self.cbb += db * (b - self.mb);
        self.cab += da * (b - self.mb);
    }

    /// Pearson's r; `NaN` when a side has no spread.
    pub fn r(&self) -> f64 {
        let den = (self.caa * self.cbb).sqrt();
        if den > 0.0 { self.cab / den } else { f64::NAN }
    }
}

/// Sums over windows, turned into [`Metrics`] by [`Accumulator::finish`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Accumulator {
    n_missing: usize,
    n_unfilled: usize,
    n_entries: usize,
    sum_err: f64,
    sum_sq: f64,
    sum_ape: f64,
    sum_se: f64,
    sum_sce: f64,
    sum_ple: f64,
    coords: CoMoments,
    speed_imp: Moments,
    speed_true: Moments,
    fast: usize,
    accel: usize,
    true_fast: usize,
    true_accel: usize,
}

/// The metrics of one run (one method, one seed, one agent group). See the
/// [module docs](self) for the definitions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Mean position error (m).
    pub pe: f64,
    /// Root mean squared position error (m).
    pub rmse: f64,
    /// Mean absolute error per axis as % of the pitch length / width.
    pub mape: f64,
    /// Speed error (m/s, MIDAS).
    pub se: f64,
    /// Step change error (MIDAS, x1000 per entry).
    pub sce: f64,
    /// Path length error (m per entry, MIDAS).
    pub ple: f64,
    /// Pearson r of imputed vs true coordinates.
    pub pearson_r: f64,
    /// Cohen's d of imputed vs true speeds at hidden entries.
    pub cohen_d: f64,
    /// Hidden entries with imputed speed > 12 m/s.
    pub fast_speed: usize,
    /// Hidden entries with imputed acceleration > 8 m/s².
    pub high_accel: usize,
    /// The same counts in the truth.
    pub true_fast_speed: usize,
    /// The same counts in the truth.
    pub true_high_accel: usize,
    /// Hidden entries.
    pub n_missing: usize,
    /// Hidden entries the imputer left non-finite (not in the errors).
    pub n_unfilled: usize,
}

impl Metrics {
    /// The named metric (`pe`, `rmse`, `mape`, `se`, `sce`, `ple`, `r`, `d`,
    /// `fast`, `accel`, `unfilled`) as a number.
    pub fn get(&self, name: &str) -> Option<f64> {
        Some(match name {
            "pe" => self.pe,
            "rmse" => self.rmse,
            "mape" => self.mape,
            "se" => self.se,
            "sce" => self.sce,
            "ple" => self.ple,
            "r" => self.pearson_r,
            "d" => self.cohen_d,
            "fast" => self.fast_speed as f64,
            "accel" => self.high_accel as f64,
            "unfilled" => self.n_unfilled as f64,
            _ => return None,
        })
    }

    /// Names accepted by [`Metrics::get`], in table order.
    pub const NAMES: [&'static str; 11] =
        ["pe", "rmse", "mape", "se", "sce", "ple", "r", "d", "fast", "accel", "unfilled"];
}

fn xy(d: &ndarray::Array3<f64>, f: usize, a: usize) -> [f64; 2] {
    [d[[f, a, 0]], d[[f, a, 1]]]
}

fn dist(p: [f64; 2], q: [f64; 2]) -> f64 {
    (p[0] - q[0]).hypot(p[1] - q[1])
}

fn finite(p: [f64; 2]) -> bool {
    p[0].is_finite() && p[1].is_finite()
}

fn sd(v: &[f64]) -> f64 {
    let mut m = Moments::default();
    for &x in v {
        m.push(x);
    }
    let s = m.var().sqrt();
    if s.is_finite() { s } else { 0.0 }
}

impl Accumulator {
    /// Adds one window: `truth` (complete), `hidden[[frame, agent]]` (the
    /// mask) and the imputer's `output` (same shape), scoring the agents
    /// `agents`. `pitch` is `[length, width]` for MAPE.
    ///
    /// # Panics
    ///
    /// If the shapes differ (the harness checks them first).
    pub fn add(
        &mut self,
        truth: &TrackingData,
        hidden: &ndarray::Array2<bool>,
        output: &TrackingData,
        agents: &[usize],
        pitch: [f64; 2],
    ) {
        let (tp, op) = (truth.positions(), output.positions());
        assert_eq!(tp.dim(), op.dim(), "truth and output shapes differ");
        let t = truth.timestamps_slice();
        let nf = truth.n_frames();
        let dt = |f: usize| t[f] - t[f - 1];
        for &a in agents {
            // merged trajectory: truth where observed, output where hidden
            let est: Vec<[f64; 2]> =
                (0..nf).map(|f| if hidden[[f, a]] { xy(op, f, a) } else { xy(tp, f, a) }).collect();
            let tru: Vec<[f64; 2]> = (0..nf).map(|f| xy(tp, f, a)).collect();
            let mut complete = true;
            for f in 0..nf {
                if !hidden[[f, a]] {
                    continue;
                }
                self.n_missing += 1;
                let (e, x) = (est[f], tru[f]);
                if !finite(e) {
                    self.n_unfilled += 1;
                    complete = false;
                    continue;
                }
                let err = dist(e, x);
                self.sum_err += err;
                self.sum_sq += err * err;
                self.sum_ape += (e[0] - x[0]).abs() / pitch[0] + (e[1] - x[1]).abs() / pitch[1];
                self.coords.push(e[0], x[0]);
                self.coords.push(e[1], x[1]);
                if f >= 1 && finite(est[f - 1]) {
                    let (vi, vt) = (dist(est[f], est[f - 1]) / dt(f), dist(tru[f], tru[f - 1]) / dt(f));
                    self.speed_imp.push(vi);
                    self.speed_true.push(vt);
                    self.fast += usize::from(vi > FAST_SPEED);
                    self.true_fast += usize::from(vt > FAST_SPEED);
                }
                if f >= 1 && f + 1 < nf && finite(est[f - 1]) && finite(est[f + 1]) {
                    let acc = |p: &[[f64; 2]]| {
                        let (d0, d1) = (dt(f), dt(f + 1));
                        let v0 = [(p[f][0] - p[f - 1][0]) / d0, (p[f][1] - p[f - 1][1]) / d0];
                        let v1 = [(p[f + 1][0] - p[f][0]) / d1, (p[f + 1][1] - p[f][1]) / d1];
                        dist(v1, v0) / ((d0 + d1) / 2.0)
                    };
                    self.accel += usize::from(acc(&est) > HIGH_ACCEL);
                    self.true_accel += usize::from(acc(&tru) > HIGH_ACCEL);
                }
            }
            // MIDAS SE: every step of the merged trajectory
            for f in 1..nf {
                if finite(est[f]) && finite(est[f - 1]) {
                    self.sum_se += (dist(est[f], est[f - 1]) - dist(tru[f], tru[f - 1])).abs() / dt(f);
                }
            }
            self.n_entries += nf;
            if complete && nf >= 2 {
                let steps = |p: &[[f64; 2]]| (1..nf).map(|f| dist(p[f], p[f - 1])).collect::<Vec<f64>>();
                let (se, st) = (steps(&est), steps(&tru));
                self.sum_sce += (sd(&se) - sd(&st)).abs();
                self.sum_ple += (se.iter().sum::<f64>() - st.iter().sum::<f64>()).abs();
            }
        }
    }

    /// The metrics so far (`NaN` where undefined, e.g. nothing hidden).
    pub fn finish(&self) -> Metrics {
        let n = (self.n_missing - self.n_unfilled) as f64;
        let nm = self.n_missing as f64;
        let ne = self.n_entries as f64;
        let div = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        let (si, st) = (self.speed_imp, self.speed_true);
        let pooled = (((si.n - 1.0) * si.var() + (st.n - 1.0) * st.var()) / (si.n + st.n - 2.0)).sqrt();
        let cohen_d = if pooled > 0.0 { (si.mean - st.mean) / pooled } else { f64::NAN };
        Metrics {
            pe: div(self.sum_err, n),
            rmse: div(self.sum_sq, n).sqrt(),
            mape: 100.0 * div(self.sum_ape, 2.0 * n),
            se: div(self.sum_se, nm),
            sce: 1000.0 * div(self.sum_sce, ne),
            ple: div(self.sum_ple, ne),
            pearson_r: self.coords.r(),
            cohen_d,
            fast_speed: self.fast,
            high_accel: self.accel,
            true_fast_speed: self.true_fast,
            true_high_accel: self.true_accel,
            n_missing: self.n_missing,
            n_unfilled: self.n_unfilled,
        }
    }
}
