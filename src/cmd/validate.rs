//! `podlearn validate`.

use crate::cli::ValidateArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: ValidateArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn validate` is not built yet")
}
