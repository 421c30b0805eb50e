//! `podlearn solution`.

use crate::cli::SolutionArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: SolutionArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn solution` is not built yet")
}
