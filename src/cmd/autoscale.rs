//! `podlearn autoscale`: the HPA's arithmetic for the learner's numbers.

use crate::cli::AutoscaleArgs;
use crate::cluster::hpa::{self, HpaInput};
use crate::cmd::Ctx;
use crate::exit::{Outcome, learner_error};

pub fn run(ctx: &Ctx, args: AutoscaleArgs) -> anyhow::Result<Outcome> {
    let input = HpaInput {
        current_replicas: args.replicas,
        current_metric: args.current,
        target_metric: args.target,
        min_replicas: args.min,
        max_replicas: args.max,
    };
    hpa::check_input(&input).map_err(learner_error)?;
    let mut out = std::io::stdout().lock();
    hpa::explain(&mut out, ctx.color.out(), &input)?;
    Ok(Outcome::Success)
}
