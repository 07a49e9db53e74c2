//! Truncated and garbage MP4 input: typed errors naming the file and the sample/byte.

mod common;
use common::{CLIPS, clip, temp_dir};
use touchline_core::FrameSource;
use touchline_decode::{DecodeError, Mp4Source};

#[test]
fn truncated_clip_with_moov_first_decodes_until_the_cut_then_names_the_sample() {
    // The DFL clip stores its sample tables before the media data: the tables survive the cut.
    let src_path = clip(CLIPS[1].0);
    let bytes = std::fs::read(&src_path).unwrap();
    let cut = bytes.len() / 2;
    let dir = temp_dir("trunc-moov-first");
    let path = dir.join("cut.mp4");
    std::fs::write(&path, &bytes[..cut]).unwrap();

    let mut src = touchline_decode::open(&path).unwrap();
    assert_eq!(src.frame_count_hint(), Some(169));
    let mut decoded = 0;
    let err = loop {
        match src.next_frame() {
            Ok(Some(_)) => decoded += 1,
            Ok(None) => panic!("a truncated clip must not end cleanly"),
            Err(e) => break e,
        }
    };
    assert!(decoded > 20 && decoded < 169, "decoded {decoded}");
    match &err {
        DecodeError::Sample { path: p, sample, byte, .. } => {
            assert_eq!(p, &path);
            assert!(*sample >= decoded && *sample < 169, "sample {sample}");
            assert!(*byte < cut as u64, "byte {byte}");
        }
        other => panic!("expected a Sample error, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("cut.mp4") && msg.contains("truncated"), "{msg}");
}

#[test]
fn truncated_clip_with_moov_last_names_the_cut_box() {
    let bytes = std::fs::read(clip(CLIPS[0].0)).unwrap();
    let dir = temp_dir("trunc-moov-last");
    let path = dir.join("cut.mp4");
    std::fs::write(&path, &bytes[..bytes.len() * 3 / 4]).unwrap();
    let err = Mp4Source::open(&path).unwrap_err();
    match &err {
        DecodeError::Container { path: p, byte, reason } => {
            assert_eq!(p, &path);
            assert_eq!(*byte, 40, "the mdat box starts at byte 40: {reason}");
            assert!(reason.contains("mdat") && reason.contains("moov"), "{reason}");
        }
        other => panic!("expected a Container error, got {other:?}"),
    }
    assert!(touchline_decode::probe(&path).is_err());
}

#[test]
fn garbage_files_give_typed_errors() {
    let dir = temp_dir("garbage");
    // No signature, unknown extension: open() cannot tell what it is.
    let junk = dir.join("junk.bin");
    let noise: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&junk, &noise).unwrap();
    let e = touchline_decode::open(&junk).unwrap_err();
    assert!(matches!(e, DecodeError::UnknownFormat { .. }), "{e:?}");
    assert!(e.to_string().contains("junk.bin"), "{e}");

    // .mp4 extension, no ftyp box.
    let fake = dir.join("fake.mp4");
    std::fs::write(&fake, &noise).unwrap();
    let e = touchline_decode::open(&fake).unwrap_err();
    assert!(matches!(e, DecodeError::UnknownFormat { .. }), "{e:?}");
    assert!(e.to_string().contains("ftyp"), "{e}");

    // An ftyp box followed by junk.
    let mut bad = b"\0\0\0\x14ftypisom\0\0\x02\0isom".to_vec();
    bad.extend_from_slice(&noise);
    let e = Mp4Source::from_bytes(bad, "<ftyp+junk>").unwrap_err();
    assert!(matches!(e, DecodeError::Container { .. }), "{e:?}");
    assert!(e.to_string().contains("<ftyp+junk>"), "{e}");

    // Empty file.
    let empty = dir.join("empty.mp4");
    std::fs::write(&empty, b"").unwrap();
    assert!(touchline_decode::open(&empty).is_err());

    // A missing file names the path.
    let e = touchline_decode::open(dir.join("nope.mp4")).unwrap_err();
    assert!(matches!(e, DecodeError::Io { .. }) && e.to_string().contains("nope.mp4"), "{e}");
}

#[test]
fn corrupted_sample_bytes_never_panic() {
    // Overwrite the media data of the DFL clip (moov first, mdat from byte 1351) with noise:
    // each sample either decodes (OpenH264 conceals) or fails with a typed error naming it.
    let mut bytes = std::fs::read(clip(CLIPS[1].0)).unwrap();
    for (i, b) in bytes.iter_mut().enumerate().skip(20_000).take(40_000) {
        *b = (i.wrapping_mul(40_503) >> 7) as u8;
    }
    let mut src = Mp4Source::from_bytes(bytes, "<noisy>").unwrap();
    let mut n = 0;
    while n < 40 {
        match src.next_frame() {
            Ok(Some(_)) => n += 1,
            Ok(None) => break,
            Err(e) => {
                assert!(
                    matches!(e, DecodeError::H264 { .. } | DecodeError::Sample { .. }),
                    "unexpected error {e:?}"
                );
                break;
            }
        }
    }
}
