//! The error type of `touchline-track`.

/// Everything that can go wrong while tracking, assigning teams or exporting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrackError {
    /// A configuration value is out of range.
    #[error("invalid tracker configuration: {name}: {reason}")]
    InvalidConfig {
        /// Field name.
        name: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// A detection has a non-finite or inverted box or a non-finite score.
    #[error("invalid detection {index} in frame {frame}: {reason}")]
    InvalidDetection {
        /// Frame index passed to `update`.
        frame: usize,
        /// Index of the detection in that frame's slice.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Frames must arrive with strictly increasing indices and timestamps.
    #[error(
        "frame {frame} (t = {timestamp} s) does not follow frame {previous_frame} (t = {previous_time} s)"
    )]
    FrameOrder {
        /// Offending frame index.
        frame: usize,
        /// Its timestamp.
        timestamp: f64,
        /// Previous frame index.
        previous_frame: usize,
        /// Previous timestamp.
        previous_time: f64,
    },
    /// Two inputs that must have the same length do not.
    #[error("length mismatch: {what}: {left} vs {right}")]
    LengthMismatch {
        /// What was compared.
        what: &'static str,
        /// First length.
        left: usize,
        /// Second length.
        right: usize,
    },
    /// The assignment solver rejected a cost matrix.
    #[error("assignment failed on a {rows}x{cols} cost matrix: {reason}")]
    Assignment {
        /// Rows.
        rows: usize,
        /// Columns.
        cols: usize,
        /// Solver message.
        reason: String,
    },
    /// Clustering could not run (too few or inconsistent feature vectors).
    #[error("clustering: {0}")]
    Clustering(String),
    /// Identity merging got input it cannot use (duplicate ids, a non-finite box, a missing
    /// frame, a failed or `NaN` appearance distance); `tracks` names the tracks involved.
    #[error("identity merge, tracks {tracks:?}: {reason}")]
    Identity {
        /// Tracker ids concerned (may be empty).
        tracks: Vec<u64>,
        /// What is wrong.
        reason: String,
    },
    /// An appearance embedding is unusable (empty, non-finite, all zeros, wrong length).
    #[error("embedding {index}: {reason}")]
    InvalidEmbedding {
        /// Position of the vector in the input.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// A homography cannot be estimated from the given points.
    #[error("homography: {0}")]
    Homography(String),
    /// A track file is malformed; `location` names the line, row or field.
    #[error("{format} track data, {location}: {reason}")]
    Parse {
        /// `csv` or `json`.
        format: &'static str,
        /// Where (`row 12`, `line 3 column 5`, `track 7`).
        location: String,
        /// What is wrong.
        reason: String,
    },
    /// Reading or writing failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// An imputer passed in by the caller failed.
    #[error("imputer {name} failed: {source}")]
    Imputer {
        /// The imputer's name.
        name: String,
        /// Its error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A core type rejected the data.
    #[error(transparent)]
    Core(#[from] touchline_core::CoreError),
}

/// Shorthand for results in this crate.
pub type Result<T, E = TrackError> = std::result::Result<T, E>;

pub(crate) fn config_err(name: &'static str, reason: impl Into<String>) -> TrackError {
    TrackError::InvalidConfig { name, reason: reason.into() }
}
