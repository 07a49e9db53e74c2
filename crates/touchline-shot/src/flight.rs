//! The ball's flight as a curve in the image, and the goal-line arrival it gives when the
//! ball is followed out of the goal mouth's image region without stopping.
//!
//! A ball in flight, seen by a distant camera, moves along a quadratic in time in each image
//! coordinate (constant velocity plus gravity, under a near-affine projection). [`fit_flight`]
//! finds that curve among noisy candidates (the detector's balls, frame-difference blobs of
//! the keeper's gloves and boots) by RANSAC over triples of frames and a least-squares refit
//! on the inliers; every frame contributes at most one inlier.
//!
//! [`refine_with_flight`] uses it where [`crate::decide_goal`] only knew the ball's entry into
//! the mouth's image region (a [`crate::LineRule::RegionEntry`] upper bound on the speed). In a
//! view from behind the kicker the ball's image climbs monotonically through the mouth; for a
//! goal it crossed the line inside the frame of the goal, so no later than the moment its
//! image leaves the mouth region (over the crossbar's image line or past a post's). Had it
//! crossed much earlier the net would have stopped it in view (a stall); so the line is taken
//! within `net_depth_m` of flight before that moment. See `docs/shot.md`.

use serde::{Deserialize, Serialize};

use crate::error::{Result, invalid};
use crate::football::{FootballReport, LineRule, SpeedBound, SpeedEstimate, SpeedMethod};
use crate::region::GoalRegion;
use crate::{FootballOutcome, SpeedConfig};

/// One ball candidate: a detection or a motion blob.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FlightCandidate {
    /// Frame index.
    pub frame: usize,
    /// Time (s).
    pub time: f64,
    /// Centre (px).
    pub pos: [f64; 2],
    /// Apparent diameter (px), if known.
    pub width: Option<f64>,
}

/// Settings of [`fit_flight`] and [`refine_with_flight`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FlightConfig {
    /// A candidate within this distance (px) of the curve is an inlier.
    pub tolerance_px: f64,
    /// Fewest inlier frames.
    pub min_frames: usize,
    /// Shortest time the inliers must span (s).
    pub min_span_s: f64,
    /// Triples of frames tried (deterministic sampling).
    pub samples: usize,
    /// The fitted curve at the kick's time must lie within this distance (px) of the kick
    /// position: the flight starts at the kick.
    pub kick_radius_px: f64,
    /// How far past the last inlier (s) the curve may be extrapolated to the mouth's edge.
    pub max_extrapolation_s: f64,
    /// Depth of the net behind the line (m): had the ball crossed the line earlier than this
    /// much flight before leaving the mouth's image region, the net would have stopped it.
    pub net_depth_m: f64,
}

impl Default for FlightConfig {
    /// 12 px, 5 frames over 0.15 s, 4000 triples, kick radius 80 px, 0.15 s extrapolation,
    /// a 2 m net.
    fn default() -> Self {
        FlightConfig {
            tolerance_px: 12.0,
            min_frames: 5,
            min_span_s: 0.15,
            samples: 4000,
            kick_radius_px: 80.0,
            max_extrapolation_s: 0.15,
            net_depth_m: 2.0,
        }
    }
}

impl FlightConfig {
    /// Checks every field is finite and in range.
    pub fn validate(&self) -> Result<()> {
        let bad = |name: &'static str, v: f64| invalid(name, format!("{v} out of range"));
        for (name, v) in [
            ("tolerance_px", self.tolerance_px),
            ("kick_radius_px", self.kick_radius_px),
            ("net_depth_m", self.net_depth_m),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(bad(name, v));
            }
        }
        for (name, v) in [("min_span_s", self.min_span_s), ("max_extrapolation_s", self.max_extrapolation_s)]
        {
            if !(v.is_finite() && v >= 0.0) {
                return Err(bad(name, v));
            }
        }
        if self.min_frames < 3 {
            return Err(bad("min_frames", self.min_frames as f64));
        }
        if self.samples == 0 {
            return Err(bad("samples", 0.0));
        }
        Ok(())
    }
}

/// A fitted flight: `x(t) = x[0] + x[1] u + x[2] u^2` and the same for `y`, with `u = t - t0`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flight {
    /// Reference time (s).
    pub t0: f64,
    /// Coefficients of x (px, px/s, px/s^2).
    pub x: [f64; 3],
    /// Coefficients of y.
    pub y: [f64; 3],
    /// The inliers, one per frame, in time order.
    pub inliers: Vec<FlightCandidate>,
    /// Root-mean-square distance of the inliers to the curve (px).
    pub rms_px: f64,
}

impl Flight {
    /// The curve's position at time `t`.
    pub fn at(&self, t: f64) -> [f64; 2] {
        let u = t - self.t0;
        [self.x[0] + u * (self.x[1] + u * self.x[2]), self.y[0] + u * (self.y[1] + u * self.y[2])]
    }

    /// First and last inlier time.
    pub fn span(&self) -> [f64; 2] {
        [self.inliers.first().map_or(self.t0, |c| c.time), self.inliers.last().map_or(self.t0, |c| c.time)]
    }
}

/// Least-squares quadratic through `(u, v)` pairs; `None` when singular.
fn quadratic(points: &[(f64, f64)]) -> Option<[f64; 3]> {
    let mut m = [[0.0f64; 3]; 3];
    let mut r = [0.0f64; 3];
    for &(u, v) in points {
        let p = [1.0, u, u * u];
        for i in 0..3 {
            for j in 0..3 {
                m[i][j] += p[i] * p[j];
            }
            r[i] += p[i] * v;
        }
    }
    let det = |a: &[[f64; 3]; 3]| {
        a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
    };
    let d = det(&m);
    if !(d.is_finite() && d.abs() > 1e-12) {
        return None;
    }
    let mut out = [0.0; 3];
    for (k, o) in out.iter_mut().enumerate() {
        let mut a = m;
        for (row, rv) in a.iter_mut().zip(r) {
            row[k] = rv;
        }
        *o = det(&a) / d;
    }
    out.iter().all(|c| c.is_finite()).then_some(out)
}

/// Per frame, the candidate nearest the curve, if within the tolerance.
fn inliers(
    by_frame: &[Vec<FlightCandidate>],
    t0: f64,
    x: &[f64; 3],
    y: &[f64; 3],
    tol: f64,
) -> Vec<(FlightCandidate, f64)> {
    let f = Flight { t0, x: *x, y: *y, inliers: Vec::new(), rms_px: 0.0 };
    by_frame
        .iter()
        .filter_map(|cands| {
            cands
                .iter()
                .map(|c| {
                    let p = f.at(c.time);
                    (*c, (c.pos[0] - p[0]).hypot(c.pos[1] - p[1]))
                })
                .filter(|(_, d)| *d <= tol)
                .min_by(|a, b| a.1.total_cmp(&b.1))
        })
        .collect()
}

/// The ball's flight among `candidates` (any number per frame; non-finite ones are ignored):
/// the quadratic-in-time curve with the most inlier frames (ties: the smaller squared error),
/// refitted on its inliers. With an `anchor` (the kick: its position and time) only curves
/// passing within `kick_radius_px` of it count. A flight moves: its first and last inliers
/// must lie at least four tolerances apart (a still boot or post is not a flight). `None`
/// when no curve has `min_frames` inliers over `min_span_s`. Deterministic.
pub fn fit_flight(
    candidates: &[FlightCandidate],
    anchor: Option<([f64; 2], f64)>,
    cfg: &FlightConfig,
) -> Result<Option<Flight>> {
    cfg.validate()?;
    if let Some((p, t)) = anchor
        && !(p.iter().all(|v| v.is_finite()) && t.is_finite())
    {
        return Err(invalid("anchor", format!("{p:?} at {t} s is not finite")));
    }
    let anchored = |x: &[f64; 3], y: &[f64; 3], t0: f64| {
        anchor.is_none_or(|(p, t)| {
            let f = Flight { t0, x: *x, y: *y, inliers: Vec::new(), rms_px: 0.0 };
            let q = f.at(t);
            (q[0] - p[0]).hypot(q[1] - p[1]) <= cfg.kick_radius_px
        })
    };
    let moves = |inl: &[(FlightCandidate, f64)]| match (inl.first(), inl.last()) {
        (Some(a), Some(b)) => {
            (a.0.pos[0] - b.0.pos[0]).hypot(a.0.pos[1] - b.0.pos[1]) >= 4.0 * cfg.tolerance_px
        }
        _ => false,
    };
    let mut by_frame: Vec<Vec<FlightCandidate>> = Vec::new();
    let mut cands: Vec<FlightCandidate> = candidates
        .iter()
        .filter(|c| c.time.is_finite() && c.pos.iter().all(|v| v.is_finite()))
        .copied()
        .collect();
    cands.sort_by(|a, b| a.frame.cmp(&b.frame).then(a.time.total_cmp(&b.time)));
    for c in cands {
        match by_frame.last_mut() {
            Some(v) if v[0].frame == c.frame => v.push(c),
            _ => by_frame.push(vec![c]),
        }
    }
    let n = by_frame.len();
    if n < cfg.min_frames.max(3) {
        return Ok(None);
    }
    let t0 = by_frame[0][0].time;
    // A small deterministic generator (SplitMix64) for the triples.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |m: usize| {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % m as u64) as usize
    };
    let mut best: Option<(usize, f64, [f64; 3], [f64; 3])> = None;
    for _ in 0..cfg.samples {
        let mut f = [next(n), next(n), next(n)];
        f.sort_unstable();
        if f[0] == f[1] || f[1] == f[2] {
            continue;
        }
        let pick = |i: usize, next: &mut dyn FnMut(usize) -> usize| by_frame[i][next(by_frame[i].len())];
        let trio = [pick(f[0], &mut next), pick(f[1], &mut next), pick(f[2], &mut next)];
        let xs: Vec<(f64, f64)> = trio.iter().map(|c| (c.time - t0, c.pos[0])).collect();
        let ys: Vec<(f64, f64)> = trio.iter().map(|c| (c.time - t0, c.pos[1])).collect();
        let (Some(x), Some(y)) = (quadratic(&xs), quadratic(&ys)) else { continue };
        if !anchored(&x, &y, t0) {
            continue;
        }
        let inl = inliers(&by_frame, t0, &x, &y, cfg.tolerance_px);
        if !moves(&inl) {
            continue;
        }
        let sse: f64 = inl.iter().map(|(_, d)| d * d).sum();
        let better = match &best {
            None => true,
            Some((k, e, _, _)) => inl.len() > *k || (inl.len() == *k && sse < *e),
        };
        if better {
            best = Some((inl.len(), sse, x, y));
        }
    }
    let Some((_, _, mut x, mut y)) = best else { return Ok(None) };
    // Refit on the inliers, twice (the inlier set may grow).
    let mut inl = inliers(&by_frame, t0, &x, &y, cfg.tolerance_px);
    for _ in 0..2 {
        let xs: Vec<(f64, f64)> = inl.iter().map(|(c, _)| (c.time - t0, c.pos[0])).collect();
        let ys: Vec<(f64, f64)> = inl.iter().map(|(c, _)| (c.time - t0, c.pos[1])).collect();
        let (Some(nx), Some(ny)) = (quadratic(&xs), quadratic(&ys)) else { break };
        let again = inliers(&by_frame, t0, &nx, &ny, cfg.tolerance_px);
        if again.len() < inl.len() || !anchored(&nx, &ny, t0) || !moves(&again) {
            break;
        }
        (x, y, inl) = (nx, ny, again);
    }
    let span = match (inl.first(), inl.last()) {
        (Some(a), Some(b)) => b.0.time - a.0.time,
        _ => 0.0,
    };
    if inl.len() < cfg.min_frames || span < cfg.min_span_s {
        return Ok(None);
    }
    let rms_px = (inl.iter().map(|(_, d)| d * d).sum::<f64>() / inl.len() as f64).sqrt();
    Ok(Some(Flight { t0, x, y, inliers: inl.into_iter().map(|(c, _)| c).collect(), rms_px }))
}

/// Which edge of the goal mouth's image region the flight left through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MouthEdge {
    /// The crossbar's image line (or the frame's top when the bar is at or above it).
    Crossbar,
    /// The left post's image line.
    LeftPost,
    /// The right post's image line.
    RightPost,
}

/// Where and when a fitted flight left the goal mouth's image region.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EdgeArrival {
    /// Time the curve reaches the edge (s).
    pub time: f64,
    /// Edge crossed.
    pub edge: MouthEdge,
    /// Position on the edge (px).
    pub position: [f64; 2],
    /// How far past the last inlier the curve was extrapolated (s; 0 when inliers reach it).
    pub extrapolated_s: f64,
}

/// The first time after `after` the flight, having been inside the bounding box of `goal`,
/// leaves it through the top or a side, within the inliers' span plus the configured
/// extrapolation; bisected to 0.1 ms.
pub fn mouth_edge_arrival(
    flight: &Flight,
    goal: &GoalRegion,
    after: f64,
    cfg: &FlightConfig,
) -> Option<EdgeArrival> {
    let [x1, y1, x2, y2] = goal.bounds();
    let [first, last] = flight.span();
    let end = last + cfg.max_extrapolation_s;
    let start = first.max(after);
    let inside = |t: f64| {
        let [x, y] = flight.at(t);
        x >= x1 && x <= x2 && y >= y1 && y <= y2
    };
    let step = 1e-3;
    let mut t = start;
    let mut was_in = false;
    while t <= end {
        let now_in = inside(t);
        if was_in && !now_in {
            let (mut a, mut b) = (t - step, t);
            while b - a > 1e-4 {
                let m = 0.5 * (a + b);
                if inside(m) { a = m } else { b = m }
            }
            let p = flight.at(b);
            let edge = if p[1] < y1 {
                MouthEdge::Crossbar
            } else if p[0] < x1 {
                MouthEdge::LeftPost
            } else if p[0] > x2 {
                MouthEdge::RightPost
            } else {
                // Left through the bottom: back towards the kicker, not into the goal.
                return None;
            };
            return Some(EdgeArrival { time: b, edge, position: p, extrapolated_s: (b - last).max(0.0) });
        }
        was_in |= now_in;
        t += step;
    }
    None
}

/// Distance (m) from the kick to a point of the goal plane: `d` lengthened by the point's
/// lateral and vertical offset in a `goal_size_m` goal spanning `goal`'s bounds.
pub(crate) fn distance_to(d: f64, goal: &GoalRegion, p: [f64; 2], goal_size_m: [f64; 2]) -> f64 {
    let [x1, y1, x2, y2] = goal.bounds();
    let ox = (p[0] - 0.5 * (x1 + x2)) / (x2 - x1) * goal_size_m[0];
    let oy = (y2 - p[1]) / (y2 - y1) * goal_size_m[1];
    if ox.is_finite() && oy.is_finite() {
        (d * d + ox * ox + oy.clamp(0.0, goal_size_m[1]).powi(2)).sqrt()
    } else {
        d
    }
}

/// Gives a goal whose goal-line arrival was only bounded by the region entry a measured line
/// time and speed from `flight` (see the module docs). Acts only when: the outcome is a goal,
/// the line rule is [`LineRule::RegionEntry`], a kick and a flight distance are known, the
/// curve passes within `kick_radius_px` of the kick, and it leaves the mouth's region through
/// the crossbar or a post within the allowed extrapolation. Then the evidence gets
/// [`LineRule::MouthEdge`] with the line time band `[edge - net_depth / v, edge]` (its
/// middle as the line time), and the speed a [`SpeedMethod::FlightTime`] estimate as the
/// primary one (the old upper bound stays in the bracket). Returns the edge arrival used.
pub fn refine_with_flight(
    report: &mut FootballReport,
    flight: &Flight,
    goal: &GoalRegion,
    fps: f64,
    speed: &SpeedConfig,
    cfg: &FlightConfig,
) -> Option<EdgeArrival> {
    let kick = report.kick?;
    let d = speed.flight_distance_m.filter(|d| d.is_finite() && *d > 0.0)?;
    let ev = &report.decision.evidence;
    if report.decision.outcome != FootballOutcome::Goal || ev.line_rule != Some(LineRule::RegionEntry) {
        return None;
    }
    if !(fps.is_finite() && fps > 0.0) {
        return None;
    }
    let p = flight.at(kick.time);
    if (p[0] - kick.position[0]).hypot(p[1] - kick.position[1]) > cfg.kick_radius_px {
        return None;
    }
    let edge = mouth_edge_arrival(flight, goal, kick.time, cfg)?;
    let dist = distance_to(d, goal, edge.position, speed.goal_size_m);
    let t_edge = edge.time - kick.time;
    if t_edge <= 0.0 {
        return None;
    }
    let earliest = (t_edge - cfg.net_depth_m * t_edge / dist).max(0.5 * t_edge);
    let t_line = 0.5 * (earliest + t_edge);
    let line_time = kick.time + t_line;
    let line_frame = kick.frame + (t_line * fps).round() as usize;
    let cap = speed.cap_kmh;
    let kmh = |t: f64| (dist / t * 3.6).clamp(0.0, cap);
    let mid = dist / t_line * 3.6;
    let est = SpeedEstimate {
        method: SpeedMethod::FlightTime,
        bound: SpeedBound::Estimate,
        kmh: mid.clamp(0.0, cap),
        kmh_low: kmh(t_edge),
        kmh_high: kmh(earliest),
        capped: mid > cap,
        samples: flight.inliers.len(),
        frames: [kick.frame, line_frame],
    };
    let ev = &mut report.decision.evidence;
    ev.line_rule = Some(LineRule::MouthEdge);
    ev.line_frame = Some(line_frame);
    ev.line_time = Some(line_time);
    ev.line_time_band = Some([kick.time + earliest, edge.time]);
    report.decision.goal_frame = Some(line_frame);
    report.decision.goal_time = Some(line_time);
    report.speed.flight_time = Some(est);
    report.speed.primary = Some(est);
    Some(edge)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        BallObservation, BallTrack, CleanConfig, FootballConfig, RegionSource, Sport, analyze_football, clean,
    };
    use proptest::prelude::*;

    const FPS: f64 = 30.0;
    const KICK: Option<([f64; 2], f64)> = Some(([740.0, 510.0], 10.0 / FPS));

    /// A penalty from behind: kick at frame 10 from (740, 510), climbing to the top-left of a
    /// goal spanning x 280..1200, y 0..300 (the bar at the frame's top).
    fn path(f: usize) -> [f64; 2] {
        let u = (f as f64 - 10.0) / FPS;
        [740.0 - 120.0 * u + 20.0 * u * u, 510.0 - 1100.0 * u + 500.0 * u * u]
    }

    fn goal() -> GoalRegion {
        GoalRegion::from_box(280.0, 0.0, 1200.0, 300.0, RegionSource::User).unwrap()
    }

    /// The true path on frames 11..=32 except every third frame, plus per frame a glove-like
    /// blob jumping around and a still boot.
    fn candidates() -> Vec<FlightCandidate> {
        let mut out = Vec::new();
        for f in 11..=32usize {
            let t = f as f64 / FPS;
            if f % 3 != 0 {
                let [x, y] = path(f);
                let jitter = if f % 2 == 0 { 3.0 } else { -3.0 };
                out.push(FlightCandidate {
                    frame: f,
                    time: t,
                    pos: [x + jitter, y - jitter],
                    width: Some(25.0),
                });
            }
            out.push(FlightCandidate {
                frame: f,
                time: t,
                pos: [700.0 + 37.0 * ((f * 7) % 5) as f64, 200.0 + 29.0 * ((f * 3) % 7) as f64],
                width: Some(20.0),
            });
            out.push(FlightCandidate { frame: f, time: t, pos: [860.0, 312.0], width: Some(18.0) });
        }
        out
    }

    #[test]
    fn fit_finds_the_flight_among_clutter() {
        let fl = fit_flight(&candidates(), KICK, &FlightConfig::default()).unwrap().expect("a flight");
        let frames: Vec<usize> = fl.inliers.iter().map(|c| c.frame).collect();
        let want: Vec<usize> = (11..=32).filter(|f| f % 3 != 0).collect();
        assert_eq!(frames, want);
        assert!(fl.rms_px < 5.0, "{}", fl.rms_px);
        for f in [10usize, 20, 35] {
            let (p, q) = (fl.at(f as f64 / FPS), path(f));
            assert!((p[0] - q[0]).hypot(p[1] - q[1]) < 6.0, "frame {f}: {p:?} vs {q:?}");
        }
    }

    #[test]
    fn a_still_object_is_no_flight_and_the_anchor_rules_out_others() {
        // Without the kick: the flight still wins over the still boot (which has more frames).
        let fl = fit_flight(&candidates(), None, &FlightConfig::default()).unwrap().expect("a flight");
        assert!(fl.inliers.iter().all(|c| c.frame % 3 != 0), "{:?}", fl.inliers);
        // Only the boot: nothing.
        let boot: Vec<FlightCandidate> =
            candidates().into_iter().filter(|c| c.pos == [860.0, 312.0]).collect();
        assert!(fit_flight(&boot, None, &FlightConfig::default()).unwrap().is_none());
        // A kick far from the path: no curve passes there with enough inliers.
        let far = Some(([200.0, 700.0], 10.0 / FPS));
        assert!(fit_flight(&candidates(), far, &FlightConfig::default()).unwrap().is_none());
        assert!(fit_flight(&candidates(), Some(([f64::NAN, 0.0], 0.0)), &FlightConfig::default()).is_err());
    }

    #[test]
    fn too_little_or_bad_settings() {
        let few: Vec<FlightCandidate> = candidates().into_iter().filter(|c| c.frame < 15).collect();
        assert!(fit_flight(&few, KICK, &FlightConfig::default()).unwrap().is_none());
        assert!(fit_flight(&[], None, &FlightConfig::default()).unwrap().is_none());
        for bad in [
            FlightConfig { tolerance_px: f64::NAN, ..FlightConfig::default() },
            FlightConfig { tolerance_px: 0.0, ..FlightConfig::default() },
            FlightConfig { min_frames: 2, ..FlightConfig::default() },
            FlightConfig { samples: 0, ..FlightConfig::default() },
            FlightConfig { net_depth_m: -1.0, ..FlightConfig::default() },
            FlightConfig { max_extrapolation_s: f64::INFINITY, ..FlightConfig::default() },
        ] {
            assert!(fit_flight(&candidates(), KICK, &bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn edges_bar_post_and_bottom() {
        let fl = fit_flight(&candidates(), KICK, &FlightConfig::default()).unwrap().unwrap();
        let cfg = FlightConfig::default();
        let e = mouth_edge_arrival(&fl, &goal(), 10.0 / FPS, &cfg).expect("leaves over the bar");
        assert_eq!(e.edge, MouthEdge::Crossbar);
        assert!(e.position[1].abs() < 0.5, "{e:?}");
        // The curve itself says when y reaches 0.
        let [x, y] = fl.at(e.time);
        assert!(y.abs() < 0.5 && (x - e.position[0]).abs() < 1e-9);
        // A narrow goal: out past the left post first.
        let narrow = GoalRegion::from_box(690.0, 0.0, 1200.0, 300.0, RegionSource::User).unwrap();
        assert_eq!(mouth_edge_arrival(&fl, &narrow, 0.0, &cfg).unwrap().edge, MouthEdge::LeftPost);
        // Not reached within the extrapolation limit: nothing.
        let high = GoalRegion::from_box(280.0, -400.0, 1200.0, 300.0, RegionSource::User).unwrap();
        assert!(mouth_edge_arrival(&fl, &high, 0.0, &cfg).is_none());
        // A ball coming back out of the bottom of the mouth is not an arrival.
        let back = Flight {
            t0: 0.0,
            x: [700.0, 0.0, 0.0],
            y: [100.0, 600.0, 0.0],
            inliers: fl.inliers.clone(),
            rms_px: 0.0,
        };
        let low = GoalRegion::from_box(280.0, 0.0, 1200.0, 300.0, RegionSource::User).unwrap();
        assert!(mouth_edge_arrival(&back, &low, 0.0, &cfg).is_none());
    }

    /// The detector's track: the ball on the spot, then seen only up to frame 18 (inside the
    /// mouth's region from frame 17); a goal decided on region entry.
    fn report_on_entry() -> (FootballReport, FootballConfig) {
        let pts: Vec<BallObservation> = (0..=18usize)
            .map(|f| {
                let p = if f <= 10 { path(10) } else { path(f) };
                BallObservation::seen(f, f as f64 / FPS, p, Some(25.0))
            })
            .collect();
        let track = BallTrack::new(FPS, pts).unwrap();
        let c = clean(&track, &CleanConfig::for_sport(Sport::Football)).unwrap();
        let mut cfg = FootballConfig::default();
        cfg.speed.flight_distance_m = Some(11.0);
        let report = analyze_football(&c, &[], &goal(), None, &cfg);
        (report, cfg)
    }

    #[test]
    fn refine_measures_a_goal_known_only_by_region_entry() {
        let (mut report, cfg) = report_on_entry();
        assert_eq!(report.decision.outcome, FootballOutcome::Goal);
        assert_eq!(report.decision.evidence.line_rule, Some(LineRule::RegionEntry));
        assert!(report.speed.primary.is_none());
        let kick = report.kick.unwrap();
        assert_eq!(kick.frame, 10);
        let fl = fit_flight(&candidates(), KICK, &FlightConfig::default()).unwrap().unwrap();
        let fcfg = FlightConfig::default();
        let edge = refine_with_flight(&mut report, &fl, &goal(), FPS, &cfg.speed, &fcfg).expect("refined");
        let ev = &report.decision.evidence;
        assert_eq!(ev.line_rule, Some(LineRule::MouthEdge));
        let [lo, hi] = ev.line_time_band.unwrap();
        assert!((hi - edge.time).abs() < 1e-12);
        // The band is the net's depth of flight: 2 m at dist / t.
        let dist = distance_to(11.0, &goal(), edge.position, cfg.speed.goal_size_m);
        let t = edge.time - kick.time;
        assert!(((hi - lo) - 2.0 * t / dist).abs() < 1e-9, "{lo} {hi}");
        let s = report.speed.primary.unwrap();
        assert_eq!((s.method, s.bound), (SpeedMethod::FlightTime, SpeedBound::Estimate));
        let line_t = ev.line_time.unwrap() - kick.time;
        assert!((s.kmh - dist / line_t * 3.6).abs() < 1e-9);
        assert!(s.kmh_low < s.kmh && s.kmh < s.kmh_high, "{s:?}");
        assert!((s.kmh_low - dist / t * 3.6).abs() < 1e-9);
        assert_eq!(report.decision.goal_time, ev.line_time);
        // The bracket from before is kept as evidence.
        assert!(report.speed.bracket.is_some());
    }

    #[test]
    fn refine_leaves_other_cases_alone() {
        let fl = fit_flight(&candidates(), KICK, &FlightConfig::default()).unwrap().unwrap();
        let fcfg = FlightConfig::default();
        // Not a goal.
        let (mut r, cfg) = report_on_entry();
        r.decision.outcome = FootballOutcome::Saved;
        let before = r.clone();
        assert!(refine_with_flight(&mut r, &fl, &goal(), FPS, &cfg.speed, &fcfg).is_none());
        assert_eq!(r, before);
        // Line already seen.
        let (mut r, cfg) = report_on_entry();
        r.decision.evidence.line_rule = Some(LineRule::Stall);
        let before = r.clone();
        assert!(refine_with_flight(&mut r, &fl, &goal(), FPS, &cfg.speed, &fcfg).is_none());
        assert_eq!(r, before);
        // No flight distance.
        let (mut r, mut cfg) = report_on_entry();
        cfg.speed.flight_distance_m = None;
        assert!(refine_with_flight(&mut r, &fl, &goal(), FPS, &cfg.speed, &fcfg).is_none());
        // A curve that does not start at the kick (a glove's path).
        let (mut r, cfg) = report_on_entry();
        let mut off = fl.clone();
        off.x[0] += 200.0;
        let before = r.clone();
        assert!(refine_with_flight(&mut r, &off, &goal(), FPS, &cfg.speed, &fcfg).is_none());
        assert_eq!(r, before);
        // Bad fps.
        let (mut r, cfg) = report_on_entry();
        assert!(refine_with_flight(&mut r, &fl, &goal(), f64::NAN, &cfg.speed, &fcfg).is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Any candidates (NaN, inf, repeated frames): no panic; at most one inlier per frame,
        /// each finite and within the tolerance of the curve.
        #[test]
        fn fit_never_panics_and_inliers_are_sound(
            raw in proptest::collection::vec((0usize..40, -1e4f64..1e4, -1e4f64..1e4, 0u8..10), 0..120)
        ) {
            let cfg = FlightConfig { samples: 300, ..FlightConfig::default() };
            let cands: Vec<FlightCandidate> = raw.iter().map(|&(f, x, y, k)| {
                let x = match k { 0 => f64::NAN, 1 => f64::INFINITY, _ => x };
                FlightCandidate { frame: f, time: f as f64 / FPS, pos: [x, y], width: None }
            }).collect();
            if let Some(fl) = fit_flight(&cands, None, &cfg).unwrap() {
                let mut frames: Vec<usize> = fl.inliers.iter().map(|c| c.frame).collect();
                let n = frames.len();
                frames.dedup();
                prop_assert_eq!(frames.len(), n);
                prop_assert!(n >= cfg.min_frames);
                for c in &fl.inliers {
                    let p = fl.at(c.time);
                    prop_assert!(c.pos[0].is_finite() && c.pos[1].is_finite());
                    prop_assert!((c.pos[0] - p[0]).hypot(c.pos[1] - p[1]) <= cfg.tolerance_px + 1e-9);
                }
            }
        }
    }
}
