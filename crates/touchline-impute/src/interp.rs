//! The 1-D interpolation layer, usable without any tracking data.
//!
//! Every method is a piecewise cubic (linear for [`Kind::Linear`]) through
//! the knots `(t[i], y[i])`: on `[t[i], t[i+1]]`, with `h = t[i+1] - t[i]`,
//! secant `s = (y[i+1] - y[i]) / h` and knot slopes `d[i]`, `d[i+1]`,
//!
//! ```text
//! p(x) = y[i] + d[i] u + (3s - 2d[i] - d[i+1]) / h u^2 + (d[i] + d[i+1] - 2s) / h^2 u^3,  u = x - t[i]
//! ```
//!
//! The methods differ only in how the slopes `d` are chosen:
//!
//! | kind | slopes | knots |
//! |---|---|---|
//! | [`Kind::Linear`] | none (straight segments) | 2+ |
//! | [`Kind::NaturalSpline`] | C2 spline, `p'' = 0` at both ends | 3+ |
//! | [`Kind::NotAKnotSpline`] | C2 spline, `p'''` continuous at the second and second-to-last knots (reproduces any cubic) | 4+ |
//! | [`Kind::Steffen`] | Steffen (1990) eq. 11, `(sign s[i-1] + sign s[i]) min(abs(s[i-1]), abs(s[i]), abs(p[i])/2)` with `p[i]` the weighted mean secant; end slopes the end secants, as in GSL's `gsl_interp_steffen` | 3+ |
//! | [`Kind::Pchip`] | Fritsch-Carlson: 0 where the secants change sign or one is 0, else the weighted harmonic mean `(w1+w2)/(w1/s[i-1]+w2/s[i])`, `w1 = 2h[i]+h[i-1]`, `w2 = h[i]+2h[i-1]`; ends from the three-point formula, clipped to 0 on a sign change and to `3 s` when the secants disagree, as scipy's `PchipInterpolator` | 3+ |
//! | [`Kind::Akima`] | Akima (1970) weights `abs(m[i+1]-m[i])`, `abs(m[i-1]-m[i-2])`, two secants added at each end by linear extension; the mean of the neighbour secants where both weights vanish (below `1e-9` of the largest), as scipy's `Akima1DInterpolator` | 3+ |
//! | [`Kind::Makima`] | as Akima with weights `abs(m[i+1]-m[i]) + abs(m[i+1]+m[i])/2` and `abs(m[i-1]-m[i-2]) + abs(m[i-1]+m[i-2])/2`, as scipy's `method="makima"` | 3+ |
//!
//! Outside `[t[0], t[n-1]]` an [`Interp1d`] continues the end piece (a line
//! for `Linear`, the end cubic otherwise); the imputers never evaluate there
//! and use [`crate::Edges`] instead.
//!
//! ```
//! use touchline_impute::interp::{interpolate, Interp1d, Kind};
//! let t = [0.0, 1.0, 2.5, 4.0];
//! let y = [0.0, 1.0, 1.0, 3.0];
//! let v = interpolate(Kind::Steffen, &t, &y, &[0.5, 2.0, 3.0])?;
//! assert!(v[1] >= 1.0 - 1e-12 && v[1] <= 1.0 + 1e-12); // flat between equal knots
//! let f = Interp1d::new(Kind::NotAKnotSpline, &t, &y)?;
//! assert_eq!(f.eval(2.5), 1.0);
//! assert!(Interp1d::new(Kind::Akima, &t[..2], &y[..2]).is_err()); // needs 3 knots
//! # Ok::<(), touchline_impute::ImputeError>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{ImputeError, Result};

/// Which 1-D interpolant. See the [module docs](self) for the formulas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Straight segments between knots.
    Linear,
    /// Cubic spline with zero second derivative at both ends.
    NaturalSpline,
    /// Cubic spline with the not-a-knot end condition.
    NotAKnotSpline,
    /// Steffen's monotone cubic (GSL `gsl_interp_steffen`).
    Steffen,
    /// Fritsch-Carlson monotone cubic (scipy `PchipInterpolator`).
    Pchip,
    /// Akima's cubic (scipy `Akima1DInterpolator`).
    Akima,
    /// Modified Akima (scipy `Akima1DInterpolator(method="makima")`).
    Makima,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 7] = [
        Kind::Linear,
        Kind::NaturalSpline,
        Kind::NotAKnotSpline,
        Kind::Steffen,
        Kind::Pchip,
        Kind::Akima,
        Kind::Makima,
    ];

    /// Minimum number of knots the method accepts.
    pub fn min_knots(self) -> usize {
        match self {
            Kind::Linear => 2,
            Kind::NotAKnotSpline => 4,
            Kind::NaturalSpline | Kind::Steffen | Kind::Pchip | Kind::Akima | Kind::Makima => 3,
        }
    }

    /// Lower-case name (`linear`, `natural_spline`, `not_a_knot_spline`,
    /// `steffen`, `pchip`, `akima`, `makima`), as serialised.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Linear => "linear",
            Kind::NaturalSpline => "natural_spline",
            Kind::NotAKnotSpline => "not_a_knot_spline",
            Kind::Steffen => "steffen",
            Kind::Pchip => "pchip",
            Kind::Akima => "akima",
            Kind::Makima => "makima",
        }
    }

    /// Parses [`Kind::name`] (case-insensitive).
    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim().to_ascii_lowercase();
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// Checks knots for `kind`: equal lengths, at least [`Kind::min_knots`],
/// finite values, finite and strictly increasing times.
pub fn validate_knots(kind: Kind, t: &[f64], y: &[f64]) -> Result<()> {
    if t.len() != y.len() {
        return Err(ImputeError::LengthMismatch { times: t.len(), values: y.len() });
    }
    if t.len() < kind.min_knots() {
        return Err(ImputeError::TooFewKnots {
            method: kind.name(),
            needed: kind.min_knots(),
            found: t.len(),
        });
    }
    for (i, (&ti, &yi)) in t.iter().zip(y).enumerate() {
        if !ti.is_finite() {
            return Err(ImputeError::NonFiniteKnot { what: "time", index: i, value: ti });
        }
        if !yi.is_finite() {
            return Err(ImputeError::NonFiniteKnot { what: "value", index: i, value: yi });
        }
        if i > 0 && ti <= t[i - 1] {
            return Err(ImputeError::NonIncreasingKnots { index: i, previous: t[i - 1], current: ti });
        }
    }
    Ok(())
}

/// Scratch buffers for slope computation, reused across calls so that the
/// imputers allocate per run, not per agent or per point.
#[derive(Debug, Default, Clone)]
pub(crate) struct Workspace {
    a: Vec<f64>,
    b: Vec<f64>,
    c: Vec<f64>,
    e: Vec<f64>,
}

impl Workspace {
    fn reset(&mut self, n: usize) {
        for v in [&mut self.a, &mut self.b, &mut self.c, &mut self.e] {
            v.clear();
            v.resize(n, 0.0);
        }
    }

    /// `n` entries each, stale values left in place: for callers that write
    /// every entry they read.
    fn size(&mut self, n: usize) {
        for v in [&mut self.a, &mut self.b, &mut self.c, &mut self.e] {
            v.resize(n, 0.0);
        }
    }
}

#[inline]
fn secant(t: &[f64], y: &[f64], i: usize) -> f64 {
    (y[i + 1] - y[i]) / (t[i + 1] - t[i])
}

/// Knot slopes of `kind` into `d` (resized to `t.len()`). Knots must already
/// be valid for `kind` ([`validate_knots`]). `Linear` writes the secants
/// (the slope of the segment to the right; the last knot repeats the last one).
pub(crate) fn slopes_into(kind: Kind, t: &[f64], y: &[f64], d: &mut Vec<f64>, ws: &mut Workspace) {
    let n = t.len();
    d.clear();
    d.resize(n, 0.0);
    match kind {
        Kind::Linear => {
            for (i, di) in d.iter_mut().enumerate().take(n - 1) {
                *di = secant(t, y, i);
            }
            d[n - 1] = d[n - 2];
        }
        Kind::NaturalSpline | Kind::NotAKnotSpline => {
            spline_slopes(kind == Kind::NotAKnotSpline, t, y, d, ws)
        }
        Kind::Steffen => {
            d[0] = secant(t, y, 0);
            for i in 1..n - 1 {
                let (h0, h1) = (t[i] - t[i - 1], t[i + 1] - t[i]);
                let (s0, s1) = ((y[i] - y[i - 1]) / h0, (y[i + 1] - y[i]) / h1);
                let p = (s0 * h1 + s1 * h0) / (h0 + h1);
                // GSL's sign: -1 for negative, +1 otherwise (0 counts as +1;
                // the min below is then 0 anyway).
                let sg = |v: f64| if v < 0.0 { -1.0 } else { 1.0 };
                d[i] = (sg(s0) + sg(s1)) * s0.abs().min(s1.abs()).min(0.5 * p.abs());
            }
            d[n - 1] = secant(t, y, n - 2);
        }
        Kind::Pchip => pchip_slopes(t, y, d),
        Kind::Akima | Kind::Makima => akima_slopes(kind == Kind::Makima, t, y, d, ws),
    }
}

fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

fn pchip_slopes(t: &[f64], y: &[f64], d: &mut [f64]) {
    let n = t.len();
    for i in 1..n - 1 {
        let (h0, h1) = (t[i] - t[i - 1], t[i + 1] - t[i]);
        let (m0, m1) = ((y[i] - y[i - 1]) / h0, (y[i + 1] - y[i]) / h1);
        d[i] = if m0 == 0.0 || m1 == 0.0 || sign(m0) != sign(m1) {
            0.0
        } else {
            let (w1, w2) = (2.0 * h1 + h0, h1 + 2.0 * h0);
            (w1 + w2) / (w1 / m0 + w2 / m1)
        };
    }
    let edge = |h0: f64, h1: f64, m0: f64, m1: f64| {
        let v = ((2.0 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
        if sign(v) != sign(m0) {
            0.0
        } else if sign(m0) != sign(m1) && v.abs() > 3.0 * m0.abs() {
            3.0 * m0
        } else {
            v
        }
    };
    d[0] = edge(t[1] - t[0], t[2] - t[1], secant(t, y, 0), secant(t, y, 1));
    d[n - 1] = edge(t[n - 1] - t[n - 2], t[n - 2] - t[n - 3], secant(t, y, n - 2), secant(t, y, n - 3));
}

fn akima_slopes(modified: bool, t: &[f64], y: &[f64], d: &mut [f64], ws: &mut Workspace) {
    let n = t.len();
    // m[k + 2] is the secant of interval k; two extra on each side.
    ws.reset(n + 3);
    let m = &mut ws.a;
    for k in 0..n - 1 {
        m[k + 2] = secant(t, y, k);
    }
    m[1] = 2.0 * m[2] - m[3];
    m[0] = 2.0 * m[1] - m[2];
    m[n + 1] = 2.0 * m[n] - m[n - 1];
    m[n + 2] = 2.0 * m[n + 1] - m[n];
    let weight = |hi: f64, lo: f64| {
        let w = (hi - lo).abs();
        if modified { w + 0.5 * (hi + lo).abs() } else { w }
    };
    // Knot i sits between m[i + 1] (left secant) and m[i + 2] (right secant).
    let (f1s, f2s) = (&mut ws.b, &mut ws.c);
    let mut max_f12 = f64::NEG_INFINITY;
    for i in 0..n {
        f1s[i] = weight(m[i + 3], m[i + 2]);
        f2s[i] = weight(m[i + 1], m[i]);
        max_f12 = max_f12.max(f1s[i] + f2s[i]);
    }
    for i in 0..n {
        let (f1, f2) = (f1s[i], f2s[i]);
        let f12 = f1 + f2;
        d[i] = if f12 > 1e-9 * max_f12 {
            (f1 * m[i + 1] + f2 * m[i + 2]) / f12
        } else {
            0.5 * (m[i + 3] + m[i])
        };
    }
}

/// C2 cubic spline slopes: the tridiagonal system
/// `h[i] d[i-1] + 2 (h[i-1] + h[i]) d[i] + h[i-1] d[i+1] = 3 (h[i] s[i-1] + h[i-1] s[i])`
/// with natural or not-a-knot end rows, solved by Gaussian elimination with
/// partial pivoting (the not-a-knot rows are not diagonally dominant).
fn spline_slopes(not_a_knot: bool, t: &[f64], y: &[f64], d: &mut [f64], ws: &mut Workspace) {
    spline_slopes_multi([not_a_knot; 2], t, [y], [d], ws);
}

/// Knots on each side of a gap that the windowed spline solve
/// ([`spline_slopes_windowed`]) keeps.
///
/// Why 64 is enough: cut the system at knot `L` and replace row `L` by a
/// natural row (`2 d[L] + d[L-1] = 3 s[L-1]`, or its mirror). The error `e`
/// of the window's slopes against the whole series' then solves the window's
/// matrix with a right-hand side that is zero except at row `L`. Every
/// interior row `h[i] e[i-1] + 2 (h[i-1] + h[i]) e[i] + h[i-1] e[i+1] = 0` has
/// off-diagonal sum exactly half its diagonal, whatever the spacing, so
/// `|e[i]| <= max(|e[i-1]|, |e[i+1]|) / 2`; a natural true end row does the
/// same, and a not-a-knot true end (rows 0 and 1 together) gives
/// `|e[1]| <= |e[2]|`, `|e[0]| = h[0] / h[1] |e[2]|`. By the discrete maximum
/// principle the error thus halves (at least) per knot away from `L`:
/// `|e[L-m]| <= 2^-m |e[L]|`, and `|e[L]| <= 4 max |slope|` near `L` (the
/// residual of the natural row is at most `6 max |slope|`). With `m >= 64` the
/// slope error at the gap's knots is below `2^-62 ≈ 2e-19` of the largest
/// slope nearby (for near-uniform spacing the decay is `2 - √3 ≈ 0.268` per
/// knot, far smaller still), and a filled value moves by at most
/// `0.3 h` times that on an interval of length `h` (the Hermite basis bound
/// `4/27` for each of the two slopes): about `1e-18 m` for 5 s gaps and
/// 100 m/s slopes, well under the rounding of either solve.
pub(crate) const SPLINE_WINDOW: usize = 64;

/// The C2 spline slopes `d[j]`, `d[j + 1]` of every interval `j` of
/// `intervals` (ascending), for `x` and `y` at once, by solving only windows
/// of `window` knots on each side of each interval (overlapping windows
/// merged): the true end rows (not-a-knot or natural) where a window reaches
/// the series' ends, natural rows at the cut ends. See [`SPLINE_WINDOW`] for
/// why the result matches the whole series' solve to rounding. Falls back to
/// the whole series when the windows would cover 3/4 of it or more (then the
/// result is bit-identical to [`spline_slopes_multi`]). Entries outside the
/// windows are left as they were; `ds[m]` must have `t.len()` entries.
pub(crate) fn spline_slopes_windowed(
    not_a_knot: bool,
    t: &[f64],
    ys: [&[f64]; 2],
    ds: [&mut [f64]; 2],
    intervals: impl Iterator<Item = usize> + Clone,
    window: usize,
    ws: &mut Workspace,
) {
    let n = t.len();
    let last = n - 1;
    // Merged windows of knot indices `lo..=hi`, in order.
    let windows = || {
        let mut it = intervals
            .clone()
            .map(|j| (j.saturating_sub(window), j.saturating_add(window).saturating_add(1).min(last)));
        let mut cur = it.next();
        std::iter::from_fn(move || {
            let (mut lo, mut hi) = cur?;
            loop {
                match it.next() {
                    Some((l, h)) if l <= hi + 1 => {
                        lo = lo.min(l);
                        hi = hi.max(h);
                    }
                    next => {
                        cur = next;
                        return Some((lo, hi));
                    }
                }
            }
        })
    };
    let covered: usize = windows().map(|(lo, hi)| hi - lo + 1).sum();
    let [dx, dy] = ds;
    if 4 * covered >= 3 * n {
        spline_slopes_multi([not_a_knot; 2], t, ys, [dx, dy], ws);
        return;
    }
    for (lo, hi) in windows() {
        let ends = [not_a_knot && lo == 0, not_a_knot && hi == last];
        let r = lo..hi + 1;
        spline_slopes_multi(
            ends,
            &t[r.clone()],
            [&ys[0][r.clone()], &ys[1][r.clone()]],
            [&mut dx[r.clone()], &mut dy[r]],
            ws,
        );
    }
}

/// [`spline_slopes`] for `M` series on the same knot times at once (the
/// imputers solve `x` and `y` together): the matrix, its elimination and the
/// pivot choices depend on the times only, so they are done once, and each
/// right-hand side gets exactly the operations a solve of its own would, so
/// the result is bit-identical to `M` separate solves. `not_a_knot[0]` and
/// `[1]` choose the first and last row (not-a-knot, else natural); a
/// not-a-knot end needs 4+ knots. `ds[m]` must have `t.len()` entries.
pub(crate) fn spline_slopes_multi<const M: usize>(
    not_a_knot: [bool; 2],
    t: &[f64],
    ys: [&[f64]; M],
    mut ds: [&mut [f64]; M],
    ws: &mut Workspace,
) {
    let n = t.len();
    // Every entry read below is written first (`du2[n - 2]`, `du[n - 1]`,
    // `dl[n - 1]` are never read), so the buffers need no zeroing.
    ws.size(n);
    let (dl, dd, du, du2) = (&mut ws.a, &mut ws.b, &mut ws.c, &mut ws.e);
    let h = |i: usize| t[i + 1] - t[i];
    // right-hand sides, solved in place in `ds`; each secant computed once
    for (y, r) in ys.iter().zip(ds.iter_mut()) {
        let s = |i: usize| (y[i + 1] - y[i]) / h(i);
        let mut prev = s(0);
        for i in 1..n - 1 {
            let (h0, h1) = (h(i - 1), h(i));
            let cur = s(i);
            r[i] = 3.0 * (h1 * prev + h0 * cur);
            prev = cur;
        }
        r[0] = if not_a_knot[0] {
            let (h0, h1) = (h(0), h(1));
            ((h0 + 2.0 * (h0 + h1)) * h1 * s(0) + h0 * h0 * s(1)) / (h0 + h1)
        } else {
            3.0 * s(0)
        };
        r[n - 1] = if not_a_knot[1] {
            let (ha, hb) = (h(n - 3), h(n - 2));
            (hb * hb * s(n - 3) + (2.0 * (ha + hb) + hb) * ha * s(n - 2)) / (ha + hb)
        } else {
            3.0 * s(n - 2)
        };
    }
    for i in 1..n - 1 {
        let (h0, h1) = (h(i - 1), h(i));
        dl[i - 1] = h1;
        dd[i] = 2.0 * (h0 + h1);
        du[i] = h0;
    }
    if not_a_knot[0] {
        let (h0, h1) = (h(0), h(1));
        dd[0] = h1;
        du[0] = h0 + h1;
    } else {
        dd[0] = 2.0;
        du[0] = 1.0;
    }
    if not_a_knot[1] {
        let (ha, hb) = (h(n - 3), h(n - 2));
        dl[n - 2] = ha + hb;
        dd[n - 1] = ha;
    } else {
        dl[n - 2] = 1.0;
        dd[n - 1] = 2.0;
    }
    // Forward elimination; du2 collects the fill-in of row swaps.
    for i in 0..n - 1 {
        if dd[i].abs() >= dl[i].abs() {
            let f = dl[i] / dd[i];
            dd[i + 1] -= f * du[i];
            for r in ds.iter_mut() {
                r[i + 1] -= f * r[i];
            }
            du2[i] = 0.0;
        } else {
            let f = dd[i] / dl[i];
            dd[i] = dl[i];
            let tmp = dd[i + 1];
            dd[i + 1] = du[i] - f * tmp;
            if i + 2 < n {
                du2[i] = du[i + 1];
                du[i + 1] *= -f;
            }
            du[i] = tmp;
            for r in ds.iter_mut() {
                let rb = r[i + 1];
                r[i + 1] = r[i] - f * rb;
                r[i] = rb;
            }
        }
    }
    for r in ds.iter_mut() {
        r[n - 1] /= dd[n - 1];
        r[n - 2] = (r[n - 2] - du[n - 2] * r[n - 1]) / dd[n - 2];
    }
    // Back substitution, the right-hand sides interleaved: each is a chain of
    // dependent divisions, so two chains side by side take about the time of
    // one (same operations per series, same bits).
    for i in (0..n.saturating_sub(2)).rev() {
        let (u, u2, di) = (du[i], du2[i], dd[i]);
        for r in ds.iter_mut() {
            r[i] = (r[i] - u * r[i + 1] - u2 * r[i + 2]) / di;
        }
    }
}

/// Value on interval `i` (`t[i]..t[i+1]`, extended beyond for extrapolation).
#[inline]
pub(crate) fn eval_interval(linear: bool, t: &[f64], y: &[f64], d: &[f64], i: usize, x: f64) -> f64 {
    let h = t[i + 1] - t[i];
    let u = x - t[i];
    let s = (y[i + 1] - y[i]) / h;
    if linear {
        return y[i] + s * u;
    }
    let c2 = (3.0 * s - 2.0 * d[i] - d[i + 1]) / h;
    let c3 = (d[i] + d[i + 1] - 2.0 * s) / (h * h);
    y[i] + u * (d[i] + u * (c2 + u * c3))
}

/// Interval index for `x`: `i` with `t[i] <= x < t[i+1]`, clamped to
/// `0..=n-2`; tries `hint` and `hint + 1` first (sorted queries walk).
#[inline]
fn locate(t: &[f64], x: f64, hint: usize) -> usize {
    let last = t.len() - 2;
    let ok = |i: usize| (i == 0 || t[i] <= x) && (i == last || x < t[i + 1]);
    if hint <= last && ok(hint) {
        return hint;
    }
    if hint < last && ok(hint + 1) {
        return hint + 1;
    }
    t.partition_point(|&v| v <= x).saturating_sub(1).min(last)
}

/// A 1-D interpolant through validated knots.
#[derive(Debug, Clone, PartialEq)]
pub struct Interp1d {
    kind: Kind,
    t: Vec<f64>,
    y: Vec<f64>,
    d: Vec<f64>,
}

impl Interp1d {
    /// Validates the knots ([`validate_knots`]) and computes the slopes.
    pub fn new(kind: Kind, t: &[f64], y: &[f64]) -> Result<Interp1d> {
        validate_knots(kind, t, y)?;
        let mut d = Vec::new();
        slopes_into(kind, t, y, &mut d, &mut Workspace::default());
        Ok(Interp1d { kind, t: t.to_vec(), y: y.to_vec(), d })
    }

    /// The method.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Knot times.
    pub fn times(&self) -> &[f64] {
        &self.t
    }

    /// Knot values.
    pub fn values(&self) -> &[f64] {
        &self.y
    }

    /// First derivative at each knot (for `Linear`, the slope of the segment
    /// to the right of the knot; the last knot repeats the last segment's).
    pub fn slopes(&self) -> &[f64] {
        &self.d
    }

    /// Value at `x`; a knot time gives its value exactly. Outside the knots
    /// the end piece is continued; a NaN `x` gives NaN.
    pub fn eval(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        let i = locate(&self.t, x, 0);
        if x == self.t[i] {
            return self.y[i];
        }
        if x == self.t[i + 1] {
            return self.y[i + 1];
        }
        eval_interval(self.kind == Kind::Linear, &self.t, &self.y, &self.d, i, x)
    }

    /// Values at `xs` into `out` (same length), without allocating. Fastest
    /// when `xs` is sorted, but any order works.
    pub fn eval_into(&self, xs: &[f64], out: &mut [f64]) -> Result<()> {
        if xs.len() != out.len() {
            return Err(ImputeError::OutputLength { expected: xs.len(), found: out.len() });
        }
        let linear = self.kind == Kind::Linear;
        let mut hint = 0;
        for (o, &x) in out.iter_mut().zip(xs) {
            if x.is_nan() {
                *o = f64::NAN;
                continue;
            }
            hint = locate(&self.t, x, hint);
            *o = if x == self.t[hint] {
                self.y[hint]
            } else if x == self.t[hint + 1] {
                self.y[hint + 1]
            } else {
                eval_interval(linear, &self.t, &self.y, &self.d, hint, x)
            };
        }
        Ok(())
    }
}

/// One-shot: the interpolant of `kind` through `(t, y)` evaluated at `xs`.
pub fn interpolate(kind: Kind, t: &[f64], y: &[f64], xs: &[f64]) -> Result<Vec<f64>> {
    let f = Interp1d::new(kind, t, y)?;
    let mut out = vec![0.0; xs.len()];
    f.eval_into(xs, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{SPLINE_WINDOW, Workspace, eval_interval, spline_slopes_multi, spline_slopes_windowed};

    /// Knots `(t, x, y)`: mostly 25 Hz, some steps down to 1 ms, some up to
    /// 5 s; positions moving at up to ~12 m/s with 2 cm jitter.
    fn knots(seed: u64, n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let mut st = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut rnd = move || {
            st ^= st << 13;
            st ^= st >> 7;
            st ^= st << 17;
            (st >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut t, mut x, mut y) = (vec![1000.0 * rnd()], vec![0.0], vec![0.0]);
        let (mut vx, mut vy) = (0.0f64, 0.0f64);
        for i in 1..n {
            let u = rnd();
            let h = if u < 0.7 {
                0.04
            } else if u < 0.9 {
                0.001 + 0.1 * rnd()
            } else {
                0.001 + 5.0 * rnd()
            };
            vx = (vx + 2.0 * (rnd() - 0.5)).clamp(-8.5, 8.5);
            vy = (vy + 2.0 * (rnd() - 0.5)).clamp(-8.5, 8.5);
            t.push(t[i - 1] + h);
            x.push(x[i - 1] + vx * h + 0.02 * (rnd() - 0.5));
            y.push(y[i - 1] + vy * h + 0.02 * (rnd() - 0.5));
        }
        (t, x, y)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
        /// Values on the gap intervals from the windowed spline solve stay
        /// within 1e-12 m of the whole-series solve (and the windows are
        /// really used: they cover less than 3/4 of the knots).
        #[test]
        fn windowed_solve_matches_whole_series(
            seed in any::<u64>(),
            n in 800usize..3000,
            not_a_knot in any::<bool>(),
            picks in proptest::collection::vec(0.0f64..1.0, 1..4),
            first in any::<bool>(),
            last in any::<bool>(),
        ) {
            let (t, x, y) = knots(seed, n);
            let mut js: Vec<usize> = picks.iter().map(|u| (u * (n - 1) as f64) as usize).collect();
            if first {
                js.push(0);
            }
            if last {
                js.push(n - 2);
            }
            js.sort_unstable();
            js.dedup();
            let mut ws = Workspace::default();
            let (mut gx, mut gy) = (vec![0.0; n], vec![0.0; n]);
            spline_slopes_multi([not_a_knot; 2], &t, [&x, &y], [&mut gx, &mut gy], &mut ws);
            let (mut wx, mut wy) = (vec![f64::NAN; n], vec![f64::NAN; n]);
            spline_slopes_windowed(
                not_a_knot, &t, [&x, &y], [&mut wx, &mut wy], js.iter().copied(), SPLINE_WINDOW, &mut ws,
            );
            // windows were used, not the whole-series fallback
            prop_assert!(wx.iter().any(|v| v.is_nan()));
            for &j in &js {
                for q in [0.1, 0.37, 0.5, 0.81] {
                    let tq = t[j] + q * (t[j + 1] - t[j]);
                    for (v, g, w) in [(&x, &gx, &wx), (&y, &gy, &wy)] {
                        let a = eval_interval(false, &t, v, g, j, tq);
                        let b = eval_interval(false, &t, v, w, j, tq);
                        prop_assert!((a - b).abs() <= 1e-12, "interval {} of {}: {} vs {} ({:e})", j, n, a, b, a - b);
                    }
                }
            }
        }
    }
}
