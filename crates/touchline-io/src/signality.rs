//! Signality raw tracking JSON (one file per half) with match metadata and venue information.
//!
//! # Format facts this loader relies on
//!
//! - A raw file is a JSON array of frames: `{"utc_time": <unix ms>, "phase": <period>,
//!   "idx": <frame number in the phase>, "state": "running"|"end"|..., "match_time": <ms since
//!   the phase started>, "home_team": [...], "away_team": [...], "referees": [...],
//!   "ball": {"position": [x, y, z] | null, ...}}`.
//! - Each person is `{"jersey_number": n (-1 when unknown), "role": r, "position": [x, y] | null,
//!   "track_id": "..", "speed": .., "distance": ..}`; player `role` 1 is the goalkeeper, 2 an
//!   outfield player; referees carry roles 3-5 and no jersey.
//! - Coordinates are metres with the origin at the centre spot, `x` along the length and `y` up
//!   (kloppy's Signality coordinate system), so no transform is applied. The ball's third value is
//!   its height in metres. A `null` position means not tracked (missing); there is no other
//!   visibility flag, so every position present is observed.
//! - Timestamps: `(utc_time - first utc_time) / 1000` seconds, one clock across both halves (the
//!   half-time break is a gap). The frame rate is `1000 /` the most common step of `match_time`
//!   (40 ms, 25 Hz, in the samples). Periods come from `phase`. Frame ids are `idx`, offset for
//!   every later file by the previous file's last `idx + 1` so that they stay unique.
//! - The metadata JSON lists `team_home_players` / `team_away_players` (`name`,
//!   `jersey_number`) and `team_home_lineup` (slot → jersey, slot `1` the goalkeeper); the venue
//!   JSON has `pitch_size: [length, width]` in metres (105 x 68 when no venue file is given).
//!
//! Agent ids: `home_<jersey>` / `away_<jersey>` (`home_track_<track_id>` when the jersey is
//! unknown), officials `referee_<role>` (`referee_track_<track_id>` if a role repeats in a
//! frame), the ball `ball`.
//!
//! [`open`] takes the first-half file (`..._p1_...`) and also loads the second-half sibling
//! (`p1` → `p2` in the name) when it exists, giving one dataset with periods 1 and 2; [`load`]
//! takes the list of raw files explicitly.
//!
//! ```
//! use std::path::Path;
//! let path = Path::new(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/../../../shared/data/kloppy_samples/signality/signality_p1_raw_data_subset.json"
//! ));
//! let data = touchline_io::signality::open(path)?;
//! assert_eq!(data.n_frames(), 10);
//! assert_eq!(data.periods().len(), 2);
//! assert_eq!(data.frame_rate(), 25.0);
//! # Ok::<(), touchline_io::IoError>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use touchline_core::{Agent, Pitch, Team};

use crate::{IoError, Result, TrackingBuilder, TrackingData, bytes_to_text, find_companion, read_bytes};

/// What the loader needs from Signality's metadata and venue files.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SignalityMeta {
    /// `team_home_name`.
    pub home_name: Option<String>,
    /// `team_away_name`.
    pub away_name: Option<String>,
    /// `(team, jersey, name)` for every listed player.
    pub players: Vec<(Team, u32, Option<String>)>,
    /// Jerseys in line-up slot 1 (goalkeepers), per team.
    pub goalkeepers: Vec<(Team, u32)>,
    /// Pitch size from the venue file.
    pub pitch: Option<Pitch>,
}

/// True for a Signality raw file: a JSON array whose frames have `utc_time`, `match_time`
/// and `home_team`/`phase` keys.
pub fn sniff(_path: &Path, head: &str) -> bool {
    head.trim_start().starts_with('[')
        && head.contains("\"utc_time\"")
        && head.contains("\"match_time\"")
        && (head.contains("\"home_team\"") || head.contains("\"phase\""))
}

fn replace_last(s: &str, from: &str, to: &str) -> Option<String> {
    s.rfind(from).map(|at| format!("{}{to}{}", &s[..at], &s[at + from.len()..]))
}

/// Loads a first-half raw file, plus its second-half sibling when present (`p1` → `p2` in the
/// file name; a file without `p1` in its name is loaded alone), with the metadata
/// (`<prefix>meta_data.json`, `meta_data.json`, `metadata.json`, required) and venue
/// information (`<prefix>venue_information.json`, `venue_information.json`, optional).
pub fn open(path: &Path) -> Result<TrackingData> {
    let name = path.file_name().and_then(|s| s.to_str()).unwrap_or("");
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut raws = vec![path.to_path_buf()];
    if let Some(p2) = replace_last(name, "p1", "p2").map(|n| dir.join(n))
        && p2.is_file()
        && p2 != path
    {
        raws.push(p2);
    }
    let prefix =
        ["_p1_", "_p2_", "p1_", "p2_"].iter().find_map(|m| name.find(m).map(|at| &name[..at])).unwrap_or("");
    let mut meta_names = Vec::new();
    let mut venue_names = Vec::new();
    if !prefix.is_empty() {
        meta_names.push(format!("{prefix}_meta_data.json"));
        venue_names.push(format!("{prefix}_venue_information.json"));
    }
    meta_names.extend(["meta_data.json".to_string(), "metadata.json".to_string()]);
    venue_names.extend(["venue_information.json".to_string(), "venue.json".to_string()]);
    let meta = find_companion(path, "Signality metadata JSON", &meta_names)?;
    let venue = find_companion(path, "Signality venue information JSON", &venue_names).ok();
    let raw_refs: Vec<&Path> = raws.iter().map(PathBuf::as_path).collect();
    load(&raw_refs, &meta, venue.as_deref())
}

/// Loads raw files (one per half, in order) with explicit metadata and optional venue files.
pub fn load(raws: &[&Path], meta: &Path, venue: Option<&Path>) -> Result<TrackingData> {
    let mut m = parse_meta(&read_bytes(meta)?, meta)?;
    if let Some(v) = venue {
        m.pitch = Some(parse_venue(&read_bytes(v)?, v)?);
    }
    let mut bytes = Vec::with_capacity(raws.len());
    for p in raws {
        bytes.push(read_bytes(p)?);
    }
    let parts: Vec<(&[u8], &Path)> = bytes.iter().map(Vec::as_slice).zip(raws.iter().copied()).collect();
    parse(&parts, &m)
}

fn json(bytes: &[u8], path: &Path) -> Result<Value> {
    let text = bytes_to_text(bytes.to_vec(), path)?;
    serde_json::from_str(&text).map_err(|e| IoError::parse(path, e.line(), format!("invalid JSON: {e}")))
}

/// Parses the metadata JSON (teams, players, line-ups).
pub fn parse_meta(bytes: &[u8], path: &Path) -> Result<SignalityMeta> {
    let v = json(bytes, path)?;
    let mut meta = SignalityMeta::default();
    let mut any = false;
    for (team, side) in [(Team::Home, "home"), (Team::Away, "away")] {
        let name = v.get(format!("team_{side}_name")).and_then(Value::as_str).map(str::to_string);
        let players = v.get(format!("team_{side}_players")).and_then(Value::as_array);
        any |= name.is_some() || players.is_some();
        match team {
            Team::Home => meta.home_name = name,
            _ => meta.away_name = name,
        }
        for p in players.map(Vec::as_slice).unwrap_or(&[]) {
            let Some(j) = p.get("jersey_number").and_then(Value::as_u64).and_then(|j| u32::try_from(j).ok())
            else {
                continue;
            };
            meta.players.push((team, j, p.get("name").and_then(Value::as_str).map(str::to_string)));
        }
        if let Some(j) = v
            .get(format!("team_{side}_lineup"))
            .and_then(|l| l.get("1"))
            .and_then(Value::as_u64)
            .and_then(|j| u32::try_from(j).ok())
        {
            meta.goalkeepers.push((team, j));
        }
    }
    if !any {
        return Err(IoError::missing(path, "team_home_name/team_home_players (the teams)"));
    }
    Ok(meta)
}

/// Parses the venue JSON's `pitch_size: [length, width]` (metres).
pub fn parse_venue(bytes: &[u8], path: &Path) -> Result<Pitch> {
    let v = json(bytes, path)?;
    let size = v.get("pitch_size").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    let dims: Vec<f64> = size.iter().filter_map(Value::as_f64).collect();
    match dims.as_slice() {
        [l, w] => Pitch::new(*l, *w).map_err(|e| IoError::Invalid { path: path.to_path_buf(), source: e }),
        _ => Err(IoError::missing(path, "pitch_size: [length, width]")),
    }
}

#[derive(Deserialize)]
struct RawPerson {
    #[serde(default)]
    jersey_number: Option<i64>,
    #[serde(default)]
    role: Option<i64>,
    #[serde(default)]
    position: Option<Vec<Option<f64>>>,
    #[serde(default)]
    track_id: Option<Value>,
}

#[derive(Deserialize)]
struct RawBall {
    #[serde(default)]
    position: Option<Vec<Option<f64>>>,
}

#[derive(Deserialize)]
struct RawFrame {
    utc_time: f64,
    phase: u32,
    idx: i64,
    #[serde(default)]
    match_time: Option<f64>,
    #[serde(default)]
    home_team: Option<Vec<RawPerson>>,
    #[serde(default)]
    away_team: Option<Vec<RawPerson>>,
    #[serde(default)]
    referees: Option<Vec<RawPerson>>,
    #[serde(default)]
    ball: Option<RawBall>,
}

fn track(p: &RawPerson) -> Option<String> {
    match &p.track_id {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

fn xy(pos: &Option<Vec<Option<f64>>>, path: &Path, frame: i64, who: &str) -> Result<Option<[f64; 2]>> {
    match pos.as_deref() {
        None => Ok(None),
        Some([Some(x), Some(y), ..]) => Ok(Some([*x, *y])),
        Some([_, _, ..]) => Ok(None),
        Some(p) => Err(IoError::Frame {
            path: path.to_path_buf(),
            frame,
            message: format!("{who}: position needs at least 2 values, found {}", p.len()),
        }),
    }
}

/// Parses one raw file with its metadata; `path` is only used in errors.
pub fn parse_one(raw: &[u8], meta: &SignalityMeta, path: &Path) -> Result<TrackingData> {
    parse(&[(raw, path)], meta)
}

/// Parses raw files (bytes and the path each error should name), in order, into one dataset.
///
/// Errors: [`IoError::Parse`] with the line for invalid JSON or wrongly typed/missing fields
/// (`utc_time`, `phase`, `idx`), [`IoError::Frame`] with the frame id when a position has
/// fewer than two values or time does not increase, [`IoError::Empty`] without frames.
pub fn parse(parts: &[(&[u8], &Path)], meta: &SignalityMeta) -> Result<TrackingData> {
    let first_path = parts.first().map(|p| p.1).unwrap_or_else(|| Path::new("<no signality file>"));
    let mut b = TrackingBuilder::new(PathBuf::from(first_path));
    let ball = b.agent(Agent::ball());
    let mut taken: HashSet<String> = HashSet::new();
    let gk: HashSet<(Team, u32)> = meta.goalkeepers.iter().copied().collect();
    for (team, j, name) in &meta.players {
        let id = format!("{}_{j}", team.as_str());
        if !taken.insert(id.clone()) {
            continue;
        }
        let mut a = Agent::new(id, *team).with_jersey(*j);
        a.name = name.clone();
        if gk.contains(&(*team, *j)) {
            a.role = Some("GK".into());
        }
        b.agent(a);
    }
    let mut steps: HashMap<i64, usize> = HashMap::new();
    let mut offset: i64 = 0;
    let mut t0: Option<f64> = None;
    let mut prev_t: Option<f64> = None;
    for (bytes, path) in parts {
        let text = bytes_to_text(bytes.to_vec(), path)?;
        let frames: Vec<RawFrame> = serde_json::from_str(&text)
            .map_err(|e| IoError::parse(*path, e.line(), format!("invalid Signality frame JSON: {e}")))?;
        let mut prev_mt: Option<f64> = None;
        let mut last_idx: Option<i64> = None;
        for f in &frames {
            let id = f.idx.saturating_add(offset);
            last_idx = Some(f.idx);
            if !f.utc_time.is_finite() {
                return Err(IoError::Frame {
                    path: path.to_path_buf(),
                    frame: id,
                    message: "utc_time is not finite".into(),
                });
            }
            let t = (f.utc_time - *t0.get_or_insert(f.utc_time)) / 1000.0;
            if let Some(p) = prev_t
                && t <= p
            {
                return Err(IoError::Frame {
                    path: path.to_path_buf(),
                    frame: id,
                    message: format!("time {t} s is not after the previous frame's {p} s"),
                });
            }
            prev_t = Some(t);
            if let (Some(p), Some(m)) = (prev_mt, f.match_time) {
                let d = (m - p).round();
                if (1.0..1e9).contains(&d) {
                    *steps.entry(d as i64).or_default() += 1;
                }
            }
            prev_mt = f.match_time;
            b.push_frame(id, t, f.phase);
            for (team, list) in [(Team::Home, &f.home_team), (Team::Away, &f.away_team)] {
                for p in list.as_deref().unwrap_or(&[]) {
                    let jersey = p.jersey_number.filter(|j| *j >= 0).and_then(|j| u32::try_from(j).ok());
                    let agent_id = match (jersey, track(p)) {
                        (Some(j), _) => format!("{}_{j}", team.as_str()),
                        (None, Some(tr)) => format!("{}_track_{tr}", team.as_str()),
                        (None, None) => continue,
                    };
                    let Some(pos) = xy(&p.position, path, id, &agent_id)? else { continue };
                    let mut a = Agent::new(agent_id, team);
                    a.jersey = jersey;
                    if p.role == Some(1) {
                        a.role = Some("GK".into());
                    }
                    let i = b.agent(a);
                    b.observe(i, pos[0], pos[1]);
                }
            }
            let mut roles_seen = HashSet::new();
            for p in f.referees.as_deref().unwrap_or(&[]) {
                let agent_id = match (p.role, track(p)) {
                    (Some(r), _) if roles_seen.insert(r) => format!("referee_{r}"),
                    (_, Some(tr)) => format!("referee_track_{tr}"),
                    _ => continue,
                };
                let Some(pos) = xy(&p.position, path, id, &agent_id)? else { continue };
                let mut a = Agent::new(agent_id, Team::Officials);
                a.role = p.role.map(|r| format!("role {r}"));
                let i = b.agent(a);
                b.observe(i, pos[0], pos[1]);
            }
            if let Some(bl) = &f.ball {
                if let Some(pos) = xy(&bl.position, path, id, "ball")? {
                    b.observe(ball, pos[0], pos[1]);
                }
                if let Some(Some(z)) = bl.position.as_ref().and_then(|p| p.get(2)) {
                    b.ball_z(*z);
                }
            }
        }
        if let Some(l) = last_idx {
            offset = offset.saturating_add(l).saturating_add(1);
        }
    }
    if b.n_frames() == 0 {
        return Err(IoError::Empty { path: first_path.to_path_buf() });
    }
    let mut b = b.pitch(meta.pitch.unwrap_or(Pitch::FOOTBALL));
    if let Some((&d, _)) = steps.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) {
        b = b.frame_rate(1000.0 / d as f64);
    }
    b.finish()
}
