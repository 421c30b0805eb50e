//! Grading a whole manifest: every object of the learner's file runs as
//! `podlearn run` runs it (bare Pods on the runtime, Services, Deployments,
//! ReplicaSets and Jobs through a [`ControlPlane`] ticked while the checks
//! look), and everything is torn down afterwards, on every path.
//!
//! Checks name their Pod with `pod = "..."` ([`Target`]): a Pod's name, or
//! `deployment/NAME`, `replicaset/NAME`, `job/NAME` for a controller's
//! Pods, where a check must hold for each of them (`logs`: for one).
//! Cluster checks (`endpoints`, `replicas`, `delete_pod`, `job`) read what
//! the controllers report, through the pure `check::cluster_checks`.

mod pod;
mod targets;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use super::{EvalCtx, GradeOptions, Interrupted, Tokens};
use crate::check::cluster_checks::{self, ClusterLook};
use crate::check::{self, Check, CheckOutcome, CheckSpec, Within};
use crate::cluster::control::ControlPlane;
use crate::cluster::pods::RuntimePods;
use crate::cluster::{PodEngine, network};
use crate::exercise::Exercise;
use crate::exit::learner_error;
use crate::manifest::model::{Object, Resource};
use crate::podenv::Inputs;
use crate::report::GradeReport;
use crate::runtime::{self, Engine, RunOptions};

/// How often the controllers look again while checks run.
const TICK: Duration = Duration::from_millis(300);

use pod::ClusterPod;
pub use targets::{Target, prepare_objects};
use targets::{default_target, kind_word, static_pod};

/// Grade `objects` (the learner's whole manifest, validated) on the engine.
/// `Err` only for engine failures and Ctrl-C; everything is removed first.
pub async fn grade_objects(
    engine: &Engine,
    run_opts: &RunOptions,
    exercise: &Exercise,
    objects: &[Object],
    opts: &GradeOptions,
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<GradeReport> {
    let started = Instant::now();
    let tokens = opts
        .tokens
        .clone()
        .unwrap_or_else(|| Tokens::generate(&exercise.inject));
    let namespaces: BTreeSet<&str> = objects
        .iter()
        .map(|o| o.resource.metadata().namespace.as_str())
        .collect();
    if namespaces.len() > 1 {
        return Err(learner_error(format!(
            "exercise {} grades the objects of one namespace; this manifest uses {}",
            exercise.id,
            namespaces.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    let namespace = namespaces
        .into_iter()
        .next()
        .unwrap_or("default")
        .to_string();
    let default = default_target(objects);
    let target_of = |c: &Check| c.pod.as_deref().map(Target::parse).or(default.clone());

    let mut outcomes: Vec<CheckOutcome> = Vec::new();
    for c in exercise.checks.iter().filter(|c| c.spec.is_static()) {
        let pod = target_of(c).and_then(|t| static_pod(objects, &t));
        match pod {
            Some(pod) => outcomes.extend(check::static_checks::evaluate(c, &pod, &tokens)),
            None => outcomes.push(no_target(c)),
        }
    }

    let (prepared, renamed) = prepare_objects(exercise, objects, &tokens);
    let scale = exercise.time_scale.unwrap_or(opts.time_scale);
    // A network of its own: gradings running side by side (`verify`) never
    // share Service names.
    let run_id = format!(
        "{}-g{}",
        runtime::current_learner(),
        &super::random_hex()[..6]
    );
    let labels = runtime::owned_labels(&namespace, "namespace-network", "network");
    progress("starting the manifest's objects");
    let plane = ControlPlane::start(engine, &run_id, &namespace, labels, scale).await?;
    let pod_opts = RunOptions {
        time_scale: scale,
        network: Some(plane.network.clone()),
        dns_search: network::dns_search(&namespace),
        // Pods go at once, as the single-Pod grader removes its Pod: a
        // learner waits for no grace period after the checks.
        grace_override: Some(Duration::ZERO),
        ..run_opts.clone()
    };
    let cluster = Cluster {
        engine,
        plane: Mutex::new(plane),
        pods: RuntimePods::new(engine.clone(), Inputs::from_objects(&prepared), pod_opts),
        renamed,
    };
    let ctx = EvalCtx {
        tokens,
        poll: opts.poll,
        exec_timeout: opts.exec_timeout,
        observed_dir: None,
    };
    let work = async {
        cluster.add_all(&prepared).await?;
        let mut out = Vec::new();
        for c in exercise.checks.iter().filter(|c| !c.spec.is_static()) {
            progress(&format!("checking {}", c.id));
            let t0 = Instant::now();
            let mut o = match &c.spec {
                s if s.is_cluster() => cluster.cluster_check(c, &ctx).await?,
                _ => match target_of(c) {
                    Some(t) => cluster.pod_check(c, &t, &ctx).await?,
                    None => no_target(c),
                },
            };
            o.seconds = t0.elapsed().as_secs_f64();
            out.push(o);
        }
        anyhow::Ok(out)
    };
    let result = tokio::select! {
        r = work => r,
        e = cluster.tick_forever() => Err(e),
        () = super::interrupted(), if opts.handle_ctrl_c => Err(anyhow::Error::new(Interrupted)),
    };
    // Teardown on every path; an error while cleaning up is kept beside the
    // original one, never instead of it.
    let mut plane = cluster.plane.lock().await;
    // A launch in flight when the check was interrupted was dropped with
    // `work`, and removed what it had created then (its launch guard).
    let teardown = plane.teardown(engine, &cluster.pods).await;
    drop(plane);
    match (result, teardown) {
        (Ok(mut more), Ok(())) => outcomes.append(&mut more),
        (Ok(_), Err(e)) => {
            return Err(e.context("Failed to remove the manifest's objects after grading"));
        }
        (Err(e), Err(t)) => {
            return Err(e.context(format!("and removing the objects failed too: {t:#}")));
        }
        (Err(e), Ok(())) => return Err(e),
    }
    Ok(super::report(exercise, outcomes, started))
}

/// A check of a manifest with several Pods that does not say which.
fn no_target(c: &Check) -> CheckOutcome {
    CheckOutcome::new(
        c,
        false,
        "a Pod to look at".into(),
        "the manifest has several Pods or a controller, and the check names none \
         (the exercise must give pod = \"NAME\" or \"deployment/NAME\")"
            .into(),
    )
}

/// One grading's control plane and Pods.
struct Cluster<'a> {
    engine: &'a Engine,
    plane: Mutex<ControlPlane>,
    pods: RuntimePods,
    /// The learner's bare Pod names -> the running ones.
    renamed: BTreeMap<String, String>,
}

impl Cluster<'_> {
    async fn add_all(&self, objects: &[Object]) -> anyhow::Result<()> {
        for o in objects {
            match &o.resource {
                Resource::Pod(p) => self.pods.start_pod(p).await?,
                Resource::Service(s) if s.kind == "ExternalName" => {}
                Resource::Service(s) => self.plane.lock().await.add_service(self.engine, s).await?,
                Resource::Deployment(d) => self.plane.lock().await.add_deployment(d),
                Resource::ReplicaSet(r) => self.plane.lock().await.add_replicaset(r),
                Resource::Job(j) => self.plane.lock().await.add_job(j),
                Resource::CronJob(c) => self.plane.lock().await.add_cronjob(c),
                _ => {}
            }
        }
        Ok(())
    }

    /// Tick the controllers until an engine error (returned).
    async fn tick_forever(&self) -> anyhow::Error {
        loop {
            if let Err(e) = self.plane.lock().await.tick(self.engine, &self.pods).await {
                return e;
            }
            tokio::time::sleep(TICK).await;
        }
    }

    /// The running Pods a target names now (a controller's change); None
    /// when the manifest has no such Pod or controller.
    async fn resolve(&self, target: &Target) -> anyhow::Result<Option<Vec<String>>> {
        let observed = self.pods.observe().await?;
        Ok(match target {
            Target::Pod(n) => self.renamed.get(n).map(|r| {
                observed
                    .iter()
                    .filter(|p| &p.name == r)
                    .map(|p| p.name.clone())
                    .collect()
            }),
            Target::Controller { kind, name } => {
                self.plane.lock().await.pods_of(kind, name, &observed)
            }
        })
    }

    /// The Pods of `target`, waiting up to `within` for at least one; Err
    /// (the learner's words) when the manifest has no such Pod or controller.
    async fn wait_for_pods(
        &self,
        target: &Target,
        within: Duration,
    ) -> anyhow::Result<Result<Vec<String>, String>> {
        let deadline = Instant::now() + within;
        loop {
            let Some(names) = self.resolve(target).await? else {
                return Ok(Err(match target {
                    Target::Pod(n) => format!("the manifest has no Pod named {n:?}"),
                    Target::Controller { kind, name } => {
                        format!("the manifest has no {} named {name:?}", kind_word(kind))
                    }
                }));
            };
            if !names.is_empty() || Instant::now() >= deadline {
                return Ok(Ok(names));
            }
            tokio::time::sleep(TICK).await;
        }
    }

    /// A behavioral check on the Pods of `target`: each must pass (`logs`:
    /// one is enough, as `kubectl logs deployment/NAME` shows one).
    async fn pod_check(
        &self,
        c: &Check,
        target: &Target,
        ctx: &EvalCtx,
    ) -> anyhow::Result<CheckOutcome> {
        let within = within_of(&c.spec);
        let names = match self.wait_for_pods(target, within).await? {
            Ok(names) if !names.is_empty() => names,
            Ok(_) => {
                return Ok(CheckOutcome::new(
                    c,
                    false,
                    format!("a running {}", target.show()),
                    format!("no Pod of {} is running", target.show()),
                ));
            }
            Err(why) => {
                return Ok(CheckOutcome::new(
                    c,
                    false,
                    format!("a running {}", target.show()),
                    why,
                ));
            }
        };
        let any =
            matches!(c.spec, CheckSpec::Logs { .. }) && matches!(target, Target::Controller { .. });
        let mut last = None;
        for name in &names {
            let pod = ClusterPod {
                pods: &self.pods,
                name: name.clone(),
            };
            let mut o = check::behavior::evaluate(c, &pod, ctx).await?;
            if names.len() > 1 || matches!(target, Target::Controller { .. }) {
                o.observed = format!("in Pod {name}: {}", o.observed);
            }
            if o.passed == any {
                return Ok(o);
            }
            last = Some(o);
        }
        let mut o = last.expect("at least one Pod");
        if !any && names.len() > 1 {
            o.observed = format!(
                "each of {} Pods of {} passed; the last {}",
                names.len(),
                target.show(),
                o.observed
            );
        }
        Ok(o)
    }

    async fn cluster_check(&self, c: &Check, ctx: &EvalCtx) -> anyhow::Result<CheckOutcome> {
        let within = within_of(&c.spec);
        let (expected, look) = match &c.spec {
            CheckSpec::Endpoints { service, count, .. } => {
                let look = self
                    .poll(within, None, ctx.poll, async || {
                        let observed = self.pods.observe().await?;
                        let rows = self.plane.lock().await.endpoints_rows(&observed);
                        Ok(cluster_checks::endpoints(&rows, service, count))
                    })
                    .await?;
                (cluster_checks::endpoints_expected(service, count), look)
            }
            CheckSpec::Replicas {
                deployment,
                ready,
                hold,
                ..
            } => {
                let look = self
                    .poll(within, hold.map(|h| h.0), ctx.poll, async || {
                        let observed = self.pods.observe().await?;
                        let rows = self.plane.lock().await.deployment_rows(&observed);
                        Ok(cluster_checks::replicas(&rows, deployment, ready))
                    })
                    .await?;
                let want = held(cluster_checks::replicas_expected(deployment, ready), hold);
                (want, look)
            }
            CheckSpec::Pods {
                labels,
                count,
                hold,
                ..
            } => {
                let look = self
                    .poll(within, hold.map(|h| h.0), ctx.poll, async || {
                        let observed = self.pods.observe().await?;
                        Ok(cluster_checks::pods(&observed, labels, count))
                    })
                    .await?;
                let want = held(cluster_checks::pods_expected(labels, count), hold);
                (want, look)
            }
            CheckSpec::Job {
                job,
                succeeded,
                failed,
                complete,
                max_active,
                ..
            } => {
                let look = self
                    .poll(within, None, ctx.poll, async || {
                        let status = self.plane.lock().await.job_status(job);
                        Ok(cluster_checks::job(
                            status,
                            job,
                            succeeded.as_ref(),
                            failed.as_ref(),
                            *complete,
                            *max_active,
                        ))
                    })
                    .await?;
                let want = cluster_checks::job_expected(
                    job,
                    succeeded.as_ref(),
                    failed.as_ref(),
                    *complete,
                    *max_active,
                );
                (want, look)
            }
            CheckSpec::DeletePod { then_ready, .. } => {
                let target = Target::parse(c.pod.as_deref().unwrap_or_default());
                return self.delete_pod(c, &target, *then_ready, within, ctx).await;
            }
            _ => anyhow::bail!("check {} is not a cluster check", c.id),
        };
        let mut outcome = CheckOutcome::new(c, look.passed, expected, look.observed);
        if let (false, Some(hint)) = (look.passed, look.hint) {
            outcome.hint = Some(hint);
        }
        Ok(outcome)
    }

    /// Delete one Pod of a controller, then expect `then_ready` ready Pods
    /// of it again, the deleted one not among them.
    async fn delete_pod(
        &self,
        c: &Check,
        target: &Target,
        then_ready: u32,
        within: Duration,
        ctx: &EvalCtx,
    ) -> anyhow::Result<CheckOutcome> {
        let victim = match self.wait_for_pods(target, within).await? {
            Ok(names) if !names.is_empty() => names[0].clone(),
            found => {
                let why = found
                    .err()
                    .unwrap_or_else(|| format!("{} has no running Pod", target.show()));
                return Ok(CheckOutcome::new(
                    c,
                    false,
                    format!("a Pod of {} to delete", target.show()),
                    why,
                ));
            }
        };
        self.pods.delete_pod(&victim).await?;
        let Target::Controller { kind, name } = target else {
            anyhow::bail!("check {}: delete_pod needs a controller", c.id);
        };
        let look = self
            .poll(within, None, ctx.poll, async || {
                let observed = self.pods.observe().await?;
                let mine = self
                    .plane
                    .lock()
                    .await
                    .pods_of(kind, name, &observed)
                    .unwrap_or_default();
                let ready: Vec<&str> = observed
                    .iter()
                    .filter(|p| p.ready && mine.contains(&p.name))
                    .map(|p| p.name.as_str())
                    .collect();
                Ok(ClusterLook {
                    passed: ready.len() as u32 == then_ready && !mine.contains(&victim),
                    observed: if ready.is_empty() {
                        "no ready Pod".to_string()
                    } else {
                        format!("{} ready Pod(s): {}", ready.len(), ready.join(", "))
                    },
                    settled: false,
                    hint: None,
                })
            })
            .await?;
        Ok(CheckOutcome::new(
            c,
            look.passed,
            format!(
                "after Pod {victim} was deleted, {} to be back at {then_ready} ready Pod(s)",
                target.show()
            ),
            look.observed,
        ))
    }

    /// Look until `look` passes (and keeps passing for `hold`), it is
    /// settled, or `within` ran out.
    async fn poll(
        &self,
        within: Duration,
        hold: Option<Duration>,
        every: Duration,
        mut look: impl AsyncFnMut() -> anyhow::Result<ClusterLook>,
    ) -> anyhow::Result<ClusterLook> {
        let deadline = Instant::now() + within;
        let mut since: Option<Instant> = None;
        loop {
            let mut l = look().await?;
            let now = Instant::now();
            if l.passed {
                let start = *since.get_or_insert(now);
                if hold.is_none_or(|h| now - start >= h) {
                    return Ok(l);
                }
            } else if let Some(start) = since {
                l.observed = format!(
                    "held for {:.1}s, then {}",
                    (now - start).as_secs_f64(),
                    l.observed
                );
                return Ok(l);
            } else if l.settled || now >= deadline {
                return Ok(l);
            }
            tokio::time::sleep(every.max(Duration::from_millis(100))).await;
        }
    }
}

/// What a check wants, with how long it must keep holding.
fn held(want: String, hold: &Option<Within>) -> String {
    match hold {
        Some(h) => format!("{want}, for {}", humantime::format_duration(h.0)),
        None => want,
    }
}

fn within_of(spec: &CheckSpec) -> Duration {
    let w = match spec {
        CheckSpec::Exec { within, .. }
        | CheckSpec::Http { within, .. }
        | CheckSpec::File { within, .. }
        | CheckSpec::Logs { within, .. }
        | CheckSpec::Phase { within, .. }
        | CheckSpec::ContainerState { within, .. }
        | CheckSpec::Ready { within, .. }
        | CheckSpec::Order { within, .. }
        | CheckSpec::Process { within, .. }
        | CheckSpec::Signal { within, .. }
        | CheckSpec::Delete { within, .. }
        | CheckSpec::Endpoints { within, .. }
        | CheckSpec::Replicas { within, .. }
        | CheckSpec::Pods { within, .. }
        | CheckSpec::DeletePod { within, .. }
        | CheckSpec::Job { within, .. } => *within,
        _ => None,
    };
    w.unwrap_or(Within::DEFAULT).0
}
