//! A folder of PNG/JPEG images as a video: sorted by file name, at a given rate.

use std::path::{Path, PathBuf};

use touchline_core::{Frame, FrameSource};

use crate::error::{DecodeError, Result};
use crate::{Backend, VideoInfo};

/// File extensions read from a folder (case-insensitive).
pub const IMAGE_EXTENSIONS: [&str; 3] = ["png", "jpg", "jpeg"];

/// Frames from the PNG and JPEG files of a folder, in file-name order (byte
/// order of the names: zero-pad frame numbers, `frame_0009.png` before
/// `frame_0010.png`). Frame `i` has timestamp `i / fps`. Every image must have
/// the size of the first one. Other files and sub-folders are ignored.
///
/// ```no_run
/// use touchline_core::FrameSource;
/// let mut src = touchline_decode::ImageFolderSource::new("frames/", 25.0)?;
/// while let Some(f) = src.next_frame()? {
///     println!("{} at {:.2} s: {:?}", f.index, f.timestamp, f.size());
/// }
/// # Ok::<(), touchline_decode::DecodeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ImageFolderSource {
    dir: PathBuf,
    files: Vec<PathBuf>,
    fps: f64,
    next: usize,
    size: Option<(u32, u32)>,
}

impl ImageFolderSource {
    /// Lists the images of `dir`; `fps` sets the timestamps.
    pub fn new(dir: impl AsRef<Path>, fps: f64) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        if !(fps.is_finite() && fps > 0.0) {
            return Err(DecodeError::InvalidParameter {
                name: "fps",
                reason: format!("must be finite and positive, got {fps}"),
            });
        }
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(|e| DecodeError::io(&dir, e))? {
            let path = entry.map_err(|e| DecodeError::io(&dir, e))?.path();
            let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
            if path.is_file() && ext.is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str())) {
                files.push(path);
            }
        }
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        if files.is_empty() {
            return Err(DecodeError::UnknownFormat {
                path: dir,
                reason: "folder has no .png, .jpg or .jpeg images".into(),
            });
        }
        Ok(ImageFolderSource { dir, files, fps, next: 0, size: None })
    }

    /// The image files, in frame order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Frame count, rate and the size of the first image (read from its header).
    pub fn info(&self) -> Result<VideoInfo> {
        let first = &self.files[0];
        let (width, height) = image::image_dimensions(first).map_err(|e| DecodeError::Image {
            path: first.clone(),
            frame: 0,
            reason: e.to_string(),
        })?;
        #[allow(clippy::cast_precision_loss)]
        let duration_s = Some(self.files.len() as f64 / self.fps);
        Ok(VideoInfo {
            backend: Backend::ImageFolder,
            codec: "images".into(),
            width,
            height,
            frame_count: Some(self.files.len()),
            fps: Some(self.fps),
            duration_s,
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl FrameSource for ImageFolderSource {
    type Error = DecodeError;

    fn next_frame(&mut self) -> Result<Option<Frame>> {
        let Some(path) = self.files.get(self.next) else { return Ok(None) };
        let i = self.next;
        let err = |reason: String| DecodeError::Image { path: path.clone(), frame: i, reason };
        let img = image::open(path).map_err(|e| err(e.to_string()))?.to_rgb8();
        let size = img.dimensions();
        match self.size {
            None => self.size = Some(size),
            Some(first) if first != size => {
                return Err(err(format!("image is {size:?} but the first frame is {first:?}")));
            }
            Some(_) => {}
        }
        self.next += 1;
        #[allow(clippy::cast_precision_loss)]
        Ok(Some(Frame::new(i, i as f64 / self.fps, img)))
    }

    fn frame_rate(&self) -> Option<f64> {
        Some(self.fps)
    }

    fn frame_count_hint(&self) -> Option<usize> {
        Some(self.files.len())
    }
}
