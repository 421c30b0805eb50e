//! The learner's workspace: the folder where exercise starters are written
//! and manifests are edited (`~/podlearn` unless `--workspace` or
//! `PODLEARN_WORKSPACE` says otherwise), and the little the grader records
//! about exercises: which one is current, which passed, how many hints were seen.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

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

    fn record_path(&self) -> PathBuf {
        self.dir.join(".podlearn-exercises.json")
    }

    /// What the grader recorded in this workspace.
    pub fn record(&self) -> Record {
        std::fs::read_to_string(self.record_path())
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// Change the record and save it (atomically: write, then rename).
    pub fn update_record(&self, f: impl FnOnce(&mut Record)) -> anyhow::Result<Record> {
        let mut r = self.record();
        f(&mut r);
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("Failed to create the workspace {}", self.dir.display()))?;
        let tmp = self.dir.join(".podlearn-exercises.json.tmp");
        std::fs::write(&tmp, serde_json::to_string_pretty(&r)?)
            .with_context(|| format!("Failed to write {}", tmp.display()))?;
        std::fs::rename(&tmp, self.record_path())
            .with_context(|| format!("Failed to save {}", self.record_path().display()))?;
        Ok(r)
    }
}

/// The exercise part of the learner's progress.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    #[serde(default)]
    pub current_exercise: Option<String>,
    /// Exercise id -> seconds the passing check took.
    #[serde(default)]
    pub passed: BTreeMap<String, f64>,
    #[serde(default)]
    pub hints_revealed: BTreeMap<String, u32>,
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

    #[test]
    fn record_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let w = Workspace::resolve(Some(dir.path()));
        w.update_record(|r| {
            r.passed.insert("a".into(), 1.5);
            r.hints_revealed.insert("a".into(), 2);
        })
        .unwrap();
        assert_eq!(w.record().passed["a"], 1.5);
        assert_eq!(w.record().hints_revealed["a"], 2);
    }
}
