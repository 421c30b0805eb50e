//! `check` and `verify` for real on the Docker engine: a solution passes, a
//! starter fails, the report formats, an instructor's course, and nothing is
//! left behind. These tests fail (they do not skip) when no engine answers.

use std::process::Command as Std;

use predicates::prelude::*;

#[path = "support/learner.rs"]
mod learner;

use learner::{Env, file};

const LEARNER_PREFIX: &str = "grading";

#[test]
fn reference_solution_passes_records_progress_and_leaves_nothing() {
    let env = Env::new(LEARNER_PREFIX, "solution");
    env.cmd(&[
        "check",
        "localhost-pair",
        "--file",
        &file("exercises/localhost-pair/solution.yaml"),
    ])
    .assert()
    .code(0)
    .stdout(predicate::str::contains("✓ web-answers-on-localhost"))
    .stdout(predicate::str::contains("✓ client-keeps-fetching"))
    .stdout(predicate::str::contains("✓ web-files-untouched"))
    .stdout(predicate::str::contains("PASSED all 11 checks passed in"));
    assert_eq!(env.leftovers(), "");
    // Passing opens the solution without --force.
    env.cmd(&["solution", "localhost-pair"]).assert().code(0);
}

#[test]
fn starter_fails_with_expected_observed_and_hint() {
    let env = Env::new(LEARNER_PREFIX, "starter");
    env.cmd(&[
        "check",
        "localhost-pair",
        "--file",
        &file("exercises/localhost-pair/starter.yaml"),
    ])
    .assert()
    .code(1)
    .stdout(predicate::str::contains("✗ two-containers"))
    .stdout(predicate::str::contains(
        r#"expected: a container named "client""#,
    ))
    .stdout(predicate::str::contains(
        r#"observed: your pod has no container "client" (it has web)"#,
    ))
    .stdout(predicate::str::contains(
        "hint: The Pod needs a second container, named client, beside web",
    ))
    .stdout(predicate::str::contains("FAILED 7 of 11 checks failed in"));
    assert_eq!(env.leftovers(), "");
}

#[test]
fn json_and_junit_reports() {
    let env = Env::new(LEARNER_PREFIX, "formats");
    let solution = file("exercises/run-to-completion/solution.yaml");
    let out = env
        .cmd(&[
            "check",
            "run-to-completion",
            "--file",
            &solution,
            "--format",
            "json",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["passed"], true);
    assert_eq!(v["outcomes"].as_array().unwrap().len(), 4);
    let wrong = file("exercises/run-to-completion/wrong/exit-one.yaml");
    env.cmd(&[
        "check",
        "run-to-completion",
        "--file",
        &wrong,
        "--format",
        "junit",
    ])
    .assert()
    .code(1)
    .stdout(predicate::str::contains(
        r#"<testcase classname="run-to-completion" name="job-exits-zero""#,
    ))
    .stdout(predicate::str::contains("<failure message="));
    assert_eq!(env.leftovers(), "");
}

#[test]
fn invalid_manifest_stops_before_anything_runs() {
    let env = Env::new(LEARNER_PREFIX, "invalid");
    let bad = env.home.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: web\n",
    )
    .unwrap();
    env.cmd(&["check", "localhost-pair", "--file", bad.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("image"))
        .stderr(predicate::str::contains("nothing was run"));
    assert_eq!(env.leftovers(), "");
}

#[test]
fn an_instructors_course_is_verified_for_real() {
    let env = Env::new(LEARNER_PREFIX, "course");
    let course = tempfile::tempdir().unwrap();
    let ex = course.path().join("exercises/say-hello");
    std::fs::create_dir_all(ex.join("wrong")).unwrap();
    std::fs::write(
        ex.join("exercise.toml"),
        r#"format_version = 1
title = "Say hello"
lesson = "what-is-a-pod"
hints = ["Print the name you are given in $NAME."]

[[inject]]
name = "name"
env = "NAME"

[[check]]
id = "greets"
kind = "logs"
container = "hello"
output = { contains = "hello {{name}}" }
within = "5s"
hint = "Print hello and the name in $NAME."

[[check]]
id = "done"
kind = "phase"
phase = "Succeeded"
within = "5s"
hint = "The Pod should finish: restartPolicy Never."

[[wrong]]
file = "fixed.yaml"
fails = "greets"
message = "Print hello and the name"

[[wrong]]
file = "forever.yaml"
fails = "done"
message = "restartPolicy Never"
"#,
    )
    .unwrap();
    let pod = |policy: &str, text: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: hello\nspec:\n  restartPolicy: {policy}\n  containers:\n  - name: hello\n    image: busybox\n    command: [\"sh\", \"-c\", \"echo {text}\"]\n"
        )
    };
    std::fs::write(ex.join("task.md"), "Say hello.").unwrap();
    std::fs::write(ex.join("starter.yaml"), pod("Always", "hi")).unwrap();
    std::fs::write(ex.join("solution.yaml"), pod("Never", "hello $NAME")).unwrap();
    std::fs::write(ex.join("wrong/fixed.yaml"), pod("Never", "hello world")).unwrap();
    std::fs::write(ex.join("wrong/forever.yaml"), pod("Always", "hello $NAME")).unwrap();
    env.cmd(&["--course", course.path().to_str().unwrap(), "verify"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "ok  say-hello/wrong/forever.yaml fails done",
        ))
        .stdout(predicate::str::contains("verified: 4 manifests"));
    assert_eq!(env.leftovers(), "");

    // A wrong answer that passes its check is reported, and verify fails.
    std::fs::write(ex.join("wrong/fixed.yaml"), pod("Never", "hello $NAME")).unwrap();
    env.cmd(&[
        "--course",
        course.path().to_str().unwrap(),
        "verify",
        "say-hello",
    ])
    .assert()
    .code(1)
    .stdout(predicate::str::contains(
        "BAD say-hello/wrong/fixed.yaml: must fail greets, but it passed",
    ));
    assert_eq!(env.leftovers(), "");
}

/// A `signal` check reaches the container's own command, as the runtime's
/// kill does: with `shareProcessNamespace`, PID 1 inside is the sandbox, and
/// a script that traps SIGTERM must still be the one that gets it.
#[test]
fn a_signal_check_reaches_the_main_process_in_a_shared_pid_namespace() {
    let env = Env::new(LEARNER_PREFIX, "signal");
    let course = tempfile::tempdir().unwrap();
    let ex = course.path().join("exercises/on-term");
    std::fs::create_dir_all(ex.join("wrong")).unwrap();
    std::fs::write(
        ex.join("exercise.toml"),
        r#"format_version = 1
title = "On TERM"
lesson = "lifecycle"
hints = ["trap TERM and exit 3."]

[[check]]
id = "handles-sigterm"
kind = "signal"
container = "app"
exit_code = 3
within = "5s"
hint = "trap TERM in app's script and exit 3."

[[wrong]]
file = "no-trap.yaml"
fails = "handles-sigterm"
message = "exit 3"
"#,
    )
    .unwrap();
    let pod = |script: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: on-term\nspec:\n  shareProcessNamespace: true\n  restartPolicy: Never\n  containers:\n  - name: app\n    image: busybox\n    command: [\"sh\", \"-c\", \"{script}\"]\n  - name: other\n    image: busybox\n    command: [\"sleep\", \"3600\"]\n"
        )
    };
    std::fs::write(ex.join("task.md"), "Exit 3 on SIGTERM.").unwrap();
    let trap = pod("trap 'exit 3' TERM; while true; do sleep 1; done");
    std::fs::write(ex.join("solution.yaml"), &trap).unwrap();
    // Not PID 1 of its namespace, an untrapped shell dies of SIGTERM (143).
    let no_trap = pod("while true; do sleep 1; done");
    std::fs::write(ex.join("starter.yaml"), &no_trap).unwrap();
    std::fs::write(ex.join("wrong/no-trap.yaml"), &no_trap).unwrap();
    env.cmd(&["--course", course.path().to_str().unwrap(), "verify"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "ok  on-term/wrong/no-trap.yaml fails handles-sigterm",
        ))
        .stdout(predicate::str::contains("verified: 3 manifests"));
    assert_eq!(env.leftovers(), "");
}

#[test]
fn an_engine_that_does_not_answer_is_exit_2() {
    let env = Env::new(LEARNER_PREFIX, "noengine");
    env.cmd(&[
        "check",
        "localhost-pair",
        "--file",
        &file("exercises/localhost-pair/solution.yaml"),
    ])
    .env("DOCKER_HOST", "unix:///nonexistent/podlearn-test.sock")
    .assert()
    .code(2)
    .stderr(predicate::str::contains("error:"));
}

#[test]
fn sigterm_or_ctrl_c_mid_check_removes_the_pod() {
    for signal in ["-TERM", "-INT"] {
        let env = Env::new(LEARNER_PREFIX, &format!("signal{signal}"));
        let child = Std::new(env!("CARGO_BIN_EXE_podlearn"))
            .args(["check", "run-to-completion", "--file"])
            .arg(file("exercises/run-to-completion/starter.yaml"))
            .env("PODLEARN_HOME", env.home.path())
            .env("PODLEARN_LEARNER", &env.learner)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The starter's checks take over 10 s: this lands while they run.
        std::thread::sleep(std::time::Duration::from_secs(3));
        let sent = Std::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{signal}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("Interrupted: the pod was removed"),
            "{stderr}"
        );
        assert_eq!(env.leftovers(), "", "{signal}");
    }
}

#[test]
fn a_token_written_into_one_container_comes_out_of_another() {
    let env = Env::new(LEARNER_PREFIX, "filetoken");
    let course = tempfile::tempdir().unwrap();
    let ex = course.path().join("exercises/pass-it-on");
    std::fs::create_dir_all(&ex).unwrap();
    std::fs::write(
        ex.join("exercise.toml"),
        r#"format_version = 1
title = "Pass it on"
lesson = "sharing-files"
hints = ["Copy /tmp/token into the shared volume."]

[[inject]]
name = "token"
file = "/tmp/token"
container = "writer"

[[check]]
id = "reader-has-it"
kind = "exec"
container = "reader"
command = ["cat", "/shared/token"]
stdout = { equals = "{{token}}" }
within = "10s"
hint = "writer must copy /tmp/token to /shared/token."
"#,
    )
    .unwrap();
    let pod = |copy: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: pass\nspec:\n  volumes:\n  - name: shared\n    emptyDir: {{}}\n  containers:\n  - name: writer\n    image: busybox\n    command: [\"sh\", \"-c\", \"while true; do {copy}; sleep 0.2; done\"]\n    volumeMounts:\n    - name: shared\n      mountPath: /shared\n  - name: reader\n    image: busybox\n    command: [\"sleep\", \"3600\"]\n    volumeMounts:\n    - name: shared\n      mountPath: /shared\n"
        )
    };
    std::fs::write(ex.join("task.md"), "Pass it on.").unwrap();
    std::fs::write(ex.join("starter.yaml"), pod("true")).unwrap();
    std::fs::write(
        ex.join("solution.yaml"),
        pod("cp /tmp/token /shared/token 2>/dev/null"),
    )
    .unwrap();
    let course_dir = course.path().to_str().unwrap().to_string();
    let solution = ex.join("solution.yaml");
    env.cmd(&[
        "--course",
        &course_dir,
        "check",
        "pass-it-on",
        "--file",
        solution.to_str().unwrap(),
    ])
    .assert()
    .code(0);
    let starter = ex.join("starter.yaml");
    env.cmd(&[
        "--course",
        &course_dir,
        "check",
        "pass-it-on",
        "--file",
        starter.to_str().unwrap(),
    ])
    .assert()
    .code(1)
    .stdout(predicate::str::contains("cat: can't open '/shared/token'"));
    assert_eq!(env.leftovers(), "");
}
