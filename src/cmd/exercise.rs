//! `podlearn exercise <id>`: show the task and write the starter manifest
//! into the learner's workspace (never over their own work).

use std::io::Write;

use crate::cli::ExerciseArgs;
use crate::cmd::Ctx;
use crate::content::ContentSource;
use crate::exercise::Catalog;
use crate::exit::Outcome;
use crate::workspace::Workspace;

pub fn run(ctx: &Ctx, args: ExerciseArgs) -> anyhow::Result<Outcome> {
    let catalog = Catalog::load(&ContentSource::new(ctx.course_dir.as_deref()))?;
    let ex = catalog.get(&args.id)?;
    let ws = Workspace::resolve(args.workspace.as_deref());
    let (path, written) = ws.write_starter(ex)?;
    crate::progress::Store::open()?.update(|p| p.current_exercise = Some(ex.id.clone()))?;
    let style = ctx.color.out();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}\n",
        style.strong(&format!("Exercise {}: {}", ex.id, ex.title))
    )?;
    writeln!(out, "{}", ex.task.trim_end())?;
    writeln!(out)?;
    if written {
        writeln!(
            out,
            "The starter manifest is in {}",
            style.strong(&path.display().to_string())
        )?;
    } else {
        writeln!(
            out,
            "Your manifest is in {} (kept as you left it).",
            style.strong(&path.display().to_string())
        )?;
    }
    if ws.is_default {
        writeln!(
            out,
            "{}",
            style.dim(
                "(your workspace; choose another folder with --workspace DIR or PODLEARN_WORKSPACE)"
            )
        )?;
    }
    writeln!(
        out,
        "Edit it, then run {} (or {} to re-check on every save). Stuck? {}",
        style.command("podlearn check"),
        style.command("podlearn watch"),
        style.command(&format!("podlearn hint {}", ex.id))
    )?;
    Ok(Outcome::Success)
}
