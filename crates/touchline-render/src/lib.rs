//! Annotated frames and video output for Touchline.
//!
//! - [`Annotator`]: draws onto an [`image::RgbImage`] from plain inputs (core's [`BBox`],
//!   [`Detection`], [`Track`], [`Keypoints`]): boxes with track ids in team colours
//!   ([`Palette`]), a fading ball trail ([`BallTrail`]), a possession label, a goal banner,
//!   COCO-17 skeletons (low-confidence joints hollow and grey) and joint-angle labels
//!   (`KNEE 35°`). Text uses a built-in 5x7 bitmap font (upper case, digits, punctuation), so no
//!   font file is needed. Nothing drawn outside the image, and no NaN, panics.
//! - [`Mp4Writer`]: H.264 (Cisco OpenH264 compiled from its bundled source) in an MP4 file
//!   (the `mp4` crate); odd sizes are padded to even. [`PngSequenceWriter`] writes
//!   `frame_000000.png`, ... instead. Both implement [`FrameSink`].
//!
//! ```
//! use image::RgbImage;
//! use touchline_core::{BBox, CocoJoint, Joint, Keypoints, Team};
//! use touchline_render::{Annotator, AnnotatorConfig};
//!
//! let annotator = Annotator::new(AnnotatorConfig { line_width: 3, ..Default::default() })?;
//! let mut frame = RgbImage::from_pixel(320, 180, image::Rgb([40, 120, 40]));
//!
//! // A home player with track id 7, partly outside the frame: clipped, no panic.
//! let bbox = BBox::new(280.0, 40.0, 340.0, 170.0)?;
//! let home = annotator.config().palette.color(Team::Home);
//! annotator.draw_box(&mut frame, &bbox, home, Some("#7"));
//! assert_eq!(*frame.get_pixel(281, 100), home); // left border in the team colour
//!
//! // The ball over the last frames, fading out behind it.
//! let mut trail = annotator.new_trail();
//! for i in 0..10 {
//!     trail.push(Some([40.0 + 12.0 * i as f32, 150.0 - 8.0 * i as f32]));
//! }
//! annotator.draw_trail(&mut frame, &trail);
//!
//! // A knee with its angle label.
//! let mut kp = Keypoints::default();
//! kp.set(CocoJoint::LeftHip, Joint { x: 100.0, y: 60.0, score: 0.9 });
//! kp.set(CocoJoint::LeftKnee, Joint { x: 110.0, y: 100.0, score: 0.9 });
//! kp.set(CocoJoint::LeftAnkle, Joint { x: 100.0, y: 140.0, score: 0.2 }); // drawn hollow
//! annotator.draw_skeleton(&mut frame, &kp);
//! annotator.draw_joint_angle(&mut frame, &kp, CocoJoint::LeftKnee, "knee", 152.0);
//! annotator.draw_possession(&mut frame, Team::Home, Some(7));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Writing a video (see `docs/render.md` for sizes, colour and quality):
//!
//! ```no_run
//! use touchline_render::Mp4Writer;
//! let mut out = Mp4Writer::create("annotated.mp4", 1280, 720, 25.0)?;
//! let frame = image::RgbImage::new(1280, 720);
//! out.write_frame(&frame)?;
//! let summary = out.finish()?; // writes the index; without it players cannot open the file
//! println!("{} frames, {} bytes", summary.frames, summary.bytes);
//! # Ok::<(), touchline_render::RenderError>(())
//! ```
//!
//! [`BBox`]: touchline_core::BBox
//! [`Detection`]: touchline_core::Detection
//! [`Track`]: touchline_core::Track
//! [`Keypoints`]: touchline_core::Keypoints

mod annotate;
mod draw;
mod error;
pub mod font;
mod threaded;
mod video;

pub use annotate::{Annotator, AnnotatorConfig, BallTrail, Palette, SKELETON_BONES};
pub use error::{RenderError, Result};
pub use threaded::ThreadedSink;
pub use video::{FrameSink, Mp4Options, Mp4Summary, Mp4Writer, PngSequenceWriter};
