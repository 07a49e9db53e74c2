//! ChyronHego TRACAB: raw `.dat` or raw JSON tracking, with a meta file (XML or JSON).
//!
//! Format facts this loader relies on:
//!
//! - **Units and axes**: centimetres, origin at the pitch centre, `x` along the length, `y` up
//!   (towards the left touchline seen from the team attacking `+x`). Converted to metres; no flip.
//! - **`.dat`**: one frame per line, `frame:objects:ball:` where `objects` is a `;`-separated list of
//!   `team,target_id,jersey,x,y,speed` and `ball` is `x,y,z,speed,owner,status[,contact...]`
//!   (`owner` `H`/`A`, `status` `Alive`/`Dead`; further `;`-separated ball entries are ignored).
//!   Blank lines are skipped.
//! - **Raw JSON**: `{"FrameData": [{"FrameCount", "PlayerPositions": [{"Team", "JerseyNumber", "X",
//!   "Y", "Speed"}], "BallPosition": [{"X","Y","Z","BallOwningTeam","BallStatus",...}]}]}`; only the
//!   first `BallPosition` entry is the ball (the others are placeholders). The frame-level `Phase`
//!   field is ignored: in the sample it disagrees with the meta file's periods.
//! - **Team codes** (the same in both raw formats): `1` home, `0` away, `3` officials (referees),
//!   `4` and `-1` unknown / untracked objects. The latter are parked placeholders (at `5550,4400` in the
//!   samples) and are skipped; any other code is an error.
//! - **Meta file**: hierarchical XML (`<match iFrameRateFps fPitchXSizeMeters fPitchYSizeMeters>` with
//!   `<period iId iStartFrame iEndFrame>`, `<HomeTeam>/<AwayTeam>/<Referees>` player lists), flat XML
//!   or JSON (`FrameRate`, `PitchLongSide`/`PitchShortSide` in centimetres,
//!   `Phase<i>StartFrame`/`Phase<i>EndFrame`, `Phase<i>HomeGKLeft`, `HomeTeam.Players` ...). Periods
//!   with end frame `0` do not exist. Period frame ranges are inclusive on both ends.
//! - **Visibility**: TRACAB has no visibility flag: every object in a frame is observed; an agent that
//!   is absent from a frame is simply missing there.
//!
//! Decisions:
//!
//! - Frames outside every period of the meta file (half time, before kick-off) are **dropped**, as
//!   kloppy does; [`TracabData::dropped_frames`] counts them.
//! - Time = `(frame - period start frame) / fps + offset`, where a period's offset is the summed
//!   length of the earlier periods (`(end - start + 1) / fps` each): playing time without breaks.
//! - Agent ids: `home_<jersey>`, `away_<jersey>`, officials `referee_<jersey>` (names, roles from the
//!   meta file). The ball (`ball`) has its height in [`TrackingData::ball_z`] (metres).
//! - The ball status (alive/dead) and owning team are returned beside the data by the `*_full`
//!   functions ([`TracabData`]); [`open`] and [`load`] drop them.
//! - Home attacking direction per period comes from JSON meta's `Phase<i>HomeGKLeft` when present.
//! - `NaN`/`inf` coordinates are treated as missing.
//!
//! ```
//! use std::path::Path;
//! let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/kloppy_samples/tracab"));
//! let data = touchline_io::tracab::open(&dir.join("tracab_raw.dat"))?;
//! assert_eq!(data.n_frames(), 7); // 19 lines, 12 of them at half time
//! assert_eq!(data.frame_rate(), 25.0);
//! let home_20 = data.agent_index("home_20").unwrap();
//! assert!((data.positions()[[0, home_20, 0]] - 2.56).abs() < 1e-9);
//! # Ok::<(), touchline_io::IoError>(())
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use touchline_core::{Agent, AxisTransform, Direction, Pitch, Team, Unit};

use crate::{IoError, Result, TrackingBuilder, TrackingData, bytes_to_text, find_companion, read_bytes};

/// Whether the ball is in play.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BallStatus {
    /// In play.
    Alive,
    /// Out of play.
    Dead,
}

/// A period as the meta file gives it (frame range inclusive on both ends).
#[derive(Debug, Clone, PartialEq)]
pub struct MetaPeriod {
    /// Period id (1, 2, extra time 3, 4, penalties 5).
    pub id: u32,
    /// First frame number (inclusive).
    pub start_frame: i64,
    /// Last frame number (inclusive).
    pub end_frame: i64,
    /// Whether the home goalkeeper stands on the left (`-x`) half, when the meta file says so.
    pub home_gk_left: Option<bool>,
}

/// A player or official listed in the meta file.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaPlayer {
    /// Provider player id.
    pub id: Option<String>,
    /// Shirt number.
    pub jersey: u32,
    /// "First Last".
    pub name: Option<String>,
    /// Position code (`G`, `D`, `M`, `A`) when given.
    pub role: Option<String>,
}

/// What the meta file tells: frame rate, pitch, periods and rosters.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// Frames per second.
    pub frame_rate: f64,
    /// Pitch size in metres, when given.
    pub pitch: Option<Pitch>,
    /// Periods that exist (end frame not 0), sorted by start frame, not overlapping.
    pub periods: Vec<MetaPeriod>,
    /// Home roster.
    pub home: Vec<MetaPlayer>,
    /// Away roster.
    pub away: Vec<MetaPlayer>,
    /// Referees and other officials.
    pub officials: Vec<MetaPlayer>,
}

/// Tracking data with the per-frame ball information TRACAB adds.
#[derive(Debug, Clone)]
pub struct TracabData {
    /// The positions.
    pub data: TrackingData,
    /// Ball status per frame of `data` (`None` when the file gave none).
    pub ball_status: Vec<Option<BallStatus>>,
    /// Team owning the ball per frame of `data` ([`Team::Home`] / [`Team::Away`]).
    pub ball_owner: Vec<Option<Team>>,
    /// Frames of the file outside every period, not loaded.
    pub dropped_frames: usize,
}

// ------------------------------------------------------------------------------------------------
// sniffing and opening

/// True if `head` is the start of a TRACAB `.dat` file or TRACAB raw JSON (not a meta file).
pub fn sniff(_path: &Path, head: &str) -> bool {
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with('{') {
        return head.contains("\"FrameData\"")
            && (head.contains("\"PlayerPositions\"") || head.contains("\"FrameCount\""));
    }
    match head.split_once('\n') {
        Some((line, _)) => looks_like_dat_line(line.trim_end(), true),
        None => looks_like_dat_line(head, false),
    }
}

fn looks_like_dat_line(line: &str, complete: bool) -> bool {
    let Some((frame, rest)) = line.split_once(':') else { return false };
    if frame.is_empty() || !frame.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (objects, ball) = match rest.split_once(':') {
        Some((o, b)) => (o, Some(b)),
        None if complete => return false,
        None => (rest, None),
    };
    let Some(first) = objects.split(';').next() else { return false };
    let fields: Vec<&str> = first.split(',').collect();
    let object_ok = fields.len() == 6
        && fields[..3].iter().all(|f| f.trim().parse::<i64>().is_ok())
        && fields[3..].iter().all(|f| f.trim().parse::<f64>().is_ok());
    if !object_ok {
        return false;
    }
    match ball {
        Some(b) => {
            let f: Vec<&str> = b.split(';').next().unwrap_or("").split(',').collect();
            f.len() >= 6 && f[..4].iter().all(|v| v.trim().parse::<f64>().is_ok())
        }
        None => true,
    }
}

/// Candidate meta-file names next to a raw file, in the order [`find_meta`] tries them.
pub fn meta_candidates(raw: &Path) -> Vec<String> {
    let stem = raw.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let own = raw.file_name().and_then(|s| s.to_str()).unwrap_or("");
    let mut names = Vec::new();
    let mut stems = Vec::new();
    for (from, to) in [("raw", "meta"), ("Raw", "Meta"), ("RAW", "META"), ("tracking", "metadata")] {
        if stem.contains(from) {
            stems.push(stem.replace(from, to));
        }
    }
    for s in stems {
        names.push(format!("{s}.xml"));
        names.push(format!("{s}.json"));
    }
    if !stem.is_empty() {
        for suffix in ["_meta", "_metadata", "-meta", "-metadata", ""] {
            names.push(format!("{stem}{suffix}.xml"));
            names.push(format!("{stem}{suffix}.json"));
        }
    }
    for n in ["metadata.xml", "meta.xml", "metadata.json", "meta.json"] {
        names.push(n.to_string());
    }
    // `*_meta.xml` & co: only when exactly one such file is in the directory.
    let dir = raw.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let Ok(entries) = std::fs::read_dir(dir) {
        let found: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| {
                let l = n.to_ascii_lowercase();
                ["_meta.xml", "_metadata.xml", "_meta.json", "_metadata.json"].iter().any(|s| l.ends_with(s))
            })
            .collect();
        if let [one] = found.as_slice() {
            names.push(one.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| n != own && seen.insert(n.clone()));
    names
}

/// Finds the meta file next to a raw `.dat`/`.json` file (see [`meta_candidates`]).
pub fn find_meta(raw: &Path) -> Result<PathBuf> {
    find_companion(raw, "TRACAB meta file (.xml or .json)", &meta_candidates(raw))
}

/// Loads a raw `.dat` or raw JSON file, finding its meta file next to it.
pub fn open(path: &Path) -> Result<TrackingData> {
    open_full(path).map(|d| d.data)
}

/// Like [`open`], keeping ball status and owner.
pub fn open_full(path: &Path) -> Result<TracabData> {
    let meta = find_meta(path)?;
    load_full(path, &meta)
}

/// Loads a raw file (`.dat` or JSON, told apart by content) with an explicit meta file.
pub fn load(raw: &Path, meta: &Path) -> Result<TrackingData> {
    load_full(raw, meta).map(|d| d.data)
}

/// Like [`load`], keeping ball status and owner.
pub fn load_full(raw: &Path, meta: &Path) -> Result<TracabData> {
    let meta = read_meta(meta)?;
    let bytes = read_bytes(raw)?;
    parse(&bytes, &meta, raw)
}

/// Reads a meta file (XML or JSON, told apart by content).
pub fn read_meta(path: &Path) -> Result<Meta> {
    parse_meta(&read_bytes(path)?, path)
}

// ------------------------------------------------------------------------------------------------
// meta

/// Parses a meta file, XML or JSON by its first character.
pub fn parse_meta(bytes: &[u8], path: &Path) -> Result<Meta> {
    let text = bytes_to_text(bytes.to_vec(), path)?;
    match text.trim_start().chars().next() {
        Some('<') => parse_meta_xml(&text, path),
        Some('{') => parse_meta_json(&text, path),
        Some(_) => Err(IoError::parse(path, 1, "TRACAB meta file is neither XML nor JSON")),
        None => Err(IoError::Empty { path: path.to_path_buf() }),
    }
}

/// Parses a JSON meta file.
pub fn parse_meta_json(text: &str, path: &Path) -> Result<Meta> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| IoError::parse(path, e.line(), format!("invalid JSON meta: {e}")))?;
    if !v.is_object() {
        return Err(IoError::parse(path, 1, "JSON meta file is not an object"));
    }
    meta_from_flat(&v, path)
}

/// Parses an XML meta file (hierarchical `<match>` layout or flat layout).
pub fn parse_meta_xml(text: &str, path: &Path) -> Result<Meta> {
    let doc = roxmltree::Document::parse(text)
        .map_err(|e| IoError::parse(path, e.pos().row as usize, format!("invalid XML meta: {e}")))?;
    let root = doc.root_element();
    match root.children().find(|n| n.has_tag_name("match")) {
        Some(m) => meta_from_hierarchical(text, root, m, path),
        None => meta_from_flat(&xml_to_value(root), path),
    }
}

/// 1-based line of the `k`-th (0-based) `<tag` in `text` (roxmltree's node positions need a feature
/// the workspace does not enable), 0 if not found.
fn line_of_tag(text: &str, tag: &str, k: usize) -> usize {
    let pat = format!("<{tag}");
    let mut from = 0;
    let mut seen = 0;
    while let Some(i) = text.get(from..).and_then(|t| t.find(&pat)) {
        let at = from + i;
        let next = text.as_bytes().get(at + pat.len()).copied().unwrap_or(b' ');
        if next.is_ascii_whitespace() || next == b'/' || next == b'>' {
            if seen == k {
                return text[..at].bytes().filter(|&b| b == b'\n').count() + 1;
            }
            seen += 1;
        }
        from = at + pat.len();
    }
    0
}

fn meta_from_hierarchical(
    text: &str,
    root: roxmltree::Node,
    m: roxmltree::Node,
    path: &Path,
) -> Result<Meta> {
    let frame_rate = m
        .attribute("iFrameRateFps")
        .and_then(|s| s.trim().parse::<f64>().ok())
        .ok_or_else(|| IoError::missing(path, "frame rate (match/@iFrameRateFps)"))?;
    let dim = |a: &str| m.attribute(a).and_then(|s| s.trim().parse::<f64>().ok());
    let pitch = match (dim("fPitchXSizeMeters"), dim("fPitchYSizeMeters")) {
        (Some(l), Some(w)) => Pitch::new(l, w).ok(),
        _ => None,
    };
    let mut periods = Vec::new();
    for (k, p) in m.children().filter(|n| n.has_tag_name("period")).enumerate() {
        let line = line_of_tag(text, "period", k);
        let int = |a: &str| -> Result<i64> {
            p.attribute(a)
                .and_then(|s| s.trim().parse::<i64>().ok())
                .ok_or_else(|| IoError::parse(path, line, format!("period: missing or bad {a}")))
        };
        let id =
            u32::try_from(int("iId")?).map_err(|_| IoError::parse(path, line, "period: iId out of range"))?;
        let (start, end) = (int("iStartFrame")?, int("iEndFrame")?);
        if end != 0 {
            if end < start {
                return Err(IoError::parse(
                    path,
                    line,
                    format!("period {id} ends ({end}) before it starts ({start})"),
                ));
            }
            periods.push(MetaPeriod { id, start_frame: start, end_frame: end, home_gk_left: None });
        }
    }
    let roster = |tag: &str| -> Vec<MetaPlayer> {
        let Some(team) = root.children().find(|n| n.has_tag_name(tag)) else { return Vec::new() };
        team.descendants()
            .filter(|n| n.has_tag_name("Player"))
            .filter_map(|p| {
                let text = |t: &str| {
                    p.children()
                        .find(|c| c.has_tag_name(t))
                        .and_then(|c| c.text())
                        .map(|s| s.trim().to_string())
                };
                let jersey = text("JerseyNo")?.parse::<u32>().ok()?;
                Some(MetaPlayer {
                    id: text("PlayerId").or_else(|| text("PlayerID")),
                    jersey,
                    name: full_name(text("FirstName"), text("LastName")),
                    role: None,
                })
            })
            .collect()
    };
    let meta = Meta {
        frame_rate,
        pitch,
        periods,
        home: roster("HomeTeam"),
        away: roster("AwayTeam"),
        officials: roster("Referees"),
    };
    validate_meta(meta, path)
}

fn full_name(first: Option<String>, last: Option<String>) -> Option<String> {
    let n = [first, last].into_iter().flatten().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
    if n.is_empty() { None } else { Some(n) }
}

/// Element tree to JSON-like value: leaf elements become strings, elements whose children repeat a
/// name (or are `item`s) become arrays, others objects. Nesting deeper than 32 levels is cut
/// (no meta file nests that deep; this bounds the recursion).
fn xml_to_value(node: roxmltree::Node) -> Value {
    xml_to_value_at(node, 0)
}

fn xml_to_value_at(node: roxmltree::Node, depth: usize) -> Value {
    let kids: Vec<roxmltree::Node> = node.children().filter(|c| c.is_element()).collect();
    if kids.is_empty() || depth > 32 {
        return Value::String(node.text().unwrap_or("").trim().to_string());
    }
    let first = kids[0].tag_name().name();
    let repeated = kids.len() > 1 && kids.iter().all(|k| k.tag_name().name() == first);
    if repeated || first == "item" {
        return Value::Array(kids.iter().map(|k| xml_to_value_at(*k, depth + 1)).collect());
    }
    let mut map = serde_json::Map::new();
    for k in kids {
        map.insert(k.tag_name().name().to_string(), xml_to_value_at(k, depth + 1));
    }
    Value::Object(map)
}

fn num(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

fn string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn boolean(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn meta_from_flat(v: &Value, path: &Path) -> Result<Meta> {
    let frame_rate =
        num(v.get("FrameRate")).ok_or_else(|| IoError::missing(path, "frame rate (FrameRate)"))?;
    let pitch = match (num(v.get("PitchLongSide")), num(v.get("PitchShortSide"))) {
        (Some(l), Some(w)) => Pitch::new(l / 100.0, w / 100.0).ok(),
        _ => None,
    };
    let mut periods = Vec::new();
    for i in 1..=5u32 {
        let start = v.get(format!("Phase{i}StartFrame"));
        let end = v.get(format!("Phase{i}EndFrame"));
        if start.is_none() && end.is_none() {
            continue;
        }
        let (Some(start), Some(end)) = (int(start), int(end)) else {
            return Err(IoError::parse(path, 0, format!("Phase{i}StartFrame/EndFrame are not integers")));
        };
        if end == 0 {
            continue;
        }
        if end < start {
            return Err(IoError::parse(
                path,
                0,
                format!("period {i} ends ({end}) before it starts ({start})"),
            ));
        }
        let home_gk_left = boolean(v.get(format!("Phase{i}HomeGKLeft")));
        periods.push(MetaPeriod { id: i, start_frame: start, end_frame: end, home_gk_left });
    }
    let roster = |team: Option<&Value>| -> Vec<MetaPlayer> {
        let list = match team {
            Some(Value::Array(a)) => Some(a),
            Some(t) => t.get("Players").and_then(Value::as_array),
            None => None,
        };
        list.map(|l| {
            l.iter()
                .filter_map(|p| {
                    let jersey = u32::try_from(int(p.get("JerseyNo"))?).ok()?;
                    let role = [p.get("StartingPosition"), p.get("CurrentPosition")]
                        .into_iter()
                        .filter_map(string)
                        .find(|r| !matches!(r.as_str(), "" | "S" | "O"));
                    Some(MetaPlayer {
                        id: string(p.get("PlayerID")).or_else(|| string(p.get("PlayerId"))),
                        jersey,
                        name: full_name(string(p.get("FirstName")), string(p.get("LastName"))),
                        role,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let meta = Meta {
        frame_rate,
        pitch,
        periods,
        home: roster(v.get("HomeTeam")),
        away: roster(v.get("AwayTeam")),
        officials: roster(v.get("Referees")),
    };
    validate_meta(meta, path)
}

fn validate_meta(mut meta: Meta, path: &Path) -> Result<Meta> {
    if !(meta.frame_rate.is_finite() && meta.frame_rate > 0.0) {
        return Err(IoError::missing(path, format!("a positive frame rate (got {})", meta.frame_rate)));
    }
    if meta.periods.is_empty() {
        return Err(IoError::missing(path, "periods (no period with a non-zero end frame)"));
    }
    meta.periods.sort_by_key(|p| p.start_frame);
    for w in meta.periods.windows(2) {
        if w[1].start_frame <= w[0].end_frame {
            return Err(IoError::parse(path, 0, format!("periods {} and {} overlap", w[0].id, w[1].id)));
        }
    }
    Ok(meta)
}

// ------------------------------------------------------------------------------------------------
// raw data

/// Parses raw tracking bytes: TRACAB JSON if the first non-blank byte is `{`, else `.dat`.
pub fn parse(raw: &[u8], meta: &Meta, path: &Path) -> Result<TracabData> {
    let first =
        raw.iter().copied().find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    if first == Some(b'{') { parse_raw_json(raw, meta, path) } else { parse_dat(raw, meta, path) }
}

#[derive(Clone, Copy)]
enum Loc {
    Line(usize),
    Frame(i64),
}

struct Assembler<'m> {
    b: TrackingBuilder,
    meta: &'m Meta,
    offsets: Vec<f64>,
    ball: usize,
    ids: HashMap<(Team, u32), usize>,
    stamp: Vec<usize>,
    frame_idx: usize,
    status: Vec<Option<BallStatus>>,
    owner: Vec<Option<Team>>,
    dropped: usize,
    first_dropped: Option<i64>,
}

impl<'m> Assembler<'m> {
    fn new(meta: &'m Meta, path: &Path) -> Self {
        let mut b = TrackingBuilder::new(path);
        let ball = b.agent(Agent::ball());
        let mut ids = HashMap::new();
        for (team, list) in
            [(Team::Home, &meta.home), (Team::Away, &meta.away), (Team::Officials, &meta.officials)]
        {
            for p in list {
                if ids.contains_key(&(team, p.jersey)) {
                    continue;
                }
                let mut a = Agent::new(agent_id(team, p.jersey), team).with_jersey(p.jersey);
                a.name = p.name.clone();
                a.role = p.role.clone();
                ids.insert((team, p.jersey), b.agent(a));
            }
        }
        let mut offsets = Vec::with_capacity(meta.periods.len());
        let mut acc = 0.0;
        for p in &meta.periods {
            offsets.push(acc);
            // in f64: no overflow whatever the meta file says
            acc += (p.end_frame as f64 - p.start_frame as f64 + 1.0) / meta.frame_rate;
        }
        let stamp = vec![usize::MAX; b.agents().len()];
        Assembler {
            b,
            meta,
            offsets,
            ball,
            ids,
            stamp,
            frame_idx: usize::MAX,
            status: Vec::new(),
            owner: Vec::new(),
            dropped: 0,
            first_dropped: None,
        }
    }

    fn err(&self, loc: Loc, message: impl Into<String>) -> IoError {
        let path = self.b.path().to_path_buf();
        match loc {
            Loc::Line(line) => IoError::Parse { path, line, message: message.into() },
            Loc::Frame(frame) => IoError::Frame { path, frame, message: message.into() },
        }
    }

    /// Starts a frame; false if it lies outside every period (then it is skipped).
    fn begin(&mut self, frame: i64) -> bool {
        let found = self.meta.periods.iter().position(|p| p.start_frame <= frame && frame <= p.end_frame);
        let Some(i) = found else {
            self.dropped += 1;
            self.first_dropped.get_or_insert(frame);
            return false;
        };
        let p = &self.meta.periods[i];
        let t = (frame as f64 - p.start_frame as f64) / self.meta.frame_rate
            + self.offsets.get(i).copied().unwrap_or(0.0);
        self.frame_idx = self.b.push_frame(frame, t, p.id);
        self.status.push(None);
        self.owner.push(None);
        true
    }

    fn object(&mut self, team_code: i64, jersey: i64, x: f64, y: f64, loc: Loc) -> Result<()> {
        let team = match team_code {
            1 => Team::Home,
            0 => Team::Away,
            3 => Team::Officials,
            -1 | 4 => return Ok(()),
            other => {
                return Err(self.err(loc, format!("unknown team code {other} (expected 1, 0, 3, 4 or -1)")));
            }
        };
        let jersey = u32::try_from(jersey)
            .map_err(|_| self.err(loc, format!("{} object with invalid jersey number {jersey}", team)))?;
        let a = match self.ids.get(&(team, jersey)) {
            Some(&a) => a,
            None => {
                let a = self.b.agent(Agent::new(agent_id(team, jersey), team).with_jersey(jersey));
                self.ids.insert((team, jersey), a);
                a
            }
        };
        if self.stamp.len() <= a {
            self.stamp.resize(a + 1, usize::MAX);
        }
        if self.stamp[a] == self.frame_idx {
            return Err(self.err(loc, format!("{} appears twice in one frame", agent_id(team, jersey))));
        }
        self.stamp[a] = self.frame_idx;
        self.b.observe(a, x, y);
        Ok(())
    }

    fn ball(&mut self, x: f64, y: f64, z_cm: f64, owner: Option<Team>, status: Option<BallStatus>) {
        self.b.observe(self.ball, x, y);
        self.b.ball_z(z_cm * Unit::Centimetres.metres());
        if let Some(s) = self.status.last_mut() {
            *s = status;
        }
        if let Some(o) = self.owner.last_mut() {
            *o = owner;
        }
    }

    fn finish(self) -> Result<TracabData> {
        if let (0, Some(frame)) = (self.b.n_frames(), self.first_dropped) {
            let spans: Vec<String> = self
                .meta
                .periods
                .iter()
                .map(|p| format!("{}: {}..={}", p.id, p.start_frame, p.end_frame))
                .collect();
            return Err(IoError::Frame {
                path: self.b.path().to_path_buf(),
                frame,
                message: format!(
                    "none of the {} frames lies inside a period of the meta file ({})",
                    self.dropped,
                    spans.join(", ")
                ),
            });
        }
        let mut b =
            self.b.frame_rate(self.meta.frame_rate).transform(AxisTransform::from_unit(Unit::Centimetres));
        if let Some(p) = self.meta.pitch {
            b = b.pitch(p);
        }
        for p in &self.meta.periods {
            if let Some(left) = p.home_gk_left {
                b = b.period_direction(
                    p.id,
                    if left { Direction::LeftToRight } else { Direction::RightToLeft },
                );
            }
        }
        Ok(TracabData {
            data: b.finish()?,
            ball_status: self.status,
            ball_owner: self.owner,
            dropped_frames: self.dropped,
        })
    }
}

fn agent_id(team: Team, jersey: u32) -> String {
    match team {
        Team::Officials => format!("referee_{jersey}"),
        t => format!("{}_{jersey}", t.as_str()),
    }
}

fn parse_owner(s: &str) -> std::result::Result<Option<Team>, String> {
    match s.trim() {
        "H" => Ok(Some(Team::Home)),
        "A" => Ok(Some(Team::Away)),
        "" => Ok(None),
        other => Err(format!("unknown ball owning team {other:?} (expected H or A)")),
    }
}

fn parse_status(s: &str) -> std::result::Result<Option<BallStatus>, String> {
    match s.trim() {
        "Alive" => Ok(Some(BallStatus::Alive)),
        "Dead" => Ok(Some(BallStatus::Dead)),
        "" => Ok(None),
        other => Err(format!("unknown ball status {other:?} (expected Alive or Dead)")),
    }
}

/// Parses a TRACAB `.dat` file's bytes; errors name `path` and the 1-based line.
pub fn parse_dat(raw: &[u8], meta: &Meta, path: &Path) -> Result<TracabData> {
    let text = bytes_to_text(raw.to_vec(), path)?;
    if text.trim().is_empty() {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    let mut asm = Assembler::new(meta, path);
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let perr = |m: String| IoError::parse(path, n, m);
        let mut chunks = line.split(':');
        let frame_s = chunks.next().unwrap_or("");
        let (Some(objects), Some(ball)) = (chunks.next(), chunks.next()) else {
            return Err(perr("expected `frame:objects:ball:`, the line has fewer than 3 `:`-chunks".into()));
        };
        let frame: i64 = frame_s
            .trim()
            .parse()
            .map_err(|_| perr(format!("frame number {frame_s:?} is not an integer")))?;
        // Every line is checked, also those outside the periods that are then skipped.
        let mut objs: Vec<(i64, i64, f64, f64)> = Vec::with_capacity(32);
        for obj in objects.split(';').filter(|o| !o.trim().is_empty()) {
            let f: Vec<&str> = obj.split(',').map(str::trim).collect();
            if f.len() != 6 {
                return Err(perr(format!(
                    "object {obj:?} has {} fields, expected 6 (team,target,jersey,x,y,speed)",
                    f.len()
                )));
            }
            let ints: Vec<i64> = f[..3]
                .iter()
                .map(|s| {
                    s.parse::<i64>().map_err(|_| perr(format!("object {obj:?}: {s:?} is not an integer")))
                })
                .collect::<Result<_>>()?;
            let nums: Vec<f64> = f[3..]
                .iter()
                .map(|s| s.parse::<f64>().map_err(|_| perr(format!("object {obj:?}: {s:?} is not a number"))))
                .collect::<Result<_>>()?;
            objs.push((ints[0], ints[2], nums[0], nums[1]));
        }
        let first_ball = ball.split(';').next().unwrap_or("");
        let f: Vec<&str> = first_ball.split(',').map(str::trim).collect();
        if f.len() < 6 {
            return Err(perr(format!(
                "ball {first_ball:?} has {} fields, expected at least 6 (x,y,z,speed,owner,status)",
                f.len()
            )));
        }
        let nums: Vec<f64> = f[..4]
            .iter()
            .map(|s| s.parse::<f64>().map_err(|_| perr(format!("ball: {s:?} is not a number"))))
            .collect::<Result<_>>()?;
        let owner = parse_owner(f[4]).map_err(perr)?;
        let status = parse_status(f[5]).map_err(perr)?;
        if !asm.begin(frame) {
            continue;
        }
        for (team, jersey, x, y) in objs {
            asm.object(team, jersey, x, y, Loc::Line(n))?;
        }
        asm.ball(nums[0], nums[1], nums[2], owner, status);
    }
    asm.finish()
}

#[derive(Deserialize)]
struct RawJson {
    #[serde(rename = "FrameData")]
    frames: Vec<RawFrame>,
}

#[derive(Deserialize)]
struct RawFrame {
    #[serde(rename = "FrameCount")]
    frame: i64,
    #[serde(rename = "PlayerPositions", default)]
    players: Vec<RawObject>,
    #[serde(rename = "BallPosition", default)]
    ball: Vec<RawBall>,
}

#[derive(Deserialize)]
struct RawObject {
    #[serde(rename = "Team")]
    team: i64,
    #[serde(rename = "JerseyNumber")]
    jersey: i64,
    #[serde(rename = "X")]
    x: Option<f64>,
    #[serde(rename = "Y")]
    y: Option<f64>,
}

#[derive(Deserialize)]
struct RawBall {
    #[serde(rename = "X")]
    x: Option<f64>,
    #[serde(rename = "Y")]
    y: Option<f64>,
    #[serde(rename = "Z")]
    z: Option<f64>,
    #[serde(rename = "BallOwningTeam")]
    owner: Option<String>,
    #[serde(rename = "BallStatus")]
    status: Option<String>,
}

/// Parses TRACAB raw JSON bytes; syntax errors name the line, content errors the frame number.
pub fn parse_raw_json(raw: &[u8], meta: &Meta, path: &Path) -> Result<TracabData> {
    let text = bytes_to_text(raw.to_vec(), path)?;
    if text.trim().is_empty() {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    let doc: RawJson = serde_json::from_str(&text)
        .map_err(|e| IoError::parse(path, e.line(), format!("invalid TRACAB raw JSON: {e}")))?;
    let mut asm = Assembler::new(meta, path);
    for f in &doc.frames {
        if !asm.begin(f.frame) {
            continue;
        }
        let loc = Loc::Frame(f.frame);
        for o in &f.players {
            asm.object(o.team, o.jersey, o.x.unwrap_or(f64::NAN), o.y.unwrap_or(f64::NAN), loc)?;
        }
        if let Some(ball) = f.ball.first() {
            let owner = parse_owner(ball.owner.as_deref().unwrap_or("")).map_err(|m| asm.err(loc, m))?;
            let status = parse_status(ball.status.as_deref().unwrap_or("")).map_err(|m| asm.err(loc, m))?;
            asm.ball(
                ball.x.unwrap_or(f64::NAN),
                ball.y.unwrap_or(f64::NAN),
                ball.z.unwrap_or(f64::NAN),
                owner,
                status,
            );
        }
    }
    asm.finish()
}
