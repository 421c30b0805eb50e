//! The ReplicaSet controller (a Deployment runs one ReplicaSet for its
//! current template): keeps `replicas` Pods, named as a cluster names them,
//! replaces one that is deleted or fails, and scales on request.
//!
//! podlearn keeps one ReplicaSet per Deployment: a changed template is not
//! rolled out (no rolling update); scale and replacement work as on a cluster.

use std::collections::BTreeMap;
use std::time::SystemTime;

use super::render::DeploymentRow;
use super::replicaset::{self, ReplicaPod};
use super::{PodEngine, PodObservation};
use crate::manifest::model::{Deployment, LabelSelector, ObjectMeta, Pod, PodTemplate, ReplicaSet};

/// The label a Deployment's Pods carry with their template's hash.
pub const TEMPLATE_HASH_LABEL: &str = "pod-template-hash";

/// One ReplicaSet being kept at its count (possibly owned by a Deployment).
#[derive(Debug, Clone)]
pub struct ReplicaSetController {
    /// The Deployment's name, or the ReplicaSet's for a bare ReplicaSet.
    pub owner: String,
    /// `<deployment>-<hash>`, or the ReplicaSet's own name.
    pub replicaset: String,
    pub namespace: String,
    pub replicas: u32,
    pub selector: LabelSelector,
    pub template: PodTemplate,
    pub created: SystemTime,
    /// The Pods it created, with their creation order.
    owned: BTreeMap<String, u64>,
    next_seq: u64,
    extra_labels: BTreeMap<String, String>,
    /// A Deployment created paused: it makes no Pods until it has a ReplicaSet.
    paused: bool,
}

/// What one reconcile pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciled {
    pub created: Vec<String>,
    pub deleted: Vec<String>,
    /// Pods it had that disappeared (deleted by hand): replaced this pass.
    pub vanished: Vec<String>,
}

impl ReplicaSetController {
    pub fn for_deployment(d: &Deployment) -> Self {
        let hash = replicaset::pod_template_hash(&d.template);
        let mut c = Self::new(
            &d.metadata,
            replicaset::replicaset_name(&d.metadata.name, &hash),
            d.replicas,
            &d.selector,
            &d.template,
        );
        c.extra_labels.insert(TEMPLATE_HASH_LABEL.into(), hash);
        c.paused = d.paused;
        c
    }

    pub fn for_replicaset(rs: &ReplicaSet) -> Self {
        Self::new(
            &rs.metadata,
            rs.metadata.name.clone(),
            rs.replicas,
            &rs.selector,
            &rs.template,
        )
    }

    fn new(
        meta: &ObjectMeta,
        replicaset: String,
        replicas: u32,
        selector: &LabelSelector,
        template: &PodTemplate,
    ) -> Self {
        ReplicaSetController {
            owner: meta.name.clone(),
            replicaset,
            namespace: meta.namespace.clone(),
            replicas,
            selector: selector.clone(),
            template: template.clone(),
            created: SystemTime::now(),
            owned: BTreeMap::new(),
            next_seq: 0,
            extra_labels: BTreeMap::new(),
            paused: false,
        }
    }

    /// `podlearn scale`: the next reconcile creates or deletes Pods.
    pub fn scale(&mut self, replicas: u32) {
        self.replicas = replicas;
    }

    /// The Pod this controller would create next (a fresh name).
    pub fn new_pod(&self) -> Pod {
        let mut metadata = self.template.metadata.clone();
        metadata.name = replicaset::pod_name(&self.replicaset, &replicaset::random_suffix());
        metadata.namespace = self.namespace.clone();
        metadata.labels.extend(self.extra_labels.clone());
        Pod {
            metadata,
            spec: self.template.spec.clone(),
        }
    }

    /// This controller's Pods among the observed ones.
    pub fn mine<'a>(&self, observed: &'a [PodObservation]) -> Vec<&'a PodObservation> {
        observed
            .iter()
            .filter(|p| self.owned.contains_key(&p.name))
            .collect()
    }

    /// One pass: compare its Pods with `replicas`, create and delete.
    pub async fn reconcile(
        &mut self,
        engine: &impl PodEngine,
        observed: &[PodObservation],
    ) -> anyhow::Result<Reconciled> {
        let mut done = Reconciled::default();
        // A Deployment created paused has no ReplicaSet yet, so nothing
        // makes Pods for it (a cluster's deployment controller only scales
        // the ReplicaSets a paused Deployment already has).
        if self.paused && self.next_seq == 0 {
            return Ok(done);
        }
        let mine = self.mine(observed);
        let present: Vec<&str> = mine.iter().map(|p| p.name.as_str()).collect();
        done.vanished = self
            .owned
            .keys()
            .filter(|n| !present.contains(&n.as_str()))
            .cloned()
            .collect();
        for gone in &done.vanished {
            self.owned.remove(gone);
        }
        let pods: Vec<ReplicaPod> = mine
            .iter()
            .map(|p| ReplicaPod {
                name: p.name.clone(),
                finished: p.phase.is_final(),
                running: p.phase == crate::status::Phase::Running,
                ready: p.ready,
                restarts: p.restarts,
                created: self.owned.get(&p.name).copied().unwrap_or(0),
            })
            .collect();
        let plan = replicaset::plan(self.replicas, &pods);
        for name in plan.delete {
            engine.delete_pod(&name).await?;
            self.owned.remove(&name);
            done.deleted.push(name);
        }
        for _ in 0..plan.create {
            let pod = self.new_pod();
            engine.start_pod(&pod).await?;
            self.next_seq += 1;
            self.owned.insert(pod.metadata.name.clone(), self.next_seq);
            done.created.push(pod.metadata.name);
        }
        Ok(done)
    }

    /// The row `get deployments` shows.
    pub fn row(&self, observed: &[PodObservation]) -> DeploymentRow {
        let mine = self.mine(observed);
        let active = mine.iter().filter(|p| !p.phase.is_final()).count() as u32;
        let ready = mine.iter().filter(|p| p.ready).count() as u32;
        DeploymentRow {
            name: self.owner.clone(),
            ready,
            replicas: self.replicas,
            up_to_date: active,
            available: ready,
            age: self.created.elapsed().unwrap_or_default(),
        }
    }

    /// Delete every Pod it owns (the end of `podlearn run`).
    pub async fn delete_all(&mut self, engine: &impl PodEngine) -> anyhow::Result<()> {
        let names: Vec<String> = self.owned.keys().cloned().collect();
        for name in names {
            engine.delete_pod(&name).await?;
            self.owned.remove(&name);
        }
        Ok(())
    }
}
