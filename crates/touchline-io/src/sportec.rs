//! Sportec Solutions / DFL positional data XML with the DFL match-information XML.
//!
//! # Format facts this loader relies on
//!
//! - The positional file is `<PutDataRequest><Positions>` holding one `<FrameSet>` per game
//!   section and object, with attributes `GameSection` (`firstHalf`, `secondHalf`,
//!   `firstHalfExtra`, `secondHalfExtra` → periods 1-4), `TeamId` (a club id, `BALL`, or
//!   `referee`) and `PersonId`. Each `<Frame N=".." T=".." X=".." Y=".." [Z=".."] .../>` is one
//!   25 Hz sample of that object: `N` is the DFL frame counter, `X`/`Y` metres with the origin
//!   at the centre spot, `x` along the length and `y` up (kloppy's description of the Sportec
//!   tracking coordinate system; the sample's kick-off ball is at (2.69, 0.26)), so no transform
//!   is needed. `Z` (ball only) is the ball height in metres. Other attributes (`D` distance,
//!   `S` speed, `A` acceleration, `M` game minute, `BallPossession`, `BallStatus`) are not kept.
//! - Frames of all objects are merged by `(period, N)`; the frame id is `N` and the timestamp is
//!   `(N - first N) / 25` seconds (so the half-time gap is the gap between the DFL counters,
//!   not wall-clock time). The frame rate is 25 Hz unless [`SportecMeta::frame_rate`] says
//!   otherwise. `N` must increase inside a `FrameSet` ([`IoError::Frame`] otherwise).
//! - There is no visibility flag: every position present is observed; `NaN`/`inf` coordinates
//!   are treated as missing.
//! - The match-information XML gives the teams (`<Team TeamId Role="home|guest">`), players
//!   (`<Player PersonId ShirtNumber Shortname PlayingPosition>`), officials
//!   (`<Referee PersonId Role Shortname>`) and the pitch (`<Environment PitchX PitchY>`); the
//!   positional file's own `<PitchSize X Y>` is used when the metadata has none, else 105 x 68.
//!
//! Agent ids: `home_<jersey>` / `away_<jersey>` (jersey unique in the team), else the DFL
//! `PersonId`; officials `referee_<n>` numbered in the metadata's order (then order of
//! appearance); the ball `ball`.
//!
//! ```
//! use std::path::Path;
//! let path = Path::new(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/../../../shared/data/kloppy_samples/sportec_dfl/sportec_positional.xml"
//! ));
//! let data = touchline_io::sportec::open(path)?;
//! assert_eq!(data.frame_rate(), 25.0);
//! assert_eq!(data.frame_ids()[0], 10000);
//! let ball = data.ball_index().unwrap();
//! assert!((data.positions()[[0, ball, 0]] - 2.69).abs() < 1e-9);
//! # Ok::<(), touchline_io::IoError>(())
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use roxmltree::{Document, Node};
use touchline_core::{Agent, Pitch, Team};

use crate::{IoError, Result, TrackingBuilder, TrackingData, bytes_to_text, find_companion, read_bytes};

/// A player or official from the match information.
#[derive(Debug, Clone, PartialEq)]
pub struct SportecPerson {
    /// DFL `PersonId`.
    pub id: String,
    /// Home, away or officials.
    pub team: Team,
    /// Shirt number.
    pub jersey: Option<u32>,
    /// `PlayingPosition` (players) or `Role` (officials).
    pub role: Option<String>,
    /// `Shortname`, else first and last name.
    pub name: Option<String>,
}

/// What the loader needs from the DFL match information.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SportecMeta {
    /// DFL club id of the home team.
    pub home_team_id: Option<String>,
    /// DFL club id of the away (guest) team.
    pub away_team_id: Option<String>,
    /// Players of both teams, then officials, in file order.
    pub persons: Vec<SportecPerson>,
    /// Pitch size (`Environment PitchX/PitchY`).
    pub pitch: Option<Pitch>,
    /// Frame rate; `None` means DFL's 25 Hz.
    pub frame_rate: Option<f64>,
}

/// True for DFL positional XML: a `PutDataRequest`/`Positions` document with `FrameSet`s.
pub fn sniff(_path: &Path, head: &str) -> bool {
    head.trim_start().starts_with('<')
        && head.contains("<FrameSet")
        && (head.contains("<Positions") || head.contains("<PutDataRequest"))
}

/// Loads a positional XML file, finding the match information next to it: the name with
/// `positional` replaced by `meta` (and everything after it dropped), the DFL naming
/// `DFL_04_03_positions_raw_observed_*` → `DFL_02_01_matchinformation_*`, then `meta.xml`,
/// `metadata.xml`, `matchinformation.xml`.
pub fn open(path: &Path) -> Result<TrackingData> {
    let meta = find_companion(path, "Sportec/DFL match information XML", &companion_names(path))?;
    load(path, &meta)
}

fn companion_names(path: &Path) -> Vec<String> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let mut names = Vec::new();
    for (from, to) in [("positional_data", "meta_data"), ("positional", "meta"), ("positions", "meta")] {
        if let Some(at) = stem.find(from) {
            names.push(format!("{}.xml", stem.replace(from, to)));
            names.push(format!("{}{to}.xml", &stem[..at]));
        }
    }
    if stem.contains("positions_raw_observed") {
        names.push(format!(
            "{}.xml",
            stem.replace("DFL_04_03_positions_raw_observed", "DFL_02_01_matchinformation")
        ));
    }
    for n in ["meta.xml", "metadata.xml", "matchinformation.xml"] {
        names.push(n.to_string());
    }
    let mut seen = HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

/// Loads a positional file with an explicit match-information file.
pub fn load(raw: &Path, meta: &Path) -> Result<TrackingData> {
    let meta = parse_meta(&read_bytes(meta)?, meta)?;
    parse(&read_bytes(raw)?, &meta, raw)
}

fn line_of(doc: &Document<'_>, node: Node<'_, '_>) -> usize {
    doc.text_pos_at(node.range().start).row as usize
}

/// Line of an XML error; errors at the end of the input (truncation) name the last line.
fn xml_error_line(e: &roxmltree::Error, text: &str) -> usize {
    match e {
        roxmltree::Error::UnexpectedEndOfStream | roxmltree::Error::UnclosedRootNode => {
            text.lines().count().max(1)
        }
        _ => e.pos().row as usize,
    }
}

fn parse_doc<'a>(text: &'a str, path: &Path) -> Result<Document<'a>> {
    Document::parse(text)
        .map_err(|e| IoError::parse(path, xml_error_line(&e, text), format!("invalid XML: {e}")))
}

fn person_name(n: Node<'_, '_>) -> Option<String> {
    if let Some(s) = n.attribute("Shortname").filter(|s| !s.trim().is_empty()) {
        return Some(s.to_string());
    }
    match (n.attribute("FirstName"), n.attribute("LastName")) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (None, Some(l)) => Some(l.to_string()),
        _ => None,
    }
}

fn positive(s: Option<&str>) -> Option<f64> {
    s.and_then(|s| s.trim().parse::<f64>().ok()).filter(|v| v.is_finite() && *v > 0.0)
}

/// Parses the DFL match-information XML.
pub fn parse_meta(bytes: &[u8], path: &Path) -> Result<SportecMeta> {
    let text = bytes_to_text(bytes.to_vec(), path)?;
    let doc = parse_doc(&text, path)?;
    let mut meta = SportecMeta::default();
    let mut found_team = false;
    for t in doc.descendants().filter(|n| n.has_tag_name("Team")) {
        let team = match t.attribute("Role").map(|r| r.trim().to_ascii_lowercase()).as_deref() {
            Some("home") => Team::Home,
            Some("guest") | Some("away") => Team::Away,
            _ => continue,
        };
        found_team = true;
        let id = t.attribute("TeamId").map(str::to_string);
        if team == Team::Home {
            meta.home_team_id = id;
        } else {
            meta.away_team_id = id;
        }
        for p in t.descendants().filter(|n| n.has_tag_name("Player")) {
            let Some(id) = p.attribute("PersonId") else { continue };
            meta.persons.push(SportecPerson {
                id: id.to_string(),
                team,
                jersey: p.attribute("ShirtNumber").and_then(|s| s.trim().parse().ok()),
                role: p.attribute("PlayingPosition").map(str::to_string),
                name: person_name(p),
            });
        }
    }
    if !found_team {
        return Err(IoError::missing(path, "<Team Role=\"home|guest\"> elements (the teams)"));
    }
    for r in doc.descendants().filter(|n| n.has_tag_name("Referee")) {
        let Some(id) = r.attribute("PersonId") else { continue };
        meta.persons.push(SportecPerson {
            id: id.to_string(),
            team: Team::Officials,
            jersey: None,
            role: r.attribute("Role").map(str::to_string),
            name: person_name(r),
        });
    }
    if let Some(env) = doc.descendants().find(|n| n.has_tag_name("Environment")) {
        let (x, y) = (positive(env.attribute("PitchX")), positive(env.attribute("PitchY")));
        if let (Some(x), Some(y)) = (x, y) {
            meta.pitch = Some(Pitch { length: x, width: y });
        }
    }
    Ok(meta)
}

fn period_of(section: &str) -> Option<u32> {
    match section.trim() {
        "firstHalf" => Some(1),
        "secondHalf" => Some(2),
        "firstHalfExtra" => Some(3),
        "secondHalfExtra" => Some(4),
        _ => None,
    }
}

struct Agents {
    by_person: HashMap<String, usize>,
    taken: HashSet<String>,
    n_officials: usize,
    home_team: Option<String>,
    away_team: Option<String>,
}

impl Agents {
    fn new(b: &mut TrackingBuilder, meta: &SportecMeta) -> Self {
        let mut counts: HashMap<(Team, u32), usize> = HashMap::new();
        for p in &meta.persons {
            if let (Some(j), Team::Home | Team::Away) = (p.jersey, p.team) {
                *counts.entry((p.team, j)).or_default() += 1;
            }
        }
        let mut me = Agents {
            by_person: HashMap::new(),
            taken: HashSet::new(),
            n_officials: 0,
            home_team: meta.home_team_id.clone(),
            away_team: meta.away_team_id.clone(),
        };
        for p in &meta.persons {
            if me.by_person.contains_key(&p.id) {
                continue;
            }
            let id = match (p.team, p.jersey) {
                (Team::Officials, _) => {
                    me.n_officials += 1;
                    format!("referee_{}", me.n_officials)
                }
                (team, Some(j)) if counts.get(&(team, j)) == Some(&1) => format!("{}_{j}", team.as_str()),
                _ => p.id.clone(),
            };
            let id = if me.taken.contains(&id) { p.id.clone() } else { id };
            let mut a = Agent::new(id.clone(), p.team);
            a.jersey = p.jersey;
            a.role = p.role.clone();
            a.name = p.name.clone();
            me.taken.insert(id);
            let i = b.agent(a);
            me.by_person.insert(p.id.clone(), i);
        }
        me
    }

    fn get(&mut self, b: &mut TrackingBuilder, team_id: &str, person: &str) -> usize {
        if let Some(&i) = self.by_person.get(person) {
            return i;
        }
        let team = if team_id.eq_ignore_ascii_case("referee") {
            Team::Officials
        } else if self.home_team.as_deref() == Some(team_id) {
            Team::Home
        } else if self.away_team.as_deref() == Some(team_id) {
            Team::Away
        } else {
            Team::Unknown
        };
        let id = if team == Team::Officials {
            self.n_officials += 1;
            format!("referee_{}", self.n_officials)
        } else {
            person.to_string()
        };
        let id = if self.taken.contains(&id) { person.to_string() } else { id };
        self.taken.insert(id.clone());
        let i = b.agent(Agent::new(id, team));
        self.by_person.insert(person.to_string(), i);
        i
    }
}

fn attr_f64(doc: &Document<'_>, n: Node<'_, '_>, name: &str, path: &Path) -> Result<Option<f64>> {
    match n.attribute(name) {
        None => Ok(None),
        Some(s) => s.trim().parse::<f64>().map(Some).map_err(|_| {
            IoError::parse(path, line_of(doc, n), format!("attribute {name}={s:?} is not a number"))
        }),
    }
}

struct Sample {
    agent: usize,
    x: f64,
    y: f64,
    z: Option<f64>,
}

/// Parses positional XML with its metadata; `path` is only used in errors.
///
/// Errors: [`IoError::Parse`] with the line of the offending element (bad XML, missing or
/// non-numeric `N`/`X`/`Y`, unknown `GameSection`, `FrameSet` without ids),
/// [`IoError::Frame`] with the DFL frame number when `N` does not increase inside a `FrameSet`
/// or time goes backwards across sections, [`IoError::Empty`] without frames.
pub fn parse(raw: &[u8], meta: &SportecMeta, path: &Path) -> Result<TrackingData> {
    let text = bytes_to_text(raw.to_vec(), path)?;
    let doc = parse_doc(&text, path)?;
    let mut b = TrackingBuilder::new(PathBuf::from(path));
    let ball = b.agent(Agent::ball());
    let mut agents = Agents::new(&mut b, meta);
    let mut frames: BTreeMap<(u32, i64), Vec<Sample>> = BTreeMap::new();
    let mut file_pitch = None;
    for node in doc.descendants() {
        if node.has_tag_name("PitchSize") {
            let (x, y) = (positive(node.attribute("X")), positive(node.attribute("Y")));
            if let (Some(x), Some(y)) = (x, y) {
                file_pitch = Some(Pitch { length: x, width: y });
            }
            continue;
        }
        if !node.has_tag_name("FrameSet") {
            continue;
        }
        let ln = line_of(&doc, node);
        let section = node
            .attribute("GameSection")
            .ok_or_else(|| IoError::parse(path, ln, "FrameSet without GameSection"))?;
        let period = period_of(section)
            .ok_or_else(|| IoError::parse(path, ln, format!("unknown GameSection {section:?}")))?;
        let team_id = node.attribute("TeamId").map(str::trim).unwrap_or("");
        let person = node.attribute("PersonId").map(str::trim).unwrap_or("");
        let is_ball = team_id.eq_ignore_ascii_case("ball");
        if !is_ball && person.is_empty() {
            return Err(IoError::parse(path, ln, "FrameSet without PersonId"));
        }
        let agent = if is_ball { ball } else { agents.get(&mut b, team_id, person) };
        let mut prev_n: Option<i64> = None;
        for f in node.children().filter(|n| n.has_tag_name("Frame")) {
            let fl = line_of(&doc, f);
            let n_attr = f.attribute("N").ok_or_else(|| IoError::parse(path, fl, "Frame without N"))?;
            let n: i64 = n_attr.trim().parse().map_err(|_| {
                IoError::parse(path, fl, format!("frame number N={n_attr:?} is not an integer"))
            })?;
            if let Some(p) = prev_n
                && n <= p
            {
                return Err(IoError::Frame {
                    path: path.to_path_buf(),
                    frame: n,
                    message: format!("frame number {n} does not follow {p} in its FrameSet (line {fl})"),
                });
            }
            prev_n = Some(n);
            let x =
                attr_f64(&doc, f, "X", path)?.ok_or_else(|| IoError::parse(path, fl, "Frame without X"))?;
            let y =
                attr_f64(&doc, f, "Y", path)?.ok_or_else(|| IoError::parse(path, fl, "Frame without Y"))?;
            let z = if is_ball { attr_f64(&doc, f, "Z", path)? } else { None };
            frames.entry((period, n)).or_default().push(Sample { agent, x, y, z });
        }
    }
    let Some((&(_, n0), _)) = frames.iter().next() else {
        return Err(IoError::Empty { path: path.to_path_buf() });
    };
    let hz = meta.frame_rate.filter(|h| h.is_finite() && *h > 0.0).unwrap_or(25.0);
    for ((period, n), samples) in &frames {
        b.push_frame(*n, (*n as f64 - n0 as f64) / hz, *period);
        for s in samples {
            b.observe(s.agent, s.x, s.y);
            if let Some(z) = s.z {
                b.ball_z(z);
            }
        }
    }
    let pitch = meta.pitch.or(file_pitch).unwrap_or(Pitch::FOOTBALL);
    b.frame_rate(hz).pitch(pitch).finish()
}
