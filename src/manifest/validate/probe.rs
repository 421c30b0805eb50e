//! Probes, lifecycle hooks and their handlers (exec, httpGet, tcpSocket,
//! sleep, grpc), with the API server's defaults; and downward API field paths.

use super::names::is_port_name;
use super::walk::{Cx, Fields};
use crate::manifest::model::{Handler, HttpGet, IntOrString, Lifecycle, Probe};
use crate::manifest::node::{Node, Value};

const PROBE_FIELDS: &[&str] = &[
    "exec",
    "httpGet",
    "tcpSocket",
    "grpc",
    "initialDelaySeconds",
    "periodSeconds",
    "timeoutSeconds",
    "successThreshold",
    "failureThreshold",
    "terminationGracePeriodSeconds",
];

/// Read a probe field of a container (`livenessProbe`, ...).
pub fn read_probe(cx: &mut Cx, f: &Fields, name: &str) -> Option<Probe> {
    cx.sub(f, name, PROBE_FIELDS, |cx, p| {
        let handler = read_handler(cx, &p, &["exec", "httpGet", "tcpSocket", "grpc"])?;
        Some(Probe {
            handler,
            initial_delay_seconds: cx.opt_count(&p, "initialDelaySeconds", 0).unwrap_or(0),
            period_seconds: cx.opt_count(&p, "periodSeconds", 1).unwrap_or(10),
            timeout_seconds: cx.opt_count(&p, "timeoutSeconds", 1).unwrap_or(1),
            success_threshold: cx.opt_count(&p, "successThreshold", 1).unwrap_or(1) as u32,
            failure_threshold: cx.opt_count(&p, "failureThreshold", 1).unwrap_or(3) as u32,
            termination_grace_period_seconds: cx.opt_count(&p, "terminationGracePeriodSeconds", 1),
        })
    })
    .flatten()
}

/// Read `lifecycle` (postStart, preStop).
pub fn read_lifecycle(cx: &mut Cx, f: &Fields) -> Option<Lifecycle> {
    cx.sub(
        f,
        "lifecycle",
        &["postStart", "preStop", "stopSignal"],
        |cx, l| {
            let hook = |cx: &mut Cx, name: &str| {
                cx.sub(
                    &l,
                    name,
                    &["exec", "httpGet", "tcpSocket", "sleep"],
                    |cx, h| read_handler(cx, &h, &["exec", "httpGet", "tcpSocket", "sleep"]),
                )
                .flatten()
            };
            Lifecycle {
                post_start: hook(cx, "postStart"),
                pre_stop: hook(cx, "preStop"),
            }
        },
    )
}

fn read_handler(cx: &mut Cx, f: &Fields, kinds: &[&str]) -> Option<Handler> {
    let set: Vec<&str> = kinds.iter().copied().filter(|k| f.has(k)).collect();
    if set.len() != 1 {
        let list = kinds.join(", ");
        let (message, help) = if set.is_empty() {
            (
                "no handler: say what to run or check".to_string(),
                format!(
                    "add one of {list}, e.g.\n  exec:\n    command: [\"cat\", \"/tmp/healthy\"]"
                ),
            )
        } else {
            (
                format!("only one handler may be set, found {}", set.join(" and ")),
                format!("keep one of {}", set.join(", ")),
            )
        };
        cx.error("one-handler", f.pos, message, help);
        return None;
    }
    match set[0] {
        "exec" => cx.sub(f, "exec", &["command"], |cx, e| {
            cx.required(&e, "command", "e.g. `command: [\"cat\", \"/tmp/healthy\"]`");
            Handler::Exec {
                command: cx.str_list(&e, "command"),
            }
        }),
        "httpGet" => cx
            .sub(
                f,
                "httpGet",
                &["path", "port", "host", "scheme", "httpHeaders"],
                |cx, h| {
                    let port = port_field(cx, &h)?;
                    let http_headers = cx.list(&h, "httpHeaders", |cx, n| {
                        let hh = cx.object(n, &["name", "value"])?;
                        Some((
                            cx.req_str(&hh, "name", "a header name"),
                            cx.req_str(&hh, "value", "a header value"),
                        ))
                    });
                    Some(Handler::HttpGet(HttpGet {
                        path: cx.opt_str(&h, "path").unwrap_or_else(|| "/".into()),
                        port,
                        host: cx.opt_str(&h, "host"),
                        scheme: cx
                            .opt_enum(&h, "scheme", &["HTTP", "HTTPS"])
                            .unwrap_or_else(|| "HTTP".into()),
                        http_headers,
                    }))
                },
            )
            .flatten(),
        "tcpSocket" if kinds.contains(&"sleep") => {
            let pos = f.get("tcpSocket").map_or(f.pos, |n| n.pos);
            cx.report(
                crate::manifest::Severity::Warning,
                "unsupported-value",
                pos,
                "tcpSocket is accepted in lifecycle hooks only for compatibility: the hook fails when it runs",
                Some("use `exec`, `httpGet` or `sleep` in postStart and preStop".into()),
            );
            None
        }
        "tcpSocket" => cx
            .sub(f, "tcpSocket", &["port", "host"], |cx, t| {
                let port = port_field(cx, &t)?;
                Some(Handler::TcpSocket {
                    port,
                    host: cx.opt_str(&t, "host"),
                })
            })
            .flatten(),
        "sleep" => cx.sub(f, "sleep", &["seconds"], |cx, s| {
            cx.required(&s, "seconds", "e.g. `seconds: 5`");
            Handler::Sleep {
                seconds: cx.opt_count(&s, "seconds", 0).unwrap_or(0),
            }
        }),
        "grpc" => cx.sub(f, "grpc", &["port", "service"], |cx, g| {
            cx.report(
                crate::manifest::Severity::Note,
                "no-op-here",
                g.pos,
                "a gRPC probe is valid, but podlearn cannot run it",
                Some(
                    "use an exec probe with a gRPC health client, or an httpGet/tcpSocket probe"
                        .into(),
                ),
            );
            cx.required(&g, "port", "e.g. `port: 9000`");
            Handler::Grpc {
                port: cx.opt_int(&g, "port").unwrap_or(0),
                service: cx.opt_str(&g, "service"),
            }
        }),
        _ => None,
    }
}

/// A `port` that is a number (1-65535) or the name of a container port.
fn port_field(cx: &mut Cx, f: &Fields) -> Option<IntOrString> {
    let node = cx.required(
        f,
        "port",
        "give the port: a number like `port: 8080` or a container port's name",
    )?;
    cx.field("port", |cx| int_or_string(cx, node))
}

/// A port number or port name, checked.
pub fn int_or_string(cx: &mut Cx, node: &Node) -> Option<IntOrString> {
    cx.mark(node.pos);
    match &node.value {
        Value::Int(i) => {
            super::rules::check_port_range(cx, Some(*i))?;
            Some(IntOrString::Int(*i))
        }
        Value::Str(s) => {
            if let Ok(n) = s.parse::<i64>() {
                cx.error(
                    "wrong-type",
                    node.pos,
                    format!("\"{s}\" is a port name in quotes, and port names cannot be numbers"),
                    format!("write the number without quotes: `port: {n}`"),
                );
                return None;
            }
            if !is_port_name(s) {
                super::rules::check_port_name(cx, s);
                return None;
            }
            Some(IntOrString::String(s.clone()))
        }
        _ => {
            cx.wrong_type(node, "a port number or a port name");
            None
        }
    }
}

/// Field paths the downward API offers (`env` may also read `status.*` and `spec.*`).
pub fn check_field_path(cx: &mut Cx, path: &str, env: bool) {
    let plain = [
        "metadata.name",
        "metadata.namespace",
        "metadata.uid",
        "metadata.labels",
        "metadata.annotations",
    ];
    let env_only = [
        "spec.nodeName",
        "spec.serviceAccountName",
        "status.hostIP",
        "status.hostIPs",
        "status.podIP",
        "status.podIPs",
    ];
    let keyed = (path.starts_with("metadata.labels['")
        || path.starts_with("metadata.annotations['"))
        && path.ends_with("']");
    let ok = keyed
        || (plain.contains(&path) && (!env || !path.ends_with('s') || path == "metadata.uid"))
        || (env && env_only.contains(&path));
    // env can not read whole label/annotation maps; files can
    let ok = ok && !(env && (path == "metadata.labels" || path == "metadata.annotations"));
    if !ok && !path.is_empty() {
        let pos = cx.pos_of(&cx.child("fieldPath"));
        let supported = if env {
            "metadata.name, metadata.namespace, metadata.uid, metadata.labels['key'], metadata.annotations['key'], spec.nodeName, spec.serviceAccountName, status.podIP, status.hostIP"
        } else {
            "metadata.name, metadata.namespace, metadata.uid, metadata.labels, metadata.annotations, metadata.labels['key']"
        };
        cx.field("fieldPath", |cx| {
            cx.error(
                "unsupported-value",
                pos,
                format!("unsupported fieldPath \"{path}\""),
                format!("supported here: {supported}"),
            )
        });
    }
}
