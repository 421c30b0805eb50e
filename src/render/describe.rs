//! `kubectl describe pod`: the same sections, order and wording as kubectl's
//! `describePod` (`staging/src/k8s.io/kubectl/pkg/describe/describe.go`),
//! aligned with its tabwriter settings (padding 2; the events table is
//! flushed and aligned on its own), then a short note on where podlearn's
//! pods differ from a node's.

use std::io;
use std::time::SystemTime;

use crate::manifest::{Container, Pod, PodSpec, VolumeSource};
use crate::phase::age;
use crate::status::{Event, PodStatus};
use crate::term::Style;

use super::{align, rfc1123z};

mod container;

use container::containers;
pub use container::describe_probe;

/// `kubectl describe pod`, without color.
pub fn describe_pod(
    pod: &Pod,
    status: &PodStatus,
    now: SystemTime,
    w: &mut dyn io::Write,
) -> io::Result<()> {
    describe_pod_styled(pod, status, now, Style::PLAIN, w)
}

/// `kubectl describe pod`; `style` only touches the closing note.
pub fn describe_pod_styled(
    pod: &Pod,
    status: &PodStatus,
    now: SystemTime,
    style: Style,
    w: &mut dyn io::Write,
) -> io::Result<()> {
    let node = crate::podenv::NodeInfo::default();
    let spec = &pod.spec;
    let mut t = String::new();
    let mut line = |s: String| {
        t.push_str(&s);
        t.push('\n');
    };
    line(format!("Name:\t{}", pod.metadata.name));
    line(format!("Namespace:\t{}", pod.metadata.namespace));
    line("Priority:\t0".into());
    line("Service Account:\tdefault".into());
    let node_name = spec.node_name.clone().unwrap_or(node.name.clone());
    line(format!("Node:\t{node_name}/{}", node.host_ip));
    if let Some(start) = status.start_time {
        line(format!("Start Time:\t{}", rfc1123z(start)));
    }
    multiline(&mut line, "Labels", &pod.metadata.labels);
    multiline(&mut line, "Annotations", &pod.metadata.annotations);
    line(format!("Status:\t{}", status.phase.as_str()));
    if let Some(reason) = &status.reason {
        line(format!("Reason:\t{reason}"));
    }
    if let Some(message) = &status.message {
        line(format!("Message:\t{message}"));
    }
    let ip = status.pod_ip.clone().unwrap_or_default();
    line(format!("IP:\t{ip}"));
    if ip.is_empty() {
        line("IPs:\t<none>".into());
    } else {
        line("IPs:".into());
        line(format!("  IP:\t{ip}"));
    }
    if !spec.init_containers.is_empty() {
        containers(
            &mut line,
            "Init Containers",
            &spec.init_containers,
            &status.init_container_statuses,
        );
    }
    containers(
        &mut line,
        "Containers",
        &spec.containers,
        &status.container_statuses,
    );
    if !status.conditions.is_empty() {
        line("Conditions:".into());
        line("  Type\tStatus".into());
        for c in &status.conditions {
            line(format!("  {} \t{} ", c.kind, c.status));
        }
    }
    volumes(&mut line, spec);
    line(format!("QoS Class:\t{}", qos_class(spec)));
    multiline(&mut line, "Node-Selectors", &spec.node_selector);
    let tolerations: Vec<String> = spec.tolerations.iter().map(toleration).collect();
    match tolerations.split_first() {
        None => line("Tolerations:\t<none>".into()),
        Some((first, rest)) => {
            line(format!("Tolerations:\t{first}"));
            rest.iter().for_each(|t| line(format!("\t{t}")));
        }
    }
    // kubectl flushes before the events table, so it aligns on its own; an
    // empty `Events:\t<none>` stays in the block above.
    let out = if status.events.is_empty() {
        t.push_str("Events:\t<none>\n");
        align(&t, 2)
    } else {
        align(&t, 2) + &align(&events(&status.events, now), 2)
    };
    w.write_all(out.as_bytes())?;
    let notes = differences_from_a_node(spec);
    writeln!(w)?;
    writeln!(
        w,
        "{}",
        style.note("Differences from a node (podlearn runs this pod on Docker):")
    )?;
    for n in notes {
        writeln!(w, "  - {n}")?;
    }
    Ok(())
}

/// What a learner should know about this pod on podlearn versus a node.
pub fn differences_from_a_node(spec: &PodSpec) -> Vec<String> {
    let mut notes = vec![
        "The hostname lives in the pod's sandbox container: every container sees it, but `hostname NEW` inside one container does not reach the others.".to_string(),
    ];
    if spec.share_process_namespace {
        notes.push(
            "With shareProcessNamespace, PID 1 is Docker's init (docker-init), not /pause."
                .to_string(),
        );
    }
    notes
}

fn multiline(
    line: &mut impl FnMut(String),
    title: &str,
    map: &std::collections::BTreeMap<String, String>,
) {
    if map.is_empty() {
        line(format!("{title}:\t<none>"));
        return;
    }
    for (i, (k, v)) in map.iter().enumerate() {
        if i == 0 {
            line(format!("{title}:\t{k}={v}"));
        } else {
            line(format!("\t{k}={v}"));
        }
    }
}

fn volumes(line: &mut impl FnMut(String), spec: &PodSpec) {
    if spec.volumes.is_empty() {
        line("Volumes:\t<none>".into());
        return;
    }
    line("Volumes:".into());
    for v in &spec.volumes {
        line(format!("  {}:", v.name));
        volume_source(line, &v.source);
    }
}

fn volume_source(line: &mut impl FnMut(String), source: &VolumeSource) {
    match source {
        VolumeSource::EmptyDir { medium, size_limit } => {
            line("    Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)".into());
            line(format!("    Medium:\t{medium}"));
            let limit = size_limit
                .as_ref()
                .map_or("<unset>".to_string(), |q| q.to_string());
            line(format!("    SizeLimit:\t{limit}"));
        }
        VolumeSource::HostPath { path, kind } => {
            line("    Type:\tHostPath (bare host directory volume)".into());
            line(format!("    Path:\t{path}"));
            line(format!(
                "    HostPathType:\t{}",
                kind.as_deref().unwrap_or("")
            ));
        }
        VolumeSource::ConfigMap { name, optional, .. } => {
            line("    Type:\tConfigMap (a volume populated by a ConfigMap)".into());
            line(format!("    Name:\t{name}"));
            line(format!("    Optional:\t{optional}"));
        }
        VolumeSource::Secret {
            secret_name,
            optional,
            ..
        } => {
            line("    Type:\tSecret (a volume populated by a Secret)".into());
            line(format!("    SecretName:\t{secret_name}"));
            line(format!("    Optional:\t{optional}"));
        }
        VolumeSource::DownwardApi { items, .. } => {
            line("    Type:\tDownwardAPI (a volume populated by information about the pod)".into());
            line("    Items:".into());
            for item in items {
                if let Some(f) = &item.field_path {
                    line(format!("      {f} -> {}", item.path));
                }
                if let Some((_, resource)) = &item.resource_field {
                    line(format!("      {resource} -> {}", item.path));
                }
            }
        }
        VolumeSource::Projected { sources, .. } => {
            line(
                "    Type:\tProjected (a volume that contains injected data from multiple sources)"
                    .into(),
            );
            for s in sources {
                match s {
                    VolumeSource::Secret {
                        secret_name,
                        optional,
                        ..
                    } => {
                        line(format!("    SecretName:\t{secret_name}"));
                        line(format!("    SecretOptionalName:\t{optional}"));
                    }
                    VolumeSource::ConfigMap { name, optional, .. } => {
                        line(format!("    ConfigMapName:\t{name}"));
                        line(format!("    ConfigMapOptional:\t{optional}"));
                    }
                    VolumeSource::DownwardApi { .. } => line("    DownwardAPI:\ttrue".into()),
                    _ => {}
                }
            }
        }
        VolumeSource::PersistentVolumeClaim {
            claim_name,
            read_only,
        } => {
            line("    Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)".into());
            line(format!("    ClaimName:\t{claim_name}"));
            line(format!("    ReadOnly:\t{read_only}"));
        }
    }
}

/// The pod's QoS class: BestEffort without any request or limit,
/// Guaranteed when every container has CPU and memory limits equal to its
/// requests (requests default to limits), else Burstable.
pub fn qos_class(spec: &PodSpec) -> &'static str {
    let all: Vec<&Container> = spec.all_containers().collect();
    let none = all
        .iter()
        .all(|c| c.resources.limits.is_empty() && c.resources.requests.is_empty());
    if none {
        return "BestEffort";
    }
    let guaranteed = all.iter().all(|c| {
        ["cpu", "memory"]
            .iter()
            .all(|r| match c.resources.limits.get(*r) {
                Some(limit) => c.resources.requests.get(*r).is_none_or(|req| req == limit),
                None => false,
            })
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

fn toleration(t: &serde_json::Value) -> String {
    let s = |k: &str| t.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let (key, value, effect, op) = (s("key"), s("value"), s("effect"), s("operator"));
    let mut out = key.clone();
    if !value.is_empty() {
        out.push_str(&format!("={value}"));
    }
    if !effect.is_empty() {
        out.push_str(&format!(":{effect}"));
    }
    if op == "Exists" && value.is_empty() {
        out.push_str(if key.is_empty() && effect.is_empty() {
            "op=Exists"
        } else {
            " op=Exists"
        });
    }
    if let Some(secs) = t.get("tolerationSeconds").and_then(|v| v.as_i64()) {
        out.push_str(&format!(" for {secs}s"));
    }
    out
}

/// The Events table; repeated events (same type, reason, object and message)
/// are folded into one line as the API's event series are:
/// `25s (x3 over 2m)`.
fn events(list: &[Event], now: SystemTime) -> String {
    // (first, last, count, event), in order of first occurrence.
    let mut folded: Vec<(SystemTime, SystemTime, usize, &Event)> = Vec::new();
    for e in list {
        match folded.iter_mut().find(|(_, _, _, f)| {
            f.kind == e.kind
                && f.reason == e.reason
                && f.object == e.object
                && f.message == e.message
        }) {
            Some(entry) => {
                entry.1 = entry.1.max(e.time);
                entry.2 += 1;
            }
            None => folded.push((e.time, e.time, 1, e)),
        }
    }
    folded.sort_by_key(|(first, ..)| *first);
    let mut t = String::from(
        "Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n",
    );
    for (first, last, count, e) in folded {
        let interval = if count > 1 {
            format!("{} (x{count} over {})", age(last, now), age(first, now))
        } else {
            age(first, now)
        };
        t.push_str(&format!(
            "  {}\t{}\t{interval}\t{}\t{}\n",
            e.kind,
            e.reason,
            e.source,
            e.message.trim()
        ));
    }
    t
}
