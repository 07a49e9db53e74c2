#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz.samples.ball");
    let _ = touchline_io::hawkeye::parse(data, path);
    let _ = touchline_io::hawkeye::parse_meta(data, path);
});
