//! The `podlearn` binary: parse arguments, run one command, map its outcome
//! to an exit code. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = podlearn::cli::Cli::parse();
    let color = podlearn::term::ColorChoice::resolve(cli.color);
    match podlearn::cmd::run(cli, color) {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(err) => {
            podlearn::term::print_error(&err, color);
            ExitCode::from(podlearn::exit::code_for_error(&err))
        }
    }
}
