//! `podlearn run`.

use crate::cli::RunArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: RunArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn run` is not built yet")
}
