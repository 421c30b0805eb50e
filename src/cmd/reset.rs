//! `podlearn reset`: forget all progress, after asking (or with `--yes`).

use crate::cli::ResetArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;
use crate::progress::Store;

pub fn run(ctx: &Ctx, args: ResetArgs) -> anyhow::Result<Outcome> {
    let store = Store::open()?;
    let style = ctx.color.out();
    if !args.yes {
        super::start::require_terminal(
            "`podlearn reset` asks for confirmation",
            "To forget all progress without being asked, run:\n  podlearn reset --yes",
        )?;
        let question = format!("Forget all your progress ({})?", store.path().display());
        let confirmed = inquire::Confirm::new(&question)
            .with_default(false)
            .prompt();
        if !matches!(confirmed, Ok(true)) {
            println!("Nothing changed.");
            return Ok(Outcome::Success);
        }
    }
    store.reset()?;
    println!(
        "{} Start again with {}",
        style.ok("Progress forgotten."),
        style.command("podlearn start")
    );
    Ok(Outcome::Success)
}
