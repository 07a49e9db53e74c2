//! What the gaps, and each imputer, do to the numbers analysts report.
//!
//! On the real TRACAB stretch (9000 frames at 25 Hz, complete for the 22
//! players) a virtual broadcast camera (MIDAS's: at the halfway line, 20 m
//! behind the near touchline, 20 m high, 30 degrees, 16:9, aimed at the ball
//! every frame) hides every player it does not see. Then distance covered,
//! sprint count, Voronoi area and pitch control are computed on (a) the truth,
//! (b) the gapped data as is, (c) each imputer's output, and the error each
//! introduces is printed as a Markdown table (the one in docs/analytics.md).
//!
//! ```sh
//! cargo run --release -p touchline-examples --example imputation_effect [-- --every 25]
//! ```
//!
//! `--every N` samples every N-th frame for Voronoi and pitch control (default 25: one frame a second).

use std::error::Error;
use std::time::Instant;

use ndarray::Array3;
use touchline_analytics::{
    Attacking, PhysicalParams, PitchControlModel, PitchControlParams, SavGol, kinematics, physical_summary,
    voronoi_frame,
};
use touchline_core::{Imputer, Team, TrackingData};
use touchline_impute::eval::BroadcastCamera;
use touchline_impute::{
    CubicSpline, Dase, DaseParams, InterpParams, KalmanParams, KalmanSmoother, Linear, Pchip, Predictor,
    SplineBoundary, Steffen,
};

type Res<T> = Result<T, Box<dyn Error>>;

/// The truth with every player the camera does not see made unobserved (NaN).
fn camera_gaps(truth: &TrackingData) -> Res<TrackingData> {
    let width = truth.pitch().map(|p| p.width).unwrap_or(68.0);
    let cam = BroadcastCamera::football(width);
    let ball = truth.agents().iter().position(|a| a.team == Team::Ball).ok_or("no ball in the data")?;
    let (mut pos, mut obs) = (truth.positions().clone(), truth.observed().clone());
    for f in 0..truth.n_frames() {
        let aim = [pos[[f, ball, 0]], pos[[f, ball, 1]]];
        for (a, agent) in truth.agents().iter().enumerate() {
            if matches!(agent.team, Team::Home | Team::Away) && obs[[f, a]] {
                let p = [pos[[f, a, 0]], pos[[f, a, 1]]];
                if !cam.sees(aim, p) {
                    obs[[f, a]] = false;
                    pos[[f, a, 0]] = f64::NAN;
                    pos[[f, a, 1]] = f64::NAN;
                }
            }
        }
    }
    let mut d = TrackingData::new(pos, obs, truth.timestamps().to_vec(), truth.agents().to_vec())?
        .with_periods(truth.periods().to_vec())?
        .with_frame_rate(truth.frame_rate())?;
    if let Some(p) = truth.pitch() {
        d = d.with_pitch(p)?;
    }
    Ok(d)
}

/// Per-player totals over periods: (distance m, sprints).
fn physical(d: &TrackingData, players: &[usize]) -> Res<Vec<(f64, usize)>> {
    let rows = physical_summary(d, Some(players), &PhysicalParams::default())?;
    let mut out = vec![(0.0, 0usize); players.len()];
    for r in rows {
        if let Some(i) = players.iter().position(|&p| p == r.agent) {
            out[i].0 += r.distance;
            out[i].1 += r.sprints.len();
        }
    }
    Ok(out)
}

/// Voronoi area per (sampled frame, player); NaN where the player has no cell.
fn voronoi(d: &TrackingData, frames: &[usize], players: &[usize]) -> Res<Vec<Vec<f64>>> {
    let mut out = Vec::with_capacity(frames.len());
    for &f in frames {
        let mut row = vec![f64::NAN; players.len()];
        for c in voronoi_frame(d, f)? {
            if let Some(i) = players.iter().position(|&p| p == c.agent) {
                row[i] = c.area;
            }
        }
        out.push(row);
    }
    Ok(out)
}

/// Home team's pitch control (50 x 32 grid) in each sampled frame.
fn control(d: &TrackingData, frames: &[usize]) -> Res<Vec<ndarray::Array2<f64>>> {
    let model = PitchControlModel::new(d, PitchControlParams::default(), 50)?;
    let velocity: Array3<f64> = kinematics(d, &SavGol::default())?.velocity;
    let mut out = Vec::with_capacity(frames.len());
    for &f in frames {
        out.push(model.frame(d, f, Team::Home, &velocity)?.attack);
    }
    let _ = Attacking::Team(Team::Home); // the whole-sequence API: model.sequence(d, range, &attacking, &velocity)
    Ok(out)
}

struct Effect {
    name: String,
    distance_err: f64,
    distance_total_err: f64,
    sprint_err: i64,
    voronoi_err: f64,
    voronoi_missing: usize,
    control_err: f64,
    seconds: f64,
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let every = args
        .iter()
        .position(|a| a == "--every")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(25)
        .max(1);
    let path = touchline_examples::shared_asset("data/tracab_databallpy/tracking_wide.csv")?;
    let truth = touchline_io::open(&path, None)?;
    let players: Vec<usize> = (0..truth.n_agents())
        .filter(|&a| {
            matches!(truth.agents()[a].team, Team::Home | Team::Away)
                && (0..truth.n_frames()).all(|f| truth.observed()[[f, a]])
        })
        .collect();
    let gapped = camera_gaps(&truth)?;
    let hidden =
        players.iter().map(|&a| (0..gapped.n_frames()).filter(|&f| !gapped.observed()[[f, a]]).count());
    let hidden: usize = hidden.sum();
    let rate = hidden as f64 / (players.len() * truth.n_frames()) as f64;
    let frames: Vec<usize> = (0..truth.n_frames()).step_by(every).collect();
    eprintln!(
        "{} frames, {} players complete in the truth; the camera hides {:.1}% of their entries; {} sampled frames",
        truth.n_frames(),
        players.len(),
        100.0 * rate,
        frames.len()
    );

    let t_phys = physical(&truth, &players)?;
    let t_vor = voronoi(&truth, &frames, &players)?;
    let t_pc = control(&truth, &frames)?;

    let p = InterpParams::default();
    let dase_params = DaseParams {
        predictor: Predictor::Kalman { params: KalmanParams::default() },
        ..DaseParams::default()
    };
    let mut candidates: Vec<(String, Box<dyn Fn(&TrackingData) -> Res<TrackingData>>)> = vec![
        ("gapped (no imputation)".into(), Box::new(|d: &TrackingData| Ok(d.clone()))),
        ("linear".into(), Box::new(move |d: &TrackingData| Ok(Linear::new(p)?.impute(d)?))),
        ("steffen".into(), Box::new(move |d: &TrackingData| Ok(Steffen::new(p)?.impute(d)?))),
        ("pchip".into(), Box::new(move |d: &TrackingData| Ok(Pchip::new(p)?.impute(d)?))),
    ];
    candidates.push((
        "cubic spline (natural)".into(),
        Box::new(move |d: &TrackingData| Ok(CubicSpline::new(SplineBoundary::Natural, p)?.impute(d)?)),
    ));
    candidates.push((
        "kalman".into(),
        Box::new(|d: &TrackingData| Ok(KalmanSmoother::new(KalmanParams::default())?.impute(d)?)),
    ));
    candidates.push((
        "dase (kalman predictor, fitted on the gapped data itself)".into(),
        Box::new(move |d: &TrackingData| Ok(Dase::new(dase_params)?.impute(d)?)),
    ));

    let mut effects = Vec::new();
    for (name, run) in &candidates {
        let t0 = Instant::now();
        let out = run(&gapped)?;
        let seconds = t0.elapsed().as_secs_f64();
        let phys = physical(&out, &players)?;
        let (mut de, mut dt_true, mut dt_out, mut se) = (0.0, 0.0, 0.0, 0i64);
        for (t, o) in t_phys.iter().zip(&phys) {
            de += (o.0 - t.0).abs();
            dt_true += t.0;
            dt_out += o.0;
            se += o.1 as i64 - t.1 as i64;
        }
        let vor = voronoi(&out, &frames, &players)?;
        let (mut ve, mut vn, mut vmiss) = (0.0, 0usize, 0usize);
        for (tr, or) in t_vor.iter().zip(&vor) {
            for (t, o) in tr.iter().zip(or) {
                if o.is_finite() && t.is_finite() {
                    ve += (o - t).abs();
                    vn += 1;
                } else if t.is_finite() {
                    vmiss += 1;
                }
            }
        }
        let pc = control(&out, &frames)?;
        let (mut ce, mut cn) = (0.0, 0usize);
        for (t, o) in t_pc.iter().zip(&pc) {
            for (a, b) in t.iter().zip(o.iter()) {
                ce += (a - b).abs();
                cn += 1;
            }
        }
        effects.push(Effect {
            name: name.clone(),
            distance_err: de / players.len() as f64,
            distance_total_err: 100.0 * (dt_out - dt_true) / dt_true,
            sprint_err: se,
            voronoi_err: ve / vn.max(1) as f64,
            voronoi_missing: vmiss,
            control_err: ce / cn.max(1) as f64,
            seconds,
        });
        eprintln!("{name}: done in {seconds:.2} s");
    }

    let true_sprints: usize = t_phys.iter().map(|x| x.1).sum();
    let true_distance: f64 = t_phys.iter().map(|x| x.0).sum();
    println!(
        "Truth: {} players, {:.0} m covered in all, {} sprints; camera missing rate {:.1}%; Voronoi and pitch control on {} frames (every {every}).\n",
        players.len(),
        true_distance,
        true_sprints,
        100.0 * rate,
        frames.len()
    );
    println!(
        "| data | distance, mean abs error per player (m) | total distance error | sprints (truth {true_sprints}) | Voronoi area, mean abs error (m²) | player-frames without a cell | pitch control (home), mean abs error per cell | impute s |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for e in &effects {
        println!(
            "| {} | {:.1} | {:+.1}% | {} | {:.1} | {} | {:.4} | {:.2} |",
            e.name,
            e.distance_err,
            e.distance_total_err,
            true_sprints as i64 + e.sprint_err,
            e.voronoi_err,
            e.voronoi_missing,
            e.control_err,
            e.seconds
        );
    }
    Ok(())
}
