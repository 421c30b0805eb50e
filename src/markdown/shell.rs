//! Shell blocks highlighted by a small tokenizer of podlearn's own: prompts,
//! commands, flags, strings, variables, operators and comments, in the colors
//! of the theme the other languages use. syntect's Bash grammar is exact but
//! compiles hundreds of regular expressions on first use (about 45 ms, most of
//! the time a colored lesson takes); lessons' shell blocks are command lines,
//! which this reads as well.

/// What a piece of a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Plain,
    Prompt,
    Command,
    Flag,
    Str,
    Var,
    Operator,
    Comment,
}

/// base16-ocean.dark, as the syntect theme for the other languages.
fn rgb(kind: Kind) -> (u8, u8, u8) {
    match kind {
        Kind::Plain => (0xc0, 0xc5, 0xce),
        Kind::Prompt | Kind::Comment => (0x65, 0x73, 0x7e),
        Kind::Command => (0x8f, 0xa1, 0xb3),
        Kind::Flag => (0xd0, 0x87, 0x70),
        Kind::Str => (0xa3, 0xbe, 0x8c),
        Kind::Var => (0xbf, 0x61, 0x6a),
        Kind::Operator => (0xb4, 0x8e, 0xad),
    }
}

/// The lines of `code` with 24-bit color escapes.
pub fn highlight(code: &str) -> Vec<String> {
    let mut quote: Option<char> = None;
    code.lines()
        .map(|line| {
            let mut out = String::new();
            let mut last = None;
            for (kind, text) in tokens(line, &mut quote) {
                // One escape per change of color.
                if last != Some(kind) {
                    let (r, g, b) = rgb(kind);
                    out.push_str(&format!("\x1b[38;2;{r};{g};{b}m"));
                    last = Some(kind);
                }
                out.push_str(text);
            }
            out
        })
        .collect()
}

/// Split one line into pieces. `quote` carries a string left open at the end
/// of a line into the next one.
pub fn tokens<'a>(line: &'a str, quote: &mut Option<char>) -> Vec<(Kind, &'a str)> {
    let mut out: Vec<(Kind, &'a str)> = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    // Inside a string carried over from the line before.
    if let Some(q) = *quote {
        let end = string_end(line, 0, q);
        out.push((Kind::Str, &line[..end.unwrap_or(line.len())]));
        match end {
            Some(e) => {
                *quote = None;
                i = e;
            }
            None => return out,
        }
    }
    let mut expect_command = i == 0;
    if i == 0 {
        // `$ ` or `# ` prompts of a console transcript.
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        if trimmed.starts_with("$ ") {
            out.push((Kind::Plain, &line[..lead]));
            out.push((Kind::Prompt, &line[lead..lead + 2]));
            i = lead + 2;
        }
    }
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' => {
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
                    i += 1;
                }
                out.push((Kind::Plain, &line[start..i]));
            }
            b'#' if at_word_start(bytes, i) => {
                out.push((Kind::Comment, &line[i..]));
                i = bytes.len();
            }
            b'\'' | b'"' => {
                let q = c as char;
                match string_end(line, i + 1, q) {
                    Some(e) => i = e,
                    None => {
                        *quote = Some(q);
                        i = bytes.len();
                    }
                }
                out.push((Kind::Str, &line[start..i]));
                expect_command = false;
            }
            b'$' => {
                i = var_end(bytes, i);
                out.push((Kind::Var, &line[start..i]));
                expect_command = false;
            }
            b'|' | b'&' | b';' | b'(' | b')' | b'>' | b'<' | b'\\' => {
                while i < bytes.len() && matches!(bytes[i], b'|' | b'&' | b';' | b'>' | b'<') {
                    i += 1;
                }
                if i == start {
                    i += 1;
                }
                out.push((Kind::Operator, &line[start..i]));
                // After a pipe, `&&`, `;` or `(` comes a command; not after
                // a redirection or a line continuation.
                expect_command = matches!(c, b'|' | b'&' | b';' | b'(');
            }
            _ => {
                while i < bytes.len()
                    && !matches!(
                        bytes[i],
                        b' ' | b'\t'
                            | b'\''
                            | b'"'
                            | b'$'
                            | b'|'
                            | b'&'
                            | b';'
                            | b'('
                            | b')'
                            | b'>'
                            | b'<'
                    )
                {
                    i += 1;
                }
                let word = &line[start..i];
                // `NAME=value` before a command is an assignment.
                let kind = if word.starts_with('-') {
                    Kind::Flag
                } else if expect_command && !word.contains('=') {
                    expect_command = false;
                    Kind::Command
                } else {
                    Kind::Plain
                };
                out.push((kind, word));
            }
        }
    }
    out.retain(|(_, t)| !t.is_empty());
    out
}

/// A `#` starts a comment only at the start of a word.
fn at_word_start(bytes: &[u8], i: usize) -> bool {
    i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b';' | b'|' | b'&' | b'(')
}

/// Where a string opened by `q` ends (just after the closing quote), from
/// `from`; `None` if it runs past the end of the line.
fn string_end(line: &str, from: usize, q: char) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if q == '"' => i += 2,
            b if b == q as u8 => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The end of `$NAME`, `${...}`, `$(...)` (to its closing parenthesis on this
/// line) or `$?`-like specials starting at `i`.
fn var_end(bytes: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    match bytes.get(j) {
        Some(b'{') => {
            while j < bytes.len() && bytes[j] != b'}' {
                j += 1;
            }
            (j + 1).min(bytes.len())
        }
        Some(b'(') => {
            let mut depth = 0;
            while j < bytes.len() {
                match bytes[j] {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            j
        }
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                j += 1;
            }
            j
        }
        Some(b'?' | b'!' | b'$' | b'#' | b'@' | b'*' | b'0'..=b'9') => j + 1,
        _ => j,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Kind::*;

    fn kinds(line: &str) -> Vec<(Kind, &str)> {
        tokens(line, &mut None)
            .into_iter()
            .filter(|(k, _)| *k != Plain || !line.is_empty())
            .filter(|(_, t)| !t.trim().is_empty())
            .collect()
    }

    #[test]
    fn commands_flags_strings_variables_and_comments() {
        assert_eq!(
            kinds(r#"podlearn exec two -c client -- wget -qO- "localhost:$PORT" # try it"#),
            vec![
                (Command, "podlearn"),
                (Plain, "exec"),
                (Plain, "two"),
                (Flag, "-c"),
                (Plain, "client"),
                (Flag, "--"),
                (Plain, "wget"),
                (Flag, "-qO-"),
                (Str, r#""localhost:$PORT""#),
                (Comment, "# try it"),
            ]
        );
    }

    #[test]
    fn every_command_of_a_pipeline_and_a_prompt() {
        assert_eq!(
            kinds("$ FOO=1 kubectl get pods | grep web && echo ${FOO} $(date)"),
            vec![
                (Prompt, "$ "),
                (Plain, "FOO=1"),
                (Command, "kubectl"),
                (Plain, "get"),
                (Plain, "pods"),
                (Operator, "|"),
                (Command, "grep"),
                (Plain, "web"),
                (Operator, "&&"),
                (Command, "echo"),
                (Var, "${FOO}"),
                (Var, "$(date)"),
            ]
        );
        // A `#` inside a word is not a comment; a redirection is not followed by a command.
        assert_eq!(
            kinds("echo a#b > out.txt"),
            vec![
                (Command, "echo"),
                (Plain, "a#b"),
                (Operator, ">"),
                (Plain, "out.txt")
            ]
        );
    }

    fn without_escapes(line: &str) -> String {
        let mut s = String::new();
        let mut rest = line;
        while let Some(p) = rest.find("\x1b[") {
            s.push_str(&rest[..p]);
            rest = &rest[p + rest[p..].find('m').unwrap() + 1..];
        }
        s + rest
    }

    #[test]
    fn every_shell_block_of_the_lessons_keeps_every_character() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
        let mut blocks = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut code: Option<String> = None;
            for line in text.lines() {
                match &mut code {
                    None if line.trim_start().starts_with("```sh")
                        || line.trim_start().starts_with("```console") =>
                    {
                        code = Some(String::new());
                    }
                    Some(c) if line.trim_start().starts_with("```") => {
                        let lines: Vec<String> =
                            highlight(c).iter().map(|l| without_escapes(l)).collect();
                        let want: Vec<&str> = c.lines().collect();
                        assert_eq!(lines, want, "{}", path.display());
                        blocks += 1;
                        code = None;
                    }
                    Some(c) => {
                        c.push_str(line);
                        c.push('\n');
                    }
                    None => {}
                }
            }
        }
        assert!(blocks >= 40, "only {blocks} shell blocks found");
    }

    #[test]
    fn a_string_may_span_lines_and_every_byte_is_kept() {
        let code = "sh -c 'echo one\necho two' && ls\n";
        let mut quote = None;
        let first = tokens("sh -c 'echo one", &mut quote);
        assert_eq!(quote, Some('\''));
        assert_eq!(first.last(), Some(&(Str, "'echo one")));
        let second = tokens("echo two' && ls", &mut quote);
        assert_eq!(quote, None);
        assert_eq!(second[0], (Str, "echo two'"));
        assert_eq!(second.last(), Some(&(Command, "ls")));
        // Without the escapes, the text is exactly the code.
        let plain: Vec<String> = highlight(code).iter().map(|l| without_escapes(l)).collect();
        assert_eq!(plain, vec!["sh -c 'echo one", "echo two' && ls"]);
    }
}
