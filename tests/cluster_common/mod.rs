//! Shared by the `cluster_*` tests: a `ClusterEngine` on the `docker` CLI
//! (so the controllers run against the real engine), unique learners, and a
//! guard that removes everything a test created, on success and on failure.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::process::Command;

use podlearn::cluster::{ClusterEngine, HelperSpec, NetworkCreated};

pub const IMAGE: &str = "busybox:latest";

/// Run `docker ARGS`; (exit code, stdout, stderr). Panics when there is no
/// docker at all: the engine tests must fail, not skip, without an engine.
pub fn docker(args: &[&str]) -> (i32, String, String) {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("the docker CLI must be installed for the engine tests");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn docker_ok(args: &[&str]) -> String {
    let (code, out, err) = docker(args);
    assert_eq!(code, 0, "docker {args:?} failed: {err}");
    out
}

/// A learner name no other test or teammate uses.
pub fn unique_learner(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("t-{tag}-{}-{nanos}", std::process::id())
}

pub fn labels(learner: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("io.podlearn.managed".to_string(), "true".to_string()),
        ("io.podlearn.learner".to_string(), learner.to_string()),
    ])
}

/// Removes every container and network of the learner when dropped.
pub struct Cleanup {
    pub learner: String,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let filter = format!("label=io.podlearn.learner={}", self.learner);
        let (_, ids, _) = docker(&["ps", "-aq", "--filter", &filter]);
        let ids: Vec<&str> = ids.split_whitespace().collect();
        if !ids.is_empty() {
            let mut args = vec!["rm", "-f"];
            args.extend(ids);
            docker(&args);
        }
        let (_, nets, _) = docker(&["network", "ls", "-q", "--filter", &filter]);
        for n in nets.split_whitespace() {
            docker(&["network", "rm", n]);
        }
        let (_, vols, _) = docker(&["volume", "ls", "-q", "--filter", &filter]);
        for v in vols.split_whitespace() {
            docker(&["volume", "rm", "-f", v]);
        }
        let (_, left, _) = docker(&["ps", "-aq", "--filter", &filter]);
        let (_, left_nets, _) = docker(&["network", "ls", "-q", "--filter", &filter]);
        if !std::thread::panicking() {
            assert!(
                left.trim().is_empty() && left_nets.trim().is_empty(),
                "leftovers"
            );
        }
    }
}

pub fn ip_of(container: &str, network: &str) -> String {
    let fmt = format!("{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}");
    docker_ok(&["inspect", "-f", &fmt, container])
        .trim()
        .to_string()
}

/// The cluster plumbing on the docker CLI.
pub struct CliEngine;

fn label_args(labels: &BTreeMap<String, String>) -> Vec<String> {
    labels
        .iter()
        .flat_map(|(k, v)| ["--label".to_string(), format!("{k}={v}")])
        .collect()
}

impl ClusterEngine for CliEngine {
    async fn network_subnet(&self, name: &str) -> anyhow::Result<Option<String>> {
        let (code, out, _) = docker(&[
            "network",
            "inspect",
            "-f",
            "{{range .IPAM.Config}}{{.Subnet}}{{end}}",
            name,
        ]);
        Ok((code == 0).then(|| out.trim().to_string()))
    }

    async fn create_network(
        &self,
        name: &str,
        subnet: &str,
        labels: &BTreeMap<String, String>,
    ) -> anyhow::Result<NetworkCreated> {
        let mut args = vec![
            "network".to_string(),
            "create".into(),
            "--subnet".into(),
            subnet.into(),
        ];
        args.extend(label_args(labels));
        args.push(name.into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, _, err) = docker(&args);
        Ok(match code {
            0 => NetworkCreated::Created,
            _ if err.contains("overlap") => NetworkCreated::SubnetTaken,
            _ if err.contains("already exists") => NetworkCreated::AlreadyThere,
            _ => anyhow::bail!("network create: {err}"),
        })
    }

    async fn remove_network(&self, name: &str) -> anyhow::Result<()> {
        docker(&["network", "rm", name]);
        Ok(())
    }

    async fn run_helper(&self, spec: &HelperSpec) -> anyhow::Result<String> {
        let mut args = vec![
            "run".to_string(),
            "-d".into(),
            "--name".into(),
            spec.name.clone(),
            "--network".into(),
            spec.network.clone(),
        ];
        for a in &spec.aliases {
            args.extend(["--network-alias".to_string(), a.clone()]);
        }
        for e in &spec.env {
            args.extend(["-e".to_string(), e.clone()]);
        }
        args.extend(label_args(&spec.labels));
        args.push(spec.image.clone());
        args.extend(spec.cmd.iter().cloned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, _, err) = docker(&args);
        anyhow::ensure!(code == 0, "run helper: {err}");
        Ok(ip_of(&spec.name, &spec.network))
    }

    async fn exec(&self, container: &str, argv: &[String]) -> anyhow::Result<i64> {
        let mut args = vec!["exec", container];
        args.extend(argv.iter().map(String::as_str));
        Ok(i64::from(docker(&args).0))
    }

    async fn reconnect(
        &self,
        container: &str,
        network: &str,
        ip: &str,
        aliases: &[String],
    ) -> anyhow::Result<()> {
        docker(&["network", "disconnect", network, container]);
        let mut args = vec!["network", "connect", "--ip", ip];
        for a in aliases {
            args.extend(["--alias", a.as_str()]);
        }
        args.extend([network, container]);
        let (code, _, err) = docker(&args);
        anyhow::ensure!(code == 0, "network connect: {err}");
        Ok(())
    }

    async fn remove_container(&self, name: &str) -> anyhow::Result<()> {
        docker(&["rm", "-f", name]);
        Ok(())
    }
}

// ---- Pods on the docker CLI: one container per Pod, enough for controllers.

use podlearn::cluster::{PodEngine, PodObservation};
use podlearn::manifest::model::{
    Container, ObjectMeta, Pod, PodSpec, PodTemplate, PullPolicy, Resources, RestartPolicy,
};
use podlearn::status::Phase;
use std::sync::Mutex;

pub fn container(name: &str, script: &str) -> Container {
    Container {
        name: name.into(),
        image: IMAGE.into(),
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
        termination_message_path: "/dev/termination-log".into(),
        restart_policy: None,
    }
}

pub fn template(labels: &[(&str, &str)], script: &str, restart: RestartPolicy) -> PodTemplate {
    PodTemplate {
        metadata: ObjectMeta {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        },
        spec: PodSpec {
            containers: vec![container("main", script)],
            init_containers: vec![],
            volumes: vec![],
            restart_policy: restart,
            share_process_namespace: false,
            hostname: None,
            subdomain: None,
            host_aliases: vec![],
            termination_grace_period_seconds: 1,
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

/// Pods as single containers on a network (no restarts: a stopped
/// container is Succeeded or Failed by its exit code).
pub struct CliPods {
    pub learner: String,
    pub network: String,
    pub started: Mutex<BTreeMap<String, Pod>>,
}

impl CliPods {
    pub fn container_name(&self, pod: &str) -> String {
        format!("{}-pod-{pod}", self.network)
    }
}

impl PodEngine for CliPods {
    async fn start_pod(&self, pod: &Pod) -> anyhow::Result<()> {
        let c = &pod.spec.containers[0];
        let name = self.container_name(&pod.metadata.name);
        let learner = format!("io.podlearn.learner={}", self.learner);
        let mut args = vec![
            "run",
            "-d",
            "--name",
            &name,
            "--network",
            &self.network,
            "--label",
            "io.podlearn.managed=true",
            "--label",
            &learner,
            &c.image,
        ];
        args.extend(c.command.iter().map(String::as_str));
        let (code, _, err) = docker(&args);
        anyhow::ensure!(code == 0, "start pod: {err}");
        self.started
            .lock()
            .unwrap()
            .insert(pod.metadata.name.clone(), pod.clone());
        Ok(())
    }

    async fn observe(&self) -> anyhow::Result<Vec<PodObservation>> {
        let pods: Vec<Pod> = self.started.lock().unwrap().values().cloned().collect();
        let mut out = Vec::new();
        for pod in pods {
            let name = self.container_name(&pod.metadata.name);
            let fmt = format!(
                "{{{{.State.Status}}}} {{{{.State.ExitCode}}}} {{{{(index .NetworkSettings.Networks \"{}\").IPAddress}}}}",
                self.network
            );
            let (code, text, _) = docker(&["inspect", "-f", &fmt, &name]);
            if code != 0 {
                continue; // removed by hand
            }
            let parts: Vec<&str> = text.split_whitespace().collect();
            let phase = match (parts[0], parts.get(1).copied()) {
                ("running", _) => Phase::Running,
                ("created", _) => Phase::Pending,
                (_, Some("0")) => Phase::Succeeded,
                _ => Phase::Failed,
            };
            out.push(PodObservation {
                name: pod.metadata.name.clone(),
                namespace: pod.metadata.namespace.clone(),
                labels: pod.metadata.labels.clone(),
                phase,
                ready: phase == Phase::Running,
                restarts: 0,
                ip: parts.get(2).map(|s| s.to_string()),
                sandbox: name,
                hostname: None,
                subdomain: None,
                ports: vec![],
            });
        }
        Ok(out)
    }

    async fn delete_all_and_wait(&self) -> anyhow::Result<()> {
        let names: Vec<String> = self.started.lock().unwrap().keys().cloned().collect();
        for name in names {
            self.delete_pod(&name).await?;
        }
        Ok(())
    }

    async fn delete_pod(&self, name: &str) -> anyhow::Result<()> {
        docker(&["rm", "-f", &self.container_name(name)]);
        self.started.lock().unwrap().remove(name);
        Ok(())
    }
}
