//! Steffen against GSL 2.7's own `gsl_interp_steffen` (fixture made by
//! `benches/python/make_steffen_gsl_fixture.py`, which compiles and runs
//! `benches/reference/gsl_steffen.c`).

use serde_json::Value;
use touchline_impute::interp::{Kind, interpolate};

#[test]
fn steffen_matches_gsl_itself() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/steffen_gsl.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).expect(path)).unwrap();
    let nums = |v: &Value| v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect::<Vec<f64>>();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 7);
    let mut worst = 0.0f64;
    for c in cases {
        let (t, y, x, want) = (nums(&c["t"]), nums(&c["y"]), nums(&c["x"]), nums(&c["steffen"]));
        assert!(!x.is_empty());
        let got = interpolate(Kind::Steffen, &t, &y, &x).unwrap();
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            let scale = w.abs().max(1.0);
            assert!((g - w).abs() <= 1e-9 * scale, "{}: x={} ours {g} GSL {w}", c["name"], x[i]);
            worst = worst.max((g - w).abs());
        }
    }
    eprintln!("max abs difference from GSL: {worst:e}");
}
