//! What a running pod looks like from outside: phase, conditions, container
//! states with the kubelet's reasons, restart counts and events, shaped like a
//! Kubernetes `PodStatus` so `get -o yaml` reads like a cluster's.
//!
//! The runtime fills these in from what it observes; phase and the kubectl
//! STATUS column are pure functions of them (see `phase`).

use std::time::SystemTime;

use serde::Serialize;

/// How a container was stopped when its pod was deleted: when its preStop
/// hook had ended (or the stop began, without a hook) and when the stop
/// signal was sent. The runtime leaves a moment between the two, so that a
/// file the hook wrote is older than the signal on any file system clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopSignal {
    pub hook_done: SystemTime,
    pub sent: SystemTime,
}

impl StopSignal {
    /// Halfway between the hook's end and the signal: a file modified before
    /// this was written before the container was signalled, even where file
    /// times lag the clock by a tick.
    pub fn midpoint(&self) -> SystemTime {
        let gap = self.sent.duration_since(self.hook_done).unwrap_or_default();
        self.hook_done + gap / 2
    }
}

/// Stop signals by container name.
pub type StopSignals = std::collections::BTreeMap<String, StopSignal>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Phase {
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pending => "Pending",
            Phase::Running => "Running",
            Phase::Succeeded => "Succeeded",
            Phase::Failed => "Failed",
            Phase::Unknown => "Unknown",
        }
    }

    /// Succeeded and Failed are final.
    pub fn is_final(self) -> bool {
        matches!(self, Phase::Succeeded | Phase::Failed)
    }
}

/// The state of one container, as `kubectl get pod -o yaml` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ContainerState {
    /// `ContainerCreating`, `PodInitializing`, `ErrImagePull`, `ImagePullBackOff`,
    /// `CreateContainerConfigError`, `CreateContainerError`, `RunContainerError`,
    /// `PostStartHookError`, `CrashLoopBackOff`.
    Waiting {
        reason: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    Running {
        #[serde(with = "rfc3339")]
        started_at: SystemTime,
    },
    Terminated {
        exit_code: i64,
        /// `Completed`, `Error`, `OOMKilled`.
        reason: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        signal: Option<i64>,
        #[serde(with = "rfc3339")]
        started_at: SystemTime,
        #[serde(with = "rfc3339")]
        finished_at: SystemTime,
    },
}

impl ContainerState {
    pub fn waiting(reason: &str) -> Self {
        ContainerState::Waiting {
            reason: reason.to_string(),
            message: None,
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(self, ContainerState::Running { .. })
    }

    pub fn is_terminated(&self) -> bool {
        matches!(self, ContainerState::Terminated { .. })
    }

    pub fn exit_code(&self) -> Option<i64> {
        match self {
            ContainerState::Terminated { exit_code, .. } => Some(*exit_code),
            _ => None,
        }
    }

    /// The reason of a waiting or terminated state.
    pub fn reason(&self) -> Option<&str> {
        match self {
            ContainerState::Waiting { reason, .. } | ContainerState::Terminated { reason, .. } => {
                Some(reason)
            }
            ContainerState::Running { .. } => None,
        }
    }
}

/// Which list of the spec a container comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ContainerKind {
    /// A regular init container: runs to completion before the next.
    Init,
    /// An init container with `restartPolicy: Always`.
    Sidecar,
    /// An entry of `spec.containers`.
    App,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    pub name: String,
    #[serde(skip)]
    pub kind: ContainerKind,
    pub image: String,
    pub state: ContainerState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_state: Option<ContainerState>,
    pub ready: bool,
    /// Running and past its startupProbe and postStart hook.
    pub started: bool,
    pub restart_count: u32,
    /// The Docker container of the current (or last) run, for `logs` and `exec`.
    #[serde(skip)]
    pub container_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// `PodScheduled`, `Initialized`, `ContainersReady`, `Ready`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `"True"` or `"False"`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    #[serde(with = "rfc3339")]
    pub time: SystemTime,
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `Scheduled`, `Pulling`, `Pulled`, `Created`, `Started`, `Killing`, `BackOff`,
    /// `Unhealthy`, `Failed`, `FailedPostStartHook`, `FailedPreStopHook`, ...
    pub reason: String,
    /// `kubelet` or `podlearn`.
    pub source: String,
    /// What it concerns, e.g. `spec.containers{web}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus {
    pub phase: Phase,
    /// Set on a Failed pod: e.g. `DeadlineExceeded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub conditions: Vec<Condition>,
    #[serde(rename = "podIP", skip_serializing_if = "Option::is_none")]
    pub pod_ip: Option<String>,
    #[serde(with = "rfc3339_opt", skip_serializing_if = "Option::is_none")]
    pub start_time: Option<SystemTime>,
    /// Init containers, sidecars included, in spec order.
    pub init_container_statuses: Vec<ContainerStatus>,
    pub container_statuses: Vec<ContainerStatus>,
    #[serde(skip)]
    pub events: Vec<Event>,
}

/// RFC 3339 timestamps, as the API prints them (`2026-11-21T05:25:24Z`).
pub mod rfc3339 {
    use std::time::SystemTime;

    use serde::Serializer;

    pub fn serialize<S: Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_rfc3339_seconds(*t).to_string())
    }
}

pub mod rfc3339_opt {
    use std::time::SystemTime;

    use serde::Serializer;

    pub fn serialize<S: Serializer>(t: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::rfc3339::serialize(t, s),
            None => s.serialize_none(),
        }
    }
}
