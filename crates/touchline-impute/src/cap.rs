//! A physical plausibility cap on imputed entries: speed and acceleration
//! limits, applied after any method has filled its gaps.
//!
//! The cap only ever changes *imputed* entries (unobserved and finite);
//! observed entries are its anchors. Each run of imputed entries of one agent
//! in one period is walked step by step:
//!
//! 1. a **forward pass** starts at the observation before the run and moves
//!    towards each filled value, but never faster than the speed limit
//!    (the step is shortened along its own direction), and never changing
//!    velocity by more than the acceleration limit times the mean of the two
//!    step durations between two steps that both start inside the run (the
//!    step out of the observation is not a reference: it carries the
//!    observation's noise and the method's offset from it, e.g. a
//!    smoother's);
//! 2. a **backward pass** does the same from the observation after the run,
//!    walking back in time;
//! 3. for a run between two observations the two passes are blended
//!    linearly in time (weight 1 on the forward pass at the left end, 1 on
//!    the backward pass at the right end), so the run still meets both
//!    observed ends. An edge run (one observation only) takes its one pass.
//!
//! If neither pass had to clamp anything, the run is left bit for bit as
//! the method filled it. Speed is the 2-D speed (the step's Euclidean
//! length over its duration); acceleration is the 2-D change of velocity.
//! The velocity of observed neighbours is not used as a constraint: tracking
//! jitter (1 cm at 25 Hz is 6 m/s² of apparent acceleration) would make
//! almost every gap look like an acceleration spike.
//!
//! Where both passes agree (the usual case: a single spike, an overshooting
//! spline) the result meets the limits; when the two observed ends are
//! farther apart than the speed limit allows over the gap, no fill can meet
//! both ends, and the blend moves from one pass to the other linearly in
//! time.
//!
//! ```
//! use ndarray::{Array2, Array3};
//! use touchline_core::{Agent, Team, TrackingData};
//! use touchline_impute::PlausibilityCap;
//!
//! // A player seen at x = 0 in frames 0 and 4; frames 1..4 "filled" with a 30 m spike.
//! let t = vec![0.0, 0.04, 0.08, 0.12, 0.16];
//! let mut p = Array3::<f64>::zeros((5, 1, 2));
//! p[[2, 0, 0]] = 30.0;
//! let mut seen = Array2::from_elem((5, 1), false);
//! seen[[0, 0]] = true;
//! seen[[4, 0]] = true;
//! let mut d = TrackingData::new(p, seen, t, vec![Agent::new("p", Team::Home)])?;
//! let changed = PlausibilityCap::default().apply(&mut d)?;
//! assert!(changed[0] >= 1); // the spike, and its neighbours where the passes disagree
//! assert!(d.positions()[[2, 0, 0]] < 1.0); // at most 12 m/s (and 8 m/s²) from both ends
//! # Ok::<(), touchline_impute::ImputeError>(())
//! ```

use std::ops::Range;

use serde::{Deserialize, Serialize};
use touchline_core::{Team, TrackingData};

use crate::error::{ImputeError, Result};

/// Speed and acceleration limits for imputed entries (metres, seconds).
///
/// Players are every agent not on [`Team::Ball`] (officials included).
/// `None` for an acceleration limit means no acceleration limit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlausibilityCap {
    /// Top speed of a player, m/s (default 12).
    pub max_speed_player: f64,
    /// Top speed of the ball, m/s (default 40).
    pub max_speed_ball: f64,
    /// Largest acceleration of a player, m/s² (default `Some(8.0)`).
    pub max_accel_player: Option<f64>,
    /// Largest acceleration of the ball, m/s² (default `None`: kicks are
    /// instantaneous at tracking rates).
    pub max_accel_ball: Option<f64>,
}

impl Default for PlausibilityCap {
    fn default() -> Self {
        PlausibilityCap {
            max_speed_player: 12.0,
            max_speed_ball: 40.0,
            max_accel_player: Some(8.0),
            max_accel_ball: None,
        }
    }
}

/// The limits for one agent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Limits {
    pub(crate) max_speed: f64,
    pub(crate) max_accel: Option<f64>,
}

fn positive(name: &'static str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(ImputeError::InvalidParameter { name, reason: format!("must be finite and positive, got {v}") })
    }
}

impl PlausibilityCap {
    /// Checks every limit is finite and positive.
    pub fn validate(&self) -> Result<()> {
        positive("max_speed_player", self.max_speed_player)?;
        positive("max_speed_ball", self.max_speed_ball)?;
        if let Some(a) = self.max_accel_player {
            positive("max_accel_player", a)?;
        }
        if let Some(a) = self.max_accel_ball {
            positive("max_accel_ball", a)?;
        }
        Ok(())
    }

    pub(crate) fn limits(&self, team: Team) -> Limits {
        if team == Team::Ball {
            Limits { max_speed: self.max_speed_ball, max_accel: self.max_accel_ball }
        } else {
            Limits { max_speed: self.max_speed_player, max_accel: self.max_accel_player }
        }
    }

    /// Caps the imputed (unobserved, finite) entries of `data` in place,
    /// per agent and per period, and returns how many entries changed per
    /// agent. Observed entries are never changed. Use it on the output of
    /// any imputer; the imputers of this crate apply it themselves when
    /// their params carry a cap.
    pub fn apply(&self, data: &mut TrackingData) -> Result<Vec<usize>> {
        self.validate()?;
        let nf = data.n_frames();
        let t = data.timestamps_slice().to_vec();
        let periods: Vec<Range<usize>> = data.periods().iter().map(|p| p.frames()).collect();
        let mut xy = vec![[f64::NAN; 2]; nf];
        let mut obs = vec![false; nf];
        let mut s = CapScratch::default();
        let mut counts = Vec::with_capacity(data.n_agents());
        for a in 0..data.n_agents() {
            let lim = self.limits(data.agents()[a].team);
            {
                let (pos, o, _) = data.arrays();
                for f in 0..nf {
                    xy[f] = [pos[[f, a, 0]], pos[[f, a, 1]]];
                    obs[f] = o[[f, a]];
                }
            }
            let mut n = 0;
            for r in &periods {
                n += cap_range(lim, &t, |f| obs[f], r.clone(), &mut xy, &mut s);
            }
            if n > 0 {
                let (xs, ys): (Vec<f64>, Vec<f64>) = xy.iter().map(|p| (p[0], p[1])).unzip();
                data.fill_unobserved_xy(a, &xs, &ys)?;
            }
            counts.push(n);
        }
        Ok(counts)
    }
}

/// Buffers for the two passes, reused across runs.
#[derive(Debug, Default, Clone)]
pub(crate) struct CapScratch {
    fwd: Vec<[f64; 2]>,
    bwd: Vec<[f64; 2]>,
}

#[inline]
fn finite(p: [f64; 2]) -> bool {
    p[0].is_finite() && p[1].is_finite()
}

#[inline]
fn same(a: [f64; 2], b: [f64; 2]) -> bool {
    a[0].to_bits() == b[0].to_bits() && a[1].to_bits() == b[1].to_bits()
}

/// Caps the runs of imputed entries of one agent within `range` (one
/// period). `xy[f]` holds the agent's series: observed positions at
/// observed frames (the anchors), the filled values elsewhere (`NaN` when
/// left missing). Returns the number of entries changed.
pub(crate) fn cap_range(
    lim: Limits,
    t: &[f64],
    observed: impl Fn(usize) -> bool,
    range: Range<usize>,
    xy: &mut [[f64; 2]],
    s: &mut CapScratch,
) -> usize {
    let mut n = 0;
    let mut f = range.start;
    while f < range.end {
        if observed(f) || !finite(xy[f]) {
            f += 1;
            continue;
        }
        let start = f;
        while f < range.end && !observed(f) && finite(xy[f]) {
            f += 1;
        }
        let left = (start > range.start && observed(start - 1)).then(|| start - 1);
        let right = (f < range.end && observed(f)).then_some(f);
        n += cap_run(lim, t, left, right, start..f, xy, s);
    }
    n
}

/// The step rule of one pass, walked one frame at a time: from an anchor
/// (an observation), towards each target in turn, never faster than the
/// speed limit and never changing velocity by more than the acceleration
/// limit between two steps that both start after the anchor. Also used by
/// the streaming imputer, which gets its frames one by one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Walker {
    lim: Limits,
    anchor_t: f64,
    prev: [f64; 2],
    prev_t: f64,
    prev_v: Option<([f64; 2], f64)>,
}

impl Walker {
    /// A walk starting at the anchor `p` at time `t`.
    pub(crate) fn new(lim: Limits, p: [f64; 2], t: f64) -> Walker {
        Walker { lim, anchor_t: t, prev: p, prev_t: t, prev_v: None }
    }

    /// The walked position for `target` at time `t` (after the previous
    /// one, or before it for a backward pass), and whether a limit clamped
    /// the step.
    pub(crate) fn step(&mut self, target: [f64; 2], t: f64) -> ([f64; 2], bool) {
        let (lim, prev) = (self.lim, self.prev);
        let dt = (t - self.prev_t).abs();
        let mut v = [(target[0] - prev[0]) / dt, (target[1] - prev[1]) / dt];
        let mut clamped = false;
        let speed = v[0].hypot(v[1]);
        if speed > lim.max_speed {
            let k = lim.max_speed / speed;
            v = [v[0] * k, v[1] * k];
            clamped = true;
        }
        if let (Some(amax), Some((pv, pdt))) = (lim.max_accel, self.prev_v) {
            let dv = [v[0] - pv[0], v[1] - pv[1]];
            let change = dv[0].hypot(dv[1]);
            let allowed = amax * 0.5 * (dt + pdt);
            if change > allowed {
                let k = allowed / change;
                v = [pv[0] + dv[0] * k, pv[1] + dv[1] * k];
                clamped = true;
            }
        }
        let next = if clamped { [prev[0] + v[0] * dt, prev[1] + v[1] * dt] } else { target };
        // the step from the anchor sets no reference velocity: it carries the
        // observation's noise and the method's offset from it
        self.prev_v = (self.prev_t != self.anchor_t).then_some((v, dt));
        self.prev = next;
        self.prev_t = t;
        (next, clamped)
    }
}

/// One pass from `anchor` through `frames` (ordered away from the anchor);
/// writes the walked positions into `out` in the order of `frames` and
/// says whether any step was clamped.
fn pass(
    lim: Limits,
    t: &[f64],
    anchor: usize,
    frames: impl Iterator<Item = usize>,
    xy: &[[f64; 2]],
    out: &mut Vec<[f64; 2]>,
) -> bool {
    out.clear();
    let mut acted = false;
    let mut w = Walker::new(lim, xy[anchor], t[anchor]);
    for f in frames {
        let target = xy[f];
        let (next, clamped) = w.step(target, t[f]);
        acted |= clamped && !same(next, target);
        out.push(next);
    }
    acted
}

fn cap_run(
    lim: Limits,
    t: &[f64],
    left: Option<usize>,
    right: Option<usize>,
    run: Range<usize>,
    xy: &mut [[f64; 2]],
    s: &mut CapScratch,
) -> usize {
    let fwd_acted = left.is_some_and(|l| pass(lim, t, l, run.clone(), xy, &mut s.fwd));
    let bwd_acted = right.is_some_and(|r| pass(lim, t, r, run.clone().rev(), xy, &mut s.bwd));
    if !fwd_acted && !bwd_acted {
        return 0;
    }
    let mut n = 0;
    let len = run.len();
    for (i, f) in run.enumerate() {
        let new = match (left, right) {
            (Some(l), Some(r)) => {
                let (a, b) = (s.fwd[i], s.bwd[len - 1 - i]);
                if same(a, b) {
                    a
                } else {
                    let w = (t[r] - t[f]) / (t[r] - t[l]);
                    [w * a[0] + (1.0 - w) * b[0], w * a[1] + (1.0 - w) * b[1]]
                }
            }
            (Some(_), None) => s.fwd[i],
            (None, Some(_)) => s.bwd[len - 1 - i],
            (None, None) => xy[f],
        };
        if !same(new, xy[f]) && finite(new) {
            xy[f] = new;
            n += 1;
        }
    }
    n
}
