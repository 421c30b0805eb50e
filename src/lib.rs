//! podlearn: a terminal course that teaches Kubernetes Pods by running them on
//! the local Docker engine the way a kubelet would.
//!
//! See the README's architecture section for how the modules fit together.

mod atomic_file;
mod background;
pub mod check;
pub mod cli;
pub mod cluster;
pub mod cmd;
pub mod content;
pub mod course;
mod data_dir;
pub mod exercise;
pub mod exit;
pub mod grade;
pub mod home;
pub mod hosts;
pub mod manifest;
pub mod markdown;
pub mod node;
pub mod pager;
pub mod phase;
pub mod podenv;
pub mod probe;
pub mod progress;
mod random;
pub mod render;
pub mod report;
pub mod restart;
pub mod roster;
pub mod runtime;
pub mod status;
pub mod term;
pub mod workspace;

#[cfg(test)]
mod fixtures;
