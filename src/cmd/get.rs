//! `podlearn get`.

use crate::cli::GetArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: GetArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn get` is not built yet")
}
