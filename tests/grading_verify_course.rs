//! The built-in course proves itself, for real on Docker: every starter
//! fails, every reference solution passes, every known wrong answer fails on
//! the check it names with the message it names (`podlearn verify`, as CI
//! runs it).

use assert_cmd::Command;

#[test]
fn builtin_course_verifies() {
    let home = tempfile::tempdir().unwrap();
    let learner = format!("grading-verify-{}", std::process::id());
    let out = Command::cargo_bin("podlearn")
        .unwrap()
        .arg("verify")
        .env("PODLEARN_HOME", home.path())
        .env("PODLEARN_LEARNER", &learner)
        .env_remove("PODLEARN_COURSE")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // On failure, show what misbehaved, not 278 lines of "ok".
    let not_ok: Vec<&str> = stdout
        .lines()
        .filter(|l| !l.trim_start().starts_with("ok "))
        .collect();
    assert!(
        out.status.code() == Some(0) && stdout.contains("verified:") && !stdout.contains("BAD"),
        "podlearn verify exited {:?}:\n{}\nstderr:\n{}",
        out.status.code(),
        not_ok.join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
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
