//! `podlearn reset`.

use crate::cli::ResetArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: ResetArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn reset` is not built yet")
}
