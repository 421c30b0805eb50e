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
