//! The goal and hoop finders on real frames, extracted with ffmpeg at test time.

use std::path::{Path, PathBuf};
use std::process::Command;

use touchline_shot::{find_football_goal, find_hoop};

fn asset(rel: &str) -> PathBuf {
    let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/")).join(rel);
    assert!(p.exists(), "missing test asset {p:?}");
    p
}

/// Frame `k` of `clip` as an RGB image (via /usr/bin/ffmpeg into a temp dir).
fn frame(clip: &Path, k: usize) -> image::RgbImage {
    let dir = std::env::temp_dir().join(format!("touchline-shot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let stem = clip.file_stem().unwrap().to_string_lossy();
    let out = dir.join(format!("{stem}_{k}.png"));
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(clip)
        .args(["-vf", &format!("select=eq(n\\,{k})"), "-vsync", "0", "-frames:v", "1"])
        .arg(&out)
        .status()
        .expect("ffmpeg must be installed (scripts/setup.sh APT_PACKAGES)");
    assert!(status.success(), "ffmpeg failed on {clip:?} frame {k}");
    let img = image::open(&out).unwrap_or_else(|e| panic!("reading {out:?}: {e}")).to_rgb8();
    let _ = std::fs::remove_file(&out);
    img
}

fn near(found: f64, want: f64, tol: f64, what: &str) {
    assert!((found - want).abs() <= tol, "{what}: found {found}, expected {want} +/- {tol}");
}

#[test]
fn football_goal_in_the_lampard_penalty() {
    let clip = asset("videos/soccer_penalty_lampard_goal.mp4");
    // Hand-measured from the frames: posts, crossbar at the top edge, feet on
    // the goal line. The broadcast camera zooms slightly during the clip.
    for (k, left, right, bar, base) in [(0, 287.0, 1196.0, 5.0, 298.0), (60, 270.0, 1217.0, 2.0, 300.0)] {
        let g = find_football_goal(&frame(&clip, k)).unwrap_or_else(|| panic!("no goal found in frame {k}"));
        println!("frame {k}: {g:?}");
        near(g.left_post_x, left, 12.0, "left post");
        near(g.right_post_x, right, 12.0, "right post");
        near(g.crossbar_y, bar, 12.0, "crossbar");
        near(g.base_y, base, 12.0, "post feet");
        assert!(g.region.contains([700.0, 150.0]));
        assert!(!g.region.contains([740.0, 505.0]), "the penalty spot is not in the goal");
    }
}

#[test]
fn basketball_rim_in_the_jumpshots_clip() {
    let clip = asset("videos/basketball_jumpshots_3make_2miss.mp4");
    // Hand-measured: the rim ellipse spans x 604..644 at y 175..184, its
    // bracket and the backboard's red square are just right of it.
    for k in [0, 100, 250] {
        let h = find_hoop(&frame(&clip, k)).unwrap_or_else(|| panic!("no hoop found in frame {k}"));
        println!("frame {k}: {h:?}");
        near(h.rim_y, 180.0, 8.0, "rim height");
        assert!(h.rim_x[0] <= 615.0 && h.rim_x[0] >= 590.0, "rim left end {}", h.rim_x[0]);
        assert!(h.rim_x[1] >= 640.0 && h.rim_x[1] <= 680.0, "rim right end {}", h.rim_x[1]);
        assert!(h.region.contains([624.0, 180.0]));
    }
}
