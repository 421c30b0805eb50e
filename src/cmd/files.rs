//! `podlearn files`.

use crate::cli::FilesArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: FilesArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn files` is not built yet")
}
