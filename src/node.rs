//! The learner's node: one background podlearn process per learner that
//! serves the Kubernetes API on 127.0.0.1, so that the real `kubectl` (and
//! any other client) creates, lists, reads the logs of and deletes the
//! learner's Pods on the local Docker engine.
//!
//! - [`ensure`] starts it on demand (`podlearn kubeconfig`) and waits until it
//!   answers; [`stop`] ends it (`podlearn node stop`, `podlearn clean`).
//! - [`serve`] is the node itself: one per learner on this machine (a lock in
//!   the machine folder), TLS with a certificate it generates, a bearer token
//!   of its own; both are kept in its folder and reused, with its port, so a
//!   kubeconfig written once stays valid across restarts.
//! - Pods created through the API are the node's: it is their kubelet.
//!   `list`, `get`, `logs` and `delete` see every Pod of the learner on the
//!   engine, also those `podlearn run` started.
//!
//! The wire format is the Kubernetes API's own types (`k8s-openapi`); the
//! routes are in [`api`], the conversions in [`objects`].

mod api;
mod events;
mod exec;
mod objects;
mod openapi;
mod tls;
mod watch;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// Where a running node says how to reach it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeInfo {
    pub pid: u32,
    pub port: u16,
    pub token: String,
    /// Set when the node ended cleanly: a file without it is a crash's.
    #[serde(default)]
    pub stopped: bool,
}

/// The node's folder for `learner`: its lock, certificate, token, kubeconfig
/// and log, in the per-user machine folder (one node per learner and user).
pub fn dir(learner: &str) -> PathBuf {
    crate::data_dir::machine_dir()
        .join("nodes")
        .join(crate::runtime::docker_safe(learner))
}

/// The kubeconfig the node writes for its learner.
pub fn kubeconfig_path(learner: &str) -> PathBuf {
    dir(learner).join("kubeconfig")
}

/// The node's folder, made readable by this user only: it holds the
/// learner's token.
fn make_dir(learner: &str) -> anyhow::Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let dir = dir(learner);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("creating the node's folder {}", dir.display()))?;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    Ok(dir)
}

fn info_path(learner: &str) -> PathBuf {
    dir(learner).join("node.json")
}

/// The log of the background node (what it printed to stderr).
pub fn log_path(learner: &str) -> PathBuf {
    dir(learner).join("node.log")
}

fn alive(pid: u32) -> bool {
    rustix::process::Pid::from_raw(pid as i32)
        .is_some_and(|p| rustix::process::test_kill_process(p).is_ok())
}

/// The learner's node, if one runs: its lock is held and the process its
/// file names is alive (the file of a node that ended stays, so that the
/// next one takes the same port).
pub fn running(learner: &str) -> Option<NodeInfo> {
    let text = std::fs::read_to_string(info_path(learner)).ok()?;
    let info: NodeInfo = serde_json::from_str(&text).ok()?;
    let lock = std::fs::File::open(dir(learner).join("lock")).ok()?;
    if fs4::FileExt::try_lock(&lock).is_ok() {
        return None;
    }
    alive(info.pid).then_some(info)
}

/// The learner's node, started in the background if none runs; returns
/// once it answers on its port.
pub fn ensure(learner: &str) -> anyhow::Result<NodeInfo> {
    if let Some(info) = running(learner) {
        return Ok(info);
    }
    make_dir(learner)?;
    let mut cmd = crate::background::podlearn()?;
    cmd.args(["node", "serve"]).env("PODLEARN_LEARNER", learner);
    let mut child = crate::background::spawn(cmd, &log_path(learner), "the podlearn node")?;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(info) = running(learner)
            && std::net::TcpStream::connect(("127.0.0.1", info.port)).is_ok()
        {
            return Ok(info);
        }
        if let Some(status) = child.try_wait()? {
            // Another node may have won the race to start.
            if let Some(info) = running(learner) {
                return Ok(info);
            }
            let text = std::fs::read_to_string(log_path(learner)).unwrap_or_default();
            anyhow::bail!(
                "the podlearn node did not start ({status}):\n{}",
                text.trim()
            );
        }
        if Instant::now() > deadline {
            anyhow::bail!(
                "the podlearn node did not answer within 15 s; its log is {}",
                log_path(learner).display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Ask the supervisor of a detached pod to step aside before the pod is
/// deleted, unless that owner is the learner's node: the node stays, and the
/// deletion mark tells its kubelet to restart nothing.
pub fn stop_owner_unless_node(owner: &str) {
    let node = running(&crate::runtime::current_learner()).map(|n| n.pid);
    if node.is_some() && crate::runtime::live_local_pid(owner) == node {
        return;
    }
    crate::runtime::stop_owner(owner);
}

/// Stop the learner's node (its Pods are deleted with their grace period).
/// Returns whether one was running.
pub fn stop(learner: &str) -> bool {
    let Some(info) = running(learner) else {
        return false;
    };
    if let Some(pid) = rustix::process::Pid::from_raw(info.pid as i32) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while alive(info.pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

/// Be the learner's node until SIGTERM or Ctrl-C. Returns at once (Ok) if
/// another node of the learner already runs.
pub async fn serve(learner: &str) -> anyhow::Result<()> {
    let dir = make_dir(learner)?;
    let lock = std::fs::File::create(dir.join("lock"))?;
    if fs4::FileExt::try_lock(&lock).is_err() {
        eprintln!("another podlearn node of learner {learner} is running");
        return Ok(());
    }
    let creds = tls::Credentials::load_or_create(&dir)?;
    let engine = crate::runtime::Engine::connect().await?;
    let _ = engine.sweep().await;
    let previous = std::fs::read_to_string(info_path(learner))
        .ok()
        .and_then(|t| serde_json::from_str::<NodeInfo>(&t).ok());
    // A node killed while it started a Pod may leave the learner's network
    // made and nothing on it: the next node sweeps it (one in use stays).
    if previous.as_ref().is_some_and(|p| !p.stopped) {
        let _ = engine.release_unused_networks(learner).await;
    }
    let listener = bind(previous.as_ref().map(|p| p.port))?;
    let port = listener.local_addr()?.port();
    let kubeconfig = tls::kubeconfig(port, &creds, learner);
    crate::atomic_file::write(&kubeconfig_path(learner), kubeconfig.as_bytes(), false)?;
    let mut info = NodeInfo {
        pid: std::process::id(),
        port,
        token: creds.token.clone(),
        stopped: false,
    };
    let write_info = |info: &NodeInfo| {
        crate::atomic_file::write(
            &info_path(learner),
            serde_json::to_string(info)?.as_bytes(),
            false,
        )
    };
    write_info(&info)?;
    eprintln!("podlearn node of learner {learner}: https://127.0.0.1:{port}");
    let node = api::Node::new(engine, learner.to_string(), creds.token.clone());
    let result = api::serve(listener, &creds, node.clone(), shutdown_signal()).await;
    node.delete_owned().await;
    info.stopped = true;
    let _ = write_info(&info);
    drop(lock);
    result
}

/// The port the node had before, else any free one.
fn bind(previous: Option<u16>) -> anyhow::Result<std::net::TcpListener> {
    let l = previous
        .and_then(|p| std::net::TcpListener::bind(("127.0.0.1", p)).ok())
        .map(Ok)
        .unwrap_or_else(|| std::net::TcpListener::bind(("127.0.0.1", 0)))
        .context("opening a port on 127.0.0.1 for the node")?;
    l.set_nonblocking(true)?;
    Ok(l)
}

async fn shutdown_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(t) => t,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
