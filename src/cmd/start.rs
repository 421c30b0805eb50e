//! `podlearn start`: the interactive home. Greets the learner, offers to
//! continue where they left off, lists the lessons (and, after each, its
//! exercises) with done marks, shows progress. The menu itself is data built
//! by `home::menu`; this module only displays it and acts on the choice.

use std::io::{self, IsTerminal};

use anyhow::Context;
use inquire::InquireError;

use crate::cmd::Ctx;
use crate::course::Course;
use crate::exit::Outcome;
use crate::home::{self, ExerciseEntry, MenuItem, Overview};
use crate::progress::Store;
use crate::term;

const WITHOUT_A_TERMINAL: &str = "Without a terminal, use the commands directly:
  podlearn lessons        list the lessons
  podlearn lesson N       read lesson N (its number or id)
  podlearn files N        write lesson N's example files into a folder
  podlearn progress       what you have done and what comes next
  podlearn exercises      list the exercises";

/// Fail (exit 2) unless stdin and stdout are both terminals. Checked before
/// any prompt: inquire would otherwise open /dev/tty, or wait for keys that
/// never come.
pub(super) fn require_terminal(what: &str, instead: &str) -> anyhow::Result<()> {
    if io::stdin().is_terminal() && io::stdout().is_terminal() {
        return Ok(());
    }
    anyhow::bail!(
        "{what}, so it needs a terminal (standard input or output is not one here).\n{instead}"
    )
}

pub fn run(ctx: &Ctx) -> anyhow::Result<Outcome> {
    require_terminal("`podlearn start` is interactive", WITHOUT_A_TERMINAL)?;
    let course = super::lesson::course(ctx)?;
    let store = Store::open()?;
    let style = ctx.color.out();
    let progress = store.load()?;
    if progress.is_empty() {
        println!(
            "{}\n\nYou will learn Kubernetes Pods by running them: {} short lessons, then\nexercises where podlearn runs your Pod manifests on your Docker engine\nand checks what they actually do. Your progress is saved as you go.\n",
            style.strong("Welcome to podlearn!"),
            course.lessons.len()
        );
    } else {
        let read = course
            .lessons
            .iter()
            .filter(|l| progress.lessons_read.contains(&l.id))
            .count();
        println!(
            "{} You have read {read} of {} lessons.\n",
            style.strong("Welcome back!"),
            course.lessons.len()
        );
    }
    let exercises = exercises(&course);
    loop {
        let progress = store.load()?;
        let items = home::menu(&course, &progress, &exercises);
        let rows = crate::pager::screen_rows();
        let choice = inquire::Select::new("What next?", items.clone())
            .with_page_size(items.len().min(rows.saturating_sub(4)).max(5))
            .with_help_message("↑↓ to move, Enter to choose, type to filter, Esc to quit")
            .prompt();
        let item = match choice {
            Ok(item) => item,
            Err(InquireError::OperationCanceled | InquireError::OperationInterrupted) => break,
            Err(e) => return Err(e).context("Failed to show the menu"),
        };
        let done = match item {
            MenuItem::Continue { index, .. } | MenuItem::Lesson { index, .. } => {
                read_lesson(ctx, &course, &store, index)
            }
            MenuItem::Exercise { id, .. } => super::exercise::from_menu(ctx, &id),
            MenuItem::Progress => {
                let has_quiz: Vec<bool> =
                    course.lessons.iter().map(|l| course.has_quiz(l)).collect();
                let mut out = Vec::new();
                Overview::new(&course, &progress, &has_quiz, &exercises).render(style, &mut out)?;
                println!("\n{}", String::from_utf8_lossy(&out));
                Ok(())
            }
            MenuItem::Quit => break,
        };
        // A broken lesson or quiz file is reported, and the menu comes back.
        if let Err(e) = done {
            term::print_error(&e, ctx.color);
        }
    }
    println!(
        "See you next time. {} brings you back where you left off.",
        style.command("podlearn start")
    );
    Ok(Outcome::Success)
}

/// The exercises the home menu and `podlearn progress` show, each after its
/// lesson. The one place to feed them from the course's `exercises/`.
pub(super) fn exercises(course: &Course) -> Vec<ExerciseEntry> {
    // A broken exercise is reported by the exercise commands (with its file
    // and line); the menu still offers the lessons.
    crate::exercise::Catalog::load(&course.source)
        .map(|c| c.exercises)
        .unwrap_or_default()
        .into_iter()
        .map(|e| ExerciseEntry {
            id: e.id,
            title: e.title,
            lesson: e.lesson,
        })
        .collect()
}

/// Show a lesson, remember it, then offer its quiz if it has one.
fn read_lesson(ctx: &Ctx, course: &Course, store: &Store, index: usize) -> anyhow::Result<()> {
    let lesson = &course.lessons[index];
    super::lesson::show(ctx, course, index, false, true)?;
    store.update(|p| super::lesson::mark_read(p, &lesson.id))?;
    println!();
    let md = course.markdown(lesson)?;
    if crate::markdown::code_blocks(&md)
        .iter()
        .any(|c| c.file.is_some())
    {
        println!(
            "Write this lesson's example files with {}\n",
            ctx.color
                .out()
                .command(&format!("podlearn files {}", index + 1))
        );
    }
    let Some(quiz) = course.quiz(lesson)? else {
        return Ok(());
    };
    let taken = store.load()?.quiz_scores.contains_key(&lesson.id);
    let question = format!(
        "Take the {}-question quiz on this lesson{}?",
        quiz.questions.len(),
        if taken { " again" } else { "" }
    );
    let yes = inquire::Confirm::new(&question)
        .with_default(!taken)
        .prompt();
    if matches!(yes, Ok(true))
        && let Some(score) = super::quiz::ask(ctx.color.out(), &lesson.title, &quiz)
    {
        store.update(|p| p.quiz_scores.insert(lesson.id.clone(), score))?;
    }
    println!();
    Ok(())
}
