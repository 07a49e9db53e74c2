//! Hawk-Eye ball samples: the real file and broken variants.

use std::path::{Path, PathBuf};

use approx::assert_abs_diff_eq;
use proptest::prelude::*;
use touchline_core::Team;
use touchline_io::{Format, IoError, hawkeye};

mod common;

fn sample(name: &str) -> PathBuf {
    common::kloppy(&format!("hawkeye/{name}"))
}

#[test]
fn real_file_loads_with_exact_values() {
    let d = hawkeye::open(&sample("hawkeye_1_1.football.samples.ball")).unwrap();
    assert_eq!(d.n_frames(), 2969);
    assert_eq!(d.n_agents(), 1);
    assert_eq!(d.agents()[0].team, Team::Ball);
    assert_eq!(d.frame_rate(), 50.0);
    // hawkeye_meta.json is found first: 104 x 67 (the XML says 106 x 69)
    let pitch = d.pitch().unwrap();
    assert_eq!((pitch.length, pitch.width), (104.0, 67.0));
    assert_eq!(d.periods().len(), 1);
    assert_eq!(d.periods()[0].id, 1);
    // segment 1 starts at the file's start: time = sample time
    assert_abs_diff_eq!(d.timestamps()[0], 8e-05, epsilon = 1e-6);
    assert_abs_diff_eq!(d.timestamps()[2968], 59.357068, epsilon = 1e-6);
    let p = d.positions();
    assert_abs_diff_eq!(p[[0, 0, 0]], 0.11046913015445387, epsilon = 1e-12);
    assert_abs_diff_eq!(p[[0, 0, 1]], -0.0674424601581356, epsilon = 1e-12);
    assert_abs_diff_eq!(d.ball_z().unwrap()[0], 0.21409666302128866, epsilon = 1e-12);
    assert_abs_diff_eq!(p[[2968, 0, 0]], -9.16914030371513, epsilon = 1e-12);
    assert_abs_diff_eq!(p[[2968, 0, 1]], -34.933216490802, epsilon = 1e-12);
    assert_eq!(d.missing_fraction(), 0.0);
    assert_eq!(touchline_io::detect(&sample("hawkeye_1_1.football.samples.ball")).unwrap(), Format::HawkEye);
}

#[test]
fn meta_files_give_pitch() {
    let j = sample("hawkeye_meta.json");
    let x = sample("hawkeye_meta.xml");
    let pj = hawkeye::parse_meta(&std::fs::read(&j).unwrap(), &j).unwrap();
    let px = hawkeye::parse_meta(&std::fs::read(&x).unwrap(), &x).unwrap();
    assert_eq!((pj.length, pj.width), (104.0, 67.0));
    assert_eq!((px.length, px.width), (106.0, 69.0));
    let d = hawkeye::load(&[sample("hawkeye_1_1.football.samples.ball")], Some(&x)).unwrap();
    assert_eq!(d.pitch().unwrap().length, 106.0);
    assert!(matches!(
        hawkeye::parse_meta(b"{\"Stadium\": {}}", Path::new("m.json")),
        Err(IoError::MissingMetadata { .. })
    ));
    assert!(matches!(hawkeye::parse_meta(b"<Match><x>", Path::new("m.xml")), Err(IoError::Parse { .. })));
}

fn real_bytes() -> Vec<u8> {
    common::read(&sample("hawkeye_1_1.football.samples.ball"))
}

#[test]
fn broken_variants_give_typed_errors() {
    let p = Path::new("broken.samples.ball");
    let bytes = real_bytes();
    // truncated JSON: parse error with a line number
    match hawkeye::parse(&bytes[..bytes.len() / 2], p) {
        Err(IoError::Parse { path, line, .. }) => {
            assert_eq!(path, p);
            assert!(line > 1000, "line {line}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(hawkeye::parse(b"", p), Err(IoError::Empty { .. })));
    assert!(matches!(hawkeye::parse(b"[1, 2]", p), Err(IoError::Parse { line: 1, .. })));
    let text = String::from_utf8(bytes).unwrap();
    // a non-numeric coordinate
    let bad = text.replacen("\"pos\": [", "\"pos\": [\"x\", ", 1);
    assert!(matches!(hawkeye::parse(bad.as_bytes(), p), Err(IoError::Parse { .. })));
    // time going backwards at the third sample
    let bad = text.replacen("\"time\": 0.040078", "\"time\": 0.01", 1);
    match hawkeye::parse(bad.as_bytes(), p) {
        Err(IoError::Frame { frame, .. }) => assert_eq!(frame, 2),
        other => panic!("{other:?}"),
    }
    // missing start time: typed error
    let bad = text.replacen("\"startUTC\": \"2024", "\"startUTC\": \"soon", 1);
    assert!(matches!(hawkeye::parse(bad.as_bytes(), p), Err(IoError::Parse { .. })));
    // another unit
    let bad = text.replacen("\"length\": \"metre\"", "\"length\": \"foot\"", 1);
    assert!(matches!(hawkeye::parse(bad.as_bytes(), p), Err(IoError::Parse { .. })));
    // null coordinates: missing, not observed
    let bad = text.replacen("\"pos\": [", "\"pos\": [null, ", 1);
    let d = hawkeye::parse(bad.as_bytes(), p).unwrap();
    assert!(!d.observed()[[0, 0]]);
    assert_eq!(d.observed().iter().filter(|&&o| !o).count(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = hawkeye::parse(&bytes, Path::new("fuzz.samples.ball"));
        let _ = hawkeye::parse_meta(&bytes, Path::new("fuzz_meta.json"));
    }

    #[test]
    fn never_panics_on_mutated_real_bytes(cut in 0usize..4000, pos in 0usize..4000, byte in any::<u8>()) {
        let mut bytes = real_bytes();
        bytes.truncate(6000);
        let close = b"]}, \"time\": {\"startUTC\": \"2024-09-22T21:00:49.383Z\"}, \"sequences\": {\"segment\": 1}}";
        bytes.extend_from_slice(close);
        let i = pos % bytes.len();
        bytes[i] = byte;
        let _ = hawkeye::parse(&bytes, Path::new("fuzz.samples.ball"));
        bytes.truncate(cut);
        let _ = hawkeye::parse(&bytes, Path::new("fuzz.samples.ball"));
    }
}
