//! `exercise.toml`, read strictly: unknown keys, wrong types and broken
//! references are errors that name the file, the line and what to write
//! instead. The format is documented in `book/src/author/exercise-format.md`.

use std::ops::Range;

use serde::Deserialize;

use super::{Exercise, Inject, WrongAnswer};
use crate::check::{Check, CheckSpec, TextMatch};
use crate::grade::POD_NAME_TOKEN;

/// The version of the format this podlearn reads.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExercise {
    format_version: toml::Spanned<u32>,
    title: String,
    lesson: String,
    #[serde(default)]
    order: u32,
    #[serde(default)]
    time_scale: Option<f64>,
    hints: Vec<String>,
    #[serde(default)]
    inject: Vec<toml::Spanned<Inject>>,
    #[serde(default, rename = "check")]
    checks: Vec<toml::Spanned<toml::Table>>,
    #[serde(default)]
    wrong: Vec<toml::Spanned<RawWrong>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWrong {
    file: String,
    fails: String,
    message: String,
}

/// A problem in an exercise's files, for its author.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct FormatError {
    pub file: String,
    /// 1-based; 0 when the problem is not on one line (a missing file).
    pub line: usize,
    pub message: String,
}

/// Parse `exercise.toml` (shown as `file` in messages). The task, starter,
/// solution and wrong answers are filled in by the caller.
pub fn parse(id: &str, file: &str, text: &str) -> Result<Exercise, FormatError> {
    let err = |span: Option<Range<usize>>, message: String| FormatError {
        file: file.to_string(),
        line: span.map_or(0, |s| line_of(text, s.start)),
        message,
    };
    let raw: RawExercise = toml::from_str(text).map_err(|e| {
        let message = e.message().trim().to_string();
        err(e.span(), message)
    })?;
    if *raw.format_version.get_ref() != FORMAT_VERSION {
        return Err(err(
            Some(raw.format_version.span()),
            format!(
                "format_version {} is not one this podlearn reads: write format_version = {FORMAT_VERSION}",
                raw.format_version.get_ref()
            ),
        ));
    }
    if raw.hints.is_empty() {
        return Err(err(
            None,
            "give at least one hint: hints = [\"...\"]".into(),
        ));
    }

    let mut injects = Vec::new();
    for spanned in raw.inject {
        let span = spanned.span();
        let inject = spanned.into_inner();
        let in_object = inject.configmap.is_some() || inject.secret.is_some();
        let delivered =
            inject.env.is_some() || inject.file.is_some() || in_object || inject.label.is_some();
        let used = text.contains(&format!("{{{{{}}}}}", inject.name));
        let problem = if !delivered && !used {
            Some(format!(
                "an [[inject]] needs `env = \"NAME\"`, `file = \"/path\"`, `label = \"KEY\"`, or `configmap`/`secret = \"NAME\"` with `key`; or a check that uses {{{{{}}}}} (a `write` check delivers it while the pod runs)",
                inject.name
            ))
        } else if inject.label.as_deref().is_some_and(|l| !is_label_key(l)) {
            Some(format!(
                "label = {:?} is not a label key: write letters, digits, '-', '_' or '.' (at most 63), optionally after a DNS prefix and '/'",
                inject.label.as_deref().unwrap_or_default()
            ))
        } else if in_object && inject.key.is_none() {
            Some(
                "an [[inject]] with `configmap` or `secret` needs `key = \"...\"`: the key it sets"
                    .to_string(),
            )
        } else if inject.configmap.is_some() && inject.secret.is_some() {
            Some("an [[inject]] sets a key of a `configmap` or of a `secret`, not both".to_string())
        } else if inject.file.is_some() && inject.container.is_none() {
            Some(
                "an [[inject]] with `file` needs `container = \"...\"` to write it into"
                    .to_string(),
            )
        } else if let Some(p) = inject.pod.as_deref().and_then(pod_ref_problem) {
            Some(p)
        } else if inject.name == POD_NAME_TOKEN {
            Some(format!(
                "{{{{{POD_NAME_TOKEN}}}}} is podlearn's own (the name the Pod runs under): call this [[inject]] something else"
            ))
        } else if injects.iter().any(|i: &Inject| i.name == inject.name) {
            Some(format!("two [[inject]] are called {:?}", inject.name))
        } else {
            None
        };
        if let Some(p) = problem {
            return Err(err(Some(span), p));
        }
        injects.push(inject);
    }

    let mut checks: Vec<Check> = Vec::new();
    for spanned in raw.checks {
        let span = spanned.span();
        let check = parse_check(spanned.into_inner()).map_err(|m| err(Some(span.clone()), m))?;
        if checks.iter().any(|c| c.id == check.id) {
            return Err(err(
                Some(span),
                format!("two checks have the id {:?}", check.id),
            ));
        }
        if let Some(problem) = check_problems(&check).into_iter().next() {
            return Err(err(Some(span), format!("check {:?}: {problem}", check.id)));
        }
        if let Some(need) = check
            .needs
            .iter()
            .find(|n| !checks.iter().any(|c| &&c.id == n))
        {
            return Err(err(
                Some(span),
                format!(
                    "check {:?}: `needs` names {need:?}, which is not a check above it (a check can only build on one graded before it)",
                    check.id
                ),
            ));
        }
        checks.push(check);
    }
    if checks.is_empty() {
        return Err(err(None, "an exercise needs at least one [[check]]".into()));
    }
    if let Some(pos) = checks
        .iter()
        .position(|c| matches!(c.spec, CheckSpec::Delete { .. }))
        && pos + 1 != checks.len()
    {
        return Err(err(
            None,
            format!(
                "check {:?} deletes the pod: it must be the last check",
                checks[pos].id
            ),
        ));
    }

    // Every {{token}} must name an injection, or be the Pod's own name in
    // an exercise of one Pod.
    let multi = super::grades_whole_manifest(&injects, &checks);
    for p in crate::grade::placeholders(text) {
        let offset = p.offset;
        let Some(name) = p.name else {
            return Err(err(
                Some(offset..offset),
                "this {{ is never closed: write {{name}} with the name of an [[inject]]".into(),
            ));
        };
        if name == POD_NAME_TOKEN && multi {
            return Err(err(
                Some(offset..offset),
                format!(
                    "{{{{{POD_NAME_TOKEN}}}}} is known only in an exercise of one Pod: this one runs several objects"
                ),
            ));
        }
        if name != POD_NAME_TOKEN && !injects.iter().any(|i| i.name == name) {
            return Err(err(
                Some(offset..offset),
                format!("{{{{{name}}}}} names no [[inject]]: add one with name = {name:?}"),
            ));
        }
    }

    let mut wrong = Vec::new();
    for spanned in raw.wrong {
        let span = spanned.span();
        let w = spanned.into_inner();
        if !checks.iter().any(|c| c.id == w.fails) {
            let ids: Vec<&str> = checks.iter().map(|c| c.id.as_str()).collect();
            return Err(err(
                Some(span),
                format!(
                    "fails = {:?} names no check (the checks are: {})",
                    w.fails,
                    ids.join(", ")
                ),
            ));
        }
        wrong.push(WrongAnswer {
            file: w.file,
            fails: w.fails,
            message: w.message,
            manifest: String::new(),
        });
    }

    Ok(Exercise {
        id: id.to_string(),
        title: raw.title,
        lesson: raw.lesson,
        order: raw.order,
        time_scale: raw.time_scale,
        hints: raw.hints,
        inject: injects,
        checks,
        wrong,
        right: Vec::new(),
        task: String::new(),
        starter: String::new(),
        solution: String::new(),
    })
}

fn parse_check(mut table: toml::Table) -> Result<Check, String> {
    let has_pod = table.contains_key("pod");
    let mut take = |key: &str| match table.remove(key) {
        Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(_) => Err(format!("`{key}` must be a non-empty string")),
        None => Err(format!("every [[check]] needs `{key} = \"...\"`")),
    };
    let id = take("id")?;
    let hint = take("hint")?;
    let pod = match has_pod {
        true => Some(take("pod")?),
        false => None,
    };
    let needs = match table.remove("needs") {
        None => Vec::new(),
        Some(toml::Value::String(s)) => vec![s],
        Some(toml::Value::Array(list)) => list
            .into_iter()
            .map(|v| match v {
                toml::Value::String(s) => Ok(s),
                _ => Err(format!(
                    "check {id:?}: `needs` lists check ids: needs = [\"an-earlier-check\"]"
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(format!(
                "check {id:?}: `needs` lists check ids: needs = [\"an-earlier-check\"]"
            ));
        }
    };
    if !table.contains_key("kind") {
        return Err(format!(
            "check {id:?} needs `kind = \"...\"` (see the list of check kinds)"
        ));
    }
    let spec: CheckSpec = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| format!("check {id:?}: {}", e.message().trim()))?;
    Ok(Check {
        id,
        hint,
        pod,
        needs,
        spec,
    })
}

/// What a check's fields cannot be, beyond their types.
fn check_problems(check: &Check) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(pod) = &check.pod {
        out.extend(pod_ref_problem(pod));
        if check.spec.is_cluster() && !matches!(check.spec, CheckSpec::DeletePod { .. }) {
            out.push(format!(
                "`pod` is for checks that look at a running Pod; a `{}` check does not take it",
                check.spec.kind()
            ));
        }
    }
    let mut text = |m: &Option<TextMatch>| {
        if let Some(m) = m {
            out.extend(m.problems());
        }
    };
    match &check.spec {
        CheckSpec::Exec {
            command,
            stdout,
            stderr,
            ..
        } => {
            text(stdout);
            text(stderr);
            if command.is_empty() {
                out.push("`command` must name a program".into());
            }
        }
        CheckSpec::Http { body, .. } => text(body),
        CheckSpec::File { content, .. } => text(content),
        CheckSpec::Logs { output, .. } => text(&Some(output.clone())),
        CheckSpec::Process { process, .. } => text(&Some(process.clone())),
        CheckSpec::Image { image, .. } => text(&Some(image.clone())),
        CheckSpec::Delete { observe, .. } => {
            text(&observe.as_ref().and_then(|o| o.content.clone()))
        }
        CheckSpec::Phase { phase, .. }
            if !["Pending", "Running", "Succeeded", "Failed"].contains(&phase.as_str()) =>
        {
            out.push(format!(
                "phase {phase:?} is not a phase: write Pending, Running, Succeeded or Failed"
            ));
        }
        CheckSpec::Field {
            equals: Some(_),
            present: Some(_),
            ..
        } => out.push("give `equals` or `present`, not both".into()),
        CheckSpec::Field {
            equals: None,
            default: Some(_),
            ..
        } => out.push(
            "`default` is the value of an absent field for `equals`: give `equals` too".into(),
        ),
        CheckSpec::Write { path, .. } if !path.starts_with('/') => {
            out.push(format!("path {path:?} must be absolute: write \"/{path}\""));
        }
        CheckSpec::Job {
            max_active: Some(0),
            ..
        } => out.push("`max_active = 0` lets no Pod run: write 1 for one at a time".into()),
        CheckSpec::DeletePod { .. }
            if !check
                .pod
                .as_deref()
                .is_some_and(|p| p.starts_with("deployment/") || p.starts_with("replicaset/")) =>
        {
            out.push(
                "a `delete_pod` check needs `pod = \"deployment/NAME\"` (or `replicaset/NAME`): the controller that must replace it".into(),
            );
        }
        CheckSpec::Job {
            succeeded: None,
            failed: None,
            complete: None,
            ..
        } => out.push("give at least one of `succeeded`, `failed`, `complete`".into()),
        _ => {}
    }
    out
}

/// What is wrong with a `pod = "..."` value, if anything.
fn pod_ref_problem(pod: &str) -> Option<String> {
    match pod.split_once('/') {
        Some((kind, name))
            if ["deployment", "replicaset", "job"].contains(&kind) && !name.is_empty() =>
        {
            None
        }
        Some(_) => Some(format!(
            "pod = {pod:?}: write a Pod's name, or deployment/NAME, replicaset/NAME or job/NAME"
        )),
        None => None,
    }
}

/// A Kubernetes label key: an optional DNS-subdomain prefix and `/`, then a
/// name of at most 63 letters, digits, `-`, `_`, `.`, alphanumeric at both ends.
fn is_label_key(key: &str) -> bool {
    let name = match key.rsplit_once('/') {
        Some((prefix, name)) => {
            let prefix_ok = !prefix.is_empty()
                && prefix.len() <= 253
                && prefix.split('.').all(|p| {
                    !p.is_empty()
                        && p.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                });
            if !prefix_ok {
                return false;
            }
            name
        }
        None => key,
    };
    let ends_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    !name.is_empty()
        && name.len() <= 63
        && ends_ok(name.chars().next())
        && ends_ok(name.chars().last())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}
