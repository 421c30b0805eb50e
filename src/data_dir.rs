//! podlearn's data folder, decided in one place: `$PODLEARN_HOME` when it is
//! set and not empty, else the platform's data folder for podlearn
//! (`~/.local/share/podlearn` on Linux). Progress, the status of detached
//! pods, run snapshots and supervisor logs all live below it.

use std::path::PathBuf;

use anyhow::Context;

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
