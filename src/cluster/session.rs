//! `podlearn run` of a manifest with Services, Deployments, ReplicaSets,
//! Jobs or CronJobs: per namespace a [`ControlPlane`] and its Pods, ticked
//! until Ctrl-C (or until a run of only Jobs has ended), then everything
//! removed. Other terminals see it through `store` (get, scale, create).

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, SystemTime};

use super::control::ControlPlane;
use super::pods::RuntimePods;
use super::render;
use super::store::{self, Request, RunFiles, Snapshot};
use super::{PodEngine, cronjob, network};
use crate::exit::Outcome;
use crate::manifest::model::{Object, Resource};
use crate::podenv::Inputs;
use crate::runtime::{self, Engine, RunOptions};
use crate::status::Phase;
use crate::term::Style;

/// How often the controllers look again.
const TICK: Duration = Duration::from_millis(500);

/// Whether a manifest needs the cluster controllers (not only Pods).
pub fn has_cluster_objects(objects: &[Object]) -> bool {
    objects.iter().any(|o| {
        matches!(
            o.resource,
            Resource::Service(_)
                | Resource::Deployment(_)
                | Resource::ReplicaSet(_)
                | Resource::Job(_)
                | Resource::CronJob(_)
        )
    })
}

/// `podlearn run FILE` when the file has cluster objects: the engine, the
/// sweep, then [`run`] in the foreground with the command line's `opts`.
pub async fn run_command(
    objects: &[Object],
    opts: RunOptions,
    style: Style,
) -> anyhow::Result<Outcome> {
    let engine = Engine::connect().await?;
    // What killed podlearn processes left behind goes first.
    let _ = engine.sweep().await;
    if let Some(notice) = RunOptions::time_scale_notice(opts.time_scale) {
        println!("{}", style.warn(&notice));
    }
    run(&engine, objects, &opts, style).await
}

/// One namespace of the run.
struct Namespace {
    plane: ControlPlane,
    pods: RuntimePods,
    files: RunFiles,
    bare: Vec<String>,
}

/// Run the objects in the foreground. `opts` are the runtime's options from
/// the command line; each namespace's Pods get its network on top.
pub async fn run(
    engine: &Engine,
    objects: &[Object],
    opts: &RunOptions,
    style: Style,
) -> anyhow::Result<Outcome> {
    let learner = runtime::current_learner();
    let dir = store::dir(&learner)?;
    let inputs = Inputs::from_objects(objects);
    let mut by_ns: BTreeMap<String, Vec<&Object>> = BTreeMap::new();
    for o in objects {
        by_ns
            .entry(o.resource.metadata().namespace.clone())
            .or_default()
            .push(o);
    }
    let mut spaces: Vec<Namespace> = Vec::new();
    let setup = async {
        for (ns, objs) in &by_ns {
            let labels = runtime::owned_labels(ns, "namespace-network", "network");
            let plane = ControlPlane::start(engine, &learner, ns, labels, opts.time_scale).await?;
            let mut pod_opts = opts.clone();
            pod_opts.network = Some(plane.network.clone());
            pod_opts.dns_search = network::dns_search(ns);
            let pods = RuntimePods::new(engine.clone(), inputs.clone(), pod_opts);
            spaces.push(Namespace {
                plane,
                pods,
                files: RunFiles::new(&dir, ns),
                bare: Vec::new(),
            });
            let space = spaces.last_mut().expect("just pushed");
            for o in objs {
                add(engine, space, o, style).await?;
            }
        }
        anyhow::Ok(())
    };
    let result = match setup.await {
        Ok(()) => {
            intro(&spaces, style)?;
            for (svc, selector) in services_without_pods(objects) {
                println!(
                    "{} Service {svc} selects {selector}, and no Pod of this manifest has those \
                     labels: it will have no endpoints (compare spec.selector with the Pods' \
                     metadata.labels)",
                    style.warn("warning:")
                );
            }
            supervise(engine, &mut spaces, style).await
        }
        Err(e) => Err(e),
    };
    // Every path ends here: Pods, proxies, networks and files go.
    let mut cleanup: Option<anyhow::Error> = None;
    for space in &mut spaces {
        space.files.remove();
        if let Err(e) = space.plane.teardown(engine, &space.pods).await {
            cleanup.get_or_insert(e);
        }
    }
    match (result, cleanup) {
        (Err(e), Some(c)) => Err(e.context(format!("and cleaning up failed too: {c:#}"))),
        (Err(e), None) => Err(e),
        (Ok(_), Some(c)) => Err(c.context("Failed to remove what the run created")),
        (Ok(outcome), None) => Ok(outcome),
    }
}

async fn add(
    engine: &Engine,
    space: &mut Namespace,
    o: &Object,
    style: Style,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match &o.resource {
        Resource::Pod(p) => {
            space.pods.start_pod(p).await?;
            space.bare.push(p.metadata.name.clone());
        }
        Resource::Service(s) if s.kind == "ExternalName" => writeln!(
            out,
            "{} Service {}: type ExternalName is only a DNS CNAME on a cluster; podlearn does not \
             create it",
            style.warn("note:"),
            s.metadata.name
        )?,
        Resource::Service(s) => {
            if s.kind == "NodePort" || s.kind == "LoadBalancer" {
                writeln!(
                    out,
                    "{} Service {}: type {} runs as a ClusterIP Service here (no node ports, no \
                     load balancer on one Docker engine)",
                    style.note("note:"),
                    s.metadata.name,
                    s.kind
                )?;
            }
            space.plane.add_service(engine, s).await?
        }
        Resource::Deployment(d) => space.plane.add_deployment(d),
        Resource::ReplicaSet(rs) => space.plane.add_replicaset(rs),
        Resource::Job(j) => space.plane.add_job(j),
        Resource::CronJob(c) => {
            let now_minute = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| (d.as_secs() / 60) as i64)
                .unwrap_or(0);
            cronjob::explain(&mut out, style, c, now_minute)?;
            space.plane.add_cronjob(c);
        }
        Resource::StatefulSet(_) | Resource::DaemonSet(_) => writeln!(
            out,
            "{} {} {}: podlearn does not run this kind (one machine has no nodes to spread over, \
             and no stable storage per replica); it is validated only",
            style.warn("note:"),
            o.resource.kind(),
            o.resource.metadata().name
        )?,
        Resource::ConfigMap(_) | Resource::Secret(_) => {}
    }
    Ok(())
}

fn intro(spaces: &[Namespace], style: Style) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for s in spaces {
        writeln!(
            out,
            "{} namespace {}: Pods share the network {} and reach each other by pod IP; \
             Service names resolve from inside them (a Service's cluster IP is its proxy \
             container's address: there is no kube-proxy).",
            style.note("note:"),
            s.plane.namespace,
            s.plane.network
        )?;
    }
    writeln!(
        out,
        "{} in another terminal: {}, {}, {}. Ctrl-C deletes everything.",
        style.note("try:"),
        style.command("podlearn get services|endpoints|deployments|jobs"),
        style.command("podlearn get pods"),
        style.command("podlearn scale deployment NAME --replicas N")
    )
}

async fn supervise(
    engine: &Engine,
    spaces: &mut [Namespace],
    style: Style,
) -> anyhow::Result<Outcome> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut last: BTreeMap<String, (Phase, bool)> = BTreeMap::new();
    loop {
        let mut all_done = true;
        for space in spaces.iter_mut() {
            for req in space.files.take_requests() {
                let mut out = std::io::stdout().lock();
                match req {
                    Request::Scale { name, replicas } => {
                        if space.plane.scale(&name, replicas) {
                            writeln!(out, "deployment.apps/{name} scaled to {replicas}")?;
                        }
                    }
                    Request::CreateJobFromCronJob { job, cronjob } => {
                        if space.plane.create_job_from_cronjob(&job, &cronjob) {
                            writeln!(out, "job.batch/{job} created from cronjob/{cronjob}")?;
                        }
                    }
                }
            }
            let said = space.plane.tick(engine, &space.pods).await?;
            let observed = space.pods.observe().await?;
            let mut out = std::io::stdout().lock();
            for line in said {
                writeln!(out, "{}", style.dim(&line))?;
            }
            for p in &observed {
                let now = (p.phase, p.ready);
                if last.get(&p.name) != Some(&now) {
                    let ready = if p.ready { "ready" } else { "not ready" };
                    writeln!(out, "pod/{}: {} ({ready})", p.name, p.phase.as_str())?;
                    last.insert(p.name.clone(), now);
                }
            }
            space.files.write(&snapshot(&space.plane, &observed))?;
            let bare_done = space.bare.iter().all(|n| {
                observed
                    .iter()
                    .find(|p| &p.name == n)
                    .is_none_or(|p| p.phase.is_final())
            });
            all_done &= space.plane.only_jobs() && space.plane.jobs_done() && bare_done;
        }
        if all_done {
            let mut out = std::io::stdout().lock();
            let rows: Vec<_> = spaces.iter().flat_map(|s| s.plane.job_rows()).collect();
            writeln!(out)?;
            render::jobs(&mut out, style, &rows)?;
            let failed = spaces.iter().any(|s| s.plane.any_job_failed());
            return Ok(Outcome::from_bool(!failed));
        }
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = &mut ctrl_c => break,
            _ = term.recv() => break,
        }
    }
    eprintln!(
        "{}",
        style.note("deleting the Pods, Service proxies and networks...")
    );
    Ok(Outcome::Success)
}

fn snapshot(plane: &ControlPlane, observed: &[super::PodObservation]) -> Snapshot {
    Snapshot {
        owner: runtime::this_process(),
        namespace: plane.namespace.clone(),
        services: render::services_cells(&plane.service_rows()),
        endpoints: render::endpoints_cells(&plane.endpoints_rows(observed)),
        deployments: render::deployments_cells(&plane.deployment_rows(observed)),
        jobs: render::jobs_cells(&plane.job_rows()),
        cronjobs: plane.cronjob_names(),
    }
}

/// Services of the manifest that no Pod of it (bare, or from a Deployment's,
/// ReplicaSet's or Job's template) would match, with the selector: they
/// will have no endpoints, the most common Service mistake.
pub fn services_without_pods(objects: &[Object]) -> Vec<(String, String)> {
    let pod_labels: Vec<(&str, &BTreeMap<String, String>)> = objects
        .iter()
        .filter_map(|o| {
            let ns = o.resource.metadata().namespace.as_str();
            match &o.resource {
                Resource::Pod(p) => Some((ns, &p.metadata.labels)),
                Resource::Deployment(d) => Some((ns, &d.template.metadata.labels)),
                Resource::ReplicaSet(r) => Some((ns, &r.template.metadata.labels)),
                Resource::Job(j) => Some((ns, &j.spec.template.metadata.labels)),
                Resource::CronJob(c) => Some((ns, &c.job_template.template.metadata.labels)),
                _ => None,
            }
        })
        .collect();
    objects
        .iter()
        .filter_map(|o| match &o.resource {
            Resource::Service(s) if !s.selector.is_empty() => {
                let matched = pod_labels
                    .iter()
                    .any(|(ns, l)| *ns == s.metadata.namespace && s.selects(l));
                let selector = s
                    .selector
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",");
                (!matched).then(|| (s.metadata.name.clone(), selector))
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(yaml: &str) -> Vec<Object> {
        let loaded = crate::manifest::load_str("test.yaml", yaml);
        assert!(!loaded.objects.is_empty(), "{:?}", loaded.findings);
        loaded.objects
    }

    const FILE: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: busybox}]
---
apiVersion: v1
kind: Service
metadata: {name: good}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: typo}
spec:
  selector: {app: wbe}
  ports: [{port: 80}]
"#;

    #[test]
    fn a_service_whose_selector_matches_no_pod_is_named() {
        let objs = objects(FILE);
        assert!(has_cluster_objects(&objs));
        assert_eq!(
            services_without_pods(&objs),
            vec![("typo".to_string(), "app=wbe".to_string())]
        );
    }

    #[test]
    fn pods_only_are_left_to_the_runtime() {
        let objs = objects(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: busybox}]\n",
        );
        assert!(!has_cluster_objects(&objs));
    }
}
