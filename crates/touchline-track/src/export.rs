//! Tracks to and from JSON and CSV, and to [`TrackingData`] in pixels or
//! metres.

use std::collections::BTreeSet;
use std::io::{Read, Write};

use touchline_core::{BBox, Label, Team, Track, TrackPoint, TrackingData, tracks_to_tracking_data};

use crate::error::{Result, TrackError};
use crate::homography::Homography;

/// Name of a label in files: `person`, `player`, `goalkeeper`, `referee`,
/// `ball`, `goal`, `hoop`, or `other:<name>`.
pub fn label_name(l: &Label) -> String {
    match l {
        Label::Person => "person".into(),
        Label::Player => "player".into(),
        Label::Goalkeeper => "goalkeeper".into(),
        Label::Referee => "referee".into(),
        Label::Ball => "ball".into(),
        Label::Goal => "goal".into(),
        Label::Hoop => "hoop".into(),
        Label::Other(s) => format!("other:{s}"),
    }
}

/// Parses [`label_name`]'s output (case-insensitive for the fixed names);
/// any other text becomes [`Label::Other`].
pub fn parse_label(s: &str) -> Label {
    let t = s.trim();
    match t.to_ascii_lowercase().as_str() {
        "person" => Label::Person,
        "player" => Label::Player,
        "goalkeeper" => Label::Goalkeeper,
        "referee" => Label::Referee,
        "ball" => Label::Ball,
        "goal" => Label::Goal,
        "hoop" => Label::Hoop,
        _ => Label::Other(t.strip_prefix("other:").unwrap_or(t).to_string()),
    }
}

/// Checks tracks read from a file: unique ids, points in strictly
/// increasing frame order, finite times and scores, valid boxes.
pub fn validate_tracks(tracks: &[Track], format: &'static str) -> Result<()> {
    let mut ids = BTreeSet::new();
    for t in tracks {
        let err = |reason: String| TrackError::Parse { format, location: format!("track {}", t.id), reason };
        if !ids.insert(t.id) {
            return Err(err("duplicate track id".into()));
        }
        for (i, p) in t.points.iter().enumerate() {
            if i > 0 && p.frame <= t.points[i - 1].frame {
                return Err(err(format!(
                    "point {i}: frame {} does not follow frame {}",
                    p.frame,
                    t.points[i - 1].frame
                )));
            }
            if !p.timestamp.is_finite() || !p.score.is_finite() {
                return Err(err(format!(
                    "point {i}: non-finite timestamp {} or score {}",
                    p.timestamp, p.score
                )));
            }
            BBox::new(p.bbox.x1, p.bbox.y1, p.bbox.x2, p.bbox.y2)
                .map_err(|e| err(format!("point {i}: {e}")))?;
        }
    }
    Ok(())
}

/// Writes tracks as a JSON array (serde form of [`Track`]).
///
/// ```
/// use touchline_core::{BBox, Label, Team, Track, TrackPoint};
/// use touchline_track::{read_tracks_json, write_tracks_json};
/// let t = Track { id: 4, label: Label::Player, team: Team::Away, points: vec![
///     TrackPoint { frame: 2, timestamp: 0.08, bbox: BBox::new(1.0, 2.0, 3.0, 4.0)?, score: 0.9 }] };
/// let mut buf = Vec::new();
/// write_tracks_json(&mut buf, std::slice::from_ref(&t))?;
/// assert_eq!(read_tracks_json(buf.as_slice())?, vec![t]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_tracks_json<W: Write>(w: W, tracks: &[Track]) -> Result<()> {
    serde_json::to_writer(w, tracks).map_err(|e| TrackError::Parse {
        format: "json",
        location: "output".into(),
        reason: e.to_string(),
    })
}

/// Reads tracks written by [`write_tracks_json`] and validates them
/// ([`validate_tracks`]); errors name the line and column or the track.
pub fn read_tracks_json<R: Read>(r: R) -> Result<Vec<Track>> {
    let tracks: Vec<Track> = serde_json::from_reader(r).map_err(|e| TrackError::Parse {
        format: "json",
        location: format!("line {} column {}", e.line(), e.column()),
        reason: e.to_string(),
    })?;
    validate_tracks(&tracks, "json")?;
    Ok(tracks)
}

/// Column names of the track CSV, one row per track point.
pub const CSV_HEADER: [&str; 10] =
    ["track_id", "label", "team", "frame", "timestamp", "x1", "y1", "x2", "y2", "score"];

/// Writes tracks as CSV with [`CSV_HEADER`]; floats use Rust's shortest
/// round-trip form, so reading gives back the same bits. Tracks without
/// points have no row (use JSON to keep them).
pub fn write_tracks_csv<W: Write>(w: W, tracks: &[Track]) -> Result<()> {
    let mut wr = csv::Writer::from_writer(w);
    let io =
        |e: csv::Error| TrackError::Parse { format: "csv", location: "output".into(), reason: e.to_string() };
    wr.write_record(CSV_HEADER).map_err(io)?;
    for t in tracks {
        let (label, team) = (label_name(&t.label), t.team.as_str());
        for p in &t.points {
            wr.write_record([
                t.id.to_string(),
                label.clone(),
                team.to_string(),
                p.frame.to_string(),
                p.timestamp.to_string(),
                p.bbox.x1.to_string(),
                p.bbox.y1.to_string(),
                p.bbox.x2.to_string(),
                p.bbox.y2.to_string(),
                p.score.to_string(),
            ])
            .map_err(io)?;
        }
    }
    wr.flush()?;
    Ok(())
}

/// Reads the CSV of [`write_tracks_csv`] (columns by header name, in any
/// order; rows of one track may be anywhere but must agree on label and
/// team). Tracks come back sorted by id, points by frame; errors name the
/// row (1 = first data row) and column.
pub fn read_tracks_csv<R: Read>(r: R) -> Result<Vec<Track>> {
    let mut rd = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(r);
    let perr = |location: String, reason: String| TrackError::Parse { format: "csv", location, reason };
    let headers = rd.headers().map_err(|e| perr("header".into(), e.to_string()))?.clone();
    let mut col = [0usize; 10];
    for (k, name) in CSV_HEADER.iter().enumerate() {
        col[k] = headers
            .iter()
            .position(|h| h.trim() == *name)
            .ok_or_else(|| perr("header".into(), format!("missing column {name}")))?;
    }
    let mut tracks: std::collections::BTreeMap<u64, Track> = std::collections::BTreeMap::new();
    for (row, rec) in rd.records().enumerate() {
        let row = row + 1;
        let rec = rec.map_err(|e| perr(format!("row {row}"), e.to_string()))?;
        let field = |k: usize| rec.get(col[k]).unwrap_or("").trim();
        fn num<T: std::str::FromStr>(s: &str, row: usize, name: &str) -> Result<T>
        where
            T::Err: std::fmt::Display,
        {
            s.parse::<T>().map_err(|e| TrackError::Parse {
                format: "csv",
                location: format!("row {row}, column {name}"),
                reason: format!("{s:?}: {e}"),
            })
        }
        let id: u64 = num(field(0), row, "track_id")?;
        let label = parse_label(field(1));
        let team = Team::parse(field(2))
            .ok_or_else(|| perr(format!("row {row}, column team"), format!("unknown team {:?}", field(2))))?;
        let frame: usize = num(field(3), row, "frame")?;
        let timestamp: f64 = num(field(4), row, "timestamp")?;
        let c: [f32; 4] = [
            num(field(5), row, "x1")?,
            num(field(6), row, "y1")?,
            num(field(7), row, "x2")?,
            num(field(8), row, "y2")?,
        ];
        let score: f32 = num(field(9), row, "score")?;
        let bbox =
            BBox::new(c[0], c[1], c[2], c[3]).map_err(|e| perr(format!("row {row}"), e.to_string()))?;
        if !timestamp.is_finite() || !score.is_finite() {
            return Err(perr(
                format!("row {row}"),
                format!("non-finite timestamp {timestamp} or score {score}"),
            ));
        }
        let t =
            tracks.entry(id).or_insert_with(|| Track { id, label: label.clone(), team, points: Vec::new() });
        if t.label != label || t.team != team {
            return Err(perr(
                format!("row {row}"),
                format!("track {id} was {} / {} in an earlier row", label_name(&t.label), t.team),
            ));
        }
        t.points.push(TrackPoint { frame, timestamp, bbox, score });
    }
    let mut out: Vec<Track> = tracks.into_values().collect();
    for t in &mut out {
        t.points.sort_by_key(|p| p.frame);
    }
    validate_tracks(&out, "csv")?;
    Ok(out)
}

/// The point of a box that stands for an object's position: the ball's
/// centre, everyone else's feet (bottom centre).
pub fn anchor_point(label: &Label, b: &BBox) -> [f64; 2] {
    let [x, y] = if *label == Label::Ball { b.center() } else { b.bottom_center() };
    [f64::from(x), f64::from(y)]
}

/// Every `(frame, timestamp)` that occurs in the tracks, sorted by frame.
/// Errors if one frame has two timestamps.
pub fn frame_times_of(tracks: &[Track]) -> Result<Vec<(usize, f64)>> {
    let mut m: std::collections::BTreeMap<usize, f64> = std::collections::BTreeMap::new();
    for t in tracks {
        for p in &t.points {
            if let Some(&old) = m.get(&p.frame)
                && old.to_bits() != p.timestamp.to_bits()
            {
                return Err(TrackError::Parse {
                    format: "tracks",
                    location: format!("track {}, frame {}", t.id, p.frame),
                    reason: format!("timestamp {} differs from {old} in another track", p.timestamp),
                });
            }
            m.insert(p.frame, p.timestamp);
        }
    }
    Ok(m.into_iter().collect())
}

/// Renumbers track frames to indices of `frame_times` and replaces each box
/// by a zero-size box at its [`anchor_point`], so that core's
/// `tracks_to_tracking_data` (which sees only boxes) can read the position
/// as the box centre whatever the label.
fn remap(tracks: &[Track], frame_times: &[(usize, f64)]) -> Result<Vec<Track>> {
    for w in frame_times.windows(2) {
        if w[1].0 <= w[0].0 {
            return Err(TrackError::FrameOrder {
                frame: w[1].0,
                timestamp: w[1].1,
                previous_frame: w[0].0,
                previous_time: w[0].1,
            });
        }
    }
    tracks
        .iter()
        .map(|t| {
            let mut points = Vec::with_capacity(t.points.len());
            for p in &t.points {
                let i = frame_times.binary_search_by_key(&p.frame, |(f, _)| *f).map_err(|_| {
                    TrackError::Parse {
                        format: "tracks",
                        location: format!("track {}, frame {}", t.id, p.frame),
                        reason: "frame not in the frame table".into(),
                    }
                })?;
                let [x, y] = if t.label == Label::Ball { p.bbox.center() } else { p.bbox.bottom_center() };
                points.push(TrackPoint { frame: i, bbox: BBox { x1: x, y1: y, x2: x, y2: y }, ..p.clone() });
            }
            Ok(Track { points, ..t.clone() })
        })
        .collect()
}

fn anchor_of_remapped(b: &BBox) -> [f64; 2] {
    [f64::from(b.x1), f64::from(b.y1)]
}

/// Tracks as [`TrackingData`] in image pixels (x right, y down): one agent
/// `track_<id>` per track, one frame per entry of `frame_times` (from
/// [`crate::ByteTracker::frame_times`] or [`frame_times_of`]), position =
/// [`anchor_point`]; frames without a point are unobserved.
///
/// ```
/// use touchline_core::{BBox, Label, Team, Track, TrackPoint};
/// use touchline_track::to_tracking_data_pixels;
/// let p = |f: usize| TrackPoint { frame: f, timestamp: f as f64 * 0.04, bbox: BBox::new(10.0, 10.0, 20.0, 50.0).unwrap(), score: 0.9 };
/// let t = Track { id: 7, label: Label::Player, team: Team::Home, points: vec![p(10), p(12)] };
/// let d = to_tracking_data_pixels(&[t], &[(10, 0.4), (11, 0.44), (12, 0.48)])?;
/// assert_eq!(d.n_frames(), 3);
/// assert!(!d.observed()[[1, 0]]);
/// assert_eq!(d.positions()[[2, 0, 1]], 50.0);
/// # Ok::<(), touchline_track::TrackError>(())
/// ```
pub fn to_tracking_data_pixels(tracks: &[Track], frame_times: &[(usize, f64)]) -> Result<TrackingData> {
    let remapped = remap(tracks, frame_times)?;
    let times: Vec<f64> = frame_times.iter().map(|(_, t)| *t).collect();
    Ok(tracks_to_tracking_data(&remapped, &times, anchor_of_remapped)?)
}

/// Tracks as [`TrackingData`] in pitch metres: [`anchor_point`] mapped by
/// `homography` (image to pitch, e.g. from [`Homography::from_points`]).
/// Points that map to infinity are left unobserved.
pub fn to_tracking_data_metres(
    tracks: &[Track],
    frame_times: &[(usize, f64)],
    homography: &Homography,
) -> Result<TrackingData> {
    let remapped = remap(tracks, frame_times)?;
    let times: Vec<f64> = frame_times.iter().map(|(_, t)| *t).collect();
    let world = |b: &BBox| homography.apply(anchor_of_remapped(b)).unwrap_or([f64::NAN, f64::NAN]);
    Ok(tracks_to_tracking_data(&remapped, &times, world)?)
}
