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

use granit_parser::{Event, Options, Parser, ScalarStyle, Span};

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
    /// `None` for an empty document (only comments, or `---` alone).
    pub root: Option<Node>,
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

/// Parse a whole file. Never panics; every problem is in `problems`.
pub fn parse(text: &str) -> ParsedFile {
    let mut options = Options::default();
    options.emit_comments = false;
    options.flow_nesting_limit = MAX_DEPTH + 2;
    options.block_nesting_limit = MAX_DEPTH + 2;
    let mut reader = Reader {
        parser: Parser::new_from_str_with_options(text, options),
        anchors: HashMap::new(),
        alias_nodes: 0,
        nodes: 0,
        out: ParsedFile::default(),
    };
    if let Err(p) = reader.stream() {
        reader.out.problems.push(p);
    }
    reader.out
}

struct Reader<'a> {
    parser: Parser<'a, granit_parser::StrInput<'a>>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    nodes: usize,
    out: ParsedFile,
}

fn problem(pos: Pos, rule: &'static str, message: impl Into<String>) -> SyntaxProblem {
    SyntaxProblem {
        pos,
        rule,
        message: message.into(),
        help: None,
    }
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Result<Option<(Event<'a>, Span)>, SyntaxProblem> {
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

    fn stream(&mut self) -> Result<(), SyntaxProblem> {
        loop {
            let Some((ev, span)) = self.next()? else {
                return Ok(());
            };
            match ev {
                Event::StreamStart | Event::DocumentEnd => {}
                Event::StreamEnd => return Ok(()),
                Event::DocumentStart(..) => {
                    let index = self.out.documents.len();
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
                    self.out.documents.push(Document { index, pos, root });
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

    fn count(&mut self, pos: Pos) -> Result<(), SyntaxProblem> {
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

    fn node(&mut self, ev: Event<'a>, span: Span, depth: usize) -> Result<Node, SyntaxProblem> {
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

    fn mapping(&mut self, pos: Pos, depth: usize) -> Result<Vec<Entry>, SyntaxProblem> {
        let mut entries: Vec<Entry> = Vec::new();
        let mut merged: Vec<Entry> = Vec::new();
        let mut seen: HashMap<String, Pos> = HashMap::new();
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
            if let Some(first) = seen.get(&key) {
                let mut p = problem(
                    key_pos,
                    "duplicate-key",
                    format!("duplicate key \"{key}\" (first set on line {})", first.line),
                );
                p.help = Some(
                    "a key may appear once per mapping; delete one, or if both were meant, merge their values"
                        .into(),
                );
                return Err(p);
            }
            seen.insert(key.clone(), key_pos);
            entries.push(Entry {
                key,
                key_pos,
                value,
            });
        }
        // `<<` merges: keys written in the mapping win over merged ones.
        for e in merged {
            if !seen.contains_key(&e.key) {
                seen.insert(e.key.clone(), e.key_pos);
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

fn scan_problem(e: &granit_parser::ScanError) -> SyntaxProblem {
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

/// Resolve a scalar as go-yaml v2 (and so kubectl) does.
pub fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    match tag {
        Some("str") | Some("binary") => return Value::Str(text.to_string()),
        Some("int") => {
            if let Some(i) = parse_int(text) {
                return Value::Int(i);
            }
        }
        Some("float") => {
            if let Ok(f) = text.parse::<f64>() {
                return Value::Float(f, text.into());
            }
        }
        Some("bool") => {
            if let Some(b) = parse_bool(text) {
                return Value::Bool(b);
            }
        }
        Some("null") => return Value::Null,
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return Value::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        _ => {}
    }
    if let Some(b) = parse_bool(text) {
        return Value::Bool(b);
    }
    let first = text.as_bytes()[0];
    if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
        if let Some(i) = parse_int(text) {
            return Value::Int(i);
        }
        if let Some(f) = parse_float(text) {
            return Value::Float(f, text.into());
        }
    }
    Value::Str(text.to_string())
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

/// Integers as Go's `strconv.ParseInt(s, 0, 64)` after go-yaml drops `_`:
/// `0x1F`, `0o17`, `017` (octal), `0b101`, `-42`.
fn parse_int(text: &str) -> Option<i64> {
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match cleaned.as_bytes().first()? {
        b'-' => (true, &cleaned[1..]),
        b'+' => (false, &cleaned[1..]),
        _ => (false, &cleaned[..]),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (8, d)
    } else if let Some(d) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (2, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    let v = if neg { -magnitude } else { magnitude };
    i64::try_from(v).ok()
}

fn parse_float(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let body = cleaned.trim_start_matches(['-', '+']);
    // Only the decimal forms YAML allows (Rust would also take "inf" and "nan").
    let ok = !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        && body
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.');
    if !ok {
        return None;
    }
    cleaned.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        let f = parse(text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        f.documents[0].root.clone().unwrap()
    }

    #[test]
    fn octal_and_yaml11_scalars_read_like_kubectl() {
        let Value::Map(m) =
            root("a: 01777\nb: yes\nc: '8080'\nd: 0x1F\ne: 1.10\nf: ~\ng: 1_000\n").value
        else {
            panic!()
        };
        let v: Vec<_> = m.iter().map(|e| e.value.value.clone()).collect();
        assert_eq!(v[0], Value::Int(1023));
        assert_eq!(v[1], Value::Bool(true));
        assert_eq!(v[2], Value::Str("8080".into()));
        assert_eq!(v[3], Value::Int(31));
        assert_eq!(v[4], Value::Float(1.1, "1.10".into()));
        assert_eq!(v[5], Value::Null);
        assert_eq!(v[6], Value::Int(1000));
    }

    #[test]
    fn duplicate_key_is_reported_at_the_duplicate() {
        let f = parse("a: 1\nb: 2\na: 3\n");
        assert_eq!(f.problems[0].rule, "duplicate-key");
        assert_eq!(f.problems[0].pos, Pos { line: 3, column: 1 });
    }

    #[test]
    fn flow_style_with_comments_and_trailing_commas() {
        let n = root("{ apiVersion: \"v1\", # c\n  kind: Pod, }\n");
        let Value::Map(m) = n.value else { panic!() };
        assert_eq!(m[1].key, "kind");
        assert_eq!(m[1].key_pos, Pos { line: 2, column: 3 });
    }

    #[test]
    fn billion_laughs_is_stopped() {
        let mut s = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            s.push_str(&format!(
                "b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let f = parse(&s);
        assert_eq!(f.problems[0].rule, "alias-bomb");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let s = "[".repeat(10_000);
        let f = parse(&s);
        assert_eq!(f.problems.len(), 1);
        let s = "- ".repeat(10_000) + "x";
        let f = parse(&s);
        assert_eq!(f.problems.len(), 1);
    }

    #[test]
    fn merge_keys_fill_in_missing_fields() {
        let Value::Map(m) = root("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n").value else {
            panic!()
        };
        let Value::Map(c) = &m[1].value.value else {
            panic!()
        };
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].value.value, Value::Int(3));
    }
}
