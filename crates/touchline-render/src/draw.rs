//! Clipped drawing primitives on `RgbImage` that accept any `f32` (NaN, inf,
//! far outside the image) without panicking: shapes are clipped, non-finite
//! input draws nothing.

use image::{Rgb, RgbImage};
use imageproc::drawing::{Canvas, draw_filled_circle_mut, draw_filled_rect_mut, draw_hollow_circle_mut};
use imageproc::rect::Rect;

use crate::font;

/// Largest radius drawn; bigger ones are clamped (a bad score must not stall rendering).
const MAX_RADIUS: f32 = 4096.0;

/// An image seen through an opacity: every pixel drawn is blended over the old one.
struct Blended<'a> {
    img: &'a mut RgbImage,
    alpha: f32,
}

impl Canvas for Blended<'_> {
    type Pixel = Rgb<u8>;

    fn dimensions(&self) -> (u32, u32) {
        self.img.dimensions()
    }

    fn get_pixel(&self, x: u32, y: u32) -> Rgb<u8> {
        *self.img.get_pixel(x, y)
    }

    fn draw_pixel(&mut self, x: u32, y: u32, color: Rgb<u8>) {
        blend(self.img, x, y, color, self.alpha);
    }
}

/// `alpha` clamped to `0..=1`, NaN as 0.
fn unit(alpha: f32) -> f32 {
    if alpha.is_nan() { 0.0 } else { alpha.clamp(0.0, 1.0) }
}

/// Blends `color` over pixel `(x, y)` with opacity `alpha`; outside the image does nothing.
pub(crate) fn blend(img: &mut RgbImage, x: u32, y: u32, color: Rgb<u8>, alpha: f32) {
    let a = unit(alpha);
    if x >= img.width() || y >= img.height() || a <= 0.0 {
        return;
    }
    let p = img.get_pixel_mut(x, y);
    if a >= 1.0 {
        *p = color;
        return;
    }
    for (dst, src) in p.0.iter_mut().zip(color.0) {
        let v = f32::from(*dst) * (1.0 - a) + f32::from(src) * a;
        *dst = v.round().clamp(0.0, 255.0) as u8;
    }
}

/// Pixel index range `[lo, hi)` of pixels whose centres lie in `[a, b]`, clipped to `0..n`.
fn span(a: f32, b: f32, n: u32) -> Option<(u32, u32)> {
    if a.is_nan() || b.is_nan() || b < a {
        return None;
    }
    let lo = (a - 0.5).ceil().clamp(0.0, n as f32);
    let hi = ((b - 0.5).floor() + 1.0).clamp(0.0, n as f32);
    // Both clamped into 0..=n, so the casts are exact.
    let (lo, hi) = (lo as u32, hi as u32);
    (lo < hi).then_some((lo, hi))
}

/// Fills the rectangle `[x0, x1] x [y0, y1]` (pixel centres inside), clipped.
pub(crate) fn fill_rect(img: &mut RgbImage, x0: f32, y0: f32, x1: f32, y1: f32, color: Rgb<u8>, alpha: f32) {
    let (w, h) = img.dimensions();
    let (Some((xa, xb)), Some((ya, yb))) = (span(x0, x1, w), span(y0, y1, h)) else {
        return;
    };
    // xa < xb <= w and ya < yb <= h, all at most u32::MAX, and image sides fit i32 in practice;
    // fall back to per-pixel blending if they do not.
    match (i32::try_from(xa), i32::try_from(ya)) {
        (Ok(x), Ok(y)) => {
            let rect = Rect::at(x, y).of_size(xb - xa, yb - ya);
            draw_filled_rect_mut(&mut Blended { img, alpha }, rect, color);
        }
        _ => {
            for yy in ya..yb {
                for xx in xa..xb {
                    blend(img, xx, yy, color, alpha);
                }
            }
        }
    }
}

/// Outline of the box `(x1, y1)-(x2, y2)`, `width` pixels thick, drawn inside the box edges.
pub(crate) fn rect_outline(img: &mut RgbImage, b: [f32; 4], width: f32, color: Rgb<u8>) {
    let [x1, y1, x2, y2] = b;
    if !b.iter().all(|v| v.is_finite()) || x2 < x1 || y2 < y1 {
        return;
    }
    let t = width.max(1.0);
    // Pixel-centre convention: the box covers centres x1 + 0.5 .. x2 - 0.5.
    let (l, r, top, bot) = (x1 + 0.5, x2 - 0.5, y1 + 0.5, y2 - 0.5);
    fill_rect(img, l, top, r, top + t - 1.0, color, 1.0);
    fill_rect(img, l, bot - t + 1.0, r, bot, color, 1.0);
    fill_rect(img, l, top, l + t - 1.0, bot, color, 1.0);
    fill_rect(img, r - t + 1.0, top, r, bot, color, 1.0);
}

/// Centre and radius as integers if any part of the disc can touch the image.
fn circle_params(img: &RgbImage, c: [f32; 2], r: f32) -> Option<((i32, i32), i32)> {
    if !(c[0].is_finite() && c[1].is_finite() && r.is_finite()) || r < 0.0 {
        return None;
    }
    let r = r.min(MAX_RADIUS);
    let (w, h) = (img.width() as f32, img.height() as f32);
    if c[0] < -r - 1.0 || c[1] < -r - 1.0 || c[0] > w + r + 1.0 || c[1] > h + r + 1.0 {
        return None;
    }
    // Bounded by the image size plus MAX_RADIUS, far inside i32 for real images.
    let cx = c[0].round().clamp(i32::MIN as f32 / 4.0, i32::MAX as f32 / 4.0) as i32;
    let cy = c[1].round().clamp(i32::MIN as f32 / 4.0, i32::MAX as f32 / 4.0) as i32;
    Some(((cx, cy), r.round() as i32))
}

/// Filled disc.
pub(crate) fn disc(img: &mut RgbImage, c: [f32; 2], r: f32, color: Rgb<u8>, alpha: f32) {
    if let Some((centre, r)) = circle_params(img, c, r) {
        if unit(alpha) >= 1.0 {
            draw_filled_circle_mut(img, centre, r, color);
        } else {
            // Row spans, so no pixel is blended twice.
            let (cx, cy) = (centre.0 as f32, centre.1 as f32);
            let rf = r as f32 + 0.5;
            let (w, h) = img.dimensions();
            if let Some((ya, yb)) = span(cy - rf, cy + rf, h) {
                for y in ya..yb {
                    let dy = y as f32 - cy;
                    let half = (rf * rf - dy * dy).max(0.0).sqrt();
                    if let Some((xa, xb)) = span(cx - half, cx + half, w) {
                        for x in xa..xb {
                            blend(img, x, y, color, alpha);
                        }
                    }
                }
            }
        }
    }
}

/// Circle outline, `thickness` pixels wide inward from radius `r`.
pub(crate) fn ring(img: &mut RgbImage, c: [f32; 2], r: f32, thickness: u32, color: Rgb<u8>) {
    if let Some((centre, r)) = circle_params(img, c, r) {
        for k in 0..thickness.clamp(1, 16) {
            let rr = r - k as i32;
            if rr < 0 {
                break;
            }
            draw_hollow_circle_mut(img, centre, rr, color);
        }
    }
}

/// The part of segment `a-b` inside the rectangle `[lo, hi]` (Liang-Barsky), in f64.
fn clip_segment(a: [f32; 2], b: [f32; 2], lo: [f64; 2], hi: [f64; 2]) -> Option<([f64; 2], [f64; 2])> {
    if !a.iter().chain(b.iter()).all(|v| v.is_finite()) {
        return None;
    }
    let (x0, y0) = (f64::from(a[0]), f64::from(a[1]));
    let (dx, dy) = (f64::from(b[0]) - x0, f64::from(b[1]) - y0);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [(-dx, x0 - lo[0]), (dx, hi[0] - x0), (-dy, y0 - lo[1]), (dy, hi[1] - y0)] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    (t0 <= t1).then_some(([x0 + t0 * dx, y0 + t0 * dy], [x0 + t1 * dx, y0 + t1 * dy]))
}

/// A straight stroke `width` pixels wide from `a` to `b` with flat ends, clipped.
pub(crate) fn segment(img: &mut RgbImage, a: [f32; 2], b: [f32; 2], width: f32, color: Rgb<u8>, alpha: f32) {
    let half = f64::from(width.clamp(1.0, 2.0 * MAX_RADIUS)) / 2.0;
    let (w, h) = (f64::from(img.width()), f64::from(img.height()));
    let m = half + 1.0;
    let Some((p, q)) = clip_segment(a, b, [-m, -m], [w + m, h + m]) else {
        return;
    };
    let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 1e-6 {
        disc(img, [p[0] as f32, p[1] as f32], half as f32, color, alpha);
        return;
    }
    // Unit normal times half the width.
    let (nx, ny) = (-dy / len * half, dx / len * half);
    let quad =
        [[p[0] + nx, p[1] + ny], [q[0] + nx, q[1] + ny], [q[0] - nx, q[1] - ny], [p[0] - nx, p[1] - ny]];
    fill_convex(img, &quad, color, alpha);
}

/// Scanline fill of a convex polygon (pixel centres inside), each pixel blended once.
fn fill_convex(img: &mut RgbImage, poly: &[[f64; 2]; 4], color: Rgb<u8>, alpha: f32) {
    let (w, h) = img.dimensions();
    let ymin = poly.iter().map(|p| p[1]).fold(f64::INFINITY, f64::min);
    let ymax = poly.iter().map(|p| p[1]).fold(f64::NEG_INFINITY, f64::max);
    let Some((ya, yb)) = span(ymin as f32, ymax as f32, h) else {
        return;
    };
    for y in ya..yb {
        let yc = f64::from(y) + 0.5;
        let (mut xl, mut xr) = (f64::INFINITY, f64::NEG_INFINITY);
        for i in 0..poly.len() {
            let (p, q) = (poly[i], poly[(i + 1) % poly.len()]);
            let (lo, hi) = if p[1] <= q[1] { (p, q) } else { (q, p) };
            if yc < lo[1] || yc > hi[1] {
                continue;
            }
            let x = if hi[1] - lo[1] < 1e-12 {
                xl = xl.min(lo[0].min(hi[0]));
                lo[0].max(hi[0])
            } else {
                lo[0] + (yc - lo[1]) / (hi[1] - lo[1]) * (hi[0] - lo[0])
            };
            xl = xl.min(x);
            xr = xr.max(x);
        }
        if let Some((xa, xb)) = span(xl as f32, xr as f32, w) {
            for x in xa..xb {
                blend(img, x, y, color, alpha);
            }
        }
    }
}

/// Black or white, whichever reads better on `bg` (Rec. 601 luma).
pub(crate) fn text_color_on(bg: Rgb<u8>) -> Rgb<u8> {
    let [r, g, b] = bg.0.map(f32::from);
    if 0.299 * r + 0.587 * g + 0.114 * b > 140.0 { Rgb([0, 0, 0]) } else { Rgb([255, 255, 255]) }
}

/// Text on a filled background box whose top-left is `(x, y)`, shifted to stay inside the image
/// when it would stick out. Returns the box `[x1, y1, x2, y2]` drawn.
pub(crate) fn label(img: &mut RgbImage, x: f32, y: f32, text: &str, scale: u32, bg: Rgb<u8>) -> [f32; 4] {
    let (tw, th) = font::text_size(text, scale);
    let pad = scale.max(1) as f32 * 2.0;
    let (bw, bh) = (tw as f32 + 2.0 * pad, th as f32 + 2.0 * pad);
    let (w, h) = (img.width() as f32, img.height() as f32);
    let fx = if x.is_finite() { x } else { 0.0 };
    let fy = if y.is_finite() { y } else { 0.0 };
    let x0 = fx.min(w - bw).max(0.0);
    let y0 = fy.min(h - bh).max(0.0);
    fill_rect(img, x0 + 0.5, y0 + 0.5, x0 + bw - 0.5, y0 + bh - 0.5, bg, 1.0);
    let fg = text_color_on(bg);
    font::draw_text(img, (x0 + pad).round() as i64, (y0 + pad).round() as i64, text, scale, fg);
    [x0, y0, x0 + bw, y0 + bh]
}

#[cfg(test)]
mod tests {
    use super::*;

    const RED: Rgb<u8> = Rgb([255, 0, 0]);

    #[test]
    fn span_clips_and_rejects_nan() {
        assert_eq!(span(0.5, 2.5, 10), Some((0, 3)));
        assert_eq!(span(-5.0, 2.5, 10), Some((0, 3)));
        assert_eq!(span(8.5, 100.0, 10), Some((8, 10)));
        assert_eq!(span(f32::NAN, 2.0, 10), None);
        assert_eq!(span(3.0, 2.0, 10), None);
        assert_eq!(span(20.0, 30.0, 10), None);
    }

    #[test]
    fn segment_covers_its_line_and_nothing_far() {
        let mut img = RgbImage::new(40, 40);
        segment(&mut img, [5.0, 20.0], [35.0, 20.0], 3.0, RED, 1.0);
        for x in 6..34 {
            assert_eq!(*img.get_pixel(x, 19), RED, "x={x}");
            assert_eq!(*img.get_pixel(x, 20), RED, "x={x}");
        }
        assert_eq!(*img.get_pixel(20, 25), Rgb([0, 0, 0]));
        assert_eq!(*img.get_pixel(2, 20), Rgb([0, 0, 0]));
    }

    #[test]
    fn diagonal_segment_clipped_from_far_away() {
        let mut img = RgbImage::new(30, 30);
        segment(&mut img, [-1e6, -1e6], [1e6, 1e6], 2.0, RED, 1.0);
        assert_eq!(*img.get_pixel(15, 15), RED);
        assert_eq!(*img.get_pixel(25, 5), Rgb([0, 0, 0]));
        // Far beyond f32 precision the line's position is meaningless, but nothing may panic.
        segment(&mut img, [-1e30, -1e30], [1e30, 1e30], 2.0, RED, 1.0);
        segment(&mut img, [f32::MIN, 0.0], [f32::MAX, 1.0], 1e30, RED, 0.5);
    }

    #[test]
    fn blend_halfway() {
        let mut img = RgbImage::new(1, 1);
        blend(&mut img, 0, 0, Rgb([200, 100, 0]), 0.5);
        assert_eq!(img.get_pixel(0, 0).0, [100, 50, 0]);
        blend(&mut img, 5, 5, RED, 1.0);
    }

    #[test]
    fn label_stays_inside() {
        let mut img = RgbImage::new(50, 30);
        let b = label(&mut img, 45.0, -10.0, "AB", 1, RED);
        assert!(b[0] >= 0.0 && b[2] <= 50.0 && b[1] >= 0.0 && b[3] <= 30.0, "{b:?}");
    }
}
