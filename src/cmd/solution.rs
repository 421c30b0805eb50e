//! `podlearn solution <id>`: the reference solution, once passed (or with
//! `--force`, after a warning).

use std::io::Write;

use crate::cli::SolutionArgs;
use crate::cmd::Ctx;
use crate::content::ContentSource;
use crate::exercise::Catalog;
use crate::exit::{Outcome, learner_error};

pub fn run(ctx: &Ctx, args: SolutionArgs) -> anyhow::Result<Outcome> {
    let catalog = Catalog::load(&ContentSource::new(ctx.course_dir.as_deref()))?;
    let ex = catalog.get(&args.id)?;
    let passed = crate::progress::Store::open()?
        .load()?
        .exercises_passed
        .contains_key(&ex.id);
    if !passed && !args.force {
        return Err(learner_error(format!(
            "You have not passed {} yet: the solution opens once `podlearn check {}` passes.\nTry `podlearn hint {}` first, or use --force to see it anyway.",
            ex.id, ex.id, ex.id
        )));
    }
    if !passed {
        let style = ctx.color.err();
        eprintln!(
            "{} showing the solution of {} before you passed it.",
            style.warn("warning:"),
            ex.id
        );
    }
    let mut out = std::io::stdout().lock();
    write!(out, "{}", ex.solution)?;
    Ok(Outcome::Success)
}
