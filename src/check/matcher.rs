//! Matching observed text and numbers against what a check expects, and
//! saying both in words. `{{name}}` in an expectation is replaced by the value
//! injected at run time (see [`crate::grade::Tokens`]).

use std::fmt::Write as _;

use regex::Regex;
use serde::Deserialize;

use crate::grade::Tokens;

/// Text expectations; all given parts must hold. Output is compared with its
/// trailing whitespace (the final newline) removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextMatch {
    #[serde(default)]
    pub equals: Option<String>,
    #[serde(default)]
    pub contains: Option<String>,
    #[serde(default)]
    pub regex: Option<String>,
    #[serde(default)]
    pub not_contains: Option<String>,
    /// Contained exactly once: a line the grader wrote once must come out
    /// once (a shipper that prints the whole file again and again fails).
    #[serde(default)]
    pub contains_once: Option<String>,
}

impl TextMatch {
    /// Problems an author must fix: nothing asked for, a regex that does not compile.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.equals.is_none()
            && self.contains.is_none()
            && self.regex.is_none()
            && self.not_contains.is_none()
            && self.contains_once.is_none()
        {
            out.push(
                "a text match needs at least one of equals, contains, regex, not_contains, contains_once"
                    .to_string(),
            );
        }
        // A `{{token}}` stands for a literal value: check the rest.
        if let Some(re) = &self.regex
            && let Err(e) = Regex::new(&Tokens::placeholders_as(re, "token"))
        {
            out.push(format!("regex `{re}` does not compile: {e}"));
        }
        out
    }

    /// Whether `text` satisfies every part, with tokens substituted.
    pub fn matches(&self, text: &str, tokens: &Tokens) -> bool {
        let text = text.trim_end();
        self.equals
            .as_ref()
            .is_none_or(|e| text == tokens.fill(e).trim_end())
            && self
                .contains
                .as_ref()
                .is_none_or(|c| text.contains(&tokens.fill(c)))
            && self
                .not_contains
                .as_ref()
                .is_none_or(|c| !text.contains(&tokens.fill(c)))
            && self
                .contains_once
                .as_ref()
                .is_none_or(|c| text.matches(tokens.fill(c).as_str()).count() == 1)
            && self.regex.as_ref().is_none_or(|r| {
                Regex::new(&tokens.fill_escaped(r)).is_ok_and(|re| re.is_match(text))
            })
    }

    /// "equal to \"x\", containing \"y\"", tokens shown as their values.
    pub fn describe(&self, tokens: &Tokens) -> String {
        let mut parts = Vec::new();
        if let Some(e) = &self.equals {
            parts.push(format!("exactly {:?}", tokens.fill(e)));
        }
        if let Some(c) = &self.contains {
            parts.push(format!("containing {:?}", tokens.fill(c)));
        }
        if let Some(r) = &self.regex {
            parts.push(format!("matching /{}/", tokens.fill(r)));
        }
        if let Some(c) = &self.not_contains {
            parts.push(format!("not containing {:?}", tokens.fill(c)));
        }
        if let Some(c) = &self.contains_once {
            parts.push(format!("containing {:?} exactly once", tokens.fill(c)));
        }
        parts.join(" and ")
    }
}

/// A count: `3`, or `{ at_least = 1 }`, `{ at_most = 2 }`, `{ equals = 0 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum CountMatch {
    Exactly(u32),
    Range(CountRange),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountRange {
    #[serde(default)]
    pub equals: Option<u32>,
    #[serde(default)]
    pub at_least: Option<u32>,
    #[serde(default)]
    pub at_most: Option<u32>,
}

impl CountMatch {
    pub fn matches(&self, n: u32) -> bool {
        match self {
            CountMatch::Exactly(e) => n == *e,
            CountMatch::Range(r) => {
                r.equals.is_none_or(|e| n == e)
                    && r.at_least.is_none_or(|l| n >= l)
                    && r.at_most.is_none_or(|m| n <= m)
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            CountMatch::Exactly(e) => e.to_string(),
            CountMatch::Range(r) => {
                let mut s = String::new();
                if let Some(e) = r.equals {
                    let _ = write!(s, "{e}");
                }
                if let Some(l) = r.at_least {
                    let _ = write!(s, "{}at least {l}", sep(&s));
                }
                if let Some(m) = r.at_most {
                    let _ = write!(s, "{}at most {m}", sep(&s));
                }
                if s.is_empty() { "any".to_string() } else { s }
            }
        }
    }
}

/// An exit code, or the codes any of which passes: `0`, `[0, 143]` (ended
/// by its own SIGTERM handler or by the signal, not killed after the grace period).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ExitCodes {
    One(i64),
    AnyOf(Vec<i64>),
}

impl ExitCodes {
    pub fn allows(&self, code: i64) -> bool {
        match self {
            ExitCodes::One(c) => *c == code,
            ExitCodes::AnyOf(cs) => cs.contains(&code),
        }
    }

    /// "0", "0 or 143".
    pub fn describe(&self) -> String {
        match self {
            ExitCodes::One(c) => c.to_string(),
            ExitCodes::AnyOf(cs) => cs
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
        }
    }
}

fn sep(s: &str) -> &'static str {
    if s.is_empty() { "" } else { " and " }
}

/// Shorten observed output for a report line: at most `max` characters, one
/// line per line, `(empty)` for nothing.
pub fn show(text: &str, max: usize) -> String {
    let text = text.trim_end();
    if text.is_empty() {
        return "(empty)".to_string();
    }
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push_str(" …");
    }
    format!("{out:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Tokens {
        Tokens::fixed(&[("token", "abc123")])
    }

    #[test]
    fn text_match_parts_all_hold_and_tokens_fill_in() {
        let m = TextMatch {
            contains: Some("{{token}}".into()),
            not_contains: Some("error".into()),
            ..Default::default()
        };
        assert!(m.matches("got abc123\n", &tokens()));
        assert!(!m.matches("got {{token}}", &tokens()));
        assert!(!m.matches("abc123 error", &tokens()));
        assert_eq!(
            m.describe(&tokens()),
            "containing \"abc123\" and not containing \"error\""
        );
    }

    #[test]
    fn equals_ignores_the_final_newline_and_regex_matches() {
        let m = TextMatch {
            equals: Some("hello".into()),
            regex: Some("^h.l+o$".into()),
            ..Default::default()
        };
        assert!(m.matches("hello\n", &tokens()));
        assert!(!m.matches("hello world", &tokens()));
    }

    #[test]
    fn contains_once_rejects_none_and_repeats() {
        let m = TextMatch {
            contains_once: Some("line {{token}}".into()),
            ..Default::default()
        };
        assert!(m.matches("a\nline abc123\nb", &tokens()));
        assert!(!m.matches("a\nb", &tokens()));
        assert!(!m.matches("line abc123\nline abc123", &tokens()));
        assert_eq!(
            m.describe(&tokens()),
            "containing \"line abc123\" exactly once"
        );
    }

    #[test]
    fn empty_match_and_bad_regex_are_author_problems() {
        assert_eq!(TextMatch::default().problems().len(), 1);
        let bad = TextMatch {
            regex: Some("(".into()),
            ..Default::default()
        };
        assert!(bad.problems()[0].contains("does not compile"));
    }

    #[test]
    fn counts_match_and_describe() {
        assert!(CountMatch::Exactly(2).matches(2));
        let r = CountMatch::Range(CountRange {
            at_least: Some(1),
            at_most: Some(3),
            ..Default::default()
        });
        assert!(r.matches(1) && r.matches(3) && !r.matches(0) && !r.matches(4));
        assert_eq!(r.describe(), "at least 1 and at most 3");
    }

    #[test]
    fn exit_codes_are_one_or_any_of_a_list() {
        let one: ExitCodes = toml::from_str::<toml::Table>("c = 0").unwrap()["c"]
            .clone()
            .try_into()
            .unwrap();
        assert!(one.allows(0) && !one.allows(143));
        let any = ExitCodes::AnyOf(vec![0, 143]);
        assert!(any.allows(143) && !any.allows(137));
        assert_eq!(any.describe(), "0 or 143");
    }

    #[test]
    fn show_quotes_and_shortens() {
        assert_eq!(show("", 10), "(empty)");
        assert_eq!(show("abcdef\n", 3), "\"abc …\"");
    }
}
