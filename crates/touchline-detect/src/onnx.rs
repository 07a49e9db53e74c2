//! [`OnnxDetector`]: YOLOX and RTMDet over ONNX Runtime, with sliced (tiled) inference for
//! small balls.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use touchline_core::{Detection, Detector, Frame, Label};
use touchline_onnx::ort;
use touchline_onnx::{Dim, ElemType, ModelContract, OnnxModel, SessionConfig, TensorSpec};

use crate::DetectError;
use crate::classes::{ClassMap, Thresholds};
use crate::nms::{Raw, clamp_box, nms, nms_raw};
use crate::preprocess::{Norm, Region, letterbox_into};

/// The model families [`OnnxDetector`] can decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// YOLOX (Megvii) exported with the decode head off: one input `images` `[1,3,S,S]`, BGR
    /// 0..255, top-left letterbox padded with 114; one output `output` `[1, cells, 5 + classes]`
    /// over grids of strides 8, 16, 32. Per-class NMS done here.
    YoloX,
    /// RTMDet (OpenMMLab, mmdeploy end2end export): input `input` `[B,3,H,W]`, BGR normalised
    /// with mean (103.53, 116.28, 123.675) and std (57.375, 57.12, 58.395); outputs `dets`
    /// `[B,N,5]` (corners and score) and `labels` `[B,N]`, NMS inside the graph.
    RtmDet,
}

/// Sliced inference: extra passes over overlapping tiles at native resolution for small
/// objects (the ball), merged with the full-frame pass by NMS.
///
/// Per frame, for a detector fed the frames of a video in order:
///
/// 1. the full frame runs (always);
/// 2. if [`skip_score`](Self::skip_score) is set and the full frame found every tiled label
///    with at least that score, no tile runs;
/// 3. else, with a ball hint and [`roi`](Self::roi), the one tile around the hint runs; if
///    neither it nor the full frame found a tiled label, all tiles run when the previous frame
///    found one ([`first_miss_all`](Self::first_miss_all)), else the frame falls back to step 4;
/// 4. else the tiles that [`search`](Self::search) picks for this frame run (all of them with
///    [`TileSearch::All`], a share of them with the rationed policies).
#[derive(Debug, Clone, PartialEq)]
pub struct Tiling {
    /// Tile side in frame pixels (a tile equal to the model input size runs unscaled).
    pub tile: u32,
    /// Overlap between neighbouring tiles, as a fraction of the tile (`0..0.9`).
    pub overlap: f32,
    /// Labels taken from the tiles (others come from the full frame only).
    pub labels: Vec<Label>,
    /// Given a ball hint, search only the tile around it and fall back to
    /// [`search`](Self::search) when neither that tile nor the full frame found anything of
    /// `labels`.
    pub roi: bool,
    /// Which tiles run on a frame without a usable hint (or after a missed hint).
    pub search: TileSearch,
    /// When a hinted frame misses right after a frame that found one of `labels` (the ball
    /// just left the predicted spot: a kick, a deflection), search all tiles on that frame
    /// instead of [`search`](Self::search)'s share; later misses use `search`.
    pub first_miss_all: bool,
    /// Skip the tiles of a frame where the full-frame pass found each of `labels` with at
    /// least this score (meant for the one ball; leave `None` when players are tiled).
    pub skip_score: Option<f32>,
}

impl Default for Tiling {
    /// 416 px tiles, 25 % overlap, ball only, ROI search on; while the ball is lost each tile
    /// runs once in 32 frames ([`TileSearch::Sweep`]: one tile on one frame in four on 720p),
    /// all tiles on the first miss after a find, no tiles when the full frame already holds a
    /// ball scoring 0.5 or more. Measured on two 720p clips (`docs/detection.md`): 2.6 model
    /// runs per frame instead of 4.05 on a penalty with the same ball track, 1.27 instead of
    /// 9.5 on an NBA broadcast where the ball is rarely found.
    fn default() -> Self {
        Tiling {
            tile: 416,
            overlap: 0.25,
            labels: vec![Label::Ball],
            roi: true,
            search: TileSearch::Sweep { frames: 32 },
            first_miss_all: true,
            skip_score: Some(0.5),
        }
    }
}

impl Tiling {
    /// Every tile on every frame without a hint, never skipped: the most recall (9 model runs
    /// per 720p frame while the ball is lost), the behaviour before rationing.
    pub fn exhaustive() -> Self {
        Tiling { search: TileSearch::All, skip_score: None, first_miss_all: false, ..Tiling::default() }
    }
}

/// Which of a frame's tiles ([`tile_regions`] order) run when the ball is not where the hint
/// said, or there is no hint: the re-acquisition search.
///
/// Frames are counted per detector (`seq`, from 0, one per frame passed to it); the first
/// frame always searches all tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileSearch {
    /// All tiles on every such frame.
    All,
    /// Each tile once every `frames` frames, spread evenly: with `frames` up to the number of
    /// tiles, `tiles / frames` tiles per frame, those of one frame spread over the picture
    /// (tile `i` runs when `i % frames == seq % frames`: one column of a 4 x 2 grid with
    /// `frames` 4); with more frames than tiles, one tile on some frames and none on the
    /// others (tile `i` runs when `seq % frames == i * frames / tiles`).
    Sweep {
        /// Frames per full sweep (at least 1; 1 is [`TileSearch::All`]).
        frames: usize,
    },
    /// All tiles on one frame in `n` (`seq % n == 0`), none on the others.
    Every {
        /// Period in frames (at least 1; 1 is [`TileSearch::All`]).
        n: usize,
    },
}

impl std::str::FromStr for TileSearch {
    type Err = DetectError;

    /// `all`, `sweep:N` or `every:N` (N at least 1; case and spaces ignored).
    ///
    /// ```
    /// use touchline_detect::TileSearch;
    /// assert_eq!("sweep:32".parse::<TileSearch>()?, TileSearch::Sweep { frames: 32 });
    /// assert_eq!(" ALL ".parse::<TileSearch>()?, TileSearch::All);
    /// assert_eq!("every:4".parse::<TileSearch>()?, TileSearch::Every { n: 4 });
    /// assert!("sweep:0".parse::<TileSearch>().is_err() && "most".parse::<TileSearch>().is_err());
    /// # Ok::<(), touchline_detect::DetectError>(())
    /// ```
    fn from_str(s: &str) -> Result<Self, DetectError> {
        let s = s.trim().to_ascii_lowercase();
        let num = |v: &str| v.trim().parse::<usize>().ok().filter(|n| *n >= 1);
        let bad = || DetectError::Config {
            name: "tile search",
            reason: format!("{s:?}: use all, sweep:N or every:N (N at least 1)"),
        };
        match s.split_once(':') {
            None if s == "all" => Ok(TileSearch::All),
            Some(("sweep", k)) => num(k).map(|frames| TileSearch::Sweep { frames }).ok_or_else(bad),
            Some(("every", n)) => num(n).map(|n| TileSearch::Every { n }).ok_or_else(bad),
            _ => Err(bad()),
        }
    }
}

impl TileSearch {
    /// Indices of the tiles (out of `tiles`) searched on the `seq`-th frame.
    ///
    /// ```
    /// use touchline_detect::TileSearch;
    /// let s = TileSearch::Sweep { frames: 4 };
    /// assert_eq!(s.tiles_for(0, 8), (0..8).collect::<Vec<_>>()); // first frame: all
    /// assert_eq!(s.tiles_for(1, 8), [1, 5]);
    /// assert_eq!(s.tiles_for(4, 8), [0, 4]);
    /// assert_eq!(TileSearch::Sweep { frames: 16 }.tiles_for(6, 8), [3]);
    /// assert_eq!(TileSearch::Sweep { frames: 16 }.tiles_for(7, 8), Vec::<usize>::new());
    /// assert_eq!(TileSearch::Every { n: 3 }.tiles_for(4, 8), Vec::<usize>::new());
    /// ```
    pub fn tiles_for(&self, seq: usize, tiles: usize) -> Vec<usize> {
        match *self {
            _ if seq == 0 => (0..tiles).collect(),
            TileSearch::All => (0..tiles).collect(),
            TileSearch::Sweep { frames } => {
                let n = frames.max(1);
                let slot = seq % n;
                if n <= tiles {
                    (0..tiles).filter(|i| i % n == slot).collect()
                } else {
                    (0..tiles).filter(|i| i * n / tiles == slot).collect()
                }
            }
            TileSearch::Every { n } => {
                if seq.is_multiple_of(n.max(1)) {
                    (0..tiles).collect()
                } else {
                    Vec::new()
                }
            }
        }
    }

    fn validate(&self) -> Result<(), String> {
        match *self {
            TileSearch::Sweep { frames: 0 } => Err("Sweep { frames: 0 }: must be at least 1".into()),
            TileSearch::Every { n: 0 } => Err("Every { n: 0 }: must be at least 1".into()),
            _ => Ok(()),
        }
    }
}

/// Everything an [`OnnxDetector`] is configured with.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorConfig {
    /// How to pre- and post-process.
    pub kind: ModelKind,
    /// Square model input side (YOLOX-nano 416, RTMDet-nano 320 or 640).
    pub input_size: u32,
    /// Model class id -> label (dropped classes cost nothing in decoding).
    pub classes: ClassMap,
    /// Minimum score per label.
    pub thresholds: Thresholds,
    /// IoU above which NMS suppresses a box of the same class (model-level) or label (merge).
    pub nms_iou: f32,
    /// ONNX Runtime intra-op threads per session (`0` = one per physical core).
    pub intra_threads: usize,
    /// Independent ONNX Runtime sessions (copies of the model) that run the views of a call
    /// (a frame's full pass and its tiles, several frames of a batch) side by side, one thread
    /// each. Small models such as YOLOX-nano gain little from intra-op threads (measured here:
    /// 18 ms per run on one thread, 20-22 ms on two) but almost twice the throughput from two
    /// sessions on two cores. With more than one session and [`Tiling::skip_score`] set, the
    /// tiles of a frame run beside its full pass *before* it is known whether they are needed;
    /// tiles of a frame whose full pass turns out confident are dropped, so the detections are
    /// the same as with one session, at the cost of some wasted runs. Default 1.
    pub sessions: usize,
    /// Most images per model run when the model takes a dynamic batch.
    pub max_batch: usize,
    /// Most detections kept per image region after NMS.
    pub max_detections: usize,
    /// Sliced inference, `None` = full frame only.
    pub tiling: Option<Tiling>,
}

impl DetectorConfig {
    /// YOLOX-nano on COCO-80: 416 input, person -> player, sports ball -> ball, NMS IoU 0.45,
    /// default thresholds, tiling on.
    pub fn yolox() -> Self {
        DetectorConfig {
            kind: ModelKind::YoloX,
            input_size: 416,
            classes: ClassMap::coco_sports(),
            thresholds: Thresholds::default(),
            nms_iou: 0.45,
            intra_threads: 0,
            sessions: 1,
            max_batch: 8,
            max_detections: 300,
            tiling: Some(Tiling::default()),
        }
    }

    /// RTMDet-nano person detector: 320 input, person -> player, no tiling.
    pub fn rtmdet() -> Self {
        DetectorConfig {
            kind: ModelKind::RtmDet,
            input_size: 320,
            classes: ClassMap::person_only(),
            thresholds: Thresholds::default(),
            nms_iou: 0.45,
            intra_threads: 0,
            sessions: 1,
            max_batch: 8,
            max_detections: 100,
            tiling: None,
        }
    }

    /// Same configuration without tiling.
    pub fn without_tiling(mut self) -> Self {
        self.tiling = None;
        self
    }

    fn validate(&self) -> Result<(), DetectError> {
        let bad = |name: &'static str, reason: String| Err(DetectError::Config { name, reason });
        if !(32..=4096).contains(&self.input_size) {
            return bad("input_size", format!("{} outside 32..=4096", self.input_size));
        }
        if self.kind == ModelKind::YoloX && !self.input_size.is_multiple_of(32) {
            return bad("input_size", format!("{} is not a multiple of 32 (YOLOX strides)", self.input_size));
        }
        if !(0.0..=1.0).contains(&self.nms_iou) {
            return bad("nms_iou", format!("{} outside 0..=1", self.nms_iou));
        }
        if self.max_batch == 0 || self.max_detections == 0 {
            return bad("max_batch/max_detections", "must be at least 1".into());
        }
        if !(1..=MAX_SESSIONS).contains(&self.sessions) {
            return bad("sessions", format!("{} outside 1..={MAX_SESSIONS}", self.sessions));
        }
        if self.classes.is_empty() {
            return bad("classes", "no classes".into());
        }
        if let Err(reason) = self.thresholds.validate() {
            return bad("thresholds", reason);
        }
        if let Some(t) = &self.tiling {
            if !(32..=8192).contains(&t.tile) {
                return bad("tiling.tile", format!("{} outside 32..=8192", t.tile));
            }
            if !(0.0..0.9).contains(&t.overlap) {
                return bad("tiling.overlap", format!("{} outside 0..0.9", t.overlap));
            }
            if let Err(reason) = t.search.validate() {
                return bad("tiling.search", reason);
            }
            if let Some(v) = t.skip_score
                && !(0.0..=1.0).contains(&v)
            {
                return bad("tiling.skip_score", format!("{v} outside 0..=1"));
            }
        }
        Ok(())
    }

    fn contract(&self) -> ModelContract {
        let s = i64::from(self.input_size);
        match self.kind {
            ModelKind::YoloX => {
                let g = |stride: i64| (s / stride) * (s / stride);
                let cells = g(8) + g(16) + g(32);
                let width = 5 + self.classes.len() as i64;
                ModelContract::new(
                    vec![TensorSpec::new(
                        "images",
                        ElemType::F32,
                        [Dim::Any, Dim::Fixed(3), Dim::Fixed(s), Dim::Fixed(s)],
                    )],
                    vec![TensorSpec::new(
                        "output",
                        ElemType::F32,
                        [Dim::Any, Dim::Fixed(cells), Dim::Fixed(width)],
                    )],
                )
            }
            ModelKind::RtmDet => ModelContract::new(
                vec![TensorSpec::new(
                    "input",
                    ElemType::F32,
                    [Dim::Any, Dim::Fixed(3), Dim::Fixed(s), Dim::Fixed(s)],
                )],
                vec![
                    TensorSpec::new("dets", ElemType::F32, [Dim::Any, Dim::Any, Dim::Fixed(5)]),
                    TensorSpec::new("labels", ElemType::I64, [Dim::Any, Dim::Any]),
                ],
            ),
        }
    }

    fn norm(&self) -> Norm {
        match self.kind {
            ModelKind::YoloX => Norm { bgr: true, mean: [0.0; 3], std: [1.0; 3], pad: 114.0 },
            ModelKind::RtmDet => {
                Norm { bgr: true, mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395], pad: 114.0 }
            }
        }
    }
}

/// Most sessions one [`OnnxDetector`] may hold.
pub const MAX_SESSIONS: usize = 64;

/// Time spent per stage, summed over calls since the last reset (and over sessions when
/// [`DetectorConfig::sessions`] runs several side by side, so the sum can exceed wall time).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimes {
    /// Letterboxing and normalising into the input tensor.
    pub preprocess: Duration,
    /// ONNX Runtime `run`.
    pub model: Duration,
    /// Decoding, NMS, label mapping, merging tiles.
    pub postprocess: Duration,
    /// Model runs (one per batch).
    pub runs: usize,
    /// Image regions (full frames and tiles) processed.
    pub regions: usize,
    /// Frames processed.
    pub frames: usize,
}

impl StageTimes {
    fn add(&mut self, o: &StageTimes) {
        self.preprocess += o.preprocess;
        self.model += o.model;
        self.postprocess += o.postprocess;
        self.runs += o.runs;
        self.regions += o.regions;
        self.frames += o.frames;
    }
}

/// How the tiles fared (see [`Tiling`]), counted in frames.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoiStats {
    /// Hinted frames where the tile around the hint found one of the tiled labels.
    pub hits: usize,
    /// Hinted frames where only the full-frame pass found it (no further tiles run).
    pub full_frame: usize,
    /// Hinted frames where neither did, so the [`Tiling::search`] tiles ran.
    pub fallbacks: usize,
    /// Frames whose tiles were skipped because the full frame held a confident one
    /// ([`Tiling::skip_score`]); hinted or not.
    pub skipped: usize,
    /// Frames where [`Tiling::search`] picked tiles (no hint, or a fallback).
    pub searches: usize,
    /// Tiles those searches ran.
    pub search_tiles: usize,
}

/// Tiles of side `tile` covering a `width` x `height` frame with at least `overlap` (fraction)
/// between neighbours, spread evenly; a side shorter than `tile` gets one tile of that side.
///
/// ```
/// use touchline_detect::tile_regions;
/// let t = tile_regions(1280, 720, 416, 0.25);
/// assert_eq!(t.len(), 4 * 2);
/// assert_eq!((t[0].x, t[0].y, t[0].w), (0, 0, 416));
/// assert_eq!(t.last().map(|r| (r.x + r.w, r.y + r.h)), Some((1280, 720)));
/// ```
pub fn tile_regions(width: u32, height: u32, tile: u32, overlap: f32) -> Vec<Region> {
    let starts = |n: u32| -> (Vec<u32>, u32) {
        if n <= tile || tile == 0 {
            return (vec![0], n);
        }
        let step = ((tile as f32 * (1.0 - overlap.clamp(0.0, 0.9))).floor() as u32).max(1);
        let count = (n - tile).div_ceil(step) + 1;
        let span = n - tile;
        let v = (0..count).map(|i| (u64::from(span) * u64::from(i) / u64::from(count - 1)) as u32).collect();
        (v, tile)
    };
    let (xs, tw) = starts(width);
    let (ys, th) = starts(height);
    ys.iter().flat_map(|&y| xs.iter().map(move |&x| Region { x, y, w: tw, h: th })).collect()
}

/// The tile of side `tile` centred on `hint`, kept inside the frame.
fn roi_region(hint: [f32; 2], width: u32, height: u32, tile: u32) -> Region {
    let place = |c: f32, n: u32| -> (u32, u32) {
        if n <= tile {
            return (0, n);
        }
        let max = (n - tile) as f32;
        ((c - tile as f32 / 2.0).clamp(0.0, max) as u32, tile)
    };
    let (x, w) = place(hint[0], width);
    let (y, h) = place(hint[1], height);
    Region { x, y, w, h }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Full,
    Tile,
}

#[derive(Debug, Clone, Copy)]
struct View {
    frame: usize,
    region: Region,
    pass: Pass,
}

/// A [`Detector`] running an ONNX model (see [`ModelKind`]) through `touchline-onnx`.
///
/// ```
/// use touchline_core::{Detector, Frame, Label};
/// use touchline_detect::{DetectorConfig, OnnxDetector};
/// let model = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/models/yolox_nano/yolox_nano.onnx");
/// let mut config = DetectorConfig::yolox().without_tiling();
/// config.intra_threads = 1;
/// let mut det = OnnxDetector::new(model, config)?;
/// // A flat grey frame holds nothing.
/// let frame = Frame::new(0, 0.0, image::RgbImage::from_pixel(640, 360, image::Rgb([90, 90, 90])));
/// assert!(det.detect(&frame)?.iter().all(|d| d.label != Label::Ball));
/// # Ok::<(), touchline_detect::DetectError>(())
/// ```
#[derive(Debug)]
pub struct OnnxDetector {
    workers: Vec<Worker>,
    config: DetectorConfig,
    norm: Norm,
    dynamic_batch: bool,
    hint: Option<[f32; 2]>,
    seq: usize,
    found_last: bool,
    /// Full-frame passes run ahead ([`OnnxDetector::detect_with_lookahead`]).
    ahead: Vec<Ahead>,
    times: StageTimes,
    roi: RoiStats,
}

impl OnnxDetector {
    /// Loads the model at `path` and checks it fits `config.kind` and `config.input_size`.
    ///
    /// Errors: [`DetectError::Config`] for invalid settings; [`DetectError::Onnx`] for a missing
    /// runtime, a missing or corrupt model file, or a model with other inputs/outputs.
    pub fn new(path: impl AsRef<Path>, config: DetectorConfig) -> Result<Self, DetectError> {
        config.validate()?;
        let path = path.as_ref();
        let session = SessionConfig::default().intra_threads(config.intra_threads);
        let contract = config.contract();
        // The sessions load side by side (graph optimisation takes most of a load).
        let load =
            || OnnxModel::load(path, &contract, &session).map(|model| Worker { model, buf: Vec::new() });
        let loaded: Vec<Result<Worker, touchline_onnx::OnnxError>> = std::thread::scope(|s| {
            let handles: Vec<_> = (1..config.sessions).map(|_| s.spawn(load)).collect();
            let first = load();
            std::iter::once(first)
                .chain(handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))))
                .collect()
        });
        let workers = loaded.into_iter().collect::<Result<Vec<_>, _>>()?;
        let dynamic_batch =
            workers[0].model.inputs().first().and_then(|t| t.shape.first()).is_some_and(|&b| b < 0);
        Ok(OnnxDetector {
            workers,
            norm: config.norm(),
            config,
            dynamic_batch,
            hint: None,
            seq: 0,
            found_last: false,
            ahead: Vec::new(),
            times: StageTimes::default(),
            roi: RoiStats::default(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &DetectorConfig {
        &self.config
    }

    /// The loaded model (path, declared shapes).
    pub fn model(&self) -> &OnnxModel {
        &self.workers[0].model
    }

    /// Sessions running side by side ([`DetectorConfig::sessions`]).
    pub fn sessions(&self) -> usize {
        self.workers.len()
    }

    /// Whether several images go through the model in one run.
    pub fn batches(&self) -> bool {
        self.dynamic_batch && self.config.max_batch > 1
    }

    /// Time per stage since the last [`reset_stage_times`](Self::reset_stage_times).
    pub fn stage_times(&self) -> StageTimes {
        self.times
    }

    /// Zeroes [`stage_times`](Self::stage_times) and [`roi_stats`](Self::roi_stats).
    pub fn reset_stage_times(&mut self) {
        self.times = StageTimes::default();
        self.roi = RoiStats::default();
    }

    /// Tile search outcomes since the last reset.
    pub fn roi_stats(&self) -> RoiStats {
        self.roi
    }

    /// Frames seen since loading or [`restart_search`](Self::restart_search): the `seq` of
    /// [`TileSearch::tiles_for`] for the next frame.
    pub fn frames_seen(&self) -> usize {
        self.seq
    }

    /// Starts the tile search over (the next frame searches all tiles), e.g. at a new clip
    /// or a scene cut.
    pub fn restart_search(&mut self) {
        self.seq = 0;
        self.found_last = false;
        self.ahead.clear();
    }

    /// A predicted ball position (frame pixels) for the next [`Detector::detect`] call only;
    /// non-finite hints are ignored.
    pub fn set_ball_hint(&mut self, hint: Option<[f32; 2]>) {
        self.hint = hint;
    }

    /// Detections in one frame, searching for the ball around `hint` first when tiling with
    /// ROI is on.
    pub fn detect_with_ball_hint(
        &mut self,
        frame: &Frame,
        hint: Option<[f32; 2]>,
    ) -> Result<Vec<Detection>, DetectError> {
        let mut out = self.detect_frames(std::slice::from_ref(frame), &[hint])?;
        Ok(out.pop().unwrap_or_default())
    }

    /// Detections in several frames, one optional ball hint per frame (`hints` shorter than
    /// `frames` means no hint for the rest).
    pub fn detect_batch_with_hints(
        &mut self,
        frames: &[Frame],
        hints: &[Option<[f32; 2]>],
    ) -> Result<Vec<Vec<Detection>>, DetectError> {
        self.detect_frames(frames, hints)
    }

    /// Detections in `frame` exactly as [`detect_with_ball_hint`](Self::detect_with_ball_hint)
    /// gives them, while sessions that this frame leaves idle run the full-frame passes of the
    /// `next` frames (the ones that will be passed next, in order); those results are kept and
    /// used when the frames come. A full-frame pass needs no ball hint, so this keeps every
    /// session busy on frames with few tiles (with one session it is `detect_with_ball_hint`).
    /// Kept passes are matched by frame index, timestamp and size, and dropped by
    /// [`restart_search`](Self::restart_search) or when a call does not use them.
    pub fn detect_with_lookahead(
        &mut self,
        frame: &Frame,
        hint: Option<[f32; 2]>,
        next: &[Frame],
    ) -> Result<Vec<Detection>, DetectError> {
        let mut out = self.detect_frames_ahead(std::slice::from_ref(frame), &[hint], next)?;
        Ok(out.pop().unwrap_or_default())
    }

    fn detect_frames(
        &mut self,
        frames: &[Frame],
        hints: &[Option<[f32; 2]>],
    ) -> Result<Vec<Vec<Detection>>, DetectError> {
        self.detect_frames_ahead(frames, hints, &[])
    }

    fn detect_frames_ahead(
        &mut self,
        frames: &[Frame],
        hints: &[Option<[f32; 2]>],
        next: &[Frame],
    ) -> Result<Vec<Vec<Detection>>, DetectError> {
        for f in frames {
            let (w, h) = f.size();
            if w == 0 || h == 0 {
                return Err(DetectError::EmptyFrame { frame: f.index });
            }
        }
        let seq0 = self.seq;
        self.seq += frames.len();
        // Full passes run earlier as lookahead.
        let kept = std::mem::take(&mut self.ahead);
        let mut cached: Vec<Option<Vec<Detection>>> =
            frames.iter().map(|f| kept.iter().find(|k| k.matches(f)).map(|k| k.dets.clone())).collect();
        let full: Vec<View> = frames
            .iter()
            .enumerate()
            .filter(|(i, _)| cached[*i].is_none())
            .map(|(i, f)| {
                let (w, h) = f.size();
                View { frame: i, region: Region { x: 0, y: 0, w, h }, pass: Pass::Full }
            })
            .collect();
        // All frames this call may look at: `frames`, then the lookahead ones not run yet.
        self.ahead = kept.into_iter().filter(|k| next.iter().any(|f| k.matches(f))).collect();
        let fresh = next
            .iter()
            .filter(|f| f.size().0 > 0 && f.size().1 > 0 && !self.ahead.iter().any(|k| k.matches(f)));
        let all: Vec<&Frame> = frames.iter().chain(fresh).collect();
        let sessions = self.workers.len();
        // Full passes of lookahead frames for the sessions a batch of `busy` views leaves idle;
        // `taken` counts the lookahead frames scheduled so far in this call.
        let mut taken = frames.len();
        let mut ahead_views = |busy: usize| -> Vec<View> {
            let spare = sessions.saturating_sub(busy);
            // With nothing else to run, wait (the frame's own results are ready) until the
            // lookahead frames fill every session: a lone full pass would leave the others idle.
            if busy == 0 && all.len() - taken < spare {
                return Vec::new();
            }
            let end = (taken + spare).min(all.len());
            let v = (taken..end)
                .map(|i| {
                    let (w, h) = all[i].size();
                    View { frame: i, region: Region { x: 0, y: 0, w, h }, pass: Pass::Full }
                })
                .collect();
            taken = end;
            v
        };
        let Some(t) = self.config.tiling.clone() else {
            let mut views = full.clone();
            views.extend(ahead_views(full.len()));
            let res = self.run_views(&all, &views)?;
            let mut res = res.into_iter();
            for v in &views {
                let Some(d) = res.next() else { break };
                if v.frame < frames.len() {
                    cached[v.frame] = Some(d);
                } else {
                    self.ahead.push(Ahead::new(all[v.frame], d));
                }
            }
            self.times.frames += frames.len();
            return Ok(cached.into_iter().map(Option::unwrap_or_default).collect());
        };
        let search = |i: usize, f: &Frame| -> Vec<View> {
            let (w, h) = f.size();
            let all = tile_regions(w, h, t.tile, t.overlap);
            let pick = t.search.tiles_for(seq0 + i, all.len());
            pick.into_iter()
                .filter_map(|k| all.get(k).copied())
                .map(|region| View { frame: i, region, pass: Pass::Tile })
                .collect()
        };
        // The tiles each frame runs unless its full pass is confident: the ROI tile of a
        // hinted frame (`true`), the search tiles of the others (`false`).
        let plan: Vec<(Vec<View>, bool)> = frames
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let hint = hints.get(i).copied().flatten().filter(|p| p.iter().all(|v| v.is_finite()));
                match hint {
                    Some(p) if t.roi => {
                        let (w, h) = f.size();
                        (vec![View { frame: i, region: roi_region(p, w, h, t.tile), pass: Pass::Tile }], true)
                    }
                    _ => (search(i, f), false),
                }
            })
            .collect();
        // What a full pass found: the best score per tiled label.
        let best = |dets: &[Detection], label: &Label| {
            dets.iter()
                .filter(|d| &d.label == label)
                .map(|d| d.score)
                .fold(None, |m: Option<f32>, s| Some(m.map_or(s, |m| m.max(s))))
        };
        let is_confident = |dets: &[Detection]| {
            t.skip_score.is_some_and(|min| t.labels.iter().all(|l| best(dets, l).is_some_and(|s| s >= min)))
        };
        // The first batch runs the missing full passes and the tiles already known to be
        // needed (frames whose full pass ran ahead). With several sessions it also runs the
        // planned tiles of the other frames beside their full passes (the tiles of frames
        // that turn out confident are dropped below, so the outcome is the one of a single
        // session) and, on sessions still idle, full passes of the lookahead frames.
        // Lookahead frames are better use of idle sessions than tiles that may be dropped.
        let speculate = self.workers.len() > 1 && all.len() == frames.len();
        let first: Vec<bool> =
            cached.iter().map(|c| c.as_ref().map_or(speculate, |d| !is_confident(d))).collect();
        let mut early = Vec::new();
        {
            let mut views = full.clone();
            for (i, (v, _)) in plan.iter().enumerate() {
                if first[i] {
                    views.extend(v.iter().copied());
                }
            }
            views.extend(ahead_views(views.len()));
            let res = self.run_views(&all, &views)?;
            for (v, d) in views.into_iter().zip(res) {
                match v.pass {
                    Pass::Full if v.frame < frames.len() => cached[v.frame] = Some(d),
                    Pass::Full => self.ahead.push(Ahead::new(all[v.frame], d)),
                    Pass::Tile => early.push((v, d)),
                }
            }
        }
        let mut per_frame: Vec<Vec<Detection>> = cached.into_iter().map(Option::unwrap_or_default).collect();
        let found_any = |dets: &[Detection]| dets.iter().any(|d| t.labels.contains(&d.label));
        let found_full: Vec<bool> = per_frame.iter().map(|d| found_any(d)).collect();
        let confident: Vec<bool> = per_frame.iter().map(|d| is_confident(d)).collect();
        let mut roi_frames = Vec::new();
        for (i, (views, roi)) in plan.iter().enumerate() {
            if confident[i] {
                self.roi.skipped += 1;
            } else if *roi {
                roi_frames.push(i);
            } else {
                self.roi.searches += 1;
                self.roi.search_tiles += views.len();
            }
        }
        let mut tile_results: Vec<(View, Vec<Detection>)> =
            early.into_iter().filter(|(v, _)| !confident[v.frame]).collect();
        let tiles: Vec<View> = plan
            .iter()
            .enumerate()
            .filter(|(i, _)| !first[*i] && !confident[*i])
            .flat_map(|(_, (v, _))| v.iter().copied())
            .collect();
        let mut views = tiles;
        if !views.is_empty() {
            views.extend(ahead_views(views.len()));
        }
        let res = self.run_views(&all, &views)?;
        for (v, d) in views.into_iter().zip(res) {
            match v.pass {
                Pass::Full => self.ahead.push(Ahead::new(all[v.frame], d)),
                Pass::Tile => tile_results.push((v, d)),
            }
        }
        // Frame by frame, in the order the views were planned.
        tile_results.sort_by_key(|(v, _)| v.frame);
        let mut tiled = vec![false; frames.len()];
        let mut found_tile = vec![false; frames.len()];
        for (v, dets) in tile_results {
            tiled[v.frame] = true;
            found_tile[v.frame] |= found_any(&dets);
            per_frame[v.frame].extend(dets);
        }
        // Hinted frames where neither the ROI tile nor the full frame found a tiled label:
        // the search tiles.
        let mut more = Vec::new();
        for &i in &roi_frames {
            if found_tile[i] {
                self.roi.hits += 1;
            } else if found_full[i] {
                self.roi.full_frame += 1;
            } else {
                self.roi.fallbacks += 1;
                let after_hit = if i == 0 { self.found_last } else { found_full[i - 1] || found_tile[i - 1] };
                let v = if t.first_miss_all && after_hit {
                    let (w, h) = frames[i].size();
                    tile_regions(w, h, t.tile, t.overlap)
                        .into_iter()
                        .map(|region| View { frame: i, region, pass: Pass::Tile })
                        .collect()
                } else {
                    search(i, &frames[i])
                };
                self.roi.searches += 1;
                self.roi.search_tiles += v.len();
                more.extend(v);
            }
        }
        if !more.is_empty() {
            more.extend(ahead_views(more.len()));
        }
        let results = self.run_views(&all, &more)?;
        for (v, dets) in more.iter().zip(results) {
            if v.pass == Pass::Full {
                self.ahead.push(Ahead::new(all[v.frame], dets));
                continue;
            }
            found_tile[v.frame] |= found_any(&dets);
            per_frame[v.frame].extend(dets);
        }
        if let Some(last) = frames.len().checked_sub(1) {
            self.found_last = found_full[last] || found_tile[last];
        }
        let t0 = Instant::now();
        let iou = self.config.nms_iou;
        let out = per_frame
            .into_iter()
            .zip(tiled)
            .map(|(dets, tiled)| if tiled { nms(dets, iou, |d| d.label.clone()) } else { dets })
            .collect();
        self.times.postprocess += t0.elapsed();
        self.times.frames += frames.len();
        Ok(out)
    }

    /// Runs the model on each view; detections in frame coordinates, thresholded, per view.
    ///
    /// Views go through in groups of `max_batch` (dynamic-batch models) or one by one; with
    /// several sessions, each session takes the next waiting group on its own thread.
    fn run_views(&mut self, frames: &[&Frame], views: &[View]) -> Result<Vec<Vec<Detection>>, DetectError> {
        let chunk = if self.dynamic_batch { self.config.max_batch } else { 1 };
        let groups: Vec<&[View]> = views.chunks(chunk).collect();
        let busy = self.workers.len().min(groups.len());
        let ctx = Ctx { config: &self.config, norm: &self.norm, frames };
        if busy <= 1 {
            let mut out = Vec::with_capacity(views.len());
            if let Some(w) = self.workers.first_mut() {
                for g in &groups {
                    out.extend(w.run_group(&ctx, g, &mut self.times)?);
                }
            }
            return Ok(out);
        }
        let next = AtomicUsize::new(0);
        let mut done: Vec<Option<Result<Vec<Vec<Detection>>, DetectError>>> = Vec::new();
        done.resize_with(groups.len(), || None);
        std::thread::scope(|s| {
            let handles: Vec<_> = self.workers[..busy]
                .iter_mut()
                .map(|w| {
                    let (ctx, groups, next) = (&ctx, &groups, &next);
                    s.spawn(move || {
                        let mut times = StageTimes::default();
                        let mut mine = Vec::new();
                        loop {
                            let k = next.fetch_add(1, Ordering::Relaxed);
                            let Some(g) = groups.get(k) else { break };
                            let r = w.run_group(ctx, g, &mut times);
                            let failed = r.is_err();
                            mine.push((k, r));
                            if failed {
                                break;
                            }
                        }
                        (mine, times)
                    })
                })
                .collect();
            for h in handles {
                match h.join() {
                    Ok((mine, times)) => {
                        self.times.add(&times);
                        for (k, r) in mine {
                            done[k] = Some(r);
                        }
                    }
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        });
        let mut out = Vec::with_capacity(views.len());
        for (k, r) in done.into_iter().enumerate() {
            match r {
                Some(r) => out.extend(r?),
                // Not reached: every session stopped at a failed group, and groups are taken
                // in order, so that failure comes earlier and was returned above.
                None => {
                    return Err(DetectError::Inference {
                        frame: frames[groups[k][0].frame].index,
                        reason: "not run: an earlier model run failed".into(),
                    });
                }
            }
        }
        Ok(out)
    }
}

/// A full-frame pass run ahead of its frame.
#[derive(Debug)]
struct Ahead {
    index: usize,
    timestamp: u64,
    size: (u32, u32),
    dets: Vec<Detection>,
}

impl Ahead {
    fn new(f: &Frame, dets: Vec<Detection>) -> Ahead {
        Ahead { index: f.index, timestamp: f.timestamp.to_bits(), size: f.size(), dets }
    }

    fn matches(&self, f: &Frame) -> bool {
        self.index == f.index && self.timestamp == f.timestamp.to_bits() && self.size == f.size()
    }
}

/// What every session of one [`OnnxDetector`] reads while running views.
struct Ctx<'a> {
    config: &'a DetectorConfig,
    norm: &'a Norm,
    frames: &'a [&'a Frame],
}

/// One ONNX Runtime session and its input buffer.
#[derive(Debug)]
struct Worker {
    model: OnnxModel,
    buf: Vec<f32>,
}

impl Worker {
    /// Letterboxes a group of views into one input tensor, runs it, and maps the raw
    /// candidates back to frame coordinates.
    fn run_group(
        &mut self,
        ctx: &Ctx<'_>,
        group: &[View],
        times: &mut StageTimes,
    ) -> Result<Vec<Vec<Detection>>, DetectError> {
        let config = ctx.config;
        let s = config.input_size as usize;
        let per = 3 * s * s;
        let t0 = Instant::now();
        self.buf.resize(group.len() * per, 0.0);
        let mut ratios = Vec::with_capacity(group.len());
        for (k, v) in group.iter().enumerate() {
            let img = &ctx.frames[v.frame].image;
            ratios.push(letterbox_into(
                img,
                v.region,
                config.input_size,
                ctx.norm,
                &mut self.buf[k * per..(k + 1) * per],
            ));
        }
        let t1 = Instant::now();
        times.preprocess += t1 - t0;
        let first = ctx.frames[group[0].frame].index;
        let raws = self.infer(config, group.len(), first)?;
        let t2 = Instant::now();
        times.model += t2 - t1;
        let out =
            group.iter().zip(ratios).zip(raws).map(|((v, r), raw)| to_detections(ctx, v, r, raw)).collect();
        times.postprocess += t2.elapsed();
        times.runs += 1;
        times.regions += group.len();
        Ok(out)
    }

    /// One model run over the first `n` images of the buffer; raw candidates per image.
    fn infer(
        &mut self,
        config: &DetectorConfig,
        n: usize,
        frame: usize,
    ) -> Result<Vec<Vec<Raw>>, DetectError> {
        let s = config.input_size as usize;
        let run_err = |reason: String| DetectError::Inference { frame, reason };
        let input = ndarray::ArrayView4::from_shape((n, 3, s, s), &self.buf[..n * 3 * s * s])
            .map_err(|e| run_err(e.to_string()))?;
        let tensor = ort::value::TensorRef::from_array_view(input).map_err(|e| run_err(e.to_string()))?;
        let kind = config.kind;
        let input_name = if kind == ModelKind::YoloX { "images" } else { "input" };
        let outputs = self
            .model
            .session_mut()
            .run(ort::inputs![input_name => tensor])
            .map_err(|e| run_err(e.to_string()))?;
        let out_err = |reason: String| DetectError::ModelOutput { frame, reason };
        match kind {
            ModelKind::YoloX => {
                let v = outputs.get("output").ok_or_else(|| out_err("no `output` tensor".into()))?;
                let (shape, data) = v.try_extract_tensor::<f32>().map_err(|e| out_err(e.to_string()))?;
                decode_yolox(shape, data, n, config).map_err(out_err)
            }
            ModelKind::RtmDet => {
                let d = outputs.get("dets").ok_or_else(|| out_err("no `dets` tensor".into()))?;
                let l = outputs.get("labels").ok_or_else(|| out_err("no `labels` tensor".into()))?;
                let (ds, dd) = d.try_extract_tensor::<f32>().map_err(|e| out_err(e.to_string()))?;
                let (ls, ld) = l.try_extract_tensor::<i64>().map_err(|e| out_err(e.to_string()))?;
                decode_rtmdet((ds, dd), (ls, ld), n, config).map_err(out_err)
            }
        }
    }
}

fn to_detections(ctx: &Ctx<'_>, v: &View, r: f32, raw: Vec<Raw>) -> Vec<Detection> {
    let (w, h) = ctx.frames[v.frame].size();
    let (ox, oy) = (v.region.x as f32, v.region.y as f32);
    let tiled_labels = ctx.config.tiling.as_ref().map(|t| t.labels.as_slice()).unwrap_or(&[]);
    raw.into_iter()
        .filter_map(|c| {
            let label = ctx.config.classes.label(c.class)?;
            if v.pass == Pass::Tile && !tiled_labels.contains(label) {
                return None;
            }
            let b = [c.bbox[0] / r + ox, c.bbox[1] / r + oy, c.bbox[2] / r + ox, c.bbox[3] / r + oy];
            let bbox = clamp_box(b, w, h)?;
            Some(Detection::new(label.clone(), c.score, bbox))
        })
        .collect()
}

/// Class ids to decode, with their thresholds (dropped classes are skipped entirely).
fn wanted_classes(config: &DetectorConfig) -> Vec<(usize, f32)> {
    (0..config.classes.len())
        .filter_map(|c| config.classes.label(c).map(|l| (c, config.thresholds.get(l))))
        .collect()
}

/// YOLOX grid decode + per-class NMS; candidates per image.
fn decode_yolox(
    shape: &[i64],
    data: &[f32],
    n: usize,
    config: &DetectorConfig,
) -> Result<Vec<Vec<Raw>>, String> {
    let s = config.input_size as usize;
    let strides = [8usize, 16, 32];
    let cells: usize = strides.iter().map(|st| (s / st) * (s / st)).sum();
    let width = 5 + config.classes.len();
    let want = [n as i64, cells as i64, width as i64];
    if shape != want || data.len() != n * cells * width {
        return Err(format!("`output` has shape {shape:?}, expected {want:?}"));
    }
    let wanted = wanted_classes(config);
    let min_thr = wanted.iter().map(|w| w.1).fold(f32::INFINITY, f32::min);
    let mut out = Vec::with_capacity(n);
    for b in 0..n {
        let img = &data[b * cells * width..(b + 1) * cells * width];
        let mut cands = Vec::new();
        let mut row = 0usize;
        for &st in &strides {
            let g = s / st;
            let stf = st as f32;
            for gy in 0..g {
                for gx in 0..g {
                    let p = &img[row * width..(row + 1) * width];
                    row += 1;
                    let obj = p[4];
                    if obj.is_nan() || obj < min_thr {
                        continue;
                    }
                    let cx = (p[0] + gx as f32) * stf;
                    let cy = (p[1] + gy as f32) * stf;
                    let bw = p[2].exp() * stf;
                    let bh = p[3].exp() * stf;
                    let bbox = [cx - bw / 2.0, cy - bh / 2.0, cx + bw / 2.0, cy + bh / 2.0];
                    for &(c, thr) in &wanted {
                        let score = obj * p[5 + c];
                        if score >= thr && score <= 1.0 {
                            cands.push(Raw { class: c, score, bbox });
                        }
                    }
                }
            }
        }
        let kept = nms_raw(cands, config.nms_iou, config.max_detections);
        out.push(kept);
    }
    Ok(out)
}

/// RTMDet end2end outputs (already NMS'd); candidates per image.
fn decode_rtmdet(
    dets: (&[i64], &[f32]),
    labels: (&[i64], &[i64]),
    n: usize,
    config: &DetectorConfig,
) -> Result<Vec<Vec<Raw>>, String> {
    let (ds, dd) = dets;
    let (ls, ld) = labels;
    let k = ds.get(1).copied().unwrap_or(-1);
    if ds.len() != 3 || ds[0] != n as i64 || ds[2] != 5 || k < 0 || ls != [n as i64, k] {
        return Err(format!("`dets` {ds:?} / `labels` {ls:?}, expected [{n},N,5] / [{n},N]"));
    }
    let k = k as usize;
    if dd.len() != n * k * 5 || ld.len() != n * k {
        return Err("output data length does not match its shape".into());
    }
    let mut out = Vec::with_capacity(n);
    for b in 0..n {
        let mut v = Vec::new();
        for j in 0..k.min(config.max_detections) {
            let Ok(class) = usize::try_from(ld[b * k + j]) else { continue };
            let Some(label) = config.classes.label(class) else { continue };
            let d = &dd[(b * k + j) * 5..(b * k + j + 1) * 5];
            let score = d[4];
            if score >= config.thresholds.get(label) && score <= 1.0 {
                v.push(Raw { class, score, bbox: [d[0], d[1], d[2], d[3]] });
            }
        }
        out.push(v);
    }
    Ok(out)
}

impl Detector for OnnxDetector {
    type Error = DetectError;

    fn detect(&mut self, frame: &Frame) -> Result<Vec<Detection>, DetectError> {
        let hint = self.hint.take();
        self.detect_with_ball_hint(frame, hint)
    }

    /// Runs all frames (and their tiles) through the model in batches of `max_batch` when the
    /// model takes a dynamic batch (RTMDet), one by one otherwise (this YOLOX export).
    fn detect_batch(&mut self, frames: &[Frame]) -> Result<Vec<Vec<Detection>>, DetectError> {
        self.hint = None;
        self.detect_frames(frames, &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_cover_the_frame_with_overlap() {
        for &(w, h) in &[(1280u32, 720u32), (960, 540), (848, 478), (416, 416), (300, 200), (2000, 417)] {
            let t = tile_regions(w, h, 416, 0.25);
            let mut covered = vec![false; (w * h) as usize];
            for r in &t {
                assert!(r.x + r.w <= w && r.y + r.h <= h, "{r:?} in {w}x{h}");
                for y in r.y..r.y + r.h {
                    for x in r.x..r.x + r.w {
                        covered[(y * w + x) as usize] = true;
                    }
                }
            }
            assert!(covered.iter().all(|&c| c), "{w}x{h} not covered");
        }
        let t = tile_regions(1280, 720, 416, 0.25);
        // Neighbouring tiles overlap by at least 25 %.
        assert!(t[0].x + t[0].w >= t[1].x + 104, "{t:?}");
    }

    #[test]
    fn sweep_of_four_runs_one_column_per_frame() {
        let s = TileSearch::Sweep { frames: 4 };
        // 720p: 4 x 2 tiles, row-major; the first frame searches them all.
        assert_eq!(s.tiles_for(0, 8), (0..8).collect::<Vec<_>>());
        // Then one column (top and bottom tile) per frame, left to right, over and over.
        let want = [[1, 5], [2, 6], [3, 7], [0, 4], [1, 5], [2, 6], [3, 7], [0, 4]];
        for (k, w) in want.iter().enumerate() {
            assert_eq!(s.tiles_for(k + 1, 8), w, "frame {}", k + 1);
        }
        // Three frames: turns of 3, 3 and 2 tiles.
        let s = TileSearch::Sweep { frames: 3 };
        assert_eq!(s.tiles_for(3, 8), [0, 3, 6]);
        assert_eq!(s.tiles_for(4, 8), [1, 4, 7]);
        assert_eq!(s.tiles_for(5, 8), [2, 5]);
    }

    #[test]
    fn a_long_sweep_runs_one_tile_on_some_frames() {
        // 8 tiles over 16 frames: tile i on frame 2i (mod 16), nothing on odd frames.
        let s = TileSearch::Sweep { frames: 16 };
        for seq in 16..32 {
            let want: Vec<usize> = if seq % 2 == 0 { vec![(seq % 16) / 2] } else { vec![] };
            assert_eq!(s.tiles_for(seq, 8), want, "frame {seq}");
        }
        // 8 tiles over 12 frames: 8 of 12 frames run one tile.
        let s = TileSearch::Sweep { frames: 12 };
        let per: Vec<usize> = (12..24).map(|k| s.tiles_for(k, 8).len()).collect();
        assert_eq!(per, [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0]);
    }

    #[test]
    fn every_n_runs_all_tiles_on_one_frame_in_n() {
        let s = TileSearch::Every { n: 4 };
        let ran: Vec<usize> = (0..12).filter(|&k| !s.tiles_for(k, 8).is_empty()).collect();
        assert_eq!(ran, [0, 4, 8]);
        assert_eq!(s.tiles_for(8, 8).len(), 8);
        for k in 0..5 {
            assert_eq!(TileSearch::All.tiles_for(k, 8).len(), 8);
            assert_eq!(TileSearch::Every { n: 1 }.tiles_for(k, 8).len(), 8);
        }
    }

    #[test]
    fn search_edge_cases() {
        // More tiles per frame than tiles, one tile, no tiles.
        assert_eq!(TileSearch::Sweep { frames: 1 }.tiles_for(3, 8).len(), 8);
        assert_eq!(TileSearch::Sweep { frames: 4 }.tiles_for(3, 1), Vec::<usize>::new());
        assert_eq!(TileSearch::Sweep { frames: 4 }.tiles_for(4, 1), [0]);
        assert!(TileSearch::Sweep { frames: 4 }.tiles_for(3, 0).is_empty());
        assert!(TileSearch::Every { n: 2 }.tiles_for(0, 0).is_empty());
        // Zero periods are rejected by the config check (and treated as 1 if they slip by).
        assert!(TileSearch::Sweep { frames: 0 }.validate().is_err());
        assert_eq!(TileSearch::Sweep { frames: 0 }.tiles_for(3, 8).len(), 8);
        assert!(TileSearch::Every { n: 0 }.validate().is_err());
        assert_eq!(TileSearch::Every { n: 0 }.tiles_for(3, 8).len(), 8);
        let mut c = DetectorConfig::yolox();
        if let Some(t) = c.tiling.as_mut() {
            t.search = TileSearch::Sweep { frames: 0 };
        }
        assert!(matches!(c.validate(), Err(DetectError::Config { name: "tiling.search", .. })));
        let mut c = DetectorConfig::yolox();
        if let Some(t) = c.tiling.as_mut() {
            t.skip_score = Some(f32::NAN);
        }
        assert!(matches!(c.validate(), Err(DetectError::Config { name: "tiling.skip_score", .. })));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Sweep: distinct tiles in range, at most `ceil(tiles / frames)` per frame, and any
        /// `frames` consecutive frames (after the first) run every tile exactly once.
        #[test]
        fn sweep_covers_every_tile_once_per_round(frames in 1usize..40, tiles in 0usize..40, start in 1usize..1000) {
            let s = TileSearch::Sweep { frames };
            let mut seen = vec![0usize; tiles];
            for seq in start..start + frames {
                let t = s.tiles_for(seq, tiles);
                proptest::prop_assert!(t.len() <= tiles.div_ceil(frames), "{t:?}");
                proptest::prop_assert!(t.windows(2).all(|w| w[0] < w[1]));
                for i in t {
                    seen[i] += 1;
                }
            }
            proptest::prop_assert!(seen.iter().all(|&n| n == 1), "{seen:?}");
        }
    }

    #[test]
    fn roi_stays_inside() {
        let r = roi_region([5.0, 710.0], 1280, 720, 416);
        assert_eq!((r.x, r.y, r.w, r.h), (0, 304, 416, 416));
        let r = roi_region([640.0, 360.0], 1280, 720, 416);
        assert_eq!((r.x, r.y), (432, 152));
        let r = roi_region([100.0, 100.0], 300, 200, 416);
        assert_eq!((r.x, r.y, r.w, r.h), (0, 0, 300, 200));
    }

    #[test]
    fn bad_configs_are_rejected() {
        let mut c = DetectorConfig::yolox();
        c.nms_iou = 1.5;
        assert!(matches!(c.validate(), Err(DetectError::Config { name: "nms_iou", .. })));
        let mut c = DetectorConfig::yolox();
        c.input_size = 400;
        assert!(c.validate().is_err());
        let c = DetectorConfig { thresholds: Thresholds::new(f32::NAN), ..DetectorConfig::yolox() };
        assert!(c.validate().is_err());
        let mut c = DetectorConfig::yolox();
        if let Some(t) = c.tiling.as_mut() {
            t.overlap = 0.95;
        }
        assert!(c.validate().is_err());
    }

    #[test]
    fn yolox_decode_finds_a_planted_cell() {
        let config = DetectorConfig { input_size: 64, ..DetectorConfig::yolox() };
        let cells = 8 * 8 + 4 * 4 + 2 * 2;
        let width = 85;
        let mut data = vec![0.0f32; cells * width];
        // Stride-8 cell (gx 3, gy 2): centre (3.5*8, 2.5*8) = (28, 20), size 8x16.
        let row = 2 * 8 + 3;
        let p = &mut data[row * width..(row + 1) * width];
        p[0] = 0.5;
        p[1] = 0.5;
        p[2] = 0.0;
        p[3] = 2f32.ln();
        p[4] = 0.9;
        p[5 + 32] = 0.8; // sports ball
        p[5 + 2] = 0.99; // car: dropped by the class map
        let out = decode_yolox(&[1, cells as i64, 85], &data, 1, &config).unwrap();
        assert_eq!(out[0].len(), 1);
        let r = out[0][0];
        assert_eq!(r.class, 32);
        assert!((r.score - 0.72).abs() < 1e-6);
        assert_eq!(r.bbox, [24.0, 12.0, 32.0, 28.0]);
        assert!(decode_yolox(&[1, 5, 85], &data, 1, &config).is_err());
    }
}
