//! `podlearn hint`.

use crate::cli::HintArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: HintArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn hint` is not built yet")
}
