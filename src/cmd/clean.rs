//! `podlearn clean [--all-learners]`: remove every container and volume
//! podlearn created on this engine for this learner (or for everyone).

use crate::cli::CleanArgs;
use crate::cmd::Ctx;
use crate::cmd::pods;
use crate::exit::Outcome;
use crate::runtime::{CleanScope, Engine, clean};

pub fn run(ctx: &Ctx, args: CleanArgs) -> anyhow::Result<Outcome> {
    pods::block_on(async {
        let engine = Engine::connect().await?;
        let scope = if args.all_learners {
            CleanScope::AllLearners
        } else {
            CleanScope::Learner(crate::runtime::current_learner())
        };
        // The learner's node first: it would otherwise be the kubelet of
        // Pods about to be removed under it.
        if let CleanScope::Learner(l) = &scope {
            let l = l.clone();
            tokio::task::spawn_blocking(move || crate::node::stop(&l)).await?;
        }
        let n = clean(&engine, &scope).await?;
        let whose = match &scope {
            CleanScope::AllLearners => "all learners".to_string(),
            CleanScope::Learner(l) => format!("learner {l}"),
        };
        println!(
            "{}",
            ctx.color.out().ok(&format!(
                "removed {n} podlearn object(s) of {whose} from this Docker engine"
            ))
        );
        Ok(Outcome::Success)
    })?
}
