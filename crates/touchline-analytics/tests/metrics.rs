//! Hand-computable cases, bad input and invariants of the metrics.

use ndarray::{Array2, Array3};
use proptest::prelude::*;
use touchline_analytics::{
    AnalyticsError, HeatmapParams, PhysicalParams, PitchControlModel, PitchControlParams, SavGol,
    ShapeParams, agent_physical, heatmap, kinematics, physical_summary, pitch_control, team_shape,
    voronoi_areas, voronoi_frame,
};
use touchline_core::{Agent, Pitch, Team, TrackingData};

const HZ: f64 = 25.0;

/// One agent per entry of `paths`, each a function of time; frames `0..n` at 25 Hz.
fn data_from(n: usize, agents: Vec<Agent>, pos: impl Fn(usize, f64) -> [f64; 2]) -> TrackingData {
    let t: Vec<f64> = (0..n).map(|i| i as f64 / HZ).collect();
    let na = agents.len();
    let mut p = Array3::<f64>::zeros((n, na, 2));
    let mut obs = Array2::from_elem((n, na), true);
    for f in 0..n {
        for a in 0..na {
            let q = pos(a, t[f]);
            p[[f, a, 0]] = q[0];
            p[[f, a, 1]] = q[1];
            obs[[f, a]] = q[0].is_finite() && q[1].is_finite();
        }
    }
    TrackingData::new(p, obs, t, agents)
        .unwrap()
        .with_frame_rate(HZ)
        .unwrap()
        .with_pitch(Pitch::FOOTBALL)
        .unwrap()
}

#[test]
fn known_path_distance_zones_and_sprints() {
    // 0-4 s walk at 1.5 m/s, 4-8 s sprint at 8 m/s, 8-10 s jog at 3 m/s (piecewise linear in x).
    let speed_at = |t: f64| {
        if t < 4.0 {
            1.5
        } else if t < 8.0 {
            8.0
        } else {
            3.0
        }
    };
    let x_at = |t: f64| {
        let a = 1.5 * t.min(4.0);
        let b = 8.0 * (t.clamp(4.0, 8.0) - 4.0);
        let c = 3.0 * (t.max(8.0) - 8.0);
        -40.0 + a + b + c
    };
    let n = 251; // 0..=10 s
    let data = data_from(n, vec![Agent::new("home_9", Team::Home)], |_, t| [x_at(t), 5.0]);
    let s = &agent_physical(&data, 0, &PhysicalParams::default()).unwrap()[0];
    let want = 1.5 * 4.0 + 8.0 * 4.0 + 3.0 * 2.0;
    // The filter is exact on straight stretches; only the windows around the two kinks smooth.
    assert!((s.distance - want).abs() < 0.05, "distance {} vs {want}", s.distance);
    assert!((s.zone_distance.iter().sum::<f64>() - s.distance).abs() < 1e-9);
    assert!((s.zone_time.iter().sum::<f64>() - 10.0).abs() < 1e-9);
    assert!((s.zone_time[0] - 4.0).abs() < 0.2, "walk {:?}", s.zone_time);
    assert!((s.zone_time[3] - 4.0).abs() < 0.2, "sprint {:?}", s.zone_time);
    assert!((s.zone_time[1] - 2.0).abs() < 0.2, "jog {:?}", s.zone_time);
    assert_eq!(s.sprints.len(), 1, "{:?}", s.sprints);
    let sp = s.sprints[0];
    assert!((sp.duration - 4.0).abs() < 0.2 && (sp.peak - 8.0).abs() < 1e-6, "{sp:?}");
    assert!((s.max_speed - 8.0).abs() < 1e-6);
    // The jumps 1.5 -> 8 and 8 -> 3 m/s are an acceleration and a deceleration above 3 m/s^2,
    // but each lasts only the filter window (0.28 s) < 0.5 s.
    assert!(s.accelerations.is_empty() && s.decelerations.is_empty());
    assert!(s.implausible_frames.is_empty());
    assert_eq!((s.frames_used, s.frames_missing, s.runs, s.frames_imputed), (251, 0, 1, 0));
    let _ = speed_at;
}

#[test]
fn sprint_shorter_than_a_second_is_not_counted_and_gaps_split_runs() {
    // 0.8 s at 9 m/s then standing: no sprint. A 1 s gap in the middle of the next stretch.
    let data = data_from(200, vec![Agent::new("home_9", Team::Home)], |_, t| {
        if (3.0..4.0).contains(&t) { [f64::NAN, f64::NAN] } else { [9.0 * t.min(0.8), 0.0] }
    });
    let s = &agent_physical(&data, 0, &PhysicalParams::default()).unwrap()[0];
    assert!(s.sprints.is_empty(), "{:?}", s.sprints);
    assert_eq!(s.runs, 2);
    assert_eq!(s.frames_missing, 25);
    // Standing on both sides of the gap: nothing is counted across it.
    assert!((s.distance - 7.2).abs() < 0.05, "{}", s.distance);
}

#[test]
fn implausible_speed_and_long_acceleration_are_flagged() {
    // Constant acceleration 4 m/s^2 from rest for 4 s: speed reaches 16 m/s (> 12).
    let data = data_from(101, vec![Agent::new("home_9", Team::Home)], |_, t| [2.0 * t * t - 40.0, 0.0]);
    let s = &agent_physical(&data, 0, &PhysicalParams::default()).unwrap()[0];
    assert!(!s.implausible_frames.is_empty());
    assert!(s.implausible_frames.iter().all(|&f| f as f64 / HZ > 2.9));
    assert_eq!(s.accelerations.len(), 1);
    assert!((s.accelerations[0].peak - 4.0).abs() < 1e-6, "{:?}", s.accelerations);
    assert!((s.distance - 32.0).abs() < 1e-6, "{}", s.distance);
}

#[test]
fn imputed_entries_are_used_and_counted() {
    let mut data = data_from(50, vec![Agent::new("home_9", Team::Home)], |_, t| {
        if (0.4..0.8).contains(&t) { [f64::NAN, f64::NAN] } else { [3.0 * t, 0.0] }
    });
    let gapped = agent_physical(&data, 0, &PhysicalParams::default()).unwrap()[0].clone();
    let xs: Vec<f64> = (0..50).map(|i| 3.0 * i as f64 / HZ).collect();
    let ys = vec![0.0; 50];
    data.fill_unobserved_xy(0, &xs, &ys).unwrap();
    let filled = &agent_physical(&data, 0, &PhysicalParams::default()).unwrap()[0];
    assert_eq!((gapped.runs, filled.runs), (2, 1));
    assert_eq!(filled.frames_imputed, 10);
    assert!((filled.distance - 3.0 * 49.0 / HZ).abs() < 1e-9);
    assert!(gapped.distance < filled.distance - 1.0);
}

#[test]
fn bad_input_gives_typed_errors() {
    // All-missing agent.
    let data =
        data_from(10, vec![Agent::new("home_9", Team::Home), Agent::new("home_12", Team::Home)], |a, t| {
            if a == 1 { [f64::NAN, f64::NAN] } else { [t, 0.0] }
        });
    assert!(matches!(
        agent_physical(&data, 1, &PhysicalParams::default()),
        Err(AnalyticsError::AgentAllMissing { index: 1, .. })
    ));
    assert!(matches!(
        agent_physical(&data, 7, &PhysicalParams::default()),
        Err(AnalyticsError::NoSuchAgent { .. })
    ));
    // A squad list keeps the unused substitute, with nothing computed for it.
    let all = physical_summary(&data, None, &PhysicalParams::default()).unwrap();
    assert_eq!(all[1].frames_used, 0);
    assert_eq!(all[1].distance, 0.0);
    // Single frame.
    let one = data_from(1, vec![Agent::new("home_9", Team::Home)], |_, _| [0.0, 0.0]);
    assert!(matches!(
        kinematics(&one, &SavGol::default()),
        Err(AnalyticsError::TooFewFrames { found: 1, .. })
    ));
    // Bad parameters.
    let bad = PhysicalParams { sprint_speed: f64::NAN, ..PhysicalParams::default() };
    assert!(matches!(agent_physical(&data, 0, &bad), Err(AnalyticsError::InvalidParameter { .. })));
    assert!(matches!(
        kinematics(&data, &SavGol { window: 4, order: 2 }),
        Err(AnalyticsError::InvalidParameter { name: "savgol.window", .. })
    ));
    // Pitch control with a team absent (NaN) in the frame.
    let lone =
        data_from(3, vec![Agent::new("home_9", Team::Home), Agent::new("away_4", Team::Away)], |a, _| {
            if a == 1 { [f64::NAN, f64::NAN] } else { [0.0, 0.0] }
        });
    assert!(matches!(
        pitch_control(&lone, 0, Team::Home),
        Err(AnalyticsError::NoPlayers { team: Team::Away, .. })
    ));
    assert!(matches!(pitch_control(&lone, 9, Team::Home), Err(AnalyticsError::NoSuchFrame { .. })));
    assert!(matches!(pitch_control(&lone, 0, Team::Ball), Err(AnalyticsError::InvalidParameter { .. })));
    // No pitch.
    let t = vec![0.0, 0.04];
    let nopitch = TrackingData::new(
        Array3::zeros((2, 1, 2)),
        Array2::from_elem((2, 1), true),
        t,
        vec![Agent::new("home_9", Team::Home)],
    )
    .unwrap();
    assert!(matches!(voronoi_frame(&nopitch, 0), Err(AnalyticsError::NoPitch)));
    assert!(matches!(heatmap(&nopitch, &[0], &HeatmapParams::default()), Err(AnalyticsError::NoPitch)));
    // Wrong velocity shape.
    let model = PitchControlModel::new(&lone, PitchControlParams::default(), 50).unwrap();
    assert!(matches!(
        model.frame(&lone, 0, Team::Home, &Array3::zeros((1, 1, 2))),
        Err(AnalyticsError::ShapeMismatch { .. })
    ));
}

#[test]
fn single_frame_pitch_control_works_with_zero_velocity() {
    let d = data_from(1, vec![Agent::new("home_9", Team::Home), Agent::new("away_4", Team::Away)], |a, _| {
        if a == 0 { [-20.0, 0.0] } else { [20.0, 0.0] }
    });
    // No keeper bonus, so the two players are alike.
    let model = PitchControlModel::new(&d, PitchControlParams::default(), 50).unwrap().with_keepers(vec![]);
    let s = model.frame(&d, 0, Team::Home, &Array3::zeros((1, 2, 2))).unwrap();
    assert_eq!(s.unconverged, 0);
    // And the convenience function runs on a single frame too.
    pitch_control(&d, 0, Team::Home).unwrap();
    // Mirror symmetry: the cells either side of the half-way line mirror each other.
    let (ny, nx) = s.attack.dim();
    for j in 0..ny {
        for i in 0..nx {
            assert!((s.attack[[j, i]] - s.defence[[j, nx - 1 - i]]).abs() < 1e-9);
        }
    }
}

/// 11 v 11 in mirror-image 4-4-2 shapes.
fn mirrored_formation() -> TrackingData {
    let home: [[f64; 2]; 11] = [
        [-48.0, 0.0],
        [-30.0, -24.0],
        [-32.0, -8.0],
        [-32.0, 8.0],
        [-30.0, 24.0],
        [-15.0, -22.0],
        [-17.0, -7.0],
        [-17.0, 7.0],
        [-15.0, 22.0],
        [-5.0, -9.0],
        [-5.0, 9.0],
    ];
    let mut agents: Vec<Agent> = (1..=11).map(|j| Agent::new(format!("home_{j}"), Team::Home)).collect();
    agents.extend((1..=11).map(|j| Agent::new(format!("away_{j}"), Team::Away)));
    data_from(2, agents, |a, _| {
        let p = home[a % 11];
        if a < 11 { p } else { [-p[0], -p[1]] }
    })
}

#[test]
fn symmetric_formations_equal_voronoi_areas_and_mirrored_shape() {
    let d = mirrored_formation();
    let cells = voronoi_frame(&d, 0).unwrap();
    let total: f64 = cells.iter().map(|c| c.area).sum();
    assert!((total - 105.0 * 68.0).abs() < 1e-6);
    let home: f64 = cells.iter().filter(|c| c.agent < 11).map(|c| c.area).sum();
    assert!((home - 0.5 * 105.0 * 68.0).abs() < 1e-6, "home area {home}");
    for c in cells.iter().filter(|c| c.agent < 11) {
        let twin = cells.iter().find(|o| o.agent == c.agent + 11).unwrap();
        assert!((c.area - twin.area).abs() < 1e-6);
    }
    // Centroids mirror through the origin, so the two together sit at 0.
    let h = team_shape(&d, Team::Home, &ShapeParams { exclude_goalkeeper: false }).unwrap();
    let a = team_shape(&d, Team::Away, &ShapeParams { exclude_goalkeeper: false }).unwrap();
    assert!(
        (h.centroid[0][0] + a.centroid[0][0]).abs() < 1e-12
            && (h.centroid[0][1] + a.centroid[0][1]).abs() < 1e-12
    );
    assert!((h.centroid[0][1]).abs() < 1e-12);
    assert!((h.hull_area[0] - a.hull_area[0]).abs() < 1e-9);
    assert!((h.width[0] - 48.0).abs() < 1e-12 && (h.length[0] - 43.0).abs() < 1e-12);
    // Home attacks +x (inferred: it stands in the left half); keeper at -48 is the deepest.
    assert!((h.defensive_line[0] - (52.5 - 48.0)).abs() < 1e-12);
    assert!((a.defensive_line[0] - (52.5 - 48.0)).abs() < 1e-12);
    // Without the keeper the deepest outfield player is at -32.
    let h2 = team_shape(&d, Team::Home, &ShapeParams::default()).unwrap();
    assert!((h2.defensive_line[0] - (52.5 - 32.0)).abs() < 1e-12);
    let areas = voronoi_areas(&d).unwrap();
    assert!((areas.row(1).sum() - 105.0 * 68.0).abs() < 1e-6);
}

#[test]
fn lone_attacker_controls_the_space_around_him() {
    // One attacker at (20, 0) with the ball, one defender far away at (-40, 0).
    let d = data_from(
        5,
        vec![Agent::new("home_9", Team::Home), Agent::new("away_4", Team::Away), Agent::ball()],
        |a, _| match a {
            0 => [20.0, 0.0],
            1 => [-40.0, 0.0],
            _ => [19.0, 0.0],
        },
    );
    let s = pitch_control(&d, 2, Team::Home).unwrap();
    let model = PitchControlModel::new(&d, PitchControlParams::default(), 50).unwrap();
    let g = model.grid();
    for (j, &y) in g.ys.iter().enumerate() {
        for (i, &x) in g.xs.iter().enumerate() {
            let r = (x - 20.0).hypot(y);
            if r < 10.0 {
                assert!(s.attack[[j, i]] > 0.99, "cell ({x}, {y}): {}", s.attack[[j, i]]);
            }
            if (x + 40.0).hypot(y) < 5.0 {
                assert!(s.attack[[j, i]] < 0.01, "cell ({x}, {y}): {}", s.attack[[j, i]]);
            }
        }
    }
}

#[test]
fn heatmap_counts_seconds() {
    let d = data_from(50, vec![Agent::new("home_9", Team::Home)], |_, _| [10.0, -10.0]);
    let h = heatmap(&d, &[0], &HeatmapParams { nx: 21, ny: 14, observed_only: true }).unwrap();
    assert!((h.seconds.sum() - 2.0).abs() < 1e-12);
    // x = 10 -> (10 + 52.5) / 5 = 12.5 -> column 12; y = -10 -> (24 / 68) * 14 = 4.94 -> row 4.
    assert!((h.seconds[[4, 12]] - 2.0).abs() < 1e-12);
    assert_eq!((h.samples, h.clamped), (50, 0));
}

fn players_strategy() -> impl Strategy<Value = Vec<(f64, f64, f64, f64)>> {
    prop::collection::vec((-60.0..60.0f64, -40.0..40.0f64, -6.0..6.0f64, -6.0..6.0f64), 2..12)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn pitch_control_is_a_probability_and_sums_to_one(pl in players_strategy(), bx in -50.0..50.0f64, by in -30.0..30.0f64) {
        let n = pl.len();
        let mut agents: Vec<Agent> = (0..n).map(|i| {
            let team = if i % 2 == 0 { Team::Home } else { Team::Away };
            Agent::new(format!("{}_{i}", team.as_str()), team)
        }).collect();
        agents.push(Agent::ball());
        let d = data_from(1, agents, |a, _| if a < n { [pl[a].0, pl[a].1] } else { [bx, by] });
        let mut vel = Array3::zeros((1, n + 1, 2));
        for (a, p) in pl.iter().enumerate() {
            vel[[0, a, 0]] = p.2;
            vel[[0, a, 1]] = p.3;
        }
        // Long enough for the farthest player to arrive anywhere (Shaw's 10 s is not, for two
        // players), and a step with int_dt * sum(lambda) <= 1 so that the explicit Euler step
        // cannot overshoot 1 (at 0.04 s a keeper plus three team-mates arriving together can).
        let params = PitchControlParams { max_int_time: 60.0, int_dt: 0.01, ..PitchControlParams::default() };
        let model = PitchControlModel::new(&d, params, 20).unwrap();
        let s = model.frame(&d, 0, Team::Home, &vel).unwrap();
        prop_assert_eq!(s.unconverged, 0);
        for (a, b) in s.attack.iter().zip(s.defence.iter()) {
            prop_assert!((0.0..=1.0 + 1e-12).contains(a) && (0.0..=1.0 + 1e-12).contains(b));
            let sum = a + b;
            prop_assert!((1.0 - 0.01 - 1e-9..=1.0 + 1e-9).contains(&sum), "sum {}", sum);
        }
    }

    #[test]
    fn voronoi_areas_tile_the_pitch(pl in prop::collection::vec((-60.0..60.0f64, -40.0..40.0f64), 1..23), dup in any::<bool>()) {
        let mut pts: Vec<(f64, f64)> = pl.clone();
        if dup { pts.push(pts[0]); }
        let n = pts.len();
        let agents: Vec<Agent> = (0..n).map(|i| Agent::new(format!("p{i}"), if i % 2 == 0 { Team::Home } else { Team::Away })).collect();
        let d = data_from(1, agents, |a, _| [pts[a].0, pts[a].1]);
        let cells = voronoi_frame(&d, 0).unwrap();
        let total: f64 = cells.iter().map(|c| c.area).sum();
        prop_assert!((total - 105.0 * 68.0).abs() < 1e-6 * 105.0 * 68.0, "total {}", total);
        prop_assert!(cells.iter().all(|c| c.area >= 0.0));
    }
}
