//! `podlearn completions`: a shell completion script, from the command tree.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, args: CompletionsArgs) -> anyhow::Result<Outcome> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "podlearn", &mut script);
    crate::pager::print(&String::from_utf8_lossy(&script))?;
    Ok(Outcome::Success)
}
