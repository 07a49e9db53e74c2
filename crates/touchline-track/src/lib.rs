//! # touchline-track
//!
//! Multi-object tracking for sports video, on the types and traits of
//! `touchline-core`:
//!
//! - [`ByteTracker`]: a ByteTrack-style tracker (Zhang et al. 2022):
//!   constant-velocity Kalman filter on the box, IoU cost, Hungarian
//!   assignment in two stages (high-score detections, then low-score ones),
//!   tentative tracks confirmed after `min_hits`, lost tracks re-activated
//!   with their id. Implements [`touchline_core::Tracker`]; [`track_clip`]
//!   runs a whole clip. Players and ball are tracked apart.
//! - [`BallTracker`]: one ball hypothesis with speed gating, teleport
//!   rejection, best-candidate choice, a predicted search region, and short
//!   gaps filled through any [`touchline_core::Imputer`].
//! - Team assignment: torso colour in CIE Lab ([`srgb_to_lab`],
//!   [`torso_colour`]), seeded k-means ([`kmeans`]), two teams and an
//!   outlier class ([`cluster_teams`], on any feature vectors, embeddings
//!   too), per-track voting ([`TeamAssigner`]).
//! - Re-identification ([`identity`]): person tracks merged into identities
//!   after occlusions and re-entries, by upper/lower-body colour histograms
//!   (or your embeddings, [`Embedding`]) and the rule that two tracks seen in
//!   one frame are two people; complete-linkage clustering
//!   ([`reidentify`], [`AppearanceSampler`], [`merge_identities`]).
//! - Export: JSON and CSV ([`write_tracks_json`], [`read_tracks_csv`], ...),
//!   [`touchline_core::TrackingData`] in pixels ([`to_tracking_data_pixels`])
//!   or metres through a [`Homography`] estimated from four or more point
//!   pairs ([`to_tracking_data_metres`]).
//!
//! See `docs/tracking.md` for the algorithm and the sources of the defaults.
//!
//! ```
//! use touchline_core::{BBox, Detection, Label, Tracker};
//! use touchline_track::{ByteTrackConfig, ByteTracker, Homography, to_tracking_data_metres};
//!
//! // Two players walking right, a ball rolling left (a fast, small ball
//! // overlaps itself in no two frames: follow it with `BallTracker`).
//! let mut tracker = ByteTracker::new(ByteTrackConfig::default())?;
//! for f in 0..25 {
//!     let x = 100.0 + 3.0 * f as f32;
//!     let bx = 400.0 - 2.0 * f as f32;
//!     let dets = vec![
//!         Detection::new(Label::Player, 0.9, BBox::new(x, 200.0, x + 20.0, 250.0)?),
//!         Detection::new(Label::Player, 0.8, BBox::new(x, 300.0, x + 22.0, 355.0)?),
//!         Detection::new(Label::Ball, 0.7, BBox::new(bx, 150.0, bx + 10.0, 160.0)?),
//!     ];
//!     tracker.update(f, f as f64 / 25.0, &dets)?;
//! }
//! let tracks = tracker.tracks();
//! assert_eq!(tracks.len(), 3);
//! assert!(tracks.iter().all(|t| t.points.len() == 25));
//!
//! // Image -> pitch from four marked points, then metres.
//! let img = [[0.0, 0.0], [800.0, 0.0], [800.0, 400.0], [0.0, 400.0]];
//! let pitch = [[-40.0, 20.0], [40.0, 20.0], [40.0, -20.0], [-40.0, -20.0]];
//! let h = Homography::from_points(&img, &pitch)?;
//! let data = to_tracking_data_metres(&tracks, tracker.frame_times(), &h)?;
//! assert_eq!((data.n_frames(), data.n_agents()), (25, 3));
//! assert!((data.positions()[[0, 0, 0]] - (-40.0 + 110.0 / 10.0)).abs() < 1e-6);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod assign;
pub mod ball;
pub mod bytetrack;
pub mod error;
pub mod export;
pub mod homography;
pub mod identity;
pub mod kalman;
pub mod team;

pub use assign::{gated_assignment, iou_xyxy};
pub use ball::{BallConfig, BallFrame, BallStatus, BallTracker, SpeedLimit};
pub use bytetrack::{ByteTrackConfig, ByteTracker, LabelGrouping, track_clip};
pub use error::{Result, TrackError};
pub use export::{
    CSV_HEADER, anchor_point, frame_times_of, label_name, parse_label, read_tracks_csv, read_tracks_json,
    to_tracking_data_metres, to_tracking_data_pixels, validate_tracks, write_tracks_csv, write_tracks_json,
};
pub use homography::Homography;
pub use identity::{
    AppearanceDistance, AppearanceSampler, ColourAppearance, Embedding, Identities, Identity, IdentityConfig,
    TrackCue, colour_cues, merge_identities, reidentify,
};
pub use kalman::KalmanBox;
pub use team::{
    KMeans, OutlierRule, TeamAssigner, TeamClass, TeamClusters, TeamConfig, TorsoRegion, cluster_teams,
    kmeans, srgb_to_lab, torso_colour,
};
