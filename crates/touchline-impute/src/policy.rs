//! The gap policy shared by every method.

use serde::{Deserialize, Serialize};

use crate::error::{ImputeError, Result};
use crate::interp::Kind;

/// What to do before an agent's first and after its last observation in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edges {
    /// Repeat the nearest observation.
    Hold,
    /// Continue the line through the nearest two observations (with only one
    /// observation in the period, hold it).
    Extrapolate,
    /// Leave missing.
    Leave,
}

/// What to do with an interior gap longer than [`GapPolicy::max_gap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LongGaps {
    /// Leave missing.
    Leave,
    /// Fill with [`GapPolicy::fallback`] (left missing when there is none).
    Fallback,
}

/// Which entries to fill and how, shared by every method.
///
/// Interpolation runs per agent and per period (never across periods), with
/// the agent's observed entries of the period as knots.
///
/// - An *interior gap* is a run of unobserved frames between two knots; its
///   length is the time between those knots. Longer than `max_gap`: handled
///   by `long_gaps`.
/// - An *edge* is the run before the first or after the last knot of the
///   period; its length is the time from the knot to the farthest frame of
///   the run. Longer than `max_gap`: left missing. Otherwise: `edges`.
/// - With fewer knots than the method needs ([`Kind::min_knots`]), interior
///   gaps are filled by `fallback` if it has enough knots, else left missing.
/// - Frames outside every period are left missing.
///
/// Every unobserved entry is rewritten: with a value, or `NaN` when left
/// missing, so imputing twice gives the same result as imputing once.
///
/// ```
/// use touchline_impute::{Edges, GapPolicy};
/// let p = GapPolicy { max_gap: 2.0, edges: Edges::Leave, ..GapPolicy::default() };
/// assert!(p.validate().is_ok());
/// assert!(GapPolicy { max_gap: -1.0, ..p }.validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GapPolicy {
    /// Longest gap filled, in seconds (> 0; `f64::INFINITY`, the default,
    /// fills every gap). Serialised as `null` when infinite.
    #[serde(with = "infinite_as_null")]
    pub max_gap: f64,
    /// What to do with longer interior gaps (default [`LongGaps::Leave`]).
    pub long_gaps: LongGaps,
    /// What to do at the edges (default [`Edges::Hold`]).
    pub edges: Edges,
    /// Method for segments with too few knots and, with
    /// [`LongGaps::Fallback`], for long gaps (default `Some(Kind::Linear)`).
    pub fallback: Option<Kind>,
}

impl Default for GapPolicy {
    fn default() -> Self {
        GapPolicy {
            max_gap: f64::INFINITY,
            long_gaps: LongGaps::Leave,
            edges: Edges::Hold,
            fallback: Some(Kind::Linear),
        }
    }
}

impl GapPolicy {
    /// Checks `max_gap` is positive (infinity allowed, NaN not).
    pub fn validate(&self) -> Result<()> {
        if self.max_gap.is_nan() || self.max_gap <= 0.0 {
            return Err(ImputeError::InvalidParameter {
                name: "max_gap",
                reason: format!("must be positive seconds (or infinite), got {}", self.max_gap),
            });
        }
        Ok(())
    }
}

mod infinite_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() { s.serialize_some(v) } else { s.serialize_none() }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
    }
}
