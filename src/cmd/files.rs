//! `podlearn files`: write a lesson's example files (its ```` file= ```` code
//! blocks) into a folder. A file the learner already changed is never
//! overwritten: only new or identical files are written.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::FilesArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;
use crate::markdown;

/// Where `podlearn files` writes when no `--dir` is given.
pub const DEFAULT_DIR: &str = "./podlearn-files";

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    New,
    Unchanged,
    /// A different file is there already; it was kept.
    KeptYours,
}

pub fn run(ctx: &Ctx, args: FilesArgs) -> anyhow::Result<Outcome> {
    let course = super::lesson::course(ctx)?;
    let (index, lesson) = course.find(&args.lesson)?;
    let md = course.markdown(lesson)?;
    let files: Vec<_> = markdown::code_blocks(&md)
        .into_iter()
        .filter_map(|c| c.file.clone().map(|f| (f, c.code)))
        .collect();
    let style = ctx.color.out();
    if files.is_empty() {
        println!(
            "Lesson {} ({}) has no example files.",
            index + 1,
            lesson.title
        );
        return Ok(Outcome::Success);
    }
    let dir = args.dir.unwrap_or_else(|| PathBuf::from(DEFAULT_DIR));
    fs::create_dir_all(&dir)
        .with_context(|| format!("Failed to create the folder {}", dir.display()))?;
    let mut written = Vec::new();
    for (name, code) in &files {
        let rel = safe_name(name).with_context(|| {
            format!(
                "{}: the code block `file={name}` must name a file inside the folder (no `..`, no absolute path)",
                course.source.display_path(&crate::course::Course::lesson_path(&lesson.file))
            )
        })?;
        let path = dir.join(rel);
        let what = write_file(&path, code)?;
        let note = match what {
            Written::New => style.ok("written"),
            Written::Unchanged => style.dim("unchanged"),
            Written::KeptYours => style.warn(
                "kept yours: it differs from the lesson's; delete it to get the lesson's version",
            ),
        };
        println!("  {}  {note}", path.display());
        written.push(path);
    }
    let first = written
        .iter()
        .find(|p| {
            p.extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .unwrap_or(&written[0]);
    println!(
        "\nNext: {}",
        style.command(&format!("podlearn run {}", first.display()))
    );
    Ok(Outcome::Success)
}

/// A relative path of plain names only.
fn safe_name(name: &str) -> Option<&Path> {
    crate::course::is_plain_relative(name).then_some(Path::new(name))
}

fn write_file(path: &Path, code: &str) -> anyhow::Result<Written> {
    match fs::read(path) {
        Ok(existing) if existing == code.as_bytes() => return Ok(Written::Unchanged),
        Ok(_) => return Ok(Written::KeptYours),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("Failed to read {}", path.display())),
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("Failed to create the folder {}", parent.display()))?;
    }
    fs::write(path, code).with_context(|| format!("Failed to write {}", path.display()))?;
    Ok(Written::New)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_names_are_safe() {
        assert!(safe_name("pod.yaml").is_some());
        assert!(safe_name("sub/pod.yaml").is_some());
        assert!(safe_name("../pod.yaml").is_none());
        assert!(safe_name("/etc/passwd").is_none());
        assert!(safe_name("").is_none());
    }

    #[test]
    fn never_overwrites_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        assert_eq!(write_file(&path, "a: 1\n").unwrap(), Written::New);
        assert_eq!(write_file(&path, "a: 1\n").unwrap(), Written::Unchanged);
        fs::write(&path, "a: 2\n").unwrap();
        assert_eq!(write_file(&path, "a: 1\n").unwrap(), Written::KeptYours);
        assert_eq!(fs::read_to_string(&path).unwrap(), "a: 2\n");
    }
}
