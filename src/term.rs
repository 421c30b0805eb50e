//! The terminal edge: whether to use color, how wide the screen is, whether a
//! person is at the keyboard, how an error is printed, and how the learner's
//! own `$EDITOR` and `$PAGER` are started.
//!
//! Color is decided once, here, from `--color`, `NO_COLOR` and whether stdout
//! is a terminal. Everything that renders takes a [`Style`] and writes to any
//! `io::Write`, so tests compare plain text.

use std::io::{self, IsTerminal, Write};

use owo_colors::OwoColorize;

/// The `--color` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorFlag {
    /// Color when writing to a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    Always,
    Never,
}

/// The decision, made once at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColorChoice {
    pub stdout: bool,
    pub stderr: bool,
}

impl ColorChoice {
    pub fn resolve(flag: ColorFlag) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        match flag {
            ColorFlag::Always => ColorChoice {
                stdout: true,
                stderr: true,
            },
            ColorFlag::Never => ColorChoice::plain(),
            ColorFlag::Auto if no_color => ColorChoice::plain(),
            ColorFlag::Auto => ColorChoice {
                stdout: io::stdout().is_terminal(),
                stderr: io::stderr().is_terminal(),
            },
        }
    }

    pub fn plain() -> Self {
        ColorChoice {
            stdout: false,
            stderr: false,
        }
    }

    /// The style for text written to stdout.
    pub fn out(self) -> Style {
        Style { color: self.stdout }
    }

    /// The style for text written to stderr.
    pub fn err(self) -> Style {
        Style { color: self.stderr }
    }
}

/// Paints words when color is on, and leaves them alone when it is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub const PLAIN: Style = Style { color: false };

    fn paint(self, text: &str, f: impl Fn(&str) -> String) -> String {
        if self.color {
            f(text)
        } else {
            text.to_string()
        }
    }

    /// Passed checks, done lessons.
    pub fn ok(self, text: &str) -> String {
        self.paint(text, |t| t.green().bold().to_string())
    }
    /// Errors and failed checks.
    pub fn bad(self, text: &str) -> String {
        self.paint(text, |t| t.red().bold().to_string())
    }
    /// Warnings.
    pub fn warn(self, text: &str) -> String {
        self.paint(text, |t| t.yellow().bold().to_string())
    }
    /// Notes and hints.
    pub fn note(self, text: &str) -> String {
        self.paint(text, |t| t.cyan().bold().to_string())
    }
    /// Headings and names that should stand out.
    pub fn strong(self, text: &str) -> String {
        self.paint(text, |t| t.bold().to_string())
    }
    /// Secondary information: paths, times.
    pub fn dim(self, text: &str) -> String {
        self.paint(text, |t| t.dimmed().to_string())
    }
    /// Commands the learner can type.
    pub fn command(self, text: &str) -> String {
        self.paint(text, |t| t.bright_blue().to_string())
    }
}

/// Terminal width for rendering: the real width when stdout is a terminal,
/// `COLUMNS` when set, else 80.
pub fn width() -> usize {
    if io::stdout().is_terminal()
        && let Ok((cols, _)) = crossterm::terminal::size()
        && cols > 0
    {
        return usize::from(cols);
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&c: &usize| c > 0)
        .unwrap_or(80)
}

/// True when a person can answer prompts: stdin and stdout are terminals.
pub fn is_interactive() -> bool {
    io::stdin().is_terminal() && io::stdout().is_terminal()
}

/// Print an error that ended a command, with its causes, as
/// `error: what failed` then `  caused by: ...` lines.
pub fn print_error(err: &anyhow::Error, color: ColorChoice) {
    let style = color.err();
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{} {}", style.bad("error:"), err);
    for cause in err.chain().skip(1) {
        let _ = writeln!(stderr, "  {} {}", style.dim("caused by:"), cause);
    }
}

/// The learner's `$EDITOR` or `$PAGER` as a command, run the way git runs
/// them: through `sh -c`, so the value may carry arguments (`code -w`) and
/// quotes (`"/opt/My Editor/ed"`); `args` are passed to it as `"$@"`.
pub fn user_command(spec: &str, args: &[&std::ffi::OsStr]) -> std::process::Command {
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c").arg(format!("{spec} \"$@\"")).arg(spec);
    cmd.args(args);
    cmd
}

#[cfg(test)]
mod user_command_tests {
    use super::user_command;

    fn run(spec: &str, args: &[&str]) -> String {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        let out = user_command(spec, &args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[test]
    fn arguments_and_quotes_in_the_value_are_kept() {
        assert_eq!(run("printf '[%s]'", &["a file.yaml"]), "[a file.yaml]");
        assert_eq!(
            run("printf '[%s]' -w", &["/tmp/my dir/x.yaml"]),
            "[-w][/tmp/my dir/x.yaml]"
        );
        let dir = tempfile::tempdir().unwrap();
        let tool = dir.path().join("My Editor");
        std::fs::write(&tool, "#!/bin/sh\necho \"edited $1\"\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        let spec = format!("\"{}\"", tool.display());
        assert_eq!(run(&spec, &["x.yaml"]), "edited x.yaml\n");
    }
}
