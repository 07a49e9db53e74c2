//! A ByteTrack-style multi-object tracker (Zhang et al., ECCV 2022).

use serde::{Deserialize, Serialize};
use touchline_core::{BBox, Detection, Label, Team, Track, TrackPoint, Tracker};

use crate::assign::{gated_assignment, iou_xyxy};
use crate::error::{Result, TrackError, config_err};
use crate::kalman::KalmanBox;

/// Which detections are tracked against each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LabelGrouping {
    /// Every label on its own (a `Goalkeeper` box never continues a `Player` track).
    PerLabel,
    /// `Person`, `Player`, `Goalkeeper` and `Referee` share one pool (detectors
    /// often flip between them); every other label, the ball included, is
    /// tracked on its own. The default.
    PeopleTogether,
}

/// Parameters of [`ByteTracker`]; [`ByteTrackConfig::validate`] checks them.
///
/// Defaults follow the ByteTrack paper (Zhang et al. 2022, section 4.1):
/// high score 0.6, low score 0.1, new-track score 0.7, matches with IoU
/// below 0.2 rejected, lost tracks kept 30 frames. The second (low-score)
/// stage needs IoU 0.5 and tentative tracks IoU 0.3, as in the authors'
/// reference implementation (cost thresholds 0.5 and 0.7 on `1 - IoU`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ByteTrackConfig {
    /// Detections scoring at least this are "high" (first stage). Paper: 0.6.
    pub high_score: f32,
    /// Detections scoring in `[low_score, high_score)` go to the second stage;
    /// lower ones are ignored. Paper: 0.1.
    pub low_score: f32,
    /// Unmatched high detections scoring at least this start a track. Paper: 0.7.
    pub new_track_score: f32,
    /// Minimum IoU for a first-stage match. Paper: 0.2.
    pub match_iou: f64,
    /// Minimum IoU for a second-stage (low-score) match. Reference code: 0.5.
    pub low_match_iou: f64,
    /// Minimum IoU to extend a tentative (not yet confirmed) track. Reference code: 0.3.
    pub tentative_match_iou: f64,
    /// Consecutive matched frames before a track is confirmed and gets an id
    /// (ByteTrack confirms on the second frame: 2). A tentative track that
    /// misses one frame is dropped.
    pub min_hits: u32,
    /// Frames a lost track is kept for re-activation before it ends. Paper: 30.
    pub track_buffer: usize,
    /// Which labels are tracked together.
    pub grouping: LabelGrouping,
}

impl Default for ByteTrackConfig {
    fn default() -> Self {
        ByteTrackConfig {
            high_score: 0.6,
            low_score: 0.1,
            new_track_score: 0.7,
            match_iou: 0.2,
            low_match_iou: 0.5,
            tentative_match_iou: 0.3,
            min_hits: 2,
            track_buffer: 30,
            grouping: LabelGrouping::PeopleTogether,
        }
    }
}

impl ByteTrackConfig {
    /// Checks ranges: scores finite in `[0, 1]` with `low_score <= high_score`,
    /// IoU thresholds in `(0, 1]`, `min_hits >= 1`.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("high_score", self.high_score),
            ("low_score", self.low_score),
            ("new_track_score", self.new_track_score),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(config_err(name, format!("must be in [0, 1], got {v}")));
            }
        }
        if self.low_score > self.high_score {
            return Err(config_err(
                "low_score",
                format!("{} is above high_score {}", self.low_score, self.high_score),
            ));
        }
        for (name, v) in [
            ("match_iou", self.match_iou),
            ("low_match_iou", self.low_match_iou),
            ("tentative_match_iou", self.tentative_match_iou),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return Err(config_err(name, format!("must be in (0, 1], got {v}")));
            }
        }
        if self.min_hits == 0 {
            return Err(config_err("min_hits", "must be at least 1"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Tentative,
    Tracked,
    Lost,
}

#[derive(Debug, Clone)]
struct Tracklet {
    id: Option<u64>,
    kf: KalmanBox,
    state: State,
    hits: u32,
    last_frame: usize,
    points: Vec<TrackPoint>,
    labels: Vec<(Label, u32)>,
}

fn cxcywh(b: &BBox) -> [f64; 4] {
    let (x1, y1, x2, y2) = (f64::from(b.x1), f64::from(b.y1), f64::from(b.x2), f64::from(b.y2));
    [(x1 + x2) / 2.0, (y1 + y2) / 2.0, x2 - x1, y2 - y1]
}

fn xyxy_of_state(s: [f64; 4]) -> [f64; 4] {
    [s[0] - s[2] / 2.0, s[1] - s[3] / 2.0, s[0] + s[2] / 2.0, s[1] + s[3] / 2.0]
}

fn xyxy(b: &BBox) -> [f64; 4] {
    [f64::from(b.x1), f64::from(b.y1), f64::from(b.x2), f64::from(b.y2)]
}

impl Tracklet {
    fn new(frame: usize, timestamp: f64, d: &Detection) -> Self {
        let mut t = Tracklet {
            id: None,
            kf: KalmanBox::new(cxcywh(&d.bbox)),
            state: State::Tentative,
            hits: 0,
            last_frame: frame,
            points: Vec::new(),
            labels: Vec::new(),
        };
        t.record(frame, timestamp, d);
        t
    }

    fn record(&mut self, frame: usize, timestamp: f64, d: &Detection) {
        self.hits = self.hits.saturating_add(1);
        self.last_frame = frame;
        self.points.push(TrackPoint { frame, timestamp, bbox: d.bbox, score: d.score });
        match self.labels.iter_mut().find(|(l, _)| *l == d.label) {
            Some((_, n)) => *n = n.saturating_add(1),
            None => self.labels.push((d.label.clone(), 1)),
        }
    }

    fn update(&mut self, frame: usize, timestamp: f64, d: &Detection) {
        self.kf.update(cxcywh(&d.bbox));
        self.record(frame, timestamp, d);
    }

    fn predicted_xyxy(&self) -> [f64; 4] {
        xyxy_of_state(self.kf.cxcywh())
    }

    fn label(&self) -> Label {
        let mut best: Option<&(Label, u32)> = None;
        for e in &self.labels {
            if best.is_none_or(|b| e.1 > b.1) {
                best = Some(e);
            }
        }
        best.map_or(Label::Person, |(l, _)| l.clone())
    }

    fn to_track(&self) -> Option<Track> {
        let label = self.label();
        let team = if label == Label::Ball { Team::Ball } else { Team::Unknown };
        self.id.map(|id| Track { id, label, team, points: self.points.clone() })
    }
}

fn group_key(label: &Label, grouping: LabelGrouping) -> Label {
    match (grouping, label) {
        (
            LabelGrouping::PeopleTogether,
            Label::Person | Label::Player | Label::Goalkeeper | Label::Referee,
        ) => Label::Person,
        _ => label.clone(),
    }
}

/// Checks that a detection has a finite, non-inverted box and a finite score.
pub(crate) fn check_detection(frame: usize, index: usize, d: &Detection) -> Result<()> {
    let b = d.bbox;
    let finite = [b.x1, b.y1, b.x2, b.y2].iter().all(|v| v.is_finite());
    if !finite || b.x2 < b.x1 || b.y2 < b.y1 {
        return Err(TrackError::InvalidDetection {
            frame,
            index,
            reason: format!("box ({}, {}, {}, {}) is not finite or inverted", b.x1, b.y1, b.x2, b.y2),
        });
    }
    if !d.score.is_finite() {
        return Err(TrackError::InvalidDetection { frame, index, reason: format!("score {}", d.score) });
    }
    Ok(())
}

/// Checks that `(frame, timestamp)` follows `last` strictly.
pub(crate) fn check_order(last: Option<(usize, f64)>, frame: usize, timestamp: f64) -> Result<()> {
    let bad = match last {
        Some((pf, pt)) => frame <= pf || timestamp.is_nan() || timestamp <= pt || !timestamp.is_finite(),
        None => !timestamp.is_finite(),
    };
    if bad {
        let (previous_frame, previous_time) = last.unwrap_or((frame, f64::NAN));
        return Err(TrackError::FrameOrder { frame, timestamp, previous_frame, previous_time });
    }
    Ok(())
}

/// Multi-object tracker after ByteTrack: constant-velocity Kalman filter on
/// the box, IoU cost, Hungarian assignment in two stages (high-score
/// detections first, then low-score ones against the tracks still
/// unmatched), tentative tracks confirmed after
/// [`min_hits`](ByteTrackConfig::min_hits), lost tracks re-activated with
/// their id within [`track_buffer`](ByteTrackConfig::track_buffer) frames.
///
/// A track's points are the detections matched to it (frames where it was
/// lost have no point), including those from before it was confirmed.
/// Ids count from 1, are unique over all labels, and are given only to
/// confirmed tracks.
///
/// ```
/// use touchline_core::{BBox, Detection, Label, Tracker};
/// use touchline_track::{ByteTrackConfig, ByteTracker};
///
/// let mut tracker = ByteTracker::new(ByteTrackConfig::default())?;
/// for f in 0..10 {
///     let x = 10.0 + 4.0 * f as f32;
///     let dets = [Detection::new(Label::Player, 0.9, BBox::new(x, 50.0, x + 20.0, 90.0)?)];
///     let out = tracker.update(f, f as f64 / 25.0, &dets)?;
///     // confirmed on its second frame
///     assert_eq!(out[0].track_id, if f == 0 { None } else { Some(1) });
/// }
/// let tracks = tracker.tracks();
/// assert_eq!(tracks.len(), 1);
/// assert_eq!(tracks[0].points.len(), 10);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ByteTracker {
    config: ByteTrackConfig,
    groups: Vec<(Label, Vec<Tracklet>)>,
    finished: Vec<Track>,
    next_id: u64,
    frames: Vec<(usize, f64)>,
}

impl ByteTracker {
    /// A tracker with a validated configuration.
    pub fn new(config: ByteTrackConfig) -> Result<Self> {
        config.validate()?;
        Ok(ByteTracker { config, groups: Vec::new(), finished: Vec::new(), next_id: 1, frames: Vec::new() })
    }

    /// The configuration.
    pub fn config(&self) -> &ByteTrackConfig {
        &self.config
    }

    /// `(frame, timestamp)` of every frame fed so far, in order; use it to
    /// export tracks (see [`crate::to_tracking_data_pixels`],
    /// [`crate::to_tracking_data_metres`]).
    pub fn frame_times(&self) -> &[(usize, f64)] {
        &self.frames
    }

    /// Ids of the confirmed tracks that are currently tracked (not lost).
    pub fn active_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .groups
            .iter()
            .flat_map(|(_, ts)| ts.iter())
            .filter(|t| t.state == State::Tracked)
            .filter_map(|t| t.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Predicted boxes of the confirmed tracks (tracked and lost) for the
    /// frame after the last one fed, by id.
    pub fn predictions(&self) -> Vec<(u64, BBox)> {
        let mut out = Vec::new();
        for t in self.groups.iter().flat_map(|(_, ts)| ts.iter()) {
            let (Some(id), false) = (t.id, t.state == State::Tentative) else { continue };
            let mut kf = t.kf.clone();
            kf.predict();
            let [x1, y1, x2, y2] = xyxy_of_state(kf.cxcywh());
            // f64 -> f32 saturates; BBox::new rejects what is not finite.
            if let Ok(b) = BBox::new(x1 as f32, y1 as f32, x2 as f32, y2 as f32) {
                out.push((id, b));
            }
        }
        out.sort_by_key(|(id, _)| *id);
        out
    }

    /// Tracks a whole clip: `detections[i]` are the detections of frame `i`
    /// at `timestamps[i]`. Returns the detections with `track_id` set, per
    /// frame; [`tracks`](Tracker::tracks) then holds the tracks.
    pub fn run_clip(
        &mut self,
        timestamps: &[f64],
        detections: &[Vec<Detection>],
    ) -> Result<Vec<Vec<Detection>>> {
        if timestamps.len() != detections.len() {
            return Err(TrackError::LengthMismatch {
                what: "timestamps vs detection frames",
                left: timestamps.len(),
                right: detections.len(),
            });
        }
        let start = self.frames.last().map_or(0, |(f, _)| f + 1);
        timestamps
            .iter()
            .zip(detections)
            .enumerate()
            .map(|(i, (&t, d))| self.update(start + i, t, d))
            .collect()
    }

    fn confirm(&mut self, group: usize, k: usize) {
        let t = &mut self.groups[group].1[k];
        if t.id.is_none() {
            t.id = Some(self.next_id);
            self.next_id = self.next_id.saturating_add(1);
        }
        t.state = State::Tracked;
    }

    fn update_group(
        &mut self,
        g: usize,
        frame: usize,
        timestamp: f64,
        dets: &[(usize, &Detection)],
        out: &mut [Option<u64>],
    ) -> Result<()> {
        let cfg = self.config.clone();
        let high: Vec<(usize, &Detection)> =
            dets.iter().copied().filter(|(_, d)| d.score >= cfg.high_score).collect();
        let low: Vec<(usize, &Detection)> = dets
            .iter()
            .copied()
            .filter(|(_, d)| d.score >= cfg.low_score && d.score < cfg.high_score)
            .collect();
        let tracks = &self.groups[g].1;
        let pool: Vec<usize> = (0..tracks.len()).filter(|&k| tracks[k].state != State::Tentative).collect();
        let tentative: Vec<usize> =
            (0..tracks.len()).filter(|&k| tracks[k].state == State::Tentative).collect();

        let costs = |ts: &[Tracklet], rows: &[usize], cols: &[(usize, &Detection)]| -> Vec<f64> {
            let mut c = Vec::with_capacity(rows.len() * cols.len());
            for &k in rows {
                let p = ts[k].predicted_xyxy();
                c.extend(cols.iter().map(|(_, d)| 1.0 - iou_xyxy(p, xyxy(&d.bbox))));
            }
            c
        };

        // Stage 1: tracked and lost tracks against high-score detections.
        let c = costs(tracks, &pool, &high);
        let (m1, free_rows, free_high) = gated_assignment(pool.len(), high.len(), &c, 1.0 - cfg.match_iou)?;
        let mut matched: Vec<(usize, usize, &Detection)> =
            m1.iter().map(|&(r, c)| (pool[r], high[c].0, high[c].1)).collect();

        // Stage 2: tracks still tracked (not lost) against low-score detections.
        let rest: Vec<usize> =
            free_rows.iter().map(|&r| pool[r]).filter(|&k| tracks[k].state == State::Tracked).collect();
        let c = costs(tracks, &rest, &low);
        let (m2, free_rest, _) = gated_assignment(rest.len(), low.len(), &c, 1.0 - cfg.low_match_iou)?;
        matched.extend(m2.iter().map(|&(r, c)| (rest[r], low[c].0, low[c].1)));
        let newly_lost: Vec<usize> = free_rest.iter().map(|&r| rest[r]).collect();

        // Stage 3: tentative tracks against the high detections left.
        let high_left: Vec<(usize, &Detection)> = free_high.iter().map(|&c| high[c]).collect();
        let c = costs(tracks, &tentative, &high_left);
        let (m3, free_tent, free_new) =
            gated_assignment(tentative.len(), high_left.len(), &c, 1.0 - cfg.tentative_match_iou)?;
        let tent_matched: Vec<(usize, usize, &Detection)> =
            m3.iter().map(|&(r, c)| (tentative[r], high_left[c].0, high_left[c].1)).collect();
        let dropped: Vec<usize> = free_tent.iter().map(|&r| tentative[r]).collect();

        for &(k, di, d) in &matched {
            let t = &mut self.groups[g].1[k];
            t.update(frame, timestamp, d);
            t.state = State::Tracked;
            out[di] = t.id;
        }
        for &k in &newly_lost {
            self.groups[g].1[k].state = State::Lost;
        }
        for &(k, di, d) in &tent_matched {
            self.groups[g].1[k].update(frame, timestamp, d);
            if self.groups[g].1[k].hits >= cfg.min_hits {
                self.confirm(g, k);
            }
            out[di] = self.groups[g].1[k].id;
        }
        // Births.
        for &c in &free_new {
            let (di, d) = high_left[c];
            if d.score >= cfg.new_track_score {
                self.groups[g].1.push(Tracklet::new(frame, timestamp, d));
                let k = self.groups[g].1.len() - 1;
                if cfg.min_hits <= 1 {
                    self.confirm(g, k);
                }
                out[di] = self.groups[g].1[k].id;
            }
        }
        // Deaths: unmatched tentative tracks, and lost tracks past the buffer.
        let mut keep = Vec::with_capacity(self.groups[g].1.len());
        let mut dropped_mask = vec![false; self.groups[g].1.len()];
        for k in dropped {
            dropped_mask[k] = true;
        }
        for (k, t) in std::mem::take(&mut self.groups[g].1).into_iter().enumerate() {
            if dropped_mask.get(k).copied().unwrap_or(false) {
                continue;
            }
            if t.state == State::Lost && frame.saturating_sub(t.last_frame) > cfg.track_buffer {
                if let Some(tr) = t.to_track() {
                    self.finished.push(tr);
                }
                continue;
            }
            keep.push(t);
        }
        self.groups[g].1 = keep;
        Ok(())
    }
}

impl Tracker for ByteTracker {
    type Error = TrackError;

    fn update(&mut self, frame: usize, timestamp: f64, detections: &[Detection]) -> Result<Vec<Detection>> {
        check_order(self.frames.last().copied(), frame, timestamp)?;
        for (i, d) in detections.iter().enumerate() {
            check_detection(frame, i, d)?;
        }
        // Predict every track over the frames since the last call; no track
        // survives more than `track_buffer + 1` missed frames, so cap there.
        let steps = self.frames.last().map_or(0, |(pf, _)| frame - pf).min(self.config.track_buffer + 1);
        for t in self.groups.iter_mut().flat_map(|(_, ts)| ts.iter_mut()) {
            for _ in 0..steps {
                t.kf.predict();
            }
        }
        self.frames.push((frame, timestamp));

        let mut out = vec![None; detections.len()];
        let mut keys: Vec<Label> = Vec::new();
        for d in detections {
            let k = group_key(&d.label, self.config.grouping);
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        for (k, _) in &self.groups {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
        for key in keys {
            let g = match self.groups.iter().position(|(k, _)| *k == key) {
                Some(g) => g,
                None => {
                    self.groups.push((key.clone(), Vec::new()));
                    self.groups.len() - 1
                }
            };
            let dets: Vec<(usize, &Detection)> = detections
                .iter()
                .enumerate()
                .filter(|(_, d)| group_key(&d.label, self.config.grouping) == key)
                .collect();
            self.update_group(g, frame, timestamp, &dets, &mut out)?;
        }
        Ok(detections.iter().zip(out).map(|(d, id)| Detection { track_id: id, ..d.clone() }).collect())
    }

    fn tracks(&self) -> Vec<Track> {
        let mut out = self.finished.clone();
        out.extend(self.groups.iter().flat_map(|(_, ts)| ts.iter()).filter_map(Tracklet::to_track));
        out.sort_by_key(|t| t.id);
        out
    }
}

/// Tracks a whole clip with a fresh [`ByteTracker`]: `detections[i]` holds
/// frame `i` at `timestamps[i]`. Returns the tracks sorted by id.
pub fn track_clip(
    config: ByteTrackConfig,
    timestamps: &[f64],
    detections: &[Vec<Detection>],
) -> Result<Vec<Track>> {
    let mut t = ByteTracker::new(config)?;
    t.run_clip(timestamps, detections)?;
    Ok(t.tracks())
}
