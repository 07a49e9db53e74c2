//! The error type of `touchline-io`.

use std::path::PathBuf;

use touchline_core::CoreError;

/// Everything that can go wrong while reading or writing tracking files.
/// Every variant names the file; parse errors also name the line (1-based)
/// or the provider's frame number.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IoError {
    /// The file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file is empty or holds no frames.
    #[error("{path}: empty file or no frames")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A line or element could not be parsed.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0 when the format has no lines to speak of).
        line: usize,
        /// What was wrong.
        message: String,
    },
    /// A frame's content is inconsistent (e.g. time going backwards).
    #[error("{path}: frame {frame}: {message}")]
    Frame {
        /// The file.
        path: PathBuf,
        /// The provider's frame number.
        frame: i64,
        /// What was wrong.
        message: String,
    },
    /// Metadata needed to interpret the file is missing.
    #[error("{path}: missing metadata: {what}")]
    MissingMetadata {
        /// The file that lacks it.
        path: PathBuf,
        /// What is missing.
        what: String,
    },
    /// A companion file (metadata, the away team's file, ...) was not found.
    #[error("{path}: cannot find the {what}; looked for {looked_for:?}")]
    MissingCompanion {
        /// The main file.
        path: PathBuf,
        /// What companion was needed.
        what: &'static str,
        /// The paths tried.
        looked_for: Vec<PathBuf>,
    },
    /// The format could not be recognised, or is not the one asked for.
    #[error("{path}: {reason}")]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The parsed data violate a `TrackingData` invariant.
    #[error("{path}: {source}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The core validation error.
        #[source]
        source: CoreError,
    },
}

impl IoError {
    /// Shorthand for [`IoError::Parse`].
    pub fn parse(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        IoError::Parse { path: path.into(), line, message: message.into() }
    }

    /// Shorthand for [`IoError::Io`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IoError::Io { path: path.into(), source }
    }

    /// Shorthand for [`IoError::MissingMetadata`].
    pub fn missing(path: impl Into<PathBuf>, what: impl Into<String>) -> Self {
        IoError::MissingMetadata { path: path.into(), what: what.into() }
    }

    /// The file this error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            IoError::Io { path, .. }
            | IoError::Empty { path }
            | IoError::Parse { path, .. }
            | IoError::Frame { path, .. }
            | IoError::MissingMetadata { path, .. }
            | IoError::MissingCompanion { path, .. }
            | IoError::UnknownFormat { path, .. }
            | IoError::Invalid { path, .. } => path,
        }
    }
}

/// Shorthand for results in this crate.
pub type Result<T, E = IoError> = std::result::Result<T, E>;
