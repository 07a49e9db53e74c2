//! YUV4MPEG2 (`.y4m`): a small parser of our own, and a writer.
//!
//! A stream is one text header line, `YUV4MPEG2 W<width> H<height> F<num>:<den>
//! [I<p|t|b|m>] [A<n>:<d>] [C<colorspace>] [X<extension>]`, then frames, each
//! `FRAME[ params]\n` followed by the planes Y, U, V (8 bit, no padding).
//! Supported colour spaces: `420jpeg` (the default), `420paldv`, `420mpeg2`,
//! `420`, `422`, `444` and `mono`. Chroma planes of odd sizes round up
//! (`(w + 1) / 2`), as ffmpeg writes them. Pixels convert to RGB with the BT.601
//! matrix, limited range unless the header carries `XCOLORRANGE=FULL`.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use image::RgbImage;
use touchline_core::{Frame, FrameSource};

use crate::error::{DecodeError, Result};
use crate::{Backend, VideoInfo};

/// Longest header or frame-header line accepted, in bytes.
const MAX_LINE: usize = 4096;
/// Largest frame accepted, in pixels (16384 x 16384).
const MAX_PIXELS: u64 = 1 << 28;

/// Chroma layout of a Y4M stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chroma {
    /// 4:2:0, chroma planes half width and half height.
    C420,
    /// 4:2:2, chroma planes half width.
    C422,
    /// 4:4:4, chroma planes full size.
    C444,
    /// Luma only.
    Mono,
}

impl Chroma {
    /// `(width, height)` of each chroma plane for a `w` x `h` frame.
    fn plane(self, w: u64, h: u64) -> (u64, u64) {
        match self {
            Chroma::C420 => (w.div_ceil(2), h.div_ceil(2)),
            Chroma::C422 => (w.div_ceil(2), h),
            Chroma::C444 => (w, h),
            Chroma::Mono => (0, 0),
        }
    }
}

/// The parsed stream header.
#[derive(Debug, Clone, PartialEq)]
pub struct Y4mHeader {
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Frame rate numerator.
    pub fps_num: u32,
    /// Frame rate denominator.
    pub fps_den: u32,
    /// Chroma layout.
    pub chroma: Chroma,
    /// `true` for full-range (0-255) luma, from `XCOLORRANGE=FULL`.
    pub full_range: bool,
}

impl Y4mHeader {
    /// Frames per second.
    pub fn fps(&self) -> f64 {
        f64::from(self.fps_num) / f64::from(self.fps_den)
    }

    /// Bytes of pixel data in one frame.
    pub fn frame_bytes(&self) -> u64 {
        let (w, h) = (u64::from(self.width), u64::from(self.height));
        let (cw, ch) = self.chroma.plane(w, h);
        w * h + 2 * cw * ch
    }
}

/// Frames of a Y4M stream read from any [`BufRead`].
///
/// ```
/// use touchline_core::FrameSource;
/// use touchline_decode::Y4mSource;
/// // A 2x2 grey frame: Y = 126 (BT.601 limited range -> RGB 128), U = V = 128.
/// let mut bytes = b"YUV4MPEG2 W2 H2 F25:1 C420jpeg\nFRAME\n".to_vec();
/// bytes.extend([126, 126, 126, 126, 128, 128]);
/// let mut src = Y4mSource::from_bytes(bytes, "<memory>")?;
/// let f = src.next_frame()?.unwrap();
/// assert_eq!(f.image.get_pixel(1, 1).0, [128, 128, 128]);
/// assert!(src.next_frame()?.is_none());
/// # Ok::<(), touchline_decode::DecodeError>(())
/// ```
#[derive(Debug)]
pub struct Y4mSource<R> {
    reader: R,
    path: PathBuf,
    header: Y4mHeader,
    /// Bytes consumed so far.
    pos: u64,
    index: usize,
    buf: Vec<u8>,
    count_hint: Option<usize>,
    done: bool,
}

impl Y4mSource<BufReader<File>> {
    /// Opens a `.y4m` file and reads its header.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| DecodeError::io(path, e))?;
        let len = file.metadata().map_err(|e| DecodeError::io(path, e))?.len();
        let mut src = Y4mSource::new(BufReader::new(file), path)?;
        // A hint: exact when every frame header is the bare `FRAME\n`.
        let per = src.header.frame_bytes() + 6;
        src.count_hint = usize::try_from(len.saturating_sub(src.pos) / per).ok();
        Ok(src)
    }
}

impl Y4mSource<std::io::Cursor<Vec<u8>>> {
    /// A Y4M stream held in memory; `label` names it in errors.
    pub fn from_bytes(bytes: Vec<u8>, label: impl Into<PathBuf>) -> Result<Self> {
        Y4mSource::new(std::io::Cursor::new(bytes), label)
    }
}

impl<R: BufRead> Y4mSource<R> {
    /// Reads the stream header from `reader`; `label` names the stream in errors.
    pub fn new(mut reader: R, label: impl Into<PathBuf>) -> Result<Self> {
        let path = label.into();
        let line = read_line(&mut reader).map_err(|e| match e {
            LineError::Io(e) => DecodeError::io(&path, e),
            LineError::Eof(p) | LineError::TooLong(p) if !could_be_y4m(&p) => not_y4m(&path),
            LineError::TooLong(_) => {
                header_err(&path, 0, format!("no end of line in the first {MAX_LINE} bytes"))
            }
            LineError::Eof(p) if p.is_empty() => header_err(&path, 0, "empty input".into()),
            LineError::Eof(p) => header_err(&path, p.len() as u64, "input ends inside the header".into()),
        })?;
        let header = parse_header(&path, &line)?;
        Ok(Y4mSource {
            reader,
            path,
            header,
            pos: line.len() as u64 + 1,
            index: 0,
            buf: Vec::new(),
            count_hint: None,
            done: false,
        })
    }

    /// The stream header.
    pub fn header(&self) -> &Y4mHeader {
        &self.header
    }

    /// Size, rate and (for files) the frame count implied by the file size.
    pub fn info(&self) -> VideoInfo {
        let fps = self.header.fps();
        VideoInfo {
            backend: Backend::Y4m,
            codec: "y4m".into(),
            width: self.header.width,
            height: self.header.height,
            frame_count: self.count_hint,
            fps: Some(fps),
            #[allow(clippy::cast_precision_loss)]
            duration_s: self.count_hint.map(|n| n as f64 / fps),
        }
    }

    fn frame_err(&self, byte: u64, reason: String) -> DecodeError {
        DecodeError::Y4mFrame { path: self.path.clone(), frame: self.index, byte, reason }
    }

    fn read_frame(&mut self) -> Result<Option<Frame>> {
        let start = self.pos;
        let line = match read_line(&mut self.reader) {
            Ok(l) => l,
            Err(LineError::Eof(p)) if p.is_empty() => return Ok(None),
            Err(LineError::Eof(p)) => {
                let n = p.len();
                return Err(self.frame_err(start, format!("input ends after {n} bytes of a frame header")));
            }
            Err(LineError::TooLong(_)) => {
                return Err(self.frame_err(start, format!("no end of frame header in {MAX_LINE} bytes")));
            }
            Err(LineError::Io(e)) => return Err(DecodeError::io(&self.path, e)),
        };
        if line.get(..5) != Some(b"FRAME".as_slice()) || !matches!(line.get(5), None | Some(b' ')) {
            let shown = String::from_utf8_lossy(&line[..line.len().min(16)]).into_owned();
            return Err(self.frame_err(start, format!("expected 'FRAME', found {shown:?}")));
        }
        self.pos += line.len() as u64 + 1;
        let want = self.header.frame_bytes();
        self.buf.clear();
        // `take` grows the buffer with the data actually there: a lying header cannot make us allocate.
        let got = (&mut self.reader)
            .take(want)
            .read_to_end(&mut self.buf)
            .map_err(|e| DecodeError::io(&self.path, e))?;
        if (got as u64) < want {
            return Err(self.frame_err(
                self.pos + got as u64,
                format!("input ends after {got} of the frame's {want} pixel bytes (truncated file?)"),
            ));
        }
        self.pos += want;
        let image = yuv_to_rgb(&self.buf, &self.header);
        #[allow(clippy::cast_precision_loss)]
        let t = self.index as f64 * f64::from(self.header.fps_den) / f64::from(self.header.fps_num);
        let f = Frame::new(self.index, t, image);
        self.index += 1;
        Ok(Some(f))
    }
}

impl<R: BufRead> FrameSource for Y4mSource<R> {
    type Error = DecodeError;

    fn next_frame(&mut self) -> Result<Option<Frame>> {
        if self.done {
            return Ok(None);
        }
        let r = self.read_frame();
        if !matches!(r, Ok(Some(_))) {
            self.done = true;
        }
        r
    }

    fn frame_rate(&self) -> Option<f64> {
        Some(self.header.fps())
    }

    fn frame_count_hint(&self) -> Option<usize> {
        self.count_hint
    }
}

fn header_err(path: &Path, byte: u64, reason: String) -> DecodeError {
    DecodeError::Y4mHeader { path: path.to_path_buf(), byte, reason }
}

const MAGIC: &[u8] = b"YUV4MPEG2";

/// `true` if `start` begins with the Y4M signature or is a prefix of it.
fn could_be_y4m(start: &[u8]) -> bool {
    let n = start.len().min(MAGIC.len());
    start[..n] == MAGIC[..n]
}

fn not_y4m(path: &Path) -> DecodeError {
    DecodeError::UnknownFormat {
        path: path.to_path_buf(),
        reason: "no 'YUV4MPEG2' signature at byte 0: not a Y4M stream".into(),
    }
}

enum LineError {
    Io(std::io::Error),
    /// End of input inside the line (the bytes read so far).
    Eof(Vec<u8>),
    /// No end of line within `MAX_LINE` bytes (the bytes read).
    TooLong(Vec<u8>),
}

/// One line without its `\n`, at most [`MAX_LINE`] bytes.
fn read_line<R: BufRead>(r: &mut R) -> std::result::Result<Vec<u8>, LineError> {
    let mut line = Vec::new();
    loop {
        let avail = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(LineError::Io(e)),
        };
        if avail.is_empty() {
            return Err(LineError::Eof(line));
        }
        let room = MAX_LINE + 1 - line.len();
        let look = &avail[..avail.len().min(room)];
        if let Some(i) = look.iter().position(|&b| b == b'\n') {
            line.extend_from_slice(&look[..i]);
            r.consume(i + 1);
            return Ok(line);
        }
        let n = look.len();
        line.extend_from_slice(look);
        r.consume(n);
        if line.len() > MAX_LINE {
            return Err(LineError::TooLong(line));
        }
    }
}

fn parse_u32(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

fn parse_header(path: &Path, line: &[u8]) -> Result<Y4mHeader> {
    if line.get(..MAGIC.len()) != Some(MAGIC) {
        return Err(not_y4m(path));
    }
    let (mut w, mut h, mut fps) = (None, None, None);
    let mut chroma = Chroma::C420;
    let mut full_range = false;
    let mut byte = MAGIC.len();
    for tok in line[MAGIC.len()..].split(|&b| b == b' ') {
        let at = byte as u64;
        byte += tok.len() + 1;
        let Some((&tag, val)) = tok.split_first() else { continue };
        let bad = |what: &str| header_err(path, at, format!("bad {what} '{}'", String::from_utf8_lossy(tok)));
        match tag {
            b'W' => w = Some(parse_u32(val).filter(|&v| v > 0).ok_or_else(|| bad("width"))?),
            b'H' => h = Some(parse_u32(val).filter(|&v| v > 0).ok_or_else(|| bad("height"))?),
            b'F' => {
                let mut it = val.splitn(2, |&b| b == b':');
                let n = it.next().and_then(parse_u32);
                let d = it.next().and_then(parse_u32);
                match (n, d) {
                    (Some(n), Some(d)) if n > 0 && d > 0 => fps = Some((n, d)),
                    _ => return Err(bad("frame rate")),
                }
            }
            b'C' => {
                chroma = match val {
                    b"420jpeg" | b"420paldv" | b"420mpeg2" | b"420" => Chroma::C420,
                    b"422" => Chroma::C422,
                    b"444" => Chroma::C444,
                    b"mono" => Chroma::Mono,
                    _ => {
                        return Err(header_err(
                            path,
                            at,
                            format!(
                                "colour space '{}' is not supported (8-bit 420, 422, 444 or mono)",
                                String::from_utf8_lossy(val)
                            ),
                        ));
                    }
                }
            }
            b'X' => {
                if val == b"COLORRANGE=FULL" {
                    full_range = true;
                }
            }
            b'I' | b'A' => {}
            _ => return Err(bad("parameter")),
        }
    }
    let end = line.len() as u64;
    let w = w.ok_or_else(|| header_err(path, end, "no width (W) parameter".into()))?;
    let h = h.ok_or_else(|| header_err(path, end, "no height (H) parameter".into()))?;
    let (fps_num, fps_den) =
        fps.ok_or_else(|| header_err(path, end, "no frame rate (F) parameter".into()))?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(header_err(path, 0, format!("frame size {w}x{h} is larger than {MAX_PIXELS} pixels")));
    }
    Ok(Y4mHeader { width: w, height: h, fps_num, fps_den, chroma, full_range })
}

/// BT.601 YCbCr to RGB in 16.16 fixed point.
#[inline]
fn ycc_to_rgb(y: u8, cb: u8, cr: u8, full: bool) -> [u8; 3] {
    let (y, cb, cr) = (i32::from(y), i32::from(cb) - 128, i32::from(cr) - 128);
    // Coefficients * 65536: limited range scales luma by 255/219 and chroma by 255/224.
    let (ys, rv, gu, gv, bu) = if full {
        (y << 16, 91881, -22554, -46802, 116130)
    } else {
        ((y - 16) * 76309, 104597, -25675, -53279, 132201)
    };
    let c = |v: i32| ((v + 32768) >> 16).clamp(0, 255) as u8;
    [c(ys + rv * cr), c(ys + gu * cb + gv * cr), c(ys + bu * cb)]
}

fn yuv_to_rgb(data: &[u8], h: &Y4mHeader) -> RgbImage {
    let (w, ht) = (h.width as usize, h.height as usize);
    let (cw, ch) = h.chroma.plane(w as u64, ht as u64);
    let (cw, ch) = (cw as usize, ch as usize);
    let (yp, rest) = data.split_at(w * ht);
    let (up, vp) = rest.split_at(cw * ch);
    let (sx, sy) = match h.chroma {
        Chroma::C420 => (1, 1),
        Chroma::C422 => (1, 0),
        Chroma::C444 | Chroma::Mono => (0, 0),
    };
    let mut out = vec![0u8; w * ht * 3];
    for (row, line) in out.chunks_exact_mut(w * 3).enumerate() {
        let crow = (row >> sy) * cw;
        for (x, px) in line.chunks_exact_mut(3).enumerate() {
            let yv = yp[row * w + x];
            let (u, v) = if h.chroma == Chroma::Mono {
                (128, 128)
            } else {
                (up[crow + (x >> sx)], vp[crow + (x >> sx)])
            };
            px.copy_from_slice(&ycc_to_rgb(yv, u, v, h.full_range));
        }
    }
    RgbImage::from_raw(h.width, h.height, out).unwrap_or_else(|| RgbImage::new(0, 0))
}

/// Writes RGB frames as a 4:2:0 Y4M stream (`C420jpeg`, BT.601 limited range,
/// chroma averaged over 2x2 blocks).
///
/// ```
/// use touchline_core::FrameSource;
/// use touchline_decode::{Y4mSource, Y4mWriter};
/// let img = image::RgbImage::from_pixel(4, 2, image::Rgb([200, 30, 90]));
/// let mut w = Y4mWriter::new(Vec::new(), 4, 2, 30, 1)?;
/// w.write_frame(&img)?;
/// let bytes = w.into_inner();
/// let mut src = Y4mSource::from_bytes(bytes, "<memory>")?;
/// let back = src.next_frame()?.unwrap().image;
/// for (a, b) in back.pixels().zip(img.pixels()) {
///     assert!(a.0.iter().zip(b.0).all(|(&x, y)| x.abs_diff(y) <= 3));
/// }
/// # Ok::<(), touchline_decode::DecodeError>(())
/// ```
#[derive(Debug)]
pub struct Y4mWriter<W: Write> {
    out: W,
    width: u32,
    height: u32,
    planes: Vec<u8>,
}

impl<W: Write> Y4mWriter<W> {
    /// Writes the header of a `width` x `height` stream at `fps_num / fps_den` frames per second.
    pub fn new(mut out: W, width: u32, height: u32, fps_num: u32, fps_den: u32) -> Result<Self> {
        if width == 0 || height == 0 || fps_num == 0 || fps_den == 0 {
            return Err(DecodeError::InvalidParameter {
                name: "y4m header",
                reason: format!("size {width}x{height} and rate {fps_num}:{fps_den} must be positive"),
            });
        }
        writeln!(out, "YUV4MPEG2 W{width} H{height} F{fps_num}:{fps_den} Ip A1:1 C420jpeg")
            .map_err(|e| DecodeError::io("<y4m writer>", e))?;
        Ok(Y4mWriter { out, width, height, planes: Vec::new() })
    }

    /// Appends one frame; it must have the stream's size.
    pub fn write_frame(&mut self, img: &RgbImage) -> Result<()> {
        if img.dimensions() != (self.width, self.height) {
            return Err(DecodeError::InvalidParameter {
                name: "y4m frame",
                reason: format!("frame is {:?}, stream is {}x{}", img.dimensions(), self.width, self.height),
            });
        }
        let (w, h) = (self.width as usize, self.height as usize);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        self.planes.clear();
        self.planes.resize(w * h + 2 * cw * ch, 0);
        let (yp, rest) = self.planes.split_at_mut(w * h);
        let (up, vp) = rest.split_at_mut(cw * ch);
        let raw = img.as_raw();
        let px = |x: usize, y: usize| -> [f64; 3] {
            let i = (y * w + x) * 3;
            [f64::from(raw[i]), f64::from(raw[i + 1]), f64::from(raw[i + 2])]
        };
        let q = |v: f64| v.round().clamp(0.0, 255.0) as u8;
        for y in 0..h {
            for x in 0..w {
                let [r, g, b] = px(x, y);
                yp[y * w + x] = q(16.0 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0);
            }
        }
        for cy in 0..ch {
            for cx in 0..cw {
                let (mut cb, mut cr, mut n) = (0.0, 0.0, 0.0);
                for y in (2 * cy)..(2 * cy + 2).min(h) {
                    for x in (2 * cx)..(2 * cx + 2).min(w) {
                        let [r, g, b] = px(x, y);
                        cb += 128.0 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255.0;
                        cr += 128.0 + (112.0 * r - 93.786 * g - 18.214 * b) / 255.0;
                        n += 1.0;
                    }
                }
                up[cy * cw + cx] = q(cb / n);
                vp[cy * cw + cx] = q(cr / n);
            }
        }
        self.out.write_all(b"FRAME\n").map_err(|e| DecodeError::io("<y4m writer>", e))?;
        self.out.write_all(&self.planes).map_err(|e| DecodeError::io("<y4m writer>", e))
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.out
    }
}
