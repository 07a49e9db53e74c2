//! Fuzzes the coaching-answer parser and validator: arbitrary bytes as the
//! model's answer, checked against a goal and a basketball miss.
#![no_main]

use libfuzzer_sys::fuzz_target;
use touchline_coach::{Flag, Foot, Measurement, Outcome, ShotFacts, Speed, Sport};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let goal = ShotFacts {
        sport: Sport::Football,
        outcome: Outcome::Goal,
        shooter: "player 8".into(),
        foot: Foot::Right,
        speed: Some(Speed { kmh: 96.0, uncertainty_kmh: 7.0 }),
        measurements: vec![Measurement::degrees("knee_flexion", 58.0, 0.9, [70.0, 110.0], Flag::Low)],
    };
    let miss = ShotFacts::new(Sport::Basketball, Outcome::Miss);
    let _ = touchline_coach::parse_sections(&text);
    let _ = touchline_coach::validate(&text, &goal);
    let _ = touchline_coach::validate(&text, &miss);
    let _ = touchline_coach::stated_speeds(&text);
});
