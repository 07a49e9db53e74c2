//! # touchline-pose
//!
//! Human pose for sports clips, in the COCO-17 schema of
//! [`touchline_core::Keypoints`].
//!
//! - [`biomech`]: kick biomechanics at the strike frame from keypoints and the
//!   ball: shooting foot, kicking-knee flexion, trunk lean, hip drive and
//!   plant-foot distance, each with its confidence (the lowest score of the
//!   joints it used), the good range it is judged against with that range's
//!   source, and a [`Flag`]. Pure geometry: no model needed.
//! - [`blazepose`]: MediaPipe / BlazePose 33 landmarks to COCO-17, for users
//!   who bring their own keypoints.
//! - [`movenet`] (feature `movenet`, on by default): [`touchline_core::PoseEstimator`]s
//!   on ONNX Runtime: MoveNet single-person Thunder/Lightning on person crops
//!   and MoveNet MultiPose; keypoints come back in frame pixels with their
//!   scores. The runtime library is found by `touchline-onnx` (`ORT_DYLIB_PATH`
//!   or the project's `.venv`).
//!
//! ```
//! use touchline_core::{CocoJoint as J, Joint, Keypoints};
//! use touchline_pose::biomech::{analyze_kick, BallObservation, Flag, KickConfig, Side};
//!
//! // Keypoints of a left-footed strike (pixels), ball 22 px across.
//! let mut k = Keypoints::default();
//! for (j, x, y) in [
//!     (J::LeftShoulder, 300.0, 100.0), (J::RightShoulder, 300.0, 100.0),
//!     (J::LeftHip, 310.0, 200.0), (J::RightHip, 310.0, 200.0),
//!     (J::LeftKnee, 280.0, 290.0), (J::LeftAnkle, 240.0, 370.0),
//!     (J::RightKnee, 310.0, 300.0), (J::RightAnkle, 310.0, 400.0),
//! ] {
//!     k.set(j, Joint { x, y, score: 0.8 });
//! }
//! k.set(J::RightAnkle, Joint { x: 310.0, y: 400.0, score: 0.1 }); // plant ankle barely seen
//! let ball = BallObservation::new(230.0, 385.0, Some(22.0));
//! let a = analyze_kick(&k, &ball, &KickConfig::default())?;
//! // The right ankle is too uncertain to compare, so the foot is not guessed...
//! assert_eq!(a.shooting_foot.foot, None);
//! assert_eq!(a.knee_flexion.flag, Flag::Unreliable);
//! // ...unless the caller knows it; the plant-foot distance stays unreliable.
//! let cfg = KickConfig { shooting_foot: Some(Side::Left), ..KickConfig::default() };
//! let a = analyze_kick(&k, &ball, &cfg)?;
//! assert!(a.knee_flexion.value.is_some());
//! assert_eq!(a.plant_foot_distance.flag, Flag::Unreliable);
//! assert!(a.plant_foot_distance.note.as_deref().unwrap().contains("right_ankle"));
//! // Trunk leans towards the ball (left of the hips): positive.
//! assert!(a.trunk_lean.value.unwrap() > 0.0);
//! let json = serde_json::to_string(&a).unwrap();
//! assert!(json.contains("\"flag\":\"unreliable\""));
//! # Ok::<(), touchline_pose::PoseError>(())
//! ```

pub mod biomech;
pub mod blazepose;
pub mod error;
#[cfg(feature = "movenet")]
pub mod movenet;

pub use biomech::{BallObservation, Flag, KickAnalysis, KickConfig, Measurement, Side, analyze_kick};
pub use error::{PoseError, Result};
