//! Random and mutated bytes into the Y4M parser and the MP4 opener: errors, never panics.

mod common;
use common::{CLIPS, clip};
use proptest::prelude::*;
use std::sync::OnceLock;
use touchline_core::FrameSource;
use touchline_decode::{Mp4Source, Y4mSource, Y4mWriter};

fn valid_y4m() -> &'static [u8] {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| {
        let mut w = Y4mWriter::new(Vec::new(), 5, 3, 25, 1).unwrap();
        for i in 0..3u8 {
            w.write_frame(&image::RgbImage::from_pixel(5, 3, image::Rgb([i * 40, 90, 200]))).unwrap();
        }
        w.into_inner()
    })
}

/// The first 2 KB of the DFL clip: ftyp + moov (its sample tables end at byte 1351) + some mdat.
fn mp4_head() -> &'static [u8] {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| std::fs::read(clip(CLIPS[1].0)).unwrap()[..2048].to_vec())
}

fn drain_y4m(bytes: Vec<u8>) {
    if let Ok(mut src) = Y4mSource::from_bytes(bytes, "<prop>") {
        for _ in 0..16 {
            match src.next_frame() {
                Ok(Some(f)) => assert_eq!(f.size(), (src.header().width, src.header().height)),
                Ok(None) | Err(_) => break,
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn y4m_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        drain_y4m(bytes);
    }

    #[test]
    fn y4m_random_bytes_after_the_signature(tail in proptest::collection::vec(any::<u8>(), 0..300)) {
        drain_y4m([b"YUV4MPEG2 W3 H2 F25:1 ".as_slice(), &tail].concat());
    }

    #[test]
    fn y4m_mutated(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
                   cut in any::<prop::sample::Index>()) {
        let mut b = valid_y4m().to_vec();
        for (i, v) in edits { let k = i.index(b.len()); b[k] = v; }
        b.truncate(cut.index(b.len() + 1));
        drain_y4m(b);
    }

    #[test]
    fn mp4_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Mp4Source::from_bytes(bytes.clone(), "<prop>");
        let _ = Mp4Source::from_bytes([b"\0\0\0\x10ftypisom\0\0\0\0".as_slice(), &bytes].concat(), "<prop>");
    }
}

proptest! {
    // A case may start OpenH264 and decode two pictures, but most stop at the sample tables
    // (the pictures lie past the 2 KB head): 256 cases take well under a second.
    // Random seed again: a clean-clone CI run on 2026-11-23 hung here because re_mp4 loops for
    // ever on some mutated box trees (a child box of size 0, see tests/mp4_box_tree.rs); the box
    // tree is now checked before re_mp4 sees it. Six local runs of 2000 cases (about 0.5 s each)
    // and 42000 cases of a search driver with a 5 s watchdog per case found no hang.
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mp4_mutated_header(edits in proptest::collection::vec((0usize..1400, any::<u8>()), 1..6),
                          cut in 0usize..2048) {
        let mut b = mp4_head().to_vec();
        for (k, v) in edits { b[k] = v; }
        b.truncate(cut.max(8));
        if let Ok(mut src) = Mp4Source::from_bytes(b, "<prop>") {
            for _ in 0..2 {
                if !matches!(src.next_frame(), Ok(Some(_))) { break; }
            }
        }
    }
}
