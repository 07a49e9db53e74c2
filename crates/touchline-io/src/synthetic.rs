//! A synthetic football match: complete, deterministic tracking data for
//! demos, examples and tests when no provider file is at hand.
//!
//! Two teams in a 4-4-2 shape shift with the ball (anchors move 40% of the
//! ball's offset along the length, 20% across), each player wanders around
//! his anchor as an Ornstein-Uhlenbeck process with speed capped at 8 m/s,
//! and the ball alternates between dribbles and passes at 15 m/s to a
//! random team-mate (possession changes hands with probability 0.3 per pass).
//! Every entry is observed: it is ground truth that masks can be laid over.
//! The same [`SyntheticMatch`] always gives bit-identical output.
//!
//! ```
//! use touchline_io::synthetic::SyntheticMatch;
//! let d = SyntheticMatch { seconds: 10.0, ..Default::default() }.generate()?;
//! assert_eq!(d.n_frames(), 250);
//! assert_eq!(d.n_agents(), 23);
//! assert_eq!(d.missing_fraction(), 0.0);
//! # Ok::<(), touchline_io::IoError>(())
//! ```

use touchline_core::{Agent, AxisTransform, Pitch, SplitMix64, Team, TrackingData};

use crate::builder::TrackingBuilder;
use crate::error::{IoError, Result};

/// Parameters of the synthetic match.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticMatch {
    /// Random seed.
    pub seed: u64,
    /// Length in seconds (> 0, at most 2 hours).
    pub seconds: f64,
    /// Frame rate in Hz (> 0, at most 100).
    pub frame_rate: f64,
    /// Pitch size.
    pub pitch: Pitch,
}

impl Default for SyntheticMatch {
    fn default() -> Self {
        SyntheticMatch { seed: 7, seconds: 60.0, frame_rate: 25.0, pitch: Pitch::FOOTBALL }
    }
}

/// 4-4-2 anchors for a team attacking towards +x, as fractions of the half-length / half-width.
const SHAPE: [(f64, f64, &str); 11] = [
    (-0.92, 0.0, "GK"),
    (-0.6, -0.6, "LB"),
    (-0.65, -0.2, "CB"),
    (-0.65, 0.2, "CB"),
    (-0.6, 0.6, "RB"),
    (-0.25, -0.65, "LM"),
    (-0.3, -0.2, "CM"),
    (-0.3, 0.2, "CM"),
    (-0.25, 0.65, "RM"),
    (0.05, -0.2, "ST"),
    (0.05, 0.2, "ST"),
];

impl SyntheticMatch {
    /// Generates the match.
    pub fn generate(&self) -> Result<TrackingData> {
        let path = std::path::PathBuf::from(format!("<synthetic seed={}>", self.seed));
        let bad = |what: &str| IoError::Parse { path: path.clone(), line: 0, message: what.to_string() };
        if !(self.seconds.is_finite() && self.seconds > 0.0 && self.seconds <= 7200.0) {
            return Err(bad("seconds must be in (0, 7200]"));
        }
        if !(self.frame_rate.is_finite() && self.frame_rate > 0.0 && self.frame_rate <= 100.0) {
            return Err(bad("frame rate must be in (0, 100]"));
        }
        Pitch::new(self.pitch.length, self.pitch.width)
            .map_err(|e| IoError::Invalid { path: path.clone(), source: e })?;
        let (hl, hw) = (self.pitch.length / 2.0, self.pitch.width / 2.0);
        let dt = 1.0 / self.frame_rate;
        let n = (self.seconds * self.frame_rate).round().max(1.0) as usize;
        let mut rng = SplitMix64::new(self.seed ^ 0x5EED_0F7E_A500);
        let mut b = TrackingBuilder::new(path).frame_rate(self.frame_rate).pitch(self.pitch);
        let mut ids = Vec::new();
        for (team, sign) in [(Team::Home, 1.0), (Team::Away, -1.0)] {
            for (k, &(ax, ay, role)) in SHAPE.iter().enumerate() {
                let jersey = k as u32 + 1;
                let i =
                    b.agent(Agent::new(format!("{team}_{jersey}"), team).with_jersey(jersey).with_role(role));
                ids.push((i, sign * ax * hl, sign * ay * hw));
            }
        }
        let ball = b.agent(Agent::ball());
        let mut pos: Vec<[f64; 2]> = ids.iter().map(|&(_, x, y)| [x, y]).collect();
        let mut vel = vec![[0.0f64; 2]; ids.len()];
        let mut holder = 6usize; // home CM kicks off
        pos[holder] = [0.0, 0.0];
        let mut ball_p = [0.0f64, 0.0];
        let mut pass: Option<(usize, f64)> = None; // (target, speed)
        let mut next_pass = 2.0;
        let (theta, sigma, vmax) = (0.6, 2.2, 8.0);
        for f in 0..n {
            let t = f as f64 * dt;
            b.push_frame(f as i64, t, 1);
            for (k, &(i, ax, ay)) in ids.iter().enumerate() {
                let shift = [0.4 * ball_p[0], 0.2 * ball_p[1]];
                let anchor = [(ax + shift[0]).clamp(-hl, hl), (ay + shift[1]).clamp(-hw, hw)];
                let chase = if k == holder || pass.is_some_and(|(tg, _)| tg == k) { 1.5 } else { 0.0 };
                let target = if chase > 0.0 { ball_p } else { anchor };
                for d in 0..2 {
                    let pull = theta * (target[d] - pos[k][d]) * if chase > 0.0 { 2.0 } else { 1.0 };
                    vel[k][d] += (pull - 0.8 * vel[k][d]) * dt + sigma * dt.sqrt() * rng.normal();
                }
                let speed = (vel[k][0].powi(2) + vel[k][1].powi(2)).sqrt();
                if speed > vmax {
                    vel[k] = [vel[k][0] * vmax / speed, vel[k][1] * vmax / speed];
                }
                pos[k] = [
                    (pos[k][0] + vel[k][0] * dt).clamp(-hl - 2.0, hl + 2.0),
                    (pos[k][1] + vel[k][1] * dt).clamp(-hw - 2.0, hw + 2.0),
                ];
                b.observe(i, pos[k][0], pos[k][1]);
            }
            match pass {
                Some((target, speed)) => {
                    let d = [pos[target][0] - ball_p[0], pos[target][1] - ball_p[1]];
                    let dist = (d[0] * d[0] + d[1] * d[1]).sqrt();
                    if dist <= speed * dt {
                        holder = target;
                        pass = None;
                        next_pass = t + 1.5 + 3.0 * rng.uniform();
                    } else {
                        ball_p = [ball_p[0] + d[0] / dist * speed * dt, ball_p[1] + d[1] / dist * speed * dt];
                    }
                }
                None => {
                    // dribble: the ball sits half a metre ahead of the holder
                    let v = vel[holder];
                    let s = (v[0] * v[0] + v[1] * v[1]).sqrt().max(1e-6);
                    ball_p = [pos[holder][0] + 0.5 * v[0] / s, pos[holder][1] + 0.5 * v[1] / s];
                    if t >= next_pass {
                        let same_team = holder / 11;
                        let team = if rng.uniform() < 0.3 { 1 - same_team } else { same_team };
                        let mut target = team * 11 + rng.below_scaled(11);
                        if target == holder {
                            target = team * 11 + (target + 1) % 11;
                        }
                        pass = Some((target, 15.0));
                    }
                }
            }
            b.observe(ball, ball_p[0], ball_p[1]);
            b.ball_z(if pass.is_some() { 0.5 } else { 0.11 });
        }
        b.transform(AxisTransform::IDENTITY).finish()
    }
}
