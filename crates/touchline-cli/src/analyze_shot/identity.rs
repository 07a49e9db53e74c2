//! Player identities across tracker ids, for the shooter attribution.
//!
//! ByteTrack gives a person a new id after an occlusion or after they leave and re-enter the
//! frame, so "the last player in contact with the ball" is a *track*, not a person: one player
//! shooting five times can come out as `#1`, `#2`, `#3`. Here person tracks are merged into
//! identities by two cues:
//!
//! 1. **Appearance**: per track, the mean over up to [`AppearanceConfig::max_samples`] boxes of
//!    two normalised CIE Lab colour histograms (4 x 4 x 4 bins), one of the upper body (the
//!    shirt) and one of the lower body (shorts, trousers). The distance of two tracks is the mean
//!    of the two Hellinger distances (0 = same colours, 1 = no colour in common), so a player in
//!    a dark shirt and olive trousers is far from one in a white shirt, and from one in a dark
//!    shirt and white shorts.
//! 2. **Time**: two tracks seen in the same frame are two people (a cannot-link constraint).
//!
//! Tracks are merged by complete-linkage agglomerative clustering under the constraint: the
//! closest pair of groups whose *farthest* members are within [`AppearanceConfig::max_distance`]
//! and that never share a frame is merged, until no pair qualifies. Complete linkage keeps a
//! chain of small steps (lighting drifting along the clip) from joining two different players.
//!
//! Limits: two players in identical kit who are never on screen together cannot be told apart by
//! colour; a track too small or always overlapped by another box has no appearance and stays an
//! identity of its own.

use std::collections::{BTreeMap, BTreeSet};

use image::RgbImage;
use touchline_core::{BBox, Label, Track};
use touchline_track::srgb_to_lab;

/// Bins per Lab channel.
const BINS: usize = 4;
/// Histogram length (L x a x b).
pub(crate) const HIST_LEN: usize = BINS * BINS * BINS;

/// Parameters of the appearance features and the merge.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct AppearanceConfig {
    /// Boxes sampled per track (evenly spread over its points).
    pub max_samples: usize,
    /// Boxes lower than this (pixels) are not sampled: too few pixels for a colour histogram.
    pub min_box_height_px: f32,
    /// A box overlapping another person's box by more than this fraction of its area is not
    /// sampled (the colours would mix).
    pub max_overlap: f64,
    /// Largest appearance distance (mean Hellinger, 0..1) within one identity.
    pub max_distance: f64,
}

impl Default for AppearanceConfig {
    fn default() -> Self {
        AppearanceConfig { max_samples: 12, min_box_height_px: 40.0, max_overlap: 0.2, max_distance: 0.35 }
    }
}

/// The appearance of one track: mean normalised Lab histograms of the upper and lower body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Appearance {
    /// Upper body (rows 15-50 % of the box, middle half of its width).
    pub upper: Vec<f64>,
    /// Lower body (rows 50-85 %, same columns).
    pub lower: Vec<f64>,
    /// Boxes averaged.
    pub samples: usize,
}

/// One track's input to [`merge_identities`].
#[derive(Debug, Clone)]
pub(crate) struct TrackCue {
    /// Tracker id.
    pub id: u64,
    /// Frames with a box (any consistent numbering).
    pub frames: BTreeSet<usize>,
    /// `None` when no box could be sampled.
    pub appearance: Option<Appearance>,
}

/// One person: tracker ids merged.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Identity {
    /// 1-based, in order of first appearance.
    pub id: usize,
    /// Tracker ids, ascending.
    pub tracks: Vec<u64>,
    /// First frame seen (the cues' numbering).
    pub first_frame: usize,
    /// Last frame seen.
    pub last_frame: usize,
}

fn bin(v: f64, lo: f64, hi: f64) -> usize {
    let t = ((v - lo) / (hi - lo)).clamp(0.0, 0.999_999);
    (t * BINS as f64) as usize
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
    let x0 = (r.x1 - 0.5).ceil().max(0.0) as u32;
    let y0 = (r.y1 - 0.5).ceil().max(0.0) as u32;
    let x1 = (((r.x2 - 0.5).floor() + 1.0).max(0.0) as u32).min(image.width());
    let y1 = (((r.y2 - 0.5).floor() + 1.0).max(0.0) as u32).min(image.height());
    let mut hist = vec![0.0; HIST_LEN];
    let mut n = 0usize;
    for y in y0..y1 {
        for x in x0..x1 {
            let [l, a, bb] = srgb_to_lab(image.get_pixel(x, y).0);
            let i = (bin(l, 0.0, 100.0) * BINS + bin(a, -50.0, 50.0)) * BINS + bin(bb, -50.0, 50.0);
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
pub(crate) fn box_histograms(image: &RgbImage, b: &BBox) -> Option<(Vec<f64>, Vec<f64>)> {
    let cols = [0.25, 0.75];
    Some((region_hist(image, b, cols, [0.15, 0.5])?, region_hist(image, b, cols, [0.5, 0.85])?))
}

/// Running mean of box histograms for one track.
#[derive(Debug, Clone, Default)]
pub(crate) struct AppearanceAcc {
    upper: Vec<f64>,
    lower: Vec<f64>,
    samples: usize,
}

impl AppearanceAcc {
    /// Adds the box `b` of `image`; boxes outside the image are ignored.
    pub fn add(&mut self, image: &RgbImage, b: &BBox) {
        let Some((u, l)) = box_histograms(image, b) else { return };
        if self.samples == 0 {
            self.upper = vec![0.0; HIST_LEN];
            self.lower = vec![0.0; HIST_LEN];
        }
        self.upper.iter_mut().zip(&u).for_each(|(a, v)| *a += v);
        self.lower.iter_mut().zip(&l).for_each(|(a, v)| *a += v);
        self.samples += 1;
    }

    /// The mean, `None` without samples.
    pub fn finish(self) -> Option<Appearance> {
        if self.samples == 0 {
            return None;
        }
        let n = self.samples as f64;
        Some(Appearance {
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

/// Mean of the upper- and lower-body Hellinger distances, in 0..1.
pub(crate) fn appearance_distance(a: &Appearance, b: &Appearance) -> f64 {
    0.5 * (hellinger(&a.upper, &b.upper) + hellinger(&a.lower, &b.lower))
}

/// For each person track (not ball, hoop, goal), the processed frames to sample: up to
/// `cfg.max_samples` points spread evenly, tall enough and not overlapped by another person.
/// Returns `frame -> [(track index, box)]`.
pub(crate) fn sample_plan(players: &[Track], cfg: &AppearanceConfig) -> BTreeMap<usize, Vec<(usize, BBox)>> {
    let people: Vec<usize> =
        players.iter().enumerate().filter(|(_, t)| is_person(&t.label)).map(|(i, _)| i).collect();
    let mut by_frame: BTreeMap<usize, Vec<(usize, BBox)>> = BTreeMap::new();
    for &i in &people {
        for p in &players[i].points {
            by_frame.entry(p.frame).or_default().push((i, p.bbox));
        }
    }
    let mut plan: BTreeMap<usize, Vec<(usize, BBox)>> = BTreeMap::new();
    for &i in &people {
        let usable: Vec<(usize, BBox)> = players[i]
            .points
            .iter()
            .filter(|p| p.bbox.height() >= cfg.min_box_height_px)
            .filter(|p| {
                let area = f64::from(p.bbox.area()).max(1e-6);
                by_frame.get(&p.frame).is_none_or(|others| {
                    others
                        .iter()
                        .all(|(j, o)| *j == i || f64::from(p.bbox.intersection(o)) / area <= cfg.max_overlap)
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
    plan
}

/// Labels that are people.
pub(crate) fn is_person(l: &Label) -> bool {
    !matches!(l, Label::Ball | Label::Goal | Label::Hoop | Label::Referee)
}

/// Merges tracks into identities (see the module docs). Identities are numbered from 1 in order
/// of first appearance.
pub(crate) fn merge_identities(cues: &[TrackCue], cfg: &AppearanceConfig) -> Vec<Identity> {
    let n = cues.len();
    // Pairwise: appearance distance (infinite without appearance) and shared frames.
    let mut dist = vec![vec![f64::INFINITY; n]; n];
    let mut clash = vec![vec![false; n]; n];
    for i in 0..n {
        for j in (i + 1)..n {
            let d = match (&cues[i].appearance, &cues[j].appearance) {
                (Some(a), Some(b)) => appearance_distance(a, b),
                _ => f64::INFINITY,
            };
            let c = cues[i].frames.intersection(&cues[j].frames).next().is_some();
            dist[i][j] = d;
            dist[j][i] = d;
            clash[i][j] = c;
            clash[j][i] = c;
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
                if members[h].is_none() || clash[g][h] {
                    continue;
                }
                let d = dist[g][h];
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
            let d = dist[g][k].max(dist[h][k]);
            let c = clash[g][k] || clash[h][k];
            dist[g][k] = d;
            dist[k][g] = d;
            clash[g][k] = c;
            clash[k][g] = c;
        }
    }
    let mut out: Vec<Identity> = members
        .into_iter()
        .flatten()
        .map(|m| {
            let frames: BTreeSet<usize> = m.iter().flat_map(|&i| cues[i].frames.iter().copied()).collect();
            let mut tracks: Vec<u64> = m.iter().map(|&i| cues[i].id).collect();
            tracks.sort_unstable();
            Identity {
                id: 0,
                tracks,
                first_frame: frames.first().copied().unwrap_or(0),
                last_frame: frames.last().copied().unwrap_or(0),
            }
        })
        .collect();
    out.sort_by_key(|g| (g.first_frame, g.tracks.first().copied()));
    for (i, g) in out.iter_mut().enumerate() {
        g.id = i + 1;
    }
    out
}

/// The identity holding track `id`.
pub(crate) fn identity_of(identities: &[Identity], id: u64) -> Option<&Identity> {
    identities.iter().find(|g| g.tracks.contains(&id))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            appearance: Some(Appearance { upper: hist(upper), lower: hist(lower), samples: 5 }),
        }
    }

    fn groups(ids: &[Identity]) -> Vec<Vec<u64>> {
        ids.iter().map(|g| g.tracks.clone()).collect()
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
        let ids = merge_identities(&cues, &AppearanceConfig::default());
        assert_eq!(groups(&ids), [vec![1, 2, 3]]);
        assert_eq!((ids[0].id, ids[0].first_frame, ids[0].last_frame), (1, 0, 199));
    }

    #[test]
    fn two_players_taking_turns_stay_two() {
        // A (dark shirt, olive trousers) and B (white shirt, dark shorts) alternate off screen:
        // no frame is shared, so only appearance keeps them apart.
        let a = |id, r| cue(id, r, &[10, 11], &[30, 31]);
        let b = |id, r| cue(id, r, &[60, 61], &[5, 6]);
        let cues = [a(1, 0..30), b(2, 35..60), a(3, 65..90), b(4, 95..120), a(5, 125..150)];
        let ids = merge_identities(&cues, &AppearanceConfig::default());
        assert_eq!(groups(&ids), [vec![1, 3, 5], vec![2, 4]]);
        assert_eq!(ids.iter().map(|g| g.id).collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn same_shirt_different_shorts_stay_two() {
        // Teammates: same shirt, different lower body: distance 0.5 (one of two parts differs).
        let cues = [cue(1, 0..30, &[10], &[30]), cue(2, 40..70, &[10], &[5])];
        let d =
            appearance_distance(cues[0].appearance.as_ref().unwrap(), cues[1].appearance.as_ref().unwrap());
        assert!((d - 0.5).abs() < 1e-12, "{d}");
        assert_eq!(merge_identities(&cues, &AppearanceConfig::default()).len(), 2);
    }

    #[test]
    fn identical_kit_on_screen_together_stays_two() {
        // Same colours but seen in the same frames: two people.
        let cues =
            [cue(1, 0..50, &[10], &[30]), cue(2, 40..90, &[10], &[30]), cue(3, 100..120, &[10], &[30])];
        let ids = merge_identities(&cues, &AppearanceConfig::default());
        assert_eq!(ids.len(), 2, "{ids:?}");
        // Track 3 joins one of them, not both.
        let all: Vec<u64> = ids.iter().flat_map(|g| g.tracks.clone()).collect();
        assert_eq!(all.len(), 3);
    }

    #[test]
    fn complete_linkage_does_not_chain() {
        // A drifts to B in two steps each within the threshold, but A and B are far apart.
        let cfg = AppearanceConfig { max_distance: 0.4, ..AppearanceConfig::default() };
        let cues =
            [cue(1, 0..10, &[1, 2], &[30]), cue(2, 20..30, &[2, 3], &[30]), cue(3, 40..50, &[3, 4], &[30])];
        let d = |i: usize, j: usize| {
            appearance_distance(cues[i].appearance.as_ref().unwrap(), cues[j].appearance.as_ref().unwrap())
        };
        assert!(d(0, 1) <= 0.4 && d(1, 2) <= 0.4 && d(0, 2) > 0.4);
        assert_eq!(merge_identities(&cues, &cfg).len(), 2);
    }

    #[test]
    fn tracks_without_appearance_stay_alone() {
        let mut cues = vec![cue(1, 0..10, &[1], &[2]), cue(2, 20..30, &[1], &[2])];
        cues[1].appearance = None;
        assert_eq!(groups(&merge_identities(&cues, &AppearanceConfig::default())), [vec![1], vec![2]]);
        assert!(merge_identities(&[], &AppearanceConfig::default()).is_empty());
    }

    #[test]
    fn histograms_of_drawn_players_separate_kits() {
        // Two synthetic players on a court: dark shirt + olive trousers vs white shirt + red shorts.
        let draw = |shirt: [u8; 3], legs: [u8; 3], shade: u8| {
            let mut img = RgbImage::from_pixel(100, 120, image::Rgb([150, 60, 70]));
            for y in 10..110 {
                for x in 30..70 {
                    let c = if y < 60 { shirt } else { legs };
                    img.put_pixel(x, y, image::Rgb(c.map(|v| v.saturating_sub(shade))));
                }
            }
            img
        };
        let b = BBox::new(30.0, 10.0, 70.0, 110.0).unwrap();
        let app = |img: &RgbImage| {
            let mut acc = AppearanceAcc::default();
            acc.add(img, &b);
            acc.finish().unwrap()
        };
        let a1 = app(&draw([40, 40, 45], [90, 95, 60], 0));
        let a2 = app(&draw([40, 40, 45], [90, 95, 60], 15)); // same kit in shade
        let b1 = app(&draw([235, 235, 235], [200, 30, 30], 0));
        assert!(appearance_distance(&a1, &a2) <= AppearanceConfig::default().max_distance);
        assert!(appearance_distance(&a1, &b1) > 0.9);
        // A box outside the image adds nothing.
        let mut acc = AppearanceAcc::default();
        acc.add(&draw([0; 3], [0; 3], 0), &BBox::new(500.0, 500.0, 600.0, 700.0).unwrap());
        assert!(acc.finish().is_none());
    }

    #[test]
    fn plan_spreads_samples_and_skips_overlaps() {
        use touchline_core::TrackPoint;
        let pt = |frame: usize, x: f32| TrackPoint {
            frame,
            timestamp: frame as f64 / 30.0,
            bbox: BBox::new(x, 0.0, x + 30.0, 80.0).unwrap(),
            score: 0.9,
        };
        let t1 = Track {
            id: 1,
            label: Label::Person,
            team: touchline_core::Team::Unknown,
            points: (0..100).map(|f| pt(f, 0.0)).collect(),
        };
        // Track 2 stands on track 1 in frames 0..50.
        let t2 = Track {
            id: 2,
            label: Label::Person,
            team: touchline_core::Team::Unknown,
            points: (0..50).map(|f| pt(f, 5.0)).collect(),
        };
        let cfg = AppearanceConfig { max_samples: 5, ..AppearanceConfig::default() };
        let plan = sample_plan(&[t1, t2], &cfg);
        let f1: Vec<usize> =
            plan.iter().filter(|(_, v)| v.iter().any(|(i, _)| *i == 0)).map(|(f, _)| *f).collect();
        assert_eq!(f1, [55, 65, 75, 85, 95]);
        assert!(plan.values().all(|v| v.iter().all(|(i, _)| *i == 0)));
    }
}
