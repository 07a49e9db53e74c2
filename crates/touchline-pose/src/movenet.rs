//! MoveNet pose estimators on ONNX Runtime (through `touchline-onnx`).
//!
//! - [`MoveNetSingle`]: single-person MoveNet (Thunder 256×256 or Lightning
//!   192×192), run top-down on a square crop around a person box: centre =
//!   box centre, side = [`CROP_SCALE`] × max(w, h), resampled bilinearly to the
//!   model size, pixels outside the frame set to 0.
//! - [`MoveNetMulti`]: MoveNet MultiPose Lightning (up to 6 people), on a
//!   whole frame letterboxed to a square ([`MoveNetMulti::estimate_all`]), or
//!   on the same square crop as above, keeping the person whose box overlaps
//!   the given box most (its [`PoseEstimator`] implementation).
//!
//! Input is RGB 0..255 as `int32` NHWC; the outputs are `(y, x, score)`
//! normalised to the model input and are mapped back to frame pixels here.
//! The model contracts are those of `models/movenet_*/NOTES.md`.

use std::path::Path;

use touchline_core::{BBox, CocoJoint, Frame, Joint, Keypoints, PoseEstimator};
/// Session options (threads, graph optimisation), re-exported from `touchline-onnx`.
pub use touchline_onnx::SessionConfig;
use touchline_onnx::ort::value::TensorRef;
use touchline_onnx::{Dim, ElemType, ModelContract, OnnxModel, TensorSpec};

use crate::error::{PoseError, Result};

/// Crop side as a multiple of the person box's longer side (MoveNet's top-down contract).
pub const CROP_SCALE: f32 = 1.25;

/// A square region of the frame, in frame pixels: top-left corner and side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Square {
    /// Left edge.
    pub x0: f32,
    /// Top edge.
    pub y0: f32,
    /// Side length.
    pub side: f32,
}

impl Square {
    /// The MoveNet crop around `person`: centred on the box, side `1.25 * max(w, h)`
    /// (at least 1 pixel).
    pub fn around(person: &BBox) -> Square {
        let [cx, cy] = person.center();
        let side = (CROP_SCALE * person.width().max(person.height())).max(1.0);
        Square { x0: cx - side / 2.0, y0: cy - side / 2.0, side }
    }

    /// Frame pixel of a point given normalised to the square.
    pub fn to_frame(&self, x: f32, y: f32) -> [f32; 2] {
        [self.x0 + x * self.side, self.y0 + y * self.side]
    }
}

/// Samples `sq` of `frame` into a `size`×`size` RGB `int32` NHWC buffer
/// (bilinear, pixel centres aligned, 0 outside the frame).
pub fn crop_to_input(frame: &Frame, sq: &Square, size: usize) -> Vec<i32> {
    let (w, h) = frame.size();
    let raw = frame.image.as_raw();
    let (wu, hu) = (w as usize, h as usize);
    let mut out = vec![0i32; size * size * 3];
    if wu == 0 || hu == 0 || size == 0 {
        return out;
    }
    let step = sq.side / size as f32;
    let px = |x: i64, y: i64, c: usize| -> f32 {
        if x < 0 || y < 0 || x >= wu as i64 || y >= hu as i64 {
            0.0
        } else {
            f32::from(raw[(y as usize * wu + x as usize) * 3 + c])
        }
    };
    for i in 0..size {
        let sy = sq.y0 + (i as f32 + 0.5) * step - 0.5;
        let y0 = sy.floor();
        let fy = sy - y0;
        let y0 = y0 as i64;
        for j in 0..size {
            let sx = sq.x0 + (j as f32 + 0.5) * step - 0.5;
            let x0 = sx.floor();
            let fx = sx - x0;
            let x0 = x0 as i64;
            for c in 0..3 {
                let top = px(x0, y0, c) * (1.0 - fx) + px(x0 + 1, y0, c) * fx;
                let bot = px(x0, y0 + 1, c) * (1.0 - fx) + px(x0 + 1, y0 + 1, c) * fx;
                let v = top * (1.0 - fy) + bot * fy;
                out[(i * size + j) * 3 + c] = v.round().clamp(0.0, 255.0) as i32;
            }
        }
    }
    out
}

fn check_box(frame: &Frame, person: &BBox) -> Result<()> {
    let ok = [person.x1, person.y1, person.x2, person.y2].iter().all(|v| v.is_finite())
        && person.x2 >= person.x1
        && person.y2 >= person.y1;
    if !ok {
        return Err(PoseError::InvalidInput { what: "person box", reason: format!("{person:?}") });
    }
    let (w, h) = frame.size();
    if w == 0 || h == 0 {
        return Err(PoseError::InvalidInput {
            what: "frame",
            reason: format!("frame {} is empty ({w}x{h})", frame.index),
        });
    }
    if person.clamp(w, h).area() <= 0.0 {
        return Err(PoseError::InvalidInput {
            what: "person box",
            reason: format!("{person:?} is empty or outside frame {} ({w}x{h})", frame.index),
        });
    }
    Ok(())
}

fn runtime_err(model: &OnnxModel, frame: &Frame, e: impl std::fmt::Display) -> PoseError {
    PoseError::Runtime(format!("{} on frame {}: {e}", model.path().display(), frame.index))
}

/// Crops `sq` of `frame` to the `s` x `s` input, runs `model` (input `input`,
/// output `output`) and returns the output tensor's values.
fn run_square(
    model: &mut OnnxModel,
    (input, output): (&str, &str),
    frame: &Frame,
    sq: &Square,
    s: usize,
) -> Result<Vec<f32>> {
    let pixels = crop_to_input(frame, sq, s);
    let tensor = TensorRef::from_array_view(([1usize, s, s, 3], pixels.as_slice()))
        .map_err(|e| runtime_err(model, frame, e))?;
    let outputs = model
        .session_mut()
        .run(touchline_onnx::ort::inputs![input => tensor])
        .map_err(|e| PoseError::Runtime(format!("run on frame {}: {e}", frame.index)))?;
    let (_, data) = outputs[output]
        .try_extract_tensor::<f32>()
        .map_err(|e| PoseError::Runtime(format!("output on frame {}: {e}", frame.index)))?;
    Ok(data.to_vec())
}

/// Keypoints from 17 `(y, x, score)` triples normalised to `sq`.
fn keypoints_from(yxs: &[f32], sq: &Square) -> Keypoints {
    let mut k = Keypoints::default();
    for (j, t) in CocoJoint::ALL.into_iter().zip(yxs.chunks_exact(3)) {
        let [x, y] = sq.to_frame(t[1], t[0]);
        let score = if t[2].is_finite() { t[2].clamp(0.0, 1.0) } else { 0.0 };
        k.set(j, Joint { x, y, score });
    }
    k
}

/// Single-person MoveNet (Thunder or Lightning) on person crops.
///
/// ```
/// use touchline_core::{BBox, CocoJoint, Frame, PoseEstimator};
/// use touchline_pose::movenet::{MoveNetSingle, SessionConfig};
///
/// let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");
/// let mut pose = MoveNetSingle::load(
///     format!("{shared}/models/movenet_single/movenet_lightning.onnx"),
///     &SessionConfig::default().intra_threads(1),
/// )?;
/// let image = image::open(format!("{shared}/images/000000000785.jpg"))?.to_rgb8();
/// let frame = Frame::new(0, 0.0, image); // a skier, 640x425
/// let k = pose.estimate(&frame, &BBox::new(270.0, 40.0, 500.0, 395.0)?)?;
/// let knee = k.confident(CocoJoint::LeftKnee, 0.3).expect("knee seen");
/// let ankle = k.confident(CocoJoint::LeftAnkle, 0.3).expect("ankle seen");
/// assert!(ankle[1] > knee[1]); // image y grows downwards
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct MoveNetSingle {
    model: OnnxModel,
    size: usize,
}

impl MoveNetSingle {
    /// Input tensor name.
    pub const INPUT: &'static str = "input:0";
    /// Output tensor name.
    pub const OUTPUT: &'static str = "Identity:0";

    /// Loads a single-pose MoveNet; the input size (256 Thunder, 192 Lightning,
    /// or any other square size) is read from the model.
    ///
    /// Errors: the model is missing, not ONNX, or not a single-pose MoveNet
    /// (`input:0` int32 `[1,S,S,3]` -> `Identity:0` f32 `[1,1,17,3]`), each
    /// naming the file; the runtime cannot be found or loaded.
    pub fn load(path: impl AsRef<Path>, config: &SessionConfig) -> Result<MoveNetSingle> {
        let path = path.as_ref();
        let contract = ModelContract::new(
            vec![TensorSpec::new(
                Self::INPUT,
                ElemType::I32,
                [Dim::Fixed(1), Dim::Any, Dim::Any, Dim::Fixed(3)],
            )],
            vec![TensorSpec::new(
                Self::OUTPUT,
                ElemType::F32,
                [Dim::Fixed(1), Dim::Fixed(1), Dim::Fixed(17), Dim::Fixed(3)],
            )],
        );
        let model = OnnxModel::load(path, &contract, config)?;
        let shape = model.input_shapes().first().cloned().unwrap_or_default();
        let size = match shape.as_slice() {
            [_, h, w, _] if h == w && *h >= 32 && *h <= 4096 => *h as usize,
            _ => {
                return Err(PoseError::WrongModel {
                    path: path.to_path_buf(),
                    reason: format!("input must be a fixed square [1,S,S,3], model declares {shape:?}"),
                });
            }
        };
        Ok(MoveNetSingle { model, size })
    }

    /// The model's input side in pixels (256 Thunder, 192 Lightning).
    pub fn input_size(&self) -> usize {
        self.size
    }

    /// Runs the model on a square of the frame and returns keypoints in frame pixels.
    pub fn estimate_square(&mut self, frame: &Frame, sq: &Square) -> Result<Keypoints> {
        let yxs = run_square(&mut self.model, (Self::INPUT, Self::OUTPUT), frame, sq, self.size)?;
        if yxs.len() != 51 {
            return Err(PoseError::WrongModel {
                path: self.model.path().to_path_buf(),
                reason: format!("expected 51 output values, got {}", yxs.len()),
            });
        }
        Ok(keypoints_from(&yxs, sq))
    }
}

impl PoseEstimator for MoveNetSingle {
    type Error = PoseError;

    fn estimate(&mut self, frame: &Frame, person: &BBox) -> Result<Keypoints> {
        check_box(frame, person)?;
        self.estimate_square(frame, &Square::around(person))
    }
}

/// One person found by [`MoveNetMulti`], in frame pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonPose {
    /// The skeleton.
    pub keypoints: Keypoints,
    /// The model's box for the person.
    pub bbox: BBox,
    /// Instance score in `0..=1`.
    pub score: f32,
}

/// MoveNet MultiPose Lightning (bottom-up, up to 6 people).
#[derive(Debug)]
pub struct MoveNetMulti {
    model: OnnxModel,
    size: usize,
    /// Instances scored below this are dropped (NOTES.md suggests ~0.2).
    pub min_instance_score: f32,
}

impl MoveNetMulti {
    /// Input tensor name.
    pub const INPUT: &'static str = "input";
    /// Output tensor name.
    pub const OUTPUT: &'static str = "output_0";

    /// Loads the multipose model, run at `size`×`size` (a multiple of 32; 256 recommended).
    ///
    /// Errors: as [`MoveNetSingle::load`] for the contract `input` int32
    /// `[1,H,W,3]` -> `output_0` f32 `[1,6,56]`; a bad `size`.
    pub fn load(path: impl AsRef<Path>, size: usize, config: &SessionConfig) -> Result<MoveNetMulti> {
        if size == 0 || !size.is_multiple_of(32) || size > 4096 {
            return Err(PoseError::InvalidInput {
                what: "multipose input size",
                reason: format!("must be a positive multiple of 32 up to 4096, got {size}"),
            });
        }
        let s = size as i64;
        let contract = ModelContract::new(
            vec![TensorSpec::new(
                Self::INPUT,
                ElemType::I32,
                [Dim::Fixed(1), Dim::Fixed(s), Dim::Fixed(s), Dim::Fixed(3)],
            )],
            vec![TensorSpec::new(Self::OUTPUT, ElemType::F32, [Dim::Fixed(1), Dim::Any, Dim::Fixed(56)])],
        );
        let model = OnnxModel::load(path, &contract, config)?;
        Ok(MoveNetMulti { model, size, min_instance_score: 0.2 })
    }

    /// The input side in pixels.
    pub fn input_size(&self) -> usize {
        self.size
    }

    /// Everyone in a square of the frame, in frame pixels, best score first.
    pub fn estimate_square(&mut self, frame: &Frame, sq: &Square) -> Result<Vec<PersonPose>> {
        let rows = run_square(&mut self.model, (Self::INPUT, Self::OUTPUT), frame, sq, self.size)?;
        if rows.is_empty() || !rows.len().is_multiple_of(56) {
            return Err(PoseError::WrongModel {
                path: self.model.path().to_path_buf(),
                reason: format!("expected rows of 56 values, got {} values", rows.len()),
            });
        }
        let mut people = Vec::new();
        for r in rows.chunks_exact(56) {
            let score = r[55];
            if !(score.is_finite() && score >= self.min_instance_score) {
                continue;
            }
            let [x1, y1] = sq.to_frame(r[52], r[51]);
            let [x2, y2] = sq.to_frame(r[54], r[53]);
            let Ok(bbox) = BBox::new(x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)) else { continue };
            people.push(PersonPose { keypoints: keypoints_from(&r[..51], sq), bbox, score: score.min(1.0) });
        }
        people.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(people)
    }

    /// Everyone in the whole frame (letterboxed: the frame at the top-left of a
    /// square of side max(w, h), padded with 0).
    pub fn estimate_all(&mut self, frame: &Frame) -> Result<Vec<PersonPose>> {
        let (w, h) = frame.size();
        if w == 0 || h == 0 {
            return Err(PoseError::InvalidInput {
                what: "frame",
                reason: format!("frame {} is empty ({w}x{h})", frame.index),
            });
        }
        self.estimate_square(frame, &Square { x0: 0.0, y0: 0.0, side: w.max(h) as f32 })
    }
}

impl PoseEstimator for MoveNetMulti {
    type Error = PoseError;

    /// Runs on the square crop around `person` and keeps the instance whose box
    /// overlaps `person` most; [`PoseError::NoPerson`] when none does.
    fn estimate(&mut self, frame: &Frame, person: &BBox) -> Result<Keypoints> {
        check_box(frame, person)?;
        let people = self.estimate_square(frame, &Square::around(person))?;
        people
            .into_iter()
            .map(|p| (p.bbox.iou(person), p))
            .filter(|(iou, _)| *iou > 0.0)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, p)| p.keypoints)
            .ok_or(PoseError::NoPerson { frame: frame.index, bbox: *person })
    }
}
