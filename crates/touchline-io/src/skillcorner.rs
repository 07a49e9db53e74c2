//! SkillCorner v3 tracking: JSONL frames plus the match JSON (lineups).
//!
//! Format facts this loader relies on:
//! - One JSON object per line: `frame` (integer frame counter at 10 fps,
//!   continuous over the whole recording), `timestamp` (the match clock as a
//!   string `"HH:MM:SS.ff"`, which restarts at `45:00` in period 2, or `null`),
//!   `period` (`1`, `2`, ... or `null`), `ball_data` `{x, y, z, is_detected}`
//!   and `player_data` `[{player_id, x, y, is_detected}, ...]`.
//! - Coordinates are metres with the origin at the pitch centre, `x` along the
//!   length and `y` towards the left touchline of a team attacking `+x`
//!   (Touchline's convention already: no flip). Ball `z` is metres.
//! - `is_detected: false` (or `null`) marks a position SkillCorner extrapolated
//!   (the player was off camera): it goes to the provider-estimate layer, not
//!   to the observed mask. A record without the key counts as observed.
//!   `null` coordinates are missing.
//! - `player_id` is the `id` of an entry in the match JSON's `players`
//!   (`team_id`, `number`, `player_role.acronym`, names); `home_team.id` tells
//!   which team is home; `pitch_length`/`pitch_width` give the pitch;
//!   `home_team_side` (`["left_to_right", "right_to_left"]`) gives the way
//!   home attacks per period.
//!
//! Choices:
//! - Time is `frame / 10` s. The provider timestamp is a match clock that
//!   goes back to 45:00 at the start of period 2, so it is not monotonic over
//!   a match; it is only checked for well-formedness.
//! - Frames whose `period` is `null` (before kick-off, after the final
//!   whistle; they carry no positions in the sample) are skipped.
//! - Agent ids are `home_<number>`/`away_<number>` when numbers are unique in
//!   the team's squad, else the SkillCorner player id; ids missing from the
//!   match JSON keep their numeric id with team `Unknown`. The frame rate
//!   is 10 Hz (SkillCorner's documented rate; the match JSON has none).
//!
//! Bare `NaN`/`Infinity` tokens (as Python's `json` writes them) are read as
//! missing values.
//!
//! ```
//! use std::path::Path;
//! use touchline_core::Team;
//! let path = Path::new(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/../../../shared/data/kloppy_samples/skillcorner/skillcorner_v3_raw_data.jsonl"
//! ));
//! let data = touchline_io::skillcorner::open(path)?;
//! assert_eq!(data.n_frames(), 27); // 17 frames without a period skipped
//! assert_eq!(data.frame_rate(), 10.0);
//! assert_eq!(data.team_indices(Team::Home).len(), 16);
//! # Ok::<(), touchline_io::IoError>(())
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use touchline_core::{Agent, Direction, Pitch, Team};

use crate::json::{json_file, json_line, kind, opt_bool, opt_f64, opt_i64};
use crate::{IoError, Result, TrackingBuilder, TrackingData, find_companion, read_bytes};

/// SkillCorner's tracking rate in frames per second.
pub const FRAME_RATE: f64 = 10.0;

/// One player of the match JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerMeta {
    /// SkillCorner player id (`player_id` in the frames).
    pub id: i64,
    /// Home or away (`Unknown` if the team id matches neither).
    pub team: Team,
    /// Shirt number.
    pub jersey: Option<u32>,
    /// Role acronym (`GK`, `LCB`, `SUB`, ...).
    pub role: Option<String>,
    /// Display name.
    pub name: Option<String>,
}

/// What the match JSON tells the loader.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// Squad players of both teams.
    pub players: Vec<PlayerMeta>,
    /// Referee ids (tracked as officials if they ever appear in the frames).
    pub referees: Vec<i64>,
    /// Pitch size in metres.
    pub pitch: Option<Pitch>,
    /// Way home attacks in period `i + 1`.
    pub home_directions: Vec<Option<Direction>>,
    /// Frames per second.
    pub frame_rate: f64,
}

impl Default for Meta {
    /// No lineup (every player keeps its numeric id, team `Unknown`), 10 Hz.
    fn default() -> Self {
        Meta {
            players: Vec::new(),
            referees: Vec::new(),
            pitch: None,
            home_directions: Vec::new(),
            frame_rate: FRAME_RATE,
        }
    }
}

/// Seconds from a clock string `HH:MM:SS.ff`, `MM:SS.ff` or `SS.ff`.
fn parse_clock(s: &str) -> Option<f64> {
    let mut total = 0.0;
    let parts: Vec<&str> = s.trim().split(':').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    for p in &parts {
        let v: f64 = p.trim().parse().ok()?;
        if !v.is_finite() || v < 0.0 {
            return None;
        }
        total = total * 60.0 + v;
    }
    Some(total)
}

fn id_string(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

impl Meta {
    /// Parses the match JSON (`<id>_match.json`, kloppy's `skillcorner_meta_data.json`);
    /// `path` is only used in errors.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Meta> {
        let root = json_file(bytes, path)?;
        let Value::Object(root) = root else {
            return Err(IoError::parse(path, 1, "the match JSON must be an object"));
        };
        let team_id = |key: &str| -> Result<String> {
            root.get(key)
                .and_then(|t| id_string(t.get("id")))
                .ok_or_else(|| IoError::missing(path, format!("`{key}.id`")))
        };
        let home = team_id("home_team")?;
        let away = team_id("away_team")?;
        let players_v = match root.get("players") {
            Some(Value::Array(a)) => a.as_slice(),
            _ => return Err(IoError::missing(path, "`players` (the lineups)")),
        };
        let mut players = Vec::with_capacity(players_v.len());
        for (i, p) in players_v.iter().enumerate() {
            let id = p.get("id").and_then(Value::as_i64).ok_or_else(|| {
                IoError::parse(path, 0, format!("players[{i}]: `id` is missing or not an integer"))
            })?;
            let team_of = id_string(p.get("team_id"));
            let team = match team_of {
                Some(t) if t == home => Team::Home,
                Some(t) if t == away => Team::Away,
                _ => Team::Unknown,
            };
            let jersey = p.get("number").and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok());
            let role = p
                .get("player_role")
                .and_then(|r| r.get("acronym").or_else(|| r.get("name")))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let short = p.get("short_name").and_then(Value::as_str);
            let full = match (
                p.get("first_name").and_then(Value::as_str),
                p.get("last_name").and_then(Value::as_str),
            ) {
                (Some(f), Some(l)) => Some(format!("{f} {l}")),
                (Some(f), None) => Some(f.to_owned()),
                (None, Some(l)) => Some(l.to_owned()),
                (None, None) => None,
            };
            let name = short.map(str::to_owned).or(full);
            players.push(PlayerMeta { id, team, jersey, role, name });
        }
        let referees = match root.get("referees") {
            Some(Value::Array(a)) => a.iter().filter_map(|r| r.get("id").and_then(Value::as_i64)).collect(),
            _ => Vec::new(),
        };
        let dim = |key: &str| root.get(key).and_then(Value::as_f64);
        let pitch = match (dim("pitch_length"), dim("pitch_width")) {
            (Some(l), Some(w)) => {
                Some(Pitch::new(l, w).map_err(|e| IoError::Invalid { path: path.into(), source: e })?)
            }
            _ => None,
        };
        let home_directions = match root.get("home_team_side") {
            Some(Value::Array(a)) => a
                .iter()
                .map(|s| match s.as_str() {
                    Some("left_to_right") => Some(Direction::LeftToRight),
                    Some("right_to_left") => Some(Direction::RightToLeft),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(Meta { players, referees, pitch, home_directions, frame_rate: FRAME_RATE })
    }

    /// Reads and parses a match JSON file.
    pub fn read(path: &Path) -> Result<Meta> {
        Meta::parse(&read_bytes(path)?, path)
    }
}

/// Registers the lineup; returns SkillCorner id -> builder index.
fn register(b: &mut TrackingBuilder, meta: &Meta) -> HashMap<i64, usize> {
    let mut count: HashMap<(Team, u32), usize> = HashMap::new();
    for p in &meta.players {
        if let Some(j) = p.jersey {
            *count.entry((p.team, j)).or_default() += 1;
        }
    }
    let mut order: Vec<&PlayerMeta> = meta.players.iter().collect();
    order.sort_by_key(|p| (p.team, p.jersey.unwrap_or(u32::MAX), p.id));
    let mut index = HashMap::new();
    for p in order {
        let unique = p.jersey.is_some_and(|j| count.get(&(p.team, j)) == Some(&1));
        let id = match (p.team, p.jersey) {
            (Team::Home | Team::Away, Some(j)) if unique => format!("{}_{j}", p.team.as_str()),
            _ => p.id.to_string(),
        };
        let mut a = Agent::new(id, p.team);
        a.jersey = p.jersey;
        a.role = p.role.clone();
        a.name = p.name.clone();
        index.insert(p.id, b.agent(a));
    }
    for (n, r) in meta.referees.iter().enumerate() {
        index.entry(*r).or_insert_with(|| b.agent(Agent::new(format!("referee_{}", n + 1), Team::Officials)));
    }
    index
}

fn put(b: &mut TrackingBuilder, agent: usize, x: f64, y: f64, detected: Option<bool>, has_flag: bool) {
    if detected == Some(true) || !has_flag {
        b.observe(agent, x, y);
    } else {
        b.estimate(agent, x, y);
    }
}

/// Parses SkillCorner v3 JSONL bytes with the given match metadata; `path`
/// is only used in errors (line numbers are 1-based).
pub fn parse(raw: &[u8], meta: &Meta, path: &Path) -> Result<TrackingData> {
    let text = crate::bytes_to_text(raw.to_vec(), path)?;
    let mut b = TrackingBuilder::new(path);
    let ball = b.agent(Agent::ball());
    let mut index = register(&mut b, meta);
    let mut nonblank = 0usize;
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        nonblank += 1;
        let obj = json_line(line, path, lineno)?;
        let frame = opt_i64(obj.get("frame"), "frame", path, lineno)?
            .ok_or_else(|| IoError::parse(path, lineno, "`frame` is missing"))?;
        if let Some(ts) = obj.get("timestamp") {
            match ts {
                Value::Null | Value::Number(_) => {}
                Value::String(s) if parse_clock(s).is_some() => {}
                other => {
                    return Err(IoError::parse(
                        path,
                        lineno,
                        format!("`timestamp` must be a clock string like \"00:01:02.30\", found {other}"),
                    ));
                }
            }
        }
        let Some(period) = opt_i64(obj.get("period"), "period", path, lineno)? else {
            continue; // outside play
        };
        let period = u32::try_from(period)
            .map_err(|_| IoError::parse(path, lineno, format!("`period` {period} is out of range")))?;
        let time = frame as f64 / meta.frame_rate;
        b.push_frame(frame, time, period);

        match obj.get("ball_data") {
            None | Some(Value::Null) => {}
            Some(Value::Object(bd)) => {
                let x = opt_f64(bd.get("x"), "ball_data.x", path, lineno)?;
                let y = opt_f64(bd.get("y"), "ball_data.y", path, lineno)?;
                let z = opt_f64(bd.get("z"), "ball_data.z", path, lineno)?;
                let det = opt_bool(bd.get("is_detected"), "ball_data.is_detected", path, lineno)?;
                if let (Some(x), Some(y)) = (x, y) {
                    put(&mut b, ball, x, y, det, bd.contains_key("is_detected"));
                    if let Some(z) = z {
                        b.ball_z(z);
                    }
                }
            }
            Some(other) => {
                return Err(IoError::parse(
                    path,
                    lineno,
                    format!("`ball_data` must be an object, found {}", kind(other)),
                ));
            }
        }

        let players = match obj.get("player_data") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(a)) => a.as_slice(),
            Some(other) => {
                return Err(IoError::parse(
                    path,
                    lineno,
                    format!("`player_data` must be an array, found {}", kind(other)),
                ));
            }
        };
        for (k, p) in players.iter().enumerate() {
            let Value::Object(p) = p else {
                return Err(IoError::parse(path, lineno, format!("player_data[{k}] must be an object")));
            };
            let what = |f: &str| format!("player_data[{k}].{f}");
            let pid = opt_i64(p.get("player_id"), &what("player_id"), path, lineno)?
                .ok_or_else(|| IoError::parse(path, lineno, format!("{} is missing", what("player_id"))))?;
            let x = opt_f64(p.get("x"), &what("x"), path, lineno)?;
            let y = opt_f64(p.get("y"), &what("y"), path, lineno)?;
            let det = opt_bool(p.get("is_detected"), &what("is_detected"), path, lineno)?;
            let agent =
                *index.entry(pid).or_insert_with(|| b.agent(Agent::new(pid.to_string(), Team::Unknown)));
            if let (Some(x), Some(y)) = (x, y) {
                put(&mut b, agent, x, y, det, p.contains_key("is_detected"));
            }
        }
    }
    if nonblank == 0 {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    if b.n_frames() == 0 {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    let mut b = b.frame_rate(meta.frame_rate);
    if let Some(p) = meta.pitch {
        b = b.pitch(p);
    }
    for (i, d) in meta.home_directions.iter().enumerate() {
        if let (Some(d), Ok(period)) = (d, u32::try_from(i + 1)) {
            b = b.period_direction(period, *d);
        }
    }
    b.finish()
}

/// Loads a SkillCorner JSONL file with an explicit match JSON.
pub fn load(raw: &Path, meta: &Path) -> Result<TrackingData> {
    let meta = Meta::read(meta)?;
    parse(&read_bytes(raw)?, &meta, raw)
}

/// Names of the match JSON tried next to a tracking file, best first.
pub fn companion_names(raw: &Path) -> Vec<String> {
    let stem = raw.file_name().and_then(|s| s.to_str()).unwrap_or("");
    let stem = stem.strip_suffix(".jsonl").or_else(|| stem.strip_suffix(".json")).unwrap_or(stem);
    let mut prefix = stem;
    for suffix in ["_tracking_extrapolated", "_tracking", "_v3_raw_data", "_raw_data", "_structured_data"] {
        if let Some(p) = stem.strip_suffix(suffix) {
            prefix = p;
            break;
        }
    }
    let mut names = Vec::new();
    if !prefix.is_empty() {
        for s in ["_meta_data.json", "_match.json", "_match_data.json", "_metadata.json"] {
            names.push(format!("{prefix}{s}"));
        }
    }
    for n in ["match.json", "meta_data.json", "match_data.json", "metadata.json"] {
        names.push(n.to_owned());
    }
    names
}

/// True for SkillCorner v3 JSONL (a JSON object per line with `player_data`
/// and `ball_data`).
pub fn sniff(_path: &Path, head: &str) -> bool {
    let t = head.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('{')
        && t.contains("\"player_data\"")
        && t.contains("\"ball_data\"")
        && t.contains("\"frame\"")
        && !t.contains("\"frameNum\"")
}

/// Loads a SkillCorner JSONL file, finding the match JSON next to it (see
/// [`companion_names`]). When several candidates exist, the first whose
/// lineup knows every tracked player id wins (else the first found).
pub fn open(path: &Path) -> Result<TrackingData> {
    let names = companion_names(path);
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let existing: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).filter(|p| p.is_file()).collect();
    if existing.is_empty() {
        find_companion(path, "SkillCorner match JSON", &names)?;
    }
    let raw = read_bytes(path)?;
    let mut first: Option<Result<TrackingData>> = None;
    for m in &existing {
        let result = Meta::read(m).and_then(|meta| parse(&raw, &meta, path));
        match &result {
            Ok(d) if d.agents().iter().all(|a| a.team != Team::Unknown) => return result,
            _ => {}
        }
        if first.is_none() {
            first = Some(result);
        }
    }
    first.unwrap_or_else(|| Err(IoError::missing(path, "SkillCorner match JSON")))
}
