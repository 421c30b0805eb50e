//! `podlearn delete pod NAME... | -f FILE | --all [--grace-period S]`:
//! graceful deletion (stop signal, grace period, SIGKILL, sidecars last) of
//! pods started by any podlearn process, found by their labels.

use std::time::Duration;

use crate::cli::DeleteArgs;
use crate::cmd::Ctx;
use crate::cmd::pods;
use crate::exit::{Outcome, learner_error};
use crate::runtime::Engine;

use super::supervise;

pub fn run(ctx: &Ctx, args: DeleteArgs) -> anyhow::Result<Outcome> {
    let mut names: Vec<String> = Vec::new();
    match args.kind.as_deref() {
        None => {}
        Some("pod" | "pods" | "po") => names.extend(args.names.iter().cloned()),
        // `delete NAME` reads as kubectl's `delete pod NAME` would not; be kind.
        Some(other) => {
            return Err(learner_error(format!(
                "podlearn deletes pods: write `podlearn delete pod {other}` (or -f FILE, --all)"
            )));
        }
    }
    if let Some(file) = &args.filename {
        let m = pods::read_manifests(std::slice::from_ref(file))?;
        names.extend(m.loaded.pods().map(|(_, p)| p.metadata.name.clone()));
    }
    if names.is_empty() && !args.all {
        return Err(learner_error(
            "say which pods: `podlearn delete pod NAME`, `-f FILE` or `--all`",
        ));
    }
    let style = ctx.color.out();
    pods::block_on(async move {
        let engine = Engine::connect().await?;
        let list = if args.all {
            pods::find(&engine, None).await?
        } else {
            let mut v = Vec::new();
            for n in &names {
                match pods::find(&engine, Some(n)).await {
                    Ok(found) => v.extend(found),
                    // With -f, a pod that is not running is fine to skip.
                    Err(_) if args.filename.is_some() => {}
                    Err(e) => return Err(e),
                }
            }
            v
        };
        let deletions = list.iter().map(|r| {
            let engine = engine.clone();
            async move {
                if r.detached
                    && let Some(owner) = r.labels.get("io.podlearn.owner")
                {
                    let owner = owner.clone();
                    tokio::task::spawn_blocking(move || supervise::stop_supervisor(&owner)).await?;
                }
                let grace = Duration::from_secs(
                    args.grace_period
                        .unwrap_or(r.pod.spec.termination_grace_period_seconds),
                );
                engine.delete_record(r, grace).await?;
                println!("{}", style.ok(&format!("pod \"{}\" deleted", r.name)));
                anyhow::Ok(())
            }
        });
        for res in futures_util::future::join_all(deletions).await {
            res?;
        }
        Ok(Outcome::Success)
    })?
}
