//! Reading YAML (and JSON, which is YAML flow syntax) into a tree of nodes that
//! remember where they were written.
//!
//! The events come from `granit-parser` (the parser under serde-saphyr). This
//! module owns the consumer: it resolves plain scalars the way kubectl does
//! (YAML 1.1 through go-yaml v2: `01777` is octal, `yes`/`on` are booleans),
//! reports duplicate keys at the duplicate, expands aliases and `<<` merge
//! keys within a budget, and bounds nesting, node count and document count so
//! hostile input ends in a clear message instead of a crash.

use std::collections::HashMap;

use granit_parser::{Event, Options, Parser, Span};

mod scalar;

pub use scalar::resolve_scalar;

/// How deep mappings and sequences may nest (a real Pod needs about 12).
pub const MAX_DEPTH: usize = 100;
/// How many documents one file may hold.
pub const MAX_DOCUMENTS: usize = 8192;
/// How many nodes aliases may add to one file (stops "billion laughs").
pub const MAX_ALIAS_NODES: usize = 10_000;
/// How many nodes one file may hold in all.
pub const MAX_NODES: usize = 4_000_000;

/// A position in a file: 1-based line, 1-based column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    fn of(span: &Span) -> Pos {
        Pos {
            line: span.start.line(),
            column: span.start.col() + 1,
        }
    }
}

/// One YAML node with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

/// A map entry: the key as text (Kubernetes keys are strings) and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// The float and the text it was written as (`1.10` reads as 1.1).
    Float(f64, Box<str>),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

impl Node {
    /// Where the value at an API path (`spec.containers[1].name`) below this
    /// node was written. Keys may contain dots (`app.kubernetes.io/name`).
    pub fn find(&self, path: &str) -> Option<Pos> {
        self.find_entry(path).map(|(_, value)| value)
    }

    /// Like [`Node::find`], but the position of the key when the path ends at a
    /// mapping key (for "this field may not be set here").
    pub fn find_key(&self, path: &str) -> Option<Pos> {
        self.find_entry(path)
            .map(|(key, value)| key.unwrap_or(value))
    }

    fn find_entry(&self, path: &str) -> Option<(Option<Pos>, Pos)> {
        let mut node = self;
        let mut key = None;
        let mut rest = path;
        while !rest.is_empty() {
            rest = rest.strip_prefix('.').unwrap_or(rest);
            if let Some(r) = rest.strip_prefix('[') {
                let (i, after) = r.split_once(']')?;
                let Value::Seq(items) = &node.value else {
                    return None;
                };
                node = items.get(i.parse::<usize>().ok()?)?;
                key = None;
                rest = after;
                continue;
            }
            let Value::Map(entries) = &node.value else {
                return None;
            };
            // the longest key that the path starts with, followed by '.', '[' or the end
            let entry = entries
                .iter()
                .filter(|e| {
                    rest.starts_with(e.key.as_str())
                        && matches!(
                            rest.as_bytes().get(e.key.len()),
                            None | Some(b'.') | Some(b'[')
                        )
                })
                .max_by_key(|e| e.key.len())?;
            rest = &rest[entry.key.len()..];
            key = Some(entry.key_pos);
            node = &entry.value;
        }
        Some((key, node.pos))
    }
}

impl Value {
    /// The type name a learner knows, for "expected a string, found a number".
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(..) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The scalar as the text it stands for (for "write it in quotes: ...").
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Value::Null => Some("null".into()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(_, raw) => Some(raw.to_string()),
            Value::Str(s) => Some(s.clone()),
            _ => None,
        }
    }
}

/// One document of a file.
#[derive(Debug, Clone)]
pub struct Document {
    /// 0-based index in the file.
    pub index: usize,
    /// Where the document starts.
    pub pos: Pos,
    /// `None` for an empty document (only comments, `---` alone, or `null`),
    /// which kubectl skips as holding no object.
    pub root: Option<Node>,
    /// Problems that did not stop reading (duplicate keys): the document is
    /// still walked, so every other finding is reported too, but builds no object.
    pub problems: Vec<SyntaxProblem>,
}

/// A problem with the YAML itself.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxProblem {
    pub pos: Pos,
    pub rule: &'static str,
    pub message: String,
    pub help: Option<String>,
}

/// Everything read from one file: the documents that parsed, and the problems.
/// A syntax error ends the file (later documents are not read).
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub documents: Vec<Document>,
    pub problems: Vec<SyntaxProblem>,
}

/// Parse a whole file, keeping every document. Never panics; every problem is in `problems`.
pub fn parse(text: &str) -> ParsedFile {
    let mut documents = Vec::new();
    let problems = parse_each(text, |d| documents.push(d));
    ParsedFile {
        documents,
        problems,
    }
}

/// Parse a file, handing each document to `on_document` as soon as it is read
/// (so a big file never holds more than one document tree). Returns the problems.
pub fn parse_each(text: &str, on_document: impl FnMut(Document)) -> Vec<SyntaxProblem> {
    let mut options = Options::default();
    options.emit_comments = false;
    options.flow_nesting_limit = MAX_DEPTH + 2;
    options.block_nesting_limit = MAX_DEPTH + 2;
    let mut reader = Reader {
        parser: Parser::new_from_str_with_options(text, options),
        anchors: HashMap::new(),
        alias_nodes: 0,
        nodes: 0,
        documents: 0,
        soft: Vec::new(),
        on_document,
    };
    match reader.stream() {
        Ok(()) => Vec::new(),
        Err(p) => vec![*p],
    }
}

struct Reader<'a, F> {
    parser: Parser<'a, granit_parser::StrInput<'a>>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    nodes: usize,
    documents: usize,
    /// Problems of the current document that do not stop reading.
    soft: Vec<SyntaxProblem>,
    on_document: F,
}

fn problem(pos: Pos, rule: &'static str, message: impl Into<String>) -> Box<SyntaxProblem> {
    Box::new(SyntaxProblem {
        pos,
        rule,
        message: message.into(),
        help: None,
    })
}

impl<'a, F: FnMut(Document)> Reader<'a, F> {
    fn next(&mut self) -> Result<Option<(Event<'a>, Span)>, Box<SyntaxProblem>> {
        loop {
            match self.parser.next_event() {
                None => return Ok(None),
                Some(Err(e)) => return Err(scan_problem(&e)),
                Some(Ok((Event::Comment(..), _))) => continue,
                Some(Ok((Event::Anchor(..), _))) => continue,
                Some(Ok(ev)) => return Ok(Some(ev)),
            }
        }
    }

    fn stream(&mut self) -> Result<(), Box<SyntaxProblem>> {
        loop {
            let Some((ev, span)) = self.next()? else {
                return Ok(());
            };
            match ev {
                Event::StreamStart | Event::DocumentEnd => {}
                Event::StreamEnd => return Ok(()),
                Event::DocumentStart(..) => {
                    let index = self.documents;
                    self.documents += 1;
                    if index >= MAX_DOCUMENTS {
                        let mut p = problem(
                            Pos::of(&span),
                            "too-many-documents",
                            format!("this file has more than {MAX_DOCUMENTS} documents"),
                        );
                        p.help = Some("split it into several files".into());
                        return Err(p);
                    }
                    self.anchors.clear();
                    let pos = Pos::of(&span);
                    let root = match self.next()? {
                        Some((Event::DocumentEnd, _)) | None => None,
                        Some((ev, span)) => Some(self.node(ev, span, 0)?),
                    };
                    // kubectl skips a document that is empty or only `null`
                    // (a leading or trailing `---`, two `---` in a row, a
                    // document of comments): it holds no object, and no error
                    let root = root.filter(|n| n.value != Value::Null);
                    let problems = std::mem::take(&mut self.soft);
                    (self.on_document)(Document {
                        index,
                        pos,
                        root,
                        problems,
                    });
                }
                _ => {
                    return Err(problem(
                        Pos::of(&span),
                        "yaml-syntax",
                        "unexpected YAML content outside a document",
                    ));
                }
            }
        }
    }

    fn count(&mut self, pos: Pos) -> Result<(), Box<SyntaxProblem>> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(problem(
                pos,
                "too-large",
                format!("this file has more than {MAX_NODES} YAML nodes"),
            ));
        }
        Ok(())
    }

    fn node(
        &mut self,
        ev: Event<'a>,
        span: Span,
        depth: usize,
    ) -> Result<Node, Box<SyntaxProblem>> {
        let pos = Pos::of(&span);
        if depth > MAX_DEPTH {
            let mut p = problem(
                pos,
                "too-deep",
                format!("the YAML nests more than {MAX_DEPTH} levels deep"),
            );
            p.help = Some("a Kubernetes manifest needs about a dozen levels; look for a runaway indentation or bracket".into());
            return Err(p);
        }
        self.count(pos)?;
        let (node, anchor) = match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.as_ref().map(|t| t.suffix().to_string());
                (
                    Node {
                        pos,
                        value: resolve_scalar(&text, style, tag.as_deref()),
                    },
                    anchor,
                )
            }
            Event::SequenceStart(_, anchor, _) => {
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        Some((Event::SequenceEnd, _)) => break,
                        Some((ev, span)) => items.push(self.node(ev, span, depth + 1)?),
                        None => return Err(problem(pos, "yaml-syntax", "unterminated list")),
                    }
                }
                (
                    Node {
                        pos,
                        value: Value::Seq(items),
                    },
                    anchor,
                )
            }
            Event::MappingStart(_, anchor, _) => {
                let entries = self.mapping(pos, depth)?;
                (
                    Node {
                        pos,
                        value: Value::Map(entries),
                    },
                    anchor,
                )
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err(problem(pos, "yaml-syntax", "alias to an unknown anchor"));
                };
                let mut node = target.clone();
                let added = count_nodes(&node);
                self.alias_nodes += added;
                if self.alias_nodes > MAX_ALIAS_NODES {
                    let mut p = problem(
                        pos,
                        "alias-bomb",
                        format!("aliases in this file expand to more than {MAX_ALIAS_NODES} nodes"),
                    );
                    p.help = Some("this looks like a \"billion laughs\" file; write the values out instead of nesting aliases".into());
                    return Err(p);
                }
                self.nodes += added;
                node.pos = pos;
                (node, 0)
            }
            Event::UnresolvedAlias(name) => {
                return Err(problem(
                    pos,
                    "yaml-syntax",
                    format!("alias *{name} has no anchor &{name} before it"),
                ));
            }
            _ => return Err(problem(pos, "yaml-syntax", "unexpected YAML event")),
        };
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        Ok(node)
    }

    fn mapping(&mut self, pos: Pos, depth: usize) -> Result<Vec<Entry>, Box<SyntaxProblem>> {
        let mut entries: Vec<Entry> = Vec::new();
        let mut merged: Vec<Entry> = Vec::new();
        // small mappings (nearly all of them) find duplicates by a scan; big
        // ones switch to a hash set
        let mut seen: Option<HashMap<String, Pos>> = None;
        loop {
            let (kev, kspan) = match self.next()? {
                Some((Event::MappingEnd, _)) => break,
                Some(ev) => ev,
                None => return Err(problem(pos, "yaml-syntax", "unterminated mapping")),
            };
            let key_node = self.node(kev, kspan, depth + 1)?;
            let key_pos = key_node.pos;
            let (vev, vspan) = match self.next()? {
                Some(ev) => ev,
                None => return Err(problem(pos, "yaml-syntax", "mapping key without a value")),
            };
            let value = self.node(vev, vspan, depth + 1)?;
            let key = match &key_node.value {
                Value::Seq(_) | Value::Map(_) => {
                    return Err(problem(
                        key_pos,
                        "yaml-syntax",
                        "a mapping key must be a plain word, not a list or mapping",
                    ));
                }
                Value::Str(s) if s == "<<" => {
                    merge_into(&mut merged, value);
                    continue;
                }
                v => v.scalar_text().unwrap_or_default(),
            };
            let first = match &seen {
                Some(set) => set.get(&key).copied(),
                None => entries.iter().find(|e| e.key == key).map(|e| e.key_pos),
            };
            if let Some(first) = first {
                let mut p = problem(
                    key_pos,
                    "duplicate-key",
                    format!("duplicate key \"{key}\" (first set on line {})", first.line),
                );
                p.help = Some(
                    "a key may appear once per mapping; delete one, or if both were meant, merge their values"
                        .into(),
                );
                self.soft.push(*p);
                continue;
            }
            if let Some(set) = &mut seen {
                set.insert(key.clone(), key_pos);
            } else if entries.len() >= 32 {
                let mut set: HashMap<String, Pos> =
                    entries.iter().map(|e| (e.key.clone(), e.key_pos)).collect();
                set.insert(key.clone(), key_pos);
                seen = Some(set);
            }
            entries.push(Entry {
                key,
                key_pos,
                value,
            });
        }
        // `<<` merges: keys written in the mapping win over merged ones.
        for e in merged {
            if !entries.iter().any(|x| x.key == e.key) {
                entries.push(e);
            }
        }
        Ok(entries)
    }
}

fn merge_into(merged: &mut Vec<Entry>, value: Node) {
    match value.value {
        Value::Map(entries) => {
            for e in entries {
                if !merged.iter().any(|m| m.key == e.key) {
                    merged.push(e);
                }
            }
        }
        Value::Seq(items) => {
            for item in items {
                merge_into(merged, item);
            }
        }
        _ => {}
    }
}

fn count_nodes(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Map(entries) => {
            1 + entries
                .iter()
                .map(|e| 1 + count_nodes(&e.value))
                .sum::<usize>()
        }
        _ => 1,
    }
}

fn scan_problem(e: &granit_parser::ScanError) -> Box<SyntaxProblem> {
    let m = e.marker();
    let info = e.info();
    let info = if info.is_empty() {
        "invalid YAML".to_string()
    } else {
        info
    };
    let mut p = problem(
        Pos {
            line: m.line().max(1),
            column: m.col() + 1,
        },
        "yaml-syntax",
        format!("invalid YAML: {info}"),
    );
    p.help = Some(syntax_help(&info).into());
    if info.contains("nesting") || info.contains("recursion") {
        p.rule = "too-deep";
        p.message = format!("the YAML nests more than {MAX_DEPTH} levels deep");
        p.help = Some("a Kubernetes manifest needs about a dozen levels; look for a runaway indentation or bracket".into());
    }
    p
}

fn syntax_help(info: &str) -> &'static str {
    if info.contains("tab") {
        "YAML indents with spaces only; replace the tab characters with spaces"
    } else if info.contains("mapping values are not allowed") {
        "a value cannot hold a second `key: value` on the same line; put a space after each colon and start nested keys on a new, indented line (or quote a value that contains \": \")"
    } else if info.contains("did not find expected") || info.contains("indent") {
        "check the indentation: keys of one mapping line up in the same column, and list items start with \"- \""
    } else {
        "check the line above too: an unclosed quote or bracket is often reported where the parser gives up"
    }
}

#[cfg(test)]
mod tests;
