//! Stats Perform (Opta Vision / SportVU) MA25 tracking text with MA1 match metadata.
//!
//! # Format facts this loader relies on
//!
//! One frame per line:
//!
//! ```text
//! <unix_ms>;<period_ms>,<period>,<ball_status>:<object>;<object>;...;:<ball_x>,<ball_y>,<ball_z>;
//! ```
//!
//! - `unix_ms`: wall-clock time of the frame in milliseconds since the Unix epoch; it is used as
//!   the frame id, and `(unix_ms - first unix_ms) / 1000` as the timestamp in seconds, so both
//!   halves share one clock (the half-time break shows up as a gap).
//! - `period_ms`: milliseconds since the start of the period (it restarts at 0 each period); the
//!   frame rate is `1000 / ` its most common step (100 ms, i.e. 10 Hz, in the sample).
//! - `period`: the period id (1, 2, ...), which becomes the period table.
//! - `ball_status`: 0 = ball in play, 1 = dead ball. Not kept (Touchline has no ball-state field).
//! - `object`: `type,player_id,jersey,x,y`, with `type` 0 = home outfield player, 1 = away
//!   outfield player, 2 = official, 3 = home goalkeeper, 4 = away goalkeeper.
//! - the ball segment after the second `:` is `x,y,z` (metres); it may be empty.
//!
//! Coordinates are metres from a corner of the pitch: `x` in `0..length`, `y` in `0..width`
//! (the sample's centre spot is at about (52.5, 34), goalkeepers stand at x ≈ 5 and x ≈ 100:
//! metres on a 105 x 68 pitch, not Opta's 0..100 percentages). Following kloppy's current
//! description of the SportVU coordinate system, the origin is the top-left corner with `y`
//! pointing down, so `y` is flipped; older kloppy releases treated the origin as bottom-left, a
//! mirror image that the data alone cannot settle. MA1 carries no pitch size, so the pitch is
//! 105 x 68 m unless [`Ma1Meta::pitch`] is set. There is no visibility flag: every position
//! present is observed; `NaN`/`inf` values are treated as missing.
//!
//! MA1 metadata (JSON or XML) gives the teams (`contestant` with `position` home/away), the
//! line-ups (`playerId`, `shirtNumber`, `position`/`subPosition`, `matchName`) and the officials.
//! Players are named `home_<jersey>` / `away_<jersey>` when the shirt number is unique in the
//! team, else by their Stats Perform id; officials (type 2) are `referee_<n>` in order of first
//! appearance. Players missing from MA1 take their team and shirt from the tracking line.
//!
//! ```
//! use std::path::Path;
//! let path = Path::new(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/../../../shared/data/kloppy_samples/statsperform/statsperform_tracking_ma25.txt"
//! ));
//! let data = touchline_io::statsperform::open(path)?;
//! assert_eq!(data.n_frames(), 93);
//! assert_eq!(data.frame_rate(), 10.0);
//! // Ben Yedder (home #9) at (52.803, 23.617) from the corner in the first frame.
//! let i = data.agent_index("home_9").unwrap();
//! assert!((data.positions()[[0, i, 0]] - 0.303).abs() < 1e-9);
//! assert!((data.positions()[[0, i, 1]] - 10.383).abs() < 1e-9);
//! # Ok::<(), touchline_io::IoError>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde_json::Value;
use touchline_core::{Agent, AxisTransform, Pitch, Team, Unit};

use crate::{IoError, Result, TrackingBuilder, TrackingData, bytes_to_text, find_companion, read_bytes};

/// One player of the MA1 line-ups.
#[derive(Debug, Clone, PartialEq)]
pub struct Ma1Player {
    /// Stats Perform player id (as in the MA25 objects).
    pub id: String,
    /// Home or away.
    pub team: Team,
    /// Shirt number.
    pub jersey: Option<u32>,
    /// `position` (or `subPosition` for substitutes): `Goalkeeper`, `Defender`, ...
    pub position: Option<String>,
    /// `matchName`, e.g. `W. Ben Yedder`.
    pub name: Option<String>,
}

/// What the loader needs from MA1 metadata.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ma1Meta {
    /// Home team name.
    pub home_name: Option<String>,
    /// Away team name.
    pub away_name: Option<String>,
    /// Players of both line-ups, in file order.
    pub players: Vec<Ma1Player>,
    /// Period ids listed in the match details.
    pub periods: Vec<u32>,
    /// Pitch size; MA1 has none, so `None` means 105 x 68 m.
    pub pitch: Option<Pitch>,
}

/// True for MA25 text: the first non-empty line looks like
/// `<digits>;<digits>,<digits>,<digits>:` followed by objects or the ball.
pub fn sniff(_path: &Path, head: &str) -> bool {
    let Some(line) = head.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return false;
    };
    let Some((header, rest)) = line.split_once(':') else {
        return false;
    };
    let Some((ts, info)) = header.split_once(';') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let info: Vec<&str> = info.split(',').collect();
    digits(ts) && info.len() == 3 && info.iter().all(|s| digits(s)) && rest.contains(':')
}

/// Loads an MA25 file, finding its MA1 metadata next to it: the file name with `ma25`
/// replaced by `ma1` (`.json`, then `.xml`), then `<stem>_ma1.json`/`.xml`, `ma1.json`/`.xml`,
/// `metadata.json`/`.xml`.
pub fn open(path: &Path) -> Result<TrackingData> {
    let meta = find_companion(path, "Stats Perform MA1 metadata", &companion_names(path))?;
    load(path, &meta)
}

fn companion_names(path: &Path) -> Vec<String> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let mut names = Vec::new();
    for ext in ["json", "xml"] {
        for pat in ["ma25", "MA25"] {
            if stem.contains(pat) {
                names.push(format!("{}.{ext}", stem.replace(pat, &pat.replace("25", "1"))));
            }
        }
    }
    for ext in ["json", "xml"] {
        names.push(format!("{stem}_ma1.{ext}"));
        let base = stem.trim_end_matches("_ma25").trim_end_matches("_MA25");
        names.push(format!("{base}_ma1.{ext}"));
        names.push(format!("ma1.{ext}"));
        names.push(format!("metadata.{ext}"));
    }
    let mut seen = HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

/// Loads an MA25 file with an explicit MA1 file (JSON or XML, told apart by content).
pub fn load(raw: &Path, meta: &Path) -> Result<TrackingData> {
    let meta = parse_ma1(&read_bytes(meta)?, meta)?;
    parse_ma25(&read_bytes(raw)?, &meta, raw)
}

/// Parses MA1 metadata, JSON or XML (the first non-blank character decides).
pub fn parse_ma1(bytes: &[u8], path: &Path) -> Result<Ma1Meta> {
    let text = bytes_to_text(bytes.to_vec(), path)?;
    if text.trim_start().starts_with('<') { parse_ma1_xml(&text, path) } else { parse_ma1_json(&text, path) }
}

fn side_of(position: &str) -> Option<Team> {
    match position.trim().to_ascii_lowercase().as_str() {
        "home" => Some(Team::Home),
        "away" => Some(Team::Away),
        _ => None,
    }
}

fn role_of(position: Option<&str>, sub_position: Option<&str>) -> Option<String> {
    match (position, sub_position) {
        (Some("Substitute"), Some(sub)) if !sub.is_empty() => Some(sub.to_string()),
        (Some(p), _) if !p.is_empty() => Some(p.to_string()),
        (None, Some(sub)) if !sub.is_empty() => Some(sub.to_string()),
        _ => None,
    }
}

/// Parses MA1 metadata in JSON.
pub fn parse_ma1_json(text: &str, path: &Path) -> Result<Ma1Meta> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| IoError::parse(path, e.line(), format!("invalid MA1 JSON: {e}")))?;
    let contestants = v
        .pointer("/matchInfo/contestant")
        .and_then(Value::as_array)
        .ok_or_else(|| IoError::missing(path, "matchInfo.contestant (the teams)"))?;
    let mut meta = Ma1Meta::default();
    let mut sides: HashMap<String, Team> = HashMap::new();
    for c in contestants {
        let (Some(id), Some(side)) = (
            c.get("id").and_then(Value::as_str),
            c.get("position").and_then(Value::as_str).and_then(side_of),
        ) else {
            continue;
        };
        let name = c.get("name").and_then(Value::as_str).map(str::to_string);
        match side {
            Team::Home => meta.home_name = name,
            _ => meta.away_name = name,
        }
        sides.insert(id.to_string(), side);
    }
    if sides.is_empty() {
        return Err(IoError::missing(path, "a home or away contestant in matchInfo.contestant"));
    }
    let line_ups = v.pointer("/liveData/lineUp").and_then(Value::as_array).cloned().unwrap_or_default();
    for lu in &line_ups {
        let Some(team) = lu.get("contestantId").and_then(Value::as_str).and_then(|id| sides.get(id)) else {
            continue;
        };
        for p in lu.get("player").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
            let Some(id) = p.get("playerId").and_then(Value::as_str) else { continue };
            let jersey = match p.get("shirtNumber") {
                Some(Value::Number(n)) => n.as_u64().and_then(|j| u32::try_from(j).ok()),
                Some(Value::String(s)) => s.trim().parse().ok(),
                _ => None,
            };
            let s = |k: &str| p.get(k).and_then(Value::as_str);
            meta.players.push(Ma1Player {
                id: id.to_string(),
                team: *team,
                jersey,
                position: role_of(s("position"), s("subPosition")),
                name: s("matchName").map(str::to_string),
            });
        }
    }
    for p in
        v.pointer("/liveData/matchDetails/period").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
    {
        if let Some(id) = p.get("id").and_then(Value::as_u64).and_then(|i| u32::try_from(i).ok()) {
            meta.periods.push(id);
        }
    }
    Ok(meta)
}

/// Line of an XML error; errors at the end of the input (truncation) name the last line.
fn xml_error_line(e: &roxmltree::Error, text: &str) -> usize {
    match e {
        roxmltree::Error::UnexpectedEndOfStream | roxmltree::Error::UnclosedRootNode => {
            text.lines().count().max(1)
        }
        _ => e.pos().row as usize,
    }
}

/// Parses MA1 metadata in XML.
pub fn parse_ma1_xml(text: &str, path: &Path) -> Result<Ma1Meta> {
    let doc = roxmltree::Document::parse(text)
        .map_err(|e| IoError::parse(path, xml_error_line(&e, text), format!("invalid MA1 XML: {e}")))?;
    let mut meta = Ma1Meta::default();
    let mut sides: HashMap<String, Team> = HashMap::new();
    for c in doc.descendants().filter(|n| n.has_tag_name("contestant")) {
        let (Some(id), Some(side)) = (c.attribute("id"), c.attribute("position").and_then(side_of)) else {
            continue;
        };
        let name = c.attribute("name").map(str::to_string);
        match side {
            Team::Home => meta.home_name = name,
            _ => meta.away_name = name,
        }
        sides.insert(id.to_string(), side);
    }
    if sides.is_empty() {
        return Err(IoError::missing(path, "a home or away <contestant>"));
    }
    for lu in doc.descendants().filter(|n| n.has_tag_name("lineUp")) {
        let Some(team) = lu.attribute("contestantId").and_then(|id| sides.get(id)) else { continue };
        for p in lu.children().filter(|n| n.has_tag_name("player")) {
            let Some(id) = p.attribute("playerId") else { continue };
            meta.players.push(Ma1Player {
                id: id.to_string(),
                team: *team,
                jersey: p.attribute("shirtNumber").and_then(|s| s.trim().parse().ok()),
                position: role_of(p.attribute("position"), p.attribute("subPosition")),
                name: p.attribute("matchName").map(str::to_string),
            });
        }
    }
    for p in doc.descendants().filter(|n| n.has_tag_name("period")) {
        if let Some(id) = p.attribute("id").and_then(|s| s.trim().parse().ok()) {
            meta.periods.push(id);
        }
    }
    Ok(meta)
}

fn num<T: FromStr>(s: &str, what: &str, path: &Path, line: usize) -> Result<T> {
    s.trim().parse().map_err(|_| IoError::parse(path, line, format!("{what}: cannot parse {:?}", s.trim())))
}

struct Agents {
    by_provider: HashMap<String, usize>,
    taken: HashSet<String>,
    n_officials: usize,
}

impl Agents {
    fn new(b: &mut TrackingBuilder, meta: &Ma1Meta) -> Self {
        let mut counts: HashMap<(Team, u32), usize> = HashMap::new();
        for p in &meta.players {
            if let Some(j) = p.jersey {
                *counts.entry((p.team, j)).or_default() += 1;
            }
        }
        let mut me = Agents { by_provider: HashMap::new(), taken: HashSet::new(), n_officials: 0 };
        for p in &meta.players {
            if me.by_provider.contains_key(&p.id) {
                continue;
            }
            let id = match p.jersey {
                Some(j) if counts.get(&(p.team, j)) == Some(&1) => format!("{}_{j}", p.team.as_str()),
                _ => p.id.clone(),
            };
            let id = if me.taken.contains(&id) { p.id.clone() } else { id };
            let mut a = Agent::new(id.clone(), p.team);
            a.jersey = p.jersey;
            a.role = p.position.clone();
            a.name = p.name.clone();
            me.taken.insert(id);
            let i = b.agent(a);
            me.by_provider.insert(p.id.clone(), i);
        }
        me
    }

    fn get(&mut self, b: &mut TrackingBuilder, kind: u8, provider_id: &str, jersey: u32) -> usize {
        if let Some(&i) = self.by_provider.get(provider_id) {
            return i;
        }
        let (team, role) = match kind {
            0 => (Team::Home, None),
            1 => (Team::Away, None),
            3 => (Team::Home, Some("Goalkeeper")),
            4 => (Team::Away, Some("Goalkeeper")),
            _ => (Team::Officials, None),
        };
        let id = if team == Team::Officials {
            self.n_officials += 1;
            format!("referee_{}", self.n_officials)
        } else {
            format!("{}_{jersey}", team.as_str())
        };
        let id = if self.taken.contains(&id) { provider_id.to_string() } else { id };
        let mut a = Agent::new(id.clone(), team);
        if team != Team::Officials {
            a.jersey = Some(jersey);
        }
        a.role = role.map(str::to_string);
        self.taken.insert(id);
        let i = b.agent(a);
        self.by_provider.insert(provider_id.to_string(), i);
        i
    }
}

/// Parses MA25 text (`raw`) with its metadata; `path` is only used in errors.
///
/// Errors: [`IoError::Parse`] with the 1-based line for a malformed line (field counts, numbers,
/// object types), [`IoError::Frame`] (frame id = the line's Unix milliseconds) when time does
/// not increase, [`IoError::Empty`] without frames.
pub fn parse_ma25(raw: &[u8], meta: &Ma1Meta, path: &Path) -> Result<TrackingData> {
    let text = bytes_to_text(raw.to_vec(), path)?;
    let mut b = TrackingBuilder::new(PathBuf::from(path));
    let ball = b.agent(Agent::ball());
    let mut agents = Agents::new(&mut b, meta);
    let mut first_ms: Option<i64> = None;
    let mut steps: HashMap<i64, usize> = HashMap::new();
    let mut prev: Option<(u32, i64)> = None;
    for (i, line) in text.lines().enumerate() {
        let ln = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut parts = line.split(':');
        let header = parts.next().unwrap_or("");
        let Some(objects) = parts.next() else {
            return Err(IoError::parse(path, ln, "expected `<header>:<objects>:<ball>`, found no `:`"));
        };
        let ball_part = parts.next().unwrap_or("");
        if parts.next().is_some() {
            return Err(IoError::parse(path, ln, "more than two `:` separators in the line"));
        }
        let hdr: Vec<&str> = header.split(';').collect();
        let [ts, info] = hdr.as_slice() else {
            return Err(IoError::parse(
                path,
                ln,
                format!("header must be `<unix_ms>;<period_ms>,<period>,<status>`, got {header:?}"),
            ));
        };
        let info: Vec<&str> = info.split(',').collect();
        let [period_ms, period, _status] = info.as_slice() else {
            return Err(IoError::parse(
                path,
                ln,
                format!("header info must have 3 fields (period_ms,period,status), found {}", info.len()),
            ));
        };
        let ms: i64 = num(ts, "timestamp (ms)", path, ln)?;
        let period_ms: i64 = num(period_ms, "period time (ms)", path, ln)?;
        let period: u32 = num(period, "period", path, ln)?;
        let t0 = *first_ms.get_or_insert(ms);
        let t = (ms as f64 - t0 as f64) / 1000.0;
        if let Some((pp, pms)) = prev
            && pp == period
            && let Some(d) = period_ms.checked_sub(pms)
            && d > 0
        {
            *steps.entry(d).or_default() += 1;
        }
        prev = Some((period, period_ms));
        b.push_frame(ms, t, period);
        for obj in objects.split(';').map(str::trim).filter(|o| !o.is_empty()) {
            let f: Vec<&str> = obj.split(',').collect();
            let [kind, pid, jersey, x, y] = f.as_slice() else {
                return Err(IoError::parse(
                    path,
                    ln,
                    format!("object {obj:?} must have 5 fields (type,id,jersey,x,y), found {}", f.len()),
                ));
            };
            let kind: u8 = num(kind, "object type", path, ln)?;
            if kind > 4 {
                return Err(IoError::parse(path, ln, format!("unknown object type {kind} (expected 0..=4)")));
            }
            let pid = pid.trim();
            if pid.is_empty() {
                return Err(IoError::parse(path, ln, "empty player id"));
            }
            let jersey: u32 = num(jersey, "jersey", path, ln)?;
            let (x, y): (f64, f64) = (num(x, "x", path, ln)?, num(y, "y", path, ln)?);
            let a = agents.get(&mut b, kind, pid, jersey);
            b.observe(a, x, y);
        }
        let segs: Vec<&str> = ball_part.split(';').map(str::trim).filter(|s| !s.is_empty()).collect();
        match segs.as_slice() {
            [] => {}
            [seg] => {
                let f: Vec<&str> = seg.split(',').collect();
                let [x, y, z] = f.as_slice() else {
                    return Err(IoError::parse(
                        path,
                        ln,
                        format!("ball {seg:?} must have 3 fields (x,y,z), found {}", f.len()),
                    ));
                };
                let (x, y, z): (f64, f64, f64) =
                    (num(x, "ball x", path, ln)?, num(y, "ball y", path, ln)?, num(z, "ball z", path, ln)?);
                b.observe(ball, x, y);
                b.ball_z(z);
            }
            _ => return Err(IoError::parse(path, ln, "more than one ball segment")),
        }
    }
    if b.n_frames() == 0 {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    let pitch = meta.pitch.unwrap_or(Pitch::FOOTBALL);
    let mut b =
        b.pitch(pitch).transform(AxisTransform::corner_origin(Unit::Metres, pitch.length, pitch.width, true));
    // Most common step of the period clock; ties go to the smaller step.
    if let Some((&d, _)) = steps.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) {
        b = b.frame_rate(1000.0 / d as f64);
    }
    b.finish()
}
