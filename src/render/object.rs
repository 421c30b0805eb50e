//! `kubectl get pod -o yaml` / `-o json`: the pod as the API would return it,
//! `apiVersion`, `kind`, `metadata`, `spec`, `status`, with kubectl's key
//! order (sorted) and field names.
//!
//! The model serializes close to the API; this module reshapes the few places
//! where it differs (a probe's handler is inlined, `valueFrom`/`envFrom`/volume
//! sources are inlined, capabilities are nested, `false` flags the API omits
//! are dropped).

use serde_json::{Map, Value, json};

use crate::manifest::Pod;
use crate::podenv::pod_uid;
use crate::status::PodStatus;

/// The pod as a JSON value shaped like the API object.
pub fn pod_value(pod: &Pod, status: &PodStatus) -> Value {
    let mut metadata = to_value(&pod.metadata);
    if let Value::Object(m) = &mut metadata {
        m.insert("uid".into(), Value::String(pod_uid(pod)));
        if let Some(t) = status.start_time {
            m.insert(
                "creationTimestamp".into(),
                Value::String(humantime::format_rfc3339_seconds(t).to_string()),
            );
        }
    }
    let mut spec = to_value(&pod.spec);
    if let Value::Object(m) = &mut spec {
        m.entry("schedulerName")
            .or_insert_with(|| json!("default-scheduler"));
        m.entry("serviceAccountName")
            .or_insert_with(|| json!("default"));
        m.entry("nodeName")
            .or_insert_with(|| json!(crate::podenv::NodeInfo::default().name));
    }
    let mut status_value = to_value(status);
    if let Value::Object(m) = &mut status_value {
        if let Some(ip) = &status.pod_ip {
            m.insert("podIPs".into(), json!([{ "ip": ip }]));
        }
        if status.init_container_statuses.is_empty() {
            m.remove("initContainerStatuses");
        }
        // The Docker container behind each status, as `containerID: docker://...`.
        for (key, list) in [
            ("initContainerStatuses", &status.init_container_statuses),
            ("containerStatuses", &status.container_statuses),
        ] {
            if let Some(Value::Array(items)) = m.get_mut(key) {
                for (item, s) in items.iter_mut().zip(list) {
                    if let (Value::Object(o), Some(id)) = (item, &s.container_id) {
                        o.insert("containerID".into(), json!(format!("docker://{id}")));
                    }
                }
            }
        }
        m.insert(
            "hostIP".into(),
            json!(crate::podenv::NodeInfo::default().host_ip),
        );
    }
    let mut value = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": spec,
        "status": status_value,
    });
    reshape(&mut value, "");
    value
}

/// `kubectl get pod -o yaml`.
pub fn pod_yaml(pod: &Pod, status: &PodStatus) -> String {
    // A Value of strings, numbers, bools, arrays and maps always serializes.
    serde_saphyr::to_string(&pod_value(pod, status)).unwrap_or_default()
}

/// `kubectl get pod -o json` (four-space indent, as kubectl prints it).
pub fn pod_json(pod: &Pod, status: &PodStatus) -> String {
    use serde::Serialize;
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Writing a Value into a Vec cannot fail.
    let _ = pod_value(pod, status).serialize(&mut ser);
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Maps whose keys are the learner's data, left as written.
const DATA_MAPS: &[&str] = &[
    "labels",
    "annotations",
    "nodeSelector",
    "limits",
    "requests",
    "affinity",
    "data",
];

/// Booleans the API leaves out when false.
const OMIT_FALSE: &[&str] = &[
    "shareProcessNamespace",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "stdin",
    "tty",
    "readOnly",
    "privileged",
    "readOnlyRootFilesystem",
    // `optional` is a pointer in the API: unset unless the learner wrote it.
    "optional",
];

fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Fix the model's serde shape into the API's, recursively. `parent` is the
/// key this value sits under.
fn reshape(value: &mut Value, parent: &str) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| reshape(v, parent)),
        Value::Object(map) => {
            if DATA_MAPS.contains(&parent) {
                return;
            }
            let old = std::mem::take(map);
            let mut new = Map::new();
            for (k, v) in old {
                let key = match k.as_str() {
                    // Inlined one level: the API has these at the parent level.
                    "handler" | "source" => {
                        if let Value::Object(inner) = v {
                            for (ik, mut iv) in inner {
                                let ik = api_key(&camel(&ik));
                                reshape(&mut iv, &ik);
                                new.insert(ik, iv);
                            }
                        }
                        continue;
                    }
                    _ => api_key(&camel(&k)),
                };
                if v.is_null() || (v == Value::Bool(false) && OMIT_FALSE.contains(&key.as_str())) {
                    continue;
                }
                let mut v = v;
                reshape(&mut v, &key);
                new.insert(key, v);
            }
            special_cases(&mut new, parent);
            *map = new;
        }
        _ => {}
    }
}

/// Names that differ from a plain camelCase of the Rust field.
fn api_key(key: &str) -> String {
    match key {
        "downwardApi" => "downwardAPI".into(),
        other => other.into(),
    }
}

fn special_cases(map: &mut Map<String, Value>, parent: &str) {
    // httpHeaders: [[name, value]] -> [{name, value}]
    if let Some(Value::Array(headers)) = map.get_mut("httpHeaders") {
        for h in headers.iter_mut() {
            if let Value::Array(pair) = h
                && let [name, value] = pair.as_slice()
            {
                *h = json!({ "name": name, "value": value });
            }
        }
    }
    // securityContext: capabilitiesAdd/Drop -> capabilities: {add, drop}
    let add = map.remove("capabilitiesAdd");
    let drop = map.remove("capabilitiesDrop");
    if add.is_some() || drop.is_some() {
        let mut caps = Map::new();
        if let Some(a) = add {
            caps.insert("add".into(), a);
        }
        if let Some(d) = drop {
            caps.insert("drop".into(), d);
        }
        map.insert("capabilities".into(), Value::Object(caps));
    }
    // hostPath's `kind` is the API's `type`.
    if parent == "hostPath"
        && let Some(kind) = map.remove("kind")
    {
        map.insert("type".into(), kind);
    }
    // A downward API item's resourceField (container, resource) pair.
    if let Some(Value::Array(pair)) = map.remove("resourceField") {
        let mut r = Map::new();
        if let Some(Value::String(c)) = pair.first() {
            r.insert("containerName".into(), json!(c));
        }
        if let Some(res) = pair.get(1) {
            r.insert("resource".into(), res.clone());
        }
        map.insert("resourceFieldRef".into(), Value::Object(r));
    }
    // A downward API item's fieldPath sits under fieldRef.
    if parent == "items"
        && let Some(path) = map.remove("fieldPath")
    {
        map.insert(
            "fieldRef".into(),
            json!({ "apiVersion": "v1", "fieldPath": path }),
        );
    }
    // emptyDir's medium "" is left out.
    if parent == "emptyDir" && map.get("medium") == Some(&json!("")) {
        map.remove("medium");
    }
}
