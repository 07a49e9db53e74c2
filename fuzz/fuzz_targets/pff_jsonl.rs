//! cargo-fuzz target: PFF JSONL frames, metadata and rosters must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use touchline_io::pff::{self, Meta};

fuzz_target!(|data: &[u8]| {
    let mut meta = Meta::with_frame_rate(29.97);
    meta.home_team_id = Some("1".into());
    meta.away_team_id = Some("2".into());
    let _ = meta.parse_rosters(data, Path::new("fuzz_rosters.json"));
    let _ = pff::parse(data, &meta, Path::new("fuzz.jsonl"));
    let _ = Meta::parse(data, Path::new("fuzz_metadata.json"));
});
