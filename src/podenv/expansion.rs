//! Kubernetes `$(VAR)` expansion, a port of
//! `third_party/forked/golang/expansion/expand.go`.

/// Expand `$(VAR)` references in `value` from `env` (the last definition of a
/// name wins). An unresolved reference stays as written, `$$` is a literal `$`
/// (so `$$(VAR)` gives `$(VAR)`), and a `$` before anything else is kept.
pub fn expand(value: &str, env: &[(String, String)]) -> String {
    let lookup = |name: &str| {
        env.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| format!("$({name})"))
    };
    let bytes = value.as_bytes();
    let mut out = String::with_capacity(value.len());
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < bytes.len() {
        if bytes[cursor] == b'$' && cursor + 1 < bytes.len() {
            out.push_str(&value[checkpoint..cursor]);
            let rest = &value[cursor + 1..];
            // How many bytes after the `$` the expression used.
            let advance = match rest.as_bytes()[0] {
                b'$' => {
                    out.push('$');
                    1
                }
                b'(' => match rest.find(')') {
                    Some(close) => {
                        out.push_str(&lookup(&rest[1..close]));
                        close + 1
                    }
                    // An unclosed `$(` is kept, and the scan goes on after it.
                    None => {
                        out.push_str("$(");
                        1
                    }
                },
                _ => {
                    // `$` before anything else: keep it (the next character is
                    // copied with the rest of the text).
                    out.push('$');
                    0
                }
            };
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    out.push_str(&value[checkpoint.min(value.len())..]);
    out
}
