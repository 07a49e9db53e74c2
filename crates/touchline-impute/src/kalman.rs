//! A Kalman smoother imputer: a linear-Gaussian motion model per axis,
//! filtered forward and smoothed backward (Rauch-Tung-Striebel).
//!
//! Per agent and per period, `x` and `y` are independent 1-D state-space
//! models on the (possibly non-uniform) frame times:
//!
//! - [`MotionModel::ConstantVelocity`]: state `[p, v]`, white-noise
//!   acceleration with spectral density `q` (m²/s³); over a step `dt`,
//!   `F = [[1, dt], [0, 1]]`, `Q = q [[dt³/3, dt²/2], [dt²/2, dt]]`.
//! - [`MotionModel::ConstantAcceleration`]: state `[p, v, a]`, white-noise
//!   jerk with spectral density `q` (m²/s⁵); `F` the Taylor matrix,
//!   `Q[i][j] = q dt^(5-i-j) / ((5-i-j) (2-i)! (2-j)!)`.
//! - Measurement: the observed position with noise variance `r` (m²).
//!
//! The filter runs from the agent's first to its last observation in the
//! period, predicting every frame and updating only on observed ones; it
//! starts from the first observation with position variance `r` and a vague
//! prior on velocity (standard deviation 1000 m/s) and acceleration
//! (10 m/s²), both with mean 0. The RTS pass then gives the smoothed mean
//! at every frame; only the smoothed *positions* of unobserved frames are
//! written. Observed entries are never altered, and the smoothed estimate
//! at observed frames is not written anywhere.
//!
//! The covariance recursion does not depend on the data values, so it is
//! run once per agent and period and shared by `x` and `y`.
//!
//! The [`GapPolicy`] is applied as by the interpolators: interior gaps
//! longer than `max_gap` are left or handed to the fallback interpolant;
//! edges longer than `max_gap` are left; shorter edges follow `edges`, where
//! [`Edges::Extrapolate`] is the smoother's own prediction: from the
//! observed position at the first (last) observation, with the smoothed
//! velocity (and acceleration) there, i.e. a straight line for the CV model
//! and a parabola for the CA model. With a single observation in the period
//! the smoothed velocity is the prior mean 0, so `Extrapolate` holds it,
//! like the interpolators. The smoother needs one observation, so the
//! fallback is never used for "too few knots".
//!
//! ```
//! use ndarray::{Array2, Array3};
//! use touchline_core::{Agent, Imputer, Team, TrackingData, verify_observed_unchanged};
//! use touchline_impute::{KalmanParams, KalmanSmoother};
//!
//! // A player running at 5 m/s along x at 25 Hz, unseen in frames 10..30.
//! let n = 50;
//! let t: Vec<f64> = (0..n).map(|i| i as f64 / 25.0).collect();
//! let mut pos = Array3::<f64>::from_elem((n, 1, 2), f64::NAN);
//! let mut seen = Array2::from_elem((n, 1), false);
//! for i in (0..10).chain(30..n) {
//!     pos[[i, 0, 0]] = 5.0 * t[i];
//!     pos[[i, 0, 1]] = 3.0;
//!     seen[[i, 0]] = true;
//! }
//! let data = TrackingData::new(pos, seen, t, vec![Agent::new("home_9", Team::Home)])?;
//! let ks = KalmanSmoother::new(KalmanParams::default())?;
//! let (filled, report) = ks.impute_with_report(&data)?;
//! verify_observed_unchanged(&data, &filled)?;
//! assert!((filled.positions()[[20, 0, 0]] - 4.0).abs() < 1e-3); // 5 m/s * 0.8 s
//! assert_eq!(report.agents[0].filled_method, 20);
//! assert_eq!(ks.name(), "kalman_smoother");
//! # Ok::<(), touchline_impute::ImputeError>(())
//! ```

// Small fixed-size matrix code reads best with index loops.
#![allow(clippy::needless_range_loop)]

use std::ops::Range;

use ndarray::{Array2, Array3};
use serde::{Deserialize, Serialize};
use touchline_core::{Imputer, TrackingData};

use crate::cap::{CapScratch, PlausibilityCap, cap_range};
use crate::dase::Pva;
use crate::error::{ImputeError, Result};
use crate::interp::{Kind, Workspace, eval_interval, slopes_into};
use crate::policy::{Edges, GapPolicy, LongGaps};
use crate::report::{AgentReport, ImputeReport};

/// The motion model of [`KalmanSmoother`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MotionModel {
    /// State `[p, v]`, white-noise acceleration (`q` in m²/s³).
    #[default]
    ConstantVelocity,
    /// State `[p, v, a]`, white-noise jerk (`q` in m²/s⁵).
    ConstantAcceleration,
}

impl MotionModel {
    /// Name used in reports (`constant_velocity`, `constant_acceleration`).
    pub fn name(self) -> &'static str {
        match self {
            MotionModel::ConstantVelocity => "constant_velocity",
            MotionModel::ConstantAcceleration => "constant_acceleration",
        }
    }
}

/// Parameters of [`KalmanSmoother`].
///
/// The defaults (constant velocity, `q = 5` m²/s³, `r = 0.01` m²) were
/// chosen on a synthetic 25 Hz football match with 2 s gaps (see the crate
/// README / the `kalman` tests): player speed changes of a few m/s per
/// second, and 10 cm of measurement noise, typical of optical tracking.
///
/// ```
/// use touchline_impute::{KalmanParams, MotionModel};
/// let p = KalmanParams { model: MotionModel::ConstantAcceleration, q: 50.0, ..KalmanParams::default() };
/// assert!(p.validate().is_ok());
/// assert!(KalmanParams { r: 0.0, ..p }.validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KalmanParams {
    /// Motion model (default constant velocity).
    pub model: MotionModel,
    /// Process noise spectral density: of acceleration for CV (m²/s³), of
    /// jerk for CA (m²/s⁵). Finite, > 0. Larger follows the data more
    /// tightly and bends more in gaps.
    pub q: f64,
    /// Measurement noise variance (m²). Finite, > 0; smaller trusts the
    /// observations more.
    pub r: f64,
    /// Which gaps to fill and how.
    pub policy: GapPolicy,
    /// Optional speed/acceleration cap, applied after filling.
    #[serde(default)]
    pub cap: Option<PlausibilityCap>,
}

impl Default for KalmanParams {
    fn default() -> Self {
        KalmanParams {
            model: MotionModel::ConstantVelocity,
            q: 5.0,
            r: 0.01,
            policy: GapPolicy::default(),
            cap: None,
        }
    }
}

impl KalmanParams {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [("q", self.q), ("r", self.r)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(ImputeError::InvalidParameter {
                    name,
                    reason: format!("must be finite and positive, got {v}"),
                });
            }
        }
        self.policy.validate()?;
        if let Some(c) = &self.cap {
            c.validate()?;
        }
        Ok(())
    }
}

/// Kalman filter + Rauch-Tung-Striebel smoother; see the [module docs](self).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KalmanSmoother {
    params: KalmanParams,
}

impl KalmanSmoother {
    /// A validated imputer.
    pub fn new(params: KalmanParams) -> Result<Self> {
        params.validate()?;
        Ok(KalmanSmoother { params })
    }

    /// The parameters.
    pub fn params(&self) -> &KalmanParams {
        &self.params
    }

    /// Fills the gaps and says what it did. Observed entries are kept bit for
    /// bit; every unobserved entry is rewritten (value or `NaN`).
    pub fn impute_with_report(&self, data: &TrackingData) -> Result<(TrackingData, ImputeReport)> {
        self.params.validate()?;
        match self.params.model {
            MotionModel::ConstantVelocity => run::<2>(&self.params, data),
            MotionModel::ConstantAcceleration => run::<3>(&self.params, data),
        }
    }
}

impl Imputer for KalmanSmoother {
    type Error = ImputeError;
    fn name(&self) -> &str {
        "kalman_smoother"
    }
    fn impute(&self, data: &TrackingData) -> Result<TrackingData> {
        Ok(self.impute_with_report(data)?.0)
    }
}

type Mat<const N: usize> = [[f64; N]; N];

/// Prior standard deviations at the first observation: velocity (m/s),
/// acceleration (m/s²). Vague for velocity; tighter for acceleration, so
/// that with two observations CA prefers the straight line to a parabola.
const PRIOR_SD: [f64; 3] = [0.0, 1000.0, 10.0];

const FACT: [f64; 6] = [1.0, 1.0, 2.0, 6.0, 24.0, 120.0];

/// Transition `F` and process noise `Q` over `dt` for the `N`-state model.
#[inline]
fn model<const N: usize>(dt: f64, q: f64) -> (Mat<N>, Mat<N>) {
    let mut f = [[0.0; N]; N];
    let mut qm = [[0.0; N]; N];
    for i in 0..N {
        for j in 0..N {
            if j >= i {
                f[i][j] = dt.powi((j - i) as i32) / FACT[j - i];
            }
            let e = 2 * N - 1 - i - j;
            qm[i][j] = q * dt.powi(e as i32) / (e as f64 * FACT[N - 1 - i] * FACT[N - 1 - j]);
        }
    }
    (f, qm)
}

#[inline]
fn mul<const N: usize>(a: &Mat<N>, b: &Mat<N>) -> Mat<N> {
    let mut c = [[0.0; N]; N];
    for i in 0..N {
        for k in 0..N {
            let aik = a[i][k];
            for j in 0..N {
                c[i][j] += aik * b[k][j];
            }
        }
    }
    c
}

#[inline]
fn mul_t<const N: usize>(a: &Mat<N>, b: &Mat<N>) -> Mat<N> {
    // a * b^T
    let mut c = [[0.0; N]; N];
    for i in 0..N {
        for j in 0..N {
            for k in 0..N {
                c[i][j] += a[i][k] * b[j][k];
            }
        }
    }
    c
}

#[inline]
fn apply<const N: usize>(a: &Mat<N>, v: &[f64; N]) -> [f64; N] {
    let mut out = [0.0; N];
    for i in 0..N {
        for k in 0..N {
            out[i] += a[i][k] * v[k];
        }
    }
    out
}

/// Solves `a X = b` for symmetric positive definite `a` (Cholesky);
/// `None` if `a` is not numerically positive definite.
#[inline]
fn solve_spd<const N: usize>(a: &Mat<N>, b: &Mat<N>) -> Option<Mat<N>> {
    let mut l = [[0.0; N]; N];
    for i in 0..N {
        for j in 0..=i {
            let mut s = a[i][j];
            for k in 0..j {
                s -= l[i][k] * l[j][k];
            }
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    let mut x = *b;
    for c in 0..N {
        for i in 0..N {
            let mut s = x[i][c];
            for k in 0..i {
                s -= l[i][k] * x[k][c];
            }
            x[i][c] = s / l[i][i];
        }
        for i in (0..N).rev() {
            let mut s = x[i][c];
            for k in i + 1..N {
                s -= l[k][i] * x[k][c];
            }
            x[i][c] = s / l[i][i];
        }
    }
    Some(x)
}

/// Buffers reused across agents and periods.
struct Scratch<const N: usize> {
    /// Filtered, then smoothed, means per frame of the filtered span.
    mx: Vec<[f64; N]>,
    my: Vec<[f64; N]>,
    /// Smoother gains `G_k = P_k F^T P_{k+1|k}^-1` (frame k to k+1).
    g: Vec<Mat<N>>,
    kt: Vec<f64>,
    kx: Vec<f64>,
    ky: Vec<f64>,
    kf: Vec<usize>,
    dx: Vec<f64>,
    dy: Vec<f64>,
    ws: Workspace,
}

impl<const N: usize> Default for Scratch<N> {
    fn default() -> Self {
        Scratch {
            mx: Vec::new(),
            my: Vec::new(),
            g: Vec::new(),
            kt: Vec::new(),
            kx: Vec::new(),
            ky: Vec::new(),
            kf: Vec::new(),
            dx: Vec::new(),
            dy: Vec::new(),
            ws: Workspace::default(),
        }
    }
}

struct Ctx<'a> {
    params: &'a KalmanParams,
    t: &'a [f64],
    pos: &'a Array3<f64>,
    obs: &'a Array2<bool>,
}

fn run<const N: usize>(params: &KalmanParams, data: &TrackingData) -> Result<(TrackingData, ImputeReport)> {
    let (pos, obs, _) = data.arrays();
    let t = data.timestamps_slice();
    let (nf, na) = (data.n_frames(), data.n_agents());
    let ctx = Ctx { params, t, pos, obs };
    let mut out = data.clone();
    let mut xs = vec![f64::NAN; nf];
    let mut ys = vec![f64::NAN; nf];
    let mut xy = if params.cap.is_some() { vec![[f64::NAN; 2]; nf] } else { Vec::new() };
    let mut s = Scratch::<N>::default();
    let mut cs = CapScratch::default();
    let mut agents = Vec::with_capacity(na);
    for a in 0..na {
        xs.fill(f64::NAN);
        ys.fill(f64::NAN);
        let mut rep = AgentReport { agent: data.agents()[a].id.clone(), ..AgentReport::default() };
        let mut in_period = 0;
        for p in data.periods() {
            segment::<N>(&ctx, a, p.frames(), &mut s, &mut xs, &mut ys, &mut rep);
            in_period += p.frames().filter(|&f| !obs[[f, a]]).count();
        }
        rep.observed = (0..nf).filter(|&f| obs[[f, a]]).count();
        rep.left_outside_period = (nf - rep.observed) - in_period;
        if let Some(cap) = &params.cap {
            let lim = cap.limits(data.agents()[a].team);
            for f in 0..nf {
                xy[f] = if obs[[f, a]] { [pos[[f, a, 0]], pos[[f, a, 1]]] } else { [xs[f], ys[f]] };
            }
            for p in data.periods() {
                rep.capped += cap_range(lim, t, |f| obs[[f, a]], p.frames(), &mut xy, &mut cs);
            }
            for f in 0..nf {
                xs[f] = xy[f][0];
                ys[f] = xy[f][1];
            }
        }
        out.fill_unobserved_xy(a, &xs, &ys)?;
        agents.push(rep);
    }
    let report = ImputeReport {
        method: "kalman_smoother".to_string(),
        interpolant: params.model.name().to_string(),
        fallback: params.policy.fallback.map(|k| k.name().to_string()),
        policy: params.policy,
        agents,
        cap: params.cap,
    };
    Ok((out, report))
}

/// The smoother's mean position, velocity and acceleration at every frame
/// between each agent's first and last observation of each period (the
/// constant-velocity model reports zero acceleration). At observed frames
/// the position is the observation itself; elsewhere, and outside those
/// spans, see [`Pva`].
pub(crate) fn smoothed_pva(params: &KalmanParams, data: &TrackingData) -> Result<Pva> {
    params.validate()?;
    match params.model {
        MotionModel::ConstantVelocity => pva_run::<2>(params, data),
        MotionModel::ConstantAcceleration => pva_run::<3>(params, data),
    }
}

fn pva_run<const N: usize>(params: &KalmanParams, data: &TrackingData) -> Result<Pva> {
    let (pos, obs, _) = data.arrays();
    let t = data.timestamps_slice();
    let (nf, na) = (data.n_frames(), data.n_agents());
    let ctx = Ctx { params, t, pos, obs };
    let mut out = Pva::nan(na, nf);
    let mut s = Scratch::<N>::default();
    for a in 0..na {
        for p in data.periods() {
            let Some(k0) = p.frames().find(|&f| obs[[f, a]]) else { continue };
            let k1 = p.frames().rev().find(|&f| obs[[f, a]]).unwrap_or(k0);
            smooth::<N>(&ctx, a, k0, k1, &mut s);
            for f in k0..=k1 {
                let i = a * nf + f;
                let (mx, my) = (s.mx[f - k0], s.my[f - k0]);
                out.pos[i] = if obs[[f, a]] { [pos[[f, a, 0]], pos[[f, a, 1]]] } else { [mx[0], my[0]] };
                out.vel[i] = [mx[1], my[1]];
                out.acc[i] = if N > 2 { [mx[N - 1], my[N - 1]] } else { [0.0, 0.0] };
            }
        }
    }
    Ok(out)
}

#[inline]
fn put(xs: &mut [f64], ys: &mut [f64], f: usize, x: f64, y: f64, filled: &mut usize, left: &mut usize) {
    if x.is_finite() && y.is_finite() {
        xs[f] = x;
        ys[f] = y;
        *filled += 1;
    } else {
        *left += 1;
    }
}

/// Forward filter and backward smoother over frames `k0..=k1`; leaves the
/// smoothed means in `s.mx`, `s.my` (index `f - k0`).
fn smooth<const N: usize>(c: &Ctx<'_>, a: usize, k0: usize, k1: usize, s: &mut Scratch<N>) {
    let (q, r, t) = (c.params.q, c.params.r, c.t);
    let len = k1 - k0 + 1;
    s.mx.clear();
    s.my.clear();
    s.g.clear();
    let mut mx = [0.0; N];
    let mut my = [0.0; N];
    mx[0] = c.pos[[k0, a, 0]];
    my[0] = c.pos[[k0, a, 1]];
    let mut p = [[0.0; N]; N];
    p[0][0] = r;
    for (i, row) in p.iter_mut().enumerate().skip(1) {
        row[i] = PRIOR_SD[i] * PRIOR_SD[i];
    }
    s.mx.push(mx);
    s.my.push(my);
    for f in k0 + 1..k0 + len {
        let dt = t[f] - t[f - 1];
        let (fm, qm) = model::<N>(dt, q);
        // predicted covariance F P F^T + Q
        let fp = mul(&fm, &p);
        let mut pp = mul_t(&fp, &fm);
        for i in 0..N {
            for j in 0..N {
                pp[i][j] += qm[i][j];
            }
        }
        // G = P F^T Pp^-1  <=>  Pp G^T = F P
        let g = match solve_spd(&pp, &fp) {
            Some(gt) => {
                let mut g = [[0.0; N]; N];
                for i in 0..N {
                    for j in 0..N {
                        g[i][j] = gt[j][i];
                    }
                }
                g
            }
            None => [[0.0; N]; N],
        };
        s.g.push(g);
        mx = apply(&fm, &mx);
        my = apply(&fm, &my);
        if c.obs[[f, a]] {
            let sv = pp[0][0] + r;
            let mut k = [0.0; N];
            for i in 0..N {
                k[i] = pp[i][0] / sv;
            }
            let (ix, iy) = (c.pos[[f, a, 0]] - mx[0], c.pos[[f, a, 1]] - my[0]);
            for i in 0..N {
                mx[i] += k[i] * ix;
                my[i] += k[i] * iy;
            }
            // P = Pp - K Pp[0,:]; the position row in the cancellation-free form r Pp[0,j] / S
            for i in 0..N {
                for j in 0..N {
                    p[i][j] = if i == 0 {
                        pp[0][j] * r / sv
                    } else if j == 0 {
                        pp[i][0] * r / sv
                    } else {
                        pp[i][j] - k[i] * pp[0][j]
                    };
                }
            }
            // keep it symmetric
            for i in 0..N {
                for j in 0..i {
                    let v = 0.5 * (p[i][j] + p[j][i]);
                    p[i][j] = v;
                    p[j][i] = v;
                }
            }
        } else {
            p = pp;
        }
        s.mx.push(mx);
        s.my.push(my);
    }
    // RTS: m_s[k] = m_f[k] + G_k (m_s[k+1] - F_k m_f[k])
    for i in (0..len - 1).rev() {
        let f = k0 + i;
        let (fm, _) = model::<N>(t[f + 1] - t[f], q);
        for m in [&mut s.mx, &mut s.my] {
            let pred = apply(&fm, &m[i]);
            let mut d = [0.0; N];
            for j in 0..N {
                d[j] = m[i + 1][j] - pred[j];
            }
            let corr = apply(&s.g[i], &d);
            for j in 0..N {
                m[i][j] += corr[j];
            }
        }
    }
}

/// One agent in one period.
fn segment<const N: usize>(
    c: &Ctx<'_>,
    a: usize,
    range: Range<usize>,
    s: &mut Scratch<N>,
    xs: &mut [f64],
    ys: &mut [f64],
    rep: &mut AgentReport,
) {
    let t = c.t;
    let policy = &c.params.policy;
    s.kt.clear();
    s.kx.clear();
    s.ky.clear();
    s.kf.clear();
    for f in range.clone() {
        if c.obs[[f, a]] {
            s.kt.push(t[f]);
            s.kx.push(c.pos[[f, a, 0]]);
            s.ky.push(c.pos[[f, a, 1]]);
            s.kf.push(f);
        }
    }
    let k = s.kt.len();
    if k == 0 {
        rep.left_too_few_knots += range.len();
        return;
    }
    let (k0, k1) = (s.kf[0], s.kf[k - 1]);
    let has_gap = s.kf.windows(2).any(|w| w[1] - w[0] > 1);
    let needs_edges = policy.edges == Edges::Extrapolate && (k0 > range.start || k1 + 1 < range.end);
    if has_gap || needs_edges {
        smooth::<N>(c, a, k0, k1, s);
    }
    let long = if policy.long_gaps == LongGaps::Fallback {
        policy.fallback.filter(|f| k >= f.min_knots())
    } else {
        None
    };
    if let Some(fb) = long {
        slopes_into(fb, &s.kt, &s.kx, &mut s.dx, &mut s.ws);
        slopes_into(fb, &s.kt, &s.ky, &mut s.dy, &mut s.ws);
    }
    for j in 0..k - 1 {
        let (f0, f1) = (s.kf[j], s.kf[j + 1]);
        if f1 - f0 <= 1 {
            continue;
        }
        let n = f1 - f0 - 1;
        if s.kt[j + 1] - s.kt[j] > policy.max_gap {
            let Some(fb) = long else {
                rep.left_gap_too_long += n;
                continue;
            };
            let lin = fb == Kind::Linear;
            for (f, &tf) in t.iter().enumerate().take(f1).skip(f0 + 1) {
                let x = eval_interval(lin, &s.kt, &s.kx, &s.dx, j, tf);
                let y = eval_interval(lin, &s.kt, &s.ky, &s.dy, j, tf);
                put(xs, ys, f, x, y, &mut rep.filled_fallback, &mut rep.left_non_finite);
            }
        } else {
            for f in f0 + 1..f1 {
                let (x, y) = (s.mx[f - k0][0], s.my[f - k0][0]);
                put(xs, ys, f, x, y, &mut rep.filled_method, &mut rep.left_non_finite);
            }
        }
    }
    // Edges: (frames, anchor frame, run length in seconds)
    let lead = (range.start..k0, k0, t[k0] - t[range.start]);
    let trail = (k1 + 1..range.end, k1, t[range.end - 1] - t[k1]);
    for (frames, anchor, len) in [lead, trail] {
        if frames.is_empty() {
            continue;
        }
        if len > policy.max_gap {
            rep.left_gap_too_long += frames.len();
            continue;
        }
        let (x0, y0) = (c.pos[[anchor, a, 0]], c.pos[[anchor, a, 1]]);
        let (sx, sy) = match policy.edges {
            Edges::Leave => {
                rep.left_edge += frames.len();
                continue;
            }
            Edges::Hold => ([0.0; N], [0.0; N]),
            Edges::Extrapolate => (s.mx[anchor - k0], s.my[anchor - k0]),
        };
        for f in frames {
            let u = t[f] - t[anchor];
            let (mut x, mut y) = (x0, y0);
            if policy.edges == Edges::Extrapolate {
                let mut un = 1.0;
                for i in 1..N {
                    un *= u / i as f64;
                    x += sx[i] * un;
                    y += sy[i] * un;
                }
            }
            put(xs, ys, f, x, y, &mut rep.filled_edge, &mut rep.left_non_finite);
        }
    }
}
