//! From podlearn's records to the Kubernetes API's own objects
//! (`k8s-openapi`): a Pod as the learner wrote it, with its live status; the
//! server-side Table kubectl prints; the Status of an error.

use std::collections::BTreeMap;
use std::time::SystemTime;

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use k8s_openapi::chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::runtime::PodRecord;
use crate::status::{ContainerState, ContainerStatus, PodStatus};

/// Whole seconds since the epoch (the API's times have no fraction).
pub fn seconds(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

pub fn time(t: SystemTime) -> meta::Time {
    meta::Time(DateTime::<Utc>::from_timestamp(seconds(t) as i64, 0).unwrap_or_default())
}

/// The document of `text` (a manifest, perhaps of several documents) that
/// is the Pod `namespace/name`, as the API's type.
pub fn written_pod(text: &str, namespace: &str, name: &str) -> Option<core::Pod> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(text).ok()?;
    docs.into_iter()
        .filter(|d| d.get("kind").and_then(Value::as_str) == Some("Pod"))
        .filter_map(|d| serde_json::from_value::<core::Pod>(d).ok())
        .find(|p| {
            p.metadata.name.as_deref() == Some(name)
                && p.metadata.namespace.as_deref().unwrap_or("default") == namespace
        })
}

/// The Pod's `metadata.uid`.
pub fn pod_uid(record: &PodRecord) -> String {
    uid(&record.sandbox_id)
}

/// A stable id for the Pod, shaped like a UID, from its sandbox's id.
fn uid(sandbox_id: &str) -> String {
    let hex: String = sandbox_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .chain(std::iter::repeat('0'))
        .take(32)
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The Pod as the API shows it: the spec written (recorded on the engine),
/// the metadata a server adds, and the status podlearn's kubelet reports.
pub fn pod(record: &PodRecord) -> core::Pod {
    let written = record
        .labels
        .get(crate::runtime::MANIFEST_LABEL)
        .and_then(|t| written_pod(t, &record.namespace, &record.name));
    let mut pod = written.unwrap_or_else(|| core::Pod {
        spec: Some(core::PodSpec {
            containers: record
                .pod
                .spec
                .containers
                .iter()
                .map(|c| core::Container {
                    name: c.name.clone(),
                    image: Some(c.image.clone()),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }),
        ..Default::default()
    });
    let m = &mut pod.metadata;
    m.name = Some(record.name.clone());
    m.namespace = Some(record.namespace.clone());
    m.uid = Some(pod_uid(record));
    m.creation_timestamp = record.status.start_time.map(time);
    if let Some(t) = record.deletion_started() {
        m.deletion_timestamp = Some(time(t));
        m.deletion_grace_period_seconds =
            Some(record.pod.spec.termination_grace_period_seconds as i64);
    }
    if let Some(spec) = pod.spec.as_mut() {
        spec.node_name = Some("podlearn".into());
        spec.restart_policy.get_or_insert_with(|| "Always".into());
    }
    pod.status = Some(status(&record.status));
    pod.metadata.resource_version = Some(super::watch::version_of(&pod));
    pod
}

/// podlearn's status in the API's words.
pub fn status(st: &PodStatus) -> core::PodStatus {
    core::PodStatus {
        phase: Some(st.phase.as_str().to_string()),
        reason: st.reason.clone(),
        message: st.message.clone(),
        pod_ip: st.pod_ip.clone(),
        pod_ips: st
            .pod_ip
            .as_ref()
            .map(|ip| vec![core::PodIP { ip: ip.clone() }]),
        host_ip: Some("127.0.0.1".into()),
        start_time: st.start_time.map(time),
        conditions: Some(
            st.conditions
                .iter()
                .map(|c| core::PodCondition {
                    type_: c.kind.clone(),
                    status: c.status.clone(),
                    reason: c.reason.clone(),
                    ..Default::default()
                })
                .collect(),
        ),
        init_container_statuses: Some(
            st.init_container_statuses
                .iter()
                .map(container_status)
                .collect(),
        ),
        container_statuses: Some(st.container_statuses.iter().map(container_status).collect()),
        qos_class: Some("BestEffort".into()),
        ..Default::default()
    }
}

fn container_state(s: &ContainerState) -> core::ContainerState {
    match s {
        ContainerState::Waiting { reason, message } => core::ContainerState {
            waiting: Some(core::ContainerStateWaiting {
                reason: Some(reason.clone()),
                message: message.clone(),
            }),
            ..Default::default()
        },
        ContainerState::Running { started_at } => core::ContainerState {
            running: Some(core::ContainerStateRunning {
                started_at: Some(time(*started_at)),
            }),
            ..Default::default()
        },
        ContainerState::Terminated {
            exit_code,
            reason,
            message,
            signal,
            started_at,
            finished_at,
        } => core::ContainerState {
            terminated: Some(core::ContainerStateTerminated {
                exit_code: *exit_code as i32,
                reason: Some(reason.clone()),
                message: message.clone(),
                signal: signal.map(|s| s as i32),
                started_at: Some(time(*started_at)),
                finished_at: Some(time(*finished_at)),
                container_id: None,
            }),
            ..Default::default()
        },
    }
}

fn container_status(c: &ContainerStatus) -> core::ContainerStatus {
    core::ContainerStatus {
        name: c.name.clone(),
        image: c.image.clone(),
        image_id: String::new(),
        container_id: c.container_id.as_ref().map(|id| format!("docker://{id}")),
        ready: c.ready,
        started: Some(c.started),
        restart_count: c.restart_count as i32,
        state: Some(container_state(&c.state)),
        last_state: c.last_state.as_ref().map(container_state),
        ..Default::default()
    }
}

/// `kubectl get pods`' columns, as a server's Table gives them (the wide
/// ones have priority 1).
const POD_COLUMNS: [(&str, &str, u8); 9] = [
    ("Name", "name", 0),
    ("Ready", "", 0),
    ("Status", "", 0),
    ("Restarts", "", 0),
    ("Age", "", 0),
    ("IP", "", 1),
    ("Node", "", 1),
    ("Nominated Node", "", 1),
    ("Readiness Gates", "", 1),
];

/// A Table of pods, as the API server answers `Accept: ...;as=Table`.
pub fn pod_table(records: &[PodRecord], include_object: bool) -> Value {
    let now = SystemTime::now();
    let columns: Vec<Value> = POD_COLUMNS
        .iter()
        .map(|(name, format, priority)| {
            json!({"name": name, "type": "string", "format": format,
                   "description": "", "priority": priority})
        })
        .collect();
    let pods: Vec<core::Pod> = records.iter().map(pod).collect();
    let rows: Vec<Value> = records
        .iter()
        .zip(&pods)
        .map(|(r, p)| {
            let cells = json!([
                r.name,
                crate::phase::ready_column(&r.pod.spec, &r.status),
                crate::phase::status_column(
                    &r.pod.spec,
                    &r.status,
                    p.metadata.deletion_timestamp.is_some()
                ),
                crate::phase::restarts_column(&r.status, now),
                r.status
                    .start_time
                    .map(|t| crate::phase::age(t, now))
                    .unwrap_or_else(|| "0s".into()),
                r.status.pod_ip.clone().unwrap_or_else(|| "<none>".into()),
                "podlearn",
                "<none>",
                "<none>",
            ]);
            let object = if include_object {
                serde_json::to_value(p).unwrap_or(Value::Null)
            } else {
                json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                       "metadata": p.metadata})
            };
            json!({"cells": cells, "object": object})
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": super::watch::list_version(&pods)},
        "columnDefinitions": columns,
        "rows": rows,
    })
}

/// A list of pods, as the API's type.
pub fn pod_list(records: &[PodRecord]) -> Value {
    let items: Vec<core::Pod> = records.iter().map(pod).collect();
    json!({
        "kind": "PodList",
        "apiVersion": "v1",
        "metadata": {"resourceVersion": super::watch::list_version(&items)},
        "items": items,
    })
}

/// An error as the API server reports it.
pub fn error_status(code: u16, reason: &str, message: &str, name: Option<&str>) -> meta::Status {
    meta::Status {
        code: Some(code as i32),
        reason: Some(reason.into()),
        message: Some(message.into()),
        status: Some("Failure".into()),
        details: name.map(|n| meta::StatusDetails {
            name: Some(n.into()),
            kind: Some("pods".into()),
            ..Default::default()
        }),
        metadata: meta::ListMeta::default(),
    }
}

/// Whether a record's labels match a `labelSelector` (`a=b,c!=d,e`, `!f`).
/// Returns `Err` with the part that is not understood.
pub fn selector_matches(selector: &str, labels: &BTreeMap<String, String>) -> Result<bool, String> {
    for term in selector.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let ok = if let Some((k, v)) = term.split_once("!=") {
            labels.get(k.trim()).map(String::as_str) != Some(v.trim())
        } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            labels.get(k.trim()).map(String::as_str) == Some(v.trim())
        } else if let Some(k) = term.strip_prefix('!') {
            !labels.contains_key(k.trim())
        } else if term.contains(' ') || term.contains('(') {
            return Err(term.to_string());
        } else {
            labels.contains_key(term)
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_pod_is_found_among_documents() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n---\n\
                    apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\n\
                    spec:\n  containers:\n  - {name: c, image: busybox}\n";
        let p = written_pod(text, "default", "web").unwrap();
        assert_eq!(p.metadata.labels.unwrap()["app"], "web");
        assert_eq!(p.spec.unwrap().containers[0].name, "c");
        assert!(written_pod(text, "other", "web").is_none());
    }

    #[test]
    fn label_selectors_as_kubectl_writes_them() {
        let l = BTreeMap::from([("app".to_string(), "web".to_string())]);
        assert_eq!(selector_matches("app=web", &l), Ok(true));
        assert_eq!(selector_matches("app==web,!tier", &l), Ok(true));
        assert_eq!(selector_matches("app!=web", &l), Ok(false));
        assert_eq!(selector_matches("tier", &l), Ok(false));
        assert!(selector_matches("app in (web)", &l).is_err());
    }

    #[test]
    fn a_uid_is_shaped_like_one() {
        assert_eq!(
            uid("0123456789abcdef0123456789abcdef99"),
            "01234567-89ab-cdef-0123-456789abcdef"
        );
        assert_eq!(uid("ab").len(), 36);
    }
}
