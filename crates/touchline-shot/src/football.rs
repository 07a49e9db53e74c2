//! The football goal decision (a state machine over the cleaned trajectory)
//! and the shot speed.

use serde::{Deserialize, Serialize};
use touchline_core::Track;

use crate::possession::{
    ContactConfig, Heading, Kick, KickConfig, PossessionSpan, contacts, find_kick, point_at, possession,
};
use crate::region::{GoalRegion, Homography};
use crate::track::{CleanReport, CleanTrack, PointStatus};

/// What happened to the shot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FootballOutcome {
    /// The ball arrived in the goal mouth and came to rest there or was lost
    /// in the net.
    Goal,
    /// The ball came back out of (or was held in front of) the goal after
    /// touching a player: the keeper saved it.
    Saved,
    /// The ball came back out of the goal mouth with no player contact: off
    /// the woodwork.
    Rebound,
    /// The ball passed above the crossbar.
    Over,
    /// The ball passed beside a post.
    Wide,
    /// The ball was kicked towards goal but never reached it.
    Short,
    /// No kick towards the goal from outside it (for example the ball starts
    /// in front of or inside the goal).
    NoShot,
    /// No ball position at all.
    NoBall,
}

/// Where the ball left the goal region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExitSide {
    /// Through the top (crossbar side).
    Top,
    /// Through the bottom (back towards the field).
    Bottom,
    /// Through the left side.
    Left,
    /// Through the right side.
    Right,
}

/// Goal decision parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DecisionConfig {
    /// Below this speed (m/s, image plane) the ball is "at rest".
    pub rest_speed_mps: f64,
    /// Consecutive slow frames inside the goal that make a goal.
    pub rest_frames: usize,
    /// How far (ball diameters) beyond the region's edge counts as over/wide.
    pub margin_diameters: f64,
    /// Contact rule for the keeper at a save (the whole body: hands count).
    pub keeper_contact: ContactConfig,
    /// Goal-line arrival, stall rule: inside the goal mouth, a step slower
    /// than this fraction of the flight's median image speed (or turning
    /// back) means the net, a player or the frame stopped the ball.
    pub stall_fraction: f64,
    /// Real width of the goal mouth (m; 7.32 for football, IFAB Law 1): with
    /// the region's width in pixels it gives the ball's apparent size at the
    /// goal plane for the apparent-size rule.
    pub goal_width_m: f64,
}

impl Default for DecisionConfig {
    /// 2 m/s, 3 frames, 1 diameter, body contact, stall below 40 % of the
    /// flight speed, 7.32 m goal.
    fn default() -> Self {
        DecisionConfig {
            rest_speed_mps: 2.0,
            rest_frames: 3,
            margin_diameters: 1.0,
            keeper_contact: ContactConfig::body(),
            stall_fraction: 0.4,
            goal_width_m: 7.32,
        }
    }
}

/// How the ball's arrival at the goal line (not the goal mouth's image
/// region, which in a view from behind also covers the space in front of the
/// line) was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineRule {
    /// Seen: inside the goal mouth the ball's image speed dropped below
    /// [`DecisionConfig::stall_fraction`] of its flight speed, or it turned
    /// back (the net, the keeper or the frame stopped it). The line is taken
    /// at the last frame before the stall (the net is 1-2 m behind it).
    Stall,
    /// Modelled: a robust straight-line fit of `1 / apparent width` (the
    /// ball's depth, pinhole camera) over the flight reaches the depth of the
    /// goal plane, where the ball's width is `D x region width px / goal
    /// width m`. Works for a ball going away from or towards the camera.
    ApparentSize,
    /// Neither: only the entry into the goal mouth's image region is known,
    /// the earliest the line can have been reached.
    RegionEntry,
    /// Modelled from the flight (set by [`crate::refine_with_flight`]): the
    /// ball's fitted image path left the mouth's region over the crossbar's
    /// or a post's line without stopping; for a goal the line was crossed at
    /// most then, and within the net's depth of flight before.
    MouthEdge,
}

/// The apparent-size (depth) fit behind [`LineRule::ApparentSize`], kept as
/// evidence also when it was not usable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizeFit {
    /// The ball's apparent diameter at the goal plane (px).
    pub goal_plane_width_px: f64,
    /// Fitted apparent diameter at the kick (px).
    pub kick_width_px: f64,
    /// Fitted apparent diameter at the last frame used (px).
    pub last_width_px: f64,
    /// Observed widths used.
    pub samples: usize,
    /// First and last frame used.
    pub frames: [usize; 2],
    /// Fitted time (s) the ball reaches the goal plane, when usable.
    pub crossing_time: Option<f64>,
    /// Its band (s) from the quartiles of the pairwise slopes.
    pub crossing_band: Option<[f64; 2]>,
    /// Why it was or was not used, in words.
    pub note: String,
}

/// The facts behind a decision (frames, times, positions in pixels, speeds in
/// m/s in the image plane).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GoalEvidence {
    /// Kick frame.
    pub kick_frame: Option<usize>,
    /// Ball position at the kick.
    pub kick_position: Option<[f64; 2]>,
    /// First frame inside the goal region.
    pub arrival_frame: Option<usize>,
    /// Ball position then.
    pub arrival_position: Option<[f64; 2]>,
    /// Ball speed then.
    pub arrival_speed_mps: Option<f64>,
    /// Frames with the ball inside the region.
    pub frames_inside: usize,
    /// Lowest speed seen inside the region.
    pub min_speed_inside_mps: Option<f64>,
    /// First frame of the rest that decided a goal or a hold.
    pub rest_frame: Option<usize>,
    /// Frame the ball left the region (or went over / wide).
    pub exit_frame: Option<usize>,
    /// Ball position then.
    pub exit_position: Option<[f64; 2]>,
    /// Side it left by.
    pub exit_side: Option<ExitSide>,
    /// Ball speed then.
    pub exit_speed_mps: Option<f64>,
    /// A player (track id) touching the ball in or at the goal.
    pub keeper_contact: Option<u64>,
    /// Last frame with a ball position after the kick.
    pub last_seen_frame: Option<usize>,
    /// Ball position then.
    pub last_seen_position: Option<[f64; 2]>,
    /// The rule that decided, in words.
    pub reason: String,
    /// Frame the ball reached the goal line (see [`LineRule`]); for
    /// [`LineRule::RegionEntry`] the region entry.
    pub line_frame: Option<usize>,
    /// Time (s) the ball reached the goal line (fractional for
    /// [`LineRule::ApparentSize`]).
    pub line_time: Option<f64>,
    /// Earliest and latest time (s) of the line arrival.
    pub line_time_band: Option<[f64; 2]>,
    /// How the line arrival was found.
    pub line_rule: Option<LineRule>,
    /// The apparent-size fit, when there were widths to fit.
    pub size_fit: Option<SizeFit>,
}

/// A goal decision with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalDecision {
    /// Outcome.
    pub outcome: FootballOutcome,
    /// Frame of the goal: the ball at the goal line (see [`LineRule`]), or
    /// its first frame inside the goal mouth when the line was not found.
    pub goal_frame: Option<usize>,
    /// Its time (s).
    pub goal_time: Option<f64>,
    /// Evidence.
    pub evidence: GoalEvidence,
}

fn body_contact(ball: &CleanTrack, i: usize, players: &[Track], cfg: &ContactConfig) -> Option<u64> {
    let p = ball.points.get(i)?;
    let pos = p.pos?;
    let r = ball.width_at(i).unwrap_or(0.0) / 2.0;
    players.iter().find_map(|t| {
        let tp = point_at(t, p.frame)?;
        let b = &tp.bbox;
        let m = cfg.body_margin * f64::from(b.height());
        let inside = pos[0] + r >= f64::from(b.x1) - m
            && pos[0] - r <= f64::from(b.x2) + m
            && pos[1] + r >= f64::from(b.y1) - m
            && pos[1] - r <= f64::from(b.y2) + m;
        (inside && t.label != touchline_core::Label::Ball).then_some(t.id)
    })
}

/// Decides goal / saved / rebound / over / wide / short from the cleaned
/// trajectory after `kick`.
///
/// States: *flight* (from the kick until the ball enters `goal`; leaving
/// above the crossbar or beside the posts there means over / wide), *inside*
/// (in the goal mouth: resting or being lost there is a goal, unless a
/// player's box holds the ball, which is a save; leaving through the top or
/// the sides is over / wide, back through the bottom is a save with a player
/// contact and a rebound without). The kick must be outside the region.
///
/// Then the arrival at the goal line (evidence `line_*`, [`LineRule`]): a
/// stall or turn inside the mouth, else the apparent-size fit, else the
/// region entry; a goal's frame and time are the line arrival's.
pub fn decide_goal(
    ball: &CleanTrack,
    goal: &GoalRegion,
    players: &[Track],
    kick: Option<&Kick>,
    cfg: &DecisionConfig,
) -> GoalDecision {
    let mut d = decide_region(ball, goal, players, kick, cfg);
    let (Some(kick), Some(entry)) = (kick, d.evidence.arrival_frame) else { return d };
    let end = d.evidence.exit_frame.or(d.evidence.last_seen_frame).unwrap_or(entry);
    let line = goal_line_arrival(ball, goal, kick, entry, end, cfg);
    d.evidence.size_fit = line.size_fit;
    d.evidence.line_frame = Some(line.frame);
    d.evidence.line_time = Some(line.time);
    d.evidence.line_time_band = Some(line.band);
    d.evidence.line_rule = Some(line.rule);
    if d.outcome == FootballOutcome::Goal {
        d.goal_frame = Some(line.frame);
        d.goal_time = Some(line.time);
    }
    d
}

struct LineArrival {
    frame: usize,
    time: f64,
    band: [f64; 2],
    rule: LineRule,
    size_fit: Option<SizeFit>,
}

/// The goal-line arrival after `kick`, given the frames the ball entered the
/// mouth region (`entry`) and was last followed (`end`).
fn goal_line_arrival(
    ball: &CleanTrack,
    goal: &GoalRegion,
    kick: &Kick,
    entry: usize,
    end: usize,
    cfg: &DecisionConfig,
) -> LineArrival {
    let time_of = |f: usize| ball.index_of(f).map_or(f as f64 / ball.fps, |i| ball.points[i].time);
    let dt = 1.0 / ball.fps;
    // The line comes at or after the region entry; an entry on an imputed
    // point is only known to follow the last observed point before it.
    let earliest = ball.index_of(entry).map_or(time_of(entry), |e| {
        (0..=e)
            .rev()
            .find(|&i| ball.points[i].status == PointStatus::Observed)
            .map_or(f64::NEG_INFINITY, |i| ball.points[i].time)
    });
    let entry_arrival = |size_fit| LineArrival {
        frame: entry,
        time: time_of(entry),
        band: [earliest, f64::INFINITY],
        rule: LineRule::RegionEntry,
        size_fit,
    };
    let (Some(k), Some(e)) = (ball.index_of(kick.frame), ball.index_of(entry)) else {
        return entry_arrival(None);
    };
    let last = ball.index_of(end).unwrap_or(e).max(e);
    if let Some(i) = stall_index(ball, k, e, last, cfg.stall_fraction) {
        let t = ball.points[i].time;
        return LineArrival {
            frame: ball.points[i].frame,
            time: t,
            band: [t - dt, t + dt],
            rule: LineRule::Stall,
            size_fit: size_fit(ball, goal, k, last, cfg),
        };
    }
    let fit = size_fit(ball, goal, k, last, cfg);
    match fit.as_ref().and_then(|f| f.crossing_time.zip(f.crossing_band)) {
        Some((t, band)) => {
            // The nearest frame at or after the fitted time.
            let frame = ball.points.iter().find(|p| p.time >= t - 1e-9).map_or_else(
                || ball.points[last].frame + ((t - ball.points[last].time) / dt).ceil() as usize,
                |p| p.frame,
            );
            LineArrival { frame, time: t, band, rule: LineRule::ApparentSize, size_fit: fit }
        }
        None => entry_arrival(fit),
    }
}

/// Index of the last position before the first stall or turn after the
/// region entry `e` (up to `last`): both ends of the step observed, one
/// frame apart.
fn stall_index(ball: &CleanTrack, k: usize, e: usize, last: usize, fraction: f64) -> Option<usize> {
    let observed = |i: usize| ball.points.get(i).is_some_and(|p| p.status == PointStatus::Observed);
    let step = |i: usize| -> Option<([f64; 2], f64)> {
        let (a, b) = (ball.points.get(i - 1)?, ball.points.get(i)?);
        let (p, q) = (a.pos?, b.pos?);
        let t = b.time - a.time;
        (t > 0.0).then_some(([q[0] - p[0], q[1] - p[1]], t))
    };
    let mut flight: Vec<f64> =
        (k + 1..=e).filter_map(step).map(|(d, t)| d[0].hypot(d[1]) / t).filter(|v| v.is_finite()).collect();
    let reference = crate::track::median(&mut flight)?;
    let (p0, p1) = (ball.points[k].pos?, ball.points[e].pos?);
    let heading = [p1[0] - p0[0], p1[1] - p0[1]];
    let hn = heading[0].hypot(heading[1]);
    if !(reference > 0.0 && hn > 0.0) {
        return None;
    }
    (e + 1..=last).find_map(|i| {
        if !(observed(i) && observed(i - 1)) || ball.points[i].frame != ball.points[i - 1].frame + 1 {
            return None;
        }
        let (d, t) = step(i)?;
        let v = d[0].hypot(d[1]) / t;
        let along = (d[0] * heading[0] + d[1] * heading[1]) / hn;
        (v < fraction * reference || along < 0.0).then_some(i - 1)
    })
}

/// Theil-Sen fit of `1 / width` against time over the observed frames from
/// the kick index `k` to `last`; its crossing of the goal plane's `1 / width`.
fn size_fit(
    ball: &CleanTrack,
    goal: &GoalRegion,
    k: usize,
    last: usize,
    cfg: &DecisionConfig,
) -> Option<SizeFit> {
    let [x1, _, x2, _] = goal.bounds();
    let wg = ball.ball_diameter_m * (x2 - x1) / cfg.goal_width_m;
    if !(wg.is_finite() && wg > 0.0) {
        return None;
    }
    let pts: Vec<(usize, f64, f64)> = (k..=last.min(ball.points.len().saturating_sub(1)))
        .filter(|&i| ball.points[i].status == PointStatus::Observed)
        .filter_map(|i| ball.points[i].width.map(|w| (ball.points[i].frame, ball.points[i].time, 1.0 / w)))
        .collect();
    let (first, lastp) = (pts.first()?, pts.last()?);
    let mut slopes = Vec::new();
    for (a, p) in pts.iter().enumerate() {
        for q in &pts[a + 1..] {
            if q.1 > p.1 {
                slopes.push((q.2 - p.2) / (q.1 - p.1));
            }
        }
    }
    let slope = percentile(&slopes, 0.5);
    let intercept = slope.and_then(|b| {
        let mut r: Vec<f64> = pts.iter().map(|p| p.2 - b * (p.1 - first.1)).collect();
        crate::track::median(&mut r)
    });
    let (t0, t1) = (first.1, lastp.1);
    let at = |b: f64, a: f64, t: f64| 1.0 / (a + b * (t - t0));
    let mut fit = SizeFit {
        goal_plane_width_px: wg,
        kick_width_px: 1.0 / first.2,
        last_width_px: 1.0 / lastp.2,
        samples: pts.len(),
        frames: [first.0, lastp.0],
        crossing_time: None,
        crossing_band: None,
        note: String::new(),
    };
    let (Some(b), Some(a)) = (slope, intercept) else {
        fit.note = "fewer than two observed widths".into();
        return Some(fit);
    };
    fit.kick_width_px = at(b, a, t0);
    fit.last_width_px = at(b, a, t1);
    let yg = 1.0 / wg;
    let span = t1 - t0;
    let (lo, hi) = (percentile(&slopes, 0.25).unwrap_or(b), percentile(&slopes, 0.75).unwrap_or(b));
    // Direction the depth must change to reach the goal plane.
    let sign = (yg - a).signum();
    fit.note = if pts.len() < 5 || span < 4.0 / ball.fps {
        format!("too few widths ({} over {:.2} s; 5 over 4 frames needed)", pts.len(), span)
    } else if (yg - a).abs() < 1e-12 || sign * lo <= 0.0 || sign * hi <= 0.0 {
        format!(
            "the apparent size does not change towards the goal plane's {wg:.1} px (fitted {:.1} -> {:.1} px, \
             slope quartiles {:.2e} / {:.2e} per s): the detector's widths are too noisy, or the ball is \
             already beyond the goal plane's depth at the kick",
            fit.kick_width_px, fit.last_width_px, lo, hi
        )
    } else {
        let cross = |s: f64| t0 + (yg - a) / s;
        let t = cross(b);
        let band = {
            let (u, v) = (cross(lo), cross(hi));
            [u.min(v).min(t), u.max(v).max(t)]
        };
        // Extrapolate at most half the fitted span beyond the last width.
        if t <= t0 || t > t1 + 0.5 * span {
            format!(
                "the fitted goal-plane crossing at {t:.2} s lies outside {t0:.2}..{:.2} s",
                t1 + 0.5 * span
            )
        } else {
            fit.crossing_time = Some(t);
            fit.crossing_band = Some(band);
            format!(
                "fitted {:.1} -> {:.1} px reaches the goal plane's {wg:.1} px at {t:.2} s",
                fit.kick_width_px, fit.last_width_px
            )
        }
    };
    Some(fit)
}

#[allow(clippy::needless_range_loop)] // indexes points, speeds and players together
fn decide_region(
    ball: &CleanTrack,
    goal: &GoalRegion,
    players: &[Track],
    kick: Option<&Kick>,
    cfg: &DecisionConfig,
) -> GoalDecision {
    let mut ev = GoalEvidence::default();
    let done = |outcome, ev: GoalEvidence, goal_frame: Option<usize>| GoalDecision {
        outcome,
        goal_frame,
        goal_time: goal_frame.and_then(|f| ball.index_of(f)).map(|i| ball.points[i].time),
        evidence: ev,
    };
    if ball.points.iter().all(|p| p.pos.is_none()) {
        ev.reason = "no ball position in any frame".into();
        return done(FootballOutcome::NoBall, ev, None);
    }
    let Some(kick) = kick else {
        ev.reason = "no speed spike that heads for the goal".into();
        return done(FootballOutcome::NoShot, ev, None);
    };
    ev.kick_frame = Some(kick.frame);
    ev.kick_position = Some(kick.position);
    if goal.contains(kick.position) {
        ev.reason = "the ball starts inside the goal region: it must arrive there".into();
        return done(FootballOutcome::NoShot, ev, None);
    }
    let Some(k) = ball.index_of(kick.frame) else {
        ev.reason = "kick frame outside the track".into();
        return done(FootballOutcome::NoShot, ev, None);
    };
    let speeds = ball.speeds_mps();
    let [bx1, by1, bx2, by2] = goal.bounds();
    let m = cfg.margin_diameters * ball.median_width_px.unwrap_or(0.0);
    let side_of = |p: [f64; 2]| {
        let d = [
            (by1 - p[1], ExitSide::Top),
            (p[1] - by2, ExitSide::Bottom),
            (bx1 - p[0], ExitSide::Left),
            (p[0] - bx2, ExitSide::Right),
        ];
        d.into_iter().max_by(|a, b| a.0.total_cmp(&b.0)).map(|d| d.1).unwrap_or(ExitSide::Bottom)
    };
    let mut inside_since: Option<usize> = None;
    let mut slow_run = 0usize;
    let mut held_run = 0usize;
    for i in k + 1..ball.points.len() {
        let Some(p) = ball.points[i].pos else { continue };
        let frame = ball.points[i].frame;
        ev.last_seen_frame = Some(frame);
        ev.last_seen_position = Some(p);
        let v = speeds[i];
        match inside_since {
            None => {
                if goal.contains(p) {
                    slow_run = 0;
                    inside_since = Some(i);
                    ev.arrival_frame = Some(frame);
                    ev.arrival_position = Some(p);
                    ev.arrival_speed_mps = v;
                    ev.frames_inside = 1;
                    ev.min_speed_inside_mps = v;
                    continue;
                }
                if v.is_some_and(|v| v <= cfg.rest_speed_mps) {
                    slow_run += 1;
                    if slow_run >= cfg.rest_frames {
                        ev.rest_frame = Some(ball.points[i + 1 - slow_run.min(i + 1)].frame);
                        ev.reason = "the ball stopped before reaching the goal".into();
                        return done(FootballOutcome::Short, ev, None);
                    }
                } else {
                    slow_run = 0;
                }
                let beside = p[0] < bx1 - m || p[0] > bx2 + m;
                if p[1] < by1 - m {
                    ev.exit_frame = Some(frame);
                    ev.exit_position = Some(p);
                    ev.exit_side = Some(ExitSide::Top);
                    ev.exit_speed_mps = v;
                    ev.reason = "the ball passed above the crossbar without entering the goal".into();
                    return done(FootballOutcome::Over, ev, None);
                }
                if beside && p[1] <= by2 + m {
                    ev.exit_frame = Some(frame);
                    ev.exit_position = Some(p);
                    ev.exit_side = Some(if p[0] < bx1 { ExitSide::Left } else { ExitSide::Right });
                    ev.exit_speed_mps = v;
                    ev.reason =
                        "the ball passed beside a post at goal height without entering the goal".into();
                    return done(FootballOutcome::Wide, ev, None);
                }
            }
            Some(a) => {
                if goal.contains(p) {
                    ev.frames_inside += 1;
                    if let Some(v) = v {
                        ev.min_speed_inside_mps = Some(ev.min_speed_inside_mps.map_or(v, |u: f64| u.min(v)));
                    }
                    let held = body_contact(ball, i, players, &cfg.keeper_contact);
                    if v.is_some_and(|v| v <= cfg.rest_speed_mps) {
                        slow_run += 1;
                        held_run = if held.is_some() { held_run + 1 } else { 0 };
                        if held.is_some() {
                            ev.keeper_contact = held;
                        }
                        if slow_run >= cfg.rest_frames {
                            let start = ball.points[i + 1 - slow_run.min(i + 1)].frame;
                            ev.rest_frame = Some(start);
                            let arrival = ball.points[a].frame;
                            if held_run >= cfg.rest_frames {
                                ev.reason =
                                    "the ball came to rest in a player's hands in front of the goal".into();
                                return done(FootballOutcome::Saved, ev, None);
                            }
                            ev.reason = "the ball arrived in the goal mouth and came to rest there".into();
                            return done(FootballOutcome::Goal, ev, Some(arrival));
                        }
                    } else {
                        slow_run = 0;
                        held_run = 0;
                    }
                    continue;
                }
                // Left the region.
                let side = side_of(p);
                ev.exit_frame = Some(frame);
                ev.exit_position = Some(p);
                ev.exit_side = Some(side);
                ev.exit_speed_mps = v;
                let touched = (a..=i).rev().find_map(|j| body_contact(ball, j, players, &cfg.keeper_contact));
                return match side {
                    ExitSide::Top => {
                        ev.reason =
                            "the ball went through the top of the goal mouth: over the crossbar".into();
                        done(FootballOutcome::Over, ev, None)
                    }
                    ExitSide::Left | ExitSide::Right => {
                        ev.reason = "the ball left the goal mouth beside a post".into();
                        done(FootballOutcome::Wide, ev, None)
                    }
                    ExitSide::Bottom if touched.is_some() => {
                        ev.keeper_contact = touched;
                        ev.reason =
                            "the ball came back out of the goal mouth after a player touched it".into();
                        done(FootballOutcome::Saved, ev, None)
                    }
                    ExitSide::Bottom => {
                        ev.reason = "the ball came back out of the goal mouth with no player contact".into();
                        done(FootballOutcome::Rebound, ev, None)
                    }
                };
            }
        }
    }
    match inside_since {
        Some(a) => {
            let last = ev.last_seen_frame.and_then(|f| ball.index_of(f));
            let held = last.and_then(|i| body_contact(ball, i, players, &cfg.keeper_contact));
            let end = ball.points.last().map(|p| p.frame);
            if held.is_some()
                && ev.frames_inside >= cfg.rest_frames
                && held_run + 1 >= ev.frames_inside.min(cfg.rest_frames)
            {
                ev.keeper_contact = held;
                ev.reason = "the ball was last seen in a player's box in the goal mouth".into();
                return done(FootballOutcome::Saved, ev, None);
            }
            ev.reason = if ev.last_seen_frame == end {
                "the ball stayed in the goal mouth until the end of the track".into()
            } else {
                "the ball was lost inside the goal mouth (in the net)".into()
            };
            done(FootballOutcome::Goal, ev, Some(ball.points[a].frame))
        }
        None => {
            ev.reason = "the ball never reached the goal region".into();
            done(FootballOutcome::Short, ev, None)
        }
    }
}

/// How a speed was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpeedMethod {
    /// Pixel displacement scaled by the ball's apparent width: motion across
    /// the image plane only, so a lower bound when the ball flies towards or
    /// away from the camera.
    ImagePlane,
    /// Ball ground points through a pitch homography (metres directly).
    Homography,
    /// A known flight distance over the kick-to-goal-line time (average
    /// speed). With the line seen ([`LineRule::Stall`]) an estimate; with only
    /// the entry into the mouth's image region an upper bound.
    FlightTime,
    /// A known flight distance over the time the ball's fitted apparent size
    /// takes to reach the goal-plane size ([`LineRule::ApparentSize`]).
    ApparentSize,
}

/// Whether a speed is an estimate or a bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpeedBound {
    /// The speed, within `kmh_low..kmh_high`.
    Estimate,
    /// The true speed is at most `kmh` (for example, a flight time measured
    /// to the entry into the goal mouth's image region, which comes before
    /// the goal line in a view from behind).
    AtMost,
}

/// One speed estimate with its uncertainty.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SpeedEstimate {
    /// Method.
    pub method: SpeedMethod,
    /// Estimate or bound.
    pub bound: SpeedBound,
    /// Estimate (km/h), at most the cap.
    pub kmh: f64,
    /// Lower end of the uncertainty band (km/h).
    pub kmh_low: f64,
    /// Upper end (km/h, at most the cap).
    pub kmh_high: f64,
    /// Whether the raw estimate exceeded the cap.
    pub capped: bool,
    /// Number of per-frame samples behind it.
    pub samples: usize,
    /// First and last frame used.
    pub frames: [usize; 2],
}

/// Speed parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SpeedConfig {
    /// Robust peak: this percentile (0..1) of the per-frame speeds.
    pub percentile: f64,
    /// Frames after the kick that are measured.
    pub window_frames: usize,
    /// Hard cap (km/h).
    pub cap_kmh: f64,
    /// Known flight distance from the kick to the goal line (m), e.g. 11 for a
    /// penalty; enables [`SpeedMethod::FlightTime`] and
    /// [`SpeedMethod::ApparentSize`].
    pub flight_distance_m: Option<f64>,
    /// Goal width and height (m) for the flight-time lateral correction.
    pub goal_size_m: [f64; 2],
}

impl Default for SpeedConfig {
    /// 80th percentile over 12 frames, cap 200 km/h, no flight distance,
    /// goal 7.32 x 2.44 m.
    fn default() -> Self {
        SpeedConfig {
            percentile: 0.8,
            window_frames: 12,
            cap_kmh: 200.0,
            flight_distance_m: None,
            goal_size_m: [7.32, 2.44],
        }
    }
}

/// All the speed estimates of a shot. `primary` is the first *estimate* of:
/// homography, flight time to a seen goal line, apparent size; else the image
/// plane when there is no upper bound to contradict it. When the only flight
/// time is an upper bound (the line arrival was not found), `primary` is
/// `None` and [`bracket`](Self::bracket) holds `[image plane, upper bound]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ShotSpeed {
    /// The one to report.
    pub primary: Option<SpeedEstimate>,
    /// From pixels and the ball width.
    pub image_plane: Option<SpeedEstimate>,
    /// Through the homography.
    pub homography: Option<SpeedEstimate>,
    /// From the flight time (an estimate or an upper bound).
    pub flight_time: Option<SpeedEstimate>,
    /// From the apparent-size fit.
    pub apparent_size: Option<SpeedEstimate>,
    /// `[lower, upper]` km/h when no estimate is trustworthy: the image-plane
    /// speed (a lower bound for a ball flying into depth) and the flight-time
    /// upper bound.
    pub bracket: Option<[f64; 2]>,
}

fn percentile(v: &[f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (s.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let u = pos - lo as f64;
    Some(s[lo] * (1.0 - u) + s[hi.min(s.len() - 1)] * u)
}

fn estimate(
    method: SpeedMethod,
    mps: &[f64],
    frames: [usize; 2],
    cfg: &SpeedConfig,
    spread: [f64; 2],
) -> Option<SpeedEstimate> {
    let q = cfg.percentile;
    let mid = percentile(mps, q)? * 3.6;
    let low = percentile(mps, q - 0.2)? * 3.6 * spread[0];
    let high = percentile(mps, (q + 0.15).min(1.0))? * 3.6 * spread[1];
    let cap = cfg.cap_kmh;
    let ok = |v: f64| if v.is_finite() { v.clamp(0.0, cap) } else { cap };
    Some(SpeedEstimate {
        method,
        bound: SpeedBound::Estimate,
        kmh: ok(mid),
        kmh_low: ok(low.min(mid)),
        kmh_high: ok(high.max(mid)),
        capped: mid.is_nan() || mid > cap,
        samples: mps.len(),
        frames,
    })
}

/// Shot speed after the kick; `evidence` (from [`decide_goal`]) gives the
/// measured window's end and the goal-line arrival.
///
/// Image plane: per-frame `d_px / (w_px / D) / dt` (= px/frame x fps x
/// D / w x 3.6 in km/h) with each step's own ball width, robust peak = the
/// configured percentile, the band from the percentile -0.2/+0.15 and the
/// ball-width quartiles; everything capped. Flight time / apparent size: the
/// configured distance (lengthened by the arrival point's offset in the
/// goal) over the time from the kick to the goal-line arrival.
pub fn shot_speed(
    ball: &CleanTrack,
    kick: &Kick,
    evidence: Option<&GoalEvidence>,
    goal: Option<&GoalRegion>,
    homography: Option<&Homography>,
    cfg: &SpeedConfig,
) -> ShotSpeed {
    let mut out = ShotSpeed::default();
    let Some(k) = ball.index_of(kick.frame) else { return out };
    let end_frame = evidence.and_then(|e| {
        let first = e.arrival_frame.or(e.exit_frame);
        match (first, e.line_frame) {
            (Some(a), Some(l)) => Some(a.max(l)),
            (a, l) => a.or(l),
        }
    });
    let last = end_frame.and_then(|f| ball.index_of(f)).unwrap_or(usize::MAX).min(k + cfg.window_frames);
    let last = last.min(ball.points.len().saturating_sub(1));
    let usable = |s: PointStatus| matches!(s, PointStatus::Observed | PointStatus::Imputed);
    let mut mps = Vec::new();
    let mut widths = Vec::new();
    let mut world = Vec::new();
    let mut prev_world: Option<(usize, [f64; 2])> = None;
    for i in k + 1..=last {
        if !usable(ball.points[i].status) {
            continue;
        }
        if let Some(s) = ball.step(i) {
            mps.push(s.mps);
            widths.push(s.px_per_m * ball.ball_diameter_m);
        }
        if let (Some(h), Some(p)) = (homography, ball.points[i].pos) {
            let r = ball.width_at(i).unwrap_or(0.0) / 2.0;
            if let Ok(w) = h.to_world([p[0], p[1] + r]) {
                if let Some((j, q)) = prev_world {
                    let dt = ball.points[i].time - ball.points[j].time;
                    if dt > 0.0 && i - j <= 3 {
                        world.push(((w[0] - q[0]).powi(2) + (w[1] - q[1]).powi(2)).sqrt() / dt);
                    }
                }
                prev_world = Some((i, w));
            }
        }
    }
    let frames = [kick.frame, ball.points[last.max(k)].frame];
    let spread = match (percentile(&widths, 0.25), percentile(&widths, 0.5), percentile(&widths, 0.75)) {
        (Some(a), Some(m), Some(b)) if a > 0.0 && b > 0.0 => [m / b, m / a],
        _ => [1.0, 1.0],
    };
    out.image_plane = estimate(SpeedMethod::ImagePlane, &mps, frames, cfg, spread);
    out.homography = estimate(SpeedMethod::Homography, &world, frames, cfg, [1.0, 1.0]);
    if let (Some(d), Some(ev)) = (cfg.flight_distance_m, evidence)
        && d.is_finite()
        && d > 0.0
        && let (Some(t_line), Some(band), Some(rule), Some(line_frame)) =
            (ev.line_time, ev.line_time_band, ev.line_rule, ev.line_frame)
    {
        let t_kick = ball.points[k].time;
        // Where the ball met the goal plane: the line frame's position, else
        // the last one seen in the mouth.
        let at = ball
            .position(line_frame)
            .or(ev.last_seen_position.filter(|_| ev.frames_inside > 0))
            .or(ev.arrival_position);
        let dist = match (goal, at) {
            (Some(g), Some(p)) => crate::flight::distance_to(d, g, p, cfg.goal_size_m),
            _ => d,
        };
        let v = |t: f64| if t > 0.0 { dist / t * 3.6 } else { f64::INFINITY };
        let cap = cfg.cap_kmh;
        let ok = |x: f64| if x.is_finite() { x.clamp(0.0, cap) } else { cap };
        let mid = match rule {
            LineRule::RegionEntry => v(band[0] - t_kick),
            _ => v(t_line - t_kick),
        };
        let (method, bound, low, high) = match rule {
            LineRule::Stall => {
                (SpeedMethod::FlightTime, SpeedBound::Estimate, v(band[1] - t_kick), v(band[0] - t_kick))
            }
            LineRule::ApparentSize => {
                (SpeedMethod::ApparentSize, SpeedBound::Estimate, v(band[1] - t_kick), v(band[0] - t_kick))
            }
            LineRule::MouthEdge => {
                (SpeedMethod::FlightTime, SpeedBound::Estimate, v(band[1] - t_kick), v(band[0] - t_kick))
            }
            // The line comes at or after the region entry: the speed is at most this.
            LineRule::RegionEntry => (SpeedMethod::FlightTime, SpeedBound::AtMost, mid, mid),
        };
        let known = match rule {
            LineRule::RegionEntry => band[0] > t_kick,
            _ => t_line > t_kick,
        };
        if known {
            let e = SpeedEstimate {
                method,
                bound,
                kmh: ok(mid),
                kmh_low: ok(low.min(mid)),
                kmh_high: ok(high.max(mid)),
                capped: mid.is_nan() || mid > cap,
                samples: line_frame.saturating_sub(kick.frame),
                frames: [kick.frame, line_frame],
            };
            match method {
                SpeedMethod::ApparentSize => out.apparent_size = Some(e),
                _ => out.flight_time = Some(e),
            }
        }
    }
    let estimate_only = |e: Option<SpeedEstimate>| e.filter(|e| e.bound == SpeedBound::Estimate);
    let upper = out.flight_time.filter(|e| e.bound == SpeedBound::AtMost);
    out.primary = out.homography.or(estimate_only(out.flight_time)).or(out.apparent_size);
    if out.primary.is_none() {
        match (out.image_plane, upper) {
            (Some(ip), Some(up)) => out.bracket = Some([ip.kmh.min(up.kmh), up.kmh]),
            (Some(ip), None) => out.primary = Some(ip),
            (None, Some(up)) => out.bracket = Some([0.0, up.kmh]),
            (None, None) => {}
        }
    }
    out
}

/// Football parameters, bundled.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FootballConfig {
    /// Ball-player contact for possession and the shooter.
    pub contact: ContactConfig,
    /// Kick detection.
    pub kick: KickConfig,
    /// Goal decision.
    pub decision: DecisionConfig,
    /// Speed.
    pub speed: SpeedConfig,
    /// Possession spans bridge gaps of up to this many frames.
    pub possession_gap: usize,
}

impl Default for FootballConfig {
    fn default() -> Self {
        FootballConfig {
            contact: ContactConfig::feet(),
            kick: KickConfig::default(),
            decision: DecisionConfig::default(),
            speed: SpeedConfig::default(),
            possession_gap: 2,
        }
    }
}

/// Everything known about one football shot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FootballReport {
    /// What cleanup did to the ball track.
    pub cleanup: CleanReport,
    /// Who had the ball when.
    pub possession: Vec<PossessionSpan>,
    /// The kick, if any.
    pub kick: Option<Kick>,
    /// The shooter's track id (last touch before the kick).
    pub shooter: Option<u64>,
    /// Goal or not, with evidence.
    pub decision: GoalDecision,
    /// Shot speed.
    pub speed: ShotSpeed,
}

/// Analyses a football shot from a cleaned ball track, player tracks (may be
/// empty) and the goal region.
pub fn analyze_football(
    ball: &CleanTrack,
    players: &[Track],
    goal: &GoalRegion,
    homography: Option<&Homography>,
    cfg: &FootballConfig,
) -> FootballReport {
    let touch = contacts(ball, players, &cfg.contact);
    let spans = possession(ball, &touch, cfg.possession_gap);
    // Candidate kicks in order: the shot is the first one that starts outside
    // the goal region and does not stop short of it (a pass that stops, or a
    // dribble, is followed by the next candidate).
    let mut from = 0;
    let mut chosen: Option<(Option<Kick>, GoalDecision)> = None;
    while let Some(kk) = find_kick(ball, &touch, Heading::Towards(goal.centre()), &cfg.kick, from) {
        let idx = ball.index_of(kk.frame).unwrap_or(usize::MAX - 2);
        let d = decide_goal(ball, goal, players, Some(&kk), &cfg.decision);
        let settled = !matches!(d.outcome, FootballOutcome::Short | FootballOutcome::NoShot);
        let keep_old = chosen.as_ref().is_some_and(|(_, old)| {
            old.outcome == FootballOutcome::Short && d.outcome == FootballOutcome::NoShot
        });
        if !keep_old {
            chosen = Some((Some(kk), d));
        }
        if settled {
            break;
        }
        from = idx + 2;
    }
    let (kick, decision) =
        chosen.unwrap_or_else(|| (None, decide_goal(ball, goal, players, None, &cfg.decision)));
    let speed = match &kick {
        Some(k) if decision.outcome != FootballOutcome::NoShot => {
            shot_speed(ball, k, Some(&decision.evidence), Some(goal), homography, &cfg.speed)
        }
        _ => ShotSpeed::default(),
    };
    FootballReport {
        cleanup: ball.report,
        possession: spans,
        shooter: kick.and_then(|k| k.shooter),
        kick,
        decision,
        speed,
    }
}
