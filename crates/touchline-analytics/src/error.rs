//! The error type of `touchline-analytics`.

use touchline_core::{CoreError, Team};

/// Everything that can go wrong when computing a metric or drawing a plot.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AnalyticsError {
    /// A parameter is outside its valid range.
    #[error("invalid {name}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// The data has too few frames for the metric.
    #[error("{what} needs at least {needed} frames, the data has {found}")]
    TooFewFrames {
        /// The metric.
        what: &'static str,
        /// Frames needed.
        needed: usize,
        /// Frames in the data.
        found: usize,
    },
    /// An agent index is out of range.
    #[error("agent index {index} out of range (the data has {n_agents} agents)")]
    NoSuchAgent {
        /// The index asked for.
        index: usize,
        /// Number of agents in the data.
        n_agents: usize,
    },
    /// A frame index is out of range.
    #[error("frame {frame} out of range (the data has {n_frames} frames)")]
    NoSuchFrame {
        /// The frame asked for.
        frame: usize,
        /// Number of frames in the data.
        n_frames: usize,
    },
    /// The agent has no finite position anywhere in the frames asked for.
    #[error("agent {id} (index {index}) has no finite position in the frames asked for")]
    AgentAllMissing {
        /// Agent id.
        id: String,
        /// Agent index.
        index: usize,
    },
    /// A team has no player with a finite position in a frame.
    #[error("no {team} player with a finite position in frame {frame}")]
    NoPlayers {
        /// The team.
        team: Team,
        /// Frame index.
        frame: usize,
    },
    /// The data carries no pitch size and the metric needs one.
    #[error("the data has no pitch size; set one with TrackingData::with_pitch")]
    NoPitch,
    /// An array passed alongside the data has the wrong shape.
    #[error("shape mismatch for {what}: expected {expected:?}, found {found:?}")]
    ShapeMismatch {
        /// Which array.
        what: &'static str,
        /// Required shape.
        expected: Vec<usize>,
        /// Given shape.
        found: Vec<usize>,
    },
    /// An error from `touchline-core` (e.g. the playing direction could not be inferred).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// Drawing or writing a plot failed.
    #[error("plot {path}: {reason}")]
    Plot {
        /// Output file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, AnalyticsError>;
