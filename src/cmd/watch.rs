//! `podlearn watch`.

use crate::cli::WatchArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: WatchArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn watch` is not built yet")
}
