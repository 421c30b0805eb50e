//! The learner's node, driven by the real kubectl of this machine (1.32 on
//! the PATH, and 1.27 beside the file it links to): apply, create, run,
//! get (server-side Table, -o wide, -o jsonpath, -l, -A), get -w, wait,
//! get events, logs, describe, exec (-i, -it), delete; bad input answered
//! with the field and the fix; a wrong token refused; what the node does not serve answered
//! at once, never a hang.

#[path = "support/learner.rs"]
mod learner;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use learner::Env;

const POD: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: hello
  labels: {app: hello}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo hi from the pod; echo second line; exec sleep 3600"]
"#;

const BAD: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  containers:
  - name: c
    image: busybox
    comand: ["sleep", "10"]
"#;

const TWO: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: one, labels: {tier: a}}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: busybox, command: [sleep, "3600"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: two, labels: {tier: b}}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: busybox, command: [sleep, "3600"]}]
"#;

/// The kubectl binaries to test with: 1.32 from the PATH (required), and
/// 1.27 beside the file it links to, when this machine has it.
fn kubectls() -> Vec<PathBuf> {
    let which = Command::new("sh")
        .args(["-c", "command -v kubectl"])
        .output()
        .expect("sh");
    let path = String::from_utf8_lossy(&which.stdout).trim().to_string();
    assert!(
        !path.is_empty(),
        "these tests drive the real kubectl: install it (https://kubernetes.io/docs/tasks/tools/)"
    );
    let mut out = vec![PathBuf::from(&path)];
    let real = std::fs::canonicalize(&path).unwrap();
    let old = real.with_file_name("kubectl.1.27");
    if old.exists() {
        out.push(old);
    } else {
        eprintln!(
            "note: no kubectl.1.27 beside {}: testing kubectl 1.32 only",
            real.display()
        );
    }
    out
}

struct Kubectl<'a> {
    bin: &'a Path,
    config: PathBuf,
}

impl Kubectl<'_> {
    fn run(&self, args: &[&str]) -> (bool, String) {
        let o = Command::new(self.bin)
            .env("KUBECONFIG", &self.config)
            .args(args)
            .output()
            .expect("kubectl runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        (o.status.success(), text)
    }

    fn ok(&self, args: &[&str]) -> String {
        let (ok, text) = self.run(args);
        assert!(ok, "kubectl {args:?} failed:\n{text}");
        text
    }

    /// Ask until `args` prints `want` (trimmed), or fail after 60 s.
    fn until(&self, args: &[&str], want: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (_, text) = self.run(args);
            if text.trim() == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "kubectl {args:?} never printed {want:?}; last: {text}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// The learner's kubeconfig, its node started.
fn kubeconfig_of(env: &Env) -> PathBuf {
    let out = env.cmd(&["kubeconfig"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// The whole loop of the seed notes, with each kubectl: apply, see it run,
/// read its logs, describe it, delete it.
#[test]
fn kubectl_applies_lists_reads_and_deletes_a_pod() {
    for (i, bin) in kubectls().iter().enumerate() {
        let env = Env::new("node", &format!("loop{i}"));
        let out = env.cmd(&["kubeconfig"]).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        let config = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        assert!(config.exists(), "{}", config.display());
        let k = Kubectl { bin, config };
        let dir = tempfile::tempdir().unwrap();
        let pod = write(dir.path(), "pod.yaml", POD);

        let version = k.ok(&["version", "-o", "json"]);
        assert!(
            version.contains("\"gitVersion\": \"v1.32.0-podlearn\""),
            "{version}"
        );
        assert!(k.ok(&["apply", "-f", &pod]).contains("pod/hello created"));
        k.until(
            &["get", "pod", "hello", "-o", "jsonpath={.status.phase}"],
            "Running",
        );
        let table = k.ok(&["get", "pods"]);
        let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
        assert_eq!(
            header,
            ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
            "{table}"
        );
        let row: Vec<&str> = table.lines().nth(1).unwrap().split_whitespace().collect();
        assert_eq!(&row[..4], ["hello", "1/1", "Running", "0"], "{table}");
        let wide = k.ok(&["get", "pods", "-o", "wide"]);
        assert!(
            wide.contains("NOMINATED NODE") && wide.contains("podlearn"),
            "{wide}"
        );
        assert!(k.ok(&["get", "pods", "-A"]).contains("default     hello"));
        assert!(k.ok(&["get", "pods", "-l", "app=hello"]).contains("hello"));
        assert!(
            k.ok(&["get", "pods", "-l", "app=other"])
                .contains("No resources found")
        );
        // The same Pod, seen by podlearn's own verbs.
        let own = env.cmd(&["get", "pods"]).output().unwrap();
        assert!(String::from_utf8_lossy(&own.stdout).contains("hello"));

        assert_eq!(k.ok(&["logs", "hello"]), "hi from the pod\nsecond line\n");
        assert_eq!(k.ok(&["logs", "hello", "--tail=1"]), "second line\n");
        let yaml = k.ok(&["get", "pod", "hello", "-o", "yaml"]);
        assert!(
            yaml.contains("app: hello") && yaml.contains("phase: Running"),
            "{yaml}"
        );
        let describe = k.ok(&["describe", "pod", "hello"]);
        assert!(describe.contains("Status:       Running"), "{describe}");
        assert!(describe.contains("echo hi from the pod"), "{describe}");

        // Applied again unchanged: nothing to do; changed: refused with the way out.
        assert!(k.ok(&["apply", "-f", &pod]).contains("unchanged"));
        let changed = write(
            dir.path(),
            "changed.yaml",
            &POD.replace("app: hello", "app: hi"),
        );
        let (ok, text) = k.run(&["apply", "-f", &changed]);
        assert!(
            !ok && text.contains("delete it and create it again"),
            "{text}"
        );
        // Created twice: AlreadyExists, as a cluster says it.
        let (ok, text) = k.run(&["create", "-f", &pod]);
        assert!(!ok && text.contains("already exists"), "{text}");

        assert!(
            k.ok(&["delete", "pod", "hello"])
                .contains("pod \"hello\" deleted")
        );
        assert!(k.ok(&["get", "pods"]).contains("No resources found"));
        let (ok, text) = k.run(&["logs", "hello"]);
        assert!(!ok && text.contains("pods \"hello\" not found"), "{text}");

        let clean = env.cmd(&["clean"]).output().unwrap();
        assert!(clean.status.success());
        let status = env.cmd(&["node", "status"]).output().unwrap();
        assert!(!status.status.success(), "clean stops the node");
        assert_eq!(env.leftovers(), "");
    }
}

/// Several documents, `kubectl run`, and what a learner gets wrong.
#[test]
fn kubectl_create_run_and_bad_input() {
    let bins = kubectls();
    let env = Env::new("node", "create");
    let out = env.cmd(&["node", "start"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let config = kubeconfig_of(&env);
    let k = Kubectl {
        bin: &bins[0],
        config,
    };
    let dir = tempfile::tempdir().unwrap();
    let two = write(dir.path(), "two.yaml", TWO);
    let created = k.ok(&["create", "-f", &two]);
    assert!(created.contains("pod/one created") && created.contains("pod/two created"));
    k.until(
        &["get", "pods", "-o", "jsonpath={.items[*].status.phase}"],
        "Running Running",
    );
    assert_eq!(
        k.ok(&["get", "pods", "-l", "tier=b", "-o", "name"]).trim(),
        "pod/two"
    );

    k.ok(&[
        "run",
        "once",
        "--image=busybox",
        "--restart=Never",
        "--",
        "sh",
        "-c",
        "echo ran; exit 3",
    ]);
    k.until(
        &["get", "pod", "once", "-o", "jsonpath={.status.phase}"],
        "Failed",
    );
    assert_eq!(k.ok(&["logs", "once"]), "ran\n");
    let code = k.ok(&[
        "get",
        "pod",
        "once",
        "-o",
        "jsonpath={.status.containerStatuses[0].state.terminated.exitCode}",
    ]);
    assert_eq!(code.trim(), "3");

    // A misspelt field: refused by the node's validator, with the field and the fix.
    let bad = write(dir.path(), "bad.yaml", BAD);
    let (ok, text) = k.run(&["apply", "-f", &bad]);
    assert!(!ok, "{text}");
    assert!(text.contains("unknown field \"comand\""), "{text}");
    assert!(text.contains("spec.containers[0].comand"), "{text}");
    assert!(text.contains("did you mean `command`?"), "{text}");

    // Not served yet: answered at once with the reason.
    let (ok, text) = k.run(&["get", "services"]);
    assert!(
        !ok && text.contains("doesn't have a resource type"),
        "{text}"
    );
    // Another learner's token (or none) is refused.
    let (ok, text) = k.run(&["--token=not-the-learners", "get", "pods"]);
    assert!(!ok && text.contains("Unauthorized"), "{text}");

    // podlearn's delete of a Pod the node runs: gone, and the node stays.
    let del = env.cmd(&["delete", "pod", "one"]).output().unwrap();
    assert!(del.status.success(), "{del:?}");
    assert!(!k.ok(&["get", "pods"]).contains("one "));
    k.ok(&["delete", "-f", &two, "--ignore-not-found"]);
    k.ok(&["delete", "pod", "once"]);
    assert!(k.ok(&["get", "pods"]).contains("No resources found"));

    let stop = env.cmd(&["node", "stop"]).output().unwrap();
    assert!(String::from_utf8_lossy(&stop.stdout).contains("stopped"));
    assert_eq!(env.leftovers(), "");
}

/// A Pod that ignores SIGTERM, so that it is seen Terminating for its
/// grace period.
const STUBBORN: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: stubborn}
spec:
  terminationGracePeriodSeconds: 3
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"]
"#;

/// `kubectl get -w` sees a Pod come, change and go; `kubectl wait` waits
/// for it; `kubectl exec` runs commands in it, with pipes and a terminal.
#[test]
fn kubectl_watches_waits_and_execs() {
    let bins = kubectls();
    let env = Env::new("node", "watch");
    let config = kubeconfig_of(&env);
    let k = Kubectl {
        bin: &bins[0],
        config: config.clone(),
    };
    let dir = tempfile::tempdir().unwrap();
    let pod = write(dir.path(), "stubborn.yaml", STUBBORN);

    // A watch started before the Pod exists.
    let watch_out = dir.path().join("watch.out");
    let mut watch = Command::new(&bins[0])
        .env("KUBECONFIG", &config)
        .args(["get", "pods", "-w", "--output-watch-events"])
        .stdout(std::fs::File::create(&watch_out).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let events = || std::fs::read_to_string(&watch_out).unwrap_or_default();
    let saw = |kind: &str, status: &str| {
        events().lines().any(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            w.first() == Some(&kind) && w.get(1) == Some(&"stubborn") && w.get(3) == Some(&status)
        })
    };

    assert!(
        k.ok(&["apply", "-f", &pod])
            .contains("pod/stubborn created")
    );
    let waited = k.ok(&[
        "wait",
        "--for=condition=Ready",
        "pod/stubborn",
        "--timeout=60s",
    ]);
    assert!(waited.contains("pod/stubborn condition met"), "{waited}");

    // exec: the command's output on its own streams, its exit code kubectl's.
    let o = Command::new(&bins[0])
        .env("KUBECONFIG", &config)
        .args([
            "exec",
            "stubborn",
            "--",
            "sh",
            "-c",
            "echo out; echo err >&2; exit 3",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "out\n");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.starts_with("err\n"), "{stderr}");
    assert!(
        stderr.contains("command terminated with exit code 3"),
        "{stderr}"
    );
    assert_eq!(o.status.code(), Some(3));
    // -i: stdin reaches the command, and its end ends it.
    let mut child = Command::new(&bins[0])
        .env("KUBECONFIG", &config)
        .args([
            "exec",
            "-i",
            "stubborn",
            "--",
            "sh",
            "-c",
            "tr a-z A-Z; echo done",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"piped in\n").unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stdout), "PIPED IN\ndone\n");
    // -it: a terminal in the container, of the size of kubectl's (given a
    // terminal by `script`, as a learner's shell gives one). The size comes
    // just after the command starts, as with `docker exec -it`: it waits.
    let line = format!(
        "stty rows 33 cols 111; KUBECONFIG={} {} exec -it stubborn -- sh -c 'test -t 0 && sleep 1 && stty size'",
        config.display(),
        bins[0].display()
    );
    let o = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script (util-linux) runs");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{text}");
    assert!(text.contains("33 111"), "{text}");
    let (ok, text) = k.run(&["exec", "nobody", "--", "true"]);
    assert!(!ok && text.contains("pods \"nobody\" not found"), "{text}");
    let (ok, text) = k.run(&["exec", "stubborn", "-c", "other", "--", "true"]);
    assert!(
        !ok && text.contains("container other is not valid"),
        "{text}"
    );
    // kubectl before 1.30 asks for SPDY: told what to use instead.
    if let Some(old) = bins.get(1) {
        let old = Kubectl {
            bin: old,
            config: config.clone(),
        };
        let (ok, text) = old.run(&["exec", "stubborn", "--", "true"]);
        assert!(!ok && text.contains("kubectl 1.30 and later"), "{text}");
        // Its watch works.
        let (_, text) = old.run(&["get", "pods", "-w", "--request-timeout=2s"]);
        assert!(text.contains("stubborn"), "{text}");
    }

    // Its events, in describe and in get events, as the kubelet reported them.
    let describe = k.ok(&["describe", "pod", "stubborn"]);
    let events_part = describe.split("Events:").nth(1).unwrap_or_default();
    assert!(
        events_part.contains("Scheduled") && events_part.contains("Started container c"),
        "{describe}"
    );
    let listed = k.ok(&["get", "events"]);
    let header: Vec<&str> = listed.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
        "{listed}"
    );
    assert!(
        listed.contains("Started     pod/stubborn   Started container c"),
        "{listed}"
    );
    let warnings = k.ok(&[
        "get",
        "events",
        "--field-selector",
        "type=Warning,reason=Started",
    ]);
    assert!(warnings.contains("No resources found"), "{warnings}");

    // Deleted: Terminating for its grace period, then gone.
    assert!(k.ok(&["delete", "pod", "stubborn"]).contains("deleted"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while !saw("DELETED", "Terminating") {
        assert!(
            Instant::now() < deadline,
            "the watch printed:\n{}",
            events()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = watch.kill();
    let _ = watch.wait();
    assert!(
        saw("ADDED", "ContainerCreating") || saw("ADDED", "Running"),
        "{}",
        events()
    );
    assert!(
        saw("MODIFIED", "Running") || saw("ADDED", "Running"),
        "{}",
        events()
    );
    assert!(saw("MODIFIED", "Terminating"), "{}", events());

    // A watch that starts from a list sends only what changed after it:
    // the deleted Pod is not brought back.
    let (_, text) = k.run(&["get", "pods", "-w", "--request-timeout=2s"]);
    assert!(!text.contains("stubborn"), "{text}");
    let stop = env.cmd(&["node", "stop"]).output().unwrap();
    assert!(stop.status.success());
    assert_eq!(env.leftovers(), "");
}

/// A Pod named `name` that sleeps, stopped at once.
fn sleeper(name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  \
         terminationGracePeriodSeconds: 1\n  \
         containers: [{{name: c, image: busybox, imagePullPolicy: Never, command: [sleep, \"3600\"]}}]\n"
    )
}

/// Many kubectls at once against one node: ten Pods in one apply, ten
/// apply/delete loops in parallel, and a node SIGKILLed while it runs a
/// Pod. Nothing fails, nothing is left.
#[test]
fn kubectl_many_at_once_and_a_killed_node() {
    let bins = kubectls();
    let env = Env::new("node", "many");
    let config = kubeconfig_of(&env);
    let k = Kubectl {
        bin: &bins[0],
        config,
    };
    let dir = tempfile::tempdir().unwrap();

    let ten: Vec<String> = (0..10).map(|i| sleeper(&format!("many{i}"))).collect();
    let ten = write(dir.path(), "ten.yaml", &ten.join("---\n"));
    let applied = k.ok(&["apply", "-f", &ten]);
    assert_eq!(applied.matches(" created").count(), 10, "{applied}");
    k.until(
        &[
            "get",
            "pods",
            "-o",
            "jsonpath={range .items[*]}{.status.phase}{\"\\n\"}{end}",
        ],
        &["Running"; 10].join("\n"),
    );

    std::thread::scope(|s| {
        for i in 0..10 {
            let k = &k;
            let file = write(
                dir.path(),
                &format!("loop{i}.yaml"),
                &sleeper(&format!("loop{i}")),
            );
            s.spawn(move || {
                for _ in 0..2 {
                    let out = k.ok(&["apply", "-f", &file]);
                    assert!(out.contains("created"), "{out}");
                    k.ok(&["get", "pods"]);
                    let out = k.ok(&["delete", "-f", &file]);
                    assert!(out.contains("deleted"), "{out}");
                }
            });
        }
    });
    let left = k.ok(&["get", "pods", "-o", "name"]);
    assert!(!left.contains("loop"), "{left}");
    let out = k.ok(&["delete", "-f", &ten]);
    assert_eq!(out.matches(" deleted").count(), 10, "{out}");

    // SIGKILL the node while it runs a Pod: the next command starts a new
    // node, which sees the Pod and deletes it. (Killed in the middle of the
    // engine's start of a container instead, Docker 20.10 can keep a stale
    // endpoint that blocks the network's removal: not a podlearn object,
    // and not something a test can time.)
    let status = env.cmd(&["node", "status"]).output().unwrap();
    let status = String::from_utf8_lossy(&status.stdout).to_string();
    let pid: i32 = status
        .split("(pid ")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no pid in {status:?}"));
    let file = write(dir.path(), "victim.yaml", &sleeper("victim"));
    assert!(k.ok(&["apply", "-f", &file]).contains("pod/victim created"));
    k.until(
        &["get", "pod", "victim", "-o", "jsonpath={.status.phase}"],
        "Running",
    );
    let killed = Command::new("kill").args(["-9", &pid.to_string()]).status();
    assert!(killed.unwrap().success());
    let again = env.cmd(&["kubeconfig"]).output().unwrap();
    assert!(again.status.success(), "{again:?}");
    assert!(k.ok(&["get", "pods"]).contains("victim"));
    assert!(
        k.ok(&["delete", "-f", &file])
            .contains("pod \"victim\" deleted")
    );
    assert!(k.ok(&["get", "pods"]).contains("No resources found"));

    let stop = env.cmd(&["node", "stop"]).output().unwrap();
    assert!(stop.status.success());
    assert_eq!(env.leftovers(), "");
}
