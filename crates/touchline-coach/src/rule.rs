//! The offline rule-based coach: the same four sections written from the
//! facts by fixed rules, deterministic, no model and no network.

use std::convert::Infallible;

use touchline_core::{GenerationRequest, TextGenerator};

use crate::facts::{Flag, Foot, Measurement, Outcome, ShotFacts, Sport};

/// Writes the coaching text for its facts; the prompt it is given is
/// ignored (it exists so it can stand in for a model behind
/// [`TextGenerator`]).
///
/// ```
/// use touchline_coach::{Outcome, RuleCoach, ShotFacts, Sport};
/// let text = RuleCoach::new(ShotFacts::new(Sport::Basketball, Outcome::Make)).write();
/// assert!(text.starts_with("Bucket!"));
/// assert!(text.contains("## Drill"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RuleCoach {
    facts: ShotFacts,
    min_confidence: f64,
}

impl RuleCoach {
    /// A coach for these facts (measurements under confidence 0.3 are unreliable).
    pub fn new(facts: ShotFacts) -> Self {
        RuleCoach { facts, min_confidence: 0.3 }
    }

    /// The same with another confidence threshold.
    pub fn with_min_confidence(mut self, min_confidence: f64) -> Self {
        self.min_confidence = min_confidence;
        self
    }

    /// The facts it coaches.
    pub fn facts(&self) -> &ShotFacts {
        &self.facts
    }

    /// The coaching text (Markdown): opening, Verdict, Fix 1, Fix 2, Drill.
    pub fn write(&self) -> String {
        let f = &self.facts;
        let flagged = self.flagged();
        let unreliable: Vec<&Measurement> = f
            .measurements
            .iter()
            .filter(|m| m.effective_flag(self.min_confidence) == Flag::Unreliable)
            .collect();
        let mut fixes: Vec<String> = Vec::new();
        if let Some(m) = flagged.first() {
            fixes.push(fix_for(m, f.sport));
        }
        if flagged.len() > 1 {
            let mut s = fix_for(flagged[1], f.sport);
            for m in &flagged[2..] {
                s.push_str("\n\nAlso: ");
                s.push_str(&fix_for(m, f.sport));
            }
            fixes.push(s);
        }
        // then: after a miss what the outcome suggests, after a goal (or
        // unknown) a request to film so unreliable angles can be measured
        let film = unreliable.first().map(|m| {
            format!(
                "Film the next shot side-on, whole body in view and in good light: the {} could not be \
                 measured reliably this time.",
                m.label()
            )
        });
        let outcome = outcome_fix(f.outcome, f.sport);
        let rest: Vec<String> = if f.outcome.is_success() == Some(false) {
            [Some(outcome), film].into_iter().flatten().collect()
        } else {
            [film, Some(outcome)].into_iter().flatten().collect()
        };
        for r in rest {
            if fixes.len() < 2 {
                fixes.push(r);
            }
        }
        if fixes.len() < 2 {
            fixes.push("Repeat what worked: keep the same run-up and contact so it becomes a habit.".into());
        }
        let fixes: [&str; 2] =
            [fixes.first().map_or("", |s| s.as_str()), fixes.get(1).map_or("", |s| s.as_str())];
        format!(
            "{}\n\n## Verdict\n{}\n\n## Fix 1\n{}\n\n## Fix 2\n{}\n\n## Drill\n{}\n",
            self.opening(),
            self.verdict(&flagged, &unreliable),
            fixes[0],
            fixes[1],
            drill(flagged.first().copied(), f.outcome, f.sport)
        )
    }

    /// Measurements flagged low or high (and reliable), worst first.
    fn flagged(&self) -> Vec<&Measurement> {
        let mut v: Vec<&Measurement> = self
            .facts
            .measurements
            .iter()
            .filter(|m| matches!(m.effective_flag(self.min_confidence), Flag::Low | Flag::High))
            .collect();
        v.sort_by(|a, b| b.severity().total_cmp(&a.severity()));
        v
    }

    fn opening(&self) -> String {
        let f = &self.facts;
        let who = if f.shooter.trim().is_empty() { String::new() } else { format!(", {}", f.shooter.trim()) };
        match f.outcome {
            Outcome::Goal => format!("Goal! Great finish{who}, that one ended in the net."),
            Outcome::Make => format!("Bucket! Nice shot{who}, straight through the hoop."),
            Outcome::Saved => {
                format!(
                    "Good effort{who}: you made the goalkeeper work, and the next one can beat the keeper."
                )
            }
            Outcome::MissedWide => {
                format!("Unlucky{who}, just wide this time: the strike is there to build on.")
            }
            Outcome::Over => {
                format!("Close{who}, it cleared the crossbar: a small change keeps the next one down.")
            }
            Outcome::Rebound => format!("So close{who}, it came back off the frame: you are nearly there."),
            Outcome::Miss => {
                format!("Keep shooting{who}: this one did not drop, and the fixes below are small.")
            }
            Outcome::Unknown => format!("Let's look at the strike{who}."),
        }
    }

    fn verdict(&self, flagged: &[&Measurement], unreliable: &[&Measurement]) -> String {
        let f = &self.facts;
        let mut s = String::new();
        let what = match f.sport {
            Sport::Football => "shot",
            Sport::Basketball => "jump shot",
        };
        let foot = match (f.sport, f.foot) {
            (Sport::Football, Foot::Left | Foot::Right) => format!("{}-foot ", f.foot.as_str()),
            _ => String::new(),
        };
        let outcome = match f.outcome {
            Outcome::Goal => "that scored",
            Outcome::Make => "that went in",
            Outcome::Saved => "that was saved",
            Outcome::MissedWide => "that went wide",
            Outcome::Over => "that went over the bar",
            Outcome::Rebound => "that came back off the frame",
            Outcome::Miss => "that did not drop",
            Outcome::Unknown => "whose outcome was not measured",
        };
        s.push_str(&format!("A {foot}{what} {outcome}"));
        if let Some(sp) = f.speed {
            if sp.uncertainty_kmh > 0.0 {
                s.push_str(&format!(", at {:.0} km/h (±{:.0} km/h)", sp.kmh, sp.uncertainty_kmh));
            } else {
                s.push_str(&format!(", at {:.0} km/h", sp.kmh));
            }
        }
        s.push('.');
        let ok: Vec<String> = f
            .measurements
            .iter()
            .filter(|m| m.effective_flag(self.min_confidence) == Flag::Ok)
            .map(|m| m.label())
            .collect();
        if !ok.is_empty() {
            s.push_str(&format!(" In range: {}.", ok.join(", ")));
        }
        if !flagged.is_empty() {
            let names: Vec<String> = flagged.iter().map(|m| m.label()).collect();
            s.push_str(&format!(" Outside the good range: {}.", names.join(", ")));
        }
        if !unreliable.is_empty() {
            let names: Vec<String> = unreliable.iter().map(|m| m.label()).collect();
            s.push_str(&format!(" Not measured reliably: {}.", names.join(", ")));
        }
        if f.measurements.is_empty() {
            s.push_str(" No body measurements were available.");
        }
        s
    }
}

/// A fix for one flagged measurement: specific words for the measurements
/// touchline-pose reports, a generic sentence for any other name.
fn fix_for(m: &Measurement, sport: Sport) -> String {
    let low = m.effective_flag(0.0) == Flag::Low;
    let label = m.label();
    let range = m.range_text().map(|r| format!(" (good range {r})")).unwrap_or_default();
    let measured = format!("Your {label} was {}{range}.", m.value_text());
    let key = m.name.to_ascii_lowercase();
    let advice = match (key.as_str(), low, sport) {
        (k, true, _) if k.contains("knee") => {
            "Bend the kicking knee more on the backswing, then snap it \
             through: the lower leg is your whip."
        }
        (k, false, _) if k.contains("knee") => {
            "Keep the knee from folding too far: a shorter, faster \
             backswing keeps the contact clean."
        }
        (k, true, _) if k.contains("trunk") || k.contains("lean") => {
            "Lean into the shot a little more: \
             chest over the ball at contact keeps it low and driven."
        }
        (k, false, Sport::Football) if k.contains("trunk") || k.contains("lean") => {
            "Stay taller through \
             the strike: leaning back too far is what sends the ball high."
        }
        (k, true, _) if k.contains("hip") => {
            "Drive the hips through the ball: rotate them towards the \
             target as you strike."
        }
        (k, false, _) if k.contains("hip") => {
            "Control the hip swing: over-rotating pulls the ball across \
             the target."
        }
        (k, true, _) if k.contains("plant") => {
            "Plant the standing foot a little further from the ball so \
             the kicking leg has room to swing."
        }
        (k, false, _) if k.contains("plant") => {
            "Plant the standing foot closer to the ball, pointing at the \
             target."
        }
        (k, true, Sport::Basketball) if k.contains("elbow") => {
            "Extend the shooting elbow fully on release \
             and hold the follow-through."
        }
        (k, false, Sport::Basketball) if k.contains("elbow") => {
            "Tuck the shooting elbow under the ball \
             instead of flaring it out."
        }
        (_, true, _) => "Work on raising it towards the good range.",
        (_, false, _) => "Work on bringing it down into the good range.",
    };
    format!("{measured} {advice}")
}

fn outcome_fix(outcome: Outcome, sport: Sport) -> String {
    match (sport, outcome) {
        (_, Outcome::Saved) => {
            "Pick a corner before the run-up and keep your head still: placement beats the \
                                goalkeeper more often than power."
                .into()
        }
        (_, Outcome::MissedWide) => "Point the standing foot at the target and strike through the middle of \
                                     the ball."
            .into(),
        (_, Outcome::Over) => {
            "Keep the knee over the ball and strike the middle or upper half of it to keep \
                               the shot down."
                .into()
        }
        (_, Outcome::Rebound) => {
            "Aim a ball's width inside the post: the margin turns the frame into a goal.".into()
        }
        (Sport::Basketball, Outcome::Miss) => {
            "Shoot with more arc: a higher release gives the ball a bigger target at the rim.".into()
        }
        (Sport::Basketball, _) => "Keep the same release point and follow-through on every shot.".into(),
        (Sport::Football, _) => {
            "Keep your eyes on the ball through contact and land on the kicking foot.".into()
        }
    }
}

fn drill(first: Option<&Measurement>, outcome: Outcome, sport: Sport) -> String {
    let key = first.map(|m| m.name.to_ascii_lowercase()).unwrap_or_default();
    match sport {
        Sport::Basketball => {
            if key.contains("elbow") {
                "Form shooting: 5 sets of 10 one-hand shots from 1 m in front of the rim, elbow under the \
                 ball, holding the follow-through for a second."
                    .into()
            } else {
                "Around the key: 5 spots x 10 shots, counting makes, with the same release every time.".into()
            }
        }
        Sport::Football => {
            if key.contains("knee") {
                "Wall strikes: 3 sets of 10 shots against a wall from 8 m, slow run-up, a full knee bend on \
                 the backswing each time; film one set side-on to check."
                    .into()
            } else if key.contains("hip") {
                "Wall strikes: 3 sets of 10 shots against a wall from 8 m, turning the hips towards the wall \
                 through each strike; film one set side-on to check."
                    .into()
            } else if key.contains("plant") {
                "Cone plant: put a cone where the standing foot belongs, beside the ball; 3 sets of 8 shots \
                 hitting the cone mark every time."
                    .into()
            } else if key.contains("trunk") || key.contains("lean") || outcome == Outcome::Over {
                "Low drives: 3 sets of 10 shots aiming under a rope or bar stretched 1 m high, chest over \
                 the ball."
                    .into()
            } else {
                "Corners: 4 sets of 6 shots, aiming at targets hung in the two bottom corners.".into()
            }
        }
    }
}

impl TextGenerator for RuleCoach {
    type Error = Infallible;

    fn generate(&mut self, _request: &GenerationRequest) -> Result<String, Infallible> {
        Ok(self.write())
    }
}
