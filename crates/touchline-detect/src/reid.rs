//! [`OsnetEmbedder`]: person appearance embeddings (OSNet re-identification) over ONNX Runtime,
//! an alternative feature for team clustering.

use std::path::Path;

use image::RgbImage;
use touchline_core::{BBox, Frame};
use touchline_onnx::ort;
use touchline_onnx::{Dim, ElemType, ModelContract, OnnxModel, SessionConfig, TensorSpec};

use crate::DetectError;

/// Model input height (rows) of OSNet re-id exports.
pub const OSNET_INPUT_HEIGHT: u32 = 256;
/// Model input width (columns) of OSNet re-id exports.
pub const OSNET_INPUT_WIDTH: u32 = 128;
/// Length of an OSNet embedding.
pub const OSNET_DIM: usize = 512;

/// ImageNet channel means (RGB, on 0..1 values), as the torchreid training transforms use.
const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
/// ImageNet channel standard deviations (RGB).
const STD: [f32; 3] = [0.229, 0.224, 0.225];

/// Settings of an [`OsnetEmbedder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsnetConfig {
    /// ONNX Runtime intra-op threads (`0` = one per physical core).
    pub intra_threads: usize,
    /// Most crops per model run when the model takes a dynamic batch (a fixed-batch-1 export
    /// runs crop by crop whatever this is).
    pub max_batch: usize,
}

impl Default for OsnetConfig {
    /// Runtime-default threads, batches of 32 crops.
    fn default() -> Self {
        OsnetConfig { intra_threads: 0, max_batch: 32 }
    }
}

/// Person appearance embeddings from an OSNet re-identification model (Zhou et al., "Omni-Scale
/// Feature Learning for Person Re-Identification", ICCV 2019; weights from torchreid).
///
/// Model contract (checked on load, each mismatch a [`DetectError::Onnx`] naming the file):
/// input `images` f32 `[B,3,256,128]` (B fixed 1 or dynamic), output `output` f32 `[B,512]`.
/// Each person box is cropped from the frame (clamped to it), stretched to 128 x 256 with
/// bilinear interpolation (pixel-centre aligned, aspect ratio not kept, as the torchreid
/// transforms do), scaled to 0..1 and normalised per RGB channel with the ImageNet mean
/// (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225). The crops of one call go through the
/// model in batches; each 512-d output is L2-normalised, so the dot product of two embeddings
/// is their cosine similarity ([`cosine`]).
///
/// A re-id model is trained to tell *people* apart, not kits: see `docs/tracking.md` for how
/// its team clusters compare with torso colour.
///
/// ```
/// use touchline_core::{BBox, Frame};
/// use touchline_detect::{OsnetConfig, OsnetEmbedder, cosine};
/// let model = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/models/osnet/osnet_x0_25_msmt17.onnx");
/// let mut reid = OsnetEmbedder::new(model, OsnetConfig { intra_threads: 1, ..OsnetConfig::default() })?;
/// // A white and a red figure on grass.
/// let mut img = image::RgbImage::from_pixel(120, 80, image::Rgb([40, 110, 40]));
/// for y in 10..70 { for x in 10..30 { img.put_pixel(x, y, image::Rgb([245, 245, 245])); } }
/// for y in 10..70 { for x in 80..100 { img.put_pixel(x, y, image::Rgb([200, 20, 30])); } }
/// let frame = Frame::new(0, 0.0, img);
/// let boxes = [BBox::new(5.0, 5.0, 35.0, 75.0)?, BBox::new(75.0, 5.0, 105.0, 75.0)?, BBox::new(500.0, 0.0, 510.0, 9.0)?];
/// let emb = reid.embed(&frame, &boxes)?;
/// let (a, b) = (emb[0].as_ref().unwrap(), emb[1].as_ref().unwrap());
/// assert_eq!(a.len(), 512);
/// assert!((cosine(a, a) - 1.0).abs() < 1e-4);
/// assert!(cosine(a, b) < 0.99);
/// assert!(emb[2].is_none()); // the third box lies outside the frame
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct OsnetEmbedder {
    model: OnnxModel,
    config: OsnetConfig,
    dynamic_batch: bool,
    buf: Vec<f32>,
}

/// Cosine similarity of two vectors (`0` when either has zero length or norm; the shorter
/// length is used when they differ). For [`OsnetEmbedder`] outputs this is their dot product.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (f64::from(x), f64::from(y));
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    let d = (aa * bb).sqrt();
    if d > 0.0 && d.is_finite() { (ab / d) as f32 } else { 0.0 }
}

/// The whole-pixel rectangle `(x0, y0, x1, y1)` (end exclusive) of `b` inside a `w` x `h`
/// image: pixels whose centre lies in the box, at least one pixel when the box overlaps the
/// image at all. `None` for a non-finite box or one outside the image.
fn crop_rect(b: &BBox, w: u32, h: u32) -> Option<(u32, u32, u32, u32)> {
    if ![b.x1, b.y1, b.x2, b.y2].iter().all(|v| v.is_finite()) || w == 0 || h == 0 {
        return None;
    }
    let span = |lo: f32, hi: f32, n: u32| -> Option<(u32, u32)> {
        let (lo, hi) = (f64::from(lo.min(hi)), f64::from(lo.max(hi)));
        if hi <= 0.0 || lo >= f64::from(n) {
            return None;
        }
        // Values are clamped to 0..=n before the cast, so it cannot wrap.
        let a = (lo - 0.5).ceil().clamp(0.0, f64::from(n)) as u32;
        let b = ((hi - 0.5).floor() + 1.0).clamp(0.0, f64::from(n)) as u32;
        if b > a {
            Some((a, b))
        } else {
            // A sliver thinner than a pixel centre: take the pixel it lies in.
            let p = (lo.max(0.0).floor() as u32).min(n - 1);
            Some((p, p + 1))
        }
    };
    let (x0, x1) = span(b.x1, b.x2, w)?;
    let (y0, y1) = span(b.y1, b.y2, h)?;
    Some((x0, y0, x1, y1))
}

/// Bilinear resize of `rect` of `img` to the model input, normalised, planar RGB, into `out`
/// (length `3 * 256 * 128`).
fn crop_into(img: &RgbImage, rect: (u32, u32, u32, u32), out: &mut [f32]) {
    let (ow, oh) = (OSNET_INPUT_WIDTH as usize, OSNET_INPUT_HEIGHT as usize);
    let plane = ow * oh;
    let (x0, y0) = (rect.0 as usize, rect.1 as usize);
    let (rw, rh) = ((rect.2 - rect.0) as usize, (rect.3 - rect.1) as usize);
    let xs = crate::preprocess::bilinear_axis(ow, rw);
    let ys = crate::preprocess::bilinear_axis(oh, rh);
    let raw = img.as_raw();
    let stride = img.width() as usize * 3;
    let scale = [1.0 / (255.0 * STD[0]), 1.0 / (255.0 * STD[1]), 1.0 / (255.0 * STD[2])];
    let offset = [MEAN[0] / STD[0], MEAN[1] / STD[1], MEAN[2] / STD[2]];
    for (y, &(ya, yb, fy)) in ys.iter().enumerate() {
        let ra = (y0 + ya) * stride;
        let rb = (y0 + yb) * stride;
        for (x, &(xa, xb, fx)) in xs.iter().enumerate() {
            let (ca, cb) = ((x0 + xa) * 3, (x0 + xb) * 3);
            for c in 0..3 {
                let p = |row: usize, col: usize| f32::from(raw[row + col + c]);
                let top = p(ra, ca) + (p(ra, cb) - p(ra, ca)) * fx;
                let bot = p(rb, ca) + (p(rb, cb) - p(rb, ca)) * fx;
                let v = top + (bot - top) * fy;
                out[c * plane + y * ow + x] = v * scale[c] - offset[c];
            }
        }
    }
}

impl OsnetEmbedder {
    /// The contract every OSNet export must meet.
    fn contract() -> ModelContract {
        let (h, w) = (i64::from(OSNET_INPUT_HEIGHT), i64::from(OSNET_INPUT_WIDTH));
        ModelContract::new(
            vec![TensorSpec::new(
                "images",
                ElemType::F32,
                [Dim::Any, Dim::Fixed(3), Dim::Fixed(h), Dim::Fixed(w)],
            )],
            vec![TensorSpec::new("output", ElemType::F32, [Dim::Any, Dim::Fixed(OSNET_DIM as i64)])],
        )
    }

    /// Loads the model at `path` and checks its contract (see the type docs).
    ///
    /// Errors: [`DetectError::Config`] for `max_batch == 0`; [`DetectError::Onnx`] for a missing
    /// runtime, a missing file ([`OnnxError::ModelMissing`](crate::OnnxError::ModelMissing)
    /// naming the path), a file that is not ONNX, or a model with other inputs/outputs.
    pub fn new(path: impl AsRef<Path>, config: OsnetConfig) -> Result<Self, DetectError> {
        if config.max_batch == 0 {
            return Err(DetectError::Config { name: "max_batch", reason: "must be at least 1".into() });
        }
        let session = SessionConfig::default().intra_threads(config.intra_threads);
        let model = OnnxModel::load(path, &Self::contract(), &session)?;
        let dynamic_batch = model.inputs().first().and_then(|t| t.shape.first()).is_some_and(|&b| b < 0);
        Ok(OsnetEmbedder { model, config, dynamic_batch, buf: Vec::new() })
    }

    /// The configuration.
    pub fn config(&self) -> &OsnetConfig {
        &self.config
    }

    /// The loaded model (path, declared shapes).
    pub fn model(&self) -> &OnnxModel {
        &self.model
    }

    /// Whether several crops go through the model in one run.
    pub fn batches(&self) -> bool {
        self.dynamic_batch && self.config.max_batch > 1
    }

    /// One L2-normalised 512-d embedding per box of `frame`, in the order of `boxes`; `None`
    /// for a box with no pixel inside the frame (or non-finite corners).
    ///
    /// Errors: [`DetectError::EmptyFrame`]; [`DetectError::Inference`] when the runtime fails;
    /// [`DetectError::ModelOutput`] for an output of the wrong size or one that is zero or
    /// non-finite (cannot be normalised). Each names the frame index.
    pub fn embed(&mut self, frame: &Frame, boxes: &[BBox]) -> Result<Vec<Option<Vec<f32>>>, DetectError> {
        let (w, h) = frame.size();
        if w == 0 || h == 0 {
            return Err(DetectError::EmptyFrame { frame: frame.index });
        }
        let rects: Vec<(usize, (u32, u32, u32, u32))> =
            boxes.iter().enumerate().filter_map(|(i, b)| crop_rect(b, w, h).map(|r| (i, r))).collect();
        let mut out: Vec<Option<Vec<f32>>> = vec![None; boxes.len()];
        let per = 3 * (OSNET_INPUT_WIDTH * OSNET_INPUT_HEIGHT) as usize;
        let chunk = if self.dynamic_batch { self.config.max_batch } else { 1 };
        for group in rects.chunks(chunk) {
            self.buf.resize(group.len() * per, 0.0);
            for (k, (_, r)) in group.iter().enumerate() {
                crop_into(&frame.image, *r, &mut self.buf[k * per..(k + 1) * per]);
            }
            let emb = self.infer(group.len(), frame.index)?;
            for ((i, _), e) in group.iter().zip(emb) {
                out[*i] = Some(e);
            }
        }
        Ok(out)
    }

    /// One model run over the first `n` crops of the buffer.
    fn infer(&mut self, n: usize, frame: usize) -> Result<Vec<Vec<f32>>, DetectError> {
        let (h, w) = (OSNET_INPUT_HEIGHT as usize, OSNET_INPUT_WIDTH as usize);
        let run_err = |reason: String| DetectError::Inference { frame, reason };
        let input = ndarray::ArrayView4::from_shape((n, 3, h, w), &self.buf[..n * 3 * h * w])
            .map_err(|e| run_err(e.to_string()))?;
        let tensor = ort::value::TensorRef::from_array_view(input).map_err(|e| run_err(e.to_string()))?;
        let outputs = self
            .model
            .session_mut()
            .run(ort::inputs!["images" => tensor])
            .map_err(|e| run_err(e.to_string()))?;
        let out_err = |reason: String| DetectError::ModelOutput { frame, reason };
        let v = outputs.get("output").ok_or_else(|| out_err("no `output` tensor".into()))?;
        let (shape, data) = v.try_extract_tensor::<f32>().map_err(|e| out_err(e.to_string()))?;
        if shape.len() != 2
            || shape[0] != n as i64
            || shape[1] != OSNET_DIM as i64
            || data.len() != n * OSNET_DIM
        {
            return Err(out_err(format!("`output` shape {shape:?}, expected [{n}, {OSNET_DIM}]")));
        }
        data.chunks_exact(OSNET_DIM)
            .enumerate()
            .map(|(k, e)| {
                let norm = e.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>().sqrt();
                if !(norm > 0.0 && norm.is_finite()) {
                    return Err(out_err(format!("embedding {k} of the batch has norm {norm}")));
                }
                Ok(e.iter().map(|&v| (f64::from(v) / norm) as f32).collect())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crop_rect_clamps_and_rejects() {
        let b = |x1, y1, x2, y2| BBox { x1, y1, x2, y2 };
        assert_eq!(crop_rect(&b(10.0, 20.0, 30.0, 60.0), 100, 100), Some((10, 20, 30, 60)));
        assert_eq!(crop_rect(&b(-5.0, -5.0, 200.0, 50.0), 100, 100), Some((0, 0, 100, 50)));
        assert_eq!(crop_rect(&b(150.0, 0.0, 160.0, 10.0), 100, 100), None);
        assert_eq!(crop_rect(&b(f32::NAN, 0.0, 10.0, 10.0), 100, 100), None);
        assert_eq!(crop_rect(&b(0.0, 0.0, f32::INFINITY, 10.0), 100, 100), None);
        // A sliver gets its pixel.
        assert_eq!(crop_rect(&b(10.2, 10.2, 10.4, 10.4), 100, 100), Some((10, 10, 11, 11)));
        // Edge pixel.
        assert_eq!(crop_rect(&b(99.6, 99.6, 120.0, 120.0), 100, 100), Some((99, 99, 100, 100)));
    }

    #[test]
    fn crop_of_uniform_colour_is_normalised_constant() {
        let img = RgbImage::from_pixel(30, 50, image::Rgb([255, 0, 128]));
        let per = 3 * (OSNET_INPUT_WIDTH * OSNET_INPUT_HEIGHT) as usize;
        let mut out = vec![0.0; per];
        crop_into(&img, (3, 4, 20, 45), &mut out);
        let plane = per / 3;
        let want = [(1.0 - MEAN[0]) / STD[0], (0.0 - MEAN[1]) / STD[1], (128.0 / 255.0 - MEAN[2]) / STD[2]];
        for c in 0..3 {
            for v in &out[c * plane..(c + 1) * plane] {
                assert!((v - want[c]).abs() < 1e-4, "channel {c}: {v} vs {}", want[c]);
            }
        }
    }

    #[test]
    fn cosine_basics() {
        assert!((cosine(&[1.0, 0.0], &[2.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 3.0]).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 1.0]), 0.0);
        assert_eq!(cosine(&[], &[]), 0.0);
    }
}
