//! `touchline track`: video in, tracks out.
//!
//! ```text
//! touchline track <clip> --out <dir> [--model yolox|rtmdet|replay:<json>|yolox:<onnx>|rtmdet:<onnx>]
//!                 [--stride N | --every SECONDS] [--homography points.json] [--png] [--quiet]
//!                 [--tiles ball|all|none] [--tile-search all|sweep:N|every:N] [--tile-skip S|none]
//!                 [--threads N] [--team-features lab|osnet] [--osnet-model <file.onnx>]
//! ```
//!
//! Decodes the clip, detects players and the ball in every sampled frame, links people with
//! `ByteTracker` and the ball with `BallTracker`, assigns teams by torso colour (or, with
//! `--team-features osnet`, by OSNet appearance embeddings; votes per track over the clip),
//! and writes into `<dir>`:
//!
//! | file | content |
//! |---|---|
//! | `tracks.json`, `tracks.csv` | `touchline-track`'s exports (boxes in frame pixels) |
//! | `detections.json` | the detector's output per frame (Touchline detections JSON), replayable with `--model replay:<dir>/detections.json` |
//! | `tracking.csv` | Touchline long CSV (`touchline info` / `impute` read it): feet / ball centre in pitch metres with `--homography`, else in pixels |
//! | `annotated.mp4` or `annotated/NNNNNN.png` | boxes, ids, team colours, ball trail |
//! | `summary.json` | tracks per team, ball visible fraction, fps, per-stage timings |

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use touchline_core::{BBox, Detection, Detector, Frame, FrameSource, Label, Team, Track, Tracker};
use touchline_decode::Sampling;
use touchline_detect::{
    DetectorConfig, OnnxDetector, OsnetConfig, OsnetEmbedder, ReplayDetector, RoiStats, StageTimes,
    TileSearch, Tiling,
};
use touchline_track::{
    BallConfig, BallStatus, BallTracker, ByteTrackConfig, ByteTracker, Homography, SpeedLimit, TeamConfig,
    kmeans, torso_colour,
};

/// Arguments of `touchline track`.
#[derive(clap::Args, Debug)]
pub struct TrackArgs {
    /// The video (MP4/H.264, Y4M, or a folder of PNG/JPEG frames).
    pub clip: PathBuf,
    /// Output folder (created if missing; files in it are overwritten).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Detector: `yolox` (YOLOX-nano, players and ball), `rtmdet` (RTMDet-nano, people only),
    /// `yolox:<file.onnx>` / `rtmdet:<file.onnx>` for a model file elsewhere, or
    /// `replay:<detections.json>` (Touchline detections JSON or COCO results).
    #[arg(long, short, default_value = "yolox")]
    pub model: String,
    /// Process every N-th frame.
    #[arg(long, conflicts_with = "every")]
    pub stride: Option<usize>,
    /// Process the first frame at or after every multiple of SECONDS.
    #[arg(long)]
    pub every: Option<f64>,
    /// JSON with four or more image <-> pitch point pairs: tracking.csv is then in pitch metres.
    #[arg(long)]
    pub homography: Option<PathBuf>,
    /// Write the annotated frames as a PNG sequence (`<dir>/annotated/`) instead of annotated.mp4.
    #[arg(long)]
    pub png: bool,
    /// No progress bar and no printed summary (summary.json is still written).
    #[arg(long, short)]
    pub quiet: bool,
    /// Labels searched in 416 px tiles at native resolution besides the full frame: `ball`
    /// (default; small balls), `all` (ball and players: wide static cameras with small
    /// players), `none` (fastest). YOLOX only.
    #[arg(long, default_value = "ball")]
    pub tiles: String,
    /// With `--tiles ball`: which ball tiles run while the ball is lost (no tracker prediction,
    /// or not found around it): `sweep:N` (each tile once in N frames, spread evenly; default `sweep:32`),
    /// `every:N` (all tiles on one frame in N), `all` (all tiles on every such frame:
    /// most recall, slowest). See docs/detection.md.
    #[arg(long)]
    pub tile_search: Option<String>,
    /// With `--tiles ball`: no ball tiles on a frame whose full-frame pass found a ball scoring
    /// at least this (default 0.5); `none` always runs them.
    #[arg(long)]
    pub tile_skip: Option<String>,
    /// ONNX Runtime intra-op threads per detector session (0 = automatic: one when several
    /// sessions share the cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Keep the decoded frames in memory while they fit in this many MiB (width x height x 3
    /// bytes each), so the annotated video does not decode the clip again; past the budget
    /// they are dropped and the clip is decoded a second time. `0` always decodes again.
    #[arg(long, default_value_t = 1024)]
    pub frame_memory_mb: usize,
    /// Detector sessions running side by side, one model copy each (0 = one per core, at most
    /// four; with `--threads N`, as many as fit the cores).
    #[arg(long, default_value_t = 0)]
    pub sessions: usize,
    /// What teams are clustered on: `lab` (median torso colour in CIE Lab; default) or `osnet`
    /// (OSNet re-identification embeddings of the whole person box; see docs/tracking.md).
    #[arg(long, value_enum, default_value_t = TeamFeatures::Lab)]
    pub team_features: TeamFeatures,
    /// With `--team-features osnet`: the OSNet ONNX file (default `osnet/osnet_x0_25_msmt17.onnx`,
    /// looked for as the detector models are: `$TOUCHLINE_MODELS`, then `shared/models/`).
    #[arg(long)]
    pub osnet_model: Option<PathBuf>,
}

/// The features `touchline track` clusters teams on (`--team-features`).
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TeamFeatures {
    /// Median torso colour in CIE Lab (k = 3 clusters, Delta E thresholds).
    #[default]
    Lab,
    /// L2-normalised 512-d OSNet embeddings of the person crops (k = 3, best of 10 seeds).
    Osnet,
}

impl TeamFeatures {
    fn name(self) -> &'static str {
        match self {
            TeamFeatures::Lab => "lab",
            TeamFeatures::Osnet => "osnet",
        }
    }
}

/// An error of `touchline track`, already worded for the user (it names the file or frame).
#[derive(Debug)]
pub struct TrackCmdError(pub String);

impl std::fmt::Display for TrackCmdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TrackCmdError {}

type Res<T> = Result<T, TrackCmdError>;

fn err(msg: impl Into<String>) -> TrackCmdError {
    TrackCmdError(msg.into())
}

/// Which detector runs.
#[derive(Debug, Clone, PartialEq)]
enum ModelChoice {
    Yolox(PathBuf),
    Rtmdet(PathBuf),
    Replay(PathBuf),
}

impl ModelChoice {
    fn name(&self) -> &'static str {
        match self {
            ModelChoice::Yolox(_) => "yolox",
            ModelChoice::Rtmdet(_) => "rtmdet",
            ModelChoice::Replay(_) => "replay",
        }
    }

    fn path(&self) -> &Path {
        match self {
            ModelChoice::Yolox(p) | ModelChoice::Rtmdet(p) | ModelChoice::Replay(p) => p,
        }
    }
}

/// Where `yolox` / `rtmdet` without a path (and the default OSNet model) are looked for:
/// `$TOUCHLINE_MODELS/<dir>/<file>`, then `shared/models/<dir>/<file>` in the current directory
/// and each ancestor (`../shared` next to a checkout), then next to the workspace this binary
/// was built from. `instead` is the option that names a file elsewhere, for the error message.
fn find_model(dir: &str, file: &str, instead: &str) -> Res<PathBuf> {
    let rel = Path::new(dir).join(file);
    let mut tried = Vec::new();
    if let Some(root) = std::env::var_os("TOUCHLINE_MODELS") {
        let p = PathBuf::from(root).join(&rel);
        if p.is_file() {
            return Ok(p);
        }
        tried.push(p);
    }
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        roots.extend(cwd.ancestors().map(Path::to_path_buf));
    }
    roots.extend(Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().map(Path::to_path_buf));
    for r in roots {
        let p = r.join("shared").join("models").join(&rel);
        if p.is_file() {
            return Ok(p);
        }
        if !tried.contains(&p) {
            tried.push(p);
        }
    }
    let shown: Vec<String> = tried.iter().take(4).map(|p| p.display().to_string()).collect();
    Err(err(format!(
        "model file {} not found; looked in {}{} (set TOUCHLINE_MODELS to the folder holding {dir}/, \
         or pass {instead})",
        rel.display(),
        shown.join(", "),
        if tried.len() > shown.len() { ", ..." } else { "" },
    )))
}

fn parse_model(spec: &str) -> Res<ModelChoice> {
    let (kind, rest) = match spec.split_once(':') {
        Some((k, r)) => (k.trim().to_ascii_lowercase(), Some(r)),
        None => (spec.trim().to_ascii_lowercase(), None),
    };
    let file = |p: &str, what: &str| -> Res<PathBuf> {
        let p = PathBuf::from(p);
        if p.as_os_str().is_empty() {
            return Err(err(format!("--model {what}: needs a file after the colon")));
        }
        if !p.is_file() {
            return Err(err(format!("{}: {what} file not found", p.display())));
        }
        Ok(p)
    };
    match (kind.as_str(), rest) {
        ("yolox", None) => {
            Ok(ModelChoice::Yolox(find_model("yolox_nano", "yolox_nano.onnx", "--model yolox:<file.onnx>")?))
        }
        ("rtmdet", None) => Ok(ModelChoice::Rtmdet(find_model(
            "rtmdet_nano",
            "rtmdet_nano.onnx",
            "--model rtmdet:<file.onnx>",
        )?)),
        ("yolox", Some(p)) => Ok(ModelChoice::Yolox(file(p, "model")?)),
        ("rtmdet", Some(p)) => Ok(ModelChoice::Rtmdet(file(p, "model")?)),
        ("replay", Some(p)) => Ok(ModelChoice::Replay(file(p, "replay detections")?)),
        _ => Err(err(format!(
            "unknown --model {spec:?}; use yolox, rtmdet, yolox:<file.onnx>, rtmdet:<file.onnx> or \
             replay:<detections.json>"
        ))),
    }
}

/// The OSNet embedder of `--team-features osnet` (`None` for `lab`), loaded and checked before
/// the long run; errors name the model file.
fn open_osnet(args: &TrackArgs) -> Res<Option<(OsnetEmbedder, PathBuf)>> {
    if args.team_features != TeamFeatures::Osnet {
        if let Some(p) = &args.osnet_model {
            return Err(err(format!(
                "--osnet-model {} is only used with --team-features osnet",
                p.display()
            )));
        }
        return Ok(None);
    }
    let path = match &args.osnet_model {
        Some(p) if !p.is_file() => return Err(err(format!("{}: OSNet model file not found", p.display()))),
        Some(p) => p.clone(),
        None => find_model("osnet", "osnet_x0_25_msmt17.onnx", "--osnet-model <file.onnx>")?,
    };
    let config = OsnetConfig { intra_threads: args.threads, ..OsnetConfig::default() };
    let reid = OsnetEmbedder::new(&path, config).map_err(|e| model_err(&path, e))?;
    Ok(Some((reid, path)))
}

/// The detector behind `--model`.
enum AnyDetector {
    Onnx(Box<OnnxDetector>),
    Replay(ReplayDetector),
}

impl AnyDetector {
    fn open(choice: &ModelChoice, args: &TrackArgs) -> Res<Self> {
        let (tiles, threads) = (args.tiles.as_str(), args.threads);
        let tiling = match tiles.trim().to_ascii_lowercase().as_str() {
            "ball" => {
                let mut t = Tiling::default();
                if let Some(s) = &args.tile_search {
                    t.search = s.parse().map_err(|e| err(format!("--tile-search: {e}")))?;
                }
                if let Some(s) = &args.tile_skip {
                    t.skip_score = parse_tile_skip(s)?;
                }
                Some(t)
            }
            // Players are everywhere: the ROI search around the ball would miss them, and
            // every frame needs every tile.
            "all" => Some(Tiling {
                labels: vec![Label::Ball, Label::Player],
                roi: false,
                search: TileSearch::All,
                skip_score: None,
                first_miss_all: false,
                ..Tiling::default()
            }),
            "none" => None,
            other => return Err(err(format!("unknown --tiles {other:?}; use ball, all or none"))),
        };
        let cfg = |mut c: DetectorConfig| {
            (c.sessions, c.intra_threads) = crate::pipeline::session_layout(threads, args.sessions);
            c
        };
        match choice {
            ModelChoice::Yolox(p) => {
                let c = DetectorConfig { tiling, ..cfg(DetectorConfig::yolox()) };
                Ok(AnyDetector::Onnx(Box::new(OnnxDetector::new(p, c).map_err(|e| model_err(p, e))?)))
            }
            ModelChoice::Rtmdet(p) => {
                let c = cfg(DetectorConfig::rtmdet());
                Ok(AnyDetector::Onnx(Box::new(OnnxDetector::new(p, c).map_err(|e| model_err(p, e))?)))
            }
            ModelChoice::Replay(p) => {
                Ok(AnyDetector::Replay(ReplayDetector::open(p).map_err(|e| model_err(p, e))?))
            }
        }
    }

    fn detect(&mut self, frame: &Frame, hint: Option<[f32; 2]>, next: &[Frame]) -> Res<Vec<Detection>> {
        let r = match self {
            AnyDetector::Onnx(d) => d.detect_with_lookahead(frame, hint, next),
            AnyDetector::Replay(d) => d.detect(frame),
        };
        r.map_err(|e| err(format!("detection failed at frame {}: {e}", frame.index)))
    }

    /// Frames worth reading ahead: as many as sessions, when there are several (a frame whose
    /// full pass ran ahead and needs no tiles leaves every session to the next frames).
    fn lookahead(&self) -> usize {
        match self {
            AnyDetector::Onnx(d) if d.sessions() > 1 => d.sessions(),
            AnyDetector::Onnx(_) => 0,
            AnyDetector::Replay(_) => 0,
        }
    }

    fn stage_times(&self) -> Option<StageTimes> {
        match self {
            AnyDetector::Onnx(d) => Some(d.stage_times()),
            AnyDetector::Replay(_) => None,
        }
    }

    fn tile_stats(&self) -> Option<(RoiStats, Option<Tiling>)> {
        match self {
            AnyDetector::Onnx(d) => Some((d.roi_stats(), d.config().tiling.clone())),
            AnyDetector::Replay(_) => None,
        }
    }
}

/// `--tile-skip`: a score in `0..=1` or `none`.
fn parse_tile_skip(s: &str) -> Res<Option<f32>> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    match s.parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(Some(v)),
        _ => Err(err(format!("--tile-skip {s:?}: use a score between 0 and 1, or none"))),
    }
}

/// `--tile-search` / `--tile-skip` as written in summary.json.
fn tiling_name(t: &Tiling) -> String {
    let search = match t.search {
        TileSearch::All => "all".to_string(),
        TileSearch::Sweep { frames } => format!("sweep:{frames}"),
        TileSearch::Every { n } => format!("every:{n}"),
    };
    let skip = t.skip_score.map_or("none".to_string(), |v| v.to_string());
    format!("search {search}, skip {skip}, roi {}", t.roi)
}

/// A model error, naming the file unless the message already does.
fn model_err(path: &Path, e: impl std::fmt::Display) -> TrackCmdError {
    let msg = e.to_string();
    if msg.contains(&path.display().to_string()) {
        err(msg)
    } else {
        err(format!("{}: {msg}", path.display()))
    }
}

/// One pair of a homography file.
#[derive(serde::Deserialize)]
struct PointPair {
    image: [f64; 2],
    pitch: [f64; 2],
}

/// The homography file: `{"pairs": [{"image": [u, v], "pitch": [x, y]}, ...]}`, image in frame
/// pixels, pitch in metres (Touchline's convention: origin at the pitch centre).
#[derive(serde::Deserialize)]
struct HomographyFile {
    pairs: Vec<PointPair>,
}

/// Reads a homography file and fits image -> pitch; also returns the RMS reprojection error (m).
fn read_homography(path: &Path) -> Res<(Homography, f64, usize)> {
    let text = std::fs::read_to_string(path).map_err(|e| err(format!("{}: {e}", path.display())))?;
    let f: HomographyFile = serde_json::from_str(&text).map_err(|e| {
        err(format!(
            "{}: {e} (expected {{\"pairs\": [{{\"image\": [u, v], \"pitch\": [x, y]}}, ...]}})",
            path.display()
        ))
    })?;
    for (i, p) in f.pairs.iter().enumerate() {
        if !p.image.iter().chain(&p.pitch).all(|v| v.is_finite()) {
            return Err(err(format!("{}: pairs[{i}] has a non-finite coordinate", path.display())));
        }
    }
    let img: Vec<[f64; 2]> = f.pairs.iter().map(|p| p.image).collect();
    let pitch: Vec<[f64; 2]> = f.pairs.iter().map(|p| p.pitch).collect();
    let h = Homography::from_points(&img, &pitch).map_err(|e| err(format!("{}: {e}", path.display())))?;
    let rms = h.reprojection_rms(&img, &pitch);
    Ok((h, rms, img.len()))
}

/// Wall time per stage.
#[derive(Debug, Default, Clone, Copy)]
struct Timings {
    decode: Duration,
    detect: Duration,
    track: Duration,
    teams: Duration,
    render: Duration,
    write: Duration,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// What the video -> detections -> tracks loop produced.
struct LoopOutput {
    /// `(frame, timestamp)` of every processed frame.
    frame_times: Vec<(usize, f64)>,
    /// Raw detections per processed frame (what `--model replay:` reads back).
    detections: Vec<(usize, Vec<Detection>)>,
    /// People tracks (ByteTracker), teams not yet set.
    people: Vec<Track>,
    /// The ball tracker after the clip.
    ball: BallTracker,
    /// Torso colours (CIE Lab) sampled along the way, by track id (`--team-features lab`).
    colours: Vec<(u64, [f64; 3])>,
    /// OSNet embeddings sampled along the way, by track id (`--team-features osnet`).
    embeddings: Vec<(u64, Vec<f64>)>,
    /// Frame size.
    size: (u32, u32),
    /// The decoded frames, when they fit `--frame-memory-mb`.
    frames: Option<Vec<Frame>>,
}

/// Every how many processed frames torso colours (or OSNet embeddings) are sampled for the team vote.
const TEAM_SAMPLE_EVERY: usize = 3;

fn sampling_of(args: &TrackArgs) -> Res<Sampling> {
    let mut s = Sampling::new();
    if let Some(n) = args.stride {
        if n == 0 {
            return Err(err("--stride must be at least 1"));
        }
        s = s.every(n);
    }
    if let Some(dt) = args.every {
        if !(dt.is_finite() && dt > 0.0) {
            return Err(err(format!("--every must be a positive number of seconds, got {dt}")));
        }
        s = s.every_seconds(dt);
    }
    Ok(s)
}

/// Opens the clip with the sampling, as a boxed source.
fn open_clip(
    clip: &Path,
    sampling: &Sampling,
) -> Res<Box<dyn FrameSource<Error = touchline_decode::DecodeError>>> {
    // Decoded on a second thread, a few frames ahead of detection or drawing.
    let s = touchline_decode::ReadAhead::open(clip, sampling.clone(), 4).map_err(|e| decode_err(clip, e))?;
    Ok(Box::new(s))
}

fn decode_err(clip: &Path, e: impl std::fmt::Display) -> TrackCmdError {
    let msg = e.to_string();
    if msg.contains(&clip.display().to_string()) {
        err(msg)
    } else {
        err(format!("{}: {msg}", clip.display()))
    }
}

fn ball_config(width: u32) -> BallConfig {
    // The default (40 m/s at 15 px/m) is for an 848-px-wide wide-angle view; scale the
    // pixels-per-metre guess with the frame width.
    let ppm = 15.0 * f64::from(width.max(1)) / 848.0;
    BallConfig {
        max_speed: SpeedLimit::MetresPerSecond { speed: 40.0, pixels_per_metre: ppm },
        ..BallConfig::default()
    }
}

/// Our own video -> detections -> tracks loop.
fn track_loop(
    clip: &Path,
    sampling: &Sampling,
    detector: &mut AnyDetector,
    mut osnet: Option<&mut OsnetEmbedder>,
    bar: &indicatif::ProgressBar,
    timings: &mut Timings,
    memory_budget: u64,
) -> Res<LoopOutput> {
    let mut kept: Option<Vec<Frame>> = (memory_budget > 0).then(Vec::new);
    let mut kept_bytes = 0u64;
    let mut src = crate::pipeline::Peek::new(open_clip(clip, sampling)?, detector.lookahead());
    let mut people = ByteTracker::new(ByteTrackConfig::default()).map_err(|e| err(e.to_string()))?;
    let mut ball: Option<BallTracker> = None;
    let team_cfg = TeamConfig::default();
    let mut colours = Vec::new();
    let mut embeddings: Vec<(u64, Vec<f64>)> = Vec::new();
    let mut frame_times = Vec::new();
    let mut detections = Vec::new();
    let mut size = (0, 0);
    loop {
        let t0 = Instant::now();
        let Some((frame, next)) = src.next().map_err(|e| decode_err(clip, e))? else { break };
        let t1 = Instant::now();
        timings.decode += t1 - t0;
        if size == (0, 0) {
            size = frame.size();
        }
        let bt = match &mut ball {
            Some(b) => b,
            None => ball.insert(BallTracker::new(ball_config(size.0)).map_err(|e| err(e.to_string()))?),
        };
        let hint = bt.predict(frame.timestamp).map(|[x, y]| [x as f32, y as f32]);
        let dets = detector.detect(&frame, hint, next)?;
        let t2 = Instant::now();
        timings.detect += t2 - t1;
        let (balls, persons): (Vec<Detection>, Vec<Detection>) =
            dets.iter().cloned().partition(|d| d.label == Label::Ball);
        let tracked = people
            .update(frame.index, frame.timestamp, &persons)
            .map_err(|e| err(format!("{}: tracking failed at frame {}: {e}", clip.display(), frame.index)))?;
        bt.update(frame.index, frame.timestamp, &balls).map_err(|e| {
            err(format!("{}: ball tracking failed at frame {}: {e}", clip.display(), frame.index))
        })?;
        let t3 = Instant::now();
        timings.track += t3 - t2;
        if frame_times.len().is_multiple_of(TEAM_SAMPLE_EVERY) {
            if let Some(reid) = osnet.as_deref_mut() {
                // The frame's tracked people in one call (batched when the model allows).
                let people: Vec<(u64, BBox)> = tracked
                    .iter()
                    .filter(|d| team_cfg.labels.contains(&d.label))
                    .filter_map(|d| d.track_id.map(|id| (id, d.bbox)))
                    .collect();
                let boxes: Vec<BBox> = people.iter().map(|(_, b)| *b).collect();
                let emb = reid.embed(&frame, &boxes).map_err(|e| {
                    err(format!("{}: OSNet embedding failed at frame {}: {e}", clip.display(), frame.index))
                })?;
                for ((id, _), e) in people.iter().zip(emb) {
                    if let Some(e) = e {
                        embeddings.push((*id, e.into_iter().map(f64::from).collect()));
                    }
                }
            } else {
                for d in tracked.iter().filter(|d| team_cfg.labels.contains(&d.label)) {
                    if let (Some(id), Some(lab)) =
                        (d.track_id, torso_colour(&frame.image, &d.bbox, &team_cfg.torso))
                    {
                        colours.push((id, lab));
                    }
                }
            }
        }
        timings.teams += t3.elapsed();
        frame_times.push((frame.index, frame.timestamp));
        detections.push((frame.index, dets));
        if let Some(k) = &mut kept {
            kept_bytes = kept_bytes.saturating_add(frame.image.as_raw().len() as u64);
            if kept_bytes <= memory_budget {
                k.push(frame);
            } else {
                kept = None; // over budget: the drawing pass decodes again
            }
        }
        bar.inc(1);
    }
    if frame_times.is_empty() {
        return Err(err(format!("{}: no frames to track (empty clip or sampling range)", clip.display())));
    }
    let ball = match ball {
        Some(b) => b,
        None => BallTracker::new(BallConfig::default()).map_err(|e| err(e.to_string()))?,
    };
    Ok(LoopOutput {
        frame_times,
        detections,
        people: people.tracks(),
        ball,
        colours,
        embeddings,
        size,
        frames: kept,
    })
}

/// Centres closer than this (CIE76 Delta E) are one kit split in two by k-means.
const SAME_KIT_DELTA_E: f64 = 20.0;
/// A sample farther than this from its kit's centre votes "official" (as `TeamConfig`'s default).
const OUTLIER_DELTA_E: f64 = 30.0;

/// The kit vote shared by the Lab and OSNet team paths: each track takes the class most of its
/// samples fell in (ties to the smaller class; `usize::MAX` is the outlier class), and the two
/// classes with the most tracks are the kits (ties to the smaller class). Returns the per-track
/// class and the kits, most tracks first.
fn kit_vote(samples: impl Iterator<Item = (u64, usize)>) -> (BTreeMap<u64, usize>, Vec<usize>) {
    let mut votes: BTreeMap<u64, BTreeMap<usize, usize>> = BTreeMap::new();
    for (id, c) in samples {
        *votes.entry(id).or_default().entry(c).or_default() += 1;
    }
    let majority: BTreeMap<u64, usize> = votes
        .iter()
        .map(|(id, v)| {
            let best =
                v.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map_or(usize::MAX, |(c, _)| *c);
            (*id, best)
        })
        .collect();
    let mut tracks_per: BTreeMap<usize, usize> = BTreeMap::new();
    for c in majority.values().filter(|c| **c != usize::MAX) {
        *tracks_per.entry(*c).or_default() += 1;
    }
    let mut ranked: Vec<(usize, usize)> = tracks_per.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let kits = ranked.iter().take(2).map(|(c, _)| *c).collect();
    (majority, kits)
}

/// Teams from torso colours, voted per track.
///
/// `touchline_track::TeamAssigner` clusters into two kits plus distance outliers. On a broadcast
/// view the people beside the pitch (coaches, substitutes, stewards in dark jackets) are many and
/// alike, and two-means then splits "players" from "bench" instead of the two kits. So: k-means
/// with k = 3 (seeded, as `touchline_track::kmeans`), clusters whose centres lie within 20 Delta E
/// merged (one kit lit and in shadow), each sample labelled by its cluster (or as an outlier when
/// more than 30 Delta E from its centre), each track given its majority; the two clusters holding
/// the most tracks are the kits (the lighter, larger L*, is `Home`), everything else `Officials`.
fn assign_teams(samples: &[(u64, [f64; 3])]) -> Result<BTreeMap<u64, Team>, String> {
    if samples.is_empty() {
        return Err("no torso colour samples".into());
    }
    let feats: Vec<&[f64]> = samples.iter().map(|(_, f)| f.as_slice()).collect();
    let k = feats.len().min(3);
    let km = kmeans(&feats, k, 0, 100).map_err(|e| e.to_string())?;
    // Merge near centres: map each cluster to a representative.
    let mut rep: Vec<usize> = (0..k).collect();
    for i in 0..k {
        for j in 0..i {
            let d: f64 =
                km.centres[i].iter().zip(&km.centres[j]).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt();
            if d < SAME_KIT_DELTA_E && rep[i] == i {
                rep[i] = rep[j];
            }
        }
    }
    // Per-sample class: representative cluster, or usize::MAX for an outlier.
    let class: Vec<usize> = samples
        .iter()
        .zip(&km.labels)
        .map(|((_, f), &l)| {
            let c = &km.centres[l];
            let d = f.iter().zip(c).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt();
            if d > OUTLIER_DELTA_E { usize::MAX } else { rep[l] }
        })
        .collect();
    let (majority, kits) = kit_vote(samples.iter().map(|(id, _)| *id).zip(class.iter().copied()));
    let lightness = |c: usize| km.centres[c][0];
    let home = match kits.as_slice() {
        [a, b] => {
            if lightness(*a) >= lightness(*b) {
                *a
            } else {
                *b
            }
        }
        [a] => *a,
        _ => usize::MAX,
    };
    Ok(majority
        .into_iter()
        .map(|(id, c)| {
            let team = if c == usize::MAX || !kits.contains(&c) {
                Team::Officials
            } else if c == home {
                Team::Home
            } else {
                Team::Away
            };
            (id, team)
        })
        .collect())
}

/// With `--team-features osnet`: a sample farther from its cluster's centre than this multiple
/// of the median sample-to-centre distance votes "official" (the rule of
/// `OutlierRule::Relative`). Embeddings are unit vectors, so an absolute threshold like the Lab
/// path's Delta E means nothing; the median sets the scale of the clip's own spread.
const OSNET_OUTLIER_RELATIVE: f64 = 1.5;
/// With `--team-features osnet`: k-means restarts (seeds `0..N`); the lowest within-cluster
/// sum of squares wins.
const OSNET_RESTARTS: u64 = 10;

/// Teams from OSNet embeddings, voted per track.
///
/// Two-means (`TeamAssigner`) on the embeddings splits the players on the pitch from the people
/// beside it and puts both kits in one team: on the Bundesliga clip its optimum holds all 16
/// tracks Lab puts in the two kits in one cluster. With k = 3 the optimum is the two kits and
/// the bench, but single k-means runs often stop in other local optima. So: k-means with k = 3,
/// the best of [`OSNET_RESTARTS`] seeds by within-cluster sum of squares; each sample labelled by
/// its cluster (an outlier when farther than [`OSNET_OUTLIER_RELATIVE`] medians from its centre);
/// each track given its majority (ties to the lower cluster); the two clusters holding the most
/// tracks are the kits, everything else `Officials`. Appearance does not say which kit is at
/// home: `Home` is the kit with more tracks (ties: the lower cluster).
fn assign_teams_osnet(samples: &[(u64, Vec<f64>)]) -> Result<BTreeMap<u64, Team>, String> {
    if samples.is_empty() {
        return Err("no OSNet embedding samples".into());
    }
    let feats: Vec<&[f64]> = samples.iter().map(|(_, f)| f.as_slice()).collect();
    let k = feats.len().min(3);
    let d = |f: &[f64], c: &[f64]| f.iter().zip(c).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt();
    let mut best: Option<(f64, touchline_track::KMeans)> = None;
    for seed in 0..OSNET_RESTARTS {
        let km = kmeans(&feats, k, seed, 100).map_err(|e| e.to_string())?;
        let wcss: f64 = feats.iter().zip(&km.labels).map(|(f, &l)| d(f, &km.centres[l]).powi(2)).sum();
        if best.as_ref().is_none_or(|(b, _)| wcss < *b) {
            best = Some((wcss, km));
        }
    }
    let Some((_, km)) = best else { return Err("no clustering".into()) };
    let dist: Vec<f64> = feats.iter().zip(&km.labels).map(|(f, &l)| d(f, &km.centres[l])).collect();
    let mut sorted = dist.clone();
    sorted.sort_by(f64::total_cmp);
    let limit = OSNET_OUTLIER_RELATIVE * sorted[sorted.len() / 2];
    let classes = samples
        .iter()
        .zip(&km.labels)
        .zip(&dist)
        .map(|(((id, _), &l), &dl)| (*id, if dl > limit { usize::MAX } else { l }));
    let (majority, kits) = kit_vote(classes);
    Ok(majority
        .into_iter()
        .map(|(id, c)| {
            let team = match kits.iter().position(|&kit| kit == c) {
                Some(0) => Team::Home,
                Some(_) => Team::Away,
                None => Team::Officials,
            };
            (id, team)
        })
        .collect())
}

fn write_file(path: &Path, f: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Res<()>) -> Res<()> {
    let file = std::fs::File::create(path).map_err(|e| err(format!("{}: {e}", path.display())))?;
    let mut w = std::io::BufWriter::new(file);
    f(&mut w)?;
    w.flush().map_err(|e| err(format!("{}: {e}", path.display())))
}

/// Runs `touchline track`.
pub fn run(args: TrackArgs) -> Res<()> {
    let t_start = Instant::now();
    // Check everything that can be checked before the long run.
    if !args.clip.exists() {
        return Err(err(format!("{}: clip not found", args.clip.display())));
    }
    let model = parse_model(&args.model)?;
    let mut osnet = open_osnet(&args)?;
    let sampling = sampling_of(&args)?;
    let homography = args.homography.as_deref().map(read_homography).transpose()?;
    std::fs::create_dir_all(&args.out).map_err(|e| err(format!("{}: {e}", args.out.display())))?;
    let info = touchline_decode::probe(&args.clip).map_err(|e| decode_err(&args.clip, e))?;
    let mut detector = AnyDetector::open(&model, &args)?;
    let t_setup = t_start.elapsed();

    let expected = info.frame_count.map(|n| expected_frames(n, info.fps, &args));
    let bar = crate::pipeline::progress_bar(expected.map(|n| n as u64), args.quiet);
    bar.set_message("tracking");
    let mut timings = Timings::default();
    let t_loop = Instant::now();
    let reid = osnet.as_mut().map(|(r, _)| r);
    let budget = (args.frame_memory_mb as u64).saturating_mul(1 << 20);
    let mut out = track_loop(&args.clip, &sampling, &mut detector, reid, &bar, &mut timings, budget)?;
    let loop_time = t_loop.elapsed();
    bar.finish_and_clear();

    // Teams by torso colour (or OSNet embeddings), voted per track.
    let t0 = Instant::now();
    let mut tracks = out.people.clone();
    let assigned = match args.team_features {
        TeamFeatures::Lab => assign_teams(&out.colours),
        TeamFeatures::Osnet => assign_teams_osnet(&out.embeddings),
    };
    let team_note = match assigned {
        Ok(teams) => {
            for t in &mut tracks {
                if let Some(team) = teams.get(&t.id) {
                    t.team = *team;
                }
            }
            None
        }
        Err(e) => Some(format!("teams not assigned: {e}")),
    };
    let ball_track = out.ball.track();
    if !ball_track.points.is_empty() {
        tracks.push(ball_track);
    }
    tracks.sort_by_key(|t| t.id);
    timings.teams += t0.elapsed();

    // Files.
    let t0 = Instant::now();
    let dir = &args.out;
    write_file(&dir.join("tracks.json"), |w| {
        touchline_track::write_tracks_json(w, &tracks).map_err(|e| err(format!("tracks.json: {e}")))
    })?;
    write_file(&dir.join("tracks.csv"), |w| {
        touchline_track::write_tracks_csv(w, &tracks).map_err(|e| err(format!("tracks.csv: {e}")))
    })?;
    write_file(&dir.join("detections.json"), |w| {
        touchline_detect::write_touchline_json(out.detections.iter().map(|(f, d)| (*f, d.as_slice())), w)
            .map_err(|e| err(format!("detections.json: {e}")))
    })?;
    let data = match &homography {
        Some((h, _, _)) => touchline_track::to_tracking_data_metres(&tracks, &out.frame_times, h),
        None => touchline_track::to_tracking_data_pixels(&tracks, &out.frame_times),
    };
    let tracking_csv = match data {
        Ok(d) if d.n_agents() > 0 => {
            write_file(&dir.join("tracking.csv"), |w| {
                touchline_io::long::write_csv(&d, w).map_err(|e| err(format!("tracking.csv: {e}")))
            })?;
            true
        }
        Ok(_) => false,
        Err(e) => return Err(err(format!("tracking.csv: {e}"))),
    };
    timings.write += t0.elapsed();

    // Annotated output: the kept frames (or a second decoding pass), drawing the final tracks
    // (with teams).
    let t0 = Instant::now();
    let frames: Box<dyn FrameSource<Error = touchline_decode::DecodeError>> = match out.frames.take() {
        Some(kept) => Box::new(crate::pipeline::KeptFrames::new(kept)),
        None => open_clip(&args.clip, &sampling)?,
    };
    let annotated =
        render(&args.clip, frames, &tracks, dir, args.png, output_fps(info.fps, &args, &out.frame_times))?;
    let render_time = t0.elapsed();
    timings.render += render_time;

    let total = t_start.elapsed();
    let s =
        Summary::build(&args, &model, &info, &out, &tracks, &detector, timings, loop_time, total, t_setup);
    let mut v = s.to_json();
    if let Some(o) = v.as_object_mut() {
        o.insert("annotated".into(), annotated.clone().into());
        o.insert("tracking_csv".into(), tracking_csv.into());
        o.insert("tracking_units".into(), if homography.is_some() { "metres" } else { "pixels" }.into());
        if let Some((_, rms, n)) = &homography {
            o.insert("homography".into(), serde_json::json!({"pairs": n, "reprojection_rms_m": rms}));
        }
        if let Some(n) = &team_note {
            o.insert("team_note".into(), n.clone().into());
        }
        o.insert("team_features".into(), args.team_features.name().into());
        let samples = match args.team_features {
            TeamFeatures::Lab => out.colours.len(),
            TeamFeatures::Osnet => out.embeddings.len(),
        };
        o.insert("team_samples".into(), samples.into());
        if let Some((_, p)) = &osnet {
            o.insert("osnet_model".into(), p.display().to_string().into());
        }
    }
    let text = serde_json::to_string_pretty(&v).map_err(|e| err(format!("summary.json: {e}")))? + "\n";
    let p = dir.join("summary.json");
    std::fs::write(&p, text).map_err(|e| err(format!("{}: {e}", p.display())))?;
    if !args.quiet {
        let mut t = s.table();
        if let Some((_, p)) = &osnet {
            let _ = writeln!(t, "teams       by OSNet embeddings ({})", p.display());
        }
        if let Some(n) = &team_note {
            let _ = writeln!(t, "note: {n}");
        }
        let _ = writeln!(t, "wrote {} ({annotated})", dir.display());
        eprint!("{t}");
    }
    Ok(())
}

/// Draws the final tracks (team colours, ids, ball ring and trail) on a second decoding pass
/// and writes `annotated.mp4` (H.264) or `annotated/frame_NNNNNN.png`; returns what was written.
fn render(
    clip: &Path,
    mut src: Box<dyn FrameSource<Error = touchline_decode::DecodeError>>,
    tracks: &[Track],
    dir: &Path,
    png: bool,
    fps: f64,
) -> Res<String> {
    use touchline_render::{
        Annotator, AnnotatorConfig, FrameSink as _, Mp4Writer, PngSequenceWriter, ThreadedSink,
    };
    let annotator = Annotator::new(AnnotatorConfig { trail_length: 12, ..AnnotatorConfig::default() })
        .map_err(|e| err(e.to_string()))?;
    let (ball, people): (Vec<&Track>, Vec<&Track>) = tracks.iter().partition(|t| t.label == Label::Ball);
    let people: Vec<Track> = people.into_iter().cloned().collect();
    // One trail slot per processed frame, so a stride does not break the trail into dots.
    let mut trail = annotator.new_trail();
    let path = if png { dir.join("annotated") } else { dir.join("annotated.mp4") };
    let render_err = |e: touchline_render::RenderError| err(format!("{}: {e}", path.display()));
    // Frames are decoded (`src`), drawn (here) and encoded or written (the sink's thread) at the
    // same time; the MP4 writer needs the first frame's size, so the sink starts with it.
    let mut sink: Option<ThreadedSink<String>> = None;
    while let Some(mut frame) = src.next_frame().map_err(|e| decode_err(clip, e))? {
        let img = &mut frame.image;
        annotator.draw_tracks(img, &people, frame.index);
        let here = ball.iter().find_map(|t| {
            t.points.binary_search_by_key(&frame.index, |p| p.frame).ok().map(|i| &t.points[i].bbox)
        });
        trail.push(here.map(|b| b.center()));
        annotator.draw_trail(img, &trail);
        if let Some(b) = here {
            annotator.draw_ball(img, b);
        }
        annotator.draw_caption(img, &format!("FRAME {} {:.2} S", frame.index, frame.timestamp));
        let out = match &mut sink {
            Some(s) => s,
            None => {
                let (p, (w, h)) = (path.clone(), img.dimensions());
                let started = if png {
                    ThreadedSink::spawn(
                        4,
                        move || PngSequenceWriter::create(&p),
                        |w| Ok(format!("{} PNG frames in {}", w.frames_written(), w.dir().display())),
                    )
                } else {
                    ThreadedSink::spawn(
                        4,
                        move || Mp4Writer::with_options(&p, w, h, fps, crate::pipeline::video_options()),
                        |m| {
                            let s = m.finish()?;
                            Ok(format!("{} frames, {} bytes in {}", s.frames, s.bytes, s.path.display()))
                        },
                    )
                };
                sink.insert(started.map_err(render_err)?)
            }
        };
        out.write(frame.image).map_err(render_err)?;
    }
    match sink {
        Some(s) => s.finish().map_err(render_err),
        None => Ok(format!("0 frames in {}", path.display())),
    }
}

/// Frames the sampling will keep, for the progress bar.
fn expected_frames(n: usize, fps: Option<f64>, args: &TrackArgs) -> usize {
    match (args.stride, args.every, fps) {
        (Some(s), _, _) if s > 0 => n.div_ceil(s),
        (_, Some(dt), Some(fps)) if dt > 0.0 && fps > 0.0 => {
            let dur = n as f64 / fps;
            ((dur / dt).ceil() as usize).clamp(1, n.max(1))
        }
        _ => n,
    }
}

/// Frame rate of the annotated video: the processed frames' own rate.
fn output_fps(fps: Option<f64>, args: &TrackArgs, frame_times: &[(usize, f64)]) -> f64 {
    if frame_times.len() >= 2 {
        let (first, last) = (frame_times[0].1, frame_times[frame_times.len() - 1].1);
        let r = (frame_times.len() - 1) as f64 / (last - first);
        if r.is_finite() && r > 0.0 {
            return r;
        }
    }
    let base = fps.filter(|f| f.is_finite() && *f > 0.0).unwrap_or(25.0);
    match (args.stride, args.every) {
        (Some(s), _) if s > 0 => base / s as f64,
        (_, Some(dt)) if dt > 0.0 => (1.0 / dt).min(base),
        _ => base,
    }
}

/// Everything summary.json and the printed summary hold.
struct Summary {
    clip: PathBuf,
    model: String,
    model_path: PathBuf,
    frames: usize,
    size: (u32, u32),
    clip_fps: Option<f64>,
    people_tracks: usize,
    per_team: BTreeMap<&'static str, usize>,
    long_tracks: usize,
    longest_span: usize,
    ball_detected: usize,
    ball_rejected: usize,
    timings: Timings,
    stages: Option<StageTimes>,
    tiles: Option<(RoiStats, Option<Tiling>)>,
    loop_time: Duration,
    total: Duration,
    setup: Duration,
}

impl Summary {
    #[allow(clippy::too_many_arguments)]
    fn build(
        args: &TrackArgs,
        model: &ModelChoice,
        info: &touchline_decode::VideoInfo,
        out: &LoopOutput,
        tracks: &[Track],
        detector: &AnyDetector,
        timings: Timings,
        loop_time: Duration,
        total: Duration,
        setup: Duration,
    ) -> Summary {
        let frames = out.frame_times.len();
        let people: Vec<&Track> = tracks.iter().filter(|t| t.label != Label::Ball).collect();
        let mut per_team: BTreeMap<&'static str, usize> = BTreeMap::new();
        for t in &people {
            *per_team.entry(t.team.as_str()).or_default() += 1;
        }
        let index_of: BTreeMap<usize, usize> =
            out.frame_times.iter().enumerate().map(|(i, (f, _))| (*f, i)).collect();
        let span = |t: &Track| -> usize {
            match (t.points.first(), t.points.last()) {
                (Some(a), Some(b)) => match (index_of.get(&a.frame), index_of.get(&b.frame)) {
                    (Some(i), Some(j)) => j - i + 1,
                    _ => 0,
                },
                _ => 0,
            }
        };
        let long_tracks = people.iter().filter(|t| 2 * span(t) >= frames).count();
        let longest_span = people.iter().map(|t| span(t)).max().unwrap_or(0);
        let bf = out.ball.frames();
        Summary {
            clip: args.clip.clone(),
            model: model.name().to_string(),
            model_path: model.path().to_path_buf(),
            frames,
            size: out.size,
            clip_fps: info.fps,
            people_tracks: people.len(),
            per_team,
            long_tracks,
            longest_span,
            ball_detected: bf.iter().filter(|f| f.status == BallStatus::Detected).count(),
            ball_rejected: bf.iter().filter(|f| f.status == BallStatus::Rejected).count(),
            timings,
            stages: detector.stage_times(),
            tiles: detector.tile_stats(),
            loop_time,
            total,
            setup,
        }
    }

    fn per_frame(&self, d: Duration) -> f64 {
        if self.frames == 0 { 0.0 } else { ms(d) / self.frames as f64 }
    }

    fn fps(&self, d: Duration) -> f64 {
        let s = d.as_secs_f64();
        if s > 0.0 { self.frames as f64 / s } else { 0.0 }
    }

    fn ball_fraction(&self) -> f64 {
        if self.frames == 0 { 0.0 } else { self.ball_detected as f64 / self.frames as f64 }
    }

    fn to_json(&self) -> serde_json::Value {
        let t = &self.timings;
        let stage = |d: Duration| serde_json::json!({"total_ms": ms(d), "per_frame_ms": self.per_frame(d)});
        let mut stages = serde_json::json!({
            "setup": {"total_ms": ms(self.setup)},
            "decode": stage(t.decode),
            "detect": stage(t.detect),
            "track": stage(t.track),
            "teams": stage(t.teams),
            "render": stage(t.render),
            "write": stage(t.write),
        });
        if let (Some(s), Some(o)) = (self.stages, stages.as_object_mut()) {
            o.insert(
                "detect_detail".into(),
                serde_json::json!({
                    "preprocess_ms": ms(s.preprocess), "model_ms": ms(s.model),
                    "postprocess_ms": ms(s.postprocess), "model_runs": s.runs, "regions": s.regions,
                }),
            );
        }
        if let (Some((r, Some(t))), Some(o)) = (&self.tiles, stages.as_object_mut()) {
            o.insert(
                "tiles".into(),
                serde_json::json!({
                    "policy": tiling_name(t), "roi_hits": r.hits, "roi_full_frame": r.full_frame,
                    "roi_fallbacks": r.fallbacks, "skipped": r.skipped, "searches": r.searches,
                    "search_tiles": r.search_tiles,
                }),
            );
        }
        serde_json::json!({
            "clip": self.clip.display().to_string(),
            "model": self.model,
            "model_path": self.model_path.display().to_string(),
            "frames": self.frames,
            "width": self.size.0,
            "height": self.size.1,
            "clip_fps": self.clip_fps,
            "tracks": {
                "people": self.people_tracks,
                "per_team": self.per_team,
                "spanning_half_the_clip": self.long_tracks,
                "longest_span_frames": self.longest_span,
            },
            "ball": {
                "detected_frames": self.ball_detected,
                "rejected_frames": self.ball_rejected,
                "visible_fraction": self.ball_fraction(),
            },
            "fps": {
                "tracking": self.fps(self.loop_time),
                "end_to_end": self.fps(self.total),
            },
            "stages": stages,
            "total_s": self.total.as_secs_f64(),
        })
    }

    fn table(&self) -> String {
        let mut o = String::new();
        let t = &self.timings;
        let _ = writeln!(
            o,
            "clip        {} ({}x{}, {} frames processed)",
            self.clip.display(),
            self.size.0,
            self.size.1,
            self.frames
        );
        let _ = writeln!(o, "model       {} ({})", self.model, self.model_path.display());
        let teams: Vec<String> = self.per_team.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(o, "tracks      {} people ({})", self.people_tracks, teams.join(", "));
        let _ = writeln!(
            o,
            "            {} span half the clip or more; longest {} of {} frames",
            self.long_tracks, self.longest_span, self.frames
        );
        let _ = writeln!(
            o,
            "ball        visible in {} of {} frames ({:.0}%), {} far jumps rejected",
            self.ball_detected,
            self.frames,
            100.0 * self.ball_fraction(),
            self.ball_rejected
        );
        let _ = writeln!(
            o,
            "fps         {:.1} tracking (decode + detect + track + teams), {:.1} end to end",
            self.fps(self.loop_time),
            self.fps(self.total)
        );
        let _ = writeln!(
            o,
            "per frame   decode {:.1} ms, detect {:.1} ms",
            self.per_frame(t.decode),
            self.per_frame(t.detect)
        );
        if let Some(s) = self.stages {
            let _ = writeln!(
                o,
                "            (pre {:.1} / model {:.1} / post {:.2} ms, {:.2} model runs per frame)",
                self.per_frame(s.preprocess),
                self.per_frame(s.model),
                self.per_frame(s.postprocess),
                if self.frames == 0 { 0.0 } else { s.runs as f64 / self.frames as f64 }
            );
        }
        let _ = writeln!(
            o,
            "            track {:.2} ms, teams {:.2} ms, render {:.1} ms, write {:.2} ms; setup {:.0} ms",
            self.per_frame(t.track),
            self.per_frame(t.teams),
            self.per_frame(t.render),
            self.per_frame(t.write),
            ms(self.setup)
        );
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_specs() {
        assert!(parse_model("nope").is_err());
        let e = parse_model("replay:/no/such/dets.json").unwrap_err().0;
        assert!(e.contains("/no/such/dets.json"), "{e}");
        let e = parse_model("yolox:/no/such.onnx").unwrap_err().0;
        assert!(e.contains("/no/such.onnx"), "{e}");
        assert!(parse_model("replay:").is_err());
    }

    #[test]
    fn tile_options() {
        assert_eq!("all".parse::<TileSearch>().unwrap(), TileSearch::All);
        assert_eq!(" Sweep:16 ".parse::<TileSearch>().unwrap(), TileSearch::Sweep { frames: 16 });
        assert_eq!("every:4".parse::<TileSearch>().unwrap(), TileSearch::Every { n: 4 });
        for bad in ["sweep:0", "every:", "sweep", "cycle:2", "every:-1"] {
            assert!(bad.parse::<TileSearch>().is_err(), "{bad}");
        }
        assert_eq!(parse_tile_skip("none").unwrap(), None);
        assert_eq!(parse_tile_skip("0.4").unwrap(), Some(0.4));
        for bad in ["1.5", "NaN", "x"] {
            assert!(parse_tile_skip(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn teams_two_kits_a_bench_and_a_referee() {
        let mut s = Vec::new();
        // Tracks 1-6 white, 7-12 lime, 13-16 dark bench, 17 a yellow referee; 5 samples each.
        for k in 0..5 {
            let j = f64::from(k) * 0.5;
            for id in 1..=6 {
                s.push((id, [92.0 + j, 0.0, 2.0]));
            }
            for id in 7..=12 {
                s.push((id, [80.0 - j, -35.0, 60.0]));
            }
            for id in 13..=16 {
                s.push((id, [20.0 + j, 1.0, -3.0]));
            }
            s.push((17, [60.0, 60.0, 60.0]));
        }
        let t = assign_teams(&s).unwrap();
        assert!((1..=6).all(|i| t[&i] == Team::Home));
        assert!((7..=12).all(|i| t[&i] == Team::Away));
        assert!((13..=17).all(|i| t[&i] == Team::Officials), "{t:?}");
        assert!(assign_teams(&[]).is_err());
    }

    #[test]
    fn osnet_teams_two_kits_a_bench_and_an_outlier() {
        // Unit vectors around three directions (kit 1, kit 2, bench) plus one stray sample.
        let unit = |v: Vec<f64>| {
            let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            v.into_iter().map(|x| x / n).collect::<Vec<f64>>()
        };
        let around = |axis: usize, k: u64| {
            let mut v = vec![0.05; 16];
            v[axis] = 1.0;
            v[(axis + 1 + k as usize % 3) % 16] += 0.1 * (k % 4) as f64;
            unit(v)
        };
        let mut s = Vec::new();
        for k in 0..6 {
            for id in 1..=6 {
                s.push((id, around(0, id + k)));
            }
            for id in 7..=11 {
                s.push((id, around(5, id + k)));
            }
            for id in 12..=13 {
                s.push((id, around(10, id + k)));
            }
        }
        // Track 1 once looks like nothing else: outvoted by its five kit samples.
        s.push((1, unit((0..16).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect())));
        let t = assign_teams_osnet(&s).unwrap();
        assert!((1..=6).all(|i| t[&i] == Team::Home), "{t:?}");
        assert!((7..=11).all(|i| t[&i] == Team::Away), "{t:?}");
        assert!((12..=13).all(|i| t[&i] == Team::Officials), "{t:?}");
        assert!(assign_teams_osnet(&[]).is_err());
        // Fewer samples than clusters still gives an answer.
        let t = assign_teams_osnet(&s[..2]).unwrap();
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn homography_file_errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("tl_track_h_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("h.json");
        std::fs::write(&p, r#"{"pairs": [{"image": [0, 0], "pitch": [0, 0]}]}"#).unwrap();
        let e = read_homography(&p).err().unwrap().0;
        assert!(e.contains("h.json"), "{e}");
        std::fs::write(&p, "{").unwrap();
        assert!(read_homography(&p).err().unwrap().0.contains("h.json"));
        std::fs::write(
            &p,
            r#"{"pairs": [{"image": [0, 0], "pitch": [-40, 20]}, {"image": [800, 0], "pitch": [40, 20]},
                {"image": [800, 400], "pitch": [40, -20]}, {"image": [0, 400], "pitch": [-40, -20]}]}"#,
        )
        .unwrap();
        let (h, rms, n) = read_homography(&p).unwrap();
        assert_eq!(n, 4);
        assert!(rms < 1e-9);
        let q = h.apply([400.0, 200.0]).unwrap();
        assert!(q[0].abs() < 1e-9 && q[1].abs() < 1e-9);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
