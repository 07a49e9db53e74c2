//! Criterion: loading provider files, and the core operations every later
//! crate leans on (resampling, windows) on the 9000-frame TRACAB stretch.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn loaders(c: &mut Criterion) {
    let mut g = c.benchmark_group("open");
    g.sample_size(20);
    for (name, path) in touchline_benches::io_cases() {
        assert!(path.exists(), "missing benchmark asset {path:?}");
        g.bench_function(name, |b| b.iter(|| touchline_io::open(black_box(&path), None).unwrap()));
    }
    g.finish();
}

fn core_ops(c: &mut Criterion) {
    let path = touchline_benches::shared_data().join("tracab_databallpy/tracking_wide.csv");
    let data = touchline_io::open(&path, None).unwrap();
    let mut g = c.benchmark_group("core_9000_frames");
    g.sample_size(20);
    g.bench_function("resample_25_to_10hz", |b| b.iter(|| black_box(&data).resample(10.0).unwrap()));
    g.bench_function("windows_200", |b| b.iter(|| black_box(&data).windows(200, 200).unwrap()));
    g.bench_function("missing_fraction_per_agent", |b| {
        b.iter(|| black_box(&data).missing_fraction_per_agent())
    });
    g.finish();
}

criterion_group!(benches, loaders, core_ops);
criterion_main!(benches);
