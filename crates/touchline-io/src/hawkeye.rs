//! Hawk-Eye football ball samples (`*.football.samples.ball`).
//!
//! Format facts this loader relies on (from the sample in kloppy's test
//! files): one JSON document per match minute, named
//! `<prefix>_<segment>_<minute>.football.samples.ball`, with
//! - `samples.ball[]`: `{pos: [x, y, z], time, speed, play: "In"|"Out", ...}`:
//!   metres, origin at the pitch centre, `z` the height; `time` in seconds
//!   since the file's `time.startUTC`; about 50 samples a second;
//! - `sequences.segment` (the period) and `sequences.match-minute`;
//! - `segments[]`: each segment's `startTimeUTC`;
//! - `units.length` (must be `metre`).
//!
//! Timestamps are on one continuous wall clock: seconds since the start
//! (`startTimeUTC`) of the first segment numbered 1 or more, so a match spread over many
//! minute files concatenates in order and half time stays a gap in time.
//! Only the ball is in these files (player centroids come in separate
//! `*.samples.centroids` files, which this loader does not read). Samples
//! with `play: "Out"` are still observed positions (the ball is out of play,
//! not unseen). Pitch size comes from the meta file next to it
//! (`hawkeye_meta.json` `Stadium.PitchLength/Width`, or the XML's
//! `stadium/pitch/length|width`) when present.
//!
//! ```
//! let path = concat!(env!("CARGO_MANIFEST_DIR"),
//!     "/../../../shared/data/kloppy_samples/hawkeye/hawkeye_1_1.football.samples.ball");
//! let d = touchline_io::hawkeye::open(path.as_ref())?;
//! assert_eq!(d.n_frames(), 2969);
//! assert_eq!(d.n_agents(), 1);
//! assert!(d.ball_z().is_some());
//! # Ok::<(), touchline_io::IoError>(())
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use touchline_core::{Agent, Pitch, TrackingData};

use crate::builder::TrackingBuilder;
use crate::error::{IoError, Result};

#[derive(Deserialize)]
struct Doc {
    samples: Samples,
    time: Time,
    sequences: Sequences,
    #[serde(default)]
    segments: Vec<Segment>,
    #[serde(default)]
    units: Option<Units>,
}

#[derive(Deserialize)]
struct Samples {
    ball: Vec<BallSample>,
}

#[derive(Deserialize)]
struct BallSample {
    pos: Vec<Option<f64>>,
    time: Option<f64>,
}

#[derive(Deserialize)]
struct Time {
    #[serde(rename = "startUTC")]
    start_utc: String,
}

#[derive(Deserialize)]
struct Sequences {
    segment: u32,
    #[serde(rename = "match-minute")]
    match_minute: Option<u32>,
}

#[derive(Deserialize)]
struct Segment {
    segment: u32,
    #[serde(rename = "startTimeUTC")]
    start_utc: String,
}

#[derive(Deserialize)]
struct Units {
    length: Option<String>,
}

/// Seconds since 1970 of an ISO-8601 UTC time `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
fn parse_utc(s: &str) -> Option<f64> {
    let s = s.trim().strip_suffix('Z').unwrap_or(s.trim());
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-');
    let (y, m, day): (i64, i64, i64) =
        (d.next()?.parse().ok()?, d.next()?.parse().ok()?, d.next()?.parse().ok()?);
    let mut t = time.split(':');
    let (hh, mm): (i64, i64) = (t.next()?.parse().ok()?, t.next()?.parse().ok()?);
    let ss: f64 = t.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || !(0..24).contains(&hh) || !(0..60).contains(&mm)
    {
        return None;
    }
    if !(0.0..61.0).contains(&ss) {
        return None;
    }
    // days from civil (proleptic Gregorian), Howard Hinnant's formulation
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + hh * 3600 + mm * 60) as f64 + ss)
}

/// One parsed minute file: `(segment, minute, [(utc seconds, x, y, z)], clock origin)`.
struct Minute {
    segment: u32,
    minute: u32,
    samples: Vec<(f64, [f64; 3])>,
    origin: Option<f64>,
}

fn parse_minute(bytes: &[u8], path: &Path) -> Result<Minute> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    let doc: Doc =
        serde_json::from_slice(bytes).map_err(|e| IoError::parse(path, e.line(), e.to_string()))?;
    if let Some(unit) = doc.units.as_ref().and_then(|u| u.length.as_deref())
        && unit != "metre"
    {
        return Err(IoError::parse(path, 0, format!("length unit {unit:?}, expected \"metre\"")));
    }
    let start = parse_utc(&doc.time.start_utc).ok_or_else(|| {
        IoError::parse(path, 0, format!("time.startUTC {:?} is not an ISO UTC time", doc.time.start_utc))
    })?;
    let origin = doc
        .segments
        .iter()
        .filter(|s| s.segment >= 1)
        .filter_map(|s| parse_utc(&s.start_utc))
        .fold(None, |m: Option<f64>, t| Some(m.map_or(t, |m| m.min(t))));
    let mut samples = Vec::with_capacity(doc.samples.ball.len());
    for (i, s) in doc.samples.ball.iter().enumerate() {
        let Some(t) = s.time.filter(|t| t.is_finite()) else {
            return Err(IoError::Frame {
                path: path.to_path_buf(),
                frame: i as i64,
                message: "ball sample has no finite time".into(),
            });
        };
        let get = |k: usize| s.pos.get(k).copied().flatten().unwrap_or(f64::NAN);
        samples.push((start + t, [get(0), get(1), get(2)]));
    }
    Ok(Minute {
        segment: doc.sequences.segment,
        minute: doc.sequences.match_minute.unwrap_or(0),
        samples,
        origin,
    })
}

/// Parses one minute file's bytes (errors name `path`); pitch unknown.
pub fn parse(bytes: &[u8], path: &Path) -> Result<TrackingData> {
    build(vec![(path.to_path_buf(), parse_minute(bytes, path)?)], None, path)
}

fn build(mut minutes: Vec<(PathBuf, Minute)>, pitch: Option<Pitch>, path: &Path) -> Result<TrackingData> {
    minutes.sort_by_key(|(_, m)| (m.segment, m.minute));
    let origin = minutes
        .iter()
        .filter_map(|(_, m)| m.origin)
        .fold(None, |a: Option<f64>, t| Some(a.map_or(t, |a| a.min(t))))
        .or_else(|| minutes.first().and_then(|(_, m)| m.samples.first().map(|s| s.0)))
        .unwrap_or(0.0);
    let mut b = TrackingBuilder::new(path).frame_rate(50.0);
    if let Some(p) = pitch {
        b = b.pitch(p);
    }
    let ball = b.agent(Agent::ball());
    let mut n = 0i64;
    let mut last = f64::NEG_INFINITY;
    for (file, m) in &minutes {
        for (i, &(t, [x, y, z])) in m.samples.iter().enumerate() {
            let t = t - origin;
            if t <= last {
                return Err(IoError::Frame {
                    path: file.clone(),
                    frame: i as i64,
                    message: format!("sample time {t:.6} s is not after the previous {last:.6} s"),
                });
            }
            last = t;
            b.push_frame(n, t, m.segment);
            b.observe(ball, x, y);
            b.ball_z(z);
            n += 1;
        }
    }
    b.finish()
}

/// Reads the pitch size from a Hawk-Eye meta file (JSON or XML).
pub fn parse_meta(bytes: &[u8], path: &Path) -> Result<Pitch> {
    let text = String::from_utf8_lossy(bytes);
    let bad = |what: &str| IoError::missing(path, what.to_string());
    let (l, w) = if text.trim_start().starts_with('<') {
        let doc = roxmltree::Document::parse(&text)
            .map_err(|e| IoError::parse(path, e.pos().row as usize, e.to_string()))?;
        let find = |name: &str| {
            doc.descendants()
                .find(|n| n.has_tag_name("pitch"))
                .and_then(|p| p.children().find(|c| c.has_tag_name(name)))
                .and_then(|c| c.text())
                .and_then(|t| t.trim().parse::<f64>().ok())
        };
        (
            find("length").ok_or_else(|| bad("stadium/pitch/length"))?,
            find("width").ok_or_else(|| bad("stadium/pitch/width"))?,
        )
    } else {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| IoError::parse(path, e.line(), e.to_string()))?;
        let get = |k: &str| v.get("Stadium").and_then(|s| s.get(k)).and_then(|x| x.as_f64());
        (
            get("PitchLength").ok_or_else(|| bad("Stadium.PitchLength"))?,
            get("PitchWidth").ok_or_else(|| bad("Stadium.PitchWidth"))?,
        )
    };
    Pitch::new(l, w).map_err(|e| IoError::Invalid { path: path.to_path_buf(), source: e })
}

/// Loads several minute files (any order) into one dataset, with the pitch
/// from `meta` if given.
pub fn load(files: &[PathBuf], meta: Option<&Path>) -> Result<TrackingData> {
    let first = files.first().ok_or_else(|| IoError::Empty { path: PathBuf::from("<no Hawk-Eye files>") })?;
    let mut minutes = Vec::with_capacity(files.len());
    for f in files {
        minutes.push((f.clone(), parse_minute(&crate::read_bytes(f)?, f)?));
    }
    let pitch = match meta {
        Some(m) => Some(parse_meta(&crate::read_bytes(m)?, m)?),
        None => None,
    };
    build(minutes, pitch, first)
}

/// Loads one minute file, with the pitch from a meta file next to it
/// (`hawkeye_meta.json`, `hawkeye_meta.xml`, `meta.json`, `meta.xml`) if
/// there is one.
pub fn open(path: &Path) -> Result<TrackingData> {
    let names: Vec<String> = ["hawkeye_meta.json", "hawkeye_meta.xml", "meta.json", "meta.xml"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let meta = crate::find_companion(path, "Hawk-Eye meta file", &names).ok();
    load(&[path.to_path_buf()], meta.as_deref())
}

/// True for Hawk-Eye ball sample files.
pub fn sniff(path: &Path, head: &str) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let looks = head.contains("\"samples\"") && head.contains("\"ball\"");
    name.ends_with(".samples.ball") || (looks && head.contains("heId"))
}

#[cfg(test)]
mod tests {
    use super::parse_utc;

    #[test]
    fn utc_parsing() {
        assert_eq!(parse_utc("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_utc("2000-03-01T00:00:00Z"), Some(951_868_800.0));
        let t = parse_utc("2024-09-22T21:00:49.383Z").unwrap();
        assert!((t - 1_727_038_849.383).abs() < 1e-6);
        assert_eq!(parse_utc("2024-13-01T00:00:00Z"), None);
        assert_eq!(parse_utc("yesterday"), None);
        assert_eq!(parse_utc("2024-01-01T25:00:00Z"), None);
    }
}
