//! SkillCorner v3 loader: real sample, broken variants, bounded fuzz, sniffing.

use std::path::{Path, PathBuf};

use approx::assert_abs_diff_eq;
use proptest::prelude::*;
use touchline_core::{Direction, Team};
use touchline_io::skillcorner::{self, Meta};
use touchline_io::{IoError, pff};

mod common;

use common::kloppy as asset;
use common::{apply, est, idx, join, json_edit, pos};

fn raw_path() -> PathBuf {
    asset("skillcorner/skillcorner_v3_raw_data.jsonl")
}

fn raw_bytes() -> Vec<u8> {
    std::fs::read(raw_path()).expect("read the SkillCorner sample")
}

fn meta() -> Meta {
    Meta::read(&asset("skillcorner/skillcorner_meta_data.json")).expect("match JSON parses")
}

fn lines() -> Vec<String> {
    String::from_utf8(raw_bytes()).unwrap().lines().map(str::to_owned).collect()
}

fn fake() -> PathBuf {
    PathBuf::from("mem/skillcorner_v3_raw_data.jsonl")
}

#[test]
fn real_file_shape_and_metadata() {
    let d = skillcorner::open(&raw_path()).unwrap();
    // 44 lines; frames 0-9 and 60991-60997 have period null and are skipped.
    assert_eq!(d.n_frames(), 27);
    assert_eq!(d.frame_ids()[0], 10);
    assert_eq!(d.frame_ids()[26], 60990);
    assert_eq!(&d.frame_ids()[12..14], &[22, 60977]);
    // time = frame / 10
    assert_abs_diff_eq!(d.timestamps()[0], 1.0, epsilon = 1e-9);
    assert_abs_diff_eq!(d.timestamps()[26], 6099.0, epsilon = 1e-9);
    assert_eq!(d.frame_rate(), 10.0);
    let pitch = d.pitch().unwrap();
    assert_eq!((pitch.length, pitch.width), (105.0, 68.0));
    // 31 distinct tracked players + ball; unseen substitutes dropped.
    assert_eq!(d.n_agents(), 32);
    assert_eq!(d.team_indices(Team::Home).len(), 16);
    assert_eq!(d.team_indices(Team::Away).len(), 15);
    assert_eq!(d.team_indices(Team::Ball).len(), 1);
    assert!(d.team_indices(Team::Unknown).is_empty());
    // periods and home_team_side ["right_to_left", "left_to_right"]
    let p = d.periods();
    assert_eq!(p.len(), 2);
    assert_eq!((p[0].id, p[0].start, p[0].end), (1, 0, 13));
    assert_eq!((p[1].id, p[1].start, p[1].end), (2, 13, 27));
    assert_eq!(p[0].home_direction, Some(Direction::RightToLeft));
    assert_eq!(p[1].home_direction, Some(Direction::LeftToRight));
    // lineup details: player id 76 is away #1, GK.
    let gk = &d.agents()[idx(&d, "away_1")];
    assert_eq!(gk.jersey, Some(1));
    assert_eq!(gk.role.as_deref(), Some("GK"));
    assert_eq!(gk.name.as_deref(), Some("Player 22 short name"));
}

#[test]
fn real_file_coordinates_and_visibility() {
    let d = skillcorner::open(&raw_path()).unwrap();
    let ball = idx(&d, "ball");
    // frame 20 (index 10): ball {x 0.0, y -0.31, z 0.2, detected};
    // player 76 (away #1) {x -41.97, y -0.61, is_detected false}.
    assert!(d.observed()[[10, ball]]);
    let b = pos(&d, 10, ball);
    assert_abs_diff_eq!(b[0], 0.0, epsilon = 1e-9);
    assert_abs_diff_eq!(b[1], -0.31, epsilon = 1e-9);
    assert_abs_diff_eq!(d.ball_z().unwrap()[10], 0.2, epsilon = 1e-9);
    let a1 = idx(&d, "away_1");
    assert!(!d.observed()[[10, a1]]);
    assert!(pos(&d, 10, a1)[0].is_nan());
    let e = est(&d, 10, a1);
    assert_abs_diff_eq!(e[0], -41.97, epsilon = 1e-9);
    assert_abs_diff_eq!(e[1], -0.61, epsilon = 1e-9);
    // frame 60979 (index 15): ball not detected {-32.64, -33.14, z 0.36};
    // player 133 (home #1) estimated {-43.62, -8.34}; player 121 (home #3) detected {-23.94, -23.1}.
    assert!(!d.observed()[[15, ball]]);
    let e = est(&d, 15, ball);
    assert_abs_diff_eq!(e[0], -32.64, epsilon = 1e-9);
    assert_abs_diff_eq!(e[1], -33.14, epsilon = 1e-9);
    assert_abs_diff_eq!(d.ball_z().unwrap()[15], 0.36, epsilon = 1e-9);
    let h1 = idx(&d, "home_1");
    assert!(!d.observed()[[15, h1]]);
    let e = est(&d, 15, h1);
    assert_abs_diff_eq!(e[0], -43.62, epsilon = 1e-9);
    assert_abs_diff_eq!(e[1], -8.34, epsilon = 1e-9);
    let h3 = idx(&d, "home_3");
    assert!(d.observed()[[15, h3]]);
    let p = pos(&d, 15, h3);
    assert_abs_diff_eq!(p[0], -23.94, epsilon = 1e-9);
    assert_abs_diff_eq!(p[1], -23.1, epsilon = 1e-9);

    // Counts computed independently with python3 over the JSONL:
    // player entries is_detected=false: 78, true: 54; ball detected 4, not detected 2.
    let estimate = d.provider_estimate().unwrap();
    let (mut obs_players, mut est_players, mut obs_ball, mut est_ball) = (0, 0, 0, 0);
    for f in 0..d.n_frames() {
        for a in 0..d.n_agents() {
            let is_ball = a == ball;
            if d.observed()[[f, a]] {
                if is_ball { obs_ball += 1 } else { obs_players += 1 }
            } else if estimate[[f, a, 0]].is_finite() {
                if is_ball { est_ball += 1 } else { est_players += 1 }
            }
        }
    }
    assert_eq!((obs_players, est_players), (54, 78));
    assert_eq!((obs_ball, est_ball), (4, 2));
}

#[test]
fn open_prefers_the_matching_lineup_and_load_with_wrong_one_keeps_ids() {
    // skillcorner_match_data.json is a different match (2019 Bayern-Dortmund):
    // its lineup knows none of the tracked ids.
    let d = skillcorner::load(&raw_path(), &asset("skillcorner/skillcorner_match_data.json")).unwrap();
    assert_eq!(d.team_indices(Team::Unknown).len(), 31);
    assert!(d.agent_index("76").is_some());
    let names = skillcorner::companion_names(&raw_path());
    assert_eq!(names[0], "skillcorner_meta_data.json");
    assert!(
        skillcorner::companion_names(Path::new("1925299_tracking_extrapolated.jsonl"))
            .contains(&"1925299_match.json".to_owned())
    );
}

#[test]
fn nan_and_infinity_tokens_are_missing() {
    let mut l = lines();
    // line 22 = frame 21: ball x 0.03 detected
    assert!(l[21].contains("\"x\": 0.03"));
    l[21] = l[21].replace("\"x\": 0.03", "\"x\": NaN");
    l[22] = l[22].replace("\"x\": 0.04", "\"x\": -Infinity");
    let d = skillcorner::parse(&join(&l), &meta(), &fake()).unwrap();
    let ball = idx(&d, "ball");
    for f in [11, 12] {
        assert!(!d.observed()[[f, ball]]);
        assert!(pos(&d, f, ball)[0].is_nan());
        assert!(d.provider_estimate().is_none_or(|e| e[[f, ball, 0]].is_nan()));
    }
    assert!(d.observed()[[10, ball]]);
    // out-of-range literal: a parse error on that line
    let mut l = lines();
    l[21] = l[21].replace("\"x\": 0.03", "\"x\": 1e999");
    let e = skillcorner::parse(&join(&l), &meta(), &fake()).unwrap_err();
    assert!(matches!(e, IoError::Parse { line: 22, .. }), "{e}");
}

fn parse_err(bytes: &[u8]) -> IoError {
    skillcorner::parse(bytes, &meta(), &fake()).unwrap_err()
}

#[test]
fn broken_variants() {
    // truncated line 21 (frame 20)
    let mut l = lines();
    let half = l[20].len() / 2;
    l[20].truncate(half);
    let e = parse_err(&join(&l));
    assert!(matches!(&e, IoError::Parse { line: 21, path, .. } if path == &fake()), "{e}");

    // file cut in the middle of its last useful line
    let l = lines();
    let mut cut = join(&l[..22]);
    cut.truncate(cut.len() - 40);
    assert!(matches!(parse_err(&cut), IoError::Parse { line: 22, .. }));

    // missing required field (`frame`)
    let mut l = lines();
    l[21] = l[21].replacen("\"frame\": 21, ", "", 1);
    assert!(matches!(parse_err(&join(&l)), IoError::Parse { line: 22, .. }));

    // non-numeric coordinate
    let mut l = lines();
    l[21] = l[21].replace("\"x\": 0.03", "\"x\": \"abc\"");
    let e = parse_err(&join(&l));
    assert!(matches!(&e, IoError::Parse { line: 22, message, .. } if message.contains("ball_data.x")), "{e}");

    // wrong type of a field
    let mut l = lines();
    l[23] = l[23].replace("\"player_data\": [", "\"player_data\": {\"a\": [").replace("}]}", "}]}}");
    assert!(matches!(parse_err(&join(&l)), IoError::Parse { line: 24, .. }));

    // non-numeric period, malformed timestamp, non-integer player id
    let mut l = lines();
    l[25] = l[25].replace("\"period\": 2", "\"period\": \"two\"");
    assert!(matches!(parse_err(&join(&l)), IoError::Parse { line: 26, .. }));
    let mut l = lines();
    l[24] = l[24].replace("\"01:39:14.80\"", "\"1:3x:14\"");
    assert!(matches!(parse_err(&join(&l)), IoError::Parse { line: 25, .. }));
    let mut l = lines();
    l[25] = l[25].replacen("\"player_id\": 133", "\"player_id\": 1.5", 1);
    assert!(matches!(parse_err(&join(&l)), IoError::Parse { line: 26, .. }));

    // a line that is not an object
    let mut l = lines();
    l[30] = "[1, 2, 3]".into();
    assert!(matches!(parse_err(&join(&l)), IoError::Parse { line: 31, .. }));

    // not UTF-8
    let mut bytes = join(&lines()[..21]);
    bytes.extend_from_slice(b"{\"frame\": 99, \xff}\n");
    assert!(matches!(parse_err(&bytes), IoError::Parse { line: 22, .. }));
}

#[test]
fn non_monotonic_time_names_the_frame() {
    let mut l = lines();
    l.swap(21, 22); // frames 21 and 22
    let e = parse_err(&join(&l));
    assert!(matches!(&e, IoError::Frame { frame: 21, path, .. } if path == &fake()), "{e}");
}

#[test]
fn empty_inputs() {
    assert!(matches!(parse_err(b""), IoError::Empty { .. }));
    assert!(matches!(parse_err(b"\n \n"), IoError::Empty { .. }));
    // only frames without a period
    let l = lines();
    assert!(matches!(parse_err(&join(&l[..10])), IoError::Empty { .. }));
}

#[test]
fn missing_metadata() {
    // bad match JSON: no home team
    let text = std::fs::read_to_string(asset("skillcorner/skillcorner_meta_data.json")).unwrap();
    let broken = text.replacen("\"home_team\"", "\"home_teem\"", 1);
    let e = Meta::parse(broken.as_bytes(), Path::new("m.json")).unwrap_err();
    assert!(matches!(&e, IoError::MissingMetadata { path, .. } if path == Path::new("m.json")), "{e}");
    let e = Meta::parse(b"{\"home_team\": ", Path::new("m.json")).unwrap_err();
    assert!(matches!(e, IoError::Parse { line: 1, .. }));

    // a tracking file with no match JSON next to it
    let dir = common::temp_dir("sc");
    let lone = dir.join("lonely_tracking_extrapolated.jsonl");
    std::fs::write(&lone, join(&lines()[..25])).unwrap();
    let e = skillcorner::open(&lone).unwrap_err();
    common::assert_missing_companion(e, &lone, &["lonely_match.json"]);
    // the same with a lineup named like the open-data release
    std::fs::copy(asset("skillcorner/skillcorner_meta_data.json"), dir.join("lonely_match.json")).unwrap();
    let d = skillcorner::open(&lone).unwrap();
    assert_eq!(d.n_frames(), 15);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn default_meta_keeps_provider_ids() {
    let d = skillcorner::parse(&raw_bytes(), &Meta::default(), &fake()).unwrap();
    assert_eq!(d.n_agents(), 32);
    assert_eq!(d.team_indices(Team::Unknown).len(), 31);
    assert!(d.pitch().is_none());
}

#[test]
fn sniff_tells_providers_apart() {
    let sc = raw_path();
    assert!(skillcorner::sniff(&sc, &common::head(&sc)));
    assert!(!pff::sniff(&sc, &common::head(&sc)));
    let others = [
        "pff/pff_10517.jsonl",
        "pff/pff_metadata_10517.json",
        "skillcorner/skillcorner_meta_data.json",
        "skillcorner/skillcorner_match_data.json",
        "signality/signality_p1_raw_data_subset.json",
        "tracab/tracab_raw.json",
        "metrica/metrica_home.csv",
        "statsperform/statsperform_tracking_ma25.txt",
    ];
    common::assert_not_sniffed(&[("skillcorner", skillcorner::sniff)], others.map(asset));
    assert_eq!(touchline_io::detect(&sc).unwrap(), touchline_io::Format::SkillCorner);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = skillcorner::parse(&bytes, &meta(), &fake());
        let _ = Meta::parse(&bytes, Path::new("m.json"));
    }

    #[test]
    fn mutated_real_file_never_panics(edits in prop::collection::vec(json_edit(), 1..8)) {
        let bytes = apply(raw_bytes(), &edits);
        match skillcorner::parse(&bytes, &meta(), &fake()) {
            Ok(d) => prop_assert!(d.n_frames() > 0),
            Err(e) => prop_assert_eq!(e.path().to_path_buf(), fake()),
        }
    }

    #[test]
    fn mutated_match_json_never_panics(edits in prop::collection::vec(json_edit(), 1..8)) {
        let text = std::fs::read(asset("skillcorner/skillcorner_meta_data.json")).unwrap();
        let _ = Meta::parse(&apply(text, &edits), Path::new("m.json"));
    }
}
