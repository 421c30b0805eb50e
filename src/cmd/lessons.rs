//! `podlearn lessons`: the lessons in order, with a mark on the ones read.

use std::fmt::Write as _;

use crate::cmd::Ctx;
use crate::exit::Outcome;
use crate::progress::Store;

pub fn run(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let course = super::lesson::course(ctx)?;
    let progress = Store::open()?.load()?;
    let style = ctx.color.out();
    let w = course
        .lessons
        .iter()
        .map(|l| l.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let mut out = String::new();
    writeln!(
        out,
        "{}",
        style.strong(&format!("   #  {:<w$}  title", "id"))
    )?;
    for (i, lesson) in course.lessons.iter().enumerate() {
        let mark = if progress.lessons_read.contains(&lesson.id) {
            style.ok("✔")
        } else {
            " ".to_string()
        };
        writeln!(
            out,
            "{mark} {:>2}  {:<w$}  {}",
            i + 1,
            lesson.id,
            lesson.title
        )?;
    }
    let read = course
        .lessons
        .iter()
        .filter(|l| progress.lessons_read.contains(&l.id))
        .count();
    writeln!(
        out,
        "\n{read} of {} read. Read one with {}",
        course.lessons.len(),
        style.command("podlearn lesson <number or id>")
    )?;
    crate::pager::print(&out)?;
    Ok(Outcome::Success)
}
