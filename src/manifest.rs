//! Manifests: reading YAML and JSON the way the API server does, checking them
//! with a teacher's explanations, and the validated model the rest of podlearn
//! works from.
//!
//! Only validation builds the model in [`model`]: the runtime and the grader
//! never see a manifest that has not been checked. Entry points: [`load_str`],
//! [`load_bytes`], then [`render_text`] or [`render_json`].

pub mod diagnostic;
pub mod finding;
pub mod model;
pub mod node;
pub mod quantity;
pub mod safety;
pub mod validate;

use std::sync::Arc;

pub use diagnostic::{render_json, render_text};
pub use finding::{Finding, Loaded, Severity};
pub use model::*;
pub use quantity::Quantity;
pub use safety::pod_violations;

use node::Pos;

/// The largest file podlearn reads (the API server itself takes at most 3 MB per object).
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

fn file_error(file: &str, pos: Pos, rule: &'static str, message: String, help: &str) -> Finding {
    Finding {
        severity: Severity::Error,
        file: file.to_string(),
        line: pos.line,
        column: pos.column,
        path: String::new(),
        message,
        help: Some(help.to_string()),
        rule,
        safety: false,
    }
}

fn only(file: &str, finding: Finding, text: Option<&str>) -> Loaded {
    let mut l = Loaded::default();
    if let Some(t) = text {
        l.sources.insert(file.to_string(), Arc::from(t));
    }
    l.findings.push(finding);
    l
}

/// Line and column (1-based, in characters) of a byte offset.
fn pos_at(text: &[u8], offset: usize) -> Pos {
    let before = &text[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Pos { line, column }
}

/// Read a manifest file's bytes: size, encoding and NUL checks, then [`load_str`].
pub fn load_bytes(file: &str, bytes: &[u8]) -> Loaded {
    if bytes.len() > MAX_FILE_BYTES {
        return only(
            file,
            file_error(
                file,
                Pos::default(),
                "too-large",
                format!(
                    "this file is larger than {} MB, the most podlearn reads",
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
                "a manifest is a few kilobytes; check that this is the file you meant",
            ),
            None,
        );
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return only(
            file,
            file_error(
                file,
                Pos { line: 1, column: 1 },
                "encoding",
                "this file is saved as UTF-16".into(),
                "save it as UTF-8 (most editors offer this under \"Save with encoding\")",
            ),
            None,
        );
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => load_str(file, text),
        Err(e) => {
            let pos = pos_at(bytes, e.valid_up_to());
            let binary = bytes.iter().take(8192).filter(|&&b| b == 0).count() > 0;
            let (message, help) = if binary {
                (
                    "this is a binary file, not a YAML or JSON manifest".to_string(),
                    "give the path of a .yaml or .json file",
                )
            } else {
                (
                    format!(
                        "this file is not valid UTF-8 (byte 0x{:02X})",
                        bytes[e.valid_up_to()]
                    ),
                    "save the file as UTF-8; a manifest may only contain text",
                )
            };
            only(file, file_error(file, pos, "encoding", message, help), None)
        }
    }
}

/// Read and validate a manifest given as text. Never panics: every problem is a finding.
pub fn load_str(file: &str, text: &str) -> Loaded {
    if text.len() > MAX_FILE_BYTES {
        return load_bytes(file, text.as_bytes());
    }
    if let Some(i) = text.find('\0') {
        let pos = pos_at(text.as_bytes(), i);
        return only(
            file,
            file_error(
                file,
                pos,
                "encoding",
                "this file contains a NUL byte, so it is not a text manifest".into(),
                "give the path of a .yaml or .json file",
            ),
            None,
        );
    }
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut loaded = Loaded::default();
    loaded.sources.insert(file.to_string(), Arc::from(text));
    let mut v = validate::Validated::default();
    let mut any_document = false;
    let problems = node::parse_each(text, |doc| {
        any_document |= doc.root.is_some();
        v.add(file, &doc);
    });
    loaded.findings.append(&mut v.findings);
    for p in problems {
        loaded.findings.push(Finding {
            severity: Severity::Error,
            file: file.to_string(),
            line: p.pos.line,
            column: p.pos.column,
            path: String::new(),
            message: p.message,
            help: p.help,
            rule: p.rule,
            safety: false,
        });
    }
    if loaded.findings.is_empty() && !any_document {
        loaded.findings.push(file_error(
            file,
            Pos { line: 1, column: 1 },
            "empty",
            if text.trim().is_empty() {
                "this file is empty".into()
            } else {
                "this file has no objects, only comments or `---` (kubectl apply would say \"no objects passed to apply\")".into()
            },
            "write a manifest, starting with `apiVersion: v1` and `kind: Pod`",
        ));
    }
    loaded.objects = v.objects;
    loaded.spans = v.spans;
    loaded.recheck_across();
    loaded
}
