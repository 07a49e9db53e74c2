//! The Sampler over synthetic and real sources.

mod common;
use common::{CLIPS, clip};
use image::RgbImage;
use touchline_core::{Frame, FrameSource};
use touchline_decode::{DecodeError, FrameSourceExt, Sampler, Sampling};

/// `n` frames at `fps`, 8x6 pixels, counting how many were read.
#[derive(Debug)]
struct Synth {
    n: usize,
    fps: f64,
    read: usize,
}

impl FrameSource for Synth {
    type Error = std::convert::Infallible;
    fn next_frame(&mut self) -> Result<Option<Frame>, Self::Error> {
        if self.read == self.n {
            return Ok(None);
        }
        let i = self.read;
        self.read += 1;
        Ok(Some(Frame::new(i, i as f64 / self.fps, RgbImage::new(8, 6))))
    }
    fn frame_rate(&self) -> Option<f64> {
        Some(self.fps)
    }
    fn frame_count_hint(&self) -> Option<usize> {
        Some(self.n)
    }
}

fn kept(n: usize, fps: f64, s: Sampling) -> (Vec<usize>, usize) {
    let mut src = Synth { n, fps, read: 0 }.sample(s).unwrap();
    let mut out = vec![];
    while let Some(f) = src.next_frame().unwrap() {
        out.push(f.index);
    }
    (out, src.into_inner().read)
}

#[test]
fn stride_and_frame_range() {
    assert_eq!(kept(10, 25.0, Sampling::new()).0, (0..10).collect::<Vec<_>>());
    assert_eq!(kept(10, 25.0, Sampling::new().every(3)).0, [0, 3, 6, 9]);
    assert_eq!(kept(20, 25.0, Sampling::new().every(4).start_frame(5).end_frame(15)).0, [5, 9, 13]);
    // Reading stops at the end bound: frame 15 is read to see it is past the end, no more.
    assert_eq!(kept(100, 25.0, Sampling::new().start_frame(5).end_frame(15)).1, 16);
    let s = Synth { n: 20, fps: 25.0, read: 0 }
        .sample(Sampling::new().every(4).start_frame(5).end_frame(15))
        .unwrap();
    assert_eq!((s.frame_count_hint(), s.frame_rate()), (Some(3), Some(6.25)));
}

#[test]
fn time_step_and_time_range() {
    // 30 fps, one frame per 0.1 s: every third frame, no drift over 10 s.
    let (k, _) = kept(300, 30.0, Sampling::new().every_seconds(0.1));
    assert_eq!(k, (0..300).step_by(3).collect::<Vec<_>>());
    // 25 fps, 0.1 s: the first frame at or after each 0.1 s mark (0.12, 0.2, 0.32, 0.4 ...).
    assert_eq!(kept(20, 25.0, Sampling::new().every_seconds(0.1)).0, [0, 3, 5, 8, 10, 13, 15, 18]);
    // A step shorter than the frame spacing keeps every frame once.
    assert_eq!(kept(5, 25.0, Sampling::new().every_seconds(0.001)).0, [0, 1, 2, 3, 4]);
    // Time range: start inclusive, end exclusive.
    assert_eq!(kept(100, 10.0, Sampling::new().start_time(1.0).end_time(1.5)).0, [10, 11, 12, 13, 14]);
    assert_eq!(
        kept(100, 10.0, Sampling::new().every_seconds(0.25).start_time(2.0).end_time(3.0)).0,
        [20, 23, 25, 28]
    );
}

#[test]
fn invalid_options_are_refused() {
    for s in [
        Sampling::new().every(0),
        Sampling::new().every_seconds(0.0),
        Sampling::new().every_seconds(f64::NAN),
        Sampling::new().start_time(-1.0),
        Sampling::new().end_time(f64::INFINITY),
        Sampling::new().start_frame(5).end_frame(5),
        Sampling::new().start_time(2.0).end_time(1.0),
        Sampling::new().resize(0, 10),
    ] {
        let e = Sampler::new(Synth { n: 1, fps: 1.0, read: 0 }, s.clone()).unwrap_err();
        assert!(matches!(e, DecodeError::InvalidParameter { .. }), "{s:?}: {e:?}");
    }
}

#[test]
fn real_clip_time_step_range_and_resize() {
    // DFL clip, 25 fps: 0.5 s steps from 2.0 s to 4.0 s, resized to 424x239.
    let src = touchline_decode::open(clip(CLIPS[1].0)).unwrap();
    let s = Sampling::new().every_seconds(0.5).start_time(2.0).end_time(4.0).resize(424, 239);
    let mut src = src.sample(s).unwrap();
    let mut got = vec![];
    while let Some(f) = src.next_frame().unwrap() {
        assert_eq!(f.size(), (424, 239));
        got.push((f.index, (f.timestamp * 1000.0).round() as i64));
    }
    assert_eq!(got, [(50, 2000), (63, 2520), (75, 3000), (88, 3520)]);
}
