//! Probes and lifecycle hooks of one container run, and its termination.
//! Probes run from podlearn (not Docker's HEALTHCHECK): exec probes inside
//! the container, httpGet and tcpSocket inside the sandbox, which shares the
//! pod's network, so they work where the host cannot reach container IPs.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::mpsc;

use crate::manifest::{Handler, Probe};
use crate::probe::{ProbeAction, ProbeKind, hook_command, probe_action};
use crate::status::ContainerState;

use super::plan::ContainerPlan;
use super::state::PodShared;

/// Run a probe's or hook's action; `Err` carries the kubelet-style detail.
async fn run_action(
    sh: &PodShared,
    id: &str,
    action: &ProbeAction,
    timeout: Duration,
) -> Result<(), String> {
    let (target, argv) = match action {
        ProbeAction::InContainer { argv } => (id.to_string(), argv),
        ProbeAction::InSandbox { argv, .. } => (sh.sandbox_id.clone(), argv),
        ProbeAction::Sleep(d) => {
            tokio::time::sleep(*d).await;
            return Ok(());
        }
        ProbeAction::Unsupported { reason } => return Err(reason.clone()),
        ProbeAction::Fail { message } => return Err(message.clone()),
    };
    // The command has its own timeout; this one only guards against a hung exec.
    match sh
        .api
        .exec(&target, argv, timeout + Duration::from_secs(2))
        .await
    {
        Ok(out) if out.exit_code == 0 => Ok(()),
        Ok(out) => {
            Err(action.failure_detail(out.exit_code, &format!("{}{}", out.stdout, out.stderr)))
        }
        Err(e) => Err(action.failure_detail(124, &format!("{e:#}"))),
    }
}

fn pod_ip(sh: &PodShared) -> Option<String> {
    sh.status.lock().unwrap().pod_ip.clone()
}

async fn run_hook(
    sh: &PodShared,
    p: &ContainerPlan,
    id: &str,
    h: &Handler,
    timeout: Duration,
) -> Result<(), String> {
    let action = hook_command(h, &p.container.ports, pod_ip(sh).as_deref());
    run_action(sh, id, &action, timeout).await
}

async fn run_probe(
    sh: &PodShared,
    p: &ContainerPlan,
    id: &str,
    probe: &Probe,
) -> Result<(), String> {
    let action = probe_action(probe, &p.container.ports, pod_ip(sh).as_deref());
    run_action(
        sh,
        id,
        &action,
        Duration::from_secs(probe.timeout_seconds.max(1)),
    )
    .await
}

/// Everything that runs beside one container run: postStart, then the
/// startup probe, then liveness and readiness. Asks for a kill on `kill`.
pub async fn run(sh: Arc<PodShared>, p: ContainerPlan, id: String, kill: mpsc::Sender<String>) {
    let name = p.container.name.clone();
    let post_start = p
        .container
        .lifecycle
        .as_ref()
        .and_then(|l| l.post_start.clone());
    if let Some(h) = &post_start {
        if let Err(msg) = run_hook(&sh, &p, &id, h, Duration::from_secs(3600)).await {
            sh.event(
                Some(&name),
                true,
                "FailedPostStartHook",
                format!("PostStartHook failed: {msg}"),
            );
            sh.update_container(&name, |c| {
                c.state = ContainerState::Waiting {
                    reason: "PostStartHookError".into(),
                    message: Some(msg.clone()),
                };
            });
            let _ = kill.send("PostStartHookError".into()).await;
            return;
        }
        let now = SystemTime::now();
        sh.update_container(&name, |c| {
            c.state = ContainerState::Running { started_at: now }
        });
    }
    if let Some(sp) = &p.container.startup_probe
        && !probe_until(&sh, &p, &id, sp, ProbeKind::Startup).await
    {
        sh.event(
            Some(&name),
            false,
            "Killing",
            ProbeKind::Startup.kill_message(&name),
        );
        let _ = kill.send("startup".into()).await;
        return;
    }
    let has_readiness = p.container.readiness_probe.is_some();
    sh.update_container(&name, |c| {
        c.started = true;
        c.ready = !has_readiness;
    });
    let readiness = async {
        if let Some(rp) = &p.container.readiness_probe {
            readiness_loop(&sh, &p, &id, rp).await;
        }
    };
    let liveness = async {
        if let Some(lp) = &p.container.liveness_probe
            && !probe_until(&sh, &p, &id, lp, ProbeKind::Liveness).await
        {
            sh.event(
                Some(&name),
                false,
                "Killing",
                ProbeKind::Liveness.kill_message(&name),
            );
            let _ = kill.send("liveness".into()).await;
        }
    };
    tokio::join!(readiness, liveness);
}

/// Probe every period. A startup probe (`stop_on_success`) returns true on
/// its first success; both return false after failureThreshold failures.
async fn probe_until(
    sh: &PodShared,
    p: &ContainerPlan,
    id: &str,
    probe: &Probe,
    kind: ProbeKind,
) -> bool {
    let stop_on_success = kind == ProbeKind::Startup;
    let period = sh
        .opts
        .scaled(Duration::from_secs(probe.period_seconds.max(1)));
    tokio::time::sleep(
        sh.opts
            .scaled(Duration::from_secs(probe.initial_delay_seconds)),
    )
    .await;
    let mut failures = 0;
    loop {
        match run_probe(sh, p, id, probe).await {
            Ok(()) => {
                failures = 0;
                if stop_on_success {
                    return true;
                }
            }
            Err(msg) => {
                failures += 1;
                sh.event(
                    Some(&p.container.name),
                    true,
                    "Unhealthy",
                    kind.failure_message(&msg),
                );
                if failures >= probe.failure_threshold.max(1) {
                    return false;
                }
            }
        }
        tokio::time::sleep(period).await;
    }
}

async fn readiness_loop(sh: &PodShared, p: &ContainerPlan, id: &str, probe: &Probe) {
    let name = &p.container.name;
    let period = sh
        .opts
        .scaled(Duration::from_secs(probe.period_seconds.max(1)));
    tokio::time::sleep(
        sh.opts
            .scaled(Duration::from_secs(probe.initial_delay_seconds)),
    )
    .await;
    let (mut ok_run, mut bad_run) = (0u32, 0u32);
    loop {
        match run_probe(sh, p, id, probe).await {
            Ok(()) => {
                ok_run += 1;
                bad_run = 0;
                if ok_run >= probe.success_threshold.max(1) {
                    sh.update_container(name, |c| c.ready = true);
                }
            }
            Err(msg) => {
                bad_run += 1;
                ok_run = 0;
                sh.event(
                    Some(name),
                    true,
                    "Unhealthy",
                    ProbeKind::Readiness.failure_message(&msg),
                );
                if bad_run >= probe.failure_threshold.max(1) {
                    sh.update_container(name, |c| c.ready = false);
                }
            }
        }
        tokio::time::sleep(period).await;
    }
}

/// Stop one container run like the kubelet: preStop (when asked), then the
/// stop signal, then SIGKILL at `deadline`.
pub async fn terminate(
    sh: &PodShared,
    p: &ContainerPlan,
    id: &str,
    deadline: Instant,
    run_pre_stop: bool,
) {
    let name = &p.container.name;
    sh.event(
        Some(name),
        false,
        "Killing",
        format!("Stopping container {name}"),
    );
    let pre_stop = p
        .container
        .lifecycle
        .as_ref()
        .and_then(|l| l.pre_stop.clone());
    if run_pre_stop && let Some(h) = pre_stop {
        let left = deadline.saturating_duration_since(Instant::now());
        if let Err(msg) = run_hook(sh, p, id, &h, left.max(Duration::from_secs(1))).await {
            sh.event(
                Some(name),
                true,
                "FailedPreStopHook",
                format!("PreStopHook failed: {msg}"),
            );
        }
    }
    let left = deadline.saturating_duration_since(Instant::now());
    if let Err(e) = sh.api.stop(id, left).await {
        sh.event(Some(name), true, "Failed", format!("stopping: {e:#}"));
        let _ = sh.api.kill(id, "KILL").await;
    }
}
