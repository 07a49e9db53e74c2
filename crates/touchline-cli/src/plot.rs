//! `touchline plot <kind> <file> --out plot.png|plot.svg`: pitch drawings from tracking data.

use std::path::PathBuf;

use touchline_analytics::plot::{Court, Plot};
use touchline_analytics::{
    HeatmapParams, PitchControlModel, PitchControlParams, SavGol, heatmap, kinematics, voronoi_frame,
};
use touchline_core::{Pitch, Team, TrackingData};

use super::{CliError, parse_format};

/// What `touchline plot` takes.
#[derive(clap::Args)]
pub struct PlotArgs {
    /// What to draw: `pitch`, `trajectories`, `heatmap`, `voronoi` or `pitch-control`.
    kind: String,
    /// The tracking file.
    file: PathBuf,
    /// Output path: `.svg` writes SVG, anything else PNG.
    #[arg(long, short)]
    out: PathBuf,
    /// Frame index (voronoi, pitch-control: the frame drawn; trajectories: the first frame).
    #[arg(long, default_value_t = 0)]
    frame: usize,
    /// Trajectories: seconds to draw from `--frame` (default: to the end).
    #[arg(long)]
    seconds: Option<f64>,
    /// Agent id to draw (trajectories, heatmap; repeat for several; default: every player).
    #[arg(long)]
    agent: Vec<String>,
    /// Pitch control: the team in possession, `home` or `away`.
    #[arg(long, default_value = "home")]
    attacking: String,
    /// Markings: `football` or `basketball` (default: guessed from the pitch size).
    #[arg(long)]
    court: Option<String>,
    /// Provider format; guessed when omitted.
    #[arg(long, short)]
    format: Option<String>,
}

const KINDS: &[&str] = &["pitch", "trajectories", "heatmap", "voronoi", "pitch-control"];

fn agents(data: &TrackingData, ids: &[String], file: &std::path::Path) -> Result<Vec<usize>, CliError> {
    if ids.is_empty() {
        return Ok(touchline_analytics::players(data));
    }
    ids.iter()
        .map(|id| {
            data.agent_index(id).ok_or_else(|| {
                CliError::Usage(format!(
                    "{}: no agent {id:?}; agents: {}",
                    file.display(),
                    data.agents().iter().map(|a| a.id.as_str()).collect::<Vec<_>>().join(", ")
                ))
            })
        })
        .collect()
}

/// Runs `touchline plot`.
pub fn run(a: PlotArgs) -> Result<(), CliError> {
    let kind = a.kind.trim().to_ascii_lowercase().replace('_', "-");
    if !KINDS.contains(&kind.as_str()) {
        return Err(CliError::Usage(format!("unknown plot kind {:?}; known: {}", a.kind, KINDS.join(", "))));
    }
    let court = match a.court.as_deref().map(|c| c.trim().to_ascii_lowercase()) {
        None => None,
        Some(c) if c == "football" || c == "soccer" => Some(Court::Football),
        Some(c) if c == "basketball" || c == "nba" => Some(Court::Basketball),
        Some(c) => return Err(CliError::Usage(format!("unknown court {c:?}; known: football, basketball"))),
    };
    let attacking = match Team::parse(&a.attacking) {
        Some(t @ (Team::Home | Team::Away)) => t,
        _ => return Err(CliError::Usage(format!("--attacking must be home or away, got {:?}", a.attacking))),
    };
    let data = touchline_io::open(&a.file, parse_format(a.format.as_deref())?)?;
    let file = a.file.display().to_string();
    let err = |e: touchline_analytics::AnalyticsError| CliError::Usage(format!("{file}: {e}"));
    let pitch = match data.pitch() {
        Some(p) => p,
        None => {
            let p = if court == Some(Court::Basketball) { Pitch::NBA } else { Pitch::FOOTBALL };
            eprintln!("{file}: no pitch size in the data; drawing on {} x {} m", p.length, p.width);
            p
        }
    };
    let data = data.with_pitch(pitch).map_err(|e| CliError::Usage(format!("{file}: {e}")))?;
    if a.frame >= data.n_frames() {
        return Err(CliError::Usage(format!(
            "{file}: frame {} out of range (0..{})",
            a.frame,
            data.n_frames()
        )));
    }
    let mut plot = Plot::new(court.unwrap_or(Court::guess(pitch)), pitch);
    match kind.as_str() {
        "pitch" => {}
        "trajectories" => {
            let who = agents(&data, &a.agent, &a.file)?;
            let end = match a.seconds {
                Some(s) if s.is_finite() && s > 0.0 => {
                    let t0 = data.timestamps()[a.frame];
                    data.timestamps_slice().partition_point(|&t| t < t0 + s)
                }
                Some(s) => return Err(CliError::Usage(format!("--seconds must be positive, got {s}"))),
                None => data.n_frames(),
            };
            plot.trajectories(&data, &who, a.frame..end);
        }
        "heatmap" => {
            let who = agents(&data, &a.agent, &a.file)?;
            let h = heatmap(&data, &who, &HeatmapParams::default()).map_err(err)?;
            plot.heatmap(&h);
        }
        "voronoi" => {
            let cells = voronoi_frame(&data, a.frame).map_err(err)?;
            plot.voronoi(&data, a.frame, &cells);
        }
        _ => {
            let model = PitchControlModel::new(&data, PitchControlParams::default(), 50).map_err(err)?;
            let velocity = if data.n_frames() >= 2 {
                kinematics(&data, &SavGol::default()).map_err(err)?.velocity
            } else {
                ndarray::Array3::zeros((data.n_frames(), data.n_agents(), 2))
            };
            let s = model.frame(&data, a.frame, attacking, &velocity).map_err(err)?;
            plot.pitch_control(&data, &model, &s, Some(&velocity));
        }
    }
    plot.save(&a.out).map_err(err)?;
    eprintln!("wrote {kind} plot of {file} to {}", a.out.display());
    Ok(())
}
