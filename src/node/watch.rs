//! Watches (`kubectl get -w`, `kubectl wait`): what changed since a list.
//!
//! The node keeps no history: a Pod's state lives on the engine. A Pod's
//! `resourceVersion` is therefore a fingerprint of the object, and a list's
//! is the list of what it held (`namespace/name/uid/version`, comma
//! separated). kubectl hands that back when it starts watching, so a watch
//! knows exactly what its client saw and sends what changed after: a Pod
//! added, modified or deleted between the list and the watch is not lost.
//! A watch without one (or `"0"`) starts from nothing: every Pod is ADDED.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use k8s_openapi::api::core::v1 as core;

/// A Pod's version: a fingerprint of the object without its version.
pub fn version_of(pod: &core::Pod) -> String {
    let mut unversioned = pod.clone();
    unversioned.metadata.resource_version = None;
    let text = serde_json::to_string(&unversioned).unwrap_or_default();
    let mut h = std::hash::DefaultHasher::new();
    text.hash(&mut h);
    h.finish().to_string()
}

/// A list's version: what it held.
pub fn list_version<'a>(pods: impl IntoIterator<Item = &'a core::Pod>) -> String {
    let entries: Vec<String> = pods
        .into_iter()
        .map(|p| {
            let m = &p.metadata;
            format!(
                "{}/{}/{}/{}",
                m.namespace.as_deref().unwrap_or_default(),
                m.name.as_deref().unwrap_or_default(),
                m.uid.as_deref().unwrap_or_default(),
                m.resource_version.as_deref().unwrap_or_default()
            )
        })
        .collect();
    if entries.is_empty() {
        "0".into()
    } else {
        entries.join(",")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Added,
    Modified,
    Deleted,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Added => "ADDED",
            Kind::Modified => "MODIFIED",
            Kind::Deleted => "DELETED",
        }
    }
}

/// One change, with what the caller keeps beside each Pod (the record a
/// Table row is made from); a Pod known only from a list's version has
/// none.
#[derive(Debug, Clone)]
pub struct Change<R> {
    pub kind: Kind,
    pub pod: core::Pod,
    pub extra: Option<R>,
}

/// The Pods a watcher has seen, by uid.
#[derive(Debug, Default)]
pub struct Seen<R> {
    pods: BTreeMap<String, (core::Pod, Option<R>)>,
}

impl<R: Clone> Seen<R> {
    /// What a list of `version` held (nothing for none, `"0"`, or a
    /// version this node did not write).
    pub fn from_version(version: Option<&str>) -> Seen<R> {
        let mut pods = BTreeMap::new();
        for entry in version.unwrap_or_default().split(',') {
            let parts: Vec<&str> = entry.split('/').collect();
            let [ns, name, uid, rv] = parts[..] else {
                continue;
            };
            let mut pod = core::Pod::default();
            pod.metadata.namespace = Some(ns.into());
            pod.metadata.name = Some(name.into());
            pod.metadata.uid = Some(uid.into());
            pod.metadata.resource_version = Some(rv.into());
            pods.insert(uid.to_string(), (pod, None));
        }
        Seen { pods }
    }

    /// What changed from what was seen to `now`, which becomes what was
    /// seen. Deletions come first, then additions and changes by name.
    pub fn changes(&mut self, now: Vec<(core::Pod, R)>) -> Vec<Change<R>> {
        let mut next = BTreeMap::new();
        let mut out = Vec::new();
        for (pod, extra) in now {
            let uid = pod.metadata.uid.clone().unwrap_or_default();
            let kind = match self.pods.get(&uid) {
                None => Some(Kind::Added),
                Some((old, _))
                    if old.metadata.resource_version != pod.metadata.resource_version =>
                {
                    Some(Kind::Modified)
                }
                Some(_) => None,
            };
            if let Some(kind) = kind {
                out.push(Change {
                    kind,
                    pod: pod.clone(),
                    extra: Some(extra.clone()),
                });
            }
            next.insert(uid, (pod, Some(extra)));
        }
        let gone = std::mem::replace(&mut self.pods, next);
        let mut deleted: Vec<Change<R>> = gone
            .into_iter()
            .filter(|(uid, _)| !self.pods.contains_key(uid))
            .map(|(_, (pod, extra))| Change {
                kind: Kind::Deleted,
                pod,
                extra,
            })
            .collect();
        deleted.append(&mut out);
        deleted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, uid: &str, phase: &str) -> core::Pod {
        let mut p = core::Pod::default();
        p.metadata.namespace = Some("default".into());
        p.metadata.name = Some(name.into());
        p.metadata.uid = Some(uid.into());
        p.status = Some(core::PodStatus {
            phase: Some(phase.into()),
            ..Default::default()
        });
        p.metadata.resource_version = Some(version_of(&p));
        p
    }

    fn kinds(changes: &[Change<()>]) -> Vec<(Kind, String)> {
        changes
            .iter()
            .map(|c| (c.kind, c.pod.metadata.name.clone().unwrap()))
            .collect()
    }

    #[test]
    fn a_version_changes_with_the_object_only() {
        let a = pod("web", "u1", "Pending");
        assert_eq!(version_of(&a), version_of(&pod("web", "u1", "Pending")));
        assert_ne!(version_of(&a), version_of(&pod("web", "u1", "Running")));
    }

    #[test]
    fn a_watch_from_a_list_sends_only_what_changed_after_it() {
        let web = pod("web", "u1", "Pending");
        let db = pod("db", "u2", "Running");
        let gone = pod("old", "u3", "Running");
        let version = list_version([&web, &db, &gone]);
        let mut seen = Seen::<()>::from_version(Some(&version));
        let web_running = pod("web", "u1", "Running");
        let new = pod("new", "u4", "Pending");
        let first = seen.changes(vec![(web_running.clone(), ()), (db, ()), (new, ())]);
        assert_eq!(
            kinds(&first),
            [
                (Kind::Deleted, "old".to_string()),
                (Kind::Modified, "web".to_string()),
                (Kind::Added, "new".to_string()),
            ]
        );
        assert!(first[0].extra.is_none(), "known from the version only");
        assert!(
            seen.changes(vec![(web_running, ())])
                .iter()
                .all(|c| c.kind == Kind::Deleted)
        );
    }

    #[test]
    fn a_watch_from_nothing_adds_every_pod() {
        for version in [None, Some("0"), Some("1"), Some("")] {
            let mut seen = Seen::<()>::from_version(version);
            let c = seen.changes(vec![(pod("web", "u1", "Running"), ())]);
            assert_eq!(kinds(&c), [(Kind::Added, "web".to_string())]);
        }
        assert_eq!(list_version([]), "0");
    }

    #[test]
    fn the_same_name_with_a_new_uid_is_a_new_pod() {
        let mut seen = Seen::<()>::from_version(None);
        seen.changes(vec![(pod("web", "u1", "Running"), ())]);
        let c = seen.changes(vec![(pod("web", "u2", "Pending"), ())]);
        assert_eq!(
            kinds(&c),
            [
                (Kind::Deleted, "web".to_string()),
                (Kind::Added, "web".to_string())
            ]
        );
    }
}
