//! The synthetic match is deterministic, complete and physically plausible.

use touchline_core::{Pitch, Team};
use touchline_io::synthetic::SyntheticMatch;

#[test]
fn deterministic_complete_and_plausible() {
    let m = SyntheticMatch { seed: 3, seconds: 120.0, frame_rate: 25.0, pitch: Pitch::FOOTBALL };
    let a = m.generate().unwrap();
    let b = m.generate().unwrap();
    assert_eq!(a, b);
    assert_eq!(a.n_frames(), 3000);
    assert_eq!(a.team_indices(Team::Home).len(), 11);
    assert_eq!(a.team_indices(Team::Away).len(), 11);
    assert_eq!(a.ball_index(), Some(22));
    assert_eq!(a.missing_fraction(), 0.0);
    assert_eq!(a.pitch(), Some(Pitch::FOOTBALL));
    let p = a.positions();
    for ag in 0..22 {
        for f in 1..a.n_frames() {
            let d = ((p[[f, ag, 0]] - p[[f - 1, ag, 0]]).powi(2)
                + (p[[f, ag, 1]] - p[[f - 1, ag, 1]]).powi(2))
            .sqrt();
            assert!(d * 25.0 <= 8.0 + 1e-9, "player {ag} at frame {f} moves at {} m/s", d * 25.0);
            assert!(p[[f, ag, 0]].abs() <= 54.5 && p[[f, ag, 1]].abs() <= 36.0);
        }
    }
    // the ball moves: it travels well over 100 m in two minutes
    let ball: f64 = (1..a.n_frames())
        .map(|f| {
            ((p[[f, 22, 0]] - p[[f - 1, 22, 0]]).powi(2) + (p[[f, 22, 1]] - p[[f - 1, 22, 1]]).powi(2)).sqrt()
        })
        .sum();
    assert!(ball > 100.0, "ball travelled {ball} m");
    let other = SyntheticMatch { seed: 4, ..m }.generate().unwrap();
    assert_ne!(other.positions(), a.positions());
}

#[test]
fn rejects_bad_parameters() {
    for m in [
        SyntheticMatch { seconds: 0.0, ..Default::default() },
        SyntheticMatch { seconds: f64::NAN, ..Default::default() },
        SyntheticMatch { frame_rate: -1.0, ..Default::default() },
        SyntheticMatch { pitch: Pitch { length: 0.0, width: 68.0 }, ..Default::default() },
    ] {
        assert!(m.generate().is_err(), "{m:?} accepted");
    }
}
