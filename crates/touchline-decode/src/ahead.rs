//! [`ReadAhead`]: decoding on a second thread, a few frames ahead of the consumer.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use touchline_core::{Frame, FrameSource};

use crate::{DecodeError, FrameSourceExt, Result, Sampling};

enum Msg {
    /// The source opened: its frame rate and frame count hints.
    Opened(Option<f64>, Option<usize>),
    Frame(Result<Frame>),
}

/// A [`FrameSource`] whose frames are decoded on a thread of their own, up to `depth` frames
/// ahead of [`next_frame`](FrameSource::next_frame), so that decoding overlaps whatever the
/// caller does with each frame (detection, drawing).
///
/// The source is built on that thread (decoders such as OpenH264 are not `Send`). Opening
/// errors come back from [`ReadAhead::open`] / [`ReadAhead::spawn`]; a decoding error comes back
/// from `next_frame` in stream order, after the frames before it, and ends the stream. A
/// panicking source becomes [`DecodeError::Worker`]. Dropping a `ReadAhead` early stops the
/// thread after the frame it is decoding.
///
/// ```
/// use touchline_core::FrameSource;
/// use touchline_decode::{ReadAhead, Sampling};
///
/// let clip = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/videos/soccer_penalty_lampard_goal.mp4");
/// let mut src = ReadAhead::open(clip, Sampling::new().every(10), 4)?;
/// assert_eq!(src.frame_rate(), Some(3.0)); // the sampled rate: every 10th of 30 fps
/// let mut kept = Vec::new();
/// while let Some(frame) = src.next_frame()? {
///     kept.push(frame.index);
/// }
/// assert_eq!(kept, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
/// # Ok::<(), touchline_decode::DecodeError>(())
/// ```
pub struct ReadAhead {
    rx: Option<Receiver<Msg>>,
    worker: Option<JoinHandle<()>>,
    path: PathBuf,
    fps: Option<f64>,
    count: Option<usize>,
    ended: bool,
}

impl std::fmt::Debug for ReadAhead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadAhead")
            .field("path", &self.path)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl ReadAhead {
    /// Opens `path` ([`crate::open`]) with `sampling` on a decoding thread that keeps up to
    /// `depth` frames (at least 1) ready.
    pub fn open(path: impl AsRef<Path>, sampling: Sampling, depth: usize) -> Result<ReadAhead> {
        let p = path.as_ref().to_path_buf();
        ReadAhead::spawn(path.as_ref(), depth, move || crate::open(&p)?.sample(sampling))
    }

    /// Runs the source `make` builds on a decoding thread that keeps up to `depth` frames (at
    /// least 1) ready. `label` names the video in [`DecodeError::Worker`].
    pub fn spawn<S, M>(label: impl Into<PathBuf>, depth: usize, make: M) -> Result<ReadAhead>
    where
        S: FrameSource<Error = DecodeError>,
        M: FnOnce() -> Result<S> + Send + 'static,
    {
        let path = label.into();
        if depth == 0 {
            return Err(DecodeError::InvalidParameter {
                name: "depth",
                reason: "a read-ahead queue holds at least 1 frame".into(),
            });
        }
        let (tx, rx) = sync_channel::<Msg>(depth);
        let worker = std::thread::Builder::new()
            .name("touchline-decode".into())
            .spawn(move || run(make, &tx))
            .map_err(|e| DecodeError::Worker {
                path: path.clone(),
                reason: format!("could not start: {e}"),
            })?;
        let mut ahead =
            ReadAhead { rx: Some(rx), worker: Some(worker), path, fps: None, count: None, ended: false };
        match ahead.recv()? {
            Some(Msg::Opened(fps, count)) => {
                (ahead.fps, ahead.count) = (fps, count);
                Ok(ahead)
            }
            Some(Msg::Frame(Err(e))) => Err(e),
            Some(Msg::Frame(Ok(_))) | None => Err(DecodeError::Worker {
                path: ahead.path.clone(),
                reason: "the decoding thread stopped before opening the video".into(),
            }),
        }
    }

    /// The next message; `None` once the thread has finished. A panic on the thread is an error.
    fn recv(&mut self) -> Result<Option<Msg>> {
        if let Some(msg) = self.rx.as_ref().and_then(|rx| rx.recv().ok()) {
            return Ok(Some(msg));
        }
        self.rx = None;
        self.ended = true;
        match self.worker.take().map(JoinHandle::join) {
            Some(Err(panic)) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                Err(DecodeError::Worker {
                    path: self.path.clone(),
                    reason: format!("the decoding thread panicked: {what}"),
                })
            }
            _ => Ok(None),
        }
    }
}

fn run<S, M>(make: M, tx: &SyncSender<Msg>)
where
    S: FrameSource<Error = DecodeError>,
    M: FnOnce() -> Result<S>,
{
    let mut src = match make() {
        Ok(s) => s,
        Err(e) => {
            let _ = tx.send(Msg::Frame(Err(e)));
            return;
        }
    };
    if tx.send(Msg::Opened(src.frame_rate(), src.frame_count_hint())).is_err() {
        return;
    }
    loop {
        let next = src.next_frame();
        let stop = !matches!(next, Ok(Some(_)));
        let msg = match next {
            Ok(Some(f)) => Msg::Frame(Ok(f)),
            Ok(None) => return,
            Err(e) => Msg::Frame(Err(e)),
        };
        // A closed channel: the consumer stopped early.
        if tx.send(msg).is_err() || stop {
            return;
        }
    }
}

impl FrameSource for ReadAhead {
    type Error = DecodeError;

    fn next_frame(&mut self) -> Result<Option<Frame>> {
        if self.ended {
            return Ok(None);
        }
        match self.recv()? {
            Some(Msg::Frame(Ok(f))) => Ok(Some(f)),
            Some(Msg::Frame(Err(e))) => {
                // The thread ends after an error; later calls return `None`.
                self.ended = true;
                self.rx = None;
                if let Some(w) = self.worker.take() {
                    let _ = w.join();
                }
                Err(e)
            }
            Some(Msg::Opened(..)) | None => Ok(None),
        }
    }

    fn frame_rate(&self) -> Option<f64> {
        self.fps
    }

    fn frame_count_hint(&self) -> Option<usize> {
        self.count
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        // Closing the channel first lets a thread blocked on a full queue finish.
        self.rx = None;
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames 0..n, then optionally an error, then (never reached) more frames; or a panic.
    struct Scripted {
        next: usize,
        frames: usize,
        fail: Option<&'static str>,
        panic_at: Option<usize>,
    }

    impl FrameSource for Scripted {
        type Error = DecodeError;
        fn next_frame(&mut self) -> Result<Option<Frame>> {
            let i = self.next;
            self.next += 1;
            if self.panic_at == Some(i) {
                panic!("scripted panic at frame {i}");
            }
            if i < self.frames {
                return Ok(Some(Frame::new(i, i as f64 / 25.0, image::RgbImage::new(4, 2))));
            }
            match self.fail {
                Some(reason) if i == self.frames => {
                    Err(DecodeError::Image { path: "scripted".into(), frame: i, reason: reason.into() })
                }
                _ => Ok(None),
            }
        }
        fn frame_rate(&self) -> Option<f64> {
            Some(25.0)
        }
        fn frame_count_hint(&self) -> Option<usize> {
            Some(self.frames)
        }
    }

    fn scripted(frames: usize, fail: Option<&'static str>, panic_at: Option<usize>) -> Result<ReadAhead> {
        ReadAhead::spawn("scripted", 2, move || Ok(Scripted { next: 0, frames, fail, panic_at }))
    }

    fn drain(src: &mut ReadAhead) -> (Vec<usize>, Option<DecodeError>) {
        let mut got = Vec::new();
        loop {
            match src.next_frame() {
                Ok(Some(f)) => got.push(f.index),
                Ok(None) => return (got, None),
                Err(e) => return (got, Some(e)),
            }
        }
    }

    #[test]
    fn frames_come_in_order_with_the_hints() {
        let mut src = scripted(7, None, None).unwrap();
        assert_eq!((src.frame_rate(), src.frame_count_hint()), (Some(25.0), Some(7)));
        let (got, err) = drain(&mut src);
        assert_eq!(got, (0..7).collect::<Vec<_>>());
        assert!(err.is_none());
        assert!(src.next_frame().unwrap().is_none(), "stays ended");
    }

    #[test]
    fn an_error_comes_after_the_frames_before_it_and_ends_the_stream() {
        let mut src = scripted(3, Some("cut short"), None).unwrap();
        let (got, err) = drain(&mut src);
        assert_eq!(got, [0, 1, 2]);
        let e = err.expect("the error").to_string();
        assert!(e.contains("frame 3") && e.contains("cut short"), "{e}");
        assert!(src.next_frame().unwrap().is_none());
    }

    #[test]
    fn a_panic_becomes_a_worker_error() {
        let mut src = scripted(5, None, Some(2)).unwrap();
        let (got, err) = drain(&mut src);
        assert_eq!(got, [0, 1]);
        let e = err.expect("the panic as an error");
        assert!(matches!(e, DecodeError::Worker { .. }), "{e:?}");
        assert!(e.to_string().contains("scripted panic at frame 2"), "{e}");
    }

    #[test]
    fn opening_errors_come_from_open() {
        let e = ReadAhead::open("/no/such/clip.mp4", Sampling::new(), 2).unwrap_err();
        assert!(e.to_string().contains("/no/such/clip.mp4"), "{e}");
        let e = ReadAhead::spawn("x", 0, || Ok(Scripted { next: 0, frames: 1, fail: None, panic_at: None }));
        assert!(matches!(e, Err(DecodeError::InvalidParameter { name: "depth", .. })));
    }

    #[test]
    fn dropping_early_stops_the_thread() {
        // A long stream and a queue of 2: the thread blocks on the full queue until the drop.
        let mut src = scripted(100_000, None, None).unwrap();
        assert_eq!(src.next_frame().unwrap().map(|f| f.index), Some(0));
        drop(src); // must not hang
    }
}
