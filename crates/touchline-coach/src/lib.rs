//! # touchline-coach
//!
//! Grounded coaching text for one measured shot.
//!
//! - [`ShotFacts`]: the plain, serde-able input (sport, outcome, shooter,
//!   foot, ball speed with its uncertainty, body measurements with flags).
//!   It depends on nothing else in Touchline: map any ball tracker's or pose
//!   model's output into it.
//! - [`PromptBuilder`] + [`Template`]: the facts go into a versioned prompt
//!   (data: `templates/shot_v1.json`) as facts the model must not
//!   contradict; low-confidence measurements are marked unreliable and
//!   their values withheld. The answer must open by celebrating a goal (or
//!   a make) or encouraging after a miss, then `Verdict`, `Fix`, `Fix`,
//!   `Drill`.
//! - [`validate()`] / [`Validator`]: parses those sections and rejects
//!   answers that contradict the facts (outcome, foot, speed, a flagged
//!   angle praised) with typed [`Violation`]s.
//! - Generators ([`touchline_core::TextGenerator`]): [`ChatClient`]
//!   (OpenAI-compatible chat completions: llama.cpp server, Ollama, vLLM;
//!   streaming, image input, timeouts, retries) and [`RuleCoach`]
//!   (offline, deterministic, the default).
//! - [`coach`] ties them: build, generate, validate, one retry with the
//!   reasons appended, then [`CoachError::Rejected`] with the reasons and
//!   the last text.
//!
//! End to end with the offline coach:
//!
//! ```
//! use touchline_coach::{coach, Flag, Foot, Measurement, Outcome, RuleCoach, ShotFacts, Speed, Sport};
//!
//! let facts = ShotFacts {
//!     sport: Sport::Football,
//!     outcome: Outcome::Goal,
//!     shooter: "player 8".into(),
//!     foot: Foot::Right,
//!     speed: Some(Speed { kmh: 96.0, uncertainty_kmh: 7.0 }),
//!     measurements: vec![
//!         Measurement::degrees("knee_flexion", 58.0, 0.9, [70.0, 110.0], Flag::Low),
//!         Measurement::degrees("trunk_lean", 14.0, 0.8, [0.0, 20.0], Flag::Ok),
//!         Measurement::degrees("hip_drive", 35.0, 0.2, [20.0, 50.0], Flag::Ok), // low confidence
//!     ],
//! };
//! let mut offline = RuleCoach::new(facts.clone());
//! let out = coach(&facts, &mut offline)?;
//! assert!(out.sections.opening.starts_with("Goal!"));
//! assert!(out.sections.fixes[0].contains("knee flexion was 58°"));
//! assert!(out.sections.verdict.contains("Not measured reliably: hip drive"));
//! assert_eq!(out.template_version, "shot_v1");
//! assert_eq!(out.attempts, 1);
//! assert!(out.to_markdown().ends_with("<!-- touchline-coach template shot_v1, 1 attempt(s) -->\n"));
//! # Ok::<(), touchline_coach::CoachError>(())
//! ```
//!
//! With a local model instead (`llama-server -m model.gguf --port 8080`, or
//! Ollama), keep the same call and pass a [`ChatClient`]; see
//! `docs/coaching.md`.

pub mod chat;
pub mod error;
pub mod facts;
pub mod prompt;
pub mod rule;
pub mod validate;

use serde::{Deserialize, Serialize};
use touchline_core::{GenerationRequest, TextGenerator};

pub use chat::{ChatClient, ChatConfig, TokenCallback};
pub use error::{ChatError, CoachError, Violation};
pub use facts::{Flag, Foot, Measurement, Outcome, ShotFacts, Speed, Sport};
pub use prompt::{Openings, Prompt, PromptBuilder, SHOT_V1_JSON, Template};
pub use rule::RuleCoach;
pub use validate::{Sections, Validator, parse_sections, stated_speeds, validate};

/// An accepted coaching answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coaching {
    /// The answer as generated.
    pub text: String,
    /// Its parsed sections.
    pub sections: Sections,
    /// The prompt template version it answered.
    pub template_version: String,
    /// Generations used (1, or 2 after a retry).
    pub attempts: u32,
}

impl Coaching {
    /// The text with a trailing comment naming the template version (for `coaching.md`).
    pub fn to_markdown(&self) -> String {
        format!(
            "{}\n\n<!-- touchline-coach template {}, {} attempt(s) -->\n",
            self.text.trim_end(),
            self.template_version,
            self.attempts
        )
    }
}

/// The pipeline's settings: prompt builder, validator, generation limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Coach {
    /// Builds the prompt.
    pub builder: PromptBuilder,
    /// Checks the answers.
    pub validator: Validator,
    /// Passed to the generator.
    pub max_tokens: u32,
    /// Passed to the generator.
    pub temperature: f32,
    /// Generations before giving up (2: the first and one retry).
    pub max_attempts: u32,
}

impl Default for Coach {
    fn default() -> Self {
        Coach {
            builder: PromptBuilder::default(),
            validator: Validator::default(),
            max_tokens: 600,
            temperature: 0.2,
            max_attempts: 2,
        }
    }
}

impl Coach {
    /// Builds the prompt, generates, validates; after a rejected answer
    /// retries with the reasons appended, up to `max_attempts` in all.
    pub fn run<G: TextGenerator + ?Sized>(
        &self,
        facts: &ShotFacts,
        generator: &mut G,
    ) -> Result<Coaching, CoachError> {
        let base = self.builder.build(facts)?;
        let mut prompt = base.clone();
        let attempts = self.max_attempts.max(1);
        let mut k = 0;
        loop {
            k += 1;
            let request: GenerationRequest = prompt.request(self.max_tokens, self.temperature);
            let text = generator.generate(&request).map_err(|e| CoachError::Generator(Box::new(e)))?;
            match self.validator.validate(&text, facts) {
                Ok(sections) => {
                    return Ok(Coaching {
                        text,
                        sections,
                        template_version: base.template_version,
                        attempts: k,
                    });
                }
                Err(reasons) if k < attempts => prompt = self.builder.retry(&base, &reasons),
                Err(reasons) => return Err(CoachError::Rejected { attempts: k, reasons, last_text: text }),
            }
        }
    }
}

/// [`Coach::run`] with the default settings.
pub fn coach<G: TextGenerator + ?Sized>(
    facts: &ShotFacts,
    generator: &mut G,
) -> Result<Coaching, CoachError> {
    Coach::default().run(facts, generator)
}

/// The generator to use: a chat server when one is configured, else the
/// offline [`RuleCoach`].
#[derive(Debug)]
pub enum CoachBackend {
    /// Offline rules.
    Rule(RuleCoach),
    /// An OpenAI-compatible server.
    Chat(ChatClient),
}

impl CoachBackend {
    /// `Chat` for `Some(config)`, else `Rule` over `facts`.
    pub fn new(facts: &ShotFacts, server: Option<ChatConfig>) -> Result<Self, ChatError> {
        Ok(match server {
            Some(c) => CoachBackend::Chat(ChatClient::new(c)?),
            None => CoachBackend::Rule(RuleCoach::new(facts.clone())),
        })
    }
}

impl TextGenerator for CoachBackend {
    type Error = ChatError;

    fn generate(&mut self, request: &GenerationRequest) -> Result<String, ChatError> {
        match self {
            CoachBackend::Rule(r) => Ok(r.write()),
            CoachBackend::Chat(c) => c.chat(request),
        }
    }
}
