//! Metrica EPTS metadata XML; when it parses, a few tracking lines built
//! from the tail of the input are read with it.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use touchline_io::metrica;

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(meta) = metrica::parse_epts_meta(xml, Path::new("fuzz_metadata.xml")) {
        let _ = metrica::parse_epts(
            b"1:0.5,0.5;0.1,0.2:0.3,0.4\n2:,;NaN,inf:0.5,0.5\n",
            &meta,
            Path::new("fuzz.txt"),
        );
    }
});
