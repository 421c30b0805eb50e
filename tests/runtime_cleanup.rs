//! Nothing podlearn creates outlives it: after a normal run, an error
//! half-way through a launch, SIGINT, SIGTERM, and a SIGKILL followed by the
//! next podlearn start (which sweeps, but never a live detached pod).

#[path = "support/pods.rs"]
mod pods;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use podlearn::manifest::RestartPolicy;
use podlearn::podenv::Inputs;
use pods::*;

const SLEEPER: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: NAME
spec:
  terminationGracePeriodSeconds: 3
  initContainers:
  - name: side
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    restartPolicy: Always
    command: ["sleep", "3600"]
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
    volumeMounts: [{name: scratch, mountPath: /scratch}]
  volumes:
  - name: scratch
    emptyDir: {medium: Memory}
"#;

fn manifest(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, SLEEPER.replace("NAME", name)).unwrap();
    path
}

fn podlearn(learner: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_podlearn"));
    c.env("PODLEARN_LEARNER", learner)
        .env(
            "PODLEARN_HOME",
            std::env::temp_dir().join(format!("podlearn-home-{learner}")),
        )
        .env("NO_COLOR", "1");
    c
}

fn running(learner: &str, pod: &str) -> bool {
    let out = Command::new("docker")
        .args([
            "ps",
            "--filter",
            &format!("label=io.podlearn.learner={learner}"),
        ])
        .args(["--filter", &format!("label=io.podlearn.pod={pod}")])
        .args(["--filter", "label=io.podlearn.container=app", "-q"])
        .output()
        .unwrap();
    !out.stdout.is_empty()
}

fn start_run(learner: &str, file: &std::path::Path, pod: &str) -> Child {
    let mut child = podlearn(learner)
        .arg("run")
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while !running(learner, pod) {
        if t.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pod {pod} never ran");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

fn wait_exit(mut child: Child) -> std::process::ExitStatus {
    let t = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "podlearn did not exit"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sigint_deletes_the_pods_gracefully() {
    let learner = isolate();
    let dir = tempfile::tempdir().unwrap();
    let _sweep = Sweep(learner.clone(), Some("on-int"));
    let child = start_run(&learner, &manifest(dir.path(), "on-int"), "on-int");
    signal(&child, "-INT");
    let status = wait_exit(child);
    assert_eq!(status.code(), Some(0));
    assert_eq!(leftovers(&learner, Some("on-int")), Vec::<String>::new());
}

#[test]
fn sigterm_deletes_the_pods_gracefully() {
    let learner = isolate();
    let dir = tempfile::tempdir().unwrap();
    let _sweep = Sweep(learner.clone(), Some("on-term"));
    let child = start_run(&learner, &manifest(dir.path(), "on-term"), "on-term");
    signal(&child, "-TERM");
    wait_exit(child);
    assert_eq!(leftovers(&learner, Some("on-term")), Vec::<String>::new());
}

#[test]
fn after_sigkill_the_next_start_sweeps_but_keeps_detached_pods() {
    // A learner of its own: `get` sweeps the whole learner's leftovers.
    let learner = format!("{}-kill", isolate());
    let _sweep = Sweep(learner.clone(), None);
    let dir = tempfile::tempdir().unwrap();
    let detached = podlearn(&learner)
        .args(["run", "--detach"])
        .arg(manifest(dir.path(), "stays"))
        .output()
        .unwrap();
    assert!(
        detached.status.success(),
        "{}",
        String::from_utf8_lossy(&detached.stderr)
    );
    let child = start_run(&learner, &manifest(dir.path(), "killed"), "killed");
    signal(&child, "-KILL");
    wait_exit(child);
    assert!(
        !leftovers(&learner, Some("killed")).is_empty(),
        "SIGKILL leaves the pod"
    );

    let get = podlearn(&learner).args(["get", "pods"]).output().unwrap();
    assert!(
        get.status.success(),
        "{}",
        String::from_utf8_lossy(&get.stderr)
    );
    assert_eq!(leftovers(&learner, Some("killed")), Vec::<String>::new());
    let table = String::from_utf8_lossy(&get.stdout);
    assert!(table.contains("stays"), "{table}");
    assert!(!table.contains("killed"), "{table}");
    assert!(running(&learner, "stays"));

    let del = podlearn(&learner)
        .args(["delete", "pod", "stays"])
        .output()
        .unwrap();
    assert!(
        del.status.success(),
        "{}",
        String::from_utf8_lossy(&del.stderr)
    );
    assert_eq!(leftovers(&learner, None), Vec::<String>::new());
}

#[test]
fn a_normal_run_to_completion_leaves_nothing() {
    let learner = isolate();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("done.yaml");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: done}\nspec:\n  restartPolicy: Never\n  containers:\n  - {name: c, image: 'busybox:latest', imagePullPolicy: IfNotPresent, command: [echo, hi]}\n",
    )
    .unwrap();
    let out = podlearn(&learner).arg("run").arg(&path).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Completed"), "{text}");
    assert_eq!(leftovers(&learner, Some("done")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_half_way_through_a_launch_removes_what_was_created() {
    let learner = isolate();
    let engine = engine().await;
    // Something else already holds the sandbox's name: volumes get created,
    // then the sandbox fails.
    let name = format!("podlearn-{learner}-half-half");
    let st = Command::new("docker")
        .args([
            "create",
            "--name",
            &name,
            "--label",
            &format!("test-blocker={learner}"),
            "busybox:latest",
        ])
        .output()
        .unwrap();
    assert!(st.status.success());
    let mut p = pod(
        "half",
        vec![],
        vec![container("c", "sleep 1")],
        RestartPolicy::Never,
    );
    p.spec.volumes = vec![empty_dir("v", false)];
    p.metadata.namespace = "half".into();
    let err = match engine.start_pod(&p, &Inputs::default(), &fast()).await {
        Ok(_) => panic!("the launch must fail"),
        Err(e) => format!("{e:#}"),
    };
    Command::new("docker")
        .args(["rm", "-f", &name])
        .output()
        .unwrap();
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(leftovers(&learner, Some("half")), Vec::<String>::new());
    assert_eq!(
        namespace_network(&learner, "half"),
        "",
        "its network went too"
    );
}

/// The id of the learner's network for a namespace, if it is still there.
fn namespace_network(learner: &str, namespace: &str) -> String {
    let out = Command::new("docker")
        .args(["network", "ls", "-q"])
        .args(["--filter", &format!("label=io.podlearn.learner={learner}")])
        .args([
            "--filter",
            &format!("label=io.podlearn.namespace={namespace}"),
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn no_engine_is_one_clear_message_and_exit_2() {
    let out = podlearn("nobody")
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args(["get", "pods"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach the Docker engine"), "{err}");
    assert!(err.contains("DOCKER_HOST"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starting_a_pod_that_exists_fails_and_leaves_the_first_alone() {
    let learner = isolate();
    let engine = engine().await;
    let mut p = pod(
        "twice",
        vec![],
        vec![container("c", "sleep 3600")],
        RestartPolicy::Always,
    );
    p.spec.volumes = vec![empty_dir("v", false)];
    p.spec.containers[0].volume_mounts = vec![mount("v", "/v")];
    let first = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    first
        .wait_for(|s| s.container_statuses[0].state.is_running(), LONG)
        .await
        .expect("running");
    let err = match engine.start_pod(&p, &Inputs::default(), &fast()).await {
        Ok(_) => panic!("a second pod of the same name must be refused"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("already exists"), "{err}");
    let out = first
        .exec("c", &s(&["touch", "/v/still-here"]), LONG)
        .await
        .unwrap();
    assert_eq!(
        out.exit_code, 0,
        "the first pod and its volume are untouched"
    );
    first.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("twice")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_launch_dropped_half_way_removes_what_it_had_created() {
    // Ctrl-C in a `select!` or a timeout drops a start in flight: while the
    // network is made, volumes and the sandbox are created, the sandbox starts.
    let learner = isolate();
    let engine = engine().await;
    let mut p = pod(
        "cut",
        vec![],
        vec![container("c", "sleep 3600")],
        RestartPolicy::Always,
    );
    p.spec.volumes = vec![empty_dir("v", false)];
    p.spec.containers[0].volume_mounts = vec![mount("v", "/v")];
    // A namespace of its own, so its network is this test's alone.
    p.metadata.namespace = "cut".into();
    let (inputs, opts) = (Inputs::default(), fast());
    let mut cut = 0;
    for ms in [20, 60, 100, 150, 200, 300, 450] {
        let start = engine.start_pod(&p, &inputs, &opts);
        match tokio::time::timeout(Duration::from_millis(ms), start).await {
            Ok(started) => started.unwrap().delete(Some(Duration::ZERO)).await.unwrap(),
            Err(_) => cut += 1,
        }
        assert_eq!(
            leftovers(&learner, Some("cut")),
            Vec::<String>::new(),
            "left after a start cut at {ms} ms"
        );
        assert_eq!(
            namespace_network(&learner, "cut"),
            "",
            "network left after a start cut at {ms} ms"
        );
        // By name too: a sandbox created after its volume was removed makes
        // Docker create the volume again, which must carry podlearn's labels.
        let out = Command::new("docker")
            .args(["volume", "ls", "-q", "--filter"])
            .arg(format!("name=podlearn-{learner}-cut-cut"))
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "",
            "volume left after a start cut at {ms} ms"
        );
    }
    assert!(cut >= 3, "only {cut} starts were cut short");
}
