//! Small versions of the pure kubelet rules the runtime needs (phase,
//! restart, environment, hosts file, probe commands), with the same names and
//! shapes as the `phase`, `restart`, `podenv`, `hosts` and `probe` modules,
//! which replace them when they land.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::manifest::{
    ConfigMap, Container, EnvFromRef, EnvVarSource, Handler, IntOrString, Pod, PodSpec,
    RestartPolicy, Secret, VolumeSource,
};
use crate::status::{Condition, ContainerKind, ContainerStatus, Phase, PodStatus};

/// ConfigMaps and Secrets given in the same input as the pod.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub config_maps: Vec<ConfigMap>,
    pub secrets: Vec<Secret>,
}

impl Inputs {
    fn config_map(&self, ns: &str, name: &str) -> Option<&ConfigMap> {
        self.config_maps
            .iter()
            .find(|c| c.metadata.name == name && c.metadata.namespace == ns)
    }
    fn secret(&self, ns: &str, name: &str) -> Option<&Secret> {
        self.secrets
            .iter()
            .find(|c| c.metadata.name == name && c.metadata.namespace == ns)
    }
}

/// `$(VAR)` expansion as the kubelet does it.
pub fn expand(text: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(a) = after.strip_prefix('$') {
            out.push('$');
            rest = a;
        } else if let Some(a) = after.strip_prefix('(')
            && let Some(end) = a.find(')')
            && let Some(v) = env.get(&a[..end])
        {
            out.push_str(v);
            rest = &a[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn field_value(pod: &Pod, path: &str) -> String {
    let m = &pod.metadata;
    let key = |p: &str| {
        path.strip_prefix(p)
            .and_then(|s| s.strip_suffix("']"))
            .map(str::to_string)
    };
    match path {
        "metadata.name" => m.name.clone(),
        "metadata.namespace" => m.namespace.clone(),
        "spec.nodeName" => "podlearn".into(),
        "status.podIP" => "$(__POD_IP)".into(),
        _ => {
            if let Some(k) = key("metadata.labels['") {
                m.labels.get(&k).cloned().unwrap_or_default()
            } else if let Some(k) = key("metadata.annotations['") {
                m.annotations.get(&k).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        }
    }
}

/// The container's environment as `NAME=value` lines, or the message of a
/// `CreateContainerConfigError`.
pub fn container_env(pod: &Pod, c: &Container, inputs: &Inputs) -> Result<Vec<String>, String> {
    let ns = &pod.metadata.namespace;
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut set = |env: &mut BTreeMap<String, String>, k: String, v: String| {
        if !order.contains(&k) {
            order.push(k.clone());
        }
        env.insert(k, v);
    };
    for ef in &c.env_from {
        let prefix = ef.prefix.clone().unwrap_or_default();
        match &ef.source {
            EnvFromRef::ConfigMapRef { name, optional } => match inputs.config_map(ns, name) {
                Some(cm) => {
                    for (k, v) in &cm.data {
                        set(&mut env, format!("{prefix}{k}"), v.clone());
                    }
                }
                None if *optional => {}
                None => return Err(format!("configmap \"{name}\" not found")),
            },
            EnvFromRef::SecretRef { name, optional } => match inputs.secret(ns, name) {
                Some(s) => {
                    for (k, v) in &s.data {
                        set(&mut env, format!("{prefix}{k}"), String::from_utf8_lossy(v).into());
                    }
                }
                None if *optional => {}
                None => return Err(format!("secret \"{name}\" not found")),
            },
        }
    }
    for e in &c.env {
        let value = match (&e.value, &e.value_from) {
            (Some(v), _) => expand(v, &env),
            (None, Some(EnvVarSource::FieldRef { field_path })) => field_value(pod, field_path),
            (None, Some(EnvVarSource::ConfigMapKeyRef { name, key, optional })) => {
                match inputs.config_map(ns, name).and_then(|c| c.data.get(key)) {
                    Some(v) => v.clone(),
                    None if *optional => continue,
                    None => {
                        return Err(format!("couldn't find key {key} in ConfigMap {ns}/{name}"));
                    }
                }
            }
            (None, Some(EnvVarSource::SecretKeyRef { name, key, optional })) => {
                match inputs.secret(ns, name).and_then(|c| c.data.get(key)) {
                    Some(v) => String::from_utf8_lossy(v).into(),
                    None if *optional => continue,
                    None => return Err(format!("couldn't find key {key} in Secret {ns}/{name}")),
                }
            }
            (None, _) => String::new(),
        };
        set(&mut env, e.name.clone(), value);
    }
    Ok(order
        .iter()
        .map(|k| format!("{k}={}", env[k]))
        .collect())
}

/// Docker's Entrypoint and Cmd for a container: `command` replaces the
/// ENTRYPOINT (and drops CMD), `args` alone replaces CMD.
pub fn command_line(c: &Container, env: &[String]) -> (Option<Vec<String>>, Option<Vec<String>>) {
    let map: BTreeMap<String, String> = env
        .iter()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let x = |v: &[String]| v.iter().map(|s| expand(s, &map)).collect::<Vec<_>>();
    match (c.command.is_empty(), c.args.is_empty()) {
        (true, true) => (None, None),
        (true, false) => (None, Some(x(&c.args))),
        (false, _) => (Some(x(&c.command)), Some(x(&c.args))),
    }
}

/// The files of a configMap, secret, downwardAPI or projected volume.
pub fn volume_files(
    source: &VolumeSource,
    pod: &Pod,
    inputs: &Inputs,
) -> BTreeMap<String, (Vec<u8>, u32)> {
    let ns = &pod.metadata.namespace;
    let mut files = BTreeMap::new();
    match source {
        VolumeSource::ConfigMap { name, items, default_mode, .. } => {
            if let Some(cm) = inputs.config_map(ns, name) {
                let mut all: BTreeMap<String, Vec<u8>> = cm
                    .data
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_bytes().to_vec()))
                    .collect();
                all.extend(cm.binary_data.clone());
                pick(&all, items, *default_mode, &mut files);
            }
        }
        VolumeSource::Secret { secret_name, items, default_mode, .. } => {
            if let Some(s) = inputs.secret(ns, secret_name) {
                pick(&s.data, items, *default_mode, &mut files);
            }
        }
        VolumeSource::DownwardApi { items, default_mode } => {
            for i in items {
                let Some(fp) = &i.field_path else { continue };
                let m = &pod.metadata;
                let text = match fp.as_str() {
                    "metadata.labels" => kv_lines(&m.labels),
                    "metadata.annotations" => kv_lines(&m.annotations),
                    other => field_value(pod, other),
                };
                files.insert(i.path.clone(), (text.into_bytes(), i.mode.unwrap_or(*default_mode)));
            }
        }
        VolumeSource::Projected { sources, .. } => {
            for s in sources {
                files.extend(volume_files(s, pod, inputs));
            }
        }
        _ => {}
    }
    files
}

fn kv_lines(m: &BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}=\"{v}\"\n"))
        .collect()
}

fn pick(
    all: &BTreeMap<String, Vec<u8>>,
    items: &[crate::manifest::KeyToPath],
    mode: u32,
    files: &mut BTreeMap<String, (Vec<u8>, u32)>,
) {
    if items.is_empty() {
        for (k, v) in all {
            files.insert(k.clone(), (v.clone(), mode));
        }
    }
    for i in items {
        if let Some(v) = all.get(&i.key) {
            files.insert(i.path.clone(), (v.clone(), i.mode.unwrap_or(mode)));
        }
    }
}

/// `/etc/hosts` as the kubelet writes it.
pub fn etc_hosts(pod: &Pod, pod_ip: &str, hostname: &str) -> String {
    let mut s = String::from(
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n",
    );
    s.push_str(&format!("{pod_ip}\t{hostname}\n"));
    if !pod.spec.host_aliases.is_empty() {
        s.push_str("\n# Entries added by HostAliases.\n");
        for a in &pod.spec.host_aliases {
            s.push_str(&format!("{}\t{}\n", a.ip, a.hostnames.join("\t")));
        }
    }
    s
}

/// Whether a container that exited with `code` is restarted.
pub fn should_restart(policy: RestartPolicy, kind: ContainerKind, code: i64) -> bool {
    match kind {
        ContainerKind::Sidecar => true,
        ContainerKind::Init => code != 0 && policy != RestartPolicy::Never,
        ContainerKind::App => match policy {
            RestartPolicy::Always => true,
            RestartPolicy::OnFailure => code != 0,
            RestartPolicy::Never => false,
        },
    }
}

/// The kubelet's crash back-off: first restart immediate, then 10 s doubling to 300 s.
#[derive(Debug, Clone, Default)]
pub struct BackOff {
    restarts: u32,
}

impl BackOff {
    pub fn next_delay(&mut self) -> Duration {
        let n = self.restarts;
        self.restarts += 1;
        if n == 0 {
            Duration::ZERO
        } else {
            Duration::from_secs((10u64 << (n - 1).min(5)).min(300))
        }
    }
    pub fn reset(&mut self) {
        self.restarts = 0;
    }
}

/// Where and what to run for a probe or hook: in the container itself
/// (`exec`) or in the sandbox, which shares the pod's network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeAction {
    InContainer(Vec<String>),
    InSandbox(Vec<String>),
    Sleep(Duration),
    Unsupported(String),
}

pub fn probe_command(h: &Handler, c: &Container, timeout_s: u64) -> ProbeAction {
    let port = |p: &IntOrString| match p {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(name) => c
            .ports
            .iter()
            .find(|x| x.name.as_deref() == Some(name))
            .map(|x| x.container_port.to_string())
            .unwrap_or_else(|| name.clone()),
    };
    match h {
        Handler::Exec { command } => ProbeAction::InContainer(command.clone()),
        Handler::HttpGet(g) => {
            let host = g.host.clone().unwrap_or_else(|| "127.0.0.1".into());
            let url = format!("{}://{host}:{}{}", g.scheme.to_lowercase(), port(&g.port), g.path);
            ProbeAction::InSandbox(vec![
                "wget".into(),
                "-q".into(),
                "-O".into(),
                "/dev/null".into(),
                "-T".into(),
                timeout_s.max(1).to_string(),
                url,
            ])
        }
        Handler::TcpSocket { port: p, host } => ProbeAction::InSandbox(vec![
            "nc".into(),
            "-z".into(),
            "-w".into(),
            timeout_s.max(1).to_string(),
            host.clone().unwrap_or_else(|| "127.0.0.1".into()),
            port(p),
        ]),
        Handler::Sleep { seconds } => ProbeAction::Sleep(Duration::from_secs(*seconds)),
        Handler::Grpc { .. } => ProbeAction::Unsupported("gRPC probes cannot run on Docker".into()),
    }
}

fn all_done(app: &[ContainerStatus]) -> bool {
    app.iter().all(|c| c.state.is_terminated())
}

/// The pod phase (section 2 of the pod semantics).
pub fn pod_phase(spec: &PodSpec, init: &[ContainerStatus], app: &[ContainerStatus]) -> Phase {
    phase_for_policy(spec.restart_policy, init, app)
}

/// The phase from the restart policy alone (for pods found on the engine).
pub fn phase_for_policy(policy: RestartPolicy, init: &[ContainerStatus], app: &[ContainerStatus]) -> Phase {
    struct S {
        restart_policy: RestartPolicy,
    }
    let spec = S { restart_policy: policy };
    let regular = |c: &&ContainerStatus| c.kind == ContainerKind::Init;
    if spec.restart_policy == RestartPolicy::Never
        && init
            .iter()
            .filter(regular)
            .any(|c| c.state.exit_code().is_some_and(|e| e != 0))
    {
        return Phase::Failed;
    }
    let any_started = app.iter().any(|c| !matches!(c.state, crate::status::ContainerState::Waiting { .. }) || c.restart_count > 0);
    let init_ok = init
        .iter()
        .filter(regular)
        .all(|c| c.state.exit_code() == Some(0));
    if !init_ok && !any_started {
        return Phase::Pending;
    }
    if app.iter().any(|c| {
        matches!(c.state, crate::status::ContainerState::Waiting { .. }) && c.restart_count == 0 && c.last_state.is_none()
    }) {
        return Phase::Pending;
    }
    if app.iter().any(|c| c.state.is_running()) || !all_done(app) {
        return Phase::Running;
    }
    let all_ok = app.iter().all(|c| c.state.exit_code() == Some(0));
    match spec.restart_policy {
        RestartPolicy::Always => Phase::Running,
        _ if all_ok => Phase::Succeeded,
        RestartPolicy::Never => Phase::Failed,
        RestartPolicy::OnFailure => Phase::Running,
    }
}

pub fn conditions(spec: &PodSpec, status: &PodStatus) -> Vec<Condition> {
    let _ = spec;
    conditions_of(status)
}

pub fn conditions_of(status: &PodStatus) -> Vec<Condition> {
    let t = |b: bool| if b { "True" } else { "False" }.to_string();
    let initialized = status
        .init_container_statuses
        .iter()
        .all(|c| match c.kind {
            ContainerKind::Init => c.state.exit_code() == Some(0),
            _ => c.started,
        });
    let ready = status.container_statuses.iter().all(|c| c.ready);
    vec![
        Condition { kind: "PodScheduled".into(), status: t(true), reason: None },
        Condition { kind: "Initialized".into(), status: t(initialized), reason: None },
        Condition { kind: "ContainersReady".into(), status: t(ready), reason: None },
        Condition { kind: "Ready".into(), status: t(ready), reason: None },
    ]
}
