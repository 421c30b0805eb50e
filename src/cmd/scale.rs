//! `podlearn scale`.

use crate::cli::ScaleArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: ScaleArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn scale` is not built yet")
}
