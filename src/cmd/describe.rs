//! `podlearn describe pod NAME`: the pod in detail, as kubectl shows it
//! (containers with states, last states and restart counts, conditions,
//! events, and where Docker differs from a node), for a pod started by any
//! podlearn process.

use std::time::SystemTime;

use crate::cli::DescribeArgs;
use crate::cmd::Ctx;
use crate::cmd::pods;
use crate::exit::Outcome;
use crate::render;
use crate::runtime::Engine;

pub fn run(ctx: &Ctx, args: DescribeArgs) -> anyhow::Result<Outcome> {
    let style = ctx.color.out();
    pods::block_on(async move {
        let engine = Engine::connect().await?;
        let list = pods::find(&engine, Some(&args.name)).await?;
        let r = &list[0];
        let mut out = std::io::stdout().lock();
        render::describe_pod_styled(&r.pod, &r.status, SystemTime::now(), style, &mut out)?;
        Ok(Outcome::Success)
    })?
}
