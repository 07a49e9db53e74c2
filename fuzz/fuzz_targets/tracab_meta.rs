//! cargo-fuzz target: TRACAB meta parser (XML, flat XML or JSON); a parsed meta is then used on a
//! one-line `.dat`.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(meta) = touchline_io::tracab::parse_meta(data, Path::new("fuzz_meta")) {
        let raw = b"1000:1,1,7,100,-200,1.0;0,2,9,-50,30,0.5;:0,0,11,0.4,H,Alive;:\n";
        let _ = touchline_io::tracab::parse_dat(raw, &meta, Path::new("fuzz.dat"));
    }
});
