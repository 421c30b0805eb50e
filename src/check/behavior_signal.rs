//! The two checks that act on the pod before observing it: sending a signal
//! into a container, and deleting the pod (preStop hooks, SIGTERM, then
//! SIGKILL when the grace period runs out).

use tokio::time::Instant;

use super::behavior::{Look, eventually, exec};
use super::behavior_status::{describe_container, find, last_exit};
use super::matcher::show;
use super::{Observe, Within};
use crate::grade::{EvalCtx, PodError, PodUnderTest};

/// Send `signal` to the main process of `container` (or to the processes matching
/// `process`), then expect the container to end, with `exit_code` if given.
pub(super) async fn signal<P: PodUnderTest>(
    pod: &P,
    ctx: &EvalCtx,
    container: &str,
    signal: &str,
    process: &Option<String>,
    exit_code: Option<i64>,
    within: Option<Within>,
) -> anyhow::Result<(bool, String, String)> {
    let signal = signal.trim_start_matches("SIG").to_uppercase();
    let target = match process {
        Some(p) => format!("the processes matching {p:?} in {container}"),
        None => format!("the main process of {container}"),
    };
    let mut want = format!("after SIG{signal} to {target}, {container} to end");
    if let Some(c) = exit_code {
        want.push_str(&format!(" with exit code {c}"));
    }
    // Signal a running container: wait for it to start (or restart) first.
    let mut before = None;
    let up = eventually(pod, ctx, within, async || {
        let s = match pod.status().await {
            Ok(s) => s,
            Err(PodError::Unavailable(why)) => return Ok(Look::new(false, why)),
            Err(PodError::Engine(e)) => return Err(e),
        };
        Ok(match find(&s, container) {
            Some(c) if c.state.is_running() => {
                before = Some(c.restart_count);
                Look::new(true, String::new())
            }
            Some(c) => Look::new(
                false,
                format!(
                    "{} (not running, so no signal was sent)",
                    describe_container(c)
                ),
            ),
            None => Look::new(false, format!("no container {container} in the pod")),
        })
    })
    .await?;
    let Some(before) = before else {
        return Ok((false, want, up.observed));
    };
    match process {
        // pkill runs inside the container and sees its processes only (or
        // the Pod's, with a shared PID namespace).
        Some(p) => {
            let argv = vec![
                "pkill".into(),
                format!("-{signal}"),
                "-f".into(),
                ctx.tokens.fill(p),
            ];
            match exec(pod, ctx, container, &argv).await? {
                Ok(out) if out.exit_code == 0 => {}
                Ok(out) => {
                    let why = format!("the signal could not be sent: {}", show(&out.stderr, 120));
                    return Ok((false, want, why));
                }
                Err(why) => return Ok((false, want, why)),
            }
        }
        // The container's main process, as `kill` from the runtime sends it:
        // with shareProcessNamespace, PID 1 inside is the Pod's sandbox.
        None => match pod.signal(container, &signal).await {
            Ok(()) => {}
            Err(PodError::Unavailable(why)) => return Ok((false, want, why)),
            Err(PodError::Engine(e)) => return Err(e),
        },
    }
    let look = eventually(pod, ctx, within, async || {
        let s = match pod.status().await {
            Ok(s) => s,
            Err(PodError::Unavailable(why)) => return Ok(Look::new(false, why)),
            Err(PodError::Engine(e)) => return Err(e),
        };
        let Some(c) = find(&s, container) else {
            return Ok(Look::new(false, format!("no container {container}")));
        };
        let ended = c.state.is_terminated() || c.restart_count > before;
        let ok = ended && exit_code.is_none_or(|e| last_exit(c) == Some(e));
        let observed = if ended {
            describe_container(c)
        } else {
            format!("{} (the signal did not end it)", describe_container(c))
        };
        Ok(Look::new(ok, observed))
    })
    .await?;
    Ok((look.passed, want, look.observed))
}

/// Delete the pod with `grace`; it must be gone within `within`, and the file
/// `observe` names must have been written into its volume as it shut down
/// (the grader backs that volume by a host folder, read after the delete).
pub(super) async fn delete<P: PodUnderTest>(
    pod: &P,
    ctx: &EvalCtx,
    grace: Within,
    within: Option<Within>,
    observe: Option<&Observe>,
) -> anyhow::Result<(bool, String, String)> {
    let t = &ctx.tokens;
    let grace_words = format!("{:.0}s", grace.0.as_secs_f64());
    let mut want = format!("deleting the pod (grace period {grace_words})");
    if let Some(w) = within {
        want.push_str(&format!(" to finish within {:.1}s", w.0.as_secs_f64()));
    }
    if let Some(o) = observe {
        want.push_str(&format!(", writing {} into volume {}", o.path, o.volume));
        if let Some(c) = &o.content {
            want.push_str(&format!(" {}", c.describe(t)));
        }
        if o.absent_before {
            want.push_str(" on the way out (not before the delete)");
        }
        if let Some(c) = &o.before_signal_to {
            want.push_str(&format!(
                ", before {c} is sent SIGTERM (by its preStop hook)"
            ));
        }
    }
    let observed_file = |o: &Observe| {
        ctx.observed_dir
            .as_ref()
            .map(|d| d.join(t.fill(&o.path).trim_start_matches('/')))
    };
    // Written on the way out means: not there yet when the delete starts.
    let early = observe
        .filter(|o| o.absent_before)
        .and_then(|o| observed_file(o).and_then(|f| std::fs::read_to_string(f).ok()));
    let started = Instant::now();
    let signals = match pod.delete(grace.0).await {
        Ok(signals) => signals,
        Err(PodError::Unavailable(_)) => Default::default(),
        Err(PodError::Engine(e)) => return Err(e),
    };
    let took = started.elapsed();
    let mut observed = format!("the pod was gone after {:.1}s", took.as_secs_f64());
    let mut passed = within.is_none_or(|w| took <= w.0);
    if took + std::time::Duration::from_millis(200) >= grace.0 {
        observed.push_str(&format!(
            " (the grace period of {grace_words} ran out: the containers were killed, they did not end on SIGTERM)"
        ));
    }
    if let Some(text) = &early {
        passed = false;
        observed.push_str(&format!(
            "; {} was already there before the delete began (it held {}): it must be written when the pod is deleted, by a preStop hook or on SIGTERM, not earlier",
            observe.map_or("", |o| o.path.as_str()),
            show(text, 80)
        ));
    }
    if let Some(o) = observe {
        // The observed volume is backed by a host folder that outlives the pod.
        let seen = observed_file(o).and_then(|f| std::fs::read_to_string(f).ok());
        match seen.as_ref() {
            None => {
                passed = false;
                observed.push_str(&format!(
                    "; {} never appeared in volume {} while it shut down",
                    o.path, o.volume
                ));
            }
            Some(text) => {
                let ok = o.content.as_ref().is_none_or(|c| c.matches(text, t));
                passed &= ok;
                observed.push_str(&format!("; {} holds {}", o.path, show(text, 120)));
                if let Some(c) = &o.before_signal_to {
                    let written = observed_file(o)
                        .and_then(|f| std::fs::metadata(f).ok())
                        .and_then(|m| m.modified().ok());
                    let (ok, said) = written_before_signal(written, signals.get(c), c);
                    passed &= ok;
                    observed.push_str(&format!("; {said}"));
                }
            }
        }
    }
    Ok((passed, want, observed))
}

/// Whether a file modified at `written` was there before `container` was
/// sent its stop signal, and what was seen.
fn written_before_signal(
    written: Option<std::time::SystemTime>,
    signal: Option<&crate::status::StopSignal>,
    container: &str,
) -> (bool, String) {
    let Some(signal) = signal else {
        return (
            false,
            format!("{container} was never sent SIGTERM on delete (it was not running)"),
        );
    };
    let Some(written) = written else {
        return (false, "the time the file was written is unknown".into());
    };
    if written <= signal.midpoint() {
        return (true, format!("written before {container} got SIGTERM"));
    }
    let when = match written.duration_since(signal.sent) {
        Ok(d) => format!("{:.2}s after {container} got SIGTERM", d.as_secs_f64()),
        Err(_) => {
            format!("as {container} was being sent SIGTERM, after its preStop hook had ended")
        }
    };
    (
        false,
        format!(
            "it was written {when}: by a SIGTERM handler, not by the preStop hook, which runs before the signal"
        ),
    )
}
