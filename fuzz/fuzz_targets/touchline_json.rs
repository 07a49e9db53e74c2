//! cargo-fuzz target: Touchline JSON; whatever parses must write and read back.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz.json");
    if let Ok(d) = touchline_io::long::parse_json(data, path) {
        let mut out = Vec::new();
        if touchline_io::long::write_json(&d, &mut out).is_ok() {
            let _ = touchline_io::long::parse_json(&out, path);
        }
    }
});
