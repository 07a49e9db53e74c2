//! Metrica CSV: one team's file on its own, and the input split in two as a
//! home + away pair.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use touchline_io::metrica;

fuzz_target!(|data: &[u8]| {
    let _ = metrica::parse_csv_team(data, Path::new("fuzz_home.csv"));
    let mid = data.len() / 2;
    let (home, away) = data.split_at(mid);
    let _ = metrica::parse_csv(
        home,
        Path::new("fuzz_home.csv"),
        away,
        Path::new("fuzz_away.csv"),
        metrica::DEFAULT_PITCH,
    );
    let head = String::from_utf8_lossy(data);
    let _ = metrica::sniff_csv(Path::new("fuzz.csv"), &head);
});
