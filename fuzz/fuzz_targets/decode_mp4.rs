//! cargo-fuzz target: MP4 opening (box walk, re_mp4 demuxing, avcC) and the first pictures
//! through OpenH264, from touchline-decode.
//!
//! `Mp4Source` runs the third-party demuxer re_mp4 under `catch_unwind` and turns its panics
//! (index and overflow panics in its sample-table walk) into `DecodeError::Container`.
//! libFuzzer's panic hook would abort on those caught panics too, so this target lets panics
//! located in re_mp4's sources unwind (to be caught and checked below) and aborts on all others.
#![no_main]

use libfuzzer_sys::fuzz_target;
use touchline_decode::{FrameSource, Mp4Source};

fuzz_target!(
    init: {
        let abort_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_re_mp4 = info.location().is_some_and(|l| l.file().contains("/re_mp4-"));
            if !in_re_mp4 {
                abort_hook(info);
            }
        }));
    },
    |data: &[u8]| {
        match Mp4Source::from_bytes(data.to_vec(), "fuzz.mp4") {
            Ok(mut src) => {
                for _ in 0..4 {
                    if !matches!(src.next_frame(), Ok(Some(_))) {
                        break;
                    }
                }
            }
            Err(e) => assert!(e.to_string().contains("fuzz.mp4"), "error does not name the file: {e}"),
        }
    }
);
