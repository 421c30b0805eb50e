//! `podlearn get pods [NAME] [-o wide|yaml|json] [-w]`: the learner's pods as
//! the engine records them, started by this or any other podlearn process.

use std::io::Write;
use std::time::{Duration, SystemTime};

use crate::cli::{GetArgs, GetKind, OutputFormat};
use crate::cmd::Ctx;
use crate::cmd::pods;
use crate::exit::{Outcome, learner_error};
use crate::render::{self, PodRow};
use crate::runtime::{Engine, PodRecord};

pub fn run(ctx: &Ctx, args: GetArgs) -> anyhow::Result<Outcome> {
    if let Some(kind) = cluster_kind(args.kind) {
        let out = &mut std::io::stdout().lock();
        let wide = args.output == Some(OutputFormat::Wide);
        return crate::cluster::get::print(out, ctx.color.out(), kind, args.name.as_deref(), wide);
    }
    if !matches!(args.kind, GetKind::Pods | GetKind::All) {
        return Err(learner_error(
            "only `podlearn get pods` is available on this engine so far",
        ));
    }
    let all = args.kind == GetKind::All && args.output.is_none() && !args.watch;
    let outcome = pods::block_on(get(ctx, args))??;
    if all {
        crate::cluster::get::print_all(&mut std::io::stdout().lock(), ctx.color.out())?;
    }
    Ok(outcome)
}

async fn get(ctx: &Ctx, args: GetArgs) -> anyhow::Result<Outcome> {
    let engine = Engine::connect().await?;
    let style = ctx.color.out();
    let list = pods::find(&engine, args.name.as_deref()).await?;
    let mut out = std::io::stdout().lock();
    match args.output {
        Some(OutputFormat::Json) => {
            let v = if args.name.is_some() && list.len() == 1 {
                render::pod_value(&list[0].pod, &list[0].status)
            } else {
                let items: Vec<_> = list
                    .iter()
                    .map(|r| render::pod_value(&r.pod, &r.status))
                    .collect();
                serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items})
            };
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        Some(OutputFormat::Yaml) => {
            for (i, r) in list.iter().enumerate() {
                if i > 0 {
                    writeln!(out, "---")?;
                }
                write!(out, "{}", render::pod_yaml(&r.pod, &r.status))?;
            }
        }
        wide => {
            if list.is_empty() {
                writeln!(
                    std::io::stderr(),
                    "No resources found in default namespace."
                )?;
                return Ok(Outcome::Success);
            }
            let wide = wide == Some(OutputFormat::Wide);
            let table: Vec<PodRow> = list
                .iter()
                .map(|r| PodRow::new(&r.pod, &r.status, r.deletion_started().is_some()))
                .collect();
            render::pods_table_styled(&table, wide, SystemTime::now(), style, &mut out)?;
            if args.watch {
                drop(out);
                watch(&engine, args.name.as_deref(), wide, rows(&list, wide)).await?;
            }
        }
    }
    Ok(Outcome::Success)
}

fn rows(list: &[PodRecord], wide: bool) -> Vec<Vec<String>> {
    list.iter()
        .map(|r| {
            let mut row = pods::columns(&r.pod, &r.status, r.deletion_started().is_some()).to_vec();
            if wide {
                row.push(r.status.pod_ip.clone().unwrap_or_else(|| "<none>".into()));
                row.push("podlearn-node".into());
            }
            row
        })
        .collect()
}

/// `-w`: print a row again whenever READY, STATUS or RESTARTS changes.
async fn watch(
    engine: &Engine,
    name: Option<&str>,
    wide: bool,
    mut last: Vec<Vec<String>>,
) -> anyhow::Result<()> {
    let header = ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"];
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
        let list =
            crate::runtime::find_pods(engine, Some(&crate::runtime::current_learner()), name)
                .await?;
        let now = rows(&list, wide);
        let mut out = std::io::stdout().lock();
        for row in &now {
            let before = last.iter().find(|l| l[0] == row[0]);
            if before.is_none_or(|b| b[1..4] != row[1..4]) {
                let n = row.len();
                let t = pods::table(&header[..n], std::slice::from_ref(row));
                writeln!(out, "{}", t.lines().nth(1).unwrap_or_default())?;
            }
        }
        last = now;
    }
}

/// The kinds of `podlearn get` the cluster module lists (pods are the runtime's).
fn cluster_kind(kind: crate::cli::GetKind) -> Option<crate::cluster::get::Kind> {
    use crate::cli::GetKind as G;
    use crate::cluster::get::Kind;
    match kind {
        G::Services => Some(Kind::Services),
        G::Endpoints => Some(Kind::Endpoints),
        G::Deployments => Some(Kind::Deployments),
        G::Jobs => Some(Kind::Jobs),
        G::Pods | G::All => None,
    }
}
