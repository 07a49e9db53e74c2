//! `touchline`: inspect, convert and generate tracking data.
//!
//! ```text
//! touchline info <file> [--format <provider>] [--json]
//! touchline convert <file> --out <file.csv|file.json> [--format <provider>]
//! touchline synth --out <file.csv|file.json> [--seconds 60] [--seed 7] [--hz 25]
//! touchline impute <file> --method <method> --out <file.csv|file.json> [--format <provider>]
//!                  [--max-gap SECONDS] [--edges hold|extrapolate|leave] [--report report.json]
//! touchline formats
//! touchline analyze-shot <clip> --out <dir> [--sport football|basketball|auto] [--coach-url URL]
//! touchline plot <pitch|trajectories|heatmap|voronoi|pitch-control> <file> --out <file.png|file.svg>
//!                [--frame N] [--agent ID] [--format <provider>]
//! touchline track <clip> --out <dir> [--model yolox|rtmdet|replay:<json>] [--stride N | --every S]
//! ```

mod analyze_shot;
mod bench_impute;
#[allow(dead_code)] // parts used by other video subcommands only
mod pipeline;
mod track_cmd;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod plot;

use clap::{Parser, Subcommand};
use touchline_core::{Team, TrackingData};
use touchline_impute::{
    Dase, DaseParams, Edges, GapPolicy, ImputeError, ImputeReport, InterpImputer, InterpParams, KalmanParams,
    KalmanSmoother, KnnParams, KnnRegression, interp::Kind,
};
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
    /// Fill the gaps of a tracking file and write it as long CSV or JSON.
    ///
    /// Observed entries are kept as they are; unobserved rows with finite
    /// `x,y` in the output are the imputed values. A summary of what was
    /// filled and what was left missing goes to standard error.
    #[command(after_help = method_help())]
    Impute {
        /// The tracking file.
        file: PathBuf,
        /// Imputation method (see below).
        #[arg(long, short)]
        method: String,
        /// Output path; `.json` writes JSON, anything else long CSV.
        #[arg(long, short)]
        out: PathBuf,
        /// Provider format; guessed when omitted.
        #[arg(long, short)]
        format: Option<String>,
        /// Longest gap to fill, in seconds (positive; default: fill every gap).
        #[arg(long, allow_negative_numbers = true)]
        max_gap: Option<f64>,
        /// Before the first and after the last observation of an agent in a
        /// period: repeat it (`hold`), continue the line through the nearest
        /// two (`extrapolate`) or leave missing (`leave`).
        #[arg(long, default_value = "hold")]
        edges: String,
        /// Also write the full report (per agent counts, policy) as JSON.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// List the formats `--format` accepts.
    Formats,
    /// Benchmark imputers on masked windows of a file (or a folder of scenes).
    BenchImpute(bench_impute::Args),
    /// Draw a pitch plot (trajectories, heatmap, Voronoi, pitch control) as PNG or SVG.
    Plot(plot::PlotArgs),
    /// Track players and the ball in a video: tracks, teams, annotated video, summary.
    Track(track_cmd::TrackArgs),
    /// Analyse a clip of a shot: goal or miss, shooter, foot, speed, body at the strike, coaching.
    AnalyzeShot(analyze_shot::AnalyzeShotArgs),
}

/// How a method is run. New families of imputers (Kalman, KNN) get a variant
/// here and a row in [`METHODS`].
#[derive(Debug, Clone, Copy)]
enum MethodSpec {
    /// One of the interpolants of `touchline_impute::interp`.
    Interp(Kind),
    /// Constant-velocity Kalman filter + RTS smoother.
    Kalman,
    /// K-nearest-neighbour regression on the data's own observed stretches.
    Knn,
    /// Derivative-accumulating self-ensemble, weights fitted on the input itself.
    Dase,
}

/// Every method `impute --method` accepts: (name, how, one-line description).
const METHODS: &[(&str, MethodSpec, &str)] = &[
    ("linear", MethodSpec::Interp(Kind::Linear), "straight lines between observations"),
    (
        "cubic-spline",
        MethodSpec::Interp(Kind::NotAKnotSpline),
        "C2 cubic spline, not-a-knot ends (scipy default)",
    ),
    (
        "natural-spline",
        MethodSpec::Interp(Kind::NaturalSpline),
        "C2 cubic spline, zero curvature at the ends",
    ),
    ("steffen", MethodSpec::Interp(Kind::Steffen), "Steffen's monotone cubic (GSL)"),
    ("pchip", MethodSpec::Interp(Kind::Pchip), "Fritsch-Carlson monotone cubic (scipy PchipInterpolator)"),
    ("akima", MethodSpec::Interp(Kind::Akima), "Akima's cubic (scipy Akima1DInterpolator)"),
    ("makima", MethodSpec::Interp(Kind::Makima), "modified Akima (scipy method=\"makima\")"),
    ("kalman", MethodSpec::Kalman, "constant-velocity Kalman filter + RTS smoother (q=5, r=0.01)"),
    ("knn", MethodSpec::Knn, "k-nearest-neighbour regression on the data's own observed stretches"),
    (
        "dase",
        MethodSpec::Dase,
        "derivative-accumulating self-ensemble, blend fitted on the input's own observations",
    ),
];

fn method_help() -> String {
    let mut s = String::from("Methods:\n");
    for (name, _, what) in METHODS {
        s.push_str(&format!("  {name:<16} {what}\n"));
    }
    s
}

fn parse_method(name: &str) -> Result<MethodSpec, CliError> {
    let wanted = name.trim().to_ascii_lowercase().replace('_', "-");
    METHODS.iter().find(|(n, _, _)| *n == wanted).map(|&(_, m, _)| m).ok_or_else(|| {
        CliError::Usage(format!(
            "unknown method {name:?}; known methods: {}",
            METHODS.iter().map(|(n, _, _)| *n).collect::<Vec<_>>().join(", ")
        ))
    })
}

fn parse_edges(name: &str) -> Result<Edges, CliError> {
    match name.trim().to_ascii_lowercase().as_str() {
        "hold" => Ok(Edges::Hold),
        "extrapolate" => Ok(Edges::Extrapolate),
        "leave" => Ok(Edges::Leave),
        _ => Err(CliError::Usage(format!("unknown edge rule {name:?}; known: hold, extrapolate, leave"))),
    }
}

fn impute_with(
    method: MethodSpec,
    policy: GapPolicy,
    data: &TrackingData,
) -> Result<(TrackingData, ImputeReport), ImputeError> {
    match method {
        MethodSpec::Interp(kind) => {
            InterpImputer::new(kind, InterpParams { policy, cap: None })?.impute_with_report(data)
        }
        MethodSpec::Kalman => {
            KalmanSmoother::new(KalmanParams { policy, ..KalmanParams::default() })?.impute_with_report(data)
        }
        MethodSpec::Knn => {
            KnnRegression::new(KnnParams { policy, ..KnnParams::default() })?.impute_with_report(data)
        }
        MethodSpec::Dase => {
            let (out, rep) =
                Dase::new(DaseParams { policy, ..DaseParams::default() })?.impute_with_report(data)?;
            Ok((out, rep.report))
        }
    }
}

fn report_summary(r: &ImputeReport, frames: usize) -> String {
    let t = r.totals();
    let max_gap =
        if r.policy.max_gap.is_finite() { format!("{} s", r.policy.max_gap) } else { "none".into() };
    let edges = match r.policy.edges {
        Edges::Hold => "hold",
        Edges::Extrapolate => "extrapolate",
        Edges::Leave => "leave",
    };
    let entries = frames * r.agents.len();
    let pct = |n: usize| if entries == 0 { 0.0 } else { 100.0 * n as f64 / entries as f64 };
    let mut s = format!(
        "method {} (interpolant {}, fallback {}), max gap {max_gap}, edges {edges}\n",
        r.method,
        r.interpolant,
        r.fallback.as_deref().unwrap_or("none")
    );
    s += &format!("  entries       {entries} ({frames} frames x {} agents)\n", r.agents.len());
    s += &format!("  observed      {} ({:.2}%)\n", t.observed, pct(t.observed));
    s += &format!(
        "  filled        {} ({:.2}%): method {}, fallback {}, edge {}\n",
        t.filled(),
        pct(t.filled()),
        t.filled_method,
        t.filled_fallback,
        t.filled_edge
    );
    s += &format!(
        "  left missing  {} ({:.2}%): gap too long {}, edge {}, too few knots {}, outside periods {}, non-finite {}\n",
        t.left(),
        pct(t.left()),
        t.left_gap_too_long,
        t.left_edge,
        t.left_too_few_knots,
        t.left_outside_period,
        t.left_non_finite
    );
    s
}

fn write_report(r: &ImputeReport, path: &Path) -> Result<(), CliError> {
    let mut v =
        serde_json::to_value(r).map_err(|e| CliError::Usage(format!("cannot encode the report: {e}")))?;
    if let (Some(o), Ok(t)) = (v.as_object_mut(), serde_json::to_value(r.totals())) {
        o.insert("totals".into(), t);
    }
    let text = serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
    std::fs::write(path, text).map_err(|e| CliError::Io(IoError::io(path, e)))
}

#[derive(Debug)]
enum CliError {
    Io(IoError),
    Impute(ImputeError),
    Usage(String),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Io(e) => write!(f, "{e}"),
            CliError::Impute(e) => write!(f, "{e}"),
            CliError::Usage(s) => f.write_str(s),
        }
    }
}

impl From<IoError> for CliError {
    fn from(e: IoError) -> Self {
        CliError::Io(e)
    }
}

impl From<ImputeError> for CliError {
    fn from(e: ImputeError) -> Self {
        CliError::Impute(e)
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

/// Unobserved entries that hold a value: filled by an imputer.
fn imputed_entries(data: &TrackingData) -> usize {
    let p = data.positions();
    data.observed().indexed_iter().filter(|&((f, a), &o)| !o && p[[f, a, 0]].is_finite()).count()
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
        "imputed_entries": imputed_entries(data),
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
    let imputed = imputed_entries(data);
    if imputed > 0 {
        let _ = writeln!(o, "imputed     {imputed} unobserved entries hold imputed values");
    }
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

/// A progress bar over the stages of a long command, on stderr; drawn only when
/// stderr is a terminal, so scripts and tests see nothing of it.
fn stage_bar(stages: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(Some(stages), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed}] {bar:20} {pos}/{len} {msg}")
    {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
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
        Command::Impute { file, method, out, format, max_gap, edges, report } => {
            // Check every argument before the (possibly long) read.
            let method = parse_method(&method)?;
            let policy = GapPolicy {
                max_gap: max_gap.unwrap_or(f64::INFINITY),
                edges: parse_edges(&edges)?,
                ..GapPolicy::default()
            };
            policy.validate()?;
            let format = parse_format(format.as_deref())?;
            let bar = stage_bar(4);
            bar.set_message(format!("reading {}", file.display()));
            let data = touchline_io::open(&file, format)?;
            bar.inc(1);
            bar.set_message(format!("imputing {} frames x {} agents", data.n_frames(), data.n_agents()));
            let (filled, rep) = impute_with(method, policy, &data)?;
            bar.inc(1);
            bar.set_message(format!("writing {}", out.display()));
            write_out(&filled, &out)?;
            bar.inc(1);
            if let Some(path) = &report {
                write_report(&rep, path)?;
            }
            bar.inc(1);
            bar.finish_and_clear();
            eprint!("{}", report_summary(&rep, data.n_frames()));
            eprintln!(
                "wrote {} frames x {} agents to {}",
                filled.n_frames(),
                filled.n_agents(),
                out.display()
            );
        }
        Command::BenchImpute(args) => bench_impute::run(args)?,
        Command::Plot(args) => plot::run(args)?,
        Command::AnalyzeShot(args) => analyze_shot::run(args).map_err(|e| CliError::Usage(e.to_string()))?,
        Command::Formats => {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            print_stdout(&(names.join("\n") + "\n"))?;
        }
        Command::Track(args) => track_cmd::run(args).map_err(|e| CliError::Usage(e.to_string()))?,
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
