//! Behavioral checks: observe the running pod through [`PodUnderTest`],
//! retrying until the check holds or its time (`within`) runs out.
//!
//! Each check turns observations into `(passed, observed)`; the expectation is
//! said in words up front, so a failure reads "expected X, observed Y".

use regex::Regex;
use tokio::time::Instant;

use super::behavior_status::{
    describe_container, find, finished_at, holds, last_exit, not_running, order, state_name,
};
use super::matcher::show;
use super::{Check, CheckOutcome, CheckSpec, TextMatch, Within};
use crate::grade::{EvalCtx, PodError, PodUnderTest};
use crate::status::PodStatus;

/// What one look at the pod showed.
pub(super) struct Look {
    pub(super) passed: bool,
    pub(super) observed: String,
    /// Looking again cannot change the answer (the pod has ended).
    pub(super) settled: bool,
}

impl Look {
    pub(super) fn new(passed: bool, observed: impl Into<String>) -> Self {
        Look {
            passed,
            observed: observed.into(),
            settled: false,
        }
    }
}

/// Evaluate a behavioral check. `Err` only when the engine failed.
pub async fn evaluate<P: PodUnderTest>(
    check: &Check,
    pod: &P,
    ctx: &EvalCtx,
) -> anyhow::Result<CheckOutcome> {
    let t = &ctx.tokens;
    let started = Instant::now();
    let (passed, expected, observed) = match &check.spec {
        CheckSpec::Exec {
            container,
            command,
            exit_code,
            stdout,
            stderr,
            within,
        } => {
            let argv: Vec<String> = command.iter().map(|a| t.fill(a)).collect();
            let mut want = vec![format!("`{}` in {container}", argv.join(" "))];
            want.push(format!("to exit with {}", exit_code.unwrap_or(0)));
            if let Some(m) = stdout {
                want.push(format!("print {}", m.describe(t)));
            }
            if let Some(m) = stderr {
                want.push(format!("print on stderr {}", m.describe(t)));
            }
            let look = eventually(pod, ctx, *within, async || {
                let out = match exec(pod, ctx, container, &argv).await? {
                    Ok(out) => out,
                    Err(why) => return Ok(unavailable(why)),
                };
                let ok = out.exit_code == exit_code.unwrap_or(0)
                    && stdout.as_ref().is_none_or(|m| m.matches(&out.stdout, t))
                    && stderr.as_ref().is_none_or(|m| m.matches(&out.stderr, t));
                Ok(Look::new(ok, describe_exec(&out)))
            })
            .await?;
            (look.passed, want.join(", "), look.observed)
        }
        CheckSpec::Http {
            container,
            url,
            status,
            body,
            within,
        } => {
            let url = t.fill(url);
            let mut want = format!("GET {url} from {container} to answer");
            want.push_str(&format!(" {}", status.unwrap_or(200)));
            if let Some(b) = body {
                want.push_str(&format!(" with a body {}", b.describe(t)));
            }
            // The grader's own request goes to 127.0.0.1: the same address as
            // localhost, without a name lookup in the learner's container.
            let target = url.replacen("://localhost", "://127.0.0.1", 1);
            // No `-T`: Debian's static busybox wget crashes with it; the exec
            // timeout bounds the request instead.
            let argv: Vec<String> = ["wget", "-q", "-S", "-O", "-", target.as_str()]
                .iter()
                .map(|s| s.to_string())
                .collect();
            let look = eventually(pod, ctx, *within, async || {
                let out = match exec(pod, ctx, container, &argv).await? {
                    Ok(out) => out,
                    Err(why) => return Ok(unavailable(why)),
                };
                let code = http_status(&out.stderr);
                let ok = code == Some(status.unwrap_or(200))
                    && body.as_ref().is_none_or(|b| b.matches(&out.stdout, t));
                let observed = match code {
                    Some(c) => format!("HTTP {c} with body {}", show(&out.stdout, 120)),
                    None => format!("no answer: {}", show(&out.stderr, 160)),
                };
                Ok(Look::new(ok, observed))
            })
            .await?;
            (look.passed, want, look.observed)
        }
        CheckSpec::File {
            container,
            path,
            exists,
            content,
            written_after,
            written_before,
            within,
        } => {
            let path = t.fill(path);
            let mut want = match (exists, content) {
                (false, _) => format!("no file {path} in {container}"),
                (true, Some(c)) => format!("{path} in {container}, {}", c.describe(t)),
                (true, None) => format!("a file {path} in {container}"),
            };
            if let Some(c) = written_after {
                want.push_str(&format!(", last written after {c} finished"));
            }
            if let Some(c) = written_before {
                want.push_str(&format!(", last written before {c} finished"));
            }
            let bounds = WrittenBounds {
                after: written_after.as_deref(),
                before: written_before.as_deref(),
            };
            let argv = vec!["cat".to_string(), path.clone()];
            let look = eventually(pod, ctx, *within, async || {
                let out = match exec(pod, ctx, container, &argv).await? {
                    Ok(out) => out,
                    Err(why) => return Ok(unavailable(why)),
                };
                let found = out.exit_code == 0;
                // Absent means cat said so: "Permission denied", "Is a
                // directory" or no cat at all is no proof that it is not there.
                let absent = !found && file_is_missing(&out.stderr);
                let ok = if *exists {
                    found && content.as_ref().is_none_or(|c| c.matches(&out.stdout, t))
                } else {
                    absent
                };
                if ok && bounds.any() {
                    let (ok, when) = written_when(pod, ctx, container, &path, &bounds).await?;
                    return Ok(Look::new(
                        ok,
                        format!("{path} holds {}; {when}", show(&out.stdout, 120)),
                    ));
                }
                let observed = if found {
                    format!("{path} holds {}", show(&out.stdout, 120))
                } else if absent {
                    format!("no file {path}: {}", show(&out.stderr, 120))
                } else {
                    format!(
                        "{path} could not be read (exit code {}): {}",
                        out.exit_code,
                        show(&out.stderr, 120)
                    )
                };
                Ok(Look::new(ok, observed))
            })
            .await?;
            (look.passed, want, look.observed)
        }
        CheckSpec::Logs {
            container,
            previous,
            output,
            within,
        } => {
            let which = if *previous { "previous run's " } else { "" };
            let want = format!("the {which}logs of {container} {}", output.describe(t));
            let look = eventually(pod, ctx, *within, async || {
                match pod.logs(container, *previous).await {
                    Ok(text) => Ok(Look::new(
                        output.matches(&text, t),
                        format!("logs: {}", show(&text, 200)),
                    )),
                    Err(PodError::Unavailable(why)) => Ok(Look::new(false, why)),
                    Err(PodError::Engine(e)) => Err(e),
                }
            })
            .await?;
            (look.passed, want, look.observed)
        }
        CheckSpec::Phase {
            phase,
            within,
            hold,
        } => {
            let want = format!("the pod phase to be {phase}");
            let look = holds(pod, ctx, *within, *hold, |s: &PodStatus| {
                let mut seen = format!("phase {}", s.phase.as_str());
                if let Some(reason) = &s.reason {
                    seen.push_str(&format!(" ({reason})"));
                }
                Look::new(s.phase.as_str() == phase, seen)
            })
            .await?;
            (look.passed, with_hold(want, *hold), look.observed)
        }
        CheckSpec::ContainerState {
            container,
            state,
            reason,
            exit_code,
            restart_count,
            within,
            hold,
        } => {
            let mut want = Vec::new();
            if let Some(s) = state {
                want.push(format!("{s:?}").to_lowercase());
            }
            if let Some(r) = reason {
                want.push(format!("reason {r}"));
            }
            if let Some(c) = exit_code {
                want.push(format!("exit code {}", c.describe()));
            }
            if let Some(r) = restart_count {
                want.push(format!("{} restarts", r.describe()));
            }
            let want = format!("container {container}: {}", want.join(", "));
            let look = holds(pod, ctx, *within, *hold, |s: &PodStatus| {
                let Some(c) = find(s, container) else {
                    return Look::new(false, format!("no container {container} in the pod"));
                };
                let ok = state.is_none_or(|st| state_name(&c.state) == st)
                    && reason
                        .as_ref()
                        .is_none_or(|r| c.state.reason() == Some(r.as_str()))
                    && exit_code
                        .as_ref()
                        .is_none_or(|e| last_exit(c).is_some_and(|x| e.allows(x)))
                    && restart_count.is_none_or(|r| r.matches(c.restart_count));
                Look::new(ok, describe_container(c))
            })
            .await?;
            (look.passed, with_hold(want, *hold), look.observed)
        }
        CheckSpec::Ready {
            container,
            ready,
            within,
            hold,
        } => {
            let who = container
                .as_ref()
                .map_or("the pod".to_string(), |c| format!("container {c}"));
            let want = format!("{who} to be {}", if *ready { "ready" } else { "not ready" });
            let look = holds(pod, ctx, *within, *hold, |s: &PodStatus| {
                let is_ready = match container {
                    Some(name) => match find(s, name) {
                        Some(c) => c.ready,
                        None => return Look::new(false, format!("no container {name}")),
                    },
                    None => s
                        .conditions
                        .iter()
                        .any(|c| c.kind == "Ready" && c.status == "True"),
                };
                let observed = format!("{who} is {}", if is_ready { "ready" } else { "not ready" });
                Look::new(is_ready == *ready, observed)
            })
            .await?;
            (look.passed, with_hold(want, *hold), look.observed)
        }
        CheckSpec::Order {
            first,
            then,
            within,
        } => {
            let want = format!("{first} to finish before {then} starts");
            let look = holds(pod, ctx, *within, None, |s: &PodStatus| {
                order(s, first, then)
            })
            .await?;
            (look.passed, want, look.observed)
        }
        CheckSpec::Process {
            container,
            process,
            absent,
            within,
        } => process_check(pod, ctx, container, process, *absent, *within).await?,
        CheckSpec::Signal {
            container,
            signal,
            process,
            exit_code,
            within,
        } => {
            super::behavior_signal::signal(
                pod, ctx, container, signal, process, *exit_code, *within,
            )
            .await?
        }
        CheckSpec::Delete {
            grace,
            within,
            observe,
        } => super::behavior_signal::delete(pod, ctx, *grace, *within, observe.as_ref()).await?,
        CheckSpec::Write {
            container,
            path,
            content,
            append,
            within,
        } => {
            write(
                pod,
                ctx,
                container,
                path,
                &t.fill(content),
                *append,
                *within,
            )
            .await?
        }
        _ => anyhow::bail!("check {} is not a behavioral check", check.id),
    };
    let mut outcome = CheckOutcome::new(check, passed, expected, observed);
    if !passed
        && let Ok(status) = pod.status().await
        && let Some(why) = not_running(&status, &check.spec.runs_in())
    {
        outcome.observed = why.observed;
        if let Some(first) = why.hint {
            // The check's own hint stays, second: the crash may be the
            // symptom of what it asks for (an app that checks its own
            // setup and exits).
            outcome.hint = Some(format!(
                "{first} Once it runs, this check needs: {}",
                check.hint
            ));
        }
    }
    outcome.seconds = started.elapsed().as_secs_f64();
    Ok(outcome)
}

/// Run a command, telling an engine failure (`Err`) from a container that
/// cannot run it (`Ok(Err(why))`).
pub(super) async fn exec<P: PodUnderTest>(
    pod: &P,
    ctx: &EvalCtx,
    container: &str,
    argv: &[String],
) -> anyhow::Result<Result<crate::grade::ExecOutput, String>> {
    match pod.exec(container, argv, ctx.exec_timeout).await {
        Ok(out) => Ok(Ok(out)),
        Err(PodError::Unavailable(why)) => Ok(Err(why)),
        Err(PodError::Engine(e)) => Err(e),
    }
}

/// When a file must have been written, relative to the end of other
/// containers: an init container's output, not the app's own work. Ends, not
/// starts: the engine records a start only after the process has begun (its
/// first write may come sooner), but an end only after its last write, and
/// the next container starts after it.
struct WrittenBounds<'a> {
    after: Option<&'a str>,
    before: Option<&'a str>,
}

impl WrittenBounds<'_> {
    fn any(&self) -> bool {
        self.after.is_some() || self.before.is_some()
    }
}

/// Compare the file's modification time (from `stat` in `container`, in UTC,
/// to the nanosecond) with the containers' finish times as the engine
/// recorded them: `(within the bounds, what was seen)`.
async fn written_when<P: PodUnderTest>(
    pod: &P,
    ctx: &EvalCtx,
    container: &str,
    path: &str,
    bounds: &WrittenBounds<'_>,
) -> anyhow::Result<(bool, String)> {
    let argv: Vec<String> = ["env", "TZ=UTC0", "stat", "-c", "%y", path]
        .iter()
        .map(|a| a.to_string())
        .collect();
    let out = match exec(pod, ctx, container, &argv).await? {
        Ok(out) if out.exit_code == 0 => out,
        Ok(out) => {
            return Ok((
                false,
                format!(
                    "its modification time could not be read: {}",
                    show(&out.stderr, 120)
                ),
            ));
        }
        Err(why) => return Ok((false, why)),
    };
    let Some(mtime) = parse_stat_time(out.stdout.trim()) else {
        return Ok((
            false,
            format!("stat printed an unknown time: {}", show(&out.stdout, 80)),
        ));
    };
    let status = match pod.status().await {
        Ok(s) => s,
        Err(PodError::Unavailable(why)) => return Ok((false, why)),
        Err(PodError::Engine(e)) => return Err(e),
    };
    let end_of = |name: &str| find(&status, name).and_then(finished_at);
    let mut seen = Vec::new();
    let mut ok = true;
    for (name, after) in [(bounds.after, true), (bounds.before, false)] {
        let Some(name) = name else { continue };
        let Some(end) = end_of(name) else {
            ok = false;
            seen.push(format!("{name} has not finished"));
            continue;
        };
        let (is_after, gap) = match mtime.duration_since(end) {
            Ok(d) => (true, d),
            Err(e) => (false, e.duration()),
        };
        ok &= is_after == after;
        seen.push(format!(
            "it was last written {:.1} s {} {name} finished",
            gap.as_secs_f64(),
            if is_after { "after" } else { "before" }
        ));
    }
    Ok((ok, seen.join(", ")))
}

/// `stat -c %y` under `TZ=UTC0`: `2026-12-06 12:39:00.518293199 +0000`.
fn parse_stat_time(s: &str) -> Option<std::time::SystemTime> {
    let (when, zone) = s.rsplit_once(' ')?;
    if zone != "+0000" {
        return None;
    }
    humantime::parse_rfc3339_weak(when).ok()
}

/// Whether `cat`'s error says the path is not there (ENOENT, or ENOTDIR for a
/// parent that is a file), in busybox's or GNU's words.
fn file_is_missing(stderr: &str) -> bool {
    stderr.contains("No such file or directory") || stderr.contains("Not a directory")
}

fn unavailable(why: String) -> Look {
    Look::new(false, why)
}

fn with_hold(want: String, hold: Option<Within>) -> String {
    match hold {
        Some(h) => format!(
            "{want}, and to stay so for {}",
            humantime::format_duration(h.0)
        ),
        None => want,
    }
}

fn describe_exec(out: &crate::grade::ExecOutput) -> String {
    let mut s = format!(
        "exit code {}, stdout {}",
        out.exit_code,
        show(&out.stdout, 160)
    );
    if !out.stderr.trim().is_empty() {
        s.push_str(&format!(", stderr {}", show(&out.stderr, 160)));
    }
    s
}

/// The status code in busybox `wget -S` output (`  HTTP/1.1 200 OK`, or
/// `server returned error: HTTP/1.1 404 Not Found`).
pub fn http_status(stderr: &str) -> Option<u16> {
    let re = Regex::new(r"HTTP/\d(?:\.\d)? (\d{3})").ok()?;
    re.captures_iter(stderr)
        .last()
        .and_then(|c| c[1].parse().ok())
}

/// Keep looking until `look` passes, the time runs out, or the pod has ended
/// so that looking again cannot help.
pub(super) async fn eventually<P: PodUnderTest>(
    pod: &P,
    ctx: &EvalCtx,
    within: Option<Within>,
    mut look: impl AsyncFnMut() -> anyhow::Result<Look>,
) -> anyhow::Result<Look> {
    let deadline = Instant::now() + within.unwrap_or(Within::DEFAULT).0;
    loop {
        let mut seen = look().await?;
        if seen.passed || seen.settled || Instant::now() >= deadline {
            return Ok(seen);
        }
        if !seen.passed
            && let Ok(s) = pod.status().await
            && s.phase.is_final()
        {
            seen.observed
                .push_str(&format!(" (the pod has ended: {})", s.phase.as_str()));
            return Ok(seen);
        }
        tokio::time::sleep(ctx.poll).await;
    }
}

/// The grader writes (or appends) `content` to `path` in `container`, retried
/// until the container can take it or the time runs out.
async fn write<P: PodUnderTest>(
    pod: &P,
    ctx: &EvalCtx,
    container: &str,
    path: &str,
    content: &str,
    append: bool,
    within: Option<Within>,
) -> anyhow::Result<(bool, String, String)> {
    let path = ctx.tokens.fill(path);
    let verb = if append { "append" } else { "write" };
    let want = format!(
        "the grader to {verb} {} to {path} in {container}",
        show(content, 80)
    );
    let script = if append {
        "mkdir -p \"$(dirname \"$1\")\" && printf '%s\\n' \"$2\" >> \"$1\""
    } else {
        "mkdir -p \"$(dirname \"$1\")\" && printf '%s\\n' \"$2\" > \"$1\""
    };
    let argv: Vec<String> = ["sh", "-c", script, "sh", path.as_str(), content]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let look = eventually(
        pod,
        ctx,
        Some(within.unwrap_or(Within(std::time::Duration::from_secs(10)))),
        async || {
            let out = match exec(pod, ctx, container, &argv).await? {
                Ok(out) => out,
                Err(why) => return Ok(unavailable(why)),
            };
            let observed = if out.exit_code == 0 {
                format!("wrote {path}")
            } else {
                format!("could not write {path}: {}", show(&out.stderr, 160))
            };
            Ok(Look::new(out.exit_code == 0, observed))
        },
    )
    .await?;
    Ok((look.passed, want, look.observed))
}

async fn process_check<P: PodUnderTest>(
    pod: &P,
    ctx: &EvalCtx,
    container: &str,
    process: &TextMatch,
    absent: bool,
    within: Option<Within>,
) -> anyhow::Result<(bool, String, String)> {
    let t = &ctx.tokens;
    let want = if absent {
        format!("no process {} in `ps` of {container}", process.describe(t))
    } else {
        format!("a process {} in `ps` of {container}", process.describe(t))
    };
    let argv = vec!["ps".to_string()];
    let look = eventually(pod, ctx, within, async || {
        let out = match exec(pod, ctx, container, &argv).await? {
            Ok(out) => out,
            Err(why) => return Ok(unavailable(why)),
        };
        let mut lines = out.stdout.lines();
        // busybox prints `PID USER TIME COMMAND` or `PID USER COMMAND`.
        let command_at = lines.next().and_then(|h| h.find("COMMAND")).unwrap_or(0);
        let listed: Vec<&str> = lines.collect();
        let found = listed.iter().any(|l| process.matches(l, t));
        let shown: Vec<String> = listed
            .iter()
            .map(|l| l.get(command_at..).unwrap_or(l).trim().to_string())
            .collect();
        Ok(Look::new(
            found != absent,
            format!("ps lists: {}", shown.join("; ")),
        ))
    })
    .await?;
    Ok((look.passed, want, look.observed))
}
