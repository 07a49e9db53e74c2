//! cargo-fuzz target: Stats Perform MA1 metadata (JSON or XML) through `statsperform::parse_ma1`.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use touchline_io::statsperform;

fuzz_target!(|data: &[u8]| {
    let _ = statsperform::parse_ma1(data, Path::new("fuzz_ma1"));
});
