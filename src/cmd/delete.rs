//! `podlearn delete`.

use crate::cli::DeleteArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: DeleteArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn delete` is not built yet")
}
