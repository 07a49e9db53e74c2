//! cargo-fuzz target: Signality raw, metadata and venue JSON through `signality::parse_one`,
//! `signality::parse_meta` and `signality::parse_venue`.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use touchline_io::signality::{self, SignalityMeta};

fuzz_target!(|data: &[u8]| {
    let _ = signality::parse_one(data, &SignalityMeta::default(), Path::new("fuzz_raw.json"));
    let _ = signality::parse_meta(data, Path::new("fuzz_meta.json"));
    let _ = signality::parse_venue(data, Path::new("fuzz_venue.json"));
});
