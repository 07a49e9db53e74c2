//! Re-identification on a real clip: ByteTrack gives a player a new id after an occlusion or a
//! re-entry; `touchline_track::identity` merges the ids back into people, by kit colour (the
//! default) and, as an alternative, by OSNet re-id embeddings (`touchline-detect`).
//!
//! ```sh
//! cargo run --release -p touchline-examples --example reidentify -- [clip.mp4] [stride] [osnet-max-distance]
//! ```
//!
//! Defaults: `../shared/videos/basketball_jumpshots_3make_2miss.mp4` (one player, whom the
//! tracker splits into several ids), every 3rd frame, OSNet cosine distance 0.3 (a guess from this
//! one clip: check the printed distances on yours), models from `../shared/models`.
//!
//! Two decoding passes: the first detects and tracks; the [`AppearanceSampler`] then names the
//! frames it needs (up to 12 boxes per track) and the second pass reads only those, so no frame
//! is kept in memory.

use std::collections::BTreeMap;
use std::error::Error;
use std::time::Instant;

use touchline_core::{Detector, FrameSource, Label, Tracker};
use touchline_decode::{FrameSourceExt, Sampling};
use touchline_detect::{DetectorConfig, OnnxDetector, OsnetConfig, OsnetEmbedder};
use touchline_examples::shared_asset;
use touchline_track::{
    AppearanceSampler, ByteTrackConfig, ByteTracker, Embedding, Identities, IdentityConfig, TrackCue,
    merge_identities,
};

fn print_identities(what: &str, ids: &Identities) {
    println!("{what}: {} people", ids.len());
    for g in ids {
        println!("  P{}: tracks {:?}, frames {}-{}", g.id, g.tracks, g.first_frame, g.last_frame);
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let clip = match args.next() {
        Some(p) => p.into(),
        None => shared_asset("videos/basketball_jumpshots_3make_2miss.mp4")?,
    };
    let stride: usize = match args.next() {
        Some(s) => s.parse().map_err(|e| format!("stride {s:?}: {e}"))?,
        None => 3,
    };
    let osnet_max: f64 = match args.next() {
        Some(s) => s.parse().map_err(|e| format!("OSNet max distance {s:?}: {e}"))?,
        None => 0.3,
    };

    // Pass 1: people with YOLOX-nano, tracked by ByteTrack.
    let t0 = Instant::now();
    let mut detector =
        OnnxDetector::new(shared_asset("models/yolox_nano/yolox_nano.onnx")?, DetectorConfig::yolox())?;
    let mut tracker = ByteTracker::new(ByteTrackConfig::default())?;
    let mut src = touchline_decode::open(&clip)?.sample(Sampling::new().every(stride))?;
    let mut n_frames = 0;
    while let Some(frame) = src.next_frame()? {
        let people: Vec<_> =
            detector.detect(&frame)?.into_iter().filter(|d| d.label != Label::Ball).collect();
        tracker.update(frame.index, frame.timestamp, &people)?;
        n_frames += 1;
    }
    let tracks = tracker.tracks();
    println!(
        "{}: {n_frames} frames (every {stride}), {} tracks, detected and tracked in {:.1} s",
        clip.display(),
        tracks.len(),
        t0.elapsed().as_secs_f64()
    );

    // Pass 2: the planned boxes' colours, and their OSNet embeddings.
    let cfg = IdentityConfig::default();
    let mut sampler = AppearanceSampler::new(&tracks, &cfg)?;
    let mut reid =
        OsnetEmbedder::new(shared_asset("models/osnet/osnet_x0_25_msmt17.onnx")?, OsnetConfig::default())?;
    let mut vectors: BTreeMap<u64, Vec<Vec<f32>>> = BTreeMap::new();
    let (mut t_colour, mut t_osnet) = (0.0, 0.0);
    if let Some(last) = sampler.frames().last() {
        let mut src = touchline_decode::open(&clip)?.sample(Sampling::new().end_frame(last + 1))?;
        while let Some(frame) = src.next_frame()? {
            let planned: Vec<_> = sampler.boxes_at(frame.index).collect();
            if planned.is_empty() {
                continue;
            }
            let t = Instant::now();
            sampler.add_frame(frame.index, &frame.image);
            t_colour += t.elapsed().as_secs_f64();
            let t = Instant::now();
            let boxes: Vec<_> = planned.iter().map(|(_, b)| *b).collect();
            for ((id, _), e) in planned.iter().zip(reid.embed(&frame, &boxes)?) {
                if let Some(e) = e {
                    vectors.entry(*id).or_default().push(e);
                }
            }
            t_osnet += t.elapsed().as_secs_f64();
        }
    }
    let cues = sampler.finish();
    for c in &cues {
        let span = c.frames.first().zip(c.frames.last());
        let samples = c.appearance.as_ref().map_or(0, |a| a.samples);
        println!("  track #{}: {} frames {span:?}, {samples} boxes sampled", c.id, c.frames.len());
    }

    // Colour: the default.
    let t = Instant::now();
    let by_colour = merge_identities(&cues, &cfg)?;
    let t_merge = t.elapsed().as_secs_f64();
    print_identities("kit colour (mean Hellinger <= 0.35)", &by_colour);

    // OSNet: the same merge over caller-given vectors, cosine distance.
    let mut ecues = Vec::new();
    for c in &cues {
        let v = vectors.get(&c.id).map(Vec::as_slice).unwrap_or_default();
        let appearance = Embedding::mean_of(v.iter().map(Vec::as_slice))?;
        ecues.push(TrackCue { id: c.id, frames: c.frames.clone(), appearance });
    }
    let by_osnet = merge_identities(&ecues, &IdentityConfig { max_distance: osnet_max, ..cfg.clone() })?;
    print_identities(&format!("OSNet (cosine distance <= {osnet_max})"), &by_osnet);
    println!("pairwise distances (colour / OSNet), '!' = seen in the same frame:");
    for (i, a) in cues.iter().enumerate() {
        for (j, b) in cues.iter().enumerate().skip(i + 1) {
            use touchline_track::AppearanceDistance;
            let dc =
                a.appearance.as_ref().zip(b.appearance.as_ref()).map(|(x, y)| x.distance(y)).transpose()?;
            let (ea, eb) = (&ecues[i].appearance, &ecues[j].appearance);
            let de = ea.as_ref().zip(eb.as_ref()).map(|(x, y)| x.distance(y)).transpose()?;
            let clash = if a.frames.intersection(&b.frames).next().is_some() { " !" } else { "" };
            let f = |d: Option<f64>| d.map_or("-".to_string(), |d| format!("{d:.3}"));
            println!("  #{} - #{}: {} / {}{clash}", a.id, b.id, f(dc), f(de));
        }
    }
    println!(
        "time: colour histograms {:.1} ms, OSNet embeddings {:.1} ms, merge {:.2} ms",
        t_colour * 1e3,
        t_osnet * 1e3,
        t_merge * 1e3
    );
    Ok(())
}
