//! Metrica CSV and EPTS loaders against the kloppy sample files in
//! `../shared/data/kloppy_samples/metrica` and Metrica's full-size Sample Game 3
//! metadata in `../shared/data/metrica_events`.

use std::path::{Path, PathBuf};

use approx::assert_abs_diff_eq;
use proptest::prelude::*;
use touchline_core::{Direction, Pitch, Team, TrackingData};
use touchline_io::{Format, IoError, metrica};

const TOL: f64 = 1e-9;

mod common;

use common::shared as asset;
use common::{head, read as bytes, unobserved};

fn metrica_dir() -> PathBuf {
    asset("kloppy_samples/metrica")
}

fn text(p: &Path) -> String {
    String::from_utf8(bytes(p)).expect("test asset is UTF-8")
}

fn home_csv() -> PathBuf {
    metrica_dir().join("metrica_home.csv")
}
fn away_csv() -> PathBuf {
    metrica_dir().join("metrica_away.csv")
}
fn epts_txt() -> PathBuf {
    metrica_dir().join("epts_metrica_tracking.txt")
}
fn epts_empty_txt() -> PathBuf {
    metrica_dir().join("epts_metrica_tracking_with_empty_values.txt")
}
fn epts_xml() -> PathBuf {
    metrica_dir().join("epts_metrica_metadata.xml")
}

/// Position of an agent in a frame, asserting it is observed.
fn pos(d: &TrackingData, id: &str, frame: usize) -> [f64; 2] {
    let a = d.agent_index(id).unwrap_or_else(|| panic!("no agent {id}"));
    assert!(d.observed()[[frame, a]], "{id} not observed in frame index {frame}");
    [d.positions()[[frame, a, 0]], d.positions()[[frame, a, 1]]]
}

/// Equality that treats NaN as equal to NaN (`TrackingData`'s `==` does not).
fn assert_same(a: &TrackingData, b: &TrackingData) {
    let bits = |d: &TrackingData| d.positions().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(a), bits(b));
    assert_eq!(a.observed(), b.observed());
    assert_eq!(a.timestamps(), b.timestamps());
    assert_eq!(a.frame_ids(), b.frame_ids());
    assert_eq!(a.agents(), b.agents());
    assert_eq!(a.periods(), b.periods());
    assert_eq!(a.pitch(), b.pitch());
    assert_eq!(a.frame_rate(), b.frame_rate());
    assert_eq!(a.provider_estimate().is_some(), b.provider_estimate().is_some());
    assert_eq!(a.ball_z().is_some(), b.ball_z().is_some());
}

/// Replaces the 1-based line `n` of `text`.
fn with_line(text: &str, n: usize, f: impl Fn(&str) -> String) -> String {
    text.split('\n')
        .enumerate()
        .map(|(i, l)| if i + 1 == n { f(l) } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_line_of(e: &IoError) -> (PathBuf, usize) {
    match e {
        IoError::Parse { path, line, .. } => (path.clone(), *line),
        other => panic!("expected IoError::Parse, got {other:?}"),
    }
}

fn frame_of(e: &IoError) -> (PathBuf, i64) {
    match e {
        IoError::Frame { path, frame, .. } => (path.clone(), *frame),
        other => panic!("expected IoError::Frame, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// CSV: real files
// ---------------------------------------------------------------------------

fn check_real_csv(d: &TrackingData) {
    assert_eq!(d.n_frames(), 6);
    assert_eq!(d.team_indices(Team::Home).len(), 14);
    assert_eq!(d.team_indices(Team::Away).len(), 14);
    assert_eq!(d.team_indices(Team::Ball).len(), 1);
    assert_eq!(d.n_agents(), 29);
    assert_eq!(d.frame_rate(), 25.0);
    assert_eq!(d.pitch(), Some(Pitch { length: 105.0, width: 68.0 }));
    assert_eq!(d.frame_ids(), &[1, 2, 3, 145004, 145005, 145006]);
    let t = d.timestamps();
    for (got, want) in t.iter().zip([0.04, 0.08, 0.12, 5800.16, 5800.2, 5800.24]) {
        assert_abs_diff_eq!(*got, want, epsilon = TOL);
    }
    let periods: Vec<(u32, usize, usize)> = d.periods().iter().map(|p| (p.id, p.start, p.end)).collect();
    assert_eq!(periods, vec![(1, 0, 3), (2, 3, 6)]);
    assert!(d.periods().iter().all(|p| p.home_direction.is_none()));

    // home Player11 (jersey 11), frame 1: 0.00082, 0.48238
    let [x, y] = pos(d, "home_11", 0);
    assert_abs_diff_eq!(x, 0.00082 * 105.0 - 52.5, epsilon = TOL); // -52.4139
    assert_abs_diff_eq!(y, 34.0 - 0.48238 * 68.0, epsilon = TOL); // 1.19816
    assert_abs_diff_eq!(x, -52.4139, epsilon = TOL);
    assert_abs_diff_eq!(y, 1.19816, epsilon = TOL);
    // ball, frame 1 (home file's Ball columns): 0.45472, 0.38709
    let [x, y] = pos(d, "ball", 0);
    assert_abs_diff_eq!(x, -4.7544, epsilon = TOL);
    assert_abs_diff_eq!(y, 7.67788, epsilon = TOL);
    // away Player25 (jersey 25), frame 145006: 0.12564, 0.55386
    let [x, y] = pos(d, "away_25", 5);
    assert_abs_diff_eq!(x, -39.3078, epsilon = TOL);
    assert_abs_diff_eq!(y, -3.66248, epsilon = TOL);
    // home Player13 (jersey 13), frame 145006: 0.33563, 0.65166
    let [x, y] = pos(d, "home_13", 5);
    assert_abs_diff_eq!(x, 0.33563 * 105.0 - 52.5, epsilon = TOL);
    assert_abs_diff_eq!(y, 34.0 - 0.65166 * 68.0, epsilon = TOL);

    // NaN entries: 18 per team (subs in frames 1-3, off players in 145004-6) + the ball in 3 frames
    assert_eq!(unobserved(d), 39);
    let ball = d.ball_index().unwrap();
    assert_eq!(d.agent_observed(ball).to_vec(), vec![true, true, true, false, false, false]);
    let h1 = d.agent_index("home_1").unwrap();
    assert_eq!(d.agent_observed(h1).to_vec(), vec![true, true, true, false, false, false]);
    let h12 = d.agent_index("home_12").unwrap();
    assert_eq!(d.agent_observed(h12).to_vec(), vec![false, false, false, true, true, true]);
    assert!(d.provider_estimate().is_none());
    assert!(d.ball_z().is_none());
    let a = &d.agents()[d.agent_index("away_28").unwrap()];
    assert_eq!((a.team, a.jersey), (Team::Away, Some(28)));
    let a = &d.agents()[d.agent_index("home_11").unwrap()];
    assert_eq!((a.team, a.jersey), (Team::Home, Some(11)));
}

#[test]
fn csv_real_pair_from_either_file() {
    let from_home = metrica::open_csv(&home_csv()).unwrap();
    check_real_csv(&from_home);
    let from_away = metrica::open_csv(&away_csv()).unwrap();
    check_real_csv(&from_away);
    assert_same(&from_home, &from_away);
    let explicit = metrica::load_csv(&home_csv(), &away_csv(), metrica::DEFAULT_PITCH).unwrap();
    assert_same(&explicit, &from_home);
    let via_lib = touchline_io::open(&home_csv(), None).unwrap();
    assert_same(&via_lib, &from_home);
}

#[test]
fn csv_explicit_pitch() {
    let d = metrica::load_csv(&home_csv(), &away_csv(), Pitch { length: 100.0, width: 50.0 }).unwrap();
    assert_eq!(d.pitch(), Some(Pitch { length: 100.0, width: 50.0 }));
    let [x, y] = pos(&d, "home_11", 0);
    assert_abs_diff_eq!(x, -49.918, epsilon = TOL);
    assert_abs_diff_eq!(y, 0.881, epsilon = TOL);
    let via = metrica::open_csv_with_pitch(&away_csv(), Pitch { length: 100.0, width: 50.0 }).unwrap();
    assert_same(&via, &d);
    let bad = metrica::load_csv(&home_csv(), &away_csv(), Pitch { length: f64::NAN, width: 68.0 });
    assert!(matches!(bad, Err(IoError::Invalid { .. })), "{bad:?}");
}

#[test]
fn csv_team_parse() {
    let t = metrica::parse_csv_team(&bytes(&home_csv()), &home_csv()).unwrap();
    assert_eq!(t.team, Some(Team::Home));
    assert_eq!(t.players.len(), 14);
    let jerseys: Vec<u32> = t.players.iter().filter_map(|c| c.jersey).collect();
    assert_eq!(jerseys, vec![11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14]);
    assert_eq!(t.players[0].name, "Player11");
    assert_eq!(t.players[0].column, 3);
    assert_eq!(t.ball.as_ref().map(|b| b.column), Some(31));
    assert_eq!(t.rows.len(), 6);
    assert_eq!((t.rows[0].line, t.rows[5].line), (4, 9));
    let a = metrica::parse_csv_team(&bytes(&away_csv()), &away_csv()).unwrap();
    assert_eq!(a.team, Some(Team::Away));
    // both files carry the same ball
    for (h, a) in t.rows.iter().zip(&a.rows) {
        let (hb, ab) = (h.ball.unwrap(), a.ball.unwrap());
        assert!(hb[0].to_bits() == ab[0].to_bits() && hb[1].to_bits() == ab[1].to_bits());
    }
}

#[test]
fn csv_companion_names() {
    assert_eq!(metrica::csv_companion_names("metrica_home.csv"), vec!["metrica_away.csv"]);
    assert_eq!(metrica::csv_companion_names("metrica_away.csv"), vec!["metrica_home.csv"]);
    assert_eq!(
        metrica::csv_companion_names("Sample_Game_1_RawTrackingData_Home_Team.csv"),
        vec!["Sample_Game_1_RawTrackingData_Away_Team.csv"]
    );
    assert_eq!(
        metrica::csv_companion_names("Sample_Game_2_RawTrackingData_Away_Team.csv"),
        vec!["Sample_Game_2_RawTrackingData_Home_Team.csv"]
    );
    assert_eq!(metrica::csv_companion_names("GAME_HOME.csv"), vec!["GAME_AWAY.csv"]);
    assert_eq!(
        metrica::csv_companion_names("home_game_home.csv"),
        vec!["home_game_away.csv", "away_game_away.csv"]
    );
    assert!(metrica::csv_companion_names("tracking.csv").is_empty());
}

// ---------------------------------------------------------------------------
// CSV: broken variants
// ---------------------------------------------------------------------------

fn parse_pair(home: &str, away: &str) -> Result<TrackingData, IoError> {
    metrica::parse_csv(home.as_bytes(), &home_csv(), away.as_bytes(), &away_csv(), metrica::DEFAULT_PITCH)
}

#[test]
fn csv_broken_variants() {
    let h = text(&home_csv());
    let a = text(&away_csv());
    assert!(parse_pair(&h, &a).is_ok());

    // truncated last line (line 9)
    let cut = &h[..h.len() - 40];
    let e = parse_pair(cut, &a).unwrap_err();
    assert_eq!(parse_line_of(&e), (home_csv(), 9));

    // extra field on line 5
    let e = parse_pair(&with_line(&h, 5, |l| format!("{l},0.5")), &a).unwrap_err();
    assert_eq!(parse_line_of(&e), (home_csv(), 5));
    // missing field in the away file's line 6
    let e = parse_pair(&h, &with_line(&a, 6, |l| l.rsplit_once(',').unwrap().0.to_string())).unwrap_err();
    assert_eq!(parse_line_of(&e), (away_csv(), 6));

    // non-numeric coordinate, frame, period and time
    let e = parse_pair(&with_line(&h, 4, |l| l.replacen("0.32648", "abc", 1)), &a).unwrap_err();
    assert_eq!(parse_line_of(&e), (home_csv(), 4));
    assert!(e.to_string().contains("abc"), "{e}");
    let e = parse_pair(&with_line(&h, 7, |l| l.replacen("145004", "14x004", 1)), &a).unwrap_err();
    assert_eq!(parse_line_of(&e), (home_csv(), 7));
    let e = parse_pair(&h, &with_line(&a, 8, |l| l.replacen("2,", "two,", 1))).unwrap_err();
    assert_eq!(parse_line_of(&e), (away_csv(), 8));
    let e = parse_pair(&with_line(&h, 4, |l| l.replacen("0.04", "0.o4", 1)), &a).unwrap_err();
    assert_eq!(parse_line_of(&e), (home_csv(), 4));

    // bad header row
    let e = parse_pair(&with_line(&h, 3, |l| l.replacen("Period", "Half", 1)), &a).unwrap_err();
    assert_eq!(parse_line_of(&e), (home_csv(), 3));
    // header rows only, or a header cut short
    let first3: String = h.split('\n').take(3).collect::<Vec<_>>().join("\n");
    assert!(matches!(parse_pair(&first3, &a), Err(IoError::Empty { path }) if path == home_csv()));
    let first2: String = h.split('\n').take(2).collect::<Vec<_>>().join("\n");
    assert_eq!(parse_line_of(&parse_pair(&first2, &a).unwrap_err()), (home_csv(), 3));

    // empty files
    assert!(matches!(parse_pair("", &a), Err(IoError::Empty { path }) if path == home_csv()));
    assert!(matches!(parse_pair(&h, " \n\n"), Err(IoError::Empty { path }) if path == away_csv()));

    // non-monotonic time: frame 2 at 0.02 s in both files (line 5)
    let back = |t: &str| with_line(t, 5, |l| l.replacen(",0.08,", ",0.02,", 1));
    let e = parse_pair(&back(&h), &back(&a)).unwrap_err();
    assert_eq!(frame_of(&e), (home_csv(), 2));
    // duplicate frame: line 9 repeats line 8 in both files
    let dup = |t: &str| {
        let l8 = t.split('\n').nth(7).unwrap().to_string();
        with_line(t, 9, |_| l8.clone())
    };
    assert_eq!(frame_of(&parse_pair(&dup(&h), &dup(&a)).unwrap_err()), (home_csv(), 145005));

    // NaN time -> frame error; inf / NaN coordinates -> missing, not observed
    let nan_t = |t: &str| with_line(t, 6, |l| l.replacen(",0.12,", ",NaN,", 1));
    assert_eq!(frame_of(&parse_pair(&nan_t(&h), &nan_t(&a)).unwrap_err()), (home_csv(), 3));
    let d = parse_pair(&with_line(&h, 4, |l| l.replacen("0.00082,0.48238", "inf,0.48238", 1)), &a).unwrap();
    assert_eq!(unobserved(&d), 40);
    let k = d.agent_index("home_11").unwrap();
    assert!(!d.observed()[[0, k]] && d.positions()[[0, k, 0]].is_nan());
    let d = parse_pair(&with_line(&h, 4, |l| l.replacen("0.00082,0.48238", "-inf,NaN", 1)), &a).unwrap();
    assert_eq!(unobserved(&d), 40);
    // empty coordinate fields are missing too
    let d = parse_pair(&with_line(&h, 4, |l| l.replacen("0.00082,0.48238", ",", 1)), &a).unwrap();
    assert_eq!(unobserved(&d), 40);
}

#[test]
fn csv_home_away_must_agree() {
    let h = text(&home_csv());
    let a = text(&away_csv());
    // away frame number differs on line 8
    let e = parse_pair(&h, &with_line(&a, 8, |l| l.replacen("145005", "145007", 1))).unwrap_err();
    assert_eq!(frame_of(&e), (away_csv(), 145007));
    // away time differs on line 5
    let e = parse_pair(&h, &with_line(&a, 5, |l| l.replacen(",0.08,", ",0.09,", 1))).unwrap_err();
    assert_eq!(frame_of(&e), (away_csv(), 2));
    // away period differs on line 7
    let e = parse_pair(&h, &with_line(&a, 7, |l| l.replacen("2,145004", "3,145004", 1))).unwrap_err();
    assert_eq!(frame_of(&e), (away_csv(), 145004));
    // away lacks the last frame
    let short: String = a.split('\n').take(8).collect::<Vec<_>>().join("\n");
    assert_eq!(frame_of(&parse_pair(&h, &short).unwrap_err()), (away_csv(), 145006));
    // away has an extra frame
    let longer = format!("{a}\n2,145007,5800.28{}", ",NaN".repeat(30));
    assert_eq!(frame_of(&parse_pair(&h, &longer).unwrap_err()), (away_csv(), 145007));
    // files swapped
    let e = parse_pair(&a, &h).unwrap_err();
    assert_eq!(parse_line_of(&e), (home_csv(), 1));
}

#[test]
fn csv_missing_companion() {
    let dir = common::temp_dir("metrica_csv");
    let lone = dir.join("metrica_home.csv");
    std::fs::copy(home_csv(), &lone).unwrap();
    let e = metrica::open_csv(&lone).unwrap_err();
    match &e {
        IoError::MissingCompanion { path, looked_for, .. } => {
            assert_eq!(path, &lone);
            assert_eq!(looked_for, &vec![dir.join("metrica_away.csv")]);
        }
        other => panic!("expected MissingCompanion, got {other:?}"),
    }
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------------------
// EPTS: real files
// ---------------------------------------------------------------------------

fn sample_meta() -> metrica::EptsMeta {
    metrica::parse_epts_meta(&text(&epts_xml()), &epts_xml()).unwrap()
}

#[test]
fn epts_metadata_sample() {
    let m = sample_meta();
    assert_eq!(m.frame_rate, 25.0);
    assert_eq!(m.pitch, Pitch { length: 105.0, width: 68.0 });
    assert!(m.pitch_from_metadata);
    assert_eq!(m.players.len(), 22);
    assert_eq!(m.players.iter().filter(|p| p.team == Team::Home).count(), 11);
    assert_eq!(m.players.iter().filter(|p| p.team == Team::Away).count(), 11);
    assert_eq!(m.players[0].provider_id, "Track_1");
    assert_eq!(m.players[0].agent_id, "home_1");
    assert_eq!(m.players[0].name.as_deref(), Some("Track_1"));
    assert_eq!(m.players[0].role, None); // position_type "Unknown"
    assert_eq!(m.players[21].agent_id, "away_22");
    let periods: Vec<(u32, i64, i64)> =
        m.periods.iter().map(|p| (p.id, p.start_frame, p.end_frame)).collect();
    assert_eq!(periods, vec![(1, 450, 499), (2, 650, 699)]);
    assert_eq!(m.home_direction_first_half, Some(Direction::LeftToRight));
    assert_eq!(m.spec_frames(), vec![(1, 892)]);
    let order: Vec<String> = (1..=22).map(|i| format!("Track_{i}")).collect();
    assert_eq!(m.spec_players(0), order);
    assert!(m.spec_players(1).is_empty());
    assert_eq!((m.period_of(449), m.period_of(450), m.period_of(699), m.period_of(700)), (0, 1, 2, 0));
}

#[test]
fn epts_metadata_full_size_sample_game_3() {
    let p = asset("metrica_events/Sample_Game_3_metadata.xml");
    let m = metrica::parse_epts_meta(&text(&p), &p).unwrap();
    assert_eq!(m.frame_rate, 25.0);
    assert_eq!(m.pitch, Pitch { length: 105.0, width: 68.0 });
    assert_eq!(m.players.len(), 35);
    let periods: Vec<(u32, i64, i64)> =
        m.periods.iter().map(|p| (p.id, p.start_frame, p.end_frame)).collect();
    assert_eq!(periods, vec![(1, 1, 69661), (2, 69662, 143761)]);
    assert_eq!(m.home_direction_first_half, Some(Direction::RightToLeft));
    let frames = m.spec_frames();
    assert_eq!(frames.len(), 11);
    assert_eq!(frames[0], (1, 69661));
    assert_eq!(frames[1], (69662, 89697));
    assert_eq!(frames[10], (129832, 143761));
    // the first layout lists player1..player11 then player18..player28: read from the XML
    let first = m.spec_players(0);
    assert_eq!(first.len(), 22);
    assert_eq!(first[0], "P3578"); // player1_x
    assert_eq!(first[10], "P3577"); // player11_x
    assert_eq!(first[11], "P3595"); // player18_x
    let gk = m.players.iter().find(|p| p.provider_id == "P3578").unwrap();
    assert_eq!(gk.agent_id, "home_11");
    assert_eq!(gk.jersey, Some(11));
    assert_eq!(gk.name.as_deref(), Some("Player 11"));
    assert_eq!(gk.role.as_deref(), Some("Goalkeeper"));
    let p28 = m.players.iter().find(|p| p.provider_id == "P3595").unwrap();
    assert_eq!((p28.agent_id.as_str(), p28.team), ("away_28", Team::Away));
}

fn check_real_epts(d: &TrackingData, missing: usize) {
    assert_eq!(d.n_frames(), 100);
    // Track_9, Track_11 (home) and Track_22 (away) are NaN throughout: dropped
    assert_eq!(d.team_indices(Team::Home).len(), 9);
    assert_eq!(d.team_indices(Team::Away).len(), 10);
    assert_eq!(d.team_indices(Team::Ball).len(), 1);
    assert_eq!(d.n_agents(), 20);
    assert!(d.agent_index("home_9").is_none() && d.agent_index("home_11").is_none());
    assert!(d.agent_index("away_22").is_none());
    assert_eq!(d.frame_rate(), 25.0);
    assert_eq!(d.pitch(), Some(Pitch { length: 105.0, width: 68.0 }));
    let ids = d.frame_ids();
    assert_eq!((ids[0], ids[49], ids[50], ids[99]), (450, 499, 650, 699));
    let t = d.timestamps();
    assert_abs_diff_eq!(t[0], 18.0, epsilon = TOL);
    assert_abs_diff_eq!(t[49], 19.96, epsilon = TOL);
    assert_abs_diff_eq!(t[50], 26.0, epsilon = TOL);
    assert_abs_diff_eq!(t[99], 27.96, epsilon = TOL);
    let periods: Vec<_> = d.periods().iter().map(|p| (p.id, p.start, p.end, p.home_direction)).collect();
    assert_eq!(
        periods,
        vec![(1, 0, 50, Some(Direction::LeftToRight)), (2, 50, 100, Some(Direction::RightToLeft))]
    );
    // ball, frame 450: 0.52867, 0.70690; frame 699: 0.68573, 0.76911
    let [x, y] = pos(d, "ball", 0);
    assert_abs_diff_eq!(x, 3.01035, epsilon = TOL);
    assert_abs_diff_eq!(y, -14.0692, epsilon = TOL);
    let [x, y] = pos(d, "ball", 99);
    assert_abs_diff_eq!(x, 19.50165, epsilon = TOL);
    assert_abs_diff_eq!(y, -18.29948, epsilon = TOL);
    // Track_2 (home_2), frame 450: 0.48496, 0.73308
    let [x, y] = pos(d, "home_2", 0);
    assert_abs_diff_eq!(x, 0.48496 * 105.0 - 52.5, epsilon = TOL);
    assert_abs_diff_eq!(y, 34.0 - 0.73308 * 68.0, epsilon = TOL);
    // Track_21 (away_21), frame 450: 0.39631, 0.77277
    let [x, y] = pos(d, "away_21", 0);
    assert_abs_diff_eq!(x, 0.39631 * 105.0 - 52.5, epsilon = TOL);
    assert_abs_diff_eq!(y, 34.0 - 0.77277 * 68.0, epsilon = TOL);
    assert_eq!(unobserved(d), missing);
    assert!(d.provider_estimate().is_none());
    assert!(d.ball_z().is_none()); // the ball's third channel is speed, not height
    let a = &d.agents()[d.agent_index("home_1").unwrap()];
    assert_eq!((a.jersey, a.name.as_deref(), a.role.as_deref()), (Some(1), Some("Track_1"), None));
}

#[test]
fn epts_real_file() {
    let d = metrica::open_epts(&epts_txt()).unwrap();
    check_real_epts(&d, 0);
    // Track_1 (home_1), frame 450: 0.30602, 0.97029
    let [x, y] = pos(&d, "home_1", 0);
    assert_abs_diff_eq!(x, -20.3679, epsilon = TOL);
    assert_abs_diff_eq!(y, -31.97972, epsilon = TOL);
    assert_same(&metrica::load_epts(&epts_txt(), &epts_xml()).unwrap(), &d);
    assert_same(&touchline_io::open(&epts_txt(), None).unwrap(), &d);
}

#[test]
fn epts_real_file_with_empty_values() {
    let d = metrica::open_epts(&epts_empty_txt()).unwrap();
    // Track_1's three fields are empty in frames 450-452
    check_real_epts(&d, 3);
    let k = d.agent_index("home_1").unwrap();
    let obs = d.agent_observed(k).to_vec();
    assert_eq!(&obs[..4], &[false, false, false, true]);
    assert_eq!(obs.iter().filter(|&&o| !o).count(), 3);
    assert!(d.positions()[[0, k, 0]].is_nan());
    let full = metrica::open_epts(&epts_txt()).unwrap();
    assert_eq!(full.positions()[[3, k, 0]].to_bits(), d.positions()[[3, k, 0]].to_bits());
}

#[test]
fn epts_layout_is_read_from_the_xml() {
    // swap player1 and player2 in the line layout: the first group is now Track_2
    let xml = text(&epts_xml())
        .replace("playerChannelId=\"player1_", "playerChannelId=\"TMP_")
        .replace("playerChannelId=\"player2_", "playerChannelId=\"player1_")
        .replace("playerChannelId=\"TMP_", "playerChannelId=\"player2_");
    let m = metrica::parse_epts_meta(&xml, &epts_xml()).unwrap();
    assert_eq!(&m.spec_players(0)[..3], &["Track_2", "Track_1", "Track_3"]);
    let d = metrica::parse_epts(&bytes(&epts_txt()), &m, &epts_txt()).unwrap();
    let [x, y] = pos(&d, "home_2", 0);
    assert_abs_diff_eq!(x, -20.3679, epsilon = TOL);
    assert_abs_diff_eq!(y, -31.97972, epsilon = TOL);

    // a ball height channel in metres is read into ball_z; speed is not
    let xml = text(&epts_xml())
        .replace("<Channel id=\"s\">", "<Channel id=\"z\"><Unit>m</Unit></Channel><Channel id=\"s\">")
        .replace("<BallChannelRef channelId=\"s\"/>", "<BallChannelRef channelId=\"z\"/>");
    let m = metrica::parse_epts_meta(&xml, &epts_xml()).unwrap();
    let raw = text(&epts_txt()).replacen("0.52867,0.70690,NaN", "0.52867,0.70690,1.25", 1);
    let d = metrica::parse_epts(raw.as_bytes(), &m, &epts_txt()).unwrap();
    let z = d.ball_z().unwrap();
    assert_eq!(z[0], 1.25);
    assert!(z[1].is_nan());

    // a layout without the speed channel no longer matches the 4-field groups
    let xml = text(&epts_xml()).replace("<PlayerChannelRef playerChannelId=\"player1_speed\"/>", "");
    let m = metrica::parse_epts_meta(&xml, &epts_xml()).unwrap();
    let e = metrica::parse_epts(&bytes(&epts_txt()), &m, &epts_txt()).unwrap_err();
    assert_eq!(parse_line_of(&e), (epts_txt(), 1));
}

#[test]
fn epts_metadata_names() {
    let names = metrica::epts_metadata_names(&epts_empty_txt());
    assert_eq!(names[0], "epts_metrica_metadata_with_empty_values.xml");
    assert!(names.contains(&"epts_metrica_metadata.xml".to_string()));
    assert_eq!(names.last().map(String::as_str), Some("metadata.xml"));
    let names = metrica::epts_metadata_names(Path::new("/nonexistent/Sample_Game_3_tracking.txt"));
    assert_eq!(names[0], "Sample_Game_3_metadata.xml");
}

// ---------------------------------------------------------------------------
// EPTS: broken variants
// ---------------------------------------------------------------------------

fn parse_epts_str(raw: &str) -> Result<TrackingData, IoError> {
    metrica::parse_epts(raw.as_bytes(), &sample_meta(), &epts_txt())
}

#[test]
fn epts_broken_variants() {
    let t = text(&epts_txt());
    assert!(parse_epts_str(&t).is_ok());

    // truncated line 3 (cut inside the player groups)
    let e = parse_epts_str(&with_line(&t, 3, |l| l[..l.len() / 2].to_string())).unwrap_err();
    assert_eq!(parse_line_of(&e), (epts_txt(), 3));
    // truncated file: the last line cut
    let e = parse_epts_str(&t[..t.len() - 30]).unwrap_err();
    assert_eq!(parse_line_of(&e), (epts_txt(), 100));
    // one player group too many on line 2
    let e = parse_epts_str(&with_line(&t, 2, |l| l.replacen(":", ":0.1,0.2,3,4;", 1))).unwrap_err();
    assert_eq!(parse_line_of(&e), (epts_txt(), 2));
    // a field too many inside a group on line 4
    let e = parse_epts_str(&with_line(&t, 4, |l| l.replacen(";", ",9;", 1))).unwrap_err();
    assert_eq!(parse_line_of(&e), (epts_txt(), 4));
    // no ball part on line 5
    let e = parse_epts_str(&with_line(&t, 5, |l| l.rsplit_once(':').unwrap().0.to_string())).unwrap_err();
    assert_eq!(parse_line_of(&e), (epts_txt(), 5));
    // non-numeric x on line 1 and ball y on line 7
    let e = parse_epts_str(&with_line(&t, 1, |l| l.replacen("0.30602", "x0.3", 1))).unwrap_err();
    assert_eq!(parse_line_of(&e), (epts_txt(), 1));
    assert!(e.to_string().contains("Track_1"), "{e}");
    let e = parse_epts_str(&with_line(&t, 7, |l| {
        let (a, _) = l.rsplit_once(':').unwrap();
        format!("{a}:0.5,zero,NaN")
    }))
    .unwrap_err();
    assert_eq!(parse_line_of(&e), (epts_txt(), 7));
    // non-numeric frame number on line 6
    let e = parse_epts_str(&with_line(&t, 6, |l| l.replacen("455:", "45S:", 1))).unwrap_err();
    assert_eq!(parse_line_of(&e), (epts_txt(), 6));
    // frame outside the specification's frames 1-892
    let e = parse_epts_str(&with_line(&t, 100, |l| l.replacen("699:", "900:", 1))).unwrap_err();
    assert_eq!(frame_of(&e), (epts_txt(), 900));

    // empty files
    assert!(matches!(parse_epts_str(""), Err(IoError::Empty { path }) if path == epts_txt()));
    assert!(matches!(parse_epts_str("\n\r\n"), Err(IoError::Empty { .. })));

    // non-monotonic time: lines 2 and 3 swapped -> frame 451 after 452
    let mut lines: Vec<&str> = t.split('\n').collect();
    lines.swap(1, 2);
    assert_eq!(frame_of(&parse_epts_str(&lines.join("\n")).unwrap_err()), (epts_txt(), 451));
    // a repeated frame
    let mut lines: Vec<&str> = t.split('\n').collect();
    lines[10] = lines[9];
    assert_eq!(frame_of(&parse_epts_str(&lines.join("\n")).unwrap_err()), (epts_txt(), 459));

    // NaN / inf coordinates: missing, not observed
    let d = parse_epts_str(&with_line(&t, 1, |l| l.replacen("0.30602,0.97029", "inf,0.97029", 1))).unwrap();
    assert_eq!(unobserved(&d), 1);
    let k = d.agent_index("home_1").unwrap();
    assert!(!d.observed()[[0, k]]);
    let d = parse_epts_str(&with_line(&t, 2, |l| l.replacen("0.53211,0.70877", "NaN,-inf", 1))).unwrap();
    let b = d.ball_index().unwrap();
    assert!(!d.observed()[[1, b]] && d.observed()[[0, b]]);
    // Windows line ends are fine
    let crlf = t.replace('\n', "\r\n");
    assert_same(&parse_epts_str(&crlf).unwrap(), &parse_epts_str(&t).unwrap());
}

#[test]
fn epts_broken_metadata() {
    let xml = text(&epts_xml());
    let p = epts_xml();
    let meta = |s: &str| metrica::parse_epts_meta(s, &p);

    // truncated XML; a mismatched closing tag on line 9
    let e = meta(&xml[..xml.len() / 2]).unwrap_err();
    assert_eq!(parse_line_of(&e).0, p);
    let e = meta(&xml.replace("</FrameRate>", "</FrameRat>")).unwrap_err();
    assert_eq!(parse_line_of(&e), (p.clone(), 9));
    // empty
    assert!(matches!(meta(""), Err(IoError::Empty { .. })));
    // no frame rate
    let e = meta(&xml.replace("<FrameRate>25.0</FrameRate>", "")).unwrap_err();
    assert!(
        matches!(&e, IoError::MissingMetadata { path, what } if path == &p && what.contains("FrameRate")),
        "{e:?}"
    );
    // non-numeric frame rate: line 9 of the XML
    let e = meta(&xml.replace("<FrameRate>25.0</FrameRate>", "<FrameRate>fast</FrameRate>")).unwrap_err();
    assert_eq!(parse_line_of(&e), (p.clone(), 9));
    // no data format specification
    let start = xml.find("<DataFormatSpecifications>").unwrap();
    let end = xml.find("</DataFormatSpecifications>").unwrap() + "</DataFormatSpecifications>".len();
    let cut = format!("{}{}", &xml[..start], &xml[end..]);
    assert!(matches!(meta(&cut), Err(IoError::MissingMetadata { .. })));
    // a reference to an undeclared player channel: named with its line (line 720)
    let e = meta(&xml.replacen("playerChannelId=\"player1_x\"", "playerChannelId=\"player99_x\"", 1))
        .unwrap_err();
    assert_eq!(parse_line_of(&e), (p.clone(), 720));
    // non-numeric period start (line 13)
    let e = meta(&xml.replacen("<Value>450</Value>", "<Value>4x0</Value>", 1)).unwrap_err();
    assert_eq!(parse_line_of(&e), (p.clone(), 13));
    // positions in an unsupported unit
    let e = meta(&xml.replacen("<Unit>normalized</Unit>", "<Unit>cm</Unit>", 1)).unwrap_err();
    assert!(matches!(e, IoError::Parse { line, .. } if line > 0));
    // no FieldSize: 105 x 68 assumed
    let start = xml.find("<FieldSize>").unwrap();
    let end = xml.find("</FieldSize>").unwrap() + "</FieldSize>".len();
    let m = meta(&format!("{}{}", &xml[..start], &xml[end..])).unwrap();
    assert_eq!(m.pitch, metrica::DEFAULT_PITCH);
    assert!(!m.pitch_from_metadata);
}

#[test]
fn epts_missing_metadata_file() {
    let dir = common::temp_dir("metrica_epts");
    let lone = dir.join("epts_metrica_tracking.txt");
    std::fs::copy(epts_txt(), &lone).unwrap();
    let e = metrica::open_epts(&lone).unwrap_err();
    match &e {
        IoError::MissingCompanion { path, looked_for, .. } => {
            assert_eq!(path, &lone);
            assert!(looked_for.contains(&dir.join("epts_metrica_metadata.xml")));
            assert!(looked_for.contains(&dir.join("metadata.xml")));
        }
        other => panic!("expected MissingCompanion, got {other:?}"),
    }
    // a plain metadata.xml next to it is found
    std::fs::copy(epts_xml(), dir.join("metadata.xml")).unwrap();
    assert_eq!(metrica::open_epts(&lone).unwrap().n_frames(), 100);
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------------------
// sniffing
// ---------------------------------------------------------------------------

#[test]
fn sniffing() {
    for p in [home_csv(), away_csv()] {
        assert!(metrica::sniff_csv(&p, &head(&p)), "{p:?}");
        assert!(!metrica::sniff_epts(&p, &head(&p)), "{p:?}");
        assert_eq!(touchline_io::detect(&p).unwrap(), Format::MetricaCsv);
    }
    for p in [epts_txt(), epts_empty_txt()] {
        assert!(metrica::sniff_epts(&p, &head(&p)), "{p:?}");
        assert!(!metrica::sniff_csv(&p, &head(&p)), "{p:?}");
        assert_eq!(touchline_io::detect(&p).unwrap(), Format::MetricaEpts);
    }
    let others = [
        "kloppy_samples/tracab/tracab_raw.dat",
        "kloppy_samples/tracab/tracab_meta.xml",
        "kloppy_samples/statsperform/statsperform_tracking_ma25.txt",
        "kloppy_samples/skillcorner/skillcorner_v3_raw_data.jsonl",
        "kloppy_samples/sportec_dfl/sportec_positional.xml",
        "kloppy_samples/pff/pff_10517.jsonl",
        "kloppy_samples/metrica/epts_metrica_metadata.xml",
        "tracab_databallpy/tracking_wide.csv",
        "last_row/liverpool_2019_passes.csv",
        "metrica_events/Sample_Game_1_RawEventsData.csv",
        "nba_socialvae/rebound/test/LAL_ATL_0021500286_1_365.53_363.05.txt",
    ];
    common::assert_not_sniffed(
        &[("sniff_csv", metrica::sniff_csv), ("sniff_epts", metrica::sniff_epts)],
        others.map(asset),
    );
}

// ---------------------------------------------------------------------------
// bounded fuzzing: never panic
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize, usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), prop::sample::select(b"0123456789.,;:-+eNaN \n\r<>/\"=x".to_vec()))
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Edit::Delete(i, n)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn mutate(mut data: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = data.len().max(1);
        match *e {
            Edit::Flip(i, b) => {
                if !data.is_empty() {
                    data[i % n] ^= b | 1;
                }
            }
            Edit::Insert(i, b) => data.insert(i % (data.len() + 1), b),
            Edit::Delete(i, k) => {
                if !data.is_empty() {
                    let s = i % n;
                    let e = (s + k).min(data.len());
                    data.drain(s..e);
                }
            }
            Edit::Truncate(i) => data.truncate(i % (data.len() + 1)),
        }
    }
    data
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_csv_random_bytes(home in prop::collection::vec(any::<u8>(), 0..512)) {
        let away = bytes(&away_csv());
        let _ = metrica::parse_csv(&home, &home_csv(), &away, &away_csv(), metrica::DEFAULT_PITCH);
        let _ = metrica::parse_csv_team(&home, &home_csv());
        let h = String::from_utf8_lossy(&home);
        let _ = metrica::sniff_csv(&home_csv(), &h);
        let _ = metrica::sniff_epts(&epts_txt(), &h);
    }

    #[test]
    fn fuzz_csv_mutated(edits in prop::collection::vec(edit(), 1..8), which in any::<bool>()) {
        let (mut h, mut a) = (bytes(&home_csv()), bytes(&away_csv()));
        if which { h = mutate(h, &edits) } else { a = mutate(a, &edits) }
        let _ = metrica::parse_csv(&h, &home_csv(), &a, &away_csv(), metrica::DEFAULT_PITCH);
    }

    #[test]
    fn fuzz_epts_random_bytes(raw in prop::collection::vec(any::<u8>(), 0..512)) {
        let m = sample_meta();
        let _ = metrica::parse_epts(&raw, &m, &epts_txt());
        let _ = metrica::parse_epts_meta(&String::from_utf8_lossy(&raw), &epts_xml());
    }

    #[test]
    fn fuzz_epts_mutated(edits in prop::collection::vec(edit(), 1..8)) {
        let m = sample_meta();
        let raw = mutate(bytes(&epts_empty_txt()), &edits);
        let _ = metrica::parse_epts(&raw, &m, &epts_txt());
    }

    #[test]
    fn fuzz_epts_meta_mutated(edits in prop::collection::vec(edit(), 1..6)) {
        let xml = mutate(bytes(&epts_xml()), &edits);
        let xml = String::from_utf8_lossy(&xml);
        if let Ok(m) = metrica::parse_epts_meta(&xml, &epts_xml()) {
            let _ = metrica::parse_epts(&bytes(&epts_txt()), &m, &epts_txt());
        }
    }
}
