//! Homography, JSON/CSV round trips and TrackingData export.

use touchline_core::{BBox, Label, SplitMix64, Team, Track, TrackPoint, Tracker};
use touchline_track::{
    ByteTrackConfig, ByteTracker, Homography, TrackError, frame_times_of, read_tracks_csv, read_tracks_json,
    to_tracking_data_metres, to_tracking_data_pixels, write_tracks_csv, write_tracks_json,
};

fn apply(h: &[[f64; 3]; 3], p: [f64; 2]) -> [f64; 2] {
    let v: Vec<f64> = (0..3).map(|r| h[r][0] * p[0] + h[r][1] * p[1] + h[r][2]).collect();
    [v[0] / v[2], v[1] / v[2]]
}

#[test]
fn homography_recovers_a_known_projective_map() {
    // A broadcast-like perspective: image pixels -> pitch metres.
    let truth = [[0.12, 0.03, -50.0], [0.004, 0.31, -40.0], [0.00002, 0.0011, 1.0]];
    let mut rng = SplitMix64::new(11);
    for n in [4usize, 6, 20] {
        let img: Vec<[f64; 2]> =
            (0..n).map(|_| [rng.uniform() * 848.0, 120.0 + rng.uniform() * 350.0]).collect();
        let pitch: Vec<[f64; 2]> = img.iter().map(|&p| apply(&truth, p)).collect();
        let h = Homography::from_points(&img, &pitch).unwrap();
        assert!(h.reprojection_rms(&img, &pitch) < 1e-9);
        // Elsewhere in the image too, and the inverse.
        let inv = h.inverse().unwrap();
        for _ in 0..50 {
            let p = [rng.uniform() * 848.0, 120.0 + rng.uniform() * 350.0];
            let (q, want) = (h.apply(p).unwrap(), apply(&truth, p));
            assert!(
                (q[0] - want[0]).abs() < 1e-6 && (q[1] - want[1]).abs() < 1e-6,
                "n={n}: {q:?} vs {want:?}"
            );
            let back = inv.apply(q).unwrap();
            assert!((back[0] - p[0]).abs() < 1e-6 && (back[1] - p[1]).abs() < 1e-6);
        }
        // The matrix equals the truth up to scale.
        let m = h.matrix();
        let s = truth[2][2] / m[(2, 2)];
        for r in 0..3 {
            for c in 0..3 {
                assert!((m[(r, c)] * s - truth[r][c]).abs() < 1e-6 * truth[r][c].abs().max(1e-3));
            }
        }
    }
}

#[test]
fn homography_rejects_degenerate_input() {
    let sq = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
    let err = |r: Result<Homography, TrackError>| matches!(r, Err(TrackError::Homography(_)));
    // Collinear sources or targets.
    let line = [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [5.0, 5.0]];
    assert!(err(Homography::from_points(&line, &[sq[0], sq[1], sq[2], sq[3], [0.5, 0.2]])));
    assert!(err(Homography::from_points(&sq, &line[..4])));
    // Three of four on a line.
    assert!(err(Homography::from_points(&[[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.0, 1.0]], &sq)));
    // Too few, coincident, non-finite, mismatched lengths.
    assert!(err(Homography::from_points(&sq[..3], &sq[..3])));
    assert!(err(Homography::from_points(&[[1.0, 1.0]; 4], &sq)));
    assert!(err(Homography::from_points(&[[f64::NAN, 0.0], sq[1], sq[2], sq[3]], &sq)));
    assert!(matches!(Homography::from_points(&sq, &sq[..3]), Err(TrackError::LengthMismatch { .. })));
    assert!(Homography::from_rows([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]).is_err());
    assert!(Homography::from_points(&sq, &sq).is_ok());
}

fn sample_tracks() -> Vec<Track> {
    let p = |f: usize, x: f32, s: f32| TrackPoint {
        frame: f,
        timestamp: f as f64 / 25.0 + 0.1,
        bbox: BBox::new(x, 10.25, x + 20.1, 60.7).unwrap(),
        score: s,
    };
    vec![
        Track {
            id: 1,
            label: Label::Player,
            team: Team::Home,
            points: vec![p(0, 1.5, 0.91), p(1, 3.3, 0.0), p(5, 7.1, 0.123)],
        },
        Track { id: 2, label: Label::Ball, team: Team::Ball, points: vec![p(1, 100.0, 0.5)] },
        Track {
            id: 9,
            label: Label::Other("linesman, left".into()),
            team: Team::Officials,
            points: vec![p(2, -4.0, 1.0)],
        },
    ]
}

#[test]
fn json_and_csv_round_trip_bit_for_bit() {
    let tracks = sample_tracks();
    let mut j = Vec::new();
    write_tracks_json(&mut j, &tracks).unwrap();
    assert_eq!(read_tracks_json(j.as_slice()).unwrap(), tracks);
    let mut c = Vec::new();
    write_tracks_csv(&mut c, &tracks).unwrap();
    let text = String::from_utf8(c.clone()).unwrap();
    assert!(text.starts_with("track_id,label,team,frame,timestamp,x1,y1,x2,y2,score\n"));
    assert!(text.contains("\"other:linesman, left\""));
    assert_eq!(read_tracks_csv(c.as_slice()).unwrap(), tracks);
    // Rows in any order, columns in any order.
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    assert_eq!(read_tracks_csv(lines.join("\n").as_bytes()).unwrap(), tracks);
}

#[test]
fn malformed_files_give_errors_naming_the_place() {
    let bad_csv = [
        ("track_id,label,team,frame,timestamp,x1,y1,x2,y2\n1,player,home,0,0,0,0,1,1\n", "header"),
        (
            "track_id,label,team,frame,timestamp,x1,y1,x2,y2,score\n1,player,home,0,0,0,0,1,1,0.5\nx,player,home,1,0,0,0,1,1,0.5\n",
            "row 2, column track_id",
        ),
        (
            "track_id,label,team,frame,timestamp,x1,y1,x2,y2,score\n1,player,blue,0,0,0,0,1,1,0.5\n",
            "row 1, column team",
        ),
        ("track_id,label,team,frame,timestamp,x1,y1,x2,y2,score\n1,player,home,0,0,5,0,1,1,0.5\n", "row 1"),
        ("track_id,label,team,frame,timestamp,x1,y1,x2,y2,score\n1,player,home,0,NaN,0,0,1,1,0.5\n", "row 1"),
        (
            "track_id,label,team,frame,timestamp,x1,y1,x2,y2,score\n1,player,home,0,0,0,0,1,1,0.5\n1,ball,home,1,0,0,0,1,1,0.5\n",
            "row 2",
        ),
        (
            "track_id,label,team,frame,timestamp,x1,y1,x2,y2,score\n1,player,home,0,0,0,0,1,1,0.5\n1,player,home,0,0,0,0,1,1,0.5\n",
            "track 1",
        ),
        ("track_id,label,team,frame,timestamp,x1,y1,x2,y2,score\n1,player,home,0,0,0,0,1,1\n", "row 1"),
    ];
    for (text, place) in bad_csv {
        let e = read_tracks_csv(text.as_bytes()).unwrap_err();
        assert!(e.to_string().contains(place), "{e} should name {place}");
    }
    let e = read_tracks_json("[{\"id\": 1,".as_bytes()).unwrap_err();
    assert!(e.to_string().contains("line 1"), "{e}");
    let dup = r#"[{"id":1,"label":"Player","team":"Home","points":[]},{"id":1,"label":"Ball","team":"Ball","points":[]}]"#;
    assert!(read_tracks_json(dup.as_bytes()).unwrap_err().to_string().contains("duplicate"));
    let inverted = r#"[{"id":1,"label":"Player","team":"Home","points":[{"frame":0,"timestamp":0.0,"bbox":{"x1":5,"y1":0,"x2":1,"y2":1},"score":1}]}]"#;
    assert!(read_tracks_json(inverted.as_bytes()).is_err());
    assert!(read_tracks_csv(&b""[..]).unwrap_err().to_string().contains("header"));
    assert!(
        read_tracks_csv(&b"track_id,label,team,frame,timestamp,x1,y1,x2,y2,score\n"[..]).unwrap().is_empty()
    );
}

#[test]
fn tracking_data_in_pixels_and_metres() {
    let mut tr = ByteTracker::new(ByteTrackConfig::default()).unwrap();
    // Detections every other frame (frames 100, 102, ...), one player, one ball.
    for k in 0..10usize {
        let f = 100 + 2 * k;
        let x = 50.0 + 4.0 * k as f32;
        let dets = [
            touchline_core::Detection::new(Label::Player, 0.9, BBox::new(x, 100.0, x + 20.0, 150.0).unwrap()),
            touchline_core::Detection::new(Label::Ball, 0.9, BBox::new(300.0, 80.0, 310.0, 90.0).unwrap()),
        ];
        tr.update(f, f as f64 / 25.0, &dets).unwrap();
    }
    let tracks = tr.tracks();
    let px = to_tracking_data_pixels(&tracks, tr.frame_times()).unwrap();
    assert_eq!((px.n_frames(), px.n_agents()), (10, 2));
    assert_eq!(frame_times_of(&tracks).unwrap(), tr.frame_times());
    let player = tracks.iter().position(|t| t.label == Label::Player).unwrap();
    let ball = px.ball_index().unwrap();
    assert_eq!(px.positions()[[3, player, 0]], 72.0); // bottom centre x
    assert_eq!(px.positions()[[3, player, 1]], 150.0); // feet
    assert_eq!(px.positions()[[3, ball, 1]], 85.0); // ball centre
    assert!(px.observed().iter().all(|&o| o));

    // Metres through a homography: a scale of 10 px per metre, origin at (400, 200), y up.
    let img = [[400.0, 200.0], [500.0, 200.0], [500.0, 100.0], [400.0, 100.0]];
    let pitch = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
    let h = Homography::from_points(&img, &pitch).unwrap();
    let m = to_tracking_data_metres(&tracks, tr.frame_times(), &h).unwrap();
    assert!((m.positions()[[3, player, 0]] - (72.0 - 400.0) / 10.0).abs() < 1e-9);
    assert!((m.positions()[[3, player, 1]] - (200.0 - 150.0) / 10.0).abs() < 1e-9);
    assert!((m.positions()[[0, ball, 1]] - (200.0 - 85.0) / 10.0).abs() < 1e-9);

    // A frame table missing a track's frame is an error naming it.
    let e = to_tracking_data_pixels(&tracks, &tr.frame_times()[1..]).unwrap_err();
    assert!(e.to_string().contains("frame 100"), "{e}");
}
