//! Grading a whole manifest for real on the Docker engine: a Job's and a
//! Deployment's exercises pass and fail as they must, and Ctrl-C mid-check
//! removes every Pod, Service proxy and network. These tests fail (they do
//! not skip) when no engine answers.

use std::process::Command as Std;
use std::time::Duration;

use predicates::prelude::*;

#[path = "support/learner.rs"]
mod learner;

use learner::{Env, file};

const LEARNER_PREFIX: &str = "grading-cluster";

#[test]
fn a_jobs_solution_passes_and_a_failing_job_fails_its_check_leaving_nothing() {
    let env = Env::new(LEARNER_PREFIX, "job");
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
    let env = Env::new(LEARNER_PREFIX, "ctrlc");
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
