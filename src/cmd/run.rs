//! `podlearn run FILE [--detach]`: validate, start every Pod of the file on
//! the Docker engine, and in the foreground show live status and events
//! (like `kubectl get pods -w`) until the pods complete or Ctrl-C, which
//! deletes them gracefully. `--detach` hands the pods to a background
//! podlearn process that keeps being their kubelet until they are deleted.

use std::io::Write;
use std::time::Duration;

use crate::cli::RunArgs;
use crate::cmd::Ctx;
use crate::cmd::pods::{self, Manifests};
use crate::exit::{Outcome, learner_error};
use crate::manifest::{Pod, render_text};
use crate::podenv::Inputs;
use crate::runtime::{Engine, RunOptions, RunningPod};
use crate::status::Phase;
use crate::term::Style;

use super::supervise;

pub fn run(ctx: &Ctx, args: RunArgs) -> anyhow::Result<Outcome> {
    pods::block_on(run_async(ctx, args))?
}

async fn run_async(ctx: &Ctx, args: RunArgs) -> anyhow::Result<Outcome> {
    let err_style = ctx.color.err();
    let out_style = ctx.color.out();
    let m = pods::read_manifests(&args.files)?;
    let blocking = m.loaded.refused(args.runtime.allow_host_access);
    if !m.loaded.findings.is_empty() {
        render_text(&m.loaded, err_style, &mut std::io::stderr())?;
    }
    if blocking {
        return Ok(Outcome::Failed);
    }
    // Services, Deployments, ReplicaSets, Jobs, CronJobs: the cluster controllers run the file.
    if crate::cluster::session::has_cluster_objects(&m.loaded.objects) {
        if args.detach {
            return Err(learner_error(
                "`--detach` runs Pods only: Services, Deployments and Jobs need their controllers, \
                 which run with `podlearn run FILE` in the foreground (use another terminal for \
                 `podlearn get`, `scale`, `create`)",
            ));
        }
        let opts = args.runtime.run_options()?;
        return crate::cluster::session::run_command(&m.loaded.objects, opts, out_style).await;
    }
    let mut list: Vec<Pod> = m.loaded.pods().map(|(_, p)| p.clone()).collect();
    if let Some(key) = supervise::supervised_pod() {
        list.retain(|p| format!("{}/{}", p.metadata.namespace, p.metadata.name) == key);
    }
    if list.is_empty() {
        return Err(learner_error(
            "there is no Pod in this input: `podlearn run` starts the Pods of a manifest \
             (kind: Pod)",
        ));
    }
    let opts = RunOptions {
        detached: args.detach,
        ..args.runtime.run_options()?
    };
    if args.detach && !supervise::is_supervisor() {
        return supervise::spawn_and_wait(&list, &opts, out_style).await;
    }
    let engine = Engine::connect().await?;
    let quiet = supervise::is_supervisor();
    // What podlearn processes that were killed left behind goes first (for a
    // detached pod, the `run --detach` that started this process swept).
    if !quiet {
        let _ = engine.sweep().await;
    }
    let mut out = std::io::stdout().lock();
    if !quiet {
        banner(&mut out, &opts, out_style)?;
    }
    let inputs = Inputs::from_objects(&m.loaded.objects);
    let started = start_all(&engine, &list, &inputs, &opts, &m).await?;
    if !quiet {
        let mut notes: Vec<String> = started.iter().flat_map(|p| p.notes()).collect();
        notes.dedup();
        for n in notes {
            writeln!(out, "{}", out_style.note(&format!("note: {n}")))?;
        }
    }
    drop(out);
    if quiet {
        return supervise::serve(started).await;
    }
    foreground(started, out_style).await
}

fn banner(out: &mut impl Write, opts: &RunOptions, style: Style) -> std::io::Result<()> {
    if let Some(notice) = RunOptions::time_scale_notice(opts.time_scale) {
        writeln!(out, "{}", style.warn(&notice))?;
    }
    for (from, to) in &opts.image_map {
        writeln!(
            out,
            "{}",
            style.note(&format!("image {from} is replaced by {to} (--image)"))
        )?;
    }
    Ok(())
}

/// Start every pod; if one fails, the ones already started are deleted.
async fn start_all(
    engine: &Engine,
    list: &[Pod],
    inputs: &Inputs,
    opts: &RunOptions,
    m: &Manifests,
) -> anyhow::Result<Vec<RunningPod>> {
    let mut started = Vec::new();
    for pod in list {
        match engine
            .start_pod_from(pod, inputs, opts, m.source_of(pod))
            .await
        {
            Ok(p) => started.push(p),
            Err(e) => {
                let grace = Some(Duration::from_secs(2));
                futures_util::future::join_all(started.into_iter().map(|p| p.delete(grace))).await;
                return Err(e);
            }
        }
    }
    Ok(started)
}

/// Show status lines and events until every pod is done, or Ctrl-C/SIGTERM;
/// then delete the pods.
async fn foreground(started: Vec<RunningPod>, style: Style) -> anyhow::Result<Outcome> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut last: Vec<[String; 5]> = Vec::new();
    let mut seen_events = vec![0usize; started.len()];
    let mut header = false;
    let mut interrupted = false;
    let mut pull_bar: Option<indicatif::ProgressBar> = None;
    let name_width = started
        .iter()
        .map(|p| p.name().len())
        .max()
        .unwrap_or(4)
        .max(4);
    loop {
        let mut all_final = true;
        for (i, p) in started.iter().enumerate() {
            let st = p.status().await;
            all_final &= st.phase.is_final();
            let pod = p.pod();
            let cols = pods::columns(pod, &st, false);
            let mut out = std::io::stdout().lock();
            for ev in &st.events[seen_events[i]..] {
                writeln!(
                    out,
                    "{}  {}",
                    style.dim(&pod.metadata.name),
                    crate::render::events_line_styled(ev, style)
                )?;
            }
            seen_events[i] = st.events.len();
            let changed = last.get(i).is_none_or(|l| l[1..4] != cols[1..4]);
            if changed {
                if !header {
                    writeln!(
                        out,
                        "{}",
                        style.strong(&watch_row(&WATCH_HEADER.map(String::from), name_width))
                    )?;
                    header = true;
                }
                writeln!(out, "{}", watch_row(&cols, name_width))?;
                if last.len() <= i {
                    last.push(cols);
                } else {
                    last[i] = cols;
                }
            }
        }
        show_pulls(&started, &mut pull_bar).await;
        if all_final {
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            _ = &mut ctrl_c => { interrupted = true; break; }
            _ = term.recv() => { interrupted = true; break; }
        }
    }
    let mut phases = Vec::new();
    for p in &started {
        phases.push(p.status().await.phase);
    }
    if interrupted {
        eprintln!(
            "{}",
            style.note(
                "deleting the pods (preStop hooks, SIGTERM, then SIGKILL after the grace period)..."
            )
        );
    }
    let results = futures_util::future::join_all(started.into_iter().map(|p| p.delete(None))).await;
    for r in results {
        r?;
    }
    if interrupted {
        return Ok(Outcome::Success);
    }
    Ok(Outcome::from_bool(
        phases.iter().all(|p| *p == Phase::Succeeded),
    ))
}

/// A progress line while images are being pulled (on a terminal only).
async fn show_pulls(started: &[RunningPod], bar: &mut Option<indicatif::ProgressBar>) {
    let mut pulling = Vec::new();
    for p in started {
        let st = p.status().await;
        for c in st
            .init_container_statuses
            .iter()
            .chain(&st.container_statuses)
        {
            if let crate::status::ContainerState::Waiting {
                message: Some(m), ..
            } = &c.state
                && m.starts_with("Pulling ")
            {
                pulling.push(format!("{}/{}: {m}", p.name(), c.name));
            }
        }
    }
    if pulling.is_empty() {
        if let Some(b) = bar.take() {
            b.finish_and_clear();
        }
        return;
    }
    if !crate::term::is_interactive() {
        return;
    }
    let b = bar.get_or_insert_with(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.enable_steady_tick(Duration::from_millis(120));
        b
    });
    b.set_message(pulling.join("; "));
}

const WATCH_HEADER: [&str; 5] = ["NAME", "READY", "STATUS", "RESTARTS", "AGE"];

/// A row of `get pods -w` output, in fixed columns.
fn watch_row(cols: &[String; 5], name_width: usize) -> String {
    format!(
        "{:<name_width$}   {:<5}   {:<24}   {:<12}   {}",
        cols[0], cols[1], cols[2], cols[3], cols[4]
    )
}
