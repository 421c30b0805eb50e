//! The schema walker's tools: typed reads of fields that record a finding for
//! every unknown field, wrong type and missing required field, while keeping
//! the field path (`spec.containers[1].name`) and where each value was written.

use std::collections::{BTreeMap, HashMap};

use crate::manifest::finding::{Finding, Severity};
use crate::manifest::node::{Entry, Node, Pos, Value};

pub use super::suggest::closest;
use super::suggest::unknown_field_text;

/// The walk over one document.
pub struct Cx<'f> {
    pub file: &'f str,
    /// The document being walked (positions of any path are looked up in it).
    root: Option<&'f Node>,
    pub findings: Vec<Finding>,
    path: String,
    /// Field path -> where its value was written, kept for the cross-object checks.
    pub spans: HashMap<String, Pos>,
    /// Where the document starts (for findings about a missing top-level field).
    pub doc_pos: Pos,
}

/// The fields of one mapping, after unknown fields were reported.
#[derive(Clone, Copy)]
pub struct Fields<'n> {
    pub pos: Pos,
    entries: &'n [Entry],
}

impl<'n> Fields<'n> {
    pub fn get(&self, name: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|e| e.key == name)
            .map(|e| &e.value)
            .filter(|n| n.value != Value::Null)
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Whether the key is written at all, even with an empty (null) value.
    pub fn present(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e.key == name)
    }
}

impl<'f> Cx<'f> {
    pub fn new(file: &'f str, doc_pos: Pos, root: Option<&'f Node>) -> Cx<'f> {
        Cx {
            file,
            root,
            findings: Vec::new(),
            path: String::new(),
            spans: HashMap::new(),
            doc_pos,
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path of a field below the current one.
    pub fn child(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    /// Run `f` with `name` appended to the path.
    pub fn field<R>(&mut self, name: &str, f: impl FnOnce(&mut Self) -> R) -> R {
        let len = self.path.len();
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(name);
        let r = f(self);
        self.path.truncate(len);
        r
    }

    /// Run `f` with `[i]` appended to the path.
    pub fn index<R>(&mut self, i: usize, f: impl FnOnce(&mut Self) -> R) -> R {
        use std::fmt::Write;
        let len = self.path.len();
        let _ = write!(self.path, "[{i}]");
        let r = f(self);
        self.path.truncate(len);
        r
    }

    /// Remember where the value at the current path was written, if the
    /// cross-object checks will need it after the document is gone.
    pub fn mark(&mut self, pos: Pos) {
        if super::cross::keep_span(&self.path) {
            self.spans.insert(self.path.clone(), pos);
        }
    }

    /// Where the value at `path` was written (or the document start).
    pub fn pos_of(&self, path: &str) -> Pos {
        self.root.and_then(|r| r.find(path)).unwrap_or(self.doc_pos)
    }

    /// Where the key of the field at `path` was written (or the document start).
    pub fn key_pos_of(&self, path: &str) -> Pos {
        self.root
            .and_then(|r| r.find_key(path))
            .unwrap_or(self.doc_pos)
    }

    /// Record a finding at the current path.
    pub fn report(
        &mut self,
        severity: Severity,
        rule: &'static str,
        pos: Pos,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let path = self.path.clone();
        self.report_path(severity, rule, pos, path, message, help);
    }

    /// Record a finding at a given path.
    pub fn report_path(
        &mut self,
        severity: Severity,
        rule: &'static str,
        pos: Pos,
        path: String,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.findings.push(Finding {
            severity,
            file: self.file.to_string(),
            line: pos.line,
            column: pos.column,
            path,
            message: message.into(),
            help,
            rule,
            safety: false,
        });
    }

    pub fn error(
        &mut self,
        rule: &'static str,
        pos: Pos,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.report(Severity::Error, rule, pos, message, Some(help.into()));
    }

    /// Report a value of the wrong type at the current path.
    pub fn wrong_type(&mut self, node: &Node, expected: &str) {
        let found = node.value.type_name();
        let field = self.path.rsplit('.').next().unwrap_or("").to_string();
        let field = field.split('[').next().unwrap_or("").to_string();
        let text = node.value.scalar_text();
        let found_text = match (&node.value, &text) {
            (Value::Str(_), Some(t)) => format!("{found} \"{t}\""),
            (Value::Seq(_) | Value::Map(_), _) => found.to_string(),
            (_, Some(t)) => format!("{found} ({t})"),
            _ => found.to_string(),
        };
        let help = match (&node.value, expected) {
            (Value::Str(s), "an integer") if s.trim().parse::<i64>().is_ok() => {
                format!("write the number without quotes: `{field}: {}`", s.trim())
            }
            (Value::Str(s), "true or false") if matches!(s.as_str(), "true" | "false") => {
                format!("write it without quotes: `{field}: {s}`")
            }
            (Value::Bool(_), "a string") => format!(
                "put the value in quotes exactly as you wrote it (`{field}: \"...\"`): unquoted y, n, yes, no, on, off, true and false are booleans in YAML"
            ),
            (Value::Int(_) | Value::Float(..), "a string") => format!(
                "put the value in quotes so YAML reads it as text: `{field}: \"{}\"`",
                text.unwrap_or_default()
            ),
            (Value::Map(_), "a list") => {
                format!("`{field}` holds a list: start each item with \"- \" on its own line")
            }
            (Value::Str(_), "a list of strings") => format!(
                "`{field}` is a list: write `{field}: [\"{}\"]` or one \"- item\" per line",
                text.unwrap_or_default()
            ),
            (Value::Float(..), "an integer") => "use a whole number".to_string(),
            _ => format!("`{field}` must be {expected}"),
        };
        self.report(
            Severity::Error,
            "wrong-type",
            node.pos,
            format!("expected {expected}, found {found_text}"),
            Some(help),
        );
    }

    /// The fields of a mapping, reporting every key not in `known` (with a
    /// "did you mean"). `None` (and a finding) when the node is not a mapping.
    pub fn object<'n>(&mut self, node: &'n Node, known: &[&str]) -> Option<Fields<'n>> {
        self.mark(node.pos);
        let Value::Map(entries) = &node.value else {
            self.wrong_type(node, "a mapping");
            return None;
        };
        for e in entries {
            if !known.contains(&e.key.as_str()) {
                let (message, help) = unknown_field_text(&e.key, known);
                let path = self.child(&e.key);
                self.report_path(
                    Severity::Error,
                    "unknown-field",
                    e.key_pos,
                    path,
                    message,
                    Some(help),
                );
            }
        }
        Some(Fields {
            pos: node.pos,
            entries,
        })
    }

    /// A required field: reports "Required value" when missing.
    pub fn required<'n>(&mut self, f: &Fields<'n>, name: &str, help: &str) -> Option<&'n Node> {
        let n = f.get(name);
        if n.is_none() {
            let path = self.child(name);
            self.report_path(
                Severity::Error,
                "required",
                f.pos,
                path,
                format!("required field `{name}` is missing"),
                Some(help.to_string()),
            );
        }
        n
    }

    pub fn opt_str(&mut self, f: &Fields, name: &str) -> Option<String> {
        let node = f.get(name)?;
        self.field(name, |cx| cx.as_str(node))
    }

    pub fn req_str(&mut self, f: &Fields, name: &str, help: &str) -> String {
        match self.required(f, name, help) {
            Some(node) => self.field(name, |cx| cx.as_str(node)).unwrap_or_default(),
            None => String::new(),
        }
    }

    /// The node as a string (at the current path).
    pub fn as_str(&mut self, node: &Node) -> Option<String> {
        self.mark(node.pos);
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            _ => {
                self.wrong_type(node, "a string");
                None
            }
        }
    }

    pub fn opt_int(&mut self, f: &Fields, name: &str) -> Option<i64> {
        let node = f.get(name)?;
        self.field(name, |cx| cx.as_int(node))
    }

    pub fn as_int(&mut self, node: &Node) -> Option<i64> {
        self.mark(node.pos);
        match &node.value {
            Value::Int(i) => Some(*i),
            _ => {
                self.wrong_type(node, "an integer");
                None
            }
        }
    }

    /// A non-negative integer field (seconds, counts).
    pub fn opt_count(&mut self, f: &Fields, name: &str, min: i64) -> Option<u64> {
        let v = self.opt_int(f, name)?;
        if v < min {
            let pos = self.pos_of(&self.child(name));
            self.field(name, |cx| {
                cx.error(
                    "out-of-range",
                    pos,
                    format!("must be greater than or equal to {min}, not {v}"),
                    format!("use a whole number of at least {min}"),
                )
            });
            return None;
        }
        Some(v as u64)
    }

    pub fn opt_bool(&mut self, f: &Fields, name: &str) -> Option<bool> {
        let node = f.get(name)?;
        self.field(name, |cx| {
            cx.mark(node.pos);
            match &node.value {
                Value::Bool(b) => Some(*b),
                _ => {
                    cx.wrong_type(node, "true or false");
                    None
                }
            }
        })
    }

    /// A list of strings (`command`, `args`).
    pub fn str_list(&mut self, f: &Fields, name: &str) -> Vec<String> {
        let Some(node) = f.get(name) else {
            return Vec::new();
        };
        self.field(name, |cx| {
            cx.mark(node.pos);
            match &node.value {
                Value::Seq(items) => items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, n)| cx.index(i, |cx| cx.as_str(n)))
                    .collect(),
                _ => {
                    cx.wrong_type(node, "a list of strings");
                    Vec::new()
                }
            }
        })
    }

    /// A map of strings to strings (labels, annotations, nodeSelector, data).
    pub fn str_map(&mut self, f: &Fields, name: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(node) = f.get(name) else {
            return out;
        };
        self.field(name, |cx| {
            cx.mark(node.pos);
            let Value::Map(entries) = &node.value else {
                cx.wrong_type(node, "a mapping of strings");
                return;
            };
            for e in entries {
                cx.field(&e.key, |cx| {
                    if let Some(v) = cx.as_str(&e.value) {
                        out.insert(e.key.clone(), v);
                    }
                });
            }
        });
        out
    }

    /// A list of objects, each read by `item`.
    pub fn list<T>(
        &mut self,
        f: &Fields,
        name: &str,
        mut item: impl FnMut(&mut Self, &Node) -> Option<T>,
    ) -> Vec<T> {
        let Some(node) = f.get(name) else {
            return Vec::new();
        };
        self.field(name, |cx| {
            cx.mark(node.pos);
            match &node.value {
                Value::Seq(items) => items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, n)| cx.index(i, |cx| item(cx, n)))
                    .collect(),
                _ => {
                    cx.wrong_type(node, "a list");
                    Vec::new()
                }
            }
        })
    }

    /// A nested object read by `read`.
    pub fn sub<T>(
        &mut self,
        f: &Fields,
        name: &str,
        known: &[&str],
        read: impl FnOnce(&mut Self, Fields) -> T,
    ) -> Option<T> {
        let node = f.get(name)?;
        self.field(name, |cx| {
            let fields = cx.object(node, known)?;
            Some(read(cx, fields))
        })
    }

    /// A note for each of `fields` that is set: valid Kubernetes that podlearn
    /// does not reproduce on one Docker engine, and why.
    pub fn notes(&mut self, f: &Fields, fields: &[(&str, &str)]) {
        for (field, why) in fields {
            if f.present(field) {
                let path = self.child(field);
                let pos = self.key_pos_of(&path);
                self.report_path(
                    Severity::Note,
                    "no-op-here",
                    pos,
                    path,
                    format!("`{field}` is valid, but podlearn does not reproduce it: {why}"),
                    None,
                );
            }
        }
    }

    /// A safety-policy finding at a field that is set (see `manifest::safety`).
    pub fn safety(&mut self, f: &Fields, field: &str, message: String) {
        if !f.present(field) {
            return;
        }
        let path = self.child(field);
        let pos = self.key_pos_of(&path);
        self.findings.push(Finding {
            severity: Severity::Warning,
            file: self.file.to_string(),
            line: pos.line,
            column: pos.column,
            path,
            message,
            help: Some(crate::manifest::safety::HELP.to_string()),
            rule: "safety",
            safety: true,
        });
    }

    /// A string that must be one of `allowed`.
    pub fn opt_enum(&mut self, f: &Fields, name: &str, allowed: &[&str]) -> Option<String> {
        let v = self.opt_str(f, name)?;
        if allowed.contains(&v.as_str()) {
            return Some(v);
        }
        let pos = self.pos_of(&self.child(name));
        let list = allowed
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let help = match closest(&v, allowed) {
            Some(s) => format!("did you mean `{name}: {s}`? (values are case-sensitive)"),
            None => format!("use one of {list}"),
        };
        self.field(name, |cx| {
            cx.error(
                "unsupported-value",
                pos,
                format!("unsupported value \"{v}\": supported values: {list}"),
                help,
            )
        });
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_and_case() {
        let known = ["containers", "volumes", "imagePullPolicy", "volumeMounts"];
        assert_eq!(closest("contianers", &known), Some("containers"));
        assert_eq!(closest("imagePullpolicy", &known), Some("imagePullPolicy"));
        assert_eq!(closest("volumeMount", &known), Some("volumeMounts"));
        assert_eq!(closest("zzz", &known), None);
    }
}
