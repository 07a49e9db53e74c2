//! YOLOX on frames of the shared clips: players found, and tiles finding the small ball the
//! full-frame pass misses.

mod common;

use common::{clip_frames, yolox};
use touchline_core::{Detection, Detector, Label};
use touchline_detect::{DetectorConfig, OnnxDetector, TileSearch, Tiling};

fn best_ball(d: &[Detection]) -> Option<&Detection> {
    d.iter().filter(|d| d.label == Label::Ball).max_by(|a, b| a.score.total_cmp(&b.score))
}

#[test]
fn penalty_tiles_find_the_ball_more_often() {
    let idx: Vec<usize> = (0..9).map(|i| i * 12).collect();
    let frames = clip_frames("soccer_penalty_lampard_goal.mp4", &idx);
    assert_eq!(frames[0].size(), (1280, 720));
    let mut full = yolox(false);
    let mut tiled = yolox(true);
    let full_out = full.detect_batch(&frames).unwrap();
    let tiled_out = tiled.detect_batch(&frames).unwrap();
    let hit = |o: &[Vec<Detection>]| o.iter().filter(|d| best_ball(d).is_some_and(|b| b.score > 0.3)).count();
    let (nf, nt) = (hit(&full_out), hit(&tiled_out));
    eprintln!("penalty: ball (score > 0.3) full frame {nf}/9, tiled {nt}/9");
    for (k, (a, b)) in full_out.iter().zip(&tiled_out).enumerate() {
        let p = |d: &[Detection]| d.iter().filter(|d| d.label == Label::Player).count();
        eprintln!(
            "  frame {}: players {} / {}, ball {:?} / {:?}",
            idx[k],
            p(a),
            p(b),
            best_ball(a).map(|d| (d.score, d.bbox.center())),
            best_ball(b).map(|d| (d.score, d.bbox.center()))
        );
    }
    assert!(nt > nf, "tiles should find the ball more often: full {nf}, tiled {nt}");
    assert!(nt >= 7, "tiled found the ball in only {nt} of 9 frames");
    // Tiling only adds balls: the players come from the full-frame pass in both.
    for (a, b) in full_out.iter().zip(&tiled_out) {
        let p = |d: &[Detection]| d.iter().filter(|d| d.label == Label::Player).count();
        assert_eq!(p(a), p(b));
        assert!(p(a) >= 1);
    }
    // Every box lies inside the frame.
    for d in tiled_out.iter().flatten() {
        assert!(d.bbox.x1 >= 0.0 && d.bbox.y1 >= 0.0 && d.bbox.x2 <= 1280.0 && d.bbox.y2 <= 720.0, "{d:?}");
    }
}

#[test]
fn roi_hint_searches_one_tile_and_falls_back() {
    // At frame 48 the full-frame pass misses the ball; tiles find it (see the test above).
    let frames = clip_frames("soccer_penalty_lampard_goal.mp4", &[47, 48]);
    let mut det = yolox(true);
    let first = det.detect(&frames[0]).unwrap();
    let ball = best_ball(&first).expect("ball at frame 47 with tiles");
    let all_tiles_runs = det.stage_times().runs;
    // Hint: where it was one frame earlier.
    det.reset_stage_times();
    let with_hint = det.detect_with_ball_hint(&frames[1], Some(ball.bbox.center())).unwrap();
    let hinted = best_ball(&with_hint).expect("ball found around the hint");
    assert_eq!(det.roi_stats().hits, 1, "{:?}", det.roi_stats());
    assert_eq!(det.stage_times().runs, 2, "full frame + one tile");
    assert!(all_tiles_runs > 2);
    assert!((hinted.bbox.center()[0] - ball.bbox.center()[0]).abs() < 60.0);
    // A hint far from the ball (top-left corner): fall back to all tiles, and get the same
    // ball as without a hint.
    det.reset_stage_times();
    det.set_ball_hint(Some([5.0, 5.0]));
    let fallback = det.detect(&frames[1]).unwrap();
    assert_eq!(det.roi_stats().fallbacks, 1, "{:?}", det.roi_stats());
    assert_eq!(det.stage_times().runs, 2 + all_tiles_runs - 1);
    let no_hint = det.detect(&frames[1]).unwrap();
    let (a, b) = (best_ball(&fallback).unwrap(), best_ball(&no_hint).unwrap());
    assert!(a.bbox.iou(&b.bbox) > 0.9 && (a.score - b.score).abs() < 1e-4, "{a:?} vs {b:?}");
    // Non-finite hints are ignored (full tiling, no ROI bookkeeping).
    det.reset_stage_times();
    det.detect_with_ball_hint(&frames[1], Some([f32::NAN, 3.0])).unwrap();
    let r = det.roi_stats();
    assert_eq!((r.hits, r.full_frame, r.fallbacks, r.searches), (0, 0, 0, 1), "{r:?}");
    assert_eq!(det.stage_times().runs, all_tiles_runs);
}

#[test]
fn wide_angle_players_need_tiles_and_broadcast_players_do_not() {
    // Bundesliga wide camera, 848x478: ~20 players of 20-40 px; the full-frame pass at 416
    // finds few of them, player tiles most.
    let dfl = clip_frames("soccer_dfl_wideangle_08fd33_4.mp4", &[0, 80]);
    let mut c = DetectorConfig::yolox();
    c.intra_threads = 1;
    c.tiling = Some(Tiling { labels: vec![Label::Ball, Label::Player], roi: false, ..Tiling::exhaustive() });
    let mut tiled = OnnxDetector::new(common::yolox_path(), c).unwrap();
    let mut full = yolox(false);
    let players = |d: &[Detection]| d.iter().filter(|d| d.label == Label::Player).count();
    for f in &dfl {
        let (nf, nt) = (players(&full.detect(f).unwrap()), players(&tiled.detect(f).unwrap()));
        eprintln!("dfl frame {}: players full {nf}, tiled {nt}", f.index);
        assert!(nt >= 15 && nt > 2 * nf, "dfl frame {}: full {nf}, tiled {nt}", f.index);
    }
    // NBA broadcast, 1280x720: the ten players are large enough for the full frame.
    for f in &clip_frames("basketball_nba_broadcast_17590_q4.mp4", &[0, 150]) {
        let n = players(&full.detect(f).unwrap());
        eprintln!("nba frame {}: players {n}", f.index);
        assert!(n >= 5, "nba frame {}: only {n} players", f.index);
    }
}

#[test]
fn default_tiling_rations_the_ball_search() {
    // A flat grey 720p frame holds no ball: every frame without a hint is a search frame.
    let grey = |i: usize| {
        touchline_core::Frame::new(
            i,
            i as f64 / 30.0,
            image::RgbImage::from_pixel(1280, 720, image::Rgb([90; 3])),
        )
    };
    let mut c = DetectorConfig::yolox();
    c.intra_threads = 1;
    let t = c.tiling.as_mut().expect("tiling on by default");
    assert_eq!(
        (t.search, t.first_miss_all, t.skip_score),
        (TileSearch::Sweep { frames: 32 }, true, Some(0.5))
    );
    // A short sweep to see it turn: one column of the 4 x 2 tiles per frame.
    t.search = TileSearch::Sweep { frames: 4 };
    let mut det = OnnxDetector::new(common::yolox_path(), c).unwrap();
    let mut runs = Vec::new();
    for i in 0..6 {
        det.reset_stage_times();
        det.detect(&grey(i)).unwrap();
        runs.push(det.stage_times().runs);
    }
    // Full frame + all 8 tiles on the first frame, then full frame + 2 tiles.
    assert_eq!(runs, [9, 3, 3, 3, 3, 3]);
    assert_eq!(det.frames_seen(), 6);
    // A hint where nothing is: full frame, the tile around the hint, then this frame's 2 search
    // tiles.
    det.reset_stage_times();
    det.detect_with_ball_hint(&grey(6), Some([640.0, 360.0])).unwrap();
    let r = det.roi_stats();
    assert_eq!((r.fallbacks, r.searches, r.search_tiles), (1, 1, 2), "{r:?}");
    assert_eq!(det.stage_times().runs, 4);
    // Restarting searches everything again.
    det.restart_search();
    det.reset_stage_times();
    det.detect(&grey(0)).unwrap();
    assert_eq!(det.stage_times().runs, 9);
}

#[test]
fn a_confident_full_frame_ball_skips_the_tiles() {
    // Penalty frame 0: the ball near the spot is big enough for the full-frame pass.
    let frames = clip_frames("soccer_penalty_lampard_goal.mp4", &[0]);
    let mut full = yolox(false);
    let ball = best_ball(&full.detect(&frames[0]).unwrap()).map(|b| b.score);
    assert!(ball.is_some_and(|s| s >= 0.5), "full-frame ball at frame 0: {ball:?}");
    let mut c = DetectorConfig::yolox();
    c.intra_threads = 1;
    let mut det = OnnxDetector::new(common::yolox_path(), c).unwrap();
    let d = det.detect_with_ball_hint(&frames[0], Some([700.0, 500.0])).unwrap();
    assert!(best_ball(&d).is_some_and(|b| b.score >= 0.5));
    assert_eq!(det.stage_times().runs, 1, "only the full frame");
    assert_eq!(det.roi_stats().skipped, 1);
}

#[test]
fn the_first_miss_after_a_find_searches_all_tiles() {
    let frames = clip_frames("soccer_penalty_lampard_goal.mp4", &[47]);
    let grey =
        touchline_core::Frame::new(48, 1.6, image::RgbImage::from_pixel(1280, 720, image::Rgb([90; 3])));
    let mut c = DetectorConfig::yolox();
    c.intra_threads = 1;
    let mut det = OnnxDetector::new(common::yolox_path(), c).unwrap();
    assert!(best_ball(&det.detect(&frames[0]).unwrap()).is_some(), "ball at frame 47");
    // The ball vanishes: the first miss runs the full frame, the hint's tile and all 8 tiles.
    det.reset_stage_times();
    det.detect_with_ball_hint(&grey, Some([640.0, 360.0])).unwrap();
    assert_eq!(det.stage_times().runs, 10);
    // The next miss runs this frame's share of the 32-frame sweep (none on frame 2).
    det.reset_stage_times();
    det.detect_with_ball_hint(&grey, Some([640.0, 360.0])).unwrap();
    assert_eq!(det.stage_times().runs, 2);
    assert_eq!(det.roi_stats().fallbacks, 1);
}

#[test]
fn two_sessions_find_what_one_finds() {
    // Penalty frames 40-60 (the ball on the spot, kicked, then small and blurred), fed in order
    // with the previous frame's ball as the hint: confident frames, ROI hits and fallbacks.
    let idx: Vec<usize> = (40..60).collect();
    let frames = clip_frames("soccer_penalty_lampard_goal.mp4", &idx);
    let run = |sessions: usize| {
        let mut c = DetectorConfig::yolox();
        c.intra_threads = 1;
        c.sessions = sessions;
        let mut det = OnnxDetector::new(common::yolox_path(), c).unwrap();
        assert_eq!(det.sessions(), sessions);
        let mut hint = None;
        let mut out = Vec::new();
        for f in &frames {
            let d = det.detect_with_ball_hint(f, hint).unwrap();
            hint = best_ball(&d).map(|b| b.bbox.center());
            out.push(d);
        }
        let plain_runs = det.stage_times().runs;
        let plain_roi = det.roi_stats();
        // The same sequence again, with the next two frames' full passes run ahead.
        det.restart_search();
        det.reset_stage_times();
        let mut hint = None;
        let mut ahead = Vec::new();
        for (i, f) in frames.iter().enumerate() {
            let next = &frames[(i + 1).min(frames.len())..(i + 3).min(frames.len())];
            let d = det.detect_with_lookahead(f, hint, next).unwrap();
            hint = best_ball(&d).map(|b| b.bbox.center());
            ahead.push(d);
        }
        assert_eq!(out, ahead, "{sessions} sessions: lookahead changed the detections");
        let ahead_runs = det.stage_times().runs;
        // Batches too: several frames' views spread over the sessions.
        let batch = det.detect_batch(&frames[..4]).unwrap();
        ((out, batch, plain_roi), (plain_runs, ahead_runs))
    };
    let ((one, one_batch, one_roi), (one_plain, one_ahead)) = run(1);
    let ((two, two_batch, two_roi), (two_plain, two_ahead)) = run(2);
    assert_eq!(one, two, "per-frame detections differ between one and two sessions");
    assert_eq!(one_batch, two_batch);
    assert_eq!(one_roi, two_roi);
    eprintln!(
        "roi {one_roi:?}; runs: one session {one_plain} ({one_ahead} with lookahead), two {two_plain} ({two_ahead})"
    );
    assert!(one_roi.skipped > 0 && one_roi.hits > 0, "the sequence should cover both paths: {one_roi:?}");
    // Without lookahead, two sessions also ran the tiles of the confident frames, then dropped
    // them; with lookahead, the idle session runs the next full passes instead: no run wasted.
    assert!(two_plain >= one_plain + one_roi.skipped, "runs: one {one_plain}, two {two_plain}");
    assert_eq!(two_ahead, one_ahead, "lookahead runs");
}

#[test]
fn sessions_out_of_range_are_rejected() {
    for n in [0, touchline_detect::MAX_SESSIONS + 1] {
        let mut c = DetectorConfig::yolox();
        c.sessions = n;
        let e = OnnxDetector::new(common::yolox_path(), c).unwrap_err();
        assert!(e.to_string().contains("sessions"), "{e}");
    }
}

#[test]
fn lookahead_without_tiles_keeps_the_detections() {
    let idx: Vec<usize> = (0..6).map(|i| i * 7).collect();
    let frames = clip_frames("soccer_dfl_wideangle_08fd33_4.mp4", &idx);
    let mut one = yolox(false);
    let want: Vec<Vec<Detection>> = frames.iter().map(|f| one.detect(f).unwrap()).collect();
    let mut c = DetectorConfig::yolox().without_tiling();
    c.intra_threads = 1;
    c.sessions = 3;
    let mut det = OnnxDetector::new(common::yolox_path(), c).unwrap();
    let got: Vec<Vec<Detection>> = (0..frames.len())
        .map(|i| {
            det.detect_with_lookahead(&frames[i], None, &frames[i + 1..(i + 3).min(frames.len())]).unwrap()
        })
        .collect();
    assert_eq!(want, got);
    // Each frame's full pass ran once: ahead of it, or on its own call.
    assert_eq!(det.stage_times().runs, frames.len());
}
