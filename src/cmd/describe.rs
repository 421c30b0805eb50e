//! `podlearn describe`.

use crate::cli::DescribeArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, _args: DescribeArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`podlearn describe` is not built yet")
}
