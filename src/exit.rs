//! Exit codes and the two kinds of failure a command can end with.
//!
//! podlearn follows one rule everywhere (like ripgrep and rustlings):
//! `0` the command did what was asked (a check passed, a manifest is valid),
//! `1` the learner's input or work is at fault (a failed check, an invalid
//! manifest, an unknown lesson), `2` the tool or the engine failed (Docker is
//! unreachable, a file cannot be read or written).
//!
//! Commands return `anyhow::Result<Outcome>`. An `Err` is exit 2 unless it
//! wraps a [`LearnerError`], which is exit 1.

use std::fmt;

/// What a command that ran to its end reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything asked for is true: exit 0.
    Success,
    /// The learner's manifest or work did not pass: exit 1. The command has
    /// already printed why.
    Failed,
}

impl Outcome {
    /// `Success` when `ok`, else `Failed`.
    pub fn from_bool(ok: bool) -> Self {
        if ok {
            Outcome::Success
        } else {
            Outcome::Failed
        }
    }

    pub fn code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Failed => 1,
        }
    }
}

/// A mistake in what the learner asked for (an unknown lesson id, a missing
/// exercise): printed as an error and mapped to exit code 1, not 2.
#[derive(Debug)]
pub struct LearnerError(pub String);

impl fmt::Display for LearnerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LearnerError {}

/// Shorthand: `return Err(learner_error(format!(...)))`.
pub fn learner_error(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(LearnerError(message.into()))
}

/// The exit code for an error that ended a command.
pub fn code_for_error(err: &anyhow::Error) -> u8 {
    if err.downcast_ref::<LearnerError>().is_some() {
        1
    } else {
        2
    }
}
