//! Values only known at run time, injected into the learner's pod so that
//! hard-coding the expected output cannot pass: `{{name}}` in a check is
//! replaced by the value of the `[[inject]]` called `name`.

use std::collections::BTreeMap;

use crate::exercise::{Inject, InjectValue};

/// The injected values of one grading run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tokens {
    values: BTreeMap<String, String>,
}

impl Tokens {
    /// Fresh values for every injection.
    pub fn generate(injects: &[Inject]) -> Self {
        let values = injects
            .iter()
            .map(|i| {
                let v = match i.value {
                    InjectValue::Hex => format!("pl-{}", &random_hex()[..10]),
                    InjectValue::Port => {
                        let n = u64::from_str_radix(&random_hex()[..8], 16).unwrap_or(0);
                        (20000 + n % 10000).to_string()
                    }
                    InjectValue::Status => {
                        let n = u64::from_str_radix(&random_hex()[..8], 16).unwrap_or(0);
                        let statuses: Vec<u64> =
                            (400..600).filter(|s| *s != 500 && *s != 503).collect();
                        statuses[(n % statuses.len() as u64) as usize].to_string()
                    }
                };
                (i.name.clone(), v)
            })
            .collect();
        Tokens { values }
    }

    /// Known values (tests, examples).
    pub fn fixed(pairs: &[(&str, &str)]) -> Self {
        Tokens {
            values: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// Add a value known only once the run has begun (the Pod's own name).
    pub fn insert(&mut self, name: &str, value: &str) {
        self.values.insert(name.to_string(), value.to_string());
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|s| s.as_str())
    }

    /// `text` with every `{{name}}` replaced by its value.
    pub fn fill(&self, text: &str) -> String {
        self.fill_with(text, |v| v.to_string())
    }

    /// `pattern` (a regex) with every `{{name}}` replaced by its value,
    /// escaped so that it matches literally.
    pub fn fill_escaped(&self, pattern: &str) -> String {
        self.fill_with(pattern, regex::escape)
    }

    fn fill_with(&self, text: &str, value: impl Fn(&str) -> String) -> String {
        let mut out = text.to_string();
        for (k, v) in &self.values {
            out = out.replace(&format!("{{{{{k}}}}}"), &value(v));
        }
        out
    }

    /// `text` with every `{{name}}` replaced by `with` (to check a pattern
    /// before any value is known). A `{{` never closed stays as it is.
    pub fn placeholders_as(text: &str, with: &str) -> String {
        let mut out = String::new();
        let mut rest = 0;
        for p in placeholders(text) {
            let Some(name) = p.name else { break };
            out.push_str(&text[rest..p.offset]);
            out.push_str(with);
            rest = p.offset + name.len() + 4;
        }
        out.push_str(&text[rest..]);
        out
    }
}

/// One `{{name}}` in a text: where it starts, and the name, or `None` when
/// the `{{` is never closed.
#[derive(Debug, PartialEq, Eq)]
pub struct Placeholder<'a> {
    pub offset: usize,
    pub name: Option<&'a str>,
}

/// Every `{{name}}` of `text`, in order; the scan ends at a `{{` that is
/// never closed. The one reader of the placeholder syntax: the exercise
/// format checks names with it, grading fills values in with it.
pub fn placeholders(text: &str) -> impl Iterator<Item = Placeholder<'_>> {
    let mut from = Some(0);
    std::iter::from_fn(move || {
        let start = from? + text[from?..].find("{{")?;
        let name = text[start + 2..]
            .find("}}")
            .map(|len| &text[start + 2..start + 2 + len]);
        from = name.map(|n| start + 4 + n.len());
        Some(Placeholder {
            offset: start,
            name,
        })
    })
}

pub use crate::random::random_hex;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_get_escaped_values_and_placeholders() {
        let t = Tokens::fixed(&[("pod_name", "web-1a2b3c"), ("dot", "a.b")]);
        assert_eq!(
            t.fill_escaped("^I am {{pod_name}} at {{dot}}$"),
            r"^I am web\-1a2b3c at a\.b$"
        );
        assert_eq!(Tokens::placeholders_as("x{{a}}y{{b}}", "t"), "xtyt");
        assert_eq!(Tokens::placeholders_as("open {{ only", "t"), "open {{ only");
    }

    #[test]
    fn placeholders_are_found_in_order_up_to_an_unclosed_one() {
        let found: Vec<_> = placeholders("a{{x}}b{{}}c{{y}} {{ open").collect();
        let want = [(1, Some("x")), (7, Some("")), (12, Some("y")), (18, None)];
        assert_eq!(found.len(), want.len(), "{found:?}");
        for (p, (offset, name)) in found.iter().zip(want) {
            assert_eq!((p.offset, p.name), (offset, name));
        }
    }

    #[test]
    fn fill_replaces_every_known_token_and_leaves_others() {
        let t = Tokens::fixed(&[("token", "v1"), ("port", "23456")]);
        assert_eq!(t.fill("{{token}}:{{port}} {{other}}"), "v1:23456 {{other}}");
    }

    /// An injected value with no delivery: only its name and kind matter here.
    fn inject(name: &str, value: InjectValue) -> Inject {
        Inject {
            name: name.into(),
            value,
            env: None,
            containers: Vec::new(),
            file: None,
            container: None,
            configmap: None,
            secret: None,
            key: None,
            label: None,
            pod: None,
        }
    }

    #[test]
    fn generated_values_differ_between_runs() {
        let inject = inject("token", InjectValue::Hex);
        let a = Tokens::generate(std::slice::from_ref(&inject));
        let b = Tokens::generate(&[inject]);
        assert_ne!(a.get("token"), b.get("token"));
        assert!(a.get("token").unwrap().starts_with("pl-"));
    }

    #[test]
    fn statuses_are_http_errors_no_level_table_guesses() {
        let inject = inject("status", InjectValue::Status);
        for _ in 0..200 {
            let t = Tokens::generate(std::slice::from_ref(&inject));
            let n: u16 = t.get("status").unwrap().parse().unwrap();
            assert!((400..600).contains(&n), "{n}");
            assert!(n != 500 && n != 503, "{n}");
        }
    }
}
