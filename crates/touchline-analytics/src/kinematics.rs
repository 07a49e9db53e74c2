//! Smoothed velocity, speed and acceleration; distance covered, speed zones,
//! sprints, accelerations and decelerations; implausible speeds.
//!
//! Everything is computed per agent on *runs*: maximal stretches of frames
//! inside one period with finite positions and no time jump (a step longer
//! than 1.5 nominal frame intervals ends a run). Nothing is differentiated,
//! integrated or counted across a gap or a period boundary; the summaries
//! report how many frames were missing and how many runs there were.
//!
//! Positions are taken as given: an unobserved entry that holds a finite
//! (imputed) value is used like an observed one and counted in
//! [`AgentPeriodSummary::frames_imputed`]; `NaN` is missing.

use std::ops::Range;

use ndarray::{Array2, Array3};
use serde::{Deserialize, Serialize};
use touchline_core::TrackingData;

use crate::error::{AnalyticsError, Result};

/// Savitzky-Golay smoothing and differentiation (least-squares polynomial of
/// degree `order` over a centred window of `window` frames; near the ends of a
/// run the polynomial fitted to the first or last full window is evaluated,
/// as scipy's `savgol_filter(mode="interp")`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SavGol {
    /// Window length in frames (odd, at least 3). Default 7 (Shaw's
    /// `Metrica_Velocities.calc_player_velocities`, 0.28 s at 25 Hz).
    pub window: usize,
    /// Polynomial degree (at least 1, below `window`). Default 2.
    pub order: usize,
}

impl Default for SavGol {
    fn default() -> Self {
        SavGol { window: 7, order: 2 }
    }
}

impl SavGol {
    /// Checks the parameters.
    pub fn validate(&self) -> Result<()> {
        if self.window < 3 || self.window.is_multiple_of(2) {
            return Err(AnalyticsError::InvalidParameter {
                name: "savgol.window",
                reason: format!("must be odd and at least 3, got {}", self.window),
            });
        }
        if self.order < 1 || self.order >= self.window {
            return Err(AnalyticsError::InvalidParameter {
                name: "savgol.order",
                reason: format!("must be in 1..{}, got {}", self.window, self.order),
            });
        }
        Ok(())
    }

    /// Weights `w` such that `sum_j w[j] * y[j] / dt^deriv` is the `deriv`-th
    /// derivative at index `pos` of a window of `window` samples.
    pub fn weights(window: usize, order: usize, pos: usize, deriv: usize) -> Vec<f64> {
        let k = order + 1;
        // Normal equations M c = A^T y with A[j][m] = (j - pos)^m.
        let mut m = vec![0.0; k * k];
        for j in 0..window {
            let t = j as f64 - pos as f64;
            for a in 0..k {
                for b in 0..k {
                    m[a * k + b] += t.powi((a + b) as i32);
                }
            }
        }
        // Solve M x = e_deriv (M symmetric): weights_j = deriv! * sum_m x_m t_j^m.
        let mut rhs = vec![0.0; k];
        if deriv < k {
            rhs[deriv] = 1.0;
        } else {
            return vec![0.0; window];
        }
        let x = solve(&mut m, &mut rhs, k);
        let fact: f64 = (1..=deriv).map(|v| v as f64).product();
        (0..window)
            .map(|j| {
                let t = j as f64 - pos as f64;
                fact * (0..k).map(|a| x[a] * t.powi(a as i32)).sum::<f64>()
            })
            .collect()
    }

    /// Applies the filter (derivative `deriv`, sample step `dt`) to one run of
    /// finite samples. Runs shorter than the window use the longest odd window
    /// that fits (and a lower degree if needed); a run of two samples gets the
    /// finite difference for `deriv == 1`; anything shorter gives `NaN`.
    pub fn apply(&self, y: &[f64], dt: f64, deriv: usize, out: &mut [f64]) {
        let n = y.len();
        let mut w = self.window.min(if n % 2 == 1 { n } else { n.saturating_sub(1) });
        if w < 3 {
            let v = if n == 2 && deriv == 1 { (y[1] - y[0]) / dt } else { f64::NAN };
            out.iter_mut().for_each(|o| *o = v);
            return;
        }
        w = w.max(3);
        let order = self.order.min(w - 1);
        let half = w / 2;
        let scale = dt.powi(deriv as i32);
        let centre = Self::weights(w, order, half, deriv);
        for (i, o) in out.iter_mut().enumerate().take(n) {
            let (start, wts) = if i < half {
                (0, Self::weights(w, order, i, deriv))
            } else if i + half >= n {
                (n - w, Self::weights(w, order, i - (n - w), deriv))
            } else {
                (i - half, centre.clone())
            };
            *o = wts.iter().zip(&y[start..start + w]).map(|(a, b)| a * b).sum::<f64>() / scale;
        }
    }
}

/// Gaussian elimination with partial pivoting on a small dense system.
fn solve(m: &mut [f64], b: &mut [f64], k: usize) -> Vec<f64> {
    for col in 0..k {
        let piv =
            (col..k).max_by(|&a, &c| m[a * k + col].abs().total_cmp(&m[c * k + col].abs())).unwrap_or(col);
        if piv != col {
            for j in 0..k {
                m.swap(col * k + j, piv * k + j);
            }
            b.swap(col, piv);
        }
        let d = m[col * k + col];
        for r in col + 1..k {
            let f = m[r * k + col] / d;
            for j in col..k {
                m[r * k + j] -= f * m[col * k + j];
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = vec![0.0; k];
    for r in (0..k).rev() {
        let s: f64 = (r + 1..k).map(|j| m[r * k + j] * x[j]).sum();
        x[r] = (b[r] - s) / m[r * k + r];
    }
    x
}

/// Maximal runs of frames of `agent` inside one period with finite positions
/// and no time step longer than 1.5 nominal intervals.
pub fn runs(data: &TrackingData, agent: usize) -> Vec<Range<usize>> {
    let p = data.positions();
    let t = data.timestamps_slice();
    let max_step = 1.5 / data.frame_rate();
    let mut out = Vec::new();
    for period in data.periods() {
        let mut start: Option<usize> = None;
        for f in period.frames() {
            let ok = p[[f, agent, 0]].is_finite() && p[[f, agent, 1]].is_finite();
            let jump = f > period.start && max_step.is_finite() && t[f] - t[f - 1] > max_step;
            if let Some(s) = start
                && (!ok || jump)
            {
                out.push(s..f);
                start = None;
            }
            if ok && start.is_none() {
                start = Some(f);
            }
        }
        if let Some(s) = start {
            out.push(s..period.end);
        }
    }
    out
}

/// Mean time step of a run (its duration over its intervals), or the nominal
/// step for a single frame.
fn run_step(t: &[f64], r: &Range<usize>, nominal: f64) -> f64 {
    if r.len() >= 2 { (t[r.end - 1] - t[r.start]) / (r.len() - 1) as f64 } else { nominal }
}

/// Smoothed kinematics of every agent, `NaN` where the position is missing or
/// the run too short.
#[derive(Debug, Clone, PartialEq)]
pub struct Kinematics {
    /// Velocity `[frames, agents, 2]` in m/s (first Savitzky-Golay derivative of position).
    pub velocity: Array3<f64>,
    /// Speed `[frames, agents]` in m/s (norm of `velocity`).
    pub speed: Array2<f64>,
    /// Acceleration along the path `[frames, agents]` in m/s^2: the first
    /// Savitzky-Golay derivative of `speed` (positive speeding up, negative slowing down).
    pub acceleration: Array2<f64>,
}

fn check_frames(data: &TrackingData, what: &'static str) -> Result<()> {
    if data.n_frames() < 2 {
        return Err(AnalyticsError::TooFewFrames { what, needed: 2, found: data.n_frames() });
    }
    Ok(())
}

/// One agent's velocity `[frames, 2]`, speed and acceleration (flat, per frame).
fn agent_kinematics(data: &TrackingData, agent: usize, sg: &SavGol) -> (Vec<[f64; 2]>, Vec<f64>, Vec<f64>) {
    let nf = data.n_frames();
    let p = data.positions();
    let t = data.timestamps_slice();
    let nominal = 1.0 / data.frame_rate();
    let mut vel = vec![[f64::NAN; 2]; nf];
    let mut speed = vec![f64::NAN; nf];
    let mut acc = vec![f64::NAN; nf];
    for r in runs(data, agent) {
        let dt = run_step(t, &r, nominal);
        let xs: Vec<f64> = r.clone().map(|f| p[[f, agent, 0]]).collect();
        let ys: Vec<f64> = r.clone().map(|f| p[[f, agent, 1]]).collect();
        let mut vx = vec![0.0; r.len()];
        let mut vy = vec![0.0; r.len()];
        sg.apply(&xs, dt, 1, &mut vx);
        sg.apply(&ys, dt, 1, &mut vy);
        let sp: Vec<f64> = vx.iter().zip(&vy).map(|(a, b)| a.hypot(*b)).collect();
        let mut ac = vec![0.0; r.len()];
        sg.apply(&sp, dt, 1, &mut ac);
        for (i, f) in r.enumerate() {
            vel[f] = [vx[i], vy[i]];
            speed[f] = sp[i];
            acc[f] = ac[i];
        }
    }
    (vel, speed, acc)
}

/// Smoothed velocity, speed and acceleration of every agent (on rayon's pool
/// with the `parallel` feature). Errors for fewer than two frames or invalid
/// filter parameters.
pub fn kinematics(data: &TrackingData, sg: &SavGol) -> Result<Kinematics> {
    sg.validate()?;
    check_frames(data, "kinematics")?;
    let (nf, na) = (data.n_frames(), data.n_agents());
    #[cfg(feature = "parallel")]
    let per: Vec<_> = {
        use rayon::prelude::*;
        (0..na).into_par_iter().map(|a| agent_kinematics(data, a, sg)).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let per: Vec<_> = (0..na).map(|a| agent_kinematics(data, a, sg)).collect();
    let mut velocity = Array3::from_elem((nf, na, 2), f64::NAN);
    let mut speed = Array2::from_elem((nf, na), f64::NAN);
    let mut acceleration = Array2::from_elem((nf, na), f64::NAN);
    for (a, (v, s, ac)) in per.into_iter().enumerate() {
        for f in 0..nf {
            velocity[[f, a, 0]] = v[f][0];
            velocity[[f, a, 1]] = v[f][1];
            speed[[f, a]] = s[f];
            acceleration[[f, a]] = ac[f];
        }
    }
    Ok(Kinematics { velocity, speed, acceleration })
}

/// Thresholds of the physical summary. Defaults and their sources are listed
/// in `docs/analytics.md`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PhysicalParams {
    /// Smoothing and differentiation filter.
    pub savgol: SavGol,
    /// Upper bounds of the walk, jog and run zones in m/s (sprint is above
    /// the last). Default `[2, 4, 7]`.
    pub zones: [f64; 3],
    /// Sprint speed threshold in m/s (default 7).
    pub sprint_speed: f64,
    /// Shortest sprint in seconds (default 1).
    pub sprint_min_duration: f64,
    /// Acceleration (and, negated, deceleration) threshold in m/s^2 (default 3).
    pub accel_threshold: f64,
    /// Shortest acceleration or deceleration effort in seconds (default 0.5).
    pub accel_min_duration: f64,
    /// Speeds above this (m/s) are flagged as implausible (default 12).
    pub implausible_speed: f64,
}

impl Default for PhysicalParams {
    fn default() -> Self {
        PhysicalParams {
            savgol: SavGol::default(),
            zones: [2.0, 4.0, 7.0],
            sprint_speed: 7.0,
            sprint_min_duration: 1.0,
            accel_threshold: 3.0,
            accel_min_duration: 0.5,
            implausible_speed: 12.0,
        }
    }
}

impl PhysicalParams {
    /// Checks the parameters.
    pub fn validate(&self) -> Result<()> {
        self.savgol.validate()?;
        let z = self.zones;
        if !(z.iter().all(|v| v.is_finite()) && 0.0 < z[0] && z[0] < z[1] && z[1] < z[2]) {
            return Err(AnalyticsError::InvalidParameter {
                name: "zones",
                reason: format!("must be finite, positive and increasing, got {z:?}"),
            });
        }
        for (name, v) in [
            ("sprint_speed", self.sprint_speed),
            ("sprint_min_duration", self.sprint_min_duration),
            ("accel_threshold", self.accel_threshold),
            ("accel_min_duration", self.accel_min_duration),
            ("implausible_speed", self.implausible_speed),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(AnalyticsError::InvalidParameter {
                    name,
                    reason: format!("must be finite and non-negative, got {v}"),
                });
            }
        }
        Ok(())
    }
}

/// Speed zones, in the order of [`AgentPeriodSummary::zone_time`].
pub const ZONE_NAMES: [&str; 4] = ["walk", "jog", "run", "sprint"];

/// A stretch of frames above a threshold: a sprint, an acceleration or a deceleration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Effort {
    /// First frame.
    pub start: usize,
    /// One past the last frame.
    pub end: usize,
    /// Duration in seconds (frames times the run's frame interval).
    pub duration: f64,
    /// Peak speed (sprints, m/s) or peak absolute acceleration (m/s^2).
    pub peak: f64,
}

/// Physical summary of one agent in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentPeriodSummary {
    /// Agent index.
    pub agent: usize,
    /// Agent id.
    pub id: String,
    /// Period id.
    pub period: u32,
    /// Frames of the period with a finite position (observed or imputed).
    pub frames_used: usize,
    /// Of those, unobserved ones holding an imputed value.
    pub frames_imputed: usize,
    /// Frames of the period with no position (`NaN`): nothing is computed across them.
    pub frames_missing: usize,
    /// Number of runs (stretches without a gap) the period splits into.
    pub runs: usize,
    /// Distance covered in metres: the trapezoid integral of the smoothed speed over each run.
    pub distance: f64,
    /// Seconds in each zone ([`ZONE_NAMES`]), each interval assigned by its mean speed.
    pub zone_time: [f64; 4],
    /// Metres in each zone; they sum to `distance`.
    pub zone_distance: [f64; 4],
    /// Highest smoothed speed in m/s (`NaN` when no run was long enough).
    pub max_speed: f64,
    /// Sprints: speed at or above `sprint_speed` for at least `sprint_min_duration`.
    pub sprints: Vec<Effort>,
    /// Accelerations at or above `accel_threshold` for at least `accel_min_duration`.
    pub accelerations: Vec<Effort>,
    /// Decelerations at or below `-accel_threshold` for at least `accel_min_duration`.
    pub decelerations: Vec<Effort>,
    /// Frames whose smoothed speed exceeds `implausible_speed` (flagged, still counted).
    pub implausible_frames: Vec<usize>,
}

/// Stretches of `r` where `pred(value)` holds for at least `min_dur` seconds.
fn efforts(
    vals: &[f64],
    r: &Range<usize>,
    dt: f64,
    min_dur: f64,
    pred: impl Fn(f64) -> bool,
    peak: impl Fn(f64) -> f64,
) -> Vec<Effort> {
    let mut out = Vec::new();
    let mut f = r.start;
    while f < r.end {
        if !pred(vals[f]) {
            f += 1;
            continue;
        }
        let s = f;
        let mut pk = f64::NEG_INFINITY;
        while f < r.end && pred(vals[f]) {
            pk = pk.max(peak(vals[f]));
            f += 1;
        }
        let duration = (f - s) as f64 * dt;
        if duration >= min_dur - 1e-9 {
            out.push(Effort { start: s, end: f, duration, peak: pk });
        }
    }
    out
}

fn zone_of(speed: f64, z: &[f64; 3]) -> usize {
    z.iter().position(|&b| speed < b).unwrap_or(3)
}

fn summarise(
    data: &TrackingData,
    agent: usize,
    speed: &[f64],
    acc: &[f64],
    params: &PhysicalParams,
) -> Vec<AgentPeriodSummary> {
    let t = data.timestamps_slice();
    let nominal = 1.0 / data.frame_rate();
    let observed = data.observed();
    let all_runs = runs(data, agent);
    let mut out = Vec::new();
    for period in data.periods() {
        let pr = period.frames();
        let runs: Vec<&Range<usize>> =
            all_runs.iter().filter(|r| r.start >= pr.start && r.end <= pr.end).collect();
        let frames_used: usize = runs.iter().map(|r| r.len()).sum();
        let frames_imputed =
            runs.iter().flat_map(|r| (*r).clone()).filter(|&f| !observed[[f, agent]]).count();
        let mut s = AgentPeriodSummary {
            agent,
            id: data.agents()[agent].id.clone(),
            period: period.id,
            frames_used,
            frames_imputed,
            frames_missing: pr.len() - frames_used,
            runs: runs.len(),
            distance: 0.0,
            zone_time: [0.0; 4],
            zone_distance: [0.0; 4],
            max_speed: f64::NAN,
            sprints: Vec::new(),
            accelerations: Vec::new(),
            decelerations: Vec::new(),
            implausible_frames: Vec::new(),
        };
        for r in runs {
            let dt = run_step(t, r, nominal);
            for f in r.start..r.end.saturating_sub(1) {
                let (a, b) = (speed[f], speed[f + 1]);
                if !(a.is_finite() && b.is_finite()) {
                    continue;
                }
                let h = t[f + 1] - t[f];
                let mean = 0.5 * (a + b);
                let z = zone_of(mean, &params.zones);
                s.distance += mean * h;
                s.zone_time[z] += h;
                s.zone_distance[z] += mean * h;
            }
            for f in r.clone() {
                if speed[f].is_finite() {
                    s.max_speed = if s.max_speed.is_nan() { speed[f] } else { s.max_speed.max(speed[f]) };
                    if speed[f] > params.implausible_speed {
                        s.implausible_frames.push(f);
                    }
                }
            }
            let (ss, th) = (params.sprint_speed, params.accel_threshold);
            s.sprints.extend(efforts(speed, r, dt, params.sprint_min_duration, |v| v >= ss, |v| v));
            s.accelerations.extend(efforts(acc, r, dt, params.accel_min_duration, |v| v >= th, f64::abs));
            s.decelerations.extend(efforts(acc, r, dt, params.accel_min_duration, |v| v <= -th, f64::abs));
        }
        out.push(s);
    }
    out
}

/// Physical summary of one agent, one entry per period. Errors when the agent
/// index is out of range, the data has fewer than two frames, or the agent has
/// no finite position at all.
pub fn agent_physical(
    data: &TrackingData,
    agent: usize,
    params: &PhysicalParams,
) -> Result<Vec<AgentPeriodSummary>> {
    params.validate()?;
    check_frames(data, "physical summary")?;
    if agent >= data.n_agents() {
        return Err(AnalyticsError::NoSuchAgent { index: agent, n_agents: data.n_agents() });
    }
    if runs(data, agent).is_empty() {
        return Err(AnalyticsError::AgentAllMissing { id: data.agents()[agent].id.clone(), index: agent });
    }
    let (_, speed, acc) = agent_kinematics(data, agent, &params.savgol);
    Ok(summarise(data, agent, &speed, &acc, params))
}

/// Physical summaries of several agents (all players when `agents` is
/// `None`: every agent that is not the ball or an official). Agents with no
/// finite position are included with zero distance and `frames_used == 0`,
/// so a squad list keeps its unused substitutes.
pub fn physical_summary(
    data: &TrackingData,
    agents: Option<&[usize]>,
    params: &PhysicalParams,
) -> Result<Vec<AgentPeriodSummary>> {
    params.validate()?;
    check_frames(data, "physical summary")?;
    let list: Vec<usize> = match agents {
        Some(a) => a.to_vec(),
        None => crate::players(data),
    };
    if let Some(&bad) = list.iter().find(|&&a| a >= data.n_agents()) {
        return Err(AnalyticsError::NoSuchAgent { index: bad, n_agents: data.n_agents() });
    }
    let one = |a: usize| {
        let (_, speed, acc) = agent_kinematics(data, a, &params.savgol);
        summarise(data, a, &speed, &acc, params)
    };
    #[cfg(feature = "parallel")]
    let per: Vec<Vec<AgentPeriodSummary>> = {
        use rayon::prelude::*;
        list.par_iter().map(|&a| one(a)).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let per: Vec<Vec<AgentPeriodSummary>> = list.iter().map(|&a| one(a)).collect();
    Ok(per.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_match_known_savgol() {
        // Window 5, order 2, smoothing at the centre: (-3, 12, 17, 12, -3) / 35.
        let w = SavGol::weights(5, 2, 2, 0);
        let want = [-3.0, 12.0, 17.0, 12.0, -3.0].map(|v| v / 35.0);
        for (a, b) in w.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{w:?}");
        }
        // First derivative, window 5: (-2, -1, 0, 1, 2) / 10.
        let d = SavGol::weights(5, 2, 2, 1);
        let want = [-2.0, -1.0, 0.0, 1.0, 2.0].map(|v| v / 10.0);
        for (a, b) in d.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{d:?}");
        }
    }

    #[test]
    fn derivative_of_quadratic_is_exact_everywhere() {
        let dt = 0.04;
        let y: Vec<f64> =
            (0..20).map(|i| 3.0 + 2.0 * (i as f64 * dt) + 1.5 * (i as f64 * dt).powi(2)).collect();
        let mut d = vec![0.0; 20];
        SavGol::default().apply(&y, dt, 1, &mut d);
        for (i, v) in d.iter().enumerate() {
            let want = 2.0 + 3.0 * i as f64 * dt;
            assert!((v - want).abs() < 1e-9, "frame {i}: {v} vs {want}");
        }
    }
}
