//! `podlearn kubeconfig` and `podlearn node start|stop|status`: the learner's
//! node, which serves the Kubernetes API so that the real kubectl works.

use crate::cli::{NodeAction, NodeArgs};
use crate::cmd::Ctx;
use crate::exit::Outcome;
use crate::runtime::current_learner;

use super::pods;

pub fn kubeconfig(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let learner = current_learner();
    crate::node::ensure(&learner)?;
    println!("{}", crate::node::kubeconfig_path(&learner).display());
    if crate::term::is_interactive() {
        eprintln!(
            "{}",
            ctx.color.err().note(
                "use it with: export KUBECONFIG=$(podlearn kubeconfig)   then: kubectl get pods"
            )
        );
    }
    Ok(Outcome::Success)
}

pub fn run(ctx: &Ctx, args: NodeArgs) -> anyhow::Result<Outcome> {
    let learner = current_learner();
    let style = ctx.color.out();
    match args.action {
        NodeAction::Start => {
            let info = crate::node::ensure(&learner)?;
            println!(
                "{}",
                style.ok(&format!(
                    "node of learner {learner} is running on https://127.0.0.1:{} (pid {})",
                    info.port, info.pid
                ))
            );
            println!(
                "kubeconfig: {}",
                crate::node::kubeconfig_path(&learner).display()
            );
        }
        NodeAction::Stop => {
            if crate::node::stop(&learner) {
                println!(
                    "{}",
                    style.ok(&format!("node of learner {learner} stopped"))
                );
            } else {
                println!("no node of learner {learner} is running");
            }
        }
        NodeAction::Status => match crate::node::running(&learner) {
            Some(info) => println!(
                "node of learner {learner}: running on https://127.0.0.1:{} (pid {}), kubeconfig {}",
                info.port,
                info.pid,
                crate::node::kubeconfig_path(&learner).display()
            ),
            None => {
                println!(
                    "no node of learner {learner} is running (start one: podlearn node start)"
                );
                return Ok(Outcome::Failed);
            }
        },
        NodeAction::Serve => pods::block_on(crate::node::serve(&learner))??,
    }
    Ok(Outcome::Success)
}
