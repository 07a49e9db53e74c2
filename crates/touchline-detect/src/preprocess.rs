//! Letterboxing a frame region into a model input tensor.

use image::RgbImage;

/// A rectangle of a frame in whole pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Left.
    pub x: u32,
    /// Top.
    pub y: u32,
    /// Width (> 0).
    pub w: u32,
    /// Height (> 0).
    pub h: u32,
}

/// Per-channel normalisation `(v - mean) / std`, in the order the model wants its channels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Norm {
    /// `true`: channel 0 is blue (BGR models).
    pub bgr: bool,
    pub mean: [f32; 3],
    pub std: [f32; 3],
    pub pad: f32,
}

/// Scales `region` of `img` by `r = min(size / h, size / w)` with bilinear interpolation
/// (pixel-centre aligned, as OpenCV's `INTER_LINEAR`), pastes it top-left into a `size` x
/// `size` canvas filled with `norm.pad`, and writes it normalised as planar CHW into `out`
/// (length `3 * size * size`). Returns `r`.
pub(crate) fn letterbox_into(img: &RgbImage, region: Region, size: u32, norm: &Norm, out: &mut [f32]) -> f32 {
    let s = size as usize;
    let plane = s * s;
    debug_assert_eq!(out.len(), 3 * plane);
    // In f64 like the Python references (`int(w * r)`): in f32, 720 * (416 / 1280) is
    // 233.99998 and the resized image would lose a row.
    let r = (f64::from(size) / f64::from(region.h)).min(f64::from(size) / f64::from(region.w));
    let nw = ((f64::from(region.w) * r) as usize).clamp(1, s);
    let nh = ((f64::from(region.h) * r) as usize).clamp(1, s);
    // Output channel c reads image channel src[c].
    let src: [usize; 3] = if norm.bgr { [2, 1, 0] } else { [0, 1, 2] };
    let scale = [1.0 / norm.std[0], 1.0 / norm.std[1], 1.0 / norm.std[2]];
    for c in 0..3 {
        let pad = (norm.pad - norm.mean[c]) * scale[c];
        out[c * plane..(c + 1) * plane].fill(pad);
    }
    let raw = img.as_raw();
    let stride = img.width() as usize * 3;
    let (x0, y0) = (region.x as usize, region.y as usize);
    let (rw, rh) = (region.w as usize, region.h as usize);
    if nw == rw && nh == rh {
        // Same size: a straight copy.
        for y in 0..nh {
            let row = &raw[(y0 + y) * stride + x0 * 3..(y0 + y) * stride + (x0 + rw) * 3];
            for c in 0..3 {
                let dst = &mut out[c * plane + y * s..c * plane + y * s + nw];
                let (m, k, sc) = (norm.mean[c], scale[c], src[c]);
                for (x, d) in dst.iter_mut().enumerate() {
                    *d = (f32::from(row[x * 3 + sc]) - m) * k;
                }
            }
        }
        return r as f32;
    }
    let xs = bilinear_axis(nw, rw);
    let ys = bilinear_axis(nh, rh);
    let mut tmp = vec![0f32; nw * 3];
    for (y, &(ya, yb, wy)) in ys.iter().enumerate() {
        let ra = &raw[(y0 + ya) * stride..(y0 + ya + 1) * stride];
        let rb = &raw[(y0 + yb) * stride..(y0 + yb + 1) * stride];
        for (x, &(xa, xb, wx)) in xs.iter().enumerate() {
            let (ia, ib) = ((x0 + xa) * 3, (x0 + xb) * 3);
            for ch in 0..3 {
                let top = f32::from(ra[ia + ch]) * (1.0 - wx) + f32::from(ra[ib + ch]) * wx;
                let bot = f32::from(rb[ia + ch]) * (1.0 - wx) + f32::from(rb[ib + ch]) * wx;
                tmp[x * 3 + ch] = top * (1.0 - wy) + bot * wy;
            }
        }
        for c in 0..3 {
            let dst = &mut out[c * plane + y * s..c * plane + y * s + nw];
            let (m, k, sc) = (norm.mean[c], scale[c], src[c]);
            for (x, d) in dst.iter_mut().enumerate() {
                *d = (tmp[x * 3 + sc] - m) * k;
            }
        }
    }
    r as f32
}

/// Bilinear sampling table for resizing `n_in` pixels to `n_out` (half-pixel
/// centres, as OpenCV's `INTER_LINEAR`): for each output index the two source
/// indices and the weight of the second. The source coordinate
/// `(i + 0.5) * n_in / n_out - 0.5` is clamped to the image; at the last
/// pixel both indices are equal, so the weight does not matter there.
/// `n_in` must be at least 1.
pub(crate) fn bilinear_axis(n_out: usize, n_in: usize) -> Vec<(usize, usize, f32)> {
    let sc = n_in as f32 / n_out as f32;
    (0..n_out)
        .map(|i| {
            let f = ((i as f32 + 0.5) * sc - 0.5).max(0.0);
            let i0 = (f as usize).min(n_in - 1);
            let i1 = (i0 + 1).min(n_in - 1);
            (i0, i1, f - i0 as f32)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAW: Norm = Norm { bgr: true, mean: [0.0; 3], std: [1.0; 3], pad: 114.0 };

    #[test]
    fn copy_path_swaps_to_bgr_and_pads() {
        let mut img = RgbImage::new(6, 4);
        img.put_pixel(3, 2, image::Rgb([10, 20, 30]));
        let mut out = vec![0.0; 3 * 8 * 8];
        let r = letterbox_into(&img, Region { x: 2, y: 1, w: 4, h: 3 }, 8, &RAW, &mut out);
        assert_eq!(r, 2.0); // 8/4 = 2, 8/3 = 2.67
        // Resized path: the region is 4x3 -> 8x6; pixel (3,2) of the image is (1,1) of the region.
        assert_eq!(out[7 * 8 + 7], 114.0); // padding row 7 of channel 0
        let mut out1 = vec![0.0; 3 * 4 * 4];
        let r1 = letterbox_into(&img, Region { x: 2, y: 1, w: 4, h: 3 }, 4, &RAW, &mut out1);
        assert_eq!(r1, 1.0);
        // Copy path: region (1,1) -> out (1,1); channel 0 is blue.
        assert_eq!(out1[4 + 1], 30.0);
        assert_eq!(out1[16 + 4 + 1], 20.0);
        assert_eq!(out1[32 + 4 + 1], 10.0);
        assert_eq!(out1[3 * 4], 114.0); // row 3 is padding
    }

    #[test]
    fn downscale_of_a_flat_image_is_flat() {
        let img = RgbImage::from_pixel(1280, 720, image::Rgb([50, 100, 150]));
        let mut out = vec![0.0; 3 * 416 * 416];
        let r = letterbox_into(&img, Region { x: 0, y: 0, w: 1280, h: 720 }, 416, &RAW, &mut out);
        assert!((r - 0.325).abs() < 1e-6);
        let nh = 234; // 720 * 0.325 exactly: no row lost to f32 rounding
        assert_eq!(out[(nh - 1) * 416 + 415], 150.0);
        assert_eq!(out[nh * 416], 114.0);
        assert_eq!(out[2 * 416 * 416 + 10], 50.0);
    }
}
