//! `podlearn quiz`.

use crate::cli::QuizArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: QuizArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn quiz` is not built yet")
}
