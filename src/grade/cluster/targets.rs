//! Which Pods a check or an injection is about (`pod = "..."`), and the
//! learner's objects made ready to run: injected values in the Pods and
//! templates they name, bare Pods under unique names. Pure.

use std::collections::BTreeMap;

use super::super::Tokens;
use crate::exercise::Exercise;
use crate::manifest::model::{Object, ObjectMeta, Pod, PodSpec, Resource};

/// Which Pods a check or an injection is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A bare Pod, by the learner's name.
    Pod(String),
    /// The Pods of a controller: `kind` is deployment, replicaset or job.
    Controller { kind: String, name: String },
}

impl Target {
    /// Read `pod = "..."` (the exercise format checked its shape).
    pub fn parse(text: &str) -> Target {
        match text.split_once('/') {
            Some((kind, name)) => Target::Controller {
                kind: kind.to_string(),
                name: name.to_string(),
            },
            None => Target::Pod(text.to_string()),
        }
    }

    pub(super) fn show(&self) -> String {
        match self {
            Target::Pod(n) => format!("Pod {n}"),
            Target::Controller { kind, name } => format!("{kind}/{name}"),
        }
    }
}

/// The Pod a target names in the manifest (a bare Pod, or a controller's
/// template), its metadata and spec, to set injected values in.
fn pod_of<'a>(
    object: &'a mut Object,
    target: Option<&Target>,
) -> Option<(&'a mut ObjectMeta, &'a mut PodSpec)> {
    let (kind, name, pod) = match &mut object.resource {
        Resource::Pod(p) => (
            "pod",
            p.metadata.name.clone(),
            (&mut p.metadata, &mut p.spec),
        ),
        Resource::Deployment(d) => (
            "deployment",
            d.metadata.name.clone(),
            (&mut d.template.metadata, &mut d.template.spec),
        ),
        Resource::ReplicaSet(r) => (
            "replicaset",
            r.metadata.name.clone(),
            (&mut r.template.metadata, &mut r.template.spec),
        ),
        Resource::Job(j) => (
            "job",
            j.metadata.name.clone(),
            (&mut j.spec.template.metadata, &mut j.spec.template.spec),
        ),
        _ => return None,
    };
    let wanted = match target {
        None => true,
        Some(Target::Pod(n)) => kind == "pod" && *n == name,
        Some(Target::Controller { kind: k, name: n }) => k == kind && *n == name,
    };
    wanted.then_some(pod)
}

/// The learner's objects as the grader runs them: injected variables in the
/// Pods and templates they name (every one without `pod`), ConfigMap and
/// Secret keys set, and bare Pods renamed uniquely (their hostname stays the
/// learner's). Also returns the learner's Pod names -> the running ones.
pub fn prepare_objects(
    exercise: &Exercise,
    objects: &[Object],
    tokens: &Tokens,
) -> (Vec<Object>, BTreeMap<String, String>) {
    let mut out = super::super::inject_objects(&exercise.inject, objects, tokens);
    for inject in &exercise.inject {
        let target = inject.pod.as_deref().map(Target::parse);
        for object in &mut out {
            if let Some((meta, spec)) = pod_of(object, target.as_ref()) {
                super::super::set_env(spec, inject, tokens);
                super::super::set_label(meta, inject, tokens);
            }
        }
    }
    let suffix = &super::super::random_hex()[..6];
    let mut renamed = BTreeMap::new();
    for object in &mut out {
        if let Resource::Pod(p) = &mut object.resource {
            if p.spec.hostname.is_none() {
                p.spec.hostname = Some(p.spec.effective_hostname(&p.metadata.name));
            }
            let base: String = p.metadata.name.chars().take(52).collect();
            let running = format!("{base}-{suffix}");
            renamed.insert(p.metadata.name.clone(), running.clone());
            p.metadata.name = running;
        }
    }
    (out, renamed)
}

/// The Pod a check without `pod` looks at: the manifest's only one, when it
/// has one bare Pod and no controller.
pub(super) fn default_target(objects: &[Object]) -> Option<Target> {
    let mut pods = objects.iter().filter_map(|o| match &o.resource {
        Resource::Pod(p) => Some(p.metadata.name.clone()),
        _ => None,
    });
    let controllers = objects.iter().any(|o| {
        matches!(
            o.resource,
            Resource::Deployment(_) | Resource::ReplicaSet(_) | Resource::Job(_)
        )
    });
    match (pods.next(), pods.next(), controllers) {
        (Some(one), None, false) => Some(Target::Pod(one)),
        _ => None,
    }
}

/// The Pod a static check looks at: a bare Pod or a controller's template.
pub(super) fn static_pod(objects: &[Object], target: &Target) -> Option<Pod> {
    objects.iter().find_map(|o| {
        let (kind, meta, template) = match &o.resource {
            Resource::Pod(p) => {
                return (*target == Target::Pod(p.metadata.name.clone())).then(|| p.clone());
            }
            Resource::Deployment(d) => ("deployment", &d.metadata, &d.template),
            Resource::ReplicaSet(r) => ("replicaset", &r.metadata, &r.template),
            Resource::Job(j) => ("job", &j.metadata, &j.spec.template),
            _ => return None,
        };
        let wanted = Target::Controller {
            kind: kind.into(),
            name: meta.name.clone(),
        };
        (*target == wanted).then(|| Pod {
            metadata: template.metadata.clone(),
            spec: template.spec.clone(),
        })
    })
}

/// A controller kind as the learner writes it in a manifest.
pub(super) fn kind_word(kind: &str) -> &str {
    match kind {
        "deployment" => "Deployment",
        "replicaset" => "ReplicaSet",
        "job" => "Job",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::Exercise;

    fn objects(yaml: &str) -> Vec<Object> {
        let loaded = crate::manifest::load_str("test.yaml", yaml);
        assert!(!loaded.has_errors(), "{:?}", loaded.findings);
        loaded.objects
    }

    const MANIFEST: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers: [{name: client, image: busybox}]
"#;

    fn exercise(toml: &str) -> Exercise {
        crate::exercise::format::parse("t", "exercise.toml", toml).expect("valid exercise")
    }

    fn env_of(spec: &PodSpec, name: &str) -> Option<String> {
        spec.containers[0]
            .env
            .iter()
            .find(|e| e.name == name)
            .and_then(|e| e.value.clone())
    }

    #[test]
    fn injections_go_to_the_pod_or_template_they_name_and_bare_pods_are_renamed() {
        let ex = exercise(
            r#"
format_version = 1
title = "t"
lesson = "l"
hints = ["h"]
[[inject]]
name = "a"
env = "A"
pod = "deployment/web"
[[inject]]
name = "b"
env = "B"
pod = "client"
[[inject]]
name = "c"
env = "C"
[[check]]
id = "x"
kind = "replicas"
deployment = "web"
ready = 2
hint = "h"
"#,
        );
        assert!(ex.is_multi());
        let tokens = Tokens::generate(&ex.inject);
        let (out, renamed) = prepare_objects(&ex, &objects(MANIFEST), &tokens);
        let Resource::Deployment(d) = &out[0].resource else {
            panic!("deployment first")
        };
        assert_eq!(env_of(&d.template.spec, "A").as_deref(), tokens.get("a"));
        assert_eq!(env_of(&d.template.spec, "B"), None);
        assert_eq!(env_of(&d.template.spec, "C").as_deref(), tokens.get("c"));
        let Resource::Pod(p) = &out[1].resource else {
            panic!("pod second")
        };
        assert_eq!(env_of(&p.spec, "A"), None);
        assert_eq!(env_of(&p.spec, "B").as_deref(), tokens.get("b"));
        assert_eq!(renamed.get("client"), Some(&p.metadata.name));
        assert_ne!(p.metadata.name, "client");
        assert_eq!(p.spec.hostname.as_deref(), Some("client"));
    }

    #[test]
    fn targets_read_pods_and_controllers() {
        assert_eq!(Target::parse("client"), Target::Pod("client".into()));
        assert_eq!(
            Target::parse("job/pi"),
            Target::Controller {
                kind: "job".into(),
                name: "pi".into()
            }
        );
        let objs = objects(MANIFEST);
        assert_eq!(default_target(&objs), None);
        assert_eq!(
            default_target(&objs[1..]),
            Some(Target::Pod("client".into()))
        );
        let template = static_pod(&objs, &Target::parse("deployment/web")).expect("template");
        assert_eq!(template.spec.containers[0].name, "web");
        assert!(static_pod(&objs, &Target::parse("job/web")).is_none());
    }
}
