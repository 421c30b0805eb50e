//! Jobs, the pure part: from a Job's spec and what its Pods did, decide what
//! the Job controller would do next (start Pods, or end the Job `Complete`
//! or `Failed` with the reason a cluster gives), and the back-off between
//! retries.

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use super::render::JobRow;
use super::replicaset;
use super::{PodEngine, PodObservation};
use crate::manifest::model::{Job, JobSpec, Pod};
use crate::status::Phase;

/// The numbers of a Job's spec that drive its controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobLimits {
    /// None: a work queue (see [`JobSpec::completions`]).
    pub completions: Option<u32>,
    pub parallelism: u32,
    pub backoff_limit: u32,
    pub active_deadline_seconds: Option<u64>,
}

impl JobLimits {
    pub fn of(spec: &JobSpec) -> Self {
        JobLimits {
            completions: spec.completions,
            parallelism: spec.parallelism,
            backoff_limit: spec.backoff_limit,
            active_deadline_seconds: spec.active_deadline_seconds,
        }
    }
}

/// What the Job's Pods did so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JobCounts {
    /// Pods not finished yet.
    pub active: u32,
    /// The most Pods that were active at once so far (what `parallelism`
    /// allowed, as it happened).
    pub most_active: u32,
    pub succeeded: u32,
    /// Failed Pods, plus container restarts under `restartPolicy: OnFailure`
    /// (a cluster counts both against `backoffLimit`).
    pub failed: u32,
}

/// Why a Job failed, with a cluster's reason names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailReason {
    BackoffLimitExceeded,
    DeadlineExceeded,
}

impl FailReason {
    pub fn as_str(self) -> &'static str {
        match self {
            FailReason::BackoffLimitExceeded => "BackoffLimitExceeded",
            FailReason::DeadlineExceeded => "DeadlineExceeded",
        }
    }

    /// The condition message a cluster writes.
    pub fn message(self) -> &'static str {
        match self {
            FailReason::BackoffLimitExceeded => "Job has reached the specified backoff limit",
            FailReason::DeadlineExceeded => "Job was active longer than specified deadline",
        }
    }
}

/// The Job's state as `kubectl get jobs` STATUS shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Running,
    Complete,
    Failed(FailReason),
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Running => "Running",
            JobState::Complete => "Complete",
            JobState::Failed(_) => "Failed",
        }
    }

    pub fn is_final(self) -> bool {
        !matches!(self, JobState::Running)
    }
}

/// One decision of the Job controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobStep {
    pub state: JobState,
    /// New Pods to start now (0 once the Job has ended).
    pub start: u32,
    /// The Job failed with Pods still running: delete them.
    pub kill_active: bool,
}

/// Decide, in the Job controller's order: a failure (more failures than
/// `backoffLimit`, or older than `activeDeadlineSeconds`) ends the Job
/// `Failed`; `completions` successes end it `Complete`; otherwise keep
/// `min(parallelism, completions - succeeded)` Pods active.
pub fn step(spec: &JobLimits, counts: JobCounts, elapsed: Duration) -> JobStep {
    let failed = |reason| JobStep {
        state: JobState::Failed(reason),
        start: 0,
        kill_active: counts.active > 0,
    };
    let complete = match spec.completions {
        Some(c) => counts.succeeded >= c,
        // A work queue: one success says the queue is empty; done once
        // the others have ended too.
        None => counts.succeeded >= 1 && counts.active == 0,
    };
    if complete {
        return JobStep {
            state: JobState::Complete,
            start: 0,
            kill_active: false,
        };
    }
    if counts.failed > spec.backoff_limit {
        return failed(FailReason::BackoffLimitExceeded);
    }
    if let Some(deadline) = spec.active_deadline_seconds
        && elapsed >= Duration::from_secs(deadline)
    {
        return failed(FailReason::DeadlineExceeded);
    }
    let wanted = match spec.completions {
        Some(c) => spec.parallelism.min(c.saturating_sub(counts.succeeded)),
        // No new Pods once one succeeded.
        None if counts.succeeded > 0 => 0,
        None => spec.parallelism,
    };
    JobStep {
        state: JobState::Running,
        start: wanted.saturating_sub(counts.active),
        kill_active: false,
    }
}

/// How long the controller waits before replacing a failed Pod: 10 s,
/// doubled per failure, capped at 6 minutes; divided by podlearn's time
/// scale (shown to the learner) so lessons do not wait minutes.
pub fn retry_delay(failures: u32, time_scale: f64) -> Duration {
    if failures == 0 {
        return Duration::ZERO;
    }
    let secs = (10u64 << (failures - 1).min(6)).min(360);
    Duration::from_secs_f64(secs as f64 / time_scale.max(1.0))
}

/// kubectl's COMPLETIONS column: `succeeded/completions`, or for a work
/// queue `succeeded/1 of parallelism`.
pub fn completions_column(spec: &JobLimits, counts: JobCounts) -> String {
    match spec.completions {
        Some(c) => format!("{}/{c}", counts.succeeded),
        None if spec.parallelism > 1 => {
            format!("{}/1 of {}", counts.succeeded, spec.parallelism)
        }
        None => format!("{}/1", counts.succeeded),
    }
}

/// The label a Job's Pods carry (with the older `job-name`).
pub const JOB_NAME_LABEL: &str = "batch.kubernetes.io/job-name";

/// One Job being run to completion (or failure).
#[derive(Debug, Clone)]
pub struct JobController {
    pub job: Job,
    pub created: SystemTime,
    started: Instant,
    /// Divides the retry back-off (`--time-scale`).
    time_scale: f64,
    /// Its Pods, with what was last seen of them.
    pods: BTreeMap<String, Phase>,
    /// Failures already seen, restarts included (see [`JobCounts::failed`]).
    counts: JobCounts,
    restarts: BTreeMap<String, u32>,
    not_before: Option<Instant>,
    pub state: JobState,
    pub finished: Option<SystemTime>,
}

impl JobController {
    pub fn new(job: &Job, time_scale: f64) -> Self {
        JobController {
            job: job.clone(),
            created: SystemTime::now(),
            started: Instant::now(),
            time_scale,
            pods: BTreeMap::new(),
            counts: JobCounts::default(),
            restarts: BTreeMap::new(),
            not_before: None,
            state: JobState::Running,
            finished: None,
        }
    }

    fn new_pod(&self) -> Pod {
        let name = &self.job.metadata.name;
        let mut metadata = self.job.spec.template.metadata.clone();
        metadata.name = replicaset::pod_name(name, &replicaset::random_suffix());
        metadata.namespace = self.job.metadata.namespace.clone();
        metadata.labels.insert(JOB_NAME_LABEL.into(), name.clone());
        metadata.labels.insert("job-name".into(), name.clone());
        Pod {
            metadata,
            spec: self.job.spec.template.spec.clone(),
        }
    }

    /// What its Pods did so far.
    pub fn counts(&self) -> JobCounts {
        self.counts
    }

    /// Its Pods' names.
    pub fn pod_names(&self) -> impl Iterator<Item = &String> {
        self.pods.keys()
    }

    /// One pass of the Job controller: count what finished, then start,
    /// wait (back-off) or end the Job.
    pub async fn reconcile(
        &mut self,
        engine: &impl PodEngine,
        observed: &[PodObservation],
    ) -> anyhow::Result<JobState> {
        if self.state.is_final() {
            return Ok(self.state);
        }
        let mut active = 0;
        let mine: Vec<&PodObservation> = observed
            .iter()
            .filter(|p| self.pods.contains_key(&p.name))
            .collect();
        for p in mine {
            let before = self.pods[&p.name];
            if !before.is_final() {
                match p.phase {
                    Phase::Succeeded => self.counts.succeeded += 1,
                    Phase::Failed => self.counts.failed += 1,
                    _ => active += 1,
                }
            }
            // Under OnFailure, each container restart is a failed try.
            let seen = self
                .restarts
                .insert(p.name.clone(), p.restarts)
                .unwrap_or(0);
            self.counts.failed += p.restarts.saturating_sub(seen);
            self.pods.insert(p.name.clone(), p.phase);
        }
        // A Pod that vanished (deleted by hand) without finishing counts as failed.
        let present: Vec<&String> = observed.iter().map(|p| &p.name).collect();
        for (name, phase) in self.pods.iter_mut() {
            if !phase.is_final() && !present.contains(&name) {
                *phase = Phase::Failed;
                self.counts.failed += 1;
            }
        }
        self.counts.active = active;
        self.counts.most_active = self.counts.most_active.max(active);
        let step = step(
            &JobLimits::of(&self.job.spec),
            self.counts,
            self.started.elapsed(),
        );
        self.state = step.state;
        if step.state.is_final() {
            self.finished = Some(SystemTime::now());
            if step.kill_active {
                for (name, phase) in &self.pods {
                    if !phase.is_final() {
                        engine.delete_pod(name).await?;
                    }
                }
            }
            return Ok(step.state);
        }
        if step.start > 0 {
            // After a failure, wait the back-off before the next Pod.
            if self.counts.failed > 0 && self.not_before.is_none() {
                self.not_before =
                    Some(Instant::now() + retry_delay(self.counts.failed, self.time_scale));
            }
            if self.not_before.is_none_or(|t| Instant::now() >= t) {
                for _ in 0..step.start {
                    let pod = self.new_pod();
                    engine.start_pod(&pod).await?;
                    self.pods.insert(pod.metadata.name, Phase::Pending);
                }
                self.counts.most_active = self.counts.most_active.max(active + step.start);
                self.not_before = None;
            }
        }
        Ok(self.state)
    }

    /// The row `get jobs` shows.
    pub fn row(&self) -> JobRow {
        let age = self.created.elapsed().unwrap_or_default();
        let duration = match self.finished {
            Some(t) => t.duration_since(self.created).unwrap_or_default(),
            None => age,
        };
        JobRow {
            name: self.job.metadata.name.clone(),
            status: self.state.as_str().into(),
            completions: completions_column(&JobLimits::of(&self.job.spec), self.counts),
            duration,
            age,
        }
    }

    /// Delete every Pod it made (the end of `podlearn run`).
    pub async fn delete_all(&mut self, engine: &impl PodEngine) -> anyhow::Result<()> {
        for name in self.pods.keys() {
            engine.delete_pod(name).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(completions: u32, parallelism: u32, backoff_limit: u32) -> JobLimits {
        JobLimits {
            completions: Some(completions),
            parallelism,
            backoff_limit,
            active_deadline_seconds: None,
        }
    }

    fn counts(active: u32, succeeded: u32, failed: u32) -> JobCounts {
        JobCounts {
            active,
            most_active: active,
            succeeded,
            failed,
        }
    }

    /// `parallelism: 3` and no `completions`: a work queue, as on a cluster.
    #[test]
    fn without_completions_parallel_pods_are_a_work_queue() {
        let s = JobLimits {
            completions: None,
            ..spec(1, 3, 6)
        };
        let at = |c| step(&s, c, Duration::ZERO);
        assert_eq!(at(counts(0, 0, 0)).start, 3);
        // One succeeded: no new Pods, and not complete while others run.
        let st = at(counts(2, 1, 0));
        assert_eq!((st.start, st.state), (0, JobState::Running));
        assert_eq!(at(counts(0, 3, 0)).state, JobState::Complete);
        assert_eq!(completions_column(&s, counts(0, 3, 0)), "3/1 of 3");
        let one = JobLimits {
            parallelism: 1,
            ..s
        };
        assert_eq!(step(&one, counts(0, 0, 0), Duration::ZERO).start, 1);
        assert_eq!(
            step(&one, counts(0, 1, 0), Duration::ZERO).state,
            JobState::Complete
        );
        assert_eq!(completions_column(&one, counts(0, 1, 0)), "1/1");
    }

    #[test]
    fn starts_up_to_parallelism() {
        let s = spec(5, 2, 6);
        assert_eq!(step(&s, counts(0, 0, 0), Duration::ZERO).start, 2);
        assert_eq!(step(&s, counts(1, 0, 0), Duration::ZERO).start, 1);
        // Only one completion left: one Pod, not two.
        assert_eq!(step(&s, counts(0, 4, 0), Duration::ZERO).start, 1);
    }

    #[test]
    fn completes_after_enough_successes() {
        let s = spec(3, 1, 6);
        let st = step(&s, counts(0, 3, 2), Duration::from_secs(9));
        assert_eq!(st.state, JobState::Complete);
        assert_eq!(st.start, 0);
        assert_eq!(completions_column(&s, counts(0, 3, 2)), "3/3");
    }

    #[test]
    fn fails_once_failures_exceed_backoff_limit() {
        let s = spec(1, 1, 2);
        // backoffLimit 2: the first try and two retries may fail.
        assert_eq!(
            step(&s, counts(0, 0, 2), Duration::ZERO).state,
            JobState::Running
        );
        assert_eq!(step(&s, counts(0, 0, 2), Duration::ZERO).start, 1);
        let st = step(&s, counts(0, 0, 3), Duration::ZERO);
        assert_eq!(st.state, JobState::Failed(FailReason::BackoffLimitExceeded));
        assert_eq!(st.state.as_str(), "Failed");
        // backoffLimit 0: one failure is enough.
        let st = step(&spec(1, 1, 0), counts(0, 0, 1), Duration::ZERO);
        assert_eq!(st.state, JobState::Failed(FailReason::BackoffLimitExceeded));
    }

    #[test]
    fn deadline_kills_what_still_runs() {
        let mut s = spec(1, 1, 6);
        s.active_deadline_seconds = Some(5);
        assert_eq!(
            step(&s, counts(1, 0, 0), Duration::from_secs(4)).state,
            JobState::Running
        );
        let st = step(&s, counts(1, 0, 0), Duration::from_secs(5));
        assert_eq!(st.state, JobState::Failed(FailReason::DeadlineExceeded));
        assert!(st.kill_active);
        assert_eq!(
            FailReason::DeadlineExceeded.message(),
            "Job was active longer than specified deadline"
        );
    }

    #[test]
    fn retry_delay_doubles_and_caps() {
        assert_eq!(retry_delay(0, 1.0), Duration::ZERO);
        assert_eq!(retry_delay(1, 1.0), Duration::from_secs(10));
        assert_eq!(retry_delay(3, 1.0), Duration::from_secs(40));
        assert_eq!(retry_delay(20, 1.0), Duration::from_secs(360));
        assert_eq!(retry_delay(2, 10.0), Duration::from_secs(2));
    }
}
