//! The interpolation imputers: one [`Imputer`] per method, all driven by
//! [`InterpImputer`].

use std::ops::Range;

use ndarray::{Array2, Array3, ArrayView2};
use serde::{Deserialize, Serialize};
use touchline_core::{Imputer, TrackingData};

use crate::cap::{CapScratch, PlausibilityCap, cap_range};
use crate::error::{ImputeError, Result};
use crate::interp::{Kind, Workspace, eval_interval, slopes_into};
use crate::policy::{Edges, GapPolicy, LongGaps};
use crate::report::{AgentReport, ImputeReport};

/// Parameters shared by the interpolation imputers.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct InterpParams {
    /// Which gaps to fill and how.
    pub policy: GapPolicy,
    /// Optional speed/acceleration cap on the filled entries, applied after
    /// filling (default `None`: the output is exactly the interpolant).
    #[serde(default)]
    pub cap: Option<PlausibilityCap>,
}

impl InterpParams {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        self.policy.validate()?;
        if let Some(c) = &self.cap {
            c.validate()?;
        }
        Ok(())
    }
}

/// End condition of [`CubicSpline`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplineBoundary {
    /// Zero second derivative at both ends (3+ knots).
    Natural,
    /// Third derivative continuous at the second and second-to-last knots
    /// (4+ knots; scipy's `CubicSpline` default).
    #[default]
    NotAKnot,
}

/// Any interpolation method, chosen at run time (e.g. from a command line).
///
/// ```
/// use touchline_impute::{InterpImputer, InterpParams, interp::Kind};
/// use touchline_core::Imputer;
/// let m = InterpImputer::new(Kind::NaturalSpline, InterpParams::default())?;
/// assert_eq!(m.name(), "cubic_spline");
/// # Ok::<(), touchline_impute::ImputeError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct InterpImputer {
    kind: Kind,
    params: InterpParams,
}

impl InterpImputer {
    /// A validated imputer.
    pub fn new(kind: Kind, params: InterpParams) -> Result<Self> {
        params.validate()?;
        Ok(InterpImputer { kind, params })
    }

    /// The interpolant.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The parameters.
    pub fn params(&self) -> &InterpParams {
        &self.params
    }

    /// Imputer name of an interpolant: both spline boundaries are `cubic_spline`.
    pub fn method_name(kind: Kind) -> &'static str {
        match kind {
            Kind::NaturalSpline | Kind::NotAKnotSpline => "cubic_spline",
            k => k.name(),
        }
    }

    /// Fills the gaps and says what it did. Observed entries are kept bit for
    /// bit; every unobserved entry is rewritten (value or `NaN`).
    pub fn impute_with_report(&self, data: &TrackingData) -> Result<(TrackingData, ImputeReport)> {
        run(self.kind, &self.params, data)
    }
}

impl Imputer for InterpImputer {
    type Error = ImputeError;
    fn name(&self) -> &str {
        Self::method_name(self.kind)
    }
    fn impute(&self, data: &TrackingData) -> Result<TrackingData> {
        Ok(self.impute_with_report(data)?.0)
    }
}

macro_rules! method {
    ($(#[$doc:meta])* $ty:ident, $kind:expr, $name:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $ty {
            inner: InterpImputer,
        }

        impl $ty {
            /// A validated imputer.
            pub fn new(params: InterpParams) -> Result<Self> {
                Ok($ty { inner: InterpImputer::new($kind, params)? })
            }

            /// The parameters.
            pub fn params(&self) -> &InterpParams {
                &self.inner.params
            }

            /// Fills the gaps and says what it did; see [`InterpImputer::impute_with_report`].
            pub fn impute_with_report(&self, data: &TrackingData) -> Result<(TrackingData, ImputeReport)> {
                self.inner.impute_with_report(data)
            }
        }

        impl Default for $ty {
            fn default() -> Self {
                $ty { inner: InterpImputer { kind: $kind, params: InterpParams::default() } }
            }
        }

        impl Imputer for $ty {
            type Error = ImputeError;
            fn name(&self) -> &str {
                $name
            }
            fn impute(&self, data: &TrackingData) -> Result<TrackingData> {
                self.inner.impute(data)
            }
        }
    };
}

method!(
    /// Straight lines between observations ([`Kind::Linear`], 2+ knots).
    Linear,
    Kind::Linear,
    "linear"
);
method!(
    /// Steffen's monotone cubic, GSL's formulas ([`Kind::Steffen`], 3+ knots).
    Steffen,
    Kind::Steffen,
    "steffen"
);
method!(
    /// Fritsch-Carlson monotone cubic, scipy's end rule ([`Kind::Pchip`], 3+ knots).
    Pchip,
    Kind::Pchip,
    "pchip"
);
method!(
    /// Akima's cubic ([`Kind::Akima`], 3+ knots).
    Akima,
    Kind::Akima,
    "akima"
);
method!(
    /// Modified Akima ([`Kind::Makima`], 3+ knots).
    Makima,
    Kind::Makima,
    "makima"
);

/// C2 cubic spline with a natural or not-a-knot end condition.
#[derive(Debug, Clone, PartialEq)]
pub struct CubicSpline {
    inner: InterpImputer,
}

impl CubicSpline {
    /// A validated imputer.
    pub fn new(boundary: SplineBoundary, params: InterpParams) -> Result<Self> {
        let kind = match boundary {
            SplineBoundary::Natural => Kind::NaturalSpline,
            SplineBoundary::NotAKnot => Kind::NotAKnotSpline,
        };
        Ok(CubicSpline { inner: InterpImputer::new(kind, params)? })
    }

    /// The end condition.
    pub fn boundary(&self) -> SplineBoundary {
        if self.inner.kind == Kind::NaturalSpline {
            SplineBoundary::Natural
        } else {
            SplineBoundary::NotAKnot
        }
    }

    /// The parameters.
    pub fn params(&self) -> &InterpParams {
        &self.inner.params
    }

    /// Fills the gaps and says what it did; see [`InterpImputer::impute_with_report`].
    pub fn impute_with_report(&self, data: &TrackingData) -> Result<(TrackingData, ImputeReport)> {
        self.inner.impute_with_report(data)
    }
}

impl Default for CubicSpline {
    /// Not-a-knot, default policy.
    fn default() -> Self {
        CubicSpline { inner: InterpImputer { kind: Kind::NotAKnotSpline, params: InterpParams::default() } }
    }
}

impl Imputer for CubicSpline {
    type Error = ImputeError;
    fn name(&self) -> &str {
        "cubic_spline"
    }
    fn impute(&self, data: &TrackingData) -> Result<TrackingData> {
        self.inner.impute(data)
    }
}

/// Buffers reused across agents and periods.
#[derive(Default)]
struct Scratch {
    kt: Vec<f64>,
    kx: Vec<f64>,
    ky: Vec<f64>,
    kf: Vec<usize>,
    dx: Vec<f64>,
    dy: Vec<f64>,
    fdx: Vec<f64>,
    fdy: Vec<f64>,
    ws: Workspace,
}

struct Ctx<'a> {
    kind: Kind,
    policy: &'a GapPolicy,
    t: &'a [f64],
    pos: &'a Array3<f64>,
    obs: &'a Array2<bool>,
}

fn run(kind: Kind, params: &InterpParams, data: &TrackingData) -> Result<(TrackingData, ImputeReport)> {
    params.validate()?;
    let (pos, obs, ts) = data.arrays();
    let t = ts.to_vec();
    let (nf, na) = (data.n_frames(), data.n_agents());
    let ctx = Ctx { kind, policy: &params.policy, t: &t, pos, obs };
    let mut out = data.clone();
    let mut buf = vec![f64::NAN; 2 * nf];
    let mut s = Scratch::default();
    let mut cs = CapScratch::default();
    let mut agents = Vec::with_capacity(na);
    for a in 0..na {
        buf.fill(f64::NAN);
        let mut rep = AgentReport { agent: data.agents()[a].id.clone(), ..AgentReport::default() };
        let mut in_period = 0;
        for p in data.periods() {
            segment(&ctx, a, p.frames(), &mut s, &mut buf, &mut rep);
            in_period += p.frames().filter(|&f| !obs[[f, a]]).count();
        }
        rep.observed = (0..nf).filter(|&f| obs[[f, a]]).count();
        rep.left_outside_period = (nf - rep.observed) - in_period;
        if let Some(cap) = &params.cap {
            let lim = cap.limits(data.agents()[a].team);
            for f in 0..nf {
                if obs[[f, a]] {
                    buf[2 * f] = pos[[f, a, 0]];
                    buf[2 * f + 1] = pos[[f, a, 1]];
                }
            }
            let (xy, _) = buf.as_chunks_mut::<2>();
            for p in data.periods() {
                rep.capped += cap_range(lim, &t, |f| obs[[f, a]], p.frames(), xy, &mut cs);
            }
        }
        let view = ArrayView2::from_shape((nf, 2), &buf).expect("buffer holds frames x 2 values");
        out.fill_unobserved(a, view)?;
        agents.push(rep);
    }
    let report = ImputeReport {
        method: InterpImputer::method_name(kind).to_string(),
        interpolant: kind.name().to_string(),
        fallback: params.policy.fallback.map(|k| k.name().to_string()),
        policy: params.policy,
        agents,
    };
    Ok((out, report))
}

/// Writes `(x, y)` of frame `f` into the buffer when finite; else counts it
/// as left missing (only possible on overflow of extreme coordinates).
#[inline]
fn put(buf: &mut [f64], f: usize, x: f64, y: f64, filled: &mut usize, left: &mut usize) {
    if x.is_finite() && y.is_finite() {
        buf[2 * f] = x;
        buf[2 * f + 1] = y;
        *filled += 1;
    } else {
        *left += 1;
    }
}

/// One agent in one period.
fn segment(
    c: &Ctx<'_>,
    a: usize,
    range: Range<usize>,
    s: &mut Scratch,
    buf: &mut [f64],
    rep: &mut AgentReport,
) {
    let t = c.t;
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
    let policy = c.policy;
    let fallback = policy.fallback.filter(|f| k >= f.min_knots());
    // (interpolant, counts as fallback) for gaps up to max_gap
    let main = if k >= c.kind.min_knots() { Some((c.kind, false)) } else { fallback.map(|f| (f, true)) };
    if let Some((m, _)) = main {
        slopes_into(m, &s.kt, &s.kx, &mut s.dx, &mut s.ws);
        slopes_into(m, &s.kt, &s.ky, &mut s.dy, &mut s.ws);
    }
    let long = if policy.long_gaps == LongGaps::Fallback { fallback } else { None };
    let mut long_ready = false;
    for j in 0..k - 1 {
        let (f0, f1) = (s.kf[j], s.kf[j + 1]);
        if f1 - f0 <= 1 {
            continue;
        }
        let n = f1 - f0 - 1;
        let too_long = s.kt[j + 1] - s.kt[j] > policy.max_gap;
        let (m, is_fb, dx, dy) = if too_long {
            let Some(fb) = long else {
                rep.left_gap_too_long += n;
                continue;
            };
            if main.map(|(m, _)| m) == Some(fb) {
                (fb, true, &s.dx, &s.dy)
            } else {
                if !long_ready {
                    slopes_into(fb, &s.kt, &s.kx, &mut s.fdx, &mut s.ws);
                    slopes_into(fb, &s.kt, &s.ky, &mut s.fdy, &mut s.ws);
                    long_ready = true;
                }
                (fb, true, &s.fdx, &s.fdy)
            }
        } else {
            let Some((m, is_fb)) = main else {
                rep.left_too_few_knots += n;
                continue;
            };
            (m, is_fb, &s.dx, &s.dy)
        };
        let lin = m == Kind::Linear;
        let counter = if is_fb { &mut rep.filled_fallback } else { &mut rep.filled_method };
        for (f, &tf) in t.iter().enumerate().take(f1).skip(f0 + 1) {
            let x = eval_interval(lin, &s.kt, &s.kx, dx, j, tf);
            let y = eval_interval(lin, &s.kt, &s.ky, dy, j, tf);
            put(buf, f, x, y, counter, &mut rep.left_non_finite);
        }
    }
    // Edges: (frames, knot index, neighbour knot index, run length in seconds)
    let first = s.kf[0];
    let last = s.kf[k - 1];
    let lead = (range.start..first, 0, 1.min(k - 1), s.kt[0] - t[range.start]);
    let trail = (last + 1..range.end, k - 1, k.saturating_sub(2), t[range.end - 1] - s.kt[k - 1]);
    for (frames, i0, i1, len) in [lead, trail] {
        if frames.is_empty() {
            continue;
        }
        if len > policy.max_gap {
            rep.left_gap_too_long += frames.len();
            continue;
        }
        let (vx, vy) = match policy.edges {
            Edges::Leave => {
                rep.left_edge += frames.len();
                continue;
            }
            Edges::Extrapolate if i0 != i1 => {
                let dt = s.kt[i1] - s.kt[i0];
                ((s.kx[i1] - s.kx[i0]) / dt, (s.ky[i1] - s.ky[i0]) / dt)
            }
            Edges::Hold | Edges::Extrapolate => (0.0, 0.0),
        };
        for f in frames {
            let u = t[f] - s.kt[i0];
            let (x, y) = if vx == 0.0 && vy == 0.0 {
                (s.kx[i0], s.ky[i0])
            } else {
                (s.kx[i0] + vx * u, s.ky[i0] + vy * u)
            };
            put(buf, f, x, y, &mut rep.filled_edge, &mut rep.left_non_finite);
        }
    }
}
