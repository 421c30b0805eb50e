//! `podlearn lesson`.

use crate::cli::LessonArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: LessonArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn lesson` is not built yet")
}
