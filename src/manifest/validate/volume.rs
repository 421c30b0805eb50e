//! Pod volumes: emptyDir, hostPath, configMap, secret, downwardAPI,
//! projected and persistentVolumeClaim.

use super::container::quantity;
use super::names::{is_dns1123_label, suggest_label};
use super::probe::check_field_path;
use super::walk::{Cx, Fields};
use crate::manifest::model::{DownwardApiFile, KeyToPath, Volume, VolumeSource};
use crate::manifest::node::Node;

const SOURCES: &[&str] = &[
    "emptyDir",
    "hostPath",
    "configMap",
    "secret",
    "downwardAPI",
    "projected",
    "persistentVolumeClaim",
];

/// Real volume types that need a cluster's storage, which podlearn cannot give.
const CLUSTER_SOURCES: &[&str] = &[
    "nfs",
    "csi",
    "ephemeral",
    "iscsi",
    "awsElasticBlockStore",
    "gcePersistentDisk",
    "azureDisk",
    "azureFile",
    "cephfs",
    "rbd",
    "glusterfs",
    "fc",
    "flexVolume",
    "cinder",
    "portworxVolume",
    "image",
    "gitRepo",
    "local",
];

/// Read one volume at the current path.
pub fn read(cx: &mut Cx, node: &Node) -> Option<Volume> {
    let known: Vec<&str> = ["name"]
        .iter()
        .chain(SOURCES)
        .chain(CLUSTER_SOURCES)
        .copied()
        .collect();
    let f = cx.object(node, &known)?;
    let name = cx.req_str(&f, "name", "every volume needs a name: `name: shared`");
    if !name.is_empty() && !is_dns1123_label(&name) {
        let pos = cx.pos_of(&cx.child("name"));
        cx.field("name", |cx| {
            cx.error(
                "invalid-name",
                pos,
                format!("invalid volume name \"{name}\": must be a DNS-1123 label"),
                format!("try `name: {}`", suggest_label(&name)),
            )
        });
    }
    if let Some(other) = CLUSTER_SOURCES.iter().find(|s| f.has(s)) {
        let pos = f.get(other).map(|n| n.pos).unwrap_or(f.pos);
        cx.field(other, |cx| {
            cx.error("unsupported-volume", pos, format!("`{other}` volumes need a cluster's storage, which podlearn cannot provide on one machine"), "for practice, use `emptyDir: {}` (or a persistentVolumeClaim)")
        });
        return None;
    }
    let set: Vec<&str> = SOURCES.iter().copied().filter(|s| f.present(s)).collect();
    if set.len() != 1 {
        let message = if set.is_empty() {
            "a volume needs a type".to_string()
        } else {
            format!("a volume has exactly one type, found {}", set.join(" and "))
        };
        cx.error(
            "one-source",
            f.pos,
            message,
            "e.g. `emptyDir: {}` for a scratch folder shared by the containers",
        );
        return None;
    }
    let source = source(cx, &f, set[0])?;
    Some(Volume { name, source })
}

fn source(cx: &mut Cx, f: &Fields, kind: &str) -> Option<VolumeSource> {
    if kind == "emptyDir" && !f.has("emptyDir") {
        return Some(VolumeSource::EmptyDir {
            medium: String::new(),
            size_limit: None,
        });
    }
    match kind {
        "emptyDir" => cx.sub(f, "emptyDir", &["medium", "sizeLimit"], |cx, e| VolumeSource::EmptyDir {
            medium: cx.opt_enum(&e, "medium", &["", "Memory", "HugePages"]).unwrap_or_default(),
            size_limit: e.get("sizeLimit").and_then(|n| cx.field("sizeLimit", |cx| quantity(cx, n))),
        }),
        "hostPath" => cx.sub(f, "hostPath", &["path", "type"], |cx, h| {
            let path = cx.req_str(&h, "path", "the folder on the host: `path: /tmp/data`");
            let kind = cx.opt_enum(&h, "type", &["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"]);
            VolumeSource::HostPath { path, kind }
        }),
        "configMap" => cx.sub(f, "configMap", &["name", "items", "defaultMode", "optional"], |cx, c| VolumeSource::ConfigMap {
            name: cx.req_str(&c, "name", "name the ConfigMap: `name: my-config`"),
            items: items(cx, &c),
            default_mode: mode(cx, &c, "defaultMode").unwrap_or(0o644),
            optional: cx.opt_bool(&c, "optional").unwrap_or(false),
        }),
        "secret" => cx.sub(f, "secret", &["secretName", "items", "defaultMode", "optional"], |cx, s| VolumeSource::Secret {
            secret_name: cx.req_str(&s, "secretName", "name the Secret: `secretName: my-secret` (a secret volume says secretName, not name)"),
            items: items(cx, &s),
            default_mode: mode(cx, &s, "defaultMode").unwrap_or(0o644),
            optional: cx.opt_bool(&s, "optional").unwrap_or(false),
        }),
        "downwardAPI" => cx.sub(f, "downwardAPI", &["items", "defaultMode"], |cx, d| VolumeSource::DownwardApi {
            items: cx.list(&d, "items", downward_file),
            default_mode: mode(cx, &d, "defaultMode").unwrap_or(0o644),
        }),
        "projected" => cx.sub(f, "projected", &["sources", "defaultMode"], |cx, p| VolumeSource::Projected {
            sources: cx.list(&p, "sources", projection),
            default_mode: mode(cx, &p, "defaultMode").unwrap_or(0o644),
        }),
        "persistentVolumeClaim" => cx.sub(f, "persistentVolumeClaim", &["claimName", "readOnly"], |cx, p| VolumeSource::PersistentVolumeClaim {
            claim_name: cx.req_str(&p, "claimName", "name the claim: `claimName: my-claim`"),
            read_only: cx.opt_bool(&p, "readOnly").unwrap_or(false),
        }),
        _ => None,
    }
    .or_else(|| {
        if !f.has(kind) {
            let path = cx.child(kind);
            cx.report_path(crate::manifest::Severity::Error, "required", f.pos, path, format!("`{kind}:` needs its settings below it"), Some("see `kubectl explain pod.spec.volumes`".into()));
        }
        None
    })
}

fn projection(cx: &mut Cx, node: &Node) -> Option<VolumeSource> {
    let f = cx.object(
        node,
        &[
            "configMap",
            "secret",
            "downwardAPI",
            "serviceAccountToken",
            "clusterTrustBundle",
            "podCertificate",
        ],
    )?;
    if let Some(n) = f.get("serviceAccountToken") {
        let path = cx.child("serviceAccountToken");
        cx.report_path(crate::manifest::Severity::Note, "no-op-here", n.pos, path, "a serviceAccountToken projection is valid, but podlearn has no API server to issue a token", None);
        return None;
    }
    let set: Vec<&str> = ["configMap", "secret", "downwardAPI"]
        .into_iter()
        .filter(|k| f.has(k))
        .collect();
    if set.len() != 1 {
        cx.error(
            "one-source",
            f.pos,
            "each projected source has exactly one of configMap, secret, downwardAPI",
            "split it into one list item per source",
        );
        return None;
    }
    match set[0] {
        "configMap" => cx.sub(&f, "configMap", &["name", "items", "optional"], |cx, c| {
            VolumeSource::ConfigMap {
                name: cx.req_str(&c, "name", "name the ConfigMap"),
                items: items(cx, &c),
                default_mode: 0o644,
                optional: cx.opt_bool(&c, "optional").unwrap_or(false),
            }
        }),
        "secret" => cx.sub(&f, "secret", &["name", "items", "optional"], |cx, s| {
            VolumeSource::Secret {
                secret_name: cx.req_str(
                    &s,
                    "name",
                    "name the Secret (in a projection it is `name`, not secretName)",
                ),
                items: items(cx, &s),
                default_mode: 0o644,
                optional: cx.opt_bool(&s, "optional").unwrap_or(false),
            }
        }),
        _ => cx.sub(&f, "downwardAPI", &["items"], |cx, d| {
            VolumeSource::DownwardApi {
                items: cx.list(&d, "items", downward_file),
                default_mode: 0o644,
            }
        }),
    }
}

fn items(cx: &mut Cx, f: &Fields) -> Vec<KeyToPath> {
    cx.list(f, "items", |cx, n| {
        let i = cx.object(n, &["key", "path", "mode"])?;
        let key = cx.req_str(&i, "key", "the key to project: `key: app.conf`");
        let path = cx.req_str(
            &i,
            "path",
            "the file name inside the volume: `path: app.conf`",
        );
        check_relative(cx, &path);
        Some(KeyToPath {
            key,
            path,
            mode: mode(cx, &i, "mode"),
        })
    })
}

fn downward_file(cx: &mut Cx, node: &Node) -> Option<DownwardApiFile> {
    let d = cx.object(node, &["path", "fieldRef", "resourceFieldRef", "mode"])?;
    let path = cx.req_str(&d, "path", "the file name: `path: labels`");
    check_relative(cx, &path);
    let field_path = cx.sub(&d, "fieldRef", &["fieldPath", "apiVersion"], |cx, r| {
        let p = cx.req_str(&r, "fieldPath", "e.g. `fieldPath: metadata.labels`");
        check_field_path(cx, &p, false);
        p
    });
    let resource_field = cx.sub(
        &d,
        "resourceFieldRef",
        &["containerName", "resource", "divisor"],
        |cx, r| {
            (
                cx.opt_str(&r, "containerName"),
                cx.req_str(&r, "resource", "e.g. `resource: limits.memory`"),
            )
        },
    );
    if field_path.is_none() == resource_field.is_none() {
        cx.error(
            "one-source",
            d.pos,
            "each downwardAPI item needs exactly one of fieldRef or resourceFieldRef",
            "e.g. `fieldRef: {fieldPath: metadata.labels}`",
        );
    }
    Some(DownwardApiFile {
        path,
        field_path,
        resource_field,
        mode: mode(cx, &d, "mode"),
    })
}

fn check_relative(cx: &mut Cx, path: &str) {
    if path.starts_with('/') || path.split('/').any(|p| p == "..") {
        let pos = cx.pos_of(&cx.child("path"));
        cx.field("path", |cx| {
            cx.error(
                "invalid-path",
                pos,
                format!("\"{path}\" must be a relative path without '..'"),
                "write a file name inside the volume, like `path: app.conf`",
            )
        });
    }
}

/// A file mode, 0 to 0777. YAML reads `0644` as octal (as kubectl does); JSON needs decimal (420).
fn mode(cx: &mut Cx, f: &Fields, name: &str) -> Option<u32> {
    let v = cx.opt_int(f, name)?;
    if !(0..=0o777).contains(&v) {
        let pos = cx.pos_of(&cx.child(name));
        cx.field(name, |cx| {
            cx.error("out-of-range", pos, format!("file mode {v} is out of range: must be between 0 and 0777 (511)"), "write it in octal with a leading zero, like `0644`; in JSON write the decimal value, like 420")
        });
        return None;
    }
    Some(v as u32)
}
