//! MP4 / H.264: `re_mp4` demuxes, OpenH264 decodes, frames come out in display order.
//!
//! The demuxer gives the samples of the video track in decode order, each a
//! list of length-prefixed NAL units. They are rewritten to Annex B (start
//! codes), the SPS/PPS of the `avcC` box are put in front of every sync sample,
//! and each sample is decoded with [`Flush::NoFlush`]: flushing after every
//! sample would push pictures out of OpenH264's reorder buffer early and lose
//! frames in clips with B-frames. The pictures left in the buffer are flushed at
//! the end. OpenH264 hands pictures out in display order; the `k`-th picture gets
//! the `k`-th smallest composition timestamp of the track.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use image::RgbImage;
use openh264::OpenH264API;
use openh264::decoder::{DecodeOptions, DecodedYUV, Decoder, DecoderConfig, Flush};
use openh264::formats::YUVSource;
use re_mp4::{StsdBoxContent, TrackKind};
use touchline_core::{Frame, FrameSource};

use crate::error::{DecodeError, Result};
use crate::mp4_boxes::check_boxes;
use crate::{Backend, VideoInfo};

/// Where the MP4 bytes come from.
enum Input {
    File(BufReader<File>),
    Memory(std::io::Cursor<Vec<u8>>),
}

impl Input {
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        match self {
            Input::File(f) => {
                f.seek(SeekFrom::Start(offset))?;
                f.read_exact(buf)
            }
            Input::Memory(c) => {
                c.seek(SeekFrom::Start(offset))?;
                c.read_exact(buf)
            }
        }
    }
}

/// One sample of the video track, decode order.
#[derive(Debug, Clone, Copy)]
struct SampleRef {
    offset: u64,
    size: usize,
    is_sync: bool,
}

/// What the demuxer tells about the video track, without decoding.
struct TrackTable {
    info: VideoInfo,
    samples: Vec<SampleRef>,
    /// Composition times in seconds, sorted (display order), first at 0.
    display_times: Vec<f64>,
    /// SPS and PPS in Annex B form.
    parameter_sets: Vec<u8>,
    /// Bytes of each NAL length prefix (1, 2 or 4).
    length_size: usize,
}

/// Frames of the H.264 video track of an MP4 file, in display order.
///
/// ```
/// use touchline_core::FrameSource;
/// let clip = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/videos/soccer_penalty_lampard_goal.mp4");
/// let mut src = touchline_decode::Mp4Source::open(clip)?;
/// assert_eq!((src.info().width, src.info().height), (1280, 720));
/// let first = src.next_frame()?.expect("one frame");
/// assert_eq!((first.index, first.timestamp), (0, 0.0));
/// # Ok::<(), touchline_decode::DecodeError>(())
/// ```
pub struct Mp4Source {
    path: PathBuf,
    input: Input,
    /// Length of the input in bytes.
    len: u64,
    table: TrackTable,
    decoder: Decoder,
    next_sample: usize,
    flushed: bool,
    pending: VecDeque<Option<RgbImage>>,
    emitted: usize,
    sample_buf: Vec<u8>,
    annexb: Vec<u8>,
}

impl std::fmt::Debug for Mp4Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mp4Source")
            .field("path", &self.path)
            .field("info", &self.table.info)
            .field("next_sample", &self.next_sample)
            .field("emitted", &self.emitted)
            .finish_non_exhaustive()
    }
}

impl Mp4Source {
    /// Opens an MP4 file; reads the sample tables, not the pictures.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let file = File::open(&path).map_err(|e| DecodeError::io(&path, e))?;
        let len = file.metadata().map_err(|e| DecodeError::io(&path, e))?.len();
        let mut reader = BufReader::new(file);
        let table = read_table(&path, &mut reader, len)?;
        Self::with_table(path, Input::File(reader), len, table)
    }

    /// An MP4 held in memory; `label` names it in errors.
    pub fn from_bytes(bytes: Vec<u8>, label: impl Into<PathBuf>) -> Result<Self> {
        let path = label.into();
        let len = bytes.len() as u64;
        let mut cursor = std::io::Cursor::new(bytes);
        let table = read_table(&path, &mut cursor, len)?;
        Self::with_table(path, Input::Memory(cursor), len, table)
    }

    fn with_table(path: PathBuf, input: Input, len: u64, table: TrackTable) -> Result<Self> {
        let config = DecoderConfig::new().flush_after_decode(Flush::NoFlush);
        let decoder = Decoder::with_api_config(OpenH264API::from_source(), config).map_err(|e| {
            DecodeError::Unsupported { path: path.clone(), reason: format!("cannot start OpenH264: {e}") }
        })?;
        Ok(Mp4Source {
            path,
            input,
            len,
            table,
            decoder,
            next_sample: 0,
            flushed: false,
            pending: VecDeque::new(),
            emitted: 0,
            sample_buf: Vec::new(),
            annexb: Vec::new(),
        })
    }

    /// Size, frame count, rate and duration from the container.
    pub fn info(&self) -> &VideoInfo {
        &self.table.info
    }

    /// Display times in seconds of every frame, in display order, first at 0.
    pub fn timestamps(&self) -> &[f64] {
        &self.table.display_times
    }

    /// Decodes the rest of the clip without converting pictures to RGB and
    /// returns how many frames were left. Checks that the decoder returned one
    /// picture per sample.
    pub fn count_remaining(&mut self) -> Result<usize> {
        let mut n = 0;
        loop {
            if let Some(p) = self.pending.pop_front() {
                drop(p);
                self.emitted += 1;
                n += 1;
                continue;
            }
            if !self.step(false)? {
                self.check_complete()?;
                return Ok(n);
            }
        }
    }

    fn check_complete(&self) -> Result<()> {
        if self.emitted != self.table.samples.len() {
            return Err(DecodeError::FrameCountMismatch {
                path: self.path.clone(),
                samples: self.table.samples.len(),
                decoded: self.emitted,
            });
        }
        Ok(())
    }

    /// Feeds one sample (or the final flush) to the decoder, queueing what
    /// comes out. `false` when there is nothing left to feed.
    fn step(&mut self, convert: bool) -> Result<bool> {
        if let Some(&s) = self.table.samples.get(self.next_sample) {
            let i = self.next_sample;
            self.next_sample += 1;
            // Checked before allocating: a sample table cannot make us reserve more than the file holds.
            let end = s.offset.saturating_add(s.size as u64);
            if end > self.len {
                return Err(DecodeError::Sample {
                    path: self.path.clone(),
                    sample: i,
                    byte: s.offset,
                    reason: format!(
                        "{} bytes end at byte {end}, past the end of the file at byte {} (truncated file?)",
                        s.size, self.len
                    ),
                });
            }
            self.sample_buf.resize(s.size, 0);
            self.input.read_at(s.offset, &mut self.sample_buf).map_err(|e| DecodeError::Sample {
                path: self.path.clone(),
                sample: i,
                byte: s.offset,
                reason: format!("cannot read {} bytes: {e} (truncated file?)", s.size),
            })?;
            self.annexb.clear();
            if s.is_sync {
                self.annexb.extend_from_slice(&self.table.parameter_sets);
            }
            to_annex_b(&self.sample_buf, self.table.length_size, &mut self.annexb).map_err(|reason| {
                DecodeError::Sample { path: self.path.clone(), sample: i, byte: s.offset, reason }
            })?;
            let opts = DecodeOptions::new().flush_after_decode(Flush::NoFlush);
            let out =
                self.decoder.decode_with_options(&self.annexb, opts).map_err(|e| DecodeError::H264 {
                    path: self.path.clone(),
                    sample: i,
                    byte: s.offset,
                    reason: e.to_string(),
                })?;
            if let Some(yuv) = out {
                let pic = if convert { Some(to_rgb(&yuv)) } else { None };
                self.pending.push_back(pic);
            }
            return Ok(true);
        }
        if !self.flushed {
            self.flushed = true;
            let last = self.table.samples.len();
            let byte = self.table.samples.last().map_or(0, |s| s.offset);
            let rest = self.decoder.flush_remaining().map_err(|e| DecodeError::H264 {
                path: self.path.clone(),
                sample: last.saturating_sub(1),
                byte,
                reason: format!("flushing the last pictures: {e}"),
            })?;
            for yuv in &rest {
                self.pending.push_back(if convert { Some(to_rgb(yuv)) } else { None });
            }
            return Ok(true);
        }
        Ok(false)
    }
}

impl FrameSource for Mp4Source {
    type Error = DecodeError;

    fn next_frame(&mut self) -> Result<Option<Frame>> {
        loop {
            if let Some(pic) = self.pending.pop_front() {
                let index = self.emitted;
                let Some(&t) = self.table.display_times.get(index) else {
                    return Err(DecodeError::FrameCountMismatch {
                        path: self.path.clone(),
                        samples: self.table.samples.len(),
                        decoded: index + 1,
                    });
                };
                self.emitted += 1;
                // Pictures queued by `count_remaining` carry no pixels; they were counted there.
                let Some(image) = pic else { continue };
                return Ok(Some(Frame::new(index, t, image)));
            }
            if !self.step(true)? {
                self.check_complete()?;
                return Ok(None);
            }
        }
    }

    fn frame_rate(&self) -> Option<f64> {
        self.table.info.fps
    }

    fn frame_count_hint(&self) -> Option<usize> {
        self.table.info.frame_count
    }
}

/// The container's facts about an MP4's video track, without decoding.
pub fn probe_mp4(path: impl AsRef<Path>) -> Result<VideoInfo> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|e| DecodeError::io(path, e))?;
    let len = file.metadata().map_err(|e| DecodeError::io(path, e))?.len();
    Ok(read_table(path, &mut BufReader::new(file), len)?.info)
}

/// Converts OpenH264's I420 picture to RGB (BT.601, limited range, as ffmpeg
/// does for streams that do not say otherwise).
fn to_rgb(yuv: &DecodedYUV<'_>) -> RgbImage {
    let (w, h) = yuv.dimensions();
    let mut buf = vec![0u8; w * h * 3];
    yuv.write_rgb8(&mut buf);
    // The buffer has exactly w * h * 3 bytes and OpenH264 dimensions fit in u32.
    let (w32, h32) = (u32::try_from(w).unwrap_or(0), u32::try_from(h).unwrap_or(0));
    RgbImage::from_raw(w32, h32, buf).unwrap_or_else(|| RgbImage::new(0, 0))
}

/// Rewrites length-prefixed NAL units as Annex B (4-byte start codes).
fn to_annex_b(sample: &[u8], length_size: usize, out: &mut Vec<u8>) -> std::result::Result<(), String> {
    let mut pos = 0usize;
    while pos < sample.len() {
        let Some(prefix) = sample.get(pos..pos + length_size) else {
            return Err(format!(
                "NAL length prefix at byte {pos} of the sample needs {length_size} bytes, {} remain",
                sample.len() - pos
            ));
        };
        let n = prefix.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        let start = pos + length_size;
        let Some(nal) = start.checked_add(n).and_then(|end| sample.get(start..end)) else {
            return Err(format!(
                "NAL unit at byte {pos} of the sample declares {n} bytes, {} remain",
                sample.len() - start
            ));
        };
        out.extend_from_slice(&[0, 0, 0, 1]);
        out.extend_from_slice(nal);
        pos = start + n;
    }
    Ok(())
}

/// Walks the top-level boxes. Returns how many bytes the demuxer should parse:
/// the whole file, or, when the last box (usually `mdat`) runs past the end of a
/// truncated file but the sample tables (`moov`) came before it, the bytes up
/// to that box, so the frames before the cut still decode. Otherwise the byte
/// offset and the reason the file cannot be read.
fn scan_layout<R: Read + Seek>(reader: &mut R, len: u64) -> std::result::Result<u64, (u64, String)> {
    let mut pos = 0u64;
    let mut seen_moov = false;
    while pos + 8 <= len {
        let mut head = [0u8; 16];
        let avail = usize::try_from((len - pos).min(16)).unwrap_or(16);
        reader
            .seek(SeekFrom::Start(pos))
            .and_then(|_| reader.read_exact(&mut head[..avail]))
            .map_err(|e| (pos, format!("cannot read a box header: {e}")))?;
        let small = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
        let name = String::from_utf8_lossy(&head[4..8]).into_owned();
        let size = match small {
            0 => len - pos,
            1 if avail >= 16 => u64::from_be_bytes([
                head[8], head[9], head[10], head[11], head[12], head[13], head[14], head[15],
            ]),
            _ => small,
        };
        if size < 8 {
            return Err((pos, format!("box '{name}' declares an impossible size of {size} bytes")));
        }
        if pos.checked_add(size).is_none_or(|end| end > len) {
            if seen_moov {
                return Ok(pos);
            }
            return Err((
                pos,
                format!(
                    "box '{name}' declares {size} bytes but the file ends at byte {len} (truncated file?); \
                     no 'moov' box (the sample tables) before it"
                ),
            ));
        }
        seen_moov |= name == "moov";
        pos += size;
    }
    if seen_moov { Ok(len) } else { Err((pos, "no 'moov' box (the sample tables) in the file".to_string())) }
}

fn read_table<R: Read + Seek>(path: &Path, reader: &mut R, len: u64) -> Result<TrackTable> {
    let container =
        |byte: u64, reason: String| DecodeError::Container { path: path.to_path_buf(), byte, reason };
    let mut head = [0u8; 8];
    let sniff = reader.seek(SeekFrom::Start(0)).and_then(|_| reader.read_exact(&mut head));
    if sniff.is_err() || &head[4..8] != b"ftyp" {
        return Err(DecodeError::UnknownFormat {
            path: path.to_path_buf(),
            reason: "no 'ftyp' box at byte 4: not an MP4 file".into(),
        });
    }
    let parse_len = scan_layout(reader, len).map_err(|(byte, reason)| container(byte, reason))?;
    // re_mp4 loops forever on some malformed box trees: check them first (see mp4_boxes).
    check_boxes(reader, parse_len, len).map_err(|(byte, reason)| container(byte, reason))?;
    reader.seek(SeekFrom::Start(0)).map_err(|e| DecodeError::io(path, e))?;
    // re_mp4 is a third-party parser of untrusted bytes: turn a panic inside it into an error.
    let parsed =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| re_mp4::Mp4::read(&mut *reader, parse_len)));
    let mp4 = match parsed {
        Ok(Ok(m)) => m,
        Ok(Err(e)) => return Err(container(0, e.to_string())),
        Err(_) => return Err(container(0, "the MP4 demuxer could not parse the box structure".into())),
    };
    let Some(track) = mp4.tracks().values().find(|t| t.kind == Some(TrackKind::Video)) else {
        return Err(DecodeError::Unsupported { path: path.to_path_buf(), reason: "no video track".into() });
    };
    let stsd = &track.trak(&mp4).mdia.minf.stbl.stsd;
    let StsdBoxContent::Avc1(avc1) = &stsd.contents else {
        let codec = track.codec_string(&mp4).unwrap_or_else(|| "unknown".into());
        return Err(DecodeError::Unsupported {
            path: path.to_path_buf(),
            reason: format!("video codec '{codec}' is not supported (only H.264 / avc1)"),
        });
    };
    let avcc = &avc1.avcc.contents;
    let length_size = match avcc.length_size_minus_one & 3 {
        0 => 1,
        1 => 2,
        3 => 4,
        _ => return Err(container(0, "avcC declares a NAL length size of 3 bytes".into())),
    };
    let mut parameter_sets = Vec::new();
    for nal in avcc.sequence_parameter_sets.iter().chain(&avcc.picture_parameter_sets) {
        parameter_sets.extend_from_slice(&[0, 0, 0, 1]);
        parameter_sets.extend_from_slice(&nal.bytes);
    }
    if avcc.sequence_parameter_sets.is_empty() || avcc.picture_parameter_sets.is_empty() {
        return Err(container(0, "avcC has no SPS or no PPS".into()));
    }
    let timescale = track.timescale;
    if timescale == 0 {
        return Err(container(0, "video track has a timescale of 0".into()));
    }
    let mut samples = Vec::with_capacity(track.samples.len());
    let mut cts = Vec::with_capacity(track.samples.len());
    let mut durations = Vec::with_capacity(track.samples.len());
    for (i, s) in track.samples.iter().enumerate() {
        let size = usize::try_from(s.size).map_err(|_| DecodeError::Sample {
            path: path.to_path_buf(),
            sample: i,
            byte: s.offset,
            reason: format!("size {} does not fit in memory", s.size),
        })?;
        samples.push(SampleRef { offset: s.offset, size, is_sync: s.is_sync });
        cts.push(s.composition_timestamp);
        durations.push(s.duration);
    }
    cts.sort_unstable();
    let first = cts.first().copied().unwrap_or(0);
    #[allow(clippy::cast_precision_loss)]
    let display_times: Vec<f64> =
        cts.iter().map(|&c| (c.saturating_sub(first)) as f64 / timescale as f64).collect();
    durations.sort_unstable();
    #[allow(clippy::cast_precision_loss)]
    let fps = durations.get(durations.len() / 2).filter(|&&d| d > 0).map(|&d| timescale as f64 / d as f64);
    // The sum of the sample durations, unless one of them is absurd: re_mp4
    // derives the last sample's duration from `mdhd` minus its timestamp, which
    // wraps to a huge value in release builds when a damaged `mdhd` is too
    // short. Then the display span plus one typical frame is used instead.
    let median = durations.get(durations.len() / 2).copied().unwrap_or(0);
    let absurd = durations
        .last()
        .is_some_and(|&d| d > median.saturating_mul(1000).max(timescale.saturating_mul(3600)));
    let total: u64 = if absurd {
        let span = cts.last().map_or(0, |&l| l.saturating_sub(first));
        u64::try_from(span).unwrap_or(0).saturating_add(median)
    } else {
        track.samples.iter().map(|s| s.duration).fold(0, u64::saturating_add)
    };
    #[allow(clippy::cast_precision_loss)]
    let duration_s = Some(total as f64 / timescale as f64);
    let codec = track.codec_string(&mp4).unwrap_or_else(|| "avc1".into());
    let info = VideoInfo {
        backend: Backend::Mp4,
        codec,
        width: u32::from(avc1.width),
        height: u32::from(avc1.height),
        frame_count: Some(samples.len()),
        fps,
        duration_s,
    };
    Ok(TrackTable { info, samples, display_times, parameter_sets, length_size })
}

#[cfg(test)]
mod tests {
    use super::to_annex_b;

    #[test]
    fn annex_b_rewrites_prefixes_and_rejects_overruns() {
        let mut out = Vec::new();
        to_annex_b(&[0, 2, 9, 8, 0, 1, 7], 2, &mut out).unwrap();
        assert_eq!(out, [0, 0, 0, 1, 9, 8, 0, 0, 0, 1, 7]);
        let e = to_annex_b(&[0, 0, 0, 5, 1], 4, &mut Vec::new()).unwrap_err();
        assert!(e.contains("declares 5 bytes, 1 remain"), "{e}");
        let e = to_annex_b(&[0, 0, 0, 1, 1, 0], 4, &mut Vec::new()).unwrap_err();
        assert!(e.contains("needs 4 bytes"), "{e}");
    }
}
