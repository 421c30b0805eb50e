//! `podlearn check`.

use crate::cli::CheckArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: CheckArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn check` is not built yet")
}
