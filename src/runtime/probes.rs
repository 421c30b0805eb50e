//! Probes and lifecycle hooks of one container run, and its termination.
//! Probes run from podlearn (not Docker's HEALTHCHECK): exec probes inside
//! the container, httpGet and tcpSocket inside the sandbox, which shares the
//! pod's network, so they work where the host cannot reach container IPs.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::mpsc;

use crate::manifest::{Container, Handler, Probe};
use crate::probe::{
    ProbeAction, ProbeKind, ProbeTracker, ProbeVerdict, hook_command, probe_action,
};
use crate::status::{ContainerState, StopSignal};

use super::docker::Api;
use super::plan::ContainerPlan;
use super::state::PodShared;

/// Run a probe's or hook's action; `Err` carries the kubelet-style detail.
/// Exec actions run in container `id`, network ones in the pod's sandbox.
async fn run_action(
    api: &Api,
    sandbox_id: &str,
    id: &str,
    action: &ProbeAction,
    timeout: Duration,
) -> Result<(), String> {
    let (target, argv) = match action {
        ProbeAction::InContainer { argv } => (id, argv),
        ProbeAction::InSandbox { argv, .. } => (sandbox_id, argv),
        ProbeAction::Sleep(d) => {
            tokio::time::sleep(*d).await;
            return Ok(());
        }
        ProbeAction::Unsupported { reason } => return Err(reason.clone()),
        ProbeAction::Fail { message } => return Err(message.clone()),
    };
    // The command has its own timeout; this one only guards against a hung exec.
    match api
        .exec(target, argv, timeout + Duration::from_secs(2))
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
    run_action(&sh.api, &sh.sandbox_id, id, &action, timeout).await
}

async fn run_probe(
    sh: &PodShared,
    p: &ContainerPlan,
    id: &str,
    probe: &Probe,
) -> Result<(), String> {
    let action = probe_action(probe, &p.container.ports, pod_ip(sh).as_deref());
    run_action(
        &sh.api,
        &sh.sandbox_id,
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
        && probe_loop(&sh, &p, &id, sp, ProbeKind::Startup).await != ProbeVerdict::Started
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
            probe_loop(&sh, &p, &id, rp, ProbeKind::Readiness).await;
        }
    };
    let liveness = async {
        if let Some(lp) = &p.container.liveness_probe
            && probe_loop(&sh, &p, &id, lp, ProbeKind::Liveness).await
                == ProbeVerdict::Kill(ProbeKind::Liveness)
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

/// Run one probe on its schedule, with the thresholds of
/// [`ProbeTracker`]: every failed run is an `Unhealthy` event, a readiness
/// change is applied as it comes. Returns what ended it: `Started` (a startup
/// probe's first success) or `Kill` (failureThreshold failures in a row of a
/// startup or liveness probe). A readiness probe runs until the container ends.
async fn probe_loop(
    sh: &PodShared,
    p: &ContainerPlan,
    id: &str,
    probe: &Probe,
    kind: ProbeKind,
) -> ProbeVerdict {
    let name = &p.container.name;
    let mut tracker = ProbeTracker::new(kind, probe, SystemTime::now(), sh.opts.time_scale);
    while let Some(due) = tracker.next_due() {
        if let Ok(wait) = due.duration_since(SystemTime::now()) {
            tokio::time::sleep(wait).await;
        }
        let result = run_probe(sh, p, id, probe).await;
        if let Err(msg) = &result {
            sh.event(Some(name), true, "Unhealthy", kind.failure_message(msg));
        }
        match tracker.record(result.is_ok(), SystemTime::now()) {
            ProbeVerdict::Ready(ready) => sh.update_container(name, |c| c.ready = ready),
            ProbeVerdict::Unchanged => {}
            verdict => return verdict,
        }
    }
    ProbeVerdict::Unchanged
}

/// Between the end of a preStop hook and the stop signal: longer than the
/// coarsest tick of a file system clock (10 ms), twice over.
const HOOK_TO_SIGNAL: Duration = Duration::from_millis(50);

/// One running container to stop, wherever its pod's kubelet runs.
pub struct Stopping<'a> {
    pub api: &'a Api,
    pub sandbox_id: &'a str,
    /// The container run's Docker id.
    pub id: &'a str,
    pub container: &'a Container,
    pub pod_ip: Option<&'a str>,
}

/// What stopping one container did.
pub struct Stopped {
    /// The preStop hook's failure, when it had one that failed.
    pub hook: Result<(), String>,
    pub signal: StopSignal,
    /// The stop failed and the container was sent SIGKILL instead.
    pub stop: anyhow::Result<()>,
}

/// Stop one container run like the kubelet: its preStop hook (when it has
/// one and `run_pre_stop`), a moment, the stop signal, then SIGKILL at
/// `deadline`. The one place a container is stopped: the in-process kubelet
/// ([`terminate`]) and a delete from another process both come here.
pub async fn stop_container(s: Stopping<'_>, deadline: Instant, run_pre_stop: bool) -> Stopped {
    let pre_stop = s
        .container
        .lifecycle
        .as_ref()
        .and_then(|l| l.pre_stop.as_ref());
    let mut hook = Ok(());
    let mut hook_done = SystemTime::now();
    if run_pre_stop && let Some(h) = pre_stop {
        let left = deadline.saturating_duration_since(Instant::now());
        let action = hook_command(h, &s.container.ports, s.pod_ip);
        hook = run_action(
            s.api,
            s.sandbox_id,
            s.id,
            &action,
            left.max(Duration::from_secs(1)),
        )
        .await;
        hook_done = SystemTime::now();
        // A moment between the hook and the signal (a kubelet takes one
        // too): what the hook wrote is then older than the signal on any
        // file system's clock, and what a SIGTERM handler writes is newer.
        tokio::time::sleep(HOOK_TO_SIGNAL).await;
    }
    let signal = StopSignal {
        hook_done,
        sent: SystemTime::now(),
    };
    let left = deadline.saturating_duration_since(Instant::now());
    let stop = s.api.stop(s.id, left).await;
    if stop.is_err() {
        let _ = s.api.kill(s.id, "KILL").await;
    }
    Stopped { hook, signal, stop }
}

/// Stop one container run of this process's pod, with its events, and
/// record when it got its stop signal.
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
    let ip = pod_ip(sh);
    let stopping = Stopping {
        api: &sh.api,
        sandbox_id: &sh.sandbox_id,
        id,
        container: &p.container,
        pod_ip: ip.as_deref(),
    };
    let done = stop_container(stopping, deadline, run_pre_stop).await;
    if let Err(msg) = done.hook {
        sh.event(
            Some(name),
            true,
            "FailedPreStopHook",
            format!("PreStopHook failed: {msg}"),
        );
    }
    sh.stop_signals
        .lock()
        .unwrap()
        .insert(name.clone(), done.signal);
    if let Err(e) = done.stop {
        sh.event(Some(name), true, "Failed", format!("stopping: {e:#}"));
    }
}
