//! What a running `podlearn run` of Services, Deployments and Jobs shares
//! with the learner's other terminals: a snapshot of its tables (for
//! `podlearn get services|endpoints|deployments|jobs`) and a mailbox of
//! requests (`podlearn scale`, `podlearn create job --from=cronjob/...`),
//! as files under `$PODLEARN_HOME/cluster/<learner>/`. The run that owns
//! the objects is the only one that acts on them, like a cluster's
//! controllers behind the API server.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// The tables of one run's namespace, as cells ready to print.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Snapshot {
    /// `host:pid:start` of the run.
    pub owner: String,
    pub namespace: String,
    pub services: Vec<Vec<String>>,
    pub endpoints: Vec<Vec<String>>,
    pub deployments: Vec<Vec<String>>,
    pub jobs: Vec<Vec<String>>,
    /// CronJobs that `create job --from=cronjob/NAME` can run.
    pub cronjobs: Vec<String>,
}

/// A request to the run that owns an object.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "verb", rename_all = "camelCase")]
pub enum Request {
    Scale { name: String, replicas: u32 },
    CreateJobFromCronJob { job: String, cronjob: String },
}

/// podlearn's data folder (see [`crate::data_dir`]).
pub fn home() -> anyhow::Result<PathBuf> {
    crate::data_dir::data_dir()
}

/// The learner's folder of run snapshots.
pub fn dir(learner: &str) -> anyhow::Result<PathBuf> {
    Ok(home()?
        .join("cluster")
        .join(crate::runtime::docker_safe(learner)))
}

/// The files of one run and namespace: `<ns>.<pid>.json` and the mailbox
/// folder `<ns>.<pid>.requests/`.
#[derive(Debug, Clone)]
pub struct RunFiles {
    pub snapshot: PathBuf,
    pub requests: PathBuf,
}

impl RunFiles {
    pub fn new(dir: &Path, namespace: &str) -> Self {
        let base = format!(
            "{}.{}",
            crate::runtime::docker_safe(namespace),
            std::process::id()
        );
        RunFiles {
            snapshot: dir.join(format!("{base}.json")),
            requests: dir.join(format!("{base}.requests")),
        }
    }

    /// Replace the snapshot in one step (write, then rename).
    pub fn write(&self, snap: &Snapshot) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.requests)
            .with_context(|| format!("Failed to create {}", self.requests.display()))?;
        crate::atomic_file::write(&self.snapshot, &serde_json::to_vec(snap)?, false)
            .with_context(|| format!("Failed to write {}", self.snapshot.display()))
    }

    /// Take the pending requests (each is read once).
    pub fn take_requests(&self) -> Vec<Request> {
        let Ok(entries) = std::fs::read_dir(&self.requests) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        paths
            .into_iter()
            .filter_map(|p| {
                let text = std::fs::read(&p).ok();
                let _ = std::fs::remove_file(&p);
                serde_json::from_slice(&text?).ok()
            })
            .collect()
    }

    /// Remove the run's files (at its end).
    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.snapshot);
        let _ = std::fs::remove_dir_all(&self.requests);
    }
}

/// The snapshots of the learner's runs that are still alive, with their
/// files; the files of dead runs are removed on the way.
pub fn live_snapshots(learner: &str) -> anyhow::Result<Vec<(Snapshot, RunFiles)>> {
    let dir = dir(learner)?;
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let Some(snap) = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Snapshot>(&b).ok())
        else {
            continue;
        };
        let files = RunFiles {
            requests: path.with_extension("requests"),
            snapshot: path,
        };
        if crate::runtime::process_is_dead(&snap.owner) {
            files.remove();
            continue;
        }
        out.push((snap, files));
    }
    out.sort_by(|a, b| a.0.namespace.cmp(&b.0.namespace));
    Ok(out)
}

/// Leave a request for the run that owns the object.
pub fn send(files: &RunFiles, request: &Request) -> anyhow::Result<()> {
    std::fs::create_dir_all(&files.requests)
        .with_context(|| format!("Failed to create {}", files.requests.display()))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    // The temporary file starts with a dot and ends in .tmp: the reader takes
    // only `*.json`, so it never sees one half written.
    let file = files
        .requests
        .join(format!("{nanos}-{}.json", std::process::id()));
    crate::atomic_file::write(&file, &serde_json::to_vec(request)?, false)
        .with_context(|| format!("Failed to write a request in {}", files.requests.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_delivered_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let files = RunFiles::new(dir.path(), "default");
        files.write(&Snapshot::default()).unwrap();
        send(
            &files,
            &Request::Scale {
                name: "web".into(),
                replicas: 3,
            },
        )
        .unwrap();
        send(
            &files,
            &Request::CreateJobFromCronJob {
                job: "now".into(),
                cronjob: "nightly".into(),
            },
        )
        .unwrap();
        let got = files.take_requests();
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[0],
            Request::Scale {
                name: "web".into(),
                replicas: 3
            }
        );
        assert!(files.take_requests().is_empty());
        files.remove();
        assert!(!files.snapshot.exists() && !files.requests.exists());
    }
}
