//! cargo-fuzz target: touchline-track's track JSON; whatever parses must write and read back equal.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = touchline_track::read_tracks_json(data) {
        let mut out = Vec::new();
        touchline_track::write_tracks_json(&mut out, &t).expect("write parsed tracks");
        let back = touchline_track::read_tracks_json(out.as_slice()).expect("read written tracks");
        assert_eq!(back, t);
    }
});
