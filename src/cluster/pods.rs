//! [`PodEngine`] on the runtime: the controllers' Pods are real podlearn
//! Pods (sandbox, probes, restarts), started on the namespace network.

use std::collections::BTreeMap;

use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use super::{PodEngine, PodObservation};
use crate::manifest::model::Pod;
use crate::podenv::Inputs;
use crate::runtime::{Engine, RunOptions, RunningPod};

/// The Pods one `podlearn run` started in one namespace.
pub struct RuntimePods {
    engine: Engine,
    inputs: Inputs,
    /// With `network` and `dns_search` set to the namespace's.
    opts: RunOptions,
    pods: Mutex<BTreeMap<String, (Pod, RunningPod)>>,
    /// Graceful deletions under way (a grace period can be 30 s; the
    /// controllers do not wait for it, as on a cluster).
    deleting: Mutex<Vec<JoinHandle<anyhow::Result<()>>>>,
}

impl RuntimePods {
    pub fn new(engine: Engine, inputs: Inputs, opts: RunOptions) -> Self {
        RuntimePods {
            engine,
            inputs,
            opts,
            pods: Mutex::new(BTreeMap::new()),
            deleting: Mutex::new(Vec::new()),
        }
    }
}

impl RuntimePods {
    /// A started Pod's status; None when there is no such Pod (any more).
    /// The grader looks at the controllers' Pods through these three.
    pub async fn status_of(&self, name: &str) -> Option<crate::status::PodStatus> {
        let pods = self.pods.lock().await;
        let (_, running) = pods.get(name)?;
        Some(running.status().await)
    }

    /// Run a command in a container of a started Pod.
    pub async fn exec_in(
        &self,
        name: &str,
        container: &str,
        argv: &[String],
        timeout: std::time::Duration,
    ) -> Option<anyhow::Result<crate::runtime::ExecOutput>> {
        let pods = self.pods.lock().await;
        let (_, running) = pods.get(name)?;
        Some(running.exec(container, argv, timeout).await)
    }

    /// Send a signal to a container's main process in a started Pod.
    pub async fn signal_in(
        &self,
        name: &str,
        container: &str,
        signal: &str,
    ) -> Option<anyhow::Result<()>> {
        let pods = self.pods.lock().await;
        let (_, running) = pods.get(name)?;
        Some(running.signal(container, signal).await)
    }

    /// A container's logs in a started Pod.
    pub async fn logs_of(
        &self,
        name: &str,
        container: &str,
        previous: bool,
    ) -> Option<anyhow::Result<String>> {
        let pods = self.pods.lock().await;
        let (_, running) = pods.get(name)?;
        Some(running.logs(container, previous).await)
    }
}

impl PodEngine for RuntimePods {
    async fn delete_all_and_wait(&self) -> anyhow::Result<()> {
        let names: Vec<String> = self.pods.lock().await.keys().cloned().collect();
        for name in names {
            self.delete_pod(&name).await?;
        }
        let handles: Vec<_> = self.deleting.lock().await.drain(..).collect();
        let mut first = None;
        for h in handles {
            let r = h.await.map_err(anyhow::Error::from).and_then(|r| r);
            if let Err(e) = r {
                first.get_or_insert(e);
            }
        }
        first.map_or(Ok(()), Err)
    }

    async fn start_pod(&self, pod: &Pod) -> anyhow::Result<()> {
        let running = self.engine.start_pod(pod, &self.inputs, &self.opts).await?;
        self.pods
            .lock()
            .await
            .insert(pod.metadata.name.clone(), (pod.clone(), running));
        Ok(())
    }

    async fn observe(&self) -> anyhow::Result<Vec<PodObservation>> {
        // A Pod deleted from another terminal (`podlearn delete pod`) is gone
        // from the engine: the controllers must see it vanish.
        let mut pods = self.pods.lock().await;
        let mut gone = Vec::new();
        for (name, (_, running)) in pods.iter() {
            if !running.exists().await {
                gone.push(name.clone());
            }
        }
        for name in gone {
            if let Some((_, running)) = pods.remove(&name) {
                // Its worker may have restarted a container into the removed
                // sandbox before it noticed: delete by labels sweeps that too.
                let handle = tokio::spawn(running.delete(Some(std::time::Duration::ZERO)));
                self.deleting.lock().await.push(handle);
            }
        }
        let mut out = Vec::new();
        for (pod, running) in pods.values() {
            let st = running.status().await;
            out.push(PodObservation {
                name: pod.metadata.name.clone(),
                namespace: pod.metadata.namespace.clone(),
                labels: pod.metadata.labels.clone(),
                phase: st.phase,
                ready: st
                    .conditions
                    .iter()
                    .any(|c| c.kind == "Ready" && c.status == "True"),
                restarts: st
                    .init_container_statuses
                    .iter()
                    .chain(&st.container_statuses)
                    .map(|c| c.restart_count)
                    .sum(),
                ip: st.pod_ip.clone().filter(|ip| !ip.is_empty()),
                sandbox: running.sandbox_id().to_string(),
                hostname: pod.spec.hostname.clone(),
                subdomain: pod.spec.subdomain.clone(),
                ports: pod
                    .spec
                    .all_containers()
                    .flat_map(|c| c.ports.iter().cloned())
                    .collect(),
            });
        }
        Ok(out)
    }

    async fn delete_pod(&self, name: &str) -> anyhow::Result<()> {
        if let Some((_, running)) = self.pods.lock().await.remove(name) {
            let grace = self.opts.grace_override;
            let handle = tokio::spawn(running.delete(grace));
            self.deleting.lock().await.push(handle);
        }
        Ok(())
    }
}
