//! The error type of `touchline-impute`.

use touchline_core::CoreError;

/// Everything that can go wrong when interpolating or imputing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ImputeError {
    /// A parameter is outside its valid range.
    #[error("invalid {name}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// Knot times and values differ in length.
    #[error("knot times and values differ in length: {times} times, {values} values")]
    LengthMismatch {
        /// Number of knot times.
        times: usize,
        /// Number of knot values.
        values: usize,
    },
    /// Too few knots for the method.
    #[error("{method} needs at least {needed} knots, got {found}")]
    TooFewKnots {
        /// Method name.
        method: &'static str,
        /// Minimum number of knots.
        needed: usize,
        /// Number given.
        found: usize,
    },
    /// A knot time or value is NaN or infinite.
    #[error("non-finite knot {what} {value} at index {index}")]
    NonFiniteKnot {
        /// `time` or `value`.
        what: &'static str,
        /// Knot index.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// Knot times are not strictly increasing.
    #[error("knot times not strictly increasing at index {index}: {previous} then {current}")]
    NonIncreasingKnots {
        /// Index of the offending knot.
        index: usize,
        /// Time of the knot before.
        previous: f64,
        /// Time of the offending knot.
        current: f64,
    },
    /// Output buffer and query slice differ in length.
    #[error("output has {found} slots for {expected} query points")]
    OutputLength {
        /// Number of query points.
        expected: usize,
        /// Length of the output buffer.
        found: usize,
    },
    /// A mask file or window set does not fit the data (benchmarking, [`crate::eval`]).
    #[error("mask: {0}")]
    Mask(String),
    /// An imputer run by the benchmark harness failed (its error, as text).
    #[error("imputer {method} failed: {message}")]
    Imputer {
        /// The imputer's name.
        method: String,
        /// Its error message.
        message: String,
    },
    /// An error from `touchline-core` (validation, shapes, the observed contract).
    #[error(transparent)]
    Core(#[from] CoreError),
}

/// Shorthand for results in this crate.
pub type Result<T, E = ImputeError> = std::result::Result<T, E>;
