//! Multi-agent tracking data with an observation mask.
//!
//! [`TrackingData`] is the one structure every Touchline crate reads and
//! writes: positions `[frames, agents, 2]` in metres (pitch-centre origin, `x`
//! along the length), an `observed` mask `[frames, agents]`, strictly
//! increasing timestamps in seconds, the agent table, periods and pitch size.
//!
//! Conventions:
//! - An entry with `observed == true` always holds finite coordinates.
//! - An unobserved entry holds `NaN`, unless an [`crate::Imputer`] filled it;
//!   the mask is never changed by filling, so "imputed" is
//!   `!observed && value.is_finite()`.
//! - Positions a provider estimated itself (SkillCorner `is_detected=false`,
//!   PFF `visibility: ESTIMATED`) are *not* observed: they live in the separate
//!   [`TrackingData::provider_estimate`] layer, `NaN` elsewhere.
//! - Timestamps are seconds, strictly increasing. Within a period their
//!   differences are real elapsed time; between periods the gap follows the
//!   provider's clock (loaders document theirs). Operations that depend on
//!   time steps ([`TrackingData::resample`], [`TrackingData::windows`]) work
//!   period by period and never across a boundary.

use ndarray::{Array1, Array2, Array3, ArrayView1, ArrayView2, Axis, s};
use serde::{Deserialize, Serialize};
use std::ops::Range;

use crate::error::{CoreError, Result};

/// Which side an agent belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Team {
    /// The home team.
    Home,
    /// The away team.
    Away,
    /// The ball.
    Ball,
    /// Referees and other officials.
    Officials,
    /// Not known.
    Unknown,
}

impl Team {
    /// Lower-case name used in files and tables (`home`, `away`, `ball`, `officials`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            Team::Home => "home",
            Team::Away => "away",
            Team::Ball => "ball",
            Team::Officials => "officials",
            Team::Unknown => "unknown",
        }
    }

    /// Parses the names produced by [`Team::as_str`] (case-insensitive; also
    /// `referee` and `officials`).
    pub fn parse(s: &str) -> Option<Team> {
        match s.trim().to_ascii_lowercase().as_str() {
            "home" => Some(Team::Home),
            "away" => Some(Team::Away),
            "ball" => Some(Team::Ball),
            "officials" | "official" | "referee" | "referees" => Some(Team::Officials),
            "unknown" | "" => Some(Team::Unknown),
            _ => None,
        }
    }

    /// Every team value, in display order.
    pub const ALL: [Team; 5] = [Team::Home, Team::Away, Team::Ball, Team::Officials, Team::Unknown];
}

impl std::fmt::Display for Team {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One tracked object: a player, an official or the ball.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    /// Provider id, unique within a dataset (e.g. `home_7`, `ball`, a PFF player id).
    pub id: String,
    /// Side.
    pub team: Team,
    /// Shirt number when known.
    pub jersey: Option<u32>,
    /// Role or position when known (`GK`, `CB`, ...).
    pub role: Option<String>,
    /// Display name when known.
    pub name: Option<String>,
}

impl Agent {
    /// An agent with only id and team.
    pub fn new(id: impl Into<String>, team: Team) -> Self {
        Agent { id: id.into(), team, jersey: None, role: None, name: None }
    }

    /// The ball.
    pub fn ball() -> Self {
        Agent::new("ball", Team::Ball)
    }

    /// Sets the shirt number.
    pub fn with_jersey(mut self, jersey: u32) -> Self {
        self.jersey = Some(jersey);
        self
    }

    /// Sets the role.
    pub fn with_role(mut self, role: impl Into<String>) -> Self {
        self.role = Some(role.into());
        self
    }

    /// Sets the display name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// Pitch (or court) size in metres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Pitch {
    /// Along `x`.
    pub length: f64,
    /// Along `y`.
    pub width: f64,
}

impl Pitch {
    /// Validated pitch size.
    pub fn new(length: f64, width: f64) -> Result<Pitch> {
        if !(length.is_finite() && length > 0.0 && width.is_finite() && width > 0.0) {
            return Err(CoreError::InvalidParameter {
                name: "pitch",
                reason: format!("length and width must be finite and positive, got {length} x {width}"),
            });
        }
        Ok(Pitch { length, width })
    }

    /// A standard 105 x 68 m football pitch.
    pub const FOOTBALL: Pitch = Pitch { length: 105.0, width: 68.0 };
    /// An NBA court, 94 x 50 ft in metres.
    pub const NBA: Pitch = Pitch { length: 94.0 * 0.3048, width: 50.0 * 0.3048 };
}

/// Which way the home team attacks during a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// Home attacks towards `+x`.
    LeftToRight,
    /// Home attacks towards `-x`.
    RightToLeft,
}

/// A period of play as a half-open range of frame indices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    /// Provider period id (1, 2, extra time 3, 4, ...).
    pub id: u32,
    /// First frame index (inclusive).
    pub start: usize,
    /// One past the last frame index.
    pub end: usize,
    /// Which way home attacks, when the provider says so.
    pub home_direction: Option<Direction>,
}

impl Period {
    /// A period without a known direction.
    pub fn new(id: u32, frames: Range<usize>) -> Self {
        Period { id, start: frames.start, end: frames.end, home_direction: None }
    }

    /// Frame range.
    pub fn frames(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// Length units providers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// Metres.
    Metres,
    /// Centimetres (TRACAB).
    Centimetres,
    /// Millimetres.
    Millimetres,
    /// Feet (NBA SportVU).
    Feet,
    /// Yards.
    Yards,
}

impl Unit {
    /// Metres per unit.
    pub fn metres(self) -> f64 {
        match self {
            Unit::Metres => 1.0,
            Unit::Centimetres => 0.01,
            Unit::Millimetres => 0.001,
            Unit::Feet => 0.3048,
            Unit::Yards => 0.9144,
        }
    }
}

/// A per-axis affine map `x' = sx * x + tx`, `y' = sy * y + ty` that takes a
/// provider's coordinates to Touchline's (metres, pitch-centre origin, `y` up).
///
/// ```
/// use touchline_core::AxisTransform;
/// // Metrica: 0..1 on both axes, origin top-left, y pointing down.
/// let t = AxisTransform::normalized_top_left(105.0, 68.0);
/// assert_eq!(t.apply([0.5, 0.5]), [0.0, 0.0]);
/// assert_eq!(t.apply([1.0, 0.0]), [52.5, 34.0]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AxisTransform {
    /// Scale on x.
    pub sx: f64,
    /// Offset on x (after scaling).
    pub tx: f64,
    /// Scale on y.
    pub sy: f64,
    /// Offset on y (after scaling).
    pub ty: f64,
}

impl AxisTransform {
    /// The identity.
    pub const IDENTITY: AxisTransform = AxisTransform { sx: 1.0, tx: 0.0, sy: 1.0, ty: 0.0 };

    /// Unit conversion only (origin already at the centre).
    pub fn from_unit(unit: Unit) -> Self {
        let m = unit.metres();
        AxisTransform { sx: m, tx: 0.0, sy: m, ty: 0.0 }
    }

    /// Coordinates in `0..1` with the origin at the top-left corner and `y` down.
    pub fn normalized_top_left(length: f64, width: f64) -> Self {
        AxisTransform { sx: length, tx: -length / 2.0, sy: -width, ty: width / 2.0 }
    }

    /// Coordinates in `0..1` with the origin at the bottom-left corner and `y` up.
    pub fn normalized_bottom_left(length: f64, width: f64) -> Self {
        AxisTransform { sx: length, tx: -length / 2.0, sy: width, ty: -width / 2.0 }
    }

    /// Coordinates in `unit` from a corner: `0..length` by `0..width`; `y_down`
    /// when the origin is the top-left corner.
    pub fn corner_origin(unit: Unit, length: f64, width: f64, y_down: bool) -> Self {
        let m = unit.metres();
        let (lm, wm) = (length * m, width * m);
        if y_down {
            AxisTransform { sx: m, tx: -lm / 2.0, sy: -m, ty: wm / 2.0 }
        } else {
            AxisTransform { sx: m, tx: -lm / 2.0, sy: m, ty: -wm / 2.0 }
        }
    }

    /// Maps one point.
    pub fn apply(&self, p: [f64; 2]) -> [f64; 2] {
        [self.sx * p[0] + self.tx, self.sy * p[1] + self.ty]
    }

    fn validate(&self) -> Result<()> {
        let ok = [self.sx, self.tx, self.sy, self.ty].iter().all(|v| v.is_finite())
            && self.sx != 0.0
            && self.sy != 0.0;
        if ok {
            Ok(())
        } else {
            Err(CoreError::InvalidParameter {
                name: "transform",
                reason: format!("scales must be finite and non-zero, offsets finite: {self:?}"),
            })
        }
    }
}

/// Multi-agent trajectories with an observation mask. See the [module docs](self).
///
/// ```
/// use ndarray::{Array2, Array3};
/// use touchline_core::{Agent, Team, TrackingData};
///
/// // 3 frames at 10 Hz, one player and the ball; the player is unseen in frame 1.
/// let mut positions = Array3::<f64>::zeros((3, 2, 2));
/// positions[[1, 0, 0]] = f64::NAN;
/// positions[[1, 0, 1]] = f64::NAN;
/// let mut observed = Array2::from_elem((3, 2), true);
/// observed[[1, 0]] = false;
/// let data = TrackingData::new(
///     positions,
///     observed,
///     vec![0.0, 0.1, 0.2],
///     vec![Agent::new("home_7", Team::Home).with_jersey(7), Agent::ball()],
/// )?;
/// assert_eq!(data.n_frames(), 3);
/// assert!((data.frame_rate() - 10.0).abs() < 1e-9);
/// assert!((data.missing_fraction() - 1.0 / 6.0).abs() < 1e-12);
/// # Ok::<(), touchline_core::CoreError>(())
/// ```
///
/// Equality (`==`) compares every layer and treats `NaN` as equal to `NaN`,
/// since `NaN` is how a missing entry is stored.
#[derive(Debug, Clone)]
pub struct TrackingData {
    positions: Array3<f64>,
    observed: Array2<bool>,
    provider_estimate: Option<Array3<f64>>,
    ball_z: Option<Array1<f64>>,
    timestamps: Array1<f64>,
    frame_ids: Vec<i64>,
    frame_rate: f64,
    periods: Vec<Period>,
    agents: Vec<Agent>,
    pitch: Option<Pitch>,
}

fn same_f64(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

fn same_all<'a>(a: impl IntoIterator<Item = &'a f64>, b: impl IntoIterator<Item = &'a f64>) -> bool {
    a.into_iter().zip(b).all(|(x, y)| same_f64(*x, *y))
}

impl PartialEq for TrackingData {
    fn eq(&self, o: &Self) -> bool {
        let layers = |a: &Option<Array3<f64>>, b: &Option<Array3<f64>>| match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => a.dim() == b.dim() && same_all(a, b),
            _ => false,
        };
        let heights = match (&self.ball_z, &o.ball_z) {
            (None, None) => true,
            (Some(a), Some(b)) => a.len() == b.len() && same_all(a, b),
            _ => false,
        };
        self.positions.dim() == o.positions.dim()
            && self.observed == o.observed
            && same_all(&self.positions, &o.positions)
            && layers(&self.provider_estimate, &o.provider_estimate)
            && heights
            && self.timestamps == o.timestamps
            && self.frame_ids == o.frame_ids
            && same_f64(self.frame_rate, o.frame_rate)
            && self.periods == o.periods
            && self.agents == o.agents
            && self.pitch == o.pitch
    }
}

fn check_times(t: &[f64]) -> Result<()> {
    for (i, &v) in t.iter().enumerate() {
        if !v.is_finite() {
            return Err(CoreError::NonFiniteTime { frame: i, value: v });
        }
        if i > 0 && v <= t[i - 1] {
            return Err(CoreError::NonIncreasingTime { frame: i, previous: t[i - 1], current: v });
        }
    }
    Ok(())
}

fn median_step(t: &[f64]) -> Option<f64> {
    if t.len() < 2 {
        return None;
    }
    let mut d: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    d.sort_by(f64::total_cmp);
    Some(d[d.len() / 2])
}

impl TrackingData {
    /// Builds and validates a dataset.
    ///
    /// `positions` is `[frames, agents, 2]`, `observed` `[frames, agents]`,
    /// `timestamps` one per frame (seconds, finite, strictly increasing),
    /// `agents` one per agent with unique ids. The frame rate is taken as the
    /// inverse of the median time step (override with
    /// [`with_frame_rate`](Self::with_frame_rate), required for one frame);
    /// one period covers all frames, frame ids are `0..frames`.
    pub fn new(
        positions: Array3<f64>,
        observed: Array2<bool>,
        timestamps: Vec<f64>,
        agents: Vec<Agent>,
    ) -> Result<TrackingData> {
        let (nf, na, two) = positions.dim();
        if nf == 0 {
            return Err(CoreError::Empty { what: "tracking data has no frames" });
        }
        if two != 2 {
            return Err(CoreError::ShapeMismatch {
                what: "positions",
                expected: vec![nf, na, 2],
                found: vec![nf, na, two],
            });
        }
        if observed.dim() != (nf, na) {
            return Err(CoreError::ShapeMismatch {
                what: "observed mask",
                expected: vec![nf, na],
                found: observed.shape().to_vec(),
            });
        }
        if timestamps.len() != nf {
            return Err(CoreError::ShapeMismatch {
                what: "timestamps",
                expected: vec![nf],
                found: vec![timestamps.len()],
            });
        }
        if agents.len() != na {
            return Err(CoreError::ShapeMismatch {
                what: "agent table",
                expected: vec![na],
                found: vec![agents.len()],
            });
        }
        check_times(&timestamps)?;
        let mut seen = std::collections::HashMap::with_capacity(na);
        for (i, a) in agents.iter().enumerate() {
            if let Some(first) = seen.insert(a.id.as_str(), i) {
                return Err(CoreError::DuplicateAgent { id: a.id.clone(), first, second: i });
            }
        }
        for ((f, a), &obs) in observed.indexed_iter() {
            if obs {
                for (k, what) in [(0, "x"), (1, "y")] {
                    let v = positions[[f, a, k]];
                    if !v.is_finite() {
                        return Err(CoreError::NonFiniteObserved { frame: f, agent: a, what, value: v });
                    }
                }
            }
        }
        let frame_rate = median_step(&timestamps).map(|d| 1.0 / d).unwrap_or(f64::NAN);
        Ok(TrackingData {
            positions,
            observed,
            provider_estimate: None,
            ball_z: None,
            timestamps: Array1::from(timestamps),
            frame_ids: (0..nf as i64).collect(),
            frame_rate,
            periods: vec![Period::new(1, 0..nf)],
            agents,
            pitch: None,
        })
    }

    /// Sets the nominal frame rate (Hz, finite and positive).
    pub fn with_frame_rate(mut self, hz: f64) -> Result<Self> {
        if !(hz.is_finite() && hz > 0.0) {
            return Err(CoreError::InvalidParameter {
                name: "frame_rate",
                reason: format!("must be finite and positive, got {hz}"),
            });
        }
        self.frame_rate = hz;
        Ok(self)
    }

    /// Sets the pitch size.
    pub fn with_pitch(mut self, pitch: Pitch) -> Result<Self> {
        self.pitch = Some(Pitch::new(pitch.length, pitch.width)?);
        Ok(self)
    }

    /// Sets the period table: sorted, non-overlapping, non-empty ranges inside
    /// the data; frames outside every period are allowed (e.g. half time).
    pub fn with_periods(mut self, periods: Vec<Period>) -> Result<Self> {
        let nf = self.n_frames();
        let mut prev_end = 0;
        for (i, p) in periods.iter().enumerate() {
            if p.start >= p.end || p.end > nf || p.start < prev_end {
                return Err(CoreError::InvalidPeriods {
                    reason: format!(
                        "period #{i} (id {}) covers frames {}..{}; periods must be non-empty, sorted, \
                         non-overlapping and within 0..{nf}",
                        p.id, p.start, p.end
                    ),
                });
            }
            prev_end = p.end;
        }
        if periods.is_empty() {
            return Err(CoreError::InvalidPeriods { reason: "no periods given".into() });
        }
        self.periods = periods;
        Ok(self)
    }

    /// Sets the provider's own frame numbers (one per frame).
    pub fn with_frame_ids(mut self, ids: Vec<i64>) -> Result<Self> {
        if ids.len() != self.n_frames() {
            return Err(CoreError::ShapeMismatch {
                what: "frame ids",
                expected: vec![self.n_frames()],
                found: vec![ids.len()],
            });
        }
        self.frame_ids = ids;
        Ok(self)
    }

    /// Sets the ball height (metres, one per frame, `NaN` where unknown).
    pub fn with_ball_z(mut self, z: Vec<f64>) -> Result<Self> {
        if z.len() != self.n_frames() {
            return Err(CoreError::ShapeMismatch {
                what: "ball height",
                expected: vec![self.n_frames()],
                found: vec![z.len()],
            });
        }
        self.ball_z = Some(Array1::from(z));
        Ok(self)
    }

    /// Sets the provider-estimate layer, `[frames, agents, 2]`, `NaN` where the
    /// provider gave no estimate. Estimates at observed entries are dropped
    /// (set to `NaN`) so the two layers never overlap.
    pub fn with_provider_estimate(mut self, mut estimate: Array3<f64>) -> Result<Self> {
        if estimate.dim() != self.positions.dim() {
            return Err(CoreError::ShapeMismatch {
                what: "provider estimate",
                expected: self.positions.shape().to_vec(),
                found: estimate.shape().to_vec(),
            });
        }
        for ((f, a), &obs) in self.observed.indexed_iter() {
            if obs {
                estimate[[f, a, 0]] = f64::NAN;
                estimate[[f, a, 1]] = f64::NAN;
            }
        }
        self.provider_estimate = Some(estimate);
        Ok(self)
    }

    /// Number of frames.
    pub fn n_frames(&self) -> usize {
        self.positions.dim().0
    }

    /// Number of agents (players, officials and ball).
    pub fn n_agents(&self) -> usize {
        self.positions.dim().1
    }

    /// All positions, `[frames, agents, 2]`.
    pub fn positions(&self) -> &Array3<f64> {
        &self.positions
    }

    /// The observation mask, `[frames, agents]`.
    pub fn observed(&self) -> &Array2<bool> {
        &self.observed
    }

    /// Positions the provider estimated itself, if it marked any.
    pub fn provider_estimate(&self) -> Option<&Array3<f64>> {
        self.provider_estimate.as_ref()
    }

    /// Ball height per frame, if known.
    pub fn ball_z(&self) -> Option<ArrayView1<'_, f64>> {
        self.ball_z.as_ref().map(|z| z.view())
    }

    /// Timestamps in seconds.
    pub fn timestamps(&self) -> ArrayView1<'_, f64> {
        self.timestamps.view()
    }

    /// Timestamps as a plain slice (owned and contiguous by construction).
    pub fn timestamps_slice(&self) -> &[f64] {
        self.timestamps.as_slice().expect("owned 1-D timestamps are contiguous")
    }

    /// Provider frame numbers.
    pub fn frame_ids(&self) -> &[i64] {
        &self.frame_ids
    }

    /// Nominal frame rate in Hz (`NaN` only for a single frame with none set).
    pub fn frame_rate(&self) -> f64 {
        self.frame_rate
    }

    /// Periods.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// Agent table.
    pub fn agents(&self) -> &[Agent] {
        &self.agents
    }

    /// Pitch size, if known.
    pub fn pitch(&self) -> Option<Pitch> {
        self.pitch
    }

    /// Time from the first frame to one step past the last, in seconds.
    pub fn duration(&self) -> f64 {
        let t = &self.timestamps;
        let step = if self.frame_rate.is_finite() { 1.0 / self.frame_rate } else { 0.0 };
        t[t.len() - 1] - t[0] + step
    }

    /// Index of the agent with this id.
    pub fn agent_index(&self, id: &str) -> Option<usize> {
        self.agents.iter().position(|a| a.id == id)
    }

    /// Index of the first agent of team [`Team::Ball`].
    pub fn ball_index(&self) -> Option<usize> {
        self.agents.iter().position(|a| a.team == Team::Ball)
    }

    /// Indices of the agents of one team.
    pub fn team_indices(&self, team: Team) -> Vec<usize> {
        (0..self.n_agents()).filter(|&i| self.agents[i].team == team).collect()
    }

    /// One agent's positions, `[frames, 2]`.
    ///
    /// # Panics
    /// If `agent >= n_agents()`.
    pub fn agent_series(&self, agent: usize) -> ArrayView2<'_, f64> {
        self.positions.slice(s![.., agent, ..])
    }

    /// One agent's observation mask.
    ///
    /// # Panics
    /// If `agent >= n_agents()`.
    pub fn agent_observed(&self, agent: usize) -> ArrayView1<'_, bool> {
        self.observed.column(agent)
    }

    /// Fraction of (frame, agent) entries not observed, over all agents.
    pub fn missing_fraction(&self) -> f64 {
        let n = self.observed.len();
        if n == 0 {
            return 0.0;
        }
        self.observed.iter().filter(|&&o| !o).count() as f64 / n as f64
    }

    /// Fraction of frames in which each agent is not observed.
    pub fn missing_fraction_per_agent(&self) -> Vec<f64> {
        let nf = self.n_frames() as f64;
        self.observed.axis_iter(Axis(1)).map(|col| col.iter().filter(|&&o| !o).count() as f64 / nf).collect()
    }

    /// Writes values into the *unobserved* entries of one agent. `values` is
    /// `[frames, 2]`; rows at observed frames are ignored, so an imputer cannot
    /// overwrite an observation through this call. Returns how many entries
    /// were written with finite values.
    pub fn fill_unobserved(&mut self, agent: usize, values: ArrayView2<'_, f64>) -> Result<usize> {
        if agent >= self.n_agents() {
            return Err(CoreError::UnknownAgent(format!("index {agent}")));
        }
        if values.dim() != (self.n_frames(), 2) {
            return Err(CoreError::ShapeMismatch {
                what: "fill values",
                expected: vec![self.n_frames(), 2],
                found: values.shape().to_vec(),
            });
        }
        let mut n = 0;
        for f in 0..self.n_frames() {
            if !self.observed[[f, agent]] {
                let (x, y) = (values[[f, 0]], values[[f, 1]]);
                self.positions[[f, agent, 0]] = x;
                self.positions[[f, agent, 1]] = y;
                if x.is_finite() && y.is_finite() {
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    /// Like [`fill_unobserved`](Self::fill_unobserved) with `x` and `y` as
    /// separate slices of one value per frame, for imputers that work on
    /// contiguous per-agent series.
    pub fn fill_unobserved_xy(&mut self, agent: usize, xs: &[f64], ys: &[f64]) -> Result<usize> {
        if agent >= self.n_agents() {
            return Err(CoreError::UnknownAgent(format!("index {agent}")));
        }
        let nf = self.n_frames();
        if xs.len() != nf || ys.len() != nf {
            return Err(CoreError::ShapeMismatch {
                what: "fill values",
                expected: vec![nf, nf],
                found: vec![xs.len(), ys.len()],
            });
        }
        let mut n = 0;
        for f in 0..nf {
            if !self.observed[[f, agent]] {
                self.positions[[f, agent, 0]] = xs[f];
                self.positions[[f, agent, 1]] = ys[f];
                if xs[f].is_finite() && ys[f].is_finite() {
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    /// Frames `range` as a new dataset (periods clipped, frame ids kept).
    pub fn slice_frames(&self, range: Range<usize>) -> Result<TrackingData> {
        if range.start >= range.end || range.end > self.n_frames() {
            return Err(CoreError::InvalidParameter {
                name: "frame range",
                reason: format!("{}..{} is empty or outside 0..{}", range.start, range.end, self.n_frames()),
            });
        }
        let r = range.clone();
        let periods: Vec<Period> = self
            .periods
            .iter()
            .filter(|p| p.start < r.end && p.end > r.start)
            .map(|p| Period {
                id: p.id,
                start: p.start.max(r.start) - r.start,
                end: p.end.min(r.end) - r.start,
                home_direction: p.home_direction,
            })
            .collect();
        let periods = if periods.is_empty() { vec![Period::new(0, 0..r.len())] } else { periods };
        Ok(TrackingData {
            positions: self.positions.slice(s![r.clone(), .., ..]).to_owned(),
            observed: self.observed.slice(s![r.clone(), ..]).to_owned(),
            provider_estimate: self
                .provider_estimate
                .as_ref()
                .map(|e| e.slice(s![r.clone(), .., ..]).to_owned()),
            ball_z: self.ball_z.as_ref().map(|z| z.slice(s![r.clone()]).to_owned()),
            timestamps: self.timestamps.slice(s![r.clone()]).to_owned(),
            frame_ids: self.frame_ids[r].to_vec(),
            frame_rate: self.frame_rate,
            periods,
            agents: self.agents.clone(),
            pitch: self.pitch,
        })
    }

    /// Consecutive windows of `len` frames, `stride` apart, never straddling
    /// two periods (a window that would is skipped; a period shorter than
    /// `len` yields none).
    pub fn windows(&self, len: usize, stride: usize) -> Result<Vec<TrackingData>> {
        if len == 0 || stride == 0 {
            return Err(CoreError::InvalidParameter {
                name: "window",
                reason: format!("length and stride must be positive, got {len} and {stride}"),
            });
        }
        let mut out = Vec::new();
        for p in &self.periods {
            let mut start = p.start;
            while start + len <= p.end {
                out.push(self.slice_frames(start..start + len)?);
                start += stride;
            }
        }
        Ok(out)
    }

    /// Resamples to `hz` by linear interpolation in time, period by period.
    ///
    /// New frames start at each period's first timestamp and step `1/hz`
    /// while inside the period. A new entry is observed only if both
    /// bracketing source frames are observed (or it falls on a source frame
    /// within 1e-9 s) and they are at most 1.5 nominal steps apart, so a
    /// gap in the source never turns into an observation. Provider estimates
    /// and ball height are interpolated the same way; frame ids are taken from
    /// the nearer source frame.
    ///
    /// ```
    /// # use ndarray::{Array2, Array3};
    /// # use touchline_core::{Agent, Team, TrackingData};
    /// let n = 26; // 1 s at 25 Hz, x = t
    /// let t: Vec<f64> = (0..n).map(|i| i as f64 / 25.0).collect();
    /// let mut p = Array3::<f64>::zeros((n, 1, 2));
    /// for i in 0..n { p[[i, 0, 0]] = t[i]; }
    /// let d = TrackingData::new(p, Array2::from_elem((n, 1), true), t, vec![Agent::ball()])?;
    /// let r = d.resample(10.0)?;
    /// assert_eq!(r.n_frames(), 11);
    /// assert!((r.positions()[[3, 0, 0]] - 0.3).abs() < 1e-12);
    /// # Ok::<(), touchline_core::CoreError>(())
    /// ```
    pub fn resample(&self, hz: f64) -> Result<TrackingData> {
        if !(hz.is_finite() && hz > 0.0) {
            return Err(CoreError::InvalidParameter {
                name: "resample rate",
                reason: format!("must be finite and positive, got {hz}"),
            });
        }
        let t = self.timestamps.as_slice().expect("timestamps are contiguous");
        let max_gap = if self.frame_rate.is_finite() { 1.5 / self.frame_rate } else { f64::INFINITY };
        // (source i, source j, weight of j) per new frame, with the new period table.
        let mut plan: Vec<(usize, usize, f64)> = Vec::new();
        let mut periods = Vec::new();
        for p in &self.periods {
            let t0 = t[p.start];
            let t_end = t[p.end - 1];
            let start = plan.len();
            let mut k = 0usize;
            let mut i = p.start;
            loop {
                let tk = t0 + k as f64 / hz;
                if tk > t_end + 1e-9 {
                    break;
                }
                while i + 1 < p.end && t[i + 1] <= tk + 1e-9 {
                    i += 1;
                }
                if (tk - t[i]).abs() <= 1e-9 || i + 1 >= p.end {
                    plan.push((i, i, 0.0));
                } else {
                    let w = (tk - t[i]) / (t[i + 1] - t[i]);
                    plan.push((i, i + 1, w));
                }
                k += 1;
            }
            periods.push(Period { id: p.id, start, end: plan.len(), home_direction: p.home_direction });
        }
        let nf = plan.len();
        let na = self.n_agents();
        let lerp = |a: f64, b: f64, w: f64| if w == 0.0 { a } else { a + (b - a) * w };
        let mut pos = Array3::from_elem((nf, na, 2), f64::NAN);
        let mut obs = Array2::from_elem((nf, na), false);
        let mut est = self.provider_estimate.as_ref().map(|_| Array3::from_elem((nf, na, 2), f64::NAN));
        let mut times = Vec::with_capacity(nf);
        let mut ids = Vec::with_capacity(nf);
        let mut z = self.ball_z.as_ref().map(|_| Vec::with_capacity(nf));
        for (n, &(i, j, w)) in plan.iter().enumerate() {
            let close = t[j] - t[i] <= max_gap;
            times.push(lerp(t[i], t[j], w));
            ids.push(if w < 0.5 { self.frame_ids[i] } else { self.frame_ids[j] });
            if let (Some(z), Some(src)) = (z.as_mut(), self.ball_z.as_ref()) {
                z.push(if close { lerp(src[i], src[j], w) } else { f64::NAN });
            }
            for a in 0..na {
                let both = self.observed[[i, a]] && (w == 0.0 || self.observed[[j, a]]);
                obs[[n, a]] = both && close;
                for k in 0..2 {
                    if close || w == 0.0 {
                        pos[[n, a, k]] = lerp(self.positions[[i, a, k]], self.positions[[j, a, k]], w);
                        if let (Some(e), Some(src)) = (est.as_mut(), self.provider_estimate.as_ref()) {
                            e[[n, a, k]] = lerp(src[[i, a, k]], src[[j, a, k]], w);
                        }
                    }
                }
                if !obs[[n, a]] && both {
                    // bracketed by observations but too far apart: not an observation
                    pos[[n, a, 0]] = f64::NAN;
                    pos[[n, a, 1]] = f64::NAN;
                }
            }
        }
        let mut out = TrackingData::new(pos, obs, times, self.agents.clone())?.with_frame_rate(hz)?;
        out.periods = periods;
        out.frame_ids = ids;
        out.pitch = self.pitch;
        if let Some(e) = est {
            out = out.with_provider_estimate(e)?;
        }
        if let Some(z) = z {
            out = out.with_ball_z(z)?;
        }
        Ok(out)
    }

    /// Applies an axis transform to positions and provider estimates in place
    /// (e.g. provider units to metres).
    pub fn transform(&mut self, t: &AxisTransform) -> Result<()> {
        t.validate()?;
        let apply = |arr: &mut Array3<f64>| {
            for mut p in arr.lanes_mut(Axis(2)) {
                let [x, y] = t.apply([p[0], p[1]]);
                p[0] = x;
                p[1] = y;
            }
        };
        apply(&mut self.positions);
        if let Some(e) = self.provider_estimate.as_mut() {
            apply(e);
        }
        Ok(())
    }

    /// Infers which way home attacks in a period from where the home team
    /// stands: the mean `x` of observed home players in the period's first
    /// frame that has any (home on the left half means it attacks to `+x`).
    pub fn infer_home_direction(&self, period: &Period) -> Result<Direction> {
        let home = self.team_indices(Team::Home);
        if home.is_empty() {
            return Err(CoreError::DirectionUnknown { period: period.id, reason: "no home agents" });
        }
        for f in period.frames() {
            let xs: Vec<f64> =
                home.iter().filter(|&&a| self.observed[[f, a]]).map(|&a| self.positions[[f, a, 0]]).collect();
            if !xs.is_empty() {
                let mean = xs.iter().sum::<f64>() / xs.len() as f64;
                return Ok(if mean <= 0.0 { Direction::LeftToRight } else { Direction::RightToLeft });
            }
        }
        Err(CoreError::DirectionUnknown {
            period: period.id,
            reason: "no home player observed in the period",
        })
    }

    /// Rotates the periods in which home attacks to `-x` by 180 degrees so that
    /// home always attacks to `+x`. Uses each period's `home_direction` when
    /// the provider gave one, else [`infer_home_direction`](Self::infer_home_direction).
    /// Returns the ids of the periods it flipped.
    pub fn orient_home_left_to_right(&mut self) -> Result<Vec<u32>> {
        let mut flipped = Vec::new();
        for pi in 0..self.periods.len() {
            let p = self.periods[pi].clone();
            let dir = match p.home_direction {
                Some(d) => d,
                None => self.infer_home_direction(&p)?,
            };
            if dir == Direction::RightToLeft {
                let r = p.frames();
                self.positions.slice_mut(s![r.clone(), .., ..]).mapv_inplace(|v| -v);
                if let Some(e) = self.provider_estimate.as_mut() {
                    e.slice_mut(s![r, .., ..]).mapv_inplace(|v| -v);
                }
                flipped.push(p.id);
            }
            self.periods[pi].home_direction = Some(Direction::LeftToRight);
        }
        Ok(flipped)
    }

    /// Splits into the raw parts, e.g. for an imputer that works on arrays:
    /// `(positions, observed, timestamps)`.
    pub fn arrays(&self) -> (&Array3<f64>, &Array2<bool>, ArrayView1<'_, f64>) {
        (&self.positions, &self.observed, self.timestamps.view())
    }
}

/// Checks that `after` keeps every observed entry of `before` bit for bit and
/// has the same shape and mask: the contract of [`crate::Imputer`].
///
/// ```
/// # use ndarray::{Array2, Array3};
/// # use touchline_core::{Agent, TrackingData, verify_observed_unchanged};
/// let d = TrackingData::new(Array3::zeros((2, 1, 2)), Array2::from_elem((2, 1), true),
///     vec![0.0, 1.0], vec![Agent::ball()])?;
/// assert!(verify_observed_unchanged(&d, &d.clone()).is_ok());
/// # Ok::<(), touchline_core::CoreError>(())
/// ```
pub fn verify_observed_unchanged(before: &TrackingData, after: &TrackingData) -> Result<()> {
    if before.positions.dim() != after.positions.dim() {
        return Err(CoreError::ShapeMismatch {
            what: "imputer output",
            expected: before.positions.shape().to_vec(),
            found: after.positions.shape().to_vec(),
        });
    }
    for ((f, a), &obs) in before.observed.indexed_iter() {
        let b = [before.positions[[f, a, 0]], before.positions[[f, a, 1]]];
        let c = [after.positions[[f, a, 0]], after.positions[[f, a, 1]]];
        if after.observed[[f, a]] != obs {
            return Err(CoreError::ObservedAltered { frame: f, agent: a, before: b, after: c });
        }
        if obs && (b[0].to_bits() != c[0].to_bits() || b[1].to_bits() != c[1].to_bits()) {
            return Err(CoreError::ObservedAltered { frame: f, agent: a, before: b, after: c });
        }
    }
    Ok(())
}
