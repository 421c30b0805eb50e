//! `podlearn report PATH... [--format text|csv|json]`: who finished what,
//! from the progress files of a class, counted against the course.

use std::io::Write;

use crate::cli::{ReportArgs, ReportFormat};
use crate::cmd::Ctx;
use crate::exit::{Outcome, learner_error};
use crate::roster::{self, CourseShape};

pub fn run(ctx: &Ctx, args: ReportArgs) -> anyhow::Result<Outcome> {
    let course = super::lesson::course(ctx)?;
    let shape = CourseShape {
        lessons: course.lessons.iter().map(|l| l.id.clone()).collect(),
        quizzes: course
            .lessons
            .iter()
            .filter(|l| course.has_quiz(l))
            .map(|l| l.id.clone())
            .collect(),
        exercises: super::start::exercises(&course)
            .into_iter()
            .map(|e| e.id)
            .collect(),
    };
    let files = roster::find(&args.paths)?;
    let (entries, unreadable) = roster::read(&files);
    let err = ctx.color.err();
    for u in &unreadable {
        eprintln!(
            "{}",
            err.warn(&format!("warning: {}: {}", u.file.display(), u.why))
        );
    }
    if entries.is_empty() {
        return Err(learner_error(format!(
            "no progress file could be read in {}: give the progress.json files of the \
             learners (`podlearn progress` says where each one is), or folders that hold them",
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let report = roster::summarize(&shape, &entries);
    let text = match args.format {
        ReportFormat::Text => roster::render_text(&report),
        ReportFormat::Csv => roster::render_csv(&report),
        ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    // Every learner is reported; a file that could not be read still fails
    // the command, so a script notices.
    Ok(Outcome::from_bool(unreadable.is_empty()))
}
