//! Probes and lifecycle hooks of one container run, and its termination.
//! Probes run from podlearn (not Docker's HEALTHCHECK): exec probes inside
//! the container, httpGet and tcpSocket inside the sandbox, which shares the
//! pod's network, so they work where the host cannot reach container IPs.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::mpsc;

use crate::manifest::{Handler, Probe};
use crate::status::ContainerState;

use super::plan::ContainerPlan;
use super::standin::{self as rules, ProbeAction};
use super::state::PodShared;

/// Run a handler (probe or hook); `Err` carries what to show in the event.
async fn run_handler(
    sh: &PodShared,
    p: &ContainerPlan,
    id: &str,
    h: &Handler,
    timeout: Duration,
) -> Result<(), String> {
    let action = rules::probe_command(h, &p.container, timeout.as_secs());
    let (target, argv) = match action {
        ProbeAction::InContainer(argv) => (id.to_string(), argv),
        ProbeAction::InSandbox(argv) => (sh.sandbox_id.clone(), argv),
        ProbeAction::Sleep(d) => {
            tokio::time::sleep(d).await;
            return Ok(());
        }
        ProbeAction::Unsupported(msg) => return Err(msg),
    };
    match sh.api.exec(&target, &argv, timeout).await {
        Ok(out) if out.exit_code == 0 => Ok(()),
        Ok(out) => {
            let text = format!("{}{}", out.stdout, out.stderr);
            let text = text.trim();
            Err(if text.is_empty() {
                format!("command exited with {}", out.exit_code)
            } else {
                text.to_string()
            })
        }
        Err(e) => Err(format!("{e:#}")),
    }
}

fn describe(h: &Handler) -> &'static str {
    match h {
        Handler::HttpGet(_) => "HTTP probe",
        Handler::TcpSocket { .. } => "TCP probe",
        _ => "exec",
    }
}

/// Everything that runs beside one container run: postStart, then the
/// startup probe, then liveness and readiness. Asks for a kill on `kill`.
pub async fn run(sh: Arc<PodShared>, p: ContainerPlan, id: String, kill: mpsc::Sender<String>) {
    let name = p.container.name.clone();
    let post_start = p.container.lifecycle.as_ref().and_then(|l| l.post_start.clone());
    if let Some(h) = &post_start {
        if let Err(msg) = run_handler(&sh, &p, &id, h, Duration::from_secs(3600)).await {
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
        sh.update_container(&name, |c| c.state = ContainerState::Running { started_at: now });
    }
    if let Some(sp) = &p.container.startup_probe
        && !probe_until(&sh, &p, &id, sp, "Startup", true).await
    {
        sh.event(
            Some(&name),
            false,
            "Killing",
            format!("Container {name} failed startup probe, will be restarted"),
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
            && !probe_until(&sh, &p, &id, lp, "Liveness", false).await
        {
            sh.event(
                Some(&name),
                false,
                "Killing",
                format!("Container {name} failed liveness probe, will be restarted"),
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
    kind: &str,
    stop_on_success: bool,
) -> bool {
    let period = sh.opts.scaled(Duration::from_secs(probe.period_seconds.max(1)));
    tokio::time::sleep(sh.opts.scaled(Duration::from_secs(probe.initial_delay_seconds))).await;
    let mut failures = 0;
    loop {
        let t = Duration::from_secs(probe.timeout_seconds.max(1));
        match run_handler(sh, p, id, &probe.handler, t).await {
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
                    format!("{kind} probe failed: {} {msg}", describe(&probe.handler)),
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
    let period = sh.opts.scaled(Duration::from_secs(probe.period_seconds.max(1)));
    tokio::time::sleep(sh.opts.scaled(Duration::from_secs(probe.initial_delay_seconds))).await;
    let (mut ok_run, mut bad_run) = (0u32, 0u32);
    loop {
        let t = Duration::from_secs(probe.timeout_seconds.max(1));
        match run_handler(sh, p, id, &probe.handler, t).await {
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
                    format!("Readiness probe failed: {} {msg}", describe(&probe.handler)),
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
    sh.event(Some(name), false, "Killing", format!("Stopping container {name}"));
    let pre_stop = p.container.lifecycle.as_ref().and_then(|l| l.pre_stop.clone());
    if run_pre_stop && let Some(h) = pre_stop {
        let left = deadline.saturating_duration_since(Instant::now());
        if let Err(msg) = run_handler(sh, p, id, &h, left.max(Duration::from_secs(1))).await {
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
