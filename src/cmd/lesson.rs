//! `podlearn lesson`: render one lesson (through a pager when it is long and a
//! person is reading), then remember it was read.

use crate::cli::LessonArgs;
use crate::cmd::Ctx;
use crate::content::ContentSource;
use crate::course::Course;
use crate::exit::Outcome;
use crate::markdown;
use crate::progress::{Progress, Store};
use crate::term;

pub fn run(ctx: &Ctx, args: LessonArgs) -> anyhow::Result<Outcome> {
    let course = course(ctx)?;
    let (index, lesson) = course.find(&args.lesson)?;
    let store = Store::open()?;
    show(ctx, &course, index, true, !args.no_pager)?;
    store.update(|p| mark_read(p, &lesson.id))?;
    Ok(Outcome::Success)
}

/// The course of this run: built in, or `--course DIR`.
pub(super) fn course(ctx: &Ctx) -> anyhow::Result<Course> {
    Course::load(ContentSource::new(ctx.course_dir.as_deref()))
}

/// Record that a lesson was read.
pub(super) fn mark_read(p: &mut Progress, id: &str) {
    p.lessons_read.insert(id.to_string());
    p.last_lesson = Some(id.to_string());
}

/// Render lesson `index` to stdout (paged when `pager`), with the commands
/// that come next when `footer`.
pub(super) fn show(
    ctx: &Ctx,
    course: &Course,
    index: usize,
    footer: bool,
    pager: bool,
) -> anyhow::Result<()> {
    let lesson = &course.lessons[index];
    let md = course.markdown(lesson)?;
    let style = ctx.color.out();
    let mut out = Vec::new();
    markdown::render(&md, style, term::width(), &mut out)?;
    if footer {
        let number = index + 1;
        let mut next = Vec::new();
        if course.has_quiz(lesson) {
            next.push((
                format!("podlearn quiz {number}"),
                "a short quiz on this lesson".to_string(),
            ));
        }
        if markdown::code_blocks(&md).iter().any(|c| c.file.is_some()) {
            next.push((
                format!("podlearn files {number}"),
                "write this lesson's example files".to_string(),
            ));
        }
        if let Some(following) = course.lessons.get(index + 1) {
            next.push((
                format!("podlearn lesson {}", number + 1),
                following.title.clone(),
            ));
        }
        if !next.is_empty() {
            let w = next.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
            out.push(b'\n');
            for (i, (command, what)) in next.iter().enumerate() {
                let lead = if i == 0 { "Next:" } else { "" };
                let pad = " ".repeat(w - command.len());
                out.extend(
                    format!(
                        "{lead:<5} {}{pad}  {}\n",
                        style.command(command),
                        style.dim(what)
                    )
                    .as_bytes(),
                );
            }
        }
    }
    crate::pager::show(&String::from_utf8_lossy(&out), pager)
}
