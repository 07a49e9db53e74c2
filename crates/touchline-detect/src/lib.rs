//! Object detection for sports video through [`touchline_core::Detector`].
//!
//! * [`OnnxDetector`] (feature `onnx`, on by default) runs an ONNX model through
//!   `touchline-onnx`: **YOLOX** (COCO-80; person -> [`Label::Player`](touchline_core::Label),
//!   sports ball -> [`Label::Ball`](touchline_core::Label)) or **RTMDet** (person only).
//!   Class mapping ([`ClassMap`]), score thresholds per label ([`Thresholds`]), NMS IoU,
//!   intra-op threads and batch size are configurable ([`DetectorConfig`]).
//! * **Small balls**: a ball far from the camera is a few pixels after the frame is shrunk to
//!   the model's 416 px input. [`Tiling`] adds passes over overlapping tiles at native
//!   resolution for the ball and merges them with the full-frame pass by NMS. With a ball hint
//!   (the tracker's predicted position) only the tile around it is searched, falling back to
//!   all tiles when the ball is not there.
//! * [`MotionBallDetector`]: classical ball candidates for static cameras (background
//!   subtraction, blob size, shape and colour), no model.
//! * [`OsnetEmbedder`] (feature `onnx`): 512-d OSNet re-identification embeddings of person
//!   crops, L2-normalised, for team clustering by appearance (`touchline-track`'s
//!   `cluster_teams` takes them) or re-identification.
//! * [`ReplayDetector`] replays detections from Touchline JSON or COCO results files, so any
//!   external model's output can drive the rest of the pipeline.
//!
//! ```
//! use touchline_core::{Detector, Frame, Label};
//! use touchline_detect::{DetectorConfig, OnnxDetector};
//!
//! let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");
//! let img = image::open(format!("{shared}/images/000000000885.jpg")).map_err(|e| e.to_string())?.to_rgb8();
//! let frame = Frame::new(0, 0.0, img);
//!
//! let mut config = DetectorConfig::yolox(); // tiling on: full frame + 416 px tiles for the ball
//! config.intra_threads = 1;
//! let mut detector = OnnxDetector::new(format!("{shared}/models/yolox_nano/yolox_nano.onnx"), config)?;
//! let found = detector.detect(&frame)?;
//! let ball = found.iter().find(|d| d.label == Label::Ball).ok_or("no ball")?;
//! assert!(ball.score > 0.5);
//! assert!(found.iter().any(|d| d.label == Label::Player));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! See `docs/detection.md` for the adapters' contracts, thresholds, tiling and the replay
//! schema.

use std::path::PathBuf;

// Parts only the ONNX detectors use are dead code without the `onnx` feature.
#[cfg_attr(not(feature = "onnx"), allow(dead_code))]
mod classes;
mod motion;
#[cfg_attr(not(feature = "onnx"), allow(dead_code))]
mod nms;
#[cfg(feature = "onnx")]
mod onnx;
#[cfg_attr(not(feature = "onnx"), allow(dead_code))]
mod preprocess;
#[cfg(feature = "onnx")]
mod reid;
pub mod replay;

pub use classes::{COCO80, ClassMap, Thresholds};
pub use motion::{MotionBallConfig, MotionBallDetector, motion_between};
pub use nms::nms;
#[cfg(feature = "onnx")]
pub use onnx::{
    DetectorConfig, MAX_SESSIONS, ModelKind, OnnxDetector, RoiStats, StageTimes, TileSearch, Tiling,
    tile_regions,
};
pub use preprocess::Region;
#[cfg(feature = "onnx")]
pub use reid::{OSNET_DIM, OSNET_INPUT_HEIGHT, OSNET_INPUT_WIDTH, OsnetConfig, OsnetEmbedder, cosine};
pub use replay::{CocoOptions, ReplayDetector, write_touchline_json};
#[cfg(feature = "onnx")]
pub use touchline_onnx::OnnxError;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// Runtime or model loading failed (missing runtime, missing/corrupt/wrong model file).
    #[cfg(feature = "onnx")]
    #[error(transparent)]
    Onnx(#[from] touchline_onnx::OnnxError),
    /// An invalid setting.
    #[error("invalid detector setting {name}: {reason}")]
    Config {
        /// The setting.
        name: &'static str,
        /// Why it is invalid.
        reason: String,
    },
    /// A frame with no pixels.
    #[error("frame {frame} is empty (0 pixels)")]
    EmptyFrame {
        /// Frame index.
        frame: usize,
    },
    /// ONNX Runtime failed to run the model.
    #[error("inference failed at frame {frame}: {reason}")]
    Inference {
        /// Index of the (first) frame of the failed run.
        frame: usize,
        /// The runtime's message.
        reason: String,
    },
    /// The model produced outputs of an unexpected shape or type.
    #[error("unexpected model output at frame {frame}: {reason}")]
    ModelOutput {
        /// Index of the (first) frame of the run.
        frame: usize,
        /// What is wrong.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A replay file is not valid JSON of the expected shape.
    #[error("{}: {reason}", path.display())]
    ReplayParse {
        /// The file.
        path: PathBuf,
        /// The parser's message (with line and column).
        reason: String,
    },
    /// One entry of a replay file is invalid.
    #[error("{}: {entry}: {reason}", path.display())]
    ReplayEntry {
        /// The file.
        path: PathBuf,
        /// Which entry.
        entry: String,
        /// What is wrong.
        reason: String,
    },
    /// A strict replay has no entry for a frame.
    #[error("{}: no detections recorded for frame {frame}", path.display())]
    ReplayMissingFrame {
        /// The file.
        path: PathBuf,
        /// The frame asked for.
        frame: usize,
    },
}
