//! `podlearn quiz`: the short multiple-choice quiz of a lesson, one question
//! at a time, each answer explained; the score is saved.

use crate::cli::QuizArgs;
use crate::cmd::Ctx;
use crate::course::Quiz;
use crate::exit::{Outcome, learner_error};
use crate::progress::{QuizScore, Store};
use crate::term::Style;

pub fn run(ctx: &Ctx, args: QuizArgs) -> anyhow::Result<Outcome> {
    let course = super::lesson::course(ctx)?;
    let (index, lesson) = course.find(&args.lesson)?;
    let Some(quiz) = course.quiz(lesson)? else {
        return Err(learner_error(format!(
            "Lesson {} ({}) has no quiz yet.",
            index + 1,
            lesson.title
        )));
    };
    super::start::require_terminal(
        "`podlearn quiz` asks questions",
        "Read the lesson instead with:\n  podlearn lesson N",
    )?;
    let store = Store::open()?;
    if let Some(score) = ask(ctx.color.out(), &lesson.title, &quiz) {
        let id = lesson.id.clone();
        store.update(|p| p.quiz_scores.insert(id, score))?;
    }
    Ok(Outcome::Success)
}

/// Ask every question; `None` when the learner stops early (Esc, Ctrl-C),
/// and then nothing is recorded.
pub(super) fn ask(style: Style, title: &str, quiz: &Quiz) -> Option<QuizScore> {
    let total = quiz.questions.len();
    println!("\n{} {}\n", style.strong("Quiz:"), title);
    let mut correct = 0u32;
    for (n, q) in quiz.questions.iter().enumerate() {
        let prompt = format!("({}/{total}) {}", n + 1, q.prompt);
        let chosen = inquire::Select::new(&prompt, q.choices.clone())
            .without_filtering()
            .with_help_message("↑↓ to move, Enter to answer, Esc to stop the quiz")
            .raw_prompt();
        let Ok(chosen) = chosen else {
            println!("Quiz stopped; nothing recorded.");
            return None;
        };
        if q.is_right(chosen.index) {
            correct += 1;
            println!("{} {}\n", style.ok("✔ Right."), q.why);
        } else {
            println!(
                "{} The answer is: {}\n  {}\n",
                style.bad("✘ Not quite."),
                style.strong(q.right_choice()),
                q.why
            );
        }
    }
    let total = u32::try_from(total).unwrap_or(u32::MAX);
    let verdict = format!("You got {correct} of {total} right.");
    if correct == total {
        println!("{}", style.ok(&verdict));
    } else {
        println!("{verdict}");
    }
    Some(QuizScore { correct, total })
}
