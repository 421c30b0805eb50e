//! Removing what podlearn created: one pod's objects, a learner's (or every
//! learner's) objects for `podlearn clean`, the leftovers of podlearn
//! processes that died (swept at the next start; detached pods are never
//! touched), and a blocking removal for handles dropped without `delete`.

use std::collections::{BTreeMap, BTreeSet};

use super::Engine;
use super::docker::Api;
use super::labels;

/// Remove every container, then every volume, carrying these labels.
/// Containers go first: a volume in use cannot be removed.
pub async fn remove_selected(api: &Api, sel: &BTreeMap<String, String>) -> anyhow::Result<usize> {
    let containers = api.list(sel).await?;
    let n = containers.len();
    let removals = containers.iter().map(|c| api.remove(&c.id));
    for r in futures_util::future::join_all(removals).await {
        r?;
    }
    let volumes = api.list_volumes(sel).await?;
    let m = volumes.len();
    for (name, _) in volumes {
        api.remove_volume(&name).await?;
    }
    // Namespace networks (`crate::cluster`) last: they are left in place
    // while another live podlearn of the learner still has pods on them.
    let networks = api.list_networks(sel).await?;
    let k = networks.len();
    for name in networks {
        api.remove_network(&name).await?;
    }
    Ok(n + m + k)
}

/// Pods (namespace, name) of `learner` whose owner process has died and
/// which were not detached: what a killed podlearn left behind.
pub async fn sweep_dead(api: &Api, learner: &str) -> anyhow::Result<usize> {
    let mut sel = BTreeMap::new();
    sel.insert(labels::MANAGED.to_string(), "true".to_string());
    sel.insert(labels::LEARNER.to_string(), learner.to_string());
    sel.insert(labels::DETACHED.to_string(), "false".to_string());
    let mut dead: BTreeSet<(String, String)> = BTreeSet::new();
    let mut check = |l: &BTreeMap<String, String>| {
        let owner = l.get(labels::OWNER).map(String::as_str).unwrap_or("");
        if labels::owner_is_dead(owner) {
            let ns = l.get(labels::NAMESPACE).cloned().unwrap_or_default();
            let pod = l.get(labels::POD).cloned().unwrap_or_default();
            dead.insert((ns, pod));
        }
    };
    for c in api.list(&sel).await? {
        check(&c.labels);
    }
    for (_, l) in api.list_volumes(&sel).await? {
        check(&l);
    }
    let mut removed = 0;
    let any_dead = !dead.is_empty();
    for (ns, pod) in dead {
        let mut s = sel.clone();
        s.insert(labels::NAMESPACE.to_string(), ns);
        s.insert(labels::POD.to_string(), pod);
        removed += remove_selected(api, &s).await?;
    }
    if any_dead {
        release_unused_networks(api, learner).await?;
    }
    Ok(removed)
}

/// Remove the learner's namespace networks nobody uses any more (the
/// engine refuses one in use, and it stays).
pub(crate) async fn release_unused_networks(api: &Api, learner: &str) -> anyhow::Result<()> {
    for name in api.list_networks(&sel_networks(learner)).await? {
        api.remove_network(&name).await?;
    }
    Ok(())
}

/// The labels of a learner's namespace network.
pub(crate) fn network_labels(learner: &str, namespace: &str) -> BTreeMap<String, String> {
    let mut l = sel_networks(learner);
    l.insert(labels::NAMESPACE.to_string(), namespace.to_string());
    l
}

/// Remove the learner's namespace network a pod was on (its
/// `OWN_NETWORK` label) once no container uses it any more: the engine
/// refuses while one does, which is fine, another pod still runs there.
pub(crate) async fn release_own_network(api: &Api, network: Option<String>) {
    if let Some(name) = network {
        let _ = api.remove_network(&name).await;
    }
}

fn sel_networks(learner: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (labels::MANAGED.to_string(), "true".to_string()),
        (labels::LEARNER.to_string(), learner.to_string()),
    ])
}

/// Whose objects `clean` removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CleanScope {
    /// This learner's (`PODLEARN_LEARNER` or the user name).
    Learner(String),
    /// Everyone's on this engine (instructors).
    AllLearners,
}

/// Remove everything podlearn created on this engine in `scope`: containers
/// (running or not, detached too) and volumes. Returns how many objects.
pub async fn clean(engine: &Engine, scope: &CleanScope) -> anyhow::Result<usize> {
    let mut sel = BTreeMap::new();
    sel.insert(labels::MANAGED.to_string(), "true".to_string());
    if let CleanScope::Learner(l) = scope {
        sel.insert(labels::LEARNER.to_string(), l.clone());
    }
    // A kubelet that was just creating a container when the list was taken
    // leaves it behind: look again, a few times, until nothing is left.
    let mut n = 0;
    for pass in 0..4 {
        let found = engine.api.list(&sel).await?;
        if found.is_empty() && pass > 0 {
            break;
        }
        // Every pod is being deleted: its kubelet, in whichever process it
        // runs, must not restart a container this removes (it would come
        // back, and hold its volumes).
        for sb in found
            .iter()
            .filter(|c| c.labels.get(labels::ROLE).map(String::as_str) == Some("sandbox"))
        {
            let get = |k: &str| sb.labels.get(k).map(String::as_str);
            if let (Some(l), Some(ns), Some(pod)) = (
                get(labels::LEARNER),
                get(labels::NAMESPACE),
                get(labels::POD),
            ) && let Some(marker) = super::live::deleting_path(l, ns, pod)
            {
                super::live::mark_deleting(&marker, &sb.id);
            }
        }
        n += remove_selected(&engine.api, &sel).await?;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // The detached pods' status files go with them; the deletion markers
    // stay (each names its sandbox only), for kubelets still backing off.
    if let Some(home) = super::live::home() {
        let dir = match scope {
            CleanScope::Learner(l) => home.join("pods").join(super::plan::docker_safe(l)),
            CleanScope::AllLearners => home.join("pods"),
        };
        remove_status_files(&dir);
    }
    Ok(n)
}

/// The `*.json` status files below `dir` (a learner's folder, or the
/// folder of all learners').
fn remove_status_files(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.is_dir() {
            remove_status_files(&path);
        } else if path.extension().is_some_and(|e| e == "json") {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Removes what the start of a pod created if the start is dropped before
/// it ends (Ctrl-C in a `select!`, a timeout): its objects (selected by
/// labels, this process's only) and the namespace network it made. The
/// start's own error path removes them without blocking, then disarms it.
pub struct StartGuard {
    sel: Option<BTreeMap<String, String>>,
    own_network: Option<String>,
}

impl StartGuard {
    pub fn new(sel: Option<BTreeMap<String, String>>, own_network: Option<String>) -> Self {
        StartGuard { sel, own_network }
    }

    /// The start has ended: what it made is the caller's now.
    pub fn disarm(mut self) {
        self.sel = None;
        self.own_network = None;
    }
}

impl Drop for StartGuard {
    fn drop(&mut self) {
        if self.sel.is_some() || self.own_network.is_some() {
            remove_blocking(self.sel.take(), self.own_network.take());
        }
    }
}

/// Remove a pod's objects, and its own namespace network if no other pod
/// uses it, from a synchronous context (a `Drop`), on a thread of its own
/// so it works inside or outside an async runtime.
pub fn remove_blocking(sel: Option<BTreeMap<String, String>>, own_network: Option<String>) {
    let job = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async {
            if let Ok(api) = Api::connect().await {
                // A create that was in flight when the pod's tasks were
                // aborted (or its start dropped) may land just after: look
                // once more.
                for again in [false, true] {
                    if again {
                        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                    }
                    if let Some(sel) = &sel {
                        let _ = remove_selected(&api, sel).await;
                    }
                    release_own_network(&api, own_network.clone()).await;
                }
            }
        });
    });
    let _ = job.join();
}
