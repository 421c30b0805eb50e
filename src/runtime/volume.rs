//! Pod volumes on Docker: the files of configMap, secret and downwardAPI
//! volumes (written as a tar archive through the sandbox), and subPath
//! mounts (a directory of the volume on the engine's host, bind-mounted).

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;

use crate::manifest::{KeyToPath, Pod, VolumeSource};
use crate::podenv::{self, Inputs};

use super::docker::Api;
use super::plan::{PodPlan, SANDBOX_VOLUME_ROOT};

/// Files of a volume: path -> (content, mode).
pub type Files = BTreeMap<String, (Vec<u8>, u32)>;

/// The files of a configMap, secret, downwardAPI or projected volume, as the
/// kubelet writes them (missing optional sources give no files).
pub fn volume_files(
    source: &VolumeSource,
    pod: &Pod,
    inputs: &Inputs,
    pod_ip: Option<&str>,
) -> Files {
    let ns = &pod.metadata.namespace;
    let mut files = BTreeMap::new();
    match source {
        VolumeSource::ConfigMap {
            name,
            items,
            default_mode,
            ..
        } => {
            if let Some(cm) = inputs.configmap(ns, name) {
                let mut all: BTreeMap<String, Vec<u8>> = cm
                    .data
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_bytes().to_vec()))
                    .collect();
                all.extend(cm.binary_data.clone());
                pick(&all, items, *default_mode, &mut files);
            }
        }
        VolumeSource::Secret {
            secret_name,
            items,
            default_mode,
            ..
        } => {
            if let Some(s) = inputs.secret(ns, secret_name) {
                pick(&s.data, items, *default_mode, &mut files);
            }
        }
        VolumeSource::DownwardApi {
            items,
            default_mode,
        } => {
            for i in items {
                let Some(fp) = &i.field_path else { continue };
                let text = podenv::field_ref(pod, fp, inputs, pod_ip).unwrap_or_default();
                files.insert(
                    i.path.clone(),
                    (text.into_bytes(), i.mode.unwrap_or(*default_mode)),
                );
            }
        }
        VolumeSource::Projected {
            sources,
            default_mode,
        } => {
            // A projection has no defaultMode of its own: the volume's applies
            // to every file an item does not give a mode.
            for s in sources {
                let mut s = s.clone();
                if let VolumeSource::ConfigMap {
                    default_mode: m, ..
                }
                | VolumeSource::Secret {
                    default_mode: m, ..
                }
                | VolumeSource::DownwardApi {
                    default_mode: m, ..
                } = &mut s
                {
                    *m = *default_mode;
                }
                files.extend(volume_files(&s, pod, inputs, pod_ip));
            }
        }
        _ => {}
    }
    files
}

fn pick(all: &BTreeMap<String, Vec<u8>>, items: &[KeyToPath], mode: u32, files: &mut Files) {
    if items.is_empty() {
        for (k, v) in all {
            files.insert(k.clone(), (v.clone(), mode));
        }
    }
    for i in items {
        if let Some(v) = all.get(&i.key) {
            files.insert(i.path.clone(), (v.clone(), i.mode.unwrap_or(mode)));
        }
    }
}

/// A tar archive of `path -> (content, mode)`, with parent directories,
/// owned by root and dated now, as the kubelet writes them. Paths of any
/// length (a ConfigMap key may have 253 characters) get GNU long-name
/// entries, which the engine's extraction reads.
pub fn tar(files: &Files) -> anyhow::Result<Vec<u8>> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let header = |kind: ::tar::EntryType, size: usize, mode: u32| {
        let mut h = ::tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_size(size as u64);
        h.set_mode(mode & 0o7777);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(now);
        h
    };
    let mut dirs: Vec<String> = Vec::new();
    for path in files.keys() {
        let mut acc = String::new();
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            acc.push_str(part);
            acc.push('/');
            if !dirs.contains(&acc) {
                dirs.push(acc.clone());
            }
        }
    }
    let mut out = ::tar::Builder::new(Vec::new());
    for d in &dirs {
        let mut h = header(::tar::EntryType::Directory, 0, 0o755);
        out.append_data(&mut h, d, std::io::empty())
            .with_context(|| format!("packing the folder {d}"))?;
    }
    for (path, (data, mode)) in files {
        let name = path.trim_start_matches('/');
        let mut h = header(::tar::EntryType::Regular, data.len(), *mode);
        out.append_data(&mut h, name, data.as_slice())
            .with_context(|| format!("packing the file {name}"))?;
    }
    Ok(out.into_inner()?)
}

/// The host path of `sub` inside Docker volume `volume`: a file or folder
/// that is there already, or a folder created (as the kubelet does).
pub async fn sub_path(
    api: &Api,
    sandbox: &str,
    plan: &PodPlan,
    volume: &str,
    sub: &str,
) -> anyhow::Result<String> {
    anyhow::ensure!(
        !sub.split('/').any(|p| p == "..") && !sub.starts_with('/'),
        "subPath {sub:?} must be a relative path without '..'"
    );
    let pod_volume = plan
        .volumes
        .iter()
        .find(|v| v.name == volume)
        .map(|v| v.pod_volume.clone())
        .unwrap_or_default();
    let inside = format!("{SANDBOX_VOLUME_ROOT}/{pod_volume}/{sub}");
    // A key of a configMap or secret volume is a file already: mounted as it
    // is. Anything else missing becomes a folder.
    let argv = [
        "sh",
        "-c",
        "[ -e \"$1\" ] || mkdir -p \"$1\"",
        "sh",
        inside.as_str(),
    ]
    .map(String::from);
    let out = api.exec(sandbox, &argv, Duration::from_secs(10)).await?;
    anyhow::ensure!(out.exit_code == 0, "{}", out.stderr.trim());
    let root = api.volume_mountpoint(volume).await?;
    Ok(format!("{root}/{sub}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unpack(t: &[u8]) -> Vec<(String, ::tar::EntryType, u32, Vec<u8>)> {
        let mut a = ::tar::Archive::new(t);
        a.entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let mut data = Vec::new();
                std::io::Read::read_to_end(&mut e, &mut data).unwrap();
                let h = e.header();
                (
                    e.path().unwrap().to_string_lossy().into_owned(),
                    h.entry_type(),
                    h.mode().unwrap(),
                    data,
                )
            })
            .collect()
    }

    #[test]
    fn tar_has_folders_then_files_with_their_modes() {
        let mut files = BTreeMap::new();
        files.insert("conf/app.txt".to_string(), (b"hello".to_vec(), 0o400));
        files.insert("top".to_string(), (b"x".to_vec(), 0o644));
        let t = tar(&files).unwrap();
        assert_eq!(t.len() % 512, 0);
        let got = unpack(&t);
        assert_eq!(
            got,
            vec![
                ("conf/".into(), ::tar::EntryType::Directory, 0o755, vec![]),
                (
                    "conf/app.txt".into(),
                    ::tar::EntryType::Regular,
                    0o400,
                    b"hello".to_vec()
                ),
                (
                    "top".into(),
                    ::tar::EntryType::Regular,
                    0o644,
                    b"x".to_vec()
                ),
            ]
        );
    }

    #[test]
    fn tar_keeps_names_longer_than_ustar_allows() {
        // A ConfigMap key may be 253 characters; ustar's name field holds 100.
        let key = format!("{}.conf", "k".repeat(248));
        let mut files = BTreeMap::new();
        files.insert(key.clone(), (b"long".to_vec(), 0o644));
        let got = unpack(&tar(&files).unwrap());
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, key);
        assert_eq!(got[0].3, b"long");
    }

    #[test]
    fn a_projected_volumes_default_mode_applies_to_its_sources() {
        use crate::fixtures::{container, pod, spec};
        use crate::manifest::{ConfigMap, Object, ObjectMeta, Resource, RestartPolicy, Secret};

        let meta = |name: &str| ObjectMeta {
            name: name.into(),
            namespace: "default".into(),
            ..Default::default()
        };
        let objects = [
            Object {
                source: Default::default(),
                resource: Resource::ConfigMap(ConfigMap {
                    metadata: meta("shop"),
                    data: BTreeMap::from([("name".to_string(), "corner".to_string())]),
                    binary_data: BTreeMap::new(),
                }),
            },
            Object {
                source: Default::default(),
                resource: Resource::Secret(Secret {
                    metadata: meta("api"),
                    kind: "Opaque".into(),
                    data: BTreeMap::from([("key".to_string(), b"k".to_vec())]),
                }),
            },
        ];
        let inputs = Inputs::from_objects(&objects);
        let p = pod(
            "shop",
            spec(vec![], vec![container("app")], RestartPolicy::Always),
        );
        let source = VolumeSource::Projected {
            default_mode: 0o400,
            sources: vec![
                VolumeSource::ConfigMap {
                    name: "shop".into(),
                    items: vec![],
                    default_mode: 0o644,
                    optional: false,
                },
                VolumeSource::Secret {
                    secret_name: "api".into(),
                    items: vec![KeyToPath {
                        key: "key".into(),
                        path: "api-key".into(),
                        mode: Some(0o440),
                    }],
                    default_mode: 0o644,
                    optional: false,
                },
            ],
        };
        let files = volume_files(&source, &p, &inputs, None);
        assert_eq!(files["name"], (b"corner".to_vec(), 0o400));
        // An item's own mode still wins.
        assert_eq!(files["api-key"], (b"k".to_vec(), 0o440));
    }
}
