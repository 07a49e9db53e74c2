//! NBA SportVU player tracking, as packaged by SocialVAE (Xu, Hayet,
//! Karamouzas, ECCV 2022; `data/nba/{rebound,score}/{train,test}/*.txt`).
//!
//! Format facts this loader relies on (checked on all 938 scenes of
//! `rebound/test`):
//!
//! - One scene per text file, one line per (frame, agent):
//!   `frame agent_id x y group`, whitespace-separated, `group` is `BALL` or
//!   `PLAYER`; the ball has `agent_id` `-1`, players their NBA player id.
//!   The last line may lack a newline.
//! - `frame` counts hundredths of a second of game clock since the start of
//!   the scene (`0, 12, 24, ...`): it increases while the game clock counts
//!   down, so time is `frame / 100` s and strictly increasing. Step 12 is
//!   0.12 s (8.33 Hz, every third 25 Hz SportVU moment). The frame rate is
//!   `100 / step` with the median step of the file (8.33 Hz when a file has
//!   one frame).
//! - Coordinates are in **feet** on a 94 x 50 ft court with the origin at a
//!   corner (`0 <= x <= 94`, `0 <= y <= 50`). Touchline's coordinates are
//!   `x' = (x - 47) * 0.3048`, `y' = (y - 25) * 0.3048` metres; the pitch is
//!   [`Pitch::NBA`]. No ball height: SocialVAE dropped SportVU's `z`.
//! - Every frame holds the ball and 10 players, always in the same order:
//!   ball, then the 5 **home** players, then the 5 **away** players
//!   (SportVU's moment order, kept by SocialVAE). The files do not say so;
//!   it was verified on the 938 test scenes: assigning slots 1-5 to the home
//!   team of the file name and 6-10 to the away team puts each of the 415
//!   player ids in one team only (5 exceptions are mid-season trades), and
//!   e.g. `CLE_CHI_0021500002` (opening night, Cleveland at Chicago) has
//!   Gasol, Rose and Butler in slots 1-5 and James and Love in 6-10. So when
//!   the first frame holds exactly 10 players they get [`Team::Home`] /
//!   [`Team::Away`] by slot; otherwise every player is [`Team::Unknown`].
//!   Jersey numbers and names are not in the files.
//! - No visibility flags: every recorded position is observed. A `NaN`/`inf`
//!   coordinate is treated as missing.
//! - The file name is `AWAY_HOME_GAMEID_QUARTER_CLOCKSTART_CLOCKEND`
//!   (`ATL_BOS_0021500389_3_314.96_312.36.txt`, see [`SceneInfo`]); the
//!   quarter (5, 6 = overtime) is the period. [`open`] needs it;
//!   [`load`] takes the period explicitly for renamed files.
//!
//! Agent ids are `nba_<player id>` and `ball`.
//!
//! ```
//! use touchline_io::nba;
//! use touchline_core::Team;
//!
//! let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"),
//!     "/../../../shared/data/nba_socialvae/rebound/test/CLE_CHI_0021500002_4_93.75_89.07.txt"));
//! let scene = nba::open(path)?;
//! assert_eq!(scene.n_agents(), 11);
//! assert_eq!(scene.team_indices(Team::Home).len(), 5);
//! assert_eq!(scene.agents()[1].id, "nba_2200"); // Pau Gasol, Chicago (home)
//! assert_eq!(scene.periods()[0].id, 4);
//! assert!((scene.frame_rate() - 100.0 / 12.0).abs() < 1e-12);
//! # Ok::<(), touchline_io::IoError>(())
//! ```

use std::collections::HashSet;
use std::path::Path;

use touchline_core::{Agent, AxisTransform, Pitch, Team, Unit};

use crate::{IoError, Result, TrackingBuilder, TrackingData, bytes_to_text, read_bytes};

/// Court length in feet.
pub const COURT_LENGTH_FT: f64 = 94.0;
/// Court width in feet.
pub const COURT_WIDTH_FT: f64 = 50.0;
/// The frame step of the SocialVAE packaging, in hundredths of a second.
pub const FRAME_STEP: i64 = 12;

/// What a scene's file name says: `AWAY_HOME_GAMEID_QUARTER_CLOCKSTART_CLOCKEND`.
#[derive(Debug, Clone, PartialEq)]
pub struct SceneInfo {
    /// Away team abbreviation (`ATL`).
    pub away: String,
    /// Home team abbreviation (`BOS`).
    pub home: String,
    /// NBA game id (`0021500389`).
    pub game_id: String,
    /// Quarter; 5 and above are overtimes.
    pub period: u32,
    /// Game clock (seconds left in the quarter) at the first frame.
    pub clock_start: f64,
    /// Game clock at the end of the scene.
    pub clock_end: f64,
}

/// Parses a scene file name (with or without `.txt`, directory ignored).
///
/// ```
/// let s = touchline_io::nba::parse_scene_name("ATL_BOS_0021500389_3_314.96_312.36.txt").unwrap();
/// assert_eq!((s.away.as_str(), s.home.as_str(), s.period), ("ATL", "BOS", 3));
/// assert_eq!(s.clock_start, 314.96);
/// ```
pub fn parse_scene_name(name: &str) -> Option<SceneInfo> {
    let base = Path::new(name).file_name()?.to_str()?;
    let stem = base.strip_suffix(".txt").unwrap_or(base);
    let parts: Vec<&str> = stem.split('_').collect();
    let [away, home, game_id, quarter, start, end] = parts.as_slice() else {
        return None;
    };
    let is_team = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
    if !is_team(away) || !is_team(home) || game_id.is_empty() || !game_id.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let period: u32 = quarter.parse().ok()?;
    let clock_start: f64 = start.parse().ok()?;
    let clock_end: f64 = end.parse().ok()?;
    if period == 0 || !clock_start.is_finite() || !clock_end.is_finite() {
        return None;
    }
    Some(SceneInfo {
        away: (*away).to_string(),
        home: (*home).to_string(),
        game_id: (*game_id).to_string(),
        period,
        clock_start,
        clock_end,
    })
}

/// The map from SportVU feet (corner origin) to Touchline metres (centre origin).
pub fn transform() -> AxisTransform {
    AxisTransform::corner_origin(Unit::Feet, COURT_LENGTH_FT, COURT_WIDTH_FT, false)
}

fn is_group(s: &str) -> bool {
    s.eq_ignore_ascii_case("BALL") || s.eq_ignore_ascii_case("PLAYER")
}

/// True if `head` looks like SocialVAE NBA scene text: every one of the first
/// (up to 20) non-empty lines has 5 whitespace-separated fields, two integers,
/// two numbers and `BALL` or `PLAYER`.
pub fn sniff(_path: &Path, head: &str) -> bool {
    let complete = if head.len() >= 8192 {
        // the last line of a full 8 KiB head may be cut
        match head.rfind('\n') {
            Some(i) => &head[..i],
            None => return false,
        }
    } else {
        head
    };
    let mut n = 0;
    for line in complete.lines().filter(|l| !l.trim().is_empty()).take(20) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let ok = f.len() == 5
            && f[0].parse::<i64>().is_ok()
            && f[1].parse::<i64>().is_ok()
            && f[2].parse::<f64>().is_ok()
            && f[3].parse::<f64>().is_ok()
            && is_group(f[4]);
        if !ok {
            return false;
        }
        n += 1;
    }
    n > 0
}

/// Loads one scene; the period comes from the file name
/// (`AWAY_HOME_GAMEID_QUARTER_CLOCKSTART_CLOCKEND.txt`).
pub fn open(path: &Path) -> Result<TrackingData> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let info = parse_scene_name(&name).ok_or_else(|| {
        IoError::missing(
            path,
            "the quarter: the file name is not AWAY_HOME_GAMEID_QUARTER_CLOCKSTART_CLOCKEND.txt \
             (use nba::load(path, period))",
        )
    })?;
    load(path, info.period)
}

/// Loads one scene with an explicit period id.
pub fn load(path: &Path, period: u32) -> Result<TrackingData> {
    let bytes = read_bytes(path)?;
    parse(&bytes, period, path)
}

/// Loads every `*.txt` scene in a directory, sorted by file name, as
/// `(file stem, data)`. Fails on the first scene that does not load; an
/// directory without scenes is [`IoError::Empty`].
pub fn load_dir(dir: &Path) -> Result<Vec<(String, TrackingData)>> {
    let entries = std::fs::read_dir(dir).map_err(|e| IoError::io(dir, e))?;
    let mut files = Vec::new();
    for e in entries {
        let e = e.map_err(|e| IoError::io(dir, e))?;
        let p = e.path();
        let is_txt = p.extension().is_some_and(|x| x.eq_ignore_ascii_case("txt"));
        if is_txt && p.is_file() {
            files.push(p);
        }
    }
    if files.is_empty() {
        return Err(IoError::Empty { path: dir.to_path_buf() });
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    files
        .into_iter()
        .map(|p| {
            let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            open(&p).map(|d| (stem, d))
        })
        .collect()
}

struct Row {
    line: usize,
    frame: i64,
    player: Option<i64>,
    x: f64,
    y: f64,
}

/// Parses scene text. `period` is the period id every frame gets; `path` only
/// names the file in errors.
pub fn parse(bytes: &[u8], period: u32, path: &Path) -> Result<TrackingData> {
    let text = bytes_to_text(bytes.to_vec(), path)?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let ln = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        let [frame, id, x, y, group] = f.as_slice() else {
            return Err(IoError::parse(
                path,
                ln,
                format!("expected 5 fields `frame agent_id x y group`, found {}", f.len()),
            ));
        };
        let frame: i64 = frame
            .parse()
            .map_err(|_| IoError::parse(path, ln, format!("frame `{frame}` is not an integer")))?;
        // keep frame / 100 exact enough to stay strictly increasing
        if frame.unsigned_abs() > 1 << 52 {
            return Err(IoError::parse(path, ln, format!("frame {frame} is out of range")));
        }
        let id: i64 =
            id.parse().map_err(|_| IoError::parse(path, ln, format!("agent id `{id}` is not an integer")))?;
        let x: f64 = x.parse().map_err(|_| IoError::parse(path, ln, format!("x `{x}` is not a number")))?;
        let y: f64 = y.parse().map_err(|_| IoError::parse(path, ln, format!("y `{y}` is not a number")))?;
        let player = if group.eq_ignore_ascii_case("BALL") {
            if id != -1 {
                return Err(IoError::parse(path, ln, format!("BALL row with agent id {id}, expected -1")));
            }
            None
        } else if group.eq_ignore_ascii_case("PLAYER") {
            if id == -1 {
                return Err(IoError::parse(path, ln, "PLAYER row with the ball's agent id -1"));
            }
            Some(id)
        } else {
            return Err(IoError::parse(path, ln, format!("group `{group}` is neither BALL nor PLAYER")));
        };
        rows.push(Row { line: ln, frame, player, x, y });
    }
    if rows.is_empty() {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }

    // Teams from the slot order of the first frame (ball, 5 home, 5 away).
    let first = rows[0].frame;
    let first_players: Vec<i64> =
        rows.iter().take_while(|r| r.frame == first).filter_map(|r| r.player).collect();
    let distinct: HashSet<i64> = first_players.iter().copied().collect();
    let slots_known = first_players.len() == 10 && distinct.len() == 10;
    let team_of = |id: i64| -> Team {
        if !slots_known {
            return Team::Unknown;
        }
        match first_players.iter().position(|&p| p == id) {
            Some(k) if k < 5 => Team::Home,
            Some(_) => Team::Away,
            None => Team::Unknown,
        }
    };

    let mut b = TrackingBuilder::new(path);
    let ball = b.agent(Agent::ball());
    let mut current: Option<i64> = None;
    let mut in_frame: HashSet<Option<i64>> = HashSet::new();
    let mut steps = Vec::new();
    for r in &rows {
        if current != Some(r.frame) {
            if let Some(prev) = current {
                steps.push(r.frame.saturating_sub(prev));
            }
            current = Some(r.frame);
            in_frame.clear();
            b.push_frame(r.frame, r.frame as f64 / 100.0, period);
        }
        if !in_frame.insert(r.player) {
            let who = r.player.map_or("the ball".to_string(), |p| format!("player {p}"));
            return Err(IoError::parse(path, r.line, format!("{who} appears twice in frame {}", r.frame)));
        }
        let a = match r.player {
            None => ball,
            Some(p) => b.agent(Agent::new(format!("nba_{p}"), team_of(p))),
        };
        b.observe(a, r.x, r.y);
    }
    steps.sort_unstable();
    let step = steps.get(steps.len() / 2).copied().filter(|&s| s > 0).unwrap_or(FRAME_STEP);
    b.frame_rate(100.0 / step as f64).pitch(Pitch::NBA).transform(transform()).finish()
}
