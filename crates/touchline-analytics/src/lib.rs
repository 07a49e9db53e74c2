//! # touchline-analytics
//!
//! Physical and tactical metrics on [`touchline_core::TrackingData`], the
//! numbers people fill gaps for:
//!
//! - [`kinematics`](mod@kinematics): Savitzky-Golay velocity, speed and acceleration;
//!   [`physical_summary`] with distance covered, speed zones, sprints,
//!   accelerations, decelerations and implausible speeds, per agent and period.
//! - [`space`]: [`heatmap`], Voronoi cells and areas clipped to the pitch
//!   ([`voronoi_frame`], [`voronoi_areas`]).
//! - [`pitch_control`](mod@pitch_control): Spearman (2018) with the
//!   Friends-of-Tracking defaults, one frame or a whole sequence ([`PitchControlModel`]).
//! - [`shape`]: centroid, stretch index, length, width, defensive line,
//!   convex-hull area per frame ([`team_shape`]) and the [`average_formation`].
//! - `plot` (cargo feature `plot`): pitch and court drawings, trajectories
//!   with imputed stretches marked, heatmaps, Voronoi and pitch-control surfaces, PNG or SVG.
//!
//! Every function takes the data as given: a finite position counts, observed
//! or imputed (`!observed && finite`), and `NaN` is missing. So the same call
//! measures truth, gapped data and any imputer's output. Nothing is
//! differentiated across a gap or a period boundary. Formulas, defaults and
//! their sources: `docs/analytics.md`.
//!
//! ```
//! use ndarray::{Array2, Array3};
//! use touchline_analytics::{PhysicalParams, physical_summary, voronoi_frame};
//! use touchline_core::{Agent, Pitch, Team, TrackingData};
//!
//! // Two players 10 s at 25 Hz: one runs along x at 5 m/s, one stands still.
//! let n = 251;
//! let t: Vec<f64> = (0..n).map(|i| i as f64 / 25.0).collect();
//! let mut pos = Array3::<f64>::zeros((n, 2, 2));
//! for i in 0..n {
//!     pos[[i, 0, 0]] = -25.0 + 5.0 * t[i];
//!     pos[[i, 1, 0]] = 10.0;
//! }
//! let agents = vec![Agent::new("home_7", Team::Home), Agent::new("away_4", Team::Away)];
//! let data = TrackingData::new(pos, Array2::from_elem((n, 2), true), t, agents)?
//!     .with_pitch(Pitch::FOOTBALL)?;
//!
//! let s = physical_summary(&data, None, &PhysicalParams::default())?;
//! assert!((s[0].distance - 50.0).abs() < 1e-9); // 10 s at 5 m/s
//! assert!((s[0].zone_time[2] - 10.0).abs() < 1e-9); // all of it in the "run" zone
//! assert!(s[0].sprints.is_empty());
//!
//! let cells = voronoi_frame(&data, 0)?;
//! let total: f64 = cells.iter().map(|c| c.area).sum();
//! assert!((total - 105.0 * 68.0).abs() < 1e-6);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod error;
pub mod geometry;
pub mod kinematics;
pub mod pitch_control;
#[cfg(feature = "plot")]
pub mod plot;
pub mod shape;
pub mod space;

pub use error::{AnalyticsError, Result};
pub use kinematics::{
    AgentPeriodSummary, Effort, Kinematics, PhysicalParams, SavGol, ZONE_NAMES, agent_physical, kinematics,
    physical_summary,
};
pub use pitch_control::{
    Attacking, Grid, PitchControlModel, PitchControlParams, PitchControlSurface, goalkeepers, pitch_control,
};
pub use shape::{FormationSlot, ShapeParams, TeamShape, average_formation, team_shape};
pub use space::{Heatmap, HeatmapParams, VoronoiCell, heatmap, voronoi_areas, voronoi_frame};

use touchline_core::{Team, TrackingData};

/// Indices of the players: every agent that is neither the ball nor an official.
pub fn players(data: &TrackingData) -> Vec<usize> {
    data.agents()
        .iter()
        .enumerate()
        .filter(|(_, a)| !matches!(a.team, Team::Ball | Team::Officials))
        .map(|(i, _)| i)
        .collect()
}
