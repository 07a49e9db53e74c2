//! Times pitch control (Spearman 2018, Friends-of-Tracking defaults, 50 x 32 grid) on every
//! frame of a databallpy wide CSV, the team in possession from its `team_possession` column;
//! prints JSON like `benches/python/pitch_control_reference.py --time N` does. Reading is
//! excluded; velocities (Savitzky-Golay) are timed separately.
//!
//! `cargo run --release -p touchline-benches --bin pitch_control_timing -- \
//!     --in ../shared/data/tracab_databallpy/tracking_wide.csv [--threads N] [--repeat 3]`

use std::hint::black_box;
use std::time::Instant;

use touchline_analytics::{Attacking, PitchControlModel, PitchControlParams, SavGol, kinematics};
use touchline_core::Team;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let repeat = arg(&args, "--repeat").and_then(|v| v.parse::<usize>().ok()).unwrap_or(3).max(1);
    let Some(path) = arg(&args, "--in") else {
        eprintln!("usage: pitch_control_timing --in tracking_wide.csv [--threads N] [--repeat 3]");
        std::process::exit(2);
    };
    if let Some(n) = arg(&args, "--threads").and_then(|v| v.parse::<usize>().ok()) {
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
    }
    let full = touchline_io::databallpy::open_full(path.as_ref()).unwrap_or_else(|e| panic!("{e}"));
    let data = full.data;
    let attacking = Attacking::PerFrame(full.possession.iter().map(|p| p.unwrap_or(Team::Home)).collect());
    let t0 = Instant::now();
    let kin = kinematics(&data, &SavGol::default()).unwrap_or_else(|e| panic!("{e}"));
    let t_vel = t0.elapsed().as_secs_f64();
    let model =
        PitchControlModel::new(&data, PitchControlParams::default(), 50).unwrap_or_else(|e| panic!("{e}"));
    let mut times = Vec::new();
    for _ in 0..repeat {
        let t0 = Instant::now();
        let s = model
            .sequence(&data, 0..data.n_frames(), &attacking, &kin.velocity)
            .unwrap_or_else(|e| panic!("{e}"));
        times.push(t0.elapsed().as_secs_f64());
        black_box(s);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let out = serde_json::json!({
        "frames": data.n_frames(),
        "threads": rayon::current_num_threads(),
        "seconds_median": median,
        "seconds_all": times,
        "seconds_per_frame": median / data.n_frames() as f64,
        "velocity_seconds": t_vel,
    });
    println!("{out}");
}
