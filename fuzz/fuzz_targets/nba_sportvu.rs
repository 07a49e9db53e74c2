//! cargo-fuzz target: NBA SportVU scene text (SocialVAE packaging).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = touchline_io::nba::parse(data, 1, std::path::Path::new("fuzz.txt"));
});
