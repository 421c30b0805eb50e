//! The live state of one pod in this process: its status (as the kubelet
//! would report it), its events, and the signals that drive its worker.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::watch;

use crate::manifest::Pod;
use crate::status::{
    ContainerKind, ContainerState, ContainerStatus, Event, Phase, PodStatus, StopSignals,
};

use super::RunOptions;
use super::docker::Api;
use super::labels;
use super::plan::PodPlan;

/// Docker ids of a container's current and previous run.
pub type Runs = (Option<String>, Option<String>);

/// A request to stop: the deadline after which containers are killed.
pub type StopAt = Option<Instant>;

/// Everything the worker and the handle share about one pod.
pub struct PodShared {
    pub api: Api,
    pub pod: Pod,
    pub plan: PodPlan,
    pub opts: RunOptions,
    pub sandbox_id: String,
    pub status: Mutex<PodStatus>,
    /// Docker ids of every container's current and previous run.
    pub runs: Mutex<BTreeMap<String, Runs>>,
    /// Bumped on every status change, for `wait_for` and live views.
    pub version: watch::Sender<u64>,
    /// Set when the pod is being deleted: the grace period's end.
    pub stop: watch::Sender<StopAt>,
    /// Set by the worker when it has finished (every container stopped).
    pub done: watch::Sender<bool>,
    /// Every task working for this pod, aborted together when the handle goes.
    pub tasks: Mutex<Vec<tokio::task::AbortHandle>>,
    /// Where a detached pod's kubelet-only status is kept for other processes.
    pub live_path: Option<std::path::PathBuf>,
    /// Where another process marks this pod as being deleted.
    pub deleting_path: Option<std::path::PathBuf>,
    /// A final phase decided by the pod (activeDeadlineSeconds).
    pub forced: Mutex<Option<(Phase, String, String)>>,
    /// When each container was sent its stop signal (the grader compares
    /// the time of a file a preStop hook should write with it).
    pub stop_signals: Mutex<StopSignals>,
}

impl PodShared {
    pub fn new(api: Api, pod: Pod, plan: PodPlan, opts: RunOptions, sandbox_id: String) -> Self {
        let mk = |p: &super::plan::ContainerPlan| ContainerStatus {
            name: p.container.name.clone(),
            kind: p.kind,
            image: p.spec.image.clone(),
            // As the kubelet reports them: init containers and the app
            // containers behind them wait as PodInitializing.
            state: ContainerState::waiting(
                if p.kind != ContainerKind::App || !pod.spec.init_containers.is_empty() {
                    "PodInitializing"
                } else {
                    "ContainerCreating"
                },
            ),
            last_state: None,
            ready: false,
            started: false,
            restart_count: 0,
            container_id: None,
        };
        let status = PodStatus {
            phase: Phase::Pending,
            reason: None,
            message: None,
            conditions: Vec::new(),
            pod_ip: None,
            start_time: Some(SystemTime::now()),
            init_container_statuses: plan
                .containers
                .iter()
                .filter(|c| c.kind != ContainerKind::App)
                .map(mk)
                .collect(),
            container_statuses: plan
                .containers
                .iter()
                .filter(|c| c.kind == ContainerKind::App)
                .map(mk)
                .collect(),
            events: Vec::new(),
        };
        PodShared {
            api,
            pod,
            plan,
            opts,
            sandbox_id,
            status: Mutex::new(status),
            runs: Mutex::new(BTreeMap::new()),
            version: watch::Sender::new(0),
            stop: watch::Sender::new(None),
            done: watch::Sender::new(false),
            tasks: Mutex::new(Vec::new()),
            live_path: None,
            deleting_path: None,
            forced: Mutex::new(None),
            stop_signals: Mutex::new(StopSignals::new()),
        }
    }

    /// Change the status under the lock, recompute phase and conditions, wake watchers.
    pub fn update(&self, f: impl FnOnce(&mut PodStatus)) {
        {
            let mut st = self.status.lock().unwrap();
            f(&mut st);
            let forced = self.forced.lock().unwrap().clone();
            match forced {
                Some((phase, reason, message)) => {
                    st.phase = phase;
                    st.reason = Some(reason);
                    st.message = Some(message);
                }
                None => {
                    let phase = crate::phase::pod_phase(
                        &self.pod.spec,
                        &st.init_container_statuses,
                        &st.container_statuses,
                    );
                    // Succeeded and Failed are final.
                    if !st.phase.is_final() {
                        st.phase = phase;
                    }
                }
            }
            crate::phase::end_back_offs(&mut st);
            st.conditions = crate::phase::conditions(&self.pod.spec, &st);
            if let Some(path) = &self.live_path {
                super::live::write(path, &self.sandbox_id, &st);
            }
        }
        self.version.send_modify(|v| *v += 1);
    }

    /// Change one container's status.
    pub fn update_container(&self, name: &str, f: impl FnOnce(&mut ContainerStatus)) {
        self.update(|st| {
            if let Some(c) = st
                .init_container_statuses
                .iter_mut()
                .chain(st.container_statuses.iter_mut())
                .find(|c| c.name == name)
            {
                f(c);
            }
        });
    }

    /// Record an event about a container (`None`: about the pod).
    pub fn event(&self, container: Option<&str>, warning: bool, reason: &str, message: String) {
        let object = container.map(|name| {
            let list = match self
                .plan
                .containers
                .iter()
                .find(|c| c.container.name == name)
            {
                Some(p) if p.kind != ContainerKind::App => "initContainers",
                _ => "containers",
            };
            format!("spec.{list}{{{name}}}")
        });
        let ev = Event {
            time: SystemTime::now(),
            kind: if warning { "Warning" } else { "Normal" }.to_string(),
            reason: reason.to_string(),
            source: "kubelet".to_string(),
            object,
            message,
        };
        self.update(|st| st.events.push(ev));
    }

    pub fn snapshot(&self) -> PodStatus {
        self.status.lock().unwrap().clone()
    }

    pub fn stopping(&self) -> bool {
        self.stop.borrow().is_some()
    }

    /// Whether another podlearn process is deleting this pod.
    pub fn deleted_elsewhere(&self) -> bool {
        self.deleting_path
            .as_ref()
            .is_some_and(|p| super::live::is_deleting(p, &self.sandbox_id))
    }

    /// The Docker id of a container's current (or previous) run; `""` names
    /// the first app container, as kubectl does for a one-container pod.
    pub fn container_id(&self, name: &str, previous: bool) -> anyhow::Result<String> {
        let name = if name.is_empty() {
            self.pod
                .spec
                .containers
                .first()
                .map(|c| c.name.clone())
                .unwrap_or_default()
        } else {
            name.to_string()
        };
        let runs = self.runs.lock().unwrap();
        let Some((current, prev)) = runs.get(&name) else {
            if self
                .plan
                .containers
                .iter()
                .any(|c| c.container.name == name)
            {
                return Err(super::ContainerUnavailable(format!(
                    "container {name:?} in pod {:?} has not started yet",
                    self.plan.pod_name
                ))
                .into());
            }
            return Err(crate::exit::learner_error(format!(
                "container {name:?} is not valid for pod {:?}",
                self.plan.pod_name
            )));
        };
        let id = if previous { prev } else { current };
        match id {
            Some(id) => Ok(id.clone()),
            None if previous => Err(crate::exit::learner_error(format!(
                "previous terminated container {name:?} in pod {:?} not found",
                self.plan.pod_name
            ))),
            None => Err(super::ContainerUnavailable(format!(
                "container {name:?} has not been created yet"
            ))
            .into()),
        }
    }

    /// Remember a new run of a container; returns the run before the previous
    /// one, which can now be removed (the kubelet keeps one dead run for logs).
    pub fn new_run(&self, name: &str, id: &str) -> Option<String> {
        let mut runs = self.runs.lock().unwrap();
        let entry = runs.entry(name.to_string()).or_insert((None, None));
        let older = entry.1.take();
        entry.1 = entry.0.take();
        entry.0 = Some(id.to_string());
        older
    }

    pub async fn wait_for(
        &self,
        pred: impl Fn(&PodStatus) -> bool,
        timeout: Duration,
    ) -> Option<PodStatus> {
        let mut rx = self.version.subscribe();
        let fut = async {
            loop {
                let st = self.snapshot();
                if pred(&st) {
                    return st;
                }
                if rx.changed().await.is_err() {
                    // The worker is gone: nothing will change any more.
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::time::timeout(timeout, fut).await.ok()
    }

    /// The learner's namespace network this pod goes with, if it is on one.
    pub fn own_network(&self) -> Option<String> {
        self.plan.sandbox.labels.get(labels::OWN_NETWORK).cloned()
    }

    /// Labels that select every object of this pod.
    pub fn pod_selector(&self) -> BTreeMap<String, String> {
        let mut l = BTreeMap::new();
        l.insert(labels::MANAGED.to_string(), "true".to_string());
        if let Some(v) = self.plan.sandbox.labels.get(labels::LEARNER) {
            l.insert(labels::LEARNER.to_string(), v.clone());
        }
        l.insert(labels::NAMESPACE.to_string(), self.plan.namespace.clone());
        l.insert(labels::POD.to_string(), self.plan.pod_name.clone());
        l
    }

    /// Spawn a task working for this pod.
    pub fn spawn<T: Send + 'static>(
        &self,
        fut: impl std::future::Future<Output = T> + Send + 'static,
    ) -> tokio::task::JoinHandle<T> {
        let h = tokio::spawn(fut);
        let mut tasks = self.tasks.lock().unwrap();
        tasks.retain(|t| !t.is_finished());
        tasks.push(h.abort_handle());
        h
    }

    pub fn abort_worker(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}
