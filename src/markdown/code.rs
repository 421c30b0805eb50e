//! Code blocks of a lesson: the fence's info string (`yaml file=pod.yaml`,
//! `yaml mistake`) and drawing the block in a frame, lines exactly as written,
//! highlighted when color is on: shell by `shell`, the rest with syntect.

use std::io::{self, Write};
use std::sync::OnceLock;

use syntect::easy::HighlightLines;
use syntect::highlighting::{Theme, ThemeSet};
use syntect::parsing::SyntaxSet;
use syntect::util::{LinesWithEndings, as_24_bit_terminal_escaped};

use crate::term::Style;

/// A fenced (or indented) code block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// The language: the first word of the info string (`yaml`, `sh`, `json`).
    pub lang: Option<String>,
    /// `file=NAME`: a file the learner can write out with `podlearn files`.
    pub file: Option<String>,
    /// `mistake`: the block contains a mistake on purpose.
    pub mistake: bool,
    /// `excerpt`: part of a manifest, shown to explain one field (not a whole
    /// manifest, so it is not validated on its own).
    pub excerpt: bool,
    /// The code, each line ending with `\n`.
    pub code: String,
    /// Columns to indent the block by (when nested in a list item).
    pub indent: usize,
}

impl CodeBlock {
    /// A block with no code yet, from the fence's info string.
    pub fn from_info(info: &str, indent: usize) -> CodeBlock {
        let mut block = CodeBlock {
            lang: None,
            file: None,
            mistake: false,
            excerpt: false,
            code: String::new(),
            indent,
        };
        for (i, word) in info.split_whitespace().enumerate() {
            if let Some(name) = word.strip_prefix("file=") {
                let name = name.trim_matches(|c| c == '"' || c == '\'');
                if !name.is_empty() {
                    block.file = Some(name.to_string());
                }
            } else if word == "mistake" {
                block.mistake = true;
            } else if word == "excerpt" {
                block.excerpt = true;
            } else if i == 0 && !word.contains('=') {
                block.lang = Some(word.to_string());
            }
        }
        block
    }

    /// Draw the block: a label line, the code behind a `│` gutter, a closing line.
    pub fn render(&self, style: Style, out: &mut impl Write) -> io::Result<()> {
        let pad = " ".repeat(self.indent);
        let mut label = String::new();
        if let Some(file) = &self.file {
            label.push(' ');
            label.push_str(&style.strong(file));
        } else if let Some(lang) = &self.lang {
            label.push(' ');
            label.push_str(&style.dim(lang));
        }
        if self.mistake {
            label.push(' ');
            label.push_str(&style.warn("(contains a mistake on purpose)"));
        }
        if self.excerpt {
            label.push(' ');
            label.push_str(&style.dim("(excerpt)"));
        }
        writeln!(out, "{pad}{}{label}", style.dim("┌─"))?;
        let gutter = style.dim("│");
        let highlighted = if style.color {
            self.highlighted()
        } else {
            None
        };
        match highlighted {
            Some(lines) => {
                for line in lines {
                    writeln!(out, "{pad}{gutter} {line}\x1b[0m")?;
                }
            }
            None => {
                for line in self.code.lines() {
                    writeln!(out, "{pad}{gutter} {line}")?;
                }
            }
        }
        writeln!(out, "{pad}{}", style.dim("└─"))
    }

    /// The lines with 24-bit color escapes, or `None` for an unknown language.
    fn highlighted(&self) -> Option<Vec<String>> {
        let token = match self.lang.as_deref()?.to_ascii_lowercase().as_str() {
            "shell" | "console" | "shell-session" | "sh" | "bash" | "zsh" => {
                return Some(super::shell::highlight(&self.code));
            }
            "yml" => "yaml".to_string(),
            other => other.to_string(),
        };
        let (syntaxes, theme) = highlighting();
        let syntax = syntaxes.find_syntax_by_token(&token)?;
        let mut h = HighlightLines::new(syntax, theme);
        let mut lines = Vec::new();
        for line in LinesWithEndings::from(&self.code) {
            let ranges = h.highlight_line(line, syntaxes).ok()?;
            let escaped = as_24_bit_terminal_escaped(&ranges, false);
            lines.push(escaped.trim_end_matches(['\n', '\r']).to_string());
        }
        Some(lines)
    }
}

/// Syntaxes and theme, loaded once and only when a colored block needs them.
fn highlighting() -> &'static (SyntaxSet, Theme) {
    static SET: OnceLock<(SyntaxSet, Theme)> = OnceLock::new();
    SET.get_or_init(|| {
        let syntaxes = SyntaxSet::load_defaults_newlines();
        let mut themes = ThemeSet::load_defaults().themes;
        let theme = themes
            .remove("base16-ocean.dark")
            .or_else(|| themes.into_values().next())
            .unwrap_or_default();
        (syntaxes, theme)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_string_words() {
        let b = CodeBlock::from_info("yaml file=two-containers.yaml", 0);
        assert_eq!(b.lang.as_deref(), Some("yaml"));
        assert_eq!(b.file.as_deref(), Some("two-containers.yaml"));
        assert!(!b.mistake);
        let b = CodeBlock::from_info("yaml mistake", 0);
        assert!(b.mistake && b.file.is_none() && !b.excerpt);
        let b = CodeBlock::from_info("yaml excerpt", 0);
        assert!(b.excerpt && !b.mistake);
        let b = CodeBlock::from_info("file=\"x.json\"", 0);
        assert_eq!((b.lang, b.file.as_deref()), (None, Some("x.json")));
    }

    #[test]
    fn yaml_shell_and_json_are_highlighted() {
        for (lang, code) in [
            ("yaml", "a: 1\n"),
            ("sh", "echo hi\n"),
            ("shell", "ls\n"),
            ("json", "{\"a\": 1}\n"),
        ] {
            let mut b = CodeBlock::from_info(lang, 0);
            b.code = code.to_string();
            assert!(b.highlighted().is_some(), "{lang}");
        }
        let mut b = CodeBlock::from_info("klingon", 0);
        b.code = "x\n".into();
        assert!(b.highlighted().is_none());
    }
}
