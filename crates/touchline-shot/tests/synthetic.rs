//! Every decision branch on synthetic trajectories, cleanup, and properties.

use proptest::prelude::*;
use touchline_core::{BBox, CoreError, Imputer, Label, Team, Track, TrackPoint, TrackingData};
use touchline_shot::*;

const FPS: f64 = 25.0;
const W: f64 = 20.0; // ball width in px: 20 px / 0.22 m = 90.9 px per metre

/// Goal mouth seen from behind the shooter.
fn goal() -> GoalRegion {
    GoalRegion::from_box(300.0, 100.0, 980.0, 300.0, RegionSource::User).unwrap()
}

/// A track from a position function (None = not seen).
fn track(n: usize, f: impl Fn(usize) -> Option<(f64, f64)>) -> BallTrack {
    let pts = (0..n)
        .map(|i| {
            let t = i as f64 / FPS;
            match f(i) {
                Some((x, y)) => BallObservation::seen(i, t, [x, y], Some(W)),
                None => BallObservation::missing(i, t),
            }
        })
        .collect();
    BallTrack::new(FPS, pts).unwrap()
}

fn lerp(a: (f64, f64), b: (f64, f64), u: f64) -> (f64, f64) {
    (a.0 + (b.0 - a.0) * u, a.1 + (b.1 - a.1) * u)
}

/// Still on the spot until frame 10, then a straight flight to `to` over 10
/// frames, then `after(frames since arrival)`.
fn shot(to: (f64, f64), after: impl Fn(usize) -> Option<(f64, f64)>) -> BallTrack {
    let spot = (640.0, 500.0);
    track(45, |i| match i {
        0..=10 => Some(spot),
        11..=20 => Some(lerp(spot, to, (i - 10) as f64 / 10.0)),
        _ => after(i - 20),
    })
}

fn person(id: u64, label: Label, boxes: impl Fn(usize) -> Option<[f32; 4]>, n: usize) -> Track {
    let points = (0..n)
        .filter_map(|f| {
            boxes(f).map(|b| TrackPoint {
                frame: f,
                timestamp: f as f64 / FPS,
                bbox: BBox::new(b[0], b[1], b[2], b[3]).unwrap(),
                score: 0.9,
            })
        })
        .collect();
    Track { id, label, team: Team::Unknown, points }
}

/// The shooter standing left of the ball, feet at the ball's height.
fn shooter() -> Track {
    person(7, Label::Player, |f| (f <= 14).then_some([570.0, 340.0, 640.0, 505.0]), 45)
}

fn run(ball: &BallTrack, players: &[Track]) -> FootballReport {
    let c = clean(ball, &CleanConfig::for_sport(Sport::Football)).unwrap();
    let mut cfg = FootballConfig::default();
    cfg.speed.flight_distance_m = Some(11.0);
    let r = analyze_football(&c, players, &goal(), None, &cfg);
    // Evidence is serialisable.
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains("\"outcome\""));
    r
}

#[test]
fn goal_rests_in_the_net() {
    let b = shot((420.0, 160.0), |k| Some((410.0 - (k as f64).min(5.0), 165.0 + (k as f64).min(6.0))));
    let r = run(&b, &[shooter()]);
    assert_eq!(r.decision.outcome, FootballOutcome::Goal, "{:?}", r.decision);
    assert_eq!(r.kick.map(|k| k.frame), Some(10));
    assert_eq!(r.shooter, Some(7));
    // Enters the goal mouth's image region at u = 0.6 of the flight ...
    assert_eq!(r.decision.evidence.arrival_frame, Some(16));
    // ... but reaches the goal line where the net stops it (frame 20, the
    // last frame before the slow step).
    assert_eq!(r.decision.evidence.line_rule, Some(LineRule::Stall));
    let line = r.decision.goal_frame.unwrap();
    assert_eq!(line, 20);
    assert_eq!(r.decision.goal_time, Some(line as f64 / FPS));
    assert!(r.decision.evidence.rest_frame.is_some());
    // Flight time: 10 frames for sqrt(11^2 + 2.37^2 + 1.71^2) = 11.38 m -> 102 km/h.
    let s = r.speed.primary.unwrap();
    assert_eq!(s.method, SpeedMethod::FlightTime);
    assert_eq!(s.bound, SpeedBound::Estimate);
    assert!((s.kmh - 102.4).abs() < 1.0, "{s:?}");
    assert!(s.kmh_low < s.kmh && s.kmh < s.kmh_high, "{s:?}");
    // Image plane: 40 px/frame across = 40 * 25 / 90.9 * 3.6 = 39.6 km/h.
    let ip = r.speed.image_plane.unwrap();
    assert!((ip.kmh - 39.6).abs() < 1.0, "{ip:?}");
}

/// A penalty seen from behind, pinhole camera: ball on the spot 23.5 m from
/// the camera (30 px wide), goal line 34.5 m away (the 680 px goal mouth is
/// 7.32 m, so a ball there is 20.4 px); kicked at frame 10 at 25 m/s in depth
/// towards a point 2 m left and 1.5 m up in the goal. Returns the track with
/// the ball seen up to frame `last_seen`, its widths wobbling by +-0.5 px.
fn going_away(last_seen: usize) -> BallTrack {
    let (zk, zg) = (23.5, 34.5);
    let f = 30.0 * zk / 0.22; // focal length, px
    let (h, cy) = (200.0 / (f * (1.0 / zk - 1.0 / zg)), 0.0);
    let cy = cy + 300.0 - f * h / zg; // the goal line's foot at y = 300
    let t_line = 11.0 / 25.0;
    let pts = (0..=last_seen)
        .map(|i| {
            let t = i as f64 / FPS;
            let tau = ((t - 10.0 / FPS) / t_line).max(0.0);
            let (x, y, z) = (-2.0 * tau, h - 1.5 * tau, zk + 11.0 * tau);
            let wobble = if i % 2 == 0 { 0.5 } else { -0.5 };
            let w = f * 0.22 / z + wobble;
            BallObservation::seen(i, t, [640.0 + f * x / z, cy + f * y / z], Some(w))
        })
        .collect();
    BallTrack::new(FPS, pts).unwrap()
}

#[test]
fn going_away_ball_reaches_the_line_by_its_shrinking_size() {
    // Lost at frame 18, three frames before it reaches the line (frame 21).
    let b = going_away(18);
    let r = run(&b, &[]);
    assert_eq!(r.decision.outcome, FootballOutcome::Goal, "{:?}", r.decision);
    let ev = &r.decision.evidence;
    // The ball enters the mouth's image region long before the line.
    assert!(ev.arrival_frame.unwrap() <= 16, "{ev:?}");
    assert_eq!(ev.line_rule, Some(LineRule::ApparentSize), "{ev:?}");
    let fit = ev.size_fit.as_ref().unwrap();
    assert!((fit.goal_plane_width_px - 20.44).abs() < 0.01, "{fit:?}");
    assert!((fit.kick_width_px - 30.0).abs() < 1.0, "{fit:?}");
    // The true line time is 0.84 s (frame 21); +-0.5 px of width noise on an
    // extrapolation moves it by about a frame, inside the band.
    let (t, band) = (ev.line_time.unwrap(), ev.line_time_band.unwrap());
    let truth = 10.0 / FPS + 0.44;
    assert!((t - truth).abs() < 0.05, "{t}");
    assert!(band[0] <= truth && truth <= band[1], "{band:?}");
    assert!((21..=23).contains(&r.decision.goal_frame.unwrap()), "{:?}", r.decision);
    // 11.28 m in 0.44 s = 92 km/h, within the band.
    let s = r.speed.primary.unwrap();
    assert_eq!(s.method, SpeedMethod::ApparentSize);
    assert!((s.kmh - 92.3).abs() < 8.0, "{s:?}");
    assert!(s.kmh_low <= 92.3 && 92.3 <= s.kmh_high, "{s:?}");
    // The image plane sees only the motion across the view: far lower.
    assert!(r.speed.image_plane.unwrap().kmh < 0.5 * s.kmh);
    // One glitch frame changes neither the line nor the speed.
    let mut pts = b.points().to_vec();
    pts[14].center = Some([1150.0, 40.0]);
    pts[14].width = Some(60.0);
    let r2 = run(&BallTrack::new(FPS, pts).unwrap(), &[]);
    assert!(r2.cleanup.outliers + r2.cleanup.teleports >= 1, "{:?}", r2.cleanup);
    // (One width fewer shifts the noise's effect by at most a frame.)
    assert!(r2.decision.goal_frame.unwrap().abs_diff(r.decision.goal_frame.unwrap()) <= 1);
    let s2 = r2.speed.primary.unwrap();
    assert_eq!(s2.method, SpeedMethod::ApparentSize);
    assert!((s2.kmh - 92.3).abs() < 8.0, "{s2:?} vs {s:?}");
}

#[test]
fn line_not_found_gives_only_a_bracket() {
    // Constant apparent size (no depth cue), lost right after entering the
    // mouth's image region: the region entry is only the earliest possible
    // line arrival, so the flight time gives an upper bound and no estimate.
    let b = shot((800.0, 200.0), |_| None);
    let r = run(&b, &[]);
    assert_eq!(r.decision.outcome, FootballOutcome::Goal, "{:?}", r.decision);
    assert_eq!(r.decision.evidence.line_rule, Some(LineRule::RegionEntry));
    assert!(r.decision.evidence.size_fit.as_ref().unwrap().crossing_time.is_none());
    let up = r.speed.flight_time.unwrap();
    assert_eq!(up.bound, SpeedBound::AtMost);
    assert!(r.speed.primary.is_none(), "{:?}", r.speed);
    let [lo, hi] = r.speed.bracket.unwrap();
    assert!(lo < hi && hi == up.kmh, "{:?}", r.speed);
}

#[test]
fn first_flight_point_after_a_kick_is_not_an_outlier() {
    // At rest to frame 10, one sighting in flight (frame 12), then a gap and
    // the ball again at frame 19: the lone flight point is off the resting
    // ball's window median but on the line between its neighbours.
    let b = track(25, |i| match i {
        0..=10 => Some((640.0, 500.0)),
        12 => Some((620.0, 440.0)),
        19.. => Some((560.0, 200.0 + (i - 19) as f64)),
        _ => None,
    });
    // Gaps up to 8 frames are bridged (the neighbours 9 frames apart count).
    let cfg = CleanConfig { max_gap_frames: 8, ..CleanConfig::for_sport(Sport::Football) };
    let c = clean(&b, &cfg).unwrap();
    assert_eq!(c.points[12].status, PointStatus::Observed, "{:?}", c.points[12]);
    assert_eq!(c.report.outliers, 0);
}

#[test]
fn goal_lost_in_the_net() {
    let b = shot((800.0, 200.0), |k| (k < 3).then_some((805.0, 205.0)));
    let r = run(&b, &[]);
    assert_eq!(r.decision.outcome, FootballOutcome::Goal, "{:?}", r.decision);
    assert!(r.decision.evidence.reason.contains("lost"));
    assert_eq!(r.shooter, None);
}

#[test]
fn saved_keeper_parries_it_back() {
    let keeper = person(1, Label::Goalkeeper, |f| (f >= 15).then_some([360.0, 120.0, 470.0, 300.0]), 45);
    // Into the goal mouth near the keeper, then back out towards the field.
    let b = shot((420.0, 200.0), |k| Some((420.0 + 10.0 * k as f64, 200.0 + 25.0 * k as f64)));
    let r = run(&b, &[shooter(), keeper]);
    assert_eq!(r.decision.outcome, FootballOutcome::Saved, "{:?}", r.decision);
    assert_eq!(r.decision.evidence.keeper_contact, Some(1));
    assert_eq!(r.decision.evidence.exit_side, Some(ExitSide::Bottom));
    assert_eq!(r.decision.goal_frame, None);
}

#[test]
fn saved_keeper_holds_it() {
    let keeper = person(1, Label::Goalkeeper, |f| (f >= 15).then_some([560.0, 120.0, 680.0, 300.0]), 45);
    let b = shot((620.0, 200.0), |_| Some((620.0, 200.0)));
    let r = run(&b, &[shooter(), keeper]);
    assert_eq!(r.decision.outcome, FootballOutcome::Saved, "{:?}", r.decision);
}

#[test]
fn rebound_off_the_post() {
    let b = shot((310.0, 200.0), |k| Some((310.0 + 15.0 * k as f64, 200.0 + 30.0 * k as f64)));
    let r = run(&b, &[shooter()]);
    assert_eq!(r.decision.outcome, FootballOutcome::Rebound, "{:?}", r.decision);
    assert_eq!(r.decision.evidence.keeper_contact, None);
}

#[test]
fn over_the_bar() {
    // Up through the mouth and out of the top.
    let b = shot((600.0, 150.0), |k| Some((598.0, 150.0 - 30.0 * k as f64)));
    let r = run(&b, &[shooter()]);
    assert_eq!(r.decision.outcome, FootballOutcome::Over, "{:?}", r.decision);
    assert_eq!(r.decision.evidence.exit_side, Some(ExitSide::Top));
}

#[test]
fn wide_of_the_post() {
    let b = shot((250.0, 250.0), |k| Some((250.0 - 30.0 * k as f64, 250.0)));
    let r = run(&b, &[shooter()]);
    assert_eq!(r.decision.outcome, FootballOutcome::Wide, "{:?}", r.decision);
    assert_eq!(r.decision.goal_frame, None);
}

#[test]
fn kick_off_in_front_of_goal_is_not_a_goal() {
    // The ball starts inside the goal mouth region and moves within it.
    let b = track(40, |i| {
        Some(if i <= 10 {
            (640.0, 280.0)
        } else {
            (640.0 - 12.0 * (i - 10) as f64, 280.0 - 5.0 * (i - 10) as f64)
        })
    });
    let r = run(&b, &[]);
    assert_eq!(r.decision.outcome, FootballOutcome::NoShot, "{:?}", r.decision);
    assert_eq!(r.decision.goal_frame, None);
    assert!(r.speed.primary.is_none());
}

#[test]
fn one_outlier_frame_does_not_change_the_goal_or_the_speed() {
    let clean_ball = shot((420.0, 160.0), |k| Some((410.0, 165.0 + (k as f64).min(6.0))));
    let mut pts = clean_ball.points().to_vec();
    pts[15].center = Some([1200.0, 20.0]); // a detector glitch: 900+ km/h if believed
    let bad = BallTrack::new(FPS, pts).unwrap();
    let (a, b) = (run(&clean_ball, &[shooter()]), run(&bad, &[shooter()]));
    assert_eq!(b.decision.outcome, FootballOutcome::Goal);
    assert_eq!(a.decision.goal_frame, b.decision.goal_frame);
    assert!(b.cleanup.outliers + b.cleanup.teleports >= 1, "{:?}", b.cleanup);
    let (sa, sb) = (a.speed.image_plane.unwrap(), b.speed.image_plane.unwrap());
    assert!((sa.kmh - sb.kmh).abs() < 5.0, "{sa:?} vs {sb:?}");
}

#[test]
fn no_ball_at_all() {
    let b = track(30, |_| None);
    let r = run(&b, &[shooter()]);
    assert_eq!(r.decision.outcome, FootballOutcome::NoBall);
    let empty = BallTrack::new(FPS, vec![]).unwrap();
    let r = run(&empty, &[]);
    assert_eq!(r.decision.outcome, FootballOutcome::NoBall);
    assert!(r.kick.is_none() && r.speed.primary.is_none());
}

#[test]
fn short_never_reaches_the_goal() {
    // 34 px (9 m/s) a frame for 5 frames, then it stops well before the goal line.
    let b = track(40, |i| {
        Some(match i {
            0..=10 => (640.0, 500.0),
            11..=15 => (640.0, 500.0 - 34.0 * (i - 10) as f64),
            _ => (640.0, 330.0),
        })
    });
    let r = run(&b, &[shooter()]);
    assert_eq!(r.decision.outcome, FootballOutcome::Short, "{:?}", r.decision);
}

#[test]
fn possession_and_shooter_from_the_last_touch() {
    // Player 3 dribbles the ball, passes to player 7 at the spot, 7 shoots.
    let b = track(45, |i| {
        Some(match i {
            0..=5 => (300.0 + 5.0 * i as f64, 500.0),
            6..=10 => lerp((325.0, 500.0), (640.0, 500.0), (i - 5) as f64 / 5.0),
            11..=14 => (640.0, 500.0),
            15..=24 => lerp((640.0, 500.0), (420.0, 160.0), (i - 14) as f64 / 10.0),
            _ => (410.0, 166.0),
        })
    });
    let p3 = person(3, Label::Player, |f| (f <= 6).then_some([270.0, 340.0, 330.0, 505.0]), 45);
    let p7 = person(7, Label::Player, |f| (f >= 9).then_some([575.0, 340.0, 640.0, 505.0]), 45);
    let c = clean(&b, &CleanConfig::for_sport(Sport::Football)).unwrap();
    let touch = contacts(&c, &[p3.clone(), p7.clone()], &ContactConfig::feet());
    let spans = possession(&c, &touch, 2);
    assert_eq!(spans.first().map(|s| s.track_id), Some(3));
    assert_eq!(spans.last().map(|s| s.track_id), Some(7));
    let r = run(&b, &[p3, p7]);
    assert_eq!(r.kick.map(|k| k.frame), Some(14));
    assert_eq!(r.shooter, Some(7));
    assert_eq!(r.decision.outcome, FootballOutcome::Goal);
}

/// A minimal linear imputer, to show any `Imputer` plugs in.
struct Linear;
impl Imputer for Linear {
    type Error = CoreError;
    fn name(&self) -> &str {
        "test-linear"
    }
    fn impute(&self, d: &TrackingData) -> std::result::Result<TrackingData, CoreError> {
        let mut out = d.clone();
        for a in 0..d.n_agents() {
            let (s, o) = (d.agent_series(a), d.agent_observed(a));
            let mut v = s.to_owned();
            let idx: Vec<usize> = (0..o.len()).filter(|&i| o[i]).collect();
            for w in idx.windows(2) {
                for f in w[0] + 1..w[1] {
                    let u = (f - w[0]) as f64 / (w[1] - w[0]) as f64;
                    for k in 0..2 {
                        v[[f, k]] = s[[w[0], k]] * (1.0 - u) + s[[w[1], k]] * u;
                    }
                }
            }
            out.fill_unobserved(a, v.view())?;
        }
        Ok(out)
    }
}

#[test]
fn gaps_filled_through_an_imputer_up_to_the_limit() {
    // Gap of 3 (frames 5..8) filled, gap of 8 (20..28) left, frame 12 an outlier.
    let b = track(40, |i| match i {
        5..=7 | 20..=27 => None,
        12 => Some((900.0, 900.0)),
        _ => Some((100.0 + 4.0 * i as f64, 200.0)),
    });
    let cfg = CleanConfig::for_sport(Sport::Football);
    let c = clean_with(&b, &cfg, &Linear).unwrap();
    for f in 5..=7 {
        assert_eq!(c.points[f].status, PointStatus::Imputed);
        let p = c.points[f].pos.unwrap();
        assert!((p[0] - (100.0 + 4.0 * f as f64)).abs() < 1e-9);
    }
    assert_ne!(c.points[12].status, PointStatus::Observed);
    assert_eq!(c.points[12].status, PointStatus::Imputed, "outlier replaced through the imputer");
    assert!((20..=27).all(|f| c.points[f].pos.is_none()));
    assert_eq!(c.report.imputed, 4);
    // Without an imputer nothing is filled.
    let plain = clean(&b, &cfg).unwrap();
    assert_eq!(plain.report.imputed, 0);
}

#[test]
fn teleport_rejected_by_the_speed_bound_only_with_a_scale() {
    // Slow rolling ball, one frame 200 px away (= 2.2 m in 40 ms = 55 m/s)
    // while Hampel is disabled: only the speed bound can catch it.
    let b = track(20, |i| Some(if i == 10 { (300.0, 300.0) } else { (100.0 + i as f64, 300.0) }));
    let mut cfg = CleanConfig::for_sport(Sport::Football);
    cfg.hampel_half_window = 0;
    cfg.max_speed_mps = 30.0;
    let c = clean(&b, &cfg).unwrap();
    assert_eq!(c.points[10].status, PointStatus::Teleport);
    assert_eq!(c.report.teleports, 1);
    assert!(c.report.speed_checked);
}

#[test]
fn bad_input_is_a_typed_error() {
    assert!(BallTrack::new(0.0, vec![]).is_err());
    assert!(BallTrack::new(f64::NAN, vec![]).is_err());
    let p = |f, x: f64| BallObservation::seen(f, f as f64 / FPS, [x, 1.0], Some(5.0));
    let e = BallTrack::new(FPS, vec![p(0, 1.0), p(0, 2.0)]).unwrap_err();
    assert!(e.to_string().contains("frame 0"), "{e}");
    let e = BallTrack::new(FPS, vec![p(3, f64::NAN)]).unwrap_err();
    assert!(e.to_string().contains("frame 3"), "{e}");
    let mut q = p(1, 1.0);
    q.width = Some(-1.0);
    assert!(BallTrack::new(FPS, vec![q]).is_err());
    assert!(GoalRegion::from_box(1.0, 1.0, 1.0, 5.0, RegionSource::User).is_err());
    assert!(
        GoalRegion::from_polygon(vec![[0.0, 0.0], [1.0, f64::INFINITY], [2.0, 0.0]], RegionSource::User)
            .is_err()
    );
    assert!(Homography::new([[0.0; 3]; 3]).is_err());
    let not_ball = person(1, Label::Player, |_| Some([0.0, 0.0, 1.0, 1.0]), 2);
    assert!(BallTrack::from_track(&not_ball, FPS).is_err());
}

#[test]
fn homography_speed_and_region() {
    // Image = world * 50 px/m (a top-down camera): a ball rolling 1 m per frame = 90 km/h.
    let h = Homography::new([[0.02, 0.0, 0.0], [0.0, 0.02, 0.0], [0.0, 0.0, 1.0]]).unwrap();
    let g = GoalRegion::from_homography(&h, [10.0, 2.0], [17.32, 2.0], 2.44).unwrap();
    let [x1, y1, x2, y2] = g.bounds();
    assert!((x1 - 500.0).abs() < 1e-6 && (x2 - 866.0).abs() < 1e-6 && (y2 - 100.0).abs() < 1e-6);
    assert!((y1 - (100.0 - 122.0)).abs() < 1e-6);
    let b = track(30, |i| Some(if i <= 5 { (100.0, 500.0) } else { (100.0 + 50.0 * (i - 5) as f64, 500.0) }));
    let c = clean(&b, &CleanConfig::for_sport(Sport::Football)).unwrap();
    let kick = find_kick(&c, &[], Heading::Towards([2000.0, 500.0]), &KickConfig::default(), 0).unwrap();
    assert_eq!(kick.frame, 5);
    let s = shot_speed(&c, &kick, None, None, Some(&h), &SpeedConfig::default());
    let hs = s.homography.unwrap();
    assert_eq!(s.primary.map(|p| p.method), Some(SpeedMethod::Homography));
    assert!((hs.kmh - 90.0).abs() < 1e-6, "{hs:?}");
}

// ---- basketball ----

/// Rim at y 180 from x 600 to 645, ball 24 px; a shot from (300, 400).
fn rim() -> Rim {
    Rim { x1: 600.0, x2: 645.0, y: 180.0 }
}

/// Parabola from `from` (frame s) to `to` (frame s + d) with apex `h` px
/// above the higher end, then `after(k)`.
fn parabola(from: (f64, f64), to: (f64, f64), apex_y: f64, u: f64) -> (f64, f64) {
    // y(u) = quadratic through (0, from.y), (0.5-ish apex), (1, to.y)
    let x = from.0 + (to.0 - from.0) * u;
    // Fit y = a u^2 + b u + c with y(0)=from.1, y(1)=to.1, min = apex_y.
    let (y0, y1) = (from.1, to.1);
    // Solve for b from min value: c - b^2/(4a) = apex_y, a + b + c = y1.
    let c = y0;
    let mut lo = -1e5;
    let mut hi = 0.0;
    for _ in 0..200 {
        let b = 0.5 * (lo + hi);
        let a = y1 - b - c;
        let m = c - b * b / (4.0 * a);
        if m > apex_y { hi = b } else { lo = b }
    }
    let b = 0.5 * (lo + hi);
    let a = y1 - b - c;
    (x, a * u * u + b * u + c)
}

fn basket_track(shots: &[(f64, f64, bool)]) -> BallTrack {
    // Each shot: 10 frames in the hands, 30 frames of flight ending at
    // (end_x, end_y), then (a make) 6 frames dropping straight through the
    // net, then the ball falls back near the shooter.
    let mut pts = Vec::new();
    let mut f = 0usize;
    for &(end_x, end_y, drop) in shots {
        for k in 0..10 {
            pts.push((f, (300.0, 420.0 - 2.0 * k as f64)));
            f += 1;
        }
        for k in 1..=30 {
            let u = k as f64 / 30.0;
            pts.push((f, parabola((300.0, 400.0), (end_x, end_y), 60.0, u)));
            f += 1;
        }
        if drop {
            for k in 1..=6 {
                pts.push((f, (end_x, end_y + 10.0 * k as f64)));
                f += 1;
            }
        }
        let last = pts.last().map(|p| p.1).unwrap();
        for k in 1..=20 {
            let u = k as f64 / 20.0;
            pts.push((f, lerp(last, (320.0, 500.0), u)));
            f += 1;
        }
    }
    let obs = pts
        .into_iter()
        .map(|(f, (x, y))| BallObservation::seen(f, f as f64 / 30.0, [x, y], Some(24.0)))
        .collect();
    BallTrack::new(30.0, obs).unwrap()
}

#[test]
fn basketball_make_miss_airball_counted() {
    // Make: through the middle of the rim down to 240. Miss: clanks off the
    // far side (ends just beyond the rim's right end). Airball: falls 150 px short.
    let b = basket_track(&[
        (622.0, 190.0, true),
        (672.0, 200.0, false),
        (450.0, 260.0, false),
        (628.0, 195.0, true),
    ]);
    let mut cfg = CleanConfig::for_sport(Sport::Basketball);
    cfg.max_speed_mps = 30.0;
    let c = clean(&b, &cfg).unwrap();
    let r = basketball_shots(&c, &rim(), &[], &BasketConfig::default());
    let outcomes: Vec<BasketOutcome> = r.shots.iter().map(|s| s.outcome).collect();
    assert_eq!(
        outcomes,
        vec![BasketOutcome::Make, BasketOutcome::Miss, BasketOutcome::Airball, BasketOutcome::Make],
        "{:#?}",
        r.shots
    );
    assert_eq!((r.makes, r.misses), (2, 2));
    assert!(r.shots[0].crossing_x.is_some_and(|x| x > 600.0 && x < 645.0));
    assert!(r.shots[2].min_rim_distance_px > 36.0);
    assert!(serde_json::to_string(&r).unwrap().contains("Airball"));
}

#[test]
fn basketball_release_and_shooter_from_contact() {
    let b = basket_track(&[(622.0, 190.0, true)]);
    let shooter = person(5, Label::Person, |f| (f <= 12).then_some([270.0, 330.0, 330.0, 500.0]), 60);
    let c = clean(&b, &CleanConfig::for_sport(Sport::Basketball)).unwrap();
    let r = basketball_shots(&c, &rim(), &[shooter], &BasketConfig::default());
    assert_eq!(r.shots.len(), 1);
    assert_eq!(r.shots[0].shooter, Some(5));
    assert!(r.shots[0].release_frame <= 12);
}

#[test]
fn basketball_dribbling_is_not_a_shot() {
    let b = track(60, |i| Some((300.0, 400.0 + 40.0 * ((i as f64) * 0.5).sin().abs())));
    let c = clean(&b, &CleanConfig::for_sport(Sport::Basketball)).unwrap();
    assert!(basketball_shots(&c, &rim(), &[], &BasketConfig::default()).shots.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_tracks_never_panic_and_speed_is_capped(
        pts in proptest::collection::vec(
            (proptest::option::weighted(0.8, (-2000.0f64..3000.0, -2000.0f64..3000.0)),
             proptest::option::of(0.5f64..80.0), 1usize..4),
            0..80),
        cap in 20.0f64..250.0,
    ) {
        let mut f = 0;
        let obs: Vec<BallObservation> = pts.iter().map(|(c, w, step)| {
            f += step;
            BallObservation { frame: f, time: f as f64 / FPS, center: c.map(|(x, y)| [x, y]), width: *w, score: 1.0 }
        }).collect();
        let b = BallTrack::new(FPS, obs).unwrap();
        let c = clean_with(&b, &CleanConfig::for_sport(Sport::Football), &Linear).unwrap();
        prop_assert_eq!(c.points.len(), b.points().last().map_or(0, |p| p.frame - b.points()[0].frame + 1));
        let mut cfg = FootballConfig::default();
        cfg.speed.cap_kmh = cap;
        cfg.speed.flight_distance_m = Some(11.0);
        let r = analyze_football(&c, &[shooter()], &goal(), None, &cfg);
        for s in [r.speed.primary, r.speed.image_plane, r.speed.flight_time].into_iter().flatten() {
            prop_assert!(s.kmh <= cap && s.kmh_high <= cap && s.kmh_low >= 0.0 && s.kmh_low <= s.kmh && s.kmh <= s.kmh_high);
        }
        let _ = basketball_shots(&c, &rim(), &[], &BasketConfig::default());
    }
}
