//! Ball-player contact, possession over time, the kick (or release) frame
//! and the shooter.

use serde::{Deserialize, Serialize};
use touchline_core::{BBox, Label, Track, TrackPoint};

use crate::track::CleanTrack;

/// Where on a player the ball counts as touching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContactRule {
    /// Football: the ball near the feet (box bottom-centre) or overlapping
    /// the lower band of the box.
    Feet,
    /// Basketball: the ball overlapping the (slightly enlarged) player box.
    Body,
}

/// Contact parameters; distances are fractions of the player's box height,
/// so they scale with how far the player is from the camera.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ContactConfig {
    /// Which rule.
    pub rule: ContactRule,
    /// Feet: the ball edge within this many box heights of the box's
    /// bottom-centre.
    pub feet_radius: f64,
    /// Feet: the lower band of the box (fraction of its height) a ball box
    /// may overlap.
    pub feet_band: f64,
    /// Body: margin added around the box (fraction of its height).
    pub body_margin: f64,
}

impl ContactConfig {
    /// Feet rule: radius 0.2 box heights, lower band 0.3.
    pub fn feet() -> ContactConfig {
        ContactConfig { rule: ContactRule::Feet, feet_radius: 0.2, feet_band: 0.3, body_margin: 0.05 }
    }
    /// Body rule: margin 0.05 box heights.
    pub fn body() -> ContactConfig {
        ContactConfig { rule: ContactRule::Body, ..ContactConfig::feet() }
    }
}

/// A run of frames in which one player touches the ball.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PossessionSpan {
    /// The player's track id.
    pub track_id: u64,
    /// First frame in contact.
    pub first_frame: usize,
    /// Last frame in contact.
    pub last_frame: usize,
    /// Frames in contact within the span.
    pub frames: usize,
}

fn is_player(t: &Track) -> bool {
    matches!(t.label, Label::Person | Label::Player | Label::Goalkeeper | Label::Other(_))
}

pub(crate) fn point_at(t: &Track, frame: usize) -> Option<&TrackPoint> {
    t.points.binary_search_by_key(&frame, |p| p.frame).ok().map(|i| &t.points[i])
}

/// How deep the ball is in contact with a player box (0 = no contact; larger
/// = closer), or `None` if not in contact.
fn contact_score(ball: [f64; 2], radius: f64, b: &BBox, cfg: &ContactConfig) -> Option<f64> {
    let (x1, y1, x2, y2) = (f64::from(b.x1), f64::from(b.y1), f64::from(b.x2), f64::from(b.y2));
    let h = y2 - y1;
    if h.is_nan() || h <= 0.0 {
        return None;
    }
    match cfg.rule {
        ContactRule::Feet => {
            let foot = [(x1 + x2) / 2.0, y2];
            let d = ((ball[0] - foot[0]).powi(2) + (ball[1] - foot[1]).powi(2)).sqrt() - radius;
            let near = d <= cfg.feet_radius * h;
            let band_top = y2 - cfg.feet_band * h;
            let overlap = ball[0] + radius >= x1
                && ball[0] - radius <= x2
                && ball[1] + radius >= band_top
                && ball[1] - radius <= y2 + 0.05 * h;
            (near || overlap).then(|| 1.0 / (1.0 + d.max(0.0) / h))
        }
        ContactRule::Body => {
            let m = cfg.body_margin * h;
            let inside = ball[0] + radius >= x1 - m
                && ball[0] - radius <= x2 + m
                && ball[1] + radius >= y1 - m
                && ball[1] - radius <= y2 + m;
            let c = [(x1 + x2) / 2.0, (y1 + y2) / 2.0];
            let d = ((ball[0] - c[0]).powi(2) + (ball[1] - c[1]).powi(2)).sqrt();
            inside.then(|| 1.0 / (1.0 + d / h))
        }
    }
}

/// Per cleaned frame, the player (track id) in contact with the ball, the
/// closest one when several are. Non-person tracks (ball, goal, hoop,
/// referee) are ignored.
pub fn contacts(ball: &CleanTrack, players: &[Track], cfg: &ContactConfig) -> Vec<Option<u64>> {
    ball.points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let pos = p.pos?;
            let r = ball.width_at(i).unwrap_or(0.0) / 2.0;
            players
                .iter()
                .filter(|t| is_player(t))
                .filter_map(|t| {
                    let tp = point_at(t, p.frame)?;
                    contact_score(pos, r, &tp.bbox, cfg).map(|s| (t.id, s))
                })
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(id, _)| id)
        })
        .collect()
}

/// Possession spans from per-frame contacts (as returned by [`contacts`] for
/// `ball`), bridging gaps of up to `max_gap` frames for the same player.
pub fn possession(ball: &CleanTrack, contacts: &[Option<u64>], max_gap: usize) -> Vec<PossessionSpan> {
    let mut spans: Vec<PossessionSpan> = Vec::new();
    for (i, c) in contacts.iter().enumerate() {
        let (Some(id), Some(p)) = (c, ball.points.get(i)) else { continue };
        match spans.last_mut() {
            Some(s) if s.track_id == *id && p.frame <= s.last_frame + max_gap + 1 => {
                s.last_frame = p.frame;
                s.frames += 1;
            }
            _ => spans.push(PossessionSpan {
                track_id: *id,
                first_frame: p.frame,
                last_frame: p.frame,
                frames: 1,
            }),
        }
    }
    spans
}

/// Which way the shot must go to count as one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Heading {
    /// Closing on a point (the goal's centre), pixels.
    Towards([f64; 2]),
    /// Rising in the image (a basketball release).
    Up,
}

/// Kick detection parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KickConfig {
    /// The ball must move at least this fast (m/s) right after the kick.
    pub min_speed_mps: f64,
    /// Frames after the kick over which the heading is checked.
    pub heading_frames: usize,
    /// A touch this many frames before the kick still makes its player the
    /// shooter.
    pub contact_lookback: usize,
}

impl Default for KickConfig {
    /// 5 m/s, 5 frames of heading, 8 frames of look-back.
    fn default() -> Self {
        KickConfig { min_speed_mps: 5.0, heading_frames: 5, contact_lookback: 8 }
    }
}

/// The detected kick or release.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Kick {
    /// The last frame before the speed spike: where the foot (hand) meets the ball.
    pub frame: usize,
    /// Its time (s).
    pub time: f64,
    /// Ball position at the kick (pixels).
    pub position: [f64; 2],
    /// Speed just after the kick (m/s, image plane).
    pub speed_after_mps: f64,
    /// The shooter: the last player touching the ball at or before the kick.
    pub shooter: Option<u64>,
    /// The frame of that last touch.
    pub last_touch_frame: Option<usize>,
}

/// Finds the first speed spike (from below to at least
/// [`KickConfig::min_speed_mps`]) after which the ball heads as asked, scanning
/// indices from `from`. The shooter comes from `contacts` (per index, as
/// returned by [`contacts`]); pass an empty slice when there are no players.
pub fn find_kick(
    ball: &CleanTrack,
    contacts: &[Option<u64>],
    heading: Heading,
    cfg: &KickConfig,
    from: usize,
) -> Option<Kick> {
    let speeds = ball.speeds_mps();
    let n = ball.points.len();
    for i in from.max(1)..n {
        let Some(v) = speeds[i] else { continue };
        if v < cfg.min_speed_mps {
            continue;
        }
        let prev_slow =
            (i.saturating_sub(3)..i).rev().find_map(|j| speeds[j]).is_none_or(|u| u < cfg.min_speed_mps);
        if !prev_slow {
            continue;
        }
        // Kick frame: the last position before the fast step.
        let Some(k) = (i.saturating_sub(3)..i).rev().find(|&j| ball.points[j].pos.is_some()) else {
            continue;
        };
        let Some(p0) = ball.points[k].pos else { continue };
        let ahead: Vec<[f64; 2]> =
            ball.points[i..n.min(i + cfg.heading_frames + 1)].iter().filter_map(|p| p.pos).collect();
        let Some(&p1) = ahead.last() else { continue };
        if ahead.len() < 2 {
            continue;
        }
        let w = ball.width_at(k).unwrap_or(1.0);
        let ok = match heading {
            Heading::Towards(g) => {
                let d0 = ((p0[0] - g[0]).powi(2) + (p0[1] - g[1]).powi(2)).sqrt();
                let d1 = ((p1[0] - g[0]).powi(2) + (p1[1] - g[1]).powi(2)).sqrt();
                d0 - d1 >= w
            }
            Heading::Up => p0[1] - p1[1] >= w,
        };
        if !ok {
            continue;
        }
        let lo = ball.points[k].frame.saturating_sub(cfg.contact_lookback);
        let touch = (0..=k.min(contacts.len().saturating_sub(1)))
            .rev()
            .take_while(|&j| ball.points[j].frame >= lo)
            .find_map(|j| contacts.get(j).copied().flatten().map(|id| (id, ball.points[j].frame)));
        return Some(Kick {
            frame: ball.points[k].frame,
            time: ball.points[k].time,
            position: p0,
            speed_after_mps: v,
            shooter: touch.map(|t| t.0),
            last_touch_frame: touch.map(|t| t.1),
        });
    }
    None
}
