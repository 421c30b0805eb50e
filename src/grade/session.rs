//! Grading a manifest file end to end, as `check`, `watch`, `start` and
//! `verify` do: read it, validate it (errors stop here), pick its Pod, grade.

use std::io::Write;
use std::path::Path;

use super::engine::{self, EngineLauncher};
use super::{GradeOptions, Launcher, grade};
use crate::exercise::Exercise;
use crate::exit::learner_error;
use crate::manifest::model::Resource;
use crate::report::GradeReport;
use crate::term::Style;

/// How grading a manifest ended, short of an engine failure.
#[derive(Debug)]
pub enum Graded {
    /// The manifest did not validate; the diagnostics were written out.
    Invalid,
    Report(GradeReport),
}

/// Read the learner's manifest: a missing or empty file is the learner's
/// mistake (exit 1) with what to do about it.
pub fn read_manifest(path: &Path, exercise_id: &str) -> anyhow::Result<String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(learner_error(format!(
                "There is no manifest at {}.\nRun `podlearn exercise {exercise_id}` to write the starter there, or give another file with --file.",
                path.display()
            )));
        }
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("Failed to read {}", path.display())));
        }
    };
    if text.trim().is_empty() {
        return Err(learner_error(format!(
            "{} is empty: write a Pod manifest there (`podlearn exercise {exercise_id}` shows the task).",
            path.display()
        )));
    }
    Ok(text)
}

/// Validate `text` (named `file` in messages; diagnostics go to `diag`), then
/// grade its one Pod with `launcher`, or the whole manifest when the
/// exercise names its Pods (`pod = "..."`) or checks Services and controllers.
pub async fn grade_text<L: Launcher>(
    exercise: &Exercise,
    file: &str,
    text: &str,
    launcher: &L,
    opts: &GradeOptions,
    diag: (Style, &mut dyn Write),
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<Graded> {
    let (style, w) = diag;
    let manifest = engine::load_manifest(file, text, opts.allow_host_access, style, w)?;
    if manifest.has_errors {
        return Ok(Graded::Invalid);
    }
    if exercise.is_multi() {
        let report = launcher
            .grade_objects(exercise, &manifest.objects, opts, progress)
            .await?;
        return Ok(Graded::Report(report));
    }
    let pods = manifest.pods();
    let pod = match pods.as_slice() {
        [pod] => (*pod).clone(),
        [] => {
            return Err(learner_error(format!(
                "{file} has no Pod: exercise {} grades one Pod (kind: Pod).",
                exercise.id
            )));
        }
        _ => {
            return Err(learner_error(format!(
                "{file} has {} Pods: exercise {} grades exactly one.",
                pods.len(),
                exercise.id
            )));
        }
    };
    let others: Vec<_> = manifest
        .objects
        .iter()
        .filter(|o| !matches!(o.resource, Resource::Pod(_)))
        .cloned()
        .collect();
    let report = grade(exercise, &pod, &others, launcher, opts, progress).await?;
    Ok(Graded::Report(report))
}

/// Connect to the engine once for a command, with its runtime options
/// (`--image` mappings, host access).
pub async fn connect(opts: crate::runtime::RunOptions) -> anyhow::Result<EngineLauncher> {
    EngineLauncher::connect(opts).await
}
