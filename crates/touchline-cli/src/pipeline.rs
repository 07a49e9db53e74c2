//! The shared video -> tracks loop of the video subcommands (`analyze-shot`, `track`).
//!
//! ```text
//! clip --touchline-decode (stride / time step)--> Frame
//!      --touchline-detect (YOLOX-nano, ball tiles around the ball tracker's prediction)--> detections
//!      --touchline-track: ByteTracker (people) + BallTracker (ball)--> tracks
//! ```
//!
//! [`run_pipeline`] runs it over a whole clip and returns [`VideoTracks`]: the detections of
//! every processed frame (with track ids), the player tracks, the ball track, timestamps, frame
//! rate and size, the time spent in each stage and, when asked, the decoded frames.
//! [`reread_frames`] decodes chosen frames again when keeping them all would cost too much
//! memory. Errors ([`PipelineError`]) name the clip, the model or the frame; the binary turns
//! them into exit code 2.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use touchline_core::{Detection, Frame, FrameSource, Label, Track, Tracker};
use touchline_decode::{DecodeError, FrameSourceExt, Sampling};
use touchline_detect::{
    DetectError, DetectorConfig, OnnxDetector, ReplayDetector, RoiStats, TileSearch, Tiling,
};
use touchline_track::{
    BallConfig, BallFrame, BallTracker, ByteTrackConfig, ByteTracker, SpeedLimit, TrackError,
};

/// YOLOX-nano relative to the shared assets folder.
pub const DEFAULT_DETECTOR: &str = "models/yolox_nano/yolox_nano.onnx";

/// Which detector produces the detections.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelChoice {
    /// An ONNX YOLOX model file (COCO-80: person -> player, sports ball -> ball).
    Yolox(PathBuf),
    /// Detections replayed from a Touchline detections JSON or COCO results file.
    Replay(PathBuf),
}

impl ModelChoice {
    /// Parses `--model`: `replay:<file>` replays detections, `yolox` (or nothing) is the
    /// shared YOLOX-nano, anything else is the path of a YOLOX ONNX file.
    pub fn parse(arg: Option<&str>) -> Result<ModelChoice, PipelineError> {
        match arg.map(str::trim) {
            None | Some("") | Some("yolox") | Some("yolox-nano") => {
                Ok(ModelChoice::Yolox(shared_asset(DEFAULT_DETECTOR)?))
            }
            Some(s) => match s.strip_prefix("replay:") {
                Some("") => {
                    Err(PipelineError::Options("`replay:` needs a file: replay:<detections.json>".into()))
                }
                Some(p) => Ok(ModelChoice::Replay(PathBuf::from(p))),
                None => Ok(ModelChoice::Yolox(PathBuf::from(s))),
            },
        }
    }

    /// The file behind the choice.
    pub fn path(&self) -> &Path {
        match self {
            ModelChoice::Yolox(p) | ModelChoice::Replay(p) => p,
        }
    }
}

/// Finds a file of the shared assets folder (`shared/` beside the workspace): looked for as
/// `shared/<rel>` and `../shared/<rel>` from the current directory and each of its ancestors,
/// then beside the workspace this binary was built from. The error lists where it looked.
pub fn shared_asset(rel: &str) -> Result<PathBuf, PipelineError> {
    let mut tried = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        for dir in cwd.ancestors() {
            for base in [dir.join("shared"), dir.join("../shared")] {
                let p = base.join(rel);
                if p.is_file() {
                    return Ok(p);
                }
                tried.push(p);
            }
        }
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared").join(rel);
    if built.is_file() {
        return Ok(built);
    }
    tried.push(built);
    Err(PipelineError::AssetMissing { rel: rel.to_string(), tried })
}

/// Which frames of the clip are processed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FrameStep {
    /// Every `n`-th frame (`1` = all).
    Stride(usize),
    /// The first frame at or after each multiple of this many seconds.
    Seconds(f64),
}

/// Frames already decoded, handed out again in order as a [`FrameSource`].
pub struct KeptFrames(std::vec::IntoIter<Frame>);

impl KeptFrames {
    /// The frames, in the order they will come out.
    pub fn new(frames: Vec<Frame>) -> Self {
        KeptFrames(frames.into_iter())
    }
}

impl FrameSource for KeptFrames {
    type Error = DecodeError;
    fn next_frame(&mut self) -> Result<Option<Frame>, DecodeError> {
        Ok(self.0.next())
    }
    fn frame_count_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// A frame source read a few frames ahead, so the detector can run the next frames' full
/// passes on idle sessions ([`OnnxDetector::detect_with_lookahead`]). A decoding error met
/// while reading ahead comes after the frames before it, as from the source itself.
pub struct Peek<S: FrameSource> {
    src: S,
    queue: std::collections::VecDeque<Frame>,
    ahead: usize,
    failed: Option<S::Error>,
}

impl<S: FrameSource> Peek<S> {
    /// Reads `ahead` frames beyond the current one.
    pub fn new(src: S, ahead: usize) -> Self {
        Peek { src, queue: std::collections::VecDeque::new(), ahead, failed: None }
    }

    /// The next frame and the ones already read after it.
    pub fn next(&mut self) -> Result<Option<(Frame, &[Frame])>, S::Error> {
        while self.failed.is_none() && self.queue.len() <= self.ahead {
            match self.src.next_frame() {
                Ok(Some(f)) => self.queue.push_back(f),
                Ok(None) => break,
                Err(e) => self.failed = Some(e),
            }
        }
        match self.queue.pop_front() {
            Some(f) => Ok(Some((f, self.queue.make_contiguous()))),
            None => self.failed.take().map_or(Ok(None), Err),
        }
    }
}

/// MP4 settings of the annotated videos: two encoders side by side on alternate key-frame
/// intervals when there is more than one core (the drawing thread is light, so a single
/// encoder leaves a core idle; see `touchline_render::Mp4Options::encoders`).
pub fn video_options() -> touchline_render::Mp4Options {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    touchline_render::Mp4Options { encoders: cores.clamp(1, 2), threads: 1, ..Default::default() }
}

/// Most detector sessions chosen automatically (each holds a copy of the model).
const AUTO_SESSIONS_MAX: usize = 4;

/// Detector sessions and intra-op threads per session for `--sessions` and `--threads`
/// (`0` = automatic for either): by default one single-threaded session per core (at most
/// four), because a small detector gains almost nothing from a second intra-op thread but
/// nearly doubles its throughput from a second session (docs/benchmarks.md); with only
/// `--threads N`, as many N-thread sessions as fit the cores (at least one).
pub fn session_layout(threads: usize, sessions: usize) -> (usize, usize) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match (threads, sessions) {
        (0, 0) => (cores.clamp(1, AUTO_SESSIONS_MAX), 1),
        (t, 0) => ((cores / t).clamp(1, AUTO_SESSIONS_MAX), t),
        (0, s) => (s, (cores / s).max(1)),
        (t, s) => (s, t),
    }
}

/// Everything [`run_pipeline`] needs.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineOptions {
    /// The video (MP4/H.264, Y4M, or a folder of images).
    pub clip: PathBuf,
    /// The detector.
    pub model: ModelChoice,
    /// Frame sampling. Default every frame.
    pub step: FrameStep,
    /// Extra 416-px tiles for the small ball (searched around the ball tracker's prediction
    /// when it has one). Default on.
    pub ball_tiles: bool,
    /// Which ball tiles run while the ball is lost (see [`TileSearch`]). Default
    /// `Sweep { frames: 32 }`, `touchline track`'s default.
    pub tile_search: TileSearch,
    /// ONNX Runtime intra-op threads per detector session (`0` = automatic, see
    /// [`session_layout`]). Default 0.
    pub threads: usize,
    /// Detector sessions running side by side (`0` = automatic, see [`session_layout`]).
    /// Default 0.
    pub sessions: usize,
    /// Keep the decoded frames in [`VideoTracks::frames`] (memory: width x height x 3 bytes
    /// each). Default off; see [`reread_frames`].
    pub keep_frames: bool,
    /// Fastest plausible ball in frame widths per second (the gate of the ball tracker).
    /// Default 2.5: a 1280-px frame gives 3200 px/s, a hard shot close to a phone camera.
    pub ball_max_speed_widths: f64,
    /// Lowest score of a ball detection passed on to the ball tracker (its speed gate then
    /// chooses). `None` keeps the detector's default (0.25).
    pub ball_min_score: Option<f32>,
    /// People tracker settings.
    pub bytetrack: ByteTrackConfig,
}

impl PipelineOptions {
    /// Defaults for a clip and a detector.
    pub fn new(clip: impl Into<PathBuf>, model: ModelChoice) -> Self {
        PipelineOptions {
            clip: clip.into(),
            model,
            step: FrameStep::Stride(1),
            ball_tiles: true,
            tile_search: Tiling::default().search,
            threads: 0,
            sessions: 0,
            keep_frames: false,
            ball_max_speed_widths: 2.5,
            ball_min_score: None,
            bytetrack: ByteTrackConfig::default(),
        }
    }

    fn sampling(&self) -> Result<Sampling, PipelineError> {
        match self.step {
            FrameStep::Stride(n) if n >= 1 => Ok(Sampling::new().every(n)),
            FrameStep::Seconds(dt) if dt > 0.0 && dt.is_finite() => Ok(Sampling::new().every_seconds(dt)),
            other => Err(PipelineError::Options(format!(
                "frame step {other:?}: a stride must be at least 1, a time step positive"
            ))),
        }
    }
}

/// One processed frame.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameRecord {
    /// Index in the clip (display order).
    pub index: usize,
    /// Presentation time, seconds.
    pub timestamp: f64,
    /// All detections; people carry their `track_id` from the ByteTracker.
    pub detections: Vec<Detection>,
}

/// Wall-clock time per stage, summed over the clip.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct StageTimings {
    /// Model and runtime loading.
    pub load_s: f64,
    /// Waiting for decoded frames: frames are decoded on a second thread while the detector
    /// runs, so this is the part of decoding (and sampling) not hidden behind detection.
    pub decode_s: f64,
    /// Detection (pre-processing, model, post-processing).
    pub detect_s: f64,
    /// People and ball tracking.
    pub track_s: f64,
    /// The whole loop, loading included.
    pub total_s: f64,
    /// Frames processed.
    pub frames: usize,
    /// Model runs (full frame + tiles), 0 for replay.
    pub model_runs: usize,
}

/// What the pipeline found in a clip.
#[derive(Debug, Clone)]
pub struct VideoTracks {
    /// The clip.
    pub clip: PathBuf,
    /// Frame width, pixels.
    pub width: u32,
    /// Frame height, pixels.
    pub height: u32,
    /// The clip's nominal frame rate (not the sampled rate).
    pub fps: f64,
    /// Frames in the clip, if the container says.
    pub clip_frames: Option<usize>,
    /// The processed frames, in order.
    pub records: Vec<FrameRecord>,
    /// Confirmed people tracks (ids from 1).
    pub players: Vec<Track>,
    /// The ball: accepted detections only (id 0, label ball).
    pub ball: Track,
    /// The ball tracker's record of every processed frame (detected / rejected / missing).
    pub ball_frames: Vec<BallFrame>,
    /// The decoded frames, when [`PipelineOptions::keep_frames`] was set; shared, so cloning a
    /// `VideoTracks` (to re-run the ball steps, say) does not copy the pictures.
    pub frames: std::sync::Arc<Vec<Frame>>,
    /// Time per stage.
    pub timings: StageTimings,
    /// Ball-tile search outcomes of the ONNX detector.
    pub roi: Option<RoiStats>,
}

impl VideoTracks {
    /// Timestamps of the processed frames.
    pub fn timestamps(&self) -> Vec<f64> {
        self.records.iter().map(|r| r.timestamp).collect()
    }

    /// Position in [`records`](Self::records) of clip frame `index`.
    pub fn record_of(&self, index: usize) -> Option<usize> {
        self.records.binary_search_by_key(&index, |r| r.index).ok()
    }

    /// The frame rate of the processed frames: the clip's rate over the median index step.
    pub fn sampled_fps(&self) -> f64 {
        let mut steps: Vec<usize> = self.records.windows(2).map(|w| w[1].index - w[0].index).collect();
        steps.sort_unstable();
        match steps.get(steps.len() / 2) {
            Some(&s) if s > 0 => self.fps / s as f64,
            _ => self.fps,
        }
    }
}

/// Why the pipeline stopped.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Bad options.
    #[error("{0}")]
    Options(String),
    /// A shared asset (model) was not found.
    #[error("cannot find shared asset {rel}; looked at: {}", list(tried))]
    AssetMissing {
        /// Path inside `shared/`.
        rel: String,
        /// Every place looked at.
        tried: Vec<PathBuf>,
    },
    /// The clip cannot be opened or decoded.
    #[error("video {}: {source}", clip.display())]
    Decode {
        /// The clip.
        clip: PathBuf,
        /// What went wrong (names the frame or byte).
        source: DecodeError,
    },
    /// The detector cannot be loaded (missing runtime, missing or wrong model file).
    #[error("detector {}: {source}", model.display())]
    Model {
        /// The model or replay file.
        model: PathBuf,
        /// What went wrong.
        source: DetectError,
    },
    /// Detection failed on a frame.
    #[error("detection on frame {frame} of {}: {source}", clip.display())]
    Detect {
        /// The clip.
        clip: PathBuf,
        /// Frame index.
        frame: usize,
        /// What went wrong.
        source: DetectError,
    },
    /// Tracking refused a frame.
    #[error("tracking at frame {frame} of {}: {source}", clip.display())]
    Track {
        /// The clip.
        clip: PathBuf,
        /// Frame index.
        frame: usize,
        /// What went wrong.
        source: TrackError,
    },
    /// The clip has no frame (or none was kept by the sampling).
    #[error("video {}: no frames to process", clip.display())]
    Empty {
        /// The clip.
        clip: PathBuf,
    },
}

fn list(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// A progress bar on stderr, drawn only when stderr is a terminal and not `quiet`.
pub fn progress_bar(len: Option<u64>, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed}] {bar:24} {pos}/{len} frames {per_sec} {msg}")
    {
        bar.set_style(style);
    }
    bar
}

enum AnyDetector {
    Onnx(Box<OnnxDetector>),
    Replay(ReplayDetector),
}

impl AnyDetector {
    fn load(opts: &PipelineOptions) -> Result<AnyDetector, PipelineError> {
        let model_err = |source| PipelineError::Model { model: opts.model.path().to_path_buf(), source };
        match &opts.model {
            ModelChoice::Yolox(path) => {
                let mut cfg = DetectorConfig::yolox();
                (cfg.sessions, cfg.intra_threads) = session_layout(opts.threads, opts.sessions);
                if let Some(t) = opts.ball_min_score {
                    cfg.thresholds = cfg.thresholds.clone().with(Label::Ball, t);
                }
                cfg.tiling =
                    opts.ball_tiles.then(|| Tiling { search: opts.tile_search, ..Tiling::default() });
                Ok(AnyDetector::Onnx(Box::new(OnnxDetector::new(path, cfg).map_err(model_err)?)))
            }
            ModelChoice::Replay(path) => {
                Ok(AnyDetector::Replay(ReplayDetector::open(path).map_err(model_err)?))
            }
        }
    }

    fn detect(
        &mut self,
        frame: &Frame,
        hint: Option<[f32; 2]>,
        next: &[Frame],
    ) -> Result<Vec<Detection>, DetectError> {
        match self {
            AnyDetector::Onnx(d) => d.detect_with_lookahead(frame, hint, next),
            AnyDetector::Replay(d) => touchline_core::Detector::detect(d, frame),
        }
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
}

/// Runs decode -> detect -> track over the clip. `bar` (see [`progress_bar`]) gets its length
/// set from the container's frame count and one tick per processed frame.
pub fn run_pipeline(opts: &PipelineOptions, bar: &ProgressBar) -> Result<VideoTracks, PipelineError> {
    let start = Instant::now();
    let clip = opts.clip.clone();
    let dec_err = |source| PipelineError::Decode { clip: clip.clone(), source };
    if !(opts.ball_max_speed_widths > 0.0 && opts.ball_max_speed_widths.is_finite()) {
        return Err(PipelineError::Options(format!(
            "ball_max_speed_widths must be positive, got {}",
            opts.ball_max_speed_widths
        )));
    }
    let sampling = opts.sampling()?;
    let source = touchline_decode::open(&opts.clip).map_err(dec_err)?;
    let info = source.info().map_err(dec_err)?;
    let fps = info.fps.filter(|f| *f > 0.0 && f.is_finite()).unwrap_or(25.0);
    // Frames are decoded on a second thread, a few ahead of the detector; the first decode
    // error ends the stream and is returned below.
    drop(source);
    let decoded = touchline_decode::ReadAhead::open(&opts.clip, sampling, 4).map_err(dec_err)?;
    let track_err = |frame, source| PipelineError::Track { clip: clip.clone(), frame, source };
    let mut people = ByteTracker::new(opts.bytetrack.clone()).map_err(|e| track_err(0, e))?;
    let ball_cfg = BallConfig {
        max_speed: SpeedLimit::PixelsPerSecond(opts.ball_max_speed_widths * f64::from(info.width.max(1))),
        ..BallConfig::default()
    };
    let mut ball = BallTracker::new(ball_cfg).map_err(|e| track_err(0, e))?;
    let mut detector = AnyDetector::load(opts)?;
    let mut frames_in = Peek::new(decoded, detector.lookahead());
    let mut timings = StageTimings { load_s: start.elapsed().as_secs_f64(), ..StageTimings::default() };
    if let Some(n) = info.frame_count {
        let kept = match opts.step {
            FrameStep::Stride(s) => n.div_ceil(s.max(1)),
            FrameStep::Seconds(dt) => ((n as f64 / fps) / dt).ceil() as usize,
        };
        bar.set_length(kept as u64);
    }

    let (mut t_decode, mut t_detect, mut t_track) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut records = Vec::new();
    let mut frames = Vec::new();
    let mut size = (info.width, info.height);
    loop {
        let t0 = Instant::now();
        let Some((frame, next)) = frames_in.next().map_err(dec_err)? else { break };
        let t1 = Instant::now();
        size = frame.size();
        let hint = ball.predict(frame.timestamp).map(|[x, y]| [x as f32, y as f32]);
        let dets = detector.detect(&frame, hint, next).map_err(|source| PipelineError::Detect {
            clip: clip.clone(),
            frame: frame.index,
            source,
        })?;
        let t2 = Instant::now();
        let (balls, others): (Vec<Detection>, Vec<Detection>) =
            dets.into_iter().partition(|d| d.label == Label::Ball);
        let mut tracked =
            people.update(frame.index, frame.timestamp, &others).map_err(|e| track_err(frame.index, e))?;
        ball.update(frame.index, frame.timestamp, &balls).map_err(|e| track_err(frame.index, e))?;
        tracked.extend(balls);
        t_track += t2.elapsed();
        t_decode += t1 - t0;
        t_detect += t2 - t1;
        records.push(FrameRecord { index: frame.index, timestamp: frame.timestamp, detections: tracked });
        if opts.keep_frames {
            frames.push(frame);
        }
        bar.inc(1);
    }
    drop(frames_in);
    if records.is_empty() {
        return Err(PipelineError::Empty { clip });
    }
    let (model_runs, roi) = match &detector {
        AnyDetector::Onnx(d) => (d.stage_times().runs, Some(d.roi_stats())),
        AnyDetector::Replay(_) => (0, None),
    };
    timings.decode_s = t_decode.as_secs_f64();
    timings.detect_s = t_detect.as_secs_f64();
    timings.track_s = t_track.as_secs_f64();
    timings.frames = records.len();
    timings.model_runs = model_runs;
    timings.total_s = start.elapsed().as_secs_f64();
    Ok(VideoTracks {
        clip: opts.clip.clone(),
        width: size.0,
        height: size.1,
        fps,
        clip_frames: info.frame_count,
        records,
        players: people.tracks(),
        ball: ball.track(),
        ball_frames: ball.frames().to_vec(),
        frames: std::sync::Arc::new(frames),
        timings,
        roi,
    })
}

/// The processed frames of a [`VideoTracks`] in order, from memory when the pipeline kept them
/// ([`PipelineOptions::keep_frames`]), else decoded again up to the last one wanted.
pub enum FrameFeed<'a> {
    /// Kept frames.
    Memory(std::vec::IntoIter<&'a Frame>),
    /// A second decoding pass.
    Decode {
        /// The decoder.
        src: Box<touchline_decode::Sampler<touchline_decode::VideoSource>>,
        /// Clip frames wanted.
        wanted: BTreeSet<usize>,
        /// For errors.
        clip: PathBuf,
    },
}

impl<'a> FrameFeed<'a> {
    /// The frames of `v` whose clip index is in `wanted` (all processed frames when `None`).
    pub fn new(v: &'a VideoTracks, wanted: Option<&BTreeSet<usize>>) -> Result<FrameFeed<'a>, PipelineError> {
        let all: BTreeSet<usize> = v.records.iter().map(|r| r.index).collect();
        let wanted = wanted.cloned().unwrap_or(all);
        if !v.frames.is_empty() {
            let kept: Vec<&Frame> = v.frames.iter().filter(|f| wanted.contains(&f.index)).collect();
            if kept.len() == wanted.len() {
                return Ok(FrameFeed::Memory(kept.into_iter()));
            }
        }
        let dec_err = |source| PipelineError::Decode { clip: v.clip.clone(), source };
        let last = wanted.last().copied().unwrap_or(0);
        let src = touchline_decode::open(&v.clip)
            .map_err(dec_err)?
            .sample(Sampling::new().end_frame(last + 1))
            .map_err(dec_err)?;
        Ok(FrameFeed::Decode { src: Box::new(src), wanted, clip: v.clip.clone() })
    }

    /// The next wanted frame.
    pub fn next_frame(&mut self) -> Result<Option<std::borrow::Cow<'a, Frame>>, PipelineError> {
        match self {
            FrameFeed::Memory(it) => Ok(it.next().map(std::borrow::Cow::Borrowed)),
            FrameFeed::Decode { src, wanted, clip } => loop {
                let f = src
                    .next_frame()
                    .map_err(|source| PipelineError::Decode { clip: clip.clone(), source })?;
                match f {
                    Some(f) if wanted.contains(&f.index) => return Ok(Some(std::borrow::Cow::Owned(f))),
                    Some(_) => continue,
                    None => return Ok(None),
                }
            },
        }
    }
}

/// The frames of `v` at the clip indices `wanted` (from memory when kept, else decoded again);
/// an error names the frames the clip does not have.
pub fn frames_at(v: &VideoTracks, wanted: &BTreeSet<usize>) -> Result<Vec<Frame>, PipelineError> {
    Ok(frames_ref(v, wanted)?.into_iter().map(std::borrow::Cow::into_owned).collect())
}

/// [`frames_at`] without copying kept frames: borrowed from memory when the pipeline kept them,
/// else decoded again.
pub fn frames_ref<'a>(
    v: &'a VideoTracks,
    wanted: &BTreeSet<usize>,
) -> Result<Vec<std::borrow::Cow<'a, Frame>>, PipelineError> {
    if !v.frames.is_empty() {
        let kept: Vec<&Frame> = v.frames.iter().filter(|f| wanted.contains(&f.index)).collect();
        if kept.len() == wanted.len() {
            return Ok(kept.into_iter().map(std::borrow::Cow::Borrowed).collect());
        }
    }
    Ok(reread_frames(&v.clip, wanted)?.into_iter().map(std::borrow::Cow::Owned).collect())
}

/// Decodes `clip` again and returns the frames whose index is in `wanted`, in order (reading
/// stops after the last one). A wanted index past the end of the clip is an error naming it.
pub fn reread_frames(clip: &Path, wanted: &BTreeSet<usize>) -> Result<Vec<Frame>, PipelineError> {
    let dec_err = |source| PipelineError::Decode { clip: clip.to_path_buf(), source };
    let Some(&last) = wanted.last() else { return Ok(Vec::new()) };
    let mut source = touchline_decode::open(clip)
        .map_err(dec_err)?
        .sample(Sampling::new().end_frame(last + 1))
        .map_err(dec_err)?;
    let mut out = Vec::with_capacity(wanted.len());
    while let Some(f) = source.next_frame().map_err(dec_err)? {
        if wanted.contains(&f.index) {
            out.push(f);
        }
    }
    if out.len() != wanted.len() {
        let missing: Vec<usize> =
            wanted.iter().copied().filter(|i| !out.iter().any(|f| f.index == *i)).collect();
        return Err(PipelineError::Options(format!(
            "video {}: frames {missing:?} not in the clip",
            clip.display()
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_choice_parses_replay_and_paths() {
        assert_eq!(
            ModelChoice::parse(Some("replay:dets.json")).unwrap(),
            ModelChoice::Replay("dets.json".into())
        );
        assert!(ModelChoice::parse(Some("replay:")).is_err());
        assert_eq!(ModelChoice::parse(Some("m.onnx")).unwrap(), ModelChoice::Yolox("m.onnx".into()));
        let default = ModelChoice::parse(None).unwrap();
        assert!(default.path().is_file(), "missing test asset {:?}", default.path());
    }

    #[test]
    fn penalty_clip_every_fifth_frame() {
        let clip =
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/videos/soccer_penalty_lampard_goal.mp4");
        assert!(Path::new(clip).exists(), "missing test asset {clip}");
        let mut o = PipelineOptions::new(clip, ModelChoice::parse(None).unwrap());
        o.step = FrameStep::Stride(5);
        o.keep_frames = true;
        let v = run_pipeline(&o, &ProgressBar::hidden()).unwrap();
        assert_eq!((v.width, v.height, v.fps, v.clip_frames), (1280, 720, 30.0, Some(105)));
        assert_eq!(v.records.len(), 21);
        assert_eq!(v.records[3].index, 15);
        assert_eq!(v.frames.len(), 21);
        assert!((v.sampled_fps() - 6.0).abs() < 1e-9);
        // The shooter and the keeper at least, each seen in most frames.
        assert!(v.players.iter().filter(|t| t.points.len() >= 10).count() >= 2, "{:?}", v.players.len());
        assert!(v.ball.points.len() >= 5, "ball in {} of 21 frames", v.ball.points.len());
        assert_eq!(v.timings.frames, 21);
        assert!(v.timings.detect_s > 0.0 && v.timings.total_s >= v.timings.detect_s);
        let again = reread_frames(Path::new(clip), &BTreeSet::from([15, 16])).unwrap();
        assert_eq!(again[0].image, v.frames[3].image);
        assert_eq!(again[1].index, 16);
        assert!(reread_frames(Path::new(clip), &BTreeSet::from([500])).is_err());
    }

    #[test]
    fn bad_step_and_missing_clip_are_typed_errors() {
        let mut o = PipelineOptions::new("/nonexistent/clip.mp4", ModelChoice::Replay("x.json".into()));
        o.step = FrameStep::Stride(0);
        assert!(matches!(run_pipeline(&o, &ProgressBar::hidden()), Err(PipelineError::Options(_))));
        o.step = FrameStep::Seconds(f64::NAN);
        assert!(matches!(run_pipeline(&o, &ProgressBar::hidden()), Err(PipelineError::Options(_))));
        o.step = FrameStep::Stride(1);
        let e = run_pipeline(&o, &ProgressBar::hidden()).unwrap_err();
        assert!(matches!(e, PipelineError::Decode { .. }));
        assert!(e.to_string().contains("/nonexistent/clip.mp4"), "{e}");
    }

    /// A clip cut in half (this one's index is at the end, so opening it fails before the
    /// decoding thread starts): a typed error naming the clip, no panic, no hang.
    #[test]
    fn truncated_clip_is_a_decode_error() {
        let src =
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/videos/soccer_penalty_lampard_goal.mp4");
        assert!(Path::new(src).exists(), "missing test asset {src}");
        let bytes = std::fs::read(src).unwrap();
        let dir = std::env::temp_dir().join(format!("tl_pipeline_trunc_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let clip = dir.join("half.mp4");
        std::fs::write(&clip, &bytes[..bytes.len() / 2]).unwrap();
        let dets = dir.join("none.json");
        std::fs::write(&dets, "[]").unwrap();
        let o = PipelineOptions::new(&clip, ModelChoice::Replay(dets));
        let e = run_pipeline(&o, &ProgressBar::hidden()).unwrap_err();
        assert!(matches!(e, PipelineError::Decode { .. }), "{e}");
        assert!(e.to_string().contains("half.mp4"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A Y4M whose third frame is cut short: the header opens, the decoding thread delivers two
    /// frames and then its error, which comes back typed and naming the clip and the frame.
    #[test]
    fn error_in_the_decoding_thread_comes_back() {
        let dir = std::env::temp_dir().join(format!("tl_pipeline_y4m_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut bytes = Vec::new();
        let mut w = touchline_decode::Y4mWriter::new(&mut bytes, 32, 16, 25, 1).unwrap();
        for k in 0..3u8 {
            w.write_frame(&image::RgbImage::from_pixel(32, 16, image::Rgb([k * 60, 90, 30]))).unwrap();
        }
        drop(w);
        let clip = dir.join("cut.y4m");
        std::fs::write(&clip, &bytes[..bytes.len() - 100]).unwrap();
        let dets = dir.join("none.json");
        std::fs::write(&dets, "[]").unwrap();
        let o = PipelineOptions::new(&clip, ModelChoice::Replay(dets));
        let e = run_pipeline(&o, &ProgressBar::hidden()).unwrap_err();
        assert!(matches!(e, PipelineError::Decode { .. }), "{e}");
        let msg = e.to_string();
        assert!(msg.contains("cut.y4m") && msg.contains("frame 2"), "{msg}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
