//! Player identities across tracker ids: re-identification after an occlusion or a re-entry.
//!
//! ByteTrack gives a person a new id after an occlusion or after they leave and re-enter the
//! frame, so one player can come out as `#1`, `#2`, `#3`. This module merges person tracks into
//! **identities** by two cues:
//!
//! 1. **Appearance**: per track, the mean over up to [`IdentityConfig::max_samples`] boxes of two
//!    normalised CIE Lab colour histograms (4 x 4 x 4 bins; L 0..100, a and b -50..50 clamped),
//!    one of the upper body (rows 15-50 % of the box, the shirt) and one of the lower body (rows
//!    50-85 %, shorts or trousers), middle half of the width ([`ColourAppearance`]). The distance
//!    of two tracks is the mean of the two Hellinger distances `sqrt(1 - sum sqrt(p q))` (0 = same
//!    colours, 1 = no colour in common), so a player in a dark shirt and olive trousers is far
//!    from one in a white shirt, and from one in a dark shirt and white shorts. Any other
//!    appearance works through [`AppearanceDistance`]: [`Embedding`] takes vectors you computed
//!    (OSNet re-id embeddings from `touchline-detect`, for example) with the cosine distance.
//! 2. **Time**: two tracks seen in the same frame are two people (a cannot-link constraint).
//!
//! [`merge_identities`] runs complete-linkage agglomerative clustering under the constraint: the
//! closest pair of groups whose *farthest* members are within [`IdentityConfig::max_distance`]
//! and that never share a frame is merged, until no pair qualifies. Complete linkage keeps a chain
//! of small steps (lighting drifting along the clip) from joining two different players. Ties
//! are broken by track id, so the result depends only on the set of tracks, not their order.
//! Time `O(n^3)` and memory `O(n^2)` for `n` tracks (a clip's few hundred tracks take
//! milliseconds).
//!
//! Getting the appearance: [`reidentify`] does everything when you can hand out the frames by
//! index (a slice of kept frames, a map). When frames are decoded on the fly, an
//! [`AppearanceSampler`] names the frames it needs ([`AppearanceSampler::frames`]), takes them
//! one by one in any order ([`AppearanceSampler::add_frame`]) and gives the [`TrackCue`]s; its
//! plan ([`AppearanceSampler::boxes_at`]) is also the list of crops to embed for [`Embedding`]s.
//!
//! Limits: two players in identical kit who are never on screen together cannot be told apart by
//! colour; a track too small or always overlapped by another box has no appearance and stays an
//! identity of its own.
//!
//! ```
//! use image::{Rgb, RgbImage};
//! use touchline_core::{BBox, Label, Team, Track, TrackPoint};
//! use touchline_track::{IdentityConfig, reidentify};
//!
//! // 30 frames of grass with three players, boxes 30 x 80 px:
//! // A (red shirt, blue shorts) and C (the same kit) are on screen all along, at x = 10 and 60;
//! // B (white shirt, black shorts) at x = 120 leaves after frame 9 and comes back at frame 20.
//! let kit = |shirt: [u8; 3], shorts: [u8; 3]| (shirt, shorts);
//! let (red, white) = (kit([200, 30, 30], [30, 40, 160]), kit([235, 235, 235], [20, 20, 20]));
//! let on_screen = |x0: u32, f: usize| x0 != 120 || !(10..20).contains(&f);
//! let frames: Vec<RgbImage> = (0..30)
//!     .map(|f| {
//!         RgbImage::from_fn(180, 100, |x, y| {
//!             for (x0, (shirt, shorts)) in [(10, red), (60, red), (120, white)] {
//!                 if on_screen(x0, f) && (x0..x0 + 30).contains(&x) && (10..90).contains(&y) {
//!                     return Rgb(if y < 50 { shirt } else { shorts });
//!                 }
//!             }
//!             Rgb([40, 140, 50])
//!         })
//!     })
//!     .collect();
//! // The tracker's view: B is track 2, then a new track 3 after re-entering.
//! let track = |id: u64, x0: f32, frames: &mut dyn Iterator<Item = usize>| Track {
//!     id,
//!     label: Label::Player,
//!     team: Team::Unknown,
//!     points: frames
//!         .map(|frame| TrackPoint {
//!             frame,
//!             timestamp: frame as f64 / 25.0,
//!             bbox: BBox::new(x0, 10.0, x0 + 30.0, 90.0).unwrap(),
//!             score: 0.9,
//!         })
//!         .collect(),
//! };
//! let tracks = [
//!     track(1, 10.0, &mut (0..30)),
//!     track(4, 60.0, &mut (0..30)),
//!     track(2, 120.0, &mut (0..10)),
//!     track(3, 120.0, &mut (20..30)),
//! ];
//! let ids = reidentify(&tracks, &IdentityConfig::default(), |f| frames.get(f))?;
//!
//! // B's two tracks are one person; A and C wear the same kit but share frames: two people.
//! assert_eq!(ids.len(), 3);
//! assert_eq!(ids.identity_of(2).map(|g| g.id), ids.identity_of(3).map(|g| g.id));
//! assert_eq!(ids.identity_of(2).map(|g| g.tracks.clone()), Some(vec![2, 3]));
//! assert_ne!(ids.identity_of(1).map(|g| g.id), ids.identity_of(4).map(|g| g.id));
//! // Numbered from 1 in order of first appearance (ties: lowest track id first).
//! let order: Vec<Vec<u64>> = ids.iter().map(|g| g.tracks.clone()).collect();
//! assert_eq!(order, [vec![1], vec![2, 3], vec![4]]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use image::RgbImage;
use serde::{Deserialize, Serialize};
use touchline_core::{BBox, Label, Track};

use crate::error::{Result, TrackError, config_err};
use crate::team::srgb_to_lab;

/// Bins per Lab channel of a [`ColourAppearance`] histogram.
pub const HIST_BINS: usize = 4;
/// Length of a [`ColourAppearance`] histogram (L x a x b bins).
pub const HIST_LEN: usize = HIST_BINS * HIST_BINS * HIST_BINS;

/// Parameters of the appearance sampling and the merge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityConfig {
    /// Boxes sampled per track (evenly spread over its usable points). Default 12; at least 1.
    pub max_samples: usize,
    /// Boxes lower than this (pixels) are not sampled: too few pixels for a colour histogram.
    /// Default 40; finite, at least 0.
    pub min_box_height_px: f32,
    /// A box overlapping another person's box by more than this fraction of its area is not
    /// sampled (the colours would mix). Default 0.2; in 0..=1.
    pub max_overlap: f64,
    /// Largest appearance distance within one identity (complete linkage). Default 0.35 for the
    /// colour histograms (mean Hellinger, 0..1); for [`Embedding`]s it is a cosine distance
    /// (0..2) and needs its own value. Finite, at least 0.
    pub max_distance: f64,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        IdentityConfig { max_samples: 12, min_box_height_px: 40.0, max_overlap: 0.2, max_distance: 0.35 }
    }
}

impl IdentityConfig {
    /// Checks every value; [`TrackError::InvalidConfig`] names the first bad one.
    ///
    /// ```
    /// use touchline_track::IdentityConfig;
    /// assert!(IdentityConfig::default().validate().is_ok());
    /// let bad = IdentityConfig { max_distance: f64::NAN, ..IdentityConfig::default() };
    /// assert!(bad.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if self.max_samples == 0 {
            return Err(config_err("max_samples", "must be at least 1"));
        }
        if !(self.min_box_height_px.is_finite() && self.min_box_height_px >= 0.0) {
            return Err(config_err(
                "min_box_height_px",
                format!("must be finite and at least 0, got {}", self.min_box_height_px),
            ));
        }
        if !(0.0..=1.0).contains(&self.max_overlap) {
            return Err(config_err("max_overlap", format!("must be in 0..=1, got {}", self.max_overlap)));
        }
        if !(self.max_distance.is_finite() && self.max_distance >= 0.0) {
            return Err(config_err(
                "max_distance",
                format!("must be finite and at least 0, got {}", self.max_distance),
            ));
        }
        Ok(())
    }
}

/// A distance between two tracks' appearances, for [`merge_identities`].
///
/// Must be symmetric, at least 0 (`NaN` and negative values are rejected by the merge) and on
/// the scale of [`IdentityConfig::max_distance`]; `f64::INFINITY` means "never the same person".
pub trait AppearanceDistance {
    /// The distance of `self` to `other`; an error when the two cannot be compared (for example
    /// vectors of different lengths).
    fn distance(&self, other: &Self) -> Result<f64>;
}

/// The colour appearance of one track: mean normalised Lab histograms of the upper and lower
/// body (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColourAppearance {
    /// Upper body (rows 15-50 % of the box, middle half of its width), [`HIST_LEN`] bins summing
    /// to 1.
    pub upper: Vec<f64>,
    /// Lower body (rows 50-85 %, same columns).
    pub lower: Vec<f64>,
    /// Boxes averaged.
    pub samples: usize,
}

impl ColourAppearance {
    /// The appearance of one box of `image`; `None` when the box holds no pixel of the image
    /// (outside it, or empty).
    pub fn of_box(image: &RgbImage, bbox: &BBox) -> Option<ColourAppearance> {
        let (upper, lower) = box_histograms(image, bbox)?;
        Some(ColourAppearance { upper, lower, samples: 1 })
    }
}

impl AppearanceDistance for ColourAppearance {
    /// Mean of the upper- and lower-body Hellinger distances, in 0..1.
    fn distance(&self, other: &Self) -> Result<f64> {
        for (what, a, b) in [
            ("upper-body histogram", &self.upper, &other.upper),
            ("lower-body histogram", &self.lower, &other.lower),
        ] {
            if a.len() != b.len() {
                return Err(TrackError::LengthMismatch { what, left: a.len(), right: b.len() });
            }
            if let Some(v) = a.iter().chain(b.iter()).find(|v| !v.is_finite()) {
                return Err(TrackError::Identity { tracks: Vec::new(), reason: format!("{what} holds {v}") });
            }
        }
        Ok(0.5 * (hellinger(&self.upper, &other.upper) + hellinger(&self.lower, &other.lower)))
    }
}

/// A track's appearance from feature vectors you computed (re-id embeddings such as OSNet's):
/// the mean of the L2-normalised vectors, compared by cosine distance `1 - cos` (0 = same
/// direction, 1 = orthogonal, 2 = opposite).
///
/// ```
/// use touchline_track::{AppearanceDistance, Embedding};
/// let a = Embedding::mean_of([[1.0f32, 0.0].as_slice(), [2.0, 0.1].as_slice()])?.unwrap();
/// let b = Embedding::mean_of([[0.0f32, 3.0].as_slice()])?.unwrap();
/// assert_eq!(a.samples(), 2);
/// assert!(a.distance(&a)? < 1e-12);
/// assert!((a.distance(&b)? - 1.0).abs() < 0.05);
/// # Ok::<(), touchline_track::TrackError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Embedding {
    unit: Vec<f64>,
    samples: usize,
}

impl Embedding {
    /// The mean direction of `vectors` (each one L2-normalised first, so every box counts the
    /// same). `Ok(None)` without vectors or when they cancel out (mean of length 0);
    /// [`TrackError::InvalidEmbedding`] for an empty, non-finite or all-zero vector, or one whose
    /// length differs from the first.
    pub fn mean_of<'v>(vectors: impl IntoIterator<Item = &'v [f32]>) -> Result<Option<Embedding>> {
        let mut sum: Vec<f64> = Vec::new();
        let mut samples = 0usize;
        for (index, v) in vectors.into_iter().enumerate() {
            let bad = |reason: String| TrackError::InvalidEmbedding { index, reason };
            if v.is_empty() {
                return Err(bad("empty vector".into()));
            }
            if samples > 0 && v.len() != sum.len() {
                return Err(bad(format!("length {} differs from the first vector's {}", v.len(), sum.len())));
            }
            if let Some(x) = v.iter().find(|x| !x.is_finite()) {
                return Err(bad(format!("holds {x}")));
            }
            let norm = v.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>().sqrt();
            if norm == 0.0 {
                return Err(bad("all zeros (no direction)".into()));
            }
            if samples == 0 {
                sum = vec![0.0; v.len()];
            }
            sum.iter_mut().zip(v).for_each(|(s, &x)| *s += f64::from(x) / norm);
            samples += 1;
        }
        let norm = sum.iter().map(|x| x * x).sum::<f64>().sqrt();
        if samples == 0 || norm <= 1e-12 {
            return Ok(None);
        }
        Ok(Some(Embedding { unit: sum.iter().map(|x| x / norm).collect(), samples }))
    }

    /// The unit-length mean direction.
    pub fn as_slice(&self) -> &[f64] {
        &self.unit
    }

    /// Vectors averaged.
    pub fn samples(&self) -> usize {
        self.samples
    }
}

impl AppearanceDistance for Embedding {
    /// `1 - cos`, in 0..2.
    fn distance(&self, other: &Self) -> Result<f64> {
        if self.unit.len() != other.unit.len() {
            return Err(TrackError::LengthMismatch {
                what: "embedding dimensions",
                left: self.unit.len(),
                right: other.unit.len(),
            });
        }
        let cos: f64 = self.unit.iter().zip(&other.unit).map(|(a, b)| a * b).sum();
        Ok((1.0 - cos).clamp(0.0, 2.0))
    }
}

/// One track's input to [`merge_identities`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrackCue<A = ColourAppearance> {
    /// Tracker id (unique among the cues).
    pub id: u64,
    /// Frames with a box (any numbering shared by all cues).
    pub frames: BTreeSet<usize>,
    /// `None` when no box could be sampled: the track stays an identity of its own.
    pub appearance: Option<A>,
}

impl<A> TrackCue<A> {
    /// The cue of `track`: its id, the frames of its points and `appearance`.
    pub fn of_track(track: &Track, appearance: Option<A>) -> TrackCue<A> {
        TrackCue { id: track.id, frames: track.points.iter().map(|p| p.frame).collect(), appearance }
    }
}

/// One person: tracker ids merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// 1-based, in order of first appearance (ties: lowest track id first).
    pub id: usize,
    /// Tracker ids, ascending.
    pub tracks: Vec<u64>,
    /// First frame seen (the cues' numbering; 0 when its tracks have no frame).
    pub first_frame: usize,
    /// Last frame seen.
    pub last_frame: usize,
}

/// The result of [`merge_identities`]: every identity in order of its id, and which identity each
/// track belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Identities {
    identities: Vec<Identity>,
    by_track: BTreeMap<u64, usize>,
}

impl Identities {
    /// The identities, `identities()[i].id == i + 1`.
    pub fn identities(&self) -> &[Identity] {
        &self.identities
    }

    /// Iterates the identities in order of their id.
    pub fn iter(&self) -> std::slice::Iter<'_, Identity> {
        self.identities.iter()
    }

    /// Number of identities.
    pub fn len(&self) -> usize {
        self.identities.len()
    }

    /// `true` without tracks.
    pub fn is_empty(&self) -> bool {
        self.identities.is_empty()
    }

    /// The identity with the 1-based `id`.
    pub fn get(&self, id: usize) -> Option<&Identity> {
        id.checked_sub(1).and_then(|i| self.identities.get(i))
    }

    /// The identity holding tracker id `track`.
    pub fn identity_of(&self, track: u64) -> Option<&Identity> {
        self.by_track.get(&track).and_then(|&id| self.get(id))
    }

    /// Tracker id -> identity id, for every track merged.
    pub fn track_map(&self) -> &BTreeMap<u64, usize> {
        &self.by_track
    }
}

impl<'a> IntoIterator for &'a Identities {
    type Item = &'a Identity;
    type IntoIter = std::slice::Iter<'a, Identity>;
    fn into_iter(self) -> Self::IntoIter {
        self.identities.iter()
    }
}

fn bin(v: f64, lo: f64, hi: f64) -> usize {
    let t = ((v - lo) / (hi - lo)).clamp(0.0, 0.999_999);
    (t * HIST_BINS as f64) as usize
}

/// Normalised Lab histogram (L 0..100, a and b -50..50, clamped) of the pixels whose centre lies
/// in `[x1, x2) x [y1, y2)` of `image`, fractions of `b`; `None` when the region has no pixel.
fn region_hist(image: &RgbImage, b: &BBox, cols: [f32; 2], rows: [f32; 2]) -> Option<Vec<f64>> {
    let (w, h) = (b.width(), b.height());
    let r = BBox {
        x1: b.x1 + cols[0] * w,
        y1: b.y1 + rows[0] * h,
        x2: b.x1 + cols[1] * w,
        y2: b.y1 + rows[1] * h,
    }
    .clamp(image.width(), image.height());
    // The corners are clamped to the image (NaN becomes 0 through `max`), so the casts are in range.
    let x0 = (r.x1 - 0.5).ceil().max(0.0) as u32;
    let y0 = (r.y1 - 0.5).ceil().max(0.0) as u32;
    let x1 = (((r.x2 - 0.5).floor() + 1.0).max(0.0) as u32).min(image.width());
    let y1 = (((r.y2 - 0.5).floor() + 1.0).max(0.0) as u32).min(image.height());
    let mut hist = vec![0.0; HIST_LEN];
    let mut n = 0usize;
    for y in y0..y1 {
        for x in x0..x1 {
            let [l, a, bb] = srgb_to_lab(image.get_pixel(x, y).0);
            let i = (bin(l, 0.0, 100.0) * HIST_BINS + bin(a, -50.0, 50.0)) * HIST_BINS + bin(bb, -50.0, 50.0);
            hist[i] += 1.0;
            n += 1;
        }
    }
    if n == 0 {
        return None;
    }
    hist.iter_mut().for_each(|v| *v /= n as f64);
    Some(hist)
}

/// Upper- and lower-body histograms of one box.
fn box_histograms(image: &RgbImage, b: &BBox) -> Option<(Vec<f64>, Vec<f64>)> {
    let cols = [0.25, 0.75];
    Some((region_hist(image, b, cols, [0.15, 0.5])?, region_hist(image, b, cols, [0.5, 0.85])?))
}

/// Running mean of box histograms for one track.
#[derive(Debug, Clone, Default)]
struct ColourAcc {
    upper: Vec<f64>,
    lower: Vec<f64>,
    samples: usize,
}

impl ColourAcc {
    /// Adds the box `b` of `image`; boxes outside the image are ignored. `true` when added.
    fn add(&mut self, image: &RgbImage, b: &BBox) -> bool {
        let Some((u, l)) = box_histograms(image, b) else { return false };
        if self.samples == 0 {
            self.upper = vec![0.0; HIST_LEN];
            self.lower = vec![0.0; HIST_LEN];
        }
        self.upper.iter_mut().zip(&u).for_each(|(a, v)| *a += v);
        self.lower.iter_mut().zip(&l).for_each(|(a, v)| *a += v);
        self.samples += 1;
        true
    }

    /// The mean, `None` without samples.
    fn finish(self) -> Option<ColourAppearance> {
        if self.samples == 0 {
            return None;
        }
        let n = self.samples as f64;
        Some(ColourAppearance {
            upper: self.upper.iter().map(|v| v / n).collect(),
            lower: self.lower.iter().map(|v| v / n).collect(),
            samples: self.samples,
        })
    }
}

/// Hellinger distance of two normalised histograms: `sqrt(1 - sum sqrt(p q))`, in 0..1.
fn hellinger(p: &[f64], q: &[f64]) -> f64 {
    let bc: f64 = p.iter().zip(q).map(|(a, b)| (a * b).max(0.0).sqrt()).sum();
    (1.0 - bc).max(0.0).sqrt()
}

/// Labels taken as people by [`AppearanceSampler`] and [`reidentify`]: all but ball, goal, hoop
/// and referee.
pub fn is_person(label: &Label) -> bool {
    !matches!(label, Label::Ball | Label::Goal | Label::Hoop | Label::Referee)
}

/// Reads the colour appearance of person tracks from their frames.
///
/// [`AppearanceSampler::new`] plans, per person track ([`is_person`]), up to
/// [`IdentityConfig::max_samples`] boxes spread evenly over its points, skipping boxes lower than
/// [`IdentityConfig::min_box_height_px`] or overlapped by another person's box by more than
/// [`IdentityConfig::max_overlap`] of their area. Feed it the planned frames with
/// [`add_frame`](Self::add_frame) (any order; others are ignored), then
/// [`finish`](Self::finish) for the cues of [`merge_identities`].
///
/// ```
/// use image::RgbImage;
/// use touchline_core::{BBox, Label, Team, Track, TrackPoint};
/// use touchline_track::{AppearanceSampler, IdentityConfig};
///
/// let pt = |frame| TrackPoint { frame, timestamp: 0.0, bbox: BBox::new(0.0, 0.0, 20.0, 60.0).unwrap(), score: 1.0 };
/// let t = Track { id: 7, label: Label::Player, team: Team::Unknown, points: (0..100).map(pt).collect() };
/// let cfg = IdentityConfig { max_samples: 4, ..IdentityConfig::default() };
/// let mut s = AppearanceSampler::new(&[t], &cfg)?;
/// assert_eq!(s.frames().collect::<Vec<_>>(), [12, 37, 62, 87]);
/// let grey = RgbImage::from_pixel(40, 80, image::Rgb([128, 128, 128]));
/// for f in s.frames().collect::<Vec<_>>() {
///     assert_eq!(s.add_frame(f, &grey), 1);
/// }
/// let cues = s.finish();
/// assert_eq!(cues[0].appearance.as_ref().map(|a| a.samples), Some(4));
/// # Ok::<(), touchline_track::TrackError>(())
/// ```
#[derive(Debug, Clone)]
pub struct AppearanceSampler {
    /// Person tracks: id and frames.
    people: Vec<(u64, BTreeSet<usize>)>,
    /// Frame -> (index into `people`, box).
    plan: BTreeMap<usize, Vec<(usize, BBox)>>,
    /// Frames already read.
    done: BTreeSet<usize>,
    acc: Vec<ColourAcc>,
}

impl AppearanceSampler {
    /// Plans the samples of the person tracks among `tracks`. Errors: a bad `cfg`
    /// ([`TrackError::InvalidConfig`]), two person tracks with one id or a box with a non-finite
    /// corner ([`TrackError::Identity`]).
    pub fn new(tracks: &[Track], cfg: &IdentityConfig) -> Result<AppearanceSampler> {
        cfg.validate()?;
        let persons: Vec<&Track> = tracks.iter().filter(|t| is_person(&t.label)).collect();
        let mut seen = BTreeSet::new();
        for t in &persons {
            if !seen.insert(t.id) {
                return Err(TrackError::Identity { tracks: vec![t.id], reason: "duplicate track id".into() });
            }
            if let Some(p) = t
                .points
                .iter()
                .find(|p| ![p.bbox.x1, p.bbox.y1, p.bbox.x2, p.bbox.y2].iter().all(|v| v.is_finite()))
            {
                return Err(TrackError::Identity {
                    tracks: vec![t.id],
                    reason: format!("frame {}: box {:?} has a non-finite corner", p.frame, p.bbox),
                });
            }
        }
        let mut by_frame: BTreeMap<usize, Vec<(usize, BBox)>> = BTreeMap::new();
        for (i, t) in persons.iter().enumerate() {
            for p in &t.points {
                by_frame.entry(p.frame).or_default().push((i, p.bbox));
            }
        }
        let mut plan: BTreeMap<usize, Vec<(usize, BBox)>> = BTreeMap::new();
        for (i, t) in persons.iter().enumerate() {
            let usable: Vec<(usize, BBox)> = t
                .points
                .iter()
                .filter(|p| p.bbox.height() >= cfg.min_box_height_px)
                .filter(|p| {
                    let area = f64::from(p.bbox.area()).max(1e-6);
                    by_frame.get(&p.frame).is_none_or(|others| {
                        others.iter().all(|(j, o)| {
                            *j == i || f64::from(p.bbox.intersection(o)) / area <= cfg.max_overlap
                        })
                    })
                })
                .map(|p| (p.frame, p.bbox))
                .collect();
            let n = usable.len();
            let take = n.min(cfg.max_samples);
            for s in 0..take {
                // Evenly spread: the centre of each of `take` equal slices.
                let (f, b) = usable[(2 * s + 1) * n / (2 * take)];
                plan.entry(f).or_default().push((i, b));
            }
        }
        let people = persons.iter().map(|t| (t.id, t.points.iter().map(|p| p.frame).collect())).collect();
        Ok(AppearanceSampler {
            people,
            plan,
            done: BTreeSet::new(),
            acc: vec![ColourAcc::default(); persons.len()],
        })
    }

    /// The frames to read (the tracks' numbering), ascending.
    pub fn frames(&self) -> impl Iterator<Item = usize> + '_ {
        self.plan.keys().copied()
    }

    /// The planned boxes of `frame`: `(track id, box)`, empty for a frame not in the plan. These
    /// are also the crops to embed for [`Embedding`]s.
    pub fn boxes_at(&self, frame: usize) -> impl Iterator<Item = (u64, BBox)> + '_ {
        self.plan.get(&frame).into_iter().flatten().map(|(i, b)| (self.people[*i].0, *b))
    }

    /// Reads the planned boxes of `frame` from `image`; returns how many gave a histogram (boxes
    /// outside the image give none). Frames not in the plan, or read before, add nothing.
    pub fn add_frame(&mut self, frame: usize, image: &RgbImage) -> usize {
        let Some(boxes) = self.plan.get(&frame) else { return 0 };
        if !self.done.insert(frame) {
            return 0;
        }
        let mut added = 0;
        for (i, b) in boxes {
            if let Some(a) = self.acc.get_mut(*i)
                && a.add(image, b)
            {
                added += 1;
            }
        }
        added
    }

    /// The cues of the person tracks, in the order of the input tracks; a track whose planned
    /// frames were not read (or gave no pixel) has no appearance.
    pub fn finish(self) -> Vec<TrackCue<ColourAppearance>> {
        self.people
            .into_iter()
            .zip(self.acc)
            .map(|((id, frames), acc)| TrackCue { id, frames, appearance: acc.finish() })
            .collect()
    }
}

/// The colour cues of the person tracks among `tracks`, reading frame `f` (the tracks'
/// numbering) as `frame(f)`. A planned frame for which `frame` gives `None` is an error
/// ([`TrackError::Identity`] naming the frame and the tracks sampled there); decode on the fly
/// with an [`AppearanceSampler`] instead.
pub fn colour_cues<'a>(
    tracks: &[Track],
    cfg: &IdentityConfig,
    mut frame: impl FnMut(usize) -> Option<&'a RgbImage>,
) -> Result<Vec<TrackCue<ColourAppearance>>> {
    let mut sampler = AppearanceSampler::new(tracks, cfg)?;
    let wanted: Vec<usize> = sampler.frames().collect();
    for f in wanted {
        let Some(image) = frame(f) else {
            return Err(TrackError::Identity {
                tracks: sampler.boxes_at(f).map(|(id, _)| id).collect(),
                reason: format!("frame {f} is needed for their appearance but was not given"),
            });
        };
        sampler.add_frame(f, image);
    }
    Ok(sampler.finish())
}

/// Merges the person tracks among `tracks` into identities by their colour appearance (read
/// through `frame`, see [`colour_cues`]) and shared frames (see [`merge_identities`]).
pub fn reidentify<'a>(
    tracks: &[Track],
    cfg: &IdentityConfig,
    frame: impl FnMut(usize) -> Option<&'a RgbImage>,
) -> Result<Identities> {
    merge_identities(&colour_cues(tracks, cfg, frame)?, cfg)
}

/// Merges tracks into identities (see the module docs): complete linkage within
/// `cfg.max_distance` under the cannot-link of shared frames. Identities are numbered from 1 in
/// order of first appearance, ties by lowest track id; the result does not depend on the order of
/// `cues`. Errors: a bad `cfg` ([`TrackError::InvalidConfig`]), two cues with one id, or a
/// distance that fails, is `NaN` or negative ([`TrackError::Identity`] naming the tracks).
pub fn merge_identities<A: AppearanceDistance>(
    cues: &[TrackCue<A>],
    cfg: &IdentityConfig,
) -> Result<Identities> {
    cfg.validate()?;
    // Work in track-id order: ties then break the same way whatever the input order.
    let mut order: Vec<usize> = (0..cues.len()).collect();
    order.sort_by_key(|&i| cues[i].id);
    if let Some(w) = order.windows(2).find(|w| cues[w[0]].id == cues[w[1]].id) {
        return Err(TrackError::Identity {
            tracks: vec![cues[w[0]].id],
            reason: "duplicate track id".into(),
        });
    }
    let cues: Vec<&TrackCue<A>> = order.iter().map(|&i| &cues[i]).collect();
    let n = cues.len();
    // Pairwise: appearance distance (infinite without appearance) and shared frames, row-major.
    let mut dist = vec![f64::INFINITY; n * n];
    let mut clash = vec![false; n * n];
    for i in 0..n {
        for j in (i + 1)..n {
            let (a, b) = (cues[i], cues[j]);
            let d = match (&a.appearance, &b.appearance) {
                (Some(x), Some(y)) => {
                    let d = x.distance(y).map_err(|e| TrackError::Identity {
                        tracks: vec![a.id, b.id],
                        reason: format!("appearance distance: {e}"),
                    })?;
                    if d.is_nan() || d < 0.0 {
                        return Err(TrackError::Identity {
                            tracks: vec![a.id, b.id],
                            reason: format!("appearance distance is {d}; must be at least 0"),
                        });
                    }
                    d
                }
                _ => f64::INFINITY,
            };
            let c = frames_overlap(&a.frames, &b.frames);
            dist[i * n + j] = d;
            dist[j * n + i] = d;
            clash[i * n + j] = c;
            clash[j * n + i] = c;
        }
    }
    // Agglomerative, complete linkage, with cannot-link: `members[g]` of live groups.
    let mut members: Vec<Option<Vec<usize>>> = (0..n).map(|i| Some(vec![i])).collect();
    loop {
        let mut best: Option<(f64, usize, usize)> = None;
        for g in 0..n {
            if members[g].is_none() {
                continue;
            }
            for h in (g + 1)..n {
                if members[h].is_none() || clash[g * n + h] {
                    continue;
                }
                let d = dist[g * n + h];
                if d <= cfg.max_distance && best.is_none_or(|(bd, _, _)| d < bd) {
                    best = Some((d, g, h));
                }
            }
        }
        let Some((_, g, h)) = best else { break };
        let moved = members[h].take().unwrap_or_default();
        if let Some(m) = members[g].as_mut() {
            m.extend(moved);
        }
        // Lance-Williams update for complete linkage; a clash with either part is a clash.
        for k in 0..n {
            if k == g || k == h {
                continue;
            }
            let d = dist[g * n + k].max(dist[h * n + k]);
            let c = clash[g * n + k] || clash[h * n + k];
            dist[g * n + k] = d;
            dist[k * n + g] = d;
            clash[g * n + k] = c;
            clash[k * n + g] = c;
        }
    }
    let mut identities: Vec<Identity> = members
        .into_iter()
        .flatten()
        .map(|m| {
            let first = m.iter().filter_map(|&i| cues[i].frames.first()).min().copied();
            let last = m.iter().filter_map(|&i| cues[i].frames.last()).max().copied();
            let mut tracks: Vec<u64> = m.iter().map(|&i| cues[i].id).collect();
            tracks.sort_unstable();
            Identity { id: 0, tracks, first_frame: first.unwrap_or(0), last_frame: last.unwrap_or(0) }
        })
        .collect();
    identities.sort_by_key(|g| (g.first_frame, g.tracks.first().copied()));
    let mut by_track = BTreeMap::new();
    for (i, g) in identities.iter_mut().enumerate() {
        g.id = i + 1;
        for &t in &g.tracks {
            by_track.insert(t, g.id);
        }
    }
    Ok(Identities { identities, by_track })
}

/// Whether two frame sets share a frame (ranges first: disjoint spans need no walk).
fn frames_overlap(a: &BTreeSet<usize>, b: &BTreeSet<usize>) -> bool {
    match (a.first(), a.last(), b.first(), b.last()) {
        (Some(a0), Some(a1), Some(b0), Some(b1)) if a1 >= b0 && b1 >= a0 => {
            a.intersection(b).next().is_some()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use touchline_core::{Team, TrackPoint};

    /// A histogram with all mass in `bins` (equal shares).
    fn hist(bins: &[usize]) -> Vec<f64> {
        let mut h = vec![0.0; HIST_LEN];
        for &b in bins {
            h[b] += 1.0 / bins.len() as f64;
        }
        h
    }

    fn cue(id: u64, frames: std::ops::Range<usize>, upper: &[usize], lower: &[usize]) -> TrackCue {
        TrackCue {
            id,
            frames: frames.collect(),
            appearance: Some(ColourAppearance { upper: hist(upper), lower: hist(lower), samples: 5 }),
        }
    }

    fn merge(cues: &[TrackCue]) -> Identities {
        merge_identities(cues, &IdentityConfig::default()).unwrap()
    }

    fn groups(ids: &Identities) -> Vec<Vec<u64>> {
        ids.iter().map(|g| g.tracks.clone()).collect()
    }

    fn dist(a: &TrackCue, b: &TrackCue) -> f64 {
        a.appearance.as_ref().unwrap().distance(b.appearance.as_ref().unwrap()).unwrap()
    }

    #[test]
    fn hellinger_bounds() {
        assert!(hellinger(&hist(&[1]), &hist(&[1])) < 1e-12);
        assert!((hellinger(&hist(&[1]), &hist(&[2])) - 1.0).abs() < 1e-12);
        // Half the mass in common: sqrt(1 - sqrt(0.5)).
        let d = hellinger(&hist(&[1, 2]), &hist(&[1, 3]));
        assert!((d - (1.0 - 0.5f64).sqrt()).abs() < 1e-12, "{d}");
    }

    #[test]
    fn one_player_with_three_track_ids_is_one_identity() {
        // Same kit, slightly different lighting (one bin of five shifts), never on screen together.
        let cues = [
            cue(1, 0..40, &[10, 10, 10, 11, 20], &[30, 31]),
            cue(2, 50..120, &[10, 10, 10, 11, 21], &[30, 31]),
            cue(3, 130..200, &[10, 10, 11, 11, 20], &[30, 31]),
        ];
        let ids = merge(&cues);
        assert_eq!(groups(&ids), [vec![1, 2, 3]]);
        let g = &ids.identities()[0];
        assert_eq!((g.id, g.first_frame, g.last_frame), (1, 0, 199));
        assert_eq!(ids.track_map(), &BTreeMap::from([(1, 1), (2, 1), (3, 1)]));
    }

    #[test]
    fn two_players_taking_turns_stay_two() {
        // A (dark shirt, olive trousers) and B (white shirt, dark shorts) alternate off screen:
        // no frame is shared, so only appearance keeps them apart.
        let a = |id, r| cue(id, r, &[10, 11], &[30, 31]);
        let b = |id, r| cue(id, r, &[60, 61], &[5, 6]);
        let cues = [a(1, 0..30), b(2, 35..60), a(3, 65..90), b(4, 95..120), a(5, 125..150)];
        let ids = merge(&cues);
        assert_eq!(groups(&ids), [vec![1, 3, 5], vec![2, 4]]);
        assert_eq!(ids.iter().map(|g| g.id).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(ids.identity_of(4).map(|g| g.id), Some(2));
        assert_eq!(ids.get(2).map(|g| g.tracks.len()), Some(2));
        assert!(ids.get(0).is_none() && ids.get(3).is_none() && ids.identity_of(9).is_none());
    }

    #[test]
    fn same_shirt_different_shorts_stay_two() {
        // Teammates: same shirt, different lower body: distance 0.5 (one of two parts differs).
        let cues = [cue(1, 0..30, &[10], &[30]), cue(2, 40..70, &[10], &[5])];
        let d = dist(&cues[0], &cues[1]);
        assert!((d - 0.5).abs() < 1e-12, "{d}");
        assert_eq!(merge(&cues).len(), 2);
    }

    #[test]
    fn identical_kit_on_screen_together_stays_two() {
        // Same colours but seen in the same frames: two people.
        let cues =
            [cue(1, 0..50, &[10], &[30]), cue(2, 40..90, &[10], &[30]), cue(3, 100..120, &[10], &[30])];
        let ids = merge(&cues);
        assert_eq!(ids.len(), 2, "{ids:?}");
        // Track 3 joins one of them (the lower id on a tie), not both.
        assert_eq!(groups(&ids), [vec![1, 3], vec![2]]);
    }

    #[test]
    fn complete_linkage_does_not_chain() {
        // A drifts to B in two steps each within the threshold, but A and B are far apart.
        let cfg = IdentityConfig { max_distance: 0.4, ..IdentityConfig::default() };
        let cues =
            [cue(1, 0..10, &[1, 2], &[30]), cue(2, 20..30, &[2, 3], &[30]), cue(3, 40..50, &[3, 4], &[30])];
        assert!(dist(&cues[0], &cues[1]) <= 0.4 && dist(&cues[1], &cues[2]) <= 0.4);
        assert!(dist(&cues[0], &cues[2]) > 0.4);
        assert_eq!(merge_identities(&cues, &cfg).unwrap().len(), 2);
    }

    #[test]
    fn tracks_without_appearance_stay_alone() {
        let mut cues = vec![cue(1, 0..10, &[1], &[2]), cue(2, 20..30, &[1], &[2])];
        cues[1].appearance = None;
        assert_eq!(groups(&merge(&cues)), [vec![1], vec![2]]);
        assert!(merge(&[]).is_empty());
    }

    #[test]
    fn bad_config_and_input_are_typed_errors() {
        let cues = [cue(1, 0..10, &[1], &[2]), cue(2, 20..30, &[1], &[2])];
        for cfg in [
            IdentityConfig { max_distance: f64::NAN, ..IdentityConfig::default() },
            IdentityConfig { max_distance: -0.1, ..IdentityConfig::default() },
            IdentityConfig { max_distance: f64::INFINITY, ..IdentityConfig::default() },
            IdentityConfig { max_samples: 0, ..IdentityConfig::default() },
            IdentityConfig { min_box_height_px: f32::NAN, ..IdentityConfig::default() },
            IdentityConfig { min_box_height_px: -1.0, ..IdentityConfig::default() },
            IdentityConfig { max_overlap: 1.5, ..IdentityConfig::default() },
            IdentityConfig { max_overlap: f64::NAN, ..IdentityConfig::default() },
        ] {
            let e = merge_identities(&cues, &cfg).unwrap_err();
            assert!(matches!(e, TrackError::InvalidConfig { .. }), "{cfg:?}: {e}");
            assert!(matches!(AppearanceSampler::new(&[], &cfg), Err(TrackError::InvalidConfig { .. })));
        }
        // Duplicate ids.
        let e =
            merge_identities(&[cues[0].clone(), cues[0].clone()], &IdentityConfig::default()).unwrap_err();
        assert!(matches!(&e, TrackError::Identity { tracks, .. } if tracks == &[1]), "{e}");
        // A NaN in a histogram is an error naming both tracks, not a silent merge.
        let mut nan = cues.to_vec();
        if let Some(a) = nan[1].appearance.as_mut() {
            a.upper[0] = f64::NAN;
        }
        let e = merge_identities(&nan, &IdentityConfig::default()).unwrap_err();
        assert!(matches!(&e, TrackError::Identity { tracks, .. } if tracks == &[1, 2]), "{e}");
        // A distance of your own that is NaN or negative is rejected.
        struct Odd(f64);
        impl AppearanceDistance for Odd {
            fn distance(&self, other: &Self) -> Result<f64> {
                Ok(self.0 + other.0)
            }
        }
        for v in [f64::NAN, -0.5] {
            let odd = |id, r: std::ops::Range<usize>| TrackCue {
                id,
                frames: r.collect(),
                appearance: Some(Odd(v)),
            };
            let e = merge_identities(&[odd(8, 0..2), odd(9, 5..6)], &IdentityConfig::default()).unwrap_err();
            assert!(matches!(&e, TrackError::Identity { tracks, .. } if tracks == &[8, 9]), "{e}");
        }
        // Histograms of different lengths.
        let mut short = cues.to_vec();
        if let Some(a) = short[0].appearance.as_mut() {
            a.lower.pop();
        }
        let e = merge_identities(&short, &IdentityConfig::default()).unwrap_err();
        assert!(e.to_string().contains("lower-body histogram"), "{e}");
    }

    #[test]
    fn embeddings_merge_like_colours() {
        let e = |v: &[&[f32]]| Embedding::mean_of(v.iter().copied()).unwrap();
        let ecue = |id, r: std::ops::Range<usize>, emb| TrackCue { id, frames: r.collect(), appearance: emb };
        let a1 = e(&[&[1.0, 0.1, 0.0], &[0.9, 0.0, 0.1]]);
        let a2 = e(&[&[1.0, 0.05, 0.05]]);
        let b = e(&[&[0.0, 1.0, 0.2]]);
        let cues = [ecue(5, 0..10, a1), ecue(6, 0..10, b), ecue(7, 20..30, a2)];
        let cfg = IdentityConfig { max_distance: 0.2, ..IdentityConfig::default() };
        let ids = merge_identities(&cues, &cfg).unwrap();
        assert_eq!(groups(&ids), [vec![5, 7], vec![6]]);
        // Bad vectors are named by position.
        for (v, index) in [
            (vec![vec![1.0f32, 0.0], vec![f32::NAN, 0.0]], 1),
            (vec![vec![0.0f32, 0.0]], 0),
            (vec![vec![1.0f32, 0.0], vec![1.0]], 1),
            (vec![vec![]], 0),
        ] {
            let r = Embedding::mean_of(v.iter().map(Vec::as_slice));
            assert!(matches!(r, Err(TrackError::InvalidEmbedding { index: i, .. }) if i == index), "{v:?}");
        }
        assert_eq!(Embedding::mean_of(std::iter::empty()).unwrap(), None);
        // Opposite vectors cancel out: no direction, no appearance.
        assert_eq!(Embedding::mean_of([[1.0f32, 0.0].as_slice(), [-1.0, 0.0].as_slice()]).unwrap(), None);
        // Different dimensions cannot be compared.
        let cues = [ecue(1, 0..1, e(&[&[1.0, 0.0]])), ecue(2, 2..3, e(&[&[1.0, 0.0, 0.0]]))];
        let err = merge_identities(&cues, &cfg).unwrap_err();
        assert!(matches!(&err, TrackError::Identity { tracks, .. } if tracks == &[1, 2]), "{err}");
    }

    /// An image of grass with a player box: `shirt` above the middle, `legs` below, darkened.
    fn draw(shirt: [u8; 3], legs: [u8; 3], shade: u8) -> RgbImage {
        let mut img = RgbImage::from_pixel(100, 120, image::Rgb([150, 60, 70]));
        for y in 10..110 {
            for x in 30..70 {
                let c = if y < 60 { shirt } else { legs };
                img.put_pixel(x, y, image::Rgb(c.map(|v| v.saturating_sub(shade))));
            }
        }
        img
    }

    #[test]
    fn histograms_of_drawn_players_separate_kits() {
        // Two synthetic players on a court: dark shirt + olive trousers vs white shirt + red shorts.
        let b = BBox::new(30.0, 10.0, 70.0, 110.0).unwrap();
        let app = |img: &RgbImage| ColourAppearance::of_box(img, &b).unwrap();
        let a1 = app(&draw([40, 40, 45], [90, 95, 60], 0));
        let a2 = app(&draw([40, 40, 45], [90, 95, 60], 15)); // same kit in shade
        let b1 = app(&draw([235, 235, 235], [200, 30, 30], 0));
        assert!(a1.distance(&a2).unwrap() <= IdentityConfig::default().max_distance);
        assert!(a1.distance(&b1).unwrap() > 0.9);
        assert!((a1.upper.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // A box outside the image gives nothing.
        let outside = BBox::new(500.0, 500.0, 600.0, 700.0).unwrap();
        assert!(ColourAppearance::of_box(&draw([0; 3], [0; 3], 0), &outside).is_none());
    }

    fn pt(frame: usize, x: f32) -> TrackPoint {
        TrackPoint {
            frame,
            timestamp: frame as f64 / 30.0,
            bbox: BBox::new(x, 0.0, x + 30.0, 80.0).unwrap(),
            score: 0.9,
        }
    }

    fn person(id: u64, points: Vec<TrackPoint>) -> Track {
        Track { id, label: Label::Person, team: Team::Unknown, points }
    }

    #[test]
    fn plan_spreads_samples_and_skips_overlaps() {
        let t1 = person(1, (0..100).map(|f| pt(f, 0.0)).collect());
        // Track 2 stands on track 1 in frames 0..50.
        let t2 = person(2, (0..50).map(|f| pt(f, 5.0)).collect());
        // A ball over track 1 later on does not count as a person.
        let ball = Track { id: 3, label: Label::Ball, team: Team::Unknown, points: vec![pt(55, 0.0)] };
        let cfg = IdentityConfig { max_samples: 5, ..IdentityConfig::default() };
        let s = AppearanceSampler::new(&[t1, t2, ball], &cfg).unwrap();
        let frames: Vec<usize> = s.frames().collect();
        assert_eq!(frames, [55, 65, 75, 85, 95]);
        assert!(frames.iter().all(|&f| s.boxes_at(f).all(|(id, _)| id == 1)));
        assert_eq!(s.boxes_at(3).count(), 0);
        let cues = s.finish();
        assert_eq!(cues.iter().map(|c| c.id).collect::<Vec<_>>(), [1, 2]);
        assert!(cues.iter().all(|c| c.appearance.is_none()));
    }

    #[test]
    fn sampler_reads_each_frame_once_and_rejects_bad_tracks() {
        let img = draw([40, 40, 45], [90, 95, 60], 0);
        let t = person(4, (0..10).map(|f| pt(f, 30.0)).collect());
        let mut s = AppearanceSampler::new(std::slice::from_ref(&t), &IdentityConfig::default()).unwrap();
        assert_eq!(s.frames().count(), 10);
        assert_eq!(s.add_frame(3, &img), 1);
        assert_eq!(s.add_frame(3, &img), 0, "a frame read twice counts once");
        assert_eq!(s.add_frame(99, &img), 0);
        assert_eq!(s.finish()[0].appearance.as_ref().map(|a| a.samples), Some(1));
        // colour_cues names a frame the accessor cannot give.
        let e =
            colour_cues(std::slice::from_ref(&t), &IdentityConfig::default(), |f| (f < 5).then_some(&img))
                .unwrap_err();
        assert!(
            matches!(&e, TrackError::Identity { tracks, reason } if tracks == &[4] && reason.contains("frame 5"))
        );
        // Duplicate person ids and non-finite boxes.
        let e = AppearanceSampler::new(&[t.clone(), t.clone()], &IdentityConfig::default()).unwrap_err();
        assert!(matches!(e, TrackError::Identity { .. }), "{e}");
        let mut bad = t.clone();
        bad.points[2].bbox.x2 = f32::INFINITY;
        let e = AppearanceSampler::new(&[bad], &IdentityConfig::default()).unwrap_err();
        assert!(e.to_string().contains("frame 2"), "{e}");
    }

    /// Random cues: kit `k` of four (two share a shirt), a frame span, maybe no appearance.
    fn arb_cues() -> impl Strategy<Value = Vec<TrackCue>> {
        let kits: [(&[usize], &[usize]); 4] =
            [(&[10, 11], &[30]), (&[10, 11], &[5]), (&[60], &[5, 6]), (&[40, 41, 42], &[20])];
        prop::collection::vec((0..4usize, 0..200usize, 1..60usize, 0..3usize, any::<bool>()), 0..24).prop_map(
            move |specs| {
                specs
                    .into_iter()
                    .enumerate()
                    .map(|(i, (k, start, len, shift, seen))| {
                        let (u, l) = kits[k];
                        // Lighting: move one of the shirt's bins by `shift`.
                        let mut upper = u.to_vec();
                        upper.push(u[0] + shift);
                        let mut c = cue(i as u64 * 3 + 1, start..start + len, &upper, l);
                        if !seen {
                            c.appearance = None;
                        }
                        c
                    })
                    .collect()
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn merge_invariants(cues in arb_cues(), seed in any::<u64>()) {
            let cfg = IdentityConfig::default();
            let ids = merge_identities(&cues, &cfg).unwrap();
            // Every track in exactly one identity, the map agrees, ids are 1..=n.
            let mut all: Vec<u64> = ids.iter().flat_map(|g| g.tracks.iter().copied()).collect();
            all.sort_unstable();
            let mut want: Vec<u64> = cues.iter().map(|c| c.id).collect();
            want.sort_unstable();
            prop_assert_eq!(&all, &want);
            prop_assert_eq!(ids.track_map().len(), cues.len());
            for (i, g) in ids.iter().enumerate() {
                prop_assert_eq!(g.id, i + 1);
                prop_assert!(g.tracks.windows(2).all(|w| w[0] < w[1]));
                for t in &g.tracks {
                    prop_assert_eq!(ids.identity_of(*t).map(|x| x.id), Some(g.id));
                }
            }
            prop_assert!(ids.identities().windows(2).all(|w| w[0].first_frame <= w[1].first_frame));
            // Within an identity: no shared frame, every pair within max_distance (complete linkage).
            let by_id: BTreeMap<u64, &TrackCue> = cues.iter().map(|c| (c.id, c)).collect();
            for g in &ids {
                for (x, a) in g.tracks.iter().enumerate() {
                    for b in &g.tracks[x + 1..] {
                        let (ca, cb) = (by_id[a], by_id[b]);
                        prop_assert!(ca.frames.intersection(&cb.frames).next().is_none(), "{a} {b}");
                        prop_assert!(dist(ca, cb) <= cfg.max_distance);
                    }
                }
            }
            // The input order does not matter.
            let mut shuffled = cues.clone();
            let mut rng = touchline_core::SplitMix64::new(seed);
            for i in (1..shuffled.len()).rev() {
                let j = (rng.next_u64() % (i as u64 + 1)) as usize;
                shuffled.swap(i, j);
            }
            prop_assert_eq!(merge_identities(&shuffled, &cfg).unwrap(), ids);
        }
    }
}
