//! `podlearn progress`.

use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn progress` is not built yet")
}
