//! What podlearn executes for a probe or lifecycle-hook handler.
//!
//! | handler | kubelet | podlearn |
//! |---|---|---|
//! | `exec` | runs the command in the container | the same argv, `docker exec` in the target container |
//! | `httpGet` | GET from the node to `host` (default pod IP), 200-399 is success | in the pod's sandbox (busybox, same network namespace): `nc` connects to the pod IP (or 127.0.0.1), sends the request, and `sh` checks the status line for 200-399 |
//! | `tcpSocket` | TCP connect from the node | `nc -e true`: exit 0 once connected, in the sandbox |
//! | `sleep` (hooks) | the kubelet waits | the runtime waits [`ProbeAction::Sleep`] |
//! | `grpc`, `https` | supported | not supported: [`ProbeAction::Unsupported`] |
//!
//! Why `nc` and not `wget`: busybox 1.35's `wget` (Debian's build, both the
//! static and the dynamic one) crashes with a segmentation fault (exit 139)
//! when given a timeout (`-T`), and without one a server that accepts but
//! never answers would hang the probe. busybox's small `nc` has no `-z`, but
//! `nc -e PROG` runs
//! PROG on the connected socket, which gives both checks. Every command is
//! wrapped in busybox `timeout`.
//!
//! Differences from a kubelet: redirects are not followed (a 3xx counts as
//! success, as kubelet does for a redirect to another host); the request is
//! HTTP/1.0 with `Connection: close`; `httpGet.host` must be an IP address
//! (no name lookup); without a pod IP the target is 127.0.0.1, which also
//! reaches a server bound to localhost only (a kubelet would not).

use std::time::Duration;

use crate::manifest::{ContainerPort, Handler, HttpGet, IntOrString, Probe};

/// The `User-Agent` the kubelet sends (`kube-probe/<major>.<minor>`).
pub const USER_AGENT: &str = "kube-probe/1.33";

/// Lifecycle hooks have no timeout of their own (the grace period bounds
/// preStop); podlearn gives an httpGet/tcpSocket hook this long.
pub const HOOK_TIMEOUT_SECONDS: u64 = 30;

/// What to run for a handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeAction {
    /// `docker exec` this argv in the target container itself; exit 0 is
    /// success, the output is the failure detail.
    InContainer { argv: Vec<String> },
    /// `docker exec` this argv in the pod's sandbox container (busybox, same
    /// network namespace); exit 0 is success. Turn a failure into the
    /// kubelet's wording with [`ProbeAction::failure_detail`].
    InSandbox { argv: Vec<String>, target: String },
    /// A `sleep` hook: wait this long.
    Sleep(Duration),
    /// podlearn cannot run this handler; say so to the learner.
    Unsupported { reason: String },
    /// The handler cannot work as written (e.g. a named port that the
    /// container does not declare): every run fails with this message.
    Fail { message: String },
}

impl ProbeAction {
    /// The kubelet-style detail for a failed run, from the command's exit code
    /// and combined output: e.g. `HTTP probe failed with statuscode: 500`,
    /// `dial tcp 127.0.0.1:8080: connect: connection refused`.
    pub fn failure_detail(&self, exit_code: i64, output: &str) -> String {
        match self {
            ProbeAction::InSandbox { target, .. } => {
                if exit_code == 143 || exit_code == 124 || exit_code == 137 {
                    format!("{target}: timeout awaiting response")
                } else if output.contains("Connection refused") {
                    format!("dial tcp {target}: connect: connection refused")
                } else if let Some(line) = output.lines().find(|l| l.starts_with("HTTP probe")) {
                    line.to_string()
                } else {
                    format!("{target}: {}", output.trim())
                }
            }
            ProbeAction::InContainer { .. } => {
                if output.trim().is_empty() {
                    format!("command exited with {exit_code}")
                } else {
                    output.trim_end().to_string()
                }
            }
            ProbeAction::Fail { message } | ProbeAction::Unsupported { reason: message } => {
                message.clone()
            }
            ProbeAction::Sleep(_) => String::new(),
        }
    }
}

/// The action for a probe, aimed at `pod_ip` when known (as a kubelet does),
/// else at 127.0.0.1, with the probe's `timeoutSeconds`.
pub fn probe_action(probe: &Probe, ports: &[ContainerPort], pod_ip: Option<&str>) -> ProbeAction {
    action(&probe.handler, ports, pod_ip, probe.timeout_seconds)
}

/// The action for a probe handler, aimed at 127.0.0.1 with the default
/// one-second timeout. Prefer [`probe_action`] when the pod IP is known.
pub fn probe_command(handler: &Handler, container_ports: &[ContainerPort]) -> ProbeAction {
    action(handler, container_ports, None, 1)
}

/// The action for a lifecycle hook (postStart, preStop), with
/// [`HOOK_TIMEOUT_SECONDS`] for network handlers.
pub fn hook_command(
    handler: &Handler,
    ports: &[ContainerPort],
    pod_ip: Option<&str>,
) -> ProbeAction {
    action(handler, ports, pod_ip, HOOK_TIMEOUT_SECONDS)
}

fn action(
    handler: &Handler,
    ports: &[ContainerPort],
    pod_ip: Option<&str>,
    timeout_seconds: u64,
) -> ProbeAction {
    let timeout = timeout_seconds.max(1).to_string();
    match handler {
        Handler::Exec { command } => ProbeAction::InContainer {
            argv: command.clone(),
        },
        Handler::Sleep { seconds } => ProbeAction::Sleep(Duration::from_secs(*seconds)),
        Handler::Grpc { port, .. } => ProbeAction::Unsupported {
            reason: format!(
                "gRPC probes (port {port}) are not supported by podlearn: use an exec, httpGet or tcpSocket probe"
            ),
        },
        Handler::TcpSocket { port, host } => {
            let port = match resolve_port(port, ports) {
                Ok(p) => p,
                Err(message) => return ProbeAction::Fail { message },
            };
            let host = host.as_deref().or(pod_ip).unwrap_or("127.0.0.1");
            ProbeAction::InSandbox {
                argv: [
                    "timeout",
                    &timeout,
                    "nc",
                    "-w",
                    &timeout,
                    host,
                    &port.to_string(),
                    "-e",
                    "true",
                ]
                .map(String::from)
                .to_vec(),
                target: format!("{host}:{port}"),
            }
        }
        Handler::HttpGet(get) => http_get(get, ports, pod_ip, &timeout),
    }
}

fn http_get(
    get: &HttpGet,
    ports: &[ContainerPort],
    pod_ip: Option<&str>,
    timeout: &str,
) -> ProbeAction {
    if get.scheme.eq_ignore_ascii_case("HTTPS") {
        return ProbeAction::Unsupported {
            reason: "httpGet with scheme HTTPS is not supported by podlearn (busybox has no TLS client): use HTTP or a tcpSocket probe".to_string(),
        };
    }
    let port = match resolve_port(&get.port, ports) {
        Ok(p) => p,
        Err(message) => return ProbeAction::Fail { message },
    };
    let host = get.host.as_deref().or(pod_ip).unwrap_or("127.0.0.1");
    let path = if get.path.starts_with('/') {
        get.path.clone()
    } else {
        format!("/{}", get.path)
    };
    // Headers as the kubelet sends them; a learner's `Host` or `User-Agent`
    // header replaces the default one.
    let has = |name: &str| {
        get.http_headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(name))
    };
    let mut request = format!("GET {path} HTTP/1.0\r\n");
    if !has("Host") {
        request.push_str(&format!("Host: {host}:{port}\r\n"));
    }
    if !has("User-Agent") {
        request.push_str(&format!("User-Agent: {USER_AGENT}\r\n"));
    }
    if !has("Accept") {
        request.push_str("Accept: */*\r\n");
    }
    for (k, v) in &get.http_headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("Connection: close\r\n\r\n");
    // Runs with stdin and stdout on the socket: send the request, read the
    // status line, accept 200-399. The detail goes to stderr.
    let script = format!(
        "printf '%s' {req}; IFS= read -r line; \
         [ -n \"$line\" ] || {{ echo 'HTTP probe failed: empty response' >&2; exit 1; }}; \
         code=${{line#* }}; code=${{code%% *}}; code=${{code%\"$(printf '\\r')\"}}; \
         case \"$code\" in [23][0-9][0-9]) exit 0;; esac; \
         echo \"HTTP probe failed with statuscode: $code\" >&2; exit 1",
        req = shell_quote(&request)
    );
    ProbeAction::InSandbox {
        argv: vec![
            "timeout".into(),
            timeout.into(),
            "nc".into(),
            "-w".into(),
            timeout.into(),
            host.into(),
            port.to_string(),
            "-e".into(),
            "sh".into(),
            "-c".into(),
            script,
        ],
        target: format!("{host}:{port}"),
    }
}

/// A port number, or a named port looked up in the container's ports.
fn resolve_port(port: &IntOrString, ports: &[ContainerPort]) -> Result<u16, String> {
    match port {
        IntOrString::Int(n) => u16::try_from(*n)
            .ok()
            .filter(|&p| p > 0)
            .ok_or_else(|| format!("invalid port number: {n}")),
        IntOrString::String(name) => ports
            .iter()
            .find(|p| p.name.as_deref() == Some(name.as_str()))
            .map(|p| p.container_port)
            .ok_or_else(|| {
                format!("unable to find port {name:?}: no container port has that name")
            }),
    }
}

/// Single-quote a string for `sh`.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
