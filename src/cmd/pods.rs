//! What the pod commands (`run`, `get`, `describe`, `logs`, `exec`,
//! `delete`, `clean`) share: an async runtime, reading manifests, finding
//! the learner's pods on the engine, and kubectl's one-line pod summary.

use std::io::Read;
use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::Context;

use crate::exit::learner_error;
use crate::manifest::{self, Loaded, MAX_FILE_BYTES, Pod};
use crate::phase;
use crate::runtime::{Engine, PodRecord};
use crate::status::PodStatus;

/// A small multi-threaded runtime for one command.
pub fn block_on<T>(fut: impl std::future::Future<Output = T>) -> anyhow::Result<T> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(rt.block_on(fut))
}

/// Manifests read and validated, with each file's text (to record on the engine).
pub struct Manifests {
    pub loaded: Loaded,
    pub texts: Vec<(String, String)>,
}

impl Manifests {
    /// The file a pod came from and its text.
    pub fn source_of(&self, pod: &Pod) -> Option<(&str, &str)> {
        let (obj, _) = self.loaded.pods().find(|(_, p)| {
            p.metadata.name == pod.metadata.name && p.metadata.namespace == pod.metadata.namespace
        })?;
        self.texts
            .iter()
            .find(|(f, _)| *f == obj.source.file)
            .map(|(f, t)| (f.as_str(), t.as_str()))
    }
}

/// Read and validate manifest files (`-` is standard input).
pub fn read_manifests(files: &[PathBuf]) -> anyhow::Result<Manifests> {
    let mut loaded = Loaded::default();
    let mut texts = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let mut bytes = Vec::new();
        if name == "-" {
            std::io::stdin()
                .lock()
                .take(MAX_FILE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .context("Failed to read the manifest from standard input")?;
        } else {
            let file = std::fs::File::open(path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    learner_error(format!("{name}: no such file"))
                } else {
                    anyhow::Error::new(e).context(format!("Failed to read {name}"))
                }
            })?;
            file.take(MAX_FILE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .with_context(|| format!("Failed to read {name}"))?;
        }
        texts.push((name.clone(), String::from_utf8_lossy(&bytes).into_owned()));
        loaded.merge(manifest::load_bytes(&name, &bytes));
    }
    Ok(Manifests { loaded, texts })
}

/// The learner's pods on the engine, optionally one by name (an unknown
/// name is the learner's mistake, as in kubectl: `pods "x" not found`).
///
/// Leftovers of podlearn processes that died are swept first, so a pod of a
/// killed `podlearn run` is never listed (or found) as if it were alive.
pub async fn find(engine: &Engine, name: Option<&str>) -> anyhow::Result<Vec<PodRecord>> {
    let _ = engine.sweep().await;
    let learner = crate::runtime::current_learner();
    let pods = crate::runtime::find_pods(engine, Some(&learner), name).await?;
    if let Some(n) = name
        && pods.is_empty()
    {
        return Err(learner_error(format!(
            "pods {n:?} not found (see `podlearn get pods`)"
        )));
    }
    Ok(pods)
}

/// kubectl's columns for one pod: NAME READY STATUS RESTARTS AGE.
pub fn columns(pod: &Pod, status: &PodStatus, deleting: bool) -> [String; 5] {
    let now = SystemTime::now();
    [
        pod.metadata.name.clone(),
        phase::ready_column(&pod.spec, status),
        phase::status_column(&pod.spec, status, deleting),
        phase::restarts_column(status, now),
        status
            .start_time
            .map(|t| phase::age(t, now))
            .unwrap_or_else(|| "0s".into()),
    ]
}

/// Rows aligned in columns, like kubectl's tables.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}   ", w = widths[i]));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(header.to_vec());
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}
