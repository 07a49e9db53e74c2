//! The 1-D layer: exactness, shape preservation, bad input.

mod common;
use common::cumulative;

use proptest::prelude::*;
use touchline_impute::ImputeError;
use touchline_impute::interp::{Interp1d, Kind, interpolate, validate_knots};

/// Strictly increasing, uneven knot times: steps in [0.05, 1].
fn times(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<f64>> {
    (prop::collection::vec(0.05f64..1.0, n), -5.0f64..5.0).prop_map(|(steps, t0)| cumulative(t0, &steps))
}

/// Dense queries over the knot range (not only on knots).
fn queries(t: &[f64]) -> Vec<f64> {
    let (a, b) = (t[0], t[t.len() - 1]);
    (0..=97).map(|i| a + (b - a) * i as f64 / 97.0).collect()
}

proptest! {
    #[test]
    fn every_method_reproduces_lines(t in times(4..30), a in -50.0f64..50.0, b in -10.0f64..10.0) {
        let y: Vec<f64> = t.iter().map(|&t| a + b * t).collect();
        let x = queries(&t);
        for kind in Kind::ALL {
            let v = interpolate(kind, &t, &y, &x).unwrap();
            for (xi, vi) in x.iter().zip(&v) {
                prop_assert!((vi - (a + b * xi)).abs() <= 1e-9, "{kind} at {xi}: {vi} vs {}", a + b * xi);
            }
        }
    }

    #[test]
    fn not_a_knot_reproduces_cubics(t in times(4..25), c in prop::array::uniform4(-2.0f64..2.0)) {
        // centre the cubic on the knots so values stay moderate
        let m = 0.5 * (t[0] + t[t.len() - 1]);
        let p = |x: f64| { let u = x - m; c[0] + u * (c[1] + u * (c[2] + u * c[3])) };
        let y: Vec<f64> = t.iter().map(|&x| p(x)).collect();
        let x = queries(&t);
        let v = interpolate(Kind::NotAKnotSpline, &t, &y, &x).unwrap();
        for (xi, vi) in x.iter().zip(&v) {
            prop_assert!((vi - p(*xi)).abs() <= 1e-9, "at {xi}: {vi} vs {}", p(*xi));
        }
    }

    #[test]
    fn monotone_methods_stay_monotone_and_within_neighbours(
        t in times(3..30),
        steps in prop::collection::vec(0.0f64..3.0, 30),
        up in any::<bool>(),
    ) {
        let mut y = Vec::with_capacity(t.len());
        let mut acc = 0.0;
        for s in steps.iter().take(t.len()) {
            acc += if up { *s } else { -*s };
            y.push(acc);
        }
        for kind in [Kind::Steffen, Kind::Pchip] {
            let f = Interp1d::new(kind, &t, &y).unwrap();
            for i in 0..t.len() - 1 {
                let (lo, hi) = (y[i].min(y[i + 1]), y[i].max(y[i + 1]));
                let mut prev = y[i];
                for k in 1..=20 {
                    let x = t[i] + (t[i + 1] - t[i]) * k as f64 / 20.0;
                    let v = f.eval(x);
                    prop_assert!(v >= lo - 1e-12 && v <= hi + 1e-12, "{kind}: {v} outside [{lo}, {hi}]");
                    if up {
                        prop_assert!(v >= prev - 1e-12, "{kind}: not increasing at {x}");
                    } else {
                        prop_assert!(v <= prev + 1e-12, "{kind}: not decreasing at {x}");
                    }
                    prev = v;
                }
            }
        }
    }

    #[test]
    fn knots_are_reproduced_and_outputs_finite(t in times(4..20), y in prop::collection::vec(-100.0f64..100.0, 20)) {
        let y = &y[..t.len()];
        for kind in Kind::ALL {
            let f = Interp1d::new(kind, &t, y).unwrap();
            for (ti, yi) in t.iter().zip(y) {
                prop_assert_eq!(f.eval(*ti), *yi);
            }
            let x = queries(&t);
            let mut out = vec![0.0; x.len()];
            f.eval_into(&x, &mut out).unwrap();
            prop_assert!(out.iter().all(|v| v.is_finite()));
            // unsorted queries give the same values
            let rev: Vec<f64> = x.iter().rev().copied().collect();
            let mut out_rev = vec![0.0; x.len()];
            f.eval_into(&rev, &mut out_rev).unwrap();
            out_rev.reverse();
            prop_assert_eq!(out, out_rev);
        }
    }
}

#[test]
fn natural_spline_has_zero_curvature_at_the_ends() {
    let t = [0.0, 0.5, 1.5, 2.0, 3.5];
    let y = [0.0, 2.0, -1.0, 0.5, 3.0];
    let f = Interp1d::new(Kind::NaturalSpline, &t, &y).unwrap();
    let d = f.slopes();
    // p'' of the Hermite cubic at the left end of interval 0 and the right end of the last one
    let (h0, s0) = (t[1] - t[0], (y[1] - y[0]) / (t[1] - t[0]));
    assert!((2.0 * (3.0 * s0 - 2.0 * d[0] - d[1]) / h0).abs() < 1e-12);
    let (h, s) = (t[4] - t[3], (y[4] - y[3]) / (t[4] - t[3]));
    assert!(((2.0 * d[3] + 4.0 * d[4] - 6.0 * s) / h).abs() < 1e-12);
    // and C2 inside: p'' from both sides of knot 2 agrees
    let left = (2.0 * d[1] + 4.0 * d[2] - 6.0 * (y[2] - y[1]) / (t[2] - t[1])) / (t[2] - t[1]);
    let right = 2.0 * (3.0 * (y[3] - y[2]) / (t[3] - t[2]) - 2.0 * d[2] - d[3]) / (t[3] - t[2]);
    assert!((left - right).abs() < 1e-12);
}

#[test]
fn steffen_uses_end_secants_and_gsl_min_sizes() {
    let t = [0.0, 1.0, 3.0];
    let y = [0.0, 2.0, 3.0];
    let f = Interp1d::new(Kind::Steffen, &t, &y).unwrap();
    assert_eq!(f.slopes()[0], 2.0);
    assert_eq!(f.slopes()[2], 0.5);
    let expected = [
        (Kind::Linear, 2),
        (Kind::NaturalSpline, 3),
        (Kind::NotAKnotSpline, 4),
        (Kind::Steffen, 3),
        (Kind::Pchip, 3),
        (Kind::Akima, 3),
        (Kind::Makima, 3),
    ];
    for (k, n) in expected {
        assert_eq!(k.min_knots(), n);
        assert_eq!(Kind::parse(k.name()), Some(k));
    }
    assert_eq!(Kind::parse("nope"), None);
}

#[test]
fn bad_input_gives_typed_errors() {
    let t = [0.0, 1.0, 2.0, 3.0];
    let y = [0.0, 1.0, 0.0, 1.0];
    for kind in Kind::ALL {
        let n = kind.min_knots();
        assert!(matches!(
            Interp1d::new(kind, &t[..n - 1], &y[..n - 1]),
            Err(ImputeError::TooFewKnots { needed, found, .. }) if needed == n && found == n - 1
        ));
        assert!(matches!(Interp1d::new(kind, &[], &[]), Err(ImputeError::TooFewKnots { found: 0, .. })));
        assert!(matches!(
            Interp1d::new(kind, &t, &y[..3]),
            Err(ImputeError::LengthMismatch { times: 4, values: 3 })
        ));
        let mut bad = y;
        bad[2] = f64::NAN;
        assert!(matches!(
            Interp1d::new(kind, &t, &bad),
            Err(ImputeError::NonFiniteKnot { what: "value", index: 2, .. })
        ));
        bad[2] = f64::INFINITY;
        assert!(matches!(
            Interp1d::new(kind, &t, &bad),
            Err(ImputeError::NonFiniteKnot { what: "value", .. })
        ));
        let mut bt = t;
        bt[1] = f64::NEG_INFINITY;
        assert!(matches!(
            Interp1d::new(kind, &bt, &y),
            Err(ImputeError::NonFiniteKnot { what: "time", index: 1, .. })
        ));
        bt[1] = 0.0;
        assert!(matches!(
            Interp1d::new(kind, &bt, &y),
            Err(ImputeError::NonIncreasingKnots { index: 1, .. })
        ));
        bt[1] = -1.0;
        assert!(validate_knots(kind, &bt, &y).is_err());
        let f = Interp1d::new(kind, &t, &y).unwrap();
        let mut out = [0.0; 2];
        assert!(matches!(
            f.eval_into(&[0.5], &mut out),
            Err(ImputeError::OutputLength { expected: 1, found: 2 })
        ));
        assert!(f.eval(f64::NAN).is_nan());
        assert!(f.eval(-10.0).is_finite() && f.eval(10.0).is_finite());
    }
}
