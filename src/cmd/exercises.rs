//! `podlearn exercises`.

use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn exercises` is not built yet")
}
