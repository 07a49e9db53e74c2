//! # touchline-impute
//!
//! Fills the gaps of multi-agent tracking data ([`touchline_core::TrackingData`]).
//!
//! - [`interp`]: a 1-D layer usable on its own: knots `(t, y)` in, values at
//!   query times out, for linear, natural and not-a-knot cubic splines,
//!   Steffen (GSL's formulas), PCHIP (Fritsch-Carlson, scipy's end rule),
//!   Akima and modified Akima ("makima").
//! - One [`touchline_core::Imputer`] per method: [`Linear`], [`CubicSpline`],
//!   [`Steffen`], [`Pchip`], [`Akima`], [`Makima`] (or [`InterpImputer`] to
//!   choose at run time). Each interpolates per agent and per period, `x` and
//!   `y` independently, through the observed entries, under a shared
//!   [`GapPolicy`] (longest gap, edges, fallback for too few knots), and can
//!   say what it did in an [`ImputeReport`].
//!
//! - [`Dase`]: the derivative-accumulating self-ensemble (after MIDAS): a
//!   [`PvaPredictor`] blended with forward and backward dead reckoning of its
//!   derivatives, the blend learned on the data's own observed stretches.
//!
//! Observed entries are never changed (checked by
//! [`touchline_core::verify_observed_unchanged`] in the tests); the mask is
//! unchanged, so "imputed" is `!observed && value.is_finite()`.
//!
//! ```
//! use ndarray::{Array2, Array3};
//! use touchline_core::{Agent, Imputer, Team, TrackingData, verify_observed_unchanged};
//! use touchline_impute::{Edges, GapPolicy, InterpParams, Steffen};
//!
//! // One player running at 4 m/s along x, unseen in frames 3..7 and after 9.
//! let n = 12;
//! let t: Vec<f64> = (0..n).map(|i| i as f64 * 0.1).collect();
//! let mut pos = Array3::<f64>::from_elem((n, 1, 2), f64::NAN);
//! let mut seen = Array2::from_elem((n, 1), false);
//! for i in (0..3).chain(7..10) {
//!     pos[[i, 0, 0]] = 4.0 * t[i];
//!     pos[[i, 0, 1]] = 1.0;
//!     seen[[i, 0]] = true;
//! }
//! let data = TrackingData::new(pos, seen, t, vec![Agent::new("home_7", Team::Home)])?;
//!
//! let policy = GapPolicy { max_gap: 1.0, edges: Edges::Leave, ..GapPolicy::default() };
//! let steffen = Steffen::new(InterpParams { policy, cap: None })?;
//! let (filled, report) = steffen.impute_with_report(&data)?;
//! verify_observed_unchanged(&data, &filled)?;
//! assert!((filled.positions()[[5, 0, 0]] - 2.0).abs() < 1e-9); // 4 m/s * 0.5 s
//! assert!(filled.positions()[[11, 0, 0]].is_nan());             // trailing edge left
//! assert_eq!(report.agents[0].filled_method, 4);
//! assert_eq!(report.agents[0].left_edge, 2);
//! assert_eq!(steffen.name(), "steffen");
//! # Ok::<(), touchline_impute::ImputeError>(())
//! ```

pub mod cap;
pub mod dase;
pub mod error;
pub mod eval;
pub mod interp;
pub mod kalman;
pub mod knn;
pub mod masks;
mod methods;
pub mod online;
mod policy;
mod report;

pub use cap::PlausibilityCap;
pub use dase::{
    Accumulation, ContextPva, Dase, DaseParams, DaseReport, DaseWeights, FitParams, KalmanPva, Predictor,
    Pva, PvaPredictor, SplinePva,
};
pub use error::{ImputeError, Result};
pub use kalman::{KalmanParams, KalmanSmoother, MotionModel};
pub use knn::{DEFAULT_MAX_TRAIN_ROWS, KnnFeatures, KnnParams, KnnRegression, KnnTarget, Pool, Weighting};
pub use methods::{
    Akima, CubicSpline, InterpImputer, InterpParams, Linear, Makima, Pchip, SplineBoundary, Steffen,
};
pub use online::{EmittedFrame, FallbackCounts, OnlineError, OnlineFallback, OnlineImputer, OnlineParams};
pub use policy::{Edges, GapPolicy, LongGaps};
pub use report::{AgentReport, ImputeReport};
