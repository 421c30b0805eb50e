//! The terminal edge: whether to use color, how wide the screen is, whether a
//! person is at the keyboard, and how an error is printed.
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
