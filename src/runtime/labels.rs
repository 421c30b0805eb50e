//! The labels podlearn puts on everything it creates on the engine, and who
//! owns what: the learner (so learners sharing an engine stay apart) and the
//! podlearn process (so leftovers of a dead process can be swept).

use std::collections::BTreeMap;

/// On every container and volume podlearn creates.
pub const MANAGED: &str = "io.podlearn.managed";
pub const LEARNER: &str = "io.podlearn.learner";
pub const NAMESPACE: &str = "io.podlearn.namespace";
pub const POD: &str = "io.podlearn.pod";
/// `sandbox`, `init`, `sidecar`, `app` or `volume`.
pub const ROLE: &str = "io.podlearn.role";
pub const CONTAINER: &str = "io.podlearn.container";
pub const VOLUME: &str = "io.podlearn.volume";
/// Run number of a container: its restart count.
pub const ATTEMPT: &str = "io.podlearn.attempt";
/// `host:pid:start` of the podlearn process that created it.
pub const OWNER: &str = "io.podlearn.owner";
/// `true` on a pod started with `--detach`: never swept as a leftover.
pub const DETACHED: &str = "io.podlearn.detached";
/// On the sandbox: the pod's containers, `init:a,sidecar:b,app:c`.
pub const CONTAINERS: &str = "io.podlearn.containers";
/// On the sandbox: the manifest text the pod came from, so another podlearn
/// process can show the pod's spec (`describe`, `get -o yaml`).
pub const MANIFEST: &str = "io.podlearn.manifest";
/// On the sandbox: the manifest's file name.
pub const MANIFEST_FILE: &str = "io.podlearn.manifest-file";
/// On the sandbox: the pod's restartPolicy.
pub const RESTART_POLICY: &str = "io.podlearn.restart-policy";
/// On the sandbox of a pod on the learner's own namespace network: that
/// network's name. The network goes with the last such pod; a network of the
/// cluster controllers (no label) is theirs to remove.
pub const OWN_NETWORK: &str = "io.podlearn.own-network";

/// Who creates objects: the learner and this process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub learner: String,
    /// `host:pid:start`.
    pub process: String,
    pub detached: bool,
}

impl Owner {
    /// The learner from `PODLEARN_LEARNER`, else the user name; this process.
    pub fn current(detached: bool) -> Owner {
        Owner {
            learner: current_learner(),
            process: process_id(std::process::id()).unwrap_or_else(|| "unknown".into()),
            detached,
        }
    }
}

/// `PODLEARN_LEARNER`, else `USER`/`USERNAME`, else `learner`.
pub fn current_learner() -> String {
    ["PODLEARN_LEARNER", "USER", "USERNAME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "learner".to_string())
}

/// The labels every object of one pod carries.
pub fn pod_labels(owner: &Owner, namespace: &str, pod: &str) -> BTreeMap<String, String> {
    let mut l = BTreeMap::new();
    l.insert(MANAGED.into(), "true".into());
    l.insert(LEARNER.into(), owner.learner.clone());
    l.insert(NAMESPACE.into(), namespace.into());
    l.insert(POD.into(), pod.into());
    l.insert(OWNER.into(), owner.process.clone());
    l.insert(DETACHED.into(), owner.detached.to_string());
    l
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

/// Start time of a process in clock ticks since boot (field 22 of
/// `/proc/PID/stat`): with the pid it names a process even after pid reuse.
fn start_ticks(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may contain spaces: fields after its ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace();
    // A zombie has exited; it only waits to be reaped.
    if matches!(fields.next(), Some("Z" | "X")) {
        return None;
    }
    fields.nth(18).map(str::to_string)
}

/// `host:pid:start` of a live process on this machine.
pub fn process_id(pid: u32) -> Option<String> {
    let start = start_ticks(pid).unwrap_or_else(|| "0".into());
    Some(format!("{}:{pid}:{start}", host_name()))
}

/// Whether the process named by an owner label is known to be dead. Owners on
/// another host are never judged dead: their pods are left alone.
pub fn owner_is_dead(owner: &str) -> bool {
    let mut parts = owner.rsplitn(3, ':');
    let (Some(start), Some(pid), Some(host)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    if host != host_name() {
        return false;
    }
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    match start_ticks(pid) {
        None => true,
        Some(now) => start != "0" && now != start,
    }
}

/// The pid of the process an owner label names, if it runs on this host
/// and is alive.
pub fn live_local_pid(owner: &str) -> Option<u32> {
    let mut parts = owner.rsplitn(3, ':');
    let (start, pid, host) = (parts.next()?, parts.next()?, parts.next()?);
    if host != host_name() {
        return None;
    }
    let pid: u32 = pid.parse().ok()?;
    (start_ticks(pid)? == start).then_some(pid)
}

/// Ask the process named by an owner label (`host:pid:start`), a detached
/// pod's supervisor, to step aside (SIGTERM), and wait (briefly) until it
/// has.
pub fn stop_owner(owner: &str) {
    let Some(pid) = live_local_pid(owner) else {
        return;
    };
    if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
    // It steps aside within milliseconds (it only drops its pod workers).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while live_local_pid(owner).is_some() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_gone_one_is_dead() {
        let me = process_id(std::process::id()).unwrap();
        assert!(!owner_is_dead(&me));
        let host = host_name();
        assert!(owner_is_dead(&format!("{host}:4194303:12345")));
        assert!(!owner_is_dead("some-other-host:1:1"));
        assert!(!owner_is_dead("garbage"));
    }
}
