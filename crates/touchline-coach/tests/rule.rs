//! The offline rule-based coach through the whole pipeline.

mod common;

use common::goal_facts;
use touchline_coach::{
    Flag, Foot, Measurement, Outcome, RuleCoach, ShotFacts, Sport, coach, parse_sections, validate,
};

const FOOTBALL: [Outcome; 6] =
    [Outcome::Goal, Outcome::Saved, Outcome::MissedWide, Outcome::Over, Outcome::Rebound, Outcome::Unknown];
const BASKETBALL: [Outcome; 3] = [Outcome::Make, Outcome::Miss, Outcome::Unknown];

fn with(sport: Sport, outcome: Outcome) -> ShotFacts {
    ShotFacts { sport, outcome, ..goal_facts() }
}

#[test]
fn openings_celebrate_or_encourage() {
    let opening = |f: ShotFacts| parse_sections(&RuleCoach::new(f).write()).unwrap().opening;
    assert!(opening(with(Sport::Football, Outcome::Goal)).starts_with("Goal! Great finish, player 8"));
    assert!(opening(with(Sport::Basketball, Outcome::Make)).starts_with("Bucket!"));
    for (o, word) in [
        (Outcome::Saved, "Good effort"),
        (Outcome::MissedWide, "Unlucky"),
        (Outcome::Over, "Close"),
        (Outcome::Rebound, "So close"),
    ] {
        let s = opening(with(Sport::Football, o));
        assert!(s.starts_with(word), "{o:?}: {s}");
        assert!(!s.to_lowercase().contains("goal!"), "{o:?}: {s}");
    }
    assert!(opening(with(Sport::Basketball, Outcome::Miss)).starts_with("Keep shooting"));
    assert!(opening(with(Sport::Football, Outcome::Unknown)).starts_with("Let's look"));
}

#[test]
fn every_outcome_gives_four_valid_sections() {
    for (sport, outcomes) in [(Sport::Football, &FOOTBALL[..]), (Sport::Basketball, &BASKETBALL[..])] {
        for &o in outcomes {
            let f = with(sport, o);
            let out =
                coach(&f, &mut RuleCoach::new(f.clone())).unwrap_or_else(|e| panic!("{sport:?} {o:?}: {e}"));
            assert_eq!(out.attempts, 1);
            for s in
                [&out.sections.verdict, &out.sections.fixes[0], &out.sections.fixes[1], &out.sections.drill]
            {
                assert!(s.len() > 20, "{sport:?} {o:?}: short section {s:?}");
            }
        }
    }
}

#[test]
fn each_flag_turns_into_a_fix() {
    let mut f = goal_facts();
    f.measurements = vec![
        Measurement::degrees("knee_flexion", 58.0, 0.9, [70.0, 110.0], Flag::Low),
        Measurement::degrees("trunk_lean", 35.0, 0.8, [0.0, 20.0], Flag::High),
        Measurement {
            name: "plant_foot_distance".into(),
            value: 60.0,
            unit: "cm".into(),
            confidence: 0.7,
            good_range: Some([15.0, 35.0]),
            flag: Flag::High,
        },
        Measurement::degrees("hip_drive", 35.0, 0.9, [20.0, 50.0], Flag::Ok),
    ];
    let s = validate(&RuleCoach::new(f.clone()).write(), &f).unwrap();
    let fixes = format!("{}\n{}", s.fixes[0], s.fixes[1]);
    // worst first: plant foot (25 cm over a 20 cm range) then trunk lean (15 over 20) then knee (12 under 40)
    assert!(
        s.fixes[0].starts_with("Your plant foot distance was 60 cm (good range 15–35 cm)."),
        "{}",
        s.fixes[0]
    );
    assert!(s.fixes[1].starts_with("Your trunk lean was 35°"), "{}", s.fixes[1]);
    assert!(fixes.contains("Also: Your knee flexion was 58°"), "{fixes}");
    assert!(fixes.contains("Stay taller") && fixes.contains("Bend the kicking knee more"));
    assert!(!fixes.contains("hip drive"), "an in-range measurement is not a fix: {fixes}");
    assert!(s.verdict.contains("In range: hip drive."));

    // a single flag: Fix 1 from it, Fix 2 from the outcome
    let mut one = with(Sport::Football, Outcome::Over);
    one.measurements = vec![Measurement::degrees("trunk_lean", 30.0, 0.9, [0.0, 20.0], Flag::High)];
    let s = validate(&RuleCoach::new(one.clone()).write(), &one).unwrap();
    assert!(s.fixes[0].contains("trunk lean was 30°"));
    assert!(s.fixes[1].contains("knee over the ball"), "{}", s.fixes[1]);
    assert!(s.drill.contains("Low drives"));
}

#[test]
fn low_confidence_is_never_a_fix_or_a_number() {
    let mut f = goal_facts();
    f.measurements = vec![Measurement::degrees("knee_flexion", 58.0, 0.1, [70.0, 110.0], Flag::Low)];
    let t = RuleCoach::new(f.clone()).write();
    let s = validate(&t, &f).unwrap();
    assert!(!t.contains("58"), "{t}");
    assert!(s.verdict.contains("Not measured reliably: knee flexion"));
    assert!(s.fixes[0].contains("Film the next shot side-on"), "{}", s.fixes[0]);
}

#[test]
fn deterministic_and_states_measured_facts() {
    let f = goal_facts();
    let a = RuleCoach::new(f.clone()).write();
    assert_eq!(a, RuleCoach::new(f.clone()).write());
    let s = parse_sections(&a).unwrap();
    assert!(s.verdict.starts_with("A right-foot shot that scored, at 96 km/h (±7 km/h)."), "{}", s.verdict);
    let mut left = f.clone();
    left.foot = Foot::Left;
    left.speed = None;
    let v = parse_sections(&RuleCoach::new(left).write()).unwrap().verdict;
    assert!(v.starts_with("A left-foot shot that scored.") && !v.contains("km/h"), "{v}");
}

#[test]
fn no_measurements_at_all() {
    let f = ShotFacts::new(Sport::Basketball, Outcome::Miss);
    let s = validate(&RuleCoach::new(f.clone()).write(), &f).unwrap();
    assert!(s.verdict.contains("No body measurements"));
    assert!(s.fixes[0].contains("arc"));
}

#[test]
fn nothing_flagged_nothing_unreliable_still_two_fixes() {
    let mut f = with(Sport::Football, Outcome::Goal);
    f.measurements = vec![Measurement::degrees("trunk_lean", 10.0, 0.9, [0.0, 20.0], Flag::Ok)];
    let s = validate(&RuleCoach::new(f.clone()).write(), &f).unwrap();
    assert!(s.fixes[0].contains("eyes on the ball"), "{}", s.fixes[0]);
    assert!(s.fixes[1].starts_with("Repeat what worked"), "{}", s.fixes[1]);
    // after a miss the outcome advice comes before the request to film
    let mut m = goal_facts();
    m.outcome = Outcome::MissedWide;
    m.measurements.remove(0);
    let s = validate(&RuleCoach::new(m.clone()).write(), &m).unwrap();
    assert!(s.fixes[0].contains("standing foot at the target"), "{}", s.fixes[0]);
    assert!(s.fixes[1].contains("hip drive could not be measured"), "{}", s.fixes[1]);
}
