//! Team shape over time: centroid, stretch index, length and width,
//! defensive line height, convex-hull area, and the average formation.
//!
//! Per frame, the team's players with a finite position take part (observed
//! or imputed; `NaN` is missing). By default the goalkeeper (see
//! [`crate::goalkeepers`]) is left out, as usual for outfield shape.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use touchline_core::{Direction, Team, TrackingData};

use crate::error::{AnalyticsError, Result};
use crate::geometry::{Point, area, convex_hull};

/// Options of [`team_shape`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShapeParams {
    /// Leave the goalkeeper out (default `true`).
    pub exclude_goalkeeper: bool,
}

impl Default for ShapeParams {
    fn default() -> Self {
        ShapeParams { exclude_goalkeeper: true }
    }
}

/// A team's shape in every frame (`NaN` where too few players are present:
/// one for the centroid, stretch, length, width and line, three for the hull).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamShape {
    /// The team.
    pub team: Team,
    /// Players taking part per frame.
    pub players: Vec<usize>,
    /// Mean position `[x, y]`.
    pub centroid: Vec<[f64; 2]>,
    /// Stretch index: mean distance of the players to the centroid (m).
    pub stretch_index: Vec<f64>,
    /// Extent along `x`, `max x - min x` (m).
    pub length: Vec<f64>,
    /// Extent along `y`, `max y - min y` (m).
    pub width: Vec<f64>,
    /// Distance from the team's own goal line to its deepest player (m).
    pub defensive_line: Vec<f64>,
    /// Area of the convex hull of the players (m^2); with `stretch_index`, the
    /// team's compactness over time.
    pub hull_area: Vec<f64>,
}

/// Which way `team` attacks in each frame (`None` outside periods or when unknown).
fn attack_sign(data: &TrackingData, team: Team) -> Vec<Option<f64>> {
    let mut out = vec![None; data.n_frames()];
    for p in data.periods() {
        let dir = p.home_direction.or_else(|| data.infer_home_direction(p).ok());
        let home = dir.map(|d| if d == Direction::LeftToRight { 1.0 } else { -1.0 });
        let s = match team {
            Team::Home => home,
            Team::Away => home.map(|h| -h),
            _ => None,
        };
        for f in p.frames() {
            out[f] = s;
        }
    }
    out
}

fn members(data: &TrackingData, team: Team, params: &ShapeParams) -> Vec<usize> {
    let keepers = crate::goalkeepers(data);
    data.team_indices(team)
        .into_iter()
        .filter(|a| !(params.exclude_goalkeeper && keepers.contains(&Some(*a))))
        .collect()
}

/// Shape of `team` (home or away) in every frame. Needs the pitch size (for
/// the goal lines); the playing direction comes from each period's
/// `home_direction` or is inferred from where home stands
/// ([`TrackingData::infer_home_direction`]); where it cannot be, the
/// defensive line is `NaN`.
pub fn team_shape(data: &TrackingData, team: Team, params: &ShapeParams) -> Result<TeamShape> {
    if !matches!(team, Team::Home | Team::Away) {
        return Err(AnalyticsError::InvalidParameter {
            name: "team",
            reason: format!("must be home or away, got {team}"),
        });
    }
    let pitch = data.pitch().ok_or(AnalyticsError::NoPitch)?;
    let who = members(data, team, params);
    let sign = attack_sign(data, team);
    let p = data.positions();
    let nf = data.n_frames();
    let nan = f64::NAN;
    let mut s = TeamShape {
        team,
        players: vec![0; nf],
        centroid: vec![[nan; 2]; nf],
        stretch_index: vec![nan; nf],
        length: vec![nan; nf],
        width: vec![nan; nf],
        defensive_line: vec![nan; nf],
        hull_area: vec![nan; nf],
    };
    let mut pts: Vec<Point> = Vec::with_capacity(who.len());
    for f in 0..nf {
        pts.clear();
        pts.extend(
            who.iter()
                .map(|&a| [p[[f, a, 0]], p[[f, a, 1]]])
                .filter(|q| q[0].is_finite() && q[1].is_finite()),
        );
        s.players[f] = pts.len();
        if pts.is_empty() {
            continue;
        }
        let n = pts.len() as f64;
        let c = [pts.iter().map(|q| q[0]).sum::<f64>() / n, pts.iter().map(|q| q[1]).sum::<f64>() / n];
        s.centroid[f] = c;
        s.stretch_index[f] = pts.iter().map(|q| (q[0] - c[0]).hypot(q[1] - c[1])).sum::<f64>() / n;
        let (mut x0, mut x1, mut y0, mut y1) =
            (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for q in &pts {
            x0 = x0.min(q[0]);
            x1 = x1.max(q[0]);
            y0 = y0.min(q[1]);
            y1 = y1.max(q[1]);
        }
        s.length[f] = x1 - x0;
        s.width[f] = y1 - y0;
        if let Some(sg) = sign[f] {
            // Own goal line at x = -sg * L/2; the deepest player is the one nearest it.
            s.defensive_line[f] = if sg > 0.0 { x0 + 0.5 * pitch.length } else { 0.5 * pitch.length - x1 };
        }
        if pts.len() >= 3 {
            s.hull_area[f] = area(&convex_hull(&pts));
        }
    }
    Ok(s)
}

/// One player's place in the average formation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormationSlot {
    /// Agent index.
    pub agent: usize,
    /// Mean position relative to the team centroid, `[x, y]` in metres, with
    /// `x` pointing the way the team attacks.
    pub offset: [f64; 2],
    /// Frames averaged.
    pub frames: usize,
}

/// Average formation of `team` over `frames`: each player's mean position
/// relative to the team centroid of the same frame, turned so that `+x` is
/// the way the team attacks (frames with an unknown direction are skipped).
/// The goalkeeper is handled as in [`team_shape`]. Players never present
/// are left out.
pub fn average_formation(
    data: &TrackingData,
    team: Team,
    frames: Range<usize>,
    params: &ShapeParams,
) -> Result<Vec<FormationSlot>> {
    if frames.end > data.n_frames() || frames.is_empty() {
        return Err(AnalyticsError::NoSuchFrame {
            frame: frames.end.saturating_sub(1),
            n_frames: data.n_frames(),
        });
    }
    let shape = team_shape(data, team, params)?;
    let sign = attack_sign(data, team);
    let p = data.positions();
    let who = members(data, team, params);
    let mut out = Vec::new();
    for a in who {
        let (mut sx, mut sy, mut n) = (0.0, 0.0, 0usize);
        for f in frames.clone() {
            let (x, y) = (p[[f, a, 0]], p[[f, a, 1]]);
            let c = shape.centroid[f];
            if let Some(sg) = sign[f]
                && x.is_finite()
                && y.is_finite()
            {
                sx += sg * (x - c[0]);
                sy += sg * (y - c[1]);
                n += 1;
            }
        }
        if n > 0 {
            out.push(FormationSlot { agent: a, offset: [sx / n as f64, sy / n as f64], frames: n });
        }
    }
    Ok(out)
}
