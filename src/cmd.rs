//! One module per verb (`cmd/<verb>.rs`), each a thin layer that turns parsed
//! arguments into calls on the library and its outcome into an exit code.

mod autoscale;
mod check;
mod clean;
mod completions;
mod create;
mod delete;
mod describe;
mod exec;
mod exercise;
mod exercises;
mod files;
mod get;
mod hint;
mod lesson;
mod lessons;
mod logs;
mod node;
mod pods;
mod progress;
mod quiz;
mod report;
mod reset;
mod run;
mod scale;
mod solution;
mod start;
mod supervise;
mod validate;
mod verify;
mod watch;

use std::path::PathBuf;

use crate::cli::{Cli, Command};
use crate::exit::Outcome;
use crate::term::ColorChoice;

/// What every command may need from the command line besides its own arguments.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub color: ColorChoice,
    /// `--course DIR`: an instructor's course instead of the built-in one.
    pub course_dir: Option<PathBuf>,
}

/// Run the parsed command.
pub fn run(cli: Cli, color: ColorChoice) -> anyhow::Result<Outcome> {
    let ctx = Ctx {
        color,
        course_dir: cli.course,
    };
    match cli.command {
        Command::Start => start::run(&ctx),
        Command::Lessons => lessons::run(&ctx),
        Command::Lesson(args) => lesson::run(&ctx, args),
        Command::Files(args) => files::run(&ctx, args),
        Command::Quiz(args) => quiz::run(&ctx, args),
        Command::Progress => progress::run(&ctx),
        Command::Reset(args) => reset::run(&ctx, args),
        Command::Completions(args) => completions::run(&ctx, args),
        Command::Validate(args) => validate::run(&ctx, args),
        Command::Run(args) => run::run(&ctx, args),
        Command::Get(args) => get::run(&ctx, args),
        Command::Describe(args) => describe::run(&ctx, args),
        Command::Logs(args) => logs::run(&ctx, args),
        Command::Exec(args) => exec::run(&ctx, args),
        Command::Delete(args) => delete::run(&ctx, args),
        Command::Clean(args) => clean::run(&ctx, args),
        Command::Scale(args) => scale::run(&ctx, args),
        Command::Create(args) => create::run(&ctx, args),
        Command::Autoscale(args) => autoscale::run(&ctx, args),
        Command::Exercises => exercises::run(&ctx),
        Command::Exercise(args) => exercise::run(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::Hint(args) => hint::run(&ctx, args),
        Command::Solution(args) => solution::run(&ctx, args),
        Command::Watch(args) => watch::run(&ctx, args),
        Command::Verify(args) => verify::run(&ctx, args),
        Command::Report(args) => report::run(&ctx, args),
        Command::Kubeconfig => node::kubeconfig(&ctx),
        Command::Node(args) => node::run(&ctx, args),
    }
}
