//! `podlearn exec POD [-c NAME] [-it] -- CMD`: run a command in a container
//! of a running pod. The command's exit code becomes podlearn's, as with
//! kubectl. With `-it`, the terminal is handed to `docker exec -it`.

use std::io::Write;
use std::time::Duration;

use crate::cli::ExecArgs;
use crate::cmd::Ctx;
use crate::cmd::pods;
use crate::exit::Outcome;
use crate::runtime::Engine;

use super::logs::pick_container;

pub fn run(_ctx: &Ctx, args: ExecArgs) -> anyhow::Result<Outcome> {
    pods::block_on(exec(args))?
}

async fn exec(args: ExecArgs) -> anyhow::Result<Outcome> {
    let engine = Engine::connect().await?;
    let list = pods::find(&engine, Some(&args.pod)).await?;
    let r = &list[0];
    let container = pick_container(r, args.container.as_deref(), "exec")?;
    if args.interactive || args.tty {
        // An interactive session needs the terminal itself: the docker CLI
        // does that well, on the same engine (DOCKER_HOST is inherited).
        let id = r.container_id(&container, false)?;
        let mut cmd = std::process::Command::new("docker");
        cmd.arg("exec");
        if args.interactive {
            cmd.arg("-i");
        }
        if args.tty {
            cmd.arg("-t");
        }
        let status = cmd.arg(&id).args(&args.command).status().map_err(|e| {
            anyhow::anyhow!("`podlearn exec -it` runs the docker CLI, which failed to start: {e}")
        })?;
        return code(status.code().unwrap_or(1) as i64);
    }
    let out = engine
        .exec_in(r, &container, &args.command, Duration::from_secs(24 * 3600))
        .await?;
    std::io::stdout().write_all(out.stdout.as_bytes())?;
    std::io::stderr().write_all(out.stderr.as_bytes())?;
    code(out.exit_code)
}

fn code(c: i64) -> anyhow::Result<Outcome> {
    if c == 0 {
        Ok(Outcome::Success)
    } else {
        // kubectl exits with 1 and says the command's code; so does podlearn.
        eprintln!("command terminated with exit code {c}");
        Ok(Outcome::Failed)
    }
}
