//! MediaPipe / BlazePose 33-landmark skeletons to COCO-17.
//!
//! BlazePose's 33 landmarks (MediaPipe Pose order: 0 nose, 1-3 left eye
//! inner/centre/outer, 4-6 right eye, 7-8 ears, 9-10 mouth, 11-12 shoulders,
//! 13-14 elbows, 15-16 wrists, 17-22 hand points, 23-24 hips, 25-26 knees,
//! 27-28 ankles, 29-30 heels, 31-32 foot index) contain all 17 COCO joints;
//! the eye centre is used for COCO's eye. MediaPipe reports `x`, `y`
//! normalised to the image and a `visibility`: scale by the image size
//! ([`from_blazepose33_normalised`]) and the visibility becomes the score.

use touchline_core::{CocoJoint, Joint, Keypoints};

use crate::error::{PoseError, Result};

/// For each COCO joint (COCO order), its BlazePose-33 index.
pub const BLAZEPOSE33_FOR_COCO17: [usize; 17] = [
    0,  // nose
    2,  // left eye (centre)
    5,  // right eye (centre)
    7,  // left ear
    8,  // right ear
    11, // left shoulder
    12, // right shoulder
    13, // left elbow
    14, // right elbow
    15, // left wrist
    16, // right wrist
    23, // left hip
    24, // right hip
    25, // left knee
    26, // right knee
    27, // left ankle
    28, // right ankle
];

/// COCO-17 keypoints from 33 BlazePose landmarks already in pixels (score = visibility).
///
/// ```
/// use touchline_core::{CocoJoint, Joint};
/// use touchline_pose::blazepose::from_blazepose33;
/// let mut pts = vec![Joint { x: 0.0, y: 0.0, score: 0.0 }; 33];
/// pts[25] = Joint { x: 120.0, y: 300.0, score: 0.95 }; // BlazePose left knee
/// let k = from_blazepose33(&pts)?;
/// assert_eq!(k.get(CocoJoint::LeftKnee), pts[25]);
/// # Ok::<(), touchline_pose::PoseError>(())
/// ```
pub fn from_blazepose33(landmarks: &[Joint]) -> Result<Keypoints> {
    if landmarks.len() != 33 {
        return Err(PoseError::InvalidInput {
            what: "BlazePose landmarks",
            reason: format!("expected 33, got {}", landmarks.len()),
        });
    }
    let mut k = Keypoints::default();
    for (j, &b) in CocoJoint::ALL.into_iter().zip(BLAZEPOSE33_FOR_COCO17.iter()) {
        k.set(j, landmarks[b]);
    }
    Ok(k)
}

/// COCO-17 keypoints from MediaPipe's normalised landmarks `(x, y, visibility)`
/// on an image of `width` x `height` pixels.
///
/// ```
/// use touchline_core::CocoJoint;
/// use touchline_pose::blazepose::from_blazepose33_normalised;
/// let mut pts = vec![[0.0f32, 0.0, 0.0]; 33];
/// pts[28] = [0.5, 0.9, 0.8]; // right ankle
/// let k = from_blazepose33_normalised(&pts, 640, 480)?;
/// let a = k.get(CocoJoint::RightAnkle);
/// assert_eq!((a.x, a.y, a.score), (320.0, 432.0, 0.8));
/// # Ok::<(), touchline_pose::PoseError>(())
/// ```
pub fn from_blazepose33_normalised(landmarks: &[[f32; 3]], width: u32, height: u32) -> Result<Keypoints> {
    let (w, h) = (width as f32, height as f32);
    let px: Vec<Joint> = landmarks.iter().map(|&[x, y, s]| Joint { x: x * w, y: y * h, score: s }).collect();
    from_blazepose33(&px)
}
