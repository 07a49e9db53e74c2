//! Team clustering on synthetic crops and on a real broadcast frame.

use image::{Rgb, RgbImage};
use touchline_core::{BBox, Detection, Label, SplitMix64, Team};
use touchline_track::{
    OutlierRule, TeamAssigner, TeamClass, TeamConfig, TorsoRegion, cluster_teams, kmeans, srgb_to_lab,
    torso_colour,
};

#[test]
fn lab_matches_published_values() {
    // Reference values: CIE Lab (D65) of sRGB primaries, as tabulated by
    // common converters (e.g. Lindbloom's calculator).
    let cases: [([u8; 3], [f64; 3]); 4] = [
        ([0, 0, 0], [0.0, 0.0, 0.0]),
        ([0, 255, 0], [87.735, -86.183, 83.179]),
        ([0, 0, 255], [32.297, 79.188, -107.860]),
        ([128, 128, 128], [53.585, 0.0, 0.0]),
    ];
    for (rgb, lab) in cases {
        let got = srgb_to_lab(rgb);
        for c in 0..3 {
            assert!((got[c] - lab[c]).abs() < 0.02, "{rgb:?}: {got:?} vs {lab:?}");
        }
    }
}

/// A frame with player-shaped crops: shirt colour on the upper half, shorts
/// below, head on top, grass around, per-pixel noise.
fn synthetic_frame(kits: &[[u8; 3]], rng: &mut SplitMix64) -> (RgbImage, Vec<BBox>) {
    let mut img = RgbImage::new(30 * kits.len() as u32 + 10, 80);
    for p in img.pixels_mut() {
        *p = Rgb([50, 120 + (rng.below(20) as u8), 45]);
    }
    let mut boxes = Vec::new();
    for (i, kit) in kits.iter().enumerate() {
        let x0 = 10 + 30 * i as u32;
        for y in 10..70 {
            for x in x0 + 4..x0 + 16 {
                let c = if y < 16 {
                    [200, 160, 130] // head
                } else if y < 42 {
                    *kit
                } else {
                    [30, 30, 30] // shorts, legs
                };
                let mut n = |v: u8| (i32::from(v) + rng.below(21) as i32 - 10).clamp(0, 255) as u8;
                img.put_pixel(x, y, Rgb([n(c[0]), n(c[1]), n(c[2])]));
            }
        }
        boxes.push(BBox::new(x0 as f32, 10.0, x0 as f32 + 20.0, 70.0).unwrap());
    }
    (img, boxes)
}

#[test]
fn two_kits_and_a_referee_on_synthetic_crops() {
    let white = [235, 235, 230];
    let red = [190, 25, 35];
    let referee = [20, 20, 20];
    let mut rng = SplitMix64::new(3);
    let kits = [white, red, white, red, red, white, referee, white, red, white, red];
    let (img, boxes) = synthetic_frame(&kits, &mut rng);
    let feats: Vec<[f64; 3]> =
        boxes.iter().map(|b| torso_colour(&img, b, &TorsoRegion::default()).unwrap()).collect();
    let c = cluster_teams(&feats, &TeamConfig::default()).unwrap();
    for (k, cl) in kits.iter().zip(&c.classes) {
        let want = if *k == white {
            TeamClass::A
        } else if *k == red {
            TeamClass::B
        } else {
            TeamClass::Outlier
        };
        assert_eq!(*cl, want, "{:?}", c.classes);
    }
    // Without an outlier rule the referee joins a team, the kits stay apart.
    let c2 =
        cluster_teams(&feats, &TeamConfig { outlier: OutlierRule::None, ..TeamConfig::default() }).unwrap();
    assert!(!c2.classes.contains(&TeamClass::Outlier));
    assert_ne!(c2.classes[0], c2.classes[1]);

    // Per-track voting over frames, with one frame where track 1's torso is
    // hidden behind a red player.
    let mut ta = TeamAssigner::new(TeamConfig::default()).unwrap();
    for frame in 0..6 {
        let (img, boxes) = synthetic_frame(&kits, &mut rng);
        let mut dets: Vec<Detection> = boxes
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let mut d = Detection::new(Label::Player, 0.9, *b);
                d.track_id = Some(i as u64 + 1);
                d
            })
            .collect();
        if frame == 2 {
            dets[0].bbox = boxes[1]; // its box sits on the red shirt
        }
        assert_eq!(ta.add_frame(&img, &dets), kits.len());
    }
    let teams = ta.assign().unwrap();
    for (i, k) in kits.iter().enumerate() {
        let want = if *k == white {
            Team::Home
        } else if *k == red {
            Team::Away
        } else {
            Team::Officials
        };
        assert_eq!(teams[&(i as u64 + 1)], want, "track {}", i + 1);
    }
}

#[test]
fn kmeans_is_deterministic_and_checks_input() {
    let mut rng = SplitMix64::new(9);
    let pts: Vec<Vec<f64>> =
        (0..200).map(|i| vec![rng.normal() + if i % 2 == 0 { 10.0 } else { -10.0 }, rng.normal()]).collect();
    let a = kmeans(&pts, 2, 42, 100).unwrap();
    let b = kmeans(&pts, 2, 42, 100).unwrap();
    assert_eq!(a, b);
    assert!((0..200).all(|i| (a.labels[i] == a.labels[0]) == (i % 2 == 0)));
    assert!(kmeans::<Vec<f64>>(&[], 2, 0, 10).is_err());
    assert!(kmeans(&pts, 0, 0, 10).is_err());
    assert!(kmeans(&pts[..1], 2, 0, 10).is_err());
    assert!(kmeans(&[vec![1.0], vec![1.0, 2.0]], 1, 0, 10).is_err());
    assert!(kmeans(&[vec![f64::NAN], vec![1.0]], 1, 0, 10).is_err());
    // Identical points do not break seeding.
    let same = vec![vec![1.0, 1.0]; 5];
    assert_eq!(kmeans(&same, 2, 0, 10).unwrap().labels.len(), 5);
    // Embeddings: any dimension, relative outlier rule.
    let mut emb: Vec<Vec<f64>> = (0..20)
        .map(|i| {
            let mut v = vec![0.0; 16];
            v[if i < 10 { 0 } else { 1 }] = 1.0;
            v[2] = 0.02 * rng.normal();
            v
        })
        .collect();
    let mut odd = vec![0.0; 16];
    odd[5] = 1.0;
    emb.push(odd);
    let cfg = TeamConfig { outlier: OutlierRule::Relative(5.0), ..TeamConfig::default() };
    let c = cluster_teams(&emb, &cfg).unwrap();
    assert_eq!(c.classes[20], TeamClass::Outlier);
    assert!(c.classes[..10].iter().all(|&x| x == c.classes[0]));
    assert!(c.classes[10..20].iter().all(|&x| x == c.classes[10]));
    assert_ne!(c.classes[0], c.classes[10]);
}

/// One decoded frame of the real wide-angle clip (frame 10, 848x478),
/// extracted with ffmpeg at test time.
fn real_frame() -> RgbImage {
    let clip = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/videos/soccer_dfl_wideangle_08fd33_4.mp4"
    ));
    assert!(clip.exists(), "missing test asset {clip:?}");
    let dir = std::env::temp_dir().join(format!("touchline-track-team-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("frame10.png");
    let status = std::process::Command::new("/usr/bin/ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(&clip)
        .args(["-vf", "select=eq(n\\,10)", "-vsync", "0", "-frames:v", "1"])
        .arg(&png)
        .status()
        .expect("run /usr/bin/ffmpeg");
    assert!(status.success(), "ffmpeg failed on {clip:?}");
    let img = image::open(&png).unwrap().to_rgb8();
    let _ = std::fs::remove_dir_all(&dir);
    img
}

#[test]
fn real_frame_separates_the_two_kits() {
    let img = real_frame();
    assert_eq!(img.dimensions(), (848, 478));
    // Boxes read off frame 10 by eye (x1, y1, x2, y2): Gladbach in white,
    // Wolfsburg in lime green, the referee in black.
    let white = [
        [280.0, 206.0, 289.0, 227.0],
        [392.0, 222.0, 402.0, 246.0],
        [402.0, 180.0, 412.0, 199.0],
        [560.0, 226.0, 568.0, 248.0],
        [657.0, 231.0, 666.0, 255.0],
    ];
    let green = [
        [249.0, 216.0, 260.0, 236.0],
        [294.0, 245.0, 306.0, 272.0],
        [461.0, 191.0, 472.0, 210.0],
        [485.0, 236.0, 498.0, 261.0],
        [675.0, 236.0, 684.0, 265.0],
        [427.0, 163.0, 436.0, 181.0],
    ];
    let referee = [507.0, 173.0, 517.0, 191.0];
    let bb = |b: [f32; 4]| BBox::new(b[0], b[1], b[2], b[3]).unwrap();
    let mut boxes: Vec<BBox> = white.iter().map(|b| bb(*b)).collect();
    boxes.extend(green.iter().map(|b| bb(*b)));
    boxes.push(bb(referee));
    let feats: Vec<[f64; 3]> =
        boxes.iter().map(|b| torso_colour(&img, b, &TorsoRegion::default()).unwrap()).collect();
    let c = cluster_teams(&feats, &TeamConfig::default()).unwrap();
    eprintln!("torso Lab {feats:.1?}\ncentres {:.1?}", c.centres);
    let (w, g) = (&c.classes[..5], &c.classes[5..11]);
    assert!(w.iter().all(|&x| x == TeamClass::A), "white kit: {:?} {feats:?}", c.classes);
    assert!(g.iter().all(|&x| x == TeamClass::B), "green kit: {:?} {feats:?}", c.classes);
    assert_eq!(c.classes[11], TeamClass::Outlier, "referee: {:?}", feats[11]);
}
