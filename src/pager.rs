//! Showing a long text: through a pager when a person is reading a terminal
//! (`$PAGER`, else `less -R`), straight to stdout otherwise. Never pages when
//! stdout is not a terminal, so pipes and tests get the text as is.

use std::io::{self, IsTerminal, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// Print `text`, through a pager if `allow` and it is taller than the terminal.
pub fn show(text: &str, allow: bool) -> anyhow::Result<()> {
    if allow
        && io::stdout().is_terminal()
        && taller_than_screen(text)
        && let Some(mut cmd) = pager_command()
        && page_with(&mut cmd, text)
    {
        return Ok(());
    }
    print(text)
}

/// Write to stdout; a closed pipe (`podlearn lesson 1 | head`) is not an error.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

fn taller_than_screen(text: &str) -> bool {
    text.lines().count() + 1 > screen_rows()
}

/// The terminal's height, 24 when it does not say.
pub fn screen_rows() -> usize {
    match crossterm::terminal::size() {
        Ok((_, rows)) if rows > 0 => usize::from(rows),
        _ => 24,
    }
}

/// `$PAGER` (run by the shell, so it may carry arguments and quotes), else
/// `less -R` when it is installed.
fn pager_command() -> Option<Command> {
    let spec = match std::env::var("PAGER") {
        Ok(p) if !p.trim().is_empty() => p,
        Ok(_) => return None, // PAGER="" means: do not page
        Err(_) => "less -R".to_string(),
    };
    let mut cmd = crate::term::user_command(&spec, &[]);
    // Like git: quit when the text fits, keep colors, do not clear the screen.
    if std::env::var_os("LESS").is_none() {
        cmd.env("LESS", "FRX");
    }
    Some(cmd)
}

/// Run the pager; false when it could not be started, or the shell found no
/// such program (exit 126 or 127): then the caller prints.
fn page_with(cmd: &mut Command, text: &str) -> bool {
    let Ok(mut child) = cmd.stdin(Stdio::piped()).spawn() else {
        return false;
    };
    // Ctrl-C while reading belongs to the pager (less uses it to stop a
    // search); podlearn must not die under it and leave it on the screen.
    let die_on_ctrl_c = die_on_ctrl_c();
    die_on_ctrl_c.store(false, Ordering::SeqCst);
    if let Some(mut stdin) = child.stdin.take() {
        // The reader may quit before reading everything: that is fine.
        let _ = stdin.write_all(text.as_bytes());
    }
    let status = child.wait();
    die_on_ctrl_c.store(true, Ordering::SeqCst);
    !matches!(status.map(|s| s.code()), Ok(Some(126 | 127)))
}

/// When true (the default), SIGINT ends podlearn as usual.
fn die_on_ctrl_c() -> &'static AtomicBool {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(true));
        let _ = signal_hook::flag::register_conditional_default(
            signal_hook::consts::SIGINT,
            Arc::clone(&flag),
        );
        flag
    })
}
