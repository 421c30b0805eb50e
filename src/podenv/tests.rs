use std::collections::BTreeMap;

use crate::fixtures::*;
use crate::manifest::{
    ConfigMap, EnvFromRef, EnvFromSource, EnvVar, EnvVarSource, ObjectMeta, Quantity, Resource,
    RestartPolicy, Secret,
};

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn lit(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        value_from: None,
    }
}

fn from(name: &str, source: EnvVarSource) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: None,
        value_from: Some(source),
    }
}

fn meta(name: &str) -> ObjectMeta {
    ObjectMeta {
        name: name.into(),
        namespace: "default".into(),
        ..Default::default()
    }
}

fn inputs() -> Inputs {
    let cm = ConfigMap {
        metadata: meta("app-config"),
        data: BTreeMap::from([
            ("MODE".to_string(), "fast".to_string()),
            ("color".to_string(), "blue".to_string()),
        ]),
        binary_data: BTreeMap::new(),
    };
    let secret = Secret {
        metadata: meta("db"),
        kind: "Opaque".into(),
        data: BTreeMap::from([("password".to_string(), b"s3cret".to_vec())]),
    };
    let objects = [
        Object {
            source: Default::default(),
            resource: Resource::ConfigMap(cm),
        },
        Object {
            source: Default::default(),
            resource: Resource::Secret(secret),
        },
    ];
    Inputs::from_objects(&objects)
}

// --- $(VAR) expansion ---

#[test]
fn expands_defined_variables() {
    let e = env(&[("A", "1"), ("B", "two")]);
    assert_eq!(expand("$(A)-$(B)", &e), "1-two");
    assert_eq!(expand("x$(A)y", &e), "x1y");
}

#[test]
fn unresolved_stays_literal() {
    assert_eq!(
        expand("$(NOPE) and $(A)", &env(&[("A", "a")])),
        "$(NOPE) and a"
    );
}

#[test]
fn double_dollar_escapes() {
    let e = env(&[("A", "1")]);
    assert_eq!(expand("$$(A)", &e), "$(A)");
    assert_eq!(expand("$$", &e), "$");
    assert_eq!(expand("$$$(A)", &e), "$1");
    assert_eq!(expand("cost: $$5", &e), "cost: $5");
}

#[test]
fn lone_and_unclosed_dollars_are_kept() {
    let e = env(&[("A", "1")]);
    assert_eq!(expand("$", &e), "$");
    assert_eq!(expand("a$b", &e), "a$b");
    assert_eq!(expand("$(A", &e), "$(A");
    assert_eq!(expand("$HOME", &e), "$HOME");
    assert_eq!(expand("$()", &e), "$()");
    assert_eq!(expand("é$(A)ü", &e), "é1ü");
}

#[test]
fn env_sees_only_earlier_entries() {
    let mut c = container("app");
    c.env = vec![
        lit("GREETING", "hi $(NAME)"),
        lit("NAME", "ann"),
        lit("MSG", "$(NAME)!"),
    ];
    let p = pod("p", spec(vec![], vec![c.clone()], RestartPolicy::Always));
    let e = container_env(&p, &c, &Inputs::default(), None).unwrap();
    assert_eq!(
        e,
        env(&[("GREETING", "hi $(NAME)"), ("NAME", "ann"), ("MSG", "ann!")])
    );
}

// --- sources ---

#[test]
fn env_from_comes_first_with_prefix_and_env_overrides() {
    let mut c = container("app");
    c.env_from = vec![EnvFromSource {
        prefix: Some("CFG_".into()),
        source: EnvFromRef::ConfigMapRef {
            name: "app-config".into(),
            optional: false,
        },
    }];
    c.env = vec![lit("CFG_MODE", "slow"), lit("WHICH", "$(CFG_color)")];
    let p = pod("p", spec(vec![], vec![c.clone()], RestartPolicy::Always));
    let e = container_env(&p, &c, &inputs(), None).unwrap();
    assert_eq!(
        e,
        env(&[
            ("CFG_MODE", "slow"),
            ("CFG_color", "blue"),
            ("WHICH", "blue")
        ])
    );
}

#[test]
fn config_map_and_secret_keys() {
    let mut c = container("app");
    c.env = vec![
        from(
            "MODE",
            EnvVarSource::ConfigMapKeyRef {
                name: "app-config".into(),
                key: "MODE".into(),
                optional: false,
            },
        ),
        from(
            "PASSWORD",
            EnvVarSource::SecretKeyRef {
                name: "db".into(),
                key: "password".into(),
                optional: false,
            },
        ),
        from(
            "MAYBE",
            EnvVarSource::ConfigMapKeyRef {
                name: "absent".into(),
                key: "x".into(),
                optional: true,
            },
        ),
    ];
    let p = pod("p", spec(vec![], vec![c.clone()], RestartPolicy::Always));
    let e = container_env(&p, &c, &inputs(), None).unwrap();
    assert_eq!(e, env(&[("MODE", "fast"), ("PASSWORD", "s3cret")]));
}

#[test]
fn missing_sources_are_config_errors_with_kubelet_messages() {
    let cases = [
        (
            EnvVarSource::ConfigMapKeyRef {
                name: "x".into(),
                key: "k".into(),
                optional: false,
            },
            "configmap \"x\" not found",
        ),
        (
            EnvVarSource::ConfigMapKeyRef {
                name: "app-config".into(),
                key: "k".into(),
                optional: false,
            },
            "couldn't find key k in ConfigMap default/app-config",
        ),
        (
            EnvVarSource::SecretKeyRef {
                name: "nope".into(),
                key: "k".into(),
                optional: false,
            },
            "secret \"nope\" not found",
        ),
        (
            EnvVarSource::SecretKeyRef {
                name: "db".into(),
                key: "user".into(),
                optional: false,
            },
            "couldn't find key user in Secret default/db",
        ),
    ];
    for (source, message) in cases {
        let mut c = container("app");
        c.env = vec![from("V", source)];
        let p = pod("p", spec(vec![], vec![c.clone()], RestartPolicy::Always));
        let err = container_env(&p, &c, &inputs(), None).unwrap_err();
        assert_eq!(err.to_string(), message);
    }
    let mut c = container("app");
    c.env_from = vec![EnvFromSource {
        prefix: None,
        source: EnvFromRef::SecretRef {
            name: "gone".into(),
            optional: false,
        },
    }];
    let p = pod("p", spec(vec![], vec![c.clone()], RestartPolicy::Always));
    assert_eq!(
        container_env(&p, &c, &inputs(), None).unwrap_err().message,
        "secret \"gone\" not found"
    );
    c.env_from[0].source = EnvFromRef::SecretRef {
        name: "gone".into(),
        optional: true,
    };
    assert_eq!(container_env(&p, &c, &inputs(), None).unwrap(), vec![]);
}

#[test]
fn field_refs() {
    let mut c = container("app");
    let paths = [
        "metadata.name",
        "metadata.namespace",
        "metadata.labels['app']",
        "metadata.annotations['owner']",
        "metadata.labels['missing']",
        "status.podIP",
        "spec.nodeName",
        "spec.serviceAccountName",
        "status.hostIP",
    ];
    c.env = paths
        .iter()
        .enumerate()
        .map(|(i, p)| {
            from(
                &format!("V{i}"),
                EnvVarSource::FieldRef {
                    field_path: p.to_string(),
                },
            )
        })
        .collect();
    let mut p = pod("web", spec(vec![], vec![c.clone()], RestartPolicy::Always));
    p.metadata.labels.insert("app".into(), "shop".into());
    p.metadata.annotations.insert("owner".into(), "ann".into());
    let e = container_env(&p, &c, &Inputs::default(), Some("172.17.0.9")).unwrap();
    let values: Vec<_> = e.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(
        values,
        [
            "web",
            "default",
            "shop",
            "ann",
            "",
            "172.17.0.9",
            "podlearn-node",
            "default",
            "172.17.0.1"
        ]
    );
    let uid = field_ref(&p, "metadata.uid", &Inputs::default(), None).unwrap();
    assert_eq!(uid.len(), 36);
    assert_eq!(uid, pod_uid(&p));
    assert!(field_ref(&p, "spec.bogus", &Inputs::default(), None).is_err());
    assert_eq!(
        field_ref(&p, "metadata.labels", &Inputs::default(), None).unwrap(),
        "app=\"shop\""
    );
}

#[test]
fn resource_field_refs_with_divisors() {
    let mut c = container("app");
    c.resources
        .limits
        .insert("cpu".into(), Quantity::parse("500m").unwrap());
    c.resources
        .limits
        .insert("memory".into(), Quantity::parse("64Mi").unwrap());
    c.resources
        .requests
        .insert("memory".into(), Quantity::parse("32Mi").unwrap());
    let r = |resource: &str, divisor: Option<&str>| EnvVarSource::ResourceFieldRef {
        container_name: None,
        resource: resource.into(),
        divisor: divisor.map(String::from),
    };
    c.env = vec![
        from("CPU", r("limits.cpu", None)),
        from("CPU_M", r("limits.cpu", Some("1m"))),
        from("MEM", r("limits.memory", None)),
        from("MEM_MI", r("limits.memory", Some("1Mi"))),
        from("REQ_MEM_MI", r("requests.memory", Some("1Mi"))),
        from("REQ_CPU_M", r("requests.cpu", Some("1m"))),
        from("EPH", r("limits.ephemeral-storage", Some("1Gi"))),
    ];
    let p = pod("p", spec(vec![], vec![c.clone()], RestartPolicy::Always));
    let e = container_env(&p, &c, &Inputs::default(), None).unwrap();
    assert_eq!(
        e,
        env(&[
            ("CPU", "1"),
            ("CPU_M", "500"),
            ("MEM", "67108864"),
            ("MEM_MI", "64"),
            ("REQ_MEM_MI", "32"),
            // No CPU request: the limit (API defaulting).
            ("REQ_CPU_M", "500"),
            // No limit: the node's allocatable amount.
            ("EPH", "20"),
        ])
    );
}

#[test]
fn pod_uid_is_stable_and_distinct() {
    let a = pod(
        "a",
        spec(vec![], vec![container("c")], RestartPolicy::Always),
    );
    let b = pod(
        "b",
        spec(vec![], vec![container("c")], RestartPolicy::Always),
    );
    assert_eq!(pod_uid(&a), pod_uid(&a.clone()));
    assert_ne!(pod_uid(&a), pod_uid(&b));
}

// --- command and args ---

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn command_line_combinations() {
    let entry = strings(&["/docker-entrypoint.sh"]);
    let cmd = strings(&["nginx", "-g", "daemon off;"]);
    let e = env(&[("PORT", "8080")]);
    let mut c = container("web");
    // Neither: the image's ENTRYPOINT + CMD.
    assert_eq!(
        command_line(&c, &entry, &cmd, &e),
        strings(&["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"])
    );
    // args alone replace CMD.
    c.args = strings(&["--port", "$(PORT)"]);
    assert_eq!(
        command_line(&c, &entry, &cmd, &e),
        strings(&["/docker-entrypoint.sh", "--port", "8080"])
    );
    // command alone replaces ENTRYPOINT and drops CMD.
    c.args.clear();
    c.command = strings(&["sh", "-c", "echo $(PORT) $$(PORT) $PORT"]);
    assert_eq!(
        command_line(&c, &entry, &cmd, &e),
        strings(&["sh", "-c", "echo 8080 $(PORT) $PORT"])
    );
    // both: command + args.
    c.args = strings(&["extra"]);
    assert_eq!(
        command_line(&c, &entry, &cmd, &e),
        strings(&["sh", "-c", "echo 8080 $(PORT) $PORT", "extra"])
    );
}
