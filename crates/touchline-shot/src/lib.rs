//! # touchline-shot
//!
//! Shot facts from tracks: pure geometry and physics, no model inside. Bring
//! a ball track (from `touchline-track`, another tracker, or your own CSV) and,
//! optionally, player tracks and a goal region; get back who shot, when, how
//! hard, and whether it went in, each fact with the evidence behind it.
//!
//! - [`BallTrack`] / [`BallObservation`]: the input, per frame a centre and
//!   apparent diameter in pixels (or [`BallTrack::from_track`] for a core
//!   [`touchline_core::Track`]).
//! - [`clean`] / [`clean_with`]: Hampel filter, teleport rejection from the
//!   ball's real size, short gaps filled through any
//!   [`touchline_core::Imputer`].
//! - [`contacts`], [`possession`], [`find_kick`]: ball-player contact,
//!   possession spans, the kick frame and the shooter.
//! - [`find_football_goal`], [`find_hoop`]: the goal frame from its white
//!   posts and crossbar, the rim from its colour under the backboard; or a
//!   user [`GoalRegion`] / [`Homography`].
//! - [`decide_goal`] and [`shot_speed`], bundled in [`analyze_football`];
//!   [`basketball_shots`] for make / miss over a whole clip.
//!
//! Every output type is `serde`-serialisable. See `docs/shot.md` for the
//! state machine, the formulas and the assumptions.
//!
//! ```
//! use touchline_shot::*;
//!
//! // A penalty seen from behind: ball on the spot at (640, 500), 20 px wide,
//! // kicked at frame 10 towards the top-left of a goal spanning
//! // x 300..980, y 100..300; it stops in the net.
//! let fps = 25.0;
//! let pts: Vec<BallObservation> = (0..40).map(|f| {
//!     let t = f as f64 / fps;
//!     let (x, y) = if f <= 10 { (640.0, 500.0) }
//!         else if f <= 20 { let u = (f - 10) as f64 / 10.0; (640.0 - 240.0 * u, 500.0 - 320.0 * u) }
//!         else { (400.0, 180.0 + 0.5 * (f - 20) as f64) };
//!     BallObservation::seen(f, t, [x, y], Some(20.0))
//! }).collect();
//! let track = BallTrack::new(fps, pts)?;
//! let clean = clean(&track, &CleanConfig::for_sport(Sport::Football))?;
//! let goal = GoalRegion::from_box(300.0, 100.0, 980.0, 300.0, RegionSource::User)?;
//! let mut cfg = FootballConfig::default();
//! cfg.speed.flight_distance_m = Some(11.0);
//! let report = analyze_football(&clean, &[], &goal, None, &cfg);
//! assert_eq!(report.decision.outcome, FootballOutcome::Goal);
//! assert_eq!(report.kick.map(|k| k.frame), Some(10));
//! let speed = report.speed.primary.unwrap();
//! assert_eq!(speed.method, SpeedMethod::FlightTime);
//! assert!(speed.kmh > 50.0 && speed.kmh < 200.0);
//! println!("{}", serde_json::to_string(&report.decision).unwrap());
//! # Ok::<(), ShotError>(())
//! ```

pub mod basketball;
pub mod error;
pub mod flight;
pub mod football;
pub mod possession;
pub mod region;
pub mod track;

pub use basketball::{BasketConfig, BasketOutcome, BasketShot, BasketballReport, Rim, basketball_shots};
pub use error::{Result, ShotError};
pub use flight::{
    EdgeArrival, Flight, FlightCandidate, FlightConfig, MouthEdge, fit_flight, mouth_edge_arrival,
    refine_with_flight,
};
pub use football::{
    DecisionConfig, ExitSide, FootballConfig, FootballOutcome, FootballReport, GoalDecision, GoalEvidence,
    LineRule, ShotSpeed, SizeFit, SpeedBound, SpeedConfig, SpeedEstimate, SpeedMethod, analyze_football,
    decide_goal, shot_speed,
};
pub use possession::{
    ContactConfig, ContactRule, Heading, Kick, KickConfig, PossessionSpan, contacts, find_kick, possession,
};
pub use region::{FoundGoal, FoundHoop, GoalRegion, Homography, RegionSource, find_football_goal, find_hoop};
pub use track::{
    BallObservation, BallTrack, CleanConfig, CleanPoint, CleanReport, CleanTrack, PointStatus, Sport, clean,
    clean_with,
};
