//! The ball's flight after the kick from frame differencing, for a goal whose goal-line
//! arrival the detector's ball track left unknown (see `touchline_shot::flight`).
//!
//! The detector loses a blurred ball in front of the keeper; a static camera still sees it
//! move. Each processed frame from the kick on is differenced with its neighbours
//! ([`touchline_detect::motion_between`]) inside the box spanning the kick point and the goal
//! mouth; the ball-sized blobs and the tracker's own sightings are the candidates of a
//! ballistic curve fit ([`touchline_shot::fit_flight`]).

use std::collections::BTreeSet;

use serde_json::json;
use touchline_core::BBox;
use touchline_detect::{MotionBallConfig, motion_between};
use touchline_shot::{
    CleanTrack, FlightCandidate, FlightConfig, FootballReport, GoalRegion, PointStatus, SpeedConfig,
    fit_flight, refine_with_flight,
};

use super::{AnalyzeError, Renumbered};
use crate::pipeline::{PipelineError, VideoTracks, frames_ref};

/// Seconds of flight searched after the kick.
const SEARCH_S: f64 = 1.2;

/// Fits the flight and, when it settles the goal-line arrival, updates `report`. Returns the
/// evidence for report.json (also when nothing changed, saying why).
pub(super) fn refine(
    v: &VideoTracks,
    rn: &Renumbered,
    clean: &CleanTrack,
    region: &GoalRegion,
    report: &mut FootballReport,
    speed: &SpeedConfig,
) -> Result<serde_json::Value, AnalyzeError> {
    let Some(kick) = report.kick else { return Ok(json!({"used": false, "why": "no kick"})) };
    let Some(w) = clean.median_width_px.filter(|w| w.is_finite() && *w > 0.0) else {
        return Ok(json!({"used": false, "why": "no ball width"}));
    };
    let fps = rn.ball.fps();
    let last = (kick.frame + (SEARCH_S * fps).ceil() as usize).min(rn.clip_frame.len().saturating_sub(1));
    // Processed frames kick-1 ..= last+1 (neighbours included).
    let first = kick.frame.saturating_sub(1);
    let wanted: BTreeSet<usize> = (first..=(last + 1).min(rn.clip_frame.len().saturating_sub(1)))
        .filter_map(|k| rn.clip_frame.get(k).copied())
        .collect();
    let frames = frames_ref(v, &wanted)?;
    let [gx1, gy1, gx2, gy2] = region.bounds();
    let pad = 2.0 * w;
    let roi = BBox::new(
        (gx1.min(kick.position[0]) - pad).max(0.0) as f32,
        (gy1.min(kick.position[1]) - pad).max(0.0) as f32,
        (gx2.max(kick.position[0]) + pad).min(f64::from(v.width)) as f32,
        (gy2.max(kick.position[1]) + pad).min(f64::from(v.height)) as f32,
    )
    .ok();
    let disc = std::f64::consts::FRAC_PI_4 * w * w;
    let mcfg = MotionBallConfig {
        diff_threshold: 20.0,
        min_area: (0.3 * disc).max(9.0) as usize,
        max_area: (3.0 * disc).max(36.0) as usize,
        max_aspect: 2.5,
        min_fill: 0.35,
        max_candidates: 20,
        ..MotionBallConfig::default()
    };
    let mut cands =
        vec![FlightCandidate { frame: kick.frame, time: kick.time, pos: kick.position, width: Some(w) }];
    let mut blobs = 0usize;
    // Frame differencing of the triples, on two threads (each triple stands alone).
    let trios: Vec<(usize, &[std::borrow::Cow<'_, touchline_core::Frame>])> = frames
        .windows(3)
        .enumerate()
        .map(|(k, trio)| (first + k + 1, trio))
        .filter(|(frame, _)| *frame > kick.frame && *frame <= last)
        .collect();
    let diff = |part: &[(usize, &[std::borrow::Cow<'_, touchline_core::Frame>])]| {
        part.iter()
            .map(|(frame, trio)| {
                motion_between(&trio[0].image, &trio[1].image, &trio[2].image, roi.as_ref(), &mcfg)
                    .map(|found| (*frame, found))
                    .map_err(|source| PipelineError::Detect {
                        clip: v.clip.clone(),
                        frame: trio[1].index,
                        source,
                    })
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let (a, b) = trios.split_at(trios.len() / 2);
    let (ra, rb) = std::thread::scope(|s| {
        let h = s.spawn(|| diff(b));
        (diff(a), h.join())
    });
    let rb = rb.map_err(|_| AnalyzeError::Analysis {
        clip: v.clip.display().to_string(),
        reason: "the frame-differencing thread panicked".into(),
    })?;
    for (frame, found) in ra?.into_iter().chain(rb?) {
        let time = clean.index_of(frame).map_or(frame as f64 / fps, |i| clean.points[i].time);
        for d in found {
            let [x, y] = d.bbox.center();
            blobs += 1;
            cands.push(FlightCandidate {
                frame,
                time,
                pos: [f64::from(x), f64::from(y)],
                width: Some(f64::from(d.bbox.width().min(d.bbox.height()))),
            });
        }
    }
    let detected = clean
        .points
        .iter()
        .filter(|p| p.frame > kick.frame && p.frame <= last && p.status == PointStatus::Observed)
        .filter_map(|p| {
            p.pos.map(|pos| FlightCandidate { frame: p.frame, time: p.time, pos, width: p.width })
        })
        .collect::<Vec<_>>();
    let n_detected = detected.len();
    cands.extend(detected);
    let fcfg =
        FlightConfig { tolerance_px: (0.5 * w).max(8.0), kick_radius_px: 3.0 * w, ..FlightConfig::default() };
    let flight = fit_flight(&cands, Some((kick.position, kick.time)), &fcfg)
        .map_err(|source| AnalyzeError::Shot { clip: v.clip.display().to_string(), source })?;
    let Some(flight) = flight else {
        return Ok(json!({"used": false, "why": "no ballistic path among the candidates",
                         "motion_blobs": blobs, "detections": n_detected, "config": fcfg}));
    };
    let edge = refine_with_flight(report, &flight, region, fps, speed, &fcfg);
    let cf = |k: usize| rn.clip_frame.get(k).copied();
    Ok(json!({
        "used": edge.is_some(),
        "why": if edge.is_some() { "the fitted path left the goal mouth's region over its edge" }
               else { "the fitted path did not start at the kick or leave the mouth's region over the bar or a post" },
        "motion_blobs": blobs,
        "detections": n_detected,
        "config": fcfg,
        "inlier_clip_frames": flight.inliers.iter().filter_map(|c| cf(c.frame)).collect::<Vec<_>>(),
        "flight": flight,
        "edge": edge,
    }))
}
