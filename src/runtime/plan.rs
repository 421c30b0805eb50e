//! The pure plan of a pod on Docker: which containers and volumes podlearn
//! creates, their names and labels, which namespaces they join, their mounts,
//! environment and command lines. Nothing here talks to the engine, so every
//! rule of the mapping is unit-tested.

use std::collections::BTreeMap;

use crate::manifest::{Container, Pod, PullPolicy, VolumeSource};
use crate::status::ContainerKind;

use crate::podenv::{self, Inputs};

use super::labels::{self, Owner};
use super::volume;

/// The image every sandbox runs: it must be present offline and carry
/// `wget` and `nc` for httpGet and tcpSocket probes.
pub const SANDBOX_IMAGE: &str = "busybox:latest";

/// The sandbox's program, under docker-init: write the kubelet's /etc/hosts
/// (from `PODLEARN_HOSTS`, with the IP Docker gave the pod, read from the
/// file Docker wrote, in place of [`POD_IP_MARK`]; shell builtins only, so
/// it is ready within milliseconds), say [`SANDBOX_READY`] on stdout, then sleep until
/// SIGTERM/SIGINT, on which it exits 0 (so the sandbox does too). Every
/// container of the pod shares this /etc/hosts; the worker starts none before
/// the sandbox is ready.
pub const SANDBOX_SCRIPT: &str = r#"trap 'exit 0' TERM INT
if [ -n "$PODLEARN_HOSTS" ]; then
  h=${HOSTNAME:-$(hostname)} ip=
  while read -r addr name _; do [ "$name" = "$h" ] && ip=$addr; done < /etc/hosts
  if [ -n "$ip" ] && printf '%s' "${PODLEARN_HOSTS//@POD_IP@/$ip}" > /etc/hosts; then
    echo podlearn-sandbox-ready
  else
    echo "podlearn-sandbox-failed: cannot write /etc/hosts (pod IP: '$ip')"
  fi
else
  echo podlearn-sandbox-ready
fi
while :; do sleep 3600 & wait $!; done"#;
/// The variable that carries the kubelet's /etc/hosts to the sandbox.
pub const HOSTS_ENV: &str = "PODLEARN_HOSTS";
/// Stands for the pod's IP in `PODLEARN_HOSTS`.
pub const POD_IP_MARK: &str = "@POD_IP@";
/// What the sandbox prints once the pod's /etc/hosts is written.
pub const SANDBOX_READY: &str = "podlearn-sandbox-ready";
/// What it prints when it could not write it.
pub const SANDBOX_FAILED: &str = "podlearn-sandbox-failed";

/// Where the sandbox mounts every volume of the pod, so a Memory emptyDir
/// keeps its contents while app containers restart.
pub const SANDBOX_VOLUME_ROOT: &str = "/.podlearn/volumes";

/// A container as podlearn asks Docker to create it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub env: Vec<String>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub hostname: Option<String>,
    pub network_mode: Option<String>,
    /// DNS search domains (the cluster's, on a sandbox of a namespace network).
    pub dns_search: Vec<String>,
    pub ipc_mode: Option<String>,
    pub pid_mode: Option<String>,
    /// Docker's tiny init as PID 1: reaps zombies, forwards signals.
    pub init: bool,
    pub mounts: Vec<MountSpec>,
    pub read_only_rootfs: bool,
    pub memory_bytes: Option<i64>,
    pub nano_cpus: Option<i64>,
    pub tty: bool,
    pub stdin: bool,
    /// Only with `--allow-host-access` (the safety policy refuses them otherwise).
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountSpec {
    /// A named Docker volume, with its labels: should the volume be gone
    /// when the container is created (removed under a create in flight),
    /// Docker makes it again with them, so it is removed like the rest.
    Volume {
        source: String,
        target: String,
        read_only: bool,
        labels: BTreeMap<String, String>,
    },
    /// A path on the engine's host (hostPath, or a volume's subPath).
    Bind {
        source: String,
        target: String,
        read_only: bool,
    },
    /// A hostPath folder the engine makes when it is missing, as the
    /// kubelet and its runtime do for `type: DirectoryOrCreate` and for no
    /// type at all.
    BindOrCreate {
        source: String,
        target: String,
        read_only: bool,
    },
}

/// A Docker volume that backs one pod volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeSpec {
    /// The pod volume's name.
    pub pod_volume: String,
    /// The Docker volume's name.
    pub name: String,
    /// `tmpfs` options for medium Memory.
    pub driver_opts: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    /// Files podlearn writes into it before any container starts
    /// (configMap, secret, downwardAPI): path -> (content, mode).
    pub files: BTreeMap<String, (Vec<u8>, u32)>,
}

/// One container of the pod with what podlearn needs to run it.
#[derive(Debug, Clone)]
pub struct ContainerPlan {
    pub kind: ContainerKind,
    /// Position in `initContainers` or `containers`.
    pub index: usize,
    pub container: Container,
    /// Docker create options; `name` and the attempt label are set per run.
    pub spec: ContainerSpec,
    pub pull_policy: PullPolicy,
    /// Set when the container cannot be created (missing ConfigMap key...):
    /// it waits with `CreateContainerConfigError` and this message.
    pub config_error: Option<String>,
}

/// Everything podlearn creates for one pod.
#[derive(Debug, Clone)]
pub struct PodPlan {
    pub pod_name: String,
    pub namespace: String,
    pub hostname: String,
    /// The Docker name prefix shared by all of the pod's objects.
    pub prefix: String,
    pub sandbox: ContainerSpec,
    pub volumes: Vec<VolumeSpec>,
    pub containers: Vec<ContainerPlan>,
    /// Things Docker cannot do like a node, said to the learner.
    pub notes: Vec<String>,
}

impl PodPlan {
    /// The Docker name of a container's run number `attempt`.
    pub fn container_name(&self, plan: &ContainerPlan, attempt: u32) -> String {
        format!("{}-{}-{}", self.prefix, plan.container.name, attempt)
    }
}

/// A learner's, namespace's or pod's name as a part of a Docker object's name
/// (`[a-zA-Z0-9_.-]`) and of a file name: every other character becomes `_`,
/// and a part that would be empty, `.` or `..` gets a leading `_`, so it
/// never names a parent folder. The one sanitizer for every name podlearn
/// makes, on the engine and on disk.
pub fn docker_safe(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.chars().all(|c| c == '.') {
        format!("_{out}")
    } else {
        out
    }
}

/// The Docker network a pod's sandbox joins: the one place that decides it
/// (`None`: the engine's default bridge). `hostNetwork` pods use the host's.
pub fn pod_network(pod: &Pod) -> Option<String> {
    pod.spec.host_network.then(|| "host".to_string())
}

/// The image a container runs after the learner's explicit `--image FROM=TO`
/// mapping (`FROM` names the image in any spelling: `busybox` maps
/// `docker.io/library/busybox:latest` too).
pub fn mapped_image(image: &str, map: &BTreeMap<String, String>) -> String {
    map.get(image)
        .or_else(|| {
            map.iter()
                .find(|(from, _)| super::image::same_image(from, image))
                .map(|(_, to)| to)
        })
        .cloned()
        .unwrap_or_else(|| image.to_string())
}

/// Plan a pod for `learner`, owned by `owner`.
/// `pod_ip` is `None` before the sandbox runs (the downward API's
/// `status.podIP` is then empty); the worker plans again once it is known.
pub fn plan_pod(
    pod: &Pod,
    inputs: &Inputs,
    owner: &Owner,
    image_map: &BTreeMap<String, String>,
    pod_ip: Option<&str>,
) -> PodPlan {
    let ns = &pod.metadata.namespace;
    let name = &pod.metadata.name;
    let prefix = format!(
        "podlearn-{}-{}-{}",
        docker_safe(&owner.learner),
        docker_safe(ns),
        docker_safe(name)
    );
    let hostname = pod.spec.effective_hostname(name);
    let base = labels::pod_labels(owner, ns, name);

    let mut notes = vec![
        "Docker has no shared UTS namespace: the hostname is set on the sandbox and seen by \
         every container, but `hostname x` in one container does not reach the others."
            .to_string(),
    ];
    if pod.spec.share_process_namespace {
        notes.push(
            "With shareProcessNamespace, PID 1 is Docker's init (docker-init) in the sandbox, \
             not /pause as on a node."
                .to_string(),
        );
    }

    let mut volumes = Vec::new();
    for v in &pod.spec.volumes {
        let mut l = base.clone();
        l.insert(labels::ROLE.into(), "volume".into());
        l.insert(labels::VOLUME.into(), v.name.clone());
        let mut driver_opts = BTreeMap::new();
        let mut files = BTreeMap::new();
        match &v.source {
            VolumeSource::EmptyDir { medium, size_limit } => {
                if medium == "Memory" {
                    driver_opts.insert("type".into(), "tmpfs".into());
                    driver_opts.insert("device".into(), "tmpfs".into());
                    if let Some(q) = size_limit {
                        driver_opts.insert("o".into(), format!("size={}", q.units_ceil()));
                    }
                } else if size_limit.is_some() {
                    notes.push(format!(
                        "volume {:?}: sizeLimit on a disk emptyDir is not enforced on Docker \
                         (a node evicts the pod when it is exceeded).",
                        v.name
                    ));
                }
            }
            VolumeSource::HostPath { .. } => continue,
            other => files = volume::volume_files(other, pod, inputs, pod_ip),
        }
        volumes.push(VolumeSpec {
            pod_volume: v.name.clone(),
            name: format!("{}-{}", prefix, docker_safe(&v.name)),
            driver_opts,
            labels: l,
            files,
        });
    }

    let mut sandbox_mounts = Vec::new();
    for v in &volumes {
        sandbox_mounts.push(MountSpec::Volume {
            source: v.name.clone(),
            target: format!("{}/{}", SANDBOX_VOLUME_ROOT, v.pod_volume),
            read_only: false,
            labels: v.labels.clone(),
        });
    }
    let mut sl = base.clone();
    sl.insert(labels::ROLE.into(), "sandbox".into());
    sl.insert(labels::CONTAINERS.into(), containers_label(pod));
    sl.insert(
        labels::RESTART_POLICY.into(),
        pod.spec.restart_policy.as_str().into(),
    );
    // The kubelet's /etc/hosts, written by the sandbox itself as it starts
    // (its IP is known only then). A hostNetwork pod keeps the host's file.
    let hosts_env = (!pod.spec.host_network).then(|| {
        format!(
            "{HOSTS_ENV}={}",
            crate::hosts::etc_hosts(
                POD_IP_MARK,
                &hostname,
                pod.spec.subdomain.as_deref(),
                ns,
                &pod.spec.host_aliases,
            )
        )
    });
    let sandbox = ContainerSpec {
        name: prefix.clone(),
        image: SANDBOX_IMAGE.to_string(),
        cmd: Some(vec!["sh".into(), "-c".into(), SANDBOX_SCRIPT.into()]),
        entrypoint: Some(vec![]),
        env: hosts_env.into_iter().collect(),
        labels: sl,
        // Docker refuses a hostname together with the host's network.
        hostname: (!pod.spec.host_network).then(|| hostname.clone()),
        network_mode: pod_network(pod),
        ipc_mode: Some(
            if pod.spec.host_ipc {
                "host"
            } else {
                "shareable"
            }
            .into(),
        ),
        init: true,
        mounts: sandbox_mounts,
        ..Default::default()
    };

    let mut containers = Vec::new();
    let lists = [
        (&pod.spec.init_containers, true),
        (&pod.spec.containers, false),
    ];
    for (list, init) in lists {
        for (index, c) in list.iter().enumerate() {
            let kind = match (init, c.is_sidecar()) {
                (false, _) => ContainerKind::App,
                (true, true) => ContainerKind::Sidecar,
                (true, false) => ContainerKind::Init,
            };
            containers.push(plan_container(
                pod, inputs, pod_ip, &base, &prefix, &volumes, kind, index, c, image_map,
            ));
        }
    }

    PodPlan {
        pod_name: name.clone(),
        namespace: ns.clone(),
        hostname,
        prefix,
        sandbox,
        volumes,
        containers,
        notes,
    }
}

/// Docker's Entrypoint and Cmd: `command` replaces the image ENTRYPOINT and
/// drops its CMD (Docker does the same when Entrypoint is given), `args`
/// alone replaces CMD; `$(VAR)` expands from the container's environment.
pub fn docker_command(
    c: &Container,
    env: &[(String, String)],
) -> (Option<Vec<String>>, Option<Vec<String>>) {
    let x = |v: &[String]| v.iter().map(|s| podenv::expand(s, env)).collect::<Vec<_>>();
    match (c.command.is_empty(), c.args.is_empty()) {
        (true, true) => (None, None),
        (true, false) => (None, Some(x(&c.args))),
        (false, _) => (Some(x(&c.command)), Some(x(&c.args))),
    }
}

/// `init:a,sidecar:b,app:c`: the pod's shape, kept on the sandbox so any
/// podlearn process can show containers that have not been created yet.
fn containers_label(pod: &Pod) -> String {
    let mut parts = Vec::new();
    for c in &pod.spec.init_containers {
        let k = if c.is_sidecar() { "sidecar" } else { "init" };
        parts.push(format!("{k}:{}", c.name));
    }
    for c in &pod.spec.containers {
        parts.push(format!("app:{}", c.name));
    }
    parts.join(",")
}

#[allow(clippy::too_many_arguments)]
fn plan_container(
    pod: &Pod,
    inputs: &Inputs,
    pod_ip: Option<&str>,
    base: &BTreeMap<String, String>,
    prefix: &str,
    volumes: &[VolumeSpec],
    kind: ContainerKind,
    index: usize,
    c: &Container,
    image_map: &BTreeMap<String, String>,
) -> ContainerPlan {
    let mut l = base.clone();
    l.insert(labels::CONTAINER.into(), c.name.clone());
    l.insert(
        labels::ROLE.into(),
        match kind {
            ContainerKind::Init => "init",
            ContainerKind::Sidecar => "sidecar",
            ContainerKind::App => "app",
        }
        .into(),
    );
    let (env, config_error) = match podenv::container_env(pod, c, inputs, pod_ip) {
        Ok(env) => (env, None),
        Err(e) => (Vec::new(), Some(e.message)),
    };
    let (entrypoint, cmd) = docker_command(c, &env);
    let env: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let sandbox = format!("container:{prefix}");

    let mut mounts = Vec::new();
    for m in &c.volume_mounts {
        let Some(pv) = pod.spec.volumes.iter().find(|v| v.name == m.name) else {
            continue;
        };
        if let VolumeSource::HostPath { path, kind } = &pv.source {
            let (source, target, read_only) = (path.clone(), m.mount_path.clone(), m.read_only);
            mounts.push(match kind.as_deref() {
                None | Some("") | Some("DirectoryOrCreate") => MountSpec::BindOrCreate {
                    source,
                    target,
                    read_only,
                },
                _ => MountSpec::Bind {
                    source,
                    target,
                    read_only,
                },
            });
            continue;
        }
        let Some(v) = volumes.iter().find(|v| v.pod_volume == m.name) else {
            continue;
        };
        // configMap, secret and downwardAPI volumes are read-only on a node.
        let read_only = m.read_only || !v.files.is_empty();
        match &m.sub_path {
            Some(sub) if !sub.is_empty() => mounts.push(MountSpec::Bind {
                source: format!("{{volume:{}}}/{}", v.name, sub),
                target: m.mount_path.clone(),
                read_only,
            }),
            _ => mounts.push(MountSpec::Volume {
                source: v.name.clone(),
                target: m.mount_path.clone(),
                read_only,
                labels: v.labels.clone(),
            }),
        }
    }

    let sc = c.security_context.clone().unwrap_or_default();
    let psc = pod.spec.security_context.clone().unwrap_or_default();
    let uid = sc.run_as_user.or(psc.run_as_user);
    let gid = sc.run_as_group.or(psc.run_as_group);
    let user = match (uid, gid) {
        (Some(u), Some(g)) => Some(format!("{u}:{g}")),
        (Some(u), None) => Some(u.to_string()),
        (None, Some(g)) => Some(format!("0:{g}")),
        (None, None) => None,
    };
    let memory_bytes = c
        .resources
        .limits
        .get("memory")
        .map(|q| q.units_ceil() as i64);
    let nano_cpus = c
        .resources
        .limits
        .get("cpu")
        .map(|q| q.milli() as i64 * 1_000_000);

    let spec = ContainerSpec {
        name: String::new(),
        image: mapped_image(&c.image, image_map),
        entrypoint,
        cmd,
        env,
        working_dir: c.working_dir.clone(),
        user,
        labels: l,
        hostname: None,
        network_mode: Some(sandbox.clone()),
        dns_search: Vec::new(),
        ipc_mode: Some(if pod.spec.host_ipc {
            "host".into()
        } else {
            sandbox.clone()
        }),
        pid_mode: if pod.spec.host_pid {
            Some("host".into())
        } else {
            pod.spec.share_process_namespace.then_some(sandbox)
        },
        init: false,
        mounts,
        read_only_rootfs: sc.read_only_root_filesystem,
        memory_bytes,
        nano_cpus,
        tty: c.tty,
        stdin: c.stdin,
        privileged: sc.privileged,
        cap_add: sc.capabilities_add.clone(),
        cap_drop: sc.capabilities_drop.clone(),
    };
    ContainerPlan {
        kind,
        index,
        container: c.clone(),
        spec,
        pull_policy: c.image_pull_policy,
        config_error,
    }
}

#[cfg(test)]
mod tests;
