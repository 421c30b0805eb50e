//! Checks across the objects of one input: ConfigMaps and Secrets a pod
//! reads, which pods a Service selects, and what each controller would create.

use std::collections::{BTreeMap, HashMap};

use crate::manifest::finding::{Finding, Severity};
use crate::manifest::model::{
    EnvFromRef, EnvVarSource, IntOrString, Object, PodSpec, Resource, VolumeSource,
};
use crate::manifest::node::Pos;

/// The rule ids this module produces (recomputed when inputs are merged).
pub const CROSS_RULES: &[&str] = &[
    "missing-reference",
    "controller-creates",
    "service-selects",
    "duplicate-object",
];

/// Field path -> position, kept per object for the paths cross checks point at.
pub type Spans = HashMap<String, Pos>;

/// Whether a span path is worth keeping for cross checks.
pub fn keep_span(path: &str) -> bool {
    path.ends_with("metadata.name")
        || path.contains("Ref")
        || path.contains("envFrom")
        || path.contains("configMap")
        || path.contains("secret")
        || path.contains("projected")
        || path.ends_with("spec.selector")
        || path.ends_with("spec.replicas")
        || path.ends_with("targetPort")
}

struct Out<'a> {
    findings: Vec<Finding>,
    obj: &'a Object,
    spans: Option<&'a Spans>,
}

impl Out<'_> {
    fn add(
        &mut self,
        severity: Severity,
        rule: &'static str,
        path: &str,
        message: String,
        help: Option<String>,
    ) {
        let pos = self
            .spans
            .and_then(|s| s.get(path).or_else(|| s.get("metadata.name")))
            .copied()
            .unwrap_or(Pos {
                line: self.obj.source.line,
                column: 1,
            });
        self.findings.push(Finding {
            severity,
            file: self.obj.source.file.clone(),
            line: pos.line,
            column: pos.column,
            path: path.to_string(),
            message,
            help,
            rule,
            safety: false,
        });
    }
}

/// All cross-object findings for these objects (`spans` aligned with `objects`, may be shorter).
pub fn check(objects: &[Object], spans: &[Spans]) -> Vec<Finding> {
    let mut config_maps: HashMap<(String, String), Vec<&str>> = HashMap::new();
    let mut secrets: HashMap<(String, String), Vec<&str>> = HashMap::new();
    let mut seen: HashMap<(&str, &str, &str), ()> = HashMap::new();
    let mut findings = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        let m = o.resource.metadata();
        let key = (o.resource.kind(), m.namespace.as_str(), m.name.as_str());
        if seen.insert(key, ()).is_some() {
            let mut out = Out {
                findings: Vec::new(),
                obj: o,
                spans: spans.get(i),
            };
            out.add(
                Severity::Warning,
                "duplicate-object",
                "metadata.name",
                format!(
                    "{} \"{}\" is defined more than once in this input",
                    key.0, key.2
                ),
                Some(
                    "applying the input keeps only the last definition; rename one of them".into(),
                ),
            );
            findings.append(&mut out.findings);
        }
        match &o.resource {
            Resource::ConfigMap(c) => {
                let keys = c
                    .data
                    .keys()
                    .chain(c.binary_data.keys())
                    .map(String::as_str)
                    .collect();
                config_maps.insert((m.namespace.clone(), m.name.clone()), keys);
            }
            Resource::Secret(s) => {
                secrets.insert(
                    (m.namespace.clone(), m.name.clone()),
                    s.data.keys().map(String::as_str).collect(),
                );
            }
            _ => {}
        }
    }
    let refs = Refs {
        config_maps,
        secrets,
    };
    // (namespace, "Pod a" or "the pods of Deployment web", labels)
    let mut pods: Vec<(&str, String, &BTreeMap<String, String>, &PodSpec)> = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        let mut out = Out {
            findings: Vec::new(),
            obj: o,
            spans: spans.get(i),
        };
        let ns = o.resource.metadata().namespace.as_str();
        let name = o.resource.metadata().name.as_str();
        let kind = o.resource.kind();
        if let Resource::Pod(p) = &o.resource {
            refs.check(&mut out, ns, "spec", &p.spec);
            pods.push((ns, format!("Pod {name}"), &p.metadata.labels, &p.spec));
        }
        if let Some((path, template)) = o.resource.pod_template() {
            refs.check(&mut out, ns, path, &template.spec);
        }
        // What the controller would do with its template.
        match &o.resource {
            Resource::Deployment(d) if d.paused => out.add(
                Severity::Warning,
                "controller-creates",
                "spec.paused",
                format!(
                    "Deployment {name} is paused: created paused, a Deployment makes no \
                     ReplicaSet and no Pods until it is resumed"
                ),
                Some(format!(
                    "remove `paused: true` (on a cluster: kubectl rollout resume deployment/{name})"
                )),
            ),
            Resource::Deployment(d) => creates(&mut out, kind, name, d.replicas, ""),
            Resource::ReplicaSet(d) => creates(&mut out, kind, name, d.replicas, ""),
            Resource::StatefulSet(d) => creates(
                &mut out,
                kind,
                name,
                d.replicas,
                &format!(", named {name}-0, {name}-1, ... and started one at a time"),
            ),
            Resource::DaemonSet(_) => creates(
                &mut out,
                kind,
                name,
                1,
                " (one per node, and this machine is the only node)",
            ),
            Resource::Job(j) => {
                let msg = match j.spec.completions {
                    None if j.spec.parallelism > 1 => format!(
                        "Job {name} would run {} Pods from spec.template at once, as a work queue: it is complete once one of them succeeded and the others have ended (retrying up to {} failures)",
                        j.spec.parallelism, j.spec.backoff_limit
                    ),
                    c => format!(
                        "Job {name} would run Pods from spec.template until {} of them succeed, {} at a time (retrying up to {} failures)",
                        c.unwrap_or(1),
                        j.spec.parallelism,
                        j.spec.backoff_limit
                    ),
                };
                out.add(
                    Severity::Note,
                    "controller-creates",
                    "metadata.name",
                    msg,
                    None,
                );
            }
            Resource::CronJob(c) => {
                let msg = format!(
                    "CronJob {name} would create a Job on the schedule \"{}\"{}",
                    c.schedule,
                    if c.suspend { " (suspended now)" } else { "" }
                );
                out.add(
                    Severity::Note,
                    "controller-creates",
                    "metadata.name",
                    msg,
                    None,
                );
            }
            _ => {}
        }
        // The Pods a Service may select: a Pod's own, and those of the
        // long-running controllers (a Job's Pods end, so are left out).
        if matches!(
            o.resource,
            Resource::Deployment(_)
                | Resource::ReplicaSet(_)
                | Resource::StatefulSet(_)
                | Resource::DaemonSet(_)
        ) && let Some((_, template)) = o.resource.pod_template()
        {
            pods.push((
                ns,
                format!("the pods of {kind} {name}"),
                &template.metadata.labels,
                &template.spec,
            ));
        }
        findings.append(&mut out.findings);
    }
    for (i, o) in objects.iter().enumerate() {
        let Resource::Service(s) = &o.resource else {
            continue;
        };
        let mut out = Out {
            findings: Vec::new(),
            obj: o,
            spans: spans.get(i),
        };
        let ns = s.metadata.namespace.as_str();
        if s.selector.is_empty() {
            out.add(Severity::Note, "service-selects", "spec.selector", format!("Service {} has no selector, so it selects no pods (on a cluster you would manage its endpoints by hand)", s.metadata.name), None);
        } else {
            let selected: Vec<&str> = pods
                .iter()
                .filter(|(pns, _, labels, _)| *pns == ns && s.selects(labels))
                .map(|(_, n, _, _)| n.as_str())
                .collect();
            for (j, port) in s.ports.iter().enumerate() {
                let IntOrString::String(want) = &port.target_port else {
                    continue;
                };
                let named = |spec: &PodSpec| {
                    spec.all_containers().any(|c| {
                        c.ports
                            .iter()
                            .any(|p| p.name.as_deref() == Some(want.as_str()))
                    })
                };
                let missing: Vec<&str> = pods
                    .iter()
                    .filter(|(pns, _, labels, spec)| {
                        *pns == ns && s.selects(labels) && !named(spec)
                    })
                    .map(|(_, n, _, _)| n.as_str())
                    .collect();
                if !missing.is_empty() {
                    out.add(
                        Severity::Warning,
                        "service-selects",
                        &format!("spec.ports[{j}].targetPort"),
                        format!("targetPort \"{want}\" names no container port of {}", missing.join(", ")),
                        Some(format!("name a container port `{want}` (`ports: [{{name: {want}, containerPort: 8080}}]`), or give the number")),
                    );
                }
            }
            if selected.is_empty() {
                let want: Vec<String> = s
                    .selector
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect();
                out.add(
                    Severity::Warning,
                    "service-selects",
                    "spec.selector",
                    format!("Service {} selects no pods in this input", s.metadata.name),
                    Some(format!(
                        "its pods need all of these labels: {}",
                        want.join(", ")
                    )),
                );
            } else {
                out.add(
                    Severity::Note,
                    "service-selects",
                    "spec.selector",
                    format!(
                        "Service {} selects {}",
                        s.metadata.name,
                        selected.join(", ")
                    ),
                    None,
                );
            }
        }
        findings.append(&mut out.findings);
    }
    findings
}

fn creates(out: &mut Out, kind: &str, name: &str, replicas: u32, extra: &str) {
    let pods = if replicas == 1 {
        "1 Pod".to_string()
    } else {
        format!("{replicas} Pods")
    };
    out.add(
        Severity::Note,
        "controller-creates",
        "metadata.name",
        format!("{kind} {name} would create {pods} from spec.template{extra}"),
        None,
    );
}

struct Refs<'a> {
    config_maps: HashMap<(String, String), Vec<&'a str>>,
    secrets: HashMap<(String, String), Vec<&'a str>>,
}

impl Refs<'_> {
    fn lookup(&self, secret: bool, ns: &str, name: &str) -> Option<&Vec<&str>> {
        let key = (ns.to_string(), name.to_string());
        if secret {
            self.secrets.get(&key)
        } else {
            self.config_maps.get(&key)
        }
    }

    /// Warn when a non-optional reference names an object or key not in the input.
    #[allow(clippy::too_many_arguments)]
    fn one(
        &self,
        out: &mut Out,
        ns: &str,
        path: &str,
        secret: bool,
        name: &str,
        key: Option<&str>,
        optional: bool,
        volume: bool,
    ) {
        if optional {
            return;
        }
        let kind = if secret { "Secret" } else { "ConfigMap" };
        let effect = if volume {
            "on a cluster the pod would stay in ContainerCreating (FailedMount) until it exists"
        } else {
            "on a cluster the container would not start (CreateContainerConfigError) until it exists"
        };
        match (self.lookup(secret, ns, name), key) {
            (None, _) => out.add(Severity::Warning, "missing-reference", path, format!("{kind} \"{name}\" is not in this input: {effect}"), Some(format!("add the {kind} to this file (or another file given with it), or mark the reference `optional: true`"))),
            (Some(keys), Some(k)) if !keys.contains(&k) => out.add(Severity::Warning, "missing-reference", path, format!("{kind} \"{name}\" has no key \"{k}\": {effect}"), Some(format!("its keys are: {}", if keys.is_empty() { "(none)".to_string() } else { keys.join(", ") }))),
            _ => {}
        }
    }

    fn check(&self, out: &mut Out, ns: &str, base: &str, spec: &PodSpec) {
        let lists = [
            ("initContainers", &spec.init_containers),
            ("containers", &spec.containers),
        ];
        for (list, containers) in lists {
            for (i, c) in containers.iter().enumerate() {
                let cpath = format!("{base}.{list}[{i}]");
                for (j, e) in c.env.iter().enumerate() {
                    let p = |f: &str| format!("{cpath}.env[{j}].valueFrom.{f}.name");
                    match &e.value_from {
                        Some(EnvVarSource::ConfigMapKeyRef {
                            name,
                            key,
                            optional,
                        }) => self.one(
                            out,
                            ns,
                            &p("configMapKeyRef"),
                            false,
                            name,
                            Some(key),
                            *optional,
                            false,
                        ),
                        Some(EnvVarSource::SecretKeyRef {
                            name,
                            key,
                            optional,
                        }) => self.one(
                            out,
                            ns,
                            &p("secretKeyRef"),
                            true,
                            name,
                            Some(key),
                            *optional,
                            false,
                        ),
                        _ => {}
                    }
                }
                for (j, e) in c.env_from.iter().enumerate() {
                    match &e.source {
                        EnvFromRef::ConfigMapRef { name, optional } => self.one(
                            out,
                            ns,
                            &format!("{cpath}.envFrom[{j}].configMapRef.name"),
                            false,
                            name,
                            None,
                            *optional,
                            false,
                        ),
                        EnvFromRef::SecretRef { name, optional } => self.one(
                            out,
                            ns,
                            &format!("{cpath}.envFrom[{j}].secretRef.name"),
                            true,
                            name,
                            None,
                            *optional,
                            false,
                        ),
                    }
                }
            }
        }
        for (i, v) in spec.volumes.iter().enumerate() {
            let vpath = format!("{base}.volumes[{i}]");
            self.volume(out, ns, &vpath, &v.source);
        }
    }

    fn volume(&self, out: &mut Out, ns: &str, vpath: &str, source: &VolumeSource) {
        match source {
            VolumeSource::ConfigMap {
                name,
                items,
                optional,
                ..
            } => {
                self.one(
                    out,
                    ns,
                    &format!("{vpath}.configMap.name"),
                    false,
                    name,
                    None,
                    *optional,
                    true,
                );
                for it in items {
                    if self.lookup(false, ns, name).is_some() {
                        self.one(
                            out,
                            ns,
                            &format!("{vpath}.configMap.name"),
                            false,
                            name,
                            Some(&it.key),
                            *optional,
                            true,
                        );
                    }
                }
            }
            VolumeSource::Secret {
                secret_name,
                items,
                optional,
                ..
            } => {
                self.one(
                    out,
                    ns,
                    &format!("{vpath}.secret.secretName"),
                    true,
                    secret_name,
                    None,
                    *optional,
                    true,
                );
                for it in items {
                    if self.lookup(true, ns, secret_name).is_some() {
                        self.one(
                            out,
                            ns,
                            &format!("{vpath}.secret.secretName"),
                            true,
                            secret_name,
                            Some(&it.key),
                            *optional,
                            true,
                        );
                    }
                }
            }
            VolumeSource::Projected { sources, .. } => {
                for (k, s) in sources.iter().enumerate() {
                    self.volume(out, ns, &format!("{vpath}.projected.sources[{k}]"), s);
                }
            }
            _ => {}
        }
    }
}
