//! # touchline-core
//!
//! Shared types and traits of Touchline, with few dependencies:
//!
//! - [`TrackingData`]: positions `[frames, agents, 2]` in metres with an
//!   `observed` mask, timestamps, agents, periods, pitch, and a separate
//!   provider-estimate layer; validated on construction.
//! - Vision types: [`Frame`], [`BBox`], [`Mask`], [`Detection`], [`Keypoints`].
//! - [`SplitMix64`]: a small seeded generator for reproducible simulations and masks.
//! - Traits: [`FrameSource`], [`Detector`], [`Tracker`], [`Imputer`],
//!   [`PoseEstimator`], [`TextGenerator`].
//!
//! ```text
//! FrameSource -> Frame -> Detector -> Detections -> Tracker -> tracks -> TrackingData
//! TrackingData (+ observed mask) -> Imputer -> TrackingData -> shot facts / analytics
//! Frame + person box -> PoseEstimator -> Keypoints -> biomechanics -> prompt -> TextGenerator
//! ```
//!
//! ```
//! use ndarray::{Array2, Array3};
//! use touchline_core::{Agent, Pitch, Team, TrackingData};
//!
//! let n = 50; // 2 s at 25 Hz
//! let t: Vec<f64> = (0..n).map(|i| i as f64 / 25.0).collect();
//! let mut pos = Array3::<f64>::zeros((n, 2, 2));
//! for i in 0..n {
//!     pos[[i, 0, 0]] = -10.0 + 5.0 * t[i]; // a player jogging at 5 m/s
//! }
//! let data = TrackingData::new(pos, Array2::from_elem((n, 2), true), t,
//!         vec![Agent::new("home_9", Team::Home).with_jersey(9), Agent::ball()])?
//!     .with_pitch(Pitch::FOOTBALL)?;
//! let ten_hz = data.resample(10.0)?;
//! assert_eq!(ten_hz.n_frames(), 20);
//! assert_eq!(ten_hz.agent_series(0)[[1, 0]], -9.5);
//! # Ok::<(), touchline_core::CoreError>(())
//! ```

pub mod error;
pub mod rng;
pub mod tracking;
pub mod traits;
pub mod vision;

pub use error::{CoreError, Result};
pub use rng::SplitMix64;
pub use tracking::{
    Agent, AxisTransform, Direction, Period, Pitch, Team, TrackingData, Unit, verify_observed_unchanged,
};
pub use traits::{
    Detector, FrameSource, GenerationRequest, Imputer, PoseEstimator, TextGenerator, Track, TrackPoint,
    Tracker, tracks_to_tracking_data,
};
pub use vision::{BBox, CocoJoint, Detection, Frame, Joint, Keypoints, Label, Mask};
