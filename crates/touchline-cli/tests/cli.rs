//! The `touchline` binary end to end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn touchline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_touchline")).args(args).output().expect("run touchline")
}

fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("touchline-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn info_json(path: &Path, format: Option<&str>) -> serde_json::Value {
    let p = path.to_str().unwrap();
    let mut args = vec!["info", p, "--json"];
    if let Some(f) = format {
        args.extend(["--format", f]);
    }
    let out = touchline(&args);
    assert!(out.status.success(), "info {p} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("info --json prints JSON")
}

#[test]
fn synth_then_info_round_trips_through_csv_and_json() {
    let dir = tmp_dir("synth");
    for ext in ["csv", "json"] {
        let f = dir.join(format!("m.{ext}"));
        let out = touchline(&[
            "synth",
            "--seconds",
            "4",
            "--hz",
            "25",
            "--seed",
            "1",
            "--out",
            f.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v = info_json(&f, None);
        assert_eq!(v["frames"], 100);
        assert_eq!(v["agents"], 23);
        assert_eq!(v["agents_per_team"]["home"], 11);
        assert_eq!(v["agents_per_team"]["ball"], 1);
        assert_eq!(v["missing_fraction"], 0.0);
        assert_eq!(v["pitch_m"][0], 105.0);
        assert!((v["frame_rate_hz"].as_f64().unwrap() - 25.0).abs() < 1e-9);
        assert!((v["duration_s"].as_f64().unwrap() - 4.0).abs() < 1e-9);
    }
    let table = touchline(&["info", dir.join("m.csv").to_str().unwrap()]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("frames      100") && text.contains("home_7"), "{text}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn unknown_format_name_is_a_clear_error() {
    let dir = tmp_dir("fmt");
    let f = dir.join("m.csv");
    assert!(touchline(&["synth", "--seconds", "1", "--out", f.to_str().unwrap()]).status.success());
    let out = touchline(&["info", f.to_str().unwrap(), "--format", "opta-magic"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown format \"opta-magic\"") && err.contains("tracab"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn unrecognised_and_missing_files_name_the_path() {
    let dir = tmp_dir("bad");
    let f = dir.join("notes.txt");
    std::fs::write(&f, "shopping list: eggs, milk\n").unwrap();
    let out = touchline(&["info", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("notes.txt") && err.contains("not a tracking format"), "{err}");

    let empty = dir.join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let out = touchline(&["info", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty.csv"));

    let out = touchline(&["info", "/definitely/not/here.dat"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/definitely/not/here.dat"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn formats_lists_every_provider() {
    let out = touchline(&["formats"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for f in [
        "tracab",
        "databallpy",
        "metrica-csv",
        "metrica-epts",
        "skillcorner",
        "pff",
        "statsperform",
        "sportec",
        "signality",
        "hawkeye",
        "nba",
        "csv",
        "json",
    ] {
        assert!(text.lines().any(|l| l == f), "{f} missing from {text}");
    }
}
