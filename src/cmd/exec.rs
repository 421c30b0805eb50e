//! `podlearn exec POD [-c NAME] [-it] -- CMD`: run a command in a container
//! of a running pod. The command's exit code becomes podlearn's, as with
//! kubectl. With `-i` the command reads podlearn's stdin; with `-t` it gets
//! a terminal of its own, and podlearn's is put in raw mode meanwhile.

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
        let code = attached(&engine, r, &container, &args).await?;
        return code_of(code);
    }
    let out = engine
        .exec_in(r, &container, &args.command, Duration::from_secs(24 * 3600))
        .await?;
    std::io::stdout().write_all(out.stdout.as_bytes())?;
    std::io::stderr().write_all(out.stderr.as_bytes())?;
    code_of(out.exit_code)
}

fn code_of(c: i64) -> anyhow::Result<Outcome> {
    if c == 0 {
        Ok(Outcome::Success)
    } else {
        // kubectl exits with 1 and says the command's code; so does podlearn.
        eprintln!("command terminated with exit code {c}");
        Ok(Outcome::Failed)
    }
}

/// Run the command attached: stdin forwarded with `-i`, a terminal with
/// `-t` (raw mode here, resized with the window).
async fn attached(
    engine: &Engine,
    r: &crate::runtime::PodRecord,
    container: &str,
    args: &ExecArgs,
) -> anyhow::Result<i64> {
    use std::io::{IsTerminal, Read};
    let (in_tx, input) = tokio::sync::mpsc::channel::<Vec<u8>>(16);
    if args.interactive {
        // A plain thread: a blocking read of stdin must not hold the async
        // runtime open once the command has ended.
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stdin.read(&mut buf) {
                if in_tx.blocking_send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
    } else {
        drop(in_tx);
    }
    let (size_tx, resize) = tokio::sync::mpsc::channel(4);
    let terminal = args.tty && std::io::stdin().is_terminal();
    let _raw = if terminal {
        if let Ok(size) = crossterm::terminal::size() {
            let _ = size_tx.try_send(size);
        }
        tokio::spawn(async move {
            let Ok(mut winch) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change())
            else {
                return;
            };
            while winch.recv().await.is_some() {
                if let Ok(size) = crossterm::terminal::size()
                    && size_tx.send(size).await.is_err()
                {
                    break;
                }
            }
        });
        Some(RawMode::enter()?)
    } else {
        None
    };
    let mut output = |stderr: bool, bytes: &[u8]| {
        let _ = if stderr {
            let mut e = std::io::stderr().lock();
            e.write_all(bytes).and_then(|_| e.flush())
        } else {
            let mut o = std::io::stdout().lock();
            o.write_all(bytes).and_then(|_| o.flush())
        };
    };
    let io = crate::runtime::AttachedIo {
        tty: args.tty,
        input,
        resize,
        output: &mut output,
    };
    engine
        .exec_attached_in(r, container, &args.command, io)
        .await
}

/// The learner's terminal in raw mode until dropped, on every path out.
struct RawMode;

impl RawMode {
    fn enter() -> anyhow::Result<Self> {
        crossterm::terminal::enable_raw_mode()
            .map_err(|e| anyhow::anyhow!("putting the terminal in raw mode: {e}"))?;
        Ok(RawMode)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}
