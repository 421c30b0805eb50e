//! "Did you mean": the closest known name to a typo, and where a well-known
//! field belongs when it is written at the wrong level.

/// The closest of `candidates` to `word`, if close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    if let Some(c) = candidates.iter().find(|c| c.to_ascii_lowercase() == lower) {
        return Some(c);
    }
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase());
        let limit = (c.len().max(word.len()) / 3).clamp(1, 3);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

pub fn unknown_field_text(key: &str, known: &[&str]) -> (String, String) {
    let message = format!("unknown field \"{key}\"");
    if let Some(s) = closest(key, known) {
        return (
            message,
            format!("did you mean `{s}`? Field names are case-sensitive"),
        );
    }
    if let Some(place) = misplaced(key) {
        return (
            message,
            format!("`{key}` is {place}: check the indentation"),
        );
    }
    let list = known.join(", ");
    (
        message,
        format!("Kubernetes rejects fields it does not know; the fields allowed here are: {list}"),
    )
}

/// Where a well-known field belongs, for a field written at the wrong level.
fn misplaced(key: &str) -> Option<&'static str> {
    const POD_SPEC: &[&str] = &[
        "containers",
        "initContainers",
        "volumes",
        "restartPolicy",
        "hostname",
        "shareProcessNamespace",
        "terminationGracePeriodSeconds",
    ];
    const CONTAINER: &[&str] = &[
        "image",
        "command",
        "args",
        "env",
        "ports",
        "volumeMounts",
        "livenessProbe",
        "readinessProbe",
        "resources",
    ];
    const META: &[&str] = &["name", "labels", "annotations", "namespace"];
    if POD_SPEC.contains(&key) {
        Some("a Pod spec field: it belongs under `spec:` (in a template, under `template.spec:`)")
    } else if CONTAINER.contains(&key) {
        Some("a container field: it belongs inside an item of `containers:`")
    } else if META.contains(&key) {
        Some("a metadata field: it belongs under `metadata:`")
    } else {
        None
    }
}
