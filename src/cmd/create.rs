//! `podlearn create`.

use crate::cli::CreateArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: CreateArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn create` is not built yet")
}
