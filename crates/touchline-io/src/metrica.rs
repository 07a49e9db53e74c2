//! Metrica Sports tracking data: the two-file CSV format and the EPTS (FIFA)
//! text + XML metadata format.
//!
//! # Format facts relied on
//!
//! Both formats give positions **normalised to `0..1`** on both axes with the
//! origin at the **top-left** corner, `x` along the length and `y` pointing
//! **down** (`(0.5, 0.5)` is the kick-off spot). Touchline flips `y` and maps
//! to metres at the pitch centre with
//! [`AxisTransform::normalized_top_left`]. Neither format has a visibility
//! flag: a position is either given (observed) or `NaN`/empty (missing, not
//! recorded); `inf` is treated as missing too.
//!
//! ## CSV (`*_Home_Team.csv` + `*_Away_Team.csv`)
//!
//! One file per team, three header rows then one row per frame:
//!
//! 1. team row: `,,,Home,,Home,...` (the team label above each player's x column);
//! 2. jersey row: `,,,11,,1,...` (the shirt number above each player's x column);
//! 3. `Period,Frame,Time [s],Player11,,Player1,,...,Ball,`: each player and
//!    the ball take two columns, the name above `x` and an empty cell above `y`.
//!
//! Data rows have exactly as many fields as the third header row. The CSV
//! states no pitch size and no frame rate: Metrica's samples use a
//! 105 x 68 m pitch ([`DEFAULT_PITCH`], override with [`load_csv`] /
//! [`open_csv_with_pitch`]) at 25 Hz ([`CSV_FRAME_RATE`]). Timestamps are the
//! `Time [s]` column, periods the `Period` column; frame numbers need not be
//! contiguous (only time must strictly increase).
//!
//! The two files must list the same frames with the same period and time,
//! row by row; a mismatch is an [`IoError::Frame`] naming the away file and
//! the frame. Both files carry the ball's columns: Touchline takes the home
//! file's and ignores the away file's (it uses the away file's only if the
//! home file has no `Ball` column). Agent ids are `home_<jersey>` /
//! `away_<jersey>` from the jersey row (when a team's jerseys are all numbers
//! and distinct; otherwise `home_<header name>`), the ball is `ball`.
//!
//! ## EPTS (`*_tracking.txt` + `*_metadata.xml`)
//!
//! The XML metadata gives the frame rate (`GlobalConfig/FrameRate`), the pitch
//! (`Sessions/Session/FieldSize`: `Width` is the length, `Height` the width, in
//! metres; 105 x 68 is assumed when absent), the periods as frame ranges
//! (`ProviderGlobalParameters` `first_half_start` / `_end`, `second_half_...`,
//! `first_extra_half_...`, `second_extra_half_...` as periods 1 to 4), the home
//! and away teams (`Score@idLocalTeam` / `@idVisitingTeam`), the players with
//! team and shirt number, the home team's `attack_direction_first_half`
//! (period 2 is taken as the opposite; extra time is left unknown), the sensor
//! channels with their units (positions must be `normalized`) and one or more
//! `DataFormatSpecification`s, each valid for a range of frames, describing a
//! line as nested `SplitRegister`s (each with its separator) of
//! `StringRegister name="frameCount"`, `PlayerChannelRef` (player `x`, `y` or
//! other channels such as speed) and `BallChannelRef`. The line layout is read
//! from that tree, never assumed: the player order changes between
//! specifications after substitutions. Channels other than `x`, `y` (and a
//! ball `z` in metres) are skipped without being checked.
//!
//! The time of a frame is `frame / frame_rate`; a frame outside every listed
//! period gets period id 0 (period 1 for all frames if the metadata lists no
//! period). A frame outside every specification's frame range is an
//! [`IoError::Frame`]. Agent ids are `home_<jersey>` / `away_<jersey>` when a
//! team's shirt numbers are known and distinct, else the provider's player id.
//!
//! ```
//! use std::path::Path;
//! use touchline_core::Team;
//! use touchline_io::metrica;
//!
//! let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/kloppy_samples/metrica"));
//! // CSV: give either team's file, the other is found by swapping Home/Away in the name.
//! let csv = metrica::open_csv(&dir.join("metrica_home.csv"))?;
//! assert_eq!(csv.n_frames(), 6);
//! assert_eq!(csv.team_indices(Team::Home).len(), 14);
//! // EPTS: the metadata XML next to the tracking file describes the line layout.
//! let epts = metrica::open_epts(&dir.join("epts_metrica_tracking.txt"))?;
//! assert_eq!(epts.n_frames(), 100);
//! assert_eq!(epts.frame_rate(), 25.0);
//! # Ok::<(), touchline_io::IoError>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use touchline_core::{Agent, AxisTransform, CoreError, Direction, Pitch, Team};

use crate::{
    IoError, Result, TrackingBuilder, TrackingData, bytes_to_text, find_companion, read_bytes, read_text,
};

/// Frame rate of Metrica's CSV files (the files do not state it).
pub const CSV_FRAME_RATE: f64 = 25.0;

/// Pitch assumed when the file states none: Metrica's 105 x 68 m.
pub const DEFAULT_PITCH: Pitch = Pitch::FOOTBALL;

/// At most this many characters of a bad field are quoted in an error.
const QUOTE: usize = 40;

fn quote(s: &str) -> String {
    let mut q: String = s.chars().take(QUOTE).collect();
    if s.chars().nth(QUOTE).is_some() {
        q.push_str("...");
    }
    q
}

/// A number field: empty is missing (`NaN`), `NaN`/`inf` parse as such (and are
/// later treated as missing), anything else must be a number.
fn number(s: &str, what: impl FnOnce() -> String) -> std::result::Result<f64, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(f64::NAN);
    }
    s.parse::<f64>().map_err(|_| format!("{}: '{}' is not a number", what(), quote(s)))
}

/// Frame numbers: whole, non-negative and exactly representable as `f64`.
fn frame_number(s: &str) -> std::result::Result<i64, String> {
    let s = s.trim();
    match s.parse::<i64>() {
        Ok(f) if (0..(1_i64 << 53)).contains(&f) => Ok(f),
        Ok(f) => Err(format!("frame number {f} is out of range")),
        Err(_) => Err(format!("frame number '{}' is not a whole number", quote(s))),
    }
}

fn invalid(path: &Path, e: CoreError) -> IoError {
    IoError::Invalid { path: path.to_path_buf(), source: e }
}

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

/// One player's (or the ball's) pair of columns in a Metrica CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvColumn {
    /// Name in the third header row (`Player11`, `Ball`).
    pub name: String,
    /// Shirt number from the second header row, when it is a whole number.
    pub jersey: Option<u32>,
    /// 0-based index of the `x` column; `y` is the next one.
    pub column: usize,
}

/// One data row of a Metrica CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvRow {
    /// 1-based line number in the file.
    pub line: usize,
    /// `Period` column.
    pub period: u32,
    /// `Frame` column.
    pub frame: i64,
    /// `Time [s]` column.
    pub time: f64,
    /// Normalised `[x, y]` per player, in the order of [`CsvTeam::players`];
    /// `NaN` when missing.
    pub players: Vec<[f64; 2]>,
    /// Normalised ball `[x, y]` when the file has `Ball` columns.
    pub ball: Option<[f64; 2]>,
}

/// One team's Metrica CSV file, parsed but not yet combined with the other.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvTeam {
    /// The team named in the first header row (`Home` / `Away`), if any.
    pub team: Option<Team>,
    /// Player columns, in file order.
    pub players: Vec<CsvColumn>,
    /// The ball's columns, if present.
    pub ball: Option<CsvColumn>,
    /// Data rows, in file order.
    pub rows: Vec<CsvRow>,
}

fn split_fields(line: &str) -> Vec<&str> {
    line.split(',').map(str::trim).collect()
}

/// True for a Metrica CSV file: its third line is the
/// `Period,Frame,Time [s],...` header and the first two are the team and
/// jersey rows.
pub fn sniff_csv(_path: &Path, head: &str) -> bool {
    let head = head.strip_prefix('\u{feff}').unwrap_or(head);
    let mut lines = head.lines();
    let (Some(l1), Some(_l2), Some(l3)) = (lines.next(), lines.next(), lines.next()) else {
        return false;
    };
    let h = split_fields(l3);
    let is_header = h.len() >= 5
        && h.first().is_some_and(|s| s.eq_ignore_ascii_case("period"))
        && h.get(1).is_some_and(|s| s.eq_ignore_ascii_case("frame"))
        && h.get(2).is_some_and(|s| s.to_ascii_lowercase().starts_with("time"));
    let teams = split_fields(l1);
    let team_row = teams.iter().take(3).all(|s| s.is_empty())
        && teams.iter().any(|s| s.eq_ignore_ascii_case("home") || s.eq_ignore_ascii_case("away"));
    is_header && team_row
}

/// Parses one team's Metrica CSV file. `path` is used only in errors.
pub fn parse_csv_team(raw: &[u8], path: &Path) -> Result<CsvTeam> {
    let text = bytes_to_text(raw.to_vec(), path)?;
    if text.trim().is_empty() {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let row1 = lines.next().unwrap_or("");
    let row2 = lines.next().ok_or_else(|| IoError::parse(path, 2, "missing the jersey header row"))?;
    let row3 = lines.next().ok_or_else(|| IoError::parse(path, 3, "missing the column header row"))?;
    let head = split_fields(row3);
    let ok = head.len() >= 3
        && head.first().is_some_and(|s| s.eq_ignore_ascii_case("period"))
        && head.get(1).is_some_and(|s| s.eq_ignore_ascii_case("frame"))
        && head.get(2).is_some_and(|s| s.to_ascii_lowercase().starts_with("time"));
    if !ok {
        return Err(IoError::parse(
            path,
            3,
            format!("expected the header 'Period,Frame,Time [s],...', found '{}'", quote(row3)),
        ));
    }
    let r1 = split_fields(row1);
    let r2 = split_fields(row2);

    let mut players = Vec::new();
    let mut ball: Option<CsvColumn> = None;
    let mut labels: Vec<(Team, usize)> = Vec::new();
    let mut i = 3;
    while i < head.len() {
        let name = head.get(i).copied().unwrap_or("");
        if name.is_empty() {
            i += 1;
            continue;
        }
        if i + 1 >= head.len() {
            return Err(IoError::parse(
                path,
                3,
                format!("column '{}' (column {}) has no y column", quote(name), i + 1),
            ));
        }
        let jersey = r2.get(i).and_then(|s| s.parse::<u32>().ok());
        let col = CsvColumn { name: name.to_string(), jersey, column: i };
        if name.eq_ignore_ascii_case("ball") {
            if ball.is_some() {
                return Err(IoError::parse(path, 3, "two 'Ball' columns"));
            }
            ball = Some(col);
        } else {
            if let Some(t) =
                r1.get(i).and_then(|s| Team::parse(s)).filter(|t| matches!(t, Team::Home | Team::Away))
            {
                labels.push((t, i));
            }
            players.push(col);
        }
        i += 2;
    }
    let team = match labels.first() {
        None => None,
        Some(&(t, _)) => {
            if let Some(&(other, col)) = labels.iter().find(|(u, _)| *u != t) {
                return Err(IoError::parse(
                    path,
                    1,
                    format!("the team row mixes {t} and {other} (column {})", col + 1),
                ));
            }
            Some(t)
        }
    };

    let mut rows = Vec::new();
    for (k, line) in lines.enumerate() {
        let lineno = k + 4;
        if line.trim().is_empty() {
            continue;
        }
        let fields = split_fields(line);
        if fields.len() != head.len() {
            return Err(IoError::parse(
                path,
                lineno,
                format!(
                    "expected {} comma-separated fields (as in the header), found {}",
                    head.len(),
                    fields.len()
                ),
            ));
        }
        let field = |c: usize| fields.get(c).copied().unwrap_or("");
        let period = field(0).parse::<u32>().map_err(|_| {
            IoError::parse(path, lineno, format!("period '{}' is not a whole number", quote(field(0))))
        })?;
        let frame = frame_number(field(1)).map_err(|m| IoError::parse(path, lineno, m))?;
        let time = field(2).parse::<f64>().map_err(|_| {
            IoError::parse(path, lineno, format!("time '{}' is not a number", quote(field(2))))
        })?;
        let pair = |c: &CsvColumn| -> Result<[f64; 2]> {
            let x = number(field(c.column), || format!("{} x (column {})", c.name, c.column + 1));
            let y = number(field(c.column + 1), || format!("{} y (column {})", c.name, c.column + 2));
            match (x, y) {
                (Ok(x), Ok(y)) => Ok([x, y]),
                (Err(m), _) | (_, Err(m)) => Err(IoError::parse(path, lineno, m)),
            }
        };
        let ps = players.iter().map(pair).collect::<Result<Vec<_>>>()?;
        let b = ball.as_ref().map(pair).transpose()?;
        rows.push(CsvRow { line: lineno, period, frame, time, players: ps, ball: b });
    }
    if rows.is_empty() {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    Ok(CsvTeam { team, players, ball, rows })
}

/// Agent ids for one team's columns: `<team>_<jersey>` when all jerseys are
/// known and distinct, else `<team>_<header name>`.
fn csv_ids(team: Team, cols: &[CsvColumn]) -> Vec<String> {
    let jerseys: Vec<u32> = cols.iter().filter_map(|c| c.jersey).collect();
    let distinct: HashSet<u32> = jerseys.iter().copied().collect();
    if jerseys.len() == cols.len() && distinct.len() == cols.len() {
        jerseys.iter().map(|j| format!("{}_{j}", team.as_str())).collect()
    } else {
        cols.iter().map(|c| format!("{}_{}", team.as_str(), c.name)).collect()
    }
}

fn same_time(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a - b).abs() <= 1e-6
}

/// Combines the home and away files' bytes into one dataset (pure: the paths
/// are used only in errors). `pitch` is the pitch size in metres that the
/// normalised coordinates are scaled to.
pub fn parse_csv(
    home: &[u8],
    home_path: &Path,
    away: &[u8],
    away_path: &Path,
    pitch: Pitch,
) -> Result<TrackingData> {
    let pitch = Pitch::new(pitch.length, pitch.width).map_err(|e| invalid(home_path, e))?;
    let h = parse_csv_team(home, home_path)?;
    let a = parse_csv_team(away, away_path)?;
    if h.team == Some(Team::Away) {
        return Err(IoError::parse(
            home_path,
            1,
            "the team row says Away, but this was given as the home file",
        ));
    }
    if a.team == Some(Team::Home) {
        return Err(IoError::parse(
            away_path,
            1,
            "the team row says Home, but this was given as the away file",
        ));
    }
    let n = h.rows.len().max(a.rows.len());
    for k in 0..n {
        match (h.rows.get(k), a.rows.get(k)) {
            (Some(hr), Some(ar)) => {
                if hr.frame != ar.frame || hr.period != ar.period || !same_time(hr.time, ar.time) {
                    return Err(IoError::Frame {
                        path: away_path.to_path_buf(),
                        frame: ar.frame,
                        message: format!(
                            "line {} has period {}, frame {}, time {} s but the home file's line {} has \
                             period {}, frame {}, time {} s",
                            ar.line, ar.period, ar.frame, ar.time, hr.line, hr.period, hr.frame, hr.time
                        ),
                    });
                }
            }
            (Some(hr), None) => {
                return Err(IoError::Frame {
                    path: away_path.to_path_buf(),
                    frame: hr.frame,
                    message: format!("missing: the away file ends before the home file's line {}", hr.line),
                });
            }
            (None, Some(ar)) => {
                return Err(IoError::Frame {
                    path: away_path.to_path_buf(),
                    frame: ar.frame,
                    message: format!("line {}: frame not in the home file", ar.line),
                });
            }
            (None, None) => {}
        }
    }

    let mut b = TrackingBuilder::new(home_path);
    let mut register = |team: Team, cols: &[CsvColumn]| -> Vec<usize> {
        csv_ids(team, cols)
            .into_iter()
            .zip(cols)
            .map(|(id, c)| {
                let mut agent = Agent::new(id, team);
                agent.jersey = c.jersey;
                b.agent(agent)
            })
            .collect()
    };
    let home_idx = register(Team::Home, &h.players);
    let away_idx = register(Team::Away, &a.players);
    let ball = b.agent(Agent::ball());
    let use_away_ball = h.ball.is_none();
    for (hr, ar) in h.rows.iter().zip(&a.rows) {
        b.push_frame(hr.frame, hr.time, hr.period);
        for (&i, p) in home_idx.iter().zip(&hr.players) {
            b.observe(i, p[0], p[1]);
        }
        for (&i, p) in away_idx.iter().zip(&ar.players) {
            b.observe(i, p[0], p[1]);
        }
        let bp = if use_away_ball { ar.ball } else { hr.ball };
        if let Some(p) = bp {
            b.observe(ball, p[0], p[1]);
        }
    }
    b.frame_rate(CSV_FRAME_RATE)
        .pitch(pitch)
        .transform(AxisTransform::normalized_top_left(pitch.length, pitch.width))
        .finish()
}

/// Loads a home and an away CSV file given explicitly, scaling to `pitch`.
pub fn load_csv(home: &Path, away: &Path, pitch: Pitch) -> Result<TrackingData> {
    let h = read_bytes(home)?;
    let a = read_bytes(away)?;
    parse_csv(&h, home, &a, away, pitch)
}

/// Swaps `Home`<->`Away` (any letter case, as written) in a file name: the
/// names of the other team's file to try, most likely first (the last
/// occurrence swapped, then every occurrence). Empty if the name has neither.
///
/// ```
/// use touchline_io::metrica::csv_companion_names;
/// assert_eq!(csv_companion_names("metrica_home.csv")[0], "metrica_away.csv");
/// assert_eq!(
///     csv_companion_names("Sample_Game_1_RawTrackingData_Away_Team.csv")[0],
///     "Sample_Game_1_RawTrackingData_Home_Team.csv"
/// );
/// ```
pub fn csv_companion_names(file_name: &str) -> Vec<String> {
    fn swap_word(w: &str) -> String {
        let target = if w.eq_ignore_ascii_case("home") { "away" } else { "home" };
        // keep the letter case of each position
        w.chars()
            .zip(target.chars())
            .map(|(src, t)| if src.is_ascii_uppercase() { t.to_ascii_uppercase() } else { t })
            .collect()
    }
    let lower = file_name.to_ascii_lowercase();
    // byte offsets of "home"/"away" (ASCII, so offsets agree between `lower` and `file_name`)
    let mut hits: Vec<usize> = Vec::new();
    for word in ["home", "away"] {
        hits.extend(lower.match_indices(word).map(|(i, _)| i));
    }
    hits.sort_unstable();
    let swap_at = |name: &str, at: &[usize]| -> String {
        let mut out = String::with_capacity(name.len());
        let mut last = 0;
        for &i in at {
            if let (Some(before), Some(w)) = (name.get(last..i), name.get(i..i + 4)) {
                out.push_str(before);
                out.push_str(&swap_word(w));
                last = i + 4;
            }
        }
        out.push_str(name.get(last..).unwrap_or(""));
        out
    };
    let mut names = Vec::new();
    if let Some(&lastpos) = hits.last() {
        names.push(swap_at(file_name, &[lastpos]));
        let all = swap_at(file_name, &hits);
        if !names.contains(&all) {
            names.push(all);
        }
    }
    names
}

/// Loads a Metrica CSV pair from either team's file (on a 105 x 68 m pitch):
/// the team comes from the file's team row (or its name), the other file is
/// found next to it by swapping `Home`/`Away` in the name.
pub fn open_csv(path: &Path) -> Result<TrackingData> {
    open_csv_with_pitch(path, DEFAULT_PITCH)
}

/// [`open_csv`] with an explicit pitch size.
pub fn open_csv_with_pitch(path: &Path, pitch: Pitch) -> Result<TrackingData> {
    let bytes = read_bytes(path)?;
    let head = String::from_utf8_lossy(bytes.get(..bytes.len().min(8192)).unwrap_or(&bytes)).into_owned();
    let first = head.lines().next().unwrap_or("");
    let labels: Vec<Team> = split_fields(first).iter().filter_map(|s| Team::parse(s)).collect();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    let is_away = if labels.contains(&Team::Away) && !labels.contains(&Team::Home) {
        true
    } else if labels.contains(&Team::Home) && !labels.contains(&Team::Away) {
        false
    } else {
        lower.rfind("away") > lower.rfind("home")
    };
    let other = find_companion(
        path,
        if is_away { "home team's CSV file" } else { "away team's CSV file" },
        &csv_companion_names(&name),
    )?;
    let other_bytes = read_bytes(&other)?;
    if is_away {
        parse_csv(&other_bytes, &other, &bytes, path, pitch)
    } else {
        parse_csv(&bytes, path, &other_bytes, &other, pitch)
    }
}

// ---------------------------------------------------------------------------
// EPTS
// ---------------------------------------------------------------------------

/// A player listed in EPTS metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct EptsPlayer {
    /// The provider's player id (`Player@id`).
    pub provider_id: String,
    /// The Touchline agent id (`home_<jersey>`, `away_<jersey>` or the provider id).
    pub agent_id: String,
    /// Side, from `Player@teamId`.
    pub team: Team,
    /// `ShirtNumber`.
    pub jersey: Option<u32>,
    /// `Name`.
    pub name: Option<String>,
    /// The `position_type` provider parameter, unless empty or `Unknown`.
    pub role: Option<String>,
}

/// A period listed in EPTS metadata, as an inclusive range of frame numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EptsPeriod {
    /// 1 first half, 2 second half, 3 and 4 extra time.
    pub id: u32,
    /// First frame number.
    pub start_frame: i64,
    /// Last frame number (inclusive).
    pub end_frame: i64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Axis {
    X,
    Y,
    /// Height, with the factor to metres.
    Z(f64),
}

#[derive(Debug, Clone, PartialEq)]
enum Reg {
    Split { sep: String, children: Vec<Reg> },
    Frame,
    Skip,
    Player { player: usize, axis: Axis },
    Ball { axis: Axis },
}

#[derive(Debug, Clone, PartialEq)]
struct Spec {
    start: i64,
    end: i64,
    root: Reg,
}

/// Parsed EPTS metadata: everything needed to read the tracking text.
#[derive(Debug, Clone, PartialEq)]
pub struct EptsMeta {
    /// `GlobalConfig/FrameRate`, Hz.
    pub frame_rate: f64,
    /// Pitch size (from `FieldSize`, else [`DEFAULT_PITCH`]).
    pub pitch: Pitch,
    /// Whether [`pitch`](Self::pitch) came from the metadata.
    pub pitch_from_metadata: bool,
    /// Players, in metadata order.
    pub players: Vec<EptsPlayer>,
    /// Periods that have a start frame.
    pub periods: Vec<EptsPeriod>,
    /// Which way the home team attacks in the first half, when stated.
    pub home_direction_first_half: Option<Direction>,
    specs: Vec<Spec>,
}

impl EptsMeta {
    /// The frame ranges (inclusive) of the data format specifications, in order.
    pub fn spec_frames(&self) -> Vec<(i64, i64)> {
        self.specs.iter().map(|s| (s.start, s.end)).collect()
    }

    /// Provider ids of the players whose `x` appears in specification `spec`'s
    /// line layout, in line order (empty if `spec` is out of range).
    pub fn spec_players(&self, spec: usize) -> Vec<&str> {
        fn walk(r: &Reg, out: &mut Vec<usize>) {
            match r {
                Reg::Split { children, .. } => children.iter().for_each(|c| walk(c, out)),
                Reg::Player { player, axis: Axis::X } => out.push(*player),
                _ => {}
            }
        }
        let mut idx = Vec::new();
        if let Some(s) = self.specs.get(spec) {
            walk(&s.root, &mut idx);
        }
        idx.iter().filter_map(|&i| self.players.get(i)).map(|p| p.provider_id.as_str()).collect()
    }

    /// The period id of a frame number (0 outside every listed period, 1 when
    /// none is listed).
    pub fn period_of(&self, frame: i64) -> u32 {
        if self.periods.is_empty() {
            return 1;
        }
        self.periods.iter().find(|p| p.start_frame <= frame && frame <= p.end_frame).map_or(0, |p| p.id)
    }
}

/// Line number of a string slice borrowed from `doc` (0 if it is not part of it).
fn line_in(doc: &str, s: &str) -> usize {
    let base = doc.as_ptr() as usize;
    let p = s.as_ptr() as usize;
    if p < base || p > base + doc.len() {
        return 0;
    }
    doc.as_bytes().get(..p - base).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count() + 1)
}

type Node<'a, 'i> = roxmltree::Node<'a, 'i>;

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn descendant<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.descendants().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text_of<'a>(n: Node<'a, '_>) -> Option<&'a str> {
    n.text().map(str::trim).filter(|s| !s.is_empty())
}

struct MetaCx<'x> {
    xml: &'x str,
    path: &'x Path,
}

impl MetaCx<'_> {
    fn err(&self, at: &str, msg: impl Into<String>) -> IoError {
        IoError::parse(self.path, line_in(self.xml, at), msg)
    }

    /// A required attribute.
    fn attr<'a>(&self, n: Node<'a, '_>, name: &str, anchor: &str) -> Result<&'a str> {
        n.attribute(name).ok_or_else(|| {
            self.err(anchor, format!("<{}> lacks the '{name}' attribute", n.tag_name().name()))
        })
    }
}

/// `Name`/`Value` pairs of the `ProviderParameter`s under `n`.
fn provider_params<'a>(n: Node<'a, '_>) -> Vec<(&'a str, &'a str)> {
    n.children()
        .filter(|c| c.is_element() && c.tag_name().name() == "ProviderParameter")
        .filter_map(|p| {
            let name = child(p, "Name").and_then(text_of)?;
            let value = child(p, "Value").and_then(text_of)?;
            Some((name, value))
        })
        .collect()
}

fn direction(s: &str) -> Option<Direction> {
    match s.trim().to_ascii_lowercase().as_str() {
        "left_to_right" | "lefttoright" | "ltr" => Some(Direction::LeftToRight),
        "right_to_left" | "righttoleft" | "rtl" => Some(Direction::RightToLeft),
        _ => None,
    }
}

fn opposite(d: Direction) -> Direction {
    match d {
        Direction::LeftToRight => Direction::RightToLeft,
        Direction::RightToLeft => Direction::LeftToRight,
    }
}

fn metres_per(unit: &str) -> Option<f64> {
    match unit.trim().to_ascii_lowercase().as_str() {
        "m" | "meter" | "meters" | "metre" | "metres" => Some(1.0),
        "cm" | "centimeter" | "centimeters" | "centimetre" | "centimetres" => Some(0.01),
        _ => None,
    }
}

const MAX_DEPTH: usize = 32;

/// Parses EPTS metadata XML. `path` is used only in errors (XML errors name
/// the line where the text allows).
pub fn parse_epts_meta(xml: &str, path: &Path) -> Result<EptsMeta> {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    if xml.trim().is_empty() {
        return Err(IoError::Empty { path: path.to_path_buf() });
    }
    let doc = roxmltree::Document::parse(xml).map_err(|e| {
        let line = usize::try_from(e.pos().row).unwrap_or(0);
        IoError::parse(path, line, format!("invalid XML: {e}"))
    })?;
    let cx = MetaCx { xml, path };
    let root = doc.root_element();
    let meta = descendant(root, "Metadata").ok_or_else(|| IoError::missing(path, "<Metadata> element"))?;
    let global = descendant(meta, "GlobalConfig");

    // frame rate
    let fr_node = global
        .and_then(|g| child(g, "FrameRate"))
        .and_then(text_of)
        .ok_or_else(|| IoError::missing(path, "GlobalConfig/FrameRate"))?;
    let frame_rate =
        fr_node.parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0).ok_or_else(|| {
            cx.err(fr_node, format!("FrameRate '{}' is not a positive number", quote(fr_node)))
        })?;

    // periods
    let gparams =
        global.and_then(|g| child(g, "ProviderGlobalParameters")).map(provider_params).unwrap_or_default();
    let param = |name: &str| gparams.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v);
    let mut periods = Vec::new();
    for (id, key) in
        [(1, "first_half"), (2, "second_half"), (3, "first_extra_half"), (4, "second_extra_half")]
    {
        let Some(start) = param(&format!("{key}_start")) else { continue };
        let start_frame = frame_number(start).map_err(|m| cx.err(start, format!("{key}_start: {m}")))?;
        let end_frame = match param(&format!("{key}_end")) {
            Some(end) => frame_number(end).map_err(|m| cx.err(end, format!("{key}_end: {m}")))?,
            None => i64::MAX,
        };
        if end_frame < start_frame {
            return Err(
                cx.err(start, format!("{key} ends (frame {end_frame}) before it starts ({start_frame})"))
            );
        }
        periods.push(EptsPeriod { id, start_frame, end_frame });
    }

    // pitch
    let field = meta.descendants().find(|n| n.is_element() && n.tag_name().name() == "FieldSize");
    let (pitch, pitch_from_metadata) = match field {
        None => (DEFAULT_PITCH, false),
        Some(f) => {
            let dim = |name: &str| -> Result<f64> {
                let t = child(f, name)
                    .and_then(text_of)
                    .ok_or_else(|| IoError::missing(path, format!("FieldSize/{name}")))?;
                t.parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0).ok_or_else(|| {
                    cx.err(t, format!("FieldSize/{name} '{}' is not a positive number", quote(t)))
                })
            };
            (Pitch { length: dim("Width")?, width: dim("Height")? }, true)
        }
    };

    // teams
    let team_nodes: Vec<Node> = descendant(meta, "Teams")
        .map(|t| t.children().filter(|c| c.is_element() && c.tag_name().name() == "Team").collect())
        .unwrap_or_default();
    let score = descendant(meta, "Score");
    let mut home_id = score.and_then(|s| s.attribute("idLocalTeam")).map(str::to_string);
    let mut away_id = score.and_then(|s| s.attribute("idVisitingTeam")).map(str::to_string);
    if home_id.is_none() && away_id.is_none() {
        home_id = team_nodes.first().and_then(|t| t.attribute("id")).map(str::to_string);
        away_id = team_nodes.get(1).and_then(|t| t.attribute("id")).map(str::to_string);
    }
    let side = |team_id: &str| -> Team {
        if home_id.as_deref() == Some(team_id) {
            Team::Home
        } else if away_id.as_deref() == Some(team_id) {
            Team::Away
        } else {
            Team::Unknown
        }
    };
    let mut home_direction_first_half = None;
    for t in &team_nodes {
        let Some(tid) = t.attribute("id") else { continue };
        let params = child(*t, "ProviderTeamsParameters").map(provider_params).unwrap_or_default();
        let dir = params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("attack_direction_first_half"))
            .and_then(|(_, v)| direction(v));
        match (side(tid), dir) {
            (Team::Home, Some(d)) => home_direction_first_half = Some(d),
            (Team::Away, Some(d)) if home_direction_first_half.is_none() => {
                home_direction_first_half = Some(opposite(d))
            }
            _ => {}
        }
    }

    // players
    let mut players: Vec<EptsPlayer> = Vec::new();
    let mut player_index: HashMap<String, usize> = HashMap::new();
    if let Some(ps) = descendant(meta, "Players") {
        for p in ps.children().filter(|c| c.is_element() && c.tag_name().name() == "Player") {
            let id = cx.attr(p, "id", p.attribute("teamId").unwrap_or(""))?;
            if player_index.contains_key(id) {
                return Err(cx.err(id, format!("player id '{}' listed twice", quote(id))));
            }
            let team = p.attribute("teamId").map_or(Team::Unknown, side);
            let jersey = child(p, "ShirtNumber").and_then(text_of).and_then(|s| s.parse::<u32>().ok());
            let name = child(p, "Name").and_then(text_of).map(str::to_string);
            let role = child(p, "ProviderPlayerParameters")
                .map(provider_params)
                .unwrap_or_default()
                .iter()
                .find(|(n, _)| *n == "position_type")
                .map(|(_, v)| v.to_string())
                .filter(|v| !v.eq_ignore_ascii_case("unknown"));
            player_index.insert(id.to_string(), players.len());
            players.push(EptsPlayer {
                provider_id: id.to_string(),
                agent_id: id.to_string(),
                team,
                jersey,
                name,
                role,
            });
        }
    }
    for team in [Team::Home, Team::Away] {
        let members: Vec<usize> = (0..players.len()).filter(|&i| players[i].team == team).collect();
        let jerseys: HashSet<u32> = members.iter().filter_map(|&i| players[i].jersey).collect();
        let all_known = members.iter().all(|&i| players[i].jersey.is_some());
        if all_known && jerseys.len() == members.len() {
            for &i in &members {
                if let Some(j) = players[i].jersey {
                    players[i].agent_id = format!("{}_{j}", team.as_str());
                }
            }
        }
    }
    let ids: HashSet<&str> = players.iter().map(|p| p.agent_id.as_str()).collect();
    if ids.len() != players.len() || ids.contains("ball") {
        for p in &mut players {
            p.agent_id = p.provider_id.clone();
        }
    }

    // channels: id -> (unit, name)
    let mut channels: HashMap<&str, (Option<&str>, Option<&str>)> = HashMap::new();
    for c in meta.descendants().filter(|c| c.is_element() && c.tag_name().name() == "Channel") {
        if let Some(id) = c.attribute("id") {
            channels.insert(id, (child(c, "Unit").and_then(text_of), child(c, "Name").and_then(text_of)));
        }
    }
    let axis_of = |channel_id: &str| -> Result<Option<Axis>> {
        let (unit, name) = channels.get(channel_id).copied().unwrap_or((None, None));
        let key = channel_id.to_ascii_lowercase();
        let name = name.map(str::to_ascii_lowercase).unwrap_or_default();
        let which = if key == "x" || name == "position_x" {
            'x'
        } else if key == "y" || name == "position_y" {
            'y'
        } else if key == "z" || name == "position_z" {
            'z'
        } else {
            return Ok(None);
        };
        if which == 'z' {
            return Ok(unit.and_then(metres_per).map(Axis::Z));
        }
        match unit {
            None => Ok(Some(if which == 'x' { Axis::X } else { Axis::Y })),
            Some(u) if u.eq_ignore_ascii_case("normalized") || u.eq_ignore_ascii_case("normalised") => {
                Ok(Some(if which == 'x' { Axis::X } else { Axis::Y }))
            }
            Some(u) => Err(cx.err(
                u,
                format!(
                    "position channel '{channel_id}' has unit '{}'; only 'normalized' is supported",
                    quote(u)
                ),
            )),
        }
    };

    // player channels: id -> (player index, axis)
    let mut player_channels: HashMap<&str, (usize, Option<Axis>)> = HashMap::new();
    for pc in meta.descendants().filter(|c| c.is_element() && c.tag_name().name() == "PlayerChannel") {
        let id = cx.attr(pc, "id", pc.attribute("playerId").unwrap_or(""))?;
        let pid = cx.attr(pc, "playerId", id)?;
        let cid = cx.attr(pc, "channelId", id)?;
        let &pi = player_index.get(pid).ok_or_else(|| {
            cx.err(pid, format!("player channel '{}' names unknown player '{}'", quote(id), quote(pid)))
        })?;
        player_channels.insert(id, (pi, axis_of(cid)?));
    }

    // data format specifications
    fn register(
        n: Node,
        depth: usize,
        cx: &MetaCx,
        player_channels: &HashMap<&str, (usize, Option<Axis>)>,
        axis_of: &dyn Fn(&str) -> Result<Option<Axis>>,
    ) -> Result<Reg> {
        let tag = n.tag_name().name();
        let anchor = n.attributes().next().map_or("", |a| a.value());
        if depth > MAX_DEPTH {
            return Err(cx.err(anchor, format!("registers nested deeper than {MAX_DEPTH}")));
        }
        match tag {
            "SplitRegister" | "DataFormatSpecification" => {
                let sep = cx.attr(n, "separator", anchor)?;
                if sep.is_empty() {
                    return Err(cx.err(anchor, format!("<{tag}> has an empty separator")));
                }
                let children = n
                    .children()
                    .filter(|c| c.is_element())
                    .map(|c| register(c, depth + 1, cx, player_channels, axis_of))
                    .collect::<Result<Vec<_>>>()?;
                if children.is_empty() {
                    return Err(cx.err(anchor, format!("<{tag}> has no registers")));
                }
                Ok(Reg::Split { sep: sep.to_string(), children })
            }
            "StringRegister" => {
                Ok(if n.attribute("name").is_some_and(|s| s.eq_ignore_ascii_case("frameCount")) {
                    Reg::Frame
                } else {
                    Reg::Skip
                })
            }
            "PlayerChannelRef" => {
                let id = cx.attr(n, "playerChannelId", anchor)?;
                let &(player, axis) = player_channels
                    .get(id)
                    .ok_or_else(|| cx.err(id, format!("unknown player channel '{}'", quote(id))))?;
                Ok(axis.map_or(Reg::Skip, |axis| Reg::Player { player, axis }))
            }
            "BallChannelRef" => {
                let id = cx.attr(n, "channelId", anchor)?;
                Ok(axis_of(id)?.map_or(Reg::Skip, |axis| Reg::Ball { axis }))
            }
            other => Err(cx.err(anchor, format!("unsupported register <{}>", quote(other)))),
        }
    }
    fn count_frames(r: &Reg) -> usize {
        match r {
            Reg::Frame => 1,
            Reg::Split { children, .. } => children.iter().map(count_frames).sum(),
            _ => 0,
        }
    }
    let mut specs = Vec::new();
    for s in root.descendants().filter(|c| c.is_element() && c.tag_name().name() == "DataFormatSpecification")
    {
        let anchor = s.attributes().next().map_or("", |a| a.value());
        let start = cx.attr(s, "startFrame", anchor)?;
        let end = cx.attr(s, "endFrame", anchor)?;
        let start = frame_number(start).map_err(|m| cx.err(start, format!("startFrame: {m}")))?;
        let end = frame_number(end).map_err(|m| cx.err(end, format!("endFrame: {m}")))?;
        let root = register(s, 0, &cx, &player_channels, &axis_of)?;
        if count_frames(&root) != 1 {
            return Err(
                cx.err(anchor, "a DataFormatSpecification needs exactly one StringRegister 'frameCount'")
            );
        }
        specs.push(Spec { start, end, root });
    }
    if specs.is_empty() {
        return Err(IoError::missing(path, "DataFormatSpecifications/DataFormatSpecification"));
    }
    Ok(EptsMeta {
        frame_rate,
        pitch,
        pitch_from_metadata,
        players,
        periods,
        home_direction_first_half,
        specs,
    })
}

/// Splits `text` into one part per child (a trailing separator is allowed).
fn split_parts<'t>(text: &'t str, sep: &str, n: usize) -> std::result::Result<Vec<&'t str>, String> {
    let mut parts: Vec<&str> = text.split(sep).collect();
    if parts.len() == n + 1 && parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    if parts.len() != n {
        return Err(format!("expected {n} fields separated by '{sep}', found {}", parts.len()));
    }
    Ok(parts)
}

fn frame_text<'t>(r: &Reg, text: &'t str) -> Option<&'t str> {
    match r {
        Reg::Frame => Some(text),
        Reg::Split { sep, children } => {
            let parts = split_parts(text, sep, children.len()).ok()?;
            children.iter().zip(parts).find_map(|(c, p)| frame_text(c, p))
        }
        _ => None,
    }
}

struct LineValues {
    players: Vec<[f64; 2]>,
    ball: [f64; 3],
}

fn walk(r: &Reg, text: &str, meta: &EptsMeta, out: &mut LineValues) -> std::result::Result<(), String> {
    match r {
        Reg::Split { sep, children } => {
            let parts = split_parts(text, sep, children.len())?;
            for (c, p) in children.iter().zip(parts) {
                walk(c, p, meta, out)?;
            }
            Ok(())
        }
        Reg::Frame | Reg::Skip => Ok(()),
        Reg::Player { player, axis } => {
            let who = meta.players.get(*player).map_or("?", |p| p.provider_id.as_str());
            let k = match axis {
                Axis::X => 0,
                Axis::Y => 1,
                Axis::Z(_) => return Ok(()),
            };
            let v = number(text, || format!("player {who} {}", if k == 0 { "x" } else { "y" }))?;
            if let Some(slot) = out.players.get_mut(*player) {
                slot[k] = v;
            }
            Ok(())
        }
        Reg::Ball { axis } => {
            let (k, scale, what) = match axis {
                Axis::X => (0, 1.0, "ball x"),
                Axis::Y => (1, 1.0, "ball y"),
                Axis::Z(s) => (2, *s, "ball z"),
            };
            out.ball[k] = number(text, || what.to_string())? * scale;
            Ok(())
        }
    }
}

/// Parses EPTS tracking text with its metadata (pure: `path` is used only in
/// errors).
pub fn parse_epts(raw: &[u8], meta: &EptsMeta, path: &Path) -> Result<TrackingData> {
    let text = bytes_to_text(raw.to_vec(), path)?;
    let mut b = TrackingBuilder::new(path);
    // home, then away, then others, then the ball
    let mut order: Vec<usize> = Vec::with_capacity(meta.players.len());
    for team in [Team::Home, Team::Away] {
        order.extend((0..meta.players.len()).filter(|&i| meta.players[i].team == team));
    }
    order.extend(
        (0..meta.players.len()).filter(|&i| !matches!(meta.players[i].team, Team::Home | Team::Away)),
    );
    let mut agent_of = vec![usize::MAX; meta.players.len()];
    for &i in &order {
        let p = &meta.players[i];
        let mut a = Agent::new(p.agent_id.clone(), p.team);
        a.jersey = p.jersey;
        a.name = p.name.clone();
        a.role = p.role.clone();
        agent_of[i] = b.agent(a);
    }
    let ball = b.agent(Agent::ball());
    let mut vals = LineValues { players: vec![[f64::NAN; 2]; meta.players.len()], ball: [f64::NAN; 3] };
    let mut cur = 0usize;
    for (k, line) in text.split('\n').enumerate() {
        let lineno = k + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let in_spec = |i: usize| -> Option<std::result::Result<i64, String>> {
            let s = meta.specs.get(i)?;
            let f = frame_text(&s.root, line).map(frame_number)?;
            Some(f)
        };
        // the current specification, else the first one whose range holds the frame
        let mut chosen = None;
        let mut seen_frame: Option<std::result::Result<i64, String>> = None;
        for i in std::iter::once(cur).chain(0..meta.specs.len()) {
            match in_spec(i) {
                Some(Ok(f)) => {
                    if meta.specs.get(i).is_some_and(|s| s.start <= f && f <= s.end) {
                        chosen = Some((i, f));
                        break;
                    }
                    seen_frame = Some(Ok(f));
                }
                Some(Err(m)) if seen_frame.is_none() => seen_frame = Some(Err(m)),
                _ => {}
            }
        }
        let (si, frame) = match (chosen, seen_frame) {
            (Some(c), _) => c,
            (None, Some(Ok(f))) => {
                let ranges: Vec<String> =
                    meta.specs.iter().map(|s| format!("{}-{}", s.start, s.end)).collect();
                return Err(IoError::Frame {
                    path: path.to_path_buf(),
                    frame: f,
                    message: format!(
                        "line {lineno}: frame outside every DataFormatSpecification (frames {})",
                        ranges.join(", ")
                    ),
                });
            }
            (None, Some(Err(m))) => return Err(IoError::parse(path, lineno, m)),
            (None, None) => {
                let msg = meta.specs.get(cur).map_or_else(
                    || "no data format specification".to_string(),
                    |s| match &s.root {
                        Reg::Split { sep, children } => split_parts(line, sep, children.len())
                            .err()
                            .unwrap_or_else(|| "cannot find the frame number in the line".to_string()),
                        _ => "cannot find the frame number in the line".to_string(),
                    },
                );
                return Err(IoError::parse(path, lineno, msg));
            }
        };
        cur = si;
        vals.players.iter_mut().for_each(|p| *p = [f64::NAN; 2]);
        vals.ball = [f64::NAN; 3];
        if let Some(s) = meta.specs.get(si) {
            walk(&s.root, line, meta, &mut vals).map_err(|m| IoError::parse(path, lineno, m))?;
        }
        b.push_frame(frame, frame as f64 / meta.frame_rate, meta.period_of(frame));
        for (i, p) in vals.players.iter().enumerate() {
            if let Some(&a) = agent_of.get(i) {
                b.observe(a, p[0], p[1]);
            }
        }
        b.observe(ball, vals.ball[0], vals.ball[1]);
        b.ball_z(vals.ball[2]);
    }
    let pitch = meta.pitch;
    let mut b = b
        .frame_rate(meta.frame_rate)
        .pitch(pitch)
        .transform(AxisTransform::normalized_top_left(pitch.length, pitch.width));
    if let Some(d) = meta.home_direction_first_half {
        b = b.period_direction(1, d).period_direction(2, opposite(d));
    }
    b.finish()
}

/// Loads EPTS tracking text and its metadata XML given explicitly.
pub fn load_epts(raw: &Path, meta: &Path) -> Result<TrackingData> {
    let xml = read_text(meta)?;
    let m = parse_epts_meta(&xml, meta)?;
    let bytes = read_bytes(raw)?;
    parse_epts(&bytes, &m, raw)
}

/// True for EPTS tracking text: the first line is `<frame>:` followed by
/// numeric fields separated by `,` `;` `:` (with `NaN` allowed), with no
/// trailing `:` (which would make it TRACAB `.dat`) and no letters.
pub fn sniff_epts(path: &Path, head: &str) -> bool {
    if path.extension().is_some_and(|e| {
        let e = e.to_string_lossy().to_ascii_lowercase();
        e == "xml" || e == "json" || e == "csv" || e == "jsonl"
    }) {
        return false;
    }
    let head = head.strip_prefix('\u{feff}').unwrap_or(head);
    let Some(line) = head.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return false;
    };
    let Some((frame, rest)) = line.split_once(':') else {
        return false;
    };
    let numeric = |c: char| c.is_ascii_digit() || ".,;:-+eENa".contains(c);
    !frame.is_empty()
        && frame.chars().all(|c| c.is_ascii_digit())
        && rest.contains(',')
        && !line.ends_with(':')
        && rest.chars().all(numeric)
}

/// Names of the metadata file to try for an EPTS tracking file, most likely
/// first: the name with `tracking` replaced by `metadata` (`.xml`), then every
/// `*_metadata.xml` in the same directory (longest common prefix first), then
/// `metadata.xml`.
pub fn epts_metadata_names(path: &Path) -> Vec<String> {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut names: Vec<String> = Vec::new();
    let mut push = |n: String| {
        if !names.contains(&n) {
            names.push(n);
        }
    };
    for (a, b) in [("tracking", "metadata"), ("Tracking", "Metadata"), ("TRACKING", "METADATA")] {
        if stem.contains(a) {
            push(format!("{}.xml", stem.replace(a, b)));
        }
    }
    push(format!("{stem}_metadata.xml"));
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.to_ascii_lowercase().ends_with("_metadata.xml"))
                .collect()
        })
        .unwrap_or_default();
    let common = |n: &str| stem.chars().zip(n.chars()).take_while(|(a, b)| a == b).count();
    found.sort_by(|a, b| common(b).cmp(&common(a)).then_with(|| a.cmp(b)));
    found.into_iter().for_each(&mut push);
    push("metadata.xml".to_string());
    names
}

/// Loads EPTS tracking text, finding its metadata XML next to it (see
/// [`epts_metadata_names`]).
pub fn open_epts(path: &Path) -> Result<TrackingData> {
    let meta: PathBuf = find_companion(path, "EPTS metadata XML", &epts_metadata_names(path))?;
    load_epts(path, &meta)
}
