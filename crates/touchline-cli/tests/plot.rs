//! `touchline plot`: every kind writes a PNG (and SVG) from the TRACAB stretch; bad input exits 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TRACAB: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/tracab_databallpy/tracking_wide.csv");

fn touchline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_touchline")).args(args).output().expect("run touchline")
}

fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("touchline-plot-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn every_kind_writes_png_and_svg() {
    assert!(Path::new(TRACAB).exists(), "missing test asset {TRACAB}");
    let dir = tmp_dir("kinds");
    for kind in ["pitch", "trajectories", "heatmap", "voronoi", "pitch-control"] {
        let png = dir.join(format!("{kind}.png"));
        let out = touchline(&[
            "plot",
            kind,
            TRACAB,
            "--out",
            png.to_str().unwrap(),
            "--frame",
            "3000",
            "--seconds",
            "20",
        ]);
        assert!(out.status.success(), "{kind}: {}", String::from_utf8_lossy(&out.stderr));
        let bytes = std::fs::read(&png).expect("png written");
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{kind}");
    }
    let svg = dir.join("voronoi.svg");
    let out = touchline(&["plot", "voronoi", TRACAB, "--out", svg.to_str().unwrap(), "--frame", "10"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&svg).expect("svg written");
    assert!(text.contains("<svg") && text.contains("<polygon"), "not an SVG with cells");
}

#[test]
fn bad_arguments_exit_2_and_say_why() {
    let dir = tmp_dir("bad");
    let out_path = dir.join("x.png");
    let o = out_path.to_str().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["plot", "spaghetti", TRACAB, "--out", o], "unknown plot kind"),
        (&["plot", "voronoi", TRACAB, "--out", o, "--frame", "99999"], "frame 99999 out of range"),
        (&["plot", "heatmap", TRACAB, "--out", o, "--agent", "nobody"], "no agent \"nobody\""),
        (
            &["plot", "pitch-control", TRACAB, "--out", o, "--attacking", "ball"],
            "--attacking must be home or away",
        ),
    ];
    for (args, want) in cases {
        let out = touchline(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
    }
}
