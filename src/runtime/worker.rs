//! The pod worker: the kubelet's sync loop for one pod. It starts the
//! sandbox and volumes, runs init containers one at a time (native sidecars
//! stay running), then the app containers together; restarts them per
//! restartPolicy with the kubelet's back-off; enforces activeDeadlineSeconds;
//! and on deletion stops app containers, then sidecars in reverse order.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use futures_util::future::join_all;

use crate::manifest::Pod;
use crate::podenv::{self, Inputs};
use crate::restart::{self, BackOff};
use crate::status::{ContainerKind, ContainerState, Phase};

use super::RunOptions;
use super::docker::Api;
use super::labels::{self, Owner};
use super::plan::{self, ContainerPlan, MountSpec, PodPlan};
use super::state::PodShared;
use super::{cleanup, image, probes, volume};

/// Create the pod's volumes and sandbox and start its worker. On any
/// failure, what was created is removed before the error is returned.
pub async fn launch(
    api: Api,
    pod: Pod,
    inputs: &Inputs,
    owner: Owner,
    plan: PodPlan,
    opts: RunOptions,
) -> anyhow::Result<Arc<PodShared>> {
    let mut sel = plan.sandbox.labels.clone();
    sel.retain(|k, _| {
        [
            labels::MANAGED,
            labels::LEARNER,
            labels::NAMESPACE,
            labels::POD,
        ]
        .contains(&k.as_str())
    });
    // One pod of a name per learner and namespace: never touch another
    // process's pod (Docker would even hand its volumes over).
    if !api.list(&sel).await?.is_empty() || !api.list_volumes(&sel).await?.is_empty() {
        return Err(crate::exit::learner_error(format!(
            "pod {:?} already exists in namespace {:?}: delete it first (`podlearn delete pod {}`)",
            plan.pod_name, plan.namespace, plan.pod_name
        )));
    }
    // From here on this launch creates objects. If it is dropped half-way
    // (Ctrl-C in a `select!`, a timeout), the guard removes them.
    let mut mine = sel;
    mine.insert(labels::OWNER.into(), owner.process.clone());
    let own_network = plan.sandbox.labels.get(labels::OWN_NETWORK).cloned();
    let guard = cleanup::StartGuard::new(Some(mine.clone()), own_network.clone());
    let created = create_sandbox(&api, &pod, &plan).await;
    guard.disarm();
    match created {
        Ok((sandbox_id, ip)) => {
            // Now that the pod has an IP, plan the containers again: the
            // downward API's status.podIP reads it.
            let ip = (!ip.is_empty()).then_some(ip);
            let mut plan2 = plan::plan_pod(&pod, inputs, &owner, &opts.image_map, ip.as_deref());
            plan2.sandbox = plan.sandbox;
            let plan = plan2;
            let mut sh = PodShared::new(api, pod, plan, opts, sandbox_id);
            sh.deleting_path =
                super::live::deleting_path(&owner.learner, &sh.plan.namespace, &sh.plan.pod_name);
            if sh.opts.detached {
                sh.live_path =
                    super::live::path(&owner.learner, &sh.plan.namespace, &sh.plan.pod_name);
            }
            let sh = Arc::new(sh);
            sh.update(|st| st.pod_ip = ip);
            sh.event(
                None,
                false,
                "Scheduled",
                format!(
                    "Successfully assigned {}/{} to podlearn (this machine's Docker engine)",
                    sh.plan.namespace, sh.plan.pod_name
                ),
            );
            sh.spawn(run_pod(sh.clone()));
            Ok(sh)
        }
        Err(e) => {
            // Only what this launch created: this process's objects of the pod.
            if let Err(e2) = cleanup::remove_selected(&api, &mine).await {
                return Err(e.context(format!("and cleaning up failed too: {e2:#}")));
            }
            cleanup::release_own_network(&api, own_network).await;
            Err(e)
        }
    }
}

async fn create_sandbox(api: &Api, pod: &Pod, plan: &PodPlan) -> anyhow::Result<(String, String)> {
    if !api.image_present(super::plan::SANDBOX_IMAGE).await? {
        anyhow::bail!(
            "the sandbox image {} is not on this Docker engine, and podlearn needs it offline.\n  \
             fix: run `scripts/busybox-image`, or `docker load -i busybox.tar` from a classroom \
             image bundle.",
            super::plan::SANDBOX_IMAGE
        );
    }
    for v in &plan.volumes {
        api.create_volume(&v.name, &v.driver_opts, &v.labels)
            .await?;
    }
    let id = api.create(&plan.sandbox).await.map_err(|e| {
        if super::docker::status_of(&e) == Some(409) {
            crate::exit::learner_error(format!(
                "pod {:?} already exists in namespace {:?}: delete it first (`podlearn delete pod {}`)",
                plan.pod_name, plan.namespace, plan.pod_name
            ))
        } else {
            e
        }
    })?;
    // Files of configMap, secret and downwardAPI volumes go in before any
    // container can see the volume.
    for v in &plan.volumes {
        if !v.files.is_empty() {
            let target = format!("{}/{}", super::plan::SANDBOX_VOLUME_ROOT, v.pod_volume);
            api.upload(&id, &target, volume::tar(&v.files)?)
                .await
                .with_context(|| format!("writing the files of volume {:?}", v.pod_volume))?;
        }
    }
    api.start(&id).await.context("starting the sandbox")?;
    let ip = api.inspect(&id).await?.ip.unwrap_or_default();
    if !pod.spec.host_network {
        sandbox_ready(api, &id, &ip, pod, plan).await?;
    }
    Ok((id, ip))
}

/// Wait until the sandbox has written the pod's /etc/hosts (it says so on
/// stdout, read as a log stream: no polling). Where the engine's log driver
/// cannot be read, podlearn writes the file itself with `docker exec`.
async fn sandbox_ready(
    api: &Api,
    id: &str,
    ip: &str,
    pod: &Pod,
    plan: &PodPlan,
) -> anyhow::Result<()> {
    use futures_util::StreamExt;
    let mut said = String::new();
    let mut logs = Box::pin(api.logs(id, true));
    let read = async {
        while let Some(chunk) = logs.next().await {
            said.push_str(&chunk?);
            if said.contains(plan::SANDBOX_READY) || said.contains(plan::SANDBOX_FAILED) {
                break;
            }
        }
        anyhow::Ok(())
    };
    match tokio::time::timeout(Duration::from_secs(20), read).await {
        Ok(Ok(())) if said.contains(plan::SANDBOX_READY) => return Ok(()),
        Ok(Ok(())) if said.contains(plan::SANDBOX_FAILED) => {
            anyhow::bail!("the pod's sandbox {}", said.trim())
        }
        Ok(Ok(())) => anyhow::bail!(
            "the pod's sandbox stopped before it was ready{}",
            if said.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", said.trim())
            }
        ),
        Err(_) => anyhow::bail!("the pod's sandbox was not ready after 20 seconds"),
        // A log driver that cannot be read: fall through to writing it here.
        Ok(Err(_)) => {}
    }
    let hosts = crate::hosts::etc_hosts(
        ip,
        &plan.hostname,
        pod.spec.subdomain.as_deref(),
        &pod.metadata.namespace,
        &pod.spec.host_aliases,
    );
    let argv: Vec<String> = ["sh", "-c", "printf '%s' \"$1\" > /etc/hosts", "sh"]
        .iter()
        .map(|s| s.to_string())
        .chain([hosts])
        .collect();
    let out = api.exec(id, &argv, Duration::from_secs(10)).await?;
    anyhow::ensure!(out.exit_code == 0, "writing /etc/hosts: {}", out.stderr);
    Ok(())
}

/// The pod's sync loop, from init containers to completion.
async fn run_pod(sh: Arc<PodShared>) {
    if let Some(secs) = sh.pod.spec.active_deadline_seconds {
        let sh2 = sh.clone();
        sh.spawn(async move {
            tokio::time::sleep(Duration::from_secs(secs)).await;
            if sh2.stopping() || *sh2.done.borrow() {
                return;
            }
            *sh2.forced.lock().unwrap() = Some((
                Phase::Failed,
                "DeadlineExceeded".into(),
                format!("Pod was active on the node longer than the specified deadline ({secs}s)"),
            ));
            sh2.event(
                None,
                true,
                "DeadlineExceeded",
                "Pod was active on the node longer than the specified deadline".into(),
            );
            let grace = Duration::from_secs(sh2.pod.spec.termination_grace_period_seconds);
            sh2.stop.send_replace(Some(Instant::now() + grace));
        });
    }

    let plans: Vec<ContainerPlan> = sh.plan.containers.clone();
    let mut sidecars = Vec::new();
    for p in plans.iter().filter(|p| p.kind != ContainerKind::App) {
        if sh.stopping() {
            break;
        }
        if p.kind == ContainerKind::Sidecar {
            let stop = tokio::sync::watch::Sender::new(None);
            let task = sh.spawn(run_container(sh.clone(), p.clone(), stop.subscribe()));
            sidecars.push((p.container.name.clone(), stop, task));
            // The next init container starts once the sidecar has started.
            let name = p.container.name.clone();
            let started = |st: &crate::status::PodStatus| {
                st.init_container_statuses
                    .iter()
                    .any(|c| c.name == name && c.started)
            };
            wait_or_stop(&sh, started).await;
            continue;
        }
        let ok = run_container(sh.clone(), p.clone(), sh.stop.subscribe()).await;
        if !ok {
            break;
        }
    }
    let init_ok = sh
        .snapshot()
        .init_container_statuses
        .iter()
        .filter(|c| c.kind == ContainerKind::Init)
        .all(|c| c.state.exit_code() == Some(0));
    if init_ok && !sh.stopping() {
        let apps = plans
            .iter()
            .filter(|p| p.kind == ContainerKind::App)
            .map(|p| sh.spawn(run_container(sh.clone(), p.clone(), sh.stop.subscribe())));
        join_all(apps).await;
    }
    // App containers have ended (or never ran): stop sidecars in reverse order.
    for (_, stop, task) in sidecars.into_iter().rev() {
        let deadline = (*sh.stop.borrow()).unwrap_or_else(|| {
            Instant::now() + Duration::from_secs(sh.pod.spec.termination_grace_period_seconds)
        });
        stop.send_replace(Some(deadline));
        let _ = task.await;
    }
    sh.done.send_replace(true);
    sh.update(|_| {});
}

async fn wait_or_stop(sh: &PodShared, pred: impl Fn(&crate::status::PodStatus) -> bool) {
    let mut stop = sh.stop.subscribe();
    let mut version = sh.version.subscribe();
    loop {
        if pred(&sh.snapshot()) || stop.borrow().is_some() {
            return;
        }
        tokio::select! {
            r = version.changed() => if r.is_err() { return },
            _ = stop.changed() => return,
        }
    }
}

/// How a run of a container ended.
enum Ended {
    Exited {
        code: i64,
        oom: bool,
        started: SystemTime,
        finished: SystemTime,
    },
    /// Could not be created or started: retried per policy.
    NotStarted,
    Stopped,
}

/// Run one container until it is done for good (not restarted) or the pod
/// stops. Returns whether it ended well (exit 0) - what init sequencing needs.
async fn run_container(
    sh: Arc<PodShared>,
    p: ContainerPlan,
    mut stop: tokio::sync::watch::Receiver<Option<Instant>>,
) -> bool {
    let name = p.container.name.clone();
    let mut backoff = BackOff::new(sh.opts.time_scale);
    let mut attempt: u32 = 0;
    loop {
        if stop.borrow().is_some() {
            return false;
        }
        let began = SystemTime::now();
        let ended = run_once(&sh, &p, attempt, &mut stop).await;
        let (code, finished) = match ended {
            Ended::Stopped => return false,
            Ended::NotStarted => (1, SystemTime::now()),
            Ended::Exited {
                code,
                oom,
                started,
                finished,
            } => {
                record_exit(&sh, &name, code, oom, started, finished);
                (code, finished)
            }
        };
        if stop.borrow().is_some() || sh.deleted_elsewhere() {
            return false;
        }
        if !restart::should_restart(sh.pod.spec.restart_policy, p.kind, code) {
            return code == 0;
        }
        // Counted from the finish time; ten minutes without trouble resets it.
        let delay = backoff.next_delay(began, finished);
        let delay = delay.saturating_sub(finished.elapsed().unwrap_or_default());
        if !delay.is_zero() {
            let msg = backoff.message(
                &name,
                &sh.plan.pod_name,
                &sh.plan.namespace,
                &podenv::pod_uid(&sh.pod),
            );
            // The event first: whoever sees the waiting state sees its event too.
            sh.event(
                Some(&name),
                true,
                "BackOff",
                "Back-off restarting failed container".into(),
            );
            sh.update_container(&name, |c| {
                if c.state.is_terminated() {
                    c.last_state = Some(c.state.clone());
                }
                c.state = ContainerState::Waiting {
                    reason: "CrashLoopBackOff".into(),
                    message: Some(msg.clone()),
                };
            });
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = stop.changed() => return false,
            }
            if sh.deleted_elsewhere() {
                return false;
            }
        }
        attempt += 1;
        sh.update_container(&name, |c| {
            if c.state.is_terminated() {
                c.last_state = Some(c.state.clone());
            }
            c.restart_count = attempt;
        });
    }
}

/// Record a run's end in the container's status, with the kubelet's reason.
fn record_exit(
    sh: &PodShared,
    name: &str,
    code: i64,
    oom: bool,
    started: SystemTime,
    finished: SystemTime,
) {
    let reason = if oom {
        "OOMKilled"
    } else if code == 0 {
        "Completed"
    } else {
        "Error"
    };
    sh.update_container(name, |c| {
        c.ready = false;
        c.started = false;
        c.state = ContainerState::Terminated {
            exit_code: code,
            reason: reason.into(),
            message: None,
            signal: None,
            started_at: started,
            finished_at: finished,
        };
    });
}

/// One run: image, create, start, postStart, probes, wait for the exit.
async fn run_once(
    sh: &Arc<PodShared>,
    p: &ContainerPlan,
    attempt: u32,
    stop: &mut tokio::sync::watch::Receiver<Option<Instant>>,
) -> Ended {
    let name = &p.container.name;
    let waiting = |reason: &str, msg: String| {
        sh.update_container(name, |c| {
            c.state = ContainerState::Waiting {
                reason: reason.into(),
                message: Some(msg),
            };
        });
    };
    if let Some(msg) = &p.config_error {
        waiting("CreateContainerConfigError", msg.clone());
        sh.event(Some(name), true, "Failed", format!("Error: {msg}"));
        // Nothing in the input can change while it runs: wait for deletion.
        let _ = stop.changed().await;
        return Ended::Stopped;
    }
    if !image::ensure(sh, p, stop).await {
        return Ended::Stopped;
    }
    let mut spec = p.spec.clone();
    spec.name = sh.plan.container_name(p, attempt);
    spec.labels
        .insert(super::labels::ATTEMPT.into(), attempt.to_string());
    for m in &mut spec.mounts {
        if let MountSpec::Bind { source, .. } = m
            && let Some(rest) = source.strip_prefix("{volume:")
            && let Some((vol, sub)) = rest.split_once("}/")
        {
            match volume::sub_path(&sh.api, &sh.sandbox_id, &sh.plan, vol, sub).await {
                Ok(path) => *source = path,
                Err(e) => {
                    let msg = format!("failed to prepare subPath: {e:#}");
                    waiting("CreateContainerConfigError", msg.clone());
                    sh.event(Some(name), true, "Failed", format!("Error: {msg}"));
                    return Ended::NotStarted;
                }
            }
        }
    }
    let id = match sh.api.create(&spec).await {
        Ok(id) => id,
        Err(e) => {
            let msg = format!("{e:#}");
            waiting("CreateContainerError", msg.clone());
            sh.event(Some(name), true, "Failed", format!("Error: {msg}"));
            return Ended::NotStarted;
        }
    };
    if let Some(older) = sh.new_run(name, &id) {
        let _ = sh.api.remove(&older).await;
    }
    sh.update_container(name, |c| c.container_id = Some(id.clone()));
    sh.event(
        Some(name),
        false,
        "Created",
        format!("Created container {name}"),
    );
    if let Err(e) = sh.api.start(&id).await {
        let msg = format!("{e:#}");
        let now = SystemTime::now();
        sh.update_container(name, |c| {
            c.state = ContainerState::Terminated {
                exit_code: 128,
                reason: "StartError".into(),
                message: Some(msg.clone()),
                signal: None,
                started_at: now,
                finished_at: now,
            };
        });
        sh.event(Some(name), true, "Failed", format!("Error: {msg}"));
        return Ended::Exited {
            code: 128,
            oom: false,
            started: now,
            finished: now,
        };
    }
    sh.event(
        Some(name),
        false,
        "Started",
        format!("Started container {name}"),
    );
    let started_at = SystemTime::now();
    // With a postStart hook, the container is Running once the hook is done.
    let has_post_start = p
        .container
        .lifecycle
        .as_ref()
        .is_some_and(|l| l.post_start.is_some());
    if !has_post_start {
        sh.update_container(name, |c| c.state = ContainerState::Running { started_at });
    }
    let (kill_tx, mut kill_rx) = tokio::sync::mpsc::channel::<String>(1);
    let prober = sh.spawn(probes::run(sh.clone(), p.clone(), id.clone(), kill_tx));
    let exited = tokio::select! {
        code = sh.api.wait(&id) => code.ok(),
        deadline = async { stop.wait_for(|s| s.is_some()).await.ok().and_then(|d| *d) } => {
            let deadline = deadline.unwrap_or_else(Instant::now);
            prober.abort();
            probes::terminate(sh, p, &id, deadline, true).await;
            // Show how it ended (a sidecar stopped after the app containers,
            // a container stopped by deletion).
            if let Ok(i) = sh.api.inspect(&id).await {
                record_exit(sh, name, i.exit_code, i.oom_killed, i.started_at.unwrap_or(started_at), i.finished_at.unwrap_or_else(SystemTime::now));
            }
            return Ended::Stopped;
        }
        Some(why) = kill_rx.recv() => {
            // A failed liveness/startup probe or postStart hook: kill, then restart per policy.
            // The grace period is a kubelet wait like the probe period, so the time scale
            // shortens it too (a deletion keeps the pod's own grace period).
            let grace = Duration::from_secs(sh.pod.spec.termination_grace_period_seconds);
            let grace = sh.opts.scaled(grace);
            let hook = why != "PostStartHookError";
            probes::terminate(sh, p, &id, Instant::now() + grace, hook).await;
            None
        }
    };
    prober.abort();
    let _ = exited;
    let i = sh.api.inspect(&id).await.unwrap_or_default();
    Ended::Exited {
        code: i.exit_code,
        oom: i.oom_killed,
        started: i.started_at.unwrap_or(started_at),
        finished: i.finished_at.unwrap_or_else(SystemTime::now),
    }
}

/// Delete a pod: stop its worker gracefully, then remove every object.
pub async fn delete(sh: &Arc<PodShared>, grace: Option<Duration>) -> anyhow::Result<()> {
    let grace = grace
        .or(sh.opts.grace_override)
        .unwrap_or(Duration::from_secs(
            sh.pod.spec.termination_grace_period_seconds,
        ));
    let deadline = Instant::now() + grace;
    if sh.stop.borrow().is_none() {
        sh.stop.send_replace(Some(deadline));
    }
    let mut done = sh.done.subscribe();
    // The worker stops app containers, then sidecars; allow a margin past
    // the grace period for the engine's SIGKILL to land.
    let _ = tokio::time::timeout(grace + Duration::from_secs(15), done.wait_for(|d| *d)).await;
    sh.abort_worker();
    if let Some(path) = &sh.live_path {
        super::live::remove(path);
    }
    cleanup::remove_selected(&sh.api, &sh.pod_selector()).await?;
    if !*sh.done.borrow() {
        // The worker was cut short: a create in flight may land just after.
        tokio::time::sleep(Duration::from_millis(300)).await;
        cleanup::remove_selected(&sh.api, &sh.pod_selector()).await?;
    }
    cleanup::release_own_network(&sh.api, sh.own_network()).await;
    Ok(())
}
