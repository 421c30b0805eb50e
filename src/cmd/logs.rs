//! `podlearn logs`.

use crate::cli::LogsArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: LogsArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn logs` is not built yet")
}
