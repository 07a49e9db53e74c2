//! The error type of this crate.

use thiserror::Error;

/// Why a shot analysis could not run.
#[derive(Debug, Error)]
pub enum ShotError {
    /// A parameter or input value is out of its valid range.
    #[error("invalid {name}: {reason}")]
    InvalidInput {
        /// Which parameter or input.
        name: &'static str,
        /// What is wrong, naming the frame or value.
        reason: String,
    },
    /// The caller's imputer failed.
    #[error("imputer `{imputer}` failed: {source}")]
    Imputer {
        /// The imputer's name.
        imputer: String,
        /// Its error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// A core type rejected the data (for example building the one-agent
    /// `TrackingData` handed to the imputer).
    #[error(transparent)]
    Core(#[from] touchline_core::CoreError),
}

/// `Result` with [`ShotError`].
pub type Result<T> = std::result::Result<T, ShotError>;

pub(crate) fn invalid(name: &'static str, reason: impl Into<String>) -> ShotError {
    ShotError::InvalidInput { name, reason: reason.into() }
}
