//! Lesson markdown for the terminal.
//!
//! pulldown-cmark splits a lesson into blocks: headings and code blocks are
//! drawn here (code is never re-wrapped and keeps its indentation exactly;
//! termimad alone would wrap it at column 0 and ignore the language), and the
//! prose in between goes to termimad (emphasis, lists, tables, quotes, inline
//! code), wrapped to the terminal width. Writes to any `io::Write`; with a
//! plain [`Style`] the output has no escape codes at all.

mod code;
mod shell;

use std::borrow::Cow;
use std::io::{self, Write};
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::term::Style;

pub use code::CodeBlock;

/// One piece of a lesson, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block<'a> {
    /// Markdown source for termimad, with soft line breaks joined (termimad
    /// would otherwise break the line wherever the source does).
    Prose(Cow<'a, str>),
    /// A top-level heading, `level` 1 to 6.
    Heading {
        level: u8,
        text: String,
    },
    Code(CodeBlock),
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Split a lesson into prose, headings and code blocks.
pub fn blocks<'a>(md: &'a str) -> Vec<Block<'a>> {
    split(md, false)
}

/// [`blocks`]; with `keep_backticks`, inline code keeps its backticks in the
/// prose (escaped so termimad prints them): without color they are all that
/// tells a command from the words around it.
fn split<'a>(md: &'a str, keep_backticks: bool) -> Vec<Block<'a>> {
    let mut out = Vec::new();
    let mut cursor = 0;
    let mut depth = 0usize;
    // The block being collected: a heading or a code block, with its text so far.
    let mut heading: Option<(u8, String)> = None;
    let mut code: Option<(CodeBlock, usize)> = None;
    // Source edits before termimad sees the prose: soft breaks become a space
    // (from the newline to the next text, so a list item's or a quote's
    // continuation prefix goes too), links become `text (url)`, comments go.
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut soft_break: Option<usize> = None;
    let mut link: Option<(Range<usize>, String, String)> = None;
    let flush = |out: &mut Vec<Block<'a>>, edits: &[(Range<usize>, String)], from, to| {
        if to > from && !md[from..to].trim().is_empty() {
            out.push(Block::Prose(apply_edits(md, edits, from..to)));
        }
    };
    for (event, range) in Parser::new_ext(md, options()).into_offset_iter() {
        if let Some(start) = soft_break.take() {
            edits.push((start..range.start.max(start), " ".to_string()));
        }
        if code.is_none() && heading.is_none() {
            edit_prose(&event, &range, &mut edits, &mut link, keep_backticks);
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                flush(&mut out, &edits, cursor, range.start);
                // Nested in a list item: keep the block under its item.
                let line_start = md[..range.start].rfind('\n').map_or(0, |i| i + 1);
                let column = md[line_start..range.start].chars().count();
                let (info, indent) = match kind {
                    CodeBlockKind::Fenced(info) => (info.to_string(), column),
                    // The four spaces only mark the block as code.
                    CodeBlockKind::Indented => (String::new(), column.saturating_sub(4)),
                };
                code = Some((CodeBlock::from_info(&info, indent), depth));
                depth += 1;
            }
            Event::End(TagEnd::CodeBlock) => {
                depth -= 1;
                if let Some((block, _)) = code.take() {
                    out.push(Block::Code(block));
                }
                cursor = range.end;
            }
            Event::Start(Tag::Heading { level, .. }) if depth == 0 && code.is_none() => {
                flush(&mut out, &edits, cursor, range.start);
                heading = Some((heading_level(level), String::new()));
                depth += 1;
            }
            Event::End(TagEnd::Heading(_)) if depth == 1 && heading.is_some() => {
                depth -= 1;
                if let Some((level, text)) = heading.take() {
                    out.push(Block::Heading {
                        level,
                        text: text.trim().to_string(),
                    });
                }
                cursor = range.end;
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) | Event::Code(t) => {
                if let Some((block, _)) = &mut code {
                    block.code.push_str(&t);
                } else if let Some((_, text)) = &mut heading {
                    text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, text)) = &mut heading {
                    text.push(' ');
                }
                if matches!(event, Event::SoftBreak) && code.is_none() {
                    soft_break = Some(range.start);
                }
            }
            _ => {}
        }
    }
    flush(&mut out, &edits, cursor, md.len());
    out
}

/// Note the edits one prose event asks for: links (collected until their
/// end) and HTML comments.
fn edit_prose(
    event: &Event<'_>,
    range: &Range<usize>,
    edits: &mut Vec<(Range<usize>, String)>,
    link: &mut Option<(Range<usize>, String, String)>,
    keep_backticks: bool,
) {
    let code = |t: &str| {
        if keep_backticks {
            let escaped: String = t
                .chars()
                .flat_map(|c| match c {
                    '\\' | '*' | '~' | '`' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            format!("\\`{escaped}\\`")
        } else {
            format!("`{t}`")
        }
    };
    match event {
        Event::Start(Tag::Link { dest_url, .. }) => {
            *link = Some((range.clone(), dest_url.to_string(), String::new()));
        }
        Event::Text(t) | Event::Code(t) if link.is_some() => {
            if let Some((_, _, text)) = link {
                match event {
                    Event::Code(_) => text.push_str(&code(t)),
                    _ => text.push_str(t),
                }
            }
        }
        Event::SoftBreak | Event::HardBreak if link.is_some() => {
            if let Some((_, _, text)) = link {
                text.push(' ');
            }
        }
        Event::End(TagEnd::Link) => {
            if let Some((span, url, text)) = link.take() {
                // The link's own soft breaks are in `text` already.
                edits.retain(|(r, _)| r.start < span.start || r.end > span.end);
                let shown = if text.is_empty() || text == url {
                    url
                } else {
                    format!("{text} ({url})")
                };
                edits.push((span, shown));
            }
        }
        Event::Code(t) if keep_backticks => edits.push((range.clone(), code(t))),
        Event::Html(h) | Event::InlineHtml(h) if h.trim_start().starts_with("<!--") => {
            edits.push((range.clone(), String::new()));
        }
        _ => {}
    }
}

/// `md[span]` with the edits inside it applied.
fn apply_edits<'a>(
    md: &'a str,
    edits: &[(Range<usize>, String)],
    span: Range<usize>,
) -> Cow<'a, str> {
    let mut inside: Vec<&(Range<usize>, String)> = edits
        .iter()
        .filter(|(r, _)| r.start >= span.start && r.end <= span.end)
        .collect();
    if inside.is_empty() {
        return Cow::Borrowed(&md[span]);
    }
    inside.sort_by_key(|(r, _)| r.start);
    let mut text = String::with_capacity(span.len());
    let mut at = span.start;
    for (r, with) in inside {
        if r.start < at {
            continue; // overlaps an edit already applied
        }
        text.push_str(&md[at..r.start]);
        text.push_str(with);
        at = r.end;
    }
    text.push_str(&md[at..span.end]);
    Cow::Owned(text)
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Every code block of a lesson (for `podlearn files`).
pub fn code_blocks(md: &str) -> Vec<CodeBlock> {
    blocks(md)
        .into_iter()
        .filter_map(|b| match b {
            Block::Code(c) => Some(c),
            _ => None,
        })
        .collect()
}

/// Render a lesson for a terminal `width` columns wide.
pub fn render(md: &str, style: Style, width: usize, out: &mut impl Write) -> io::Result<()> {
    let width = width.max(20);
    let skin = skin(style);
    let mut first = true;
    for block in split(md, !style.color) {
        let text = match &block {
            Block::Prose(src) => {
                let text = skin.text(src, Some(width)).to_string();
                // termimad pads lines to the width (plain output should not end
                // in spaces) and keeps the blank lines a dropped comment leaves.
                let mut lines: Vec<&str> = Vec::new();
                for line in text.lines().map(str::trim_end) {
                    if !(line.is_empty() && lines.last().is_some_and(|l| l.is_empty())) {
                        lines.push(line);
                    }
                }
                lines.join("\n")
            }
            Block::Heading { level, text } => heading(*level, text, style, width),
            Block::Code(c) => {
                let mut buf = Vec::new();
                c.render(style, &mut buf)?;
                String::from_utf8_lossy(&buf).into_owned()
            }
        };
        let text = trim_blank_lines(&text);
        if text.is_empty() {
            continue;
        }
        if !first {
            writeln!(out)?;
        }
        first = false;
        writeln!(out, "{text}")?;
    }
    Ok(())
}

fn skin(style: Style) -> termimad::MadSkin {
    if !style.color {
        return termimad::MadSkin::no_style();
    }
    let mut skin = termimad::MadSkin::default();
    skin.inline_code
        .set_fg(termimad::crossterm::style::Color::Yellow);
    skin.inline_code
        .set_bg(termimad::crossterm::style::Color::Reset);
    skin
}

fn heading(level: u8, text: &str, style: Style, width: usize) -> String {
    let len = text.chars().count().min(width);
    // Plain text keeps markdown's own underlines, so a saved copy reads well.
    let (double, single) = if style.color {
        ("═", "─")
    } else {
        ("=", "-")
    };
    match level {
        1 => format!("{}\n{}", style.note(text), style.dim(&double.repeat(len))),
        2 => format!("{}\n{}", style.strong(text), style.dim(&single.repeat(len))),
        _ if style.color => style.strong(text),
        _ => format!("{} {text}", "#".repeat(usize::from(level))),
    }
}

/// Drop blank lines (spaces or escape codes only) at the start and end.
fn trim_blank_lines(text: &str) -> &str {
    let lines: Vec<&str> = text.split('\n').collect();
    let blank = |l: &&str| strip_escapes(l).trim().is_empty();
    let Some(first) = lines.iter().position(|l| !blank(l)) else {
        return "";
    };
    let last = lines.iter().rposition(|l| !blank(l)).unwrap_or(first);
    let start: usize = lines[..first].iter().map(|l| l.len() + 1).sum();
    let end: usize = lines[..=last].iter().map(|l| l.len() + 1).sum::<usize>() - 1;
    &text[start..end]
}

/// Text without ANSI escape sequences (for measuring).
fn strip_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = "# Two containers\n\nA *Pod* runs `containers` together. This sentence is long enough to be wrapped at forty columns.\n\n- one\n- two\n\n```yaml file=two.yaml\napiVersion: v1\nspec:\n  containers:\n    - name: web\n      command: [\"sh\", \"-c\", \"while true; do echo a very long line that must never wrap; sleep 1; done\"]\n```\n\n## Mistake\n\n```yaml mistake\nkind: Pod\n   bad: indent\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> a quote\n";

    fn plain(md: &str, width: usize) -> String {
        let mut out = Vec::new();
        render(md, Style::PLAIN, width, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn splits_prose_headings_and_code() {
        let b = blocks(LESSON);
        assert_eq!(
            b[0],
            Block::Heading {
                level: 1,
                text: "Two containers".into()
            }
        );
        assert!(matches!(&b[1], Block::Prose(p) if p.contains("- two")));
        let Block::Code(c) = &b[2] else {
            panic!("{b:?}")
        };
        assert_eq!(c.file.as_deref(), Some("two.yaml"));
        assert_eq!(c.lang.as_deref(), Some("yaml"));
        assert!(c.code.starts_with("apiVersion: v1\nspec:\n  containers:\n"));
        assert!(matches!(&b[4], Block::Code(c) if c.mistake && c.file.is_none()));
    }

    #[test]
    fn plain_output_has_no_escape_codes() {
        let out = plain(LESSON, 80);
        assert!(!out.contains('\x1b'), "{out:?}");
        assert!(out.contains("Two containers\n=============="), "{out}");
        assert!(out.contains("two.yaml"), "{out}");
        assert!(out.contains("(contains a mistake on purpose)"), "{out}");
    }

    #[test]
    fn code_keeps_indentation_and_is_not_wrapped() {
        let out = plain(LESSON, 40);
        for line in LESSON.lines().skip(9).take(4) {
            assert!(
                out.contains(&format!("│ {line}\n")),
                "{line:?} missing in\n{out}"
            );
        }
        assert!(out.contains("│    bad: indent\n"), "{out}");
        // Prose is wrapped to the width.
        let prose_max = out
            .lines()
            .filter(|l| !l.starts_with('│'))
            .map(|l| l.chars().count())
            .max()
            .unwrap();
        assert!(prose_max <= 40, "{out}");
    }

    #[test]
    fn color_output_highlights_code() {
        let mut out = Vec::new();
        render(LESSON, Style { color: true }, 80, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("\x1b[38;2;"), "no 24-bit color in {out:?}");
        assert_eq!(strip_escapes(&out).matches("apiVersion: v1").count(), 1);
    }

    #[test]
    fn code_in_a_list_item_stays_under_it() {
        let md = "1. Write this:\n\n   ```sh\n   echo hi\n     two\n   ```\n2. Then this.\n";
        let out = plain(md, 80);
        assert!(out.contains("   │ echo hi\n   │   two\n"), "{out}");
        assert!(out.contains("Then this."), "{out}");
    }

    #[test]
    fn soft_breaks_are_joined_before_wrapping() {
        let md = "One *two*\nthree `four`\nfive.\n\n- item\n  goes on\n\n> quoted\n> more\n";
        let out = plain(md, 80);
        assert!(out.contains("One two three `four` five.\n"), "{out}");
        assert!(out.contains("item goes on\n"), "{out}");
        assert!(out.contains("quoted more\n"), "{out}");
    }

    #[test]
    fn links_show_their_address_and_comments_are_dropped() {
        let md = "See [the\ndocs](https://k8s.io/docs) and <https://k8s.io>.\n\n<!-- for authors -->\n\n[`kubectl`](https://k8s.io/kubectl) too.\n";
        let out = plain(md, 80);
        assert!(
            out.contains("See the docs (https://k8s.io/docs) and https://k8s.io."),
            "{out}"
        );
        assert!(!out.contains("for authors"), "{out}");
        assert!(
            out.contains("`kubectl` (https://k8s.io/kubectl) too."),
            "{out}"
        );
    }

    #[test]
    fn plain_inline_code_keeps_its_backticks_and_characters() {
        let out = plain(
            "Run `a*b*c ~~d~~ \\x` and **bold** `kubectl get pods`.\n",
            80,
        );
        assert_eq!(out, "Run `a*b*c ~~d~~ \\x` and bold `kubectl get pods`.\n");
        let mut out = Vec::new();
        render("Run `ls`.\n", Style { color: true }, 80, &mut out).unwrap();
        assert!(!String::from_utf8(out).unwrap().contains('`'));
    }

    #[test]
    fn indented_code_and_small_headings() {
        let out = plain("### Small\n\n    indented\n      code\n", 80);
        assert_eq!(out, "### Small\n\n┌─\n│ indented\n│   code\n└─\n");
    }

    #[test]
    fn code_blocks_lists_files() {
        let files: Vec<_> = code_blocks(LESSON)
            .into_iter()
            .filter_map(|c| c.file)
            .collect();
        assert_eq!(files, ["two.yaml"]);
    }
}
