//! Criterion: every interpolation imputer on (a) a full match, 90 min at
//! 25 Hz x 23 agents (135000 frames, 3.1 M entries) with ~10% of the entries
//! in seeded random gaps of 0.2-5 s, and (b) a 200-frame window of it.

#[path = "../src/gapped.rs"]
mod gapped;

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use touchline_impute::{InterpImputer, InterpParams};

fn impute(c: &mut Criterion) {
    let full = gapped::gapped_match(5400.0, 0.1, 42);
    let mid = full.n_frames() / 2;
    let window = full.slice_frames(mid..mid + 200).expect("window inside the match");

    let mut g = c.benchmark_group("impute_full_match");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    for (name, kind) in gapped::METHODS {
        let imp = InterpImputer::new(kind, InterpParams::default()).expect("valid params");
        g.bench_function(name, |b| b.iter(|| imp.impute_with_report(black_box(&full)).expect("imputes")));
    }
    g.finish();

    let mut g = c.benchmark_group("impute_200_frames");
    g.sample_size(30).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    for (name, kind) in gapped::METHODS {
        let imp = InterpImputer::new(kind, InterpParams::default()).expect("valid params");
        g.bench_function(name, |b| b.iter(|| imp.impute_with_report(black_box(&window)).expect("imputes")));
    }
    g.finish();
}

criterion_group!(benches, impute);
criterion_main!(benches);
