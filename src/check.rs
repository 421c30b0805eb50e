//! The checks an exercise is graded by: what each kind asks for (as written in
//! `exercise.toml`), and the outcome a grader reports for it.
//!
//! Static checks ([`static_checks`]) are pure functions of the validated
//! `Pod`. Behavioral checks ([`behavior`]) observe a running pod through the
//! narrow [`crate::grade::PodUnderTest`] trait, each bounded by a timeout.
//! Every outcome says what was expected, what was observed, and a hint in the
//! learner's words.

pub mod behavior;
mod behavior_signal;
mod behavior_status;
pub mod cluster_checks;
pub mod matcher;
pub mod static_checks;

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use matcher::{CountMatch, ExitCodes, TextMatch};

/// One `[[check]]` of an exercise: `id` and `hint` beside the fields of its kind
/// (built by `exercise::format`, which reads the two and hands the rest to
/// [`CheckSpec`]'s strict parser).
#[derive(Debug, Clone)]
pub struct Check {
    /// Unique within the exercise; known wrong answers name it.
    pub id: String,
    /// Told to the learner when the check fails, in the learner's terms.
    pub hint: String,
    /// `pod = "..."`: which Pod of a whole manifest the check looks at (a
    /// Pod's name, `deployment/NAME`, `replicaset/NAME` or `job/NAME`). None:
    /// the exercise's one Pod.
    pub pod: Option<String>,
    /// `needs = ["..."]`: earlier checks this one builds on. When one of
    /// them failed, this check's failure follows from it, and the learner is
    /// sent there instead of being given this check's hint (which assumes
    /// the earlier step worked).
    pub needs: Vec<String>,
    pub spec: CheckSpec,
}

/// A duration written like `"5s"`, `"500ms"`, `"1m 30s"`; or a range,
/// `"3s..9s"`, of which one duration is picked at random each time the
/// exercise is loaded (so, each grading): a learner who guesses how long
/// podlearn waits, rather than making the Pod wait for the event, cannot
/// rely on the guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Within(pub Duration);

impl Within {
    fn parse(text: &str) -> Result<Within, String> {
        let one = |t: &str| {
            humantime::parse_duration(t.trim()).map_err(|e| {
                format!("`{t}` is not a duration ({e}); write e.g. \"5s\" or \"500ms\"")
            })
        };
        let Some((lo, hi)) = text.split_once("..") else {
            return one(text).map(Within);
        };
        let (lo, hi) = (one(lo)?, one(hi)?);
        if lo > hi {
            return Err(format!(
                "`{text}` ends before it starts: write the shorter duration first"
            ));
        }
        let span = (hi - lo).as_millis() as u64;
        let pick = crate::random::random_u64() % (span + 1);
        Ok(Within(lo + Duration::from_millis(pick)))
    }
}

impl<'de> Deserialize<'de> for Within {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Within::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Within {
    pub const DEFAULT: Within = Within(Duration::from_secs(5));
}

/// Which list of the spec a static container check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerList {
    /// `spec.containers`.
    #[default]
    App,
    /// Regular init containers (not sidecars).
    Init,
    /// Init containers with `restartPolicy: Always`.
    Sidecar,
    /// What runs beside the app once the Pod has started: `spec.containers`
    /// and native sidecars, so a task that does not say which kind of
    /// sidecar accepts both.
    Running,
}

/// A container state as a check names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StateName {
    Waiting,
    Running,
    Terminated,
}

/// A file a `delete` check expects in a volume after the pod is gone (the
/// grader backs that volume by a host folder, so it outlives the pod).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observe {
    /// A volume of the learner's pod (usually an emptyDir).
    pub volume: String,
    /// A file inside that volume, relative to it.
    pub path: String,
    #[serde(default)]
    pub content: Option<TextMatch>,
    /// The file must not be there yet when the delete starts: it is written
    /// on the way out (a preStop hook, a SIGTERM handler), not before.
    #[serde(default)]
    pub absent_before: bool,
    /// The file must have been written before this container was sent its
    /// stop signal: by its preStop hook, not by its SIGTERM handler.
    #[serde(default)]
    pub before_signal_to: Option<String>,
}

/// Every kind of check, tagged by `kind = "..."`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CheckSpec {
    // ---- static: on the manifest -------------------------------------------
    /// How many containers a list has, and which names it must include.
    Containers {
        #[serde(default)]
        list: ContainerList,
        #[serde(default)]
        count: Option<CountMatch>,
        #[serde(default)]
        names: Vec<String>,
    },
    /// The image of one container (or of every container).
    Image {
        #[serde(default)]
        container: Option<String>,
        image: TextMatch,
    },
    /// A volume of a given type, optionally mounted into given containers.
    Volume {
        #[serde(default)]
        name: Option<String>,
        #[serde(rename = "type")]
        volume_type: String,
        #[serde(default)]
        mounted_in: Vec<String>,
        /// A path each of `mounted_in` must see through this volume: the
        /// deepest of its mounts that holds the path is this volume's.
        #[serde(default)]
        at: Option<String>,
    },
    /// A field of the pod, by path (`spec.shareProcessNamespace`,
    /// `spec.containers[web].ports[0].containerPort`): present, absent or equal.
    Field {
        path: String,
        #[serde(default)]
        equals: Option<toml::Value>,
        #[serde(default)]
        present: Option<bool>,
        /// With `equals`: the value an absent field has (Kubernetes'
        /// default), so that leaving it out and writing it out are the same.
        #[serde(default)]
        default: Option<toml::Value>,
    },

    // ---- behavioral: on the running pod ------------------------------------
    /// Run a command in a container; match exit code and output.
    Exec {
        container: String,
        command: Vec<String>,
        #[serde(default)]
        exit_code: Option<i64>,
        #[serde(default)]
        stdout: Option<TextMatch>,
        #[serde(default)]
        stderr: Option<TextMatch>,
        #[serde(default)]
        within: Option<Within>,
    },
    /// An HTTP GET made from inside the pod (busybox `wget` in `container`).
    Http {
        container: String,
        url: String,
        #[serde(default)]
        status: Option<u16>,
        #[serde(default)]
        body: Option<TextMatch>,
        #[serde(default)]
        within: Option<Within>,
    },
    /// A file in a container: exists (or not), and its content.
    File {
        container: String,
        path: String,
        #[serde(default = "yes")]
        exists: bool,
        #[serde(default)]
        content: Option<TextMatch>,
        /// The file was last written after this container finished: a
        /// container after it wrote it.
        #[serde(default)]
        written_after: Option<String>,
        /// The file was last written before this container finished: it (or
        /// one before it) wrote it, not the containers that start later.
        #[serde(default)]
        written_before: Option<String>,
        #[serde(default)]
        within: Option<Within>,
    },
    /// A container's logs (of the current run, or the previous one).
    Logs {
        container: String,
        #[serde(default)]
        previous: bool,
        output: TextMatch,
        #[serde(default)]
        within: Option<Within>,
    },
    /// The pod phase reaches a value (and, with `hold`, keeps it that long).
    Phase {
        phase: String,
        #[serde(default)]
        within: Option<Within>,
        #[serde(default)]
        hold: Option<Within>,
    },
    /// A container's state, reason, exit code, restart count.
    ContainerState {
        container: String,
        #[serde(default)]
        state: Option<StateName>,
        #[serde(default)]
        reason: Option<String>,
        #[serde(default)]
        exit_code: Option<ExitCodes>,
        #[serde(default)]
        restart_count: Option<CountMatch>,
        #[serde(default)]
        within: Option<Within>,
        #[serde(default)]
        hold: Option<Within>,
    },
    /// Readiness of one container, or of the pod (its Ready condition).
    Ready {
        #[serde(default)]
        container: Option<String>,
        ready: bool,
        #[serde(default)]
        within: Option<Within>,
        #[serde(default)]
        hold: Option<Within>,
    },
    /// Container `first` terminated before container `then` started.
    Order {
        first: String,
        then: String,
        #[serde(default)]
        within: Option<Within>,
    },
    /// What `ps` shows in a container: a process whose line matches.
    Process {
        container: String,
        process: TextMatch,
        #[serde(default)]
        absent: bool,
        #[serde(default)]
        within: Option<Within>,
    },
    /// Send a signal (to the main process of `container`, or to the processes matching
    /// `process`), then expect the container to end with an exit code.
    Signal {
        container: String,
        #[serde(default = "term")]
        signal: String,
        #[serde(default)]
        process: Option<String>,
        #[serde(default)]
        exit_code: Option<i64>,
        #[serde(default)]
        within: Option<Within>,
    },
    /// Write a file in a container while the pod runs: an action, taken in
    /// order with the other checks, so that the checks after it can expect
    /// the pod to act on the new content (keep fetching, keep following a
    /// log, reload). Passes when the file was written.
    Write {
        container: String,
        path: String,
        /// `{{token}}`s are filled in; a newline is added.
        content: String,
        /// Add a line at the end instead of replacing the file.
        #[serde(default)]
        append: bool,
        #[serde(default)]
        within: Option<Within>,
    },
    /// Delete the pod with a grace period (preStop hooks, then SIGTERM, then
    /// SIGKILL): it must be gone within `within`, and what `observe` names must
    /// have been written. Always the last check.
    Delete {
        grace: Within,
        #[serde(default)]
        within: Option<Within>,
        #[serde(default)]
        observe: Option<Observe>,
    },

    // ---- cluster: on the controllers of a whole manifest --------------------
    /// How many ready endpoints a Service has.
    Endpoints {
        service: String,
        count: CountMatch,
        #[serde(default)]
        within: Option<Within>,
    },
    /// How many Pods of a Deployment (or ReplicaSet) are ready.
    Replicas {
        deployment: String,
        ready: CountMatch,
        #[serde(default)]
        within: Option<Within>,
        #[serde(default)]
        hold: Option<Within>,
    },
    /// How many Pods the manifest has (made by a controller or by hand, in
    /// any phase until they are deleted), or with `labels`, how many carry
    /// all of them: a Pod kept beside the Deployment that was to replace it
    /// is one too many.
    Pods {
        #[serde(default)]
        labels: std::collections::BTreeMap<String, String>,
        count: CountMatch,
        #[serde(default)]
        within: Option<Within>,
        #[serde(default)]
        hold: Option<Within>,
    },
    /// Delete one Pod of the controller named by the check's `pod`
    /// (`deployment/NAME`), then expect it back at `then_ready` ready Pods
    /// without the deleted one.
    DeletePod {
        then_ready: u32,
        #[serde(default)]
        within: Option<Within>,
    },
    /// A Job's status: its succeeded and failed Pods, and how it ended.
    Job {
        job: String,
        #[serde(default)]
        succeeded: Option<CountMatch>,
        #[serde(default)]
        failed: Option<CountMatch>,
        /// true: it ends Complete; false: it ends Failed.
        #[serde(default)]
        complete: Option<bool>,
        /// At most this many of its Pods may run at once (one at a time: 1),
        /// watched for as long as the check waits.
        #[serde(default)]
        max_active: Option<u32>,
        #[serde(default)]
        within: Option<Within>,
    },
}

fn yes() -> bool {
    true
}

fn term() -> String {
    "TERM".to_string()
}

impl CheckSpec {
    /// The `kind` as written in the file.
    pub fn kind(&self) -> &'static str {
        match self {
            CheckSpec::Containers { .. } => "containers",
            CheckSpec::Image { .. } => "image",
            CheckSpec::Volume { .. } => "volume",
            CheckSpec::Field { .. } => "field",
            CheckSpec::Exec { .. } => "exec",
            CheckSpec::Http { .. } => "http",
            CheckSpec::File { .. } => "file",
            CheckSpec::Logs { .. } => "logs",
            CheckSpec::Phase { .. } => "phase",
            CheckSpec::ContainerState { .. } => "container_state",
            CheckSpec::Ready { .. } => "ready",
            CheckSpec::Order { .. } => "order",
            CheckSpec::Process { .. } => "process",
            CheckSpec::Signal { .. } => "signal",
            CheckSpec::Write { .. } => "write",
            CheckSpec::Delete { .. } => "delete",
            CheckSpec::Endpoints { .. } => "endpoints",
            CheckSpec::Replicas { .. } => "replicas",
            CheckSpec::Pods { .. } => "pods",
            CheckSpec::DeletePod { .. } => "delete_pod",
            CheckSpec::Job { .. } => "job",
        }
    }

    /// Static checks look only at the manifest and need no running pod.
    pub fn is_static(&self) -> bool {
        matches!(
            self,
            CheckSpec::Containers { .. }
                | CheckSpec::Image { .. }
                | CheckSpec::Volume { .. }
                | CheckSpec::Field { .. }
        )
    }

    /// Cluster checks look at Services and controllers of a whole manifest,
    /// not at one Pod.
    pub fn is_cluster(&self) -> bool {
        matches!(
            self,
            CheckSpec::Endpoints { .. }
                | CheckSpec::Replicas { .. }
                | CheckSpec::Pods { .. }
                | CheckSpec::DeletePod { .. }
                | CheckSpec::Job { .. }
        )
    }

    /// The containers a check runs a command in: it cannot look inside them
    /// while they are not running.
    pub fn runs_in(&self) -> Vec<&str> {
        match self {
            CheckSpec::Exec { container, .. }
            | CheckSpec::Http { container, .. }
            | CheckSpec::File { container, .. }
            | CheckSpec::Process { container, .. }
            | CheckSpec::Write { container, .. } => vec![container.as_str()],
            // A signal check's container is meant to stop.
            _ => Vec::new(),
        }
    }

    /// The containers a behavioral check runs commands in or looks at.
    pub fn containers(&self) -> Vec<&str> {
        match self {
            CheckSpec::File {
                container,
                written_after,
                written_before,
                ..
            } => std::iter::once(container)
                .chain(written_after)
                .chain(written_before)
                .map(|c| c.as_str())
                .collect(),
            CheckSpec::Exec { container, .. }
            | CheckSpec::Http { container, .. }
            | CheckSpec::Logs { container, .. }
            | CheckSpec::ContainerState { container, .. }
            | CheckSpec::Process { container, .. }
            | CheckSpec::Signal { container, .. }
            | CheckSpec::Write { container, .. } => vec![container.as_str()],
            CheckSpec::Ready { container, .. } => container.iter().map(|c| c.as_str()).collect(),
            CheckSpec::Order { first, then, .. } => vec![first.as_str(), then.as_str()],
            _ => Vec::new(),
        }
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckOutcome {
    pub id: String,
    pub kind: String,
    pub passed: bool,
    /// What the check wanted, in words.
    pub expected: String,
    /// What podlearn saw.
    pub observed: String,
    /// Shown when the check failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// How long the check took.
    pub seconds: f64,
}

impl CheckOutcome {
    /// An outcome for `check`, with its hint kept only when it failed.
    pub fn new(check: &Check, passed: bool, expected: String, observed: String) -> Self {
        CheckOutcome {
            id: check.id.clone(),
            kind: check.spec.kind().to_string(),
            passed,
            expected,
            observed,
            hint: (!passed).then(|| check.hint.clone()),
            seconds: 0.0,
        }
    }

    /// Everything the learner reads about this outcome, for matching a known
    /// wrong answer's message.
    pub fn text(&self) -> String {
        format!(
            "{}\n{}\n{}",
            self.expected,
            self.observed,
            self.hint.as_deref().unwrap_or("")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_range_picks_within_its_bounds() {
        assert_eq!(Within::parse("5s"), Ok(Within(Duration::from_secs(5))));
        for _ in 0..50 {
            let Within(d) = Within::parse("3s..9s").unwrap();
            assert!(
                d >= Duration::from_secs(3) && d <= Duration::from_secs(9),
                "{d:?}"
            );
        }
        assert_eq!(Within::parse("2s..2s"), Ok(Within(Duration::from_secs(2))));
        let backwards = Within::parse("9s..3s").unwrap_err();
        assert!(backwards.contains("shorter duration first"), "{backwards}");
        let bad = Within::parse("3s..soon").unwrap_err();
        assert!(bad.contains("`soon` is not a duration"), "{bad}");
    }
}
