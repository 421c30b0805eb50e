//! The learner's progress: one JSON file per user, in the platform data folder
//! (or `$PODLEARN_HOME/progress.json`).
//!
//! The file is never lost: every change is a read-modify-write under an
//! exclusive lock on `progress.lock` (two podlearn processes at once keep each
//! other's updates), written to a temporary file in the same folder, synced,
//! then renamed over the old one. A corrupt file, or one from a newer podlearn,
//! is moved aside as `progress.json.bak-<unix time>` with a message, and the
//! learner continues with empty progress.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// The format of `progress.json` this podlearn writes.
pub const FORMAT_VERSION: u32 = 1;

/// The progress file's name in a learner's folder.
pub const FILE_NAME: &str = "progress.json";
const LOCK: &str = "progress.lock";

/// Everything podlearn remembers about one learner.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Progress {
    /// Ids of the lessons read.
    pub lessons_read: BTreeSet<String>,
    /// Exercise id -> when it first passed.
    pub exercises_passed: BTreeMap<String, PassRecord>,
    /// Exercise id -> how many hints were shown.
    pub hints_revealed: BTreeMap<String, u32>,
    /// Lesson id -> the last quiz result.
    pub quiz_scores: BTreeMap<String, QuizScore>,
    /// The lesson read most recently.
    pub last_lesson: Option<String>,
    /// The exercise the learner is working on (`podlearn check` with no id).
    pub current_exercise: Option<String>,
}

impl Progress {
    /// Nothing recorded yet: a new learner.
    pub fn is_empty(&self) -> bool {
        *self == Progress::default()
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PassRecord {
    /// Unix seconds.
    pub passed_at: u64,
    /// How long the check took.
    pub seconds: f64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuizScore {
    pub correct: u32,
    pub total: u32,
}

/// The file as stored: the version next to the progress.
#[derive(Serialize, Deserialize)]
struct Stored {
    format_version: u32,
    #[serde(flatten)]
    progress: Progress,
}

/// Where one learner's progress lives.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    file: PathBuf,
}

impl Store {
    /// The learner's store: `$PODLEARN_HOME`, else the platform data folder
    /// (`~/.local/share/podlearn` on Linux).
    pub fn open() -> anyhow::Result<Store> {
        let dir = crate::data_dir::data_dir()
            .context("Failed to find a folder to keep your progress in")?;
        Ok(Store::at(&dir))
    }

    /// A store in `dir` (the file is `dir/progress.json`).
    pub fn at(dir: &Path) -> Store {
        Store {
            dir: dir.to_path_buf(),
            file: dir.join(FILE_NAME),
        }
    }

    /// The progress file.
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// The progress as saved; empty when there is none yet. Does not create
    /// anything unless the file must be moved aside.
    pub fn load(&self) -> anyhow::Result<Progress> {
        match self.read()? {
            Read::Missing => Ok(Progress::default()),
            Read::Good(p) => Ok(p),
            // Move it aside under the lock, so two processes do not race.
            Read::Bad(_) => self.update(|p| p.clone()),
        }
    }

    /// Change the progress and save it, under the lock; returns what `f` returns.
    pub fn update<R>(&self, f: impl FnOnce(&mut Progress) -> R) -> anyhow::Result<R> {
        let _lock = self.lock()?;
        let mut progress = match self.read()? {
            Read::Missing => Progress::default(),
            Read::Good(p) => p,
            Read::Bad(why) => {
                self.move_aside(&why)?;
                Progress::default()
            }
        };
        let out = f(&mut progress);
        self.write(&progress)?;
        Ok(out)
    }

    /// Forget everything: the progress file is removed.
    pub fn reset(&self) -> anyhow::Result<()> {
        let _lock = self.lock()?;
        match fs::remove_file(&self.file) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e).with_context(|| format!("Failed to remove {}", self.file.display())),
        }
    }

    fn unwritable(&self) -> String {
        format!(
            "Failed to save your progress: podlearn cannot write to the folder {} (set PODLEARN_HOME to a folder you can write to)",
            self.dir.display()
        )
    }

    fn lock(&self) -> anyhow::Result<File> {
        fs::create_dir_all(&self.dir).with_context(|| self.unwritable())?;
        let path = self.dir.join(LOCK);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| self.unwritable())?;
        fs4::FileExt::lock(&file).with_context(|| format!("Failed to lock {}", path.display()))?;
        Ok(file)
    }

    fn read(&self) -> anyhow::Result<Read> {
        let bytes = match fs::read(&self.file) {
            Ok(b) => b,
            // A home that does not exist (yet) has no progress; writing will
            // say what is wrong with it.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                return Ok(Read::Missing);
            }
            Err(e) => {
                return Err(e).with_context(|| format!("Failed to read {}", self.file.display()));
            }
        };
        Ok(match parse(&bytes) {
            Ok(p) => Read::Good(p),
            Err(why) => Read::Bad(why),
        })
    }

    fn move_aside(&self, why: &str) -> anyhow::Result<()> {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut backup = self.dir.join(format!("{FILE_NAME}.bak-{secs}"));
        // Never overwrite an earlier backup made in the same second.
        let mut n = 1;
        while backup.exists() {
            backup = self.dir.join(format!("{FILE_NAME}.bak-{secs}-{n}"));
            n += 1;
        }
        fs::rename(&self.file, &backup).with_context(|| {
            format!(
                "Failed to move the unreadable progress file {} aside",
                self.file.display()
            )
        })?;
        eprintln!(
            "warning: your progress file {} could not be read ({why}).\n  It was moved to {} and podlearn continues with empty progress.",
            self.file.display(),
            backup.display()
        );
        Ok(())
    }

    fn write(&self, progress: &Progress) -> anyhow::Result<()> {
        let stored = Stored {
            format_version: FORMAT_VERSION,
            progress: progress.clone(),
        };
        let mut json = serde_json::to_vec_pretty(&stored).context("Failed to encode progress")?;
        json.push(b'\n');
        crate::atomic_file::write(&self.file, &json, true).with_context(|| self.unwritable())?;
        Ok(())
    }
}

/// Another learner's progress file as read (for `podlearn report`, which
/// changes nothing): the progress, or why it is not one.
pub fn parse_file_contents(bytes: &[u8]) -> Result<Progress, String> {
    parse(bytes).map_err(|why| format!("not a podlearn progress file: {why}"))
}

enum Read {
    Missing,
    Good(Progress),
    /// Unreadable, with why.
    Bad(String),
}

/// The progress in a file's bytes, or why there is none.
fn parse(bytes: &[u8]) -> Result<Progress, String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))?;
    match value.get("format_version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(FORMAT_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "it has format_version {v}, and this podlearn reads version {FORMAT_VERSION}"
            ));
        }
        None => return Err("it has no format_version".to_string()),
    }
    serde_json::from_value::<Stored>(value)
        .map(|s| s.progress)
        .map_err(|e| format!("unexpected content: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_then_load_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path());
        assert!(store.load().unwrap().is_empty());
        store
            .update(|p| {
                p.lessons_read.insert("a".into());
                p.quiz_scores.insert(
                    "a".into(),
                    QuizScore {
                        correct: 1,
                        total: 2,
                    },
                );
                p.exercises_passed.insert(
                    "e".into(),
                    PassRecord {
                        passed_at: 5,
                        seconds: 1.5,
                    },
                );
            })
            .unwrap();
        let p = store.load().unwrap();
        assert!(p.lessons_read.contains("a"));
        assert_eq!(p.quiz_scores["a"].total, 2);
        assert_eq!(p.exercises_passed["e"].seconds, 1.5);
        let text = fs::read_to_string(store.path()).unwrap();
        assert!(text.contains("\"format_version\": 1"), "{text}");
    }

    #[test]
    fn old_files_without_new_fields_load() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path());
        fs::write(
            store.path(),
            r#"{"format_version": 1, "lessons_read": ["x"]}"#,
        )
        .unwrap();
        let p = store.load().unwrap();
        assert!(p.lessons_read.contains("x") && p.quiz_scores.is_empty());
    }

    #[test]
    fn corrupt_file_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path());
        fs::write(store.path(), "{ not json").unwrap();
        assert!(store.load().unwrap().is_empty());
        assert!(!store.path().exists() || store.load().unwrap().is_empty());
        let backups: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("progress.json.bak-")
            })
            .collect();
        assert_eq!(backups.len(), 1);
        assert_eq!(fs::read_to_string(backups[0].path()).unwrap(), "{ not json");
    }

    #[test]
    fn newer_version_is_moved_aside_not_overwritten_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path());
        fs::write(store.path(), r#"{"format_version": 9}"#).unwrap();
        store.update(|p| p.lessons_read.insert("a".into())).unwrap();
        assert!(store.load().unwrap().lessons_read.contains("a"));
        assert!(fs::read_dir(dir.path()).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("progress.json.bak-")
        }));
    }

    #[test]
    fn backups_in_the_same_second_are_all_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path());
        for text in ["one", "two", "three"] {
            fs::write(store.path(), text).unwrap();
            store.load().unwrap();
        }
        let mut kept: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains(".bak-"))
            .map(|p| fs::read_to_string(p).unwrap())
            .collect();
        kept.sort();
        assert_eq!(kept, ["one", "three", "two"]);
    }

    #[test]
    fn reset_forgets() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path());
        store.update(|p| p.last_lesson = Some("a".into())).unwrap();
        store.reset().unwrap();
        assert!(store.load().unwrap().is_empty());
        store.reset().unwrap();
    }

    #[test]
    fn unwritable_folder_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain-file");
        fs::write(&file, "").unwrap();
        let store = Store::at(&file.join("sub"));
        let err = format!("{:#}", store.update(|_| ()).unwrap_err());
        assert!(err.contains("plain-file/sub"), "{err}");
    }

    #[test]
    fn threads_do_not_lose_updates() {
        let dir = tempfile::tempdir().unwrap();
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let store = Store::at(dir.path());
                std::thread::spawn(move || {
                    store
                        .update(|p| p.lessons_read.insert(format!("l{i}")))
                        .unwrap()
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(Store::at(dir.path()).load().unwrap().lessons_read.len(), 8);
    }
}
