//! `podlearn describe pod NAME`: the pod in detail, as kubectl shows it:
//! containers with their states, last states and restart counts,
//! conditions, events, and where Docker differs from a node.

use std::fmt::Write as _;
use std::io::Write;

use crate::cli::DescribeArgs;
use crate::cmd::Ctx;
use crate::cmd::pods;
use crate::exit::Outcome;
use crate::runtime::{Engine, PodRecord};
use crate::status::{ContainerState, ContainerStatus};

pub fn run(_ctx: &Ctx, args: DescribeArgs) -> anyhow::Result<Outcome> {
    pods::block_on(async move {
        let engine = Engine::connect().await?;
        let list = pods::find(&engine, Some(&args.name)).await?;
        std::io::stdout().write_all(describe(&list[0]).as_bytes())?;
        Ok(Outcome::Success)
    })?
}

fn state_lines(out: &mut String, title: &str, s: &ContainerState) {
    let t = |x: &std::time::SystemTime| humantime::format_rfc3339_seconds(*x).to_string();
    match s {
        ContainerState::Waiting { reason, message } => {
            let _ = writeln!(out, "    {title}:\tWaiting\n      Reason:\t{reason}");
            if let Some(m) = message {
                let _ = writeln!(out, "      Message:\t{m}");
            }
        }
        ContainerState::Running { started_at } => {
            let _ = writeln!(
                out,
                "    {title}:\tRunning\n      Started:\t{}",
                t(started_at)
            );
        }
        ContainerState::Terminated {
            exit_code,
            reason,
            started_at,
            finished_at,
            ..
        } => {
            let _ = writeln!(
                out,
                "    {title}:\tTerminated\n      Reason:\t{reason}\n      Exit Code:\t{exit_code}\n      Started:\t{}\n      Finished:\t{}",
                t(started_at),
                t(finished_at)
            );
        }
    }
}

fn container(out: &mut String, r: &PodRecord, c: &ContainerStatus) {
    let _ = writeln!(out, "  {}:", c.name);
    let _ = writeln!(
        out,
        "    Container ID:\tdocker://{}",
        c.container_id.clone().unwrap_or_default()
    );
    let _ = writeln!(out, "    Image:\t{}", c.image);
    if let Some(spec) = r.pod.spec.all_containers().find(|s| s.name == c.name) {
        if !spec.command.is_empty() {
            let _ = writeln!(out, "    Command:\t{}", spec.command.join(" "));
        }
        if !spec.args.is_empty() {
            let _ = writeln!(out, "    Args:\t{}", spec.args.join(" "));
        }
    }
    state_lines(out, "State", &c.state);
    if let Some(last) = &c.last_state {
        state_lines(out, "Last State", last);
    }
    let _ = writeln!(
        out,
        "    Ready:\t{}\n    Restart Count:\t{}",
        c.ready, c.restart_count
    );
}

/// The description as text.
pub fn describe(r: &PodRecord) -> String {
    let mut out = String::new();
    let st = &r.status;
    let m = &r.pod.metadata;
    let _ = writeln!(
        out,
        "Name:\t{}\nNamespace:\t{}\nNode:\tpodlearn-node (this machine's Docker engine)",
        m.name, m.namespace
    );
    if let Some(t) = st.start_time {
        let _ = writeln!(out, "Start Time:\t{}", humantime::format_rfc3339_seconds(t));
    }
    let kv = |map: &std::collections::BTreeMap<String, String>| {
        if map.is_empty() {
            "<none>".to_string()
        } else {
            map.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("\n\t")
        }
    };
    let _ = writeln!(
        out,
        "Labels:\t{}\nAnnotations:\t{}",
        kv(&m.labels),
        kv(&m.annotations)
    );
    let _ = writeln!(out, "Status:\t{}", st.phase.as_str());
    let _ = writeln!(out, "IP:\t{}", st.pod_ip.clone().unwrap_or_default());
    if !st.init_container_statuses.is_empty() {
        let _ = writeln!(out, "Init Containers:");
        for c in &st.init_container_statuses {
            container(&mut out, r, c);
        }
    }
    let _ = writeln!(out, "Containers:");
    for c in &st.container_statuses {
        container(&mut out, r, c);
    }
    let _ = writeln!(out, "Conditions:\n  Type\tStatus");
    for c in &st.conditions {
        let _ = writeln!(out, "  {}\t{}", c.kind, c.status);
    }
    let _ = writeln!(out, "Events:");
    if st.events.is_empty() {
        let _ = writeln!(out, "  <none>");
    }
    for e in &st.events {
        let _ = writeln!(
            out,
            "  {}\t{}\t{}\t{}",
            e.kind,
            e.reason,
            humantime::format_rfc3339_seconds(e.time),
            e.message
        );
    }
    let _ = writeln!(
        out,
        "On Docker:\n  The hostname is set on the sandbox container (Docker has no shared UTS namespace); \
         with shareProcessNamespace, PID 1 is docker-init, not /pause."
    );
    align(&out)
}

/// Align `key:\tvalue` lines like kubectl's tab writer.
fn align(text: &str) -> String {
    let width = text
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, _)| k.len())
        .max()
        .unwrap_or(0);
    text.lines()
        .map(|l| match l.split_once('\t') {
            Some((k, v)) => format!("{k:<width$}  {}\n", v.replace('\t', "  ")),
            None => format!("{l}\n"),
        })
        .collect()
}
