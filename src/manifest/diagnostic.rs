//! Showing findings: compiler-style text for people, and a stable JSON
//! document for tools and classroom scripts.
//!
//! Text, for each finding (errors first):
//!
//! ```text
//! pod.yaml:9:5: error: unknown field "volumeMount"
//!    |
//!  9 |     volumeMount:
//!    |     ^^^^^^^^^^^
//!    = field: spec.containers[0].volumeMount
//!    = help: did you mean `volumeMounts`? Field names are case-sensitive
//! ```
//!
//! then one summary line. JSON (`format_version` 1):
//! `{"format_version":1,"valid":bool,"errors":n,"warnings":n,"notes":n,
//!   "findings":[{"severity","file","line","column","path","message","help"?,"rule","safety"?}],
//!   "objects":[{"file","document","line","kind","name","namespace"}]}`.
//! `line`/`column` are 1-based (0 when a finding is about a whole file).

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::finding::{Finding, Loaded, Severity};
use crate::term::Style;

/// The widest source excerpt shown; longer lines are cut around the caret.
const MAX_EXCERPT: usize = 100;

/// Write every finding (errors first) and a summary line.
pub fn render_text(loaded: &Loaded, style: Style, w: &mut dyn Write) -> io::Result<()> {
    // line starts per file, computed once: a file may have thousands of findings
    let mut lines: HashMap<&str, Vec<usize>> = HashMap::new();
    for f in loaded.sorted_findings() {
        let source = loaded.sources.get(&f.file).and_then(|text| {
            let starts = lines
                .entry(f.file.as_str())
                .or_insert_with(|| line_starts(text));
            nth_line(text, starts, f.line)
        });
        render_finding(f, source, style, w)?;
    }
    let (errors, warnings, notes) = loaded.counts();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut counts = vec![plural(errors, "error"), plural(warnings, "warning")];
    if notes > 0 {
        counts.push(plural(notes, "note"));
    }
    if errors > 0 {
        writeln!(w, "{}: {}", style.bad("invalid"), counts.join(", "))
    } else {
        let objects: Vec<String> = loaded
            .objects
            .iter()
            .map(|o| format!("{} {}", o.resource.kind(), o.resource.metadata().name))
            .collect();
        let what = match objects.len() {
            0 => "no objects".to_string(),
            1..=5 => objects.join(", "),
            n => format!("{n} objects"),
        };
        writeln!(w, "{}: {what} ({})", style.ok("valid"), counts.join(", "))
    }
}

fn render_finding(
    f: &Finding,
    source: Option<&str>,
    style: Style,
    w: &mut dyn Write,
) -> io::Result<()> {
    let label = match f.severity {
        Severity::Error => style.bad("error"),
        Severity::Warning => style.warn("warning"),
        Severity::Note => style.note("note"),
    };
    let location = if f.line == 0 {
        f.file.clone()
    } else {
        format!("{}:{}:{}", f.file, f.line, f.column)
    };
    writeln!(
        w,
        "{}: {label}: {}",
        style.strong(&location),
        style.strong(&f.message)
    )?;
    let gutter = f.line.to_string().len();
    let pad = " ".repeat(gutter);
    if let Some(line) = source {
        let (shown, caret_at, width) = excerpt(line, f.column);
        writeln!(w, "{pad} {}", style.dim("|"))?;
        writeln!(
            w,
            "{} {} {shown}",
            style.dim(&f.line.to_string()),
            style.dim("|")
        )?;
        let marker = format!("{}{}", " ".repeat(caret_at), "^".repeat(width));
        let marker = match f.severity {
            Severity::Error => style.bad(&marker),
            Severity::Warning => style.warn(&marker),
            Severity::Note => style.note(&marker),
        };
        writeln!(w, "{pad} {} {marker}", style.dim("|"))?;
    }
    if !f.path.is_empty() {
        writeln!(w, "{pad} {} field: {}", style.dim("="), f.path)?;
    }
    if let Some(help) = &f.help {
        let mut lines = help.lines();
        if let Some(first) = lines.next() {
            writeln!(
                w,
                "{pad} {} {} {first}",
                style.dim("="),
                style.strong("help:")
            )?;
        }
        for l in lines {
            writeln!(w, "{pad}         {l}")?;
        }
    }
    if f.safety {
        writeln!(
            w,
            "{pad} {} safety policy: `podlearn run` refuses this without --allow-host-access",
            style.dim("=")
        )?;
    }
    writeln!(w)
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn nth_line<'t>(text: &'t str, starts: &[usize], line: usize) -> Option<&'t str> {
    let start = *starts.get(line.checked_sub(1)?)?;
    let end = starts.get(line).map_or(text.len(), |e| e - 1);
    let l = text.get(start..end)?;
    Some(l.strip_suffix('\r').unwrap_or(l))
}

/// The part of `line` to show, the caret's offset in it, and the caret width.
fn excerpt(line: &str, column: usize) -> (String, usize, usize) {
    let chars: Vec<char> = line
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let col = column.saturating_sub(1).min(chars.len());
    let width = token_width(&chars[col..]);
    if chars.len() <= MAX_EXCERPT {
        return (chars.iter().collect(), col, width);
    }
    let start = col.saturating_sub(MAX_EXCERPT / 3);
    let end = (start + MAX_EXCERPT).min(chars.len());
    let mut shown = String::new();
    let mut offset = col - start;
    if start > 0 {
        shown.push_str("...");
        offset += 3;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push_str("...");
    }
    (shown, offset, width.min(end.saturating_sub(col)).max(1))
}

/// How wide the value or key starting here is (for the `^^^` underline).
fn token_width(rest: &[char]) -> usize {
    let Some(&first) = rest.first() else { return 1 };
    if first == '"' || first == '\'' {
        let close = rest[1..]
            .iter()
            .position(|&c| c == first)
            .map_or(rest.len(), |i| i + 2);
        return close.clamp(1, 60);
    }
    if matches!(first, '{' | '[' | '|' | '>' | '-') {
        return 1;
    }
    let n = rest
        .iter()
        .take_while(|&&c| !c.is_whitespace() && !matches!(c, ':' | ',' | '}' | ']' | '#'))
        .count();
    n.clamp(1, 60)
}

#[derive(Serialize)]
struct JsonReport<'a> {
    format_version: u32,
    valid: bool,
    errors: usize,
    warnings: usize,
    notes: usize,
    findings: Vec<&'a Finding>,
    objects: Vec<JsonObject<'a>>,
}

#[derive(Serialize)]
struct JsonObject<'a> {
    file: &'a str,
    document: usize,
    line: usize,
    kind: &'static str,
    name: &'a str,
    namespace: &'a str,
}

/// Write the findings and objects as one JSON document (schema in the module docs).
pub fn render_json(loaded: &Loaded, w: &mut dyn Write) -> io::Result<()> {
    let (errors, warnings, notes) = loaded.counts();
    let report = JsonReport {
        format_version: 1,
        valid: errors == 0,
        errors,
        warnings,
        notes,
        findings: loaded.sorted_findings(),
        objects: loaded
            .objects
            .iter()
            .map(|o| JsonObject {
                file: &o.source.file,
                document: o.source.document,
                line: o.source.line,
                kind: o.resource.kind(),
                name: &o.resource.metadata().name,
                namespace: &o.resource.metadata().namespace,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *w, &report).map_err(io::Error::other)?;
    writeln!(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_caret() {
        let line = format!("{}key: value", "x".repeat(5000));
        let (shown, at, width) = excerpt(&line, 5001);
        assert!(shown.len() < 120);
        assert_eq!(&shown[at..at + width], "key");
    }

    #[test]
    fn caret_covers_a_quoted_value() {
        let (_, at, width) = excerpt("  containerPort: \"8080\"", 18);
        assert_eq!((at, width), (17, 6));
    }
}
