//! Runs Pods on the local Docker engine the way a kubelet would: a sandbox
//! container holding the pod's namespaces, volumes, init containers and
//! native sidecars in order, restarts with the kubelet's back-off, probes,
//! hooks, graceful termination, and a k8s-shaped status with events.
//!
//! [`Engine`] is the entry point for commands and the grader; the pod worker
//! (`worker`) does the kubelet's job for one pod; `docker` is the only module
//! that talks to the engine; `plan` is the pure mapping of a pod onto Docker
//! objects; `store` and `live` find pods again from any podlearn process.
//!
//! Where Docker differs from a node (said to the learner in `run`'s notes
//! and `describe`):
//! - Docker has no `container:` UTS mode: the hostname is set on the sandbox
//!   and every container sees it, but `hostname x` in one does not reach
//!   the others.
//! - The sandbox is busybox under Docker's init (offline, reaps zombies,
//!   exits 0 on SIGTERM): with shareProcessNamespace PID 1 is `docker-init`,
//!   not `/pause`.
//! - `sizeLimit` is enforced for `medium: Memory` (the tmpfs size); a disk
//!   emptyDir is not limited (a node would evict the pod).
//! - imagePullPolicy `Always` with no registry reachable uses the local copy
//!   and says so in a Warning event (a node would report ErrImagePull).
//! - Probes and hooks run with `docker exec`: exec handlers in the container,
//!   httpGet and tcpSocket in the sandbox (the pod's network), so they work
//!   where the host cannot reach container IPs.
//! - Detached pods are run by a background podlearn process per pod; if it
//!   is killed, the pod keeps running but is no longer restarted or probed.
//!
//! Everything created carries `io.podlearn.managed=true`, the learner, the
//! pod and the owning process (see `labels`), and is removed on every path:
//! `RunningPod::delete`, a dropped handle, Ctrl-C/SIGTERM in `run`, and the
//! sweep of dead processes' leftovers at the next start.

mod cleanup;
mod docker;
pub mod image;
mod labels;
mod live;
mod plan;
mod probes;
mod state;
mod store;
mod volume;
mod worker;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;

use crate::cluster;
use crate::manifest::Pod;
use crate::podenv::Inputs;
use crate::status::PodStatus;

pub use cleanup::{CleanScope, clean};
pub use docker::{AttachedIo, ExecOutput};
pub use labels::{MANIFEST as MANIFEST_LABEL, current_learner, live_local_pid, stop_owner};
pub use plan::{PodPlan, SANDBOX_IMAGE, docker_safe, plan_pod};
pub use store::{PodRecord, find_pods};

/// Labels for what podlearn creates beside pods (a Service's proxy, a
/// namespace network): the learner's and this process's, so `clean` and
/// the sweep after a crash find them like a pod's objects.
pub fn owned_labels(namespace: &str, name: &str, role: &str) -> BTreeMap<String, String> {
    let mut l = labels::pod_labels(&labels::Owner::current(false), namespace, name);
    l.insert(labels::ROLE.into(), role.into());
    l
}

/// This process, as owner labels and records name it (`host:pid:start`).
pub fn this_process() -> String {
    labels::process_id(std::process::id()).unwrap_or_else(|| "unknown".into())
}

/// Whether the process an owner id names has ended.
pub fn process_is_dead(owner: &str) -> bool {
    labels::owner_is_dead(owner)
}

/// A container cannot answer right now: it has not started yet, is not
/// running, is restarting or gone, or did not answer in time. That is the
/// pod's state (what a learner's manifest made of it), not a failure of the
/// engine; the grader reports it as such.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ContainerUnavailable(pub String);

/// Whether an error, or one of its causes, is [`ContainerUnavailable`].
pub fn is_unavailable(err: &anyhow::Error) -> bool {
    err.chain().any(|c| c.is::<ContainerUnavailable>())
}

/// A connection to the Docker engine, ready to run pods.
#[derive(Clone)]
pub struct Engine {
    api: docker::Api,
}

/// How pods are run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Divide the kubelet's waits (back-off, probe periods) by this; shown to the learner.
    pub time_scale: f64,
    /// `--image FROM=TO`: explicit, visible image substitutions.
    pub image_map: BTreeMap<String, String>,
    pub allow_host_access: bool,
    /// Grace period for every deletion instead of the pod's own.
    pub grace_override: Option<Duration>,
    /// Started by `run --detach`: never swept as a dead process's leftover.
    pub detached: bool,
    /// The namespace network the sandbox joins (`crate::cluster`), with the
    /// cluster's DNS search list; None: the learner's own network for the
    /// pod's namespace, made when needed.
    pub network: Option<String>,
    pub dns_search: Vec<String>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            time_scale: 1.0,
            image_map: BTreeMap::new(),
            allow_host_access: false,
            grace_override: None,
            detached: false,
            network: None,
            dns_search: Vec::new(),
        }
    }
}

impl RunOptions {
    /// What a time scale other than 1 changes, in the words every command
    /// shows the learner; None at 1.
    pub fn time_scale_notice(time_scale: f64) -> Option<String> {
        (time_scale != 1.0).then(|| {
            format!(
                "time scale {time_scale}x: the kubelet's waits (restart and Job retry back-off, \
                 probe delays and periods, the grace period after a failed probe) run \
                 {time_scale} times faster than on a cluster"
            )
        })
    }

    /// A kubelet wait, compressed by the time scale.
    pub fn scaled(&self, d: Duration) -> Duration {
        if self.time_scale > 0.0 && self.time_scale.is_finite() {
            d.div_f64(self.time_scale)
        } else {
            d
        }
    }
}

/// Parse `FROM=TO` image mappings.
pub fn parse_image_map(items: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for item in items {
        match item.split_once('=') {
            Some((from, to)) if !from.is_empty() && !to.is_empty() => {
                map.insert(from.to_string(), to.to_string());
            }
            _ => bail!("--image {item:?}: write FROM=TO, e.g. --image busybox:1.28=busybox:latest"),
        }
    }
    Ok(map)
}

impl Engine {
    /// Connect to the engine (`DOCKER_HOST` or the default socket). The error
    /// says what to do when there is no engine, no permission, or an old one.
    pub async fn connect() -> anyhow::Result<Engine> {
        Ok(Engine {
            api: docker::Api::connect().await?,
        })
    }

    /// Remove what dead podlearn processes of this learner left behind
    /// (never a detached pod). Returns how many objects were removed.
    pub async fn sweep(&self) -> anyhow::Result<usize> {
        cleanup::sweep_dead(&self.api, &labels::current_learner()).await
    }

    /// Remove `learner`'s namespace networks that no container uses (after
    /// a crash that made one and put nothing on it).
    pub async fn release_unused_networks(&self, learner: &str) -> anyhow::Result<()> {
        cleanup::release_unused_networks(&self.api, learner).await
    }

    /// Start a pod: sandbox, volumes, then its worker (init containers, app
    /// containers, restarts, probes). Returns once the sandbox runs; if that
    /// fails half-way, everything created so far is removed.
    pub async fn start_pod(
        &self,
        pod: &Pod,
        inputs: &Inputs,
        opts: &RunOptions,
    ) -> anyhow::Result<RunningPod> {
        self.start_pod_from(pod, inputs, opts, None).await
    }

    /// [`start_pod`](Self::start_pod), recording the manifest `(file, text)`
    /// the pod came from on the engine, so any podlearn process can show
    /// its spec later.
    pub async fn start_pod_from(
        &self,
        pod: &Pod,
        inputs: &Inputs,
        opts: &RunOptions,
        manifest: Option<(&str, &str)>,
    ) -> anyhow::Result<RunningPod> {
        if !opts.allow_host_access {
            let refused = crate::manifest::pod_violations(&pod.spec);
            if !refused.is_empty() {
                let list: Vec<String> = refused
                    .iter()
                    .map(|v| format!("  spec.{}: {}", v.path, v.message))
                    .collect();
                return Err(crate::exit::learner_error(format!(
                    "pod {:?} reaches outside its sandbox onto the Docker host, which podlearn \
                     refuses unless you pass --allow-host-access:\n{}",
                    pod.metadata.name,
                    list.join("\n")
                )));
            }
        }
        let owner = labels::Owner::current(opts.detached);
        let mut plan = plan::plan_pod(pod, inputs, &owner, &opts.image_map, None);
        if let Some((file, text)) = manifest
            && text.len() <= 256 * 1024
        {
            plan.sandbox
                .labels
                .insert(labels::MANIFEST.into(), text.into());
            plan.sandbox
                .labels
                .insert(labels::MANIFEST_FILE.into(), file.into());
        }
        // Every pod joins its learner's namespace network (`crate::cluster`),
        // as on a cluster: pods of one namespace reach each other by pod IP,
        // other learners' pods cannot. A hostNetwork pod keeps the host's.
        let network = (!pod.spec.host_network).then(|| {
            let ns = &pod.metadata.namespace;
            let name = opts
                .network
                .clone()
                .unwrap_or_else(|| cluster::network::network_name(&owner.learner, ns));
            let search = if opts.dns_search.is_empty() {
                cluster::network::dns_search(ns)
            } else {
                opts.dns_search.clone()
            };
            (name, cleanup::network_labels(&owner.learner, ns), search)
        });
        if let Some((name, _, search)) = &network {
            plan.sandbox.network_mode = Some(name.clone());
            plan.sandbox.dns_search = search.clone();
        }
        // The learner's own network goes when its last pod is deleted, so
        // another process's delete may remove it between `ensure` and the
        // sandbox's start: then make it again and launch again (a failed
        // launch leaves nothing). A network given in `opts` belongs to the
        // cluster controllers, which make and remove it themselves: never
        // made again here (a teardown in progress must stay a teardown).
        let owned = network.is_some() && opts.network.is_none();
        if owned && let Some((name, _, _)) = &network {
            plan.sandbox
                .labels
                .insert(labels::OWN_NETWORK.into(), name.clone());
        }
        let mut attempt = 0;
        let shared = loop {
            attempt += 1;
            if owned && let Some((name, labels, _)) = &network {
                // One at a time in this process, so concurrent pods do not
                // create twin networks (Docker allows duplicate names).
                static ENSURE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
                let _one = ENSURE.lock().await;
                // Dropped while the network is being made: it goes again
                // (unless another pod of the learner uses it).
                let guard = cleanup::StartGuard::new(None, Some(name.clone()));
                let made = cluster::network::ensure(self, name, labels).await;
                guard.disarm();
                made?;
            }
            match worker::launch(
                self.api.clone(),
                pod.clone(),
                inputs,
                owner.clone(),
                plan.clone(),
                opts.clone(),
            )
            .await
            {
                Ok(shared) => break shared,
                Err(e) if attempt < 3 && owned && docker::network_vanished(&e) => continue,
                Err(e) => return Err(e.context(format!("starting pod {}", pod.metadata.name))),
            }
        };
        Ok(RunningPod {
            shared: Some(shared),
            name: pod.metadata.name.clone(),
        })
    }
}

/// A pod started by this process.
pub struct RunningPod {
    shared: Option<Arc<state::PodShared>>,
    name: String,
}

impl RunningPod {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The Docker id of the pod's sandbox (the cluster controllers give it
    /// DNS aliases on the namespace network).
    pub fn sandbox_id(&self) -> &str {
        &self.shared().sandbox_id
    }

    fn shared(&self) -> &Arc<state::PodShared> {
        self.shared
            .as_ref()
            .expect("a RunningPod is live until deleted")
    }

    /// The pod as it was started.
    pub fn pod(&self) -> &Pod {
        &self.shared().pod
    }

    /// Whether the pod's sandbox is still on the engine (another process
    /// may have deleted the pod).
    pub async fn exists(&self) -> bool {
        let sh = self.shared();
        sh.api.inspect(&sh.sandbox_id).await.is_ok()
    }

    /// Stop being this pod's kubelet without touching its containers (a
    /// detached pod's supervisor giving up the pod to `podlearn delete`).
    pub fn abandon(mut self) {
        if let Some(sh) = self.shared.take() {
            sh.abort_worker();
        }
    }

    /// Things Docker does differently from a node, to show the learner.
    pub fn notes(&self) -> Vec<String> {
        self.shared().plan.notes.clone()
    }

    /// A snapshot of the pod's status, with its events.
    pub async fn status(&self) -> PodStatus {
        self.shared().snapshot()
    }

    /// Run a command in a container (or `""` for the first app container).
    pub async fn exec(
        &self,
        container: &str,
        argv: &[String],
        timeout: Duration,
    ) -> anyhow::Result<ExecOutput> {
        let sh = self.shared();
        let id = sh.container_id(container, false)?;
        sh.api.exec(&id, argv, timeout).await
    }

    /// Send `signal` to a container's main process, as the container runtime
    /// does (so with a shared PID namespace too, where PID 1 is the sandbox).
    pub async fn signal(&self, container: &str, signal: &str) -> anyhow::Result<()> {
        let sh = self.shared();
        let id = sh.container_id(container, false)?;
        sh.api.kill(&id, signal).await
    }

    /// A container's logs, or those of its previous run.
    pub async fn logs(&self, container: &str, previous: bool) -> anyhow::Result<String> {
        let sh = self.shared();
        let id = sh.container_id(container, previous)?;
        store::read_logs(&sh.api, &id).await
    }

    /// Wait until `pred` holds for the status, or `timeout` passes.
    pub async fn wait_for(
        &self,
        pred: impl Fn(&PodStatus) -> bool,
        timeout: Duration,
    ) -> Option<PodStatus> {
        self.shared().wait_for(pred, timeout).await
    }

    /// Delete the pod like the kubelet: preStop hooks, SIGTERM, the grace
    /// period, SIGKILL, sidecars last; then remove everything it created.
    pub async fn delete(self, grace: Option<Duration>) -> anyhow::Result<()> {
        self.delete_recording(grace).await.map(|_| ())
    }

    /// [`delete`](Self::delete), telling when each container was sent its
    /// stop signal.
    pub async fn delete_recording(
        mut self,
        grace: Option<Duration>,
    ) -> anyhow::Result<crate::status::StopSignals> {
        let sh = self.shared.take().expect("live");
        worker::delete(&sh, grace).await?;
        let signals = sh.stop_signals.lock().unwrap().clone();
        Ok(signals)
    }
}

impl Drop for RunningPod {
    // A pod whose handle is dropped without `delete` (a panic, an early
    // return) must not outlive it: remove it by its labels, synchronously.
    fn drop(&mut self) {
        if let Some(sh) = self.shared.take() {
            sh.abort_worker();
            cleanup::remove_blocking(Some(sh.pod_selector()), sh.own_network());
        }
    }
}
