//! cargo-fuzz target: SkillCorner v3 JSONL frames and match JSON must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use touchline_io::skillcorner::{self, Meta};

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.jsonl");
    let _ = skillcorner::parse(data, &Meta::default(), path);
    let _ = Meta::parse(data, Path::new("fuzz_match.json"));
});
