//! kubectl's pod columns: READY, STATUS, RESTARTS and AGE, computed the way
//! `printPod` in `pkg/printers/internalversion/printers.go` computes them
//! (native sidecars count in READY's total and in `Init:i/N`'s N).

use std::time::{Duration, SystemTime};

use crate::manifest::PodSpec;
use crate::status::{ContainerState, ContainerStatus, PodStatus};

use super::is_sidecar_status;

/// What `printPod` works out for one pod.
struct Summary {
    ready: usize,
    total: usize,
    reason: String,
    restarts: u32,
    last_restart: Option<SystemTime>,
}

fn summarize(spec: Option<&PodSpec>, status: &PodStatus, deleting: bool) -> Summary {
    let sidecars = spec.map_or(0, |s| s.sidecars().count());
    let init_total = spec.map_or(status.init_container_statuses.len(), |s| {
        s.init_containers.len()
    });
    let mut sum = Summary {
        ready: 0,
        total: spec.map_or(status.container_statuses.len(), |s| s.containers.len()) + sidecars,
        reason: status
            .reason
            .clone()
            .unwrap_or_else(|| status.phase.as_str().to_string()),
        restarts: 0,
        last_restart: None,
    };
    let mut sidecar_restarts = 0;
    let mut sidecar_last: Option<SystemTime> = None;

    let mut initializing = false;
    for (i, c) in status.init_container_statuses.iter().enumerate() {
        let sidecar = is_sidecar_status(spec, c);
        sum.restarts += c.restart_count;
        later(&mut sum.last_restart, last_finished(c));
        if sidecar {
            sidecar_restarts += c.restart_count;
            later(&mut sidecar_last, last_finished(c));
        }
        match &c.state {
            ContainerState::Terminated { exit_code: 0, .. } => continue,
            _ if sidecar && c.started => {
                if c.ready {
                    sum.ready += 1;
                }
                continue;
            }
            ContainerState::Terminated {
                exit_code,
                reason,
                signal,
                ..
            } => {
                // Initialization failed.
                sum.reason = match (reason.is_empty(), signal) {
                    (false, _) => format!("Init:{reason}"),
                    (true, Some(sig)) if *sig != 0 => format!("Init:Signal:{sig}"),
                    (true, _) => format!("Init:ExitCode:{exit_code}"),
                };
            }
            ContainerState::Waiting { reason, .. }
                if !reason.is_empty() && reason != "PodInitializing" =>
            {
                sum.reason = format!("Init:{reason}");
            }
            _ => sum.reason = format!("Init:{i}/{init_total}"),
        }
        initializing = true;
        break;
    }

    let initialized_condition = status
        .conditions
        .iter()
        .any(|c| c.kind == "Initialized" && c.status == "True");
    if !initializing || initialized_condition {
        sum.restarts = sidecar_restarts;
        sum.last_restart = sidecar_last;
        let mut has_running = false;
        // kubectl walks the app containers from last to first, so the first
        // container's reason wins.
        for c in status.container_statuses.iter().rev() {
            sum.restarts += c.restart_count;
            later(&mut sum.last_restart, last_finished(c));
            match &c.state {
                ContainerState::Waiting { reason, .. } if !reason.is_empty() => {
                    sum.reason = reason.clone();
                }
                ContainerState::Terminated { reason, .. } if !reason.is_empty() => {
                    sum.reason = reason.clone();
                }
                ContainerState::Terminated {
                    exit_code, signal, ..
                } => {
                    sum.reason = match signal {
                        Some(sig) if *sig != 0 => format!("Signal:{sig}"),
                        _ => format!("ExitCode:{exit_code}"),
                    };
                }
                ContainerState::Running { .. } if c.ready => {
                    has_running = true;
                    sum.ready += 1;
                }
                _ => {}
            }
        }
        // A container that completed beside one still running: the pod is
        // not "Completed".
        if sum.reason == "Completed" && has_running {
            let ready = status
                .conditions
                .iter()
                .any(|c| c.kind == "Ready" && c.status == "True");
            sum.reason = if ready { "Running" } else { "NotReady" }.to_string();
        }
    }

    if deleting && !status.phase.is_final() {
        sum.reason = "Terminating".to_string();
    }
    sum
}

fn last_finished(c: &ContainerStatus) -> Option<SystemTime> {
    match &c.last_state {
        Some(ContainerState::Terminated { finished_at, .. }) => Some(*finished_at),
        _ => None,
    }
}

fn later(acc: &mut Option<SystemTime>, t: Option<SystemTime>) {
    if let Some(t) = t
        && acc.is_none_or(|a| a < t)
    {
        *acc = Some(t);
    }
}

/// kubectl's STATUS column: `Init:0/2`, `Init:Error`, `Init:CrashLoopBackOff`,
/// `PodInitializing`, `ContainerCreating`, `CrashLoopBackOff`, `Completed`,
/// `Error`, `OOMKilled`, `ErrImagePull`, `NotReady`, `Terminating`, or the
/// phase (`Running`, `Pending`, `Succeeded`, `Failed`).
///
/// `deleting` is true once the pod is being deleted (kubectl's
/// `deletionTimestamp`): the column says `Terminating` until the phase is final.
pub fn status_column(spec: &PodSpec, status: &PodStatus, deleting: bool) -> String {
    summarize(Some(spec), status, deleting).reason
}

/// kubectl's READY column, `ready/total`: app containers plus native sidecars.
pub fn ready_column(spec: &PodSpec, status: &PodStatus) -> String {
    let s = summarize(Some(spec), status, false);
    format!("{}/{}", s.ready, s.total)
}

/// kubectl's RESTARTS column: the sum of restart counts, with the time since
/// the last restart when there is one, e.g. `3 (25s ago)`.
///
/// Like kubectl, while the pod is still initializing the count covers the
/// init containers; afterwards the app containers and sidecars.
pub fn restarts_column(status: &PodStatus, now: SystemTime) -> String {
    let s = summarize(None, status, false);
    match s.last_restart {
        Some(t) if s.restarts != 0 => format!("{} ({} ago)", s.restarts, age(t, now)),
        _ => s.restarts.to_string(),
    }
}

/// kubectl's AGE: `duration.HumanDuration(now - since)` from apimachinery
/// (`5s`, `2m3s`, `45m`, `3h10m`, `10h`, `2d5h`, `30d`, `2y3d`).
pub fn age(since: SystemTime, now: SystemTime) -> String {
    match now.duration_since(since) {
        Ok(d) => human_duration(d),
        // Clock skew: up to 1 s in the future reads as now.
        Err(e) if e.duration() < Duration::from_secs(2) => "0s".to_string(),
        Err(_) => "<invalid>".to_string(),
    }
}

/// apimachinery's `HumanDuration`: the AGE of every kubectl table.
pub fn human_duration(d: Duration) -> String {
    let seconds = d.as_secs();
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}
