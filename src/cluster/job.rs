//! Jobs, the pure part: from a Job's spec and what its Pods did, decide what
//! the Job controller would do next (start Pods, or end the Job `Complete`
//! or `Failed` with the reason a cluster gives), and the back-off between
//! retries.

use std::time::Duration;

use crate::manifest::model::JobSpec;

/// The numbers of a Job's spec that drive its controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobLimits {
    pub completions: u32,
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
    if counts.succeeded >= spec.completions {
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
    let wanted = spec
        .parallelism
        .min(spec.completions.saturating_sub(counts.succeeded));
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

/// kubectl's COMPLETIONS column: `succeeded/completions`.
pub fn completions_column(spec: &JobLimits, counts: JobCounts) -> String {
    format!("{}/{}", counts.succeeded, spec.completions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(completions: u32, parallelism: u32, backoff_limit: u32) -> JobLimits {
        JobLimits {
            completions,
            parallelism,
            backoff_limit,
            active_deadline_seconds: None,
        }
    }

    fn counts(active: u32, succeeded: u32, failed: u32) -> JobCounts {
        JobCounts {
            active,
            succeeded,
            failed,
        }
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
