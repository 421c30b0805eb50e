//! A learner of their own for a test that runs the podlearn binary against
//! the real engine: a private home and workspace, a unique learner name, a
//! check that nothing of theirs is left, and `podlearn clean` when dropped.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command as Std;

use assert_cmd::Command;

pub struct Env {
    pub home: tempfile::TempDir,
    pub learner: String,
}

impl Env {
    /// A learner named after the test binary's `prefix`, the test and this process.
    pub fn new(prefix: &str, name: &str) -> Self {
        Env {
            home: tempfile::tempdir().unwrap(),
            learner: format!("{prefix}-{name}-{}", std::process::id()),
        }
    }

    /// `podlearn ARGS` as this learner, from the project folder.
    pub fn cmd(&self, args: &[&str]) -> Command {
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
    pub fn leftovers(&self) -> String {
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
        // The learner's node folder (credentials, kubeconfig), if a test
        // started its node: in the per-user machine folder.
        let uid = rustix::process::getuid().as_raw();
        let _ = std::fs::remove_dir_all(
            std::env::temp_dir()
                .join(format!("podlearn-{uid}"))
                .join("nodes")
                .join(&self.learner),
        );
    }
}

/// A path in the project folder, as a string argument.
pub fn file(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}
