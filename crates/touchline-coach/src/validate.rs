//! Parses a coaching answer into its sections and checks it against the facts.
//!
//! The rules (also in `docs/coaching.md`):
//! - Shape: a non-empty opening before the first heading, then exactly the
//!   headings Verdict, Fix, Fix, Drill in this order, each with text. A
//!   heading is a Markdown heading (`## Fix 1`), a bold label (`**Fix:**`),
//!   or a line starting `Verdict:` / `Fix 2:` / `Drill -`.
//! - Outcome: no phrase claiming a goal (make) when the facts say a miss,
//!   none claiming a miss when the facts say a goal (make), neither when the
//!   outcome is unknown. A phrase preceded in its sentence by a negation or a
//!   counterfactual ("not", "n't", "almost", "would", "if", ...) is not a claim.
//! - Foot (football): no `<other> foot`, `<other>-footed`, `<other> boot`
//!   unless a plant/standing/support word is near it.
//! - Speed: every "N km/h" (also kph, mph, m/s) within the tolerance of the
//!   measured speed; any stated speed when none was measured is invented.
//! - Angles: a sentence naming a measurement flagged low or high with a
//!   praise word ("ideal", "perfect", "good", ...) and no negation.

use serde::{Deserialize, Serialize};

use crate::error::Violation;
use crate::facts::{Flag, Foot, Outcome, ShotFacts, Sport};

/// The four sections of a valid answer plus its opening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sections {
    /// Text before the first heading (the celebration or encouragement).
    pub opening: String,
    /// The Verdict section's text.
    pub verdict: String,
    /// The two Fix sections' text.
    pub fixes: [String; 2],
    /// The Drill section's text.
    pub drill: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Verdict,
    Fix,
    Drill,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Verdict => "Verdict",
            Kind::Fix => "Fix",
            Kind::Drill => "Drill",
        }
    }
}

fn strip_bold(s: &str) -> (&str, bool) {
    for m in ["**", "__"] {
        if let Some(r) = s.strip_prefix(m) {
            return (r.trim_start(), true);
        }
    }
    (s, false)
}

/// If `line` is a section heading, its kind and any text after it on the line.
fn heading(line: &str) -> Option<(Kind, &str)> {
    let t = line.trim();
    let no_hash = t.trim_start_matches('#');
    let hashed = no_hash.len() != t.len();
    let (mut s, mut bold) = strip_bold(no_hash.trim_start());
    // "1. Verdict", "2) **Fix**"
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && matches!(s.as_bytes().get(digits), Some(b'.') | Some(b')')) {
        s = s[digits + 1..].trim_start();
        let (r, b) = strip_bold(s);
        s = r;
        bold |= b;
    }
    let wlen = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    let kind = match s[..wlen].to_ascii_lowercase().as_str() {
        "verdict" => Kind::Verdict,
        "fix" => Kind::Fix,
        "drill" => Kind::Drill,
        _ => return None,
    };
    let mut r = s[wlen..].trim_start();
    // optional number: "Fix 1", "Fix #2"
    let r2 = r.strip_prefix('#').unwrap_or(r);
    let nd = r2.bytes().take_while(u8::is_ascii_digit).count();
    if nd > 0 {
        r = r2[nd..].trim_start();
    }
    let mut closed_bold = false;
    for m in ["**", "__"] {
        if let Some(x) = r.strip_prefix(m) {
            r = x.trim_start();
            closed_bold = true;
        }
    }
    let mut sep = false;
    for p in [":", "-", "–", "—", "."] {
        if let Some(x) = r.strip_prefix(p) {
            r = x.trim_start();
            sep = true;
            break;
        }
    }
    for m in ["**", "__"] {
        if let Some(x) = r.strip_prefix(m) {
            r = x.trim_start();
            closed_bold = true;
        }
    }
    if hashed || (bold && closed_bold) || sep || r.is_empty() { Some((kind, r)) } else { None }
}

/// Splits an answer into opening and sections; shape violations otherwise.
///
/// ```
/// let text = "Great goal!\n## Verdict\nClean strike.\n## Fix 1\nBend the knee.\n## Fix 2\nLean over.\n## Drill\n3 x 10 volleys.";
/// let s = touchline_coach::parse_sections(text).unwrap();
/// assert_eq!(s.opening, "Great goal!");
/// assert_eq!(s.fixes[1], "Lean over.");
/// ```
pub fn parse_sections(text: &str) -> Result<Sections, Vec<Violation>> {
    if text.trim().is_empty() {
        return Err(vec![Violation::Empty]);
    }
    let mut opening = Vec::new();
    let mut found: Vec<(Kind, Vec<&str>)> = Vec::new();
    for line in text.lines() {
        if let Some((k, rest)) = heading(line) {
            found.push((k, if rest.is_empty() { vec![] } else { vec![rest] }));
        } else if let Some(last) = found.last_mut() {
            last.1.push(line);
        } else {
            opening.push(line);
        }
    }
    let join = |v: &[&str]| v.iter().map(|l| l.trim_end()).collect::<Vec<_>>().join("\n").trim().to_string();
    let mut errs = Vec::new();
    let opening = join(&opening);
    if opening.is_empty() {
        errs.push(Violation::MissingOpening);
    }
    let kinds: Vec<Kind> = found.iter().map(|(k, _)| *k).collect();
    let expected = [Kind::Verdict, Kind::Fix, Kind::Fix, Kind::Drill];
    if kinds != expected {
        let count = |k: Kind| kinds.iter().filter(|&&x| x == k).count();
        let mut missing = false;
        if count(Kind::Verdict) == 0 {
            errs.push(Violation::MissingSection { section: "Verdict".into() });
            missing = true;
        }
        for i in count(Kind::Fix)..2 {
            errs.push(Violation::MissingSection { section: format!("Fix {}", i + 1) });
            missing = true;
        }
        if count(Kind::Drill) == 0 {
            errs.push(Violation::MissingSection { section: "Drill".into() });
            missing = true;
        }
        if !missing {
            errs.push(Violation::SectionsOutOfOrder {
                found: kinds.iter().map(|k| k.name().to_string()).collect(),
            });
        }
        return Err(errs);
    }
    let bodies: Vec<String> = found.iter().map(|(_, l)| join(l)).collect();
    let names = ["Verdict", "Fix 1", "Fix 2", "Drill"];
    for (b, n) in bodies.iter().zip(names) {
        if b.is_empty() {
            errs.push(Violation::EmptySection { section: n.into() });
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let [verdict, f1, f2, drill]: [String; 4] = match bodies.try_into() {
        Ok(a) => a,
        Err(_) => return Err(vec![Violation::SectionsOutOfOrder { found: vec![] }]),
    };
    Ok(Sections { opening, verdict, fixes: [f1, f2], drill })
}

/// Checks answers against facts; the fields tune the tolerances.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Validator {
    /// Measurements below this confidence count as unreliable (not flagged).
    pub min_confidence: f64,
    /// A stated speed is accepted within the largest of this (km/h),
    pub speed_tolerance_kmh: f64,
    /// this fraction of the measured speed,
    pub speed_tolerance_frac: f64,
    /// and this many times the measured uncertainty.
    pub speed_sigmas: f64,
}

impl Default for Validator {
    fn default() -> Self {
        Validator {
            min_confidence: 0.3,
            speed_tolerance_kmh: 5.0,
            speed_tolerance_frac: 0.15,
            speed_sigmas: 2.0,
        }
    }
}

/// [`Validator::validate`] with the default tolerances.
///
/// ```
/// use touchline_coach::{validate, Foot, Outcome, ShotFacts, Sport, Violation};
/// let mut facts = ShotFacts::new(Sport::Football, Outcome::Saved);
/// facts.foot = Foot::Right;
/// let text = "What a goal!\n## Verdict\nA left-footed rocket.\n## Fix 1\nA.\n## Fix 2\nB.\n## Drill\nC.";
/// let reasons = validate(text, &facts).unwrap_err();
/// assert!(matches!(reasons[0], Violation::OutcomeContradiction { .. }));
/// assert!(matches!(reasons[1], Violation::WrongFoot { .. }));
/// ```
pub fn validate(text: &str, facts: &ShotFacts) -> Result<Sections, Vec<Violation>> {
    Validator::default().validate(text, facts)
}

const NEGATORS: [&str; 22] = [
    "not ",
    "n't",
    "never",
    "no ",
    "nearly",
    "almost",
    "would",
    "could",
    "might",
    "should",
    "may ",
    "if ",
    "unless",
    "avoid",
    "from ",
    "prevent",
    "stop",
    "without",
    "risk",
    "instead",
    "rather",
    "next time",
];

const GOAL_CLAIMS: [&str; 16] = [
    "scored",
    "what a goal",
    "great goal",
    "brilliant goal",
    "lovely goal",
    "fantastic goal",
    "superb goal",
    "it's a goal",
    "it is a goal",
    "that's a goal",
    "goal!",
    "back of the net",
    "found the net",
    "into the net",
    "the ball went in",
    "it went in",
];
const FOOTBALL_MISS_CLAIMS: [&str; 16] = [
    "missed",
    "saved",
    "went wide",
    "wide of the post",
    "wide of the goal",
    "over the bar",
    "over the crossbar",
    "no goal",
    "not a goal",
    "didn't score",
    "did not score",
    "didn't go in",
    "did not go in",
    "failed to score",
    "keeper stopped",
    "was blocked",
];
const MAKE_CLAIMS: [&str; 12] = [
    "made the shot",
    "made it",
    "made that",
    "swish",
    "nothing but net",
    "bucket!",
    "drained it",
    "knocked it down",
    "the ball went in",
    "it went in",
    "scored",
    "splash",
];
const BASKET_MISS_CLAIMS: [&str; 10] = [
    "missed",
    "rimmed out",
    "rim out",
    "airball",
    "air ball",
    "didn't go in",
    "did not go in",
    "no good",
    "bricked",
    "brick",
];
const PLANT_WORDS: [&str; 8] =
    ["plant", "standing", "support", "non-kicking", "non kicking", "balance", "other foot", "opposite"];
const PRAISE: [&str; 14] = [
    "ideal",
    "perfect",
    "spot on",
    "spot-on",
    "textbook",
    "excellent",
    "great",
    "good",
    "well within",
    "just right",
    "right where",
    "no change",
    "nothing to change",
    "solid",
];
const PRAISE_NEGATORS: [&str; 17] = [
    "not ", "n't", "far from", "outside", "below", "above", "too ", "more", "less", "need", "low", "high",
    "improve", "increase", "reduce", "fix", "only",
];

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Byte offsets of `needle` in `hay` at word boundaries (the needle's own
/// punctuation may end it, e.g. `goal!`).
fn find_words(hay: &str, needle: &str) -> Vec<usize> {
    let hb = hay.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = hay.get(from..).and_then(|h| h.find(needle)) {
        let s = from + i;
        let e = s + needle.len();
        let left_ok = s == 0 || !is_word_byte(hb[s - 1]);
        let last = needle.as_bytes().last().copied().unwrap_or(b' ');
        let right_ok = e >= hb.len() || !is_word_byte(hb[e]) || !is_word_byte(last);
        if left_ok && right_ok {
            out.push(s);
        }
        from = e;
    }
    out
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Start of the sentence containing byte `i`.
fn sentence_start(s: &str, i: usize) -> usize {
    s[..i].rfind(['.', '!', '?', '\n']).map(|p| p + 1).unwrap_or(0)
}

fn sentence_end(s: &str, i: usize) -> usize {
    s[i..].find(['.', '!', '?', '\n']).map(|p| i + p).unwrap_or(s.len())
}

/// The text up to `before` bytes before `i` and `after` bytes after `end`,
/// inside one sentence.
fn window(s: &str, i: usize, end: usize, before: usize, after: usize) -> &str {
    let a = floor_boundary(s, i.saturating_sub(before)).max(sentence_start(s, i));
    let b = ceil_boundary(s, end.saturating_add(after)).min(sentence_end(s, end.min(s.len())));
    s.get(a..b.max(a)).unwrap_or("")
}

fn excerpt(s: &str, i: usize, len: usize) -> String {
    let a = sentence_start(s, i);
    let b = sentence_end(s, (i + len).min(s.len()));
    let t = s.get(a..b).unwrap_or("").trim();
    if t.chars().count() > 160 { t.chars().take(160).collect::<String>() + "…" } else { t.to_string() }
}

fn normalise(text: &str) -> String {
    text.to_lowercase().replace(['’', '‘'], "'").replace(['*', '_', '`'], " ")
}

impl Validator {
    /// Parses the sections and checks every rule; all violations found are
    /// returned, shape first.
    pub fn validate(&self, text: &str, facts: &ShotFacts) -> Result<Sections, Vec<Violation>> {
        let parsed = parse_sections(text);
        let mut errs = match &parsed {
            Ok(_) => Vec::new(),
            Err(e) => e.clone(),
        };
        if errs == [Violation::Empty] {
            return Err(errs);
        }
        errs.extend(self.contradictions(text, facts));
        match parsed {
            Ok(s) if errs.is_empty() => Ok(s),
            _ => Err(errs),
        }
    }

    /// Only the contradiction rules (outcome, foot, speed, flagged praise).
    pub fn contradictions(&self, text: &str, facts: &ShotFacts) -> Vec<Violation> {
        let low = normalise(text);
        let mut errs = Vec::new();
        self.check_outcome(&low, facts, &mut errs);
        if facts.sport == Sport::Football {
            check_foot(&low, facts.foot, &mut errs);
        }
        self.check_speed(&low, facts, &mut errs);
        self.check_praise(&low, facts, &mut errs);
        errs
    }

    fn check_outcome(&self, low: &str, facts: &ShotFacts, errs: &mut Vec<Violation>) {
        let (succ, fail): (&[&str], &[&str]) = match facts.sport {
            Sport::Football => (&GOAL_CLAIMS, &FOOTBALL_MISS_CLAIMS),
            Sport::Basketball => (&MAKE_CLAIMS, &BASKET_MISS_CLAIMS),
        };
        let forbidden: Vec<&str> = match facts.outcome.is_success() {
            Some(true) => fail.to_vec(),
            Some(false) => succ.to_vec(),
            None => succ.iter().chain(fail).copied().collect(),
        };
        let measured = match facts.outcome {
            Outcome::Unknown => "outcome unknown".to_string(),
            o => o.describe().to_string(),
        };
        for p in forbidden {
            for i in find_words(low, p) {
                let before = window(low, i, i, 48, 0);
                if NEGATORS.iter().any(|n| before.contains(n)) {
                    continue;
                }
                errs.push(Violation::OutcomeContradiction {
                    measured: measured.clone(),
                    phrase: excerpt(low, i, p.len()),
                });
                return; // one outcome contradiction is enough to explain
            }
        }
    }

    fn check_speed(&self, low: &str, facts: &ShotFacts, errs: &mut Vec<Violation>) {
        for stated in stated_speeds(low) {
            match facts.speed {
                None => errs.push(Violation::InventedSpeed { stated_kmh: stated }),
                Some(s) => {
                    let tol = self
                        .speed_tolerance_kmh
                        .max(self.speed_tolerance_frac * s.kmh)
                        .max(self.speed_sigmas * s.uncertainty_kmh);
                    if (stated - s.kmh).abs() > tol {
                        errs.push(Violation::SpeedContradiction {
                            measured_kmh: s.kmh,
                            stated_kmh: stated,
                            tolerance_kmh: tol,
                        });
                    }
                }
            }
        }
    }

    fn check_praise(&self, low: &str, facts: &ShotFacts, errs: &mut Vec<Violation>) {
        for m in &facts.measurements {
            let flag = m.effective_flag(self.min_confidence);
            if !matches!(flag, Flag::Low | Flag::High) {
                continue;
            }
            let label = m.label().to_lowercase();
            let label = label.trim();
            if label.is_empty() {
                continue;
            }
            for i in find_words(low, label) {
                let a = sentence_start(low, i);
                let b = sentence_end(low, i);
                // "good range" names the range, it praises nothing
                let sentence = low.get(a..b).unwrap_or("").replace("good range", "range");
                let sentence = sentence.as_str();
                let praised = PRAISE.iter().any(|p| !find_words(sentence, p).is_empty());
                let negated = PRAISE_NEGATORS.iter().any(|n| sentence.contains(n));
                if praised && !negated {
                    errs.push(Violation::FlaggedPraised {
                        measurement: m.name.clone(),
                        flag: if flag == Flag::Low { "low".into() } else { "high".into() },
                        sentence: excerpt(low, i, label.len()),
                    });
                    break;
                }
            }
        }
    }
}

fn check_foot(low: &str, foot: Foot, errs: &mut Vec<Violation>) {
    let other = match foot.other() {
        Foot::Unknown => return,
        o => o.as_str(),
    };
    let always = [format!("{other}-footed"), format!("{other} footed"), format!("{other}-footer")];
    let near = [format!("{other} foot"), format!("{other}-foot"), format!("{other} boot")];
    for p in &always {
        if let Some(&i) = find_words(low, p).first() {
            errs.push(Violation::WrongFoot {
                measured: foot.as_str().into(),
                phrase: excerpt(low, i, p.len()),
            });
            return;
        }
    }
    for p in &near {
        for i in find_words(low, p) {
            let w = window(low, i, i + p.len(), 48, 40);
            if PLANT_WORDS.iter().any(|x| w.contains(x)) {
                continue;
            }
            errs.push(Violation::WrongFoot {
                measured: foot.as_str().into(),
                phrase: excerpt(low, i, p.len()),
            });
            return;
        }
    }
}

/// Speeds stated in the text, in km/h (`km/h`, `kmh`, `kph`, `km per hour`,
/// `mph`, `miles per hour`, `m/s`).
pub fn stated_speeds(text: &str) -> Vec<f64> {
    let low = normalise(text);
    let units: [(&str, f64); 9] = [
        ("km/h", 1.0),
        ("kmh", 1.0),
        ("kph", 1.0),
        ("km per hour", 1.0),
        ("kilometres per hour", 1.0),
        ("kilometers per hour", 1.0),
        ("mph", 1.609_344),
        ("miles per hour", 1.609_344),
        ("m/s", 3.6),
    ];
    let b = low.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.')) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len()
            && (b[i].is_ascii_digit() || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
        {
            i += 1;
        }
        let num = &low[start..i];
        let before = low[..start].trim_end();
        let is_margin = before.ends_with('±') || before.ends_with("+/-") || before.ends_with("plus or minus");
        let mut j = i;
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        let rest = &low[j..];
        if let Some((u, f)) = units.iter().find(|(u, _)| {
            rest.starts_with(u) && rest.as_bytes().get(u.len()).is_none_or(|c| !c.is_ascii_alphanumeric())
        }) && !is_margin
            && let Ok(v) = num.parse::<f64>()
            && v.is_finite()
        {
            out.push(v * f);
            i = j + u.len();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Measurement, Speed};

    fn goal() -> ShotFacts {
        ShotFacts {
            sport: Sport::Football,
            outcome: Outcome::Goal,
            shooter: "player 8".into(),
            foot: Foot::Right,
            speed: Some(Speed { kmh: 96.0, uncertainty_kmh: 6.0 }),
            measurements: vec![Measurement::degrees("knee_flexion", 62.0, 0.9, [70.0, 110.0], Flag::Low)],
        }
    }

    fn answer(opening: &str, verdict: &str) -> String {
        format!(
            "{opening}\n\n## Verdict\n{verdict}\n\n## Fix 1\nBend the kicking knee more.\n\n## Fix 2\n\
             Keep the chest over the ball.\n\n## Drill\n3 sets of 10 strikes."
        )
    }

    #[test]
    fn good_answer_passes() {
        let t = answer("Great strike, that's a goal!", "A right-foot shot at about 95 km/h.");
        let s = validate(&t, &goal()).unwrap();
        assert_eq!(s.opening, "Great strike, that's a goal!");
        assert_eq!(s.verdict, "A right-foot shot at about 95 km/h.");
        assert_eq!(s.drill, "3 sets of 10 strikes.");
    }

    #[test]
    fn heading_styles() {
        for (line, kind) in [
            ("## Verdict", Some(Kind::Verdict)),
            ("**Fix 1:** bend more", Some(Kind::Fix)),
            ("Fix #2 - lean", Some(Kind::Fix)),
            ("1. **Verdict**", Some(Kind::Verdict)),
            ("Drill:", Some(Kind::Drill)),
            ("DRILL", Some(Kind::Drill)),
            ("Fix your plant foot", None),
            ("Drills are fun", None),
            ("Verdict is clear", None),
        ] {
            assert_eq!(heading(line).map(|h| h.0), kind, "{line}");
        }
        assert_eq!(heading("**Fix 1:** bend more").map(|h| h.1), Some("bend more"));
    }

    #[test]
    fn shape_violations() {
        assert_eq!(parse_sections("  \n"), Err(vec![Violation::Empty]));
        let e = parse_sections("## Verdict\nx\n## Fix\ny\n## Drill\nz").unwrap_err();
        assert!(e.contains(&Violation::MissingOpening));
        assert!(e.contains(&Violation::MissingSection { section: "Fix 2".into() }));
        let e = parse_sections("Hi\n## Fix\na\n## Verdict\nb\n## Fix\nc\n## Drill\nd").unwrap_err();
        assert!(matches!(&e[0], Violation::SectionsOutOfOrder { found } if found[0] == "Fix"));
        let e = parse_sections("Hi\n## Verdict\n## Fix\na\n## Fix\nc\n## Drill\nd").unwrap_err();
        assert_eq!(e, vec![Violation::EmptySection { section: "Verdict".into() }]);
    }

    #[test]
    fn goal_called_a_miss() {
        let t = answer("Unlucky, the keeper saved it.", "Fine.");
        let e = validate(&t, &goal()).unwrap_err();
        assert!(matches!(&e[0], Violation::OutcomeContradiction { phrase, .. } if phrase.contains("saved")));
        // counterfactuals are not claims
        let t = answer("Goal! The keeper could not have saved that.", "Fine.");
        assert!(validate(&t, &goal()).is_ok(), "{:?}", validate(&t, &goal()));
    }

    #[test]
    fn miss_called_a_goal() {
        let mut f = goal();
        f.outcome = Outcome::MissedWide;
        let t = answer("What a goal, top corner!", "Fine.");
        assert!(matches!(validate(&t, &f).unwrap_err()[0], Violation::OutcomeContradiction { .. }));
        let t = answer("Just wide, you almost scored.", "Fine.");
        assert!(validate(&t, &f).is_ok(), "{:?}", validate(&t, &f));
    }

    #[test]
    fn basketball_make_and_miss() {
        let mut f = ShotFacts::new(Sport::Basketball, Outcome::Miss);
        let t = answer("Swish! Nothing but net.", "Fine.");
        assert!(matches!(validate(&t, &f).unwrap_err()[0], Violation::OutcomeContradiction { .. }));
        f.outcome = Outcome::Make;
        let t = answer("Rimmed out, unlucky.", "Fine.");
        assert!(matches!(validate(&t, &f).unwrap_err()[0], Violation::OutcomeContradiction { .. }));
        let t = answer("Swish! Nothing but net.", "Fine.");
        assert!(validate(&t, &f).is_ok());
    }

    #[test]
    fn unknown_outcome_claims_nothing() {
        let mut f = goal();
        f.outcome = Outcome::Unknown;
        assert!(validate(&answer("Nice goal!", "x"), &f).is_err());
        assert!(validate(&answer("It was saved.", "x"), &f).is_err());
        assert!(validate(&answer("Let's look at the strike.", "x"), &f).is_ok());
    }

    #[test]
    fn wrong_foot() {
        let f = goal();
        let t = answer("Goal!", "A lovely left-footed finish.");
        assert!(
            matches!(&validate(&t, &f).unwrap_err()[0], Violation::WrongFoot { measured, .. } if measured == "right")
        );
        let t = answer("Goal!", "You struck it with your left foot.");
        assert!(validate(&t, &f).is_err());
        let t = answer("Goal!", "Plant your left foot beside the ball.");
        assert!(validate(&t, &f).is_ok(), "{:?}", validate(&t, &f));
        let mut b = f.clone();
        b.foot = Foot::Unknown;
        assert!(validate(&answer("Goal!", "A left-footed finish."), &b).is_ok());
    }

    #[test]
    fn speeds() {
        assert_eq!(
            stated_speeds("about 95 km/h, or 60 mph, 26.5 m/s; v2 100kph"),
            vec![95.0, 60.0 * 1.609_344, 26.5 * 3.6, 100.0]
        );
        assert_eq!(stated_speeds("90 km/h ± 6 km/h, +/- 5 kph"), vec![90.0]);
        let f = goal();
        let t = answer("Goal!", "That flew at 140 km/h.");
        assert!(matches!(
            validate(&t, &f).unwrap_err()[0],
            Violation::SpeedContradiction { stated_kmh, .. } if stated_kmh == 140.0
        ));
        let mut n = f.clone();
        n.speed = None;
        let t = answer(
            "Goal!",
            "That flew at 96 km/h (±8 km/h). Your knee flexion was 62° (good range 70–110°).",
        );
        assert!(matches!(validate(&t, &n).unwrap_err()[0], Violation::InventedSpeed { .. }));
        assert!(validate(&t, &f).is_ok());
    }

    #[test]
    fn flagged_angle_praised() {
        let f = goal();
        let t = answer("Goal!", "Your knee flexion was ideal.");
        assert!(
            matches!(&validate(&t, &f).unwrap_err()[0], Violation::FlaggedPraised { measurement, flag, .. }
            if measurement == "knee_flexion" && flag == "low")
        );
        let t = answer("Goal!", "Your knee flexion was not ideal: bend more.");
        assert!(validate(&t, &f).is_ok());
        // an unreliable one is not checked for praise
        let mut u = f.clone();
        u.measurements[0].confidence = 0.1;
        assert!(validate(&answer("Goal!", "Your knee flexion was ideal."), &u).is_ok());
    }

    #[test]
    fn non_ascii_text_does_not_panic() {
        let f = goal();
        let t = "Tor! ⚽️ — «schön» 95 km/h\n## Verdict\nÜber 😀 right foot\n## Fix 1\né\n## Fix 2\nß\n## Drill\n漢字";
        assert!(validate(t, &f).is_ok(), "{:?}", validate(t, &f));
    }
}
