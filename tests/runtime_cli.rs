//! The pod commands end to end on a detached pod: `run --detach`, `get`,
//! `describe`, `logs --previous`, `exec`, `delete -f`, `clean`, all from
//! separate podlearn processes that find the pod by its labels.

#[path = "support/pods.rs"]
mod pods;

use std::process::Command;
use std::time::{Duration, Instant};

use pods::*;

const CRASHER: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: crasher
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: crash
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo attempt; exit 2"]
  - name: steady
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    readinessProbe:
      exec: {command: ["test", "-f", "/tmp/ready"]}
      periodSeconds: 1
"#;

/// The podlearn binary as `learner`, with `home` as its data folder.
fn podlearn_cmd(learner: &str, home: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_podlearn"));
    cmd.env("PODLEARN_LEARNER", learner)
        .env("PODLEARN_HOME", home)
        .env("NO_COLOR", "1");
    cmd
}

/// The data folder `podlearn` uses for `learner`.
fn home_of(learner: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("podlearn-home-{learner}"))
}

fn podlearn(learner: &str, args: &[&str]) -> std::process::Output {
    podlearn_cmd(learner, &home_of(learner))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_detached_pod_is_seen_and_managed_from_other_processes() {
    let learner = isolate();
    let _sweep = Sweep(learner.clone(), None);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("crasher.yaml");
    std::fs::write(&file, CRASHER).unwrap();
    let file = file.to_str().unwrap();

    let run = podlearn(&learner, &["run", "--detach", "--time-scale", "20", file]);
    assert!(run.status.success(), "{}", text(&run));

    // The supervisor keeps restarting the crashing container with back-off.
    let t = Instant::now();
    let table = loop {
        let get = podlearn(&learner, &["get", "pods"]);
        let out = text(&get);
        if out.contains("CrashLoopBackOff") {
            break out;
        }
        assert!(t.elapsed() < Duration::from_secs(60), "{out}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(table.contains("crasher   0/2"), "neither is ready: {table}");

    // Readiness, known only to the supervisor, shows in another process.
    let ex = podlearn(
        &learner,
        &[
            "exec",
            "crasher",
            "-c",
            "steady",
            "--",
            "touch",
            "/tmp/ready",
        ],
    );
    assert!(ex.status.success(), "{}", text(&ex));
    let t = Instant::now();
    while !text(&podlearn(&learner, &["get", "pods"])).contains("crasher   1/2") {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "steady never became ready"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let ex = podlearn(
        &learner,
        &[
            "exec", "crasher", "-c", "steady", "--", "sh", "-c", "exit 7",
        ],
    );
    assert_eq!(ex.status.code(), Some(1));
    assert!(text(&ex).contains("exit code 7"));

    let logs = podlearn(&learner, &["logs", "crasher", "-c", "crash", "--previous"]);
    assert_eq!(
        String::from_utf8_lossy(&logs.stdout),
        "attempt\n",
        "{}",
        text(&logs)
    );
    let logs = podlearn(&learner, &["logs", "crasher"]);
    assert_eq!(logs.status.code(), Some(1), "two containers: -c is needed");

    let describe = podlearn(&learner, &["describe", "pod", "crasher"]);
    let d = text(&describe);
    assert!(d.contains("BackOff"), "{d}");
    assert!(d.contains("Last State:"), "{d}");
    assert!(
        d.contains("Exit Code:  2") || d.contains("Exit Code:"),
        "{d}"
    );

    let json = podlearn(&learner, &["get", "pods", "crasher", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["kind"], "Pod");
    assert_eq!(v["status"]["phase"], "Running");

    let missing = podlearn(&learner, &["describe", "pod", "nope"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing).contains("not found"));

    let del = podlearn(&learner, &["delete", "-f", file]);
    assert!(del.status.success(), "{}", text(&del));
    assert_eq!(leftovers(&learner, Some("crasher")), Vec::<String>::new());

    let clean = podlearn(&learner, &["clean"]);
    assert!(clean.status.success(), "{}", text(&clean));
    assert_eq!(leftovers(&learner, None), Vec::<String>::new());
}

const FLAPPER: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: flapper
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: scratch
    emptyDir: {}
  containers:
  - name: flap
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo run >> /scratch/runs; exec sleep 3600"]
    volumeMounts:
    - name: scratch
      mountPath: /scratch
"#;

/// `podlearn delete` in one process, the pod's kubelet in another: the
/// container the delete stops is one its kubelet would restart at once, yet
/// the delete succeeds, removes the pod's containers and volume, and nothing
/// comes back afterwards (the kubelet restarts nothing of a pod being
/// deleted, as for a cluster's deletionTimestamp).
#[test]
fn a_pod_deleted_from_another_process_is_not_restarted_and_leaves_nothing() {
    // A learner of its own: the other test of this binary cleans up all of
    // its learner's objects at its end.
    let learner = format!("{}-del", isolate());
    let _sweep = Sweep(learner.clone(), None);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("flapper.yaml");
    std::fs::write(&file, FLAPPER).unwrap();
    let file = file.to_str().unwrap();

    // Three rounds: each deletes a running pod whose container, once the
    // delete stops it, its kubelet would restart at once (restartPolicy
    // Always, no back-off before a first restart).
    for round in 0..3 {
        let run = podlearn(&learner, &["run", "--detach", "--time-scale", "20", file]);
        assert!(run.status.success(), "round {round}: {}", text(&run));
        let t = Instant::now();
        loop {
            let out = text(&podlearn(&learner, &["get", "pods", "flapper"]));
            if out.contains("flapper   1/1     Running") {
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "round {round}: {out}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let del = podlearn(&learner, &["delete", "pod", "flapper"]);
        assert!(del.status.success(), "round {round}: {}", text(&del));
        assert!(text(&del).contains("flapper"), "{}", text(&del));
        assert_eq!(
            leftovers(&learner, Some("flapper")),
            Vec::<String>::new(),
            "round {round}: the delete left objects behind"
        );
        // Its kubelet, still backing off in the background, brings nothing back.
        std::thread::sleep(Duration::from_secs(2));
        assert_eq!(
            leftovers(&learner, Some("flapper")),
            Vec::<String>::new(),
            "round {round}: a container came back after the delete"
        );
        let get = podlearn(&learner, &["get", "pods", "flapper"]);
        assert_eq!(get.status.code(), Some(1), "{}", text(&get));
        assert!(text(&get).contains("not found"), "{}", text(&get));
    }
}

const TWO_PODS: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: left}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: busybox, command: [sleep, "3600"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: right}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: busybox, command: [sleep, "3600"]}]
"#;

/// Two Pods of one file, run detached: two background processes that both
/// need the learner's network at the same moment make it once, and both
/// Pods run.
#[test]
fn two_detached_pods_of_one_file_share_one_network() {
    let learner = format!("{}-two", isolate());
    let _sweep = Sweep(learner.clone(), None);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.yaml");
    std::fs::write(&file, TWO_PODS).unwrap();
    let file = file.to_str().unwrap();
    for round in 0..3 {
        let run = podlearn(&learner, &["run", "--detach", file]);
        assert!(run.status.success(), "round {round}: {}", text(&run));
        let get = text(&podlearn(&learner, &["get", "pods"]));
        for pod in ["left", "right"] {
            assert!(
                get.lines()
                    .any(|l| l.starts_with(pod) && l.contains("Running")),
                "round {round}: {get}"
            );
        }
        let networks = Command::new("docker")
            .args(["network", "ls", "--filter"])
            .arg(format!("label=io.podlearn.learner={learner}"))
            .args(["--format", "{{.Name}}"])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&networks.stdout).lines().count(),
            1,
            "round {round}: one network for the learner's namespace"
        );
        let clean = podlearn(&learner, &["clean"]);
        assert!(clean.status.success(), "{}", text(&clean));
        assert_eq!(leftovers(&learner, None), Vec::<String>::new());
    }
}

const SHELL: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: shell
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
"#;

/// `exec -i` hands the command podlearn's stdin and closes it at its end;
/// `exec -it` gives it a terminal of its own, the size of the learner's,
/// without the docker CLI. The command's exit code is reported as kubectl
/// does (podlearn exits 1 and says the code).
#[test]
fn exec_attaches_stdin_and_a_terminal() {
    use std::io::Write;
    let learner = format!("{}-exec", isolate());
    let _sweep = Sweep(learner.clone(), None);
    let home = home_of(&learner);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shell.yaml");
    std::fs::write(&file, SHELL).unwrap();
    let run = podlearn(&learner, &["run", "--detach", file.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));

    let mut piped = podlearn_cmd(&learner, &home)
        .args(["exec", "-i", "shell", "--", "sh", "-c", "wc -l; exit 3"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    piped
        .stdin
        .take()
        .unwrap()
        .write_all(b"one\ntwo\nthree\n")
        .unwrap();
    let out = piped.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "3",
        "{}",
        text(&out)
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("command terminated with exit code 3"));

    let mut cmd = podlearn_cmd(&learner, &home);
    cmd.env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .args(["exec", "-it", "shell", "--", "sh"]);
    let mut tty = expectrl::Session::spawn(cmd).expect("spawn podlearn exec -it in a terminal");
    tty.set_expect_timeout(Some(Duration::from_secs(30)));
    tty.get_process_mut().set_window_size(97, 31).unwrap();
    use expectrl::Expect;
    tty.expect("# ").unwrap();
    tty.send_line("stty size; tty; echo sum=$((6*7))").unwrap();
    tty.expect("31 97").unwrap();
    tty.expect("/dev/pts/").unwrap();
    tty.expect("sum=42").unwrap();
    tty.send_line("exit 4").unwrap();
    tty.expect("command terminated with exit code 4").unwrap();
    assert!(matches!(
        tty.get_process().wait().unwrap(),
        expectrl::process::unix::WaitStatus::Exited(_, 1)
    ));

    let clean = podlearn(&learner, &["clean"]);
    assert!(clean.status.success(), "{}", text(&clean));
    assert_eq!(leftovers(&learner, None), Vec::<String>::new());
}

/// Pods started at the same moment by podlearn processes of one learner
/// with different data folders (two terminals, two `PODLEARN_HOME`s) all
/// start, on one network: none makes a twin network that leaves the
/// others' sandboxes with an ambiguous name.
#[test]
fn pods_started_at_once_from_different_homes_share_one_network() {
    let learner = format!("{}-net", isolate());
    let _sweep = Sweep(learner.clone(), None);
    let dir = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..4)
        .map(|i| {
            let file = dir.path().join(format!("p{i}.yaml"));
            std::fs::write(
                &file,
                SHELL.replace("name: shell", &format!("name: shell-{i}")),
            )
            .unwrap();
            podlearn_cmd(&learner, &dir.path().join(format!("home-{i}")))
                .args(["run", "--detach", file.to_str().unwrap()])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "pod {i}: {}", text(&out));
    }
    let networks = Command::new("docker")
        .args([
            "network",
            "ls",
            "-q",
            "--filter",
            &format!("label=io.podlearn.learner={learner}"),
        ])
        .output()
        .unwrap();
    let ids = String::from_utf8_lossy(&networks.stdout);
    assert_eq!(ids.lines().count(), 1, "one network: {ids}");
    let clean = podlearn(&learner, &["clean"]);
    assert!(clean.status.success(), "{}", text(&clean));
    assert_eq!(leftovers(&learner, None), Vec::<String>::new());
}
