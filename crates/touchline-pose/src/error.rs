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
    /// A model file is missing.
    #[error("model file not found: {path}")]
    ModelNotFound {
        /// The path looked for.
        path: PathBuf,
    },
    /// A model file exists but is not the model we expected (wrong inputs or outputs).
    #[error("model {path} does not match the expected contract: {reason}")]
    WrongModel {
        /// The model file.
        path: PathBuf,
        /// What did not match.
        reason: String,
    },
    /// The inference runtime failed (initialisation, session, run).
    #[error("inference runtime: {0}")]
    Runtime(String),
}

/// Shorthand for `Result<T, PoseError>`.
pub type Result<T> = std::result::Result<T, PoseError>;
