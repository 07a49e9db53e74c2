//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong while annotating or writing video.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// A configuration value or argument out of its range.
    #[error("invalid {name}: {reason}")]
    InvalidParameter {
        /// Which parameter.
        name: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// Creating, writing or closing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A frame whose size differs from the size the writer was created with.
    #[error("{path}: frame {frame} is {found_w}x{found_h}, the video is {expected_w}x{expected_h}")]
    FrameSize {
        /// The output file.
        path: PathBuf,
        /// Frame number (counting from 0 in the order written).
        frame: u64,
        /// Width given at creation.
        expected_w: u32,
        /// Height given at creation.
        expected_h: u32,
        /// Width of the frame passed.
        found_w: u32,
        /// Height of the frame passed.
        found_h: u32,
    },
    /// The H.264 encoder failed or produced unusable output.
    #[error("{path}: encoding frame {frame}: {reason}")]
    Encode {
        /// The output file.
        path: PathBuf,
        /// Frame number (counting from 0).
        frame: u64,
        /// The encoder's message.
        reason: String,
    },
    /// Writing the MP4 container failed.
    #[error("{path}: writing MP4{}: {reason}", frame.map(|f| format!(" at frame {f}")).unwrap_or_default())]
    Mux {
        /// The output file.
        path: PathBuf,
        /// Frame number, when a frame was being written.
        frame: Option<u64>,
        /// The muxer's message.
        reason: String,
    },
    /// The writer thread of a [`crate::ThreadedSink`] stopped without an error of its own (it
    /// panicked).
    #[error("writer thread stopped after {frames} frames: {reason}")]
    Worker {
        /// Frames handed to it.
        frames: u64,
        /// What is known.
        reason: String,
    },
    /// `finish` was called before any frame was written; the empty file was removed.
    #[error("{path}: no frame was written, so no video was made")]
    NoFrames {
        /// The output file.
        path: PathBuf,
    },
    /// Encoding or writing one PNG failed.
    #[error("{path}: writing frame {frame} as PNG: {source}")]
    Png {
        /// The PNG file.
        path: PathBuf,
        /// Frame number (counting from 0).
        frame: u64,
        /// The underlying error.
        #[source]
        source: image::ImageError,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = RenderError> = std::result::Result<T, E>;
