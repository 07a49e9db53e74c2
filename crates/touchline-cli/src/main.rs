//! `touchline`: inspect, convert and generate tracking data.
//!
//! ```text
//! touchline info <file> [--format <provider>] [--json]
//! touchline convert <file> --out <file.csv|file.json> [--format <provider>]
//! touchline synth --out <file.csv|file.json> [--seconds 60] [--seed 7] [--hz 25]
//! touchline formats
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use touchline_core::{Team, TrackingData};
use touchline_io::{Format, IoError, long, synthetic::SyntheticMatch};

#[derive(Parser)]
#[command(name = "touchline", version, about = "Tracking data: inspect, convert, generate")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Summarise a tracking file: frames, agents per team, rate, duration,
    /// pitch, periods and missing data overall and per agent.
    Info {
        /// The tracking file (companion metadata files are found next to it).
        file: PathBuf,
        /// Provider format; guessed from the file when omitted (see `touchline formats`).
        #[arg(long, short)]
        format: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Convert any supported file to Touchline's long CSV or JSON.
    Convert {
        /// The tracking file.
        file: PathBuf,
        /// Output path; `.json` writes JSON, anything else long CSV.
        #[arg(long, short)]
        out: PathBuf,
        /// Provider format; guessed when omitted.
        #[arg(long, short)]
        format: Option<String>,
    },
    /// Write a synthetic match (complete ground truth) as long CSV or JSON.
    Synth {
        /// Output path; `.json` writes JSON, anything else long CSV.
        #[arg(long, short)]
        out: PathBuf,
        /// Length in seconds.
        #[arg(long, default_value_t = 60.0)]
        seconds: f64,
        /// Random seed.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Frame rate in Hz.
        #[arg(long, default_value_t = 25.0)]
        hz: f64,
    },
    /// List the formats `--format` accepts.
    Formats,
}

#[derive(Debug)]
enum CliError {
    Io(IoError),
    Usage(String),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Io(e) => write!(f, "{e}"),
            CliError::Usage(s) => f.write_str(s),
        }
    }
}

impl From<IoError> for CliError {
    fn from(e: IoError) -> Self {
        CliError::Io(e)
    }
}

fn parse_format(name: Option<&str>) -> Result<Option<Format>, CliError> {
    match name {
        None => Ok(None),
        Some(n) => Format::from_name(n).map(Some).ok_or_else(|| {
            CliError::Usage(format!(
                "unknown format {n:?}; known formats: {}",
                Format::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
            ))
        }),
    }
}

fn write_out(data: &TrackingData, out: &Path) -> Result<(), CliError> {
    let file = std::fs::File::create(out).map_err(|e| IoError::io(out, e))?;
    let mut w = std::io::BufWriter::new(file);
    let is_json = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        long::write_json(data, &mut w)?;
    } else {
        long::write_csv(data, &mut w)?;
    }
    use std::io::Write;
    w.flush().map_err(|e| IoError::io(out, e))?;
    Ok(())
}

fn fmt_num(v: f64, digits: usize) -> String {
    if v.is_finite() { format!("{v:.digits$}") } else { "n/a".into() }
}

/// Everything `info` reports, also as JSON.
fn summary(data: &TrackingData, file: &Path, format: Format) -> serde_json::Value {
    let per_agent = data.missing_fraction_per_agent();
    let estimates = data.provider_estimate().map(|e| {
        (0..data.n_frames())
            .flat_map(|f| (0..data.n_agents()).map(move |a| (f, a)))
            .filter(|&(f, a)| e[[f, a, 0]].is_finite())
            .count()
    });
    let teams: serde_json::Map<String, serde_json::Value> = Team::ALL
        .iter()
        .filter_map(|&t| {
            let n = data.team_indices(t).len();
            (n > 0).then(|| (t.as_str().to_string(), n.into()))
        })
        .collect();
    let t = data.timestamps();
    serde_json::json!({
        "file": file.display().to_string(),
        "format": format.name(),
        "frames": data.n_frames(),
        "agents": data.n_agents(),
        "agents_per_team": teams,
        "frame_rate_hz": data.frame_rate(),
        "duration_s": data.duration(),
        "first_time_s": t[0],
        "last_time_s": t[t.len() - 1],
        "first_frame_id": data.frame_ids().first(),
        "last_frame_id": data.frame_ids().last(),
        "pitch_m": data.pitch().map(|p| [p.length, p.width]),
        "periods": data.periods().iter().map(|p| serde_json::json!({
            "id": p.id, "frames": p.end - p.start,
            "start_s": t[p.start], "end_s": t[p.end - 1],
        })).collect::<Vec<_>>(),
        "missing_fraction": data.missing_fraction(),
        "provider_estimates": estimates,
        "ball_height": data.ball_z().is_some(),
        "per_agent": data.agents().iter().zip(per_agent).map(|(a, m)| serde_json::json!({
            "id": a.id, "team": a.team.as_str(), "jersey": a.jersey, "missing_fraction": m,
        })).collect::<Vec<_>>(),
    })
}

fn info_table(data: &TrackingData, file: &Path, format: Format) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let t = data.timestamps();
    let _ = writeln!(o, "file        {}", file.display());
    let _ = writeln!(o, "format      {}", format.name());
    let _ = writeln!(o, "frames      {}", data.n_frames());
    let _ = writeln!(o, "frame rate  {} Hz", fmt_num(data.frame_rate(), 3));
    let _ = writeln!(
        o,
        "duration    {} s (t = {} .. {} s)",
        fmt_num(data.duration(), 2),
        fmt_num(t[0], 2),
        fmt_num(t[t.len() - 1], 2)
    );
    match data.pitch() {
        Some(p) => {
            let _ = writeln!(o, "pitch       {} x {} m", fmt_num(p.length, 2), fmt_num(p.width, 2));
        }
        None => {
            let _ = writeln!(o, "pitch       unknown");
        }
    }
    let teams: Vec<String> = Team::ALL
        .iter()
        .filter_map(|&tm| {
            let n = data.team_indices(tm).len();
            (n > 0).then(|| format!("{tm} {n}"))
        })
        .collect();
    let _ = writeln!(o, "agents      {} ({})", data.n_agents(), teams.join(", "));
    for p in data.periods() {
        let _ = writeln!(
            o,
            "period {:<4} frames {}..{} ({} frames, {} .. {} s)",
            p.id,
            p.start,
            p.end,
            p.end - p.start,
            fmt_num(t[p.start], 2),
            fmt_num(t[p.end - 1], 2)
        );
    }
    let _ = writeln!(o, "missing     {:.2}% of (frame, agent) entries", 100.0 * data.missing_fraction());
    if let Some(e) = data.provider_estimate() {
        let n = e.iter().filter(|v| v.is_finite()).count() / 2;
        let _ =
            writeln!(o, "estimated   {n} entries filled by the provider itself (kept apart, not observed)");
    }
    if data.ball_z().is_some() {
        let _ = writeln!(o, "ball height yes");
    }
    let _ = writeln!(o, "\n{:<28} {:<10} {:>6} {:>9}", "agent", "team", "jersey", "missing");
    for (a, m) in data.agents().iter().zip(data.missing_fraction_per_agent()) {
        let jersey = a.jersey.map(|j| j.to_string()).unwrap_or_else(|| "-".into());
        let _ = writeln!(o, "{:<28} {:<10} {:>6} {:>8.2}%", a.id, a.team.as_str(), jersey, 100.0 * m);
    }
    o
}

/// Writes to stdout; a closed pipe (`touchline info f | head`) is not an error.
fn print_stdout(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Usage(format!("cannot write to standard output: {e}")))
        }
        _ => Ok(()),
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Info { file, format, json } => {
            let format = match parse_format(format.as_deref())? {
                Some(f) => f,
                None => touchline_io::detect(&file)?,
            };
            let data = touchline_io::open(&file, Some(format))?;
            let text = if json {
                let v = summary(&data, &file, format);
                serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
            } else {
                info_table(&data, &file, format)
            };
            print_stdout(&text)?;
        }
        Command::Convert { file, out, format } => {
            let data = touchline_io::open(&file, parse_format(format.as_deref())?)?;
            write_out(&data, &out)?;
            eprintln!("wrote {} frames x {} agents to {}", data.n_frames(), data.n_agents(), out.display());
        }
        Command::Synth { out, seconds, seed, hz } => {
            let pitch = touchline_core::Pitch::FOOTBALL;
            let data = SyntheticMatch { seed, seconds, frame_rate: hz, pitch }.generate()?;
            write_out(&data, &out)?;
            eprintln!("wrote a synthetic match of {seconds} s at {hz} Hz (seed {seed}) to {}", out.display());
        }
        Command::Formats => {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            print_stdout(&(names.join("\n") + "\n"))?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
