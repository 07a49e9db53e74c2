//! Stats Perform MA25 + MA1 loader tests on the kloppy sample files.

use std::path::{Path, PathBuf};

use approx::assert_abs_diff_eq;
use proptest::prelude::*;
use touchline_core::Team;
use touchline_io::statsperform::{self, Ma1Meta};
use touchline_io::{Format, IoError, TrackingData};

mod common;

use common::kloppy as asset;
use common::{at, byte_ops, mutate, with_charset};

fn ma25() -> PathBuf {
    asset("statsperform/statsperform_tracking_ma25.txt")
}

fn meta_json() -> Ma1Meta {
    let p = asset("statsperform/statsperform_tracking_ma1.json");
    statsperform::parse_ma1(&std::fs::read(&p).unwrap(), &p).unwrap()
}

fn raw_text() -> String {
    std::fs::read_to_string(ma25()).unwrap()
}

fn check_sample(d: &TrackingData) {
    assert_eq!(d.n_frames(), 93);
    assert_eq!(d.n_agents(), 25);
    assert_eq!(d.team_indices(Team::Home).len(), 12);
    assert_eq!(d.team_indices(Team::Away).len(), 11);
    assert_eq!(d.team_indices(Team::Officials).len(), 1);
    assert_eq!(d.team_indices(Team::Ball).len(), 1);
    assert_eq!(d.frame_rate(), 10.0);
    let pitch = d.pitch().unwrap();
    assert_eq!((pitch.length, pitch.width), (105.0, 68.0));
    // Frame ids are the Unix milliseconds, times one clock from the first frame.
    assert_eq!(d.frame_ids()[0], 1_598_184_000_000);
    assert_eq!(d.frame_ids()[92], 1_598_187_606_600);
    assert_eq!(d.timestamps()[0], 0.0);
    assert_abs_diff_eq!(d.timestamps()[25], 2.5, epsilon = 1e-9);
    assert_abs_diff_eq!(d.timestamps()[26], 3600.0, epsilon = 1e-9);
    assert_abs_diff_eq!(d.timestamps()[92], 3606.6, epsilon = 1e-9);
    let periods: Vec<(u32, usize, usize)> = d.periods().iter().map(|p| (p.id, p.start, p.end)).collect();
    assert_eq!(periods, vec![(1, 0, 26), (2, 26, 93)]);
    // Line 1: home #9 Ben Yedder at (52.803, 23.617) from the top-left corner.
    let [x, y] = at(d, 0, "home_9");
    assert_abs_diff_eq!(x, 52.803 - 52.5, epsilon = 1e-9);
    assert_abs_diff_eq!(y, 34.0 - 23.617, epsilon = 1e-9);
    // Line 1: away #2 Faes at (30.595, 44.022); home GK #40 (type 3) at (100.245, 32.224).
    let [x, y] = at(d, 0, "away_2");
    assert_abs_diff_eq!(x, 30.595 - 52.5, epsilon = 1e-9);
    assert_abs_diff_eq!(y, 34.0 - 44.022, epsilon = 1e-9);
    let [x, y] = at(d, 0, "home_40");
    assert_abs_diff_eq!(x, 100.245 - 52.5, epsilon = 1e-9);
    assert_abs_diff_eq!(y, 34.0 - 32.224, epsilon = 1e-9);
    // Line 2: ball (50.615, 35.325, 0).
    let [x, y] = at(d, 1, "ball");
    assert_abs_diff_eq!(x, 50.615 - 52.5, epsilon = 1e-9);
    assert_abs_diff_eq!(y, 34.0 - 35.325, epsilon = 1e-9);
    assert_eq!(d.ball_z().unwrap()[1], 0.0);
    // Line 92: the single official (type 2, jersey 0) at (0, 0), i.e. a pitch corner.
    let [x, y] = at(d, 91, "referee_1");
    assert_abs_diff_eq!(x, -52.5, epsilon = 1e-9);
    assert_abs_diff_eq!(y, 34.0, epsilon = 1e-9);
    // Line 93 has no objects, only the ball at (32.605, 24.855).
    let [x, y] = at(d, 92, "ball");
    assert_abs_diff_eq!(x, 32.605 - 52.5, epsilon = 1e-9);
    assert_abs_diff_eq!(y, 34.0 - 24.855, epsilon = 1e-9);
    let last_observed = d.observed().row(92).iter().filter(|&&o| o).count();
    assert_eq!(last_observed, 1);
    // 2025 object entries + 93 ball positions, no visibility flags.
    assert_eq!(d.observed().iter().filter(|&&o| o).count(), 2118);
    assert!(d.provider_estimate().is_none());
}

#[test]
fn real_sample_with_json_metadata() {
    let d = statsperform::open(&ma25()).unwrap();
    check_sample(&d);
    let a = &d.agents()[d.agent_index("home_9").unwrap()];
    assert_eq!(a.name.as_deref(), Some("W. Ben Yedder"));
    assert_eq!(a.role.as_deref(), Some("Striker"));
    assert_eq!(a.jersey, Some(9));
    // Substitute who came on: role from subPosition.
    let a = &d.agents()[d.agent_index("home_37").unwrap()];
    assert_eq!(a.name.as_deref(), Some("S. Diop"));
    assert_eq!(a.role.as_deref(), Some("Midfielder"));
    let a = &d.agents()[d.agent_index("away_1").unwrap()];
    assert_eq!(a.role.as_deref(), Some("Goalkeeper"));
    // Player entering at half-time is unseen in period 1.
    let i = d.agent_index("home_37").unwrap();
    assert!(!d.observed()[[0, i]]);
    assert!(d.observed()[[91, i]]);
}

#[test]
fn real_sample_with_xml_metadata_matches_json() {
    let xml = asset("statsperform/statsperform_tracking_ma1.xml");
    let from_xml = statsperform::load(&ma25(), &xml).unwrap();
    check_sample(&from_xml);
    let from_json = statsperform::open(&ma25()).unwrap();
    assert_eq!(from_xml.agents(), from_json.agents());
    let m = statsperform::parse_ma1(&std::fs::read(&xml).unwrap(), &xml).unwrap();
    assert_eq!(m.players.len(), 40);
    assert_eq!(m.periods, vec![1, 2]);
    assert_eq!(m.home_name.as_deref(), Some("Monaco"));
    assert_eq!(m.away_name.as_deref(), Some("Reims"));
    assert_eq!(m, meta_json());
}

#[test]
fn without_metadata_uses_the_line_codes() {
    let d = statsperform::parse_ma25(raw_text().as_bytes(), &Ma1Meta::default(), &ma25()).unwrap();
    check_sample(&d);
    let a = &d.agents()[d.agent_index("away_1").unwrap()];
    assert_eq!(a.role.as_deref(), Some("Goalkeeper"));
    assert_eq!(a.name, None);
}

fn broken(text: &str) -> Result<TrackingData, IoError> {
    statsperform::parse_ma25(text.as_bytes(), &meta_json(), Path::new("broken_ma25.txt"))
}

fn assert_parse_line(r: Result<TrackingData, IoError>, want: usize) {
    common::assert_parse_line(r, Path::new("broken_ma25.txt"), want);
}

fn with_line(n: usize, f: impl Fn(&str) -> String) -> String {
    raw_text()
        .lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == n { f(l) } else { l.to_string() } + "\n")
        .collect()
}

#[test]
fn truncated_line() {
    // Cut line 5 inside an object: "0,a2s2c6anax9wnlsw1s6vunl5h,9,5".
    let t = with_line(5, |l| l[..l.find(":0,").unwrap() + 33].to_string());
    assert_parse_line(broken(&t), 5);
    // Cut the whole file in the middle of line 40's header.
    let text = raw_text();
    let start = text.lines().take(39).map(|l| l.len() + 1).sum::<usize>();
    assert_parse_line(broken(&text[..start + 10]), 40);
}

#[test]
fn wrong_field_counts() {
    assert_parse_line(broken(&with_line(3, |l| l.replacen(",1,0:", ",1:", 1))), 3);
    assert_parse_line(broken(&with_line(7, |l| l.replacen(",9,", ",9,1,", 1))), 7);
    let t = with_line(8, |l| {
        let at = l.rfind(':').unwrap();
        format!("{}:1.5,2.5;", &l[..at])
    });
    assert_parse_line(broken(&t), 8);
    assert_parse_line(broken(&with_line(9, |l| format!("{l}:1,2,3;"))), 9);
    assert_parse_line(broken(&with_line(10, |l| l.replacen(":0,", ":7,", 1))), 10);
}

#[test]
fn non_numeric_fields() {
    assert_parse_line(broken(&with_line(2, |l| l.replacen("1598184000100", "15981840001x0", 1))), 2);
    assert_parse_line(broken(&with_line(12, |l| l.replacen(",9,", ",nine,", 1))), 12);
    assert_parse_line(broken(&with_line(30, |l| l.replacen(",2,0:", ",two,0:", 1))), 30);
    let t = with_line(31, |l| {
        let at = l.rfind(':').unwrap();
        format!("{}:abc,1,0;", &l[..at])
    });
    assert_parse_line(broken(&t), 31);
}

#[test]
fn non_finite_values_are_missing() {
    let t =
        with_line(1, |l| l.replacen("52.803,23.617", "NaN,23.617", 1).replacen("60.148,43.669", "inf,1", 1));
    let d = broken(&t).unwrap();
    assert!(!d.observed()[[0, d.agent_index("home_9").unwrap()]]);
    assert!(!d.observed()[[0, d.agent_index("home_17").unwrap()]]);
    assert!(d.observed()[[1, d.agent_index("home_9").unwrap()]]);
    assert_eq!(d.observed().iter().filter(|&&o| o).count(), 2116);
}

#[test]
fn non_monotonic_time() {
    let t = with_line(11, |l| l.replacen("1598184001000", "1598184000500", 1));
    match broken(&t) {
        Err(IoError::Frame { path, frame, .. }) => {
            assert_eq!(path, Path::new("broken_ma25.txt"));
            assert_eq!(frame, 1_598_184_000_500);
        }
        other => panic!("expected a frame error, got {other:?}"),
    }
}

#[test]
fn empty_and_missing_metadata() {
    assert!(matches!(broken(""), Err(IoError::Empty { .. })));
    assert!(matches!(broken("\n \n"), Err(IoError::Empty { .. })));
    let err = statsperform::parse_ma1(b"{\"matchInfo\": {}}", Path::new("m.json")).unwrap_err();
    assert!(
        matches!(err, IoError::MissingMetadata { ref path, .. } if path == Path::new("m.json")),
        "{err:?}"
    );
    let err = statsperform::parse_ma1(b"<match><matchInfo/></match>", Path::new("m.xml")).unwrap_err();
    assert!(matches!(err, IoError::MissingMetadata { .. }), "{err:?}");
    let err = statsperform::parse_ma1(b"{\"matchInfo\": ", Path::new("m.json")).unwrap_err();
    assert!(matches!(err, IoError::Parse { line: 1, .. }), "{err:?}");
    // A lone MA25 file: no companion found, and the error lists what was tried.
    let dir = common::temp_dir("sp");
    let lone = dir.join("lone_ma25.txt");
    std::fs::write(&lone, raw_text()).unwrap();
    let err = statsperform::open(&lone).unwrap_err();
    std::fs::remove_dir_all(&dir).ok();
    common::assert_missing_companion(err, &lone, &["lone_ma1.json"]);
}

#[test]
fn sniff_and_detect() {
    assert!(statsperform::sniff(&ma25(), &common::head(&ma25())));
    assert_eq!(touchline_io::detect(&ma25()).unwrap(), Format::StatsPerform);
    let others = [
        "metrica/epts_metrica_tracking.txt",
        "metrica/metrica_home.csv",
        "tracab/tracab_raw.dat",
        "skillcorner/skillcorner_v3_raw_data.jsonl",
        "sportec_dfl/sportec_positional.xml",
        "signality/signality_p1_raw_data_subset.json",
        "statsperform/statsperform_tracking_ma1.json",
    ];
    common::assert_not_sniffed(&[("statsperform", statsperform::sniff)], others.map(asset));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = statsperform::parse_ma25(&bytes, &Ma1Meta::default(), Path::new("fuzz.txt"));
        let _ = statsperform::parse_ma1(&bytes, Path::new("fuzz.json"));
    }

    #[test]
    fn mutated_real_file_never_panics(
        ops in byte_ops(1..8),
        charset in proptest::sample::select(b"0123456789;:,.-eNa\n".to_vec()),
    ) {
        let raw = std::fs::read(ma25()).unwrap();
        let raw = raw[..raw.len().min(12_000)].to_vec();
        let bytes = mutate(raw, &with_charset(ops, charset));
        let _ = statsperform::parse_ma25(&bytes, &meta_json(), Path::new("fuzz.txt"));
    }

    #[test]
    fn mutated_ma1_never_panics(
        ops in byte_ops(1..6),
        xml in any::<bool>(),
    ) {
        let p = asset(if xml { "statsperform/statsperform_tracking_ma1.xml" } else { "statsperform/statsperform_tracking_ma1.json" });
        let bytes = mutate(std::fs::read(&p).unwrap(), &ops);
        let _ = statsperform::parse_ma1(&bytes, &p);
    }
}
