//! PFF FC broadcast tracking: JSONL frames plus metadata and rosters JSON.
//!
//! Format facts this loader relies on (PFF's FIFA World Cup 2022 release,
//! version 4.1.0):
//! - One JSON object per line: `frameNum` (video frame counter), `period`
//!   (`1`, `2`, extra time `3`, `4`, or `null`), `videoTimeMs` (video clock, ms,
//!   equal to `frameNum / fps`), `periodElapsedTime`, `periodGameClockTime`,
//!   `homePlayers`/`awayPlayers` `[{jerseyNum: "9", x, y, visibility,
//!   confidence, speed}]`, `balls` `[{x, y, z, visibility}]` (0 or 1 entries),
//!   and the same again smoothed (`homePlayersSmoothed`, `awayPlayersSmoothed`,
//!   `ballsSmoothed` as one object or `null`).
//! - Coordinates are metres, origin at the pitch centre, `x` along the length,
//!   `y` up (no flip needed); ball `z` in metres.
//! - `visibility: "ESTIMATED"` marks positions PFF filled in for players out of
//!   the broadcast picture: they go to the provider-estimate layer, not to the
//!   observed mask. `VISIBLE` (or no flag) is observed; any other value is
//!   treated as an estimate.
//! - Metadata (`pff_metadata_<id>.json`, a one-element array or an object):
//!   `fps` (29.97), `homeTeam.id`/`awayTeam.id`, `stadium.pitches[0]`
//!   `length`/`width`, `homeTeamStartLeft` and `homeTeamStartLeftExtraTime`.
//!   Rosters (`pff_rosters_<id>.json`): `[{player{id, nickname}, team{id},
//!   shirtNumber, positionGroupType}]`.
//!
//! Choices:
//! - The **raw** arrays are used, not the smoothed ones: in the samples the raw
//!   positions show both teams in their own halves at every kick-off (players
//!   on the halfway line, goalkeepers at ±40 m), whereas the smoothed ones are
//!   up to 40 m off the raw positions at the 2nd-4th kick-offs (all players
//!   within ±12 m of the centre) and are `null` in some frames. Visibility
//!   flags are identical in both.
//! - Time is `videoTimeMs / 1000` (the video clock, monotonic over the match;
//!   `frameNum / fps` when absent). Frames whose `period` is `null` are skipped.
//! - Agent ids are `home_<jersey>`/`away_<jersey>`; the roster adds name and
//!   position group.
//! - Direction per period: period 1 from `homeTeamStartLeft` (home defends the
//!   left goal, so attacks `+x`), period 2 the other way, periods 3 and 4 from
//!   `homeTeamStartLeftExtraTime`. When the rosters name the goalkeepers and
//!   both goalkeepers' mean `x` over a period clearly contradicts this, the
//!   goalkeepers win: in game 10517 `homeTeamStartLeftExtraTime` is `true` but
//!   the home goalkeeper stands at `x ≈ +41` m in period 3.
//!
//! ```
//! use std::path::Path;
//! use touchline_core::{Direction, Team};
//! let path = Path::new(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/../../../shared/data/kloppy_samples/pff/pff_3812.jsonl"
//! ));
//! let data = touchline_io::pff::open(path)?;
//! assert_eq!(data.n_frames(), 100);
//! assert_eq!(data.frame_rate(), 29.97);
//! assert_eq!(data.periods()[0].home_direction, Some(Direction::RightToLeft));
//! assert_eq!(data.team_indices(Team::Away).len(), 15);
//! # Ok::<(), touchline_io::IoError>(())
//! ```

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;
use touchline_core::{Agent, Direction, Pitch, Team};

use crate::json::{json_file, json_line, kind, opt_f64, opt_i64};
use crate::{IoError, Result, TrackingBuilder, TrackingData, find_companion, read_bytes};

/// One roster entry.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterEntry {
    /// Home or away.
    pub team: Team,
    /// Shirt number.
    pub jersey: u32,
    /// PFF player id.
    pub player_id: Option<String>,
    /// Display name (`nickname`).
    pub name: Option<String>,
    /// Position group (`GK`, `CB`, `RW`, ...).
    pub role: Option<String>,
}

/// What the metadata and rosters tell the loader.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// Frames per second (`fps`).
    pub frame_rate: f64,
    /// Pitch size in metres.
    pub pitch: Option<Pitch>,
    /// Home defends the left goal (attacks `+x`) in period 1.
    pub home_starts_left: Option<bool>,
    /// Home defends the left goal in period 3.
    pub home_starts_left_extra_time: Option<bool>,
    /// Home team id.
    pub home_team_id: Option<String>,
    /// Away team id.
    pub away_team_id: Option<String>,
    /// Squad players (empty without rosters).
    pub roster: Vec<RosterEntry>,
}

impl Meta {
    /// Metadata with only a frame rate (no pitch, directions or roster).
    pub fn with_frame_rate(frame_rate: f64) -> Meta {
        Meta {
            frame_rate,
            pitch: None,
            home_starts_left: None,
            home_starts_left_extra_time: None,
            home_team_id: None,
            away_team_id: None,
            roster: Vec::new(),
        }
    }

    /// Parses PFF game metadata JSON; `path` is only used in errors.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Meta> {
        let root = json_file(bytes, path)?;
        let obj = match &root {
            Value::Array(a) => a.first(),
            v @ Value::Object(_) => Some(v),
            _ => None,
        };
        let Some(Value::Object(m)) = obj else {
            return Err(IoError::parse(path, 1, "PFF metadata must be an object or an array of one object"));
        };
        let fps = m.get("fps").and_then(Value::as_f64).filter(|f| f.is_finite() && *f > 0.0);
        let frame_rate = fps.ok_or_else(|| IoError::missing(path, "`fps` (a positive number)"))?;
        let pitch = m
            .get("stadium")
            .and_then(|s| s.get("pitches"))
            .and_then(Value::as_array)
            .and_then(|p| p.first())
            .and_then(|p| Some((p.get("length")?.as_f64()?, p.get("width")?.as_f64()?)));
        let pitch = match pitch {
            Some((l, w)) => {
                Some(Pitch::new(l, w).map_err(|e| IoError::Invalid { path: path.into(), source: e })?)
            }
            None => None,
        };
        let team = |k: &str| m.get(k).and_then(|t| id_string(t.get("id")));
        Ok(Meta {
            frame_rate,
            pitch,
            home_starts_left: m.get("homeTeamStartLeft").and_then(Value::as_bool),
            home_starts_left_extra_time: m.get("homeTeamStartLeftExtraTime").and_then(Value::as_bool),
            home_team_id: team("homeTeam"),
            away_team_id: team("awayTeam"),
            roster: Vec::new(),
        })
    }

    /// Reads and parses a metadata file.
    pub fn read(path: &Path) -> Result<Meta> {
        Meta::parse(&read_bytes(path)?, path)
    }

    /// Adds the rosters JSON (needs the team ids from the metadata).
    pub fn parse_rosters(&mut self, bytes: &[u8], path: &Path) -> Result<()> {
        let root = json_file(bytes, path)?;
        let Value::Array(entries) = root else {
            return Err(IoError::parse(path, 1, "PFF rosters must be a JSON array"));
        };
        for (i, e) in entries.iter().enumerate() {
            let tid = e.get("team").and_then(|t| id_string(t.get("id")));
            let team = match tid {
                Some(t) if Some(&t) == self.home_team_id.as_ref() => Team::Home,
                Some(t) if Some(&t) == self.away_team_id.as_ref() => Team::Away,
                _ => continue,
            };
            let jersey = id_string(e.get("shirtNumber")).and_then(|s| s.trim().parse::<u32>().ok());
            let Some(jersey) = jersey else {
                return Err(IoError::parse(
                    path,
                    0,
                    format!("roster entry {i}: `shirtNumber` is not a number"),
                ));
            };
            let player = e.get("player");
            self.roster.push(RosterEntry {
                team,
                jersey,
                player_id: player.and_then(|p| id_string(p.get("id"))),
                name: player.and_then(|p| p.get("nickname")).and_then(Value::as_str).map(str::to_owned),
                role: e.get("positionGroupType").and_then(Value::as_str).map(str::to_owned),
            });
        }
        Ok(())
    }

    /// Reads a rosters file into this metadata.
    pub fn read_rosters(&mut self, path: &Path) -> Result<()> {
        let bytes = read_bytes(path)?;
        self.parse_rosters(&bytes, path)
    }

    fn metadata_direction(&self, period: u32) -> Option<Direction> {
        let (flag, first) = match period {
            1 => (self.home_starts_left, true),
            2 => (self.home_starts_left, false),
            3 => (self.home_starts_left_extra_time, true),
            4 => (self.home_starts_left_extra_time, false),
            _ => (None, true),
        };
        let left = flag?;
        Some(if left == first { Direction::LeftToRight } else { Direction::RightToLeft })
    }
}

fn id_string(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(format!("{}", f as i64)),
            _ => Some(n.to_string()),
        },
        _ => None,
    }
}

fn is_observed(p: &serde_json::Map<String, Value>) -> bool {
    match p.get("visibility") {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("VISIBLE"),
        Some(_) => false,
    }
}

struct Parser<'a> {
    b: TrackingBuilder,
    meta: &'a Meta,
    path: &'a Path,
    agents: HashMap<(Team, u32), usize>,
    /// Sum and count of x per (period, team) over goalkeeper entries.
    gk: HashMap<(u32, Team), (f64, usize)>,
    gk_jerseys: HashMap<(Team, u32), ()>,
}

impl Parser<'_> {
    fn agent(&mut self, team: Team, jersey: u32) -> usize {
        if let Some(&i) = self.agents.get(&(team, jersey)) {
            return i;
        }
        let i = self.b.agent(Agent::new(format!("{}_{jersey}", team.as_str()), team).with_jersey(jersey));
        self.agents.insert((team, jersey), i);
        i
    }

    fn players(&mut self, v: Option<&Value>, key: &str, team: Team, period: u32, line: usize) -> Result<()> {
        let list = match v {
            None | Some(Value::Null) => return Ok(()),
            Some(Value::Array(a)) => a,
            Some(other) => {
                return Err(IoError::parse(
                    self.path,
                    line,
                    format!("`{key}` must be an array, found {}", kind(other)),
                ));
            }
        };
        for (k, p) in list.iter().enumerate() {
            let Value::Object(p) = p else {
                return Err(IoError::parse(self.path, line, format!("{key}[{k}] must be an object")));
            };
            let jersey = match p.get("jerseyNum") {
                Some(Value::String(s)) => s.trim().parse::<u32>().ok(),
                Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
                _ => None,
            };
            let Some(jersey) = jersey else {
                return Err(IoError::parse(
                    self.path,
                    line,
                    format!("{key}[{k}].jerseyNum is missing or not a shirt number"),
                ));
            };
            let x = opt_f64(p.get("x"), &format!("{key}[{k}].x"), self.path, line)?;
            let y = opt_f64(p.get("y"), &format!("{key}[{k}].y"), self.path, line)?;
            let a = self.agent(team, jersey);
            if let (Some(x), Some(y)) = (x, y) {
                if is_observed(p) {
                    self.b.observe(a, x, y);
                } else {
                    self.b.estimate(a, x, y);
                }
                if self.gk_jerseys.contains_key(&(team, jersey)) {
                    let e = self.gk.entry((period, team)).or_insert((0.0, 0));
                    e.0 += x;
                    e.1 += 1;
                }
            }
        }
        Ok(())
    }

    fn ball(&mut self, v: Option<&Value>, ball: usize, line: usize) -> Result<()> {
        let obj = match v {
            None | Some(Value::Null) => return Ok(()),
            Some(Value::Array(a)) => match a.first() {
                None => return Ok(()),
                Some(Value::Object(o)) => o,
                Some(_) => return Err(IoError::parse(self.path, line, "balls[0] must be an object")),
            },
            Some(Value::Object(o)) => o,
            Some(other) => {
                return Err(IoError::parse(
                    self.path,
                    line,
                    format!("`balls` must be an array, found {}", kind(other)),
                ));
            }
        };
        let x = opt_f64(obj.get("x"), "balls[0].x", self.path, line)?;
        let y = opt_f64(obj.get("y"), "balls[0].y", self.path, line)?;
        let z = opt_f64(obj.get("z"), "balls[0].z", self.path, line)?;
        if let (Some(x), Some(y)) = (x, y) {
            if is_observed(obj) {
                self.b.observe(ball, x, y);
            } else {
                self.b.estimate(ball, x, y);
            }
            if let Some(z) = z {
                self.b.ball_z(z);
            }
        }
        Ok(())
    }

    fn direction(&self, period: u32) -> Option<Direction> {
        let from_meta = self.meta.metadata_direction(period);
        let mean = |t: Team| self.gk.get(&(period, t)).filter(|(_, n)| *n > 0).map(|(s, n)| s / *n as f64);
        let from_gk = match (mean(Team::Home), mean(Team::Away)) {
            (Some(h), Some(a)) if h < -10.0 && a > 10.0 => Some(Direction::LeftToRight),
            (Some(h), Some(a)) if h > 10.0 && a < -10.0 => Some(Direction::RightToLeft),
            _ => None,
        };
        from_gk.or(from_meta)
    }
}

/// Parses PFF JSONL bytes with the given metadata; `path` is only used in
/// errors (line numbers are 1-based).
pub fn parse(raw: &[u8], meta: &Meta, path: &Path) -> Result<TrackingData> {
    if !(meta.frame_rate.is_finite() && meta.frame_rate > 0.0) {
        return Err(IoError::missing(path, format!("a positive frame rate (got {})", meta.frame_rate)));
    }
    let text = crate::bytes_to_text(raw.to_vec(), path)?;
    let mut b = TrackingBuilder::new(path);
    let ball = b.agent(Agent::ball());
    let mut p =
        Parser { b, meta, path, agents: HashMap::new(), gk: HashMap::new(), gk_jerseys: HashMap::new() };
    let mut sorted: Vec<&RosterEntry> = meta.roster.iter().collect();
    sorted.sort_by_key(|r| (r.team, r.jersey));
    for r in sorted {
        p.agent(r.team, r.jersey);
        let mut a = Agent::new(format!("{}_{}", r.team.as_str(), r.jersey), r.team).with_jersey(r.jersey);
        a.name = r.name.clone();
        a.role = r.role.clone();
        p.b.agent(a); // same id: fills name and role
        if r.role.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("GK")) {
            p.gk_jerseys.insert((r.team, r.jersey), ());
        }
    }
    let mut nonblank = 0usize;
    let mut periods_seen: Vec<u32> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        nonblank += 1;
        let obj = json_line(line, path, lineno)?;
        let frame = opt_i64(obj.get("frameNum"), "frameNum", path, lineno)?
            .ok_or_else(|| IoError::parse(path, lineno, "`frameNum` is missing"))?;
        let Some(period) = opt_i64(obj.get("period"), "period", path, lineno)? else {
            continue;
        };
        let period = u32::try_from(period)
            .map_err(|_| IoError::parse(path, lineno, format!("`period` {period} is out of range")))?;
        let time = match opt_f64(obj.get("videoTimeMs"), "videoTimeMs", path, lineno)? {
            Some(ms) => ms / 1000.0,
            None => {
                if obj.get("videoTimeMs").is_some_and(|v| !v.is_null()) {
                    return Err(IoError::Frame {
                        path: path.to_path_buf(),
                        frame,
                        message: "`videoTimeMs` is not finite".into(),
                    });
                }
                frame as f64 / meta.frame_rate
            }
        };
        p.b.push_frame(frame, time, period);
        if !periods_seen.contains(&period) {
            periods_seen.push(period);
        }
        p.ball(obj.get("balls"), ball, lineno)?;
        p.players(obj.get("homePlayers"), "homePlayers", Team::Home, period, lineno)?;
        p.players(obj.get("awayPlayers"), "awayPlayers", Team::Away, period, lineno)?;
    }
    if nonblank == 0 || p.b.n_frames() == 0 {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    let directions: Vec<(u32, Direction)> =
        periods_seen.iter().filter_map(|&per| p.direction(per).map(|d| (per, d))).collect();
    let mut b = p.b.frame_rate(meta.frame_rate);
    if let Some(pitch) = meta.pitch {
        b = b.pitch(pitch);
    }
    for (per, d) in directions {
        b = b.period_direction(per, d);
    }
    b.finish()
}

/// Loads a PFF JSONL file with explicit metadata and (optional) rosters files.
pub fn load(raw: &Path, metadata: &Path, rosters: Option<&Path>) -> Result<TrackingData> {
    let mut meta = Meta::read(metadata)?;
    if let Some(r) = rosters {
        meta.read_rosters(r)?;
    }
    parse(&read_bytes(raw)?, &meta, raw)
}

/// The game id in a tracking file name (`pff_10517.jsonl`, `10517.jsonl`).
fn game_id(raw: &Path) -> Option<String> {
    let name = raw.file_name()?.to_str()?;
    let stem = name.split('.').next()?;
    let id = stem.strip_prefix("pff_").unwrap_or(stem);
    (!id.is_empty()).then(|| id.to_owned())
}

/// Companion names tried next to a tracking file, best first: `(metadata, rosters)`.
pub fn companion_names(raw: &Path) -> (Vec<String>, Vec<String>) {
    let mut meta = Vec::new();
    let mut rosters = Vec::new();
    if let Some(id) = game_id(raw) {
        for (list, kind, dir) in [(&mut meta, "metadata", "Metadata"), (&mut rosters, "rosters", "Rosters")] {
            list.push(format!("pff_{kind}_{id}.json"));
            list.push(format!("{kind}_{id}.json"));
            list.push(format!("{id}_{kind}.json"));
            list.push(format!("../{dir}/{id}.json"));
        }
    }
    meta.push("metadata.json".into());
    rosters.push("rosters.json".into());
    (meta, rosters)
}

/// True for PFF tracking JSONL (a JSON object per line with `frameNum` and
/// `homePlayers`/`awayPlayers`).
pub fn sniff(_path: &Path, head: &str) -> bool {
    let t = head.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('{')
        && t.contains("\"frameNum\"")
        && (t.contains("\"homePlayers\"") || t.contains("\"awayPlayers\""))
}

/// Loads a PFF JSONL file, finding `pff_metadata_<id>.json` (required) and
/// `pff_rosters_<id>.json` (optional) next to it; see [`companion_names`].
pub fn open(path: &Path) -> Result<TrackingData> {
    let (meta_names, roster_names) = companion_names(path);
    let meta_path = find_companion(path, "PFF metadata", &meta_names)?;
    let rosters = find_companion(path, "PFF rosters", &roster_names).ok();
    load(path, &meta_path, rosters.as_deref())
}
