//! cargo-fuzz target: the Y4M parser (header, frame headers, pixel data) of touchline-decode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use touchline_decode::{FrameSource, Y4mSource};

fuzz_target!(|data: &[u8]| {
    if let Ok(mut src) = Y4mSource::from_bytes(data.to_vec(), "fuzz.y4m") {
        for _ in 0..64 {
            if !matches!(src.next_frame(), Ok(Some(_))) {
                break;
            }
        }
    }
});
