//! cargo-fuzz target: databallpy wide-CSV parser (and its metadata parser).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use touchline_io::databallpy::Meta;

fuzz_target!(|data: &[u8]| {
    let meta = Meta { frame_rate: 25.0, pitch: None, changed_direction: vec![2] };
    let _ = touchline_io::databallpy::parse(data, &meta, Path::new("fuzz.csv"));
    let _ = touchline_io::databallpy::parse_meta(data, Path::new("fuzz_metadata.json"));
    let _ = touchline_io::databallpy::sniff(Path::new("fuzz.csv"), &String::from_utf8_lossy(data));
});
