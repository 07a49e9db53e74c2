//! Tests of the NBA SportVU (SocialVAE packaging) loader on the real scenes in
//! `shared/data/nba_socialvae/rebound/test`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use approx::assert_abs_diff_eq;
use proptest::prelude::*;
use touchline_core::{Period, Pitch, Team};
use touchline_io::{IoError, TrackingData, nba};

mod common;

use common::{mutate_at, unobserved};

/// The scenes, under `shared/data`.
const DIR: &str = "nba_socialvae/rebound/test";
const ATL_BOS: &str = "ATL_BOS_0021500389_3_314.96_312.36.txt";
const CLE_CHI: &str = "CLE_CHI_0021500002_4_93.75_89.07.txt";
const FT: f64 = 0.3048;

fn asset(name: &str) -> PathBuf {
    common::shared(&format!("{DIR}/{name}"))
}

fn bytes(name: &str) -> Vec<u8> {
    common::read(&asset(name))
}

fn mx(x_ft: f64) -> f64 {
    (x_ft - 47.0) * FT
}

fn my(y_ft: f64) -> f64 {
    (y_ft - 25.0) * FT
}

fn at(d: &TrackingData, frame: usize, id: &str) -> (f64, f64) {
    let a = d.agent_index(id).unwrap_or_else(|| panic!("no agent {id}"));
    (d.positions()[[frame, a, 0]], d.positions()[[frame, a, 1]])
}

/// Replaces line `n` (1-based) of the text.
fn with_line(text: &str, n: usize, new: &str) -> Vec<u8> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[n - 1] = new.to_string();
    lines.join("\n").into_bytes()
}

fn fake() -> &'static Path {
    Path::new("scene.txt")
}

#[test]
fn atl_bos_scene() {
    let d = nba::open(&asset(ATL_BOS)).unwrap();
    assert_eq!(d.n_frames(), 22);
    assert_eq!(d.n_agents(), 11);
    assert_eq!(d.team_indices(Team::Home).len(), 5);
    assert_eq!(d.team_indices(Team::Away).len(), 5);
    assert_eq!(d.team_indices(Team::Ball).len(), 1);
    assert_eq!(d.team_indices(Team::Unknown).len(), 0);
    let ids: Vec<&str> = d.agents().iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "ball",
            "nba_101135",
            "nba_202738",
            "nba_202340",
            "nba_203109",
            "nba_203096",
            "nba_2594",
            "nba_201143",
            "nba_200757",
            "nba_201168",
            "nba_201952"
        ]
    );
    // Boston (home): David Lee 101135, Isaiah Thomas 202738; Atlanta (away): Korver 2594, Teague 201952
    assert_eq!(d.agents()[1].team, Team::Home);
    assert_eq!(d.agents()[5].team, Team::Home);
    assert_eq!(d.agents()[6].team, Team::Away);
    assert_eq!(d.agents()[10].team, Team::Away);
    assert_eq!(d.frame_ids()[0], 0);
    assert_eq!(d.frame_ids()[1], 12);
    assert_eq!(d.frame_ids()[21], 252);
    assert_eq!(d.timestamps()[0], 0.0);
    assert_abs_diff_eq!(d.timestamps()[1], 0.12, epsilon = 1e-12);
    assert_abs_diff_eq!(d.timestamps()[21], 2.52, epsilon = 1e-12);
    assert_abs_diff_eq!(d.frame_rate(), 100.0 / 12.0, epsilon = 1e-12);
    assert_eq!(d.pitch(), Some(Pitch::NBA));
    assert_abs_diff_eq!(Pitch::NBA.length, 28.6512, epsilon = 1e-12);
    assert_abs_diff_eq!(Pitch::NBA.width, 15.24, epsilon = 1e-12);
    assert_eq!(d.periods(), &[Period::new(3, 0..22)]);
    assert_eq!(unobserved(&d), 0);
    assert!(d.provider_estimate().is_none());
    assert!(d.ball_z().is_none());

    // line 1: `0 -1 5.153240 26.648560 BALL`
    let (x, y) = at(&d, 0, "ball");
    assert_abs_diff_eq!(x, mx(5.153240), epsilon = 1e-9);
    assert_abs_diff_eq!(y, my(26.648560), epsilon = 1e-9);
    assert_abs_diff_eq!(x, -12.754_892_448, epsilon = 1e-9);
    assert_abs_diff_eq!(y, 0.502_481_088, epsilon = 1e-9);
    // line 2: `0 101135 6.623310 26.567480 PLAYER`
    let (x, y) = at(&d, 0, "nba_101135");
    assert_abs_diff_eq!(x, mx(6.623310), epsilon = 1e-9);
    assert_abs_diff_eq!(y, my(26.567480), epsilon = 1e-9);
    // line 13: `12 101135 6.009270 26.227990 PLAYER`
    let (x, y) = at(&d, 1, "nba_101135");
    assert_abs_diff_eq!(x, mx(6.009270), epsilon = 1e-9);
    assert_abs_diff_eq!(y, my(26.227990), epsilon = 1e-9);
    // last line: `252 201952 18.811570 12.186290 PLAYER`
    let (x, y) = at(&d, 21, "nba_201952");
    assert_abs_diff_eq!(x, mx(18.811570), epsilon = 1e-9);
    assert_abs_diff_eq!(y, my(12.186290), epsilon = 1e-9);
}

#[test]
fn cle_chi_opening_night() {
    let d = nba::open(&asset(CLE_CHI)).unwrap();
    assert_eq!(d.n_frames(), 40);
    assert_eq!(d.n_agents(), 11);
    assert_eq!(*d.frame_ids().last().unwrap(), 468);
    assert_abs_diff_eq!(d.timestamps()[39], 4.68, epsilon = 1e-12);
    assert_eq!(d.periods(), &[Period::new(4, 0..40)]);
    // Chicago at home: Gasol (2200), Rose (201565); Cleveland away: James (2544), Love (201567)
    let team = |id: &str| d.agents()[d.agent_index(id).unwrap()].team;
    assert_eq!(team("nba_2200"), Team::Home);
    assert_eq!(team("nba_201565"), Team::Home);
    assert_eq!(team("nba_2544"), Team::Away);
    assert_eq!(team("nba_201567"), Team::Away);
    // line 8: `0 2544 63.931800 9.558010 PLAYER`
    let (x, y) = at(&d, 0, "nba_2544");
    assert_abs_diff_eq!(x, mx(63.931800), epsilon = 1e-9);
    assert_abs_diff_eq!(y, my(9.558010), epsilon = 1e-9);
    // last frame: `468 -1 88.147760 23.768590 BALL`
    let (x, y) = at(&d, 39, "ball");
    assert_abs_diff_eq!(x, mx(88.147760), epsilon = 1e-9);
    assert_abs_diff_eq!(y, my(23.768590), epsilon = 1e-9);
    // SportVU oddity kept as is: Mirotic and Love share a position in the last frame
    assert_eq!(at(&d, 39, "nba_202703"), at(&d, 39, "nba_201567"));
}

#[test]
fn overtime_scene_period() {
    let d = nba::open(&asset("SAC_DAL_0021500523_6_118.87_116.47.txt")).unwrap();
    assert_eq!(d.n_frames(), 21);
    assert_eq!(d.periods(), &[Period::new(6, 0..21)]);
}

#[test]
fn scene_names() {
    let s = nba::parse_scene_name("GSW_MIL_0021500351_3_75.73_70.21.txt").unwrap();
    assert_eq!(s.away, "GSW");
    assert_eq!(s.home, "MIL");
    assert_eq!(s.game_id, "0021500351");
    assert_eq!(s.period, 3);
    assert_eq!(s.clock_start, 75.73);
    assert_eq!(s.clock_end, 70.21);
    assert!(nba::parse_scene_name("/x/y/BKN_ATL_0021500062_3_246.0_242.92").is_some());
    assert!(nba::parse_scene_name("scene.txt").is_none());
    assert!(nba::parse_scene_name("ATL_BOS_0021500389_0_1_0.txt").is_none());
    assert!(nba::parse_scene_name("ATL_BOS_0021500389_x_1_0.txt").is_none());
}

/// Every scene of the test split, and the team assignment checked across
/// scenes: a player id must always be on the same club (5 mid-season moves).
#[test]
fn whole_rebound_test_split() {
    let scenes = nba::load_dir(&common::shared(DIR)).unwrap();
    assert_eq!(scenes.len(), 938);
    assert_eq!(scenes[0].0, "ATL_BOS_0021500389_3_314.96_312.36");
    assert!(scenes.windows(2).all(|w| w[0].0 < w[1].0));
    let mut total = 0;
    let (mut min, mut max) = (usize::MAX, 0);
    let mut per_period: BTreeMap<u32, usize> = BTreeMap::new();
    let mut clubs: HashMap<String, HashSet<String>> = HashMap::new();
    let half_l = 47.0 * FT + 1e-9;
    let half_w = 25.0 * FT + 1e-9;
    for (name, d) in &scenes {
        let info = nba::parse_scene_name(name).unwrap();
        total += d.n_frames();
        min = min.min(d.n_frames());
        max = max.max(d.n_frames());
        assert_eq!(d.n_agents(), 11, "{name}");
        assert_eq!(d.team_indices(Team::Home).len(), 5, "{name}");
        assert_eq!(d.team_indices(Team::Away).len(), 5, "{name}");
        assert_eq!(unobserved(d), 0, "{name}");
        assert_eq!(d.frame_ids()[0], 0, "{name}");
        assert!(d.frame_ids().windows(2).all(|w| w[1] - w[0] == 12), "{name}");
        assert_abs_diff_eq!(d.frame_rate(), 100.0 / 12.0, epsilon = 1e-12);
        assert_eq!(d.periods().len(), 1);
        assert_eq!(d.periods()[0].id, info.period);
        *per_period.entry(info.period).or_default() += 1;
        // the scene's clock span covers its frames (0, 4 or 8 hundredths more)
        let last = *d.frame_ids().last().unwrap() as f64 / 100.0;
        let span = info.clock_start - info.clock_end;
        assert!(span - last > -1e-9 && span - last < 0.0801, "{name}: {span} vs {last}");
        for p in d.positions().outer_iter() {
            for xy in p.outer_iter() {
                assert!(xy[0].abs() <= half_l && xy[1].abs() <= half_w, "{name}");
            }
        }
        for a in d.agents() {
            let club = match a.team {
                Team::Home => &info.home,
                Team::Away => &info.away,
                _ => continue,
            };
            clubs.entry(a.id.clone()).or_default().insert(club.clone());
        }
    }
    assert_eq!(total, 22948);
    assert_eq!((min, max), (20, 47));
    assert_eq!(per_period, BTreeMap::from([(1, 261), (2, 233), (3, 218), (4, 223), (5, 2), (6, 1)]));
    assert_eq!(clubs.len(), 415);
    let mut moved: Vec<&str> = clubs.iter().filter(|(_, c)| c.len() > 1).map(|(id, _)| id.as_str()).collect();
    moved.sort();
    // Josh Smith, Mario Chalmers, Ryan Hollins, Ish Smith, Beno Udrih
    assert_eq!(moved, ["nba_200797", "nba_201596", "nba_202397", "nba_2746", "nba_2757"]);
}

#[test]
fn open_needs_the_scene_name_and_load_takes_the_period() {
    let dir = common::temp_dir("nba_test");
    let renamed = dir.join("renamed.txt");
    std::fs::write(&renamed, bytes(ATL_BOS)).unwrap();
    let err = nba::open(&renamed).unwrap_err();
    assert!(matches!(&err, IoError::MissingMetadata { path, .. } if path == &renamed), "{err}");
    let d = nba::load(&renamed, 3).unwrap();
    assert_eq!(d.n_frames(), 22);
    assert_eq!(d.periods()[0].id, 3);
    let err = nba::open(&dir.join("absent.txt")).unwrap_err();
    assert!(matches!(err, IoError::MissingMetadata { .. } | IoError::Io { .. }));
    let err = nba::load(&dir.join("absent.txt"), 1).unwrap_err();
    assert!(matches!(err, IoError::Io { .. }));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(matches!(nba::load_dir(&dir).unwrap_err(), IoError::Io { .. }));
}

fn parse_err(b: &[u8]) -> IoError {
    nba::parse(b, 3, fake()).expect_err("expected an error")
}

fn assert_parse_line(e: IoError, want: usize) {
    common::assert_parse_err(e, fake(), want);
}

#[test]
fn broken_variants() {
    let text = String::from_utf8(bytes(ATL_BOS)).unwrap();
    // parsing the bytes directly equals open()
    let d = nba::parse(text.as_bytes(), 3, fake()).unwrap();
    assert_eq!(d.n_frames(), 22);

    // truncated line
    assert_parse_line(parse_err(&with_line(&text, 5, "0 203109 5.648420")), 5);
    // truncated file in the middle of the last line
    let cut = &text.as_bytes()[..text.len() - 20];
    let e = nba::parse(cut, 3, fake());
    assert!(matches!(e, Err(IoError::Parse { line: 242, .. })), "{e:?}");
    // wrong field count
    assert_parse_line(parse_err(&with_line(&text, 3, "0 202738 28.417280 14.354850 PLAYER 7")), 3);
    // non-numeric fields
    assert_parse_line(parse_err(&with_line(&text, 7, "0 2594 abc 29.318330 PLAYER")), 7);
    assert_parse_line(parse_err(&with_line(&text, 2, "0.5 101135 6.623310 26.567480 PLAYER")), 2);
    assert_parse_line(parse_err(&with_line(&text, 4, "0 x1 21.694530 24.610710 PLAYER")), 4);
    // unknown group, ball with a player id, player with the ball id
    assert_parse_line(parse_err(&with_line(&text, 6, "0 203096 9.902560 16.731180 REFEREE")), 6);
    assert_parse_line(parse_err(&with_line(&text, 12, "12 7 5.280970 26.265030 BALL")), 12);
    assert_parse_line(parse_err(&with_line(&text, 13, "12 -1 6.009270 26.227990 PLAYER")), 13);
    // the same player twice in a frame
    assert_parse_line(parse_err(&with_line(&text, 3, "0 101135 28.417280 14.354850 PLAYER")), 3);
    // not UTF-8
    let mut b = with_line(&text, 9, "0 200757 17.400370 27.369260 PLAYER");
    let at = text.lines().take(8).map(|l| l.len() + 1).sum::<usize>();
    b[at] = 0xff;
    assert_parse_line(parse_err(&b), 9);
    // empty
    assert!(matches!(parse_err(b""), IoError::Empty { .. }));
    assert!(matches!(parse_err(b"\n  \n"), IoError::Empty { .. }));
    // non-monotonic time: frame 24 (lines 23-33) relabelled 6
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for l in &mut lines[22..33] {
        *l = l.replacen("24 ", "6 ", 1);
    }
    match parse_err(lines.join("\n").as_bytes()) {
        IoError::Frame { path, frame, .. } => {
            assert_eq!(path, fake());
            assert_eq!(frame, 6);
        }
        other => panic!("expected a frame error, got {other}"),
    }
    // a frame id that comes back
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for l in &mut lines[22..33] {
        *l = l.replacen("24 ", "0 ", 1);
    }
    assert!(matches!(parse_err(lines.join("\n").as_bytes()), IoError::Frame { frame: 0, .. }));
    // NaN and inf coordinates are missing, never observed
    for v in ["nan", "NaN", "inf", "-inf"] {
        let b = with_line(&text, 2, &format!("0 101135 {v} 26.567480 PLAYER"));
        let d = nba::parse(&b, 3, fake()).unwrap();
        assert_eq!(unobserved(&d), 1);
        let a = d.agent_index("nba_101135").unwrap();
        assert!(!d.observed()[[0, a]]);
        assert!(d.positions()[[0, a, 0]].is_nan());
    }
    // a missing player row is a missing entry
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.remove(14);
    let d = nba::parse(lines.join("\n").as_bytes(), 3, fake()).unwrap();
    assert_eq!(unobserved(&d), 1);
    // first frame without 10 players: teams unknown
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.remove(10);
    let d = nba::parse(lines.join("\n").as_bytes(), 3, fake()).unwrap();
    assert_eq!(d.team_indices(Team::Unknown).len(), 10);
}

#[test]
fn sniff_real_and_foreign_files() {
    let mut n = 0;
    for e in std::fs::read_dir(common::shared(DIR)).expect("missing test asset dir") {
        let p = e.unwrap().path();
        assert!(nba::sniff(&p, &common::head(&p)), "{p:?}");
        assert_eq!(touchline_io::detect(&p).unwrap(), touchline_io::Format::Nba, "{p:?}");
        n += 1;
    }
    assert_eq!(n, 938);
    let others = [
        "kloppy_samples/tracab/tracab_raw.dat",
        "kloppy_samples/statsperform/statsperform_tracking_ma25.txt",
        "kloppy_samples/metrica/epts_metrica_tracking.txt",
        "kloppy_samples/metrica/metrica_home.csv",
        "kloppy_samples/skillcorner/skillcorner_v3_raw_data.jsonl",
        "kloppy_samples/pff/pff_3812.jsonl",
        "tracab_databallpy/tracking_wide.csv",
        "nba_socialvae/SOURCE.txt",
    ];
    common::assert_not_sniffed(&[("nba", nba::sniff)], others.map(common::shared));
    assert!(!nba::sniff(fake(), ""));
    assert!(!nba::sniff(fake(), "frame,time_s,agent,team,x,y,observed\n0,0,ball,ball,1,2,1\n"));
    assert!(!nba::sniff(fake(), "0 -1 1.0 2.0 BALL\n0 5 1.0 2.0 REFEREE\n"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = nba::parse(&b, 1, fake());
    }

    #[test]
    fn random_lines_never_panic(lines in proptest::collection::vec(
        ("-?[0-9]{1,4}", "-?[0-9]{1,7}", "[-+0-9.einaf]{0,8}", "[-+0-9.einaf]{0,8}", "BALL|PLAYER|X"), 0..40)) {
        let text: String = lines.iter().map(|(a, b, c, d, e)| format!("{a} {b} {c} {d} {e}\n")).collect();
        let _ = nba::parse(text.as_bytes(), 1, fake());
    }

    #[test]
    fn mutated_real_file_never_panics(
        edits in proptest::collection::vec((0usize..1_000_000, any::<u8>(), 0u8..3), 1..8),
        cut in 0usize..1_000_000,
    ) {
        let mut b = bytes(ATL_BOS);
        mutate_at(&mut b, &edits);
        let keep = cut % (b.len() + 1);
        let _ = nba::parse(&b, 1, fake());
        let _ = nba::parse(&b[..keep], 1, fake());
    }
}
