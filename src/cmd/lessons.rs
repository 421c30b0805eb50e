//! `podlearn lessons`.

use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn lessons` is not built yet")
}
