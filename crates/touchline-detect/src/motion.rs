//! [`MotionBallDetector`]: classical ball candidates for static cameras, no model needed.
//!
//! A running background (exponential moving average of luma) is subtracted from each frame;
//! pixels that changed by more than `diff_threshold` form blobs (8-connected), and blobs of a
//! ball's size and shape are reported as [`Label::Ball`] candidates: area within
//! `min_area..=max_area`, bounding-box aspect at most `max_aspect`, and a fill ratio (blob
//! area / box area) near a disc's pi/4. An optional colour keeps blobs whose mean colour is
//! near the ball's (an orange basketball, a white football). Scores rank candidates by shape;
//! they are not probabilities. Meant for fixed cameras (a panning camera moves everything).

use image::RgbImage;
use touchline_core::{BBox, Detection, Detector, Frame, Label};

use crate::DetectError;

/// Settings of [`MotionBallDetector`].
#[derive(Debug, Clone, PartialEq)]
pub struct MotionBallConfig {
    /// Background learning rate per frame (`0 < alpha <= 1`).
    pub alpha: f32,
    /// Luma change (0..255) that marks a pixel as moving.
    pub diff_threshold: f32,
    /// Smallest blob area in pixels.
    pub min_area: usize,
    /// Largest blob area in pixels.
    pub max_area: usize,
    /// Largest bounding-box aspect ratio (long side / short side).
    pub max_aspect: f32,
    /// Smallest fill ratio (blob area / box area); a disc has pi/4 = 0.785.
    pub min_fill: f32,
    /// Ball colour (RGB) and the largest mean-colour distance (0..442) accepted.
    pub color: Option<([u8; 3], f32)>,
    /// Most candidates per frame, best first.
    pub max_candidates: usize,
}

impl Default for MotionBallConfig {
    /// Balls of 3x3 to 40x40 px, change threshold 25, alpha 0.05, any colour, 10 candidates.
    fn default() -> Self {
        MotionBallConfig {
            alpha: 0.05,
            diff_threshold: 25.0,
            min_area: 9,
            max_area: 1600,
            max_aspect: 1.8,
            min_fill: 0.45,
            color: None,
            max_candidates: 10,
        }
    }
}

/// Ball candidates from frame differencing against a running background (see the module
/// docs). The first frame (and any frame of a new size) only initialises the background.
///
/// ```
/// use touchline_core::{Detector, Frame, Label};
/// use touchline_detect::{MotionBallConfig, MotionBallDetector};
/// let mut det = MotionBallDetector::new(MotionBallConfig::default())?;
/// let grass = image::RgbImage::from_pixel(120, 80, image::Rgb([40, 120, 40]));
/// assert!(det.detect(&Frame::new(0, 0.0, grass.clone()))?.is_empty()); // background
/// let mut with_ball = grass.clone();
/// for y in 30..40u32 {
///     for x in 60..70u32 {
///         if (x as f32 - 64.5).powi(2) + (y as f32 - 34.5).powi(2) <= 25.0 {
///             with_ball.put_pixel(x, y, image::Rgb([250, 250, 250]));
///         }
///     }
/// }
/// let found = det.detect(&Frame::new(1, 0.04, with_ball))?;
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].label, Label::Ball);
/// let [cx, cy] = found[0].bbox.center();
/// assert!((cx - 65.0).abs() < 1.0 && (cy - 35.0).abs() < 1.0);
/// # Ok::<(), touchline_detect::DetectError>(())
/// ```
#[derive(Debug, Clone)]
pub struct MotionBallDetector {
    config: MotionBallConfig,
    background: Vec<f32>,
    size: (u32, u32),
}

impl MotionBallDetector {
    /// A detector with `config`, checked.
    pub fn new(config: MotionBallConfig) -> Result<Self, DetectError> {
        let bad = |name: &'static str, reason: String| Err(DetectError::Config { name, reason });
        if !(config.alpha > 0.0 && config.alpha <= 1.0) {
            return bad("alpha", format!("{} outside (0, 1]", config.alpha));
        }
        if !(config.diff_threshold.is_finite() && config.diff_threshold >= 0.0) {
            return bad("diff_threshold", format!("{} not a finite value >= 0", config.diff_threshold));
        }
        if config.min_area == 0 || config.min_area > config.max_area {
            return bad("min_area/max_area", format!("need 1 <= {} <= {}", config.min_area, config.max_area));
        }
        if !(config.max_aspect >= 1.0 && config.max_aspect.is_finite()) {
            return bad("max_aspect", format!("{} below 1", config.max_aspect));
        }
        if !(0.0..=1.0).contains(&config.min_fill) {
            return bad("min_fill", format!("{} outside 0..=1", config.min_fill));
        }
        if let Some((_, tol)) = config.color
            && !(tol.is_finite() && tol >= 0.0)
        {
            return bad("color", format!("tolerance {tol} not a finite value >= 0"));
        }
        Ok(MotionBallDetector { config, background: Vec::new(), size: (0, 0) })
    }

    /// Forgets the background (after a cut or a camera move).
    pub fn reset(&mut self) {
        self.background.clear();
        self.size = (0, 0);
    }
}

fn luma(p: &[u8]) -> f32 {
    0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2])
}

impl Detector for MotionBallDetector {
    type Error = DetectError;

    fn detect(&mut self, frame: &Frame) -> Result<Vec<Detection>, DetectError> {
        let (w, h) = frame.size();
        if w == 0 || h == 0 {
            return Err(DetectError::EmptyFrame { frame: frame.index });
        }
        let raw = frame.image.as_raw();
        let (wu, hu) = (w as usize, h as usize);
        let c = &self.config;
        if self.size != (w, h) || self.background.len() != wu * hu {
            self.background = raw.chunks_exact(3).map(luma).collect();
            self.size = (w, h);
            return Ok(Vec::new());
        }
        let mut moving = vec![false; wu * hu];
        for ((m, bg), px) in moving.iter_mut().zip(self.background.iter_mut()).zip(raw.chunks_exact(3)) {
            let l = luma(px);
            *m = (l - *bg).abs() > c.diff_threshold;
            *bg += c.alpha * (l - *bg);
        }
        blobs(&mut moving, raw, wu, hu, c)
    }
}

/// Ball candidates at the middle of three frames by three-frame differencing: a pixel moves when
/// its luma differs by more than `config.diff_threshold` from both `prev` and `next`, which keeps
/// an object's position in `cur` and drops where it was before and will be after (two-frame
/// differencing reports both). Blobs are filtered as in [`MotionBallDetector`] (area, aspect,
/// fill, colour; `alpha` is unused). Only pixels inside `roi` (if given) are looked at.
///
/// Meant for a short window of a static camera, such as a shot's flight seen from behind the
/// kicker. A repeated frame (`cur` equal to `prev`, as in 25 to 30 fps conversions) has no
/// moving pixels and gives nothing: pass the nearest frames that differ instead.
///
/// ```
/// use image::{Rgb, RgbImage};
/// use touchline_detect::{motion_between, MotionBallConfig};
/// let ball_at = |x: u32| {
///     let mut img = RgbImage::from_pixel(160, 60, Rgb([40, 120, 40]));
///     for y in 24..36u32 {
///         for xx in x - 6..x + 6 {
///             if (xx as f32 + 0.5 - x as f32).powi(2) + (y as f32 + 0.5 - 30.0).powi(2) <= 36.0 {
///                 img.put_pixel(xx, y, Rgb([250, 250, 250]));
///             }
///         }
///     }
///     img
/// };
/// let found = motion_between(&ball_at(30), &ball_at(70), &ball_at(110), None, &MotionBallConfig::default())?;
/// assert_eq!(found.len(), 1);
/// let [x, y] = found[0].bbox.center();
/// assert!((x - 70.0).abs() < 1.0 && (y - 30.0).abs() < 1.0);
/// # Ok::<(), touchline_detect::DetectError>(())
/// ```
pub fn motion_between(
    prev: &RgbImage,
    cur: &RgbImage,
    next: &RgbImage,
    roi: Option<&BBox>,
    config: &MotionBallConfig,
) -> Result<Vec<Detection>, DetectError> {
    MotionBallDetector::new(config.clone())?;
    let (w, h) = cur.dimensions();
    if w == 0 || h == 0 {
        return Err(DetectError::Config { name: "frame", reason: "empty image".into() });
    }
    for (name, img) in [("prev", prev), ("next", next)] {
        if img.dimensions() != (w, h) {
            return Err(DetectError::Config {
                name,
                reason: format!("{}x{} differs from the middle frame's {w}x{h}", img.width(), img.height()),
            });
        }
    }
    let (wu, hu) = (w as usize, h as usize);
    let clamp = |v: f32, hi: usize| if v.is_finite() { (v.max(0.0) as usize).min(hi) } else { 0 };
    let [x1, y1, x2, y2] = match roi {
        Some(b) => [clamp(b.x1, wu), clamp(b.y1, hu), clamp(b.x2.ceil(), wu), clamp(b.y2.ceil(), hu)],
        None => [0, 0, wu, hu],
    };
    let (a, b, c) = (prev.as_raw(), cur.as_raw(), next.as_raw());
    let t = config.diff_threshold;
    let mut moving = vec![false; wu * hu];
    for y in y1..y2 {
        for x in x1..x2 {
            let i = y * wu + x;
            let p = i * 3..i * 3 + 3;
            let l = luma(&b[p.clone()]);
            moving[i] = (l - luma(&a[p.clone()])).abs() > t && (l - luma(&c[p])).abs() > t;
        }
    }
    blobs(&mut moving, b, wu, hu, config)
}

/// Ball-shaped blobs (see the module docs) of the `true` pixels of `moving`, a `wu` x `hu` mask
/// over `raw` (RGB, the same size). Clears the mask.
fn blobs(
    moving: &mut [bool],
    raw: &[u8],
    wu: usize,
    hu: usize,
    c: &MotionBallConfig,
) -> Result<Vec<Detection>, DetectError> {
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..moving.len() {
        if !moving[start] {
            continue;
        }
        moving[start] = false;
        stack.push(start);
        let (mut area, mut sum) = (0usize, [0f64; 3]);
        let (mut x1, mut y1, mut x2, mut y2) = (usize::MAX, usize::MAX, 0, 0);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % wu, i / wu);
            area += 1;
            for (s, v) in sum.iter_mut().zip(&raw[i * 3..i * 3 + 3]) {
                *s += f64::from(*v);
            }
            (x1, y1, x2, y2) = (x1.min(x), y1.min(y), x2.max(x), y2.max(y));
            for dy in [-1isize, 0, 1] {
                for dx in [-1isize, 0, 1] {
                    let (nx, ny) = (x as isize + dx, y as isize + dy);
                    if nx < 0 || ny < 0 || nx >= wu as isize || ny >= hu as isize {
                        continue;
                    }
                    let j = ny as usize * wu + nx as usize;
                    if moving[j] {
                        moving[j] = false;
                        stack.push(j);
                    }
                }
            }
        }
        if area < c.min_area || area > c.max_area {
            continue;
        }
        let (bw, bh) = ((x2 - x1 + 1) as f32, (y2 - y1 + 1) as f32);
        let aspect = bw.max(bh) / bw.min(bh);
        let fill = area as f32 / (bw * bh);
        if aspect > c.max_aspect || fill < c.min_fill {
            continue;
        }
        if let Some((rgb, tol)) = c.color {
            let mean = sum.map(|s| s / area as f64);
            let d = mean.iter().zip(rgb).map(|(m, t)| (m - f64::from(t)).powi(2)).sum::<f64>().sqrt();
            if d > f64::from(tol) {
                continue;
            }
        }
        let disc = std::f32::consts::FRAC_PI_4;
        let score = ((1.0 - (fill - disc).abs() / disc) / aspect).clamp(0.0, 1.0);
        let bbox = BBox::new(x1 as f32, y1 as f32, (x2 + 1) as f32, (y2 + 1) as f32)
            .map_err(|e| DetectError::Config { name: "bbox", reason: e.to_string() })?;
        out.push(Detection::new(Label::Ball, score, bbox));
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out.truncate(c.max_candidates);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn scene(blobs: &[(f32, f32, f32, f32, [u8; 3])]) -> RgbImage {
        // Static textured background, plus ellipses (cx, cy, rx, ry, colour).
        let mut img = RgbImage::from_fn(200, 120, |x, y| Rgb([40 + (x % 7) as u8, 110 + (y % 5) as u8, 40]));
        for &(cx, cy, rx, ry, col) in blobs {
            for y in 0..120u32 {
                for x in 0..200u32 {
                    let (dx, dy) = ((x as f32 + 0.5 - cx) / rx, (y as f32 + 0.5 - cy) / ry);
                    if dx * dx + dy * dy <= 1.0 {
                        img.put_pixel(x, y, Rgb(col));
                    }
                }
            }
        }
        img
    }

    #[test]
    fn moving_disc_found_shapes_and_colours_filtered() {
        let orange = [230, 110, 30];
        let mut d = MotionBallDetector::new(MotionBallConfig::default()).unwrap();
        d.detect(&Frame::new(0, 0.0, scene(&[]))).unwrap();
        for k in 1..6 {
            let cx = 30.0 + 25.0 * k as f32;
            // A ball, a long thin stick, a big body: only the ball qualifies.
            let img = scene(&[
                (cx, 40.0, 6.0, 6.0, orange),
                (100.0, 100.0, 30.0, 2.0, orange),
                (20.0, 90.0, 30.0, 25.0, orange),
            ]);
            let out = d.detect(&Frame::new(k, 0.0, img)).unwrap();
            assert_eq!(out.len(), 1, "frame {k}: {out:?}");
            let [x, y] = out[0].bbox.center();
            assert!((x - cx).abs() < 1.0 && (y - 40.0).abs() < 1.0, "frame {k}: {out:?}");
            assert!(out[0].score > 0.8, "{out:?}");
        }
        // Colour filter: a white ball is rejected when looking for orange.
        let cfg = MotionBallConfig { color: Some((orange, 60.0)), ..MotionBallConfig::default() };
        let mut d = MotionBallDetector::new(cfg).unwrap();
        d.detect(&Frame::new(0, 0.0, scene(&[]))).unwrap();
        let out = d.detect(&Frame::new(1, 0.0, scene(&[(50.0, 40.0, 6.0, 6.0, [250, 250, 250])]))).unwrap();
        assert!(out.is_empty(), "{out:?}");
        let out = d.detect(&Frame::new(2, 0.0, scene(&[(80.0, 40.0, 6.0, 6.0, orange)]))).unwrap();
        assert_eq!(out.len(), 1);
        // A new frame size resets the background instead of failing.
        assert!(d.detect(&Frame::new(3, 0.0, RgbImage::new(10, 10))).unwrap().is_empty());
        assert!(matches!(
            d.detect(&Frame::new(4, 0.0, RgbImage::new(0, 0))),
            Err(DetectError::EmptyFrame { frame: 4 })
        ));
    }

    #[test]
    fn three_frame_motion_keeps_the_middle_position_only() {
        let orange = [230, 110, 30];
        let at = |x: f32| scene(&[(x, 40.0, 6.0, 6.0, orange)]);
        let cfg = MotionBallConfig::default();
        let out = motion_between(&at(40.0), &at(80.0), &at(120.0), None, &cfg).unwrap();
        assert_eq!(out.len(), 1, "{out:?}");
        let [x, y] = out[0].bbox.center();
        assert!((x - 80.0).abs() < 1.0 && (y - 40.0).abs() < 1.0, "{out:?}");
        // Two-frame differencing would also report 40 and 120; a repeated middle frame nothing.
        assert!(motion_between(&at(80.0), &at(80.0), &at(120.0), None, &cfg).unwrap().is_empty());
        // Outside the region of interest: nothing; inside: found.
        let roi = BBox::new(0.0, 0.0, 60.0, 120.0).unwrap();
        assert!(motion_between(&at(40.0), &at(80.0), &at(120.0), Some(&roi), &cfg).unwrap().is_empty());
        let roi = BBox::new(60.0, 20.0, 100.0, 60.0).unwrap();
        assert_eq!(motion_between(&at(40.0), &at(80.0), &at(120.0), Some(&roi), &cfg).unwrap().len(), 1);
        // Sizes must agree; settings are checked.
        let small = RgbImage::new(10, 10);
        assert!(matches!(
            motion_between(&small, &at(80.0), &at(120.0), None, &cfg),
            Err(DetectError::Config { name: "prev", .. })
        ));
        let bad = MotionBallConfig { min_area: 0, ..cfg };
        assert!(motion_between(&at(40.0), &at(80.0), &at(120.0), None, &bad).is_err());
    }

    #[test]
    fn bad_settings_are_rejected() {
        let bad = [
            MotionBallConfig { alpha: 0.0, ..Default::default() },
            MotionBallConfig { alpha: f32::NAN, ..Default::default() },
            MotionBallConfig { min_area: 50, max_area: 10, ..Default::default() },
            MotionBallConfig { max_aspect: 0.5, ..Default::default() },
            MotionBallConfig { min_fill: 2.0, ..Default::default() },
            MotionBallConfig { color: Some(([0; 3], f32::INFINITY)), ..Default::default() },
        ];
        for c in bad {
            assert!(MotionBallDetector::new(c.clone()).is_err(), "{c:?}");
        }
    }
}
