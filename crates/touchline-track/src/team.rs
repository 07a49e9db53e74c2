//! Team assignment: torso colour in CIE Lab, seeded k-means with an outlier
//! class, and per-track voting. The clustering works on any feature vectors
//! (colours or appearance embeddings).

use image::RgbImage;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use touchline_core::{BBox, Detection, Label, SplitMix64, Team, Track};

use crate::error::{Result, TrackError, config_err};

/// Converts an 8-bit sRGB colour to CIE L*a*b* (D65 white).
///
/// sRGB decoding per IEC 61966-2-1 (linear below 0.04045, else
/// `((c + 0.055) / 1.055)^2.4`), linear RGB to XYZ with the sRGB/D65 matrix,
/// and XYZ to Lab per CIE 15:2004 with `f(t) = t^(1/3)` above `(6/29)^3`
/// else `t / (3 (6/29)^2) + 4/29`, white `Xn = 0.95047, Zn = 1.08883`
/// (formulas as tabulated by B. Lindbloom, brucelindbloom.com).
///
/// ```
/// use touchline_track::srgb_to_lab;
/// let [l, a, b] = srgb_to_lab([255, 255, 255]);
/// assert!((l - 100.0).abs() < 1e-3 && a.abs() < 1e-3 && b.abs() < 1e-3);
/// let [l, a, b] = srgb_to_lab([255, 0, 0]);
/// assert!((l - 53.24).abs() < 0.01 && (a - 80.09).abs() < 0.02 && (b - 67.20).abs() < 0.02);
/// ```
pub fn srgb_to_lab(rgb: [u8; 3]) -> [f64; 3] {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    let (r, g, b) = (lin(rgb[0]), lin(rgb[1]), lin(rgb[2]));
    let x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
    let y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
    let z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
    const D: f64 = 6.0 / 29.0;
    let f = |t: f64| if t > D * D * D { t.cbrt() } else { t / (3.0 * D * D) + 4.0 / 29.0 };
    let (fx, fy, fz) = (f(x / 0.95047), f(y), f(z / 1.08883));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// The part of a player box read as the shirt, as fractions of the box:
/// columns `[x_margin, 1 - x_margin]`, rows `[top, bottom]` from the top.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TorsoRegion {
    /// Fraction of the width cut on each side. Default 0.25.
    pub x_margin: f32,
    /// Top of the region (fraction of height from the top). Default 0.15 (below the head).
    pub top: f32,
    /// Bottom of the region. Default 0.5 (the upper half).
    pub bottom: f32,
}

impl Default for TorsoRegion {
    fn default() -> Self {
        TorsoRegion { x_margin: 0.25, top: 0.15, bottom: 0.5 }
    }
}

impl TorsoRegion {
    /// The torso box of `bbox`.
    pub fn apply(&self, b: &BBox) -> BBox {
        let (w, h) = (b.width(), b.height());
        BBox {
            x1: b.x1 + self.x_margin * w,
            y1: b.y1 + self.top * h,
            x2: b.x2 - self.x_margin * w,
            y2: b.y1 + self.bottom * h,
        }
    }

    fn validate(&self) -> Result<()> {
        let ok = (0.0..0.5).contains(&self.x_margin)
            && self.top >= 0.0
            && self.top < self.bottom
            && self.bottom <= 1.0;
        if ok { Ok(()) } else { Err(config_err("torso", format!("{self:?}"))) }
    }
}

/// Median L*, a*, b* (each channel on its own) of the pixels of `image`
/// inside the torso region of `bbox`; `None` when the region holds no pixel.
///
/// ```
/// use touchline_core::BBox;
/// use touchline_track::{torso_colour, TorsoRegion};
/// let mut img = image::RgbImage::from_pixel(40, 80, image::Rgb([30, 120, 40])); // grass
/// for y in 10..40 { for x in 8..32 { img.put_pixel(x, y, image::Rgb([250, 250, 250])); } } // white shirt
/// let lab = torso_colour(&img, &BBox::new(0.0, 0.0, 40.0, 80.0)?, &TorsoRegion::default()).unwrap();
/// assert!(lab[0] > 95.0);
/// # Ok::<(), touchline_core::CoreError>(())
/// ```
pub fn torso_colour(image: &RgbImage, bbox: &BBox, region: &TorsoRegion) -> Option<[f64; 3]> {
    let r = region.apply(bbox).clamp(image.width(), image.height());
    // Pixel (x, y) covers [x, x+1); take those whose centre is inside.
    let x0 = (r.x1 - 0.5).ceil().max(0.0) as u32;
    let y0 = (r.y1 - 0.5).ceil().max(0.0) as u32;
    let x1 = ((r.x2 - 0.5).floor() + 1.0).max(0.0) as u32;
    let y1 = ((r.y2 - 0.5).floor() + 1.0).max(0.0) as u32;
    let (x1, y1) = (x1.min(image.width()), y1.min(image.height()));
    let mut ch: [Vec<f64>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for y in y0..y1 {
        for x in x0..x1 {
            let lab = srgb_to_lab(image.get_pixel(x, y).0);
            for c in 0..3 {
                ch[c].push(lab[c]);
            }
        }
    }
    if ch[0].is_empty() {
        return None;
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
    };
    Some([med(&mut ch[0]), med(&mut ch[1]), med(&mut ch[2])])
}

/// Result of [`kmeans`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KMeans {
    /// Cluster centres, `k` vectors.
    pub centres: Vec<Vec<f64>>,
    /// Cluster of each input vector.
    pub labels: Vec<usize>,
    /// Lloyd iterations run.
    pub iterations: usize,
}

fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

fn check_features<F: AsRef<[f64]>>(features: &[F]) -> Result<usize> {
    let Some(first) = features.first() else {
        return Err(TrackError::Clustering("no feature vectors".into()));
    };
    let dim = first.as_ref().len();
    if dim == 0 {
        return Err(TrackError::Clustering("feature vectors are empty".into()));
    }
    for (i, f) in features.iter().enumerate() {
        let f = f.as_ref();
        if f.len() != dim {
            return Err(TrackError::Clustering(format!(
                "vector {i} has {} values, vector 0 has {dim}",
                f.len()
            )));
        }
        if let Some(v) = f.iter().find(|v| !v.is_finite()) {
            return Err(TrackError::Clustering(format!("vector {i} holds {v}")));
        }
    }
    Ok(dim)
}

/// Lloyd's k-means with k-means++ seeding (Arthur and Vassilvitskii, 2007)
/// from a [`SplitMix64`] seeded with `seed`: the same input and seed give
/// the same result on every machine. Stops when no label changes or after
/// `max_iter` iterations. Errors on no input, `k == 0`, `k` above the
/// number of vectors, mixed lengths or non-finite values.
///
/// ```
/// use touchline_track::kmeans;
/// let pts = vec![vec![0.0, 0.0], vec![0.1, 0.0], vec![5.0, 5.0], vec![5.1, 4.9]];
/// let km = kmeans(&pts, 2, 7, 100)?;
/// assert_eq!(km.labels[0], km.labels[1]);
/// assert_ne!(km.labels[0], km.labels[2]);
/// # Ok::<(), touchline_track::TrackError>(())
/// ```
pub fn kmeans<F: AsRef<[f64]>>(features: &[F], k: usize, seed: u64, max_iter: usize) -> Result<KMeans> {
    let dim = check_features(features)?;
    let n = features.len();
    if k == 0 || k > n {
        return Err(TrackError::Clustering(format!("k = {k} with {n} vectors")));
    }
    let x = |i: usize| features[i].as_ref();
    let mut rng = SplitMix64::new(seed);
    let mut centres: Vec<Vec<f64>> = vec![x(rng.below(n)).to_vec()];
    let mut d2: Vec<f64> = (0..n).map(|i| dist2(x(i), &centres[0])).collect();
    while centres.len() < k {
        let total: f64 = d2.iter().sum();
        let pick = if total > 0.0 && total.is_finite() {
            let target = rng.uniform() * total;
            let mut acc = 0.0;
            let mut pick = n - 1;
            for (i, &d) in d2.iter().enumerate() {
                acc += d;
                if acc > target {
                    pick = i;
                    break;
                }
            }
            pick
        } else {
            rng.below(n)
        };
        centres.push(x(pick).to_vec());
        for (i, d) in d2.iter_mut().enumerate() {
            *d = d.min(dist2(x(i), &centres[centres.len() - 1]));
        }
    }
    let nearest = |c: &[Vec<f64>], p: &[f64]| {
        let mut best = (0, f64::INFINITY);
        for (j, cj) in c.iter().enumerate() {
            let d = dist2(p, cj);
            if d < best.1 {
                best = (j, d);
            }
        }
        best.0
    };
    let mut labels: Vec<usize> = (0..n).map(|i| nearest(&centres, x(i))).collect();
    let mut iterations = 0;
    for _ in 0..max_iter {
        iterations += 1;
        let mut sums = vec![vec![0.0; dim]; k];
        let mut counts = vec![0usize; k];
        for (i, &l) in labels.iter().enumerate() {
            counts[l] += 1;
            for (s, v) in sums[l].iter_mut().zip(x(i)) {
                *s += v;
            }
        }
        for j in 0..k {
            if counts[j] > 0 {
                centres[j] = sums[j].iter().map(|s| s / counts[j] as f64).collect();
            }
        }
        let new: Vec<usize> = (0..n).map(|i| nearest(&centres, x(i))).collect();
        if new == labels {
            break;
        }
        labels = new;
    }
    Ok(KMeans { centres, labels, iterations })
}

/// When a vector belongs to neither team.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum OutlierRule {
    /// Never: every vector joins its nearest team.
    None,
    /// Euclidean distance to both team centres above this value (in the
    /// units of the features: for Lab colours this is CIE76 Delta E).
    Absolute(f64),
    /// Distance to both centres above this multiple of the median distance
    /// of all vectors to their nearest centre (scale-free; suits embeddings).
    Relative(f64),
}

/// Parameters of [`cluster_teams`] and [`TeamAssigner`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamConfig {
    /// k-means seed. Default 0.
    pub seed: u64,
    /// Lloyd iterations at most. Default 100.
    pub max_iter: usize,
    /// Outlier class (referees, goalkeepers). Default `Absolute(30.0)`:
    /// 30 Delta E is several times the spread of one kit's torso medians under
    /// broadcast lighting; raise it if players of one kit become officials.
    pub outlier: OutlierRule,
    /// Torso region for colour features.
    pub torso: TorsoRegion,
    /// Labels whose boxes are sampled by [`TeamAssigner::add_frame`].
    /// Default: `Person`, `Player`, `Goalkeeper`, `Referee`.
    pub labels: Vec<Label>,
}

impl Default for TeamConfig {
    fn default() -> Self {
        TeamConfig {
            seed: 0,
            max_iter: 100,
            outlier: OutlierRule::Absolute(30.0),
            torso: TorsoRegion::default(),
            labels: vec![Label::Person, Label::Player, Label::Goalkeeper, Label::Referee],
        }
    }
}

impl TeamConfig {
    /// Checks ranges.
    pub fn validate(&self) -> Result<()> {
        match self.outlier {
            OutlierRule::Absolute(v) | OutlierRule::Relative(v) if !(v > 0.0 && v.is_finite()) => {
                return Err(config_err("outlier", format!("threshold must be positive and finite, got {v}")));
            }
            _ => {}
        }
        if self.max_iter == 0 {
            return Err(config_err("max_iter", "must be at least 1"));
        }
        self.torso.validate()
    }
}

/// Class of one vector in [`TeamClusters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TeamClass {
    /// First team cluster (the one whose centre has the larger first coordinate: for Lab, the lighter kit).
    A,
    /// Second team cluster.
    B,
    /// Far from both (referee, goalkeeper).
    Outlier,
}

impl TeamClass {
    /// `A` as [`Team::Home`], `B` as [`Team::Away`], outliers as
    /// [`Team::Officials`]. Which kit is home is not known from colour: swap
    /// with [`Team`] mapping of your own if needed.
    pub fn team(self) -> Team {
        match self {
            TeamClass::A => Team::Home,
            TeamClass::B => Team::Away,
            TeamClass::Outlier => Team::Officials,
        }
    }
}

/// Two team centres and a class per vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamClusters {
    /// Centres of `A` and `B`.
    pub centres: [Vec<f64>; 2],
    /// Class of each input vector.
    pub classes: Vec<TeamClass>,
}

impl TeamClusters {
    /// Class of a new vector under the same rule (for `Relative`, with the
    /// median distance found when clustering).
    pub fn classify(&self, v: &[f64], outlier_distance: Option<f64>) -> TeamClass {
        let (da, db) = (dist2(v, &self.centres[0]).sqrt(), dist2(v, &self.centres[1]).sqrt());
        match outlier_distance {
            Some(t) if da > t && db > t => TeamClass::Outlier,
            _ if da <= db => TeamClass::A,
            _ => TeamClass::B,
        }
    }
}

/// Splits feature vectors (torso colours, or any embedding such as OSNet
/// re-identification vectors) into two teams and an outlier class: k-means
/// with k = 2, then vectors far from both centres (per `config.outlier`)
/// are set aside and the centres re-estimated from the rest, a few rounds
/// until stable. Cluster `A` is the one whose centre has the larger first
/// coordinate, so the naming does not depend on the seed.
///
/// ```
/// use touchline_track::{cluster_teams, OutlierRule, TeamClass, TeamConfig};
/// let mut v = vec![];
/// for i in 0..5 { v.push(vec![90.0 + i as f64, 0.0, 0.0]); v.push(vec![40.0, 60.0 + i as f64, 50.0]); }
/// v.push(vec![10.0, 0.0, 0.0]); // a referee in black
/// let c = cluster_teams(&v, &TeamConfig { outlier: OutlierRule::Absolute(25.0), ..TeamConfig::default() })?;
/// assert_eq!(c.classes[0], TeamClass::A);
/// assert_eq!(c.classes[1], TeamClass::B);
/// assert_eq!(c.classes[10], TeamClass::Outlier);
/// # Ok::<(), touchline_track::TrackError>(())
/// ```
pub fn cluster_teams<F: AsRef<[f64]>>(features: &[F], config: &TeamConfig) -> Result<TeamClusters> {
    config.validate()?;
    let km = kmeans(features, 2, config.seed, config.max_iter)?;
    let mut centres = [km.centres[0].clone(), km.centres[1].clone()];
    let x = |i: usize| features[i].as_ref();
    let n = features.len();
    let mut outlier = vec![false; n];
    for _ in 0..10 {
        let dmin: Vec<f64> =
            (0..n).map(|i| dist2(x(i), &centres[0]).min(dist2(x(i), &centres[1])).sqrt()).collect();
        let thresh = match config.outlier {
            OutlierRule::None => f64::INFINITY,
            OutlierRule::Absolute(t) => t,
            OutlierRule::Relative(m) => {
                let mut d = dmin.clone();
                d.sort_by(f64::total_cmp);
                m * d[d.len() / 2]
            }
        };
        let new_out: Vec<bool> = dmin.iter().map(|&d| d > thresh).collect();
        // Lloyd iterations on the inliers only.
        let mut changed = new_out != outlier;
        outlier = new_out;
        for _ in 0..config.max_iter {
            let mut sums = [vec![0.0; centres[0].len()], vec![0.0; centres[0].len()]];
            let mut counts = [0usize; 2];
            for i in (0..n).filter(|&i| !outlier[i]) {
                let j = usize::from(dist2(x(i), &centres[1]) < dist2(x(i), &centres[0]));
                counts[j] += 1;
                for (s, v) in sums[j].iter_mut().zip(x(i)) {
                    *s += v;
                }
            }
            let mut moved = false;
            for j in 0..2 {
                if counts[j] > 0 {
                    let c: Vec<f64> = sums[j].iter().map(|s| s / counts[j] as f64).collect();
                    moved |= c != centres[j];
                    centres[j] = c;
                }
            }
            if !moved {
                break;
            }
            changed = true;
        }
        if !changed {
            break;
        }
    }
    if centres[1][0] > centres[0][0] {
        centres.swap(0, 1);
    }
    let classes = (0..n)
        .map(|i| {
            if outlier[i] {
                TeamClass::Outlier
            } else if dist2(x(i), &centres[0]) <= dist2(x(i), &centres[1]) {
                TeamClass::A
            } else {
                TeamClass::B
            }
        })
        .collect();
    Ok(TeamClusters { centres, classes })
}

/// Collects per-track features over a clip, clusters them all with
/// [`cluster_teams`], and gives each track the class most of its samples
/// got (ties: `A` before `B` before outlier), so one bad frame does not flip a
/// player's team.
///
/// ```
/// use touchline_core::{BBox, Detection, Label, Team, Track};
/// use touchline_track::{TeamAssigner, TeamConfig};
///
/// // Two white shirts, two red, on grass; one frame.
/// let mut img = image::RgbImage::from_pixel(200, 60, image::Rgb([40, 110, 40]));
/// let kit = |img: &mut image::RgbImage, x0: u32, c: [u8; 3]| {
///     for y in 0..60 { for x in x0..x0 + 20 { img.put_pixel(x, y, image::Rgb(c)); } }
/// };
/// let mut dets = vec![];
/// for (i, c) in [[250, 250, 250], [200, 20, 30], [245, 245, 240], [190, 30, 20]].into_iter().enumerate() {
///     let x0 = 10 + 45 * i as u32;
///     kit(&mut img, x0, c);
///     let mut d = Detection::new(Label::Player, 0.9, BBox::new(x0 as f32, 0.0, x0 as f32 + 20.0, 60.0)?);
///     d.track_id = Some(i as u64 + 1);
///     dets.push(d);
/// }
/// let mut ta = TeamAssigner::new(TeamConfig::default())?;
/// ta.add_frame(&img, &dets);
/// let teams = ta.assign()?;
/// assert_eq!(teams[&1], Team::Home); // the lighter kit is class A
/// assert_eq!(teams[&3], Team::Home);
/// assert_eq!(teams[&2], Team::Away);
/// let mut tracks: Vec<Track> = (1..=4).map(|id| Track { id, label: Label::Player, team: Team::Unknown, points: vec![] }).collect();
/// ta.apply(&mut tracks)?;
/// assert_eq!(tracks[3].team, Team::Away);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct TeamAssigner {
    config: TeamConfig,
    samples: Vec<(u64, Vec<f64>)>,
}

impl TeamAssigner {
    /// An assigner with a validated configuration.
    pub fn new(config: TeamConfig) -> Result<Self> {
        config.validate()?;
        Ok(TeamAssigner { config, samples: Vec::new() })
    }

    /// Adds one feature vector (a colour, an embedding) for track `id`.
    pub fn add_sample(&mut self, id: u64, feature: Vec<f64>) {
        self.samples.push((id, feature));
    }

    /// Adds the torso colour of every detection with a `track_id` and one of
    /// the configured labels; returns how many were added.
    pub fn add_frame(&mut self, image: &RgbImage, detections: &[Detection]) -> usize {
        let mut n = 0;
        for d in detections {
            let Some(id) = d.track_id else { continue };
            if !self.config.labels.contains(&d.label) {
                continue;
            }
            if let Some(lab) = torso_colour(image, &d.bbox, &self.config.torso) {
                self.samples.push((id, lab.to_vec()));
                n += 1;
            }
        }
        n
    }

    /// Number of samples so far.
    pub fn n_samples(&self) -> usize {
        self.samples.len()
    }

    /// Clusters all samples and votes per track.
    pub fn assign(&self) -> Result<BTreeMap<u64, Team>> {
        let feats: Vec<&[f64]> = self.samples.iter().map(|(_, f)| f.as_slice()).collect();
        let c = cluster_teams(&feats, &self.config)?;
        let mut votes: BTreeMap<u64, [usize; 3]> = BTreeMap::new();
        for ((id, _), cl) in self.samples.iter().zip(&c.classes) {
            let v = votes.entry(*id).or_default();
            v[*cl as usize] += 1;
        }
        Ok(votes
            .into_iter()
            .map(|(id, v)| {
                let best = if v[0] >= v[1] && v[0] >= v[2] {
                    TeamClass::A
                } else if v[1] >= v[2] {
                    TeamClass::B
                } else {
                    TeamClass::Outlier
                };
                (id, best.team())
            })
            .collect())
    }

    /// Sets `team` on every track that has samples (ball tracks are left alone).
    pub fn apply(&self, tracks: &mut [Track]) -> Result<()> {
        let teams = self.assign()?;
        for t in tracks.iter_mut().filter(|t| t.label != Label::Ball) {
            if let Some(team) = teams.get(&t.id) {
                t.team = *team;
            }
        }
        Ok(())
    }
}
