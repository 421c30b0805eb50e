//! Running an exercise: static checks on the manifest, then the pod started
//! with the grader's run-time values injected, every behavioral check
//! evaluated in order with its timeout, and the pod always torn down (on
//! success, failure, engine error and Ctrl-C).
//!
//! The engine is reached only through [`Launcher`] and [`PodUnderTest`]: the
//! real adapter is in [`engine`], a recording fake in [`fake`] for tests.

pub mod cluster;
pub mod engine;
pub mod fake;
pub mod session;
mod tokens;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use tokio::time::Instant;

pub use tokens::{Tokens, placeholders, random_hex};

use crate::check::{self, CheckOutcome};
use crate::exercise::{Exercise, Inject};
use crate::manifest::model::{EnvVar, Object, ObjectMeta, Pod, PodSpec, Resource, VolumeSource};
use crate::report::GradeReport;
use crate::status::{PodStatus, StopSignals};

/// Where the host folders of observed volumes go (inside the folder the
/// safety policy allows for hostPath).
pub const OBSERVE_ROOT: &str = crate::manifest::safety::HOST_PATH_ROOT;

/// The token every check may use for the name the grader runs the Pod under.
pub const POD_NAME_TOKEN: &str = "pod_name";

/// Ctrl-C stopped grading (the pod was removed all the same).
#[derive(Debug, thiserror::Error)]
#[error("Interrupted: the pod was removed, nothing was graded")]
pub struct Interrupted;

/// What a command run in a container gave back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecOutput {
    pub exit_code: i64,
    pub stdout: String,
    pub stderr: String,
}

/// Why the pod could not be observed.
#[derive(Debug)]
pub enum PodError {
    /// The learner's pod cannot answer (the container is not running, has no
    /// such program, the pod is gone): an observation, and the check fails.
    Unavailable(String),
    /// The engine failed: grading stops with exit code 2.
    Engine(anyhow::Error),
}

/// The running pod, as the grader sees it. The runtime's `RunningPod`
/// implements it in [`engine`]; tests use [`fake::FakePod`].
#[allow(async_fn_in_trait)]
pub trait PodUnderTest {
    async fn status(&self) -> Result<PodStatus, PodError>;
    async fn exec(
        &self,
        container: &str,
        argv: &[String],
        timeout: Duration,
    ) -> Result<ExecOutput, PodError>;
    async fn logs(&self, container: &str, previous: bool) -> Result<String, PodError>;
    /// Send `signal` (`TERM`, `USR1`, ...) to a container's main process.
    async fn signal(&self, container: &str, signal: &str) -> Result<(), PodError>;
    /// Delete gracefully: preStop hooks, SIGTERM, SIGKILL after `grace`;
    /// tells when each container was sent its stop signal, where known.
    async fn delete(&self, grace: Duration) -> Result<StopSignals, PodError>;
}

/// Starts pods for the grader.
#[allow(async_fn_in_trait)]
pub trait Launcher {
    type Pod: PodUnderTest;
    /// Start `pod`; `objects` are the other objects of the learner's manifest
    /// (ConfigMaps, Secrets) it may use.
    async fn launch(
        &self,
        pod: &Pod,
        objects: &[Object],
        time_scale: f64,
    ) -> anyhow::Result<Self::Pod>;

    /// Grade a whole manifest (Pods, Services, Deployments, Jobs) for an
    /// exercise that names its Pods (see [`cluster`]). A launcher of single
    /// Pods says it cannot.
    async fn grade_objects(
        &self,
        exercise: &Exercise,
        objects: &[Object],
        opts: &GradeOptions,
        progress: &mut dyn FnMut(&str),
    ) -> anyhow::Result<GradeReport> {
        let _ = (objects, opts, progress);
        anyhow::bail!(
            "exercise {} grades a whole manifest, which this launcher cannot run",
            exercise.id
        )
    }
}

/// What every behavioral check needs besides the pod.
#[derive(Debug, Clone)]
pub struct EvalCtx {
    pub tokens: Tokens,
    /// Pause between two looks at the pod.
    pub poll: Duration,
    /// Longest one command may run in a container.
    pub exec_timeout: Duration,
    /// The host folder behind the volume a `delete` check observes: it
    /// outlives the pod, so the grader reads what preStop hooks wrote there.
    pub observed_dir: Option<PathBuf>,
}

/// How to grade.
#[derive(Debug, Clone)]
pub struct GradeOptions {
    pub poll: Duration,
    pub exec_timeout: Duration,
    /// `--time-scale` from the command line; the exercise's own wins when set.
    pub time_scale: f64,
    /// Tear down and stop on Ctrl-C (off in tests and in `verify`'s workers,
    /// where the caller handles it).
    pub handle_ctrl_c: bool,
    /// Fixed token values instead of random ones (tests).
    pub tokens: Option<Tokens>,
    /// Run what the safety policy refuses (`--allow-host-access`).
    pub allow_host_access: bool,
    /// Where observed volumes get their host folder.
    pub observe_root: PathBuf,
}

impl Default for GradeOptions {
    fn default() -> Self {
        GradeOptions {
            poll: Duration::from_millis(100),
            exec_timeout: Duration::from_secs(5),
            time_scale: 1.0,
            handle_ctrl_c: true,
            tokens: None,
            allow_host_access: false,
            observe_root: PathBuf::from(OBSERVE_ROOT),
        }
    }
}

/// Grade `pod` (the learner's, validated) against `exercise`. `progress` is
/// told what is happening, for a spinner. `Err` only for engine failures
/// and Ctrl-C; everything the learner got wrong is in the report.
pub async fn grade<L: Launcher>(
    exercise: &Exercise,
    pod: &Pod,
    objects: &[Object],
    launcher: &L,
    opts: &GradeOptions,
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<GradeReport> {
    let started = Instant::now();
    let tokens = opts
        .tokens
        .clone()
        .unwrap_or_else(|| Tokens::generate(&exercise.inject));
    let mut outcomes: Vec<CheckOutcome> = exercise
        .checks
        .iter()
        .filter_map(|c| check::static_checks::evaluate(c, pod, &tokens))
        .collect();
    let behavioral: Vec<&check::Check> = exercise
        .checks
        .iter()
        .filter(|c| !c.spec.is_static())
        .collect();
    if !behavioral.is_empty() {
        let observed_dir = match exercise.observed_volume() {
            Some(_) => Some(observe_dir(&opts.observe_root)?),
            None => None,
        };
        let mut ctx = EvalCtx {
            tokens,
            poll: opts.poll,
            exec_timeout: opts.exec_timeout,
            observed_dir,
        };
        let prepared = prepare(exercise, pod, &ctx.tokens, ctx.observed_dir.as_deref());
        // `{{pod_name}}`: the name the grader gave the Pod, so that a check
        // can tell the downward API's value from a name typed by hand.
        ctx.tokens.insert(POD_NAME_TOKEN, &prepared.metadata.name);
        progress(&format!("starting pod {}", prepared.metadata.name));
        let scale = exercise.time_scale.unwrap_or(opts.time_scale);
        // Ctrl-C while the pod starts: let the start finish (so everything it
        // created is known), then remove it.
        let objects = inject_objects(&exercise.inject, objects, &ctx.tokens);
        let launch = launcher.launch(&prepared, &objects, scale);
        tokio::pin!(launch);
        let mut stopped = false;
        let launched = if opts.handle_ctrl_c {
            tokio::select! {
                r = &mut launch => r,
                () = interrupted() => {
                    stopped = true;
                    launch.await
                }
            }
        } else {
            launch.await
        };
        let running = match launched {
            Ok(r) if stopped => {
                let _ = r.delete(Duration::ZERO).await;
                if let Some(dir) = &ctx.observed_dir {
                    let _ = std::fs::remove_dir_all(dir);
                }
                return Err(anyhow::Error::new(Interrupted));
            }
            Ok(r) => r,
            Err(e) => {
                if let Some(dir) = &ctx.observed_dir {
                    let _ = std::fs::remove_dir_all(dir);
                }
                return Err(e.context("Failed to start the pod"));
            }
        };
        let work = run_checks(exercise, &prepared, &running, &ctx, &behavioral, progress);
        let result = if opts.handle_ctrl_c {
            tokio::select! {
                r = work => r,
                () = interrupted() => Err(anyhow::Error::new(Interrupted)),
            }
        } else {
            work.await
        };
        // Teardown on every path; an error while cleaning up is kept beside
        // the original one, never instead of it.
        let teardown = running.delete(Duration::ZERO).await;
        if let Some(dir) = &ctx.observed_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        match (result, teardown) {
            (Ok(mut more), Ok(_) | Err(PodError::Unavailable(_))) => outcomes.append(&mut more),
            (Ok(_), Err(PodError::Engine(e))) => {
                return Err(e.context("Failed to remove the pod after grading"));
            }
            (Err(e), Err(PodError::Engine(t))) => {
                return Err(e.context(format!("and removing the pod failed too: {t:#}")));
            }
            (Err(e), _) => return Err(e),
        }
    }
    Ok(report(exercise, outcomes, started))
}

/// The report of a grading, in the exercise's order. A failure that follows
/// from an earlier failed check it builds on (`needs`) sends the learner
/// there: its own hint assumes that step worked.
pub(crate) fn report(
    exercise: &Exercise,
    mut outcomes: Vec<CheckOutcome>,
    started: Instant,
) -> GradeReport {
    let order = |id: &str| exercise.checks.iter().position(|c| c.id == id);
    outcomes.sort_by_key(|o| order(&o.id).unwrap_or(usize::MAX));
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| o.id.clone())
        .collect();
    for o in outcomes.iter_mut().filter(|o| !o.passed) {
        let needs = exercise
            .checks
            .iter()
            .find(|c| c.id == o.id)
            .map(|c| c.needs.as_slice())
            .unwrap_or_default();
        if let Some(first) = needs.iter().find(|n| failed.contains(n)) {
            o.hint = Some(format!(
                "This follows from `{first}` failing above: this check builds on it. Fix that first."
            ));
        }
    }
    GradeReport {
        exercise: exercise.id.clone(),
        title: exercise.title.clone(),
        passed: outcomes.iter().all(|o| o.passed),
        outcomes,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// Ctrl-C (SIGINT) or SIGTERM: either way the pod must be removed first.
pub(crate) async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

async fn run_checks<P: PodUnderTest>(
    exercise: &Exercise,
    prepared: &Pod,
    running: &P,
    ctx: &EvalCtx,
    behavioral: &[&check::Check],
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<Vec<CheckOutcome>> {
    let mut out = Vec::new();
    let setup = inject_files(exercise, prepared, running, ctx).await?;
    for check in behavioral {
        let names: Vec<&str> = prepared
            .spec
            .all_containers()
            .map(|c| c.name.as_str())
            .collect();
        if let Some(missing) = check
            .spec
            .containers()
            .into_iter()
            .find(|c| !names.contains(c))
        {
            out.push(CheckOutcome::new(
                check,
                false,
                format!("a container named {missing:?}"),
                format!(
                    "your pod has no container {missing:?} (it has {})",
                    names.join(", ")
                ),
            ));
            continue;
        }
        if let Some(why) = &setup {
            out.push(CheckOutcome::new(
                check,
                false,
                "the grader's setup to succeed".into(),
                why.clone(),
            ));
            continue;
        }
        progress(&format!("checking {}", check.id));
        out.push(check::behavior::evaluate(check, running, ctx).await?);
    }
    Ok(out)
}

/// The pod as the grader runs it: a unique name (the hostname stays the
/// learner's), injected env vars, and the observed volume (if a check
/// observes one) backed by `observed_dir` on the host.
pub fn prepare(
    exercise: &Exercise,
    pod: &Pod,
    tokens: &Tokens,
    observed_dir: Option<&Path>,
) -> Pod {
    let mut pod = pod.clone();
    let base: String = pod.metadata.name.chars().take(52).collect();
    if pod.spec.hostname.is_none() {
        pod.spec.hostname = Some(pod.spec.effective_hostname(&pod.metadata.name));
    }
    pod.metadata.name = format!("{base}-{}", &random_hex()[..6]);
    for inject in &exercise.inject {
        set_env(&mut pod.spec, inject, tokens);
        set_label(&mut pod.metadata, inject, tokens);
    }
    if let (Some(name), Some(dir)) = (exercise.observed_volume(), observed_dir) {
        // The volume's files must outlive the pod (a preStop hook writes
        // them while it is being deleted): back it by a host folder.
        for v in pod.spec.volumes.iter_mut().filter(|v| v.name == name) {
            v.source = VolumeSource::HostPath {
                path: dir.display().to_string(),
                kind: Some("DirectoryOrCreate".into()),
            };
        }
    }
    pod
}

/// Set an `env` injection's variable in the containers of `spec` it names.
pub fn set_env(spec: &mut PodSpec, inject: &Inject, tokens: &Tokens) {
    let Some(env) = &inject.env else { return };
    let value = tokens.get(&inject.name).unwrap_or_default().to_string();
    let all = spec
        .init_containers
        .iter_mut()
        .chain(spec.containers.iter_mut());
    for c in all {
        if inject.containers.is_empty() || inject.containers.contains(&c.name) {
            c.env.retain(|e| &e.name != env);
            c.env.push(EnvVar {
                name: env.clone(),
                value: Some(value.clone()),
                value_from: None,
            });
        }
    }
}

/// Set a `label` injection's label on the Pod (or a controller's template).
pub fn set_label(meta: &mut ObjectMeta, inject: &Inject, tokens: &Tokens) {
    let Some(key) = &inject.label else { return };
    let value = tokens.get(&inject.name).unwrap_or_default().to_string();
    meta.labels.insert(key.clone(), value);
}

/// A fresh host folder for an observed volume, writable by any container user.
fn observe_dir(root: &Path) -> anyhow::Result<PathBuf> {
    let dir = root.join(format!("grade-{}", random_hex()));
    std::fs::create_dir_all(&dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777));
    }
    Ok(dir)
}

/// The learner's other objects with the injected ConfigMap and Secret keys
/// set. An object the manifest lacks stays missing: the pod then shows why,
/// as it would on a cluster.
pub fn inject_objects(injects: &[Inject], objects: &[Object], tokens: &Tokens) -> Vec<Object> {
    let mut out = objects.to_vec();
    for inject in injects {
        let Some(key) = &inject.key else { continue };
        let value = tokens.get(&inject.name).unwrap_or_default();
        for object in &mut out {
            match &mut object.resource {
                Resource::ConfigMap(cm) if inject.configmap.as_ref() == Some(&cm.metadata.name) => {
                    cm.data.insert(key.clone(), value.to_string());
                }
                Resource::Secret(s) if inject.secret.as_ref() == Some(&s.metadata.name) => {
                    s.data.insert(key.clone(), value.as_bytes().to_vec());
                }
                _ => {}
            }
        }
    }
    out
}

/// Write the injected files into their containers once they run. `Some(why)`
/// when that was not possible (the learner's pod never ran the container).
async fn inject_files<P: PodUnderTest>(
    exercise: &Exercise,
    pod: &Pod,
    running: &P,
    ctx: &EvalCtx,
) -> anyhow::Result<Option<String>> {
    for inject in exercise.inject.iter().filter(|i| i.file.is_some()) {
        let (Some(path), Some(container)) = (&inject.file, &inject.container) else {
            continue;
        };
        if !pod.spec.all_containers().any(|c| &c.name == container) {
            return Ok(Some(format!(
                "your pod has no container {container:?} to write {path} into"
            )));
        }
        let value = ctx.tokens.get(&inject.name).unwrap_or_default();
        if let Some(why) = write_file(running, ctx, container, path, value).await? {
            return Ok(Some(why));
        }
    }
    Ok(None)
}

async fn write_file<P: PodUnderTest>(
    running: &P,
    ctx: &EvalCtx,
    container: &str,
    path: &str,
    value: &str,
) -> anyhow::Result<Option<String>> {
    let argv: Vec<String> = [
        "sh",
        "-c",
        "mkdir -p \"$(dirname \"$1\")\" && printf '%s\\n' \"$2\" > \"$1\"",
        "sh",
        path,
        value,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = String::new();
    while Instant::now() < deadline {
        match running.exec(container, &argv, ctx.exec_timeout).await {
            Ok(out) if out.exit_code == 0 => return Ok(None),
            Ok(out) => last = out.stderr,
            Err(PodError::Unavailable(why)) => last = why,
            Err(PodError::Engine(e)) => return Err(e),
        }
        tokio::time::sleep(ctx.poll).await;
    }
    Ok(Some(format!(
        "the grader could not write {path} into {container}: {}",
        last.trim()
    )))
}
