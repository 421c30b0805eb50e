use std::time::Duration;

use crate::fixtures::*;
use crate::manifest::{ContainerPort, Handler, HttpGet, IntOrString, Probe};

use super::*;

fn probe(initial: u64, period: u64, success: u32, failure: u32) -> Probe {
    Probe {
        handler: Handler::Exec {
            command: vec!["true".into()],
        },
        initial_delay_seconds: initial,
        period_seconds: period,
        timeout_seconds: 1,
        success_threshold: success,
        failure_threshold: failure,
        termination_grace_period_seconds: None,
    }
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[test]
fn first_run_waits_the_initial_delay_then_every_period() {
    let start = now();
    let mut t = ProbeTracker::new(ProbeKind::Liveness, &probe(5, 10, 1, 3), start, 1.0);
    assert_eq!(t.next_due(), Some(start + secs(5)));
    assert!(!t.is_due(start + secs(4)));
    assert!(t.is_due(start + secs(5)));
    t.record(true, start + secs(5));
    assert_eq!(t.next_due(), Some(start + secs(15)));
}

#[test]
fn time_scale_divides_delay_period_and_timeout() {
    let start = now();
    let t = ProbeTracker::new(ProbeKind::Readiness, &probe(20, 10, 1, 3), start, 10.0);
    assert_eq!(t.next_due(), Some(start + secs(2)));
    assert_eq!(t.period(), secs(1));
    // A timeout is never scaled under a second: the app's answer takes
    // what it takes.
    assert_eq!(t.timeout(), secs(1));
    let mut slow = probe(0, 10, 1, 3);
    slow.timeout_seconds = 30;
    let t = ProbeTracker::new(ProbeKind::Readiness, &slow, start, 10.0);
    assert_eq!(t.timeout(), secs(3));
}

#[test]
fn readiness_starts_not_ready_and_needs_success_threshold() {
    let mut t = ProbeTracker::new(ProbeKind::Readiness, &probe(0, 1, 2, 3), now(), 1.0);
    assert_eq!(t.record(true, now()), ProbeVerdict::Unchanged);
    assert_eq!(t.record(true, now()), ProbeVerdict::Ready(true));
    assert_eq!(t.record(true, now()), ProbeVerdict::Unchanged);
    assert_eq!(t.record(false, now()), ProbeVerdict::Unchanged);
    assert_eq!(t.record(false, now()), ProbeVerdict::Unchanged);
    assert_eq!(t.record(false, now()), ProbeVerdict::Ready(false));
    // Readiness never kills.
    assert_eq!(t.record(false, now()), ProbeVerdict::Unchanged);
    assert!(t.next_due().is_some());
}

#[test]
fn readiness_failure_does_not_flip_a_container_that_was_never_ready() {
    let mut t = ProbeTracker::new(ProbeKind::Readiness, &probe(0, 1, 1, 1), now(), 1.0);
    assert_eq!(t.record(false, now()), ProbeVerdict::Unchanged);
    assert_eq!(t.record(true, now()), ProbeVerdict::Ready(true));
}

#[test]
fn liveness_kills_once_after_failure_threshold() {
    let mut t = ProbeTracker::new(ProbeKind::Liveness, &probe(0, 1, 1, 3), now(), 1.0);
    assert_eq!(t.record(false, now()), ProbeVerdict::Unchanged);
    assert_eq!(t.record(false, now()), ProbeVerdict::Unchanged);
    assert_eq!(
        t.record(false, now()),
        ProbeVerdict::Kill(ProbeKind::Liveness)
    );
    assert_eq!(t.record(false, now()), ProbeVerdict::Unchanged);
    assert_eq!(t.next_due(), None);
}

#[test]
fn liveness_failures_must_be_consecutive() {
    let mut t = ProbeTracker::new(ProbeKind::Liveness, &probe(0, 1, 1, 3), now(), 1.0);
    for ok in [false, false, true, false, false, true] {
        assert_eq!(t.record(ok, now()), ProbeVerdict::Unchanged);
    }
}

#[test]
fn startup_failure_kills_and_success_stops_it() {
    let mut t = ProbeTracker::new(ProbeKind::Startup, &probe(0, 1, 1, 2), now(), 1.0);
    assert_eq!(t.record(false, now()), ProbeVerdict::Unchanged);
    assert_eq!(
        t.record(false, now()),
        ProbeVerdict::Kill(ProbeKind::Startup)
    );
    let mut t = ProbeTracker::new(ProbeKind::Startup, &probe(0, 1, 1, 2), now(), 1.0);
    assert_eq!(t.record(true, now()), ProbeVerdict::Started);
    assert_eq!(t.next_due(), None);
}

#[test]
fn startup_probe_gates_liveness_and_readiness() {
    let mut c = container("web");
    c.startup_probe = Some(probe(0, 1, 1, 30));
    c.liveness_probe = Some(probe(0, 1, 1, 3));
    c.readiness_probe = Some(probe(0, 1, 1, 3));
    let start = now();
    let mut p = ContainerProbes::new(&c, start, 1.0);
    assert!(!p.started());
    assert!(!p.initially_ready());
    assert_eq!(p.due(start), vec![ProbeKind::Startup]);
    assert_eq!(
        p.record(ProbeKind::Startup, false, start),
        ProbeVerdict::Unchanged
    );
    // Liveness records are ignored in effect until started: they are not due.
    assert_eq!(p.due(start + secs(1)), vec![ProbeKind::Startup]);
    let t = start + secs(1);
    assert_eq!(p.record(ProbeKind::Startup, true, t), ProbeVerdict::Started);
    assert!(p.started());
    assert_eq!(p.due(t), vec![ProbeKind::Liveness, ProbeKind::Readiness]);
    assert_eq!(p.next_due(), Some(t));
}

#[test]
fn without_probes_a_container_is_started_and_ready() {
    let p = ContainerProbes::new(&container("web"), now(), 1.0);
    assert!(p.started() && p.initially_ready());
    assert_eq!(p.next_due(), None);
    assert!(p.due(now()).is_empty());
}

#[test]
fn event_messages() {
    assert_eq!(
        ProbeKind::Liveness.failure_message("HTTP probe failed with statuscode: 500\n"),
        "Liveness probe failed: HTTP probe failed with statuscode: 500"
    );
    assert_eq!(
        ProbeKind::Liveness.kill_message("web"),
        "Container web failed liveness probe, will be restarted"
    );
}

// --- actions ---

fn ports() -> Vec<ContainerPort> {
    vec![ContainerPort {
        name: Some("http".into()),
        container_port: 8080,
        protocol: "TCP".into(),
        host_port: None,
    }]
}

fn get(port: IntOrString) -> HttpGet {
    HttpGet {
        path: "/healthz".into(),
        port,
        host: None,
        scheme: "HTTP".into(),
        http_headers: vec![],
    }
}

#[test]
fn exec_runs_in_the_container() {
    let h = Handler::Exec {
        command: vec!["cat".into(), "/tmp/healthy".into()],
    };
    assert_eq!(
        probe_command(&h, &[]),
        ProbeAction::InContainer {
            argv: vec!["cat".into(), "/tmp/healthy".into()]
        }
    );
}

#[test]
fn tcp_socket_connects_with_nc_in_the_sandbox() {
    let h = Handler::TcpSocket {
        port: IntOrString::String("http".into()),
        host: None,
    };
    let ProbeAction::InSandbox { argv, target } = probe_command(&h, &ports()) else {
        panic!("expected a sandbox command");
    };
    assert_eq!(
        argv,
        [
            "timeout",
            "1",
            "nc",
            "-w",
            "1",
            "127.0.0.1",
            "8080",
            "-e",
            "true"
        ]
    );
    assert_eq!(target, "127.0.0.1:8080");
}

#[test]
fn http_get_sends_a_request_and_checks_the_status_line() {
    let mut p = probe(0, 10, 1, 3);
    p.handler = Handler::HttpGet(get(IntOrString::Int(8080)));
    p.timeout_seconds = 2;
    let ProbeAction::InSandbox { argv, target } = probe_action(&p, &[], Some("172.17.0.4")) else {
        panic!("expected a sandbox command");
    };
    assert_eq!(
        argv[..10],
        [
            "timeout",
            "2",
            "nc",
            "-w",
            "2",
            "172.17.0.4",
            "8080",
            "-e",
            "sh",
            "-c"
        ]
    );
    assert_eq!(target, "172.17.0.4:8080");
    let script = &argv[10];
    assert!(script.contains(
        "'GET /healthz HTTP/1.0\r\nHost: 172.17.0.4:8080\r\nUser-Agent: kube-probe/1.33\r\n"
    ));
    assert!(script.contains("[23][0-9][0-9]) exit 0"));
}

#[test]
fn http_get_headers_and_quotes() {
    let mut g = get(IntOrString::String("http".into()));
    g.path = "it's".into();
    g.http_headers = vec![("Host".into(), "example.com".into())];
    let ProbeAction::InSandbox { argv, .. } = probe_command(&Handler::HttpGet(g), &ports()) else {
        panic!("expected a sandbox command");
    };
    let script = argv.last().unwrap();
    assert!(script.contains("GET /it'\\''s HTTP/1.0\r\nUser-Agent"));
    assert!(script.contains("Host: example.com\r\n"));
    assert!(!script.contains("Host: 127.0.0.1"));
}

#[test]
fn unknown_named_port_fails_every_run() {
    let h = Handler::HttpGet(get(IntOrString::String("metrics".into())));
    assert!(matches!(
        probe_command(&h, &ports()),
        ProbeAction::Fail { .. }
    ));
}

#[test]
fn https_and_grpc_are_unsupported_and_sleep_is_a_wait() {
    let mut g = get(IntOrString::Int(443));
    g.scheme = "HTTPS".into();
    assert!(matches!(
        probe_command(&Handler::HttpGet(g), &[]),
        ProbeAction::Unsupported { .. }
    ));
    let grpc = Handler::Grpc {
        port: 9000,
        service: None,
    };
    assert!(matches!(
        probe_command(&grpc, &[]),
        ProbeAction::Unsupported { .. }
    ));
    assert_eq!(
        hook_command(&Handler::Sleep { seconds: 5 }, &[], None),
        ProbeAction::Sleep(secs(5))
    );
}

#[test]
fn failure_details_read_like_the_kubelet() {
    let h = Handler::TcpSocket {
        port: IntOrString::Int(8080),
        host: None,
    };
    let a = probe_command(&h, &[]);
    assert_eq!(
        a.failure_detail(
            1,
            "nc: can't connect to remote host (127.0.0.1): Connection refused"
        ),
        "dial tcp 127.0.0.1:8080: connect: connection refused"
    );
    assert_eq!(
        a.failure_detail(143, "Terminated"),
        "127.0.0.1:8080: timeout awaiting response"
    );
    let a = probe_command(&Handler::HttpGet(get(IntOrString::Int(8080))), &[]);
    assert_eq!(
        a.failure_detail(1, "HTTP probe failed with statuscode: 500\n"),
        "HTTP probe failed with statuscode: 500"
    );
}
