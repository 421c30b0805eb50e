//! The pod's phase and conditions, and kubectl's READY, STATUS, RESTARTS and
//! AGE columns: pure functions of the spec and the observed container states.
//!
//! `pod_phase` follows the kubelet's `getPhase` (`pkg/kubelet/kubelet_pods.go`)
//! as summarized in POD-SEMANTICS §2; the columns follow kubectl's `printPod`
//! (`pkg/printers/internalversion/printers.go`), see [`columns`].

use crate::manifest::{PodSpec, RestartPolicy};
use crate::status::{Condition, ContainerKind, ContainerState, ContainerStatus, Phase, PodStatus};

mod columns;

pub use columns::{age, human_duration, ready_column, restarts_column, status_column};

/// The pod phase the kubelet would report for these container statuses.
///
/// `init` holds the statuses of `spec.initContainers` (sidecars included),
/// `app` those of `spec.containers`; a container without a status yet counts
/// as not started. Succeeded and Failed are final: once the runtime has
/// reported one it keeps it (this function only looks at the present states).
pub fn pod_phase(spec: &PodSpec, init: &[ContainerStatus], app: &[ContainerStatus]) -> Phase {
    // Init containers, as the kubelet counts them.
    let mut pending_init = 0;
    let mut failed_init = 0;
    let mut sidecar_running = false;
    for c in &spec.init_containers {
        let status = init.iter().find(|s| s.name == c.name);
        if c.is_sidecar() {
            // A sidecar holds initialization back until it has started; it
            // never fails the pod (it is always restarted).
            if !status.is_some_and(|s| s.started) {
                pending_init += 1;
            }
            sidecar_running |=
                status.is_some_and(|s| matches!(s.state, ContainerState::Running { .. }));
            continue;
        }
        match status.map(|s| (&s.state, &s.last_state)) {
            None => pending_init += 1,
            Some((ContainerState::Running { .. }, _)) => pending_init += 1,
            Some((ContainerState::Terminated { exit_code, .. }, _)) => {
                if *exit_code != 0 {
                    failed_init += 1;
                }
            }
            Some((ContainerState::Waiting { .. }, Some(last))) => {
                // Waiting to be restarted after a failure (CrashLoopBackOff).
                if last.exit_code().is_some_and(|code| code != 0) {
                    failed_init += 1;
                }
            }
            Some((ContainerState::Waiting { .. }, None)) => pending_init += 1,
        }
    }
    // Rule 1: a regular init container failed and nothing will retry it.
    if failed_init > 0 && spec.restart_policy == RestartPolicy::Never {
        return Phase::Failed;
    }

    // App containers; sidecars are not counted here, so they never keep the
    // pod from completing.
    let (mut waiting, mut running, mut stopped, mut succeeded, mut unknown) = (0, 0, 0, 0, 0);
    for c in &spec.containers {
        match app.iter().find(|s| s.name == c.name) {
            None => unknown += 1,
            Some(s) => match &s.state {
                ContainerState::Running { .. } => running += 1,
                ContainerState::Terminated { exit_code, .. } => {
                    stopped += 1;
                    if *exit_code == 0 {
                        succeeded += 1;
                    }
                }
                // Waiting after a previous run: it stopped and is being restarted.
                ContainerState::Waiting { .. } if s.last_state.is_some() => stopped += 1,
                ContainerState::Waiting { .. } => waiting += 1,
            },
        }
    }
    let any_app_started = app.iter().any(has_run);

    // Rule 2: still initializing (and no app container ever started: a
    // restarting sidecar does not send a running pod back to Pending).
    if pending_init > 0 && !any_app_started {
        return Phase::Pending;
    }
    // Rule 3: an app container has not run yet.
    if waiting > 0 {
        return Phase::Pending;
    }
    // Rule 4: something runs.
    if running > 0 && unknown == 0 {
        return Phase::Running;
    }
    // Rule 5: all app containers stopped.
    if running == 0 && stopped > 0 && unknown == 0 {
        let phase = match spec.restart_policy {
            RestartPolicy::Always => Phase::Running,
            _ if stopped == succeeded => Phase::Succeeded,
            RestartPolicy::Never => Phase::Failed,
            RestartPolicy::OnFailure => Phase::Running,
        };
        // The kubelet reports a final phase only once every container has
        // stopped (guaranteed since 1.27): while the sidecars are being
        // stopped the pod is still Running.
        return if phase.is_final() && sidecar_running {
            Phase::Running
        } else {
            phase
        };
    }
    Phase::Pending
}

/// Recompute `status.phase` and `status.conditions` from the container
/// statuses. A final phase (Succeeded, Failed) is kept: a finished pod does
/// not come back to life.
pub fn update_status(spec: &PodSpec, status: &mut PodStatus) {
    if !status.phase.is_final() {
        status.phase = pod_phase(
            spec,
            &status.init_container_statuses,
            &status.container_statuses,
        );
    }
    status.conditions = conditions(spec, status);
}

/// Whether a container has run at least once (now or before).
fn has_run(s: &ContainerStatus) -> bool {
    !matches!(s.state, ContainerState::Waiting { .. })
        || s.last_state.is_some()
        || s.restart_count > 0
}

/// Whether an init status belongs to a native sidecar: by the spec when the
/// name is found there, else by the kind the runtime recorded.
pub(crate) fn is_sidecar_status(spec: Option<&PodSpec>, s: &ContainerStatus) -> bool {
    spec.and_then(|spec| spec.init_containers.iter().find(|c| c.name == s.name))
        .map_or(s.kind == ContainerKind::Sidecar, |c| c.is_sidecar())
}

/// Whether every regular init container succeeded and every sidecar started.
pub fn initialized(spec: &PodSpec, status: &PodStatus) -> bool {
    spec.init_containers.iter().all(|c| {
        let s = status
            .init_container_statuses
            .iter()
            .find(|s| s.name == c.name);
        if c.is_sidecar() {
            // Once the app containers run, a restarting sidecar does not undo
            // initialization.
            s.is_some_and(|s| s.started) || status.container_statuses.iter().any(has_run)
        } else {
            s.is_some_and(|s| s.state.exit_code() == Some(0))
        }
    })
}

/// A Pod that has ended starts no container again (an activeDeadlineSeconds
/// can end it while a container waits out its back-off): such a container
/// shows its last run as its state, not a `CrashLoopBackOff` that never ends.
pub fn end_back_offs(status: &mut PodStatus) {
    if !status.phase.is_final() {
        return;
    }
    for c in status
        .init_container_statuses
        .iter_mut()
        .chain(status.container_statuses.iter_mut())
    {
        if c.state.reason() == Some("CrashLoopBackOff")
            && let Some(last @ ContainerState::Terminated { .. }) = c.last_state.take()
        {
            c.state = last;
        }
    }
}

/// The pod conditions the kubelet reports, in the kubelet's order:
/// PodReadyToStartContainers (the sandbox has an IP), Initialized, Ready,
/// ContainersReady, PodScheduled.
///
/// ContainersReady needs every app container and every sidecar ready; Ready
/// follows it (podlearn has no readiness gates). A finished pod is not ready,
/// with reason `PodCompleted`.
pub fn conditions(spec: &PodSpec, status: &PodStatus) -> Vec<Condition> {
    let cond = |kind: &str, ok: bool, reason: &str| Condition {
        kind: kind.to_string(),
        status: if ok { "True" } else { "False" }.to_string(),
        reason: (!ok && !reason.is_empty()).then(|| reason.to_string()),
    };
    let finished = status.phase.is_final();
    let init_ok = initialized(spec, status);
    let app_ready = spec.containers.iter().all(|c| {
        status
            .container_statuses
            .iter()
            .any(|s| s.name == c.name && s.ready)
    });
    let sidecars_ready = spec.sidecars().all(|c| {
        status
            .init_container_statuses
            .iter()
            .any(|s| s.name == c.name && s.ready)
    });
    let ready = app_ready && sidecars_ready && !finished;
    let not_ready_reason = if finished {
        "PodCompleted"
    } else {
        "ContainersNotReady"
    };
    vec![
        cond(
            "PodReadyToStartContainers",
            status.pod_ip.is_some() && !finished,
            "",
        ),
        cond(
            "Initialized",
            init_ok || status.phase == Phase::Succeeded,
            "ContainersNotInitialized",
        ),
        cond("Ready", ready, not_ready_reason),
        cond("ContainersReady", ready, not_ready_reason),
        cond("PodScheduled", true, ""),
    ]
}

#[cfg(test)]
mod tests;
