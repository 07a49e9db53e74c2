//! Vision types: frames, boxes, masks, detections, keypoints.
//!
//! Pixel coordinates throughout: origin top-left, `x` right, `y` down.

use image::RgbImage;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

/// One decoded video frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Position in the source, counting from 0 in display order.
    pub index: usize,
    /// Presentation time in seconds.
    pub timestamp: f64,
    /// The pixels, RGB 8 bit.
    pub image: RgbImage,
}

impl Frame {
    /// A frame from its parts.
    pub fn new(index: usize, timestamp: f64, image: RgbImage) -> Self {
        Frame { index, timestamp, image }
    }

    /// `(width, height)` in pixels.
    pub fn size(&self) -> (u32, u32) {
        self.image.dimensions()
    }
}

/// An axis-aligned box in pixels, corners `(x1, y1)` top-left and `(x2, y2)`
/// bottom-right.
///
/// ```
/// use touchline_core::BBox;
/// let a = BBox::new(0.0, 0.0, 10.0, 10.0)?;
/// let b = BBox::new(5.0, 0.0, 15.0, 10.0)?;
/// assert!((a.iou(&b) - 50.0 / 150.0).abs() < 1e-6);
/// # Ok::<(), touchline_core::CoreError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BBox {
    /// Left.
    pub x1: f32,
    /// Top.
    pub y1: f32,
    /// Right.
    pub x2: f32,
    /// Bottom.
    pub y2: f32,
}

impl BBox {
    /// A validated box: finite corners with `x2 >= x1`, `y2 >= y1`.
    pub fn new(x1: f32, y1: f32, x2: f32, y2: f32) -> Result<BBox> {
        let finite = [x1, y1, x2, y2].iter().all(|v| v.is_finite());
        if !finite || x2 < x1 || y2 < y1 {
            return Err(CoreError::InvalidParameter {
                name: "bbox",
                reason: format!(
                    "corners must be finite with x2 >= x1 and y2 >= y1, got ({x1}, {y1}, {x2}, {y2})"
                ),
            });
        }
        Ok(BBox { x1, y1, x2, y2 })
    }

    /// From top-left corner, width and height.
    pub fn from_xywh(x: f32, y: f32, w: f32, h: f32) -> Result<BBox> {
        BBox::new(x, y, x + w, y + h)
    }

    /// Width.
    pub fn width(&self) -> f32 {
        self.x2 - self.x1
    }

    /// Height.
    pub fn height(&self) -> f32 {
        self.y2 - self.y1
    }

    /// Area.
    pub fn area(&self) -> f32 {
        self.width().max(0.0) * self.height().max(0.0)
    }

    /// Centre point.
    pub fn center(&self) -> [f32; 2] {
        [(self.x1 + self.x2) / 2.0, (self.y1 + self.y2) / 2.0]
    }

    /// Middle of the bottom edge: where a standing player touches the ground.
    pub fn bottom_center(&self) -> [f32; 2] {
        [(self.x1 + self.x2) / 2.0, self.y2]
    }

    /// Area of the overlap with `other`.
    pub fn intersection(&self, other: &BBox) -> f32 {
        let w = (self.x2.min(other.x2) - self.x1.max(other.x1)).max(0.0);
        let h = (self.y2.min(other.y2) - self.y1.max(other.y1)).max(0.0);
        w * h
    }

    /// Intersection over union, 0 when both are empty.
    pub fn iou(&self, other: &BBox) -> f32 {
        let i = self.intersection(other);
        let u = self.area() + other.area() - i;
        if u > 0.0 { i / u } else { 0.0 }
    }

    /// The box clipped to an image of `width` x `height`.
    pub fn clamp(&self, width: u32, height: u32) -> BBox {
        let (w, h) = (width as f32, height as f32);
        BBox {
            x1: self.x1.clamp(0.0, w),
            y1: self.y1.clamp(0.0, h),
            x2: self.x2.clamp(0.0, w),
            y2: self.y2.clamp(0.0, h),
        }
    }
}

/// A binary mask over a whole image, row-major.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mask {
    width: u32,
    height: u32,
    data: Vec<bool>,
}

impl Mask {
    /// A mask from row-major data of length `width * height`.
    pub fn new(width: u32, height: u32, data: Vec<bool>) -> Result<Mask> {
        let n = width as usize * height as usize;
        if data.len() != n {
            return Err(CoreError::ShapeMismatch {
                what: "mask",
                expected: vec![height as usize, width as usize],
                found: vec![data.len()],
            });
        }
        Ok(Mask { width, height, data })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Whether pixel `(x, y)` is set; `false` outside the mask.
    pub fn get(&self, x: u32, y: u32) -> bool {
        x < self.width && y < self.height && self.data[y as usize * self.width as usize + x as usize]
    }

    /// Number of set pixels.
    pub fn area(&self) -> usize {
        self.data.iter().filter(|&&v| v).count()
    }

    /// Tight box around the set pixels, `None` if none is set.
    pub fn bbox(&self) -> Option<BBox> {
        let (mut x1, mut y1, mut x2, mut y2) = (u32::MAX, u32::MAX, 0, 0);
        for y in 0..self.height {
            for x in 0..self.width {
                if self.get(x, y) {
                    x1 = x1.min(x);
                    y1 = y1.min(y);
                    x2 = x2.max(x + 1);
                    y2 = y2.max(y + 1);
                }
            }
        }
        (x1 != u32::MAX).then_some(BBox { x1: x1 as f32, y1: y1 as f32, x2: x2 as f32, y2: y2 as f32 })
    }
}

/// What a detection is, in sports terms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Label {
    /// A person not yet classified further.
    Person,
    /// A field player.
    Player,
    /// A goalkeeper.
    Goalkeeper,
    /// A referee or other official.
    Referee,
    /// The ball.
    Ball,
    /// A goal frame.
    Goal,
    /// A basketball hoop.
    Hoop,
    /// Anything else, by the model's own class name.
    Other(String),
}

/// One detected object in one frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// What it is.
    pub label: Label,
    /// Confidence in `0..=1`.
    pub score: f32,
    /// Where it is.
    pub bbox: BBox,
    /// Pixel mask, for segmenting models.
    pub mask: Option<Mask>,
    /// Track id, once a tracker has assigned one.
    pub track_id: Option<u64>,
}

impl Detection {
    /// A detection without mask or track id.
    pub fn new(label: Label, score: f32, bbox: BBox) -> Self {
        Detection { label, score, bbox, mask: None, track_id: None }
    }
}

/// The 17 COCO keypoints, in the COCO order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum CocoJoint {
    Nose,
    LeftEye,
    RightEye,
    LeftEar,
    RightEar,
    LeftShoulder,
    RightShoulder,
    LeftElbow,
    RightElbow,
    LeftWrist,
    RightWrist,
    LeftHip,
    RightHip,
    LeftKnee,
    RightKnee,
    LeftAnkle,
    RightAnkle,
}

impl CocoJoint {
    /// All joints in COCO order (index = COCO keypoint index).
    pub const ALL: [CocoJoint; 17] = [
        CocoJoint::Nose,
        CocoJoint::LeftEye,
        CocoJoint::RightEye,
        CocoJoint::LeftEar,
        CocoJoint::RightEar,
        CocoJoint::LeftShoulder,
        CocoJoint::RightShoulder,
        CocoJoint::LeftElbow,
        CocoJoint::RightElbow,
        CocoJoint::LeftWrist,
        CocoJoint::RightWrist,
        CocoJoint::LeftHip,
        CocoJoint::RightHip,
        CocoJoint::LeftKnee,
        CocoJoint::RightKnee,
        CocoJoint::LeftAnkle,
        CocoJoint::RightAnkle,
    ];

    /// COCO index (0..17).
    pub fn index(self) -> usize {
        self as usize
    }

    /// COCO name (`left_knee`, ...).
    pub fn name(self) -> &'static str {
        const NAMES: [&str; 17] = [
            "nose",
            "left_eye",
            "right_eye",
            "left_ear",
            "right_ear",
            "left_shoulder",
            "right_shoulder",
            "left_elbow",
            "right_elbow",
            "left_wrist",
            "right_wrist",
            "left_hip",
            "right_hip",
            "left_knee",
            "right_knee",
            "left_ankle",
            "right_ankle",
        ];
        NAMES[self.index()]
    }

    /// Joint by COCO name.
    pub fn from_name(name: &str) -> Option<CocoJoint> {
        CocoJoint::ALL.into_iter().find(|j| j.name() == name)
    }
}

/// One keypoint: pixel position and confidence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Joint {
    /// Pixel x.
    pub x: f32,
    /// Pixel y.
    pub y: f32,
    /// Confidence in `0..=1`.
    pub score: f32,
}

/// A COCO-17 skeleton.
///
/// ```
/// use touchline_core::{CocoJoint, Joint, Keypoints};
/// let mut k = Keypoints::default();
/// k.set(CocoJoint::LeftKnee, Joint { x: 10.0, y: 20.0, score: 0.9 });
/// assert_eq!(k.confident(CocoJoint::LeftKnee, 0.5), Some([10.0, 20.0]));
/// assert_eq!(k.confident(CocoJoint::RightKnee, 0.5), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Keypoints {
    /// Joints in COCO order.
    pub joints: [Joint; 17],
}

impl Default for Keypoints {
    fn default() -> Self {
        Keypoints { joints: [Joint { x: 0.0, y: 0.0, score: 0.0 }; 17] }
    }
}

impl Keypoints {
    /// One joint.
    pub fn get(&self, j: CocoJoint) -> Joint {
        self.joints[j.index()]
    }

    /// Replaces one joint.
    pub fn set(&mut self, j: CocoJoint, v: Joint) {
        self.joints[j.index()] = v;
    }

    /// The joint's position if its score reaches `min_score` and it is finite.
    pub fn confident(&self, j: CocoJoint, min_score: f32) -> Option<[f32; 2]> {
        let v = self.get(j);
        (v.score >= min_score && v.x.is_finite() && v.y.is_finite()).then_some([v.x, v.y])
    }
}
