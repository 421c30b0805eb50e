//! Validation: from parsed documents to the typed model plus every finding.
//!
//! Each document is walked against the schema of its kind (unknown fields,
//! wrong types, required fields, names), then the rules in `rules` run on the
//! model it built, then `cross` looks across documents (a Pod's ConfigMap, a
//! Service's Pods, what a Deployment would create). A document with an error
//! contributes findings but no object.

mod container;
mod cross;
mod env;
mod kinds;
mod meta;
mod names;
mod pod;
mod probe;
pub mod rules;
mod suggest;
mod volume;
pub mod walk;

use crate::manifest::finding::{Finding, Severity};
use crate::manifest::model::{Object, Resource, Source, api_version_of};
use crate::manifest::node::{Document, Node, Pos, Value};

use walk::Cx;

pub use names::{is_dns1123_label, is_dns1123_subdomain};

/// The kinds podlearn reads, with their apiVersion.
pub const KINDS: &[(&str, &str)] = &[
    ("Pod", "v1"),
    ("ConfigMap", "v1"),
    ("Secret", "v1"),
    ("Service", "v1"),
    ("Deployment", "apps/v1"),
    ("ReplicaSet", "apps/v1"),
    ("StatefulSet", "apps/v1"),
    ("DaemonSet", "apps/v1"),
    ("Job", "batch/v1"),
    ("CronJob", "batch/v1"),
];

/// What validating one file's documents produced.
#[derive(Debug, Default)]
pub struct Validated {
    pub objects: Vec<Object>,
    /// Aligned with `objects`: where the fields cross checks point at were written.
    pub spans: Vec<Spans>,
    pub findings: Vec<Finding>,
}

/// Validate the documents of one file: the objects of error-free documents and all findings.
/// Cross-object checks are not included (see [`cross_check`]).
pub fn validate_documents(file: &str, docs: &[Document]) -> Validated {
    let mut out = Validated::default();
    for doc in docs {
        out.add(file, doc);
    }
    out
}

impl Validated {
    /// Validate one more document (a `kind: List` adds each of its items).
    pub fn add(&mut self, file: &str, doc: &Document) {
        let Some(root) = &doc.root else { return };
        if !doc.problems.is_empty() {
            // the findings come first; the document still gets walked but,
            // having errors, builds no object
            let mut cx = Cx::new(file, doc.pos, None);
            for p in &doc.problems {
                cx.report_path(
                    Severity::Error,
                    p.rule,
                    p.pos,
                    String::new(),
                    p.message.clone(),
                    p.help.clone(),
                );
            }
            self.findings.append(&mut cx.findings);
            let before = self.objects.len();
            self.add(
                file,
                &Document {
                    problems: Vec::new(),
                    ..doc.clone()
                },
            );
            self.objects.truncate(before);
            self.spans.truncate(before);
            return;
        }
        if let Some(items) = list_items(root) {
            for (i, item) in items.iter().enumerate() {
                let prefix = format!("items[{i}]");
                let mut cx = Cx::new(file, item.pos, Some(root));
                let resource = cx.field("items", |cx| cx.index(i, |cx| document(cx, item)));
                let spans = std::mem::take(&mut cx.spans)
                    .into_iter()
                    .filter_map(|(k, v)| {
                        Some((
                            k.strip_prefix(&prefix)?.trim_start_matches('.').to_string(),
                            v,
                        ))
                    })
                    .collect();
                self.finish(file, doc, item, cx.findings, spans, resource);
            }
            return;
        }
        let mut cx = Cx::new(file, doc.pos, Some(root));
        let resource = document(&mut cx, root);
        let spans = std::mem::take(&mut cx.spans);
        self.finish(file, doc, root, cx.findings, spans, resource);
    }

    fn finish(
        &mut self,
        file: &str,
        doc: &Document,
        node: &Node,
        mut findings: Vec<Finding>,
        mut spans: Spans,
        resource: Option<Resource>,
    ) {
        let has_errors = findings.iter().any(|f| f.severity == Severity::Error);
        self.findings.append(&mut findings);
        if let (Some(resource), false) = (resource, has_errors) {
            spans.retain(|k, _| cross::keep_span(k));
            self.spans.push(spans);
            self.objects.push(Object {
                source: Source {
                    file: file.to_string(),
                    document: doc.index,
                    line: node.pos.line,
                },
                resource,
            });
        }
    }
}

/// The items of a `kind: List` document (what `kubectl get pods -o yaml` prints).
fn list_items(root: &Node) -> Option<&Vec<Node>> {
    let Value::Map(entries) = &root.value else {
        return None;
    };
    let is_list = entries
        .iter()
        .any(|e| e.key == "kind" && e.value.value == Value::Str("List".into()));
    if !is_list {
        return None;
    }
    match &entries.iter().find(|e| e.key == "items")?.value.value {
        Value::Seq(items) => Some(items),
        _ => None,
    }
}

/// Validate one document.
fn document(cx: &mut Cx, root: &Node) -> Option<Resource> {
    let Value::Map(entries) = &root.value else {
        cx.error(
            "not-an-object",
            root.pos,
            format!(
                "a manifest must be a mapping, found {}",
                root.value.type_name()
            ),
            "start with `apiVersion: v1` and `kind: Pod` on their own lines",
        );
        return None;
    };
    let get = |k: &str| entries.iter().find(|e| e.key == k);
    let kind_entry = get("kind");
    let kind = match kind_entry.map(|e| &e.value.value) {
        Some(Value::Str(s)) => s.clone(),
        Some(_) => {
            let n = &kind_entry?.value;
            cx.field("kind", |cx| cx.wrong_type(n, "a string"));
            return None;
        }
        None => {
            cx.report_path(
                Severity::Error,
                "required",
                root.pos,
                cx.child("kind"),
                "required field `kind` is missing",
                Some(
                    "every manifest says what it is: add `kind: Pod` (or ConfigMap, Service, ...)"
                        .into(),
                ),
            );
            return None;
        }
    };
    let kind_pos = kind_entry.map(|e| e.value.pos).unwrap_or(root.pos);
    let api_entry = get("apiVersion");
    let api = match api_entry.map(|e| &e.value.value) {
        Some(Value::Str(s)) => Some(s.clone()),
        Some(_) => {
            let n = &api_entry?.value;
            cx.field("apiVersion", |cx| cx.wrong_type(n, "a string"));
            None
        }
        None => {
            let want = api_version_of(&kind).unwrap_or("v1");
            cx.report_path(
                Severity::Error,
                "required",
                root.pos,
                cx.child("apiVersion"),
                "required field `apiVersion` is missing",
                Some(format!("add `apiVersion: {want}` above `kind: {kind}`")),
            );
            None
        }
    };
    let Some(&(kind, want)) = KINDS.iter().find(|(k, _)| *k == kind) else {
        if let Some(want) = api_version_of(&kind)
            && !KINDS.iter().any(|(k, _)| *k == kind)
            && walk::closest(&kind, &KINDS.iter().map(|(k, _)| *k).collect::<Vec<_>>()).is_none()
        {
            unchecked_kind(
                cx,
                &kind,
                kind_pos,
                want,
                api.as_deref(),
                api_entry.map(|e| e.value.pos),
            );
        } else {
            unknown_kind(cx, &kind, kind_pos);
        }
        return None;
    };
    if let Some(api) = &api
        && api != want
    {
        let pos = api_entry.map(|e| e.value.pos).unwrap_or(root.pos);
        let removed = match (kind, api.as_str()) {
            ("CronJob", "batch/v1beta1") => {
                " (batch/v1beta1 CronJob was removed in Kubernetes 1.25)"
            }
            (
                "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet",
                "extensions/v1beta1" | "apps/v1beta1" | "apps/v1beta2",
            ) => " (removed in Kubernetes 1.16)",
            _ => "",
        };
        cx.field("apiVersion", |cx| {
            cx.error(
                "wrong-api-version",
                pos,
                format!("kind {kind} is not served under apiVersion \"{api}\"{removed}"),
                format!("write `apiVersion: {want}` for a {kind}"),
            )
        });
    }
    if let Some(e) = get("status")
        && kinds::has_status(kind)
    {
        cx.report_path(
            Severity::Note,
            "server-field",
            e.key_pos,
            cx.child("status"),
            "`status` is written by the cluster; podlearn ignores it",
            Some("copied from `kubectl get -o yaml`? You can delete it".into()),
        );
    }
    kinds::read(cx, root, kind)
}

/// A real Kubernetes kind that podlearn neither checks nor runs (a
/// PersistentVolumeClaim, a HorizontalPodAutoscaler): valid input, so a warning
/// that says it is passed over, never silently dropped. Its apiVersion is still
/// checked.
fn unchecked_kind(
    cx: &mut Cx,
    kind: &str,
    pos: Pos,
    want: &str,
    api: Option<&str>,
    api_pos: Option<Pos>,
) {
    if let Some(api) = api
        && api != want
    {
        cx.field("apiVersion", |cx| {
            cx.error(
                "wrong-api-version",
                api_pos.unwrap_or(pos),
                format!("kind {kind} is not served under apiVersion \"{api}\""),
                format!("write `apiVersion: {want}` for a {kind}"),
            )
        });
    }
    let names: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    cx.field("kind", |cx| {
        cx.report(
            Severity::Warning,
            "unchecked-kind",
            pos,
            format!("{kind} is a real Kubernetes kind, but podlearn does not check or run it: it is passed over"),
            Some(format!(
                "a cluster would create it; on one machine podlearn runs only {}",
                names.join(", ")
            )),
        )
    });
}

fn unknown_kind(cx: &mut Cx, kind: &str, pos: Pos) {
    let names: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    let help = if let Some(s) = walk::closest(kind, &names) {
        format!("did you mean `kind: {s}`? Kinds are case-sensitive")
    } else if api_version_of(kind).is_some() {
        format!(
            "{kind} is a real Kubernetes kind, but podlearn runs only {} on one machine",
            names.join(", ")
        )
    } else {
        format!("podlearn knows these kinds: {}", names.join(", "))
    };
    cx.field("kind", |cx| {
        cx.error(
            "unknown-kind",
            pos,
            format!("unknown kind \"{kind}\""),
            help,
        )
    });
}

pub use cross::{CROSS_RULES, Spans, check as cross_check};

#[cfg(test)]
mod tests;
