//! `podlearn progress`: what the learner has done and what comes next.

use crate::cmd::Ctx;
use crate::exit::Outcome;
use crate::home::Overview;
use crate::progress::Store;

pub fn run(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let course = super::lesson::course(ctx)?;
    let store = Store::open()?;
    let progress = store.load()?;
    let has_quiz: Vec<bool> = course.lessons.iter().map(|l| course.has_quiz(l)).collect();
    let mut out = Vec::new();
    Overview::new(
        &course,
        &progress,
        &has_quiz,
        &super::start::exercises(&course),
    )
    .render(ctx.color.out(), &mut out)?;
    let style = ctx.color.out();
    out.extend(
        format!(
            "\n{}\n",
            style.dim(&format!("Saved in {}", store.path().display()))
        )
        .as_bytes(),
    );
    crate::pager::print(&String::from_utf8_lossy(&out))?;
    Ok(Outcome::Success)
}
