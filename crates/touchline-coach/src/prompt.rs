//! The grounded prompt: measured facts in, a versioned prompt out.
//!
//! Templates are data (JSON with `{placeholder}`s, see
//! `templates/shot_v1.json`), compiled in with `include_str!` and checked
//! when loaded: every placeholder must be known, every required part present.

use serde::{Deserialize, Serialize};
use touchline_core::GenerationRequest;

use crate::error::{CoachError, Violation};
use crate::facts::{Flag, ShotFacts, Sport};

/// The built-in template's JSON text (`templates/shot_v1.json`).
pub const SHOT_V1_JSON: &str = include_str!("../templates/shot_v1.json");

/// Opening instructions by outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Openings {
    /// For a goal or a make.
    pub success: String,
    /// For every kind of miss.
    pub miss: String,
    /// When the outcome is unknown.
    pub unknown: String,
}

/// A versioned prompt template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// Version tag written into every output, e.g. `shot_v1`.
    pub version: String,
    /// System message; placeholders as in `user`.
    pub system: String,
    /// User message with `{sport}`, `{outcome}`, `{shooter}`, `{foot}`,
    /// `{speed}`, `{measurements}`, `{opening}`.
    pub user: String,
    /// The `{opening}` text by outcome.
    pub opening: Openings,
    /// Appended to the prompt after a rejected answer; `{reasons}` is the
    /// list of reasons.
    pub retry: String,
}

const FACT_KEYS: [&str; 7] = ["sport", "outcome", "shooter", "foot", "speed", "measurements", "opening"];

impl Template {
    /// The built-in `shot_v1` template.
    pub fn shot_v1() -> Template {
        // The embedded template is checked by a unit test; fall back to a
        // parse that cannot fail only in the impossible case it is broken.
        match Template::from_json(SHOT_V1_JSON) {
            Ok(t) => t,
            Err(e) => panic!("built-in template shot_v1 is broken: {e}"),
        }
    }

    /// Parses and checks a template.
    pub fn from_json(text: &str) -> Result<Template, CoachError> {
        let t: Template = serde_json::from_str(text)
            .map_err(|e| CoachError::Template { name: "<json>".into(), reason: e.to_string() })?;
        t.check()?;
        Ok(t)
    }

    /// Checks the version is set and only known placeholders are used.
    pub fn check(&self) -> Result<(), CoachError> {
        let err = |reason: String| Err(CoachError::Template { name: self.version.clone(), reason });
        if self.version.trim().is_empty() {
            return err("empty version".into());
        }
        for (part, text, keys) in [
            ("system", &self.system, &FACT_KEYS[..]),
            ("user", &self.user, &FACT_KEYS[..]),
            ("retry", &self.retry, &["reasons"][..]),
            ("opening.success", &self.opening.success, &[][..]),
            ("opening.miss", &self.opening.miss, &[][..]),
            ("opening.unknown", &self.opening.unknown, &[][..]),
        ] {
            for name in placeholders(text).map_err(|r| CoachError::Template {
                name: self.version.clone(),
                reason: format!("{part}: {r}"),
            })? {
                if !keys.contains(&name.as_str()) {
                    return err(format!("{part}: unknown placeholder {{{name}}}"));
                }
            }
        }
        if !self.user.contains("{measurements}") || !self.user.contains("{outcome}") {
            return err("user must contain {outcome} and {measurements}".into());
        }
        if !self.retry.contains("{reasons}") {
            return err("retry must contain {reasons}".into());
        }
        Ok(())
    }
}

/// Names of `{placeholders}` in `text`; a `{` without a closing `}` or with
/// anything but `[a-z_]` inside is an error.
fn placeholders(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else { return Err("unclosed '{'".into()) };
        let name = &after[..j];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(format!("bad placeholder {{{name}}}"));
        }
        out.push(name.to_string());
        rest = &after[j + 1..];
    }
    Ok(out)
}

fn render(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(j) => {
                let name = &after[..j];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A prompt ready for a [`touchline_core::TextGenerator`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prompt {
    /// System message.
    pub system: String,
    /// User message.
    pub user: String,
    /// The template version it came from.
    pub template_version: String,
}

impl Prompt {
    /// The generation request (system + user), `max_tokens` and `temperature` as given.
    pub fn request(&self, max_tokens: u32, temperature: f32) -> GenerationRequest {
        GenerationRequest {
            system: Some(self.system.clone()),
            prompt: self.user.clone(),
            max_tokens,
            temperature,
        }
    }
}

/// Builds prompts from facts with a template.
///
/// ```
/// use touchline_coach::{Flag, Foot, Measurement, Outcome, PromptBuilder, ShotFacts, Sport};
/// let mut facts = ShotFacts::new(Sport::Football, Outcome::Saved);
/// facts.foot = Foot::Left;
/// facts.measurements.push(Measurement::degrees("trunk_lean", 31.0, 0.15, [0.0, 20.0], Flag::High));
/// let p = PromptBuilder::default().build(&facts)?;
/// assert_eq!(p.template_version, "shot_v1");
/// assert!(p.user.contains("shooting foot: left"));
/// assert!(p.user.contains("trunk lean: UNRELIABLE")); // confidence 0.15 < 0.3
/// assert!(!p.user.contains("31°"));                    // never stated as a fact
/// # Ok::<(), touchline_coach::CoachError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PromptBuilder {
    /// The template.
    pub template: Template,
    /// Measurements with a lower keypoint confidence are presented as unreliable.
    pub min_confidence: f64,
}

impl Default for PromptBuilder {
    fn default() -> Self {
        PromptBuilder { template: Template::shot_v1(), min_confidence: 0.3 }
    }
}

impl PromptBuilder {
    /// A builder with a custom template (checked).
    pub fn with_template(template: Template, min_confidence: f64) -> Result<Self, CoachError> {
        template.check()?;
        Ok(PromptBuilder { template, min_confidence })
    }

    /// The prompt for `facts` (validated first).
    pub fn build(&self, facts: &ShotFacts) -> Result<Prompt, CoachError> {
        facts.validate()?;
        let sport = match facts.sport {
            Sport::Football => "football",
            Sport::Basketball => "basketball",
        };
        let outcome = facts.outcome.describe();
        let shooter = if facts.shooter.trim().is_empty() {
            "not identified".to_string()
        } else {
            facts.shooter.trim().to_string()
        };
        let foot = match facts.foot {
            crate::Foot::Unknown => "not measured (do not name a shooting foot)".to_string(),
            f => f.as_str().to_string(),
        };
        let speed = match facts.speed {
            Some(s) if s.uncertainty_kmh > 0.0 => {
                format!("{:.0} km/h (uncertainty ±{:.0} km/h)", s.kmh, s.uncertainty_kmh)
            }
            Some(s) => format!("{:.0} km/h", s.kmh),
            None => "not measured (do not state a speed)".to_string(),
        };
        let measurements = self.measurement_lines(facts);
        let t = &self.template;
        let opening = match facts.outcome.is_success() {
            Some(true) => &t.opening.success,
            Some(false) => &t.opening.miss,
            None => &t.opening.unknown,
        };
        let values = [
            ("sport", sport),
            ("outcome", outcome),
            ("shooter", shooter.as_str()),
            ("foot", foot.as_str()),
            ("speed", speed.as_str()),
            ("measurements", measurements.as_str()),
            ("opening", opening.as_str()),
        ];
        Ok(Prompt {
            system: render(&t.system, &values),
            user: render(&t.user, &values),
            template_version: t.version.clone(),
        })
    }

    /// The prompt again with the rejection reasons appended (the retry).
    pub fn retry(&self, prompt: &Prompt, reasons: &[Violation]) -> Prompt {
        let list: String = reasons.iter().map(|r| format!("- {r}\n")).collect();
        let note = render(&self.template.retry, &[("reasons", list.trim_end())]);
        Prompt { user: format!("{}\n\n{note}", prompt.user), ..prompt.clone() }
    }

    fn measurement_lines(&self, facts: &ShotFacts) -> String {
        if facts.measurements.is_empty() {
            return "  - none measured".to_string();
        }
        let mut out = Vec::new();
        for m in &facts.measurements {
            let label = m.label();
            let line = match m.effective_flag(self.min_confidence) {
                Flag::Unreliable => format!(
                    "  - {label}: UNRELIABLE (keypoint confidence {:.2}): do not state or judge its value",
                    if m.confidence.is_finite() { m.confidence } else { 0.0 }
                ),
                flag => {
                    let range = m.range_text().map(|r| format!(" (good range {r})")).unwrap_or_default();
                    let verdict = match flag {
                        Flag::Low => "flagged LOW, below the good range",
                        Flag::High => "flagged HIGH, above the good range",
                        _ => "OK, inside the good range",
                    };
                    format!(
                        "  - {label}: {}{range}: {verdict}; confidence {:.2}",
                        m.value_text(),
                        m.confidence
                    )
                }
            };
            out.push(line);
        }
        out.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Foot, Measurement, Outcome, Speed};

    fn facts() -> ShotFacts {
        ShotFacts {
            sport: Sport::Football,
            outcome: Outcome::Goal,
            shooter: "player 8".into(),
            foot: Foot::Right,
            speed: Some(Speed { kmh: 96.4, uncertainty_kmh: 7.6 }),
            measurements: vec![
                Measurement::degrees("knee_flexion", 62.0, 0.9, [70.0, 110.0], Flag::Low),
                Measurement::degrees("trunk_lean", 12.0, 0.8, [0.0, 20.0], Flag::Ok),
                Measurement::degrees("hip_drive", 40.0, 0.1, [20.0, 50.0], Flag::Ok),
            ],
        }
    }

    #[test]
    fn builtin_template_parses_and_has_version() {
        let t = Template::from_json(SHOT_V1_JSON).unwrap();
        assert_eq!(t.version, "shot_v1");
    }

    #[test]
    fn facts_appear_and_no_placeholder_is_left() {
        let p = PromptBuilder::default().build(&facts()).unwrap();
        assert_eq!(p.template_version, "shot_v1");
        for needle in [
            "outcome: goal",
            "shooter: player 8",
            "shooting foot: right",
            "96 km/h (uncertainty ±8 km/h)",
            "knee flexion: 62° (good range 70–110°): flagged LOW",
            "trunk lean: 12° (good range 0–20°): OK",
            "open by celebrating",
        ] {
            assert!(p.user.contains(needle), "missing {needle:?} in\n{}", p.user);
        }
        assert!(p.system.contains("football"));
        assert!(placeholders(&p.user).map(|v| v.is_empty()).unwrap_or(false), "{}", p.user);
    }

    #[test]
    fn unreliable_is_marked_and_value_hidden() {
        let p = PromptBuilder::default().build(&facts()).unwrap();
        assert!(p.user.contains("hip drive: UNRELIABLE (keypoint confidence 0.10)"), "{}", p.user);
        assert!(!p.user.contains("40°"));
        let mut f = facts();
        f.measurements[1].flag = Flag::Unreliable;
        let p = PromptBuilder::default().build(&f).unwrap();
        assert!(p.user.contains("trunk lean: UNRELIABLE"));
        assert!(!p.user.contains("12°"));
    }

    #[test]
    fn miss_and_unknown_openings() {
        let mut f = facts();
        f.outcome = Outcome::Over;
        let p = PromptBuilder::default().build(&f).unwrap();
        assert!(p.user.contains("over the crossbar") && p.user.contains("encouragement"));
        f.outcome = Outcome::Unknown;
        f.speed = None;
        f.foot = Foot::Unknown;
        let p = PromptBuilder::default().build(&f).unwrap();
        assert!(p.user.contains("open neutrally"));
        assert!(p.user.contains("ball speed: not measured"));
        assert!(p.user.contains("shooting foot: not measured"));
    }

    #[test]
    fn retry_appends_reasons() {
        let b = PromptBuilder::default();
        let p = b.build(&facts()).unwrap();
        let r = b.retry(&p, &[Violation::MissingSection { section: "Drill".into() }]);
        assert!(r.user.starts_with(&p.user));
        assert!(r.user.contains("- the section \"Drill\" is missing"));
    }

    #[test]
    fn bad_templates_are_rejected() {
        let mut t = Template::shot_v1();
        t.user.push_str(" {nope}");
        assert!(t.check().unwrap_err().to_string().contains("unknown placeholder {nope}"));
        let mut t = Template::shot_v1();
        t.retry = "again".into();
        assert!(t.check().is_err());
        let mut t = Template::shot_v1();
        t.system.push_str(" {unclosed");
        assert!(t.check().is_err());
        assert!(Template::from_json("{}").is_err());
    }

    #[test]
    fn invalid_facts_fail_before_prompting() {
        let mut f = facts();
        f.outcome = Outcome::Make;
        assert!(matches!(PromptBuilder::default().build(&f), Err(CoachError::InvalidFacts { .. })));
    }
}
