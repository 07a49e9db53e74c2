//! The benchmark harness: runs imputers (ours or yours) over masked
//! windows, scores them and summarises over seeds.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use touchline_core::{Imputer, Team, TrackingData};

use super::mask::{MaskSet, masked_agents};
use super::metrics::{Accumulator, Metrics};
use super::window::{EvalWindow, concat_windows};
use crate::error::{ImputeError, Result};
use crate::{
    Akima, CubicSpline, Dase, DaseParams, InterpParams, KalmanParams, KalmanSmoother, KnnParams,
    KnnRegression, Linear, Makima, Pchip, SplineBoundary, Steffen,
};

/// Holds the last observation (and, before the first one, the first):
/// the `ffill` baseline of MIDAS, per agent and period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ForwardFill;

impl Imputer for ForwardFill {
    type Error = ImputeError;
    fn name(&self) -> &str {
        "ffill"
    }
    fn impute(&self, data: &TrackingData) -> Result<TrackingData> {
        let mut out = data.clone();
        for a in 0..data.n_agents() {
            let src = data.agent_series(a);
            let seen = data.agent_observed(a);
            let (mut xs, mut ys) = (vec![f64::NAN; data.n_frames()], vec![f64::NAN; data.n_frames()]);
            for p in data.periods() {
                let mut last: Option<usize> = None;
                for f in p.frames() {
                    if seen[f] {
                        last = Some(f);
                    }
                    if let Some(l) = last {
                        xs[f] = src[[l, 0]];
                        ys[f] = src[[l, 1]];
                    }
                }
                if let Some(first) = p.frames().find(|&f| seen[f]) {
                    for f in p.start..first {
                        xs[f] = src[[first, 0]];
                        ys[f] = src[[first, 1]];
                    }
                }
            }
            out.fill_unobserved_xy(a, &xs, &ys)?;
        }
        Ok(out)
    }
}

type ImputeFn = dyn Fn(&TrackingData) -> Result<TrackingData>;
type FitFn = dyn Fn(&TrackingData) -> Result<BoxedImputer>;

/// Any [`Imputer`] behind one type: its error becomes
/// [`ImputeError::Imputer`] (method name and message).
///
/// ```
/// use touchline_core::Imputer;
/// use touchline_impute::{Linear, eval::{BoxedImputer, ForwardFill}};
/// let all = vec![BoxedImputer::new(Linear::default()), BoxedImputer::new(ForwardFill)];
/// assert_eq!(all[1].name(), "ffill");
/// ```
pub struct BoxedImputer {
    name: String,
    run: Box<ImputeFn>,
}

impl BoxedImputer {
    /// Wraps `imputer`, named by [`Imputer::name`].
    pub fn new<I: Imputer + 'static>(imputer: I) -> BoxedImputer {
        let name = imputer.name().to_string();
        BoxedImputer::named(name, imputer)
    }

    /// Wraps `imputer` under another name.
    pub fn named<I: Imputer + 'static>(name: impl Into<String>, imputer: I) -> BoxedImputer {
        let name = name.into();
        let n2 = name.clone();
        let run = move |d: &TrackingData| {
            imputer.impute(d).map_err(|e| ImputeError::Imputer { method: n2.clone(), message: e.to_string() })
        };
        BoxedImputer { name, run: Box::new(run) }
    }
}

impl std::fmt::Debug for BoxedImputer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoxedImputer").field("name", &self.name).finish()
    }
}

impl Imputer for BoxedImputer {
    type Error = ImputeError;
    fn name(&self) -> &str {
        &self.name
    }
    fn impute(&self, data: &TrackingData) -> Result<TrackingData> {
        (self.run)(data)
    }
}

/// A method to benchmark: a ready imputer, or one fitted on the training
/// windows (joined by [`concat_windows`], masked with the same seed's
/// masks) before it is scored on the others.
pub struct Candidate {
    name: String,
    build: Build,
}

enum Build {
    Ready(BoxedImputer),
    Fit(Box<FitFn>),
}

impl std::fmt::Debug for Candidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if matches!(self.build, Build::Fit(_)) { "fitted" } else { "ready" };
        f.debug_struct("Candidate").field("name", &self.name).field("kind", &kind).finish()
    }
}

impl Candidate {
    /// A ready imputer, named by [`Imputer::name`].
    pub fn new<I: Imputer + 'static>(imputer: I) -> Candidate {
        let b = BoxedImputer::new(imputer);
        Candidate { name: b.name.clone(), build: Build::Ready(b) }
    }

    /// A ready imputer under another name.
    pub fn named<I: Imputer + 'static>(name: impl Into<String>, imputer: I) -> Candidate {
        let b = BoxedImputer::named(name, imputer);
        Candidate { name: b.name.clone(), build: Build::Ready(b) }
    }

    /// An imputer built by `fit` from the masked training windows (one
    /// period per window) of each seed.
    pub fn fitted<I, F>(name: impl Into<String>, fit: F) -> Candidate
    where
        I: Imputer + 'static,
        F: Fn(&TrackingData) -> std::result::Result<I, I::Error> + 'static,
    {
        let name = name.into();
        let n2 = name.clone();
        let f = move |train: &TrackingData| {
            let imp = fit(train)
                .map_err(|e| ImputeError::Imputer { method: n2.clone(), message: e.to_string() })?;
            Ok(BoxedImputer::named(n2.clone(), imp))
        };
        Candidate { name, build: Build::Fit(Box::new(f)) }
    }

    /// The name in tables.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether it is fitted on the training windows.
    pub fn is_fitted(&self) -> bool {
        matches!(self.build, Build::Fit(_))
    }
}

/// The built-in methods, in table order. `dase*` are fitted on the training
/// windows; `knn` learns from each window's own observed entries.
pub const BUILTIN: [&str; 13] = [
    "ffill",
    "linear",
    "cubic-spline",
    "natural-spline",
    "steffen",
    "pchip",
    "akima",
    "makima",
    "kalman",
    "knn",
    "dase",
    "dase-midas",
    "dase-kalman",
];

/// A built-in method by name (see [`BUILTIN`]; `dase-midas` is DASE with
/// MIDAS's `c = 1` accumulation; `dase-kalman` is DASE on the Kalman
/// smoother's position, velocity and acceleration, [`crate::KalmanPva`]). All use the default [`crate::GapPolicy`]
/// (every gap filled, edges held).
pub fn builtin(name: &str) -> Result<Candidate> {
    let p = InterpParams::default();
    Ok(match name {
        "ffill" => Candidate::new(ForwardFill),
        "linear" => Candidate::new(Linear::new(p)?),
        "cubic-spline" => Candidate::named("cubic-spline", CubicSpline::new(SplineBoundary::NotAKnot, p)?),
        "natural-spline" => Candidate::named("natural-spline", CubicSpline::new(SplineBoundary::Natural, p)?),
        "steffen" => Candidate::new(Steffen::new(p)?),
        "pchip" => Candidate::new(Pchip::new(p)?),
        "akima" => Candidate::new(Akima::new(p)?),
        "makima" => Candidate::new(Makima::new(p)?),
        "kalman" => Candidate::named("kalman", KalmanSmoother::new(KalmanParams::default())?),
        "knn" => Candidate::named("knn", KnnRegression::new(KnnParams::default())?),
        "dase" | "dase-midas" | "dase-kalman" => {
            let params = DaseParams {
                accumulation: if name == "dase-midas" {
                    crate::Accumulation::Midas
                } else {
                    crate::Accumulation::Physics
                },
                predictor: if name == "dase-kalman" {
                    crate::Predictor::Kalman { params: KalmanParams::default() }
                } else {
                    crate::Predictor::default()
                },
                ..DaseParams::default()
            };
            params.validate()?;
            Candidate::fitted(name, move |train: &TrackingData| {
                let w = Dase::fit(train, &params)?;
                Dase::with_weights(w, params)
            })
        }
        _ => {
            return Err(ImputeError::InvalidParameter {
                name: "method",
                reason: format!("unknown method {name:?}; known: {}", BUILTIN.join(", ")),
            });
        }
    })
}

/// How the windows are split.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BenchConfig {
    /// Share of windows, the first by time, used to fit fitted methods
    /// (default 0.7); every method is scored on the rest.
    pub train_fraction: f64,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig { train_fraction: 0.7 }
    }
}

impl BenchConfig {
    /// `(training windows, scored windows)` for `n` windows: the first
    /// `floor(train_fraction * n)` and the rest (at least one scored).
    pub fn split(&self, n: usize) -> (usize, usize) {
        let f = if self.train_fraction.is_finite() { self.train_fraction.clamp(0.0, 1.0) } else { 0.0 };
        let train = ((f * n as f64).floor() as usize).min(n.saturating_sub(1));
        (train, n - train)
    }
}

/// One method on one seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedResult {
    /// The mask seed.
    pub seed: u64,
    /// Players.
    pub players: Metrics,
    /// The ball, when it is scored.
    pub ball: Option<Metrics>,
    /// Seconds spent in `impute` over the scored windows.
    pub impute_seconds: f64,
    /// Seconds spent fitting (0 for ready methods).
    pub fit_seconds: f64,
}

/// Mean and standard deviation (n − 1; 0 for one seed) over seeds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanStd {
    /// Mean.
    pub mean: f64,
    /// Standard deviation.
    pub std: f64,
}

impl MeanStd {
    fn of(v: &[f64]) -> MeanStd {
        let n = v.len() as f64;
        if v.is_empty() {
            return MeanStd { mean: f64::NAN, std: f64::NAN };
        }
        let mean = v.iter().sum::<f64>() / n;
        let std = if v.len() < 2 {
            0.0
        } else {
            (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        };
        MeanStd { mean, std }
    }
}

/// One method over every seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodResult {
    /// Name.
    pub method: String,
    /// Whether it was fitted on the training windows.
    pub fitted: bool,
    /// Per seed.
    pub seeds: Vec<SeedResult>,
    /// Players: each of [`Metrics::NAMES`] plus `impute_s` and `fit_s`, over seeds.
    pub summary: Vec<(String, MeanStd)>,
    /// The ball, the same way (empty when not scored).
    pub ball_summary: Vec<(String, MeanStd)>,
}

impl MethodResult {
    /// The players' summary of one metric.
    pub fn stat(&self, name: &str) -> Option<MeanStd> {
        self.summary.iter().find(|(n, _)| n == name).map(|(_, s)| *s)
    }
}

/// Everything a run produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchResults {
    /// Mask pattern.
    pub mask: String,
    /// Requested rate (`None` for camera and visibility).
    pub rate: Option<f64>,
    /// Hidden share of the masked entries of the scored windows, per seed.
    pub missing_rate: Vec<f64>,
    /// Frames per window.
    pub window: usize,
    /// Resampling rate (`None`: native).
    pub hz: Option<f64>,
    /// Windows in all.
    pub n_windows: usize,
    /// Windows used to fit fitted methods (the first by time).
    pub n_train: usize,
    /// Windows scored.
    pub n_test: usize,
    /// Scored players (agent-windows) and frames.
    pub n_player_windows: usize,
    /// Methods.
    pub methods: Vec<MethodResult>,
}

/// What the harness is doing, for a progress bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress<'a> {
    /// Method name.
    pub method: &'a str,
    /// Seed.
    pub seed: u64,
    /// Steps done so far (one per scored window, plus one per fit).
    pub done: usize,
    /// Steps in the whole run.
    pub total: usize,
}

/// Runs `candidates` over the windows masked by `masks` (made for exactly
/// these windows: [`MaskSet::check`]). Windows must be in time order; the
/// first [`BenchConfig::split`] windows only serve to fit fitted methods.
pub fn run(
    windows: &[EvalWindow],
    masks: &MaskSet,
    candidates: &[Candidate],
    config: &BenchConfig,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<BenchResults> {
    if windows.is_empty() {
        return Err(ImputeError::Mask("no windows to score (data shorter than one window?)".into()));
    }
    for s in &masks.seeds {
        if s.windows.len() != windows.len() {
            return Err(ImputeError::Mask(format!(
                "seed {}: {} masks for {} windows",
                s.seed,
                s.windows.len(),
                windows.len()
            )));
        }
        for (m, w) in s.windows.iter().zip(windows) {
            m.check(w)?;
        }
    }
    let (n_train, n_test) = config.split(windows.len());
    let n_fitted = candidates.iter().filter(|c| c.is_fitted()).count();
    if n_fitted > 0 && n_train == 0 {
        return Err(ImputeError::Mask(format!(
            "{} windows: too few to fit {} on the first {:.0}%",
            windows.len(),
            candidates.iter().filter(|c| c.is_fitted()).map(|c| c.name()).collect::<Vec<_>>().join(", "),
            100.0 * config.train_fraction
        )));
    }
    let total = masks.seeds.len() * (candidates.len() * n_test + n_fitted);
    let mut done = 0;
    // masked inputs per seed, built once
    let mut masked: Vec<Vec<TrackingData>> = Vec::with_capacity(masks.seeds.len());
    for s in &masks.seeds {
        let v: Result<Vec<TrackingData>> = s.windows.iter().zip(windows).map(|(m, w)| m.apply(w)).collect();
        masked.push(v?);
    }
    let test = n_train..windows.len();
    let mut missing_rate = Vec::new();
    for s in &masks.seeds {
        let (mut h, mut n) = (0usize, 0usize);
        for w in test.clone() {
            h += s.windows[w].count();
            n += windows[w].truth.n_frames() * masked_agents(&windows[w], masks.kind).len();
        }
        missing_rate.push(h as f64 / n.max(1) as f64);
    }
    let mut methods = Vec::with_capacity(candidates.len());
    for c in candidates {
        let mut seeds = Vec::with_capacity(masks.seeds.len());
        for (si, s) in masks.seeds.iter().enumerate() {
            let fitted_holder;
            let (imp, fit_seconds): (&BoxedImputer, f64) = match &c.build {
                Build::Ready(b) => (b, 0.0),
                Build::Fit(fit) => {
                    let train: Vec<&TrackingData> = masked[si][..n_train].iter().collect();
                    let joined = concat_windows(&train)?;
                    let t0 = Instant::now();
                    fitted_holder = fit(&joined)?;
                    let secs = t0.elapsed().as_secs_f64();
                    done += 1;
                    progress(Progress { method: c.name(), seed: s.seed, done, total });
                    (&fitted_holder, secs)
                }
            };
            let (mut players, mut ball) = (Accumulator::default(), Accumulator::default());
            let mut has_ball = false;
            let mut secs = 0.0;
            for w in test.clone() {
                let win = &windows[w];
                let input = &masked[si][w];
                let t0 = Instant::now();
                let out = imp.impute(input)?;
                secs += t0.elapsed().as_secs_f64();
                if out.positions().dim() != input.positions().dim() {
                    return Err(ImputeError::Imputer {
                        method: c.name().to_string(),
                        message: format!(
                            "returned shape {:?} for input {:?} ({} window {})",
                            out.positions().dim(),
                            input.positions().dim(),
                            win.source,
                            win.index
                        ),
                    });
                }
                let hidden = s.windows[w].matrix();
                let pitch = win.truth.pitch().map(|p| [p.length, p.width]).unwrap_or([105.0, 68.0]);
                let pl = win.player_indices();
                players.add(&win.truth, &hidden, &out, &pl, pitch);
                if let Some(b) = (0..win.truth.n_agents()).find(|&a| win.truth.agents()[a].team == Team::Ball)
                {
                    has_ball = true;
                    ball.add(&win.truth, &hidden, &out, &[b], pitch);
                }
                done += 1;
                progress(Progress { method: c.name(), seed: s.seed, done, total });
            }
            seeds.push(SeedResult {
                seed: s.seed,
                players: players.finish(),
                ball: has_ball.then(|| ball.finish()),
                impute_seconds: secs,
                fit_seconds,
            });
        }
        let summarise = |get: &dyn Fn(&SeedResult) -> Option<Metrics>| {
            let mut out = Vec::new();
            for name in Metrics::NAMES {
                let v: Vec<f64> = seeds.iter().filter_map(|s| get(s).and_then(|m| m.get(name))).collect();
                out.push((name.to_string(), MeanStd::of(&v)));
            }
            out
        };
        let mut summary = summarise(&|s: &SeedResult| Some(s.players));
        summary.push((
            "impute_s".into(),
            MeanStd::of(&seeds.iter().map(|s| s.impute_seconds).collect::<Vec<_>>()),
        ));
        summary.push(("fit_s".into(), MeanStd::of(&seeds.iter().map(|s| s.fit_seconds).collect::<Vec<_>>())));
        let ball_summary = if seeds.iter().any(|s| s.ball.is_some()) {
            summarise(&|s: &SeedResult| s.ball)
        } else {
            Vec::new()
        };
        methods.push(MethodResult {
            method: c.name().to_string(),
            fitted: c.is_fitted(),
            seeds,
            summary,
            ball_summary,
        });
    }
    let n_player_windows = windows[n_train..].iter().map(|w| w.player_indices().len()).sum();
    Ok(BenchResults {
        mask: masks.kind.name().to_string(),
        rate: masks.rate,
        missing_rate,
        window: masks.window,
        hz: masks.hz,
        n_windows: windows.len(),
        n_train,
        n_test,
        n_player_windows,
        methods,
    })
}

fn fmt_ms(s: MeanStd, digits: usize) -> String {
    if s.mean.is_nan() {
        return "-".into();
    }
    format!("{:.*} ± {:.*}", digits, s.mean, digits, s.std)
}

impl BenchResults {
    /// A Markdown report: the setup, then one table for the players (and one
    /// for the ball when scored), mean ± std over seeds.
    pub fn to_markdown(&self) -> String {
        let mr = MeanStd::of(&self.missing_rate);
        let mut s = format!(
            "mask `{}`{}, window {} frames at {}, {} windows: the first {} (70% by time) only fit the \
             fitted methods ({}), the last {} are scored ({} player-windows). Missing rate of the scored \
             windows: {:.1}% ± {:.1}% over {} seeds.\n\n",
            self.mask,
            self.rate.map(|r| format!(" at rate {r}")).unwrap_or_else(|| " (rate set by the pattern)".into()),
            self.window,
            self.hz.map(|h| format!("{h} Hz")).unwrap_or_else(|| "the native rate".into()),
            self.n_windows,
            self.n_train,
            {
                let f: Vec<&str> =
                    self.methods.iter().filter(|m| m.fitted).map(|m| m.method.as_str()).collect();
                if f.is_empty() { "none".to_string() } else { f.join(", ") }
            },
            self.n_test,
            self.n_player_windows,
            100.0 * mr.mean,
            100.0 * mr.std,
            self.missing_rate.len()
        );
        s += &table(&self.methods, false);
        if self.methods.iter().any(|m| !m.ball_summary.is_empty()) {
            s += "\nBall:\n\n";
            s += &table(&self.methods, true);
        }
        if let Some(m) = self.methods.first().and_then(|m| m.seeds.first()) {
            s += &format!(
                "\nIn the truth at the same entries (seed {}): {} speeds > 12 m/s, {} accelerations > 8 m/s².\n",
                m.seed, m.players.true_fast_speed, m.players.true_high_accel
            );
        }
        s
    }

    /// One CSV row per method, seed and group (`players`/`ball`), plus rows
    /// with seed `mean` and `std`.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("method,fitted,group,seed");
        for n in Metrics::NAMES {
            s += ",";
            s += n;
        }
        s += ",n_missing,impute_s,fit_s\n";
        for m in &self.methods {
            for sr in &m.seeds {
                for (group, met) in [("players", Some(sr.players)), ("ball", sr.ball)] {
                    let Some(met) = met else { continue };
                    s += &format!("{},{},{group},{}", m.method, m.fitted, sr.seed);
                    for n in Metrics::NAMES {
                        s += &format!(",{}", met.get(n).unwrap_or(f64::NAN));
                    }
                    s += &format!(",{},{},{}\n", met.n_missing, sr.impute_seconds, sr.fit_seconds);
                }
            }
            for (label, pick) in [("mean", true), ("std", false)] {
                s += &format!("{},{},players,{label}", m.method, m.fitted);
                for n in Metrics::NAMES {
                    let v = m.stat(n).map(|x| if pick { x.mean } else { x.std }).unwrap_or(f64::NAN);
                    s += &format!(",{v}");
                }
                let t = |k: &str| m.stat(k).map(|x| if pick { x.mean } else { x.std }).unwrap_or(f64::NAN);
                s += &format!(",,{},{}\n", t("impute_s"), t("fit_s"));
            }
        }
        s
    }

    /// JSON text.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| ImputeError::Mask(format!("cannot encode results: {e}")))
    }
}

fn table(methods: &[MethodResult], ball: bool) -> String {
    let mut s = String::from(
        "| method | PE (m) | RMSE (m) | MAPE (%) | SE (m/s) | SCE | PLE (m) | r | Cohen's d | v>12 | a>8 | unfilled | impute s | fit s |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for m in methods {
        let sum = if ball { &m.ball_summary } else { &m.summary };
        if sum.is_empty() {
            continue;
        }
        let get = |n: &str| {
            sum.iter()
                .chain(m.summary.iter())
                .find(|(k, _)| k == n)
                .map(|(_, v)| *v)
                .unwrap_or(MeanStd { mean: f64::NAN, std: f64::NAN })
        };
        let name = if m.fitted { format!("{} (fit on train)", m.method) } else { m.method.clone() };
        s += &format!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            fmt_ms(get("pe"), 3),
            fmt_ms(get("rmse"), 3),
            fmt_ms(get("mape"), 3),
            fmt_ms(get("se"), 3),
            fmt_ms(get("sce"), 3),
            fmt_ms(get("ple"), 4),
            fmt_ms(get("r"), 4),
            fmt_ms(get("d"), 3),
            fmt_ms(get("fast"), 0),
            fmt_ms(get("accel"), 0),
            fmt_ms(get("unfilled"), 0),
            fmt_ms(get("impute_s"), 4),
            fmt_ms(get("fit_s"), 2),
        );
    }
    s
}

/// The ground-truth windows as JSON, for reference implementations:
/// `{"n_train": .., "windows": [{"source", "index", "times", "agents",
/// "teams", "positions": [[[x, y], ...agents], ...frames]}]}`.
pub fn windows_to_json(windows: &[EvalWindow], config: &BenchConfig) -> Result<String> {
    #[derive(Serialize)]
    struct W<'a> {
        source: &'a str,
        index: usize,
        times: &'a [f64],
        agents: Vec<&'a str>,
        teams: Vec<&'a str>,
        pitch: [f64; 2],
        positions: Vec<Vec<[f64; 2]>>,
    }
    #[derive(Serialize)]
    struct All<'a> {
        n_train: usize,
        windows: Vec<W<'a>>,
    }
    let (n_train, _) = config.split(windows.len());
    let ws = windows
        .iter()
        .map(|w| {
            let p = w.truth.positions();
            W {
                source: &w.source,
                index: w.index,
                times: w.truth.timestamps_slice(),
                agents: w.truth.agents().iter().map(|a| a.id.as_str()).collect(),
                teams: w.truth.agents().iter().map(|a| a.team.as_str()).collect(),
                pitch: w.truth.pitch().map(|p| [p.length, p.width]).unwrap_or([105.0, 68.0]),
                positions: (0..w.truth.n_frames())
                    .map(|f| (0..w.truth.n_agents()).map(|a| [p[[f, a, 0]], p[[f, a, 1]]]).collect())
                    .collect(),
            }
        })
        .collect();
    serde_json::to_string(&All { n_train, windows: ws })
        .map_err(|e| ImputeError::Mask(format!("cannot encode windows: {e}")))
}
