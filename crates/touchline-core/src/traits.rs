//! The traits every Touchline piece composes through.
//!
//! ```text
//! FrameSource -> Frame -> Detector -> Detections -> Tracker -> tracks -> TrackingData
//! TrackingData (+ observed mask) -> Imputer -> TrackingData
//! Frame + person box -> PoseEstimator -> Keypoints;  prompt -> TextGenerator -> text
//! ```
//!
//! Each trait has an associated error type so implementations keep their own
//! typed errors; all are object safe (`Box<dyn Detector<Error = E>>`).

use ndarray::{Array2, Array3};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::tracking::{Agent, Team, TrackingData};
use crate::vision::{BBox, Detection, Frame, Keypoints, Label};

/// A source of decoded frames in display order (a video file, a camera, an
/// image folder).
///
/// ```
/// use touchline_core::{Frame, FrameSource};
/// struct Blank { left: usize }
/// impl FrameSource for Blank {
///     type Error = std::convert::Infallible;
///     fn next_frame(&mut self) -> Result<Option<Frame>, Self::Error> {
///         if self.left == 0 { return Ok(None); }
///         self.left -= 1;
///         let index = 2 - self.left;
///         Ok(Some(Frame::new(index, index as f64 / 25.0, image::RgbImage::new(4, 4))))
///     }
///     fn frame_rate(&self) -> Option<f64> { Some(25.0) }
/// }
/// let mut src: Box<dyn FrameSource<Error = std::convert::Infallible>> = Box::new(Blank { left: 3 });
/// let mut n = 0;
/// while let Some(f) = src.next_frame().unwrap() { assert_eq!(f.index, n); n += 1; }
/// assert_eq!(n, 3);
/// ```
pub trait FrameSource {
    /// Decoding or reading error.
    type Error: std::error::Error + Send + Sync + 'static;
    /// The next frame, `None` at the end.
    fn next_frame(&mut self) -> std::result::Result<Option<Frame>, Self::Error>;
    /// Nominal frame rate, if the source knows it.
    fn frame_rate(&self) -> Option<f64> {
        None
    }
    /// Number of frames, if known in advance.
    fn frame_count_hint(&self) -> Option<usize> {
        None
    }
}

/// A boxed source (`Box<dyn FrameSource<Error = E>>`, say) is a source.
impl<S: FrameSource + ?Sized> FrameSource for Box<S> {
    type Error = S::Error;
    fn next_frame(&mut self) -> std::result::Result<Option<Frame>, Self::Error> {
        (**self).next_frame()
    }
    fn frame_rate(&self) -> Option<f64> {
        (**self).frame_rate()
    }
    fn frame_count_hint(&self) -> Option<usize> {
        (**self).frame_count_hint()
    }
}

/// Finds objects in a frame.
///
/// ```
/// use touchline_core::{BBox, Detection, Detector, Frame, Label};
/// /// Reports the whole frame as one player.
/// struct WholeFrame;
/// impl Detector for WholeFrame {
///     type Error = touchline_core::CoreError;
///     fn detect(&mut self, frame: &Frame) -> Result<Vec<Detection>, Self::Error> {
///         let (w, h) = frame.size();
///         Ok(vec![Detection::new(Label::Player, 1.0, BBox::new(0.0, 0.0, w as f32, h as f32)?)])
///     }
/// }
/// let mut d: Box<dyn Detector<Error = touchline_core::CoreError>> = Box::new(WholeFrame);
/// let f = Frame::new(0, 0.0, image::RgbImage::new(8, 6));
/// let out = d.detect_batch(&[f.clone(), f])?;
/// assert_eq!(out.len(), 2);
/// assert_eq!(out[0][0].bbox.area(), 48.0);
/// # Ok::<(), touchline_core::CoreError>(())
/// ```
pub trait Detector {
    /// Inference error.
    type Error: std::error::Error + Send + Sync + 'static;
    /// Detections in one frame.
    fn detect(&mut self, frame: &Frame) -> std::result::Result<Vec<Detection>, Self::Error>;
    /// Detections in several frames; the default runs [`detect`](Self::detect)
    /// on each, backends that batch override it.
    fn detect_batch(&mut self, frames: &[Frame]) -> std::result::Result<Vec<Vec<Detection>>, Self::Error> {
        frames.iter().map(|f| self.detect(f)).collect()
    }
}

/// One point of a track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackPoint {
    /// Frame index.
    pub frame: usize,
    /// Frame time in seconds.
    pub timestamp: f64,
    /// Box in that frame.
    pub bbox: BBox,
    /// Detection score (0 for a predicted, unmatched point).
    pub score: f32,
}

/// A tracked object over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    /// Stable id.
    pub id: u64,
    /// What it is.
    pub label: Label,
    /// Team, once assigned.
    pub team: Team,
    /// Points in increasing frame order.
    pub points: Vec<TrackPoint>,
}

/// Links detections over frames into tracks with stable ids.
///
/// ```
/// use touchline_core::{BBox, Detection, Label, Team, Track, TrackPoint, Tracker};
/// /// Gives every detection the id of its index: enough to show the contract.
/// #[derive(Default)]
/// struct ByIndex { tracks: Vec<Track> }
/// impl Tracker for ByIndex {
///     type Error = std::convert::Infallible;
///     fn update(&mut self, frame: usize, t: f64, dets: &[Detection]) -> Result<Vec<Detection>, Self::Error> {
///         Ok(dets.iter().enumerate().map(|(i, d)| {
///             if self.tracks.len() <= i {
///                 self.tracks.push(Track { id: i as u64, label: d.label.clone(), team: Team::Unknown, points: vec![] });
///             }
///             self.tracks[i].points.push(TrackPoint { frame, timestamp: t, bbox: d.bbox, score: d.score });
///             Detection { track_id: Some(i as u64), ..d.clone() }
///         }).collect())
///     }
///     fn tracks(&self) -> Vec<Track> { self.tracks.clone() }
/// }
/// let mut tr = ByIndex::default();
/// let d = Detection::new(Label::Player, 0.9, BBox::new(0.0, 0.0, 2.0, 4.0).unwrap());
/// for f in 0..3 { tr.update(f, f as f64 * 0.04, &[d.clone()]).unwrap(); }
/// assert_eq!(tr.tracks()[0].points.len(), 3);
/// ```
pub trait Tracker {
    /// Tracking error.
    type Error: std::error::Error + Send + Sync + 'static;
    /// Feeds one frame's detections; returns them with `track_id` set.
    fn update(
        &mut self,
        frame: usize,
        timestamp: f64,
        detections: &[Detection],
    ) -> std::result::Result<Vec<Detection>, Self::Error>;
    /// All tracks so far.
    fn tracks(&self) -> Vec<Track>;
}

/// Turns tracks into [`TrackingData`]: one agent per track, one frame per
/// timestamp, `to_world` mapping a box to a position (pixels, or metres via a
/// homography). Frames where a track has no point are unobserved.
///
/// ```
/// use touchline_core::{tracks_to_tracking_data, BBox, Label, Team, Track, TrackPoint};
/// let b = BBox::new(10.0, 10.0, 20.0, 40.0).unwrap();
/// let tr = Track { id: 3, label: Label::Player, team: Team::Home,
///     points: vec![TrackPoint { frame: 1, timestamp: 0.04, bbox: b, score: 0.8 }] };
/// let d = tracks_to_tracking_data(&[tr], &[0.0, 0.04], |b| { let [x, y] = b.bottom_center(); [x as f64, y as f64] })?;
/// assert_eq!(d.agents()[0].id, "track_3");
/// assert!(!d.observed()[[0, 0]] && d.observed()[[1, 0]]);
/// assert_eq!(d.positions()[[1, 0, 1]], 40.0);
/// # Ok::<(), touchline_core::CoreError>(())
/// ```
pub fn tracks_to_tracking_data(
    tracks: &[Track],
    timestamps: &[f64],
    to_world: impl Fn(&BBox) -> [f64; 2],
) -> Result<TrackingData> {
    let (nf, na) = (timestamps.len(), tracks.len());
    let mut pos = Array3::from_elem((nf, na, 2), f64::NAN);
    let mut obs = Array2::from_elem((nf, na), false);
    let mut agents = Vec::with_capacity(na);
    for (a, tr) in tracks.iter().enumerate() {
        let team = if tr.label == Label::Ball { Team::Ball } else { tr.team };
        agents.push(Agent::new(format!("track_{}", tr.id), team));
        for p in &tr.points {
            if p.frame >= nf {
                return Err(CoreError::InvalidParameter {
                    name: "track point",
                    reason: format!("track {} has frame {} but only {nf} timestamps", tr.id, p.frame),
                });
            }
            let [x, y] = to_world(&p.bbox);
            if x.is_finite() && y.is_finite() {
                pos[[p.frame, a, 0]] = x;
                pos[[p.frame, a, 1]] = y;
                obs[[p.frame, a]] = true;
            }
        }
    }
    TrackingData::new(pos, obs, timestamps.to_vec(), agents)
}

/// Fills unobserved entries of [`TrackingData`].
///
/// Contract: the output has the same shape and the same `observed` mask, and
/// every observed entry is bit-for-bit unchanged (check with
/// [`crate::verify_observed_unchanged`]); entries it cannot fill stay `NaN`.
///
/// ```
/// use ndarray::{Array2, Array3};
/// use touchline_core::{verify_observed_unchanged, Agent, CoreError, Imputer, TrackingData};
/// /// Holds the last observed value.
/// struct Hold;
/// impl Imputer for Hold {
///     type Error = CoreError;
///     fn name(&self) -> &str { "hold" }
///     fn impute(&self, d: &TrackingData) -> Result<TrackingData, CoreError> {
///         let mut out = d.clone();
///         for a in 0..d.n_agents() {
///             let mut s = d.agent_series(a).to_owned();
///             for f in 1..d.n_frames() {
///                 if !d.observed()[[f, a]] { let prev = s.row(f - 1).to_owned(); s.row_mut(f).assign(&prev); }
///             }
///             out.fill_unobserved(a, s.view())?;
///         }
///         Ok(out)
///     }
/// }
/// let mut p = Array3::<f64>::zeros((3, 1, 2));
/// p[[0, 0, 0]] = 1.0; p[[1, 0, 0]] = f64::NAN; p[[1, 0, 1]] = f64::NAN;
/// let mut o = Array2::from_elem((3, 1), true); o[[1, 0]] = false;
/// let d = TrackingData::new(p, o, vec![0.0, 0.1, 0.2], vec![Agent::ball()])?;
/// let filled = Hold.impute(&d)?;
/// verify_observed_unchanged(&d, &filled)?;
/// assert_eq!(filled.positions()[[1, 0, 0]], 1.0);
/// # Ok::<(), CoreError>(())
/// ```
pub trait Imputer {
    /// Imputation error.
    type Error: std::error::Error + Send + Sync + 'static;
    /// Short method name for reports (`linear`, `steffen`, ...).
    fn name(&self) -> &str;
    /// Returns a copy of `data` with gaps filled.
    fn impute(&self, data: &TrackingData) -> std::result::Result<TrackingData, Self::Error>;
}

/// Estimates one person's keypoints inside a box of a frame.
///
/// ```
/// use touchline_core::{BBox, CocoJoint, Frame, Joint, Keypoints, PoseEstimator};
/// /// Puts every joint at the box centre with score 0.1.
/// struct Centre;
/// impl PoseEstimator for Centre {
///     type Error = std::convert::Infallible;
///     fn estimate(&mut self, _f: &Frame, b: &BBox) -> Result<Keypoints, Self::Error> {
///         let [x, y] = b.center();
///         Ok(Keypoints { joints: [Joint { x, y, score: 0.1 }; 17] })
///     }
/// }
/// let f = Frame::new(0, 0.0, image::RgbImage::new(4, 4));
/// let k = Centre.estimate(&f, &BBox::new(0.0, 0.0, 2.0, 2.0).unwrap()).unwrap();
/// assert_eq!(k.get(CocoJoint::Nose).x, 1.0);
/// assert_eq!(k.confident(CocoJoint::Nose, 0.5), None);
/// ```
pub trait PoseEstimator {
    /// Inference error.
    type Error: std::error::Error + Send + Sync + 'static;
    /// Keypoints of the person in `person` (pixel coordinates of the frame).
    fn estimate(&mut self, frame: &Frame, person: &BBox) -> std::result::Result<Keypoints, Self::Error>;
}

/// A request to a text generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationRequest {
    /// System instructions, if any.
    pub system: Option<String>,
    /// The prompt.
    pub prompt: String,
    /// Upper bound on generated tokens.
    pub max_tokens: u32,
    /// Sampling temperature (0 = greedy).
    pub temperature: f32,
}

impl GenerationRequest {
    /// A prompt with no system text, 512 tokens, temperature 0.
    pub fn new(prompt: impl Into<String>) -> Self {
        GenerationRequest { system: None, prompt: prompt.into(), max_tokens: 512, temperature: 0.0 }
    }
}

/// Turns a prompt into text (a local LLM, a remote API, a template).
///
/// ```
/// use touchline_core::{GenerationRequest, TextGenerator};
/// struct Echo;
/// impl TextGenerator for Echo {
///     type Error = std::convert::Infallible;
///     fn generate(&mut self, r: &GenerationRequest) -> Result<String, Self::Error> {
///         Ok(r.prompt.to_uppercase())
///     }
/// }
/// assert_eq!(Echo.generate(&GenerationRequest::new("goal")).unwrap(), "GOAL");
/// ```
pub trait TextGenerator {
    /// Generation error.
    type Error: std::error::Error + Send + Sync + 'static;
    /// Generated text for the request.
    fn generate(&mut self, request: &GenerationRequest) -> std::result::Result<String, Self::Error>;
}
