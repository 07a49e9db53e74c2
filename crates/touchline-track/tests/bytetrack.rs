//! ByteTracker on synthetic scenes, and a property test.

mod common;

use common::{Mover, id_switches, scene, times};
use proptest::prelude::*;
use touchline_core::{BBox, Detection, Label, Tracker};
use touchline_track::{ByteTrackConfig, ByteTracker, LabelGrouping, TrackError, track_clip};

fn run(cfg: ByteTrackConfig, dets: &[Vec<Detection>]) -> (ByteTracker, Vec<Vec<Detection>>) {
    let mut t = ByteTracker::new(cfg).unwrap();
    let out = t.run_clip(&times(dets.len()), dets).unwrap();
    (t, out)
}

#[test]
fn linear_movers_with_noise_keep_their_ids() {
    let movers: Vec<Mover> = (0..10)
        .map(|i| {
            Mover::player(60.0 + 70.0 * i as f32, 100.0 + 40.0 * (i % 3) as f32, 2.5 - 0.5 * i as f32, 1.0)
        })
        .collect();
    let (dets, truth) = scene(&movers, 120, 1, 1.0, |_, _| Some(0.9));
    let (t, out) = run(ByteTrackConfig::default(), &dets);
    let (sw, ids) = id_switches(&out, &truth, movers.len());
    assert_eq!(sw, 0);
    assert!(ids.iter().all(|v| v.len() == 1), "{ids:?}");
    let tracks = t.tracks();
    assert_eq!(tracks.len(), 10);
    // Every detection, the unconfirmed first one included, is in a track.
    assert!(tracks.iter().all(|tr| tr.points.len() == 120));
    // Only the first frame's detections lack an id (confirmation on the 2nd hit).
    for (f, d) in out.iter().enumerate() {
        assert!(d.iter().all(|x| x.track_id.is_some() == (f > 0)));
    }
}

#[test]
fn crossing_paths_cause_no_id_switch() {
    // A walks right, B walks left, boxes overlap heavily while they cross
    // (IoU up to 0.54 between the two).
    let movers = [Mover::player(100.0, 200.0, 3.0, 0.0), Mover::player(400.0, 215.0, -3.0, 0.0)];
    for seed in 0..5 {
        let (dets, truth) = scene(&movers, 100, seed, 0.8, |_, _| Some(0.9));
        let (t, out) = run(ByteTrackConfig::default(), &dets);
        let (sw, ids) = id_switches(&out, &truth, 2);
        assert_eq!(sw, 0, "seed {seed}: ids {ids:?}");
        assert_ne!(ids[0], ids[1]);
        assert_eq!(t.tracks().len(), 2);
    }
}

#[test]
fn occluded_object_is_reactivated_with_its_id() {
    let movers = [Mover::player(100.0, 200.0, 4.0, 0.5), Mover::player(500.0, 300.0, -2.0, 0.0)];
    // Object 0 unseen in frames 30..38 (8 frames).
    let (dets, truth) =
        scene(&movers, 80, 3, 0.7, |i, f| (!(i == 0 && (30..38).contains(&f))).then_some(0.9));
    let (t, out) = run(ByteTrackConfig::default(), &dets);
    let (sw, ids) = id_switches(&out, &truth, 2);
    assert_eq!(sw, 0, "{ids:?}");
    let tracks = t.tracks();
    assert_eq!(tracks.len(), 2);
    let t0 = tracks.iter().find(|tr| tr.id == ids[0][0]).unwrap();
    assert_eq!(t0.points.len(), 72);
    assert!(t0.points.iter().all(|p| !(30..38).contains(&p.frame)));

    // With a buffer shorter than the occlusion the track ends and a new id starts.
    let cfg = ByteTrackConfig { track_buffer: 5, ..ByteTrackConfig::default() };
    let (t, out) = run(cfg, &dets);
    let (sw, ids) = id_switches(&out, &truth, 2);
    assert_eq!(sw, 1);
    assert_eq!(ids[0].len(), 2);
    assert_eq!(t.tracks().len(), 3);
}

#[test]
fn low_score_detections_are_recovered_by_the_second_stage() {
    let movers = [Mover::player(100.0, 200.0, 3.0, 0.0), Mover::player(300.0, 300.0, 0.0, -1.0)];
    // Object 0 scores 0.3 (partly occluded) in frames 20..40.
    let score = |i: usize, f: usize| Some(if i == 0 && (20..40).contains(&f) { 0.3 } else { 0.9 });
    let (dets, truth) = scene(&movers, 60, 4, 0.5, score);
    let (t, out) = run(ByteTrackConfig::default(), &dets);
    let (sw, ids) = id_switches(&out, &truth, 2);
    assert_eq!(sw, 0);
    let t0 = t.tracks().into_iter().find(|tr| tr.id == ids[0][0]).unwrap();
    assert_eq!(t0.points.len(), 60, "low-score frames joined the track");
    assert!(t0.points[25].score < 0.5);

    // Without the second stage (low_score == high_score) those frames are lost.
    let cfg = ByteTrackConfig { low_score: 0.6, ..ByteTrackConfig::default() };
    let (t, out) = run(cfg, &dets);
    let (sw, ids) = id_switches(&out, &truth, 2);
    assert_eq!(sw, 0);
    let t0 = t.tracks().into_iter().find(|tr| tr.id == ids[0][0]).unwrap();
    assert_eq!(t0.points.len(), 40);
}

#[test]
fn a_one_frame_false_positive_never_gets_an_id() {
    let movers = [Mover::player(100.0, 200.0, 2.0, 0.0)];
    let (mut dets, _) = scene(&movers, 30, 5, 0.5, |_, _| Some(0.9));
    let fp = Detection::new(Label::Player, 0.95, BBox::new(600.0, 50.0, 620.0, 100.0).unwrap());
    dets[12].push(fp.clone());
    // And a low-score flicker elsewhere that can never start a track.
    for d in dets.iter_mut().skip(3).step_by(2) {
        d.push(Detection::new(Label::Player, 0.4, BBox::new(700.0, 300.0, 720.0, 350.0).unwrap()));
    }
    let (t, out) = run(ByteTrackConfig::default(), &dets);
    assert_eq!(out[12][1].track_id, None);
    let tracks = t.tracks();
    assert_eq!(tracks.len(), 1);
    assert_eq!(tracks[0].id, 1);
}

#[test]
fn players_and_ball_are_tracked_apart() {
    // A ball sitting on a player's box never takes the player's track.
    let player = Mover::player(200.0, 200.0, 1.0, 0.0);
    let ball = Mover { start: [200.0, 200.0], vel: [1.0, 0.0], size: [20.0, 50.0], label: Label::Ball };
    let (dets, truth) = scene(&[player, ball], 30, 6, 0.3, |_, _| Some(0.9));
    let (t, out) = run(ByteTrackConfig::default(), &dets);
    let (sw, ids) = id_switches(&out, &truth, 2);
    assert_eq!(sw, 0);
    assert_ne!(ids[0], ids[1]);
    let tracks = t.tracks();
    assert_eq!(tracks.iter().filter(|t| t.label == Label::Ball).count(), 1);
    assert_eq!(tracks.iter().filter(|t| t.label == Label::Player).count(), 1);

    // PerLabel keeps a goalkeeper apart from players; PeopleTogether lets a
    // label flip continue the track.
    let mut dets2 = dets.clone();
    for d in dets2.iter_mut().skip(15) {
        d[0].label = Label::Goalkeeper;
    }
    let ts = track_clip(ByteTrackConfig::default(), &times(30), &dets2).unwrap();
    assert_eq!(ts.len(), 2);
    assert_eq!(ts.iter().find(|t| t.label != Label::Ball).unwrap().points.len(), 30);
    let cfg = ByteTrackConfig { grouping: LabelGrouping::PerLabel, ..ByteTrackConfig::default() };
    assert_eq!(track_clip(cfg, &times(30), &dets2).unwrap().len(), 3);
}

#[test]
fn config_and_input_are_validated() {
    for cfg in [
        ByteTrackConfig { high_score: 1.5, ..Default::default() },
        ByteTrackConfig { low_score: 0.7, high_score: 0.6, ..Default::default() },
        ByteTrackConfig { match_iou: 0.0, ..Default::default() },
        ByteTrackConfig { low_match_iou: f64::NAN, ..Default::default() },
        ByteTrackConfig { min_hits: 0, ..Default::default() },
    ] {
        assert!(matches!(ByteTracker::new(cfg), Err(TrackError::InvalidConfig { .. })));
    }
    let mut t = ByteTracker::new(ByteTrackConfig::default()).unwrap();
    let ok = Detection::new(Label::Player, 0.9, BBox::new(0.0, 0.0, 1.0, 1.0).unwrap());
    let mut bad = ok.clone();
    bad.bbox.x2 = f32::NAN; // fields are public: the tracker checks again
    let err = t.update(3, 0.1, &[ok.clone(), bad]).unwrap_err();
    assert!(matches!(err, TrackError::InvalidDetection { frame: 3, index: 1, .. }), "{err}");
    let mut nan_score = ok.clone();
    nan_score.score = f32::NAN;
    assert!(t.update(3, 0.1, &[nan_score]).is_err());
    // A rejected frame leaves no trace; order is enforced.
    t.update(3, 0.1, std::slice::from_ref(&ok)).unwrap();
    assert!(matches!(t.update(3, 0.2, &[]), Err(TrackError::FrameOrder { frame: 3, .. })));
    assert!(matches!(t.update(4, 0.1, &[]), Err(TrackError::FrameOrder { .. })));
    assert!(t.update(5, f64::NAN, &[]).is_err());
    assert!(t.update(usize::MAX, 1e9, &[ok]).is_ok(), "huge frame gaps are cheap");
    assert!(matches!(
        track_clip(ByteTrackConfig::default(), &[0.0], &[]),
        Err(TrackError::LengthMismatch { .. })
    ));
}

fn arb_det() -> impl Strategy<Value = Detection> {
    (
        -1e4f32..1e4,
        -1e4f32..1e4,
        prop_oneof![Just(0.0f32), 0.0f32..500.0],
        prop_oneof![Just(0.0f32), 0.0f32..500.0],
        0.0f32..=1.0,
        prop_oneof![Just(Label::Player), Just(Label::Ball), Just(Label::Referee)],
    )
        .prop_map(|(x, y, w, h, s, l)| Detection::new(l, s, BBox::new(x, y, x + w, y + h).unwrap()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_and_ids_are_unique_per_frame(
        frames in prop::collection::vec(prop::collection::vec(arb_det(), 0..8), 1..25),
        skip in 1usize..4,
        min_hits in 1u32..4,
    ) {
        let cfg = ByteTrackConfig { min_hits, track_buffer: 5, ..ByteTrackConfig::default() };
        let mut t = ByteTracker::new(cfg).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for (i, dets) in frames.iter().enumerate() {
            let out = t.update(i * skip, i as f64 * 0.04, dets).unwrap();
            prop_assert_eq!(out.len(), dets.len());
            let mut ids: Vec<u64> = out.iter().filter_map(|d| d.track_id).collect();
            let n = ids.len();
            ids.sort_unstable();
            ids.dedup();
            prop_assert_eq!(ids.len(), n, "duplicate id in frame {}", i);
            seen.extend(ids);
        }
        let tracks = t.tracks();
        let ids: Vec<u64> = tracks.iter().map(|t| t.id).collect();
        let mut u = ids.clone();
        u.dedup();
        prop_assert_eq!(&u, &ids);
        for id in seen {
            prop_assert!(ids.contains(&id));
        }
        for tr in &tracks {
            prop_assert!(tr.points.windows(2).all(|w| w[0].frame < w[1].frame));
        }
    }
}
