//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong while opening or decoding a video.
///
/// Every variant names the file (`path`; sources built from memory use the
/// label they were given, e.g. `<memory>`) and, where it applies, the frame,
/// sample or byte offset where it failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The file or folder could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The content matches none of the supported formats.
    #[error("{path}: unknown video format ({reason})")]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// What was looked at.
        reason: String,
    },
    /// The MP4 container structure is broken (a box, the sample tables).
    #[error("{path}: bad MP4 container at byte {byte}: {reason}")]
    Container {
        /// The file.
        path: PathBuf,
        /// Byte offset where the problem was found (0 when the demuxer could not tell).
        byte: u64,
        /// What is wrong.
        reason: String,
    },
    /// The MP4 has no video track we can decode.
    #[error("{path}: {reason}")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What is missing or unsupported (e.g. the codec).
        reason: String,
    },
    /// A sample's bytes are missing (the file is truncated) or malformed.
    #[error("{path}: sample {sample} (decode order) at byte {byte}: {reason}")]
    Sample {
        /// The file.
        path: PathBuf,
        /// Sample number in decode order, from 0.
        sample: usize,
        /// Byte offset of the sample in the file.
        byte: u64,
        /// What is wrong.
        reason: String,
    },
    /// OpenH264 rejected a sample.
    #[error("{path}: H.264 decoding failed at sample {sample} (decode order), byte {byte}: {reason}")]
    H264 {
        /// The file.
        path: PathBuf,
        /// Sample number in decode order, from 0.
        sample: usize,
        /// Byte offset of the sample in the file.
        byte: u64,
        /// The decoder's message.
        reason: String,
    },
    /// The decoder produced a different number of pictures than the file has samples.
    #[error("{path}: the decoder produced {decoded} pictures for {samples} samples")]
    FrameCountMismatch {
        /// The file.
        path: PathBuf,
        /// Samples in the track.
        samples: usize,
        /// Pictures the decoder returned.
        decoded: usize,
    },
    /// A Y4M stream header is malformed.
    #[error("{path}: bad Y4M header at byte {byte}: {reason}")]
    Y4mHeader {
        /// The file.
        path: PathBuf,
        /// Byte offset of the problem.
        byte: u64,
        /// What is wrong.
        reason: String,
    },
    /// A Y4M frame is malformed or cut short.
    #[error("{path}: bad Y4M frame {frame} at byte {byte}: {reason}")]
    Y4mFrame {
        /// The file.
        path: PathBuf,
        /// Frame number, from 0.
        frame: usize,
        /// Byte offset of the problem.
        byte: u64,
        /// What is wrong.
        reason: String,
    },
    /// An image of an image folder could not be decoded.
    #[error("{path}: frame {frame}: {reason}")]
    Image {
        /// The image file.
        path: PathBuf,
        /// Frame number, from 0.
        frame: usize,
        /// What is wrong.
        reason: String,
    },
    /// The decoding thread of a [`crate::ReadAhead`] could not start or panicked.
    #[error("{path}: {reason}")]
    Worker {
        /// The video.
        path: PathBuf,
        /// What happened.
        reason: String,
    },
    /// A parameter is out of range (sampling options, frame rate, size).
    #[error("invalid {name}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Why it is rejected.
        reason: String,
    },
}

impl DecodeError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DecodeError::Io { path: path.into(), source }
    }
}

/// `Result` with [`DecodeError`].
pub type Result<T> = std::result::Result<T, DecodeError>;
