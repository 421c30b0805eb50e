//! `podlearn hint <id>`: reveal the next hint (and repeat the ones seen).

use std::io::Write;

use crate::cli::HintArgs;
use crate::cmd::Ctx;
use crate::content::ContentSource;
use crate::exercise::Catalog;
use crate::exit::Outcome;
use crate::workspace::Workspace;

pub fn run(ctx: &Ctx, args: HintArgs) -> anyhow::Result<Outcome> {
    let catalog = Catalog::load(&ContentSource::new(ctx.course_dir.as_deref()))?;
    let ex = catalog.get(&args.id)?;
    let ws = Workspace::resolve(workspace_env().as_deref());
    let total = ex.hints.len() as u32;
    let record = ws.update_record(|r| {
        let n = r.hints_revealed.entry(ex.id.clone()).or_insert(0);
        *n = (*n + 1).min(total);
    })?;
    let shown = record.hints_revealed.get(&ex.id).copied().unwrap_or(1);
    let style = ctx.color.out();
    let mut out = std::io::stdout().lock();
    for (i, hint) in ex.hints.iter().take(shown as usize).enumerate() {
        writeln!(
            out,
            "{} {hint}",
            style.note(&format!("hint {} of {total}:", i + 1))
        )?;
    }
    if shown >= total {
        writeln!(out, "{}", style.dim("That was the last hint."))?;
    }
    Ok(Outcome::Success)
}

/// `PODLEARN_WORKSPACE`, for verbs without a `--workspace` flag.
pub(crate) fn workspace_env() -> Option<std::path::PathBuf> {
    std::env::var_os("PODLEARN_WORKSPACE").map(Into::into)
}
