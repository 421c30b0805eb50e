//! The course commands end to end, on the tiny course in
//! `tests/fixtures/course`, each test with its own `PODLEARN_HOME`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/course")
}

/// `podlearn --course <fixture>` with a private home, no color settings from
/// the environment, and stdin that is not a terminal.
fn podlearn(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_podlearn"));
    cmd.env("PODLEARN_HOME", home)
        .env(
            "PODLEARN_LEARNER",
            format!("course-test-{}", std::process::id()),
        )
        .env_remove("PODLEARN_COURSE")
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .arg("--course")
        .arg(fixture())
        .write_stdin("")
        .timeout(Duration::from_secs(60));
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

fn progress_json(home: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(home.join("progress.json")).unwrap()).unwrap()
}

fn backups(home: &Path) -> Vec<PathBuf> {
    fs::read_dir(home)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("progress.json.bak-")
        })
        .collect()
}

#[test]
fn lessons_lists_every_lesson_and_marks_the_ones_read() {
    let home = tempfile::tempdir().unwrap();
    let out = stdout_of(podlearn(home.path()).arg("lessons"));
    assert!(out.contains("   1  pods         Pods in one page"), "{out}");
    assert!(out.contains("   6  six          Lesson six"), "{out}");
    assert!(out.contains("0 of 6 read"), "{out}");
    podlearn(home.path())
        .args(["lesson", "manifests"])
        .assert()
        .success();
    let out = stdout_of(podlearn(home.path()).arg("lessons"));
    assert!(out.contains("✔  2  manifests"), "{out}");
    assert!(out.contains("   1  pods"), "{out}");
    assert!(out.contains("1 of 6 read"), "{out}");
}

#[test]
fn builtin_course_lists_its_lessons() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_podlearn"));
    cmd.env("PODLEARN_HOME", home.path())
        .env_remove("PODLEARN_COURSE")
        .arg("lessons");
    let out = stdout_of(&mut cmd);
    assert!(out.contains("what-is-a-pod"), "{out}");
}

#[test]
fn lesson_renders_marks_read_and_says_what_is_next() {
    let home = tempfile::tempdir().unwrap();
    let out = stdout_of(podlearn(home.path()).args(["lesson", "1"]));
    assert!(
        out.starts_with("Pods in one page\n================\n"),
        "{out}"
    );
    assert!(
        out.contains("┌─ two-containers.yaml\n│ apiVersion: v1\n"),
        "{out}"
    );
    assert!(out.contains("(contains a mistake on purpose)"), "{out}");
    assert!(out.contains("Next: podlearn quiz 1"), "{out}");
    assert!(out.contains("podlearn files 1"), "{out}");
    assert!(out.contains("podlearn lesson 2"), "{out}");
    let p = progress_json(home.path());
    assert_eq!(p["format_version"], 1);
    assert_eq!(p["lessons_read"], serde_json::json!(["pods"]));
    assert_eq!(p["last_lesson"], "pods");
}

#[test]
fn no_color_and_color_never_print_no_escape_codes() {
    let home = tempfile::tempdir().unwrap();
    let out = stdout_of(
        podlearn(home.path())
            .env("NO_COLOR", "1")
            .args(["lesson", "1"]),
    );
    assert!(!out.contains('\x1b'), "{out:?}");
    for args in [
        &["--color", "never", "lesson", "1"][..],
        &["--color", "never", "lessons"],
        &["--color", "never", "progress"],
    ] {
        let out = stdout_of(podlearn(home.path()).args(args));
        assert!(!out.contains('\x1b'), "{args:?}: {out:?}");
    }
    // The check above means something: forced color does use escapes.
    let out = stdout_of(podlearn(home.path()).args(["--color", "always", "lesson", "1"]));
    assert!(out.contains("\x1b[38;2;"), "{out:?}");
}

#[test]
fn code_blocks_keep_indentation_and_are_not_wrapped_at_width_40() {
    let home = tempfile::tempdir().unwrap();
    let out = stdout_of(
        podlearn(home.path())
            .env("COLUMNS", "40")
            .args(["lesson", "1"]),
    );
    let md = fs::read_to_string(fixture().join("lessons/01-pods.md")).unwrap();
    let yaml: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("```yaml file="))
        .skip(1)
        .take_while(|l| !l.starts_with("```"))
        .collect();
    assert!(
        yaml.iter().any(|l| l.len() > 60),
        "the fixture needs a long line"
    );
    for line in &yaml {
        assert!(
            out.contains(&format!("\n│ {line}\n")),
            "{line:?} not intact in\n{out}"
        );
    }
    assert!(
        out.contains("\n│    containers:\n│   - name: wrong-indent\n"),
        "{out}"
    );
    // The prose around it is wrapped to 40 columns.
    let widest_prose = out
        .lines()
        .filter(|l| !l.starts_with('│') && !l.contains("podlearn "))
        .map(|l| l.chars().count())
        .max()
        .unwrap();
    assert!(widest_prose <= 40, "{out}");
}

#[test]
fn unknown_lesson_exits_1_listing_the_lessons() {
    let home = tempfile::tempdir().unwrap();
    for (key, hint) in [("7", None), ("podz", Some("Did you mean `pods`?"))] {
        let assert = podlearn(home.path())
            .args(["lesson", key])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "There is no lesson `{key}`"
            )))
            .stderr(predicate::str::contains("1  pods"))
            .stderr(predicate::str::contains("6  six"));
        if let Some(hint) = hint {
            assert.stderr(predicate::str::contains(hint));
        }
    }
    for verb in ["files", "quiz"] {
        podlearn(home.path())
            .args([verb, "nope"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("2  manifests"));
    }
}

#[test]
fn start_without_a_terminal_exits_2_with_the_commands_to_use() {
    let home = tempfile::tempdir().unwrap();
    podlearn(home.path())
        .arg("start")
        .timeout(Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs a terminal"))
        .stderr(predicate::str::contains("podlearn lessons"))
        .stderr(predicate::str::contains("podlearn lesson N"))
        .stderr(predicate::str::contains("podlearn progress"));
    // Also when stdin is closed outright rather than an empty pipe.
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_podlearn"))
        .env("PODLEARN_HOME", home.path())
        .args(["--course"])
        .arg(fixture())
        .arg("start")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}

#[test]
fn quiz_needs_a_terminal_and_a_quiz() {
    let home = tempfile::tempdir().unwrap();
    podlearn(home.path())
        .args(["quiz", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs a terminal"));
    // Lesson 2 names a quiz file that is not written yet: no quiz.
    podlearn(home.path())
        .args(["quiz", "2"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has no quiz yet"));
    // A malformed quiz names its file and line.
    podlearn(home.path())
        .args(["quiz", "broken-quiz"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("03-broken-quiz.quiz.toml:6:"))
        .stderr(predicate::str::contains("from 0 to 1"));
}

#[test]
fn progress_counts_lessons_and_names_the_next() {
    let home = tempfile::tempdir().unwrap();
    let out = stdout_of(podlearn(home.path()).arg("progress"));
    assert!(out.contains("Lessons    0 of 6 read"), "{out}");
    assert!(out.contains("Quizzes    0 of 2 taken"), "{out}");
    assert!(
        out.contains("lesson 1, Pods in one page: podlearn lesson 1"),
        "{out}"
    );
    podlearn(home.path())
        .args(["lesson", "1"])
        .assert()
        .success();
    let out = stdout_of(podlearn(home.path()).arg("progress"));
    assert!(out.contains("Lessons    1 of 6 read"), "{out}");
    assert!(
        out.contains("lesson 2, Manifests: podlearn lesson 2"),
        "{out}"
    );
    assert!(
        out.contains(&home.path().join("progress.json").display().to_string()),
        "{out}"
    );
}

#[test]
fn reset_asks_unless_yes() {
    let home = tempfile::tempdir().unwrap();
    podlearn(home.path())
        .args(["lesson", "1"])
        .assert()
        .success();
    podlearn(home.path())
        .arg("reset")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("podlearn reset --yes"));
    assert!(home.path().join("progress.json").exists());
    podlearn(home.path())
        .args(["reset", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Progress forgotten"));
    let out = stdout_of(podlearn(home.path()).arg("progress"));
    assert!(out.contains("0 of 6 read"), "{out}");
}

#[test]
fn files_writes_new_files_and_keeps_changed_ones() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    // Default folder, relative to where the learner is.
    let out = stdout_of(
        podlearn(home.path())
            .current_dir(work.path())
            .args(["files", "1"]),
    );
    let written = work.path().join("podlearn-files/two-containers.yaml");
    let text = fs::read_to_string(&written).unwrap();
    assert!(text.starts_with("apiVersion: v1\nkind: Pod\n"), "{text}");
    assert!(text.contains("\n    - name: client\n"), "{text}");
    assert!(
        out.contains("./podlearn-files/two-containers.yaml  written"),
        "{out}"
    );
    assert!(
        out.contains("podlearn run ./podlearn-files/two-containers.yaml"),
        "{out}"
    );
    // Only `file=` blocks are written.
    assert_eq!(
        fs::read_dir(work.path().join("podlearn-files"))
            .unwrap()
            .count(),
        1
    );

    let dir = work.path().join("mine");
    let dir_arg = dir.to_str().unwrap();
    podlearn(home.path())
        .args(["files", "pods", "-d", dir_arg])
        .assert()
        .success();
    let out = stdout_of(podlearn(home.path()).args(["files", "pods", "-d", dir_arg]));
    assert!(out.contains("unchanged"), "{out}");
    fs::write(dir.join("two-containers.yaml"), "my own version\n").unwrap();
    let out = stdout_of(podlearn(home.path()).args(["files", "pods", "-d", dir_arg]));
    assert!(out.contains("kept yours"), "{out}");
    assert_eq!(
        fs::read_to_string(dir.join("two-containers.yaml")).unwrap(),
        "my own version\n"
    );
    let out = stdout_of(podlearn(home.path()).args(["files", "2", "-d", dir_arg]));
    assert!(out.contains("has no example files"), "{out}");
}

#[test]
fn completions_for_each_shell() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = stdout_of(podlearn(home.path()).args(["completions", shell]));
        assert!(
            out.contains("podlearn") && out.contains("lessons"),
            "{shell}: {out}"
        );
    }
    podlearn(home.path())
        .args(["completions", "tcsh"])
        .assert()
        .code(2);
}

#[test]
fn corrupt_progress_is_moved_aside_and_the_learner_continues() {
    let home = tempfile::tempdir().unwrap();
    fs::write(home.path().join("progress.json"), "{ this is not json").unwrap();
    podlearn(home.path())
        .arg("lessons")
        .assert()
        .success()
        .stdout(predicate::str::contains("0 of 6 read"))
        .stderr(predicate::str::contains("could not be read"))
        .stderr(predicate::str::contains("progress.json.bak-"));
    let saved = backups(home.path());
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(fs::read_to_string(&saved[0]).unwrap(), "{ this is not json");
    podlearn(home.path())
        .args(["lesson", "1"])
        .assert()
        .success();
    assert_eq!(
        progress_json(home.path())["lessons_read"],
        serde_json::json!(["pods"])
    );
}

#[test]
fn progress_from_a_newer_podlearn_is_moved_aside() {
    let home = tempfile::tempdir().unwrap();
    let newer = r#"{"format_version": 99, "lessons_read": ["pods"]}"#;
    fs::write(home.path().join("progress.json"), newer).unwrap();
    podlearn(home.path())
        .args(["lesson", "2"])
        .assert()
        .success()
        .stderr(predicate::str::contains("format_version 99"));
    let saved = backups(home.path());
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(fs::read_to_string(&saved[0]).unwrap(), newer);
    assert_eq!(
        progress_json(home.path())["lessons_read"],
        serde_json::json!(["manifests"])
    );
}

#[test]
fn unwritable_home_exits_2_naming_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    // A folder below a plain file cannot be created, even by root.
    let file = tmp.path().join("not-a-folder");
    fs::write(&file, "").unwrap();
    let home = file.join("podlearn");
    podlearn(&home)
        .args(["lesson", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(home.display().to_string()))
        .stderr(predicate::str::contains("PODLEARN_HOME"));
    // Reading works without writing.
    podlearn(&home).arg("lessons").assert().success();
}

#[test]
fn concurrent_processes_do_not_lose_each_others_updates() {
    let home = tempfile::tempdir().unwrap();
    let children: Vec<_> = (1..=6)
        .map(|n| {
            std::process::Command::new(env!("CARGO_BIN_EXE_podlearn"))
                .env("PODLEARN_HOME", home.path())
                .arg("--course")
                .arg(fixture())
                .args(["lesson", &n.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let read = progress_json(home.path())["lessons_read"].clone();
    assert_eq!(
        read,
        serde_json::json!(["broken-quiz", "five", "four", "manifests", "pods", "six"])
    );
    assert!(backups(home.path()).is_empty());
}

#[test]
fn a_broken_course_index_names_file_and_line() {
    let home = tempfile::tempdir().unwrap();
    let course = tempfile::tempdir().unwrap();
    fs::create_dir_all(course.path().join("lessons")).unwrap();
    fs::write(
        course.path().join("lessons/index.toml"),
        "format_version = 1\n\n[[lesson]]\nid = \"a\"\ntitle = \"A\"\nfile = \"a.md\"\ncolour = \"red\"\n",
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_podlearn"));
    cmd.env("PODLEARN_HOME", home.path())
        .arg("--course")
        .arg(course.path())
        .arg("lessons")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("lessons/index.toml:7:"))
        .stderr(predicate::str::contains("colour"));
}

/// `podlearn` with the built-in course and a private home.
fn podlearn_builtin(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_podlearn"));
    cmd.env("PODLEARN_HOME", home)
        .env_remove("PODLEARN_COURSE")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(60));
    cmd
}

/// A learner's progress file, as podlearn writes it.
fn write_progress(path: &Path, lessons: &[&str], passed: &[(&str, u64)]) {
    let passed: serde_json::Map<String, serde_json::Value> = passed
        .iter()
        .map(|(id, at)| {
            (
                id.to_string(),
                serde_json::json!({"passed_at": at, "seconds": 1.5}),
            )
        })
        .collect();
    let json = serde_json::json!({
        "format_version": 1,
        "lessons_read": lessons,
        "exercises_passed": passed,
        "quiz_scores": {"what-is-a-pod": {"correct": 4, "total": 4}},
    });
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
}

#[test]
fn report_says_who_finished_what_across_a_class() {
    let class = tempfile::tempdir().unwrap();
    // One PODLEARN_HOME per learner on a shared host, and a file sent in.
    write_progress(
        &class.path().join("ann/progress.json"),
        &["what-is-a-pod", "manifests"],
        &[
            ("first-pod", 1_795_250_000),
            ("localhost-pair", 1_795_260_000),
        ],
    );
    write_progress(
        &class.path().join("bob.json"),
        &["what-is-a-pod"],
        &[("first-pod", 1_795_240_000)],
    );
    let home = tempfile::tempdir().unwrap();
    let mut cmd = podlearn_builtin(home.path());
    cmd.arg("report").arg(class.path());
    let text = stdout_of(&mut cmd);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("LEARNER   LESSONS   QUIZZES   EXERCISES"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("ann       2/12      1/12      2/25"),
        "{text}"
    );
    assert!(lines[1].ends_with("2026-11-21 11:20"), "{text}");
    assert!(
        lines[2].starts_with("bob       1/12      1/12      1/25"),
        "{text}"
    );
    assert!(text.contains("first-pod "), "{text}");
    let row = |id: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("{id} ")))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    assert_eq!(row("first-pod"), "first-pod 2/2 everyone");
    assert_eq!(row("localhost-pair"), "localhost-pair 1/2 not yet: bob");
    assert_eq!(row("service-dns"), "service-dns 0/2 no one yet");

    // CSV for a spreadsheet: a column per exercise with the day it passed.
    let mut cmd = podlearn_builtin(home.path());
    cmd.args(["report", "--format", "csv"])
        .arg(class.path().join("ann/progress.json"));
    let csv = stdout_of(&mut cmd);
    let mut rows = csv.lines();
    assert!(
        rows.next().unwrap().starts_with("learner,lessons_read,"),
        "{csv}"
    );
    let ann = rows.next().unwrap();
    assert!(ann.starts_with("ann,2,1,1,2,0,"), "{csv}");
    assert!(ann.contains(",2026-11-21 08:33,"), "{csv}");
}

#[test]
fn report_warns_about_an_unreadable_file_and_fails_but_reports_the_rest() {
    let class = tempfile::tempdir().unwrap();
    write_progress(&class.path().join("ann.json"), &["what-is-a-pod"], &[]);
    fs::write(class.path().join("bob.json"), "{ not json").unwrap();
    let home = tempfile::tempdir().unwrap();
    let out = podlearn_builtin(home.path())
        .args(["report", "--format", "json"])
        .arg(class.path())
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bob.json: not a podlearn progress file: not valid JSON"),
        "{err}"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["learners"][0]["learner"], "ann");
    assert_eq!(json["learners"].as_array().unwrap().len(), 1);
    assert!(
        fs::read_to_string(class.path().join("bob.json")).unwrap() == "{ not json",
        "a report never moves or changes a learner's file"
    );

    // Nothing readable at all, or a path that is not there: one message, exit 1.
    podlearn_builtin(home.path())
        .arg("report")
        .arg(class.path().join("nobody"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nobody: no such file or folder"));
}
