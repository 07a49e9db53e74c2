//! Y4M: round trips through our writer and through ffmpeg, every chroma layout,
//! malformed headers and truncated frames.

mod common;
use common::{CLIPS, clip, ffmpeg, ffmpeg_frame, psnr, temp_dir};
use image::{Rgb, RgbImage};
use touchline_core::FrameSource;
use touchline_decode::{Backend, Chroma, DecodeError, Y4mSource, Y4mWriter};

/// A smooth synthetic picture (gradients and a soft blob), odd-sized.
fn picture(w: u32, h: u32, phase: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f64 / w as f64, y as f64 / h as f64);
        let blob = (-((fx - 0.5).powi(2) + (fy - 0.4).powi(2)) * 20.0).exp();
        Rgb([
            (40.0 + 180.0 * fx) as u8,
            (30.0 + 150.0 * fy + phase as f64) as u8,
            (60.0 + 150.0 * blob) as u8,
        ])
    })
}

#[test]
fn writer_round_trip_keeps_frames_times_and_pixels() {
    let (w, h) = (67, 41);
    let mut wr = Y4mWriter::new(Vec::new(), w, h, 30000, 1001).unwrap();
    let frames: Vec<RgbImage> = (0..5).map(|i| picture(w, h, i * 10)).collect();
    for f in &frames {
        wr.write_frame(f).unwrap();
    }
    let bytes = wr.into_inner();
    let mut src = Y4mSource::from_bytes(bytes, "<round-trip>").unwrap();
    assert_eq!(src.header().chroma, Chroma::C420);
    assert!((src.frame_rate().unwrap() - 29.97).abs() < 1e-3);
    for (i, want) in frames.iter().enumerate() {
        let f = src.next_frame().unwrap().unwrap();
        assert_eq!(f.index, i);
        assert!((f.timestamp - i as f64 * 1001.0 / 30000.0).abs() < 1e-12);
        let q = psnr(f.image.as_raw(), want.as_raw());
        assert!(q > 35.0, "frame {i}: {q:.1} dB");
    }
    assert!(src.next_frame().unwrap().is_none());
    assert!(src.next_frame().unwrap().is_none());
    // Wrong-size frames are refused.
    let mut wr = Y4mWriter::new(Vec::new(), 4, 4, 25, 1).unwrap();
    assert!(wr.write_frame(&RgbImage::new(4, 5)).is_err());
    assert!(Y4mWriter::new(Vec::new(), 0, 4, 25, 1).is_err());
}

#[test]
fn ffmpeg_y4m_of_a_clip_frame_matches_ffmpeg_rgb() {
    // ffmpeg writes frame 20 of the penalty clip as Y4M (4:2:0); we read it and compare
    // with ffmpeg's own RGB of that frame.
    let (name, _, w, h, _) = CLIPS[0];
    let path = clip(name);
    let dir = temp_dir("ffmpeg-y4m");
    let y4m = dir.join("frame20.y4m");
    let st = ffmpeg()
        .arg("-i")
        .arg(&path)
        .args(["-vf", "select=eq(n\\,20)", "-vsync", "0", "-frames:v", "1", "-pix_fmt", "yuv420p"])
        .arg(&y4m)
        .status()
        .unwrap();
    assert!(st.success());
    assert_eq!(touchline_decode::detect(&y4m).unwrap(), Backend::Y4m);
    let info = touchline_decode::probe(&y4m).unwrap();
    assert_eq!((info.width, info.height, info.frame_count), (w, h, Some(1)));
    let mut src = touchline_decode::open(&y4m).unwrap();
    let f = src.next_frame().unwrap().unwrap();
    assert_eq!(f.size(), (w, h));
    let q = psnr(f.image.as_raw(), &ffmpeg_frame(&path, 20, w, h));
    assert!(q > 35.0, "{q:.1} dB");
    assert!(src.next_frame().unwrap().is_none());
}

#[test]
fn every_chroma_layout_and_full_range() {
    // 3x2 frames, luma 16..=235 limited range -> 0..=255.
    let cases: [(&str, Vec<u8>, [u8; 3]); 5] = [
        ("C420jpeg", [vec![235; 6], vec![128; 2], vec![128; 2]].concat(), [255, 255, 255]),
        ("C422", [vec![16; 6], vec![128; 4], vec![128; 4]].concat(), [0, 0, 0]),
        // Pure red in BT.601 limited range: Y 81, Cb 90, Cr 240.
        ("C444", [vec![81; 6], vec![90; 6], vec![240; 6]].concat(), [255, 0, 0]),
        ("Cmono", vec![126; 6], [128, 128, 128]),
        ("C420 XCOLORRANGE=FULL", [vec![200; 6], vec![128; 2], vec![128; 2]].concat(), [200, 200, 200]),
    ];
    for (tag, data, rgb) in cases {
        let mut bytes = format!("YUV4MPEG2 W3 H2 F25:1 {tag}\nFRAME\n").into_bytes();
        bytes.extend(&data);
        let mut src = Y4mSource::from_bytes(bytes, tag).unwrap();
        let f = src.next_frame().unwrap().unwrap();
        for p in f.image.pixels() {
            assert!(p.0.iter().zip(rgb).all(|(&a, b)| a.abs_diff(b) <= 1), "{tag}: {:?} vs {rgb:?}", p.0);
        }
        assert!(src.next_frame().unwrap().is_none(), "{tag}");
    }
}

#[test]
fn malformed_headers_name_the_byte() {
    let cases: [(&[u8], Option<u64>, &str); 11] = [
        (b"", Some(0), "empty"),
        (b"YUV4MPEG2 W4 H4", Some(15), "ends inside the header"),
        (b"YUV4MPEG2 W4 H4 F25:1 C420p10\n", Some(22), "not supported"),
        (b"YUV4MPEG2 W0 H4 F25:1\n", Some(10), "width"),
        (b"YUV4MPEG2 W4 H-4 F25:1\n", Some(13), "height"),
        (b"YUV4MPEG2 W4 H4 F25:0\n", Some(16), "frame rate"),
        (b"YUV4MPEG2 W4 H4 F25\n", Some(16), "frame rate"),
        (b"YUV4MPEG2 W4 H4\n", Some(15), "no frame rate"),
        (b"YUV4MPEG2 H4 F1:1\n", Some(17), "no width"),
        (b"YUV4MPEG2 W4 H4 F1:1 Q7\n", Some(21), "parameter"),
        (b"YUV4MPEG2 W99999 H99999 F1:1\n", Some(0), "larger than"),
    ];
    for (bytes, byte, what) in cases {
        let e = Y4mSource::from_bytes(bytes.to_vec(), "<hdr>").unwrap_err();
        match &e {
            DecodeError::Y4mHeader { byte: b, reason, .. } => {
                assert_eq!(Some(*b), byte, "{:?}: {reason}", String::from_utf8_lossy(bytes));
                assert!(reason.contains(what), "{:?}: {reason}", String::from_utf8_lossy(bytes));
            }
            other => panic!("{:?}: expected Y4mHeader, got {other:?}", String::from_utf8_lossy(bytes)),
        }
        assert!(e.to_string().contains("<hdr>"));
    }
    let e = Y4mSource::from_bytes(b"RIFF....".to_vec(), "<x>").unwrap_err();
    assert!(matches!(e, DecodeError::UnknownFormat { .. }), "{e:?}");
    let long = [b"YUV4MPEG2 ".as_slice(), &[b'X'; 5000]].concat();
    assert!(matches!(
        Y4mSource::from_bytes(long, "<x>").unwrap_err(),
        DecodeError::Y4mHeader { byte: 0, .. }
    ));
}

#[test]
fn truncated_and_bad_frames_name_frame_and_byte() {
    let header = b"YUV4MPEG2 W4 H2 F25:1\n"; // 22 bytes; a frame is 6 + 12 bytes
    let frame = [b"FRAME\n".as_slice(), &[128u8; 12]].concat();
    // Second frame cut after 5 pixel bytes.
    let bytes = [header.as_slice(), &frame, &frame[..11]].concat();
    let mut src = Y4mSource::from_bytes(bytes, "<cut>").unwrap();
    assert!(src.next_frame().unwrap().is_some());
    match src.next_frame().unwrap_err() {
        DecodeError::Y4mFrame { frame, byte, reason, .. } => {
            assert_eq!(frame, 1);
            assert_eq!(byte, 22 + 18 + 11);
            assert!(reason.contains("5 of the frame's 12"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(src.next_frame().unwrap().is_none(), "a failed source stays finished");

    let bytes = [header.as_slice(), &frame, b"FRAMX\n", &[0; 12]].concat();
    let mut src = Y4mSource::from_bytes(bytes, "<bad>").unwrap();
    src.next_frame().unwrap();
    match src.next_frame().unwrap_err() {
        DecodeError::Y4mFrame { frame: 1, byte: 40, reason, .. } => {
            assert!(reason.contains("FRAME"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // Frame headers may carry parameters.
    let bytes = [header.as_slice(), b"FRAME Ixyz\n", &[128; 12]].concat();
    assert!(Y4mSource::from_bytes(bytes, "<p>").unwrap().next_frame().unwrap().is_some());
    // Header cut inside a frame header.
    let bytes = [header.as_slice(), b"FRA"].concat();
    let e = Y4mSource::from_bytes(bytes, "<p>").unwrap().next_frame().unwrap_err();
    assert!(matches!(e, DecodeError::Y4mFrame { frame: 0, byte: 22, .. }), "{e:?}");
}

#[test]
fn y4m_file_through_open_with_count_hint() {
    let dir = temp_dir("y4m-file");
    let p = dir.join("clip.y4m");
    let mut wr = Y4mWriter::new(Vec::new(), 8, 6, 50, 1).unwrap();
    for i in 0..7 {
        wr.write_frame(&picture(8, 6, i)).unwrap();
    }
    std::fs::write(&p, wr.into_inner()).unwrap();
    let info = touchline_decode::probe(&p).unwrap();
    assert_eq!((info.frame_count, info.fps, info.duration_s), (Some(7), Some(50.0), Some(7.0 / 50.0)));
    let mut src = touchline_decode::open(&p).unwrap();
    assert_eq!(src.backend(), Backend::Y4m);
    let mut n = 0;
    while let Some(f) = src.next_frame().unwrap() {
        assert_eq!(f.timestamp, n as f64 / 50.0);
        n += 1;
    }
    assert_eq!(n, 7);
}
