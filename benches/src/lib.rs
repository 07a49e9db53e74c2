//! Shared pieces of Touchline's benchmarks: the provider sample files, by
//! the names the Python reference script (`benches/python/io_reference.py`)
//! uses, so both sides time the same files.

use std::path::PathBuf;

/// `../shared/data` seen from the workspace root.
pub fn shared_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")
}

/// `(name, main file)` of every provider sample timed side by side.
pub fn io_cases() -> Vec<(&'static str, PathBuf)> {
    let s = shared_data();
    let k = s.join("kloppy_samples");
    vec![
        ("databallpy_wide_csv", s.join("tracab_databallpy/tracking_wide.csv")),
        ("tracab_dat", k.join("tracab/tracab_raw.dat")),
        ("tracab_json", k.join("tracab/tracab_raw.json")),
        ("metrica_csv", k.join("metrica/metrica_home.csv")),
        ("metrica_epts", k.join("metrica/epts_metrica_tracking.txt")),
        ("skillcorner_v3", k.join("skillcorner/skillcorner_v3_raw_data.jsonl")),
        ("pff_10517", k.join("pff/pff_10517.jsonl")),
        ("statsperform_ma25", k.join("statsperform/statsperform_tracking_ma25.txt")),
        ("sportec_xml", k.join("sportec_dfl/sportec_positional.xml")),
        ("signality", k.join("signality/signality_p1_raw_data_subset.json")),
        ("hawkeye_ball", k.join("hawkeye/hawkeye_1_1.football.samples.ball")),
    ]
}
