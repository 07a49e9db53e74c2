//! Evaluation windows: complete stretches of ground truth cut from one or
//! more recordings, as the MIDAS protocol does (resample, then windows of
//! `T` frames).

use ndarray::{Array2, Array3};
use serde::{Deserialize, Serialize};
use touchline_core::{Agent, Team, TrackingData};

use crate::error::{ImputeError, Result};

/// How windows are cut.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowSpec {
    /// Frames per window (`T`, >= 12; MIDAS uses 200).
    pub len: usize,
    /// Resample to this rate first (MIDAS: 10 Hz); `None` keeps the
    /// recording's own rate.
    pub hz: Option<f64>,
    /// Keep the ball as a scored agent (it is masked like a player by the
    /// `uniform`, `playerwise` and `forecast` masks; the camera always
    /// shows it). Without it the ball is only used to aim the camera.
    pub include_ball: bool,
}

impl Default for WindowSpec {
    fn default() -> Self {
        WindowSpec { len: 200, hz: Some(10.0), include_ball: false }
    }
}

/// One window of complete ground truth.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalWindow {
    /// Name of the recording it comes from (a file stem).
    pub source: String,
    /// Index of the window within its recording.
    pub index: usize,
    /// The truth: every entry observed. Agents are the players (home, away,
    /// unknown team) observed in every frame of the window, then the ball
    /// when [`WindowSpec::include_ball`] and it too is complete.
    pub truth: TrackingData,
    /// Where the camera aims in each frame: the ball when it is observed,
    /// else its last (or first) observed position, else the players' centroid.
    pub aim: Vec<[f64; 2]>,
}

impl EvalWindow {
    /// Indices of the scored agents that are players (not the ball).
    pub fn player_indices(&self) -> Vec<usize> {
        (0..self.truth.n_agents()).filter(|&a| self.truth.agents()[a].team != Team::Ball).collect()
    }
}

/// Cuts windows from each `(name, recording)`, in the order given and by
/// time within each recording. Windows never straddle periods; players
/// with any unobserved frame in a window, officials, and windows with no
/// complete player are dropped.
pub fn make_windows(sources: &[(String, TrackingData)], spec: &WindowSpec) -> Result<Vec<EvalWindow>> {
    if spec.len < 12 {
        return Err(ImputeError::InvalidParameter {
            name: "window",
            reason: format!("must be at least 12 frames, got {}", spec.len),
        });
    }
    let mut out = Vec::new();
    for (name, data) in sources {
        let data = match spec.hz {
            Some(hz) => data.resample(hz)?,
            None => data.clone(),
        };
        for (index, w) in data.windows(spec.len, spec.len)?.into_iter().enumerate() {
            if let Some(win) = complete_window(name, index, &w, spec.include_ball)? {
                out.push(win);
            }
        }
    }
    Ok(out)
}

fn complete_window(name: &str, index: usize, w: &TrackingData, ball: bool) -> Result<Option<EvalWindow>> {
    let obs = w.observed();
    let full = |a: usize| obs.column(a).iter().all(|&o| o);
    let players: Vec<usize> = (0..w.n_agents())
        .filter(|&a| matches!(w.agents()[a].team, Team::Home | Team::Away | Team::Unknown) && full(a))
        .collect();
    if players.is_empty() {
        return Ok(None);
    }
    let ball_idx = w.ball_index();
    let mut keep = players.clone();
    if let Some(b) = ball_idx.filter(|&b| ball && full(b)) {
        keep.push(b);
    }
    let nf = w.n_frames();
    let mut aim = vec![[f64::NAN; 2]; nf];
    if let Some(b) = ball_idx {
        for (f, slot) in aim.iter_mut().enumerate() {
            if obs[[f, b]] {
                *slot = [w.positions()[[f, b, 0]], w.positions()[[f, b, 1]]];
            }
        }
    }
    // carry the ball's last position forward, then its first one backward
    for f in 1..nf {
        if aim[f][0].is_nan() {
            aim[f] = aim[f - 1];
        }
    }
    for f in (0..nf.saturating_sub(1)).rev() {
        if aim[f][0].is_nan() {
            aim[f] = aim[f + 1];
        }
    }
    for (f, slot) in aim.iter_mut().enumerate() {
        if slot[0].is_nan() {
            let n = players.len() as f64;
            let cx = players.iter().map(|&a| w.positions()[[f, a, 0]]).sum::<f64>() / n;
            let cy = players.iter().map(|&a| w.positions()[[f, a, 1]]).sum::<f64>() / n;
            *slot = [cx, cy];
        }
    }
    let truth = select_agents(w, &keep)?;
    Ok(Some(EvalWindow { source: name.to_string(), index, truth, aim }))
}

/// The agents `keep` of `data` (in that order), with its timestamps,
/// periods, frame ids, rate and pitch.
pub fn select_agents(data: &TrackingData, keep: &[usize]) -> Result<TrackingData> {
    let nf = data.n_frames();
    let mut pos = Array3::from_elem((nf, keep.len(), 2), f64::NAN);
    let mut obs = Array2::from_elem((nf, keep.len()), false);
    for (j, &a) in keep.iter().enumerate() {
        for f in 0..nf {
            obs[[f, j]] = data.observed()[[f, a]];
            pos[[f, j, 0]] = data.positions()[[f, a, 0]];
            pos[[f, j, 1]] = data.positions()[[f, a, 1]];
        }
    }
    let agents: Vec<Agent> = keep.iter().map(|&a| data.agents()[a].clone()).collect();
    rebuild(data, pos, obs, agents)
}

/// `data`'s frame metadata around new positions, mask and agents.
pub(crate) fn rebuild(
    data: &TrackingData,
    pos: Array3<f64>,
    obs: Array2<bool>,
    agents: Vec<Agent>,
) -> Result<TrackingData> {
    let mut d = TrackingData::new(pos, obs, data.timestamps().to_vec(), agents)?
        .with_periods(data.periods().to_vec())?
        .with_frame_ids(data.frame_ids().to_vec())?;
    let hz = data.frame_rate();
    if hz.is_finite() && hz > 0.0 {
        d = d.with_frame_rate(hz)?;
    }
    if let Some(p) = data.pitch() {
        d = d.with_pitch(p)?;
    }
    Ok(d)
}

/// Joins windows into one dataset, one period per window (ids `1..`), for
/// methods that learn from several windows at once. Agents are the union
/// by id (unobserved where a window lacks them); each window's times are
/// shifted to start 1 s after the previous window ends.
pub fn concat_windows(windows: &[&TrackingData]) -> Result<TrackingData> {
    let Some(first) = windows.first() else {
        return Err(ImputeError::Mask("no windows to join".into()));
    };
    let mut agents: Vec<Agent> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for w in windows {
        for a in w.agents() {
            if !index.contains_key(&a.id) {
                index.insert(a.id.clone(), agents.len());
                agents.push(a.clone());
            }
        }
    }
    let nf: usize = windows.iter().map(|w| w.n_frames()).sum();
    let na = agents.len();
    let mut pos = Array3::from_elem((nf, na, 2), f64::NAN);
    let mut obs = Array2::from_elem((nf, na), false);
    let mut times = Vec::with_capacity(nf);
    let mut periods = Vec::with_capacity(windows.len());
    let mut offset = 0.0;
    let mut row = 0;
    for (k, w) in windows.iter().enumerate() {
        let t = w.timestamps_slice();
        let shift = if k == 0 { 0.0 } else { offset + 1.0 - t[0] };
        for f in 0..w.n_frames() {
            times.push(t[f] + shift);
            for (a, agent) in w.agents().iter().enumerate() {
                let j = index[&agent.id];
                if w.observed()[[f, a]] {
                    obs[[row + f, j]] = true;
                    pos[[row + f, j, 0]] = w.positions()[[f, a, 0]];
                    pos[[row + f, j, 1]] = w.positions()[[f, a, 1]];
                }
            }
        }
        offset = t[t.len() - 1] + shift;
        let k32 = u32::try_from(k + 1).unwrap_or(u32::MAX);
        periods.push(touchline_core::Period::new(k32, row..row + w.n_frames()));
        row += w.n_frames();
    }
    let mut d = TrackingData::new(pos, obs, times, agents)?.with_periods(periods)?;
    let hz = first.frame_rate();
    if hz.is_finite() && hz > 0.0 {
        d = d.with_frame_rate(hz)?;
    }
    Ok(d)
}
