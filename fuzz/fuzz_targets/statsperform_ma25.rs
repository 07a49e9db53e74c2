//! cargo-fuzz target: Stats Perform MA25 text through `statsperform::parse_ma25`.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use touchline_io::statsperform::{self, Ma1Meta};

fuzz_target!(|data: &[u8]| {
    let _ = statsperform::parse_ma25(data, &Ma1Meta::default(), Path::new("fuzz_ma25.txt"));
});
