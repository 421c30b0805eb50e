//! Cluster checks as pure functions: one look at what the controllers report
//! (a Service's endpoints, a Deployment's ready Pods, a Job's status) turned
//! into "passed, and what was seen". The grader (`grade::cluster`) polls
//! them until they hold or their time runs out.

use std::collections::BTreeMap;

use super::CountMatch;
use crate::cluster::PodObservation;
use crate::cluster::job::{JobCounts, JobState};
use crate::cluster::render::{DeploymentRow, EndpointsRow};

/// One look: whether the check holds, what was seen, and whether looking
/// again could change it (a Job that has ended).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterLook {
    pub passed: bool,
    pub observed: String,
    pub settled: bool,
    /// In place of the check's own hint, when what was seen shows the hint
    /// does not apply.
    pub hint: Option<String>,
}

fn look(passed: bool, observed: String) -> ClusterLook {
    ClusterLook {
        passed,
        observed,
        settled: false,
        hint: None,
    }
}

/// The object is not in the manifest: looking again cannot help (every
/// object is created before the first check).
fn missing(observed: String) -> ClusterLook {
    ClusterLook {
        passed: false,
        observed,
        settled: true,
        hint: None,
    }
}

/// What an `endpoints` check wants, in words.
pub fn endpoints_expected(service: &str, count: &CountMatch) -> String {
    format!(
        "Service {service} to have {} ready endpoint(s)",
        count.describe()
    )
}

/// `endpoints`: the ready addresses of `service` among the rows.
pub fn endpoints(rows: &[EndpointsRow], service: &str, count: &CountMatch) -> ClusterLook {
    let Some(row) = rows.iter().find(|r| r.name == service) else {
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        return missing(format!(
            "no Service named {service:?} (the manifest's Services: {})",
            list_or_none(&names)
        ));
    };
    let n = row.ready_pods.len() as u32;
    let mut seen = format!("{n} ready endpoint(s)");
    if !row.ready_pods.is_empty() {
        seen.push_str(&format!(" (Pods {})", row.ready_pods.join(", ")));
    }
    if !row.not_ready_pods.is_empty() {
        seen.push_str(&format!(", not ready: {}", row.not_ready_pods.join(", ")));
    }
    look(count.matches(n), seen)
}

/// What a `replicas` check wants, in words.
pub fn replicas_expected(deployment: &str, ready: &CountMatch) -> String {
    format!(
        "Deployment {deployment} to have {} ready Pod(s)",
        ready.describe()
    )
}

/// `replicas`: the ready Pods of `deployment` among the rows.
pub fn replicas(rows: &[DeploymentRow], deployment: &str, ready: &CountMatch) -> ClusterLook {
    let Some(row) = rows.iter().find(|r| r.name == deployment) else {
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        return missing(format!(
            "no Deployment named {deployment:?} (the manifest's Deployments: {})",
            list_or_none(&names)
        ));
    };
    let mut seen = look(
        ready.matches(row.ready),
        format!("{}/{} ready", row.ready, row.replicas),
    );
    // The Deployment asks for the right number and has its Pods, and they
    // are not ready: the number is not what to change. (One that has no
    // Pods, paused say, gets the check's own hint.)
    if !seen.passed && ready.matches(row.replicas) && row.up_to_date >= row.replicas {
        seen.hint = Some(format!(
            "Deployment {deployment} asks for {} Pods, as it should, but only {} of them are ready: look at why its Pods do not become ready. Run your manifest with `podlearn run`, then `podlearn get pods` and `podlearn describe pod NAME` show it (a container that stops, an image that does not start, a readiness probe that fails).",
            row.replicas, row.ready
        ));
    }
    seen
}

/// "in all", or "labelled app=web,tier=front".
fn which_pods(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "in all".into();
    }
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("labelled {}", pairs.join(","))
}

/// What a `pods` check wants, in words.
pub fn pods_expected(labels: &BTreeMap<String, String>, count: &CountMatch) -> String {
    format!("{} Pod(s) {}", count.describe(), which_pods(labels))
}

/// `pods`: the Pods among `observed` that carry every one of `labels`.
pub fn pods(
    observed: &[PodObservation],
    labels: &BTreeMap<String, String>,
    count: &CountMatch,
) -> ClusterLook {
    let names: Vec<&str> = observed
        .iter()
        .filter(|p| labels.iter().all(|(k, v)| p.labels.get(k) == Some(v)))
        .map(|p| p.name.as_str())
        .collect();
    look(
        count.matches(names.len() as u32),
        format!(
            "{} Pod(s) {}: {}",
            names.len(),
            which_pods(labels),
            list_or_none(&names)
        ),
    )
}

/// What a `job` check wants, in words.
pub fn job_expected(
    job: &str,
    succeeded: Option<&CountMatch>,
    failed: Option<&CountMatch>,
    complete: Option<bool>,
    max_active: Option<u32>,
) -> String {
    let mut want = Vec::new();
    if let Some(c) = complete {
        want.push(if c { "end Complete" } else { "end Failed" }.to_string());
    }
    if let Some(s) = succeeded {
        want.push(format!("{} succeeded Pod(s)", s.describe()));
    }
    if let Some(f) = failed {
        want.push(format!("{} failed Pod(s)", f.describe()));
    }
    if let Some(m) = max_active {
        want.push(match m {
            1 => "run its Pods one at a time".to_string(),
            m => format!("run at most {m} Pods at once"),
        });
    }
    format!("Job {job} to {}", want.join(", "))
}

/// `job`: the Job's state and counts (None: there is no such Job).
pub fn job(
    status: Option<(JobState, JobCounts)>,
    job: &str,
    succeeded: Option<&CountMatch>,
    failed: Option<&CountMatch>,
    complete: Option<bool>,
    max_active: Option<u32>,
) -> ClusterLook {
    let Some((state, counts)) = status else {
        return missing(format!("no Job named {job:?} in the manifest"));
    };
    if let Some(m) = max_active
        && counts.most_active > m
    {
        return ClusterLook {
            passed: false,
            observed: format!(
                "{} of its Pods ran at the same time ({} succeeded so far)",
                counts.most_active, counts.succeeded
            ),
            settled: true,
            hint: None,
        };
    }
    let state_ok = match complete {
        Some(true) => state == JobState::Complete,
        Some(false) => matches!(state, JobState::Failed(_)),
        None => true,
    };
    let passed = state_ok
        && succeeded.is_none_or(|m| m.matches(counts.succeeded))
        && failed.is_none_or(|m| m.matches(counts.failed));
    let why = match state {
        JobState::Failed(r) => format!(" ({})", r.as_str()),
        _ => String::new(),
    };
    ClusterLook {
        passed,
        observed: format!(
            "{}{why}, {} succeeded, {} failed, {} active",
            state.as_str(),
            counts.succeeded,
            counts.failed,
            counts.active
        ),
        settled: state.is_final(),
        hint: None,
    }
}

fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::job::FailReason;
    use std::time::Duration;

    fn eps(name: &str, ready: &[&str], not_ready: &[&str]) -> EndpointsRow {
        EndpointsRow {
            name: name.into(),
            endpoints: String::new(),
            age: Duration::ZERO,
            ready_pods: ready.iter().map(|s| s.to_string()).collect(),
            not_ready_pods: not_ready.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn observed(name: &str, app: &str) -> PodObservation {
        PodObservation {
            name: name.into(),
            namespace: "default".into(),
            labels: BTreeMap::from([("app".to_string(), app.to_string())]),
            phase: crate::status::Phase::Running,
            ready: true,
            restarts: 0,
            ip: None,
            sandbox: String::new(),
            hostname: None,
            subdomain: None,
            ports: Vec::new(),
        }
    }

    #[test]
    fn pods_counts_every_pod_with_the_labels_bare_or_not() {
        let all = [
            observed("web", "web"),
            observed("web-7d4f9-abcde", "web"),
            observed("db", "db"),
        ];
        let labels = BTreeMap::from([("app".to_string(), "web".to_string())]);
        let two = pods(&all, &labels, &CountMatch::Exactly(2));
        assert!(two.passed, "{two:?}");
        let one = pods(&all, &labels, &CountMatch::Exactly(1));
        assert!(!one.passed);
        assert_eq!(
            one.observed,
            "2 Pod(s) labelled app=web: web, web-7d4f9-abcde"
        );
        assert_eq!(
            pods_expected(&labels, &CountMatch::Exactly(1)),
            "1 Pod(s) labelled app=web"
        );
        let every = pods(&all, &BTreeMap::new(), &CountMatch::Exactly(3));
        assert!(every.passed, "{every:?}");
        assert_eq!(every.observed, "3 Pod(s) in all: web, web-7d4f9-abcde, db");
    }

    #[test]
    fn endpoints_count_only_ready_pods() {
        let rows = [eps("backend", &["a"], &["b"])];
        let one = endpoints(&rows, "backend", &CountMatch::Exactly(1));
        assert!(one.passed, "{one:?}");
        let two = endpoints(&rows, "backend", &CountMatch::Exactly(2));
        assert!(!two.passed);
        assert_eq!(two.observed, "1 ready endpoint(s) (Pods a), not ready: b");
    }

    #[test]
    fn a_missing_service_is_named_with_the_ones_there_are() {
        let rows = [eps("web", &[], &[])];
        let l = endpoints(&rows, "backend", &CountMatch::Exactly(2));
        assert!(!l.passed && l.settled);
        assert!(l.observed.contains("\"backend\"") && l.observed.contains("web"));
    }

    fn dep(name: &str, ready: u32, replicas: u32) -> DeploymentRow {
        DeploymentRow {
            name: name.into(),
            ready,
            replicas,
            up_to_date: replicas,
            available: ready,
            age: Duration::ZERO,
        }
    }

    #[test]
    fn replicas_compare_ready_pods() {
        let rows = [dep("web", 1, 1)];
        let l = replicas(&rows, "web", &CountMatch::Exactly(3));
        assert!(!l.passed);
        assert_eq!(l.observed, "1/1 ready");
        assert!(replicas(&[dep("web", 3, 3)], "web", &CountMatch::Exactly(3)).passed);
        let none = replicas(&[], "web", &CountMatch::Exactly(3));
        assert!(!none.passed && none.observed.contains("none"));
        // Too few asked for: the check's own hint (set the number) applies.
        assert_eq!(l.hint, None);
    }

    #[test]
    fn replicas_asked_for_but_not_ready_say_so() {
        let l = replicas(&[dep("web", 1, 3)], "web", &CountMatch::Exactly(3));
        assert!(!l.passed);
        assert_eq!(l.observed, "1/3 ready");
        let hint = l.hint.unwrap();
        assert!(
            hint.contains("asks for 3 Pods, as it should, but only 1 of them are ready"),
            "{hint}"
        );
        let mut paused = dep("web", 0, 3);
        paused.up_to_date = 0;
        assert_eq!(
            replicas(&[paused], "web", &CountMatch::Exactly(3)).hint,
            None
        );
    }

    fn counts(succeeded: u32, failed: u32) -> JobCounts {
        JobCounts {
            active: 0,
            most_active: 1,
            succeeded,
            failed,
        }
    }

    #[test]
    fn a_job_complete_after_one_success_is_not_three() {
        let three = CountMatch::Exactly(3);
        let l = job(
            Some((JobState::Complete, counts(1, 0))),
            "render",
            Some(&three),
            None,
            Some(true),
            None,
        );
        assert!(!l.passed && l.settled);
        assert_eq!(l.observed, "Complete, 1 succeeded, 0 failed, 0 active");
        let ok = job(
            Some((JobState::Complete, counts(3, 0))),
            "render",
            Some(&three),
            None,
            Some(true),
            None,
        );
        assert!(ok.passed);
    }

    #[test]
    fn a_running_job_is_not_settled_and_failures_count() {
        let zero = CountMatch::Exactly(0);
        let running = job(
            Some((JobState::Running, counts(1, 0))),
            "render",
            None,
            Some(&zero),
            None,
            None,
        );
        assert!(running.passed && !running.settled);
        let failed = job(
            Some((
                JobState::Failed(FailReason::BackoffLimitExceeded),
                counts(0, 3),
            )),
            "render",
            None,
            Some(&zero),
            None,
            None,
        );
        assert!(!failed.passed && failed.settled);
        assert!(failed.observed.starts_with("Failed (BackoffLimitExceeded)"));
        let missing = job(None, "render", None, Some(&zero), None, None);
        assert!(!missing.passed && missing.settled);
    }

    #[test]
    fn a_job_that_ran_pods_side_by_side_fails_one_at_a_time() {
        let three = CountMatch::Exactly(3);
        let mut side_by_side = counts(3, 0);
        side_by_side.most_active = 3;
        let l = job(
            Some((JobState::Complete, side_by_side)),
            "render",
            Some(&three),
            None,
            Some(true),
            Some(1),
        );
        assert!(!l.passed && l.settled);
        assert_eq!(
            l.observed,
            "3 of its Pods ran at the same time (3 succeeded so far)"
        );
        let one_by_one = job(
            Some((JobState::Complete, counts(3, 0))),
            "render",
            Some(&three),
            None,
            Some(true),
            Some(1),
        );
        assert!(one_by_one.passed);
        assert_eq!(
            job_expected("render", Some(&three), None, Some(true), Some(1)),
            "Job render to end Complete, 3 succeeded Pod(s), run its Pods one at a time"
        );
    }

    #[test]
    fn expectations_read_as_sentences() {
        assert_eq!(
            job_expected(
                "render",
                Some(&CountMatch::Exactly(3)),
                None,
                Some(true),
                None
            ),
            "Job render to end Complete, 3 succeeded Pod(s)"
        );
        assert_eq!(
            replicas_expected("web", &CountMatch::Exactly(3)),
            "Deployment web to have 3 ready Pod(s)"
        );
    }
}
