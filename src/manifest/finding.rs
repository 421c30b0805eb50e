//! Findings (what validation says about a manifest) and [`Loaded`], the result
//! of reading one or more files: the validated objects, every finding, and the
//! source text the findings point into.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::model::{Object, Pod, Resource};
use super::validate::{CROSS_RULES, Spans, cross_check};

/// How serious a finding is. Errors make `validate` fail; warnings and notes do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// One thing validation has to say, pointing at a file, line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub file: String,
    /// 1-based; 0 when the finding is about the whole file.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// The field in API notation: `spec.containers[1].ports[0].containerPort`.
    pub path: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// A stable id, e.g. `unknown-field`, for scripts and tests.
    pub rule: &'static str,
    /// Part of the safety policy: `run` refuses it without `--allow-host-access`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub safety: bool,
}

impl Finding {
    pub fn new(severity: Severity, rule: &'static str, message: impl Into<String>) -> Finding {
        Finding {
            severity,
            file: String::new(),
            line: 0,
            column: 0,
            path: String::new(),
            message: message.into(),
            help: None,
            rule,
            safety: false,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }
}

/// What reading manifests produced. Objects come only from documents without errors.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    pub findings: Vec<Finding>,
    /// File name -> its text, for showing the source line under a finding.
    pub sources: BTreeMap<String, Arc<str>>,
    /// Aligned with `objects`: where the fields cross checks point at were written.
    pub(crate) spans: Vec<Spans>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// Add another file's result (objects, findings and source). Checks across
    /// objects (a Pod's ConfigMap in another file) are redone over the whole input.
    pub fn merge(&mut self, other: Loaded) {
        self.spans.resize(self.objects.len(), Spans::default());
        self.objects.extend(other.objects);
        self.spans.extend(other.spans);
        self.findings.extend(other.findings);
        self.sources.extend(other.sources);
        self.recheck_across();
    }

    /// Recompute the findings that look across objects.
    pub(crate) fn recheck_across(&mut self) {
        self.findings.retain(|f| !CROSS_RULES.contains(&f.rule));
        let found = cross_check(&self.objects, &self.spans);
        self.findings.extend(found);
    }

    /// Every Pod object (not pods a controller would create).
    pub fn pods(&self) -> impl Iterator<Item = (&Object, &Pod)> {
        self.objects.iter().filter_map(|o| match &o.resource {
            Resource::Pod(p) => Some((o, p)),
            _ => None,
        })
    }

    /// Whether podlearn refuses to run these objects: they have errors, or
    /// the safety policy refuses them and `--allow-host-access` was not given.
    /// The one place this is decided for a manifest; the runtime checks each
    /// Pod again before it starts it.
    pub fn refused(&self, allow_host_access: bool) -> bool {
        self.has_errors() || (!allow_host_access && !self.safety_violations().is_empty())
    }

    /// Findings of the safety policy (privileged, host namespaces, hostPath, ...).
    pub fn safety_violations(&self) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.safety).collect()
    }

    /// Counts of (errors, warnings, notes).
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s| self.findings.iter().filter(|f| f.severity == s).count();
        (n(Severity::Error), n(Severity::Warning), n(Severity::Note))
    }

    /// Findings sorted for display: errors first, then by file, line, column.
    pub fn sorted_findings(&self) -> Vec<&Finding> {
        let mut v: Vec<&Finding> = self.findings.iter().collect();
        v.sort_by(|a, b| {
            (a.severity, &a.file, a.line, a.column).cmp(&(b.severity, &b.file, b.line, b.column))
        });
        v
    }
}
