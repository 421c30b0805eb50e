//! `podlearn clean`.

use crate::cli::CleanArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: CleanArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn clean` is not built yet")
}
