//! Probes, the pure part: when each probe of a container is due, what a run
//! of it means (success/failure thresholds, startup gating), and what to
//! execute for a probe or hook handler (see [`action`]).
//!
//! The kubelet's prober worker (`pkg/kubelet/prober/worker.go`) is mirrored:
//! results count in consecutive runs; readiness starts as "not ready";
//! liveness and startup start as "success"; a liveness or startup failure at
//! the threshold kills the container and probing stops until it is replaced;
//! liveness and readiness wait until the startup probe has succeeded once, and
//! the startup probe stops after that.

use std::time::{Duration, SystemTime};

use crate::manifest::{Container, Probe};

pub mod action;

pub use action::{ProbeAction, hook_command, probe_action, probe_command};

/// The three probe kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    Startup,
    Liveness,
    Readiness,
}

impl ProbeKind {
    /// `Liveness`, `Readiness`, `Startup`: the word kubelet events start with.
    pub fn title(self) -> &'static str {
        match self {
            ProbeKind::Startup => "Startup",
            ProbeKind::Liveness => "Liveness",
            ProbeKind::Readiness => "Readiness",
        }
    }

    /// The kubelet's `Unhealthy` event message for one failed run, e.g.
    /// `Liveness probe failed: HTTP probe failed with statuscode: 500`.
    pub fn failure_message(self, detail: &str) -> String {
        format!("{} probe failed: {}", self.title(), detail.trim_end())
    }

    /// The kubelet's `Killing` event message when this probe kills a container.
    pub fn kill_message(self, container: &str) -> String {
        format!(
            "Container {container} failed {} probe, will be restarted",
            self.title().to_lowercase()
        )
    }
}

/// What one recorded run changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeVerdict {
    /// Below a threshold, or the same state as before.
    Unchanged,
    /// Readiness flipped: set the container's `ready` to this value.
    Ready(bool),
    /// The startup probe succeeded: the container is `started`, liveness and
    /// readiness begin.
    Started,
    /// Liveness or startup failed `failureThreshold` times in a row: kill the
    /// container (preStop, grace period) and restart it per policy. Use
    /// [`ProbeKind::kill_message`] for the `Killing` event.
    Kill(ProbeKind),
}

/// One probe of one container run.
#[derive(Debug, Clone)]
pub struct ProbeTracker {
    kind: ProbeKind,
    probe: Probe,
    time_scale: f64,
    next_due: SystemTime,
    last_ok: Option<bool>,
    run: u32,
    /// The result last made effective (`None`: unknown, for startup).
    effective: Option<bool>,
    /// Stopped: a startup probe that succeeded, or a kill was ordered.
    done: bool,
}

impl ProbeTracker {
    /// A tracker for a container that started at `started_at`. The first run
    /// is due `initialDelaySeconds` after the start (scaled by `time_scale`,
    /// e.g. 10 runs everything ten times faster).
    pub fn new(kind: ProbeKind, probe: &Probe, started_at: SystemTime, time_scale: f64) -> Self {
        let time_scale = if time_scale.is_finite() && time_scale > 0.0 {
            time_scale
        } else {
            1.0
        };
        let delay = Duration::from_secs(probe.initial_delay_seconds).div_f64(time_scale);
        ProbeTracker {
            kind,
            probe: probe.clone(),
            time_scale,
            next_due: started_at + delay,
            last_ok: None,
            run: 0,
            effective: match kind {
                ProbeKind::Readiness => Some(false),
                ProbeKind::Liveness => Some(true),
                ProbeKind::Startup => None,
            },
            done: false,
        }
    }

    pub fn kind(&self) -> ProbeKind {
        self.kind
    }

    /// When the next run is due; `None` once the tracker has stopped.
    pub fn next_due(&self) -> Option<SystemTime> {
        (!self.done).then_some(self.next_due)
    }

    pub fn is_due(&self, now: SystemTime) -> bool {
        !self.done && now >= self.next_due
    }

    /// `periodSeconds`, scaled.
    pub fn period(&self) -> Duration {
        Duration::from_secs(self.probe.period_seconds.max(1)).div_f64(self.time_scale)
    }

    /// `timeoutSeconds`, scaled but never under a second: how long one run
    /// may take before it counts as a failure. The time scale shortens the
    /// kubelet's waits, not the time an app (or a busy machine) needs to
    /// answer, so a probe a cluster passes is not failed for taking 300 ms.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.probe.timeout_seconds.max(1))
            .div_f64(self.time_scale)
            .max(Duration::from_secs(1))
    }

    /// Record the result of a run finished at `now`, schedule the next one a
    /// period later, and say what changed.
    pub fn record(&mut self, ok: bool, now: SystemTime) -> ProbeVerdict {
        if self.done {
            return ProbeVerdict::Unchanged;
        }
        self.next_due = now.max(self.next_due) + self.period();
        if self.last_ok == Some(ok) {
            self.run += 1;
        } else {
            self.last_ok = Some(ok);
            self.run = 1;
        }
        let threshold = if ok {
            self.probe.success_threshold.max(1)
        } else {
            self.probe.failure_threshold.max(1)
        };
        if self.run < threshold {
            return ProbeVerdict::Unchanged;
        }
        let changed = self.effective != Some(ok);
        self.effective = Some(ok);
        match (self.kind, ok) {
            (ProbeKind::Readiness, _) if changed => ProbeVerdict::Ready(ok),
            (ProbeKind::Readiness, _) => ProbeVerdict::Unchanged,
            (ProbeKind::Startup, true) => {
                self.done = true;
                ProbeVerdict::Started
            }
            (ProbeKind::Liveness, true) => ProbeVerdict::Unchanged,
            (kind, false) => {
                // Kill once, then stay quiet until the container is replaced.
                self.done = true;
                ProbeVerdict::Kill(kind)
            }
        }
    }
}

/// The probes of one container run, with startup gating. Make a new one for
/// every (re)started container.
#[derive(Debug, Clone)]
pub struct ContainerProbes {
    pub startup: Option<ProbeTracker>,
    pub liveness: Option<ProbeTracker>,
    pub readiness: Option<ProbeTracker>,
    started: bool,
}

impl ContainerProbes {
    /// Trackers for each probe `container` declares, from its start time.
    pub fn new(container: &Container, started_at: SystemTime, time_scale: f64) -> Self {
        let make = |kind, p: &Option<Probe>| {
            p.as_ref()
                .map(|p| ProbeTracker::new(kind, p, started_at, time_scale))
        };
        ContainerProbes {
            startup: make(ProbeKind::Startup, &container.startup_probe),
            liveness: make(ProbeKind::Liveness, &container.liveness_probe),
            readiness: make(ProbeKind::Readiness, &container.readiness_probe),
            started: container.startup_probe.is_none(),
        }
    }

    /// Whether the container counts as started (no startup probe, or it passed).
    pub fn started(&self) -> bool {
        self.started
    }

    /// Whether the container is ready right after it starts, before any
    /// probe ran: only without a readiness probe (and once started).
    pub fn initially_ready(&self) -> bool {
        self.readiness.is_none() && self.started
    }

    fn active(&self) -> impl Iterator<Item = &ProbeTracker> {
        let gated = !self.started;
        [&self.startup, &self.liveness, &self.readiness]
            .into_iter()
            .flatten()
            .filter(move |t| !gated || t.kind == ProbeKind::Startup)
    }

    /// The probes due at `now`, startup first.
    pub fn due(&self, now: SystemTime) -> Vec<ProbeKind> {
        self.active()
            .filter(|t| t.is_due(now))
            .map(|t| t.kind)
            .collect()
    }

    /// The earliest time a probe is due, for the worker to sleep until.
    pub fn next_due(&self) -> Option<SystemTime> {
        self.active().filter_map(ProbeTracker::next_due).min()
    }

    pub fn tracker(&self, kind: ProbeKind) -> Option<&ProbeTracker> {
        match kind {
            ProbeKind::Startup => self.startup.as_ref(),
            ProbeKind::Liveness => self.liveness.as_ref(),
            ProbeKind::Readiness => self.readiness.as_ref(),
        }
    }

    /// Record a run of `kind`. When the startup probe passes, the others are
    /// scheduled from `now` (their initial delay counts from the container
    /// start, so it has usually elapsed already).
    pub fn record(&mut self, kind: ProbeKind, ok: bool, now: SystemTime) -> ProbeVerdict {
        let tracker = match kind {
            ProbeKind::Startup => self.startup.as_mut(),
            ProbeKind::Liveness => self.liveness.as_mut(),
            ProbeKind::Readiness => self.readiness.as_mut(),
        };
        let Some(tracker) = tracker else {
            return ProbeVerdict::Unchanged;
        };
        let verdict = tracker.record(ok, now);
        if verdict == ProbeVerdict::Started {
            self.started = true;
            for t in [&mut self.liveness, &mut self.readiness]
                .into_iter()
                .flatten()
            {
                t.next_due = t.next_due.max(now);
            }
        }
        verdict
    }
}

#[cfg(test)]
mod tests;
