//! Status checks: conditions on the pod's status (phase, container states,
//! readiness, start and finish times), reached within a time and, with
//! `hold`, kept for a while.

use std::time::SystemTime;

use tokio::time::Instant;

use super::behavior::Look;
use super::{StateName, Within};
use crate::grade::{EvalCtx, PodError, PodUnderTest};
use crate::status::{ContainerState, ContainerStatus, PodStatus};

/// Status checks: reach the condition within `within`, then (with `hold`)
/// keep it for that long.
pub(super) async fn holds<P: PodUnderTest>(
    pod: &P,
    ctx: &EvalCtx,
    within: Option<Within>,
    hold: Option<Within>,
    check: impl Fn(&PodStatus) -> Look,
) -> anyhow::Result<Look> {
    let deadline = Instant::now() + within.unwrap_or(Within::DEFAULT).0;
    let reached = loop {
        let seen = look_status(pod, &check).await?;
        if seen.passed || seen.settled || Instant::now() >= deadline {
            break seen;
        }
        tokio::time::sleep(ctx.poll).await;
    };
    let Some(hold) = hold else { return Ok(reached) };
    if !reached.passed {
        return Ok(reached);
    }
    let until = Instant::now() + hold.0;
    while Instant::now() < until {
        tokio::time::sleep(ctx.poll).await;
        let again = look_status(pod, &check).await?;
        if !again.passed {
            return Ok(Look::new(
                false,
                format!("then it changed: {}", again.observed),
            ));
        }
        if again.settled {
            break;
        }
    }
    Ok(reached)
}

async fn look_status<P: PodUnderTest>(
    pod: &P,
    check: &impl Fn(&PodStatus) -> Look,
) -> anyhow::Result<Look> {
    match pod.status().await {
        Ok(s) => {
            let mut l = check(&s);
            // A final phase does not change any more.
            l.settled = s.phase.is_final();
            Ok(l)
        }
        Err(PodError::Unavailable(why)) => Ok(Look::new(false, why)),
        Err(PodError::Engine(e)) => Err(e),
    }
}

pub(super) fn find<'a>(s: &'a PodStatus, name: &str) -> Option<&'a ContainerStatus> {
    s.init_container_statuses
        .iter()
        .chain(s.container_statuses.iter())
        .find(|c| c.name == name)
}

pub(super) fn state_name(s: &ContainerState) -> StateName {
    match s {
        ContainerState::Waiting { .. } => StateName::Waiting,
        ContainerState::Running { .. } => StateName::Running,
        ContainerState::Terminated { .. } => StateName::Terminated,
    }
}

/// The exit code of the current run, or of the last one while it waits to restart.
pub(super) fn last_exit(c: &ContainerStatus) -> Option<i64> {
    c.state
        .exit_code()
        .or_else(|| c.last_state.as_ref().and_then(|s| s.exit_code()))
}

pub(super) fn describe_container(c: &ContainerStatus) -> String {
    let mut s = match &c.state {
        ContainerState::Waiting { reason, .. } => format!("{} is waiting ({reason})", c.name),
        ContainerState::Running { .. } => format!("{} is running", c.name),
        ContainerState::Terminated {
            exit_code, reason, ..
        } => format!("{} terminated ({reason}, exit code {exit_code})", c.name),
    };
    if let Some(ContainerState::Terminated {
        exit_code, reason, ..
    }) = &c.last_state
        && !c.state.is_terminated()
    {
        s.push_str(&format!(", last run {reason} with exit code {exit_code}"));
    }
    let plural = if c.restart_count == 1 { "" } else { "s" };
    s.push_str(&format!(", {} restart{plural}", c.restart_count));
    s
}

/// Why a check that runs a command in a container could not look: the
/// container was not running.
pub(super) struct NotRunning {
    pub(super) observed: String,
    /// Said before the check's own hint, which says what the running
    /// container should do.
    pub(super) hint: Option<String>,
}

/// The first of `names` that is not running, said in its state's words (the
/// engine's own, "Container 3f2a... is not running", tell a learner
/// nothing). A container that crashed, keeps restarting or never started
/// gets a hint of its own, before the check's: the learner must make it
/// run before anything the check looks for can be there. One that ended as it should (exit 0,
/// not restarted) keeps the check's hint: it ended too soon for the task.
pub(super) fn not_running(s: &PodStatus, names: &[&str]) -> Option<NotRunning> {
    let c = names
        .iter()
        .filter_map(|n| find(s, n))
        .find(|c| !c.state.is_running())?;
    let name = &c.name;
    let mut observed = format!("not running: {}", describe_container(c));
    if s.phase.is_final() {
        observed.push_str(&format!(" (the pod has ended: {})", s.phase.as_str()));
    }
    let look_inside = "so podlearn could not look inside it";
    let hint = match &c.state {
        ContainerState::Waiting { reason, .. }
            if c.restart_count > 0 || reason == "CrashLoopBackOff" =>
        {
            Some(format!(
                "{name} keeps stopping and being restarted ({reason}), {look_inside}. Make it keep running first: run your manifest with `podlearn run` and read `podlearn logs POD -c {name} --previous` to see why it stops."
            ))
        }
        ContainerState::Waiting { reason, .. } => Some(format!(
            "{name} never started ({reason}), {look_inside}. Make it start first: run your manifest with `podlearn run`; `podlearn describe pod POD` says what it waits for."
        )),
        ContainerState::Terminated { exit_code, .. } if *exit_code != 0 => Some(format!(
            "{name} stopped with exit code {exit_code}, {look_inside}. Make it keep running first: run your manifest with `podlearn run` and read `podlearn logs POD -c {name}` to see why it stops."
        )),
        _ => None,
    };
    Some(NotRunning { observed, hint })
}

pub(super) fn finished_at(c: &ContainerStatus) -> Option<SystemTime> {
    let of = |s: &ContainerState| match s {
        ContainerState::Terminated { finished_at, .. } => Some(*finished_at),
        _ => None,
    };
    of(&c.state).or_else(|| c.last_state.as_ref().and_then(of))
}

fn first_started_at(c: &ContainerStatus) -> Option<SystemTime> {
    let of = |s: &ContainerState| match s {
        ContainerState::Running { started_at } => Some(*started_at),
        ContainerState::Terminated { started_at, .. } => Some(*started_at),
        _ => None,
    };
    // The first run's start: the last state is older than the current one.
    c.last_state.as_ref().and_then(of).or_else(|| of(&c.state))
}

pub(super) fn order(s: &PodStatus, first: &str, then: &str) -> Look {
    let (Some(a), Some(b)) = (find(s, first), find(s, then)) else {
        return Look::new(
            false,
            format!("the pod needs containers {first} and {then}"),
        );
    };
    match (finished_at(a), first_started_at(b)) {
        (Some(done), Some(start)) if done <= start => {
            Look::new(true, format!("{first} finished, then {then} started"))
        }
        (Some(_), Some(_)) => Look::new(false, format!("{then} started before {first} finished")),
        (None, Some(_)) => Look::new(
            false,
            format!(
                "{then} started while {first} had not finished ({})",
                describe_container(a)
            ),
        ),
        (_, None) => Look::new(
            false,
            format!("{then} has not started ({})", describe_container(b)),
        ),
    }
}
