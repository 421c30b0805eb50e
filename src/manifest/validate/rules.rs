//! The API server's rules on a Pod (and on templates), one function each,
//! run on the model the walker built. Each reports through [`Cx`] so the
//! finding points at the line where the offending value was written.

use std::collections::{BTreeMap, HashMap};

use super::names::{is_port_name, suggest_label};
use super::walk::{Cx, closest};
use crate::manifest::finding::Severity;
use crate::manifest::model::{Container, LabelSelector, PodSpec, RestartPolicy};

/// Pod-level rules, with `base` the path of the pod spec.
pub fn check_pod_spec(cx: &mut Cx, base: &str, spec: &PodSpec) {
    unique_container_names(cx, base, spec);
    unique_volume_names(cx, base, spec);
    mounts_name_declared_volumes(cx, base, spec);
    duplicate_container_ports(cx, base, spec);
}

/// Container-level rules, run at the container's path.
pub fn check_container(cx: &mut Cx, c: &Container, init: bool) {
    container_restart_policy(cx, c, init);
    init_container_probes_forbidden(cx, c, init);
    probe_success_threshold(cx, c);
    limits_not_below_requests(cx, c);
    unique_mount_paths(cx, c);
}

fn list_paths<'a>(base: &str, spec: &'a PodSpec) -> Vec<(String, &'a Container)> {
    let init = spec
        .init_containers
        .iter()
        .enumerate()
        .map(|(i, c)| (format!("{base}.initContainers[{i}]"), c));
    let app = spec
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| (format!("{base}.containers[{i}]"), c));
    init.chain(app).collect()
}

/// Container names are unique across init and app containers.
pub fn unique_container_names(cx: &mut Cx, base: &str, spec: &PodSpec) {
    let mut seen: HashMap<&str, String> = HashMap::new();
    for (path, c) in list_paths(base, spec) {
        if c.name.is_empty() {
            continue;
        }
        if let Some(first) = seen.get(c.name.as_str()) {
            let p = format!("{path}.name");
            let pos = cx.pos_of(&p);
            let help = format!(
                "every container in a pod needs its own name (the first \"{}\" is {first}); rename this one, e.g. `name: {}-2`",
                c.name, c.name
            );
            cx.report_path(
                Severity::Error,
                "duplicate-name",
                pos,
                p,
                format!("duplicate container name \"{}\"", c.name),
                Some(help),
            );
        } else {
            seen.insert(&c.name, path);
        }
    }
}

/// Volume names are unique.
pub fn unique_volume_names(cx: &mut Cx, base: &str, spec: &PodSpec) {
    let mut seen = HashMap::new();
    for (i, v) in spec.volumes.iter().enumerate() {
        if seen.insert(v.name.as_str(), i).is_some() {
            let p = format!("{base}.volumes[{i}].name");
            let pos = cx.pos_of(&p);
            cx.report_path(Severity::Error, "duplicate-name", pos, p, format!("duplicate volume name \"{}\"", v.name), Some("each volume needs its own name; mount one volume in several containers instead of declaring it twice".into()));
        }
    }
}

/// Every volumeMount names a declared volume.
pub fn mounts_name_declared_volumes(cx: &mut Cx, base: &str, spec: &PodSpec) {
    let names: Vec<&str> = spec.volumes.iter().map(|v| v.name.as_str()).collect();
    for (path, c) in list_paths(base, spec) {
        for (j, m) in c.volume_mounts.iter().enumerate() {
            if m.name.is_empty() || names.contains(&m.name.as_str()) {
                continue;
            }
            let p = format!("{path}.volumeMounts[{j}].name");
            let pos = cx.pos_of(&p);
            let help = match closest(&m.name, &names) {
                Some(s) => format!("did you mean `name: {s}`?"),
                None if names.is_empty() => format!(
                    "declare it under the pod's `volumes:`, e.g.\n  volumes:\n  - name: {}\n    emptyDir: {{}}",
                    m.name
                ),
                None => format!(
                    "the pod declares these volumes: {}; or add \"{}\" under `volumes:`",
                    names.join(", "),
                    m.name
                ),
            };
            cx.report_path(
                Severity::Error,
                "volume-not-found",
                pos,
                p,
                format!("volume \"{}\" is not declared in {base}.volumes", m.name),
                Some(help),
            );
        }
    }
}

/// No two mounts at the same mountPath in one container.
pub fn unique_mount_paths(cx: &mut Cx, c: &Container) {
    let mut seen = HashMap::new();
    for (j, m) in c.volume_mounts.iter().enumerate() {
        let path = m.mount_path.trim_end_matches('/');
        if let Some(first) = seen.insert(path.to_string(), j) {
            let p = format!("{}.volumeMounts[{j}].mountPath", cx.path());
            let pos = cx.pos_of(&p);
            cx.report_path(
                Severity::Error,
                "duplicate-mount-path",
                pos,
                p,
                format!(
                    "mountPath \"{}\" is already used by volumeMounts[{first}]",
                    m.mount_path
                ),
                Some(
                    "two volumes cannot appear at the same place; give this one another mountPath"
                        .into(),
                ),
            );
        }
    }
}

/// `restartPolicy` on a container: forbidden on app containers, only `Always` on init containers.
pub fn container_restart_policy(cx: &mut Cx, c: &Container, init: bool) {
    let Some(rp) = c.restart_policy else { return };
    let p = cx.child("restartPolicy");
    let pos = cx.pos_of(&p);
    if !init {
        cx.report_path(Severity::Error, "container-restart-policy", pos, p, "Forbidden: `restartPolicy` may not be set on an app container", Some("set the pod's `spec.restartPolicy` instead; on a container it exists only to make an init container a sidecar".into()));
    } else if rp != RestartPolicy::Always {
        cx.report_path(Severity::Error, "container-restart-policy", pos, p, format!("unsupported value \"{}\": an init container's restartPolicy can only be \"Always\"", rp.as_str()), Some("`restartPolicy: Always` makes it a native sidecar; remove the field for a normal init container".into()));
    }
}

/// Probes and lifecycle hooks are forbidden on regular (non-sidecar) init containers.
pub fn init_container_probes_forbidden(cx: &mut Cx, c: &Container, init: bool) {
    if !init || c.is_sidecar() {
        return;
    }
    let set = [
        ("livenessProbe", c.liveness_probe.is_some()),
        ("readinessProbe", c.readiness_probe.is_some()),
        ("startupProbe", c.startup_probe.is_some()),
        ("lifecycle", c.lifecycle.is_some()),
    ];
    for (field, present) in set {
        if present {
            let p = cx.child(field);
            let pos = cx.key_pos_of(&p);
            cx.report_path(Severity::Error, "init-probe-forbidden", pos, p, format!("Forbidden: an init container may not have a {field}"), Some("an init container runs to completion before the app starts, so there is nothing to probe; add `restartPolicy: Always` to make it a sidecar, or move the probe to an app container".into()));
        }
    }
}

/// `successThreshold` must be 1 for liveness and startup probes.
pub fn probe_success_threshold(cx: &mut Cx, c: &Container) {
    for (field, probe) in [
        ("livenessProbe", &c.liveness_probe),
        ("startupProbe", &c.startup_probe),
    ] {
        if let Some(p) = probe
            && p.success_threshold != 1
        {
            let path = format!("{}.{field}.successThreshold", cx.path());
            let pos = cx.pos_of(&path);
            cx.report_path(Severity::Error, "success-threshold", pos, path, format!("successThreshold must be 1 for a {field}, not {}", p.success_threshold), Some("one success is enough to count as alive or started; only readinessProbe may ask for more. Remove the field".into()));
        }
    }
}

/// A limit is never below its request.
pub fn limits_not_below_requests(cx: &mut Cx, c: &Container) {
    for (res, req) in &c.resources.requests {
        if let Some(lim) = c.resources.limits.get(res)
            && lim < req
        {
            let path = format!("{}.resources.requests.{res}", cx.path());
            let pos = cx.pos_of(&path);
            cx.report_path(Severity::Error, "limit-below-request", pos, path, format!("the {res} request {req} is more than its limit {lim}"), Some(format!("a request must be less than or equal to the limit: lower the request or raise `limits.{res}`")));
        }
    }
}

/// Two containers declaring one containerPort: a warning about the shared port space.
pub fn duplicate_container_ports(cx: &mut Cx, base: &str, spec: &PodSpec) {
    let mut seen: BTreeMap<(u16, &str), String> = BTreeMap::new();
    for (path, c) in list_paths(base, spec) {
        for (j, p) in c.ports.iter().enumerate() {
            let key = (p.container_port, p.protocol.as_str());
            if let Some(first) = seen.get(&key) {
                if !first.starts_with(&path) {
                    let fp = format!("{path}.ports[{j}].containerPort");
                    let pos = cx.pos_of(&fp);
                    cx.report_path(Severity::Warning, "duplicate-port", pos, fp, format!("containerPort {} is also declared by {first}", p.container_port), Some("containers of a pod share one network namespace: only one of them can listen on a port. The second to bind it fails with \"address already in use\"".into()));
                }
            } else {
                seen.insert(key, path.clone());
            }
        }
    }
}

/// A port number is 1-65535. Returns it as `u16` when valid.
pub fn check_port_range(cx: &mut Cx, port: Option<i64>) -> Option<u16> {
    let v = port?;
    if (1..=65535).contains(&v) {
        return Some(v as u16);
    }
    let pos = cx.pos_of(cx.path());
    cx.error(
        "port-range",
        pos,
        format!("port {v} is out of range: must be between 1 and 65535"),
        "ports are numbers from 1 to 65535; web servers often use 80 or 8080",
    );
    None
}

/// A port name is an IANA service name: at most 15 lowercase letters, digits and '-'.
pub fn check_port_name(cx: &mut Cx, name: &str) {
    if is_port_name(name) {
        return;
    }
    let path = if cx.path().ends_with("port") || cx.path().ends_with("targetPort") {
        cx.path().to_string()
    } else {
        cx.child("name")
    };
    let pos = cx.pos_of(&path);
    let suggestion: String = suggest_label(name).chars().take(15).collect();
    cx.report_path(Severity::Error, "invalid-port-name", pos, path, format!("invalid port name \"{name}\": at most 15 lowercase letters, digits and '-', with at least one letter"), Some(format!("try `{suggestion}`")));
}

/// A controller's selector must select its own template's labels.
pub fn check_selector_matches(
    cx: &mut Cx,
    selector: &LabelSelector,
    labels: &BTreeMap<String, String>,
) {
    if selector.match_labels.is_empty() && selector.match_expressions.is_empty() {
        return;
    }
    if !selector.matches(labels) {
        let p = cx.child("template.metadata.labels");
        let pos = cx.pos_of(&p);
        let want: Vec<String> = selector
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        cx.report_path(Severity::Error, "selector-mismatch", pos, p, "`selector` does not match the template's `labels`", Some(format!("the pods it creates must carry the labels it selects: add {} under `template.metadata.labels`", want.join(", "))));
    }
}

/// Deployments, ReplicaSets, StatefulSets and DaemonSets need `restartPolicy: Always`.
pub fn check_template_restart_always(cx: &mut Cx, kind: &str, spec: &PodSpec) {
    if spec.restart_policy != RestartPolicy::Always {
        let p = cx.child("template.spec.restartPolicy");
        let pos = cx.pos_of(&p);
        cx.report_path(
            Severity::Error,
            "unsupported-value",
            pos,
            p,
            format!(
                "unsupported value \"{}\": a {kind} only allows \"Always\"",
                spec.restart_policy.as_str()
            ),
            Some("its pods are meant to run forever; for work that finishes, use a Job".into()),
        );
    }
}

/// A Job's pods need `restartPolicy: OnFailure` or `Never`.
pub fn check_job_restart_policy(cx: &mut Cx, spec: &PodSpec) {
    if spec.restart_policy == RestartPolicy::Always {
        let p = cx.child("template.spec.restartPolicy");
        let pos = cx.pos_of(&p);
        cx.report_path(Severity::Error, "required", pos, p, "a Job's pod template needs `restartPolicy: OnFailure` or `Never` (the default, Always, is not allowed)", Some("add `restartPolicy: Never` under `template.spec`".into()));
    }
}

/// A cron schedule has five fields (or a macro like `@hourly`).
pub fn check_cron_schedule(cx: &mut Cx, schedule: &str) {
    let macros = [
        "@yearly",
        "@annually",
        "@monthly",
        "@weekly",
        "@daily",
        "@midnight",
        "@hourly",
    ];
    let fields = schedule.split_whitespace().count();
    if schedule.is_empty() || macros.contains(&schedule.trim()) || fields == 5 {
        return;
    }
    let p = cx.child("schedule");
    let pos = cx.pos_of(&p);
    cx.report_path(Severity::Error, "invalid-schedule", pos, p, format!("invalid schedule \"{schedule}\": expected 5 fields, found {fields}"), Some("minute hour day-of-month month day-of-week, e.g. `\"*/5 * * * *\"` (quote it: `*` starts an alias in YAML)".into()));
}
