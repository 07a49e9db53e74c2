//! Tests of Touchline's long CSV and JSON: exact round trips (real NBA scenes
//! and random datasets), hand-written files, broken variants, fuzzing, sniffing.

use std::path::Path;

use ndarray::{Array2, Array3};
use proptest::prelude::*;
use touchline_core::{Agent, Direction, Period, Pitch, Team, TrackingData};
use touchline_io::{Format, IoError, long, nba};

mod common;

use common::{mutate_at, shared};

/// An NBA scene, under `shared/data`.
const NBA_SCENE: &str = "nba_socialvae/rebound/test/ATL_BOS_0021500389_3_314.96_312.36.txt";

fn nba_scene() -> TrackingData {
    nba::open(&shared(NBA_SCENE)).unwrap()
}

fn same_f(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

/// Bit-exact equality of two datasets (`NaN == NaN`; a missing estimate or
/// ball-height layer equals one that is all `NaN`).
fn assert_same(a: &TrackingData, b: &TrackingData) {
    assert_eq!(a.n_frames(), b.n_frames());
    assert_eq!(a.n_agents(), b.n_agents());
    assert_eq!(a.agents(), b.agents());
    assert_eq!(a.periods(), b.periods());
    assert_eq!(a.frame_ids(), b.frame_ids());
    assert!(a.timestamps().iter().zip(b.timestamps().iter()).all(|(x, y)| same_f(*x, *y)));
    assert!(same_f(a.frame_rate(), b.frame_rate()), "{} vs {}", a.frame_rate(), b.frame_rate());
    assert_eq!(a.pitch(), b.pitch());
    assert_eq!(a.observed(), b.observed());
    for (i, (x, y)) in a.positions().iter().zip(b.positions().iter()).enumerate() {
        assert!(same_f(*x, *y), "position #{i}: {x:?} vs {y:?}");
    }
    let nan3 = Array3::from_elem(a.positions().dim(), f64::NAN);
    let (ea, eb) = (a.provider_estimate().unwrap_or(&nan3), b.provider_estimate().unwrap_or(&nan3));
    for (i, (x, y)) in ea.iter().zip(eb.iter()).enumerate() {
        assert!(same_f(*x, *y), "estimate #{i}: {x:?} vs {y:?}");
    }
    let nan1 = vec![f64::NAN; a.n_frames()];
    let za: Vec<f64> = a.ball_z().map(|z| z.to_vec()).unwrap_or_else(|| nan1.clone());
    let zb: Vec<f64> = b.ball_z().map(|z| z.to_vec()).unwrap_or(nan1);
    assert!(za.iter().zip(&zb).all(|(x, y)| same_f(*x, *y)), "{za:?} vs {zb:?}");
}

fn csv_round_trip(d: &TrackingData) -> TrackingData {
    let mut buf = Vec::new();
    long::write_csv(d, &mut buf).unwrap();
    long::parse_csv(&buf, "t.csv".as_ref())
        .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&buf)))
}

fn json_round_trip(d: &TrackingData) -> TrackingData {
    let mut buf = Vec::new();
    long::write_json(d, &mut buf).unwrap();
    long::parse_json(&buf, "t.json".as_ref())
        .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&buf)))
}

fn p() -> &'static Path {
    Path::new("bad.csv")
}

#[test]
fn nba_scene_round_trips_and_csv_text_is_exact() {
    let d = nba_scene();
    assert_same(&d, &csv_round_trip(&d));
    assert_same(&d, &json_round_trip(&d));

    let mut buf = Vec::new();
    long::write_csv(&d, &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2 + 1 + 22 * 11);
    assert_eq!(lines[0], format!("# frame_rate={}", 100.0 / 12.0));
    assert_eq!(lines[1], format!("# pitch={}x{}", 94.0 * 0.3048, 50.0 * 0.3048));
    assert_eq!(lines[2], long::CSV_COLUMNS.join(","));
    let ball = d.positions();
    assert_eq!(lines[3], format!("0,0,3,ball,ball,,,,{},{},1,,,", ball[[0, 0, 0]], ball[[0, 0, 1]]));
    assert!(lines[4].starts_with("0,0,3,nba_101135,home,,,,"));
    assert!(lines[244].starts_with("252,2.52,3,nba_201952,away,,,,"));
    assert!(long::sniff_csv(p(), &text));
    assert!(!nba::sniff(p(), &text));
    // 8 KiB head as detect() sees it
    assert!(long::sniff_csv(p(), &text[..8192]));

    let mut js = Vec::new();
    long::write_json(&d, &mut js).unwrap();
    let js = String::from_utf8(js).unwrap();
    assert!(js.starts_with(r#"{"format":"touchline","version":1,"#), "{}", &js[..60]);
    assert!(long::sniff_json(p(), &js));
    assert!(!long::sniff_csv(p(), &js));
}

#[test]
fn whole_nba_split_round_trips() {
    let scene = shared(NBA_SCENE);
    let scenes = nba::load_dir(scene.parent().unwrap()).unwrap();
    assert_eq!(scenes.len(), 938);
    for (_, d) in scenes.iter().step_by(47) {
        assert_same(d, &csv_round_trip(d));
        assert_same(d, &json_round_trip(d));
    }
}

fn small() -> TrackingData {
    let mut pos = Array3::from_elem((3, 2, 2), f64::NAN);
    let mut obs = Array2::from_elem((3, 2), false);
    for f in 0..3 {
        pos[[f, 0, 0]] = f as f64 * 0.1;
        pos[[f, 0, 1]] = -1.0;
        obs[[f, 0]] = true;
    }
    pos[[1, 1, 0]] = 5.5; // imputed
    pos[[1, 1, 1]] = 6.5;
    pos[[2, 1, 0]] = 7.0; // observed
    pos[[2, 1, 1]] = 8.0;
    obs[[2, 1]] = true;
    let mut est = Array3::from_elem((3, 2, 2), f64::NAN);
    est[[0, 1, 0]] = 1.25;
    est[[0, 1, 1]] = 2.25;
    TrackingData::new(
        pos,
        obs,
        vec![10.0, 10.04, 10.08],
        vec![
            Agent::ball(),
            Agent::new("home_7", Team::Home).with_jersey(7).with_role("CB, left").with_name("A \"Name\""),
        ],
    )
    .unwrap()
    .with_frame_ids(vec![100, 101, 102])
    .unwrap()
    .with_frame_rate(25.0)
    .unwrap()
    .with_pitch(Pitch::FOOTBALL)
    .unwrap()
    .with_periods(vec![
        Period { id: 1, start: 0, end: 1, home_direction: Some(Direction::RightToLeft) },
        Period::new(2, 2..3),
    ])
    .unwrap()
    .with_provider_estimate(est)
    .unwrap()
    .with_ball_z(vec![0.5, f64::NAN, 1.5])
    .unwrap()
}

#[test]
fn small_dataset_exact_text_and_round_trip() {
    let d = small();
    let mut buf = Vec::new();
    long::write_csv(&d, &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let want = "# frame_rate=25\n# pitch=105x68\n# home_direction=1:right_to_left\n\
        frame,time_s,period,agent,team,jersey,role,name,x,y,observed,estimate_x,estimate_y,ball_z\n\
        100,10,1,ball,ball,,,,0,-1,1,,,0.5\n\
        100,10,1,home_7,home,7,\"CB, left\",\"A \"\"Name\"\"\",,,0,1.25,2.25,0.5\n\
        101,10.04,,ball,ball,,,,0.1,-1,1,,,\n\
        101,10.04,,home_7,home,7,\"CB, left\",\"A \"\"Name\"\"\",5.5,6.5,0,,,\n\
        102,10.08,2,ball,ball,,,,0.2,-1,1,,,1.5\n\
        102,10.08,2,home_7,home,7,\"CB, left\",\"A \"\"Name\"\"\",7,8,1,,,1.5\n";
    assert_eq!(text, want);
    let back = long::parse_csv(text.as_bytes(), p()).unwrap();
    assert_same(&d, &back);
    // the imputed entry stays unobserved with its value
    assert!(!back.observed()[[1, 1]]);
    assert_eq!(back.positions()[[1, 1, 0]], 5.5);
    assert_eq!(back.provider_estimate().unwrap()[[0, 1, 1]], 2.25);
    assert_eq!(back.periods()[0].home_direction, Some(Direction::RightToLeft));
    assert_eq!(back.periods()[1], Period::new(2, 2..3));
    assert_same(&d, &json_round_trip(&d));
}

#[test]
fn hand_written_csv() {
    // any column order, extra columns, pandas-style booleans and float jerseys, no period column
    let text = "# exported by hand\n# frame_rate = 10\n\
        x,y,agent,team,observed,frame,time_s,speed,jersey\n\
        1.5,2.5,p1,Home,True,0,0.0,3.2,9.0\n\
        -1,-2,ball,ball,true,0,0.0,,\n\
        1.6,2.6,p1,home,False,1,0.1,,9\n\
        NaN,,ball,ball,1,1,0.1,,\n\
        inf,3,p2,away,1,1,0.1,,\n";
    let d = long::parse_csv(text.as_bytes(), p()).unwrap();
    assert_eq!(d.n_frames(), 2);
    assert_eq!(d.n_agents(), 3);
    assert_eq!(d.frame_rate(), 10.0);
    assert_eq!(d.pitch(), None);
    assert_eq!(d.periods(), &[Period::new(1, 0..2)]);
    assert_eq!(d.frame_ids(), &[0, 1]);
    assert_eq!(d.agents()[0], Agent::new("p1", Team::Home).with_jersey(9));
    assert_eq!(d.agents()[2], Agent::new("p2", Team::Away));
    assert_eq!(d.positions()[[0, 0, 0]], 1.5);
    assert_eq!(d.positions()[[0, 1, 1]], -2.0);
    assert!(d.observed()[[0, 0]] && d.observed()[[0, 1]]);
    assert!(!d.observed()[[1, 0]]);
    assert_eq!(d.positions()[[1, 0, 0]], 1.6); // imputed value kept
    assert!(!d.observed()[[1, 1]]); // NaN: missing
    assert!(!d.observed()[[1, 2]]); // inf with observed=1: missing, never observed
    assert!(d.positions()[[1, 2, 0]].is_nan());
    assert!(!d.observed()[[0, 2]]); // no row: missing
    assert_eq!(d.observed().iter().filter(|&&o| !o).count(), 4);
    assert!(d.provider_estimate().is_none());
    assert!(d.ball_z().is_none());
    // rows of one frame may be split up
    let split =
        "frame,time_s,agent,team,x,y,observed\n0,0,a,home,1,1,1\n1,1,a,home,2,2,1\n0,0,b,away,3,3,1\n";
    let d = long::parse_csv(split.as_bytes(), p()).unwrap();
    assert_eq!((d.n_frames(), d.n_agents()), (2, 2));
    assert_eq!(d.positions()[[0, 1, 0]], 3.0);
    assert!(!d.observed()[[1, 1]]);
    // open() finds the format
    assert!(long::sniff_csv(p(), text));
}

fn csv_err(text: &str) -> IoError {
    long::parse_csv(text.as_bytes(), p()).expect_err("expected an error")
}

fn assert_line(e: IoError, want: usize) {
    common::assert_parse_err(e, p(), want);
}

const HEAD: &str = "# frame_rate=25\nframe,time_s,agent,team,x,y,observed\n";

#[test]
fn broken_csv() {
    let ok = format!("{HEAD}0,0,a,home,1,2,1\n0,0,b,away,3,4,1\n1,0.04,a,home,1,2,1\n1,0.04,b,away,3,4,0\n");
    assert!(long::parse_csv(ok.as_bytes(), p()).is_ok());
    // truncated line / wrong field count
    assert_line(csv_err(&format!("{HEAD}0,0,a,home,1,2,1\n0,0,b,away\n")), 4);
    assert_line(csv_err(&format!("{HEAD}0,0,a,home,1,2,1,9\n")), 3);
    // truncated file in the middle of a row
    assert_line(csv_err(&ok[..ok.len() - 6]), 6);
    // non-numeric fields
    assert_line(csv_err(&format!("{HEAD}0,0,a,home,1,2,1\n0,0,b,away,x3,4,1\n")), 4);
    assert_line(csv_err(&format!("{HEAD}0.5,0,a,home,1,2,1\n")), 3);
    assert_line(csv_err(&format!("{HEAD}0,zero,a,home,1,2,1\n")), 3);
    assert_line(csv_err(&format!("{HEAD}0,0,a,home,1,2,yes\n")), 3);
    assert_line(csv_err(&format!("{HEAD}0,0,a,coach,1,2,1\n")), 3);
    assert_line(csv_err(&format!("{HEAD}0,0,,home,1,2,1\n")), 3);
    // NaN / inf time
    assert_line(csv_err(&format!("{HEAD}0,NaN,a,home,1,2,1\n")), 3);
    assert_line(csv_err(&format!("{HEAD}0,0,a,home,1,2,1\n1,inf,a,home,1,2,1\n")), 4);
    // missing required column (header line), duplicate column
    assert_line(csv_err("# frame_rate=25\nframe,time_s,agent,team,x,observed\n0,0,a,home,1,1\n"), 2);
    assert_line(csv_err("frame,time_s,agent,team,x,y,observed,x\n0,0,a,home,1,2,1,1\n"), 1);
    // bad metadata comments
    assert_line(csv_err(&format!("# pitch=105\n{HEAD}0,0,a,home,1,2,1\n")), 1);
    assert_line(csv_err(&format!("# a comment\n# frame_rate=-5\n{HEAD}")), 2);
    assert_line(csv_err(&format!("# home_direction=1:up\n{HEAD}0,0,a,home,1,2,1\n")), 1);
    // duplicate (frame, agent) row
    assert_line(csv_err(&format!("{HEAD}0,0,a,home,1,2,1\n0,0,b,away,3,4,1\n0,0,a,home,1,2,1\n")), 5);
    // the same frame with another time_s
    assert_line(csv_err(&format!("{HEAD}0,0,a,home,1,2,1\n0,0.5,b,away,3,4,1\n")), 4);
    // an agent changing team or jersey
    assert_line(csv_err(&format!("{HEAD}0,0,a,home,1,2,1\n1,1,a,away,1,2,1\n")), 4);
    assert_line(
        csv_err("frame,time_s,agent,team,x,y,observed,jersey\n0,0,a,home,1,2,1,7\n1,1,a,home,1,2,1,8\n"),
        3,
    );
    // not UTF-8
    let mut b = ok.clone().into_bytes();
    b[HEAD.len() + 20] = 0xff;
    assert_line(long::parse_csv(&b, p()).unwrap_err(), 4);
    // rows out of time order are put in time order (frame numbers are labels);
    // two frames at one time are a frame error naming the later row's frame
    let d = long::parse_csv(format!("{HEAD}1,1,a,home,1,2,1\n2,0.5,a,home,3,4,1\n").as_bytes(), p()).unwrap();
    assert_eq!(d.frame_ids(), &[2, 1]);
    assert_eq!(d.positions()[[0, 0, 0]], 3.0);
    match csv_err(&format!("{HEAD}1,1,a,home,1,2,1\n2,1,a,home,1,2,1\n")) {
        IoError::Frame { path, frame, .. } => {
            assert_eq!(path, p());
            assert_eq!(frame, 2);
        }
        other => panic!("expected a frame error, got {other}"),
    }
    assert!(matches!(
        csv_err(&format!("{HEAD}5,1,a,home,1,2,1\n6,1,a,home,1,2,1\n")),
        IoError::Frame { frame: 6, .. }
    ));
    // empty
    assert!(matches!(csv_err(""), IoError::Empty { .. }));
    assert!(matches!(csv_err(HEAD), IoError::Empty { .. }));
    assert!(matches!(csv_err("# frame_rate=25\n"), IoError::Empty { .. }));
}

#[test]
fn broken_json() {
    let d = small();
    let mut buf = Vec::new();
    long::write_json(&d, &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let jp = Path::new("bad.json");
    let err = |s: &str| long::parse_json(s.as_bytes(), jp).expect_err("expected an error");
    // syntax error on line 3
    match err("{\n\"format\": \"touchline\",\n\"version\": 1 1}") {
        IoError::Parse { path, line, .. } => assert_eq!((path.as_path(), line), (jp, 3)),
        other => panic!("{other}"),
    }
    // truncated
    assert!(matches!(err(&text[..text.len() / 2]), IoError::Parse { line: 1, .. }));
    // not ours / another version
    assert!(matches!(err(r#"{"format":"kloppy","version":1}"#), IoError::UnknownFormat { .. }));
    assert!(matches!(err(&text.replace(r#""version":1"#, r#""version":2"#)), IoError::UnknownFormat { .. }));
    assert!(matches!(err("[1,2]"), IoError::Parse { .. }));
    // wrong array lengths, non-numeric values, bad team
    assert!(matches!(
        err(&text.replace(r#""x":[0.0,0.1,0.2]"#, r#""x":[0.0,0.1]"#)),
        IoError::Parse { line: 0, .. }
    ));
    assert!(matches!(err(&text.replace("[100,101,102]", "[100,101]")), IoError::Parse { line: 0, .. }));
    assert!(matches!(
        err(&text.replace(r#""x":[0.0,0.1,0.2]"#, r#""x":[0.0,"a",0.2]"#)),
        IoError::Parse { .. }
    ));
    assert!(matches!(err(&text.replace(r#""team":"home""#, r#""team":"coach""#)), IoError::Parse { .. }));
    // null and non-monotonic timestamps
    assert!(matches!(
        err(&text.replace("[10.0,10.04,10.08]", "[10.0,null,10.08]")),
        IoError::Frame { frame: 101, .. }
    ));
    assert!(matches!(
        err(&text.replace("[10.0,10.04,10.08]", "[10.0,10.09,10.08]")),
        IoError::Frame { frame: 102, .. }
    ));
    // periods out of range
    assert!(matches!(err(&text.replace(r#""end":3"#, r#""end":4"#)), IoError::Invalid { .. }));
    // empty
    assert!(matches!(err(""), IoError::Empty { .. }));
    assert!(matches!(err(&text.replace("[10.0,10.04,10.08]", "[]")), IoError::Empty { .. }));
    // null x with observed=true is missing, not observed
    let d2 = long::parse_json(text.replace(r#""x":[0.0,0.1,0.2]"#, r#""x":[0.0,null,0.2]"#).as_bytes(), jp)
        .unwrap();
    assert!(!d2.observed()[[1, 0]]);
}

#[test]
fn sniffing() {
    let others = [
        "kloppy_samples/tracab/tracab_raw.dat",
        "kloppy_samples/tracab/tracab_raw.json",
        "kloppy_samples/tracab/tracab_meta.json",
        "kloppy_samples/statsperform/statsperform_tracking_ma25.txt",
        "kloppy_samples/metrica/metrica_home.csv",
        "kloppy_samples/skillcorner/skillcorner_v3_raw_data.jsonl",
        "kloppy_samples/skillcorner/skillcorner_match_data.json",
        "kloppy_samples/pff/pff_3812.jsonl",
        "kloppy_samples/signality/signality_p1_raw_data_subset.json",
        "tracab_databallpy/tracking_wide.csv",
        "tracab_databallpy/metadata.json",
        "last_row/Real_vs_Barcelona_Calma.csv",
        NBA_SCENE,
    ];
    common::assert_not_sniffed(
        &[("sniff_csv", long::sniff_csv), ("sniff_json", long::sniff_json)],
        others.map(shared),
    );
    assert!(long::sniff_csv(
        p(),
        "\u{feff}# c\n\"frame\",\"time_s\",\"agent\",\"team\",\"x\",\"y\",\"observed\"\n"
    ));
    assert!(!long::sniff_csv(p(), "frame,time_s,agent,x,y\n"));
    assert!(long::sniff_json(p(), "{\n  \"version\": 1,\n  \"format\" : \"touchline\"}"));
    assert!(!long::sniff_json(p(), "{\"format\": \"kloppy\"}"));
    assert!(!long::sniff_json(p(), "[\"format\": \"touchline\"]"));

    // detect() + open() through files in a temp dir
    let dir = common::temp_dir("long_test");
    let d = small();
    let (c, j) = (dir.join("d.csv"), dir.join("d.json"));
    let mut buf = Vec::new();
    long::write_csv(&d, &mut buf).unwrap();
    std::fs::write(&c, &buf).unwrap();
    buf.clear();
    long::write_json(&d, &mut buf).unwrap();
    std::fs::write(&j, &buf).unwrap();
    assert_eq!(touchline_io::detect(&c).unwrap(), Format::LongCsv);
    assert_eq!(touchline_io::detect(&j).unwrap(), Format::Json);
    assert_same(&d, &touchline_io::open(&c, None).unwrap());
    assert_same(&d, &long::read_json(&j).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(matches!(long::read_csv(&c).unwrap_err(), IoError::Io { .. }));
}

// ---------------------------------------------------------------- random datasets

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    /// Any finite float: plain metres, awkward decimals or raw bit patterns.
    fn finite(&mut self) -> f64 {
        match self.below(4) {
            0 => (self.next() % 20_000) as f64 / 100.0 - 100.0,
            1 => [0.0, -0.0, 0.1, 1e-310, f64::MIN_POSITIVE, f64::MAX, -f64::MAX, 1.0 / 3.0][self.below(8)],
            _ => loop {
                let v = f64::from_bits(self.next());
                if v.is_finite() {
                    break v;
                }
            },
        }
    }
    fn positive(&mut self) -> f64 {
        loop {
            let v = self.finite().abs();
            if v > 0.0 {
                break v;
            }
        }
    }
}

const IDS: [&str; 8] = ["ball", "home_7", "a,b", "q\"uote", "ünï", " pad ", "#hash", "line\nbreak"];
const ROLES: [&str; 4] = ["GK", "CB, left", "\"x\"", "ß"];

fn random_data(seed: u64) -> TrackingData {
    let mut r = Rng(seed);
    let nf = 1 + r.below(7);
    let na = 1 + r.below(4);
    let agents: Vec<Agent> = (0..na)
        .map(|i| Agent {
            id: format!("{}{i}", IDS[r.below(IDS.len())]),
            team: Team::ALL[r.below(5)],
            jersey: r.chance(0.5).then(|| r.next() as u32),
            role: r.chance(0.5).then(|| ROLES[r.below(ROLES.len())].to_string()),
            name: r.chance(0.3).then(|| format!("N{}", r.next() % 100)),
        })
        .collect();
    let mut times = Vec::with_capacity(nf);
    let mut t = if r.chance(0.5) { r.finite() / 4.0 } else { 0.0 };
    for _ in 0..nf {
        times.push(t);
        let step = if r.chance(0.5) { 0.04 } else { r.positive().min(1e300) };
        let next = t + step;
        t = if next > t { next } else { t.next_up() };
    }
    let mut ids: Vec<i64> = Vec::with_capacity(nf);
    while ids.len() < nf {
        let id = if r.chance(0.5) { ids.len() as i64 * 3 - 5 } else { r.next() as i64 };
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let mut pos = Array3::from_elem((nf, na, 2), f64::NAN);
    let mut obs = Array2::from_elem((nf, na), false);
    let mut est = Array3::from_elem((nf, na, 2), f64::NAN);
    let with_est = r.chance(0.5);
    for f in 0..nf {
        for a in 0..na {
            if r.chance(0.6) {
                obs[[f, a]] = true;
                pos[[f, a, 0]] = r.finite();
                pos[[f, a, 1]] = r.finite();
            } else {
                if r.chance(0.5) {
                    // imputed
                    pos[[f, a, 0]] = r.finite();
                    pos[[f, a, 1]] = r.finite();
                }
                if with_est && r.chance(0.7) {
                    est[[f, a, 0]] = r.finite();
                    est[[f, a, 1]] = r.finite();
                }
            }
        }
    }
    // periods: segments that are periods (distinct increasing ids) or gaps
    let mut periods = Vec::new();
    let mut start = 0;
    let mut id = r.below(3) as u32;
    while start < nf {
        let end = (start + 1 + r.below(3)).min(nf);
        if periods.is_empty() || r.chance(0.7) {
            let dir = [None, Some(Direction::LeftToRight), Some(Direction::RightToLeft)][r.below(3)];
            periods.push(Period { id, start, end, home_direction: dir });
            id += 1 + r.below(2) as u32;
        }
        start = end;
    }
    let mut d = TrackingData::new(pos, obs, times, agents)
        .unwrap()
        .with_frame_ids(ids)
        .unwrap()
        .with_periods(periods)
        .unwrap();
    if r.chance(0.7) {
        d = d.with_frame_rate(r.positive()).unwrap();
    }
    if r.chance(0.5) {
        d = d.with_pitch(Pitch { length: r.positive(), width: r.positive() }).unwrap();
    }
    if with_est {
        d = d.with_provider_estimate(est).unwrap();
    }
    if r.chance(0.5) {
        let z: Vec<f64> = (0..nf).map(|_| if r.chance(0.7) { r.finite() } else { f64::NAN }).collect();
        d = d.with_ball_z(z).unwrap();
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_datasets_round_trip_through_csv(seed in any::<u64>()) {
        let d = random_data(seed);
        assert_same(&d, &csv_round_trip(&d));
    }

    #[test]
    fn random_datasets_round_trip_through_json(seed in any::<u64>()) {
        let d = random_data(seed);
        assert_same(&d, &json_round_trip(&d));
    }

    #[test]
    fn random_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = long::parse_csv(&b, p());
        let _ = long::parse_json(&b, p());
    }

    #[test]
    fn mutated_files_never_panic(
        seed in any::<u64>(),
        edits in proptest::collection::vec((0usize..1_000_000, any::<u8>(), 0u8..3), 1..8),
        cut in 0usize..1_000_000,
    ) {
        let d = random_data(seed);
        let mut c = Vec::new();
        long::write_csv(&d, &mut c).unwrap();
        let mut j = Vec::new();
        long::write_json(&d, &mut j).unwrap();
        for mut b in [c, j] {
            mutate_at(&mut b, &edits);
            let keep = cut % (b.len() + 1);
            for bytes in [&b[..], &b[..keep]] {
                let _ = long::parse_csv(bytes, p());
                let _ = long::parse_json(bytes, p());
            }
        }
    }
}
