//! cargo-fuzz target: replay files (Touchline detections JSON and COCO results); whatever
//! parses must write and read back to the same detections.
#![no_main]

use libfuzzer_sys::fuzz_target;
use touchline_detect::{CocoOptions, ReplayDetector, write_touchline_json};

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz.json");
    let parsed = [
        ReplayDetector::from_touchline_json(data, path),
        ReplayDetector::from_coco_json(data, path, &CocoOptions::default()),
    ];
    for r in parsed.into_iter().flatten() {
        let mut out = Vec::new();
        write_touchline_json(r.frames().iter().map(|(f, d)| (*f, d)), &mut out).expect("valid detections write");
        let back = ReplayDetector::from_touchline_json(&out, path).expect("written file reads back");
        assert_eq!(back.frames(), r.frames());
    }
});
