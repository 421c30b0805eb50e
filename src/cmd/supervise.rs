//! Detached pods: `run --detach` starts one background podlearn process per
//! pod (the same command line, marked by `PODLEARN_SUPERVISE`), which is that
//! pod's kubelet (init order, restarts, probes) until the pod completes or is
//! deleted. `delete` from any process asks it to step aside (SIGTERM) before
//! stopping the pod itself; a supervisor also leaves when its sandbox is gone.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::exit::{Outcome, learner_error};
use crate::manifest::Pod;
use crate::runtime::{Engine, RunOptions, RunningPod};
use crate::term::Style;

use super::pods;

const ENV: &str = "PODLEARN_SUPERVISE";
/// Where a supervisor says its pod is past creating its containers (the
/// `run --detach` that started it waits for that file, not by asking the engine).
const READY_ENV: &str = "PODLEARN_SUPERVISE_READY";

/// Whether this process is a detached pod's supervisor.
pub fn is_supervisor() -> bool {
    std::env::var_os(ENV).is_some()
}

/// In a supervisor: the one pod (`namespace/name`) it runs.
pub fn supervised_pod() -> Option<String> {
    std::env::var(ENV).ok()
}

/// Where supervisors' logs and ready files go: podlearn's data folder, else
/// the temporary folder.
fn log_dir() -> std::path::PathBuf {
    crate::data_dir::data_dir()
        .ok()
        .filter(|d| std::fs::create_dir_all(d).is_ok())
        .unwrap_or_else(std::env::temp_dir)
}

/// Start a supervisor per pod, wait until each pod is past creating its
/// containers, print the pods and return.
pub async fn spawn_and_wait(
    list: &[Pod],
    opts: &RunOptions,
    style: Style,
) -> anyhow::Result<Outcome> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-") {
        return Err(learner_error(
            "--detach needs the manifest in a file (not `-`): the background process reads it again",
        ));
    }
    let _ = opts;
    let engine = Engine::connect().await?;
    let _ = engine.sweep().await;
    let mut children = Vec::new();
    for pod in list {
        let key = format!("{}/{}", pod.metadata.namespace, pod.metadata.name);
        let log = log_dir().join(format!(
            "supervise-{}-{}.log",
            pod.metadata.namespace, pod.metadata.name
        ));
        let ready = log.with_extension("ready");
        let _ = std::fs::remove_file(&ready);
        let mut cmd = crate::background::podlearn()?;
        cmd.args(&args).env(ENV, &key).env(READY_ENV, &ready);
        let child = crate::background::spawn(cmd, &log, "the background podlearn process")?;
        children.push((pod.metadata.name.clone(), child, log, ready));
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut rows = Vec::new();
    for (name, mut child, log, ready) in children {
        loop {
            // Ready first: a pod that completes at once may end its process
            // right after saying so.
            if ready.exists() || Instant::now() > deadline {
                let _ = std::fs::remove_file(&ready);
                break;
            }
            if let Some(status) = child.try_wait()? {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                anyhow::bail!(
                    "starting pod {name:?} in the background failed ({status}):\n{}",
                    text.trim()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let found = crate::runtime::find_pods(
            &engine,
            Some(&crate::runtime::current_learner()),
            Some(&name),
        )
        .await?;
        if let Some(r) = found.first() {
            rows.push(pods::columns(&r.pod, &r.status, false).to_vec());
        }
        // The child stays alive; dropping the handle does not kill it.
    }
    let mut out = std::io::stdout().lock();
    write!(
        out,
        "{}",
        pods::table(&["NAME", "READY", "STATUS", "RESTARTS", "AGE"], &rows)
    )?;
    writeln!(
        out,
        "{}",
        style.note("the pods keep running: `podlearn get pods`, `podlearn logs POD`, `podlearn delete pod NAME`")
    )?;
    Ok(Outcome::Success)
}

/// The supervisor's life: be the pods' kubelet until they complete, are
/// deleted by another process, or SIGTERM asks it to step aside.
pub async fn serve(started: Vec<RunningPod>) -> anyhow::Result<Outcome> {
    // Tell `run --detach` once every container is created (or the pod ended).
    if let Some(path) = std::env::var_os(READY_ENV) {
        for p in &started {
            let settled = |st: &crate::status::PodStatus| {
                st.container_statuses
                    .iter()
                    .all(|c| c.container_id.is_some())
                    || st.phase.is_final()
            };
            p.wait_for(settled, Duration::from_secs(120)).await;
        }
        let _ = std::fs::write(path, b"ready\n");
    }
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    loop {
        let mut done = true;
        let mut gone = false;
        for p in &started {
            done &= p.status().await.phase.is_final();
            gone |= !p.exists().await;
        }
        if done || gone {
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = term.recv() => break,
            _ = int.recv() => break,
        }
    }
    for p in started {
        p.abandon();
    }
    Ok(Outcome::Success)
}

/// Ask the supervisor named by an owner label (`host:pid:start`) to step
/// aside, and wait (briefly) until it has. The learner's node is not asked:
/// it stays, and the deletion mark tells its kubelet to restart nothing.
pub fn stop_supervisor(owner: &str) {
    crate::node::stop_owner_unless_node(owner)
}
