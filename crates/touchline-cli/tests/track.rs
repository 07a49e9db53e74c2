//! `touchline track` end to end on the shared Bundesliga wide-angle clip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use touchline_core::{Label, Team, Track};

const CLIP: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/videos/soccer_dfl_wideangle_08fd33_4.mp4");
/// Every 4th of the clip's 169 frames: 43 frames, each through YOLOX-nano on the full frame and
/// 6 tiles (players are 20-40 px tall in this 848x478 wide-angle view).
const STRIDE: &str = "4";
const FRAMES: usize = 43;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_touchline"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("touchline_track_test_{}_{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// `touchline track <args>`.
fn run(args: &[&str]) -> Output {
    bin().arg("track").args(args).output().expect("run touchline")
}

fn ok(o: &Output) {
    assert!(o.status.success(), "failed: {}\n{}", o.status, String::from_utf8_lossy(&o.stderr));
}

fn read_tracks(dir: &Path) -> Vec<Track> {
    let f = std::fs::File::open(dir.join("tracks.json")).expect("tracks.json");
    touchline_track::read_tracks_json(f).expect("tracks.json parses")
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary.json"))
        .expect("summary.json parses")
}

/// One YOLOX run shared by the tests of this binary.
fn yolox_run() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        assert!(Path::new(CLIP).exists(), "missing test asset {CLIP}");
        let dir = tmp("yolox");
        let o = run(&[CLIP, "--out", dir.to_str().unwrap(), "--stride", STRIDE, "--tiles", "all", "--quiet"]);
        ok(&o);
        dir
    })
}

#[test]
fn yolox_run_writes_every_output_with_plausible_tracks_and_two_teams() {
    let dir = yolox_run();
    for f in ["tracks.json", "tracks.csv", "detections.json", "tracking.csv", "annotated.mp4", "summary.json"]
    {
        assert!(dir.join(f).is_file(), "missing {f}");
    }
    let tracks = read_tracks(dir);
    let csv = touchline_track::read_tracks_csv(std::fs::File::open(dir.join("tracks.csv")).unwrap()).unwrap();
    assert_eq!(csv, tracks, "tracks.csv and tracks.json disagree");
    let people: Vec<&Track> = tracks.iter().filter(|t| t.label != Label::Ball).collect();
    // About 22 players, 1 referee and ~8 people beside the pitch are visible; YOLOX-nano finds
    // roughly half of the small players. Fragments must not explode the count either.
    assert!((12..=45).contains(&people.len()), "{} people tracks", people.len());
    // Stable ids: the longest tracks cover (nearly) the whole clip, and several span half of it.
    let span = |t: &Track| t.points.last().unwrap().frame - t.points[0].frame;
    let longest = people.iter().map(|t| span(t)).max().unwrap();
    assert!(longest >= 160, "longest track spans {longest} of 168 frames");
    let half = people.iter().filter(|t| span(t) >= 84).count();
    assert!(half >= 8, "{half} tracks span half the clip");
    // Two teams, each with several tracks; the bench and the referee are officials.
    let n = |team| people.iter().filter(|t| t.team == team).count();
    assert!(n(Team::Home) >= 3 && n(Team::Away) >= 3, "home {} away {}", n(Team::Home), n(Team::Away));
    assert!(n(Team::Officials) >= 1, "no officials");
    let s = summary(dir);
    assert_eq!(s["frames"], FRAMES);
    assert_eq!(s["tracks"]["people"], people.len());
    assert!(s["fps"]["tracking"].as_f64().unwrap() > 0.0);
    assert!(s["stages"]["detect_detail"]["model_runs"].as_u64().unwrap() >= 7 * FRAMES as u64);
    assert_eq!(s["team_features"], "lab");
    assert!(s.get("osnet_model").is_none());
    // tracking.csv is Touchline long CSV: `touchline info` reads it.
    let o = bin().arg("info").arg(dir.join("tracking.csv")).output().unwrap();
    ok(&o);
    // The annotated video decodes to one frame per processed frame.
    let info = touchline_decode::probe(dir.join("annotated.mp4")).unwrap();
    assert_eq!((info.width, info.height, info.frame_count), (848, 478, Some(FRAMES)));
}

#[test]
fn replaying_the_detections_reproduces_the_tracks() {
    let first = yolox_run();
    let dir = tmp("replay");
    let h = dir.with_extension("h.json");
    // Four image points of the pitch markings -> metres (rough, enough to check the path).
    std::fs::write(
        &h,
        r#"{"pairs": [{"image": [373, 126], "pitch": [0, 34]}, {"image": [393, 405], "pitch": [0, -34]},
                      {"image": [250, 210], "pitch": [-9.15, 0]}, {"image": [505, 210], "pitch": [9.15, 0]}]}"#,
    )
    .unwrap();
    let replay = format!("replay:{}", first.join("detections.json").display());
    let o = run(&[
        CLIP,
        "--out",
        dir.to_str().unwrap(),
        "--stride",
        STRIDE,
        "--model",
        &replay,
        "--png",
        "--homography",
        h.to_str().unwrap(),
        // The drawing pass decodes the clip again here (the YOLOX run keeps its frames).
        "--frame-memory-mb",
        "0",
        "--quiet",
    ]);
    ok(&o);
    assert_eq!(read_tracks(&dir), read_tracks(first));
    assert!(dir.join("annotated/frame_000000.png").is_file());
    assert!(dir.join(format!("annotated/frame_{:06}.png", FRAMES - 1)).is_file());
    assert!(!dir.join("annotated.mp4").exists());
    let s = summary(&dir);
    assert_eq!(s["tracking_units"], "metres");
    let data = touchline_io::long::read_csv(&dir.join("tracking.csv")).unwrap();
    assert_eq!(data.n_frames(), FRAMES);
    // Feet on the pitch: within a generous box around 105 x 68 m.
    let p = data.positions();
    let obs = data.observed();
    for ((f, a), &o) in obs.indexed_iter() {
        if o {
            let (x, y) = (p[[f, a, 0]], p[[f, a, 1]]);
            assert!(x.abs() < 80.0 && y.abs() < 60.0, "frame {f} agent {a}: ({x}, {y})");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&h);
}

#[test]
fn missing_clip_and_models_exit_2_naming_the_path() {
    let dir = tmp("missing");
    let d = dir.to_str().unwrap();
    let o = run(&["/no/such/clip.mp4", "--out", d]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/no/such/clip.mp4"));
    for m in ["yolox:/no/such/model.onnx", "replay:/no/such/dets.json"] {
        let o = run(&[CLIP, "--out", d, "--model", m]);
        assert_eq!(o.status.code(), Some(2), "{m}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(m.split_once(':').unwrap().1), "{m}: {e}");
    }
    // A file that is not a model.
    let o = run(&[CLIP, "--out", d, "--model", &format!("yolox:{CLIP}")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("soccer_dfl_wideangle_08fd33_4.mp4"));
    let o = run(&[CLIP, "--out", d, "--stride", "0"]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

const OSNET: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/models/osnet/osnet_x0_25_msmt17.onnx");

#[test]
fn osnet_team_features_assign_teams_on_the_same_tracks() {
    assert!(Path::new(OSNET).exists(), "missing test asset {OSNET}");
    let first = yolox_run();
    let dir = tmp("osnet");
    // The YOLOX run's detections replayed: the same tracks, only the team features differ.
    let replay = format!("replay:{}", first.join("detections.json").display());
    let o = run(&[
        CLIP,
        "--out",
        dir.to_str().unwrap(),
        "--stride",
        STRIDE,
        "--model",
        &replay,
        "--team-features",
        "osnet",
        "--osnet-model",
        OSNET,
        "--png",
        "--quiet",
    ]);
    ok(&o);
    let lab = read_tracks(first);
    let osnet = read_tracks(&dir);
    assert_eq!(osnet.len(), lab.len());
    for (a, b) in osnet.iter().zip(&lab) {
        assert_eq!((a.id, &a.label, &a.points), (b.id, &b.label, &b.points), "track {}", a.id);
    }
    let people: Vec<&Track> = osnet.iter().filter(|t| t.label != Label::Ball).collect();
    let n = |team| people.iter().filter(|t| t.team == team).count();
    // Two kits, each holding several tracks, and the people beside the pitch as officials.
    assert!(n(Team::Home) >= 3 && n(Team::Away) >= 3, "home {} away {}", n(Team::Home), n(Team::Away));
    assert!(n(Team::Officials) >= 1, "no officials");
    // Lab separates the white and the lime kit on this clip; OSNet must find the same two kits
    // (up to which one is called home) for nearly all tracks both put in a kit.
    let kit = |t: Team| matches!(t, Team::Home | Team::Away);
    let both: Vec<(Team, Team)> = osnet
        .iter()
        .zip(&lab)
        .filter(|(a, b)| kit(a.team) && kit(b.team))
        .map(|(a, b)| (a.team, b.team))
        .collect();
    let same = both.iter().filter(|(a, b)| a == b).count();
    let agree = same.max(both.len() - same);
    assert!(
        both.len() >= 10 && agree * 10 >= both.len() * 9,
        "OSNet and Lab kits agree on {agree} of {}",
        both.len()
    );
    // Both features are sampled on the same frames; a whole-box crop exists whenever a torso
    // region does, so every track Lab gave a team has one here too.
    for (a, b) in osnet.iter().zip(&lab) {
        if b.team != Team::Unknown {
            assert_ne!(a.team, Team::Unknown, "track {} has a Lab team but no OSNet team", a.id);
        }
    }
    let s = summary(&dir);
    assert_eq!(s["team_features"], "osnet");
    assert!(s["osnet_model"].as_str().unwrap().ends_with("osnet_x0_25_msmt17.onnx"), "{}", s["osnet_model"]);
    assert!(s["team_samples"].as_u64().unwrap() >= 100, "{}", s["team_samples"]);
    assert!(s.get("team_note").is_none(), "{}", s["team_note"]);
    // The embedding time is counted in the teams stage: at least a few hundred crops through a
    // CNN cost more than the Lab run's median colours of the same boxes.
    let teams_ms = |s: &serde_json::Value| s["stages"]["teams"]["total_ms"].as_f64().unwrap();
    assert!(teams_ms(&s) > teams_ms(&summary(first)), "{} vs {}", teams_ms(&s), teams_ms(&summary(first)));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn osnet_model_errors_exit_2_naming_the_path() {
    let dir = tmp("osnet_missing");
    let d = dir.to_str().unwrap();
    // Replayed detections (no YOLOX load): the model must be refused before the run.
    let dets = dir.with_extension("dets.json");
    std::fs::write(&dets, "[]").unwrap();
    let replay = format!("replay:{}", dets.display());
    let garbage = dir.with_extension("garbage.onnx");
    std::fs::write(&garbage, b"this is not an ONNX model\0\x01\x02").unwrap();
    let yolox = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/models/yolox_nano/yolox_nano.onnx");
    assert!(Path::new(yolox).exists(), "missing test asset {yolox}");
    let missing = "/no/such/osnet.onnx";
    for m in [missing, garbage.to_str().unwrap(), yolox] {
        let o = run(&[CLIP, "--out", d, "--model", &replay, "--team-features", "osnet", "--osnet-model", m]);
        assert_eq!(o.status.code(), Some(2), "{m}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(m), "{m}: {e}");
        assert!(!dir.join("summary.json").exists(), "{m}: ran despite the bad model");
    }
    // Without --osnet-model the default is looked for under $TOUCHLINE_MODELS first, as YOLOX is:
    // a garbage file there is the one loaded (and refused, by its path).
    let models = dir.with_extension("models");
    std::fs::create_dir_all(models.join("osnet")).unwrap();
    let planted = models.join("osnet/osnet_x0_25_msmt17.onnx");
    std::fs::write(&planted, b"not a model").unwrap();
    let o = bin()
        .env("TOUCHLINE_MODELS", &models)
        .args(["track", CLIP, "--out", d, "--model", &replay, "--team-features", "osnet"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains(planted.to_str().unwrap()), "{e}");
    let _ = std::fs::remove_dir_all(&models);
    // --osnet-model without --team-features osnet is a mistake, not ignored.
    let o = run(&[CLIP, "--out", d, "--model", &replay, "--osnet-model", OSNET]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--team-features osnet"));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&dets);
    let _ = std::fs::remove_file(&garbage);
}

#[test]
fn unknown_team_features_is_a_usage_error() {
    let dir = tmp("features");
    let o = run(&[CLIP, "--out", dir.to_str().unwrap(), "--team-features", "hsv"]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("--team-features") && e.contains("hsv"), "{e}");
    assert!(e.contains("lab") && e.contains("osnet"), "the usage error lists the values: {e}");
    assert!(!dir.exists(), "output folder created for a usage error");
}

#[test]
fn too_many_detector_sessions_exit_2() {
    let dir = tmp("sessions");
    let o = run(&[CLIP, "--out", dir.to_str().unwrap(), "--sessions", "1000", "-q"]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("sessions") && e.contains("1000"), "{e}");
}
