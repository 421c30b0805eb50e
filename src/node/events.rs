//! Events (`kubectl get events`, and the Events of `kubectl describe pod`):
//! what each Pod's kubelet reported (Scheduled, Pulled, Created, Started,
//! Unhealthy, BackOff, Killing, ...), as the API's `v1.Event`.

use std::hash::{Hash, Hasher};
use std::time::SystemTime;

use k8s_openapi::api::core::v1 as core;
use serde_json::{Value, json};

use crate::runtime::PodRecord;

/// The events of one Pod, oldest first. Repeats (same reason, message and
/// object) are one event with a count, as a cluster's event recorder keeps
/// them: `Unhealthy ... (x5 over 4s)` in `describe`.
pub fn of_pod(record: &PodRecord) -> Vec<core::Event> {
    let uid = super::objects::pod_uid(record);
    let mut out: Vec<core::Event> = Vec::new();
    for e in &record.status.events {
        let mut h = std::hash::DefaultHasher::new();
        (&e.kind, &e.reason, &e.message, &e.object, &e.source).hash(&mut h);
        let name = format!("{}.{:016x}", record.name, h.finish());
        let when = super::objects::time(e.time);
        if let Some(seen) = out
            .iter_mut()
            .find(|o| o.metadata.name.as_deref() == Some(&name))
        {
            seen.count = Some(seen.count.unwrap_or(1) + 1);
            seen.last_timestamp = Some(when);
            continue;
        }
        out.push(core::Event {
            metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                name: Some(name),
                namespace: Some(record.namespace.clone()),
                creation_timestamp: Some(when.clone()),
                ..Default::default()
            },
            involved_object: core::ObjectReference {
                api_version: Some("v1".into()),
                kind: Some("Pod".into()),
                name: Some(record.name.clone()),
                namespace: Some(record.namespace.clone()),
                uid: Some(uid.clone()),
                field_path: e.object.clone(),
                ..Default::default()
            },
            reason: Some(e.reason.clone()),
            message: Some(e.message.clone()),
            type_: Some(e.kind.clone()),
            source: Some(core::EventSource {
                component: Some(e.source.clone()),
                host: Some("podlearn".into()),
            }),
            reporting_component: Some(e.source.clone()),
            reporting_instance: Some("podlearn".into()),
            first_timestamp: Some(when.clone()),
            last_timestamp: Some(when),
            count: Some(1),
            ..Default::default()
        });
    }
    out
}

/// Whether an event matches a `fieldSelector` as kubectl writes them
/// (`involvedObject.name=web,involvedObject.uid=...`, `type=Warning`).
/// Returns `Err` with the part that is not understood.
pub fn selected(e: &core::Event, selector: &str) -> Result<bool, String> {
    for term in selector.split(',').filter(|t| !t.is_empty()) {
        let (key, want, equal) = if let Some((k, v)) = term.split_once("!=") {
            (k, v, false)
        } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            (k, v, true)
        } else {
            return Err(term.to_string());
        };
        let o = &e.involved_object;
        let have = match key {
            "involvedObject.name" => o.name.as_deref(),
            "involvedObject.namespace" => o.namespace.as_deref(),
            "involvedObject.uid" => o.uid.as_deref(),
            "involvedObject.kind" => o.kind.as_deref(),
            "involvedObject.fieldPath" => o.field_path.as_deref(),
            "involvedObject.apiVersion" => o.api_version.as_deref(),
            "metadata.name" => e.metadata.name.as_deref(),
            "metadata.namespace" => e.metadata.namespace.as_deref(),
            "type" => e.type_.as_deref(),
            "reason" => e.reason.as_deref(),
            "source" => e.source.as_ref().and_then(|s| s.component.as_deref()),
            _ => return Err(term.to_string()),
        };
        if (have.unwrap_or_default() == want) != equal {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `kubectl get events`' columns, as a server's Table gives them.
const COLUMNS: [(&str, u8); 10] = [
    ("Last Seen", 0),
    ("Type", 0),
    ("Reason", 0),
    ("Object", 0),
    ("Subobject", 1),
    ("Source", 1),
    ("Message", 0),
    ("First Seen", 1),
    ("Count", 1),
    ("Name", 1),
];

/// A Table of events, as the API server answers `Accept: ...;as=Table`.
pub fn table(events: &[core::Event]) -> Value {
    let now = SystemTime::now();
    let ago = |t: &Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| {
        t.as_ref()
            .map(|t| {
                let at = SystemTime::UNIX_EPOCH
                    + std::time::Duration::from_secs(t.0.timestamp().max(0) as u64);
                crate::phase::age(at, now)
            })
            .unwrap_or_else(|| "<unknown>".into())
    };
    let columns: Vec<Value> = COLUMNS
        .iter()
        .map(|(name, priority)| {
            json!({"name": name, "type": "string", "format": "", "description": "",
                   "priority": priority})
        })
        .collect();
    let rows: Vec<Value> = events
        .iter()
        .map(|e| {
            let o = &e.involved_object;
            let source = e
                .source
                .as_ref()
                .map(|s| {
                    format!(
                        "{}, {}",
                        s.component.as_deref().unwrap_or_default(),
                        s.host.as_deref().unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            json!({
                "cells": [
                    ago(&e.last_timestamp),
                    e.type_,
                    e.reason,
                    format!("pod/{}", o.name.as_deref().unwrap_or_default()),
                    o.field_path.clone().unwrap_or_default(),
                    source,
                    e.message,
                    ago(&e.first_timestamp),
                    e.count.unwrap_or(1),
                    e.metadata.name,
                ],
                "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                           "metadata": e.metadata},
            })
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": "0"},
        "columnDefinitions": columns,
        "rows": rows,
    })
}

/// A list of events, as the API's type.
pub fn list(events: Vec<core::Event>) -> Value {
    json!({
        "kind": "EventList",
        "apiVersion": "v1",
        "metadata": {"resourceVersion": "0"},
        "items": events,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str, kind: &str) -> core::Event {
        core::Event {
            involved_object: core::ObjectReference {
                kind: Some("Pod".into()),
                name: Some(name.into()),
                namespace: Some("default".into()),
                uid: Some("u1".into()),
                ..Default::default()
            },
            type_: Some(kind.into()),
            ..Default::default()
        }
    }

    #[test]
    fn describe_selects_the_events_of_its_pod() {
        let sel = "involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=u1";
        assert_eq!(selected(&event("web", "Normal"), sel), Ok(true));
        assert_eq!(selected(&event("db", "Normal"), sel), Ok(false));
        assert_eq!(selected(&event("web", "Warning"), "type!=Normal"), Ok(true));
        assert_eq!(selected(&event("web", "Normal"), "type!=Normal"), Ok(false));
        assert!(selected(&event("web", "Normal"), "spec.weird=1").is_err());
    }
}
