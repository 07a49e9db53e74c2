//! databallpy wide-CSV loader tests on `shared/data/tracab_databallpy`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use approx::assert_abs_diff_eq;
use proptest::prelude::*;
use touchline_core::{Direction, Team};
use touchline_io::databallpy::{self, BallStatus, DataballpyData, Meta};
use touchline_io::{Format, IoError};

mod common;

fn asset(name: &str) -> PathBuf {
    common::shared(&format!("tracab_databallpy/{name}"))
}

fn csv_bytes() -> &'static [u8] {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| common::read(&asset("tracking_wide.csv")))
}

fn csv_lines() -> Vec<String> {
    String::from_utf8(csv_bytes().to_vec()).unwrap().lines().map(str::to_string).collect()
}

fn meta() -> Meta {
    databallpy::parse_meta(&std::fs::read(asset("metadata.json")).unwrap(), &asset("metadata.json")).unwrap()
}

fn bad_path() -> PathBuf {
    PathBuf::from("broken/tracking_wide.csv")
}

fn parse_lines(lines: &[String]) -> Result<DataballpyData, IoError> {
    databallpy::parse(lines.join("\n").as_bytes(), &meta(), &bad_path())
}

fn loaded() -> &'static DataballpyData {
    static D: OnceLock<DataballpyData> = OnceLock::new();
    D.get_or_init(|| databallpy::load_full(&asset("tracking_wide.csv"), &asset("metadata.json")).unwrap())
}

fn pos(d: &DataballpyData, id: &str, f: usize) -> [f64; 2] {
    let a = d.data.agent_index(id).unwrap_or_else(|| panic!("no agent {id}"));
    [d.data.positions()[[f, a, 0]], d.data.positions()[[f, a, 1]]]
}

#[test]
fn real_file() {
    let d = loaded();
    let data = &d.data;
    assert_eq!(data.n_frames(), 9000);
    assert_eq!(data.n_agents(), 23);
    assert_eq!(data.team_indices(Team::Home).len(), 11);
    assert_eq!(data.team_indices(Team::Away).len(), 11);
    assert_eq!(data.team_indices(Team::Ball).len(), 1);
    // substitutes' empty columns are dropped
    for sub in ["away_18", "home_16", "home_21", "away_13"] {
        assert!(data.agent_index(sub).is_none(), "{sub} kept");
    }
    assert_eq!(data.frame_rate(), 25.0);
    let pitch = data.pitch().unwrap();
    assert_abs_diff_eq!(pitch.length, 104.9, epsilon = 1e-12);
    assert_abs_diff_eq!(pitch.width, 67.8, epsilon = 1e-12);
    assert_eq!(data.frame_ids()[0], 1);
    assert_eq!(data.frame_ids()[8999], 9000);
    let t = data.timestamps();
    assert_eq!(t[0], 0.0);
    assert_abs_diff_eq!(t[1], 0.04, epsilon = 1e-12);
    assert_abs_diff_eq!(t[8999], 359.96, epsilon = 1e-9);
    let p = data.periods();
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].id, p[0].start, p[0].end), (1, 0, 9000));
    assert_eq!(p[0].home_direction, Some(Direction::LeftToRight));
    assert_eq!(d.dropped_frames, 0);

    let close = |a: [f64; 2], b: [f64; 2]| {
        assert_abs_diff_eq!(a[0], b[0], epsilon = 1e-9);
        assert_abs_diff_eq!(a[1], b[1], epsilon = 1e-9);
    };
    close(pos(d, "ball", 0), [-0.02, -0.41]);
    close(pos(d, "home_1", 0), [-47.38, 0.08]);
    close(pos(d, "away_11", 0), [-0.68, 23.29]);
    close(pos(d, "ball", 4999), [-14.31, -13.65]);
    close(pos(d, "home_1", 4999), [-34.40, -0.42]);
    close(pos(d, "away_11", 4999), [-10.92, -1.78]);
    close(pos(d, "ball", 8999), [49.64, -31.04]);
    close(pos(d, "home_1", 8999), [-18.73, -3.31]);
    close(pos(d, "away_11", 8999), [22.39, -13.12]);
    let z = data.ball_z().unwrap();
    assert_abs_diff_eq!(z[0], 0.11, epsilon = 1e-12);
    assert_abs_diff_eq!(z[8999], 2.54, epsilon = 1e-12);

    // no visibility flag; every kept player is present in every frame
    assert_eq!(data.observed().iter().filter(|o| !**o).count(), 0);
    assert!(data.provider_estimate().is_none());
    let h1 = &data.agents()[data.agent_index("home_1").unwrap()];
    assert_eq!((h1.team, h1.jersey), (Team::Home, Some(1)));

    assert_eq!(d.ball_status.iter().filter(|s| **s == Some(BallStatus::Alive)).count(), 5892);
    assert_eq!(d.ball_status.iter().filter(|s| **s == Some(BallStatus::Dead)).count(), 3108);
    assert_eq!(d.possession.iter().filter(|s| **s == Some(Team::Home)).count(), 5661);
    assert_eq!(d.possession.iter().filter(|s| **s == Some(Team::Away)).count(), 3339);
    assert_eq!(d.possession[0], Some(Team::Away));
}

#[test]
fn meta_and_open() {
    let m = meta();
    assert_eq!(m.frame_rate, 25.0);
    assert_eq!(m.changed_direction, vec![2]);
    let csv = asset("tracking_wide.csv");
    assert_eq!(databallpy::find_meta(&csv).unwrap(), asset("metadata.json"));
    let data = touchline_io::open(&csv, None).unwrap();
    assert_eq!(data.n_frames(), 9000);
    assert_eq!(touchline_io::detect(&csv).unwrap(), Format::Databallpy);
}

#[test]
fn sniff() {
    let csv = asset("tracking_wide.csv");
    assert!(databallpy::sniff(&csv, &common::head(&csv)));
    let others = [
        "../kloppy_samples/metrica/metrica_home.csv",
        "../kloppy_samples/tracab/tracab_raw.dat",
        "../kloppy_samples/statsperform/statsperform_tracking_ma25.txt",
        "../last_row/LIV_[2]-1_CHE.csv",
        "../metrica_events/Sample_Game_1_RawEventsData.csv",
        "metadata.json",
    ];
    common::assert_not_sniffed(&[("databallpy", databallpy::sniff)], others.map(asset));
    let long = "frame,time_s,agent,team,x,y,observed\n0,0.0,ball,ball,1.0,2.0,true\n";
    assert!(!databallpy::sniff(Path::new("long.csv"), long));
}

// ------------------------------------------------------------------------------------------------
// broken variants

fn assert_parse_line(r: Result<DataballpyData, IoError>, line: usize) {
    common::assert_parse_line(r, &bad_path(), line);
}

#[test]
fn truncated_line() {
    let mut l = csv_lines();
    let last = l.len() - 1;
    l[last].truncate(100);
    assert_parse_line(parse_lines(&l), 9001);
    let mut l = csv_lines();
    l[99].truncate(40); // data row of frame 99 is line 100
    assert_parse_line(parse_lines(&l), 100);
}

#[test]
fn wrong_field_count() {
    let mut l = csv_lines();
    l[2].push_str(",1.0"); // one field too many on line 3
    assert_parse_line(parse_lines(&l), 3);
    let mut l = csv_lines();
    l[0] = l[0].replacen(",home_3_x,", ",home_3_z,", 1); // home_3_x missing from the header
    assert_parse_line(parse_lines(&l), 1);
}

#[test]
fn non_numeric_fields() {
    let mut l = csv_lines();
    l[2] = l[2].replacen("-0.79,23.28", "-0.7x9,23.28", 1); // away_11_x on line 3
    assert_parse_line(parse_lines(&l), 3);
    let mut l = csv_lines();
    assert!(l[4].starts_with("4,"));
    l[4] = format!("four{}", &l[4][1..]); // frame on line 5
    assert_parse_line(parse_lines(&l), 5);
    let mut l = csv_lines();
    l[6] = l[6].replacen(",alive,", ",asleep,", 1);
    assert_parse_line(parse_lines(&l), 7);
    let mut l = csv_lines();
    let last = l[10].rfind(',').unwrap();
    l[10].replace_range(last.., ",one"); // period_id
    assert_parse_line(parse_lines(&l), 11);
}

#[test]
fn missing_metadata() {
    let m = std::fs::read_to_string(asset("metadata.json")).unwrap();
    let no_rate = m.replace("\"tracking_data_frame_rate\": 25,", "");
    let e = databallpy::parse_meta(no_rate.as_bytes(), Path::new("metadata.json")).unwrap_err();
    assert!(
        matches!(e, IoError::MissingMetadata { ref path, .. } if path == Path::new("metadata.json")),
        "{e:?}"
    );
    let e = databallpy::parse_meta(b"{\"a\": ", Path::new("metadata.json")).unwrap_err();
    assert!(matches!(e, IoError::Parse { line: 1, .. }), "{e:?}");

    let dir = common::temp_dir("databallpy");
    let csv = dir.join("tracking_wide.csv");
    std::fs::write(&csv, &csv_bytes()[..4096]).unwrap();
    let e = databallpy::open(&csv).unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    common::assert_missing_companion(e, &csv, &["metadata.json"]);
}

#[test]
fn empty_files() {
    let m = meta();
    assert!(matches!(databallpy::parse(b"", &m, &bad_path()), Err(IoError::Empty { .. })));
    let header_only = csv_lines()[0].clone();
    assert!(matches!(databallpy::parse(header_only.as_bytes(), &m, &bad_path()), Err(IoError::Empty { .. })));
    assert!(matches!(databallpy::parse_meta(b"  ", Path::new("m.json")), Err(IoError::Empty { .. })));
}

#[test]
fn non_monotonic_time() {
    let mut l = csv_lines();
    l.swap(50, 51); // frames ..., 49, 51, 50, 52, ...
    match parse_lines(&l) {
        Err(IoError::Frame { path, frame, .. }) => {
            assert_eq!(path, bad_path());
            assert_eq!(frame, 50);
        }
        other => panic!("expected a frame error, got {:?}", other.map(|d| d.data.n_frames())),
    }
}

#[test]
fn nan_and_inf_are_missing() {
    let mut l = csv_lines();
    l[1] = l[1].replacen("-0.68,23.29", "NaN,23.29", 1); // away_11 in frame 1
    l[2] = l[2].replacen("0.43,-0.10,0.14", "inf,-0.10,-inf", 1); // ball in frame 2
    l[3] = l[3].replacen("-0.91,23.26", ",", 1); // away_11 empty in frame 3
    let d = parse_lines(&l).unwrap();
    let data = &d.data;
    let a11 = data.agent_index("away_11").unwrap();
    let ball = data.ball_index().unwrap();
    assert!(!data.observed()[[0, a11]]);
    assert!(data.positions()[[0, a11, 0]].is_nan());
    assert!(!data.observed()[[2, a11]]);
    assert!(!data.observed()[[1, ball]]);
    assert!(data.ball_z().unwrap()[1].is_nan());
    assert_eq!(data.observed().iter().filter(|o| !**o).count(), 3);
}

#[test]
fn frames_outside_periods_dropped() {
    let mut l = csv_lines();
    for row in l.iter_mut().skip(1).take(10) {
        let last = row.rfind(',').unwrap();
        row.replace_range(last.., ",-999");
    }
    let d = parse_lines(&l).unwrap();
    assert_eq!(d.dropped_frames, 10);
    assert_eq!(d.data.n_frames(), 8990);
    assert_eq!(d.data.frame_ids()[0], 11);
    assert_eq!(d.data.timestamps()[0], 0.0);
}

// ------------------------------------------------------------------------------------------------
// bounded fuzz

fn small_csv() -> Vec<u8> {
    csv_lines()[..40].join("\n").into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_random_bytes(raw in prop::collection::vec(any::<u8>(), 0..512)) {
        let m = meta();
        let _ = databallpy::parse(&raw, &m, &bad_path());
        let _ = databallpy::parse_meta(&raw, Path::new("m.json"));
        let _ = databallpy::sniff(Path::new("x"), &String::from_utf8_lossy(&raw));
    }

    #[test]
    fn fuzz_mutated_csv(
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        inserts in prop::collection::vec((any::<usize>(), prop::sample::select(b",.-\n0123456789naNif\"".to_vec())), 0..6),
        deletes in prop::collection::vec(any::<usize>(), 0..6),
        cut in any::<usize>(),
    ) {
        let mut b = small_csv();
        for (i, x) in flips { let n = b.len(); b[i % n] ^= x; }
        for (i, x) in inserts { let n = b.len(); b.insert(i % (n + 1), x); }
        for i in deletes { if !b.is_empty() { let n = b.len(); b.remove(i % n); } }
        let n = b.len();
        b.truncate(cut % (n + 1));
        let _ = databallpy::parse(&b, &meta(), &bad_path());
        let _ = databallpy::sniff(Path::new("x"), &String::from_utf8_lossy(&b));
    }
}
