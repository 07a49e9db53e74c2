//! cargo-fuzz target: Sportec/DFL positional and match-information XML through
//! `sportec::parse` and `sportec::parse_meta`.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use touchline_io::sportec::{self, SportecMeta};

fuzz_target!(|data: &[u8]| {
    let _ = sportec::parse(data, &SportecMeta::default(), Path::new("fuzz_positional.xml"));
    let _ = sportec::parse_meta(data, Path::new("fuzz_meta.xml"));
});
