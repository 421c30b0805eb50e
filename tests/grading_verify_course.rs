//! The built-in course proves itself, for real on Docker: every starter
//! fails, every reference solution passes, every known wrong answer fails on
//! the check it names with the message it names (`podlearn verify`, as CI
//! runs it).

use assert_cmd::Command;
use predicates::prelude::*;

#[test]
fn builtin_course_verifies() {
    let home = tempfile::tempdir().unwrap();
    let learner = format!("grading-verify-{}", std::process::id());
    Command::cargo_bin("podlearn")
        .unwrap()
        .arg("verify")
        .env("PODLEARN_HOME", home.path())
        .env("PODLEARN_LEARNER", &learner)
        .env_remove("PODLEARN_COURSE")
        .env("NO_COLOR", "1")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("verified:"))
        .stdout(predicate::str::contains("BAD").not());
    let left = std::process::Command::new("docker")
        .args([
            "ps",
            "-aq",
            "--filter",
            &format!("label=io.podlearn.learner={learner}"),
        ])
        .output()
        .expect("docker CLI");
    assert!(left.stdout.is_empty(), "containers left behind");
}
