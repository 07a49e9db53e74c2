//! Typed errors of the coach.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One reason a generated answer was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Violation {
    /// The answer is empty.
    Empty,
    /// No opening sentence before the first section.
    MissingOpening,
    /// A required section is absent (`Verdict`, `Fix` (twice) or `Drill`).
    MissingSection {
        /// Which one, e.g. `"Fix 2"`.
        section: String,
    },
    /// Sections present but not in the order Verdict, Fix, Fix, Drill.
    SectionsOutOfOrder {
        /// The order found.
        found: Vec<String>,
    },
    /// A section has a heading but no text.
    EmptySection {
        /// Which one.
        section: String,
    },
    /// Calls the measured outcome something else (a miss a goal, a goal a miss).
    OutcomeContradiction {
        /// What the facts say.
        measured: String,
        /// The phrase that claims otherwise.
        phrase: String,
    },
    /// Names the other foot as the shooting foot.
    WrongFoot {
        /// The measured shooting foot.
        measured: String,
        /// The phrase naming the other one.
        phrase: String,
    },
    /// States a ball speed far from the measured one.
    SpeedContradiction {
        /// Measured km/h.
        measured_kmh: f64,
        /// Stated km/h.
        stated_kmh: f64,
        /// Largest accepted difference, km/h.
        tolerance_kmh: f64,
    },
    /// States a ball speed although none was measured.
    InventedSpeed {
        /// Stated km/h.
        stated_kmh: f64,
    },
    /// Praises a measurement flagged low or high as good.
    FlaggedPraised {
        /// The measurement's name.
        measurement: String,
        /// Its flag (`low`/`high`).
        flag: String,
        /// The sentence praising it.
        sentence: String,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Empty => write!(f, "the answer is empty"),
            Violation::MissingOpening => {
                write!(f, "there is no opening sentence before the Verdict section")
            }
            Violation::MissingSection { section } => write!(f, "the section \"{section}\" is missing"),
            Violation::SectionsOutOfOrder { found } => write!(
                f,
                "the sections must be Verdict, Fix, Fix, Drill in this order; found {}",
                found.join(", ")
            ),
            Violation::EmptySection { section } => write!(f, "the section \"{section}\" is empty"),
            Violation::OutcomeContradiction { measured, phrase } => {
                write!(f, "\"{phrase}\" contradicts the measured outcome ({measured})")
            }
            Violation::WrongFoot { measured, phrase } => {
                write!(f, "\"{phrase}\" names the wrong foot: the shot was struck with the {measured} foot")
            }
            Violation::SpeedContradiction { measured_kmh, stated_kmh, tolerance_kmh } => write!(
                f,
                "the answer states {stated_kmh:.0} km/h but the measured speed is {measured_kmh:.0} km/h \
                 (accepted within ±{tolerance_kmh:.0} km/h)"
            ),
            Violation::InventedSpeed { stated_kmh } => {
                write!(f, "the answer states {stated_kmh:.0} km/h but no ball speed was measured")
            }
            Violation::FlaggedPraised { measurement, flag, sentence } => write!(
                f,
                "\"{sentence}\" praises the {measurement}, which was measured {flag} (outside its good range)"
            ),
        }
    }
}

/// Errors of the OpenAI-compatible chat client.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// The configuration is unusable (empty model name, bad URL).
    #[error("invalid chat configuration: {0}")]
    Config(String),
    /// The server answered with a non-success status.
    #[error("{url} answered HTTP {status}: {body}")]
    Status {
        /// Endpoint.
        url: String,
        /// HTTP status.
        status: u16,
        /// Start of the response body (the server's error message).
        body: String,
    },
    /// No answer within the configured time.
    #[error("{url} did not answer in time ({detail})")]
    Timeout {
        /// Endpoint.
        url: String,
        /// Which timeout fired.
        detail: String,
    },
    /// Connection refused, reset or closed early.
    #[error("cannot reach {url}: {detail}")]
    Connection {
        /// Endpoint.
        url: String,
        /// What failed.
        detail: String,
    },
    /// The answer is not the chat-completions JSON (or SSE) we expect.
    #[error("malformed answer from {url}: {detail} (body starts: {body:?})")]
    Malformed {
        /// Endpoint.
        url: String,
        /// What is wrong.
        detail: String,
        /// Start of the offending body or event.
        body: String,
    },
    /// Every attempt failed with a retryable error.
    #[error("{attempts} attempts failed; last error: {last}")]
    RetriesExhausted {
        /// Attempts made.
        attempts: u32,
        /// The last error.
        last: Box<ChatError>,
    },
}

impl ChatError {
    /// Whether another attempt may succeed (5xx, connection errors).
    pub fn is_retryable(&self) -> bool {
        match self {
            ChatError::Status { status, .. } => *status >= 500,
            ChatError::Connection { .. } => true,
            _ => false,
        }
    }
}

/// Errors of the coach pipeline.
#[derive(Debug, thiserror::Error)]
pub enum CoachError {
    /// The facts are unusable.
    #[error("invalid shot facts: {field}: {reason}")]
    InvalidFacts {
        /// Field path, e.g. `measurements[2].confidence`.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A prompt template is malformed.
    #[error("prompt template {name}: {reason}")]
    Template {
        /// Template name or version.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The text generator failed.
    #[error("text generator failed: {0}")]
    Generator(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// Every answer contradicted the facts or broke the format.
    #[error("the coach's answer was rejected after {attempts} attempts: {}", join(.reasons))]
    Rejected {
        /// Attempts made (the first plus the retry).
        attempts: u32,
        /// Why the last answer was rejected.
        reasons: Vec<Violation>,
        /// The last answer, for the user to read or log.
        last_text: String,
    },
}

fn join(v: &[Violation]) -> String {
    v.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("; ")
}
