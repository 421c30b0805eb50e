//! Grading a whole manifest for real on the Docker engine: a Job's and a
//! Deployment's exercises pass and fail as they must, and Ctrl-C mid-check
//! removes every Pod, Service proxy and network. These tests fail (they do
//! not skip) when no engine answers.

use std::path::Path;
use std::process::Command as Std;
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;

struct Env {
    home: tempfile::TempDir,
    learner: String,
}

impl Env {
    fn new(name: &str) -> Self {
        Env {
            home: tempfile::tempdir().unwrap(),
            learner: format!("grading-cluster-{name}-{}", std::process::id()),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("podlearn").unwrap();
        c.args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("PODLEARN_HOME", self.home.path())
            .env("PODLEARN_LEARNER", &self.learner)
            .env("PODLEARN_WORKSPACE", self.home.path().join("ws"))
            .env_remove("PODLEARN_COURSE")
            .env("NO_COLOR", "1");
        c
    }

    /// Containers, volumes and networks of this learner still on the engine.
    fn leftovers(&self) -> String {
        let filter = format!("label=io.podlearn.learner={}", self.learner);
        let mut out = String::new();
        for args in [
            vec!["ps", "-aq", "--filter", &filter],
            vec!["volume", "ls", "-q", "--filter", &filter],
            vec!["network", "ls", "-q", "--filter", &filter],
        ] {
            let o = Std::new("docker").args(&args).output().expect("docker CLI");
            assert!(o.status.success(), "docker {args:?} failed");
            out.push_str(&String::from_utf8_lossy(&o.stdout));
        }
        out.trim().to_string()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        // Whatever happened, remove this learner's objects (and only those).
        let _ = Std::new(env!("CARGO_BIN_EXE_podlearn"))
            .arg("clean")
            .env("PODLEARN_HOME", self.home.path())
            .env("PODLEARN_LEARNER", &self.learner)
            .output();
    }
}

fn file(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}

#[test]
fn a_jobs_solution_passes_and_a_failing_job_fails_its_check_leaving_nothing() {
    let env = Env::new("job");
    env.cmd(&[
        "check",
        "job-completions",
        "--file",
        &file("exercises/job-completions/solution.yaml"),
    ])
    .assert()
    .code(0)
    .stdout(predicate::str::contains("three-successes"))
    .stdout(predicate::str::contains("each-reports"));
    assert_eq!(env.leftovers(), "");
    env.cmd(&[
        "check",
        "job-completions",
        "--file",
        &file("exercises/job-completions/wrong/failing-pod.yaml"),
    ])
    .assert()
    .code(1)
    .stdout(predicate::str::contains("no-failures"))
    .stdout(predicate::str::contains("No Pod of the Job should fail"));
    assert_eq!(env.leftovers(), "");
}

#[test]
fn ctrl_c_while_a_deployment_is_graded_removes_everything() {
    let env = Env::new("ctrlc");
    let child = Std::new(env!("CARGO_BIN_EXE_podlearn"))
        .args(["check", "deployment-three", "--file"])
        .arg(file("exercises/deployment-three/solution.yaml"))
        .env("PODLEARN_HOME", env.home.path())
        .env("PODLEARN_LEARNER", &env.learner)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the Deployment's Pods run, so the signal lands mid-check.
    let filter = format!("label=io.podlearn.learner={}", env.learner);
    for _ in 0..60 {
        let o = Std::new("docker")
            .args(["ps", "-q", "--filter", &filter])
            .output()
            .expect("docker CLI");
        if String::from_utf8_lossy(&o.stdout).lines().count() >= 4 {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_ne!(env.leftovers(), "", "grading started nothing");
    let sent = Std::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Interrupted"), "{stderr}");
    assert_eq!(env.leftovers(), "");
}
