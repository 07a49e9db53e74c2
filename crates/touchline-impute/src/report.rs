//! What an imputer filled, with what, and what it left missing.

use serde::{Deserialize, Serialize};

use crate::policy::GapPolicy;

/// Counts for one agent, in (frame, agent) entries (x and y together).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentReport {
    /// Agent id.
    pub agent: String,
    /// Observed entries (never changed).
    pub observed: usize,
    /// Interior gap entries filled by the method.
    pub filled_method: usize,
    /// Interior gap entries filled by the fallback ([`ImputeReport::fallback`]):
    /// the agent had too few knots in a period for the method, or the gap
    /// was longer than `max_gap` with `LongGaps::Fallback`.
    pub filled_fallback: usize,
    /// Edge entries filled by the edge rule ([`GapPolicy::edges`]).
    pub filled_edge: usize,
    /// Left missing: the gap (or edge run) was longer than `max_gap`.
    pub left_gap_too_long: usize,
    /// Left missing: an edge run with `Edges::Leave`.
    pub left_edge: usize,
    /// Left missing: too few knots in the period for the method and the
    /// fallback (this includes periods where the agent is never observed).
    pub left_too_few_knots: usize,
    /// Left missing: the frame lies outside every period.
    pub left_outside_period: usize,
    /// Left missing: the interpolant overflowed to a non-finite value
    /// (only with coordinates near `f64::MAX`).
    pub left_non_finite: usize,
    /// Filled entries that the plausibility cap changed (a subset of
    /// [`filled`](Self::filled); 0 without a cap). Missing in older reports: 0.
    #[serde(default)]
    pub capped: usize,
    /// Of `filled_fallback`: interior gap entries that a learned method
    /// ([`crate::KnnRegression`]) filled by linear interpolation because it
    /// had no training rows for the agent (e.g. an agent with 2 observations).
    /// Always 0 for the interpolators.
    #[serde(default)]
    pub fallback_no_training: usize,
}

impl AgentReport {
    /// Entries filled by any rule.
    pub fn filled(&self) -> usize {
        self.filled_method + self.filled_fallback + self.filled_edge
    }

    /// Unobserved entries left missing for any reason.
    pub fn left(&self) -> usize {
        self.left_gap_too_long
            + self.left_edge
            + self.left_too_few_knots
            + self.left_outside_period
            + self.left_non_finite
    }

    fn add(&mut self, o: &AgentReport) {
        self.observed += o.observed;
        self.filled_method += o.filled_method;
        self.filled_fallback += o.filled_fallback;
        self.filled_edge += o.filled_edge;
        self.left_gap_too_long += o.left_gap_too_long;
        self.left_edge += o.left_edge;
        self.left_too_few_knots += o.left_too_few_knots;
        self.left_outside_period += o.left_outside_period;
        self.left_non_finite += o.left_non_finite;
        self.capped += o.capped;
        self.fallback_no_training += o.fallback_no_training;
    }
}

/// The report of one imputation run.
///
/// For every agent, `observed + filled() + left()` equals the number of frames.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImputeReport {
    /// Method name (the [`touchline_core::Imputer::name`]).
    pub method: String,
    /// The 1-D interpolant used by the method (e.g. `not_a_knot_spline`).
    pub interpolant: String,
    /// The fallback interpolant, if any.
    pub fallback: Option<String>,
    /// The policy applied.
    pub policy: GapPolicy,
    /// One entry per agent, in agent order.
    pub agents: Vec<AgentReport>,
    /// The plausibility cap applied to the filled entries, if any (its
    /// per-agent effect is [`AgentReport::capped`]).
    #[serde(default)]
    pub cap: Option<crate::PlausibilityCap>,
}

impl ImputeReport {
    /// Sums over all agents (`agent` is `"total"`).
    pub fn totals(&self) -> AgentReport {
        let mut t = AgentReport { agent: "total".into(), ..AgentReport::default() };
        for a in &self.agents {
            t.add(a);
        }
        t
    }
}
