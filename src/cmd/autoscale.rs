//! `podlearn autoscale`.

use crate::cli::AutoscaleArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: AutoscaleArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn autoscale` is not built yet")
}
