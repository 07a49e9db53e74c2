//! Basketball make / miss: shot segmentation (release, apex, descent) and
//! the pass through the rim.

use serde::{Deserialize, Serialize};
use touchline_core::Track;

use crate::possession::{ContactConfig, contacts};
use crate::region::{FoundHoop, GoalRegion};
use crate::track::CleanTrack;

/// The rim as a horizontal segment in the image: the ball must cross `y`
/// downwards between `x1` and `x2`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rim {
    /// Left end (pixels).
    pub x1: f64,
    /// Right end.
    pub x2: f64,
    /// Height of the rim plane.
    pub y: f64,
}

impl Rim {
    /// From a region: its horizontal extent at its vertical centre.
    pub fn from_region(r: &GoalRegion) -> Rim {
        let [x1, y1, x2, y2] = r.bounds();
        Rim { x1, x2, y: 0.5 * (y1 + y2) }
    }

    /// From [`crate::find_hoop`]'s result.
    pub fn from_found(h: &FoundHoop) -> Rim {
        Rim { x1: h.rim_x[0], x2: h.rim_x[1], y: h.rim_y }
    }

    fn distance(&self, p: [f64; 2]) -> f64 {
        let x = p[0].clamp(self.x1, self.x2);
        ((p[0] - x).powi(2) + (p[1] - self.y).powi(2)).sqrt()
    }
}

/// Result of one basketball shot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BasketOutcome {
    /// Down through the rim.
    Make,
    /// Came near the rim but not through.
    Miss,
    /// Never came near the rim.
    Airball,
}

/// One shot with its evidence (pixels, frames).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BasketShot {
    /// Outcome.
    pub outcome: BasketOutcome,
    /// Release: the last frame touching a player before the apex, else the
    /// lowest point of the rise.
    pub release_frame: usize,
    /// The shooter, when players were given.
    pub shooter: Option<u64>,
    /// Highest point of the flight.
    pub apex_frame: usize,
    /// Ball position there.
    pub apex_position: [f64; 2],
    /// Frame the ball crossed the rim plane going down.
    pub crossing_frame: Option<usize>,
    /// Interpolated x at the crossing.
    pub crossing_x: Option<f64>,
    /// Closest approach to the rim segment (pixels).
    pub min_rim_distance_px: f64,
    /// Frame of the closest approach.
    pub closest_frame: usize,
    /// Frames below the rim, inside its span, after the crossing.
    pub frames_through: usize,
    /// Last frame of this shot's segment.
    pub end_frame: usize,
}

/// Basketball parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BasketConfig {
    /// The rise before an apex (ball diameters) that makes it a shot.
    pub min_rise_diameters: f64,
    /// Half window (frames) for an apex to be a local highest point.
    pub apex_half_window: usize,
    /// Within this many diameters of the rim counts as "near" (a miss, not
    /// an airball).
    pub near_rim_diameters: f64,
    /// Frames after the crossing checked for the ball staying under the rim.
    pub through_frames: usize,
    /// Longest time (s) from apex to the rim plane.
    pub max_descent_s: f64,
    /// Contact rule for the release.
    pub contact: ContactConfig,
}

impl Default for BasketConfig {
    /// Rise 3 diameters, apex +/-4 frames, near 1.5 diameters, 3 frames
    /// through, 2 s descent, body contact.
    fn default() -> Self {
        BasketConfig {
            min_rise_diameters: 3.0,
            apex_half_window: 4,
            near_rim_diameters: 1.5,
            through_frames: 3,
            max_descent_s: 2.0,
            contact: ContactConfig::body(),
        }
    }
}

/// All shots in a clip.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BasketballReport {
    /// Shots in time order.
    pub shots: Vec<BasketShot>,
    /// Count of makes.
    pub makes: usize,
    /// Count of misses (including airballs).
    pub misses: usize,
}

/// Segments the cleaned track into shots and decides each one.
///
/// A shot starts at an apex: a local highest point (within
/// [`BasketConfig::apex_half_window`] frames) above the rim, reached after a
/// rise of at least [`BasketConfig::min_rise_diameters`]. From the apex the
/// descent is followed until the ball centre crosses the rim plane going
/// down: inside the rim's span with the ball then staying inside the span
/// below the rim (or vanishing into the net) it is a make; otherwise a miss
/// if it came within [`BasketConfig::near_rim_diameters`] of the rim, else an
/// airball. Bounces off the rim that go up and come back down stay in the
/// same shot.
pub fn basketball_shots(
    ball: &CleanTrack,
    rim: &Rim,
    players: &[Track],
    cfg: &BasketConfig,
) -> BasketballReport {
    let n = ball.points.len();
    let pos: Vec<Option<[f64; 2]>> = ball.points.iter().map(|p| p.pos).collect();
    let touch = contacts(ball, players, &cfg.contact);
    let diam = ball.median_width_px.unwrap_or(((rim.x2 - rim.x1) / 1.9).max(1.0));
    let near = cfg.near_rim_diameters * diam;
    let mut report = BasketballReport::default();
    let mut i = 0;
    while i < n {
        let Some(p) = pos[i] else {
            i += 1;
            continue;
        };
        let w = cfg.apex_half_window;
        let lo = i.saturating_sub(w);
        let hi = (i + w + 1).min(n);
        let is_apex = p[1] < rim.y
            && (lo..hi).all(|j| pos[j].is_none_or(|q| q[1] >= p[1]))
            && (i + 1..hi).any(|j| pos[j].is_some());
        if !is_apex {
            i += 1;
            continue;
        }
        // The rise: the lowest point within 1.5 s before, and the release.
        let back = (1.5 * ball.fps) as usize;
        let start = i.saturating_sub(back);
        let low = (start..i).filter_map(|j| pos[j].map(|q| (j, q[1]))).max_by(|a, b| a.1.total_cmp(&b.1));
        let Some((low_i, low_y)) = low else {
            i += 1;
            continue;
        };
        if low_y - p[1] < cfg.min_rise_diameters * diam {
            i += 1;
            continue;
        }
        let release = (start..i).rev().find(|&j| touch.get(j).copied().flatten().is_some());
        let release_i = release.unwrap_or(low_i);
        // Descent.
        let max_j = (i + (cfg.max_descent_s * ball.fps) as usize).min(n - 1);
        let mut shot = BasketShot {
            outcome: BasketOutcome::Airball,
            release_frame: ball.points[release_i].frame,
            shooter: release.and_then(|j| touch[j]),
            apex_frame: ball.points[i].frame,
            apex_position: p,
            crossing_frame: None,
            crossing_x: None,
            min_rim_distance_px: rim.distance(p),
            closest_frame: ball.points[i].frame,
            frames_through: 0,
            end_frame: ball.points[max_j].frame,
        };
        let mut prev = (i, p);
        let mut end = max_j;
        for j in i + 1..=max_j {
            let Some(q) = pos[j] else { continue };
            let d = rim.distance(q);
            if d < shot.min_rim_distance_px {
                shot.min_rim_distance_px = d;
                shot.closest_frame = ball.points[j].frame;
            }
            if prev.1[1] < rim.y && q[1] >= rim.y {
                let u = (rim.y - prev.1[1]) / (q[1] - prev.1[1]);
                let x = prev.1[0] + u * (q[0] - prev.1[0]);
                shot.crossing_frame = Some(ball.points[j].frame);
                shot.crossing_x = Some(x);
                let inside = x >= rim.x1 && x <= rim.x2;
                let mut through = 0;
                let mut out_of_span = false;
                let mut last = j;
                for (k, pk) in pos.iter().enumerate().take((j + cfg.through_frames + 1).min(n)).skip(j) {
                    if let Some(r) = pk {
                        last = k;
                        if r[0] >= rim.x1 - diam / 2.0 && r[0] <= rim.x2 + diam / 2.0 && r[1] >= rim.y {
                            through += 1;
                        } else {
                            out_of_span = true;
                        }
                    }
                }
                shot.frames_through = through;
                end = last;
                shot.outcome = if inside && !out_of_span {
                    BasketOutcome::Make
                } else if shot.min_rim_distance_px <= near {
                    BasketOutcome::Miss
                } else {
                    BasketOutcome::Airball
                };
                break;
            }
            prev = (j, q);
            end = j;
        }
        if shot.crossing_frame.is_none() && shot.min_rim_distance_px <= near {
            shot.outcome = BasketOutcome::Miss;
        }
        shot.end_frame = ball.points[end].frame;
        match shot.outcome {
            BasketOutcome::Make => report.makes += 1,
            _ => report.misses += 1,
        }
        report.shots.push(shot);
        i = end + 1;
    }
    report
}
