//! cargo-fuzz target: TRACAB raw JSON parser with a fixed two-period meta.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use touchline_io::tracab::{Meta, MetaPeriod};

fn meta() -> Meta {
    Meta {
        frame_rate: 25.0,
        pitch: None,
        periods: vec![
            MetaPeriod { id: 1, start_frame: 0, end_frame: 1000, home_gk_left: Some(false) },
            MetaPeriod { id: 2, start_frame: 2000, end_frame: 3000, home_gk_left: Some(true) },
        ],
        home: Vec::new(),
        away: Vec::new(),
        officials: Vec::new(),
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = touchline_io::tracab::parse_raw_json(data, &meta(), Path::new("fuzz.json"));
});
