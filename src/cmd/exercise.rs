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
    crate::markdown::render(ex.task.trim_end(), style, crate::term::width(), &mut out)?;
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

/// An exercise chosen in `podlearn start`: show it, write the starter, then
/// offer to edit it in `$EDITOR`, check it, or see a hint, until the learner
/// goes back to the menu.
pub(crate) fn from_menu(ctx: &Ctx, id: &str) -> anyhow::Result<()> {
    run(
        ctx,
        ExerciseArgs {
            id: id.to_string(),
            workspace: None,
        },
    )?;
    let catalog = Catalog::load(&ContentSource::new(ctx.course_dir.as_deref()))?;
    let ex = catalog.get(id)?;
    let chosen = std::env::var_os("PODLEARN_WORKSPACE").map(std::path::PathBuf::from);
    let ws = Workspace::resolve(chosen.as_deref());
    let path = ws.manifest_path(&ex.id);
    const EDIT: &str = "Edit the manifest in $EDITOR";
    const CHECK: &str = "Check it now";
    const HINT: &str = "Show a hint";
    const BACK: &str = "Back to the menu";
    loop {
        let choice = inquire::Select::new("What next?", vec![EDIT, CHECK, HINT, BACK]).prompt();
        match choice {
            Ok(EDIT) => {
                let editor = std::env::var("VISUAL")
                    .or_else(|_| std::env::var("EDITOR"))
                    .unwrap_or_else(|_| "vi".to_string());
                // `$EDITOR` may carry arguments (`code -w`) and quotes.
                let status = crate::term::user_command(&editor, &[path.as_os_str()]).status();
                if let Err(e) = status {
                    eprintln!(
                        "Could not start {editor}: {e}. Edit {} in your editor.",
                        path.display()
                    );
                }
            }
            Ok(CHECK) => {
                let runtime = crate::cli::RuntimeArgs {
                    time_scale: 1.0,
                    image_map: Vec::new(),
                    allow_host_access: false,
                };
                let checked = super::check::check_file(
                    ctx,
                    ex,
                    &path,
                    crate::cli::CheckFormat::Text,
                    &runtime,
                );
                if let Err(e) = checked {
                    crate::term::print_error(&e, ctx.color);
                }
            }
            Ok(HINT) => {
                super::hint::run(ctx, crate::cli::HintArgs { id: ex.id.clone() }).map(|_| ())?
            }
            _ => return Ok(()),
        }
    }
}
