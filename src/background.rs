//! podlearn started again as a background process (a detached pod's
//! supervisor, the learner's node): detached from the terminal, its stderr
//! kept in a log file.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::Context;

/// This podlearn executable, as a command to add arguments to.
pub fn podlearn() -> anyhow::Result<Command> {
    let exe = std::env::current_exe().context("finding the podlearn executable")?;
    Ok(Command::new(exe))
}

/// Start `cmd` in the background: no terminal input or output, its stderr
/// into `log` (nowhere if that file cannot be made), and its own process
/// group, so the terminal's Ctrl-C does not reach it. `what` names it in
/// the error.
pub fn spawn(mut cmd: Command, log: &Path, what: &str) -> anyhow::Result<Child> {
    let stderr = std::fs::File::create(log)
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null());
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .process_group(0)
        .spawn()
        .with_context(|| format!("starting {what}"))
}
