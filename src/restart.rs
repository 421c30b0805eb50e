//! When a stopped container is started again, and how long the kubelet waits
//! first: `restartPolicy` per container kind (POD-SEMANTICS §4) and the
//! crash-loop back-off.
//!
//! Docker's own restart policy is not used (it starts at 100 ms, caps at one
//! minute and resets after 10 s); the pod worker asks [`should_restart`] and
//! waits [`BackOff::next_delay`] itself.

use std::time::{Duration, SystemTime};

use crate::manifest::RestartPolicy;
use crate::status::ContainerKind;

/// The kubelet's first back-off step (`backOffPeriod`, 10 s).
pub const INITIAL_BACKOFF: Duration = Duration::from_secs(10);
/// The kubelet's cap (`MaxContainerBackOff`, 300 s).
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// A back-off entry is forgotten after twice the cap without a new failure
/// (client-go `flowcontrol.Backoff.hasExpired`): 10 minutes.
pub const BACKOFF_RESET: Duration = Duration::from_secs(600);

/// Whether a container that exited with `exit_code` is started again while
/// the pod runs.
///
/// | exit | Always | OnFailure | Never |
/// |---|---|---|---|
/// | 0 | restart | stay | stay |
/// | non-zero | restart | restart | stay |
///
/// Regular init containers treat `Always` as `OnFailure` (they must run to
/// completion once); native sidecars are always restarted, whatever the pod's
/// policy, until the pod terminates.
pub fn should_restart(policy: RestartPolicy, kind: ContainerKind, exit_code: i64) -> bool {
    let effective = match (kind, policy) {
        (ContainerKind::Sidecar, _) => RestartPolicy::Always,
        (ContainerKind::Init, RestartPolicy::Always) => RestartPolicy::OnFailure,
        (_, p) => p,
    };
    match effective {
        RestartPolicy::Always => true,
        RestartPolicy::OnFailure => exit_code != 0,
        RestartPolicy::Never => false,
    }
}

/// The crash-loop back-off of one container, as the kubelet keeps it (a
/// `flowcontrol.Backoff` entry keyed by pod and container).
///
/// The first restart is immediate; each later one waits 10 s, 20 s, 40 s, ...
/// up to 300 s, counted from the container's finish time. After 10 minutes
/// without a new failure the sequence starts over. All waits are divided by
/// `time_scale` (10 → a tenth of the real wait): podlearn shows the scale to
/// the learner, and messages keep the unscaled Kubernetes figures.
///
/// Use: when a container stops and [`should_restart`] says yes, call
/// [`next_delay`](Self::next_delay) once; set the state to
/// `Waiting/CrashLoopBackOff` with [`message`](Self::message) if the delay is
/// not zero, sleep until `finished_at + delay`, then start the container.
#[derive(Debug, Clone)]
pub struct BackOff {
    time_scale: f64,
    /// The unscaled wait the next failure will get, once there is an entry.
    next: Option<Duration>,
    /// The unscaled wait chosen by the last call (for messages).
    last: Duration,
    /// When the last restart was allowed (finish time + scaled delay).
    last_update: Option<SystemTime>,
}

impl BackOff {
    /// A fresh back-off. A `time_scale` that is not a positive number counts as 1.
    pub fn new(time_scale: f64) -> Self {
        let time_scale = if time_scale.is_finite() && time_scale > 0.0 {
            time_scale
        } else {
            1.0
        };
        BackOff {
            time_scale,
            next: None,
            last: Duration::ZERO,
            last_update: None,
        }
    }

    /// The time scale in use.
    pub fn time_scale(&self) -> f64 {
        self.time_scale
    }

    /// A Kubernetes duration divided by the time scale.
    pub fn scale(&self, d: Duration) -> Duration {
        d.div_f64(self.time_scale)
    }

    /// How long to wait, counted from `finished_at`, before starting the
    /// container again (already scaled). Call it once per stop.
    ///
    /// `started_at` is when the run that just ended began: a run that lasted
    /// the reset period on its own also starts the sequence over.
    pub fn next_delay(&mut self, started_at: SystemTime, finished_at: SystemTime) -> Duration {
        let reset_after = self.scale(BACKOFF_RESET);
        let expired = self.last_update.is_none_or(|t| {
            finished_at
                .duration_since(t)
                .is_ok_and(|since| since > reset_after)
        }) || finished_at
            .duration_since(started_at)
            .is_ok_and(|ran| ran > reset_after);
        let delay = match self.next {
            Some(next) if !expired => next,
            // No entry (or a forgotten one): restart at once, and the next
            // failure waits the initial step.
            _ => Duration::ZERO,
        };
        self.next = Some(if delay.is_zero() {
            INITIAL_BACKOFF
        } else {
            (delay * 2).min(MAX_BACKOFF)
        });
        self.last = delay;
        let scaled = self.scale(delay);
        self.last_update = Some(finished_at + scaled);
        scaled
    }

    /// The unscaled wait chosen by the last [`next_delay`](Self::next_delay),
    /// as Kubernetes would print it.
    pub fn last_unscaled(&self) -> Duration {
        self.last
    }

    /// Forget all failures (e.g. the pod was recreated).
    pub fn reset(&mut self) {
        *self = BackOff::new(self.time_scale);
    }

    /// The kubelet's waiting message for `CrashLoopBackOff`, e.g.
    /// `back-off 20s restarting failed container=web pod=web_default(uid)`.
    pub fn message(&self, container: &str, pod: &str, namespace: &str, uid: &str) -> String {
        format!(
            "back-off {} restarting failed container={container} pod={pod}_{namespace}({uid})",
            go_duration(self.last)
        )
    }
}

/// The kubelet's `BackOff` warning event message, emitted each time a
/// restart has to wait: `Back-off restarting failed container web in pod
/// web_default(uid)`.
pub fn backoff_event_message(container: &str, pod: &str, namespace: &str, uid: &str) -> String {
    format!("Back-off restarting failed container {container} in pod {pod}_{namespace}({uid})")
}

/// A whole-second duration the way Go prints it: `10s`, `1m20s`, `5m0s`.
pub fn go_duration(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, sec) => format!("{m}m{sec}s"),
        (h, m, sec) => format!("{h}h{m}m{sec}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::RestartPolicy::*;
    use crate::status::ContainerKind::*;

    #[test]
    fn restart_table_for_app_containers() {
        assert!(should_restart(Always, App, 0));
        assert!(should_restart(Always, App, 1));
        assert!(!should_restart(OnFailure, App, 0));
        assert!(should_restart(OnFailure, App, 1));
        assert!(!should_restart(Never, App, 0));
        assert!(!should_restart(Never, App, 137));
    }

    #[test]
    fn init_containers_treat_always_as_on_failure() {
        assert!(!should_restart(Always, Init, 0));
        assert!(should_restart(Always, Init, 1));
        assert!(should_restart(OnFailure, Init, 2));
        assert!(!should_restart(Never, Init, 2));
    }

    #[test]
    fn sidecars_always_restart() {
        for policy in [Always, OnFailure, Never] {
            assert!(should_restart(policy, Sidecar, 0));
            assert!(should_restart(policy, Sidecar, 1));
        }
    }

    fn t(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000 + secs)
    }

    /// Crash right after each restart, and collect the waits.
    fn crash_sequence(backoff: &mut BackOff, n: usize) -> Vec<u64> {
        let mut now = t(0);
        (0..n)
            .map(|_| {
                let started = now;
                let finished = started + Duration::from_secs(1);
                let d = backoff.next_delay(started, finished);
                now = finished + d;
                d.as_secs()
            })
            .collect()
    }

    #[test]
    fn backoff_doubles_from_ten_seconds_up_to_five_minutes() {
        let mut b = BackOff::new(1.0);
        assert_eq!(
            crash_sequence(&mut b, 9),
            [0, 10, 20, 40, 80, 160, 300, 300, 300]
        );
        assert_eq!(b.last_unscaled(), MAX_BACKOFF);
    }

    #[test]
    fn backoff_resets_after_ten_minutes_without_trouble() {
        let mut b = BackOff::new(1.0);
        crash_sequence(&mut b, 4); // last wait 40 s
        // Runs for 11 minutes, then fails: restarted at once, then 10 s.
        let started = t(10_000);
        let finished = started + Duration::from_secs(660);
        assert_eq!(b.next_delay(started, finished), Duration::ZERO);
        let again = finished + Duration::from_secs(2);
        assert_eq!(b.next_delay(finished, again), Duration::from_secs(10));
    }

    #[test]
    fn backoff_keeps_growing_when_runs_are_shorter_than_ten_minutes() {
        let mut b = BackOff::new(1.0);
        let first = b.next_delay(t(0), t(1));
        let second = b.next_delay(t(1), t(2));
        // Restarted at t(12); runs 5 minutes, fails: 20 s, not a reset.
        let third = b.next_delay(t(12), t(312));
        assert_eq!([first, second, third].map(|d| d.as_secs()), [0, 10, 20]);
    }

    #[test]
    fn backoff_with_time_scale_divides_every_wait() {
        let mut b = BackOff::new(10.0);
        let waits: Vec<_> = (0..8)
            .scan(t(0), |now, _| {
                let d = b.next_delay(*now, *now + Duration::from_millis(100));
                *now += Duration::from_millis(100) + d;
                Some(d.as_millis())
            })
            .collect();
        assert_eq!(waits, [0, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
        // The message keeps the Kubernetes figure.
        assert_eq!(
            b.message("web", "web", "default", "u1"),
            "back-off 5m0s restarting failed container=web pod=web_default(u1)"
        );
        // The reset period is scaled too: 61 s of running is 10 min at scale 10.
        let start = t(100_000);
        assert_eq!(
            b.next_delay(start, start + Duration::from_secs(61)),
            Duration::ZERO
        );
    }

    #[test]
    fn bad_time_scale_counts_as_one() {
        assert_eq!(BackOff::new(0.0).time_scale(), 1.0);
        assert_eq!(BackOff::new(f64::NAN).time_scale(), 1.0);
    }

    #[test]
    fn backoff_event_reads_like_the_kubelet() {
        assert_eq!(
            backoff_event_message("web", "web", "default", "u1"),
            "Back-off restarting failed container web in pod web_default(u1)"
        );
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration(Duration::from_secs(10)), "10s");
        assert_eq!(go_duration(Duration::from_secs(80)), "1m20s");
        assert_eq!(go_duration(Duration::from_secs(300)), "5m0s");
    }
}
