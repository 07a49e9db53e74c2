//! The streaming imputer: agreement with the batch imputer, order and
//! exactly-once emission, latency, bounded memory, bad input.

use ndarray::{Array2, Array3};
use proptest::prelude::*;
use touchline_core::{Agent, Team, TrackingData};
use touchline_impute::interp::Kind;
use touchline_impute::{
    Edges, EmittedFrame, GapPolicy, ImputeError, InterpImputer, InterpParams, LongGaps, OnlineError,
    OnlineFallback, OnlineImputer, OnlineParams, PlausibilityCap,
};
use touchline_io::synthetic::SyntheticMatch;

/// Small deterministic generator (xorshift64*), so the tests need no extra crate.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The synthetic match with gaps punched per agent: runs of 1..=`max_gap_frames`
/// missing frames separated by at least `min_seen` observed frames.
fn punched(seconds: f64, seed: u64, max_gap_frames: u64, min_seen: u64) -> TrackingData {
    let truth =
        SyntheticMatch { seed, seconds, ..SyntheticMatch::default() }.generate().expect("synthetic match");
    let (nf, na) = (truth.n_frames(), truth.n_agents());
    let mut pos = truth.positions().clone();
    let mut obs = Array2::from_elem((nf, na), true);
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    for a in 0..na {
        let mut f = rng.below(3 * min_seen) as usize;
        while f < nf {
            let len = 1 + rng.below(max_gap_frames) as usize;
            for g in f..(f + len).min(nf) {
                obs[[g, a]] = false;
                pos[[g, a, 0]] = f64::NAN;
                pos[[g, a, 1]] = f64::NAN;
            }
            f += len + min_seen as usize + rng.below(4 * min_seen) as usize;
        }
    }
    TrackingData::new(pos, obs, truth.timestamps_slice().to_vec(), truth.agents().to_vec())
        .expect("punched data")
}

fn frame_positions(data: &TrackingData, f: usize) -> Vec<Option<[f64; 2]>> {
    let (pos, obs) = (data.positions(), data.observed());
    (0..data.n_agents()).map(|a| obs[[f, a]].then(|| [pos[[f, a, 0]], pos[[f, a, 1]]])).collect()
}

/// Streams `data` through the online imputer, checking order, exactly-once
/// emission and the latency bound at every push; returns the frames and the
/// largest buffer seen.
fn stream(data: &TrackingData, params: OnlineParams) -> (Vec<EmittedFrame>, usize) {
    let mut on = OnlineImputer::new(data.agents(), params).expect("params");
    let t = data.timestamps_slice();
    let mut out: Vec<EmittedFrame> = Vec::with_capacity(t.len());
    let (mut max_buf, mut due) = (0, 0);
    for (f, &tf) in t.iter().enumerate() {
        out.extend(on.push(tf, f as i64, &frame_positions(data, f)).expect("valid frame"));
        max_buf = max_buf.max(on.buffered_frames());
        // Latency: every frame at least max_lookahead old has been emitted.
        while due < f && tf - t[due] >= params.max_lookahead {
            due += 1;
        }
        assert!(out.len() >= due, "frame {f}: {} emitted, {due} due", out.len());
    }
    out.extend(on.flush());
    assert_eq!(on.buffered_frames(), 0);
    let ids: Vec<i64> = out.iter().map(|e| e.frame_id).collect();
    assert_eq!(ids, (0..t.len() as i64).collect::<Vec<_>>(), "every frame once, in order");
    (out, max_buf)
}

/// Largest difference between the online frames and the batch output;
/// checks observed entries are bit-identical and the missing pattern agrees.
fn compare(data: &TrackingData, batch: &TrackingData, online: &[EmittedFrame]) -> f64 {
    let (bp, obs) = (batch.positions(), data.observed());
    let mut worst = 0.0_f64;
    for (f, e) in online.iter().enumerate() {
        assert_eq!(e.time_s.to_bits(), data.timestamps_slice()[f].to_bits());
        for a in 0..data.n_agents() {
            assert_eq!(e.observed[a], obs[[f, a]]);
            let b = [bp[[f, a, 0]], bp[[f, a, 1]]];
            match e.positions[a] {
                Some(p) if obs[[f, a]] => {
                    assert_eq!(p.map(f64::to_bits), b.map(f64::to_bits), "observed f{f} a{a}");
                }
                Some(p) => {
                    assert!(b[0].is_finite(), "f{f} a{a}: online filled {p:?}, batch left missing");
                    worst = worst.max((p[0] - b[0]).abs()).max((p[1] - b[1]).abs());
                }
                None => assert!(b[0].is_nan(), "f{f} a{a}: online left missing, batch {b:?}"),
            }
        }
    }
    worst
}

fn batch(data: &TrackingData, kind: Kind, max_gap: f64, edges: Edges) -> TrackingData {
    let policy = GapPolicy { max_gap, edges, long_gaps: LongGaps::Leave, fallback: Some(Kind::Linear) };
    InterpImputer::new(kind, InterpParams { policy, cap: None })
        .expect("params")
        .impute_with_report(data)
        .expect("batch")
        .0
}

#[test]
fn agrees_with_batch_for_gaps_within_lookahead() {
    // Gaps up to 1.2 s (30 frames), at least 3 frames seen between gaps; the
    // look-ahead (5 s) covers any gap plus the 3 knots after it.
    let data = punched(120.0, 11, 30, 3);
    println!("missing fraction {:.3}", data.missing_fraction());
    for kind in Kind::ALL {
        for (max_gap, edges) in [(f64::INFINITY, Edges::Leave), (0.6, Edges::Leave)] {
            let params = OnlineParams { max_lookahead: 5.0, max_gap, edges, ..OnlineParams::new(kind) };
            let t0 = std::time::Instant::now();
            let (out, _) = stream(&data, params);
            let online_s = t0.elapsed().as_secs_f64();
            let t0 = std::time::Instant::now();
            let b = batch(&data, kind, max_gap, edges);
            let batch_s = t0.elapsed().as_secs_f64();
            let worst = compare(&data, &b, &out);
            println!(
                "{kind:>18} max_gap {max_gap}: max |online - batch| = {worst:.3e} m; \
                 online {:.1} ms, batch {:.1} ms",
                online_s * 1e3,
                batch_s * 1e3
            );
            match kind {
                Kind::Linear | Kind::Pchip | Kind::Steffen => assert_eq!(worst, 0.0, "{kind}"),
                Kind::Akima | Kind::Makima => assert!(worst <= 1e-9, "{kind}: {worst}"),
                Kind::NaturalSpline | Kind::NotAKnotSpline => assert!(worst <= 1e-2, "{kind}: {worst}"),
            }
        }
    }
}

#[test]
fn spline_agreement_improves_with_context() {
    let data = punched(60.0, 5, 25, 2);
    let mut prev = f64::INFINITY;
    for c in [2, 4, 8, 16] {
        let params = OnlineParams {
            max_lookahead: 30.0,
            edges: Edges::Leave,
            context_knots: Some(c),
            ..OnlineParams::new(Kind::NotAKnotSpline)
        };
        let (out, _) = stream(&data, params);
        let worst = compare(&data, &batch(&data, Kind::NotAKnotSpline, f64::INFINITY, Edges::Leave), &out);
        println!("not-a-knot, context {c:2}: max |online - batch| = {worst:.3e} m");
        assert!(worst <= prev * 1.0001 + 1e-12, "context {c}: {worst} > {prev}");
        prev = worst;
    }
    assert!(prev < 1e-6, "{prev}");
}

#[test]
fn hold_edges_agree_with_batch_when_agents_seen_at_both_ends() {
    // With every agent observed in the first and last frames there are no
    // edges, so Hold gives what Leave gives, and what the batch gives.
    let mut data = punched(60.0, 3, 20, 3);
    let nf = data.n_frames();
    let truth =
        SyntheticMatch { seed: 3, seconds: 60.0, ..SyntheticMatch::default() }.generate().expect("synthetic");
    let (mut pos, mut obs) = (data.positions().clone(), data.observed().clone());
    for f in [0, nf - 1] {
        for a in 0..data.n_agents() {
            obs[[f, a]] = true;
            pos[[f, a, 0]] = truth.positions()[[f, a, 0]];
            pos[[f, a, 1]] = truth.positions()[[f, a, 1]];
        }
    }
    data =
        TrackingData::new(pos, obs, data.timestamps_slice().to_vec(), data.agents().to_vec()).expect("data");
    for kind in [Kind::Linear, Kind::Pchip] {
        for edges in [Edges::Hold, Edges::Extrapolate] {
            let params = OnlineParams { max_lookahead: 4.0, edges, ..OnlineParams::new(kind) };
            let (out, _) = stream(&data, params);
            assert_eq!(compare(&data, &batch(&data, kind, f64::INFINITY, edges), &out), 0.0);
        }
    }
}

#[test]
fn leading_edges_agree_with_batch() {
    // Agent 0 appears at frame 10, agent 1 at frame 40 (beyond max_gap 1 s).
    let n = 80;
    let t: Vec<f64> = (0..n).map(|i| i as f64 * 0.04).collect();
    let mut pos = Array3::from_elem((n, 2, 2), f64::NAN);
    let mut obs = Array2::from_elem((n, 2), false);
    for f in 0..n {
        for (a, first) in [(0, 10), (1, 40)] {
            if f >= first {
                obs[[f, a]] = true;
                pos[[f, a, 0]] = 3.0 * t[f] + a as f64;
                pos[[f, a, 1]] = -t[f] * t[f];
            }
        }
    }
    let agents = vec![Agent::new("a", Team::Home), Agent::new("b", Team::Away)];
    let data = TrackingData::new(pos, obs, t, agents).expect("data");
    for edges in [Edges::Hold, Edges::Extrapolate, Edges::Leave] {
        let params =
            OnlineParams { max_lookahead: 2.0, max_gap: 1.0, edges, ..OnlineParams::new(Kind::Linear) };
        let (out, _) = stream(&data, params);
        assert_eq!(compare(&data, &batch(&data, Kind::Linear, 1.0, edges), &out), 0.0, "{edges:?}");
        if edges != Edges::Leave {
            assert!(out[0].positions[0].is_some() && out[0].positions[1].is_none());
        }
    }
}

#[test]
fn given_up_frames_follow_edges_and_max_gap() {
    // Seen for 1 s moving at 2 m/s along x, then gone for good.
    let agents = vec![Agent::new("p", Team::Home)];
    for edges in [Edges::Hold, Edges::Extrapolate, Edges::Leave] {
        let params =
            OnlineParams { max_lookahead: 0.5, max_gap: 1.0, edges, ..OnlineParams::new(Kind::Pchip) };
        let mut on = OnlineImputer::new(&agents, params).expect("params");
        let mut out = Vec::new();
        for i in 0..100 {
            let t = i as f64 * 0.04;
            let p = (i <= 25).then_some([2.0 * t, 5.0]);
            let got = on.push(t, i, &[p]).expect("push");
            for e in &got {
                // by the first push at least max_lookahead later: within one frame interval more
                assert!(t - e.time_s < 0.5 + 0.04, "latency {} at {t}", t - e.time_s);
            }
            out.extend(got);
        }
        assert!(on.buffered_frames() <= 13, "{}", on.buffered_frames());
        out.extend(on.flush());
        assert_eq!(out.len(), 100);
        for e in &out[26..] {
            let since = e.time_s - 1.0;
            match (edges, e.positions[0]) {
                (_, None) => {
                    assert!(edges == Edges::Leave || since > 1.0 - 1e-12, "{edges:?} t {}", e.time_s)
                }
                (Edges::Hold, Some(p)) => assert_eq!(p, [2.0, 5.0]),
                (Edges::Extrapolate, Some(p)) => assert!((p[0] - 2.0 * e.time_s).abs() < 1e-9 && p[1] == 5.0),
                (Edges::Leave, Some(p)) => panic!("left edge filled {p:?}"),
            }
        }
        let r = on.report().totals();
        assert_eq!(r.observed, 26);
        assert_eq!(r.filled() + r.left(), 74);
    }
}

#[test]
fn gap_reappearing_after_lookahead_is_filled_from_both_ends() {
    // Gap of 2 s with a 0.5 s look-ahead: the first frames are given up
    // (held), the rest interpolated once the agent reappears.
    let agents = vec![Agent::new("p", Team::Home)];
    let params = OnlineParams { max_lookahead: 0.5, ..OnlineParams::new(Kind::Linear) };
    let mut on = OnlineImputer::new(&agents, params).expect("params");
    let mut out = Vec::new();
    for i in 0..150 {
        let t = i as f64 * 0.04;
        let p = (!(50..100).contains(&i)).then_some([t, 0.0]);
        out.extend(on.push(t, i, &[p]).expect("push"));
    }
    out.extend(on.flush());
    let x = |i: usize| out[i].positions[0].expect("filled")[0];
    assert_eq!(x(50), x(49)); // held
    assert!((x(99) - 99.0 * 0.04).abs() < 1e-9); // interpolated: the line is exact
    let r = on.report().totals();
    assert!(r.filled_edge > 0 && r.filled_method > 0 && r.left() == 0, "{r:?}");
}

#[test]
fn memory_stays_bounded_over_an_hour() {
    // 1 h at 25 Hz, 3 agents: one missing 5 min of every 10, one with random
    // short gaps, one always seen.
    let agents: Vec<Agent> = (0..3).map(|i| Agent::new(format!("p{i}"), Team::Home)).collect();
    let lookahead = 2.0;
    for kind in [Kind::Linear, Kind::Akima, Kind::NotAKnotSpline] {
        let params = OnlineParams { max_lookahead: lookahead, max_gap: 3.0, ..OnlineParams::new(kind) };
        let mut on = OnlineImputer::new(&agents, params).expect("params");
        let mut rng = Rng(42);
        let (mut emitted, mut max_buf, mut max_knots) = (0usize, 0, 0);
        let mut gap_left = 0;
        let n = 3600 * 25;
        for i in 0..n {
            let t = i as f64 / 25.0;
            if gap_left == 0 && rng.below(50) == 0 {
                gap_left = 1 + rng.below(60);
            }
            let random_seen = gap_left == 0;
            gap_left = gap_left.saturating_sub(1);
            let p = [
                ((i / (25 * 300)) % 2 == 0).then_some([t.sin(), t.cos()]),
                random_seen.then_some([t, 1.0]),
                Some([0.0, t]),
            ];
            emitted += on.push(t, i as i64, &p).expect("push").len();
            max_buf = max_buf.max(on.buffered_frames());
            max_knots = max_knots.max(on.knots_held());
        }
        emitted += on.flush().len();
        assert_eq!(emitted, n);
        let frame_bound = (lookahead * 25.0) as usize + 1;
        println!("{kind}: max buffered frames {max_buf} (bound {frame_bound}), max knots held {max_knots}");
        assert!(max_buf <= frame_bound, "{kind}: {max_buf}");
        let c = params.context().max(2);
        assert!(max_knots <= 3 * (c + frame_bound), "{kind}: {max_knots}");
        assert_eq!(on.knots_held(), 0);
    }
}

#[test]
fn flush_is_a_period_boundary() {
    let agents = vec![Agent::new("p", Team::Home)];
    let params = OnlineParams { edges: Edges::Leave, ..OnlineParams::new(Kind::Linear) };
    let mut on = OnlineImputer::new(&agents, params).expect("params");
    let mut out = Vec::new();
    out.extend(on.push(0.0, 0, &[Some([0.0, 0.0])]).expect("push"));
    out.extend(on.push(0.1, 1, &[None]).expect("push"));
    out.extend(on.flush());
    // A new period may restart the clock; nothing is interpolated across.
    out.extend(on.push(0.0, 2, &[None]).expect("push"));
    out.extend(on.push(0.1, 3, &[Some([10.0, 0.0])]).expect("push"));
    out.extend(on.flush());
    assert_eq!(out.len(), 4);
    assert_eq!(out[1].positions[0], None);
    assert_eq!(out[2].positions[0], None);
}

#[test]
fn bad_input_is_a_typed_error_and_changes_nothing() {
    let agents = vec![Agent::new("a", Team::Home), Agent::ball()];
    let mut on = OnlineImputer::new(&agents, OnlineParams::new(Kind::Steffen)).expect("params");
    assert!(on.push(0.0, 0, &[Some([1.0, 1.0]), None]).is_ok());
    let cases: Vec<(f64, Vec<Option<[f64; 2]>>)> = vec![
        (1.0, vec![None]),
        (1.0, vec![None, None, None]),
        (f64::NAN, vec![None, None]),
        (f64::INFINITY, vec![None, None]),
        (0.0, vec![None, None]),
        (-1.0, vec![None, None]),
        (1.0, vec![Some([f64::NAN, 0.0]), None]),
        (1.0, vec![None, Some([0.0, f64::NEG_INFINITY])]),
    ];
    for (t, p) in &cases {
        let e = on.push(*t, 9, p).expect_err("rejected");
        match e {
            OnlineError::WrongLength { expected: 2, .. }
            | OnlineError::NonFiniteTime { .. }
            | OnlineError::NonIncreasingTime { previous: 0.0, .. }
            | OnlineError::NonFinitePosition { frame_id: 9, .. } => {}
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(on.buffered_frames(), 1);
    }
    let n = on.push(0.04, 1, &[Some([1.0, 1.0]), Some([2.0, 2.0])]).expect("push").len();
    assert_eq!(n + on.flush().len(), 2);
    // Zero agents: frames pass straight through.
    let mut none = OnlineImputer::new(&[], OnlineParams::new(Kind::Akima)).expect("params");
    assert_eq!(none.push(0.0, 0, &[]).expect("push").len(), 1);
    assert!(none.flush().is_empty());
}

#[test]
fn invalid_params_are_rejected() {
    let base = OnlineParams::new(Kind::Pchip);
    for p in [
        OnlineParams { max_lookahead: -1.0, ..base },
        OnlineParams { max_lookahead: f64::NAN, ..base },
        OnlineParams { max_lookahead: f64::INFINITY, ..base },
        OnlineParams { max_gap: 0.0, ..base },
        OnlineParams { max_gap: f64::NAN, ..base },
        OnlineParams { context_knots: Some(0), ..base },
        OnlineParams { fallback: OnlineFallback::Extrapolate { max_s: f64::NAN }, ..base },
        OnlineParams { fallback: OnlineFallback::Extrapolate { max_s: -0.5 }, ..base },
        OnlineParams { fallback: OnlineFallback::Extrapolate { max_s: f64::INFINITY }, ..base },
        OnlineParams {
            cap: Some(PlausibilityCap { max_speed_player: f64::NAN, ..PlausibilityCap::default() }),
            ..base
        },
        OnlineParams {
            cap: Some(PlausibilityCap { max_speed_player: -1.0, ..PlausibilityCap::default() }),
            ..base
        },
    ] {
        let e = OnlineImputer::new(&[], p).expect_err("invalid");
        assert!(matches!(e, OnlineError::Params(ImputeError::InvalidParameter { .. })), "{e:?}");
    }
    assert!(OnlineImputer::new(&[], OnlineParams { max_lookahead: 0.0, ..base }).is_ok());
}

fn kind_strategy() -> impl Strategy<Value = Kind> {
    (0..Kind::ALL.len()).prop_map(|i| Kind::ALL[i])
}

fn edges_strategy() -> impl Strategy<Value = Edges> {
    prop_oneof![Just(Edges::Hold), Just(Edges::Extrapolate), Just(Edges::Leave)]
}

fn fallback_strategy() -> impl Strategy<Value = OnlineFallback> {
    prop_oneof![
        Just(OnlineFallback::Edges),
        Just(OnlineFallback::Leave),
        Just(OnlineFallback::Hold),
        (0.0f64..2.0).prop_map(|max_s| OnlineFallback::Extrapolate { max_s }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any mask, any parameters: no panic, every frame once and in order,
    /// observed entries bit-identical, filled entries finite, latency bound.
    #[test]
    fn any_stream_is_well_formed(
        mask in proptest::collection::vec(proptest::collection::vec(any::<bool>(), 3), 0..120),
        steps in proptest::collection::vec(0.01f64..0.5, 120),
        kind in kind_strategy(),
        edges in edges_strategy(),
        lookahead in 0.0f64..3.0,
        max_gap in 0.05f64..5.0,
        context in proptest::option::of(1usize..8),
        fallback in fallback_strategy(),
        cap in any::<bool>(),
    ) {
        let agents: Vec<Agent> = (0..3).map(|i| Agent::new(format!("p{i}"), Team::Home)).collect();
        // a tight cap, so that it acts on these fast-moving series
        let cap = cap.then_some(PlausibilityCap { max_speed_player: 3.0, ..PlausibilityCap::default() });
        let params =
            OnlineParams { kind, context_knots: context, max_lookahead: lookahead, max_gap, edges, fallback, cap };
        let mut on = OnlineImputer::new(&agents, params).expect("params");
        let mut t = 0.0;
        let mut pushed = Vec::new();
        let mut out = Vec::new();
        for (i, row) in mask.iter().enumerate() {
            t += steps[i];
            let p: Vec<Option<[f64; 2]>> =
                row.iter().enumerate().map(|(a, &s)| s.then_some([(t * (a as f64 + 1.0)).sin() * 30.0, t])).collect();
            out.extend(on.push(t, i as i64, &p).expect("push"));
            pushed.push((t, p));
            let due = pushed.iter().filter(|(tf, _)| t - tf >= lookahead).count();
            prop_assert!(out.len() >= due, "{} emitted, {} due", out.len(), due);
            prop_assert!(on.buffered_frames() == pushed.len() - out.len());
            // memory: the frames of the look-ahead window, and per agent the
            // context before the oldest pending gap plus the knots since
            let c = params.context().max(2);
            prop_assert!(
                on.knots_held() <= 3 * (c + on.buffered_frames()),
                "{} knots held, {} frames buffered", on.knots_held(), on.buffered_frames()
            );
        }
        out.extend(on.flush());
        prop_assert_eq!(out.len(), pushed.len());
        for (i, (e, (t, p))) in out.iter().zip(&pushed).enumerate() {
            prop_assert_eq!(e.frame_id, i as i64);
            prop_assert_eq!(e.time_s, *t);
            for ((pa, &seen), &got) in p.iter().zip(&e.observed).zip(&e.positions) {
                prop_assert_eq!(seen, pa.is_some());
                if let Some(v) = pa {
                    prop_assert_eq!(got.map(|q| q.map(f64::to_bits)), Some(v.map(f64::to_bits)));
                } else if let Some(q) = got {
                    prop_assert!(q[0].is_finite() && q[1].is_finite());
                }
            }
        }
        let r = on.report().totals();
        prop_assert_eq!(r.observed + r.filled() + r.left(), 3 * pushed.len());
        let fb = on.fallback_counts();
        let given_up: usize = fb.iter().map(|c| c.given_up + c.too_long).sum();
        let decided: usize = fb.iter().map(|c| c.held + c.extrapolated + c.stopped + c.left).sum();
        prop_assert_eq!(given_up, decided);
        if fallback == OnlineFallback::Edges {
            prop_assert_eq!(given_up, 0);
        }
        if cap.is_none() {
            prop_assert_eq!(r.capped, 0);
        }
        prop_assert_eq!(r.capped, fb.iter().map(|c| c.capped).sum::<usize>());
    }
}

/// Seen for 1 s moving at 2 m/s along x, then gone for 3 s, back at x = 2
/// (a gap longer than `max_gap` = 1 s): the frames of the gap under `params`.
fn gone_for_3s(params: OnlineParams) -> (Vec<EmittedFrame>, OnlineImputer) {
    let agents = vec![Agent::new("p", Team::Home)];
    let mut on = OnlineImputer::new(&agents, params).expect("params");
    let mut out = Vec::new();
    for i in 0..125 {
        let t = i as f64 * 0.04;
        let p = if i <= 25 {
            Some([2.0 * t, 5.0])
        } else if i >= 100 {
            Some([2.0, 5.0])
        } else {
            None
        };
        out.extend(on.push(t, i, &[p]).expect("push"));
    }
    out.extend(on.flush());
    assert_eq!(out.len(), 125);
    (out, on)
}

#[test]
fn fallback_rules_for_given_up_and_too_long_gaps() {
    let base = OnlineParams { max_lookahead: 0.5, max_gap: 1.0, ..OnlineParams::new(Kind::Pchip) };
    // Hold: every frame of the gap holds (2, 5): the first ones given up, the
    // rest once the gap closes as too long.
    let (out, on) = gone_for_3s(OnlineParams { fallback: OnlineFallback::Hold, ..base });
    for e in &out[26..100] {
        assert_eq!(e.positions[0], Some([2.0, 5.0]), "t {}", e.time_s);
    }
    let fb = on.fallback_counts()[0];
    assert_eq!(fb.held, 74);
    assert!(fb.given_up > 0 && fb.too_long > 0, "{fb:?}");
    assert_eq!(fb.given_up + fb.too_long, 74);
    assert_eq!(on.report().totals().filled_fallback, 74);
    // Extrapolate for at most 0.4 s: x = 2 + 2 (t - 1) up to t = 1.4, then 2.8.
    let (out, on) =
        gone_for_3s(OnlineParams { fallback: OnlineFallback::Extrapolate { max_s: 0.4 }, ..base });
    for e in &out[26..100] {
        let p = e.positions[0].expect("filled");
        let want = 2.0 + 2.0 * (e.time_s - 1.0).min(0.4);
        assert!((p[0] - want).abs() < 1e-9 && p[1] == 5.0, "t {}: {p:?} want {want}", e.time_s);
    }
    let fb = on.fallback_counts()[0];
    assert_eq!(fb.extrapolated + fb.stopped, 74);
    // t = 1.04 ..= 1.4 (the last one within max_s up to rounding)
    assert!((9..=10).contains(&fb.extrapolated), "{fb:?}");
    // Leave: nothing filled in the gap.
    let (out, on) = gone_for_3s(OnlineParams { fallback: OnlineFallback::Leave, ..base });
    assert!(out[26..100].iter().all(|e| e.positions[0].is_none()));
    assert_eq!(on.fallback_counts()[0].left, 74);
    assert_eq!(on.report().totals().left(), 74);
    // Edges (the default): given-up frames held while within max_gap, the rest left.
    let (out, on) = gone_for_3s(base);
    assert_eq!(on.fallback_counts()[0], Default::default());
    assert_eq!(out[30].positions[0], Some([2.0, 5.0]));
    assert!(out[99].positions[0].is_none());
}

#[test]
fn cap_limits_fallback_extrapolation_and_interpolation() {
    // Extrapolating 2 m/s for 2 s under a 1 m/s cap: the walk moves at most
    // 1 m/s; without the cap it moves at 2 m/s.
    let cap = PlausibilityCap { max_speed_player: 1.0, max_accel_player: None, ..PlausibilityCap::default() };
    let base = OnlineParams {
        max_lookahead: 0.5,
        max_gap: 1.0,
        fallback: OnlineFallback::Extrapolate { max_s: 2.0 },
        ..OnlineParams::new(Kind::Linear)
    };
    let (free, _) = gone_for_3s(base);
    let (capped, on) = gone_for_3s(OnlineParams { cap: Some(cap), ..base });
    let x = |o: &[EmittedFrame], i: usize| o[i].positions[0].expect("filled")[0];
    assert!((x(&free, 50) - (2.0 + 2.0 * (50.0 * 0.04 - 1.0))).abs() < 1e-9);
    for i in 26..100 {
        let step = x(&capped, i) - x(&capped, i - 1);
        assert!(step <= 1.0 * 0.04 + 1e-12, "frame {i}: step {step}");
    }
    let fb = on.fallback_counts()[0];
    assert!(fb.capped > 0 && on.report().totals().capped == fb.capped, "{fb:?}");
    assert_eq!(on.report().cap, Some(cap));
    // An interior gap: a linear fill from x = 0 to x = 10 in 0.4 s is 25 m/s;
    // capped from both ends exactly as the batch imputer caps it.
    let agents = vec![Agent::new("p", Team::Home)];
    let params = OnlineParams { cap: Some(PlausibilityCap::default()), ..OnlineParams::new(Kind::Linear) };
    let mut on = OnlineImputer::new(&agents, params).expect("params");
    let mut out = Vec::new();
    let (mut pos, mut obs) = (Array3::<f64>::zeros((20, 1, 2)), Array2::from_elem((20, 1), true));
    for i in 0..20 {
        let t = i as f64 * 0.04;
        let p = match i {
            0..=5 => Some([0.0, 0.0]),
            6..=14 => None,
            _ => Some([10.0, 0.0]),
        };
        match p {
            Some([x, _]) => pos[[i, 0, 0]] = x,
            None => obs[[i, 0]] = false,
        }
        out.extend(on.push(t, i as i64, &[p]).expect("push"));
    }
    out.extend(on.flush());
    let times: Vec<f64> = (0..20).map(|i| i as f64 * 0.04).collect();
    let data = TrackingData::new(pos, obs, times, agents).expect("data");
    let policy = GapPolicy { edges: Edges::Hold, ..GapPolicy::default() };
    let (b, brep) =
        InterpImputer::new(Kind::Linear, InterpParams { policy, cap: Some(PlausibilityCap::default()) })
            .expect("params")
            .impute_with_report(&data)
            .expect("batch");
    assert!(brep.totals().capped > 0);
    assert_eq!(on.report().totals().capped, brep.totals().capped);
    for (i, e) in out.iter().enumerate() {
        let p = e.positions[0].expect("filled");
        assert!((p[0] - b.positions()[[i, 0, 0]]).abs() < 1e-12, "frame {i}: {p:?}");
    }
}

#[test]
fn certain_outcomes_do_not_wait_for_the_lookahead() {
    // Under Leave, with max_gap 0.2 s and a 5 s look-ahead: an agent never
    // seen, and an agent gone after 1 s, hold frames back about max_gap, not 5 s.
    let agents = vec![Agent::new("sub", Team::Home), Agent::new("p", Team::Home)];
    let params = OnlineParams {
        max_lookahead: 5.0,
        max_gap: 0.2,
        edges: Edges::Leave,
        ..OnlineParams::new(Kind::Akima)
    };
    let mut on = OnlineImputer::new(&agents, params).expect("params");
    let mut worst: f64 = 0.0;
    for i in 0..200 {
        let t = i as f64 * 0.04;
        let p = [None, (i < 25).then_some([t, 0.0])];
        for e in on.push(t, i, &p).expect("push") {
            worst = worst.max(t - e.time_s);
            assert!(e.positions[0].is_none());
        }
    }
    assert!(worst <= 0.25, "{worst}");
    assert!(on.buffered_frames() <= 7, "{}", on.buffered_frames());
    // A too-long gap is resolved when it closes, without waiting for context.
    let hold = OnlineParams { edges: Edges::Hold, ..params };
    let mut on = OnlineImputer::new(&agents[1..], hold).expect("params");
    for i in 0..20 {
        on.push(i as f64 * 0.04, i, &[(!(5..15).contains(&i)).then_some([0.0, 0.0])]).expect("push");
    }
    assert_eq!(on.buffered_frames(), 0);
}
