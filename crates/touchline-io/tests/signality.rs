//! Signality raw JSON loader tests on the kloppy sample files.

use std::path::{Path, PathBuf};

use approx::assert_abs_diff_eq;
use proptest::prelude::*;
use touchline_core::Team;
use touchline_io::signality::{self, SignalityMeta};
use touchline_io::{Format, IoError, TrackingData};

mod common;

use common::kloppy as asset;
use common::{at, byte_ops, mutate, with_charset};

fn p1() -> PathBuf {
    asset("signality/signality_p1_raw_data_subset.json")
}

fn p2() -> PathBuf {
    asset("signality/signality_p2_raw_data_subset.json")
}

fn meta() -> SignalityMeta {
    let m = asset("signality/signality_meta_data.json");
    let v = asset("signality/signality_venue_information.json");
    let mut meta = signality::parse_meta(&std::fs::read(&m).unwrap(), &m).unwrap();
    meta.pitch = Some(signality::parse_venue(&std::fs::read(&v).unwrap(), &v).unwrap());
    meta
}

#[test]
fn real_sample_both_halves() {
    let d = signality::open(&p1()).unwrap();
    assert_eq!(d.n_frames(), 10);
    assert_eq!(d.n_agents(), 31);
    assert_eq!(d.team_indices(Team::Home).len(), 14);
    assert_eq!(d.team_indices(Team::Away).len(), 13);
    assert_eq!(d.team_indices(Team::Officials).len(), 3);
    assert_eq!(d.frame_rate(), 25.0);
    let pitch = d.pitch().unwrap();
    assert_eq!((pitch.length, pitch.width), (104.82, 68.407));
    assert_eq!(d.frame_ids(), &[0, 1, 2, 3, 73062, 73063, 73064, 73065, 73066, 147211]);
    let t = d.timestamps();
    assert_eq!(t[0], 0.0);
    assert_abs_diff_eq!(t[3], 0.12, epsilon = 1e-9);
    assert_abs_diff_eq!(t[4], 2922.438, epsilon = 1e-9);
    assert_abs_diff_eq!(t[5], 3884.367, epsilon = 1e-9);
    assert_abs_diff_eq!(t[9], 6850.31, epsilon = 1e-9);
    let periods: Vec<(u32, usize, usize)> = d.periods().iter().map(|p| (p.id, p.start, p.end)).collect();
    assert_eq!(periods, vec![(1, 0, 5), (2, 5, 10)]);
    // p1 frame 0: home #20 at (-7.53, 5.78), away #11 at (-0.28, -0.03), ball (-41.18, 0.08, 0).
    let [x, y] = at(&d, 0, "home_20");
    assert_abs_diff_eq!(x, -7.53, epsilon = 1e-9);
    assert_abs_diff_eq!(y, 5.78, epsilon = 1e-9);
    let [x, y] = at(&d, 0, "away_11");
    assert_abs_diff_eq!(x, -0.28, epsilon = 1e-9);
    assert_abs_diff_eq!(y, -0.03, epsilon = 1e-9);
    let [x, y] = at(&d, 0, "ball");
    assert_abs_diff_eq!(x, -41.18, epsilon = 1e-9);
    assert_abs_diff_eq!(y, 0.08, epsilon = 1e-9);
    assert_eq!(d.ball_z().unwrap()[0], 0.0);
    // p2 last frame: home GK #45 at (8.05, -12.66), referee (role 3) at (-25.03, -8.02).
    let [x, y] = at(&d, 9, "home_45");
    assert_abs_diff_eq!(x, 8.05, epsilon = 1e-9);
    assert_abs_diff_eq!(y, -12.66, epsilon = 1e-9);
    let [x, y] = at(&d, 9, "referee_3");
    assert_abs_diff_eq!(x, -25.03, epsilon = 1e-9);
    assert_abs_diff_eq!(y, -8.02, epsilon = 1e-9);
    // Ball position null in p1 frames 3 and 4 and p2's last frame: missing, not observed.
    let ball = d.ball_index().unwrap();
    let ball_seen: Vec<bool> = (0..10).map(|f| d.observed()[[f, ball]]).collect();
    assert_eq!(ball_seen, vec![true, true, true, false, false, true, true, true, true, false]);
    // 245 positions present out of 10 x 31.
    assert_eq!(d.observed().iter().filter(|&&o| o).count(), 245);
    assert!(d.provider_estimate().is_none());
    let gk = &d.agents()[d.agent_index("home_45").unwrap()];
    assert_eq!(gk.role.as_deref(), Some("GK"));
    assert_eq!(gk.name.as_deref(), Some("Home Team Player 10"));
    assert_eq!(gk.jersey, Some(45));
    // Substitutes appearing in p2 only.
    for id in ["home_7", "home_16", "home_26", "away_21", "away_28"] {
        let i = d.agent_index(id).unwrap();
        assert!((0..5).all(|f| !d.observed()[[f, i]]), "{id}");
    }
}

#[test]
fn explicit_single_file() {
    let m = asset("signality/signality_meta_data.json");
    let d = signality::load(&[p1().as_path()], &m, None).unwrap();
    assert_eq!(d.n_frames(), 5);
    assert_eq!(d.n_agents(), 11 + 11 + 3 + 1);
    assert_eq!(d.periods().len(), 1);
    let pitch = d.pitch().unwrap();
    assert_eq!((pitch.length, pitch.width), (105.0, 68.0));
    assert_eq!(d.observed().iter().filter(|&&o| o).count(), 124);
    // Explicit order p2 then p1 goes back in time at p1's first frame (id 74149 + 0).
    let err = signality::load(&[p2().as_path(), p1().as_path()], &m, None).unwrap_err();
    match err {
        IoError::Frame { path, frame, .. } => {
            assert_eq!(path, p1());
            assert_eq!(frame, 74149);
        }
        other => panic!("expected a frame error, got {other:?}"),
    }
}

fn text1() -> String {
    std::fs::read_to_string(p1()).unwrap()
}

fn broken(text: &str) -> Result<TrackingData, IoError> {
    signality::parse_one(text.as_bytes(), &meta(), Path::new("broken.json"))
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

fn assert_parse_line(r: Result<TrackingData, IoError>, want: usize) {
    common::assert_parse_line(r, Path::new("broken.json"), want);
}

#[test]
fn truncated_file() {
    let t = text1();
    let cut = t.find("\"idx\": 2").unwrap() + 4;
    assert_parse_line(broken(&t[..cut]), line_of(&t, "\"idx\": 2"));
}

#[test]
fn wrong_fields() {
    let t = text1();
    // Missing required field: the error names the line where the frame object closes.
    let bad = t.replacen("\"phase\": 1,", "", 1);
    assert!(matches!(broken(&bad), Err(IoError::Parse { .. })));
    // Non-numeric field.
    let l = line_of(&t, "\"idx\": 1,");
    assert_parse_line(broken(&t.replacen("\"idx\": 1,", "\"idx\": \"one\",", 1)), l);
    let l = line_of(&t, "\"utc_time\": 1728216001500");
    assert_parse_line(broken(&t.replacen("1728216001500", "true", 1)), l);
    // A position with a single value: frame error naming the frame.
    let bad = t.replacen(
        "\"position\": [\n          -5.97,\n          -6.9\n        ]",
        "\"position\": [-5.97]",
        1,
    );
    assert_ne!(bad, t);
    match broken(&bad) {
        Err(IoError::Frame { path, frame, .. }) => {
            assert_eq!(path, Path::new("broken.json"));
            assert_eq!(frame, 0);
        }
        other => panic!("expected a frame error, got {other:?}"),
    }
}

#[test]
fn non_finite_and_null_values() {
    let t = text1();
    // JSON has no NaN/inf literals: they are parse errors on their line.
    let l = line_of(&t, "-5.97");
    assert_parse_line(broken(&t.replacen("-5.97", "NaN", 1)), l);
    assert_parse_line(broken(&t.replacen("-5.97", "1e999", 1)), l);
    // null coordinates are missing values.
    let d = broken(&t.replacen("-5.97", "null", 1)).unwrap();
    assert!(!d.observed()[[0, d.agent_index("referee_3").unwrap()]]);
    assert_eq!(d.observed().iter().filter(|&&o| o).count(), 123);
}

#[test]
fn non_monotonic_time() {
    let t = text1().replacen("1728216001500", "1728216001440", 1);
    match broken(&t) {
        Err(IoError::Frame { path, frame, .. }) => {
            assert_eq!(path, Path::new("broken.json"));
            assert_eq!(frame, 2);
        }
        other => panic!("expected a frame error, got {other:?}"),
    }
}

#[test]
fn empty_and_missing_metadata() {
    assert!(matches!(broken("[]"), Err(IoError::Empty { .. })));
    assert!(matches!(broken(""), Err(IoError::Parse { line: 1, .. })));
    let err = signality::parse_meta(b"{\"id\": \"0\"}", Path::new("m.json")).unwrap_err();
    assert!(
        matches!(err, IoError::MissingMetadata { ref path, .. } if path == Path::new("m.json")),
        "{err:?}"
    );
    let err = signality::parse_venue(b"{\"pitch_size\": [105]}", Path::new("v.json")).unwrap_err();
    assert!(matches!(err, IoError::MissingMetadata { .. }), "{err:?}");
    let err = signality::parse_venue(b"{\"pitch_size\": [105, -1]}", Path::new("v.json")).unwrap_err();
    assert!(matches!(err, IoError::Invalid { .. }), "{err:?}");
    let dir = common::temp_dir("signality");
    let lone = dir.join("game_p1_raw.json");
    std::fs::write(&lone, text1()).unwrap();
    let err = signality::open(&lone).unwrap_err();
    std::fs::remove_dir_all(&dir).ok();
    common::assert_missing_companion(err, &lone, &["game_meta_data.json"]);
}

#[test]
fn sniff_and_detect() {
    for p in [p1(), p2()] {
        assert!(signality::sniff(&p, &common::head(&p)));
        assert_eq!(touchline_io::detect(&p).unwrap(), Format::Signality);
    }
    let others = [
        "signality/signality_meta_data.json",
        "signality/signality_venue_information.json",
        "pff/pff_10517.jsonl",
        "skillcorner/skillcorner_v3_raw_data.jsonl",
        "tracab/tracab_raw.json",
        "statsperform/statsperform_tracking_ma1.json",
        "sportec_dfl/sportec_positional.xml",
    ];
    common::assert_not_sniffed(&[("signality", signality::sniff)], others.map(asset));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = signality::parse_one(&bytes, &SignalityMeta::default(), Path::new("fuzz.json"));
        let _ = signality::parse_meta(&bytes, Path::new("fuzz.json"));
        let _ = signality::parse_venue(&bytes, Path::new("fuzz.json"));
    }

    #[test]
    fn mutated_real_file_never_panics(
        ops in byte_ops(1..8),
        charset in proptest::sample::select(b"0123456789[]{},:\" .-enul".to_vec()),
        second in any::<bool>(),
    ) {
        let raw = std::fs::read(if second { p2() } else { p1() }).unwrap();
        let bytes = mutate(raw, &with_charset(ops, charset));
        let clean = std::fs::read(p1()).unwrap();
        let _ = signality::parse(&[(&clean, Path::new("a.json")), (&bytes, Path::new("b.json"))], &meta());
    }
}
