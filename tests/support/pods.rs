//! Builders for the runtime tests: Pod values written in Rust, an isolated
//! learner per test, and a check that nothing of that learner is left.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use podlearn::manifest::{
    Container, Handler, ObjectMeta, Pod, PodSpec, Probe, PullPolicy, Resources, RestartPolicy,
    Volume, VolumeMount, VolumeSource,
};
use podlearn::podenv::Inputs;
use podlearn::runtime::{Engine, RunOptions, RunningPod};
use podlearn::status::{Phase, PodStatus};

static LEARNER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// A unique learner for this test binary, set in its environment once
/// (tests of one binary share it and use distinct pod names).
pub fn isolate() -> String {
    LEARNER
        .get_or_init(|| {
            let learner = format!("t{}-{}", std::process::id(), nanos());
            let home = std::env::temp_dir().join(format!("podlearn-home-{learner}"));
            std::fs::create_dir_all(&home).unwrap();
            // SAFETY: set once, under the OnceLock, before any pod starts.
            unsafe {
                std::env::set_var("PODLEARN_LEARNER", &learner);
                std::env::set_var("PODLEARN_HOME", &home);
            }
            learner
        })
        .clone()
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        % 1_000_000_000
}

pub fn container(name: &str, script: &str) -> Container {
    Container {
        name: name.to_string(),
        image: "busybox:latest".to_string(),
        image_pull_policy: PullPolicy::IfNotPresent,
        command: vec!["sh".into(), "-c".into(), script.into()],
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

pub fn sidecar(name: &str, script: &str) -> Container {
    Container {
        restart_policy: Some(RestartPolicy::Always),
        ..container(name, script)
    }
}

pub fn mount(volume: &str, path: &str) -> VolumeMount {
    VolumeMount {
        name: volume.into(),
        mount_path: path.into(),
        read_only: false,
        sub_path: None,
    }
}

pub fn empty_dir(name: &str, memory: bool) -> Volume {
    Volume {
        name: name.into(),
        source: VolumeSource::EmptyDir {
            medium: if memory {
                "Memory".into()
            } else {
                String::new()
            },
            size_limit: None,
        },
    }
}

pub fn exec_probe(cmd: &str, period: u64, failure_threshold: u32) -> Probe {
    Probe {
        handler: Handler::Exec {
            command: vec!["sh".into(), "-c".into(), cmd.into()],
        },
        initial_delay_seconds: 0,
        period_seconds: period,
        timeout_seconds: 1,
        success_threshold: 1,
        failure_threshold,
        termination_grace_period_seconds: None,
    }
}

pub fn pod(name: &str, init: Vec<Container>, app: Vec<Container>, policy: RestartPolicy) -> Pod {
    Pod {
        metadata: ObjectMeta {
            name: name.into(),
            namespace: "default".into(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
        },
        spec: PodSpec {
            containers: app,
            init_containers: init,
            volumes: vec![],
            restart_policy: policy,
            share_process_namespace: false,
            hostname: None,
            subdomain: None,
            host_aliases: vec![],
            termination_grace_period_seconds: 2,
            active_deadline_seconds: None,
            security_context: None,
            host_network: false,
            host_pid: false,
            host_ipc: false,
            dns_policy: "ClusterFirst".into(),
            node_name: None,
            node_selector: BTreeMap::new(),
            affinity: None,
            tolerations: vec![],
        },
    }
}

/// Fast waits for tests: back-off 10 s becomes 0.5 s.
pub fn fast() -> RunOptions {
    RunOptions {
        time_scale: 20.0,
        ..RunOptions::default()
    }
}

pub async fn engine() -> Engine {
    Engine::connect()
        .await
        .expect("the Docker engine must answer for runtime tests")
}

/// Containers, volumes and networks of this learner's pod still on the
/// engine (`pod: None`: of any pod of the learner), by name.
pub fn leftovers(learner: &str, pod: Option<&str>) -> Vec<String> {
    let filter = format!("label=io.podlearn.learner={learner}");
    let pod_filter = format!("label=io.podlearn.pod={}", pod.unwrap_or(""));
    let mut names = Vec::new();
    for kind in [["ps", "-a"], ["volume", "ls"], ["network", "ls"]] {
        let mut args = vec![
            kind[0],
            kind[1],
            "--filter",
            &filter,
            "--format",
            "{{.Names}}",
        ];
        if kind[0] != "ps" {
            args[5] = "{{.Name}}";
        }
        if pod.is_some() {
            args.extend(["--filter", &pod_filter]);
        }
        let out = Command::new("docker")
            .args(&args)
            .output()
            .expect("docker CLI");
        names.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| !l.is_empty())
                .map(String::from),
        );
    }
    names
}

pub const LONG: Duration = Duration::from_secs(30);

/// Start `pod`, wait until it has ended, and check that it Succeeded
/// (the message shows `container`'s logs). Returns the pod, still to be
/// deleted, its final status and those logs.
pub async fn run_to_end(
    engine: &Engine,
    pod: &Pod,
    inputs: &Inputs,
    opts: &RunOptions,
    container: &str,
) -> (RunningPod, PodStatus, String) {
    let running = engine.start_pod(pod, inputs, opts).await.unwrap();
    let st = running
        .wait_for(|s| s.phase.is_final(), LONG)
        .await
        .expect("the pod ends");
    let logs = running.logs(container, false).await.unwrap();
    assert_eq!(st.phase, Phase::Succeeded, "{logs} {st:?}");
    (running, st, logs)
}

pub fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// Removes every object of a learner when dropped, so a test that fails
/// half-way leaves nothing behind either: first the background podlearn
/// processes that run its detached pods, then containers, volumes and
/// (for the whole learner) its networks.
/// `Sweep(learner, Some(pod))` only removes that pod's objects.
pub struct Sweep(pub String, pub Option<&'static str>);

impl Drop for Sweep {
    fn drop(&mut self) {
        let filter = format!("label=io.podlearn.learner={}", self.0);
        let pod = format!("label=io.podlearn.pod={}", self.1.unwrap_or(""));
        let filters = |c: &mut Command| {
            c.args(["--filter", &filter]);
            if self.1.is_some() {
                c.args(["--filter", &pod]);
            }
        };
        let mut ps = Command::new("docker");
        ps.args(["ps", "-a", "--format", "{{.Label \"io.podlearn.owner\"}}"]);
        filters(&mut ps);
        let owners = ps
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        for owner in owners.lines() {
            if let Some(pid) = owner.split(':').nth(1) {
                let _ = Command::new("kill").args(["-TERM", pid]).output();
            }
        }
        for _ in 0..2 {
            for (list, rm) in [
                (["ps", "-a"], ["rm", "-f"]),
                (["volume", "ls"], ["volume", "rm"]),
                (["network", "ls"], ["network", "rm"]),
            ] {
                // A pod's filter is its own containers; the learner's
                // network goes with the whole learner only.
                if list[0] == "network" && self.1.is_some() {
                    continue;
                }
                let mut ls = Command::new("docker");
                ls.args(list).arg("-q");
                filters(&mut ls);
                let out = ls
                    .output()
                    .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                    .unwrap_or_default();
                let ids: Vec<&str> = out.lines().filter(|l| !l.is_empty()).collect();
                if !ids.is_empty() {
                    let _ = Command::new("docker").args(rm).args(&ids).output();
                }
            }
            if !std::thread::panicking() {
                break;
            }
            // A background process may have been creating a container.
            std::thread::sleep(Duration::from_millis(1500));
        }
    }
}
