//! podlearn's data folder, decided in one place: `$PODLEARN_HOME` when it is
//! set and not empty, else the platform's data folder for podlearn
//! (`~/.local/share/podlearn` on Linux). Progress, the status of detached
//! pods, run snapshots and supervisor logs all live below it.

use std::path::PathBuf;

use anyhow::Context;

/// This user's folder for what every podlearn process on this machine must
/// share whatever its data folder: locks and deletion markers about objects
/// on the engine (a learner's network, a pod being deleted). Two terminals
/// with different `PODLEARN_HOME`s still drive one engine. Not created here.
pub fn machine_dir() -> PathBuf {
    let uid = rustix::process::getuid().as_raw();
    std::env::temp_dir().join(format!("podlearn-{uid}"))
}

/// The data folder (not created here).
pub fn data_dir() -> anyhow::Result<PathBuf> {
    if let Some(h) = std::env::var_os("PODLEARN_HOME").filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(h));
    }
    directories::ProjectDirs::from("", "", "podlearn")
        .map(|d| d.data_dir().to_path_buf())
        .context(
            "Failed to find a home folder for podlearn; set PODLEARN_HOME to a folder podlearn may write to",
        )
}
