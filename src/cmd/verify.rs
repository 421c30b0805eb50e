//! `podlearn verify`.

use crate::cli::VerifyArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: VerifyArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn verify` is not built yet")
}
