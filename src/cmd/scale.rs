//! `podlearn scale deployment NAME --replicas N`: ask the run that owns the
//! Deployment to resize it (see `cluster::get`).

use crate::cli::ScaleArgs;
use crate::cmd::Ctx;
use crate::exit::Outcome;

pub fn run(_ctx: &Ctx, args: ScaleArgs) -> anyhow::Result<Outcome> {
    crate::cluster::get::scale(
        &mut std::io::stdout().lock(),
        &args.kind,
        &args.name,
        args.replicas,
    )
}
