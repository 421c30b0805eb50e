//! One namespace's control plane for one `podlearn run`: its network, its
//! Services (proxies and headless names), ReplicaSets/Deployments and Jobs,
//! driven by [`ControlPlane::tick`], which does what a cluster's endpoints,
//! ReplicaSet and Job controllers do, one pass each.

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use super::deployment::ReplicaSetController;
use super::endpoints::{self, Endpoints};
use super::job::{JobController, JobCounts, JobState};
use super::render::{DeploymentRow, EndpointsRow, JobRow, ServiceRow};
use super::service::{self, SandboxRef, ServiceProxy};
use super::{ClusterEngine, PodEngine, PodObservation, network};
use crate::manifest::model::{CronJob, Deployment, Job, ObjectMeta, ReplicaSet, Service};

/// Everything podlearn runs for one (learner, namespace).
#[derive(Debug)]
pub struct ControlPlane {
    pub namespace: String,
    pub network: String,
    labels: BTreeMap<String, String>,
    proxies: Vec<ServiceProxy>,
    headless: Vec<(Service, SystemTime)>,
    headless_applied: BTreeMap<String, BTreeSet<String>>,
    replicasets: Vec<ReplicaSetController>,
    jobs: Vec<JobController>,
    cronjobs: Vec<CronJob>,
    time_scale: f64,
    /// The last endpoints of each Service, to report changes.
    last_endpoints: BTreeMap<String, String>,
}

impl ControlPlane {
    /// Make (or reuse) the namespace network. `labels` go on everything
    /// created: `io.podlearn.managed=true`, the learner, the owner.
    pub async fn start(
        engine: &impl ClusterEngine,
        learner: &str,
        namespace: &str,
        labels: BTreeMap<String, String>,
        time_scale: f64,
    ) -> anyhow::Result<Self> {
        let network = network::network_name(learner, namespace);
        network::ensure(engine, &network, &labels).await?;
        Ok(ControlPlane {
            namespace: namespace.into(),
            network,
            labels,
            proxies: Vec::new(),
            headless: Vec::new(),
            headless_applied: BTreeMap::new(),
            replicasets: Vec::new(),
            jobs: Vec::new(),
            cronjobs: Vec::new(),
            time_scale,
            last_endpoints: BTreeMap::new(),
        })
    }

    /// A ClusterIP Service gets its proxy now; a headless one its names at
    /// the next tick.
    pub async fn add_service(
        &mut self,
        engine: &impl ClusterEngine,
        svc: &Service,
    ) -> anyhow::Result<()> {
        if svc.headless {
            self.headless.push((svc.clone(), SystemTime::now()));
        } else {
            let proxy = service::start_proxy(engine, svc, &self.network, &self.labels).await?;
            self.proxies.push(proxy);
        }
        Ok(())
    }

    pub fn add_deployment(&mut self, d: &Deployment) {
        self.replicasets
            .push(ReplicaSetController::for_deployment(d));
    }

    pub fn add_replicaset(&mut self, rs: &ReplicaSet) {
        self.replicasets
            .push(ReplicaSetController::for_replicaset(rs));
    }

    pub fn add_job(&mut self, job: &Job) {
        self.jobs.push(JobController::new(job, self.time_scale));
    }

    /// A CronJob: kept so `create job --from=cronjob/NAME` can run it.
    pub fn add_cronjob(&mut self, cron: &CronJob) {
        self.cronjobs.push(cron.clone());
    }

    pub fn cronjob_names(&self) -> Vec<String> {
        self.cronjobs
            .iter()
            .map(|c| c.metadata.name.clone())
            .collect()
    }

    /// `podlearn create job NAME --from=cronjob/CRON`: a Job from the
    /// CronJob's template, started now (as kubectl does, with the
    /// `cronjob.kubernetes.io/instantiate: manual` annotation). False when
    /// there is no such CronJob or the Job name is taken.
    pub fn create_job_from_cronjob(&mut self, job: &str, cronjob: &str) -> bool {
        let Some(cron) = self.cronjobs.iter().find(|c| c.metadata.name == cronjob) else {
            return false;
        };
        if self.jobs.iter().any(|j| j.job.metadata.name == job) {
            return false;
        }
        let mut metadata = ObjectMeta {
            name: job.into(),
            namespace: self.namespace.clone(),
            ..Default::default()
        };
        metadata
            .annotations
            .insert("cronjob.kubernetes.io/instantiate".into(), "manual".into());
        let job = Job {
            metadata,
            spec: cron.job_template.clone(),
        };
        self.add_job(&job);
        true
    }

    /// Whether the plane runs only Jobs (then the run ends with them).
    pub fn only_jobs(&self) -> bool {
        self.proxies.is_empty()
            && self.headless.is_empty()
            && self.replicasets.is_empty()
            && self.cronjobs.is_empty()
    }

    /// `podlearn scale`: false when there is no such Deployment/ReplicaSet.
    pub fn scale(&mut self, name: &str, replicas: u32) -> bool {
        match self.replicasets.iter_mut().find(|r| r.owner == name) {
            Some(rs) => {
                rs.scale(replicas);
                true
            }
            None => false,
        }
    }

    /// Every Service's Endpoints from the observed Pods.
    pub fn endpoints(&self, observed: &[PodObservation]) -> Vec<Endpoints> {
        let views: Vec<_> = observed.iter().map(PodObservation::view).collect();
        self.services()
            .map(|(svc, _)| endpoints::compute(svc, &views))
            .collect()
    }

    fn services(&self) -> impl Iterator<Item = (&Service, SystemTime)> {
        self.proxies
            .iter()
            .map(|p| (&p.service, p.created))
            .chain(self.headless.iter().map(|(s, t)| (s, *t)))
    }

    /// One pass of every controller. Returns lines worth showing the learner
    /// (Pods created and replaced, Jobs ended, endpoints changed).
    pub async fn tick(
        &mut self,
        ce: &impl ClusterEngine,
        pe: &impl PodEngine,
    ) -> anyhow::Result<Vec<String>> {
        let mut said = Vec::new();
        let observed = pe.observe().await?;
        for rs in &mut self.replicasets {
            let done = rs.reconcile(pe, &observed).await?;
            for gone in &done.vanished {
                said.push(format!("replicaset/{}: pod {gone} is gone", rs.replicaset));
            }
            for name in &done.created {
                said.push(format!("replicaset/{}: created pod {name}", rs.replicaset));
            }
            for name in &done.deleted {
                said.push(format!("replicaset/{}: deleted pod {name}", rs.replicaset));
            }
        }
        for job in &mut self.jobs {
            let before = job.state;
            let after = job.reconcile(pe, &observed).await?;
            if after != before {
                let why = match after {
                    JobState::Failed(r) => format!(" ({}: {})", r.as_str(), r.message()),
                    _ => String::new(),
                };
                said.push(format!(
                    "job/{}: {}{why}",
                    job.job.metadata.name,
                    after.as_str()
                ));
            }
        }
        // Services follow the Pods as they are after this pass.
        let observed = pe.observe().await?;
        let all = self.endpoints(&observed);
        for (proxy, eps) in self.proxies.iter_mut().zip(&all) {
            proxy.sync(ce, eps).await?;
        }
        let headless_eps = &all[self.proxies.len()..];
        let want = service::headless_aliases(
            self.headless.iter().map(|(s, _)| s).zip(headless_eps),
            &self.headless_applied,
        );
        let sandboxes: BTreeMap<String, SandboxRef> = observed
            .iter()
            .filter_map(|p| {
                Some((
                    p.name.clone(),
                    SandboxRef {
                        sandbox: p.sandbox.clone(),
                        ip: p.ip.clone()?,
                    },
                ))
            })
            .collect();
        service::sync_headless(
            ce,
            &self.network,
            &want,
            &sandboxes,
            &mut self.headless_applied,
        )
        .await?;
        for eps in &all {
            let column = endpoints::endpoints_column(eps);
            if self.last_endpoints.get(&eps.service) != Some(&column) {
                said.push(format!("endpoints/{}: {column}", eps.service));
                self.last_endpoints.insert(eps.service.clone(), column);
            }
        }
        Ok(said)
    }

    /// True when there are Jobs and all of them ended (a run of only Jobs
    /// can stop then).
    pub fn jobs_done(&self) -> bool {
        !self.jobs.is_empty() && self.jobs.iter().all(|j| j.state.is_final())
    }

    /// Whether a Job failed (the run then exits 1).
    pub fn any_job_failed(&self) -> bool {
        self.jobs
            .iter()
            .any(|j| matches!(j.state, JobState::Failed(_)))
    }

    /// The observed Pods of a controller (`kind` is `deployment`,
    /// `replicaset` or `job`), by name; None when there is no such controller.
    pub fn pods_of(
        &self,
        kind: &str,
        name: &str,
        observed: &[PodObservation],
    ) -> Option<Vec<String>> {
        if kind == "job" {
            let job = self.jobs.iter().find(|j| j.job.metadata.name == name)?;
            let mine: Vec<&String> = job.pod_names().collect();
            return Some(
                observed
                    .iter()
                    .filter(|p| mine.contains(&&p.name))
                    .map(|p| p.name.clone())
                    .collect(),
            );
        }
        let rs = self.replicasets.iter().find(|r| r.owner == name)?;
        Some(rs.mine(observed).iter().map(|p| p.name.clone()).collect())
    }

    /// A Job's state and what its Pods did; None when there is no such Job.
    pub fn job_status(&self, name: &str) -> Option<(JobState, JobCounts)> {
        self.jobs
            .iter()
            .find(|j| j.job.metadata.name == name)
            .map(|j| (j.state, j.counts()))
    }

    pub fn service_rows(&self) -> Vec<ServiceRow> {
        let mut rows: Vec<ServiceRow> = self
            .proxies
            .iter()
            .map(|p| ServiceRow {
                name: p.service.metadata.name.clone(),
                kind: p.service.kind.clone(),
                cluster_ip: Some(p.cluster_ip.clone()),
                ports: p.service.ports.clone(),
                age: p.created.elapsed().unwrap_or_default(),
            })
            .collect();
        rows.extend(self.headless.iter().map(|(s, t)| ServiceRow {
            name: s.metadata.name.clone(),
            kind: s.kind.clone(),
            cluster_ip: None,
            ports: s.ports.clone(),
            age: t.elapsed().unwrap_or_default(),
        }));
        rows
    }

    pub fn endpoints_rows(&self, observed: &[PodObservation]) -> Vec<EndpointsRow> {
        self.endpoints(observed)
            .iter()
            .zip(self.services())
            .map(|(eps, (_, t))| EndpointsRow {
                name: eps.service.clone(),
                endpoints: endpoints::endpoints_column(eps),
                age: t.elapsed().unwrap_or_default(),
                ready_pods: eps.ready_pods().into_iter().map(String::from).collect(),
                not_ready_pods: eps.not_ready_pods().into_iter().map(String::from).collect(),
            })
            .collect()
    }

    pub fn deployment_rows(&self, observed: &[PodObservation]) -> Vec<DeploymentRow> {
        self.replicasets.iter().map(|r| r.row(observed)).collect()
    }

    pub fn job_rows(&self) -> Vec<JobRow> {
        self.jobs.iter().map(JobController::row).collect()
    }

    /// Remove everything: every Pod, the proxies, the network
    /// (kept if another podlearn of the learner still uses it). Every step
    /// is tried; the first error is returned after all were.
    pub async fn teardown(
        &mut self,
        ce: &impl ClusterEngine,
        pe: &impl PodEngine,
    ) -> anyhow::Result<()> {
        let mut first: Option<anyhow::Error> = None;
        let mut keep = |r: anyhow::Result<()>| {
            if let Err(e) = r
                && first.is_none()
            {
                first = Some(e);
            }
        };
        for rs in &mut self.replicasets {
            keep(rs.delete_all(pe).await);
        }
        for job in &mut self.jobs {
            keep(job.delete_all(pe).await);
        }
        // Bare Pods too; and the network can only go once they are gone.
        keep(pe.delete_all_and_wait().await);
        for p in self.proxies.drain(..) {
            keep(ce.remove_container(&p.container).await);
        }
        keep(ce.remove_network(&self.network).await);
        first.map_or(Ok(()), Err)
    }
}
