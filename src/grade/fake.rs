//! A scripted, recording stand-in for a running pod, so every check kind and
//! the grading flow are tested without Docker (as youki fakes its syscalls).
//! Also builders for the pods and statuses those tests need.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use std::time::{Duration, SystemTime};

use super::{ExecOutput, Launcher, PodError, PodUnderTest};
use crate::manifest::model::{
    Container, Object, ObjectMeta, Pod, PodSpec, PullPolicy, Resources, RestartPolicy,
};
use crate::status::{
    Condition, ContainerKind, ContainerState, ContainerStatus, Phase, PodStatus, StopSignal,
    StopSignals,
};

/// One scripted answer to `exec`: for `container`, when the command line
/// contains `pattern`; answers are used in order, the last one repeats.
#[derive(Debug)]
struct ExecRule {
    container: String,
    pattern: String,
    answers: VecDeque<Result<ExecOutput, String>>,
}

#[derive(Debug, Default)]
struct State {
    statuses: VecDeque<PodStatus>,
    exec_rules: Vec<ExecRule>,
    logs: BTreeMap<(String, bool), String>,
    calls: Vec<String>,
    deleted: Option<Duration>,
    delete_takes: Duration,
    delete_writes: Option<(std::path::PathBuf, String)>,
    /// The stop signal's time, as an offset from the delete's file write
    /// (negative: the signal came first).
    delete_signals: Vec<(String, i64)>,
    engine_gone: bool,
}

/// The fake pod. Clones share their script and record.
#[derive(Debug, Clone, Default)]
pub struct FakePod {
    state: Rc<RefCell<State>>,
}

impl FakePod {
    pub fn new() -> Self {
        Self::default()
    }

    /// Statuses returned one per `status()` call; the last one repeats.
    pub fn statuses(self, list: Vec<PodStatus>) -> Self {
        self.state.borrow_mut().statuses = list.into();
        self
    }

    /// Answer `exec` in `container` of a command line containing `pattern`.
    pub fn on_exec(self, container: &str, pattern: &str, answers: Vec<ExecOutput>) -> Self {
        self.state.borrow_mut().exec_rules.push(ExecRule {
            container: container.into(),
            pattern: pattern.into(),
            answers: answers.into_iter().map(Ok).collect(),
        });
        self
    }

    /// `exec` in `container` fails as if the container were not running.
    pub fn exec_unavailable(self, container: &str, why: &str) -> Self {
        self.state.borrow_mut().exec_rules.push(ExecRule {
            container: container.into(),
            pattern: String::new(),
            answers: VecDeque::from([Err(why.to_string())]),
        });
        self
    }

    pub fn logs(self, container: &str, previous: bool, text: &str) -> Self {
        self.state
            .borrow_mut()
            .logs
            .insert((container.into(), previous), text.into());
        self
    }

    /// `delete` takes this long.
    pub fn delete_takes(self, d: Duration) -> Self {
        self.state.borrow_mut().delete_takes = d;
        self
    }

    /// `delete` writes this file, as a preStop hook would into a volume.
    pub fn delete_writes(self, path: &std::path::Path, content: &str) -> Self {
        self.state.borrow_mut().delete_writes = Some((path.to_path_buf(), content.into()));
        self
    }

    /// `delete` reports that `container` was sent its stop signal
    /// `after_write_ms` after the file of [`delete_writes`](Self::delete_writes)
    /// was written (negative: before), its preStop hook done 50 ms earlier.
    pub fn delete_signals(self, container: &str, after_write_ms: i64) -> Self {
        self.state
            .borrow_mut()
            .delete_signals
            .push((container.into(), after_write_ms));
        self
    }

    /// Every call fails as if Docker had gone away.
    pub fn engine_gone(self) -> Self {
        self.state.borrow_mut().engine_gone = true;
        self
    }

    /// What was called, in order: `status`, `exec web: cat /x`, `logs web`, `delete 0s`.
    pub fn calls(&self) -> Vec<String> {
        self.state.borrow().calls.clone()
    }

    /// The grace of the last `delete`, if there was one.
    pub fn deleted(&self) -> Option<Duration> {
        self.state.borrow().deleted
    }

    fn gone(&self) -> Result<(), PodError> {
        if self.state.borrow().engine_gone {
            return Err(PodError::Engine(anyhow::anyhow!(
                "Cannot connect to the Docker daemon"
            )));
        }
        Ok(())
    }
}

impl PodUnderTest for FakePod {
    async fn status(&self) -> Result<PodStatus, PodError> {
        self.state.borrow_mut().calls.push("status".into());
        self.gone()?;
        let mut s = self.state.borrow_mut();
        if s.statuses.len() > 1 {
            Ok(s.statuses
                .pop_front()
                .unwrap_or_else(|| status(Phase::Pending, vec![])))
        } else {
            Ok(s.statuses
                .front()
                .cloned()
                .unwrap_or_else(|| status(Phase::Pending, vec![])))
        }
    }

    async fn exec(
        &self,
        container: &str,
        argv: &[String],
        _timeout: Duration,
    ) -> Result<ExecOutput, PodError> {
        let line = argv.join(" ");
        self.state
            .borrow_mut()
            .calls
            .push(format!("exec {container}: {line}"));
        self.gone()?;
        let mut s = self.state.borrow_mut();
        let rule = s
            .exec_rules
            .iter_mut()
            .find(|r| r.container == container && line.contains(&r.pattern));
        let answer = match rule {
            Some(r) if r.answers.len() > 1 => r.answers.pop_front(),
            Some(r) => r.answers.front().cloned(),
            None => None,
        };
        match answer {
            Some(Ok(out)) => Ok(out),
            Some(Err(why)) => Err(PodError::Unavailable(why)),
            None => Ok(out(127, "", &format!("sh: {}: not found", argv[0]))),
        }
    }

    async fn logs(&self, container: &str, previous: bool) -> Result<String, PodError> {
        self.state
            .borrow_mut()
            .calls
            .push(format!("logs {container}"));
        self.gone()?;
        Ok(self
            .state
            .borrow()
            .logs
            .get(&(container.to_string(), previous))
            .cloned()
            .unwrap_or_default())
    }

    async fn signal(&self, container: &str, signal: &str) -> Result<(), PodError> {
        self.state
            .borrow_mut()
            .calls
            .push(format!("signal {container}: {signal}"));
        self.gone()
    }

    async fn delete(&self, grace: Duration) -> Result<StopSignals, PodError> {
        let takes = {
            let mut s = self.state.borrow_mut();
            s.calls.push(format!("delete {}s", grace.as_secs()));
            s.delete_takes
        };
        tokio::time::sleep(takes).await;
        let mut written = SystemTime::now();
        if let Some((path, content)) = self.state.borrow_mut().delete_writes.take() {
            let _ = std::fs::write(&path, content);
            if let Ok(t) = std::fs::metadata(&path).and_then(|m| m.modified()) {
                written = t;
            }
        }
        let mut signals = StopSignals::new();
        for (name, after) in &self.state.borrow().delete_signals {
            let offset = Duration::from_millis(after.unsigned_abs());
            let sent = if *after >= 0 {
                written + offset
            } else {
                written - offset
            };
            let hook_done = sent - Duration::from_millis(50);
            signals.insert(name.clone(), StopSignal { hook_done, sent });
        }
        self.state.borrow_mut().deleted = Some(grace);
        self.gone()?;
        Ok(signals)
    }
}

/// Launches the same [`FakePod`] and remembers the pods it was asked to run.
#[derive(Debug, Default)]
pub struct FakeLauncher {
    pub pod: FakePod,
    pub launched: RefCell<Vec<Pod>>,
}

impl Launcher for FakeLauncher {
    type Pod = FakePod;
    async fn launch(&self, pod: &Pod, _objects: &[Object], _scale: f64) -> anyhow::Result<FakePod> {
        self.launched.borrow_mut().push(pod.clone());
        Ok(self.pod.clone())
    }
}

/// An exec result.
pub fn out(exit_code: i64, stdout: &str, stderr: &str) -> ExecOutput {
    ExecOutput {
        exit_code,
        stdout: stdout.into(),
        stderr: stderr.into(),
    }
}

/// A pod status with these app containers.
pub fn status(phase: Phase, containers: Vec<ContainerStatus>) -> PodStatus {
    let ready = containers.iter().all(|c| c.ready) && !containers.is_empty();
    PodStatus {
        phase,
        reason: None,
        message: None,
        conditions: vec![Condition {
            kind: "Ready".into(),
            status: if ready { "True" } else { "False" }.into(),
            reason: None,
        }],
        pod_ip: Some("172.17.0.9".into()),
        start_time: Some(SystemTime::UNIX_EPOCH),
        init_container_statuses: containers
            .iter()
            .filter(|c| c.kind != ContainerKind::App)
            .cloned()
            .collect(),
        container_statuses: containers
            .into_iter()
            .filter(|c| c.kind == ContainerKind::App)
            .collect(),
        events: Vec::new(),
    }
}

/// A container status in `state`, started `at` seconds after the epoch.
pub fn container(name: &str, kind: ContainerKind, state: ContainerState) -> ContainerStatus {
    ContainerStatus {
        name: name.into(),
        kind,
        image: "busybox".into(),
        ready: state.is_running(),
        started: state.is_running(),
        state,
        last_state: None,
        restart_count: 0,
        container_id: None,
    }
}

pub fn running(at: u64) -> ContainerState {
    ContainerState::Running {
        started_at: secs(at),
    }
}

pub fn terminated(code: i64, from: u64, to: u64) -> ContainerState {
    ContainerState::Terminated {
        exit_code: code,
        reason: if code == 0 { "Completed" } else { "Error" }.into(),
        message: None,
        signal: None,
        started_at: secs(from),
        finished_at: secs(to),
    }
}

fn secs(s: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(s)
}

/// A pod named `name` with busybox app containers.
pub fn pod(name: &str, containers: &[&str]) -> Pod {
    Pod {
        metadata: ObjectMeta {
            name: name.into(),
            namespace: "default".into(),
            ..Default::default()
        },
        spec: PodSpec {
            containers: containers.iter().map(|c| spec_container(c)).collect(),
            init_containers: Vec::new(),
            volumes: Vec::new(),
            restart_policy: RestartPolicy::Always,
            share_process_namespace: false,
            hostname: None,
            subdomain: None,
            host_aliases: Vec::new(),
            termination_grace_period_seconds: 30,
            active_deadline_seconds: None,
            security_context: None,
            host_network: false,
            host_pid: false,
            host_ipc: false,
            dns_policy: "ClusterFirst".into(),
            node_name: None,
            node_selector: BTreeMap::new(),
            affinity: None,
            tolerations: Vec::new(),
        },
    }
}

/// A busybox container spec with the API's defaults.
pub fn spec_container(name: &str) -> Container {
    Container {
        name: name.into(),
        image: "busybox".into(),
        image_pull_policy: PullPolicy::IfNotPresent,
        command: Vec::new(),
        args: Vec::new(),
        working_dir: None,
        env: Vec::new(),
        env_from: Vec::new(),
        ports: Vec::new(),
        volume_mounts: Vec::new(),
        resources: Resources::default(),
        liveness_probe: None,
        readiness_probe: None,
        startup_probe: None,
        lifecycle: None,
        security_context: None,
        stdin: false,
        tty: false,
        termination_message_path: "/dev/termination-log".into(),
        restart_policy: None,
    }
}
