//! podlearn: a terminal course that teaches Kubernetes Pods by running them on
//! the local Docker engine the way a kubelet would.
//!
//! See the README's architecture section for how the modules fit together.

pub mod cli;
pub mod cmd;
pub mod content;
pub mod exit;
pub mod hosts;
pub mod manifest;
pub mod phase;
pub mod podenv;
pub mod probe;
pub mod render;
pub mod restart;
pub mod runtime;
pub mod status;
pub mod term;

#[cfg(test)]
mod fixtures;
