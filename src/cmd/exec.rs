//! `podlearn exec`.

use crate::cli::ExecArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: ExecArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn exec` is not built yet")
}
