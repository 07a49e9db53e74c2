//! Video output: H.264 in MP4 ([`Mp4Writer`]) and numbered PNG files ([`PngSequenceWriter`]).

use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

use image::RgbImage;
use openh264::OpenH264API;
use openh264::encoder::{
    BitRate, Encoder, EncoderConfig, FrameRate, FrameType, IntraFramePeriod, RateControlMode, VuiConfig,
};
use openh264::formats::YUVSlices;

use crate::error::{RenderError, Result};

/// Where annotated frames go: an MP4 file or a PNG sequence, used the same way.
pub trait FrameSink {
    /// Appends one frame.
    fn write_frame(&mut self, frame: &RgbImage) -> Result<()>;
    /// Frames written so far.
    fn frames_written(&self) -> u64;
}

/// Encoder settings of an [`Mp4Writer`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mp4Options {
    /// `None` (the default): constant quality (OpenH264's rate control off; about 36 dB PSNR
    /// and 1.9 Mbit/s on 848x478 25 fps broadcast footage). `Some(bps)`: aim at this bit rate
    /// (OpenH264's quality-first rate control; frames are never skipped, and OpenH264 prints a
    /// one-line warning about that on stderr when the writer starts).
    pub bitrate_bps: Option<u32>,
    /// A key frame every this many frames (so players can seek); `0` for only the first.
    pub keyframe_interval: u32,
    /// Encoder threads; `0` lets OpenH264 choose (OpenH264 spreads the slices of a picture
    /// over its threads, and this writer makes one slice per picture, so it gains little).
    pub threads: u16,
    /// Encoders working side by side, each on its own thread, on alternate key-frame intervals
    /// (every interval starts with an IDR picture, so they are independent and are stored one
    /// after the other). `1` (the default) encodes on the calling thread. More than one needs a
    /// `keyframe_interval` above 0 and holds up to `keyframe_interval` frames per encoder in
    /// memory as I420 (1.5 bytes per pixel); the calling thread converts RGB to I420 and muxes.
    pub encoders: usize,
}

impl Default for Mp4Options {
    fn default() -> Self {
        Mp4Options { bitrate_bps: None, keyframe_interval: 50, threads: 0, encoders: 1 }
    }
}

/// Most encoders of one [`Mp4Writer`] (see [`Mp4Options::encoders`]).
pub const MAX_ENCODERS: usize = 16;

/// What an [`Mp4Writer`] wrote, returned by [`Mp4Writer::finish`].
#[derive(Debug, Clone, PartialEq)]
pub struct Mp4Summary {
    /// The file.
    pub path: PathBuf,
    /// Frames in the file.
    pub frames: u64,
    /// Encoded width (the input width rounded up to even).
    pub width: u32,
    /// Encoded height (the input height rounded up to even).
    pub height: u32,
    /// Frames per second as stored (`timescale / 1000`).
    pub fps: f64,
    /// File size in bytes.
    pub bytes: u64,
}

/// An encoded frame waiting for its duration to be known.
struct Pending {
    start: u64,
    duration: u32,
    sync: bool,
    data: Vec<u8>,
}

/// Writes RGB frames as H.264 (Cisco OpenH264, built from source) into an MP4 file.
///
/// Frames must all have the size given to [`create`](Self::create). H.264 4:2:0 needs even
/// sides, so an odd width or height is **padded** by repeating the last column or row (no
/// pixel is lost; the file is one pixel wider or taller, see [`encoded_size`](Self::encoded_size)).
/// Call [`finish`](Self::finish) at the end: it writes the index (`moov`) without which
/// players cannot open the file.
pub struct Mp4Writer {
    path: PathBuf,
    width: u32,
    height: u32,
    enc_w: u32,
    enc_h: u32,
    timescale: u32,
    backend: Backend,
    yuv_data: Vec<u8>,
    padded: Option<RgbImage>,
    file: Option<BufWriter<File>>,
    /// The SPS and PPS in the file (every encoder must produce the same).
    params: Option<(Vec<u8>, Vec<u8>)>,
    muxer: Option<mp4::Mp4Writer<BufWriter<File>>>,
    pending: Option<Pending>,
    frames: u64,
}

impl std::fmt::Debug for Mp4Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mp4Writer")
            .field("path", &self.path)
            .field("size", &(self.width, self.height))
            .field("encoded_size", &(self.enc_w, self.enc_h))
            .field("timescale", &self.timescale)
            .field("frames", &self.frames)
            .finish_non_exhaustive()
    }
}

/// Ticks per frame in the MP4 time base (timescale = round(fps * 1000)).
const TICKS_PER_FRAME: u32 = 1000;

impl Mp4Writer {
    /// Creates (or truncates) `path` for a `width` x `height` video at `fps` frames per second,
    /// with default [`Mp4Options`].
    pub fn create(path: impl AsRef<Path>, width: u32, height: u32, fps: f64) -> Result<Self> {
        Self::with_options(path, width, height, fps, Mp4Options::default())
    }

    /// [`create`](Self::create) with explicit encoder options.
    pub fn with_options(
        path: impl AsRef<Path>,
        width: u32,
        height: u32,
        fps: f64,
        options: Mp4Options,
    ) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let invalid = |name, reason: String| RenderError::InvalidParameter { name, reason };
        if width == 0 || height == 0 {
            return Err(invalid("size", format!("{}: {width}x{height} has a zero side", path.display())));
        }
        let (enc_w, enc_h) = (width + width % 2, height + height % 2);
        if enc_w.max(enc_h) > 3840 || enc_w.min(enc_h) > 2160 {
            return Err(invalid(
                "size",
                format!("{}: {width}x{height} is larger than OpenH264's 3840x2160 limit", path.display()),
            ));
        }
        if !(fps.is_finite() && (0.1..=1000.0).contains(&fps)) {
            return Err(invalid("fps", format!("{}: must be in 0.1..=1000, got {fps}", path.display())));
        }
        // 100..=1_000_000 by the check above.
        let timescale = (fps * f64::from(TICKS_PER_FRAME)).round() as u32;
        // No target: OpenH264's constant-quality mode. A target: its quality-first rate control
        // (frame skipping stays off so every frame is kept).
        let (rc, bitrate) = match options.bitrate_bps {
            Some(0) => return Err(invalid("bitrate_bps", "must be positive".into())),
            Some(b) => (RateControlMode::Quality, f64::from(b)),
            None => (RateControlMode::Off, 0.15 * f64::from(enc_w) * f64::from(enc_h) * fps.min(60.0)),
        };
        let bitrate = bitrate.clamp(100_000.0, 200_000_000.0) as u32;
        if !(1..=MAX_ENCODERS).contains(&options.encoders) {
            return Err(invalid(
                "encoders",
                format!("{}: {} outside 1..={MAX_ENCODERS}", path.display(), options.encoders),
            ));
        }
        if options.encoders > 1 && options.keyframe_interval == 0 {
            return Err(invalid(
                "encoders",
                format!("{}: several encoders need a keyframe_interval above 0", path.display()),
            ));
        }
        let settings = EncoderSettings { rc, bitrate, fps, options, size: (enc_w as usize, enc_h as usize) };
        let backend = if options.encoders == 1 {
            Backend::Inline(Box::new(settings.encoder(&path)?))
        } else {
            Backend::Parallel(Pool::start(&path, settings, enc_w as usize * enc_h as usize * 3 / 2)?)
        };
        let file = File::create(&path).map_err(|source| RenderError::Io { path: path.clone(), source })?;
        Ok(Mp4Writer {
            yuv_data: vec![0; enc_w as usize * enc_h as usize * 3 / 2],
            padded: (enc_w != width || enc_h != height).then(|| RgbImage::new(enc_w, enc_h)),
            path,
            width,
            height,
            enc_w,
            enc_h,
            timescale,
            backend,
            file: Some(BufWriter::new(file)),
            params: None,
            muxer: None,
            pending: None,
            frames: 0,
        })
    }

    /// The output file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Size of the frames passed in.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Size stored in the file: [`size`](Self::size) rounded up to even sides.
    pub fn encoded_size(&self) -> (u32, u32) {
        (self.enc_w, self.enc_h)
    }

    /// Frames per second as stored in the file.
    pub fn fps(&self) -> f64 {
        f64::from(self.timescale) / f64::from(TICKS_PER_FRAME)
    }

    fn mux_err(&self, frame: Option<u64>, e: impl std::fmt::Display) -> RenderError {
        RenderError::Mux { path: self.path.clone(), frame, reason: e.to_string() }
    }

    /// Encodes and appends one frame.
    pub fn write_frame(&mut self, frame: &RgbImage) -> Result<()> {
        let n = self.frames;
        if frame.dimensions() != (self.width, self.height) {
            return Err(RenderError::FrameSize {
                path: self.path.clone(),
                frame: n,
                expected_w: self.width,
                expected_h: self.height,
                found_w: frame.width(),
                found_h: frame.height(),
            });
        }
        let src: &RgbImage = match &mut self.padded {
            Some(p) => {
                pad_into(frame, p);
                p
            }
            None => frame,
        };
        rgb_to_i420(src, &mut self.yuv_data);
        let (w, h) = (self.enc_w as usize, self.enc_h as usize);
        let millis =
            n.saturating_mul(1000).saturating_mul(u64::from(TICKS_PER_FRAME)) / u64::from(self.timescale);
        match &mut self.backend {
            Backend::Inline(enc) => {
                let coded = encode_i420(enc, &self.yuv_data, (w, h), millis, false)
                    .map_err(|reason| RenderError::Encode { path: self.path.clone(), frame: n, reason })?;
                self.frames += 1;
                self.mux(n, coded)
            }
            Backend::Parallel(pool) => {
                let yuv = std::mem::replace(&mut self.yuv_data, pool.spare());
                pool.send(&self.path, n, yuv, millis)?;
                self.frames += 1;
                self.drain(false)
            }
        }
    }

    /// Muxes the encoded frames of the pool that are ready (all of them when `wait`).
    fn drain(&mut self, wait: bool) -> Result<()> {
        loop {
            let Backend::Parallel(pool) = &mut self.backend else { return Ok(()) };
            match pool.ready(&self.path, wait)? {
                Some((k, coded)) => self.mux(k, coded)?,
                None => return Ok(()),
            }
        }
    }

    /// Stores encoded frame `n` (frames arrive in order).
    fn mux(&mut self, n: u64, coded: Coded) -> Result<()> {
        let Coded { sps, pps, sample, sync } = coded;
        match (&self.params, sps, pps) {
            (None, Some(sps), Some(pps)) => {
                self.params = Some((sps.clone(), pps.clone()));
                self.start_muxer(sps, pps, n)?;
            }
            (None, _, _) => {
                return Err(RenderError::Encode {
                    path: self.path.clone(),
                    frame: n,
                    reason: "the first encoded frame carries no SPS/PPS".into(),
                });
            }
            (Some((s0, p0)), sps, pps) => {
                // Several encoders: the file has one SPS/PPS, so theirs must agree.
                if sps.is_some_and(|s| s != *s0) || pps.is_some_and(|p| p != *p0) {
                    return Err(RenderError::Encode {
                        path: self.path.clone(),
                        frame: n,
                        reason: "an encoder produced a different SPS/PPS than the first".into(),
                    });
                }
            }
        }
        let start = n * u64::from(TICKS_PER_FRAME);
        if sample.is_empty() {
            // The encoder skipped this frame: the previous one stays on screen longer.
            match &mut self.pending {
                Some(p) => p.duration = p.duration.saturating_add(TICKS_PER_FRAME),
                None => {
                    return Err(RenderError::Encode {
                        path: self.path.clone(),
                        frame: n,
                        reason: "the encoder produced no picture for the first frame".into(),
                    });
                }
            }
        } else {
            let next = Pending { start, duration: TICKS_PER_FRAME, sync, data: sample };
            if let Some(prev) = self.pending.replace(next) {
                self.write_sample(prev, n)?;
            }
        }
        Ok(())
    }

    fn start_muxer(&mut self, sps: Vec<u8>, pps: Vec<u8>, n: u64) -> Result<()> {
        if sps.len() < 4 {
            return Err(RenderError::Encode {
                path: self.path.clone(),
                frame: n,
                reason: format!("SPS of {} bytes is too short", sps.len()),
            });
        }
        let file = self.file.take().ok_or_else(|| self.mux_err(Some(n), "output file already closed"))?;
        let brand = |s: &[u8; 4]| mp4::FourCC::from(*s);
        let config = mp4::Mp4Config {
            major_brand: brand(b"isom"),
            minor_version: 512,
            compatible_brands: vec![brand(b"isom"), brand(b"iso2"), brand(b"avc1"), brand(b"mp41")],
            timescale: self.timescale,
        };
        let mut muxer = mp4::Mp4Writer::write_start(file, &config).map_err(|e| self.mux_err(Some(n), e))?;
        let track = mp4::TrackConfig {
            track_type: mp4::TrackType::Video,
            timescale: self.timescale,
            language: "und".into(),
            media_conf: mp4::MediaConfig::AvcConfig(mp4::AvcConfig {
                // Both at most 3840 (checked in `with_options`).
                width: u16::try_from(self.enc_w).unwrap_or(u16::MAX),
                height: u16::try_from(self.enc_h).unwrap_or(u16::MAX),
                seq_param_set: sps,
                pic_param_set: pps,
            }),
        };
        muxer.add_track(&track).map_err(|e| self.mux_err(Some(n), e))?;
        self.muxer = Some(muxer);
        Ok(())
    }

    fn write_sample(&mut self, p: Pending, n: u64) -> Result<()> {
        let sample = mp4::Mp4Sample {
            start_time: p.start,
            duration: p.duration,
            rendering_offset: 0,
            is_sync: p.sync,
            bytes: mp4::Bytes::from(p.data),
        };
        let Some(muxer) = self.muxer.as_mut() else {
            return Err(self.mux_err(Some(n), "muxer not started"));
        };
        muxer.write_sample(1, &sample).map_err(|e| RenderError::Mux {
            path: self.path.clone(),
            frame: Some(n),
            reason: e.to_string(),
        })
    }

    /// Writes the last frame and the index, flushes and closes the file.
    ///
    /// With no frame written the (empty) file is removed and [`RenderError::NoFrames`] returned.
    pub fn finish(mut self) -> Result<Mp4Summary> {
        if self.frames == 0 {
            drop(self.file.take());
            let _ = std::fs::remove_file(&self.path);
            return Err(RenderError::NoFrames { path: self.path.clone() });
        }
        let n = self.frames;
        if let Backend::Parallel(pool) = &mut self.backend {
            pool.close();
        }
        self.drain(true)?;
        if let Backend::Parallel(pool) = &mut self.backend {
            pool.join(&self.path)?;
        }
        if let Some(p) = self.pending.take() {
            self.write_sample(p, n - 1)?;
        }
        let mut muxer = self.muxer.take().ok_or_else(|| self.mux_err(None, "muxer not started"))?;
        muxer.write_end().map_err(|e| self.mux_err(None, e))?;
        let mut file = muxer.into_writer();
        let io = |source| RenderError::Io { path: self.path.clone(), source };
        file.flush().map_err(io)?;
        let bytes = file.stream_position().map_err(io)?;
        let file = file.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        Ok(Mp4Summary {
            path: self.path.clone(),
            frames: self.frames,
            width: self.enc_w,
            height: self.enc_h,
            fps: self.fps(),
            bytes,
        })
    }
}

impl FrameSink for Mp4Writer {
    fn write_frame(&mut self, frame: &RgbImage) -> Result<()> {
        Mp4Writer::write_frame(self, frame)
    }

    fn frames_written(&self) -> u64 {
        self.frames
    }
}

/// What the encoders are built from.
#[derive(Debug, Clone, Copy)]
struct EncoderSettings {
    rc: RateControlMode,
    bitrate: u32,
    fps: f64,
    options: Mp4Options,
    /// Encoded width and height.
    size: (usize, usize),
}

impl EncoderSettings {
    /// An OpenH264 encoder. With several encoders, key frames are forced at the start of each
    /// interval instead of counted by the encoder (each sees only some intervals).
    fn encoder(&self, path: &Path) -> Result<Encoder> {
        let period = if self.options.encoders > 1 { 0 } else { self.options.keyframe_interval };
        let config = EncoderConfig::new()
            .skip_frames(false)
            .rate_control_mode(self.rc)
            .bitrate(BitRate::from_bps(self.bitrate))
            .max_frame_rate(FrameRate::from_hz(self.fps as f32))
            .intra_frame_period(IntraFramePeriod::from_num_frames(period))
            .vui(VuiConfig::bt601())
            .num_threads(self.options.threads);
        Encoder::with_api_config(OpenH264API::from_source(), config).map_err(|e| RenderError::Encode {
            path: path.to_path_buf(),
            frame: 0,
            reason: format!("starting OpenH264: {e}"),
        })
    }
}

/// Where pictures are encoded.
enum Backend {
    /// On the calling thread.
    Inline(Box<Encoder>),
    /// On the threads of a [`Pool`].
    Parallel(Pool),
}

/// One encoded picture: its sample (length-prefixed NAL units) and the parameter sets it carried.
struct Coded {
    sps: Option<Vec<u8>>,
    pps: Option<Vec<u8>>,
    sample: Vec<u8>,
    sync: bool,
}

/// Encodes one I420 picture of `size`; `idr` forces an IDR picture.
fn encode_i420(
    enc: &mut Encoder,
    yuv: &[u8],
    (w, h): (usize, usize),
    millis: u64,
    idr: bool,
) -> std::result::Result<Coded, String> {
    let slices = {
        let (y, uv) = yuv.split_at(w * h);
        let (u, v) = uv.split_at(uv.len() / 2);
        YUVSlices::new((y, u, v), (w, h), (w, w / 2, w / 2))
    };
    if idr {
        enc.force_intra_frame();
    }
    let stream =
        enc.encode_at(&slices, openh264::Timestamp::from_millis(millis)).map_err(|e| e.to_string())?;
    let mut coded =
        Coded { sps: None, pps: None, sample: Vec::new(), sync: stream.frame_type() == FrameType::IDR };
    for l in 0..stream.num_layers() {
        let Some(layer) = stream.layer(l) else { continue };
        for k in 0..layer.nal_count() {
            let Some(nal) = layer.nal_unit(k).map(strip_start_code) else { continue };
            let Some(&head) = nal.first() else { continue };
            match head & 0x1F {
                7 => coded.sps = coded.sps.or_else(|| Some(nal.to_vec())),
                8 => coded.pps = coded.pps.or_else(|| Some(nal.to_vec())),
                9 => {} // access unit delimiter: not stored in MP4 samples
                t => {
                    coded.sync |= t == 5;
                    let len =
                        u32::try_from(nal.len()).map_err(|_| format!("NAL unit of {} bytes", nal.len()))?;
                    coded.sample.extend_from_slice(&len.to_be_bytes());
                    coded.sample.extend_from_slice(nal);
                }
            }
        }
    }
    Ok(coded)
}

/// A picture for an encoder thread: frame number, I420 data, timestamp.
type Job = (u64, Vec<u8>, u64);
/// What an encoder thread returns per picture: frame number, then the picture or why it failed.
type Done = (u64, std::result::Result<(Coded, Vec<u8>), String>);

/// Encoder threads, one OpenH264 encoder each; key-frame interval `g` goes to thread `g % n`.
struct Pool {
    interval: u64,
    jobs: Vec<Option<std::sync::mpsc::SyncSender<Job>>>,
    done: Vec<std::sync::mpsc::Receiver<Done>>,
    handles: Vec<Option<std::thread::JoinHandle<()>>>,
    /// The next frame to hand to the muxer, and the next frame to be sent.
    next_out: u64,
    sent: u64,
    /// Returned I420 buffers, for reuse.
    spares: Vec<Vec<u8>>,
    yuv_len: usize,
}

impl Pool {
    fn start(path: &Path, settings: EncoderSettings, yuv_len: usize) -> Result<Pool> {
        let interval = u64::from(settings.options.keyframe_interval);
        let n = settings.options.encoders;
        let (mut jobs, mut done, mut handles) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..n {
            // A whole interval can wait per encoder, so the caller reaches the next interval
            // (and the next encoder) without waiting for this one.
            let (job_tx, job_rx) =
                std::sync::mpsc::sync_channel::<Job>(settings.options.keyframe_interval as usize);
            let (done_tx, done_rx) = std::sync::mpsc::channel::<Done>();
            let p = path.to_path_buf();
            let handle = std::thread::Builder::new()
                .name(format!("touchline-h264-{i}"))
                .spawn(move || encoder_thread(&p, settings, interval, &job_rx, &done_tx))
                .map_err(|e| RenderError::Worker {
                    frames: 0,
                    reason: format!("could not start encoder {i}: {e}"),
                })?;
            jobs.push(Some(job_tx));
            done.push(done_rx);
            handles.push(Some(handle));
        }
        Ok(Pool { interval, jobs, done, handles, next_out: 0, sent: 0, spares: Vec::new(), yuv_len })
    }

    fn worker_of(&self, frame: u64) -> usize {
        ((frame / self.interval) % self.jobs.len() as u64) as usize
    }

    /// An I420 buffer to fill next.
    fn spare(&mut self) -> Vec<u8> {
        self.spares.pop().unwrap_or_else(|| vec![0; self.yuv_len])
    }

    fn send(&mut self, path: &Path, frame: u64, yuv: Vec<u8>, millis: u64) -> Result<()> {
        let w = self.worker_of(frame);
        let ok = self.jobs[w].as_ref().is_some_and(|tx| tx.send((frame, yuv, millis)).is_ok());
        if !ok {
            // The thread stopped: its error (or panic) is in its results; report that.
            self.jobs[w] = None;
            while let Ok((k, r)) = self.done[w].recv() {
                if let Err(reason) = r {
                    return Err(RenderError::Encode { path: path.to_path_buf(), frame: k, reason });
                }
            }
            return Err(self.stopped(path, w, frame));
        }
        self.sent = frame + 1;
        Ok(())
    }

    /// The next encoded frame in order: waits for it when `wait`, else only if it is ready.
    fn ready(&mut self, path: &Path, wait: bool) -> Result<Option<(u64, Coded)>> {
        if self.next_out >= self.sent {
            return Ok(None);
        }
        let w = self.worker_of(self.next_out);
        let got = if wait {
            self.done[w].recv().ok()
        } else {
            match self.done[w].try_recv() {
                Ok(d) => Some(d),
                Err(std::sync::mpsc::TryRecvError::Empty) => return Ok(None),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
            }
        };
        match got {
            Some((k, Ok((coded, buf)))) if k == self.next_out => {
                self.next_out += 1;
                self.spares.push(buf);
                Ok(Some((k, coded)))
            }
            Some((k, Ok(_))) => Err(RenderError::Worker {
                frames: self.next_out,
                reason: format!("encoder {w} returned frame {k} when frame {} was due", self.next_out),
            }),
            Some((k, Err(reason))) => Err(RenderError::Encode { path: path.to_path_buf(), frame: k, reason }),
            None => Err(self.stopped(path, w, self.next_out)),
        }
    }

    /// No more frames: the threads finish what they hold.
    fn close(&mut self) {
        for j in &mut self.jobs {
            *j = None;
        }
    }

    fn join(&mut self, path: &Path) -> Result<()> {
        self.close();
        for w in 0..self.handles.len() {
            if let Some(h) = self.handles[w].take()
                && h.join().is_err()
            {
                return Err(self.stopped(path, w, self.next_out));
            }
        }
        Ok(())
    }

    fn stopped(&mut self, path: &Path, w: usize, frame: u64) -> RenderError {
        let panicked = self.handles[w].take().is_some_and(|h| h.join().is_err());
        RenderError::Worker {
            frames: frame,
            reason: format!(
                "{}: encoder thread {w} {} before frame {frame}",
                path.display(),
                if panicked { "panicked" } else { "stopped" }
            ),
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.close();
        for h in self.handles.iter_mut().filter_map(Option::take) {
            let _ = h.join();
        }
    }
}

fn encoder_thread(
    path: &Path,
    settings: EncoderSettings,
    interval: u64,
    jobs: &std::sync::mpsc::Receiver<Job>,
    done: &std::sync::mpsc::Sender<Done>,
) {
    let mut enc = match settings.encoder(path) {
        Ok(e) => e,
        Err(e) => {
            // Reported for the first frame this thread is given.
            if let Ok((k, _, _)) = jobs.recv() {
                let _ = done.send((k, Err(e.to_string())));
            }
            return;
        }
    };
    for (k, yuv, millis) in jobs {
        let r = encode_i420(&mut enc, &yuv, settings.size, millis, k % interval == 0).map(|c| (c, yuv));
        let failed = r.is_err();
        if done.send((k, r)).is_err() || failed {
            return;
        }
    }
}

/// BT.601 limited-range RGB to I420 (planar Y, then U, then V at half resolution), with
/// rounding; chroma from the mean of each 2x2 block. Sides must be even.
///
/// Coefficients: the 8-bit integer form of ITU-R BT.601 (Y = 16 + (66R + 129G + 25B) / 256, ...).
fn rgb_to_i420(src: &RgbImage, out: &mut [u8]) {
    let (w, h) = (src.width() as usize, src.height() as usize);
    let raw = src.as_raw();
    let (y_plane, uv) = out.split_at_mut(w * h);
    let (u_plane, v_plane) = uv.split_at_mut(w * h / 4);
    let luma = |px: &[u8]| {
        let [r, g, b] = [i32::from(px[0]), i32::from(px[1]), i32::from(px[2])];
        (((66 * r + 129 * g + 25 * b + 128) >> 8) + 16) as u8
    };
    // Two rows at a time: their luma, and the chroma of their 2 x 2 blocks (sides are even).
    let rows = raw.chunks_exact(6 * w).zip(y_plane.chunks_exact_mut(2 * w));
    let chroma = u_plane.chunks_exact_mut(w / 2).zip(v_plane.chunks_exact_mut(w / 2));
    for ((rgb, ys), (us, vs)) in rows.zip(chroma) {
        let (top, bottom) = rgb.split_at(3 * w);
        let (y_top, y_bottom) = ys.split_at_mut(w);
        let blocks = top.chunks_exact(6).zip(bottom.chunks_exact(6));
        let outs = y_top.chunks_exact_mut(2).zip(y_bottom.chunks_exact_mut(2)).zip(us.iter_mut().zip(vs));
        for ((t, b), ((yt, yb), (u, v))) in blocks.zip(outs) {
            yt[0] = luma(&t[..3]);
            yt[1] = luma(&t[3..]);
            yb[0] = luma(&b[..3]);
            yb[1] = luma(&b[3..]);
            let sum =
                |c: usize| i32::from(t[c]) + i32::from(t[c + 3]) + i32::from(b[c]) + i32::from(b[c + 3]);
            let (r, g, bl) = (sum(0), sum(1), sum(2));
            // Sums of four; the +512 rounds the combined division by 4 * 256.
            *u = (((-38 * r - 74 * g + 112 * bl + 512) >> 10) + 128) as u8;
            *v = (((112 * r - 94 * g - 18 * bl + 512) >> 10) + 128) as u8;
        }
    }
}

/// Removes an Annex B start code (`00 00 01` or `00 00 00 01`) from the front of a NAL unit.
fn strip_start_code(nal: &[u8]) -> &[u8] {
    if let Some(rest) = nal.strip_prefix(&[0, 0, 0, 1]) {
        rest
    } else if let Some(rest) = nal.strip_prefix(&[0, 0, 1]) {
        rest
    } else {
        nal
    }
}

/// Copies `src` into the top-left of `dst` and repeats its last column and row into the rest.
fn pad_into(src: &RgbImage, dst: &mut RgbImage) {
    let (sw, sh) = src.dimensions();
    let (dw, dh) = dst.dimensions();
    if sw == 0 || sh == 0 {
        return;
    }
    for y in 0..dh {
        let sy = y.min(sh - 1);
        for x in 0..dw {
            dst.put_pixel(x, y, *src.get_pixel(x.min(sw - 1), sy));
        }
    }
}

/// Writes frames as `frame_000000.png`, `frame_000001.png`, ... into a directory.
#[derive(Debug, Clone)]
pub struct PngSequenceWriter {
    dir: PathBuf,
    frames: u64,
}

impl PngSequenceWriter {
    /// Creates `dir` (and its parents) if missing.
    pub fn create(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|source| RenderError::Io { path: dir.clone(), source })?;
        Ok(PngSequenceWriter { dir, frames: 0 })
    }

    /// The directory written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of frame `index` (`frame_000042.png`; more digits past 999999).
    pub fn frame_path(&self, index: u64) -> PathBuf {
        self.dir.join(format!("frame_{index:06}.png"))
    }

    /// Writes the next frame and returns its path.
    pub fn write_frame(&mut self, frame: &RgbImage) -> Result<PathBuf> {
        let path = self.frame_path(self.frames);
        frame.save_with_format(&path, image::ImageFormat::Png).map_err(|source| RenderError::Png {
            path: path.clone(),
            frame: self.frames,
            source,
        })?;
        self.frames += 1;
        Ok(path)
    }
}

impl FrameSink for PngSequenceWriter {
    fn write_frame(&mut self, frame: &RgbImage) -> Result<()> {
        PngSequenceWriter::write_frame(self, frame).map(|_| ())
    }

    fn frames_written(&self) -> u64 {
        self.frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BT.601 studio-range I420, pixel by pixel: the reference for [`rgb_to_i420`].
    fn i420_reference(src: &RgbImage) -> Vec<u8> {
        let (w, h) = src.dimensions();
        let mut out = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let [r, g, b] = src.get_pixel(x, y).0.map(i32::from);
                out.push((((66 * r + 129 * g + 25 * b + 128) >> 8) + 16) as u8);
            }
        }
        let block = |x: u32, y: u32, c: usize| -> i32 {
            [(0, 0), (1, 0), (0, 1), (1, 1)]
                .iter()
                .map(|&(dx, dy)| i32::from(src.get_pixel(x + dx, y + dy)[c]))
                .sum()
        };
        let mut v = Vec::new();
        for y in (0..h).step_by(2) {
            for x in (0..w).step_by(2) {
                let (r, g, b) = (block(x, y, 0), block(x, y, 1), block(x, y, 2));
                out.push((((-38 * r - 74 * g + 112 * b + 512) >> 10) + 128) as u8);
                v.push((((112 * r - 94 * g - 18 * b + 512) >> 10) + 128) as u8);
            }
        }
        out.extend(v);
        out
    }

    proptest::proptest! {
        #[test]
        fn i420_matches_the_pixel_by_pixel_reference(
            half_w in 1u32..12,
            half_h in 1u32..8,
            seed in proptest::collection::vec(proptest::num::u8::ANY, 1..64),
        ) {
            let (w, h) = (2 * half_w, 2 * half_h);
            let img = RgbImage::from_fn(w, h, |x, y| {
                let k = (y * w + x) as usize * 3;
                image::Rgb([0, 1, 2].map(|c| seed[(k + c) % seed.len()].wrapping_mul((k + c) as u8 | 1)))
            });
            let mut out = vec![0; (w * h * 3 / 2) as usize];
            rgb_to_i420(&img, &mut out);
            proptest::prop_assert_eq!(out, i420_reference(&img));
        }
    }

    #[test]
    fn start_codes_are_stripped() {
        assert_eq!(strip_start_code(&[0, 0, 0, 1, 0x67, 1]), &[0x67, 1]);
        assert_eq!(strip_start_code(&[0, 0, 1, 0x68]), &[0x68]);
        assert_eq!(strip_start_code(&[0x65, 0, 0, 1]), &[0x65, 0, 0, 1]);
        assert_eq!(strip_start_code(&[]), &[] as &[u8]);
    }

    #[test]
    fn padding_repeats_edges() {
        let src = RgbImage::from_fn(3, 1, |x, _| image::Rgb([x as u8 * 10, 0, 0]));
        let mut dst = RgbImage::new(4, 2);
        pad_into(&src, &mut dst);
        assert_eq!(dst.get_pixel(3, 0).0, [20, 0, 0]);
        assert_eq!(dst.get_pixel(0, 1).0, [0, 0, 0]);
        assert_eq!(dst.get_pixel(3, 1).0, [20, 0, 0]);
    }
}
