//! `podlearn hint <id>`: reveal the next hint (and repeat the ones seen).

use std::io::Write;

use crate::cli::HintArgs;
use crate::cmd::Ctx;
use crate::content::ContentSource;
use crate::exercise::Catalog;
use crate::exit::Outcome;

pub fn run(ctx: &Ctx, args: HintArgs) -> anyhow::Result<Outcome> {
    let catalog = Catalog::load(&ContentSource::new(ctx.course_dir.as_deref()))?;
    let ex = catalog.get(&args.id)?;
    let total = ex.hints.len() as u32;
    let shown = crate::progress::Store::open()?.update(|p| {
        let n = p.hints_revealed.entry(ex.id.clone()).or_insert(0);
        *n = (*n + 1).min(total);
        *n
    })?;
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
