//! Property tests: the validator never panics; the rule coach always passes it.

mod common;

use proptest::prelude::*;
use touchline_coach::{
    Flag, Foot, Measurement, Outcome, RuleCoach, ShotFacts, Speed, Sport, stated_speeds, validate,
};

fn arb_flag() -> impl Strategy<Value = Flag> {
    prop_oneof![Just(Flag::Ok), Just(Flag::Low), Just(Flag::High), Just(Flag::Unreliable)]
}

fn arb_facts() -> impl Strategy<Value = ShotFacts> {
    let sport_outcome = prop_oneof![
        Just((Sport::Football, Outcome::Goal)),
        Just((Sport::Football, Outcome::Saved)),
        Just((Sport::Football, Outcome::MissedWide)),
        Just((Sport::Football, Outcome::Over)),
        Just((Sport::Football, Outcome::Rebound)),
        Just((Sport::Football, Outcome::Unknown)),
        Just((Sport::Basketball, Outcome::Make)),
        Just((Sport::Basketball, Outcome::Miss)),
        Just((Sport::Basketball, Outcome::Unknown)),
    ];
    let foot = prop_oneof![Just(Foot::Left), Just(Foot::Right), Just(Foot::Unknown)];
    let speed = proptest::option::of(
        (0.0f64..200.0, 0.0f64..20.0).prop_map(|(kmh, u)| Speed { kmh, uncertainty_kmh: u }),
    );
    let names = prop_oneof![
        Just("knee_flexion"),
        Just("trunk_lean"),
        Just("hip_drive"),
        Just("plant_foot_distance"),
        Just("elbow_angle"),
        Just("release_height"),
    ];
    let m = (names, -50.0f64..250.0, 0.0f64..=1.0, 0.0f64..90.0, 1.0f64..90.0, arb_flag())
        .prop_map(|(n, v, c, lo, w, flag)| Measurement::degrees(n, v, c, [lo, lo + w], flag));
    (sport_outcome, "[a-z0-9 ]{0,12}", foot, speed, proptest::collection::vec(m, 0..5)).prop_map(
        |((sport, outcome), shooter, foot, speed, measurements)| ShotFacts {
            sport,
            outcome,
            shooter,
            foot,
            speed,
            measurements,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn validator_never_panics_on_any_text(text in any::<String>(), facts in arb_facts()) {
        let _ = validate(&text, &facts);
        let _ = stated_speeds(&text);
    }

    #[test]
    fn validator_never_panics_on_section_like_text(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("## Verdict\n".to_string()), Just("**Fix 1:** ".to_string()), Just("Drill -".to_string()),
                Just("goal! ".to_string()), Just("saved ".to_string()), Just("left-footed ".to_string()),
                Just("12.5 km/h ".to_string()), Just("± 3 mph".to_string()), Just("knee flexion ideal. ".to_string()),
                Just("#".to_string()), Just("**".to_string()), Just("1.".to_string()), Just("⚽é漢".to_string()),
                "[ -~]{0,8}".prop_map(|s| s),
            ],
            0..30,
        ),
        facts in arb_facts(),
    ) {
        let _ = validate(&parts.concat(), &facts);
    }

    #[test]
    fn rule_coach_always_passes_the_validator(facts in arb_facts()) {
        let text = RuleCoach::new(facts.clone()).write();
        let r = validate(&text, &facts);
        prop_assert!(r.is_ok(), "{:?}\n{}", r, text);
    }
}
