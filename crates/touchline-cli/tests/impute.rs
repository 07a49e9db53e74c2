//! `touchline impute` end to end: a synthetic match with punched gaps, every
//! method, bad arguments, and the PFF sample with its unobserved entries.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use touchline_core::{TrackingData, verify_observed_unchanged};

const METHODS: [&str; 10] = [
    "linear",
    "cubic-spline",
    "natural-spline",
    "steffen",
    "pchip",
    "akima",
    "makima",
    "kalman",
    "knn",
    "dase",
];

fn touchline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_touchline")).args(args).output().expect("run touchline")
}

fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("touchline-impute-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Rewrites the long CSV at `src` into `dst` with `observed=0` and empty
/// `x,y` on the rows whose (frame, agent) `punch` selects.
fn punch_gaps(src: &Path, dst: &Path, punch: impl Fn(i64, &str) -> bool) -> usize {
    let text = std::fs::read_to_string(src).unwrap();
    let mut out = String::new();
    let mut cols: Option<Vec<String>> = None;
    let mut n = 0;
    for line in text.lines() {
        if line.starts_with('#') {
            out += line;
            out.push('\n');
            continue;
        }
        let Some(c) = &cols else {
            cols = Some(line.split(',').map(str::to_string).collect());
            out += line;
            out.push('\n');
            continue;
        };
        let idx = |name: &str| c.iter().position(|k| k == name).unwrap();
        let mut f: Vec<String> = line.split(',').map(str::to_string).collect();
        let frame: i64 = f[idx("frame")].parse().unwrap();
        if punch(frame, &f[idx("agent")]) {
            f[idx("x")].clear();
            f[idx("y")].clear();
            f[idx("observed")] = "0".into();
            n += 1;
        }
        out += &f.join(",");
        out.push('\n');
    }
    std::fs::write(dst, out).unwrap();
    n
}

/// Interior gaps: agent k (in order of appearance) loses frames
/// `20 + 3k .. 20 + 3k + len` with `len = 1 + 2k` (1 to 45 frames, up to
/// 1.8 s at 25 Hz), and frames 160..164 for every other agent. Edge gap: the
/// ball loses frames 0..5.
fn gap_rule(agents: &[String]) -> impl Fn(i64, &str) -> bool + '_ {
    move |frame, agent| {
        let k = agents.iter().position(|a| a == agent).unwrap() as i64;
        let first = (20 + 3 * k..20 + 3 * k + 1 + 2 * k).contains(&frame);
        let second = k % 2 == 0 && (160..164).contains(&frame);
        let edge = agent == "ball" && frame < 5;
        first || second || edge
    }
}

fn report_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).expect("report is JSON")
}

#[test]
fn every_method_fills_punched_gaps_and_keeps_observed_rows() {
    let dir = tmp_dir("methods");
    let truth_path = dir.join("truth.csv");
    let r = touchline(&["synth", "--seconds", "8", "--seed", "3", "--out", s(&truth_path)]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let truth = touchline_io::open(&truth_path, None).unwrap();
    let agents: Vec<String> = truth.agents().iter().map(|a| a.id.clone()).collect();
    let gapped_path = dir.join("gapped.csv");
    let punched = punch_gaps(&truth_path, &gapped_path, gap_rule(&agents));
    let gapped = touchline_io::open(&gapped_path, None).unwrap();
    let missing = gapped.observed().iter().filter(|o| !**o).count();
    assert_eq!(missing, punched);
    assert!(punched > 500, "{punched}");
    let edge_entries = 5;

    for method in METHODS {
        for ext in ["csv", "json"] {
            let out = dir.join(format!("{method}.{ext}"));
            let rep = dir.join(format!("{method}-{ext}.json"));
            let r = touchline(&[
                "impute",
                s(&gapped_path),
                "--method",
                method,
                "--out",
                s(&out),
                "--report",
                s(&rep),
            ]);
            let stderr = String::from_utf8_lossy(&r.stderr);
            assert!(r.status.success(), "{method}: {stderr}");
            assert!(stderr.contains("filled") && stderr.contains("left missing"), "{stderr}");
            let filled: TrackingData = touchline_io::open(&out, None).unwrap();
            verify_observed_unchanged(&gapped, &filled).unwrap_or_else(|e| panic!("{method}: {e}"));
            let mut worst = 0.0_f64;
            for ((f, a), &obs) in gapped.observed().indexed_iter() {
                if obs {
                    continue;
                }
                for k in 0..2 {
                    let v = filled.positions()[[f, a, k]];
                    assert!(v.is_finite(), "{method}.{ext}: frame {f} agent {} not filled", agents[a]);
                    worst = worst.max((v - truth.positions()[[f, a, k]]).abs());
                }
            }
            // Synthetic players move smoothly: gaps up to 1.8 s are bridged within 3 m
            // (measured: 1.1-1.9 m depending on the method).
            assert!(worst < 3.0, "{method}: worst error {worst} m");
            let v = report_json(&rep);
            let t = &v["totals"];
            assert_eq!(t["filled_method"], punched - edge_entries, "{method}");
            assert_eq!(t["filled_edge"], edge_entries, "{method}");
            assert_eq!(t["filled_fallback"], 0, "{method}");
            assert_eq!(t["observed"].as_u64().unwrap() as usize, truth.n_frames() * agents.len() - punched);
            assert_eq!(v["agents"].as_array().unwrap().len(), agents.len());
            // `info` on the output counts the imputed entries
            let info = touchline(&["info", s(&out), "--json"]);
            let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
            assert_eq!(info["imputed_entries"], punched, "{method}.{ext}");
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn max_gap_and_edges_are_applied() {
    let dir = tmp_dir("policy");
    let truth_path = dir.join("truth.csv");
    assert!(touchline(&["synth", "--seconds", "8", "--out", s(&truth_path)]).status.success());
    let truth = touchline_io::open(&truth_path, None).unwrap();
    let agents: Vec<String> = truth.agents().iter().map(|a| a.id.clone()).collect();
    let gapped_path = dir.join("gapped.csv");
    punch_gaps(&truth_path, &gapped_path, gap_rule(&agents));
    let out = dir.join("o.csv");
    let rep = dir.join("r.json");
    // Gaps are 1 + 2k frames; between the knots that is (2 + 2k) / 25 s.
    let r = touchline(&[
        "impute",
        s(&gapped_path),
        "--method",
        "pchip",
        "--max-gap",
        "0.5",
        "--edges",
        "leave",
        "--out",
        s(&out),
        "--report",
        s(&rep),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let t = report_json(&rep)["totals"].clone();
    assert_eq!(t["left_edge"], 5);
    assert_eq!(t["filled_edge"], 0);
    // Gaps of agents k with (2 + 2k) / 25 > 0.5, i.e. k >= 6, are left: 1 + 2k frames each.
    let long: u64 = (6..agents.len() as u64).map(|k| 1 + 2 * k).sum();
    assert_eq!(t["left_gap_too_long"], long);
    let filled = touchline_io::open(&out, None).unwrap();
    let ball = agents.iter().position(|a| a == "ball").unwrap();
    let seen: HashSet<bool> = (0..5).map(|f| filled.positions()[[f, ball, 0]].is_nan()).collect();
    assert_eq!(seen, HashSet::from([true]), "ball edge left missing");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn unknown_method_and_bad_arguments_are_clear_errors() {
    let dir = tmp_dir("bad");
    let f = dir.join("m.csv");
    assert!(touchline(&["synth", "--seconds", "1", "--out", s(&f)]).status.success());
    let out = dir.join("o.csv");
    let r = touchline(&["impute", s(&f), "--method", "magic", "--out", s(&out)]);
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("unknown method \"magic\"") && err.contains("steffen"), "{err}");
    assert!(!out.exists(), "nothing written on error");
    for gap in ["-1", "0", "NaN", "soon"] {
        let r = touchline(&["impute", s(&f), "--method", "linear", "--max-gap", gap, "--out", s(&out)]);
        assert_eq!(r.status.code(), Some(2), "--max-gap {gap}");
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains("max_gap") || err.contains("max-gap"), "{gap}: {err}");
        assert!(!out.exists(), "nothing written on error");
    }
    let r = touchline(&["impute", s(&f), "--method", "linear", "--edges", "wrap", "--out", s(&out)]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("unknown edge rule \"wrap\""));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn pff_sample_report_adds_up() {
    let src = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/kloppy_samples/pff/pff_3812.jsonl"
    ));
    assert!(src.exists(), "missing test asset {src:?}");
    let data = touchline_io::open(&src, None).unwrap();
    let unobserved = data.observed().iter().filter(|o| !**o).count();
    assert!(unobserved > 1000, "{unobserved}");
    let dir = tmp_dir("pff");
    for method in METHODS {
        let out = dir.join(format!("{method}.csv"));
        let rep = dir.join(format!("{method}.json"));
        let mut args = vec!["impute", s(&src), "--method", method, "--out", s(&out), "--report", s(&rep)];
        if method == "pchip" {
            args.extend(["--format", "pff"]);
        }
        let r = touchline(&args);
        assert!(r.status.success(), "{method}: {}", String::from_utf8_lossy(&r.stderr));
        let v = report_json(&rep);
        let n = |o: &serde_json::Value, k: &str| o[k].as_u64().unwrap() as usize;
        let parts = |o: &serde_json::Value| {
            let filled = n(o, "filled_method") + n(o, "filled_fallback") + n(o, "filled_edge");
            let left = n(o, "left_gap_too_long")
                + n(o, "left_edge")
                + n(o, "left_too_few_knots")
                + n(o, "left_outside_period")
                + n(o, "left_non_finite");
            (n(o, "observed"), filled, left)
        };
        for a in v["agents"].as_array().unwrap() {
            let (o, f, l) = parts(a);
            assert_eq!(o + f + l, data.n_frames(), "{method}: {a}");
        }
        let (o, f, l) = parts(&v["totals"]);
        assert_eq!(o, data.n_frames() * data.n_agents() - unobserved, "{method}");
        assert_eq!(f + l, unobserved, "{method}");
        let filled = touchline_io::open(&out, None).unwrap();
        verify_observed_unchanged(&data, &filled).unwrap();
        let imputed = filled
            .observed()
            .indexed_iter()
            .filter(|&((fr, a), &obs)| !obs && filled.positions()[[fr, a, 0]].is_finite())
            .count();
        assert_eq!(imputed, f, "{method}: imputed rows in the output = filled in the report");
    }
    std::fs::remove_dir_all(dir).ok();
}
