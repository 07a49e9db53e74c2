//! `touchline analyze-shot`: one clip of a shot in; facts, evidence, pictures and coaching out.
//!
//! ```text
//! clip -> pipeline (decode, YOLOX-nano, ByteTracker + BallTracker)
//!      -> touchline-shot (ball cleanup, goal / rim finder, goal decision or make/miss, speed)
//!      -> touchline-pose (MoveNet Thunder on the shooter at the kick frame, kick biomechanics)
//!      -> touchline-coach (ShotFacts -> offline rules, or a chat server with --coach-url)
//! ```
//!
//! Writes into `--out`: `report.json` (facts, evidence, timings), `coaching.md`, `strike.png`,
//! `annotated.mp4` and `report.html` (one self-contained page).

mod flight;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use base64::Engine as _;
use image::{Rgb, RgbImage};
use serde_json::json;
use touchline_coach::{ChatConfig, CoachBackend, Coaching, Foot, Outcome, ShotFacts, Speed};
use touchline_core::{
    BBox, CocoJoint, Detection, Keypoints, Label, PoseEstimator, Team, Track, TrackPoint, Tracker,
};
use touchline_detect::{MotionBallConfig, MotionBallDetector};
use touchline_impute::{GapPolicy, InterpImputer, InterpParams, interp::Kind};
use touchline_pose::biomech::{self, KickAnalysis, Side};
use touchline_pose::movenet::{MoveNetSingle, SessionConfig};
use touchline_render::{Annotator, Mp4Writer, ThreadedSink};
use touchline_shot::{
    BallObservation, BallTrack, BasketConfig, BasketOutcome, BasketballReport, CleanConfig, CleanTrack,
    FlightConfig, FootballConfig, FootballOutcome, FootballReport, GoalRegion, LineRule, Rim, Sport,
    clean_with, find_football_goal, find_hoop,
};
use touchline_track::identity::{AppearanceDistance, AppearanceSampler, Identities, IdentityConfig};
use touchline_track::{BallConfig, BallTracker, SpeedLimit};

use crate::pipeline::{
    FrameStep, ModelChoice, PipelineError, PipelineOptions, VideoTracks, progress_bar, run_pipeline,
    shared_asset,
};

/// MoveNet Thunder relative to the shared assets folder.
pub const DEFAULT_POSE: &str = "models/movenet_single/movenet_thunder.onnx";

/// Arguments of `touchline analyze-shot`.
#[derive(Debug, clap::Args)]
pub struct AnalyzeShotArgs {
    /// The clip (MP4/H.264, Y4M or a folder of images) with one shot (football) or shots
    /// (basketball).
    pub clip: PathBuf,
    /// Output folder (created): report.json, coaching.md, strike.png, annotated.mp4, report.html.
    #[arg(long, short)]
    pub out: PathBuf,
    /// football, basketball or auto (a goal frame found in the first frame: football; else a
    /// rim: basketball).
    #[arg(long, default_value = "auto")]
    pub sport: String,
    /// Detector: `yolox` (the shared YOLOX-nano), a YOLOX .onnx file, or `replay:<json>`.
    #[arg(long)]
    pub model: Option<String>,
    /// Pose model (MoveNet single-pose .onnx); default the shared MoveNet Thunder.
    #[arg(long)]
    pub pose_model: Option<PathBuf>,
    /// Process every n-th frame.
    #[arg(long, default_value_t = 1)]
    pub stride: usize,
    /// Process one frame per this many seconds instead of a stride.
    #[arg(long)]
    pub every_seconds: Option<f64>,
    /// Football: kick-to-goal-line distance in metres for the flight-time speed (11 = penalty
    /// spot). 0 = not known: the speed comes from the ball's apparent size only.
    #[arg(long, default_value_t = 11.0)]
    pub flight_distance_m: f64,
    /// Lowest ball detection score handed to the ball tracker (its speed gate chooses among
    /// candidates); a ball blurred in flight often scores 0.1-0.25.
    #[arg(long, default_value_t = 0.1)]
    pub ball_min_score: f32,
    /// ONNX Runtime intra-op threads per detector session (0 = automatic: one when several
    /// sessions share the cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Detector sessions running side by side, one model copy each (0 = one per core, at most
    /// four; with `--threads N`, as many as fit the cores).
    #[arg(long, default_value_t = 0)]
    pub sessions: usize,
    /// Which ball tiles run while the ball is lost: `sweep:N` (default `sweep:32`, each tile
    /// once in N frames), `every:N`, or `all` (every tile on every such frame: most recall,
    /// slowest). See docs/detection.md.
    #[arg(long, default_value = "sweep:32")]
    pub tile_search: String,
    /// Keep the decoded frames in memory when they fit in this many MiB (width x height x 3
    /// bytes each), so the goal finder, the flight search, the pose, the shooter identities
    /// and the annotated video do not decode the clip again; `0` always decodes again.
    #[arg(long, default_value_t = 1024)]
    pub frame_memory_mb: usize,
    /// OpenAI-compatible chat server for the coaching text (e.g. http://127.0.0.1:8080/v1);
    /// without it the offline rule-based coach writes it.
    #[arg(long)]
    pub coach_url: Option<String>,
    /// Model name for --coach-url.
    #[arg(long, default_value = "local")]
    pub coach_model: String,
    /// Send strike.png to the chat server (vision models only).
    #[arg(long)]
    pub coach_image: bool,
    /// Skip annotated.mp4 (faster); report.html then shows the strike frame only.
    #[arg(long)]
    pub no_video: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Why `analyze-shot` stopped.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    /// Decode, detect or track.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// Bad arguments.
    #[error("{0}")]
    Usage(String),
    /// The clip does not show what the analysis needs (no goal, no ball...).
    #[error("{clip}: {reason}")]
    Analysis {
        /// The clip.
        clip: String,
        /// What is missing.
        reason: String,
    },
    /// The shot crate refused its input.
    #[error("shot analysis of {clip}: {source}")]
    Shot {
        /// The clip.
        clip: String,
        /// The error.
        source: touchline_shot::ShotError,
    },
    /// The pose model failed.
    #[error("pose at frame {frame}: {source}")]
    Pose {
        /// Clip frame index.
        frame: usize,
        /// The error.
        source: touchline_pose::PoseError,
    },
    /// The coach failed (server unreachable, answers rejected).
    #[error("coaching: {0}")]
    Coach(String),
    /// Writing an output failed.
    #[error("{}: {reason}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

fn write_err(path: &Path, e: impl std::fmt::Display) -> AnalyzeError {
    AnalyzeError::Write { path: path.to_path_buf(), reason: e.to_string() }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum SportChoice {
    Football,
    Basketball,
    Auto,
}

/// Timings of the steps after the pipeline, seconds.
#[derive(Debug, Default, serde::Serialize)]
struct StepTimes {
    region_s: f64,
    shot_s: f64,
    pose_s: f64,
    coach_s: f64,
    render_s: f64,
    total_s: f64,
}

/// The shot-crate inputs in processed-frame units: `k` is the position in the pipeline's
/// records, times are the clip's.
struct Renumbered {
    /// Clip frame index of processed frame `k`.
    clip_frame: Vec<usize>,
    ball: BallTrack,
    players: Vec<Track>,
}

fn renumber(v: &VideoTracks) -> Result<Renumbered, AnalyzeError> {
    let clip_frame: Vec<usize> = v.records.iter().map(|r| r.index).collect();
    let k_of = |f: usize| clip_frame.binary_search(&f).ok();
    let obs: Vec<BallObservation> = v
        .ball
        .points
        .iter()
        .filter_map(|p| Some(BallObservation::from_bbox(k_of(p.frame)?, p.timestamp, &p.bbox, p.score)))
        .collect();
    let ball = BallTrack::new(v.sampled_fps(), obs)
        .map_err(|source| AnalyzeError::Shot { clip: v.clip.display().to_string(), source })?;
    let players = v
        .players
        .iter()
        .map(|t| Track {
            points: t
                .points
                .iter()
                .filter_map(|p| Some(TrackPoint { frame: k_of(p.frame)?, ..p.clone() }))
                .collect(),
            ..t.clone()
        })
        .collect();
    Ok(Renumbered { clip_frame, ball, players })
}

/// The last observed frame (processed units) before the first gap of more than `max_gap`
/// frames after `kick`, if there is such a gap.
fn flight_end(ball: &BallTrack, kick: usize, max_gap: usize) -> Option<usize> {
    let seen: Vec<usize> =
        ball.points().iter().filter(|p| p.center.is_some() && p.frame >= kick).map(|p| p.frame).collect();
    seen.windows(2).find(|w| w[1] - w[0] > max_gap + 1).map(|w| w[0])
}

/// Runs the ball tracker again over the pipeline's candidates without those whose centre lies in
/// the lowest quarter of a person box that overlaps the goal region (the keeper's boots);
/// returns how many were dropped.
fn retrack_ball_without_keeper_feet(v: &mut VideoTracks, goal: &GoalRegion) -> Result<usize, AnalyzeError> {
    let [gx1, gy1, gx2, gy2] = goal.bounds();
    let cfg = BallConfig {
        max_speed: SpeedLimit::PixelsPerSecond(2.5 * f64::from(v.width.max(1))),
        ..BallConfig::default()
    };
    let clip = v.clip.clone();
    let track_err = |frame, source| PipelineError::Track { clip: clip.clone(), frame, source };
    let mut ball = BallTracker::new(cfg).map_err(|e| track_err(0, e))?;
    let mut dropped = 0;
    let in_goal = |b: &BBox| {
        // Overlapping the mouth, feet in its lower half or below (a keeper, not the crowd).
        f64::from(b.x2) > gx1
            && f64::from(b.x1) < gx2
            && f64::from(b.y2) > 0.5 * (gy1 + gy2)
            && f64::from(b.y1) < gy2
    };
    for (i, r) in v.records.iter().enumerate() {
        // People overlapping the goal mouth in this and the previous 5 processed frames: a
        // diving keeper is often missed by the detector for a frame or two.
        let keepers: Vec<&BBox> = v.records[i.saturating_sub(5)..=i]
            .iter()
            .flat_map(|q| q.detections.iter())
            .filter(|d| d.label != Label::Ball)
            .map(|d| &d.bbox)
            .filter(|b| in_goal(b))
            .collect();
        let balls: Vec<Detection> = r
            .detections
            .iter()
            .filter(|d| d.label == Label::Ball)
            .filter(|d| {
                let [x, y] = d.bbox.center();
                // The box widened by 35 % and lowered by 10 % of its size: a keeper's wide stance or
                // dive puts a boot beyond the detector's box.
                let at_feet = keepers.iter().any(|b| {
                    let (w, h) = (b.width(), b.height());
                    x >= b.x1 - 0.35 * w
                        && x <= b.x2 + 0.35 * w
                        && y <= b.y2 + 0.1 * h
                        && y >= b.y2 - 0.25 * h
                });
                dropped += usize::from(at_feet);
                !at_feet
            })
            .cloned()
            .collect();
        ball.update(r.index, r.timestamp, &balls).map_err(|e| track_err(r.index, e))?;
    }
    v.ball = ball.track();
    v.ball_frames = ball.frames().to_vec();
    Ok(dropped)
}

/// One football analysis with a given goal.
struct FootballRun {
    v: VideoTracks,
    rn: Renumbered,
    clean: CleanTrack,
    report: FootballReport,
    found: touchline_shot::FoundGoal,
    region_frame: usize,
    assumptions: Vec<String>,
    /// The settings the report was made with (the flight step reuses their speed part).
    cfg: FootballConfig,
}

fn football_run(
    base: &VideoTracks,
    found: touchline_shot::FoundGoal,
    region_frame: usize,
    flight_distance_m: f64,
    imputer: &InterpImputer,
) -> Result<FootballRun, AnalyzeError> {
    let shot_err = |source| AnalyzeError::Shot { clip: base.clip.display().to_string(), source };
    let mut assumptions = Vec::new();
    let mut v = base.clone();
    let dropped = retrack_ball_without_keeper_feet(&mut v, &found.region)?;
    if dropped > 0 {
        assumptions.push(format!(
            "{dropped} ball candidates at the feet of a player standing in the goal mouth (the keeper's \
             boots, a frequent false ball) were ignored."
        ));
    }
    let rn = renumber(&v)?;
    // Gaps up to 0.3 s are bridged: a ball blurred in flight is often missed for several frames.
    let mut clean_cfg = CleanConfig::for_sport(Sport::Football);
    clean_cfg.max_gap_frames = clean_cfg.max_gap_frames.max((0.3 * rn.ball.fps()).round() as usize);
    let mut clean = clean_with(&rn.ball, &clean_cfg, imputer).map_err(shot_err)?;
    let mut cfg = FootballConfig::default();
    if flight_distance_m > 0.0 {
        cfg.speed.flight_distance_m = Some(flight_distance_m);
        assumptions.push(format!(
            "The kick is taken {flight_distance_m} m from the goal line (a penalty; change with \
             --flight-distance-m): the speed is that distance over the time from the kick to the ball's \
             arrival at the goal line (seen where it stalls in the net, or from its shrinking apparent \
             size); when neither is found, only an upper bound (to its entry into the goal mouth's image \
             region) and a bracket are reported."
        ));
    } else {
        assumptions.push(
            "Kick distance unknown: the speed comes from the ball's motion across the image and its \
             apparent size (a lower bound when the ball flies towards or away from the camera)."
                .into(),
        );
    }
    assumptions.push(format!(
        "The goal was found in clip frame {region_frame} and assumed fixed in the image for the rest of the clip."
    ));
    let mut report = touchline_shot::analyze_football(&clean, &rn.players, &found.region, None, &cfg);
    // The shot ends when the ball is lost for longer than the cleanup fills after the kick:
    // later sightings (the ball fetched from the net, a replay) are not part of it.
    let gap = clean_cfg.max_gap_frames;
    if let Some(end) = report.kick.and_then(|k| flight_end(&rn.ball, k.frame, gap)) {
        let cut: Vec<BallObservation> = rn.ball.points().iter().filter(|p| p.frame <= end).cloned().collect();
        let cut = BallTrack::new(rn.ball.fps(), cut).map_err(shot_err)?;
        clean = clean_with(&cut, &clean_cfg, imputer).map_err(shot_err)?;
        report = touchline_shot::analyze_football(&clean, &rn.players, &found.region, None, &cfg);
        assumptions.push(format!(
            "The shot ends at clip frame {} where the ball was lost for more than {gap} frames; later ball \
             sightings are not part of it.",
            rn.clip_frame.get(end).copied().unwrap_or(end)
        ));
    }
    Ok(FootballRun { v, rn, clean, report, found, region_frame, assumptions, cfg })
}

/// For a static camera: decodes the processed frames again, runs `MotionBallDetector` (blobs of
/// the size of the detector's median ball) and re-runs the ball tracker over the detector's
/// ball candidates plus these at the tracker's lowest score, so detections win where there are
/// any and the speed gate picks among the blobs elsewhere. Returns how many blobs were added.
fn add_motion_candidates(v: &mut VideoTracks) -> Result<usize, AnalyzeError> {
    let mut widths: Vec<f32> =
        v.ball.points.iter().map(|p| p.bbox.width().min(p.bbox.height())).filter(|w| *w > 0.0).collect();
    widths.sort_by(f32::total_cmp);
    let Some(&w) = widths.get(widths.len() / 2) else { return Ok(0) };
    let disc = std::f32::consts::FRAC_PI_4 * w * w;
    let cfg = MotionBallConfig {
        min_area: (0.3 * disc).max(4.0) as usize,
        max_area: (2.5 * disc).max(16.0) as usize,
        ..MotionBallConfig::default()
    };
    let clip = v.clip.clone();
    let model_err = |source| PipelineError::Model { model: PathBuf::from("motion"), source };
    let mut motion = MotionBallDetector::new(cfg).map_err(model_err)?;
    let mut src = crate::pipeline::FrameFeed::new(&*v, None)?;
    let ball_cfg = BallConfig {
        max_speed: SpeedLimit::PixelsPerSecond(2.5 * f64::from(v.width.max(1))),
        ..BallConfig::default()
    };
    let track_err = |frame, source| PipelineError::Track { clip: clip.clone(), frame, source };
    let mut ball = BallTracker::new(ball_cfg.clone()).map_err(|e| track_err(0, e))?;
    let mut added = 0;
    let mut k = 0;
    while let Some(frame) = src.next_frame()? {
        let Some(r) = v.records.get(k) else { break };
        k += 1;
        let blobs = touchline_core::Detector::detect(&mut motion, &frame)
            .map_err(|source| PipelineError::Detect { clip: clip.clone(), frame: frame.index, source })?;
        let mut balls: Vec<Detection> =
            r.detections.iter().filter(|d| d.label == Label::Ball).cloned().collect();
        for mut b in blobs {
            if balls.iter().any(|d| d.bbox.iou(&b.bbox) > 0.1) {
                continue;
            }
            b.score = ball_cfg.min_score;
            balls.push(b);
            added += 1;
        }
        ball.update(r.index, r.timestamp, &balls).map_err(|e| track_err(r.index, e))?;
    }
    drop(src);
    v.ball = ball.track();
    v.ball_frames = ball.frames().to_vec();
    Ok(added)
}

/// The sport's result.
enum ShotResult {
    Football {
        report: Box<FootballReport>,
        region: GoalRegion,
        goal_found: serde_json::Value,
        /// The flight fit's evidence (see [`flight`]).
        flight: serde_json::Value,
    },
    Basketball {
        report: BasketballReport,
        rim: Rim,
        hoop_found: serde_json::Value,
        shooters: Box<Shooters>,
    },
}

/// Who shot: person tracks merged into identities (see [`touchline_track::identity`]) and
/// per-identity totals.
#[derive(Debug, Clone, serde::Serialize)]
struct Shooters {
    /// The merge parameters.
    config: IdentityConfig,
    /// Every person identity (tracks merged), frames in processed units.
    identities: Identities,
    /// Boxes sampled per track id.
    samples: std::collections::BTreeMap<u64, usize>,
    /// Appearance distance (0..1) and shared frames of every pair of shooter tracks.
    shooter_pairs: Vec<serde_json::Value>,
    /// Per shot: raw track id and identity (1-based), in shot order.
    per_shot: Vec<(Option<u64>, Option<usize>)>,
    /// Per identity that shot: shots, makes, misses, tracks.
    totals: Vec<ShooterTotal>,
}

/// One shooter's shots.
#[derive(Debug, Clone, serde::Serialize)]
struct ShooterTotal {
    identity: usize,
    tracks: Vec<u64>,
    shots: usize,
    makes: usize,
    misses: usize,
}

/// Decodes the processed frames once more, samples up to `max_samples` boxes per person track,
/// builds its appearance and merges the tracks into identities; then attributes each shot.
fn basketball_shooters(
    v: &VideoTracks,
    rn: &Renumbered,
    report: &BasketballReport,
) -> Result<Shooters, AnalyzeError> {
    let cfg = IdentityConfig::default();
    let identity_err = |e: touchline_track::TrackError| AnalyzeError::Analysis {
        clip: v.clip.display().to_string(),
        reason: e.to_string(),
    };
    let mut sampler = AppearanceSampler::new(&rn.players, &cfg).map_err(identity_err)?;
    // Clip frame -> processed frame.
    let wanted: std::collections::BTreeMap<usize, usize> =
        sampler.frames().filter_map(|k| Some((*rn.clip_frame.get(k)?, k))).collect();
    if !wanted.is_empty() {
        let clip_frames: BTreeSet<usize> = wanted.keys().copied().collect();
        let mut src = crate::pipeline::FrameFeed::new(v, Some(&clip_frames))?;
        while let Some(frame) = src.next_frame()? {
            let Some(&k) = wanted.get(&frame.index) else { continue };
            sampler.add_frame(k, &frame.image);
        }
    }
    let cues = sampler.finish();
    let samples: std::collections::BTreeMap<u64, usize> =
        cues.iter().map(|c| (c.id, c.appearance.as_ref().map_or(0, |x| x.samples))).collect();
    let identities = touchline_track::merge_identities(&cues, &cfg).map_err(identity_err)?;
    let per_shot: Vec<(Option<u64>, Option<usize>)> = report
        .shots
        .iter()
        .map(|s| (s.shooter, s.shooter.and_then(|id| identities.identity_of(id)).map(|g| g.id)))
        .collect();
    let mut totals: Vec<ShooterTotal> = Vec::new();
    for (sh, (_, ident)) in report.shots.iter().zip(&per_shot) {
        let Some(g) = ident.and_then(|g| identities.get(g)) else { continue };
        let at = match totals.iter().position(|t| t.identity == g.id) {
            Some(at) => at,
            None => {
                totals.push(ShooterTotal {
                    identity: g.id,
                    tracks: g.tracks.clone(),
                    shots: 0,
                    makes: 0,
                    misses: 0,
                });
                totals.len() - 1
            }
        };
        let t = &mut totals[at];
        t.shots += 1;
        if sh.outcome == BasketOutcome::Make {
            t.makes += 1;
        } else {
            t.misses += 1;
        }
    }
    let shooter_ids: BTreeSet<u64> = per_shot.iter().filter_map(|(t, _)| *t).collect();
    let cue_of = |id: u64| cues.iter().find(|c| c.id == id);
    let mut shooter_pairs = Vec::new();
    for &a in &shooter_ids {
        for &b in shooter_ids.range(a + 1..) {
            let (Some(ca), Some(cb)) = (cue_of(a), cue_of(b)) else { continue };
            let d = match (&ca.appearance, &cb.appearance) {
                (Some(x), Some(y)) => x.distance(y).ok(),
                _ => None,
            };
            shooter_pairs.push(json!({
                "tracks": [a, b], "distance": d,
                "shared_frames": ca.frames.intersection(&cb.frames).count(),
            }));
        }
    }
    Ok(Shooters { config: cfg, identities, samples, shooter_pairs, per_shot, totals })
}

/// Runs the command; returns nothing, prints and writes.
pub fn run(args: AnalyzeShotArgs) -> Result<(), AnalyzeError> {
    let t_start = Instant::now();
    let sport = match args.sport.trim().to_ascii_lowercase().as_str() {
        "football" | "soccer" => SportChoice::Football,
        "basketball" => SportChoice::Basketball,
        "auto" => SportChoice::Auto,
        s => {
            return Err(AnalyzeError::Usage(format!(
                "unknown sport {s:?}; use football, basketball or auto"
            )));
        }
    };
    if !(args.flight_distance_m >= 0.0
        && args.flight_distance_m.is_finite()
        && args.flight_distance_m < 120.0)
    {
        return Err(AnalyzeError::Usage(format!(
            "--flight-distance-m must be between 0 and 120, got {}",
            args.flight_distance_m
        )));
    }
    let step = match args.every_seconds {
        Some(dt) => FrameStep::Seconds(dt),
        None => FrameStep::Stride(args.stride),
    };
    let pose_path = match &args.pose_model {
        Some(p) => p.clone(),
        None => shared_asset(DEFAULT_POSE)?,
    };
    if !pose_path.is_file() {
        return Err(AnalyzeError::Usage(format!(
            "{}: pose model not found (--pose-model)",
            pose_path.display()
        )));
    }
    // The pose model loads on its own thread while the detector loads.
    let pose_loader = {
        let (p, cfg) = (pose_path.clone(), SessionConfig::default().intra_threads(args.threads));
        std::thread::spawn(move || MoveNetSingle::load(&p, &cfg))
    };
    std::fs::create_dir_all(&args.out).map_err(|e| write_err(&args.out, e))?;
    let clip_name = args.clip.display().to_string();
    let coach_cfg = args.coach_url.as_ref().map(|url| ChatConfig::new(url.clone(), args.coach_model.clone()));

    // 1. Video -> tracks.
    let mut opts = PipelineOptions::new(&args.clip, ModelChoice::parse(args.model.as_deref())?);
    opts.step = step;
    opts.threads = args.threads;
    opts.sessions = args.sessions;
    opts.ball_min_score = Some(args.ball_min_score);
    opts.tile_search =
        args.tile_search.parse().map_err(|e| AnalyzeError::Usage(format!("--tile-search: {e}")))?;
    // Keep the frames when the processed ones fit the memory budget (a short shot clip does).
    let info = touchline_decode::open(&args.clip)
        .and_then(|s| s.info())
        .map_err(|source| PipelineError::Decode { clip: args.clip.clone(), source })?;
    if let Some(n) = info.frame_count {
        let per = u64::from(info.width) * u64::from(info.height) * 3;
        let kept = match step {
            FrameStep::Stride(s) => n.div_ceil(s.max(1)) as u64,
            FrameStep::Seconds(_) => n as u64,
        };
        opts.keep_frames = kept.saturating_mul(per) <= (args.frame_memory_mb as u64).saturating_mul(1 << 20);
    }
    let bar = progress_bar(None, args.quiet);
    bar.set_message("detecting and tracking");
    let v = run_pipeline(&opts, &bar)?;
    bar.finish_and_clear();
    let mut times = StepTimes::default();

    // 2. Goal or rim, from the first processed frame.
    let t0 = Instant::now();
    let first = crate::pipeline::frames_at(&v, &BTreeSet::from([v.records[0].index]))?;
    let first_img = &first[0].image;
    let goal = find_football_goal(first_img);
    let hoop = if goal.is_none() || sport == SportChoice::Basketball { find_hoop(first_img) } else { None };
    let sport = match sport {
        SportChoice::Auto if goal.is_some() => SportChoice::Football,
        SportChoice::Auto if hoop.is_some() => SportChoice::Basketball,
        SportChoice::Auto => {
            return Err(AnalyzeError::Analysis {
                clip: clip_name,
                reason: format!(
                    "found neither a goal frame nor a basketball rim in frame {}; pass --sport",
                    v.records[0].index
                ),
            });
        }
        s => s,
    };
    times.region_s = t0.elapsed().as_secs_f64();

    // 3. Shot facts.
    let t0 = Instant::now();
    let shot_err = |source| AnalyzeError::Shot { clip: clip_name.clone(), source };
    let imputer = InterpImputer::new(Kind::Linear, InterpParams { policy: GapPolicy::default(), cap: None })
        .map_err(|e| AnalyzeError::Usage(e.to_string()))?;
    let mut assumptions: Vec<String> = Vec::new();
    let (v, rn, clean, result) = match sport {
        SportChoice::Football => {
            let found = goal.ok_or_else(|| AnalyzeError::Analysis {
                clip: clip_name.clone(),
                reason: format!(
                    "no goal frame (white posts and crossbar) found in frame {}",
                    v.records[0].index
                ),
            })?;
            let mut run = football_run(&v, found, v.records[0].index, args.flight_distance_m, &imputer)?;
            // The camera may zoom or pan before the kick: find the goal again on the kick frame
            // and analyse once more with it.
            if let Some(kf) = run.report.kick.and_then(|k| run.rn.clip_frame.get(k.frame).copied())
                && kf != v.records[0].index
            {
                let again = crate::pipeline::frames_at(&v, &BTreeSet::from([kf]))?;
                if let Some(g) = find_football_goal(&again[0].image) {
                    run = football_run(&v, g, kf, args.flight_distance_m, &imputer)?;
                }
            }
            assumptions.extend(std::mem::take(&mut run.assumptions));
            let needs_flight = run.report.decision.outcome == FootballOutcome::Goal
                && run.report.decision.evidence.line_rule == Some(LineRule::RegionEntry)
                && args.flight_distance_m > 0.0;
            let flight_json = if needs_flight {
                let speed = run.cfg.speed;
                let region = run.found.region.clone();
                let j = flight::refine(&run.v, &run.rn, &run.clean, &region, &mut run.report, &speed)?;
                if j["used"] == json!(true) {
                    assumptions.push(format!(
                        "The detector lost the ball in flight: its path was followed by frame differencing (static \
                         camera) and a ballistic curve fit. For a goal the ball crossed the line at the latest where \
                         that path left the goal mouth's image region, and at most a {} m net's depth of flight \
                         earlier (had it crossed sooner, the net would have stopped it in view); the goal-line time \
                         is the middle of that band.",
                        FlightConfig::default().net_depth_m
                    ));
                }
                j
            } else {
                json!({"used": false, "why": "not needed: the goal-line arrival was seen or modelled, or no goal"})
            };
            let goal_found = json!({
                "frame": run.region_frame,
                "left_post_x": run.found.left_post_x, "right_post_x": run.found.right_post_x,
                "crossbar_y": run.found.crossbar_y, "base_y": run.found.base_y,
                "crossbar_seen": run.found.crossbar_seen,
            });
            let result = ShotResult::Football {
                report: Box::new(run.report),
                region: run.found.region,
                goal_found,
                flight: flight_json,
            };
            (run.v, run.rn, run.clean, result)
        }
        SportChoice::Basketball | SportChoice::Auto => {
            let found = hoop.ok_or_else(|| AnalyzeError::Analysis {
                clip: clip_name.clone(),
                reason: format!("no basketball rim found in frame {}", v.records[0].index),
            })?;
            let mut v = v;
            let added = add_motion_candidates(&mut v)?;
            assumptions.push(format!(
                "Static camera: {added} moving ball-sized blobs (frame differencing) were added as low-score \
                 ball candidates, so the ball tracker can follow the ball where the detector misses it \
                 (against the backboard)."
            ));
            let rn = renumber(&v)?;
            let clean = clean_with(&rn.ball, &CleanConfig::for_sport(Sport::Basketball), &imputer)
                .map_err(shot_err)?;
            let rim = Rim::from_found(&found);
            let report =
                touchline_shot::basketball_shots(&clean, &rim, &rn.players, &BasketConfig::default());
            assumptions.push(format!(
                "The rim was found in frame {} and assumed fixed in the image for the whole clip.",
                v.records[0].index
            ));
            let hoop_found = json!({"frame": v.records[0].index, "rim_x": found.rim_x, "rim_y": found.rim_y});
            let shooters = Box::new(basketball_shooters(&v, &rn, &report)?);
            assumptions.push(format!(
                "Shooters: the tracker's {} person tracks were merged into {} people by the colours of the \
                 upper and lower body (Lab histograms, at most {:.2} apart) and by never being in the same \
                 frame; players in identical kit who are never on screen together would be merged.",
                shooters.samples.len(),
                shooters.identities.len(),
                shooters.config.max_distance
            ));
            (v, rn, clean, ShotResult::Basketball { report, rim, hoop_found, shooters })
        }
    };
    times.shot_s = t0.elapsed().as_secs_f64();

    // 4. Pose at the kick (football) or release (basketball) frame.
    let t0 = Instant::now();
    let (key_k, shooter) = match &result {
        ShotResult::Football { report, .. } => (report.kick.map(|k| k.frame), report.shooter),
        ShotResult::Basketball { report, .. } => {
            let last = report.shots.last();
            (last.map(|s| s.release_frame), last.and_then(|s| s.shooter))
        }
    };
    let strike = match key_k {
        Some(k) => {
            let model = pose_loader.join().map_err(|_| AnalyzeError::Analysis {
                clip: clip_name.clone(),
                reason: format!("{}: the thread loading the pose model panicked", pose_path.display()),
            })?;
            Some(strike_pose(model, &v, &rn, &clean, k, shooter, sport)?)
        }
        None => None,
    };
    times.pose_s = t0.elapsed().as_secs_f64();

    // 5. Facts, printed before any coaching is generated.
    let mut facts = shot_facts(&result, strike.as_ref(), shooter);
    if let ShotResult::Basketball { shooters, .. } = &result
        && let Some(&(Some(track), Some(person))) = shooters.per_shot.last()
    {
        facts.shooter = format!("player P{person} (track #{track})");
    }
    facts.validate().map_err(|e| AnalyzeError::Coach(e.to_string()))?;
    stdout(&facts_text(&facts, &result, &rn.clip_frame, &v));

    // strike.png before the coach: a vision model may want it.
    let strike_png = args.out.join("strike.png");
    let strike_img = match &strike {
        Some(s) => s.image.clone(),
        None => first_img.clone(),
    };
    strike_img.save(&strike_png).map_err(|e| write_err(&strike_png, e))?;

    // 6. Coaching.
    let t0 = Instant::now();
    let coaching = run_coach(&facts, coach_cfg, args.coach_image.then_some(strike_png.as_path()))?;
    times.coach_s = t0.elapsed().as_secs_f64();
    let coaching_md = args.out.join("coaching.md");
    std::fs::write(&coaching_md, coaching.to_markdown()).map_err(|e| write_err(&coaching_md, e))?;
    stdout(&format!("\n{}\n", coaching.text.trim()));

    // 7. Annotated video.
    let t0 = Instant::now();
    let video = args.out.join("annotated.mp4");
    if !args.no_video {
        render_video(&video, &v, &rn, &clean, &result, strike.as_ref())?;
    }
    times.render_s = t0.elapsed().as_secs_f64();
    times.total_s = t_start.elapsed().as_secs_f64();

    // 8. report.json and report.html.
    let report = report_json(
        &args,
        &v,
        &rn,
        &clean,
        &result,
        strike.as_ref(),
        &facts,
        &assumptions,
        &coaching,
        &times,
    );
    let report_path = args.out.join("report.json");
    let text = serde_json::to_string_pretty(&report).map_err(|e| write_err(&report_path, e))? + "\n";
    std::fs::write(&report_path, text).map_err(|e| write_err(&report_path, e))?;
    let html_path = args.out.join("report.html");
    let html = report_html(
        &facts,
        &report,
        &assumptions,
        &coaching,
        &strike_png,
        (!args.no_video).then_some(&video),
    )?;
    std::fs::write(&html_path, html).map_err(|e| write_err(&html_path, e))?;
    eprintln!(
        "analysed {} frames in {:.2} s (load {:.2}, decode {:.2}, detect {:.2}, track {:.2}, shot {:.3}, pose {:.2}, \
         coach {:.2}, video {:.2}); wrote {}",
        v.timings.frames,
        times.total_s,
        v.timings.load_s,
        v.timings.decode_s,
        v.timings.detect_s,
        v.timings.track_s,
        times.shot_s + times.region_s,
        times.pose_s,
        times.coach_s,
        times.render_s,
        args.out.display()
    );
    Ok(())
}

/// Writes to stdout; a closed pipe (`| head`) is not an error, the files are still written.
fn stdout(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// The pose at the strike.
struct Strike {
    clip_frame: usize,
    person: BBox,
    keypoints: Keypoints,
    kick: Option<KickAnalysis>,
    image: RgbImage,
}

fn box_at(t: &Track, k: usize) -> Option<BBox> {
    // The point at k, else the nearest one within 3 frames.
    t.points.iter().filter(|p| p.frame.abs_diff(k) <= 3).min_by_key(|p| p.frame.abs_diff(k)).map(|p| p.bbox)
}

#[allow(clippy::too_many_arguments)]
fn strike_pose(
    model: touchline_pose::Result<MoveNetSingle>,
    v: &VideoTracks,
    rn: &Renumbered,
    clean: &CleanTrack,
    k: usize,
    shooter: Option<u64>,
    sport: SportChoice,
) -> Result<Strike, AnalyzeError> {
    let clip_frame = rn.clip_frame.get(k).copied().unwrap_or(0);
    let ball_pos = clean.position(k);
    let ball_w = clean.index_of(k).and_then(|i| clean.width_at(i));
    // The shooter's box; without one, the person nearest the ball.
    let person = shooter
        .and_then(|id| rn.players.iter().find(|t| t.id == id))
        .and_then(|t| box_at(t, k))
        .or_else(|| {
            let [bx, by] = ball_pos?;
            rn.players.iter().filter(|t| t.label != Label::Ball).filter_map(|t| box_at(t, k)).min_by(
                |a, b| {
                    let d = |q: &BBox| {
                        let [x, y] = q.bottom_center();
                        (f64::from(x) - bx).hypot(f64::from(y) - by)
                    };
                    d(a).total_cmp(&d(b))
                },
            )
        })
        .ok_or_else(|| AnalyzeError::Analysis {
            clip: v.clip.display().to_string(),
            reason: format!("no player box near the strike at frame {clip_frame}"),
        })?;
    let frames = crate::pipeline::frames_at(v, &BTreeSet::from([clip_frame]))?;
    let frame = &frames[0];
    let mut model = model.map_err(|source| AnalyzeError::Pose { frame: clip_frame, source })?;
    let keypoints =
        model.estimate(frame, &person).map_err(|source| AnalyzeError::Pose { frame: clip_frame, source })?;
    let kick = match (sport, ball_pos) {
        (SportChoice::Football, Some([x, y])) => Some(
            biomech::analyze_kick(
                &keypoints,
                &biomech::BallObservation::new(x, y, ball_w),
                &biomech::KickConfig::default(),
            )
            .map_err(|source| AnalyzeError::Pose { frame: clip_frame, source })?,
        ),
        _ => None,
    };
    let image = draw_strike(&frame.image, &person, &keypoints, kick.as_ref(), ball_pos, ball_w, clip_frame);
    Ok(Strike { clip_frame, person, keypoints, kick, image })
}

fn draw_strike(
    img: &RgbImage,
    person: &BBox,
    kp: &Keypoints,
    kick: Option<&KickAnalysis>,
    ball: Option<[f64; 2]>,
    ball_w: Option<f64>,
    clip_frame: usize,
) -> RgbImage {
    let mut out = img.clone();
    let ann = Annotator::default();
    ann.draw_box(&mut out, person, ann.config().palette.color(Team::Home), Some("SHOOTER"));
    if let Some([x, y]) = ball {
        let r = ball_w.unwrap_or(12.0) / 2.0 + 2.0;
        if let Ok(b) = BBox::new((x - r) as f32, (y - r) as f32, (x + r) as f32, (y + r) as f32) {
            ann.draw_ball(&mut out, &b);
        }
    }
    ann.draw_skeleton(&mut out, kp);
    if let Some(k) = kick {
        let side = k.shooting_foot.foot;
        let (hip, knee) = match side {
            Some(Side::Left) => (CocoJoint::LeftHip, CocoJoint::LeftKnee),
            _ => (CocoJoint::RightHip, CocoJoint::RightKnee),
        };
        let deg = |m: &biomech::Measurement| m.value.map_or(f32::NAN, |v| v as f32);
        ann.draw_joint_angle(&mut out, kp, knee, "KNEE", deg(&k.knee_flexion));
        ann.draw_joint_angle(&mut out, kp, hip, "HIP", deg(&k.hip_drive));
        let shoulder =
            if side == Some(Side::Left) { CocoJoint::LeftShoulder } else { CocoJoint::RightShoulder };
        ann.draw_joint_angle(&mut out, kp, shoulder, "LEAN", deg(&k.trunk_lean));
        let foot = match side {
            Some(Side::Left) => "LEFT FOOT",
            Some(Side::Right) => "RIGHT FOOT",
            None => "FOOT ?",
        };
        ann.draw_caption(&mut out, &format!("STRIKE FRAME {clip_frame}  {foot}"));
    } else {
        ann.draw_caption(&mut out, &format!("RELEASE FRAME {clip_frame}"));
    }
    out
}

fn coach_flag(f: biomech::Flag) -> touchline_coach::Flag {
    match f {
        biomech::Flag::Ok => touchline_coach::Flag::Ok,
        biomech::Flag::Low => touchline_coach::Flag::Low,
        biomech::Flag::High => touchline_coach::Flag::High,
        _ => touchline_coach::Flag::Unreliable,
    }
}

fn coach_measurement(name: &str, m: &biomech::Measurement, unit: &str) -> touchline_coach::Measurement {
    let (value, flag) = match m.value {
        Some(v) if v.is_finite() => (v, coach_flag(m.flag)),
        _ => (0.0, touchline_coach::Flag::Unreliable),
    };
    touchline_coach::Measurement {
        name: name.into(),
        value,
        unit: unit.into(),
        confidence: f64::from(m.confidence).clamp(0.0, 1.0),
        good_range: (m.range.min.is_finite() && m.range.max.is_finite() && m.range.min <= m.range.max)
            .then_some([m.range.min, m.range.max]),
        flag,
    }
}

fn shot_facts(result: &ShotResult, strike: Option<&Strike>, shooter: Option<u64>) -> ShotFacts {
    let (sport, outcome, speed) = match result {
        ShotResult::Football { report, .. } => {
            let outcome = match report.decision.outcome {
                FootballOutcome::Goal => Outcome::Goal,
                FootballOutcome::Saved => Outcome::Saved,
                FootballOutcome::Wide => Outcome::MissedWide,
                FootballOutcome::Over => Outcome::Over,
                FootballOutcome::Rebound => Outcome::Rebound,
                _ => Outcome::Unknown,
            };
            let speed =
                report.speed.primary.as_ref().filter(|s| s.kmh.is_finite() && s.kmh <= 250.0).map(|s| {
                    Speed {
                        kmh: s.kmh,
                        uncertainty_kmh: (s.kmh_high - s.kmh).max(s.kmh - s.kmh_low).max(0.0),
                    }
                });
            (touchline_coach::Sport::Football, outcome, speed)
        }
        ShotResult::Basketball { report, .. } => {
            let outcome = match report.shots.last().map(|s| s.outcome) {
                Some(BasketOutcome::Make) => Outcome::Make,
                Some(_) => Outcome::Miss,
                None => Outcome::Unknown,
            };
            (touchline_coach::Sport::Basketball, outcome, None)
        }
    };
    let mut facts = ShotFacts::new(sport, outcome);
    facts.shooter = shooter.map_or_else(|| "unknown player".into(), |id| format!("player #{id}"));
    facts.speed = speed;
    if let Some(k) = strike.and_then(|s| s.kick.as_ref()) {
        facts.foot = match k.shooting_foot.foot {
            Some(Side::Left) => Foot::Left,
            Some(Side::Right) => Foot::Right,
            None => Foot::Unknown,
        };
        facts.measurements = vec![
            coach_measurement("knee_flexion", &k.knee_flexion, "°"),
            coach_measurement("trunk_lean", &k.trunk_lean, "°"),
            coach_measurement("hip_drive", &k.hip_drive, "°"),
            coach_measurement("plant_foot_distance", &k.plant_foot_distance, "ball diameters"),
        ];
    }
    facts
}

/// `knee flexion 8.3° (good 10–50°): low, confidence 0.81`, or `... unreliable` without a value.
fn measurement_text(m: &touchline_coach::Measurement) -> String {
    let flag = m.effective_flag(0.3);
    let range = m.range_text().map(|r| format!(" (good {r})")).unwrap_or_default();
    let flag_word = format!("{flag:?}").to_lowercase();
    if flag == touchline_coach::Flag::Unreliable {
        format!("{}: unreliable (confidence {:.2}){range}", m.label(), m.confidence)
    } else {
        format!("{} {}{range}: {flag_word}, confidence {:.2}", m.label(), m.value_text(), m.confidence)
    }
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Goal => "GOAL",
        Outcome::Saved => "saved",
        Outcome::MissedWide => "missed wide",
        Outcome::Over => "over the bar",
        Outcome::Rebound => "rebound off the frame",
        Outcome::Make => "make",
        Outcome::Miss => "miss",
        Outcome::Unknown => "not decided",
    }
}

fn facts_text(facts: &ShotFacts, result: &ShotResult, clip_frame: &[usize], v: &VideoTracks) -> String {
    let cf = |k: usize| clip_frame.get(k).copied().unwrap_or(k);
    let mut s = String::new();
    let _ = writeln!(s, "clip      {}", v.clip.display());
    match result {
        ShotResult::Football { report, .. } => {
            let _ = writeln!(s, "outcome   {}", outcome_word(facts.outcome));
            if let (Some(f), Some(t)) = (report.decision.goal_frame, report.decision.goal_time) {
                let _ = writeln!(s, "goal at   frame {} ({t:.2} s)", cf(f));
            }
            let _ = writeln!(s, "why       {}", report.decision.evidence.reason);
            let _ = writeln!(s, "shooter   {}", facts.shooter);
            if let Some(k) = report.kick {
                let _ = writeln!(s, "kick at   frame {} ({:.2} s)", cf(k.frame), k.time);
            }
            let ev = &report.decision.evidence;
            if let (Some(rule), Some(f)) = (ev.line_rule, ev.line_frame) {
                let _ = writeln!(s, "line      frame {} ({rule:?})", cf(f));
            }
        }
        ShotResult::Basketball { report, shooters, .. } => {
            let _ = writeln!(
                s,
                "shots     {} ({} made, {} missed)",
                report.shots.len(),
                report.makes,
                report.misses
            );
            for (i, sh) in report.shots.iter().enumerate() {
                let who = match shooters.per_shot.get(i) {
                    Some(&(Some(t), Some(p))) => format!("P{p} (track #{t})"),
                    Some(&(Some(t), None)) => format!("track #{t}"),
                    _ => "unknown".into(),
                };
                let _ = writeln!(
                    s,
                    "  shot {}: {:?}, release frame {}, apex frame {}, shooter {who}",
                    i + 1,
                    sh.outcome,
                    cf(sh.release_frame),
                    cf(sh.apex_frame),
                );
            }
            for t in &shooters.totals {
                let tracks: Vec<String> = t.tracks.iter().map(|id| format!("#{id}")).collect();
                let _ = writeln!(
                    s,
                    "shooter   P{}: {} shots, {} made, {} missed (tracks {})",
                    t.identity,
                    t.shots,
                    t.makes,
                    t.misses,
                    tracks.join(", ")
                );
            }
        }
    }
    let _ = writeln!(s, "foot      {}", facts.foot.as_str());
    match &facts.speed {
        Some(sp) => {
            let method = match result {
                ShotResult::Football { report, .. } => {
                    report.speed.primary.as_ref().map(|p| format!(" ({:?})", p.method)).unwrap_or_default()
                }
                ShotResult::Basketball { .. } => String::new(),
            };
            let _ = writeln!(s, "speed     {:.0} km/h ± {:.0}{method}", sp.kmh, sp.uncertainty_kmh);
        }
        None => {
            let bracket = match result {
                ShotResult::Football { report, .. } => report.speed.bracket,
                ShotResult::Basketball { .. } => None,
            };
            match bracket {
                Some([lo, hi]) => {
                    let _ = writeln!(
                        s,
                        "speed     not measured: between {lo:.0} and {hi:.0} km/h (the ball's arrival at the \
                         goal line was not seen)"
                    );
                }
                None => {
                    let _ = writeln!(s, "speed     not measured");
                }
            }
        }
    }
    for m in &facts.measurements {
        let _ = writeln!(s, "  {}", measurement_text(m));
    }
    s
}

fn run_coach(
    facts: &ShotFacts,
    server: Option<ChatConfig>,
    image: Option<&Path>,
) -> Result<Coaching, AnalyzeError> {
    let backend = CoachBackend::new(facts, server).map_err(|e| AnalyzeError::Coach(e.to_string()))?;
    let mut backend = match (backend, image) {
        (CoachBackend::Chat(c), Some(p)) => {
            CoachBackend::Chat(c.with_image_file(p).map_err(|e| AnalyzeError::Coach(e.to_string()))?)
        }
        (b, _) => b,
    };
    touchline_coach::coach(facts, &mut backend).map_err(|e| AnalyzeError::Coach(e.to_string()))
}

/// Second decoding pass: every processed frame with players, ball trail, possession and the
/// goal / make / miss moments drawn, at the processed frame rate.
fn render_video(
    path: &Path,
    v: &VideoTracks,
    rn: &Renumbered,
    clean: &CleanTrack,
    result: &ShotResult,
    strike: Option<&Strike>,
) -> Result<(), AnalyzeError> {
    let ann = Annotator::default();
    // Encoding runs on a second thread while the next frame is drawn.
    let (p, w, h, fps) = (path.to_path_buf(), v.width, v.height, v.sampled_fps());
    let mut writer = ThreadedSink::spawn(
        4,
        move || Mp4Writer::with_options(&p, w, h, fps, crate::pipeline::video_options()),
        |m| m.finish().map(|_| ()),
    )
    .map_err(|e| write_err(path, e))?;
    let wanted: BTreeSet<usize> = rn.clip_frame.iter().copied().collect();
    let mut src = crate::pipeline::FrameFeed::new(v, Some(&wanted))?;
    let mut trail = ann.new_trail();
    let possession: Vec<(usize, usize, u64)> = match result {
        ShotResult::Football { report, .. } => {
            report.possession.iter().map(|p| (p.first_frame, p.last_frame, p.track_id)).collect()
        }
        ShotResult::Basketball { .. } => Vec::new(),
    };
    let mut k = 0usize;
    while let Some(frame) = src.next_frame()? {
        let frame = frame.into_owned();
        let mut img = frame.image;
        for t in &rn.players {
            if t.label == Label::Ball {
                continue;
            }
            if let Some(p) = t.points.iter().find(|p| p.frame == k) {
                let shooter =
                    matches!(result, ShotResult::Football { report, .. } if report.shooter == Some(t.id));
                let team = if shooter { Team::Home } else { Team::Unknown };
                // Basketball: the person (merged identity) before the raw track id.
                let person = match result {
                    ShotResult::Basketball { shooters, .. } => {
                        shooters.identities.identity_of(t.id).map(|g| format!("P{} ", g.id))
                    }
                    ShotResult::Football { .. } => None,
                };
                ann.draw_box(
                    &mut img,
                    &p.bbox,
                    ann.config().palette.color(team),
                    Some(&format!("{}#{}", person.unwrap_or_default(), t.id)),
                );
            }
        }
        let pos = clean.position(k);
        trail.push(pos.map(|[x, y]| [x as f32, y as f32]));
        ann.draw_trail(&mut img, &trail);
        if let Some(&(_, _, id)) = possession.iter().find(|(a, b, _)| (*a..=*b).contains(&k)) {
            ann.draw_possession(&mut img, Team::Unknown, Some(id));
        }
        match result {
            ShotResult::Football { report, region, .. } => {
                let [x1, y1, x2, y2] = region.bounds();
                if let Ok(b) = BBox::new(x1 as f32, y1 as f32, x2 as f32, y2 as f32) {
                    ann.draw_box(&mut img, &b, Rgb([255, 255, 255]), Some("GOAL REGION"));
                }
                if let (Some(gf), Some(gt)) = (report.decision.goal_frame, report.decision.goal_time)
                    && report.decision.outcome == FootballOutcome::Goal
                    && k >= gf
                {
                    ann.draw_goal_banner(&mut img, Some(&format!("{gt:.1} S")));
                }
            }
            ShotResult::Basketball { report, rim, .. } => {
                if let Ok(b) =
                    BBox::new(rim.x1 as f32, (rim.y - 3.0) as f32, rim.x2 as f32, (rim.y + 3.0) as f32)
                {
                    ann.draw_box(&mut img, &b, Rgb([255, 140, 0]), Some("RIM"));
                }
                let (mut made, mut missed) = (0, 0);
                for sh in &report.shots {
                    let decided = sh.crossing_frame.unwrap_or(sh.closest_frame).max(sh.closest_frame);
                    if k >= decided {
                        if sh.outcome == BasketOutcome::Make {
                            made += 1;
                        } else {
                            missed += 1;
                        }
                    }
                    if k >= decided && k < decided + 15 {
                        let (txt, col) = match sh.outcome {
                            BasketOutcome::Make => ("MAKE", Rgb([255, 200, 0])),
                            _ => ("MISS", Rgb([200, 200, 200])),
                        };
                        ann.draw_banner(&mut img, txt, col);
                    }
                }
                ann.draw_possession(&mut img, Team::Unknown, None);
                ann.draw_caption(&mut img, &format!("MADE {made}  MISSED {missed}"));
            }
        }
        if let Some(s) = strike
            && s.clip_frame == frame.index
        {
            ann.draw_skeleton(&mut img, &s.keypoints);
        }
        if matches!(result, ShotResult::Football { .. }) {
            ann.draw_caption(&mut img, &format!("FRAME {} {:.2} S", frame.index, frame.timestamp));
        }
        writer.write(img).map_err(|e| write_err(path, e))?;
        k += 1;
    }
    writer.finish().map_err(|e| write_err(path, e))?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn report_json(
    args: &AnalyzeShotArgs,
    v: &VideoTracks,
    rn: &Renumbered,
    clean: &CleanTrack,
    result: &ShotResult,
    strike: Option<&Strike>,
    facts: &ShotFacts,
    assumptions: &[String],
    coaching: &Coaching,
    times: &StepTimes,
) -> serde_json::Value {
    let cf = |k: usize| rn.clip_frame.get(k).copied();
    let sport_json = match result {
        ShotResult::Football { report, region, goal_found, flight } => json!({
            "sport": "football",
            "flight": flight,
            "goal_region": region,
            "goal_found": goal_found,
            "kick_clip_frame": report.kick.and_then(|k| cf(k.frame)),
            "goal_clip_frame": report.decision.goal_frame.and_then(cf),
            "line_clip_frame": report.decision.evidence.line_frame.and_then(cf),
            "shot": report,
        }),
        ShotResult::Basketball { report, rim, hoop_found, shooters } => json!({
            "sport": "basketball",
            "rim": rim,
            "hoop_found": hoop_found,
            "shot_clip_frames": report.shots.iter().zip(&shooters.per_shot).map(|(s, (track, person))| json!({
                "release": cf(s.release_frame), "apex": cf(s.apex_frame),
                "crossing": s.crossing_frame.and_then(cf), "end": cf(s.end_frame),
                "shooter_track": track, "shooter": person,
            })).collect::<Vec<_>>(),
            "shooters": shooters.totals,
            "identities": shooters.identities.iter().map(|g| json!({
                "id": g.id, "tracks": g.tracks,
                "first_clip_frame": cf(g.first_frame), "last_clip_frame": cf(g.last_frame),
            })).collect::<Vec<_>>(),
            "identity_evidence": {"config": shooters.config, "samples_per_track": shooters.samples,
                                  "shooter_track_pairs": shooters.shooter_pairs},
            "shots": report,
        }),
    };
    json!({
        "format": "touchline-analyze-shot",
        "version": 1,
        "clip": v.clip.display().to_string(),
        "video": {"width": v.width, "height": v.height, "fps": v.fps, "clip_frames": v.clip_frames,
                  "processed_frames": v.records.len(), "processed_fps": v.sampled_fps()},
        "frame_numbers": "Frames inside `analysis` count processed frames; `clip_frames[k]` is the clip frame of \
                          processed frame k. Fields named *_clip_frame are clip frames.",
        "clip_frames": rn.clip_frame,
        "facts": facts,
        "assumptions": assumptions,
        "analysis": sport_json,
        "ball_track": clean.points,
        "detections": v.records.iter().map(|r| json!({
            "clip_frame": r.index,
            "balls": r.detections.iter().filter(|d| d.label == Label::Ball)
                .map(|d| [d.bbox.x1, d.bbox.y1, d.bbox.x2, d.bbox.y2, d.score]).collect::<Vec<_>>(),
            "people": r.detections.iter().filter(|d| d.label != Label::Ball)
                .map(|d| json!({"track_id": d.track_id, "score": d.score,
                                "bbox": [d.bbox.x1, d.bbox.y1, d.bbox.x2, d.bbox.y2]})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "ball_cleanup": clean.report,
        "strike": strike.map(|s| json!({
            "clip_frame": s.clip_frame,
            "person_box": [s.person.x1, s.person.y1, s.person.x2, s.person.y2],
            "keypoints": s.keypoints,
            "kick": s.kick,
        })),
        "players": rn.players.iter().map(|t| json!({"id": t.id, "label": t.label, "frames": t.points.len()})).collect::<Vec<_>>(),
        "coaching": {"generator": if args.coach_url.is_some() { "chat" } else { "rules" },
                     "template_version": coaching.template_version, "attempts": coaching.attempts},
        "timings_s": {"pipeline": v.timings, "steps": times},
        "detector_roi": v.roi.map(|r| json!({"hits": r.hits, "full_frame": r.full_frame, "fallbacks": r.fallbacks})),
    })
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A small Markdown subset (headings, paragraphs, bold) as HTML.
fn markdown_html(md: &str) -> String {
    let mut out = String::new();
    for block in md.split("\n\n") {
        let b = block.trim();
        if b.is_empty() || b.starts_with("<!--") {
            continue;
        }
        if let Some(h) = b.strip_prefix("## ") {
            let (head, rest) = h.split_once('\n').unwrap_or((h, ""));
            let _ = write!(out, "<h3>{}</h3>", esc(head.trim()));
            if !rest.trim().is_empty() {
                let _ = write!(out, "<p>{}</p>", bold(&esc(rest.trim())));
            }
        } else {
            let _ = write!(out, "<p>{}</p>", bold(&esc(b)));
        }
    }
    out
}

fn bold(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split("**").enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<b>{part}</b>");
        } else {
            out.push_str(part);
        }
    }
    out
}

fn data_url(path: &Path, mime: &str) -> Result<String, AnalyzeError> {
    let bytes = std::fs::read(path).map_err(|e| write_err(path, e))?;
    Ok(format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
}

fn report_html(
    facts: &ShotFacts,
    report: &serde_json::Value,
    assumptions: &[String],
    coaching: &Coaching,
    strike_png: &Path,
    video: Option<&PathBuf>,
) -> Result<String, AnalyzeError> {
    let mut h = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Touchline shot report</title><style>\
         body{font-family:sans-serif;max-width:1200px;margin:20px auto;padding:0 16px;color:#222}\
         video,img{max-width:100%;border:1px solid #ccc}table{border-collapse:collapse}\
         td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}.big{font-size:28px;font-weight:bold}\
         pre{background:#f4f4f4;padding:8px;overflow:auto;max-height:300px;font-size:12px}\
         .ok{color:#070}.low,.high{color:#b00}.unreliable{color:#888}</style></head><body>",
    );
    let _ = write!(h, "<h1>Shot report</h1><p>{}</p>", esc(report["clip"].as_str().unwrap_or("")));
    let _ = write!(h, "<p class=\"big\">{}</p>", esc(&outcome_word(facts.outcome).to_uppercase()));
    let _ = write!(h, "<h2>Facts</h2><table><tr><th>fact</th><th>value</th></tr>");
    let _ = write!(h, "<tr><td>sport</td><td>{:?}</td></tr>", facts.sport);
    let _ = write!(h, "<tr><td>outcome</td><td>{}</td></tr>", esc(facts.outcome.describe()));
    let an = &report["analysis"];
    if let Some(b) = an["shots"].as_object() {
        let _ = write!(
            h,
            "<tr><td>shots</td><td>{} made, {} missed</td></tr>",
            b.get("makes").and_then(|x| x.as_u64()).unwrap_or(0),
            b.get("misses").and_then(|x| x.as_u64()).unwrap_or(0)
        );
    }
    let _ = write!(h, "<tr><td>shooter</td><td>{}</td></tr>", esc(&facts.shooter));
    let _ = write!(h, "<tr><td>shooting foot</td><td>{}</td></tr>", facts.foot.as_str());
    let speed = facts
        .speed
        .map_or("not measured".into(), |s| format!("{:.0} km/h ± {:.0}", s.kmh, s.uncertainty_kmh));
    let _ = write!(h, "<tr><td>ball speed</td><td>{}</td></tr>", esc(&speed));
    for m in &facts.measurements {
        let flag = format!("{:?}", m.effective_flag(0.3)).to_lowercase();
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"{flag}\">{}</td></tr>",
            esc(&m.label()),
            esc(&measurement_text(m))
        );
    }
    h.push_str("</table>");
    if !assumptions.is_empty() {
        h.push_str("<h3>Assumptions</h3><ul>");
        for a in assumptions {
            let _ = write!(h, "<li>{}</li>", esc(a));
        }
        h.push_str("</ul>");
    }
    if let Some(r) = an["shot"]["decision"]["evidence"]["reason"].as_str() {
        let _ = write!(h, "<h3>Evidence</h3><p>{}</p>", esc(r));
    }
    let evidence = serde_json::to_string_pretty(&an).unwrap_or_default();
    let _ =
        write!(h, "<details><summary>all evidence (JSON)</summary><pre>{}</pre></details>", esc(&evidence));
    h.push_str("<h2>Coaching</h2>");
    h.push_str(&markdown_html(&coaching.to_markdown()));
    let _ = write!(
        h,
        "<h2>Strike frame</h2><img alt=\"strike frame\" src=\"{}\">",
        data_url(strike_png, "image/png")?
    );
    if let Some(v) = video {
        let _ = write!(
            h,
            "<h2>Annotated video</h2><video controls muted loop autoplay src=\"{}\"></video>",
            data_url(v, "video/mp4")?
        );
    }
    let timings = serde_json::to_string_pretty(&report["timings_s"]).unwrap_or_default();
    let _ = writeln!(h, "<h3>Timings (s)</h3><pre>{}</pre></body></html>", esc(&timings));
    Ok(h)
}
