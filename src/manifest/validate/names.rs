//! Kubernetes name formats: DNS-1123 labels and subdomains, IANA service
//! names (port names), environment variable names, label keys and values.

/// A DNS-1123 label: at most 63 characters, lowercase letters, digits and
/// `-`, starting and ending with a letter or digit (container, volume names).
pub fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A DNS-1123 subdomain: at most 253 characters, dot-separated labels (pod names).
pub fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// An IANA service name (a port name): at most 15 characters, lowercase
/// letters, digits and `-`, at least one letter, no `--`, no `-` at either end.
pub fn is_port_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 15
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && !s.contains("--")
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// An environment variable name as the API server accepts it: `[-._a-zA-Z][-._a-zA-Z0-9]*`.
pub fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '-' | '.' | '_'))
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

/// A label value: empty, or up to 63 characters of letters, digits, `-`, `_`,
/// `.`, starting and ending with a letter or digit.
pub fn is_label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 63
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

/// A label key: an optional DNS subdomain prefix and `/`, then a name like a label value.
pub fn is_label_key(s: &str) -> bool {
    let (prefix, name) = match s.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    prefix.is_none_or(is_dns1123_subdomain) && !name.is_empty() && is_label_value(name)
}

/// Lowercase, `_` and spaces to `-`: a suggestion for a name that is not DNS-1123.
pub fn suggest_label(s: &str) -> String {
    let t: String = s
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let t = t.trim_matches('-');
    let t: String = t.chars().take(63).collect();
    if t.is_empty() { "my-name".into() } else { t }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels() {
        assert!(is_dns1123_label("web-1"));
        assert!(!is_dns1123_label("Web"));
        assert!(!is_dns1123_label("web_1"));
        assert!(!is_dns1123_label("-web"));
        assert!(!is_dns1123_label(&"a".repeat(64)));
        assert!(is_dns1123_subdomain("web.example"));
        assert!(!is_dns1123_subdomain("web..x"));
    }

    #[test]
    fn port_names() {
        assert!(is_port_name("http"));
        assert!(!is_port_name("8080"));
        assert!(!is_port_name("http--alt"));
        assert!(!is_port_name("a-very-long-port-name"));
    }

    #[test]
    fn env_names_and_labels() {
        assert!(is_env_name("MY_VAR"));
        assert!(!is_env_name("1VAR"));
        assert!(!is_env_name("MY VAR"));
        assert!(is_label_key("app.kubernetes.io/name"));
        assert!(!is_label_value("-x"));
        assert_eq!(suggest_label("My_Pod"), "my-pod");
    }
}
