//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong in `touchline-pose`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PoseError {
    /// An argument or input value is unusable (NaN, wrong length, ...).
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// What was wrong.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The ONNX Runtime or a model file could not be loaded: runtime not found,
    /// model file missing, not ONNX, or with the wrong inputs/outputs (each names the file).
    #[cfg(feature = "movenet")]
    #[error(transparent)]
    Onnx(#[from] touchline_onnx::OnnxError),
    /// A model loaded but does not behave like the model we expected.
    #[error("model {} does not match the expected contract: {reason}", path.display())]
    WrongModel {
        /// The model file.
        path: PathBuf,
        /// What did not match.
        reason: String,
    },
    /// Running the model failed.
    #[error("inference runtime: {0}")]
    Runtime(String),
    /// No person found by the model inside the given box.
    #[error("no person found in box {bbox:?} of frame {frame}")]
    NoPerson {
        /// Frame index.
        frame: usize,
        /// The person box asked about.
        bbox: touchline_core::BBox,
    },
}

/// Shorthand for `Result<T, PoseError>`.
pub type Result<T> = std::result::Result<T, PoseError>;
