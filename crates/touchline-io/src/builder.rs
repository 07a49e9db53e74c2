//! [`TrackingBuilder`]: frame-by-frame assembly of [`TrackingData`], used by
//! every loader here and available to users writing their own.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ndarray::{Array2, Array3};
use touchline_core::{Agent, AxisTransform, CoreError, Direction, Period, Pitch, Team, TrackingData};

use crate::error::{IoError, Result};

#[derive(Debug, Clone, Copy)]
struct Entry {
    frame: u32,
    agent: u32,
    x: f64,
    y: f64,
    observed: bool,
}

/// Collects frames and per-agent positions in any order of agents, then
/// builds a validated [`TrackingData`].
///
/// - Agents are registered by id with [`agent`](Self::agent) (registering
///   the same id again returns the same index and fills in metadata that
///   was missing).
/// - [`push_frame`](Self::push_frame) starts a frame; [`observe`](Self::observe)
///   and [`estimate`](Self::estimate) set positions in the current frame.
///   Non-finite coordinates are never recorded (the entry stays missing).
/// - [`finish`](Self::finish) applies the coordinate transform, drops agents
///   never seen (unless asked to keep them; the ball is always kept), turns
///   runs of equal period ids into the period table and validates. Errors
///   name the file and the provider's frame number.
///
/// ```
/// use touchline_io::TrackingBuilder;
/// use touchline_core::{Agent, Team};
///
/// let mut b = TrackingBuilder::new("my_provider.txt");
/// let ball = b.agent(Agent::ball());
/// let p7 = b.agent(Agent::new("home_7", Team::Home).with_jersey(7));
/// let sub = b.agent(Agent::new("home_15", Team::Home)); // never on the pitch
/// for f in 0..3 {
///     b.push_frame(100 + f, f as f64 * 0.04, 1);
///     b.observe(ball, 1.0 * f as f64, 0.0);
///     if f != 1 { b.observe(p7, -3.0, 2.0); } else { b.estimate(p7, -3.1, 2.0); }
/// }
/// let data = b.frame_rate(25.0).finish()?;
/// assert_eq!(data.n_agents(), 2); // home_15 dropped
/// assert!(!data.observed()[[1, 1]]);
/// assert_eq!(data.provider_estimate().unwrap()[[1, 1, 0]], -3.1);
/// assert_eq!(data.frame_ids(), &[100, 101, 102]);
/// # Ok::<(), touchline_io::IoError>(())
/// ```
#[derive(Debug, Clone)]
pub struct TrackingBuilder {
    path: PathBuf,
    agents: Vec<Agent>,
    index: HashMap<String, usize>,
    times: Vec<f64>,
    frame_ids: Vec<i64>,
    period_ids: Vec<u32>,
    ball_z: Vec<f64>,
    any_ball_z: bool,
    entries: Vec<Entry>,
    frame_rate: Option<f64>,
    pitch: Option<Pitch>,
    transform: AxisTransform,
    keep_unseen: bool,
    directions: HashMap<u32, Direction>,
}

impl TrackingBuilder {
    /// A builder whose errors name `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        TrackingBuilder {
            path: path.into(),
            agents: Vec::new(),
            index: HashMap::new(),
            times: Vec::new(),
            frame_ids: Vec::new(),
            period_ids: Vec::new(),
            ball_z: Vec::new(),
            any_ball_z: false,
            entries: Vec::new(),
            frame_rate: None,
            pitch: None,
            transform: AxisTransform::IDENTITY,
            keep_unseen: false,
            directions: HashMap::new(),
        }
    }

    /// The file errors will name.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Registers an agent, or returns the index of the one with the same id
    /// (filling in jersey, role and name it lacked, and a team it had as
    /// `Unknown`).
    pub fn agent(&mut self, agent: Agent) -> usize {
        if let Some(&i) = self.index.get(&agent.id) {
            let a = &mut self.agents[i];
            if a.jersey.is_none() {
                a.jersey = agent.jersey;
            }
            if a.role.is_none() {
                a.role = agent.role;
            }
            if a.name.is_none() {
                a.name = agent.name;
            }
            if a.team == Team::Unknown {
                a.team = agent.team;
            }
            return i;
        }
        let i = self.agents.len();
        self.index.insert(agent.id.clone(), i);
        self.agents.push(agent);
        i
    }

    /// Index of a registered agent.
    pub fn agent_index(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Registered agents so far.
    pub fn agents(&self) -> &[Agent] {
        &self.agents
    }

    /// Number of frames pushed so far.
    pub fn n_frames(&self) -> usize {
        self.times.len()
    }

    /// Starts a new frame and returns its index.
    pub fn push_frame(&mut self, frame_id: i64, time_s: f64, period: u32) -> usize {
        self.times.push(time_s);
        self.frame_ids.push(frame_id);
        self.period_ids.push(period);
        self.ball_z.push(f64::NAN);
        self.times.len() - 1
    }

    fn put(&mut self, agent: usize, x: f64, y: f64, observed: bool) {
        if self.times.is_empty() || !x.is_finite() || !y.is_finite() || agent >= self.agents.len() {
            return;
        }
        self.entries.push(Entry {
            frame: (self.times.len() - 1) as u32,
            agent: agent as u32,
            x,
            y,
            observed,
        });
    }

    /// Records an observed position for `agent` in the current frame, in the
    /// provider's units (the transform is applied in [`finish`](Self::finish)).
    /// Ignored if a coordinate is not finite, or no frame was pushed.
    pub fn observe(&mut self, agent: usize, x: f64, y: f64) {
        self.put(agent, x, y, true);
    }

    /// Records a position the provider estimated itself (not observed).
    pub fn estimate(&mut self, agent: usize, x: f64, y: f64) {
        self.put(agent, x, y, false);
    }

    /// Records the ball height (metres) in the current frame.
    pub fn ball_z(&mut self, z: f64) {
        if let Some(last) = self.ball_z.last_mut()
            && z.is_finite()
        {
            *last = z;
            self.any_ball_z = true;
        }
    }

    /// Sets the nominal frame rate (otherwise inferred from the timestamps).
    pub fn frame_rate(mut self, hz: f64) -> Self {
        self.frame_rate = Some(hz);
        self
    }

    /// Sets the pitch size in metres.
    pub fn pitch(mut self, pitch: Pitch) -> Self {
        self.pitch = Some(pitch);
        self
    }

    /// Sets the map from provider coordinates to metres at the pitch centre.
    pub fn transform(mut self, t: AxisTransform) -> Self {
        self.transform = t;
        self
    }

    /// Keeps agents that were registered but never seen (dropped by default).
    pub fn keep_unseen_agents(mut self) -> Self {
        self.keep_unseen = true;
        self
    }

    /// Records which way home attacks in a period (in Touchline coordinates,
    /// after the transform).
    pub fn period_direction(mut self, period: u32, dir: Direction) -> Self {
        self.directions.insert(period, dir);
        self
    }

    fn invalid(&self, e: CoreError) -> IoError {
        match e {
            CoreError::NonIncreasingTime { frame, previous, current } => IoError::Frame {
                path: self.path.clone(),
                frame: self.frame_ids.get(frame).copied().unwrap_or(frame as i64),
                message: format!(
                    "time {current} s is not after the previous frame's {previous} s (frame index {frame})"
                ),
            },
            CoreError::NonFiniteTime { frame, value } => IoError::Frame {
                path: self.path.clone(),
                frame: self.frame_ids.get(frame).copied().unwrap_or(frame as i64),
                message: format!("timestamp is {value}"),
            },
            other => IoError::Invalid { path: self.path.clone(), source: other },
        }
    }

    /// Builds the dataset.
    pub fn finish(self) -> Result<TrackingData> {
        let nf = self.times.len();
        if nf == 0 {
            return Err(IoError::Empty { path: self.path.clone() });
        }
        let mut seen = vec![false; self.agents.len()];
        for e in &self.entries {
            seen[e.agent as usize] = true;
        }
        let keep: Vec<usize> = (0..self.agents.len())
            .filter(|&i| self.keep_unseen || seen[i] || self.agents[i].team == Team::Ball)
            .collect();
        let mut new_index = vec![usize::MAX; self.agents.len()];
        for (n, &i) in keep.iter().enumerate() {
            new_index[i] = n;
        }
        let na = keep.len();
        let mut pos = Array3::from_elem((nf, na, 2), f64::NAN);
        let mut est = Array3::from_elem((nf, na, 2), f64::NAN);
        let mut obs = Array2::from_elem((nf, na), false);
        let mut any_est = false;
        for e in &self.entries {
            let a = new_index[e.agent as usize];
            if a == usize::MAX {
                continue;
            }
            let [x, y] = self.transform.apply([e.x, e.y]);
            let f = e.frame as usize;
            if e.observed {
                pos[[f, a, 0]] = x;
                pos[[f, a, 1]] = y;
                obs[[f, a]] = true;
            } else {
                est[[f, a, 0]] = x;
                est[[f, a, 1]] = y;
                any_est = true;
            }
        }
        let agents: Vec<Agent> = keep.iter().map(|&i| self.agents[i].clone()).collect();
        let mut periods = Vec::new();
        let mut start = 0;
        for f in 1..=nf {
            if f == nf || self.period_ids[f] != self.period_ids[start] {
                let id = self.period_ids[start];
                let mut p = Period::new(id, start..f);
                p.home_direction = self.directions.get(&id).copied();
                periods.push(p);
                start = f;
            }
        }
        let times = self.times.clone();
        let mut data = TrackingData::new(pos, obs, times, agents)
            .and_then(|d| d.with_frame_ids(self.frame_ids.clone()))
            .and_then(|d| d.with_periods(periods))
            .map_err(|e| self.invalid(e))?;
        if let Some(hz) = self.frame_rate {
            data = data.with_frame_rate(hz).map_err(|e| self.invalid(e))?;
        }
        if let Some(p) = self.pitch {
            data = data.with_pitch(p).map_err(|e| self.invalid(e))?;
        }
        if any_est {
            data = data.with_provider_estimate(est).map_err(|e| self.invalid(e))?;
        }
        if self.any_ball_z {
            data = data.with_ball_z(self.ball_z.clone()).map_err(|e| self.invalid(e))?;
        }
        Ok(data)
    }
}
