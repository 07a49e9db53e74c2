//! Pitch control after Spearman (2018), "Beyond Expected Goals", MIT Sloan
//! Sports Analytics Conference, with the defaults of the Friends-of-Tracking
//! implementation (Laurie Shaw, `Metrica_PitchControl.py`).
//!
//! For a target cell `r`: the ball needs `t_ball = |r - ball| / v_ball`
//! (0 when the ball position is missing). Player `j` needs
//! `tau_j = t_react + |r - (p_j + v_j t_react)| / v_max` to get there; he
//! arrives by time `T` with probability `f_j(T) = 1 / (1 + exp(-pi / (sqrt 3
//! sigma) (T - tau_j)))`. Control builds up from `T = t_ball` by Euler steps
//! of `dt`:
//! `dP_j/dT = (1 - P_att(T) - P_def(T)) f_j(T) lambda_j`,
//! with `lambda_j = lambda_att` for attackers, `lambda_def` for defenders and
//! `3 lambda_def` for the defending goalkeeper, until `P_att + P_def > 1 - tol`
//! or `max_int_time` has passed. Players arriving more than
//! `time_to_control = veto ln 10 (sqrt 3 sigma / pi + 1 / lambda)` after their
//! team's first are left out, and a team arriving that much earlier than the
//! other (and than the ball) takes the cell outright (Shaw's shortcuts).
//!
//! Positions are taken as given: any player with a finite position (observed
//! or imputed) takes part; `NaN` players are absent. A missing velocity counts
//! as standing still (as in Shaw's code). No offside rule is applied.

use std::ops::Range;

use ndarray::{Array2, Array3};
use serde::{Deserialize, Serialize};
use touchline_core::{Pitch, Team, TrackingData};

use crate::error::{AnalyticsError, Result};

/// Model and integration parameters. Defaults: Shaw's `default_model_params`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PitchControlParams {
    /// Top running speed in m/s (5).
    pub max_player_speed: f64,
    /// Seconds a player keeps his current velocity before turning to the target (0.7).
    pub reaction_time: f64,
    /// Spread of the arrival-time sigmoid in seconds (0.45).
    pub tti_sigma: f64,
    /// Ball control rate of the attacking team, 1/s (4.3).
    pub lambda_att: f64,
    /// Ball control rate of the defending team, 1/s (4.3: Shaw sets kappa = 1).
    pub lambda_def: f64,
    /// Factor on `lambda_def` for the defending goalkeeper (3).
    pub keeper_factor: f64,
    /// Mean ball speed in m/s (15).
    pub ball_speed: f64,
    /// Integration step in seconds (0.04).
    pub int_dt: f64,
    /// Longest integration in seconds (10).
    pub max_int_time: f64,
    /// Stop when `P_att + P_def > 1 - tol` (0.01).
    pub convergence_tol: f64,
    /// Shortcut threshold exponent: players or teams behind by more than the
    /// time at which their chance falls under `10^-veto` are skipped (3).
    pub time_to_control_veto: f64,
}

impl Default for PitchControlParams {
    fn default() -> Self {
        PitchControlParams {
            max_player_speed: 5.0,
            reaction_time: 0.7,
            tti_sigma: 0.45,
            lambda_att: 4.3,
            lambda_def: 4.3,
            keeper_factor: 3.0,
            ball_speed: 15.0,
            int_dt: 0.04,
            max_int_time: 10.0,
            convergence_tol: 0.01,
            time_to_control_veto: 3.0,
        }
    }
}

impl PitchControlParams {
    /// Checks the parameters.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("max_player_speed", self.max_player_speed),
            ("tti_sigma", self.tti_sigma),
            ("lambda_att", self.lambda_att),
            ("lambda_def", self.lambda_def),
            ("keeper_factor", self.keeper_factor),
            ("ball_speed", self.ball_speed),
            ("int_dt", self.int_dt),
            ("max_int_time", self.max_int_time),
            ("convergence_tol", self.convergence_tol),
            ("time_to_control_veto", self.time_to_control_veto),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(AnalyticsError::InvalidParameter {
                    name,
                    reason: format!("must be finite and positive, got {v}"),
                });
            }
        }
        if !(self.reaction_time.is_finite() && self.reaction_time >= 0.0) {
            return Err(AnalyticsError::InvalidParameter {
                name: "reaction_time",
                reason: format!("must be finite and non-negative, got {}", self.reaction_time),
            });
        }
        if self.max_int_time / self.int_dt > 1e6 {
            return Err(AnalyticsError::InvalidParameter {
                name: "int_dt",
                reason: format!(
                    "max_int_time / int_dt must be at most 1e6, got {}",
                    self.max_int_time / self.int_dt
                ),
            });
        }
        Ok(())
    }

    fn time_to_control(&self, lambda: f64) -> f64 {
        self.time_to_control_veto
            * std::f64::consts::LN_10
            * (3f64.sqrt() * self.tti_sigma / std::f64::consts::PI + 1.0 / lambda)
    }
}

/// Cell centres of a regular grid over a centred pitch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    /// Cell centres along `x` (length), increasing.
    pub xs: Vec<f64>,
    /// Cell centres along `y` (width), increasing.
    pub ys: Vec<f64>,
}

impl Grid {
    /// `nx` cells along the length and `floor(nx * width / length)` across,
    /// as Shaw's `generate_pitch_control_for_event` (50 x 32 on 105 x 68 m).
    pub fn for_pitch(pitch: Pitch, nx: usize) -> Result<Grid> {
        let ny_f = (nx as f64 * pitch.width / pitch.length).floor();
        // A validated pitch has finite positive sides; the bound keeps the cast exact.
        let ny = if (1.0..1e6).contains(&ny_f) { ny_f as usize } else { 0 };
        Grid::with_cells(pitch, nx, ny)
    }

    /// `nx` by `ny` cells over the pitch.
    pub fn with_cells(pitch: Pitch, nx: usize, ny: usize) -> Result<Grid> {
        if nx == 0 || ny == 0 || nx > 10_000 || ny > 10_000 {
            return Err(AnalyticsError::InvalidParameter {
                name: "grid",
                reason: format!("needs 1..=10000 cells each way, got {nx} x {ny}"),
            });
        }
        let centres = |n: usize, len: f64| {
            let d = len / n as f64;
            (0..n).map(|i| -0.5 * len + (i as f64 + 0.5) * d).collect()
        };
        Ok(Grid { xs: centres(nx, pitch.length), ys: centres(ny, pitch.width) })
    }
}

/// Pitch control of one frame.
#[derive(Debug, Clone, PartialEq)]
pub struct PitchControlSurface {
    /// Frame index.
    pub frame: usize,
    /// The team in possession.
    pub attacking: Team,
    /// Attacking team's control per cell, `[ny, nx]` (row `j` is `grid.ys[j]`).
    pub attack: Array2<f64>,
    /// Defending team's control per cell; `attack + defence` is within
    /// `convergence_tol` of 1 in every converged cell.
    pub defence: Array2<f64>,
    /// Cells where the integration reached `max_int_time` before `attack +
    /// defence` came within `convergence_tol` of 1 (every player too far
    /// away in time; Shaw's code prints "Integration failed to converge").
    pub unconverged: usize,
}

/// Which team is in possession.
#[derive(Debug, Clone, PartialEq)]
pub enum Attacking {
    /// The same team in every frame.
    Team(Team),
    /// One team per frame of the data.
    PerFrame(Vec<Team>),
}

#[derive(Clone, Copy)]
struct Player {
    // Position after the reaction time, p + v t_react.
    rx: f64,
    ry: f64,
    lambda: f64,
}

/// A pitch-control model bound to a dataset's pitch and goalkeepers.
#[derive(Debug, Clone)]
pub struct PitchControlModel {
    params: PitchControlParams,
    grid: Grid,
    keepers: Vec<usize>,
}

/// Goalkeeper of each team: an agent whose role names a goalkeeper
/// (`goalkeeper`, `keeper`, `GK`, case-insensitive), else the player with the
/// largest median `|x|` over the data (keepers stand nearest a goal line in
/// either half). Returns `[home, away]`.
pub fn goalkeepers(data: &TrackingData) -> [Option<usize>; 2] {
    let p = data.positions();
    let find = |team: Team| -> Option<usize> {
        let idx = data.team_indices(team);
        let by_role = idx.iter().copied().find(|&a| {
            data.agents()[a].role.as_deref().is_some_and(|r| {
                let r = r.to_ascii_lowercase();
                r.contains("keeper") || r == "gk"
            })
        });
        if by_role.is_some() {
            return by_role;
        }
        let mut best: Option<(usize, f64)> = None;
        for a in idx {
            let mut xs: Vec<f64> =
                (0..data.n_frames()).map(|f| p[[f, a, 0]].abs()).filter(|v| v.is_finite()).collect();
            if xs.is_empty() {
                continue;
            }
            xs.sort_by(f64::total_cmp);
            let n = xs.len();
            let med = if n % 2 == 1 { xs[n / 2] } else { 0.5 * (xs[n / 2 - 1] + xs[n / 2]) };
            if best.is_none_or(|(_, b)| med > b) {
                best = Some((a, med));
            }
        }
        best.map(|(a, _)| a)
    };
    [find(Team::Home), find(Team::Away)]
}

impl PitchControlModel {
    /// A model on the data's pitch with a grid of `nx` cells along the length
    /// (50 in Shaw's code) and goalkeepers from [`goalkeepers`].
    pub fn new(data: &TrackingData, params: PitchControlParams, nx: usize) -> Result<Self> {
        params.validate()?;
        let pitch = data.pitch().ok_or(AnalyticsError::NoPitch)?;
        let grid = Grid::for_pitch(pitch, nx)?;
        let keepers = goalkeepers(data).into_iter().flatten().collect();
        Ok(PitchControlModel { params, grid, keepers })
    }

    /// Replaces the grid.
    pub fn with_grid(mut self, grid: Grid) -> Self {
        self.grid = grid;
        self
    }

    /// Replaces the goalkeepers (agent indices; only a defending one matters).
    pub fn with_keepers(mut self, keepers: Vec<usize>) -> Self {
        self.keepers = keepers;
        self
    }

    /// The grid.
    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// The parameters.
    pub fn params(&self) -> &PitchControlParams {
        &self.params
    }

    /// The goalkeepers in use.
    pub fn keepers(&self) -> &[usize] {
        &self.keepers
    }

    fn team_players(
        &self,
        data: &TrackingData,
        frame: usize,
        team: Team,
        velocity: &Array3<f64>,
        lambda: f64,
        keeper_lambda: f64,
    ) -> Vec<Player> {
        let p = data.positions();
        let t = self.params.reaction_time;
        data.team_indices(team)
            .into_iter()
            .filter_map(|a| {
                let (x, y) = (p[[frame, a, 0]], p[[frame, a, 1]]);
                if !(x.is_finite() && y.is_finite()) {
                    return None;
                }
                let (mut vx, mut vy) = (velocity[[frame, a, 0]], velocity[[frame, a, 1]]);
                if !(vx.is_finite() && vy.is_finite()) {
                    (vx, vy) = (0.0, 0.0);
                }
                let lambda = if self.keepers.contains(&a) { keeper_lambda } else { lambda };
                Some(Player { rx: x + vx * t, ry: y + vy * t, lambda })
            })
            .collect()
    }

    fn check_velocity(data: &TrackingData, velocity: &Array3<f64>) -> Result<()> {
        let want = [data.n_frames(), data.n_agents(), 2];
        if velocity.shape() != want {
            return Err(AnalyticsError::ShapeMismatch {
                what: "velocity",
                expected: want.to_vec(),
                found: velocity.shape().to_vec(),
            });
        }
        Ok(())
    }

    /// Pitch control in one frame with the team `attacking` in possession.
    /// `velocity` is `[frames, agents, 2]` (e.g. [`crate::kinematics`]`().velocity`).
    /// Errors when the frame is out of range, `attacking` is not home or away,
    /// or a team has no player with a finite position.
    pub fn frame(
        &self,
        data: &TrackingData,
        frame: usize,
        attacking: Team,
        velocity: &Array3<f64>,
    ) -> Result<PitchControlSurface> {
        Self::check_velocity(data, velocity)?;
        self.frame_unchecked(data, frame, attacking, velocity)
    }

    fn frame_unchecked(
        &self,
        data: &TrackingData,
        frame: usize,
        attacking: Team,
        velocity: &Array3<f64>,
    ) -> Result<PitchControlSurface> {
        if frame >= data.n_frames() {
            return Err(AnalyticsError::NoSuchFrame { frame, n_frames: data.n_frames() });
        }
        let defending = match attacking {
            Team::Home => Team::Away,
            Team::Away => Team::Home,
            other => {
                return Err(AnalyticsError::InvalidParameter {
                    name: "attacking",
                    reason: format!("must be home or away, got {other}"),
                });
            }
        };
        let pr = &self.params;
        let att = self.team_players(data, frame, attacking, velocity, pr.lambda_att, pr.lambda_att);
        let def = self.team_players(
            data,
            frame,
            defending,
            velocity,
            pr.lambda_def,
            pr.lambda_def * pr.keeper_factor,
        );
        if att.is_empty() {
            return Err(AnalyticsError::NoPlayers { team: attacking, frame });
        }
        if def.is_empty() {
            return Err(AnalyticsError::NoPlayers { team: defending, frame });
        }
        let ball = data.ball_index().map(|b| {
            let p = data.positions();
            [p[[frame, b, 0]], p[[frame, b, 1]]]
        });
        let ball = ball.filter(|b| b[0].is_finite() && b[1].is_finite());
        let (nx, ny) = (self.grid.xs.len(), self.grid.ys.len());
        let mut attack = Array2::zeros((ny, nx));
        let mut defence = Array2::zeros((ny, nx));
        let mut scratch = Scratch::default();
        let mut unconverged = 0;
        for (j, &y) in self.grid.ys.iter().enumerate() {
            for (i, &x) in self.grid.xs.iter().enumerate() {
                let (a, d) = cell(pr, [x, y], ball, &att, &def, &mut scratch);
                attack[[j, i]] = a;
                defence[[j, i]] = d;
                unconverged += usize::from(1.0 - (a + d) > pr.convergence_tol);
            }
        }
        Ok(PitchControlSurface { frame, attacking, attack, defence, unconverged })
    }

    /// Pitch control for every frame of `frames` (on rayon's pool with the
    /// `parallel` feature). Stops at the first frame that fails, naming it.
    pub fn sequence(
        &self,
        data: &TrackingData,
        frames: Range<usize>,
        attacking: &Attacking,
        velocity: &Array3<f64>,
    ) -> Result<Vec<PitchControlSurface>> {
        Self::check_velocity(data, velocity)?;
        if frames.end > data.n_frames() {
            return Err(AnalyticsError::NoSuchFrame { frame: frames.end - 1, n_frames: data.n_frames() });
        }
        if let Attacking::PerFrame(v) = attacking
            && v.len() != data.n_frames()
        {
            return Err(AnalyticsError::ShapeMismatch {
                what: "attacking team per frame",
                expected: vec![data.n_frames()],
                found: vec![v.len()],
            });
        }
        let team_at = |f: usize| match attacking {
            Attacking::Team(t) => *t,
            Attacking::PerFrame(v) => v[f],
        };
        let one = |f: usize| self.frame_unchecked(data, f, team_at(f), velocity);
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            frames.into_par_iter().map(one).collect()
        }
        #[cfg(not(feature = "parallel"))]
        {
            frames.map(one).collect()
        }
    }
}

#[derive(Default)]
struct Scratch {
    tau_att: Vec<f64>,
    tau_def: Vec<f64>,
    live_att: Vec<(f64, f64)>,
    live_def: Vec<(f64, f64)>,
    // exp(-k (T - tau)) per live player, then their accumulated control.
    ppcf_att: Vec<f64>,
    ppcf_def: Vec<f64>,
    acc_att: Vec<f64>,
    acc_def: Vec<f64>,
}

/// `(P_att, P_def)` at one target.
fn cell(
    pr: &PitchControlParams,
    target: [f64; 2],
    ball: Option<[f64; 2]>,
    att: &[Player],
    def: &[Player],
    s: &mut Scratch,
) -> (f64, f64) {
    // sqrt of the sum of squares, not `hypot`: several times faster, and the
    // coordinates are metres, far from overflow.
    let dist = |a: [f64; 2], x: f64, y: f64| ((a[0] - x) * (a[0] - x) + (a[1] - y) * (a[1] - y)).sqrt();
    let t_ball = ball.map_or(0.0, |b| dist(target, b[0], b[1]) / pr.ball_speed);
    let tti = |p: &Player| pr.reaction_time + dist(target, p.rx, p.ry) / pr.max_player_speed;
    s.tau_att.clear();
    s.tau_att.extend(att.iter().map(tti));
    s.tau_def.clear();
    s.tau_def.extend(def.iter().map(tti));
    let min_att = s.tau_att.iter().copied().fold(f64::INFINITY, f64::min);
    let min_def = s.tau_def.iter().copied().fold(f64::INFINITY, f64::min);
    let ttc_att = pr.time_to_control(pr.lambda_att);
    let ttc_def = pr.time_to_control(pr.lambda_def);
    if min_att - t_ball.max(min_def) >= ttc_def {
        return (0.0, 1.0);
    }
    if min_def - t_ball.max(min_att) >= ttc_att {
        return (1.0, 0.0);
    }
    s.live_att.clear();
    s.live_att.extend(
        att.iter().zip(&s.tau_att).filter(|(_, t)| *t - min_att < ttc_att).map(|(p, &t)| (t, p.lambda)),
    );
    s.live_def.clear();
    s.live_def.extend(
        def.iter().zip(&s.tau_def).filter(|(_, t)| *t - min_def < ttc_def).map(|(p, &t)| (t, p.lambda)),
    );
    let k = std::f64::consts::PI / 3f64.sqrt() / pr.tti_sigma;
    let dt = pr.int_dt;
    // Shaw's time axis: arange(t_ball - dt, t_ball + max_int_time, dt), stepping from index 1,
    // so the first time evaluated is t_ball. The sigmoid f_j(T) = 1 / (1 + g_j) with
    // g_j = exp(-k (T - tau_j)); stepping T by dt multiplies g_j by exp(-k dt), so no
    // exponential is evaluated inside the loop (relative drift ~ steps * 1e-16).
    let decay = (-k * dt).exp();
    s.ppcf_att.clear();
    s.ppcf_att.extend(s.live_att.iter().map(|&(tau, _)| (-k * (t_ball - tau)).exp()));
    s.ppcf_def.clear();
    s.ppcf_def.extend(s.live_def.iter().map(|&(tau, _)| (-k * (t_ball - tau)).exp()));
    s.acc_att.clear();
    s.acc_att.resize(s.live_att.len(), 0.0);
    s.acc_def.clear();
    s.acc_def.resize(s.live_def.len(), 0.0);
    let steps = ((pr.max_int_time + dt) / dt - 1e-9).ceil().max(1.0) as usize;
    let (mut p_att, mut p_def) = (0.0f64, 0.0f64);
    let mut i = 1;
    while 1.0 - (p_att + p_def) > pr.convergence_tol && i < steps {
        let free_dt = (1.0 - p_att - p_def) * dt;
        let mut sum_att = 0.0;
        for ((g, &(_, lambda)), acc) in s.ppcf_att.iter_mut().zip(&s.live_att).zip(s.acc_att.iter_mut()) {
            *acc += free_dt * lambda / (1.0 + *g);
            *g *= decay;
            sum_att += *acc;
        }
        let mut sum_def = 0.0;
        for ((g, &(_, lambda)), acc) in s.ppcf_def.iter_mut().zip(&s.live_def).zip(s.acc_def.iter_mut()) {
            *acc += free_dt * lambda / (1.0 + *g);
            *g *= decay;
            sum_def += *acc;
        }
        p_att = sum_att;
        p_def = sum_def;
        i += 1;
    }
    (p_att, p_def)
}

/// Pitch control in one frame with the default model, 50-cell grid and
/// velocities from the default Savitzky-Golay filter (all zero when the data
/// has a single frame).
pub fn pitch_control(data: &TrackingData, frame: usize, attacking: Team) -> Result<PitchControlSurface> {
    let model = PitchControlModel::new(data, PitchControlParams::default(), 50)?;
    let velocity = if data.n_frames() >= 2 {
        crate::kinematics(data, &crate::SavGol::default())?.velocity
    } else {
        Array3::zeros((data.n_frames(), data.n_agents(), 2))
    };
    model.frame(data, frame, attacking, &velocity)
}
