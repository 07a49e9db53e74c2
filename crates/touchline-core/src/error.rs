//! The error type of `touchline-core`.

/// Everything that can go wrong when building or transforming core types.
///
/// Each variant names the frame, agent or field at fault so that a loader can
/// wrap it with the file it was reading.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// Two arrays that must agree in shape do not.
    #[error("shape mismatch for {what}: expected {expected:?}, found {found:?}")]
    ShapeMismatch {
        /// Which array or table is wrong.
        what: &'static str,
        /// The shape that was required.
        expected: Vec<usize>,
        /// The shape that was given.
        found: Vec<usize>,
    },
    /// A dataset with no frames, or an operation that needs data got none.
    #[error("empty input: {what}")]
    Empty {
        /// What was empty.
        what: &'static str,
    },
    /// Timestamps must be finite and strictly increasing.
    #[error("timestamps not strictly increasing at frame {frame}: {previous} s then {current} s")]
    NonIncreasingTime {
        /// Index of the offending frame.
        frame: usize,
        /// Timestamp of the frame before it.
        previous: f64,
        /// Timestamp of the offending frame.
        current: f64,
    },
    /// A timestamp is NaN or infinite.
    #[error("non-finite timestamp {value} at frame {frame}")]
    NonFiniteTime {
        /// Index of the offending frame.
        frame: usize,
        /// The value found.
        value: f64,
    },
    /// An entry marked observed holds NaN or an infinite coordinate.
    #[error("non-finite {what} ({value}) at frame {frame}, agent {agent} marked observed")]
    NonFiniteObserved {
        /// Frame index.
        frame: usize,
        /// Agent index.
        agent: usize,
        /// Which value (`x`, `y`).
        what: &'static str,
        /// The value found.
        value: f64,
    },
    /// A parameter is outside its valid range.
    #[error("invalid {name}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// The period table is not sorted, overlaps, or points outside the data.
    #[error("invalid period table: {reason}")]
    InvalidPeriods {
        /// What is wrong with it.
        reason: String,
    },
    /// Two agents share one id.
    #[error("duplicate agent id {id:?} at agent indices {first} and {second}")]
    DuplicateAgent {
        /// The repeated id.
        id: String,
        /// First index holding it.
        first: usize,
        /// Second index holding it.
        second: usize,
    },
    /// An index or id names no agent.
    #[error("no agent {0}")]
    UnknownAgent(String),
    /// An [`crate::Imputer`] changed an entry it must not touch.
    #[error("observed entry altered at frame {frame}, agent {agent}: {before:?} became {after:?}")]
    ObservedAltered {
        /// Frame index.
        frame: usize,
        /// Agent index.
        agent: usize,
        /// Value before.
        before: [f64; 2],
        /// Value after.
        after: [f64; 2],
    },
    /// The attacking direction of a period cannot be inferred.
    #[error("cannot infer playing direction of period {period}: {reason}")]
    DirectionUnknown {
        /// Period id.
        period: u32,
        /// Why not.
        reason: &'static str,
    },
}

/// Shorthand for results in this crate.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
