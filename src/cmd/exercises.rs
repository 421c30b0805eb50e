//! `podlearn exercises`: every exercise, in course order, marked when passed.

use std::io::Write;

use crate::cmd::Ctx;
use crate::content::ContentSource;
use crate::exercise::Catalog;
use crate::exit::Outcome;

pub fn run(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let catalog = Catalog::load(&ContentSource::new(ctx.course_dir.as_deref()))?;
    let progress = crate::progress::Store::open()?.load()?;
    let style = ctx.color.out();
    let mut out = std::io::stdout().lock();
    let mut lesson = "";
    for ex in &catalog.exercises {
        if ex.lesson != lesson {
            lesson = &ex.lesson;
            writeln!(out, "{}", style.dim(&format!("after lesson {lesson}")))?;
        }
        let mark = if progress.exercises_passed.contains_key(&ex.id) {
            style.ok("✓")
        } else {
            " ".to_string()
        };
        writeln!(out, "  {mark} {:<22} {}", style.strong(&ex.id), ex.title)?;
    }
    writeln!(
        out,
        "\nStart one with {}",
        style.command("podlearn exercise <id>")
    )?;
    Ok(Outcome::Success)
}
