//! `podlearn exercise`.

use crate::cli::ExerciseArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: ExerciseArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn exercise` is not built yet")
}
