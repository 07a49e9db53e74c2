//! The measured facts of one shot: the coach's only input.
//!
//! Plain data with serde (JSON) so any front end (the CLI, a user's own ball
//! tracker or pose model) can fill it without depending on the crates that
//! measured it.

use serde::{Deserialize, Serialize};

use crate::error::CoachError;

/// Which sport the shot belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sport {
    /// Association football: goals, saves, misses.
    Football,
    /// Basketball: makes and misses.
    Basketball,
}

/// How the shot ended, as measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Football: the ball came to rest in the net.
    Goal,
    /// Football: stopped by the goalkeeper.
    Saved,
    /// Football: passed beside the goal.
    MissedWide,
    /// Football: passed over the crossbar.
    Over,
    /// Football: came back off the frame (post or bar) without going in.
    Rebound,
    /// Basketball: went through the hoop.
    Make,
    /// Basketball: did not go through the hoop.
    Miss,
    /// Not decided (either sport): the coach must not claim an outcome.
    Unknown,
}

impl Outcome {
    /// `Some(true)` for a goal or a make, `Some(false)` for every kind of
    /// miss, `None` when unknown.
    pub fn is_success(self) -> Option<bool> {
        match self {
            Outcome::Goal | Outcome::Make => Some(true),
            Outcome::Unknown => None,
            _ => Some(false),
        }
    }

    /// Plain words for prompts and reports ("goal", "saved by the goalkeeper", ...).
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Goal => "goal (the ball ended in the net)",
            Outcome::Saved => "no goal: saved by the goalkeeper",
            Outcome::MissedWide => "no goal: missed wide of the post",
            Outcome::Over => "no goal: over the crossbar",
            Outcome::Rebound => "no goal: came back off the post or crossbar",
            Outcome::Make => "made shot (through the hoop)",
            Outcome::Miss => "missed shot (not through the hoop)",
            Outcome::Unknown => "outcome not measured",
        }
    }

    fn fits(self, sport: Sport) -> bool {
        match self {
            Outcome::Unknown => true,
            Outcome::Make | Outcome::Miss => sport == Sport::Basketball,
            _ => sport == Sport::Football,
        }
    }
}

/// The shooting foot (football) or hand side (basketball, optional).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Foot {
    /// Left.
    Left,
    /// Right.
    Right,
    /// Not measured.
    #[default]
    Unknown,
}

impl Foot {
    /// `"left"`, `"right"` or `"unknown"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Foot::Left => "left",
            Foot::Right => "right",
            Foot::Unknown => "unknown",
        }
    }

    /// The other foot (`Unknown` stays `Unknown`).
    pub fn other(self) -> Foot {
        match self {
            Foot::Left => Foot::Right,
            Foot::Right => Foot::Left,
            Foot::Unknown => Foot::Unknown,
        }
    }
}

/// Ball speed with its uncertainty.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Speed {
    /// Speed in km/h.
    pub kmh: f64,
    /// One-sigma-like uncertainty in km/h (0 when not estimated).
    #[serde(default)]
    pub uncertainty_kmh: f64,
}

/// How a measurement compares with its good range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Inside the good range.
    #[default]
    Ok,
    /// Below the good range.
    Low,
    /// Above the good range.
    High,
    /// Measured from low-confidence keypoints: not to be stated as a fact.
    Unreliable,
}

/// One named body measurement at the strike (an angle in degrees, or a
/// distance with its own unit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Machine name, e.g. `knee_flexion`; underscores read as spaces.
    pub name: String,
    /// The value (`degrees` is accepted as the JSON key too).
    #[serde(alias = "degrees")]
    pub value: f64,
    /// Unit written after the value; degrees (`°`) when absent.
    #[serde(default = "degree_unit")]
    pub unit: String,
    /// Keypoint confidence behind the value, in `[0, 1]`.
    pub confidence: f64,
    /// `[low, high]` good range, when one is documented.
    #[serde(default)]
    pub good_range: Option<[f64; 2]>,
    /// Flag set by whoever measured it.
    #[serde(default)]
    pub flag: Flag,
}

fn degree_unit() -> String {
    "°".to_string()
}

impl Measurement {
    /// An angle in degrees.
    pub fn degrees(
        name: impl Into<String>,
        value: f64,
        confidence: f64,
        good_range: [f64; 2],
        flag: Flag,
    ) -> Self {
        Measurement {
            name: name.into(),
            value,
            unit: degree_unit(),
            confidence,
            good_range: Some(good_range),
            flag,
        }
    }

    /// The name for people: underscores become spaces.
    pub fn label(&self) -> String {
        self.name.replace('_', " ")
    }

    /// The flag the coach uses: `Unreliable` when the value is not finite or
    /// the confidence is below `min_confidence`, else the given flag.
    pub fn effective_flag(&self, min_confidence: f64) -> Flag {
        if !self.value.is_finite() || self.confidence.partial_cmp(&min_confidence).is_none_or(|o| o.is_lt()) {
            Flag::Unreliable
        } else {
            self.flag
        }
    }

    /// How far outside its range the value lies, as a fraction of the range
    /// width (0 inside or without a range); used to order fixes.
    pub fn severity(&self) -> f64 {
        match self.good_range {
            Some([lo, hi]) if self.value.is_finite() => {
                let w = (hi - lo).abs().max(1e-9);
                if self.value < lo {
                    (lo - self.value) / w
                } else if self.value > hi {
                    (self.value - hi) / w
                } else {
                    0.0
                }
            }
            _ => 0.0,
        }
    }

    /// The value with its unit, e.g. `62°` or `35 cm`.
    pub fn value_text(&self) -> String {
        fmt_unit(self.value, &self.unit)
    }

    /// The good range with its unit, e.g. `70–110°`, if any.
    pub fn range_text(&self) -> Option<String> {
        self.good_range.map(|[lo, hi]| {
            let hi = fmt_unit(hi, &self.unit);
            format!("{}–{hi}", trim_num(lo))
        })
    }
}

fn trim_num(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 { format!("{:.0}", v) } else { format!("{:.1}", v) }
}

fn fmt_unit(v: f64, unit: &str) -> String {
    if unit == "°" || unit.is_empty() {
        format!("{}{unit}", trim_num(v))
    } else {
        format!("{} {unit}", trim_num(v))
    }
}

/// Everything measured about one shot.
///
/// ```
/// use touchline_coach::{Flag, Foot, Measurement, Outcome, ShotFacts, Speed, Sport};
/// let json = r#"{"sport":"football","outcome":"goal","shooter":"player 8","foot":"right",
///   "speed":{"kmh":96.0,"uncertainty_kmh":8.0},
///   "measurements":[{"name":"knee_flexion","degrees":62,"confidence":0.9,"good_range":[70,110],"flag":"low"}]}"#;
/// let f: ShotFacts = serde_json::from_str(json)?;
/// f.validate()?;
/// assert_eq!(f.outcome, Outcome::Goal);
/// assert_eq!(f.measurements[0].unit, "°");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShotFacts {
    /// Football or basketball.
    pub sport: Sport,
    /// How it ended.
    pub outcome: Outcome,
    /// Who shot, as the tracker labels them (`"player 8"`, `"track_3"`).
    #[serde(default)]
    pub shooter: String,
    /// Shooting foot.
    #[serde(default)]
    pub foot: Foot,
    /// Ball speed, when measured.
    #[serde(default)]
    pub speed: Option<Speed>,
    /// Body measurements at the strike.
    #[serde(default)]
    pub measurements: Vec<Measurement>,
}

impl ShotFacts {
    /// Facts with an outcome only; fill the rest with struct update syntax.
    pub fn new(sport: Sport, outcome: Outcome) -> Self {
        ShotFacts {
            sport,
            outcome,
            shooter: String::new(),
            foot: Foot::Unknown,
            speed: None,
            measurements: vec![],
        }
    }

    /// Checks the facts are usable: the outcome fits the sport, the speed is
    /// finite, non-negative and under 250 km/h, confidences are in `[0, 1]`,
    /// ranges are finite and ordered. Non-finite measurement values are
    /// allowed: they are reported as unreliable.
    pub fn validate(&self) -> Result<(), CoachError> {
        let bad = |field: String, reason: String| Err(CoachError::InvalidFacts { field, reason });
        if !self.outcome.fits(self.sport) {
            return bad(
                "outcome".into(),
                format!("{:?} is not an outcome of {:?}", self.outcome, self.sport).to_lowercase(),
            );
        }
        if let Some(s) = self.speed {
            if !s.kmh.is_finite() || !(0.0..=250.0).contains(&s.kmh) {
                return bad("speed.kmh".into(), format!("{} is not a ball speed in km/h (0..=250)", s.kmh));
            }
            if !s.uncertainty_kmh.is_finite() || s.uncertainty_kmh < 0.0 {
                return bad(
                    "speed.uncertainty_kmh".into(),
                    format!("{} is not a valid uncertainty", s.uncertainty_kmh),
                );
            }
        }
        for (i, m) in self.measurements.iter().enumerate() {
            if m.name.trim().is_empty() {
                return bad(format!("measurements[{i}].name"), "empty name".into());
            }
            if !(0.0..=1.0).contains(&m.confidence) {
                return bad(
                    format!("measurements[{i}].confidence"),
                    format!("{} is not in [0, 1]", m.confidence),
                );
            }
            if let Some([lo, hi]) = m.good_range
                && (!lo.is_finite() || !hi.is_finite() || lo > hi)
            {
                return bad(format!("measurements[{i}].good_range"), format!("[{lo}, {hi}] is not a range"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_must_fit_sport() {
        let f = ShotFacts::new(Sport::Basketball, Outcome::Goal);
        let e = f.validate().unwrap_err();
        assert!(e.to_string().contains("outcome"), "{e}");
        assert!(ShotFacts::new(Sport::Basketball, Outcome::Make).validate().is_ok());
    }

    #[test]
    fn bad_numbers_are_named() {
        let mut f = ShotFacts::new(Sport::Football, Outcome::Goal);
        f.speed = Some(Speed { kmh: f64::NAN, uncertainty_kmh: 1.0 });
        assert!(f.validate().unwrap_err().to_string().contains("speed.kmh"));
        f.speed = None;
        f.measurements.push(Measurement::degrees("knee", 10.0, 1.5, [0.0, 1.0], Flag::Ok));
        assert!(f.validate().unwrap_err().to_string().contains("measurements[0].confidence"));
        f.measurements[0].confidence = 0.5;
        f.measurements[0].good_range = Some([5.0, 1.0]);
        assert!(f.validate().unwrap_err().to_string().contains("good_range"));
    }

    #[test]
    fn effective_flag_and_severity() {
        let m = Measurement::degrees("knee_flexion", 50.0, 0.9, [70.0, 110.0], Flag::Low);
        assert_eq!(m.effective_flag(0.3), Flag::Low);
        assert_eq!(m.effective_flag(0.95), Flag::Unreliable);
        assert!((m.severity() - 0.5).abs() < 1e-12);
        let nan = Measurement { value: f64::NAN, ..m.clone() };
        assert_eq!(nan.effective_flag(0.0), Flag::Unreliable);
        assert_eq!(m.label(), "knee flexion");
        assert_eq!(m.range_text().as_deref(), Some("70–110°"));
    }
}
