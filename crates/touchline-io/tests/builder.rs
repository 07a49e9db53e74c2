//! `TrackingBuilder`: agent registration, periods, estimates, transforms and errors.

use std::path::Path;

use touchline_core::{Agent, AxisTransform, Direction, Team, Unit};
use touchline_io::{IoError, TrackingBuilder};

#[test]
fn registers_agents_once_and_merges_metadata() {
    let mut b = TrackingBuilder::new("f.txt");
    let a = b.agent(Agent::new("p1", Team::Unknown));
    let again = b.agent(Agent::new("p1", Team::Away).with_jersey(9).with_role("ST"));
    assert_eq!(a, again);
    assert_eq!(b.agents()[0].team, Team::Away);
    assert_eq!(b.agents()[0].jersey, Some(9));
    // a known team is not overwritten
    b.agent(Agent::new("p1", Team::Home));
    assert_eq!(b.agents()[0].team, Team::Away);
    assert_eq!(b.agent_index("p1"), Some(0));
    assert_eq!(b.agent_index("p2"), None);
}

#[test]
fn periods_from_ids_and_directions() {
    let mut b = TrackingBuilder::new("f.txt");
    let p = b.agent(Agent::new("home_1", Team::Home));
    for f in 0..6 {
        b.push_frame(f, f as f64, if f < 2 { 1 } else { 2 });
        b.observe(p, 1.0, 2.0);
    }
    let d = b.period_direction(2, Direction::RightToLeft).finish().unwrap();
    assert_eq!(d.periods().len(), 2);
    assert_eq!(d.periods()[0].frames(), 0..2);
    assert_eq!(d.periods()[1].frames(), 2..6);
    assert_eq!(d.periods()[1].home_direction, Some(Direction::RightToLeft));
    assert_eq!(d.periods()[0].home_direction, None);
}

#[test]
fn transform_applies_to_observations_and_estimates() {
    let mut b = TrackingBuilder::new("f.dat");
    let p = b.agent(Agent::new("home_1", Team::Home));
    b.push_frame(0, 0.0, 1);
    b.observe(p, 100.0, -200.0);
    b.push_frame(1, 0.04, 1);
    b.estimate(p, 300.0, 0.0);
    let d = b.transform(AxisTransform::from_unit(Unit::Centimetres)).finish().unwrap();
    assert_eq!(d.positions()[[0, 0, 0]], 1.0);
    assert_eq!(d.positions()[[0, 0, 1]], -2.0);
    assert!(!d.observed()[[1, 0]] && d.positions()[[1, 0, 0]].is_nan());
    assert_eq!(d.provider_estimate().unwrap()[[1, 0, 0]], 3.0);
}

#[test]
fn non_finite_values_are_missing_not_observed() {
    let mut b = TrackingBuilder::new("f.csv");
    let p = b.agent(Agent::new("home_1", Team::Home));
    let ball = b.agent(Agent::ball());
    b.observe(p, 1.0, 1.0); // before any frame: ignored
    b.push_frame(0, 0.0, 1);
    b.observe(p, f64::NAN, 1.0);
    b.observe(ball, 0.0, f64::INFINITY);
    b.ball_z(f64::NAN);
    b.push_frame(1, 0.1, 1);
    b.observe(p, 2.0, 2.0);
    let d = b.finish().unwrap();
    assert!(!d.observed()[[0, 0]] && d.observed()[[1, 0]]);
    assert!(!d.observed()[[0, 1]]);
    assert!(d.ball_z().is_none());
}

#[test]
fn unseen_agents_dropped_unless_kept_ball_always_kept() {
    let build = |keep: bool| {
        let mut b = TrackingBuilder::new("f.csv");
        let p = b.agent(Agent::new("home_1", Team::Home));
        b.agent(Agent::new("home_sub", Team::Home));
        b.agent(Agent::ball());
        b.push_frame(0, 0.0, 1);
        b.observe(p, 0.0, 0.0);
        if keep { b.keep_unseen_agents().finish() } else { b.finish() }
    };
    let d = build(false).unwrap();
    assert_eq!(d.agents().iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["home_1", "ball"]);
    assert_eq!(build(true).unwrap().n_agents(), 3);
}

#[test]
fn errors_name_the_file_and_provider_frame() {
    let e = TrackingBuilder::new("empty.dat").finish().unwrap_err();
    assert!(matches!(&e, IoError::Empty { path } if path == Path::new("empty.dat")));

    let mut b = TrackingBuilder::new("match.dat");
    let p = b.agent(Agent::new("home_1", Team::Home));
    for (id, t) in [(100, 0.0), (101, 0.04), (102, 0.04)] {
        b.push_frame(id, t, 1);
        b.observe(p, 0.0, 0.0);
    }
    match b.finish().unwrap_err() {
        IoError::Frame { path, frame, message } => {
            assert_eq!(path, Path::new("match.dat"));
            assert_eq!(frame, 102);
            assert!(message.contains("not after"), "{message}");
        }
        other => panic!("unexpected {other:?}"),
    }

    let mut b = TrackingBuilder::new("nan.dat");
    b.push_frame(7, f64::NAN, 1);
    assert!(matches!(b.finish().unwrap_err(), IoError::Frame { frame: 7, .. }));

    let mut b = TrackingBuilder::new("rate.dat");
    b.push_frame(0, 0.0, 1);
    let e = b.frame_rate(-25.0).finish().unwrap_err();
    assert!(matches!(e, IoError::Invalid { .. }));
    assert!(e.to_string().starts_with("rate.dat: "), "{e}");
}
