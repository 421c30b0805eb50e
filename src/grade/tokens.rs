//! Values only known at run time, injected into the learner's pod so that
//! hard-coding the expected output cannot pass: `{{name}}` in a check is
//! replaced by the value of the `[[inject]]` called `name`.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};

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

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|s| s.as_str())
    }

    /// `text` with every `{{name}}` replaced by its value.
    pub fn fill(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (k, v) in &self.values {
            out = out.replace(&format!("{{{{{k}}}}}"), v);
        }
        out
    }
}

/// 16 random hex digits (no crate needed: the std hasher is randomly keyed).
pub fn random_hex() -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    format!("{:016x}", h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_every_known_token_and_leaves_others() {
        let t = Tokens::fixed(&[("token", "v1"), ("port", "23456")]);
        assert_eq!(t.fill("{{token}}:{{port}} {{other}}"), "v1:23456 {{other}}");
    }

    #[test]
    fn generated_values_differ_between_runs() {
        let inject = Inject {
            name: "token".into(),
            value: InjectValue::Hex,
            env: None,
            containers: Vec::new(),
            file: None,
            container: None,
            configmap: None,
            secret: None,
            key: None,
            label: None,
            pod: None,
        };
        let a = Tokens::generate(std::slice::from_ref(&inject));
        let b = Tokens::generate(&[inject]);
        assert_ne!(a.get("token"), b.get("token"));
        assert!(a.get("token").unwrap().starts_with("pl-"));
    }
}
