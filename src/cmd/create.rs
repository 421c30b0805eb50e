//! `podlearn create job NAME --from=cronjob/CRON`: run a CronJob's Job once,
//! now, in the run that has the CronJob (see `cluster::get`).

use crate::cli::CreateArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, args: CreateArgs) -> anyhow::Result<Outcome> {
    crate::cluster::get::create_job(
        &mut std::io::stdout().lock(),
        &args.kind,
        &args.name,
        &args.from,
    )
}
