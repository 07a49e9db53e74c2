//! Team clusters on one real frame two ways: torso colour in CIE Lab (the default of
//! `touchline-track`) and OSNet re-identification embeddings (`touchline-detect`).
//!
//! ```sh
//! cargo run --release -p touchline-examples --example team_osnet -- [clip.mp4] [frame]
//! ```
//!
//! Defaults: `../shared/videos/soccer_dfl_wideangle_08fd33_4.mp4`, frame 0, models from
//! `../shared/models`. Prints one row per detected player and how often the two agree.

use std::error::Error;
use std::time::Instant;

use touchline_core::{Detector, FrameSource, Label};
use touchline_detect::{DetectorConfig, OnnxDetector, OsnetConfig, OsnetEmbedder, Tiling};
use touchline_examples::shared_asset;
use touchline_track::{TeamClass, TeamConfig, TorsoRegion, cluster_teams, kmeans, torso_colour};

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let clip = match args.next() {
        Some(p) => p.into(),
        None => shared_asset("videos/soccer_dfl_wideangle_08fd33_4.mp4")?,
    };
    let want: usize = match args.next() {
        Some(s) => s.parse().map_err(|e| format!("frame index {s:?}: {e}"))?,
        None => 0,
    };
    let mut src = touchline_decode::open(&clip)?;
    let frame = loop {
        match src.next_frame()? {
            Some(f) if f.index == want => break f,
            Some(_) => {}
            None => return Err(format!("{} has no frame {want}", clip.display()).into()),
        }
    };

    // Players: YOLOX-nano with player tiles (wide cameras show players 20-40 px tall).
    let mut config = DetectorConfig::yolox();
    config.tiling = Some(Tiling { labels: vec![Label::Player], roi: false, ..Tiling::exhaustive() });
    let mut detector = OnnxDetector::new(shared_asset("models/yolox_nano/yolox_nano.onnx")?, config)?;
    let boxes: Vec<_> =
        detector.detect(&frame)?.into_iter().filter(|d| d.label == Label::Player).map(|d| d.bbox).collect();
    if boxes.len() < 2 {
        return Err(format!("only {} players found in frame {want}", boxes.len()).into());
    }

    // Lab: median torso colour, two teams and an outlier class.
    let t0 = Instant::now();
    let mut lab = Vec::new();
    for b in &boxes {
        lab.push(torso_colour(&frame.image, b, &TorsoRegion::default()).ok_or("torso outside the frame")?);
    }
    let lab_teams = cluster_teams(&lab, &TeamConfig::default())?;
    let t_lab = t0.elapsed();

    // OSNet: one 512-d embedding per player crop, k-means with k = 2.
    let mut reid =
        OsnetEmbedder::new(shared_asset("models/osnet/osnet_x0_25_msmt17.onnx")?, OsnetConfig::default())?;
    let t0 = Instant::now();
    let mut emb = Vec::new();
    for e in reid.embed(&frame, &boxes)? {
        let e = e.ok_or("player box outside the frame")?;
        emb.push(e.into_iter().map(f64::from).collect::<Vec<f64>>());
    }
    let os = kmeans(&emb, 2, 0, 100)?;
    let t_os = t0.elapsed();

    // k-means labels are arbitrary: name the OSNet clusters after the Lab team most of them are in.
    let lab_index = |c: TeamClass| match c {
        TeamClass::A => Some(0),
        TeamClass::B => Some(1),
        TeamClass::Outlier => None,
    };
    let mut same = 0;
    let mut n = 0;
    for (c, &l) in lab_teams.classes.iter().zip(&os.labels) {
        if let Some(t) = lab_index(*c) {
            n += 1;
            same += usize::from(t == l);
        }
    }
    let flip = same < n - same;
    let osnet_class = |l: usize| if (l == 1) != flip { TeamClass::B } else { TeamClass::A };

    println!("{} frame {want}: {} players", clip.display(), boxes.len());
    println!("{:>3}  {:>23}  {:>20}  {:>7}  {:>7}", "#", "box (x1,y1,x2,y2)", "torso Lab", "Lab", "OSNet");
    for (i, b) in boxes.iter().enumerate() {
        let o = osnet_class(os.labels[i]);
        let l = lab_teams.classes[i];
        let mark = if l != TeamClass::Outlier && l != o { "  <- differs" } else { "" };
        println!(
            "{i:>3}  {:>5.0},{:>5.0},{:>5.0},{:>5.0}  {:>6.1},{:>6.1},{:>6.1}  {:>7}  {:>7}{mark}",
            b.x1,
            b.y1,
            b.x2,
            b.y2,
            lab[i][0],
            lab[i][1],
            lab[i][2],
            format!("{l:?}"),
            format!("{o:?}")
        );
    }
    let agree = same.max(n - same);
    println!(
        "agreement on the {n} players Lab puts in a team: {agree}/{n} ({:.0} %)",
        100.0 * agree as f64 / n.max(1) as f64
    );
    println!(
        "time: Lab features + clustering {:.1} ms; OSNet embeddings + k-means {:.1} ms ({} crops)",
        t_lab.as_secs_f64() * 1e3,
        t_os.as_secs_f64() * 1e3,
        boxes.len()
    );
    Ok(())
}
