//! cargo-fuzz target: Touchline's long CSV; whatever parses must write and read back.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz.csv");
    if let Ok(d) = touchline_io::long::parse_csv(data, path) {
        let mut out = Vec::new();
        if touchline_io::long::write_csv(&d, &mut out).is_ok() {
            let _ = touchline_io::long::parse_csv(&out, path);
        }
    }
});
