//! A Pod of the manifest being graded, as behavioral checks see it: the
//! runtime's Pod behind the controllers' [`RuntimePods`].

use std::time::Duration;

use super::super::{ExecOutput, PodError, PodUnderTest};
use crate::cluster::PodEngine;
use crate::cluster::pods::RuntimePods;
use crate::status::{PodStatus, StopSignals};

/// A Pod of the grading's manifest, as behavioral checks see it.
pub(super) struct ClusterPod<'a> {
    pub(super) pods: &'a RuntimePods,
    pub(super) name: String,
}

impl ClusterPod<'_> {
    fn gone(&self) -> PodError {
        PodError::Unavailable(format!("Pod {} is gone", self.name))
    }
}

impl PodUnderTest for ClusterPod<'_> {
    async fn status(&self) -> Result<PodStatus, PodError> {
        self.pods
            .status_of(&self.name)
            .await
            .ok_or_else(|| self.gone())
    }

    async fn exec(
        &self,
        container: &str,
        argv: &[String],
        timeout: Duration,
    ) -> Result<ExecOutput, PodError> {
        let out = self
            .pods
            .exec_in(&self.name, container, argv, timeout)
            .await
            .ok_or_else(|| self.gone())?
            .map_err(super::super::engine::classify)?;
        Ok(ExecOutput {
            exit_code: out.exit_code,
            stdout: out.stdout,
            stderr: out.stderr,
        })
    }

    async fn logs(&self, container: &str, previous: bool) -> Result<String, PodError> {
        self.pods
            .logs_of(&self.name, container, previous)
            .await
            .ok_or_else(|| self.gone())?
            .map_err(super::super::engine::classify)
    }

    async fn signal(&self, container: &str, signal: &str) -> Result<(), PodError> {
        self.pods
            .signal_in(&self.name, container, signal)
            .await
            .ok_or_else(|| self.gone())?
            .map_err(super::super::engine::classify)
    }

    /// The controller's own deletion: its stop signals are not recorded.
    async fn delete(&self, _grace: Duration) -> Result<StopSignals, PodError> {
        self.pods
            .delete_pod(&self.name)
            .await
            .map(|()| StopSignals::new())
            .map_err(PodError::Engine)
    }
}
