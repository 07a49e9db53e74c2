//! databallpy's wide tracking CSV (one row per frame) with its `metadata.json`.
//!
//! Format facts this loader relies on:
//!
//! - **Columns**: `frame`, `ball_x`, `ball_y`, `ball_z`, `ball_status` (`alive`/`dead`),
//!   `team_possession` (`home`/`away`), then `<home|away>_<shirt>_x` / `_y` per player, and
//!   `period_id`. Other columns (e.g. `datetime`, `gametime_td`, velocities) are ignored.
//! - **Units and axes**: metres, origin at the pitch centre, `x` along the length, `y` up (databallpy
//!   keeps TRACAB's orientation). databallpy *normalises the playing direction*: the home team attacks
//!   `+x` in every period; the periods it mirrored are listed in the metadata's
//!   `_periods_changed_playing_direction`. So every period gets home direction
//!   [`Direction::LeftToRight`]; the list is exposed in [`Meta::changed_direction`].
//! - **Metadata** (`metadata.json`): `tracking_data_frame_rate` (Hz) and `pitch_dimensions`
//!   (`[length, width]` in metres).
//! - **Visibility**: no flag. An empty cell (or `nan`) means the player is not on the pitch:
//!   missing. Substitutes' columns are empty throughout, so those agents are dropped.
//! - **Frames outside every period**: databallpy marks them with a `period_id` below 1 (`-999`); they
//!   are dropped and counted in [`DataballpyData::dropped_frames`].
//!
//! Decisions:
//!
//! - Time = `(frame - first frame) / frame rate` (frame numbers are consecutive at the frame rate).
//! - Without `metadata.json` the frame rate is unknown (the CSV has no clock), so [`open`] fails with
//!   [`IoError::MissingCompanion`] listing the names tried; a metadata file without a usable frame rate
//!   gives [`IoError::MissingMetadata`]. Build a [`Meta`] yourself and call [`parse`] to bypass.
//! - Agent ids `home_<shirt>` / `away_<shirt>` with the shirt number as jersey, ball `ball` with its
//!   height in [`TrackingData::ball_z`].
//!
//! ```
//! use std::path::Path;
//! let csv = Path::new(concat!(env!("CARGO_MANIFEST_DIR"),
//!     "/../../../shared/data/tracab_databallpy/tracking_wide.csv"));
//! let data = touchline_io::databallpy::open(csv)?;
//! assert_eq!(data.n_frames(), 9000);
//! assert_eq!(data.n_agents(), 23); // 11 + 11 + ball
//! assert_eq!(data.frame_rate(), 25.0);
//! # Ok::<(), touchline_io::IoError>(())
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use touchline_core::{Agent, Direction, Pitch, Team};

pub use crate::tracab::BallStatus;
use crate::{IoError, Result, TrackingBuilder, TrackingData, bytes_to_text, find_companion, read_bytes};

/// What `metadata.json` tells.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// Frames per second.
    pub frame_rate: f64,
    /// Pitch size in metres, when given.
    pub pitch: Option<Pitch>,
    /// Periods whose coordinates databallpy mirrored so that home attacks `+x`.
    pub changed_direction: Vec<u32>,
}

/// Tracking data with the per-frame ball information of the CSV.
#[derive(Debug, Clone)]
pub struct DataballpyData {
    /// The positions.
    pub data: TrackingData,
    /// `ball_status` per frame of `data`.
    pub ball_status: Vec<Option<BallStatus>>,
    /// `team_possession` per frame of `data` ([`Team::Home`] / [`Team::Away`]).
    pub possession: Vec<Option<Team>>,
    /// Rows with a `period_id` below 1 (outside every period), not loaded.
    pub dropped_frames: usize,
}

/// True if `head` starts with a databallpy wide-CSV header.
pub fn sniff(_path: &Path, head: &str) -> bool {
    let header = head.trim_start_matches('\u{feff}').lines().next().unwrap_or("");
    let cols: Vec<&str> = header.split(',').map(|c| c.trim().trim_matches('"')).collect();
    let has = |c: &str| cols.contains(&c);
    has("frame") && has("ball_x") && has("ball_y") && cols.iter().any(|c| player_column(c).is_some())
}

/// `home_7_x` -> (Home, 7, 0); `away_12_y` -> (Away, 12, 1).
fn player_column(c: &str) -> Option<(Team, u32, usize)> {
    let (team, rest) = if let Some(r) = c.strip_prefix("home_") {
        (Team::Home, r)
    } else {
        (Team::Away, c.strip_prefix("away_")?)
    };
    let (num, axis) = rest.split_once('_')?;
    let axis = match axis {
        "x" => 0,
        "y" => 1,
        _ => return None,
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((team, num.parse().ok()?, axis))
}

/// Candidate metadata names next to the CSV, in the order [`find_meta`] tries them.
pub fn meta_candidates(csv: &Path) -> Vec<String> {
    let stem = csv.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let mut names = vec!["metadata.json".to_string()];
    if !stem.is_empty() {
        names.push(format!("{stem}_metadata.json"));
        for from in ["tracking_wide", "tracking_data", "tracking"] {
            if stem.contains(from) {
                names.push(format!("{}.json", stem.replacen(from, "metadata", 1)));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

/// Finds `metadata.json` next to the CSV.
pub fn find_meta(csv: &Path) -> Result<PathBuf> {
    find_companion(csv, "databallpy metadata.json", &meta_candidates(csv))
}

/// Loads the wide CSV, reading `metadata.json` next to it.
pub fn open(path: &Path) -> Result<TrackingData> {
    open_full(path).map(|d| d.data)
}

/// Like [`open`], keeping ball status and possession.
pub fn open_full(path: &Path) -> Result<DataballpyData> {
    let meta = find_meta(path)?;
    load_full(path, &meta)
}

/// Loads the wide CSV with an explicit metadata file.
pub fn load(csv: &Path, meta: &Path) -> Result<TrackingData> {
    load_full(csv, meta).map(|d| d.data)
}

/// Like [`load`], keeping ball status and possession.
pub fn load_full(csv: &Path, meta: &Path) -> Result<DataballpyData> {
    let meta = parse_meta(&read_bytes(meta)?, meta)?;
    parse(&read_bytes(csv)?, &meta, csv)
}

/// Parses `metadata.json`.
pub fn parse_meta(bytes: &[u8], path: &Path) -> Result<Meta> {
    let text = bytes_to_text(bytes.to_vec(), path)?;
    if text.trim().is_empty() {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| IoError::parse(path, e.line(), format!("invalid JSON metadata: {e}")))?;
    let frame_rate = v
        .get("tracking_data_frame_rate")
        .and_then(Value::as_f64)
        .filter(|f| f.is_finite() && *f > 0.0)
        .ok_or_else(|| IoError::missing(path, "a positive tracking_data_frame_rate"))?;
    let pitch = v.get("pitch_dimensions").and_then(Value::as_array).and_then(|a| match a.as_slice() {
        [l, w] => Pitch::new(l.as_f64()?, w.as_f64()?).ok(),
        _ => None,
    });
    let changed_direction = v
        .get("_periods_changed_playing_direction")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|p| u32::try_from(p.as_i64()?).ok()).collect())
        .unwrap_or_default();
    Ok(Meta { frame_rate, pitch, changed_direction })
}

fn parse_int(s: &str) -> Option<i64> {
    if let Ok(v) = s.parse::<i64>() {
        return Some(v);
    }
    // pandas may write integer columns with missing values as floats: "1.0"
    let f = s.parse::<f64>().ok()?;
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 { Some(f as i64) } else { None }
}

/// Parses the wide CSV's bytes in one pass; errors name `path` and the 1-based line.
pub fn parse(raw: &[u8], meta: &Meta, path: &Path) -> Result<DataballpyData> {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    let csv_err = |e: csv::Error| {
        let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
        IoError::parse(path, line, format!("CSV: {e}"))
    };
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(raw);
    let header = rdr.byte_headers().map_err(csv_err)?.clone();
    let col = |name: &str| {
        header.iter().position(|h| h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h) == name.as_bytes())
    };
    let frame_col = col("frame").ok_or_else(|| IoError::parse(path, 1, "header has no `frame` column"))?;
    let (bx, by, bz) = (col("ball_x"), col("ball_y"), col("ball_z"));
    let (status_col, poss_col, period_col) = (col("ball_status"), col("team_possession"), col("period_id"));

    let mut b = TrackingBuilder::new(path);
    let ball = b.agent(Agent::ball());
    // (agent, x column, y column)
    let mut pairs: HashMap<(Team, u32), [Option<usize>; 2]> = HashMap::new();
    let mut order: Vec<(Team, u32)> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let Some((team, jersey, axis)) = std::str::from_utf8(h).ok().and_then(player_column) else {
            continue;
        };
        let slot = pairs.entry((team, jersey)).or_insert_with(|| {
            order.push((team, jersey));
            [None, None]
        });
        if slot[axis].is_some() {
            return Err(IoError::parse(path, 1, format!("duplicate column {}", String::from_utf8_lossy(h))));
        }
        slot[axis] = Some(i);
    }
    let mut players: Vec<(usize, usize, usize)> = Vec::with_capacity(order.len());
    for key in &order {
        let (team, jersey) = *key;
        let id = format!("{}_{jersey}", team.as_str());
        match pairs.get(key) {
            Some([Some(x), Some(y)]) => {
                let a = b.agent(Agent::new(id, team).with_jersey(jersey));
                players.push((a, *x, *y));
            }
            _ => return Err(IoError::parse(path, 1, format!("column {id}_x or {id}_y is missing"))),
        }
    }

    let mut status = Vec::new();
    let mut possession = Vec::new();
    let mut first_frame: Option<i64> = None;
    let mut dropped = 0usize;
    let mut periods_seen: Vec<u32> = Vec::new();
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_err(e)),
        }
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        let text = |i: usize| -> Result<&str> {
            let f = rec.get(i).unwrap_or(b"");
            std::str::from_utf8(f)
                .map(str::trim)
                .map_err(|_| IoError::parse(path, line, "field is not UTF-8"))
        };
        let name = |i: usize| String::from_utf8_lossy(header.get(i).unwrap_or(b"?")).into_owned();
        let number = |i: usize| -> Result<f64> {
            let s = text(i)?;
            if s.is_empty() {
                return Ok(f64::NAN);
            }
            s.parse::<f64>()
                .map_err(|_| IoError::parse(path, line, format!("{}: {s:?} is not a number", name(i))))
        };
        let fs = text(frame_col)?;
        let frame = parse_int(fs)
            .ok_or_else(|| IoError::parse(path, line, format!("frame {fs:?} is not an integer")))?;
        let period = match period_col {
            None => 1,
            Some(c) => {
                let s = text(c)?;
                let p = parse_int(s).ok_or_else(|| {
                    IoError::parse(path, line, format!("period_id {s:?} is not an integer"))
                })?;
                if p < 1 {
                    dropped += 1;
                    continue;
                }
                u32::try_from(p)
                    .map_err(|_| IoError::parse(path, line, format!("period_id {p} out of range")))?
            }
        };
        let t0 = *first_frame.get_or_insert(frame);
        let t = frame.checked_sub(t0).map(|d| d as f64 / meta.frame_rate).unwrap_or(f64::NAN);
        b.push_frame(frame, t, period);
        if !periods_seen.contains(&period) {
            periods_seen.push(period);
        }
        if let (Some(x), Some(y)) = (bx, by) {
            b.observe(ball, number(x)?, number(y)?);
        }
        if let Some(z) = bz {
            b.ball_z(number(z)?);
        }
        status.push(match status_col {
            None => None,
            Some(c) => match text(c)?.to_ascii_lowercase().as_str() {
                "alive" => Some(BallStatus::Alive),
                "dead" => Some(BallStatus::Dead),
                "" | "nan" | "none" => None,
                other => {
                    return Err(IoError::parse(
                        path,
                        line,
                        format!("ball_status {other:?} is neither alive nor dead"),
                    ));
                }
            },
        });
        possession.push(match poss_col {
            None => None,
            Some(c) => match text(c)?.to_ascii_lowercase().as_str() {
                "home" => Some(Team::Home),
                "away" => Some(Team::Away),
                _ => None,
            },
        });
        for &(a, x, y) in &players {
            b.observe(a, number(x)?, number(y)?);
        }
    }
    if b.n_frames() == 0 && dropped > 0 {
        return Err(IoError::parse(path, 0, format!("all {dropped} rows have a period_id below 1")));
    }
    let mut b = b.frame_rate(meta.frame_rate);
    if let Some(p) = meta.pitch {
        b = b.pitch(p);
    }
    for p in periods_seen {
        b = b.period_direction(p, Direction::LeftToRight);
    }
    Ok(DataballpyData { data: b.finish()?, ball_status: status, possession, dropped_frames: dropped })
}
