//! cargo-fuzz target: MP4 opening (box walk, re_mp4 demuxing, avcC) and the first pictures
//! through OpenH264, from touchline-decode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use touchline_decode::{FrameSource, Mp4Source};

fuzz_target!(|data: &[u8]| {
    if let Ok(mut src) = Mp4Source::from_bytes(data.to_vec(), "fuzz.mp4") {
        for _ in 0..4 {
            if !matches!(src.next_frame(), Ok(Some(_))) {
                break;
            }
        }
    }
});
