//! The adapter between the grader and the rest of podlearn: manifests are
//! read and validated by `manifest`, pods run by `runtime`. This is the only
//! grading file that knows those modules' APIs.

use std::io::Write;
use std::time::Duration;

use tokio::sync::Mutex;

use super::{ExecOutput, GradeOptions, Launcher, PodError, PodUnderTest};
use crate::exercise::Exercise;
use crate::exit::LearnerError;
use crate::manifest::model::{Object, Pod, Resource};
use crate::podenv::Inputs;
use crate::report::GradeReport;
use crate::runtime::{Engine, RunOptions, RunningPod};
use crate::status::{PodStatus, StopSignals};
use crate::term::Style;

/// A learner's manifest, validated.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub objects: Vec<Object>,
    /// Errors, or what the safety policy refuses without `--allow-host-access`.
    pub has_errors: bool,
}

impl Manifest {
    pub fn pods(&self) -> Vec<&Pod> {
        self.objects
            .iter()
            .filter_map(|o| match &o.resource {
                Resource::Pod(p) => Some(p),
                _ => None,
            })
            .collect()
    }
}

/// Read and validate a manifest, writing its findings (if any) to `w`.
pub fn load_manifest(
    file: &str,
    text: &str,
    allow_host_access: bool,
    style: Style,
    w: &mut dyn Write,
) -> anyhow::Result<Manifest> {
    let loaded = crate::manifest::load_str(file, text);
    let refused = loaded.refused(allow_host_access);
    if !loaded.findings.is_empty() {
        crate::manifest::render_text(&loaded, style, w)?;
    }
    if refused && !loaded.has_errors() {
        writeln!(
            w,
            "podlearn does not run what the safety policy refuses (above) unless you pass --allow-host-access."
        )?;
    }
    Ok(Manifest {
        has_errors: refused,
        objects: loaded.objects,
    })
}

/// Starts pods on the Docker engine.
pub struct EngineLauncher {
    engine: Engine,
    opts: RunOptions,
}

impl EngineLauncher {
    /// Connect to the engine (the error says what to do when it does not
    /// answer), and sweep what killed runs of this learner left behind.
    pub async fn connect(opts: RunOptions) -> anyhow::Result<Self> {
        let engine = Engine::connect().await?;
        engine.sweep().await?;
        Ok(EngineLauncher { engine, opts })
    }
}

/// A pod running on the engine; deleting it consumes the runtime's handle.
pub struct EnginePod(Mutex<Option<RunningPod>>);

impl Launcher for EngineLauncher {
    type Pod = EnginePod;
    async fn launch(&self, pod: &Pod, objects: &[Object], scale: f64) -> anyhow::Result<EnginePod> {
        let opts = RunOptions {
            time_scale: scale,
            ..self.opts.clone()
        };
        let running = self
            .engine
            .start_pod(pod, &Inputs::from_objects(objects), &opts)
            .await?;
        Ok(EnginePod(Mutex::new(Some(running))))
    }

    async fn grade_objects(
        &self,
        exercise: &Exercise,
        objects: &[Object],
        opts: &GradeOptions,
        progress: &mut dyn FnMut(&str),
    ) -> anyhow::Result<GradeReport> {
        super::cluster::grade_objects(&self.engine, &self.opts, exercise, objects, opts, progress)
            .await
    }
}

const DELETED: &str = "the pod has been deleted";

impl PodUnderTest for EnginePod {
    async fn status(&self) -> Result<PodStatus, PodError> {
        match self.0.lock().await.as_ref() {
            Some(p) => Ok(p.status().await),
            None => Err(PodError::Unavailable(DELETED.into())),
        }
    }

    async fn exec(
        &self,
        container: &str,
        argv: &[String],
        timeout: Duration,
    ) -> Result<ExecOutput, PodError> {
        let guard = self.0.lock().await;
        let Some(p) = guard.as_ref() else {
            return Err(PodError::Unavailable(DELETED.into()));
        };
        let out = p.exec(container, argv, timeout).await.map_err(classify)?;
        Ok(ExecOutput {
            exit_code: out.exit_code,
            stdout: out.stdout,
            stderr: out.stderr,
        })
    }

    async fn logs(&self, container: &str, previous: bool) -> Result<String, PodError> {
        let guard = self.0.lock().await;
        let Some(p) = guard.as_ref() else {
            return Err(PodError::Unavailable(DELETED.into()));
        };
        p.logs(container, previous).await.map_err(classify)
    }

    async fn signal(&self, container: &str, signal: &str) -> Result<(), PodError> {
        let guard = self.0.lock().await;
        let Some(p) = guard.as_ref() else {
            return Err(PodError::Unavailable(DELETED.into()));
        };
        p.signal(container, signal).await.map_err(classify)
    }

    async fn delete(&self, grace: Duration) -> Result<StopSignals, PodError> {
        let Some(p) = self.0.lock().await.take() else {
            return Ok(StopSignals::new());
        };
        p.delete_recording(Some(grace))
            .await
            .map_err(PodError::Engine)
    }
}

/// Tell "the learner's container cannot answer" from "the engine failed".
pub(super) fn classify(e: anyhow::Error) -> PodError {
    let learners = e.downcast_ref::<LearnerError>().is_some() || crate::runtime::is_unavailable(&e);
    if learners {
        PodError::Unavailable(format!("{e:#}"))
    } else {
        PodError::Engine(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::ContainerUnavailable;

    #[test]
    fn a_container_that_cannot_answer_is_an_observation_an_engine_failure_is_not() {
        let gone = anyhow::Error::new(ContainerUnavailable("container web is not running".into()))
            .context("exec in web");
        match classify(gone) {
            PodError::Unavailable(text) => assert!(text.contains("is not running"), "{text}"),
            PodError::Engine(e) => panic!("classified as an engine failure: {e:#}"),
        }
        let learner = crate::exit::learner_error("container \"x\" is not valid for pod \"p\"");
        assert!(matches!(classify(learner), PodError::Unavailable(_)));
        // Words alone do not decide: the engine failing to find its own
        // socket or image is the engine's failure.
        let engine = anyhow::anyhow!("image busybox:latest not found on the engine");
        assert!(matches!(classify(engine), PodError::Engine(_)));
    }
}
