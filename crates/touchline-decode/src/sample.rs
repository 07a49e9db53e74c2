//! Sampling over any [`FrameSource`]: stride or time step, start/end, resize.

use image::imageops::FilterType;
use touchline_core::{Frame, FrameSource};

use crate::error::DecodeError;

/// Tolerance on timestamps, seconds (container times are rationals; `0.1` is not).
const EPS: f64 = 1e-6;

/// Where a range starts or ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// A frame index of the source (display order).
    Frame(usize),
    /// A timestamp of the source, seconds.
    Time(f64),
}

/// Which frames of the range are kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Every `n`-th frame of the range, starting with its first (`Every(1)` keeps all).
    Every(usize),
    /// The first frame at or after each multiple of this many seconds,
    /// counted from the first frame of the range.
    Seconds(f64),
}

/// Output size of a [`Sampler`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resize {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Resampling filter (`image`'s).
    pub filter: FilterType,
}

/// What a [`Sampler`] keeps: a step, a range (start inclusive, end exclusive)
/// and an optional resize. Build it with the methods:
///
/// ```
/// use touchline_decode::{Bound, Sampling, Step};
/// let s = Sampling::new().every_seconds(0.1).start_time(1.0).end_frame(90).resize(640, 360);
/// assert_eq!(s.step, Step::Seconds(0.1));
/// assert_eq!(s.end, Some(Bound::Frame(90)));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Sampling {
    /// Which frames of the range are kept.
    pub step: Step,
    /// First frame or time kept (inclusive); `None` from the start.
    pub start: Option<Bound>,
    /// Frames at or after this are not read (exclusive); `None` to the end.
    pub end: Option<Bound>,
    /// Resize every kept frame.
    pub resize: Option<Resize>,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling { step: Step::Every(1), start: None, end: None, resize: None }
    }
}

impl Sampling {
    /// Every frame, whole source, no resize.
    pub fn new() -> Self {
        Sampling::default()
    }
    /// Keeps every `n`-th frame.
    #[must_use]
    pub fn every(mut self, n: usize) -> Self {
        self.step = Step::Every(n);
        self
    }
    /// Keeps one frame per `dt` seconds.
    #[must_use]
    pub fn every_seconds(mut self, dt: f64) -> Self {
        self.step = Step::Seconds(dt);
        self
    }
    /// Starts at frame index `i`.
    #[must_use]
    pub fn start_frame(mut self, i: usize) -> Self {
        self.start = Some(Bound::Frame(i));
        self
    }
    /// Starts at time `t` seconds.
    #[must_use]
    pub fn start_time(mut self, t: f64) -> Self {
        self.start = Some(Bound::Time(t));
        self
    }
    /// Stops before frame index `i`.
    #[must_use]
    pub fn end_frame(mut self, i: usize) -> Self {
        self.end = Some(Bound::Frame(i));
        self
    }
    /// Stops before time `t` seconds.
    #[must_use]
    pub fn end_time(mut self, t: f64) -> Self {
        self.end = Some(Bound::Time(t));
        self
    }
    /// Resizes kept frames to `width` x `height` with a bilinear (triangle) filter.
    #[must_use]
    pub fn resize(self, width: u32, height: u32) -> Self {
        self.resize_with(width, height, FilterType::Triangle)
    }
    /// Resizes kept frames with the given filter.
    #[must_use]
    pub fn resize_with(mut self, width: u32, height: u32, filter: FilterType) -> Self {
        self.resize = Some(Resize { width, height, filter });
        self
    }

    /// Checks the options.
    pub fn validate(&self) -> Result<(), DecodeError> {
        let bad = |name, reason: String| Err(DecodeError::InvalidParameter { name, reason });
        match self.step {
            Step::Every(0) => return bad("step", "a stride of 0 frames".into()),
            Step::Seconds(dt) if !(dt.is_finite() && dt > 0.0) => {
                return bad("step", format!("time step must be finite and positive, got {dt}"));
            }
            _ => {}
        }
        for (name, b) in [("start", self.start), ("end", self.end)] {
            if let Some(Bound::Time(t)) = b
                && !(t.is_finite() && t >= 0.0)
            {
                return bad(name, format!("time must be finite and >= 0, got {t}"));
            }
        }
        match (self.start, self.end) {
            (Some(Bound::Frame(a)), Some(Bound::Frame(b))) if b <= a => {
                return bad("end", format!("end frame {b} is not after start frame {a}"));
            }
            (Some(Bound::Time(a)), Some(Bound::Time(b))) if b <= a => {
                return bad("end", format!("end time {b} s is not after start time {a} s"));
            }
            _ => {}
        }
        if let Some(r) = self.resize
            && (r.width == 0 || r.height == 0)
        {
            return bad("resize", format!("size {}x{} must be positive", r.width, r.height));
        }
        Ok(())
    }
}

/// Wraps a [`FrameSource`] and yields only the sampled frames. Kept frames
/// keep the source's `index` and `timestamp`, so results map back to the
/// video. Reading stops at the end bound without decoding the rest.
///
/// ```
/// use touchline_core::{Frame, FrameSource};
/// use touchline_decode::{Sampler, Sampling};
/// struct Blank(usize);
/// impl FrameSource for Blank {
///     type Error = std::convert::Infallible;
///     fn next_frame(&mut self) -> Result<Option<Frame>, Self::Error> {
///         self.0 += 1;
///         Ok((self.0 <= 100).then(|| Frame::new(self.0 - 1, (self.0 - 1) as f64 / 30.0, image::RgbImage::new(64, 48))))
///     }
///     fn frame_rate(&self) -> Option<f64> { Some(30.0) }
/// }
/// let s = Sampling::new().every_seconds(0.1).start_time(0.5).end_time(1.0).resize(32, 24);
/// let mut src = Sampler::new(Blank(0), s)?;
/// let mut kept = vec![];
/// while let Some(f) = src.next_frame().unwrap() { assert_eq!(f.size(), (32, 24)); kept.push(f.index); }
/// assert_eq!(kept, [15, 18, 21, 24, 27]);
/// # Ok::<(), touchline_decode::DecodeError>(())
/// ```
#[derive(Debug)]
pub struct Sampler<S> {
    inner: S,
    sampling: Sampling,
    in_range: usize,
    anchor: Option<f64>,
    next_t: f64,
    done: bool,
}

impl<S: FrameSource> Sampler<S> {
    /// Wraps `inner`; fails if the options are invalid.
    pub fn new(inner: S, sampling: Sampling) -> Result<Self, DecodeError> {
        sampling.validate()?;
        Ok(Sampler { inner, sampling, in_range: 0, anchor: None, next_t: 0.0, done: false })
    }

    /// The wrapped source.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// Unwraps the source.
    pub fn into_inner(self) -> S {
        self.inner
    }

    fn before_start(&self, f: &Frame) -> bool {
        match self.sampling.start {
            Some(Bound::Frame(i)) => f.index < i,
            Some(Bound::Time(t)) => f.timestamp < t - EPS,
            None => false,
        }
    }

    fn past_end(&self, f: &Frame) -> bool {
        match self.sampling.end {
            Some(Bound::Frame(i)) => f.index >= i,
            Some(Bound::Time(t)) => f.timestamp >= t - EPS,
            None => false,
        }
    }

    fn keep(&mut self, f: &Frame) -> bool {
        match self.sampling.step {
            Step::Every(n) => {
                let k = self.in_range.is_multiple_of(n);
                self.in_range += 1;
                k
            }
            Step::Seconds(dt) => {
                let anchor = *self.anchor.get_or_insert(f.timestamp);
                if f.timestamp < self.next_t - EPS {
                    return false;
                }
                // Next multiple of dt strictly after this frame: no drift, no double picks.
                let k = ((f.timestamp - anchor) / dt + EPS).floor() + 1.0;
                self.next_t = anchor + k * dt;
                true
            }
        }
    }
}

impl<S: FrameSource> FrameSource for Sampler<S> {
    type Error = S::Error;

    fn next_frame(&mut self) -> Result<Option<Frame>, S::Error> {
        while !self.done {
            let Some(mut f) = self.inner.next_frame()? else {
                self.done = true;
                break;
            };
            if self.past_end(&f) {
                self.done = true;
                break;
            }
            if self.before_start(&f) || !self.keep(&f) {
                continue;
            }
            if let Some(r) = self.sampling.resize
                && f.image.dimensions() != (r.width, r.height)
            {
                f.image = image::imageops::resize(&f.image, r.width, r.height, r.filter);
            }
            return Ok(Some(f));
        }
        Ok(None)
    }

    fn frame_rate(&self) -> Option<f64> {
        let fps = self.inner.frame_rate()?;
        #[allow(clippy::cast_precision_loss)]
        Some(match self.sampling.step {
            Step::Every(n) => fps / n as f64,
            Step::Seconds(dt) => fps.min(1.0 / dt),
        })
    }

    fn frame_count_hint(&self) -> Option<usize> {
        let total = self.inner.frame_count_hint()?;
        let Step::Every(n) = self.sampling.step else { return None };
        let start = match self.sampling.start {
            None => 0,
            Some(Bound::Frame(i)) => i,
            Some(Bound::Time(_)) => return None,
        };
        let end = match self.sampling.end {
            None => total,
            Some(Bound::Frame(i)) => i.min(total),
            Some(Bound::Time(_)) => return None,
        };
        Some(end.saturating_sub(start).div_ceil(n))
    }
}

/// `.sample(...)` on every [`FrameSource`].
pub trait FrameSourceExt: FrameSource + Sized {
    /// Wraps the source in a [`Sampler`].
    fn sample(self, sampling: Sampling) -> Result<Sampler<Self>, DecodeError> {
        Sampler::new(self, sampling)
    }
}

impl<S: FrameSource> FrameSourceExt for S {}
