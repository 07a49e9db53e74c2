//! K-nearest-neighbour regression: fills a gap entry from the most similar
//! *observed* situations of the same agent (or of its team-mates in the same
//! role) in the same dataset, the KNN regressor of the trajectory
//! interpolation studies and the KNN baseline of MIDAS.
//!
//! # What it does
//!
//! Per period, per *pool* ([`Pool::Agent`]: one agent; [`Pool::TeamRole`]:
//! all agents of one team sharing a role), the imputer
//!
//! 1. collects the interior gaps it will fill (between two observations of
//!    the agent, at most [`GapPolicy::max_gap`] long);
//! 2. builds *training rows* from observed entries: an observed entry at
//!    frame `g` is treated as if it lay at offset `j = 1 + (g mod L)` inside
//!    a gap of `L` missing frames, so its gap edges are the agent's last
//!    observation at or before `g - j` and first at or after `g + L + 1 - j`.
//!    `L` runs over the most frequent gap lengths (in frames) of the gaps to
//!    fill, at most [`KnnParams::train_lengths`] of them: the model is trained
//!    on the situations it will be asked about, one row per (entry, length),
//!    the offset varying with `g` so the position within the gap is spread
//!    evenly without multiplying rows. Rows whose edges are missing or more
//!    than `max_gap` apart are skipped;
//! 3. keeps at most [`KnnParams::max_train_rows`] of them (a fixed
//!    pseudo-random subset, so the cost stops growing with the match),
//!    standardises every feature by its mean and standard deviation over the
//!    training rows, multiplies it by its weight ([`KnnFeatures`]), and puts
//!    the rows, on the active (nonzero) dimensions only, in a k-d tree
//!    ([`kiddo::ImmutableKdTree`]);
//! 4. for each missing entry, builds the same features, finds the `k` nearest
//!    rows and averages their targets ([`Weighting`]).
//!
//! Features of a (frame `f`, agent `a`) entry inside a gap with edges `f0 < f < f1`
//! (observations of `a`), each group switched off by a zero weight:
//!
//! | group | values |
//! |---|---|
//! | `time` | seconds since the period start |
//! | `edges` | `a`'s positions at `f0` and `f1` |
//! | `gap` | fraction `(t_f - t_f0) / (t_f1 - t_f0)` and gap duration `t_f1 - t_f0` |
//! | `centroid` | centroid of `a`'s *observed* team-mates at `f`, minus the linear interpolation `lin_f` of `a` |
//! | `ball` | the ball at `f` if observed, minus `lin_f` |
//! | `motion` | the chord `p_f1 - p_f0`, and `a`'s velocity at `f0` (from the observation 5, else 1, frames before) and at `f1` (after), minus the chord's velocity |
//! | `mates` | the `n_mates` observed team-mates nearest to `lin_f`, minus `lin_f`, nearest first |
//!
//! None of them reads `a` at `f` (nor anything unobserved); a context value
//! that does not exist at `f` (no observed team-mate, ball unseen) is set to
//! `lin_f`, i.e. `0` in its relative form, for training and queries alike.
//!
//! The target ([`KnnTarget`]) is the displacement from `lin_f` (default:
//! measured better on synthetic and TRACAB data) or the absolute position.
//!
//! # Gap policy and fallbacks
//!
//! Everything but the interior gaps up to `max_gap` is handled exactly like
//! the [`crate::Linear`] imputer under the same [`GapPolicy`] (edges, long
//! gaps with [`crate::LongGaps::Fallback`], agents with fewer than two
//! observations in a period). Interior gaps of a pool with no training row
//! (e.g. an agent observed only twice) are filled by linear interpolation,
//! counted in [`crate::AgentReport::filled_fallback`] and
//! [`crate::AgentReport::fallback_no_training`].
//!
//! The result is deterministic: rows are built in frame order and the tree
//! query is exact.
//!
//! ```
//! use touchline_core::{Imputer, verify_observed_unchanged};
//! use touchline_impute::{KnnParams, KnnRegression};
//! use touchline_io::synthetic::SyntheticMatch;
//!
//! let truth = SyntheticMatch { seconds: 20.0, ..Default::default() }.generate()?;
//! // hide home_7 in frames 200..240 (1.6 s)
//! let mut pos = truth.positions().clone();
//! let mut seen = truth.observed().clone();
//! let a = truth.agent_index("home_7").unwrap();
//! for f in 200..240 {
//!     seen[[f, a]] = false;
//!     pos[[f, a, 0]] = f64::NAN;
//!     pos[[f, a, 1]] = f64::NAN;
//! }
//! let data = touchline_core::TrackingData::new(
//!     pos, seen, truth.timestamps().to_vec(), truth.agents().to_vec())?;
//! let knn = KnnRegression::new(KnnParams::default())?;
//! let (filled, report) = knn.impute_with_report(&data)?;
//! verify_observed_unchanged(&data, &filled)?;
//! assert_eq!(report.agents[a].filled_method, 40);
//! assert!(filled.positions()[[220, a, 0]].is_finite());
//! assert_eq!(knn.name(), "knn_regression");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::num::NonZeroUsize;

use kiddo::{ImmutableKdTree, SquaredEuclidean};
use serde::{Deserialize, Serialize};
use touchline_core::{Imputer, Team, TrackingData};

use crate::cap::PlausibilityCap;
use crate::error::{ImputeError, Result};
use crate::interp::Kind;
use crate::methods::{InterpImputer, InterpParams};
use crate::policy::GapPolicy;
use crate::report::ImputeReport;

/// Most team-mates usable as features ([`KnnFeatures::n_mates`]).
pub const MAX_MATES: usize = 3;
/// Largest `k` accepted.
pub const MAX_K: usize = 1024;

/// Feature vector length: time 1, edges 4, gap 2, centroid 2, ball 2,
/// motion 6, mates 2 * MAX_MATES.
const DIMS: usize = 17 + 2 * MAX_MATES;
/// Frames back (forward) from a gap edge to estimate the edge velocity.
const VEL_LAG: usize = 5;
const NONE: usize = usize::MAX;

/// Whose observed entries train the model for an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pool {
    /// The agent's own observations.
    #[default]
    Agent,
    /// The observations of every agent of the same team with the same
    /// [`touchline_core::Agent::role`]; agents without a role, and the ball,
    /// use their own.
    TeamRole,
}

/// How the `k` neighbours' targets are averaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// Plain mean.
    #[default]
    Uniform,
    /// Weights `1 / distance` in standardised feature space; neighbours at
    /// distance 0, if any, share all the weight equally.
    InverseDistance,
}

/// What the regression predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KnnTarget {
    /// Displacement from the linear interpolation between the gap edges.
    #[default]
    Residual,
    /// The position itself.
    Absolute,
}

/// Weights of the feature groups (see the [module docs](self)), applied after
/// standardisation: `0` switches a group off, `2` counts it twice as much.
///
/// The default uses `motion` and `gap` only: on random 2 s gaps it measured
/// better than every mix with the context groups (team centroid, ball,
/// team-mates), the time and the absolute edge positions, on synthetic and
/// on TRACAB data.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KnnFeatures {
    /// Seconds since the period start.
    pub time: f64,
    /// Positions at the gap edges.
    pub edges: f64,
    /// Fraction of the gap elapsed and gap duration.
    pub gap: f64,
    /// Team-mates' centroid relative to the linear interpolation.
    pub centroid: f64,
    /// Ball relative to the linear interpolation.
    pub ball: f64,
    /// Nearest team-mates relative to the linear interpolation.
    pub mates: f64,
    /// The chord between the edges and the agent's velocity at each edge
    /// relative to the chord's.
    pub motion: f64,
    /// How many nearest team-mates (at most [`MAX_MATES`]).
    pub n_mates: usize,
}

impl Default for KnnFeatures {
    fn default() -> Self {
        KnnFeatures {
            time: 0.0,
            edges: 0.0,
            gap: 1.0,
            centroid: 0.0,
            ball: 0.0,
            mates: 0.0,
            motion: 1.0,
            n_mates: 2,
        }
    }
}

impl KnnFeatures {
    /// Weight of each dimension of the feature vector.
    fn dim_weights(&self) -> [f64; DIMS] {
        let mut w = [0.0; DIMS];
        w[0] = self.time;
        w[1..5].fill(self.edges);
        w[5..7].fill(self.gap);
        w[7..9].fill(self.centroid);
        w[9..11].fill(self.ball);
        w[11..17].fill(self.motion);
        w[17..17 + 2 * self.n_mates.min(MAX_MATES)].fill(self.mates);
        w
    }
}

/// Parameters of [`KnnRegression`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KnnParams {
    /// Which gaps to fill and how (as for the interpolators).
    pub policy: GapPolicy,
    /// Number of neighbours (`1..=MAX_K`).
    pub k: usize,
    /// How neighbours are averaged.
    pub weighting: Weighting,
    /// What is predicted.
    pub target: KnnTarget,
    /// Whose observations train the model.
    pub pool: Pool,
    /// Feature weights.
    pub features: KnnFeatures,
    /// How many distinct gap lengths the training rows simulate (>= 1).
    pub train_lengths: usize,
    /// Optional speed/acceleration cap, applied to the filled entries.
    #[serde(default)]
    pub cap: Option<PlausibilityCap>,
    /// Most training rows per pool and period (`None`: all). Above it a
    /// deterministic pseudo-random subset of this many rows is kept (the same
    /// rows on every run, in frame order), so the tree and the cost of a query
    /// stop growing with the match length. Default
    /// [`DEFAULT_MAX_TRAIN_ROWS`]; a short clip (a few minutes) stays below it
    /// and is unaffected.
    #[serde(default = "default_max_train_rows")]
    pub max_train_rows: Option<usize>,
}

/// Default [`KnnParams::max_train_rows`]: 60 000 rows, about 4 minutes of one
/// agent at 25 Hz with the default 4 training lengths.
pub const DEFAULT_MAX_TRAIN_ROWS: usize = 60_000;

fn default_max_train_rows() -> Option<usize> {
    Some(DEFAULT_MAX_TRAIN_ROWS)
}

impl Default for KnnParams {
    fn default() -> Self {
        KnnParams {
            policy: GapPolicy::default(),
            k: 20,
            weighting: Weighting::InverseDistance,
            target: KnnTarget::Residual,
            pool: Pool::Agent,
            features: KnnFeatures::default(),
            train_lengths: 4,
            cap: None,
            max_train_rows: default_max_train_rows(),
        }
    }
}

fn invalid(name: &'static str, reason: String) -> ImputeError {
    ImputeError::InvalidParameter { name, reason }
}

impl KnnParams {
    /// Checks every field: the policy, `1 <= k <= MAX_K`, finite non-negative
    /// weights with at least one positive, `n_mates <= MAX_MATES`,
    /// `train_lengths >= 1`.
    ///
    /// ```
    /// use touchline_impute::{KnnFeatures, KnnParams};
    /// assert!(KnnParams::default().validate().is_ok());
    /// assert!(KnnParams { k: 0, ..Default::default() }.validate().is_err());
    /// let nan = KnnFeatures { ball: f64::NAN, ..Default::default() };
    /// assert!(KnnParams { features: nan, ..Default::default() }.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        self.policy.validate()?;
        if self.k == 0 || self.k > MAX_K {
            return Err(invalid("k", format!("must be in 1..={MAX_K}, got {}", self.k)));
        }
        let f = &self.features;
        for (name, w) in [
            ("features.time", f.time),
            ("features.edges", f.edges),
            ("features.gap", f.gap),
            ("features.centroid", f.centroid),
            ("features.ball", f.ball),
            ("features.mates", f.mates),
            ("features.motion", f.motion),
        ] {
            if !(w.is_finite() && w >= 0.0) {
                return Err(invalid(name, format!("weight must be finite and >= 0, got {w}")));
            }
        }
        if f.n_mates > MAX_MATES {
            return Err(invalid("features.n_mates", format!("at most {MAX_MATES}, got {}", f.n_mates)));
        }
        if f.dim_weights().iter().all(|&w| w == 0.0) {
            return Err(invalid("features", "every feature weight is zero".into()));
        }
        if self.train_lengths == 0 {
            return Err(invalid("train_lengths", "must be at least 1".into()));
        }
        if self.max_train_rows == Some(0) {
            return Err(invalid("max_train_rows", "must be at least 1 (None: no limit)".into()));
        }
        if let Some(c) = &self.cap {
            c.validate()?;
        }
        Ok(())
    }
}

/// K-nearest-neighbour regression imputer; see the [module docs](self).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KnnRegression {
    params: KnnParams,
}

impl KnnRegression {
    /// A validated imputer.
    pub fn new(params: KnnParams) -> Result<Self> {
        params.validate()?;
        Ok(KnnRegression { params })
    }

    /// The parameters.
    pub fn params(&self) -> &KnnParams {
        &self.params
    }

    /// Fills the gaps and says what it did. Observed entries are kept bit for
    /// bit; every unobserved entry is rewritten (value or `NaN`).
    pub fn impute_with_report(&self, data: &TrackingData) -> Result<(TrackingData, ImputeReport)> {
        run(&self.params, data)
    }
}

impl Imputer for KnnRegression {
    type Error = ImputeError;
    fn name(&self) -> &str {
        "knn_regression"
    }
    fn impute(&self, data: &TrackingData) -> Result<TrackingData> {
        Ok(self.impute_with_report(data)?.0)
    }
}

fn team_index(t: Team) -> usize {
    match t {
        Team::Home => 0,
        Team::Away => 1,
        Team::Ball => 2,
        Team::Officials => 3,
        Team::Unknown => 4,
    }
}

/// Observed data, agent-major (`a * nf + f`), and per-frame team sums.
struct Ctx<'a> {
    t: &'a [f64],
    nf: usize,
    xs: Vec<f64>,
    ys: Vec<f64>,
    obs: Vec<bool>,
    team_of: Vec<usize>,
    members: Vec<Vec<usize>>,
    sum_x: Vec<f64>,
    sum_y: Vec<f64>,
    cnt: Vec<u32>,
    ball: Option<usize>,
    feats: KnnFeatures,
}

impl Ctx<'_> {
    /// Features of agent `a` at frame `f` inside the gap `f0 < f < f1`, and
    /// the linear interpolation there.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn features(
        &self,
        a: usize,
        f: usize,
        f0: usize,
        f1: usize,
        start: usize,
        end: usize,
    ) -> ([f64; DIMS], [f64; 2]) {
        let (nf, t, fe) = (self.nf, self.t, &self.feats);
        let (i0, i1) = (a * nf + f0, a * nf + f1);
        let (x0, y0, x1, y1) = (self.xs[i0], self.ys[i0], self.xs[i1], self.ys[i1]);
        let dur = t[f1] - t[f0];
        let u = (t[f] - t[f0]) / dur;
        let lin = [x0 + (x1 - x0) * u, y0 + (y1 - y0) * u];
        let mut v = [0.0; DIMS];
        v[0] = t[f] - t[start];
        v[1] = x0;
        v[2] = y0;
        v[3] = x1;
        v[4] = y1;
        v[5] = u;
        v[6] = dur;
        let ti = self.team_of[a];
        if fe.centroid > 0.0 {
            let j = ti * nf + f;
            let own = self.obs[a * nf + f];
            let c = self.cnt[j] - u32::from(own);
            if c > 0 {
                let (mut sx, mut sy) = (self.sum_x[j], self.sum_y[j]);
                if own {
                    sx -= self.xs[a * nf + f];
                    sy -= self.ys[a * nf + f];
                }
                v[7] = sx / f64::from(c) - lin[0];
                v[8] = sy / f64::from(c) - lin[1];
            }
        }
        if fe.ball > 0.0
            && let Some(b) = self.ball
            && b != a
            && self.obs[b * nf + f]
        {
            v[9] = self.xs[b * nf + f] - lin[0];
            v[10] = self.ys[b * nf + f] - lin[1];
        }
        let n = fe.n_mates.min(MAX_MATES);
        if fe.mates > 0.0 && n > 0 {
            // insertion into a fixed array: (squared distance, dx, dy), nearest first
            let mut best = [(f64::INFINITY, 0.0, 0.0); MAX_MATES];
            for &b in &self.members[ti] {
                let i = b * nf + f;
                if b == a || !self.obs[i] {
                    continue;
                }
                let (dx, dy) = (self.xs[i] - lin[0], self.ys[i] - lin[1]);
                let d = dx * dx + dy * dy;
                let mut p = n;
                while p > 0 && d < best[p - 1].0 {
                    p -= 1;
                }
                if p < n {
                    best.copy_within(p..n - 1, p + 1);
                    best[p] = (d, dx, dy);
                }
            }
            for (m, &(d, dx, dy)) in best.iter().take(n).enumerate() {
                if d.is_finite() {
                    v[17 + 2 * m] = dx;
                    v[18 + 2 * m] = dy;
                }
            }
        }
        if fe.motion > 0.0 {
            let (cx, cy) = (x1 - x0, y1 - y0);
            v[11] = cx;
            v[12] = cy;
            let (vx, vy) = (cx / dur, cy / dur);
            if let Some((ex, ey)) = self.edge_velocity(a, f0, false, start, end) {
                v[13] = ex - vx;
                v[14] = ey - vy;
            }
            if let Some((ex, ey)) = self.edge_velocity(a, f1, true, start, end) {
                v[15] = ex - vx;
                v[16] = ey - vy;
            }
        }
        (v, lin)
    }
}

impl Ctx<'_> {
    /// Velocity of agent `a` at its observation `fe`, from the observation
    /// `VEL_LAG` (else 1) frames before (`forward`: after) within the period.
    #[inline]
    fn edge_velocity(
        &self,
        a: usize,
        fe: usize,
        forward: bool,
        start: usize,
        end: usize,
    ) -> Option<(f64, f64)> {
        let nf = self.nf;
        for lag in [VEL_LAG, 1] {
            let other = if forward {
                (fe + lag < end).then_some(fe + lag)
            } else {
                (fe >= start + lag).then(|| fe - lag)
            };
            if let Some(o) = other
                && self.obs[a * nf + o]
            {
                let dt = self.t[fe] - self.t[o];
                let (i, j) = (a * nf + fe, a * nf + o);
                return Some(((self.xs[i] - self.xs[j]) / dt, (self.ys[i] - self.ys[j]) / dt));
            }
        }
        None
    }
}

/// Last observed frame `<= f` and first `>= f` of one agent within a period.
fn prev_next(obs: &[bool], start: usize, prev: &mut Vec<usize>, next: &mut Vec<usize>) {
    let n = obs.len();
    prev.clear();
    next.clear();
    prev.resize(n, NONE);
    next.resize(n, NONE);
    let mut last = NONE;
    for (i, &o) in obs.iter().enumerate() {
        if o {
            last = start + i;
        }
        prev[i] = last;
    }
    let mut nx = NONE;
    for i in (0..n).rev() {
        if obs[i] {
            nx = start + i;
        }
        next[i] = nx;
    }
}

/// Buffers reused across pools and periods.
#[derive(Default)]
struct Scratch {
    gaps: Vec<(usize, usize, usize)>,
    lens: Vec<usize>,
    rows: Vec<[f64; DIMS]>,
    targets: Vec<[f64; 2]>,
    prev: Vec<usize>,
    next: Vec<usize>,
    nn: Vec<(f64, usize)>,
    keys: Vec<(u64, usize)>,
}

/// SplitMix64's output function: a fixed pseudo-random key per row index.
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Keeps `cap` of the rows (with their targets) when there are more: those
/// with the smallest keys [`mix`] of their index, in their original order.
/// Deterministic, and unbiased over frames and training lengths (a stride
/// could alias with the lengths' interleaving).
fn subsample(
    rows: &mut Vec<[f64; DIMS]>,
    targets: &mut Vec<[f64; 2]>,
    cap: usize,
    keys: &mut Vec<(u64, usize)>,
) {
    let n = rows.len();
    if n <= cap || cap == 0 {
        return;
    }
    keys.clear();
    keys.extend((0..n).map(|i| (mix(i as u64), i)));
    keys.select_nth_unstable(cap - 1);
    keys.truncate(cap);
    keys.sort_unstable_by_key(|&(_, i)| i);
    for (j, &(_, i)) in keys.iter().enumerate() {
        rows[j] = rows[i];
        targets[j] = targets[i];
    }
    rows.truncate(cap);
    targets.truncate(cap);
}

fn pools(data: &TrackingData, pool: Pool) -> Vec<Vec<usize>> {
    let agents = data.agents();
    match pool {
        Pool::Agent => (0..agents.len()).map(|a| vec![a]).collect(),
        Pool::TeamRole => {
            let mut out: Vec<Vec<usize>> = Vec::new();
            let mut keyed: Vec<(Team, &str, usize)> = Vec::new();
            for (a, ag) in agents.iter().enumerate() {
                match (&ag.role, ag.team) {
                    (Some(r), t) if t != Team::Ball => {
                        if let Some(&(_, _, g)) = keyed.iter().find(|(kt, kr, _)| *kt == t && *kr == r) {
                            out[g].push(a);
                        } else {
                            keyed.push((t, r, out.len()));
                            out.push(vec![a]);
                        }
                    }
                    _ => out.push(vec![a]),
                }
            }
            out
        }
    }
}

fn run(params: &KnnParams, data: &TrackingData) -> Result<(TrackingData, ImputeReport)> {
    params.validate()?;
    let policy = params.policy;
    let base = InterpImputer::new(Kind::Linear, InterpParams { policy, cap: None })?;
    let (mut out, mut report) = base.impute_with_report(data)?;
    report.method = "knn_regression".into();
    report.interpolant = "knn".into();

    let (nf, na) = (data.n_frames(), data.n_agents());
    let (pos, obs_arr, _) = data.arrays();
    let t = data.timestamps_slice();
    let mut xs = vec![f64::NAN; na * nf];
    let mut ys = vec![f64::NAN; na * nf];
    let mut obs = vec![false; na * nf];
    let mut ox = vec![f64::NAN; na * nf];
    let mut oy = vec![f64::NAN; na * nf];
    let filled = out.positions();
    for a in 0..na {
        for f in 0..nf {
            let i = a * nf + f;
            if obs_arr[[f, a]] {
                obs[i] = true;
                xs[i] = pos[[f, a, 0]];
                ys[i] = pos[[f, a, 1]];
            }
            ox[i] = filled[[f, a, 0]];
            oy[i] = filled[[f, a, 1]];
        }
    }
    let team_of: Vec<usize> = data.agents().iter().map(|g| team_index(g.team)).collect();
    let mut members = vec![Vec::new(); 5];
    for (a, &ti) in team_of.iter().enumerate() {
        members[ti].push(a);
    }
    let mut sum_x = vec![0.0; 5 * nf];
    let mut sum_y = vec![0.0; 5 * nf];
    let mut cnt = vec![0u32; 5 * nf];
    for (a, &ti) in team_of.iter().enumerate() {
        for f in 0..nf {
            let i = a * nf + f;
            if obs[i] {
                sum_x[ti * nf + f] += xs[i];
                sum_y[ti * nf + f] += ys[i];
                cnt[ti * nf + f] += 1;
            }
        }
    }
    let ctx = Ctx {
        t,
        nf,
        xs,
        ys,
        obs,
        team_of,
        members,
        sum_x,
        sum_y,
        cnt,
        ball: data.ball_index(),
        feats: params.features,
    };
    let dim_w = params.features.dim_weights();
    let k = NonZeroUsize::new(params.k).ok_or_else(|| invalid("k", "must be at least 1".into()))?;
    let mut s = Scratch::default();

    for p in data.periods() {
        let range = p.frames();
        let (start, end) = (range.start, range.end);
        if start >= end {
            continue;
        }
        for pool in pools(data, params.pool) {
            // 1. gaps to fill
            s.gaps.clear();
            for &a in &pool {
                let mut last = NONE;
                for f in start..end {
                    if ctx.obs[a * nf + f] {
                        if last != NONE && f - last > 1 && t[f] - t[last] <= policy.max_gap {
                            s.gaps.push((a, last, f));
                        }
                        last = f;
                    }
                }
            }
            if s.gaps.is_empty() {
                continue;
            }
            // most frequent gap lengths (missing frames), ties to the shorter
            s.lens.clear();
            s.lens.extend(s.gaps.iter().map(|&(_, f0, f1)| f1 - f0 - 1));
            s.lens.sort_unstable();
            let mut runs: Vec<(usize, usize)> = Vec::new(); // (count, length)
            for &l in &s.lens {
                match runs.last_mut() {
                    Some((c, ll)) if *ll == l => *c += 1,
                    _ => runs.push((1, l)),
                }
            }
            runs.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
            runs.truncate(params.train_lengths);

            // 2. training rows
            s.rows.clear();
            s.targets.clear();
            for &a in &pool {
                let ob = &ctx.obs[a * nf + start..a * nf + end];
                prev_next(ob, start, &mut s.prev, &mut s.next);
                for g in start..end {
                    if !ctx.obs[a * nf + g] {
                        continue;
                    }
                    for &(_, l) in &runs {
                        let j = 1 + g % l;
                        if g < start + j || g + l + 1 - j >= end {
                            continue;
                        }
                        let (f0, f1) = (s.prev[g - j - start], s.next[g + l + 1 - j - start]);
                        if f0 == NONE || f1 == NONE || t[f1] - t[f0] > policy.max_gap {
                            continue;
                        }
                        let (v, lin) = ctx.features(a, g, f0, f1, start, end);
                        let (x, y) = (ctx.xs[a * nf + g], ctx.ys[a * nf + g]);
                        let target = match params.target {
                            KnnTarget::Residual => [x - lin[0], y - lin[1]],
                            KnnTarget::Absolute => [x, y],
                        };
                        if v.iter().all(|x| x.is_finite()) && target.iter().all(|x| x.is_finite()) {
                            s.rows.push(v);
                            s.targets.push(target);
                        }
                    }
                }
            }
            if let Some(cap) = params.max_train_rows {
                subsample(&mut s.rows, &mut s.targets, cap, &mut s.keys);
            }
            let tree = if s.rows.is_empty() { None } else { standardise(&mut s.rows, &dim_w) };
            let Some((tree, mean, scale)) = tree else {
                // 5. no model: the linear values stay, counted as fallback
                for &(a, f0, f1) in &s.gaps {
                    let n = (f0 + 1..f1).filter(|&f| ox[a * nf + f].is_finite()).count();
                    let r = &mut report.agents[a];
                    r.filled_method -= n;
                    r.filled_fallback += n;
                    r.fallback_no_training += n;
                }
                continue;
            };
            // 4. queries
            for &(a, f0, f1) in &s.gaps {
                for f in f0 + 1..f1 {
                    let (mut v, lin) = ctx.features(a, f, f0, f1, start, end);
                    for d in 0..DIMS {
                        v[d] = (v[d] - mean[d]) * scale[d];
                    }
                    if !v.iter().all(|x| x.is_finite()) {
                        continue; // keep the linear value
                    }
                    tree.nearest(&v, k, &mut s.nn);
                    let zero = s.nn.iter().filter(|r| r.0 == 0.0).count();
                    let (mut wx, mut wy, mut ws) = (0.0, 0.0, 0.0);
                    for &(dist, item) in &s.nn {
                        let w = match params.weighting {
                            Weighting::Uniform => 1.0,
                            Weighting::InverseDistance if zero > 0 => f64::from(u8::from(dist == 0.0)),
                            Weighting::InverseDistance => 1.0 / dist.sqrt(),
                        };
                        let tg = s.targets[item];
                        wx += w * tg[0];
                        wy += w * tg[1];
                        ws += w;
                    }
                    let (px, py) = match params.target {
                        KnnTarget::Residual => (lin[0] + wx / ws, lin[1] + wy / ws),
                        KnnTarget::Absolute => (wx / ws, wy / ws),
                    };
                    if px.is_finite() && py.is_finite() {
                        ox[a * nf + f] = px;
                        oy[a * nf + f] = py;
                    }
                }
            }
        }
    }
    for a in 0..na {
        out.fill_unobserved_xy(a, &ox[a * nf..(a + 1) * nf], &oy[a * nf..(a + 1) * nf])?;
    }
    if let Some(cap) = &params.cap {
        for (r, n) in report.agents.iter_mut().zip(cap.apply(&mut out)?) {
            r.capped += n;
        }
        report.cap = Some(*cap);
    }
    Ok((out, report))
}

/// Nearest-neighbour search over the standardised rows, on the *active*
/// dimensions only (those with a nonzero scale). kiddo's trees split on the
/// dimensions in turn, so a zero dimension in the tree wastes a level of
/// every descent: with the default features (8 active of 23) the search was
/// close to a linear scan. The tree's dimension is the smallest supported
/// size that holds the active ones; the rest are zero.
trait Nearest {
    /// The `k` nearest rows to `q` (standardised, full `DIMS` layout) as
    /// (squared distance, row index), nearest first.
    fn nearest(&self, q: &[f64; DIMS], k: NonZeroUsize, out: &mut Vec<(f64, usize)>);
}

struct Compact<const K: usize> {
    tree: ImmutableKdTree<f64, K>,
    active: Vec<usize>,
}

impl<const K: usize> Compact<K> {
    fn build(rows: &[[f64; DIMS]], active: &[usize]) -> Option<Box<dyn Nearest>> {
        let pts: Vec<[f64; K]> = rows
            .iter()
            .map(|r| {
                let mut p = [0.0; K];
                for (v, &d) in p.iter_mut().zip(active) {
                    *v = r[d];
                }
                p
            })
            .collect();
        let tree = ImmutableKdTree::<f64, K>::new_from_slice(&pts).ok()?;
        Some(Box::new(Compact::<K> { tree, active: active.to_vec() }))
    }
}

impl<const K: usize> Nearest for Compact<K> {
    fn nearest(&self, q: &[f64; DIMS], k: NonZeroUsize, out: &mut Vec<(f64, usize)>) {
        let mut p = [0.0; K];
        for (v, &d) in p.iter_mut().zip(&self.active) {
            *v = q[d];
        }
        out.clear();
        let nn = self.tree.query(&p).nearest_n::<SquaredEuclidean<f64>>(k).execute();
        out.extend(nn.iter().map(|r| (r.distance, r.item as usize)));
    }
}

/// A tree over the active dimensions of `rows` (`None` if there are none or
/// kiddo refuses the rows).
fn build_nearest(rows: &[[f64; DIMS]], scale: &[f64; DIMS]) -> Option<Box<dyn Nearest>> {
    let active: Vec<usize> = (0..DIMS).filter(|&d| scale[d] != 0.0).collect();
    match active.len() {
        0 => None,
        1..=2 => Compact::<2>::build(rows, &active),
        3..=4 => Compact::<4>::build(rows, &active),
        5..=6 => Compact::<6>::build(rows, &active),
        7..=8 => Compact::<8>::build(rows, &active),
        9..=12 => Compact::<12>::build(rows, &active),
        13..=16 => Compact::<16>::build(rows, &active),
        _ => Compact::<DIMS>::build(rows, &active),
    }
}

/// The search structure, and the per-dimension mean and scale that map a
/// query to its standardised form.
type Model = (Box<dyn Nearest>, [f64; DIMS], [f64; DIMS]);

/// Standardises the rows in place (mean 0, std 1, times the weight; constant
/// or switched-off dimensions become 0) and builds the search structure.
fn standardise(rows: &mut [[f64; DIMS]], w: &[f64; DIMS]) -> Option<Model> {
    let n = rows.len() as f64;
    let mut mean = [0.0; DIMS];
    for r in rows.iter() {
        for d in 0..DIMS {
            mean[d] += r[d];
        }
    }
    for m in &mut mean {
        *m /= n;
    }
    let mut var = [0.0; DIMS];
    for r in rows.iter() {
        for d in 0..DIMS {
            let e = r[d] - mean[d];
            var[d] += e * e;
        }
    }
    let mut scale = [0.0; DIMS];
    for d in 0..DIMS {
        let sd = (var[d] / n).sqrt();
        scale[d] = if w[d] > 0.0 && sd > 0.0 && sd.is_finite() { w[d] / sd } else { 0.0 };
    }
    for r in rows.iter_mut() {
        for d in 0..DIMS {
            r[d] = (r[d] - mean[d]) * scale[d];
        }
    }
    let tree = build_nearest(rows, &scale)?;
    Some((tree, mean, scale))
}
