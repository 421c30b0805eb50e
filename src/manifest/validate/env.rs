//! A container's environment: `env` (value and valueFrom: fieldRef,
//! resourceFieldRef, configMapKeyRef, secretKeyRef) and `envFrom`.

use super::container::quantity;
use super::names::is_env_name;
use super::probe;
use super::walk::{Cx, Fields};
use crate::manifest::model::{EnvFromRef, EnvFromSource, EnvVar, EnvVarSource};
use crate::manifest::node::Node;

pub fn read_env(cx: &mut Cx, node: &Node) -> Option<EnvVar> {
    let f = cx.object(node, &["name", "value", "valueFrom"])?;
    let name = cx.req_str(
        &f,
        "name",
        "every env entry needs a name: `- name: GREETING`",
    );
    if !name.is_empty() && !is_env_name(&name) {
        let pos = cx.pos_of(&cx.child("name"));
        cx.field("name", |cx| {
            cx.error(
                "invalid-env-name",
                pos,
                format!("invalid environment variable name \"{name}\""),
                "use letters, digits, '_', '-' and '.', not starting with a digit (e.g. `MY_VAR`)",
            )
        });
    }
    let value = cx.opt_str(&f, "value");
    let value_from = cx.sub(
        &f,
        "valueFrom",
        &[
            "fieldRef",
            "resourceFieldRef",
            "configMapKeyRef",
            "secretKeyRef",
        ],
        |cx, v| read_value_from(cx, &v),
    );
    if value.is_some() && f.has("valueFrom") {
        let pos = cx.pos_of(&cx.child("valueFrom"));
        cx.field("valueFrom", |cx| {
            cx.error(
                "env-value-and-from",
                pos,
                "`value` and `valueFrom` cannot both be set",
                "keep `value` for a fixed text, or `valueFrom` to read it from elsewhere",
            )
        });
    }
    Some(EnvVar {
        name,
        value,
        value_from: value_from.flatten(),
    })
}

fn read_value_from(cx: &mut Cx, v: &Fields) -> Option<EnvVarSource> {
    let set: Vec<&str> = [
        "fieldRef",
        "resourceFieldRef",
        "configMapKeyRef",
        "secretKeyRef",
    ]
    .into_iter()
    .filter(|k| v.has(k))
    .collect();
    if set.len() != 1 {
        cx.error(
            "one-source",
            v.pos,
            format!("`valueFrom` needs exactly one source, found {}", set.len()),
            "use one of fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef",
        );
    }
    let key_ref = |cx: &mut Cx, r: Fields, what: &str| {
        let name = cx.req_str(
            &r,
            "name",
            &format!("name the {what}: `name: my-{}`", what.to_ascii_lowercase()),
        );
        let key = cx.req_str(
            &r,
            "key",
            &format!("name the key in the {what}: `key: greeting`"),
        );
        let optional = cx.opt_bool(&r, "optional").unwrap_or(false);
        (name, key, optional)
    };
    let mut out = None;
    if let Some(s) = cx.sub(v, "fieldRef", &["fieldPath", "apiVersion"], |cx, r| {
        let field_path = cx.req_str(&r, "fieldPath", "e.g. `fieldPath: metadata.name`");
        probe::check_field_path(cx, &field_path, true);
        EnvVarSource::FieldRef { field_path }
    }) {
        out = Some(s);
    }
    if let Some(s) = cx.sub(
        v,
        "resourceFieldRef",
        &["containerName", "resource", "divisor"],
        |cx, r| EnvVarSource::ResourceFieldRef {
            container_name: cx.opt_str(&r, "containerName"),
            resource: cx.req_str(&r, "resource", "e.g. `resource: limits.memory`"),
            divisor: r
                .get("divisor")
                .and_then(|n| cx.field("divisor", |cx| quantity(cx, n)))
                .map(|q| q.to_string()),
        },
    ) {
        out = Some(s);
    }
    if let Some(s) = cx.sub(
        v,
        "configMapKeyRef",
        &["name", "key", "optional"],
        |cx, r| {
            let (name, key, optional) = key_ref(cx, r, "ConfigMap");
            EnvVarSource::ConfigMapKeyRef {
                name,
                key,
                optional,
            }
        },
    ) {
        out = Some(s);
    }
    if let Some(s) = cx.sub(v, "secretKeyRef", &["name", "key", "optional"], |cx, r| {
        let (name, key, optional) = key_ref(cx, r, "Secret");
        EnvVarSource::SecretKeyRef {
            name,
            key,
            optional,
        }
    }) {
        out = Some(s);
    }
    out
}

pub fn read_env_from(cx: &mut Cx, node: &Node) -> Option<EnvFromSource> {
    let f = cx.object(node, &["prefix", "configMapRef", "secretRef"])?;
    let prefix = cx.opt_str(&f, "prefix");
    let r = |cx: &mut Cx, r: Fields| {
        (
            cx.req_str(&r, "name", "name the object: `name: my-config`"),
            cx.opt_bool(&r, "optional").unwrap_or(false),
        )
    };
    let cm = cx.sub(&f, "configMapRef", &["name", "optional"], r);
    let sec = cx.sub(&f, "secretRef", &["name", "optional"], r);
    let source = match (cm, sec) {
        (Some((name, optional)), None) => EnvFromRef::ConfigMapRef { name, optional },
        (None, Some((name, optional))) => EnvFromRef::SecretRef { name, optional },
        _ => {
            cx.error(
                "one-source",
                f.pos,
                "an `envFrom` entry needs exactly one of `configMapRef` or `secretRef`",
                "split it into two entries, one per source",
            );
            return None;
        }
    };
    Some(EnvFromSource { prefix, source })
}
