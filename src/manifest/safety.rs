//! The safety policy: what in a manifest would reach outside podlearn's
//! sandbox onto the Docker host. A classroom may share one Docker host, so one
//! learner's manifest must not be able to take it over.
//!
//! `validate` reports these as warnings marked [`Finding::safety`]; `run`
//! refuses them unless the learner passes `--allow-host-access`.
//! Refused: privileged containers, `hostNetwork`/`hostPID`/`hostIPC`,
//! `hostPath` outside [`HOST_PATH_ROOT`] or to a device, capabilities beyond
//! [`SAFE_CAPABILITIES`].

use super::finding::{Finding, Severity};
use super::model::{PodSpec, VolumeSource};

/// The host folder under which `hostPath` volumes are allowed.
pub const HOST_PATH_ROOT: &str = "/tmp/podlearn";

/// Capabilities a container may add: Docker's default set (already granted,
/// so adding them changes nothing) plus two that stay inside the pod's own
/// namespaces (`NET_ADMIN` on the pod network, `SYS_PTRACE` on its processes).
pub const SAFE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
    "NET_ADMIN",
    "SYS_PTRACE",
];

/// What every safety finding suggests.
pub const HELP: &str = "podlearn refuses to run this unless you pass --allow-host-access; a pod that needs no host access is safer (hostPath folders may live under /tmp/podlearn)";

/// One thing in a pod spec the safety policy refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Path below the pod spec, e.g. `containers[0].securityContext.privileged`.
    pub path: String,
    pub message: String,
}

/// Every safety violation of a pod spec.
pub fn pod_violations(spec: &PodSpec) -> Vec<Violation> {
    let mut v = Vec::new();
    let mut add = |path: String, message: String| v.push(Violation { path, message });
    for (field, on, what) in [
        (
            "hostNetwork",
            spec.host_network,
            "the host's network (every port and interface of the machine)",
        ),
        (
            "hostPID",
            spec.host_pid,
            "the host's processes (it could see and signal every process on the machine)",
        ),
        ("hostIPC", spec.host_ipc, "the host's shared memory"),
    ] {
        if on {
            add(
                field.into(),
                format!("`{field}: true` gives the pod {what}"),
            );
        }
    }
    let lists = [
        ("initContainers", &spec.init_containers),
        ("containers", &spec.containers),
    ];
    for (list, containers) in lists {
        for (i, c) in containers.iter().enumerate() {
            let Some(sc) = &c.security_context else {
                continue;
            };
            let base = format!("{list}[{i}].securityContext");
            if sc.privileged {
                add(
                    format!("{base}.privileged"),
                    format!(
                        "container \"{}\" is privileged: it could control the whole Docker host",
                        c.name
                    ),
                );
            }
            for (j, cap) in sc.capabilities_add.iter().enumerate() {
                let name = cap.trim_start_matches("CAP_").to_ascii_uppercase();
                if !SAFE_CAPABILITIES.contains(&name.as_str()) {
                    add(
                        format!("{base}.capabilities.add[{j}]"),
                        format!(
                            "container \"{}\" adds capability {cap}, which reaches outside its sandbox",
                            c.name
                        ),
                    );
                }
            }
        }
    }
    for (i, vol) in spec.volumes.iter().enumerate() {
        if let VolumeSource::HostPath { path, kind } = &vol.source {
            let p = format!("volumes[{i}].hostPath.path");
            if matches!(
                kind.as_deref(),
                Some("CharDevice" | "BlockDevice" | "Socket")
            ) {
                add(
                    p,
                    format!(
                        "hostPath volume \"{}\" mounts a device or socket of the host ({path})",
                        vol.name
                    ),
                );
            } else if !is_under_root(path) {
                add(
                    p,
                    format!(
                        "hostPath volume \"{}\" mounts {path} from the host, outside {HOST_PATH_ROOT}",
                        vol.name
                    ),
                );
            }
        }
    }
    v
}

/// Whether a host path stays inside [`HOST_PATH_ROOT`] (no `..` escapes).
pub fn is_under_root(path: &str) -> bool {
    !path.split('/').any(|p| p == "..")
        && (path == HOST_PATH_ROOT || path.starts_with(&format!("{HOST_PATH_ROOT}/")))
}

/// The violations as findings (warnings marked `safety`), at `base` (the pod spec path).
pub fn findings(
    file: &str,
    base: &str,
    spec: &PodSpec,
    pos_of: impl Fn(&str) -> (usize, usize),
) -> Vec<Finding> {
    pod_violations(spec)
        .into_iter()
        .map(|v| {
            let path = format!("{base}.{}", v.path);
            let (line, column) = pos_of(&path);
            Finding {
                severity: Severity::Warning,
                file: file.to_string(),
                line,
                column,
                path,
                message: v.message,
                help: Some(HELP.to_string()),
                rule: "safety",
                safety: true,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_path_root_cannot_be_escaped() {
        assert!(is_under_root("/tmp/podlearn/data"));
        assert!(!is_under_root("/tmp/podlearn/../../etc"));
        assert!(!is_under_root("/tmp/podlearnx"));
        assert!(!is_under_root("/"));
    }
}
