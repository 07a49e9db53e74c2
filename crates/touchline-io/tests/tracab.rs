//! TRACAB loader tests on the kloppy sample files (`shared/data/kloppy_samples/tracab`).

use std::path::{Path, PathBuf};

use approx::assert_abs_diff_eq;
use proptest::prelude::*;
use touchline_core::{Direction, Team};
use touchline_io::tracab::{self, BallStatus, Meta, TracabData};
use touchline_io::{Format, IoError};

mod common;

use common::Edit;

fn asset(name: &str) -> PathBuf {
    common::kloppy(&format!("tracab/{name}"))
}

fn bytes(name: &str) -> Vec<u8> {
    common::read(&asset(name))
}

fn text(name: &str) -> String {
    String::from_utf8(bytes(name)).unwrap()
}

fn meta_xml() -> Meta {
    tracab::read_meta(&asset("tracab_meta.xml")).unwrap()
}

fn meta_json() -> Meta {
    tracab::read_meta(&asset("tracab_meta.json")).unwrap()
}

fn dat_path() -> PathBuf {
    PathBuf::from("broken/tracab_raw.dat")
}

const FRAME_IDS: [i64; 7] = [1848508, 1848509, 1848510, 1916408, 1942114, 1942115, 2017933];

fn pos(d: &TracabData, id: &str, f: usize) -> [f64; 2] {
    let a = d.data.agent_index(id).unwrap_or_else(|| panic!("no agent {id}"));
    [d.data.positions()[[f, a, 0]], d.data.positions()[[f, a, 1]]]
}

fn check_common(d: &TracabData, with_referees: bool) {
    let data = &d.data;
    assert_eq!(data.n_frames(), 7, "19 frames in the file, 12 at half time dropped");
    assert_eq!(d.dropped_frames, 12);
    assert_eq!(data.frame_ids(), &FRAME_IDS);
    assert_eq!(data.frame_rate(), 25.0);
    let pitch = data.pitch().unwrap();
    assert_abs_diff_eq!(pitch.length, 105.0, epsilon = 1e-9);
    assert_abs_diff_eq!(pitch.width, 68.0, epsilon = 1e-9);
    assert_eq!(data.team_indices(Team::Home).len(), 15);
    assert_eq!(data.team_indices(Team::Away).len(), 15);
    assert_eq!(data.team_indices(Team::Ball).len(), 1);
    assert_eq!(data.team_indices(Team::Officials).len(), if with_referees { 3 } else { 0 });
    assert_eq!(data.n_agents(), if with_referees { 34 } else { 31 });

    // time: playing time, period 2 starts after period 1's 67901 frames
    let t = data.timestamps();
    let expected = [0.0, 0.04, 0.08, 2716.0, 2716.04, 2716.08, 2716.04 + 75819.0 / 25.0];
    for (a, b) in t.iter().zip(expected) {
        assert_abs_diff_eq!(*a, b, epsilon = 1e-9);
    }
    assert_abs_diff_eq!(t[6], 5748.8, epsilon = 1e-9);
    let p = data.periods();
    assert_eq!(p.len(), 2);
    assert_eq!((p[0].id, p[0].start, p[0].end), (1, 0, 4));
    assert_eq!((p[1].id, p[1].start, p[1].end), (2, 4, 7));

    // exact coordinates (cm -> m)
    let close = |a: [f64; 2], b: [f64; 2]| {
        assert_abs_diff_eq!(a[0], b[0], epsilon = 1e-9);
        assert_abs_diff_eq!(a[1], b[1], epsilon = 1e-9);
    };
    close(pos(d, "home_20", 0), [2.56, -9.58]); // "1,3,20,256,-958"
    close(pos(d, "away_9", 0), [0.06, -9.13]); // "0,1,9,6,-913"
    close(pos(d, "ball", 0), [27.10, 37.22]); // "2710,3722,11"
    close(pos(d, "home_1", 6), [-30.81, -2.72]);
    close(pos(d, "ball", 6), [26.0, 15.77]);
    let z = data.ball_z().unwrap();
    assert_abs_diff_eq!(z[0], 0.11, epsilon = 1e-12);
    assert_abs_diff_eq!(z[6], 0.10, epsilon = 1e-12);

    // visibility: no flag in TRACAB; 56 (frame, agent) entries of players absent from a frame
    let unobserved = data.observed().iter().filter(|o| !**o).count();
    assert_eq!(unobserved, 56);
    assert!(data.provider_estimate().is_none());
    let ball = data.ball_index().unwrap();
    assert!(data.agent_observed(ball).iter().all(|o| *o));

    use BallStatus::{Alive, Dead};
    assert_eq!(d.ball_status, [Dead, Alive, Alive, Dead, Dead, Dead, Dead].map(Some).to_vec());
    let (h, a) = (Some(Team::Home), Some(Team::Away));
    assert_eq!(d.ball_owner, vec![h, h, h, h, a, a, h]);
}

#[test]
fn dat_with_xml_meta() {
    let d = tracab::load_full(&asset("tracab_raw.dat"), &asset("tracab_meta.xml")).unwrap();
    check_common(&d, true);
    let data = &d.data;
    let r0 = &data.agents()[data.agent_index("referee_0").unwrap()];
    assert_eq!(r0.team, Team::Officials);
    assert_eq!(r0.name.as_deref(), Some("Dennis Higler"));
    let h1 = &data.agents()[data.agent_index("home_1").unwrap()];
    assert_eq!((h1.jersey, h1.name.as_deref()), (Some(1), Some("Player One")));
    // the XML meta has no playing direction
    assert!(data.periods().iter().all(|p| p.home_direction.is_none()));
    let referee_1 = pos(&d, "referee_1", 6); // "3,7,1,2971,-3314" in the last frame
    assert_abs_diff_eq!(referee_1[0], 29.71, epsilon = 1e-9);
    assert_abs_diff_eq!(referee_1[1], -33.14, epsilon = 1e-9);
}

#[test]
fn raw_json_with_json_meta_matches_dat() {
    let j = tracab::load_full(&asset("tracab_raw.json"), &asset("tracab_meta.json")).unwrap();
    check_common(&j, false);
    let p = j.data.periods();
    assert_eq!(p[0].home_direction, Some(Direction::RightToLeft)); // Phase1HomeGKLeft: false
    assert_eq!(p[1].home_direction, Some(Direction::LeftToRight)); // Phase2HomeGKLeft: true
    let h1 = &j.data.agents()[j.data.agent_index("home_1").unwrap()];
    assert_eq!(h1.role.as_deref(), Some("G"));
    // same positions as the .dat for every player and the ball
    let d = tracab::load_full(&asset("tracab_raw.dat"), &asset("tracab_meta.json")).unwrap();
    for agent in j.data.agents() {
        let a = j.data.agent_index(&agent.id).unwrap();
        let b = d.data.agent_index(&agent.id).unwrap();
        for f in 0..7 {
            assert_eq!(j.data.observed()[[f, a]], d.data.observed()[[f, b]]);
            if j.data.observed()[[f, a]] {
                for k in 0..2 {
                    assert_eq!(j.data.positions()[[f, a, k]], d.data.positions()[[f, b, k]]);
                }
            }
        }
    }
}

#[test]
fn open_finds_meta_and_dispatches() {
    let d = tracab::open(&asset("tracab_raw.dat")).unwrap();
    assert_eq!(d.n_frames(), 7);
    assert_eq!(d.n_agents(), 34);
    assert_eq!(tracab::find_meta(&asset("tracab_raw.dat")).unwrap(), asset("tracab_meta.xml"));
    let j = touchline_io::open(&asset("tracab_raw.json"), None).unwrap();
    assert_eq!(j.n_frames(), 7);
    assert_eq!(touchline_io::detect(&asset("tracab_raw.dat")).unwrap(), Format::Tracab);
    assert_eq!(touchline_io::detect(&asset("tracab_raw.json")).unwrap(), Format::Tracab);
}

#[test]
fn meta_files_agree() {
    let (x, j) = (meta_xml(), meta_json());
    assert_eq!(x.frame_rate, 25.0);
    assert_eq!(x.periods.len(), 2);
    assert_eq!((x.periods[0].start_frame, x.periods[0].end_frame), (1848508, 1916408));
    assert_eq!((x.periods[1].start_frame, x.periods[1].end_frame), (1942114, 2017933));
    for (a, b) in x.periods.iter().zip(&j.periods) {
        assert_eq!((a.id, a.start_frame, a.end_frame), (b.id, b.start_frame, b.end_frame));
    }
    assert_eq!(x.pitch, j.pitch);
    assert_eq!((x.home.len(), x.away.len(), x.officials.len()), (20, 20, 3));
    assert_eq!((j.home.len(), j.away.len(), j.officials.len()), (20, 20, 3));
}

#[test]
fn sniff_recognises_only_tracab_raw() {
    for f in ["tracab_raw.dat", "tracab_raw.json"] {
        assert!(tracab::sniff(&asset(f), &text(f)), "{f}");
    }
    let others = [
        "tracab_meta.xml",
        "tracab_meta.json",
        "../statsperform/statsperform_tracking_ma25.txt",
        "../metrica/epts_metrica_tracking.txt",
        "../metrica/metrica_home.csv",
        "../signality/signality_p1_raw_data_subset.json",
        "../skillcorner/skillcorner_v3_raw_data.jsonl",
        "../pff/pff_3812.jsonl",
        "../sportec_dfl/sportec_positional.xml",
        "../../tracab_databallpy/metadata.json",
    ];
    common::assert_not_sniffed(&[("tracab", tracab::sniff)], others.map(asset));
}

// ------------------------------------------------------------------------------------------------
// broken variants

fn dat_lines() -> Vec<String> {
    text("tracab_raw.dat").lines().map(str::to_string).collect()
}

fn parse_dat_lines(lines: &[String]) -> Result<TracabData, IoError> {
    tracab::parse_dat(lines.join("\n").as_bytes(), &meta_xml(), &dat_path())
}

fn assert_parse_line(r: Result<TracabData, IoError>, line: usize) {
    common::assert_parse_line(r, &dat_path(), line);
}

#[test]
fn truncated_line() {
    let mut l = dat_lines();
    l[1].truncate(300); // cut inside the objects of line 2
    assert_parse_line(parse_dat_lines(&l), 2);
    // a file cut inside its last line's ball chunk
    let mut l = dat_lines();
    let last = l.len() - 1;
    let cut = l[last].rfind(",H,").unwrap();
    l[last].truncate(cut);
    assert_parse_line(parse_dat_lines(&l), 22);
}

#[test]
fn wrong_field_count() {
    let mut l = dat_lines();
    assert!(l[4].starts_with("1916408:"));
    let first_obj_end = l[4].find(';').unwrap();
    let speed_at = l[4][..first_obj_end].rfind(',').unwrap();
    l[4].replace_range(speed_at..first_obj_end, ""); // drop the first object's speed
    assert_parse_line(parse_dat_lines(&l), 5);
    // too few ball fields
    let mut l = dat_lines();
    l[0] = l[0].replace(",H,Dead,SetHome;", ",H;");
    assert_parse_line(parse_dat_lines(&l), 1);
}

#[test]
fn non_numeric_fields() {
    let mut l = dat_lines();
    l[0] = l[0].replacen("0,1,9,6,-913,", "0,1,9,6,-9x3,", 1);
    assert_parse_line(parse_dat_lines(&l), 1);
    let mut l = dat_lines();
    l[2] = l[2].replacen("1848510:", "18485a0:", 1);
    assert_parse_line(parse_dat_lines(&l), 3);
    let mut l = dat_lines();
    l[18] = l[18].replacen(",A,Dead,", ",A,Sleeping,", 1);
    assert_parse_line(parse_dat_lines(&l), 19);
    let mut l = dat_lines();
    l[0] = l[0].replacen("0,1,9,6,", "7,1,9,6,", 1); // team code 7 does not exist
    assert_parse_line(parse_dat_lines(&l), 1);
    let mut l = dat_lines();
    l[0] = l[0].replacen("0,2,19,", "0,2,9,", 1); // away 9 twice
    assert_parse_line(parse_dat_lines(&l), 1);
}

#[test]
fn missing_metadata() {
    let xml = text("tracab_meta.xml");
    let no_rate = xml.replace("iFrameRateFps=\"25\"", "");
    let e = tracab::parse_meta(no_rate.as_bytes(), Path::new("m.xml")).unwrap_err();
    assert!(matches!(e, IoError::MissingMetadata { ref path, .. } if path == Path::new("m.xml")), "{e:?}");
    let no_periods = xml
        .replace("iEndFrame=\"1916408\"", "iEndFrame=\"0\"")
        .replace("iEndFrame=\"2017933\"", "iEndFrame=\"0\"");
    let e = tracab::parse_meta(no_periods.as_bytes(), Path::new("m.xml")).unwrap_err();
    assert!(matches!(e, IoError::MissingMetadata { .. }), "{e:?}");
    let bad_period = xml.replace("iStartFrame=\"1942114\"", "iStartFrame=\"x\"");
    let e = tracab::parse_meta(bad_period.as_bytes(), Path::new("m.xml")).unwrap_err();
    assert!(matches!(e, IoError::Parse { line: 11, .. }), "{e:?}");
    let json = text("tracab_meta.json").replace("\"FrameRate\": 25,", "");
    let e = tracab::parse_meta(json.as_bytes(), Path::new("m.json")).unwrap_err();
    assert!(matches!(e, IoError::MissingMetadata { .. }), "{e:?}");

    // a raw file alone in a directory: the companion is missing
    let dir = common::temp_dir("tracab");
    let raw = dir.join("alone_raw.dat");
    std::fs::write(&raw, bytes("tracab_raw.dat")).unwrap();
    let e = tracab::open(&raw).unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    common::assert_missing_companion(e, &raw, &["alone_meta.xml", "metadata.xml"]);
}

#[test]
fn empty_files() {
    let m = meta_xml();
    assert!(matches!(tracab::parse_dat(b"", &m, &dat_path()), Err(IoError::Empty { .. })));
    assert!(matches!(tracab::parse_dat(b"\n\n  \n", &m, &dat_path()), Err(IoError::Empty { .. })));
    assert!(matches!(tracab::parse(b"", &m, &dat_path()), Err(IoError::Empty { .. })));
    assert!(matches!(tracab::parse_meta(b"", Path::new("m.xml")), Err(IoError::Empty { .. })));
    // a JSON document without frames
    let r = tracab::parse_raw_json(br#"{"FrameData": []}"#, &m, Path::new("r.json"));
    assert!(matches!(r, Err(IoError::Empty { .. })), "{r:?}");
}

#[test]
fn non_monotonic_time() {
    let mut l = dat_lines();
    l.swap(1, 2); // 1848510 before 1848509
    match parse_dat_lines(&l) {
        Err(IoError::Frame { path, frame, .. }) => {
            assert_eq!(path, dat_path());
            assert_eq!(frame, 1848509);
        }
        other => panic!("expected a frame error, got {other:?}"),
    }
}

#[test]
fn nan_and_inf_are_missing() {
    let mut l = dat_lines();
    l[0] = l[0].replacen("1,3,20,256,-958,", "1,3,20,NaN,-958,", 1);
    l[1] = l[1].replacen(":2710,3722,11,", ":inf,3722,11,", 1);
    l[2] = l[2].replacen(":2710,3722,11,", ":2710,3722,-inf,", 1);
    let d = parse_dat_lines(&l).unwrap();
    let data = &d.data;
    let h20 = data.agent_index("home_20").unwrap();
    let ball = data.ball_index().unwrap();
    assert!(!data.observed()[[0, h20]]);
    assert!(data.positions()[[0, h20, 0]].is_nan());
    assert!(!data.observed()[[1, ball]]);
    assert!(data.observed()[[2, ball]]);
    assert!(data.ball_z().unwrap()[2].is_nan());
    assert_eq!(data.observed().iter().filter(|o| !**o).count(), 58);
}

#[test]
fn frames_outside_every_period() {
    let l: Vec<String> =
        dat_lines().into_iter().filter(|l| l.starts_with("19164") && !l.starts_with("1916408")).collect();
    assert_eq!(l.len(), 12);
    match parse_dat_lines(&l) {
        Err(IoError::Frame { frame, .. }) => assert_eq!(frame, 1916409),
        other => panic!("expected a frame error, got {other:?}"),
    }
}

#[test]
fn broken_raw_json() {
    let m = meta_json();
    let p = Path::new("broken/tracab_raw.json");
    let j = text("tracab_raw.json");
    // syntax error on the first player's "X" line
    let x_line = j.lines().position(|l| l.contains("\"X\": 6,")).unwrap() + 1;
    assert_eq!(x_line, 11);
    let broken = j.replacen("\"X\": 6,", "\"X\": 6x,", 1);
    match tracab::parse_raw_json(broken.as_bytes(), &m, p) {
        Err(IoError::Parse { line, .. }) => assert_eq!(line, x_line),
        other => panic!("expected a parse error, got {other:?}"),
    }
    // truncated file
    match tracab::parse_raw_json(&j.as_bytes()[..j.len() / 2], &m, p) {
        Err(IoError::Parse { line, .. }) => assert!(line > 1),
        other => panic!("expected a parse error, got {other:?}"),
    }
    // unknown team code in frame 1848509
    let second = j.find("\"FrameCount\": 1848509").unwrap();
    let at = second + j[second..].find("\"Team\": 0").unwrap();
    let broken = format!("{}\"Team\": 9{}", &j[..at], &j[at + 9..]);
    match tracab::parse_raw_json(broken.as_bytes(), &m, p) {
        Err(IoError::Frame { frame, path, .. }) => {
            assert_eq!(frame, 1848509);
            assert_eq!(path, p);
        }
        other => panic!("expected a frame error, got {other:?}"),
    }
}

// ------------------------------------------------------------------------------------------------
// bounded fuzz

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), prop::sample::select(b":;,-.0123456789\nAHDeadNn{}\"[]".to_vec()))
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn mutate(mut b: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = b.len().max(1);
        match *e {
            Edit::Flip(i, x) if !b.is_empty() => b[i % n] ^= x,
            Edit::Insert(i, x) => b.insert(i % (b.len() + 1), x),
            Edit::Delete(i) if !b.is_empty() => {
                b.remove(i % n);
            }
            Edit::Truncate(i) => b.truncate(i % (b.len() + 1)),
            _ => {}
        }
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_random_bytes(raw in prop::collection::vec(any::<u8>(), 0..512)) {
        let m = meta_xml();
        let _ = tracab::parse(&raw, &m, &dat_path());
        let _ = tracab::parse_dat(&raw, &m, &dat_path());
        let _ = tracab::parse_raw_json(&raw, &m, &dat_path());
        let _ = tracab::parse_meta(&raw, Path::new("m"));
        let _ = tracab::sniff(Path::new("x"), &String::from_utf8_lossy(&raw));
    }

    #[test]
    fn fuzz_mutated_dat(edits in prop::collection::vec(edit(), 1..8)) {
        let m = meta_xml();
        let raw = mutate(bytes("tracab_raw.dat"), &edits);
        let _ = tracab::parse_dat(&raw, &m, &dat_path());
        let _ = tracab::sniff(Path::new("x"), &String::from_utf8_lossy(&raw));
    }

    #[test]
    fn fuzz_mutated_json(edits in prop::collection::vec(edit(), 1..8)) {
        let m = meta_json();
        let raw = mutate(bytes("tracab_raw.json"), &edits);
        let _ = tracab::parse_raw_json(&raw, &m, &dat_path());
    }

    #[test]
    fn fuzz_mutated_meta(edits in prop::collection::vec(edit(), 1..8), xml in any::<bool>()) {
        let name = if xml { "tracab_meta.xml" } else { "tracab_meta.json" };
        let raw = mutate(bytes(name), &edits);
        if let Ok(m) = tracab::parse_meta(&raw, Path::new(name)) {
            let _ = tracab::parse_dat(&bytes("tracab_raw.dat"), &m, &dat_path());
        }
    }
}
