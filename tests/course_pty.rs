//! `podlearn start` in a real pseudo-terminal: open a lesson from the home
//! menu, decline its quiz, come back to the menu, quit.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::{ControlCode, Eof, Expect, Session};

fn start(home: &Path) -> expectrl::session::OsSession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_podlearn"));
    cmd.env("PODLEARN_HOME", home)
        .env(
            "PODLEARN_LEARNER",
            format!("course-pty-{}", std::process::id()),
        )
        .env("PAGER", "cat")
        .env("TERM", "xterm-256color")
        .env_remove("PODLEARN_COURSE")
        .env_remove("NO_COLOR")
        .arg("--course")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/course"))
        .arg("start");
    let mut session = Session::spawn(cmd).expect("spawn podlearn start in a terminal");
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    session
}

#[test]
fn start_opens_a_lesson_returns_to_the_menu_and_quits() {
    let home = tempfile::tempdir().unwrap();
    let mut p = start(home.path());
    p.expect("Welcome to podlearn!").unwrap();
    p.expect("What next?").unwrap();
    p.expect("Start with lesson 1").unwrap();
    // Enter on the first entry: start with lesson 1.
    p.send("\r").unwrap();
    p.expect("smallest thing").unwrap();
    p.expect("two-containers.yaml").unwrap();
    p.expect("Write this lesson's example files with").unwrap();
    p.expect("podlearn files 1").unwrap();
    p.expect("Take the 2-question quiz on this lesson?")
        .unwrap();
    p.send("n\r").unwrap();
    // Back at the menu, which now offers lesson 2.
    p.expect("What next?").unwrap();
    p.expect("Continue where you left off: 2. Manifests")
        .unwrap();
    p.send(ControlCode::Escape).unwrap();
    p.expect("See you next time").unwrap();
    p.expect(Eof).unwrap();
    assert!(matches!(
        p.get_process().wait().unwrap(),
        WaitStatus::Exited(_, 0)
    ));
    let saved = std::fs::read_to_string(home.path().join("progress.json")).unwrap();
    let saved: serde_json::Value = serde_json::from_str(&saved).unwrap();
    assert_eq!(saved["lessons_read"], serde_json::json!(["pods"]));
    assert!(saved["quiz_scores"].as_object().unwrap().is_empty());
}

#[test]
fn start_takes_a_quiz_and_records_the_score() {
    let home = tempfile::tempdir().unwrap();
    let mut p = start(home.path());
    p.expect("What next?").unwrap();
    p.send("\r").unwrap();
    p.expect("Take the 2-question quiz on this lesson?")
        .unwrap();
    p.send("y\r").unwrap();
    // First question: the first choice is right.
    p.expect("(1/2) Where do the containers of one Pod run?")
        .unwrap();
    p.send("\r").unwrap();
    p.expect("Right.").unwrap();
    // Second question: the first choice is wrong.
    p.expect("(2/2) How does one container").unwrap();
    p.send("\r").unwrap();
    p.expect("Not quite.").unwrap();
    p.expect("You got 1 of 2 right.").unwrap();
    p.expect("What next?").unwrap();
    p.send(ControlCode::EndOfText).unwrap(); // Ctrl-C quits cleanly too
    p.expect("See you next time").unwrap();
    p.expect(Eof).unwrap();
    assert!(matches!(
        p.get_process().wait().unwrap(),
        WaitStatus::Exited(_, 0)
    ));
    let saved = std::fs::read_to_string(home.path().join("progress.json")).unwrap();
    let saved: serde_json::Value = serde_json::from_str(&saved).unwrap();
    assert_eq!(
        saved["quiz_scores"]["pods"],
        serde_json::json!({"correct": 1, "total": 2})
    );
}

#[test]
fn ctrl_c_in_the_pager_does_not_kill_podlearn() {
    use std::os::unix::fs::PermissionsExt;

    let home = tempfile::tempdir().unwrap();
    // A pager that, like less, survives Ctrl-C and goes on until it is done.
    let pager = home.path().join("pager");
    std::fs::write(
        &pager,
        "#!/bin/sh\ntrap 'echo PAGER-INTERRUPTED' INT\ncat >/dev/null\necho PAGER-READY\nsleep 1\necho PAGER-DONE\n",
    )
    .unwrap();
    std::fs::set_permissions(&pager, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_podlearn"));
    cmd.env("PODLEARN_HOME", home.path())
        .env("PAGER", &pager)
        .env_remove("PODLEARN_COURSE")
        .arg("--course")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/course"))
        .args(["lesson", "1"]);
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(30)));
    p.expect("PAGER-READY").unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("PAGER-INTERRUPTED").unwrap();
    p.expect("PAGER-DONE").unwrap();
    p.expect(Eof).unwrap();
    assert!(matches!(
        p.get_process().wait().unwrap(),
        WaitStatus::Exited(_, 0)
    ));
    let saved = std::fs::read_to_string(home.path().join("progress.json")).unwrap();
    assert!(saved.contains("\"pods\""), "{saved}");
}

#[test]
fn reset_asks_in_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("progress.json"),
        r#"{"format_version": 1, "lessons_read": ["pods"]}"#,
    )
    .unwrap();
    let reset = |answer: &str, expected: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_podlearn"));
        cmd.env("PODLEARN_HOME", home.path()).arg("reset");
        let mut p = Session::spawn(cmd).unwrap();
        p.set_expect_timeout(Some(Duration::from_secs(30)));
        p.expect("Forget all your progress").unwrap();
        p.send(answer).unwrap();
        p.expect(expected).unwrap();
        p.expect(Eof).unwrap();
        assert!(matches!(
            p.get_process().wait().unwrap(),
            WaitStatus::Exited(_, 0)
        ));
    };
    reset("n\r", "Nothing changed.");
    assert!(home.path().join("progress.json").exists());
    reset("y\r", "Progress forgotten.");
    assert!(!home.path().join("progress.json").exists());
}
