//! Static checks: pure functions of the validated `Pod`, no engine needed.
//!
//! They answer "is the shape right?" (how many containers, which images and
//! volumes, a field set or not). Whether the pod *works* is for the
//! behavioral checks.

use serde_json::Value;

use super::matcher::TextMatch;
use super::{Check, CheckOutcome, CheckSpec, ContainerList};
use crate::grade::Tokens;
use crate::manifest::model::{Container, Pod, VolumeMount, VolumeSource};
use crate::runtime::image;

/// Evaluate a static check against the pod. `None` for a behavioral check.
pub fn evaluate(check: &Check, pod: &Pod, tokens: &Tokens) -> Option<CheckOutcome> {
    let (passed, expected, observed) = match &check.spec {
        CheckSpec::Containers { list, count, names } => containers(pod, *list, count, names),
        CheckSpec::Image { container, image } => {
            let chosen: Vec<&Container> = pod
                .spec
                .all_containers()
                .filter(|c| container.as_ref().is_none_or(|n| &c.name == n))
                .collect();
            let who = container
                .as_ref()
                .map_or("every container".to_string(), |n| {
                    format!("container {n:?}")
                });
            let mut expected = format!("{who} to use an image {}", image.describe(tokens));
            if let Some(e) = &image.equals {
                expected.push_str(&format!(
                    " (any spelling of it, like {:?})",
                    image::normalize(&tokens.fill(e))
                ));
            }
            let seen = chosen
                .iter()
                .map(|c| format!("{}: {}", c.name, c.image))
                .collect::<Vec<_>>();
            let passed = !chosen.is_empty()
                && chosen
                    .iter()
                    .all(|c| image_matches(image, &c.image, tokens));
            let observed = if chosen.is_empty() {
                format!("no {who} in the pod")
            } else {
                seen.join(", ")
            };
            (passed, expected, observed)
        }
        CheckSpec::Volume {
            name,
            volume_type,
            mounted_in,
            at,
        } => volume(pod, name.as_deref(), volume_type, mounted_in, at.as_deref()),
        CheckSpec::Field {
            path,
            equals,
            present,
            default,
        } => field(pod, path, equals.as_ref(), *present, default.as_ref()),
        _ => return None,
    };
    Some(CheckOutcome::new(check, passed, expected, observed))
}

/// Whether the image a container names satisfies the check, as the container
/// runtime reads references: `equals` compares normalized references
/// (`busybox`, `library/busybox`, `docker.io/library/busybox:latest` are one
/// image), and the other parts hold for one of its spellings: as written,
/// fully qualified, or the short form Docker shows (`busybox:latest`);
/// `not_contains` must hold for every spelling (`busybox` is `:latest` too).
fn image_matches(m: &TextMatch, written: &str, tokens: &Tokens) -> bool {
    if let Some(e) = &m.equals
        && !image::same_image(&tokens.fill(e), written)
    {
        return false;
    }
    let spellings = image::spellings(written);
    let positive = TextMatch {
        equals: None,
        not_contains: None,
        ..m.clone()
    };
    let negative = TextMatch {
        not_contains: m.not_contains.clone(),
        ..TextMatch::default()
    };
    (positive == TextMatch::default() || spellings.iter().any(|s| positive.matches(s, tokens)))
        && (m.not_contains.is_none() || spellings.iter().all(|s| negative.matches(s, tokens)))
}

fn list_of(pod: &Pod, list: ContainerList) -> Vec<&Container> {
    match list {
        ContainerList::App => pod.spec.containers.iter().collect(),
        ContainerList::Init => pod
            .spec
            .init_containers
            .iter()
            .filter(|c| !c.is_sidecar())
            .collect(),
        ContainerList::Sidecar => pod.spec.sidecars().collect(),
        ContainerList::Running => pod.spec.sidecars().chain(&pod.spec.containers).collect(),
    }
}

fn list_name(list: ContainerList) -> &'static str {
    match list {
        ContainerList::App => "containers",
        ContainerList::Init => "init containers",
        ContainerList::Sidecar => "native sidecars (init containers with restartPolicy: Always)",
        ContainerList::Running => "containers and native sidecars",
    }
}

fn containers(
    pod: &Pod,
    list: ContainerList,
    count: &Option<super::CountMatch>,
    names: &[String],
) -> (bool, String, String) {
    let found = list_of(pod, list);
    let found_names: Vec<&str> = found.iter().map(|c| c.name.as_str()).collect();
    let noun = |n_is_one: bool| {
        let name = list_name(list);
        if n_is_one {
            name.replacen("containers", "container", 1)
                .replacen("sidecars", "sidecar", 1)
        } else {
            name.to_string()
        }
    };
    let mut want = match count {
        Some(c) => format!(
            "{} {}",
            c.describe(),
            noun(*c == super::CountMatch::Exactly(1))
        ),
        None => noun(false),
    };
    if !names.is_empty() {
        let joiner = if count.is_some() {
            " named"
        } else {
            " including"
        };
        want.push_str(&format!("{joiner} {}", names.join(", ")));
    }
    let passed = count.is_none_or(|c| c.matches(found.len() as u32))
        && names.iter().all(|n| found_names.contains(&n.as_str()));
    let observed = if found.is_empty() {
        format!("no {}", list_name(list))
    } else {
        let name = list_name(list);
        // "1 container", "2 containers".
        let name = if found.len() == 1 {
            name.replacen("containers", "container", 1)
                .replacen("sidecars", "sidecar", 1)
        } else {
            name.to_string()
        };
        format!("{} {name}: {}", found.len(), found_names.join(", "))
    };
    (passed, want, observed)
}

/// The API's name of a volume type (`emptyDir`, `configMap`, ...).
pub fn volume_type_name(source: &VolumeSource) -> &'static str {
    match source {
        VolumeSource::EmptyDir { .. } => "emptyDir",
        VolumeSource::HostPath { .. } => "hostPath",
        VolumeSource::ConfigMap { .. } => "configMap",
        VolumeSource::Secret { .. } => "secret",
        VolumeSource::DownwardApi { .. } => "downwardAPI",
        VolumeSource::Projected { .. } => "projected",
        VolumeSource::PersistentVolumeClaim { .. } => "persistentVolumeClaim",
    }
}

/// Whether a volume is of the asked type, or is a projected volume with a
/// source of that type: a cluster serves a configMap, secret or downwardAPI
/// file alike either way.
fn carries(source: &VolumeSource, volume_type: &str) -> bool {
    volume_type_name(source).eq_ignore_ascii_case(volume_type)
        || matches!(source, VolumeSource::Projected { sources, .. }
            if sources.iter().any(|s| volume_type_name(s).eq_ignore_ascii_case(volume_type)))
}

fn volume(
    pod: &Pod,
    name: Option<&str>,
    volume_type: &str,
    mounted_in: &[String],
    at: Option<&str>,
) -> (bool, String, String) {
    // "an emptyDir", "a secret": the article goes by the type's first sound.
    let article = if volume_type.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    let mut expected = match name {
        Some(n) => format!("{article} {volume_type} volume named {n:?}"),
        None => format!("{article} {volume_type} volume"),
    };
    if !mounted_in.is_empty() {
        expected.push_str(&format!(", mounted in {}", mounted_in.join(" and ")));
    }
    if let Some(path) = at {
        expected.push_str(&format!(" so that {path} comes from it"));
    }
    let candidates = pod
        .spec
        .volumes
        .iter()
        .filter(|v| name.is_none_or(|n| v.name == n) && carries(&v.source, volume_type));
    let mut first_problem = None;
    for v in candidates {
        let missing: Vec<&str> = mounted_in
            .iter()
            .filter(|c| {
                !pod.spec
                    .all_containers()
                    .any(|k| &k.name == *c && k.volume_mounts.iter().any(|m| m.name == v.name))
            })
            .map(|c| c.as_str())
            .collect();
        if !missing.is_empty() {
            first_problem.get_or_insert_with(|| {
                format!(
                    "volume {:?} is not mounted in {}",
                    v.name,
                    missing.join(" and ")
                )
            });
            continue;
        }
        let elsewhere = at.and_then(|path| {
            mounted_in.iter().find_map(|c| {
                let k = pod.spec.all_containers().find(|k| &k.name == c)?;
                match mount_holding(k, path) {
                    Some(m) if m.name == v.name => None,
                    Some(m) => {
                        let kind = pod
                            .spec
                            .volumes
                            .iter()
                            .find(|o| o.name == m.name)
                            .map_or("undeclared", |o| volume_type_name(&o.source));
                        Some(format!(
                            "{path} in {c} comes from volume {:?} ({kind}) mounted at {}, not from volume {:?}",
                            m.name, m.mount_path, v.name
                        ))
                    }
                    None => Some(format!(
                        "{path} in {c} is on no volume: volume {:?} is mounted elsewhere",
                        v.name
                    )),
                }
            })
        });
        match elsewhere {
            None => return (true, expected, format!("volume {:?} as asked", v.name)),
            Some(problem) => {
                first_problem.get_or_insert(problem);
            }
        }
    }
    if let Some(problem) = first_problem {
        return (false, expected, problem);
    }
    let seen: Vec<String> = pod
        .spec
        .volumes
        .iter()
        .map(|v| format!("{} ({})", v.name, volume_type_name(&v.source)))
        .collect();
    let observed = if seen.is_empty() {
        "no volumes".to_string()
    } else {
        format!("volumes: {}", seen.join(", "))
    };
    (false, expected, observed)
}

/// The mount of `container` that holds `path`: the deepest whose mountPath
/// is the path or one of its parent folders, as the container's mount
/// namespace resolves it.
fn mount_holding<'a>(container: &'a Container, path: &str) -> Option<&'a VolumeMount> {
    let parts = |p: &'a str| p.split('/').filter(|s| !s.is_empty()).collect::<Vec<_>>();
    let target = path
        .split('/')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>();
    container
        .volume_mounts
        .iter()
        .filter(|m| target.starts_with(&parts(&m.mount_path)))
        .max_by_key(|m| parts(&m.mount_path).len())
}

fn field(
    pod: &Pod,
    path: &str,
    equals: Option<&toml::Value>,
    present: Option<bool>,
    default: Option<&toml::Value>,
) -> (bool, String, String) {
    let root = serde_json::to_value(pod).unwrap_or(Value::Null);
    let raw = lookup(&root, path);
    let values: Vec<&Value> = raw.iter().copied().filter(|v| is_set(v)).collect();
    let observed = if values.is_empty() {
        format!("{path} is not set")
    } else {
        let shown: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        format!("{path} = {}", shown.join(", "))
    };
    if let Some(want) = equals {
        let want = toml_to_json(want);
        // An unset field has the default the check names; an unset boolean
        // is false, as the API defaults it.
        let passed = if values.is_empty() {
            match default {
                Some(d) => toml_to_json(d) == want,
                None => want == Value::Bool(false),
            }
        } else {
            raw.iter().all(|v| **v == want)
        };
        return (passed, format!("{path} = {want}"), observed);
    }
    let want_present = present.unwrap_or(true);
    let is_present = !values.is_empty();
    let expected = if want_present {
        format!("{path} to be set")
    } else {
        format!("{path} not to be set")
    };
    (is_present == want_present, expected, observed)
}

fn toml_to_json(v: &toml::Value) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Every value at `path`: dot-separated keys, each optionally followed by
/// `[N]` (an index), `[*]` (every element) or `[name]` (the element whose
/// `name` is that).
pub fn lookup<'a>(root: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut current = vec![root];
    for segment in path.split('.') {
        let (key, selector) = match segment.split_once('[') {
            Some((k, rest)) => (k, Some(rest.trim_end_matches(']'))),
            None => (segment, None),
        };
        let mut next = Vec::new();
        for v in current {
            let Some(child) = v.get(key) else { continue };
            match selector {
                None => next.push(child),
                Some(sel) => {
                    let Some(items) = child.as_array() else {
                        continue;
                    };
                    if sel == "*" {
                        next.extend(items.iter());
                    } else if let Ok(i) = sel.parse::<usize>() {
                        next.extend(items.get(i));
                    } else {
                        next.extend(
                            items
                                .iter()
                                .filter(|it| it.get("name").and_then(Value::as_str) == Some(sel)),
                        );
                    }
                }
            }
        }
        current = next;
    }
    current
}

/// Nulls, `false`, empty lists and maps count as not set.
fn is_set(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => false,
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}
