//! `touchline bench-impute` end to end on TRACAB: a small run, outputs
//! parse, masks saved and reused give the same numbers, bad arguments exit 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TRACAB: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/tracab_databallpy/tracking_wide.csv");

fn touchline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_touchline")).args(args).output().expect("run touchline")
}

fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("touchline-bench-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn small_run_writes_parseable_outputs_and_masks_repeat_exactly() {
    assert!(Path::new(TRACAB).exists(), "missing test asset {TRACAB}");
    let d = tmp_dir("run");
    let (md, csv, json, masks, wins) =
        (d.join("r.md"), d.join("r.csv"), d.join("r.json"), d.join("m.json"), d.join("w.json"));
    let common = ["--window", "100", "--seeds", "2", "--methods", "linear,ffill,steffen,dase"];
    let mut args = vec!["bench-impute", "--data", TRACAB, "--mask", "playerwise", "--rate", "0.3"];
    args.extend(common);
    args.extend(["--out", s(&md), "--out", s(&csv), "--out", s(&json), "--masks-out", s(&masks)]);
    args.extend(["--dump-windows", s(&wins)]);
    let o = touchline(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["mask"], "playerwise");
    let methods = v["methods"].as_array().unwrap();
    assert_eq!(methods.len(), 4);
    let pe = |v: &serde_json::Value, i: usize, seed: usize| {
        v["methods"][i]["seeds"][seed]["players"]["pe"].as_f64().unwrap()
    };
    for i in 0..4 {
        assert!(pe(&v, i, 0).is_finite() && pe(&v, i, 0) > 0.0);
    }
    assert!(pe(&v, 0, 0) < pe(&v, 1, 0), "linear beats ffill");
    assert_eq!(v["methods"][3]["fitted"], true);
    let (n_train, n_test) = (v["n_train"].as_u64().unwrap(), v["n_test"].as_u64().unwrap());
    assert!(n_train > 0 && n_test > 0);
    assert!((v["missing_rate"][0].as_f64().unwrap() - 0.3).abs() < 0.01);

    // CSV: header + per method (2 seeds + mean + std) rows, same column count everywhere
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 1 + 4 * 4);
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));
    assert_eq!(rows[1][0], "linear");
    let md_text = std::fs::read_to_string(&md).unwrap();
    assert!(md_text.contains("| dase (fit on train) |") && md_text.contains("70% by time"));
    let w: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&wins).unwrap()).unwrap();
    assert_eq!(w["n_train"].as_u64(), Some(n_train));

    // the same masks again: identical errors
    let json2 = d.join("r2.json");
    let mut args = vec!["bench-impute", "--data", TRACAB, "--mask", "playerwise", "--masks-in", s(&masks)];
    args.extend(common);
    args.extend(["--out", s(&json2)]);
    let o = touchline(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v2: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json2).unwrap()).unwrap();
    for i in 0..4 {
        for seed in 0..2 {
            assert_eq!(pe(&v, i, seed), pe(&v2, i, seed));
        }
    }
    // masks made for other windows are refused
    let o = touchline(&[
        "bench-impute",
        "--data",
        TRACAB,
        "--mask",
        "playerwise",
        "--masks-in",
        s(&masks),
        "--window",
        "50",
        "--methods",
        "linear",
        "--out",
        s(&json2),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("m.json"));
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn bad_arguments_exit_2_and_say_why() {
    let d = tmp_dir("bad");
    let out = d.join("r.md");
    let cases: [(&[&str], &str); 6] = [
        (&["--mask", "nope"], "unknown mask"),
        (&["--rate", "1.5"], "--rate"),
        (&["--hz", "-3"], "--hz"),
        (&["--methods", "linear,magic"], "magic"),
        (&["--mask", "visibility"], "--visibility-from"),
        (&["--window", "100000"], "no window"),
    ];
    for (extra, want) in cases {
        let mut args = vec!["bench-impute", "--data", TRACAB, "--out", s(&out)];
        args.extend_from_slice(extra);
        let o = touchline(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        assert!(err.contains(want), "{extra:?}: {err}");
    }
    let o = touchline(&["bench-impute", "--data", "/no/such/file.csv", "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/no/such/file.csv"));
    let o = touchline(&["bench-impute", "--data", TRACAB, "--out", s(&d.join("r.txt"))]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&d).ok();
}
