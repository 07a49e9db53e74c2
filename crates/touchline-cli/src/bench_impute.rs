//! `touchline bench-impute`: which imputer, on my data, under my kind of
//! gaps? Windows, seeded masks, every method, metrics over seeds (see
//! `touchline_impute::eval` and docs/imputation.md, "Benchmarking").

use std::path::{Path, PathBuf};

use touchline_core::TrackingData;
use touchline_impute::eval::{
    self, BenchConfig, BroadcastCamera, Candidate, MaskKind, MaskParams, MaskSet, VisibilityPattern,
    WindowSpec,
};
use touchline_io::IoError;

use crate::{CliError, parse_format};

/// Arguments of `bench-impute`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Methods: ffill, linear, cubic-spline, natural-spline, steffen, pchip, akima, makima, \
kalman, knn, dase, dase-midas (or `all`, or `classical` for the interpolators).\n\
Windows are split by time: the first 70% only fit DASE's blend; every method is scored on the rest."
)]
pub struct Args {
    /// The tracking file, or a folder of scene files (their windows are pooled).
    #[arg(long)]
    data: PathBuf,
    /// Provider format; guessed from each file when omitted.
    #[arg(long, short)]
    format: Option<String>,
    /// Mask: camera, uniform, playerwise, forecast or visibility.
    #[arg(long, default_value = "uniform")]
    mask: String,
    /// Share of entries hidden (uniform, playerwise, forecast; camera and visibility set their own).
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    rate: f64,
    /// Frames per window.
    #[arg(long, default_value_t = 200)]
    window: usize,
    /// Resample to this rate first, in Hz, or `native` to keep the data's own rate.
    #[arg(long, default_value = "10", allow_negative_numbers = true)]
    hz: String,
    /// Number of mask seeds (0, 1, .., n-1).
    #[arg(long, default_value_t = 5)]
    seeds: u64,
    /// Comma-separated methods, `all` or `classical`.
    #[arg(long, default_value = "all")]
    methods: String,
    /// Score the ball too (separately from the players).
    #[arg(long)]
    ball: bool,
    /// Provider file whose visibility flags give the `visibility` mask's pattern.
    #[arg(long)]
    visibility_from: Option<PathBuf>,
    /// Save the masks as JSON.
    #[arg(long, conflicts_with = "masks_in")]
    masks_out: Option<PathBuf>,
    /// Reuse masks saved by `--masks-out` (same data, window, hz and ball).
    #[arg(long)]
    masks_in: Option<PathBuf>,
    /// Save the ground-truth windows as JSON (for reference implementations).
    #[arg(long)]
    dump_windows: Option<PathBuf>,
    /// Results: `.md`, `.csv` or `.json` by extension; repeat for several.
    #[arg(long, short, required = true)]
    out: Vec<PathBuf>,
}

fn usage(s: impl Into<String>) -> CliError {
    CliError::Usage(s.into())
}

fn write(path: &Path, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text).map_err(|e| CliError::Io(IoError::io(path, e)))
}

fn parse_methods(list: &str) -> Result<Vec<Candidate>, CliError> {
    let names: Vec<String> = match list.trim() {
        "all" => eval::BUILTIN.iter().map(|s| s.to_string()).collect(),
        "classical" => {
            ["ffill", "linear", "cubic-spline", "natural-spline", "steffen", "pchip", "akima", "makima"]
                .iter()
                .map(|s| s.to_string())
                .collect()
        }
        l => l
            .split(',')
            .map(|s| s.trim().to_ascii_lowercase().replace('_', "-"))
            .filter(|s| !s.is_empty())
            .collect(),
    };
    if names.is_empty() {
        return Err(usage("--methods is empty"));
    }
    names.iter().map(|n| eval::builtin(n).map_err(CliError::from)).collect()
}

/// Loads a file, or every file of a folder (sorted by game time when the
/// names are NBA SocialVAE scenes, else by name).
fn load_sources(
    path: &Path,
    format: Option<touchline_io::Format>,
) -> Result<Vec<(String, TrackingData)>, CliError> {
    let stem = |p: &Path| p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if !path.is_dir() {
        return Ok(vec![(stem(path), touchline_io::open(path, format)?)]);
    }
    let mut files = Vec::new();
    for e in std::fs::read_dir(path).map_err(|e| IoError::io(path, e))? {
        let p = e.map_err(|e| IoError::io(path, e))?.path();
        if p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
            files.push(p);
        }
    }
    if files.is_empty() {
        return Err(usage(format!("{}: no files in the folder", path.display())));
    }
    // by time: NBA scene names carry game id, quarter and the clock (counting down)
    let key = |p: &PathBuf| {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        match touchline_io::nba::parse_scene_name(&name) {
            Some(i) => (i.game_id.clone(), i.period, -i.clock_start, name),
            None => (String::new(), 0, 0.0, name),
        }
    };
    files.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0).then(ka.1.cmp(&kb.1)).then(ka.2.total_cmp(&kb.2)).then(ka.3.cmp(&kb.3))
    });
    files.into_iter().map(|p| Ok((stem(&p), touchline_io::open(&p, format)?))).collect()
}

/// Runs the command.
pub fn run(a: Args) -> Result<(), CliError> {
    let kind = MaskKind::parse(&a.mask).ok_or_else(|| {
        usage(format!("unknown mask {:?}; known: camera, uniform, playerwise, forecast, visibility", a.mask))
    })?;
    let hz = match a.hz.trim() {
        "native" => None,
        s => match s.parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => Some(v),
            _ => return Err(usage(format!("--hz must be a positive number or `native`, got {s:?}"))),
        },
    };
    if !(a.rate.is_finite() && (0.0..1.0).contains(&a.rate)) {
        return Err(usage(format!("--rate must be in [0, 1), got {}", a.rate)));
    }
    if a.seeds == 0 {
        return Err(usage("--seeds must be at least 1"));
    }
    for o in &a.out {
        let ext = o.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        if !matches!(ext.as_str(), "md" | "csv" | "json") {
            return Err(usage(format!("--out {}: the extension must be .md, .csv or .json", o.display())));
        }
    }
    if kind == MaskKind::Visibility && a.visibility_from.is_none() && a.masks_in.is_none() {
        return Err(usage(
            "the visibility mask needs --visibility-from <provider file> (PFF, SkillCorner, ...)",
        ));
    }
    let candidates = parse_methods(&a.methods)?;
    let format = parse_format(a.format.as_deref())?;
    let spec = WindowSpec { len: a.window, hz, include_ball: a.ball };

    eprintln!("reading {}", a.data.display());
    let sources = load_sources(&a.data, format)?;
    let windows = eval::make_windows(&sources, &spec)?;
    if windows.is_empty() {
        return Err(usage(format!(
            "{}: no window of {} frames with complete players (shorter recordings? try a smaller --window)",
            a.data.display(),
            a.window
        )));
    }
    let config = BenchConfig::default();
    let (n_train, n_test) = config.split(windows.len());
    eprintln!(
        "{} recording(s), {} windows of {} frames: first {n_train} (70% by time) fit the fitted methods, \
         {n_test} scored",
        sources.len(),
        windows.len(),
        a.window
    );
    if let Some(p) = &a.dump_windows {
        write(p, &eval::windows_to_json(&windows, &config)?)?;
    }

    let masks = match &a.masks_in {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| IoError::io(p, e))?;
            let m = MaskSet::from_json(&text).map_err(|e| usage(format!("{}: {e}", p.display())))?;
            m.check(&windows, &spec).map_err(|e| usage(format!("{}: {e}", p.display())))?;
            if m.kind != kind {
                return Err(usage(format!(
                    "{}: masks are {}, not {}",
                    p.display(),
                    m.kind.name(),
                    kind.name()
                )));
            }
            m
        }
        None => {
            let width = sources[0].1.pitch().map(|p| p.width).unwrap_or(68.0);
            let visibility = match &a.visibility_from {
                Some(p) if kind == MaskKind::Visibility => {
                    let d = touchline_io::open(p, None)?;
                    let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    Some(VisibilityPattern::from_tracking(&name, &d)?)
                }
                _ => None,
            };
            let params =
                MaskParams { kind, rate: a.rate, camera: BroadcastCamera::football(width), visibility };
            let seeds: Vec<u64> = (0..a.seeds).collect();
            MaskSet::generate(&windows, &spec, &params, &seeds)?
        }
    };
    if let Some(p) = &a.masks_out {
        write(p, &masks.to_json()?)?;
    }
    if !kind.uses_rate() {
        eprintln!(
            "note: --rate does not apply to the {} mask; it produces its own missing rate",
            kind.name()
        );
    }

    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template("[{elapsed}] {bar:30} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    let results = eval::run(&windows, &masks, &candidates, &config, &mut |p| {
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
        bar.set_message(format!("{} seed {}", p.method, p.seed));
    })?;
    bar.finish_and_clear();

    let md = results.to_markdown();
    for o in &a.out {
        let ext = o.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        let text = match ext.as_str() {
            "md" => md.clone(),
            "csv" => results.to_csv(),
            _ => results.to_json()?,
        };
        write(o, &text)?;
    }
    eprint!("{md}");
    Ok(())
}
