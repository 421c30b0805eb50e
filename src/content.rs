//! Where course files come from: built into the binary (the default, so an
//! installed podlearn works anywhere, offline) or an instructor's folder given
//! with `--course DIR` / `PODLEARN_COURSE`, laid out the same way:
//!
//! ```text
//! DIR/lessons/index.toml   DIR/lessons/*.md   DIR/exercises/<id>/...
//! ```

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "lessons/"]
struct BuiltInLessons;

#[derive(Embed)]
#[folder = "exercises/"]
struct BuiltInExercises;

/// The course's files, wherever they live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentSource {
    BuiltIn,
    Dir(PathBuf),
}

impl ContentSource {
    /// The built-in course, or the folder given with `--course`.
    pub fn new(course_dir: Option<&Path>) -> Self {
        match course_dir {
            Some(dir) => ContentSource::Dir(dir.to_path_buf()),
            None => ContentSource::BuiltIn,
        }
    }

    /// For messages: "the built-in course" or "the course in DIR".
    pub fn describe(&self) -> String {
        match self {
            ContentSource::BuiltIn => "the built-in course".to_string(),
            ContentSource::Dir(dir) => format!("the course in {}", dir.display()),
        }
    }

    /// The file at `rel` (e.g. `lessons/index.toml`), or `None` if there is none.
    pub fn get(&self, rel: &str) -> anyhow::Result<Option<Cow<'static, [u8]>>> {
        match self {
            ContentSource::BuiltIn => Ok(builtin(rel)),
            ContentSource::Dir(dir) => {
                let path = dir.join(rel);
                match std::fs::read(&path) {
                    Ok(bytes) => Ok(Some(Cow::Owned(bytes))),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e).with_context(|| format!("Failed to read {}", path.display())),
                }
            }
        }
    }

    /// The text of the file at `rel`; an error names the file when it is missing
    /// or not UTF-8.
    pub fn read_to_string(&self, rel: &str) -> anyhow::Result<String> {
        let Some(bytes) = self.get(rel)? else {
            bail!("{} has no file {rel}", self.describe());
        };
        String::from_utf8(bytes.into_owned())
            .with_context(|| format!("{rel} in {} is not UTF-8 text", self.describe()))
    }

    /// A path to show the learner for `rel`: the real path for a folder course,
    /// `lessons/...` for the built-in one.
    pub fn display_path(&self, rel: &str) -> String {
        match self {
            ContentSource::BuiltIn => rel.to_string(),
            ContentSource::Dir(dir) => dir.join(rel).display().to_string(),
        }
    }

    /// Every file below the folder `dir` (`exercises`), as paths relative to the
    /// course root, sorted.
    pub fn list(&self, dir: &str) -> anyhow::Result<Vec<String>> {
        let dir = dir.trim_end_matches('/');
        let mut files: Vec<String> = match self {
            ContentSource::BuiltIn => match dir.split_once('/').map_or(dir, |(top, _)| top) {
                "lessons" => BuiltInLessons::iter()
                    .map(|f| format!("lessons/{f}"))
                    .collect(),
                "exercises" => BuiltInExercises::iter()
                    .map(|f| format!("exercises/{f}"))
                    .collect(),
                _ => Vec::new(),
            }
            .into_iter()
            .filter(|f| f.starts_with(&format!("{dir}/")))
            .collect(),
            ContentSource::Dir(root) => {
                let mut out = Vec::new();
                walk(root, &root.join(dir), &mut out)?;
                out
            }
        };
        files.sort();
        Ok(files)
    }
}

fn builtin(rel: &str) -> Option<Cow<'static, [u8]>> {
    if let Some(rest) = rel.strip_prefix("lessons/") {
        BuiltInLessons::get(rest).map(|f| f.data)
    } else if let Some(rest) = rel.strip_prefix("exercises/") {
        BuiltInExercises::get(rest).map(|f| f.data)
    } else {
        None
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> anyhow::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(e).with_context(|| format!("Failed to read the folder {}", dir.display()));
        }
    };
    for entry in entries {
        let entry =
            entry.with_context(|| format!("Failed to read the folder {}", dir.display()))?;
        let path = entry.path();
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_course_has_its_index() {
        let src = ContentSource::BuiltIn;
        let index = src.read_to_string("lessons/index.toml").unwrap();
        assert!(index.contains("format_version"));
        assert!(
            src.list("lessons")
                .unwrap()
                .contains(&"lessons/index.toml".to_string())
        );
        assert!(src.get("lessons/no-such-file.md").unwrap().is_none());
    }

    #[test]
    fn folder_course_reads_files_and_names_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("exercises/one")).unwrap();
        std::fs::write(dir.path().join("exercises/one/exercise.toml"), "x = 1").unwrap();
        let src = ContentSource::Dir(dir.path().to_path_buf());
        assert_eq!(
            src.list("exercises").unwrap(),
            vec!["exercises/one/exercise.toml".to_string()]
        );
        let err = src
            .read_to_string("lessons/index.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("has no file lessons/index.toml"), "{err}");
    }
}
