//! `metadata`: name, namespace, labels, annotations (and the fields the
//! server sets, which are accepted and ignored).

use std::collections::BTreeMap;

use super::names::{
    is_dns1123_label, is_dns1123_subdomain, is_label_key, is_label_value, suggest_label,
};
use super::walk::{Cx, Fields};
use crate::manifest::finding::Severity;
use crate::manifest::model::ObjectMeta;

const META_FIELDS: &[&str] = &[
    "name",
    "namespace",
    "labels",
    "annotations",
    "generateName",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "ownerReferences",
    "finalizers",
    "managedFields",
    "selfLink",
];

/// How strict the name rule is for this kind.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    /// Pods, ConfigMaps, Secrets, workloads: a DNS-1123 subdomain.
    Subdomain,
    /// Services: a DNS-1123 label.
    Label,
    /// A pod template: no name needed.
    Optional,
}

/// Read `metadata` (required unless `rule` is `Optional`).
pub fn read(cx: &mut Cx, f: &Fields, kind: &str, rule: NameRule) -> ObjectMeta {
    let mut meta = ObjectMeta {
        namespace: "default".into(),
        ..Default::default()
    };
    if rule != NameRule::Optional
        && cx
            .required(
                f,
                "metadata",
                &format!(
                    "add `metadata:` with `name: my-{}` under it",
                    kind.to_ascii_lowercase()
                ),
            )
            .is_none()
    {
        return meta;
    }
    let kind_lower = kind.to_ascii_lowercase();
    cx.sub(f, "metadata", META_FIELDS, |cx, m| {
        if rule == NameRule::Optional {
            meta.name = cx.opt_str(&m, "name").unwrap_or_default();
        } else if m.has("generateName") && !m.has("name") {
            cx.field("generateName", |cx| {
                let pos = m.get("generateName").map(|n| n.pos).unwrap_or(m.pos);
                cx.error(
                    "generate-name",
                    pos,
                    "podlearn needs a fixed `name`; `generateName` works only with `kubectl create`",
                    format!("write `name: my-{kind_lower}` instead"),
                )
            });
        } else {
            meta.name = cx.req_str(&m, "name", &format!("add `name: my-{kind_lower}` under `metadata:`"));
            check_name(cx, &meta.name, rule, kind);
        }
        if let Some(ns) = cx.opt_str(&m, "namespace") {
            if !is_dns1123_label(&ns) {
                let pos = cx.pos_of(&cx.child("namespace"));
                cx.field("namespace", |cx| {
                    cx.error(
                        "invalid-name",
                        pos,
                        format!("invalid namespace \"{ns}\": must be lowercase letters, digits and '-'"),
                        format!("try `namespace: {}`", suggest_label(&ns)),
                    )
                });
            }
            meta.namespace = ns;
        }
        meta.labels = cx.str_map(&m, "labels");
        check_labels(cx, &meta.labels);
        meta.annotations = cx.str_map(&m, "annotations");
        for server in ["uid", "resourceVersion", "creationTimestamp", "managedFields", "ownerReferences"] {
            if let Some(n) = m.get(server) {
                let path = cx.child(server);
                cx.report_path(
                    Severity::Note,
                    "server-field",
                    n.pos,
                    path,
                    format!("`{server}` is set by the API server; podlearn ignores it"),
                    Some("copied from `kubectl get -o yaml`? You can delete it".into()),
                );
            }
        }
    });
    meta
}

fn check_name(cx: &mut Cx, name: &str, rule: NameRule, kind: &str) {
    if name.is_empty() {
        return;
    }
    let (ok, what) = match rule {
        NameRule::Label => (
            is_dns1123_label(name),
            "a DNS-1123 label (at most 63 characters",
        ),
        _ => (
            is_dns1123_subdomain(name),
            "a DNS-1123 subdomain (at most 253 characters",
        ),
    };
    if !ok {
        let pos = cx.pos_of(&cx.child("name"));
        cx.field("name", |cx| {
            cx.error(
                "invalid-name",
                pos,
                format!("invalid {kind} name \"{name}\": must be {what} of lowercase letters, digits and '-', starting and ending with a letter or digit)"),
                format!("try `name: {}`", suggest_label(name)),
            )
        });
    }
}

fn check_labels(cx: &mut Cx, labels: &BTreeMap<String, String>) {
    for (k, v) in labels {
        let path = format!("{}.labels.{k}", cx.path());
        let pos = cx.pos_of(&path);
        if !is_label_key(k) {
            cx.report_path(
                Severity::Error,
                "invalid-label",
                pos,
                path.clone(),
                format!("invalid label key \"{k}\""),
                Some("label keys are letters, digits, '-', '_' and '.', optionally after a prefix like `example.com/`".into()),
            );
        }
        if !is_label_value(v) {
            cx.report_path(
                Severity::Error,
                "invalid-label",
                pos,
                path,
                format!("invalid label value \"{v}\""),
                Some("label values are at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit".into()),
            );
        }
    }
}
