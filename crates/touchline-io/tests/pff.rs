//! PFF loader: real samples, broken variants, bounded fuzz, sniffing.

use std::path::{Path, PathBuf};

use approx::assert_abs_diff_eq;
use proptest::prelude::*;
use touchline_core::{Direction, Team, TrackingData};
use touchline_io::pff::{self, Meta};
use touchline_io::{IoError, skillcorner};

mod common;

use common::kloppy as asset;
use common::{apply, est, idx, join, json_edit, pos};

fn raw(id: &str) -> PathBuf {
    asset(&format!("pff/pff_{id}.jsonl"))
}

fn meta(id: &str) -> Meta {
    let mut m = Meta::read(&asset(&format!("pff/pff_metadata_{id}.json"))).expect("metadata parses");
    m.read_rosters(&asset(&format!("pff/pff_rosters_{id}.json"))).expect("rosters parse");
    m
}

fn lines(id: &str) -> Vec<String> {
    std::fs::read_to_string(raw(id)).unwrap().lines().map(str::to_owned).collect()
}

fn fake() -> PathBuf {
    PathBuf::from("mem/pff_3812.jsonl")
}

/// (observed players, estimated players, observed ball, estimated ball)
fn counts(d: &TrackingData) -> (usize, usize, usize, usize) {
    let ball = idx(d, "ball");
    let e = d.provider_estimate().unwrap();
    let mut c = (0, 0, 0, 0);
    for f in 0..d.n_frames() {
        for a in 0..d.n_agents() {
            let obs = d.observed()[[f, a]];
            let has_est = e[[f, a, 0]].is_finite();
            match (a == ball, obs, has_est) {
                (false, true, _) => c.0 += 1,
                (false, false, true) => c.1 += 1,
                (true, true, _) => c.2 += 1,
                (true, false, true) => c.3 += 1,
                _ => {}
            }
        }
    }
    c
}

#[test]
fn game_10517_final_with_extra_time() {
    let d = pff::open(&raw("10517")).unwrap();
    assert_eq!(d.n_frames(), 200);
    assert_eq!(d.frame_ids()[0], 4630);
    assert_eq!(d.frame_ids()[199], 265050);
    // time = videoTimeMs / 1000
    assert_abs_diff_eq!(d.timestamps()[0], 154.487821, epsilon = 1e-9);
    assert_abs_diff_eq!(d.timestamps()[199], 8843.843844, epsilon = 1e-9);
    assert_eq!(d.frame_rate(), 29.97);
    let pitch = d.pitch().unwrap();
    assert_eq!((pitch.length, pitch.width), (105.0, 68.0));
    assert_eq!(d.team_indices(Team::Home).len(), 17);
    assert_eq!(d.team_indices(Team::Away).len(), 18);
    assert_eq!(d.n_agents(), 36);
    let p = d.periods();
    let table: Vec<_> = p.iter().map(|p| (p.id, p.start, p.end, p.home_direction)).collect();
    use Direction::*;
    assert_eq!(
        table,
        vec![
            (1, 0, 50, Some(LeftToRight)), // homeTeamStartLeft: true
            (2, 50, 100, Some(RightToLeft)),
            // homeTeamStartLeftExtraTime says true, but the home goalkeeper (#23)
            // is at mean x = +41.0 in period 3 and -35.4 in period 4.
            (3, 100, 150, Some(RightToLeft)),
            (4, 150, 200, Some(LeftToRight)),
        ]
    );
    let gk = &d.agents()[idx(&d, "home_23")];
    assert_eq!(gk.role.as_deref(), Some("GK"));
    assert_eq!(gk.name.as_deref(), Some("Emiliano Martínez"));
    assert_eq!(gk.jersey, Some(23));

    // line 1: ball ESTIMATED {9.41, 4.92, z 0.39}; home #9 VISIBLE {0.123, -8.866}
    let ball = idx(&d, "ball");
    assert!(!d.observed()[[0, ball]]);
    let e = est(&d, 0, ball);
    assert_abs_diff_eq!(e[0], 9.41, epsilon = 1e-9);
    assert_abs_diff_eq!(e[1], 4.92, epsilon = 1e-9);
    assert_abs_diff_eq!(d.ball_z().unwrap()[0], 0.39, epsilon = 1e-9);
    let h9 = idx(&d, "home_9");
    assert!(d.observed()[[0, h9]]);
    let p = pos(&d, 0, h9);
    assert_abs_diff_eq!(p[0], 0.123, epsilon = 1e-9);
    assert_abs_diff_eq!(p[1], -8.866, epsilon = 1e-9);
    // line 200: home #13 ESTIMATED {26.064, 7.124}; ball ESTIMATED z 2.98
    let h13 = idx(&d, "home_13");
    assert!(!d.observed()[[199, h13]]);
    let e = est(&d, 199, h13);
    assert_abs_diff_eq!(e[0], 26.064, epsilon = 1e-9);
    assert_abs_diff_eq!(e[1], 7.124, epsilon = 1e-9);
    assert_abs_diff_eq!(d.ball_z().unwrap()[199], 2.98, epsilon = 1e-9);

    // Independently counted with python3 on the raw arrays: 1968 ESTIMATED and
    // 2432 VISIBLE player entries; ball 107 VISIBLE, 66 ESTIMATED, 27 frames without.
    assert_eq!(counts(&d), (2432, 1968, 107, 66));
}

#[test]
fn game_3812() {
    let d = pff::load(
        &raw("3812"),
        &asset("pff/pff_metadata_3812.json"),
        Some(&asset("pff/pff_rosters_3812.json")),
    )
    .unwrap();
    assert_eq!(d.n_frames(), 100);
    assert_eq!((d.frame_ids()[0], d.frame_ids()[99]), (4226, 190179));
    assert_abs_diff_eq!(d.timestamps()[0], 141.007674, epsilon = 1e-9);
    assert_abs_diff_eq!(d.timestamps()[99], 6345.645646, epsilon = 1e-9);
    assert_eq!(d.team_indices(Team::Home).len(), 15);
    assert_eq!(d.team_indices(Team::Away).len(), 15);
    let table: Vec<_> = d.periods().iter().map(|p| (p.id, p.start, p.end, p.home_direction)).collect();
    assert_eq!(
        table,
        vec![(1, 0, 50, Some(Direction::RightToLeft)), (2, 50, 100, Some(Direction::LeftToRight))]
    );
    // line 1: ball VISIBLE {-0.97, 0.29, z 0}; away #8 VISIBLE {0.444, -9.613}
    let ball = idx(&d, "ball");
    assert!(d.observed()[[0, ball]]);
    assert_abs_diff_eq!(pos(&d, 0, ball)[0], -0.97, epsilon = 1e-9);
    assert_abs_diff_eq!(pos(&d, 0, ball)[1], 0.29, epsilon = 1e-9);
    let a8 = idx(&d, "away_8");
    assert_abs_diff_eq!(pos(&d, 0, a8)[0], 0.444, epsilon = 1e-9);
    assert_abs_diff_eq!(pos(&d, 0, a8)[1], -9.613, epsilon = 1e-9);
    // line 100: no ball; away #23 ESTIMATED {47.018, -6.965}
    assert!(!d.observed()[[99, ball]]);
    let a23 = idx(&d, "away_23");
    assert!(!d.observed()[[99, a23]]);
    assert_abs_diff_eq!(est(&d, 99, a23)[0], 47.018, epsilon = 1e-9);
    assert_abs_diff_eq!(est(&d, 99, a23)[1], -6.965, epsilon = 1e-9);
    // python3: 1235 ESTIMATED / 965 VISIBLE player entries; ball 50 VISIBLE, 50 frames without.
    assert_eq!(counts(&d), (965, 1235, 50, 0));
}

#[test]
fn rosters_are_optional_metadata_is_not() {
    let dir = common::temp_dir("pff");
    let main = dir.join("pff_3812.jsonl");
    std::fs::write(&main, join(&lines("3812")[..60])).unwrap();
    let e = pff::open(&main).unwrap_err();
    common::assert_missing_companion(e, &main, &["pff_metadata_3812.json", "metadata.json"]);
    // generic name `metadata.json`, no rosters: loads without names/roles.
    std::fs::copy(asset("pff/pff_metadata_3812.json"), dir.join("metadata.json")).unwrap();
    let d = pff::open(&main).unwrap();
    assert_eq!(d.n_frames(), 60);
    assert!(d.agents().iter().all(|a| a.name.is_none()));
    assert_eq!(d.periods()[0].home_direction, Some(Direction::RightToLeft));
    std::fs::remove_dir_all(&dir).ok();

    // metadata without fps
    let text = std::fs::read_to_string(asset("pff/pff_metadata_3812.json")).unwrap();
    let e = Meta::parse(text.replace("\"fps\"", "\"fpz\"").as_bytes(), Path::new("m.json")).unwrap_err();
    assert!(matches!(&e, IoError::MissingMetadata { path, .. } if path == Path::new("m.json")), "{e}");
    let e = Meta::parse(b"[{\"fps\": 29.97,", Path::new("m.json")).unwrap_err();
    assert!(matches!(e, IoError::Parse { .. }));
}

fn parse_err(bytes: &[u8]) -> IoError {
    pff::parse(bytes, &meta("3812"), &fake()).unwrap_err()
}

#[test]
fn broken_variants() {
    // truncated line 5
    let mut l = lines("3812");
    let half = l[4].len() / 2;
    l[4].truncate(half);
    let e = parse_err(&join(&l));
    assert!(matches!(&e, IoError::Parse { line: 5, path, .. } if path == &fake()), "{e}");

    // missing field frameNum on line 7
    let mut l = lines("3812");
    l[6] = l[6].replacen("\"frameNum\"", "\"frameNumber\"", 1);
    assert!(matches!(parse_err(&join(&l)), IoError::Parse { line: 7, .. }));

    // non-numeric x on line 8
    let mut l = lines("3812");
    let first_x = l[7].find("\"x\": ").unwrap();
    l[7].replace_range(first_x..first_x + 5, "\"x\": \"a\", \"_\": ");
    let e = parse_err(&join(&l));
    assert!(matches!(&e, IoError::Parse { line: 8, .. }), "{e}");

    // non-numeric jersey on line 9
    let mut l = lines("3812");
    l[8] = l[8].replacen("\"jerseyNum\": \"", "\"jerseyNum\": \"x", 1);
    assert!(matches!(parse_err(&join(&l)), IoError::Parse { line: 9, .. }));

    // homePlayers of the wrong type on line 10
    let mut l = lines("3812");
    l[9] = l[9].replacen("\"homePlayers\": [", "\"homePlayers\": 3, \"_\": [", 1);
    assert!(matches!(parse_err(&join(&l)), IoError::Parse { line: 10, .. }));

    // not an object
    let mut l = lines("3812");
    l[10] = "\"frame\"".into();
    assert!(matches!(parse_err(&join(&l)), IoError::Parse { line: 11, .. }));
}

#[test]
fn non_monotonic_time_names_the_frame() {
    let mut l = lines("3812");
    l.swap(2, 3); // frames 4228 and 4229
    let e = parse_err(&join(&l));
    assert!(matches!(&e, IoError::Frame { frame: 4228, .. }), "{e}");
}

#[test]
fn nan_and_infinity_are_missing() {
    let mut l = lines("3812");
    // line 1: the first x is the ball's (-0.97), the first player is home #21
    l[0] = l[0].replacen("\"x\": -0.97", "\"x\": NaN", 1);
    l[0] = l[0].replacen("\"x\": 13.975", "\"x\": Infinity", 1);
    let d = pff::parse(&join(&l), &meta("3812"), &fake()).unwrap();
    for id in ["ball", "home_21"] {
        let a = idx(&d, id);
        assert!(!d.observed()[[0, a]]);
        assert!(pos(&d, 0, a)[0].is_nan());
        assert!(est(&d, 0, a)[0].is_nan());
    }
    // videoTimeMs out of range
    let mut l = lines("3812");
    l[1] = l[1].replacen("\"videoTimeMs\": ", "\"videoTimeMs\": 1e999, \"_\": ", 1);
    assert!(matches!(parse_err(&join(&l)), IoError::Parse { line: 2, .. }));
    let mut l = lines("3812");
    l[1] = l[1].replacen("\"videoTimeMs\": ", "\"videoTimeMs\": NaN, \"_\": ", 1);
    let d = pff::parse(&join(&l), &meta("3812"), &fake());
    // NaN becomes null: time falls back to frameNum / fps (4227 / 29.97)
    let d = d.unwrap();
    assert_abs_diff_eq!(d.timestamps()[1], 4227.0 / 29.97, epsilon = 1e-9);
}

#[test]
fn empty_inputs() {
    assert!(matches!(parse_err(b""), IoError::Empty { .. }));
    assert!(matches!(parse_err(b"\n\n"), IoError::Empty { .. }));
    assert!(matches!(parse_err(b"{\"frameNum\": 1, \"period\": null}\n"), IoError::Empty { .. }));
}

#[test]
fn sniff_tells_providers_apart() {
    for id in ["10517", "3812"] {
        let p = raw(id);
        assert!(pff::sniff(&p, &common::head(&p)));
        assert!(!skillcorner::sniff(&p, &common::head(&p)));
        assert_eq!(touchline_io::detect(&p).unwrap(), touchline_io::Format::Pff);
    }
    let others = [
        "skillcorner/skillcorner_v3_raw_data.jsonl",
        "pff/pff_metadata_10517.json",
        "pff/pff_rosters_10517.json",
        "signality/signality_p1_raw_data_subset.json",
        "tracab/tracab_raw.json",
        "metrica/metrica_home.csv",
    ];
    common::assert_not_sniffed(&[("pff", pff::sniff)], others.map(asset));
}

fn small_sample() -> Vec<u8> {
    // 12 lines across both periods keep each case fast
    let l = lines("3812");
    let mut pick: Vec<String> = l[..6].to_vec();
    pick.extend_from_slice(&l[50..56]);
    join(&pick)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = pff::parse(&bytes, &meta("3812"), &fake());
        let _ = Meta::parse(&bytes, Path::new("m.json"));
        let mut m = Meta::with_frame_rate(25.0);
        let _ = m.parse_rosters(&bytes, Path::new("r.json"));
    }

    #[test]
    fn mutated_real_file_never_panics(edits in prop::collection::vec(json_edit(), 1..8)) {
        let bytes = apply(small_sample(), &edits);
        match pff::parse(&bytes, &meta("3812"), &fake()) {
            Ok(d) => prop_assert!(d.n_frames() > 0),
            Err(e) => prop_assert_eq!(e.path().to_path_buf(), fake()),
        }
    }

    #[test]
    fn mutated_metadata_and_rosters_never_panic(edits in prop::collection::vec(json_edit(), 1..8)) {
        let m = std::fs::read(asset("pff/pff_metadata_3812.json")).unwrap();
        if let Ok(mut meta) = Meta::parse(&apply(m, &edits), Path::new("m.json")) {
            let r = std::fs::read(asset("pff/pff_rosters_3812.json")).unwrap();
            let _ = meta.parse_rosters(&apply(r, &edits), Path::new("r.json"));
            let _ = pff::parse(&small_sample(), &meta, &fake());
        }
    }
}
