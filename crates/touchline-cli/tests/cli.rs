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
        assert_eq!(v["imputed_entries"], 0);
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

fn shared(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(rel);
    assert!(p.exists(), "missing test asset {p:?}");
    p
}

/// `(file, format, frames, agents per team [home, away, ball, officials, unknown], Hz, pitch)`,
/// figures counted independently of our loaders (kloppy, python over the raw files).
#[allow(clippy::type_complexity)]
const PROVIDER_SAMPLES: &[(&str, &str, u64, [u64; 5], f64, Option<[f64; 2]>)] = &[
    ("tracab_databallpy/tracking_wide.csv", "databallpy", 9000, [11, 11, 1, 0, 0], 25.0, Some([104.9, 67.8])),
    ("kloppy_samples/tracab/tracab_raw.dat", "tracab", 7, [15, 15, 1, 3, 0], 25.0, Some([105.0, 68.0])),
    ("kloppy_samples/tracab/tracab_raw.json", "tracab", 7, [15, 15, 1, 0, 0], 25.0, Some([105.0, 68.0])),
    (
        "kloppy_samples/metrica/metrica_home.csv",
        "metrica-csv",
        6,
        [14, 14, 1, 0, 0],
        25.0,
        Some([105.0, 68.0]),
    ),
    (
        "kloppy_samples/metrica/epts_metrica_tracking.txt",
        "metrica-epts",
        100,
        [9, 10, 1, 0, 0],
        25.0,
        Some([105.0, 68.0]),
    ),
    (
        "kloppy_samples/skillcorner/skillcorner_v3_raw_data.jsonl",
        "skillcorner",
        27,
        [16, 15, 1, 0, 0],
        10.0,
        Some([105.0, 68.0]),
    ),
    ("kloppy_samples/pff/pff_10517.jsonl", "pff", 200, [17, 18, 1, 0, 0], 29.97, Some([105.0, 68.0])),
    (
        "kloppy_samples/statsperform/statsperform_tracking_ma25.txt",
        "statsperform",
        93,
        [12, 11, 1, 1, 0],
        10.0,
        Some([105.0, 68.0]),
    ),
    (
        "kloppy_samples/sportec_dfl/sportec_positional_w_referee.xml",
        "sportec",
        205,
        [1, 2, 1, 1, 0],
        25.0,
        Some([100.0, 68.0]),
    ),
    (
        "kloppy_samples/signality/signality_p1_raw_data_subset.json",
        "signality",
        10,
        [14, 13, 1, 3, 0],
        25.0,
        Some([104.82, 68.407]),
    ),
    (
        "kloppy_samples/hawkeye/hawkeye_1_1.football.samples.ball",
        "hawkeye",
        2969,
        [0, 0, 1, 0, 0],
        50.0,
        Some([104.0, 67.0]),
    ),
];

#[test]
fn info_reports_the_right_figures_for_every_provider_sample() {
    for &(rel, format, frames, teams, hz, pitch) in PROVIDER_SAMPLES {
        let v = info_json(&shared(rel), None);
        assert_eq!(v["format"], format, "{rel}");
        assert_eq!(v["frames"], frames, "{rel}");
        for (team, n) in ["home", "away", "ball", "officials", "unknown"].iter().zip(teams) {
            assert_eq!(v["agents_per_team"][team].as_u64().unwrap_or(0), n, "{rel}: {team}");
        }
        assert_eq!(v["agents"], teams.iter().sum::<u64>(), "{rel}");
        assert!((v["frame_rate_hz"].as_f64().unwrap() - hz).abs() < 1e-9, "{rel}: {}", v["frame_rate_hz"]);
        match pitch {
            Some([l, w]) => {
                assert!((v["pitch_m"][0].as_f64().unwrap() - l).abs() < 1e-9, "{rel}");
                assert!((v["pitch_m"][1].as_f64().unwrap() - w).abs() < 1e-9, "{rel}");
            }
            None => assert!(v["pitch_m"].is_null(), "{rel}"),
        }
        let per_agent = v["per_agent"].as_array().unwrap();
        assert_eq!(per_agent.len() as u64, teams.iter().sum::<u64>(), "{rel}");
        // the overall missing fraction is the mean of the per-agent ones
        let mean = per_agent.iter().map(|a| a["missing_fraction"].as_f64().unwrap()).sum::<f64>()
            / per_agent.len() as f64;
        assert!((mean - v["missing_fraction"].as_f64().unwrap()).abs() < 1e-12, "{rel}");
        // the same file with the format named explicitly gives the same summary
        assert_eq!(info_json(&shared(rel), Some(format)), v, "{rel}");
    }
}

#[test]
fn info_reports_provider_estimates_apart_from_observations() {
    // PFF 3812: 1235 player entries ESTIMATED, counted with python over the JSONL.
    let v = info_json(&shared("kloppy_samples/pff/pff_3812.jsonl"), None);
    assert_eq!(v["frames"], 100);
    assert_eq!(v["provider_estimates"], 1235);
    // SkillCorner v3: 78 player entries plus 2 ball entries with is_detected=false.
    let v = info_json(&shared("kloppy_samples/skillcorner/skillcorner_v3_raw_data.jsonl"), None);
    assert_eq!(v["provider_estimates"], 80);
}

#[test]
fn convert_writes_a_file_that_reads_back_the_same() {
    let dir = tmp_dir("convert");
    let src = shared("kloppy_samples/pff/pff_3812.jsonl");
    for ext in ["csv", "json"] {
        let out = dir.join(format!("pff.{ext}"));
        let r = touchline(&["convert", src.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        let a = info_json(&src, None);
        let b = info_json(&out, None);
        for k in
            ["frames", "agents", "agents_per_team", "missing_fraction", "periods", "pitch_m", "per_agent"]
        {
            assert_eq!(a[k], b[k], "{ext}: {k}");
        }
    }
    std::fs::remove_dir_all(dir).ok();
}
