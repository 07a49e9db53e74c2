//! Malformed box trees that made the MP4 demuxer (re_mp4 0.5.1) loop forever or list billions
//! of samples: each is rebuilt from the DFL clip plus recorded byte edits and must give a typed
//! error, quickly.

mod common;
use common::{CLIPS, clip};
use std::sync::mpsc;
use std::time::Duration;
use touchline_core::FrameSource;
use touchline_decode::{DecodeError, Mp4Source};

/// The DFL clip with `edits` applied, cut to `cut` bytes.
fn edited(edits: &[(usize, u8)], cut: usize) -> Vec<u8> {
    let mut b = std::fs::read(clip(CLIPS[1].0)).unwrap();
    for &(k, v) in edits {
        b[k] = v;
    }
    b.truncate(cut);
    b
}

/// Opens `bytes` and decodes up to two frames on another thread; fails the test (instead of
/// hanging it) if that takes more than 10 s. Returns the opening error.
fn open_within_deadline(bytes: Vec<u8>) -> DecodeError {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let r = Mp4Source::from_bytes(bytes, "edited.mp4").map(|mut src| {
            for _ in 0..2 {
                if !matches!(src.next_frame(), Ok(Some(_))) {
                    break;
                }
            }
        });
        let _ = tx.send(r);
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(Err(e)) => e,
        Ok(Ok(())) => panic!("the edited clip opened; expected a box-tree error"),
        Err(_) => panic!("opening the edited clip did not finish within 10 s"),
    }
}

fn container(e: DecodeError) -> (u64, String) {
    match e {
        DecodeError::Container { path, byte, reason } => {
            assert_eq!(path.to_str(), Some("edited.mp4"));
            (byte, reason)
        }
        other => panic!("expected a Container error, got {other:?}"),
    }
}

#[test]
fn the_input_that_hung_ci_is_a_typed_error() {
    // Found by random header mutation (issue 5): 'stsd' (byte 410) grows from 145 to 185 bytes.
    // re_mp4 reads its first entry, then the next 'stbl' child header at byte 595, inside 'stsc',
    // where it declares 0 bytes, and seeks back to that header for ever. Our walk of the box
    // tree stops earlier: 'stsd' now swallows 'stts' and half of 'stsc' (byte 587).
    // (The second edit is inside the 'stsz' sizes and harmless.)
    let (byte, reason) = container(open_within_deadline(edited(&[(413, 185), (862, 77)], 1671)));
    assert_eq!(byte, 587, "{reason}");
    assert!(reason.contains("'stsc'") && reason.contains("past the end of its parent 'stsd'"), "{reason}");
}

#[test]
fn a_zero_size_box_inside_moov_is_a_typed_error() {
    // One byte: 'vmhd' (byte 346, 20 bytes) declares 0 bytes; re_mp4 alone loops on it (as on
    // 0 in the size of 'mvhd', 'tkhd' or 'mdhd'). Whole clip, not just its head.
    let len = std::fs::metadata(clip(CLIPS[1].0)).unwrap().len() as usize;
    let (byte, reason) = container(open_within_deadline(edited(&[(349, 0)], len)));
    assert_eq!(byte, 346, "{reason}");
    assert!(reason.contains("'vmhd' in 'minf'") && reason.contains("size of 0 bytes"), "{reason}");
}

#[test]
fn a_box_overrunning_its_parent_is_a_typed_error() {
    // 'mvhd' (byte 56) declares 108 + 0x100 * 0x40 bytes: past the end of 'moov'.
    let (byte, reason) = container(open_within_deadline(edited(&[(58, 0x40)], 2048)));
    assert_eq!(byte, 56, "{reason}");
    assert!(reason.contains("'mvhd'") && reason.contains("parent 'moov'"), "{reason}");
}

#[test]
fn a_shrunken_box_that_leads_into_stray_bytes_is_a_typed_error() {
    // 'mvhd' declares 13 bytes instead of 108 (an edit from the random search; re_mp4 alone
    // loops on it): the walk then
    // reads box headers from inside mvhd's fields and ends with a few stray bytes or a bad size.
    let (byte, reason) = container(open_within_deadline(edited(&[(59, 13)], 2048)));
    assert!((56..164).contains(&byte), "byte {byte}: {reason}");
}

#[test]
fn a_fixed_sample_size_with_billions_of_samples_is_a_typed_error() {
    // 'stsz' (byte 615): sample_size 0 -> 1, sample_count 169 -> 0xFF0000A9.
    let (byte, reason) = container(open_within_deadline(edited(&[(630, 1), (631, 0xFF)], 2048)));
    assert_eq!(byte, 615, "{reason}");
    assert!(reason.contains("4278190249 samples of 1 bytes"), "{reason}");
}
