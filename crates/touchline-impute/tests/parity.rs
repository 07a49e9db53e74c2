//! Parity with scipy (and GSL's Steffen formulas) on fixed inputs.
//! Fixture made by `benches/python/make_interp_fixtures.py` (command inside the JSON).

use serde_json::Value;
use touchline_impute::interp::{Kind, interpolate};

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
}

#[test]
fn matches_reference_libraries_to_1e9() {
    let text = include_str!("fixtures/interp_parity.json");
    let root: Value = serde_json::from_str(text).expect("fixture parses");
    assert!(root["command"].as_str().is_some_and(|c| c.contains("make_interp_fixtures.py")));
    let mut worst: Vec<(Kind, f64, usize)> = Kind::ALL.iter().map(|&k| (k, 0.0, 0)).collect();
    for case in root["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let (t, y, x) = (floats(&case["t"]), floats(&case["y"]), floats(&case["x"]));
        for (kind, max, n) in worst.iter_mut() {
            let Some(exp) = case["expected"].get(kind.name()) else { continue };
            let exp = floats(exp);
            let got = interpolate(*kind, &t, &y, &x).expect("valid knots");
            for (i, (g, e)) in got.iter().zip(&exp).enumerate() {
                let diff = (g - e).abs();
                assert!(diff <= 1e-9, "{name} {kind}: x = {} got {g}, expected {e} (diff {diff:e})", x[i]);
                *max = max.max(diff);
            }
            *n += 1;
        }
    }
    for (kind, max, n) in &worst {
        println!("parity {kind:>18}: {n} cases, max abs diff {max:e}");
        assert!(*n >= 6, "{kind} compared on only {n} cases");
    }
}
