//! `podlearn logs POD [-c NAME] [-f] [--previous]`: a container's output,
//! from the engine's own records (any podlearn process may have started it).

use std::io::Write;

use futures_util::StreamExt;

use crate::cli::LogsArgs;
use crate::cmd::Ctx;
use crate::cmd::pods;
use crate::exit::{Outcome, learner_error};
use crate::runtime::{Engine, PodRecord};

pub fn run(_ctx: &Ctx, args: LogsArgs) -> anyhow::Result<Outcome> {
    pods::block_on(logs(args))?
}

/// The container a command means: `-c NAME`, or the only app container.
pub fn pick_container(r: &PodRecord, given: Option<&str>, verb: &str) -> anyhow::Result<String> {
    if let Some(c) = given {
        return Ok(c.to_string());
    }
    match r.sole_app_container() {
        Some(one) => Ok(one.to_string()),
        None => Err(learner_error(format!(
            "a container name must be specified for pod {}, choose one of: [{}] (podlearn {verb} {} -c NAME)",
            r.name,
            r.pod
                .spec
                .all_containers()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            r.name
        ))),
    }
}

async fn logs(args: LogsArgs) -> anyhow::Result<Outcome> {
    let engine = Engine::connect().await?;
    let mut out = std::io::stdout().lock();
    let mut tried = Vec::new();
    loop {
        let list = pods::find(&engine, Some(&args.pod)).await?;
        let r = &list[0];
        let container = pick_container(r, args.container.as_deref(), "logs")?;
        let id = r.container_id(&container, args.previous)?;
        let mut stream = Box::pin(engine.logs_of(&id, args.follow));
        let mut wrote = false;
        loop {
            tokio::select! {
                chunk = stream.next() => match chunk {
                    Some(Ok(c)) => {
                        wrote = true;
                        out.write_all(c.as_bytes())?;
                        out.flush()?;
                    }
                    // The kubelet removed that run between the look-up and
                    // the read (a crash-looping container moved on): read
                    // the pod again, unless it still names the same run.
                    Some(Err(_)) if !wrote && !tried.contains(&id) && tried.len() < 3 => break,
                    Some(Err(e)) => return Err(e),
                    None => return Ok(Outcome::Success),
                },
                _ = tokio::signal::ctrl_c() => return Ok(Outcome::Success),
            }
        }
        tried.push(id);
    }
}
