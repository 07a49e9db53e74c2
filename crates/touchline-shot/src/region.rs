//! Goal and hoop regions: user polygons, a homography, and finders that
//! locate a football goal frame or a basketball rim in an image.

use image::RgbImage;
use serde::{Deserialize, Serialize};
use touchline_core::BBox;

use crate::error::{Result, invalid};

/// Where a region came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegionSource {
    /// Given by the user.
    User,
    /// From a homography and known goal geometry.
    Homography,
    /// From a detector with a goal or hoop class.
    Detector,
    /// Found by [`find_football_goal`].
    GoalFinder,
    /// Found by [`find_hoop`].
    HoopFinder,
}

/// A goal mouth (football) or rim opening (basketball) in image pixels: a
/// simple polygon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalRegion {
    /// Vertices in order (pixels).
    pub polygon: Vec<[f64; 2]>,
    /// Where it came from.
    pub source: RegionSource,
}

impl GoalRegion {
    /// A polygon of at least 3 finite vertices with a non-zero area.
    pub fn from_polygon(polygon: Vec<[f64; 2]>, source: RegionSource) -> Result<GoalRegion> {
        if polygon.len() < 3 {
            return Err(invalid("goal polygon", format!("needs >= 3 vertices, got {}", polygon.len())));
        }
        if let Some((i, p)) =
            polygon.iter().enumerate().find(|(_, p)| !(p[0].is_finite() && p[1].is_finite()))
        {
            return Err(invalid("goal polygon", format!("vertex {i} ({}, {}) is not finite", p[0], p[1])));
        }
        let r = GoalRegion { polygon, source };
        if r.area() <= 0.0 {
            return Err(invalid("goal polygon", "has zero area"));
        }
        Ok(r)
    }

    /// An axis-aligned box `x1 < x2`, `y1 < y2`.
    pub fn from_box(x1: f64, y1: f64, x2: f64, y2: f64, source: RegionSource) -> Result<GoalRegion> {
        if !(x1 < x2 && y1 < y2) {
            return Err(invalid(
                "goal box",
                format!("need x1 < x2 and y1 < y2, got ({x1}, {y1}, {x2}, {y2})"),
            ));
        }
        GoalRegion::from_polygon(vec![[x1, y1], [x2, y1], [x2, y2], [x1, y2]], source)
    }

    /// From a detector's goal or hoop box.
    pub fn from_bbox(b: &BBox) -> Result<GoalRegion> {
        let f = f64::from;
        GoalRegion::from_box(f(b.x1), f(b.y1), f(b.x2), f(b.y2), RegionSource::Detector)
    }

    /// The goal mouth from a pitch homography: the two post feet `a` and `b`
    /// in pitch metres are mapped into the image, and the crossbar is placed
    /// `height_m` above them using the image scale along the goal line
    /// (a fronto-parallel approximation, fine for goals seen near head-on).
    pub fn from_homography(h: &Homography, a: [f64; 2], b: [f64; 2], height_m: f64) -> Result<GoalRegion> {
        let (pa, pb) = (h.to_image(a)?, h.to_image(b)?);
        let metres = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
        let px = ((pa[0] - pb[0]).powi(2) + (pa[1] - pb[1]).powi(2)).sqrt();
        if !(metres > 0.0 && height_m > 0.0 && height_m.is_finite()) {
            return Err(invalid("goal geometry", format!("posts {metres} m apart, height {height_m} m")));
        }
        let up = height_m * px / metres;
        GoalRegion::from_polygon(
            vec![[pa[0], pa[1] - up], [pb[0], pb[1] - up], pb, pa],
            RegionSource::Homography,
        )
    }

    /// Shoelace area (pixels²).
    pub fn area(&self) -> f64 {
        let n = self.polygon.len();
        let s: f64 = (0..n)
            .map(|i| {
                let (p, q) = (self.polygon[i], self.polygon[(i + 1) % n]);
                p[0] * q[1] - q[0] * p[1]
            })
            .sum();
        (s / 2.0).abs()
    }

    /// Whether a point is inside (even-odd rule).
    pub fn contains(&self, p: [f64; 2]) -> bool {
        let n = self.polygon.len();
        let mut inside = false;
        let mut j = n - 1;
        for i in 0..n {
            let (a, b) = (self.polygon[i], self.polygon[j]);
            if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0] {
                inside = !inside;
            }
            j = i;
        }
        inside
    }

    /// Bounding box `[x1, y1, x2, y2]`.
    pub fn bounds(&self) -> [f64; 4] {
        let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for p in &self.polygon {
            b = [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])];
        }
        b
    }

    /// Centre of the bounding box.
    pub fn centre(&self) -> [f64; 2] {
        let b = self.bounds();
        [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0]
    }
}

/// A plane homography from image pixels to pitch metres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Homography {
    /// Row-major 3x3 matrix, image -> world.
    pub m: [[f64; 3]; 3],
}

impl Homography {
    /// Validates a finite, invertible matrix.
    pub fn new(m: [[f64; 3]; 3]) -> Result<Homography> {
        let h = Homography { m };
        if m.iter().flatten().any(|v| !v.is_finite()) || h.det().abs() < 1e-12 {
            return Err(invalid("homography", format!("must be finite and invertible, got {m:?}")));
        }
        Ok(h)
    }

    fn det(&self) -> f64 {
        let m = &self.m;
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    }

    fn apply(m: &[[f64; 3]; 3], p: [f64; 2]) -> Result<[f64; 2]> {
        let w = m[2][0] * p[0] + m[2][1] * p[1] + m[2][2];
        if w.abs() < 1e-12 || !w.is_finite() {
            return Err(invalid("homography", format!("point ({}, {}) maps to infinity", p[0], p[1])));
        }
        Ok([(m[0][0] * p[0] + m[0][1] * p[1] + m[0][2]) / w, (m[1][0] * p[0] + m[1][1] * p[1] + m[1][2]) / w])
    }

    /// Image pixel -> world metres.
    pub fn to_world(&self, p: [f64; 2]) -> Result<[f64; 2]> {
        Homography::apply(&self.m, p)
    }

    /// World metres -> image pixel.
    pub fn to_image(&self, p: [f64; 2]) -> Result<[f64; 2]> {
        let m = &self.m;
        let d = self.det();
        let c = |a: usize, b: usize, c: usize, e: usize| m[a][b] * m[c][e] - m[a][e] * m[c][b];
        let inv = [
            [c(1, 1, 2, 2) / d, -c(0, 1, 2, 2) / d, c(0, 1, 1, 2) / d],
            [-c(1, 0, 2, 2) / d, c(0, 0, 2, 2) / d, -c(0, 0, 1, 2) / d],
            [c(1, 0, 2, 1) / d, -c(0, 0, 2, 1) / d, c(0, 0, 1, 1) / d],
        ];
        Homography::apply(&inv, p)
    }
}

/// A football goal found in an image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoundGoal {
    /// The goal mouth between the posts, from the crossbar to the post feet.
    pub region: GoalRegion,
    /// Left post centre x (pixels).
    pub left_post_x: f64,
    /// Right post centre x.
    pub right_post_x: f64,
    /// Crossbar y (top of the posts; the image top when the bar is cut off).
    pub crossbar_y: f64,
    /// Post feet y (goal line).
    pub base_y: f64,
    /// Whether a white crossbar was seen between the posts.
    pub crossbar_seen: bool,
}

fn is_white(p: &image::Rgb<u8>) -> bool {
    let [r, g, b] = p.0;
    let (lo, hi) = (r.min(g).min(b), r.max(g).max(b));
    lo >= 165 && hi - lo <= 50
}

/// Finds a football goal frame from its white posts and crossbar.
///
/// White pixels (all channels >= 165, spread <= 50) are projected per
/// column: each column's longest vertical white run (bridging breaks of up to
/// 4 px, where the net or a player crosses the post) is a post candidate when
/// it is at least 20% of the image height. Adjacent candidate columns merge
/// into posts; the chosen pair is the widest-apart pair (at least 15% of the
/// width) with similar feet (within 8% of the height) and similar lengths.
/// The crossbar is the topmost row near the posts' tops that is white over
/// at least half the span between them. Returns `None` when no pair fits.
pub fn find_football_goal(img: &RgbImage) -> Option<FoundGoal> {
    let (w, h) = img.dimensions();
    if w < 16 || h < 16 {
        return None;
    }
    let min_run = (h as f64 * 0.2) as u32;
    // (x, run start, run end exclusive)
    let mut cols: Vec<(u32, u32, u32)> = Vec::new();
    for x in 0..w {
        let (mut best, mut cur_start, mut last_white, mut in_run) = ((0, 0), 0u32, 0u32, false);
        for y in 0..h {
            if is_white(img.get_pixel(x, y)) {
                if !in_run || y > last_white + 5 {
                    cur_start = y;
                }
                in_run = true;
                last_white = y;
                if last_white + 1 - cur_start > best.1 - best.0 {
                    best = (cur_start, last_white + 1);
                }
            }
        }
        if best.1 - best.0 >= min_run {
            cols.push((x, best.0, best.1));
        }
    }
    // Merge adjacent columns into posts: (x centre, top, bottom).
    let mut posts: Vec<(f64, f64, f64)> = Vec::new();
    let mut i = 0;
    while i < cols.len() {
        let mut j = i + 1;
        while j < cols.len() && cols[j].0 <= cols[j - 1].0 + 2 {
            j += 1;
        }
        let grp = &cols[i..j];
        if grp.len() <= (w as usize / 40).max(3) {
            let mut tops: Vec<f64> = grp.iter().map(|c| f64::from(c.1)).collect();
            let mut bots: Vec<f64> = grp.iter().map(|c| f64::from(c.2)).collect();
            let xc = grp.iter().map(|c| f64::from(c.0)).sum::<f64>() / grp.len() as f64;
            if let (Some(t), Some(b)) = (crate::track::median(&mut tops), crate::track::median(&mut bots)) {
                posts.push((xc, t, b));
            }
        }
        i = j;
    }
    let (wf, hf) = (f64::from(w), f64::from(h));
    let mut best: Option<(f64, FoundGoal)> = None;
    for a in 0..posts.len() {
        for b in a + 1..posts.len() {
            let (pa, pb) = (posts[a], posts[b]);
            let sep = pb.0 - pa.0;
            let (la, lb) = (pa.2 - pa.1, pb.2 - pb.1);
            if sep < 0.15 * wf || (pa.2 - pb.2).abs() > 0.08 * hf || la.min(lb) < 0.6 * la.max(lb) {
                continue;
            }
            // Crossbar: a row near the tops, white over half the span.
            let top = pa.1.min(pb.1);
            let y_lo = (top - 0.03 * hf).max(0.0) as u32;
            let y_hi = ((top + 0.05 * hf) as u32).min(h - 1);
            let (x0, x1) = (pa.0 as u32, pb.0 as u32);
            let mut bar = None;
            for y in y_lo..=y_hi {
                let white = (x0..x1).filter(|&x| is_white(img.get_pixel(x, y))).count();
                if white as f64 >= 0.5 * f64::from(x1 - x0) {
                    bar = Some(f64::from(y));
                    break;
                }
            }
            let base = 0.5 * (pa.2 + pb.2);
            let crossbar_y = bar.unwrap_or(top);
            let score = sep * (la + lb) * if bar.is_some() { 2.0 } else { 1.0 };
            if best.as_ref().is_none_or(|(s, _)| score > *s)
                && let Ok(region) =
                    GoalRegion::from_box(pa.0, crossbar_y, pb.0, base, RegionSource::GoalFinder)
            {
                let g = FoundGoal {
                    region,
                    left_post_x: pa.0,
                    right_post_x: pb.0,
                    crossbar_y,
                    base_y: base,
                    crossbar_seen: bar.is_some(),
                };
                best = Some((score, g));
            }
        }
    }
    best.map(|b| b.1)
}

/// A basketball rim found in an image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoundHoop {
    /// Box around the rim (and its bracket): the opening the ball drops through.
    pub region: GoalRegion,
    /// The rim's height in the image (y of the rim plane, pixels).
    pub rim_y: f64,
    /// Left and right ends of the rim region (pixels).
    pub rim_x: [f64; 2],
    /// The orange/red hardware blob the search started from `[x1, y1, x2, y2]`.
    pub seed: [f64; 4],
}

fn redness(p: &image::Rgb<u8>) -> i32 {
    let [r, g, b] = p.0.map(i32::from);
    if r < 80 { 0 } else { r - g.max(b) }
}

/// Finds a basketball rim from its orange/red colour under a bright backboard.
///
/// 1. Seed: 8-connected blobs of strongly red/orange pixels (`r - max(g, b)`
///    at least 20, `r` at least 80) in the upper 75% of the image, 12 px to 2% of the
///    image in area, with a bright, grey region (the backboard: mean min
///    channel >= 90, mean spread <= 40) right above them. The largest such
///    blob wins (on a real rim it is the rim bracket, where the colour is
///    thickest).
/// 2. Rim: in a band of rows from a little above the seed's top down to its
///    top, the runs of dark or reddish pixels (the rim seen against the
///    backboard or sky) that touch the seed's columns give the rim's
///    horizontal extent; `rim_y` is the middle of that band.
///
/// Returns `None` when no blob qualifies.
pub fn find_hoop(img: &RgbImage) -> Option<FoundHoop> {
    let (w, h) = img.dimensions();
    if w < 16 || h < 16 {
        return None;
    }
    let hmax = (f64::from(h) * 0.75) as u32;
    let seed_mask: Vec<bool> = (0..w as usize * hmax as usize)
        .map(|k| redness(img.get_pixel(k as u32 % w, k as u32 / w)) >= 20)
        .collect();
    let blobs = components(&seed_mask, w, hmax);
    let max_area = (f64::from(w) * f64::from(h) * 0.02) as usize;
    let mut best: Option<(usize, [u32; 4])> = None;
    for (area, [x0, y0, x1, y1]) in blobs {
        if area < 12 || area > max_area {
            continue;
        }
        let (bw, bh) = (x1 - x0, y1 - y0);
        let ay0 = y0.saturating_sub(2 * bh + 4);
        let ax0 = x0.saturating_sub(bw / 2);
        let ax1 = (x1 + bw / 2).min(w);
        let (mut n, mut lo_sum, mut spread_sum) = (0u64, 0u64, 0u64);
        for y in ay0..y0 {
            for x in ax0..ax1 {
                let [r, g, b] = img.get_pixel(x, y).0;
                let (lo, hi) = (r.min(g).min(b), r.max(g).max(b));
                n += 1;
                lo_sum += u64::from(lo);
                spread_sum += u64::from(hi - lo);
            }
        }
        if n == 0 || lo_sum < 90 * n || spread_sum > 40 * n {
            continue;
        }
        if best.is_none_or(|(a, _)| area > a) {
            best = Some((area, [x0, y0, x1, y1]));
        }
    }
    let (_, [x0, y0, x1, y1]) = best?;
    let sh = (y1 - y0).max(4);
    let band = (y0.saturating_sub(sh), y0 + 2);
    let rimlike = |x: u32, y: u32| {
        let p = img.get_pixel(x, y);
        let hi = p.0.iter().copied().max().unwrap_or(0);
        hi < 115 || redness(p) >= 10
    };
    let mut row_runs: Vec<Vec<(u32, u32)>> = Vec::new();
    for y in band.0..band.1.min(h) {
        let mut runs: Vec<(u32, u32)> = Vec::new();
        let mut x = 0;
        while x < w {
            if rimlike(x, y) {
                let s = x;
                while x < w && rimlike(x, y) {
                    x += 1;
                }
                // Bridge small breaks (the rim's colour fades where light hits it).
                match runs.last_mut() {
                    Some(m) if s <= m.1 + 4 => m.1 = x,
                    _ => runs.push((s, x)),
                }
            } else {
                x += 1;
            }
        }
        row_runs.push(runs);
    }
    // Grow the extent from the seed's columns through runs that touch it.
    let (mut left, mut right) = (x0, x1);
    let max_len = 6 * (x1 - x0).max(8);
    let mut rows = 0;
    for _ in 0..4 {
        let (l0, r0) = (left, right);
        rows = 0;
        for runs in &row_runs {
            for &(s, e) in runs {
                if e + 3 >= left && s <= right + 3 && e - s <= max_len {
                    left = left.min(s);
                    right = right.max(e);
                    rows += 1;
                }
            }
        }
        if (left, right) == (l0, r0) {
            break;
        }
    }
    if rows == 0 {
        return None;
    }
    let rim_y = 0.5 * (f64::from(band.0) + f64::from(y0));
    let half_h = f64::from(sh).max(4.0);
    let region = GoalRegion::from_box(
        f64::from(left),
        rim_y - half_h,
        f64::from(right),
        rim_y + half_h,
        RegionSource::HoopFinder,
    )
    .ok()?;
    Some(FoundHoop {
        region,
        rim_y,
        rim_x: [f64::from(left), f64::from(right)],
        seed: [f64::from(x0), f64::from(y0), f64::from(x1), f64::from(y1)],
    })
}

/// 8-connected components of a row-major mask: `(area, [x0, y0, x1, y1])`
/// with exclusive ends.
fn components(mask: &[bool], w: u32, h: u32) -> Vec<(usize, [u32; 4])> {
    let (wu, hu) = (w as usize, h as usize);
    let mut seen = vec![false; mask.len()];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut area, mut b) = (0usize, [usize::MAX, usize::MAX, 0usize, 0usize]);
        while let Some(k) = stack.pop() {
            let (x, y) = (k % wu, k / wu);
            area += 1;
            b = [b[0].min(x), b[1].min(y), b[2].max(x + 1), b[3].max(y + 1)];
            for dy in [-1isize, 0, 1] {
                for dx in [-1isize, 0, 1] {
                    let (nx, ny) = (x as isize + dx, y as isize + dy);
                    if nx < 0 || ny < 0 || nx >= wu as isize || ny >= hu as isize {
                        continue;
                    }
                    let nk = ny as usize * wu + nx as usize;
                    if mask[nk] && !seen[nk] {
                        seen[nk] = true;
                        stack.push(nk);
                    }
                }
            }
        }
        let c = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        out.push((area, [c(b[0]), c(b[1]), c(b[2]), c(b[3])]));
    }
    out
}
