//! Finding pods again from the engine's own records, from any podlearn
//! process: every object carries labels (learner, namespace, pod, container,
//! attempt), the sandbox carries the pod's shape, and Docker keeps each
//! run's state and times. From these a `PodStatus` is rebuilt for `get`,
//! `describe`, `logs`, `exec` and `delete` of pods another process started.

use std::collections::BTreeMap;
use std::time::SystemTime;

use futures_util::StreamExt;

use crate::manifest::{Container, ObjectMeta, Pod, PodSpec, PullPolicy, Resource, RestartPolicy};
use crate::status::{ContainerKind, ContainerState, ContainerStatus, Event, Phase, PodStatus};

use super::Engine;
use super::docker::{Api, Inspected};
use super::labels;

/// A pod as the engine records it.
#[derive(Debug, Clone)]
pub struct PodRecord {
    /// The pod's spec: from the recorded manifest, else rebuilt from labels
    /// (containers and restartPolicy only).
    pub pod: Pod,
    pub namespace: String,
    pub name: String,
    pub status: PodStatus,
    /// Container name -> (current run, previous run) Docker ids.
    pub runs: BTreeMap<String, super::state::Runs>,
    pub sandbox_id: String,
    pub detached: bool,
    pub labels: BTreeMap<String, String>,
}

impl PodRecord {
    /// Where a delete of this pod is announced to its kubelet.
    fn deletion_marker(&self) -> Option<std::path::PathBuf> {
        self.labels
            .get(labels::LEARNER)
            .and_then(|l| super::live::deleting_path(l, &self.namespace, &self.name))
    }

    /// Tell the pod's kubelet, in whichever process it runs, to restart
    /// nothing from now on (a cluster's `deletionTimestamp`).
    pub fn mark_deleting(&self) {
        if let Some(m) = self.deletion_marker() {
            super::live::mark_deleting(&m, &self.sandbox_id);
        }
    }

    /// When a delete of this pod began, if one has (`Terminating`).
    pub fn deletion_started(&self) -> Option<std::time::SystemTime> {
        let m = self.deletion_marker()?;
        if !super::live::is_deleting(&m, &self.sandbox_id) {
            return None;
        }
        std::fs::metadata(&m).and_then(|m| m.modified()).ok()
    }

    /// The container a command means when it names none: the only app
    /// container, if the pod has exactly one.
    pub fn sole_app_container(&self) -> Option<&str> {
        match self.pod.spec.containers.as_slice() {
            [one] => Some(one.name.as_str()),
            _ => None,
        }
    }

    /// The Docker id of a container's current or previous run; `""` names
    /// the first app container.
    pub fn container_id(&self, name: &str, previous: bool) -> anyhow::Result<String> {
        let name = if name.is_empty() {
            self.status
                .container_statuses
                .first()
                .map(|c| c.name.clone())
                .unwrap_or_default()
        } else {
            name.to_string()
        };
        let (cur, prev) = self.runs.get(&name).cloned().unwrap_or_default();
        let known = self
            .status
            .init_container_statuses
            .iter()
            .chain(&self.status.container_statuses)
            .any(|c| c.name == name);
        if !known {
            return Err(crate::exit::learner_error(format!(
                "container {name:?} is not valid for pod {:?}",
                self.name
            )));
        }
        match (previous, cur, prev) {
            (false, Some(id), _) | (true, _, Some(id)) => Ok(id),
            (true, _, None) => Err(crate::exit::learner_error(format!(
                "previous terminated container {name:?} in pod {:?} not found",
                self.name
            ))),
            (false, None, _) => anyhow::bail!("container {name:?} has not been created yet"),
        }
    }
}

/// A container's whole output so far.
pub async fn read_logs(api: &Api, id: &str) -> anyhow::Result<String> {
    let mut out = String::new();
    let mut s = Box::pin(api.logs(id, false));
    while let Some(chunk) = s.next().await {
        out.push_str(&chunk?);
    }
    Ok(out)
}

fn terminated(i: &Inspected) -> ContainerState {
    let now = SystemTime::now();
    ContainerState::Terminated {
        exit_code: i.exit_code,
        reason: if i.oom_killed {
            "OOMKilled"
        } else if i.exit_code == 0 {
            "Completed"
        } else {
            "Error"
        }
        .into(),
        message: None,
        signal: None,
        started_at: i.started_at.unwrap_or(now),
        finished_at: i.finished_at.unwrap_or(now),
    }
}

/// The learner's pods on the engine (all learners' with `learner: None`),
/// optionally only one pod by name.
pub async fn find_pods(
    engine: &Engine,
    learner: Option<&str>,
    pod: Option<&str>,
) -> anyhow::Result<Vec<PodRecord>> {
    let api = &engine.api;
    let mut sel = BTreeMap::new();
    sel.insert(labels::MANAGED.to_string(), "true".to_string());
    if let Some(l) = learner {
        sel.insert(labels::LEARNER.to_string(), l.to_string());
    }
    if let Some(p) = pod {
        sel.insert(labels::POD.to_string(), p.to_string());
    }
    let all = api.list(&sel).await?;
    let mut out = Vec::new();
    for sb in all
        .iter()
        .filter(|c| c.labels.get(labels::ROLE).map(String::as_str) == Some("sandbox"))
    {
        let l = &sb.labels;
        let get = |k: &str| l.get(k).cloned().unwrap_or_default();
        let (ns, name, learner) = (
            get(labels::NAMESPACE),
            get(labels::POD),
            get(labels::LEARNER),
        );
        let sbi = api.inspect(&sb.id).await.unwrap_or_default();
        let mut status = PodStatus {
            phase: Phase::Pending,
            reason: None,
            message: None,
            conditions: Vec::new(),
            pod_ip: sbi.ip.clone(),
            start_time: sbi.started_at,
            init_container_statuses: Vec::new(),
            container_statuses: Vec::new(),
            events: Vec::new(),
        };
        let mut runs = BTreeMap::new();
        for part in get(labels::CONTAINERS).split(',').filter(|s| !s.is_empty()) {
            let (kind, cname) = part.split_once(':').unwrap_or(("app", part));
            let kind = match kind {
                "init" => ContainerKind::Init,
                "sidecar" => ContainerKind::Sidecar,
                _ => ContainerKind::App,
            };
            let mut mine: Vec<_> = all
                .iter()
                .filter(|c| {
                    c.labels.get(labels::NAMESPACE) == Some(&ns)
                        && c.labels.get(labels::POD) == Some(&name)
                        && c.labels.get(labels::LEARNER) == Some(&learner)
                        && c.labels.get(labels::CONTAINER).map(String::as_str) == Some(cname)
                })
                .map(|c| {
                    let attempt: u32 = c
                        .labels
                        .get(labels::ATTEMPT)
                        .and_then(|a| a.parse().ok())
                        .unwrap_or(0);
                    (attempt, c.id.clone())
                })
                .collect();
            mine.sort();
            let cur = mine.last().cloned();
            let prev = mine.len().checked_sub(2).map(|i| mine[i].clone());
            let mut cs = ContainerStatus {
                name: cname.to_string(),
                kind,
                image: String::new(),
                state: ContainerState::waiting("ContainerCreating"),
                last_state: None,
                ready: false,
                started: false,
                restart_count: cur.as_ref().map(|c| c.0).unwrap_or(0),
                container_id: cur.as_ref().map(|c| c.1.clone()),
            };
            if let Some((_, id)) = &cur {
                let i = api.inspect(id).await.unwrap_or_default();
                if i.running {
                    let started_at = i.started_at.unwrap_or_else(SystemTime::now);
                    cs.state = ContainerState::Running { started_at };
                    cs.started = true;
                    cs.ready = true;
                    status.events.push(event(
                        started_at,
                        cname,
                        "Started",
                        format!("Started container {cname}"),
                    ));
                } else if i.started_at.is_some() {
                    cs.state = terminated(&i);
                    if let Some(t) = i.started_at {
                        status.events.push(event(
                            t,
                            cname,
                            "Started",
                            format!("Started container {cname}"),
                        ));
                    }
                }
            }
            if let Some((_, id)) = &prev {
                let i = api.inspect(id).await.unwrap_or_default();
                cs.last_state = Some(terminated(&i));
            }
            runs.insert(cname.to_string(), (cur.map(|c| c.1), prev.map(|c| c.1)));
            match kind {
                ContainerKind::App => status.container_statuses.push(cs),
                _ => status.init_container_statuses.push(cs),
            }
        }
        let policy = match get(labels::RESTART_POLICY).as_str() {
            "Never" => RestartPolicy::Never,
            "OnFailure" => RestartPolicy::OnFailure,
            _ => RestartPolicy::Always,
        };
        let pod = recorded_pod(l, &ns, &name).unwrap_or_else(|| Pod {
            metadata: ObjectMeta {
                name: name.clone(),
                namespace: ns.clone(),
                ..Default::default()
            },
            spec: skeleton(policy, &status),
        });
        for c in status
            .init_container_statuses
            .iter_mut()
            .chain(status.container_statuses.iter_mut())
        {
            if let Some(spec) = pod.spec.all_containers().find(|s| s.name == c.name) {
                c.image = spec.image.clone();
            }
        }
        status.phase = crate::phase::pod_phase(
            &pod.spec,
            &status.init_container_statuses,
            &status.container_statuses,
        );
        if let Some(path) = super::live::path(&learner, &ns, &name) {
            super::live::overlay(&path, &sb.id, &mut status);
        }
        status.conditions = crate::phase::conditions(&pod.spec, &status);
        status.events.sort_by_key(|e| e.time);
        out.push(PodRecord {
            pod,
            namespace: ns,
            name,
            status,
            runs,
            sandbox_id: sb.id.clone(),
            detached: get(labels::DETACHED) == "true",
            labels: l.clone(),
        });
    }
    out.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    Ok(out)
}

/// The pod as written in the manifest recorded on its sandbox.
fn recorded_pod(labels: &BTreeMap<String, String>, ns: &str, name: &str) -> Option<Pod> {
    let text = labels.get(labels::MANIFEST)?;
    let file = labels
        .get(labels::MANIFEST_FILE)
        .map(String::as_str)
        .unwrap_or("-");
    let loaded = crate::manifest::load_str(file, text);
    loaded.objects.into_iter().find_map(|o| match o.resource {
        Resource::Pod(p) if p.metadata.name == name && p.metadata.namespace == ns => Some(p),
        _ => None,
    })
}

/// The part of a pod's spec the engine records (its containers' names and
/// kinds, its restartPolicy): enough for the phase and conditions.
fn skeleton(policy: RestartPolicy, status: &PodStatus) -> PodSpec {
    let c = |s: &ContainerStatus| Container {
        name: s.name.clone(),
        image: s.image.clone(),
        image_pull_policy: PullPolicy::IfNotPresent,
        command: vec![],
        args: vec![],
        working_dir: None,
        env: vec![],
        env_from: vec![],
        ports: vec![],
        volume_mounts: vec![],
        resources: Default::default(),
        liveness_probe: None,
        readiness_probe: None,
        startup_probe: None,
        lifecycle: None,
        security_context: None,
        stdin: false,
        tty: false,
        termination_message_path: "/dev/termination-log".into(),
        restart_policy: (s.kind == ContainerKind::Sidecar).then_some(RestartPolicy::Always),
    };
    PodSpec {
        containers: status.container_statuses.iter().map(c).collect(),
        init_containers: status.init_container_statuses.iter().map(c).collect(),
        volumes: vec![],
        restart_policy: policy,
        share_process_namespace: false,
        hostname: None,
        subdomain: None,
        host_aliases: vec![],
        termination_grace_period_seconds: 30,
        active_deadline_seconds: None,
        security_context: None,
        host_network: false,
        host_pid: false,
        host_ipc: false,
        dns_policy: "ClusterFirst".into(),
        node_name: None,
        node_selector: Default::default(),
        affinity: None,
        tolerations: vec![],
    }
}

fn event(time: SystemTime, container: &str, reason: &str, message: String) -> Event {
    Event {
        time,
        kind: "Normal".into(),
        reason: reason.into(),
        source: "podlearn".into(),
        object: Some(format!("spec.containers{{{container}}}")),
        message,
    }
}

impl Engine {
    /// Run a command in a container of a pod found on the engine.
    pub async fn exec_in(
        &self,
        record: &PodRecord,
        container: &str,
        argv: &[String],
        timeout: std::time::Duration,
    ) -> anyhow::Result<super::ExecOutput> {
        let id = record.container_id(container, false)?;
        self.api.exec(&id, argv, timeout).await
    }

    /// Run a command in a container of a pod found on the engine, attached
    /// to the learner's terminal or pipes (`exec -i`, `-it`).
    pub async fn exec_attached_in(
        &self,
        record: &PodRecord,
        container: &str,
        argv: &[String],
        io: super::AttachedIo<'_>,
    ) -> anyhow::Result<i64> {
        let id = record.container_id(container, false)?;
        self.api.exec_attached(&id, argv, io).await
    }

    /// Logs of a container of a pod found on the engine, optionally followed.
    pub fn logs_of(
        &self,
        id: &str,
        follow: bool,
    ) -> impl futures_util::Stream<Item = anyhow::Result<String>> + use<> {
        self.api.logs(id, follow)
    }

    /// Delete a pod found on the engine (started by any process): every
    /// container gets its stop signal, then SIGKILL after `grace`; app
    /// containers first, then sidecars, then the sandbox; then removal.
    pub async fn delete_record(
        &self,
        record: &PodRecord,
        grace: std::time::Duration,
    ) -> anyhow::Result<()> {
        let api = &self.api;
        let ids = |kind: ContainerKind| -> Vec<String> {
            let list = if kind == ContainerKind::App {
                &record.status.container_statuses
            } else {
                &record.status.init_container_statuses
            };
            list.iter()
                .filter(|c| c.kind == kind && c.state.is_running())
                .filter_map(|c| c.container_id.clone())
                .collect()
        };
        // Tell the pod's kubelet, in whichever process it runs, to restart
        // nothing from now on (a cluster's deletionTimestamp).
        record.mark_deleting();
        let deadline = std::time::Instant::now() + grace;
        // preStop hooks first (the grace period counts them), then the stop
        // signal and SIGKILL when the grace period is over.
        let stop = |id: String| async move {
            let name = record
                .status
                .init_container_statuses
                .iter()
                .chain(&record.status.container_statuses)
                .find(|c| c.container_id.as_deref() == Some(id.as_str()))
                .map(|c| c.name.clone())
                .unwrap_or_default();
            let Some(container) = record.pod.spec.all_containers().find(|c| c.name == name) else {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                let _ = api.stop(&id, left).await;
                return;
            };
            let stopping = super::probes::Stopping {
                api,
                sandbox_id: &record.sandbox_id,
                id: &id,
                container,
                pod_ip: record.status.pod_ip.as_deref(),
            };
            super::probes::stop_container(stopping, deadline, true).await;
        };
        for kind in [ContainerKind::App, ContainerKind::Init] {
            futures_util::future::join_all(ids(kind).into_iter().map(stop)).await;
        }
        for id in ids(ContainerKind::Sidecar).into_iter().rev() {
            stop(id).await;
        }
        let mut sel = BTreeMap::new();
        for k in [
            labels::MANAGED,
            labels::LEARNER,
            labels::NAMESPACE,
            labels::POD,
        ] {
            if let Some(v) = record.labels.get(k) {
                sel.insert(k.to_string(), v.clone());
            }
        }
        // The marker stays: it names this sandbox only, and a kubelet still
        // backing off must not bring a container (and its volumes) back.
        super::cleanup::remove_selected(api, &sel).await?;
        if let Some(l) = record.labels.get(labels::LEARNER)
            && let Some(p) = super::live::path(l, &record.namespace, &record.name)
        {
            super::live::remove(&p);
        }
        super::cleanup::release_own_network(api, record.labels.get(labels::OWN_NETWORK).cloned())
            .await;
        Ok(())
    }
}
