//! Streaming gap filling for live tools: [`OnlineImputer`] takes frames one
//! at a time and emits them, in order and exactly once, as soon as every
//! agent's value for the frame is final.
//!
//! # What is final
//!
//! An agent's entry in a frame is final when it is
//!
//! - observed (emitted bit for bit as pushed);
//! - inside a gap that has *closed* (the agent reappeared) and enough
//!   observations after the gap have arrived to fix the interpolant
//!   ([`OnlineParams::context_knots`] of them), then interpolated like
//!   the batch [`crate::InterpImputer`] does, or left missing when the gap is
//!   longer than [`OnlineParams::max_gap`];
//! - or *given up*: the frame has waited [`OnlineParams::max_lookahead`]
//!   seconds. A closed gap is then interpolated with the knots that have
//!   arrived; in a gap still open the frame is treated as a trailing edge
//!   ([`OnlineParams::edges`]: held, extrapolated or left missing; left
//!   missing when it is more than `max_gap` after the last observation).
//!
//! # Latency and memory
//!
//! A frame pushed at time `t` is emitted by the first `push` whose time is
//! `>= t + max_lookahead` (or by [`OnlineImputer::flush`]): at most
//! `max_lookahead` seconds of stream time after it arrived, rounded up to
//! the next frame (so within `max_lookahead` plus one frame interval of
//! frame times). It goes out earlier when every agent is resolved sooner: a
//! frame where every agent is observed and nothing earlier is pending is
//! emitted by its own `push`; a gap longer than `max_gap` is resolved as soon
//! as it closes; under [`Edges::Leave`], frames before an agent's first
//! observation, and a run of absence once longer than `max_gap`, are
//! resolved (left missing) at once. The buffer holds
//! only the frames of the last `max_lookahead` seconds
//! ([`OnlineImputer::buffered_frames`]); per agent, the knots kept are the
//! `context_knots` before the oldest pending gap plus the observations since
//! (all within the buffer), at least two ([`OnlineImputer::knots_held`]).
//!
//! # Context and agreement with the batch imputer
//!
//! A gap between knots `j` and `j + 1` (numbered over the stream) is
//! interpolated through knots `j + 1 - c ..= j + c` (clamped to the stream's
//! first and last knot), `c` = `context_knots`. The default `c` is the
//! number the method's slopes on the gap depend on, so that the local
//! methods agree with the batch imputer on the same data:
//!
//! | kind | default `c` | batch agreement |
//! |---|---|---|
//! | `Linear` | 1 | bit-identical |
//! | `Steffen`, `Pchip` | 2 | bit-identical (the slopes at knots `j`, `j+1` use knots `j-1..=j+2`, the end rules the first/last three) |
//! | `Akima`, `Makima` | 3 | bit-identical except where a knot's weights are nonzero but below `1e-9` of the batch's largest (the threshold is global in scipy's rule, local here) |
//! | `NaturalSpline`, `NotAKnotSpline` | 8 | approximate: a C2 spline is global; the error decays geometrically with `c` |
//!
//! This holds for a gap when the `c` knots after it arrive within
//! `max_lookahead` of the gap's first frame, or the stream ends
//! ([`OnlineImputer::flush`]) first. With fewer knots in the window than the
//! method needs ([`crate::interp::Kind::min_knots`]), a gap is filled
//! linearly, as the batch fallback does for an agent with that few knots.
//!
//! Edges: with [`Edges::Leave`] they agree with the batch. With `Hold` or
//! `Extrapolate`, a leading run (before the agent's first observation) is
//! filled from the first one or two knots and left missing when longer than
//! `max_gap`, as in the batch; a trailing run is decided frame by frame
//! (each frame more than `max_gap` after the last knot is left missing; the
//! batch leaves the whole run when it is longer than `max_gap`).
//!
//! Where the online result can differ from the batch (by design: it cannot
//! see the future): a gap whose first frames wait `max_lookahead` before the
//! agent reappears has those frames decided as a trailing edge and the rest
//! interpolated once it reappears (the batch interpolates all, or leaves all
//! when longer than `max_gap`); frames before an agent's first observation
//! that wait `max_lookahead` are left missing; a gap resolved by the
//! deadline with fewer than `c` knots after it uses a smaller window.
//!
//! The stream is one period: call [`OnlineImputer::flush`] at a period
//! boundary; it resolves everything and forgets the knots, so nothing is
//! interpolated across it.
//!
//! ```
//! use touchline_core::{Agent, Team};
//! use touchline_impute::{Edges, OnlineImputer, OnlineParams, interp::Kind};
//!
//! let agents = vec![Agent::new("home_7", Team::Home)];
//! let params = OnlineParams { max_lookahead: 1.0, edges: Edges::Leave, ..OnlineParams::new(Kind::Linear) };
//! let mut on = OnlineImputer::new(&agents, params)?;
//! let mut out = Vec::new();
//! for i in 0..10 {
//!     let t = i as f64 * 0.1;
//!     let p = if (3..6).contains(&i) { None } else { Some([4.0 * t, 1.0]) };
//!     out.extend(on.push(t, i, &[p])?);
//! }
//! out.extend(on.flush());
//! assert_eq!(out.len(), 10);
//! assert!(!out[4].observed[0]);
//! let [x, _] = out[4].positions[0].unwrap();
//! assert!((x - 1.6).abs() < 1e-12); // 4 m/s * 0.4 s
//! # Ok::<(), touchline_impute::online::OnlineError>(())
//! ```

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use touchline_core::Agent;

use crate::cap::{CapScratch, Limits, PlausibilityCap, Walker, cap_range};
use crate::error::ImputeError;
use crate::interp::{Kind, Workspace, eval_interval, slopes_into};
use crate::policy::{Edges, GapPolicy, LongGaps};
use crate::report::{AgentReport, ImputeReport};

/// Errors of the streaming imputer. The imputer is unchanged by a rejected push.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OnlineError {
    /// Invalid parameters.
    #[error(transparent)]
    Params(#[from] ImputeError),
    /// The frame has a different number of positions than there are agents.
    #[error("frame {frame_id}: {found} positions for {expected} agents")]
    WrongLength {
        /// Frame id pushed.
        frame_id: i64,
        /// Number of agents.
        expected: usize,
        /// Number of positions given.
        found: usize,
    },
    /// The time is NaN or infinite.
    #[error("frame {frame_id}: non-finite time {time_s}")]
    NonFiniteTime {
        /// Frame id pushed.
        frame_id: i64,
        /// The time given.
        time_s: f64,
    },
    /// The time is not after the previous frame's.
    #[error("frame {frame_id}: time {time_s} not after the previous frame's {previous}")]
    NonIncreasingTime {
        /// Frame id pushed.
        frame_id: i64,
        /// Time of the previous frame.
        previous: f64,
        /// The time given.
        time_s: f64,
    },
    /// An observed coordinate is NaN or infinite (send `None` for missing).
    #[error("frame {frame_id}, agent {agent}: non-finite coordinate {value}")]
    NonFinitePosition {
        /// Frame id pushed.
        frame_id: i64,
        /// Agent index.
        agent: usize,
        /// The coordinate given.
        value: f64,
    },
}

/// What [`OnlineImputer`] puts where it cannot interpolate: in frames
/// *given up* (they waited [`OnlineParams::max_lookahead`] while the agent's
/// gap was still open) and in gaps longer than [`OnlineParams::max_gap`].
///
/// Every rule but `Edges` applies to both, from the agent's last observation
/// before the gap, whatever `max_gap` (the gap limit then only decides what
/// is interpolated). Leading runs (before the agent's first observation) are
/// not affected: they follow [`OnlineParams::edges`].
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineFallback {
    /// Given-up frames follow the trailing-edge rule [`OnlineParams::edges`]
    /// and are left missing more than `max_gap` after the last observation;
    /// gaps longer than `max_gap` are left missing (as before this option).
    #[default]
    Edges,
    /// Left missing.
    Leave,
    /// The last observed position, held.
    Hold,
    /// Constant velocity from the last two observations (held when there is
    /// one), for at most `max_s` seconds after the last observation; then
    /// held where it got to.
    Extrapolate {
        /// Longest extrapolation, seconds (finite, `>= 0`).
        max_s: f64,
    },
}

/// Parameters of [`OnlineImputer`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OnlineParams {
    /// The interpolant.
    pub kind: Kind,
    /// Knots used on each side of a gap (`None`: the method's default, see
    /// the [module docs](self); at least 1).
    #[serde(default)]
    pub context_knots: Option<usize>,
    /// Longest wait, in seconds of stream time, before a frame is emitted
    /// (finite, `>= 0`). Bounds latency and memory.
    pub max_lookahead: f64,
    /// Longest gap filled, in seconds (`> 0`, may be infinite), as
    /// [`GapPolicy::max_gap`] with [`LongGaps::Leave`].
    pub max_gap: f64,
    /// Edges and given-up frames: hold, extrapolate or leave.
    pub edges: Edges,
    /// Given-up frames and gaps longer than `max_gap` (default
    /// [`OnlineFallback::Edges`]: as `edges` and `max_gap` say).
    #[serde(default)]
    pub fallback: OnlineFallback,
    /// Optional speed/acceleration cap on the filled entries (default `None`),
    /// the rule of [`PlausibilityCap`] applied as frames are resolved: a gap
    /// filled at once is capped between its two ends (the left end being the
    /// last value emitted for the agent when frames of the gap were given up
    /// before); given-up frames, which go out one at a time, get the forward
    /// pass only (from the last observation, step by step).
    #[serde(default)]
    pub cap: Option<PlausibilityCap>,
}

impl OnlineParams {
    /// `kind` with default context, 2 s look-ahead, no gap limit, hold edges.
    pub fn new(kind: Kind) -> Self {
        OnlineParams {
            kind,
            context_knots: None,
            max_lookahead: 2.0,
            max_gap: f64::INFINITY,
            edges: Edges::Hold,
            fallback: OnlineFallback::Edges,
            cap: None,
        }
    }

    /// Knots per side used for `kind` when [`OnlineParams::context_knots`] is `None`.
    pub fn default_context(kind: Kind) -> usize {
        match kind {
            Kind::Linear => 1,
            Kind::Steffen | Kind::Pchip => 2,
            Kind::Akima | Kind::Makima => 3,
            Kind::NaturalSpline | Kind::NotAKnotSpline => 8,
        }
    }

    /// Knots per side in effect.
    pub fn context(&self) -> usize {
        self.context_knots.unwrap_or_else(|| Self::default_context(self.kind))
    }

    /// The equivalent batch policy (`LongGaps::Leave`, linear fallback).
    pub fn gap_policy(&self) -> GapPolicy {
        GapPolicy {
            max_gap: self.max_gap,
            long_gaps: LongGaps::Leave,
            edges: self.edges,
            fallback: Some(Kind::Linear),
        }
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<(), ImputeError> {
        self.gap_policy().validate()?;
        if !self.max_lookahead.is_finite() || self.max_lookahead < 0.0 {
            return Err(ImputeError::InvalidParameter {
                name: "max_lookahead",
                reason: format!("must be finite seconds >= 0, got {}", self.max_lookahead),
            });
        }
        if self.context_knots == Some(0) {
            return Err(ImputeError::InvalidParameter {
                name: "context_knots",
                reason: "must be at least 1".into(),
            });
        }
        if let OnlineFallback::Extrapolate { max_s } = self.fallback
            && !(max_s.is_finite() && max_s >= 0.0)
        {
            return Err(ImputeError::InvalidParameter {
                name: "fallback.max_s",
                reason: format!("must be finite seconds >= 0, got {max_s}"),
            });
        }
        if let Some(c) = &self.cap {
            c.validate()?;
        }
        Ok(())
    }
}

/// One frame out of [`OnlineImputer`].
#[derive(Debug, Clone, PartialEq)]
pub struct EmittedFrame {
    /// Frame id as pushed.
    pub frame_id: i64,
    /// Time as pushed, in seconds.
    pub time_s: f64,
    /// Per agent: observed or filled position, `None` when left missing.
    pub positions: Vec<Option<[f64; 2]>>,
    /// Per agent: whether the position was observed (as pushed, bit for bit).
    pub observed: Vec<bool>,
}

#[derive(Debug, Clone)]
struct Slot {
    frame: EmittedFrame,
    pending: usize,
}

#[derive(Debug, Clone, Copy)]
struct Knot {
    t: f64,
    x: f64,
    y: f64,
}

/// A run of frames where the agent is unseen and not yet resolved.
#[derive(Debug, Clone, Copy)]
struct Gap {
    /// Stream number of the knot before the run (`None`: before the first).
    left: Option<u64>,
    /// Unresolved frames, as stream sequence numbers `start..end`.
    start: u64,
    end: u64,
    /// Time of the run's first frame (for the leading-edge length).
    run_t0: f64,
    /// The agent has been seen since (the run cannot grow).
    closed: bool,
}

/// What [`OnlineFallback`] and the cap did for one agent (entries).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FallbackCounts {
    /// Given-up frames (the gap still open after `max_lookahead`) that a
    /// rule other than [`OnlineFallback::Edges`] decided.
    pub given_up: usize,
    /// Frames of gaps longer than `max_gap` that such a rule decided.
    pub too_long: usize,
    /// Of those: filled with the last observation held.
    pub held: usize,
    /// Of those: filled by extrapolation (within `max_s` of the last
    /// observation).
    pub extrapolated: usize,
    /// Of those: filled with the extrapolation stopped at `max_s`.
    pub stopped: usize,
    /// Of those: left missing ([`OnlineFallback::Leave`]).
    pub left: usize,
    /// Filled entries the cap changed (any rule; also in the report's `capped`).
    pub capped: usize,
}

/// The forward walk of the cap through the given-up frames of one gap.
#[derive(Debug, Clone, Copy)]
struct Walk {
    /// Stream number of the knot the gap starts after.
    left: u64,
    walker: Option<Walker>,
    /// Sequence number, time and value of the last frame emitted in the walk.
    last: Option<(u64, f64, [f64; 2])>,
}

#[derive(Debug, Clone, Default)]
struct AgentState {
    limits: Option<Limits>,
    walk: Option<Walk>,
    fb: FallbackCounts,
    knots: VecDeque<Knot>,
    /// Stream number of `knots[0]`.
    first: u64,
    /// Knots seen so far in this period.
    count: u64,
    gaps: VecDeque<Gap>,
    report: AgentReport,
}

impl AgentState {
    fn knot(&self, n: u64) -> Knot {
        self.knots[(n - self.first) as usize]
    }
}

#[derive(Debug, Default, Clone)]
struct Scratch {
    kt: Vec<f64>,
    kx: Vec<f64>,
    ky: Vec<f64>,
    dx: Vec<f64>,
    dy: Vec<f64>,
    ws: Workspace,
    ct: Vec<f64>,
    cxy: Vec<[f64; 2]>,
    cap: CapScratch,
}

/// Streaming gap filler; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct OnlineImputer {
    params: OnlineParams,
    context: usize,
    n_agents: usize,
    slots: VecDeque<Slot>,
    /// Sequence number of `slots[0]`.
    front: u64,
    last_t: Option<f64>,
    agents: Vec<AgentState>,
    scratch: Scratch,
}

impl OnlineImputer {
    /// An imputer for frames of `agents` (their order is the order of the
    /// positions pushed).
    pub fn new(agents: &[Agent], params: OnlineParams) -> Result<Self, OnlineError> {
        params.validate()?;
        let states = agents
            .iter()
            .map(|a| AgentState {
                limits: params.cap.map(|c| c.limits(a.team)),
                report: AgentReport { agent: a.id.clone(), ..Default::default() },
                ..Default::default()
            })
            .collect();
        Ok(OnlineImputer {
            params,
            context: params.context(),
            n_agents: agents.len(),
            slots: VecDeque::new(),
            front: 0,
            last_t: None,
            agents: states,
            scratch: Scratch::default(),
        })
    }

    /// The parameters.
    pub fn params(&self) -> &OnlineParams {
        &self.params
    }

    /// Frames held, waiting to be emitted.
    pub fn buffered_frames(&self) -> usize {
        self.slots.len()
    }

    /// Knots held over all agents.
    pub fn knots_held(&self) -> usize {
        self.agents.iter().map(|a| a.knots.len()).sum()
    }

    /// Per agent, what [`OnlineParams::fallback`] and [`OnlineParams::cap`]
    /// did so far.
    pub fn fallback_counts(&self) -> Vec<FallbackCounts> {
        self.agents.iter().map(|a| a.fb).collect()
    }

    /// What was done so far (counts over emitted and resolved entries), in
    /// the batch report's terms: `filled_method`, `filled_fallback` (linear
    /// for too few knots, and the entries an [`OnlineFallback`] other than
    /// `Edges` filled), `filled_edge`, `left_edge` (edges and given-up
    /// frames under [`Edges::Leave`] or [`OnlineFallback::Leave`], and frames
    /// given up with no knot yet), `left_gap_too_long`, `left_non_finite`,
    /// `capped`. [`OnlineImputer::fallback_counts`] breaks the fallback down.
    pub fn report(&self) -> ImputeReport {
        ImputeReport {
            method: format!("online_{}", crate::InterpImputer::method_name(self.params.kind)),
            interpolant: self.params.kind.name().to_string(),
            fallback: Some(Kind::Linear.name().to_string()),
            policy: self.params.gap_policy(),
            agents: self.agents.iter().map(|a| a.report.clone()).collect(),
            cap: self.params.cap,
        }
    }

    /// Adds a frame (`None`: agent unseen) and returns the frames now final,
    /// oldest first. Rejects a wrong number of positions, a non-finite time
    /// or coordinate and a time not after the previous one, leaving the
    /// imputer unchanged.
    pub fn push(
        &mut self,
        time_s: f64,
        frame_id: i64,
        positions: &[Option<[f64; 2]>],
    ) -> Result<Vec<EmittedFrame>, OnlineError> {
        if positions.len() != self.n_agents {
            return Err(OnlineError::WrongLength {
                frame_id,
                expected: self.n_agents,
                found: positions.len(),
            });
        }
        if !time_s.is_finite() {
            return Err(OnlineError::NonFiniteTime { frame_id, time_s });
        }
        if let Some(previous) = self.last_t
            && time_s <= previous
        {
            return Err(OnlineError::NonIncreasingTime { frame_id, previous, time_s });
        }
        for (agent, p) in positions.iter().enumerate() {
            if let Some(xy) = p
                && let Some(&value) = xy.iter().find(|v| !v.is_finite())
            {
                return Err(OnlineError::NonFinitePosition { frame_id, agent, value });
            }
        }
        self.last_t = Some(time_s);
        let seq = self.front + self.slots.len() as u64;
        let mut pending = 0;
        for (st, p) in self.agents.iter_mut().zip(positions) {
            match p {
                Some([x, y]) => {
                    st.knots.push_back(Knot { t: time_s, x: *x, y: *y });
                    st.count += 1;
                    st.report.observed += 1;
                    if let Some(g) = st.gaps.back_mut() {
                        g.closed = true;
                    }
                }
                None => {
                    pending += 1;
                    let left = st.count.checked_sub(1);
                    match st.gaps.back_mut() {
                        Some(g) if !g.closed && g.end == seq => g.end += 1,
                        _ => st.gaps.push_back(Gap {
                            left,
                            start: seq,
                            end: seq + 1,
                            run_t0: time_s,
                            closed: false,
                        }),
                    }
                }
            }
        }
        self.slots.push_back(Slot {
            frame: EmittedFrame {
                frame_id,
                time_s,
                positions: positions.to_vec(),
                observed: positions.iter().map(Option::is_some).collect(),
            },
            pending,
        });
        self.resolve(false);
        Ok(self.drain_ready())
    }

    /// Resolves everything pending (as at the end of the stream) and returns
    /// the remaining frames. The imputer then starts a new period: knots and
    /// the time order are forgotten.
    pub fn flush(&mut self) -> Vec<EmittedFrame> {
        self.resolve(true);
        let out = self.drain_ready();
        self.front += self.slots.len() as u64;
        self.slots.clear();
        self.last_t = None;
        for st in &mut self.agents {
            st.knots.clear();
            st.gaps.clear();
            st.first = 0;
            st.count = 0;
            st.walk = None;
        }
        out
    }

    fn drain_ready(&mut self) -> Vec<EmittedFrame> {
        let mut out = Vec::new();
        while self.slots.front().is_some_and(|s| s.pending == 0) {
            if let Some(s) = self.slots.pop_front() {
                out.push(s.frame);
                self.front += 1;
            }
        }
        out
    }

    fn resolve(&mut self, flush: bool) {
        let Some(newest) = self.last_t else { return };
        let c = self.context as u64;
        let p = self.params;
        let deadline = |t: f64| flush || newest - t >= p.max_lookahead;
        let OnlineImputer { slots, front, agents, scratch, .. } = self;
        let front = *front;
        for (a, st) in agents.iter_mut().enumerate() {
            while let Some(&g) = st.gaps.front() {
                if g.start == g.end && g.closed {
                    st.gaps.pop_front();
                    continue;
                }
                if g.start == g.end {
                    break;
                }
                let first_t = slots[(g.start - front) as usize].frame.time_s;
                let due = deadline(first_t);
                if g.closed {
                    let right = match g.left {
                        Some(kl) => st.count - kl - 1,
                        None => st.count,
                    };
                    let need = match (g.left, p.edges) {
                        // Too long: left missing whatever comes next.
                        (Some(kl), _) if st.knot(kl + 1).t - st.knot(kl).t > p.max_gap => 1,
                        (Some(_), _) => c,
                        (None, Edges::Extrapolate) => 2,
                        (None, _) => 1,
                    };
                    if right < need && !due {
                        break;
                    }
                    match g.left {
                        Some(kl) => fill_interior(&p, c, st, kl, g, slots, front, a, scratch),
                        None => fill_leading(&p, st, g, slots, front, a, scratch),
                    }
                    st.gaps.pop_front();
                } else {
                    // Open run: give up the frames that are due, oldest first.
                    // Under `Leave` the run is certain to be left missing
                    // before the first knot, or once it is longer than
                    // `max_gap` (too long if the agent reappears, a left edge
                    // if not): give it up now.
                    let certain = match g.left {
                        None => p.edges == Edges::Leave,
                        Some(kl) => {
                            newest - st.knot(kl).t > p.max_gap
                                && match p.fallback {
                                    OnlineFallback::Edges => p.edges == Edges::Leave,
                                    OnlineFallback::Leave => true,
                                    OnlineFallback::Hold | OnlineFallback::Extrapolate { .. } => false,
                                }
                        }
                    };
                    let mut s = g.start;
                    while s < g.end {
                        let slot = &mut slots[(s - front) as usize];
                        if !certain && !deadline(slot.frame.time_s) {
                            break;
                        }
                        give_up(&p, st, g.left, slot, s, a);
                        s += 1;
                    }
                    if let Some(gm) = st.gaps.front_mut() {
                        gm.start = s;
                    }
                    break;
                }
            }
            trim_knots(st, c);
        }
    }
}

/// Drops knots no pending gap or edge rule can use.
fn trim_knots(st: &mut AgentState, c: u64) {
    let keep_last = c.max(2);
    let mut lo = st.count.saturating_sub(keep_last);
    if let Some(g) = st.gaps.front() {
        lo = lo.min(match g.left {
            Some(kl) => kl.saturating_sub(c.max(2) - 1),
            None => 0,
        });
    }
    while st.first < lo && !st.knots.is_empty() {
        st.knots.pop_front();
        st.first += 1;
    }
}

fn set(slot: &mut Slot, a: usize, x: f64, y: f64, counter: &mut usize, non_finite: &mut usize) {
    if x.is_finite() && y.is_finite() {
        slot.frame.positions[a] = Some([x, y]);
        *counter += 1;
    } else {
        *non_finite += 1;
    }
    slot.pending -= 1;
}

/// Caps the values `s.cxy[lo..hi]` at times `s.ct[lo..hi]` (one run of
/// filled frames, in order) between the optional anchors `left`/`right`
/// (time, observed or already emitted position) with [`cap_range`]; returns
/// how many changed. `s.ct`/`s.cxy` hold exactly the run on entry and on exit.
fn cap_run(
    lim: Limits,
    left: Option<(f64, [f64; 2])>,
    right: Option<(f64, [f64; 2])>,
    s: &mut Scratch,
) -> usize {
    if left.is_none() && right.is_none() {
        return 0;
    }
    let n = s.ct.len();
    if let Some((t, p)) = left {
        s.ct.insert(0, t);
        s.cxy.insert(0, p);
    }
    if let Some((t, p)) = right {
        s.ct.push(t);
        s.cxy.push(p);
    }
    let lo = usize::from(left.is_some());
    let last = s.ct.len() - 1;
    let has_right = right.is_some();
    let observed = |i: usize| (lo == 1 && i == 0) || (has_right && i == last);
    let changed = cap_range(lim, &s.ct, observed, 0..s.ct.len(), &mut s.cxy, &mut s.cap);
    if has_right {
        s.ct.pop();
        s.cxy.pop();
    }
    if lo == 1 {
        s.ct.remove(0);
        s.cxy.remove(0);
    }
    debug_assert_eq!(s.ct.len(), n);
    changed
}

/// Emits the run `s.cxy` (values of frames `g.start..g.end`) after capping
/// it between `left` and `right` when the cap is on.
#[allow(clippy::too_many_arguments)]
fn emit_run(
    st: &mut AgentState,
    left: Option<(f64, [f64; 2])>,
    right: Option<(f64, [f64; 2])>,
    g: Gap,
    slots: &mut VecDeque<Slot>,
    front: u64,
    a: usize,
    s: &mut Scratch,
    counter: fn(&mut AgentReport) -> &mut usize,
) {
    if let Some(lim) = st.limits {
        let n = cap_run(lim, left, right, s);
        st.report.capped += n;
        st.fb.capped += n;
    }
    for (q, &[x, y]) in (g.start..g.end).zip(&s.cxy) {
        let slot = &mut slots[(q - front) as usize];
        let rep = &mut st.report;
        if x.is_finite() && y.is_finite() {
            slot.frame.positions[a] = Some([x, y]);
            *counter(rep) += 1;
        } else {
            rep.left_non_finite += 1;
        }
        slot.pending -= 1;
    }
}

/// The left anchor of a gap after knot `kl` filled at once: the last value
/// emitted for frames of the gap given up before (just before `start`), else
/// the knot.
fn left_anchor(st: &AgentState, kl: u64, start: u64) -> (f64, [f64; 2]) {
    if let Some(Walk { left, last: Some((q, t, p)), .. }) = st.walk
        && left == kl
        && q + 1 == start
    {
        return (t, p);
    }
    let k = st.knot(kl);
    (k.t, [k.x, k.y])
}

#[allow(clippy::too_many_arguments)]
fn fill_interior(
    p: &OnlineParams,
    c: u64,
    st: &mut AgentState,
    kl: u64,
    g: Gap,
    slots: &mut VecDeque<Slot>,
    front: u64,
    a: usize,
    s: &mut Scratch,
) {
    let n = g.end - g.start;
    let (k0, k1) = (st.knot(kl), st.knot(kl + 1));
    if k1.t - k0.t > p.max_gap {
        if p.fallback == OnlineFallback::Edges {
            st.report.left_gap_too_long += n as usize;
            for q in g.start..g.end {
                slots[(q - front) as usize].pending -= 1;
            }
        } else {
            // the same rule as for frames given up in the open gap
            for q in g.start..g.end {
                let slot = &mut slots[(q - front) as usize];
                fallback_frame(p, st, kl, slot, q, a, true);
            }
        }
        return;
    }
    let lo = (kl + 1).saturating_sub(c).max(st.first);
    let hi = (kl + c).min(st.count - 1);
    s.kt.clear();
    s.kx.clear();
    s.ky.clear();
    for q in lo..=hi {
        let k = st.knot(q);
        s.kt.push(k.t);
        s.kx.push(k.x);
        s.ky.push(k.y);
    }
    let m = s.kt.len();
    let (kind, fallback) = if m >= p.kind.min_knots() { (p.kind, false) } else { (Kind::Linear, true) };
    slopes_into(kind, &s.kt, &s.kx, &mut s.dx, &mut s.ws);
    slopes_into(kind, &s.kt, &s.ky, &mut s.dy, &mut s.ws);
    let j = (kl - lo) as usize;
    let lin = kind == Kind::Linear;
    s.ct.clear();
    s.cxy.clear();
    for q in g.start..g.end {
        let t = slots[(q - front) as usize].frame.time_s;
        let x = eval_interval(lin, &s.kt, &s.kx, &s.dx, j, t);
        let y = eval_interval(lin, &s.kt, &s.ky, &s.dy, j, t);
        s.ct.push(t);
        s.cxy.push([x, y]);
    }
    let left = left_anchor(st, kl, g.start);
    let right = (k1.t, [k1.x, k1.y]);
    let counter: fn(&mut AgentReport) -> &mut usize =
        if fallback { |r| &mut r.filled_fallback } else { |r| &mut r.filled_method };
    emit_run(st, Some(left), Some(right), g, slots, front, a, s, counter);
}

fn fill_leading(
    p: &OnlineParams,
    st: &mut AgentState,
    g: Gap,
    slots: &mut VecDeque<Slot>,
    front: u64,
    a: usize,
    s: &mut Scratch,
) {
    let k0 = st.knot(0);
    let k1 = if st.count >= 2 { Some(st.knot(1)) } else { None };
    let rep = &mut st.report;
    let n = (g.end - g.start) as usize;
    let leave = |slots: &mut VecDeque<Slot>| {
        for q in g.start..g.end {
            slots[(q - front) as usize].pending -= 1;
        }
    };
    if k0.t - g.run_t0 > p.max_gap {
        rep.left_gap_too_long += n;
        return leave(slots);
    }
    let (vx, vy) = match p.edges {
        Edges::Leave => {
            rep.left_edge += n;
            return leave(slots);
        }
        Edges::Extrapolate if let Some(k1) = k1 => {
            let dt = k1.t - k0.t;
            ((k1.x - k0.x) / dt, (k1.y - k0.y) / dt)
        }
        Edges::Hold | Edges::Extrapolate => (0.0, 0.0),
    };
    s.ct.clear();
    s.cxy.clear();
    for q in g.start..g.end {
        let t = slots[(q - front) as usize].frame.time_s;
        let (x, y) = edge_value(k0, vx, vy, t);
        s.ct.push(t);
        s.cxy.push([x, y]);
    }
    emit_run(st, None, Some((k0.t, [k0.x, k0.y])), g, slots, front, a, s, |r| &mut r.filled_edge);
}

/// The batch imputer's edge formula.
#[inline]
fn edge_value(k: Knot, vx: f64, vy: f64, t: f64) -> (f64, f64) {
    let u = t - k.t;
    if vx == 0.0 && vy == 0.0 { (k.x, k.y) } else { (k.x + vx * u, k.y + vy * u) }
}

/// Velocity from knot `kl - 1` to `kl` (zero when `kl` is the first held).
fn last_velocity(st: &AgentState, kl: u64) -> (f64, f64) {
    if kl > st.first {
        let (k0, k1) = (st.knot(kl), st.knot(kl - 1));
        let dt = k1.t - k0.t;
        ((k1.x - k0.x) / dt, (k1.y - k0.y) / dt)
    } else {
        (0.0, 0.0)
    }
}

/// Emits `(x, y)` for frame `q` of a gap after knot `kl` filled one frame at
/// a time (given up, or a long gap under a fallback rule): through the cap's
/// forward walk when the cap is on.
#[allow(clippy::too_many_arguments)]
fn emit_walked(
    st: &mut AgentState,
    kl: u64,
    slot: &mut Slot,
    q: u64,
    a: usize,
    x: f64,
    y: f64,
    counter: fn(&mut AgentReport) -> &mut usize,
) {
    let t = slot.frame.time_s;
    let (mut x, mut y) = (x, y);
    if st.walk.is_none_or(|w| w.left != kl) {
        let k = st.knot(kl);
        st.walk =
            Some(Walk { left: kl, walker: st.limits.map(|l| Walker::new(l, [k.x, k.y], k.t)), last: None });
    }
    if let Some(w) = st.walk.as_mut() {
        if x.is_finite()
            && y.is_finite()
            && let Some(wk) = w.walker.as_mut()
        {
            let (p, clamped) = wk.step([x, y], t);
            if clamped && (p[0].to_bits() != x.to_bits() || p[1].to_bits() != y.to_bits()) {
                st.report.capped += 1;
                st.fb.capped += 1;
                (x, y) = (p[0], p[1]);
            }
        }
        if x.is_finite() && y.is_finite() {
            w.last = Some((q, t, [x, y]));
        }
    }
    let rep = &mut st.report;
    let mut non_finite = 0;
    set(slot, a, x, y, counter(rep), &mut non_finite);
    rep.left_non_finite += non_finite;
}

/// Frame `q` of a gap after knot `kl` under an [`OnlineFallback`] other than
/// `Edges` (`too_long`: the gap closed longer than `max_gap`; else given up).
fn fallback_frame(
    p: &OnlineParams,
    st: &mut AgentState,
    kl: u64,
    slot: &mut Slot,
    q: u64,
    a: usize,
    too_long: bool,
) {
    if too_long {
        st.fb.too_long += 1;
    } else {
        st.fb.given_up += 1;
    }
    let k0 = st.knot(kl);
    let t = slot.frame.time_s;
    let (x, y) = match p.fallback {
        OnlineFallback::Edges | OnlineFallback::Leave => {
            st.fb.left += 1;
            if too_long {
                st.report.left_gap_too_long += 1;
            } else {
                st.report.left_edge += 1;
            }
            slot.pending -= 1;
            return;
        }
        OnlineFallback::Hold => {
            st.fb.held += 1;
            (k0.x, k0.y)
        }
        OnlineFallback::Extrapolate { max_s } => {
            let (vx, vy) = last_velocity(st, kl);
            let u = t - k0.t;
            if u > max_s {
                st.fb.stopped += 1;
            } else {
                st.fb.extrapolated += 1;
            }
            let u = u.min(max_s);
            if vx == 0.0 && vy == 0.0 { (k0.x, k0.y) } else { (k0.x + vx * u, k0.y + vy * u) }
        }
    };
    emit_walked(st, kl, slot, q, a, x, y, |r| &mut r.filled_fallback);
}

/// A frame of an open run that waited `max_lookahead`: the fallback rule, or
/// (`OnlineFallback::Edges`) a trailing edge.
fn give_up(p: &OnlineParams, st: &mut AgentState, left: Option<u64>, slot: &mut Slot, q: u64, a: usize) {
    let t = slot.frame.time_s;
    let Some(kl) = left else {
        st.report.left_edge += 1;
        slot.pending -= 1;
        return;
    };
    if p.fallback != OnlineFallback::Edges {
        return fallback_frame(p, st, kl, slot, q, a, false);
    }
    let k0 = st.knot(kl);
    if t - k0.t > p.max_gap {
        st.report.left_gap_too_long += 1;
        slot.pending -= 1;
        return;
    }
    let (vx, vy) = match p.edges {
        Edges::Leave => {
            st.report.left_edge += 1;
            slot.pending -= 1;
            return;
        }
        Edges::Extrapolate => last_velocity(st, kl),
        Edges::Hold => (0.0, 0.0),
    };
    let (x, y) = edge_value(k0, vx, vy, t);
    emit_walked(st, kl, slot, q, a, x, y, |r| &mut r.filled_edge);
}
