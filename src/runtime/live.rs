//! What only a pod's kubelet knows (readiness, waiting reasons such as
//! `CrashLoopBackOff`, events, a forced phase), kept in a small file while a
//! detached pod's supervisor runs, so `get` and `describe` from any other
//! podlearn process show it. Everything else comes from the engine itself.
//!
//! The file lives under `PODLEARN_HOME/pods/<learner>/<namespace>_<pod>.json`
//! and names the sandbox it belongs to, so a stale file is never applied to
//! a newer pod of the same name.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::status::{ContainerState, Event, Phase, PodStatus};

/// podlearn's data folder (see [`crate::data_dir`]).
pub fn home() -> Option<PathBuf> {
    crate::data_dir::data_dir().ok()
}

pub fn path(learner: &str, namespace: &str, pod: &str) -> Option<PathBuf> {
    let safe = super::plan::docker_safe;
    Some(home()?.join("pods").join(safe(learner)).join(format!(
        "{}_{}.json",
        safe(namespace),
        safe(pod)
    )))
}

/// Where another podlearn process says it is deleting a pod (its
/// `deletionTimestamp`): the file holds the sandbox's id. The pod's kubelet,
/// in whichever process it runs, restarts no container of a pod being deleted.
/// The marker lives in [`crate::data_dir::machine_dir`], so a delete from a
/// process with another data folder reaches the kubelet too.
pub fn deleting_path(learner: &str, namespace: &str, pod: &str) -> Option<PathBuf> {
    let safe = super::plan::docker_safe;
    Some(
        crate::data_dir::machine_dir()
            .join("deleting")
            .join(safe(learner))
            .join(format!("{}_{}", safe(namespace), safe(pod))),
    )
}

/// Mark the pod with sandbox `sandbox` as being deleted.
pub fn mark_deleting(path: &PathBuf, sandbox: &str) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::write(path, sandbox);
}

/// Whether the pod with sandbox `sandbox` is being deleted.
pub fn is_deleting(path: &PathBuf, sandbox: &str) -> bool {
    std::fs::read_to_string(path).is_ok_and(|s| s.trim() == sandbox)
}

fn secs(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
}

/// Write the kubelet-only parts of a status (atomically: temp file, rename).
pub fn write(path: &std::path::Path, sandbox: &str, st: &PodStatus) {
    let containers: serde_json::Map<String, Value> = st
        .init_container_statuses
        .iter()
        .chain(&st.container_statuses)
        .map(|c| {
            let waiting = match &c.state {
                ContainerState::Waiting { reason, message } => {
                    json!({"reason": reason, "message": message})
                }
                _ => Value::Null,
            };
            (
                c.name.clone(),
                json!({"ready": c.ready, "started": c.started, "waiting": waiting}),
            )
        })
        .collect();
    let events: Vec<Value> = st
        .events
        .iter()
        .map(|e| {
            json!({"time": secs(e.time), "type": e.kind, "reason": e.reason,
                   "object": e.object, "message": e.message})
        })
        .collect();
    let v = json!({
        "sandbox": sandbox,
        "phase": st.phase.as_str(),
        "reason": st.reason,
        "message": st.message,
        "containers": containers,
        "events": events,
    });
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = crate::atomic_file::write(path, v.to_string().as_bytes(), false);
}

pub fn remove(path: &PathBuf) {
    let _ = std::fs::remove_file(path);
}

/// Lay what the supervisor knows over a status rebuilt from the engine.
pub fn overlay(path: &PathBuf, sandbox: &str, st: &mut PodStatus) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        return;
    };
    if v["sandbox"].as_str() != Some(sandbox) {
        return;
    }
    let s = |x: &Value| x.as_str().map(str::to_string);
    for c in st
        .init_container_statuses
        .iter_mut()
        .chain(st.container_statuses.iter_mut())
    {
        let live = &v["containers"][&c.name];
        if live.is_null() {
            continue;
        }
        if let Some(reason) = s(&live["waiting"]["reason"]) {
            c.state = ContainerState::Waiting {
                reason,
                message: s(&live["waiting"]["message"]),
            };
        }
        // Only a running container is ready or started: the supervisor's
        // last word may predate the container's end.
        let running = c.state.is_running();
        c.ready = running && live["ready"].as_bool().unwrap_or(c.ready);
        c.started = running && live["started"].as_bool().unwrap_or(c.started);
    }
    if let Some(events) = v["events"].as_array() {
        st.events = events
            .iter()
            .map(|e| Event {
                time: UNIX_EPOCH + Duration::from_secs_f64(e["time"].as_f64().unwrap_or(0.0)),
                kind: s(&e["type"]).unwrap_or_default(),
                reason: s(&e["reason"]).unwrap_or_default(),
                source: "kubelet".into(),
                object: s(&e["object"]),
                message: s(&e["message"]).unwrap_or_default(),
            })
            .collect();
    }
    if let Some(reason) = s(&v["reason"]) {
        st.reason = Some(reason);
        st.message = s(&v["message"]);
        if v["phase"].as_str() == Some("Failed") {
            st.phase = Phase::Failed;
        }
    }
}
