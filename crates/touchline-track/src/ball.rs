//! A single-ball tracker: speed gating, teleport rejection, best-candidate
//! choice, a predicted search region, and gap filling through any
//! [`Imputer`].

use ndarray::{Array2, Array3};
use serde::{Deserialize, Serialize};
use touchline_core::{
    Agent, BBox, Detection, Imputer, Label, Team, Track, TrackPoint, Tracker, TrackingData,
};

use crate::bytetrack::{check_detection, check_order};
use crate::error::{Result, TrackError, config_err};

/// The largest plausible ball speed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum SpeedLimit {
    /// Image pixels per second.
    PixelsPerSecond(f64),
    /// Metres per second with an image scale (pixels per metre near the ball).
    MetresPerSecond {
        /// Speed in m/s.
        speed: f64,
        /// Image scale.
        pixels_per_metre: f64,
    },
}

impl SpeedLimit {
    /// The limit in pixels per second.
    pub fn pixels_per_second(&self) -> f64 {
        match *self {
            SpeedLimit::PixelsPerSecond(v) => v,
            SpeedLimit::MetresPerSecond { speed, pixels_per_metre } => speed * pixels_per_metre,
        }
    }
}

/// Parameters of [`BallTracker`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BallConfig {
    /// Fastest plausible ball. Default 40 m/s (hard shots reach 30-35 m/s)
    /// at 15 px/m, roughly a wide-angle broadcast view at 848 px across;
    /// set the scale of your camera.
    pub max_speed: SpeedLimit,
    /// Slack added to the gate radius, pixels (detector jitter, box size). Default 12.
    pub gate_margin_px: f64,
    /// Ball detections scoring below this are ignored. Default 0.1.
    pub min_score: f32,
    /// Weight of the distance to the prediction (as a fraction of the gate
    /// radius) against the score when several candidates pass the gate:
    /// utility = `score - distance_weight * distance / radius`. Default 0.5.
    pub distance_weight: f64,
    /// Frames without an accepted detection after which the hypothesis is
    /// dropped and the next candidate is taken on score alone. Default 25.
    pub max_missed: usize,
    /// Weight of the newest velocity measurement in the running velocity
    /// (exponential smoothing, `0 < v <= 1`). Default 0.6.
    pub velocity_smoothing: f64,
    /// Track id given to the ball. Default 0 (the [`crate::ByteTracker`] counts from 1).
    pub id: u64,
}

impl Default for BallConfig {
    fn default() -> Self {
        BallConfig {
            max_speed: SpeedLimit::MetresPerSecond { speed: 40.0, pixels_per_metre: 15.0 },
            gate_margin_px: 12.0,
            min_score: 0.1,
            distance_weight: 0.5,
            max_missed: 25,
            velocity_smoothing: 0.6,
            id: 0,
        }
    }
}

impl BallConfig {
    /// Checks that every value is finite and in range.
    pub fn validate(&self) -> Result<()> {
        let v = self.max_speed.pixels_per_second();
        if let SpeedLimit::MetresPerSecond { speed, pixels_per_metre } = self.max_speed
            && !(speed > 0.0 && speed.is_finite() && pixels_per_metre > 0.0 && pixels_per_metre.is_finite())
        {
            return Err(config_err("max_speed", format!("{speed} m/s at {pixels_per_metre} px/m")));
        }
        if !(v > 0.0 && v.is_finite()) {
            return Err(config_err("max_speed", format!("must be positive and finite, got {v} px/s")));
        }
        if !(self.gate_margin_px >= 0.0 && self.gate_margin_px.is_finite()) {
            return Err(config_err("gate_margin_px", format!("{}", self.gate_margin_px)));
        }
        if !(0.0..=1.0).contains(&self.min_score) {
            return Err(config_err("min_score", format!("must be in [0, 1], got {}", self.min_score)));
        }
        if !(self.distance_weight >= 0.0 && self.distance_weight.is_finite()) {
            return Err(config_err("distance_weight", format!("{}", self.distance_weight)));
        }
        if !(self.velocity_smoothing > 0.0 && self.velocity_smoothing <= 1.0) {
            return Err(config_err(
                "velocity_smoothing",
                format!("must be in (0, 1], got {}", self.velocity_smoothing),
            ));
        }
        Ok(())
    }
}

/// What happened to the ball in one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BallStatus {
    /// A detection was accepted.
    Detected,
    /// Ball detections were present but all outside the gate (teleports).
    Rejected,
    /// No usable ball detection.
    Missing,
}

/// The tracker's record of one frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BallFrame {
    /// Frame index.
    pub frame: usize,
    /// Timestamp, seconds.
    pub timestamp: f64,
    /// Accepted box, if any.
    pub bbox: Option<BBox>,
    /// Its score (0 when none).
    pub score: f32,
    /// What happened.
    pub status: BallStatus,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Hypothesis {
    pos: [f64; 2],
    vel: Option<[f64; 2]>,
    t: f64,
    missed: usize,
}

/// Follows one ball through a clip.
///
/// Each frame, ball detections (label [`Label::Ball`]) scoring at least
/// `min_score` are candidates. With a live hypothesis, a candidate is
/// accepted only inside the gate: a circle around the predicted centre of
/// radius `max_speed * dt + gate_margin_px`, `dt` being the time since the
/// last accepted detection; among those the one with the best
/// `score - distance_weight * distance / radius` wins. Without a hypothesis
/// (start, or after `max_missed` frames without one) the best-scoring
/// candidate starts a new one.
///
/// ```
/// use touchline_core::{BBox, Detection, Label, Tracker};
/// use touchline_track::{BallConfig, BallStatus, BallTracker, SpeedLimit};
///
/// let cfg = BallConfig { max_speed: SpeedLimit::PixelsPerSecond(500.0), ..BallConfig::default() };
/// let mut ball = BallTracker::new(cfg)?;
/// let b = |x: f32| Detection::new(Label::Ball, 0.8, BBox::new(x, 100.0, x + 6.0, 106.0).unwrap());
/// for f in 0..5 {
///     ball.update(f, f as f64 * 0.04, &[b(100.0 + 10.0 * f as f32)])?;
/// }
/// // A detection 300 px away one frame later is a teleport: rejected.
/// ball.update(5, 0.20, &[b(450.0)])?;
/// assert_eq!(ball.frames()[5].status, BallStatus::Rejected);
/// // The prediction for the next frame, where a detector can search.
/// let [x, _] = ball.predict(0.24).unwrap();
/// assert!((x - 163.0).abs() < 1.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct BallTracker {
    config: BallConfig,
    hyp: Option<Hypothesis>,
    frames: Vec<BallFrame>,
}

fn centre(b: &BBox) -> [f64; 2] {
    [(f64::from(b.x1) + f64::from(b.x2)) / 2.0, (f64::from(b.y1) + f64::from(b.y2)) / 2.0]
}

impl BallTracker {
    /// A tracker with a validated configuration.
    pub fn new(config: BallConfig) -> Result<Self> {
        config.validate()?;
        Ok(BallTracker { config, hyp: None, frames: Vec::new() })
    }

    /// Every frame seen so far.
    pub fn frames(&self) -> &[BallFrame] {
        &self.frames
    }

    /// Predicted ball centre at time `t` (pixels), `None` without a hypothesis.
    pub fn predict(&self, t: f64) -> Option<[f64; 2]> {
        let h = self.hyp?;
        let dt = t - h.t;
        let v = h.vel.unwrap_or([0.0, 0.0]);
        let p = [h.pos[0] + v[0] * dt, h.pos[1] + v[1] * dt];
        (p[0].is_finite() && p[1].is_finite()).then_some(p)
    }

    /// Gate radius at time `t`, pixels: how far from the prediction a
    /// detection may be.
    pub fn gate_radius(&self, t: f64) -> Option<f64> {
        let h = self.hyp?;
        let r = self.config.max_speed.pixels_per_second() * (t - h.t).max(0.0) + self.config.gate_margin_px;
        r.is_finite().then_some(r)
    }

    /// The square around the prediction a detector should search at time
    /// `t` (side `2 * gate_radius`), `None` without a hypothesis.
    pub fn search_region(&self, t: f64) -> Option<BBox> {
        let [x, y] = self.predict(t)?;
        let r = self.gate_radius(t)?;
        BBox::new((x - r) as f32, (y - r) as f32, (x + r) as f32, (y + r) as f32).ok()
    }

    /// The accepted detections as one track (label ball, team ball).
    pub fn track(&self) -> Track {
        let points = self
            .frames
            .iter()
            .filter_map(|f| {
                f.bbox.map(|bbox| TrackPoint { frame: f.frame, timestamp: f.timestamp, bbox, score: f.score })
            })
            .collect();
        Track { id: self.config.id, label: Label::Ball, team: Team::Ball, points }
    }

    /// The ball track with interior gaps of at most `max_gap` frames filled
    /// by `imputer` (centres in pixels; box size interpolated linearly
    /// between the boxes either side; score 0 marks a filled point). Longer
    /// gaps and the ends stay empty. Any [`Imputer`] works, also `dyn`.
    pub fn fill_gaps<I: Imputer + ?Sized>(&self, imputer: &I, max_gap: usize) -> Result<Track> {
        let mut track = self.track();
        let nf = self.frames.len();
        if track.points.len() < 2 || max_gap == 0 {
            return Ok(track);
        }
        let mut pos = Array3::from_elem((nf, 1, 2), f64::NAN);
        let mut obs = Array2::from_elem((nf, 1), false);
        for (i, f) in self.frames.iter().enumerate() {
            if let Some(b) = f.bbox {
                let [x, y] = centre(&b);
                pos[[i, 0, 0]] = x;
                pos[[i, 0, 1]] = y;
                obs[[i, 0]] = true;
            }
        }
        let times: Vec<f64> = self.frames.iter().map(|f| f.timestamp).collect();
        let data = TrackingData::new(pos, obs, times, vec![Agent::ball()])?;
        let filled = imputer
            .impute(&data)
            .map_err(|e| TrackError::Imputer { name: imputer.name().to_string(), source: Box::new(e) })?;
        if filled.positions().dim() != (nf, 1, 2) {
            return Err(TrackError::Imputer {
                name: imputer.name().to_string(),
                source: format!("returned shape {:?}, expected ({nf}, 1, 2)", filled.positions().dim())
                    .into(),
            });
        }
        let seen: Vec<usize> = (0..nf).filter(|&i| self.frames[i].bbox.is_some()).collect();
        let mut added = Vec::new();
        for w in seen.windows(2) {
            let (a, b) = (w[0], w[1]);
            let gap = b - a - 1;
            if gap == 0 || gap > max_gap {
                continue;
            }
            let (Some(ba), Some(bb)) = (self.frames[a].bbox, self.frames[b].bbox) else { continue };
            for i in a + 1..b {
                let (x, y) = (filled.positions()[[i, 0, 0]], filled.positions()[[i, 0, 1]]);
                if !(x.is_finite() && y.is_finite()) {
                    continue;
                }
                let s = (i - a) as f64 / (b - a) as f64;
                let w = f64::from(ba.width()) * (1.0 - s) + f64::from(bb.width()) * s;
                let h = f64::from(ba.height()) * (1.0 - s) + f64::from(bb.height()) * s;
                if let Ok(bbox) = BBox::new(
                    (x - w / 2.0) as f32,
                    (y - h / 2.0) as f32,
                    (x + w / 2.0) as f32,
                    (y + h / 2.0) as f32,
                ) {
                    let f = &self.frames[i];
                    added.push(TrackPoint { frame: f.frame, timestamp: f.timestamp, bbox, score: 0.0 });
                }
            }
        }
        track.points.extend(added);
        track.points.sort_by_key(|p| p.frame);
        Ok(track)
    }

    fn accept(&mut self, t: f64, c: [f64; 2]) {
        let vmax = self.config.max_speed.pixels_per_second();
        let alpha = self.config.velocity_smoothing;
        let vel = match self.hyp {
            Some(h) if t > h.t => {
                let dt = t - h.t;
                let m = [(c[0] - h.pos[0]) / dt, (c[1] - h.pos[1]) / dt];
                let v = match h.vel {
                    Some(v) => [alpha * m[0] + (1.0 - alpha) * v[0], alpha * m[1] + (1.0 - alpha) * v[1]],
                    None => m,
                };
                let speed = v[0].hypot(v[1]);
                let v = if speed > vmax { [v[0] * vmax / speed, v[1] * vmax / speed] } else { v };
                v.iter().all(|x| x.is_finite()).then_some(v)
            }
            _ => None,
        };
        self.hyp = Some(Hypothesis { pos: c, vel, t, missed: 0 });
    }
}

impl Tracker for BallTracker {
    type Error = TrackError;

    /// Feeds one frame; returns the detections with the accepted ball's
    /// `track_id` set to the configured id (every other detection `None`).
    fn update(&mut self, frame: usize, timestamp: f64, detections: &[Detection]) -> Result<Vec<Detection>> {
        let last = self.frames.last().map(|f| (f.frame, f.timestamp));
        check_order(last, frame, timestamp)?;
        for (i, d) in detections.iter().enumerate() {
            check_detection(frame, i, d)?;
        }
        if let Some(h) = self.hyp
            && h.missed >= self.config.max_missed
        {
            self.hyp = None;
        }
        let candidates: Vec<usize> = (0..detections.len())
            .filter(|&i| detections[i].label == Label::Ball && detections[i].score >= self.config.min_score)
            .collect();
        let mut chosen: Option<usize> = None;
        match (self.predict(timestamp), self.gate_radius(timestamp)) {
            (Some(p), Some(r)) => {
                let mut best = f64::NEG_INFINITY;
                for &i in &candidates {
                    let c = centre(&detections[i].bbox);
                    let dist = (c[0] - p[0]).hypot(c[1] - p[1]);
                    if dist.is_nan() || dist > r {
                        continue;
                    }
                    let u = f64::from(detections[i].score) - self.config.distance_weight * dist / r.max(1e-9);
                    if u > best {
                        best = u;
                        chosen = Some(i);
                    }
                }
            }
            _ => {
                for &i in &candidates {
                    if chosen.is_none_or(|c| detections[i].score > detections[c].score) {
                        chosen = Some(i);
                    }
                }
            }
        }
        let status = match chosen {
            Some(i) => {
                self.accept(timestamp, centre(&detections[i].bbox));
                BallStatus::Detected
            }
            None => {
                if let Some(h) = self.hyp.as_mut() {
                    h.missed += 1;
                }
                if candidates.is_empty() { BallStatus::Missing } else { BallStatus::Rejected }
            }
        };
        self.frames.push(BallFrame {
            frame,
            timestamp,
            bbox: chosen.map(|i| detections[i].bbox),
            score: chosen.map_or(0.0, |i| detections[i].score),
            status,
        });
        Ok(detections
            .iter()
            .enumerate()
            .map(|(i, d)| Detection { track_id: (Some(i) == chosen).then_some(self.config.id), ..d.clone() })
            .collect())
    }

    fn tracks(&self) -> Vec<Track> {
        vec![self.track()]
    }
}
