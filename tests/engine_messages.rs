//! When the engine cannot be used, one clear message with the fix and exit 2:
//! a socket podlearn may not open, and an engine whose API is too old. The
//! engine here is a stand-in on a Unix socket, so these run anywhere.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::{Command, Output};

/// Answer every request on `socket` with `body` (an engine's `/version`).
fn fake_engine(socket: &Path, body: &'static str) {
    let listener = UnixListener::bind(socket).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                loop {
                    // One request: its headers, then a body if it has one.
                    let mut length = 0usize;
                    let mut first = true;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" && !first {
                            break;
                        }
                        first = false;
                    }
                    let mut skip = vec![0; length];
                    let _ = reader.read_exact(&mut skip);
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                         Api-Version: 1.30\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if writer.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
}

fn podlearn_get_pods(socket: &Path, home: &Path, wrap: &[&str]) -> Output {
    let exe = env!("CARGO_BIN_EXE_podlearn");
    let mut cmd = match wrap.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    cmd.args(["get", "pods"])
        .env("DOCKER_HOST", format!("unix://{}", socket.display()))
        .env("PODLEARN_HOME", home)
        .env("PODLEARN_LEARNER", "engine-messages")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn an_engine_with_a_too_old_api_is_one_message_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("docker.sock");
    fake_engine(
        &socket,
        r#"{"Version":"17.06.0-ce","ApiVersion":"1.30","MinAPIVersion":"1.12","Os":"linux"}"#,
    );
    let out = podlearn_get_pods(&socket, dir.path(), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("speaks API 1.30, too old for podlearn"),
        "{err}"
    );
    assert!(err.contains("needs 1.40 or newer"), "{err}");
    assert!(err.contains("fix: upgrade Docker"), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("Error {"),
        "{err}"
    );
}

#[test]
fn a_socket_podlearn_may_not_open_is_one_message_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("docker.sock");
    fake_engine(&socket, r#"{"ApiVersion":"1.41"}"#);
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    // root may open any socket: ask as the unprivileged `nobody` instead.
    let as_nobody: &[&str] = if rustix::process::geteuid().is_root() {
        &[
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ]
    } else {
        std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o000)).unwrap();
        &[]
    };
    let out = podlearn_get_pods(&socket, dir.path(), as_nobody);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("permission denied on the Docker engine at unix://"),
        "{err}"
    );
    assert!(
        err.contains("fix: add yourself to the `docker` group"),
        "{err}"
    );
}
