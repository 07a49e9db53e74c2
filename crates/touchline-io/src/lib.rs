//! # touchline-io
//!
//! Provider tracking files in, [`TrackingData`] out: positions in metres with
//! the origin at the pitch centre and `x` along the length, the provider's
//! visibility flags mapped to the `observed` mask, and positions the
//! provider filled in itself kept apart as
//! [`provider_estimate`](TrackingData::provider_estimate).
//!
//! | [`Format`] | files | notes |
//! |---|---|---|
//! | `tracab` | `.dat` or raw `.json` + meta `.xml`/`.json` | centimetres |
//! | `databallpy` | databallpy's wide CSV (+ `metadata.json`) | substitutes' empty columns dropped |
//! | `metrica-csv` | home + away CSV | normalised 0..1 |
//! | `metrica-epts` | EPTS `.txt` + metadata `.xml` | |
//! | `skillcorner` | v3 JSONL (+ match JSON) | `is_detected=false` is an estimate |
//! | `pff` | JSONL (+ metadata, rosters) | `visibility: ESTIMATED` is an estimate |
//! | `statsperform` | MA25 `.txt` (+ MA1 metadata) | |
//! | `sportec` | positional `.xml` + meta `.xml` | |
//! | `signality` | raw `.json` per half + meta + venue | |
//! | `hawkeye` | ball samples JSON per minute (+ meta) | ball only, 3-D |
//! | `nba` | SportVU scenes as packaged by SocialVAE | feet to metres |
//! | `csv` / `json` | Touchline's long CSV and JSON | read and written |
//!
//! [`open`] guesses the format from the file and finds companion files next
//! to it; each module also has loaders that take every path explicitly.
//! Errors ([`IoError`]) name the file and the line or frame at fault; no input
//! makes a loader panic.
//!
//! ```
//! use touchline_io::{long, TrackingBuilder};
//! use touchline_core::{Agent, Team};
//!
//! // Any provider: build frames yourself, then write Touchline's long CSV.
//! let mut b = TrackingBuilder::new("example");
//! let p = b.agent(Agent::new("home_10", Team::Home).with_jersey(10));
//! for f in 0..4 {
//!     b.push_frame(f, f as f64 * 0.1, 1);
//!     if f != 2 { b.observe(p, f as f64, 1.0); }
//! }
//! let data = b.finish()?;
//! let mut csv = Vec::new();
//! long::write_csv(&data, &mut csv)?;
//! let back = long::parse_csv(&csv, "example.csv".as_ref())?;
//! assert_eq!(back.observed(), data.observed());
//! # Ok::<(), touchline_io::IoError>(())
//! ```

pub mod builder;
pub mod error;

pub mod databallpy;
pub mod hawkeye;
pub(crate) mod json;
pub mod long;
pub mod metrica;
pub mod nba;
pub mod pff;
pub mod signality;
pub mod skillcorner;
pub mod sportec;
pub mod statsperform;
pub mod synthetic;
pub mod tracab;

use std::path::{Path, PathBuf};

pub use builder::TrackingBuilder;
pub use error::{IoError, Result};
pub use touchline_core::TrackingData;

/// The file formats this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// ChyronHego TRACAB `.dat` or raw JSON, with meta XML/JSON.
    Tracab,
    /// databallpy's wide tracking CSV.
    Databallpy,
    /// Metrica Sports CSV, one file per team.
    MetricaCsv,
    /// Metrica Sports EPTS (FIFA) text + XML metadata.
    MetricaEpts,
    /// SkillCorner v3 JSONL.
    SkillCorner,
    /// PFF FC JSONL.
    Pff,
    /// Stats Perform MA25 text.
    StatsPerform,
    /// Sportec / DFL positional XML.
    Sportec,
    /// Signality JSON.
    Signality,
    /// Hawk-Eye ball samples (3-D ball only).
    HawkEye,
    /// NBA SportVU scene text (SocialVAE packaging).
    Nba,
    /// Touchline's long CSV (`frame,time_s,agent,team,x,y,observed`).
    LongCsv,
    /// Touchline's JSON.
    Json,
}

impl Format {
    /// Every format, in the order [`detect`] tries them.
    pub const ALL: [Format; 13] = [
        Format::Json,
        Format::LongCsv,
        Format::Tracab,
        Format::Databallpy,
        Format::MetricaCsv,
        Format::MetricaEpts,
        Format::SkillCorner,
        Format::Pff,
        Format::StatsPerform,
        Format::Sportec,
        Format::Signality,
        Format::HawkEye,
        Format::Nba,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Tracab => "tracab",
            Format::Databallpy => "databallpy",
            Format::MetricaCsv => "metrica-csv",
            Format::MetricaEpts => "metrica-epts",
            Format::SkillCorner => "skillcorner",
            Format::Pff => "pff",
            Format::StatsPerform => "statsperform",
            Format::Sportec => "sportec",
            Format::Signality => "signality",
            Format::HawkEye => "hawkeye",
            Format::Nba => "nba",
            Format::LongCsv => "csv",
            Format::Json => "json",
        }
    }

    /// Parses a name produced by [`Format::name`] (case-insensitive).
    pub fn from_name(s: &str) -> Option<Format> {
        let s = s.trim().to_ascii_lowercase();
        Format::ALL.into_iter().find(|f| f.name() == s)
    }

    fn sniff(self, path: &Path, head: &str) -> bool {
        match self {
            Format::Tracab => tracab::sniff(path, head),
            Format::Databallpy => databallpy::sniff(path, head),
            Format::MetricaCsv => metrica::sniff_csv(path, head),
            Format::MetricaEpts => metrica::sniff_epts(path, head),
            Format::SkillCorner => skillcorner::sniff(path, head),
            Format::Pff => pff::sniff(path, head),
            Format::StatsPerform => statsperform::sniff(path, head),
            Format::Sportec => sportec::sniff(path, head),
            Format::Signality => signality::sniff(path, head),
            Format::HawkEye => hawkeye::sniff(path, head),
            Format::Nba => nba::sniff(path, head),
            Format::LongCsv => long::sniff_csv(path, head),
            Format::Json => long::sniff_json(path, head),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads a whole file, naming it in the error.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| IoError::io(path, e))
}

/// Reads a whole file as UTF-8 text, naming it in the error (a leading BOM is dropped).
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = read_bytes(path)?;
    bytes_to_text(bytes, path)
}

/// UTF-8 text from bytes; the error names the byte offset.
pub fn bytes_to_text(bytes: Vec<u8>, path: &Path) -> Result<String> {
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..3);
            }
            Ok(s)
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(IoError::parse(path, line, format!("not UTF-8 text (byte {at})")))
        }
    }
}

/// The first file that exists among `dir/name` for each name, or an error
/// listing every path tried.
pub fn find_companion(main: &Path, what: &'static str, names: &[String]) -> Result<PathBuf> {
    let dir = main.parent().unwrap_or_else(|| Path::new("."));
    let tried: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
    tried.iter().find(|p| p.is_file()).cloned().ok_or_else(|| IoError::MissingCompanion {
        path: main.to_path_buf(),
        what,
        looked_for: tried,
    })
}

fn head_of(path: &Path) -> Result<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| IoError::io(path, e))?;
    let mut buf = vec![0u8; 8192];
    let mut n = 0;
    while n < buf.len() {
        let k = f.read(&mut buf[n..]).map_err(|e| IoError::io(path, e))?;
        if k == 0 {
            break;
        }
        n += k;
    }
    buf.truncate(n);
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Guesses the format of a file from its name and first 8 KiB.
pub fn detect(path: &Path) -> Result<Format> {
    let head = head_of(path)?;
    if head.trim().is_empty() {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    Format::ALL.into_iter().find(|f| f.sniff(path, &head)).ok_or_else(|| IoError::UnknownFormat {
        path: path.to_path_buf(),
        reason: format!(
            "not a tracking format Touchline recognises; pass one of: {}",
            Format::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
        ),
    })
}

/// Loads a file, guessing the format when `format` is `None`, and finding
/// companion files (metadata, the other team's file) next to it.
pub fn open(path: &Path, format: Option<Format>) -> Result<TrackingData> {
    let format = match format {
        Some(f) => f,
        None => detect(path)?,
    };
    match format {
        Format::Tracab => tracab::open(path),
        Format::Databallpy => databallpy::open(path),
        Format::MetricaCsv => metrica::open_csv(path),
        Format::MetricaEpts => metrica::open_epts(path),
        Format::SkillCorner => skillcorner::open(path),
        Format::Pff => pff::open(path),
        Format::StatsPerform => statsperform::open(path),
        Format::Sportec => sportec::open(path),
        Format::Signality => signality::open(path),
        Format::HawkEye => hawkeye::open(path),
        Format::Nba => nba::open(path),
        Format::LongCsv => long::read_csv(path),
        Format::Json => long::read_json(path),
    }
}
