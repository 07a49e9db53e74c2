//! Sportec / DFL positional XML loader tests on the kloppy sample files.

use std::path::{Path, PathBuf};

use approx::assert_abs_diff_eq;
use proptest::prelude::*;
use touchline_core::Team;
use touchline_io::sportec::{self, SportecMeta};
use touchline_io::{Format, IoError, TrackingData};

mod common;

use common::kloppy as asset;
use common::{at, byte_ops, mutate, with_charset};

fn positional() -> PathBuf {
    asset("sportec_dfl/sportec_positional.xml")
}

fn meta() -> SportecMeta {
    let p = asset("sportec_dfl/sportec_meta.xml");
    sportec::parse_meta(&std::fs::read(&p).unwrap(), &p).unwrap()
}

fn raw_text() -> String {
    std::fs::read_to_string(positional()).unwrap()
}

fn check_common(d: &TrackingData) {
    // N 10000..=10100 in the first half, 100000..=100103 in the second.
    assert_eq!(d.n_frames(), 205);
    assert_eq!(d.frame_rate(), 25.0);
    let pitch = d.pitch().unwrap();
    assert_eq!((pitch.length, pitch.width), (100.0, 68.0));
    assert_eq!(d.frame_ids()[0], 10000);
    assert_eq!(d.frame_ids()[100], 10100);
    assert_eq!(d.frame_ids()[101], 100000);
    assert_eq!(d.frame_ids()[204], 100103);
    assert_eq!(d.timestamps()[0], 0.0);
    assert_abs_diff_eq!(d.timestamps()[100], 4.0, epsilon = 1e-9);
    assert_abs_diff_eq!(d.timestamps()[101], 3600.0, epsilon = 1e-9);
    assert_abs_diff_eq!(d.timestamps()[204], 90103.0 / 25.0, epsilon = 1e-9);
    let periods: Vec<(u32, usize, usize)> = d.periods().iter().map(|p| (p.id, p.start, p.end)).collect();
    assert_eq!(periods, vec![(1, 0, 101), (2, 101, 205)]);
    assert_eq!(d.team_indices(Team::Home).len(), 1);
    assert_eq!(d.team_indices(Team::Away).len(), 2);
    // Ball, first frame: X=2.69 Y=0.26 Z=0.06 (centre origin, y up: no transform).
    let [x, y] = at(d, 0, "ball");
    assert_abs_diff_eq!(x, 2.69, epsilon = 1e-9);
    assert_abs_diff_eq!(y, 0.26, epsilon = 1e-9);
    assert_abs_diff_eq!(d.ball_z().unwrap()[0], 0.06, epsilon = 1e-9);
    // N=10035 (frame 35): every object present.
    let [x, y] = at(d, 35, "ball");
    assert_abs_diff_eq!(x, 22.31, epsilon = 1e-9);
    assert_abs_diff_eq!(y, 2.59, epsilon = 1e-9);
    let [x, y] = at(d, 35, "away_10");
    assert_abs_diff_eq!(x, -1.66, epsilon = 1e-9);
    assert_abs_diff_eq!(y, -25.25, epsilon = 1e-9);
    let [x, y] = at(d, 35, "away_25");
    assert_abs_diff_eq!(x, 14.30, epsilon = 1e-9);
    assert_abs_diff_eq!(y, -28.86, epsilon = 1e-9);
    let [x, y] = at(d, 35, "home_22");
    assert_abs_diff_eq!(x, -4.83, epsilon = 1e-9);
    assert_abs_diff_eq!(y, -19.09, epsilon = 1e-9);
    // Sallai (home 22) starts at N=10035: unseen before.
    assert!(!d.observed()[[34, d.agent_index("home_22").unwrap()]]);
    // Last frame N=100103: only Thuram (away 10) at (-5.07, 13.61); no ball.
    let [x, y] = at(d, 204, "away_10");
    assert_abs_diff_eq!(x, -5.07, epsilon = 1e-9);
    assert_abs_diff_eq!(y, 13.61, epsilon = 1e-9);
    assert!(!d.observed()[[204, d.ball_index().unwrap()]]);
    assert!(d.ball_z().unwrap()[204].is_nan());
    let a = &d.agents()[d.agent_index("away_10").unwrap()];
    assert_eq!(a.name.as_deref(), Some("Marcus Thuram"));
    assert_eq!(a.role.as_deref(), Some("LA"));
    assert_eq!(a.jersey, Some(10));
    assert!(d.provider_estimate().is_none());
}

#[test]
fn real_sample() {
    let d = sportec::open(&positional()).unwrap();
    check_common(&d);
    assert_eq!(d.n_agents(), 4);
    // 490 <Frame> elements, each one observed position.
    assert_eq!(d.observed().iter().filter(|&&o| o).count(), 490);
}

#[test]
fn real_sample_with_referee() {
    let d = sportec::open(&asset("sportec_dfl/sportec_positional_w_referee.xml")).unwrap();
    check_common(&d);
    assert_eq!(d.n_agents(), 5);
    assert_eq!(d.team_indices(Team::Officials).len(), 1);
    assert_eq!(d.observed().iter().filter(|&&o| o).count(), 645);
    let r = &d.agents()[d.agent_index("referee_1").unwrap()];
    assert_eq!(r.name.as_deref(), Some("M. Schmidt"));
    assert_eq!(r.role.as_deref(), Some("referee"));
    // The fixture's referee copies Thuram's track.
    assert_eq!(at(&d, 0, "referee_1"), at(&d, 0, "away_10"));
}

#[test]
fn metadata_facts() {
    let m = meta();
    assert_eq!(m.home_team_id.as_deref(), Some("DFL-CLU-00000A"));
    assert_eq!(m.away_team_id.as_deref(), Some("DFL-CLU-000004"));
    assert_eq!(m.persons.iter().filter(|p| p.team == Team::Home).count(), 20);
    assert_eq!(m.persons.iter().filter(|p| p.team == Team::Away).count(), 20);
    assert_eq!(m.persons.iter().filter(|p| p.team == Team::Officials).count(), 4);
    let p = m.pitch.unwrap();
    assert_eq!((p.length, p.width), (100.0, 68.0));
}

fn broken(text: &str) -> Result<TrackingData, IoError> {
    sportec::parse(text.as_bytes(), &meta(), Path::new("broken.xml"))
}

fn line_of(needle: &str) -> usize {
    raw_text().lines().position(|l| l.contains(needle)).unwrap() + 1
}

fn assert_parse_line(r: Result<TrackingData, IoError>, want: usize) {
    common::assert_parse_line(r, Path::new("broken.xml"), want);
}

#[test]
fn truncated_file() {
    let text = raw_text();
    // Cut inside the Frame N="10020" of the ball: the XML no longer closes.
    let cut = text.find("<Frame N=\"10020\"").unwrap() + 20;
    match broken(&text[..cut]) {
        Err(IoError::Parse { line, .. }) => assert_eq!(line, line_of("<Frame N=\"10020\"")),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn missing_and_non_numeric_attributes() {
    let text = raw_text();
    let l = line_of("N=\"10007\"");
    assert_parse_line(broken(&text.replacen("X=\"8.01\" ", "", 1)), l);
    assert_parse_line(broken(&text.replacen("N=\"10007\"", "N=\"ten\"", 1)), l);
    assert_parse_line(broken(&text.replacen("X=\"8.01\"", "X=\"8,01\"", 1)), l);
    assert_parse_line(broken(&text.replacen("Y=\"0.67\"", "Y=\"\"", 1)), l);
    assert_parse_line(broken(&text.replacen("Z=\"0.08\" D=\"72.51\"", "Z=\"high\" D=\"72.51\"", 1)), l);
    assert_parse_line(broken(&text.replacen("N=\"10007\" ", "", 1)), l);
    // Wrong structure: unknown section, FrameSet without its person.
    assert_parse_line(broken(&text.replacen("GameSection=\"firstHalf\"", "GameSection=\"thirdHalf\"", 1)), 7);
    let person = "TeamId=\"DFL-CLU-000004\" PersonId=\"DFL-OBJ-002G3I\"";
    let l = line_of(person);
    assert_parse_line(broken(&text.replacen(person, "TeamId=\"DFL-CLU-000004\"", 1)), l);
}

#[test]
fn non_finite_values_are_missing() {
    let text = raw_text().replacen("X=\"8.01\"", "X=\"NaN\"", 1).replacen("Y=\"0.75\"", "Y=\"inf\"", 1);
    let d = broken(&text).unwrap();
    let ball = d.ball_index().unwrap();
    assert!(!d.observed()[[7, ball]]);
    assert!(!d.observed()[[8, ball]]);
    assert!(d.observed()[[9, ball]]);
    assert_eq!(d.observed().iter().filter(|&&o| o).count(), 488);
}

#[test]
fn non_monotonic_frames() {
    // Inside a FrameSet.
    let text = raw_text().replacen("N=\"10007\"", "N=\"10005\"", 1);
    match broken(&text) {
        Err(IoError::Frame { path, frame, .. }) => {
            assert_eq!(path, Path::new("broken.xml"));
            assert_eq!(frame, 10005);
        }
        other => panic!("expected a frame error, got {other:?}"),
    }
    // Second half numbered before the first: time goes backwards at its first frame.
    let text = raw_text();
    let at = text.find("secondHalf").unwrap();
    let text = format!("{}{}", &text[..at], text[at..].replace("N=\"10", "N=\""));
    match broken(&text) {
        Err(IoError::Frame { frame, .. }) => assert_eq!(frame, 0),
        other => panic!("expected a frame error, got {other:?}"),
    }
}

#[test]
fn empty_and_missing_metadata() {
    assert!(matches!(broken(""), Err(IoError::Parse { .. })));
    let no_frames = "<PutDataRequest><Positions></Positions></PutDataRequest>";
    assert!(matches!(broken(no_frames), Err(IoError::Empty { .. })));
    let err =
        sportec::parse_meta(b"<PutDataRequest><MatchInformation/></PutDataRequest>", Path::new("m.xml"))
            .unwrap_err();
    assert!(
        matches!(err, IoError::MissingMetadata { ref path, .. } if path == Path::new("m.xml")),
        "{err:?}"
    );
    // Without metadata: DFL ids, teams unknown, still loads.
    let d = sportec::parse(raw_text().as_bytes(), &SportecMeta::default(), &positional()).unwrap();
    assert_eq!(d.n_agents(), 4);
    assert!(d.agent_index("DFL-OBJ-002G3I").is_some());
    let pitch = d.pitch().unwrap();
    assert_eq!((pitch.length, pitch.width), (100.0, 68.0));
    // A lone positional file: the companion is missing.
    let dir = common::temp_dir("sportec");
    let lone = dir.join("lone_positional.xml");
    std::fs::write(&lone, raw_text()).unwrap();
    let err = sportec::open(&lone).unwrap_err();
    std::fs::remove_dir_all(&dir).ok();
    common::assert_missing_companion(err, &lone, &["lone_meta.xml"]);
}

#[test]
fn sniff_and_detect() {
    for f in ["sportec_dfl/sportec_positional.xml", "sportec_dfl/sportec_positional_w_referee.xml"] {
        let p = asset(f);
        assert!(sportec::sniff(&p, &common::head(&p)));
        assert_eq!(touchline_io::detect(&p).unwrap(), Format::Sportec);
    }
    let others = [
        "sportec_dfl/sportec_meta.xml",
        "metrica/epts_metrica_metadata.xml",
        "tracab/tracab_meta.xml",
        "statsperform/statsperform_tracking_ma1.xml",
        "statsperform/statsperform_tracking_ma25.txt",
        "signality/signality_p1_raw_data_subset.json",
    ];
    common::assert_not_sniffed(&[("sportec", sportec::sniff)], others.map(asset));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = sportec::parse(&bytes, &SportecMeta::default(), Path::new("fuzz.xml"));
        let _ = sportec::parse_meta(&bytes, Path::new("fuzz.xml"));
    }

    #[test]
    fn mutated_real_file_never_panics(
        ops in byte_ops(1..8),
        charset in proptest::sample::select(b"0123456789<>/=\" .-NXYZe".to_vec()),
    ) {
        let raw = std::fs::read(positional()).unwrap();
        let bytes = mutate(raw, &with_charset(ops, charset));
        let _ = sportec::parse(&bytes, &meta(), Path::new("fuzz.xml"));
    }

    #[test]
    fn mutated_meta_never_panics(ops in byte_ops(1..6)) {
        let p = asset("sportec_dfl/sportec_meta.xml");
        let bytes = mutate(std::fs::read(&p).unwrap(), &ops);
        let _ = sportec::parse_meta(&bytes, &p);
    }
}
