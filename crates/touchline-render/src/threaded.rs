//! [`ThreadedSink`]: a [`FrameSink`] on its own thread, so encoding overlaps drawing.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use image::RgbImage;

use crate::error::{RenderError, Result};
use crate::video::FrameSink;

/// Runs a [`FrameSink`] (for example an [`crate::Mp4Writer`]) on a thread of its own: the caller
/// draws frame `k + 1` while frame `k` is encoded. Frames are handed over through a queue of
/// `depth` frames (memory: `depth` x width x height x 3 bytes); `write` blocks when it is full.
/// The sink is built on the worker thread by `make` (an OpenH264 encoder is not `Send`) and
/// closed there by `finish`, whose value [`ThreadedSink::finish`] returns. The first error of
/// the sink stops the worker and is returned by the next `write` or by `finish`; no frame is
/// dropped silently.
///
/// ```
/// use touchline_render::{FrameSink, PngSequenceWriter, ThreadedSink};
/// let dir = std::env::temp_dir().join(format!("tl_threaded_doc_{}", std::process::id()));
/// let d = dir.clone();
/// let mut sink = ThreadedSink::spawn(2, move || PngSequenceWriter::create(&d), |w| Ok(w.frames_written()))?;
/// for k in 0..3u8 {
///     sink.write(image::RgbImage::from_pixel(8, 6, image::Rgb([k * 80, 0, 0])))?;
/// }
/// assert_eq!(sink.finish()?, 3);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), touchline_render::RenderError>(())
/// ```
pub struct ThreadedSink<T> {
    tx: Option<SyncSender<RgbImage>>,
    handle: Option<JoinHandle<Result<T>>>,
    sent: u64,
}

impl<T: Send + 'static> ThreadedSink<T> {
    /// Starts the worker with a queue of `depth` frames (at least 1).
    pub fn spawn<W, M, F>(depth: usize, make: M, finish: F) -> Result<Self>
    where
        W: FrameSink,
        M: FnOnce() -> Result<W> + Send + 'static,
        F: FnOnce(W) -> Result<T> + Send + 'static,
    {
        let (tx, rx): (SyncSender<RgbImage>, Receiver<RgbImage>) = sync_channel(depth.max(1));
        let handle = std::thread::Builder::new()
            .name("touchline-frame-sink".into())
            .spawn(move || {
                let mut w = make()?;
                for img in rx {
                    w.write_frame(&img)?;
                }
                finish(w)
            })
            .map_err(|e| RenderError::Worker { frames: 0, reason: format!("could not start: {e}") })?;
        Ok(ThreadedSink { tx: Some(tx), handle: Some(handle), sent: 0 })
    }

    /// Queues one frame. When the worker has stopped (its sink failed), returns its error.
    pub fn write(&mut self, frame: RgbImage) -> Result<()> {
        let ok = self.tx.as_ref().is_some_and(|tx| tx.send(frame).is_ok());
        if ok {
            self.sent += 1;
            return Ok(());
        }
        // The receiver is gone: the worker returned early with an error (or panicked).
        self.tx = None;
        match self.join() {
            Err(e) => Err(e),
            Ok(_) => Err(RenderError::Worker { frames: self.sent, reason: "stopped early".into() }),
        }
    }

    /// Frames queued so far.
    pub fn frames_sent(&self) -> u64 {
        self.sent
    }

    /// Closes the queue, waits for the worker to write every queued frame and returns what
    /// `finish` returned (or the sink's first error).
    pub fn finish(mut self) -> Result<T> {
        self.tx = None;
        self.join()
    }

    fn join(&mut self) -> Result<T> {
        let frames = self.sent;
        match self.handle.take() {
            Some(h) => h.join().unwrap_or_else(|p| {
                let reason = p
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panicked".into());
                Err(RenderError::Worker { frames, reason })
            }),
            None => Err(RenderError::Worker { frames, reason: "already finished".into() }),
        }
    }
}

impl<T> Drop for ThreadedSink<T> {
    fn drop(&mut self) {
        // Close the queue and let the worker end; its result is not wanted any more.
        self.tx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails on the third frame.
    struct Flaky(u64);
    impl FrameSink for Flaky {
        fn write_frame(&mut self, _: &RgbImage) -> Result<()> {
            self.0 += 1;
            if self.0 == 3 {
                return Err(RenderError::InvalidParameter { name: "frame", reason: "third".into() });
            }
            Ok(())
        }
        fn frames_written(&self) -> u64 {
            self.0
        }
    }

    #[test]
    fn every_frame_reaches_the_sink_in_order() {
        struct Log(Vec<u8>);
        impl FrameSink for Log {
            fn write_frame(&mut self, f: &RgbImage) -> Result<()> {
                self.0.push(f.get_pixel(0, 0).0[0]);
                Ok(())
            }
            fn frames_written(&self) -> u64 {
                self.0.len() as u64
            }
        }
        let mut s = ThreadedSink::spawn(1, || Ok(Log(Vec::new())), |l| Ok(l.0)).unwrap();
        for k in 0..50u8 {
            s.write(RgbImage::from_pixel(2, 2, image::Rgb([k, 0, 0]))).unwrap();
        }
        assert_eq!(s.frames_sent(), 50);
        assert_eq!(s.finish().unwrap(), (0..50).collect::<Vec<u8>>());
    }

    #[test]
    fn a_sink_error_is_returned_not_lost() {
        let mut s = ThreadedSink::spawn(1, || Ok(Flaky(0)), |f| Ok(f.0)).unwrap();
        let mut err = None;
        for _ in 0..20 {
            if let Err(e) = s.write(RgbImage::new(2, 2)) {
                err = Some(e);
                break;
            }
        }
        match err {
            Some(e) => assert!(e.to_string().contains("third"), "{e}"),
            // All 20 fitted in before the worker failed: finish reports it.
            None => assert!(s.finish().unwrap_err().to_string().contains("third")),
        }
        // A failing constructor: finish gives its error.
        let s = ThreadedSink::<u64>::spawn(
            1,
            || Err::<Flaky, _>(RenderError::InvalidParameter { name: "path", reason: "nope".into() }),
            |f| Ok(f.0),
        )
        .unwrap();
        assert!(s.finish().unwrap_err().to_string().contains("nope"));
        // A panicking sink: a Worker error.
        let s = ThreadedSink::<u64>::spawn(1, || Ok(Flaky(0)), |_| panic!("boom")).unwrap();
        match s.finish() {
            Err(RenderError::Worker { reason, .. }) => assert!(reason.contains("boom"), "{reason}"),
            other => panic!("{:?}", other.map(|_| ())),
        }
    }
}
