//! The learner's workspace: the folder where exercise starters are written
//! and manifests are edited (`~/podlearn` unless `--workspace` or
//! `PODLEARN_WORKSPACE` says otherwise). What the learner achieved is kept
//! in `progress`, not here.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::exercise::Exercise;

/// The learner's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    pub dir: PathBuf,
    /// True when no folder was chosen (the command says where it wrote).
    pub is_default: bool,
}

impl Workspace {
    /// `--workspace` / `PODLEARN_WORKSPACE`, else `~/podlearn`.
    pub fn resolve(chosen: Option<&Path>) -> Self {
        match chosen {
            Some(dir) => Workspace {
                dir: dir.to_path_buf(),
                is_default: false,
            },
            None => Workspace {
                dir: default_dir(),
                is_default: true,
            },
        }
    }

    /// Where the learner's manifest for exercise `id` lives.
    pub fn manifest_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.yaml"))
    }

    /// Write the starter of `ex` unless the learner already has a file there
    /// (their work is never overwritten). Returns the path and whether it was written.
    pub fn write_starter(&self, ex: &Exercise) -> anyhow::Result<(PathBuf, bool)> {
        let path = self.manifest_path(&ex.id);
        if path.exists() {
            return Ok((path, false));
        }
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("Failed to create the workspace {}", self.dir.display()))?;
        std::fs::write(&path, &ex.starter)
            .with_context(|| format!("Failed to write {}", path.display()))?;
        Ok((path, true))
    }
}

fn default_dir() -> PathBuf {
    directories::UserDirs::new()
        .map(|u| u.home_dir().join("podlearn"))
        .unwrap_or_else(|| PathBuf::from("podlearn"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_folder_wins_and_default_is_home_podlearn() {
        let w = Workspace::resolve(Some(Path::new("/tmp/ws")));
        assert_eq!(w.manifest_path("x"), PathBuf::from("/tmp/ws/x.yaml"));
        assert!(!w.is_default);
        let d = Workspace::resolve(None);
        assert!(d.is_default && d.dir.ends_with("podlearn"));
    }
}
