//! `podlearn start`.

use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn start` is not built yet")
}
