//! Touchline's own formats, read and written: a long CSV and a JSON
//! document. They carry everything in a [`TrackingData`] (positions,
//! observation mask, imputed values, provider estimates, ball height, frame
//! ids, timestamps, periods, agents, frame rate, pitch), so users of any
//! provider Touchline has no loader for have a way in, and data written here
//! read back bit for bit.
//!
//! # Long CSV
//!
//! ```text
//! # frame_rate=25
//! # pitch=105x68
//! frame,time_s,period,agent,team,jersey,role,name,x,y,observed,estimate_x,estimate_y,ball_z
//! 0,0,1,home_10,home,10,,,-3.25,1.5,1,,,
//! 0,0,1,ball,ball,,,,0,0,1,,,0.11
//! 1,0.04,1,home_10,home,10,,,,,0,-3.2,1.5,0.12
//! ```
//!
//! - One row per (frame, agent). Required columns `frame,time_s,agent,team,x,y,observed`;
//!   optional `period,jersey,role,name,estimate_x,estimate_y,ball_z`; any column order; other
//!   columns are ignored. Column names are case-insensitive.
//! - Coordinates are Touchline's: metres, origin at the pitch centre, `x` along the length,
//!   `y` up. `time_s` in seconds.
//! - `observed` is `1`/`0`/`true`/`false`. A row with `observed=0` and finite `x,y` holds an
//!   imputed value: it is read back as unobserved with the value kept. A row with
//!   `observed=1` but an empty or non-finite coordinate is read as missing (never as
//!   observed). Missing values are empty fields (`NaN` is also accepted).
//! - `team` is `home`, `away`, `ball`, `officials` or `unknown` (empty = unknown);
//!   `jersey`, `role`, `name` describe the agent (empty = unknown; they must not conflict
//!   between rows of one agent). `estimate_x,estimate_y` are positions the provider filled in
//!   itself; `ball_z` (metres) is per frame and may be given on any row of the frame.
//! - `period` is the period id of the frame; empty means the frame is outside every period
//!   (e.g. a break). Without the column all frames form period 1.
//! - Frames are identified by (`period`, `frame`); rows may come in any order (by frame,
//!   by agent, shuffled): frames are put in `time_s` order. All rows of a frame must agree
//!   on `time_s` and `ball_z`; two frames with the same time are an [`IoError::Frame`].
//!   Frame numbers are labels: they are kept, but the order is the order of `time_s`.
//!   Agents keep the order of their first row.
//! - Leading comment lines `# key=value` carry metadata: `frame_rate` (Hz; else inferred
//!   from the timestamps), `pitch` (`LENGTHxWIDTH` metres) and `home_direction`
//!   (`1:left_to_right,2:right_to_left`). Every line starting with `#` is a comment
//!   (pandas: `pd.read_csv(path, comment="#")`).
//! - [`write_csv`] writes every column, every (frame, agent) row, numbers with Rust's
//!   shortest round-trip formatting and `NaN` as an empty field.
//!
//! # JSON
//!
//! One document: `{"format": "touchline", "version": 1, "frame_rate": 25.0,
//! "pitch": {"length": 105.0, "width": 68.0} | null, "periods": [{"id", "start", "end",
//! "home_direction": "left_to_right" | "right_to_left" | null}], "frame_ids": [..],
//! "timestamps": [..], "ball_z": [..] (optional), "agents": [{"id", "team", "jersey",
//! "role", "name", "x": [..], "y": [..], "observed": [..], "estimate_x": [..],
//! "estimate_y": [..] (both optional)}]}` with one array entry per frame, `null` for `NaN`
//! (and for infinities, which JSON cannot hold). Periods are half-open frame index ranges.
//!
//! ```
//! use touchline_io::long;
//! use touchline_core::{Agent, Team, TrackingData};
//! use ndarray::{array, Array3};
//!
//! let mut pos = Array3::from_elem((3, 1, 2), f64::NAN);
//! pos[[0, 0, 0]] = 1.5; pos[[0, 0, 1]] = -2.0;
//! pos[[1, 0, 0]] = 1.6; pos[[1, 0, 1]] = -2.1; // imputed: finite but not observed
//! let obs = array![[true], [false], [false]];
//! let data = TrackingData::new(pos, obs, vec![0.0, 0.04, 0.08],
//!     vec![Agent::new("home_7", Team::Home).with_jersey(7)])?.with_frame_rate(25.0)?;
//!
//! let mut csv = Vec::new();
//! long::write_csv(&data, &mut csv)?;
//! let back = long::parse_csv(&csv, "x.csv".as_ref())?;
//! assert_eq!(back.observed(), data.observed());
//! assert_eq!(back.positions()[[1, 0, 0]], 1.6);
//! assert!(back.positions()[[2, 0, 0]].is_nan());
//!
//! let mut json = Vec::new();
//! long::write_json(&data, &mut json)?;
//! let back = long::parse_json(&json, "x.json".as_ref())?;
//! assert_eq!(back.agents()[0].jersey, Some(7));
//! assert_eq!(back.frame_rate(), 25.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::Write;
use std::path::{Path, PathBuf};

use ndarray::{Array2, Array3};
use serde::{Deserialize, Serialize};
use touchline_core::{Agent, CoreError, Direction, Period, Pitch, Team};

use crate::{IoError, Result, TrackingData, bytes_to_text, read_bytes};

/// The columns [`write_csv`] writes, in order.
pub const CSV_COLUMNS: [&str; 14] = [
    "frame",
    "time_s",
    "period",
    "agent",
    "team",
    "jersey",
    "role",
    "name",
    "x",
    "y",
    "observed",
    "estimate_x",
    "estimate_y",
    "ball_z",
];

/// The columns a long CSV must have.
pub const CSV_REQUIRED: [&str; 7] = ["frame", "time_s", "agent", "team", "x", "y", "observed"];

/// The `format` value of Touchline JSON.
pub const JSON_FORMAT: &str = "touchline";
/// The JSON version written and read.
pub const JSON_VERSION: u32 = 1;

fn out_path() -> PathBuf {
    PathBuf::from("<output>")
}

fn write_err(e: std::io::Error) -> IoError {
    IoError::io(out_path(), e)
}

fn direction_name(d: Direction) -> &'static str {
    match d {
        Direction::LeftToRight => "left_to_right",
        Direction::RightToLeft => "right_to_left",
    }
}

fn parse_direction(s: &str) -> Option<Direction> {
    match s.trim().to_ascii_lowercase().as_str() {
        "left_to_right" | "ltr" => Some(Direction::LeftToRight),
        "right_to_left" | "rtl" => Some(Direction::RightToLeft),
        _ => None,
    }
}

/// Period id of each frame (`None` outside every period).
fn frame_periods(data: &TrackingData) -> Vec<Option<u32>> {
    let mut out = vec![None; data.n_frames()];
    for p in data.periods() {
        for slot in out.iter_mut().take(p.end).skip(p.start) {
            *slot = Some(p.id);
        }
    }
    out
}

fn num(v: f64) -> String {
    if v.is_nan() { String::new() } else { format!("{v}") }
}

// ---------------------------------------------------------------- CSV

/// True if the first line after `#` comments is a header with the columns
/// `frame,time_s,agent,x,y,observed`.
pub fn sniff_csv(_path: &Path, head: &str) -> bool {
    let head = head.strip_prefix('\u{feff}').unwrap_or(head);
    let Some(header) = head.lines().find(|l| !l.starts_with('#') && !l.trim().is_empty()) else {
        return false;
    };
    let cols: Vec<String> =
        header.split(',').map(|c| c.trim().trim_matches('"').trim().to_ascii_lowercase()).collect();
    ["frame", "time_s", "agent", "x", "y", "observed"].iter().all(|r| cols.iter().any(|c| c == r))
}

/// Reads a long CSV file.
pub fn read_csv(path: &Path) -> Result<TrackingData> {
    let bytes = read_bytes(path)?;
    parse_csv(&bytes, path)
}

/// Writes `data` as a long CSV: metadata comments, then a header with every
/// column of [`CSV_COLUMNS`], then one row per (frame, agent).
pub fn write_csv(data: &TrackingData, w: &mut impl Write) -> Result<()> {
    if data.frame_rate().is_finite() {
        writeln!(w, "# frame_rate={}", data.frame_rate()).map_err(write_err)?;
    }
    if let Some(p) = data.pitch() {
        writeln!(w, "# pitch={}x{}", p.length, p.width).map_err(write_err)?;
    }
    let dirs: Vec<String> = data
        .periods()
        .iter()
        .filter_map(|p| p.home_direction.map(|d| format!("{}:{}", p.id, direction_name(d))))
        .collect();
    if !dirs.is_empty() {
        writeln!(w, "# home_direction={}", dirs.join(",")).map_err(write_err)?;
    }
    let mut cw = csv::WriterBuilder::new().comment(Some(b'#')).from_writer(&mut *w);
    let csv_err = |e: csv::Error| write_err(e.into());
    cw.write_record(CSV_COLUMNS).map_err(csv_err)?;
    let periods = frame_periods(data);
    let pos = data.positions();
    let obs = data.observed();
    let est = data.provider_estimate();
    let z = data.ball_z();
    let times = data.timestamps();
    let agents: Vec<[String; 5]> = data
        .agents()
        .iter()
        .map(|a| {
            [
                a.id.clone(),
                a.team.as_str().to_string(),
                a.jersey.map(|j| j.to_string()).unwrap_or_default(),
                a.role.clone().unwrap_or_default(),
                a.name.clone().unwrap_or_default(),
            ]
        })
        .collect();
    for (f, (&fid, &t)) in data.frame_ids().iter().zip(times.iter()).enumerate() {
        let frame = fid.to_string();
        let time = num(t);
        let period = periods.get(f).copied().flatten().map(|p| p.to_string()).unwrap_or_default();
        let bz = z.as_ref().map(|z| num(z[f])).unwrap_or_default();
        for (a, meta) in agents.iter().enumerate() {
            let (ex, ey) = match est {
                Some(e) => (num(e[[f, a, 0]]), num(e[[f, a, 1]])),
                None => (String::new(), String::new()),
            };
            let o = if obs[[f, a]] { "1" } else { "0" };
            let row: [&str; 14] = [
                &frame,
                &time,
                &period,
                &meta[0],
                &meta[1],
                &meta[2],
                &meta[3],
                &meta[4],
                &num(pos[[f, a, 0]]),
                &num(pos[[f, a, 1]]),
                o,
                &ex,
                &ey,
                &bz,
            ];
            cw.write_record(row).map_err(csv_err)?;
        }
    }
    cw.flush().map_err(write_err)?;
    Ok(())
}

#[derive(Default)]
struct CsvMeta {
    frame_rate: Option<f64>,
    pitch: Option<Pitch>,
    directions: HashMap<u32, Direction>,
}

fn parse_meta(text: &str, path: &Path) -> Result<CsvMeta> {
    let mut meta = CsvMeta::default();
    for (i, line) in text.lines().enumerate() {
        let ln = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let Some(body) = line.strip_prefix('#') else { break };
        let Some((key, value)) = body.split_once('=') else { continue };
        let value = value.trim();
        match key.trim().to_ascii_lowercase().as_str() {
            "frame_rate" => {
                let hz: f64 = value.parse().unwrap_or(f64::NAN);
                if !(hz.is_finite() && hz > 0.0) {
                    return Err(IoError::parse(
                        path,
                        ln,
                        format!("frame_rate `{value}` is not a positive number"),
                    ));
                }
                meta.frame_rate = Some(hz);
            }
            "pitch" => {
                let bad =
                    || IoError::parse(path, ln, format!("pitch `{value}` is not LENGTHxWIDTH in metres"));
                let (l, w) = value.split_once(['x', 'X']).ok_or_else(bad)?;
                let (l, w): (f64, f64) =
                    (l.trim().parse().map_err(|_| bad())?, w.trim().parse().map_err(|_| bad())?);
                meta.pitch = Some(Pitch::new(l, w).map_err(|_| bad())?);
            }
            "home_direction" => {
                for item in value.split(',').filter(|s| !s.trim().is_empty()) {
                    let parsed = item
                        .split_once(':')
                        .and_then(|(p, d)| Some((p.trim().parse::<u32>().ok()?, parse_direction(d)?)));
                    let (p, d) = parsed.ok_or_else(|| {
                        IoError::parse(
                            path,
                            ln,
                            format!("home_direction `{item}` is not PERIOD:left_to_right|right_to_left"),
                        )
                    })?;
                    meta.directions.insert(p, d);
                }
            }
            _ => {}
        }
    }
    Ok(meta)
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "t" | "1.0" => Some(true),
        "0" | "false" | "f" | "0.0" => Some(false),
        _ => None,
    }
}

/// A float field: empty means `NaN`.
fn parse_num(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() { Some(f64::NAN) } else { s.parse().ok() }
}

/// A jersey: an integer, also written as `7.0` by pandas.
fn parse_jersey(s: &str) -> Option<u32> {
    let s = s.trim();
    s.parse::<u32>().ok().or_else(|| {
        let v: f64 = s.parse().ok()?;
        if v.fract() == 0.0 && v >= 0.0 && v <= f64::from(u32::MAX) { Some(v as u32) } else { None }
    })
}

fn opt_str(s: &str) -> Option<String> {
    if s.is_empty() { None } else { Some(s.to_string()) }
}

#[derive(Clone)]
struct FrameInfo {
    id: i64,
    time: f64,
    period: Option<u32>,
    ball_z: f64,
    line: usize,
}

struct Cell {
    x: f64,
    y: f64,
    observed: bool,
    ex: f64,
    ey: f64,
}

fn merge_opt<T: PartialEq + Clone + std::fmt::Debug>(
    slot: &mut Option<T>,
    new: Option<T>,
    what: &str,
    agent: &str,
    path: &Path,
    line: usize,
) -> Result<()> {
    match (slot.as_ref(), new) {
        (Some(old), Some(new)) if *old != new => Err(IoError::parse(
            path,
            line,
            format!("agent `{agent}` has {what} {new:?} here but {old:?} on an earlier row"),
        )),
        (None, Some(new)) => {
            *slot = Some(new);
            Ok(())
        }
        _ => Ok(()),
    }
}

fn core_err(path: &Path) -> impl Fn(CoreError) -> IoError + '_ {
    move |e| IoError::Invalid { path: path.to_path_buf(), source: e }
}

/// Parses a long CSV; `path` only names the file in errors.
pub fn parse_csv(bytes: &[u8], path: &Path) -> Result<TrackingData> {
    let text = bytes_to_text(bytes.to_vec(), path)?;
    let meta = parse_meta(&text, path)?;
    let mut rdr =
        csv::ReaderBuilder::new().comment(Some(b'#')).has_headers(true).from_reader(text.as_bytes());
    let line_of =
        |p: Option<&csv::Position>| p.map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
    let csv_err = |e: csv::Error| {
        let line = line_of(e.position());
        let msg = match e.kind() {
            csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                format!("expected {expected_len} fields as in the header, found {len}")
            }
            _ => e.to_string(),
        };
        IoError::parse(path, line, msg)
    };
    let header = rdr.headers().map_err(csv_err)?.clone();
    // (the csv crate reports the header's position before skipping comments)
    let header_line = text
        .lines()
        .position(|l| !l.starts_with('#') && !l.trim_end_matches('\r').is_empty())
        .map_or(1, |i| i + 1);
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    let mut cols: HashMap<String, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let name = h.trim().to_ascii_lowercase();
        if CSV_COLUMNS.contains(&name.as_str()) && cols.insert(name.clone(), i).is_some() {
            return Err(IoError::parse(path, header_line, format!("column `{name}` appears twice")));
        }
    }
    let req = |name: &str| {
        cols.get(name).copied().ok_or_else(|| {
            IoError::parse(
                path,
                header_line,
                format!("missing required column `{name}` (need {})", CSV_REQUIRED.join(",")),
            )
        })
    };
    let (c_frame, c_time, c_agent, c_team, c_x, c_y, c_obs) =
        (req("frame")?, req("time_s")?, req("agent")?, req("team")?, req("x")?, req("y")?, req("observed")?);
    let opt = |name: &str| cols.get(name).copied();
    let (c_period, c_jersey, c_role, c_name) = (opt("period"), opt("jersey"), opt("role"), opt("name"));
    let (c_ex, c_ey, c_z) = (opt("estimate_x"), opt("estimate_y"), opt("ball_z"));

    let mut frames: Vec<FrameInfo> = Vec::new();
    let mut frame_index: HashMap<(Option<u32>, i64), usize> = HashMap::new();
    let mut agents: Vec<Agent> = Vec::new();
    let mut agent_index: HashMap<String, usize> = HashMap::new();
    let mut cells: HashMap<(usize, usize), (Cell, usize)> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_err(e)),
        }
        let ln = line_of(record.position());
        let get = |c: usize| record.get(c).unwrap_or("");
        let getopt = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("");
        let bad = |what: &str, v: &str| IoError::parse(path, ln, format!("{what} `{v}` is not valid"));

        let frame: i64 = get(c_frame).trim().parse().map_err(|_| bad("frame", get(c_frame)))?;
        let time: f64 = get(c_time).trim().parse().map_err(|_| bad("time_s", get(c_time)))?;
        if !time.is_finite() {
            return Err(IoError::parse(path, ln, format!("time_s is {time}")));
        }
        let period = match getopt(c_period).trim() {
            "" => None,
            p => Some(p.parse::<u32>().map_err(|_| bad("period", p))?),
        };
        let agent_id = get(c_agent);
        if agent_id.is_empty() {
            return Err(IoError::parse(path, ln, "empty agent id"));
        }
        let team = Team::parse(get(c_team)).ok_or_else(|| bad("team", get(c_team)))?;
        let jersey = match getopt(c_jersey).trim() {
            "" => None,
            j => Some(parse_jersey(j).ok_or_else(|| bad("jersey", j))?),
        };
        let x = parse_num(get(c_x)).ok_or_else(|| bad("x", get(c_x)))?;
        let y = parse_num(get(c_y)).ok_or_else(|| bad("y", get(c_y)))?;
        let observed = parse_bool(get(c_obs)).ok_or_else(|| bad("observed", get(c_obs)))?;
        let ex = parse_num(getopt(c_ex)).ok_or_else(|| bad("estimate_x", getopt(c_ex)))?;
        let ey = parse_num(getopt(c_ey)).ok_or_else(|| bad("estimate_y", getopt(c_ey)))?;
        let z = parse_num(getopt(c_z)).ok_or_else(|| bad("ball_z", getopt(c_z)))?;

        let fi = match frame_index.entry((period, frame)) {
            Entry::Occupied(o) => {
                let fi = *o.get();
                let info = &mut frames[fi];
                if info.time.to_bits() != time.to_bits() {
                    return Err(IoError::parse(
                        path,
                        ln,
                        format!(
                            "frame {frame} has time_s {time} here but {} on line {}",
                            info.time, info.line
                        ),
                    ));
                }
                if !z.is_nan() {
                    if info.ball_z.is_nan() {
                        info.ball_z = z;
                    } else if info.ball_z.to_bits() != z.to_bits() {
                        return Err(IoError::parse(
                            path,
                            ln,
                            format!("frame {frame} has ball_z {z} here but {} earlier", info.ball_z),
                        ));
                    }
                }
                fi
            }
            Entry::Vacant(v) => {
                v.insert(frames.len());
                frames.push(FrameInfo { id: frame, time, period, ball_z: z, line: ln });
                frames.len() - 1
            }
        };

        let ai = match agent_index.get(agent_id) {
            Some(&ai) => {
                let a = &mut agents[ai];
                if a.team != team {
                    return Err(IoError::parse(
                        path,
                        ln,
                        format!("agent `{agent_id}` has team {team} here but {} on an earlier row", a.team),
                    ));
                }
                merge_opt(&mut a.jersey, jersey, "jersey", agent_id, path, ln)?;
                merge_opt(&mut a.role, opt_str(getopt(c_role)), "role", agent_id, path, ln)?;
                merge_opt(&mut a.name, opt_str(getopt(c_name)), "name", agent_id, path, ln)?;
                ai
            }
            None => {
                let a = Agent {
                    id: agent_id.to_string(),
                    team,
                    jersey,
                    role: opt_str(getopt(c_role)),
                    name: opt_str(getopt(c_name)),
                };
                agent_index.insert(agent_id.to_string(), agents.len());
                agents.push(a);
                agents.len() - 1
            }
        };

        match cells.entry((fi, ai)) {
            Entry::Occupied(o) => {
                return Err(IoError::parse(
                    path,
                    ln,
                    format!("second row for frame {frame}, agent `{agent_id}` (first on line {})", o.get().1),
                ));
            }
            Entry::Vacant(v) => {
                v.insert((Cell { x, y, observed, ex, ey }, ln));
            }
        }
    }
    if frames.is_empty() {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    // Put frames in time order (frame numbers are labels and keep no order of their own).
    let mut order: Vec<usize> = (0..frames.len()).collect();
    order.sort_by(|&a, &b| frames[a].time.total_cmp(&frames[b].time));
    for w in order.windows(2) {
        let (a, b) = (&frames[w[0]], &frames[w[1]]);
        if b.time <= a.time {
            return Err(IoError::Frame {
                path: path.to_path_buf(),
                frame: b.id,
                message: format!(
                    "time_s {} (line {}) is the same as frame {}'s (line {}): two frames at one time",
                    b.time, b.line, a.id, a.line
                ),
            });
        }
    }
    let mut rank = vec![0usize; frames.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    let frames: Vec<FrameInfo> = order.iter().map(|&i| frames[i].clone()).collect();
    let cells: HashMap<(usize, usize), (Cell, usize)> =
        cells.into_iter().map(|((f, a), c)| ((rank[f], a), c)).collect();

    let (nf, na) = (frames.len(), agents.len());
    let mut pos = Array3::from_elem((nf, na, 2), f64::NAN);
    let mut est = Array3::from_elem((nf, na, 2), f64::NAN);
    let mut obs = Array2::from_elem((nf, na), false);
    let mut any_est = false;
    for (&(f, a), (c, _)) in &cells {
        let seen = c.observed && c.x.is_finite() && c.y.is_finite();
        obs[[f, a]] = seen;
        if seen || !c.observed {
            pos[[f, a, 0]] = c.x;
            pos[[f, a, 1]] = c.y;
        }
        if !c.ex.is_nan() || !c.ey.is_nan() {
            est[[f, a, 0]] = c.ex;
            est[[f, a, 1]] = c.ey;
            any_est = true;
        }
    }
    let times: Vec<f64> = frames.iter().map(|f| f.time).collect();
    let ids: Vec<i64> = frames.iter().map(|f| f.id).collect();
    let z: Vec<f64> = frames.iter().map(|f| f.ball_z).collect();
    let mut periods = Vec::new();
    let mut start = 0;
    for f in 1..=nf {
        if f == nf || frames[f].period != frames[start].period {
            if let Some(id) = frames[start].period {
                let mut p = Period::new(id, start..f);
                p.home_direction = meta.directions.get(&id).copied();
                periods.push(p);
            }
            start = f;
        }
    }
    let err = core_err(path);
    let mut data =
        TrackingData::new(pos, obs, times, agents).map_err(&err)?.with_frame_ids(ids).map_err(&err)?;
    if c_period.is_some() && !periods.is_empty() {
        data = data.with_periods(periods).map_err(&err)?;
    } else if let Some(&d) = meta.directions.get(&1)
        && c_period.is_none()
    {
        let mut p = Period::new(1, 0..nf);
        p.home_direction = Some(d);
        data = data.with_periods(vec![p]).map_err(&err)?;
    }
    if let Some(hz) = meta.frame_rate {
        data = data.with_frame_rate(hz).map_err(&err)?;
    }
    if let Some(p) = meta.pitch {
        data = data.with_pitch(p).map_err(&err)?;
    }
    if any_est {
        data = data.with_provider_estimate(est).map_err(&err)?;
    }
    if z.iter().any(|v| !v.is_nan()) {
        data = data.with_ball_z(z).map_err(&err)?;
    }
    Ok(data)
}

// ---------------------------------------------------------------- JSON

#[derive(Serialize, Deserialize)]
struct JsonPitch {
    length: f64,
    width: f64,
}

#[derive(Serialize, Deserialize)]
struct JsonPeriod {
    id: u32,
    start: usize,
    end: usize,
    #[serde(default)]
    home_direction: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct JsonAgent {
    id: String,
    #[serde(default)]
    team: Option<String>,
    #[serde(default)]
    jersey: Option<u32>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    name: Option<String>,
    x: Vec<Option<f64>>,
    y: Vec<Option<f64>>,
    observed: Vec<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    estimate_x: Option<Vec<Option<f64>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    estimate_y: Option<Vec<Option<f64>>>,
}

#[derive(Serialize, Deserialize)]
struct JsonDoc {
    format: String,
    version: u32,
    #[serde(default)]
    frame_rate: Option<f64>,
    #[serde(default)]
    pitch: Option<JsonPitch>,
    #[serde(default)]
    periods: Vec<JsonPeriod>,
    #[serde(default)]
    frame_ids: Option<Vec<i64>>,
    timestamps: Vec<Option<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ball_z: Option<Vec<Option<f64>>>,
    agents: Vec<JsonAgent>,
}

#[derive(Deserialize)]
struct JsonProbe {
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    version: Option<u64>,
}

fn fin(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// True if `"format": "touchline"` appears near the start of a JSON object.
pub fn sniff_json(_path: &Path, head: &str) -> bool {
    let head = head.strip_prefix('\u{feff}').unwrap_or(head);
    if !head.trim_start().starts_with('{') {
        return false;
    }
    let window: String = head.chars().take(512).collect();
    let mut rest = window.as_str();
    while let Some(i) = rest.find("\"format\"") {
        let after = rest[i + 8..].trim_start();
        if let Some(v) = after.strip_prefix(':')
            && v.trim_start().starts_with("\"touchline\"")
        {
            return true;
        }
        rest = &rest[i + 8..];
    }
    false
}

/// Reads a Touchline JSON file.
pub fn read_json(path: &Path) -> Result<TrackingData> {
    let bytes = read_bytes(path)?;
    parse_json(&bytes, path)
}

/// Writes `data` as one Touchline JSON document (compact, `format` first).
pub fn write_json(data: &TrackingData, w: &mut impl Write) -> Result<()> {
    let nf = data.n_frames();
    let pos = data.positions();
    let obs = data.observed();
    let est = data.provider_estimate();
    let agents = data
        .agents()
        .iter()
        .enumerate()
        .map(|(a, ag)| JsonAgent {
            id: ag.id.clone(),
            team: Some(ag.team.as_str().to_string()),
            jersey: ag.jersey,
            role: ag.role.clone(),
            name: ag.name.clone(),
            x: (0..nf).map(|f| fin(pos[[f, a, 0]])).collect(),
            y: (0..nf).map(|f| fin(pos[[f, a, 1]])).collect(),
            observed: (0..nf).map(|f| obs[[f, a]]).collect(),
            estimate_x: est.map(|e| (0..nf).map(|f| fin(e[[f, a, 0]])).collect()),
            estimate_y: est.map(|e| (0..nf).map(|f| fin(e[[f, a, 1]])).collect()),
        })
        .collect();
    let doc = JsonDoc {
        format: JSON_FORMAT.to_string(),
        version: JSON_VERSION,
        frame_rate: fin(data.frame_rate()),
        pitch: data.pitch().map(|p| JsonPitch { length: p.length, width: p.width }),
        periods: data
            .periods()
            .iter()
            .map(|p| JsonPeriod {
                id: p.id,
                start: p.start,
                end: p.end,
                home_direction: p.home_direction.map(|d| direction_name(d).to_string()),
            })
            .collect(),
        frame_ids: Some(data.frame_ids().to_vec()),
        timestamps: data.timestamps().iter().map(|&t| fin(t)).collect(),
        ball_z: data.ball_z().map(|z| z.iter().map(|&v| fin(v)).collect()),
        agents,
    };
    serde_json::to_writer(&mut *w, &doc).map_err(|e| write_err(e.into()))?;
    w.flush().map_err(write_err)
}

fn json_err(path: &Path, e: serde_json::Error) -> IoError {
    IoError::parse(path, e.line(), format!("{e}"))
}

fn nan(v: &Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

/// Parses a Touchline JSON document; `path` only names the file in errors.
/// Structural errors name the line; inconsistent array lengths are
/// [`IoError::Parse`] with line 0, bad timestamps [`IoError::Frame`].
pub fn parse_json(bytes: &[u8], path: &Path) -> Result<TrackingData> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    let probe: JsonProbe = serde_json::from_slice(bytes).map_err(|e| json_err(path, e))?;
    if probe.format.as_deref() != Some(JSON_FORMAT) {
        return Err(IoError::UnknownFormat {
            path: path.to_path_buf(),
            reason: format!("not Touchline JSON: `format` is {:?}, expected \"touchline\"", probe.format),
        });
    }
    if probe.version != Some(u64::from(JSON_VERSION)) {
        return Err(IoError::UnknownFormat {
            path: path.to_path_buf(),
            reason: format!("unsupported Touchline JSON version {:?} (this reader knows 1)", probe.version),
        });
    }
    let doc: JsonDoc = serde_json::from_slice(bytes).map_err(|e| json_err(path, e))?;
    let nf = doc.timestamps.len();
    if nf == 0 {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    let ids = match doc.frame_ids {
        Some(ids) if ids.len() != nf => {
            return Err(IoError::parse(
                path,
                0,
                format!("frame_ids has {} entries but timestamps {nf}", ids.len()),
            ));
        }
        Some(ids) => ids,
        None => (0..).take(nf).collect(),
    };
    let mut times = Vec::with_capacity(nf);
    for (i, t) in doc.timestamps.iter().enumerate() {
        let frame = ids.get(i).copied().unwrap_or(0);
        let t = match t {
            Some(t) if t.is_finite() => *t,
            _ => {
                return Err(IoError::Frame {
                    path: path.to_path_buf(),
                    frame,
                    message: "timestamp is null".into(),
                });
            }
        };
        if let Some(&prev) = times.last()
            && t <= prev
        {
            return Err(IoError::Frame {
                path: path.to_path_buf(),
                frame,
                message: format!("time {t} s is not after the previous frame's {prev} s"),
            });
        }
        times.push(t);
    }
    let na = doc.agents.len();
    let mut pos = Array3::from_elem((nf, na, 2), f64::NAN);
    let mut est = Array3::from_elem((nf, na, 2), f64::NAN);
    let mut obs = Array2::from_elem((nf, na), false);
    let mut any_est = false;
    let mut agents = Vec::with_capacity(na);
    for (a, ja) in doc.agents.into_iter().enumerate() {
        let len_err = |what: &str, n: usize| {
            IoError::parse(path, 0, format!("agent `{}`: `{what}` has {n} entries, expected {nf}", ja.id))
        };
        for (what, n) in [("x", ja.x.len()), ("y", ja.y.len()), ("observed", ja.observed.len())] {
            if n != nf {
                return Err(len_err(what, n));
            }
        }
        for (what, v) in [("estimate_x", &ja.estimate_x), ("estimate_y", &ja.estimate_y)] {
            if let Some(v) = v
                && v.len() != nf
            {
                return Err(len_err(what, v.len()));
            }
        }
        for f in 0..nf {
            let (x, y) = (nan(&ja.x[f]), nan(&ja.y[f]));
            let seen = ja.observed[f] && x.is_finite() && y.is_finite();
            obs[[f, a]] = seen;
            if seen || !ja.observed[f] {
                pos[[f, a, 0]] = x;
                pos[[f, a, 1]] = y;
            }
            if let (Some(ex), Some(ey)) = (&ja.estimate_x, &ja.estimate_y) {
                est[[f, a, 0]] = nan(&ex[f]);
                est[[f, a, 1]] = nan(&ey[f]);
                any_est = true;
            }
        }
        let team = match ja.team.as_deref() {
            None => Team::Unknown,
            Some(t) => Team::parse(t).ok_or_else(|| {
                IoError::parse(path, 0, format!("agent `{}`: team `{t}` is not valid", ja.id))
            })?,
        };
        agents.push(Agent { id: ja.id, team, jersey: ja.jersey, role: ja.role, name: ja.name });
    }
    let mut periods = Vec::with_capacity(doc.periods.len());
    for p in &doc.periods {
        let dir = match p.home_direction.as_deref() {
            None => None,
            Some(d) => Some(parse_direction(d).ok_or_else(|| {
                IoError::parse(path, 0, format!("period {}: home_direction `{d}` is not valid", p.id))
            })?),
        };
        periods.push(Period { id: p.id, start: p.start, end: p.end, home_direction: dir });
    }
    let err = core_err(path);
    let mut data =
        TrackingData::new(pos, obs, times, agents).map_err(&err)?.with_frame_ids(ids).map_err(&err)?;
    if !periods.is_empty() {
        data = data.with_periods(periods).map_err(&err)?;
    }
    if let Some(hz) = doc.frame_rate {
        data = data.with_frame_rate(hz).map_err(&err)?;
    }
    if let Some(p) = doc.pitch {
        data = data.with_pitch(Pitch { length: p.length, width: p.width }).map_err(&err)?;
    }
    if any_est {
        data = data.with_provider_estimate(est).map_err(&err)?;
    }
    if let Some(z) = doc.ball_z {
        if z.len() != nf {
            return Err(IoError::parse(path, 0, format!("ball_z has {} entries, expected {nf}", z.len())));
        }
        data = data.with_ball_z(z.iter().map(nan).collect()).map_err(&err)?;
    }
    Ok(data)
}
