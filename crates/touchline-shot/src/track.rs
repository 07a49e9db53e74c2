//! Ball-track input types and cleanup: Hampel filter, teleport rejection,
//! short gaps filled through a caller's [`Imputer`].

use ndarray::{Array2, Array3};
use serde::{Deserialize, Serialize};
use touchline_core::{Agent, BBox, Imputer, Label, Track, TrackingData};

use crate::error::{Result, ShotError, invalid};

/// Which ball: fixes the real diameter used as the pixel-to-metre scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sport {
    /// Size-5 football, 0.22 m diameter (IFAB Law 2: 68-70 cm circumference).
    Football,
    /// Size-7 basketball, 0.24 m diameter (FIBA: 74.9-78 cm circumference).
    Basketball,
}

impl Sport {
    /// Ball diameter in metres.
    pub fn ball_diameter_m(self) -> f64 {
        match self {
            Sport::Football => 0.22,
            Sport::Basketball => 0.24,
        }
    }
}

/// One frame of a ball track as a user or detector provides it (pixels).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BallObservation {
    /// Frame index in the video.
    pub frame: usize,
    /// Frame time in seconds.
    pub time: f64,
    /// Ball centre in pixels, `None` when the ball was not seen.
    pub center: Option<[f64; 2]>,
    /// Apparent ball diameter in pixels, when known (gives the scale).
    pub width: Option<f64>,
    /// Detection score (0 when unknown).
    pub score: f32,
}

impl BallObservation {
    /// A seen ball at `center` with apparent diameter `width` (if known).
    pub fn seen(frame: usize, time: f64, center: [f64; 2], width: Option<f64>) -> Self {
        BallObservation { frame, time, center: Some(center), width, score: 1.0 }
    }

    /// A frame where the ball was not seen.
    pub fn missing(frame: usize, time: f64) -> Self {
        BallObservation { frame, time, center: None, width: None, score: 0.0 }
    }

    /// From a ball box: centre, and the smaller side as the diameter (motion
    /// blur stretches one side, never shrinks the other).
    pub fn from_bbox(frame: usize, time: f64, b: &BBox, score: f32) -> Self {
        let [cx, cy] = b.center();
        let w = f64::from(b.width().min(b.height()));
        BallObservation {
            frame,
            time,
            center: Some([f64::from(cx), f64::from(cy)]),
            width: (w > 0.0).then_some(w),
            score,
        }
    }
}

/// A validated ball track: frames strictly increasing, finite times and
/// positions, positive widths, a positive frame rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BallTrack {
    fps: f64,
    points: Vec<BallObservation>,
}

impl BallTrack {
    /// Validates and wraps `points` (in frame order; missing frames may be
    /// left out or given with `center: None`).
    pub fn new(fps: f64, points: Vec<BallObservation>) -> Result<BallTrack> {
        if !(fps.is_finite() && fps > 0.0) {
            return Err(invalid("fps", format!("must be finite and positive, got {fps}")));
        }
        for (i, p) in points.iter().enumerate() {
            if !p.time.is_finite() {
                return Err(invalid(
                    "ball track",
                    format!("frame {}: time {} is not finite", p.frame, p.time),
                ));
            }
            if let Some([x, y]) = p.center
                && !(x.is_finite() && y.is_finite())
            {
                return Err(invalid(
                    "ball track",
                    format!("frame {}: centre ({x}, {y}) is not finite", p.frame),
                ));
            }
            if let Some(w) = p.width
                && !(w.is_finite() && w > 0.0)
            {
                return Err(invalid(
                    "ball track",
                    format!("frame {}: width {w} must be finite and > 0", p.frame),
                ));
            }
            if i > 0 {
                let q = &points[i - 1];
                if p.frame <= q.frame || p.time <= q.time {
                    return Err(invalid(
                        "ball track",
                        format!(
                            "frames and times must strictly increase: frame {} (t {}) after frame {} (t {})",
                            p.frame, p.time, q.frame, q.time
                        ),
                    ));
                }
            }
        }
        Ok(BallTrack { fps, points })
    }

    /// From a tracker's ball [`Track`] (label must be [`Label::Ball`]).
    pub fn from_track(track: &Track, fps: f64) -> Result<BallTrack> {
        if track.label != Label::Ball {
            return Err(invalid(
                "ball track",
                format!("track {} is a {:?}, not the ball", track.id, track.label),
            ));
        }
        let pts =
            track.points.iter().map(|p| BallObservation::from_bbox(p.frame, p.timestamp, &p.bbox, p.score));
        BallTrack::new(fps, pts.collect())
    }

    /// Frames per second.
    pub fn fps(&self) -> f64 {
        self.fps
    }

    /// The observations.
    pub fn points(&self) -> &[BallObservation] {
        &self.points
    }
}

/// What cleanup concluded about one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PointStatus {
    /// Seen and kept.
    Observed,
    /// Seen, but rejected by the Hampel filter.
    Outlier,
    /// Seen, but rejected as a jump faster than the speed bound.
    Teleport,
    /// Not seen (or rejected), filled by the imputer across a short gap.
    Imputed,
    /// No usable position.
    Missing,
}

/// One frame of a cleaned track.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CleanPoint {
    /// Frame index.
    pub frame: usize,
    /// Time in seconds (interpolated for frames the input left out).
    pub time: f64,
    /// Cleaned position (pixels), `None` when missing or rejected and not filled.
    pub pos: Option<[f64; 2]>,
    /// The input position, if any.
    pub raw: Option<[f64; 2]>,
    /// Apparent diameter in pixels, if observed and kept.
    pub width: Option<f64>,
    /// Status.
    pub status: PointStatus,
}

/// Counts of what cleanup did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanReport {
    /// Frames seen and kept.
    pub observed: usize,
    /// Frames rejected by the Hampel filter.
    pub outliers: usize,
    /// Frames rejected by the speed bound.
    pub teleports: usize,
    /// Frames filled by the imputer.
    pub imputed: usize,
    /// Frames with no position.
    pub missing: usize,
    /// Whether the speed bound could be checked (needs a ball width or
    /// [`CleanConfig::fallback_px_per_m`]).
    pub speed_checked: bool,
}

/// Cleanup parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CleanConfig {
    /// Real ball diameter in metres (scale from the apparent width).
    pub ball_diameter_m: f64,
    /// Hampel half window in frames (the window is `2 * half + 1` frames).
    pub hampel_half_window: usize,
    /// Hampel threshold in robust standard deviations (`1.4826 * MAD`).
    pub hampel_k: f64,
    /// Smallest deviation the Hampel filter flags, in ball diameters (a
    /// still ball has MAD 0; jitter below this is not an outlier).
    pub hampel_min_dev_diameters: f64,
    /// Speed bound in m/s; a point that jumps faster from both neighbours is a
    /// teleport.
    pub max_speed_mps: f64,
    /// Scale to use when no ball width is known (pixels per metre).
    pub fallback_px_per_m: Option<f64>,
    /// Longest gap (frames) the imputer may fill.
    pub max_gap_frames: usize,
    /// Observations below this score are treated as not seen.
    pub min_score: f32,
}

impl CleanConfig {
    /// Defaults for a sport: Hampel 3+1+3 frames, k = 3, min deviation 1
    /// diameter, speed bound 60 m/s (216 km/h, above the fastest recorded
    /// shots) for football and 30 m/s for basketball, gaps up to 5 frames.
    pub fn for_sport(sport: Sport) -> CleanConfig {
        CleanConfig {
            ball_diameter_m: sport.ball_diameter_m(),
            hampel_half_window: 3,
            hampel_k: 3.0,
            hampel_min_dev_diameters: 1.0,
            max_speed_mps: match sport {
                Sport::Football => 60.0,
                Sport::Basketball => 30.0,
            },
            fallback_px_per_m: None,
            max_gap_frames: 5,
            min_score: 0.0,
        }
    }

    fn validate(&self) -> Result<()> {
        let pos = |name: &'static str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(invalid(name, format!("must be > 0, got {v}")))
            }
        };
        pos("ball_diameter_m", self.ball_diameter_m)?;
        pos("hampel_k", self.hampel_k)?;
        pos("max_speed_mps", self.max_speed_mps)?;
        if !(self.hampel_min_dev_diameters.is_finite() && self.hampel_min_dev_diameters >= 0.0) {
            return Err(invalid("hampel_min_dev_diameters", format!("{}", self.hampel_min_dev_diameters)));
        }
        if let Some(s) = self.fallback_px_per_m {
            pos("fallback_px_per_m", s)?;
        }
        if !self.min_score.is_finite() {
            return Err(invalid("min_score", "not finite"));
        }
        Ok(())
    }
}

/// A cleaned ball track, one entry per frame from the first to the last
/// input frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleanTrack {
    /// Frames per second.
    pub fps: f64,
    /// Real ball diameter used for the scale (metres).
    pub ball_diameter_m: f64,
    /// Median apparent diameter of the kept observations (pixels).
    pub median_width_px: Option<f64>,
    /// Scale used when a frame has no width of its own.
    pub fallback_px_per_m: Option<f64>,
    /// One point per frame.
    pub points: Vec<CleanPoint>,
    /// What cleanup did.
    pub report: CleanReport,
}

impl CleanTrack {
    /// Index into [`points`](Self::points) of a frame.
    pub fn index_of(&self, frame: usize) -> Option<usize> {
        let first = self.points.first()?.frame;
        let i = frame.checked_sub(first)?;
        (i < self.points.len()).then_some(i)
    }

    /// Cleaned position at a frame.
    pub fn position(&self, frame: usize) -> Option<[f64; 2]> {
        self.index_of(frame).and_then(|i| self.points[i].pos)
    }

    /// Pixels per metre at index `i`: the frame's own width if kept, else the
    /// median width, else the fallback.
    pub fn px_per_m_at(&self, i: usize) -> Option<f64> {
        let w = self.points.get(i).and_then(|p| p.width).or(self.median_width_px);
        w.map(|w| w / self.ball_diameter_m).or(self.fallback_px_per_m)
    }

    /// Apparent ball diameter (pixels) at index `i`, falling back to the median.
    pub fn width_at(&self, i: usize) -> Option<f64> {
        self.points.get(i).and_then(|p| p.width).or(self.median_width_px)
    }

    /// Speed in m/s at each index, from the previous position at most 3
    /// frames back; `None` without two positions or a scale.
    pub fn speeds_mps(&self) -> Vec<Option<f64>> {
        (0..self.points.len()).map(|i| self.step(i).map(|s| s.mps)).collect()
    }

    /// Displacement into index `i` from the previous position (<= 3 frames back).
    pub(crate) fn step(&self, i: usize) -> Option<Step> {
        let p = self.points.get(i)?.pos?;
        let j = (i.saturating_sub(3)..i).rev().find(|&j| self.points[j].pos.is_some())?;
        let q = self.points[j].pos?;
        let dt = self.points[i].time - self.points[j].time;
        if dt <= 0.0 {
            return None;
        }
        let px = ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt();
        let scale = match (self.px_per_m_at(i), self.px_per_m_at(j)) {
            (Some(a), Some(b)) => Some(0.5 * (a + b)),
            (a, b) => a.or(b),
        }?;
        Some(Step { mps: px / scale / dt, px_per_m: scale })
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Step {
    pub mps: f64,
    pub px_per_m: f64,
}

pub(crate) fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { 0.5 * (v[n / 2 - 1] + v[n / 2]) })
}

/// Cleans a ball track without filling gaps.
pub fn clean(track: &BallTrack, cfg: &CleanConfig) -> Result<CleanTrack> {
    clean_impl(track, cfg, None)
}

/// Cleans a ball track and fills gaps up to [`CleanConfig::max_gap_frames`]
/// through `imputer` (run on a one-agent [`TrackingData`] in pixels; only its
/// values inside short interior gaps are used).
///
/// ```
/// use touchline_shot::{BallObservation, BallTrack, CleanConfig, PointStatus, Sport, clean_with};
/// # use touchline_core::{Imputer, TrackingData, CoreError};
/// # struct Lin;
/// # impl Imputer for Lin {
/// #     type Error = CoreError;
/// #     fn name(&self) -> &str { "lin" }
/// #     fn impute(&self, d: &TrackingData) -> Result<TrackingData, CoreError> {
/// #         let mut out = d.clone();
/// #         let (s, o) = (d.agent_series(0), d.agent_observed(0));
/// #         let mut v = s.to_owned();
/// #         let idx: Vec<usize> = (0..o.len()).filter(|&i| o[i]).collect();
/// #         for w in idx.windows(2) { for f in w[0] + 1..w[1] { for k in 0..2 {
/// #             let a = (f - w[0]) as f64 / (w[1] - w[0]) as f64;
/// #             v[[f, k]] = s[[w[0], k]] * (1.0 - a) + s[[w[1], k]] * a; } } }
/// #         out.fill_unobserved(0, v.view())?; Ok(out)
/// #     }
/// # }
/// let pts = (0..10).map(|f| {
///     let t = f as f64 / 25.0;
///     if f == 4 { BallObservation::missing(f, t) }
///     else { BallObservation::seen(f, t, [100.0 + 10.0 * f as f64, 300.0], Some(20.0)) }
/// }).collect();
/// let track = BallTrack::new(25.0, pts)?;
/// let c = clean_with(&track, &CleanConfig::for_sport(Sport::Football), &Lin)?;
/// assert_eq!(c.points[4].status, PointStatus::Imputed);
/// assert_eq!(c.points[4].pos, Some([140.0, 300.0]));
/// # Ok::<(), touchline_shot::ShotError>(())
/// ```
pub fn clean_with<I: Imputer + ?Sized>(
    track: &BallTrack,
    cfg: &CleanConfig,
    imputer: &I,
) -> Result<CleanTrack> {
    let fill = |d: &TrackingData| -> Result<TrackingData> {
        imputer
            .impute(d)
            .map_err(|e| ShotError::Imputer { imputer: imputer.name().to_string(), source: Box::new(e) })
    };
    clean_impl(track, cfg, Some(&fill))
}

type Fill<'a> = &'a dyn Fn(&TrackingData) -> Result<TrackingData>;

fn clean_impl(track: &BallTrack, cfg: &CleanConfig, fill: Option<Fill<'_>>) -> Result<CleanTrack> {
    cfg.validate()?;
    let fps = track.fps;
    let mut out = CleanTrack {
        fps,
        ball_diameter_m: cfg.ball_diameter_m,
        median_width_px: None,
        fallback_px_per_m: cfg.fallback_px_per_m,
        points: Vec::new(),
        report: CleanReport::default(),
    };
    let (Some(first), Some(last)) = (track.points.first(), track.points.last()) else {
        return Ok(out);
    };
    let n = last.frame - first.frame + 1;
    if n > 10_000_000 {
        return Err(invalid("ball track", format!("spans {n} frames ({}..{})", first.frame, last.frame)));
    }
    // Dense frames; times of left-out frames interpolated between neighbours.
    let mut pts: Vec<CleanPoint> = Vec::with_capacity(n);
    let mut it = track.points.iter().peekable();
    let mut prev: Option<&BallObservation> = None;
    for k in 0..n {
        let frame = first.frame + k;
        if let Some(p) = it.next_if(|p| p.frame == frame) {
            let seen = p.center.filter(|_| p.score >= cfg.min_score);
            pts.push(CleanPoint {
                frame,
                time: p.time,
                pos: seen,
                raw: p.center,
                width: seen.and(p.width),
                status: if seen.is_some() { PointStatus::Observed } else { PointStatus::Missing },
            });
            prev = Some(p);
        } else {
            let time = match (prev, it.peek()) {
                (Some(a), Some(b)) => {
                    let u = (frame - a.frame) as f64 / (b.frame - a.frame) as f64;
                    a.time + u * (b.time - a.time)
                }
                (Some(a), None) => a.time + (frame - a.frame) as f64 / fps,
                _ => first.time + k as f64 / fps,
            };
            pts.push(CleanPoint {
                frame,
                time,
                pos: None,
                raw: None,
                width: None,
                status: PointStatus::Missing,
            });
        }
    }
    let mut widths: Vec<f64> = pts.iter().filter_map(|p| p.width).collect();
    out.median_width_px = median(&mut widths);
    let min_dev = cfg.hampel_min_dev_diameters * out.median_width_px.unwrap_or(3.0);

    // Hampel filter over the observed points (neighbours within the window in frames).
    let obs: Vec<usize> = (0..n).filter(|&i| pts[i].pos.is_some()).collect();
    let mut flagged = vec![false; n];
    let h = cfg.hampel_half_window;
    if h > 0 {
        let mut lo = 0usize;
        let mut buf = Vec::with_capacity(2 * h + 1);
        for (oi, &i) in obs.iter().enumerate() {
            while pts[obs[lo]].frame + h < pts[i].frame {
                lo += 1;
            }
            let hi = obs[oi..].iter().take_while(|&&j| pts[j].frame <= pts[i].frame + h).count() + oi;
            if hi - lo < 3 {
                continue;
            }
            let Some(p) = pts[i].pos else { continue };
            for k in 0..2 {
                buf.clear();
                buf.extend(obs[lo..hi].iter().filter_map(|&j| pts[j].pos.map(|q| q[k])));
                let Some(med) = median(&mut buf) else { continue };
                let mut dev: Vec<f64> = buf.iter().map(|v| (v - med).abs()).collect();
                let mad = median(&mut dev).unwrap_or(0.0);
                let thr = (cfg.hampel_k * 1.4826 * mad).max(min_dev);
                if (p[k] - med).abs() > thr {
                    flagged[i] = true;
                }
            }
            // A point on the straight line between its observed neighbours is
            // not a glitch: at a kick the window is mostly the resting ball,
            // so the first flight point deviates from the window median.
            if flagged[i]
                && let (Some(&a), Some(&b)) = (oi.checked_sub(1).and_then(|j| obs.get(j)), obs.get(oi + 1))
                && let (Some(pa), Some(pb)) = (pts[a].pos, pts[b].pos)
                && pts[b].frame - pts[a].frame <= cfg.max_gap_frames.max(2 * h) + 1
            {
                let u = (pts[i].frame - pts[a].frame) as f64 / (pts[b].frame - pts[a].frame) as f64;
                let line = [pa[0] + u * (pb[0] - pa[0]), pa[1] + u * (pb[1] - pa[1])];
                // The line's own length bounds how far off a genuine point can be
                // from it (a curving flight); glitches lie far off both.
                let off = (p[0] - line[0]).hypot(p[1] - line[1]);
                let chord = (pb[0] - pa[0]).hypot(pb[1] - pa[1]);
                if off <= min_dev.max(0.25 * chord) {
                    flagged[i] = false;
                }
            }
        }
    }
    for i in 0..n {
        if flagged[i] {
            pts[i].pos = None;
            pts[i].width = None;
            pts[i].status = PointStatus::Outlier;
        }
    }

    // Teleports: a kept point faster than the bound from both kept neighbours.
    let scale_at = |p: &CleanPoint| {
        p.width.or(out.median_width_px).map(|w| w / cfg.ball_diameter_m).or(cfg.fallback_px_per_m)
    };
    out.report.speed_checked = pts.iter().any(|p| p.pos.is_some() && scale_at(p).is_some());
    let kept: Vec<usize> = (0..n).filter(|&i| pts[i].pos.is_some()).collect();
    let speed = |a: &CleanPoint, b: &CleanPoint| -> Option<f64> {
        let (p, q) = (a.pos?, b.pos?);
        let s = 0.5 * (scale_at(a)? + scale_at(b)?);
        let dt = (b.time - a.time).abs();
        (dt > 0.0).then(|| ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt() / s / dt)
    };
    let mut teleport = vec![false; n];
    for (k, &i) in kept.iter().enumerate() {
        let before = k.checked_sub(1).map(|j| kept[j]).filter(|&j| !teleport[j]);
        let after = kept.get(k + 1).copied();
        let fast = |j: Option<usize>| j.and_then(|j| speed(&pts[j], &pts[i])).map(|v| v > cfg.max_speed_mps);
        let bad = match (fast(before), fast(after)) {
            (Some(a), Some(b)) => a && b,
            (Some(a), None) | (None, Some(a)) => a && kept.len() >= 2,
            (None, None) => false,
        };
        // An edge point is judged only against its one neighbour: reject the
        // one that disagrees with the next pair when possible.
        let bad = if bad && (before.is_none() || after.is_none()) {
            let next2 = if before.is_none() { kept.get(k + 2).copied() } else { None };
            match (after, next2) {
                (Some(a), Some(b)) => speed(&pts[a], &pts[b]).is_some_and(|v| v <= cfg.max_speed_mps),
                _ => before.is_some(),
            }
        } else {
            bad
        };
        teleport[i] = bad;
    }
    for i in 0..n {
        if teleport[i] {
            pts[i].pos = None;
            pts[i].width = None;
            pts[i].status = PointStatus::Teleport;
        }
    }

    // Gap filling through the imputer.
    if let Some(fill) = fill
        && pts.iter().filter(|p| p.pos.is_some()).count() >= 2
        && pts.iter().any(|p| p.pos.is_none())
    {
        let mut pos = Array3::from_elem((n, 1, 2), f64::NAN);
        let mut obs = Array2::from_elem((n, 1), false);
        for (i, p) in pts.iter().enumerate() {
            if let Some([x, y]) = p.pos {
                pos[[i, 0, 0]] = x;
                pos[[i, 0, 1]] = y;
                obs[[i, 0]] = true;
            }
        }
        let times: Vec<f64> = pts.iter().map(|p| p.time).collect();
        let data = TrackingData::new(pos, obs, times, vec![Agent::ball()])?.with_frame_rate(fps)?;
        let filled = fill(&data)?;
        if filled.n_frames() != n || filled.n_agents() != 1 {
            return Err(invalid("imputer output", format!("shape changed from {n} frames x 1 agent")));
        }
        let fp = filled.positions();
        let mut i = 0;
        while i < n {
            if pts[i].pos.is_some() {
                i += 1;
                continue;
            }
            let start = i;
            while i < n && pts[i].pos.is_none() {
                i += 1;
            }
            let interior = start > 0 && i < n;
            if interior && i - start <= cfg.max_gap_frames {
                for (f, p) in pts.iter_mut().enumerate().take(i).skip(start) {
                    let (x, y) = (fp[[f, 0, 0]], fp[[f, 0, 1]]);
                    if x.is_finite() && y.is_finite() {
                        p.pos = Some([x, y]);
                        p.status = PointStatus::Imputed;
                    }
                }
            }
        }
    }
    for p in &pts {
        match p.status {
            PointStatus::Observed => out.report.observed += 1,
            PointStatus::Imputed => out.report.imputed += 1,
            PointStatus::Outlier => out.report.outliers += 1,
            PointStatus::Teleport => out.report.teleports += 1,
            PointStatus::Missing => {}
        }
        if p.pos.is_none() {
            out.report.missing += 1;
        }
    }
    out.points = pts;
    Ok(out)
}
