//! Video in, frames out: Touchline's [`FrameSource`] implementations.
//!
//! | backend | type | what |
//! |---|---|---|
//! | MP4 / H.264 | [`Mp4Source`] | `re_mp4` demuxes, Cisco's OpenH264 (compiled from bundled C source) decodes; frames in **display order**, B-frames included, timestamps from the container in seconds |
//! | Y4M | [`Y4mSource`] | our own YUV4MPEG2 parser (8-bit 4:2:0, 4:2:2, 4:4:4, mono); [`Y4mWriter`] writes 4:2:0 |
//! | image folder | [`ImageFolderSource`] | PNG/JPEG files sorted by name, at a given frame rate |
//!
//! [`open`] picks the backend from the content (the `ftyp` box, the `YUV4MPEG2`
//! signature) or, for a directory, reads it as an image folder; [`probe`] reads
//! size, frame count, rate and duration without decoding pictures. [`Sampler`]
//! (or `.sample(...)` from [`FrameSourceExt`]) wraps any source to keep every
//! n-th frame or one frame per time step, inside a start/end range, resized.
//! Errors ([`DecodeError`]) name the file and the frame, sample or byte offset.
//!
//! ```
//! use touchline_core::FrameSource;
//! use touchline_decode::{FrameSourceExt, Sampling};
//!
//! let clip = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/videos/soccer_penalty_lampard_goal.mp4");
//! let info = touchline_decode::probe(clip)?;
//! assert_eq!((info.width, info.height, info.frame_count), (1280, 720, Some(105)));
//! assert_eq!(info.fps, Some(30.0));
//!
//! // Five frames a second from 1.0 s to 2.0 s, at 320x180.
//! let mut src = touchline_decode::open(clip)?
//!     .sample(Sampling::new().every_seconds(0.2).start_time(1.0).end_time(2.0).resize(320, 180))?;
//! let mut kept = Vec::new();
//! while let Some(frame) = src.next_frame()? {
//!     assert_eq!(frame.size(), (320, 180));
//!     kept.push(frame.index);
//! }
//! assert_eq!(kept, [30, 36, 42, 48, 54]);
//! # Ok::<(), touchline_decode::DecodeError>(())
//! ```
//!
//! See `docs/video.md` for display order, B-frames, sampling and errors.

mod ahead;
mod error;
mod folder;
mod mp4;
mod mp4_boxes;
mod sample;
mod y4m;

use std::io::Read;
use std::path::{Path, PathBuf};

pub use ahead::ReadAhead;
pub use error::{DecodeError, Result};
pub use folder::{IMAGE_EXTENSIONS, ImageFolderSource};
pub use mp4::{Mp4Source, probe_mp4};
pub use sample::{Bound, FrameSourceExt, Resize, Sampler, Sampling, Step};
pub use touchline_core::{Frame, FrameSource};
pub use y4m::{Chroma, Y4mHeader, Y4mSource, Y4mWriter};

/// Which reader handles a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// MP4 container with an H.264 track.
    Mp4,
    /// YUV4MPEG2 stream.
    Y4m,
    /// Folder of PNG/JPEG images.
    ImageFolder,
}

/// Facts about a video known without decoding its pictures.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoInfo {
    /// The reader.
    pub backend: Backend,
    /// Codec string (`avc1.64001F`), `y4m` or `images`.
    pub codec: String,
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Number of frames (MP4: samples of the video track; Y4M: implied by the file size).
    pub frame_count: Option<usize>,
    /// Nominal frame rate (MP4: timescale over the median sample duration).
    pub fps: Option<f64>,
    /// Duration in seconds (MP4: sum of the sample durations).
    pub duration_s: Option<f64>,
}

/// How [`open_with`] treats what it cannot learn from the content.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenOptions {
    /// Frame rate given to image folders (they carry none). Default 25.
    pub folder_fps: f64,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { folder_fps: 25.0 }
    }
}

/// Any of the backends, chosen by [`open`].
#[derive(Debug)]
pub enum VideoSource {
    /// MP4 / H.264.
    Mp4(Box<Mp4Source>),
    /// YUV4MPEG2 file.
    Y4m(Y4mSource<std::io::BufReader<std::fs::File>>),
    /// Folder of images.
    ImageFolder(ImageFolderSource),
}

impl VideoSource {
    /// Which backend reads this source.
    pub fn backend(&self) -> Backend {
        match self {
            VideoSource::Mp4(_) => Backend::Mp4,
            VideoSource::Y4m(_) => Backend::Y4m,
            VideoSource::ImageFolder(_) => Backend::ImageFolder,
        }
    }

    /// Size, frame count, rate and duration.
    pub fn info(&self) -> Result<VideoInfo> {
        match self {
            VideoSource::Mp4(s) => Ok(s.info().clone()),
            VideoSource::Y4m(s) => Ok(s.info()),
            VideoSource::ImageFolder(s) => s.info(),
        }
    }
}

impl FrameSource for VideoSource {
    type Error = DecodeError;

    fn next_frame(&mut self) -> Result<Option<Frame>> {
        match self {
            VideoSource::Mp4(s) => s.next_frame(),
            VideoSource::Y4m(s) => s.next_frame(),
            VideoSource::ImageFolder(s) => s.next_frame(),
        }
    }

    fn frame_rate(&self) -> Option<f64> {
        match self {
            VideoSource::Mp4(s) => s.frame_rate(),
            VideoSource::Y4m(s) => s.frame_rate(),
            VideoSource::ImageFolder(s) => s.frame_rate(),
        }
    }

    fn frame_count_hint(&self) -> Option<usize> {
        match self {
            VideoSource::Mp4(s) => s.frame_count_hint(),
            VideoSource::Y4m(s) => s.frame_count_hint(),
            VideoSource::ImageFolder(s) => s.frame_count_hint(),
        }
    }
}

/// Guesses the backend of `path`: a directory is an image folder; a file is
/// sniffed by its first bytes (`ftyp` at byte 4: MP4; `YUV4MPEG2`: Y4M), then
/// by extension (`.mp4`/`.m4v`/`.mov`, `.y4m`).
pub fn detect(path: impl AsRef<Path>) -> Result<Backend> {
    let path = path.as_ref();
    if path.is_dir() {
        return Ok(Backend::ImageFolder);
    }
    let mut head = [0u8; 12];
    let mut file = std::fs::File::open(path).map_err(|e| DecodeError::io(path, e))?;
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(DecodeError::io(path, e)),
        }
    }
    if n >= 8 && &head[4..8] == b"ftyp" {
        return Ok(Backend::Mp4);
    }
    if n >= 9 && &head[..9] == b"YUV4MPEG2" {
        return Ok(Backend::Y4m);
    }
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("mp4" | "m4v" | "mov") => Ok(Backend::Mp4),
        Some("y4m") => Ok(Backend::Y4m),
        _ => Err(DecodeError::UnknownFormat {
            path: PathBuf::from(path),
            reason: format!(
                "first bytes {:02x?} are neither an MP4 'ftyp' box nor a 'YUV4MPEG2' header",
                &head[..n]
            ),
        }),
    }
}

/// Opens a video file or image folder with the default [`OpenOptions`].
pub fn open(path: impl AsRef<Path>) -> Result<VideoSource> {
    open_with(path, &OpenOptions::default())
}

/// Opens a video file or image folder.
pub fn open_with(path: impl AsRef<Path>, options: &OpenOptions) -> Result<VideoSource> {
    let path = path.as_ref();
    Ok(match detect(path)? {
        Backend::Mp4 => VideoSource::Mp4(Box::new(Mp4Source::open(path)?)),
        Backend::Y4m => VideoSource::Y4m(Y4mSource::open(path)?),
        Backend::ImageFolder => VideoSource::ImageFolder(ImageFolderSource::new(path, options.folder_fps)?),
    })
}

/// Size, frame count, rate and duration of a video file or image folder
/// without decoding its pictures (image folders: 25 fps, see [`OpenOptions`]).
pub fn probe(path: impl AsRef<Path>) -> Result<VideoInfo> {
    let path = path.as_ref();
    match detect(path)? {
        Backend::Mp4 => probe_mp4(path),
        Backend::Y4m => Ok(Y4mSource::open(path)?.info()),
        Backend::ImageFolder => ImageFolderSource::new(path, OpenOptions::default().folder_fps)?.info(),
    }
}
