//! The Init Containers and Containers sections of `kubectl describe pod`
//! (kubectl's `describeContainers`): basic info, command, state, resources,
//! probes, environment and mounts.

use crate::manifest::{Container, EnvFromRef, EnvVarSource, Handler, IntOrString, Probe};
use crate::status::{ContainerState, ContainerStatus};

use super::super::rfc1123z;

pub(super) fn containers(
    line: &mut impl FnMut(String),
    label: &str,
    specs: &[Container],
    statuses: &[ContainerStatus],
) {
    line(format!("{label}:"));
    for c in specs {
        let status = statuses.iter().find(|s| s.name == c.name);
        line(format!("  {}:", c.name));
        if let Some(s) = status {
            let id = s.container_id.as_deref().map(|id| format!("docker://{id}"));
            line(format!("    Container ID:\t{}", id.unwrap_or_default()));
        }
        line(format!("    Image:\t{}", c.image));
        let ports: Vec<String> = c
            .ports
            .iter()
            .map(|p| format!("{}/{}", p.container_port, p.protocol))
            .collect();
        let host_ports: Vec<String> = c
            .ports
            .iter()
            .map(|p| format!("{}/{}", p.host_port.unwrap_or(0), p.protocol))
            .collect();
        let (label, value) = match ports.len() {
            0 => ("Port", "<none>".to_string()),
            1 => ("Port", ports[0].clone()),
            _ => ("Ports", ports.join(", ")),
        };
        line(format!("    {label}:\t{value}"));
        let (label, value) = match host_ports.len() {
            0 => ("Host Port", "<none>".to_string()),
            1 => ("Host Port", host_ports[0].clone()),
            _ => ("Host Ports", host_ports.join(", ")),
        };
        line(format!("    {label}:\t{value}"));
        for (title, list) in [("Command", &c.command), ("Args", &c.args)] {
            if !list.is_empty() {
                line(format!("    {title}:"));
                for part in list.iter().flat_map(|s| s.split('\n')) {
                    line(format!("      {part}"));
                }
            }
        }
        if let Some(s) = status {
            state(line, "State", &s.state);
            if let Some(last @ ContainerState::Terminated { .. }) = &s.last_state {
                state(line, "Last State", last);
            }
            line(format!(
                "    Ready:\t{}",
                if s.ready { "True" } else { "False" }
            ));
            line(format!("    Restart Count:\t{}", s.restart_count));
        }
        for (title, map) in [
            ("Limits", &c.resources.limits),
            ("Requests", &c.resources.requests),
        ] {
            if !map.is_empty() {
                line(format!("    {title}:"));
                for (k, q) in map {
                    line(format!("      {k}:\t{q}"));
                }
            }
        }
        for (title, probe) in [
            ("Liveness", &c.liveness_probe),
            ("Readiness", &c.readiness_probe),
            ("Startup", &c.startup_probe),
        ] {
            if let Some(p) = probe {
                line(format!("    {title}:\t{}", describe_probe(p)));
            }
        }
        if !c.env_from.is_empty() {
            line("    Environment Variables from:".into());
            for e in &c.env_from {
                let (name, from, optional) = match &e.source {
                    EnvFromRef::ConfigMapRef { name, optional } => (name, "ConfigMap", optional),
                    EnvFromRef::SecretRef { name, optional } => (name, "Secret", optional),
                };
                match &e.prefix {
                    Some(p) if !p.is_empty() => line(format!(
                        "      {name}\t{from} with prefix '{p}'\tOptional: {optional}"
                    )),
                    _ => line(format!("      {name}\t{from}\tOptional: {optional}")),
                }
            }
        }
        environment(line, c);
        if c.volume_mounts.is_empty() {
            line("    Mounts:\t<none>".into());
        } else {
            line("    Mounts:".into());
            let mut mounts: Vec<_> = c.volume_mounts.iter().collect();
            mounts.sort_by(|a, b| a.mount_path.cmp(&b.mount_path));
            for m in mounts {
                let mut flags = vec![if m.read_only { "ro" } else { "rw" }.to_string()];
                if let Some(sub) = &m.sub_path {
                    flags.push(format!("path={sub:?}"));
                }
                line(format!(
                    "      {} from {} ({})",
                    m.mount_path,
                    m.name,
                    flags.join(",")
                ));
            }
        }
    }
}

fn environment(line: &mut impl FnMut(String), c: &Container) {
    if c.env.is_empty() {
        line("    Environment:\t<none>".into());
        return;
    }
    line("    Environment:".into());
    for e in &c.env {
        match &e.value_from {
            None => {
                let value = e.value.clone().unwrap_or_default();
                for (i, part) in value.split('\n').enumerate() {
                    if i == 0 {
                        line(format!("      {}:\t{part}", e.name));
                    } else {
                        line(format!("      \t{part}"));
                    }
                }
            }
            Some(EnvVarSource::FieldRef { field_path }) => {
                // kubectl resolves the value from the API object; podlearn shows the path.
                line(format!("      {}:\t (v1:{field_path})", e.name));
            }
            Some(EnvVarSource::ResourceFieldRef { resource, .. }) => {
                line(format!("      {}:\t ({resource})", e.name));
            }
            Some(EnvVarSource::SecretKeyRef {
                name,
                key,
                optional,
            }) => line(format!(
                "      {}:\t<set to the key '{key}' in secret '{name}'>\tOptional: {optional}",
                e.name
            )),
            Some(EnvVarSource::ConfigMapKeyRef {
                name,
                key,
                optional,
            }) => line(format!(
                "      {}:\t<set to the key '{key}' of config map '{name}'>\tOptional: {optional}",
                e.name
            )),
        }
    }
}

fn state(line: &mut impl FnMut(String), title: &str, s: &ContainerState) {
    match s {
        ContainerState::Running { started_at } => {
            line(format!("    {title}:\tRunning"));
            line(format!("      Started:\t{}", rfc1123z(*started_at)));
        }
        ContainerState::Waiting { reason, message } => {
            line(format!("    {title}:\tWaiting"));
            if !reason.is_empty() {
                line(format!("      Reason:\t{reason}"));
            }
            if let Some(m) = message {
                line(format!("      Message:\t{m}"));
            }
        }
        ContainerState::Terminated {
            exit_code,
            reason,
            message,
            signal,
            started_at,
            finished_at,
        } => {
            line(format!("    {title}:\tTerminated"));
            if !reason.is_empty() {
                line(format!("      Reason:\t{reason}"));
            }
            if let Some(m) = message {
                line(format!("      Message:\t{m}"));
            }
            line(format!("      Exit Code:\t{exit_code}"));
            if let Some(sig) = signal.filter(|s| *s > 0) {
                line(format!("      Signal:\t{sig}"));
            }
            line(format!("      Started:\t{}", rfc1123z(*started_at)));
            line(format!("      Finished:\t{}", rfc1123z(*finished_at)));
        }
    }
}

/// kubectl's `DescribeProbe`: `http-get http://:8080/healthz delay=0s timeout=1s
/// period=10s #success=1 #failure=3`.
pub fn describe_probe(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds,
        p.timeout_seconds,
        p.period_seconds,
        p.success_threshold,
        p.failure_threshold
    );
    let port = |p: &IntOrString| match p {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    };
    match &p.handler {
        Handler::Exec { command } => format!("exec [{}] {attrs}", command.join(" ")),
        Handler::HttpGet(g) => format!(
            "http-get {}://{}:{}{} {attrs}",
            g.scheme.to_lowercase(),
            g.host.as_deref().unwrap_or(""),
            port(&g.port),
            g.path
        ),
        Handler::TcpSocket { port: p, host } => {
            format!(
                "tcp-socket {}:{} {attrs}",
                host.as_deref().unwrap_or(""),
                port(p)
            )
        }
        Handler::Grpc { port, service } => {
            format!(
                "grpc <pod>:{port} {} {attrs}",
                service.as_deref().unwrap_or("")
            )
        }
        Handler::Sleep { seconds } => format!("sleep {seconds}s {attrs}"),
    }
}
