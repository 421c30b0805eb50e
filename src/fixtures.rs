//! Test-only builders for pods, containers and statuses, so the kubelet
//! semantics tests read like the situations they describe.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::manifest::{Container, ObjectMeta, Pod, PodSpec, PullPolicy, Resources, RestartPolicy};
use crate::status::{ContainerKind, ContainerState, ContainerStatus, Phase, PodStatus};

/// A fixed "now" for deterministic times: 2026-11-21T06:00:00Z.
pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_240_800)
}

/// `now()` minus `secs` seconds.
pub fn ago(secs: u64) -> SystemTime {
    now() - Duration::from_secs(secs)
}

pub fn container(name: &str) -> Container {
    Container {
        name: name.to_string(),
        image: "busybox:latest".to_string(),
        image_pull_policy: PullPolicy::IfNotPresent,
        command: vec![],
        args: vec![],
        working_dir: None,
        env: vec![],
        env_from: vec![],
        ports: vec![],
        volume_mounts: vec![],
        resources: Resources::default(),
        liveness_probe: None,
        readiness_probe: None,
        startup_probe: None,
        lifecycle: None,
        security_context: None,
        stdin: false,
        tty: false,
        termination_message_path: "/dev/termination-log".to_string(),
        restart_policy: None,
    }
}

pub fn sidecar(name: &str) -> Container {
    Container {
        restart_policy: Some(RestartPolicy::Always),
        ..container(name)
    }
}

pub fn spec(init: Vec<Container>, app: Vec<Container>, policy: RestartPolicy) -> PodSpec {
    PodSpec {
        containers: app,
        init_containers: init,
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
        dns_policy: "ClusterFirst".to_string(),
        node_name: None,
        node_selector: Default::default(),
        affinity: None,
        tolerations: vec![],
    }
}

pub fn pod(name: &str, spec: PodSpec) -> Pod {
    Pod {
        metadata: ObjectMeta {
            name: name.to_string(),
            namespace: "default".to_string(),
            ..Default::default()
        },
        spec,
    }
}

pub fn status(name: &str, kind: ContainerKind, state: ContainerState) -> ContainerStatus {
    ContainerStatus {
        name: name.to_string(),
        kind,
        image: "busybox:latest".to_string(),
        started: state.is_running(),
        ready: false,
        state,
        last_state: None,
        restart_count: 0,
        container_id: None,
    }
}

pub fn running(since: u64) -> ContainerState {
    ContainerState::Running {
        started_at: ago(since),
    }
}

pub fn exited(code: i64) -> ContainerState {
    terminated_at(code, 5)
}

/// Terminated `finished` seconds before `now()`, after running one second.
pub fn terminated_at(code: i64, finished: u64) -> ContainerState {
    ContainerState::Terminated {
        exit_code: code,
        reason: if code == 0 { "Completed" } else { "Error" }.to_string(),
        message: None,
        signal: None,
        started_at: ago(finished + 1),
        finished_at: ago(finished),
    }
}

pub fn waiting(reason: &str) -> ContainerState {
    ContainerState::waiting(reason)
}

pub fn pod_status(
    phase: Phase,
    init: Vec<ContainerStatus>,
    app: Vec<ContainerStatus>,
) -> PodStatus {
    PodStatus {
        phase,
        reason: None,
        message: None,
        conditions: vec![],
        pod_ip: Some("172.17.0.5".to_string()),
        start_time: Some(ago(120)),
        init_container_statuses: init,
        container_statuses: app,
        events: vec![],
    }
}
