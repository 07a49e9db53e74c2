//! Occupied space: heatmaps on a grid and Voronoi cells clipped to the pitch.
//!
//! Positions are taken as given: finite values are used whether observed or
//! imputed (unless [`HeatmapParams::observed_only`]); `NaN` is missing.

use ndarray::Array2;
use serde::{Deserialize, Serialize};
use touchline_core::{Pitch, TrackingData};

use crate::error::{AnalyticsError, Result};
use crate::geometry::{Point, area, centred_rectangle, voronoi_cell};

/// Grid of a heatmap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HeatmapParams {
    /// Cells along the length (`x`). Default 21 (5 m on a 105 m pitch).
    pub nx: usize,
    /// Cells across (`y`). Default 14.
    pub ny: usize,
    /// Count only observed entries (default `false`: imputed values count too).
    pub observed_only: bool,
}

impl Default for HeatmapParams {
    fn default() -> Self {
        HeatmapParams { nx: 21, ny: 14, observed_only: false }
    }
}

/// Time spent per cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// Seconds per cell, `[ny, nx]`; row 0 is the lowest `y`.
    pub seconds: Array2<f64>,
    /// The pitch the grid covers (centred on the origin).
    pub pitch: Pitch,
    /// Entries used.
    pub samples: usize,
    /// Entries outside the pitch, counted in the nearest edge cell.
    pub clamped: usize,
}

/// Time each cell of a grid over the pitch was occupied by `agents` (each
/// frame counts one nominal frame interval). Positions off the pitch are
/// counted in the nearest edge cell (and in [`Heatmap::clamped`]).
pub fn heatmap(data: &TrackingData, agents: &[usize], params: &HeatmapParams) -> Result<Heatmap> {
    let pitch = data.pitch().ok_or(AnalyticsError::NoPitch)?;
    if params.nx == 0 || params.ny == 0 {
        return Err(AnalyticsError::InvalidParameter {
            name: "heatmap grid",
            reason: format!("needs at least one cell each way, got {} x {}", params.nx, params.ny),
        });
    }
    if let Some(&bad) = agents.iter().find(|&&a| a >= data.n_agents()) {
        return Err(AnalyticsError::NoSuchAgent { index: bad, n_agents: data.n_agents() });
    }
    let dt = 1.0 / data.frame_rate();
    let dt = if dt.is_finite() { dt } else { 1.0 };
    let p = data.positions();
    let obs = data.observed();
    let mut seconds = Array2::zeros((params.ny, params.nx));
    let (mut samples, mut clamped) = (0, 0);
    let cell = |v: f64, half: f64, n: usize| -> (usize, bool) {
        let u = (v + half) / (2.0 * half) * n as f64;
        let out = !(0.0..n as f64).contains(&u);
        // `u` is finite here; the clamp keeps the cast in range.
        (u.clamp(0.0, (n - 1) as f64) as usize, out)
    };
    for f in 0..data.n_frames() {
        for &a in agents {
            let (x, y) = (p[[f, a, 0]], p[[f, a, 1]]);
            if !(x.is_finite() && y.is_finite()) || (params.observed_only && !obs[[f, a]]) {
                continue;
            }
            let (i, ox) = cell(x, 0.5 * pitch.length, params.nx);
            let (j, oy) = cell(y, 0.5 * pitch.width, params.ny);
            seconds[[j, i]] += dt;
            samples += 1;
            clamped += usize::from(ox || oy);
        }
    }
    Ok(Heatmap { seconds, pitch, samples, clamped })
}

/// One player's Voronoi cell.
#[derive(Debug, Clone, PartialEq)]
pub struct VoronoiCell {
    /// Agent index.
    pub agent: usize,
    /// Cell polygon (counter-clockwise, clipped to the pitch).
    pub polygon: Vec<Point>,
    /// Area in square metres. Players at exactly the same spot share one
    /// cell and each gets an equal part of its area.
    pub area: f64,
}

/// The players of one frame that take part: every player (not ball, not
/// official) with a finite position.
fn sites(data: &TrackingData, frame: usize) -> Vec<(usize, Point)> {
    let p = data.positions();
    crate::players(data)
        .into_iter()
        .filter_map(|a| {
            let q = [p[[frame, a, 0]], p[[frame, a, 1]]];
            (q[0].is_finite() && q[1].is_finite()).then_some((a, q))
        })
        .collect()
}

fn cells_of(sites: &[(usize, Point)], bounds: &[Point]) -> Vec<VoronoiCell> {
    sites
        .iter()
        .map(|&(a, s)| {
            let polygon = voronoi_cell(s, sites.iter().map(|&(_, q)| q), bounds);
            let same = sites.iter().filter(|&&(_, q)| q == s).count().max(1);
            let area = area(&polygon) / same as f64;
            VoronoiCell { agent: a, polygon, area }
        })
        .collect()
}

/// Voronoi cells of the players in one frame, clipped to the pitch. The cells
/// of all players tile the pitch, so their areas sum to its area. Errors when
/// the frame is out of range, the data has no pitch, or no player is on it.
pub fn voronoi_frame(data: &TrackingData, frame: usize) -> Result<Vec<VoronoiCell>> {
    let pitch = data.pitch().ok_or(AnalyticsError::NoPitch)?;
    if frame >= data.n_frames() {
        return Err(AnalyticsError::NoSuchFrame { frame, n_frames: data.n_frames() });
    }
    let s = sites(data, frame);
    if s.is_empty() {
        return Err(AnalyticsError::NoPlayers { team: touchline_core::Team::Unknown, frame });
    }
    Ok(cells_of(&s, &centred_rectangle(pitch.length, pitch.width)))
}

/// Voronoi area of every agent in every frame, `[frames, agents]` in square
/// metres, `NaN` for the ball, officials and players without a finite
/// position in that frame. Frames without any player are all `NaN`.
pub fn voronoi_areas(data: &TrackingData) -> Result<Array2<f64>> {
    let pitch = data.pitch().ok_or(AnalyticsError::NoPitch)?;
    let bounds = centred_rectangle(pitch.length, pitch.width);
    let nf = data.n_frames();
    let one = |f: usize| cells_of(&sites(data, f), &bounds);
    #[cfg(feature = "parallel")]
    let per: Vec<Vec<VoronoiCell>> = {
        use rayon::prelude::*;
        (0..nf).into_par_iter().map(one).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let per: Vec<Vec<VoronoiCell>> = (0..nf).map(one).collect();
    let mut out = Array2::from_elem((nf, data.n_agents()), f64::NAN);
    for (f, cells) in per.into_iter().enumerate() {
        for c in cells {
            out[[f, c.agent]] = c.area;
        }
    }
    Ok(out)
}
