//! `podlearn completions`.

use crate::cli::CompletionsArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: CompletionsArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn completions` is not built yet")
}
