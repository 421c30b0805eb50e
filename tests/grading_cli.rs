//! The exercise commands that need no Docker engine: unknown ids, missing
//! and empty manifests, the starter, hints and the solution gate.

use assert_cmd::Command;
use predicates::prelude::*;

struct Env {
    home: tempfile::TempDir,
    ws: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Env {
            home: tempfile::tempdir().unwrap(),
            ws: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("podlearn").unwrap();
        c.args(args)
            .env("PODLEARN_HOME", self.home.path())
            .env(
                "PODLEARN_LEARNER",
                format!("grading-cli-{}", std::process::id()),
            )
            .env("PODLEARN_WORKSPACE", self.ws.path())
            .env_remove("PODLEARN_COURSE")
            .env("NO_COLOR", "1");
        c
    }
}

#[test]
fn unknown_exercise_id_is_exit_1_listing_the_ids() {
    let env = Env::new();
    for verb in ["check", "exercise", "hint", "solution"] {
        env.cmd(&[verb, "localhost-pear"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "There is no exercise \"localhost-pear\"",
            ))
            .stderr(predicate::str::contains("Did you mean \"localhost-pair\"?"))
            .stderr(predicate::str::contains(
                "The exercises are: first-pod, fix-the-manifest, localhost-pair, port-conflict",
            ));
    }
}

#[test]
fn check_without_an_id_or_current_exercise_asks_which() {
    Env::new()
        .cmd(&["check"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Which exercise?"));
}

#[test]
fn missing_manifest_is_exit_1_with_what_to_do() {
    let env = Env::new();
    env.cmd(&["check", "init-data"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("There is no manifest at"))
        .stderr(predicate::str::contains("podlearn exercise init-data"));
}

#[test]
fn empty_manifest_is_exit_1() {
    let env = Env::new();
    let file = env.ws.path().join("blank.yaml");
    std::fs::write(&file, "  \n").unwrap();
    env.cmd(&["check", "init-data", "--file", file.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("blank.yaml is empty"));
}

#[test]
fn exercise_shows_the_task_writes_the_starter_and_keeps_the_learners_work() {
    let env = Env::new();
    env.cmd(&["exercise", "localhost-pair"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Two containers, one localhost"))
        .stdout(predicate::str::contains("The starter manifest is in"));
    let path = env.ws.path().join("localhost-pair.yaml");
    let starter = std::fs::read_to_string(&path).unwrap();
    assert!(starter.contains("TODO"));
    std::fs::write(&path, "my work").unwrap();
    env.cmd(&["exercise", "localhost-pair"])
        .assert()
        .success()
        .stdout(predicate::str::contains("kept as you left it"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "my work");
    // It is now the current exercise: `check` without an id grades it.
    std::fs::write(&path, "").unwrap();
    env.cmd(&["check"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("localhost-pair.yaml is empty"));
}

#[test]
fn hints_come_one_at_a_time() {
    let env = Env::new();
    env.cmd(&["hint", "run-to-completion"])
        .assert()
        .success()
        .stdout(predicate::str::contains("hint 1 of 3"))
        .stdout(predicate::str::contains("hint 2 of 3").not());
    env.cmd(&["hint", "run-to-completion"])
        .assert()
        .success()
        .stdout(predicate::str::contains("hint 2 of 3"));
}

#[test]
fn solution_waits_for_a_pass_unless_forced() {
    let env = Env::new();
    env.cmd(&["solution", "run-to-completion"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "You have not passed run-to-completion yet",
        ));
    env.cmd(&["solution", "run-to-completion", "--force"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning:"))
        .stdout(predicate::str::contains("restartPolicy: Never"));
}

#[test]
fn exercises_lists_every_exercise_by_lesson() {
    Env::new()
        .cmd(&["exercises"])
        .assert()
        .success()
        .stdout(predicate::str::contains("after lesson multi-container"))
        .stdout(predicate::str::contains("run-to-completion"));
}

#[test]
fn a_broken_course_folder_names_file_and_line() {
    let env = Env::new();
    let course = tempfile::tempdir().unwrap();
    let dir = course.path().join("exercises/mine");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("exercise.toml"),
        "format_version = 1\ntitle = \"t\"\nlesson = \"l\"\nhints = [\"h\"]\nkind = 3\n",
    )
    .unwrap();
    env.cmd(&["--course", course.path().to_str().unwrap(), "exercises"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "exercises/mine/exercise.toml:5: unknown field `kind`",
        ));
}
